/* dhrystone-like: the shape of a classic "systems programming" synthetic
 * benchmark, written from scratch for rivet: many procedures with small
 * bodies, called with scalars, pointers and records; struct copies;
 * string copy and compare (our own: there is no library); a switch over an
 * enum; global scalars, characters, arrays and a global record pointer.
 * RUNS rounds of the same sequence of calls, with arguments that depend on
 * the round, so no round can be folded away.
 *
 * Self-check: a 64-bit hash of the final globals, records and strings, and
 * of a value each round returns, must equal EXPECTED, computed on the host
 * by dhrystone-like-host.c from this same code. */

#include "bench.h"

#define RUNS 500000
#define NAME_LEN 40
#define ARRAY 48

#define NOINLINE __attribute__((noinline))

enum color { RED, GREEN, BLUE, CYAN, MAGENTA, YELLOW, N_COLORS };

struct record {
    struct record *link;
    enum color color;
    int32_t number;
    int32_t weight;
    uint8_t name[NAME_LEN];
};

/* Globals, as such programs keep them. */
static struct record rec_a, rec_b, rec_c;
static struct record *g_rec;
static int32_t g_int, g_count;
static int g_flag;
static uint8_t g_char_a, g_char_b;
static int32_t g_array[ARRAY];
static int32_t g_matrix[ARRAY][ARRAY];
static uint8_t g_str_a[NAME_LEN], g_str_b[NAME_LEN];

/* Strings. */

NOINLINE static void str_copy(uint8_t *dst, const uint8_t *src)
{
    while ((*dst++ = *src++) != 0) {
    }
}

NOINLINE static int str_cmp(const uint8_t *a, const uint8_t *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (int)*a - (int)*b;
}

NOINLINE static int str_len(const uint8_t *s)
{
    int n = 0;
    while (s[n])
        n++;
    return n;
}

/* Procedures. */

NOINLINE static enum color color_next(enum color c, int32_t n)
{
    switch (c) {
    case RED:
        return n > 100 ? GREEN : BLUE;
    case GREEN:
        return (n & 3) ? CYAN : RED;
    case BLUE:
        return g_flag ? MAGENTA : YELLOW;
    case CYAN:
        return n < 0 ? RED : GREEN;
    case MAGENTA:
        return (enum color)((n & 1) ? BLUE : CYAN);
    case YELLOW:
        return g_int > n ? RED : MAGENTA;
    default:
        return RED;
    }
}

NOINLINE static int char_class(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return 1;
    if (c >= 'a' && c <= 'z')
        return 2;
    return c == ' ' ? 3 : 0;
}

NOINLINE static enum color chars_compare(uint8_t a, uint8_t b)
{
    if (a != b)
        return RED;
    g_char_a = a;
    return GREEN;
}

NOINLINE static int strings_decide(const uint8_t *a, const uint8_t *b)
{
    int k = 2;
    uint8_t c = 'A';
    while (k <= 2) {
        if (chars_compare(a[k], b[k + 1]) == RED) {
            c = 'A';
            k++;
        } else
            k += 2;
    }
    if (c >= 'W' && c < 'Z')
        k = 7;
    if (c == 'R')
        return 1;
    if (str_cmp(a, b) > 0) {
        g_int = k + 7;
        return 1;
    }
    return 0;
}

NOINLINE static void int_add(int32_t a, int32_t b, int32_t *out)
{
    *out = a + b + 2;
}

NOINLINE static void int_scale(int32_t *v)
{
    int32_t t = *v + 10;
    for (int i = 0; i < 3; i++) {
        if (g_char_a == 'A') {
            t -= 1;
            *v = t - g_int;
        }
        t++;
    }
}

NOINLINE static void arrays_update(int32_t *arr, int32_t (*mat)[ARRAY], int32_t i, int32_t v)
{
    int32_t at = i + 5;
    arr[at] = v;
    arr[at + 1] = arr[at];
    arr[at + 30] = at;
    for (int32_t j = at; j <= at + 1; j++)
        mat[at][j] = at;
    mat[at][at - 1] += 1;
    mat[at + 20][at] = arr[at];
    g_int = 5;
}

NOINLINE static void chars_update(void)
{
    g_flag = g_char_a == 'A';
    g_char_b = 'B';
}

NOINLINE static void chars_mark(void)
{
    g_flag = (g_char_a == 'A') | g_flag;
    g_char_a = (uint8_t)('A' + (g_count & 7));
}

