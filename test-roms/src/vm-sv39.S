/*
 * vm-sv39 - page-based virtual memory: the walk at every level and page
 * size, permissions, invalid PTEs, non-canonical addresses and the page
 * faults they raise, from S-mode and U-mode (privileged spec, "Supervisor
 * Address Translation and Protection (satp) Register", "Sv32: Page-Based
 * 32-bit Virtual-Memory Systems" (the algorithm), "Sv39", "Sv48", "Sv57").
 *
 * The same source builds vm-sv48 and vm-sv57 (LEVELS = 4, 5): those files
 * define LEVELS and include this one.
 *
 * Rules used (quotes from the privileged specification):
 * - the walk: "Let pte be the value of the PTE at address a+va.vpn[i]*PTESIZE
 *   ... If pte.v = 0, or if pte.r = 0 and pte.w = 1, or if any bits or
 *   encodings that are reserved for future standard use are set within pte,
 *   stop and raise a page-fault exception corresponding to the original
 *   access type. ... If pte.r = 1 or pte.x = 1, go to step 5. Otherwise,
 *   this PTE is a pointer to the next level of the page table. Let i = i-1.
 *   If i < 0, stop and raise a page-fault exception ..." ;
 *   "If i > 0 and pte.ppn[i-1:0] != 0, this is a misaligned superpage; stop
 *   and raise a page-fault exception"; a superpage translation takes
 *   pa.ppn[i-1:0] from va.vpn[i-1:0];
 * - reserved PTE bits: "If Svnapot is not implemented, bit 63 remains
 *   reserved ... or else a page-fault exception is raised. Bits 62-61 are
 *   reserved for use by the Svpbmt extension ... If Svpbmt is not
 *   implemented, bits 62-61 remain reserved ... or else a page-fault
 *   exception is raised. Bits 60-54 are reserved ... If any of these bits
 *   are set, a page-fault exception is raised." (rivet implements Svnapot
 *   and Svpbmt, which vm-svext tests; the N-bit PTE used here has
 *   ppn[3:0] = 0, a reserved encoding under Svnapot, and PBMT = 3 is
 *   reserved under Svpbmt: "setting bits 62-61 to the value 3 is
 *   reserved");
 *   "For non-leaf PTEs, the D, A, and U bits are reserved for future
 *   standard use" (so, by the rule above, they fault too);
 * - permissions: "Attempting to fetch an instruction from a page that does
 *   not have execute permissions raises a fetch page-fault exception.
 *   Attempting to execute a load or load-reserved instruction whose
 *   effective address lies within a page without read permissions raises a
 *   load page-fault exception. Attempting to execute a store,
 *   store-conditional, or AMO instruction whose effective address lies
 *   within a page without write permissions raises a store page-fault
 *   exception." U-mode "may only access the page when U=1"; "Irrespective
 *   of SUM, the supervisor may not execute code on pages with U=1";
 * - canonical addresses: fetch, load and store addresses "must have bits
 *   63-39 all equal to bit 38 [Sv48: 63-48 equal to 47; Sv57: 63-57 equal
 *   to 56], or else a page-fault exception will occur";
 * - stval/sepc: "If stval is written with a nonzero value when a ...
 *   page-fault exception occurs on an instruction fetch, load, or store,
 *   then stval will contain the faulting virtual address"; for an
 *   instruction fetch that faults on its second half, "stval will contain
 *   the virtual address of the portion of the instruction that caused the
 *   fault, while sepc will point to the beginning of the instruction".
 *   For non-canonical addresses "Prior to writing stval [sepc],
 *   implementations may convert an invalid address into some other invalid
 *   address", so there stval/sepc must be the address or another
 *   non-canonical one;
 * - "The satp register is considered active when the effective privilege
 *   mode is S-mode or U-mode": M-mode accesses are not translated;
 * - "if satp is written with an unsupported MODE, the entire write has no
 *   effect; no fields in satp are modified" (MODE 11, Sv64, and 1-7 are
 *   not implemented);
 * - misaligned loads and stores may complete or raise an address-misaligned
 *   exception ("Load/store/AMO address-misaligned exceptions may have either
 *   higher or lower priority than load/store/AMO page-fault and access-fault
 *   exceptions"); "If stval is written with a nonzero value when a
 *   misaligned load or store causes an access-fault or page-fault
 *   exception, then stval will contain the virtual address of the portion of
 *   the access that caused the fault" - the second page's first address.
 *
 * Layout (LEVELS = 3; for 4 and 5 the same tables hang below root[0], or
 * root[0] -> L3[0]): the level-2 table "L2" maps
 *   [0]  0x0000_0000 GiB: the devices, identity (RW)
 *   [1]  0x4000_0000 GiB: -> L1 (the test pages below)
 *   [2]  0x8000_0000 GiB: RAM, identity (RWX; U=1 during the U-mode part)
 *   [3]  0xc000_0000 GiB: RAM again (a gigapage alias, RW)
 *   [4]  misaligned gigapage (PPN 0x8040_0000), RWX
 *   [5]  RAM again, RWX: the S-mode handler's alias in the U-mode part
 *   [6]  RAM again, RW, U=1
 *   [7]  invalid (zero)
 *   [8]  a gigapage with reserved bit 55 set
 *   [224] 0x38_0000_0000: RAM again (vacant as a physical address)
 * L1 (0x4000_0000 + 2 MiB * i): [0] -> L0; [1] RW megapage at 0x8040_0000;
 * [2] misaligned megapage; [3] U megapage; [4..10] pointers to L0 with
 * reserved bits / encodings. L0 (0x4000_0000 + 4 KiB * k): see the I_*
 * indices. Sv48/Sv57 add 512 GiB (and 256 TiB) leaves at the top and the
 * upper half of the address space (root[256]).
 */
