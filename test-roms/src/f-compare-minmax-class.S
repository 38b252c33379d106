/*
 * f-compare-minmax-class - single-precision feq.s/flt.s/fle.s, fmin.s/
 * fmax.s, fclass.s and the sign-injection instructions fsgnj.s/fsgnjn.s/
 * fsgnjx.s with their fmv.s/fneg.s/fabs.s idioms (unprivileged spec, "F"
 * Standard Extension).
 *
 * Rules used:
 * - FEQ is a quiet comparison: NV only for a signalling NaN operand. FLT
 *   and FLE are signalling: NV for any NaN operand. All three write 0 when
 *   either operand is NaN; -0 and +0 compare equal.
 * - FMIN/FMAX (IEEE 754-201x minimumNumber/maximumNumber): -0 is less
 *   than +0 for these instructions only; one NaN operand -> the other
 *   operand; two NaNs -> the canonical NaN 0x7fc00000; a signalling NaN
 *   operand sets NV "even when the result is not NaN".
 * - FCLASS writes a one-hot 10-bit mask (bit 0 -inf, 1 negative normal,
 *   2 negative subnormal, 3 -0, 4 +0, 5 positive subnormal, 6 positive
 *   normal, 7 +inf, 8 signalling NaN, 9 quiet NaN) and sets no flags.
 * - Sign injection takes all bits but the sign from rs1; the sign is
 *   rs2's (FSGNJ), its opposite (FSGNJN) or the XOR of both (FSGNJX). No
 *   flags, NaNs are not canonicalised. FMV.S = FSGNJ rx, ry, ry; FNEG.S =
 *   FSGNJN rx, ry, ry; FABS.S = FSGNJX rx, ry, ry.
 */
#include "test.h"
#include "fp.h"

#define ONE   0x3f800000
#define NONE  0xbf800000
#define TWO   0x40000000
#define NTWO  0xc0000000
#define INF   0x7f800000
#define NINF  0xff800000
#define PZERO 0x00000000
#define NZERO 0x80000000
#define CNAN  0x7fc00000
#define SNAN  0x7f800001
#define NSNAN 0xff812345                /* negative signalling NaN with a payload */
#define QNANP 0xffc12345                /* negative quiet NaN with a payload */
#define MAX   0x7f7fffff
#define MINS  0x00000001

