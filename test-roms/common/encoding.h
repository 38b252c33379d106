/*
 * encoding.h - numbers from the RISC-V privileged specification that the
 * test programs use (CSR fields, exception codes, privilege levels) and the
 * addresses of the QEMU-virt-compatible board (DESIGN.md, "The machine
 * contract"). Plain #defines only, so both assembly and C can include it.
 */
#ifndef RIVET_ENCODING_H
#define RIVET_ENCODING_H

/* Board addresses. */
#define FINISHER_BASE 0x100000    /* SiFive test finisher */
#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333      /* | (code << 16) */
#define UART_BASE 0x10000000      /* 16550A: THR at +0, LSR at +5 */
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define RAM_BASE 0x80000000

/* Privilege levels (privileged spec, "Privilege Levels"). */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* mstatus fields (privileged spec, mstatus for RV64). */
#define MSTATUS_SIE (1 << 1)
#define MSTATUS_MIE (1 << 3)
#define MSTATUS_SPIE (1 << 5)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_SPP (1 << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3 << 11)
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_SUM (1 << 18)
#define MSTATUS_MXR (1 << 19)
#define MSTATUS_TVM (1 << 20)
#define MSTATUS_TW (1 << 21)
#define MSTATUS_TSR (1 << 22)
#define SSTATUS_SPP_SHIFT 8

/* mcountinhibit / mcounteren bits. */
#define COUNTER_CY (1 << 0)
#define COUNTER_TM (1 << 1)
#define COUNTER_IR (1 << 2)

/* Synchronous exception codes (privileged spec, mcause table). */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_USER_ECALL 8
#define CAUSE_SUPERVISOR_ECALL 9
#define CAUSE_MACHINE_ECALL 11

/* PMP configuration fields (privileged spec, "PMP configuration register format"). */
#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_NAPOT 0x18

/* misa: extension bit for letter L is bit (L - 'A'); MXL is bits 63:62. */
#define MISA_EXT(letter) (1 << ((letter) - 'A'))

#endif
