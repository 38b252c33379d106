/*
 * vm-sv48 - vm-sv39's checks with four levels of page table (Sv48),
 * plus 512 GiB terapages, a misaligned terapage and the Sv48 canonical
 * rule (bits 63-48 equal to bit 47). See vm-sv39.S.
 */
#define LEVELS 4
#include "vm-sv39.S"
