/*
 * vm-sum-mxr-mprv - the mstatus bits that change how translation checks
 * permissions: SUM, MXR and MPRV (privileged spec, "Memory Privilege in
 * mstatus Register", "Memory Privilege in sstatus Register", "Sv32"
 * translation step 5).
 *
 * Rules used:
 * - "When SUM=0, S-mode memory accesses to pages that are accessible by
 *   U-mode (U=1 ...) will fault. When SUM=1, these accesses are permitted.
 *   SUM has no effect when page-based virtual memory is not in effect, nor
 *   when executing in U-mode. Note that S-mode can never execute
 *   instructions from user pages, regardless of the state of SUM."
 * - "When MXR=0, only loads from pages marked readable (R=1) will succeed.
 *   When MXR=1, loads from pages marked either readable or executable (R=1
 *   or X=1) will succeed." (stores are not affected);
 * - "Changes to the sstatus fields SUM and MXR take effect immediately,
 *   without the need to execute an SFENCE.VMA instruction."
 * - "When MPRV=1, load and store memory addresses are translated and
 *   protected, and endianness is applied, as though the current privilege
 *   mode were set to MPP. Instruction address-translation and protection
 *   are unaffected by the setting of MPRV." "while SUM is ordinarily
 *   ignored when not executing in S-mode, it is in effect when MPRV=1 and
 *   MPP=S." With MPP = M there is no translation.
 * - traps from M-mode stay in M-mode even when medeleg delegates the cause
 *   ("Traps never transition from a more-privileged mode to a
 *   less-privileged mode");
 * - "An MRET or SRET instruction that changes the privilege mode to a mode
 *   less privileged than M also sets MPRV=0"; an xRET "can be executed in
 *   privilege mode x or higher", so SRET in M-mode with SPP = S returns to
 *   S and clears MPRV.
 *
 * The test pages live at 0x38_0000_0000 (root[224]), an address that is
 * vacant as a physical address, so an untranslated access there faults.
 */
#include "test.h"
#include "vm.h"

#define BASE 0x3800000000
#define VA4K(k) (BASE + (k) * 0x1000)
#define I_S 0        /* page_s: RW, S */
#define I_U 1        /* page_u: RW, U */
#define I_XS 2       /* xpage_s: X only, S */
#define I_XU 3       /* xpage_u: X only, U */
#define I_RXU 4      /* xpage_u: RX, U */
#define I_RS 5       /* page_s: R only, S */
#define ALIAS_OFF 0x40000000        /* root[3]: RAM at 0xc000_0000, non-U */

#define S0VAL 0x5555000055550001
#define U0VAL 0x7575000075750001
#define XS_WORD 0x05a00513          /* li a0, 0x5a */
#define XU_WORD 0x07700513          /* li a0, 0x77 */

#define LOAD_FAULT(mode, va) li a1, va; li t5, va;                           \
    rt_expect mode, CAUSE_LOAD_PAGE_FAULT, RT_F_TVAL, __LINE__;              \
    ld a0, 0(a1); rt_trapped __LINE__
#define STORE_FAULT(mode, va) li a1, va; li t5, va;                          \
    rt_expect mode, CAUSE_STORE_PAGE_FAULT, RT_F_TVAL, __LINE__;             \
    sd a1, 0(a1); rt_trapped __LINE__
#define FETCH_FAULT(mode, va, prv)                                           \
    EXPECT_TRAP_AT_ABS(mode, CAUSE_FETCH_PAGE_FAULT, va, va, 7f, prv);       \
    li t0, va; jalr t0; FAIL_HERE(); 7: TRAP_CONSUMED
