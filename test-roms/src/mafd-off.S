/*
 * mafd-off - with M, A, F and D switched off (-cpu rv64,m=off,a=off,f=off,
 * d=off), their instructions are illegal: cause 2, mepc = the instruction,
 * mtval = its bits (rivet, like QEMU, writes the bits), rd unchanged.
 * Without F the F CSRs (fflags, frm, fcsr) do not exist, so accessing them
 * is illegal too, and F and D instructions are illegal whatever mstatus.FS
 * holds (the spec lets FS be writable without F when S-mode exists, so
 * this ROM sets it and does not check it). misa has I, C, S and U and no
 * M, A, F or D. Passes on QEMU 7.2 with the same switches.
 *
 * The runtime's only M instruction is in hart 1..63's start-up (its
 * number printing uses none). QEMU 7.2 executes lr.d, sc.d and the .d
 * AMOs with A off (6-8, QEMU-divergent; the .w forms trap).
 */
#include "test.h"

#define ILLEGAL(n, bits, ...) CASE(n); li a0, 0x55; TRAP(CAUSE_ILLEGAL_INSTRUCTION, bits, __VA_ARGS__); CHECK(a0, 0x55)

TEST_BEGIN("mafd-off")
    .option norvc
    li a1, 3
    li a2, 5
    la a3, word

    /* M */
    ILLEGAL(1, 0x02c58533, mul a0, a1, a2)
    ILLEGAL(2, 0x02c5b533, mulhu a0, a1, a2)
    ILLEGAL(3, 0x02c5c533, div a0, a1, a2)
    ILLEGAL(4, 0x02c5f53b, remuw a0, a1, a2)
    /* A (the word must not change) */
    ILLEGAL(5, 0x00c6a52f, amoadd.w a0, a2, (a3))
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 with a=off still executes the RV64 .d forms */
    ILLEGAL(6, 0x0806b52f, amoswap.d a0, zero, (a3))
    ILLEGAL(7, 0x1006b52f, lr.d a0, (a3))
    ILLEGAL(8, 0x18c6b52f, sc.d a0, a2, (a3))
#endif
    CASE(9)
    ld a0, 0(a3)
    CHECK(a0, 0x1234)

    /* F and D, with FS set to Initial first */
    li t0, 0x2000
    csrs mstatus, t0
    ILLEGAL(10, 0x00000553, .word 0x00000553)          /* fadd.s fa0, ft0, ft0 */
    ILLEGAL(11, 0x02000553, .word 0x02000553)          /* fadd.d fa0, ft0, ft0 */
    ILLEGAL(12, 0xe0000553, .word 0xe0000553)          /* fmv.x.w a0, ft0 */
    ILLEGAL(13, 0x0006b507, .word 0x0006b507)          /* fld fa0, 0(a3) */
    ILLEGAL(14, 0x00102573, .word 0x00102573)          /* frflags a0 (csrrs a0, fflags, zero) */
    ILLEGAL(15, 0x00302573, .word 0x00302573)          /* frcsr a0 (csrrs a0, fcsr, zero) */
    ILLEGAL(16, 0x2008, .half 0x2008; .half 0x0001)    /* c.fld fa0, 0(s0), then c.nop */

    /* misa: MXL = 2, I C S U set, M A F D clear */
    CASE(17)
    csrr a0, misa
    li a1, 0xc00000000014112d
    and a0, a0, a1
    CHECK(a0, 0x8000000000140104)
TEST_END

    .data
    .balign 8
word: .dword 0x1234
