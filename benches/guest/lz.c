/* lz: an LZ77 compressor and decompressor, round trip, over generated
 * text-like data (words from a small vocabulary with a skewed choice,
 * punctuation, line breaks and random numbers), TEXT_BYTES a round, ROUNDS
 * rounds of fresh text. The compressor finds matches through a hash of the
 * next three bytes and chains of earlier positions (a 32 KiB window, up to
 * MAX_CHAIN candidates); the output is a bit stream: a literal is a 0 bit
 * and 8 bits, a match a 1 bit, the length minus 2 in Elias gamma code and
 * the distance minus 1 in 15 bits. Byte compares, hashing, a bit writer and
 * a bit reader: the branchy bit-twiddling of compression code.
 * Self-check: every round's decompressed text must equal its input, and a
 * checksum of the compressed sizes and bytes must equal EXPECTED, computed
 * on the host by lz-host.c from this same code. */

#include "bench.h"

#define TEXT_BYTES (256 * 1024)
#define ROUNDS 12
#define SEED 0xbe5466cf34e90c6cull

#define WINDOW (1 << 15)
#define HASH_BITS 14
#define MIN_MATCH 3
#define MAX_MATCH 258
#define MAX_CHAIN 32

static uint8_t text[TEXT_BYTES];
static uint8_t packed[TEXT_BYTES + TEXT_BYTES / 8 + 64];
static uint8_t unpacked[TEXT_BYTES];
static int32_t head[1 << HASH_BITS];
static int32_t chain[WINDOW];

static const char *const words[] = {
    "the", "of", "and", "a", "to", "in", "is", "register", "that", "for",
    "instruction", "it", "as", "with", "memory", "page", "on", "be", "at", "by",
    "this", "hart", "from", "or", "an", "trap", "are", "which", "table", "but",
    "not", "interrupt", "we", "load", "store", "when", "cache", "all", "its",
    "translation", "privilege", "emulator", "guest", "host", "decoded", "block",
    "counter", "machine", "supervisor", "exception", "virtual", "physical",
    "address", "branch", "jump", "immediate", "compressed", "floating", "point",
    "device", "timer", "console", "fence", "atomic",
};
#define NWORDS (sizeof words / sizeof words[0])

