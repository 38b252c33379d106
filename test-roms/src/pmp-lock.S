/*
 * pmp-lock - the L bit of PMP entries (privileged spec, "Locking and
 * Privilege Mode", "Priority and Matching Logic").
 *
 * Rules used:
 * - "The L bit indicates that the PMP entry is locked, i.e., writes to the
 *   configuration register and associated address registers are ignored.
 *   Locked PMP entries remain locked until the hart is reset. If PMP entry i
 *   is locked, writes to pmpicfg and pmpaddri are ignored. Additionally, if
 *   PMP entry i is locked and pmpicfg.A is set to TOR, writes to pmpaddri-1
 *   are ignored." (only the address: pmp(i-1)cfg stays writable);
 * - "Setting the L bit locks the PMP entry even when the A field is set to
 *   OFF.";
 * - "When the L bit is set, these permissions are enforced for all
 *   privilege modes. When the L bit is clear, any M-mode access matching
 *   the PMP entry will succeed";
 * - the lowest-numbered matching entry decides, locked or not;
 * - a write to a pmpcfg CSR changes the unlocked entries' bytes and leaves
 *   the locked ones;
 * - faults: 1 (fetch), 5 (load), 7 (store/AMO), mtval = the address.
 *
 * Entries, in the order they are locked (every test runs on top of the
 * locks before it, since only a reset clears them):
 *   0  NAPOT lbuf0, R, locked          1  NAPOT lbuf1, R (unlocked)
 *   2  OFF, locked                     3  OFF: the bottom of entry 4
 *   4  TOR [lcode, lcode + 4K), RX, locked
 *   5  NAPOT lcode2, nothing, locked   7  NAPOT lbuf0, RW (unlocked)
 *   8  NAPOT lbuf3, RW, locked         15 the catch-all (RWX, unlocked)
 */
#include "test.h"
#include "vm.h"

#define CFG(e, v) ((v) << (8 * (e)))
#define BYTE(reg, e) srli reg, reg, 8 * (e); andi reg, reg, 0xff
#define NAPOT_RWX (PMP_NAPOT | PMP_R | PMP_W | PMP_X)
#define FAULTS(c, reg, insn...) TRAP_R(c, reg, insn)

TEST_BEGIN("pmp-lock")
    .option norvc

    CASE(1)
    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    csrw satp, zero
    csrw pmpcfg0, zero
    li a0, -1
    csrw pmpaddr15, a0
    li a0, NAPOT_RWX << 56
    csrw pmpcfg2, a0
    sfence.vma

    /* ---- an unlocked entry binds S, not M ---- */
    CASE(2)
    pmp_napot a0, lbuf1, 4096
    csrw pmpaddr1, a0
    li a0, CFG(1, PMP_NAPOT | PMP_R)
    csrw pmpcfg0, a0
    sfence.vma
    la s0, lbuf1
    li a0, 0x1111
    sd a0, 0(s0)                    /* M: fine */
    ENTER_MODE(PRV_S, 1f)
