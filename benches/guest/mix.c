/* mix: an ordinary integer program, built three ways to see what the
 * compiler's optimisation level does to an emulator's work: `mix` (-O2, as
 * most programs here), `mix-O0` (-O0: every variable lives on the stack, so
 * loads and stores dominate) and `mix-Os` (-Os: smaller code, more calls).
 * Each of ROUNDS rounds
 *
 *  - writes TEXT_LEN bytes of text: words of one to four syllables from a
 *    table, picked with a skewed distribution, and separators;
 *  - counts the words in an open-addressing hash table (FNV-1a hashes,
 *    linear probing, byte-wise key comparison);
 *  - keeps the TOP most frequent with a binary min-heap and takes them out
 *    in order;
 *  - folds counts through small bit functions (population count, leading
 *    zeros, bit reversal: loops of our own) and a division or two.
 *
 * Self-check: the hash of every round's results must equal EXPECTED,
 * computed on the host by mix-host.c from this same code. */

#include "bench.h"

#define ROUNDS 80
#define TEXT_LEN 24000
#define SLOTS 16384 /* a power of two, above the most words a text holds */
#define TOP 32
#define SEED 0x3c6ef372fe94f82bull

static const char *const syllables[] = {
    "ka", "ri", "vo", "lun", "se", "tam", "bri", "o", "nel", "dux",
    "pe", "ra", "mis", "to", "gle", "un", "fa", "cor", "ve", "sti",
};
#define N_SYLLABLES (sizeof syllables / sizeof syllables[0])

static uint8_t text[TEXT_LEN + 16];

struct slot {
    uint32_t start, len, count, hash;
};

static struct slot table[SLOTS];

struct entry {
    uint32_t count, slot;
};

static struct entry heap[TOP];
static int heap_len;

/* Text: skewed syllable choice (the minimum of two draws). */
static uint32_t make_text(uint64_t *s)
{
    uint32_t n = 0;
    while (n < TEXT_LEN) {
        uint64_t x = xorshift64(s);
        int parts = 1 + (int)(x & 3);
        x >>= 2;
        for (int p = 0; p < parts; p++) {
            uint32_t a = (uint32_t)(x % N_SYLLABLES);
            x /= N_SYLLABLES;
            uint32_t b = (uint32_t)(x % N_SYLLABLES);
            x /= N_SYLLABLES;
            const char *syl = syllables[a < b ? a : b];
            for (int k = 0; syl[k]; k++)
                text[n++] = (uint8_t)syl[k];
        }
        text[n++] = (x & 7) == 0 ? ',' : (x & 15) == 1 ? '.' : ' ';
    }
    text[n] = 0;
    return n;
}

static uint32_t fnv1a(const uint8_t *p, uint32_t len)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static int same_word(uint32_t a, uint32_t b, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        if (text[a + i] != text[b + i])
            return 0;
    return 1;
}

static void table_clear(void)
{
    for (int i = 0; i < SLOTS; i++) {
        table[i].len = 0;
        table[i].count = 0;
    }
}

/* Counts one occurrence of the word at text[start..start+len); returns
 * the probes it took times two, plus one if the word is new. */
static uint32_t table_add(uint32_t start, uint32_t len)
{
    uint32_t h = fnv1a(text + start, len);
    uint32_t i = h & (SLOTS - 1), probes = 1;
    while (table[i].count) {
        if (table[i].hash == h && table[i].len == len && same_word(table[i].start, start, len)) {
            table[i].count++;
            return probes << 1;
        }
        i = (i + 1) & (SLOTS - 1);
        probes++;
    }
    table[i].start = start;
    table[i].len = len;
    table[i].count = 1;
    table[i].hash = h;
    return probes << 1 | 1;
}

static int is_letter(uint8_t c)
{
    return c >= 'a' && c <= 'z';
}

