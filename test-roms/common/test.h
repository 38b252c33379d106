/*
 * test.h - the test harness shared by every assembly test program.
 *
 * A program looks like this:
 *
 *     #include "test.h"
 *     TEST_BEGIN("rv64i-alu")
 *         CASE(1)                      // number the checks that follow
 *         li   a1, 2
 *         addi a0, a1, 3
 *         CHECK(a0, 5)                 // a0 must equal 5
 *         TRAP(CAUSE_BREAKPOINT, 0, ebreak)   // must trap (see below)
 *     TEST_END
 *
 * Reporting. TEST_END jumps to rt_pass; a failed check jumps to a failure
 * routine that reports "test n" where n is the number given to the latest
 * CASE. Both report through the riscv-tests HTIF word `tohost` (1 = pass,
 * (n << 1) | 1 = failure of test n) and then through the SiFive test finisher
 * (0x5555 = pass, 0x3333 | n << 16 = failure n), after one line on the UART.
 * Test numbers are 1..254, so that an exit status (which is n modulo 256)
 * names the failing case; 255 means "a trap nobody expected".
 *
 * Registers reserved by the harness, never to be used by a test:
 *     gp  (x3)  - the current test number (CASE)
 *     tp  (x4)  - points at the runtime context rt_ctx (trap expectations)
 *     t4..t6    - scratch of CHECK/TRAP (x29..x31)
 * Everything else, including sp and ra, is free for the test to use; the
 * trap handlers use neither sp nor mscratch/sscratch.
 *
 * Traps. The runtime's trap handlers (rt_mtrap_entry for M-mode, and
 * rt_strap_entry for tests that point stvec at it) treat any trap as a
 * failure unless an expectation is armed. An expectation says: which mode
 * must take the trap (M or S), the cause, the address of the trapping
 * instruction (epc), optionally the trap value, and where to resume. When
 * the trap matches, the handler records cause/epc/tval/status in rt_ctx
 * (readable with LAST_TRAP), disarms, and resumes - by default at the
 * instruction after the trapping one, whatever its length (2 or 4 bytes),
 * in the same privilege mode. The macros below arm the expectation right
 * before the instruction, so the expected epc is simply "the next
 * instruction":
 *
 *     TRAP(cause, tval, insn...)       insn must trap with this cause and tval
 *     TRAP_R(cause, reg, insn...)      same, expected tval taken from a register
 *     TRAP_ANYTVAL(cause, insn...)     tval not checked
 *     TRAP_EPC_OR_0(cause, insn...)    tval must be 0 or the address of insn
 *     TRAP_MAYBE(cause, tval, insn...) insn may trap (then cause and tval must
 *                                      match) or may complete; afterwards t6 is
 *                                      1 if it trapped, 0 if it completed
 *     TRAP_S(...), TRAP_S_R(...)        like TRAP/TRAP_R, but the trap must be
 *                                      taken by the S-mode handler (delegated)
 *     TRAP_MISALIGNED_R(cause, reg, insn...)        like TRAP_R, but for
 *     TRAP_MAYBE_MISALIGNED_R(cause, reg, insn...)  cause 4/6 the access
 *                                      fault 5/7 is accepted too
 *
 * For control transfers (a trap somewhere else, resuming somewhere else or in
 * another mode) use EXPECT_TRAP_AT, then perform the transfer yourself.
 */
#ifndef RIVET_TEST_H
#define RIVET_TEST_H

#include "encoding.h"

/* Layout of rt_ctx (tp points at it). */
#define RT_EXP_ARMED 0     /* 1 while an expectation is armed */
#define RT_EXP_CAUSE 8
#define RT_EXP_TVAL 16
#define RT_EXP_EPC 24
#define RT_EXP_FLAGS 32    /* RT_F_* below */
#define RT_EXP_MODE 40     /* privilege of the handler that must take it */
#define RT_EXP_RESUME 48   /* resume address when RT_F_RESUME_AT */
#define RT_EXP_PRV 56      /* resume privilege when RT_F_RESUME_PRV */
#define RT_EXP_LINE 64     /* source line of the expectation */
#define RT_LAST_CAUSE 72   /* what the latest trap looked like */
#define RT_LAST_EPC 80
#define RT_LAST_TVAL 88
#define RT_LAST_STATUS 96  /* mstatus or sstatus as seen by the handler */
#define RT_LAST_MODE 104   /* PRV_M or PRV_S: which handler ran */
#define RT_TRAP_COUNT 112
#define RT_SAVE_T0 120
#define RT_SAVE_T1 128
#define RT_SAVE_T2 136
#define RT_FAIL_LINE 144
#define RT_FAIL_GOT 152
#define RT_FAIL_EXP 160
#define RT_CTX_SIZE 256

