/*
 * vm.h - numbers and helpers for the privileged-architecture programs
 * (vm-*, pmp-*, irq-*, timer-*, wfi-*, smp-*, evil-*): page-table entries,
 * satp modes, interrupt causes, the CLINT and PLIC of the virt board, and
 * assembler macros that build page tables at run time.
 *
 * Everything here follows the privileged specification ("Sv32/Sv39/Sv48/
 * Sv57", "Machine Interrupt Registers", "Physical Memory Protection") and
 * DESIGN.md ("The machine contract"). Include it after test.h.
 *
 * Page-table macros run in M-mode (or with an identity mapping), where the
 * address of a label is its physical address. They use t4-t6 as scratch,
 * like the harness's CHECK/TRAP macros, so they never hold a value across
 * a check.
 */
#ifndef RIVET_VM_H
#define RIVET_VM_H

#include "test.h"

/* ---- page-table entries ("Sv39 page table entry") ---------------------- */
#define PTE_V 0x001
#define PTE_R 0x002
#define PTE_W 0x004
#define PTE_X 0x008
#define PTE_U 0x010
#define PTE_G 0x020
#define PTE_A 0x040
#define PTE_D 0x080
#define PTE_PPN_SHIFT 10
/* Bits 63 (N, Svnapot), 62:61 (PBMT, Svpbmt) and 60:54 (reserved). */
#define PTE_N_BIT 63
#define PTE_PBMT_SHIFT 61
#define PTE_RSVD_LOW_BIT 54
#define PTE_RSVD_HIGH_BIT 60

/* Common leaf permissions, with A and D already set. */
#define LEAF_R (PTE_V | PTE_R | PTE_A | PTE_D)
#define LEAF_RW (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define LEAF_X (PTE_V | PTE_X | PTE_A | PTE_D)
#define LEAF_RX (PTE_V | PTE_R | PTE_X | PTE_A | PTE_D)
#define LEAF_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define PTR (PTE_V) /* a pointer to the next level */

/* satp (RV64): MODE in bits 63:60, ASID in 59:44, PPN in 43:0. */
#define SATP_SV39 0x8000000000000000
#define SATP_SV48 0x9000000000000000
#define SATP_SV57 0xa000000000000000
#define SATP_MODE_SHIFT 60
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK 0xffff

/* Page faults (mcause/scause exception codes). */
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

/* mstatus.SPP as a mask (test.h has its shift only). */
#define SSTATUS_SPP (1 << 8)

/* ---- interrupts ("Machine Interrupt Registers", mcause table) ---------- */
#define IRQ_S_SOFT 1
#define IRQ_M_SOFT 3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11
#define MIP_SSIP (1 << IRQ_S_SOFT)
#define MIP_MSIP (1 << IRQ_M_SOFT)
#define MIP_STIP (1 << IRQ_S_TIMER)
#define MIP_MTIP (1 << IRQ_M_TIMER)
#define MIP_SEIP (1 << IRQ_S_EXT)
#define MIP_MEIP (1 << IRQ_M_EXT)
/* mcause/scause of an interrupt: the Interrupt bit (63) and the code. */
#define INTR(code) (0x8000000000000000 | (code))

/* ---- CSRs the assembler may not know by name --------------------------- */
#define CSR_MENVCFG 0x30a
#define CSR_STIMECMP 0x14d
#define ENVCFG_ADUE (1 << 61)
#define ENVCFG_STCE (1 << 63)
/* A csrrs rd, csr, x0 instruction word, for illegal-instruction mtvals. */
#define CSRR_WORD(rd, csr) (((csr) << 20) | (2 << 12) | ((rd) << 7) | 0x73)
#define CSRW_WORD(csr, rs1) (((csr) << 20) | ((rs1) << 15) | (1 << 12) | 0x73)

/* ---- the virt board ---------------------------------------------------- */
#define CLINT_BASE 0x2000000
#define CLINT_MSIP(h) (CLINT_BASE + 4 * (h))
#define CLINT_MTIMECMP(h) (CLINT_BASE + 0x4000 + 8 * (h))
#define CLINT_MTIME (CLINT_BASE + 0xbff8)
#define PLIC_BASE 0xc000000
#define PLIC_PRIORITY(src) (PLIC_BASE + 4 * (src))
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define UART_IRQ 10
#define UART_IER 1
#define UART_IER_THRI 0x02
#define UART_IIR 2
/* An address where nothing is mapped (as in traps-exceptions.S). */
#define VACANT 0x200000000000

/* PMP configuration fields beyond encoding.h's ("pmpcfg" format). */
#define PMP_OFF 0x00
#define PMP_TOR 0x08
#define PMP_NA4 0x10
#define PMP_L 0x80

#ifdef __ASSEMBLER__

/* ---- PMP --------------------------------------------------------------- */

/* reg = the NAPOT pmpaddr value for the size-byte region at label (size a
   power of two, 8 .. 4096, the label aligned to it) */
