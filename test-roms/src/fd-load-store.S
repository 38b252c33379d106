/*
 * fd-load-store - flw/fsw/fld/fsd and the compressed c.fld/c.fsd/c.fldsp/
 * c.fsdsp (unprivileged spec, "F" and "D" Standard Extensions, and the "C"
 * extension's load/store formats).
 *
 * Rules used:
 * - address = rs1 + sign-extended 12-bit offset (-2048..2047);
 * - "FLW and FSW do not modify the bits being transferred; in particular,
 *   the payloads of non-canonical NaNs are preserved" (the same for FLD and
 *   FSD); no flags are raised;
 * - FLW NaN-boxes: bits 63:32 of the register become all ones; FSW stores
 *   the low 32 bits of the register whatever its upper half holds (a
 *   narrower transfer out ignores the upper bits); FLD/FSD move 64 bits;
 * - C.FLD/C.FSD: rd'/rs2' in f8-f15, base rs1' in x8-x15, offset uimm
 *   0..248 in steps of 8; C.FLDSP: any rd, base sp, uimm 0..504 in steps
 *   of 8; C.FSDSP: any rs2, base sp, uimm 0..504. Each expands to the
 *   FLD/FSD with that offset.
 * Memory is written and read back with integer loads/stores (little-
 * endian); stores must touch only their own bytes.
 */
#include "test.h"
#include "fp.h"

#define FILL 0xa5a5a5a5a5a5a5a5

/* Fill the 4608-byte buffer with FILL (clobbers a4, a5, a6). */
#define FILL_BUF                                                             \
    la a4, fbuf; li a5, FILL; li a6, 4608;                                   \
    1: sd a5, 0(a4); addi a4, a4, 8; addi a6, a6, -8; bnez a6, 1b

/* Check the doubleword at off(reg) (a0). */
#define CHECK_MEM(reg, off, val) ld a0, off(reg); CHECK(a0, val)

