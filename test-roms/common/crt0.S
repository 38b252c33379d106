/*
 * crt0.S - the runtime shared by every test program: entry, reporting
 * (HTIF tohost, then the SiFive test finisher), UART output and the trap
 * handlers that check trap expectations. See test.h for the conventions.
 */
#include "test.h"

/* ---- entry ------------------------------------------------------------- */

    .section .text.init, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* Entered in M-mode with a0 = hartid. Hart 0 runs the test; the others
       run the program's test_secondary, if it has one, or park (below). */
    bnez a0, rt_secondary
    .option push
    .option norelax
    la sp, rt_stack_top
    la tp, rt_ctx
    .option pop
    li gp, 0                        /* "test 0" = the runtime's own setup */
    la t0, rt_mtrap_entry
    csrw mtvec, t0
    csrw mie, zero
    csrci mstatus, MSTATUS_MIE
    /* Clear .bss (it holds rt_ctx). */
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:
    /* The runtime is set up (.bss is clear): let the other harts go. */
    fence rw, rw
    la t0, rt_secondary_go
    li t1, 1
    sd t1, 0(t0)
    fence rw, rw
    call test_main
    /* C programs return here: 0 = pass, otherwise the failing test number. */
    beqz a0, rt_pass
    mv gp, a0
    j rt_fail_returned

rt_park:
    wfi
    j rt_park

/*
 * Harts other than 0 (a0 = hartid). A program that defines
 *     void test_secondary(unsigned long hartid)    (entered with a0 = hartid)
 * gets every such hart with a hart id below RT_MAX_HARTS there, in M-mode,
 * once hart 0 has cleared .bss, with sp at the top of a stack of its own
 * (RT_SECONDARY_STACK bytes), tp = 0 (the harness context belongs to hart 0:
 * secondary harts use no CHECK/TRAP macro), interrupts disabled and mtvec at
 * rt_secondary_trap, which reports any trap as a failure (exit 255); the
 * program installs its own handler if it expects traps. test_secondary must
 * not return (if it does, the hart parks). Programs without test_secondary
 * keep the old behaviour: the hart parks in a wfi loop.
 */
rt_secondary:
    .option push
    .option norelax
    la t0, rt_secondary_entry
    .option pop
    ld t0, 0(t0)
    beqz t0, rt_park                /* no test_secondary: park */
    li t1, RT_MAX_HARTS
    bgeu a0, t1, rt_park
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    la t1, rt_secondary_trap
    csrw mtvec, t1
    li tp, 0
    li gp, 0
    la t1, rt_secondary_go
1:  ld t2, 0(t1)                    /* wait until hart 0 has set up the runtime */
    beqz t2, 1b
    fence rw, rw
    la sp, rt_secondary_stacks      /* sp = the top of this hart's stack */
    li t1, RT_SECONDARY_STACK
    mul t2, a0, t1
    add sp, sp, t2
    jalr t0                         /* test_secondary(a0 = hartid) */
    j rt_park

/* An unexpected trap on a secondary hart: report it and fail with 255. */
    .balign 4
rt_secondary_trap:
    la a0, rt_test_name
    call rt_puts
    la a0, rt_s_secondary
    call rt_puts
    csrr a0, mhartid
    call rt_putdec
    la a0, rt_s_colon
    call rt_puts
    la a0, rt_s_cause
    call rt_puts
    csrr a0, mcause
    call rt_puthex
    la a0, rt_s_epc
    call rt_puts
    csrr a0, mepc
    call rt_puthex
    la a0, rt_s_tval
    call rt_puts
    csrr a0, mtval
    call rt_puthex
    la a0, rt_s_nl
    call rt_puts
    li a0, RT_EXIT_UNEXPECTED_TRAP
    j rt_exit

/* ---- UART helpers (standard calling convention) ------------------------ */

    .text
    /* rt_putc(a0 = character); clobbers t0-t2. Waits for THRE, but only for
       a bounded number of polls so that a broken LSR cannot hang a test. */
    .globl rt_putc
    .type rt_putc, @function
rt_putc:
    li t0, UART_BASE
    li t1, 100000
1:  lbu t2, UART_LSR(t0)
    andi t2, t2, UART_LSR_THRE
    bnez t2, 2f
    addi t1, t1, -1
    bnez t1, 1b
2:  sb a0, 0(t0)
    ret

    /* rt_puts(a0 = NUL-terminated string); clobbers a0, a4, a5, t0-t2. */
    .globl rt_puts
    .type rt_puts, @function
rt_puts:
    mv a5, ra
    mv a4, a0
1:  lbu a0, 0(a4)
    beqz a0, 2f
    call rt_putc
    addi a4, a4, 1
    j 1b
