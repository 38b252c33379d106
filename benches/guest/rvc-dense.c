/* rvc-dense: integer code in which compressed (16-bit) instructions
 * dominate, built with -Os (build.sh). Low register pressure keeps values
 * in s0-s1 and a0-a5, the registers most RVC forms can name; the kernels
 * are written as the C. extension likes them: two-operand updates
 * (x += y, x ^= y), word loads and stores at small offsets from a pointer,
 * loops counting down to zero, pointer chains. Each of ROUNDS rounds
 *
 *  - moves CELLS particles (a position and a velocity) one step,
 *    reflecting them at the walls, and counts the bounces;
 *  - walks a list of CELLS cells, adding and xoring their values;
 *  - folds a 64-bit array into a checksum, word by word, then turns it
 *    into its prefix xor, and stirs a particle's position into it.
 *
 * `objdump -d` shows 47 of the 53 instructions of the four kernels 16 bits
 * long; about 91% of the instructions executed are (counted from QEMU's
 * `-d in_asm,exec,nochain` log, where every block runs whole), against
 * about 45% in `mix` and `mix-Os`.
 * Self-check: the hash of every round's results must equal EXPECTED,
 * computed on the host by rvc-dense-host.c from this same code. */

#include "bench.h"

#define ROUNDS 12000
#define CELLS 1024
#define WORDS 1024
#define SEED 0xbb67ae8584caa73bull
/* Positions stay in [0, 2^WALL_BITS): a particle beyond bounces back. */
#define WALL_BITS 20

/* Out of line, and not specialised for the constant arguments either (no
 * .constprop clones, whose loops would compare pointers with an end). */
#define NOINLINE __attribute__((noipa))

/* 16 bytes: the step to the next one fits c.addi, the fields c.lw. */
struct particle {
    int32_t x, y, vx, vy;
};

struct cell {
    struct cell *next;
    uint64_t value;
};

static struct particle ps[CELLS];
static struct cell ring[CELLS];
static uint64_t words[WORDS];

/* Returns the number of bounces. One coordinate at a time, so that the
 * live values fit in a0-a5. */
NOINLINE static uint32_t particles_step(struct particle *p, long n)
{
    uint32_t bounces = 0;
    do {
        int32_t v = p->vx;
        p->x += v;
        if ((uint32_t)p->x >> WALL_BITS) {
            p->vx = -v;
            bounces++;
        }
        v = p->vy;
        p->y += v;
        if ((uint32_t)p->y >> WALL_BITS) {
            p->vy = -v;
            bounces++;
        }
        p++;
    } while (--n);
    return bounces;
}

NOINLINE static uint64_t list_walk(const struct cell *c, uint64_t sum)
{
    uint64_t x = 0;
    do {
        sum += c->value;
        x ^= sum;
        c = c->next;
    } while (c);
    return sum ^ x;
}

NOINLINE static uint64_t fold_words(const uint64_t *p, long n)
{
    uint64_t h = 0, g = 1;
    do {
        h += *p++;
        h ^= g;
        g += h;
    } while (--n);
    return h ^ g;
}

NOINLINE static uint64_t prefix_xor(uint64_t *p, long n)
{
    uint64_t acc = 0;
    do {
        acc ^= *p;
        *p++ = acc;
    } while (--n);
    return acc;
}

static void setup(uint64_t *s)
{
    for (int i = 0; i < CELLS; i++) {
        uint64_t r = xorshift64(s);
        ps[i].x = (int32_t)(r % (1u << WALL_BITS));
        ps[i].y = (int32_t)((r >> 20) % (1u << WALL_BITS));
        ps[i].vx = (int32_t)(r >> 40 & 0x3fff) - 0x2000;
        ps[i].vy = (int32_t)(r >> 50 & 0x3fff) - 0x2000;
        ring[i].value = xorshift64(s);
    }
    /* The list visits the cells in a scattered order: i -> i + 97, the
     * last one (i = 159) ending it. */
    for (int i = 0; i < CELLS; i++)
        ring[i].next = (i + 97) % CELLS ? &ring[(i + 97) % CELLS] : 0;
    for (int i = 0; i < WORDS; i++)
        words[i] = xorshift64(s);
}

uint64_t rvc_dense(void)
{
    uint64_t h = 1, s = SEED;
    setup(&s);
    for (int r = 0; r < ROUNDS; r++) {
        h = mix64(h, particles_step(ps, CELLS));
        h = mix64(h, list_walk(&ring[0], (uint64_t)r));
        h = mix64(h, fold_words(words, WORDS));
        h = mix64(h, prefix_xor(words, WORDS));
        words[r % WORDS] ^= (uint64_t)ps[r % CELLS].x << 32 | (uint32_t)ps[r % CELLS].y;
        ring[r % CELLS].value += h;
    }
    return h;
}

/* The result, computed on the host by rvc-dense-host.c. */
#define EXPECTED 0x1225227868674aa0ull

#ifndef HOST
int main(void)
{
    return rvc_dense() == EXPECTED ? 0 : 1;
}
#endif
