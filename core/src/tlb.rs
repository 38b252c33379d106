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
//! The fetch table maps a virtual page straight to its decoded
//! [`CodePage`]. The store table never holds a page with decoded code, so
//! a store that may modify instructions always goes through the slow path,
//! which invalidates them.

use std::rc::Rc;

use crate::decode_cache::CodePage;

/// Entries per table.
pub(crate) const TLB_ENTRIES: usize = 512;

/// A tag no virtual page number can have (VPNs are at most 52 bits).
const INVALID: u64 = u64::MAX;

#[inline(always)]
pub(crate) fn index(vaddr: u64) -> usize {
    (vaddr >> 12) as usize & (TLB_ENTRIES - 1)
}

/// A load or store entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DataEntry {
    /// The virtual page number, or `INVALID`.
    pub(crate) tag: u64,
    /// The offset of the page's first byte in RAM.
    pub(crate) ram_offset: usize,
}

/// A fetch entry.
#[derive(Clone)]
pub(crate) struct FetchEntry {
    pub(crate) tag: u64,
    pub(crate) page: Option<Rc<CodePage>>,
}

/// The three tables of one hart.
pub(crate) struct Tlb {
    pub(crate) load: Box<[DataEntry; TLB_ENTRIES]>,
    pub(crate) store: Box<[DataEntry; TLB_ENTRIES]>,
    pub(crate) fetch: Box<[FetchEntry; TLB_ENTRIES]>,
    /// Number of full flushes, for statistics.
    pub(crate) flushes: u64,
}

const EMPTY_DATA: DataEntry = DataEntry {
    tag: INVALID,
    ram_offset: 0,
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
            load: Box::new([EMPTY_DATA; TLB_ENTRIES]),
            store: Box::new([EMPTY_DATA; TLB_ENTRIES]),
            fetch: fetch
                .into_boxed_slice()
                .try_into()
                .unwrap_or_else(|_| unreachable!("exactly TLB_ENTRIES entries")),
            flushes: 0,
        }
    }

    /// Forgets every translation.
    pub(crate) fn flush(&mut self) {
        self.load.fill(EMPTY_DATA);
        self.store.fill(EMPTY_DATA);
        self.flush_fetch();
        self.flushes += 1;
    }

    /// Forgets every fetch translation (and drops the code pages they hold).
    pub(crate) fn flush_fetch(&mut self) {
        for e in self.fetch.iter_mut() {
            e.tag = INVALID;
            e.page = None;
        }
    }

    /// Forgets every store translation.
    pub(crate) fn flush_store(&mut self) {
        self.store.fill(EMPTY_DATA);
    }

    #[inline(always)]
    pub(crate) fn fill_load(&mut self, vaddr: u64, ram_offset: usize) {
        self.load[index(vaddr)] = DataEntry {
            tag: vaddr >> 12,
            ram_offset,
        };
    }

    #[inline(always)]
    pub(crate) fn fill_store(&mut self, vaddr: u64, ram_offset: usize) {
        self.store[index(vaddr)] = DataEntry {
            tag: vaddr >> 12,
            ram_offset,
        };
    }

    pub(crate) fn fill_fetch(&mut self, vaddr: u64, page: Rc<CodePage>) {
        self.fetch[index(vaddr)] = FetchEntry {
            tag: vaddr >> 12,
            page: Some(page),
        };
    }
}
