/* Prints recursive's result computed on the host, for recursive.c's
 * EXPECTED, after checking fib, Ackermann and queens against known values
 * (exit status 1 if one disagrees). */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "recursive.c"

int main(void)
{
    /* fib by iteration; A(3, n) = 2^(n + 3) - 3; the counts of solutions of
     * the 8- and 9-queens problems are 92 and 352. */
    uint64_t a = 0, b = 1;
    for (int i = 0; i < FIB_N; i++) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    int ok = fib(FIB_N) == a && fib(FIB_N + 1) == b &&
             ackermann(3, ACK_N) == (1ull << (ACK_N + 3)) - 3 &&
             queens(8, 0, 0, 0) == 92 && queens(9, 0, 0, 0) == 352;
    fprintf(stderr, "fib(%d) = %" PRIu64 ", A(3, %d) = %" PRIu64 ", tak(%d, %d, %d) = %d, "
            "%d-queens: %u solutions; %s\n", FIB_N, fib(FIB_N), ACK_N, ackermann(3, ACK_N),
            TAK_X, TAK_Y, TAK_Z, tak(TAK_X, TAK_Y, TAK_Z), QUEENS, queens(QUEENS, 0, 0, 0),
            ok ? "as known" : "NOT AS KNOWN");
    printf("0x%016" PRIx64 "ull\n", recursive_bench());
    return ok ? 0 : 1;
}
