/*
 * timer-sstc - the supervisor timer of the Sstc extension: stimecmp, its
 * enable menvcfg.STCE, mcounteren.TM, and STIP (Sstc, "Supervisor Timer
 * (stimecmp) Register"; privileged spec, "Machine Environment Configuration
 * Register (menvcfg)", "Machine Interrupt Registers").
 *
 * Rules used:
 * - "A supervisor timer interrupt becomes pending, as reflected in the STIP
 *   bit in the mip and sip registers whenever time contains a value greater
 *   than or equal to stimecmp, treating the values as unsigned integers. If
 *   the result of this comparison changes, it is guaranteed to be reflected
 *   in STIP eventually, but not necessarily immediately. The interrupt
 *   remains posted until stimecmp becomes greater than time, typically as a
 *   result of writing stimecmp. The interrupt will be taken based on the
 *   standard interrupt enable and delegation rules." (the tests wait for
 *   STIP within a time limit);
 * - menvcfg.STCE "enables stimecmp for S-mode when set to one"; when it is
 *   zero, "an attempt to access stimecmp in a mode other than M-mode raises
 *   an illegal-instruction exception" and STIP "reverts to its defined
 *   behavior as if this extension is not implemented" (a bit M-mode writes);
 * - "When the TM bit in the mcounteren register is clear, attempts to
 *   access the stimecmp register while executing in S-mode will cause an
 *   illegal instruction exception";
 * - with stimecmp in force, "STIP is read-only in mip and reflects the
 *   supervisor-level timer interrupt signal resulting from stimecmp";
 * - stimecmp is a supervisor CSR: U-mode accesses are illegal;
 * - illegal-instruction mtval = the instruction (pinned).
 */
#include "test.h"
#include "vm.h"

#define MTIME_R(reg) li t5, CLINT_MTIME; ld reg, 0(t5)
#define D 200000                    /* 20 ms */
#define FAR 100000000               /* 10 s: "not yet" checks cannot race with it */
#define RD_STIMECMP CSRR_WORD(10, CSR_STIMECMP)     /* csrr a0, stimecmp */
#define WR_STIMECMP CSRW_WORD(CSR_STIMECMP, 11)     /* csrw stimecmp, a1 */
#define STCE_ON li t5, ENVCFG_STCE; csrs CSR_MENVCFG, t5
#define STCE_OFF li t5, ENVCFG_STCE; csrc CSR_MENVCFG, t5
#define BACK_TO_M(cause) ECALL_TO_M(cause, 2f); 2: TRAP_CONSUMED; csrci mstatus, MSTATUS_MIE

.macro wait_mip mask, val, ticks=10000000
    li a0, \mask
    li a1, \val
    li a2, \ticks
    call wait_mip_fn
.endm

TEST_BEGIN("timer-sstc")
    .option norvc

    CASE(1)                         /* Sstc: STCE is writable */
    PMP_ALLOW_ALL
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    la a0, irq_mtrap
    csrw mtvec, a0
    la a0, irq_strap
    csrw stvec, a0
    li a0, MIP_STIP
    csrc mip, a0
    STCE_ON
    csrr a0, CSR_MENVCFG
    li a1, ENVCFG_STCE
    and a0, a0, a1
    CHECK_REG(a0, a1)
    li a0, -1
    csrw CSR_STIMECMP, a0
    STCE_OFF
    csrr a0, CSR_MENVCFG
    li a1, ENVCFG_STCE
    and a0, a0, a1
    CHECK(a0, 0)
    li a0, MIP_STIP
    csrc mip, a0

    /* ---- STCE = 0 ---- */
    CASE(2)                         /* M-mode still reads and writes stimecmp */
    li a1, 0x123456789
    csrw CSR_STIMECMP, a1
    csrr a0, CSR_STIMECMP
    CHECK_REG(a0, a1)
    CASE(3)                         /* S-mode may not (TM = 1) */
    csrwi mcounteren, COUNTER_TM
    ENTER_MODE(PRV_S, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, RD_STIMECMP, csrr a0, CSR_STIMECMP)
    li a1, 0
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, WR_STIMECMP, csrw CSR_STIMECMP, a1)
    csrr a0, time                   /* (time is fine) */
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CASE(4)                         /* STIP is M's bit, stimecmp does not drive it */
    csrw CSR_STIMECMP, zero         /* (would be pending under Sstc) */
    li a0, MIP_STIP
    csrs mip, a0
    csrr a1, mip
    and a1, a1, a0
    CHECK_REG(a1, a0)
    csrc mip, a0
    wait_mip MIP_STIP, MIP_STIP, 500000     /* it stays clear (for 50 ms) */
    CHECK(a0, 0)

    /* ---- STCE = 1 ---- */
    CASE(5)                         /* TM = 0: S-mode may not */
    li a0, -1
    csrw CSR_STIMECMP, a0
    STCE_ON
    csrw mcounteren, zero
    ENTER_MODE(PRV_S, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, RD_STIMECMP, csrr a0, CSR_STIMECMP)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, WR_STIMECMP, csrw CSR_STIMECMP, a1)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CASE(6)                         /* TM = 1: it may */
    csrwi mcounteren, COUNTER_TM
    ENTER_MODE(PRV_S, 1f)