#include "test.h"
#include "vm.h"

#ifndef LEVELS
#define LEVELS 3
#endif

#if LEVELS == 3
#define NAME "vm-sv39"
#define SATP_MODE SATP_SV39
#define MODE_NUM 8
#define VABITS 39
#define UPPER_VA 0xffffffc000000000    /* root[256] */
#define UPPER_PA 0x80000000            /* a gigapage */
#elif LEVELS == 4
#define NAME "vm-sv48"
#define SATP_MODE SATP_SV48
#define MODE_NUM 9
#define VABITS 48
#define UPPER_VA 0xffff800000000000    /* root[256]: a 512 GiB page */
#define UPPER_PA 0
#elif LEVELS == 5
#define NAME "vm-sv57"
#define SATP_MODE SATP_SV57
#define MODE_NUM 10
#define VABITS 57
#define UPPER_VA 0xff00000000000000    /* root[256]: a 256 TiB page */
#define UPPER_PA 0
#else
#error "LEVELS must be 3, 4 or 5"
#endif

/* Non-canonical: bit VABITS-1 set with the bits above clear, and the reverse. */
#define NC_POS (1 << (VABITS - 1))
#define NC_NEG (-(1 << VABITS))

/* The level-3 table of Sv48/Sv57 (holding the 512 GiB leaves). */
#if LEVELS == 4
#define L3TAB pt_root
#elif LEVELS == 5
#define L3TAB pt_l3lo
#endif

#define VA4K(k) (0x40000000 + (k) * 0x1000)
#define VA2M(i) (0x40000000 + (i) * 0x200000)
#define VA_GIGA_ALIAS_OFF 0x40000000        /* 0xc000_0000 - 0x8000_0000 */
#define VA_GIGA_MIS 0x100000000
#define VA_SALIAS_OFF 0xc0000000            /* 0x1_4000_0000 - 0x8000_0000 */
#define VA_UGIGA_OFF 0x100000000            /* 0x1_8000_0000 - 0x8000_0000 */
#define VA_GIGA_INV 0x1c0000000
#define VA_GIGA_RSV 0x200000000
#define VA_HIGH_ALIAS_OFF (0x3800000000 - 0x80000000)
#define TERA_VA 0x8000000000                 /* L3[1]: 512 GiB page at PA 0 */
#define TERA_MIS_VA 0x10000000000            /* L3[2]: misaligned */
#define PETA_VA 0x1000000000000              /* root[1] of Sv57 at PA 0 */
#define PETA_MIS_VA 0x2000000000000          /* root[2] of Sv57: misaligned */

#define MEGA_PA 0x80400000      /* 2 MiB aligned RAM beyond the image */
#define NAPOT_PA 0x80600000     /* 64 KiB aligned: ppn[3:0] = 0 */

/* Level-0 entries */
#define I_A 0        /* page_a, RW */
#define I_B 1        /* page_b, R */
#define I_XS 2       /* xpage_s, X only */
#define I_C 3        /* page_c, RW, U */
#define I_INV 4      /* V = 0 (otherwise RW -> page_a) */
#define I_WNR 5      /* W without R */
#define I_RSV54 6    /* RW + bit 54 */
#define I_RSV60 7    /* RW + bit 60 */
#define I_PBMT3 8    /* RW + PBMT = 3 */
#define I_NBIT 9     /* RW + bit 63 (N) */
#define I_CROSS 10   /* xcross0, X */
#define I_CROSS2 11  /* the page after it: unmapped, then xcross1 */
#define I_PTR0 12    /* a pointer at level 0 */
#define I_XU 13      /* xpage_u, RX, U */
#define I_BU 14      /* page_b, R, U */
#define I_WXNR 15    /* W and X without R */

#define A0VAL 0x1111222233334444
#define A1VAL 0x5555666677778888
#define ALAST 0x0a0b0c0d0e0f1011
#define B0VAL 0xbbbb00000000bbbb
#define C0VAL 0xc0c0c0c0c0c0c0c0
#define M0VAL 0x4d4d00004d4d0001
#define MLAST 0x4d4d00004d4d0002

