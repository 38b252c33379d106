/*
 * evil-pagetables - hostile page tables: tables and pages outside RAM, a
 * root outside RAM, self-referencing tables (every walk must end), a table
 * that is a device's registers, and a PPN beyond the physical address
 * space. The emulator must deliver the architected trap every time and
 * never crash or hang (privileged spec, "Sv32" translation algorithm,
 * "Physical Memory Attributes").
 *
 * Rules used:
 * - the walk: "If accessing pte violates a PMA or PMP check, raise an
 *   access-fault exception corresponding to the original access type";
 *   vacant addresses have no memory: an access fault (1, 5, 7); "When
 *   page-based virtual memory is enabled, mtval is written with the
 *   faulting virtual address, even for physical-memory access-fault
 *   exceptions";
 * - the walk has at most LEVELS steps: a pointer at level 0 ("If i < 0")
 *   is a page fault, so a table that points to itself cannot loop; a leaf
 *   met at a higher level through such a loop is an ordinary superpage;
 * - "Although it would be uncommon to place page tables in non-idempotent
 *   memory, there is no explicit prohibition against doing so": a table in
 *   a device is either read (its registers are PTEs) or refused by the
 *   device's PMAs (an access fault); both are accepted here;
 * - a leaf whose PPN addresses nothing gives an access fault on the access.
 * Access faults are not delegated (they reach M); page faults are (S).
 * Some walks are done by M-mode with MPRV = 1 and MPP = S, so that code
 * keeps running from physical memory whatever the tables say.
 */
#include "test.h"
#include "vm.h"

#define VA1 0x40000000                  /* root[1] */
#define MEGA_PA 0x80400000

/* From S: insn (accessing the VA in a1) must take access fault c into M,
   mtval = a1 */
#define AFAULT(c, insn...) TRAP_R(c, a1, insn)
#define PFAULT(c, insn...) TRAP_S_R(c, a1, insn)
/* From S: a fetch from va (a constant) must take cause c in handler mode */
#define FETCH_FAULT(mode, c, va, prv)                                        \
    EXPECT_TRAP_AT_ABS(mode, c, va, va, 7f, prv);                            \
    li t0, va; jalr t0; FAIL_HERE(); 7: TRAP_CONSUMED
/* M-mode, MPRV = 1, MPP = S: insn (accessing the VA in a1) must trap into M
   with cause c and tval a1 (see vm-sum-mxr-mprv.S for the MPRV dance) */
