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
//! # Storage: sized by use
//!
//! A page has a fixed *run index*, one `u32` per halfword (8 KiB), which
//! finds the run starting at a `pc` with one load. Its record table grows
//! with the runs decoded in it: it is a row of [`CHUNK`]-record chunks
//! (1,152 bytes each), allocated one at a time as runs fill them, up to
//! [`MAX_RECORDS`] records. A run never spans two chunks (one that does
//! not fit in what is left of the last chunk starts the next), so its
//! records are contiguous and [`CodePage::records`] costs one load more
//! than a flat table: the chunk's address. A page with a few runs takes
//! 9.7 KiB (its first chunk comes with it); a page whose table is full,
//! 44.5 KiB (what every page took when the table was a fixed array, and
//! the bitmap of covered halfwords).
//!
//! A chunk never moves and is never freed while its page lives (its slot
//! is a [`OnceCell`], set once), so growth cannot invalidate the slices
//! that [`CodePage::records`] hands out; and its records are [`Cell`]s,
//! overwritten in place when the table starts over. Nothing here needs
//! `unsafe` beyond the `Sync` argument below.
//!
//! # The bound: gradual eviction
//!
//! The cache counts the bytes its pages take ([`DecodeCache::bytes`]: the
//! pages themselves and their chunks) against a limit,
//! [`DecodeCache::DEFAULT_LIMIT`] (32 MiB). Whenever a hart looks a page
//! up ([`DecodeCache::page`], on a fetch-TLB miss) and the cache is past
//! its limit, it evicts pages until it is back under seven eighths of it
//! (4 MiB freed, some 400 pages): a CLOCK sweep over RAM's pages, which
//! spares every page a hart has looked up since the sweep last passed it
//! (its *referenced* bit, set by [`DecodeCache::page`], cleared by the
//! sweep) and drops some of the others ([`DecodeCache::evict`] says which
//! and why). Every round moves [`DecodeCache::flush_epoch`] on, so each
//! hart empties its fetch TLB and looks up again every page it goes on
//! executing: a page in use is referenced again before the next round,
//! while the hot loop never touches the bit. A round frees an eighth of
//! the cache, so the next one comes only after some 400 pages more have
//! been decoded, and the cache never empties itself whole.
//!
//! Pages also grow between lookups (a hart runs in pages its fetch TLB
//! holds), so a page that would grow the cache past its *hard* limit
//! (the limit and an eighth) starts its own table over instead, like a
//! full one. A new page comes with its first chunk, counted when the cache
//! makes it (after making room), so the cache never holds more than its
//! hard limit. Pages it dropped may outlive it briefly, held by harts'
//! fetch TLBs until their next synchronisation (at most the fetch TLB's
//! entries per hart: [`crate::tlb`]).
//!
//! # Correctness rules
//!
//! - a write to RAM that touches the bytes of a decoded instruction forgets
//!   every run that could cover them — the runs starting up to
//!   [`MAX_RUN_BYTES`] before them ([`DecodeCache::invalidate`]); the rest
//!   of the page stays decoded, so self-modifying code costs only what it
//!   changes. [`DecodeCache::writes`] counts such writes, so that a run
//!   whose own code was overwritten by one of its stores stops right after
//!   that store. A page keeps a bitmap of the halfwords its decoded
//!   instructions cover: a write to the rest of a code page (variables
//!   sharing a page with code, as small programs and firmware have them)
//!   forgets nothing, counts nothing, and lets the run go on;
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
//!   data's. A dropped page (demoted, evicted, or cleared with the whole
//!   cache) is marked dead and its runs forgotten: stores to it no longer
//!   invalidate it, so none of its runs may run again. The run loop never
//!   decodes into a dead page, and fetches the page anew (creating a fresh
//!   one) when it executes there again;
//! - a page's record table is filled only between runs of that page:
//!   [`CodePage::add_run`] is never called while one of its runs executes
//!   (the run loop decodes only when it finds no run at a `pc`), since
//!   a table that starts over rewrites records in place.

use std::cell::{Cell, OnceCell};
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Records per chunk of a record table: one run of [`MAX_RUN`] at most.
/// Small chunks keep a page with few runs small; a run that does not fit
/// in what is left of a chunk wastes that rest (a few records on average).
const CHUNK: usize = 64;

/// Chunks per page.
const CHUNKS: usize = MAX_RECORDS / CHUNK;

// A run's packed entry (`start << 8 | len`) fits its u32 cell; the chunks
// make up the whole table (a power of two, for the mask in `records`); a
// run fits in one chunk.
const _: () = assert!(MAX_RUN <= 0xff && MAX_RECORDS << 8 <= u32::MAX as usize);
const _: () = assert!(CHUNKS * CHUNK == MAX_RECORDS && CHUNKS.is_power_of_two());
const _: () = assert!(MAX_RUN <= CHUNK);

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

