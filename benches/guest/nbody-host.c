/* Prints nbody's result computed on the host, for nbody.c's EXPECTED, and
 * the energy drift. Build with -ffp-contract=off (and SSE2 arithmetic, as
 * on x86-64). */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "nbody.c"

int main(void)
{
    uint64_t h = nbody_bench();
    fprintf(stderr, "energy %.17g -> %.17g\n", nbody_energy[0], nbody_energy[1]);
    printf("0x%016" PRIx64 "ull\n", h);
    return 0;
}
