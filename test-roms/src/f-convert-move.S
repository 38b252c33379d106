/*
 * f-convert-move - single-precision conversions fcvt.{w,wu,l,lu}.s and
 * fcvt.s.{w,wu,l,lu}, the moves fmv.x.w/fmv.w.x, and NaN boxing
 * (unprivileged spec, "F" Standard Extension; "D" extension, "NaN Boxing of
 * Narrower Values").
 *
 * Rules used:
 * - Float to integer: round per rm, then if the rounded value fits the
 *   destination ("Minimum/Maximum valid input (after rounding)": W
 *   -2^31..2^31-1, WU 0..2^32-1, L -2^63..2^63-1, LU 0..2^64-1) it is the
 *   result, with NX if it differs from the operand. Otherwise NV (and no
 *   NX) and the result is clipped: out-of-range negative and -inf give the
 *   minimum (W -2^31, WU 0, L -2^63, LU 0); out-of-range positive, +inf
 *   and NaN (of either sign) give the maximum (W 2^31-1, WU 2^32-1, L
 *   2^63-1, LU 2^64-1).
 * - "FCVT.W[U].S sign-extends the 32-bit result to the destination register
 *   width" - also for WU: 2^32-1 reads 0xffffffffffffffff.
 * - Integer to float: W/WU take the low 32 bits of rs1; round per rm; NX
 *   when inexact. 0 converts to +0.
 * - FMV.X.W copies the low 32 bits of the f register, unchanged, sign-
 *   extended into rd; FMV.W.X copies the low 32 bits of rs1 unchanged (the
 *   result is NaN-boxed). Neither raises flags nor touches NaN payloads.
 * - NaN boxing: a narrower transfer into an f register (flw, fmv.w.x)
 *   writes all ones to bits 63:32; a narrower transfer out (fsw, fmv.x.w)
 *   takes the low 32 bits and ignores the upper ones. Every other single-
 *   precision operation checks its inputs: if bits 63:32 are not all ones,
 *   "the input value is treated as an n-bit canonical NaN" (0x7fc00000, a
 *   quiet NaN: no NV by itself).
 */
#include "test.h"
#include "fp.h"

#define ONE   0x3f800000
#define NONE  0xbf800000
#define TWO   0x40000000
#define INF   0x7f800000
#define NINF  0xff800000
#define PZERO 0x00000000
#define NZERO 0x80000000
#define CNAN  0x7fc00000
#define SNAN  0x7f800001
#define P1_5  0x3fc00000                /* 1.5 */
#define P2_5  0x40200000                /* 2.5 */
#define N2_5  0xc0200000                /* -2.5 */
#define NHALF 0xbf000000                /* -0.5 */
#define P2_31 0x4f000000                /* 2^31 */
#define P2_32 0x4f800000                /* 2^32 */
#define P2_63 0x5f000000                /* 2^63 */
#define P2_64 0x5f800000                /* 2^64 */
#define N2_63 0xdf000000                /* -2^63 */
#define I32MIN 0xffffffff80000000       /* -2^31 sign-extended */
#define I64MIN 0x8000000000000000
#define I64MAX 0x7fffffffffffffff