/* The fetch from va (a constant) must take an instruction page fault in the
   handler of `mode` with epc = tval = va, resuming in privilege prv. */
#define FETCH_FAULT(mode, va, prv)                                           \
    EXPECT_TRAP_AT_ABS(mode, CAUSE_FETCH_PAGE_FAULT, va, va, 7f, prv);       \
    li t0, va; jalr t0; FAIL_HERE(); 7: TRAP_CONSUMED
#define LOAD_FAULT_S(va) li a1, va; TRAP_S(CAUSE_LOAD_PAGE_FAULT, va, ld a0, 0(a1))
#define STORE_FAULT_S(va) li a1, va; TRAP_S(CAUSE_STORE_PAGE_FAULT, va, sd a1, 0(a1))
#define AMO_FAULT_S(va) li a1, va; TRAP_S(CAUSE_STORE_PAGE_FAULT, va, amoadd.d a0, a1, (a1))

/* reg holds a trap's epc/tval for the non-canonical address in register
   addr: it must be that address or another non-canonical one (a2, a3 are
   clobbered). */
#define CHECK_NC(reg, addr)                                                  \
    srai a2, reg, VABITS - 1; addi a2, a2, 1; sltiu a2, a2, 2;               \
    xor a3, reg, addr; seqz a3, a3; xori a2, a2, 1; or a2, a2, a3;           \
    CHECK(a2, 1)

