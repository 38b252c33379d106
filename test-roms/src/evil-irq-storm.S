/*
 * evil-irq-storm - interrupt storms: an interrupt that stays pending while
 * its handler returns at once (the hart makes no progress until the
 * handler gives in), and an interrupt raised by every other instruction.
 * The emulator must take every one of them, at the right place, and
 * neither crash nor hang (privileged spec, "Machine Interrupt Registers",
 * "Supervisor Interrupt Registers").
 *
 * Rules used:
 * - the interrupt conditions "must also be evaluated immediately following
 *   the execution of an xRET instruction or an explicit write to a CSR on
 *   which these interrupt trap conditions expressly depend (including mip,
 *   mie, mstatus, and mideleg)": an interrupt still pending and enabled
 *   when the handler returns is taken again before the interrupted
 *   instruction runs (same epc); one made pending by a write to mip/sip is
 *   taken before the next instruction (epc = that instruction);
 * - a pending bit from a device falls "in a bounded amount of time" after
 *   the device is told (CLINT msip = 0, mtimecmp in the future): the
 *   handlers wait for it before returning.
 * Storms: N = 5000 MSIs (msip held at 1), N timer interrupts (mtimecmp =
 * 0), 3000 SSIs made by "csrsi mip" in an M-mode loop, 3000 by "csrsi sip"
 * in an S-mode loop (delegated), and 3000 ECALLs for good measure.
 */
#include "test.h"
#include "vm.h"

#define N 5000
#define K 3000

TEST_BEGIN("evil-irq-storm")
    .option norvc

    CASE(1)
    PMP_ALLOW_ALL
    csrci mstatus, MSTATUS_MIE | MSTATUS_SIE
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    li t5, CLINT_MTIMECMP(0)
    li a0, -1
    sd a0, 0(t5)
    la a0, storm_m
    csrw mtvec, a0
    la a0, storm_s
    csrw stvec, a0

    /* ---- msip held high: N interrupts at the same instruction ---- */
    CASE(2)
    li s0, 0                        /* count */
    li s1, 0                        /* epc mismatches */
    li s2, N                        /* give in after N */
    la s3, 1f                       /* the epc every one must have */
    li t5, CLINT_MSIP(0)
    li a0, 1
    sw a0, 0(t5)
    wait_csr mip, MIP_MSIP, MIP_MSIP
    csrsi mie, MIP_MSIP
    csrsi mstatus, MSTATUS_MIE
1:  csrci mstatus, MSTATUS_MIE
    CHECK(s0, N)
    CHECK(s1, 0)
    csrw mie, zero

    /* ---- mtimecmp = 0: N timer interrupts ---- */
    CASE(3)
    li s0, 0
    li s1, 0
    la s3, 1f
    li t5, CLINT_MTIMECMP(0)
    sd zero, 0(t5)
    wait_csr mip, MIP_MTIP, MIP_MTIP
    li a0, MIP_MTIP
    csrs mie, a0
    csrsi mstatus, MSTATUS_MIE
1:  csrci mstatus, MSTATUS_MIE
    CHECK(s0, N)
    CHECK(s1, 0)
    csrw mie, zero

    /* ---- an interrupt after every csrsi: SSIs in an M-mode loop ---- */
    CASE(4)
    li s0, 0
    li s1, 0
    li s2, -1                       /* (the handler clears SSIP itself) */
    la s3, 2f
    csrsi mie, MIP_SSIP
    csrsi mstatus, MSTATUS_MIE
    li s4, 0
    li s5, K
1:  csrsi mip, MIP_SSIP
2:  addi s4, s4, 1
    bltu s4, s5, 1b
    csrci mstatus, MSTATUS_MIE
    CHECK(s0, K)
    CHECK(s1, 0)
    CHECK(s4, K)
    csrw mie, zero

    /* ---- the same in S-mode, delegated, with csrsi sip ---- */
    CASE(5)
    li s0, 0
    li s1, 0
    la s3, 2f
    li a0, MIP_SSIP
    csrw mideleg, a0
    csrsi mie, MIP_SSIP
    csrsi mstatus, MSTATUS_SIE
    ENTER_MODE(PRV_S, 3f)
3:  li s4, 0
    li s5, K
1:  csrsi sip, MIP_SSIP
2:  addi s4, s4, 1
    bltu s4, s5, 1b
    csrci sstatus, MSTATUS_SIE
    CHECK(s0, K)
    CHECK(s1, 0)
    CHECK(s4, K)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 4f)
4:  TRAP_CONSUMED
    csrw mideleg, zero
    csrw mie, zero

    /* ---- K ECALLs, each resuming after itself ---- */
    CASE(6)
    la a0, ecall_m
    csrw mtvec, a0
    li s0, 0
    li s4, K
1:  ecall
    addi s4, s4, -1
    bnez s4, 1b
    CHECK(s0, K)
    la a0, rt_mtrap_entry
    csrw mtvec, a0
    TEST_END

/* The M-mode storm handler: s0 += 1; epc must be s3 (else s1 += 1).
   MSI: after s2 interrupts, clear msip and wait for MSIP to fall. MTI: the
   same with mtimecmp. SSI: clear SSIP. Anything else: fail. */
    .balign 4
storm_m:
    csrw mscratch, t0
    addi s0, s0, 1
    csrr t0, mepc
    beq t0, s3, 1f
    addi s1, s1, 1
1:  csrr t0, mcause
    addi t0, t0, -IRQ_M_SOFT
    slli t0, t0, 1                  /* drop the Interrupt bit */
    beqz t0, msi
    csrr t0, mcause
    addi t0, t0, -IRQ_M_TIMER
    slli t0, t0, 1
    beqz t0, mti
    csrr t0, mcause
    addi t0, t0, -IRQ_S_SOFT
    slli t0, t0, 1
    beqz t0, ssi
    csrr t0, mscratch               /* not a storm interrupt: the harness */
    j rt_mtrap_entry
msi:
    bne s0, s2, 9f
    li t0, CLINT_MSIP(0)
    sw zero, 0(t0)
2:  csrr t0, mip
    andi t0, t0, MIP_MSIP
    bnez t0, 2b
    j 9f
mti:
    bne s0, s2, 9f
    li t0, CLINT_MTIMECMP(0)
    sd s2, -8(sp)                   /* (spill one register) */
    li s2, -1
    sd s2, 0(t0)
    ld s2, -8(sp)
2:  csrr t0, mip
    andi t0, t0, MIP_MTIP
    bnez t0, 2b
    j 9f
ssi:
    csrci mip, MIP_SSIP
9:  csrr t0, mscratch
    mret

/* The S-mode storm handler: count, check the epc, clear SSIP. */
    .balign 4
storm_s:
    csrw sscratch, t0
    addi s0, s0, 1
    csrr t0, sepc
    beq t0, s3, 1f
    addi s1, s1, 1
1:  csrr t0, scause
    addi t0, t0, -IRQ_S_SOFT
    slli t0, t0, 1
    beqz t0, 2f
    csrr t0, sscratch
    j rt_strap_entry
2:  csrci sip, MIP_SSIP
    csrr t0, sscratch
    sret

/* ECALL from M: count and resume after it. */
    .balign 4
ecall_m:
    csrw mscratch, t0
    csrr t0, mcause
    addi t0, t0, -CAUSE_MACHINE_ECALL
    beqz t0, 1f
    csrr t0, mscratch
    j rt_mtrap_entry
1:  addi s0, s0, 1
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    csrr t0, mscratch
    mret
