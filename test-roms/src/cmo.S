/*
 * cmo - the cache-block operations: Zicbom (cbo.clean, cbo.flush,
 * cbo.inval), Zicboz (cbo.zero) and Zicbop (prefetch.i/r/w), their enables
 * in menvcfg and CSR_SENVCFG, and their translation and protection checks
 * ("CMO" Extensions for Base Cache Management Operation ISA, 1.0.0).
 * QEMU 7.2 decodes none of the cbo.* instructions (cbo.zero is an illegal
 * instruction in M-mode there, though its menvcfg and senvcfg hold the
 * enable bits, and CBIE = 10 too): rivet only.
 *
 * Rules used (quotes from the CMO specification):
 * - the cache block is 64 bytes here (the device tree's
 *   riscv,cbom-block-size and riscv,cboz-block-size); "CBO.ZERO ... zeros
 *   ... the set of bytes corresponding to a cache block", the block
 *   "identified by any of the physical addresses" in it, i.e. the
 *   64-byte-aligned block holding the effective address (rs1);
 * - "CMO instructions do not generate address-misaligned exceptions";
 * - enables: "if (((priv_mode != M) && (menvcfg.CBZE == 0)) || ((priv_mode
 *   == U) && (senvcfg.CBZE == 0))) <raise illegal-instruction exception>",
 *   and the same with CBCFE for CBO.CLEAN/CBO.FLUSH and with CBIE == 00 for
 *   CBO.INVAL (01: "performs a flush operation", 11: "an invalidate
 *   operation"; 10 reserved, and the fields are WARL); illegal instructions
 *   report the instruction bits (rivet's pinned choice);
 * - "A cache-block management instruction is permitted to access the
 *   specified cache block whenever a load instruction or store instruction
 *   is permitted ... If access to the cache block is not permitted, a
 *   cache-block management instruction raises a store page-fault ...
 *   exception if address translation does not permit any access or raises
 *   a store access-fault exception otherwise. During address translation,
 *   the instruction also checks the accessed bit and may either raise an
 *   exception or set the bit"; it "does not check the dirty bit and
 *   neither raises an exception nor sets the bit";
 * - "A cache-block zero instruction is permitted to access the specified
 *   cache block whenever a store instruction is permitted ... raises a store
 *   page-fault ... exception if address translation does not permit write
 *   access or raises a store access-fault exception otherwise", and checks
 *   the accessed and dirty bits (set here: menvcfg.ADUE = 1, Svadu);
 *   "Main memory regions are required to support accesses by cache-block
 *   zero instructions; however, I/O regions may specify whether accesses
 *   by cache-block zero instructions are supported": rivet's devices do
 *   not (pinned), so cbo.zero there is a store access fault;
 * - "When a page-fault, guest-page-fault, or access-fault exception is
 *   taken, the relevant *tval CSR is written with the faulting effective
 *   address (i.e. the value of rs1)";
 * - prefetches: "Cache-block prefetch instructions raise neither
 *   illegal-instruction exceptions nor virtual-instruction exceptions";
 *   "If access to the cache block is not permitted, a cache-block prefetch
 *   instruction does not raise any exceptions"; they are ORI with rd = x0
 *   (a HINT): no register changes;
 * - cbo.zero's stores behave like other stores: code they overwrite is
 *   seen as overwritten by later fetches after FENCE.I (Zifencei).
 */
#include "test.h"
#include "vm.h"

    .option arch, +zicbom, +zicboz, +zicbop

#define CSR_SENVCFG 0x10a
#define CBIE_FLUSH (1 << 4)
#define CBIE_INVAL (3 << 4)
#define CBIE (3 << 4)
#define CBCFE (1 << 6)
#define CBZE (1 << 7)
#define CB_ALL (CBIE_INVAL | CBCFE | CBZE)

/* The instruction words (I-type, MISC-MEM, funct3 = 010, rd = 0). */
#define CBO_WORD(op, rs1) (((op) << 20) | ((rs1) << 15) | 0x200f)
#define CBO_INVAL_A0 CBO_WORD(0, 10)
#define CBO_CLEAN_A0 CBO_WORD(1, 10)
#define CBO_FLUSH_A0 CBO_WORD(2, 10)
#define CBO_ZERO_A0 CBO_WORD(4, 10)

