//! The trap CSRs both M and S have: `xtvec` (trap setup), `xscratch`,
//! `xepc`, `xcause` and `xtval` (trap handling), privileged spec
//! "Machine Trap-Vector Base-Address Register" through "Machine Trap
//! Value Register" and their supervisor twins.

use crate::trap::Cause;

/// `mtvec` or `stvec`: the trap handler's base address and MODE.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Xtvec(u64);

impl Xtvec {
    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: WARL, MODE 0 (direct) and 1 (vectored) are legal; a write
    /// with a reserved MODE is ignored, as QEMU does.
    pub(crate) fn write(&mut self, value: u64) {
        if value & 3 < 2 {
            self.0 = value;
        }
    }

    /// Where a trap of `cause` enters: BASE, or BASE + 4 × code for an
    /// interrupt in vectored mode.
    #[inline]
    pub fn handler(self, cause: Cause) -> u64 {
        let base = self.0 & !3;
        match cause {
            Cause::Interrupt(i) if self.0 & 3 == 1 => base.wrapping_add(4 * i.code()),
            _ => base,
        }
    }
}

/// `mepc` or `sepc`: where the trap happened, and where `xRET` returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Xepc(u64);

impl Xepc {
    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write (by software or trap entry): bit 0 is always zero (with C,
    /// IALIGN = 16, so only bit 0 is masked).
    #[inline]
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value & !1;
    }
}

/// `mcause` or `scause`: WLRL, any value is kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Xcause(u64);

impl Xcause {
    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write by software.
    #[inline]
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value;
    }

    /// Trap entry: the cause's code, bit 63 set for an interrupt.
    #[inline]
    pub(crate) fn set(&mut self, cause: Cause) {
        self.0 = cause.xcause();
    }
}

/// `mtval` or `stval`: any value is kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Xtval(u64);

impl Xtval {
    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write, by software or trap entry.
    #[inline]
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value;
    }
}

/// `mscratch` or `sscratch`: a plain register for the trap handler.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Xscratch(u64);

impl Xscratch {
    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write.
    #[inline]
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value;
    }
}
