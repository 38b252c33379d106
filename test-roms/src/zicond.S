/*
 * zicond - Zicond, integer conditional operations (unprivileged spec,
 * "Zicond" Extension for Integer Conditional Operations): czero.eqz and
 * czero.nez. Run with -cpu rv64,zicond=on (rivet's default leaves Zicond
 * off). QEMU 7.2 does not implement Zicond, so run-on-qemu.sh skips it.
 *
 * Rules used: czero.eqz rd, rs1, rs2: rd = 0 if X(rs2) == 0, else X(rs1);
 * czero.nez rd, rs1, rs2: rd = 0 if X(rs2) != 0, else X(rs1). The
 * condition looks at all 64 bits of rs2.
 *
 * binutils 2.40 does not know Zicond: the instructions are written as
 * words, encoded as the spec's table gives them (R-type, opcode OP =
 * 0110011, funct7 = 0000111, funct3 = 101 for czero.eqz, 111 for
 * czero.nez): a0 = x10, a1 = x11, a2 = x12.
 */
#include "test.h"

/* funct7 | rs2 | rs1 | funct3 | rd | opcode */
#define CZERO(f3, rd, rs1, rs2) .word (0x07 << 25) | ((rs2) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | 0x33
#define CZERO_EQZ(rd, rs1, rs2) CZERO(5, rd, rs1, rs2)
#define CZERO_NEZ(rd, rs1, rs2) CZERO(7, rd, rs1, rs2)
#define A0 10
#define A1 11
#define A2 12

#define TEST_EQZ(n, exp, a, b) CASE(n); li a1, a; li a2, b; CZERO_EQZ(A0, A1, A2); CHECK(a0, exp)
#define TEST_NEZ(n, exp, a, b) CASE(n); li a1, a; li a2, b; CZERO_NEZ(A0, A1, A2); CHECK(a0, exp)

TEST_BEGIN("zicond")
    .option norvc

    TEST_EQZ(1, 0, 0x1234, 0)
    TEST_EQZ(2, 0x1234, 0x1234, 1)
    TEST_EQZ(3, -1, -1, 0x8000000000000000)                 /* only the sign bit set: not zero */
    TEST_EQZ(4, -1, -1, 0x100000000)                        /* low word zero: not zero */
    TEST_NEZ(5, 0x1234, 0x1234, 0)
    TEST_NEZ(6, 0, 0x1234, 1)
    TEST_NEZ(7, 0, -1, 0x100000000)
    TEST_NEZ(8, 0, -1, 0x8000000000000000)

    /* rs1 = rs2: czero.eqz gives rs1 either way, czero.nez always 0 */
    CASE(9)
    li a1, 0x55
    CZERO_EQZ(A0, A1, A1)
    CHECK(a0, 0x55)
    CZERO_NEZ(A0, A1, A1)
    CHECK(a0, 0)
    /* rd = rs2: the condition is read before rd is written */
    CASE(10)
    li a1, 7
    li a2, 3
    CZERO_EQZ(A2, A1, A2)
    CHECK(a2, 7)
    /* rd = x0 */
    CASE(11)
    CZERO_EQZ(0, A1, A1)
    CHECK(zero, 0)
TEST_END
