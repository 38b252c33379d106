/*
 * pmp-modes - physical memory protection without the L bit: the address
 * matching modes OFF, TOR, NA4 and NAPOT, R/W/X from S- and U-mode, the
 * priority of entries, accesses that only partly match an entry, the
 * granularity probe, M-mode accesses (not checked unless MPRV), and PMP on
 * the page-table walk (privileged spec, "Physical Memory Protection",
 * "Physical Memory Protection and Paging").
 *
 * Rules used:
 * - "When A=0, this PMP entry is disabled and matches no addresses"; TOR:
 *   "the entry matches any address y such that pmpaddr(i-1) <= y <
 *   pmpaddr(i) (irrespective of the value of pmpcfg(i-1)). If PMP entry 0's
 *   A field is set to TOR, zero is used for the lower bound"; "If
 *   pmpaddr(i-1) >= pmpaddr(i) and pmpcfg(i).A=TOR, then PMP entry i matches
 *   no addresses"; NA4 a naturally aligned four-byte region; NAPOT
 *   yyyy...y011 a 32-byte region, and so on;
 * - "The lowest-numbered PMP entry that matches any byte of an access
 *   determines whether that access succeeds or fails. The matching PMP
 *   entry must match all bytes of an access, or the access fails,
 *   irrespective of the L, R, W, and X bits";
 * - "If the L bit is clear and the privilege mode of the access is M, the
 *   access succeeds"; "If no PMP entry matches an S-mode or U-mode access,
 *   but at least one PMP entry is implemented, the access fails";
 * - faults: instruction access fault (1), load access fault (5), store/AMO
 *   access fault (7), mtval = the faulting address; "When page-based virtual
 *   memory is enabled, mtval is written with the faulting virtual address,
 *   even for physical-memory access-fault exceptions";
 * - "PMP checks are also applied to page-table accesses for virtual-address
 *   translation, for which the effective privilege mode is S"; the walk:
 *   "If accessing pte violates a PMA or PMP check, raise an access-fault
 *   exception corresponding to the original access type"; data accesses in
 *   M-mode with MPRV = 1 and MPP = S or U are checked too;
 * - granularity: "Software may determine the PMP granularity by writing
 *   zero to pmp0cfg, then writing all ones to pmpaddr0, then reading back
 *   pmpaddr0. If G is the index of the least-significant bit set, the PMP
 *   granularity is 2^(G+2) bytes." rivet has G = 0 (pinned; QEMU too). The
 *   RV64 pmpaddr format has bits 63:54 "0 (WARL)".
 * - PMP changes are made visible with SFENCE.VMA x0, x0 after the writes
 *   ("M-mode software must synchronize the PMP settings with the virtual
 *   memory system and any PMP or address-translation caches").
 *
 * Entry 15 (NAPOT, all of memory, RWX) is the catch-all that lets S and U
 * run; entries 0-3 hold the rule under test. pbuf is a 4 KiB data page,
 * pcode a 4 KiB code page.
 */
#include "test.h"
#include "vm.h"

#define CFG(e, v) ((v) << (8 * (e)))          /* a byte of pmpcfg0 */
#define NAPOT_RWX (PMP_NAPOT | PMP_R | PMP_W | PMP_X)
#define SET_CFG0(v) li t5, v; csrw pmpcfg0, t5; sfence.vma
#define CLEAR_PMP SET_CFG0(0)

#define LOAD_OK(reg, insn...) insn          /* an access that must work */
/* An access at reg + 0 that must fault with cause c (mtval = reg) */
#define FAULTS(c, reg, insn...) TRAP_R(c, reg, insn)
#define FETCH_FAULT(target, prv)                                             \
    EXPECT_TRAP_AT(PRV_M, CAUSE_FETCH_ACCESS, 0, target, 7f, prv);           \
    la t5, target; sd t5, RT_EXP_TVAL(tp);                                   \
    la t0, target; jalr t0; FAIL_HERE(); 7: TRAP_CONSUMED

