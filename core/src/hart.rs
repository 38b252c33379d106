//! One RISC-V hart: its architectural state and the loop that runs it.
//!
//! The loop is the fast path of DESIGN.md: it looks up the decoded page
//! of the current `pc` once (fetch TLB), then runs records out of that
//! page, one handler call per instruction, until control leaves the page,
//! the hart's state changes in a way that needs attention (a trap, an
//! `xRET`, a CSR write), or the budget is used up. Interrupts are checked
//! between those stretches, never per instruction; `minstret` and
//! `mcycle` are counted in bulk.
//!
//! ```
//! use rivet_core::{Hart, Memory, PhysAddr, XReg, bus::EmptyBus};
//!
//! let mut mem = Memory::new(PhysAddr::new(0x8000_0000), 0x1000).unwrap();
//! // addi a0, zero, 42
//! mem.write_u32(PhysAddr::new(0x8000_0000), 0x02a0_0513).unwrap();
//! let mut hart = Hart::new(0);
//! hart.set_pc(0x8000_0000);
//! hart.step(&mut mem, &mut EmptyBus);
//! assert_eq!(hart.x(XReg::A0), 42);
//! assert_eq!(hart.pc(), 0x8000_0004);
//! ```

use crate::bus::Bus;
use crate::csr::{CsrError, CsrFile, Privilege};
use crate::debug::{DebugEvent, DebugPoints, Watchpoint};
use crate::decode_cache::CodePage;
use crate::hooks::{Hooks, Verdict};
use crate::isa::inline::{execute, execute_run};
use crate::isa::{Extensions, Next};
use crate::memory::Memory;
use crate::reg::{FReg, XReg};
use crate::spin::{self, SpinDetector};
use crate::timer::{TimeSource, Timebase};
use crate::tlb::Tlb;
use crate::trap::{Cause, Exception, TrapEvent};

/// The register index that instructions with `rd = x0` write to, so that
/// `x0` itself is never written and always reads zero.
pub(crate) const SINK: u8 = 32;

/// What the instruction handlers reach besides the hart: RAM and the bus.
pub(crate) struct Env<'a> {
    pub(crate) mem: &'a mut Memory,
    pub(crate) bus: &'a mut dyn Bus,
}

/// Why [`Hart::run`] or [`Hart::step`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The instruction budget of [`Hart::run`] is used up.
    Budget,
    /// [`Hart::step`] executed its instruction (which did not trap).
    Stepped,
    /// The hart executed `wfi` and waits for an interrupt.
    WaitingForInterrupt,
    /// A trap was taken and [`Hart::set_stop_on_trap`] asked to stop there.
    Trap,
    /// The hart came back to a state it had been in, waiting for another
    /// hart or a device, and [`Hart::set_yield_on_spin`] asked it to give
    /// up the rest of its budget then (see [`crate::spin`]).
    Spinning,
    /// A debugger's breakpoint or watchpoint (see [`crate::debug`]).
    Debug(DebugEvent),
    /// A hook asked to stop (see [`crate::hooks`]).
    Hook,
    /// [`Hart::run_to`]'s address was reached.
    Reached,
    /// A semihosting call ended the program or must wait for input (see
    /// [`crate::semihosting`]): the platform's next poll says what follows.
    Semihosting,
}

/// The result of [`Hart::run`] or [`Hart::step`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOutcome {
    /// Instructions retired.
    pub retired: u64,
    /// Instructions that trapped instead of retiring (interrupts taken
    /// included): they used up budget as the retired ones did.
    pub trapped: u64,
    /// Why the run ended.
    pub stop: StopReason,
}

