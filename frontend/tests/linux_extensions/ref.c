/* Reference implementations of the Zba/Zbb/Zbc/Zbs/Zicond operations, in
 * plain C, as the ratified specifications define them. This file is built
 * with -march=rv64gc (no bit-manipulation extensions), so the compiler
 * cannot use the instructions under test here: each result is computed
 * bit by bit or by shifts, masks and branches. */
#include <stdint.h>

typedef uint64_t u64;
typedef int64_t i64;

static u64 zext32(u64 a) { return a & 0xffffffffu; }
static u64 sext32(u64 a) { return (a & 0x80000000u) ? (a | 0xffffffff00000000u) : zext32(a); }

/* Zba */
u64 ref_add_uw(u64 a, u64 b) { return b + zext32(a); }
u64 ref_sh1add(u64 a, u64 b) { return b + a * 2; }
u64 ref_sh2add(u64 a, u64 b) { return b + a * 4; }
u64 ref_sh3add(u64 a, u64 b) { return b + a * 8; }
u64 ref_sh1add_uw(u64 a, u64 b) { return b + zext32(a) * 2; }
u64 ref_sh2add_uw(u64 a, u64 b) { return b + zext32(a) * 4; }
u64 ref_sh3add_uw(u64 a, u64 b) { return b + zext32(a) * 8; }
u64 ref_slli_uw(u64 a, u64 b) { (void)b; return zext32(a) * 8; }

/* Zbb */
u64 ref_andn(u64 a, u64 b) { u64 r = 0; for (int i = 0; i < 64; i++) if (((a >> i) & 1) && !((b >> i) & 1)) r |= (u64)1 << i; return r; }
u64 ref_orn(u64 a, u64 b) { u64 r = 0; for (int i = 0; i < 64; i++) if (((a >> i) & 1) || !((b >> i) & 1)) r |= (u64)1 << i; return r; }
u64 ref_xnor(u64 a, u64 b) { u64 r = 0; for (int i = 0; i < 64; i++) if (((a >> i) & 1) == ((b >> i) & 1)) r |= (u64)1 << i; return r; }
static u64 clz_n(u64 a, int n) { u64 c = 0; for (int i = n - 1; i >= 0 && !((a >> i) & 1); i--) c++; return c; }
static u64 ctz_n(u64 a, int n) { u64 c = 0; for (int i = 0; i < n && !((a >> i) & 1); i++) c++; return c; }
static u64 cpop_n(u64 a, int n) { u64 c = 0; for (int i = 0; i < n; i++) c += (a >> i) & 1; return c; }
u64 ref_clz(u64 a, u64 b) { (void)b; return clz_n(a, 64); }
u64 ref_clzw(u64 a, u64 b) { (void)b; return clz_n(a, 32); }
u64 ref_ctz(u64 a, u64 b) { (void)b; return ctz_n(a, 64); }
u64 ref_ctzw(u64 a, u64 b) { (void)b; return ctz_n(a, 32); }
u64 ref_cpop(u64 a, u64 b) { (void)b; return cpop_n(a, 64); }
u64 ref_cpopw(u64 a, u64 b) { (void)b; return cpop_n(a, 32); }
u64 ref_max(u64 a, u64 b) { return (i64)a < (i64)b ? b : a; }
u64 ref_maxu(u64 a, u64 b) { return a < b ? b : a; }
u64 ref_min(u64 a, u64 b) { return (i64)a < (i64)b ? a : b; }
u64 ref_minu(u64 a, u64 b) { return a < b ? a : b; }
u64 ref_sext_b(u64 a, u64 b) { (void)b; return (a & 0x80) ? (a | ~(u64)0xff) : (a & 0xff); }
u64 ref_sext_h(u64 a, u64 b) { (void)b; return (a & 0x8000) ? (a | ~(u64)0xffff) : (a & 0xffff); }
u64 ref_zext_h(u64 a, u64 b) { (void)b; return a & 0xffff; }
/* Rotations one bit at a time. */
static u64 rol1(u64 a, int n) { return ((a << 1) | (a >> (n - 1) & 1)) & (n == 64 ? ~(u64)0 : ((u64)1 << n) - 1); }
static u64 ror1(u64 a, int n) { return (a >> 1) | ((a & 1) << (n - 1)); }
u64 ref_rol(u64 a, u64 b) { for (u64 i = 0; i < (b & 63); i++) a = rol1(a, 64); return a; }
u64 ref_ror(u64 a, u64 b) { for (u64 i = 0; i < (b & 63); i++) a = ror1(a, 64); return a; }
u64 ref_rolw(u64 a, u64 b) { a = zext32(a); for (u64 i = 0; i < (b & 31); i++) a = rol1(a, 32); return sext32(a); }
u64 ref_rorw(u64 a, u64 b) { a = zext32(a); for (u64 i = 0; i < (b & 31); i++) a = ror1(a, 32); return sext32(a); }
u64 ref_rori(u64 a, u64 b) { (void)b; return ref_ror(a, 13); }
u64 ref_roriw(u64 a, u64 b) { (void)b; return ref_rorw(a, 7); }
u64 ref_orc_b(u64 a, u64 b) { (void)b; u64 r = 0; for (int i = 0; i < 8; i++) if ((a >> (8 * i)) & 0xff) r |= (u64)0xff << (8 * i); return r; }
u64 ref_rev8(u64 a, u64 b) { (void)b; u64 r = 0; for (int i = 0; i < 8; i++) r |= ((a >> (8 * i)) & 0xff) << (8 * (7 - i)); return r; }

/* Zbc: the specification's loops. */
u64 ref_clmul(u64 a, u64 b) { u64 r = 0; for (int i = 0; i < 64; i++) if ((b >> i) & 1) r ^= a << i; return r; }
u64 ref_clmulh(u64 a, u64 b) { u64 r = 0; for (int i = 1; i < 64; i++) if ((b >> i) & 1) r ^= a >> (64 - i); return r; }
u64 ref_clmulr(u64 a, u64 b) { u64 r = 0; for (int i = 0; i < 64; i++) if ((b >> i) & 1) r ^= a >> (63 - i); return r; }

/* Zbs */
u64 ref_bclr(u64 a, u64 b) { return a & ~((u64)1 << (b & 63)); }
u64 ref_bset(u64 a, u64 b) { return a | ((u64)1 << (b & 63)); }
u64 ref_binv(u64 a, u64 b) { return a ^ ((u64)1 << (b & 63)); }
u64 ref_bext(u64 a, u64 b) { return (a >> (b & 63)) & 1; }
u64 ref_bclri(u64 a, u64 b) { (void)b; return ref_bclr(a, 5); }
u64 ref_bseti(u64 a, u64 b) { (void)b; return ref_bset(a, 37); }
u64 ref_binvi(u64 a, u64 b) { (void)b; return ref_binv(a, 63); }
u64 ref_bexti(u64 a, u64 b) { (void)b; return ref_bext(a, 31); }

/* Zicond */
u64 ref_czero_eqz(u64 a, u64 b) { if (b == 0) return 0; return a; }
u64 ref_czero_nez(u64 a, u64 b) { if (b != 0) return 0; return a; }