2:  jr a5

    /* rt_puthex(a0 = value): "0x" and the hex digits without leading zeros;
       clobbers a0, a3-a5, t0-t3. */
    .globl rt_puthex
    .type rt_puthex, @function
rt_puthex:
    mv a5, ra
    mv a4, a0
    li a0, 48                       /* '0' */
    call rt_putc
    li a0, 120                      /* 'x' */
    call rt_putc
    li a3, 60
1:  beqz a3, 2f                     /* skip leading zero digits */
    srl t3, a4, a3
    andi t3, t3, 15
    bnez t3, 2f
    addi a3, a3, -4
    j 1b
2:  srl a0, a4, a3
    andi a0, a0, 15
    li t3, 10
    bltu a0, t3, 3f
    addi a0, a0, 39                 /* 'a' - '0' - 10 */
3:  addi a0, a0, 48
    call rt_putc
    addi a3, a3, -4
    bgez a3, 2b
    jr a5

    /* rt_putdec(a0 = unsigned value); clobbers a0, a3-a5, t0-t3. Uses no
       M instruction (shifts, adds and subtractions only), so that a ROM
       run without M (-cpu rv64,m=off) can still report its failures. */
    .globl rt_putdec
    .type rt_putdec, @function
rt_putdec:
    mv a5, ra
    mv a4, a0
    li a3, 1
1:  slli t0, a3, 3                  /* find the largest power of ten <= value */
    slli t1, a3, 1
    add t0, t0, t1                  /* t0 = 10 * a3 */
    bltu a4, t0, 2f
    bltu t0, a3, 2f                 /* 10 * a3 wrapped past 2^64 */
    mv a3, t0
    j 1b
2:  li a0, 48                       /* the digit: subtract a3 while it fits */
3:  bltu a4, a3, 4f
    sub a4, a4, a3
    addi a0, a0, 1
    j 3b
4:  call rt_putc
    li t3, 1
    beq a3, t3, 6f
5:  slli t0, t3, 3                  /* a3 / 10: the power of ten below it */
    slli t1, t3, 1
    add t0, t0, t1
    beq t0, a3, 7f
    mv t3, t0
    j 5b
7:  mv a3, t3
    j 2b
6:  jr a5

/* ---- pass and fail ----------------------------------------------------- */

/* Report the exit code in a0 (0 = pass) through tohost, then the finisher. */
rt_exit:
    bnez a0, 1f
    li t0, 1                        /* HTIF: 1 = pass */
    li t2, FINISHER_PASS
    j 2f
1:  slli t0, a0, 1                  /* HTIF: (n << 1) | 1 = fail n */
    ori t0, t0, 1
    slli t2, a0, 16                 /* finisher: 0x3333 | n << 16 */
    li t1, FINISHER_FAIL
    or t2, t2, t1
2:  la t1, tohost
    sd t0, 0(t1)
    fence
    li t1, FINISHER_BASE
    sw t2, 0(t1)
3:  j 3b

    .globl rt_pass
rt_pass:
    la a0, rt_test_name
    call rt_puts
    la a0, rt_s_pass
    call rt_puts
    li a0, 0
    j rt_exit

/* "<name>: FAIL test <gp>" */
.macro rt_fail_head
    la a0, rt_test_name
    call rt_puts
    la a0, rt_s_fail
    call rt_puts
    mv a0, gp
    call rt_putdec
.endm

/* " (line <RT_FAIL_LINE>): " */
.macro rt_fail_line
    la a0, rt_s_line
    call rt_puts
    ld a0, RT_FAIL_LINE(tp)
    call rt_putdec
    la a0, rt_s_colon
    call rt_puts
.endm

.macro rt_print str
    la a0, \str
    call rt_puts
.endm

.macro rt_print_hex off
    ld a0, \off(tp)
    call rt_puthex
.endm

/* A CHECK failed: t4 = line, t5 = value found, t6 = value expected. */
    .globl rt_fail_check
rt_fail_check:
    sd t4, RT_FAIL_LINE(tp)
    sd t5, RT_FAIL_GOT(tp)
    sd t6, RT_FAIL_EXP(tp)
    rt_fail_head
    rt_fail_line
    rt_print rt_s_got
    rt_print_hex RT_FAIL_GOT
    rt_print rt_s_expected
    rt_print_hex RT_FAIL_EXP
    rt_print rt_s_nl
    mv a0, gp
    j rt_exit

/* A CHECK_NZ failed: t4 = line. */
    .globl rt_fail_zero
rt_fail_zero:
    sd t4, RT_FAIL_LINE(tp)
    rt_fail_head
    rt_fail_line
    rt_print rt_s_zero
    mv a0, gp
    j rt_exit

