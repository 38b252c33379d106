/*
 * vm-ad - the accessed (A) and dirty (D) bits of leaf PTEs under Sv39,
 * with hardware updating (menvcfg.ADUE = 1, Svadu) and without it
 * (ADUE = 0, Svade: page faults).
 *
 * Rules used (privileged spec, "Sv32" translation algorithm step 7, and the
 * Svadu chapter):
 * - "If pte.a = 0, or if the original memory access is a store and
 *   pte.d = 0, either raise a page-fault exception corresponding to the
 *   original access type, or: ... set pte.a to 1 and, if the original
 *   memory access is a store, also set pte.d to 1";
 * - "If the Svadu extension is implemented, the menvcfg.ADUE field is
 *   writable"; "When hardware updating of A/D bits is disabled, the Svade
 *   extension, which mandates exceptions when A/D bits need be set, instead
 *   takes effect": with ADUE = 0, an access to a page with A = 0, or a
 *   store to one with D = 0, is a page fault of the access's type and the
 *   PTE is left as it is;
 * - permissions are checked (step 5) before A/D are updated (step 7), and
 *   "updates to the D bit must be exact (i.e., not speculative)": a store
 *   that faults on a read-only page does not set D (A may be set by
 *   speculation, so it is not checked there);
 * - the update writes the whole PTE atomically ("A/D bit updates ... are
 *   treated as atomically updating the entire PTE"): the other bits stay;
 * - fetches and loads set A only, stores and AMOs set A and D; the leaf
 *   updated is the one that maps the page, at whatever level;
 * - MPRV: "load and store memory addresses are translated and protected ...
 *   as though the current privilege mode were set to MPP", A/D included.
 *
 * QEMU 7.2 has no menvcfg.ADUE and always updates A/D in hardware: the
 * ADUE = 0 checks are QEMU-divergent.
 */
#include "test.h"
#include "vm.h"

#define VA4K(k) (0x40000000 + (k) * 0x1000)
#define VA_MEGA 0x40200000
#define MEGA_PA 0x80400000

#define I_A 0        /* RW, A=0 D=0: a load */
#define I_B 1        /* RW, A=0 D=0: a store */
#define I_X 2        /* X, A=0: a fetch */
#define I_RO 3       /* R, A=0 D=0: a store that faults */
#define I_AD0 4      /* RW, A=1 D=0: a store sets D */
#define I_AMO 5      /* RW, A=0 D=0: an AMO */
#define I_MS 6       /* RW, A=0: MPRV (MPP = S) load */
#define I_G 7        /* RW, A=1 D=0: ADUE=0 load is fine */
#define I_H 8        /* RW, A=0: ADUE=0 load faults */
#define I_X2 9       /* X, A=0: ADUE=0 fetch faults */
#define I_I 10       /* RW, A=1 D=0: ADUE=0 store faults */
#define I_J 11       /* RW, A=0 D=0: ADUE=0 store faults */
#define I_K 12       /* RW, A=1 D=1: ADUE=0 store is fine */
#define I_U 13       /* RW, U, A=0 D=0: MPRV (MPP = U) store */
#define I_LR 14      /* RW, A=0: LR sets A only */
#define I_LS 15      /* RW, A=0 D=0: a load, then a store */

#define RW_NOAD (PTE_V | PTE_R | PTE_W)
#define AD (PTE_A | PTE_D)

/* reg = pt_l0[k] (through the identity map in S, or physically in M) */
#define PTE_OF(reg, k) vm_get reg, pt_l0, k
/* The PTE k, masked to A|D, must equal val. */
#define CHECK_AD(k, val) PTE_OF(a0, k); andi a0, a0, AD; CHECK(a0, val)

