//! Several harts sharing one memory and one platform: the run loop of a
//! whole machine.
//!
//! # Scheduling
//!
//! Harts run round-robin on one host thread, each for a slice of
//! [`Machine::slice`] instructions, and devices get their turn between
//! rounds. One thread keeps the emulator simple and fast (no atomics on
//! guest memory, no locks on the decode cache) and makes every
//! inter-hart interaction well ordered: a store by one hart is visible to
//! the next hart that runs, so the RVWMO memory model is trivially met
//! (the execution is sequentially consistent). LR/SC stays correct across
//! harts because a hart's reservation is dropped whenever it is switched
//! out: another hart's store can only happen after that point, so an SC
//! can never succeed across one (the constrained LR/SC loops of the spec
//! retry and succeed within a slice). A hart that spins, waiting for
//! another hart or a device, gives up the rest of its slice (see
//! [`crate::spin`]), so the hart it waits for runs sooner. With a
//! deterministic timebase ([`crate::TimeSource::Deterministic`]) the whole
//! run is a function of its inputs and can be replayed.
//!
//! # Waiting
//!
//! When every hart waits in `wfi`, the machine asks the platform to sleep
//! the host until the earliest timer deadline (CLINT `mtimecmp`, Sstc
//! `stimecmp`) or until outside input arrives; with a deterministic
//! timebase it jumps time straight to the deadline instead.

use std::time::{Duration, Instant};

use crate::bus::{Bus, EmptyBus};
use crate::debug::{DebugEvent, Watchpoint};
use crate::hart::{Hart, StopReason};
use crate::memory::Memory;
use crate::timer::{TimeSource, Timebase};

/// Why the machine stopped running: what the core knows of (an instruction
/// limit, a deadlock, a debugger's stop), or the platform's own reason `S`
/// ([`Platform::Stop`]: a poweroff, a reset, a test's exit, which are board
/// policy the core does not interpret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExitReason<S> {
    /// The platform stopped the machine (see [`Platform::poll`]).
    Platform(S),
    /// The instruction limit was reached.
    InstructionLimit,
    /// Every hart waits for an interrupt that nothing can raise.
    Deadlock,
    /// A hart stopped at a debugger's breakpoint or watchpoint.
    Debug {
        /// The hart's index (its hart id).
        hart: usize,
        /// What it stopped at.
        event: DebugEvent,
    },
    /// A hart's hook asked to stop, or a hart reached the address it was
    /// run to (see [`crate::hooks`]).
    Hook {
        /// The hart's index (its hart id).
        hart: usize,
    },
}

/// A board around the harts: its devices (as a [`Bus`]), their progress
/// between slices, how to wait for them, and when the machine stops.
///
/// Its [`Bus::interrupt_lines`] gives each hart's interrupt lines; the
/// machine takes them before every slice.
pub trait Platform: Bus {
    /// Why the board stops the machine: its power, reset and exit policy
    /// (rivet's `virt` board: a poweroff with an exit code, a reset, the
    /// user's quit, a test program's `tohost` exit).
    type Stop;

    /// Lets devices make progress (DMA into `mem`, console input) and
    /// reports a stop the board wants (the guest powered off, the user
    /// quit). Called after every round of slices and after a debugger's
    /// single step.
    fn poll(&mut self, mem: &mut Memory) -> Option<Self::Stop>;

    /// The earliest `mtime` at which a device timer fires (CLINT `mtimecmp`).
    fn next_deadline(&self) -> Option<u64>;

    /// Blocks the host for at most `timeout`, returning early when outside
    /// input arrives (a key press). `None` waits until input arrives.
    /// Returns `false` when no outside input can ever arrive (so waiting
    /// without a timeout would be forever).
    fn wait(&mut self, timeout: Option<Duration>) -> bool;
}

/// A board with nothing on it: harts and RAM alone (a teaching tool's
/// machine, a test's). It never stops the machine, has no timers, and no
/// outside input can arrive.
impl Platform for EmptyBus {
    type Stop = std::convert::Infallible;

    fn poll(&mut self, _: &mut Memory) -> Option<Self::Stop> {
        None
    }