1:  la s0, lbuf1
    ld a0, 0(s0)
    CHECK(a0, 0x1111)
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- entry 0 locked, R only: it binds M too ---- */
    CASE(3)
    pmp_napot s1, lbuf0, 4096
    csrw pmpaddr0, s1
    li a0, CFG(0, PMP_L | PMP_NAPOT | PMP_R) | CFG(1, PMP_NAPOT | PMP_R)
    csrw pmpcfg0, a0
    sfence.vma
    csrr a1, pmpcfg0
    CHECK_REG(a1, a0)
    la s0, lbuf0
    ld a0, 0(s0)                    /* M may read ... */
    CHECK(a0, 0x0a0a)
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))    /* ... not write */
    li a2, 1
    FAULTS(CAUSE_STORE_ACCESS, s0, amoadd.w a0, a2, (s0))
    addi s2, s0, 0x7f8
    addi s2, s2, 0x7f8
    addi s2, s2, 0x8                /* lbuf0 + 0xff8 */
    FAULTS(CAUSE_STORE_ACCESS, s2, sd a0, 0(s2))
    ld a0, 0(s0)
    CHECK(a0, 0x0a0a)

    /* ---- writes to a locked entry are ignored ---- */
    CASE(4)
    csrw pmpaddr0, zero             /* its address */
    csrr a0, pmpaddr0
    CHECK_REG(a0, s1)
    li a0, -1
    csrw pmpaddr0, a0
    csrr a0, pmpaddr0
    CHECK_REG(a0, s1)
    li a0, CFG(0, PMP_NAPOT | PMP_R | PMP_W) | CFG(1, PMP_NAPOT | PMP_R | PMP_W)
    csrw pmpcfg0, a0                /* its configuration (byte 0): kept; */
    csrr a1, pmpcfg0                /* byte 1 (unlocked) changes */
    li a2, CFG(0, PMP_L | PMP_NAPOT | PMP_R) | CFG(1, PMP_NAPOT | PMP_R | PMP_W)
    CHECK_REG(a1, a2)
    li a0, PMP_L                    /* clearing L alone */
    csrc pmpcfg0, a0
    csrr a1, pmpcfg0
    CHECK_REG(a1, a2)
    csrw pmpcfg0, zero
    csrr a1, pmpcfg0
    li a2, CFG(0, PMP_L | PMP_NAPOT | PMP_R)
    CHECK_REG(a1, a2)
    sfence.vma
    la s0, lbuf0                    /* and it still binds M */
    FAULTS(CAUSE_STORE_ACCESS, s0, sw a0, 0(s0))
    la s3, lbuf1                    /* entry 1 is off now: M and S write lbuf1 */
    sd s3, 8(s3)

    /* ---- a locked entry binds S and U as well ---- */
    CASE(5)
    ENTER_MODE(PRV_U, 1f)
1:  la s0, lbuf0
    ld a0, 0(s0)
    CHECK(a0, 0x0a0a)
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    la s3, lbuf1
    sd s3, 16(s3)
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- priority: a later unlocked entry does not override it ---- */
    CASE(6)
    pmp_napot a0, lbuf0, 4096
    csrw pmpaddr7, a0
    li a0, CFG(0, PMP_L | PMP_NAPOT | PMP_R) | CFG(7, PMP_NAPOT | PMP_R | PMP_W | PMP_X)
    csrw pmpcfg0, a0
    sfence.vma
    csrr a1, pmpcfg0
    CHECK_REG(a1, a0)
    la s0, lbuf0
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    ENTER_MODE(PRV_S, 1f)
1:  la s0, lbuf0
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- L with A = OFF: locked, matching nothing ---- */
    CASE(7)
    li s1, 0x12345
    csrw pmpaddr2, s1
    csrr a0, pmpcfg0
    li a1, CFG(2, PMP_L)
    or a0, a0, a1
    csrw pmpcfg0, a0
    sfence.vma
    csrr a1, pmpcfg0
    BYTE(a1, 2)
    CHECK(a1, PMP_L)
    csrw pmpaddr2, zero             /* ignored */
    csrr a0, pmpaddr2
    CHECK_REG(a0, s1)
    csrr a0, pmpcfg0
    li a1, CFG(2, PMP_NAPOT | PMP_R)
    or a0, a0, a1
    csrw pmpcfg0, a0                /* ignored */
    csrr a1, pmpcfg0
    BYTE(a1, 2)
    CHECK(a1, PMP_L)
    la s0, lbuf1                    /* it matches nothing: M, S unaffected */
    sd s0, 24(s0)

    /* ---- a locked TOR entry also locks the address below it ---- */
    CASE(8)
    pmp_addr s1, lcode
    csrw pmpaddr3, s1
    pmp_addr s2, lcode, 4096
    csrw pmpaddr4, s2
    csrr a0, pmpcfg0
    li a1, CFG(4, PMP_L | PMP_TOR | PMP_R | PMP_X)
    or a0, a0, a1
    csrw pmpcfg0, a0
    sfence.vma
    csrw pmpaddr3, zero             /* ignored: entry 4 is a locked TOR */
    csrr a0, pmpaddr3
    CHECK_REG(a0, s1)
    csrw pmpaddr4, zero             /* ignored */
    csrr a0, pmpaddr4
    CHECK_REG(a0, s2)
    csrr a0, pmpcfg0                /* but pmp3cfg itself is writable */
    li a1, CFG(3, PMP_R)
    or a0, a0, a1
    csrw pmpcfg0, a0
    csrr a1, pmpcfg0
    BYTE(a1, 3)
    CHECK(a1, PMP_R)
    csrr a1, pmpcfg0
    BYTE(a1, 4)
    CHECK(a1, PMP_L | PMP_TOR | PMP_R | PMP_X)
    sfence.vma
    CASE(9)                         /* ... and it binds M: RX, no W */
    li a0, 0
    la t0, lcode
    jalr t0
    CHECK(a0, 0x61)
    la s0, lcode
    lw a0, 0(s0)
    li a1, 0x06100513
    CHECK_REG(a0, a1)
    FAULTS(CAUSE_STORE_ACCESS, s0, sw a0, 0(s0))
    la s0, lcode + 0xffc            /* the top word of the range */
    FAULTS(CAUSE_STORE_ACCESS, s0, sw a0, 0(s0))

    /* ---- a locked entry without X: M cannot execute there ---- */
    CASE(10)
    pmp_napot a0, lcode2, 4096
    csrw pmpaddr5, a0
    csrr a0, pmpcfg0
    li a1, CFG(5, PMP_L | PMP_NAPOT)
    or a0, a0, a1
    csrw pmpcfg0, a0
    sfence.vma
    EXPECT_TRAP_AT(PRV_M, CAUSE_FETCH_ACCESS, 0, lcode2, 2f, PRV_M)
    la t5, lcode2
    sd t5, RT_EXP_TVAL(tp)
    la t0, lcode2
    jalr t0
    FAIL_HERE()
