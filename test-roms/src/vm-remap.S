/*
 * vm-remap - changing translations under running code (Sv39, S-mode):
 * remapping code and data pages, each operand form of SFENCE.VMA, ASIDs,
 * satp.MODE switches, code rewritten through an alias, and a superpage
 * replaced by a page table (privileged spec, "Supervisor Memory-Management
 * Fence Instruction", "satp").
 *
 * Rules used:
 * - SFENCE.VMA: "If rs1=x0 and rs2=x0, the fence orders all reads and
 *   writes made to any level of the page tables, for all address spaces";
 *   rs1=x0, rs2!=x0: "only for the address space identified by integer
 *   register rs2"; rs1!=x0, rs2=x0: "only reads and writes made to leaf page
 *   table entries corresponding to the virtual address in rs1, for all
 *   address spaces"; rs1!=x0, rs2!=x0: the same "for the address space
 *   identified by integer register rs2". After a leaf PTE write and a fence
 *   that covers it, the new translation is used. A non-leaf PTE change needs
 *   rs1 = x0. "If the value held in rs1 is not a valid virtual address, then
 *   the SFENCE.VMA instruction has no effect. No exception is raised";
 * - ASIDs: "The number of implemented ASID bits, termed ASIDLEN, may be
 *   determined by writing one to every bit position in the ASID field, then
 *   reading back ... The least-significant bits of ASID are implemented
 *   first"; "changes to satp.ASID take effect immediately"; cached
 *   translations belong to the ASID they were made for, so two address
 *   spaces with different ASIDs can be switched without a fence (when
 *   ASIDLEN < 2 ASIDs 1 and 2 are the same, and a fence is used instead);
 * - "Changing satp.MODE from Bare to other modes and vice versa also takes
 *   effect immediately, without the need to execute an SFENCE.VMA";
 * - FENCE.I orders stores before later fetches of the same hart (Zifencei):
 *   code written through one virtual address and fetched through another
 *   (the same physical bytes) is seen.
 */
#include "test.h"
#include "vm.h"

#define BASE 0x3800000000           /* root[224]: vacant as a physical address */
#define VA4K(k) (BASE + (k) * 0x1000)
#define VA2M1 (BASE + 0x200000)     /* L1[1] */
#define MEGA_PA 0x80400000
#define I_DATA 0     /* data_1 / data_2 */
#define I_CODE 1     /* code_a / code_b */
#define I_SMCX 2     /* code_c, X */
#define I_SMCW 3     /* code_c, RW (an alias) */
#define I_CODE2 4    /* code_a again */

#define LI_A0(v) (((v) << 20) | 0x513)  /* li a0, v (addi a0, x0, v) */
#define RET 0x00008067

/* Run the code at VA4K(k): a0 = its value. */
#define RUN(k) li a0, 0; li t0, VA4K(k); jalr t0
/* l0[k] = PTE(target, flags) (through the identity map in S) */
#define REMAP(table, k, target, flags) vm_map table, k, target, flags

TEST_BEGIN("vm-remap")
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
    call build_tables
    li a1, MEGA_PA + 0x5000         /* a marker in the megapage */
    li a0, 0x6d6d6d6d00000001
    sd a0, 0(a1)

    CASE(2)                         /* ASIDLEN: the ASID bits that hold a one */
    la a0, pt_main
    srli a0, a0, 12
    li a1, SATP_SV39 | (SATP_ASID_MASK << SATP_ASID_SHIFT)
    or a0, a0, a1
    csrw satp, a0
    csrr a1, satp
    srli s11, a1, SATP_ASID_SHIFT
    li a2, SATP_ASID_MASK
    and s11, s11, a2                /* s11 = the implemented ASID bits */
    addi a2, s11, 1                 /* low bits first: s11 = 2^ASIDLEN - 1 */
    and a2, a2, s11
    CHECK(a2, 0)
    csrw satp, zero
    sfence.vma
    vm_satp SATP_SV39, pt_main, 5   /* the main address space, ASID 5 */
    li s10, 5
    and s10, s10, s11               /* s10 = the ASID satp really holds */
    ENTER_MODE(PRV_S, 1f)

    /* ---- remapping a code page, with each form of SFENCE.VMA ---- */
1:  CASE(3)
    RUN(I_CODE)
    CHECK(a0, 0xa)
    CASE(4)                         /* rs1 = the VA, rs2 = x0 */
    REMAP(pt_l0, I_CODE, code_b, LEAF_X)
    li a1, VA4K(I_CODE)
    sfence.vma a1, zero
    RUN(I_CODE)
    CHECK(a0, 0xb)
    CASE(5)                         /* rs1 = x0, rs2 = x0 */
    REMAP(pt_l0, I_CODE, code_a, LEAF_X)
    sfence.vma zero, zero
    RUN(I_CODE)
    CHECK(a0, 0xa)
    CASE(6)                         /* rs1 = x0, rs2 = the ASID */
    REMAP(pt_l0, I_CODE, code_b, LEAF_X)
    sfence.vma zero, s10
    RUN(I_CODE)
    CHECK(a0, 0xb)
    CASE(7)                         /* rs1 = the VA, rs2 = the ASID */
    REMAP(pt_l0, I_CODE, code_a, LEAF_X)
    li a1, VA4K(I_CODE) + 0x7f8     /* any address within the page */
    sfence.vma a1, s10
    RUN(I_CODE)
    CHECK(a0, 0xa)
    CASE(8)                         /* many times over */
    li s0, 50
