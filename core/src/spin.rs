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
//! its state; when it comes back to a state it recorded within the last
//! [`WINDOW`] instructions, and has taken exactly as many instructions to
//! come back as it took the time before, it has gone round the same loop
//! twice without any progress its state shows, and [`crate::Hart::run`]
//! ends its slice early ([`crate::StopReason::Spinning`]). (The equal
//! periods tell an idle loop from code that passes the same state again
//! after real work, such as a scheduler scanning empty process slots
//! before and after running a process.) The state is the `pc`, every integer
//! and floating-point register, the privilege mode, `satp`, the top
//! [`STACK_WORDS`] doublewords of the stack, where compiled code keeps the
//! loop variables of the functions it has called into, and the number of
//! exceptions the hart has taken: a loop that makes system calls or takes
//! page faults works through its trap handlers, in memory this state does
//! not cover (xv6's usertests run the same failing `exec` 50,000 times,
//! with the loop counter in the saved user registers). Hashing all that
//! at every check point would cost more than it saves, so a quick
//! fingerprint (the `pc` and the integer registers) is taken first, and
//! the full one only for a state whose quick fingerprint was seen
//! recently: a spin is recognised at the third visit to one state. Several
//! states are remembered, so a loop that passes its check points in
//! several states (a scan over a table) is recognised too.
//!
//! Check points are:
//! - a run boundary [`CHECK_INTERVAL`] instructions after the last check
//!   point: a loop of one run (a spin on a load, an AMO or an LR) is seen
//!   at its head every time;
//! - the instruction after a CSR write or an `xRET`, [`EXIT_CHECK_GAP`]
//!   instructions or more after the last check point: an idle loop that
//!   toggles interrupts as it goes, as xv6's scheduler does around every
//!   process-table lock, is seen at the same places on every pass (check
//!   points at run boundaries alone would drift along a long pass and
//!   rarely see the same state twice).
//!
//! The records outlive the slice, so a hart that starts a slice in the
//! same wait is recognised at its first check point.
//!
//! Yielding is a scheduling decision, never a change of semantics: any
//! interleaving of the harts' slices is a legal execution. A guess can
//! only be wrong for a loop whose progress lives in memory alone, outside
//! the top of the stack, with every register the same at a check point;
//! such a hart just gets a shorter slice and goes on in the next round.
//! (Without the stack, xv6's `wakeup` is such a loop: its process pointer
//! is saved on the stack by the `push_off` that a check point sees.)

use crate::hart::Hart;

/// How many states are remembered (direct-mapped by quick fingerprint):
/// enough for the check points of one pass of xv6's idle scheduler (two
/// per process-table entry).
const SLOTS: usize = 256;

/// How far back, in the hart's own instructions, a state still counts: a
/// hart that comes back to a state after doing this much is not taken to
/// be waiting (it may have worked in memory meanwhile).
pub const WINDOW: u64 = 16_384;

/// The instructions between check points at run boundaries.
pub const CHECK_INTERVAL: u64 = 512;

/// The fewest instructions between a check point and one after a CSR
/// write or an `xRET`.
pub const EXIT_CHECK_GAP: u64 = 64;

/// How many doublewords from `sp` up count as state (256 bytes: the
/// frames of the current function and its nearest callers).
pub const STACK_WORDS: u64 = 32;

#[derive(Clone, Copy, Debug, Default)]
struct Record {
    quick: u64,
    /// The full fingerprint, once the state has been seen twice.
    full: Option<u64>,
    /// The hart's instruction count when it was recorded.
    at: u64,
    /// Instructions since the visit before (0 for a first visit).
    period: u64,
}

/// The states a hart was in at recent check points.
#[derive(Clone, Debug)]
pub(crate) struct SpinDetector {
    slots: [Record; SLOTS],
    /// The hart's instruction count at the last check point.
    last_check: u64,
}

impl Default for SpinDetector {
    fn default() -> Self {
        SpinDetector {
            slots: [Record::default(); SLOTS],
            last_check: 0,
        }
    }
}

impl SpinDetector {
    /// How many more instructions, after `now`, until a check point at a
    /// run boundary is due.
    pub(crate) fn until_check(&self, now: u64) -> u64 {
        (self.last_check + CHECK_INTERVAL).saturating_sub(now)
    }

    /// Whether a check point after a CSR write or an `xRET` is due `now`.
    pub(crate) fn exit_check_due(&self, now: u64) -> bool {
        now.wrapping_sub(self.last_check) >= EXIT_CHECK_GAP
    }

    fn slot(quick: u64) -> usize {
        crate::bits::to_usize(quick % SLOTS as u64)
    }

    /// Whether a state with quick fingerprint `quick` was recorded within
    /// the [`WINDOW`] before `now` (then its full fingerprint is wanted).
    pub(crate) fn seen_recently(&self, quick: u64, now: u64) -> bool {
        let slot = &self.slots[Self::slot(quick)];
        slot.quick == quick && now.wrapping_sub(slot.at) <= WINDOW
    }

    /// A check point `now` instructions into the hart's life, in a state
    /// with quick fingerprint `quick` and (if [`Self::seen_recently`])
    /// full fingerprint `full`. True when the hart has been in this very
    /// state at the last two visits, within the [`WINDOW`], and took as
    /// many instructions between this visit and the last as between the
    /// last and the one before.
    pub(crate) fn record(&mut self, quick: u64, full: Option<u64>, now: u64) -> bool {
        let recent = self.seen_recently(quick, now);
        let slot = &mut self.slots[Self::slot(quick)];
        let period = if recent { now.wrapping_sub(slot.at) } else { 0 };
        let again = full.is_some() && recent && slot.full == full && slot.period == period;
        self.last_check = now;
        *slot = Record {
            quick,
            full,
            at: now,
            period,
        };
        again
    }

