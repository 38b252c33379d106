/* intmix: a compute-bound integer workload for measuring rivet's
 * instruction throughput. It mixes what compiled code does most: a
 * table-driven CRC-32, an xorshift generator feeding an insertion sort,
 * a hash over the sorted array, and multiplications and divisions.
 * A fixed amount of work, and a self-check: the result must match the
 * value computed on the host from the same definition (see EXPECTED). */

#include <stdint.h>

#define N 256
#define ROUNDS 900

static uint32_t crc_table[256];
static uint32_t data[N];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, int len, uint32_t crc)
{
    crc = ~crc;
    for (int i = 0; i < len; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void insertion_sort(uint32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

/* The result, computed on the host by intmix-host.c from this same code. */
#define EXPECTED 0x6b514e94u

uint32_t intmix(void)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    uint32_t acc = 0;
    crc_init();
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++)
            data[i] = (uint32_t)xorshift(&seed);
        insertion_sort(data, N);
        acc = crc32((const uint8_t *)data, sizeof data, acc);
        for (int i = 0; i < N; i += 7) {
            uint64_t m = (uint64_t)data[i] * (data[(i + 3) % N] | 1);
            acc ^= (uint32_t)(m / (uint64_t)(data[(i + 5) % N] | 1)) + (uint32_t)(m % 1000003u);
        }
    }
    return acc;
}

#ifndef HOST
int main(void)
{
    return intmix() == EXPECTED ? 0 : 1;
}
#endif
