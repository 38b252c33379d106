/*
 * rt.h - the runtime as seen from C test programs (see test.h for the
 * conventions). A C program defines rt_test_name and test_main; test_main
 * returns 0 for pass or the number (1..254) of the failing test.
 */
#ifndef RIVET_RT_H
#define RIVET_RT_H

#include "encoding.h"

extern const char rt_test_name[];
int test_main(void);

void rt_putc(int c);
void rt_puts(const char *s);
void rt_puthex(unsigned long v);
void rt_putdec(unsigned long v);

#define csr_read(csr)                                                        \
    ({                                                                       \
        unsigned long v_;                                                    \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));                       \
        v_;                                                                  \
    })

#endif