TEST_BEGIN("vm-ad")
    .option norvc

    CASE(1)
    PMP_ALLOW_ALL
    csrw mie, zero
    csrw mideleg, zero
    li a0, (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
    csrw medeleg, a0
    la a0, rt_strap_entry
    csrw stvec, a0
    li a0, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV
    csrc mstatus, a0
    li a0, ENVCFG_ADUE
    csrs CSR_MENVCFG, a0            /* hardware updating on */
    sfence.vma
    call build_tables
    vm_satp SATP_SV39, pt_root

#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 has no menvcfg.ADUE (reads 0) */
    CASE(2)                         /* Svadu: ADUE is writable */
    csrr a0, CSR_MENVCFG
    li a1, ENVCFG_ADUE
    and a0, a0, a1
    CHECK_REG(a0, a1)
#endif

    /* ---- ADUE = 1: the walk sets A and D ---- */
    CASE(3)                         /* a load sets A, not D */
    ENTER_MODE(PRV_S, 1f)
1:  CHECK_AD(I_A, 0)
    li a1, VA4K(I_A)
    ld a0, 0(a1)
    li a2, 0xaaaa0000aaaa0001
    CHECK_REG(a0, a2)
    CHECK_AD(I_A, PTE_A)
    PTE_OF(a0, I_A)                 /* and nothing else changed */
    la a1, page_a
    vm_pte a1, a1, RW_NOAD | PTE_A
    CHECK_REG(a0, a1)

    CASE(4)                         /* a store sets A and D */
    li a1, VA4K(I_B)
    li a2, 0x0b0b0b0b0b0b0b0b
    sd a2, 8(a1)
    CHECK_AD(I_B, PTE_A | PTE_D)
    la a3, page_b
    ld a0, 8(a3)
    CHECK_REG(a0, a2)
    PTE_OF(a0, I_B)
    la a1, page_b
    vm_pte a1, a1, RW_NOAD | AD
    CHECK_REG(a0, a1)

    CASE(5)                         /* a fetch sets A, not D */
    li a0, 0
    li t0, VA4K(I_X)
    jalr t0
    CHECK(a0, 0x5a)
    CHECK_AD(I_X, PTE_A)

    CASE(6)                         /* a store to a read-only page faults; D stays 0 */
    li a1, VA4K(I_RO)
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_RO), sd a1, 0(a1))
    PTE_OF(a0, I_RO)
    andi a0, a0, PTE_D
    CHECK(a0, 0)
    ld a0, 0(a1)                    /* a load then sets A (still no D) */
    CHECK_AD(I_RO, PTE_A)

    CASE(7)                         /* A = 1, D = 0: a store sets D */
    CHECK_AD(I_AD0, PTE_A)
    li a1, VA4K(I_AD0)
    ld a0, 0(a1)                    /* a load leaves D alone */
    CHECK_AD(I_AD0, PTE_A)
    sw a1, 4(a1)
    CHECK_AD(I_AD0, PTE_A | PTE_D)

    CASE(8)                        /* a load, then a store: the store still
                                       sets D (whatever the load left cached) */
    CHECK_AD(I_LS, 0)
    li a1, VA4K(I_LS)
    ld a0, 0(a1)
    CHECK_AD(I_LS, PTE_A)
    sd a1, 0(a1)
    CHECK_AD(I_LS, PTE_A | PTE_D)
    la a2, page_ls
    ld a0, 0(a2)
    CHECK_REG(a0, a1)
    CASE(9)                         /* an AMO sets A and D */
    li a1, VA4K(I_AMO)
    li a2, 5
    amoadd.d a0, a2, (a1)
    CHECK(a0, 0)
    CHECK_AD(I_AMO, PTE_A | PTE_D)
    ld a0, 0(a1)
    CHECK(a0, 5)

    CASE(10)                         /* LR sets A only */
    li a1, VA4K(I_LR)
    lr.d a0, (a1)
    CHECK_AD(I_LR, PTE_A)

    CASE(11)                        /* a megapage leaf (level 1) gets its A and D */
    vm_get a0, pt_l1, 1
    andi a0, a0, AD
    CHECK(a0, 0)
    li a1, VA_MEGA + 0x1230
    ld a0, 0(a1)
    vm_get a0, pt_l1, 1
    andi a0, a0, AD
    CHECK(a0, PTE_A)
    sd a1, 0(a1)
    vm_get a0, pt_l1, 1
    andi a0, a0, AD
    CHECK(a0, PTE_A | PTE_D)
    vm_get a0, pt_l1, 0             /* the pointer to L0 is not touched */
    la a1, pt_l0
    vm_pte a1, a1, PTR
    CHECK_REG(a0, a1)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    CASE(12)                        /* M-mode with MPRV: MPP = S, then U */
    li a0, MSTATUS_MPP
    csrc mstatus, a0
    li a0, (PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV
    csrs mstatus, a0
    li a1, VA4K(I_MS)
    ld a0, 0(a1)
    li a0, MSTATUS_MPP
    csrc mstatus, a0                /* MPP = U */
    li a1, VA4K(I_U)
    sd a1, 0(a1)
    li a0, MSTATUS_MPRV
    csrc mstatus, a0
    CHECK_AD(I_MS, PTE_A)
    CHECK_AD(I_U, PTE_A | PTE_D)

#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 always updates A/D (no ADUE) */
    /* ---- ADUE = 0 (Svade): page faults instead ---- */
    CASE(13)
    li a0, ENVCFG_ADUE
    csrc CSR_MENVCFG, a0
    sfence.vma
    csrr a0, CSR_MENVCFG
    li a1, ENVCFG_ADUE
    and a0, a0, a1
    CHECK(a0, 0)
    ENTER_MODE(PRV_S, 1f)
1:  li a1, VA4K(I_G)                /* A = 1: a load is fine, D stays 0 */
    ld a0, 0(a1)
    CHECK_AD(I_G, PTE_A)
    CASE(14)                        /* A = 0: a load faults (13), PTE unchanged */
    li a1, VA4K(I_H)
    TRAP_S(CAUSE_LOAD_PAGE_FAULT, VA4K(I_H), ld a0, 0(a1))
    CHECK_AD(I_H, 0)
    TRAP_S(CAUSE_LOAD_PAGE_FAULT, VA4K(I_H), lr.w a0, (a1))
    CHECK_AD(I_H, 0)
    CASE(15)                        /* A = 0: a fetch faults (12) */
    EXPECT_TRAP_AT_ABS(PRV_S, CAUSE_FETCH_PAGE_FAULT, VA4K(I_X2), VA4K(I_X2), 2f, PRV_S)
    li t0, VA4K(I_X2)
    jalr t0
    FAIL_HERE()
2:  TRAP_CONSUMED
    CHECK_AD(I_X2, 0)
    CASE(16)                        /* A = 1, D = 0: a store faults (15), D stays 0 */
    li a1, VA4K(I_I)
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_I), sd a1, 0(a1))
    CHECK_AD(I_I, PTE_A)
    li a2, 1
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_I), amoor.d a0, a2, (a1))
    CHECK_AD(I_I, PTE_A)
    ld a0, 0(a1)                    /* memory unchanged (and loads work) */
    CHECK(a0, 0)
    CASE(17)                        /* A = 0, D = 0: a store faults, nothing set */
    li a1, VA4K(I_J)
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_J), sw a1, 0(a1))
    CHECK_AD(I_J, 0)
    CASE(18)                        /* A = 1, D = 1: a store is fine */
    li a1, VA4K(I_K)
    li a2, 0x0c0c0c0c0c0c0c0c
    sd a2, 0(a1)
    la a3, page_k
    ld a0, 0(a3)
    CHECK_REG(a0, a2)
    CASE(19)                        /* the megapage leaf with A = 1, D = 1 still works */
    li a1, VA_MEGA + 0x40
    sd a1, 0(a1)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- and back to ADUE = 1: the same store now sets D ---- */
    CASE(20)
    li a0, ENVCFG_ADUE
    csrs CSR_MENVCFG, a0
    sfence.vma
    ENTER_MODE(PRV_S, 1f)