/* With MPRV = 1 and MPP = prv, insn (accessing va, in a1) must trap into M
   with cause c, tval va; MPRV is cleared at once (see vm-sum-mxr-mprv.S). */
#define MPRV_FAULT(prv, c, va, insn...) li a1, va; MPRV_FAULT_R(prv, c, a1, insn)
/* The same with the address in register reg */
#define MPRV_FAULT_R(prv, c, reg, insn...)                                   \
    EXPECT_TRAP_AT(PRV_M, c, 0, 6f, 7f, PRV_M); sd reg, RT_EXP_TVAL(tp);     \
    li t5, RT_F_TVAL | RT_F_RESUME_AT; sd t5, RT_EXP_FLAGS(tp);              \
    li t5, MSTATUS_MPP; csrc mstatus, t5;                                    \
    li t5, ((prv) << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV; csrs mstatus, t5;    \
    6: insn; li t5, MSTATUS_MPRV; csrc mstatus, t5; FAIL_HERE();             \
    7: li t5, MSTATUS_MPRV; csrc mstatus, t5; TRAP_CONSUMED

#define VA_PT 0x3800000000          /* root[224]: its L1 table is PMP-guarded */

TEST_BEGIN("pmp-modes")
    .option norvc

    /* ---- set-up and the granularity probe ---- */
    CASE(1)
    csrw mie, zero
    csrw mideleg, zero
    csrw medeleg, zero
    csrw satp, zero
    li a0, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV
    csrc mstatus, a0
    csrw pmpcfg0, zero
    li a0, -1
    csrw pmpaddr0, a0
    csrr a1, pmpaddr0
    andi a2, a1, 1                  /* G = 0: bit 0 holds a one */
    CHECK(a2, 1)
    li a2, 0x3fffffff               /* and so do the low 30 bits (RAM's) */
    and a3, a1, a2
    CHECK_REG(a3, a2)
    li a0, -1                       /* entry 15: the catch-all */
    csrw pmpaddr15, a0
    csrr a1, pmpaddr15
    CHECK_NZ(a1)                    /* 16 entries are implemented */
    li a0, NAPOT_RWX << 56
    csrw pmpcfg2, a0
    csrr a1, pmpcfg2
    CHECK_REG(a1, a0)
    sfence.vma
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 keeps all 64 bits of pmpaddr */
    CASE(2)                         /* bits 63:54 of pmpaddr are 0 (WARL) */
    li a0, -1
    csrw pmpaddr0, a0
    csrr a1, pmpaddr0
    srli a1, a1, 54
    CHECK(a1, 0)
#endif

    /* ---- OFF: an entry with A = 0 matches nothing ---- */
    CASE(3)
    la a0, pbuf
    srli a0, a0, 2
    csrw pmpaddr0, a0
    pmp_napot a0, pbuf, 4096
    csrw pmpaddr1, a0
    SET_CFG0(CFG(0, PMP_OFF) | CFG(1, PMP_OFF))     /* no permissions, both off */
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf
    ld a0, 0(s0)
    CHECK(a0, 0x0b0b)
    sd a0, 8(s0)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- NAPOT, R only ---- */
    CASE(4)
    pmp_napot a0, pbuf, 4096
    csrw pmpaddr0, a0
    SET_CFG0(CFG(0, PMP_NAPOT | PMP_R))
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf
    ld a0, 0(s0)
    CHECK(a0, 0x0b0b)
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    li a2, 1
    FAULTS(CAUSE_STORE_ACCESS, s0, amoadd.w a0, a2, (s0))
    addi s1, s0, 0x7fc              /* the region's ends */
    addi s1, s1, 0x7fc
    addi s1, s1, 0x4
    FAULTS(CAUSE_STORE_ACCESS, s1, sw a0, 0(s1))    /* pbuf + 0xffc */
    lw a0, 0(s1)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    ENTER_MODE(PRV_U, 1f)           /* the same from U */
1:  la s0, pbuf
    ld a0, 0(s0)
    CHECK(a0, 0x0b0b)
    FAULTS(CAUSE_STORE_ACCESS, s0, sb a0, 0(s0))
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    la s0, pbuf                     /* M-mode: not checked (L = 0) */
    li a0, 0x0b0b
    sd a0, 0(s0)

    /* ---- NAPOT, X only, over code ---- */
    CASE(5)
    pmp_napot a0, pcode, 4096
    csrw pmpaddr0, a0
    SET_CFG0(CFG(0, PMP_NAPOT | PMP_X))
    ENTER_MODE(PRV_S, 1f)
1:  li a0, 0
    la t0, pcode
    jalr t0
    CHECK(a0, 0x42)
    la s0, pcode
    FAULTS(CAUSE_LOAD_ACCESS, s0, lw a0, 0(s0))
    FAULTS(CAUSE_STORE_ACCESS, s0, sw a0, 0(s0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    ENTER_MODE(PRV_U, 1f)
1:  li a0, 0
    la t0, pcode_2
    jalr t0
    CHECK(a0, 0x43)
    la s0, pcode_2
    FAULTS(CAUSE_LOAD_ACCESS, s0, lhu a0, 0(s0))
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- NAPOT without X: instruction access faults (1) ---- */
    CASE(6)
    SET_CFG0(CFG(0, PMP_NAPOT | PMP_R | PMP_W))
    ENTER_MODE(PRV_S, 1f)
1:  FETCH_FAULT(pcode, PRV_S)
    la s0, pcode
    lw a0, 0(s0)                    /* readable */
    li a1, 0x04200513
    CHECK_REG(a0, a1)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    SET_CFG0(CFG(0, PMP_NAPOT))     /* no permission at all */
    ENTER_MODE(PRV_U, 1f)
1:  FETCH_FAULT(pcode_2, PRV_U)
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    li a0, 0                        /* M-mode runs it */
    la t0, pcode
    jalr t0
    CHECK(a0, 0x42)

    /* ---- TOR ---- */
    CASE(7)                         /* entry 0 TOR [0, pbuf) RWX, entry 1 TOR
                                       [pbuf, pbuf + 0x800) nothing */
    pmp_addr a0, pbuf
    csrw pmpaddr0, a0
    pmp_addr a0, pbuf, 0x800
    csrw pmpaddr1, a0
    SET_CFG0(CFG(0, PMP_TOR | PMP_R | PMP_W | PMP_X) | CFG(1, PMP_TOR))
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf
    FAULTS(CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0))
    li a1, 0x7fc
    add s1, s0, a1
    FAULTS(CAUSE_LOAD_ACCESS, s1, lw a0, 0(s1))     /* the last word inside */
    FAULTS(CAUSE_STORE_ACCESS, s1, sw a0, 0(s1))
    lw a0, 4(s1)                    /* pbuf + 0x800: outside (entry 15) */
    lw a0, -4(s0)                   /* below pbuf: entry 0 */
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(8)                         /* entry 1's bottom is pmpaddr0 whatever
                                       pmp0cfg is: entry 0 OFF */
    SET_CFG0(CFG(0, PMP_OFF) | CFG(1, PMP_TOR | PMP_R))
    ENTER_MODE(PRV_U, 1f)
1:  la s0, pbuf
    ld a0, 0(s0)
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    sw a0, -4(s0)                   /* below: entry 15 */
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(9)                         /* pmpaddr0 >= pmpaddr1: entry 1 matches nothing */
    pmp_addr a0, pbuf, 0x800
    csrw pmpaddr0, a0
    pmp_addr a0, pbuf
    csrw pmpaddr1, a0
    SET_CFG0(CFG(1, PMP_TOR))
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf
    ld a0, 0(s0)
    sd a0, 0(s0)
    ld a0, 0x7f8(s0)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(10)                        /* entry 0 TOR: [0, pmpaddr0), here
                                       everything below RAM */
    li a0, RAM_BASE >> 2
    csrw pmpaddr0, a0
    SET_CFG0(CFG(0, PMP_TOR | PMP_R | PMP_W | PMP_X))
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf
    ld a0, 0(s0)                    /* RAM: entry 15 */
    sd a0, 0(s0)
    li s1, UART_BASE                /* a device below RAM: entry 0 */
    lbu a0, UART_LSR(s1)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    SET_CFG0(CFG(0, PMP_TOR))       /* now with no permission */
    ENTER_MODE(PRV_S, 1f)
1:  li s1, UART_BASE + UART_LSR
    FAULTS(CAUSE_LOAD_ACCESS, s1, lbu a0, 0(s1))
    la s0, pbuf
    ld a0, 0(s0)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- NA4, and accesses that match only part of an entry ---- */
    CASE(11)
    pmp_addr a0, pbuf, 0x100
    csrw pmpaddr0, a0
    SET_CFG0(CFG(0, PMP_NA4 | PMP_R))
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf
    addi s0, s0, 0x100
    lw a0, 0(s0)
    CHECK(a0, 0x100)
    FAULTS(CAUSE_STORE_ACCESS, s0, sw a0, 0(s0))
    FAULTS(CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0))     /* 8 bytes, 4 matched */
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    sw a0, 4(s0)                    /* the next word: entry 15 */
    lw a0, -4(s0)
    lhu a0, 2(s0)                   /* a halfword inside */
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(12)                        /* a TOR top at 4 mod 8: an aligned
                                       doubleword straddles it */
    pmp_addr a0, pbuf
    csrw pmpaddr0, a0
    pmp_addr a0, pbuf, 0x104
    csrw pmpaddr1, a0
    SET_CFG0(CFG(1, PMP_TOR | PMP_R | PMP_W))   /* [pbuf, pbuf + 0x104) RW */
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf
    addi s0, s0, 0x100
    lw a0, 0(s0)                    /* both words alone are fine */
    lw a0, 4(s0)
    FAULTS(CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0))
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 raises a load access fault (5) for an AMO */
    li a2, 1
    FAULTS(CAUSE_STORE_ACCESS, s0, amoadd.d a0, a2, (s0))
