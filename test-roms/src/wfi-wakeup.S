/*
 * wfi-wakeup - WFI returns when an enabled interrupt becomes pending, with
 * or without global interrupt enables, and the interrupt is then taken
 * right after the WFI (privileged spec, "Wait for Interrupt").
 *
 * Rules used:
 * - "If an enabled interrupt is present or later becomes present while the
 *   hart is stalled, the interrupt trap will be taken on the following
 *   instruction, i.e., execution resumes in the trap handler and mepc =
 *   pc + 4." Each WFI here is followed by a jump to itself, so mepc =
 *   pc + 4 also holds for an implementation that returns from WFI early
 *   (allowed: "a legal implementation is to simply implement the WFI
 *   instruction as a NOP"); the handler then resumes past the loop;
 * - "The WFI instruction can also be executed when interrupts are disabled.
 *   The operation of WFI must be unaffected by the global interrupt bits in
 *   mstatus (MIE and SIE) and the delegation register mideleg (i.e., the
 *   hart must resume if a locally enabled interrupt becomes pending, even
 *   if it has been delegated to a less-privileged mode) ... If the event
 *   that causes the hart to resume execution does not cause an interrupt to
 *   be taken, execution will resume at pc + 4" - so with MIE = 0 the WFI
 *   returns and no trap is taken (the tests loop on WFI until mip shows the
 *   interrupt, as software must, and fail after a time limit);
 * - in S-mode, M-level interrupts are enabled whatever MIE is, so a WFI in
 *   S-mode wakes into the M-mode handler; TW only concerns modes below M.
 * Timers: the CLINT's mtimecmp (MTI) and Sstc's stimecmp (STI), set D ticks
 * (100 ms) ahead, so that the hart really waits.
 */
#include "test.h"
#include "vm.h"

#define MTIME_R(reg) li t5, CLINT_MTIME; ld reg, 0(t5)
#define MTIMECMP_W(reg) li t5, CLINT_MTIMECMP(0); sd reg, 0(t5)
#define D 1000000                   /* 100 ms: long enough that the timer cannot
                                       fire before the WFI is reached, even on a
                                       loaded host (mtime follows host time) */
/* s0 = mtime + D; mtimecmp = s0 */
#define MTI_IN_D MTIME_R(s0); li t5, D; add s0, s0, t5; MTIMECMP_W(s0)
#define MTI_OFF li t5, -1; MTIMECMP_W(t5)
#define BACK_TO_M(cause) ECALL_TO_M(cause, 2f); 2: TRAP_CONSUMED; csrci mstatus, MSTATUS_MIE
/* WFI until (mip & mask) != 0, for at most about a second (a0 = 1 if so) */
.macro wfi_until mask
    li a0, \mask
    call wfi_until_fn
.endm

TEST_BEGIN("wfi-wakeup")
    .option norvc

    CASE(1)
    PMP_ALLOW_ALL
    csrci mstatus, MSTATUS_MIE | MSTATUS_SIE
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    la a0, irq_mtrap
    csrw mtvec, a0
    la a0, irq_strap
    csrw stvec, a0
    MTI_OFF
    li a0, ENVCFG_STCE
    csrs CSR_MENVCFG, a0
    li a0, -1
    csrw CSR_STIMECMP, a0
    csrwi mcounteren, COUNTER_TM

    /* ---- MIE = 0: WFI wakes up, no trap ---- */
    CASE(2)
    IRQ_RESET
    li a0, MIP_MTIP
    csrs mie, a0
    MTI_IN_D
    wfi_until MIP_MTIP
    CHECK(a0, 1)
    MTIME_R(a1)
    CHECK_LEU(s0, a1)               /* it was the timer */
    IRQ_COUNT(a0)
    CHECK(a0, 0)
    csrr a0, mepc                   /* (no trap: mepc untouched) */
    MTI_OFF

    /* ---- MIE = 1: the interrupt is taken after the WFI ---- */
    CASE(3)
    IRQ_RESET
    MTI_IN_D
    li a0, MIP_MTIP
    csrs mie, a0
    IRQ_RESUME(m, 2f)
    csrsi mstatus, MSTATUS_MIE
    wfi
1:  j 1b
2:  csrci mstatus, MSTATUS_MIE
    IRQ_COUNT(a0)
    CHECK(a0, 1)
    IRQ_LOG(a0, 0, IRQ_EPC)         /* mepc = the WFI + 4 */
    la a1, 1b
    CHECK_REG(a0, a1)
    IRQ_LOG(a0, 0, IRQ_CAUSE)
    li a1, INTR(IRQ_M_TIMER)
    CHECK_REG(a0, a1)
    MTIME_R(a1)
    CHECK_LEU(s0, a1)
    MTI_OFF

    /* ---- already pending and enabled: WFI returns at once ---- */
    CASE(4)
    IRQ_RESET
    li t5, CLINT_MSIP(0)
    li a0, 1
    sw a0, 0(t5)
    wait_csr mip, MIP_MSIP, MIP_MSIP
    csrsi mie, MIP_MSIP
    wfi
    wfi
    IRQ_COUNT(a0)
    CHECK(a0, 0)
    csrsi mstatus, MSTATUS_MIE      /* and is taken once MIE is set */
