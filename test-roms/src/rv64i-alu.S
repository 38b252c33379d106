/*
 * rv64i-alu - RV64I integer computational instructions (unprivileged spec,
 * "Integer Computational Instructions" in the RV32I and RV64I chapters):
 * add/sub/and/or/xor/sll/srl/sra/slt/sltu, their immediate forms, lui, auipc,
 * and x0 as source and destination.
 *
 * Rules used for the expected values:
 * - results are the low 64 bits (XLEN = 64) of the exact result, no traps on
 *   overflow;
 * - I-type immediates are 12-bit and sign-extended (-2048..2047), also for
 *   the logical and unsigned-compare forms;
 * - SLL/SRL/SRA by register use only rs2[5:0]; SLLI/SRLI/SRAI take a 6-bit
 *   shamt (0..63); SRA/SRAI shift in copies of bit 63;
 * - SLTIU compares against the sign-extended immediate as an unsigned number;
 * - LUI places imm[31:12] in bits 31:12 and sign-extends bit 31 to 64 bits;
 *   AUIPC adds that same value to the address of the AUIPC itself.
 */
#include "test.h"

/* rd = op(rs1 = a, rs2 = b) must equal exp */
#define TEST_RR(n, op, exp, a, b) CASE(n); li a1, a; li a2, b; op a0, a1, a2; CHECK(a0, exp)
/* rd = op(rs1 = a, imm) must equal exp */
#define TEST_RI(n, op, exp, a, imm) CASE(n); li a1, a; op a0, a1, imm; CHECK(a0, exp)