2:  REMAP(pt_l0, I_CODE, code_b, LEAF_X)
    li a1, VA4K(I_CODE)
    sfence.vma a1, zero
    RUN(I_CODE)
    CHECK(a0, 0xb)
    REMAP(pt_l0, I_CODE, code_a, LEAF_X)
    li a1, VA4K(I_CODE)
    sfence.vma a1, s10
    RUN(I_CODE)
    CHECK(a0, 0xa)
    addi s0, s0, -1
    bnez s0, 2b

    CASE(9)                        /* taking X away (a leaf change): the next
                                       fetch faults (12), sepc = stval = the VA */
    REMAP(pt_l0, I_CODE, code_a, LEAF_R)
    li a1, VA4K(I_CODE)
    sfence.vma a1, zero
    EXPECT_TRAP_AT_ABS(PRV_S, CAUSE_FETCH_PAGE_FAULT, VA4K(I_CODE), VA4K(I_CODE), 3f, PRV_S)
    li t0, VA4K(I_CODE)
    jalr t0
    FAIL_HERE()
3:  TRAP_CONSUMED
    li a1, VA4K(I_CODE)             /* it reads as the code */
    lw a0, 0(a1)
    li a2, LI_A0(0xa)
    CHECK_REG(a0, a2)
    REMAP(pt_l0, I_CODE, code_a, LEAF_X)   /* and X back */
    li a1, VA4K(I_CODE)
    sfence.vma a1, s10
    RUN(I_CODE)
    CHECK(a0, 0xa)
    REMAP(pt_l0, I_CODE, code_a, 0) /* invalid: V = 0 */
    sfence.vma zero, zero
    EXPECT_TRAP_AT_ABS(PRV_S, CAUSE_FETCH_PAGE_FAULT, VA4K(I_CODE), VA4K(I_CODE), 3f, PRV_S)
    li t0, VA4K(I_CODE)
    jalr t0
    FAIL_HERE()
3:  TRAP_CONSUMED
    REMAP(pt_l0, I_CODE, code_a, LEAF_X)
    sfence.vma zero, zero

    /* ---- remapping a data page ---- */
    CASE(10)
    li a1, VA4K(I_DATA)
    ld a0, 0(a1)
    CHECK(a0, 1)
    REMAP(pt_l0, I_DATA, data_2, LEAF_RW)
    sfence.vma a1, zero
    ld a0, 0(a1)
    CHECK(a0, 2)
    li a2, 0x2222
    sd a2, 8(a1)                    /* the store goes to the new page */
    la a3, data_2
    ld a0, 8(a3)
    CHECK(a0, 0x2222)
    la a3, data_1
    ld a0, 8(a3)
    CHECK(a0, 0)
    REMAP(pt_l0, I_DATA, data_1, LEAF_RW)
    sfence.vma zero, s10
    ld a0, 0(a1)
    CHECK(a0, 1)

    /* ---- the same code page at two virtual addresses ---- */
    CASE(11)
    RUN(I_CODE2)
    CHECK(a0, 0xa)
    RUN(I_CODE)
    CHECK(a0, 0xa)

    /* ---- code rewritten through an alias, then FENCE.I ---- */
    CASE(12)
    RUN(I_SMCX)
    CHECK(a0, 0xc)
    li a1, VA4K(I_SMCW)             /* the RW alias of the same page */
    li a2, LI_A0(0xd)
    sw a2, 0(a1)
    fence.i
    RUN(I_SMCX)
    CHECK(a0, 0xd)
    la a1, code_c                   /* the identity map of it */
    li a2, LI_A0(0xe)
    sw a2, 0(a1)
    fence.i
    RUN(I_SMCX)
    CHECK(a0, 0xe)

    /* ---- a superpage replaced by a page table (a non-leaf change) ---- */
    CASE(13)
    li a1, VA2M1 + 0x5000
    ld a0, 0(a1)
    li a2, 0x6d6d6d6d00000001
    CHECK_REG(a0, a2)
    REMAP(pt_l1, 1, pt_l0b, PTR)    /* l0b[5] maps data_2 */
    sfence.vma zero, zero
    ld a0, 0(a1)
    CHECK(a0, 2)
    vm_map_pa pt_l1, 1, MEGA_PA, LEAF_RW       /* and back */
    sfence.vma zero, zero
    ld a0, 0(a1)
    CHECK_REG(a0, a2)

    /* ---- SFENCE.VMA with an invalid address: no effect, no exception ---- */
    CASE(14)
    li a1, 0x0000800000000000
    sfence.vma a1, zero
    li a1, 0x8000000000001000
    sfence.vma a1, s10
    RUN(I_CODE)
    CHECK(a0, 0xa)

    /* ---- satp.MODE Bare <-> Sv39 takes effect at once ---- */
    CASE(15)
    csrr s9, satp
    csrw satp, zero                 /* S-mode, Bare: VA = PA */
    li s0, VA4K(I_DATA)
    EXPECT_TRAP_AT(PRV_M, CAUSE_LOAD_ACCESS, VA4K(I_DATA), 2f, 3f, PRV_S)
