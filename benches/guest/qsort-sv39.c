/* qsort in S-mode with Sv39 paging on (4 KiB pages over its 4 MiB of keys
 * and scratch), compared with qsort itself (crt0.S, -DSV39). */
#include "qsort.c"
