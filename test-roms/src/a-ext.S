/*
 * a-ext - the A extension (unprivileged spec, "A" Extension for Atomic
 * Instructions): LR/SC and every AMO, in .w and .d forms, with aq/rl bits.
 *
 * Rules used:
 * - an AMO loads the old value into rd, applies the operation to it and rs2,
 *   and stores the result; MIN/MAX compare as signed, MINU/MAXU as unsigned;
 * - the .W forms operate on the 32-bit word in memory and on the low 32 bits
 *   of rs2, and sign-extend the loaded word into rd (also for MINU/MAXU);
 *   the other word of the doubleword is untouched;
 * - SC writes 0 to rd on success and a nonzero code on failure, and does not
 *   write memory when it fails; it must fail without a reservation (none
 *   exists after reset and this program has not executed LR yet), and it
 *   must fail if another SC came between the LR and it in program order;
 * - an SC may also fail spuriously, so success is only required of a
 *   constrained LR/SC retry loop (which the spec guarantees to succeed
 *   eventually); the loop here allows 100 tries;
 * - LR.W sign-extends the loaded word; SC.W stores the low 32 bits of rs2.
 * aq/rl only add ordering; with one hart they must not change the results.
 */
#include "test.h"

/* doubleword AMO on amobuf: memory init, rs2 src, expect rd = old, memory = new */
#define AMO_D(n, op, init, src, old, new)                                    \
    CASE(n); la a2, amobuf; li a1, init; sd a1, 0(a2); li a3, src;           \
    op a0, a3, (a2); CHECK(a0, old); ld a4, 0(a2); CHECK(a4, new)
/* word AMO on the low word of amobuf; the high word holds a guard */
#define AMO_W(n, op, init, src, old, new)                                    \
    CASE(n); la a2, amobuf; li a1, (0x5a5a5a5a00000000 | (init)); sd a1, 0(a2); \
    li a3, src; op a0, a3, (a2); CHECK(a0, old); lwu a4, 0(a2); CHECK(a4, new); \
    lwu a4, 4(a2); CHECK(a4, 0x5a5a5a5a)
/* word AMO on the high word of amobuf; the low word holds a guard */
#define AMO_WH(n, op, init, src, old, new)                                   \
    CASE(n); la a2, amobuf; li a1, (((init) << 32) | 0xa5a5a5a5); sd a1, 0(a2); \
    li a3, src; addi a5, a2, 4; op a0, a3, (a5); CHECK(a0, old);             \
    lwu a4, 4(a2); CHECK(a4, new); lwu a4, 0(a2); CHECK(a4, 0xa5a5a5a5)

/* Constrained LR/SC loop: rd_lr = loaded value, a4 = 0 on success. */
#define LRSC_LOOP(lr, sc, rd_lr, src)                                        \
    li a5, 100;                                                              \
    1: lr rd_lr, (a2); sc a4, src, (a2); beqz a4, 2f; addi a5, a5, -1;       \
    bnez a5, 1b; FAIL_HERE(); 2:

