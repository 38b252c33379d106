/*
 * vm-svext - the PTE and fence extensions of the RVA22S64 profile, in Sv39
 * from S-mode: Svpbmt (page-based memory types), Svnapot (64 KiB NAPOT
 * translation contiguity) and Svinval (fine-grained invalidation)
 * (privileged spec, chapters "Svpbmt", "Svnapot", "Svinval", and
 * "Machine Environment Configuration Register (menvcfg)").
 *
 * Rules used (quotes from the privileged specification):
 * - Svpbmt: "bits 62-61 of a leaf page table entry indicate the use of
 *   page-based memory types": 0 PMA, 1 NC ("Non-cacheable, idempotent,
 *   weakly-ordered (RVWMO), main memory"), 2 IO ("Non-cacheable,
 *   non-idempotent, strongly-ordered (I/O ordering), I/O"), 3 "Reserved for
 *   future standard use". A hart without caches that performs its accesses
 *   in program order reads and writes NC and IO pages of RAM as it does PMA
 *   pages. "For leaf PTEs, setting bits 62-61 to the value 3 is reserved
 *   ... using this reserved value in a leaf PTE raises a page-fault
 *   exception"; "For non-leaf PTEs, bits 62-61 are reserved ... or else a
 *   page-fault exception is raised". menvcfg.PBMTE (bit 62): "When PBMTE=0,
 *   the implementation behaves as though Svpbmt were not implemented", and
 *   then (Sv39) "bits 62-61 remain reserved and must be zeroed by software
 *   for forward compatibility, or else a page-fault exception is raised".
 *   A page fault is the one "corresponding to the original access type"
 *   (13 load, 15 store), stval = the address.
 * - Svnapot: "when a PTE has N=1, the PTE represents a translation that is
 *   part of a range of contiguous virtual-to-physical translations"; the
 *   encodings when N=1 (table "Page table entry encodings when pte.N=1"):
 *   at i = 0, ppn[0] = x xxxx 1000 is a "64 KiB contiguous region"
 *   (napot_bits = 4) and x xxxx xxx1, x xxxx xx1x, x xxxx x1xx and
 *   x xxxx 0xxx are reserved; at i >= 1 every encoding is reserved (a
 *   level-1 leaf, and any non-leaf PTE, with N = 1). "implicit reads of a
 *   NAPOT PTE return a copy of pte in which pte.ppn[i][pte.napot_bits-1:0]
 *   is replaced by vpn[i][pte.napot_bits-1:0]. If the encoding in pte is
 *   reserved ..., then a page-fault exception must be raised."
 * - Svinval: "The SINVAL.VMA instruction invalidates any address-translation
 *   cache entries that an SFENCE.VMA instruction with the same values of rs1
 *   and rs2 would invalidate"; "the sequence SFENCE.W.INVAL, SINVAL.VMA, and
 *   SFENCE.INVAL.IR has the same effect as a hypothetical SFENCE.VMA";
 *   "SINVAL.VMA ... require[s] the same permissions and raise[s] the same
 *   exceptions as SFENCE.VMA ... an attempt to execute any of these
 *   instructions in U-mode always raises an illegal-instruction exception,
 *   and an attempt to execute SINVAL.VMA ... in S-mode ... when mstatus.TVM=1
 *   also raises an illegal-instruction exception"; "Attempting to execute
 *   SFENCE.W.INVAL or SFENCE.INVAL.IR in U-mode raises an illegal-instruction
 *   exception ... SFENCE.W.INVAL and SFENCE.INVAL.IR are unaffected by the
 *   mstatus.TVM ... [field] and hence are always permitted in S-mode".
 *   Illegal instructions report the instruction bits in mtval (rivet's
 *   pinned choice, see the README).
 *
 * Layout: root[0] devices and root[2] RAM identity gigapages (S-mode code
 * runs at its physical addresses); root[1] (0x4000_0000) -> L1:
 *   L1[0] -> L0 (4 KiB pages 0x4000_0000 + k * 4 KiB, the I_* indices)
 *   L1[1] a megapage with N set (reserved: N at level 1)
 *   L1[2] -> L0 with N set (reserved in a non-leaf PTE)
 *   L1[3] -> L0 with PBMT = 1 (reserved in a non-leaf PTE)
 */
