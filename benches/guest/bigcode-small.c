/* bigcode with half as many functions (about 1,000 pages of code), each
 * called twice as often: the same number of calls as bigcode. */
#define FUNCS 1000
/* The result, computed on the host by bigcode-small-host.c. */
#define EXPECTED 0xb8b8497f31cf075eull
#include "bigcode.c"