    /// Forgets every state.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}

/// The quick fingerprint: the `pc`, the integer registers and the
/// exceptions taken.
pub(crate) fn quick_fingerprint(hart: &Hart) -> u64 {
    // A sum and an exclusive or: cheap, and vectorised by the compiler.
    let (sum, xor) = hart.x[..32]
        .iter()
        .fold((0u64, 0u64), |(s, x), &v| (s.wrapping_add(v), x ^ v));
    let rest = hart.pc.rotate_left(17) ^ hart.exceptions_taken.rotate_left(47);
    mix(sum ^ xor.rotate_left(32) ^ rest)
}

/// The full fingerprint of the state a loop could make progress in: the
/// `pc`, the integer and floating-point registers, the privilege mode,
/// `satp`, the top of the stack and the exceptions taken.
///
/// The stack is read through the TLB only (a hit is a plain read of RAM
/// the hart may load from; a doubleword whose page is not there counts as
/// zero), so taking a fingerprint has no effect on the hart: no page walk,
/// no A/D update, no fault.
pub(crate) fn fingerprint(hart: &Hart) -> u64 {
    // Two independent lanes halve the dependency chain.
    let mut a: u64 = 0x9e37_79b9_7f4a_7c15 ^ hart.pc;
    let mut b: u64 = hart.csr.satp.read() ^ hart.prv.bits() ^ hart.exceptions_taken.rotate_left(7);
    for i in (0..32).step_by(2) {
        a = (a ^ hart.x[i]).rotate_left(23).wrapping_add(hart.f[i]);
        b = (b ^ hart.x[i + 1])
            .rotate_left(29)
            .wrapping_add(hart.f[i + 1]);
    }
    let sp = hart.x[2];
    let word = |k: u64| hart.load_hit::<8>(sp.wrapping_add(8 * k)).unwrap_or(0);
    for k in (0..STACK_WORDS).step_by(2) {
        a = (a ^ word(k)).rotate_left(23);
        b = (b ^ word(k + 1)).rotate_left(29);
    }
    mix(a ^ b.rotate_left(32))
}

/// A final mix, so that the low bits (the slot) depend on every input.
fn mix(v: u64) -> u64 {
    let h = v.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ h >> 29
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spin_is_the_third_visit_to_one_state_within_the_window() {
        let mut d = SpinDetector::default();
        let mut fulls = 0;
        let mut check = |d: &mut SpinDetector, quick: u64, full: u64, now: u64| {
            let full = d.seen_recently(quick, now).then(|| {
                fulls += 1;
                full
            });
            d.record(quick, full, now)
        };
        assert!(!check(&mut d, 7, 70, 0));
        assert!(!check(&mut d, 7, 70, 300), "seen once: now fingerprinted");
        assert!(check(&mut d, 7, 70, 600), "the same state, the same period");
        assert!(check(&mut d, 7, 70, 900));
        assert!(!check(&mut d, 7, 71, 1200), "same quick, other full state");
        assert!(check(&mut d, 7, 71, 1500));
        assert!(!check(&mut d, 7, 71, 1700), "another period: work between");
        assert!(check(&mut d, 7, 71, 1900));
        // Two states alternating: both recognised.
        assert!(!check(&mut d, 8, 80, 2000));
        assert!(check(&mut d, 7, 71, 2100));
        assert!(!check(&mut d, 8, 80, 2200));
        assert!(check(&mut d, 7, 71, 2300));
        assert!(check(&mut d, 8, 80, 2400));
        assert!(!check(&mut d, 7, 71, 2300 + WINDOW + 1), "too long ago");
        d.clear();
        assert!(!check(&mut d, 8, 80, 3000 + WINDOW));
        assert!(!check(&mut d, 8, 80, 3100 + WINDOW));
        assert!(check(&mut d, 8, 80, 3200 + WINDOW));
        assert_eq!(fulls, 13, "full fingerprints only for states seen before");
    }

    #[test]
    fn check_points_are_due_every_interval() {
        let mut d = SpinDetector::default();
        assert_eq!(d.until_check(0), CHECK_INTERVAL);
        d.record(1, None, 1000);
        assert_eq!(d.until_check(1000), CHECK_INTERVAL);
        assert_eq!(d.until_check(1000 + CHECK_INTERVAL + 5), 0);
        assert!(!d.exit_check_due(1000 + EXIT_CHECK_GAP - 1));
        assert!(d.exit_check_due(1000 + EXIT_CHECK_GAP));
    }

    #[test]
    fn every_register_counts() {
        let mut hart = Hart::new(0);
        let base = fingerprint(&hart);
        let quick = quick_fingerprint(&hart);
        for i in 0..32 {
            if i > 0 {
                hart.x[i] = 1;
                assert_ne!(fingerprint(&hart), base, "x{i}");
                assert_ne!(quick_fingerprint(&hart), quick, "x{i}");
                hart.x[i] = 0;
            }
            hart.f[i] = 1;
            assert_ne!(fingerprint(&hart), base, "f{i}");
            hart.f[i] = 0;
        }
        hart.csr.satp.write(8 << 60);
        assert_ne!(fingerprint(&hart), base, "satp");
        hart.csr.satp.write(0);
        hart.pc = 4;
        assert_ne!(fingerprint(&hart), base, "pc");
        assert_ne!(quick_fingerprint(&hart), quick, "pc");
        hart.pc = 0;
        hart.exceptions_taken = 1;
        assert_ne!(fingerprint(&hart), base, "exceptions");
        assert_ne!(quick_fingerprint(&hart), quick, "exceptions");
    }
}
