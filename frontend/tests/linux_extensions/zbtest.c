/* Checks the bit-manipulation (Zba, Zbb, Zbc, Zbs) and conditional
 * (Zicond) instructions of the hart this runs on against the plain C
 * references of ref.c, on edge operands and fixed-seed pseudo-random ones.
 *
 * Built with -march=rv64gc_zba_zbb_zbs, so GCC itself emits most Zba, Zbb
 * and Zbs instructions from the C expressions below; the ones GCC 12 does
 * not emit from C are written as inline assembly, and Zbc and Zicond
 * (unknown to binutils 2.40 under this -march) as `.insn r` with the
 * encodings of the specifications.
 *
 * Prints a line per extension and "all N checks passed", exiting 0, when
 * every result matches; otherwise the first mismatches, exiting 1. With
 * --no-zicond the Zicond part is left out (for a hart without Zicond). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef u64 (*op2)(u64, u64);

#define NI __attribute__((noinline))

/* Zba, from C. */
NI static u64 add_uw(u64 a, u64 b) { return b + (u32)a; }
NI static u64 sh1add(u64 a, u64 b) { return b + (a << 1); }
NI static u64 sh2add(u64 a, u64 b) { return b + (a << 2); }
NI static u64 sh3add(u64 a, u64 b) { return b + (a << 3); }
NI static u64 sh1add_uw(u64 a, u64 b) { return b + ((u64)(u32)a << 1); }
NI static u64 sh2add_uw(u64 a, u64 b) { return b + ((u64)(u32)a << 2); }
NI static u64 sh3add_uw(u64 a, u64 b) { return b + ((u64)(u32)a << 3); }
NI static u64 slli_uw(u64 a, u64 b) { (void)b; return (u64)(u32)a << 3; }

