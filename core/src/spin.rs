//! Spin detection: noticing a hart that waits in a loop for something only
//! another hart, a device or an interrupt can change, so that the machine
//! can give the host to them instead of letting the loop run out its slice.
//!
//! Harts share one host thread (see [`crate::machine`]): while one runs,
//! the others stand still, and devices make progress only between slices.
//! A hart spinning on a lock another hart holds, on a flag another hart
//! will set (`while (started == 0)`), on a UART status register, or
//! scanning an idle scheduler's process table, cannot see the change it
//! waits for before its slice ends; every instruction it spends is taken
//! from the hart that would make the change.
//!
//! The evidence is exact repetition. At *check points* the hart records
//! its `pc` with a fingerprint of its state (every integer and
//! floating-point register, the privilege mode and `satp`); when it comes
//! back to a `pc` with the fingerprint it had there last time, it has made
//! no progress that its registers show, and [`crate::Hart::run`] ends its
//! slice early ([`crate::StopReason::Spinning`]). Check points are:
//! - run boundaries after 256, 512, 1024, ... instructions of a slice:
//!   a loop of one run (a spin on a load, an AMO or an LR) is seen at its
//!   head every time;
//! - the instruction after each CSR write or `xRET` (the handlers that end
//!   a run with "state changed"): an idle loop that re-enables interrupts
//!   on every pass, as xv6's scheduler does, is seen there once per pass.
//!
//! The records outlive the slice, so a hart that starts a slice still in
//! the same wait is recognised at its first check point.
//!
//! Yielding is a scheduling decision, never a change of semantics: any
//! interleaving of the harts' slices is a legal execution. A guess can
//! only be wrong for a loop whose progress lives in memory alone, with
//! every register the same at a check point; such a hart just gets a
//! shorter slice and goes on in the next round.

use crate::hart::Hart;

/// How many check points are remembered (direct-mapped by `pc`).
const SLOTS: usize = 16;

/// The first check point of a slice, in instructions; later ones follow
/// at twice the distance of the one before.
pub(crate) const FIRST_CHECK: u64 = 256;

#[derive(Clone, Copy, Debug, Default)]
struct Checkpoint {
    pc: u64,
    fingerprint: u64,
}

/// The check points a hart passed, and what it looked like there.
#[derive(Clone, Debug, Default)]
pub(crate) struct SpinDetector {
    slots: [Checkpoint; SLOTS],
}

impl SpinDetector {
    /// Records that the hart is at `pc` with state `fingerprint`; true when
    /// it was at `pc` with the same fingerprint at the last check point
    /// there.
    pub(crate) fn revisit(&mut self, pc: u64, fingerprint: u64) -> bool {
        let slot = &mut self.slots[((pc >> 1) ^ (pc >> 7)) as usize % SLOTS];
        let same = slot.pc == pc && slot.fingerprint == fingerprint;
        *slot = Checkpoint { pc, fingerprint };
        same
    }

    /// Forgets every check point.
    pub(crate) fn clear(&mut self) {
        self.slots = [Checkpoint::default(); SLOTS];
    }
}

/// A fingerprint of the state a loop could make progress in: the integer
/// and floating-point registers, the privilege mode and `satp`.
pub(crate) fn fingerprint(hart: &Hart) -> u64 {
    // Two independent lanes halve the dependency chain.
    let mut a: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut b: u64 = hart.csr.satp ^ hart.prv.bits();
    for i in (0..32).step_by(2) {
        a = (a ^ hart.x[i]).rotate_left(23).wrapping_add(hart.f[i]);
        b = (b ^ hart.x[i + 1])
            .rotate_left(29)
            .wrapping_add(hart.f[i + 1]);
    }
    a ^ b.rotate_left(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repetition_is_a_same_pc_same_fingerprint_revisit() {
        let mut d = SpinDetector::default();
        assert!(!d.revisit(0x8000_0000, 1));
        assert!(d.revisit(0x8000_0000, 1));
        assert!(!d.revisit(0x8000_0000, 2), "the state changed");
        assert!(!d.revisit(0x8000_0004, 2), "another pc");
        assert!(d.revisit(0x8000_0000, 2));
        d.clear();
        assert!(!d.revisit(0x8000_0000, 2));
    }

    #[test]
    fn every_register_counts() {
        let mut hart = Hart::new(0);
        let base = fingerprint(&hart);
        for i in 1..32 {
            hart.x[i] = 1;
            assert_ne!(fingerprint(&hart), base, "x{i}");
            hart.x[i] = 0;
            hart.f[i] = 1;
            assert_ne!(fingerprint(&hart), base, "f{i}");
            hart.f[i] = 0;
        }
        hart.csr.satp = 8 << 60;
        assert_ne!(fingerprint(&hart), base, "satp");
    }
}
