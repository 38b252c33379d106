/*
 * c-ext - every RV64C instruction except the floating-point ones
 * (unprivileged spec, "C" Extension for Compressed Instructions), written
 * with explicit c. mnemonics, with the extremes of each immediate field;
 * 32-bit instructions at addresses that are 2 mod 4; and a 32-bit
 * instruction that straddles a 4 KiB page boundary.
 *
 * Immediate ranges (from the instruction formats):
 *   c.addi4spn nzuimm 4..1020 (x4)    c.addi16sp nzimm -512..496 (x16)
 *   c.lw/c.sw uimm 0..124 (x4)        c.ld/c.sd uimm 0..248 (x8)
 *   c.lwsp/c.swsp uimm 0..252 (x4)    c.ldsp/c.sdsp uimm 0..504 (x8)
 *   c.addi/c.addiw/c.li/c.andi imm -32..31
 *   c.lui nzimm[17:12] -32..31 (not 0), result sign-extended from bit 17
 *   c.slli/c.srli/c.srai shamt 1..63
 *   c.j offset -2048..2046            c.beqz/c.bnez offset -256..254
 * Each expands to its 32-bit equivalent (so c.addiw, c.addw, c.subw
 * sign-extend 32-bit results; c.lw/c.lwsp sign-extend the loaded word);
 * c.jalr links pc + 2; c.ebreak raises a breakpoint exception at its own
 * address (and the runtime resumes 2 bytes later).
 * c.fld/c.fsd/c.fldsp/c.fsdsp are left out (F/D are not part of this issue).
 */
#include "test.h"

