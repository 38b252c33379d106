/* mix built with -O0 instead of -O2 (build.sh): every variable in memory,
 * so loads and stores to the stack dominate. Same EXPECTED as mix. */
#include "mix.c"
