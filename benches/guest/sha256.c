/* sha256: SHA-256 (FIPS 180-4) of a generated 256 KiB buffer, chained over
 * ROUNDS rounds: d(0) = 32 zero bytes, d(r+1) = SHA-256(d(r) || buffer).
 * 32-bit rotates, shifts, adds and big-endian loads: a hashing workload.
 * Self-check: the final digest must equal EXPECTED, computed on the host by
 * sha256-host.c from this same code, and by Python's hashlib (checks.py). */

#include "bench.h"

#define BUF_BYTES (256 * 1024)
#define ROUNDS 32
#define SEED 0x243f6a8885a308d3ull

static uint8_t buf[BUF_BYTES];

/* The first 32 bits of the fractional parts of the cube roots of the first
 * 64 primes. */
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

struct sha256 {
    uint32_t h[8];
    uint8_t block[64];
    uint32_t fill;  /* bytes in block */
    uint64_t total; /* bytes hashed */
};

static inline uint32_t ror32(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_compress(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + K[i] + w[i];
        uint32_t S0 = ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static void sha256_init(struct sha256 *s)
{
    /* The first 32 bits of the fractional parts of the square roots of the
     * first 8 primes. */
    static const uint32_t h0[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    for (int i = 0; i < 8; i++)
        s->h[i] = h0[i];
    s->fill = 0;
    s->total = 0;
}

static void sha256_update(struct sha256 *s, const uint8_t *p, uint64_t len)
{
    s->total += len;
    if (s->fill) {
        while (len && s->fill < 64) {
            s->block[s->fill++] = *p++;
            len--;
        }
        if (s->fill < 64)
            return;
        sha256_compress(s->h, s->block);
        s->fill = 0;
    }
    for (; len >= 64; len -= 64, p += 64)
        sha256_compress(s->h, p);
    while (len--)
        s->block[s->fill++] = *p++;
}

static void sha256_final(struct sha256 *s, uint8_t out[32])
{
    uint64_t bits = s->total * 8;
    s->block[s->fill++] = 0x80;
    if (s->fill > 56) {
        while (s->fill < 64)
            s->block[s->fill++] = 0;
        sha256_compress(s->h, s->block);
        s->fill = 0;
    }
    while (s->fill < 56)
        s->block[s->fill++] = 0;
    for (int i = 0; i < 8; i++)
        s->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_compress(s->h, s->block);
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 4; k++)
            out[4 * i + k] = (uint8_t)(s->h[i] >> (24 - 8 * k));
}

/* The result as 64 lowercase hex digits (plus a NUL). */
void sha256_bench(char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t d[32] = {0};
    struct sha256 s;
    fill_random(buf, BUF_BYTES, SEED);
    for (int r = 0; r < ROUNDS; r++) {
        sha256_init(&s);
        sha256_update(&s, d, 32);
        sha256_update(&s, buf, BUF_BYTES);
        sha256_final(&s, d);
    }
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = 0;
}

/* The result, computed on the host by sha256-host.c and by checks.py. */
#define EXPECTED "2a153aadc19841c5c1ee791d78422e9258f883103377bfefec45cd87ba61d104"

#ifndef HOST
int main(void)
{
    static const char expected[] = EXPECTED;
    char hex[65];
    sha256_bench(hex);
    for (int i = 0; i < 64; i++)
        if (hex[i] != expected[i])
            return 1;
    return 0;
}
#endif
