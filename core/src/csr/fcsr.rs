//! `fcsr` and its fields `fflags` and `frm`, each also a CSR of its own
//! (unprivileged spec, "Floating-Point Control and Status Register").
//! Accessible only with F and `mstatus.FS` != Off; a write marks FS dirty.

/// The accrued exception flags, bits 4:0.
const FFLAGS: u64 = 0x1f;
/// The rounding mode's shift.
const FRM_SHIFT: u32 = 5;

/// `fcsr`: `fflags` (bits 4:0) and `frm` (bits 7:5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fcsr(u64);

impl Fcsr {
    /// `fcsr` as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// `fflags`.
    #[inline]
    pub fn fflags(self) -> u64 {
        self.0 & FFLAGS
    }

    /// `frm` (3 bits; 5 and 6 are reserved, 7 is "dynamic" and reserved
    /// here too: an instruction that uses it is illegal).
    #[inline]
    pub fn frm(self) -> u64 {
        (self.0 >> FRM_SHIFT) & 7
    }

    /// A write of `fcsr`: bits 7:0, the rest is reserved (zero).
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value & 0xff;
    }

    /// A write of `fflags`.
    pub(crate) fn write_fflags(&mut self, value: u64) {
        self.0 = (self.0 & !FFLAGS) | (value & FFLAGS);
    }

    /// A write of `frm`.
    pub(crate) fn write_frm(&mut self, value: u64) {
        self.0 = (self.0 & FFLAGS) | ((value & 7) << FRM_SHIFT);
    }

    /// Accrues exception `flags` (bits 4:0) into `fflags`: an OR.
    #[inline]
    pub(crate) fn accrue(&mut self, flags: u64) {
        self.0 |= flags;
    }
}
