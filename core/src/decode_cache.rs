//! The decoded-instruction cache: "decode once" (DESIGN.md, the fast path).
//!
//! Every 4 KiB page of RAM that the harts execute from gets a [`CodePage`]
//! holding its code decoded into *runs*. A run is the instructions from
//! some `pc` up to and including the next one that always changes control
//! flow or can change state the run loop depends on (a jump, a CSR or
//! system instruction, a fence), all inside the page, at most [`MAX_RUN`]
//! of them. Conditional branches stay inside a run: one not taken falls
//! through, one taken leaves the run in the middle. A run's records
//! (handler and operands: [`Record`]) sit one after the other in the page's
//! record table, so the loop running them steps through memory at a fixed
//! stride: finding the next record never waits for the current one.
//! Between a run's instructions the loop checks neither the page nor what
//! is left of its budget: a run stays in its page, and its length is
//! checked against the budget before it starts.
//!
//! Runs are decoded on first entry ([`crate::isa::decode_run`]). Each
//! instruction of a run starts a run too (the rest of it), so a jump into
//! the middle of one finds its records already there. The hart then never
//! looks at instruction bits again.
//!
//! Correctness rules:
//! - a write to RAM forgets every run that could cover the bytes it
//!   touches — the runs starting up to [`MAX_RUN_BYTES`] before them
//!   ([`DecodeCache::invalidate`]); the rest of the page stays decoded, so
//!   self-modifying code costs only what it changes. [`DecodeCache::writes`]
//!   counts such writes, so that a run whose own code was overwritten by one
//!   of its stores stops right after that store;
//! - an instruction that straddles two pages is never decoded into a run
//!   (it is fetched whole every time it runs), so a page's runs depend on
//!   that page's bytes alone;
//! - a page that becomes code moves [`DecodeCache::code_epoch`] on, which
//!   tells every hart to drop store-TLB entries (stores to code must take
//!   the slow path that invalidates);
//! - a page that keeps being written without being executed (an operating
//!   system reusing a freed page of code as data, typically by clearing it
//!   a byte at a time) stops being code after [`DEMOTE_AFTER`] such
//!   writes: the cache drops it and moves [`DecodeCache::flush_epoch`] on,
//!   so its remaining stores take the store TLB's fast path like any
//!   data's. The dropped page is marked dead and emptied; the run loop
//!   never decodes into a dead page, and fetches the page anew (creating a
//!   fresh one) when it executes there again;
//! - the cache is bounded: past [`DecodeCache::MAX_PAGES`] pages it is
//!   flushed whole and [`DecodeCache::flush_epoch`] moves on, which tells
//!   every hart to drop the pages its fetch TLB still holds. A page's record
//!   table is bounded too: when full, it is emptied and its runs forgotten.

use std::cell::Cell;
use std::sync::Arc;

use crate::bits::to_usize;
use crate::isa::{ExecFn, Insn, Record};

/// Run starts per page: one per halfword of a 4 KiB page.
const STARTS_PER_PAGE: usize = 2048;

/// The most instructions in one run.
pub(crate) const MAX_RUN: usize = 64;

/// The most bytes one run covers.
const MAX_RUN_BYTES: usize = MAX_RUN * 4;

/// The most records a page's record table holds.
const MAX_RECORDS: usize = 2048;

// A run's packed entry (`start << 8 | len`) fits its u32 cell.
const _: () = assert!(MAX_RUN <= 0xff && MAX_RECORDS << 8 <= u32::MAX as usize);

/// A page offset (below 4096) as the `u16` a record keeps.
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "a page offset is below 4096"
)]
fn page_offset(offset: u64) -> u16 {
    offset as u16
}

/// Writes into a code page, with no run decoded there in between, after
/// which the page stops being code.
pub(crate) const DEMOTE_AFTER: u32 = 64;

/// Where a run's records are in its page's record table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Run {
    /// Index of its first record.
    pub(crate) start: usize,
    /// Number of instructions (at least 1).
    pub(crate) len: usize,
}

/// The records of one run, as [`CodePage::records`] gives them.
pub(crate) struct RunRecords<'a> {
    pub(crate) insns: &'a [Cell<Insn>],
    pub(crate) execs: &'a [Cell<ExecFn>],
    pub(crate) offsets: &'a [Cell<u16>],
}