#endif
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(13)                        /* the same at a TOR bottom at 4 mod 8 */
    pmp_addr a0, pbuf, 0x104
    csrw pmpaddr0, a0
    pmp_addr a0, pbuf, 0x200
    csrw pmpaddr1, a0
    SET_CFG0(CFG(1, PMP_TOR | PMP_R | PMP_W))
    ENTER_MODE(PRV_U, 1f)
1:  la s0, pbuf
    addi s0, s0, 0x100
    FAULTS(CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0))
    ld a0, 8(s0)
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- priority: the lowest-numbered matching entry decides ---- */
    CASE(14)
    pmp_napot a0, pbuf, 4096
    csrw pmpaddr0, a0
    csrw pmpaddr1, a0
    SET_CFG0(CFG(0, PMP_NAPOT | PMP_R) | CFG(1, PMP_NAPOT | PMP_R | PMP_W))
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    SET_CFG0(CFG(0, PMP_NAPOT | PMP_R | PMP_W) | CFG(1, PMP_NAPOT | PMP_R))
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf
    ld a0, 0(s0)
    sd a0, 0(s0)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(15)                        /* a small entry 0 inside a bigger entry 1 */
    pmp_napot a0, pbuf + 0x200, 16
    csrw pmpaddr0, a0
    pmp_napot a0, pbuf, 4096
    csrw pmpaddr1, a0
    SET_CFG0(CFG(0, PMP_NAPOT) | CFG(1, PMP_NAPOT | PMP_R | PMP_W))
    ENTER_MODE(PRV_U, 1f)
