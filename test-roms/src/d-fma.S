/*
 * d-fma - double-precision fused multiply-add: fmadd.d, fmsub.d, fnmsub.d,
 * fnmadd.d (unprivileged spec, "D" Standard Extension, defined as the
 * single-precision ones; see f-fma.S for the rules: the product is negated
 * in FNMSUB/FNMADD, one rounding, 0 * inf + qNaN raises NV, tininess after
 * rounding). Canonical NaN 0x7ff8000000000000; tininess at 53 bits.
 */
#include "test.h"
#include "fp.h"

#define ONE   0x3ff0000000000000
#define NONE  0xbff0000000000000
#define TWO   0x4000000000000000
#define NTWO  0xc000000000000000
#define THREE 0x4008000000000000
#define SIX   0x4018000000000000
#define NSIX  0xc018000000000000
#define HALF  0x3fe0000000000000
#define MAX   0x7fefffffffffffff
#define NMAX  0xffefffffffffffff
#define INF   0x7ff0000000000000
#define NINF  0xfff0000000000000
#define PZERO 0x0000000000000000
#define NZERO 0x8000000000000000
#define CNAN  0x7ff8000000000000
#define SNAN  0x7ff0000000000001
#define MINN  0x0010000000000000        /* 2^-1022 */
#define MINS  0x0000000000000001        /* 2^-1074 */
#define A26   0x3ff0000004000000        /* 1 + 2^-26 */
#define A27   0x3ff0000002000000        /* 1 + 2^-27 */

