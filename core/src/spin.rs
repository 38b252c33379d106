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
//! The evidence is exact repetition. At *check points*, at most one every
//! [`CHECK_INTERVAL`] instructions, the hart records its state; when it
//! comes back to a state it recorded within the last [`WINDOW`]
//! instructions, it has made no progress that its state shows, and
//! [`crate::Hart::run`] ends its slice early
//! ([`crate::StopReason::Spinning`]). The state is the `pc`, every integer
//! and floating-point register, the privilege mode, `satp`, and the top
//! [`STACK_WORDS`] doublewords of the stack, where compiled code keeps the
//! loop variables of the functions it has called into. Hashing all that
//! at every check point would cost more than it saves, so a quick
//! fingerprint (the `pc` and the integer registers) is taken first, and
//! the full one only for a state whose quick fingerprint was seen
//! recently: a spin is recognised at the third visit to one state. Several
//! states are remembered, so a loop that passes its check points in
//! several states (a scan over a table) is recognised too.
//!
//! Check points are run boundaries (a loop of one run, such as a spin on a
//! load, an AMO or an LR, is seen at its head) and the instruction after a
//! CSR write or an `xRET` (an idle loop that re-enables interrupts on
//! every pass, as xv6's scheduler does, is seen there). The records
//! outlive the slice, so a hart that starts a slice in the same wait is
//! recognised at its first check point.
//!
//! Yielding is a scheduling decision, never a change of semantics: any
//! interleaving of the harts' slices is a legal execution. A guess can
//! only be wrong for a loop whose progress lives in memory alone, outside
//! the top of the stack, with every register the same at a check point;
//! such a hart just gets a shorter slice and goes on in the next round.
//! (Without the stack, xv6's `wakeup` is such a loop: its process pointer
//! is saved on the stack by the `push_off` that a check point sees.)

use crate::hart::Hart;

/// How many states are remembered (direct-mapped by quick fingerprint).
const SLOTS: usize = 64;

/// How far back, in the hart's own instructions, a state still counts: a
/// hart that comes back to a state after doing this much is not taken to
/// be waiting (it may have worked in memory meanwhile).
pub const WINDOW: u64 = 16_384;

/// The fewest instructions between two check points.
pub const CHECK_INTERVAL: u64 = 512;

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
    /// How many more instructions, after `now`, until a check point is due.
    pub(crate) fn until_check(&self, now: u64) -> u64 {
        (self.last_check + CHECK_INTERVAL).saturating_sub(now)
    }

    fn slot(quick: u64) -> usize {
        (quick % SLOTS as u64) as usize
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
    /// state at a check point within the [`WINDOW`].
    pub(crate) fn record(&mut self, quick: u64, full: Option<u64>, now: u64) -> bool {
        let again = full.is_some()
            && self.seen_recently(quick, now)
            && self.slots[Self::slot(quick)].full == full;
        self.last_check = now;
        self.slots[Self::slot(quick)] = Record {
            quick,
            full,
            at: now,
        };
        again
    }

    /// Forgets every state.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}

/// The quick fingerprint: the `pc` and the integer registers.
pub(crate) fn quick_fingerprint(hart: &Hart) -> u64 {
    // A sum and an exclusive or: cheap, and vectorised by the compiler.
    let (sum, xor) = hart.x[..32]
        .iter()
        .fold((0u64, 0u64), |(s, x), &v| (s.wrapping_add(v), x ^ v));
    mix(sum ^ xor.rotate_left(32) ^ hart.pc.rotate_left(17))
}

/// The full fingerprint of the state a loop could make progress in: the
/// `pc`, the integer and floating-point registers, the privilege mode,
/// `satp` and the top of the stack.
///
/// The stack is read through the TLB only (a hit is a plain read of RAM
/// the hart may load from; a doubleword whose page is not there counts as
/// zero), so taking a fingerprint has no effect on the hart: no page walk,
/// no A/D update, no fault.
pub(crate) fn fingerprint(hart: &Hart) -> u64 {
    // Two independent lanes halve the dependency chain.
    let mut a: u64 = 0x9e37_79b9_7f4a_7c15 ^ hart.pc;
    let mut b: u64 = hart.csr.satp ^ hart.prv.bits();
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
        assert!(check(&mut d, 7, 70, 600));
        assert!(!check(&mut d, 7, 71, 900), "same quick, other full state");
        assert!(check(&mut d, 7, 71, 1200));
        // Two states alternating: both recognised.
        assert!(!check(&mut d, 8, 80, 1500));
        assert!(!check(&mut d, 8, 80, 1800));
        assert!(check(&mut d, 7, 71, 2100));
        assert!(check(&mut d, 8, 80, 2400));
        assert!(!check(&mut d, 7, 71, 2400 + WINDOW + 1), "too long ago");
        d.clear();
        assert!(!check(&mut d, 8, 80, 3000 + WINDOW));
        assert!(!check(&mut d, 8, 80, 3100 + WINDOW));
        assert!(check(&mut d, 8, 80, 3200 + WINDOW));
        assert_eq!(fulls, 9, "full fingerprints only for states seen before");
    }

    #[test]
    fn check_points_are_due_every_interval() {
        let mut d = SpinDetector::default();
        assert_eq!(d.until_check(0), CHECK_INTERVAL);
        d.record(1, None, 1000);
        assert_eq!(d.until_check(1000), CHECK_INTERVAL);
        assert_eq!(d.until_check(1000 + CHECK_INTERVAL + 5), 0);
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
        hart.csr.satp = 8 << 60;
        assert_ne!(fingerprint(&hart), base, "satp");
        hart.csr.satp = 0;
        hart.pc = 4;
        assert_ne!(fingerprint(&hart), base, "pc");
        assert_ne!(quick_fingerprint(&hart), quick, "pc");
    }
}
