/*
 * irq-delegation-priority - interrupts: the six standard sources (software
 * through mip.SSIP and CLINT msip, timer through CLINT mtimecmp and
 * mip.STIP, external through mip.SEIP and the PLIC), delegation with
 * mideleg, the per-mode global enables, priorities, vectored trap vectors,
 * and the sip/sie views (privileged spec, "Machine Interrupt Registers (mip
 * and mie)", "Privilege and Global Interrupt-Enable Stack", "Machine Trap
 * Delegation Registers", "Machine Trap-Vector Base-Address Register",
 * "Supervisor Interrupt Registers").
 *
 * Rules used:
 * - "An interrupt i will trap to M-mode ... if all of the following are
 *   true: (a) either the current privilege mode is M and the MIE bit in the
 *   mstatus register is set, or the current privilege mode has less
 *   privilege than M-mode; (b) bit i is set in both mip and mie; and (c) if
 *   register mideleg exists, bit i is not set in mideleg." To S-mode: "(a)
 *   either the current privilege mode is S and the SIE bit in the sstatus
 *   register is set, or the current privilege mode has less privilege than
 *   S-mode; and (b) bit i is set in both sip and sie." "Interrupts for
 *   lower-privilege modes, w<x, are always globally disabled regardless of
 *   the setting of any global wIE bit for the lower-privilege mode."
 * - these conditions "must also be evaluated immediately following the
 *   execution of an xRET instruction or an explicit write to a CSR on which
 *   these interrupt trap conditions expressly depend (including mip, mie,
 *   mstatus, and mideleg)": an interrupt enabled or made pending by a CSR
 *   write is taken before the next instruction (epc = that instruction); a
 *   pending interrupt enabled by an xRET is taken at the return address.
 *   Interrupts raised by devices (CLINT, PLIC) only need to become pending
 *   "in a bounded amount of time", so the tests wait for mip to show them
 *   (with interrupts disabled) before enabling them.
 * - "Multiple simultaneous interrupts destined for M-mode are handled in the
 *   following decreasing priority order: MEI, MSI, MTI, SEI, SSI, STI.";
 *   for S-mode: "SEI, SSI, STI"; "Interrupts to M-mode take priority over
 *   any interrupts to lower privilege modes."
 * - mcause/scause: the Interrupt bit (63) set, exception code = the
 *   interrupt number; mtval/stval = 0 ("For other traps, mtval is set to
 *   zero"); a trap sets xPP to the previous mode.
 * - vectored mode: "interrupts cause the pc to be set to the address in the
 *   BASE field plus four times the interrupt cause number", exceptions go to
 *   BASE.
 * - "SSIP is writable in mip", "SEIP is writable in mip", "STIP is writable
 *   in mip" (Sstc's menvcfg.STCE = 0 here), MSIP, MTIP and MEIP are
 *   read-only and follow the CLINT and the PLIC. "If an interrupt is
 *   delegated to S-mode by setting a bit in the mideleg register, it
 *   becomes visible in the sip register and is maskable using the sie
 *   register. Otherwise, the corresponding bits in sip and sie are
 *   read-only zero."
 * - pinned: SSI, STI and SEI are delegatable (mideleg bits 1, 5, 9 are
 *   writable), as on QEMU and as Linux needs.
 * The machine external interrupt comes from the UART (IRQ 10): with
 * IER.THRI set, the empty transmitter raises it; PLIC context 0 (hart 0,
 * M-mode) with priority 1, enable bit 10 and threshold 0 makes MEIP.
 */
#include "test.h"
#include "vm.h"

#define ALL_SIX (MIP_MEIP | MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_SSIP | MIP_STIP)
#define S_THREE (MIP_SEIP | MIP_SSIP | MIP_STIP)

