/* Prints small-data's result computed on the host, for small-data.c's
 * EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "small-data.c"

int main(void)
{
    printf("0x%016" PRIx64 "ull\n", small_data());
    return 0;
}
