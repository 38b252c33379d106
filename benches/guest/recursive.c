/* recursive: workloads made of recursive calls: deep call chains, many
 * small frames, returns that the return-address predictor must get right.
 * Each of ROUNDS rounds runs
 *
 *  - fib(FIB_N) by naive double recursion;
 *  - Takeuchi's function tak(TAK_X, TAK_Y, TAK_Z);
 *  - Ackermann's function A(3, ACK_N) (recursion about 2^(ACK_N + 3)
 *    frames deep);
 *  - a binary search tree over a pool of TREE_N nodes: recursive insert of
 *    pseudo-random keys, then recursive sum, height, count of keys in a
 *    range, an in-order walk hashing the keys, and a mirror image;
 *  - the solutions of the QUEENS-queens problem by recursive backtracking
 *    over bit masks.
 *
 * The arguments move with the round (fib, tak and queens by the round
 * number's low bit, the tree's keys by the generator), so no round repeats
 * another. Self-check: the hash of every result must equal EXPECTED,
 * computed on the host by recursive-host.c from this same code; the host
 * program also checks fib, Ackermann and queens against known values. */

#include "bench.h"

#define ROUNDS 32
#define FIB_N 24
#define TAK_X 18
#define TAK_Y 12
#define TAK_Z 6
#define ACK_N 6
#define TREE_N 4096
#define QUEENS 9
#define SEED 0x6a09e667f3bcc909ull

#define NOINLINE __attribute__((noinline))

NOINLINE static uint64_t fib(uint32_t n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

NOINLINE static int32_t tak(int32_t x, int32_t y, int32_t z)
{
    if (y >= x)
        return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

NOINLINE static uint64_t ackermann(uint64_t m, uint64_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

/* The binary search tree: nodes from a pool, 0 is the empty tree. */

struct node {
    struct node *left, *right;
    uint32_t key;
    uint32_t count; /* how many times the key was inserted */
};

static struct node pool[TREE_N];
static int used;

NOINLINE static struct node *insert(struct node *t, uint32_t key)
{
    if (!t) {
        t = &pool[used++];
        t->left = t->right = 0;
        t->key = key;
        t->count = 1;
    } else if (key < t->key)
        t->left = insert(t->left, key);
    else if (key > t->key)
        t->right = insert(t->right, key);
    else
        t->count++;
    return t;
}

NOINLINE static uint64_t tree_sum(const struct node *t)
{
    if (!t)
        return 0;
    return tree_sum(t->left) + (uint64_t)t->key * t->count + tree_sum(t->right);
}

NOINLINE static uint32_t tree_height(const struct node *t)
{
    if (!t)
        return 0;
    uint32_t l = tree_height(t->left), r = tree_height(t->right);
    return 1 + (l > r ? l : r);
}

/* Keys in [lo, hi), skipping the subtrees that cannot hold any. */
NOINLINE static uint32_t tree_count_range(const struct node *t, uint32_t lo, uint32_t hi)
{
    if (!t)
        return 0;
    if (t->key < lo)
        return tree_count_range(t->right, lo, hi);
    if (t->key >= hi)
        return tree_count_range(t->left, lo, hi);
    return 1 + tree_count_range(t->left, lo, hi) + tree_count_range(t->right, lo, hi);
}

NOINLINE static uint64_t tree_walk(const struct node *t, uint64_t h)
{
    if (!t)
        return h;
    h = tree_walk(t->left, h);
    h = h * 0x100000001b3ull ^ t->key;
    return tree_walk(t->right, h);
}

NOINLINE static void tree_mirror(struct node *t)
{
    if (!t)
        return;
    struct node *l = t->left;
    t->left = t->right;
    t->right = l;
    tree_mirror(t->left);
    tree_mirror(t->right);
}

static uint64_t tree_work(uint64_t *s)
{
    struct node *root = 0;
    used = 0;
    for (int i = 0; i < TREE_N; i++)
        root = insert(root, (uint32_t)(xorshift64(s) % (TREE_N * 4)));
    uint64_t h = tree_sum(root);
    h = mix64(h, tree_height(root));
    h = mix64(h, (uint64_t)used);
    for (uint32_t lo = 0; lo < TREE_N * 4; lo += TREE_N / 2)
        h = mix64(h, tree_count_range(root, lo, lo + TREE_N / 3));
    h = mix64(h, tree_walk(root, 0));
    tree_mirror(root);
    h = mix64(h, tree_walk(root, 0));
    tree_mirror(root);
    return mix64(h, tree_walk(root, 0));
}

/* N queens: the solutions, placing one queen a row; cols, the diagonals
 * going left and right: the squares attacked in this row. */
NOINLINE static uint32_t queens(uint32_t n, uint32_t cols, uint32_t left, uint32_t right)
{
    uint32_t all = (1u << n) - 1;
    if (cols == all)
        return 1;
    uint32_t avail = all & ~(cols | left | right), count = 0;
    while (avail) {
        uint32_t bit = avail & -avail;
        avail ^= bit;
        count += queens(n, cols | bit, (left | bit) << 1 & all, (right | bit) >> 1);
    }
    return count;
}

uint64_t recursive_bench(void)
{
    uint64_t h = 1, s = SEED;
    for (uint32_t r = 0; r < ROUNDS; r++) {
        uint32_t odd = r & 1;
        h = mix64(h, fib(FIB_N + odd));
        h = mix64(h, (uint64_t)tak(TAK_X + (int32_t)odd, TAK_Y, TAK_Z));
        h = mix64(h, ackermann(3, ACK_N));
        h = mix64(h, tree_work(&s));
        h = mix64(h, queens(QUEENS - odd, 0, 0, 0));
    }
    return h;
}

/* The result, computed on the host by recursive-host.c. */
#define EXPECTED 0x767318378ad57a51ull

#ifndef HOST
int main(void)
{
    return recursive_bench() == EXPECTED ? 0 : 1;
}
#endif
