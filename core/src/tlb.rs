//! The software TLB: "translate once" (DESIGN.md, the fast path).
//!
//! Three direct-mapped tables, one per access kind (fetch, load, store),
//! each indexed by the low bits of the virtual page number. An entry says:
//! "this virtual page, at the hart's current privilege and translation
//! state, may be accessed this way and lives at this offset in RAM". So
//! the permission check is the tag compare: a page enters the load table
//! only after a load there was allowed by the MMU and PMP, and only if the
//! whole page is RAM with uniform PMP permissions. Everything else (MMIO,
//! page-crossing accesses, finely grained PMP) takes the slow path.
//!
//! A load or store entry holds the page's host address with the virtual
//! page address already subtracted, so a hit costs one compare (tag and
//! alignment together) and one add (DESIGN.md, "the fast path"). The fetch
//! table maps a virtual page straight to its decoded [`CodePage`]. The
//! store table never holds a page with decoded code, so a store that may
//! modify instructions always goes through the slow path, which
//! invalidates them.
//!
//! Entries are tagged with the translation context they were checked in
//! (bits 4..8 of the tag: the privilege mode whose rules applied, and
//! `mstatus.SUM` and `MXR`), so a trap or an `xRET` does not flush the TLB:
//! an entry filled in U-mode simply does not match in S-mode. `satp`
//! writes, `sfence.vma`, PMP and `menvcfg` writes flush it.
//!
//! Guests flush often (xv6 writes `satp` and runs `sfence.vma` on every
//! trap into the kernel and every return from it), and between two
//! flushes they fill a few dozen entries at most: each table remembers
//! which of its entries are filled, so a flush clears only those.
//!
//! The host addresses point into the RAM of one [`crate::Memory`]; a hart
//! flushes its TLB whenever it runs with a different one
//! (`Hart::sync_with_memory`), and the RAM buffer never moves or shrinks
//! while the Memory lives, so every entry points into live RAM.

use std::sync::Arc;

use crate::bits::to_usize;
use crate::decode_cache::CodePage;

/// Entries per table.
pub(crate) const TLB_ENTRIES: usize = 512;

/// A tag no access can match: tags are page-aligned virtual addresses with
/// a context in bits 8:4, compared with the access address masked to its
/// page and its low alignment bits (at most bits 2:0) plus the current
/// context, so bit 11 is never set in either.
const INVALID: u64 = 0x800;

#[inline(always)]
pub(crate) fn index(vaddr: u64) -> usize {
    (vaddr >> 12) as usize & (TLB_ENTRIES - 1)
}

/// A load or store entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DataEntry {
    /// The page-aligned virtual address, or `INVALID`.
    pub(crate) tag: u64,
    /// The host address of the page minus its virtual address (wrapping
    /// pointer arithmetic, which keeps the RAM buffer's provenance):
    /// `host + vaddr` is the host address of `vaddr`.
    pub(crate) host: *mut u8,
}

impl DataEntry {
    /// Whether an access of `N` bytes at `vaddr` in translation context
    /// `ctx` hits this entry: same page, same context, and naturally aligned
    /// (a misaligned access takes the slow path).
    #[inline(always)]
    pub(crate) fn hits<const N: usize>(&self, vaddr: u64, ctx: u64) -> bool {
        (vaddr & (!0xfff | (N as u64 - 1))) | ctx == self.tag
    }

    /// The host address of `vaddr` (which must hit).
    #[inline(always)]
    pub(crate) fn host_addr(&self, vaddr: u64) -> *mut u8 {
        self.host.wrapping_add(to_usize(vaddr))
    }
}

/// A fetch entry.
#[derive(Clone)]
pub(crate) struct FetchEntry {
    /// The page-aligned virtual address, or `INVALID`.
    pub(crate) tag: u64,
    pub(crate) page: Option<Arc<CodePage>>,
}

/// Which entries of a table may be filled: one bit per entry.
#[derive(Clone, Copy)]
struct Filled([u64; TLB_ENTRIES / 64]);

impl Filled {
    const NONE: Filled = Filled([0; TLB_ENTRIES / 64]);

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// Calls `clear` on every entry marked filled, and unmarks them all.
    fn drain(&mut self, mut clear: impl FnMut(usize)) {
        for (w, word) in self.0.iter_mut().enumerate() {
            while *word != 0 {
                clear(w * 64 + word.trailing_zeros() as usize);
                *word &= *word - 1;
            }
        }
    }
}

/// The three tables of one hart.
pub(crate) struct Tlb {
    pub(crate) load: [DataEntry; TLB_ENTRIES],
    pub(crate) store: [DataEntry; TLB_ENTRIES],
    pub(crate) fetch: Box<[FetchEntry; TLB_ENTRIES]>,
    load_filled: Filled,
    store_filled: Filled,
    fetch_filled: Filled,
    /// Number of full flushes, for statistics.
    pub(crate) flushes: u64,
}

