/*
 * fp.h - helpers shared by the F/D test programs (f-*.S, d-*.S, fd-*.S,
 * fs-*.S). Include it after test.h.
 *
 * Every check of an FP operation looks at two things: the result bits (the
 * whole 64-bit f register, read back with fmv.x.d, so that single-precision
 * results are also checked to be NaN-boxed: upper 32 bits all ones) and the
 * accrued exception flags (fflags), which the macros clear right before the
 * operation. Inputs are written with fmv.w.x / fmv.d.x, which transfer bits
 * unchanged (and NaN-box single-precision values).
 *
 * Register use of the TEST_* macros: inputs in fa1, fa2, fa3; the FP result
 * in fa0; integer inputs in a1; results and flags read into a0 and a1; a7 is
 * scratch. Tests may use every other register.
 *
 * The runtime leaves mstatus.FS = Off; FP_ENABLE sets it to Initial.
 */
#ifndef RIVET_FP_H
#define RIVET_FP_H

/* mstatus.FS (bits 14:13) and SD (bit 63); privileged spec, mstatus. The
   same bits appear in sstatus. */
#ifndef MSTATUS_FS
#define MSTATUS_FS 0x6000
#endif
#define MSTATUS_FS_OFF 0x0000
#define MSTATUS_FS_INITIAL 0x2000
#define MSTATUS_FS_CLEAN 0x4000
#define MSTATUS_FS_DIRTY 0x6000
#ifndef MSTATUS_SD
#define MSTATUS_SD 0x8000000000000000
#endif

/* fflags (fcsr bits 4:0); unprivileged spec, "Accrued exception flag
   encoding". */
#define NV 0x10 /* invalid operation */
#define DZ 0x08 /* divide by zero */
#define OF 0x04 /* overflow */
#define UF 0x02 /* underflow */
#define NX 0x01 /* inexact */

/* frm values (fcsr bits 7:5); "Rounding mode encoding". */
#define FRM_RNE 0
#define FRM_RTZ 1
#define FRM_RDN 2
#define FRM_RUP 3
#define FRM_RMM 4

/* A single-precision value as the 64-bit register holds it (NaN-boxed). */
#define BOX(bits) (0xffffffff00000000 | (bits))

#ifdef __ASSEMBLER__

/* mstatus.FS := Initial (clobbers a7). */
#define FP_ENABLE                                                            \
    li a7, MSTATUS_FS; csrc mstatus, a7;                                     \
    li a7, MSTATUS_FS_INITIAL; csrs mstatus, a7; csrwi fcsr, 0

/* Load raw bits into an f register (a7 scratch). */
#define FLI_S(freg, bits) li a7, bits; fmv.w.x freg, a7
#define FLI_D(freg, bits) li a7, bits; fmv.d.x freg, a7

/* Check the f register's 64 bits (a0) and fflags (a1). */
#define CHECK_F(freg, bits64, flags)                                         \
    frflags a1; fmv.x.d a0, freg; CHECK(a0, bits64); CHECK(a1, flags)
/* Check an integer result (in a0) and fflags (a1). */
#define CHECK_X(flags) frflags a1; CHECK(a1, flags)

/*
 * Single precision. `rm` is a rounding-mode operand of the assembler:
 * rne, rtz, rdn, rup, rmm or dyn. The *_FRM forms set frm to `mode` first
 * and use the dynamic mode (rm = dyn); frm is left as it was set.
 * `exp` is the 32-bit result; the check expects it NaN-boxed.
 */
#define TEST_S_R(n, insn, rm, a, exp, flags)                                 \
    CASE(n); FLI_S(fa1, a); csrwi fflags, 0; insn fa0, fa1, rm;              \
    CHECK_F(fa0, BOX(exp), flags)
#define TEST_S_RR(n, insn, rm, a, b, exp, flags)                             \
    CASE(n); FLI_S(fa1, a); FLI_S(fa2, b); csrwi fflags, 0;                  \
    insn fa0, fa1, fa2, rm; CHECK_F(fa0, BOX(exp), flags)
#define TEST_S_RR_FRM(n, insn, mode, a, b, exp, flags)                        \
    CASE(n); FLI_S(fa1, a); FLI_S(fa2, b); csrwi frm, mode; csrwi fflags, 0;  \
    insn fa0, fa1, fa2, dyn; CHECK_F(fa0, BOX(exp), flags)
#define TEST_S_RRR(n, insn, rm, a, b, c, exp, flags)                         \
    CASE(n); FLI_S(fa1, a); FLI_S(fa2, b); FLI_S(fa3, c); csrwi fflags, 0;   \
    insn fa0, fa1, fa2, fa3, rm; CHECK_F(fa0, BOX(exp), flags)
#define TEST_S_RRR_FRM(n, insn, mode, a, b, c, exp, flags)                    \
    CASE(n); FLI_S(fa1, a); FLI_S(fa2, b); FLI_S(fa3, c); csrwi frm, mode;    \
    csrwi fflags, 0; insn fa0, fa1, fa2, fa3, dyn;                           \
    CHECK_F(fa0, BOX(exp), flags)