/// The runs of one physical page of RAM.
pub(crate) struct CodePage {
    /// The index of the page inside RAM (RAM offset / 4 KiB).
    pub(crate) ram_page: usize,
    /// Per halfword, the run starting there: `start << 8 | len` (0: none).
    runs: [Cell<u32>; STARTS_PER_PAGE],
    /// The record table: operands ([`Record::insn`]) ...
    insns: [Cell<Insn>; MAX_RECORDS],
    /// ... and handlers ([`Record::exec`]) apart, because the run loop's
    /// inline paths need only the operands; and the page offsets of the
    /// instructions, which few of them need.
    execs: [Cell<ExecFn>; MAX_RECORDS],
    offsets: [Cell<u16>; MAX_RECORDS],
    /// Records in use.
    used: Cell<usize>,
    /// Writes that forgot runs here since a run was last decoded here.
    writes: Cell<u32>,
    /// Dropped from the cache: its runs are gone and none may be added.
    dead: Cell<bool>,
}

// SAFETY: `Sync` lets `Arc<CodePage>` be `Send`, so that a `Memory` (whose
// decode cache holds pages) and a `Hart` (whose fetch TLB holds pages of the
// memory it last ran with) can each move to another thread. The cells are
// never touched through a shared reference from two threads at once,
// because every access to them is made by a holder of `&mut Memory` for the
// memory whose cache created the page (or, for the cache's own methods,
// `&mut DecodeCache` inside it):
// - `DecodeCache::invalidate`/`demote`/`page` take `&mut self`;
// - the run loop (`Hart::run`, via `fetch_page`, `run_in_page`,
//   `decode_run`, `add_run`) reads and fills pages only while it holds
//   `&mut Memory`, and only pages that came from that memory's cache: its
//   fetch TLB is flushed whenever it runs with a memory of another identity
//   (`Hart::sync_with_memory`; identities are never reused, and a restored
//   memory takes a new one).
// A hart's TLB may keep pages of a memory another thread now owns, but it
// only holds them (the reference count is atomic) until its next run
// flushes them; it reads them only after being handed `&mut` to that very
// memory, and that hand-over orders the accesses (happens-before). Methods
// that take `&Memory` never touch a page's cells.
unsafe impl Sync for CodePage {}

impl CodePage {
    fn new(ram_page: usize) -> Self {
        let unused = crate::isa::unused_record();
        CodePage {
            ram_page,
            runs: [const { Cell::new(0) }; STARTS_PER_PAGE],
            insns: std::array::from_fn(|_| Cell::new(unused.insn)),
            execs: std::array::from_fn(|_| Cell::new(unused.exec)),
            offsets: [const { Cell::new(0) }; MAX_RECORDS],
            used: Cell::new(0),
            writes: Cell::new(0),
            dead: Cell::new(false),
        }
    }

    /// Whether the cache dropped this page (see [`DEMOTE_AFTER`]): the run
    /// loop must fetch the page anew instead of decoding into it.
    #[inline]
    pub(crate) fn is_dead(&self) -> bool {
        self.dead.get()
    }

    /// The run starting at `pc` (only its page offset matters), if decoded.
    #[inline(always)]
    pub(crate) fn run(&self, pc: u64) -> Option<Run> {
        let packed = self.runs[(to_usize(pc) >> 1) & (STARTS_PER_PAGE - 1)].get() as usize;
        (packed != 0).then_some(Run {
            start: packed >> 8,
            len: packed & 0xff,
        })
    }

    /// The operands, handlers and page offsets of `run`'s instructions.
    #[inline(always)]
    pub(crate) fn records(&self, run: Run) -> RunRecords<'_> {
        let end = run.start + run.len;
        RunRecords {
            insns: &self.insns[run.start..end],
            execs: &self.execs[run.start..end],
            offsets: &self.offsets[run.start..end],
        }
    }

    /// Records the run `records` whose instructions start at page offsets
    /// `offsets` (at most [`MAX_RUN`] of them; each starts the rest of the
    /// run). Must not be called while a run of this page runs.
    pub(crate) fn add_run(&self, offsets: &[u64], records: &[Record]) {
        debug_assert!(!records.is_empty() && records.len() <= MAX_RUN);
        debug_assert!(!self.is_dead(), "a run decoded into a dropped page");
        self.writes.set(0);
        if self.used.get() + records.len() > MAX_RECORDS {
            self.used.set(0);
            for run in &self.runs {
                run.set(0);
            }
        }
        let start = self.used.get();
        for (k, (record, offset)) in records.iter().zip(offsets).enumerate() {
            self.insns[start + k].set(record.insn);
            self.execs[start + k].set(record.exec);
            self.offsets[start + k].set(page_offset(*offset));
        }
        self.used.set(start + records.len());
        for (k, offset) in offsets.iter().enumerate() {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "an index below MAX_RECORDS shifted by 8, or'd with a length up to MAX_RUN: fits (asserted beside MAX_RECORDS)"
            )]
            let packed = ((start + k) << 8 | (records.len() - k)) as u32;
            self.runs[(to_usize(*offset) >> 1) & (STARTS_PER_PAGE - 1)].set(packed);
        }
    }

    /// Forgets every run that could cover a byte of `first..end` (page
    /// offsets).
    fn forget(&self, first: usize, end: usize) {
        let first_start = first.saturating_sub(MAX_RUN_BYTES) >> 1;
        for run in &self.runs[first_start..end.div_ceil(2)] {
            run.set(0);
        }
    }
}

