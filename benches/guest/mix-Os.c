/* mix built with -Os instead of -O2 (build.sh): smaller code, more calls
 * (about half of its instructions compressed, as at -O2). Same EXPECTED as
 * mix. */
#include "mix.c"