#define PATTERN 0x0123456789abcdef

#define VA4K(k) (0x40000000 + (k) * 0x1000)
#define I_RW 0       /* zpage_rw, RW */
#define I_RO 1       /* zpage_ro, R */
#define I_INV 2      /* invalid */
#define I_AD 3       /* zpage_ad, RW with A = D = 0 */
#define I_PMPRO 4    /* pmp_ro (PMP: R only), RW */
#define I_PMPNONE 5  /* pmp_none (PMP: nothing), RW */

/* All four management/zero instructions on (a0) must be illegal. */
#define ALL_ILLEGAL                                                          \
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_ZERO_A0, cbo.zero (a0));              \
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_CLEAN_A0, cbo.clean (a0));            \
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_FLUSH_A0, cbo.flush (a0));            \
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_INVAL_A0, cbo.inval (a0))

/* Fill the 192 bytes at blk with PATTERN + i (doubleword i). */
#define FILL_BLK call fill_blk
/* Check that doublewords [from, to) of blk are PATTERN + i (s1 = blk). */
#define CHECK_PATTERN(from, to) li a2, from; li a3, to; call check_pattern; CHECK(a0, 0)
/* Check that doublewords [from, to) of blk are zero. */
#define CHECK_ZERO(from, to) li a2, from; li a3, to; call check_zero; CHECK(a0, 0)

/* From M-mode: set menvcfg's and senvcfg's cache-block fields to m and s
   (ADUE kept), then run the code at label `at` in privilege prv. */
#define ENVCFG_RUN(m, s, prv, at)                                            \
    li t0, CB_ALL; csrc CSR_MENVCFG, t0; csrc CSR_SENVCFG, t0;                   \
    li t0, m; csrs CSR_MENVCFG, t0; li t0, s; csrs CSR_SENVCFG, t0;              \
    ENTER_MODE(prv, at)

TEST_BEGIN("cmo")
    .option norvc

    /* ---- the enable fields (M-mode) ---- */
    CASE(1)
    PMP_ALLOW_ALL
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    li a0, ENVCFG_ADUE                  /* Svadu: hardware A/D updates */
    csrs CSR_MENVCFG, a0
    li a0, CB_ALL                       /* CBIE, CBCFE, CBZE are writable */
    csrs CSR_MENVCFG, a0
    csrr a1, CSR_MENVCFG
    andi a1, a1, 0xf0
    CHECK(a1, CB_ALL)
    csrs CSR_SENVCFG, a0
    csrr a1, CSR_SENVCFG
    andi a1, a1, 0xf0
    CHECK(a1, CB_ALL)
    CASE(2)                             /* CBIE = 10 is reserved: WARL, so it
                                           never reads back as 10 */
    li a0, CBIE
    csrc CSR_MENVCFG, a0
    li a0, 2 << 4
    csrs CSR_MENVCFG, a0
    csrr a1, CSR_MENVCFG
    andi a1, a1, CBIE
    li a2, 2 << 4
    beq a1, a2, 1f
    j 2f
1:  FAIL_HERE()
2:  li a0, CBIE
    csrc CSR_SENVCFG, a0
    li a0, 2 << 4
    csrs CSR_SENVCFG, a0
    csrr a1, CSR_SENVCFG
    andi a1, a1, CBIE
    li a2, 2 << 4
    beq a1, a2, 1f
    j 2f
