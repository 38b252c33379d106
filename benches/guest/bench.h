/* Shared by the guest benchmark programs and their host twins
 * (NAME-host.c, which include NAME.c with HOST defined): the pseudo-random
 * generator that makes every program's input. Only integer code here, so
 * the guest and the host produce the same bytes. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

/* Marsaglia's xorshift64 (shifts 13, 7, 17); the state must not be 0. */
static inline uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* Fills len bytes with xorshift64 output, eight bytes a step, little-endian
 * (the last step's high bytes are dropped when len is not a multiple of 8).
 * checks.py regenerates the same bytes. */
static inline void fill_random(uint8_t *p, uint64_t len, uint64_t seed)
{
    uint64_t s = seed;
    for (uint64_t i = 0; i < len; i += 8) {
        uint64_t x = xorshift64(&s);
        for (uint64_t k = 0; k < 8 && i + k < len; k++)
            p[i + k] = (uint8_t)(x >> (8 * k));
    }
}

/* A 64-bit mixing step (the splitmix64 finaliser): folds values into a
 * checksum that depends on order. */
static inline uint64_t mix64(uint64_t h, uint64_t v)
{
    uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The bits of a double (for exact checksums of FP results). */
static inline uint64_t bits_of(double x)
{
    union {
        double d;
        uint64_t u;
    } v = {x};
    return v.u;
}

/* A uniform double in [-1, 1): 53 random bits, exactly converted. */
static inline double uniform(uint64_t *seed)
{
    return (double)(int64_t)(xorshift64(seed) >> 11) * (1.0 / 4503599627370496.0) - 1.0;
}

#endif
