//! Debugger support: breakpoints and watchpoints that a debugger (such as
//! rivet's GDB stub) sets on a hart from outside, and the debugger's view of
//! memory. None of it is visible to the guest: breakpoints patch no memory,
//! and debugger accesses set no accessed/dirty bits and raise no traps.
//! (The guest's own breakpoints are the trigger module, `crate::trigger`.)
//!
//! # Costing nothing when unused
//!
//! The run loop executes decoded pages and the TLB maps data pages straight
//! to host memory; neither looks at addresses one by one. So a hart keeps
//! the pages that hold a breakpoint out of its fetch TLB and the pages that
//! hold a watched byte out of its load and store TLBs. Code in a page with a
//! breakpoint runs one instruction at a time, each checked against the
//! breakpoints before it executes; an access to a watched page takes the
//! slow path, which checks the watchpoints before it touches memory. Every
//! other page runs at full speed, and with no breakpoint or watchpoint set
//! the only cost is a flag tested on those slow paths.
//!
//! # When a watchpoint fires
//!
//! GDB expects the stop *after* the access (it compares the old value with
//! the new one), with `pc` at the next instruction. The hart checks before
//! the access, so that nothing has happened yet when it finds a hit: it
//! abandons the instruction, then executes it once more with the debugger's
//! points ignored and interrupts held off, and reports the stop. The
//! instruction's effects happen exactly once.

use std::collections::{BTreeSet, HashSet};

use crate::addr::PhysAddr;
use crate::bus::Bus;
use crate::csr::Privilege;
use crate::hart::Hart;
use crate::memory::Memory;
use crate::mmu::AccessType;
use crate::pmp::PmpAccess;

/// The accesses a watchpoint reports (GDB's `Z2`, `Z3` and `Z4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WatchKind {
    /// Stores, SCs and AMOs.
    Write,
    /// Loads, LRs and AMOs.
    Read,
    /// Both.
    Access,
}

/// A watched range of virtual addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Watchpoint {
    /// First watched byte.
    pub addr: u64,
    /// Number of watched bytes (at least 1).
    pub len: u64,
    /// Which accesses it reports.
    pub kind: WatchKind,
}

impl Watchpoint {
    /// Whether an access of `size` bytes at `addr` (a store if `store`)
    /// touches this watchpoint in a way it reports. An AMO is both a load
    /// and a store: pass it as a store and `amo = true`.
    fn reports(&self, addr: u64, size: u64, store: bool, amo: bool) -> bool {
        let overlaps =
            addr < self.addr.saturating_add(self.len) && self.addr < addr.saturating_add(size);
        overlaps
            && match self.kind {
                WatchKind::Access => true,
                WatchKind::Write => store,
                WatchKind::Read => !store || amo,
            }
    }
}

/// Why a hart stopped for its debugger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DebugEvent {
    /// `pc` reached a breakpoint; the instruction there has not executed.
    Breakpoint {
        /// The breakpoint's address.
        pc: u64,
    },
    /// An instruction accessed a watched range; it has executed and `pc`
    /// is past it.
    Watchpoint {
        /// The first accessed byte.
        addr: u64,
        /// The watchpoint's kind.
        kind: WatchKind,
    },
}

/// More watched pages than this and the hart simply keeps every data page
/// out of its TLB while the watchpoint is set.
const MAX_WATCHED_PAGES: u64 = 1024;

