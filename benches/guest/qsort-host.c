/* Prints qsort's result computed on the host, for qsort.c's EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "qsort.c"

int main(void)
{
    printf("0x%016" PRIx64 "ull\n", qsort_bench());
    return 0;
}
