/*
 * d-arith - double-precision arithmetic: fadd.d, fsub.d, fmul.d, fdiv.d,
 * fsqrt.d (unprivileged spec, "D" Standard Extension: "defined analogously
 * to their single-precision counterparts"; IEEE 754-2008).
 *
 * The rules are those of f-arith.S, for binary64: sign, 11-bit exponent
 * (bias 1023), 52-bit fraction; canonical NaN 0x7ff8000000000000; tininess
 * after rounding at 53 bits with an unbounded exponent; UF only when tiny
 * AND inexact; overflow by mode as in IEEE 7.4 (RNE/RMM inf, RTZ max,
 * RDN +max / -inf, RUP +inf / -max).
 *
 * Constants: 1.0 = 0x3ff0000000000000, 2^-53 = 0x3ca0000000000000 (half an
 * ulp of 1.0), 2^-54 = 0x3c90000000000000 (half an ulp just below 1.0),
 * max finite MAX = (2 - 2^-52) * 2^1023 = 0x7fefffffffffffff (ulp 2^971),
 * min normal 2^-1022 = 0x0010000000000000, min subnormal 2^-1074 = 0x1.
 */
#include "test.h"
#include "fp.h"

#define ONE   0x3ff0000000000000
#define NONE  0xbff0000000000000
#define TWO   0x4000000000000000
#define NTWO  0xc000000000000000
#define THREE 0x4008000000000000
#define SIX   0x4018000000000000
#define HALF  0x3fe0000000000000
#define P53   0x3ca0000000000000        /* 2^-53 */
#define N53   0xbca0000000000000
#define P54   0x3c90000000000000        /* 2^-54 */
#define MAX   0x7fefffffffffffff
#define NMAX  0xffefffffffffffff
#define INF   0x7ff0000000000000
#define NINF  0xfff0000000000000
#define PZERO 0x0000000000000000
#define NZERO 0x8000000000000000
#define CNAN  0x7ff8000000000000
#define SNAN  0x7ff0000000000001
#define QNANP 0xfff8000000012345        /* negative quiet NaN with a payload */
#define MINN  0x0010000000000000        /* 2^-1022 */
#define MINS  0x0000000000000001        /* 2^-1074 */