/// The breakpoints and watchpoints of one hart, with the pages they touch.
#[derive(Clone, Debug, Default)]
pub(crate) struct DebugPoints {
    breakpoints: BTreeSet<u64>,
    watchpoints: Vec<Watchpoint>,
    /// Virtual page numbers holding a breakpoint.
    code_pages: HashSet<u64>,
    /// Virtual page numbers holding a watched byte.
    data_pages: HashSet<u64>,
    /// Some watchpoint covers too many pages to list: watch all of them.
    all_data_pages: bool,
    /// Ignore breakpoints for the next instruction (a debugger's step).
    pub(crate) step_over_breakpoints: bool,
    /// Ignore watchpoints for the next instruction (running again one a
    /// watchpoint abandoned).
    pub(crate) unwatched: bool,
    /// A watchpoint hit found before its access: the instruction is being
    /// abandoned (see the module documentation).
    pub(crate) watch_hit: Option<DebugEvent>,
    /// The stop to report when the run ends.
    pub(crate) stop: Option<DebugEvent>,
}

impl DebugPoints {
    /// Adds a breakpoint; `false` if it was already set.
    pub(crate) fn insert_breakpoint(&mut self, addr: u64) -> bool {
        self.code_pages.insert(addr >> 12);
        self.breakpoints.insert(addr)
    }

    /// Removes a breakpoint; `false` if there was none.
    pub(crate) fn remove_breakpoint(&mut self, addr: u64) -> bool {
        let removed = self.breakpoints.remove(&addr);
        let page = addr >> 12;
        if !self
            .breakpoints
            .range(page << 12..=(page << 12 | 0xfff))
            .any(|_| true)
        {
            self.code_pages.remove(&page);
        }
        removed
    }

    /// Adds a watchpoint; `false` if the same one was already set.
    pub(crate) fn insert_watchpoint(&mut self, w: Watchpoint) -> bool {
        if w.len == 0 || self.watchpoints.contains(&w) {
            return false;
        }
        self.watchpoints.push(w);
        self.add_data_pages(w);
        true
    }

    /// Removes a watchpoint; `false` if there was none.
    pub(crate) fn remove_watchpoint(&mut self, w: Watchpoint) -> bool {
        let before = self.watchpoints.len();
        self.watchpoints.retain(|x| *x != w);
        self.recompute_data_pages();
        self.watchpoints.len() != before
    }

    fn recompute_data_pages(&mut self) {
        self.data_pages.clear();
        self.all_data_pages = false;
        for w in std::mem::take(&mut self.watchpoints) {
            self.add_data_pages(w);
            self.watchpoints.push(w);
        }
    }

    /// Adds the pages of `w` to the watched set: all of them at once when
    /// it (or the set) grows past [`MAX_WATCHED_PAGES`], so that the set
    /// stays small whatever a client asks.
    fn add_data_pages(&mut self, w: Watchpoint) {
        if self.all_data_pages {
            return;
        }
        let first = w.addr >> 12;
        let last = w.addr.saturating_add(w.len - 1) >> 12;
        if last - first >= MAX_WATCHED_PAGES
            || self.data_pages.len() as u64 + (last - first) >= 4 * MAX_WATCHED_PAGES
        {
            self.all_data_pages = true;
            self.data_pages.clear();
        } else {
            self.data_pages.extend(first..=last);
        }
    }

    /// The breakpoints, in address order.
    pub(crate) fn breakpoints(&self) -> impl Iterator<Item = u64> + '_ {
        self.breakpoints.iter().copied()
    }

    /// The watchpoints, in the order they were set.
    pub(crate) fn watchpoints(&self) -> &[Watchpoint] {
        &self.watchpoints
    }

    /// Whether any breakpoint is set.
    pub(crate) fn has_breakpoints(&self) -> bool {
        !self.breakpoints.is_empty()
    }

    /// Whether any watchpoint is set.
    pub(crate) fn has_watchpoints(&self) -> bool {
        !self.watchpoints.is_empty()
    }

    /// Whether the virtual page at `page` holds a breakpoint.
    pub(crate) fn breaks_in_page(&self, page: u64) -> bool {
        self.code_pages.contains(&(page >> 12))
    }

    /// Whether the virtual page at `page` holds a watched byte. (Only
    /// naturally aligned accesses use the TLB, and those never leave their
    /// page; misaligned ones always take the slow path.)
    pub(crate) fn watches_page(&self, page: u64) -> bool {
        self.all_data_pages || self.data_pages.contains(&(page >> 12))
    }

    /// The breakpoint at `pc`, unless suppressed.
    pub(crate) fn breakpoint_at(&self, pc: u64) -> Option<DebugEvent> {
        (!self.step_over_breakpoints && self.breakpoints.contains(&pc))
            .then_some(DebugEvent::Breakpoint { pc })
    }

    /// The watchpoint an access reports, unless suppressed.
    pub(crate) fn watchpoint_hit(
        &self,
        addr: u64,
        size: u64,
        store: bool,
        amo: bool,
    ) -> Option<DebugEvent> {
        if self.unwatched {
            return None;
        }
        self.watchpoints
            .iter()
            .find(|w| w.reports(addr, size, store, amo))
            .map(|w| DebugEvent::Watchpoint {
                addr: addr.max(w.addr),
                kind: w.kind,
            })
    }
}