.macro pmp_napot reg, label, size
    la \reg, \label
    ori \reg, \reg, (\size) / 2 - 1
    srli \reg, \reg, 2
.endm
/* reg = (address of label + off) >> 2: a TOR bound or an NA4 address */
.macro pmp_addr reg, label, off=0
    la \reg, \label
    li t6, \off
    add \reg, \reg, t6
    srli \reg, \reg, 2
.endm

/* One PMP entry (entry 0) granting RWX on all of memory to S and U. */
#define PMP_ALLOW_ALL                                                        \
    li t5, -1; csrw pmpaddr0, t5; li t5, PMP_NAPOT | PMP_R | PMP_W | PMP_X;  \
    csrw pmpcfg0, t5; sfence.vma

/* ---- page tables ------------------------------------------------------- */

/* dst = a PTE for the physical address in register pa, with flags (a
   constant below 2048). dst may be pa. */
.macro vm_pte dst, pa, flags
    srli \dst, \pa, 12
    slli \dst, \dst, PTE_PPN_SHIFT
    ori \dst, \dst, \flags
.endm

/* table[index] = PTE(address of label target, flags) */
.macro vm_map table, index, target, flags
    la t5, \target
    vm_pte t5, t5, \flags
    la t6, \table
    li t4, (\index) * 8
    add t6, t6, t4
    sd t5, 0(t6)
.endm

/* table[index] = PTE(physical address pa (a constant), flags) */
.macro vm_map_pa table, index, pa, flags
    li t5, \pa
    vm_pte t5, t5, \flags
    la t6, \table
    li t4, (\index) * 8
    add t6, t6, t4
    sd t5, 0(t6)
.endm

/* table[index] = the 64-bit constant value (a raw PTE) */
.macro vm_set_raw table, index, value
    li t5, \value
    la t6, \table
    li t4, (\index) * 8
    add t6, t6, t4
    sd t5, 0(t6)
.endm

/* table[index] |= the 64-bit constant bits (e.g. reserved bits) */
.macro vm_or table, index, bits
    la t6, \table
    li t4, (\index) * 8
    add t6, t6, t4
    ld t5, 0(t6)
    li t4, \bits
    or t5, t5, t4
    sd t5, 0(t6)
.endm

/* reg = table[index] */
.macro vm_get reg, table, index
    la \reg, \table
    li t4, (\index) * 8
    add \reg, \reg, t4
    ld \reg, 0(\reg)
.endm

/* satp = mode | asid << 44 | PPN(table), then sfence.vma x0, x0 */
.macro vm_satp mode, table, asid=0
    la t5, \table
    srli t5, t5, 12
    li t6, \mode | ((\asid) << SATP_ASID_SHIFT)
    or t5, t5, t6
    csrw satp, t5
    sfence.vma
.endm

/* ---- traps the harness macros do not cover ------------------------------ */

/* Like TRAP_ANYTVAL, but taken by the S-mode handler. */
#define TRAP_S_ANYTVAL(cause, ...)                                           \
    li t5, 0; rt_expect PRV_S, cause, 0, __LINE__; __VA_ARGS__;              \
    rt_trapped __LINE__

/* The next trap must be taken by handler `mode` with this cause, at the
   absolute address epc (a constant), tval not checked; resume at `resume`
   in privilege prv. */
#define EXPECT_TRAP_AT_ABS_ANYTVAL(mode, cause, epc, resume, prv)           \
    rt_expect_at mode, cause, 0, li, epc, resume, prv, __LINE__;             \
    li t5, RT_F_RESUME_AT | RT_F_RESUME_PRV; sd t5, RT_EXP_FLAGS(tp)

/* From S or U: back to M-mode by ECALL (cause 8 or 9, not delegated),
   continuing at label `to` in M-mode. */
#define ECALL_TO_M(cause, to)                                                \
    EXPECT_TRAP_AT(PRV_M, cause, 0, 8f, to, PRV_M); 8: ecall; FAIL_HERE()

/* CHECK that a <= b, unsigned (on failure: "got a, expected b"). */
#define CHECK_LEU(a, b) bgeu b, a, 9f; CHECK_REG(a, b); 9:

/* CHECK that bits `mask` of reg equal `val` (reg is clobbered). */
#define CHECK_BITS(reg, mask, val) li t6, mask; and reg, reg, t6; CHECK(reg, val)

/* Wait, at most about `n` polls, until (csr & mask) == val. */
.macro wait_csr csr, mask, val, n=1000000
    li t6, \n
.Lwait\@:
    csrr t5, \csr
    li t4, \mask
    and t5, t5, t4
    li t4, \val
    beq t5, t4, .Lwaited\@
    addi t6, t6, -1
    bnez t6, .Lwait\@
.Lwaited\@:
.endm

/* ---- interrupt log: handlers that record interrupts ------------------- */