/* Set mstatus.MPP to prv and MPRV to 1 (M-mode). */
#define MPRV_ON(prv) li t5, MSTATUS_MPP; csrc mstatus, t5;                   \
    li t5, ((prv) << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV; csrs mstatus, t5
#define MPRV_OFF li t5, MSTATUS_MPRV; csrc mstatus, t5
/* With MPRV = 1 and MPP = prv, insn (at label 6, accessing va) must trap
   into M with this cause and tval = va. The trap sets MPP = M and MRET then
   MPP = U, so the harness (which uses memory through tp) runs only with
   MPRV = 0: MPRV is cleared right after the access and at the resume point.
   (The expectation does not ask the handler to set MPP, which it would do
   with MPP cleared first, i.e. with its own accesses translated as U.) */
#define MPRV_FAULT(prv, cause, va, insn...)                                  \
    li a1, va; EXPECT_TRAP_AT(PRV_M, cause, va, 6f, 7f, PRV_M);              \
    li t5, RT_F_TVAL | RT_F_RESUME_AT; sd t5, RT_EXP_FLAGS(tp);              \
    MPRV_ON(prv); 6: insn; MPRV_OFF; FAIL_HERE(); 7: MPRV_OFF; TRAP_CONSUMED

TEST_BEGIN("vm-sum-mxr-mprv")
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
    vm_satp SATP_SV39, pt_root
    ENTER_MODE(PRV_S, 1f)

    /* ---- SUM ---- */
1:  CASE(2)                         /* SUM = 0: no S access to U pages */
    li a1, VA4K(I_S)
    ld a0, 0(a1)
    CHECK(a0, S0VAL)
    LOAD_FAULT(PRV_S, VA4K(I_U))
    STORE_FAULT(PRV_S, VA4K(I_U))
    li a1, VA4K(I_U)
    TRAP_S(CAUSE_LOAD_PAGE_FAULT, VA4K(I_U), lr.d a0, (a1))
    CASE(3)                         /* SUM = 1: loads and stores work ... */
    li a0, MSTATUS_SUM
    csrs sstatus, a0
    li a1, VA4K(I_U)
    ld a0, 0(a1)
    CHECK(a0, U0VAL)
    li a2, 0x0123012301230123
    sd a2, 8(a1)
    ld a0, 8(a1)
    CHECK_REG(a0, a2)
    li a2, 1
    amoadd.d a0, a2, (a1)
    CHECK(a0, U0VAL)
    CASE(4)                         /* ... fetches never */
    FETCH_FAULT(PRV_S, VA4K(I_XU), PRV_S)
    FETCH_FAULT(PRV_S, VA4K(I_RXU), PRV_S)
    CASE(5)                         /* SUM = 0 again, at once (no SFENCE.VMA) */
    li a0, MSTATUS_SUM
    csrc sstatus, a0
    LOAD_FAULT(PRV_S, VA4K(I_U))
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 raises a load page fault (13) for an AMO */
    CASE(6)                         /* an AMO is a store/AMO fault (15) */
    li a1, VA4K(I_U)
    li a2, 1
    TRAP_S(CAUSE_STORE_PAGE_FAULT, VA4K(I_U), amoadd.d a0, a2, (a1))
#endif

    /* ---- MXR ---- */
    CASE(7)                         /* MXR = 0: an execute-only page is not readable */
    li a0, 0
    li t0, VA4K(I_XS)
    jalr t0
    CHECK(a0, 0x5a)
    LOAD_FAULT(PRV_S, VA4K(I_XS))
    CASE(8)                         /* MXR = 1: it is */
    li a0, MSTATUS_MXR
    csrs sstatus, a0
    li a1, VA4K(I_XS)
    lw a0, 0(a1)
    li a2, XS_WORD
    CHECK_REG(a0, a2)
    STORE_FAULT(PRV_S, VA4K(I_XS))  /* but never writable */
    li a0, 0                        /* and still executable */
    li t0, VA4K(I_XS)
    jalr t0
    CHECK(a0, 0x5a)
    CASE(9)                         /* MXR and SUM: an execute-only U page */
    LOAD_FAULT(PRV_S, VA4K(I_XU))   /* SUM = 0 */
    li a0, MSTATUS_SUM
    csrs sstatus, a0
    li a1, VA4K(I_XU)
    lw a0, 0(a1)
    li a2, XU_WORD
    CHECK_REG(a0, a2)
    li a0, MSTATUS_MXR
    csrc sstatus, a0
    LOAD_FAULT(PRV_S, VA4K(I_XU))   /* MXR = 0 */
    li a0, MSTATUS_SUM
    csrc sstatus, a0
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- U-mode: MXR applies, SUM does not ---- */
    CASE(10)
    vm_or pt_root, 0, PTE_U         /* identity maps usable from U */
    vm_or pt_root, 2, PTE_U
    sfence.vma
    la a0, rt_strap_entry           /* the S handler runs from a non-U alias, */
    li a1, ALIAS_OFF
    add a0, a0, a1
    csrw stvec, a0
    li a0, MSTATUS_SUM              /* with SUM = 1 to reach rt_ctx */
    csrs mstatus, a0
    ENTER_MODE(PRV_U, 1f)
1:  li a1, VA4K(I_U)
    ld a0, 16(a1)
    CHECK(a0, 0)
    LOAD_FAULT(PRV_S, VA4K(I_S))    /* SUM = 1 does not help U */
    STORE_FAULT(PRV_S, VA4K(I_S))
    LOAD_FAULT(PRV_S, VA4K(I_XU))   /* MXR = 0 */
    li a0, 0
    li t0, VA4K(I_XU)
    jalr t0
    CHECK(a0, 0x77)
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(11)                        /* MXR = 1 in U */
    li a0, MSTATUS_MXR
    csrs mstatus, a0
    ENTER_MODE(PRV_U, 1f)
1:  li a1, VA4K(I_XU)
    lw a0, 0(a1)
    li a2, XU_WORD
    CHECK_REG(a0, a2)
    LOAD_FAULT(PRV_S, VA4K(I_XS))   /* not a U page */
    STORE_FAULT(PRV_S, VA4K(I_XU))
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    li a0, MSTATUS_MXR | MSTATUS_SUM
    csrc mstatus, a0
    vm_map_pa pt_root, 0, 0, LEAF_RW
    vm_map_pa pt_root, 2, 0x80000000, LEAF_RWX
    sfence.vma
    la a0, rt_strap_entry
    csrw stvec, a0

    /* ---- MPRV (M-mode): loads and stores as MPP would make them ---- */
    CASE(12)                        /* MPP = S, SUM = 0 */
    MPRV_ON(PRV_S)
    li a1, VA4K(I_S)
    ld a0, 0(a1)
    li a2, 0x5a5a5a5a00000012
    sd a2, 24(a1)
    MPRV_OFF
    CHECK(a0, S0VAL)
    la a1, page_s                   /* the store went through the page */
    ld a0, 24(a1)
    CHECK_REG(a0, a2)
    MPRV_FAULT(PRV_S, CAUSE_LOAD_PAGE_FAULT, VA4K(I_U), ld a0, 0(a1))  /* in M although delegated */
    MPRV_FAULT(PRV_S, CAUSE_STORE_PAGE_FAULT, VA4K(I_U), sd a0, 0(a1))
    LAST_TRAP(a0, STATUS)
    li a1, MSTATUS_MPRV | MSTATUS_MPP   /* the trap left MPRV alone, MPP = M */
    and a0, a0, a1
    CHECK_REG(a0, a1)
    CASE(13)                        /* MPP = S, SUM = 1 */
    li a0, MSTATUS_SUM
    csrs mstatus, a0
    MPRV_ON(PRV_S)
    li a1, VA4K(I_U)
    ld a0, 0(a1)
    MPRV_OFF
    li a1, MSTATUS_SUM
    csrc mstatus, a1
    CHECK(a0, U0VAL + 1)            /* (the amoadd of test 3) */
    CASE(14)                        /* MPP = U */
    MPRV_ON(PRV_U)
    li a1, VA4K(I_U)
    ld a0, 0(a1)
    li a2, 1
    amoadd.d a3, a2, (a1)
    MPRV_OFF
    CHECK(a0, U0VAL + 1)
    CHECK(a3, U0VAL + 1)
    MPRV_FAULT(PRV_U, CAUSE_LOAD_PAGE_FAULT, VA4K(I_S), ld a0, 0(a1))
    MPRV_FAULT(PRV_U, CAUSE_STORE_PAGE_FAULT, VA4K(I_S), sw a0, 0(a1))
    li a0, MSTATUS_SUM              /* SUM does not matter for MPP = U */
    csrs mstatus, a0
    MPRV_FAULT(PRV_U, CAUSE_LOAD_PAGE_FAULT, VA4K(I_S), lb a0, 0(a1))
    li a0, MSTATUS_SUM
    csrc mstatus, a0
    CASE(15)                        /* MPP = S with MXR */
    MPRV_FAULT(PRV_S, CAUSE_LOAD_PAGE_FAULT, VA4K(I_XS), lw a0, 0(a1))
    MPRV_ON(PRV_S)
    li a0, MSTATUS_MXR
    csrs mstatus, a0
    li a1, VA4K(I_XS)
    lw a0, 0(a1)
    li a1, MSTATUS_MXR
    csrc mstatus, a1
    MPRV_OFF
    li a2, XS_WORD
    CHECK_REG(a0, a2)
    CASE(16)                        /* fetches are not translated: with MPP = U
                                       the identity map (U = 0) would fault */
    MPRV_ON(PRV_U)
    li a0, 0
    la t0, mcode
    jalr t0                         /* a call and a return, all from M */
    addi a0, a0, 1
    MPRV_OFF
    CHECK(a0, 0x43)
    CASE(17)                        /* MPP = M: no translation at all */
    MPRV_ON(PRV_M)
    la a1, page_s
    ld a0, 0(a1)
    MPRV_OFF
    CHECK(a0, S0VAL)
    MPRV_FAULT(PRV_M, CAUSE_LOAD_ACCESS, VA4K(I_S), ld a0, 0(a1))     /* a vacant PA */

    /* ---- xRET to a lower mode clears MPRV ---- */
    CASE(18)                        /* MRET with MPP = M keeps it */
    li a0, MSTATUS_MPP | MSTATUS_MPRV
    csrs mstatus, a0
    la a0, 1f
    csrw mepc, a0
    mret
1:  csrr a0, mstatus
    MPRV_OFF
    li a1, MSTATUS_MPRV
    and a0, a0, a1
    CHECK_REG(a0, a1)
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 leaves MPRV set after MRET or
                           SRET to S (then its trap handler, which clears MPP
                           before its last load, faults: an unexpected trap) */
    CASE(19)                        /* MRET to S clears it */
    li a0, MSTATUS_MPRV
    csrs mstatus, a0
    ENTER_MODE(PRV_S, 1f)
1:  ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    LAST_TRAP(a0, STATUS)
    MPRV_OFF
    li a1, MSTATUS_MPRV
    and a0, a0, a1
    CHECK(a0, 0)
    CASE(20)                        /* SRET (executed in M) to S clears it */
    li a0, MSTATUS_SPP
    csrs mstatus, a0
    li a0, MSTATUS_MPRV | MSTATUS_MPP
    csrs mstatus, a0
    la a0, 1f
    csrw sepc, a0
    sret
1:  ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)          /* we are in S-mode */
2:  TRAP_CONSUMED
    LAST_TRAP(a0, STATUS)
    MPRV_OFF
    li a1, MSTATUS_MPRV
    and a0, a0, a1
    CHECK(a0, 0)
