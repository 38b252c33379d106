//! Physical memory protection (privileged spec, "Physical Memory
//! Protection"): 16 entries, OFF/TOR/NA4/NAPOT matching, R/W/X
//! permissions, and the L bit that locks an entry and enforces it on
//! M-mode too. The granularity is 4 bytes (G = 0): every bit of
//! `pmpaddr` is writable, which is what OpenSBI finds when it probes.

use crate::bits::low_u8;
use crate::csr::Privilege;

/// Number of PMP entries.
pub const PMP_ENTRIES: usize = 16;

// An entry's index is kept in a u8.
const _: () = assert!(PMP_ENTRIES <= 256);

const R: u8 = 1 << 0;
const W: u8 = 1 << 1;
const X: u8 = 1 << 2;
const A_SHIFT: u8 = 3;
const L: u8 = 1 << 7;

const A_OFF: u8 = 0;
const A_TOR: u8 = 1;
const A_NA4: u8 = 2;
const A_NAPOT: u8 = 3;

/// `pmpaddr` holds physical address bits 55:2.
const ADDR_MASK: u64 = (1 << 54) - 1;

/// The kind of access a PMP check is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PmpAccess {
    /// A read (load, or page-table walk read).
    Read,
    /// A write (store, AMO, or A/D update).
    Write,
    /// An instruction fetch.
    Execute,
}

impl PmpAccess {
    fn bit(self) -> u8 {
        match self {
            PmpAccess::Read => R,
            PmpAccess::Write => W,
            PmpAccess::Execute => X,
        }
    }
}

/// An active entry, decoded: the byte range `[lo, hi)` it matches.
#[derive(Clone, Copy, Debug, Default)]
struct Active {
    lo: u64,
    hi: u64,
    entry: u8,
}

/// The PMP CSR state of one hart.
#[derive(Clone, Debug, Default)]
pub struct Pmp {
    cfg: [u8; PMP_ENTRIES],
    addr: [u64; PMP_ENTRIES],
    /// The active entries in priority order (`active[..active_len]`),
    /// decoded again whenever a `pmpcfg` or `pmpaddr` changes: checks
    /// (one per page-table level on every TLB miss) look at these only.
    active: [Active; PMP_ENTRIES],
    active_len: usize,
}

impl Pmp {
    pub(crate) fn new() -> Self {
        Pmp::default()
    }

