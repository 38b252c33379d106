//! Saving and restoring machine state: the ground for stepping back.
//!
//! A snapshot is a copy of the state a program can observe, taken between
//! two runs; restoring it puts that state back, so that running again from
//! there does exactly what it did the first time (given the same inputs:
//! a deterministic timebase, no devices or the same device behaviour).
//!
//! - [`HartState`] ([`Hart::snapshot`], [`Hart::restore`]): the registers
//!   `x` and `f`, `pc`, privilege mode, the whole CSR file (counters, PMP,
//!   triggers and the interrupt lines included), the LR reservation and
//!   whether the hart waits in `wfi`; and, so that a [`Machine`] schedules
//!   its harts the same way again, the spin detector's memory (see
//!   [`crate::spin`]), the hart's trap statistics and its last trap.
//! - [`MemoryState`] ([`Memory::snapshot`], [`Memory::restore`]): the
//!   contents of RAM.
//! - [`Snapshot`] ([`Machine::snapshot`], [`Machine::restore`]): every
//!   hart, the memory, the timebase (`mtime`) and the machine's
//!   instruction count and place in its round of slices.
//!
//! What is not state, and is neither saved nor restored: the caches that
//! are derived from it (the TLBs, the decoded-instruction cache: restoring
//! drops them all, so nothing decoded or translated before the restore can
//! be used after it), and the host's settings of a hart (its extension set,
//! as `-cpu` chose it: `misa` and the `*envcfg` fields it allows are
//! restored as saved, so restore into a hart with the set it had; its
//! hooks, debugger breakpoints and watchpoints, stop-on-trap and
//! yield-on-spin)
//! or of a machine (its slice, icount shift, HTIF addresses, parked harts).
//!
//! **Devices are not covered**: a [`Machine`]'s platform (the board: CLINT
//! `mtimecmp`, PLIC, UART, virtio queues and disks) keeps running on from
//! where it is when the harts and memory are restored. Stepping back is
//! exact for programs that use no device, or whose devices' state has not
//! changed since the snapshot; a timer interrupt the CLINT raised after it,
//! say, will not be raised again.
//!
//! # Cost
//!
//! Taking a memory snapshot reads all of RAM once and copies every 4 KiB
//! page that is not all zeros (pages the guest never touched cost a read
//! and no copy); restoring writes back those pages and clears the others
//! that are not already zero. Both take time in proportion to the RAM size
//! (tens of milliseconds for the default 256 MiB) and host memory in
//! proportion to what the guest uses: fine for teaching-size machines and
//! a snapshot every few million instructions, not for a snapshot per
//! instruction of a Linux guest. Cloning a [`MemoryState`] or a
//! [`Snapshot`] shares the copied pages (they are immutable), so keeping
//! one in several places costs nothing more. A hart's state is about 9 KiB.
//!
//! Every state here is `Clone + Send`: a snapshot can be taken on one
//! thread and restored on another, as can the [`Hart`], [`Memory`] and
//! [`Machine`] it is restored into (for a machine, if its platform is
//! `Send`).
//!
//! ```
//! use rivet_core::{bus::EmptyBus, Hart, Memory, PhysAddr, XReg};
//!
//! let mut mem = Memory::new(PhysAddr::new(0x8000_0000), 0x1000).unwrap();
//! // loop: addi a0, a0, 1; jal zero, loop
//! mem.write_u32(PhysAddr::new(0x8000_0000), 0x0015_0513).unwrap();
//! mem.write_u32(PhysAddr::new(0x8000_0004), 0xffdf_f06f).unwrap();
//! let mut hart = Hart::new(0);
//! hart.set_pc(0x8000_0000);
//! hart.run(&mut mem, &mut EmptyBus, 10);
//! let (saved_hart, saved_mem) = (hart.snapshot(), mem.snapshot());
//! hart.run(&mut mem, &mut EmptyBus, 100);
//! assert_eq!(hart.x(XReg::A0), 55);
//! // Step back, and run the same 100 instructions again.
//! hart.restore(&saved_hart);
//! mem.restore(&saved_mem).unwrap();
//! assert_eq!(hart.x(XReg::A0), 5);
//! hart.run(&mut mem, &mut EmptyBus, 100);
//! assert_eq!(hart.x(XReg::A0), 55);
//! ```

use std::sync::Arc;

use crate::addr::{PhysAddr, PAGE_SIZE};
use crate::csr::{CsrFile, Privilege};
use crate::error::{Error, Result};
use crate::hart::Hart;
use crate::machine::{Machine, Platform};
use crate::memory::Memory;
use crate::reg::{FReg, XReg};
use crate::spin::SpinDetector;
use crate::trap::TrapEvent;

