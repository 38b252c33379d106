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
/// Bits 63:54: N, PBMT and the reserved bits. A PTE with none of them set
/// (nearly every PTE) needs no look at the extensions' rules: the walk
/// tests this one constant mask, as it did before Svpbmt and Svnapot, and
/// leaves the rest to `Hart::effective_pte`.
const PTE_HIGH: u64 = PTE_N | PTE_PBMT | PTE_RESERVED;
const PPN_MASK: u64 = (1 << 44) - 1;
/// Svnapot's one defined encoding: a level-0 leaf with N set and
/// `ppn[0][3:0]` = 1000 maps 64 KiB (`napot_bits` = 4).
const NAPOT_64K_BITS: u64 = 0b1000;

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
        let mut table = self.csr.satp.root();
        let mut level = levels - 1;
        loop {
            let vpn = (vaddr >> (12 + 9 * level)) & 0x1ff;
            let mut pte = mem.read_u64(crate::addr::PhysAddr(table + vpn * 8)).ok()?;
            if pte & PTE_V == 0 || (pte & PTE_R == 0 && pte & PTE_W != 0) || pte & PTE_HIGH != 0 {
                pte = self.effective_pte(pte, level, vaddr)?;
            }
            let ppn = (pte >> 10) & PPN_MASK;
            if pte & (PTE_R | PTE_X) != 0 {
                let offset_mask = (1u64 << (12 + 9 * level)) - 1;
                return Some(((ppn << 12) & !offset_mask) | (vaddr & offset_mask));
            }
            if pte & (PTE_A | PTE_D | PTE_U) != 0 {
                return None;
            }
            level = level.checked_sub(1)?;
            table = ppn << 12;
        }
    }

    /// Svpbmt is in the hart's set: PTE bits 62:61 are the page-based memory
    /// type while `menvcfg.PBMTE` is set (and `menvcfg.PBMTE` is
    /// writable). The one place that asks.
    #[inline(always)]
    pub(crate) fn has_svpbmt(&self) -> bool {
        self.extensions.contains(crate::isa::Extensions::SVPBMT)
    }

    /// Svnapot is in the hart's set: PTE bit 63 marks a 64 KiB NAPOT leaf. The
    /// one place that asks.
    #[inline(always)]
    pub(crate) fn has_svnapot(&self) -> bool {
        self.extensions.contains(crate::isa::Extensions::SVNAPOT)
    }

    /// The PTE as the walk at `level` for `vaddr` uses it, for a PTE that
    /// is invalid, has W without R, or has any of bits 63:54 set; `None`
    /// if the walk must stop with a page fault. The privileged spec's step
    /// 3 ("If pte.v = 0, or if pte.r = 0 and pte.w = 1, or if any bits or
    /// encodings that are reserved for future standard use are set within
    /// pte, stop and raise a page-fault exception"), where bits 60:54 are
    /// reserved, and
    /// - PBMT (62:61) unless Svpbmt is implemented and `menvcfg.PBMTE`
    ///   set ("When PBMTE=0, the implementation behaves as though Svpbmt
    ///   were not implemented"); in a non-leaf PTE ("For non-leaf PTEs,
    ///   bits 62-61 are reserved"); and the value 3 in a leaf;
    /// - N (63) unless Svnapot is implemented; and every encoding but
    ///   `ppn[0][3:0]` = 1000 at level 0, the 64 KiB range (a non-leaf PTE
    ///   is never at level 0). A NAPOT PTE reads as "a copy of pte in which
    ///   pte.ppn[i][pte.napot_bits-1:0] is replaced by
    ///   vpn[i][pte.napot_bits-1:0]".
    ///
    /// The copy returned has N and PBMT clear, so the walk goes on as for
    /// any PTE. Out of line: nearly every PTE has none of those bits.
    #[cold]
    #[inline(never)]
    fn effective_pte(&self, pte: u64, level: u32, vaddr: u64) -> Option<u64> {
        if pte & PTE_V == 0 || (pte & PTE_R == 0 && pte & PTE_W != 0) || pte & PTE_RESERVED != 0 {
            return None;
        }
        let leaf = pte & (PTE_R | PTE_X) != 0;
        let pbmt = pte & PTE_PBMT;
        if pbmt != 0
            && (!self.has_svpbmt() || !self.csr.menvcfg.pbmte() || !leaf || pbmt == PTE_PBMT)
        {
            return None;
        }
        let mut effective = pte & !(PTE_N | PTE_PBMT);
        if pte & PTE_N != 0 {
            let ppn = (pte >> 10) & PPN_MASK;
            if !self.has_svnapot() || !leaf || level != 0 || ppn & 0xf != NAPOT_64K_BITS {
                return None;
            }
            effective = (effective & !(0xf << 10)) | (((vaddr >> 12) & 0xf) << 10);
        }
        Some(effective)
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
            let mut pte = mem.load_at::<8>(pte_offset).ok_or(access_fault)?;

            if pte & PTE_V == 0 || (pte & PTE_R == 0 && pte & PTE_W != 0) || pte & PTE_HIGH != 0 {
                pte = self.effective_pte(pte, level, vaddr).ok_or(page_fault)?;
            }
            let ppn = (pte >> 10) & PPN_MASK;
            if pte & (PTE_R | PTE_X) == 0 {
                // A pointer to the next level. Its D, A and U bits are
                // reserved for future standard use: set, they fault.
                if pte & (PTE_A | PTE_D | PTE_U) != 0 {
                    return Err(page_fault);
                }
                if level == 0 {
                    return Err(page_fault);
                }
                level -= 1;
                table = ppn << 12;
                continue;
            }

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
            // A superpage's PPN must be aligned to its size.
            let low_ppn_bits = (1u64 << (9 * level)) - 1;
            if ppn & low_ppn_bits != 0 {
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
                // The PTE as it is in memory (`pte` may be a NAPOT copy).
                let stored = mem.load_at::<8>(pte_offset).ok_or(access_fault)?;
                mem.store_at::<8>(pte_offset, stored | needed);
            }

            let offset_mask = (1u64 << (12 + 9 * level)) - 1;
            return Ok(((ppn << 12) & !offset_mask) | (vaddr & offset_mask));
        }
    }
}