/* log entry k must be: cause INTR(code), epc = the label, handler mode */
#define CHECK_LOG(k, code, epc, mode)                                        \
    IRQ_LOG(a0, k, IRQ_CAUSE); li a1, INTR(code); CHECK_REG(a0, a1);         \
    IRQ_LOG(a0, k, IRQ_EPC); la a1, epc; CHECK_REG(a0, a1);                  \
    IRQ_LOG(a0, k, IRQ_TVAL); CHECK(a0, 0);                                  \
    IRQ_LOG(a0, k, IRQ_MODE); CHECK(a0, mode)
#define CHECK_COUNT(n) IRQ_COUNT(a0); CHECK(a0, n)

/* CLINT and PLIC helpers (M-mode) */
#define MSIP_SET(v) li t5, CLINT_MSIP(0); li t6, v; sw t6, 0(t5)
#define MTIMECMP_SET(v) li t5, CLINT_MTIMECMP(0); li t6, v; sd t6, 0(t5)
#define UART_THRI(v) li t5, UART_BASE; li t6, v; sb t6, UART_IER(t5)
/* From S or U back to M by ECALL; MIE is cleared there, since the MRET that
   returns from the ECALL's trap sets MIE = MPIE, and MPIE may be 1. */
#define BACK_TO_M(cause) ECALL_TO_M(cause, 2f); 2: TRAP_CONSUMED; csrci mstatus, MSTATUS_MIE

TEST_BEGIN("irq-delegation-priority")
    .option norvc

    /* ---- set-up ---- */
    CASE(1)
    PMP_ALLOW_ALL
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    csrw satp, zero
    li a0, ENVCFG_STCE              /* Sstc off: STIP is software's */
    csrc CSR_MENVCFG, a0
    la a0, irq_mtrap
    csrw mtvec, a0
    la a0, irq_strap
    csrw stvec, a0
    li a0, S_THREE
    csrc mip, a0
    MSIP_SET(0)
    MTIMECMP_SET(-1)
    UART_THRI(0)
    li a0, PLIC_PRIORITY(UART_IRQ)  /* the UART's PLIC source -> context 0 */
    li a1, 1
    sw a1, 0(a0)
    li a0, PLIC_ENABLE(0)
    li a1, 1 << UART_IRQ
    sw a1, 0(a0)
    li a0, PLIC_THRESHOLD(0)
    sw zero, 0(a0)
    wait_csr mip, ALL_SIX, 0
    csrr a0, mip
    li a1, ALL_SIX
    and a0, a0, a1
    CHECK(a0, 0)
    li a0, S_THREE                  /* pinned: the S interrupts are delegatable */
    csrw mideleg, a0
    csrr a1, mideleg
    and a1, a1, a0                  /* (QEMU with H has more read-only ones) */
    CHECK_REG(a1, a0)
    csrw mideleg, zero
    CASE(2)                         /* the software-writable bits of mip */
    li a0, S_THREE
    csrs mip, a0
    csrr a1, mip
    and a1, a1, a0
    CHECK_REG(a1, a0)
    csrc mip, a0
    csrr a1, mip
    and a1, a1, a0
    CHECK(a1, 0)
    li a0, MIP_MSIP | MIP_MTIP | MIP_MEIP   /* read-only: writes ignored */
    csrs mip, a0
    csrr a1, mip
    and a1, a1, a0
    CHECK(a1, 0)
    CHECK_COUNT(0)

    /* ---- each source alone, in M-mode ---- */
    CASE(3)                         /* SSI: taken right after the write to mip */
    IRQ_RESET
    csrsi mstatus, MSTATUS_MIE
    csrsi mie, MIP_SSIP
    csrsi mip, MIP_SSIP
1:  csrci mstatus, MSTATUS_MIE
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_S_SOFT, 1b, PRV_M)
    IRQ_LOG(a0, 0, IRQ_STATUS)      /* MPP = M, MPIE = 1, MIE = 0 */
    CHECK_BITS(a0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE, MSTATUS_MPP | MSTATUS_MPIE)
    csrr a0, mie                    /* (the handler masked it) */
    CHECK(a0, 0)
    CASE(4)                         /* MIE = 0: pending, not taken ... */
    IRQ_RESET
    csrsi mie, MIP_SSIP
    nop
    nop
    CHECK_COUNT(0)
    csrsi mstatus, MSTATUS_MIE      /* ... until MIE is set */