const PAGE: usize = crate::bits::to_usize(PAGE_SIZE);

/// The saved state of one hart (see the [module documentation](self)).
#[derive(Clone)]
pub struct HartState {
    x: [u64; 32],
    f: [u64; 32],
    pc: u64,
    prv: Privilege,
    csr: CsrFile,
    reservation: Option<u64>,
    waiting: bool,
    last_trap: Option<TrapEvent>,
    spin: SpinDetector,
    spin_clock: u64,
    spin_yields: u64,
    interrupts_taken: [u64; 12],
    exceptions_taken: u64,
}

impl std::fmt::Debug for HartState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HartState")
            .field("pc", &format_args!("{:#x}", self.pc))
            .field("privilege", &self.prv)
            .field("instret", &self.csr.counters.instret(0))
            .finish_non_exhaustive()
    }
}

impl HartState {
    /// The saved program counter.
    pub fn pc(&self) -> u64 {
        self.pc
    }

    /// The saved integer register `r`.
    pub fn x(&self, r: XReg) -> u64 {
        self.x[r.index()]
    }

    /// The saved floating-point register `r`, as raw bits.
    pub fn f(&self, r: FReg) -> u64 {
        self.f[r.index()]
    }

    /// The saved privilege mode.
    pub fn privilege(&self) -> Privilege {
        self.prv
    }

    /// The saved `minstret`: instructions the hart had retired.
    pub fn instret(&self) -> u64 {
        self.csr.counters.instret(0)
    }
}

impl Hart {
    /// Saves this hart's state (see [`crate::snapshot`]). Between runs only:
    /// the state is what [`Hart::run`] left.
    pub fn snapshot(&self) -> HartState {
        let mut x = [0; 32];
        x.copy_from_slice(&self.x[..32]);
        let mut f = [0; 32];
        f.copy_from_slice(&self.f[..32]);
        HartState {
            x,
            f,
            pc: self.pc,
            prv: self.prv,
            csr: self.csr.clone(),
            reservation: self.reservation,
            waiting: self.waiting,
            last_trap: self.last_trap,
            spin: self.spin.clone(),
            spin_clock: self.spin_clock,
            spin_yields: self.spin_yields,
            interrupts_taken: self.interrupts_taken,
            exceptions_taken: self.exceptions_taken,
        }
    }

    /// Puts back a state saved by [`Hart::snapshot`] (of this hart or of
    /// another: the hart keeps its own `mhartid`, timebase and host
    /// settings). Every translation is dropped, so nothing the hart
    /// translated or decoded before runs after; the saved LR reservation is
    /// kept, for the memory the hart runs with next (restore that memory to
    /// the same moment, see [`Memory::restore`]).
    pub fn restore(&mut self, state: &HartState) {
        self.x[..32].copy_from_slice(&state.x);
        self.x[0] = 0;
        self.f[..32].copy_from_slice(&state.f);
        self.pc = state.pc;
        self.prv = state.prv;
        self.csr = state.csr.clone();
        self.reservation = state.reservation;
        self.waiting = state.waiting;
        self.last_trap = state.last_trap;
        self.spin = state.spin.clone();
        self.spin_clock = state.spin_clock;
        self.spin_yields = state.spin_yields;
        self.interrupts_taken = state.interrupts_taken;
        self.exceptions_taken = state.exceptions_taken;
        self.tlb.flush();
        self.fetch_one_at_a_time = false;
        // Not tied to a memory: the next one the hart runs with is taken
        // as the one this state goes with (see `Hart::sync_with_memory`),
        // and its TLB is empty, so nothing can point into another one.
        self.memory_id = 0;
        self.refresh_tlb_context();
        self.refresh_debug_arming();
    }
}

impl Clone for Hart {
    /// A hart in the same state, with the same `mhartid`, timebase (shared,
    /// as the harts of a machine share theirs), breakpoints, watchpoints and
    /// settings, but no hooks (closures cannot be cloned: set them
    /// again) and an empty TLB: the two share no decoded page, and each
    /// fills its own from the memory it runs with.
    fn clone(&self) -> Self {
        let mut hart = Hart::with_timebase(self.hart_id, self.timebase.clone());
        hart.debug = self.debug.clone();
        hart.stop_on_trap = self.stop_on_trap;
        hart.yield_on_spin = self.yield_on_spin;
        hart.restore(&self.snapshot());
        hart
    }
}