TEST_BEGIN("c-ext")
    .option rvc

    /* ---- c.li ---- */
    CASE(1)
    c.li a0, -32
    CHECK(a0, 0xffffffffffffffe0)
    c.li a0, 31
    CHECK(a0, 31)
    c.li a0, 0
    CHECK(a0, 0)
    c.li t0, -1                     /* any register, not only x8..x15 */
    CHECK(t0, -1)
    c.li s11, 17
    CHECK(s11, 17)

    /* ---- c.lui ---- */
    CASE(2)
    c.lui a0, 1
    CHECK(a0, 0x1000)
    c.lui a0, 31
    CHECK(a0, 0x1f000)
    c.lui a0, 0xfffe0               /* nzimm = -32: sext(0xfffe0000) */
    CHECK(a0, 0xfffffffffffe0000)
    c.lui a0, 0xfffff               /* nzimm = -1 */
    CHECK(a0, 0xfffffffffffff000)
    c.lui t1, 0x10
    CHECK(t1, 0x10000)

    /* ---- c.addi ---- */
    CASE(3)
    li a0, 10
    c.addi a0, -32
    CHECK(a0, -22)
    c.addi a0, 31
    CHECK(a0, 9)
    c.addi a0, 1
    CHECK(a0, 10)
    li a0, 0x7fffffffffffffff
    c.addi a0, 1                    /* a 64-bit add */
    CHECK(a0, 0x8000000000000000)
    li t2, -1
    c.addi t2, 1
    CHECK(t2, 0)

    /* ---- c.addiw ---- */
    CASE(4)
    li a0, 0x7fffffff
    c.addiw a0, 1
    CHECK(a0, 0xffffffff80000000)
    li a0, 0xffffffff
    c.addiw a0, 0                   /* sext.w */
    CHECK(a0, -1)
    li a0, 0x1234567800000020
    c.addiw a0, -32
    CHECK(a0, 0)
    li a0, 0
    c.addiw a0, 31
    CHECK(a0, 31)
    li a0, 0x80000000
    c.addiw a0, -1
    CHECK(a0, 0x7fffffff)
    li t3, 0
    c.addiw t3, -32
    CHECK(t3, -32)

    /* ---- c.addi16sp ---- */
    CASE(5)
    la sp, spbuf+512
    c.addi16sp sp, -512
    la a1, spbuf
    CHECK_REG(sp, a1)
    c.addi16sp sp, 496
    la a1, spbuf+496
    CHECK_REG(sp, a1)
    c.addi16sp sp, 16
    la a1, spbuf+512
    CHECK_REG(sp, a1)
    c.addi16sp sp, -16
    la a1, spbuf+496
    CHECK_REG(sp, a1)

    /* ---- c.addi4spn ---- */
    CASE(6)
    la sp, spbuf
    c.addi4spn a0, sp, 4
    la a1, spbuf+4
    CHECK_REG(a0, a1)
    c.addi4spn a2, sp, 1020
    la a1, spbuf+1020
    CHECK_REG(a2, a1)
    c.addi4spn s0, sp, 512
    la a1, spbuf+512
    CHECK_REG(s0, a1)

    /* ---- c.nop ---- */
    CASE(7)
    li a0, 5
    c.nop
    CHECK(a0, 5)

    /* ---- c.srli / c.srai / c.andi / c.slli ---- */
    CASE(8)
    li a0, 0x8000000000000001
    c.srli a0, 63
    CHECK(a0, 1)
    li a0, -1
    c.srli a0, 32
    CHECK(a0, 0xffffffff)
    li a0, 0x8000000000000000
    c.srli a0, 1
    CHECK(a0, 0x4000000000000000)
    li s1, -1
    c.srli s1, 31
    CHECK(s1, 0x1ffffffff)
    CASE(9)
    li a0, 0x8000000000000000
    c.srai a0, 63
    CHECK(a0, -1)
    li a0, 0x8000000000000000
    c.srai a0, 32
    CHECK(a0, 0xffffffff80000000)
    li a0, 0x8000000000000000
    c.srai a0, 1
    CHECK(a0, 0xc000000000000000)
    li a0, 0x4000000000000000
    c.srai a0, 62
    CHECK(a0, 1)
    li a0, 0x80000000
    c.srai a0, 31                   /* bit 31 is not a sign bit */
    CHECK(a0, 1)
    CASE(10)
    li a0, -1
    c.andi a0, -32
    CHECK(a0, 0xffffffffffffffe0)
    li a0, 0xff
    c.andi a0, 31
    CHECK(a0, 0x1f)
    li a0, 0x1234
    c.andi a0, 0
    CHECK(a0, 0)
    li a5, 0x8000000000000fff
    c.andi a5, -1
    CHECK(a5, 0x8000000000000fff)
    CASE(11)
    li a0, 1
    c.slli a0, 63
    CHECK(a0, 0x8000000000000000)
    li a0, 0xffffffff
    c.slli a0, 32
    CHECK(a0, 0xffffffff00000000)
    li t0, 3
    c.slli t0, 1
    CHECK(t0, 6)
    li ra, 0x0123456789abcdef
    c.slli ra, 4
    CHECK(ra, 0x123456789abcdef0)

    /* ---- c.mv / c.add / c.sub / c.xor / c.or / c.and / c.subw / c.addw ---- */
    CASE(12)
    li a1, 0x0123456789abcdef
    c.mv a0, a1
    CHECK(a0, 0x0123456789abcdef)
    li s11, -5
    c.mv t0, s11
    CHECK(t0, -5)
    CASE(13)
    li a0, 0x7fffffffffffffff
    li a1, 1
    c.add a0, a1
    CHECK(a0, 0x8000000000000000)
    li t0, 5
    li t1, -7
    c.add t0, t1
    CHECK(t0, -2)
    CASE(14)
    li a0, 5
    li a1, 7
    c.sub a0, a1
    CHECK(a0, -2)
    li s0, 0
    li s1, 0x8000000000000000
    c.sub s0, s1
    CHECK(s0, 0x8000000000000000)
    CASE(15)
    li a3, 0x0ff00ff00ff00ff0
    li a0, 0xff00ff00ff00ff00
    c.xor a0, a3
    CHECK(a0, 0xf0f0f0f0f0f0f0f0)
    li a0, 0xff00ff00ff00ff00
    c.or a0, a3
    CHECK(a0, 0xfff0fff0fff0fff0)
    li a0, 0xff00ff00ff00ff00
    c.and a0, a3
    CHECK(a0, 0x0f000f000f000f00)
    CASE(16)
    li a0, 0x80000000
    li a1, 1
    c.subw a0, a1
    CHECK(a0, 0x7fffffff)
    li a0, 0
    c.subw a0, a1
    CHECK(a0, -1)
    li a0, 0x100000000
    li a1, 0
    c.subw a0, a1
    CHECK(a0, 0)
    li a0, 0x7fffffff
    li a1, -1
    c.subw a0, a1
    CHECK(a0, 0xffffffff80000000)
    CASE(17)
    li a0, 0x7fffffff
    li a1, 1
    c.addw a0, a1
    CHECK(a0, 0xffffffff80000000)
    li a0, 0xffffffff
    c.addw a0, a1
    CHECK(a0, 0)
    li a0, 0x1234567800000003
    li a1, 0xabcdef0000000004
    c.addw a0, a1
    CHECK(a0, 7)

    /* ---- c.lw / c.ld / c.sw / c.sd ---- */
    CASE(18)
    la a1, cbuf
    c.lw a0, 0(a1)
    CHECK(a0, 0xffffffff80000001)
    c.lw a0, 124(a1)
    CHECK(a0, 0x7ffffffe)
    c.lw a0, 120(a1)
    CHECK(a0, 0xffffffffa5a5a5a5)
    c.lw s0, 4(a1)
    CHECK(s0, 0x12345678)
    CASE(19)
    c.ld a0, 0(a1)
    CHECK(a0, 0x1234567880000001)
    c.ld a0, 248(a1)
    CHECK(a0, 0xfedcba9876543210)
    c.ld a2, 120(a1)
    CHECK(a2, 0x7ffffffea5a5a5a5)
    CASE(20)
    la a2, cwbuf
    li a0, 0xffffffffdeadbeef
    c.sw a0, 0(a2)
    c.sw a0, 124(a2)
    ld a3, 0(a2)
    CHECK(a3, 0x00000000deadbeef)
    ld a3, 120(a2)
    CHECK(a3, 0xdeadbeef00000000)
    CASE(21)
    li a0, 0x0123456789abcdef
    c.sd a0, 8(a2)
    c.sd a0, 248(a2)
    ld a3, 8(a2)
    CHECK(a3, 0x0123456789abcdef)
    ld a3, 248(a2)
    CHECK(a3, 0x0123456789abcdef)
    ld a3, 0(a2)                    /* neighbours untouched */
    CHECK(a3, 0x00000000deadbeef)
    ld a3, 240(a2)
    CHECK(a3, 0)

    /* ---- c.lwsp / c.ldsp / c.swsp / c.sdsp ---- */
    CASE(22)
    la sp, spbuf
    c.lwsp a0, 0(sp)
    CHECK(a0, 0xffffffffe5f60718)
    c.lwsp a0, 252(sp)
    CHECK(a0, 0x7ffffffc)
    c.lwsp a0, 248(sp)
    CHECK(a0, 0xffffffff80000000)
    c.lwsp ra, 4(sp)
    CHECK(ra, 0xffffffffa1b2c3d4)
    c.ldsp a0, 0(sp)
    CHECK(a0, 0xa1b2c3d4e5f60718)
    c.ldsp a0, 504(sp)
    CHECK(a0, 0x0102030405060708)
    c.ldsp t0, 248(sp)
    CHECK(t0, 0x7ffffffc80000000)
    CASE(23)
    la sp, cwbuf2
    li a0, 0x1111111122222222
    c.swsp a0, 0(sp)
    c.swsp a0, 252(sp)
    ld a3, 0(sp)
    CHECK(a3, 0x22222222)
    ld a3, 248(sp)
    CHECK(a3, 0x2222222200000000)
    li t0, 0x0123456789abcdef
    c.sdsp t0, 504(sp)
    c.sdsp t0, 8(sp)
    ld a3, 504(sp)
    CHECK(a3, 0x0123456789abcdef)
    ld a3, 8(sp)
    CHECK(a3, 0x0123456789abcdef)
    ld a3, 496(sp)
    CHECK(a3, 0)

    /* ---- c.j ---- */
    CASE(24)
    c.j 1f
    FAIL_HERE()
    /* c.j +2046, the largest forward offset. Hand-encoded because GAS widens
       a forward c.j at the limit into a 32-bit jal: CJ format is
       101 imm[11|4|9:8|10|6|7|3:1|5] 01; 2046 = 0b0111_1111_1110 gives
       101 0 1 11 1 1 1 111 1 01 = 0xaffd. */
