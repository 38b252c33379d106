/* coremark-like: the mix of small kernels an embedded-style integer
 * benchmark exercises, written from scratch for rivet. Every iteration
 *
 *  - builds a singly linked list of RECORDS small records from a node pool,
 *    looks records up by key and by id, unlinks and re-links some, reverses
 *    it, and merge-sorts it twice (by key, then back by id) through a
 *    comparison function pointer;
 *  - scans a buffer of comma-separated tokens (decimal and hexadecimal
 *    integers, fractions, exponents, identifiers and malformed ones) with
 *    a switch-driven state machine: the switch on the state compiles to a
 *    jump table (objdump shows the indirect `jr` and its table in .rodata);
 *  - runs int16 x int16 -> int32 matrix kernels (add a constant, multiply
 *    by a vector, multiply two matrices, a masked bit-field sum);
 *  - folds every part's results into a CRC-16 (bit at a time).
 *
 * Many small functions (several kept out of line), calls through pointers,
 * short loops, dense branches. The seed of each iteration is the CRC of the
 * one before, so no iteration repeats another's work.
 * Self-check: a 64-bit hash of every iteration's CRCs must equal EXPECTED,
 * computed on the host by coremark-like-host.c from this same code. */

#include "bench.h"

#define ITERATIONS 2000
#define RECORDS 96
#define TOKENS 48
#define MAT 12
#define SEED 0x2545f4914f6cdd1dull

#define NOINLINE __attribute__((noinline))

/* CRC-16, polynomial x^16 + x^12 + x^5 + 1 (0x1021), MSB first. */

NOINLINE static uint16_t crc16_byte(uint16_t crc, uint8_t b)
{
    crc ^= (uint16_t)(b << 8);
    for (int k = 0; k < 8; k++)
        crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    return crc;
}

static uint16_t crc16_u16(uint16_t crc, uint16_t v)
{
    crc = crc16_byte(crc, (uint8_t)v);
    return crc16_byte(crc, (uint8_t)(v >> 8));
}

static uint16_t crc16_u32(uint16_t crc, uint32_t v)
{
    crc = crc16_u16(crc, (uint16_t)v);
    return crc16_u16(crc, (uint16_t)(v >> 16));
}

/* Part 1: a linked list of small records. */

struct rec {
    struct rec *next;
    int16_t key;
    uint16_t id;
    uint32_t payload;
};

static struct rec pool[RECORDS];

typedef int (*rec_cmp)(const struct rec *, const struct rec *);

NOINLINE static int cmp_key(const struct rec *a, const struct rec *b)
{
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

NOINLINE static int cmp_id(const struct rec *a, const struct rec *b)
{
    return (int)a->id - (int)b->id;
}

/* Links the pool in order, keys and payloads from the generator. */
static struct rec *list_build(uint64_t *s)
{
    for (int i = 0; i < RECORDS; i++) {
        uint64_t x = xorshift64(s);
        pool[i].next = i + 1 < RECORDS ? &pool[i + 1] : 0;
        pool[i].key = (int16_t)(x & 0x3ff) - 512;
        pool[i].id = (uint16_t)i;
        pool[i].payload = (uint32_t)(x >> 32);
    }
    return &pool[0];
}

/* Position of the first record with this key, or -1. */
NOINLINE static int list_find_key(const struct rec *p, int16_t key)
{
    for (int pos = 0; p; p = p->next, pos++)
        if (p->key == key)
            return pos;
    return -1;
}

/* The record with this id, or 0. */
NOINLINE static struct rec *list_find_id(struct rec *p, uint16_t id)
{
    while (p && p->id != id)
        p = p->next;
    return p;
}

/* Unlinks the record with this id; returns the new head and, in *out, the
 * record (0 if absent). */
NOINLINE static struct rec *list_remove(struct rec *head, uint16_t id, struct rec **out)
{
    struct rec **link = &head;
    while (*link && (*link)->id != id)
        link = &(*link)->next;
    *out = *link;
    if (*link)
        *link = (*link)->next;
    return head;
}

static void list_insert_after(struct rec *at, struct rec *r)
{
    r->next = at->next;
    at->next = r;
}

NOINLINE static struct rec *list_reverse(struct rec *p)
{
    struct rec *done = 0;
    while (p) {
        struct rec *next = p->next;
        p->next = done;
        done = p;
        p = next;
    }
    return done;
}

/* Merges two sorted lists. */
static struct rec *list_merge(struct rec *a, struct rec *b, rec_cmp cmp)
{
    struct rec head, *tail = &head;
    while (a && b) {
        if (cmp(a, b) <= 0) {
            tail->next = a;
            a = a->next;
        } else {
            tail->next = b;
            b = b->next;
        }
        tail = tail->next;
    }
    tail->next = a ? a : b;
    return head.next;
}

/* Merge sort: splits with a slow and a fast pointer, sorts the halves. */
NOINLINE static struct rec *list_sort(struct rec *p, rec_cmp cmp)
{
    if (!p || !p->next)
        return p;
    struct rec *slow = p, *fast = p->next;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
    }
    struct rec *second = slow->next;
    slow->next = 0;
    return list_merge(list_sort(p, cmp), list_sort(second, cmp), cmp);
}