/* An expected trap did not happen: t4 = line. */
    .globl rt_fail_notrap
rt_fail_notrap:
    sd t4, RT_FAIL_LINE(tp)
    rt_fail_head
    rt_fail_line
    rt_print rt_s_notrap
    rt_print_hex RT_EXP_CAUSE
    rt_print rt_s_nl
    mv a0, gp
    j rt_exit

/* FAIL_HERE: t4 = line. */
    .globl rt_fail_reached
rt_fail_reached:
    sd t4, RT_FAIL_LINE(tp)
    rt_fail_head
    rt_fail_line
    rt_print rt_s_reached
    mv a0, gp
    j rt_exit

/* A C test_main returned gp = nonzero. */
rt_fail_returned:
    rt_fail_head
    rt_print rt_s_nl
    mv a0, gp
    j rt_exit

/* Print " <M|S>-mode" for the privilege value in a0. */
rt_put_mode:
    mv a5, ra
    li t3, PRV_M
    li a4, 77                       /* 'M' */
    beq a0, t3, 1f
    li a4, 83                       /* 'S' */
1:  li a0, 32
    call rt_putc
    mv a0, a4
    call rt_putc
    la a0, rt_s_mode
    mv ra, a5
    j rt_puts

/* A trap arrived while an expectation was armed, but it does not match. */
rt_trap_mismatch:
    ld t0, RT_EXP_LINE(tp)
    sd t0, RT_FAIL_LINE(tp)
    rt_fail_head
    rt_fail_line
    rt_print rt_s_trap_cause
    rt_print_hex RT_LAST_CAUSE
    rt_print rt_s_epc
    rt_print_hex RT_LAST_EPC
    rt_print rt_s_tval
    rt_print_hex RT_LAST_TVAL
    ld a0, RT_LAST_MODE(tp)
    call rt_put_mode
    rt_print rt_s_nl
    rt_print rt_s_exp_cause
    rt_print_hex RT_EXP_CAUSE
    rt_print rt_s_epc
    rt_print_hex RT_EXP_EPC
    ld t0, RT_EXP_FLAGS(tp)
    andi t0, t0, RT_F_TVAL
    beqz t0, 1f
    rt_print rt_s_tval
    rt_print_hex RT_EXP_TVAL
1:  ld a0, RT_EXP_MODE(tp)
    call rt_put_mode
    rt_print rt_s_nl
    mv a0, gp
    j rt_exit

/* A trap arrived and nobody expected one. */
rt_trap_unexpected:
    rt_print rt_test_name
    rt_print rt_s_unexpected
    mv a0, gp
    call rt_putdec
    rt_print rt_s_colon
    rt_print rt_s_cause
    rt_print_hex RT_LAST_CAUSE
    rt_print rt_s_epc
    rt_print_hex RT_LAST_EPC
    rt_print rt_s_tval
    rt_print_hex RT_LAST_TVAL
    ld a0, RT_LAST_MODE(tp)
    call rt_put_mode
    rt_print rt_s_nl
    li a0, RT_EXIT_UNEXPECTED_TRAP
    j rt_exit

/* ---- trap handlers ----------------------------------------------------- */

/*
 * One handler per privilege level x (m, s), identical apart from the CSRs.
 * Uses only t0-t2 (saved in rt_ctx) and tp; never the stack or xscratch, so
 * tests may use sp and mscratch freely.
 */
.macro rt_trap_handler x, prv, ppshift, ppmask
    .balign 256                     /* also a legal vectored-mode BASE */
    .globl rt_\x\()trap_entry
rt_\x\()trap_entry:
    sd t0, RT_SAVE_T0(tp)
    sd t1, RT_SAVE_T1(tp)
    sd t2, RT_SAVE_T2(tp)
    csrr t0, \x\()cause
    sd t0, RT_LAST_CAUSE(tp)
    csrr t0, \x\()epc
    sd t0, RT_LAST_EPC(tp)
    csrr t0, \x\()tval
    sd t0, RT_LAST_TVAL(tp)
    csrr t0, \x\()status
    sd t0, RT_LAST_STATUS(tp)
    li t0, \prv
    sd t0, RT_LAST_MODE(tp)
    ld t0, RT_TRAP_COUNT(tp)
    addi t0, t0, 1
    sd t0, RT_TRAP_COUNT(tp)
    ld t0, RT_EXP_ARMED(tp)
    beqz t0, rt_trap_unexpected
    sd zero, RT_EXP_ARMED(tp)
    ld t0, RT_LAST_CAUSE(tp)
    ld t1, RT_EXP_CAUSE(tp)
    beq t0, t1, 6f
    ld t2, RT_EXP_FLAGS(tp)         /* misaligned: the access fault will do */
    andi t2, t2, RT_F_OR_ACCESS_FAULT
    beqz t2, rt_trap_mismatch
    addi t1, t1, 1
    bne t0, t1, rt_trap_mismatch