1:  .half 0xaffd
    .skip 2044
1:
    .option norvc
    j 2f
1:  j 3f
    .option rvc
    .skip 2044
2:  c.j 1b                          /* 4 + 2044 = 2048 bytes back */
    FAIL_HERE()
3:

    /* ---- c.beqz / c.bnez ---- */
    CASE(25)
    li a0, 0
    c.beqz a0, 1f
    FAIL_HERE()
1:  li a0, 0x100000000              /* nonzero only in the upper half */
    c.beqz a0, 2f
    c.j 3f
2:  FAIL_HERE()
3:  c.bnez a0, 4f
    FAIL_HERE()
4:  li a0, 0
    c.bnez a0, 5f
    c.j 6f
5:  FAIL_HERE()
6:
    CASE(26)                        /* offset extremes: +254 and -256 */
    li s0, 0
    li s1, 1
    /* Forward extremes hand-encoded (GAS widens them to 32-bit branches).
       CB format: funct3 imm[8|4:3] rs1' imm[7:6|2:1|5] 01; +254 =
       0b0_1111_1110. c.beqz s0 (rs1' = 000): 110 0 11 000 11 11 1 01 = 0xcc7d;
       c.bnez s1 (rs1' = 001): 111 0 11 001 11 11 1 01 = 0xecfd. */
    .half 0xcc7d                    /* c.beqz s0, +254 */
    .skip 252