TEST_BEGIN("f-compare-minmax-class")
    .option norvc
    FP_ENABLE

    /* ---- feq.s (quiet) ---- */
    TEST_S_CMP(1, feq.s, ONE, ONE, 1, 0)
    TEST_S_CMP(2, feq.s, ONE, TWO, 0, 0)
    TEST_S_CMP(3, feq.s, PZERO, NZERO, 1, 0)        /* +0 == -0 */
    TEST_S_CMP(4, feq.s, CNAN, CNAN, 0, 0)          /* NaN != NaN, quiet: no flag */
    TEST_S_CMP(5, feq.s, CNAN, ONE, 0, 0)
    TEST_S_CMP(6, feq.s, SNAN, ONE, 0, NV)          /* signalling NaN: NV */
    TEST_S_CMP(7, feq.s, ONE, NSNAN, 0, NV)
    TEST_S_CMP(8, feq.s, INF, INF, 1, 0)
    TEST_S_CMP(9, feq.s, MINS, MINS, 1, 0)
    TEST_S_CMP(10, feq.s, MINS, PZERO, 0, 0)        /* a subnormal is not zero */

    /* ---- flt.s (signalling) ---- */
    TEST_S_CMP(11, flt.s, ONE, TWO, 1, 0)
    TEST_S_CMP(12, flt.s, TWO, ONE, 0, 0)
    TEST_S_CMP(13, flt.s, ONE, ONE, 0, 0)
    TEST_S_CMP(14, flt.s, NZERO, PZERO, 0, 0)       /* -0 < +0 is false */
    TEST_S_CMP(15, flt.s, NTWO, NONE, 1, 0)
    TEST_S_CMP(16, flt.s, NINF, INF, 1, 0)
    TEST_S_CMP(17, flt.s, CNAN, ONE, 0, NV)         /* quiet NaN: NV too */
    TEST_S_CMP(18, flt.s, ONE, QNANP, 0, NV)
    TEST_S_CMP(19, flt.s, SNAN, ONE, 0, NV)
    TEST_S_CMP(20, flt.s, PZERO, MINS, 1, 0)

    /* ---- fle.s (signalling) ---- */
    TEST_S_CMP(21, fle.s, ONE, ONE, 1, 0)
    TEST_S_CMP(22, fle.s, TWO, ONE, 0, 0)
    TEST_S_CMP(23, fle.s, NZERO, PZERO, 1, 0)
    TEST_S_CMP(24, fle.s, PZERO, NZERO, 1, 0)
    TEST_S_CMP(25, fle.s, CNAN, CNAN, 0, NV)
    TEST_S_CMP(26, fle.s, ONE, SNAN, 0, NV)
    TEST_S_CMP(27, fle.s, NINF, NINF, 1, 0)
    TEST_S_CMP(28, fle.s, MAX, INF, 1, 0)

    /* ---- fmin.s / fmax.s ---- */
    TEST_S_RR_NORM(29, fmin.s, ONE, TWO, ONE, 0)
    TEST_S_RR_NORM(30, fmin.s, TWO, ONE, ONE, 0)
    TEST_S_RR_NORM(31, fmax.s, ONE, TWO, TWO, 0)
    TEST_S_RR_NORM(32, fmax.s, NONE, NTWO, NONE, 0)
    TEST_S_RR_NORM(33, fmin.s, NZERO, PZERO, NZERO, 0)  /* -0 < +0 here */
    TEST_S_RR_NORM(34, fmin.s, PZERO, NZERO, NZERO, 0)
    TEST_S_RR_NORM(35, fmax.s, NZERO, PZERO, PZERO, 0)
    TEST_S_RR_NORM(36, fmax.s, PZERO, NZERO, PZERO, 0)
    TEST_S_RR_NORM(37, fmin.s, CNAN, ONE, ONE, 0)       /* one quiet NaN: the number */
    TEST_S_RR_NORM(38, fmin.s, ONE, QNANP, ONE, 0)
    TEST_S_RR_NORM(39, fmax.s, QNANP, NONE, NONE, 0)
    TEST_S_RR_NORM(40, fmax.s, SNAN, ONE, ONE, NV)      /* signalling: NV, still the number */
    TEST_S_RR_NORM(41, fmin.s, NINF, NSNAN, NINF, NV)
    TEST_S_RR_NORM(42, fmin.s, CNAN, CNAN, CNAN, 0)     /* two NaNs: canonical */
    TEST_S_RR_NORM(43, fmax.s, QNANP, 0xffc00001, CNAN, 0)  /* payloads dropped */
    TEST_S_RR_NORM(44, fmin.s, SNAN, CNAN, CNAN, NV)
    TEST_S_RR_NORM(45, fmax.s, NSNAN, SNAN, CNAN, NV)
    TEST_S_RR_NORM(46, fmin.s, NINF, INF, NINF, 0)
    TEST_S_RR_NORM(47, fmax.s, NINF, INF, INF, 0)
    TEST_S_RR_NORM(48, fmax.s, MINS, PZERO, MINS, 0)    /* subnormal > +0 */
    TEST_S_RR_NORM(49, fmin.s, 0x80000001, NZERO, 0x80000001, 0)

    /* ---- fclass.s: every class, no flags ---- */
    TEST_S_CLASS(50, NINF, 1 << 0)
    TEST_S_CLASS(51, NONE, 1 << 1)                  /* negative normal */
    TEST_S_CLASS(52, 0xff7fffff, 1 << 1)            /* -max */
    TEST_S_CLASS(53, 0x80800000, 1 << 1)            /* -2^-126: smallest normal */
    TEST_S_CLASS(54, 0x807fffff, 1 << 2)            /* negative subnormal */
    TEST_S_CLASS(55, 0x80000001, 1 << 2)
    TEST_S_CLASS(56, NZERO, 1 << 3)
    TEST_S_CLASS(57, PZERO, 1 << 4)
    TEST_S_CLASS(58, MINS, 1 << 5)                  /* positive subnormal */
    TEST_S_CLASS(59, 0x007fffff, 1 << 5)
    TEST_S_CLASS(60, 0x00800000, 1 << 6)            /* positive normal */
    TEST_S_CLASS(61, MAX, 1 << 6)
    TEST_S_CLASS(62, INF, 1 << 7)
    TEST_S_CLASS(63, SNAN, 1 << 8)                  /* quiet bit (22) clear */
    TEST_S_CLASS(64, NSNAN, 1 << 8)                 /* the sign does not matter */
    TEST_S_CLASS(65, 0x7fbfffff, 1 << 8)
    TEST_S_CLASS(66, CNAN, 1 << 9)
    TEST_S_CLASS(67, QNANP, 1 << 9)
    TEST_S_CLASS(68, 0x7fffffff, 1 << 9)

    /* ---- sign injection ---- */
    TEST_S_RR_NORM(69, fsgnj.s, ONE, NTWO, NONE, 0)     /* sign of rs2 */
    TEST_S_RR_NORM(70, fsgnj.s, NONE, TWO, ONE, 0)
    TEST_S_RR_NORM(71, fsgnjn.s, ONE, NTWO, ONE, 0)     /* opposite sign of rs2 */
    TEST_S_RR_NORM(72, fsgnjn.s, ONE, TWO, NONE, 0)
    TEST_S_RR_NORM(73, fsgnjx.s, NONE, NTWO, ONE, 0)    /* xor of the signs */
    TEST_S_RR_NORM(74, fsgnjx.s, ONE, NTWO, NONE, 0)
    TEST_S_RR_NORM(75, fsgnjx.s, NONE, TWO, NONE, 0)
    /* NaNs keep their payload and raise nothing, even signalling ones */
    TEST_S_RR_NORM(76, fsgnj.s, SNAN, NONE, 0xff800001, 0)
    TEST_S_RR_NORM(77, fsgnjn.s, QNANP, QNANP, 0x7fc12345, 0)
    TEST_S_RR_NORM(78, fsgnjx.s, NSNAN, NONE, 0x7f812345, 0)
    TEST_S_RR_NORM(79, fsgnj.s, PZERO, NZERO, NZERO, 0)
    /* the idioms, rs1 = rs2 */
    CASE(80)                        /* fmv.s = fsgnj.s rx, ry, ry */
    FLI_S(fa1, 0xc0490fdb)
    csrwi fflags, 0
    fmv.s fa0, fa1
    CHECK_F(fa0, BOX(0xc0490fdb), 0)
    CASE(81)                        /* fneg.s = fsgnjn.s rx, ry, ry */
    fneg.s fa0, fa1
    CHECK_F(fa0, BOX(0x40490fdb), 0)
    fneg.s fa0, fa0
    CHECK_F(fa0, BOX(0xc0490fdb), 0)
    CASE(82)                        /* fabs.s = fsgnjx.s rx, ry, ry */
    fabs.s fa0, fa1
    CHECK_F(fa0, BOX(0x40490fdb), 0)
    fabs.s fa0, fa0
    CHECK_F(fa0, BOX(0x40490fdb), 0)
    CASE(83)                        /* fneg/fabs of NaNs and zeros */
    FLI_S(fa1, SNAN)
    fneg.s fa0, fa1
    CHECK_F(fa0, BOX(0xff800001), 0)
    FLI_S(fa1, QNANP)
    fabs.s fa0, fa1
    CHECK_F(fa0, BOX(0x7fc12345), 0)
    FLI_S(fa1, PZERO)
    fneg.s fa0, fa1
    CHECK_F(fa0, BOX(NZERO), 0)
    CASE(84)                        /* the mnemonics are the encodings above */
    FLI_S(fa1, NONE)
    fsgnjx.s fa2, fa1, fa1
    fabs.s fa3, fa1
    fmv.x.d a2, fa2
    fmv.x.d a3, fa3
    CHECK_REG(a2, a3)
    CHECK(a2, BOX(ONE))

    CASE(85)                        /* rd = x0: stays 0, flags still accrue */
    FLI_S(fa1, SNAN)
    csrwi fflags, 0
    feq.s zero, fa1, fa1
    fclass.s zero, fa1
    fmv.x.w zero, fa1
    fcvt.w.s zero, fa1, rtz
    mv a0, zero
    CHECK(a0, 0)
    CHECK_X(NV)

    TEST_END
