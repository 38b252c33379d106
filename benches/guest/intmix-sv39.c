/* intmix in S-mode with Sv39 paging on (4 KiB pages): the cost of
 * translation, compared with intmix itself (crt0.S, -DSV39). */
#include "intmix.c"