TEST_BEGIN("rv64i-alu")
    .option norvc                   /* test the 32-bit encodings only */

    /* ---- add / sub ---- */
    TEST_RR(1, add, 0, 0, 0)
    TEST_RR(2, add, 10, 3, 7)
    TEST_RR(3, add, 0, -1, 1)
    TEST_RR(4, add, 0x8000000000000000, 0x7fffffffffffffff, 1)      /* wraps, no trap */
    TEST_RR(5, add, 0, 0x8000000000000000, 0x8000000000000000)
    TEST_RR(6, add, 0xfffffffffffffffe, -1, -1)
    TEST_RR(7, add, 0x100000000, 0xffffffff, 1)                     /* carry into bit 32 */
    TEST_RR(8, sub, 0, 0, 0)
    TEST_RR(9, sub, 2, 5, 3)
    TEST_RR(10, sub, 0xfffffffffffffffe, 3, 5)                      /* -2 */
    TEST_RR(11, sub, 0x8000000000000000, 0, 0x8000000000000000)     /* -(-2^63) wraps */
    TEST_RR(12, sub, 0x7fffffffffffffff, 0x8000000000000000, 1)
    TEST_RR(13, sub, 0xffffffff, 0x100000000, 1)                    /* borrow from bit 32 */
    TEST_RR(14, sub, -1, 0, 1)

    /* ---- and / or / xor (bytes: ff&0f=0f, 00&0f=00, ff|0f=ff, 00|0f=0f,
       ff^0f=f0, 00^0f=0f) ---- */
    TEST_RR(15, and, 0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f)
    TEST_RR(16, or, 0xff0fff0fff0fff0f, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f)
    TEST_RR(17, xor, 0xf00ff00ff00ff00f, 0xff00ff00ff00ff00, 0x0f0f0f0f0f0f0f0f)
    TEST_RR(18, and, 0x0123456789abcdef, 0x0123456789abcdef, -1)
    TEST_RR(19, or, -1, 0x0123456789abcdef, -1)
    TEST_RR(20, xor, 0xfedcba9876543210, 0x0123456789abcdef, -1)    /* = not */
    TEST_RR(21, and, 0, 0x0123456789abcdef, 0)

    /* ---- addi / andi / ori / xori: sign-extended 12-bit immediates ---- */
    TEST_RI(22, addi, 0x7ff, 0, 2047)
    TEST_RI(23, addi, 0xfffffffffffff800, 0, -2048)
    TEST_RI(24, addi, 0x8000000000000000, 0x7fffffffffffffff, 1)
    TEST_RI(25, addi, 0, 1, -1)
    TEST_RI(26, addi, 0x100000000, 0xffffffff, 1)
    TEST_RI(27, addi, 0x7fffffffffffffff, 0x8000000000000000, -1)
    TEST_RI(28, andi, 0xff00ff00ff00ff00, 0xff00ff00ff00ff00, -1)
    TEST_RI(29, andi, 0x700, 0xff00ff00ff00ff00, 0x7ff)            /* 0xf00 & 0x7ff */
    TEST_RI(30, andi, 0xff00ff00ff00f800, 0xff00ff00ff00ff00, -2048) /* & ...fffff800 */
    TEST_RI(31, ori, 0xfffffffffffff800, 0, -2048)
    TEST_RI(32, ori, 0x17ff, 0x1234, 0x7ff)
    TEST_RI(33, xori, 0xfedcba9876543210, 0x0123456789abcdef, -1)  /* = not */
    TEST_RI(34, xori, 0xff00ff00ff00fff0, 0xff00ff00ff00ff00, 0x0f0)
    TEST_RI(35, xori, 0xfffffffffffff800, 0, -2048)

    /* ---- sll / srl / sra by register: only rs2[5:0] counts ---- */
    TEST_RR(36, sll, 1, 1, 0)
    TEST_RR(37, sll, 2, 1, 1)
    TEST_RR(38, sll, 0x80000000, 1, 31)                 /* no sign-extension from bit 31 */
    TEST_RR(39, sll, 0x100000000, 1, 32)
    TEST_RR(40, sll, 0x8000000000000000, 1, 63)
    TEST_RR(41, sll, 1, 1, 64)                          /* 64 & 63 = 0 */
    TEST_RR(42, sll, 2, 1, 65)                          /* 65 & 63 = 1 */
    TEST_RR(43, sll, 0x8000000000000000, 1, -1)         /* -1 & 63 = 63 */
    TEST_RR(44, sll, 0xffffffff00000000, -1, 32)
    TEST_RR(45, srl, 0x8000000000000000, 0x8000000000000000, 0)
    TEST_RR(46, srl, 0x4000000000000000, 0x8000000000000000, 1)
    TEST_RR(47, srl, 0x100000000, 0x8000000000000000, 31)  /* 2^63 >> 31 = 2^32 */
    TEST_RR(48, srl, 0x80000000, 0x8000000000000000, 32)
    TEST_RR(49, srl, 1, 0x8000000000000000, 63)
    TEST_RR(50, srl, 0x8000000000000000, 0x8000000000000000, 64)
    TEST_RR(51, srl, 1, 0x8000000000000000, -1)
    TEST_RR(52, srl, 0xffffffff, -1, 0xffffffffffffffe0)  /* low 6 bits = 32 */
    TEST_RR(53, sra, 0x8000000000000000, 0x8000000000000000, 0)
    TEST_RR(54, sra, 0xc000000000000000, 0x8000000000000000, 1)
    TEST_RR(55, sra, 0xffffffff00000000, 0x8000000000000000, 31)  /* -2^63 >> 31 = -2^32 */
    TEST_RR(56, sra, 0xffffffff80000000, 0x8000000000000000, 32)  /* = -2^31 */
    TEST_RR(57, sra, -1, 0x8000000000000000, 63)
    TEST_RR(58, sra, 0xc000000000000000, 0x8000000000000000, 0xffffffffffffffc1) /* & 63 = 1 */
    TEST_RR(59, sra, 0, 0x7fffffffffffffff, 63)
    TEST_RR(60, sra, 0x7fffffff, 0x7fffffffffffffff, 32)
    TEST_RR(61, sra, 1, 0x80000000, 31)                 /* bit 31 is not a sign bit in RV64 */

    /* ---- slli / srli / srai: 6-bit shamt ---- */
    TEST_RI(62, slli, 0x0123456789abcdef, 0x0123456789abcdef, 0)
    TEST_RI(63, slli, 0x2468acf13579bde, 0x0123456789abcdef, 1)
    TEST_RI(64, slli, 0x80000000, 1, 31)
    TEST_RI(65, slli, 0xffffffff00000000, 0xffffffff, 32)
    TEST_RI(66, slli, 0x8000000000000000, 1, 63)
    TEST_RI(67, slli, 0x8000000000000000, 0x0123456789abcdef, 63)  /* bit 0 = 1 */
    TEST_RI(68, srli, -1, -1, 0)
    TEST_RI(69, srli, 0x7fffffffffffffff, -1, 1)
    TEST_RI(70, srli, 0x1ffffffff, -1, 31)              /* 33 ones */
    TEST_RI(71, srli, 0xffffffff, -1, 32)
    TEST_RI(72, srli, 1, -1, 63)
    TEST_RI(73, srai, 0x0123456789abcdef, 0x0123456789abcdef, 0)
    TEST_RI(74, srai, 0xc000000000000000, 0x8000000000000000, 1)
    TEST_RI(75, srai, 0xffffffff00000000, 0x8000000000000000, 31)
    TEST_RI(76, srai, 0xffffffff80000000, 0x8000000000000000, 32)
    TEST_RI(77, srai, -1, 0x8000000000000000, 63)
    TEST_RI(78, srai, 1, 0x4000000000000000, 62)
    TEST_RI(79, srai, 1, 0x80000000, 31)                /* positive in 64 bits */
    TEST_RI(80, srai, 0, 0x80000000, 32)

    /* ---- slt / sltu ---- */
    TEST_RR(81, slt, 1, -1, 0)
    TEST_RR(82, sltu, 0, -1, 0)                         /* 2^64-1 < 0 is false unsigned */
    TEST_RR(83, slt, 0, 0, -1)
    TEST_RR(84, sltu, 1, 0, -1)
    TEST_RR(85, slt, 1, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_RR(86, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_RR(87, slt, 0, 0x7fffffffffffffff, 0x8000000000000000)
    TEST_RR(88, sltu, 1, 0x7fffffffffffffff, 0x8000000000000000)
    TEST_RR(89, slt, 0, 5, 5)
    TEST_RR(90, sltu, 0, 5, 5)
    TEST_RR(91, slt, 1, -2, -1)
    TEST_RR(92, sltu, 1, -2, -1)
    TEST_RR(93, slt, 0, 2, 1)
    TEST_RR(94, slt, 0, 0x100000000, 0xffffffff)        /* compares all 64 bits */
    TEST_RR(95, sltu, 1, 0xffffffff, 0x100000000)
    /* sltu rd, x0, rs2 = (rs2 != 0) */
    CASE(96)
    li a2, 5
    sltu a0, zero, a2
    CHECK(a0, 1)
    sltu a0, zero, zero
    CHECK(a0, 0)

    /* ---- slti / sltiu ---- */
    TEST_RI(97, slti, 0, 0, -1)
    TEST_RI(98, slti, 1, -1, 0)
    TEST_RI(99, slti, 1, -2049, -2048)
    TEST_RI(100, slti, 0, -2048, -2048)
    TEST_RI(101, slti, 1, 2046, 2047)
    TEST_RI(102, slti, 0, 2047, 2047)
    TEST_RI(103, slti, 1, 0x8000000000000000, 0)
    TEST_RI(104, sltiu, 1, 5, -1)                       /* imm = 2^64-1 unsigned */
    TEST_RI(105, sltiu, 0, -1, -1)
    TEST_RI(106, sltiu, 1, 0, 1)                        /* seqz */
    TEST_RI(107, sltiu, 0, 1, 1)
    TEST_RI(108, sltiu, 1, 0xfffffffffffff7ff, -2048)   /* < 0xfffffffffffff800 */
    TEST_RI(109, sltiu, 0, 0x8000000000000000, 2047)

    /* ---- lui ---- */
    CASE(110)
    lui a0, 0
    CHECK(a0, 0)
    lui a0, 0x12345
    CHECK(a0, 0x12345000)
    lui a0, 0x7ffff
    CHECK(a0, 0x7ffff000)
    CASE(111)
    lui a0, 0x80000                 /* bit 31 set: sign-extended */
    CHECK(a0, 0xffffffff80000000)
    lui a0, 0xfffff
    CHECK(a0, 0xfffffffffffff000)

    /* ---- auipc: jal's link (an independent way to learn a pc) gives the
       address of the auipc that follows it ---- */
    CASE(112)
    jal a1, 1f
1:  auipc a0, 0
    CHECK_REG(a0, a1)
    CASE(113)
    jal a1, 1f
1:  auipc a0, 1                     /* pc + 0x1000 */
    li a2, 0x1000
    add a2, a1, a2
    CHECK_REG(a0, a2)
    CASE(114)
    jal a1, 1f
1:  auipc a0, 0x80000               /* pc + sext(0x80000000) = pc - 2^31 */
    li a2, 0x80000000
    sub a2, a1, a2
    CHECK_REG(a0, a2)
    CASE(115)
    jal a1, 1f
1:  auipc a0, 0xfffff               /* pc - 0x1000 */
    li a2, 0x1000
    sub a2, a1, a2
    CHECK_REG(a0, a2)
    CASE(116)
    jal a1, 1f
1:  auipc a0, 0x7ffff               /* pc + 0x7ffff000 */
    li a2, 0x7ffff000
    add a2, a1, a2
    CHECK_REG(a0, a2)

    /* ---- x0: writes are discarded, reads give 0 ---- */
    CASE(117)
    li a1, 0x1234
    li a2, 0x5678
    addi x0, a1, 1
    add x0, a1, a2
    slli x0, a1, 3
    xor x0, a1, a2
    lui x0, 0x12345
    auipc x0, 1
    sltu x0, zero, a1
    CHECK(zero, 0)
    CASE(118)
    add a0, zero, a1                /* x0 as a source reads 0 */
    CHECK(a0, 0x1234)
    sub a0, zero, a1
    CHECK(a0, -0x1234)
    or a0, a1, zero
    CHECK(a0, 0x1234)
    addi a0, zero, -1
    CHECK(a0, -1)
    CASE(119)
    addi x0, x0, 5                  /* a HINT: must not change x0 */
    mv a0, zero
    CHECK(a0, 0)

    /* ---- rd equal to a source ---- */
    CASE(120)
    li a1, 0x0123456789abcdef
    add a1, a1, a1
    CHECK(a1, 0x02468acf13579bde)
    li a1, 7
    sub a1, a1, a1
    CHECK(a1, 0)
    li a1, 3
    li a2, 0x11
    sll a2, a2, a1
    CHECK(a2, 0x88)

    TEST_END
