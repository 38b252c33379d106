/*
 * vm-sv57 - vm-sv39's checks with five levels of page table (Sv57),
 * plus 512 GiB terapages, 256 TiB petapages, misaligned ones and the Sv57
 * canonical rule (bits 63-57 equal to bit 56). See vm-sv39.S.
 */
#define LEVELS 5
#include "vm-sv39.S"
