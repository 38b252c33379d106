/*
 * evil-pmp-storm - PMP rewritten in a tight loop while memory is accessed:
 * the emulator's cached permissions (TLB, decoded code) must follow every
 * change, and it must neither crash nor hang (privileged spec, "Physical
 * Memory Protection").
 *
 * Rules used:
 * - "when the PMP settings are modified, M-mode software must synchronize
 *   the PMP settings with the virtual memory system and any PMP or
 *   address-translation caches. This is accomplished by executing an
 *   SFENCE.VMA instruction with rs1=x0 and rs2=x0, after the PMP CSRs are
 *   written": every change here is followed by SFENCE.VMA, and from then on
 *   the new setting decides;
 * - the matching rules of pmp-modes.S (lowest entry, all bytes, R/W/X for
 *   S and U, M unchecked unless MPRV), faults 1/5/7 with mtval = address.
 *
 * Part 1: 3000 rounds, each picking one of eight configurations of entry 0
 *   (OFF, NAPOT with various permissions, NA4) at random and checking three
 *   accesses made with MPRV = 1, MPP = S (so code keeps running in M) by a
 *   fast trap handler that records faults: lw, sw and ld at pbuf.
 * Part 2: 500 rounds in S-mode, where M toggles X on the code page that S
 *   then calls: it must run or fault (1) in step.
 */
#include "test.h"
#include "vm.h"

#define ROUNDS 3000
#define XROUNDS 500
#define CFG_NAPOT(p) (PMP_NAPOT | (p))

TEST_BEGIN("evil-pmp-storm")
    .option norvc

    CASE(1)
    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    csrw satp, zero
    csrw pmpcfg0, zero
    li a0, -1
    csrw pmpaddr15, a0
    li a0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56
    csrw pmpcfg2, a0
    sfence.vma

    /* ---- part 1: random configurations, MPRV accesses ---- */
    CASE(2)
    la a0, storm_trap
    csrw mtvec, a0
    la s2, pbuf
    li s3, 0x2468ace1               /* LFSR state */
    li s4, ROUNDS
    li s5, 0                        /* mismatches */
    li s6, -1                       /* first mismatching round */
1:  /* next random number (xorshift) -> configuration index s7 in 0..7 */
    slli a0, s3, 13
    xor s3, s3, a0
    srli a0, s3, 7
    xor s3, s3, a0
    slli a0, s3, 17
    xor s3, s3, a0
    srli s7, s3, 11
    andi s7, s7, 7
    slli a0, s7, 4                  /* configs: 16 bytes each */
    la a1, configs
    add a1, a1, a0
    ld a2, 0(a1)                    /* pmpaddr0 offset from pbuf (NAPOT/NA4 bits) */
    ld a3, 8(a1)                    /* byte: cfg | expected << 8 */
    srli a4, s2, 2
    add a4, a4, a2
    csrw pmpaddr0, a4
    andi a4, a3, 0xff
    csrw pmpcfg0, a4
    sfence.vma
    srli s8, a3, 8                  /* s8 = expected: bit0 lw, bit1 sw, bit2 ld ok */
    /* the three accesses, as S; s9 collects "it did not fault" bits */
    li s9, 0
    li t5, MSTATUS_MPP
    csrc mstatus, t5
    li t5, (PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV
    csrs mstatus, t5
    li s10, 0
    lw a5, 0(s2)
    bnez s10, 2f
    ori s9, s9, 1
2:  li t5, (PRV_S << MSTATUS_MPP_SHIFT)   /* (a trap left MPP = U) */
    csrs mstatus, t5
    li s10, 0
    sw a5, 0(s2)
    bnez s10, 3f
    ori s9, s9, 2
3:  li t5, (PRV_S << MSTATUS_MPP_SHIFT)
    csrs mstatus, t5
    li s10, 0
    ld a5, 0(s2)
    bnez s10, 4f
    ori s9, s9, 4
4:  li t5, MSTATUS_MPRV
    csrc mstatus, t5
    beq s9, s8, 5f
    addi s5, s5, 1
    bgez s6, 5f
    mv s6, s4
5:  addi s4, s4, -1
    bnez s4, 1b
    la a0, rt_mtrap_entry
    csrw mtvec, a0
    csrw pmpcfg0, zero
    sfence.vma
    CHECK(s6, -1)                   /* the round that went wrong (counting down) */
    CHECK(s5, 0)
    CASE(3)                         /* every fault was a load or store access fault */
    la a0, bad_cause
    ld a0, 0(a0)
    CHECK(a0, 0)
    la a0, fault_count
    ld a0, 0(a0)
    CHECK_NZ(a0)

    /* ---- part 2: X toggled under S-mode's feet ---- */
    CASE(4)
    pmp_napot a0, xpage, 4096
    csrw pmpaddr0, a0
    li s4, XROUNDS
1:  andi a0, s4, 1                  /* odd rounds: X, even rounds: none */
    beqz a0, 2f
    li a0, CFG_NAPOT(PMP_X)
    csrw pmpcfg0, a0
    sfence.vma
    ENTER_MODE(PRV_S, 3f)
3:  li a0, 0
    la t0, xpage
    jalr t0
    CHECK(a0, 0x33)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 4f)
