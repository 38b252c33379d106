/*
 * traps-privilege - privilege modes and the traps between them (privileged
 * spec: "Privilege and Global Interrupt-Enable Stack in mstatus", "Trap-Return
 * Instructions", "Machine Trap Delegation Registers", "Virtualization Support
 * in mstatus", "Machine Counter-Enable Register", "Physical Memory
 * Protection").
 *
 * Rules used:
 * - "If no PMP entry matches an S-mode or U-mode access, but at least one PMP
 *   entry is implemented, the access fails": so one entry granting RWX on
 *   everything (pmpaddr0 = all ones, NAPOT) is set up before leaving M-mode;
 * - a trap from mode y into x sets xPP = y, xPIE = xIE, xIE = 0; xRET with
 *   xPP = y sets xIE = xPIE, xPIE = 1, xPP = the least-privileged mode (U),
 *   privilege = y, and MPRV = 0 if y != M;
 * - ECALL raises cause 8 / 9 / 11 from U / S / M; with medeleg bit c set, an
 *   exception c raised in S or U is taken in S (scause, sepc, stval, SPP,
 *   SPIE written; mcause, mepc, mtval, MPP, MPIE not written); traps never
 *   go to a less-privileged mode, but may stay in S ("horizontally");
 * - accessing a CSR of a higher privilege level, MRET below M, SRET in U,
 *   SFENCE.VMA in U are illegal instructions; mstatus.TSR makes SRET in S
 *   illegal, TVM makes satp accesses and SFENCE.VMA in S illegal;
 * - WFI in U-mode (S-mode implemented) and WFI in S-mode with TW = 1 are
 *   illegal "unless [they complete] within an implementation-specific,
 *   bounded time limit"; with no interrupt enabled these WFIs never
 *   complete, so this test expects the illegal-instruction trap (what
 *   rivet and QEMU do; an implementation whose WFI is a NOP there would
 *   also be within the letter of the spec);
 * - counters: with mcounteren.CY/TM/IR clear, reading cycle/time/instret
 *   below M-mode is illegal; mcounteren opens them to S, scounteren to U.
 * mtval for illegal instructions is the instruction (encoded by hand: see
 * zicsr.S for the CSR format; mret = 0x30200073, sret = 0x10200073,
 * wfi = 0x10500073, sfence.vma x0, x0 = 0x12000073).
 *
 * Returning to M-mode always takes a trap, which overwrites mcause; so
 * "mcause did not change" during a delegated trap is checked as "the M-mode
 * handler did not run": an expectation armed for the S-mode handler makes
 * the M-mode handler fail the test.
 */
#include "test.h"

#define CSRR_A0(csr) (((csr) << 20) | 0x2573)     /* csrrs a0, csr, x0 */
#define MRET 0x30200073
#define SRET 0x10200073
#define WFI 0x10500073
#define SFENCE_VMA 0x12000073

/* From S or U: trap back into M-mode by ECALL and continue at label `to`. */
#define BACK_TO_M(cause, to)                                                 \
    EXPECT_TRAP_AT(PRV_M, cause, 0, 8f, to, PRV_M); 8: ecall; FAIL_HERE()

/* Extract mstatus.MPP from reg into reg. */
#define GET_MPP(reg) srli reg, reg, MSTATUS_MPP_SHIFT; andi reg, reg, 3

TEST_BEGIN("traps-privilege")
    .option norvc

    /* ---- set-up: PMP, no delegation, S handler ---- */
    CASE(1)
    li a0, -1
    csrw pmpaddr0, a0
    li a0, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    csrw pmpcfg0, a0
    sfence.vma
    csrr a1, pmpcfg0
    andi a1, a1, 0xff
    CHECK(a1, 0x1f)
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    csrw satp, zero
    csrw mcounteren, zero
    csrw scounteren, zero
    la a0, rt_strap_entry
    csrw stvec, a0

    /* ---- S-mode: S CSRs work, M CSRs and MRET trap, ECALL is cause 9 ---- */
    CASE(2)
    ENTER_MODE(PRV_S, 1f)
1:  csrr a0, sstatus
    li a1, 0x5a
    csrw sscratch, a1
    csrr a0, sscratch
    CHECK(a0, 0x5a)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0x300), csrr a0, mstatus)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0x340), csrr a0, mscratch)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, MRET, mret)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    LAST_TRAP(a0, STATUS)
    GET_MPP(a0)
    CHECK(a0, PRV_S)                /* MPP = the mode the trap came from */
    csrr a0, mcause
    CHECK(a0, CAUSE_SUPERVISOR_ECALL)

    /* ---- U-mode: S and M CSRs, xRET, WFI, SFENCE.VMA, cycle all trap ---- */
    CASE(3)
    ENTER_MODE(PRV_U, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0x340), csrr a0, mscratch)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0x100), csrr a0, sstatus)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0x180), csrr a0, satp)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, SRET, sret)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, MRET, mret)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, WFI, wfi)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, SFENCE_VMA, sfence.vma)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0xc00), csrr a0, cycle)  /* mcounteren = 0 */
    BACK_TO_M(CAUSE_USER_ECALL, 2f)