/// One RV64 hart.
///
/// `repr(C)` with the integer registers first: the hart's address is then
/// also the address of `x`, so the run loop keeps one pointer in a
/// register for both (with Rust's own layout it kept two, and spilled one
/// of them to the stack, reloading it for every instruction).
#[repr(C)]
pub struct Hart {
    /// `x0`..`x31`, then the sink (index 32). 256 entries so that indexing
    /// with a record's `u8` register field needs neither a mask nor a
    /// bounds check; only 0..=32 are ever used.
    pub(crate) x: [u64; 256],
    /// `f0`..`f31` as raw bits (single precision NaN-boxed).
    /// Indexed like `x` (256 entries, only 0..32 used).
    pub(crate) f: [u64; 256],
    /// The `pc` between runs and at exits; handlers receive the live `pc`.
    pub(crate) pc: u64,
    pub(crate) prv: Privilege,
    pub(crate) csr: CsrFile,
    pub(crate) tlb: Tlb,
    /// The virtual address an LR reserved, if the reservation is held.
    pub(crate) reservation: Option<u64>,
    pub(crate) hart_id: u64,
    /// The extensions this hart implements (see [`crate::isa::extensions`]).
    pub(crate) extensions: Extensions,
    pub(crate) timebase: Timebase,
    /// Waiting in `wfi`.
    pub(crate) waiting: bool,
    /// The current code page has non-uniform PMP permissions.
    pub(crate) fetch_one_at_a_time: bool,
    pub(crate) seen_code_epoch: u64,
    /// The TLB context of loads and stores (see [`crate::tlb`]).
    pub(crate) ctx_data: u64,
    /// The TLB context of instruction fetches.
    pub(crate) ctx_fetch: u64,
    /// The Memory whose RAM this hart's TLB points into.
    pub(crate) memory_id: u64,
    pub(crate) seen_flush_epoch: u64,
    /// Traps taken during the current run (they consume budget but do not retire).
    pub(crate) run_traps: u64,
    pub(crate) stop_on_trap: bool,
    pub(crate) stopped_on_trap: bool,
    pub(crate) last_trap: Option<TrapEvent>,
    /// The embedding program's hooks (see [`crate::hooks`]).
    pub(crate) hooks: Hooks,
    pub(crate) yield_on_spin: bool,
    pub(crate) spin: SpinDetector,
    /// Instructions executed in earlier runs: the spin detector's clock.
    pub(crate) spin_clock: u64,
    pub(crate) spin_yields: u64,
    /// Interrupts taken, by code (statistics).
    pub(crate) interrupts_taken: [u64; 12],
    /// Exceptions taken (a part of the spin detector's state).
    pub(crate) exceptions_taken: u64,
    /// A debugger's breakpoints and watchpoints.
    pub(crate) debug: DebugPoints,
    /// Some breakpoint or execute trigger is set: pages that hold one run
    /// one instruction at a time, checked (see [`crate::debug`]).
    pub(crate) exec_points_armed: bool,
    /// Whether `ebreak` makes semihosting calls (see [`crate::semihosting`]).
    pub(crate) semihosting: crate::semihosting::SemihostingGate,
    /// A semihosting call asked to end the run.
    pub(crate) semihosting_stop: bool,
    /// Some watchpoint or load/store trigger is set: accesses to pages that
    /// hold one take the slow path, checked.
    pub(crate) data_points_armed: bool,
    /// Pending interrupts wait (a debugger's single step).
    mask_interrupts: bool,
}

impl std::fmt::Debug for Hart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hart")
            .field("hart_id", &self.hart_id)
            .field("pc", &format_args!("{:#x}", self.pc))
            .field("privilege", &self.prv)
            .finish_non_exhaustive()
    }
}

impl Hart {
    /// A hart with id `hart_id` (its `mhartid`) and its own host-clock
    /// timebase, in M-mode at `pc` 0 with every register zero, as after reset.
    pub fn new(hart_id: u64) -> Self {
        Self::with_timebase(hart_id, Timebase::new(TimeSource::HostClock))
    }

