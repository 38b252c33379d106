//! Memory accesses as the hart performs them: instruction fetch, loads,
//! stores, LR/SC and AMOs, each with a TLB fast path and a slow path that
//! translates, checks PMP, fills the TLB and reaches RAM or the bus.
//!
//! Misaligned loads and stores to RAM complete, as on QEMU 7.2 (the spec
//! lets an implementation handle them in hardware or trap): they take the
//! slow path, which translates each page the access touches before it
//! touches any byte, so a fault leaves memory unchanged. Misaligned
//! accesses to devices raise access faults (the spec allows that for I/O
//! regions). LR, SC and AMOs must be naturally aligned: otherwise they
//! raise the address-misaligned exception (load for LR, store/AMO for SC
//! and AMOs).

use std::sync::Arc;

use crate::addr::PhysAddr;
use crate::bits::{low_u16, low_u32, low_u8, to_usize};
use crate::bus::AccessSize;
use crate::decode_cache::CodePage;
use crate::hart::{Env, Hart};
use crate::hooks::AccessKind;
use crate::memory::Memory;
use crate::mmu::AccessType;
use crate::pmp::PmpAccess;
use crate::tlb;
use crate::trap::{Exception, Fault};

const fn size_of<const N: usize>() -> AccessSize {
    match N {
        1 => AccessSize::Byte,
        2 => AccessSize::Half,
        4 => AccessSize::Word,
        _ => AccessSize::Double,
    }
}

/// Reads `N` little-endian bytes at `p`.
///
/// # Safety
/// `p..p + N` must be readable (inside live guest RAM).
#[inline(always)]
unsafe fn read_host<const N: usize>(p: *const u8) -> u64 {
    // SAFETY: the caller guarantees the N bytes are readable; unaligned
    // reads are allowed by read_unaligned.
    unsafe {
        match N {
            1 => u64::from(p.read()),
            2 => u64::from(u16::from_le(p.cast::<u16>().read_unaligned())),
            4 => u64::from(u32::from_le(p.cast::<u32>().read_unaligned())),
            _ => u64::from_le(p.cast::<u64>().read_unaligned()),
        }
    }
}

/// Writes the low `N` bytes of `value` at `p`, little-endian.
///
/// # Safety
/// `p..p + N` must be writable (inside live guest RAM).
#[inline(always)]
unsafe fn write_host<const N: usize>(p: *mut u8, value: u64) {
    // SAFETY: the caller guarantees the N bytes are writable.
    unsafe {
        match N {
            1 => p.write(low_u8(value)),
            2 => p.cast::<u16>().write_unaligned(low_u16(value).to_le()),
            4 => p.cast::<u32>().write_unaligned(low_u32(value).to_le()),
            _ => p.cast::<u64>().write_unaligned(value.to_le()),
        }
    }
}

impl Hart {
    /// Translates and PMP-checks an access of `N` bytes at `vaddr`.
    /// Returns the physical address and whether the containing page may be
    /// cached in a TLB (its PMP permissions are uniform, and it holds no
    /// debugger breakpoint or watchpoint or trigger of that access's kind:
    /// see `crate::debug`).
    fn translate_checked<const N: usize>(
        &mut self,
        mem: &mut Memory,
        vaddr: u64,
        access: AccessType,
    ) -> Result<(u64, bool), Fault> {
        self.translate_range(mem, vaddr, N as u64, access)
    }

    /// [`Hart::translate_checked`] for `size` bytes known at run time.
    fn translate_range(
        &mut self,
        mem: &mut Memory,
        vaddr: u64,
        size: u64,
        access: AccessType,
    ) -> Result<(u64, bool), Fault> {
        let paddr = self.translate(mem, vaddr, access)?;
        let prv = self.effective_privilege(access);
        if !self.csr.pmp.check(paddr, size, access.pmp(), prv) {
            return Err(Fault::new(access.access_fault(), vaddr));
        }
        let uniform = self.csr.pmp.page_is_uniform(paddr & !0xfff);
        if self.exec_points_armed | self.data_points_armed {
            return Ok((paddr, uniform && !self.debug_points_in_page(vaddr, access)));
        }
        Ok((paddr, uniform))
    }

    /// Whether the page of `vaddr` holds a debugger's point or a trigger
    /// for accesses of kind `access` (and so must stay out of the TLB).
    #[cold]
    fn debug_points_in_page(&self, vaddr: u64, access: AccessType) -> bool {
        let page = vaddr & !0xfff;
        match access {
            AccessType::Fetch => self.exec_points_in_page(page),
            _ => self.data_points_in_page(page),
        }
    }