#define MPRV_FAULT(c, insn...)                                               \
    EXPECT_TRAP_AT(PRV_M, c, 0, 6f, 7f, PRV_M); sd a1, RT_EXP_TVAL(tp);      \
    li t5, RT_F_TVAL | RT_F_RESUME_AT; sd t5, RT_EXP_FLAGS(tp);              \
    li t5, MSTATUS_MPP; csrc mstatus, t5;                                    \
    li t5, (PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV; csrs mstatus, t5;    \
    6: insn; li t5, MSTATUS_MPRV; csrc mstatus, t5; FAIL_HERE();             \
    7: li t5, MSTATUS_MPRV; csrc mstatus, t5; TRAP_CONSUMED
#define MPRV_ON li t5, MSTATUS_MPP; csrc mstatus, t5;                        \
    li t5, (PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV; csrs mstatus, t5
#define MPRV_OFF li t5, MSTATUS_MPRV; csrc mstatus, t5
#define BACK_TO_M(cause) ECALL_TO_M(cause, 2f); 2: TRAP_CONSUMED

TEST_BEGIN("evil-pagetables")
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
    csrs CSR_MENVCFG, a0
    vm_map_pa pt_root, 0, 0, LEAF_RW
    vm_map_pa pt_root, 2, 0x80000000, LEAF_RWX
    vm_map_pa pt_root, 1, VACANT, PTR       /* the next table: nowhere */
    vm_satp SATP_SV39, pt_root

    /* ---- a table outside RAM ---- */
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 turns a failed page-table read
                           into a page fault instead of an access fault */
    CASE(2)
    ENTER_MODE(PRV_S, 1f)
1:  li a1, VA1 + 0x10
    AFAULT(CAUSE_LOAD_ACCESS, ld a0, 0(a1))
    AFAULT(CAUSE_STORE_ACCESS, sd a0, 0(a1))
    AFAULT(CAUSE_LOAD_ACCESS, lr.d a0, (a1))
    FETCH_FAULT(PRV_M, CAUSE_FETCH_ACCESS, VA1 + 0x2000, PRV_S)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
#endif
#ifndef QEMU_REFERENCE  /* QEMU-divergent: a page fault, and for an AMO a load fault */
    CASE(3)
    ENTER_MODE(PRV_S, 1f)
1:  li a1, VA1 + 0x18
    AFAULT(CAUSE_STORE_ACCESS, amoadd.d a0, a1, (a1))
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)
#endif

    /* ---- a leaf outside RAM, and a PPN beyond the physical addresses ---- */
    CASE(4)
    vm_map pt_root, 1, pt_l1, PTR
    vm_map_pa pt_l1, 0, VACANT, LEAF_RWX            /* a megapage */
    vm_set_raw pt_l1, 1, (0xffffffffe00 << PTE_PPN_SHIFT) | LEAF_RWX
    sfence.vma
    ENTER_MODE(PRV_S, 1f)
1:  li a1, VA1 + 0x1234
    AFAULT(CAUSE_LOAD_ACCESS, lbu a0, 0(a1))
    AFAULT(CAUSE_STORE_ACCESS, sb a0, 0(a1))
    FETCH_FAULT(PRV_M, CAUSE_FETCH_ACCESS, VA1 + 0x4000, PRV_S)
    li a1, VA1 + 0x200000 + 0x18                    /* the highest megapage of the
                                                       56-bit physical space */
    AFAULT(CAUSE_LOAD_ACCESS, ld a0, 0(a1))
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)

    /* ---- the root table itself outside RAM ---- */
#ifndef QEMU_REFERENCE  /* QEMU-divergent: a page fault, as above */
    CASE(5)
    li a0, SATP_SV39 | (VACANT >> 12)
    csrw satp, a0
    sfence.vma
    EXPECT_TRAP_AT(PRV_M, CAUSE_FETCH_ACCESS, 0, 2f, 3f, PRV_M)
    la t5, 2f                       /* the first fetch in S walks from it */
    sd t5, RT_EXP_TVAL(tp)
    li t5, MSTATUS_MPP
    csrc mstatus, t5
    li t5, PRV_S << MSTATUS_MPP_SHIFT
    csrs mstatus, t5
    la t5, 2f
    csrw mepc, t5
    mret
2:  FAIL_HERE()
3:  TRAP_CONSUMED
    la a1, page_a                   /* and M-mode with MPRV: its loads too */
    MPRV_FAULT(CAUSE_LOAD_ACCESS, ld a0, 0(a1))
#endif
    vm_satp SATP_SV39, pt_root

    /* ---- a table that points to itself (Sv39) ---- */
    CASE(6)
    vm_map pt_root, 1, pt_root, PTR
    sfence.vma
    ENTER_MODE(PRV_S, 1f)
    /* root[1] -> root -> root[1] -> root -> root[1]: a pointer at level 0 */
1:  li a1, (1 << 30) | (1 << 21) | (1 << 12) | 0x28
    PFAULT(CAUSE_LOAD_PAGE_FAULT, ld a0, 0(a1))
    PFAULT(CAUSE_STORE_PAGE_FAULT, sd a0, 0(a1))
    FETCH_FAULT(PRV_S, CAUSE_FETCH_PAGE_FAULT, (1 << 30) | (1 << 21) | (1 << 12), PRV_S)
    /* root[1] -> root, then root[2] (RAM's gigapage) read as a megapage
       leaf at level 1: PA = 0x8000_0000 + vpn[0] * 4 KiB + offset */
    la a2, page_a
    li a3, 0x80000000
    sub a2, a2, a3                  /* offset of page_a in RAM (< 2 MiB) */
    li a1, (1 << 30) | (2 << 21)
    add a1, a1, a2
    ld a0, 0(a1)
    li a3, 0x5a5a00005a5a0001
    CHECK_REG(a0, a3)
    /* root[1] -> root, root[1] at level 1 -> root, root[2] at level 0:
       a 4 KiB leaf with a gigapage's PPN: PA 0x8000_0000 */
    li a1, (1 << 30) | (1 << 21) | (2 << 12) | 0x40
    ld a0, 0(a1)
    li a1, 0x80000040
    ld a2, 0(a1)
    CHECK_REG(a0, a2)
    BACK_TO_M(CAUSE_SUPERVISOR_ECALL)

    /* ---- a table whose 512 entries all point to itself, every mode ---- */
    CASE(7)
    la a0, pt_self                  /* fill it */
    srli a1, a0, 12
    slli a1, a1, PTE_PPN_SHIFT
    ori a1, a1, PTR
    li a2, 512
