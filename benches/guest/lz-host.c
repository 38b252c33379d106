/* Prints lz's result computed on the host, for lz.c's EXPECTED, and the
 * compression ratio of each round. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "lz.c"

int main(void)
{
    uint64_t seed = SEED;
    for (int r = 0; r < ROUNDS; r++) {
        make_text(&seed);
        long bits = compress(text, TEXT_BYTES, packed);
        fprintf(stderr, "round %d: %d bytes -> %ld bits (%.1f%%)\n", r, TEXT_BYTES, bits,
                100.0 * bits / 8 / TEXT_BYTES);
    }
    fprintf(stderr, "text: %.200s\n", (const char *)text);
    printf("0x%016" PRIx64 "ull\n", lz_bench());
    return 0;
}
