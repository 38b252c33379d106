/*
 * zfh - half precision (Zfhmin and Zfh, unprivileged spec chapter "Zfh and
 * Zfhmin Standard Extensions for Half-Precision Floating-Point"): moves,
 * loads and stores, NaN boxing, conversions to and from binary32, binary64
 * and the integers at binary16's edges, arithmetic, fused multiply-add,
 * sign injection, min/max, compare and classify, each with its fflags.
 *
 * binary16: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
 * 1.0 = 0x3c00, 2.0 = 0x4000, 0.5 = 0x3800, the largest finite number
 * 65504 = (2 - 2^-10) * 2^15 = 0x7bff, the smallest normal 2^-14 = 0x0400,
 * the smallest subnormal 2^-24 = 0x0001, +inf = 0x7c00, the canonical NaN
 * 0x7e00, a signalling NaN 0x7c01.
 *
 * Rules used (besides those of the F chapter, see f-arith.S and
 * f-convert-move.S):
 * - "NaN Boxing of Narrower Values": a half in a 64-bit f register has
 *   bits 63:16 all ones; flh and fmv.h.x write them; an input whose bits
 *   63:16 are not all ones is the canonical NaN (0x7e00, quiet: no NV);
 *   fsh and fmv.x.h move the low 16 bits as they are, fmv.x.h
 *   sign-extending bit 15.
 * - Tininess is detected after rounding; UF only when tiny and inexact.
 * - Overflow: rounded with an unbounded exponent above 65504. Round to
 *   nearest overflows from 65520 (the midpoint of 65504 and 2^16: a tie,
 *   to the even 2^16); towards zero, 65520 is 65504 (NX only) and only
 *   values from 2^16 overflow, to 65504.
 * - Float to integer saturation and the NaN results as in F.
 * - With mstatus.FS Off every Zfh/Zfhmin instruction is illegal.
 *
 * QEMU 7.2 runs it with -cpu rv64,Zfh=true,Zfhmin=true.
 */
#include "test.h"
#include "fp.h"

#define BOXH(bits) (0xffffffffffff0000 | (bits))
#define FLI_H(freg, bits) li a7, bits; fmv.h.x freg, a7

#define H_ONE   0x3c00
#define H_NONE  0xbc00
#define H_TWO   0x4000
#define H_HALF  0x3800
#define H_MAX   0x7bff                  /* 65504 */
#define H_MINN  0x0400                  /* 2^-14 */
#define H_MINS  0x0001                  /* 2^-24 */
#define H_INF   0x7c00
#define H_NINF  0xfc00
#define H_CNAN  0x7e00
#define H_SNAN  0x7c01
#define H_NZERO 0x8000

#define TEST_H_RR(n, insn, rm, a, b, exp, flags)                             \
    CASE(n); FLI_H(fa1, a); FLI_H(fa2, b); csrwi fflags, 0;                  \
    insn fa0, fa1, fa2, rm; CHECK_F(fa0, BOXH(exp), flags)
#define TEST_H_R(n, insn, rm, a, exp, flags)                                 \
    CASE(n); FLI_H(fa1, a); csrwi fflags, 0; insn fa0, fa1, rm;              \
    CHECK_F(fa0, BOXH(exp), flags)
#define TEST_H_RRR(n, insn, rm, a, b, c, exp, flags)                         \
    CASE(n); FLI_H(fa1, a); FLI_H(fa2, b); FLI_H(fa3, c); csrwi fflags, 0;   \
    insn fa0, fa1, fa2, fa3, rm; CHECK_F(fa0, BOXH(exp), flags)
#define TEST_H_RR_NORM(n, insn, a, b, exp, flags)                            \
    CASE(n); FLI_H(fa1, a); FLI_H(fa2, b); csrwi fflags, 0;                  \
    insn fa0, fa1, fa2; CHECK_F(fa0, BOXH(exp), flags)