// SAFETY: a `Tlb` is its hart's alone; what keeps it from being `Send` is
// the raw host pointers of its load and store entries, which point into the
// RAM buffer of the `Memory` the hart last ran with. Moving the table to
// another thread dereferences nothing. They are dereferenced only inside
// `Hart::run`, which holds `&mut` to a memory whose identity matches the one
// the entries were filled from (`Hart::sync_with_memory` flushes them
// otherwise; identities are unique for the life of the process, so the
// entries of a dropped memory never match again); that exclusive borrow,
// however it crossed threads, orders the accesses like any `&mut [u8]`'s.
// The fetch entries hold `Arc<CodePage>`, `Send` by itself.
unsafe impl Send for Tlb {}

const EMPTY_DATA: DataEntry = DataEntry {
    tag: INVALID,
    host: std::ptr::null_mut(),
};

impl Tlb {
    pub(crate) fn new() -> Self {
        let fetch: Vec<FetchEntry> = (0..TLB_ENTRIES)
            .map(|_| FetchEntry {
                tag: INVALID,
                page: None,
            })
            .collect();
        Tlb {
            load: [EMPTY_DATA; TLB_ENTRIES],
            store: [EMPTY_DATA; TLB_ENTRIES],
            fetch: fetch
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| unreachable!("exactly TLB_ENTRIES entries")),
            load_filled: Filled::NONE,
            store_filled: Filled::NONE,
            fetch_filled: Filled::NONE,
            flushes: 0,
        }
    }

    /// Forgets every translation.
    pub(crate) fn flush(&mut self) {
        let load = &mut self.load;
        self.load_filled.drain(|i| load[i] = EMPTY_DATA);
        self.flush_store();
        self.flush_fetch();
        self.flushes += 1;
    }

    /// Forgets every load and store translation.
    pub(crate) fn flush_data(&mut self) {
        let load = &mut self.load;
        self.load_filled.drain(|i| load[i] = EMPTY_DATA);
        self.flush_store();
    }

    /// Forgets every fetch translation (and drops the code pages they hold).
    pub(crate) fn flush_fetch(&mut self) {
        let fetch = &mut self.fetch;
        self.fetch_filled.drain(|i| {
            fetch[i].tag = INVALID;
            fetch[i].page = None;
        });
    }

    /// Forgets every store translation.
    pub(crate) fn flush_store(&mut self) {
        let store = &mut self.store;
        self.store_filled.drain(|i| store[i] = EMPTY_DATA);
    }

    /// An entry mapping the page of `vaddr` in context `ctx` to the host
    /// page `host_page`.
    fn data_entry(vaddr: u64, host_page: *mut u8, ctx: u64) -> DataEntry {
        let page = vaddr & !0xfff;
        DataEntry {
            tag: page | ctx,
            host: host_page.wrapping_sub(to_usize(page)),
        }
    }

    /// Maps the page of `vaddr` to `host_page` (the start of a RAM page of
    /// the memory the hart runs with) for loads.
    pub(crate) fn fill_load(&mut self, vaddr: u64, host_page: *mut u8, ctx: u64) {
        self.load[index(vaddr)] = Self::data_entry(vaddr, host_page, ctx);
        self.load_filled.set(index(vaddr));
    }

    /// Maps the page of `vaddr` to `host_page` for stores.
    pub(crate) fn fill_store(&mut self, vaddr: u64, host_page: *mut u8, ctx: u64) {
        self.store[index(vaddr)] = Self::data_entry(vaddr, host_page, ctx);
        self.store_filled.set(index(vaddr));
    }

    /// The valid entries, for a debugger: `(table, tag, host)` with table
    /// 0 load, 1 store, 2 fetch, and `host` the host address of the page
    /// (none for fetch entries).
    pub(crate) fn entries(&self) -> Vec<(u8, u64, Option<*mut u8>)> {
        let data = |table: u8, entries: &[DataEntry; TLB_ENTRIES]| {
            entries
                .iter()
                .filter(|e| e.tag != INVALID)
                .map(move |e| {
                    (
                        table,
                        e.tag,
                        Some(e.host.wrapping_add(to_usize(e.tag & !0xfff))),
                    )
                })
                .collect::<Vec<_>>()
        };
        let mut out = data(0, &self.load);
        out.extend(data(1, &self.store));
        out.extend(
            self.fetch
                .iter()
                .filter(|e| e.tag != INVALID && e.page.is_some())
                .map(|e| (2, e.tag, None)),
        );
        out
    }

    pub(crate) fn fill_fetch(&mut self, vaddr: u64, page: Arc<CodePage>, ctx: u64) {
        self.fetch[index(vaddr)] = FetchEntry {
            tag: (vaddr & !0xfff) | ctx,
            page: Some(page),
        };
        self.fetch_filled.set(index(vaddr));
    }
}