2:  TRAP_CONSUMED
    LAST_TRAP(a0, STATUS)
    GET_MPP(a0)
    CHECK(a0, PRV_U)

    /* ---- MRET: MIE = MPIE, MPIE = 1, MPP = U ---- */
    CASE(4)
    csrci mstatus, MSTATUS_MIE
    li a0, MSTATUS_MPIE | MSTATUS_MPP
    csrs mstatus, a0                /* MPIE = 1, MPP = M */
    la a0, 1f
    csrw mepc, a0
    mret
1:  csrr a1, mstatus
    csrci mstatus, MSTATUS_MIE
    andi a2, a1, MSTATUS_MIE
    CHECK(a2, MSTATUS_MIE)
    andi a2, a1, MSTATUS_MPIE
    CHECK(a2, MSTATUS_MPIE)
    GET_MPP(a1)
    CHECK(a1, PRV_U)
    CASE(5)
    csrsi mstatus, MSTATUS_MIE      /* MIE = 1 (mie = 0: nothing can interrupt) */
    li a0, MSTATUS_MPIE
    csrc mstatus, a0
    li a0, MSTATUS_MPP
    csrs mstatus, a0
    la a0, 1f
    csrw mepc, a0
    mret
1:  csrr a1, mstatus
    andi a2, a1, MSTATUS_MIE
    CHECK(a2, 0)
    andi a2, a1, MSTATUS_MPIE
    CHECK(a2, MSTATUS_MPIE)

    /* ---- MRET keeps MPRV when returning to M, clears it otherwise ---- */
    CASE(6)
    li a0, MSTATUS_MPRV | MSTATUS_MPP
    csrs mstatus, a0                /* MPRV = 1, MPP = M */
    la a0, 1f
    csrw mepc, a0
    mret
1:  csrr a1, mstatus
    li a0, MSTATUS_MPRV
    csrc mstatus, a0
    and a2, a1, a0
    CHECK(a2, MSTATUS_MPRV)
    CASE(7)
    li a0, MSTATUS_MPRV
    csrs mstatus, a0
    ENTER_MODE(PRV_S, 1f)           /* no memory access between: MPP is S */
1:  BACK_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  li a0, MSTATUS_MPRV
    csrc mstatus, a0
    TRAP_CONSUMED
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 leaves MPRV set after MRET to S */
    LAST_TRAP(a1, STATUS)           /* mstatus when the ECALL trapped */
    li a0, MSTATUS_MPRV
    and a2, a1, a0
    CHECK(a2, 0)
#endif

    /* ---- SRET: SIE = SPIE, SPIE = 1, SPP = U ---- */
    CASE(8)
    ENTER_MODE(PRV_S, 1f)
1:  li a0, MSTATUS_SPP | MSTATUS_SPIE
    csrs sstatus, a0
    csrci sstatus, MSTATUS_SIE
    la a0, 2f
    csrw sepc, a0
    sret                            /* SPP = S: stays in S */
2:  csrr a1, sstatus
    csrci sstatus, MSTATUS_SIE
    andi a2, a1, MSTATUS_SIE
    CHECK(a2, MSTATUS_SIE)
    andi a2, a1, MSTATUS_SPIE
    CHECK(a2, MSTATUS_SPIE)
    andi a2, a1, MSTATUS_SPP
    CHECK(a2, 0)
    CASE(9)                         /* SRET with SPP = U drops to U-mode */
    li a0, MSTATUS_SPP
    csrc sstatus, a0
    la a0, 3f
    csrw sepc, a0
    sret
3:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0x100), csrr a0, sstatus)
    BACK_TO_M(CAUSE_USER_ECALL, 4f)
4:  TRAP_CONSUMED

    /* ---- delegation of U-mode ECALL and illegal instructions to S ---- */
    CASE(10)
    li a0, (1 << CAUSE_USER_ECALL) | (1 << CAUSE_ILLEGAL_INSTRUCTION)
    csrw medeleg, a0
    csrr a1, medeleg
    and a1, a1, a0
    CHECK_REG(a1, a0)               /* both are delegatable */
    csrsi mstatus, MSTATUS_SIE      /* so that SPIE records a 1 */
    ld s0, RT_TRAP_COUNT(tp)
    ENTER_MODE(PRV_U, 1f)