TEST_BEGIN("fd-load-store")
    .option norvc
    FP_ENABLE
    la s0, fbuf + 2048              /* C: the centre of the buffer */

    /* ---- flw: offsets, boxing, raw bits ---- */
    CASE(1)
    FILL_BUF
    li a2, 0x3f800000
    sw a2, 0(s0)
    li a2, 0x40000000
    sw a2, 4(s0)
    li a2, 0xc0400000
    sw a2, -4(s0)
    li a2, 0x7f800001               /* a signalling NaN */
    sw a2, -2048(s0)
    li a2, 0x00000001               /* a subnormal */
    sw a2, 2044(s0)
    csrwi fflags, 0
    flw fa0, 0(s0)
    CHECK_F(fa0, BOX(0x3f800000), 0)
    CASE(2)
    flw fa0, 4(s0)
    CHECK_F(fa0, BOX(0x40000000), 0)
    CASE(3)
    flw fa0, -4(s0)
    CHECK_F(fa0, BOX(0xc0400000), 0)
    CASE(4)
    flw fa0, -2048(s0)              /* payload kept, no NV */
    CHECK_F(fa0, BOX(0x7f800001), 0)
    CASE(5)
    addi a1, s0, 2044 - 2047        /* an odd base: the address is aligned */
    flw fa0, 2047(a1)
    CHECK_F(fa0, BOX(0x00000001), 0)
    CASE(6)                         /* the old upper half does not survive */
    li a2, 0x0123456789abcdef
    fmv.d.x fa1, a2
    flw fa1, 0(s0)
    CHECK_F(fa1, BOX(0x3f800000), 0)

    /* ---- fsw ---- */
    CASE(7)
    FILL_BUF
    FLI_S(fa1, 0x40490fdb)
    csrwi fflags, 0
    fsw fa1, 0(s0)
    CHECK_MEM(s0, 0, 0xa5a5a5a540490fdb)
    CHECK_MEM(s0, -8, FILL)
    CHECK_MEM(s0, 8, FILL)
    CASE(8)
    fsw fa1, 4(s0)
    CHECK_MEM(s0, 0, 0x40490fdb40490fdb)
    CHECK_MEM(s0, 8, FILL)
    CASE(9)
    fsw fa1, -4(s0)
    CHECK_MEM(s0, -8, 0x40490fdba5a5a5a5)
    CHECK_MEM(s0, -16, FILL)
    CASE(10)
    fsw fa1, -2048(s0)
    CHECK_MEM(s0, -2048, 0xa5a5a5a540490fdb)
    CASE(11)
    addi a1, s0, 2044 - 2047
    fsw fa1, 2047(a1)
    CHECK_MEM(s0, 2040, 0x40490fdba5a5a5a5)
    addi a3, s0, 2047
    CHECK_MEM(a3, 1, FILL)          /* C + 2048 */
    CASE(12)                        /* not boxed: the raw low word is stored */
    li a2, 0x123456789abcdef0
    fmv.d.x fa2, a2
    fsw fa2, 16(s0)
    CHECK_MEM(s0, 16, 0xa5a5a5a59abcdef0)
    CASE(13)                        /* a signalling NaN, unchanged */
    FLI_S(fa2, 0xff812345)
    fsw fa2, 24(s0)
    CHECK_MEM(s0, 24, 0xa5a5a5a5ff812345)
    CHECK_X(0)

    /* ---- fld ---- */
    CASE(14)
    FILL_BUF
    li a2, 0x0123456789abcdef
    sd a2, 0(s0)
    li a2, 0x7ff0000000000001       /* a signalling NaN */
    sd a2, 8(s0)
    li a2, 0xfedcba9876543210
    sd a2, -8(s0)
    li a2, 0x3ff0000000000000
    sd a2, -2048(s0)
    li a2, 0x8000000000000001
    sd a2, 2040(s0)
    li a2, 0xffffffff3f800000       /* a boxed single */
    sd a2, 16(s0)
    csrwi fflags, 0
    fld fa0, 0(s0)
    CHECK_F(fa0, 0x0123456789abcdef, 0)
    CASE(15)
    fld fa0, 8(s0)
    CHECK_F(fa0, 0x7ff0000000000001, 0)
    CASE(16)
    fld fa0, -8(s0)
    CHECK_F(fa0, 0xfedcba9876543210, 0)
    CASE(17)
    fld fa0, -2048(s0)
    CHECK_F(fa0, 0x3ff0000000000000, 0)
    CASE(18)
    addi a1, s0, 2040 - 2047
    fld fa0, 2047(a1)
    CHECK_F(fa0, 0x8000000000000001, 0)
    CASE(19)                        /* a boxed single loaded by fld is usable as one */
    fld fa0, 16(s0)
    fadd.s fa0, fa0, fa0
    CHECK_F(fa0, BOX(0x40000000), 0)

    /* ---- fsd ---- */
    CASE(20)
    FILL_BUF
    FLI_D(fa1, 0x0123456789abcdef)
    csrwi fflags, 0
    fsd fa1, 0(s0)
    CHECK_MEM(s0, 0, 0x0123456789abcdef)
    CHECK_MEM(s0, -8, FILL)
    CHECK_MEM(s0, 8, FILL)
    CASE(21)
    fsd fa1, -8(s0)
    CHECK_MEM(s0, -8, 0x0123456789abcdef)
    CHECK_MEM(s0, -16, FILL)
    CASE(22)
    fsd fa1, -2048(s0)
    CHECK_MEM(s0, -2048, 0x0123456789abcdef)
    CHECK_MEM(s0, -2040, FILL)
    CASE(23)
    addi a1, s0, 2040 - 2047
    fsd fa1, 2047(a1)
    CHECK_MEM(s0, 2040, 0x0123456789abcdef)
    addi a3, s0, 2047
    CHECK_MEM(a3, 1, FILL)          /* C + 2048 */
    CHECK_MEM(s0, 2032, FILL)
    CASE(24)                        /* a boxed single: all 64 bits */
    FLI_S(fa2, 0x3f800000)
    fsd fa2, 8(s0)
    CHECK_MEM(s0, 8, 0xffffffff3f800000)
    CASE(25)                        /* a signalling NaN, unchanged, no flag */
    FLI_D(fa2, 0xfff0000000012345)
    fsd fa2, 16(s0)
    CHECK_MEM(s0, 16, 0xfff0000000012345)
    CHECK_X(0)
    CASE(26)                        /* fsd then fld round trip, fsw then flw */
    FLI_D(fa3, 0x7ff4000000000abc)
    fsd fa3, 24(s0)
    fld fa4, 24(s0)
    CHECK_F(fa4, 0x7ff4000000000abc, 0)
    FLI_S(fa3, 0x7f800abc)
    fsw fa3, 32(s0)
    flw fa4, 32(s0)
    CHECK_F(fa4, BOX(0x7f800abc), 0)

    /* ---- compressed: c.fld / c.fsd ---- */
    .option rvc
    CASE(30)
    FILL_BUF
    li a2, 0x1111111111111111
    sd a2, 0(s0)
    li a2, 0x2222222222222222
    sd a2, 8(s0)
    li a2, 0x3333333333333333
    sd a2, 248(s0)
    li a2, 0x4444444444444444
    sd a2, 240(s0)
    mv a5, s0
    mv s1, s0
    c.fld fs0, 0(s0)                /* rd' = f8, rs1' = x8: the lowest */
    fmv.x.d a0, fs0
    CHECK(a0, 0x1111111111111111)
    CASE(31)
    c.fld fa5, 248(a5)              /* rd' = f15, rs1' = x15, uimm 248 */
    fmv.x.d a0, fa5
    CHECK(a0, 0x3333333333333333)
    CASE(32)
    c.fld fa0, 8(s1)
    fmv.x.d a0, fa0
    CHECK(a0, 0x2222222222222222)
    c.fld fs1, 240(s1)
    fmv.x.d a0, fs1
    CHECK(a0, 0x4444444444444444)
    CASE(33)
    FILL_BUF
    FLI_D(fs0, 0x0102030405060708)
    FLI_D(fa5, 0x1020304050607080)
    c.fsd fs0, 0(s0)
    CHECK_MEM(s0, 0, 0x0102030405060708)
    CHECK_MEM(s0, 8, FILL)
    CHECK_MEM(s0, -8, FILL)
    CASE(34)
    mv a5, s0
    c.fsd fa5, 248(a5)
    CHECK_MEM(s0, 248, 0x1020304050607080)
    CHECK_MEM(s0, 240, FILL)
    CHECK_MEM(s0, 256, FILL)

    /* ---- c.fldsp / c.fsdsp (base sp) ---- */
    mv s1, sp                       /* keep the runtime's sp */
    mv sp, s0
    CASE(35)
    FILL_BUF
    li a2, 0x5555555555555555
    sd a2, 0(s0)
    li a2, 0x6666666666666666
    sd a2, 504(s0)
    li a2, 0x7777777777777777
    sd a2, 8(s0)
    c.fldsp ft0, 0(sp)              /* rd = f0 */
    fmv.x.d a0, ft0
    CHECK(a0, 0x5555555555555555)
    CASE(36)
    c.fldsp ft11, 504(sp)           /* rd = f31, uimm 504 */
    fmv.x.d a0, ft11
    CHECK(a0, 0x6666666666666666)
    CASE(37)
    c.fldsp fs11, 8(sp)
    fmv.x.d a0, fs11
    CHECK(a0, 0x7777777777777777)
    CASE(38)
    FILL_BUF
    FLI_D(ft0, 0x8888888888888888)
    FLI_D(ft11, 0x9999999999999999)
    c.fsdsp ft0, 504(sp)
    CHECK_MEM(s0, 504, 0x8888888888888888)
    CHECK_MEM(s0, 496, FILL)
    CHECK_MEM(s0, 512, FILL)
    CASE(39)
    c.fsdsp ft11, 0(sp)             /* rs2 = f31 */
    CHECK_MEM(s0, 0, 0x9999999999999999)
    CHECK_MEM(s0, 8, FILL)
    CHECK_MEM(s0, -8, FILL)
    CASE(40)                        /* a boxed single through c.fsdsp/c.fldsp */
    FLI_S(fs2, 0xbf800000)
    c.fsdsp fs2, 16(sp)
    CHECK_MEM(s0, 16, 0xffffffffbf800000)
    c.fldsp fs3, 16(sp)
    fadd.s fs3, fs3, fs3
    CHECK_F(fs3, BOX(0xc0000000), 0)
    mv sp, s1
    .option norvc

    TEST_END

    .bss
    .balign 16
fbuf: .zero 4608