/* Fills text with TEXT_BYTES of words, spaces, punctuation and numbers. */
static void make_text(uint64_t *seed)
{
    long n = 0;
    int col = 0, sentence = 1;
    while (n < TEXT_BYTES) {
        uint64_t r = xorshift64(seed);
        char num[24];
        const char *w;
        if ((r & 31) == 0) {
            /* A number of 1-8 random digits. */
            int len = 1 + (int)((r >> 5) & 7);
            uint64_t v = r >> 8;
            for (int i = 0; i < len; i++, v /= 10)
                num[i] = (char)('0' + v % 10);
            num[len] = 0;
            w = num;
        } else {
            /* Small indices are likelier: the smaller of two choices. */
            uint32_t i = (uint32_t)(r >> 8) % NWORDS, j = (uint32_t)(r >> 32) % NWORDS;
            w = words[i < j ? i : j];
        }
        for (int i = 0; w[i] && n < TEXT_BYTES; i++, col++) {
            char c = w[i];
            if (sentence && i == 0 && c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            text[n++] = (uint8_t)c;
        }
        sentence = 0;
        if (n >= TEXT_BYTES)
            break;
        uint32_t p = (uint32_t)(r >> 40) & 63;
        if (p < 3) {
            text[n++] = '.';
            sentence = 1;
        } else if (p < 7) {
            text[n++] = ',';
        }
        if (n < TEXT_BYTES) {
            if (col > 64) {
                text[n++] = '\n';
                col = 0;
            } else {
                text[n++] = ' ';
                col++;
            }
        }
    }
}

/* A bit writer: bits go out least significant first. */
struct bitwriter {
    uint8_t *out;
    long pos;
    uint64_t acc;
    int count;
};

static inline void put_bits(struct bitwriter *w, uint64_t v, int n)
{
    w->acc |= v << w->count;
    w->count += n;
    while (w->count >= 8) {
        w->out[w->pos++] = (uint8_t)w->acc;
        w->acc >>= 8;
        w->count -= 8;
    }
}

/* Elias gamma code of v >= 1: floor(log2 v) zeros, then v from its top bit
 * down. */
static inline void put_gamma(struct bitwriter *w, uint32_t v)
{
    int n = 0;
    while ((v >> n) > 1)
        n++;
    put_bits(w, 0, n);
    for (int i = n; i >= 0; i--)
        put_bits(w, (v >> i) & 1, 1);
}

/* Returns the size of the stream in bits. */
static long compress(const uint8_t *in, long len, uint8_t *out)
{
    struct bitwriter w = {out, 0, 0, 0};
    for (long i = 0; i < (1 << HASH_BITS); i++)
        head[i] = -1;
    long i = 0;
    while (i < len) {
        long best_len = 0, best_dist = 0;
        uint32_t h = 0;
        if (i + MIN_MATCH <= len) {
            h = ((uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2]) * 2654435761u;
            h >>= 32 - HASH_BITS;
            long limit = len - i < MAX_MATCH ? len - i : MAX_MATCH;
            int32_t cand = head[h];
            for (int depth = 0; depth < MAX_CHAIN && cand >= 0 && i - cand <= WINDOW; depth++) {
                const uint8_t *p = in + cand, *q = in + i;
                if (p[best_len] == q[best_len]) {
                    long k = 0;
                    while (k < limit && p[k] == q[k])
                        k++;
                    if (k > best_len) {
                        best_len = k;
                        best_dist = i - cand;
                        if (k == limit)
                            break;
                    }
                }
                int32_t next = chain[cand & (WINDOW - 1)];
                if (next >= cand)
                    break;
                cand = next;
            }
        }
        long step;
        if (best_len >= MIN_MATCH) {
            put_bits(&w, 1, 1);
            put_gamma(&w, (uint32_t)(best_len - 2));
            put_bits(&w, (uint64_t)(best_dist - 1), 15);
            step = best_len;
        } else {
            put_bits(&w, (uint64_t)in[i] << 1, 9);
            step = 1;
        }
        /* Enter every position passed into the hash chains. */
        for (long e = i + step; i < e; i++) {
            if (i + MIN_MATCH <= len) {
                h = ((uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2]) * 2654435761u;
                h >>= 32 - HASH_BITS;
                chain[i & (WINDOW - 1)] = head[h];
                head[h] = (int32_t)i;
            }
        }
    }
    long bits = w.pos * 8 + w.count;
    put_bits(&w, 0, 7); /* flush the last partial byte */
    return bits;
}

/* A bit reader, the writer's mirror. */
struct bitreader {
    const uint8_t *in;
    long pos;
    uint64_t acc;
    int count;
};

static inline uint32_t get_bits(struct bitreader *r, int n)
{
    while (r->count < n) {
        r->acc |= (uint64_t)r->in[r->pos++] << r->count;
        r->count += 8;
    }
    uint32_t v = (uint32_t)(r->acc & ((1ull << n) - 1));
    r->acc >>= n;
    r->count -= n;
    return v;
}

static inline uint32_t get_gamma(struct bitreader *r)
{
    int n = 0;
    while (get_bits(r, 1) == 0)
        n++;
    uint32_t v = 1;
    for (int i = 0; i < n; i++)
        v = v << 1 | get_bits(r, 1);
    return v;
}

/* Decodes len bytes; returns 0 on a distance before the start. */
static int decompress(const uint8_t *in, uint8_t *out, long len)
{
    struct bitreader r = {in, 0, 0, 0};
    long n = 0;
    while (n < len) {
        if (get_bits(&r, 1) == 0) {
            out[n++] = (uint8_t)get_bits(&r, 8);
        } else {
            long mlen = (long)get_gamma(&r) + 2;
            long dist = (long)get_bits(&r, 15) + 1;
            if (dist > n || mlen > len - n)
                return 0;
            const uint8_t *src = out + n - dist;
            for (long k = 0; k < mlen; k++)
                out[n + k] = src[k];
            n += mlen;
        }
    }
    return 1;
}

uint64_t lz_bench(void)
{
    uint64_t seed = SEED, h = 1;
    for (int r = 0; r < ROUNDS; r++) {
        make_text(&seed);
        long bits = compress(text, TEXT_BYTES, packed);
        for (long i = 0; i < TEXT_BYTES; i++)
            unpacked[i] = 0;
        if (!decompress(packed, unpacked, TEXT_BYTES))
            return 0;
        for (long i = 0; i < TEXT_BYTES; i++)
            if (unpacked[i] != text[i])
                return 0;
        h = mix64(h, (uint64_t)bits);
        for (long i = 0; i < (bits + 7) / 8; i += 8) {
            uint64_t v = 0;
            for (int k = 0; k < 8 && i + k < (bits + 7) / 8; k++)
                v |= (uint64_t)packed[i + k] << (8 * k);
            h = mix64(h, v);
        }
    }
    return h;
}

/* The result, computed on the host by lz-host.c. */
#define EXPECTED 0x0a83cf3d7f8819e1ull

#ifndef HOST
int main(void)
{
    return lz_bench() == EXPECTED ? 0 : 1;
}
#endif
