/*
 * irq-uart-xv6 - the 16550's interrupts through the PLIC, driven the way
 * xv6-riscv drives them, on the gateway behaviour of QEMU's `virt` board
 * (rivet's default; devices/src/plic.rs explains the choice).
 *
 * xv6 enables both the receive and the transmit-empty interrupt (IER =
 * RDI | THRI) and its handler never reads IIR: it polls LSR, reads RBR
 * while data is ready, sends more if it has any, and completes the claim.
 * When it has nothing to send, the 16550's THRE condition stays set (the
 * data sheet resets it only by an IIR read that reports it, or a THR
 * write), so the line stays high. QEMU's PLIC forwards nothing at the
 * completion of a source whose line is still high; it latches a new
 * request each time the device updates its line high (a byte sent, a byte
 * received, RBR read with more data waiting), pending until claimed even
 * if the device lowers its line meanwhile. The PLIC specification's level
 * gateway instead forwards a still-high line again at every completion:
 * run with `--plic-gateway level`, this ROM fails case 2 (the handler
 * gives in after 1000 interrupts instead of livelocking).
 *
 * The handler runs in M-mode (context 0), counts interrupts in s0, claims
 * with s1 counting claims that did not return the UART (10), stores
 * received bytes at s3 (all of them, or one per interrupt when s4 != 0),
 * gives in after s2 interrupts by clearing IER, and completes. s5-s7 are
 * its scratch; t0 is saved in mscratch.
 */
#include "test.h"
#include "vm.h"

#define PLIC_PENDING    (PLIC_BASE + 0x1000)
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_IER_RDI    0x01
#define UART_LSR_DR     0x01
#define UART_MCR_LOOP   0x10
#define IIR_ID_THRE     0x02
#define SPIN            200000

/* Runs n iterations of a two-instruction loop (time for interrupts). */
.macro spin n=SPIN
    li t6, \n
.Lspin\@:
    addi t6, t6, -1
    bnez t6, .Lspin\@
.endm

/* a0 = the PLIC's pending bit of the UART */
.macro uart_pending_bit
    li t0, PLIC_PENDING
    lw a0, 0(t0)
    srli a0, a0, UART_IRQ
    andi a0, a0, 1
.endm

/* Sends the byte c as xv6's uartputc_sync does: wait for THRE, write THR. */
.macro uart_send c
    li t0, UART_BASE
    li t1, 100000
.Lwait\@:
    lbu t2, UART_LSR(t0)
    andi t2, t2, UART_LSR_THRE
    bnez t2, .Lsend\@
    addi t1, t1, -1
    bnez t1, .Lwait\@
.Lsend\@:
    li t2, \c
    sb t2, 0(t0)
.endm