#define RT_F_TVAL 1        /* check tval against RT_EXP_TVAL */
#define RT_F_TVAL_OR_0 2   /* ... or accept 0 */
#define RT_F_TVAL_IS_EPC 4 /* expected tval is the epc */
#define RT_F_RESUME_AT 8   /* resume at RT_EXP_RESUME instead of the next insn */
#define RT_F_RESUME_PRV 16 /* resume in privilege RT_EXP_PRV */
#define RT_F_OR_ACCESS_FAULT 32 /* also accept cause + 1: the access fault that
                                   the spec allows instead of a misaligned
                                   exception (4 -> 5, 6 -> 7) */

#define RT_EXIT_UNEXPECTED_TRAP 255

/* Secondary harts (crt0.S, rt_secondary): harts 1 .. RT_MAX_HARTS-1 run the
   program's test_secondary, if it defines one, each on a stack of its own. */
#define RT_MAX_HARTS 64
#define RT_SECONDARY_STACK 4096

/*
 * Checks where QEMU 7.2 does not do what the specification says are written
 *
 *     #ifndef QEMU_REFERENCE   // QEMU-divergent: <what QEMU does>
 *         ...the check, as the specification requires...
 *     #endif
 *
 * The real ROMs always contain them. run-on-qemu.sh additionally builds a
 * "QEMU reference" copy with -DQEMU_REFERENCE, which leaves them out, so that
 * every other check is still validated on QEMU. The README lists them.
 */

#ifdef __ASSEMBLER__

/* ---- program frame ---------------------------------------------------- */

#define TEST_BEGIN(name)                                                     \
    .pushsection .rodata; .globl rt_test_name; rt_test_name: .asciz name;    \
    .popsection; .text; .globl test_main; .type test_main, @function;        \
    test_main:

#define TEST_END j rt_pass

/* ---- checks ----------------------------------------------------------- */

#define CASE(n) rt_case n
#define CHECK(reg, val) rt_check reg, val, __LINE__
#define CHECK_REG(reg, reg2) rt_check_reg reg, reg2, __LINE__
/* reg must not be 0 */
#define CHECK_NZ(reg) rt_check_nz reg, __LINE__
/* Fail unconditionally: a point that must not be reached. */
#define FAIL_HERE() rt_fail_here __LINE__
/* Load a field of the latest trap record into reg (CAUSE, EPC, TVAL, STATUS, MODE). */
#define LAST_TRAP(reg, field) ld reg, RT_LAST_##field(tp)

.macro rt_case n
    .if (\n < 1) || (\n > 254)
    .error "test numbers must be 1..254"
    .endif
    li gp, \n
.endm

.macro rt_reserved_operand r
    .irp bad, t4, t5, t6, x29, x30, x31, gp, x3, tp, x4
    .ifc \r, \bad
    .error "CHECK operand is a register reserved by the harness"
    .endif
    .endr
.endm

.macro rt_check reg, val, line
    rt_reserved_operand \reg
    li t6, \val
    beq \reg, t6, .Lrt_ok\@
    mv t5, \reg
    li t4, \line
    j rt_fail_check
.Lrt_ok\@:
.endm

.macro rt_check_reg reg, reg2, line
    rt_reserved_operand \reg
    rt_reserved_operand \reg2
    beq \reg, \reg2, .Lrt_ok\@
    mv t5, \reg
    mv t6, \reg2
    li t4, \line
    j rt_fail_check
.Lrt_ok\@:
.endm

.macro rt_check_nz reg, line
    rt_reserved_operand \reg
    bnez \reg, .Lrt_ok\@
    li t4, \line
    j rt_fail_zero
.Lrt_ok\@:
.endm

.macro rt_fail_here line
    li t4, \line
    j rt_fail_reached
.endm

/* ---- trap expectations ------------------------------------------------ */

/*
 * Arm an expectation whose epc is the instruction right after this macro.
 * The expected tval must already be in t5.
 */
.macro rt_expect mode, cause, flags, line
    sd t5, RT_EXP_TVAL(tp)
    li t5, \cause
    sd t5, RT_EXP_CAUSE(tp)
    li t5, \mode
    sd t5, RT_EXP_MODE(tp)
    li t5, \flags
    sd t5, RT_EXP_FLAGS(tp)
    li t5, \line
    sd t5, RT_EXP_LINE(tp)
    la t5, .Lrt_at\@
    sd t5, RT_EXP_EPC(tp)
    li t5, 1
    sd t5, RT_EXP_ARMED(tp)
.Lrt_at\@:
.endm

/* Fail if the armed expectation was not consumed by a trap. */
.macro rt_trapped line
    ld t6, RT_EXP_ARMED(tp)
    beqz t6, .Lrt_ok\@
    sd zero, RT_EXP_ARMED(tp)
    li t4, \line
    j rt_fail_notrap
.Lrt_ok\@:
.endm