TEST_BEGIN("d-arith")
    .option norvc
    FP_ENABLE

    /* ---- fadd.d ---- */
    TEST_D_RR(1, fadd.d, rne, ONE, TWO, THREE, 0)
    /* 1 + 2^-53: halfway between 1.0 (even) and 1 + 2^-52 (odd) */
    TEST_D_RR(2, fadd.d, rne, ONE, P53, 0x3ff0000000000000, NX)
    TEST_D_RR(3, fadd.d, rtz, ONE, P53, 0x3ff0000000000000, NX)
    TEST_D_RR(4, fadd.d, rdn, ONE, P53, 0x3ff0000000000000, NX)
    TEST_D_RR(5, fadd.d, rup, ONE, P53, 0x3ff0000000000001, NX)
    TEST_D_RR(6, fadd.d, rmm, ONE, P53, 0x3ff0000000000001, NX)
    /* -(1 + 2^-53) */
    TEST_D_RR(7, fadd.d, rne, NONE, N53, 0xbff0000000000000, NX)
    TEST_D_RR(8, fadd.d, rtz, NONE, N53, 0xbff0000000000000, NX)
    TEST_D_RR(9, fadd.d, rdn, NONE, N53, 0xbff0000000000001, NX)
    TEST_D_RR(10, fadd.d, rup, NONE, N53, 0xbff0000000000000, NX)
    TEST_D_RR(11, fadd.d, rmm, NONE, N53, 0xbff0000000000001, NX)
    /* the same through frm */
    TEST_D_RR_FRM(12, fadd.d, FRM_RNE, ONE, P53, 0x3ff0000000000000, NX)
    TEST_D_RR_FRM(13, fadd.d, FRM_RTZ, ONE, P53, 0x3ff0000000000000, NX)
    TEST_D_RR_FRM(14, fadd.d, FRM_RDN, ONE, P53, 0x3ff0000000000000, NX)
    TEST_D_RR_FRM(15, fadd.d, FRM_RUP, ONE, P53, 0x3ff0000000000001, NX)
    TEST_D_RR_FRM(16, fadd.d, FRM_RMM, ONE, P53, 0x3ff0000000000001, NX)
    TEST_D_RR_FRM(17, fadd.d, FRM_RNE, NONE, N53, 0xbff0000000000000, NX)
    TEST_D_RR_FRM(18, fadd.d, FRM_RTZ, NONE, N53, 0xbff0000000000000, NX)
    TEST_D_RR_FRM(19, fadd.d, FRM_RDN, NONE, N53, 0xbff0000000000001, NX)
    TEST_D_RR_FRM(20, fadd.d, FRM_RUP, NONE, N53, 0xbff0000000000000, NX)
    TEST_D_RR_FRM(21, fadd.d, FRM_RMM, NONE, N53, 0xbff0000000000001, NX)
    /* a static rm wins over frm */
    CASE(22)
    csrwi frm, FRM_RUP
    FLI_D(fa1, ONE)
    FLI_D(fa2, P53)
    csrwi fflags, 0
    fadd.d fa0, fa1, fa2, rtz
    CHECK_F(fa0, 0x3ff0000000000000, NX)
    CASE(23)
    csrwi frm, FRM_RTZ
    csrwi fflags, 0
    fadd.d fa0, fa1, fa2, rup
    CHECK_F(fa0, 0x3ff0000000000001, NX)
    csrr a0, frm
    CHECK(a0, FRM_RTZ)
    csrwi frm, FRM_RNE
    /* 1 + 2^-52 + 2^-53: halfway between ...001 (odd) and ...002 (even) */
    TEST_D_RR(24, fadd.d, rne, 0x3ff0000000000001, P53, 0x3ff0000000000002, NX)
    TEST_D_RR(25, fadd.d, rtz, 0x3ff0000000000001, P53, 0x3ff0000000000001, NX)
    /* 1 + 1.5 * 2^-53 (0x3ca8000000000000) = 1 + 0.75 ulp */
    TEST_D_RR(26, fadd.d, rne, ONE, 0x3ca8000000000000, 0x3ff0000000000001, NX)
    TEST_D_RR(27, fadd.d, rtz, ONE, 0x3ca8000000000000, 0x3ff0000000000000, NX)
    /* exact zero sums */
    TEST_D_RR(28, fadd.d, rne, ONE, NONE, PZERO, 0)
    TEST_D_RR(29, fadd.d, rdn, ONE, NONE, NZERO, 0)
    TEST_D_RR(30, fadd.d, rne, NZERO, NZERO, NZERO, 0)
    TEST_D_RR(31, fadd.d, rne, PZERO, NZERO, PZERO, 0)
    TEST_D_RR(32, fadd.d, rdn, PZERO, NZERO, NZERO, 0)
    /* infinities and NaNs */
    TEST_D_RR(33, fadd.d, rne, INF, NINF, CNAN, NV)
    TEST_D_RR(34, fadd.d, rne, INF, ONE, INF, 0)
    TEST_D_RR(35, fadd.d, rne, CNAN, ONE, CNAN, 0)
    TEST_D_RR(36, fadd.d, rne, SNAN, ONE, CNAN, NV)
    TEST_D_RR(37, fadd.d, rne, ONE, QNANP, CNAN, 0)
    TEST_D_RR(38, fadd.d, rne, SNAN, QNANP, CNAN, NV)
    /* subnormals */
    TEST_D_RR(39, fadd.d, rne, MINS, MINS, 0x0000000000000002, 0)
    TEST_D_RR(40, fadd.d, rne, 0x000fffffffffffff, MINS, MINN, 0)
    /* overflow by addition */
    TEST_D_RR(41, fadd.d, rne, MAX, MAX, INF, OF | NX)
    TEST_D_RR(42, fadd.d, rtz, MAX, MAX, MAX, OF | NX)
    /* MAX + 2^970 (half an ulp of MAX): a tie between MAX (odd) and 2^1024:
       RNE rounds to 2^1024 -> overflow. MAX + 2^969: MAX, NX only. */
    TEST_D_RR(43, fadd.d, rne, MAX, 0x7c90000000000000, INF, OF | NX)
    TEST_D_RR(44, fadd.d, rne, MAX, 0x7c80000000000000, MAX, NX)

    /* ---- fsub.d ---- */
    TEST_D_RR(45, fsub.d, rne, THREE, ONE, TWO, 0)
    /* 1 - 2^-54: halfway between 1 - 2^-53 (0x3fefffffffffffff, odd) and
       1.0 (even) */
    TEST_D_RR(46, fsub.d, rne, ONE, P54, 0x3ff0000000000000, NX)
    TEST_D_RR(47, fsub.d, rtz, ONE, P54, 0x3fefffffffffffff, NX)
    TEST_D_RR(48, fsub.d, rdn, ONE, P54, 0x3fefffffffffffff, NX)
    TEST_D_RR(49, fsub.d, rup, ONE, P54, 0x3ff0000000000000, NX)
    TEST_D_RR(50, fsub.d, rmm, ONE, P54, 0x3ff0000000000000, NX)
    TEST_D_RR(51, fsub.d, rne, ONE, ONE, PZERO, 0)
    TEST_D_RR(52, fsub.d, rdn, ONE, ONE, NZERO, 0)
    TEST_D_RR_FRM(53, fsub.d, FRM_RDN, ONE, ONE, NZERO, 0)
    TEST_D_RR(54, fsub.d, rup, ONE, ONE, PZERO, 0)
    TEST_D_RR(55, fsub.d, rtz, ONE, ONE, PZERO, 0)
    TEST_D_RR(56, fsub.d, rne, NZERO, PZERO, NZERO, 0)
    TEST_D_RR(57, fsub.d, rne, INF, INF, CNAN, NV)
    TEST_D_RR(58, fsub.d, rne, NINF, INF, NINF, 0)
    TEST_D_RR(59, fsub.d, rne, NMAX, MAX, NINF, OF | NX)
    TEST_D_RR(60, fsub.d, rup, NMAX, MAX, NMAX, OF | NX)
    TEST_D_RR(61, fsub.d, rdn, NMAX, MAX, NINF, OF | NX)
    csrwi frm, FRM_RNE

    /* ---- fmul.d ---- */
    TEST_D_RR(62, fmul.d, rne, TWO, THREE, SIX, 0)
    /* (1 + 2^-52)^2 = 1 + 2^-51 + 2^-104 */
    TEST_D_RR(63, fmul.d, rne, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000002, NX)
    TEST_D_RR(64, fmul.d, rup, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000003, NX)
    TEST_D_RR(65, fmul.d, rtz, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000002, NX)
    TEST_D_RR(66, fmul.d, rne, NTWO, THREE, 0xc018000000000000, 0)
    TEST_D_RR(67, fmul.d, rne, NZERO, TWO, NZERO, 0)
    TEST_D_RR(68, fmul.d, rne, NZERO, NTWO, PZERO, 0)
    TEST_D_RR(69, fmul.d, rne, PZERO, INF, CNAN, NV)
    TEST_D_RR(70, fmul.d, rne, INF, NTWO, NINF, 0)
    TEST_D_RR(71, fmul.d, rne, MAX, TWO, INF, OF | NX)
    TEST_D_RR(72, fmul.d, rtz, MAX, TWO, MAX, OF | NX)
    TEST_D_RR(73, fmul.d, rdn, MAX, TWO, MAX, OF | NX)
    TEST_D_RR(74, fmul.d, rup, MAX, TWO, INF, OF | NX)
    TEST_D_RR(75, fmul.d, rmm, MAX, TWO, INF, OF | NX)
    TEST_D_RR(76, fmul.d, rne, NMAX, TWO, NINF, OF | NX)
    TEST_D_RR(77, fmul.d, rtz, NMAX, TWO, NMAX, OF | NX)
    TEST_D_RR(78, fmul.d, rdn, NMAX, TWO, NINF, OF | NX)
    TEST_D_RR(79, fmul.d, rup, NMAX, TWO, NMAX, OF | NX)
    TEST_D_RR(80, fmul.d, rmm, NMAX, TWO, NINF, OF | NX)
    /* underflow */
    TEST_D_RR(81, fmul.d, rne, MINN, HALF, 0x0008000000000000, 0) /* 2^-1023, exact */
    TEST_D_RR(82, fmul.d, rne, MINS, HALF, PZERO, UF | NX)        /* 2^-1075: tie */
    TEST_D_RR(83, fmul.d, rup, MINS, HALF, MINS, UF | NX)
    TEST_D_RR(84, fmul.d, rmm, MINS, HALF, MINS, UF | NX)
    TEST_D_RR(85, fmul.d, rtz, MINS, HALF, PZERO, UF | NX)
    TEST_D_RR(86, fmul.d, rdn, 0x8000000000000001, HALF, 0x8000000000000001, UF | NX)
    /* (1 - 2^-53) * 2^-1022 = 2^-1022 - 2^-1075: exact at 53 bits with an
       unbounded exponent (tiny); a tie in the subnormal grid between
       0x000fffffffffffff (odd) and 0x0010000000000000 (even) */
    TEST_D_RR(87, fmul.d, rne, 0x3fefffffffffffff, MINN, MINN, UF | NX)
    TEST_D_RR(88, fmul.d, rtz, 0x3fefffffffffffff, MINN, 0x000fffffffffffff, UF | NX)

    /* ---- fdiv.d ---- */
    /* 2^-1022 / 3 = 2^-1074 * (2^52 / 3) = 2^-1074 * 1501199875790165.33:
       RNE -> 1501199875790165 = 0x5555555555555, RUP -> ...556 */
    TEST_D_RR(89, fdiv.d, rne, MINN, THREE, 0x0005555555555555, UF | NX)
    TEST_D_RR(90, fdiv.d, rup, MINN, THREE, 0x0005555555555556, UF | NX)
    TEST_D_RR(91, fdiv.d, rne, SIX, THREE, TWO, 0)
    /* 1/3 = 2^-2 * 1.0101...b: the 52 fraction bits are 0101...01 and the
       rest 0101... is less than half an ulp: RNE/RTZ/RDN/RMM give
       0x3fd5555555555555, RUP 0x3fd5555555555556. */
    TEST_D_RR(92, fdiv.d, rne, ONE, THREE, 0x3fd5555555555555, NX)
    TEST_D_RR(93, fdiv.d, rtz, ONE, THREE, 0x3fd5555555555555, NX)
    TEST_D_RR(94, fdiv.d, rdn, ONE, THREE, 0x3fd5555555555555, NX)
    TEST_D_RR(95, fdiv.d, rup, ONE, THREE, 0x3fd5555555555556, NX)
    TEST_D_RR(96, fdiv.d, rmm, ONE, THREE, 0x3fd5555555555555, NX)
    TEST_D_RR(97, fdiv.d, rdn, NONE, THREE, 0xbfd5555555555556, NX)
    TEST_D_RR_FRM(98, fdiv.d, FRM_RUP, NONE, THREE, 0xbfd5555555555555, NX)
    csrwi frm, FRM_RNE
    TEST_D_RR(99, fdiv.d, rne, ONE, PZERO, INF, DZ)
    TEST_D_RR(100, fdiv.d, rne, NONE, PZERO, NINF, DZ)
    TEST_D_RR(101, fdiv.d, rne, ONE, NZERO, NINF, DZ)
    TEST_D_RR(102, fdiv.d, rne, PZERO, PZERO, CNAN, NV)
    TEST_D_RR(103, fdiv.d, rne, INF, NINF, CNAN, NV)
    TEST_D_RR(104, fdiv.d, rne, INF, PZERO, INF, 0)
    TEST_D_RR(105, fdiv.d, rne, PZERO, INF, PZERO, 0)
    TEST_D_RR(106, fdiv.d, rne, ONE, NINF, NZERO, 0)
    TEST_D_RR(107, fdiv.d, rne, CNAN, PZERO, CNAN, 0)
    TEST_D_RR(108, fdiv.d, rne, SNAN, ONE, CNAN, NV)
    TEST_D_RR(109, fdiv.d, rne, MAX, HALF, INF, OF | NX)

    /* ---- fsqrt.d ---- */
    TEST_D_R(110, fsqrt.d, rne, 0x4010000000000000, TWO, 0)  /* sqrt(4) */
    /* sqrt(2) = 0x1.6a09e667f3bcc|908b...: the bits after the 52-bit
       fraction are 1001...: more than half: RNE/RUP round up to ...cd,
       RTZ/RDN truncate to ...cc */
    TEST_D_R(111, fsqrt.d, rne, TWO, 0x3ff6a09e667f3bcd, NX)
    TEST_D_R(112, fsqrt.d, rup, TWO, 0x3ff6a09e667f3bcd, NX)
    TEST_D_R(113, fsqrt.d, rtz, TWO, 0x3ff6a09e667f3bcc, NX)
    CASE(114)
    csrwi frm, FRM_RDN
    FLI_D(fa1, TWO)
    csrwi fflags, 0
    fsqrt.d fa0, fa1, dyn
    CHECK_F(fa0, 0x3ff6a09e667f3bcc, NX)
    csrwi frm, FRM_RNE
    TEST_D_R(115, fsqrt.d, rne, NONE, CNAN, NV)
    TEST_D_R(116, fsqrt.d, rne, NZERO, NZERO, 0)
    TEST_D_R(117, fsqrt.d, rne, PZERO, PZERO, 0)
    TEST_D_R(118, fsqrt.d, rne, INF, INF, 0)
    TEST_D_R(119, fsqrt.d, rne, NINF, CNAN, NV)
    TEST_D_R(120, fsqrt.d, rne, QNANP, CNAN, 0)
    TEST_D_R(121, fsqrt.d, rne, SNAN, CNAN, NV)
    TEST_D_R(122, fsqrt.d, rne, 0x0000000000000004, 0x1e70000000000000, 0) /* sqrt(2^-1072) = 2^-536 */
    TEST_D_R(123, fsqrt.d, rne, 0x8000000000000001, CNAN, NV)

    /* ---- flags accrue until cleared ---- */
    CASE(124)
    csrwi fflags, 0
    FLI_D(fa1, ONE)
    FLI_D(fa2, PZERO)
    FLI_D(fa3, THREE)
    fdiv.d fa0, fa1, fa2            /* DZ */
    fdiv.d fa0, fa1, fa3            /* NX */
    fadd.d fa0, fa1, fa1
    frflags a1
    CHECK(a1, DZ | NX)
    csrr a1, fcsr
    CHECK(a1, DZ | NX)
    fsqrt.d fa0, fa2
    frflags a1
    CHECK(a1, DZ | NX)

    CASE(125)
    FLI_D(fa1, TWO)
    csrwi fflags, 0
    fmul.d fa1, fa1, fa1
    CHECK_F(fa1, 0x4010000000000000, 0)

    /* a NaN-boxed single is, as a double, a negative quiet NaN */
    CASE(126)
    FLI_S(fa1, 0x3f800000)          /* 0xffffffff3f800000 */
    FLI_D(fa2, ONE)
    csrwi fflags, 0
    fadd.d fa0, fa1, fa2
    CHECK_F(fa0, CNAN, 0)

    /* ---- far-apart operands ---- */
    TEST_D_RR(127, fadd.d, rne, 0x4630000000000000, ONE, 0x4630000000000000, NX) /* 2^100 + 1 */
    TEST_D_RR(128, fadd.d, rup, 0x4630000000000000, ONE, 0x4630000000000001, NX)
    /* 1 - 2^-60: less than half an ulp (2^-54) below 1.0 */
    TEST_D_RR(129, fadd.d, rdn, ONE, 0xbc30000000000000, 0x3fefffffffffffff, NX)
    TEST_D_RR(130, fadd.d, rne, ONE, 0xbc30000000000000, ONE, NX)
    TEST_D_RR(131, fdiv.d, rne, ONE, MINS, INF, OF | NX)      /* 2^1074 */
    TEST_D_RR(132, fdiv.d, rne, MINS, 0x7fe0000000000000, PZERO, UF | NX) /* 2^-2097 */
    TEST_D_RR(133, fdiv.d, rup, MINS, 0x7fe0000000000000, MINS, UF | NX)

    /* ---- subnormal operands are normalised, not flushed ---- */
    TEST_D_RR(134, fmul.d, rne, 0x0000000000000200, 0x4630000000000000, 0x03a0000000000000, 0) /* 2^-1065 * 2^100 */
    TEST_D_RR(135, fmul.d, rne, 0x000fffffffffffff, 0x4330000000000000, 0x034ffffffffffffe, 0) /* (2^52 - 1) 2^-1022 */
    TEST_D_RR(136, fdiv.d, rne, 0x000fffffffffffff, MINS, 0x432ffffffffffffe, 0)              /* 2^52 - 1 */
    TEST_D_RR(137, fadd.d, rup, ONE, MINS, 0x3ff0000000000001, NX)

    TEST_END
