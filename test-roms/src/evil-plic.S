/*
 * evil-plic - a driver that misuses the PLIC (RISC-V PLIC specification,
 * "Interrupt Claim Process", "Interrupt Completion"): claims with nothing
 * pending, completions of sources never claimed or out of range, a claim
 * never completed, and a source stuck high that the handler completes
 * without servicing. The emulator must neither crash, nor hang, nor flood:
 * every check below finishes in a bounded number of instructions.
 *
 * Rules used:
 * - a claim "returns the ID of the highest-priority pending interrupt or
 *   zero if there is no pending interrupt";
 * - "If the completion ID does not match an interrupt source that is
 *   currently enabled for the target, the completion is silently ignored";
 * - a claimed source is not offered again before its completion (the
 *   gateway "will not forward an additional interrupt request until it
 *   receives an interrupt completion message"), while other sources are;
 * - a source whose line stays high: one interrupt under QEMU's gateway
 *   (rivet's default), a storm under the specification's level gateway
 *   (--plic-gateway level), which the handler here ends by giving in
 *   after 1000 interrupts. Either way the program goes on.
 *
 * Sources: the UART (10; THR empty, raised by enabling IER.THRI or by a
 * THR write) and the Goldfish RTC (11; an alarm 1 ms ahead, since QEMU
 * 7.2 never fires one set in the past). Context 0 (hart 0, M-mode).
 */
#include "test.h"
#include "vm.h"

#define PLIC_PENDING    (PLIC_BASE + 0x1000)
#define RTC_IRQ         11
#define RTC_BASE        0x101000
#define SPIN            200000

.macro spin n=SPIN
    li t6, \n
.Lspin\@:
    addi t6, t6, -1
    bnez t6, .Lspin\@
.endm

/* a0 = the claim register of context 0 (a claim) */
.macro claim
    li t0, PLIC_CLAIM(0)
    lw a0, 0(t0)
.endm

/* completes source id (a register) */
.macro complete id
    li t0, PLIC_CLAIM(0)
    sw \id, 0(t0)
.endm

/* a0 = the PLIC's pending word (sources 0-31) */
.macro pending
    li t0, PLIC_PENDING
    lw a0, 0(t0)
.endm

/* a0 = mip.MEIP */
.macro meip
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
.endm

TEST_BEGIN("evil-plic")
    CASE(1)
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    li t0, UART_BASE
    sb zero, UART_IER(t0)
    li t0, PLIC_PRIORITY(UART_IRQ)
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_PRIORITY(RTC_IRQ)
    sw t1, 0(t0)
    li t0, PLIC_THRESHOLD(0)
    sw zero, 0(t0)
    li t0, PLIC_ENABLE(0)
    li t1, (1 << UART_IRQ) | (1 << RTC_IRQ)
    sw t1, 0(t0)
    /* Nothing pending: claims return 0, again and again. */
    claim
    CHECK(a0, 0)
    claim
    CHECK(a0, 0)
    /* Completions of a source never claimed, of source 0, of a source past
       the last one and of a huge id: ignored, nothing becomes pending. */
    li a1, UART_IRQ
    complete a1
    complete zero
    li a1, 96
    complete a1
    li a1, -1
    complete a1
    pending
    CHECK(a0, 0)
    meip
    CHECK(a0, 0)
    claim
    CHECK(a0, 0)

    CASE(2)
    /* A claim never completed: the UART asks, is claimed, and asks again
       (THR writes); it is not offered while in service... */
    li t0, UART_BASE
    li t1, UART_IER_THRI
    sb t1, UART_IER(t0)
    claim
    CHECK(a0, UART_IRQ)
    li t0, UART_BASE
    li t1, '.'
    sb t1, 0(t0)
    sb t1, 0(t0)
    meip
    CHECK(a0, 0)
    claim
    CHECK(a0, 0)
    /* ... while another source is: the RTC's alarm, 1 ms ahead. */
    li t0, RTC_BASE
    lwu t1, 0x00(t0)                /* TIME_LOW latches TIME_HIGH */
    lwu t2, 0x04(t0)
    slli t2, t2, 32
    or t1, t1, t2
    li t2, 1000000
    add t1, t1, t2
    li t2, 1
    sw t2, 0x10(t0)                 /* IRQ_ENABLED */
    srli t2, t1, 32
    sw t2, 0x0c(t0)                 /* ALARM_HIGH */
    sw t1, 0x08(t0)                 /* ALARM_LOW */
    wait_csr mip, MIP_MEIP, MIP_MEIP, 50000000
    meip
    CHECK(a0, MIP_MEIP)
    claim
    CHECK(a0, RTC_IRQ)
    li t0, RTC_BASE
    li t1, 1
    sw t1, 0x1c(t0)                 /* CLEAR_INTERRUPT */
    li a1, RTC_IRQ
    complete a1
    /* The UART's completion at last: its request made in service is
       taken now. */
    li a1, UART_IRQ
    complete a1
    meip
    CHECK(a0, MIP_MEIP)
    claim
    CHECK(a0, UART_IRQ)
    li t0, UART_BASE
    lbu t1, UART_IIR(t0)            /* reports THR empty and resets it */
    sb zero, UART_IER(t0)
    li a1, UART_IRQ
    complete a1
    meip
    CHECK(a0, 0)

    CASE(3)
    /* A source stuck high, completed without being serviced: the handler
       counts in s0 and gives in (clears IER) after 1000. */
    la a0, stuck_m
    csrw mtvec, a0
    li s0, 0
    li s1, 1000
    li t0, MIP_MEIP
    csrs mie, t0
    li t0, UART_BASE
    li t1, UART_IER_THRI
    sb t1, UART_IER(t0)
    csrsi mstatus, MSTATUS_MIE
    spin
    csrci mstatus, MSTATUS_MIE
    /* 1 under QEMU's gateway; 1000 under the level gateway. */
    sltiu a0, s0, 1
    CHECK(a0, 0)
    sltiu a0, s0, 1001
    CHECK(a0, 1)
    csrw mie, zero
    la a0, rt_mtrap_entry
    csrw mtvec, a0
    li t0, UART_BASE
    sb zero, UART_IER(t0)
    TEST_END

    .balign 4
stuck_m:
    csrw mscratch, t0
    csrr t0, mcause
    bgez t0, 8f                     /* an exception: the harness */
    addi s0, s0, 1
    li t0, PLIC_CLAIM(0)
    lw s2, 0(t0)
    bltu s0, s1, 1f
    li t0, UART_BASE
    sb zero, UART_IER(t0)           /* give in */
1:  li t0, PLIC_CLAIM(0)
    sw s2, 0(t0)
    csrr t0, mscratch
    mret
8:  csrr t0, mscratch
    j rt_mtrap_entry
