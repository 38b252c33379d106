/*
 * evil-jump-device - jumps into places that hold no code: the registers of
 * every device of the virt board, vacant addresses, a device reached
 * through a page table, and an instruction whose second half lies where
 * fetching is not allowed (privileged spec, "Physical Memory Attributes",
 * "Physical Memory Protection", "Machine Trap Value Register").
 *
 * Rules used:
 * - PMAs say which regions support execution; an instruction fetch from a
 *   region that does not (or from a vacant address) is an instruction
 *   access fault (1) with mepc = mtval = the target, and the jump itself
 *   has retired (its link register is written). The virt board's devices
 *   (CLINT, PLIC, UART, virtio-mmio, RTC, test finisher) are I/O regions
 *   without execute permission in rivet's memory map (DESIGN.md): this is
 *   the pinned PMA;
 * - "When page-based virtual memory is enabled, mtval is written with the
 *   faulting virtual address, even for physical-memory access-fault
 *   exceptions";
 * - "If mtval is written with a nonzero value when an instruction
 *   access-fault or page-fault exception occurs on a system with
 *   variable-length instructions, then mtval will contain the virtual
 *   address of the portion of the instruction that caused the fault, while
 *   mepc will point to the beginning of the instruction"; PMP denies
 *   execution of the second page here.
 */
#include "test.h"
#include "vm.h"

/* A jump from the current mode to target (a constant) must take an
   instruction access fault into M: mepc = mtval = target; resume in prv
   and check the link. */
#define JUMP_FAULT(target, prv)                                              \
    EXPECT_TRAP_AT_ABS(PRV_M, CAUSE_FETCH_ACCESS, target, target, 7f, prv);  \
    li t0, target; li ra, 0; jalr t0; 6: FAIL_HERE();                        \
    7: TRAP_CONSUMED; la a0, 6b; CHECK_REG(ra, a0)

#define VA_DEV 0x3800000000             /* root[224]: the UART's page */

TEST_BEGIN("evil-jump-device")
    .option norvc

    CASE(1)                         /* vacant addresses (M-mode) */
    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    csrw satp, zero
    JUMP_FAULT(0x0, PRV_M)
    JUMP_FAULT(VACANT, PRV_M)
    JUMP_FAULT(0x7ffffffffffff000, PRV_M)
    CASE(2)                         /* and from S and U (PMP allows everything) */
    PMP_ALLOW_ALL
    ENTER_MODE(PRV_S, 1f)
1:  JUMP_FAULT(VACANT, PRV_S)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    ENTER_MODE(PRV_U, 1f)
1:  JUMP_FAULT(0x0, PRV_U)
    ECALL_TO_M(CAUSE_USER_ECALL, 2f)
2:  TRAP_CONSUMED

#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 fetches instructions from
                           device registers (e.g. the UART's 0 bytes: an
                           illegal instruction) - rivet's pinned PMA: devices
                           are not executable */
    CASE(3)                         /* M-mode: each device */
    JUMP_FAULT(UART_BASE, PRV_M)
    JUMP_FAULT(CLINT_BASE, PRV_M)
    JUMP_FAULT(CLINT_BASE + 0xbff8, PRV_M)          /* mtime */
    JUMP_FAULT(PLIC_BASE, PRV_M)
    JUMP_FAULT(PLIC_BASE + 0x200004, PRV_M)         /* claim/complete */
    JUMP_FAULT(FINISHER_BASE, PRV_M)
    JUMP_FAULT(0x101000, PRV_M)                     /* RTC */
    JUMP_FAULT(0x10001000, PRV_M)                   /* virtio-mmio slot 0 */
    JUMP_FAULT(0x10008000, PRV_M)                   /* slot 7 */
    CASE(4)                         /* from S and U */
    ENTER_MODE(PRV_S, 1f)
1:  JUMP_FAULT(UART_BASE, PRV_S)
    JUMP_FAULT(CLINT_BASE, PRV_S)
    JUMP_FAULT(PLIC_BASE, PRV_S)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    ENTER_MODE(PRV_U, 1f)
1:  JUMP_FAULT(UART_BASE, PRV_U)
    JUMP_FAULT(FINISHER_BASE, PRV_U)
    ECALL_TO_M(CAUSE_USER_ECALL, 2f)
2:  TRAP_CONSUMED

    /* ---- a device page mapped executable: the PMA still says no ---- */
    CASE(5)
    vm_map_pa pt_root, 0, 0, LEAF_RWX               /* devices, even X */
    vm_map_pa pt_root, 2, 0x80000000, LEAF_RWX
    vm_map pt_root, 224, pt_l1, PTR
    vm_map pt_l1, 0, pt_l0, PTR
    vm_map_pa pt_l0, 0, UART_BASE, LEAF_RWX
    vm_satp SATP_SV39, pt_root
    ENTER_MODE(PRV_S, 1f)
1:  li a1, VA_DEV + UART_LSR        /* it is the UART: LSR reads THRE */
    lbu a0, 0(a1)
    andi a0, a0, UART_LSR_THRE
    CHECK(a0, UART_LSR_THRE)
    JUMP_FAULT(VA_DEV, PRV_S)       /* mtval = the virtual address */
    JUMP_FAULT(CLINT_BASE + 0x4000, PRV_S)          /* through root[0] */
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    csrw satp, zero
    sfence.vma
#endif

    /* ---- an instruction straddling into a page without execute permission ---- */
    CASE(6)
    pmp_napot a0, xcross1, 4096     /* entry 0: the second page, R only */
    csrw pmpaddr0, a0
    li a0, -1                       /* entry 1: everything else */
    csrw pmpaddr1, a0
    li a0, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8) | (PMP_NAPOT | PMP_R)
    csrw pmpcfg0, a0
    sfence.vma
    ENTER_MODE(PRV_S, 1f)
1:  EXPECT_TRAP_AT(PRV_M, CAUSE_FETCH_ACCESS, 0, xcross0 + 4094, 2f, PRV_S)
    la t5, xcross1
    sd t5, RT_EXP_TVAL(tp)
    li a0, 0
    la t0, xcross0 + 4094
    jalr t0
    FAIL_HERE()
2:  TRAP_CONSUMED
    CHECK(a0, 0)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 2f)
2:  TRAP_CONSUMED
    li a0, 0                        /* M-mode is not bound by it: it runs */
    la t0, xcross0 + 4094
    jalr t0
    CHECK(a0, 0x3c)
    csrw pmpcfg0, zero
    sfence.vma
    TEST_END

    .balign 4096
xcross0:                        /* 4094 bytes of c.nop, then li a0, 0x3c ... */
    .fill 2047, 2, 0x0001
    .word 0x03c00513
    .word 0x00008067            /* ... whose upper half starts xcross1; ret */
    .equ xcross1, xcross0 + 4096
    .balign 4096

    .bss
    .balign 4096
pt_root: .zero 4096
pt_l1: .zero 4096
pt_l0: .zero 4096