1:  TRAP_S(CAUSE_USER_ECALL, 0, ecall)  /* scause 8, sepc = the ecall, stval 0 */
    LAST_TRAP(a0, MODE)
    CHECK(a0, PRV_S)
    LAST_TRAP(a0, STATUS)           /* sstatus on entry to the S handler */
    andi a1, a0, MSTATUS_SPP
    CHECK(a1, 0)                    /* from U */
    andi a1, a0, MSTATUS_SPIE
    CHECK(a1, MSTATUS_SPIE)         /* SIE was 1 */
    andi a1, a0, MSTATUS_SIE
    CHECK(a1, 0)
    CASE(11)                        /* SRET went back to U: still U here */
    TRAP_S(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0x340), csrr a0, mscratch)
    LAST_TRAP(a0, STATUS)
    andi a1, a0, MSTATUS_SPP
    CHECK(a1, 0)
    TRAP_S(CAUSE_ILLEGAL_INSTRUCTION, SRET, sret)
    ld a0, RT_TRAP_COUNT(tp)
    sub a0, a0, s0
    CHECK(a0, 3)                    /* three traps, all taken by S */
    CASE(12)                        /* an exception that is not delegated still goes to M */
    EXPECT_TRAP_AT(PRV_M, CAUSE_LOAD_ACCESS, 0, 2f, 3f, PRV_M)
2:  ld a0, 0(zero)
    FAIL_HERE()
3:  TRAP_CONSUMED
    csrr a0, mcause
    CHECK(a0, CAUSE_LOAD_ACCESS)
    csrci mstatus, MSTATUS_SIE

    /* ---- delegated traps from S stay in S; from M they stay in M ---- */
    CASE(13)
    ENTER_MODE(PRV_S, 1f)
1:  TRAP_S(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0x340), csrr a0, mscratch)
    LAST_TRAP(a0, STATUS)
    andi a1, a0, MSTATUS_SPP
    CHECK(a1, MSTATUS_SPP)          /* from S */
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)   /* cause 9 is not delegated */
2:  TRAP_CONSUMED
    CASE(14)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0, .half 0)     /* in M: taken by M */
    csrw medeleg, zero

    /* ---- mstatus.TSR ---- */
    CASE(15)
    li a0, MSTATUS_TSR
    csrs mstatus, a0
    csrr a1, mstatus
    and a1, a1, a0
    CHECK_REG(a1, a0)
    ENTER_MODE(PRV_S, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, SRET, sret)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    li a0, MSTATUS_TSR
    csrc mstatus, a0

    /* ---- mstatus.TVM ---- */
    CASE(16)
    li a0, MSTATUS_TVM
    csrs mstatus, a0
    csrr a1, mstatus
    and a1, a1, a0
    CHECK_REG(a1, a0)
    ENTER_MODE(PRV_S, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0x180), csrr a0, satp)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x18001073, csrw satp, zero)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, SFENCE_VMA, sfence.vma)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    li a0, MSTATUS_TVM
    csrc mstatus, a0
    CASE(17)                        /* TVM = 0: the same are fine in S */
    ENTER_MODE(PRV_S, 1f)
1:  csrr a0, satp
    CHECK(a0, 0)
    csrw satp, zero
    sfence.vma
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED

    /* ---- mstatus.TW ---- */
    CASE(18)
    li a0, MSTATUS_TW
    csrs mstatus, a0
    csrr a1, mstatus
    and a1, a1, a0
    CHECK_REG(a1, a0)
    ENTER_MODE(PRV_S, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, WFI, wfi)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    li a0, MSTATUS_TW
    csrc mstatus, a0

    /* ---- counter enables ---- */
    CASE(19)                        /* mcounteren = 0: S cannot read counters */
    ENTER_MODE(PRV_S, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0xc00), csrr a0, cycle)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0xc01), csrr a0, time)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0xc02), csrr a0, instret)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    CASE(20)                        /* mcounteren opens them to S, not to U */
    csrwi mcounteren, COUNTER_CY | COUNTER_TM | COUNTER_IR
    csrr a0, mcounteren
    andi a0, a0, 7
    CHECK(a0, 7)
    ENTER_MODE(PRV_S, 1f)
1:  csrr a0, cycle
    csrr a0, time
    csrr a0, instret
    li a0, 0
    csrw scounteren, a0
    la a0, 3f
    csrw sepc, a0
    li a0, MSTATUS_SPP
    csrc sstatus, a0
    sret                            /* to U */
3:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, CSRR_A0(0xc00), csrr a0, cycle)
    BACK_TO_M(CAUSE_USER_ECALL, 2f)
2:  TRAP_CONSUMED
    CASE(21)                        /* scounteren opens them to U */
    csrwi scounteren, COUNTER_CY | COUNTER_TM | COUNTER_IR
    csrr a0, scounteren
    andi a0, a0, 7
    CHECK(a0, 7)
    ENTER_MODE(PRV_U, 1f)
1:  csrr a0, cycle
    csrr a0, time
    csrr a0, instret
    BACK_TO_M(CAUSE_USER_ECALL, 2f)
2:  TRAP_CONSUMED
    csrw mcounteren, zero
    csrw scounteren, zero

    TEST_END