#define TEST_H_CMP(n, insn, a, b, exp, flags)                                \
    CASE(n); FLI_H(fa1, a); FLI_H(fa2, b); csrwi fflags, 0;                  \
    insn a0, fa1, fa2; CHECK(a0, exp); CHECK_X(flags)
#define TEST_H_CLASS(n, a, exp)                                              \
    CASE(n); FLI_H(fa1, a); csrwi fflags, 0; fclass.h a0, fa1;               \
    CHECK(a0, exp); CHECK_X(0)
#define TEST_H_TOINT(n, insn, rm, a, exp, flags)                             \
    CASE(n); FLI_H(fa1, a); csrwi fflags, 0; insn a0, fa1, rm;               \
    CHECK(a0, exp); CHECK_X(flags)
#define TEST_H_FROMINT(n, insn, rm, x, exp, flags)                           \
    CASE(n); li a1, x; csrwi fflags, 0; insn fa0, a1, rm;                    \
    CHECK_F(fa0, BOXH(exp), flags)
/* fcvt.h.s / fcvt.h.d of a single (boxed) or double operand. */
#define TEST_H_FROM_S(n, rm, a, exp, flags)                                  \
    CASE(n); FLI_S(fa1, a); csrwi fflags, 0; fcvt.h.s fa0, fa1, rm;          \
    CHECK_F(fa0, BOXH(exp), flags)
#define TEST_H_FROM_D(n, rm, a, exp, flags)                                  \
    CASE(n); FLI_D(fa1, a); csrwi fflags, 0; fcvt.h.d fa0, fa1, rm;          \
    CHECK_F(fa0, BOXH(exp), flags)