    /// A hart reading `time` from a shared timebase (all harts of a machine
    /// and its CLINT share one).
    pub fn with_timebase(hart_id: u64, timebase: Timebase) -> Self {
        let mut hart = Hart {
            x: [0; 256],
            f: [0; 256],
            pc: 0,
            prv: Privilege::Machine,
            csr: CsrFile::new(crate::isa::misa()),
            tlb: Tlb::new(),
            reservation: None,
            hart_id,
            extensions: Extensions::default(),
            timebase,
            waiting: false,
            fetch_one_at_a_time: false,
            seen_code_epoch: u64::MAX,
            memory_id: 0,
            ctx_data: 0,
            ctx_fetch: 0,
            seen_flush_epoch: u64::MAX,
            run_traps: 0,
            stop_on_trap: false,
            stopped_on_trap: false,
            last_trap: None,
            hooks: Hooks::default(),
            yield_on_spin: false,
            spin: SpinDetector::default(),
            spin_clock: 0,
            spin_yields: 0,
            interrupts_taken: [0; 12],
            exceptions_taken: 0,
            debug: DebugPoints::default(),
            exec_points_armed: false,
            semihosting: crate::semihosting::SemihostingGate::default(),
            semihosting_stop: false,
            data_points_armed: false,
            mask_interrupts: false,
        };
        hart.refresh_tlb_context();
        hart
    }

    // ----- architectural state -----

    /// This hart's `mhartid`.
    pub fn hart_id(&self) -> u64 {
        self.hart_id
    }

    /// The extensions this hart implements.
    pub fn extensions(&self) -> Extensions {
        self.extensions
    }

    /// Sets the extensions this hart implements (made legal first: the
    /// fixed ones added, D following F, [`Extensions::legal`]); `misa`
    /// follows. For a hart being configured, before it runs (as after
    /// reset, with `mstatus.FS` Off): an instruction of an extension left
    /// out raises an illegal-instruction exception from then on.
    pub fn set_extensions(&mut self, extensions: Extensions) {
        self.extensions = extensions.legal();
        self.csr.misa = crate::csr::Misa::new(self.extensions.misa());
    }

    /// The timebase this hart's `time` CSR reads.
    pub fn timebase(&self) -> &Timebase {
        &self.timebase
    }

    /// The program counter.
    pub fn pc(&self) -> u64 {
        self.pc
    }

    /// Sets the program counter (bit 0 is cleared, as `jalr` would).
    pub fn set_pc(&mut self, pc: u64) {
        self.pc = pc & !1;
    }

    /// Integer register `r` (`x0` always reads 0).
    pub fn x(&self, r: XReg) -> u64 {
        self.x[r.index()]
    }

    /// Sets integer register `r`; writes to `x0` are ignored.
    pub fn set_x(&mut self, r: XReg, value: u64) {
        if r.index() != 0 {
            self.x[r.index()] = value;
        }
    }

    /// Floating-point register `r` as raw bits (single-precision values are
    /// NaN-boxed in the upper 32 bits).
    pub fn f(&self, r: FReg) -> u64 {
        self.f[r.index()]
    }

    /// Sets floating-point register `r` to raw bits.
    pub fn set_f(&mut self, r: FReg, bits: u64) {
        self.f[r.index()] = bits;
    }

    /// The current privilege mode.
    pub fn privilege(&self) -> Privilege {
        self.prv
    }

    /// Changes the privilege mode (as a debugger would; traps and `xRET` do
    /// this themselves).
    pub fn set_privilege(&mut self, prv: Privilege) {
        self.prv = prv;
        self.refresh_tlb_context();
    }

    /// Recomputes the TLB contexts after a change of privilege mode,
    /// `mstatus.MPRV`/`MPP`, `SUM` or `MXR`: entries of other contexts stay
    /// in the TLB but no longer match.
    pub(crate) fn refresh_tlb_context(&mut self) {
        use crate::mmu::AccessType;
        let s = self.csr.mstatus;
        let data_prv = self.effective_privilege(AccessType::Load).bits();
        let sum = u64::from(s.sum());
        let mxr = u64::from(s.mxr());
        self.ctx_data = (data_prv | sum << 2 | mxr << 3) << 4;
        self.ctx_fetch = self.prv.bits() << 4;
    }

