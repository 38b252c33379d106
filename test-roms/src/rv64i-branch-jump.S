/*
 * rv64i-branch-jump - conditional branches, JAL and JALR (unprivileged spec,
 * RV32I "Control Transfer Instructions").
 *
 * Rules used:
 * - BEQ/BNE compare all 64 bits; BLT/BGE compare as signed two's complement,
 *   BLTU/BGEU as unsigned; the 13-bit offset reaches -4096..+4094;
 * - JAL and JALR write pc + 4 to rd (nothing when rd = x0); JAL's 21-bit
 *   offset reaches +-1 MiB;
 * - JALR's target is (rs1 + sext(imm)) with bit 0 cleared, computed from the
 *   value rs1 had before rd is written (so rd = rs1 works);
 * - with the C extension (IALIGN = 16) targets only need 2-byte alignment.
 * A taken branch that falls through, or a not-taken branch that jumps,
 * reaches FAIL_HERE.
 */
#include "test.h"

/* Pad to a 4-byte boundary (with a c.nop if needed), then one c.nop, so that
   the next label sits at an address that is 2 mod 4. */
#define HALF_ALIGN                                                           \
    .option push; .option rvc; .balign 4; .option pop; .half 0x0001

#define BR_TAKEN(n, op, a, b)                                                \
    CASE(n); li a1, a; li a2, b; op a1, a2, 1f; FAIL_HERE(); 1:
#define BR_NOT_TAKEN(n, op, a, b)                                            \
    CASE(n); li a1, a; li a2, b; op a1, a2, 1f; j 2f; 1: FAIL_HERE(); 2:
#define BR_BACK_TAKEN(n, op, a, b)                                           \
    CASE(n); li a1, a; li a2, b; j 2f; 1: j 3f; 2: op a1, a2, 1b;           \
    FAIL_HERE(); 3:
#define BR_BACK_NOT_TAKEN(n, op, a, b)                                       \
    CASE(n); li a1, a; li a2, b; j 2f; 1: FAIL_HERE(); 2: op a1, a2, 1b

TEST_BEGIN("rv64i-branch-jump")
    .option norvc

    /* ---- beq / bne ---- */
    BR_TAKEN(1, beq, 0, 0)
    BR_TAKEN(2, beq, -1, -1)
    BR_TAKEN(3, beq, 0x8000000000000000, 0x8000000000000000)
    BR_NOT_TAKEN(4, beq, 1, 2)
    BR_NOT_TAKEN(5, beq, 0x8000000000000000, 0)
    BR_NOT_TAKEN(6, beq, 0x100000000, 0)            /* equal low words */
    BR_TAKEN(7, bne, 1, 2)
    BR_TAKEN(8, bne, 0x100000000, 0)
    BR_TAKEN(9, bne, 0, -1)
    BR_NOT_TAKEN(10, bne, 0, 0)
    BR_NOT_TAKEN(11, bne, -1, -1)

    /* ---- blt / bge (signed) ---- */
    BR_TAKEN(12, blt, -1, 0)
    BR_TAKEN(13, blt, 1, 2)
    BR_TAKEN(14, blt, -2, -1)
    BR_TAKEN(15, blt, 0x8000000000000000, 0x7fffffffffffffff)
    BR_NOT_TAKEN(16, blt, 0, -1)
    BR_NOT_TAKEN(17, blt, 5, 5)
    BR_NOT_TAKEN(18, blt, 0x7fffffffffffffff, 0x8000000000000000)
    BR_NOT_TAKEN(19, blt, 0x100000000, 0xffffffff)
    BR_TAKEN(20, bge, 0, -1)
    BR_TAKEN(21, bge, 5, 5)
    BR_TAKEN(22, bge, -1, -1)
    BR_TAKEN(23, bge, 0x7fffffffffffffff, 0x8000000000000000)
    BR_NOT_TAKEN(24, bge, -1, 0)
    BR_NOT_TAKEN(25, bge, 0x8000000000000000, 0x7fffffffffffffff)
    BR_NOT_TAKEN(26, bge, -2, -1)

    /* ---- bltu / bgeu (unsigned) ---- */
    BR_TAKEN(27, bltu, 0, -1)
    BR_TAKEN(28, bltu, 0x7fffffffffffffff, 0x8000000000000000)
    BR_TAKEN(29, bltu, 0xffffffff, 0x100000000)
    BR_TAKEN(30, bltu, -2, -1)
    BR_NOT_TAKEN(31, bltu, -1, 0)
    BR_NOT_TAKEN(32, bltu, 5, 5)
    BR_NOT_TAKEN(33, bltu, 0x100000000, 0xffffffff)
    BR_TAKEN(34, bgeu, -1, 0)
    BR_TAKEN(35, bgeu, 5, 5)
    BR_TAKEN(36, bgeu, 0x8000000000000000, 0x7fffffffffffffff)
    BR_NOT_TAKEN(37, bgeu, 0, -1)
    BR_NOT_TAKEN(38, bgeu, 0xffffffff, 0x100000000)
    BR_NOT_TAKEN(39, bgeu, 0x7fffffffffffffff, 0x8000000000000000)

    /* ---- backward branches ---- */
    BR_BACK_TAKEN(40, beq, 7, 7)
    BR_BACK_TAKEN(41, bne, 7, 8)
    BR_BACK_TAKEN(42, blt, -8, 7)
    BR_BACK_TAKEN(43, bge, 7, -8)
    BR_BACK_TAKEN(44, bltu, 7, -8)
    BR_BACK_TAKEN(45, bgeu, -8, 7)
    BR_BACK_NOT_TAKEN(46, beq, 7, 8)
    BR_BACK_NOT_TAKEN(47, bne, 7, 7)
    BR_BACK_NOT_TAKEN(48, blt, 7, -8)
    BR_BACK_NOT_TAKEN(49, bge, -8, 7)
    BR_BACK_NOT_TAKEN(50, bltu, -8, 7)
    BR_BACK_NOT_TAKEN(51, bgeu, 7, -8)

    /* ---- same register on both sides ---- */
    BR_TAKEN(52, beq, 0, 0)
    CASE(53)
    li a1, -5
    beq a1, a1, 1f
    FAIL_HERE()