/// The per-page decode cache of one [`crate::Memory`], shared by all harts.
pub(crate) struct DecodeCache {
    pages: Vec<Option<Arc<CodePage>>>,
    live: usize,
    code_epoch: u64,
    flush_epoch: u64,
    flushes: u64,
    writes: u64,
}

impl DecodeCache {
    /// The most pages decoded at once (44 KiB each: 44 MiB in all).
    pub(crate) const MAX_PAGES: usize = 1024;

    pub(crate) fn new(ram_pages: usize) -> Self {
        DecodeCache {
            pages: vec![None; ram_pages],
            live: 0,
            code_epoch: 0,
            flush_epoch: 0,
            flushes: 0,
            writes: 0,
        }
    }

    /// Moves on whenever a page becomes code: harts must drop their store
    /// translations, since stores to code need the invalidating slow path.
    #[inline]
    pub(crate) fn code_epoch(&self) -> u64 {
        self.code_epoch
    }

    /// Moves on whenever the cache is flushed or drops a page: harts must
    /// drop their fetch translations, which may hold pages the cache no
    /// longer tracks.
    #[inline]
    pub(crate) fn flush_epoch(&self) -> u64 {
        self.flush_epoch
    }

    /// Moves on with every write that made runs forgotten.
    #[inline]
    pub(crate) fn writes(&self) -> u64 {
        self.writes
    }

    /// How many times the cache was flushed for being full.
    pub(crate) fn flushes(&self) -> u64 {
        self.flushes
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
    pub(crate) fn page(&mut self, ram_page: usize) -> Arc<CodePage> {
        if let Some(Some(page)) = self.pages.get(ram_page) {
            return Arc::clone(page);
        }
        if self.live >= Self::MAX_PAGES {
            self.flush();
        }
        let page = Arc::new(CodePage::new(ram_page));
        self.pages[ram_page] = Some(Arc::clone(&page));
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
        self.flushes += 1;
    }

    /// Drops every decoded page, as when the whole of RAM is replaced (a
    /// snapshot restored): the pages die like demoted ones, both epochs
    /// move on, and the flush is not counted as one for being full.
    pub(crate) fn clear(&mut self) {
        for page in self.pages.iter_mut().filter_map(Option::take) {
            page.forget(0, 4096);
            page.dead.set(true);
        }
        self.live = 0;
        self.code_epoch += 1;
        self.flush_epoch += 1;
    }

    /// Forgets every run that could cover a byte of RAM in
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
            let lo = offset.max(page_start) - page_start;
            let hi = end.min(page_start + 4096) - page_start;
            page.forget(lo, hi);
            self.writes += 1;
            page.writes.set(page.writes.get() + 1);
            if page.writes.get() >= DEMOTE_AFTER {
                self.demote(ram_page);
            }
        }
    }

    /// Drops RAM page `ram_page` from the cache: it is data now.
    fn demote(&mut self, ram_page: usize) {
        if let Some(page) = self.pages.get_mut(ram_page).and_then(Option::take) {
            page.forget(0, 4096);
            page.dead.set(true);
            self.live -= 1;
            self.flush_epoch += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bound [`DecodeCache::MAX_PAGES`] documents holds: a page's
    /// tables take 44 KiB.
    #[test]
    fn a_code_page_takes_44_kib() {
        assert!(std::mem::size_of::<CodePage>() <= 44 * 1024 + 64);
    }
}