/* Zbb, from C where GCC emits the instruction. */
NI static u64 andn(u64 a, u64 b) { return a & ~b; }
NI static u64 orn(u64 a, u64 b) { return a | ~b; }
NI static u64 xnor(u64 a, u64 b) { return ~(a ^ b); }
NI static u64 clz(u64 a, u64 b) { (void)b; return a ? (u64)__builtin_clzll(a) : 64; }
NI static u64 clzw(u64 a, u64 b) { (void)b; return (u32)a ? (u64)__builtin_clz((u32)a) : 32; }
NI static u64 ctz(u64 a, u64 b) { (void)b; return a ? (u64)__builtin_ctzll(a) : 64; }
NI static u64 ctzw(u64 a, u64 b) { (void)b; return (u32)a ? (u64)__builtin_ctz((u32)a) : 32; }
NI static u64 cpop(u64 a, u64 b) { (void)b; return (u64)__builtin_popcountll(a); }
NI static u64 cpopw(u64 a, u64 b) { (void)b; return (u64)__builtin_popcount((u32)a); }
NI static u64 max(u64 a, u64 b) { return (i64)a > (i64)b ? a : b; }
NI static u64 maxu(u64 a, u64 b) { return a > b ? a : b; }
NI static u64 min(u64 a, u64 b) { return (i64)a < (i64)b ? a : b; }
NI static u64 minu(u64 a, u64 b) { return a < b ? a : b; }
NI static u64 sext_b(u64 a, u64 b) { (void)b; return (u64)(i64)(int8_t)a; }
NI static u64 sext_h(u64 a, u64 b) { (void)b; return (u64)(i64)(int16_t)a; }
NI static u64 zext_h(u64 a, u64 b) { (void)b; return (uint16_t)a; }
NI static u64 rol(u64 a, u64 b) { return (a << (b & 63)) | (a >> (-b & 63)); }
NI static u64 ror(u64 a, u64 b) { return (a >> (b & 63)) | (a << (-b & 63)); }
NI static u64 rori(u64 a, u64 b) { (void)b; return (a >> 13) | (a << 51); }
NI static u64 rev8(u64 a, u64 b) { (void)b; return __builtin_bswap64(a); }
/* Zbb, as assembly. */
NI static u64 rolw(u64 a, u64 b) { u64 r; __asm__("rolw %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
NI static u64 rorw(u64 a, u64 b) { u64 r; __asm__("rorw %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
NI static u64 roriw(u64 a, u64 b) { (void)b; u64 r; __asm__("roriw %0, %1, 7" : "=r"(r) : "r"(a)); return r; }
NI static u64 orc_b(u64 a, u64 b) { (void)b; u64 r; __asm__("orc.b %0, %1" : "=r"(r) : "r"(a)); return r; }

/* Zbc: clmul, clmulr, clmulh are R-type, opcode OP (0x33), funct7
 * 0000101, funct3 1, 2, 3. */
NI static u64 clmul(u64 a, u64 b) { u64 r; __asm__(".insn r 0x33, 1, 5, %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
NI static u64 clmulr(u64 a, u64 b) { u64 r; __asm__(".insn r 0x33, 2, 5, %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
NI static u64 clmulh(u64 a, u64 b) { u64 r; __asm__(".insn r 0x33, 3, 5, %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }

/* Zbs: bset, bseti and binvi from C; GCC 12 does not emit the others from
 * C expressions, so they are assembly. */
NI static u64 bset(u64 a, u64 b) { return a | ((u64)1 << (b & 63)); }
NI static u64 bseti(u64 a, u64 b) { (void)b; return a | ((u64)1 << 37); }
NI static u64 binvi(u64 a, u64 b) { (void)b; return a ^ ((u64)1 << 63); }
NI static u64 bclr(u64 a, u64 b) { u64 r; __asm__("bclr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
NI static u64 binv(u64 a, u64 b) { u64 r; __asm__("binv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
NI static u64 bext(u64 a, u64 b) { u64 r; __asm__("bext %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
NI static u64 bclri(u64 a, u64 b) { (void)b; u64 r; __asm__("bclri %0, %1, 5" : "=r"(r) : "r"(a)); return r; }
NI static u64 bexti(u64 a, u64 b) { (void)b; u64 r; __asm__("bexti %0, %1, 31" : "=r"(r) : "r"(a)); return r; }

/* Zicond: czero.eqz, czero.nez are R-type, opcode OP (0x33), funct7
 * 0000111, funct3 5 and 7. */
NI static u64 czero_eqz(u64 a, u64 b) { u64 r; __asm__(".insn r 0x33, 5, 7, %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
NI static u64 czero_nez(u64 a, u64 b) { u64 r; __asm__(".insn r 0x33, 7, 7, %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }

#define REF(n) u64 ref_##n(u64, u64);
REF(add_uw) REF(sh1add) REF(sh2add) REF(sh3add) REF(sh1add_uw) REF(sh2add_uw) REF(sh3add_uw) REF(slli_uw)
REF(andn) REF(orn) REF(xnor) REF(clz) REF(clzw) REF(ctz) REF(ctzw) REF(cpop) REF(cpopw)
REF(max) REF(maxu) REF(min) REF(minu) REF(sext_b) REF(sext_h) REF(zext_h)
REF(rol) REF(ror) REF(rori) REF(rev8) REF(rolw) REF(rorw) REF(roriw) REF(orc_b)
REF(clmul) REF(clmulr) REF(clmulh)
REF(bclr) REF(bset) REF(binv) REF(bext) REF(bclri) REF(bseti) REF(binvi) REF(bexti)
REF(czero_eqz) REF(czero_nez)

struct op { const char *ext, *name; op2 got, want; };
#define OP(e, n) { e, #n, n, ref_##n }
static const struct op ops[] = {
    OP("zba", add_uw), OP("zba", sh1add), OP("zba", sh2add), OP("zba", sh3add),
    OP("zba", sh1add_uw), OP("zba", sh2add_uw), OP("zba", sh3add_uw), OP("zba", slli_uw),
    OP("zbb", andn), OP("zbb", orn), OP("zbb", xnor), OP("zbb", clz), OP("zbb", clzw),
    OP("zbb", ctz), OP("zbb", ctzw), OP("zbb", cpop), OP("zbb", cpopw), OP("zbb", max),
    OP("zbb", maxu), OP("zbb", min), OP("zbb", minu), OP("zbb", sext_b), OP("zbb", sext_h),
    OP("zbb", zext_h), OP("zbb", rol), OP("zbb", ror), OP("zbb", rori), OP("zbb", rev8),
    OP("zbb", rolw), OP("zbb", rorw), OP("zbb", roriw), OP("zbb", orc_b),
    OP("zbc", clmul), OP("zbc", clmulr), OP("zbc", clmulh),
    OP("zbs", bclr), OP("zbs", bset), OP("zbs", binv), OP("zbs", bext),
    OP("zbs", bclri), OP("zbs", bseti), OP("zbs", binvi), OP("zbs", bexti),
    OP("zicond", czero_eqz), OP("zicond", czero_nez),
};

#define EDGES 18
#define RANDOM 22
static u64 operands[EDGES + RANDOM] = {
    0, 1, ~(u64)0, (u64)1 << 63, ~((u64)1 << 63), (u64)1 << 31, (u64)1 << 32,
    0xffffffffu, 0x7fffffffu, 0xffffffff80000000u, 0x80, 0x8000, 31, 32, 63, 64,
    0x0102030405060708u, 0x00ff00ff00ff00ffu,
};

int main(int argc, char **argv) {
    int zicond = !(argc > 1 && strcmp(argv[1], "--no-zicond") == 0);
    /* xorshift64, fixed seed */
    u64 x = 0x9e3779b97f4a7c15u;
    for (int i = EDGES; i < EDGES + RANDOM; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        operands[i] = x;
    }
    const char *exts[] = { "zba", "zbb", "zbc", "zbs", "zicond" };
    unsigned long total = 0, failed = 0;
    for (unsigned e = 0; e < sizeof exts / sizeof exts[0]; e++) {
        if (!zicond && strcmp(exts[e], "zicond") == 0)
            continue;
        unsigned long checks = 0;
        for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; o++) {
            if (strcmp(ops[o].ext, exts[e]) != 0)
                continue;
            for (int i = 0; i < EDGES + RANDOM; i++)
                for (int j = 0; j < EDGES + RANDOM; j++) {
                    u64 a = operands[i], b = operands[j];
                    u64 got = ops[o].got(a, b), want = ops[o].want(a, b);
                    checks++;
                    if (got != want && ++failed <= 10)
                        printf("MISMATCH %s %#llx, %#llx: got %#llx, want %#llx\n", ops[o].name,
                               (unsigned long long)a, (unsigned long long)b,
                               (unsigned long long)got, (unsigned long long)want);
                }
        }
        printf("%s: %lu checks\n", exts[e], checks);
        fflush(stdout); /* before a possible SIGILL in the next part */
        total += checks;
    }
    if (failed) {
        printf("%lu of %lu checks failed\n", failed, total);
        return 1;
    }
    printf("all %lu checks passed\n", total);
    return 0;
}