TEST_BEGIN(NAME)
    .option norvc

    /* ---- set-up (M-mode): PMP, delegation of page faults, tables ---- */
    CASE(1)
    PMP_ALLOW_ALL
    csrw mie, zero
    csrw mideleg, zero
    li a0, (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
    csrw medeleg, a0
    csrr a1, medeleg
    CHECK_REG(a1, a0)               /* page faults are delegatable */
    la a0, rt_strap_entry
    csrw stvec, a0
    li a0, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV
    csrc mstatus, a0
    /* satp accepts the mode: "if satp is written with an unsupported MODE,
       the entire write has no effect" */
    la a0, pt_root
    srli a0, a0, 12
    li a1, SATP_MODE
    or a0, a0, a1
    csrw satp, a0
    csrr a1, satp
    CHECK_REG(a1, a0)
    li a2, 0xb000000000012345       /* MODE 11 (Sv64) is not implemented: */
    csrw satp, a2                   /* the write is ignored */
    csrr a1, satp
    CHECK_REG(a1, a0)
    li a2, 0x1000000000000000       /* nor is 1 (reserved) */
    csrw satp, a2
    csrr a1, satp
    CHECK_REG(a1, a0)
    csrw satp, zero
    sfence.vma
    call build_tables
    /* markers in the megapage's physical memory */
    li a1, MEGA_PA
    li a0, M0VAL
    sd a0, 0x238(a1)
    li a2, 0x1ffff8
    add a2, a1, a2
    li a0, MLAST
    sd a0, 0(a2)

    CASE(2)                         /* satp = MODE | PPN(root); enter S */
    vm_satp SATP_MODE, pt_root
    csrr a0, satp
    srli a0, a0, SATP_MODE_SHIFT
    CHECK(a0, MODE_NUM)
    ENTER_MODE(PRV_S, 1f)
1:
    /* ---- S-mode: the identity gigapage (code, data, this very fetch) ---- */
    CASE(3)
    la a1, page_a
    ld a0, 0(a1)
    CHECK(a0, A0VAL)
    ld a0, 8(a1)
    CHECK(a0, A1VAL)

    /* ---- a 4 KiB page: the walk goes down to level 0 ---- */
    CASE(4)
    li a1, VA4K(I_A)
    ld a0, 0(a1)
    CHECK(a0, A0VAL)
    li a2, 0xff8                    /* the last doubleword of the page */
    add a2, a1, a2
    ld a0, 0(a2)
    CHECK(a0, ALAST)
    li a2, 0x0123456789abcdef       /* store through the page ... */
    sd a2, 16(a1)
    la a3, page_a                   /* ... read through the identity map */
    ld a0, 16(a3)
    CHECK_REG(a0, a2)
    li a2, 0x7edcba9876543210       /* and the other way round */
    sd a2, 24(a3)
    ld a0, 24(a1)
    CHECK_REG(a0, a2)
    lw a0, 4(a1)                    /* narrower accesses translate too */
    li a2, 0x11112222
    CHECK_REG(a0, a2)
    lbu a0, 7(a1)
    CHECK(a0, 0x11)
    li a1, VA4K(I_B)                /* a second page of the same table */
    ld a0, 0(a1)
    CHECK(a0, B0VAL)

    /* ---- a 2 MiB megapage (leaf at level 1) ---- */
    CASE(5)
    li a1, VA2M(1)
    ld a0, 0x238(a1)
    CHECK(a0, M0VAL)
    li a2, 0x1ffff8                 /* va.vpn[0] and the offset go to the PA */
    add a2, a1, a2
    ld a0, 0(a2)
    CHECK(a0, MLAST)
    li a2, 0x3c3c3c3c5a5a5a5a
    li a3, 0x123450
    add a3, a1, a3
    sd a2, 0(a3)
    li a4, MEGA_PA + 0x123450       /* identity view of the same byte */
    ld a0, 0(a4)
    CHECK_REG(a0, a2)

    /* ---- a 1 GiB gigapage (leaf at level 2) ---- */
    CASE(6)
    la a1, page_a
    li a2, VA_GIGA_ALIAS_OFF
    add a1, a1, a2
    ld a0, 0(a1)
    CHECK(a0, A0VAL)
    li a2, 0x6a6a6a6a00000001
    sd a2, 32(a1)
    la a3, page_a
    ld a0, 32(a3)
    CHECK_REG(a0, a2)

    /* ---- the upper half: root[256] (a sign-extended VA) ---- */
    CASE(7)
    la a1, page_a
    li a2, UPPER_VA - UPPER_PA
    add a1, a1, a2
    ld a0, 0(a1)
    CHECK(a0, A0VAL)
    li a2, 0x7b7b7b7b00000002
    sd a2, 40(a1)
    la a3, page_a
    ld a0, 40(a3)
    CHECK_REG(a0, a2)

#if LEVELS >= 4
    /* ---- a 512 GiB terapage (leaf at level 3), mapping PA 0 ---- */
    CASE(8)
    la a1, page_a
    li a2, TERA_VA
    add a1, a1, a2
    ld a0, 0(a1)
    CHECK(a0, A0VAL)
    li a2, 0x7c7c7c7c00000003
    sd a2, 48(a1)
    la a3, page_a
    ld a0, 48(a3)
    CHECK_REG(a0, a2)
#endif
#if LEVELS >= 5
    /* ---- a 256 TiB petapage (leaf at level 4), mapping PA 0 ---- */
    CASE(9)
    la a1, page_a
    li a2, PETA_VA
    add a1, a1, a2
    ld a0, 0(a1)
    CHECK(a0, A0VAL)
    li a2, 0x7d7d7d7d00000004
    sd a2, 56(a1)
    la a3, page_a
    ld a0, 56(a3)
    CHECK_REG(a0, a2)
#endif

    /* ---- a read-only page: loads work, stores and AMOs fault (15) ---- */
    CASE(10)
    li a1, VA4K(I_B)
    ld a0, 8(a1)
    CHECK(a0, 0)
    STORE_FAULT_S(VA4K(I_B))
    li a1, VA4K(I_B) + 0x10
    li a0, 0x5a5a
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_B) + 0x10, sw a0, 0(a1))
    CHECK(a0, 0x5a5a)
    AMO_FAULT_S(VA4K(I_B))
    li a1, VA4K(I_B) + 8
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_B) + 8, amoswap.w a0, a1, (a1))
    la a1, page_b                   /* memory unchanged */
    ld a0, 0(a1)
    CHECK(a0, B0VAL)
    ld a0, 16(a1)
    CHECK(a0, 0)

    /* ---- an execute-only page: fetches work, loads (MXR = 0) and stores fault ---- */
    CASE(11)
    li a0, 0
    li t0, VA4K(I_XS)
    jalr t0
    CHECK(a0, 0x5a)
    LOAD_FAULT_S(VA4K(I_XS))
    STORE_FAULT_S(VA4K(I_XS))

    /* ---- fetches from pages without X fault (12, sepc = stval = the VA) ---- */
    CASE(12)
    FETCH_FAULT(PRV_S, VA4K(I_A), PRV_S)
    FETCH_FAULT(PRV_S, VA4K(I_B), PRV_S)
    FETCH_FAULT(PRV_S, VA2M(1) + 0x1000, PRV_S)     /* RW megapage */
    LAST_TRAP(a0, STATUS)
    CHECK_BITS(a0, SSTATUS_SPP, SSTATUS_SPP)        /* from S */

    /* ---- V = 0 ---- */
    CASE(13)
    LOAD_FAULT_S(VA4K(I_INV))
    STORE_FAULT_S(VA4K(I_INV))
    FETCH_FAULT(PRV_S, VA4K(I_INV), PRV_S)
    LOAD_FAULT_S(VA_GIGA_INV + 0x1230)              /* V = 0 at level 2 */
    LOAD_FAULT_S(VA4K(I_CROSS2))                    /* and an all-zero PTE */

    /* ---- W without R is reserved (also with X) ---- */
    CASE(14)
    LOAD_FAULT_S(VA4K(I_WNR))
    STORE_FAULT_S(VA4K(I_WNR))
    LOAD_FAULT_S(VA4K(I_WXNR))
    STORE_FAULT_S(VA4K(I_WXNR))
    FETCH_FAULT(PRV_S, VA4K(I_WXNR), PRV_S)        /* X does not help */
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 raises a load page fault (13)
                           for an AMO that cannot read; "AMOs never raise load
                           page-fault exceptions" */
    CASE(15)
    AMO_FAULT_S(VA4K(I_WNR))