    /// Reads CSR `addr` with M-mode rights and no side effects (a
    /// debugger's view). The floating-point CSRs read even while
    /// `mstatus.FS` is Off. An error is [`CsrError::NoSuchCsr`].
    pub fn csr(&self, addr: u16) -> Result<u64, CsrError> {
        self.csr_debug_read(addr)
    }

    /// Writes CSR `addr` with M-mode rights, applying its WARL rules.
    /// The floating-point CSRs are written even while `mstatus.FS` is Off
    /// (and `FS` is left as it is). An error says whether the CSR does not
    /// exist ([`CsrError::NoSuchCsr`]) or is read-only
    /// ([`CsrError::ReadOnly`]).
    pub fn set_csr(&mut self, addr: u16, value: u64) -> Result<(), CsrError> {
        self.csr_debug_write(addr, value)
    }

    /// Drives the interrupt lines that come from outside the hart: the bits
    /// MSIP, MTIP, MEIP and SEIP of `mip` (others in `lines` are ignored).
    pub fn set_interrupt_lines(&mut self, lines: u64) {
        self.csr.mip.set_lines(lines);
    }

    /// The effective `mip`.
    pub fn mip(&self) -> u64 {
        self.csr.mip()
    }

    /// Whether the hart waits in `wfi`.
    pub fn is_waiting(&self) -> bool {
        self.waiting
    }

    /// `stimecmp` if Sstc is enabled (`menvcfg.STCE`): the `time` at which
    /// this hart's supervisor timer fires.
    pub fn sstc_deadline(&self) -> Option<u64> {
        self.csr.menvcfg.stce().then_some(self.csr.stimecmp.read())
    }

    /// How many times this hart's TLB was flushed whole (statistics).
    pub fn tlb_flushes(&self) -> u64 {
        self.tlb.flushes
    }

    /// Instructions retired so far (`minstret`).
    pub fn instret(&self) -> u64 {
        self.csr.counters.instret(0)
    }

    /// Whether the F and D extensions are present.
    pub(crate) fn has_fp(&self) -> bool {
        self.csr.misa.has(b'F')
    }

    // ----- traps -----

    /// The most recent trap, if any.
    pub fn last_trap(&self) -> Option<&TrapEvent> {
        self.last_trap.as_ref()
    }

    /// Makes [`Hart::run`] return as soon as a trap is taken.
    pub fn set_stop_on_trap(&mut self, stop: bool) {
        self.stop_on_trap = stop;
    }

    /// Makes [`Hart::run`] return early ([`StopReason::Spinning`]) when the
    /// hart spins, waiting for something only another hart or a device can
    /// change (see [`crate::spin`]). A [`crate::machine::Machine`] turns it
    /// on for its harts; it is off by default.
    pub fn set_yield_on_spin(&mut self, on: bool) {
        self.yield_on_spin = on;
        self.spin.clear();
    }

    /// How many interrupts of kind `interrupt` this hart has taken
    /// (statistics).
    pub fn interrupts_taken(&self, interrupt: crate::trap::Interrupt) -> u64 {
        self.interrupts_taken[crate::bits::to_usize(interrupt.code())]
    }

    /// How many times [`Hart::run`] returned early because the hart spun
    /// (statistics).
    pub fn spin_yields(&self) -> u64 {
        self.spin_yields
    }

    // ----- debugger -----

    /// Sets a debugger breakpoint at virtual address `addr`: [`Hart::run`]
    /// stops there ([`StopReason::Debug`]) before executing the instruction.
    /// Returns `false` if it was already set.
    pub fn insert_breakpoint(&mut self, addr: u64) -> bool {
        let inserted = self.debug.insert_breakpoint(addr);
        self.debug_points_changed(true, false);
        inserted
    }