1:  sd a1, 0(a0)
    addi a0, a0, 8
    addi a2, a2, -1
    bnez a2, 1b
    vm_satp SATP_SV39, pt_self
    li a1, 0x0000001234567890
    MPRV_FAULT(CAUSE_LOAD_PAGE_FAULT, ld a0, 0(a1))
    li a1, 0xffffffc000000008       /* the upper half */
    MPRV_FAULT(CAUSE_STORE_PAGE_FAULT, sd a0, 0(a1))
    vm_satp SATP_SV48, pt_self
    li a1, 0x00007fffffffff00
    MPRV_FAULT(CAUSE_LOAD_PAGE_FAULT, ld a0, 0(a1))
    vm_satp SATP_SV57, pt_self
    li a1, 0x00fffffffffff000
    MPRV_FAULT(CAUSE_STORE_PAGE_FAULT, sw a0, 0(a1))
    li a1, 0xff00000000000000
    MPRV_FAULT(CAUSE_LOAD_PAGE_FAULT, lw a0, 0(a1))
    CASE(8)                         /* many of them, quickly */
    li s0, 2000
    li s1, 0x12345
2:  slli a1, s1, 12                 /* some canonical Sv57 address */
    xor a1, a1, s0
    li a2, 0x00ffffffffffffff
    and a1, a1, a2
    MPRV_FAULT(CAUSE_LOAD_PAGE_FAULT, ld a0, 0(a1))
    li a2, 0x9e3779b9               /* next "random" number */
    mul s1, s1, a2
    addi s1, s1, 1
    addi s0, s0, -1
    bnez s0, 2b
    vm_satp SATP_SV39, pt_root

    /* ---- a page table inside a device (the CLINT's mtimecmp) ---- */
    CASE(9)
    li a0, MEGA_PA                  /* a marker in RAM */
    li a1, 0x3c3c00003c3c0001
    sd a1, 0x100(a0)
    li a0, CLINT_BASE + 0x4000      /* mtimecmp[0] as PTE 0 of a table: a */
    li a1, ((MEGA_PA >> 12) << PTE_PPN_SHIFT) | LEAF_RW  /* megapage leaf */
    sd a1, 0(a0)
    vm_map_pa pt_root, 1, CLINT_BASE + 0x4000, PTR
    sfence.vma
    li a1, VA1 + 0x100              /* read as a PTE, or refused: both fine */
    EXPECT_TRAP_AT(PRV_M, CAUSE_LOAD_ACCESS, 0, 6f, 7f, PRV_M)
    sd a1, RT_EXP_TVAL(tp)
    li t5, RT_F_TVAL | RT_F_RESUME_AT
    sd t5, RT_EXP_FLAGS(tp)
    li a0, 0
    MPRV_ON
6:  ld a0, 0(a1)
    MPRV_OFF
    sd zero, RT_EXP_ARMED(tp)       /* it did not trap: the walk read mtimecmp */
    li a2, 0x3c3c00003c3c0001
    CHECK_REG(a0, a2)
    j 8f
7:  MPRV_OFF                        /* it trapped: an access fault, mtval = VA */
    TRAP_CONSUMED
8:  li a0, CLINT_BASE + 0x4000
    li a1, -1
    sd a1, 0(a0)
    csrw satp, zero
    sfence.vma
    TEST_END

    .data
    .balign 4096
page_a: .dword 0x5a5a00005a5a0001
    .balign 4096

    .bss
    .balign 4096
pt_root: .zero 4096
pt_l1: .zero 4096
pt_self: .zero 4096