2:  ld a0, 0(s0)                    /* a vacant physical address */
    FAIL_HERE()
3:  TRAP_CONSUMED
    csrw satp, s9
    ld a0, 0(s0)
    CHECK(a0, 1)

    /* ---- two address spaces, ASIDs 1 and 2, the same VAs ---- */
    CASE(16)
    li s1, 1                        /* satp for ASID 1 and ASID 2 */
    slli s1, s1, SATP_ASID_SHIFT
    la a0, pt_as1
    srli a0, a0, 12
    or s1, s1, a0
    li a0, SATP_SV39
    or s1, s1, a0
    li s2, 2
    slli s2, s2, SATP_ASID_SHIFT
    la a0, pt_as2
    srli a0, a0, 12
    or s2, s2, a0
    li a0, SATP_SV39
    or s2, s2, a0
    sltiu s3, s11, 3                /* s3 = 1: ASIDLEN < 2, fence on switches */
    li s0, 20
2:  csrw satp, s1
    beqz s3, 3f
    sfence.vma
3:  li a1, VA4K(I_DATA)
    ld a0, 0(a1)
    CHECK(a0, 1)
    RUN(I_CODE)
    CHECK(a0, 0xa)
    csrw satp, s2
    beqz s3, 3f
    sfence.vma
3:  li a1, VA4K(I_DATA)
    ld a0, 0(a1)
    CHECK(a0, 2)
    RUN(I_CODE)
    CHECK(a0, 0xb)
    addi s0, s0, -1
    bnez s0, 2b
    CASE(17)                        /* a remap in one space, fenced by its ASID */
    csrw satp, s1
    beqz s3, 3f
    sfence.vma
3:  REMAP(pt_l0_as1, I_DATA, data_3, LEAF_RW)
    li a0, 1
    sfence.vma zero, a0
    li a1, VA4K(I_DATA)
    ld a0, 0(a1)
    CHECK(a0, 3)
    csrw satp, s2                   /* the other space is unchanged */
    beqz s3, 3f
    sfence.vma
3:  ld a0, 0(a1)
    CHECK(a0, 2)
    csrw satp, s9
    sfence.vma
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    csrw satp, zero
    sfence.vma
    TEST_END

build_tables:
    /* main (ASID 5) */
    vm_map_pa pt_main, 0, 0, LEAF_RW
    vm_map_pa pt_main, 2, 0x80000000, LEAF_RWX
    vm_map pt_main, 224, pt_l1, PTR
    vm_map pt_l1, 0, pt_l0, PTR
    vm_map_pa pt_l1, 1, MEGA_PA, LEAF_RW
    vm_map pt_l0, I_DATA, data_1, LEAF_RW
    vm_map pt_l0, I_CODE, code_a, LEAF_X
    vm_map pt_l0, I_SMCX, code_c, LEAF_X
    vm_map pt_l0, I_SMCW, code_c, LEAF_RW
    vm_map pt_l0, I_CODE2, code_a, LEAF_X
    vm_map pt_l0b, 5, data_2, LEAF_RW
    /* address space 1 */
    vm_map_pa pt_as1, 0, 0, LEAF_RW
    vm_map_pa pt_as1, 2, 0x80000000, LEAF_RWX
    vm_map pt_as1, 224, pt_l1_as1, PTR
    vm_map pt_l1_as1, 0, pt_l0_as1, PTR
    vm_map pt_l0_as1, I_DATA, data_1, LEAF_RW
    vm_map pt_l0_as1, I_CODE, code_a, LEAF_X
    /* address space 2 */
    vm_map_pa pt_as2, 0, 0, LEAF_RW
    vm_map_pa pt_as2, 2, 0x80000000, LEAF_RWX
    vm_map pt_as2, 224, pt_l1_as2, PTR
    vm_map pt_l1_as2, 0, pt_l0_as2, PTR
    vm_map pt_l0_as2, I_DATA, data_2, LEAF_RW
    vm_map pt_l0_as2, I_CODE, code_b, LEAF_X
    sfence.vma
    ret

    .balign 4096
code_a: .word LI_A0(0xa), RET
    .balign 4096
code_b: .word LI_A0(0xb), RET
    .balign 4096
code_c: .word LI_A0(0xc), RET
    .balign 4096

    .data
    .balign 4096
data_1: .dword 1
    .balign 4096
data_2: .dword 2
    .balign 4096
data_3: .dword 3
    .balign 4096

    .bss
    .balign 4096
pt_main: .zero 4096
pt_l1: .zero 4096
pt_l0: .zero 4096
pt_l0b: .zero 4096
pt_as1: .zero 4096
pt_l1_as1: .zero 4096
pt_l0_as1: .zero 4096
pt_as2: .zero 4096
pt_l1_as2: .zero 4096
pt_l0_as2: .zero 4096
