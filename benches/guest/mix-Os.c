/* mix built with -Os instead of -O2 (build.sh): small code, more calls,
 * most instructions compressed. Same EXPECTED as mix. */
#include "mix.c"
