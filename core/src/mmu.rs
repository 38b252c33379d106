//! Virtual-memory translation: `satp` modes Bare, Sv39, Sv48 and Sv57
//! (privileged spec, "Supervisor-Level Memory Management"), with the
//! permission rules of U, SUM, MXR and MPRV/MPP, Svadu-style hardware A/D
//! updating (`menvcfg.ADUE`), PMP on every page-table access, and the PTE
//! extensions Svpbmt (page-based memory types, under `menvcfg.PBMTE`) and
//! Svnapot (64 KiB NAPOT translation contiguity).
//!
//! Svpbmt's memory types (PMA, NC, IO) change only cacheability,
//! idempotency and ordering, which an interpreter that performs every
//! access at once, in program order, has nothing to emulate: a PTE's PBMT
//! is checked (3 is reserved, and any value is reserved while `PBMTE` is
//! clear) and otherwise has no effect. A NAPOT PTE translates each 4 KiB
//! page of its 64 KiB range to the matching page of its 64 KiB frame; the
//! TLB caches such translations per 4 KiB page like any other, and
//! `sfence.vma` flushes them all.
//!
//! This is the slow path; the hart's TLB (the private `tlb` module)
//! remembers its answers.

use crate::csr::Privilege;
use crate::hart::Hart;
use crate::memory::Memory;
use crate::pmp::PmpAccess;
use crate::trap::{Exception, Fault};

/// The kind of memory access being translated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessType {
    /// An instruction fetch.
    Fetch,
    /// A load (or LR).
    Load,
    /// A store, SC or AMO.
    Store,
}

impl AccessType {
    /// The page-fault exception for this kind of access.
    pub const fn page_fault(self) -> Exception {
        match self {
            AccessType::Fetch => Exception::InstructionPageFault,
            AccessType::Load => Exception::LoadPageFault,
            AccessType::Store => Exception::StorePageFault,
        }
    }

    /// The access-fault exception for this kind of access.
    pub const fn access_fault(self) -> Exception {
        match self {
            AccessType::Fetch => Exception::InstructionAccessFault,
            AccessType::Load => Exception::LoadAccessFault,
            AccessType::Store => Exception::StoreAccessFault,
        }
    }

    /// The PMP permission this access needs.
    pub const fn pmp(self) -> PmpAccess {
        match self {
            AccessType::Fetch => PmpAccess::Execute,
            AccessType::Load => PmpAccess::Read,
            AccessType::Store => PmpAccess::Write,
        }
    }
}

// PTE bits.
const PTE_V: u64 = 1 << 0;
const PTE_R: u64 = 1 << 1;
const PTE_W: u64 = 1 << 2;
const PTE_X: u64 = 1 << 3;
const PTE_U: u64 = 1 << 4;
const PTE_A: u64 = 1 << 6;
const PTE_D: u64 = 1 << 7;
/// Bit 63, N (Svnapot): part of a naturally aligned power-of-two range.
const PTE_N: u64 = 1 << 63;
/// Bits 62:61, PBMT (Svpbmt): the page-based memory type (0 PMA, 1 NC,
/// 2 IO, 3 reserved).
const PTE_PBMT: u64 = 3 << 61;
/// Bits 60:54: reserved for future standard use.
const PTE_RESERVED: u64 = 0x7f << 54;
const PPN_MASK: u64 = (1 << 44) - 1;
/// Svnapot's one defined encoding: a level-0 leaf with N set and
/// `ppn[0][3:0]` = 1000 maps 64 KiB (`napot_bits` = 4).
const NAPOT_64K_BITS: u64 = 0b1000;

/// What a PTE read at `level` of a walk says, before the permission checks.
enum Step {
    /// A pointer to the next level's table (a physical address).
    Next(u64),
    /// A leaf: the physical page number of `vaddr`'s page, whatever the
    /// leaf's size (superpage and NAPOT bits already taken from `vaddr`).
    Leaf(u64),
    /// A page fault: invalid, reserved bits or encodings, a pointer at
    /// level 0, a misaligned superpage.
    Fault,
}