1:  csrci mstatus, MSTATUS_MIE
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_S_SOFT, 1b, PRV_M)
    csrci mip, MIP_SSIP
    CASE(5)                         /* MSI from the CLINT */
    IRQ_RESET
    MSIP_SET(1)
    li t5, CLINT_MSIP(0)
    lw a0, 0(t5)
    CHECK(a0, 1)
    wait_csr mip, MIP_MSIP, MIP_MSIP
    csrsi mie, MIP_MSIP
    CHECK_COUNT(0)
    csrsi mstatus, MSTATUS_MIE
1:  csrci mstatus, MSTATUS_MIE
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_M_SOFT, 1b, PRV_M)
    MSIP_SET(0)
    wait_csr mip, MIP_MSIP, 0
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    CHECK(a0, 0)
    CASE(6)                         /* MTI from the CLINT */
    IRQ_RESET
    MTIMECMP_SET(0)
    wait_csr mip, MIP_MTIP, MIP_MTIP
    li a0, MIP_MTIP
    csrs mie, a0
    csrsi mstatus, MSTATUS_MIE
1:  csrci mstatus, MSTATUS_MIE
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_M_TIMER, 1b, PRV_M)
    MTIMECMP_SET(-1)
    wait_csr mip, MIP_MTIP, 0
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    CHECK(a0, 0)
    CASE(7)                         /* SEI and STI through mip */
    IRQ_RESET
    csrsi mstatus, MSTATUS_MIE
    li a0, MIP_SEIP
    csrs mie, a0
    csrs mip, a0
1:  li a0, MIP_STIP
    csrs mie, a0
    csrs mip, a0
2:  csrci mstatus, MSTATUS_MIE
    CHECK_COUNT(2)
    CHECK_LOG(0, IRQ_S_EXT, 1b, PRV_M)
    CHECK_LOG(1, IRQ_S_TIMER, 2b, PRV_M)
    li a0, MIP_SEIP | MIP_STIP
    csrc mip, a0
    CASE(8)                         /* MEI from the PLIC (the UART) */
    IRQ_RESET
    UART_THRI(UART_IER_THRI)
    wait_csr mip, MIP_MEIP, MIP_MEIP
    csrr a0, mip
    li a1, MIP_MEIP
    and a0, a0, a1
    CHECK_REG(a0, a1)
    li a0, MIP_MEIP
    csrs mie, a0
    csrsi mstatus, MSTATUS_MIE
1:  csrci mstatus, MSTATUS_MIE
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_M_EXT, 1b, PRV_M)
    call plic_ack
    CHECK(a0, UART_IRQ)

    /* ---- all six at once: MEI, MSI, MTI, SEI, SSI, STI ---- */
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 (without AIA) takes the
                           lowest-numbered pending interrupt first */
    CASE(9)
    IRQ_RESET
    call raise_all_six
    li a0, ALL_SIX
    csrw mie, a0
    csrsi mstatus, MSTATUS_MIE
1:  csrci mstatus, MSTATUS_MIE      /* every one is taken before this runs */
    CHECK_COUNT(6)
    CHECK_LOG(0, IRQ_M_EXT, 1b, PRV_M)
    CHECK_LOG(1, IRQ_M_SOFT, 1b, PRV_M)
    CHECK_LOG(2, IRQ_M_TIMER, 1b, PRV_M)
    CHECK_LOG(3, IRQ_S_EXT, 1b, PRV_M)
    CHECK_LOG(4, IRQ_S_SOFT, 1b, PRV_M)
    CHECK_LOG(5, IRQ_S_TIMER, 1b, PRV_M)
    call clear_all_six