#endif

    /* ---- reserved bits in a leaf PTE ---- */
    CASE(16)
    LOAD_FAULT_S(VA4K(I_RSV54))
    STORE_FAULT_S(VA4K(I_RSV54))
    LOAD_FAULT_S(VA4K(I_RSV60))
    STORE_FAULT_S(VA4K(I_RSV60))
    LOAD_FAULT_S(VA4K(I_PBMT3))
    LOAD_FAULT_S(VA4K(I_NBIT))
    LOAD_FAULT_S(VA_GIGA_RSV + 0x80)                /* bit 55 in a gigapage */

    /* ---- a pointer at the last level: "If i < 0 ... page fault" ---- */
    CASE(17)
    LOAD_FAULT_S(VA4K(I_PTR0))
    STORE_FAULT_S(VA4K(I_PTR0))
    FETCH_FAULT(PRV_S, VA4K(I_PTR0), PRV_S)

    /* ---- misaligned superpages (RWX, so alignment is the only fault) ---- */
    CASE(18)
    LOAD_FAULT_S(VA2M(2))
    STORE_FAULT_S(VA2M(2) + 0x1008)
    FETCH_FAULT(PRV_S, VA2M(2) + 0x40, PRV_S)
    CASE(19)
    LOAD_FAULT_S(VA_GIGA_MIS + 0x1000)
    STORE_FAULT_S(VA_GIGA_MIS + 0x2008)
    FETCH_FAULT(PRV_S, VA_GIGA_MIS, PRV_S)
#if LEVELS >= 4
    CASE(20)
    LOAD_FAULT_S(TERA_MIS_VA + 0x80001000)
    FETCH_FAULT(PRV_S, TERA_MIS_VA, PRV_S)
#endif
#if LEVELS >= 5
    LOAD_FAULT_S(PETA_MIS_VA + 0x80001000)
    STORE_FAULT_S(PETA_MIS_VA)
#endif

    /* ---- reserved bits and encodings in non-leaf PTEs ---- */
    CASE(21)
    LOAD_FAULT_S(VA2M(4))           /* bit 54 */
    LOAD_FAULT_S(VA2M(5))           /* bits 62-61 ("For non-leaf PTEs, bits
                                       62-61 are reserved ... or else a
                                       page-fault exception is raised") */
    LOAD_FAULT_S(VA2M(9))           /* bit 63 */
    LOAD_FAULT_S(VA2M(10))          /* W without R */
    CASE(22)                        /* "For non-leaf PTEs, the D, A, and U bits
                                       are reserved for future standard use" */
    LOAD_FAULT_S(VA2M(6))           /* A */
    LOAD_FAULT_S(VA2M(7))           /* D */
    LOAD_FAULT_S(VA2M(8))           /* U */

    /* ---- non-canonical addresses ---- */
    CASE(23)
    li s0, NC_POS
    TRAP_S_ANYTVAL(CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s0))
    LAST_TRAP(a0, TVAL)
    CHECK_NC(a0, s0)
    li s0, NC_NEG
    TRAP_S_ANYTVAL(CAUSE_STORE_PAGE_FAULT, sd a0, 0(s0))
    LAST_TRAP(a0, TVAL)
    CHECK_NC(a0, s0)
    li s0, NC_NEG + 0x80000000
    TRAP_S_ANYTVAL(CAUSE_LOAD_PAGE_FAULT, lw a0, 0(s0))
    /* a fetch: catch it with vm_catch (sepc may be converted too) */
    la a0, vm_catch
    csrw stvec, a0
    li s0, NC_POS + 0x80000000
    la s8, 1f
    li s9, 0
    jalr s0
2:  FAIL_HERE()
1:  la a0, rt_strap_entry
    csrw stvec, a0
    CHECK(s9, CAUSE_FETCH_PAGE_FAULT)   /* an exception (bit 63 clear), cause 12 */
    CHECK_NC(s10, s0)
    CHECK_NC(s11, s0)
    la a0, 2b                       /* the jalr retired: ra = the next insn */
    CHECK_REG(ra, a0)

#ifndef QEMU_REFERENCE  /* QEMU-divergent: an AMO raises a load page fault (13) */
    CASE(24)
    li s0, NC_POS + 0x80000000      /* bits below are a valid RAM address */
    TRAP_S_ANYTVAL(CAUSE_STORE_PAGE_FAULT, amoor.w a0, s0, (s0))
    LAST_TRAP(a0, TVAL)
    CHECK_NC(a0, s0)
#endif

    /* ---- a fetch whose second half is on an unmapped page ---- */
    CASE(25)
    EXPECT_TRAP_AT_ABS(PRV_S, CAUSE_FETCH_PAGE_FAULT, VA4K(I_CROSS2), VA4K(I_CROSS) + 4094, 1f, PRV_S)
    li a0, 0
    li t0, VA4K(I_CROSS) + 4094
    jalr t0
    FAIL_HERE()