/// The records of one run, as [`CodePage::records`] gives them: slots
/// `first .. first + len` of one chunk.
///
/// The run loop reads them by slot, masked to the chunk's size
/// ([`RunRecords::insn`]): an index the compiler can see is in bounds, so
/// the hot loop's dispatch is one block with no bounds check. A slot past
/// the run (which the run loop never reads: a run's last record always
/// ends it) would still be a record of the same chunk.
#[derive(Clone, Copy)]
pub(crate) struct RunRecords<'a> {
    chunk: &'a Chunk,
    /// The slot of the run's first record.
    pub(crate) first: usize,
    /// How many records the run has (at least 1).
    pub(crate) len: usize,
}

impl RunRecords<'_> {
    /// The operands of the record in `slot`.
    #[inline(always)]
    pub(crate) fn insn(&self, slot: usize) -> Insn {
        self.chunk.insns[slot & (CHUNK - 1)].get()
    }

    /// The handler of the record in `slot`.
    #[inline(always)]
    pub(crate) fn exec(&self, slot: usize) -> ExecFn {
        self.chunk.execs[slot & (CHUNK - 1)].get()
    }

    /// The page offset of the instruction in `slot`.
    #[inline(always)]
    pub(crate) fn offset(&self, slot: usize) -> u16 {
        self.chunk.offsets[slot & (CHUNK - 1)].get()
    }

    /// The slots of the run's records, in order.
    #[cfg(test)]
    pub(crate) fn slots(&self) -> std::ops::Range<usize> {
        self.first..self.first + self.len
    }
}

/// [`CHUNK`] consecutive records of a page's record table.
struct Chunk {
    /// The operands ([`Record::insn`]) ...
    insns: [Cell<Insn>; CHUNK],
    /// ... and handlers ([`Record::exec`]) apart, because the run loop's
    /// inline paths need only the operands; and the page offsets of the
    /// instructions, which few of them need.
    execs: [Cell<ExecFn>; CHUNK],
    offsets: [Cell<u16>; CHUNK],
}

impl Chunk {
    fn new() -> Box<Self> {
        let unused = crate::isa::unused_record();
        Box::new(Chunk {
            insns: std::array::from_fn(|_| Cell::new(unused.insn)),
            execs: std::array::from_fn(|_| Cell::new(unused.exec)),
            offsets: [const { Cell::new(0) }; CHUNK],
        })
    }
}

/// What a page takes without its chunks (its `Arc` counts included; the
/// allocator's own bookkeeping aside).
const BARE_PAGE_BYTES: usize = std::mem::size_of::<CodePage>() + 2 * std::mem::size_of::<usize>();

/// What one chunk takes (the allocator's own bookkeeping aside).
const CHUNK_BYTES: usize = std::mem::size_of::<Chunk>();

/// What a new page takes: it comes with its first chunk.
const NEW_PAGE_BYTES: usize = BARE_PAGE_BYTES + CHUNK_BYTES;

/// The bytes a cache's pages take, shared by the cache and its pages: pages
/// grow by themselves ([`CodePage::add_run`]) between the cache's looks.
#[derive(Debug)]
struct Footprint {
    bytes: AtomicUsize,
    /// Past this, a page starts its table over instead of growing.
    hard_limit: AtomicUsize,
}

// Every access to a footprint is made by the holder of `&mut Memory` for
// the memory whose cache it counts (as for a page's cells: see the `Sync`
// argument of `CodePage`), so these read-modify-write sequences never
// interleave; atomics only make the type `Sync` without `unsafe`.
impl Footprint {
    fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    fn add(&self, n: usize) {
        self.bytes.store(self.bytes() + n, Ordering::Relaxed);
    }

    fn sub(&self, n: usize) {
        self.bytes.store(self.bytes() - n, Ordering::Relaxed);
    }

    /// Counts `n` bytes more if that stays within the hard limit.
    fn try_grow(&self, n: usize) -> bool {
        let grown = self.bytes() + n <= self.hard_limit.load(Ordering::Relaxed);
        if grown {
            self.add(n);
        }
        grown
    }
}

