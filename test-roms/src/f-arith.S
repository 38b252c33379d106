/*
 * f-arith - single-precision arithmetic: fadd.s, fsub.s, fmul.s, fdiv.s,
 * fsqrt.s (unprivileged spec, "F" Standard Extension, and the IEEE 754-2008
 * rules it references).
 *
 * Rules used:
 * - binary32: sign, 8-bit exponent (bias 127), 23-bit fraction; the value
 *   is correctly rounded from the exact result in the rounding mode of the
 *   instruction's rm field, or of frm when rm = 111 (DYN). RNE: nearest,
 *   ties to the even significand; RTZ: towards zero; RDN: towards -inf;
 *   RUP: towards +inf; RMM: nearest, ties away from zero.
 * - NX when the rounded result differs from the exact one.
 * - Overflow (IEEE 7.4), decided on the result rounded as if the exponent
 *   range were unbounded: OF|NX; RNE and RMM give inf, RTZ the largest
 *   finite number, RDN +max for positive / -inf for negative results, RUP
 *   +inf / -max.
 * - Underflow: "tininess is detected after rounding" (spec, "Subnormal
 *   Arithmetic"): tiny when the result rounded to 24 bits with an
 *   unbounded exponent range lies strictly between +-2^-126. UF is raised
 *   only when the result is tiny AND inexact (IEEE 7.5: "If the rounded
 *   result is exact, no flag is raised"). Subnormals are never flushed.
 * - Invalid (NV, result the canonical NaN 0x7fc00000): inf - inf,
 *   0 * inf, 0 / 0, inf / inf, sqrt of a number < 0, any signalling NaN
 *   operand. A quiet NaN operand gives the canonical NaN without flags
 *   ("if the result of a floating-point operation is NaN, it is the
 *   canonical NaN"; payload and sign are not propagated).
 * - DZ: finite nonzero / zero = correctly signed inf; inf / 0 is an exact
 *   inf and raises nothing.
 * - Exact zero sums (IEEE 6.3): x + (-x) = +0 in every mode except RDN,
 *   where it is -0; x + x keeps the sign of x even for zeros.
 *
 * Constants: 1.0 = 0x3f800000, 2^-24 = 0x33800000 (half an ulp of 1.0),
 * 2^-25 = 0x33000000 (half an ulp just below 1.0), max finite
 * MAX = (2 - 2^-23) * 2^127 = 0x7f7fffff (ulp 2^104), min normal
 * 2^-126 = 0x00800000, min subnormal 2^-149 = 0x00000001.
 */
#include "test.h"
#include "fp.h"

#define ONE   0x3f800000
#define NONE  0xbf800000                /* -1.0 */
#define TWO   0x40000000
#define THREE 0x40400000
#define HALF  0x3f000000
#define P24   0x33800000                /* 2^-24 */
#define N24   0xb3800000                /* -2^-24 */
#define P25   0x33000000                /* 2^-25 */
#define MAX   0x7f7fffff
#define NMAX  0xff7fffff
#define INF   0x7f800000
#define NINF  0xff800000
#define PZERO 0x00000000
#define NZERO 0x80000000
#define CNAN  0x7fc00000                /* canonical NaN */
#define SNAN  0x7f800001                /* signalling NaN (quiet bit 22 clear) */
#define QNANP 0xffc12345                /* negative quiet NaN with a payload */
#define MINN  0x00800000                /* 2^-126 */
#define MINS  0x00000001                /* 2^-149 */