1:  TRAP_CONSUMED
    CHECK(a0, 0)
    vm_map pt_l0, I_CROSS2, xcross1, LEAF_R     /* mapped but not executable */
    li a1, VA4K(I_CROSS2)
    sfence.vma a1, zero
    EXPECT_TRAP_AT_ABS(PRV_S, CAUSE_FETCH_PAGE_FAULT, VA4K(I_CROSS2), VA4K(I_CROSS) + 4094, 1f, PRV_S)
    li t0, VA4K(I_CROSS) + 4094
    jalr t0
    FAIL_HERE()
1:  TRAP_CONSUMED
    vm_map pt_l0, I_CROSS2, xcross1, LEAF_X     /* executable: it runs */
    li a1, VA4K(I_CROSS2)
    sfence.vma a1, zero
    li t0, VA4K(I_CROSS) + 4094
    jalr t0
    CHECK(a0, 0x3c)

    /* ---- misaligned accesses across two pages ---- */
    /* Either they complete (each page translated) or they raise the
       address-misaligned exception; a page fault on the second page has
       "stval ... the virtual address of the portion of the access that
       caused the fault", i.e. that page's first address. vm_catch records
       the outcome (s9 = 0: no trap). */
    CASE(26)
    la a0, vm_catch
    csrw stvec, a0
    li s0, VA4K(I_A) + 0xffc        /* page_a's last word + page_b's first */
    li s9, 0
    la s8, 1f
    ld a0, 0(s0)
1:  beqz s9, 2f
    CHECK(s9, CAUSE_MISALIGNED_LOAD)
    CHECK_REG(s11, s0)
    j 3f
2:  li a1, 0x0000bbbb0a0b0c0d
    CHECK_REG(a0, a1)
3:  li s0, VA4K(I_B) + 0xffa        /* into the execute-only page: faults */
    li s9, 0
    la s8, 1f
    ld a0, 0(s0)
1:  li a1, CAUSE_LOAD_PAGE_FAULT
    bne s9, a1, 2f
    li a1, VA4K(I_XS)
    CHECK_REG(s11, a1)
    j 3f
2:  CHECK(s9, CAUSE_MISALIGNED_LOAD)
    CHECK_REG(s11, s0)
3:  li s0, VA4K(I_A) + 0xffe        /* a store into the read-only page */
    li s9, 0
    la s8, 1f
    sw a0, 0(s0)
1:  li a1, CAUSE_STORE_PAGE_FAULT
    bne s9, a1, 2f
    li a1, VA4K(I_B)
    CHECK_REG(s11, a1)
    j 3f
2:  CHECK(s9, CAUSE_MISALIGNED_STORE)
    CHECK_REG(s11, s0)
3:  la a0, rt_strap_entry
    csrw stvec, a0
    la a1, page_b                   /* the read-only page is unchanged */
    ld a0, 0(a1)
    CHECK(a0, B0VAL)

    /* ---- S-mode and U pages (SUM = 0): no access, and never a fetch ---- */
    CASE(27)
    LOAD_FAULT_S(VA4K(I_C))
    STORE_FAULT_S(VA4K(I_C))
    FETCH_FAULT(PRV_S, VA4K(I_XU), PRV_S)
    li a0, MSTATUS_SUM
    csrs sstatus, a0
    li a1, VA4K(I_C)                /* SUM = 1: loads and stores work */
    ld a0, 0(a1)
    CHECK(a0, C0VAL)
    FETCH_FAULT(PRV_S, VA4K(I_XU), PRV_S)           /* fetches still fault */
    li a0, MSTATUS_SUM
    csrc sstatus, a0

    /* ---- M-mode is not translated, even with satp set ---- */
    CASE(28)
    la a1, page_a                   /* in S: a RAM alias at 0x38_0000_0000 */
    li a2, VA_HIGH_ALIAS_OFF
    add s0, a1, a2
    ld a0, 0(s0)
    CHECK(a0, A0VAL)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    TRAP_R(CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0))     /* in M: a vacant PA */
    csrr a0, satp                   /* satp is still set */
    srli a0, a0, SATP_MODE_SHIFT
    CHECK(a0, MODE_NUM)

    /* ---- the U-mode part: the identity map becomes U=1 ---- */
    CASE(29)
    vm_or pt_l2lo, 0, PTE_U         /* devices (for reporting from U) */
    vm_or pt_l2lo, 2, PTE_U         /* RAM */
    sfence.vma
    la a0, rt_strap_entry           /* the S handler runs from a non-U alias */
    li a1, VA_SALIAS_OFF
    add a0, a0, a1
    csrw stvec, a0
    li a0, MSTATUS_SUM              /* ... and reaches rt_ctx (U=1) with SUM */
    csrs mstatus, a0
    ENTER_MODE(PRV_U, 1f)