/// The runs of one physical page of RAM.
pub(crate) struct CodePage {
    /// The index of the page inside RAM (RAM offset / 4 KiB).
    pub(crate) ram_page: usize,
    /// Per halfword, the run starting there: `start << 8 | len` (0: none).
    runs: [Cell<u32>; STARTS_PER_PAGE],
    /// The record table, chunk by chunk: chunk `k` holds records
    /// `k * CHUNK..(k + 1) * CHUNK`. Chunks are allocated in order as runs
    /// fill the table, and kept (reused when it starts over).
    chunks: [OnceCell<Box<Chunk>>; CHUNKS],
    /// Records in use (wasted chunk ends included).
    used: Cell<usize>,
    /// Writes that forgot runs here since a run was last decoded here.
    writes: Cell<u32>,
    /// Dropped from the cache: its runs are gone and none may be added.
    dead: Cell<bool>,
    /// Looked up by a hart since the cache's eviction sweep last passed.
    referenced: Cell<bool>,
    /// Per halfword, whether a decoded instruction covers it (a bit each,
    /// 64 halfwords a word). Set as runs are recorded, cleared when the
    /// record table starts over; a store elsewhere in the page cannot make
    /// any record stale, so it forgets nothing ([`DecodeCache::invalidate`]).
    covered: [Cell<u64>; STARTS_PER_PAGE / 64],
    /// Its cache's count of bytes, which its chunks add to.
    footprint: Arc<Footprint>,
}

// SAFETY: `Sync` lets `Arc<CodePage>` be `Send`, so that a `Memory` (whose
// decode cache holds pages) and a `Hart` (whose fetch TLB holds pages of the
// memory it last ran with) can each move to another thread. The cells (the
// `OnceCell`s of the chunks included) are never touched through a shared
// reference from two threads at once, because every access to them is made
// by a holder of `&mut Memory` for the memory whose cache created the page
// (or, for the cache's own methods, `&mut DecodeCache` inside it):
// - `DecodeCache::invalidate`/`demote`/`evict`/`page` take `&mut self`;
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
// that take `&Memory` never touch a page's cells. Dropping the last `Arc`
// frees the chunks; the atomic reference count orders that after every
// other access.
unsafe impl Sync for CodePage {}

impl CodePage {
    /// A page with no runs yet and its first chunk (counted by the caller:
    /// [`NEW_PAGE_BYTES`]).
    fn new(ram_page: usize, footprint: Arc<Footprint>) -> Self {
        let chunks = [const { OnceCell::new() }; CHUNKS];
        chunks[0].get_or_init(Chunk::new);
        CodePage {
            ram_page,
            runs: [const { Cell::new(0) }; STARTS_PER_PAGE],
            chunks,
            used: Cell::new(0),
            writes: Cell::new(0),
            dead: Cell::new(false),
            referenced: Cell::new(true),
            covered: [const { Cell::new(0) }; STARTS_PER_PAGE / 64],
            footprint,
        }
    }

    /// Whether the cache dropped this page (demoted, evicted or cleared:
    /// see the module's rules): the run loop must fetch the page anew
    /// instead of decoding into it.
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
    ///
    /// # Panics
    ///
    /// If `run` does not come from [`CodePage::run`] on this page (its
    /// chunk then exists: runs are indexed only once their records are
    /// written).
    #[inline(always)]
    pub(crate) fn records(&self, run: Run) -> RunRecords<'_> {
        let Some(chunk) = self.chunks[(run.start / CHUNK) & (CHUNKS - 1)].get() else {
            unreachable!("a run in a chunk not allocated");
        };
        let first = run.start % CHUNK;
        debug_assert!(first + run.len <= CHUNK, "a run spans two chunks");
        RunRecords {
            chunk,
            first,
            len: run.len,
        }
    }

    /// Records the run `records` whose instructions start at page offsets
    /// `offsets` (at most [`MAX_RUN`] of them; each starts the rest of the
    /// run). Must not be called while a run of this page runs: a table that
    /// starts over rewrites records in place (see the module's rules). That
    /// rule keeps runs right; memory safety does not rest on it, since a
    /// growing table never moves or frees a chunk.
    pub(crate) fn add_run(&self, offsets: &[u64], records: &[Record]) {
        debug_assert!(!records.is_empty() && records.len() <= MAX_RUN);
        debug_assert!(!self.is_dead(), "a run decoded into a dropped page");
        if self.is_dead() {
            // Nobody would invalidate it: leave it to be fetched anew.
            return;
        }
        self.writes.set(0);
        let len = records.len();
        let mut start = self.used.get();
        if start % CHUNK + len > CHUNK {
            // A run stays in one chunk: the rest of this one goes unused.
            start = start.next_multiple_of(CHUNK);
        }
        let chunk = self.chunk_for(&mut start, len);
        for (record, offset) in records.iter().zip(offsets) {
            let first = to_usize(*offset) >> 1;
            self.mark_covered(first, first + usize::from(record.insn.len() >> 1));
        }
        let first = start % CHUNK;
        for (k, (record, offset)) in records.iter().zip(offsets).enumerate() {
            chunk.insns[first + k].set(record.insn);
            chunk.execs[first + k].set(record.exec);
            chunk.offsets[first + k].set(page_offset(*offset));
        }
        self.used.set(start + len);
        for (k, offset) in offsets.iter().enumerate() {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "an index below MAX_RECORDS shifted by 8, or'd with a length up to MAX_RUN: fits (asserted beside MAX_RECORDS)"
            )]
            let packed = ((start + k) << 8 | (len - k)) as u32;
            self.runs[(to_usize(*offset) >> 1) & (STARTS_PER_PAGE - 1)].set(packed);
        }
    }

    /// The chunk to write `len` records at record `start` into (a chunk
    /// boundary or inside the last chunk in use). Starts the table over
    /// (moving `start` to 0) if it is full, or if a new chunk would grow
    /// the cache past its hard limit.
    fn chunk_for(&self, start: &mut usize, len: usize) -> &Chunk {
        if *start + len <= MAX_RECORDS {
            let slot = &self.chunks[*start / CHUNK];
            if let Some(chunk) = slot.get() {
                return chunk;
            }
            if self.footprint.try_grow(CHUNK_BYTES) {
                return slot.get_or_init(Chunk::new);
            }
        }
        // Full, or not allowed to grow: forget every run, reuse the chunks.
        self.forget(0, 4096);
        for word in &self.covered {
            word.set(0);
        }
        self.used.set(0);
        *start = 0;
        // The first chunk came with the page (`CodePage::new`).
        self.chunks[0].get_or_init(|| {
            self.footprint.add(CHUNK_BYTES);
            Chunk::new()
        })
    }

    /// Forgets every run that could cover a byte of `first..end` (page
    /// offsets).
    fn forget(&self, first: usize, end: usize) {
        let first_start = first.saturating_sub(MAX_RUN_BYTES) >> 1;
        for run in &self.runs[first_start..end.div_ceil(2)] {
            run.set(0);
        }
    }

    /// Marks halfwords `first..end` (page halfword indices) covered.
    fn mark_covered(&self, first: usize, end: usize) {
        for_each_word(first, end, |word, mask| {
            let cell = &self.covered[word];
            cell.set(cell.get() | mask);
        });
    }

    /// Whether a decoded instruction covers a byte of `first..end` (page
    /// offsets).
    fn covers(&self, first: usize, end: usize) -> bool {
        let mut any = false;
        for_each_word(first >> 1, end.div_ceil(2), |word, mask| {
            any |= self.covered[word].get() & mask != 0;
        });
        any
    }

    /// The chunks allocated.
    fn chunk_count(&self) -> usize {
        self.chunks.iter().filter(|c| c.get().is_some()).count()
    }

    /// The bytes this page takes, its chunks included.
    fn bytes(&self) -> usize {
        BARE_PAGE_BYTES + self.chunk_count() * CHUNK_BYTES
    }
}