1:  li a1, 0x7fff000012345678
    csrw CSR_STIMECMP, a1
    csrr a0, CSR_STIMECMP
    CHECK_REG(a0, a1)
    li a1, -1
    csrw CSR_STIMECMP, a1
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CASE(7)                         /* U-mode never */
    csrwi scounteren, COUNTER_TM
    ENTER_MODE(PRV_U, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, RD_STIMECMP, csrr a0, CSR_STIMECMP)
    csrr a0, time
    BACK_TO_M(CAUSE_USER_ECALL)

    /* ---- STIP follows time >= stimecmp ---- */
    CASE(8)
    csrw CSR_STIMECMP, zero
    wait_mip MIP_STIP, MIP_STIP
    CHECK(a0, 1)
    CASE(9)
    li a0, -1
    csrw CSR_STIMECMP, a0
    wait_mip MIP_STIP, 0
    CHECK(a0, 1)
    CASE(10)                        /* time + 10 s: clear; time + D: pending after D */
    csrr s0, time
    li a0, FAR
    add s0, s0, a0
    csrw CSR_STIMECMP, s0
    wait_mip MIP_STIP, 0
    CHECK(a0, 1)
    csrr a1, time
    CHECK_LEU(a1, s0)
    csrr s0, time
    li a0, D
    add s0, s0, a0
    csrw CSR_STIMECMP, s0
    wait_mip MIP_STIP, MIP_STIP
    CHECK(a0, 1)
    csrr a1, time
    CHECK_LEU(s0, a1)
    CASE(11)                        /* unsigned: 2^63 is far ahead */
    li a0, 0x8000000000000000
    csrw CSR_STIMECMP, a0
    wait_mip MIP_STIP, 0
    CHECK(a0, 1)

    /* ---- STIP is read-only in mip now ---- */
    CASE(12)
    li a0, MIP_STIP                 /* stimecmp far ahead: setting it fails */
    csrs mip, a0
    csrr a1, mip
    and a1, a1, a0
    CHECK(a1, 0)
    csrw CSR_STIMECMP, zero         /* pending: clearing it fails */
    wait_mip MIP_STIP, MIP_STIP
    CHECK(a0, 1)
    li a0, MIP_STIP
    csrc mip, a0
    csrr a1, mip
    and a1, a1, a0
    CHECK_REG(a1, a0)
    li a0, -1
    csrw CSR_STIMECMP, a0
    wait_mip MIP_STIP, 0
    CHECK(a0, 1)

    /* ---- the interrupt, delegated to S and set up by S itself ---- */
    CASE(13)
    IRQ_RESET
    li a0, MIP_STIP
    csrw mideleg, a0
    csrs mie, a0
    csrsi mstatus, MSTATUS_SIE
    ENTER_MODE(PRV_S, 1f)
1:  csrr s1, time                   /* S's time agrees with mtime */
    csrr s0, time
    li a0, D
    add s0, s0, a0
    csrw CSR_STIMECMP, s0
    li s2, 100000000
3:  IRQ_COUNT(a0)                   /* wfi until it has been taken */
    bnez a0, 4f
    wfi
    addi s2, s2, -1
    bnez s2, 3b
4:  csrr a1, time
    li a0, -1                       /* S silences it */
    csrw CSR_STIMECMP, a0
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    CHECK_LEU(s0, a1)               /* not before its time */
    IRQ_COUNT(a0)
    CHECK(a0, 1)
    IRQ_LOG(a0, 0, IRQ_CAUSE)
    li a1, INTR(IRQ_S_TIMER)
    CHECK_REG(a0, a1)
    IRQ_LOG(a0, 0, IRQ_MODE)
    CHECK(a0, PRV_S)
    wait_mip MIP_STIP, 0
    CHECK(a0, 1)
    CASE(14)                        /* taken in U too */
    IRQ_RESET
    li a0, MIP_STIP
    csrs mie, a0
    csrw CSR_STIMECMP, zero
    wait_mip MIP_STIP, MIP_STIP
    ENTER_MODE(PRV_U, 1f)
1:  BACK_TO_M(CAUSE_USER_ECALL)
    IRQ_COUNT(a0)
    CHECK(a0, 1)
    IRQ_LOG(a0, 0, IRQ_MODE)
    CHECK(a0, PRV_S)
    IRQ_LOG(a0, 0, IRQ_EPC)
    la a1, 1b
    CHECK_REG(a0, a1)
    CASE(15)                        /* not delegated: taken in M, from S */
    IRQ_RESET
    csrw mideleg, zero
    li a0, MIP_STIP
    csrs mie, a0
    ENTER_MODE(PRV_S, 1f)
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
    IRQ_COUNT(a0)
    CHECK(a0, 1)
    IRQ_LOG(a0, 0, IRQ_MODE)
    CHECK(a0, PRV_M)
    IRQ_LOG(a0, 0, IRQ_CAUSE)
    li a1, INTR(IRQ_S_TIMER)
    CHECK_REG(a0, a1)
    li a0, -1
    csrw CSR_STIMECMP, a0
    csrw mie, zero
    csrw mcounteren, zero
    csrw scounteren, zero
    STCE_OFF
    TEST_END

/* a0 = mask, a1 = value: wait until (mip & mask) == value, for at most a2
   ticks of mtime; a0 = 1 if so, else 0. */
wait_mip_fn:
    MTIME_R(a3)
    add a2, a2, a3
1:  csrr a3, mip
    and a3, a3, a0
    beq a3, a1, 2f
    MTIME_R(a4)
    bltu a4, a2, 1b
    li a0, 0
    ret
2:  li a0, 1
    ret

    IRQ_HANDLERS