TEST_BEGIN("d-fma")
    .option norvc
    FP_ENABLE

    /* ---- the four sign conventions ---- */
    TEST_D_RRR(1, fmadd.d, rne, TWO, THREE, ONE, 0x401c000000000000, 0)   /* 7 */
    TEST_D_RRR(2, fmsub.d, rne, TWO, THREE, ONE, 0x4014000000000000, 0)   /* 5 */
    TEST_D_RRR(3, fnmsub.d, rne, TWO, THREE, ONE, 0xc014000000000000, 0)  /* -5 */
    TEST_D_RRR(4, fnmadd.d, rne, TWO, THREE, ONE, 0xc01c000000000000, 0)  /* -7 */
    TEST_D_RRR(5, fmadd.d, rne, NTWO, THREE, ONE, 0xc014000000000000, 0)  /* -6 + 1 */
    TEST_D_RRR(6, fmsub.d, rne, NTWO, THREE, ONE, 0xc01c000000000000, 0)  /* -6 - 1 */
    TEST_D_RRR(7, fnmsub.d, rne, NTWO, THREE, ONE, 0x401c000000000000, 0) /* 6 + 1 */
    TEST_D_RRR(8, fnmadd.d, rne, NTWO, THREE, ONE, 0x4014000000000000, 0) /* 6 - 1 */

    /* ---- signed zeros ---- */
    TEST_D_RRR(9, fmadd.d, rne, PZERO, ONE, NZERO, PZERO, 0)
    TEST_D_RRR(10, fmadd.d, rdn, PZERO, ONE, NZERO, NZERO, 0)
    TEST_D_RRR(11, fmadd.d, rne, NZERO, ONE, NZERO, NZERO, 0)
    TEST_D_RRR(12, fmsub.d, rne, PZERO, ONE, PZERO, PZERO, 0)
    TEST_D_RRR(13, fmsub.d, rdn, PZERO, ONE, PZERO, NZERO, 0)
    TEST_D_RRR(14, fnmsub.d, rne, PZERO, ONE, PZERO, PZERO, 0)  /* -0 + +0 */
    TEST_D_RRR(15, fnmadd.d, rne, PZERO, ONE, NZERO, PZERO, 0)  /* -0 - -0 */
    TEST_D_RRR(16, fnmadd.d, rne, PZERO, ONE, PZERO, NZERO, 0)  /* -0 - +0 */
    TEST_D_RRR(17, fnmsub.d, rne, PZERO, ONE, NZERO, NZERO, 0)  /* -0 + -0 */
    TEST_D_RRR(18, fmadd.d, rne, TWO, THREE, NSIX, PZERO, 0)
    TEST_D_RRR(19, fmadd.d, rdn, TWO, THREE, NSIX, NZERO, 0)
    TEST_D_RRR(20, fmsub.d, rdn, TWO, THREE, SIX, NZERO, 0)
    TEST_D_RRR(21, fnmadd.d, rne, TWO, THREE, NSIX, PZERO, 0)
    TEST_D_RRR_FRM(22, fnmsub.d, FRM_RDN, TWO, THREE, SIX, NZERO, 0)
    csrwi frm, FRM_RNE

    /* ---- one rounding ---- */
    /* (1 + 2^-26)(1 + 2^-27) = 1 + 2^-26 + 2^-27 + 2^-53 exactly. Fused
       with -1: 2^-26 + 2^-27 + 2^-53 = 2^-26 (1.5 + 2^-27), exact:
       0x3e58000002000000. */
    TEST_D_RRR(23, fmadd.d, rne, A26, A27, NONE, 0x3e58000002000000, 0)
    /* Unfused: the product's 2^-53 is half an ulp, a tie, and 1 + 2^-26 +
       2^-27 has an even significand: it is lost (NX), and the difference
       is 1.5 * 2^-26 = 0x3e58000000000000. */
    CASE(24)
    FLI_D(fa1, A26)
    FLI_D(fa2, A27)
    FLI_D(fa3, NONE)
    csrwi fflags, 0
    fmul.d fa0, fa1, fa2, rne
    fadd.d fa0, fa0, fa3, rne
    CHECK_F(fa0, 0x3e58000000000000, NX)
    /* the product alone (+ 0) in each mode: 1 + 2^-26 + 2^-27 + 2^-53 is a
       tie between 0x3ff0000006000000 (even) and ...001 */
    TEST_D_RRR(25, fmadd.d, rne, A26, A27, PZERO, 0x3ff0000006000000, NX)
    TEST_D_RRR(26, fmadd.d, rtz, A26, A27, PZERO, 0x3ff0000006000000, NX)
    TEST_D_RRR(27, fmadd.d, rdn, A26, A27, PZERO, 0x3ff0000006000000, NX)
    TEST_D_RRR(28, fmadd.d, rup, A26, A27, PZERO, 0x3ff0000006000001, NX)
    TEST_D_RRR(29, fmadd.d, rmm, A26, A27, PZERO, 0x3ff0000006000001, NX)
    TEST_D_RRR_FRM(30, fmadd.d, FRM_RMM, A26, A27, PZERO, 0x3ff0000006000001, NX)
    TEST_D_RRR_FRM(31, fmadd.d, FRM_RTZ, A26, A27, PZERO, 0x3ff0000006000000, NX)
    TEST_D_RRR_FRM(32, fnmadd.d, FRM_RDN, A26, A27, PZERO, 0xbff0000006000001, NX)
    TEST_D_RRR_FRM(33, fnmadd.d, FRM_RUP, A26, A27, PZERO, 0xbff0000006000000, NX)
    csrwi frm, FRM_RNE
    CASE(34)                        /* the static mode wins over frm */
    csrwi frm, FRM_RUP
    FLI_D(fa1, A26)
    FLI_D(fa2, A27)
    FLI_D(fa3, PZERO)
    csrwi fflags, 0
    fmsub.d fa0, fa1, fa2, fa3, rtz
    CHECK_F(fa0, 0x3ff0000006000000, NX)
    csrwi frm, FRM_RNE
    TEST_D_RRR(35, fmadd.d, rne, MINS, MINS, ONE, ONE, NX)     /* 1 + 2^-2148 */
    TEST_D_RRR(36, fmadd.d, rup, MINS, MINS, ONE, 0x3ff0000000000001, NX)
    TEST_D_RRR(37, fmadd.d, rne, MAX, TWO, NMAX, MAX, 0)       /* 2 MAX - MAX */
    TEST_D_RRR(38, fmadd.d, rne, MAX, TWO, PZERO, INF, OF | NX)
    TEST_D_RRR(39, fmadd.d, rtz, MAX, TWO, PZERO, MAX, OF | NX)
    TEST_D_RRR(40, fnmsub.d, rdn, MAX, TWO, PZERO, NINF, OF | NX)
    TEST_D_RRR(41, fnmsub.d, rup, MAX, TWO, PZERO, NMAX, OF | NX)

    /* ---- invalid operations and NaNs ---- */
    TEST_D_RRR(42, fmadd.d, rne, PZERO, INF, CNAN, CNAN, NV)   /* 0 * inf + qNaN */
    TEST_D_RRR(43, fmadd.d, rne, INF, PZERO, ONE, CNAN, NV)
    TEST_D_RRR(44, fmadd.d, rne, INF, ONE, NINF, CNAN, NV)
    TEST_D_RRR(45, fmsub.d, rne, INF, ONE, INF, CNAN, NV)
    TEST_D_RRR(46, fnmadd.d, rne, INF, ONE, NINF, CNAN, NV)
    TEST_D_RRR(47, fnmsub.d, rne, INF, ONE, INF, CNAN, NV)
    TEST_D_RRR(48, fmadd.d, rne, ONE, ONE, SNAN, CNAN, NV)
    TEST_D_RRR(49, fmadd.d, rne, SNAN, ONE, ONE, CNAN, NV)
    TEST_D_RRR(50, fmadd.d, rne, CNAN, ONE, ONE, CNAN, 0)
    TEST_D_RRR(51, fmadd.d, rne, ONE, ONE, 0xfff8000000012345, CNAN, 0)
    TEST_D_RRR(52, fmadd.d, rne, INF, TWO, ONE, INF, 0)
    TEST_D_RRR(53, fnmadd.d, rne, INF, TWO, ONE, NINF, 0)
    TEST_D_RRR(54, fmadd.d, rne, ONE, ONE, NINF, NINF, 0)

    /* ---- tininess after rounding ---- */
    /* 2^-1022 * (-2^-54) + 2^-1022 = 2^-1022 - 2^-1076: at 53 bits with an
       unbounded exponent, halfway between 2^-1022 - 2^-1075 (odd) and
       2^-1022 (even): RNE/RUP give 2^-1022, not tiny: NX only. RTZ gives
       2^-1022 - 2^-1075: tiny, delivered 0x000fffffffffffff: UF|NX. */
    TEST_D_RRR(55, fmadd.d, rne, MINN, 0xbc90000000000000, MINN, MINN, NX)
    TEST_D_RRR(56, fmadd.d, rup, MINN, 0xbc90000000000000, MINN, MINN, NX)
    TEST_D_RRR(57, fmadd.d, rtz, MINN, 0xbc90000000000000, MINN, 0x000fffffffffffff, UF | NX)
    /* 2^-1022 * (-2^-53) + 2^-1022 = 2^-1022 - 2^-1075: exact at 53 bits,
       tiny; a tie in the subnormal grid -> 2^-1022 (even), UF|NX */
    TEST_D_RRR(58, fmadd.d, rne, MINN, 0xbca0000000000000, MINN, MINN, UF | NX)
    TEST_D_RRR(59, fmadd.d, rne, MINN, HALF, MINS, 0x0008000000000001, 0)
    TEST_D_RRR(60, fmsub.d, rne, MINS, HALF, PZERO, PZERO, UF | NX)

    CASE(61)
    FLI_D(fa1, THREE)
    csrwi fflags, 0
    fmadd.d fa1, fa1, fa1, fa1      /* 12 */
    CHECK_F(fa1, 0x4028000000000000, 0)

    /* a NaN-boxed single is a quiet NaN to a D operation */
    CASE(62)
    FLI_S(fa3, 0x3f800000)
    FLI_D(fa1, ONE)
    csrwi fflags, 0
    fmadd.d fa0, fa1, fa1, fa3
    CHECK_F(fa0, CNAN, 0)

    /* ---- far-apart addend and product ---- */
    TEST_D_RRR(63, fmadd.d, rdn, ONE, 0xbc30000000000000, ONE, 0x3fefffffffffffff, NX) /* 1 - 2^-60 */
    TEST_D_RRR(64, fmadd.d, rne, ONE, 0xbc30000000000000, ONE, ONE, NX)
    TEST_D_RRR(65, fmadd.d, rup, 0x4310000000000000, 0x4310000000000000, ONE, 0x4630000000000001, NX) /* 2^100 + 1 */
    TEST_D_RRR(66, fmadd.d, rne, 0x4310000000000000, 0x4310000000000000, ONE, 0x4630000000000000, NX)
    /* 2^-100 * 2^-100 - 1 = -(1 - 2^-200) */
    TEST_D_RRR(67, fmadd.d, rup, 0x39b0000000000000, 0x39b0000000000000, NONE, 0xbfefffffffffffff, NX)
    TEST_D_RRR(68, fmadd.d, rne, 0x39b0000000000000, 0x39b0000000000000, NONE, NONE, NX)

    TEST_END
