/*
 * d-convert-move - double-precision conversions fcvt.{w,wu,l,lu}.d,
 * fcvt.d.{w,wu,l,lu}, the format conversions fcvt.s.d / fcvt.d.s and the
 * moves fmv.x.d / fmv.d.x (unprivileged spec, "D" Standard Extension).
 *
 * Rules used (see also f-convert-move.S):
 * - Float to integer: round per rm; valid when the ROUNDED value fits
 *   ("Minimum/Maximum valid input (after rounding)"), with NX if inexact;
 *   otherwise NV only and the clipped result (negative out of range and
 *   -inf: -2^31 / 0 / -2^63 / 0; positive out of range, +inf and NaN:
 *   2^31-1 / 2^32-1 / 2^63-1 / 2^64-1). W/WU results are sign-extended.
 * - "FCVT.D.W[U] always produces an exact result and is unaffected by
 *   rounding mode"; FCVT.D.L[U] round per rm (64-bit integers need up to
 *   64 bits, a double has 53).
 * - FCVT.S.D rounds per rm with the usual overflow/underflow rules for
 *   binary32 (tininess after rounding at 24 bits, unbounded exponent); a
 *   NaN input gives the canonical NaN 0x7fc00000 (NV if signalling).
 * - FCVT.D.S "will never round": every binary32 value is exact in binary64
 *   (2^-149 is a normal double); a signalling NaN gives NV and a NaN input
 *   the canonical 0x7ff8000000000000. Its input is a narrower operand, so
 *   an improperly boxed input is the single canonical NaN.
 * - FMV.X.D / FMV.D.X "do not modify the bits being transferred".
 */
#include "test.h"
#include "fp.h"

#define ONE   0x3ff0000000000000
#define NONE  0xbff0000000000000
#define INF   0x7ff0000000000000
#define NINF  0xfff0000000000000
#define PZERO 0x0000000000000000
#define NZERO 0x8000000000000000
#define CNAN  0x7ff8000000000000
#define SNAN  0x7ff0000000000001
#define NHALF 0xbfe0000000000000        /* -0.5 */
#define I32MIN 0xffffffff80000000
#define I64MIN 0x8000000000000000
#define I64MAX 0x7fffffffffffffff
#define W_HI  0x41dfffffffe00000        /* 2147483647.5 */
#define W_LO  0xc1e0000000100000        /* -2147483648.5 */
#define WU_HI 0x41effffffff00000        /* 4294967295.5 */
#define L53P1 0x20000000000001          /* 2^53 + 1 */

/* The assembler accepts no rm operand for the exact conversions (it
   encodes rm = RNE); these spell out other rm values (OP-FP, funct7 0x69
   fcvt.d.w[u] with rs2 = 0 (W) or 1 (WU), funct7 0x21 fcvt.d.s with
   rs2 = 0 (S)). */
.macro fcvt_d_w_rm rd, rs1, rm
    .insn r 0x53, \rm, 0x69, \rd, \rs1, x0
.endm
.macro fcvt_d_wu_rm rd, rs1, rm
    .insn r 0x53, \rm, 0x69, \rd, \rs1, x1
.endm
.macro fcvt_d_s_rm rd, rs1, rm
    .insn r 0x53, \rm, 0x21, \rd, \rs1, f0
.endm