1:  FAIL_HERE()
2:  li a0, CB_ALL
    csrc CSR_MENVCFG, a0
    csrc CSR_SENVCFG, a0

    /* ---- cbo.zero in M-mode (always enabled there) ---- */
    CASE(3)                             /* from an address inside the block */
    la s1, blk
    FILL_BLK
    addi a0, s1, 64 + 0x23
    mv s2, a0
    cbo.zero (a0)
    CHECK_REG(a0, s2)                   /* rs1 is only read */
    CHECK_PATTERN(0, 8)                 /* the block before: untouched */
    CHECK_ZERO(8, 16)                   /* 64 bytes from blk + 64: zero */
    CHECK_PATTERN(16, 24)               /* the block after: untouched */
    CASE(4)                             /* the block's first and last byte */
    FILL_BLK
    addi a0, s1, 128
    cbo.zero (a0)
    CHECK_PATTERN(0, 16)
    CHECK_ZERO(16, 24)
    FILL_BLK
    addi a0, s1, 63
    cbo.zero (a0)
    CHECK_ZERO(0, 8)
    CHECK_PATTERN(8, 24)

    CASE(22)                            /* outside RAM: rivet's devices and
                                           vacant addresses take no cache-block
                                           zero accesses (a store access fault,
                                           mtval = rs1, nothing written) */
    li a0, UART_BASE + 0x41
    TRAP(CAUSE_STORE_ACCESS, UART_BASE + 0x41, cbo.zero (a0))
    li a0, VACANT + 0x7f
    TRAP(CAUSE_STORE_ACCESS, VACANT + 0x7f, cbo.zero (a0))

    /* ---- clean, flush and inval change nothing a program sees ---- */
    CASE(5)
    FILL_BLK
    addi a0, s1, 64 + 8
    cbo.clean (a0)
    cbo.flush (a0)
    cbo.inval (a0)
    CHECK_PATTERN(0, 24)

    /* ---- prefetches: hints, no trap even where nothing is mapped ---- */
    CASE(6)
    li a0, 0x5a
    mv a1, s1
    prefetch.i 0(a1)
    prefetch.r 64(a1)
    prefetch.w -32(a1)
    li a1, VACANT
    prefetch.r 0(a1)
    prefetch.w 2016(a1)
    prefetch.i -2048(a1)
    li a1, 0
    prefetch.r 0(a1)
    CHECK(a0, 0x5a)
    CHECK(a1, 0)

    /* ---- cbo.zero over code: the zeroed instructions are gone ---- */
    CASE(7)
    la s3, code_blk
    jalr s3                             /* li a0, 0x33; ret */
    CHECK(a0, 0x33)
    mv a0, s3
    cbo.zero (a0)
    fence.i
    /* a 0x0000 parcel: illegal, mtval = 0 (the bits) */
    EXPECT_TRAP_AT(PRV_M, CAUSE_ILLEGAL_INSTRUCTION, 0, code_blk, 1f, PRV_M)
    jalr s3
    FAIL_HERE()
1:  TRAP_CONSUMED
    li a0, 0x03300513                   /* li a0, 0x33 back, and ret */
    sw a0, 0(s3)
    li a0, 0x00008067
    sw a0, 4(s3)
    fence.i
    li a0, 0
    jalr s3
    CHECK(a0, 0x33)

    /* ---- the enables from S-mode (translation off) ---- */
    CASE(8)                             /* menvcfg clear: all illegal */
    ENVCFG_RUN(0, CB_ALL, PRV_S, 1f)
1:  mv a0, s1
    ALL_ILLEGAL
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(9)                             /* CBZE only */
    FILL_BLK
    ENVCFG_RUN(CBZE, 0, PRV_S, 1f)
1:  addi a0, s1, 64
    cbo.zero (a0)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_CLEAN_A0, cbo.clean (a0))
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_FLUSH_A0, cbo.flush (a0))
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_INVAL_A0, cbo.inval (a0))
    CHECK_ZERO(8, 16)                   /* senvcfg does not govern S-mode */
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(10)                            /* CBCFE only */
    ENVCFG_RUN(CBCFE, 0, PRV_S, 1f)