6:  ld t1, RT_EXP_MODE(tp)
    li t0, \prv
    bne t0, t1, rt_trap_mismatch
    ld t0, RT_LAST_EPC(tp)
    ld t1, RT_EXP_EPC(tp)
    bne t0, t1, rt_trap_mismatch
    ld t2, RT_EXP_FLAGS(tp)
    andi t0, t2, RT_F_TVAL
    beqz t0, 2f
    ld t1, RT_EXP_TVAL(tp)
    andi t0, t2, RT_F_TVAL_IS_EPC
    beqz t0, 1f
    ld t1, RT_EXP_EPC(tp)
1:  ld t0, RT_LAST_TVAL(tp)
    beq t0, t1, 2f
    andi t1, t2, RT_F_TVAL_OR_0
    beqz t1, rt_trap_mismatch
    bnez t0, rt_trap_mismatch
2:  andi t0, t2, RT_F_RESUME_AT
    beqz t0, 3f
    ld t0, RT_EXP_RESUME(tp)
    j 4f
3:  ld t0, RT_LAST_EPC(tp)          /* skip the trapping instruction: */
    lhu t1, 0(t0)                   /* 4 bytes if its low bits are 11, else 2 */
    addi t0, t0, 2
    andi t1, t1, 3
    addi t1, t1, -3
    bnez t1, 4f
    addi t0, t0, 2
4:  csrw \x\()epc, t0
    andi t0, t2, RT_F_RESUME_PRV
    beqz t0, 5f
    li t0, \ppmask
    csrc \x\()status, t0
    ld t0, RT_EXP_PRV(tp)
    slli t0, t0, \ppshift
    csrs \x\()status, t0
5:  ld t0, RT_SAVE_T0(tp)
    ld t1, RT_SAVE_T1(tp)
    ld t2, RT_SAVE_T2(tp)
    \x\()ret
.endm

    rt_trap_handler m, PRV_M, MSTATUS_MPP_SHIFT, MSTATUS_MPP
    rt_trap_handler s, PRV_S, SSTATUS_SPP_SHIFT, MSTATUS_SPP

/* ---- data -------------------------------------------------------------- */

    .section .rodata
rt_s_pass:       .asciz ": PASS\n"
rt_s_fail:       .asciz ": FAIL test "
rt_s_line:       .asciz " (line "
rt_s_colon:      .asciz "): "
rt_s_got:        .asciz "got "
rt_s_expected:   .asciz ", expected "
rt_s_notrap:     .asciz "expected a trap with cause "
rt_s_reached:    .asciz "reached code that must not run\n"
rt_s_zero:       .asciz "got 0, expected a nonzero value\n"
rt_s_trap_cause: .asciz "trap cause "
rt_s_exp_cause:  .asciz "  expected cause "
rt_s_cause:      .asciz "cause "
rt_s_epc:        .asciz " epc "
rt_s_tval:       .asciz " tval "
rt_s_mode:       .asciz "-mode"
rt_s_unexpected: .asciz ": FAIL unexpected trap (in test "
rt_s_nl:         .asciz "\n"
rt_s_secondary:  .asciz ": FAIL unexpected trap on hart "

    /* test_secondary, or 0 for programs without one (weak reference). */
    .weak test_secondary
    .balign 8
rt_secondary_entry: .dword test_secondary

    /* Set by hart 0 once .bss is clear; outside .bss so that it starts 0. */
    .data
    .balign 8
rt_secondary_go: .dword 0

    /* HTIF words, each in its own 64-byte block (riscv-tests convention). */
    .section .tohost, "aw", @progbits
    .balign 64
    .globl tohost
tohost: .dword 0
    .balign 64
    .globl fromhost
fromhost: .dword 0
    .balign 64

    .bss
    .balign 64
    .globl rt_ctx
rt_ctx: .zero RT_CTX_SIZE
    /* Stacks of harts 1 .. RT_MAX_HARTS-1; hart h's top is at
       rt_secondary_stacks + h * RT_SECONDARY_STACK. Outside .bss, so that
       hart 0 does not spend 252 KiB of stores clearing them before the
       test starts (a stack needs no clearing). */
    .section .secondary_stacks, "aw", @nobits
    .balign 16
    .zero RT_SECONDARY_STACK * (RT_MAX_HARTS - 1)
rt_secondary_stacks_end:
    .equ rt_secondary_stacks, rt_secondary_stacks_end - RT_SECONDARY_STACK * (RT_MAX_HARTS - 1)
