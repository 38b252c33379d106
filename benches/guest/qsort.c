/* qsort: sorting pseudo-random 64-bit keys, N of them (2 MiB), ROUNDS
 * times each with two algorithms: quicksort (median-of-three pivot, Hoare
 * partition, recursion on the smaller side, insertion sort below a
 * cut-off) on full-range keys, and a bottom-up merge sort (ping-pong
 * between two arrays) on keys with many duplicates. Compares, unpredictable
 * branches, loads and stores over a few MiB.
 * Self-check: every output is sorted and holds the same multiset as the
 * input (sum and xor), and a checksum over all sorted outputs must equal
 * EXPECTED, computed on the host by qsort-host.c from this same code. */

#include "bench.h"

#define N (256 * 1024)
#define ROUNDS 4
#define CUTOFF 16
#define SEED 0xa4093822299f31d0ull

static uint64_t keys[N];
static uint64_t tmp[N];

static void insertion_sort(uint64_t *a, long n)
{
    for (long i = 1; i < n; i++) {
        uint64_t v = a[i];
        long j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static inline void swap(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

static void quicksort(uint64_t *a, long n)
{
    while (n > CUTOFF) {
        /* Median of the first, middle and last keys, left in a[0]. */
        long m = n / 2;
        if (a[m] < a[0])
            swap(&a[m], &a[0]);
        if (a[n - 1] < a[0])
            swap(&a[n - 1], &a[0]);
        if (a[n - 1] < a[m])
            swap(&a[n - 1], &a[m]);
        swap(&a[0], &a[m]);
        uint64_t pivot = a[0];
        /* Hoare: afterwards a[0..j] <= pivot <= a[j+1..n-1]. */
        long i = -1, j = n;
        for (;;) {
            do
                i++;
            while (a[i] < pivot);
            do
                j--;
            while (a[j] > pivot);
            if (i >= j)
                break;
            swap(&a[i], &a[j]);
        }
        long left = j + 1;
        if (left < n - left) {
            quicksort(a, left);
            a += left;
            n -= left;
        } else {
            quicksort(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

/* Sorts a (n keys) using t (n keys) as scratch; the result ends in a. */
static void merge_sort(uint64_t *a, uint64_t *t, long n)
{
    const long run = 8;
    for (long i = 0; i < n; i += run)
        insertion_sort(a + i, n - i < run ? n - i : run);
    uint64_t *src = a, *dst = t;
    for (long w = run; w < n; w *= 2) {
        for (long lo = 0; lo < n; lo += 2 * w) {
            long mid = lo + w < n ? lo + w : n;
            long hi = lo + 2 * w < n ? lo + 2 * w : n;
            long i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        uint64_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != a)
        for (long i = 0; i < n; i++)
            a[i] = src[i];
}

/* Returns checksum h extended with a (every 256th key and the sum), or 0
 * if a is not sorted or is not the input's multiset (its sum and xor). */
static uint64_t check(const uint64_t *a, long n, uint64_t sum, uint64_t x, uint64_t h)
{
    uint64_t s = 0, y = 0;
    for (long i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i])
            return 0;
        s += a[i];
        y ^= a[i];
        if ((i & 255) == 0)
            h = mix64(h, a[i]);
    }
    if (s != sum || y != x)
        return 0;
    return mix64(h, s);
}

uint64_t qsort_bench(void)
{
    uint64_t seed = SEED, h = 1;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t sum = 0, x = 0;
        for (long i = 0; i < N; i++) {
            keys[i] = xorshift64(&seed);
            sum += keys[i];
            x ^= keys[i];
        }
        quicksort(keys, N);
        if ((h = check(keys, N, sum, x, h)) == 0)
            return 0;
        sum = 0;
        x = 0;
        for (long i = 0; i < N; i++) {
            keys[i] = xorshift64(&seed) % 50000;
            sum += keys[i];
            x ^= keys[i];
        }
        merge_sort(keys, tmp, N);
        if ((h = check(keys, N, sum, x, h)) == 0)
            return 0;
    }
    return h;
}

/* The result, computed on the host by qsort-host.c. */
#define EXPECTED 0xad32e463d2f08520ull

#ifndef HOST
int main(void)
{
    return qsort_bench() == EXPECTED ? 0 : 1;
}
#endif