/// The saved contents of a [`Memory`] (see the [module documentation](self)).
///
/// Only pages that are not all zeros are kept; clones share them.
#[derive(Clone)]
pub struct MemoryState {
    base: PhysAddr,
    size: u64,
    /// The indices of the pages kept, ascending.
    pages: Arc<[usize]>,
    /// Their contents, one after the other.
    bytes: Arc<[u8]>,
}

impl std::fmt::Debug for MemoryState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryState")
            .field("base", &self.base)
            .field("size", &self.size)
            .field("stored_pages", &self.pages.len())
            .finish()
    }
}

impl MemoryState {
    /// The physical address of the saved RAM.
    pub fn base(&self) -> PhysAddr {
        self.base
    }

    /// The size of the saved RAM in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The host memory the saved contents take, in bytes.
    pub fn stored_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The saved page `index` of RAM (offset `index * 4 KiB`), or `None`
    /// if it was all zeros.
    #[cfg(test)]
    fn page(&self, index: usize) -> Option<&[u8]> {
        let k = self.pages.binary_search(&index).ok()?;
        Some(&self.bytes[k * PAGE..(k + 1) * PAGE])
    }

    /// Writes the saved contents into `ram` (of the saved size): saved
    /// pages copied, all others cleared (left alone where already zero, so
    /// that pages the host never committed stay uncommitted).
    fn write_into(&self, ram: &mut [u8]) {
        let mut saved = self
            .pages
            .iter()
            .zip(self.bytes.chunks_exact(PAGE))
            .peekable();
        for (index, page) in ram.chunks_exact_mut(PAGE).enumerate() {
            match saved.next_if(|(i, _)| **i == index) {
                Some((_, bytes)) => page.copy_from_slice(bytes),
                None if !is_zero(page) => page.fill(0),
                None => {}
            }
        }
    }
}

/// Whether a page is all zeros (a loop the compiler turns into wide ORs).
fn is_zero(page: &[u8]) -> bool {
    page.iter().fold(0, |acc, b| acc | b) == 0
}

impl Memory {
    /// Saves the contents of RAM (see [`crate::snapshot`] for the cost).
    pub fn snapshot(&self) -> MemoryState {
        let mut pages = Vec::new();
        let mut bytes = Vec::new();
        for (index, page) in self.as_slice().chunks_exact(PAGE).enumerate() {
            if !is_zero(page) {
                pages.push(index);
                bytes.extend_from_slice(page);
            }
        }
        MemoryState {
            base: self.base(),
            size: self.size(),
            pages: pages.into(),
            bytes: bytes.into(),
        }
    }

    /// Puts back the contents saved by [`Memory::snapshot`], from this
    /// memory or another of the same base and size (else
    /// [`Error::SnapshotMismatch`], and nothing changes).
    ///
    /// Everything derived from the old contents goes: the decoded
    /// instructions, and every hart's translations and LR reservation (a
    /// hart notices when it next runs with this memory), except the
    /// reservation of a hart restored at the same time ([`Hart::restore`]).
    pub fn restore(&mut self, state: &MemoryState) -> Result<()> {
        if state.base != self.base() || state.size != self.size() {
            return Err(Error::SnapshotMismatch(format!(
                "{:#x} bytes of RAM at {} saved, {:#x} bytes at {} here",
                state.size,
                state.base,
                self.size(),
                self.base()
            )));
        }
        self.rewrite_all(|ram| state.write_into(ram));
        Ok(())
    }
}

impl Clone for Memory {
    /// A memory of the same base, size and contents, with a decode cache of
    /// its own (empty) and its own identity: a hart that ran with the
    /// original drops its translations before it runs with the clone.
    /// Copies only the pages that are not all zeros.
    ///
    /// Aborts, as `Vec::clone` does, if the host cannot allocate the RAM.
    fn clone(&self) -> Self {
        let mut copy = Memory::new(self.base(), self.size()).unwrap_or_else(|_| {
            let layout = std::alloc::Layout::array::<u8>(self.as_slice().len())
                .unwrap_or(std::alloc::Layout::new::<u8>());
            std::alloc::handle_alloc_error(layout)
        });
        let from = self.as_slice();
        copy.rewrite_all(|ram| {
            for (to, from) in ram.chunks_exact_mut(PAGE).zip(from.chunks_exact(PAGE)) {
                if !is_zero(from) {
                    to.copy_from_slice(from);
                }
            }
        });
        copy
    }
}

