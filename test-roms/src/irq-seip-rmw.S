/*
 * irq-seip-rmw - mip.SEIP is the OR of a software-writable bit and the
 * PLIC's supervisor external interrupt line, and only the software bit
 * takes part in a CSRRS/CSRRC read-modify-write of mip (privileged spec,
 * "Machine Interrupt Registers (mip and mie)": "SEIP is writable in mip,
 * and may be written by M-mode software to indicate to S-mode that an
 * external interrupt is pending. Additionally, the platform-level
 * interrupt controller may generate supervisor-level external interrupts.
 * ... the value of SEIP ... is the logical-OR of the software-writable bit
 * and the signal from the interrupt controller; however, ... when a
 * CSRRS or CSRRC instruction reads and writes mip, the value of SEIP used
 * in the read-modify-write sequence is only the software-writable bit").
 *
 * rivet once got this wrong: OpenSBI's `csrs mip, SSIP` copied a high
 * PLIC line into the software bit, which then never cleared and kept
 * Linux in an endless external-interrupt loop.
 *
 * The line: the Goldfish RTC (PLIC source 11) raises its alarm interrupt
 * a millisecond after it is set (QEMU 7.2 never fires an alarm set in the
 * past) and keeps it pending until cleared; the PLIC forwards it to hart
 * 0's S-mode context (context 1) once the source is enabled there. A claim
 * lowers SEIP's external part; a completion followed by a write of the
 * RTC's IRQ_ENABLED (a new request from the still-high line) raises it
 * again (the `line` macro).
 */
#include "test.h"
#include "vm.h"

#define PLIC_PRIO(s)    (PLIC_BASE + 4 * (s))
#define PLIC_THRESH(c)  (PLIC_BASE + 0x200000 + 0x1000 * (c))
#define RTC_IRQ         11
#define RTC_BASE        0x101000
#define SEIP            (1 << 9)
#define SSIP            (1 << 1)

/* Raise (1) or lower (0) the SEIP line of context 1. Lowering claims the
   RTC's request. Raising completes that claim and makes the RTC update its
   line (a write of IRQ_ENABLED), which is still high: a new request. (A
   completion alone forwards a still-high line again only under the PLIC
   specification's level gateway, not under QEMU's; see
   devices/src/plic.rs.) */
.macro line on
    li t0, PLIC_CLAIM(1)
.if \on
    li t1, RTC_IRQ
    sw t1, 0(t0)
    li t0, RTC_BASE
    li t1, 1
    sw t1, 0x10(t0)                 /* IRQ_ENABLED */
.else
    lw t1, 0(t0)
.endif
.endm

TEST_BEGIN("irq-seip-rmw")
    CASE(1)
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    /* Source 11 at priority 1, threshold 0, not yet enabled. */
    li t0, PLIC_PRIO(RTC_IRQ)
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_THRESH(1)
    sw zero, 0(t0)
    csrr a0, mip
    li t0, SEIP
    and a0, a0, t0
    CHECK(a0, 0)                    /* no line, no software bit */

    CASE(2)
    /* The RTC alarm one millisecond from now (TIME_LOW latches TIME_HIGH). */
    li t0, RTC_BASE
    lwu t1, 0x00(t0)
    lwu t2, 0x04(t0)
    slli t2, t2, 32
    or t1, t1, t2
    li t2, 1000000
    add t1, t1, t2
    li t2, 1
    sw t2, 0x10(t0)                 /* IRQ_ENABLED */
    srli t2, t1, 32
    sw t2, 0x0c(t0)                 /* ALARM_HIGH */
    sw t1, 0x08(t0)                 /* ALARM_LOW */
    li t0, PLIC_ENABLE(1)
    li t1, 1 << RTC_IRQ
    sw t1, 0(t0)
    /* Wait (bounded) for the line to show through. */
    li a2, 50000000
1:  csrr a0, mip
    li t0, SEIP
    and a0, a0, t0
    bnez a0, 2f
    addi a2, a2, -1
    bnez a2, 1b
2:  CHECK(a0, SEIP)                 /* the line shows through */

    CASE(3)
    /* A read-modify-write of another bit while the line is high ... */
    csrsi mip, SSIP
    csrci mip, SSIP
    line 0
    csrr a0, mip
    li t0, SEIP | SSIP
    and a0, a0, t0
    CHECK(a0, 0)                    /* ... did not latch the line into SEIP */
    li t0, SEIP
    csrc mip, t0

    CASE(4)
    /* The software bit itself: set, survives the line, cleared by csrc. */
    li t0, SEIP
    csrs mip, t0
    line 1
    line 0
    csrr a0, mip
    li t0, SEIP
    and a0, a0, t0
    CHECK(a0, SEIP)
    li t0, SEIP
    csrc mip, t0
    csrr a0, mip
    and a0, a0, t0
    CHECK(a0, 0)

    CASE(5)
    /* csrrs returns the OR (line high, software bit clear) ... */
    line 1
    csrrs a0, mip, zero
    li t0, SEIP
    and a0, a0, t0
    CHECK(a0, SEIP)
    /* ... and a csrw of the value read back does set the software bit
       (csrw writes every writable bit, SEIP among them). */
    csrr a1, mip
    csrw mip, a1
    line 0
    csrr a0, mip
    li t0, SEIP
    and a0, a0, t0
    CHECK(a0, SEIP)
    li t0, SEIP
    csrc mip, t0
    TEST_END
