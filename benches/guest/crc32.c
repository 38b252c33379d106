/* crc32: CRC-32 (the reflected polynomial 0xedb88320 of zlib, Ethernet and
 * PNG) of a generated 1 MiB buffer, two ways: table-driven, a byte a step
 * (loads, shifts, xors and a dependent table lookup), over the whole buffer
 * TABLE_ROUNDS times; and bitwise, a bit a step (a branch-free shift/mask
 * loop), over its first BITWISE_BYTES, BITWISE_ROUNDS times. Each round
 * continues the previous round's CRC, so the results are the CRCs of the
 * buffer (or its prefix) repeated.
 * Self-check: both CRCs must equal EXPECTED, computed on the host by
 * crc32-host.c from this same code and by Python's zlib.crc32 (checks.py),
 * and the two methods must agree on the prefix. */

#include "bench.h"

#define BUF_BYTES (1024 * 1024)
#define TABLE_ROUNDS 40
#define BITWISE_BYTES (64 * 1024)
#define BITWISE_ROUNDS 32
#define SEED 0x13198a2e03707344ull

static uint8_t buf[BUF_BYTES];
static uint32_t table[256];

static void crc32_make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
        table[i] = c;
    }
}

/* crc: the CRC of what came before (0 to start), as zlib's crc32(). */
static uint32_t crc32_table(const uint8_t *p, uint64_t len, uint32_t crc)
{
    crc = ~crc;
    for (uint64_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint32_t crc32_bitwise(const uint8_t *p, uint64_t len, uint32_t crc)
{
    crc = ~crc;
    for (uint64_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

/* The result: table CRC << 32 | bitwise CRC; 0 if the methods disagree. */
uint64_t crc32_bench(void)
{
    fill_random(buf, BUF_BYTES, SEED);
    crc32_make_table();
    if (crc32_table(buf, BITWISE_BYTES, 0) != crc32_bitwise(buf, BITWISE_BYTES, 0))
        return 0;
    uint32_t t = 0, b = 0;
    for (int r = 0; r < TABLE_ROUNDS; r++)
        t = crc32_table(buf, BUF_BYTES, t);
    for (int r = 0; r < BITWISE_ROUNDS; r++)
        b = crc32_bitwise(buf, BITWISE_BYTES, b);
    return (uint64_t)t << 32 | b;
}

/* The result, computed on the host by crc32-host.c and by checks.py. */
#define EXPECTED 0x5c9ca8d7c11c23a5ull

#ifndef HOST
int main(void)
{
    return crc32_bench() == EXPECTED ? 0 : 1;
}
#endif