1:  blt a1, a1, 2f                  /* x < x is false */
    bgeu a1, a1, 3f                 /* x >= x is true */
2:  FAIL_HERE()
3:

    /* ---- a loop: a backward branch taken 9 times, then not taken ---- */
    CASE(54)
    li a0, 0
    li a1, 10
1:  addi a0, a0, 3
    addi a1, a1, -1
    bnez a1, 1b
    CHECK(a0, 30)

    /* ---- branch offset extremes: +4094 and -4096 ---- */
    CASE(55)
    li a1, 1
    beq a1, a1, 1f                  /* 4 + 4090 = +4094 */
    .skip 4090
1:  .half 0x0001                    /* c.nop: back to a 4-byte boundary */
    CASE(56)
    j 2f
1:  j 3f
    .skip 4092
2:  bne a1, zero, 1b                /* 1b is 4 + 4092 = 4096 bytes back */
    FAIL_HERE()
3:

    /* ---- jal: link value, rd = x0, other rd, backward, far ---- */
    CASE(57)
    jal ra, 1f
2:  FAIL_HERE()
1:  la a0, 2b
    CHECK_REG(ra, a0)
    CASE(58)
    jal x0, 1f
    FAIL_HERE()
1:  CHECK(zero, 0)
    CASE(59)
    jal t0, 1f
2:  FAIL_HERE()
1:  la a0, 2b
    CHECK_REG(t0, a0)
    CASE(60)
    j 2f
1:  la a0, 4f
    CHECK_REG(s0, a0)
    j 3f
2:  jal s0, 1b                      /* backward */
4:  FAIL_HERE()
3:
    CASE(61)
    jal s1, 1f                      /* offset 0x12348: many immediate bits set */
2:  .skip 0x12344
1:  la a0, 2b
    CHECK_REG(s1, a0)
    CASE(62)
    j 2f
1:  la a0, 4f
    CHECK_REG(s1, a0)
    j 3f
    .skip 0x2468c
2:  jal s1, 1b                      /* about -0x24698 */
4:  FAIL_HERE()
3:

    /* ---- jalr ---- */
    CASE(63)
    la a1, 1f
    jalr ra, 0(a1)
2:  FAIL_HERE()
1:  la a0, 2b
    CHECK_REG(ra, a0)
    CASE(64)
    la a1, 1f-8
    jalr ra, 8(a1)
    FAIL_HERE()
1:
    CASE(65)
    la a1, 1f+12
    jalr ra, -12(a1)
    FAIL_HERE()
1:
    CASE(66)
    la a1, 1f-2047
    jalr ra, 2047(a1)               /* largest positive offset */
    FAIL_HERE()
1:
    CASE(67)
    la a1, 1f+2048
    jalr ra, -2048(a1)              /* largest negative offset */
    FAIL_HERE()
1:
    /* the target's bit 0 is cleared */
    CASE(68)
    la a1, 1f+1
    jalr ra, 0(a1)
    FAIL_HERE()
1:
    CASE(69)
    la a1, 1f
    jalr ra, 1(a1)
    FAIL_HERE()
1:
    CASE(70)
    la a1, 1f-1
    jalr ra, 2(a1)                  /* (1f + 1) & ~1 */
    FAIL_HERE()
1:
    /* rd == rs1: the target comes from the old value */
    CASE(71)
    la a1, 1f
    jalr a1, 0(a1)
2:  FAIL_HERE()
1:  la a0, 2b
    CHECK_REG(a1, a0)
    /* rd = x0 (jr) links nothing */
    CASE(72)
    la a1, 1f
    li ra, 0x5a5a
    jalr x0, 0(a1)
    FAIL_HERE()
1:  CHECK(ra, 0x5a5a)
    CHECK(zero, 0)
    /* call and return */
    CASE(73)
    li a0, 0
    jal ra, add_three
    jal ra, add_three
    CHECK(a0, 6)

    /* ---- targets that are only 2-byte aligned (IALIGN = 16 with C) ---- */
    CASE(74)
    la a1, half_target
    jalr ra, 0(a1)
2:  la a2, 2b
    CHECK_REG(a0, a2)               /* half_target returned with a0 = ra */
    CASE(75)
    li a1, 3
    bnez a1, 1f                     /* branch to a 2 mod 4 address */
    FAIL_HERE()
    HALF_ALIGN
1:  la a2, 1b
    andi a2, a2, 3
    CHECK(a2, 2)
    CASE(76)
    jal zero, half_target_3         /* jal to a 2 mod 4 address */
    FAIL_HERE()
half_back_3:

    TEST_END

add_three:
    addi a0, a0, 3
    jalr zero, 0(ra)

    HALF_ALIGN
half_target:
    mv a0, ra
    ret
    HALF_ALIGN
half_target_3:
    j half_back_3