impl Hart {
    /// Reads guest memory at virtual address `vaddr` into `buf` as a
    /// debugger sees it through this hart: translated by
    /// [`Hart::debug_translate`], checked by PMP for the hart's privilege
    /// mode, from RAM or side-effect-free device memory ([`Bus::peek`]).
    /// Returns how many bytes were read: fewer than asked where a byte
    /// cannot be.
    pub fn debug_read(&self, mem: &Memory, bus: &dyn Bus, vaddr: u64, buf: &mut [u8]) -> usize {
        let mut done = 0;
        for (vaddr, len) in page_chunks(vaddr, buf.len()) {
            let Some(paddr) = self.debug_translate(mem, vaddr) else {
                break;
            };
            let chunk = &mut buf[done..done + len];
            let allowed = self
                .csr
                .pmp
                .check(paddr, len as u64, PmpAccess::Read, self.prv);
            if !allowed
                || (mem.read(PhysAddr(paddr), chunk).is_err() && !bus.peek(PhysAddr(paddr), chunk))
            {
                break;
            }
            done += len;
        }
        done
    }

    /// Writes `data` to guest memory at virtual address `vaddr` as a
    /// debugger: translated and checked like [`Hart::debug_read`], RAM
    /// only. Decoded instructions it overwrites are invalidated. Returns
    /// how many bytes were written.
    pub fn debug_write(&self, mem: &mut Memory, vaddr: u64, data: &[u8]) -> usize {
        let mut done = 0;
        for (vaddr, len) in page_chunks(vaddr, data.len()) {
            let Some(paddr) = self.debug_translate(mem, vaddr) else {
                break;
            };
            let allowed = self
                .csr
                .pmp
                .check(paddr, len as u64, PmpAccess::Write, self.prv);
            if !allowed || mem.write(PhysAddr(paddr), &data[done..done + len]).is_err() {
                break;
            }
            done += len;
        }
        done
    }
}

/// One translation held in a hart's TLB (a debugger's `info tlb`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlbEntry {
    /// The access kind the entry serves.
    pub access: AccessType,
    /// The virtual page.
    pub vpage: u64,
    /// The physical page (not kept for fetch entries, which map to
    /// decoded code instead).
    pub ppage: Option<u64>,
    /// The privilege mode whose rules the entry was checked under.
    pub privilege: Privilege,
}

impl Hart {
    /// The translations this hart's TLB holds now.
    pub fn tlb_entries(&self, mem: &Memory) -> Vec<TlbEntry> {
        let ram = mem.host_page(0) as usize;
        self.tlb
            .entries()
            .into_iter()
            .map(|(table, tag, host)| TlbEntry {
                access: match table {
                    0 => AccessType::Load,
                    1 => AccessType::Store,
                    _ => AccessType::Fetch,
                },
                vpage: tag & !0xfff,
                ppage: host.map(|h| mem.base().get() + (h as usize).wrapping_sub(ram) as u64),
                privilege: Privilege::from_bits((tag >> 4) & 3).unwrap_or(Privilege::User),
            })
            .collect()
    }
}

