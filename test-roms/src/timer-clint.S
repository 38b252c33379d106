/*
 * timer-clint - the machine timer of the CLINT (mtime, mtimecmp, MTIP), the
 * time CSR, and the counter enables (privileged spec, "Machine Timer
 * Registers (mtime and mtimecmp)", "Machine Counter-Enable Register",
 * "Counter-Enable Register (scounteren)"; DESIGN.md: CLINT at 0x0200_0000,
 * mtimecmp at +0x4000, mtime at +0xbff8, 10 MHz).
 *
 * Rules used:
 * - "Platforms provide a real-time counter, exposed as a memory-mapped
 *   machine-mode read-write register, mtime. mtime must increment at
 *   constant frequency"; "A machine timer interrupt becomes pending whenever
 *   mtime contains a value greater than or equal to mtimecmp, treating the
 *   values as unsigned integers. The interrupt remains posted until
 *   mtimecmp becomes greater than mtime (typically as a result of writing
 *   mtimecmp)"; "Writes to mtime and mtimecmp are guaranteed to be reflected
 *   in MTIP eventually, but not necessarily immediately" (so the tests wait
 *   for MTIP, within a time limit, rather than read it right away);
 * - "For RV64, naturally aligned 64-bit memory accesses to the mtime and
 *   mtimecmp registers are additionally supported and are atomic" (32-bit
 *   halves work too, as the RV32 sample sequence uses them);
 * - "The time CSR is a read-only shadow of the memory-mapped mtime
 *   register";
 * - "When the CY, TM, IR, or HPMn bit in the mcounteren register is clear,
 *   attempts to read the cycle, time, instret, or hpmcountern register while
 *   executing in S-mode or U-mode will cause an illegal-instruction
 *   exception"; for U-mode, scounteren as well: "U-mode may only access a
 *   counter if the corresponding bits in scounteren and mcounteren are both
 *   set". mtval = the instruction (pinned, as in traps-privilege).
 */
#include "test.h"
#include "vm.h"

#define MTIME_R(reg) li t5, CLINT_MTIME; ld reg, 0(t5)
#define MTIMECMP_W(reg) li t5, CLINT_MTIMECMP(0); sd reg, 0(t5)
#define D 200000                    /* 20 ms at 10 MHz */
#define FAR 100000000               /* 10 s: "not yet" checks cannot race with it */
#define RDCYCLE(rd) CSRR_WORD(rd, 0xc00)
#define RDTIME(rd) CSRR_WORD(rd, 0xc01)
#define RDINSTRET(rd) CSRR_WORD(rd, 0xc02)

/* wait_mip MASK, VAL: wait (for at most about a second of mtime) until
   (mip & MASK) == VAL; a0 = 1 if it happened, else 0 */
.macro wait_mip mask, val
    li a0, \mask
    li a1, \val
    call wait_mip_fn
.endm

TEST_BEGIN("timer-clint")
    .option norvc

    CASE(1)
    PMP_ALLOW_ALL
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    la a0, irq_mtrap
    csrw mtvec, a0
    li a0, -1
    MTIMECMP_W(a0)
    wait_mip MIP_MTIP, 0
    CHECK(a0, 1)

    /* ---- mtime runs; time shadows it ---- */
    CASE(2)
    MTIME_R(s0)
    csrr s1, time
    MTIME_R(s2)
    CHECK_LEU(s0, s1)               /* mtime <= time <= mtime a moment later */
    CHECK_LEU(s1, s2)
    li s3, 10000000                 /* mtime advances */
1:  MTIME_R(s4)
    bne s4, s2, 2f
    addi s3, s3, -1
    bnez s3, 1b
2:  CHECK_NZ(s3)
    CHECK_LEU(s2, s4)
    csrr a0, time                   /* and so does time */
    CHECK_LEU(s1, a0)
    CASE(3)                         /* mtime is writable; time follows it */
    MTIME_R(s0)
    li a0, 0x10000000
    add s0, s0, a0                  /* jump 26.8 s ahead */
    li t5, CLINT_MTIME
    sd s0, 0(t5)
    MTIME_R(s1)
    csrr s2, time
    CHECK_LEU(s0, s1)               /* s0 <= mtime < s0 + 1 s */
    li a0, 10000000
    add a0, s0, a0
    CHECK_LEU(s1, a0)
    CHECK_LEU(s1, s2)               /* mtime <= time */
    li t5, CLINT_MTIME              /* the high word alone */
    lwu a1, 4(t5)
    srli a2, s1, 32
    CHECK_LEU(a2, a1)

    /* ---- mtimecmp: a 64-bit register, also in 32-bit halves ---- */
    CASE(4)
    li t5, CLINT_MTIMECMP(0)
    li a0, 0x7edcba9876543210
    sd a0, 0(t5)
    ld a1, 0(t5)
    CHECK_REG(a1, a0)
    li a0, -1
    sw a0, 0(t5)                    /* the RV32 sequence: low word -1 first */
    li a0, 0x7fffffff
    sw a0, 4(t5)
    li a0, 0x13572468
    sw a0, 0(t5)
    ld a1, 0(t5)
    li a0, 0x7fffffff13572468
    CHECK_REG(a1, a0)
    lw a1, 4(t5)
    li a0, 0x7fffffff
    CHECK_REG(a1, a0)
    lwu a1, 0(t5)
    li a0, 0x13572468
    CHECK_REG(a1, a0)
    li a0, -1
    sd a0, 0(t5)

    /* ---- MTIP follows mtime >= mtimecmp ---- */
    CASE(5)                         /* mtimecmp = 0: pending */
    MTIMECMP_W(zero)
    wait_mip MIP_MTIP, MIP_MTIP
    CHECK(a0, 1)
    CASE(6)                         /* a later mtimecmp clears it */
    MTIME_R(s0)
    li a0, FAR
    add s0, s0, a0
    MTIMECMP_W(s0)
    wait_mip MIP_MTIP, 0
    CHECK(a0, 1)
    MTIME_R(a1)                     /* and it cleared before the deadline */
    CHECK_LEU(a1, s0)
    CASE(7)                         /* it becomes pending when mtime gets there */
    MTIME_R(s0)
    li a0, D
    add s0, s0, a0
    MTIMECMP_W(s0)
    wait_mip MIP_MTIP, MIP_MTIP
    CHECK(a0, 1)
    MTIME_R(a1)
    CHECK_LEU(s0, a1)
    CASE(8)                         /* a later mtimecmp again: clear again */
    MTIME_R(s0)
    li a0, FAR
    add s0, s0, a0
    MTIMECMP_W(s0)
    wait_mip MIP_MTIP, 0
    CHECK(a0, 1)
    CASE(9)                         /* unsigned: mtimecmp = 2^63 is far ahead */
    li a0, 0x8000000000000000
    MTIMECMP_W(a0)
    wait_mip MIP_MTIP, 0
    CHECK(a0, 1)
    li a0, -1
    MTIMECMP_W(a0)

    /* ---- the interrupt ---- */
    CASE(10)
    IRQ_RESET
    MTIME_R(s0)
    li a0, D
    add s0, s0, a0
    MTIMECMP_W(s0)
    wait_mip MIP_MTIP, 0
    li a0, MIP_MTIP
    csrs mie, a0
    csrsi mstatus, MSTATUS_MIE
    li s1, 100000000                /* wait for it (bounded) */