1:  la a1, page_c                   /* identity, now a U page */
    ld a0, 0(a1)
    CHECK(a0, C0VAL)
    li a1, VA4K(I_C)                /* a U 4 KiB page */
    ld a0, 0(a1)
    CHECK(a0, C0VAL)
    li a2, 0x0c0c0c0c12345678
    sd a2, 8(a1)
    la a3, page_c
    ld a0, 8(a3)
    CHECK_REG(a0, a2)

    CASE(30)                        /* U megapage and gigapage */
    li a1, VA2M(3)
    ld a0, 0x238(a1)
    CHECK(a0, M0VAL)
    la a1, page_a
    li a2, VA_UGIGA_OFF
    add a1, a1, a2
    ld a0, 0(a1)
    CHECK(a0, A0VAL)

    CASE(31)                        /* U fetch from a U page */
    li a0, 0
    li t0, VA4K(I_XU)
    jalr t0
    CHECK(a0, 0x77)
    li a1, VA4K(I_XU)               /* it is RX: readable too */
    lw a0, 0(a1)
    li a2, 0x07700513
    CHECK_REG(a0, a2)

    CASE(32)                        /* U and non-U pages: page faults into S */
    LOAD_FAULT_S(VA4K(I_A))
    LAST_TRAP(a0, STATUS)
    CHECK_BITS(a0, SSTATUS_SPP, 0)  /* from U */
    STORE_FAULT_S(VA4K(I_A))
    FETCH_FAULT(PRV_S, VA4K(I_XS), PRV_U)
    LOAD_FAULT_S(VA2M(1))
    la a1, page_a
    li a2, VA_GIGA_ALIAS_OFF
    add a1, a1, a2
    TRAP_S_R(CAUSE_LOAD_PAGE_FAULT, a1, ld a0, 0(a1))
#ifndef QEMU_REFERENCE  /* QEMU-divergent: an AMO raises a load page fault (13) */
    CASE(33)
    AMO_FAULT_S(VA4K(I_A))
#endif

    CASE(34)                        /* a read-only U page */
    li a1, VA4K(I_BU)
    ld a0, 0(a1)
    CHECK(a0, B0VAL)
    STORE_FAULT_S(VA4K(I_BU))
    FETCH_FAULT(PRV_S, VA4K(I_BU), PRV_U)

    CASE(35)                        /* invalid PTEs and addresses from U */
    LOAD_FAULT_S(VA4K(I_INV))
    LOAD_FAULT_S(VA4K(I_PTR0))
    LOAD_FAULT_S(VA2M(2))
    li s0, NC_POS
    TRAP_S_ANYTVAL(CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s0))
    LAST_TRAP(a0, TVAL)
    CHECK_NC(a0, s0)

    CASE(36)                        /* back to M (cause 8 is not delegated) */
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    vm_map_pa pt_l2lo, 0, 0, LEAF_RW
    vm_map_pa pt_l2lo, 2, 0x80000000, LEAF_RWX
    sfence.vma
    la a0, rt_strap_entry
    csrw stvec, a0
    li a0, MSTATUS_SUM
    csrc mstatus, a0
    la a3, page_c                   /* what U wrote through its page */
    ld a0, 8(a3)
    li a2, 0x0c0c0c0c12345678
    CHECK_REG(a0, a2)
    la a3, page_a                   /* what S wrote through each alias */
    ld a0, 32(a3)
    li a2, 0x6a6a6a6a00000001
    CHECK_REG(a0, a2)
    ld a0, 40(a3)
    li a2, 0x7b7b7b7b00000002
    CHECK_REG(a0, a2)
    csrw satp, zero
    sfence.vma

    TEST_END

/* Build the page tables (M-mode, bare: label addresses are physical). */
build_tables:
#if LEVELS == 5
    vm_map pt_root, 0, pt_l3lo, PTR
    vm_map_pa pt_root, 1, 0, LEAF_RW                /* petapage at PA 0 */
    vm_map_pa pt_root, 2, 0x80000000, LEAF_RWX      /* misaligned petapage */
    vm_map_pa pt_root, 256, UPPER_PA, LEAF_RW
#endif
#if LEVELS >= 4
    vm_map L3TAB, 0, pt_l2lo, PTR
    vm_map_pa L3TAB, 1, 0, LEAF_RW                  /* terapage at PA 0 */
    vm_map_pa L3TAB, 2, 0x80000000, LEAF_RWX        /* misaligned terapage */
#endif
#if LEVELS == 4
    vm_map_pa pt_root, 256, UPPER_PA, LEAF_RW
#endif
#if LEVELS == 3
    vm_map_pa pt_root, 256, UPPER_PA, LEAF_RW