TEST_BEGIN("irq-uart-xv6")
    CASE(1)
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    la a0, uart_m
    csrw mtvec, a0
    /* xv6's uartinit: interrupts off, 8N1, FIFO on and cleared (trigger 1). */
    li t0, UART_BASE
    sb zero, UART_IER(t0)
    li t1, 0x03
    sb t1, UART_LCR(t0)
    li t1, 0x07
    sb t1, UART_FCR(t0)
    /* PLIC: the UART at priority 1, context 0 (hart 0 M) threshold 0. */
    li t0, PLIC_PRIORITY(UART_IRQ)
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_THRESHOLD(0)
    sw zero, 0(t0)
    li t0, PLIC_ENABLE(0)
    li t1, 1 << UART_IRQ
    sw t1, 0(t0)
    li s0, 0
    li s1, 0
    li s2, 1000
    la s3, rxbuf
    li s4, 0
    li t0, MIP_MEIP
    csrs mie, t0
    uart_pending_bit
    CHECK(a0, 0)                    /* IER = 0: no request yet */

    CASE(2)
    /* IER = RDI | THRI with THR empty: one request, one interrupt; the
       handler leaves THRE asserted and no further interrupt follows. */
    li t0, UART_BASE
    li t1, UART_IER_THRI | UART_IER_RDI
    sb t1, UART_IER(t0)
    csrsi mstatus, MSTATUS_MIE
    spin
    CHECK(s0, 1)
    CHECK(s1, 0)

    CASE(3)
    /* A byte sent: THR emptied again, one new request. */
    uart_send '+'
    spin
    CHECK(s0, 2)
    CHECK(s1, 0)
    /* Sent with interrupts off: the request waits in the PLIC. */
    csrci mstatus, MSTATUS_MIE
    uart_send '+'
    spin 1000
    CHECK(s0, 2)
    uart_pending_bit
    CHECK(a0, 1)
    csrsi mstatus, MSTATUS_MIE
    spin
    CHECK(s0, 3)
    CHECK(s1, 0)

    CASE(4)
    /* Loopback: three bytes received, read one per interrupt. Each RBR
       read with data left is a new request: no byte is left behind. */
    csrci mstatus, MSTATUS_MIE
    li t0, UART_BASE
    li t1, UART_IER_RDI
    sb t1, UART_IER(t0)
    li t1, UART_MCR_LOOP
    sb t1, UART_MCR(t0)
    li t1, 'x'
    sb t1, 0(t0)
    li t1, 'y'
    sb t1, 0(t0)
    li t1, 'z'
    sb t1, 0(t0)
    li s0, 0
    li s4, 1
    la s3, rxbuf
    csrsi mstatus, MSTATUS_MIE
    spin
    CHECK(s0, 3)
    CHECK(s1, 0)
    la a1, rxbuf
    lbu a0, 0(a1)
    CHECK(a0, 'x')
    lbu a0, 1(a1)
    CHECK(a0, 'y')
    lbu a0, 2(a1)
    CHECK(a0, 'z')
    li t0, UART_BASE
    lbu a0, UART_LSR(t0)
    andi a0, a0, UART_LSR_DR
    CHECK(a0, 0)

    CASE(5)
    /* The device lowers its line (an IIR read reports THRE and resets it)
       before the request is claimed: the request stays ("The gateway does
       not have the facility to retract an interrupt request once
       forwarded", PLIC specification) and is taken once; the handler
       finds nothing to do, and nothing follows. */
    csrci mstatus, MSTATUS_MIE
    li t0, UART_BASE
    sb zero, UART_MCR(t0)
    li t1, UART_IER_THRI
    sb t1, UART_IER(t0)
    uart_pending_bit
    CHECK(a0, 1)
    li t0, UART_BASE
    lbu a0, UART_IIR(t0)
    andi a0, a0, 0x0f
    CHECK(a0, IIR_ID_THRE)
    uart_pending_bit
    CHECK(a0, 1)
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    CHECK(a0, MIP_MEIP)
    li s0, 0
    csrsi mstatus, MSTATUS_MIE
    spin
    CHECK(s0, 1)
    CHECK(s1, 0)
    uart_pending_bit
    CHECK(a0, 0)

    csrci mstatus, MSTATUS_MIE
    li t0, UART_BASE
    sb zero, UART_IER(t0)
    csrw mie, zero
    la a0, rt_mtrap_entry
    csrw mtvec, a0
    TEST_END

    .balign 4
uart_m:
    csrw mscratch, t0
    csrr t0, mcause
    li s5, INTR(IRQ_M_EXT)
    bne t0, s5, 8f
    addi s0, s0, 1
    li s5, PLIC_CLAIM(0)
    lw s6, 0(s5)
    li t0, UART_IRQ
    beq s6, t0, 1f
    addi s1, s1, 1
1:  li t0, UART_BASE
2:  lbu s7, UART_LSR(t0)
    andi s7, s7, UART_LSR_DR
    beqz s7, 3f
    lbu s7, 0(t0)
    sb s7, 0(s3)
    addi s3, s3, 1
    beqz s4, 2b
3:  bltu s0, s2, 4f
    sb zero, UART_IER(t0)           /* give in */
4:  beqz s6, 5f
    sw s6, 0(s5)
5:  csrr t0, mscratch
    mret
8:  csrr t0, mscratch               /* not the UART: the harness */
    j rt_mtrap_entry

    .data
rxbuf:
    .space 64
