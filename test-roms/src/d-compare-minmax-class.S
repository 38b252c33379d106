/*
 * d-compare-minmax-class - double-precision feq.d/flt.d/fle.d, fmin.d/
 * fmax.d, fclass.d and fsgnj.d/fsgnjn.d/fsgnjx.d with the fmv.d/fneg.d/
 * fabs.d idioms (unprivileged spec, "D" Standard Extension: "defined
 * analogously to their single-precision counterparts"; the rules are
 * listed in f-compare-minmax-class.S). Canonical NaN 0x7ff8000000000000;
 * the quiet bit is fraction bit 51.
 *
 * Also: a NaN-boxed single-precision value "appear[s] as [a] negative quiet
 * NaN" when viewed as a double - D operations see a quiet NaN.
 */
#include "test.h"
#include "fp.h"

#define ONE   0x3ff0000000000000
#define NONE  0xbff0000000000000
#define TWO   0x4000000000000000
#define NTWO  0xc000000000000000
#define INF   0x7ff0000000000000
#define NINF  0xfff0000000000000
#define PZERO 0x0000000000000000
#define NZERO 0x8000000000000000
#define CNAN  0x7ff8000000000000
#define SNAN  0x7ff0000000000001
#define NSNAN 0xfff0000000012345        /* negative signalling NaN, payload */
#define QNANP 0xfff8000000012345        /* negative quiet NaN, payload */
#define MAX   0x7fefffffffffffff
#define MINS  0x0000000000000001
#define BOXED1 0xffffffff3f800000       /* single 1.0, NaN-boxed */