TEST_BEGIN("zfh")
    .option norvc
    .option arch, +zfh
    FP_ENABLE

    /* ---- Zfhmin: moves, loads, stores, NaN boxing ---- */
    CASE(1)                         /* fmv.h.x takes the low 16 bits, boxes */
    li a1, 0x123456789abc3c00
    fmv.h.x fa0, a1
    fmv.x.d a0, fa0
    CHECK(a0, 0xffffffffffff3c00)
    CASE(2)                         /* fmv.x.h sign-extends bit 15 */
    FLI_H(fa1, 0x8001)
    fmv.x.h a0, fa1
    CHECK(a0, 0xffffffffffff8001)
    FLI_H(fa1, H_MAX)
    fmv.x.h a0, fa1
    CHECK(a0, 0x7bff)
    CASE(3)                         /* ... ignoring the boxing */
    li a1, 0x000000000000bc00
    fmv.d.x fa1, a1
    csrwi fflags, 0
    fmv.x.h a0, fa1
    CHECK(a0, 0xffffffffffffbc00)
    CHECK_X(0)
    CASE(4)                         /* flh boxes; fsh stores 16 raw bits */
    la a3, word
    flh fa0, 2(a3)                  /* the halfword 0xbc00 */
    fmv.x.d a0, fa0
    CHECK(a0, 0xffffffffffffbc00)
    li a1, 0x00000000aaaa5555       /* not a boxed half */
    fmv.d.x fa1, a1
    fsh fa1, 0(a3)
    ld a0, 0(a3)
    CHECK(a0, 0x1111bc005555)
    /* an improperly boxed input is the canonical NaN (quiet: no NV) */
    CASE(5)
    li a1, 0x0000000000003c00
    fmv.d.x fa1, a1
    FLI_H(fa2, H_ONE)
    csrwi fflags, 0
    fadd.h fa0, fa1, fa2, rne
    CHECK_F(fa0, BOXH(H_CNAN), 0)
    CASE(6)                         /* boxed as a single is not a boxed half */
    li a1, 0xffffffff00003c00
    fmv.d.x fa1, a1
    csrwi fflags, 0
    fcvt.s.h fa0, fa1
    CHECK_F(fa0, BOX(0x7fc00000), 0)
    CASE(7)                         /* sign injection reads the NaN too */
    li a1, 0xfffffffffff03c00
    fmv.d.x fa1, a1
    csrwi fflags, 0
    fsgnjn.h fa0, fa1, fa1          /* -(canonical NaN) */
    CHECK_F(fa0, BOXH(0xfe00), 0)
    CASE(8)
    li a1, 0x0000000000003c00
    fmv.d.x fa1, a1
    fclass.h a0, fa1
    CHECK(a0, 1 << 9)               /* quiet NaN */

    /* ---- Zfhmin: widening (exact) ---- */
    CASE(9)
    FLI_H(fa1, H_ONE)
    csrwi fflags, 0
    fcvt.s.h fa0, fa1
    CHECK_F(fa0, BOX(0x3f800000), 0)
    CASE(10)                        /* 2^-24: normal in binary32 */
    FLI_H(fa1, H_MINS)
    csrwi fflags, 0
    fcvt.s.h fa0, fa1
    CHECK_F(fa0, BOX(0x33800000), 0)
    CASE(11)                        /* a signalling NaN: canonical, NV */
    FLI_H(fa1, H_SNAN)
    csrwi fflags, 0
    fcvt.s.h fa0, fa1
    CHECK_F(fa0, BOX(0x7fc00000), NV)
    CASE(12)                        /* 65504 = 0x40effc0000000000 */
    FLI_H(fa1, H_MAX)
    csrwi fflags, 0
    fcvt.d.h fa0, fa1
    CHECK_F(fa0, 0x40effc0000000000, 0)
    CASE(13)
    FLI_H(fa1, H_NZERO)
    csrwi fflags, 0
    fcvt.d.h fa0, fa1
    CHECK_F(fa0, 0x8000000000000000, 0)
    CASE(14)
    FLI_H(fa1, 0xfe01)              /* a quiet NaN with a payload */
    csrwi fflags, 0
    fcvt.d.h fa0, fa1
    CHECK_F(fa0, 0x7ff8000000000000, 0)

    /* ---- Zfhmin: narrowing ---- */
    /* 1 + 2^-11 (single 0x3f801000): half way between 1 and 1 + 2^-10 */
    TEST_H_FROM_S(15, rne, 0x3f801000, 0x3c00, NX)
    TEST_H_FROM_S(16, rup, 0x3f801000, 0x3c01, NX)
    TEST_H_FROM_S(17, rmm, 0x3f801000, 0x3c01, NX)
    TEST_H_FROM_S(18, rtz, 0x3f801000, 0x3c00, NX)
    /* 65520 (single 0x477ff000): overflows to nearest, not towards zero */
    TEST_H_FROM_S(19, rne, 0x477ff000, H_INF, OF|NX)
    TEST_H_FROM_S(20, rtz, 0x477ff000, H_MAX, NX)
    TEST_H_FROM_S(21, rdn, 0x477ff000, H_MAX, NX)
    /* 2^16 (single 0x47800000) overflows in every mode */
    TEST_H_FROM_S(22, rtz, 0x47800000, H_MAX, OF|NX)
    TEST_H_FROM_S(23, rdn, 0xc7800000, H_NINF, OF|NX)
    /* 2^-24 exact; 2^-25, half the smallest subnormal: a tie to 0 (even) */
    TEST_H_FROM_S(24, rne, 0x33800000, H_MINS, 0)
    TEST_H_FROM_S(25, rne, 0x33000000, 0x0000, UF|NX)
    TEST_H_FROM_S(26, rup, 0x33000000, H_MINS, UF|NX)
    TEST_H_FROM_S(27, rdn, 0xb3000000, 0x8001, UF|NX)
    /*
     * Tininess after rounding. 2^-14 - 2^-26 (0x387ff000) is (1 - 2^-12)
     * 2^-14: with an unbounded exponent and 11 significant bits it is a tie
     * between 1 - 2^-11 and 1, to even: 2^-14, not tiny: NX only.
     * 2^-14 - 2^-25 (0x387fe000) = (1 - 2^-11) 2^-14 is exact with an
     * unbounded exponent, so tiny; as a subnormal it is the tie between
     * 0x03ff and 0x0400, to even 0x0400: UF and NX.
     */
    TEST_H_FROM_S(28, rne, 0x387ff000, H_MINN, NX)
    TEST_H_FROM_S(29, rne, 0x387fe000, H_MINN, UF|NX)
    /* NaNs: canonical; NV for a signalling one */
    TEST_H_FROM_S(30, rne, 0x7f800001, H_CNAN, NV)
    TEST_H_FROM_S(31, rne, 0x7fc12345, H_CNAN, 0)
    /* 1/3 = 0x3fd5555555555555: 1.0101010101|0101... x 2^-2, rounds down */
    TEST_H_FROM_D(32, rne, 0x3fd5555555555555, 0x3555, NX)
    TEST_H_FROM_D(33, rup, 0x3fd5555555555555, 0x3556, NX)
    TEST_H_FROM_D(34, rne, 0x40effe0000000000, H_INF, OF|NX)   /* 65520 */
    TEST_H_FROM_D(35, rne, 0x40effc0000000000, H_MAX, 0)       /* 65504 */
    CASE(36)                        /* dynamic rounding mode */
    FLI_S(fa1, 0x3f801000)
    csrwi frm, FRM_RUP
    csrwi fflags, 0
    fcvt.h.s fa0, fa1, dyn
    CHECK_F(fa0, BOXH(0x3c01), NX)
    csrwi frm, FRM_RNE

    /* ---- Zfh: arithmetic ---- */
    TEST_H_RR(40, fadd.h, rne, H_ONE, H_ONE, H_TWO, 0)
    /* 1 + 2^-11 (0x1000): the tie of case 15 */
    TEST_H_RR(41, fadd.h, rne, H_ONE, 0x1000, H_ONE, NX)
    TEST_H_RR(42, fadd.h, rup, H_ONE, 0x1000, 0x3c01, NX)
    TEST_H_RR(43, fadd.h, rne, H_MAX, H_MAX, H_INF, OF|NX)
    TEST_H_RR(44, fadd.h, rtz, H_MAX, H_MAX, H_MAX, OF|NX)
    TEST_H_RR(45, fsub.h, rne, H_ONE, H_ONE, 0x0000, 0)
    TEST_H_RR(46, fsub.h, rdn, H_ONE, H_ONE, H_NZERO, 0)
    TEST_H_RR(47, fadd.h, rne, H_INF, H_NINF, H_CNAN, NV)
    TEST_H_RR(48, fmul.h, rne, H_MAX, H_TWO, H_INF, OF|NX)
    /* 2^-14 * 0.5 = 2^-15 = 0x0200, a subnormal, exact: no UF */
    TEST_H_RR(49, fmul.h, rne, H_MINN, H_HALF, 0x0200, 0)
    /* 2^-24 * 0.5 = 2^-25: the tie of case 25 */
    TEST_H_RR(50, fmul.h, rne, H_MINS, H_HALF, 0x0000, UF|NX)
    TEST_H_RR(51, fmul.h, rup, H_MINS, H_HALF, H_MINS, UF|NX)
    TEST_H_RR(52, fmul.h, rne, H_INF, 0x0000, H_CNAN, NV)
    TEST_H_RR(53, fdiv.h, rne, H_ONE, 0x0000, H_INF, DZ)
    TEST_H_RR(54, fdiv.h, rne, 0x0000, 0x0000, H_CNAN, NV)
    /* 1/3 as in case 32 */
    TEST_H_RR(55, fdiv.h, rne, H_ONE, 0x4200, 0x3555, NX)
    TEST_H_RR(56, fadd.h, rne, H_SNAN, H_ONE, H_CNAN, NV)
    TEST_H_RR(57, fadd.h, rne, 0x7e55, H_ONE, H_CNAN, 0)
    TEST_H_R(58, fsqrt.h, rne, 0x4400, H_TWO, 0)               /* sqrt 4 */
    /* sqrt 2 = 1.0110101000|00100111...: rounds down to 0x3da8 */
    TEST_H_R(59, fsqrt.h, rne, H_TWO, 0x3da8, NX)
    TEST_H_R(60, fsqrt.h, rup, H_TWO, 0x3da9, NX)
    TEST_H_R(61, fsqrt.h, rne, H_NONE, H_CNAN, NV)
    TEST_H_R(62, fsqrt.h, rne, H_NZERO, H_NZERO, 0)

    /* ---- Zfh: fused multiply-add, one rounding ---- */
    /*
     * (1 + 2^-10)^2 = 1 + 2^-9 + 2^-20; minus (1 + 2^-9) (0xbc02) leaves
     * 2^-20 = 16 * 2^-24 = 0x0010, exact. Rounding the product first would
     * give 0.
     */
    TEST_H_RRR(70, fmadd.h, rne, 0x3c01, 0x3c01, 0xbc02, 0x0010, 0)
    TEST_H_RRR(71, fmsub.h, rne, 0x3c01, 0x3c01, 0x3c02, 0x0010, 0)
    TEST_H_RRR(72, fnmsub.h, rne, 0x3c01, 0x3c01, 0x3c02, 0x8010, 0)
    TEST_H_RRR(73, fnmadd.h, rne, 0x3c01, 0x3c01, 0xbc02, 0x8010, 0)
    TEST_H_RRR(74, fnmadd.h, rne, H_ONE, H_ONE, H_ONE, 0xc000, 0)
    TEST_H_RRR(75, fmadd.h, rne, H_INF, 0x0000, H_CNAN, H_CNAN, NV)
    TEST_H_RRR(76, fmadd.h, rne, H_MAX, H_TWO, H_NINF, H_NINF, 0)

    /* ---- Zfh: sign injection, min/max ---- */
    TEST_H_RR_NORM(80, fsgnj.h, H_ONE, H_NZERO, H_NONE, 0)
    TEST_H_RR_NORM(81, fsgnjn.h, H_ONE, H_ONE, H_NONE, 0)
    TEST_H_RR_NORM(82, fsgnjx.h, H_NONE, H_NONE, H_ONE, 0)
    TEST_H_RR_NORM(83, fsgnj.h, H_SNAN, H_NONE, 0xfc01, 0)      /* no NV */
    TEST_H_RR_NORM(84, fmin.h, H_NZERO, 0x0000, H_NZERO, 0)
    TEST_H_RR_NORM(85, fmax.h, H_NZERO, 0x0000, 0x0000, 0)
    TEST_H_RR_NORM(86, fmax.h, H_CNAN, H_ONE, H_ONE, 0)
    TEST_H_RR_NORM(87, fmin.h, H_SNAN, H_ONE, H_ONE, NV)
    TEST_H_RR_NORM(88, fmax.h, 0x7e55, 0xfe01, H_CNAN, 0)
    TEST_H_RR_NORM(89, fmin.h, H_NINF, H_MAX, H_NINF, 0)

    /* ---- Zfh: compare, classify ---- */
    TEST_H_CMP(90, feq.h, H_ONE, H_ONE, 1, 0)
    TEST_H_CMP(91, feq.h, H_NZERO, 0x0000, 1, 0)
    TEST_H_CMP(92, feq.h, H_CNAN, H_ONE, 0, 0)
    TEST_H_CMP(93, feq.h, H_SNAN, H_ONE, 0, NV)
    TEST_H_CMP(94, flt.h, H_CNAN, H_ONE, 0, NV)
    TEST_H_CMP(95, flt.h, H_MINS, H_MINN, 1, 0)
    TEST_H_CMP(96, fle.h, H_NZERO, 0x0000, 1, 0)
    TEST_H_CMP(97, flt.h, H_NZERO, 0x0000, 0, 0)
    TEST_H_CMP(98, fle.h, H_INF, H_MAX, 0, 0)
    TEST_H_CLASS(100, H_NINF, 1 << 0)
    TEST_H_CLASS(101, H_NONE, 1 << 1)
    TEST_H_CLASS(102, 0x8001, 1 << 2)
    TEST_H_CLASS(103, H_NZERO, 1 << 3)
    TEST_H_CLASS(104, 0x0000, 1 << 4)
    TEST_H_CLASS(105, 0x03ff, 1 << 5)
    TEST_H_CLASS(106, H_MINN, 1 << 6)
    TEST_H_CLASS(107, H_INF, 1 << 7)
    TEST_H_CLASS(108, H_SNAN, 1 << 8)
    TEST_H_CLASS(109, H_CNAN, 1 << 9)

    /* ---- Zfh: to and from the integers ---- */
    TEST_H_TOINT(110, fcvt.w.h, rne, H_MAX, 65504, 0)
    TEST_H_TOINT(111, fcvt.w.h, rdn, 0xc100, -3, NX)             /* -2.5 */
    TEST_H_TOINT(112, fcvt.w.h, rne, 0xc100, -2, NX)
    TEST_H_TOINT(113, fcvt.w.h, rmm, 0xc100, -3, NX)
    TEST_H_TOINT(114, fcvt.w.h, rne, H_CNAN, 0x7fffffff, NV)
    TEST_H_TOINT(115, fcvt.w.h, rne, H_NINF, 0xffffffff80000000, NV)
    TEST_H_TOINT(116, fcvt.wu.h, rne, H_NONE, 0, NV)
    TEST_H_TOINT(117, fcvt.wu.h, rtz, 0xbb00, 0, NX)             /* -0.875 */
    TEST_H_TOINT(118, fcvt.wu.h, rne, H_INF, 0xffffffffffffffff, NV)
    TEST_H_TOINT(119, fcvt.wu.h, rne, H_MAX, 65504, 0)
    TEST_H_TOINT(120, fcvt.l.h, rmm, 0x3e00, 2, NX)              /* 1.5 */
    TEST_H_TOINT(121, fcvt.l.h, rne, H_SNAN, 0x7fffffffffffffff, NV)
    TEST_H_TOINT(122, fcvt.lu.h, rne, H_INF, 0xffffffffffffffff, NV)
    TEST_H_TOINT(123, fcvt.lu.h, rup, H_MINS, 1, NX)
    /* 2049: a tie between 2048 (0x6800) and 2050 (0x6801), to even */
    TEST_H_FROMINT(124, fcvt.h.w, rne, 2049, 0x6800, NX)
    TEST_H_FROMINT(125, fcvt.h.w, rup, 2049, 0x6801, NX)
    /* 65519 rounds to 65504; 65520 is the overflow tie; towards zero not */
    TEST_H_FROMINT(126, fcvt.h.w, rne, 65519, H_MAX, NX)
    TEST_H_FROMINT(127, fcvt.h.w, rne, 65520, H_INF, OF|NX)
    TEST_H_FROMINT(128, fcvt.h.w, rtz, 65520, H_MAX, NX)
    TEST_H_FROMINT(129, fcvt.h.w, rtz, 65536, H_MAX, OF|NX)
    TEST_H_FROMINT(130, fcvt.h.w, rne, -1, H_NONE, 0)
    /* fcvt.h.wu reads the low 32 bits: 2^32 - 1 */
    TEST_H_FROMINT(131, fcvt.h.wu, rne, 0xffffffff, H_INF, OF|NX)
    TEST_H_FROMINT(132, fcvt.h.wu, rne, 0x100000003, 0x4200, 0)  /* 3 */
    TEST_H_FROMINT(133, fcvt.h.l, rdn, 0x8000000000000000, H_NINF, OF|NX)
    TEST_H_FROMINT(134, fcvt.h.lu, rne, 0, 0x0000, 0)

    /* ---- mstatus.FS Off: illegal ---- */
    li t0, MSTATUS_FS
    csrc mstatus, t0
    la a3, word
    CASE(140)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x00069507, flh fa0, 0(a3))
    CASE(141)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x04007553, fadd.h fa0, ft0, ft0)
    CASE(142)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0xe4000553, fmv.x.h a0, ft0)
    CASE(143)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x40200553, fcvt.s.h fa0, ft0)
TEST_END

    .data
    .balign 8
word:
    .dword 0x1111bc002222