#include "test.h"
#include "vm.h"

    .option arch, +svinval

#define VA4K(k) (0x40000000 + (k) * 0x1000)
#define VA2M(i) (0x40000000 + (i) * 0x200000)
#define MEGA_PA 0x80400000

#define I_NAPOT 0       /* 0..15: the 64 KiB NAPOT range over napot_frame */
#define I_NAPOT_BAD 16  /* 16..20: N with reserved ppn[3:0] encodings */
#define I_NAPOT_HI 21   /* N with ppn[4:0] = 11000: valid (ppn[4] is free) */
#define I_PBMT 24       /* 24..27: pbmt_page with PBMT = 0, 1, 2, 3 */
#define I_INVAL 28      /* data_1, then data_2 (Svinval) */

#define ENVCFG_PBMTE (1 << 62)
#define PTE_N (1 << 63)
#define PBMT(t) ((t) << 61)

#define MARK(j) (0x4e41504f54000000 + (j))   /* "NAPOT" + page j */
#define PBMT_VAL 0x70626d7470626d74
#define SINVAL_A1_ZERO 0x16058073  /* sinval.vma a1, zero */
#define SINVAL_ZERO 0x16000073     /* sinval.vma zero, zero */
#define SFENCE_W_INVAL 0x18000073
#define SFENCE_INVAL_IR 0x18100073

#define LOAD_FAULT_S(va) li a1, va; TRAP_S(CAUSE_LOAD_PAGE_FAULT, va, ld a0, 0(a1))
#define STORE_FAULT_S(va) li a1, va; TRAP_S(CAUSE_STORE_PAGE_FAULT, va, sd a1, 0(a1))
/* An illegal instruction with mtval = its bits (rivet's pinned choice;
   QEMU 7.2 writes 0 for these, which the spec allows too: the reference
   copy accepts any mtval) */
#ifdef QEMU_REFERENCE
#define ILLEGAL(bits, ...) TRAP_ANYTVAL(CAUSE_ILLEGAL_INSTRUCTION, __VA_ARGS__)
#else
#define ILLEGAL(bits, ...) TRAP(CAUSE_ILLEGAL_INSTRUCTION, bits, __VA_ARGS__)
#endif
/* a0 = the doubleword at va (a constant) */
#define LOAD(va) li a1, va; ld a0, 0(a1)