1:  IRQ_COUNT(a0)
    bnez a0, 2f
    wfi
    addi s1, s1, -1
    bnez s1, 1b
2:  csrci mstatus, MSTATUS_MIE
    IRQ_COUNT(a0)
    CHECK(a0, 1)
    IRQ_LOG(a0, 0, IRQ_CAUSE)
    li a1, INTR(IRQ_M_TIMER)
    CHECK_REG(a0, a1)
    MTIME_R(a1)                     /* not before its time */
    CHECK_LEU(s0, a1)
    li a0, -1
    MTIMECMP_W(a0)

    /* ---- the counter enables ---- */
    CASE(11)                        /* mcounteren = 0: S cannot read them */
    csrw mcounteren, zero
    csrw scounteren, zero
    ENTER_MODE(PRV_S, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDCYCLE(10), csrr a0, cycle)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDTIME(10), csrr a0, time)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDINSTRET(10), csrr a0, instret)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    CASE(12)                        /* mcounteren.TM: time only, for S */
    csrwi mcounteren, COUNTER_TM
    MTIME_R(s0)
    ENTER_MODE(PRV_S, 1f)
1:  csrr s1, time
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDCYCLE(10), csrr a0, cycle)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDINSTRET(10), csrr a0, instret)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    MTIME_R(s2)
    CHECK_LEU(s0, s1)               /* s0 <= S's time <= s2 */
    CHECK_LEU(s1, s2)
    ENTER_MODE(PRV_U, 1f)           /* not for U: scounteren = 0 */
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDTIME(10), csrr a0, time)
    ECALL_TO_M(CAUSE_USER_ECALL, 2f)
2:  TRAP_CONSUMED
    CASE(13)                        /* scounteren.TM too: U reads time */
    csrwi scounteren, COUNTER_TM
    MTIME_R(s0)
    ENTER_MODE(PRV_U, 1f)
1:  csrr s1, time
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDCYCLE(10), csrr a0, cycle)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDINSTRET(10), csrr a0, instret)
    ECALL_TO_M(CAUSE_USER_ECALL, 2f)
2:  TRAP_CONSUMED
    MTIME_R(s2)
    CHECK_LEU(s0, s1)
    CHECK_LEU(s1, s2)
    CASE(14)                        /* scounteren alone is not enough */
    csrwi mcounteren, COUNTER_CY | COUNTER_IR
    csrwi scounteren, COUNTER_CY | COUNTER_TM | COUNTER_IR
    ENTER_MODE(PRV_U, 1f)
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDTIME(10), csrr a0, time)
    csrr a0, cycle
    csrr a0, instret
    ECALL_TO_M(CAUSE_USER_ECALL, 2f)
2:  TRAP_CONSUMED
    ENTER_MODE(PRV_S, 1f)           /* S: cycle and instret, not time */
1:  TRAP(CAUSE_ILLEGAL_INSTRUCTION, RDTIME(10), csrr a0, time)
    csrr a0, cycle
    csrr a0, instret
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    CASE(15)                        /* cycle and instret advance in U */
    csrwi mcounteren, COUNTER_CY | COUNTER_TM | COUNTER_IR
    ENTER_MODE(PRV_U, 1f)
1:  csrr s0, instret
    csrr s1, cycle
    nop
    nop
    csrr s2, instret
    csrr s3, cycle
    ECALL_TO_M(CAUSE_USER_ECALL, 2f)
2:  TRAP_CONSUMED
    CHECK_LEU(s0, s2)
    bne s0, s2, 3f                  /* instret strictly */
    CHECK_REG(s2, zero)
3:  CHECK_LEU(s1, s3)
    csrw mcounteren, zero
    csrw scounteren, zero
    TEST_END

/* a0 = mask, a1 = value: wait until (mip & mask) == value, for at most about
   a second of mtime (10,000,000 ticks); a0 = 1 if so, else 0. Clobbers
   a2-a4, t5. */
wait_mip_fn:
    MTIME_R(a2)
    li a3, 10000000
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