#endif
    vm_map_pa pt_l2lo, 0, 0, LEAF_RW                /* devices */
    vm_map pt_l2lo, 1, pt_l1, PTR
    vm_map_pa pt_l2lo, 2, 0x80000000, LEAF_RWX      /* RAM, identity */
    vm_map_pa pt_l2lo, 3, 0x80000000, LEAF_RW       /* gigapage alias */
    vm_map_pa pt_l2lo, 4, MEGA_PA, LEAF_RWX         /* misaligned gigapage */
    vm_map_pa pt_l2lo, 5, 0x80000000, LEAF_RWX      /* S handler alias */
    vm_map_pa pt_l2lo, 6, 0x80000000, LEAF_RW | PTE_U
    vm_map_pa pt_l2lo, 8, 0x80000000, LEAF_RW
    vm_or pt_l2lo, 8, 1 << 55
    vm_map_pa pt_l2lo, 224, 0x80000000, LEAF_RW     /* 0x38_0000_0000 */

    vm_map pt_l1, 0, pt_l0, PTR
    vm_map_pa pt_l1, 1, MEGA_PA, LEAF_RW
    vm_map_pa pt_l1, 2, MEGA_PA + 0x1000, LEAF_RWX  /* misaligned megapage */
    vm_map_pa pt_l1, 3, MEGA_PA, LEAF_RW | PTE_U
    vm_map pt_l1, 4, pt_l0, PTR
    vm_or pt_l1, 4, 1 << 54
    vm_map pt_l1, 5, pt_l0, PTR
    vm_or pt_l1, 5, 1 << 61
    vm_map pt_l1, 6, pt_l0, PTR | PTE_A
    vm_map pt_l1, 7, pt_l0, PTR | PTE_D
    vm_map pt_l1, 8, pt_l0, PTR | PTE_U
    vm_map pt_l1, 9, pt_l0, PTR
    vm_or pt_l1, 9, 1 << 63
    vm_map pt_l1, 10, pt_l0, PTR | PTE_W

    vm_map pt_l0, I_A, page_a, LEAF_RW
    vm_map pt_l0, I_B, page_b, LEAF_R
    vm_map pt_l0, I_XS, xpage_s, LEAF_X
    vm_map pt_l0, I_C, page_c, LEAF_RW | PTE_U
    vm_map pt_l0, I_INV, page_a, LEAF_RW & ~PTE_V
    vm_map pt_l0, I_WNR, page_a, PTE_V | PTE_W | PTE_A | PTE_D
    vm_map pt_l0, I_RSV54, page_a, LEAF_RW
    vm_or pt_l0, I_RSV54, 1 << 54
    vm_map pt_l0, I_RSV60, page_a, LEAF_RW
    vm_or pt_l0, I_RSV60, 1 << 60
    vm_map pt_l0, I_PBMT3, page_a, LEAF_RW
    vm_or pt_l0, I_PBMT3, 3 << 61
    vm_map_pa pt_l0, I_NBIT, NAPOT_PA, LEAF_RW
    vm_or pt_l0, I_NBIT, 1 << 63
    vm_map pt_l0, I_CROSS, xcross0, LEAF_X
    vm_map pt_l0, I_PTR0, page_a, PTR
    vm_map pt_l0, I_XU, xpage_u, LEAF_RX | PTE_U
    vm_map pt_l0, I_BU, page_b, LEAF_R | PTE_U
    vm_map pt_l0, I_WXNR, page_a, PTE_V | PTE_W | PTE_X | PTE_A | PTE_D
    sfence.vma
    ret

/* A minimal S-mode handler: s9 = scause, s10 = sepc, s11 = stval; resumes
   at s8 (in the mode the trap came from). */
    .balign 4
vm_catch:
    csrr s9, scause
    csrr s10, sepc
    csrr s11, stval
    csrw sepc, s8
    sret

/* ---- code pages (reached only through their virtual addresses) ---- */
    .balign 4096
xpage_s:                        /* li a0, 0x5a; ret */
    .word 0x05a00513, 0x00008067
    .balign 4096
xpage_u:                        /* li a0, 0x77; ret */
    .word 0x07700513, 0x00008067
    .balign 4096
xcross0:                        /* 4094 bytes of c.nop, then li a0, 0x3c ... */
    .fill 2047, 2, 0x0001
    .word 0x03c00513
xcross1_ret:                    /* ... whose upper half starts xcross1; ret */
    .word 0x00008067
    .equ xcross1, xcross0 + 4096

/* ---- data pages ---- */
    .data
    .balign 4096
page_a:
    .dword A0VAL, A1VAL
    .fill 509, 8, 0
    .dword ALAST
page_b:
    .dword B0VAL
    .fill 511, 8, 0
page_c:
    .dword C0VAL
    .fill 511, 8, 0

/* ---- page tables ---- */
    .bss
    .balign 4096
pt_root: .zero 4096
#if LEVELS == 5
pt_l3lo: .zero 4096
#endif
#if LEVELS >= 4
pt_l2lo: .zero 4096
#else
    .equ pt_l2lo, pt_root
#endif
pt_l1: .zero 4096
pt_l0: .zero 4096
