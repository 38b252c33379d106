/* Prints intmix's result computed on the host, for intmix.c's EXPECTED. */
#include <stdio.h>
#define HOST
#include "intmix.c"

int main(void)
{
    printf("0x%08xu\n", intmix());
    return 0;
}
