/*
 * bitmanip-off - with Zba, Zbb, Zbc, Zbs, Zicond and Zihintpause switched
 * off (-cpu rv64,zba=off,zbb=off,zbc=off,zbs=off,Zihintpause=off; Zicond
 * is off by default, and absent from QEMU 7.2), every instruction of those
 * extensions is an illegal instruction: the trap has cause 2, mepc = the
 * instruction and mtval = its bits (rivet, like QEMU, writes the bits),
 * and rd keeps its value. pause is a FENCE hint (pred = W, succ = 0): it
 * stays a legal fence without Zihintpause and must not trap. misa does
 * not change: the B letter is not set, and the letters of RV64GC and S
 * and U are. Passes on QEMU 7.2 with the same -cpu switches.
 */
#include "test.h"

#define ILLEGAL(n, bits, ...) CASE(n); li a0, 0x55; TRAP(CAUSE_ILLEGAL_INSTRUCTION, bits, __VA_ARGS__); CHECK(a0, 0x55)

TEST_BEGIN("bitmanip-off")
    .option norvc
    .option arch, +zba, +zbb, +zbc, +zbs, +zihintpause
    li a1, 3
    li a2, 5

    /* Zba */
    ILLEGAL(1, 0x08c5853b, add.uw a0, a1, a2)
    ILLEGAL(2, 0x20c5a533, sh1add a0, a1, a2)
    ILLEGAL(3, 0x20c5e53b, sh3add.uw a0, a1, a2)
    ILLEGAL(4, 0x0bf5951b, slli.uw a0, a1, 63)
    /* Zbb */
    ILLEGAL(5, 0x40c5f533, andn a0, a1, a2)
    ILLEGAL(6, 0x60059513, clz a0, a1)
    ILLEGAL(7, 0x6025951b, cpopw a0, a1)
    ILLEGAL(8, 0x0ac5e533, max a0, a1, a2)
    ILLEGAL(9, 0x0805c53b, zext.h a0, a1)
    ILLEGAL(10, 0x61f5d51b, roriw a0, a1, 31)
    ILLEGAL(11, 0x2875d513, orc.b a0, a1)
    ILLEGAL(12, 0x6b85d513, rev8 a0, a1)
    /* Zbc */
    ILLEGAL(13, 0x0ac59533, clmul a0, a1, a2)
    ILLEGAL(14, 0x0ac5b533, clmulh a0, a1, a2)
    ILLEGAL(15, 0x0ac5a533, clmulr a0, a1, a2)
    /* Zbs */
    ILLEGAL(16, 0x28c59533, bset a0, a1, a2)
    ILLEGAL(17, 0x4855d513, bexti a0, a1, 5)
    /* Zicond (czero.eqz a0,a1,a2 and czero.nez a0,a1,a2; see zicond.S) */
    ILLEGAL(18, 0x0ec5d533, .word 0x0ec5d533)
    ILLEGAL(19, 0x0ec5f533, .word 0x0ec5f533)

    /* pause: a fence, never a trap */
    CASE(20)
    li a0, 0x55
    pause
    CHECK(a0, 0x55)

    /* misa: RV64 (MXL = 2), A C D F I M S U set and B clear (the letters
       this ROM is about; QEMU 7.2 also sets H, which rivet lacks) */
    CASE(21)
    csrr a0, misa
    li a1, 0xc00000000014112f
    and a0, a0, a1
    CHECK(a0, 0x800000000014112d)
TEST_END