TEST_BEGIN("a-ext")
    .option norvc

    /* ---- LR/SC ---- */
    CASE(1)                         /* SC without a reservation fails */
    la a2, amobuf
    li a1, 0x1111
    sd a1, 0(a2)
    li a3, 0x2222
    sc.d a0, a3, (a2)
    CHECK_NZ(a0)
    ld a4, 0(a2)
    CHECK(a4, 0x1111)               /* memory unchanged */
    sc.w a0, a3, (a2)
    CHECK_NZ(a0)
    ld a4, 0(a2)
    CHECK(a4, 0x1111)

    CASE(2)                         /* LR/SC succeeds */
    li a3, 0x3333
    LRSC_LOOP(lr.d, sc.d, a0, a3)
    CHECK(a0, 0x1111)
    ld a4, 0(a2)
    CHECK(a4, 0x3333)
    CASE(3)                         /* an SC after the successful SC fails */
    li a3, 0x4444
    sc.d a0, a3, (a2)
    CHECK_NZ(a0)
    ld a4, 0(a2)
    CHECK(a4, 0x3333)

    CASE(4)                         /* LR.W sign-extends, SC.W writes one word */
    li a1, 0x5a5a5a5a80000000
    sd a1, 0(a2)
    li a3, 0xffffffff12345678
    LRSC_LOOP(lr.w, sc.w, a0, a3)
    CHECK(a0, 0xffffffff80000000)
    ld a4, 0(a2)
    CHECK(a4, 0x5a5a5a5a12345678)
    CASE(5)                         /* ... and a second SC.W fails */
    sc.w a0, a3, (a2)
    CHECK_NZ(a0)

    CASE(6)                         /* LR.W/SC.W on the high word */
    addi a2, a2, 4
    li a3, 0x7fffffff
    LRSC_LOOP(lr.w, sc.w, a0, a3)
    CHECK(a0, 0x5a5a5a5a)
    addi a2, a2, -4
    ld a4, 0(a2)
    CHECK(a4, 0x7fffffff12345678)

    CASE(7)                         /* aq/rl variants */
    li a3, -1
    LRSC_LOOP(lr.d.aq, sc.d.rl, a0, a3)
    CHECK(a0, 0x7fffffff12345678)
    li a3, 5
    LRSC_LOOP(lr.d.aqrl, sc.d.aqrl, a0, a3)
    CHECK(a0, -1)
    li a3, 6
    LRSC_LOOP(lr.w.aq, sc.w.aqrl, a0, a3)
    CHECK(a0, 5)
    li a3, 7
    LRSC_LOOP(lr.w.aqrl, sc.w.rl, a0, a3)
    CHECK(a0, 6)
    ld a4, 0(a2)
    CHECK(a4, 7)

    CASE(8)                         /* SC with rd = rs2: the value is read first */
    li a5, 100
1:  li a1, 0x99
    lr.d a0, (a2)
    sc.d a1, a1, (a2)
    beqz a1, 2f
    addi a5, a5, -1
    bnez a5, 1b
    FAIL_HERE()
