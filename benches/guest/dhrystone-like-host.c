/* Prints dhrystone-like's result computed on the host, for dhrystone-like.c's
 * EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "dhrystone-like.c"

int main(void)
{
    printf("0x%016" PRIx64 "ull\n", dhrystone_like());
    return 0;
}