TEST_BEGIN("f-arith")
    .option norvc
    FP_ENABLE

    /* ---- fadd.s ---- */
    TEST_S_RR(1, fadd.s, rne, ONE, TWO, THREE, 0)
    /* 1 + 2^-24 is exactly halfway between 1.0 (0x3f800000, even) and
       1 + 2^-23 (0x3f800001, odd): each mode picks a side (NX in all). */
    TEST_S_RR(2, fadd.s, rne, ONE, P24, 0x3f800000, NX)    /* tie -> even */
    TEST_S_RR(3, fadd.s, rtz, ONE, P24, 0x3f800000, NX)
    TEST_S_RR(4, fadd.s, rdn, ONE, P24, 0x3f800000, NX)
    TEST_S_RR(5, fadd.s, rup, ONE, P24, 0x3f800001, NX)
    TEST_S_RR(6, fadd.s, rmm, ONE, P24, 0x3f800001, NX)    /* tie -> away from 0 */
    /* -(1 + 2^-24): the same tie, negative: RDN now goes away from zero. */
    TEST_S_RR(7, fadd.s, rne, NONE, N24, 0xbf800000, NX)
    TEST_S_RR(8, fadd.s, rtz, NONE, N24, 0xbf800000, NX)
    TEST_S_RR(9, fadd.s, rdn, NONE, N24, 0xbf800001, NX)
    TEST_S_RR(10, fadd.s, rup, NONE, N24, 0xbf800000, NX)
    TEST_S_RR(11, fadd.s, rmm, NONE, N24, 0xbf800001, NX)
    /* The same ten through the dynamic rounding mode (rm = DYN, frm = mode). */
    TEST_S_RR_FRM(12, fadd.s, FRM_RNE, ONE, P24, 0x3f800000, NX)
    TEST_S_RR_FRM(13, fadd.s, FRM_RTZ, ONE, P24, 0x3f800000, NX)
    TEST_S_RR_FRM(14, fadd.s, FRM_RDN, ONE, P24, 0x3f800000, NX)
    TEST_S_RR_FRM(15, fadd.s, FRM_RUP, ONE, P24, 0x3f800001, NX)
    TEST_S_RR_FRM(16, fadd.s, FRM_RMM, ONE, P24, 0x3f800001, NX)
    TEST_S_RR_FRM(17, fadd.s, FRM_RNE, NONE, N24, 0xbf800000, NX)
    TEST_S_RR_FRM(18, fadd.s, FRM_RTZ, NONE, N24, 0xbf800000, NX)
    TEST_S_RR_FRM(19, fadd.s, FRM_RDN, NONE, N24, 0xbf800001, NX)
    TEST_S_RR_FRM(20, fadd.s, FRM_RUP, NONE, N24, 0xbf800000, NX)
    TEST_S_RR_FRM(21, fadd.s, FRM_RMM, NONE, N24, 0xbf800001, NX)
    /* A static rm wins over frm. */
    CASE(22)
    csrwi frm, FRM_RUP
    FLI_S(fa1, ONE)
    FLI_S(fa2, P24)
    csrwi fflags, 0
    fadd.s fa0, fa1, fa2, rtz
    CHECK_F(fa0, BOX(0x3f800000), NX)
    CASE(23)
    csrwi frm, FRM_RTZ
    csrwi fflags, 0
    fadd.s fa0, fa1, fa2, rup
    CHECK_F(fa0, BOX(0x3f800001), NX)
    csrr a0, frm                    /* frm untouched by the operations */
    CHECK(a0, FRM_RTZ)
    csrwi frm, FRM_RNE
    /* 1 + 2^-23 + 2^-24: halfway between 0x3f800001 (odd) and 0x3f800002
       (even): RNE now rounds up, RTZ down. */
    TEST_S_RR(24, fadd.s, rne, 0x3f800001, P24, 0x3f800002, NX)
    TEST_S_RR(25, fadd.s, rtz, 0x3f800001, P24, 0x3f800001, NX)
    /* 1 + 1.5 * 2^-24 (0x33c00000) = 1 + 0.75 ulp: not a tie. */
    TEST_S_RR(26, fadd.s, rne, ONE, 0x33c00000, 0x3f800001, NX)
    TEST_S_RR(27, fadd.s, rtz, ONE, 0x33c00000, 0x3f800000, NX)
    /* exact zero sums */
    TEST_S_RR(28, fadd.s, rne, ONE, NONE, PZERO, 0)         /* x + (-x) = +0 */
    TEST_S_RR(29, fadd.s, rdn, ONE, NONE, NZERO, 0)         /* ... but -0 in RDN */
    TEST_S_RR(30, fadd.s, rne, NZERO, NZERO, NZERO, 0)      /* x + x keeps the sign */
    TEST_S_RR(31, fadd.s, rne, PZERO, NZERO, PZERO, 0)
    TEST_S_RR(32, fadd.s, rdn, PZERO, NZERO, NZERO, 0)
    /* infinities and NaNs */
    TEST_S_RR(33, fadd.s, rne, INF, NINF, CNAN, NV)         /* inf - inf */
    TEST_S_RR(34, fadd.s, rne, INF, ONE, INF, 0)
    TEST_S_RR(35, fadd.s, rne, CNAN, ONE, CNAN, 0)          /* quiet NaN: no flag */
    TEST_S_RR(36, fadd.s, rne, SNAN, ONE, CNAN, NV)         /* signalling NaN: NV */
    TEST_S_RR(37, fadd.s, rne, ONE, QNANP, CNAN, 0)         /* payload and sign dropped */
    TEST_S_RR(38, fadd.s, rne, SNAN, QNANP, CNAN, NV)
    /* subnormals are computed, not flushed */
    TEST_S_RR(39, fadd.s, rne, MINS, MINS, 0x00000002, 0)   /* 2^-149 + 2^-149 = 2^-148 */
    TEST_S_RR(40, fadd.s, rne, 0x007fffff, MINS, MINN, 0)   /* (2^-126 - 2^-149) + 2^-149 */
    /* overflow by addition: MAX + MAX = 2^128 - 2^105 */
    TEST_S_RR(41, fadd.s, rne, MAX, MAX, INF, OF | NX)
    TEST_S_RR(42, fadd.s, rtz, MAX, MAX, MAX, OF | NX)
    /* MAX + 2^103 (0x73000000) = 2^128 - 2^103, halfway between MAX (odd
       significand) and 2^128: RNE rounds to 2^128, which overflows. */
    TEST_S_RR(43, fadd.s, rne, MAX, 0x73000000, INF, OF | NX)
    /* MAX + 2^102 (0x72800000) is below the midpoint: MAX, NX, no OF. */
    TEST_S_RR(44, fadd.s, rne, MAX, 0x72800000, MAX, NX)

    /* ---- fsub.s ---- */
    TEST_S_RR(45, fsub.s, rne, THREE, ONE, TWO, 0)
    /* 1 - 2^-25 is halfway between 1 - 2^-24 (0x3f7fffff, odd) and 1.0
       (0x3f800000, even). */
    TEST_S_RR(46, fsub.s, rne, ONE, P25, 0x3f800000, NX)
    TEST_S_RR(47, fsub.s, rtz, ONE, P25, 0x3f7fffff, NX)
    TEST_S_RR(48, fsub.s, rdn, ONE, P25, 0x3f7fffff, NX)
    TEST_S_RR(49, fsub.s, rup, ONE, P25, 0x3f800000, NX)
    TEST_S_RR(50, fsub.s, rmm, ONE, P25, 0x3f800000, NX)
    /* x - x: +0, except -0 when rounding down */
    TEST_S_RR(51, fsub.s, rne, ONE, ONE, PZERO, 0)
    TEST_S_RR(52, fsub.s, rdn, ONE, ONE, NZERO, 0)
    TEST_S_RR_FRM(53, fsub.s, FRM_RDN, ONE, ONE, NZERO, 0)
    TEST_S_RR(54, fsub.s, rup, ONE, ONE, PZERO, 0)
    TEST_S_RR(55, fsub.s, rtz, ONE, ONE, PZERO, 0)
    TEST_S_RR(56, fsub.s, rne, NZERO, PZERO, NZERO, 0)      /* -0 - +0 = -0 + -0 */
    TEST_S_RR(57, fsub.s, rne, INF, INF, CNAN, NV)
    TEST_S_RR(58, fsub.s, rne, NINF, INF, NINF, 0)
    /* -MAX - MAX overflows negative */
    TEST_S_RR(59, fsub.s, rne, NMAX, MAX, NINF, OF | NX)
    TEST_S_RR(60, fsub.s, rup, NMAX, MAX, NMAX, OF | NX)
    TEST_S_RR(61, fsub.s, rdn, NMAX, MAX, NINF, OF | NX)
    csrwi frm, FRM_RNE

    /* ---- fmul.s ---- */
    TEST_S_RR(62, fmul.s, rne, TWO, THREE, 0x40c00000, 0)  /* 6.0 */
    /* (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46: the 2^-46 is far below half an ulp
       (2^-24): RNE and RTZ give 1 + 2^-22, RUP the next one up. */
    TEST_S_RR(63, fmul.s, rne, 0x3f800001, 0x3f800001, 0x3f800002, NX)
    TEST_S_RR(64, fmul.s, rup, 0x3f800001, 0x3f800001, 0x3f800003, NX)
    TEST_S_RR(65, fmul.s, rtz, 0x3f800001, 0x3f800001, 0x3f800002, NX)
    TEST_S_RR(66, fmul.s, rne, 0xc0000000, THREE, 0xc0c00000, 0) /* -2 * 3 = -6 */
    TEST_S_RR(67, fmul.s, rne, NZERO, TWO, NZERO, 0)
    TEST_S_RR(68, fmul.s, rne, NZERO, 0xc0000000, PZERO, 0) /* -0 * -2 = +0 */
    TEST_S_RR(69, fmul.s, rne, PZERO, INF, CNAN, NV)        /* 0 * inf */
    TEST_S_RR(70, fmul.s, rne, INF, 0xc0000000, NINF, 0)
    /* overflow: MAX * 2 = (2 - 2^-23) * 2^128, positive */
    TEST_S_RR(71, fmul.s, rne, MAX, TWO, INF, OF | NX)
    TEST_S_RR(72, fmul.s, rtz, MAX, TWO, MAX, OF | NX)
    TEST_S_RR(73, fmul.s, rdn, MAX, TWO, MAX, OF | NX)
    TEST_S_RR(74, fmul.s, rup, MAX, TWO, INF, OF | NX)
    TEST_S_RR(75, fmul.s, rmm, MAX, TWO, INF, OF | NX)
    /* ... and negative */
    TEST_S_RR(76, fmul.s, rne, NMAX, TWO, NINF, OF | NX)
    TEST_S_RR(77, fmul.s, rtz, NMAX, TWO, NMAX, OF | NX)
    TEST_S_RR(78, fmul.s, rdn, NMAX, TWO, NINF, OF | NX)
    TEST_S_RR(79, fmul.s, rup, NMAX, TWO, NMAX, OF | NX)
    TEST_S_RR(80, fmul.s, rmm, NMAX, TWO, NINF, OF | NX)
    /* underflow */
    TEST_S_RR(81, fmul.s, rne, MINN, HALF, 0x00400000, 0)   /* 2^-127: exact subnormal, no UF */
    /* 2^-149 * 0.5 = 2^-150, halfway between 0 (even) and 2^-149: tiny and
       inexact in every mode. */
    TEST_S_RR(82, fmul.s, rne, MINS, HALF, PZERO, UF | NX)
    TEST_S_RR(83, fmul.s, rup, MINS, HALF, MINS, UF | NX)
    TEST_S_RR(84, fmul.s, rmm, MINS, HALF, MINS, UF | NX)
    TEST_S_RR(85, fmul.s, rtz, MINS, HALF, PZERO, UF | NX)
    TEST_S_RR(86, fmul.s, rdn, 0x80000001, HALF, 0x80000001, UF | NX) /* -2^-150 -> -2^-149 */
    /* (1 - 2^-24) * 2^-126 = 2^-126 - 2^-150. With an unbounded exponent it
       is exactly representable (the binade [2^-127, 2^-126) has ulp 2^-150),
       so the result is tiny; in the subnormal grid (step 2^-149) it is
       halfway between 0x007fffff (odd) and 0x00800000 (even). RNE delivers
       the minimum normal 0x00800000 and still raises UF|NX. */
    TEST_S_RR(87, fmul.s, rne, 0x3f7fffff, MINN, MINN, UF | NX)
    TEST_S_RR(88, fmul.s, rtz, 0x3f7fffff, MINN, 0x007fffff, UF | NX)

    /* ---- fdiv.s ---- */
    /* 2^-126 / 3 = 2^-149 * (2^23 / 3) = 2^-149 * 2796202.67: subnormal,
       inexact; RNE -> 2796203 = 0x2aaaab, RTZ -> 0x2aaaaa. */
    TEST_S_RR(89, fdiv.s, rne, MINN, THREE, 0x002aaaab, UF | NX)
    TEST_S_RR(90, fdiv.s, rtz, MINN, THREE, 0x002aaaaa, UF | NX)
    TEST_S_RR(91, fdiv.s, rne, 0x40c00000, THREE, TWO, 0)   /* 6 / 3 */
    /* 1/3 = 2^-2 * 1.010101...b: the 23 fraction bits are 0101...010 and
       the rest 1010... is more than half an ulp: RNE/RUP/RMM round up to
       0x3eaaaaab, RTZ/RDN truncate to 0x3eaaaaaa. */
    TEST_S_RR(92, fdiv.s, rne, ONE, THREE, 0x3eaaaaab, NX)
    TEST_S_RR(93, fdiv.s, rtz, ONE, THREE, 0x3eaaaaaa, NX)
    TEST_S_RR(94, fdiv.s, rdn, ONE, THREE, 0x3eaaaaaa, NX)
    TEST_S_RR(95, fdiv.s, rup, ONE, THREE, 0x3eaaaaab, NX)
    TEST_S_RR(96, fdiv.s, rmm, ONE, THREE, 0x3eaaaaab, NX)
    TEST_S_RR(97, fdiv.s, rdn, NONE, THREE, 0xbeaaaaab, NX) /* -1/3 down: larger magnitude */
    TEST_S_RR_FRM(98, fdiv.s, FRM_RUP, NONE, THREE, 0xbeaaaaaa, NX)
    csrwi frm, FRM_RNE
    /* division by zero */
    TEST_S_RR(99, fdiv.s, rne, ONE, PZERO, INF, DZ)
    TEST_S_RR(100, fdiv.s, rne, NONE, PZERO, NINF, DZ)
    TEST_S_RR(101, fdiv.s, rne, ONE, NZERO, NINF, DZ)
    TEST_S_RR(102, fdiv.s, rne, PZERO, PZERO, CNAN, NV)     /* 0/0 */
    TEST_S_RR(103, fdiv.s, rne, INF, NINF, CNAN, NV)        /* inf/inf */
    TEST_S_RR(104, fdiv.s, rne, INF, PZERO, INF, 0)         /* exact inf: no DZ */
    TEST_S_RR(105, fdiv.s, rne, PZERO, INF, PZERO, 0)
    TEST_S_RR(106, fdiv.s, rne, ONE, NINF, NZERO, 0)
    TEST_S_RR(107, fdiv.s, rne, CNAN, PZERO, CNAN, 0)       /* NaN / 0: no DZ */
    TEST_S_RR(108, fdiv.s, rne, SNAN, ONE, CNAN, NV)
    TEST_S_RR(109, fdiv.s, rne, MAX, HALF, INF, OF | NX)    /* 2 * MAX */

    /* ---- fsqrt.s ---- */
    TEST_S_R(110, fsqrt.s, rne, 0x40800000, TWO, 0)         /* sqrt(4) */
    /* sqrt(2) = 1.0110 1010 0000 1001 1110 011|0 0110...b (0x1.6a09e667...):
       the bit after the 23 fraction bits is 0: RNE/RTZ give 0x3fb504f3,
       RUP the next one. */
    TEST_S_R(111, fsqrt.s, rne, TWO, 0x3fb504f3, NX)
    TEST_S_R(112, fsqrt.s, rup, TWO, 0x3fb504f4, NX)
    TEST_S_R(113, fsqrt.s, rtz, TWO, 0x3fb504f3, NX)
    CASE(114)
    csrwi frm, FRM_RUP
    FLI_S(fa1, TWO)
    csrwi fflags, 0
    fsqrt.s fa0, fa1, dyn
    CHECK_F(fa0, BOX(0x3fb504f4), NX)
    csrwi frm, FRM_RNE
    TEST_S_R(115, fsqrt.s, rne, NONE, CNAN, NV)             /* sqrt(-1) */
    TEST_S_R(116, fsqrt.s, rne, NZERO, NZERO, 0)            /* sqrt(-0) = -0 */
    TEST_S_R(117, fsqrt.s, rne, PZERO, PZERO, 0)
    TEST_S_R(118, fsqrt.s, rne, INF, INF, 0)
    TEST_S_R(119, fsqrt.s, rne, NINF, CNAN, NV)
    TEST_S_R(120, fsqrt.s, rne, QNANP, CNAN, 0)
    TEST_S_R(121, fsqrt.s, rne, SNAN, CNAN, NV)
    TEST_S_R(122, fsqrt.s, rne, 0x00000002, 0x1a800000, 0)  /* sqrt(2^-148) = 2^-74 */
    TEST_S_R(123, fsqrt.s, rne, 0x80000001, CNAN, NV)       /* negative subnormal */

    /* ---- flags accrue until cleared ---- */
    CASE(124)
    csrwi fflags, 0
    FLI_S(fa1, ONE)
    FLI_S(fa2, PZERO)
    FLI_S(fa3, THREE)
    fdiv.s fa0, fa1, fa2            /* DZ */
    fdiv.s fa0, fa1, fa3            /* NX */
    fadd.s fa0, fa1, fa1            /* exact: adds nothing */
    frflags a1
    CHECK(a1, DZ | NX)
    csrr a1, fcsr                   /* fcsr: frm (RNE = 0) above the flags */
    CHECK(a1, DZ | NX)
    fsqrt.s fa0, fa2                /* sqrt(+0): exact */
    frflags a1
    CHECK(a1, DZ | NX)

    /* rd may equal a source */
    CASE(125)
    FLI_S(fa1, TWO)
    csrwi fflags, 0
    fmul.s fa1, fa1, fa1
    CHECK_F(fa1, BOX(0x40800000), 0)

    /* ---- far-apart operands: the lost bits still decide the rounding ---- */
    /* 2^100 + 1: 1 is far below half an ulp of 2^100 (2^76): RNE keeps
       2^100, RUP steps up to 2^100 (1 + 2^-23) */
    TEST_S_RR(126, fadd.s, rne, 0x71800000, ONE, 0x71800000, NX)
    TEST_S_RR(127, fadd.s, rup, 0x71800000, ONE, 0x71800001, NX)
    /* 1 - 2^-30: just below 1.0, less than half an ulp (2^-25) away: RNE
       gives 1.0, RDN the float below, 1 - 2^-24 */
    TEST_S_RR(128, fadd.s, rdn, ONE, 0xb0800000, 0x3f7fffff, NX)
    TEST_S_RR(129, fadd.s, rne, ONE, 0xb0800000, ONE, NX)
    /* 1 / 2^-149 = 2^149 > MAX: overflow */
    TEST_S_RR(130, fdiv.s, rne, ONE, MINS, INF, OF | NX)
    /* 2^-149 / 2^127 = 2^-276: far below the smallest subnormal */
    TEST_S_RR(131, fdiv.s, rne, MINS, 0x7f000000, PZERO, UF | NX)
    TEST_S_RR(132, fdiv.s, rup, MINS, 0x7f000000, MINS, UF | NX)

    /* ---- subnormal operands are normalised, not flushed ---- */
    TEST_S_RR(133, fmul.s, rne, 0x00000200, 0x71800000, 0x2b800000, 0)  /* 2^-140 * 2^100 = 2^-40 */
    /* (2^23 - 1) 2^-149 * 2^23 = (2^23 - 1) 2^-126: 23 significant bits, exact */
    TEST_S_RR(134, fmul.s, rne, 0x007fffff, 0x4b000000, 0x0bfffffe, 0)
    TEST_S_RR(135, fdiv.s, rne, 0x007fffff, MINS, 0x4afffffe, 0)        /* 2^23 - 1 */
    TEST_S_RR(136, fadd.s, rup, ONE, MINS, 0x3f800001, NX)              /* 1 + 2^-149 */

    TEST_END
