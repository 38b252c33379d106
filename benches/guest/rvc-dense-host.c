/* Prints rvc-dense's result computed on the host, for rvc-dense.c's
 * EXPECTED. */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "rvc-dense.c"

int main(void)
{
    printf("0x%016" PRIx64 "ull\n", rvc_dense());
    return 0;
}