/// The saved state of a whole [`Machine`] but its platform (see the
/// [module documentation](self)): every hart, the memory, `mtime`, and the
/// machine's instruction count and place in its round of slices.
#[derive(Clone, Debug)]
pub struct Snapshot {
    harts: Vec<HartState>,
    memory: MemoryState,
    time: u64,
    retired: u64,
    icount_remainder: u64,
    next_hart: usize,
    rest_of_slice: Option<u64>,
}

impl Snapshot {
    /// The saved state of hart `hart`.
    pub fn hart(&self, hart: usize) -> Option<&HartState> {
        self.harts.get(hart)
    }

    /// The saved memory.
    pub fn memory(&self) -> &MemoryState {
        &self.memory
    }

    /// The saved `mtime`.
    pub fn time(&self) -> u64 {
        self.time
    }

    /// Instructions all harts had retired ([`Machine::retired`]).
    pub fn retired(&self) -> u64 {
        self.retired
    }
}

impl<P: Platform> Machine<P> {
    /// Saves every hart, the memory, `mtime` and the machine's counters;
    /// not the platform's devices (see [`crate::snapshot`]).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            harts: self.harts.iter().map(Hart::snapshot).collect(),
            memory: self.memory.snapshot(),
            time: self.timebase.now(),
            retired: self.retired,
            icount_remainder: self.icount_remainder,
            next_hart: self.next_hart,
            rest_of_slice: self.rest_of_slice,
        }
    }

    /// Puts back what [`Machine::snapshot`] saved, from this machine or one
    /// with as many harts and the same RAM layout (else
    /// [`Error::SnapshotMismatch`], and nothing changes). `mtime` is set to
    /// the saved value (on a host-clock timebase it goes on ticking from
    /// there); the devices keep their state.
    pub fn restore(&mut self, snapshot: &Snapshot) -> Result<()> {
        if snapshot.harts.len() != self.harts.len() {
            return Err(Error::SnapshotMismatch(format!(
                "{} harts saved, {} here",
                snapshot.harts.len(),
                self.harts.len()
            )));
        }
        self.memory.restore(&snapshot.memory)?;
        for (hart, state) in self.harts.iter_mut().zip(&snapshot.harts) {
            hart.restore(state);
        }
        self.timebase.set(snapshot.time);
        self.retired = snapshot.retired;
        self.icount_remainder = snapshot.icount_remainder;
        self.next_hart = snapshot.next_hart;
        self.rest_of_slice = snapshot.rest_of_slice;
        Ok(())
    }
}

/// `Hart`, `Memory`, the states and a `Machine` on a `Send` platform are
/// `Send`: checked when the crate compiles.
#[allow(dead_code)]
fn assert_send<P: Platform + Send>() {
    fn send<T: Send>() {}
    send::<Hart>();
    send::<Memory>();
    send::<Machine<P>>();
    send::<HartState>();
    send::<MemoryState>();
    send::<Snapshot>();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_with_data_are_kept_and_restore_clears_the_others() {
        let mut mem = Memory::new(PhysAddr::new(0x8000_0000), 4 * PAGE_SIZE).unwrap();
        mem.write_u64(PhysAddr::new(0x8000_1008), 7).unwrap();
        let saved = mem.snapshot();
        assert_eq!(saved.stored_bytes(), PAGE);
        assert!(saved.page(0).is_none());
        assert_eq!(saved.page(1).unwrap()[8], 7);
        mem.write_u64(PhysAddr::new(0x8000_1008), 9).unwrap();
        mem.write_u64(PhysAddr::new(0x8000_3ff8), 1).unwrap();
        mem.restore(&saved).unwrap();
        assert_eq!(mem.read_u64(PhysAddr::new(0x8000_1008)).unwrap(), 7);
        assert_eq!(mem.read_u64(PhysAddr::new(0x8000_3ff8)).unwrap(), 0);
        let other = Memory::new(PhysAddr::new(0x8000_0000), PAGE_SIZE).unwrap();
        assert!(matches!(
            other.clone().restore(&saved),
            Err(Error::SnapshotMismatch(_))
        ));
    }

    #[test]
    fn a_clone_has_the_contents_and_its_own_identity() {
        let mut mem = Memory::new(PhysAddr::new(0x8000_0000), 2 * PAGE_SIZE).unwrap();
        mem.write_u32(PhysAddr::new(0x8000_0ffc), 0xdead_beef)
            .unwrap();
        let copy = mem.clone();
        assert_eq!(copy.as_slice(), mem.as_slice());
        assert_ne!(copy.id(), mem.id());
    }
}
