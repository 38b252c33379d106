//! `menvcfg` and `senvcfg` (privileged spec, "Machine Environment
//! Configuration Register" and its supervisor twin).

pub const FIOM: u64 = 1 << 0;
/// Svadu: hardware updating of PTE A/D bits.
pub const ADUE: u64 = 1 << 61;
/// Sstc: `stimecmp` enabled for S-mode.
pub const STCE: u64 = 1 << 63;

/// `menvcfg`: FIOM, ADUE (Svadu) and STCE (Sstc) are implemented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Menvcfg(u64);

impl Menvcfg {
    /// The reset value: hardware A/D updating on, as QEMU 7.2 always does.
    pub(crate) const fn new() -> Self {
        Menvcfg(ADUE)
    }

    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: WARL, the implemented fields only (the others are
    /// read-only zero).
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value & (FIOM | ADUE | STCE);
    }

    /// Svadu: the hardware sets PTE A and D bits (else a page fault).
    #[inline]
    pub fn adue(self) -> bool {
        self.0 & ADUE != 0
    }

    /// Sstc: `stimecmp` drives STIP and S-mode may access it.
    #[inline]
    pub fn stce(self) -> bool {
        self.0 & STCE != 0
    }
}

/// `senvcfg`: only FIOM is implemented.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Senvcfg(u64);

impl Senvcfg {
    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: WARL, FIOM only.
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value & FIOM;
    }
}
