/*
 * uart-echo - a guest for the monitor and character-device tests
 * (frontend/tests/chardev.rs): greets on the UART, then echoes every byte
 * it receives, lower-case letters turned to upper case (so an echo is told
 * apart from a terminal's), until it receives 'q', and passes.
 *
 * It holds known values for the monitor to show: s2 = 0x1122334455667788,
 * s3 = 0xfedcba9876543210, s4 = the address of `known` (four dwords below),
 * s5 = the number of bytes received so far. It sleeps in wfi between bytes
 * (the UART's receive interrupt through the PLIC, context 0, with
 * mstatus.MIE clear: wfi wakes, no trap is taken), so the host is idle.
 */
#include "test.h"
#include "vm.h"

#define UART_LSR_DR     0x01
#define UART_IER_RDI    0x01

    .data
    .balign 8
    .globl known
known:
    .dword 0x0123456789abcdef
    .dword 0xdeadbeefcafef00d
    .ascii "rivet!\n\0"
    .dword 42

    .section .rodata
banner:
    .asciz "uart-echo ready\n"

TEST_BEGIN("uart-echo")
    CASE(1)
    la a0, banner
    call rt_puts
    li s2, 0x1122334455667788
    li s3, 0xfedcba9876543210
    la s4, known
    li s5, 0
    /* The UART's receive interrupt, to PLIC context 0 (hart 0, M-mode). */
    li t0, UART_BASE
    li t1, UART_IER_RDI
    sb t1, UART_IER(t0)
    li t0, PLIC_PRIORITY(UART_IRQ)
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_ENABLE(0)
    li t1, 1 << UART_IRQ
    sw t1, 0(t0)
    li t0, PLIC_THRESHOLD(0)
    sw zero, 0(t0)
    li t0, 1 << IRQ_M_EXT
    csrs mie, t0
    li s6, UART_BASE
    li s7, PLIC_CLAIM(0)
    j drain
    /* Claim and complete first, then drain: a byte that comes after the
     * last look at LSR raises a new request, which wakes the next wfi. */
wait:
    wfi
    lw s8, 0(s7)                /* claim */
    beqz s8, drain
    sw s8, 0(s7)                /* complete */
drain:
    lbu t1, UART_LSR(s6)
    andi t1, t1, UART_LSR_DR
    beqz t1, wait
    lbu s9, 0(s6)
    addi s5, s5, 1
    li t1, 'q'
    beq s9, t1, quit
    li t1, 'a'
    blt s9, t1, 1f
    li t1, 'z'
    bgt s9, t1, 1f
    addi s9, s9, 'A' - 'a'
1:  mv a0, s9
    call rt_putc
    j drain
quit:
TEST_END