1:  .half 0xecfd                    /* c.bnez s1, +254 */
    .skip 252
1:  c.j 2f
1:  c.j 3f
    .skip 254
2:  c.bnez s1, 1b                   /* 2 + 254 = 256 bytes back */
    FAIL_HERE()
3:  c.j 2f
1:  c.j 3f
    .skip 254
2:  c.beqz s0, 1b
    FAIL_HERE()
3:

    /* ---- c.jr / c.jalr ---- */
    CASE(27)
    la a0, 1f
    li ra, 0x77
    c.jr a0
    FAIL_HERE()
1:  CHECK(ra, 0x77)                 /* c.jr does not link */
    CASE(28)
    la a0, 1f
    c.jalr a0
2:  FAIL_HERE()
1:  la a1, 2b                       /* link = address of c.jalr + 2 */
    CHECK_REG(ra, a1)
    CASE(29)
    la ra, 1f
    c.jalr ra                       /* rs1 = ra: jumps to the old ra */
2:  FAIL_HERE()
1:  la a1, 2b
    CHECK_REG(ra, a1)

    /* ---- c.ebreak ---- */
    CASE(30)
    TRAP_EPC_OR_0(CAUSE_BREAKPOINT, c.ebreak)

    /* ---- 16- and 32-bit instructions mixed: 32-bit ones at 2 mod 4 ---- */
    CASE(31)
    .balign 4
    c.li a0, 1                      /* 0 mod 4 */
    .option norvc
1:  addi a0, a0, 0x100              /* 2 mod 4 */
    slli a0, a0, 4                  /* 2 mod 4 */
    .option rvc
    c.addi a0, 1                    /* 2 mod 4 */
    .option norvc
    lui a1, 0x12345                 /* 0 mod 4 */
    .option rvc
    CHECK(a0, 0x1011)               /* ((1 + 0x100) << 4) + 1 */
    CHECK(a1, 0x12345000)
    la a2, 1b
    andi a2, a2, 3
    CHECK(a2, 2)
    CASE(32)                        /* 32-bit load, branch and jal at 2 mod 4 */
    la a3, cbuf
    .balign 4
    c.nop
    .option norvc
1:  ld a0, 0(a3)
    beq a0, a0, 2f
    .option rvc
    c.nop
3:  FAIL_HERE()
    .balign 4
    c.nop
    .option norvc
2:  jal a4, 4f
5:  j 3b
    .option rvc
4:  CHECK(a0, 0x1234567880000001)
    la a2, 5b
    CHECK_REG(a4, a2)               /* jal links pc + 4 */
    la a2, 1b
    andi a2, a2, 3
    CHECK(a2, 2)
    la a2, 2b
    andi a2, a2, 3
    CHECK(a2, 2)

    /* ---- a 32-bit instruction straddling a 4 KiB page boundary ---- */
    CASE(33)
    la a2, straddle_insn
    li a3, 0xfff
    and a2, a2, a3
    CHECK(a2, 0xffe)                /* it starts 2 bytes before the boundary */
    CASE(34)
    j straddle_test
straddle_back:
    CHECK(a0, 0x81)                 /* 1 + 0x40 (fall-through) + 0x40 (jumped to) */
    CHECK(a1, 0)

    TEST_END

    .balign 4096
straddle_page:
    .skip 4086
straddle_test:                      /* straddle_page + 4086 */
    c.li a0, 1
    c.li a1, 2
    c.nop
    c.nop
straddle_insn:                      /* straddle_page + 4094 */
    .option norvc
    addi a0, a0, 0x40               /* bytes 4094..4097: two pages */
    .option rvc
    c.addi a1, -1
    c.beqz a1, 1f
    c.j straddle_insn               /* second pass: fetch starts at the straddler */
1:  j straddle_back

    .data
    .balign 16
spbuf:                              /* 512 bytes (c.lwsp/c.ldsp source, sp arithmetic) */
    .dword 0xa1b2c3d4e5f60718       /* offset 0 */
    .skip 240
    .dword 0x7ffffffc80000000       /* offset 248 */
    .skip 248
    .dword 0x0102030405060708       /* offset 504 */
cbuf:                               /* 256 bytes (c.lw/c.ld source) */
    .dword 0x1234567880000001       /* offset 0 */
    .skip 112
    .dword 0x7ffffffea5a5a5a5       /* offset 120 */
    .skip 120
    .dword 0xfedcba9876543210       /* offset 248 */

    .bss
    .balign 16
cwbuf:
    .skip 256
cwbuf2:
    .skip 512
