/*
 * rv64i-word - the RV64I 32-bit ("W") instructions: addw/subw/sllw/srlw/sraw
 * and addiw/slliw/srliw/sraiw (unprivileged spec, RV64I chapter, "Integer
 * Computational Instructions").
 *
 * Rules used for the expected values:
 * - the operation uses only the low 32 bits of the sources, produces a
 *   32-bit result, and writes it to rd sign-extended to 64 bits (so even
 *   SRLW/SRLIW results are sign-extended from bit 31);
 * - SLLW/SRLW/SRAW use only rs2[4:0]; SLLIW/SRLIW/SRAIW take a 5-bit shamt;
 * - ADDIW rd, rs1, 0 is SEXT.W (sign-extends the low word).
 */
#include "test.h"

#define TEST_RR(n, op, exp, a, b) CASE(n); li a1, a; li a2, b; op a0, a1, a2; CHECK(a0, exp)
#define TEST_RI(n, op, exp, a, imm) CASE(n); li a1, a; op a0, a1, imm; CHECK(a0, exp)

TEST_BEGIN("rv64i-word")
    .option norvc

    /* ---- addw ---- */
    TEST_RR(1, addw, 0xffffffff80000000, 0x7fffffff, 1)     /* 0x80000000 sign-extended */
    TEST_RR(2, addw, 0, 0xffffffff, 1)                      /* carry out of bit 31 is lost */
    TEST_RR(3, addw, 0x10, 0x123456780000000f, 0xfedcba9800000001) /* upper halves ignored */
    TEST_RR(4, addw, 0xfffffffffffffffe, -1, -1)
    TEST_RR(5, addw, 0, 0x80000000, 0x80000000)
    TEST_RR(6, addw, 0xffffffff80000000, 0x40000000, 0x40000000)
    TEST_RR(7, addw, 0x7fffffff, 0xffffffff80000000, -1)    /* -2^31 - 1 wraps to 2^31-1 */

    /* ---- subw ---- */
    TEST_RR(8, subw, -1, 0, 1)
    TEST_RR(9, subw, 0x7fffffff, 0x80000000, 1)
    TEST_RR(10, subw, 0, 0x100000000, 0)                    /* low word 0 */
    TEST_RR(11, subw, 0xfffffffffffffffe, 0xffffffff00000005, 7)
    TEST_RR(12, subw, 0xffffffff80000000, 0x7fffffff, 0xffffffff)  /* 0x7fffffff - (-1) */
    TEST_RR(13, subw, 0, 0xabcdef0012345678, 0x1111111112345678)

    /* ---- addiw, including addiw rd, rs, 0 = sext.w ---- */
    TEST_RI(14, addiw, -1, 0xffffffff, 0)
    TEST_RI(15, addiw, 0xffffffff80000000, 0x1234567880000000, 0)
    TEST_RI(16, addiw, 0x7fffffff, 0xffffffff7fffffff, 0)
    TEST_RI(17, addiw, 0xffffffff80000000, 0x7fffffff, 1)
    TEST_RI(18, addiw, 0xfffffffffffff800, 0, -2048)
    TEST_RI(19, addiw, 0x7ff, 0, 2047)
    TEST_RI(20, addiw, 0x7fffffff, 0x80000000, -1)
    TEST_RI(21, addiw, 0, 0xffffffff, 1)
    CASE(22)
    li a1, 0xfedcba9887654321
    sext.w a0, a1                   /* the assembler alias of addiw a0, a1, 0 */
    CHECK(a0, 0xffffffff87654321)

    /* ---- sllw / srlw / sraw: low 5 bits of rs2 ---- */
    TEST_RR(23, sllw, 0xffffffff80000000, 1, 31)
    TEST_RR(24, sllw, 1, 1, 32)                             /* 32 & 31 = 0 */
    TEST_RR(25, sllw, 2, 1, 33)
    TEST_RR(26, sllw, 0xffffffff80000000, 1, 0x3f)          /* 63 & 31 = 31 */
    TEST_RR(27, sllw, 0xffffffffffff0000, 0xffffffff, 16)
    TEST_RR(28, sllw, 0x10, 0xabcdef0000000001, 4)
    TEST_RR(29, sllw, 0xffffffff80000000, 0x40000000, 1)
    TEST_RR(30, sllw, 0, 0x80000000, 1)                     /* shifted out of 32 bits */
    TEST_RR(31, srlw, 0xffffffff80000000, 0x80000000, 0)    /* result sign-extended */
    TEST_RR(32, srlw, 0x40000000, 0x80000000, 1)
    TEST_RR(33, srlw, 1, 0x80000000, 31)
    TEST_RR(34, srlw, 0xffffffff80000000, 0xffffffff80000000, 32)
    TEST_RR(35, srlw, 0x0fffffff, -1, 4)                    /* zeros shifted in at bit 31 */
    TEST_RR(36, srlw, 1, 0x1234567800000010, 4)
    TEST_RR(37, srlw, 0x7fffffff, -1, 0xffffffffffffffe1)   /* & 31 = 1 */
    TEST_RR(38, sraw, 0xffffffffc0000000, 0x80000000, 1)
    TEST_RR(39, sraw, -1, 0x80000000, 31)
    TEST_RR(40, sraw, 0, 0x7fffffff, 31)
    TEST_RR(41, sraw, 0xffffffff80000000, 0x80000000, 32)
    TEST_RR(42, sraw, 0xff, 0x123456780000ff00, 8)
    TEST_RR(43, sraw, 0x07ffffff, 0xffffffff7fffffff, 4)    /* bit 31 clear: positive */
    TEST_RR(44, sraw, 0xfffffffffff00000, 0x00000000f0000000, 0x28)  /* & 31 = 8 */

    /* ---- slliw / srliw / sraiw ---- */
    TEST_RI(45, slliw, 0xffffffff80000000, 1, 31)
    TEST_RI(46, slliw, 1, 0x100000001, 0)
    TEST_RI(47, slliw, -1, 0xffffffff, 0)
    TEST_RI(48, slliw, 0x12345670, 0xabcdef0001234567, 4)
    TEST_RI(49, slliw, 0xfffffffffffe0000, 0xffffffffffff, 17) /* 0xffffffff << 17 = 0xfffe0000 */
    TEST_RI(50, srliw, 1, 0x80000000, 31)
    TEST_RI(51, srliw, -1, -1, 0)
    TEST_RI(52, srliw, 0x7fffffff, -1, 1)
    TEST_RI(53, srliw, 0, 0xffffffff00000000, 4)
    TEST_RI(54, srliw, 0xffffffff80000000, 0x80000000, 0)
    TEST_RI(55, sraiw, -1, 0x80000000, 31)
    TEST_RI(56, sraiw, 0xffffffff80000000, 0x80000000, 0)
    TEST_RI(57, sraiw, 1, 0x7fffffff, 30)
    TEST_RI(58, sraiw, 0, 0x100000000, 4)
    TEST_RI(59, sraiw, 0xfffffffffff81234, 0x12345678f8123456, 8)

    TEST_END
