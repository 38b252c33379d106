/*
 * rv64i-load-store - LB/LH/LW/LD/LBU/LHU/LWU and SB/SH/SW/SD (unprivileged
 * spec, RV32I and RV64I "Load and Store Instructions").
 *
 * Rules used:
 * - the address is rs1 + sext(imm12) (-2048..2047);
 * - memory is little-endian: the byte at the lowest address is the least
 *   significant;
 * - LB/LH/LW sign-extend to 64 bits, LBU/LHU/LWU zero-extend;
 * - SB/SH/SW store the low 8/16/32 bits of rs2 and touch no other byte;
 * - only naturally aligned accesses here (misaligned ones: traps-exceptions).
 *
 * ldbuf holds the bytes  f0 71 e2 d3 44 b5 a6 17 | 01 23 45 67 89 ab cd ef
 * at offsets 0..15, so (little-endian) halfword 2 is 0xd3e2, word 4 is
 * 0x17a6b544, doubleword 0 is 0x17a6b544d3e271f0, and so on.
 */
#include "test.h"

/* load at ldbuf + off, expect exp */
#define TEST_LD(n, op, exp, off) CASE(n); la a1, ldbuf; op a0, off(a1); CHECK(a0, exp)

TEST_BEGIN("rv64i-load-store")
    .option norvc

    /* ---- lb / lbu at every byte offset ---- */
    TEST_LD(1, lb, 0xfffffffffffffff0, 0)
    TEST_LD(2, lb, 0x71, 1)
    TEST_LD(3, lb, 0xffffffffffffffe2, 2)
    TEST_LD(4, lb, 0xffffffffffffffd3, 3)
    TEST_LD(5, lb, 0x44, 4)
    TEST_LD(6, lb, 0xffffffffffffffb5, 5)
    TEST_LD(7, lb, 0xffffffffffffffa6, 6)
    TEST_LD(8, lb, 0x17, 7)
    TEST_LD(9, lb, 0xffffffffffffffef, 15)
    TEST_LD(10, lbu, 0xf0, 0)
    TEST_LD(11, lbu, 0x71, 1)
    TEST_LD(12, lbu, 0xe2, 2)
    TEST_LD(13, lbu, 0xd3, 3)
    TEST_LD(14, lbu, 0x44, 4)
    TEST_LD(15, lbu, 0xb5, 5)
    TEST_LD(16, lbu, 0xa6, 6)
    TEST_LD(17, lbu, 0x17, 7)
    TEST_LD(18, lbu, 0xef, 15)

    /* ---- lh / lhu at every halfword offset ---- */
    TEST_LD(19, lh, 0x71f0, 0)
    TEST_LD(20, lh, 0xffffffffffffd3e2, 2)
    TEST_LD(21, lh, 0xffffffffffffb544, 4)
    TEST_LD(22, lh, 0x17a6, 6)
    TEST_LD(23, lh, 0x2301, 8)
    TEST_LD(24, lh, 0xffffffffffffefcd, 14)
    TEST_LD(25, lhu, 0x71f0, 0)
    TEST_LD(26, lhu, 0xd3e2, 2)
    TEST_LD(27, lhu, 0xb544, 4)
    TEST_LD(28, lhu, 0x17a6, 6)
    TEST_LD(29, lhu, 0xefcd, 14)

    /* ---- lw / lwu / ld ---- */
    TEST_LD(30, lw, 0xffffffffd3e271f0, 0)
    TEST_LD(31, lw, 0x17a6b544, 4)
    TEST_LD(32, lw, 0x67452301, 8)
    TEST_LD(33, lw, 0xffffffffefcdab89, 12)
    TEST_LD(34, lwu, 0xd3e271f0, 0)
    TEST_LD(35, lwu, 0x17a6b544, 4)
    TEST_LD(36, lwu, 0x67452301, 8)
    TEST_LD(37, lwu, 0xefcdab89, 12)
    TEST_LD(38, ld, 0x17a6b544d3e271f0, 0)
    TEST_LD(39, ld, 0xefcdab8967452301, 8)

    /* ---- negative and extreme offsets ---- */
    CASE(40)
    la a1, ldbuf+16
    lb a0, -16(a1)
    CHECK(a0, 0xfffffffffffffff0)
    lhu a0, -10(a1)                 /* offset 6 */
    CHECK(a0, 0x17a6)
    lw a0, -12(a1)                  /* offset 4 */
    CHECK(a0, 0x17a6b544)
    ld a0, -8(a1)
    CHECK(a0, 0xefcdab8967452301)
    CASE(41)
    la a1, ldbuf-2047
    lbu a0, 2047(a1)                /* largest positive offset */
    CHECK(a0, 0xf0)
    la a1, ldbuf+2048
    ld a0, -2048(a1)                /* largest negative offset */
    CHECK(a0, 0x17a6b544d3e271f0)

    /* ---- rd = rs1, rd = x0 ---- */
    CASE(42)
    la a1, ldbuf
    ld a1, 8(a1)
    CHECK(a1, 0xefcdab8967452301)
    la a1, ldbuf
    lw x0, 0(a1)
    ld x0, 8(a1)
    CHECK(zero, 0)

    /* ---- sb at every byte offset: each store replaces exactly one byte of a
       doubleword that started as all ones ---- */
    CASE(43)
    la a2, stbuf
    li a1, -1
    sd a1, 0(a2)
    li a1, 0x5a5a5a5a5a5a5a11       /* only the low byte may be stored */
    sb a1, 0(a2)
    ld a0, 0(a2)
    CHECK(a0, 0xffffffffffffff11)
    li a1, 0x5a5a5a5a5a5a5a22
    sb a1, 1(a2)
    ld a0, 0(a2)
    CHECK(a0, 0xffffffffffff2211)
    li a1, 0x5a5a5a5a5a5a5a33
    sb a1, 2(a2)
    ld a0, 0(a2)
    CHECK(a0, 0xffffffffff332211)
    li a1, 0x5a5a5a5a5a5a5a44
    sb a1, 3(a2)
    ld a0, 0(a2)
    CHECK(a0, 0xffffffff44332211)
    li a1, 0x5a5a5a5a5a5a5a55
    sb a1, 4(a2)
    ld a0, 0(a2)
    CHECK(a0, 0xffffff5544332211)
    li a1, 0x5a5a5a5a5a5a5a66
    sb a1, 5(a2)
    ld a0, 0(a2)
    CHECK(a0, 0xffff665544332211)
    li a1, 0x5a5a5a5a5a5a5a77
    sb a1, 6(a2)
    ld a0, 0(a2)
    CHECK(a0, 0xff77665544332211)
    li a1, 0x5a5a5a5a5a5a5a88
    sb a1, 7(a2)
    ld a0, 0(a2)
    CHECK(a0, 0x8877665544332211)

    /* ---- sh at every halfword offset ---- */
    CASE(44)
    la a2, stbuf
    sd zero, 0(a2)
    li a1, 0xa5a5a5a5a5a5beef
    sh a1, 2(a2)
    ld a0, 0(a2)
    CHECK(a0, 0x00000000beef0000)
    li a1, 0xa5a5a5a5a5a51234
    sh a1, 6(a2)
    ld a0, 0(a2)
    CHECK(a0, 0x12340000beef0000)
    li a1, 0xa5a5a5a5a5a55678
    sh a1, 0(a2)
    ld a0, 0(a2)
    CHECK(a0, 0x12340000beef5678)
    li a1, 0xa5a5a5a5a5a59abc
    sh a1, 4(a2)
    ld a0, 0(a2)
    CHECK(a0, 0x12349abcbeef5678)

    /* ---- sw at both word offsets ---- */
    CASE(45)
    la a2, stbuf
    sd zero, 0(a2)
    li a1, 0x01234567deadbeef
    sw a1, 4(a2)
    ld a0, 0(a2)
    CHECK(a0, 0xdeadbeef00000000)
    li a1, 0xfedcba9801234567
    sw a1, 0(a2)
    ld a0, 0(a2)
    CHECK(a0, 0xdeadbeef01234567)

    /* ---- sd, then read back its bytes: little-endian order ---- */
    CASE(46)
    la a2, stbuf
    li a1, 0x0123456789abcdef
    sd a1, 8(a2)
    ld a0, 8(a2)
    CHECK(a0, 0x0123456789abcdef)
    lbu a0, 8(a2)
    CHECK(a0, 0xef)
    lbu a0, 9(a2)
    CHECK(a0, 0xcd)
    lbu a0, 15(a2)
    CHECK(a0, 0x01)
    lhu a0, 10(a2)
    CHECK(a0, 0x89ab)
    lwu a0, 12(a2)
    CHECK(a0, 0x01234567)
    lw a0, 8(a2)
    CHECK(a0, 0xffffffff89abcdef)

    /* ---- store, load back narrower and sign-extended ---- */
    CASE(47)
    la a2, stbuf
    li a1, 0x80000000
    sw a1, 0(a2)
    lw a0, 0(a2)
    CHECK(a0, 0xffffffff80000000)
    lwu a0, 0(a2)
    CHECK(a0, 0x80000000)
    lh a0, 2(a2)
    CHECK(a0, 0xffffffffffff8000)
    lhu a0, 0(a2)
    CHECK(a0, 0)
    lb a0, 3(a2)
    CHECK(a0, 0xffffffffffffff80)

    /* ---- stores with negative and extreme offsets, and of x0 ---- */
    CASE(48)
    la a2, stbuf+16
    li a1, 0x1122334455667788
    sd a1, -16(a2)
    li a1, 0x99
    sb a1, -9(a2)                   /* byte 7 */
    li a1, 0xaabb
    sh a1, -14(a2)                  /* bytes 2..3 */
    la a2, stbuf
    ld a0, 0(a2)
    CHECK(a0, 0x99223344aabb7788)
    CASE(49)
    la a3, stbuf-2047
    li a1, 0x42
    sb a1, 2047(a3)
    la a3, stbuf+2048
    sw zero, -2044(a3)              /* bytes 4..7 */
    la a2, stbuf
    ld a0, 0(a2)
    CHECK(a0, 0x00000000aabb7742)
    sd x0, 8(a2)
    ld a0, 8(a2)
    CHECK(a0, 0)

    /* ---- nothing outside stbuf was written ---- */
    CASE(50)
    la a2, stbuf
    ld a0, -8(a2)
    CHECK(a0, -1)
    ld a0, 16(a2)
    CHECK(a0, -1)

    TEST_END

    .data
    .balign 8
ldbuf:
    .byte 0xf0, 0x71, 0xe2, 0xd3, 0x44, 0xb5, 0xa6, 0x17
    .byte 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef
    .dword -1                       /* guard */
stbuf:
    .dword 0, 0
    .dword -1                       /* guard */
