/* matmul: double-precision matrix multiply, C = A x B with N x N matrices
 * (96 x 96), ROUNDS times; each round's C, scaled by 1/8 (exact), becomes
 * the next round's A, and one element of B changes. The i-k-j loop order:
 * an inner loop of loads, fmul.d, fadd.d and a store along rows.
 * Reproducible bit for bit: only IEEE additions and multiplications in a
 * fixed order, no fused multiply-add (build.sh and the host build use
 * -ffp-contract=off), round to nearest even.
 * Self-check: a checksum of the bits of every round's C must equal
 * EXPECTED, computed on the host by matmul-host.c from this same code. */

#include "bench.h"

#define N 96
#define ROUNDS 40
#define SEED 0x452821e638d01377ull

static double a[N][N], b[N][N], c[N][N];

static void multiply(void)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            c[i][j] = 0.0;
        for (int k = 0; k < N; k++) {
            double aik = a[i][k];
            for (int j = 0; j < N; j++)
                c[i][j] = c[i][j] + aik * b[k][j];
        }
    }
}

uint64_t matmul_bench(void)
{
    uint64_t seed = SEED, h = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = uniform(&seed);
            b[i][j] = uniform(&seed);
        }
    for (int r = 0; r < ROUNDS; r++) {
        multiply();
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                h = mix64(h, bits_of(c[i][j]));
                a[i][j] = c[i][j] * 0.125;
            }
        b[r % N][(r * 7) % N] += 0.5;
    }
    return h;
}

/* The result, computed on the host by matmul-host.c. */
#define EXPECTED 0xdcf8e9930d5e1bc0ull

#ifndef HOST
int main(void)
{
    return matmul_bench() == EXPECTED ? 0 : 1;
}
#endif
