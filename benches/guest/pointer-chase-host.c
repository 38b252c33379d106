/* Prints pointer-chase's result computed on the host, for pointer-chase.c's
 * EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "pointer-chase.c"

int main(void)
{
    printf("0x%016" PRIx64 "ull\n", pointer_chase_bench());
    return 0;
}
