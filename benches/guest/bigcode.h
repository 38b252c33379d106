/* The work of bigcode's generated functions (gen-bigcode.py): function i
 * returns bigcode_work(x, i). In the generated code i is a constant, so
 * every function's instructions are its own (its constants, and one of
 * four shapes by i % 4); the host twin calls bigcode_work with i as a
 * variable instead, which checks that the generated code computes it. */
#ifndef BIGCODE_H
#define BIGCODE_H

#include <stdint.h>

static inline uint64_t bigcode_work(uint64_t x, uint32_t i)
{
    uint64_t k = (uint64_t)i * 0x9e3779b97f4a7c15ull ^ 0x632be59bd9b4e019ull;
    switch (i % 4) {
    case 0:
        x = (x ^ k) * 0xff51afd7ed558ccdull;
        x ^= x >> 29;
        break;
    case 1:
        x += k;
        x ^= x >> (i % 29 + 3);
        x += x << 11;
        break;
    case 2:
        x = (x << (i % 7 + 1)) ^ (x >> 5) ^ k;
        break;
    default:
        x -= k >> 3;
        x ^= x << 9;
        x ^= x >> (i % 13 + 17);
        break;
    }
    return x + i;
}

#endif