#endif

    /* ---- M interrupts are taken in S and U whatever MIE is ---- */
    CASE(10)
    IRQ_RESET
    MSIP_SET(1)
    wait_csr mip, MIP_MSIP, MIP_MSIP
    csrsi mie, MIP_MSIP             /* MIE stays 0 */
    ENTER_MODE(PRV_S, 1f)
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_M_SOFT, 1b, PRV_M)
    IRQ_LOG(a0, 0, IRQ_STATUS)
    CHECK_BITS(a0, MSTATUS_MPP, PRV_S << MSTATUS_MPP_SHIFT)
    CASE(11)
    IRQ_RESET
    csrsi mie, MIP_MSIP
    ENTER_MODE(PRV_U, 1f)
1:  BACK_TO_M(CAUSE_USER_ECALL)
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_M_SOFT, 1b, PRV_M)
    IRQ_LOG(a0, 0, IRQ_STATUS)
    CHECK_BITS(a0, MSTATUS_MPP, 0)
    MSIP_SET(0)
    wait_csr mip, MIP_MSIP, 0
    CASE(12)                        /* a non-delegated S interrupt too */
    IRQ_RESET
    csrsi mip, MIP_SSIP
    csrsi mie, MIP_SSIP
    ENTER_MODE(PRV_S, 1f)
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_S_SOFT, 1b, PRV_M)

    /* ---- delegation to S ---- */
    CASE(13)                        /* never taken in M, even with MIE = 1 */
    IRQ_RESET
    li a0, S_THREE
    csrw mideleg, a0
    csrsi mstatus, MSTATUS_MIE | MSTATUS_SIE
    csrsi mie, MIP_SSIP             /* SSIP is still pending */
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK_COUNT(0)
    CASE(14)                        /* taken in S at once after MRET (SIE = 1) */
    ENTER_MODE(PRV_S, 1f)
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_S_SOFT, 1b, PRV_S)
    IRQ_LOG(a0, 0, IRQ_STATUS)      /* SPP = S, SPIE = 1, SIE = 0 */
    CHECK_BITS(a0, SSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, SSTATUS_SPP | MSTATUS_SPIE)
    CASE(15)                        /* in S with SIE = 0: only once SIE is set */
    IRQ_RESET
    csrci mstatus, MSTATUS_SIE
    ENTER_MODE(PRV_S, 1f)
1:  csrsi sie, MIP_SSIP
    nop
    CHECK_COUNT(0)
    csrsi sstatus, MSTATUS_SIE
3:  csrci sstatus, MSTATUS_SIE
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_S_SOFT, 3b, PRV_S)
    CASE(16)                        /* S writes sip.SSIP itself */
    IRQ_RESET
    csrci sip, MIP_SSIP
    csrsi sie, MIP_SSIP
    csrsi sstatus, MSTATUS_SIE
    csrsi sip, MIP_SSIP
3:  csrci sstatus, MSTATUS_SIE
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_S_SOFT, 3b, PRV_S)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CASE(17)                        /* in U: taken whatever SIE is */
    IRQ_RESET
    csrci mstatus, MSTATUS_SIE
    csrsi mie, MIP_SSIP
    ENTER_MODE(PRV_U, 1f)
1:  BACK_TO_M(CAUSE_USER_ECALL)
    CHECK_COUNT(1)
    CHECK_LOG(0, IRQ_S_SOFT, 1b, PRV_S)
    IRQ_LOG(a0, 0, IRQ_STATUS)
    CHECK_BITS(a0, SSTATUS_SPP, 0)
    csrci mip, MIP_SSIP

#ifndef QEMU_REFERENCE  /* QEMU-divergent: lowest-numbered first, as above */
    CASE(18)                        /* S priorities: SEI, SSI, STI */
    IRQ_RESET
    li a0, S_THREE
    csrs mip, a0
    csrs mie, a0
    csrsi mstatus, MSTATUS_SIE
    ENTER_MODE(PRV_S, 1f)
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CHECK_COUNT(3)
    CHECK_LOG(0, IRQ_S_EXT, 1b, PRV_S)
    CHECK_LOG(1, IRQ_S_SOFT, 1b, PRV_S)
    CHECK_LOG(2, IRQ_S_TIMER, 1b, PRV_S)
    li a0, S_THREE
    csrc mip, a0