/* Disarm; t6 = 1 if the expectation was consumed by a trap, else 0. */
.macro rt_maybe_trapped
    ld t6, RT_EXP_ARMED(tp)
    sd zero, RT_EXP_ARMED(tp)
    xori t6, t6, 1
.endm

#define TRAP(cause, tval, ...)                                               \
    li t5, tval; rt_expect PRV_M, cause, RT_F_TVAL, __LINE__; __VA_ARGS__;   \
    rt_trapped __LINE__
#define TRAP_R(cause, reg, ...)                                              \
    mv t5, reg; rt_expect PRV_M, cause, RT_F_TVAL, __LINE__; __VA_ARGS__;    \
    rt_trapped __LINE__
#define TRAP_ANYTVAL(cause, ...)                                             \
    li t5, 0; rt_expect PRV_M, cause, 0, __LINE__; __VA_ARGS__;              \
    rt_trapped __LINE__
#define TRAP_EPC_OR_0(cause, ...)                                            \
    li t5, 0;                                                                \
    rt_expect PRV_M, cause, RT_F_TVAL | RT_F_TVAL_OR_0 | RT_F_TVAL_IS_EPC,   \
        __LINE__;                                                            \
    __VA_ARGS__; rt_trapped __LINE__
#define TRAP_MAYBE(cause, tval, ...)                                         \
    li t5, tval; rt_expect PRV_M, cause, RT_F_TVAL, __LINE__; __VA_ARGS__;   \
    rt_maybe_trapped
#define TRAP_MAYBE_R(cause, reg, ...)                                        \
    mv t5, reg; rt_expect PRV_M, cause, RT_F_TVAL, __LINE__; __VA_ARGS__;    \
    rt_maybe_trapped
#define TRAP_MISALIGNED_R(cause, reg, ...)                                   \
    mv t5, reg; rt_expect PRV_M, cause, RT_F_TVAL | RT_F_OR_ACCESS_FAULT,      \
        __LINE__;                                                            \
    __VA_ARGS__; rt_trapped __LINE__
#define TRAP_MAYBE_MISALIGNED_R(cause, reg, ...)                             \
    mv t5, reg; rt_expect PRV_M, cause, RT_F_TVAL | RT_F_OR_ACCESS_FAULT,      \
        __LINE__;                                                            \
    __VA_ARGS__; rt_maybe_trapped
#define TRAP_S(cause, tval, ...)                                             \
    li t5, tval; rt_expect PRV_S, cause, RT_F_TVAL, __LINE__; __VA_ARGS__;   \
    rt_trapped __LINE__
#define TRAP_S_R(cause, reg, ...)                                            \
    mv t5, reg; rt_expect PRV_S, cause, RT_F_TVAL, __LINE__; __VA_ARGS__;    \
    rt_trapped __LINE__

/*
 * EXPECT_TRAP_AT(mode, cause, tval, epc, resume, prv): the next trap must be
 * taken by the handler of privilege `mode` with this cause and tval (a
 * constant), at address `epc` (a label or absolute address); the handler
 * resumes at `resume` in privilege `prv`. Follow it with the control
 * transfer, and put TRAP_CONSUMED at `resume`.
 */
#define EXPECT_TRAP_AT(mode, cause, tval, epc, resume, prv)                  \
    rt_expect_at mode, cause, tval, la, epc, resume, prv, __LINE__
/* The same with `epc` an absolute address (a constant) instead of a label. */
#define EXPECT_TRAP_AT_ABS(mode, cause, tval, epc, resume, prv)              \
    rt_expect_at mode, cause, tval, li, epc, resume, prv, __LINE__
#define TRAP_CONSUMED rt_trapped __LINE__

.macro rt_expect_at mode, cause, tval, epcop, epc, resume, prv, line
    li t5, \tval
    sd t5, RT_EXP_TVAL(tp)
    li t5, \cause
    sd t5, RT_EXP_CAUSE(tp)
    li t5, \mode
    sd t5, RT_EXP_MODE(tp)
    li t5, RT_F_TVAL | RT_F_RESUME_AT | RT_F_RESUME_PRV
    sd t5, RT_EXP_FLAGS(tp)
    li t5, \line
    sd t5, RT_EXP_LINE(tp)
    \epcop t5, \epc
    sd t5, RT_EXP_EPC(tp)
    la t5, \resume
    sd t5, RT_EXP_RESUME(tp)
    li t5, \prv
    sd t5, RT_EXP_PRV(tp)
    li t5, 1
    sd t5, RT_EXP_ARMED(tp)
.endm

/* Leave M-mode for privilege prv at label target (mret with MPP = prv). */
#define ENTER_MODE(prv, target)                                              \
    li t5, MSTATUS_MPP; csrc mstatus, t5;                                    \
    li t5, (prv) << MSTATUS_MPP_SHIFT; csrs mstatus, t5;                     \
    la t5, target; csrw mepc, t5; mret

#endif /* __ASSEMBLER__ */
#endif