/// Splits `len` bytes from `vaddr` at page boundaries (wrapping at the top
/// of the address space): `(address, length)` pairs.
fn page_chunks(vaddr: u64, len: usize) -> impl Iterator<Item = (u64, usize)> {
    let mut at = vaddr;
    let mut left = len;
    std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let in_page = crate::bits::to_usize(0x1000 - (at & 0xfff));

        let n = left.min(in_page);
        let chunk = (at, n);
        at = at.wrapping_add(n as u64);
        left -= n;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breakpoints_page_is_known_until_its_last_breakpoint_goes() {
        let mut d = DebugPoints::default();
        assert!(d.insert_breakpoint(0x8000_0010));
        assert!(d.insert_breakpoint(0x8000_0020));
        assert!(!d.insert_breakpoint(0x8000_0020));
        assert!(d.breaks_in_page(0x8000_0000));
        assert!(!d.breaks_in_page(0x8000_1000));
        assert!(d.remove_breakpoint(0x8000_0010));
        assert!(d.breaks_in_page(0x8000_0000));
        assert!(d.remove_breakpoint(0x8000_0020));
        assert!(!d.breaks_in_page(0x8000_0000));
        assert!(!d.remove_breakpoint(0x8000_0020));
        assert_eq!(d.breakpoint_at(0x8000_0020), None);
    }

    #[test]
    fn watchpoints_report_the_accesses_of_their_kind() {
        let mut d = DebugPoints::default();
        let w = Watchpoint {
            addr: 0x1000,
            len: 4,
            kind: WatchKind::Write,
        };
        d.insert_watchpoint(w);
        assert!(d.watchpoint_hit(0x1000, 4, false, false).is_none());
        assert!(d.watchpoint_hit(0x0ffc, 4, true, false).is_none());
        assert_eq!(
            d.watchpoint_hit(0x0ffe, 4, true, false),
            Some(DebugEvent::Watchpoint {
                addr: 0x1000,
                kind: WatchKind::Write
            })
        );
        assert!(d.watchpoint_hit(0x1004, 8, true, false).is_none());
        d.remove_watchpoint(w);
        d.insert_watchpoint(Watchpoint {
            kind: WatchKind::Read,
            ..w
        });
        assert!(d.watchpoint_hit(0x1000, 4, true, false).is_none());
        assert!(d.watchpoint_hit(0x1000, 4, true, true).is_some());
        assert!(d.watchpoint_hit(0x1003, 1, false, false).is_some());
    }

    #[test]
    fn only_watched_pages_take_the_slow_path() {
        let mut d = DebugPoints::default();
        d.insert_watchpoint(Watchpoint {
            addr: 0x5000,
            len: 1,
            kind: WatchKind::Access,
        });
        assert!(d.watches_page(0x5000));
        assert!(!d.watches_page(0x6000));
        assert!(!d.watches_page(0x4000));
    }

    #[test]
    fn chunks_stop_at_page_boundaries() {
        let chunks: Vec<_> = page_chunks(0x1ffe, 0x1004).collect();
        assert_eq!(chunks, [(0x1ffe, 2), (0x2000, 0x1000), (0x3000, 2)]);
        assert_eq!(page_chunks(u64::MAX - 1, 4).count(), 2);
        assert_eq!(page_chunks(0, 0).count(), 0);
    }

    #[test]
    fn a_huge_watchpoint_watches_every_page() {
        let mut d = DebugPoints::default();
        d.insert_watchpoint(Watchpoint {
            addr: 0,
            len: u64::MAX,
            kind: WatchKind::Access,
        });
        assert!(d.watches_page(0xdead_b000));
        assert!(d.watchpoint_hit(u64::MAX - 3, 4, false, false).is_some());
    }
}