#endif

    CASE(19)                        /* an M and an S interrupt in S: M's first */
    IRQ_RESET
    MSIP_SET(1)
    wait_csr mip, MIP_MSIP, MIP_MSIP
    csrsi mip, MIP_SSIP
    li a0, MIP_MSIP | MIP_SSIP
    csrs mie, a0
    csrsi mstatus, MSTATUS_SIE
    ENTER_MODE(PRV_S, 1f)
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CHECK_COUNT(2)
    CHECK_LOG(0, IRQ_M_SOFT, 1b, PRV_M)
    CHECK_LOG(1, IRQ_S_SOFT, 1b, PRV_S)
    MSIP_SET(0)
    csrci mip, MIP_SSIP
    wait_csr mip, MIP_MSIP, 0

#ifndef QEMU_REFERENCE  /* QEMU-divergent: lowest-numbered first, as above */
    CASE(20)                        /* all six, in S with delegation: M's first */
    IRQ_RESET
    call raise_all_six
    li a0, ALL_SIX
    csrw mie, a0
    csrsi mstatus, MSTATUS_SIE      /* MIE = 0: M's are taken anyway in S */
    ENTER_MODE(PRV_S, 1f)
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CHECK_COUNT(6)
    CHECK_LOG(0, IRQ_M_EXT, 1b, PRV_M)
    CHECK_LOG(1, IRQ_M_SOFT, 1b, PRV_M)
    CHECK_LOG(2, IRQ_M_TIMER, 1b, PRV_M)
    CHECK_LOG(3, IRQ_S_EXT, 1b, PRV_S)
    CHECK_LOG(4, IRQ_S_SOFT, 1b, PRV_S)
    CHECK_LOG(5, IRQ_S_TIMER, 1b, PRV_S)
    call clear_all_six
#endif

    /* ---- the sip/sie views ---- */
    CASE(21)                        /* delegated: sip/sie mirror mip/mie */
    csrsi mip, MIP_SSIP
    csrr a0, sip
    andi a0, a0, MIP_SSIP
    CHECK(a0, MIP_SSIP)
    csrsi sie, MIP_SSIP
    csrr a0, mie
    andi a0, a0, MIP_SSIP
    CHECK(a0, MIP_SSIP)
    csrci sie, MIP_SSIP
    csrr a0, mie
    andi a0, a0, MIP_SSIP
    CHECK(a0, 0)
    csrr a0, sip                    /* M bits never show in sip */
    li a1, MIP_MSIP | MIP_MTIP | MIP_MEIP
    and a0, a0, a1
    CHECK(a0, 0)
    CASE(22)                        /* not delegated: read-only zero */
    csrw mideleg, zero
    csrr a0, sip
    andi a0, a0, MIP_SSIP
    CHECK(a0, 0)
    csrsi sie, MIP_SSIP
    csrr a0, sie
    CHECK(a0, 0)
    csrr a0, mie
    CHECK(a0, 0)
    csrci mip, MIP_SSIP

    /* ---- vectored mtvec and stvec (one interrupt at a time) ---- */
    CASE(23)
    IRQ_RESET
    la a0, irq_mvec
    ori a0, a0, 1
    csrw mtvec, a0
    csrr a1, mtvec
    CHECK_REG(a1, a0)
    MSIP_SET(1)
    wait_csr mip, MIP_MSIP, MIP_MSIP
    csrsi mstatus, MSTATUS_MIE
    csrsi mie, MIP_MSIP