TEST_BEGIN("f-convert-move")
    .option norvc
    FP_ENABLE

    /* ---- fcvt.w.s ---- */
    TEST_S_TOINT(1, fcvt.w.s, rne, 0x42280000, 42, 0)      /* 42.0 */
    TEST_S_TOINT(2, fcvt.w.s, rne, NZERO, 0, 0)
    /* 1.5: between 1 and 2, a tie: RNE -> 2 (even), RMM -> 2 (away) */
    TEST_S_TOINT(3, fcvt.w.s, rne, P1_5, 2, NX)
    TEST_S_TOINT(4, fcvt.w.s, rtz, P1_5, 1, NX)
    TEST_S_TOINT(5, fcvt.w.s, rdn, P1_5, 1, NX)
    TEST_S_TOINT(6, fcvt.w.s, rup, P1_5, 2, NX)
    TEST_S_TOINT(7, fcvt.w.s, rmm, P1_5, 2, NX)
    /* 2.5: RNE -> 2 (even), RMM -> 3 */
    TEST_S_TOINT(8, fcvt.w.s, rne, P2_5, 2, NX)
    TEST_S_TOINT(9, fcvt.w.s, rmm, P2_5, 3, NX)
    /* -2.5 in every mode; results sign-extended */
    TEST_S_TOINT(10, fcvt.w.s, rne, N2_5, -2, NX)
    TEST_S_TOINT(11, fcvt.w.s, rtz, N2_5, -2, NX)
    TEST_S_TOINT(12, fcvt.w.s, rdn, N2_5, -3, NX)
    TEST_S_TOINT(13, fcvt.w.s, rup, N2_5, -2, NX)
    TEST_S_TOINT(14, fcvt.w.s, rmm, N2_5, -3, NX)
    CASE(15)                        /* dynamic rounding mode */
    FLI_S(fa1, N2_5)
    csrwi frm, FRM_RDN
    csrwi fflags, 0
    fcvt.w.s a0, fa1, dyn
    CHECK(a0, -3)
    CHECK_X(NX)
    CASE(16)
    csrwi frm, FRM_RUP
    csrwi fflags, 0
    fcvt.w.s a0, fa1, dyn
    CHECK(a0, -2)
    CHECK_X(NX)
    csrwi frm, FRM_RNE
    TEST_S_TOINT(17, fcvt.w.s, rne, NONE, -1, 0)           /* 0xffffffffffffffff */
    TEST_S_TOINT(18, fcvt.w.s, rne, 0x4effffff, 0x7fffff80, 0)  /* 2^31 - 128 */
    TEST_S_TOINT(19, fcvt.w.s, rne, P2_31, 0x7fffffff, NV)  /* 2^31: too large */
    TEST_S_TOINT(20, fcvt.w.s, rne, 0xcf000000, I32MIN, 0)  /* -2^31 fits */
    TEST_S_TOINT(21, fcvt.w.s, rne, 0xcf000001, I32MIN, NV) /* -(2^31 + 256) */
    TEST_S_TOINT(22, fcvt.w.s, rne, INF, 0x7fffffff, NV)
    TEST_S_TOINT(23, fcvt.w.s, rne, NINF, I32MIN, NV)
    TEST_S_TOINT(24, fcvt.w.s, rne, CNAN, 0x7fffffff, NV)
    TEST_S_TOINT(25, fcvt.w.s, rne, 0xffc00000, 0x7fffffff, NV) /* negative NaN: max too */
    TEST_S_TOINT(26, fcvt.w.s, rne, SNAN, 0x7fffffff, NV)
    TEST_S_TOINT(27, fcvt.w.s, rne, 0x3f000000, 0, NX)     /* 0.5: tie -> 0 (even) */
    TEST_S_TOINT(28, fcvt.w.s, rup, 0x00000001, 1, NX)     /* 2^-149 up -> 1 */
    TEST_S_TOINT(29, fcvt.w.s, rdn, 0x80000001, -1, NX)    /* -2^-149 down -> -1 */

    /* ---- fcvt.wu.s ---- */
    TEST_S_TOINT(30, fcvt.wu.s, rtz, 0x40700000, 3, NX)    /* 3.75 */
    TEST_S_TOINT(31, fcvt.wu.s, rne, 0x40700000, 4, NX)
    /* 3e9 = 0xb2d05e00 fits 32 unsigned bits; sign-extended from bit 31 */
    TEST_S_TOINT(32, fcvt.wu.s, rne, 0x4f32d05e, 0xffffffffb2d05e00, 0)
    TEST_S_TOINT(33, fcvt.wu.s, rne, 0x4f7fffff, 0xffffffffffffff00, 0) /* 2^32 - 256 */
    TEST_S_TOINT(34, fcvt.wu.s, rne, P2_32, -1, NV)        /* 2^32: max, sign-extended */
    /* -0.5 rounds to 0 in RTZ (and RNE): in range, so only NX */
    TEST_S_TOINT(35, fcvt.wu.s, rtz, NHALF, 0, NX)
    TEST_S_TOINT(36, fcvt.wu.s, rne, NHALF, 0, NX)
    /* ... but to -1 in RDN, which is out of range: NV, result 0 */
    TEST_S_TOINT(37, fcvt.wu.s, rdn, NHALF, 0, NV)
    TEST_S_TOINT(38, fcvt.wu.s, rtz, NONE, 0, NV)          /* -1.0: NV, 0 */
    TEST_S_TOINT(39, fcvt.wu.s, rmm, 0xbf400000, 0, NV)    /* -0.75 -> -1 */
    TEST_S_TOINT(40, fcvt.wu.s, rne, NINF, 0, NV)
    TEST_S_TOINT(41, fcvt.wu.s, rne, INF, -1, NV)
    TEST_S_TOINT(42, fcvt.wu.s, rne, CNAN, -1, NV)
    TEST_S_TOINT(43, fcvt.wu.s, rne, NZERO, 0, 0)

    /* ---- fcvt.l.s ---- */
    TEST_S_TOINT(44, fcvt.l.s, rne, 0x501502f9, 10000000000, 0) /* 1e10 */
    TEST_S_TOINT(45, fcvt.l.s, rne, P2_31, 0x80000000, 0)  /* no 32-bit clipping */
    TEST_S_TOINT(46, fcvt.l.s, rne, P2_63, I64MAX, NV)
    TEST_S_TOINT(47, fcvt.l.s, rne, N2_63, I64MIN, 0)
    TEST_S_TOINT(48, fcvt.l.s, rne, 0x5effffff, 0x7fffff8000000000, 0) /* 2^63 - 2^39 */
    TEST_S_TOINT(49, fcvt.l.s, rne, NINF, I64MIN, NV)
    TEST_S_TOINT(50, fcvt.l.s, rne, 0xdf000001, I64MIN, NV) /* -(2^63 + 2^40) */
    TEST_S_TOINT(51, fcvt.l.s, rne, CNAN, I64MAX, NV)
    TEST_S_TOINT(52, fcvt.l.s, rmm, N2_5, -3, NX)
    TEST_S_TOINT(53, fcvt.l.s, rtz, N2_5, -2, NX)

    /* ---- fcvt.lu.s ---- */
    TEST_S_TOINT(54, fcvt.lu.s, rne, P2_63, 0x8000000000000000, 0)
    TEST_S_TOINT(55, fcvt.lu.s, rne, 0x5f7fffff, 0xffffff0000000000, 0) /* 2^64 - 2^40 */
    TEST_S_TOINT(56, fcvt.lu.s, rne, P2_64, -1, NV)
    TEST_S_TOINT(57, fcvt.lu.s, rne, NONE, 0, NV)
    TEST_S_TOINT(58, fcvt.lu.s, rtz, NHALF, 0, NX)
    TEST_S_TOINT(59, fcvt.lu.s, rne, NINF, 0, NV)
    TEST_S_TOINT(60, fcvt.lu.s, rne, CNAN, -1, NV)
    TEST_S_TOINT(61, fcvt.lu.s, rne, SNAN, -1, NV)
    TEST_S_TOINT(62, fcvt.lu.s, rup, 0x3f400000, 1, NX)    /* 0.75 up */

    /* ---- fcvt.s.w ---- */
    TEST_S_FROMINT(63, fcvt.s.w, rne, 1, ONE, 0)
    TEST_S_FROMINT(64, fcvt.s.w, rne, -1, NONE, 0)
    TEST_S_FROMINT(65, fcvt.s.w, rne, 0, PZERO, 0)         /* +0, never -0 */
    /* 2^24 + 1 needs 25 bits: halfway between 2^24 (0x4b800000, even) and
       2^24 + 2 (0x4b800001, odd). */
    TEST_S_FROMINT(66, fcvt.s.w, rne, 16777217, 0x4b800000, NX)
    TEST_S_FROMINT(67, fcvt.s.w, rtz, 16777217, 0x4b800000, NX)
    TEST_S_FROMINT(68, fcvt.s.w, rdn, 16777217, 0x4b800000, NX)
    TEST_S_FROMINT(69, fcvt.s.w, rup, 16777217, 0x4b800001, NX)
    TEST_S_FROMINT(70, fcvt.s.w, rmm, 16777217, 0x4b800001, NX)
    TEST_S_FROMINT(71, fcvt.s.w, rdn, -16777217, 0xcb800001, NX)
    TEST_S_FROMINT(72, fcvt.s.w, rup, -16777217, 0xcb800000, NX)
    CASE(73)
    li a1, 16777217
    csrwi frm, FRM_RUP
    csrwi fflags, 0
    fcvt.s.w fa0, a1, dyn
    CHECK_F(fa0, BOX(0x4b800001), NX)
    csrwi frm, FRM_RNE
    TEST_S_FROMINT(74, fcvt.s.w, rne, 0x1234567800000005, 0x40a00000, 0) /* low word: 5 */
    TEST_S_FROMINT(75, fcvt.s.w, rne, 0x0000000080000000, 0xcf000000, 0) /* low word -2^31 */
    /* 2^31 - 1: the floats around it are 2^31 - 128 and 2^31 */
    TEST_S_FROMINT(76, fcvt.s.w, rne, 0x7fffffff, P2_31, NX)
    TEST_S_FROMINT(77, fcvt.s.w, rtz, 0x7fffffff, 0x4effffff, NX)

    /* ---- fcvt.s.wu ---- */
    TEST_S_FROMINT(78, fcvt.s.wu, rne, 0xffffffff, P2_32, NX)      /* 2^32 - 1 */
    TEST_S_FROMINT(79, fcvt.s.wu, rtz, 0xffffffff, 0x4f7fffff, NX) /* 2^32 - 256 */
    TEST_S_FROMINT(80, fcvt.s.wu, rne, 0xffffffff00000001, ONE, 0) /* low word: 1 */
    TEST_S_FROMINT(81, fcvt.s.wu, rne, 0x80000000, P2_31, 0)

    /* ---- fcvt.s.l ---- */
    TEST_S_FROMINT(82, fcvt.s.l, rne, I64MAX, P2_63, NX)
    TEST_S_FROMINT(83, fcvt.s.l, rtz, I64MAX, 0x5effffff, NX)      /* 2^63 - 2^39 */
    TEST_S_FROMINT(84, fcvt.s.l, rne, I64MIN, N2_63, 0)
    TEST_S_FROMINT(85, fcvt.s.l, rne, -1, NONE, 0)
    TEST_S_FROMINT(86, fcvt.s.l, rmm, 16777217, 0x4b800001, NX)
    TEST_S_FROMINT(87, fcvt.s.l, rne, 0x100000000, P2_32, 0)       /* all 64 bits used */

    /* ---- fcvt.s.lu ---- */
    TEST_S_FROMINT(88, fcvt.s.lu, rne, -1, P2_64, NX)              /* 2^64 - 1 */
    TEST_S_FROMINT(89, fcvt.s.lu, rtz, -1, 0x5f7fffff, NX)         /* 2^64 - 2^40 */
    TEST_S_FROMINT(90, fcvt.s.lu, rne, 0x8000000000000000, P2_63, 0)

    /* ---- fmv.x.w / fmv.w.x ---- */
    CASE(91)
    FLI_S(fa1, NONE)
    csrwi fflags, 0
    fmv.x.w a0, fa1
    CHECK(a0, 0xffffffffbf800000)   /* sign-extended */
    FLI_S(fa1, CNAN)
    fmv.x.w a0, fa1
    CHECK(a0, 0x7fc00000)
    FLI_S(fa1, SNAN)
    fmv.x.w a0, fa1                 /* payload kept, no NV */
    CHECK(a0, 0x7f800001)
    FLI_S(fa1, 0xff812345)
    fmv.x.w a0, fa1
    CHECK(a0, 0xffffffffff812345)
    CHECK_X(0)
    CASE(92)                        /* fmv.w.x: low 32 bits, NaN-boxed */
    li a2, 0x123456783f800000
    csrwi fflags, 0
    fmv.w.x fa0, a2
    CHECK_F(fa0, BOX(ONE), 0)
    li a2, 0x7f812345
    fmv.w.x fa0, a2
    CHECK_F(fa0, BOX(0x7f812345), 0)

    /* ---- NaN boxing ---- */
    /* fs1 = 0x00000000_3f800000: 1.0 in the low word, NOT boxed */
    CASE(93)
    li a2, 0x3f800000
    fmv.d.x fs1, a2
    FLI_S(fa2, ONE)
    csrwi fflags, 0
    fadd.s fa0, fs1, fa2            /* canonical NaN + 1.0 */
    CHECK_F(fa0, BOX(CNAN), 0)
    CASE(94)                        /* fmv.x.w and fsw move the raw low word */
    fmv.x.w a0, fs1
    CHECK(a0, 0x3f800000)
    la a3, buf
    li a4, -1
    sd a4, 0(a3)
    fsw fs1, 0(a3)
    ld a0, 0(a3)
    CHECK(a0, 0xffffffff3f800000)   /* low word written, high word untouched */
    li a2, 0xbf800000               /* negative low word, zero upper word */
    fmv.d.x fs2, a2
    fmv.x.w a0, fs2
    CHECK(a0, 0xffffffffbf800000)
    CHECK_X(0)
    CASE(95)                        /* almost boxed: bit 32 clear */
    li a2, 0xfffffffe3f800000
    fmv.d.x fs3, a2
    csrwi fflags, 0
    fmul.s fa0, fs3, fa2
    CHECK_F(fa0, BOX(CNAN), 0)
    CASE(96)                        /* upper word 0x7fffffff */
    li a2, 0x7fffffff3f800000
    fmv.d.x fs3, a2
    csrwi fflags, 0
    fsub.s fa0, fa2, fs3
    CHECK_F(fa0, BOX(CNAN), 0)
    CASE(97)                        /* a value written by fld is not boxed */
    la a3, buf
    li a4, 0x40000000
    sd a4, 0(a3)
    fld fs4, 0(a3)
    csrwi fflags, 0
    fadd.s fa0, fs4, fs4
    CHECK_F(fa0, BOX(CNAN), 0)
    CASE(98)                        /* ... unless its upper word is all ones */
    li a4, 0xffffffff40000000
    sd a4, 0(a3)
    fld fs4, 0(a3)
    csrwi fflags, 0
    fadd.s fa0, fs4, fs4            /* 2 + 2 */
    CHECK_F(fa0, BOX(0x40800000), 0)
    CASE(99)                        /* flw boxes */
    li a4, 0x123456783f800000
    sd a4, 0(a3)
    flw fs5, 0(a3)
    fmv.x.d a0, fs5
    CHECK(a0, BOX(ONE))
    /* sign injection is not a transfer: unboxed inputs are the canonical
       NaN (sign 0) */
    CASE(100)
    FLI_S(fa3, NONE)
    csrwi fflags, 0
    fsgnj.s fa0, fs1, fa3           /* canonical NaN with rs2's sign */
    CHECK_F(fa0, BOX(0xffc00000), 0)
    CASE(101)
    fsgnjn.s fa0, fs1, fs1          /* rs2 canonical (+): sign 1 */
    CHECK_F(fa0, BOX(0xffc00000), 0)
    CASE(102)
    fsgnjx.s fa0, fs1, fs1          /* 0 xor 0 */
    CHECK_F(fa0, BOX(CNAN), 0)
    CASE(103)
    fsgnj.s fa0, fa3, fs2           /* rs2 = 0x00000000_bf800000 -> sign 0 */
    CHECK_F(fa0, BOX(ONE), 0)
    CASE(104)
    fmv.s fa0, fs1                  /* fsgnj.s: not a transfer either */
    CHECK_F(fa0, BOX(CNAN), 0)
    CASE(105)
    fclass.s a0, fs1                /* quiet NaN */
    CHECK(a0, 1 << 9)
    fclass.s a0, fs2
    CHECK(a0, 1 << 9)
    CHECK_X(0)
    CASE(106)
    fcvt.w.s a0, fs1, rtz           /* NaN -> 2^31 - 1, NV */
    CHECK(a0, 0x7fffffff)
    CHECK_X(NV)
    CASE(107)
    csrwi fflags, 0
    feq.s a0, fs1, fs1              /* quiet NaN: 0, no flag */
    CHECK(a0, 0)
    CHECK_X(0)
    flt.s a0, fs1, fa2              /* signalling compare: NV */
    CHECK(a0, 0)
    CHECK_X(NV)
    CASE(108)
    csrwi fflags, 0
    fmin.s fa0, fs1, fa3            /* one NaN: the other operand */
    CHECK_F(fa0, BOX(NONE), 0)
    CASE(109)
    fsqrt.s fa0, fs1
    CHECK_F(fa0, BOX(CNAN), 0)
    CASE(110)
    fmadd.s fa0, fa2, fa2, fs1      /* 1 * 1 + NaN */
    CHECK_F(fa0, BOX(CNAN), 0)
    CASE(111)
    fcvt.s.w fa0, zero              /* results are boxed: +0 */
    CHECK_F(fa0, BOX(PZERO), 0)

    TEST_END

    .data
    .balign 8
buf: .dword 0, 0