/*
 * IRQ_HANDLERS emits two trap handlers, irq_mtrap (M-mode) and irq_strap
 * (S-mode), and vector tables for them (irq_mvec, irq_svec: BASE for
 * vectored mode, MODE = 1 added by the user). A synchronous exception goes
 * on to the harness (rt_mtrap_entry / rt_strap_entry), so the TRAP macros
 * keep working. An interrupt is appended to irq_log (IRQ_LOG_MAX entries of
 * IRQ_ENTRY bytes: cause, epc, mstatus/sstatus, the vector slot that was
 * entered (-1 for direct mode), tval and the handler's privilege), irq_count
 * is incremented, and the interrupt's enable bit in mie (sie) is cleared so
 * that a still-pending interrupt does not come back at once; the handler
 * then returns (mret/sret) - to the interrupted instruction, or, if
 * irq_mresume (irq_sresume) holds an address, there (once: the word is
 * cleared; IRQ_RESUME sets it). The handlers use xscratch and a save area
 * of their own, not the stack.
 */
#define IRQ_ENTRY 64
#define IRQ_LOG_MAX 64
#define IRQ_CAUSE 0
#define IRQ_EPC 8
#define IRQ_STATUS 16
#define IRQ_VEC 24
#define IRQ_TVAL 32
#define IRQ_MODE 40

/* reg = field of log entry k (a constant) */
#define IRQ_LOG(reg, k, field) la reg, irq_log + (k) * IRQ_ENTRY + field; ld reg, 0(reg)
#define IRQ_COUNT(reg) la reg, irq_count; ld reg, 0(reg)
#define IRQ_RESET la t5, irq_count; sd zero, 0(t5)
/* The next interrupt taken by the x (m or s) handler returns to label. */
#define IRQ_RESUME(x, label) la t5, label; la t6, irq_##x##resume; sd t5, 0(t6)

.macro irq_handler x, prv
    .balign 256
    .globl irq_\x\()trap
irq_\x\()trap:
    csrw \x\()scratch, t0
    csrr t0, \x\()cause
    bltz t0, 1f
    csrr t0, \x\()scratch         /* an exception: the harness's business */
    j rt_\x\()trap_entry
1:  la t0, irq_\x\()save
    sd t1, 0(t0)
    li t1, -1                       /* direct mode */
irq_\x\()common:                  /* t0 = save area, t1 = vector slot */
    sd t2, 8(t0)
    sd t3, 16(t0)
    mv t3, t1
    la t1, irq_count
    ld t2, 0(t1)
    addi t2, t2, 1
    sd t2, 0(t1)
    addi t2, t2, -1
    li t1, IRQ_LOG_MAX
    bgeu t2, t1, 2f                 /* log full: count only */
    slli t2, t2, 6                  /* * IRQ_ENTRY */
    la t1, irq_log
    add t2, t2, t1
    csrr t1, \x\()cause
    sd t1, IRQ_CAUSE(t2)
    csrr t1, \x\()epc
    sd t1, IRQ_EPC(t2)
    csrr t1, \x\()status
    sd t1, IRQ_STATUS(t2)
    sd t3, IRQ_VEC(t2)
    csrr t1, \x\()tval
    sd t1, IRQ_TVAL(t2)
    li t1, \prv
    sd t1, IRQ_MODE(t2)
2:  csrr t1, \x\()cause           /* mask this interrupt */
    andi t1, t1, 63
    li t2, 1
    sll t2, t2, t1
    csrc \x\()ie, t2
    la t1, irq_\x\()resume         /* a one-shot resume address? */
    ld t2, 0(t1)
    beqz t2, 3f
    csrw \x\()epc, t2
    sd zero, 0(t1)
3:
    ld t1, 0(t0)
    ld t2, 8(t0)
    ld t3, 16(t0)
    csrr t0, \x\()scratch
    \x\()ret

    /* the vector table: slot 0 (exceptions) enters the direct handler */
    .balign 256
    .globl irq_\x\()vec
irq_\x\()vec:
    j irq_\x\()trap
    .irp n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    j irq_\x\()vec_\n
    .endr
    .irp n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
irq_\x\()vec_\n:
    csrw \x\()scratch, t0
    la t0, irq_\x\()save
    sd t1, 0(t0)
    li t1, \n
    j irq_\x\()common
    .endr
.endm

#define IRQ_HANDLERS                                                         \
    .pushsection .text.irq, "ax", @progbits;                                 \
    irq_handler m, PRV_M; irq_handler s, PRV_S;                              \
    .popsection;                                                             \
    .pushsection .bss.irq, "aw", @nobits; .balign 64;                        \
    irq_msave: .zero 32; irq_ssave: .zero 32; irq_count: .zero 8;            \
    irq_mresume: .zero 8; irq_sresume: .zero 8;                              \
    .balign 64; irq_log: .zero IRQ_ENTRY * IRQ_LOG_MAX;                      \
    .popsection

#endif /* __ASSEMBLER__ */
#endif
