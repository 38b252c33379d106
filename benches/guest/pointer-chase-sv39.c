/* pointer-chase in S-mode with Sv39 paging on: the shuffled walk over 4 MiB
 * (1024 pages of 4 KiB) misses any small TLB at almost every step, so this
 * measures the page-table walk and the TLB refill (crt0.S, -DSV39). */
#include "pointer-chase.c"