1:  li a1, VA4K(I_I)
    sd a1, 0(a1)
    CHECK_AD(I_I, PTE_A | PTE_D)
    li a1, VA4K(I_H)
    ld a0, 0(a1)
    CHECK_AD(I_H, PTE_A)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
#endif
    csrw satp, zero
    sfence.vma
    TEST_END

build_tables:
    vm_map_pa pt_root, 0, 0, LEAF_RW                /* devices */
    vm_map pt_root, 1, pt_l1, PTR
    vm_map_pa pt_root, 2, 0x80000000, LEAF_RWX      /* RAM, identity */
    vm_map pt_l1, 0, pt_l0, PTR
    vm_map_pa pt_l1, 1, MEGA_PA, RW_NOAD
    vm_map pt_l0, I_A, page_a, RW_NOAD
    vm_map pt_l0, I_B, page_b, RW_NOAD
    vm_map pt_l0, I_X, xpage, PTE_V | PTE_X
    vm_map pt_l0, I_RO, page_c, PTE_V | PTE_R
    vm_map pt_l0, I_AD0, page_d, RW_NOAD | PTE_A
    vm_map pt_l0, I_AMO, page_e, RW_NOAD
    vm_map pt_l0, I_MS, page_f, RW_NOAD
    vm_map pt_l0, I_G, page_g, RW_NOAD | PTE_A
    vm_map pt_l0, I_H, page_h, RW_NOAD
    vm_map pt_l0, I_X2, xpage, PTE_V | PTE_X
    vm_map pt_l0, I_I, page_i, RW_NOAD | PTE_A
    vm_map pt_l0, I_J, page_j, RW_NOAD
    vm_map pt_l0, I_K, page_k, RW_NOAD | AD
    vm_map pt_l0, I_U, page_u, RW_NOAD | PTE_U
    vm_map pt_l0, I_LR, page_lr, RW_NOAD
    vm_map pt_l0, I_LS, page_ls, RW_NOAD
    sfence.vma
    ret

    .balign 4096
xpage:                          /* li a0, 0x5a; ret */
    .word 0x05a00513, 0x00008067

    .data
    .balign 4096
page_a: .dword 0xaaaa0000aaaa0001
    .balign 4096
page_b: .zero 4096
page_c: .zero 4096
page_d: .zero 4096
page_e: .zero 4096
page_f: .zero 4096
page_g: .zero 4096
page_h: .zero 4096
page_i: .zero 4096
page_j: .zero 4096
page_k: .zero 4096
page_u: .zero 4096
page_lr: .zero 4096
page_ls: .zero 4096

    .bss
    .balign 4096
pt_root: .zero 4096
pt_l1: .zero 4096
pt_l0: .zero 4096