1:  csrci mstatus, MSTATUS_MIE
    IRQ_COUNT(a0)
    CHECK(a0, 1)
    IRQ_LOG(a0, 0, IRQ_EPC)
    la a1, 1b
    CHECK_REG(a0, a1)
    li t5, CLINT_MSIP(0)
    sw zero, 0(t5)
    wait_csr mip, MIP_MSIP, 0

    /* ---- a delegated interrupt wakes M-mode's WFI, and is not taken there ---- */
    CASE(5)
    IRQ_RESET
    li a0, MIP_STIP
    csrw mideleg, a0
    csrs mie, a0
    csrsi mstatus, MSTATUS_MIE | MSTATUS_SIE
    csrr s0, time
    li a0, D
    add s0, s0, a0
    csrw CSR_STIMECMP, s0
    wfi_until MIP_STIP
    CHECK(a0, 1)
    csrr a1, time
    CHECK_LEU(s0, a1)
    csrci mstatus, MSTATUS_MIE
    IRQ_COUNT(a0)
    CHECK(a0, 0)
    ENTER_MODE(PRV_S, 1f)           /* taken in S on arrival (SIE = 1) */
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    IRQ_COUNT(a0)
    CHECK(a0, 1)
    IRQ_LOG(a0, 0, IRQ_MODE)
    CHECK(a0, PRV_S)
    IRQ_LOG(a0, 0, IRQ_EPC)
    la a1, 1b
    CHECK_REG(a0, a1)
    li a0, -1
    csrw CSR_STIMECMP, a0

    /* ---- S-mode, SIE = 0: WFI wakes up, no trap until SIE is set ---- */
    CASE(6)
    IRQ_RESET
    csrci mstatus, MSTATUS_SIE
    li a0, MIP_STIP
    csrs mie, a0
    ENTER_MODE(PRV_S, 1f)
1:  csrr s0, time
    li a0, D
    add s0, s0, a0
    csrw CSR_STIMECMP, s0
    li s1, 100000000
3:  wfi
    csrr a0, sip
    andi a0, a0, MIP_STIP
    bnez a0, 4f
    addi s1, s1, -1
    bnez s1, 3b
4:  CHECK_NZ(s1)
    csrr a1, time
    CHECK_LEU(s0, a1)
    IRQ_COUNT(a0)
    CHECK(a0, 0)
    csrsi sstatus, MSTATUS_SIE
5:  csrci sstatus, MSTATUS_SIE
    IRQ_COUNT(a0)
    CHECK(a0, 1)
    IRQ_LOG(a0, 0, IRQ_EPC)
    la a1, 5b
    CHECK_REG(a0, a1)
    li a0, -1
    csrw CSR_STIMECMP, a0
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)

    /* ---- S-mode WFI and an M-mode interrupt (MIE = 0): taken in M ---- */
    CASE(7)
    IRQ_RESET
    csrw mideleg, zero
    MTI_IN_D
    li a0, MIP_MTIP
    csrs mie, a0
    IRQ_RESUME(m, 2f)
    ENTER_MODE(PRV_S, 1f)
1:  wfi
3:  j 3b
2:  IRQ_COUNT(a0)                   /* back in S after the M handler */
    CHECK(a0, 1)
    IRQ_LOG(a0, 0, IRQ_EPC)
    la a1, 3b
    CHECK_REG(a0, a1)
    IRQ_LOG(a0, 0, IRQ_MODE)
    CHECK(a0, PRV_M)
    IRQ_LOG(a0, 0, IRQ_STATUS)
    CHECK_BITS(a0, MSTATUS_MPP, PRV_S << MSTATUS_MPP_SHIFT)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    MTI_OFF

    /* ---- TW = 1 does not concern M-mode ---- */
    CASE(8)
    IRQ_RESET
    li a0, MSTATUS_TW
    csrs mstatus, a0
    MTI_IN_D
    li a0, MIP_MTIP
    csrs mie, a0
    wfi_until MIP_MTIP
    CHECK(a0, 1)
    li a0, MSTATUS_TW
    csrc mstatus, a0
    IRQ_COUNT(a0)
    CHECK(a0, 0)
    MTI_OFF
    csrw mie, zero
    csrw mcounteren, zero
    li a0, ENVCFG_STCE
    csrc CSR_MENVCFG, a0
    TEST_END

/* a0 = mask: WFI until (mip & mask) != 0, for at most about a second of
   mtime (a0 = 1 if so, else 0). Clobbers a1-a3, t5. */
wfi_until_fn:
    MTIME_R(a1)
    li a2, 10000000
    add a1, a1, a2
1:  wfi
    csrr a2, mip
    and a2, a2, a0
    bnez a2, 2f
    MTIME_R(a3)
    bltu a3, a1, 1b
    li a0, 0
    ret
2:  li a0, 1
    ret

    IRQ_HANDLERS