    /// Removes a debugger breakpoint; `false` if none was set there.
    pub fn remove_breakpoint(&mut self, addr: u64) -> bool {
        let removed = self.debug.remove_breakpoint(addr);
        self.debug_points_changed(false, false);
        removed
    }

    /// Sets a debugger watchpoint: [`Hart::run`] stops
    /// ([`StopReason::Debug`]) after an instruction that accesses it.
    /// Returns `false` if it was already set or is empty.
    pub fn insert_watchpoint(&mut self, watchpoint: Watchpoint) -> bool {
        let inserted = self.debug.insert_watchpoint(watchpoint);
        self.debug_points_changed(false, true);
        inserted
    }

    /// Removes a debugger watchpoint; `false` if it was not set.
    pub fn remove_watchpoint(&mut self, watchpoint: Watchpoint) -> bool {
        let removed = self.debug.remove_watchpoint(watchpoint);
        self.debug_points_changed(false, false);
        removed
    }

    /// The debugger breakpoints set on this hart, in address order.
    pub fn breakpoints(&self) -> impl Iterator<Item = u64> + '_ {
        self.debug.breakpoints()
    }

    /// The debugger watchpoints set on this hart.
    pub fn watchpoints(&self) -> &[Watchpoint] {
        self.debug.watchpoints()
    }

    /// Drops the translations that may hide a breakpoint or watchpoint
    /// (those of pages that still have one come back only as slow ones).
    fn debug_points_changed(&mut self, code: bool, data: bool) {
        if code {
            self.tlb.flush_fetch();
        }
        if data {
            self.tlb.flush_data();
        }
        self.refresh_debug_arming();
    }

    /// Recomputes whether breakpoints, watchpoints or triggers are set.
    pub(crate) fn refresh_debug_arming(&mut self) {
        let triggers = &self.csr.triggers;
        self.exec_points_armed =
            self.debug.has_breakpoints() || triggers.execute_armed() || self.hooks.exec_armed();
        self.data_points_armed =
            self.debug.has_watchpoints() || triggers.data_armed() || self.hooks.memory.is_some();
    }

    /// Whether the code page at virtual address `page` holds a breakpoint,
    /// may match an execute trigger, or must be watched by a hook (and so
    /// must run one instruction at a time).
    #[inline(always)]
    pub(crate) fn exec_points_in_page(&self, page: u64) -> bool {
        self.exec_points_armed
            && (self.debug.breaks_in_page(page)
                || self.csr.triggers.may_execute_in_page(page)
                || self.hooks.watch_code_page(page))
    }

    /// Whether the data page at virtual address `page` holds a watched
    /// byte or may match a load/store trigger (and so must stay out of
    /// the TLB).
    pub(crate) fn data_points_in_page(&self, page: u64) -> bool {
        self.data_points_armed
            && (self.debug.watches_page(page)
                || self.csr.triggers.may_access_page(page)
                || self.hooks.memory.is_some())
    }

    /// Checks an access of `size` bytes at `vaddr` against the debugger's
    /// watchpoints and the trigger module, before it happens. `amo`: a
    /// read-modify-write (passed with `store`). A hit is an `Err` that
    /// abandons the instruction: a breakpoint exception for a trigger, or a
    /// debugger stop (see [`crate::debug`]).
    #[cold]
    pub(crate) fn check_data_points(
        &mut self,
        vaddr: u64,
        size: u64,
        store: bool,
        amo: bool,
    ) -> Result<(), crate::trap::Fault> {
        if let Some(event) = self.debug.watchpoint_hit(vaddr, size, store, amo) {
            self.debug.watch_hit = Some(event);
            return Err(crate::trap::Fault::new(Exception::Breakpoint, vaddr));
        }
        let (prv, mstatus) = (self.prv, self.csr.mstatus.read());
        let triggers = &mut self.csr.triggers;
        // An AMO is a load and a store: load triggers match it too.
        if triggers.data_armed()
            // `|`, not `||`: every trigger that fires records its hit.
            && (triggers.matches_access(vaddr, size, store, prv, mstatus)
                | (amo && triggers.matches_access(vaddr, size, false, prv, mstatus)))
        {
            return Err(crate::trap::Fault::new(Exception::Breakpoint, vaddr));
        }
        Ok(())
    }

    /// Executes one instruction as a debugger's single step: pending
    /// interrupts wait, and a debugger's breakpoint at `pc` is stepped
    /// over (the trigger module still applies: it is the guest's). A
    /// watchpoint the instruction hits is reported
    /// ([`StopReason::Debug`]), after the access as always. A faulting
    /// instruction takes its trap, and the step ends at the handler.
    pub fn debug_step(&mut self, mem: &mut Memory, bus: &mut dyn Bus) -> RunOutcome {
        self.run_one(mem, bus, false)
    }

    /// One instruction with interrupts held off and the debugger's
    /// breakpoints ignored; with `unwatched`, its watchpoints too (the
    /// instruction a watchpoint abandoned, run again).
    fn run_one(&mut self, mem: &mut Memory, bus: &mut dyn Bus, unwatched: bool) -> RunOutcome {
        let (stop_on_trap, yield_on_spin) = (self.stop_on_trap, self.yield_on_spin);
        self.stop_on_trap = true;
        self.yield_on_spin = false;
        self.mask_interrupts = true;
        self.debug.step_over_breakpoints = true;
        self.debug.unwatched = unwatched;
        let outcome = self.run(mem, bus, 1);
        self.debug.step_over_breakpoints = false;
        self.debug.unwatched = false;
        self.mask_interrupts = false;
        self.stop_on_trap = stop_on_trap;
        self.yield_on_spin = yield_on_spin;
        outcome
    }

    /// At a spin check point, `spent` instructions into the current run:
    /// whether the hart is back in a state it was in recently.
    fn spun(&mut self, spent: u64) -> bool {
        let now = self.spin_clock + spent;
        let quick = spin::quick_fingerprint(self);
        let full = self
            .spin
            .seen_recently(quick, now)
            .then(|| spin::fingerprint(self));
        let spun = self.spin.record(quick, full, now);
        self.spin_yields += u64::from(spun);
        spun
    }

    /// After a trap was raised in the run loop: calls the trap hook if the
    /// trap waits for it; `Some` if the run must stop there.
    #[inline]
    fn after_trap(&mut self, mem: &mut Memory) -> Option<StopReason> {
        if self.semihosting_stop {
            self.semihosting_stop = false;
            return Some(StopReason::Semihosting);
        }
        if self.hooks.pending_trap.is_some() {
            if let Some(stop) = self.deliver_pending_trap(mem) {
                return Some(stop);
            }
        }
        self.stopped_on_trap.then_some(StopReason::Trap)
    }

    // ----- running -----

    /// Executes one instruction (or takes one trap, if the instruction
    /// faults or an interrupt is pending). Returns what happened:
    /// [`StopReason::Stepped`] when the instruction ran,
    /// [`StopReason::Trap`] when a trap was taken instead, or why nothing
    /// ran (waiting in `wfi`, a breakpoint, a hook's stop).
    pub fn step(&mut self, mem: &mut Memory, bus: &mut dyn Bus) -> RunOutcome {
        let stop_on_trap = self.stop_on_trap;
        self.stop_on_trap = true;
        let mut outcome = self.run(mem, bus, 1);
        self.stop_on_trap = stop_on_trap;
        if outcome.stop == StopReason::Budget {
            outcome.stop = StopReason::Stepped;
        }
        outcome
    }

    /// Runs until `budget` instructions have been executed (counting those
    /// that trapped), the hart waits in `wfi`, or (if asked) a trap is taken.
    pub fn run(&mut self, mem: &mut Memory, bus: &mut dyn Bus, budget: u64) -> RunOutcome {
        let mut env = Env {
            mem: &mut *mem,
            bus: &mut *bus,
        };
        self.sync_with_memory(env.mem);
        self.update_sstc();
        self.run_traps = 0;
        self.stopped_on_trap = false;
        // Instructions executed in this run, including ones that trapped.
        let mut spent: u64 = 0;
        let mut stop = StopReason::Budget;
        // When the next spin check point is due (see `crate::spin`).
        let mut next_check = if self.yield_on_spin {
            self.spin.until_check(self.spin_clock)
        } else {
            u64::MAX
        };
        while spent < budget {
            if let Some(irq) = self.pending_interrupt().filter(|_| !self.mask_interrupts) {
                self.take_trap(Cause::Interrupt(irq), 0, self.pc);
                spent += 1;
                if let Some(reason) = self.after_trap(env.mem) {
                    stop = reason;
                    break;
                }
                continue;
            }
            if self.waiting {
                if self.csr.pending_enabled() != 0 {
                    self.waiting = false;
                } else {
                    stop = StopReason::WaitingForInterrupt;
                    break;
                }
            }
            let pc = self.pc;
            if self.exec_points_armed {
                if let Some(event) = self.debug.breakpoint_at(pc) {
                    self.debug.stop = Some(event);
                    break;
                }
                // An execute trigger fires before the instruction, ahead of
                // any fault its fetch would raise (priv spec, exception
                // priority).
                let (prv, mstatus) = (self.prv, self.csr.mstatus.read());
                if self.csr.triggers.execute_armed()
                    && self.csr.triggers.matches_execute(pc, prv, mstatus)
                {
                    self.take_trap(Cause::Exception(Exception::Breakpoint), pc, pc);
                    spent += 1;
                    if let Some(reason) = self.after_trap(env.mem) {
                        stop = reason;
                        break;
                    }
                    continue;
                }
                let verdict = if self.hooks.exec_armed() {
                    self.instruction_hooks(&mut env, pc, spent)
                } else {
                    None
                };
                match verdict {
                    None => {}
                    Some(Verdict::Skip { len }) => {
                        self.pc = pc.wrapping_add(len);
                        spent += 1;
                        self.run_traps += 1;
                        continue;
                    }
                    Some(Verdict::Stop(reason)) => {
                        stop = reason;
                        break;
                    }
                }
            }
            // A store may have made the decode cache drop a page.
            self.sync_with_decode_cache(env.mem);
            let page = match self.fetch_page(&mut env, pc) {
                Ok(page) => page,
                Err(fault) => {
                    self.take_trap(Cause::Exception(fault.exception), fault.tval, pc);
                    spent += 1;
                    if let Some(reason) = self.after_trap(env.mem) {
                        stop = reason;
                        break;
                    }
                    continue;
                }
            };
            let limit = if self.fetch_one_at_a_time {
                spent + 1
            } else {
                budget
            };
            let (next, now) =
                self.run_in_page(&mut env, &page, pc, spent, limit, limit.min(next_check));
            spent = now;
            if let Some(pc) = next.target() {
                self.pc = pc;
            } else if let Some(reason) = self.after_trap(env.mem) {
                stop = reason;
                break;
            }
            if self.fetch_one_at_a_time && self.hooks.stop_after_instruction {
                // A memory hook asked to stop after this instruction.
                self.hooks.stop_after_instruction = false;
                stop = StopReason::Hook;
                break;
            }
            // A spin check point: at a run boundary, or after a CSR write
            // or an xRET (see `crate::spin`).
            let check = if next.target().is_some() {
                spent >= next_check
            } else {
                next == Next::EXIT
                    && self.yield_on_spin
                    && self.spin.exit_check_due(self.spin_clock + spent)
            };
            if check {
                next_check = spent + spin::CHECK_INTERVAL;
                if self.spun(spent) {
                    stop = StopReason::Spinning;
                    break;
                }
            }
        }
        let mut retired = spent - self.run_traps;
        let mut trapped = self.run_traps;
        self.retire(retired);
        self.spin_clock += spent;
        if let Some(event) = self.debug.stop.take() {
            stop = StopReason::Debug(event);
            if let DebugEvent::Watchpoint { .. } = event {
                // Abandoned before its access: execute it now, unwatched.
                let again = self.run_one(mem, bus, true);
                retired += again.retired;
                trapped += again.trapped;
                if again.retired == 0 {
                    // It trapped before its access (a page fault, say):
                    // the access never happened, so there is nothing to
                    // report; the run just ends early.
                    stop = StopReason::Budget;
                }
            }
        }
        RunOutcome {
            retired,
            trapped,
            stop,
        }
    }

    /// Executes from `pc` in `page` (`spent` instructions of this run
    /// before it) while control stays in the page, up to `limit`
    /// instructions, returning at the first run boundary at or past
    /// `check_at` (at most `limit`). Returns where execution goes on (a
    /// `pc`: control left the page, or `check_at` was reached; or an exit:
    /// a handler changed the hart's state and `self.pc` is set), and the
    /// new `spent`.
    ///
    /// It executes whole runs (see [`crate::decode_cache`]) when they fit
    /// in the limit, without checking the page or the budget between their
    /// instructions. A run ends early at a taken branch, after a handler
    /// that trapped, or after one that overwrote decoded code (perhaps the
    /// rest of this very run).
    #[inline(never)]
    fn run_in_page(
        &mut self,
        env: &mut Env<'_>,
        page: &CodePage,
        mut pc: u64,
        mut spent: u64,
        limit: u64,
        check_at: u64,
    ) -> (Next, u64) {
        let writes = env.mem.code.writes();
        loop {
            // A match rather than `or_else`: the closure made this loop 1%
            // longer (callgrind).
            let run = match page.run(pc) {
                Some(run) => Some(run),
                // Dropped from the decode cache by a store just now: fetch
                // the page anew (see `crate::decode_cache`).
                None if page.is_dead() => return (Next::pc(pc), spent),
                None => crate::isa::decode_run(page, env.mem, pc),
            };
            let next = match run {
                None => crate::isa::execute_cross_page(self, env, pc, spent),
                Some(run) if spent + run.len as u64 <= limit => {
                    let records = page.records(run);
                    let page_base = pc & !0xfff;
                    // Loop in the run while a whole pass fits in the limit
                    // and the check point is not reached.
                    let again_until = limit.min(check_at.saturating_add(run.len as u64 - 1));
                    let (next, ran) =
                        execute_run(&records, self, env, page_base, spent, writes, again_until);
                    // Count all but the last (added below); `pc` only needs
                    // to be in the right page from here on.
                    spent += ran - 1;
                    pc = page_base;
                    next
                }
                // The limit falls inside the run: just its first instruction.
                Some(run) => {
                    let records = page.records(run);
                    execute(
                        records.insn(records.first),
                        || records.exec(records.first),
                        self,
                        env,
                        pc,
                        spent,
                    )
                }
            };
            spent += 1;
            // Leave when control leaves the page, when a handler reports
            // an exit, or at the check point.
            if next.leaves_page_of(pc) || spent >= check_at {
                return (next, spent);
            }
            // Still in the page, so `next` is a `pc`.
            pc = next.bits();
        }
    }

    /// Adds `n` retired instructions to the counters.
    fn retire(&mut self, n: u64) {
        self.csr.counters.retire(n);
        self.run_traps = 0;
    }

    /// Instructions retired so far in the current run, given the handler's
    /// count of instructions executed (`spent`).
    #[inline]
    pub(crate) fn retired_in_run(&self, spent: u64) -> u64 {
        spent - self.run_traps
    }
}
