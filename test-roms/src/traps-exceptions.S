/*
 * traps-exceptions - synchronous exceptions taken in M-mode (privileged spec,
 * "Machine Cause Register", "Machine Trap Value Register", "Environment Call
 * and Breakpoint"; unprivileged spec, load/store alignment, "A" and "C").
 *
 * Rules used:
 * - mepc = the address of the instruction that took the exception;
 * - illegal instruction (cause 2): mtval holds the faulting instruction,
 *   right-justified, the shortest of the instruction / ILEN (32) bits: the
 *   16-bit all-zero parcel is the defined illegal instruction and gives 0;
 *   0xffffffff (the start of an over-long encoding) gives its first 32 bits;
 * - ECALL from M: cause 11, mtval 0 ("For other traps, mtval is set to
 *   zero"); EBREAK: cause 3, mepc = the EBREAK; mtval may be 0 or the
 *   EBREAK's address (the address rule covers breakpoints, and the spec
 *   allows 0 for implementations that do not write mtval);
 * - misaligned loads/stores "have behavior dependent on the EEI": they may
 *   complete (then the result must be the little-endian bytes) or raise an
 *   address-misaligned exception (4 load, 6 store/AMO), or an access fault
 *   (5, 7) "instead of address-misaligned exceptions for some misaligned
 *   accesses"; mtval = the faulting address. Both outcomes are accepted;
 *   a load that traps must leave rd unchanged;
 * - misaligned LR/SC/AMO (no Zam): "an address-misaligned exception or an
 *   access-fault exception will be generated"; LR raises load exceptions,
 *   SC and AMOs store/AMO exceptions;
 * - an access to a vacant address raises an access fault (1 fetch, 5 load,
 *   7 store/AMO) with mtval = the address; for a fetch, mepc = mtval = the
 *   target, and the jump that led there has retired (its link is written);
 * - mtvec MODE = 1 (vectored): "all synchronous exceptions into machine mode
 *   cause the pc to be set to the address in the BASE field".
 * Vacant addresses: 0x0 and 0x2000_0000_0000 (nothing is mapped there on
 * the QEMU virt board nor in rivet's memory map).
 */
#include "test.h"

#define VACANT 0x200000000000

/* misaligned load at mbuf + off: completes with exp, or traps leaving a0 */
#define MIS_LD(n, op, off, exp)                                              \
    CASE(n); la a1, mbuf+off; li a0, 0x5a5a;                                 \
    TRAP_MAYBE_MISALIGNED_R(CAUSE_MISALIGNED_LOAD, a1, op a0, 0(a1));        \
    bnez t6, 1f; CHECK(a0, exp); j 2f; 1: CHECK(a0, 0x5a5a); 2:
/* misaligned store of (the low bytes of) 0x0123456789abcdef at sbuf + off
   into 16 zero bytes: completes leaving doublewords d0 d1, or traps */
#define MIS_ST(n, op, off, d0, d1)                                           \
    CASE(n); la a2, sbuf; sd zero, 0(a2); sd zero, 8(a2); la a1, sbuf+off;   \
    li a3, 0x0123456789abcdef;                                               \
    TRAP_MAYBE_MISALIGNED_R(CAUSE_MISALIGNED_STORE, a1, op a3, 0(a1));       \
    bnez t6, 1f; ld a0, 0(a2); CHECK(a0, d0); ld a0, 8(a2); CHECK(a0, d1); 1:
/* misaligned LR/SC/AMO at amobuf + off: must trap, rd unchanged */
#define MIS_AMO(n, cause, off, ...)                                          \
    CASE(n); la a1, amobuf+off; li a2, 1; li a0, 0x6b6b;                      \
    TRAP_MISALIGNED_R(cause, a1, __VA_ARGS__); CHECK(a0, 0x6b6b)

