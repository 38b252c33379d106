/*
 * fence-i-smc - self-modifying code made visible with FENCE.I (unprivileged
 * spec, "Zifencei" chapter: "Executing a FENCE.I instruction ensures that a
 * subsequent instruction fetch on a RISC-V hart will see any previous data
 * stores already visible to the same RISC-V hart").
 *
 * Every modification below is a store followed by FENCE.I before the new
 * code runs; nothing is assumed about code modified without FENCE.I.
 * Instruction words are encoded by hand:
 *   addi a0, a0, imm   = imm[11:0] << 20 | 01010 000 01010 0010011
 *                      = (imm << 20) | 0x00050513
 *   addi x0, rs1, 80   = 0x050 << 20 | rs1 << 15 | 0x13  (a HINT: no effect)
 *   jalr x0, 0(ra)     = 0x00008067 (ret)
 *   c.addi a0, imm     = 000 imm[5] 01010 imm[4:0] 01: imm 1 = 0x0505,
 *                        imm 2 = 0x0509, imm 3 = 0x050d, imm -1 = 0x157d
 *   c.jr ra            = 100 0 00001 00000 10 = 0x8082
 */
#include "test.h"

#define ADDI_A0(imm) (((imm) << 20) | 0x00050513)
#define RET32 0x00008067
#define C_RET 0x8082

TEST_BEGIN("fence-i-smc")
    .option norvc

    /* ---- a code buffer in .data: run, rewrite, run again ---- */
    CASE(1)
    la s0, codebuf
    li a0, 100
    jalr ra, 0(s0)                  /* addi a0, a0, 1 */
    CHECK(a0, 101)
    li a1, ADDI_A0(2)
    sw a1, 0(s0)
    fence.i
    jalr ra, 0(s0)
    CHECK(a0, 103)
    li a1, ADDI_A0(-100)
    sw a1, 0(s0)
    fence.i
    jalr ra, 0(s0)
    CHECK(a0, 3)

    /* ---- the same location rewritten 200 times: imm = 1..200 ---- */
    CASE(2)
    li a0, 0
    li s1, 1
    li s2, 200
1:  slli a1, s1, 20
    li a2, 0x00050513
    or a1, a1, a2
    sw a1, 0(s0)
    fence.i
    jalr ra, 0(s0)
    addi s1, s1, 1
    ble s1, s2, 1b
    CHECK(a0, 20100)                /* 1 + 2 + ... + 200 = 200 * 201 / 2 */

    /* ---- a longer routine: replace its second instruction by a ret ---- */
    CASE(3)
    la s0, codebuf2
    li a0, 0
    jalr ra, 0(s0)                  /* four addi a0, a0, 1 */
    CHECK(a0, 4)
    li a1, RET32
    sw a1, 8(s0)
    fence.i
    li a0, 0
    jalr ra, 0(s0)
    CHECK(a0, 2)
    li a1, ADDI_A0(1)               /* and back */
    sw a1, 8(s0)
    fence.i
    li a0, 0
    jalr ra, 0(s0)
    CHECK(a0, 4)

    /* ---- code in the same 4 KiB page as the code that modifies it ---- */
    CASE(4)
    li a0, 0
    jal ra, same_page_test
    CHECK(a0, 576)                  /* 16 * (1 + ... + 8) */

    /* ---- straight-line code rewritten just ahead of the pc, in a loop ---- */
    CASE(5)
    li a0, 0
    li s1, 1
    li s2, 10
    la s0, 2f
1:  slli a1, s1, 20
    li a2, 0x00050513
    or a1, a1, a2
    sw a1, 0(s0)
    fence.i
