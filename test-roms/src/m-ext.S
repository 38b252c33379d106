/*
 * m-ext - the M extension (unprivileged spec, "M" Extension for Integer
 * Multiplication and Division): mul/mulh/mulhsu/mulhu, div/divu/rem/remu and
 * the RV64 W forms mulw/divw/divuw/remw/remuw.
 *
 * Rules used:
 * - MUL gives the low 64 bits of the product; MULH/MULHU/MULHSU the high 64
 *   bits of the 128-bit product of signed x signed, unsigned x unsigned,
 *   signed rs1 x unsigned rs2;
 * - division rounds towards zero; the remainder has the sign of the
 *   dividend (dividend = divisor * quotient + remainder);
 * - division by zero: quotient all ones (DIV and DIVU alike), remainder =
 *   the dividend; overflow (most negative / -1): quotient = the dividend,
 *   remainder = 0; no exception in either case;
 * - W forms use the low 32 bits of the sources and sign-extend the 32-bit
 *   result (also for DIVUW/REMUW), with the same special cases at 32 bits.
 */
#include "test.h"

#define TEST_RR(n, op, exp, a, b) CASE(n); li a1, a; li a2, b; op a0, a1, a2; CHECK(a0, exp)

TEST_BEGIN("m-ext")
    .option norvc

    /* ---- mul ---- */
    TEST_RR(1, mul, 0, 0, 0)
    TEST_RR(2, mul, 21, 3, 7)
    TEST_RR(3, mul, 1, -1, -1)
    TEST_RR(4, mul, -1, -1, 1)
    TEST_RR(5, mul, 0xfffffffffffffffe, 0x7fffffffffffffff, 2)
    TEST_RR(6, mul, 0x8000000000000000, 0x8000000000000000, -1)  /* 2^63 mod 2^64 */
    TEST_RR(7, mul, 0, 0x100000000, 0x100000000)                 /* 2^64 mod 2^64 */
    TEST_RR(8, mul, 0xfffffffe00000001, 0xffffffff, 0xffffffff)  /* (2^32-1)^2 = 2^64-2^33+1 */
    TEST_RR(9, mul, 0xffffffffffffffec, -4, 5)

    /* ---- mulh (signed x signed, high half) ---- */
    TEST_RR(10, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000) /* 2^126 */
    TEST_RR(11, mulh, 0, -1, -1)                        /* +1: high half 0 */
    TEST_RR(12, mulh, -1, -1, 1)                        /* -1: high half all ones */
    TEST_RR(13, mulh, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff)
                                                        /* 2^126 - 2^64 + 1 */
    TEST_RR(14, mulh, 0xc000000000000000, 0x8000000000000000, 0x7fffffffffffffff)
                                                        /* -2^126 + 2^63 */
    TEST_RR(15, mulh, 0, 2, 3)
    TEST_RR(16, mulh, -1, -2, 3)                        /* -6 */
    TEST_RR(17, mulh, 1, 0x100000000, 0x100000000)      /* 2^64 */
    TEST_RR(18, mulh, -1, 0x100000000, -0x100000000)    /* -2^64 */

    /* ---- mulhu (unsigned x unsigned) ---- */
    TEST_RR(19, mulhu, 0xfffffffffffffffe, -1, -1)      /* (2^64-1)^2 = 2^128 - 2^65 + 1 */
    TEST_RR(20, mulhu, 1, 0x8000000000000000, 2)
    TEST_RR(21, mulhu, 0, -1, 1)
    TEST_RR(22, mulhu, 1, 0x100000000, 0x100000000)
    TEST_RR(23, mulhu, 0x7fffffffffffffff, 0x8000000000000000, -1) /* 2^63 (2^64-1) */
    TEST_RR(24, mulhu, 0xfffffffffffffffc, -2, -2)      /* (2^64-2)^2 = 2^128 - 2^66 + 4 */

    /* ---- mulhsu (signed rs1 x unsigned rs2) ---- */
    TEST_RR(25, mulhsu, -1, -1, -1)                     /* -(2^64-1) = -2^64 + 1 */
    TEST_RR(26, mulhsu, 0, 1, -1)                       /* 2^64 - 1 */
    TEST_RR(27, mulhsu, 0x8000000000000000, 0x8000000000000000, -1)
                                                        /* -2^63 (2^64-1) = -2^127 + 2^63 */
    TEST_RR(28, mulhsu, -1, -2, 3)
    TEST_RR(29, mulhsu, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000)
                                                        /* (2^63-1) 2^63 = 2^126 - 2^63 */
    TEST_RR(30, mulhsu, 0, -1, 0)
    TEST_RR(31, mulhsu, 0xffffffffffffffff, -1, 0x8000000000000000) /* -2^63 */

    /* ---- mulw ---- */
    TEST_RR(32, mulw, 0xfffffffffffffffe, 0x7fffffff, 2)
    TEST_RR(33, mulw, 0, 0x10000, 0x10000)              /* 2^32: low word 0 */
    TEST_RR(34, mulw, 15, 0xffffffff00000003, 0x1234567800000005)
    TEST_RR(35, mulw, 1, -1, -1)
    TEST_RR(36, mulw, 0xffffffff80000000, 0x8000, 0x10000)
    TEST_RR(37, mulw, 0x7fffffff, 0xffffffff, 0x80000001) /* (-1)(-2^31+1) = 2^31 - 1 */

    /* ---- div ---- */
    TEST_RR(38, div, 3, 20, 6)
    TEST_RR(39, div, -3, -20, 6)                        /* rounds towards zero */
    TEST_RR(40, div, -3, 20, -6)
    TEST_RR(41, div, 3, -20, -6)
    TEST_RR(42, div, -1, 5, 0)                          /* by zero: all ones */
    TEST_RR(43, div, -1, -5, 0)
    TEST_RR(44, div, -1, 0, 0)
    TEST_RR(45, div, 0x8000000000000000, 0x8000000000000000, -1) /* overflow */
    TEST_RR(46, div, 0x8000000000000000, 0x8000000000000000, 1)
    TEST_RR(47, div, 0xc000000000000000, 0x8000000000000000, 2)
    TEST_RR(48, div, 0, 5, 6)

    /* ---- divu ---- */
    TEST_RR(49, divu, 3, 20, 6)
    TEST_RR(50, divu, 0x7fffffffffffffff, -1, 2)
    TEST_RR(51, divu, -1, 5, 0)                         /* by zero: all ones */
    TEST_RR(52, divu, -1, 0, 0)
    TEST_RR(53, divu, 0, 0x8000000000000000, -1)
    TEST_RR(54, divu, 0x2aaaaaaaaaaaaaa7, -20, 6)       /* 2^64-20 = 6 * that + 2 */
    TEST_RR(55, divu, 1, -1, -1)

    /* ---- rem ---- */
    TEST_RR(56, rem, 2, 20, 6)
    TEST_RR(57, rem, -2, -20, 6)                        /* sign of the dividend */
    TEST_RR(58, rem, 2, 20, -6)
    TEST_RR(59, rem, -2, -20, -6)
    TEST_RR(60, rem, 5, 5, 0)                           /* by zero: the dividend */
    TEST_RR(61, rem, -5, -5, 0)
    TEST_RR(62, rem, 0x8000000000000000, 0x8000000000000000, 0)
    TEST_RR(63, rem, 0, 0x8000000000000000, -1)         /* overflow: 0 */
    TEST_RR(64, rem, 0, -20, 5)

    /* ---- remu ---- */
    TEST_RR(65, remu, 2, 20, 6)
    TEST_RR(66, remu, 5, 5, 0)
    TEST_RR(67, remu, -1, -1, 0)
    TEST_RR(68, remu, 2, -20, 6)
    TEST_RR(69, remu, 0x7fffffffffffffff, -1, 0x8000000000000000)
    TEST_RR(70, remu, 0x8000000000000000, 0x8000000000000000, -1)

    /* ---- divw ---- */
    TEST_RR(71, divw, 3, 20, 6)
    TEST_RR(72, divw, 0xfffffffffffffffd, -20, 6)
    TEST_RR(73, divw, 3, 0x1234567800000014, 0xabcdef0000000006)  /* upper halves ignored */
    TEST_RR(74, divw, -1, 5, 0)
    TEST_RR(75, divw, -1, 5, 0x100000000)               /* low word of the divisor is 0 */
    TEST_RR(76, divw, 0xffffffff80000000, 0x80000000, 0xffffffff) /* overflow at 32 bits */
    TEST_RR(77, divw, 0xffffffff80000000, 0xffffffff80000000, 1)
    TEST_RR(78, divw, 0xffffffffc0000000, 0x80000000, 2)

    /* ---- divuw: unsigned 32-bit, result sign-extended ---- */
    TEST_RR(79, divuw, -1, 0xffffffff, 1)               /* 0xffffffff sign-extended */
    TEST_RR(80, divuw, 0x40000000, 0x80000000, 2)
    TEST_RR(81, divuw, 0, 0xfffffffe, 0xffffffff)
    TEST_RR(82, divuw, -1, 7, 0)                        /* by zero */
    TEST_RR(83, divuw, 3, 0xffffffff00000014, 6)
    TEST_RR(84, divuw, 0x7fffffff, 0xffffffff, 2)

    /* ---- remw ---- */
    TEST_RR(85, remw, 0xfffffffffffffffe, -20, 6)
    TEST_RR(86, remw, 2, 20, -6)
    TEST_RR(87, remw, 0xffffffff80000001, 0x80000001, 0) /* by zero: the dividend, sign-extended */
    TEST_RR(88, remw, 0, 0x80000000, -1)                /* overflow */
    TEST_RR(89, remw, 2, 0x1234567800000014, 6)
    TEST_RR(90, remw, 0xffffffffffffffff, 0xffffffff, 0x100000000) /* by zero (low word) */

    /* ---- remuw ---- */
    TEST_RR(91, remuw, 0xf, 0xffffffff, 0x10)
    TEST_RR(92, remuw, 0xffffffff80000001, 0x80000001, 0)
    TEST_RR(93, remuw, 0xfffffffffffffffe, 0xfffffffe, 0xffffffff)
    TEST_RR(94, remuw, 2, 20, 6)
    TEST_RR(95, remuw, 1, 0x0000000300000007, 0xffffffff00000003)

    /* ---- rd equal to the sources ---- */
    CASE(96)
    li a1, -7
    mul a1, a1, a1
    CHECK(a1, 49)
    li a1, -7
    div a1, a1, a1
    CHECK(a1, 1)
    li a1, 0x80000000
    mulhu a1, a1, a1                /* 2^62 >> 64 */
    CHECK(a1, 0)
    li a1, -3
    rem a1, a1, a1
    CHECK(a1, 0)

    TEST_END