TEST_BEGIN("traps-exceptions")
    .option norvc

    /* ---- illegal instructions: mtval = the instruction bits ---- */
    CASE(1)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0, .half 0x0000)        /* the defined illegal parcel */
    CASE(2)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0xffffffff, .word 0xffffffff)
    CASE(3)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x7003, .word 0x00007003)  /* LOAD with funct3 = 7 */
    /* reserved compressed encodings (each is 16 bits: mtval has 16 bits) */
    CASE(4)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x0008, .half 0x0008)   /* c.addi4spn a0, sp, 0 */
    CASE(5)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x4002, .half 0x4002)   /* c.lwsp x0, 0(sp) */
    CASE(6)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x8002, .half 0x8002)   /* c.jr x0 */
    CASE(7)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x6501, .half 0x6501)   /* c.lui a0, 0 */
    CASE(8)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0x6101, .half 0x6101)   /* c.addi16sp sp, 0 */
    CASE(9)                         /* an illegal 32-bit word at a 2 mod 4 address */
    .option push
    .option rvc
    .balign 4
    c.nop
    .option pop
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0xffffffff, .word 0xffffffff)

    /* ---- ecall / ebreak ---- */
    CASE(10)
    TRAP(CAUSE_MACHINE_ECALL, 0, ecall)
    CASE(11)
    TRAP_EPC_OR_0(CAUSE_BREAKPOINT, ebreak)
    CASE(12)
    .option push
    .option rvc
    TRAP_EPC_OR_0(CAUSE_BREAKPOINT, c.ebreak)
    .option pop
    CASE(13)                        /* the trap count: exactly one trap per TRAP */
    LAST_TRAP(s0, CAUSE)
    CHECK(s0, CAUSE_BREAKPOINT)
    ld s1, RT_TRAP_COUNT(tp)
    TRAP(CAUSE_MACHINE_ECALL, 0, ecall)
    ld s2, RT_TRAP_COUNT(tp)
    sub s2, s2, s1
    CHECK(s2, 1)

    /* ---- misaligned loads (complete or trap) ----
       mbuf: 10 91 a2 33 c4 55 e6 77 | 88 19 aa 3b cc 5d ee 7f */
    MIS_LD(20, lh, 1, 0xffffffffffffa291)
    MIS_LD(21, lh, 3, 0xffffffffffffc433)
    MIS_LD(22, lh, 5, 0xffffffffffffe655)
    MIS_LD(23, lh, 7, 0xffffffffffff8877)   /* crosses into the next doubleword */
    MIS_LD(24, lhu, 1, 0xa291)
    MIS_LD(25, lhu, 7, 0x8877)
    MIS_LD(26, lw, 1, 0xffffffffc433a291)
    MIS_LD(27, lw, 2, 0x55c433a2)
    MIS_LD(28, lw, 3, 0xffffffffe655c433)
    MIS_LD(29, lw, 5, 0xffffffff8877e655)
    MIS_LD(30, lw, 6, 0x198877e6)
    MIS_LD(31, lw, 7, 0xffffffffaa198877)
    MIS_LD(32, lwu, 1, 0xc433a291)
    MIS_LD(33, lwu, 7, 0xaa198877)
    MIS_LD(34, ld, 1, 0x8877e655c433a291)
    MIS_LD(35, ld, 2, 0x198877e655c433a2)
    MIS_LD(36, ld, 3, 0xaa198877e655c433)
    MIS_LD(37, ld, 4, 0x3baa198877e655c4)
    MIS_LD(38, ld, 5, 0xcc3baa198877e655)
    MIS_LD(39, ld, 6, 0x5dcc3baa198877e6)
    MIS_LD(40, ld, 7, 0xee5dcc3baa198877)

    /* ---- misaligned stores (complete or trap) ---- */
    MIS_ST(41, sh, 1, 0x0000000000cdef00, 0)
    MIS_ST(42, sh, 3, 0x000000cdef000000, 0)
    MIS_ST(43, sh, 5, 0x00cdef0000000000, 0)
    MIS_ST(44, sh, 7, 0xef00000000000000, 0xcd)
    MIS_ST(45, sw, 1, 0x00000089abcdef00, 0)
    MIS_ST(46, sw, 2, 0x000089abcdef0000, 0)
    MIS_ST(47, sw, 3, 0x0089abcdef000000, 0)
    MIS_ST(48, sw, 5, 0xabcdef0000000000, 0x89)
    MIS_ST(49, sw, 6, 0xcdef000000000000, 0x89ab)
    MIS_ST(50, sw, 7, 0xef00000000000000, 0x89abcd)
    MIS_ST(51, sd, 1, 0x23456789abcdef00, 0x01)
    MIS_ST(52, sd, 2, 0x456789abcdef0000, 0x0123)
    MIS_ST(53, sd, 3, 0x6789abcdef000000, 0x012345)
    MIS_ST(54, sd, 4, 0x89abcdef00000000, 0x01234567)
    MIS_ST(55, sd, 5, 0xabcdef0000000000, 0x0123456789)
    MIS_ST(56, sd, 6, 0xcdef000000000000, 0x0123456789ab)
    MIS_ST(57, sd, 7, 0xef00000000000000, 0x0123456789abcd)

    /* ---- misaligned LR and AMOs must trap ---- */
    MIS_AMO(60, CAUSE_MISALIGNED_LOAD, 2, lr.w a0, (a1))
    MIS_AMO(61, CAUSE_MISALIGNED_LOAD, 4, lr.d a0, (a1))
    MIS_AMO(62, CAUSE_MISALIGNED_LOAD, 1, lr.d a0, (a1))

    /* ---- load / store / AMO access faults ---- */
    CASE(70)
    li a0, 0x33
    TRAP(CAUSE_LOAD_ACCESS, 0, ld a0, 0(zero))
    CHECK(a0, 0x33)                 /* rd unchanged */
    CASE(71)
    TRAP(CAUSE_LOAD_ACCESS, 0, lb a0, 0(zero))
    CASE(72)
    li a1, VACANT
    TRAP(CAUSE_LOAD_ACCESS, VACANT, lw a0, 0(a1))
    CASE(73)
    TRAP(CAUSE_LOAD_ACCESS, VACANT+8, ld a0, 8(a1))  /* mtval = the effective address */
    CASE(74)
    TRAP(CAUSE_LOAD_ACCESS, VACANT-2, lhu a0, -2(a1))
    CASE(75)
    TRAP(CAUSE_STORE_ACCESS, 0, sd a0, 0(zero))
    CASE(76)
    TRAP(CAUSE_STORE_ACCESS, 0, sb a0, 0(zero))
    CASE(77)
    TRAP(CAUSE_STORE_ACCESS, VACANT+0x10, sw a0, 0x10(a1))
    CASE(78)
    TRAP(CAUSE_STORE_ACCESS, VACANT, sh a0, 0(a1))
    CASE(81)
    TRAP(CAUSE_LOAD_ACCESS, VACANT, lr.d a0, (a1))             /* LR is a load */

    /* ---- instruction access faults ---- */
    CASE(82)
    EXPECT_TRAP_AT_ABS(PRV_M, CAUSE_FETCH_ACCESS, VACANT, VACANT, 1f, PRV_M)
    li a1, VACANT
    jalr ra, 0(a1)
