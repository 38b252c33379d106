/*
 * smp-ipi - inter-processor interrupts through the CLINT's msip registers
 * (-smp 2): hart 0 and hart 1 play ping-pong for many rounds (privileged
 * spec, "Machine Interrupt Registers": "MSIP is read-only in mip, and is
 * written by accesses to memory-mapped control registers, which are used by
 * remote harts to provide machine-level interprocessor interrupts. A hart
 * can write its own MSIP bit using the same memory-mapped control
 * register."; DESIGN.md: msip of hart h at CLINT + 4h).
 *
 * Each round: hart 0 writes 1 to hart 1's msip and waits (WFI, MIE = 1);
 * hart 1 wakes in its handler (mcause = interrupt 3), clears its own msip,
 * waits for its mip.MSIP to fall ("bounded amount of time"), counts the
 * round, and writes 1 to hart 0's msip; hart 0's handler counts it, hart 0
 * clears its msip, checks that both counts equal the round number, and
 * starts the next round. A lost or duplicated IPI shows up as a count that
 * is off, or as a time-out (2 s of mtime per round).
 */
#include "test.h"
#include "vm.h"

#define ROUNDS 200
#define MTIME_R(reg) li t5, CLINT_MTIME; ld reg, 0(t5)

TEST_BEGIN("smp-ipi")
    .option norvc

    CASE(1)
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    la a0, irq_mtrap
    csrw mtvec, a0
    li t5, CLINT_MSIP(0)
    sw zero, 0(t5)
    wait_csr mip, MIP_MSIP, 0
    /* hart 1 is up: it has installed its handler and enabled MSI */
    MTIME_R(s0)
    li a0, 20000000
    add s0, s0, a0
1:  la a1, h1_ready
    ld a0, 0(a1)
    bnez a0, 2f
    MTIME_R(a2)
    bltu a2, s0, 1b
2:  CHECK(a0, 1)
    la a1, h1_id
    ld a0, 0(a1)
    CHECK(a0, 1)

    CASE(2)                         /* the rounds */
    IRQ_RESET
    li s1, 1                        /* s1 = round */
3:  li t5, CLINT_MSIP(1)            /* ping */
    li a0, 1
    sw a0, 0(t5)
    csrsi mie, MIP_MSIP
    csrsi mstatus, MSTATUS_MIE
    MTIME_R(s0)
    li a0, 20000000
    add s0, s0, a0
4:  IRQ_COUNT(a0)                   /* wait for the pong */
    beq a0, s1, 5f
    wfi
    MTIME_R(a2)
    bltu a2, s0, 4b
5:  csrci mstatus, MSTATUS_MIE
    CHECK_REG(a0, s1)
    li t5, CLINT_MSIP(0)            /* hart 1 set it */
    lw a0, 0(t5)
    CHECK(a0, 1)
    sw zero, 0(t5)
    wait_csr mip, MIP_MSIP, 0
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    CHECK(a0, 0)
    la a1, h1_count                 /* hart 1 saw exactly this many */
    ld a0, 0(a1)
    CHECK_REG(a0, s1)
    la a1, h1_bad
    ld a0, 0(a1)
    CHECK(a0, 0)
    addi s1, s1, 1
    li a0, ROUNDS
    bleu s1, a0, 3b

    CASE(3)                         /* every interrupt of hart 0 was an MSI */
    IRQ_LOG(a0, 0, IRQ_CAUSE)
    li a1, INTR(IRQ_M_SOFT)
    CHECK_REG(a0, a1)
    IRQ_LOG(a0, 63, IRQ_CAUSE)
    CHECK_REG(a0, a1)
    IRQ_COUNT(a0)
    CHECK(a0, ROUNDS)
    TEST_END

/* Hart 1: count pings, answer each with a pong. */
    .globl test_secondary
test_secondary:
    li a1, 1
    bne a0, a1, 9f                  /* only hart 1 plays */
    la a1, h1_id
    csrr a2, mhartid
    sd a2, 0(a1)
    la a1, h1_handler
    csrw mtvec, a1
    csrsi mie, MIP_MSIP
    la a1, h1_ready
    li a2, 1
    fence rw, rw
    sd a2, 0(a1)
    csrsi mstatus, MSTATUS_MIE
1:  wfi
    j 1b
9:  wfi
    j 9b

    .balign 4
h1_handler:
    csrr t0, mcause
    li t1, INTR(IRQ_M_SOFT)
    beq t0, t1, 1f
    la t1, h1_bad                   /* anything else is counted as bad */
    ld t2, 0(t1)
    addi t2, t2, 1
    sd t2, 0(t1)
    mret
1:  li t1, CLINT_MSIP(1)            /* clear our msip, wait for MSIP to fall */
    sw zero, 0(t1)
    li t2, 10000000
2:  csrr t0, mip
    andi t0, t0, MIP_MSIP
    beqz t0, 3f
    addi t2, t2, -1
    bnez t2, 2b
3:  la t1, h1_count
    ld t2, 0(t1)
    addi t2, t2, 1
    sd t2, 0(t1)
    fence rw, rw
    li t1, CLINT_MSIP(0)            /* pong */
    li t2, 1
    sw t2, 0(t1)
    mret

    .data
    .balign 64
h1_ready: .dword 0
h1_id: .dword -1
h1_count: .dword 0
h1_bad: .dword 0

    IRQ_HANDLERS
