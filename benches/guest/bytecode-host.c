/* Prints bytecode's result computed on the host, for bytecode.c's EXPECTED,
 * after checking it against the same computations written directly in C
 * (exit status 1 if they disagree). */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "bytecode.c"

static int64_t fib_c(int64_t n)
{
    return n < 2 ? n : fib_c(n - 1) + fib_c(n - 2);
}

int main(void)
{
    uint64_t h = 1;
    for (int r = 0; r < REPEAT; r++) {
        int64_t count = 0, sum = 0, steps = 0;
        for (int64_t n = 2; n < PRIME_LIMIT; n++) {
            int prime = 1;
            for (int64_t d = 2; d * d <= n; d++)
                if (n % d == 0) {
                    prime = 0;
                    break;
                }
            if (prime) {
                count++;
                sum += n;
            }
        }
        for (int64_t i = 1; i <= COLLATZ_N; i++)
            for (int64_t x = i; x != 1; steps++)
                x = x % 2 ? 3 * x + 1 : x / 2;
        int64_t f = fib_c(FIB_N);
        if (r == 0)
            fprintf(stderr, "primes below %d: %" PRId64 ", sum %" PRId64 "; fib(%d) = %" PRId64
                    "; Collatz steps of 1..%d: %" PRId64 "\n",
                    PRIME_LIMIT, count, sum, FIB_N, f, COLLATZ_N, steps);
        h = mix64(h, (uint64_t)count);
        h = mix64(h, (uint64_t)sum);
        h = mix64(h, (uint64_t)f);
        h = mix64(h, (uint64_t)steps);
    }
    uint64_t vm = bytecode_bench();
    fprintf(stderr, "bytecode: %d bytes; direct C %s the interpreter\n", at,
            h == vm ? "agrees with" : "DISAGREES with");
    printf("0x%016" PRIx64 "ull\n", vm);
    return h == vm ? 0 : 1;
}