/* Two-operand instructions without a rounding mode (min/max, sign injection). */
#define TEST_S_RR_NORM(n, insn, a, b, exp, flags)                            \
    CASE(n); FLI_S(fa1, a); FLI_S(fa2, b); csrwi fflags, 0;                  \
    insn fa0, fa1, fa2; CHECK_F(fa0, BOX(exp), flags)
/* Comparisons: integer result. */
#define TEST_S_CMP(n, insn, a, b, exp, flags)                                \
    CASE(n); FLI_S(fa1, a); FLI_S(fa2, b); csrwi fflags, 0;                  \
    insn a0, fa1, fa2; CHECK(a0, exp); CHECK_X(flags)
#define TEST_S_CLASS(n, a, exp)                                              \
    CASE(n); FLI_S(fa1, a); csrwi fflags, 0; fclass.s a0, fa1;               \
    CHECK(a0, exp); CHECK_X(0)
/* Float to integer: `exp` is the full 64-bit value of rd. */
#define TEST_S_TOINT(n, insn, rm, a, exp, flags)                             \
    CASE(n); FLI_S(fa1, a); csrwi fflags, 0; insn a0, fa1, rm;               \
    CHECK(a0, exp); CHECK_X(flags)
/* Integer to float. */
#define TEST_S_FROMINT(n, insn, rm, x, exp, flags)                           \
    CASE(n); li a1, x; csrwi fflags, 0; insn fa0, a1, rm;                    \
    CHECK_F(fa0, BOX(exp), flags)

/* Double precision: the same shapes, 64-bit values. */
#define TEST_D_R(n, insn, rm, a, exp, flags)                                 \
    CASE(n); FLI_D(fa1, a); csrwi fflags, 0; insn fa0, fa1, rm;              \
    CHECK_F(fa0, exp, flags)
#define TEST_D_RR(n, insn, rm, a, b, exp, flags)                             \
    CASE(n); FLI_D(fa1, a); FLI_D(fa2, b); csrwi fflags, 0;                  \
    insn fa0, fa1, fa2, rm; CHECK_F(fa0, exp, flags)
#define TEST_D_RR_FRM(n, insn, mode, a, b, exp, flags)                        \
    CASE(n); FLI_D(fa1, a); FLI_D(fa2, b); csrwi frm, mode; csrwi fflags, 0;  \
    insn fa0, fa1, fa2, dyn; CHECK_F(fa0, exp, flags)
#define TEST_D_RRR(n, insn, rm, a, b, c, exp, flags)                         \
    CASE(n); FLI_D(fa1, a); FLI_D(fa2, b); FLI_D(fa3, c); csrwi fflags, 0;   \
    insn fa0, fa1, fa2, fa3, rm; CHECK_F(fa0, exp, flags)
#define TEST_D_RRR_FRM(n, insn, mode, a, b, c, exp, flags)                    \
    CASE(n); FLI_D(fa1, a); FLI_D(fa2, b); FLI_D(fa3, c); csrwi frm, mode;    \
    csrwi fflags, 0; insn fa0, fa1, fa2, fa3, dyn; CHECK_F(fa0, exp, flags)
#define TEST_D_RR_NORM(n, insn, a, b, exp, flags)                            \
    CASE(n); FLI_D(fa1, a); FLI_D(fa2, b); csrwi fflags, 0;                  \
    insn fa0, fa1, fa2; CHECK_F(fa0, exp, flags)
#define TEST_D_CMP(n, insn, a, b, exp, flags)                                \
    CASE(n); FLI_D(fa1, a); FLI_D(fa2, b); csrwi fflags, 0;                  \
    insn a0, fa1, fa2; CHECK(a0, exp); CHECK_X(flags)
#define TEST_D_CLASS(n, a, exp)                                              \
    CASE(n); FLI_D(fa1, a); csrwi fflags, 0; fclass.d a0, fa1;               \
    CHECK(a0, exp); CHECK_X(0)
#define TEST_D_TOINT(n, insn, rm, a, exp, flags)                             \
    CASE(n); FLI_D(fa1, a); csrwi fflags, 0; insn a0, fa1, rm;               \
    CHECK(a0, exp); CHECK_X(flags)
#define TEST_D_FROMINT(n, insn, rm, x, exp, flags)                           \
    CASE(n); li a1, x; csrwi fflags, 0; insn fa0, a1, rm;                    \
    CHECK_F(fa0, exp, flags)

/* Conversions between the formats. */
#define TEST_S_FROM_D(n, rm, a, exp, flags)                                  \
    CASE(n); FLI_D(fa1, a); csrwi fflags, 0; fcvt.s.d fa0, fa1, rm;          \
    CHECK_F(fa0, BOX(exp), flags)
#define TEST_D_FROM_S(n, a, exp, flags)                                      \
    CASE(n); FLI_S(fa1, a); csrwi fflags, 0; fcvt.d.s fa0, fa1;              \
    CHECK_F(fa0, exp, flags)

#endif /* __ASSEMBLER__ */
#endif
