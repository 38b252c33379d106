/* Prints bigcode's result computed on the host, for bigcode.c's
 * EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "bigcode.c"

int main(void)
{
    printf("0x%016" PRIx64 "ull\n", bigcode());
    return 0;
}
