//! Interrupts and delegation: `mie`/`sie`, `mip`/`sip`, `mideleg` and
//! `medeleg` (privileged spec, "Machine Interrupt Registers (mip and
//! mie)", "Machine Trap Delegation Registers (medeleg and mideleg)" and
//! "Supervisor Interrupt Registers (sip and sie)").

use crate::trap::{Exception, Interrupt};

pub const SSI: u64 = 1 << 1;
pub const MSI: u64 = 1 << 3;
pub const STI: u64 = 1 << 5;
pub const MTI: u64 = 1 << 7;
pub const SEI: u64 = 1 << 9;
pub const MEI: u64 = 1 << 11;
/// Every interrupt this hart implements.
pub const ALL: u64 = SSI | MSI | STI | MTI | SEI | MEI;
/// The supervisor-level interrupts (delegable through `mideleg`).
pub const SUPERVISOR: u64 = SSI | STI | SEI;
/// The lines driven from outside the hart (CLINT and PLIC).
pub const LINES: u64 = MSI | MTI | MEI | SEI;

/// The exceptions `medeleg` can delegate: everything but an M-mode
/// `ecall` (which "cannot be delegated", privileged spec 3.1.8).
const DELEGABLE_EXCEPTIONS: u64 = 0b1011_0011_1111_1111;

/// `mie`, and `sie`, its view through `mideleg`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mie(u64);

impl Mie {
    /// The enabled interrupts, as a CSR read of `mie` returns them.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write of `mie`: WARL, the implemented interrupts only.
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value & ALL;
    }

    /// `sie`: the enables of the delegated interrupts.
    pub fn read_sie(self, mideleg: Mideleg) -> u64 {
        self.0 & mideleg.0
    }

    /// A write of `sie`: only the bits of delegated interrupts change.
    pub(crate) fn write_sie(&mut self, value: u64, mideleg: Mideleg) {
        self.0 = (self.0 & !mideleg.0) | (value & mideleg.0 & ALL);
    }
}

/// `mip`, and `sip`, its view through `mideleg`. The pending bits come
/// from three places, kept apart: what software wrote (SSIP, STIP, SEIP),
/// the lines from the platform (MSIP, MTIP, MEIP and the PLIC's SEIP), and
/// Sstc's STIP (`time >= stimecmp`), which replaces the written STIP while
/// `menvcfg.STCE` is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mip {
    /// The software-writable bits (SSIP, STIP, SEIP).
    sw: u64,
    /// The interrupt lines from the platform (MSIP, MTIP, MEIP, SEIP).
    lines: u64,
    /// STIP as Sstc computes it.
    sstc_stip: bool,
}

impl Mip {
    /// The pending interrupts: software bits, platform lines and, with
    /// `stce` (`menvcfg.STCE`), Sstc's STIP in place of the written one.
    #[inline]
    pub fn read(&self, stce: bool) -> u64 {
        let mut mip = self.sw | self.lines;
        if stce {
            mip &= !STI;
            if self.sstc_stip {
                mip |= STI;
            }
        }
        mip
    }

    /// A write of `mip`: SSIP and SEIP are writable, STIP too unless Sstc
    /// drives it (`stce`); the lines are not.
    pub(crate) fn write(&mut self, value: u64, stce: bool) {
        let w = if stce { SSI | SEI } else { SSI | STI | SEI };
        self.sw = (self.sw & !w) | (value & w);
    }

    /// `sip`: the pending delegated interrupts.
    pub fn read_sip(&self, stce: bool, mideleg: Mideleg) -> u64 {
        self.read(stce) & mideleg.0
    }

    /// A write of `sip`: only SSIP is writable, and only when delegated.
    pub(crate) fn write_sip(&mut self, value: u64, mideleg: Mideleg) {
        let w = SSI & mideleg.0;
        self.sw = (self.sw & !w) | (value & w);
    }

    /// The value a CSRRS/CSRRC of `mip` modifies, given the value it read:
    /// SEIP as software wrote it, without the PLIC's line (privileged spec,
    /// "Machine Interrupt Registers").
    pub(crate) fn rmw_base(&self, read: u64) -> u64 {
        (read & !SEI) | (self.sw & SEI)
    }

    /// Drives the platform's lines (only [`LINES`] bits are kept).
    #[inline]
    pub(crate) fn set_lines(&mut self, lines: u64) {
        self.lines = lines & LINES;
    }

    /// Sets Sstc's STIP (`time >= stimecmp`).
    #[inline]
    pub(crate) fn set_sstc_stip(&mut self, pending: bool) {
        self.sstc_stip = pending;
    }
}

/// `mideleg`: the interrupts handled in S-mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mideleg(u64);

impl Mideleg {
    /// The delegated interrupts' bits.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: WARL, only the supervisor-level interrupts are delegable
    /// (the machine-level ones are read-only zero, privileged spec 3.1.8).
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value & SUPERVISOR;
    }

    /// Whether `interrupt` is delegated to S-mode.
    #[inline]
    pub fn delegates(self, interrupt: Interrupt) -> bool {
        self.0 & interrupt.mask() != 0
    }
}

/// `medeleg`: the exceptions handled in S-mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Medeleg(u64);

impl Medeleg {
    /// The delegated exceptions' bits.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: WARL, the delegable exceptions only.
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value & DELEGABLE_EXCEPTIONS;
    }

    /// Whether `exception` is delegated to S-mode.
    #[inline]
    pub fn delegates(self, exception: Exception) -> bool {
        self.0 >> exception.code() & 1 != 0
    }
}
