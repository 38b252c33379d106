/* Prints memcpy-memset's result computed on the host, for memcpy-memset.c's
 * EXPECTED, after replaying every phase with the C library's memcpy and
 * memset on a copy and comparing (exit status 1 on a difference). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#define HOST
#include "memcpy-memset.c"

static uint64_t ref[BYTES / 8];

int main(void)
{
    uint64_t seed = SEED;
    for (long i = 0; i < BYTES / 8; i++)
        src_words[i] = xorshift64(&seed);
    int bad = 0;
    for (int r = 0; r < ROUNDS; r++) {
        struct phase p[8];
        int n = phases(r, p);
        for (int k = 0; k < n; k++) {
            if (p[k].dst + p[k].len > BYTES || p[k].src + p[k].len > BYTES) {
                fprintf(stderr, "round %d phase %d: out of bounds\n", r, k);
                return 1;
            }
            run_phase(&p[k]);
            uint8_t *d = (uint8_t *)ref + p[k].dst;
            const uint8_t *s = (const uint8_t *)src_words + p[k].src;
            if (p[k].op == SET)
                memset(d, p[k].c, p[k].len);
            else
                memcpy(d, s, p[k].len);
            if (memcmp(ref, dst_words, BYTES) != 0) {
                fprintf(stderr, "round %d phase %d differs from libc\n", r, k);
                bad = 1;
            }
        }
    }
    if (!bad)
        fprintf(stderr, "every phase agrees with libc memcpy/memset\n");
    for (long i = 0; i < BYTES / 8; i++)
        dst_words[i] = 0;
    printf("0x%016" PRIx64 "ull\n", memcpy_memset_bench());
    return bad;
}