static uint32_t count_words(uint32_t n, uint32_t *distinct)
{
    uint32_t probes = 0, words = 0;
    uint32_t i = 0;
    *distinct = 0;
    while (i < n) {
        while (i < n && !is_letter(text[i]))
            i++;
        uint32_t start = i;
        while (i < n && is_letter(text[i]))
            i++;
        if (i > start) {
            uint32_t p = table_add(start, i - start);
            *distinct += p & 1;
            probes += p >> 1;
            words++;
        }
    }
    return probes ^ words << 12;
}

/* A min-heap of the TOP largest (count, slot) pairs: ordered by count,
 * then by slot. */
static int less(const struct entry *a, const struct entry *b)
{
    return a->count < b->count || (a->count == b->count && a->slot < b->slot);
}

static void swap_entries(int i, int j)
{
    struct entry t;
    t.count = heap[i].count;
    t.slot = heap[i].slot;
    heap[i].count = heap[j].count;
    heap[i].slot = heap[j].slot;
    heap[j].count = t.count;
    heap[j].slot = t.slot;
}

static void sift_down(int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < heap_len && less(&heap[l], &heap[m]))
            m = l;
        if (r < heap_len && less(&heap[r], &heap[m]))
            m = r;
        if (m == i)
            return;
        swap_entries(i, m);
        i = m;
    }
}

static void sift_up(int i)
{
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!less(&heap[i], &heap[parent]))
            return;
        swap_entries(i, parent);
        i = parent;
    }
}

static void heap_offer(uint32_t count, uint32_t slot)
{
    if (heap_len < TOP) {
        heap[heap_len].count = count;
        heap[heap_len].slot = slot;
        heap_len++;
        sift_up(heap_len - 1);
        return;
    }
    struct entry e;
    e.count = count;
    e.slot = slot;
    if (less(&e, &heap[0]))
        return;
    heap[0].count = count;
    heap[0].slot = slot;
    sift_down(0);
}

static void heap_pop(struct entry *out)
{
    out->count = heap[0].count;
    out->slot = heap[0].slot;
    heap_len--;
    heap[0].count = heap[heap_len].count;
    heap[0].slot = heap[heap_len].slot;
    sift_down(0);
}

/* Bit functions, as loops. */
static uint32_t popcount(uint32_t x)
{
    uint32_t n = 0;
    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}

static uint32_t leading_zeros(uint32_t x)
{
    uint32_t n = 0;
    for (uint32_t bit = 0x80000000u; bit && !(x & bit); bit >>= 1)
        n++;
    return n;
}

static uint32_t reverse_bits(uint32_t x)
{
    uint32_t r = 0;
    for (int i = 0; i < 32; i++) {
        r = r << 1 | (x & 1);
        x >>= 1;
    }
    return r;
}

uint64_t mix_bench(void)
{
    uint64_t h = 1, s = SEED;
    for (int round = 0; round < ROUNDS; round++) {
        uint32_t n = make_text(&s);
        uint32_t distinct;
        table_clear();
        h = mix64(h, count_words(n, &distinct));
        h = mix64(h, distinct);
        heap_len = 0;
        uint32_t bits = 0;
        for (uint32_t i = 0; i < SLOTS; i++)
            if (table[i].count) {
                heap_offer(table[i].count, i);
                bits += popcount(table[i].hash) + leading_zeros(table[i].count);
                bits ^= reverse_bits(table[i].hash) >> 20;
            }
        h = mix64(h, bits);
        uint32_t total = 0, letters = 0;
        while (heap_len) {
            struct entry e;
            heap_pop(&e);
            total += e.count;
            letters += table[e.slot].len * e.count;
            h = mix64(h, (uint64_t)e.count << 32 | table[e.slot].hash);
        }
        /* The mean length of the top words, in hundredths, and its remainder. */
        h = mix64(h, (uint64_t)(letters * 100 / total) << 32 | letters * 100 % total);
    }
    return h;
}

/* The result, computed on the host by mix-host.c. */
#define EXPECTED 0x725fc8de5eb54b50ull

#ifndef HOST
int main(void)
{
    return mix_bench() == EXPECTED ? 0 : 1;
}
#endif