2:  FAIL_HERE()
1:  TRAP_CONSUMED
    la a2, 2b
    CHECK_REG(ra, a2)               /* the jalr retired */
    CASE(83)
    EXPECT_TRAP_AT_ABS(PRV_M, CAUSE_FETCH_ACCESS, 0, 0, 1f, PRV_M)
    jalr ra, 0(zero)
2:  FAIL_HERE()
1:  TRAP_CONSUMED
    la a2, 2b
    CHECK_REG(ra, a2)
    CASE(84)
    EXPECT_TRAP_AT_ABS(PRV_M, CAUSE_FETCH_ACCESS, VACANT+0x100, VACANT+0x100, 1f, PRV_M)
    li a1, VACANT
    jalr zero, 0x100(a1)
    FAIL_HERE()
1:  TRAP_CONSUMED

    /* ---- vectored mtvec: exceptions still go to BASE ---- */
    CASE(85)
    la s0, vector_table
    ori a1, s0, 1
    csrw mtvec, a1
    csrr a0, mtvec
    CHECK_REG(a0, a1)               /* vectored mode is implemented */
    TRAP(CAUSE_MACHINE_ECALL, 0, ecall)
    TRAP(CAUSE_ILLEGAL_INSTRUCTION, 0, .half 0)
    TRAP_EPC_OR_0(CAUSE_BREAKPOINT, ebreak)
    la a1, rt_mtrap_entry
    csrw mtvec, a1

#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 reports a misaligned AMO as a
                           load-address-misaligned exception (cause 4) */
    /* ---- misaligned AMOs raise store/AMO exceptions: "store,
       store-conditional, and AMO instructions generate store/AMO
       exceptions" (privileged spec, mcause) ---- */
    MIS_AMO(63, CAUSE_MISALIGNED_STORE, 2, amoadd.w a0, a2, (a1))
    MIS_AMO(64, CAUSE_MISALIGNED_STORE, 1, amoor.w a0, a2, (a1))
    MIS_AMO(65, CAUSE_MISALIGNED_STORE, 4, amoswap.d a0, a2, (a1))
    MIS_AMO(66, CAUSE_MISALIGNED_STORE, 7, amomaxu.d a0, a2, (a1))
    MIS_AMO(67, CAUSE_MISALIGNED_STORE, 6, amoand.d.aqrl a0, a2, (a1))
    CASE(68)                        /* memory untouched by the trapping AMOs */
    la a1, amobuf
    ld a0, 0(a1)
    CHECK(a0, 0x1111111111111111)
    ld a0, 8(a1)
    CHECK(a0, 0x2222222222222222)
#endif
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 reports an AMO to a vacant
                           address as a load access fault (cause 5) */
    CASE(79)
    li a1, VACANT
    TRAP(CAUSE_STORE_ACCESS, VACANT, amoadd.d a0, a2, (a1))    /* AMOs are stores */
    CASE(80)
    TRAP(CAUSE_STORE_ACCESS, VACANT, amoswap.w a0, a2, (a1))
#endif
#ifndef QEMU_REFERENCE  /* QEMU-divergent: QEMU 7.2 fails an SC without a matching
                           reservation before it checks the alignment */
    /* ---- misaligned SC must trap ---- */
    MIS_AMO(86, CAUSE_MISALIGNED_STORE, 2, sc.w a0, a2, (a1))
    MIS_AMO(87, CAUSE_MISALIGNED_STORE, 4, sc.d a0, a2, (a1))
#endif

    TEST_END

/* With MODE = vectored, only interrupts use BASE + 4 * cause. Entry 0 (BASE)
   is the runtime's handler; any other entry taken for an exception fails. */
    .balign 256
vector_table:
    j rt_mtrap_entry
    .rept 15
    j wrong_vector
    .endr
wrong_vector:
    FAIL_HERE()

    .data
    .balign 16
mbuf:
    .byte 0x10, 0x91, 0xa2, 0x33, 0xc4, 0x55, 0xe6, 0x77
    .byte 0x88, 0x19, 0xaa, 0x3b, 0xcc, 0x5d, 0xee, 0x7f
sbuf:
    .dword 0, 0
amobuf:
    .dword 0x1111111111111111, 0x2222222222222222
