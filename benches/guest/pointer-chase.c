/* pointer-chase: a singly linked list of NODES 64-byte nodes (4 MiB), linked
 * in a random order (a Fisher-Yates shuffle), walked LAPS times around,
 * folding each node's payload into a hash. Every step is a dependent load
 * from a different cache line and, most of the time, a different 4 KiB page:
 * a cache- and TLB-hostile walk (see pointer-chase-sv39 for the same under
 * paging).
 * Self-check: every lap ends back at the first node after exactly NODES
 * steps (the list is one cycle through every node), and the hash must equal
 * EXPECTED, computed on the host by pointer-chase-host.c from this same
 * code (the payloads, not the addresses, are hashed). */

#include "bench.h"

#define NODES (64 * 1024)
#define LAPS 100
#define SEED 0x082efa98ec4e6c89ull

struct node {
    struct node *next;
    uint64_t payload;
    uint64_t pad[6];
};

static struct node nodes[NODES];
static uint32_t order[NODES];

uint64_t pointer_chase_bench(void)
{
    uint64_t seed = SEED;
    for (uint32_t i = 0; i < NODES; i++) {
        order[i] = i;
        nodes[i].payload = xorshift64(&seed);
    }
    for (uint32_t i = NODES - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(xorshift64(&seed) % (i + 1));
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (uint32_t i = 0; i < NODES; i++)
        nodes[order[i]].next = &nodes[order[(i + 1) % NODES]];
    struct node *start = &nodes[order[0]], *p = start;
    uint64_t h = 0xcbf29ce484222325ull;
    for (int lap = 0; lap < LAPS; lap++) {
        for (uint32_t k = 0; k < NODES; k++) {
            h = (h ^ p->payload) * 0x100000001b3ull;
            p = p->next;
        }
        if (p != start)
            return 0;
    }
    return h;
}

/* The result, computed on the host by pointer-chase-host.c. */
#define EXPECTED 0x1aa7497ff5d5c9f5ull

#ifndef HOST
int main(void)
{
    return pointer_chase_bench() == EXPECTED ? 0 : 1;
}
#endif