static uint16_t list_crc(const struct rec *p, uint16_t crc)
{
    for (; p; p = p->next)
        crc = crc16_u16(crc16_u16(crc, (uint16_t)p->key), p->id);
    return crc;
}

static uint16_t list_work(uint64_t *s)
{
    struct rec *head = list_build(s);
    uint16_t crc = 0;
    /* Look keys up: those of some records, and some at random. */
    for (int i = 0; i < 12; i++) {
        int16_t key = (i & 1) ? pool[(xorshift64(s) % RECORDS)].key
                              : (int16_t)((xorshift64(s) & 0x3ff) - 512);
        crc = crc16_u16(crc, (uint16_t)list_find_key(head, key));
    }
    /* Move some records elsewhere. */
    for (int i = 0; i < 8; i++) {
        struct rec *r;
        head = list_remove(head, (uint16_t)(xorshift64(s) % RECORDS), &r);
        struct rec *at = list_find_id(head, (uint16_t)(xorshift64(s) % RECORDS));
        if (r && at)
            list_insert_after(at, r);
        else if (r) {
            r->next = head;
            head = r;
        }
    }
    crc = list_crc(head, crc);
    head = list_reverse(head);
    crc = crc16_u16(crc, (uint16_t)head->key);
    head = list_sort(head, cmp_key);
    crc = list_crc(head, crc);
    head = list_sort(head, cmp_id);
    for (const struct rec *p = head; p; p = p->next)
        crc = crc16_u32(crc, p->payload);
    return crc;
}

/* Part 2: a switch-driven state machine over comma-separated tokens. */

enum state {
    S_START, S_SIGN, S_ZERO, S_INT, S_HEX_X, S_HEX, S_DOT, S_FRAC,
    S_EXP, S_EXP_SIGN, S_EXP_INT, S_IDENT, S_BAD, N_STATES,
};

static uint8_t text[TOKENS * 12];
static int text_len;

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(uint8_t c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

static int is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || c == '_';
}

/* The next state from `st` on character `c`. */
NOINLINE static enum state step(enum state st, uint8_t c)
{
    switch (st) {
    case S_START:
        if (c == '+' || c == '-')
            return S_SIGN;
        if (c == '0')
            return S_ZERO;
        if (is_digit(c))
            return S_INT;
        if (c == '.')
            return S_DOT;
        return is_alpha(c) ? S_IDENT : S_BAD;
    case S_SIGN:
        if (c == '0')
            return S_ZERO;
        if (is_digit(c))
            return S_INT;
        return c == '.' ? S_DOT : S_BAD;
    case S_ZERO:
        if (c == 'x')
            return S_HEX_X;
        if (c == '.')
            return S_DOT;
        return is_digit(c) ? S_INT : S_BAD;
    case S_INT:
        if (is_digit(c))
            return S_INT;
        if (c == '.')
            return S_DOT;
        return c == 'e' ? S_EXP : S_BAD;
    case S_HEX_X:
    case S_HEX:
        return is_hex(c) ? S_HEX : S_BAD;
    case S_DOT:
        return is_digit(c) ? S_FRAC : S_BAD;
    case S_FRAC:
        if (is_digit(c))
            return S_FRAC;
        return c == 'e' ? S_EXP : S_BAD;
    case S_EXP:
        if (c == '+' || c == '-')
            return S_EXP_SIGN;
        return is_digit(c) ? S_EXP_INT : S_BAD;
    case S_EXP_SIGN:
    case S_EXP_INT:
        return is_digit(c) ? S_EXP_INT : S_BAD;
    case S_IDENT:
        return is_alpha(c) || is_digit(c) ? S_IDENT : S_BAD;
    default:
        return S_BAD;
    }
}

static const uint8_t alphabet[] = "0123456789abcdefx.+-e_0x1.5e";

/* Fills the text with TOKENS tokens of 1 to 10 characters from a skewed
 * alphabet, so that all the token kinds occur. */
static void text_build(uint64_t *s)
{
    int n = 0;
    for (int t = 0; t < TOKENS; t++) {
        uint64_t x = xorshift64(s);
        int len = 1 + (int)(x % 10);
        x >>= 8;
        /* A third of the tokens are well-formed numbers of some kind. */
        int kind = (int)(x % 6);
        x >>= 3;
        for (int i = 0; i < len; i++) {
            uint8_t c;
            if (kind == 0)
                c = (uint8_t)('0' + (x >> (4 * (i % 12))) % 10);
            else if (kind == 1)
                c = i == 0 ? '0' : i == 1 ? 'x' : alphabet[(x >> (3 * (i % 16))) % 16];
            else
                c = alphabet[(x >> (5 * (i % 10))) % (sizeof alphabet - 1)];
            text[n++] = c;
        }
        text[n++] = ',';
    }
    text_len = n;
}