/// The walk's step for `pte` at `level` when translating `vaddr`;
/// `reserved` are the bits that make any PTE fault (see
/// `Hart::pte_reserved_bits`). The order of the privileged spec's
/// algorithm ("Virtual Address Translation Process"), steps 3, 4 and 7,
/// with Svnapot's and Svpbmt's encodings.
#[inline(always)]
fn step(pte: u64, level: u32, vaddr: u64, reserved: u64) -> Step {
    if pte & PTE_V == 0 || (pte & PTE_R == 0 && pte & PTE_W != 0) || pte & reserved != 0 {
        return Step::Fault;
    }
    let ppn = (pte >> 10) & PPN_MASK;
    if pte & (PTE_R | PTE_X) == 0 {
        // A pointer to the next level. Its D, A and U bits are reserved
        // for future standard use, and so are N ("For non-leaf PTEs, bit
        // 63 is reserved") and PBMT ("For non-leaf PTEs, bits 62-61 are
        // reserved"): set, they fault. So does a pointer at level 0.
        if pte & (PTE_A | PTE_D | PTE_U | PTE_N | PTE_PBMT) != 0 || level == 0 {
            return Step::Fault;
        }
        return Step::Next(ppn << 12);
    }
    // A leaf. PBMT = 3 is reserved.
    if pte & PTE_PBMT == PTE_PBMT {
        return Step::Fault;
    }
    // A superpage's PPN must be aligned to its size.
    let low_ppn_bits = (1u64 << (9 * level)) - 1;
    if ppn & low_ppn_bits != 0 {
        return Step::Fault;
    }
    let vpn_low = (vaddr >> 12) & low_ppn_bits;
    if pte & PTE_N != 0 {
        // Svnapot: only ppn[0][3:0] = 1000 at level 0 is defined; the
        // translation takes ppn[0][3:0] from vpn[0][3:0].
        if level != 0 || ppn & 0xf != NAPOT_64K_BITS {
            return Step::Fault;
        }
        return Step::Leaf((ppn & !0xf) | ((vaddr >> 12) & 0xf));
    }
    Step::Leaf(ppn | vpn_low)
}

/// Whether the bits of `vaddr` above the virtual-address width of a
/// `levels`-level scheme copy its top bit, as they must.
#[inline(always)]
fn is_canonical(vaddr: u64, levels: u32) -> bool {
    let shift = 64 - (12 + 9 * levels);
    (((vaddr << shift) as i64) >> shift) as u64 == vaddr
}

impl Hart {
    /// The number of page-table levels that translate accesses made in
    /// privilege mode `prv`: `None` when translation is off (M-mode, or
    /// `satp` is Bare).
    #[inline(always)]
    fn paging_levels(&self, prv: Privilege) -> Option<u32> {
        match self.csr.satp.mode() {
            _ if prv == Privilege::Machine => None,
            8 => Some(3),
            9 => Some(4),
            10 => Some(5),
            _ => None, // Bare (satp only ever holds legal modes)
        }
    }

    /// Translates `vaddr` as a debugger sees this hart's memory: with the
    /// hart's privilege mode and `satp` (`mstatus.MPRV` aside), any valid
    /// leaf being enough (a debugger may read what the mode could not),
    /// and without setting accessed or dirty bits. `None` if nothing valid
    /// is mapped there.
    pub fn debug_translate(&self, mem: &Memory, vaddr: u64) -> Option<u64> {
        let Some(levels) = self.paging_levels(self.prv) else {
            return Some(vaddr);
        };
        if !is_canonical(vaddr, levels) {
            return None;
        }
        let reserved = self.pte_reserved_bits();
        let mut table = self.csr.satp.root();
        let mut level = levels - 1;
        loop {
            let vpn = (vaddr >> (12 + 9 * level)) & 0x1ff;
            let pte = mem.read_u64(crate::addr::PhysAddr(table + vpn * 8)).ok()?;
            match step(pte, level, vaddr, reserved) {
                Step::Next(next) => table = next,
                Step::Leaf(ppn) => return Some((ppn << 12) | (vaddr & 0xfff)),
                Step::Fault => return None,
            }
            level = level.checked_sub(1)?;
        }
    }

    /// Svpbmt is implemented: PTE bits 62:61 are the page-based memory
    /// type while `menvcfg.PBMTE` is set (and `menvcfg.PBMTE` is
    /// writable). The one place that says so.
    #[inline(always)]
    pub(crate) const fn has_svpbmt(&self) -> bool {
        true
    }

    /// Svnapot is implemented: PTE bit 63 marks a 64 KiB NAPOT leaf. The
    /// one place that says so.
    #[inline(always)]
    pub(crate) const fn has_svnapot(&self) -> bool {
        true
    }

