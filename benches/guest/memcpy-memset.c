/* memcpy-memset: our own word-at-a-time memcpy and memset (an 8-word
 * unrolled loop; a source misaligned against the destination is read in
 * aligned words and shifted together) and a byte-at-a-time copy, over a
 * 4 MiB source and a 4 MiB destination, ROUNDS rounds with offsets and
 * lengths varying by round. Streams of loads and stores: what a kernel's
 * page copies and clears do.
 * Self-check: a checksum of the whole destination after every phase must
 * equal EXPECTED, computed on the host by memcpy-memset-host.c from this
 * same code; the host program also compares every phase with the C
 * library's memcpy and memset. */

#include "bench.h"

#define BYTES (4 * 1024 * 1024)
#define BYTE_COPY (512 * 1024)
#define ROUNDS 16
#define SEED 0x3f84d5b5b5470917ull

static uint64_t src_words[BYTES / 8];
static uint64_t dst_words[BYTES / 8];

/* Copies n bytes; the areas must not overlap. */
static void copy_words(uint8_t *d, const uint8_t *s, uint64_t n)
{
    /* Bytes until d is aligned. */
    while (n && ((uintptr_t)d & 7)) {
        *d++ = *s++;
        n--;
    }
    uint64_t *dw = (uint64_t *)d;
    unsigned off = (uintptr_t)s & 7;
    if (off == 0) {
        const uint64_t *sw = (const uint64_t *)s;
        for (; n >= 64; n -= 64, dw += 8, sw += 8) {
            uint64_t w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];
            uint64_t w4 = sw[4], w5 = sw[5], w6 = sw[6], w7 = sw[7];
            dw[0] = w0;
            dw[1] = w1;
            dw[2] = w2;
            dw[3] = w3;
            dw[4] = w4;
            dw[5] = w5;
            dw[6] = w6;
            dw[7] = w7;
        }
        for (; n >= 8; n -= 8)
            *dw++ = *sw++;
        s = (const uint8_t *)sw;
    } else if (n >= 8) {
        /* Aligned loads from s rounded down; each output word is the top
         * of one load and the bottom of the next (little-endian). Never
         * loads past the aligned word holding the last source byte. */
        const uint64_t *sw = (const uint64_t *)(s - off);
        unsigned lo = 8 * off, hi = 64 - lo;
        uint64_t prev = *sw++;
        for (; n >= 8; n -= 8) {
            uint64_t next = *sw++;
            *dw++ = prev >> lo | next << hi;
            prev = next;
        }
        s = (const uint8_t *)sw - 8 + off;
    }
    d = (uint8_t *)dw;
    while (n--)
        *d++ = *s++;
}

static void set_words(uint8_t *d, uint8_t c, uint64_t n)
{
    while (n && ((uintptr_t)d & 7)) {
        *d++ = c;
        n--;
    }
    uint64_t w = c * 0x0101010101010101ull;
    uint64_t *dw = (uint64_t *)d;
    for (; n >= 64; n -= 64, dw += 8) {
        dw[0] = w;
        dw[1] = w;
        dw[2] = w;
        dw[3] = w;
        dw[4] = w;
        dw[5] = w;
        dw[6] = w;
        dw[7] = w;
    }
    for (; n >= 8; n -= 8)
        *dw++ = w;
    d = (uint8_t *)dw;
    while (n--)
        *d++ = c;
}

static void copy_bytes(uint8_t *d, const uint8_t *s, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        d[i] = s[i];
}

/* A position-dependent (Fletcher-like) checksum of the destination: one
 * load and two adds a word. */
static uint64_t checksum(uint64_t h)
{
    uint64_t s1 = 0, s2 = 0;
    for (long i = 0; i < BYTES / 8; i += 4) {
        s1 += dst_words[i];
        s2 += s1;
        s1 += dst_words[i + 1];
        s2 += s1;
        s1 += dst_words[i + 2];
        s2 += s1;
        s1 += dst_words[i + 3];
        s2 += s1;
    }
    return mix64(mix64(h, s1), s2);
}

/* One phase: an operation and where. */
enum { COPY, SET, BYTE_LOOP };
struct phase {
    int op;
    uint64_t dst, src, len;
    uint8_t c;
};

/* Round r's phases (the host program replays them with libc). */
static int phases(int r, struct phase *p)
{
    uint64_t a = (uint64_t)(r * 5) % 8, b = (uint64_t)(r * 3) % 8;
    int n = 0;
    p[n++] = (struct phase){SET, 0, 0, BYTES, (uint8_t)(0x11 * r)};
    p[n++] = (struct phase){COPY, 0, 0, BYTES, 0};
    p[n++] = (struct phase){SET, 4096 + a, 0, BYTES / 2 + 3 * b, (uint8_t)(0x5a ^ r)};
    p[n++] = (struct phase){COPY, a, b, BYTES - 8, 0};
    p[n++] = (struct phase){COPY, 64 + b, 3 + a, BYTES / 2 + 77 * a, 0};
    p[n++] = (struct phase){BYTE_LOOP, 8192 * (uint64_t)r + b, a, BYTE_COPY, 0};
    return n;
}

static void run_phase(const struct phase *p)
{
    uint8_t *d = (uint8_t *)dst_words + p->dst;
    const uint8_t *s = (const uint8_t *)src_words + p->src;
    if (p->op == COPY)
        copy_words(d, s, p->len);
    else if (p->op == SET)
        set_words(d, p->c, p->len);
    else
        copy_bytes(d, s, p->len);
}

uint64_t memcpy_memset_bench(void)
{
    uint64_t seed = SEED, h = 1;
    for (long i = 0; i < BYTES / 8; i++)
        src_words[i] = xorshift64(&seed);
    for (int r = 0; r < ROUNDS; r++) {
        struct phase p[8];
        int n = phases(r, p);
        for (int k = 0; k < n; k++) {
            run_phase(&p[k]);
            h = checksum(h);
        }
    }
    return h;
}

/* The result, computed on the host by memcpy-memset-host.c. */
#define EXPECTED 0x490035688671c986ull

#ifndef HOST
int main(void)
{
    return memcpy_memset_bench() == EXPECTED ? 0 : 1;
}
#endif
