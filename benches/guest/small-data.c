/* small-data: mutable variables in the same 4 KiB pages as the code that
 * runs, stored to in the hot loops, as in small firmware whose linker
 * script mixes code and data. An emulator that caches decoded code by page
 * must notice every store to a code page (the store may change code), so
 * these stores take its slow path; where they land close to the code, they
 * may throw decoded code away. The linker script small-data.ld lays out
 * three pages (the program checks the layout itself when it starts):
 *
 *  - near: a loop, with its variables right after it (within a few dozen
 *    bytes of its instructions);
 *  - far: a loop at the start of its page, its variables 2 KiB further on;
 *  - cold: code that runs once at start-up, with variables that a loop
 *    elsewhere (in ordinary .text) keeps storing to: a page that was code
 *    and has become data.
 *
 * Each of ROUNDS rounds runs the three loops for STEPS steps each: xorshift
 * values folded into a histogram, a ring buffer and a table, one store to
 * the page's variables a step (GCC keeps the running sum and the last
 * value in registers until the loop ends). Self-check: the hash of every round's results must equal EXPECTED,
 * computed on the host by small-data-host.c from this same code (where the
 * variables are ordinary data). */

#include "bench.h"

#define ROUNDS 24
#define STEPS 100000
#define SEED 0x510e527fade682d1ull

#define NOINLINE __attribute__((noinline))

/* The sections small-data.ld places; ordinary data on the host. */
#ifdef HOST
#define PLACE(name)
#else
#define PLACE(name) __attribute__((section(name)))
#endif

/* The near page: the loop, then its variables. */

PLACE(".sd.near.data") static uint64_t near_hist[16];
PLACE(".sd.near.data") static uint64_t near_last;

PLACE(".sd.near.code") NOINLINE static uint64_t near_loop(uint64_t x, long n)
{
    do {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        near_hist[x & 15] += x >> 48;
        near_last = x;
    } while (--n);
    return x;
}

/* The far page: the loop at its start, its variables half a page on. */

PLACE(".sd.far.data") static uint32_t far_ring[64];
PLACE(".sd.far.data") static uint64_t far_sum;

PLACE(".sd.far.code") NOINLINE static uint64_t far_loop(uint64_t x, long n)
{
    uint32_t i = 0;
    do {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        far_ring[i & 63] = (uint32_t)x;
        far_sum += far_ring[(i + 17) & 63];
        i++;
    } while (--n);
    return x;
}

/* The cold page: start-up code and a table the cold loop fills. */

PLACE(".sd.cold.data") static uint16_t cold_table[256];

PLACE(".sd.cold.code") NOINLINE static void cold_init(void)
{
    for (int i = 0; i < 256; i++)
        cold_table[i] = (uint16_t)(i * 0x9e37);
}

NOINLINE static uint64_t cold_loop(uint64_t x, long n)
{
    do {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        cold_table[x & 255] ^= (uint16_t)(x >> 32);
    } while (--n);
    return x;
}

uint64_t small_data(void)
{
    uint64_t h = 1, x = SEED;
    cold_init();
    for (int r = 0; r < ROUNDS; r++) {
        x = near_loop(x, STEPS);
        x = far_loop(x, STEPS);
        x = cold_loop(x, STEPS);
        h = mix64(h, x);
        h = mix64(h, near_last ^ far_sum);
        for (int i = 0; i < 16; i++)
            h = mix64(h, near_hist[i]);
        for (int i = 0; i < 64; i += 9)
            h = mix64(h, far_ring[i]);
        for (int i = 0; i < 256; i += 5)
            h = mix64(h, cold_table[i]);
    }
    return h;
}

/* The result, computed on the host by small-data-host.c. */
#define EXPECTED 0x0f652e275cd9e8bfull

#ifndef HOST
/* Whether code address `code` and variable `data` share a 4 KiB page. */
static int same_page(const void *code, const void *data)
{
    return (uintptr_t)code >> 12 == (uintptr_t)data >> 12;
}

int main(void)
{
    /* The layout small-data.ld promises: each page's variables with its
     * code, the near ones within 256 bytes of the end of their loop, the
     * far ones at least 2 KiB from the start of theirs. */
    uintptr_t near = (uintptr_t)near_loop, far = (uintptr_t)far_loop;
    if (!same_page(near_loop, near_hist) || !same_page(near_loop, &near_last) ||
        (uintptr_t)near_hist - near > 256 || !same_page(far_loop, far_ring) ||
        !same_page(far_loop, &far_sum) || (uintptr_t)far_ring - far < 2048 ||
        !same_page(cold_init, cold_table))
        return 2;
    return small_data() == EXPECTED ? 0 : 1;
}
#endif