1:  la s0, pbuf + 0x208
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    la s0, pbuf + 0x200
    FAULTS(CAUSE_LOAD_ACCESS, s0, lbu a0, 0(s0))
    la s0, pbuf + 0x210             /* just past it: entry 1 */
    sd a0, 0(s0)
    la s0, pbuf + 0x1f8
    ld a0, 0(s0)
    ECALL_TO_M(CAUSE_USER_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(16)                        /* a 32-byte NAPOT region: its size encoding */
    pmp_napot a0, pbuf + 0x300, 32
    csrw pmpaddr0, a0
    andi a1, a0, 7
    CHECK(a1, 3)                    /* ...y011 */
    SET_CFG0(CFG(0, PMP_NAPOT | PMP_R))
    ENTER_MODE(PRV_S, 1f)
1:  la s0, pbuf + 0x318
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    la s0, pbuf + 0x300
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    la s0, pbuf + 0x320
    sd a0, 0(s0)
    la s0, pbuf + 0x2f8
    sd a0, 0(s0)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED

    /* ---- no entry matches: S and U get nothing ---- */
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 makes MRET to S or U an illegal
                           instruction when no PMP entry is active */
    CASE(17)
    csrw pmpcfg2, zero              /* the catch-all off too */
    CLEAR_PMP
    EXPECT_TRAP_AT(PRV_M, CAUSE_FETCH_ACCESS, 0, 2f, 3f, PRV_M)
    la t5, 2f
    sd t5, RT_EXP_TVAL(tp)
    li t5, MSTATUS_MPP
    csrc mstatus, t5
    li t5, PRV_S << MSTATUS_MPP_SHIFT
    csrs mstatus, t5
    la t5, 2f
    csrw mepc, t5
    mret
2:  FAIL_HERE()                     /* its fetch fails: mepc = mtval = 2b */
3:  TRAP_CONSUMED
    la s0, pbuf                     /* M-mode is not affected */
    ld a0, 0(s0)
    CHECK(a0, 0x0b0b)
    li a0, NAPOT_RWX << 56
    csrw pmpcfg2, a0
    sfence.vma
#endif

    /* ---- M-mode with MPRV: data accesses checked as MPP's ---- */
    CASE(18)
    pmp_napot a0, pbuf, 4096
    csrw pmpaddr0, a0
    SET_CFG0(CFG(0, PMP_NAPOT | PMP_R))
    la s0, pbuf
    sd a0, 8(s0)                    /* without MPRV: fine */
    la a2, pbuf
    MPRV_FAULT_R(PRV_S, CAUSE_STORE_ACCESS, a2, sd a0, 0(a2))
    CASE(19)
    la a2, pbuf
    MPRV_FAULT_R(PRV_U, CAUSE_STORE_ACCESS, a2, sw a0, 0(a2))
    li t5, (PRV_U << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV  /* loads are fine */
    csrs mstatus, t5
    ld a0, 0(a2)
    li t5, MSTATUS_MPRV
    csrc mstatus, t5
    CHECK(a0, 0x0b0b)
    CLEAR_PMP

    /* ---- PMP on the page-table walk ---- */
    CASE(20)                        /* the level-1 table: no access for S */
    li a0, ENVCFG_ADUE              /* (hardware A/D updating, for test 24) */
    csrs CSR_MENVCFG, a0
    vm_map_pa pt_root, 0, 0, LEAF_RW
    vm_map_pa pt_root, 2, 0x80000000, LEAF_RWX
    vm_map pt_root, 224, pt_l1, PTR
    vm_map pt_l1, 0, pt_l0, PTR
    vm_map pt_l0, 0, pbuf, LEAF_RW
    vm_map pt_l0, 1, pcode, LEAF_X
    vm_map pt_l0, 2, pbuf, PTE_V | PTE_R | PTE_W    /* A = D = 0 */
    pmp_napot a0, pt_l1, 4096
    csrw pmpaddr0, a0
    SET_CFG0(CFG(0, PMP_NAPOT))
    vm_satp SATP_SV39, pt_root
    ENTER_MODE(PRV_S, 1f)
1:  li s0, VA_PT + 8
    FAULTS(CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0))     /* mtval = the VA */
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 raises a load access fault (5) for an AMO */
    FAULTS(CAUSE_STORE_ACCESS, s0, amoswap.d a0, a0, (s0))
#endif
    EXPECT_TRAP_AT_ABS(PRV_M, CAUSE_FETCH_ACCESS, VA_PT + 0x1000, VA_PT + 0x1000, 2f, PRV_S)
    li t0, VA_PT + 0x1000
    jalr t0
    FAIL_HERE()
2:  TRAP_CONSUMED
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(21)                        /* R is enough for the walk (A, D set) */
    SET_CFG0(CFG(0, PMP_NAPOT | PMP_R))
    ENTER_MODE(PRV_S, 1f)
1:  li s0, VA_PT
    ld a0, 0(s0)
    CHECK(a0, 0x0b0b)
    sd a0, 8(s0)
    li a0, 0
    li t0, VA_PT + 0x1000
    jalr t0
    CHECK(a0, 0x42)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(22)                        /* the tables allowed, the page itself not */
    pmp_napot a0, pbuf, 4096
    csrw pmpaddr0, a0
    SET_CFG0(CFG(0, PMP_NAPOT))
    ENTER_MODE(PRV_S, 1f)
1:  li s0, VA_PT + 0x10
    FAULTS(CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0))     /* mtval = the VA */
    FAULTS(CAUSE_STORE_ACCESS, s0, sd a0, 0(s0))
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
    CASE(23)                        /* M-mode, MPRV = 1, MPP = S: the walk is
                                       checked as S */
    pmp_napot a0, pt_l1, 4096
    csrw pmpaddr0, a0
    SET_CFG0(CFG(0, PMP_NAPOT))
    MPRV_FAULT(PRV_S, CAUSE_LOAD_ACCESS, VA_PT, ld a0, 0(a1))
    MPRV_FAULT(PRV_U, CAUSE_STORE_ACCESS, VA_PT, sd a0, 0(a1))
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 does not check PMP when it
                           writes the A/D bits */
    CASE(24)                        /* setting A is a write to the PTE: with
                                       the last-level table read-only for S,
                                       "If a store to pte would violate a PMA
                                       or PMP check, raise an access-fault
                                       exception corresponding to the original
                                       access type" */
    pmp_napot a0, pt_l0, 4096
    csrw pmpaddr0, a0
    SET_CFG0(CFG(0, PMP_NAPOT | PMP_R))
    ENTER_MODE(PRV_S, 1f)
1:  li s0, VA_PT + 0x2000
    FAULTS(CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0))
    vm_get a0, pt_l0, 2             /* the PTE was not written */
    andi a0, a0, PTE_A | PTE_D
    CHECK(a0, 0)
    ECALL_TO_M(CAUSE_SUPERVISOR_ECALL, 1f)
1:  TRAP_CONSUMED
#endif

    csrw satp, zero
    sfence.vma
    CLEAR_PMP
    TEST_END

    .balign 4096
pcode:                          /* li a0, 0x42; ret */
    .word 0x04200513, 0x00008067
    .balign 256
pcode_2:                        /* li a0, 0x43; ret */
    .word 0x04300513, 0x00008067
    .balign 4096

    .data
    .balign 4096
pbuf:
    .dword 0x0b0b
    .fill 31, 8, 0
    .word 0x100, 0                  /* pbuf + 0x100 */
    .fill (4096 - 0x108) / 8, 8, 0

    .bss
    .balign 4096
pt_root: .zero 4096
pt_l1: .zero 4096
pt_l0: .zero 4096
