/*
 * smp-spinlock - four harts (-smp 4) increment shared counters: one under a
 * spinlock built with AMOSWAP, one under a spinlock built with LR/SC, and
 * one with AMOADD alone; hart 0 checks the totals (unprivileged spec, "A"
 * extension: "Load-Reserved/Store-Conditional Instructions", "Atomic Memory
 * Operations", and its sample spinlock; RVWMO).
 *
 * Rules used:
 * - AMOs "atomically load a data value from the address in rs1, place the
 *   value into register rd, apply a binary operator to the loaded value and
 *   the original value in rs2, then store the result back"; with aq the
 *   lock's acquire orders the critical section after it, with rl (or a
 *   FENCE RW,W before a plain store) the release orders it before;
 * - "SC.W conditionally writes a word in rs2 to the address in rs1: the
 *   SC.W succeeds only if the reservation is still valid and the
 *   reservation set contains the bytes being written" and writes zero to rd
 *   on success; a failing SC retries;
 * - so with working locks no increment is lost: every counter ends at
 *   4 * N. The critical sections read, wait a little, then write, so that a
 *   lock that does not exclude would lose increments.
 * - Multi-hart start (QEMU virt, -bios none): every hart enters the ELF at
 *   its entry point in M-mode with a0 = mhartid; crt0.S sends harts 1..3 to
 *   test_secondary once hart 0 has set up the runtime. Each hart records
 *   its a0 and mhartid.
 */
#include "test.h"
#include "vm.h"

#define NHARTS 4
#define N 500
#define MTIME_R(reg) li t5, CLINT_MTIME; ld reg, 0(t5)

TEST_BEGIN("smp-spinlock")
    .option norvc

    CASE(1)                         /* hart 0 entered with a0 = 0 = mhartid */
    csrr a1, mhartid
    CHECK(a1, 0)
    la a2, ids
    sd a0, 0(a2)
    sd a1, 8(a2)
    li a0, 0
    call work

    CASE(2)                         /* everyone is done (within 20 s of mtime) */
    MTIME_R(s0)
    li a0, 200000000
    add s0, s0, a0
1:  la a1, done
    ld a0, 0(a1)
    li a2, NHARTS
    beq a0, a2, 2f
    MTIME_R(a3)
    bltu a3, s0, 1b
2:  fence rw, rw
    CHECK(a0, NHARTS)

    CASE(3)                         /* the counters */
    la a1, cnt_swap
    ld a0, 0(a1)
    CHECK(a0, NHARTS * N)
    la a1, cnt_lrsc
    ld a0, 0(a1)
    CHECK(a0, NHARTS * N)
    la a1, cnt_amo
    ld a0, 0(a1)
    CHECK(a0, NHARTS * N)
    la a1, cnt_amo_w                /* amoadd.w, sign-extended result word */
    lw a0, 0(a1)
    CHECK(a0, -NHARTS * N)
    la a1, lock_swap                /* both locks released */
    lw a0, 0(a1)
    CHECK(a0, 0)
    la a1, lock_lrsc
    lw a0, 0(a1)
    CHECK(a0, 0)

    CASE(4)                         /* every hart ran with its own id */
    la s1, ids
    li s2, 0
1:  ld a0, 0(s1)                    /* a0 at entry */
    CHECK_REG(a0, s2)
    ld a0, 8(s1)                    /* mhartid */
    CHECK_REG(a0, s2)
    ld a0, 16(s1)                   /* its own increments: N each */
    CHECK(a0, N)
    addi s1, s1, 32
    addi s2, s2, 1
    li a1, NHARTS
    bltu s2, a1, 1b
    TEST_END

/* work(a0 = hartid): N times: the AMOSWAP lock, the LR/SC lock, AMOADD. */
work:
    la a6, ids
    slli a7, a0, 5
    add a6, a6, a7                  /* a6 = this hart's ids slot */
    li a5, N
1:
    /* ---- AMOSWAP lock ---- */
    la a1, lock_swap
    li a2, 1
2:  lw a3, 0(a1)                    /* wait until it looks free ... */
    bnez a3, 2b
    amoswap.w.aq a3, a2, (a1)       /* ... then try to take it */
    bnez a3, 2b
    la a4, cnt_swap
    ld a3, 0(a4)
    li t0, 8                        /* linger inside */
3:  addi t0, t0, -1
    bnez t0, 3b
    addi a3, a3, 1
    sd a3, 0(a4)
    amoswap.w.rl zero, zero, (a1)   /* release */

    /* ---- LR/SC lock ---- */
    la a1, lock_lrsc
2:  lr.w.aq a3, (a1)
    bnez a3, 2b
    sc.w a3, a2, (a1)
    bnez a3, 2b
    la a4, cnt_lrsc
    ld a3, 0(a4)
    li t0, 8
3:  addi t0, t0, -1
    bnez t0, 3b
    addi a3, a3, 1
    sd a3, 0(a4)
    fence rw, w                     /* release by a plain store */
    sw zero, 0(a1)

    /* ---- AMOADD ---- */
    la a1, cnt_amo
    amoadd.d zero, a2, (a1)
    la a1, cnt_amo_w
    li a3, -1
    amoadd.w zero, a3, (a1)
    ld a3, 16(a6)                   /* this hart's own count */
    addi a3, a3, 1
    sd a3, 16(a6)

    addi a5, a5, -1
    bnez a5, 1b
    fence rw, rw
    la a1, done
    amoadd.d zero, a2, (a1)
    ret

/* Harts 1..: record the ids, work, park. */
    .globl test_secondary
test_secondary:
    la a1, ids
    slli a2, a0, 5
    add a1, a1, a2
    sd a0, 0(a1)
    csrr a2, mhartid
    sd a2, 8(a1)
    li a1, NHARTS                   /* (more harts than expected: stay out) */
    bgeu a0, a1, 1f
    call work
1:  wfi
    j 1b

    .data
    .balign 64
lock_swap: .word 0
    .balign 64
lock_lrsc: .word 0
    .balign 64
cnt_swap: .dword 0
    .balign 64
cnt_lrsc: .dword 0
    .balign 64
cnt_amo: .dword 0
cnt_amo_w: .dword 0
done: .dword 0
    .balign 64
ids: .zero 32 * RT_MAX_HARTS        /* per hart: a0, mhartid, count, - */