2:  TRAP_CONSUMED
    la s0, lcode2
    FAULTS(CAUSE_LOAD_ACCESS, s0, lw a0, 0(s0))
    FAULTS(CAUSE_STORE_ACCESS, s0, sw a0, 0(s0))
    ENTER_MODE(PRV_S, 1f)           /* S neither */
1:  EXPECT_TRAP_AT(PRV_M, CAUSE_FETCH_ACCESS, 0, lcode2, 2f, PRV_S)
    la t5, lcode2
    sd t5, RT_EXP_TVAL(tp)
    la t0, lcode2
    jalr t0
    FAIL_HERE()
2:  TRAP_CONSUMED
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- pmpcfg2: a locked byte among unlocked ones ---- */
    CASE(11)
    pmp_napot a0, lbuf3, 4096
    csrw pmpaddr8, a0
    li a0, (NAPOT_RWX << 56) | CFG(0, PMP_L | PMP_NAPOT | PMP_R | PMP_W)
    csrw pmpcfg2, a0
    sfence.vma
    csrr a1, pmpcfg2
    CHECK_REG(a1, a0)
    li a0, NAPOT_RWX << 56          /* clear byte 0: ignored */
    csrw pmpcfg2, a0
    csrr a1, pmpcfg2
    BYTE(a1, 0)
    CHECK(a1, PMP_L | PMP_NAPOT | PMP_R | PMP_W)
    li a0, (NAPOT_RWX << 56) | CFG(1, PMP_R)    /* byte 1 (entry 9) changes */
    csrw pmpcfg2, a0
    csrr a1, pmpcfg2
    li a2, (NAPOT_RWX << 56) | CFG(1, PMP_R) | CFG(0, PMP_L | PMP_NAPOT | PMP_R | PMP_W)
    CHECK_REG(a1, a2)
    la s0, lbuf3                    /* RW, no X, locked: M reads and writes */
    sd s0, 0(s0)
    ld a0, 0(s0)
    CHECK_REG(a0, s0)

    /* ---- everything still in place at the end ---- */
    CASE(12)
    csrw pmpcfg0, zero
    csrw pmpcfg2, zero
    sfence.vma
    csrr a0, pmpcfg0
    li a1, CFG(0, PMP_L | PMP_NAPOT | PMP_R) | CFG(2, PMP_L) | CFG(4, PMP_L | PMP_TOR | PMP_R | PMP_X) | CFG(5, PMP_L | PMP_NAPOT)
    CHECK_REG(a0, a1)
    csrr a0, pmpcfg2
    CHECK(a0, PMP_L | PMP_NAPOT | PMP_R | PMP_W)
    la s0, lbuf0
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    la s0, lbuf1                    /* unlocked entries are gone */
    sd s0, 0(s0)
    TEST_END

    .balign 4096
lcode:                          /* li a0, 0x61; ret */
    .word 0x06100513, 0x00008067
    .balign 4096
lcode2:                         /* li a0, 0x62; ret */
    .word 0x06200513, 0x00008067
    .balign 4096

    .data
    .balign 4096
lbuf0: .dword 0x0a0a
    .balign 4096
lbuf1: .zero 4096
lbuf3: .zero 4096
