/*
 * zbc - Zbc, carry-less multiplication (unprivileged spec, "B" Extension
 * for Bit Manipulation, Zbc), RV64: clmul, clmulh, clmulr. Passes on QEMU
 * 7.2 (-cpu rv64 has Zbc on).
 *
 * Rules used (the spec's pseudo-code, XLEN = 64): with P the 128-bit
 * carry-less product (XOR of rs1 << i for every bit i set in rs2),
 * clmul = P[63:0], clmulh = P[127:64], clmulr = P[126:63] (the spec's
 * loops: clmulh XORs rs1 >> (64 - i) for i in 1..63, clmulr rs1 >> (63 -
 * i) for i in 0..63). Carry-less products are polynomial products over
 * GF(2): (x + 1)^2 = x^2 + 1, and the square of a sum of distinct powers
 * is the sum of their squares (the cross terms cancel in pairs).
 */
#include "test.h"

#define TEST_RR(n, op, exp, a, b) CASE(n); li a1, a; li a2, b; op a0, a1, a2; CHECK(a0, exp)

TEST_BEGIN("zbc")
    .option norvc
    .option arch, +zbc

    /* ---- clmul ---- */
    TEST_RR(1, clmul, 0, 0, -1)
    TEST_RR(2, clmul, 0x1234, 0x1234, 1)                    /* times 1 */
    TEST_RR(3, clmul, 5, 3, 3)                              /* (x+1)^2 = x^2+1 */
    TEST_RR(4, clmul, 15, 5, 3)                             /* 0b101 ^ 0b1010 */
    TEST_RR(5, clmul, 0x5555, 0xff, 0xff)                   /* (x^0+..+x^7)^2 = x^0+x^2+..+x^14 */
    /* all ones squared: bit k of P is the parity of the k+1 (k < 64) or
       127-k (k >= 64) pairs i+j = k: set for even k, k = 0..126 */
    TEST_RR(6, clmul, 0x5555555555555555, -1, -1)
    TEST_RR(7, clmul, 0, 0x8000000000000000, 2)             /* x^64: past the low half */
    TEST_RR(8, clmul, 0, 0x8000000000000000, 0x8000000000000000)  /* x^126 */

    /* ---- clmulh ---- */
    TEST_RR(9, clmulh, 0x5555555555555555, -1, -1)          /* P[127:64]: even k from 64 to 126 */
    TEST_RR(10, clmulh, 1, 0x8000000000000000, 2)           /* x^64 */
    TEST_RR(11, clmulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000) /* x^126 */
    TEST_RR(12, clmulh, 0, 1, -1)                           /* P < 2^64 */
    TEST_RR(13, clmulh, 0x5555000000000000, 0xff00000000000000, 0xff00000000000000)
                                                            /* x^112 (x^0+..+x^14 even) */
    TEST_RR(14, clmulh, 0, 1, 0x8000000000000000)

    /* ---- clmulr ---- */
    TEST_RR(15, clmulr, 0xaaaaaaaaaaaaaaaa, -1, -1)         /* bit j = P[63+j]: odd j */
    TEST_RR(16, clmulr, 2, 0x8000000000000000, 2)           /* P[64] -> bit 1 */
    TEST_RR(17, clmulr, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000) /* P[126] -> bit 63 */
    TEST_RR(18, clmulr, 1, 1, -1)                           /* P[63] -> bit 0 */
    TEST_RR(19, clmulr, 0xaaaa000000000000, 0xff00000000000000, 0xff00000000000000)
    TEST_RR(20, clmulr, 1, 1, 0x8000000000000000)           /* P = x^63 */
    TEST_RR(21, clmulr, 0, 0x7fffffffffffffff, 1)           /* P[62:0] only */

    /* ---- register aliasing ---- */
    CASE(22)
    li a1, 3
    clmul a1, a1, a1
    CHECK(a1, 5)
TEST_END