1:  mv a0, s1
    cbo.clean (a0)
    cbo.flush (a0)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_ZERO_A0, cbo.zero (a0))
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_INVAL_A0, cbo.inval (a0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(11)                            /* CBIE = 01 (flush), then 11 */
    ENVCFG_RUN(CBIE_FLUSH, 0, PRV_S, 1f)
1:  mv a0, s1
    cbo.inval (a0)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_CLEAN_A0, cbo.clean (a0))
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_ZERO_A0, cbo.zero (a0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    ENVCFG_RUN(CBIE_INVAL, 0, PRV_S, 1f)
1:  mv a0, s1
    cbo.inval (a0)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_FLUSH_A0, cbo.flush (a0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CHECK_PATTERN(0, 8)                 /* the flush/inval kept the data */
    CHECK_PATTERN(16, 24)

    /* ---- the enables from U-mode: both registers must allow ---- */
    CASE(12)                            /* menvcfg all, senvcfg none */
    ENVCFG_RUN(CB_ALL, 0, PRV_U, 1f)
1:  mv a0, s1
    ALL_ILLEGAL
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(13)                            /* senvcfg all, menvcfg none */
    ENVCFG_RUN(0, CB_ALL, PRV_U, 1f)
1:  mv a0, s1
    ALL_ILLEGAL
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(14)                            /* both: CBZE */
    FILL_BLK
    ENVCFG_RUN(CBZE, CBZE, PRV_U, 1f)
1:  addi a0, s1, 130
    cbo.zero (a0)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_CLEAN_A0, cbo.clean (a0))
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_INVAL_A0, cbo.inval (a0))
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CHECK_PATTERN(0, 16)
    CHECK_ZERO(16, 24)
    CASE(15)                            /* both: CBCFE; CBIE 11 in menvcfg
                                           and 01 in senvcfg (a flush) */
    ENVCFG_RUN(CBCFE | CBIE_INVAL, CBCFE | CBIE_FLUSH, PRV_U, 1f)
1:  mv a0, s1
    cbo.clean (a0)
    cbo.flush (a0)
    cbo.inval (a0)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_ZERO_A0, cbo.zero (a0))
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(16)                            /* CBIE 01 in menvcfg, 11 in senvcfg */
    ENVCFG_RUN(CBIE_FLUSH, CBIE_INVAL, PRV_U, 1f)
1:  mv a0, s1
    cbo.inval (a0)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, CBO_FLUSH_A0, cbo.flush (a0))
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- translation and protection (Sv39, S-mode, all enabled) ---- */
    CASE(17)
    li a0, 1 << CAUSE_STORE_PAGE_FAULT
    csrw medeleg, a0
    la a0, rt_strap_entry
    csrw stvec, a0
    /* PMP: entry 0 pmp_ro (R), entry 1 pmp_none (no access), entry 2
       everything (RWX) */
    pmp_napot a0, pmp_ro, 4096
    csrw pmpaddr0, a0
    pmp_napot a0, pmp_none, 4096
    csrw pmpaddr1, a0
    li a0, -1
    csrw pmpaddr2, a0
    li a0, (PMP_NAPOT | PMP_R) | (PMP_NAPOT << 8) | ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 16)
    csrw pmpcfg0, a0
    call build_tables
    vm_satp SATP_SV39, pt_root
    ENVCFG_RUN(CB_ALL, 0, PRV_S, 1f)
