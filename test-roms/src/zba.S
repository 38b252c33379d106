/*
 * zba - Zba, address generation (unprivileged spec, "B" Extension for Bit
 * Manipulation, Zba): add.uw, sh1add/sh2add/sh3add, their .uw forms and
 * slli.uw. Passes on QEMU 7.2 (-cpu rv64 has Zba on by default).
 *
 * Rules used (the spec's pseudo-code, XLEN = 64):
 * - add.uw:    X(rd) = X(rs2) + ZEXT(X(rs1)[31:0]); with rs2 = zero it is
 *   the pseudo-instruction zext.w;
 * - shNadd:    X(rd) = X(rs2) + (X(rs1) << N), N = 1, 2, 3, modulo 2^64
 *   (bits shifted out of rs1 are lost);
 * - shNadd.uw: X(rd) = X(rs2) + (ZEXT(X(rs1)[31:0]) << N);
 * - slli.uw:   X(rd) = ZEXT(X(rs1)[31:0]) << shamt, shamt 0..63 (the
 *   result is not truncated to 32 bits: bits of the word land up to 63+31
 *   and those past 63 are lost).
 */
#include "test.h"

#define TEST_RR(n, op, exp, a, b) CASE(n); li a1, a; li a2, b; op a0, a1, a2; CHECK(a0, exp)
#define TEST_RI(n, op, exp, a, imm) CASE(n); li a1, a; op a0, a1, imm; CHECK(a0, exp)

TEST_BEGIN("zba")
    .option norvc
    .option arch, +zba

    /* ---- add.uw ---- */
    TEST_RR(1, add.uw, 0x100000000, -1, 1)                  /* 0xffffffff + 1 */
    TEST_RR(2, add.uw, 0x80000000, 0x1234567880000000, 0)   /* upper half of rs1 ignored, no sign extension */
    TEST_RR(3, add.uw, 5, 0x100000000, 5)                   /* rs1's word is 0 */
    TEST_RR(4, add.uw, 0, 0xffffffff, 0xffffffff00000001)   /* 0xffffffff00000001 + 0xffffffff = 2^64: wraps to 0 */
    CASE(5)                                                 /* zext.w */
    li a1, 0x8000000080000000
    zext.w a0, a1
    CHECK(a0, 0x80000000)

    /* ---- sh1add ---- */
    TEST_RR(6, sh1add, 16, 3, 10)                           /* 10 + 6 */
    TEST_RR(7, sh1add, 1, 0x8000000000000000, 1)            /* bit 63 shifted out */
    TEST_RR(8, sh1add, 0xfffffffffffffffe, -1, 0)           /* -1 << 1 = -2 */

    /* ---- sh2add ---- */
    TEST_RR(9, sh2add, 22, 3, 10)
    TEST_RR(10, sh2add, 4, 0x4000000000000001, 0)           /* bit 62 -> bit 64, lost */
    TEST_RR(11, sh2add, 0, -1, 4)                           /* -4 + 4 */

    /* ---- sh3add ---- */
    TEST_RR(12, sh3add, 34, 3, 10)
    TEST_RR(13, sh3add, -1, 0x2000000000000000, -1)         /* 2^61 << 3 = 2^64 = 0 */
    TEST_RR(14, sh3add, 0xfffffffffffffff8, -1, 0)

    /* ---- sh1add.uw, sh2add.uw, sh3add.uw ---- */
    TEST_RR(15, sh1add.uw, 0x1fffffffe, -1, 0)              /* 0xffffffff << 1 */
    TEST_RR(16, sh1add.uw, 7, 0x1234567800000003, 1)        /* (3 << 1) + 1 */
    TEST_RR(17, sh2add.uw, 0x3fffffffc, -1, 0)              /* 0xffffffff << 2 */
    TEST_RR(18, sh2add.uw, 0x200000010, 0x80000000, 0x10)   /* 2^31 << 2 = 2^33, no sign extension */
    TEST_RR(19, sh3add.uw, 0x7fffffff8, -1, 0)              /* 0xffffffff << 3 */
    TEST_RR(20, sh3add.uw, 0, 0xdeadbeef00000001, -8)       /* 8 - 8 */

    /* ---- slli.uw ---- */
    TEST_RI(21, slli.uw, 0xffffffff, -1, 0)                 /* zext.w */
    TEST_RI(22, slli.uw, 0x7fffffff80000000, -1, 31)
    TEST_RI(23, slli.uw, 0xffffffff00000000, -1, 32)
    TEST_RI(24, slli.uw, 0x8000000000000000, -1, 63)        /* only bit 0 of the word stays */
    TEST_RI(25, slli.uw, 4, 0x100000002, 1)                 /* bit 32 of rs1 is not part of the word */

    /* ---- register aliasing, x0 ---- */
    CASE(26)
    li a1, 5
    sh1add a1, a1, a1                                       /* 5 + 10 */
    CHECK(a1, 15)
    CASE(27)
    li a1, 7
    sh3add zero, a1, a1                                     /* x0 stays 0 */
    CHECK(zero, 0)
TEST_END
