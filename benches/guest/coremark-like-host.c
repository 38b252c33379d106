/* Prints coremark-like's result computed on the host, for coremark-like.c's
 * EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "coremark-like.c"

int main(void)
{
    printf("0x%016" PRIx64 "ull\n", coremark_like());
    return 0;
}