static uint16_t scan_work(uint64_t *s, uint16_t crc)
{
    uint32_t finals[N_STATES] = {0};
    uint32_t transitions = 0;
    text_build(s);
    enum state st = S_START;
    for (int i = 0; i < text_len; i++) {
        uint8_t c = text[i];
        if (c == ',') {
            finals[st]++;
            st = S_START;
        } else {
            enum state next = step(st, c);
            transitions += next != st;
            st = next;
        }
    }
    for (int k = 0; k < N_STATES; k++)
        crc = crc16_u16(crc, (uint16_t)finals[k]);
    return crc16_u32(crc, transitions);
}

/* Part 3: int16 matrices, int32 results. */

static int16_t ma[MAT][MAT], mb[MAT][MAT];
static int32_t mc[MAT][MAT];
static int16_t vec[MAT];
static int32_t out[MAT];

static void mat_fill(uint64_t *s)
{
    for (int i = 0; i < MAT; i++) {
        for (int j = 0; j < MAT; j++) {
            uint64_t x = xorshift64(s);
            ma[i][j] = (int16_t)((x & 0xfff) - 2048);
            mb[i][j] = (int16_t)(((x >> 16) & 0xfff) - 2048);
        }
        vec[i] = (int16_t)((xorshift64(s) & 0xfff) - 2048);
    }
}

NOINLINE static void mat_add_const(int16_t m[MAT][MAT], int16_t v)
{
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++)
            m[i][j] = (int16_t)(((m[i][j] + v) & 0xfff) - 2048);
}

NOINLINE static void mat_mul_vec(int32_t *r, int16_t m[MAT][MAT], const int16_t *v)
{
    for (int i = 0; i < MAT; i++) {
        int32_t acc = 0;
        for (int j = 0; j < MAT; j++)
            acc += (int32_t)m[i][j] * v[j];
        r[i] = acc;
    }
}

NOINLINE static void mat_mul(int32_t r[MAT][MAT], int16_t a[MAT][MAT], int16_t b[MAT][MAT])
{
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            int32_t acc = 0;
            for (int k = 0; k < MAT; k++)
                acc += (int32_t)a[i][k] * b[k][j];
            r[i][j] = acc;
        }
}

/* Sums a bit field of each product; counts the products above a limit. */
NOINLINE static uint32_t mat_mul_bits(int16_t a[MAT][MAT], int16_t b[MAT][MAT], int32_t limit)
{
    uint32_t sum = 0, above = 0;
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            int32_t p = (int32_t)a[i][j] * b[j][i];
            sum += ((uint32_t)p >> 3) & 0x7f;
            above += p > limit;
        }
    return sum << 8 ^ above;
}

static uint16_t mat_work(uint64_t *s, uint16_t crc)
{
    mat_fill(s);
    mat_add_const(ma, (int16_t)(crc & 0xff));
    mat_mul_vec(out, ma, vec);
    for (int i = 0; i < MAT; i++)
        crc = crc16_u32(crc, (uint32_t)out[i]);
    mat_mul(mc, ma, mb);
    for (int i = 0; i < MAT; i++)
        crc = crc16_u32(crc, (uint32_t)mc[i][i] ^ (uint32_t)mc[i][MAT - 1 - i]);
    /* The product, cut back to int16, times the first matrix again. */
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++)
            mb[i][j] = (int16_t)(((mc[i][j] >> 12) & 0xfff) - 2048);
    mat_mul(mc, mb, ma);
    for (int i = 0; i < MAT; i++)
        crc = crc16_u32(crc, (uint32_t)mc[MAT - 1][i]);
    return crc16_u32(crc, mat_mul_bits(ma, mb, (int32_t)(crc & 0xffff) << 4));
}

uint64_t coremark_like(void)
{
    uint64_t h = 1, s = SEED;
    uint16_t crc = 0xffff;
    for (int it = 0; it < ITERATIONS; it++) {
        uint16_t list = list_work(&s);
        uint16_t scan = scan_work(&s, list);
        crc = mat_work(&s, scan);
        h = mix64(h, (uint64_t)list << 32 | (uint64_t)scan << 16 | crc);
        s ^= (uint64_t)crc << 24 | 1;
    }
    return h;
}

/* The result, computed on the host by coremark-like-host.c. */
#define EXPECTED 0x5bbec8367ba10cddull

#ifndef HOST
int main(void)
{
    return coremark_like() == EXPECTED ? 0 : 1;
}
#endif