    /// The PTE bits that make any PTE fault: 60:54 always, PBMT unless
    /// Svpbmt is implemented and `menvcfg.PBMTE` set ("If Svpbmt is not
    /// implemented [or PBMTE = 0], bits 62-61 remain reserved"), and N
    /// unless Svnapot is implemented.
    #[inline(always)]
    fn pte_reserved_bits(&self) -> u64 {
        let mut reserved = PTE_RESERVED;
        if !(self.has_svpbmt() && self.csr.menvcfg.pbmte()) {
            reserved |= PTE_PBMT;
        }
        if !self.has_svnapot() {
            reserved |= PTE_N;
        }
        reserved
    }

    /// The privilege mode whose rules govern an access: for loads and
    /// stores in M-mode with `mstatus.MPRV` set, the mode in `mstatus.MPP`.
    #[inline]
    pub(crate) fn effective_privilege(&self, access: AccessType) -> Privilege {
        if access != AccessType::Fetch && self.prv == Privilege::Machine && self.csr.mstatus.mprv()
        {
            self.csr.mstatus.mpp()
        } else {
            self.prv
        }
    }

    /// The page-table walker that the hart's loads, stores and fetches
    /// use past the TLB, for the fuzz targets (`fuzz/`).
    #[cfg(feature = "fuzzing")]
    pub fn fuzz_translate(
        &mut self,
        mem: &mut Memory,
        vaddr: u64,
        access: AccessType,
    ) -> Result<u64, Fault> {
        self.translate(mem, vaddr, access)
    }

    /// Translates `vaddr` for an access of kind `access` to a physical
    /// address, walking the page tables when translation is on. Faults carry
    /// `vaddr` as their trap value.
    pub(crate) fn translate(
        &mut self,
        mem: &mut Memory,
        vaddr: u64,
        access: AccessType,
    ) -> Result<u64, Fault> {
        let prv = self.effective_privilege(access);
        let Some(levels) = self.paging_levels(prv) else {
            return Ok(vaddr);
        };
        let page_fault = Fault::new(access.page_fault(), vaddr);
        let access_fault = Fault::new(access.access_fault(), vaddr);
        if !is_canonical(vaddr, levels) {
            return Err(page_fault);
        }

        let reserved = self.pte_reserved_bits();
        let mut table = self.csr.satp.root();
        let mut level = levels - 1;
        loop {
            let vpn = (vaddr >> (12 + 9 * level)) & 0x1ff;
            let pte_addr = table + vpn * 8;
            // Page-table accesses are checked by PMP as S-mode reads.
            if !self
                .csr
                .pmp
                .check(pte_addr, 8, PmpAccess::Read, Privilege::Supervisor)
            {
                return Err(access_fault);
            }
            let pte_offset = mem
                .offset_of(crate::addr::PhysAddr(pte_addr), 8)
                .ok_or(access_fault)?;
            let pte = mem.load_at::<8>(pte_offset).ok_or(access_fault)?;

            let ppn = match step(pte, level, vaddr, reserved) {
                Step::Next(next) => {
                    level -= 1; // never below 0: `step` faults a pointer there
                    table = next;
                    continue;
                }
                Step::Leaf(ppn) => ppn,
                Step::Fault => return Err(page_fault),
            };

            // A leaf: check permissions.
            let user_page = pte & PTE_U != 0;
            let allowed_by_mode = match prv {
                Privilege::User => user_page,
                Privilege::Supervisor => {
                    !user_page || (access != AccessType::Fetch && self.csr.mstatus.sum())
                }
                Privilege::Machine => true,
            };
            let allowed_by_pte = match access {
                AccessType::Fetch => pte & PTE_X != 0,
                AccessType::Load => {
                    pte & PTE_R != 0 || (pte & PTE_X != 0 && self.csr.mstatus.mxr())
                }
                AccessType::Store => pte & PTE_W != 0,
            };
            if !allowed_by_mode || !allowed_by_pte {
                return Err(page_fault);
            }

            // Accessed and dirty bits.
            let needed = PTE_A
                | if access == AccessType::Store {
                    PTE_D
                } else {
                    0
                };
            if pte & needed != needed {
                if !self.csr.menvcfg.adue() {
                    return Err(page_fault);
                }
                if !self
                    .csr
                    .pmp
                    .check(pte_addr, 8, PmpAccess::Write, Privilege::Supervisor)
                {
                    return Err(access_fault);
                }
                mem.store_at::<8>(pte_offset, pte | needed);
            }

            return Ok((ppn << 12) | (vaddr & 0xfff));
        }
    }
}
