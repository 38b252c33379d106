//! The decoded-instruction cache: "decode once" (DESIGN.md, the fast path).
//!
//! Every 4 KiB page of RAM that the harts execute from gets a [`CodePage`]:
//! one slot per halfword, holding the decoded record ([`Slot`]) of the
//! instruction that starts there. Slots are filled lazily: a fresh slot
//! holds a record whose handler decodes the instruction, stores the result
//! in the slot and runs it. The hart then executes straight out of the
//! slots, never looking at instruction bits again.
//!
//! Correctness rules:
//! - a write to RAM resets exactly the slots whose instruction bytes it
//!   touches ([`DecodeCache::invalidate`]); the rest of the page stays
//!   decoded, so self-modifying code costs only what it changes;
//! - an instruction that straddles two pages is never cached (its slot
//!   keeps a handler that fetches both halves every time), so a page's
//!   slots depend on that page's bytes alone;
//! - a page that becomes code moves [`DecodeCache::code_epoch`] on, which
//!   tells every hart to drop store-TLB entries (stores to code must take
//!   the slow path that invalidates);
//! - the cache is bounded: past [`DecodeCache::MAX_PAGES`] pages it is
//!   flushed whole and [`DecodeCache::flush_epoch`] moves on, which tells
//!   every hart to drop the pages its fetch TLB still holds.
//!
//! Runs. Besides its decoded record, every slot may know the length of the
//! *run* that starts there: the straight-line instructions up to and
//! including the next one that can change control flow or the hart's
//! state (a branch, a jump, a CSR or system instruction, a fence), all
//! decoded, all inside the page, at most [`MAX_RUN`] of them. The hart
//! executes a run without looking, between its instructions, at where
//! control goes or how much of its budget is left ([`crate::isa::decode_run`]
//! builds runs, the hart's run loop executes them). A write that resets a
//! slot also forgets every run that could cover it: the runs starting up to
//! [`MAX_RUN_BYTES`] before it. [`DecodeCache::writes`] counts such writes,
//! so that a run whose own code was overwritten by one of its stores stops
//! right after that store.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::isa::Slot;

/// Slots per page: one per halfword of a 4 KiB page.
pub(crate) const SLOTS_PER_PAGE: usize = 2048;

/// The most instructions in one run.
pub(crate) const MAX_RUN: u8 = 64;

/// The most bytes one run covers.
const MAX_RUN_BYTES: usize = MAX_RUN as usize * 4;

/// The most instructions a page's run table holds at once; when full it
/// is emptied (the runs are rebuilt as they are next entered).
const MAX_RUN_OPS: usize = SLOTS_PER_PAGE;

/// Where a run's records are: `ops[start..start + len]` of its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Run {
    /// Index of its first record in the page's run table.
    pub(crate) start: usize,
    /// Number of instructions (at least 1).
    pub(crate) len: usize,
}

/// The decoded records of one physical page of RAM. The slots sit in
/// the same allocation as the page's header, so the run loop reaches a
/// slot with one add from the page pointer it holds.
pub(crate) struct CodePage {
    /// The index of the page inside RAM (RAM offset / 4 KiB).
    pub(crate) ram_page: usize,
    slots: [Cell<Slot>; SLOTS_PER_PAGE],
    /// Per slot, the run starting there: `start << 8 | len` (0: unknown).
    runs: [Cell<u32>; SLOTS_PER_PAGE],
    /// The records of the runs, each run's instructions one after the
    /// other: the loop running them steps through memory at a fixed
    /// stride, so finding the next record never waits for the current one
    /// (stepping through the slots needs the current length first).
    ops: RefCell<Vec<Slot>>,
}

impl CodePage {
    fn new(ram_page: usize) -> Self {
        CodePage {
            ram_page,
            slots: [const { Cell::new(Slot::UNDECODED) }; SLOTS_PER_PAGE],
            runs: [const { Cell::new(0) }; SLOTS_PER_PAGE],
            ops: RefCell::new(Vec::new()),
        }
    }

    /// The slot of the instruction starting at `pc` (only the page offset
    /// of `pc` matters).
    #[inline(always)]
    pub(crate) fn slot(&self, pc: u64) -> &Cell<Slot> {
        &self.slots[(pc as usize >> 1) & (SLOTS_PER_PAGE - 1)]
    }

    /// The run starting at `pc`, if it is known.
    #[inline(always)]
    pub(crate) fn run(&self, pc: u64) -> Option<Run> {
        let packed = self.runs[(pc as usize >> 1) & (SLOTS_PER_PAGE - 1)].get() as usize;
        (packed != 0).then_some(Run {
            start: packed >> 8,
            len: packed & 0xff,
        })
    }