    fn next_deadline(&self) -> Option<u64> {
        None
    }

    fn wait(&mut self, _: Option<Duration>) -> bool {
        false
    }
}

/// A machine: harts, memory and platform.
pub struct Machine<P: Platform> {
    /// The harts, indexed by hart id.
    pub harts: Vec<Hart>,
    /// Guest RAM.
    pub memory: Memory,
    /// The devices.
    pub platform: P,
    /// The shared timebase.
    pub timebase: Timebase,
    /// Instructions per hart per round.
    pub slice: u64,
    /// Deterministic time: `mtime` advances one tick per `2^shift`
    /// nanoseconds of virtual time, one instruction per nanosecond.
    icount_shift: u32,
    /// Instructions not yet turned into deterministic ticks.
    pub(crate) icount_remainder: u64,
    pub(crate) retired: u64,
    /// Instructions that trapped instead of retiring, all harts: they
    /// count against a run's limit with the retired ones, so that a hart
    /// stuck in a trap loop (which retires nothing) still reaches it.
    trapped: u64,
    /// The hart whose slice comes next in the current round (a run that
    /// stopped for a debugger resumes the round there).
    pub(crate) next_hart: usize,
    /// Harts a debugger holds back: bit `i` set, hart `i` does not run.
    parked: u64,
    /// What is left of `next_hart`'s slice when a debugger stopped it
    /// mid-slice: it finishes that slice first, with its LR reservation
    /// (no other hart has run in between).
    pub(crate) rest_of_slice: Option<u64>,
}

impl<P: Platform> Machine<P> {
    /// Default instructions per slice.
    pub const DEFAULT_SLICE: u64 = 20_000;

    /// A machine of `harts` harts on `memory` and `platform`, sharing `timebase`.
    pub fn new(harts: usize, memory: Memory, platform: P, timebase: Timebase) -> Self {
        Machine {
            harts: (0..harts as u64)
                .map(|id| {
                    let mut hart = Hart::with_timebase(id, timebase.clone());
                    hart.set_yield_on_spin(true);
                    hart
                })
                .collect(),
            memory,
            platform,
            timebase,
            slice: Self::DEFAULT_SLICE,
            icount_shift: 0,
            icount_remainder: 0,
            retired: 0,
            trapped: 0,
            next_hart: 0,
            parked: 0,
            rest_of_slice: None,
        }
    }

    /// With a deterministic timebase, each instruction is `2^shift` ns of
    /// virtual time (QEMU's `-icount shift=N`).
    pub fn set_icount_shift(&mut self, shift: u32) {
        self.icount_shift = shift.min(20);
    }

    /// Instructions retired by all harts so far.
    pub fn retired(&self) -> u64 {
        self.retired
    }

    /// Instructions executed by all harts so far: those retired and those
    /// that trapped instead (what [`Machine::run`]'s `limit` counts).
    pub fn executed(&self) -> u64 {
        self.retired + self.trapped
    }

    fn advance_virtual_time(&mut self, instructions: u64) {
        if self.timebase.source() != TimeSource::Deterministic {
            return;
        }
        // ns = instructions << shift; ticks = ns / 100.
        let ns = (instructions << self.icount_shift) + self.icount_remainder;
        self.timebase.advance(ns / 100);
        self.icount_remainder = ns % 100;
    }

    /// Runs until the platform stops the machine (the guest powered off or
    /// exited, the user quit), a hart stops for a debugger, or `limit`
    /// instructions (all harts together) have been executed: retired, or
    /// trapped instead ([`Machine::executed`]).
    pub fn run(&mut self, limit: Option<u64>) -> ExitReason<P::Stop> {
        loop {
            if let Some(exit) = self.run_until(limit, None) {
                return exit;
            }
        }
    }