1:  li a0, VA4K(I_RW) + 0x47        /* cbo.zero through a page */
    cbo.zero (a0)
    la a1, zpage_rw + 0x40
    ld a2, 0(a1)
    CHECK(a2, 0)
    ld a2, 0x38(a1)
    CHECK(a2, 0)
    ld a2, -8(a1)                       /* before the block */
    li a3, PATTERN
    CHECK_REG(a2, a3)
    ld a2, 0x40(a1)                     /* after it */
    CHECK_REG(a2, a3)
    CASE(18)                            /* a read-only page: cbo.zero takes a
                                           store page fault, stval = rs1 */
    li a0, VA4K(I_RO) + 0x89
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_RO) + 0x89, cbo.zero (a0))
    la a1, zpage_ro + 0x80
    ld a2, 0(a1)
    li a3, PATTERN
    CHECK_REG(a2, a3)                   /* unchanged */
    cbo.clean (a0)                      /* reading is enough for these */
    cbo.flush (a0)
    cbo.inval (a0)
    CASE(19)                            /* an invalid page: store page faults
                                           for all four, stval = rs1 */
    li a0, VA4K(I_INV) + 0x123
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_INV) + 0x123, cbo.zero (a0))
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_INV) + 0x123, cbo.clean (a0))
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_INV) + 0x123, cbo.flush (a0))
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_INV) + 0x123, cbo.inval (a0))
    prefetch.r 0(a0)                    /* no fault */
    prefetch.w 0(a0)
    CASE(20)                            /* A and D: management sets A only */
    li a0, VA4K(I_AD) + 0x10
    cbo.clean (a0)
    vm_get a1, pt_l0, I_AD
    andi a1, a1, PTE_A | PTE_D
    CHECK(a1, PTE_A)
    cbo.zero (a0)                       /* zero sets D (a store) */
    vm_get a1, pt_l0, I_AD
    andi a1, a1, PTE_A | PTE_D
    CHECK(a1, PTE_A | PTE_D)
    CASE(21)                            /* PMP: a readable block allows clean
                                           but not zero; no access allows
                                           neither (store access faults, taken
                                           in M, mtval = rs1) */
    li a0, VA4K(I_PMPRO) + 0x3f
    cbo.clean (a0)
    cbo.inval (a0)
    TRAP(CAUSE_STORE_ACCESS, VA4K(I_PMPRO) + 0x3f, cbo.zero (a0))
    li a0, VA4K(I_PMPNONE) + 0x40
    TRAP(CAUSE_STORE_ACCESS, VA4K(I_PMPNONE) + 0x40, cbo.flush (a0))
    TRAP(CAUSE_STORE_ACCESS, VA4K(I_PMPNONE) + 0x40, cbo.zero (a0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    csrw satp, zero
    sfence.vma
    li a0, CB_ALL
    csrc CSR_MENVCFG, a0
    csrc CSR_SENVCFG, a0
    TEST_END

/* blk: 24 doublewords PATTERN + i (s1 = blk) */
fill_blk:
    li t0, 0
    li t1, PATTERN
1:  slli t2, t0, 3
    add t2, t2, s1
    add t3, t1, t0
    sd t3, 0(t2)
    addi t0, t0, 1
    li t2, 24
    bne t0, t2, 1b
    ret

/* a0 = 0 if doublewords [a2, a3) of blk (s1) are PATTERN + i, else the
   index + 1 of the first that is not */
check_pattern:
    li t1, PATTERN
1:  bgeu a2, a3, 2f
    slli t2, a2, 3
    add t2, t2, s1
    ld t3, 0(t2)
    add t0, t1, a2
    addi a2, a2, 1
    beq t3, t0, 1b
    mv a0, a2
    ret
2:  li a0, 0
    ret

/* a0 = 0 if doublewords [a2, a3) of blk (s1) are zero, else the index + 1
   of the first that is not */
check_zero:
1:  bgeu a2, a3, 2f
    slli t2, a2, 3
    add t2, t2, s1
    ld t3, 0(t2)
    addi a2, a2, 1
    beqz t3, 1b
    mv a0, a2
    ret
2:  li a0, 0
    ret

build_tables:
    vm_map_pa pt_root, 0, 0, LEAF_RW
    vm_map_pa pt_root, 2, 0x80000000, LEAF_RWX
    vm_map pt_root, 1, pt_l1, PTR
    vm_map pt_l1, 0, pt_l0, PTR
    vm_map pt_l0, I_RW, zpage_rw, LEAF_RW
    vm_map pt_l0, I_RO, zpage_ro, LEAF_R
    vm_map pt_l0, I_INV, zpage_rw, LEAF_RW & ~PTE_V
    vm_map pt_l0, I_AD, zpage_ad, PTE_V | PTE_R | PTE_W
    vm_map pt_l0, I_PMPRO, pmp_ro, LEAF_RW
    vm_map pt_l0, I_PMPNONE, pmp_none, LEAF_RW
    /* zpage_rw and zpage_ro full of PATTERN */
    la t0, zpage_rw
    li t1, PATTERN
    li t2, 2 * 4096 / 8
1:  sd t1, 0(t0)
    addi t0, t0, 8
    addi t2, t2, -1
    bnez t2, 1b
    sfence.vma
    ret

    .data
    .balign 64
code_blk:                               /* li a0, 0x33; ret */
    .word 0x03300513, 0x00008067
    .fill 14, 4, 0x00000013             /* nop to the end of the block */
    .balign 4096
zpage_rw: .zero 4096
zpage_ro: .zero 4096
zpage_ad: .zero 4096
pmp_ro: .zero 4096
pmp_none: .zero 4096

    .bss
    .balign 64
blk: .zero 192
    .balign 4096
pt_root: .zero 4096
pt_l1: .zero 4096
pt_l0: .zero 4096
