/*
 * f-fma - single-precision fused multiply-add: fmadd.s, fmsub.s, fnmsub.s,
 * fnmadd.s (unprivileged spec, "F" Standard Extension, and IEEE 754-2008
 * fusedMultiplyAdd).
 *
 * Rules used:
 * - FMADD computes (rs1 x rs2) + rs3, FMSUB (rs1 x rs2) - rs3, FNMSUB
 *   -(rs1 x rs2) + rs3, FNMADD -(rs1 x rs2) - rs3: the PRODUCT is negated,
 *   not the sum ("The two definitions differ with respect to signed-zero
 *   results"), so e.g. FNMADD(+0, 1, -0) = -0 + +0 = +0, where negating
 *   the sum would give -0.
 * - The exact value of the whole expression is rounded once (no rounding
 *   of the product).
 * - Signs of exact zeros as for a sum (IEEE 6.3): +0 except in RDN, where
 *   a sum of opposite-signed operands that is exactly zero is -0; a sum of
 *   two zeros of the same sign keeps that sign.
 * - "The fused multiply-add instructions must set the invalid operation
 *   exception flag when the multiplicands are inf and zero, even when the
 *   addend is a quiet NaN." A product inf plus an addend inf of the
 *   opposite sign is invalid too; any signalling NaN operand is invalid.
 *   NaN results are the canonical NaN 0x7fc00000.
 * - Tininess after rounding: tiny when the result rounded to 24 bits with
 *   an unbounded exponent range is strictly between +-2^-126; UF needs
 *   tiny AND inexact.
 */
#include "test.h"
#include "fp.h"

#define ONE   0x3f800000
#define TWO   0x40000000
#define THREE 0x40400000
#define SIX   0x40c00000
#define NSIX  0xc0c00000
#define HALF  0x3f000000
#define MAX   0x7f7fffff
#define NMAX  0xff7fffff
#define INF   0x7f800000
#define NINF  0xff800000
#define PZERO 0x00000000
#define NZERO 0x80000000
#define CNAN  0x7fc00000
#define SNAN  0x7f800001
#define MINN  0x00800000                /* 2^-126 */
#define MINS  0x00000001                /* 2^-149 */
#define A12   0x3f800800                /* 1 + 2^-12 */

