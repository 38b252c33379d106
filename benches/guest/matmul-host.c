/* Prints matmul's result computed on the host, for matmul.c's EXPECTED.
 * Build with -ffp-contract=off (and SSE2 arithmetic, as on x86-64). */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "matmul.c"

int main(void)
{
    uint64_t h = matmul_bench();
    fprintf(stderr, "c[0][0] = %.17g, c[N-1][N-1] = %.17g\n", c[0][0], c[N - 1][N - 1]);
    printf("0x%016" PRIx64 "ull\n", h);
    return 0;
}