2:  addi a0, a0, 1000               /* rewritten to addi a0, a0, s1 every time */
    addi s1, s1, 1
    ble s1, s2, 1b
    CHECK(a0, 55)                   /* 1 + ... + 10 */

    /* ---- a compressed instruction ---- */
    CASE(6)
    la s0, cbuf
    li a0, 0
    jalr ra, 0(s0)                  /* c.addi a0, 1; c.jr ra */
    CHECK(a0, 1)
    li a1, 0x157d                   /* c.addi a0, -1 */
    sh a1, 0(s0)
    fence.i
    jalr ra, 0(s0)
    CHECK(a0, 0)
    li a1, 0x0509                   /* c.addi a0, 2 */
    sh a1, 0(s0)
    fence.i
    jalr ra, 0(s0)
    CHECK(a0, 2)

    /* ---- overlapping parcels: the same bytes decoded from two offsets ----
       obuf holds addi x0, s2, 80 = 0x05090013. From offset 0 it is a 32-bit
       HINT; from offset 2 its upper halfword 0x0509 is c.addi a0, 2. Offset 4
       is ret. */
    CASE(7)
    la s0, obuf
    li a0, 0
    jalr ra, 0(s0)
    CHECK(a0, 0)
    jalr ra, 2(s0)
    CHECK(a0, 2)
    jalr ra, 0(s0)
    CHECK(a0, 2)
    CASE(8)                         /* rewrite only the upper parcel: 0x050d = c.addi a0, 3 */
    li a1, 0x050d                   /* (as part of the 32-bit word: addi x0, s10, 80) */
    sh a1, 2(s0)
    fence.i
    jalr ra, 2(s0)
    CHECK(a0, 5)
    jalr ra, 0(s0)
    CHECK(a0, 5)
    CASE(9)                         /* 16 + 32 + 16: c.addi a0, 1; addi a0, a0, 0x100; c.jr ra */
    li a1, 0x0505
    sh a1, 0(s0)
    li a1, 0x0513                   /* low half of addi a0, a0, 0x100 = 0x10050513 */
    sh a1, 2(s0)
    li a1, 0x1005                   /* high half */
    sh a1, 4(s0)
    li a1, C_RET
    sh a1, 6(s0)
    fence.i
    li a0, 0
    jalr ra, 0(s0)
    CHECK(a0, 0x101)
    CASE(10)                        /* and back to 32 + 32: addi a0, a0, 7; ret */
    li a1, ADDI_A0(7)
    sw a1, 0(s0)
    li a1, RET32
    sw a1, 4(s0)
    fence.i
    li a0, 0
    jalr ra, 0(s0)
    CHECK(a0, 7)

    /* ---- a page of code cleared a byte at a time and refilled, as an
       operating system reuses a freed page of code (thousands of stores
       to a page that holds decoded code, none of it run meanwhile) ---- */
    CASE(11)
    la s0, reuse_page
    li a0, 0
    jalr ra, 0(s0)                  /* addi a0, a0, 1 */
    CHECK(a0, 1)
    li s1, ADDI_A0(5)
    jal ra, refill_reuse_page
    jalr ra, 0(s0)
    CHECK(a0, 6)
    li s1, ADDI_A0(7)               /* and again, now that it ran again */
    jal ra, refill_reuse_page
    jalr ra, 0(s0)
    CHECK(a0, 13)

    /* ---- code whose page also holds data it writes a lot: 20 rounds of
       100 byte stores to the data, then the rewrite of an instruction of
       the page, FENCE.I and a call to it ---- */
    CASE(12)
    li a0, 0
    jal ra, own_page_test
    CHECK(a0, 210)                  /* 1 + ... + 20 */

    TEST_END

/* Clears reuse_page with byte stores, then writes s1 and a ret at its
   start, then FENCE.I. */
refill_reuse_page:
    mv t0, s0
    li t1, 4096
    add t1, t1, s0
1:  sb zero, 0(t0)
    addi t0, t0, 1
    bltu t0, t1, 1b
    sw s1, 0(s0)
    li a1, RET32
    sw a1, 4(s0)
    fence.i
    ret

    /* In one 4 KiB page: the loop, the instruction it rewrites and the
       data it writes. */
    .balign 4096
own_page_test:
    mv s3, ra
    la s0, own_page_slot
    la s4, own_page_data
    li s1, 0
    li s2, 20
1:  addi s1, s1, 1
    li t0, 100
    mv t1, s4
2:  sb s1, 0(t1)
    addi t1, t1, 1
    addi t0, t0, -1
    bnez t0, 2b
    slli a1, s1, 20                 /* addi a0, a0, s1 */
    li a2, 0x00050513
    or a1, a1, a2
    sw a1, 0(s0)
    fence.i
    jal ra, own_page_slot
    blt s1, s2, 1b
    mv ra, s3
    ret
own_page_slot:
    addi a0, a0, 0
    ret
    .balign 2048                    /* far enough from the code that a
                                       store there forgets none of it */
own_page_data:
    .space 128

    /* Kept within one 4 KiB page together with the code it rewrites. */
    .balign 4096
same_page_test:
    mv s3, ra
    la s0, same_page_slot
    li s1, 0
    li s2, 8
1:  addi s1, s1, 1
    slli a1, s1, 24                 /* addi a0, a0, 16 * s1 */
    li a2, 0x00050513
    or a1, a1, a2
    sw a1, 0(s0)
    fence.i
    jal ra, same_page_slot
    blt s1, s2, 1b
    mv ra, s3
    ret
same_page_slot:
    addi a0, a0, 0
    ret

    .data
    .balign 4096
reuse_page:
    .word ADDI_A0(1)
    .word RET32
    .space 4096 - 8
    .balign 4
codebuf:
    .word ADDI_A0(1)
    .word RET32
codebuf2:
    .word ADDI_A0(1)
    .word ADDI_A0(1)
    .word ADDI_A0(1)
    .word ADDI_A0(1)
    .word RET32
cbuf:
    .half 0x0505                    /* c.addi a0, 1 */
    .half C_RET
    .balign 4
obuf:
    .word 0x05090013                /* addi x0, s2, 80: 0x050 << 20 | 18 << 15 | 0x13 */
    .word RET32
    .word 0