TEST_BEGIN("f-fma")
    .option norvc
    FP_ENABLE

    /* ---- the four sign conventions (exact) ---- */
    TEST_S_RRR(1, fmadd.s, rne, TWO, THREE, ONE, 0x40e00000, 0)    /* 2*3 + 1 = 7 */
    TEST_S_RRR(2, fmsub.s, rne, TWO, THREE, ONE, 0x40a00000, 0)    /* 2*3 - 1 = 5 */
    TEST_S_RRR(3, fnmsub.s, rne, TWO, THREE, ONE, 0xc0a00000, 0)   /* -(2*3) + 1 = -5 */
    TEST_S_RRR(4, fnmadd.s, rne, TWO, THREE, ONE, 0xc0e00000, 0)   /* -(2*3) - 1 = -7 */
    TEST_S_RRR(5, fmadd.s, rne, 0xc0000000, THREE, ONE, 0xc0a00000, 0)  /* -6 + 1 = -5 */
    TEST_S_RRR(6, fmsub.s, rne, 0xc0000000, THREE, ONE, 0xc0e00000, 0)  /* -6 - 1 = -7 */
    TEST_S_RRR(7, fnmsub.s, rne, 0xc0000000, THREE, ONE, 0x40e00000, 0) /* 6 + 1 = 7 */
    TEST_S_RRR(8, fnmadd.s, rne, 0xc0000000, THREE, ONE, 0x40a00000, 0) /* 6 - 1 = 5 */

    /* ---- signed zeros ---- */
    TEST_S_RRR(9, fmadd.s, rne, PZERO, ONE, NZERO, PZERO, 0)   /* +0 + -0 = +0 */
    TEST_S_RRR(10, fmadd.s, rdn, PZERO, ONE, NZERO, NZERO, 0)  /* ... -0 in RDN */
    TEST_S_RRR(11, fmadd.s, rne, NZERO, ONE, NZERO, NZERO, 0)  /* -0 + -0 = -0 */
    TEST_S_RRR(12, fmsub.s, rne, PZERO, ONE, PZERO, PZERO, 0)  /* +0 - +0 = +0 */
    TEST_S_RRR(13, fmsub.s, rdn, PZERO, ONE, PZERO, NZERO, 0)
    /* -(+0 * 1) + +0 = -0 + +0 = +0 (negating the sum would give -0) */
    TEST_S_RRR(14, fnmsub.s, rne, PZERO, ONE, PZERO, PZERO, 0)
    /* -(+0 * 1) - (-0) = -0 + +0 = +0 (negating the sum would give -0) */
    TEST_S_RRR(15, fnmadd.s, rne, PZERO, ONE, NZERO, PZERO, 0)
    TEST_S_RRR(16, fnmadd.s, rne, PZERO, ONE, PZERO, NZERO, 0) /* -0 - +0 = -0 */
    TEST_S_RRR(17, fnmsub.s, rne, PZERO, ONE, NZERO, NZERO, 0) /* -0 + -0 = -0 */
    /* exact cancellation of nonzero values */
    TEST_S_RRR(18, fmadd.s, rne, TWO, THREE, NSIX, PZERO, 0)   /* 6 - 6 */
    TEST_S_RRR(19, fmadd.s, rdn, TWO, THREE, NSIX, NZERO, 0)
    TEST_S_RRR(20, fmsub.s, rdn, TWO, THREE, SIX, NZERO, 0)
    TEST_S_RRR(21, fnmadd.s, rne, TWO, THREE, NSIX, PZERO, 0)  /* -6 + 6 */
    TEST_S_RRR_FRM(22, fnmsub.s, FRM_RDN, TWO, THREE, SIX, NZERO, 0)
    csrwi frm, FRM_RNE

    /* ---- one rounding ---- */
    /* a = 1 + 2^-12: a*a = 1 + 2^-11 + 2^-24 exactly. Fused with -1:
       2^-11 + 2^-24 = 2^-11 (1 + 2^-13), exact: exponent 116 (0x3a000000),
       fraction bit 10 (0x400). */
    TEST_S_RRR(23, fmadd.s, rne, A12, A12, 0xbf800000, 0x3a000400, 0)
    /* Unfused, fmul.s rounds 1 + 2^-11 + 2^-24 first: a tie (2^-24 is half
       an ulp) between 1 + 2^-11 (even) and 1 + 2^-11 + 2^-23: the 2^-24 is
       lost (NX) and the difference is 2^-11 = 0x3a000000. */
    CASE(24)
    FLI_S(fa1, A12)
    FLI_S(fa3, 0xbf800000)
    csrwi fflags, 0
    fmul.s fa0, fa1, fa1, rne
    fadd.s fa0, fa0, fa3, rne
    CHECK_F(fa0, BOX(0x3a000000), NX)
    /* a*a + 0 = 1 + 2^-11 + 2^-24, the same tie, in each mode: */
    TEST_S_RRR(25, fmadd.s, rne, A12, A12, PZERO, 0x3f801000, NX)
    TEST_S_RRR(26, fmadd.s, rtz, A12, A12, PZERO, 0x3f801000, NX)
    TEST_S_RRR(27, fmadd.s, rdn, A12, A12, PZERO, 0x3f801000, NX)
    TEST_S_RRR(28, fmadd.s, rup, A12, A12, PZERO, 0x3f801001, NX)
    TEST_S_RRR(29, fmadd.s, rmm, A12, A12, PZERO, 0x3f801001, NX)
    TEST_S_RRR_FRM(30, fmadd.s, FRM_RMM, A12, A12, PZERO, 0x3f801001, NX)
    TEST_S_RRR_FRM(31, fmadd.s, FRM_RTZ, A12, A12, PZERO, 0x3f801000, NX)
    /* -(a*a) - 0 = -(1 + 2^-11 + 2^-24): RDN away from zero, RUP towards */
    TEST_S_RRR_FRM(32, fnmadd.s, FRM_RDN, A12, A12, PZERO, 0xbf801001, NX)
    TEST_S_RRR_FRM(33, fnmadd.s, FRM_RUP, A12, A12, PZERO, 0xbf801000, NX)
    csrwi frm, FRM_RNE
    /* the static mode wins over frm */
    CASE(34)
    csrwi frm, FRM_RUP
    FLI_S(fa1, A12)
    FLI_S(fa3, PZERO)
    csrwi fflags, 0
    fmsub.s fa0, fa1, fa1, fa3, rtz
    CHECK_F(fa0, BOX(0x3f801000), NX)
    csrwi frm, FRM_RNE
    /* 2^-149 * 2^-149 + 1 = 1 + 2^-298: the product is not rounded (nor
       flushed): RNE gives 1.0 with NX, RUP 1 + 2^-23; not tiny, so no UF. */
    TEST_S_RRR(35, fmadd.s, rne, MINS, MINS, ONE, ONE, NX)
    TEST_S_RRR(36, fmadd.s, rup, MINS, MINS, ONE, 0x3f800001, NX)
    /* MAX * 2 - MAX = MAX exactly: the product never overflows on its own */
    TEST_S_RRR(37, fmadd.s, rne, MAX, TWO, NMAX, MAX, 0)
    TEST_S_RRR(38, fmadd.s, rne, MAX, TWO, PZERO, INF, OF | NX)
    TEST_S_RRR(39, fmadd.s, rtz, MAX, TWO, PZERO, MAX, OF | NX)
    TEST_S_RRR(40, fnmsub.s, rdn, MAX, TWO, PZERO, NINF, OF | NX)  /* -(2 MAX) */
    TEST_S_RRR(41, fnmsub.s, rup, MAX, TWO, PZERO, NMAX, OF | NX)

    /* ---- invalid operations and NaNs ---- */
    TEST_S_RRR(42, fmadd.s, rne, PZERO, INF, CNAN, CNAN, NV)   /* 0 * inf + qNaN: NV */
    TEST_S_RRR(43, fmadd.s, rne, INF, PZERO, ONE, CNAN, NV)    /* inf * 0 + 1 */
    TEST_S_RRR(44, fmadd.s, rne, INF, ONE, NINF, CNAN, NV)     /* inf - inf */
    TEST_S_RRR(45, fmsub.s, rne, INF, ONE, INF, CNAN, NV)      /* inf - inf */
    TEST_S_RRR(46, fnmadd.s, rne, INF, ONE, NINF, CNAN, NV)    /* -inf - (-inf) */
    TEST_S_RRR(47, fnmsub.s, rne, INF, ONE, INF, CNAN, NV)     /* -inf + inf */
    TEST_S_RRR(48, fmadd.s, rne, ONE, ONE, SNAN, CNAN, NV)
    TEST_S_RRR(49, fmadd.s, rne, SNAN, ONE, ONE, CNAN, NV)
    TEST_S_RRR(50, fmadd.s, rne, CNAN, ONE, ONE, CNAN, 0)      /* quiet NaN: no flag */
    TEST_S_RRR(51, fmadd.s, rne, ONE, ONE, 0xffc12345, CNAN, 0)
    TEST_S_RRR(52, fmadd.s, rne, INF, TWO, ONE, INF, 0)
    TEST_S_RRR(53, fnmadd.s, rne, INF, TWO, ONE, NINF, 0)      /* -(inf) - 1 */
    TEST_S_RRR(54, fmadd.s, rne, ONE, ONE, NINF, NINF, 0)

    /* ---- tininess after rounding ---- */
    /* 2^-126 * (-2^-25) + 2^-126 = 2^-126 - 2^-151 exactly. Rounded to 24
       bits with an unbounded exponent it is halfway between 2^-126 - 2^-150
       (significand all ones, odd) and 2^-126 (even): RNE gives 2^-126, which
       is not tiny -> no UF. The delivered result is 2^-126 too: NX only. */
    TEST_S_RRR(55, fmadd.s, rne, MINN, 0xb3000000, MINN, MINN, NX)
    /* RUP: also 2^-126 unbounded -> not tiny -> NX only */
    TEST_S_RRR(56, fmadd.s, rup, MINN, 0xb3000000, MINN, MINN, NX)
    /* RTZ: 2^-126 - 2^-150 unbounded -> tiny; delivered 0x007fffff: UF|NX */
    TEST_S_RRR(57, fmadd.s, rtz, MINN, 0xb3000000, MINN, 0x007fffff, UF | NX)
    /* 2^-126 * (-2^-24) + 2^-126 = 2^-126 - 2^-150: exact with an unbounded
       exponent -> tiny; in the subnormal grid (2^-149) it is a tie between
       0x007fffff (odd) and 0x00800000 (even): RNE delivers 2^-126, inexact:
       UF|NX - the same delivered value as test 55, with UF. */
    TEST_S_RRR(58, fmadd.s, rne, MINN, 0xb3800000, MINN, MINN, UF | NX)
    /* 2^-126 * 0.5 + 2^-149 = 2^-127 + 2^-149 = 0x00400001: exact, no UF */
    TEST_S_RRR(59, fmadd.s, rne, MINN, HALF, MINS, 0x00400001, 0)
    /* 2^-149 * 0.5 - 0 = 2^-150: tie between 0 and 2^-149: +0, UF|NX */
    TEST_S_RRR(60, fmsub.s, rne, MINS, HALF, PZERO, PZERO, UF | NX)

    /* rd equal to the sources */
    CASE(61)
    FLI_S(fa1, THREE)
    csrwi fflags, 0
    fmadd.s fa1, fa1, fa1, fa1      /* 3*3 + 3 = 12 */
    CHECK_F(fa1, BOX(0x41400000), 0)

    /* ---- far-apart addend and product ---- */
    /* 1 * (-2^-30) + 1 = 1 - 2^-30: RDN gives 1 - 2^-24, RNE 1.0 */
    TEST_S_RRR(62, fmadd.s, rdn, ONE, 0xb0800000, ONE, 0x3f7fffff, NX)
    TEST_S_RRR(63, fmadd.s, rne, ONE, 0xb0800000, ONE, ONE, NX)
    /* 2^50 * 2^50 + 1 = 2^100 + 1: RUP steps up from 2^100 */
    TEST_S_RRR(64, fmadd.s, rup, 0x58800000, 0x58800000, ONE, 0x71800001, NX)
    TEST_S_RRR(65, fmadd.s, rne, 0x58800000, 0x58800000, ONE, 0x71800000, NX)
    /* 2^-100 * 2^-100 - 1 = -(1 - 2^-200): RUP towards zero gives
       -(1 - 2^-24), RNE -1.0 */
    TEST_S_RRR(66, fmadd.s, rup, 0x0d800000, 0x0d800000, 0xbf800000, 0xbf7fffff, NX)
    TEST_S_RRR(67, fmadd.s, rne, 0x0d800000, 0x0d800000, 0xbf800000, 0xbf800000, NX)

    TEST_END