TEST_BEGIN("vm-svext")
    .option norvc

    /* ---- set-up (M-mode) ---- */
    CASE(1)
    PMP_ALLOW_ALL
    csrw mie, zero
    csrw mideleg, zero
    li a0, (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
    csrw medeleg, a0
    la a0, rt_strap_entry
    csrw stvec, a0
    li a0, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV | MSTATUS_TVM
    csrc mstatus, a0
    call build_tables
    call fill_napot_frame
    la a1, pbmt_page
    li a0, PBMT_VAL
    sd a0, 0(a1)
    la a1, data_1
    li a0, 1
    sd a0, 0(a1)
    la a1, data_2
    li a0, 2
    sd a0, 0(a1)
    /* menvcfg.PBMTE is writable (Svpbmt), and starts clear here */
    li a0, ENVCFG_PBMTE
    csrs CSR_MENVCFG, a0
    csrr a1, CSR_MENVCFG
    and a1, a1, a0
    CHECK_REG(a1, a0)
    csrc CSR_MENVCFG, a0
    csrr a1, CSR_MENVCFG
    and a1, a1, a0
    CHECK(a1, 0)
    vm_satp SATP_SV39, pt_root
    ENTER_MODE(PRV_S, 1f)

    /* ---- PBMTE = 0: PBMT bits are reserved ---- */
1:  CASE(2)
    LOAD(VA4K(I_PBMT))                  /* PBMT = 0 always works */
    li a2, PBMT_VAL
    CHECK_REG(a0, a2)
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 ignores menvcfg.PBMTE in
                           translation (PBMT 1, 2 and 3 work with PBMTE = 0) */
    CASE(15)
    LOAD_FAULT_S(VA4K(I_PBMT + 3))
    LOAD_FAULT_S(VA4K(I_PBMT + 1))
    STORE_FAULT_S(VA4K(I_PBMT + 1))
    LOAD_FAULT_S(VA4K(I_PBMT + 2))
    STORE_FAULT_S(VA4K(I_PBMT + 2))
#endif
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    li a0, ENVCFG_PBMTE
    csrs CSR_MENVCFG, a0
    sfence.vma
    ENTER_MODE(PRV_S, 1f)

    /* ---- PBMTE = 1: NC and IO pages work like PMA pages, 3 is reserved ---- */
1:  CASE(3)
    LOAD(VA4K(I_PBMT + 1))
    li a2, PBMT_VAL
    CHECK_REG(a0, a2)
    LOAD(VA4K(I_PBMT + 2))
    CHECK_REG(a0, a2)
    li a1, VA4K(I_PBMT + 2)             /* a store through IO ... */
    li a0, 0x10
    sd a0, 8(a1)
    li a1, VA4K(I_PBMT + 1)             /* ... seen through NC ... */
    ld a0, 8(a1)
    CHECK(a0, 0x10)
    li a0, 0x11
    sd a0, 16(a1)
    li a1, VA4K(I_PBMT)                 /* ... and PMA */
    ld a0, 8(a1)
    CHECK(a0, 0x10)
    ld a0, 16(a1)
    CHECK(a0, 0x11)
    CASE(4)
    LOAD_FAULT_S(VA2M(3) + 8 * 0x1000)  /* PBMT in a non-leaf PTE */
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 maps a leaf with PBMT = 3 */
    CASE(16)
    LOAD_FAULT_S(VA4K(I_PBMT + 3))      /* PBMT = 3 is reserved */
    STORE_FAULT_S(VA4K(I_PBMT + 3))
    CASE(4)
#endif

    /* ---- Svnapot: a 64 KiB page ---- */
    CASE(5)                             /* page j of the range reads page j of
                                           the frame, at any offset */
    LOAD(VA4K(I_NAPOT + 0))
    li a2, MARK(0)
    CHECK_REG(a0, a2)
    LOAD(VA4K(I_NAPOT + 1))
    li a2, MARK(1)
    CHECK_REG(a0, a2)
    LOAD(VA4K(I_NAPOT + 7) + 0xff8)
    li a2, MARK(7) + 0x1000
    CHECK_REG(a0, a2)
    LOAD(VA4K(I_NAPOT + 8))
    li a2, MARK(8)
    CHECK_REG(a0, a2)
    LOAD(VA4K(I_NAPOT + 9) + 0x800)
    li a2, MARK(9) + 0x800
    CHECK_REG(a0, a2)
    LOAD(VA4K(I_NAPOT + 15) + 0xff8)
    li a2, MARK(15) + 0x1000
    CHECK_REG(a0, a2)
    CASE(6)                             /* every page, in a loop */
    li s0, 0
    li s1, VA4K(I_NAPOT)
    li s2, MARK(0)
2:  slli a1, s0, 12
    add a1, a1, s1
    ld a0, 0(a1)
    add a2, s2, s0
    CHECK_REG(a0, a2)
    addi s0, s0, 1
    li a3, 16
    bltu s0, a3, 2b
    CASE(7)                             /* a store through the range lands in
                                           the frame's page 5 */
    li a1, VA4K(I_NAPOT + 5) + 0x100
    li a0, 0x5a5a
    sd a0, 0(a1)
    la a1, napot_frame + 5 * 0x1000 + 0x100
    ld a0, 0(a1)
    CHECK(a0, 0x5a5a)
    CASE(8)                             /* ppn[4] is an address bit, not part of
                                           the encoding: 11000 maps the frame
                                           16 pages on (napot_frame2) */
    LOAD(VA4K(I_NAPOT_HI))
    li a2, MARK(0x105)
    CHECK_REG(a0, a2)

    /* ---- Svnapot: reserved encodings ---- */
    CASE(9)
    LOAD_FAULT_S(VA4K(I_NAPOT_BAD + 0))     /* ppn[3:0] = 0000 */
    STORE_FAULT_S(VA4K(I_NAPOT_BAD + 0))
    LOAD_FAULT_S(VA4K(I_NAPOT_BAD + 1))     /* 0001 */
    LOAD_FAULT_S(VA4K(I_NAPOT_BAD + 2))     /* 0010 */
    LOAD_FAULT_S(VA4K(I_NAPOT_BAD + 3))     /* 0100 */
    STORE_FAULT_S(VA4K(I_NAPOT_BAD + 4))    /* 1100 */
    CASE(10)
    LOAD_FAULT_S(VA2M(1) + 0x10000)         /* N in a level-1 leaf */
    LOAD_FAULT_S(VA2M(2) + 0x1000)          /* N in a non-leaf PTE */

    /* ---- Svinval ---- */
    CASE(11)
    LOAD(VA4K(I_INVAL))
    CHECK(a0, 1)
    vm_map pt_l0, I_INVAL, data_2, LEAF_RW
    sfence.w.inval
    li a1, VA4K(I_INVAL)
    sinval.vma a1, zero
    sfence.inval.ir
    LOAD(VA4K(I_INVAL))
    CHECK(a0, 2)
    CASE(12)                                /* the rs1 = rs2 = x0 form, with
                                               a leaf taken away */
    vm_map pt_l0, I_INVAL, data_1, LEAF_RW & ~PTE_V
    sfence.w.inval
    sinval.vma zero, zero
    sfence.inval.ir
    LOAD_FAULT_S(VA4K(I_INVAL))
    vm_map pt_l0, I_INVAL, data_1, LEAF_RW
    sfence.w.inval
    li a2, 0                                /* ASID 0: satp's */
    sinval.vma zero, a2
    sfence.inval.ir
    LOAD(VA4K(I_INVAL))
    CHECK(a0, 1)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- Svinval under mstatus.TVM: only SINVAL.VMA traps ---- */
    CASE(13)
    li a0, MSTATUS_TVM
    csrs mstatus, a0
    ENTER_MODE(PRV_S, 1f)
1:  li a1, VA4K(I_INVAL)
    ILLEGAL(SINVAL_A1_ZERO, sinval.vma a1, zero)
    ILLEGAL(SINVAL_ZERO, sinval.vma zero, zero)
    sfence.w.inval
    sfence.inval.ir
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    li a0, MSTATUS_TVM
    csrc mstatus, a0

    /* ---- U-mode: all three are illegal (translation off) ---- */
    CASE(14)
    csrw satp, zero
    sfence.vma
    ENTER_MODE(PRV_U, 1f)
1:  li a1, VA4K(I_INVAL)
    ILLEGAL(SINVAL_A1_ZERO, sinval.vma a1, zero)
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 runs SFENCE.W.INVAL and
                           SFENCE.INVAL.IR in U-mode as no-ops */
    CASE(17)
    ILLEGAL(SFENCE_W_INVAL, sfence.w.inval)
    ILLEGAL(SFENCE_INVAL_IR, sfence.inval.ir)
#endif
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    li a0, ENVCFG_PBMTE
    csrc CSR_MENVCFG, a0
    TEST_END

build_tables:
    vm_map_pa pt_root, 0, 0, LEAF_RW
    vm_map_pa pt_root, 2, 0x80000000, LEAF_RWX
    vm_map pt_root, 1, pt_l1, PTR
    vm_map pt_l1, 0, pt_l0, PTR
    vm_map_pa pt_l1, 1, MEGA_PA, LEAF_RW
    vm_or pt_l1, 1, PTE_N
    vm_map pt_l1, 2, pt_l0, PTR
    vm_or pt_l1, 2, PTE_N
    vm_map pt_l1, 3, pt_l0, PTR
    vm_or pt_l1, 3, PBMT(1)
    /* the 16 PTEs of the NAPOT range: PPN = napot_frame's | 1000 */
    la t0, napot_frame
    srli t0, t0, 12
    ori t0, t0, 8
    slli t0, t0, PTE_PPN_SHIFT
    ori t0, t0, LEAF_RW
    li t1, 1
    slli t1, t1, 63
    or t0, t0, t1                       /* N */
    la t1, pt_l0 + I_NAPOT * 8
    li t2, 16
1:  sd t0, 0(t1)
    addi t1, t1, 8
    addi t2, t2, -1
    bnez t2, 1b
    /* reserved encodings: the frame's PPN with ppn[3:0] = 0000, 0001,
       0010, 0100, 1100 */
    .irp k, 0, 1, 2, 3, 4
    la t0, napot_frame
    srli t0, t0, 12
    slli t0, t0, PTE_PPN_SHIFT
    ori t0, t0, LEAF_RW
    li t1, 1
    slli t1, t1, 63
    or t0, t0, t1
    la t1, pt_l0 + (I_NAPOT_BAD + \k) * 8
    sd t0, 0(t1)
    .endr
    vm_or pt_l0, I_NAPOT_BAD + 1, 1 << PTE_PPN_SHIFT
    vm_or pt_l0, I_NAPOT_BAD + 2, 2 << PTE_PPN_SHIFT
    vm_or pt_l0, I_NAPOT_BAD + 3, 4 << PTE_PPN_SHIFT
    vm_or pt_l0, I_NAPOT_BAD + 4, 0xc << PTE_PPN_SHIFT
    /* ppn[4:0] = 11000: napot_frame (ppn[4] = 0, 128 KiB aligned) + 16
       pages; virtual page 21 has vpn[3:0] = 0101, so page 5 of it */
    la t0, napot_frame
    srli t0, t0, 12
    ori t0, t0, 0x18
    slli t0, t0, PTE_PPN_SHIFT
    ori t0, t0, LEAF_RW
    li t1, 1
    slli t1, t1, 63
    or t0, t0, t1
    la t1, pt_l0 + I_NAPOT_HI * 8
    sd t0, 0(t1)
    .irp t, 0, 1, 2, 3
    vm_map pt_l0, I_PBMT + \t, pbmt_page, LEAF_RW
    vm_or pt_l0, I_PBMT + \t, PBMT(\t)
    .endr
    vm_map pt_l0, I_INVAL, data_1, LEAF_RW
    sfence.vma
    ret

/* Page j of napot_frame (32 pages: the 64 KiB frame and the next one)
   holds MARK(j) at offset 0, MARK(j) + 0x800 at 0x800 and MARK(j) + 0x1000
   at 0xff8 (the second frame's pages count from 0x100). */
fill_napot_frame:
    la t0, napot_frame
    li t1, 0
    li t3, MARK(0)
1:  add t2, t3, t1
    sd t2, 0(t0)
    li t4, 0x800
    add t4, t4, t0
    addi t5, t2, 0x7ff
    addi t5, t5, 1
    sd t5, 0(t4)
    li t4, 0xff8
    add t4, t4, t0
    li t5, 0x1000
    add t5, t5, t2
    sd t5, 0(t4)
    li t4, 0x1000
    add t0, t0, t4
    addi t1, t1, 1
    li t4, 16
    bne t1, t4, 2f
    li t1, 0x100                        /* the second frame */
2:  li t4, 0x110
    bne t1, t4, 1b
    ret

    .data
    .balign 4096
pbmt_page: .dword 0
    .balign 4096
data_1: .dword 0
    .balign 4096
data_2: .dword 0
    .balign 4096

    .bss
    .balign 131072
napot_frame: .zero 131072
    .balign 4096
pt_root: .zero 4096
pt_l1: .zero 4096
pt_l0: .zero 4096