1:  csrci mstatus, MSTATUS_MIE
    MSIP_SET(0)
    MTIMECMP_SET(0)
    wait_csr mip, MIP_MSIP | MIP_MTIP, MIP_MTIP
    li a0, MIP_MTIP
    csrs mie, a0
    csrsi mstatus, MSTATUS_MIE
2:  csrci mstatus, MSTATUS_MIE
    MTIMECMP_SET(-1)
    csrsi mip, MIP_SSIP
    csrsi mstatus, MSTATUS_MIE
    csrsi mie, MIP_SSIP
3:  csrci mstatus, MSTATUS_MIE
    csrci mip, MIP_SSIP
    CHECK_COUNT(3)
    IRQ_LOG(a0, 0, IRQ_VEC)         /* BASE + 4 * cause */
    CHECK(a0, IRQ_M_SOFT)
    CHECK_LOG(0, IRQ_M_SOFT, 1b, PRV_M)
    IRQ_LOG(a0, 1, IRQ_VEC)
    CHECK(a0, IRQ_M_TIMER)
    CHECK_LOG(1, IRQ_M_TIMER, 2b, PRV_M)
    IRQ_LOG(a0, 2, IRQ_VEC)
    CHECK(a0, IRQ_S_SOFT)
    CHECK_LOG(2, IRQ_S_SOFT, 3b, PRV_M)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0, .half 0)     /* exceptions: BASE */
    CASE(24)
    IRQ_RESET
    li a0, S_THREE
    csrw mideleg, a0
    la a0, irq_svec
    ori a0, a0, 1
    csrw stvec, a0
    li a0, MIP_SEIP
    csrs mie, a0
    csrs mip, a0
    csrsi mstatus, MSTATUS_SIE
    ENTER_MODE(PRV_S, 1f)
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    li a0, MIP_STIP
    csrs mie, a0
    csrs mip, a0
    csrsi mstatus, MSTATUS_SIE
    ENTER_MODE(PRV_S, 4f)
4:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CHECK_COUNT(2)
    IRQ_LOG(a0, 0, IRQ_VEC)
    CHECK(a0, IRQ_S_EXT)
    CHECK_LOG(0, IRQ_S_EXT, 1b, PRV_S)
    IRQ_LOG(a0, 1, IRQ_VEC)
    CHECK(a0, IRQ_S_TIMER)
    CHECK_LOG(1, IRQ_S_TIMER, 4b, PRV_S)
    li a0, MIP_STIP | MIP_SEIP
    csrc mip, a0
    la a0, irq_strap
    csrw stvec, a0
    la a0, irq_mtrap
    csrw mtvec, a0
    csrw mideleg, zero
    csrw mie, zero
    csrci mstatus, MSTATUS_SIE
    TEST_END

/* Make all six interrupts pending (M-mode, MIE = 0) and wait for them. */
raise_all_six:
    MSIP_SET(1)
    MTIMECMP_SET(0)
    UART_THRI(UART_IER_THRI)
    li t5, S_THREE
    csrs mip, t5
    wait_csr mip, ALL_SIX, ALL_SIX
    ret

/* Undo raise_all_six (and acknowledge the UART at the PLIC). */
clear_all_six:
    mv s11, ra
    MSIP_SET(0)
    MTIMECMP_SET(-1)
    li t5, S_THREE
    csrc mip, t5
    call plic_ack
    wait_csr mip, ALL_SIX, 0
    csrw mie, zero
    mv ra, s11
    ret

/* Claim the PLIC interrupt of context 0 (a0 = its source), silence the UART,
   complete it, and wait for MEIP to fall. */
plic_ack:
    li t5, PLIC_CLAIM(0)
    lw a0, 0(t5)
    UART_THRI(0)
    li t5, UART_BASE                /* reading IIR clears a THRE interrupt */
    lbu t6, UART_IIR(t5)
    li t5, PLIC_CLAIM(0)
    sw a0, 0(t5)
    wait_csr mip, MIP_MEIP, 0
    ret

    IRQ_HANDLERS
