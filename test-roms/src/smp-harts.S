/*
 * smp-harts - all 64 harts of -smp 64 (rivet's limit) run: each checks in
 * with AMOADD and AMOOR, hart 0 then wakes each of the 63 others with an
 * IPI through its own CLINT msip and waits for every answer; hart 63's
 * mtimecmp and its PLIC contexts (126, 127) hold what is written to them
 * (QEMU virt: msip of hart h at CLINT + 4h, mtimecmp at CLINT + 0x4000 +
 * 8h; PLIC context 2h is hart h's M-mode, 2h + 1 its S-mode, enables at
 * PLIC + 0x2000 + 0x80c, threshold at PLIC + 0x200000 + 0x1000c).
 *
 * - Multi-hart start (QEMU virt, -bios none): every hart enters the ELF at
 *   its entry point in M-mode with a0 = mhartid; crt0.S sends harts 1..63
 *   to test_secondary once hart 0 has set up the runtime.
 * - Each hart adds 1 to `arrived` (AMOADD.D), sets bit mhartid of `seen`
 *   (AMOOR.D) and counts into `bad` an a0 that is not its mhartid; hart 0
 *   waits (20 s of mtime at most) until `arrived` = 64, so a hart that
 *   never runs, or runs twice, fails case 2.
 * - Then each secondary waits (WFI, mie.MSIE = 1, mstatus.MIE = 0: WFI
 *   returns on a pending interrupt without a trap) for its MSIP, clears its
 *   own msip, waits for MSIP to fall and adds 1 to `acked`; hart 0 sets
 *   msip of harts 1..63 and waits until `acked` = 63.
 */
#include "test.h"
#include "vm.h"

#define NHARTS 64
#define ALL_SEEN -1                 /* bits 0..63 of `seen` */
#define LAST (NHARTS - 1)
#define MTIME_R(reg) li t5, CLINT_MTIME; ld reg, 0(t5)

TEST_BEGIN("smp-harts")
    .option norvc

    CASE(1)                         /* hart 0 entered with a0 = 0 = mhartid */
    csrr a1, mhartid
    CHECK(a1, 0)
    call check_in

    CASE(2)                         /* all 64 arrived, each once */
    la a1, arrived
    li a2, NHARTS
    call wait_for
    CHECK(a0, NHARTS)
    la a1, seen
    ld a0, 0(a1)
    CHECK(a0, ALL_SEEN)
    la a1, bad
    ld a0, 0(a1)
    CHECK(a0, 0)

    CASE(3)                         /* an IPI to each of harts 1..63 */
    li s1, 1
1:  li t5, CLINT_MSIP(0)
    slli a0, s1, 2
    add t5, t5, a0
    li a0, 1
    sw a0, 0(t5)
    addi s1, s1, 1
    li a0, NHARTS
    bltu s1, a0, 1b
    la a1, acked
    li a2, LAST
    call wait_for
    CHECK(a0, LAST)
    li t5, CLINT_MSIP(LAST)         /* each cleared its own msip */
    lw a0, 0(t5)
    CHECK(a0, 0)
    li t5, CLINT_MSIP(1)
    lw a0, 0(t5)
    CHECK(a0, 0)

    CASE(4)                         /* hart 63's mtimecmp */
    li t5, CLINT_MTIMECMP(LAST)
    li a1, 0x123456789abc
    sd a1, 0(t5)
    ld a0, 0(t5)
    CHECK_REG(a0, a1)
    li a1, -1
    sd a1, 0(t5)
    li t5, CLINT_MTIMECMP(LAST - 1) /* its neighbour's is its own */
    li a1, 7
    sd a1, 0(t5)
    li t5, CLINT_MTIMECMP(LAST)
    ld a0, 0(t5)
    CHECK(a0, -1)
    li t5, CLINT_MTIMECMP(LAST - 1)
    li a1, -1
    sd a1, 0(t5)

    CASE(5)                         /* hart 63's PLIC contexts */
    li t5, PLIC_ENABLE(2 * LAST + 1)
    li a1, 1 << 10                  /* UART0's source, never raised here */
    sw a1, 0(t5)
    lw a0, 0(t5)
    CHECK(a0, 1 << 10)
    sw zero, 0(t5)
    li t5, PLIC_THRESHOLD(2 * LAST)
    li a1, 5
    sw a1, 0(t5)
    lw a0, 0(t5)
    CHECK(a0, 5)
    li t5, PLIC_THRESHOLD(2 * LAST + 1)
    lw a0, 0(t5)
    CHECK(a0, 0)
    li t5, PLIC_CLAIM(2 * LAST + 1) /* nothing pending: claim 0 */
    lw a0, 0(t5)
    CHECK(a0, 0)
    TEST_END

/* wait_for(a1 = counter, a2 = target): a0 = the counter once it reaches
   the target, or when 20 s of mtime have passed. */
wait_for:
    MTIME_R(t0)
    li t1, 200000000
    add t0, t0, t1
1:  ld a0, 0(a1)
    beq a0, a2, 2f
    MTIME_R(t1)
    bltu t1, t0, 1b
2:  fence rw, rw
    ret

/* check_in(a0 = hartid at entry): count this hart in. */
check_in:
    li t0, 1
    la t1, arrived
    amoadd.d zero, t0, (t1)
    csrr t2, mhartid
    sll t0, t0, t2
    la t1, seen
    amoor.d zero, t0, (t1)
    beq a0, t2, 1f
    li t0, 1
    la t1, bad
    amoadd.d zero, t0, (t1)
1:  ret

/* Harts 1..63: check in, wait for the IPI, clear it, answer, park. */
    .globl test_secondary
test_secondary:
    call check_in
    csrr s0, mhartid
    csrsi mie, MIP_MSIP
1:  wfi
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    beqz a0, 1b
    li t5, CLINT_MSIP(0)
    slli a0, s0, 2
    add t5, t5, a0
    sw zero, 0(t5)
    wait_csr mip, MIP_MSIP, 0
    li t0, 1
    la t1, acked
    amoadd.d zero, t0, (t1)
    csrw mie, zero
2:  wfi
    j 2b

    .data
    .balign 64
arrived: .dword 0
    .balign 64
seen: .dword 0
    .balign 64
bad: .dword 0
    .balign 64
acked: .dword 0