    /// [`Machine::run`], but returns `None` once the host clock passes
    /// `deadline` (checked between rounds of slices, and never waiting past
    /// it), so that a caller such as a debugger can look at its own input.
    /// With a deadline, a machine whose harts all wait for input that can
    /// never come idles instead of reporting [`ExitReason::Deadlock`].
    pub fn run_until(
        &mut self,
        limit: Option<u64>,
        deadline: Option<Instant>,
    ) -> Option<ExitReason<P::Stop>> {
        let several = self.harts.len() > 1;
        loop {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return None;
            }
            let mut all_waiting = true;
            let first = std::mem::take(&mut self.next_hart);
            for i in first..self.harts.len() {
                if self.parked >> i & 1 != 0 {
                    continue;
                }
                let lines = self.platform.interrupt_lines(i).unwrap_or(0);
                let executed = self.executed();
                let hart = &mut self.harts[i];
                hart.set_interrupt_lines(lines);
                let slice = match self.rest_of_slice.take() {
                    Some(rest) if i == first => rest,
                    _ => self.slice,
                };
                let budget = match limit {
                    Some(limit) => slice.min(limit.saturating_sub(executed)),
                    None => slice,
                };
                let outcome = hart.run(&mut self.memory, &mut self.platform, budget);
                let rest = slice.saturating_sub(outcome.retired.max(1));
                let stopped = match outcome.stop {
                    StopReason::Debug(event) => Some(ExitReason::Debug { hart: i, event }),
                    StopReason::Hook | StopReason::Reached => Some(ExitReason::Hook { hart: i }),
                    _ => None,
                };
                if stopped.is_some() && rest > 0 {
                    // Stopped mid-slice for a debugger or a hook: the hart
                    // goes on from here when the machine runs again, before
                    // any other hart, so its reservation still stands.
                    self.next_hart = i;
                    self.rest_of_slice = Some(rest);
                    self.retired += outcome.retired;
                    self.trapped += outcome.trapped;
                    self.advance_virtual_time(outcome.retired);
                    return stopped;
                }
                if several {
                    // Switched out: another hart may store to the reserved address.
                    hart.reservation = None;
                }
                if outcome.stop != StopReason::WaitingForInterrupt {
                    all_waiting = false;
                }
                self.retired += outcome.retired;
                self.trapped += outcome.trapped;
                self.advance_virtual_time(outcome.retired);
                // A debugger hears of its stop first (a watched store to
                // a test's `tohost` included); the platform looks at it
                // after the round.
                if let Some(exit) = stopped {
                    self.next_hart = i + 1;
                    return Some(exit);
                }
                // A semihosting exit ends the machine before any other
                // hart runs on (QEMU exits at once).
                if outcome.stop == StopReason::Semihosting {
                    if let Some(exit) = self.poll_platform() {
                        self.next_hart = i + 1;
                        return Some(exit);
                    }
                }
            }
            if let Some(exit) = self.poll_platform() {
                return Some(exit);
            }
            if limit.is_some_and(|limit| self.executed() >= limit) {
                return Some(ExitReason::InstructionLimit);
            }
            // A round that started mid-way (after a debugger stop) proves
            // nothing about the harts before it.
            if all_waiting && first == 0 {
                if let Some(exit) = self.wait_for_interrupt(deadline) {
                    return Some(exit);
                }
            }
        }
    }

    /// Lets the devices make progress; the platform's stop, if any.
    fn poll_platform(&mut self) -> Option<ExitReason<P::Stop>> {
        self.platform
            .poll(&mut self.memory)
            .map(ExitReason::Platform)
    }

    // ----- debugger -----

    /// Holds hart `hart` back (`parked`) or lets it run again: a parked
    /// hart keeps its state and takes no slices, as a debugger's frozen
    /// thread. With every hart parked, the machine only lets time pass.
    pub fn set_parked(&mut self, hart: usize, parked: bool) {
        if hart < self.harts.len() && hart < 64 {
            self.parked = (self.parked & !(1 << hart)) | (u64::from(parked) << hart);
        }
    }

    /// Whether hart `hart` is held back (see [`Machine::set_parked`]).
    pub fn is_parked(&self, hart: usize) -> bool {
        hart < 64 && self.parked >> hart & 1 != 0
    }

    /// Sets a debugger breakpoint on every hart (see [`Hart::insert_breakpoint`]).
    pub fn insert_breakpoint(&mut self, addr: u64) -> bool {
        self.harts
            .iter_mut()
            .fold(false, |any, h| h.insert_breakpoint(addr) | any)
    }

    /// Removes a debugger breakpoint from every hart.
    pub fn remove_breakpoint(&mut self, addr: u64) -> bool {
        self.harts
            .iter_mut()
            .fold(false, |any, h| h.remove_breakpoint(addr) | any)
    }

    /// Sets a debugger watchpoint on every hart (see [`Hart::insert_watchpoint`]).
    pub fn insert_watchpoint(&mut self, watchpoint: Watchpoint) -> bool {
        self.harts
            .iter_mut()
            .fold(false, |any, h| h.insert_watchpoint(watchpoint) | any)
    }

    /// Removes a debugger watchpoint from every hart.
    pub fn remove_watchpoint(&mut self, watchpoint: Watchpoint) -> bool {
        self.harts
            .iter_mut()
            .fold(false, |any, h| h.remove_watchpoint(watchpoint) | any)
    }

    /// Single-steps hart `hart` as a debugger does ([`Hart::debug_step`]);
    /// the other harts stay where they are. Returns how the machine ended
    /// if that instruction ended it (the platform's stop, such as a poweroff).
    pub fn step_hart(&mut self, hart: usize) -> Option<ExitReason<P::Stop>> {
        let lines = self.platform.interrupt_lines(hart).unwrap_or(0);
        let h = self.harts.get_mut(hart)?;
        h.set_interrupt_lines(lines);
        let outcome = h.debug_step(&mut self.memory, &mut self.platform);
        self.retired += outcome.retired;
        self.trapped += outcome.trapped;
        self.advance_virtual_time(outcome.retired);
        // The stepped hart's store may hit others' reservations; and the
        // round no longer resumes a stopped slice.
        for (i, other) in self.harts.iter_mut().enumerate() {
            if i != hart {
                other.reservation = None;
            }
        }
        self.rest_of_slice = None;
        if let StopReason::Debug(event) = outcome.stop {
            return Some(ExitReason::Debug { hart, event });
        }
        self.poll_platform()
    }

    /// Every hart waits: sleep (or, deterministically, jump) to the next
    /// deadline, unless an interrupt is already pending; never past the
    /// caller's `until`.
    fn wait_for_interrupt(&mut self, until: Option<Instant>) -> Option<ExitReason<P::Stop>> {
        let cap = until.map(|u| u.saturating_duration_since(Instant::now()));
        for (i, hart) in self.harts.iter_mut().enumerate() {
            if self.parked >> i & 1 != 0 {
                continue;
            }
            hart.set_interrupt_lines(self.platform.interrupt_lines(i).unwrap_or(0));
            if hart.csr.pending_enabled() != 0 {
                return None;
            }
        }
        // A parked hart's timer wakes nobody who runs. (The CLINT reports
        // one deadline for all harts, so a parked hart's mtimecmp can still
        // end a wait early: the round then simply runs again.)
        let parked = self.parked;
        let sstc = self
            .harts
            .iter()
            .enumerate()
            .filter(|(i, _)| parked >> i & 1 == 0)
            .filter_map(|(_, h)| h.sstc_deadline());
        let deadline = self.platform.next_deadline().into_iter().chain(sstc).min();
        match (self.timebase.source(), deadline) {
            (TimeSource::Deterministic, Some(deadline)) => {
                let now = self.timebase.now();
                if deadline > now {
                    self.timebase.advance(deadline - now);
                }
                // Outside input may still arrive: give the platform a look.
                let _ = self.platform.wait(Some(Duration::ZERO));
                None
            }
            (TimeSource::HostClock, Some(deadline)) => {
                let timeout = self.timebase.duration_until(deadline);
                let timeout = cap.map_or(timeout, |cap| timeout.min(cap));
                if !timeout.is_zero() {
                    let _ = self.platform.wait(Some(timeout));
                }
                None
            }
            (_, None) => {
                // Only outside input can wake a hart now.
                if self.platform.wait(cap) {
                    None
                } else if let Some(cap) = cap {
                    // No input can come, but the caller (a debugger) may
                    // still stop the machine: idle until its deadline.
                    std::thread::sleep(cap);
                    None
                } else {
                    Some(ExitReason::Deadlock)
                }
            }
        }
    }
}