NOINLINE static void record_link(struct record **p)
{
    if (g_rec)
        *p = g_rec->link;
    int_add(10, g_int, &g_rec->number);
}

/* The record procedure: copies the global record into the one r links to,
 * updates fields through calls, and copies back. */
NOINLINE static void record_update(struct record *r)
{
    struct record *next = r->link;
    *next = *g_rec;
    r->number = 5;
    next->number = r->number;
    next->link = r->link;
    record_link(&next->link);
    if (next->color == RED) {
        next->number = 6;
        next->color = color_next(r->color, r->number);
        next->link = g_rec->link;
        int_add(next->number, 10, &next->number);
    } else
        *r = *r->link;
}

static uint32_t round_work(int32_t run)
{
    int32_t a, b, c;
    enum color col;
    chars_mark();
    chars_update();
    g_rec->color = color_next(g_rec->color, run);
    a = 2 + (run & 7);
    b = 6;
    c = a ^ run;
    /* A name that changes with the round. */
    g_str_b[12] = (uint8_t)('A' + run % 26);
    str_copy(g_str_b + 20, (const uint8_t *)"XYZ");
    col = GREEN;
    g_flag = !strings_decide(g_str_a, g_str_b);
    while (a < b) {
        c = 5 * a - b;
        int_add(a, b, &c);
        a++;
    }
    arrays_update(g_array, g_matrix, a & 15, c);
    record_update(g_rec);
    for (uint8_t ch = 'A'; ch <= g_char_b; ch++) {
        if (col == chars_compare(ch, (uint8_t)('A' + (run & 1)))) {
            col = color_next(col, run);
            str_copy(g_str_b, (const uint8_t *)"DHRYSTONE-LIKE, THIRD NAME OF IT");
            b = run;
            g_int = run;
        }
    }
    b = b * a;
    c = b / (a | 1);
    b = 7 * (b - c) - a;
    int_scale(&a);
    g_count++;
    return (uint32_t)(a + b + c) ^ (uint32_t)char_class(g_str_b[12]) << 24 ^
           (uint32_t)str_len(g_str_b) << 16;
}

uint64_t dhrystone_like(void)
{
    g_rec = &rec_a;
    rec_a.link = &rec_b;
    rec_a.color = CYAN;
    rec_a.number = 40;
    rec_a.weight = 17;
    str_copy(rec_a.name, (const uint8_t *)"DHRYSTONE-LIKE, A RECORD NAME");
    rec_b.link = &rec_c;
    rec_c.link = &rec_a;
    str_copy(g_str_a, (const uint8_t *)"DHRYSTONE-LIKE, FIRST NAME OF IT");
    str_copy(g_str_b, (const uint8_t *)"DHRYSTONE-LIKE, SECOND NAME OF IT");
    g_matrix[8][7] = 10;
    uint64_t h = 1;
    uint32_t x = 0;
    for (int32_t run = 1; run <= RUNS; run++) {
        x = x * 31 + round_work(run);
        if ((run & 1023) == 0)
            h = mix64(h, x);
    }
    h = mix64(h, x);
    h = mix64(h, (uint64_t)(uint32_t)g_int << 32 | (uint32_t)g_count);
    h = mix64(h, (uint64_t)g_flag << 16 | (uint64_t)g_char_a << 8 | g_char_b);
    for (int i = 0; i < ARRAY; i++) {
        h = mix64(h, (uint32_t)g_array[i]);
        for (int j = 0; j < ARRAY; j++)
            h = mix64(h, (uint32_t)g_matrix[i][j]);
    }
    const struct record *recs[] = {&rec_a, &rec_b, &rec_c};
    for (int i = 0; i < 3; i++) {
        const struct record *r = recs[i];
        h = mix64(h, (uint64_t)(r->link == &rec_a ? 1 : r->link == &rec_b ? 2 : r->link == &rec_c ? 3 : 0));
        h = mix64(h, (uint64_t)r->color << 32 ^ (uint32_t)r->number);
        h = mix64(h, (uint32_t)r->weight);
        for (int k = 0; k < NAME_LEN; k++)
            h = mix64(h, r->name[k]);
    }
    for (int k = 0; k < NAME_LEN; k++)
        h = mix64(h, (uint64_t)g_str_a[k] << 8 | g_str_b[k]);
    return h;
}

/* The result, computed on the host by dhrystone-like-host.c. */
#define EXPECTED 0x669f69dbe9b5e12aull

#ifndef HOST
int main(void)
{
    return dhrystone_like() == EXPECTED ? 0 : 1;
}
#endif