/// Calls `f(word, mask)` for each 64-bit word of a halfword bitmap that
/// bits `first..end` touch, with the mask of those bits in it.
fn for_each_word(first: usize, end: usize, mut f: impl FnMut(usize, u64)) {
    let mut bit = first;
    while bit < end {
        let word = bit / 64;
        let upto = end.min((word + 1) * 64);
        let width = upto - bit;
        let ones = if width == 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        f(word, ones << (bit % 64));
        bit = upto;
    }
}

/// After the first lap of an eviction round, one page in this many is
/// dropped (see [`DecodeCache::evict`]).
const SPREAD: usize = 8;

/// The per-page decode cache of one [`crate::Memory`], shared by all harts.
pub(crate) struct DecodeCache {
    pages: Vec<Option<Arc<CodePage>>>,
    live: usize,
    /// The bytes `pages` take, shared with them.
    footprint: Arc<Footprint>,
    /// Past this many bytes, [`DecodeCache::page`] evicts pages.
    limit: usize,
    /// Where the eviction sweep goes on (a RAM page).
    hand: usize,
    code_epoch: u64,
    flush_epoch: u64,
    flushes: u64,
    evicted: u64,
    writes: u64,
}

impl DecodeCache {
    /// The bytes the cache may hold before it evicts pages: 32 MiB, some
    /// 3,400 pages with few runs (9.7 KiB each) or 740 full ones (44.5 KiB).
    /// The test Linux (OpenSBI, a 6.1 kernel, busybox; 256 MiB, two harts)
    /// booted to its shell and running a few commands keeps 648 pages
    /// decoded, 11.4 MiB (17.6 KiB a page: kernel code is dense and entered
    /// at many points), so it never comes near the bound; code larger than
    /// that evicts. With the hard limit (36 MiB) and rivet's own few MiB,
    /// the host stays well under the 64 MiB that rivet may take beyond
    /// guest RAM.
    pub(crate) const DEFAULT_LIMIT: usize = 32 << 20;

    pub(crate) fn new(ram_pages: usize) -> Self {
        let mut cache = DecodeCache {
            pages: vec![None; ram_pages],
            live: 0,
            footprint: Arc::new(Footprint {
                bytes: AtomicUsize::new(0),
                hard_limit: AtomicUsize::new(0),
            }),
            limit: 0,
            hand: 0,
            code_epoch: 0,
            flush_epoch: 0,
            flushes: 0,
            evicted: 0,
            writes: 0,
        };
        cache.set_limit(Self::DEFAULT_LIMIT);
        cache
    }