TEST_BEGIN("d-convert-move")
    .option norvc
    FP_ENABLE

    /* ---- fcvt.w.d ---- */
    TEST_D_TOINT(1, fcvt.w.d, rne, 0x4045000000000000, 42, 0)
    TEST_D_TOINT(2, fcvt.w.d, rne, NZERO, 0, 0)
    /* 2147483647.5: a tie between 2^31 - 1 (odd) and 2^31 (even). Rounding
       up gives 2^31, out of range: NV; rounding down is valid: NX. */
    TEST_D_TOINT(3, fcvt.w.d, rne, W_HI, 0x7fffffff, NV)
    TEST_D_TOINT(4, fcvt.w.d, rtz, W_HI, 0x7fffffff, NX)
    TEST_D_TOINT(5, fcvt.w.d, rdn, W_HI, 0x7fffffff, NX)
    TEST_D_TOINT(6, fcvt.w.d, rup, W_HI, 0x7fffffff, NV)
    TEST_D_TOINT(7, fcvt.w.d, rmm, W_HI, 0x7fffffff, NV)
    /* -2147483648.5: a tie between -2^31 (even) and -2^31 - 1 (odd) */
    TEST_D_TOINT(8, fcvt.w.d, rne, W_LO, I32MIN, NX)
    TEST_D_TOINT(9, fcvt.w.d, rtz, W_LO, I32MIN, NX)
    TEST_D_TOINT(10, fcvt.w.d, rdn, W_LO, I32MIN, NV)
    TEST_D_TOINT(11, fcvt.w.d, rup, W_LO, I32MIN, NX)
    TEST_D_TOINT(12, fcvt.w.d, rmm, W_LO, I32MIN, NV)
    CASE(13)
    FLI_D(fa1, W_LO)
    csrwi frm, FRM_RDN
    csrwi fflags, 0
    fcvt.w.d a0, fa1, dyn
    CHECK(a0, I32MIN)
    CHECK_X(NV)
    CASE(14)
    csrwi frm, FRM_RTZ
    csrwi fflags, 0
    fcvt.w.d a0, fa1, dyn
    CHECK(a0, I32MIN)
    CHECK_X(NX)
    csrwi frm, FRM_RNE
    TEST_D_TOINT(15, fcvt.w.d, rne, 0x41dfffffffc00000, 0x7fffffff, 0) /* 2^31 - 1 */
    TEST_D_TOINT(16, fcvt.w.d, rne, 0xbff8000000000000, -2, NX)        /* -1.5 */
    TEST_D_TOINT(17, fcvt.w.d, rne, INF, 0x7fffffff, NV)
    TEST_D_TOINT(18, fcvt.w.d, rne, NINF, I32MIN, NV)
    TEST_D_TOINT(19, fcvt.w.d, rne, CNAN, 0x7fffffff, NV)
    TEST_D_TOINT(20, fcvt.w.d, rne, 0xfff0000000000001, 0x7fffffff, NV)
    TEST_D_TOINT(21, fcvt.w.d, rne, 0x7fefffffffffffff, 0x7fffffff, NV)
    TEST_D_TOINT(22, fcvt.w.d, rup, 0x0000000000000001, 1, NX)

    /* ---- fcvt.wu.d ---- */
    TEST_D_TOINT(23, fcvt.wu.d, rtz, WU_HI, -1, NX)     /* 2^32 - 1, sign-extended */
    TEST_D_TOINT(24, fcvt.wu.d, rne, WU_HI, -1, NV)     /* tie -> 2^32: out of range */
    TEST_D_TOINT(25, fcvt.wu.d, rne, 0x41efffffffe00000, -1, 0)  /* 2^32 - 1 exactly */
    TEST_D_TOINT(26, fcvt.wu.d, rne, 0x41e0000000000000, 0xffffffff80000000, 0) /* 2^31 */
    TEST_D_TOINT(27, fcvt.wu.d, rtz, NHALF, 0, NX)
    TEST_D_TOINT(28, fcvt.wu.d, rdn, NHALF, 0, NV)      /* -> -1: out of range */
    TEST_D_TOINT(29, fcvt.wu.d, rne, NONE, 0, NV)
    TEST_D_TOINT(30, fcvt.wu.d, rne, NZERO, 0, 0)
    TEST_D_TOINT(31, fcvt.wu.d, rne, CNAN, -1, NV)
    TEST_D_TOINT(32, fcvt.wu.d, rne, NINF, 0, NV)
    TEST_D_TOINT(33, fcvt.wu.d, rtz, 0xbfefffffffffffff, 0, NX) /* -(1 - 2^-53) */

    /* ---- fcvt.l.d ---- */
    /* 2^51 + 0.5: RNE -> 2^51 (even), RMM -> 2^51 + 1 */
    TEST_D_TOINT(34, fcvt.l.d, rne, 0x4320000000000001, 0x8000000000000, NX)
    TEST_D_TOINT(35, fcvt.l.d, rmm, 0x4320000000000001, 0x8000000000001, NX)
    TEST_D_TOINT(36, fcvt.l.d, rne, 0x43e0000000000000, I64MAX, NV)     /* 2^63 */
    TEST_D_TOINT(37, fcvt.l.d, rne, 0xc3e0000000000000, I64MIN, 0)      /* -2^63 */
    TEST_D_TOINT(38, fcvt.l.d, rne, 0x43dfffffffffffff, 0x7ffffffffffffc00, 0)
    TEST_D_TOINT(39, fcvt.l.d, rne, 0xc3e0000000000001, I64MIN, NV)     /* -(2^63 + 2^11) */
    TEST_D_TOINT(40, fcvt.l.d, rne, CNAN, I64MAX, NV)
    TEST_D_TOINT(41, fcvt.l.d, rne, NINF, I64MIN, NV)
    TEST_D_TOINT(42, fcvt.l.d, rdn, 0xc004000000000000, -3, NX)         /* -2.5 */
    TEST_D_TOINT(43, fcvt.l.d, rne, 0x4330000000000001, 0x10000000000001, 0) /* 2^52 + 1 */

    /* ---- fcvt.lu.d ---- */
    TEST_D_TOINT(44, fcvt.lu.d, rne, 0x43efffffffffffff, 0xfffffffffffff800, 0)
    TEST_D_TOINT(45, fcvt.lu.d, rne, 0x43f0000000000000, -1, NV)        /* 2^64 */
    TEST_D_TOINT(46, fcvt.lu.d, rne, 0x43e0000000000000, 0x8000000000000000, 0)
    TEST_D_TOINT(47, fcvt.lu.d, rne, NONE, 0, NV)
    TEST_D_TOINT(48, fcvt.lu.d, rtz, NHALF, 0, NX)
    TEST_D_TOINT(49, fcvt.lu.d, rne, CNAN, -1, NV)
    TEST_D_TOINT(50, fcvt.lu.d, rne, NINF, 0, NV)
    TEST_D_TOINT(51, fcvt.lu.d, rdn, 0x3ff8000000000000, 1, NX)         /* 1.5 */

    /* ---- fcvt.d.w / fcvt.d.wu: always exact ---- */
    TEST_D_FROMINT(52, fcvt_d_w_rm, 0, 1, ONE, 0)
    TEST_D_FROMINT(53, fcvt_d_w_rm, 0, -1, NONE, 0)
    TEST_D_FROMINT(54, fcvt_d_w_rm, 0, 0, PZERO, 0)
    TEST_D_FROMINT(55, fcvt_d_w_rm, 0, 0x80000000, 0xc1e0000000000000, 0) /* low word -2^31 */
    TEST_D_FROMINT(56, fcvt_d_w_rm, 0, 0x7fffffff, 0x41dfffffffc00000, 0)
    TEST_D_FROMINT(57, fcvt_d_w_rm, 0, 0x1234567800000005, 0x4014000000000000, 0) /* 5 */
    TEST_D_FROMINT(58, fcvt_d_w_rm, 3, 0x7fffffff, 0x41dfffffffc00000, 0)        /* rm = RUP */
    CASE(59)                        /* rm = DYN, frm = RDN */
    li a1, -7
    csrwi frm, FRM_RDN
    csrwi fflags, 0
    fcvt_d_w_rm fa0, a1, 7
    CHECK_F(fa0, 0xc01c000000000000, 0)
    csrwi frm, FRM_RNE
    TEST_D_FROMINT(60, fcvt_d_wu_rm, 0, 0xffffffff, 0x41efffffffe00000, 0)
    TEST_D_FROMINT(61, fcvt_d_wu_rm, 0, 0xffffffff00000002, 0x4000000000000000, 0)
    TEST_D_FROMINT(62, fcvt_d_wu_rm, 1, 0x80000000, 0x41e0000000000000, 0)     /* rm = RTZ */

    /* ---- fcvt.d.l / fcvt.d.lu ---- */
    /* 2^53 + 1: a tie between 2^53 (even) and 2^53 + 2 (odd) */
    TEST_D_FROMINT(63, fcvt.d.l, rne, L53P1, 0x4340000000000000, NX)
    TEST_D_FROMINT(64, fcvt.d.l, rup, L53P1, 0x4340000000000001, NX)
    TEST_D_FROMINT(65, fcvt.d.l, rmm, L53P1, 0x4340000000000001, NX)
    TEST_D_FROMINT(66, fcvt.d.l, rtz, L53P1, 0x4340000000000000, NX)
    TEST_D_FROMINT(67, fcvt.d.l, rdn, L53P1, 0x4340000000000000, NX)
    TEST_D_FROMINT(68, fcvt.d.l, rdn, -L53P1, 0xc340000000000001, NX)
    TEST_D_FROMINT(69, fcvt.d.l, rup, -L53P1, 0xc340000000000000, NX)
    TEST_D_FROMINT(70, fcvt.d.l, rne, I64MAX, 0x43e0000000000000, NX)   /* -> 2^63 */
    TEST_D_FROMINT(71, fcvt.d.l, rtz, I64MAX, 0x43dfffffffffffff, NX)   /* 2^63 - 2^10 */
    TEST_D_FROMINT(72, fcvt.d.l, rne, I64MIN, 0xc3e0000000000000, 0)
    TEST_D_FROMINT(73, fcvt.d.l, rne, -1, NONE, 0)
    CASE(74)
    li a1, L53P1
    csrwi frm, FRM_RUP
    csrwi fflags, 0
    fcvt.d.l fa0, a1, dyn
    CHECK_F(fa0, 0x4340000000000001, NX)
    csrwi frm, FRM_RNE
    TEST_D_FROMINT(75, fcvt.d.lu, rne, -1, 0x43f0000000000000, NX)      /* 2^64 - 1 -> 2^64 */
    TEST_D_FROMINT(76, fcvt.d.lu, rtz, -1, 0x43efffffffffffff, NX)      /* 2^64 - 2^11 */
    TEST_D_FROMINT(77, fcvt.d.lu, rne, 0x8000000000000000, 0x43e0000000000000, 0)

    /* ---- fcvt.s.d ---- */
    TEST_S_FROM_D(78, rne, ONE, 0x3f800000, 0)
    /* 1/3 as a double, 0x3fd5555555555555: fraction 0101...0101; keeping 23
       bits (0101...010) leaves 1010...0101, more than half: RNE rounds up */
    TEST_S_FROM_D(79, rne, 0x3fd5555555555555, 0x3eaaaaab, NX)
    TEST_S_FROM_D(80, rtz, 0x3fd5555555555555, 0x3eaaaaaa, NX)
    /* 1 + 2^-24: a tie at 24 bits */
    TEST_S_FROM_D(81, rne, 0x3ff0000010000000, 0x3f800000, NX)
    TEST_S_FROM_D(82, rmm, 0x3ff0000010000000, 0x3f800001, NX)
    CASE(83)
    FLI_D(fa1, 0x3ff0000010000000)
    csrwi frm, FRM_RUP
    csrwi fflags, 0
    fcvt.s.d fa0, fa1, dyn
    CHECK_F(fa0, BOX(0x3f800001), NX)
    csrwi frm, FRM_RNE
    TEST_S_FROM_D(84, rne, 0x47efffffe0000000, 0x7f7fffff, 0)    /* single max, exact */
    TEST_S_FROM_D(85, rne, 0x47f0000000000000, 0x7f800000, OF | NX) /* 2^128 */
    TEST_S_FROM_D(86, rtz, 0x47f0000000000000, 0x7f7fffff, OF | NX)
    TEST_S_FROM_D(87, rup, 0xc7f0000000000000, 0xff7fffff, OF | NX) /* -2^128 */
    TEST_S_FROM_D(88, rdn, 0xc7f0000000000000, 0xff800000, OF | NX)
    /* single max + 2^102 = 2^128 - 2^104 + 2^102: below the midpoint
       2^128 - 2^103, so RNE gives max: NX, no OF */
    TEST_S_FROM_D(89, rne, 0x47efffffe8000000, 0x7f7fffff, NX)
    /* 2^128 - 2^103: the midpoint; max has an odd significand -> 2^128 */
    TEST_S_FROM_D(90, rne, 0x47effffff0000000, 0x7f800000, OF | NX)
    TEST_S_FROM_D(91, rne, 0x7fefffffffffffff, 0x7f800000, OF | NX)
    TEST_S_FROM_D(92, rne, 0x36a0000000000000, 0x00000001, 0)     /* 2^-149, exact */
    TEST_S_FROM_D(93, rne, 0x3690000000000000, 0x00000000, UF | NX) /* 2^-150 -> 0 */
    TEST_S_FROM_D(94, rup, 0x3690000000000000, 0x00000001, UF | NX)
    /* 3 * 2^-150 = 1.5 * 2^-149: a tie between 1 and 2 (x 2^-149) -> 2 */
    TEST_S_FROM_D(95, rne, 0x36a8000000000000, 0x00000002, UF | NX)
    /* 2^-126 - 2^-150: exact at 24 bits with an unbounded exponent -> tiny;
       delivered: a tie in the subnormal grid -> 0x00800000 (even): UF|NX */
    TEST_S_FROM_D(96, rne, 0x380fffffe0000000, 0x00800000, UF | NX)
    /* 2^-126 - 2^-151: rounds to 2^-126 at 24 bits -> not tiny: NX only */
    TEST_S_FROM_D(97, rne, 0x380ffffff0000000, 0x00800000, NX)
    TEST_S_FROM_D(98, rne, 0x0000000000000001, 0x00000000, UF | NX)
    TEST_S_FROM_D(99, rne, INF, 0x7f800000, 0)
    TEST_S_FROM_D(100, rne, NZERO, 0x80000000, 0)
    TEST_S_FROM_D(101, rne, 0x7ff8000012345678, 0x7fc00000, 0)   /* payload dropped */
    TEST_S_FROM_D(102, rne, SNAN, 0x7fc00000, NV)
    TEST_S_FROM_D(103, rne, 0xfff8000000000000, 0x7fc00000, 0)   /* sign dropped */
    TEST_S_FROM_D(104, rne, 0xffffffff3f800000, 0x7fc00000, 0)   /* a boxed single is a NaN double */

    /* ---- fcvt.d.s ---- */
    TEST_D_FROM_S(105, 0x3f800000, ONE, 0)
    TEST_D_FROM_S(106, 0x7f7fffff, 0x47efffffe0000000, 0)
    TEST_D_FROM_S(107, 0x00000001, 0x36a0000000000000, 0)        /* 2^-149: a normal double */
    TEST_D_FROM_S(108, 0x80000000, NZERO, 0)
    TEST_D_FROM_S(109, 0xff800000, NINF, 0)
    TEST_D_FROM_S(110, 0x7f800001, CNAN, NV)                     /* signalling: NV */
    TEST_D_FROM_S(111, 0xffc00001, CNAN, 0)
    TEST_D_FROM_S(112, 0x3eaaaaab, 0x3fd5555560000000, 0)        /* exact */
    CASE(113)                       /* not properly boxed: the canonical NaN, quiet */
    li a2, 0x3f800000
    fmv.d.x fa1, a2
    csrwi fflags, 0
    fcvt.d.s fa0, fa1
    CHECK_F(fa0, CNAN, 0)
    CASE(114)                       /* rm is legal but irrelevant */
    FLI_S(fa1, 0x3eaaaaab)
    csrwi fflags, 0
    fcvt_d_s_rm fa0, fa1, 1        /* rm = RTZ */
    CHECK_F(fa0, 0x3fd5555560000000, 0)

    /* ---- fmv.x.d / fmv.d.x ---- */
    CASE(115)
    li a2, SNAN
    csrwi fflags, 0
    fmv.d.x fa0, a2
    fmv.x.d a0, fa0
    CHECK(a0, SNAN)
    li a2, 0x0123456789abcdef
    fmv.d.x fa0, a2
    fmv.x.d a0, fa0
    CHECK(a0, 0x0123456789abcdef)
    FLI_S(fa0, 0x3f800000)
    fmv.x.d a0, fa0                 /* a boxed single, all 64 bits */
    CHECK(a0, 0xffffffff3f800000)
    CHECK_X(0)

    TEST_END