    /// The records of the page's runs (see [`CodePage::run`]).
    #[inline(always)]
    pub(crate) fn ops(&self) -> std::cell::Ref<'_, Vec<Slot>> {
        self.ops.borrow()
    }

    /// Records the run of `records` (at most [`MAX_RUN`]) that starts at
    /// `pc`, whose instructions start at `pcs`; each of them starts the
    /// rest of the run. Must not be called while a run of this page runs.
    pub(crate) fn add_run(&self, pcs: &[u64], records: &[Slot]) {
        let mut ops = self.ops.borrow_mut();
        if ops.len() + records.len() > MAX_RUN_OPS {
            ops.clear();
            for run in &self.runs {
                run.set(0);
            }
        }
        let start = ops.len();
        ops.extend_from_slice(records);
        for (k, pc) in pcs.iter().enumerate() {
            let packed = (start + k) << 8 | (records.len() - k);
            self.runs[(*pc as usize >> 1) & (SLOTS_PER_PAGE - 1)].set(packed as u32);
        }
    }

    /// Resets the slots `first_slot..end_slot` and forgets every run that
    /// could cover one of them.
    fn reset(&self, first_slot: usize, end_slot: usize) {
        for slot in &self.slots[first_slot..end_slot] {
            slot.set(Slot::UNDECODED);
        }
        let first_run = first_slot.saturating_sub(MAX_RUN_BYTES / 2);
        for run in &self.runs[first_run..end_slot] {
            run.set(0);
        }
    }
}

/// The per-page decode cache of one [`crate::Memory`], shared by all harts.
pub(crate) struct DecodeCache {
    pages: Vec<Option<Rc<CodePage>>>,
    live: usize,
    code_epoch: u64,
    flush_epoch: u64,
    writes: u64,
}

impl DecodeCache {
    /// The most pages decoded at once (32 KiB each: 32 MiB in all).
    pub(crate) const MAX_PAGES: usize = 1024;

    pub(crate) fn new(ram_pages: usize) -> Self {
        DecodeCache {
            pages: vec![None; ram_pages],
            live: 0,
            code_epoch: 0,
            flush_epoch: 0,
            writes: 0,
        }
    }

    /// Moves on whenever a page becomes code: harts must drop their store
    /// translations, since stores to code need the invalidating slow path.
    #[inline]
    pub(crate) fn code_epoch(&self) -> u64 {
        self.code_epoch
    }

    /// Moves on whenever the cache is flushed: harts must drop their fetch
    /// translations, which hold pages the cache no longer tracks.
    #[inline]
    pub(crate) fn flush_epoch(&self) -> u64 {
        self.flush_epoch
    }

    /// Moves on with every write that reset decoded slots.
    #[inline]
    pub(crate) fn writes(&self) -> u64 {
        self.writes
    }

    /// How many times the cache was flushed for being full.
    pub(crate) fn flushes(&self) -> u64 {
        self.flush_epoch
    }

    /// Number of pages currently decoded.
    pub(crate) fn live_pages(&self) -> usize {
        self.live
    }

    /// Whether RAM page `ram_page` holds decoded code.
    #[inline]
    pub(crate) fn is_code(&self, ram_page: usize) -> bool {
        matches!(self.pages.get(ram_page), Some(Some(_)))
    }

    /// The code page for `ram_page`, created on first use (moving the code
    /// epoch on), after flushing the cache if it is full.
    pub(crate) fn page(&mut self, ram_page: usize) -> Rc<CodePage> {
        if let Some(Some(page)) = self.pages.get(ram_page) {
            return Rc::clone(page);
        }
        if self.live >= Self::MAX_PAGES {
            self.flush();
        }
        let page = Rc::new(CodePage::new(ram_page));
        self.pages[ram_page] = Some(Rc::clone(&page));
        self.live += 1;
        self.code_epoch += 1;
        page
    }

    /// Drops every decoded page.
    pub(crate) fn flush(&mut self) {
        for page in self.pages.iter_mut() {
            *page = None;
        }
        self.live = 0;
        self.flush_epoch += 1;
    }

    /// Resets the slots of every instruction that overlaps the RAM bytes
    /// `offset..offset + len`.
    pub(crate) fn invalidate(&mut self, offset: usize, len: usize) {
        if len == 0 {
            return;
        }
        let end = offset.saturating_add(len);
        let first_page = offset >> 12;
        let last_page = (end - 1) >> 12;
        for ram_page in first_page..=last_page {
            let Some(Some(page)) = self.pages.get(ram_page) else {
                continue;
            };
            let page_start = ram_page << 12;
            // An instruction starting at most 2 bytes before `offset` (a
            // 4-byte one at a halfword boundary) can cover the first byte.
            let lo = offset.max(page_start).saturating_sub(2).max(page_start) - page_start;
            let hi = end.min(page_start + 4096) - page_start;
            page.reset(lo >> 1, hi.div_ceil(2));
            self.writes += 1;
        }
    }
}