    /// Decodes the active entries after a change.
    fn decode(&mut self) {
        self.active_len = 0;
        for i in 0..PMP_ENTRIES {
            if let Some((lo, hi)) = self.range(i) {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "i < PMP_ENTRIES, which fits a u8 (asserted)"
                )]
                let entry = i as u8;
                self.active[self.active_len] = Active { lo, hi, entry };
                self.active_len += 1;
            }
        }
    }

    fn active(&self) -> &[Active] {
        &self.active[..self.active_len]
    }

    fn mode(&self, i: usize) -> u8 {
        (self.cfg[i] >> A_SHIFT) & 3
    }

    fn locked(&self, i: usize) -> bool {
        self.cfg[i] & L != 0
    }

    /// Reads `pmpcfg{2*reg}` (RV64 packs eight entries per register).
    pub(crate) fn read_cfg(&self, reg: usize) -> u64 {
        let mut v = 0;
        for byte in 0..8 {
            let i = reg * 8 + byte;
            if i < PMP_ENTRIES {
                v |= u64::from(self.cfg[i]) << (byte * 8);
            }
        }
        v
    }

    /// Writes `pmpcfg{2*reg}`; locked entries keep their value. Returns
    /// whether anything changed.
    pub(crate) fn write_cfg(&mut self, reg: usize, value: u64) -> bool {
        let mut changed = false;
        for byte in 0..8 {
            let i = reg * 8 + byte;
            if i >= PMP_ENTRIES || self.locked(i) {
                continue;
            }
            // Bits 6:5 are reserved (read as zero); R=0 with W=1 is a
            // reserved combination, legalised to no write permission.
            let mut cfg = low_u8(value >> (byte * 8)) & !0x60;
            if cfg & R == 0 {
                cfg &= !W;
            }
            changed |= self.cfg[i] != cfg;
            self.cfg[i] = cfg;
        }
        if changed {
            self.decode();
        }
        changed
    }

    /// Reads `pmpaddr{i}`. Entries past [`PMP_ENTRIES`] read as zero.
    pub(crate) fn read_addr(&self, i: usize) -> u64 {
        self.addr.get(i).copied().unwrap_or(0)
    }

    /// Writes `pmpaddr{i}`, unless the entry is locked, or the next entry is
    /// a locked TOR entry that uses it as its bottom. Returns whether
    /// anything changed.
    pub(crate) fn write_addr(&mut self, i: usize, value: u64) -> bool {
        if i >= PMP_ENTRIES || self.locked(i) {
            return false;
        }
        if i + 1 < PMP_ENTRIES && self.locked(i + 1) && self.mode(i + 1) == A_TOR {
            return false;
        }
        let value = value & ADDR_MASK;
        let changed = self.addr[i] != value;
        self.addr[i] = value;
        if changed {
            self.decode();
        }
        changed
    }

    /// The byte range `[lo, hi)` entry `i` matches, if it is active.
    fn range(&self, i: usize) -> Option<(u64, u64)> {
        match self.mode(i) {
            A_OFF => None,
            A_TOR => {
                let lo = if i == 0 { 0 } else { self.addr[i - 1] << 2 };
                let hi = self.addr[i] << 2;
                (lo < hi).then_some((lo, hi))
            }
            A_NA4 => Some((self.addr[i] << 2, (self.addr[i] << 2) + 4)),
            A_NAPOT => {
                let ones = self.addr[i].trailing_ones();
                if ones >= 54 {
                    // All 54 bits set: the whole 56-bit physical space.
                    return Some((0, 1 << 56));
                }
                let size = 1u64 << (ones + 3);
                let lo = (self.addr[i] & !((1u64 << ones) - 1)) << 2;
                Some((lo, lo + size))
            }
            _ => unreachable!("A is a two-bit field"),
        }
    }

    /// Whether an access of `size` bytes at physical `addr`, of kind
    /// `access`, at effective privilege `prv`, is allowed.
    pub fn check(&self, addr: u64, size: u64, access: PmpAccess, prv: Privilege) -> bool {
        let end = addr.saturating_add(size);
        for &Active { lo, hi, entry } in self.active() {
            let touches = addr < hi && end > lo;
            if !touches {
                continue;
            }
            // The lowest-numbered entry touching any byte decides; it must
            // cover all of them.
            if addr < lo || end > hi {
                return false;
            }
            let i = usize::from(entry);
            if prv == Privilege::Machine && !self.locked(i) {
                return true;
            }
            return self.cfg[i] & access.bit() != 0;
        }
        // No entry matches: M-mode is allowed, S and U are not (16 entries
        // are implemented).
        prv == Privilege::Machine
    }

    /// Whether every access inside the 4 KiB page at `page` gets the same
    /// answer, so the page may be cached in a TLB after one check.
    pub(crate) fn page_is_uniform(&self, page: u64) -> bool {
        // In 128 bits: the last page of the address space ends at 2^64.
        let (start, end) = (u128::from(page), u128::from(page) + 4096);
        self.active().iter().all(|a| {
            let (lo, hi) = (u128::from(a.lo), u128::from(a.hi));
            hi <= start || lo >= end || (lo <= start && hi >= end)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn napot(base: u64, size: u64) -> u64 {
        (base >> 2) | ((size / 8) - 1)
    }

    #[test]
    fn no_entries_allows_only_m_mode() {
        let p = Pmp::new();
        assert!(p.check(0x8000_0000, 8, PmpAccess::Read, Privilege::Machine));
        assert!(!p.check(0x8000_0000, 8, PmpAccess::Read, Privilege::Supervisor));
    }

    #[test]
    fn napot_tor_na4_match_their_ranges() {
        let mut p = Pmp::new();
        p.write_addr(0, napot(0x8000_0000, 0x1000));
        p.write_addr(1, 0x9000_0000 >> 2);
        p.write_addr(2, 0x9000_0000 >> 2);
        p.write_addr(3, 0x9000_1000 >> 2);
        p.write_cfg(
            0,
            u64::from_le_bytes([
                A_NAPOT << A_SHIFT | R,
                A_OFF << A_SHIFT,
                A_NA4 << A_SHIFT | R | W,
                A_TOR << A_SHIFT | X,
                0,
                0,
                0,
                0,
            ]),
        );
        let s = Privilege::Supervisor;
        assert!(p.check(0x8000_0ff8, 8, PmpAccess::Read, s));
        assert!(
            !p.check(0x8000_0ffc, 8, PmpAccess::Read, s),
            "straddles the end"
        );
        assert!(!p.check(0x8000_0000, 4, PmpAccess::Write, s));
        assert!(p.check(0x9000_0000, 4, PmpAccess::Write, s), "NA4");
        assert!(
            !p.check(0x9000_0004, 4, PmpAccess::Write, s),
            "TOR has no W"
        );
        assert!(
            p.check(0x9000_0ffc, 4, PmpAccess::Execute, s),
            "TOR from entry 2's address"
        );
        assert!(!p.check(0x9000_1000, 4, PmpAccess::Execute, s));
        assert!(p.page_is_uniform(0x8000_0000));
        assert!(!p.page_is_uniform(0x9000_0000));
        assert!(
            p.page_is_uniform(0xffff_ffff_ffff_f000),
            "the last page does not overflow"
        );
        assert!(!p.check(u64::MAX - 7, 8, PmpAccess::Read, s));
    }

    #[test]
    fn lock_enforces_on_m_mode_and_freezes_the_entry() {
        let mut p = Pmp::new();
        p.write_addr(0, napot(0x8000_0000, 0x1000));
        p.write_cfg(0, u64::from(A_NAPOT << A_SHIFT | R | L));
        assert!(!p.check(0x8000_0000, 4, PmpAccess::Write, Privilege::Machine));
        assert!(p.check(0x8000_0000, 4, PmpAccess::Read, Privilege::Machine));
        assert!(!p.write_cfg(0, 0));
        assert!(!p.write_addr(0, 0));
        assert_eq!(p.read_cfg(0) & 0xff, u64::from(A_NAPOT << A_SHIFT | R | L));
    }

    #[test]
    fn locked_tor_protects_the_previous_address() {
        let mut p = Pmp::new();
        p.write_addr(0, 0x1000);
        p.write_addr(1, 0x2000);
        p.write_cfg(0, u64::from(A_TOR << A_SHIFT | L) << 8);
        assert!(!p.write_addr(0, 0x5000));
        assert_eq!(p.read_addr(0), 0x1000);
    }

    #[test]
    fn reserved_bits_read_back_legal() {
        let mut p = Pmp::new();
        p.write_cfg(0, 0x62); // reserved bits 6:5 and W without R
        assert_eq!(p.read_cfg(0) & 0xff, 0);
        p.write_addr(0, u64::MAX);
        assert_eq!(p.read_addr(0), ADDR_MASK);
        assert_eq!(p.read_addr(40), 0);
    }
}
