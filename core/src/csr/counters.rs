//! The counters (Zicntr, Zihpm): `mcycle`/`minstret` and their user views
//! `cycle`/`instret`, `mcountinhibit`, and the enables `mcounteren` and
//! `scounteren` (privileged spec, "Hardware Performance Monitor",
//! "Machine Counter-Enable Register", "Machine Counter-Inhibit Register").
//!
//! The hart counts instructions in bulk: a run adds its count when it
//! ends, so a read during a run passes the instructions it has retired so
//! far (`retired`). `mcycle` counts one cycle per instruction. The
//! `hpmcounter`s and `mhpmevent`s are read-only zero (legal: no events).

use super::Privilege;

/// `mcountinhibit.CY`.
const CY: u64 = 1 << 0;
/// `mcountinhibit.IR`.
const IR: u64 = 1 << 2;

/// `mcycle`, `minstret` and `mcountinhibit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// `mcycle` as of the start of the current run.
    mcycle: u64,
    /// `minstret` as of the start of the current run.
    minstret: u64,
    mcountinhibit: u64,
}

impl Counters {
    /// `minstret` with the `retired` instructions of the current run.
    #[inline]
    pub fn instret(&self, retired: u64) -> u64 {
        if self.mcountinhibit & IR != 0 {
            self.minstret
        } else {
            self.minstret.wrapping_add(retired)
        }
    }

    /// `mcycle` with the `retired` instructions of the current run.
    #[inline]
    pub fn cycle(&self, retired: u64) -> u64 {
        if self.mcountinhibit & CY != 0 {
            self.mcycle
        } else {
            self.mcycle.wrapping_add(retired)
        }
    }

    /// Adds a run's `retired` instructions, at its end.
    #[inline]
    pub(crate) fn retire(&mut self, retired: u64) {
        self.minstret = self.instret(retired);
        self.mcycle = self.cycle(retired);
    }

    /// A write of `mcycle` by the instruction that retires the current
    /// run's `retired`-th: the next instruction reads `value` (the writing
    /// instruction does not count itself on top of it).
    pub(crate) fn write_mcycle(&mut self, value: u64, retired: u64) {
        self.mcycle = self.base(CY, value, retired + 1);
    }

    /// A write of `minstret`, as [`Counters::write_mcycle`].
    pub(crate) fn write_minstret(&mut self, value: u64, retired: u64) {
        self.minstret = self.base(IR, value, retired + 1);
    }

    /// `mcountinhibit`.
    #[inline]
    pub fn mcountinhibit(&self) -> u64 {
        self.mcountinhibit
    }

    /// A write of `mcountinhibit`: WARL, CY and IR (no hpm counters); the
    /// counters keep their values across the change of what counts.
    pub(crate) fn write_mcountinhibit(&mut self, value: u64, retired: u64) {
        let (cycle, instret) = (self.cycle(retired), self.instret(retired));
        self.mcountinhibit = value & (CY | IR);
        self.mcycle = self.base(CY, cycle, retired);
        self.minstret = self.base(IR, instret, retired);
    }

    /// The start-of-run value that makes a counter read `value` once
    /// `retired` instructions of the run are added (if it counts).
    fn base(&self, inhibit: u64, value: u64, retired: u64) -> u64 {
        if self.mcountinhibit & inhibit != 0 {
            value
        } else {
            value.wrapping_sub(retired)
        }
    }
}

/// `mcounteren` or `scounteren`: which counters the next mode down may
/// read (bit 0 `cycle`, 1 `time`, 2 `instret`, 3..31 `hpmcounter`s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Xcounteren(u64);

impl Xcounteren {
    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: WARL, the 32 counter bits.
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value & 0xffff_ffff;
    }

    /// Whether counter `index` (0 = cycle, 1 = time, 2 = instret) is enabled.
    #[inline]
    pub fn enables(self, index: u16) -> bool {
        self.0 >> index & 1 != 0
    }
}

/// Whether counter `index` may be read in mode `prv`: M always; S if
/// `mcounteren` enables it; U if `scounteren` does too (Zicntr).
pub(crate) fn counter_enabled(
    index: u16,
    prv: Privilege,
    mcounteren: Xcounteren,
    scounteren: Xcounteren,
) -> bool {
    match prv {
        Privilege::Machine => true,
        Privilege::Supervisor => mcounteren.enables(index),
        Privilege::User => mcounteren.enables(index) && scounteren.enables(index),
    }
}