4:  TRAP_CONSUMED
    j 5f
2:  li a0, CFG_NAPOT(PMP_R)
    csrw pmpcfg0, a0
    sfence.vma
    ENTER_MODE(PRV_S, 3f)
3:  EXPECT_TRAP_AT(PRV_M, CAUSE_FETCH_ACCESS, 0, xpage, 6f, PRV_S)
    la t5, xpage
    sd t5, RT_EXP_TVAL(tp)
    la t0, xpage
    jalr t0
    FAIL_HERE()
6:  TRAP_CONSUMED
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 4f)
4:  TRAP_CONSUMED
5:  addi s4, s4, -1
    bnez s4, 1b
    csrw pmpcfg0, zero
    sfence.vma
    TEST_END

/* Part 1's trap handler: note the fault (s10 = 1), count it, check that it
   is a load/store access fault at pbuf, skip the 4-byte instruction. */
    .balign 4
storm_trap:
    csrw mscratch, t0
    li s10, 1
    la t0, fault_count
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
    csrr t0, mcause
    addi t0, t0, -CAUSE_LOAD_ACCESS
    beqz t0, 1f
    addi t0, t0, CAUSE_LOAD_ACCESS - CAUSE_STORE_ACCESS
    beqz t0, 1f
    j 2f
1:  csrr t0, mtval
    beq t0, s2, 3f
2:  la t0, bad_cause
    ld t1, 0(t0)
    addi t1, t1, 1
    sd t1, 0(t0)
3:  csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    csrr t0, mscratch
    mret

/* Configurations: pmpaddr0 = (pbuf >> 2) + the first doubleword; pmpcfg0 =
   the low byte of the second; the byte above it: which of lw pbuf, sw pbuf,
   ld pbuf (bits 0, 1, 2) must work. */
#define NAPOT4K 0x1ff                   /* 4 KiB: the low 9 bits set */
    .section .rodata
    .balign 16
configs:
    .dword 0, PMP_OFF | (7 << 8)                                    /* off */
    .dword NAPOT4K, CFG_NAPOT(0) | (0 << 8)                         /* none */
    .dword NAPOT4K, CFG_NAPOT(PMP_R) | (5 << 8)                     /* R */
    .dword NAPOT4K, CFG_NAPOT(PMP_R | PMP_W) | (7 << 8)             /* RW */
    .dword 0, (PMP_NA4 | PMP_R) | (1 << 8)  /* NA4 [pbuf, +4): R; ld straddles */
    .dword NAPOT4K, CFG_NAPOT(PMP_X) | (0 << 8)                     /* X */
    .dword (0x800 >> 2) | 0xff, CFG_NAPOT(0) | (7 << 8)  /* the upper 2 KiB only */
    .dword 1, PMP_NA4 | (3 << 8)            /* NA4 [pbuf+4, +8): none */

    .text
    .balign 4096
xpage:                          /* li a0, 0x33; ret */
    .word 0x03300513, 0x00008067
    .balign 4096

    .data
    .balign 4096
pbuf: .zero 4096
fault_count: .dword 0
bad_cause: .dword 0