    /// Sets the bytes the cache may hold before it evicts pages (and, an
    /// eighth more, before its pages stop growing). The hard limit holds
    /// if an eighth of `limit` takes a new page ([`NEW_PAGE_BYTES`]): a
    /// limit of 80 KiB or more.
    pub(crate) fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
        self.footprint
            .hard_limit
            .store(limit.saturating_add(limit / 8), Ordering::Relaxed);
    }

    /// Moves on whenever a page becomes code: harts must drop their store
    /// translations, since stores to code need the invalidating slow path.
    #[inline]
    pub(crate) fn code_epoch(&self) -> u64 {
        self.code_epoch
    }

    /// Moves on whenever the cache drops pages (evicted, demoted or
    /// cleared): harts must drop their fetch translations, which may hold
    /// pages the cache no longer tracks.
    #[inline]
    pub(crate) fn flush_epoch(&self) -> u64 {
        self.flush_epoch
    }

    /// Moves on with every write that made runs forgotten.
    #[inline]
    pub(crate) fn writes(&self) -> u64 {
        self.writes
    }

    /// How many times the cache was full and evicted some of its pages.
    pub(crate) fn flushes(&self) -> u64 {
        self.flushes
    }

    /// How many pages the cache evicted for being full, in all.
    pub(crate) fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Number of pages currently decoded.
    pub(crate) fn live_pages(&self) -> usize {
        self.live
    }

    /// The bytes the decoded pages take (as counted against the limit).
    pub(crate) fn bytes(&self) -> usize {
        self.footprint.bytes()
    }

    /// Whether RAM page `ram_page` holds decoded code.
    #[inline]
    pub(crate) fn is_code(&self, ram_page: usize) -> bool {
        matches!(self.pages.get(ram_page), Some(Some(_)))
    }

    /// The code page for `ram_page`, created on first use (moving the code
    /// epoch on), after evicting others if the cache is past its limit.
    /// Marks the page referenced, which spares it the next eviction round.
    pub(crate) fn page(&mut self, ram_page: usize) -> Arc<CodePage> {
        if self.footprint.bytes() > self.limit {
            self.evict(ram_page);
        }
        if let Some(Some(page)) = self.pages.get(ram_page) {
            page.referenced.set(true);
            return Arc::clone(page);
        }
        let page = Arc::new(CodePage::new(ram_page, Arc::clone(&self.footprint)));
        self.footprint.add(NEW_PAGE_BYTES);
        self.pages[ram_page] = Some(Arc::clone(&page));
        self.live += 1;
        self.code_epoch += 1;
        page
    }

    /// One eviction round: sweeps RAM's pages from where the last round
    /// stopped, sparing (and clearing the referenced bit of) each page
    /// looked up since the sweep last passed, and dropping some of the
    /// others, until the cache is back under seven eighths of its limit.
    /// `keep` (the page being looked up) stays.
    ///
    /// CLOCK rather than FIFO or random: a page in use (the kernel's entry
    /// path, a library's hot functions) survives every round at the cost
    /// of one flag set on a fetch-TLB miss, and every round empties the
    /// harts' fetch TLBs, so the flag really means "executed since".
    ///
    /// But not every page the flag condemns: on its first lap the sweep
    /// drops one unreferenced page in two, and on later laps (every page
    /// was executed since the last round: nothing tells them apart) one
    /// page in eight. Recency alone drops exactly the pages that a program
    /// cycling through more code than the cache holds needs next (its
    /// worst case: every call misses); skipping some keeps part of the
    /// cycle decoded: a guest calling 4,000 page-sized functions in turn
    /// (the cache holds 3,400) decoded a page again on 77% of its calls
    /// with plain CLOCK and on 60% with this sweep. (In a simulation,
    /// Zipf-distributed calls over 20,000 pages missed 25.5% of the time
    /// instead of plain CLOCK's 24.8%.)
    fn evict(&mut self, keep: usize) {
        let target = self.limit - self.limit / 8;
        let ram_pages = self.pages.len();
        // Candidates passed over since the last page dropped.
        let mut passed = 0;
        // The first lap clears every referenced bit; the later ones drop
        // one page in SPREAD, so SPREAD laps more drop any page but `keep`.
        for step in 0..(SPREAD + 1) * ram_pages {
            if self.footprint.bytes() <= target {
                break;
            }
            let ram_page = self.hand;
            self.hand = if ram_page + 1 == ram_pages {
                0
            } else {
                ram_page + 1
            };
            let Some(Some(page)) = self.pages.get(ram_page) else {
                continue;
            };
            if ram_page == keep || page.referenced.replace(false) {
                continue;
            }
            passed += 1;
            if passed < (if step < ram_pages { 2 } else { SPREAD }) {
                continue;
            }
            passed = 0;
            self.drop_page(ram_page);
            self.evicted += 1;
        }
        self.flushes += 1;
        self.flush_epoch += 1;
    }

    /// Drops every decoded page, as when the whole of RAM is replaced (a
    /// snapshot restored): the pages die like demoted ones, both epochs
    /// move on, and nothing is counted as evicted.
    pub(crate) fn clear(&mut self) {
        for ram_page in 0..self.pages.len() {
            self.drop_page(ram_page);
        }
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
            if !page.covers(lo, hi) {
                // Data sharing a page with code: no record is stale.
                continue;
            }
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
        if self.drop_page(ram_page) {
            self.flush_epoch += 1;
        }
    }

    /// Drops RAM page `ram_page` from the cache, if it is there: it dies
    /// (its runs forgotten, see the module's rules) and its bytes no longer
    /// count. Harts must be told (`flush_epoch`) by the caller.
    fn drop_page(&mut self, ram_page: usize) -> bool {
        let Some(page) = self.pages.get_mut(ram_page).and_then(Option::take) else {
            return false;
        };
        // Only a page a hart still holds needs emptying: one the cache held
        // alone is freed here (and none can be cloned from it any more).
        if Arc::strong_count(&page) > 1 {
            page.forget(0, 4096);
        }
        page.dead.set(true);
        self.footprint.sub(page.bytes());
        self.live -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::EmptyBus;
    use crate::{Hart, Memory, PhysAddr, StopReason, XReg};

    /// Records a run of `n` 4-byte instructions at page offset `first`.
    fn add(page: &CodePage, first: u64, n: usize) {
        let offsets: Vec<u64> = (0..n as u64).map(|k| first + 4 * k).collect();
        page.add_run(&offsets, &vec![crate::isa::unused_record(); n]);
    }

    /// The bytes of the live pages, counted afresh.
    fn recount(cache: &DecodeCache) -> usize {
        cache.pages.iter().flatten().map(|page| page.bytes()).sum()
    }

    /// A page costs its run index and the chunks its runs fill: about
    /// 9.7 KiB with a few runs, 44.5 KiB at most (the old fixed size, and
    /// the bitmap of covered halfwords).
    #[test]
    fn a_page_starts_small_and_grows_by_chunks() {
        const { assert!(BARE_PAGE_BYTES <= 8 * 1024 + 768) };
        assert_eq!(CHUNK_BYTES, 1152);
        const { assert!(NEW_PAGE_BYTES <= 9 * 1024 + 960) };
        const { assert!(BARE_PAGE_BYTES + CHUNKS * CHUNK_BYTES <= 44 * 1024 + 768) };

        let mut cache = DecodeCache::new(4);
        let page = cache.page(1);
        assert_eq!(cache.bytes(), NEW_PAGE_BYTES);
        for k in 0..10 {
            add(&page, 40 * k, 5);
        }
        assert_eq!(cache.bytes(), NEW_PAGE_BYTES, "50 records: one chunk");
        // 20 more do not fit in the 14 left: the run starts chunk 1.
        add(&page, 2048, 20);
        assert_eq!(cache.bytes(), NEW_PAGE_BYTES + CHUNK_BYTES);
        assert_eq!(page.run(2048), Some(Run { start: 64, len: 20 }));
        assert_eq!(page.run(2048 + 4 * 19), Some(Run { start: 83, len: 1 }));
        assert_eq!(recount(&cache), cache.bytes());
    }

    /// A write to bytes no decoded instruction covers (variables sharing
    /// the page) forgets nothing and is not counted; a write to one byte of
    /// an instruction forgets the runs that cover it, and a write over the
    /// whole page (bitmap words crossed) finds any decoded instruction.
    #[test]
    fn only_writes_to_decoded_bytes_forget_runs() {
        let mut cache = DecodeCache::new(1);
        let page = cache.page(0);
        let record = Record {
            insn: Insn::new(0, 0, 0, 4, 0),
            ..crate::isa::unused_record()
        };
        // Three 4-byte instructions: bytes 0x100..0x10c.
        page.add_run(&[0x100, 0x104, 0x108], &[record; 3]);
        for (offset, len) in [
            (0x10c, 8),
            (0xfc, 4),
            (0x800, 1),
            (0, 0x100),
            (0x10c, 0xef4),
        ] {
            cache.invalidate(offset, len);
            assert_eq!(page.run(0x100).map(|r| r.len), Some(3), "{offset:#x}+{len}");
            assert_eq!(cache.writes(), 0);
        }
        cache.invalidate(0x10b, 1);
        assert_eq!((page.run(0x100), page.run(0x108)), (None, None));
        assert_eq!(cache.writes(), 1);

        page.add_run(&[0x7fe], &[record]);
        cache.invalidate(0, 4096);
        assert_eq!(page.run(0x7fe), None);
        assert_eq!(cache.writes(), 2);
    }

    /// Every run finds its own records, in whichever chunk they are.
    #[test]
    fn a_run_finds_its_records_across_chunks() {
        let mut cache = DecodeCache::new(1);
        let page = cache.page(0);
        let mut first = 0;
        let mut runs = Vec::new();
        for n in [1, 63, 64, 2, 40, 30, 64, 7] {
            add(&page, first, n);
            runs.push((first, n));
            first += 4 * n as u64 + 4;
        }
        for (first, n) in runs {
            for k in 0..n {
                let pc = first + 4 * k as u64;
                let run = page.run(pc).expect("decoded");
                assert_eq!(run.len, n - k);
                let records = page.records(run);
                let offsets: Vec<u64> = records
                    .slots()
                    .map(|s| u64::from(records.offset(s)))
                    .collect();
                let expected: Vec<u64> = (k..n).map(|j| first + 4 * j as u64).collect();
                assert_eq!(offsets, expected);
            }
        }
    }

    /// A full table starts over: its runs are forgotten, its chunks kept.
    #[test]
    fn a_full_table_starts_over() {
        let mut cache = DecodeCache::new(1);
        let page = cache.page(0);
        // 32 runs of 64 fill the 2,048 records exactly.
        for k in 0..32 {
            add(&page, 0, 64);
            assert_eq!(
                page.run(0),
                Some(Run {
                    start: 64 * k,
                    len: 64
                })
            );
        }
        let full = cache.bytes();
        assert_eq!(full, BARE_PAGE_BYTES + CHUNKS * CHUNK_BYTES);
        add(&page, 1000, 3);
        assert_eq!(page.run(0), None);
        assert_eq!(page.run(1000), Some(Run { start: 0, len: 3 }));
        assert_eq!(cache.bytes(), full);
    }

    /// Touching far more pages than the cache holds: it never holds more
    /// than its hard limit, its count of bytes stays exact, and no
    /// eviction round empties it.
    #[test]
    fn the_bound_holds_while_many_pages_fill() {
        let pages = 4096;
        let mut cache = DecodeCache::new(pages);
        let limit = 100 * NEW_PAGE_BYTES;
        cache.set_limit(limit);
        let hard = limit + limit / 8;
        for ram_page in 0..pages {
            let before = cache.live_pages();
            let page = cache.page(ram_page);
            assert!(
                cache.live_pages() >= before / 2,
                "a round emptied most of the cache"
            );
            // From one run up to a page's whole table, and more.
            for k in 0..(ram_page * 7) % 50 {
                add(&page, (k as u64 * 76) % 4000, 1 + (ram_page + k) % MAX_RUN);
                assert!(cache.bytes() <= hard, "{} > {hard}", cache.bytes());
            }
            assert_eq!(recount(&cache), cache.bytes());
        }
        assert!(cache.flushes() > 10, "{} rounds", cache.flushes());
        assert!(cache.evicted() > 3000, "{} evicted", cache.evicted());
        assert!(cache.live_pages() > 20, "{} live", cache.live_pages());
    }

    /// The CLOCK sweep spares a page looked up again after every round (as
    /// a hart does with the page it executes: every round empties its fetch
    /// TLB), and evicts pages nobody looks up any more. (The first round
    /// cannot tell them apart: every page was looked up since the cache
    /// began.)
    #[test]
    fn a_page_in_use_survives_eviction_rounds() {
        let mut cache = DecodeCache::new(2048);
        cache.set_limit(50 * NEW_PAGE_BYTES);
        let mut hot = cache.page(0);
        add(&hot, 0, 8);
        let mut epoch = cache.flush_epoch();
        let mut cold = None;
        for ram_page in 1..2048 {
            let page = cache.page(ram_page);
            add(&page, 0, 8);
            if cache.flush_epoch() != epoch {
                epoch = cache.flush_epoch();
                let again = cache.page(0);
                if cache.flushes() == 1 {
                    if again.run(0).is_none() {
                        add(&again, 0, 8);
                    }
                    hot = again;
                    cold = Some(page);
                } else {
                    assert!(Arc::ptr_eq(&again, &hot), "round {}", cache.flushes());
                }
            }
        }
        assert!(cache.flushes() >= 20, "{} rounds", cache.flushes());
        assert!(!hot.is_dead());
        assert!(cache.is_code(0));
        assert_eq!(hot.run(0).map(|run| run.len), Some(8));
        assert!(cold.is_some_and(|page| page.is_dead()));
    }

    /// An evicted page dies empty; looking it up again makes a new one.
    #[test]
    fn evicted_pages_are_dead_and_empty() {
        let mut cache = DecodeCache::new(64);
        cache.set_limit(10 * NEW_PAGE_BYTES);
        let first = cache.page(0);
        add(&first, 16, 4);
        let epoch = cache.flush_epoch();
        let mut ram_page = 1;
        while !first.is_dead() {
            cache.page(ram_page);
            ram_page += 1;
        }
        assert!(ram_page < 64);
        assert!(cache.flush_epoch() > epoch);
        assert_eq!(first.run(16), None);
        assert!(!cache.is_code(0));
        let again = cache.page(0);
        assert!(!Arc::ptr_eq(&again, &first));
        assert!(!again.is_dead());
        assert_eq!(again.run(16), None);
        assert_eq!(recount(&cache), cache.bytes());
        cache.clear();
        assert_eq!(cache.bytes(), 0);
        assert!(again.is_dead());
    }

    /// Between lookups (no eviction possible), a page that would grow the
    /// cache past its hard limit starts its own table over instead.
    #[test]
    fn a_page_stops_growing_at_the_hard_limit() {
        let mut cache = DecodeCache::new(8);
        let limit = 4 * NEW_PAGE_BYTES;
        cache.set_limit(limit);
        for ram_page in 1..4 {
            cache.page(ram_page);
        }
        let page = cache.page(0);
        let hard = limit + limit / 8;
        let mut restarted = false;
        for k in 0..40 {
            add(&page, 0, 64);
            restarted |= page.run(0) == Some(Run { start: 0, len: 64 }) && k > 0;
            assert!(cache.bytes() <= hard);
        }
        assert!(restarted);
        assert_eq!(cache.flushes(), 0);
        assert_eq!(recount(&cache), cache.bytes());
    }

    /// A hart calling functions in 64 pages round-robin through a cache that
    /// holds about 12: pages are evicted and decoded again all the time, and
    /// the program still computes what it should.
    #[test]
    fn code_in_more_pages_than_the_cache_holds_runs_right() {
        const BASE: u64 = 0x8000_0000;
        const FUNCTIONS: u32 = 64;
        const ROUNDS: u32 = 30;
        use crate::isa::c::{enc_b, enc_i, enc_j, enc_r};
        let as_imm = |v: u32| i32::try_from(v).unwrap();
        let addi = |rd, rs1, imm| enc_i(imm, rs1, 0, rd, 0x13);
        let (a0, t1, s1, ra) = (10, 6, 9, 1);
        // The page offset of the next word of `words`.
        let next = |words: &[u32]| as_imm(4 * u32::try_from(words.len()).unwrap());
        // Page 0: s1 = ROUNDS; loop { call each function; } ; wfi.
        let mut main = vec![addi(s1, 0, as_imm(ROUNDS))];
        let top = next(&main);
        for f in 1..=FUNCTIONS {
            main.push(enc_j(as_imm(f * 4096) - next(&main), ra)); // jal ra, function f
        }
        main.push(addi(s1, s1, -1));
        main.push(enc_b(top - next(&main), 0, s1, 1)); // bne s1, zero, top
        main.push(0x1050_0073); // wfi

        // Function f: a0 = a0 * 3 + f (slli t1, a0, 1; add; addi), ret.
        let mut code = vec![(0, main)];
        for f in 1..=FUNCTIONS {
            code.push((
                f * 4096,
                vec![
                    enc_i(1, a0, 1, t1, 0x13),
                    enc_r(0, t1, a0, 0, a0, 0x33),
                    addi(a0, a0, as_imm(f)),
                    0x0000_8067,
                ],
            ));
        }
        let mut mem = Memory::new(PhysAddr::new(BASE), u64::from(FUNCTIONS + 1) * 4096).unwrap();
        mem.code.set_limit(12 * NEW_PAGE_BYTES);
        for (at, words) in &code {
            for (k, word) in (0u64..).zip(words) {
                mem.write_u32(PhysAddr::new(BASE + u64::from(*at) + 4 * k), *word)
                    .unwrap();
            }
        }
        let mut hart = Hart::new(0);
        hart.set_pc(BASE);
        let mut stop = StopReason::Budget;
        for _ in 0..100 {
            stop = hart.run(&mut mem, &mut EmptyBus, 10_000).stop;
            if stop != StopReason::Budget {
                break;
            }
        }
        assert_eq!(stop, StopReason::WaitingForInterrupt);
        let mut expected = 0u64;
        for _ in 0..ROUNDS {
            for f in 1..=FUNCTIONS {
                expected = expected.wrapping_mul(3).wrapping_add(u64::from(f));
            }
        }
        assert_eq!(hart.x(XReg::A0), expected);
        assert!(mem.code.flushes() > 10, "{} rounds", mem.code.flushes());
        assert!(mem.code.live_pages() < 20);
        assert!(mem.code.bytes() <= 12 * NEW_PAGE_BYTES * 9 / 8);
    }
}