    /// A load of `N` bytes (1, 2, 4 or 8) at `vaddr` if the TLB has the
    /// page (zero-extended), `None` if the slow path must do it.
    #[inline(always)]
    pub(crate) fn load_hit<const N: usize>(&self, vaddr: u64) -> Option<u64> {
        let entry = self.tlb.load[tlb::index(vaddr)];
        if entry.hits::<N>(vaddr, self.ctx_data) {
            // SAFETY: a hit means the entry was filled by load_slow for this
            // page, with a host page of the Memory this hart runs with
            // (entries of any other Memory are flushed at Hart::run's start);
            // the RAM buffer never moves while the Memory lives, and
            // `vaddr` is naturally aligned, so all N bytes are in that page.
            return Some(unsafe { read_host::<N>(entry.host_addr(vaddr)) });
        }
        None
    }

    /// Loads `N` bytes (1, 2, 4 or 8) at `vaddr`, zero-extended.
    #[inline(always)]
    pub(crate) fn load<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
    ) -> Result<u64, Fault> {
        match self.load_hit::<N>(vaddr) {
            Some(v) => Ok(v),
            None => self.load_slow::<N>(env, vaddr),
        }
    }

    /// A load past the TLB: translation, PMP, the TLB filled if it may
    /// be, then RAM or the bus; the debugger's watchpoints, the trigger
    /// module and the memory hook on the way when they are set.
    #[inline(never)]
    pub(crate) fn load_slow<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
    ) -> Result<u64, Fault> {
        if self.data_points_armed {
            self.check_data_points(vaddr, N as u64, false, false)?;
        }
        let (value, paddr) = self.load_from::<N>(env, vaddr)?;
        self.accessed(AccessKind::Load, vaddr, paddr, N as u64, value);
        Ok(value)
    }

    /// The load of [`Hart::load_slow`]: the value and the physical address.
    #[inline(always)]
    fn load_from<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
    ) -> Result<(u64, u64), Fault> {
        if vaddr & (N as u64 - 1) != 0 {
            let mut bytes = [0u8; 8];
            let paddr =
                self.misaligned_ram_access(env, vaddr, &mut bytes[..N], AccessType::Load)?;
            return Ok((u64::from_le_bytes(bytes), paddr));
        }
        let (paddr, cacheable) = self.translate_checked::<N>(env.mem, vaddr, AccessType::Load)?;
        if let Some(offset) = env.mem.offset_of(PhysAddr(paddr), N as u64) {
            if cacheable {
                self.tlb
                    .fill_load(vaddr, env.mem.host_page(offset), self.ctx_data);
            }
            return match env.mem.load_at::<N>(offset) {
                Some(value) => Ok((value, paddr)),
                None => Err(Fault::new(Exception::LoadAccessFault, vaddr)),
            };
        }
        let value = env
            .bus
            .read(PhysAddr(paddr), size_of::<N>())
            .map_err(|_| Fault::new(Exception::LoadAccessFault, vaddr));
        self.refresh_interrupt_lines(env);
        Ok((value?, paddr))
    }

    /// Takes the devices' interrupt lines again after a device access.
    fn refresh_interrupt_lines(&mut self, env: &mut Env<'_>) {
        if let Some(lines) = env.bus.interrupt_lines(to_usize(self.hart_id)) {
            self.set_interrupt_lines(lines);
        }
    }

    /// Stores the low `N` bytes of `value` at `vaddr` if the TLB has the
    /// page; `false` if the slow path must do it.
    #[inline(always)]
    pub(crate) fn store_hit<const N: usize>(&mut self, vaddr: u64, value: u64) -> bool {
        let entry = self.tlb.store[tlb::index(vaddr)];
        if entry.hits::<N>(vaddr, self.ctx_data) {
            // SAFETY: as in `load_hit`; and the store TLB never maps a page
            // that holds decoded instructions (see crate::tlb), so writing
            // the bytes directly cannot leave stale code behind.
            unsafe { write_host::<N>(entry.host_addr(vaddr), value) };
            return true;
        }
        false
    }

    /// Stores the low `N` bytes of `value` at `vaddr`.
    #[inline(always)]
    pub(crate) fn store<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
        value: u64,
    ) -> Result<(), Fault> {
        if self.store_hit::<N>(vaddr, value) {
            return Ok(());
        }
        self.store_slow::<N>(env, vaddr, value)
    }

    /// A store past the TLB (see [`Hart::load_slow`]).
    #[inline(never)]
    pub(crate) fn store_slow<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
        value: u64,
    ) -> Result<(), Fault> {
        if self.data_points_armed {
            self.check_data_points(vaddr, N as u64, true, false)?;
        }
        let paddr = self.store_to::<N>(env, vaddr, value)?;
        self.accessed(
            AccessKind::Store,
            vaddr,
            paddr,
            N as u64,
            value & size_of::<N>().mask(),
        );
        Ok(())
    }

    /// The store of [`Hart::store_slow`]; returns the physical address.
    #[inline(always)]
    fn store_to<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
        value: u64,
    ) -> Result<u64, Fault> {
        if vaddr & (N as u64 - 1) != 0 {
            let mut bytes = value.to_le_bytes();
            return self.misaligned_ram_access(env, vaddr, &mut bytes[..N], AccessType::Store);
        }
        let (paddr, cacheable) = self.translate_checked::<N>(env.mem, vaddr, AccessType::Store)?;
        if let Some(offset) = env.mem.offset_of(PhysAddr(paddr), N as u64) {
            if env.mem.code.is_code(Memory::ram_page(offset)) {
                // The page holds decoded instructions: invalidate what this
                // store overwrites, and keep the page out of the store TLB.
                env.mem.store_at::<N>(offset, value);
            } else {
                if cacheable {
                    self.tlb
                        .fill_store(vaddr, env.mem.host_page(offset), self.ctx_data);
                }
                env.mem.store_at_unchecked_code::<N>(offset, value);
            }
            return Ok(paddr);
        }
        let result = env
            .bus
            .write(PhysAddr(paddr), size_of::<N>(), value)
            .map_err(|_| Fault::new(Exception::StoreAccessFault, vaddr));
        self.refresh_interrupt_lines(env);
        result.map(|()| paddr)
    }

    /// The access check of a cache-block management instruction (Zicbom)
    /// on the `size`-byte block holding `vaddr`: allowed wherever a load or
    /// a store would be (translation, setting the accessed bit but not the
    /// dirty bit, and PMP over the whole block, as a load: a page or PMP
    /// region that grants W grants R); a refusal is a store page fault or
    /// store access fault with `vaddr` as trap value (CMO spec,
    /// "Page-Fault, Guest-Page-Fault, and Access-Fault Exceptions"). The
    /// physical address is not checked further: the [`crate::Bus`] cannot
    /// say whether a device is there without accessing it, so a block in a
    /// hole of the memory map passes (where a load would fault).
    pub(crate) fn check_cache_block(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
        size: u64,
    ) -> Result<(), Fault> {
        let as_store = |fault: Fault| {
            let exception = match fault.exception {
                Exception::LoadPageFault => Exception::StorePageFault,
                _ => Exception::StoreAccessFault,
            };
            Fault::new(exception, vaddr)
        };
        let block = vaddr & !(size - 1);
        self.translate_range(env.mem, block, size, AccessType::Load)
            .map(|_| ())
            .map_err(as_store)
    }

    /// The check a cache-block zero instruction (Zicboz) makes before it
    /// stores: the `size`-byte block holding `vaddr` must be writable
    /// (translation, setting A and D, and PMP over the whole block) and in
    /// RAM, the only region whose attributes allow cache-block zero
    /// accesses here (the CMO spec lets I/O regions refuse them); a
    /// refusal is a store page fault or store access fault with `vaddr` as
    /// trap value, before any byte changes.
    pub(crate) fn check_zero_block(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
        size: u64,
    ) -> Result<(), Fault> {
        let block = vaddr & !(size - 1);
        let (paddr, _) = self
            .translate_range(env.mem, block, size, AccessType::Store)
            .map_err(|fault| Fault::new(fault.exception, vaddr))?;
        if env.mem.contains(PhysAddr(paddr), size) {
            Ok(())
        } else {
            Err(Fault::new(Exception::StoreAccessFault, vaddr))
        }
    }

    /// A misaligned load into `bytes`, or store from `bytes`, at `vaddr`.
    /// Every page the access touches is translated and checked first (a
    /// fault on the second page reports that page's first address); then
    /// the bytes move. Only RAM takes misaligned accesses. Returns the
    /// physical address of the first byte.
    #[cold]
    fn misaligned_ram_access(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
        bytes: &mut [u8],
        access: AccessType,
    ) -> Result<u64, Fault> {
        let len = bytes.len() as u64;
        let first_len = len.min(0x1000 - (vaddr & 0xfff));
        let second = vaddr.wrapping_add(first_len);
        let mut parts = [(vaddr, 0u64, first_len), (second, 0, len - first_len)];
        for part in parts.iter_mut().filter(|p| p.2 > 0) {
            let (paddr, _) = self.translate_range(env.mem, part.0, part.2, access)?;
            if !env.mem.contains(PhysAddr(paddr), part.2) {
                return Err(Fault::new(access.access_fault(), part.0));
            }
            part.1 = paddr;
        }
        let fault = Fault::new(access.access_fault(), vaddr);
        let mut done = 0;
        for (_, paddr, size) in parts.into_iter().filter(|p| p.2 > 0) {
            let chunk = &mut bytes[done..done + to_usize(size)];
            let result = match access {
                AccessType::Store => env.mem.write(PhysAddr(paddr), chunk),
                _ => env.mem.read(PhysAddr(paddr), chunk),
            };
            result.map_err(|_| fault)?;
            done += to_usize(size);
        }
        Ok(parts[0].1)
    }

    /// An atomic read-modify-write of `N` bytes at `vaddr`: stores
    /// `op(old)` and returns `old` (zero-extended). Store permission is
    /// required, which implies read permission (PTEs and PMP entries with W
    /// but not R are reserved); AMOs work on RAM only.
    #[inline]
    pub(crate) fn amo<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
        op: impl FnOnce(u64) -> u64,
    ) -> Result<u64, Fault> {
        let entry = self.tlb.store[tlb::index(vaddr)];
        if entry.hits::<N>(vaddr, self.ctx_data) {
            let host = entry.host_addr(vaddr);
            // SAFETY: as in `store`.
            let old = unsafe { read_host::<N>(host) };
            // SAFETY: as in `store`.
            unsafe { write_host::<N>(host, op(old)) };
            return Ok(old);
        }
        self.amo_slow::<N>(env, vaddr, op)
    }

    #[inline(never)]
    fn amo_slow<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
        op: impl FnOnce(u64) -> u64,
    ) -> Result<u64, Fault> {
        if self.data_points_armed {
            self.check_data_points(vaddr, N as u64, true, true)?;
        }
        if vaddr & (N as u64 - 1) != 0 {
            return Err(Fault::new(Exception::StoreAddressMisaligned, vaddr));
        }
        let fault = Fault::new(Exception::StoreAccessFault, vaddr);
        let (paddr, cacheable) = self.translate_checked::<N>(env.mem, vaddr, AccessType::Store)?;
        let prv = self.effective_privilege(AccessType::Store);
        if !self.csr.pmp.check(paddr, N as u64, PmpAccess::Read, prv) {
            return Err(fault);
        }
        let offset = env.mem.offset_of(PhysAddr(paddr), N as u64).ok_or(fault)?;
        if cacheable && !env.mem.code.is_code(Memory::ram_page(offset)) {
            self.tlb
                .fill_store(vaddr, env.mem.host_page(offset), self.ctx_data);
        }
        let old = env.mem.load_at::<N>(offset).ok_or(fault)?;
        let new = op(old);
        env.mem.store_at::<N>(offset, new);
        self.accessed(AccessKind::Load, vaddr, paddr, N as u64, old);
        self.accessed(
            AccessKind::Store,
            vaddr,
            paddr,
            N as u64,
            new & size_of::<N>().mask(),
        );
        Ok(old)
    }

    /// LR: a load that registers a reservation on `vaddr`.
    pub(crate) fn load_reserved<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
    ) -> Result<u64, Fault> {
        if vaddr & (N as u64 - 1) != 0 {
            return Err(Fault::new(Exception::LoadAddressMisaligned, vaddr));
        }
        let value = self.load::<N>(env, vaddr)?;
        self.reservation = Some(vaddr);
        Ok(value)
    }

    /// SC: stores if the reservation on `vaddr` is still held. Returns
    /// whether it succeeded. The reservation is gone afterwards either way.
    /// A failing SC makes no memory access (and so raises no exception
    /// other than misalignment), as in QEMU.
    pub(crate) fn store_conditional<const N: usize>(
        &mut self,
        env: &mut Env<'_>,
        vaddr: u64,
        value: u64,
    ) -> Result<bool, Fault> {
        if vaddr & (N as u64 - 1) != 0 {
            return Err(Fault::new(Exception::StoreAddressMisaligned, vaddr));
        }
        let held = self.reservation.take() == Some(vaddr);
        if !held {
            return Ok(false);
        }
        if let Err(fault) = self.amo::<N>(env, vaddr, |_| value) {
            if self.debug.watch_hit.is_some() {
                // A debugger's watchpoint abandons the SC, to run it again
                // at once: it must find its reservation (crate::debug).
                self.reservation = Some(vaddr);
            }
            return Err(fault);
        }
        Ok(true)
    }

    /// The decoded page holding the instruction at `pc`.
    #[inline(always)]
    pub(crate) fn fetch_page(
        &mut self,
        env: &mut Env<'_>,
        pc: u64,
    ) -> Result<Arc<CodePage>, Fault> {
        let entry = &self.tlb.fetch[tlb::index(pc)];
        if entry.tag == (pc & !0xfff) | self.ctx_fetch {
            if let Some(page) = &entry.page {
                // Only whole-speed pages enter the fetch TLB.
                self.fetch_one_at_a_time = false;
                return Ok(Arc::clone(page));
            }
        }
        self.fetch_page_slow(env, pc)
    }

    #[inline(never)]
    fn fetch_page_slow(&mut self, env: &mut Env<'_>, pc: u64) -> Result<Arc<CodePage>, Fault> {
        let (paddr, uniform) = self.translate_checked::<2>(env.mem, pc, AccessType::Fetch)?;
        let offset = env
            .mem
            .offset_of(PhysAddr(paddr), 2)
            .ok_or(Fault::new(Exception::InstructionAccessFault, pc))?;
        let page = env.mem.code.page(Memory::ram_page(offset));
        self.sync_with_decode_cache(env.mem);
        if uniform {
            self.tlb.fill_fetch(pc, Arc::clone(&page), self.ctx_fetch);
            self.fetch_one_at_a_time = false;
        } else {
            // PMP permissions change inside this page, or it holds a
            // breakpoint: check every fetch.
            self.fetch_one_at_a_time = true;
        }
        Ok(page)
    }

    /// Drops every translation (and the LR reservation) if this hart last
    /// ran with another Memory (its TLB's host pointers belong to that one),
    /// then those the decode cache has made stale.
    pub(crate) fn sync_with_memory(&mut self, mem: &Memory) {
        if self.memory_id != mem.id() {
            // Another memory, or this one with its contents replaced (a
            // snapshot restored): the reservation is lost too, unless the
            // hart is new or was itself just restored (id 0): then its state
            // is meant to go with this memory.
            if self.memory_id != 0 {
                self.reservation = None;
            }
            self.memory_id = mem.id();
            self.tlb.flush();
        }
        self.sync_with_decode_cache(mem);
    }

    /// Drops translations the decode cache has made stale: store entries
    /// for pages that became code, fetch entries for pages it flushed.
    #[inline]
    pub(crate) fn sync_with_decode_cache(&mut self, mem: &Memory) {
        if self.seen_code_epoch != mem.code.code_epoch() {
            self.seen_code_epoch = mem.code.code_epoch();
            self.tlb.flush_store();
        }
        if self.seen_flush_epoch != mem.code.flush_epoch() {
            self.seen_flush_epoch = mem.code.flush_epoch();
            self.tlb.flush_fetch();
        }
    }

    /// Fetches the 16-bit parcel at `vaddr` the slow way (translation, PMP).
    pub(crate) fn fetch_parcel(&mut self, env: &mut Env<'_>, vaddr: u64) -> Result<u16, Fault> {
        let (paddr, _) = self.translate_checked::<2>(env.mem, vaddr, AccessType::Fetch)?;
        let offset = env
            .mem
            .offset_of(PhysAddr(paddr), 2)
            .ok_or(Fault::new(Exception::InstructionAccessFault, vaddr))?;
        env.mem
            .parcel_at(offset)
            .ok_or(Fault::new(Exception::InstructionAccessFault, vaddr))
    }

    /// Fetches the raw bits of the instruction at `pc` the slow way: its
    /// first parcel, and the second one if it is a 32-bit instruction.
    pub(crate) fn fetch_bits(&mut self, env: &mut Env<'_>, pc: u64) -> Result<u32, Fault> {
        let low = self.fetch_parcel(env, pc)?;
        if low & 3 != 3 {
            return Ok(u32::from(low));
        }
        let high = self.fetch_parcel(env, pc.wrapping_add(2))?;
        Ok(u32::from(low) | (u32::from(high) << 16))
    }
}
