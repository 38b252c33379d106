/* Prints interp-goto's result computed on the host, for interp-goto.c's
 * EXPECTED, after checking it against the same computations written
 * directly in C (exit status 1 if they disagree). */
#include <inttypes.h>
#include <stdio.h>
#define HOST
#include "interp-goto.c"

static uint64_t fib_c(uint64_t n)
{
    return n < 2 ? n : fib_c(n - 1) + fib_c(n - 2);
}

static uint64_t gcd_c(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int main(void)
{
    static uint8_t composite[SIEVE_N];
    static uint64_t a[SORT_N];
    uint64_t h = 1, seed = 12345;
    for (int round = 0; round < REPEAT; round++) {
        uint64_t count = 0, sum = 0;
        for (uint64_t i = 0; i < SIEVE_N; i++)
            composite[i] = 0;
        for (uint64_t i = 2; i < SIEVE_N; i++)
            if (!composite[i]) {
                count++;
                sum += i;
                for (uint64_t j = i * i; j < SIEVE_N; j += i)
                    composite[j] = 1;
            }
        for (int i = 0; i < SORT_N; i++)
            a[i] = xorshift64(&seed) & 0x7fff;
        for (int i = 1; i < SORT_N; i++) {
            uint64_t v = a[i];
            int j = i - 1;
            for (; j >= 0 && a[j] > v; j--)
                a[j + 1] = a[j];
            a[j + 1] = v;
        }
        uint64_t weighted = 0;
        for (int i = 0; i < SORT_N; i++)
            weighted += a[i] * (uint64_t)(i + 1);
        uint64_t gcds = 0;
        for (uint64_t i = 1; i <= GCD_N; i++)
            for (uint64_t j = 1; j <= GCD_N; j++)
                gcds += gcd_c(i, j);
        uint64_t f = fib_c(FIB_N);
        if (round == 0)
            fprintf(stderr, "primes below %d: %" PRIu64 ", sum %" PRIu64 "; sorted weighted sum %" PRIu64
                    "; gcd sum %" PRIu64 "; fib(%d) = %" PRIu64 "\n",
                    SIEVE_N, count, sum, weighted, gcds, FIB_N, f);
        h = mix64(h, count);
        h = mix64(h, sum);
        h = mix64(h, weighted);
        h = mix64(h, gcds);
        h = mix64(h, f);
    }
    uint64_t vm = interp_goto();
    fprintf(stderr, "interp-goto: %" PRIu32 " instructions; direct C %s the interpreter\n", at,
            h == vm ? "agrees with" : "DISAGREES with");
    printf("0x%016" PRIx64 "ull\n", vm);
    return h == vm ? 0 : 1;
}