2:  ld a4, 0(a2)
    CHECK(a4, 0x99)

    /* ---- .d AMOs ---- */
    AMO_D(10, amoswap.d, 0x0123456789abcdef, 0xfedcba9876543210, 0x0123456789abcdef, 0xfedcba9876543210)
    AMO_D(11, amoadd.d, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x8000000000000000)
    AMO_D(12, amoadd.d, -1, 1, -1, 0)
    AMO_D(13, amoxor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0)
    AMO_D(14, amoand.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0x0f000f000f000f00)
    AMO_D(15, amoor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0)
    AMO_D(16, amomin.d, -1, 1, -1, -1)
    AMO_D(17, amomin.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000)
    AMO_D(18, amomin.d, 5, -5, 5, -5)
    AMO_D(19, amomax.d, -1, 1, -1, 1)
    AMO_D(20, amomax.d, 0x8000000000000000, 0, 0x8000000000000000, 0)
    AMO_D(21, amomax.d, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff)
    AMO_D(22, amominu.d, -1, 1, -1, 1)
    AMO_D(23, amominu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff)
    AMO_D(24, amominu.d, 0, -1, 0, 0)
    AMO_D(25, amomaxu.d, -1, 1, -1, -1)
    AMO_D(26, amomaxu.d, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000)

    /* ---- .w AMOs: rd gets the old word sign-extended ---- */
    AMO_W(30, amoswap.w, 0x80000000, 0x1234567800000001, 0xffffffff80000000, 0x00000001)
    AMO_W(31, amoadd.w, 0x7fffffff, 0xffffffff00000001, 0x7fffffff, 0x80000000)
    AMO_W(32, amoadd.w, 0xffffffff, 1, -1, 0)                   /* no carry into the guard */
    AMO_W(33, amoxor.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xf0f0f0f0)
    AMO_W(34, amoand.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0x0f000f00)
    AMO_W(35, amoor.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xfff0fff0)
    AMO_W(36, amomin.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x80000000)
    AMO_W(37, amomin.w, 1, 0xffffffff, 1, 0xffffffff)           /* rs2 is -1 as a word */
    AMO_W(38, amomax.w, 0xffffffff, 1, -1, 1)
    AMO_W(39, amomax.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x7fffffff)
    AMO_W(40, amomax.w, 1, 0xffffffff00000002, 1, 2)            /* rs2's upper half ignored */
    AMO_W(41, amominu.w, 0xffffffff, 1, -1, 1)
    AMO_W(42, amominu.w, 3, 0xffffffff00000002, 3, 2)
    AMO_W(43, amomaxu.w, 0xffffffff, 1, -1, 0xffffffff)
    AMO_W(44, amomaxu.w, 0x7fffffff, 0x80000000, 0x7fffffff, 0x80000000)
    AMO_W(45, amominu.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x7fffffff)
    AMO_WH(46, amoadd.w, 0xffffffff, 1, -1, 0)
    AMO_WH(47, amoswap.w, 0x7fffffff, 0x80000000, 0x7fffffff, 0x80000000)
    AMO_WH(48, amomin.w, 0x80000000, 0, 0xffffffff80000000, 0x80000000)

    /* ---- rd = x0 and rd = rs2 ---- */
    CASE(50)
    la a2, amobuf
    li a1, 10
    sd a1, 0(a2)
    li a3, 5
    amoadd.d x0, a3, (a2)
    ld a4, 0(a2)
    CHECK(a4, 15)
    CHECK(zero, 0)
    CASE(51)
    li a3, 0x2222
    amoswap.d a3, a3, (a2)          /* rs2 is read before rd is written */
    CHECK(a3, 15)
    ld a4, 0(a2)
    CHECK(a4, 0x2222)
    CASE(52)
    li a3, 0x100
    amoadd.w a3, a3, (a2)
    CHECK(a3, 0x2222)
    ld a4, 0(a2)
    CHECK(a4, 0x2322)

    /* ---- aq / rl variants ---- */
    AMO_D(60, amoadd.d.aq, 1, 2, 1, 3)
    AMO_D(61, amoswap.d.rl, 1, 2, 1, 2)
    AMO_D(62, amoor.d.aqrl, 0x10, 0x01, 0x10, 0x11)
    AMO_D(63, amoxor.d.aq, 0x11, 0x01, 0x11, 0x10)
    AMO_D(64, amoand.d.rl, 0x11, 0x01, 0x11, 0x01)
    AMO_D(65, amomin.d.aqrl, -3, 3, -3, -3)
    AMO_D(66, amomax.d.aq, -3, 3, -3, 3)
    AMO_D(67, amominu.d.rl, -3, 3, -3, 3)
    AMO_D(68, amomaxu.d.aqrl, -3, 3, -3, -3)
    AMO_W(69, amoswap.w.aq, 0x80000000, 7, 0xffffffff80000000, 7)
    AMO_W(70, amoadd.w.rl, 0x7fffffff, 1, 0x7fffffff, 0x80000000)
    AMO_W(71, amoxor.w.aqrl, 0xffffffff, 0xffffffff, -1, 0)
    AMO_W(72, amoand.w.aq, 0xf0f0f0f0, 0xff00ff00, 0xfffffffff0f0f0f0, 0xf000f000)
    AMO_W(73, amoor.w.rl, 0xf0f0f0f0, 0x0f0f0f0f, 0xfffffffff0f0f0f0, 0xffffffff)
    AMO_W(74, amomin.w.aqrl, 0x80000000, 1, 0xffffffff80000000, 0x80000000)
    AMO_W(75, amomax.w.aq, 0x80000000, 1, 0xffffffff80000000, 1)
    AMO_W(76, amominu.w.rl, 0x80000000, 1, 0xffffffff80000000, 1)
    AMO_W(77, amomaxu.w.aqrl, 0x80000000, 1, 0xffffffff80000000, 0x80000000)

    TEST_END

    .data
    .balign 8
amobuf:
    .dword 0
