/* Prints crc32's result computed on the host, for crc32.c's EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "crc32.c"

int main(void)
{
    printf("0x%016" PRIx64 "ull\n", crc32_bench());
    return 0;
}
