/*
 * hello - the README's demo program: greets on the UART, names the ISA that
 * misa reports, and passes.
 */
#include "rt.h"

const char rt_test_name[] = "hello";

/*
 * misa (privileged spec, "Machine ISA Register misa"): MXL in bits 63:62
 * (1 = 32, 2 = 64, 3 = 128 bits); bit n of the Extensions field stands for
 * the letter 'A' + n. Letters are printed in the order the unprivileged
 * spec's ISA naming conventions use, then any others alphabetically.
 */
static const char canonical_order[] = "IEMAFDQCBJTPVHN";

static int listed(char c)
{
    for (const char *p = canonical_order; *p; p++)
        if (*p == c)
            return 1;
    return 0;
}

int test_main(void)
{
    rt_puts("Hello from rivet!\n");

    unsigned long misa = csr_read(misa);
    unsigned long mxl = misa >> 62;
    char isa[40];
    int n = 0;

    isa[n++] = 'r';
    isa[n++] = 'v';
    if (mxl == 1) {
        isa[n++] = '3';
        isa[n++] = '2';
    } else if (mxl == 2) {
        isa[n++] = '6';
        isa[n++] = '4';
    } else {
        isa[n++] = '?';
    }
    for (const char *p = canonical_order; *p; p++)
        if (misa & (1ul << (*p - 'A')))
            isa[n++] = (char)(*p - 'A' + 'a');
    for (char c = 'A'; c <= 'Z'; c++)
        if (!listed(c) && (misa & (1ul << (c - 'A'))))
            isa[n++] = (char)(c - 'A' + 'a');
    isa[n++] = '\n';
    isa[n] = 0;
    rt_puts("This hart is ");
    rt_puts(isa);

    /* Test 1: an RV64 hart reports MXL = 2 (or misa = 0: not implemented). */
    if (misa != 0 && mxl != 2)
        return 1;
    return 0;
}
