/*
 * zbs - Zbs, single-bit instructions (unprivileged spec, "B" Extension for
 * Bit Manipulation, Zbs), RV64: bclr/bext/binv/bset and the immediate
 * forms bclri/bexti/binvi/bseti. Passes on QEMU 7.2 (-cpu rv64 has Zbs on).
 *
 * Rules used (the spec's pseudo-code, XLEN = 64): the bit index is
 * rs2 & 63 (the immediate forms take a 6-bit shamt);
 * bclr = rs1 & ~(1 << index), bext = (rs1 >> index) & 1,
 * binv = rs1 ^ (1 << index), bset = rs1 | (1 << index).
 */
#include "test.h"

#define TEST_RR(n, op, exp, a, b) CASE(n); li a1, a; li a2, b; op a0, a1, a2; CHECK(a0, exp)
#define TEST_RI(n, op, exp, a, imm) CASE(n); li a1, a; op a0, a1, imm; CHECK(a0, exp)

TEST_BEGIN("zbs")
    .option norvc
    .option arch, +zbs

    /* ---- bclr ---- */
    TEST_RR(1, bclr, 0xfffffffffffffffe, -1, 0)
    TEST_RR(2, bclr, 0x7fffffffffffffff, -1, 63)
    TEST_RR(3, bclr, 0xfffffffffffffffe, -1, 64)            /* 64 & 63 = 0 */
    TEST_RR(4, bclr, 0xffffffff7fffffff, -1, 31)
    TEST_RR(5, bclr, 0, 0, 5)

    /* ---- bext ---- */
    TEST_RR(6, bext, 1, 0x8000000000000000, 63)
    TEST_RR(7, bext, 1, 0x8000000000000000, 127)            /* 127 & 63 = 63 */
    TEST_RR(8, bext, 0, 0x7fffffffffffffff, 63)
    TEST_RR(9, bext, 1, 0x100000000, 32)
    TEST_RR(10, bext, 0, 0x100000000, 31)

    /* ---- binv ---- */
    TEST_RR(11, binv, 0x8000000000000000, 0, 63)
    TEST_RR(12, binv, 0, 0x8000000000000000, 63)
    TEST_RR(13, binv, 0xfffffffeffffffff, -1, 32)
    TEST_RR(14, binv, 2, 0, 0x41)                           /* 65 & 63 = 1 */

    /* ---- bset ---- */
    TEST_RR(15, bset, 1, 0, 0)
    TEST_RR(16, bset, 0x80000000, 0, 31)                    /* no sign extension */
    TEST_RR(17, bset, 0x100000000, 0, 32)
    TEST_RR(18, bset, -1, -1, 5)
    TEST_RR(19, bset, 0x8000000000000000, 0, -1)            /* -1 & 63 = 63 */

    /* ---- immediate forms ---- */
    TEST_RI(20, bclri, 0x7fffffffffffffff, -1, 63)
    TEST_RI(21, bclri, 0xfffffffffffffffe, -1, 0)
    TEST_RI(22, bexti, 1, 0x80000000, 31)
    TEST_RI(23, bexti, 0, 0x80000000, 32)
    TEST_RI(24, binvi, 0x80000000, 0, 31)
    TEST_RI(25, binvi, 0, 0x100000000, 32)
    TEST_RI(26, bseti, 0x8000000000000000, 0, 63)
    TEST_RI(27, bseti, 0x100000000, 0, 32)

    /* ---- register aliasing ---- */
    CASE(28)
    li a1, 3
    bset a1, a1, a1                                         /* 3 | 1 << 3 */
    CHECK(a1, 11)
TEST_END
