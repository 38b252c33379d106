/*
 * gdb-target - a program for the GDB stub's tests (frontend/tests/gdb.rs)
 * to debug: a function to break in, variables to watch and change, and a
 * result that tells whether the debugger's writes took effect. Run alone
 * it passes; the test's debugger changes `bias` and checks the exit code.
 */
#include "rt.h"

const char rt_test_name[] = "gdb-target";

/* Written by bump() on every call: a write watchpoint's target. */
volatile unsigned long counter;
/* Read by bump() on every call: a read watchpoint's target. */
volatile unsigned long bias;
unsigned long history[8];
/* Nonzero: test_main waits here until a debugger clears it. */
volatile unsigned long hold;

/* Returns 0 unless a debugger patched its code after its first call (it
 * has been decoded by then: the patch must reach the decode cache). */
__attribute__((noipa)) unsigned long answer(void)
{
    return 0;
}

__attribute__((noinline)) void bump(unsigned long i)
{
    counter = counter + i + bias;
    history[i & 7] = counter;
}

int test_main(void)
{
    unsigned long first = answer();
    while (hold)
        ;
    for (unsigned long i = 1; i <= 10; i++)
        bump(i);
    counter += answer() - first;
    /* 1 + 2 + ... + 10 = 55, plus ten times the bias and what answer()
     * returns the second time (0 unless a debugger changed them): exit
     * code 0 for 55, else the low bits of the difference. */
    return (int)((counter - 55) & 0x7f);
}