#endif

    csrw satp, zero
    sfence.vma
    TEST_END

/* M-mode code called with MPRV = 1, MPP = U: a0 = 0x42 */
mcode:
    li a0, 0x42
    ret

build_tables:
    vm_map_pa pt_root, 0, 0, LEAF_RW                /* devices */
    vm_map_pa pt_root, 2, 0x80000000, LEAF_RWX      /* RAM, identity */
    vm_map_pa pt_root, 3, 0x80000000, LEAF_RWX      /* RAM alias (S handler) */
    vm_map pt_root, 224, pt_l1, PTR                 /* the test pages */
    vm_map pt_l1, 0, pt_l0, PTR
    vm_map pt_l0, I_S, page_s, LEAF_RW
    vm_map pt_l0, I_U, page_u, LEAF_RW | PTE_U
    vm_map pt_l0, I_XS, xpage_s, LEAF_X
    vm_map pt_l0, I_XU, xpage_u, LEAF_X | PTE_U
    vm_map pt_l0, I_RXU, xpage_u, LEAF_RX | PTE_U
    vm_map pt_l0, I_RS, page_s, LEAF_R
    sfence.vma
    ret

    .balign 4096
xpage_s:                        /* li a0, 0x5a; ret */
    .word XS_WORD, 0x00008067
    .balign 4096
xpage_u:                        /* li a0, 0x77; ret */
    .word XU_WORD, 0x00008067

    .data
    .balign 4096
page_s: .dword S0VAL
    .balign 4096
page_u: .dword U0VAL
    .balign 4096

    .bss
    .balign 4096
pt_root: .zero 4096
pt_l1: .zero 4096
pt_l0: .zero 4096
