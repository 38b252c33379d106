//! `satp`: the address-translation mode and the root page table
//! (privileged spec, "Supervisor Address Translation and Protection
//! Register").

/// The PPN field (bits 43:0).
const PPN_MASK: u64 = (1 << 44) - 1;

/// `satp`. It holds only legal modes: Bare (0), Sv39 (8), Sv48 (9) and
/// Sv57 (10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Satp(u64);

impl Satp {
    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: WARL, a write with an unsupported MODE has no effect at
    /// all ("the entire write has no effect", privileged spec). Returns
    /// whether it took effect.
    pub(crate) fn write(&mut self, value: u64) -> bool {
        let legal = matches!(value >> 60, 0 | 8 | 9 | 10);
        if legal {
            self.0 = value;
        }
        legal
    }

    /// MODE (bits 63:60).
    #[inline(always)]
    pub fn mode(self) -> u64 {
        self.0 >> 60
    }

    /// The physical address of the root page table (PPN × 4 KiB).
    #[inline]
    pub fn root(self) -> u64 {
        (self.0 & PPN_MASK) << 12
    }
}
