/* Prints mix's result computed on the host, for mix.c's
 * EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "mix.c"

int main(void)
{
    printf("0x%016" PRIx64 "ull\n", mix_bench());
    return 0;
}