TEST_BEGIN("d-compare-minmax-class")
    .option norvc
    FP_ENABLE

    /* ---- feq.d ---- */
    TEST_D_CMP(1, feq.d, ONE, ONE, 1, 0)
    TEST_D_CMP(2, feq.d, ONE, TWO, 0, 0)
    TEST_D_CMP(3, feq.d, PZERO, NZERO, 1, 0)
    TEST_D_CMP(4, feq.d, CNAN, CNAN, 0, 0)
    TEST_D_CMP(5, feq.d, CNAN, ONE, 0, 0)
    TEST_D_CMP(6, feq.d, SNAN, ONE, 0, NV)
    TEST_D_CMP(7, feq.d, ONE, NSNAN, 0, NV)
    TEST_D_CMP(8, feq.d, INF, INF, 1, 0)
    TEST_D_CMP(9, feq.d, MINS, MINS, 1, 0)
    TEST_D_CMP(10, feq.d, MINS, PZERO, 0, 0)
    /* 1.0 and 1.0 + 2^-52 differ only in the lowest bit */
    TEST_D_CMP(11, feq.d, ONE, 0x3ff0000000000001, 0, 0)

    /* ---- flt.d ---- */
    TEST_D_CMP(12, flt.d, ONE, TWO, 1, 0)
    TEST_D_CMP(13, flt.d, TWO, ONE, 0, 0)
    TEST_D_CMP(14, flt.d, ONE, ONE, 0, 0)
    TEST_D_CMP(15, flt.d, NZERO, PZERO, 0, 0)
    TEST_D_CMP(16, flt.d, NTWO, NONE, 1, 0)
    TEST_D_CMP(17, flt.d, NINF, INF, 1, 0)
    TEST_D_CMP(18, flt.d, CNAN, ONE, 0, NV)
    TEST_D_CMP(19, flt.d, ONE, QNANP, 0, NV)
    TEST_D_CMP(20, flt.d, SNAN, ONE, 0, NV)
    TEST_D_CMP(21, flt.d, ONE, 0x3ff0000000000001, 1, 0)

    /* ---- fle.d ---- */
    TEST_D_CMP(22, fle.d, ONE, ONE, 1, 0)
    TEST_D_CMP(23, fle.d, TWO, ONE, 0, 0)
    TEST_D_CMP(24, fle.d, NZERO, PZERO, 1, 0)
    TEST_D_CMP(25, fle.d, PZERO, NZERO, 1, 0)
    TEST_D_CMP(26, fle.d, CNAN, CNAN, 0, NV)
    TEST_D_CMP(27, fle.d, ONE, SNAN, 0, NV)
    TEST_D_CMP(28, fle.d, MAX, INF, 1, 0)
    TEST_D_CMP(29, fle.d, 0x8000000000000001, NZERO, 1, 0)

    /* ---- fmin.d / fmax.d ---- */
    TEST_D_RR_NORM(30, fmin.d, ONE, TWO, ONE, 0)
    TEST_D_RR_NORM(31, fmin.d, TWO, ONE, ONE, 0)
    TEST_D_RR_NORM(32, fmax.d, ONE, TWO, TWO, 0)
    TEST_D_RR_NORM(33, fmax.d, NONE, NTWO, NONE, 0)
    TEST_D_RR_NORM(34, fmin.d, NZERO, PZERO, NZERO, 0)
    TEST_D_RR_NORM(35, fmin.d, PZERO, NZERO, NZERO, 0)
    TEST_D_RR_NORM(36, fmax.d, NZERO, PZERO, PZERO, 0)
    TEST_D_RR_NORM(37, fmax.d, PZERO, NZERO, PZERO, 0)
    TEST_D_RR_NORM(38, fmin.d, CNAN, ONE, ONE, 0)
    TEST_D_RR_NORM(39, fmin.d, ONE, QNANP, ONE, 0)
    TEST_D_RR_NORM(40, fmax.d, QNANP, NONE, NONE, 0)
    TEST_D_RR_NORM(41, fmax.d, SNAN, ONE, ONE, NV)
    TEST_D_RR_NORM(42, fmin.d, NINF, NSNAN, NINF, NV)
    TEST_D_RR_NORM(43, fmin.d, CNAN, CNAN, CNAN, 0)
    TEST_D_RR_NORM(44, fmax.d, QNANP, 0xfff8000000000001, CNAN, 0)
    TEST_D_RR_NORM(45, fmin.d, SNAN, CNAN, CNAN, NV)
    TEST_D_RR_NORM(46, fmax.d, NSNAN, SNAN, CNAN, NV)
    TEST_D_RR_NORM(47, fmin.d, NINF, INF, NINF, 0)
    TEST_D_RR_NORM(48, fmax.d, NINF, INF, INF, 0)
    TEST_D_RR_NORM(49, fmax.d, MINS, PZERO, MINS, 0)
    TEST_D_RR_NORM(50, fmin.d, 0x8000000000000001, NZERO, 0x8000000000000001, 0)
    /* a boxed single is a (quiet) NaN operand: the other one wins, no NV */
    TEST_D_RR_NORM(51, fmax.d, BOXED1, TWO, TWO, 0)

    /* ---- fclass.d ---- */
    TEST_D_CLASS(52, NINF, 1 << 0)
    TEST_D_CLASS(53, NONE, 1 << 1)
    TEST_D_CLASS(54, 0xffefffffffffffff, 1 << 1)
    TEST_D_CLASS(55, 0x8010000000000000, 1 << 1)    /* -2^-1022 */
    TEST_D_CLASS(56, 0x800fffffffffffff, 1 << 2)
    TEST_D_CLASS(57, 0x8000000000000001, 1 << 2)
    TEST_D_CLASS(58, NZERO, 1 << 3)
    TEST_D_CLASS(59, PZERO, 1 << 4)
    TEST_D_CLASS(60, MINS, 1 << 5)
    TEST_D_CLASS(61, 0x000fffffffffffff, 1 << 5)
    TEST_D_CLASS(62, 0x0010000000000000, 1 << 6)
    TEST_D_CLASS(63, MAX, 1 << 6)
    TEST_D_CLASS(64, INF, 1 << 7)
    TEST_D_CLASS(65, SNAN, 1 << 8)
    TEST_D_CLASS(66, NSNAN, 1 << 8)
    TEST_D_CLASS(67, 0x7ff7ffffffffffff, 1 << 8)
    TEST_D_CLASS(68, CNAN, 1 << 9)
    TEST_D_CLASS(69, QNANP, 1 << 9)
    TEST_D_CLASS(70, 0x7fffffffffffffff, 1 << 9)
    TEST_D_CLASS(71, BOXED1, 1 << 9)                /* boxed single: quiet NaN */
    /* a single-precision value with the quiet bit clear in the low word,
       boxed: still a quiet NaN as a double (bit 51 is one of the ones) */
    TEST_D_CLASS(72, 0xffffffff7f800001, 1 << 9)

    /* ---- sign injection ---- */
    TEST_D_RR_NORM(73, fsgnj.d, ONE, NTWO, NONE, 0)
    TEST_D_RR_NORM(74, fsgnj.d, NONE, TWO, ONE, 0)
    TEST_D_RR_NORM(75, fsgnjn.d, ONE, NTWO, ONE, 0)
    TEST_D_RR_NORM(76, fsgnjn.d, ONE, TWO, NONE, 0)
    TEST_D_RR_NORM(77, fsgnjx.d, NONE, NTWO, ONE, 0)
    TEST_D_RR_NORM(78, fsgnjx.d, ONE, NTWO, NONE, 0)
    TEST_D_RR_NORM(79, fsgnjx.d, NONE, TWO, NONE, 0)
    TEST_D_RR_NORM(80, fsgnj.d, SNAN, NONE, 0xfff0000000000001, 0)
    TEST_D_RR_NORM(81, fsgnjn.d, QNANP, QNANP, 0x7ff8000000012345, 0)
    TEST_D_RR_NORM(82, fsgnjx.d, NSNAN, NONE, 0x7ff0000000012345, 0)
    TEST_D_RR_NORM(83, fsgnj.d, PZERO, NZERO, NZERO, 0)
    /* fsgnj.d works on all 64 bits: a boxed single loses its box's sign */
    TEST_D_RR_NORM(84, fsgnjx.d, BOXED1, NONE, 0x7fffffff3f800000, 0)
    CASE(85)                        /* fmv.d / fneg.d / fabs.d */
    FLI_D(fa1, 0xc00921fb54442d18)  /* -pi */
    csrwi fflags, 0
    fmv.d fa0, fa1
    CHECK_F(fa0, 0xc00921fb54442d18, 0)
    fneg.d fa0, fa1
    CHECK_F(fa0, 0x400921fb54442d18, 0)
    fabs.d fa0, fa1
    CHECK_F(fa0, 0x400921fb54442d18, 0)
    fabs.d fa0, fa0
    CHECK_F(fa0, 0x400921fb54442d18, 0)
    CASE(86)
    FLI_D(fa1, SNAN)
    fneg.d fa0, fa1
    CHECK_F(fa0, 0xfff0000000000001, 0)
    FLI_D(fa1, QNANP)
    fabs.d fa0, fa1
    CHECK_F(fa0, 0x7ff8000000012345, 0)
    FLI_D(fa1, PZERO)
    fneg.d fa0, fa1
    CHECK_F(fa0, NZERO, 0)

    CASE(87)                        /* rd = x0: stays 0, flags still accrue */
    FLI_D(fa1, SNAN)
    csrwi fflags, 0
    flt.d zero, fa1, fa1
    fclass.d zero, fa1
    fmv.x.d zero, fa1
    fcvt.lu.d zero, fa1, rtz
    mv a0, zero
    CHECK(a0, 0)
    CHECK_X(NV)

    TEST_END
