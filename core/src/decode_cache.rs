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

use std::cell::Cell;
use std::rc::Rc;

use crate::isa::Slot;

/// Slots per page: one per halfword of a 4 KiB page.
pub(crate) const SLOTS_PER_PAGE: usize = 2048;

/// The decoded records of one physical page of RAM. The slots sit in
/// the same allocation as the page's header, so the run loop reaches a
/// slot with one add from the page pointer it holds.
pub(crate) struct CodePage {
    /// The index of the page inside RAM (RAM offset / 4 KiB).
    pub(crate) ram_page: usize,
    slots: [Cell<Slot>; SLOTS_PER_PAGE],
}

impl CodePage {
    fn new(ram_page: usize) -> Self {
        CodePage {
            ram_page,
            slots: [const { Cell::new(Slot::UNDECODED) }; SLOTS_PER_PAGE],
        }
    }

    /// The slot of the instruction starting at `pc` (only the page offset
    /// of `pc` matters).
    #[inline(always)]
    pub(crate) fn slot(&self, pc: u64) -> &Cell<Slot> {
        &self.slots[(pc as usize >> 1) & (SLOTS_PER_PAGE - 1)]
    }

    fn reset(&self, first_slot: usize, end_slot: usize) {
        for slot in &self.slots[first_slot..end_slot] {
            slot.set(Slot::UNDECODED);
        }
    }
}

/// The per-page decode cache of one [`crate::Memory`], shared by all harts.
pub(crate) struct DecodeCache {
    pages: Vec<Option<Rc<CodePage>>>,
    live: usize,
    code_epoch: u64,
    flush_epoch: u64,
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
    pub(crate) fn invalidate(&self, offset: usize, len: usize) {
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
        }
    }
}
