/* Prints sha256's result computed on the host, for sha256.c's EXPECTED. */
#include <stdio.h>
#define HOST
#include "sha256.c"

int main(void)
{
    char hex[65];
    sha256_bench(hex);
    printf("\"%s\"\n", hex);
    return 0;
}
