//! Hooks: an embedding program's callbacks on what a hart does.
//!
//! A teaching tool, a tracer or a test can watch a hart at four points,
//! and at each one let it go on, skip, or stop the run:
//!
//! | hook | called | [`HookAction::Skip`] | [`HookAction::Stop`] |
//! |---|---|---|---|
//! | [`Hart::set_instruction_hook`] | before each instruction | it is not executed; the hart goes on with the next one in sequence | before it |
//! | [`Hart::set_block_hook`] | before the first instruction of each block (see below) | as for the instruction hook, for that first instruction | before it |
//! | [`Hart::set_memory_hook`] | after each data access (a load, a store; an AMO is both) | — (the access happened: as `Continue`) | after the instruction |
//! | [`Hart::set_trap_hook`] | before a trap is taken (an exception or an interrupt) | it is not taken: the hart goes on at its `pc` (the faulting instruction, unless the hook moved it: a hook that emulates `ecall` sets it past the `ecall`) | before the trap is taken |
//!
//! A *block* is a straight-line stretch of execution: it starts at the
//! first instruction a run executes, and wherever execution does not go
//! on with the next instruction in sequence (a jump, a branch taken, a
//! trap, an `xRET`). A conditional branch not taken stays in its block.
//!
//! A stop ends [`Hart::run`] with [`StopReason::Hook`]. Skipped
//! instructions count against the run's budget but do not retire.
//!
//! # Cost
//!
//! None while no hook is set: the hooks are checked only on the paths the
//! debugger's breakpoints and watchpoints already use (see
//! [`crate::debug`]). While an instruction, block or memory hook is set,
//! every instruction runs one at a time, outside the decode cache's runs,
//! and every data access takes the slow path past the TLB: expect a
//! tenth of full speed or less. A trap hook costs nothing until a trap.
//!
//! ```
//! use rivet_core::hooks::HookAction;
//! use rivet_core::{bus::EmptyBus, Hart, Memory, PhysAddr};
//!
//! let mut mem = Memory::new(PhysAddr::new(0x8000_0000), 0x1000).unwrap();
//! // addi a0, zero, 1; addi a0, a0, 1; jal zero, -4 (a loop of one)
//! for (i, word) in [0x0010_0513u32, 0x0015_0513, 0xffdf_f06f].iter().enumerate() {
//!     mem.write_u32(PhysAddr::new(0x8000_0000 + 4 * i as u64), *word).unwrap();
//! }
//! let mut hart = Hart::new(0);
//! hart.set_pc(0x8000_0000);
//! let mut seen = Vec::new();
//! hart.set_instruction_hook(move |hart, _, event| {
//!     seen.push(event.pc);
//!     // Stop when the loop has gone round three times.
//!     if hart.x(rivet_core::XReg::A0) == 4 {
//!         HookAction::Stop
//!     } else {
//!         HookAction::Continue
//!     }
//! });
//! let outcome = hart.run(&mut mem, &mut EmptyBus, 1000);
//! assert_eq!(outcome.stop, rivet_core::StopReason::Hook);
//! assert_eq!(outcome.retired, 6);
//! ```

use crate::addr::PhysAddr;
use crate::hart::{Env, Hart, StopReason};
use crate::memory::Memory;
use crate::trap::{Cause, TrapEvent};

/// What a hook asks of the run (see the [module](self) for what each one
/// means at each hook).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HookAction {
    /// Go on as if there were no hook.
    #[default]
    Continue,
    /// Skip the instruction or the trap the hook was called for.
    Skip,
    /// End the run ([`StopReason::Hook`]).
    Stop,
}

/// An instruction about to be executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstructionEvent {
    /// Its virtual address.
    pub pc: u64,
    /// Its bits: a 32-bit instruction, or a 16-bit one in the low half.
    pub bits: u32,
}

impl InstructionEvent {
    /// Its length in bytes: 2 (compressed) or 4.
    pub fn length(&self) -> u64 {
        crate::isa::instruction_length(crate::bits::low_u16(self.bits)) as u64
    }

    /// Its text, as objdump prints it (see [`crate::disassemble`]).
    pub fn disassembly(&self) -> String {
        crate::disassemble(self.bits, self.pc)
    }
}

/// The kind of a data access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccessKind {
    /// A load (`lw`, `fld`, `lr.d`, the read of an AMO, ...).
    Load,
    /// A store (`sd`, `fsw`, a successful `sc.w`, the write of an AMO, ...).
    Store,
}

/// A data access the hart made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemoryAccess {
    /// The kind of access.
    pub kind: AccessKind,
    /// The virtual address (the first byte).
    pub vaddr: u64,
    /// The physical address (of the first byte; a misaligned access
    /// that crosses a page may continue in another physical page).
    pub paddr: PhysAddr,
    /// Its size in bytes (1, 2, 4 or 8).
    pub size: u64,
    /// The value loaded or stored (zero-extended).
    pub value: u64,
}

impl MemoryAccess {
    /// An access of `size` bytes of `kind` at `vaddr` (physical `paddr`)
    /// that loaded or stored `value`.
    pub fn new(kind: AccessKind, vaddr: u64, paddr: PhysAddr, size: u64, value: u64) -> Self {
        MemoryAccess {
            kind,
            vaddr,
            paddr,
            size,
            value,
        }
    }
}

/// What the hooks decided at an instruction, when it is not to go on.
pub(crate) enum Verdict {
    /// Skip the instruction, `len` bytes long.
    Skip {
        /// Its length.
        len: u64,
    },
    /// End the run before it.
    Stop(StopReason),
}

/// An instruction hook: called with the hart (its `pc` is the
/// instruction's), its RAM and the instruction.
pub type InstructionHook =
    Box<dyn FnMut(&mut Hart, &mut Memory, &InstructionEvent) -> HookAction + Send>;
/// A block hook: called with the hart, its RAM and the block's first
/// instruction.
pub type BlockHook = InstructionHook;
/// A memory hook: called with the hart (mid-instruction, so read-only)
/// and the access.
pub type MemoryHook = Box<dyn FnMut(&Hart, &MemoryAccess) -> HookAction + Send>;
/// A trap hook: called with the hart (as it was when the trap arose: its
/// `pc` is the trap's `epc`), its RAM and the trap about to be taken.
pub type TrapHook = Box<dyn FnMut(&mut Hart, &mut Memory, &TrapEvent) -> HookAction + Send>;

/// The hooks of a hart, and their bookkeeping.
#[derive(Default)]
pub(crate) struct Hooks {
    pub(crate) instruction: Option<InstructionHook>,
    pub(crate) block: Option<BlockHook>,
    pub(crate) memory: Option<MemoryHook>,
    pub(crate) trap: Option<TrapHook>,
    /// The `pc` that continues the current block (the one after the last
    /// instruction run while a block hook was set).
    pub(crate) block_goes_on_at: Option<u64>,
    /// A memory hook asked to stop after the current instruction.
    pub(crate) stop_after_instruction: bool,
    /// A trap raised while a trap hook is set, waiting for the run loop to
    /// call the hook: its cause, value and `epc`.
    pub(crate) pending_trap: Option<(Cause, u64, u64)>,
    /// Stop before executing this address ([`Hart::run_to`]).
    pub(crate) run_to: Option<u64>,
}

impl Hooks {
    /// Whether some instructions must run one at a time, checked.
    pub(crate) fn exec_armed(&self) -> bool {
        self.every_instruction() || self.run_to.is_some()
    }

    /// Whether every instruction must run one at a time (a memory hook's
    /// stop comes after its instruction).
    fn every_instruction(&self) -> bool {
        self.instruction.is_some() || self.block.is_some() || self.memory.is_some()
    }

    /// Whether the code page at `page` must run one instruction at a time.
    pub(crate) fn watch_code_page(&self, page: u64) -> bool {
        self.every_instruction() || self.run_to.is_some_and(|pc| pc & !0xfff == page)
    }
}

impl Hart {
    /// Calls `hook` before every instruction (see [`crate::hooks`]).
    /// Replaces an instruction hook set before.
    pub fn set_instruction_hook(
        &mut self,
        hook: impl FnMut(&mut Hart, &mut Memory, &InstructionEvent) -> HookAction + Send + 'static,
    ) {
        self.hooks.instruction = Some(Box::new(hook));
        self.hooks_changed();
    }

    /// Calls `hook` before the first instruction of every block (see
    /// [`crate::hooks`]). Replaces a block hook set before.
    pub fn set_block_hook(
        &mut self,
        hook: impl FnMut(&mut Hart, &mut Memory, &InstructionEvent) -> HookAction + Send + 'static,
    ) {
        self.hooks.block = Some(Box::new(hook));
        self.hooks.block_goes_on_at = None;
        self.hooks_changed();
    }

    /// Calls `hook` after every data access (see [`crate::hooks`]).
    /// Replaces a memory hook set before.
    pub fn set_memory_hook(
        &mut self,
        hook: impl FnMut(&Hart, &MemoryAccess) -> HookAction + Send + 'static,
    ) {
        self.hooks.memory = Some(Box::new(hook));
        self.hooks_changed();
    }

    /// Calls `hook` before every trap is taken (see [`crate::hooks`]).
    /// Replaces a trap hook set before.
    pub fn set_trap_hook(
        &mut self,
        hook: impl FnMut(&mut Hart, &mut Memory, &TrapEvent) -> HookAction + Send + 'static,
    ) {
        self.hooks.trap = Some(Box::new(hook));
    }

    /// Removes the instruction hook.
    pub fn clear_instruction_hook(&mut self) {
        self.hooks.instruction = None;
        self.hooks_changed();
    }

    /// Removes the block hook.
    pub fn clear_block_hook(&mut self) {
        self.hooks.block = None;
        self.hooks_changed();
    }

    /// Removes the memory hook.
    pub fn clear_memory_hook(&mut self) {
        self.hooks.memory = None;
        self.hooks_changed();
    }

    /// Removes the trap hook.
    pub fn clear_trap_hook(&mut self) {
        self.hooks.trap = None;
    }

    /// Runs like [`Hart::run`], and also stops ([`StopReason::Reached`])
    /// when the hart is about to execute the instruction at virtual
    /// address `pc` — not counting the first instruction of the run, so
    /// that running to the head of a loop from its head goes round once.
    pub fn run_to(
        &mut self,
        mem: &mut Memory,
        bus: &mut dyn crate::bus::Bus,
        pc: u64,
        budget: u64,
    ) -> crate::hart::RunOutcome {
        self.hooks.run_to = Some(pc);
        self.hooks_changed();
        let outcome = self.run(mem, bus, budget);
        self.hooks.run_to = None;
        self.hooks_changed();
        outcome
    }

    /// Keeps the translations that would bypass the hooks out of the TLB.
    fn hooks_changed(&mut self) {
        self.tlb.flush();
        self.refresh_debug_arming();
    }

    /// The hooks at the instruction about to run at `pc` (`spent`
    /// instructions into the run): the run-to address, then the block hook
    /// and the instruction hook. `None` to go on. An instruction whose
    /// fetch faults shows no hook anything: the run loop's fetch takes the
    /// fault.
    #[cold]
    pub(crate) fn instruction_hooks(
        &mut self,
        env: &mut Env<'_>,
        pc: u64,
        spent: u64,
    ) -> Option<Verdict> {
        if self.hooks.run_to == Some(pc) && spent > 0 {
            return Some(Verdict::Stop(StopReason::Reached));
        }
        if !self.hooks.every_instruction() {
            return None;
        }
        let bits = self.fetch_bits(env, pc).ok()?;
        let event = InstructionEvent { pc, bits };
        let verdict = |action| match action {
            HookAction::Skip => Some(Verdict::Skip {
                len: event.length(),
            }),
            HookAction::Stop => Some(Verdict::Stop(StopReason::Hook)),
            HookAction::Continue => None,
        };
        let in_block = self.hooks.block_goes_on_at == Some(pc);
        self.hooks.block_goes_on_at = Some(pc.wrapping_add(event.length()));
        if !in_block {
            if let Some(mut hook) = self.hooks.block.take() {
                let action = hook(self, env.mem, &event);
                self.hooks.block.get_or_insert(hook);
                if let Some(verdict) = verdict(action) {
                    return Some(verdict);
                }
            }
        }
        let mut hook = self.hooks.instruction.take()?;
        let action = hook(self, env.mem, &event);
        self.hooks.instruction.get_or_insert(hook);
        verdict(action)
    }

    /// Reports a data access to the memory hook, if one is set.
    #[inline]
    pub(crate) fn accessed(
        &mut self,
        kind: AccessKind,
        vaddr: u64,
        paddr: u64,
        size: u64,
        value: u64,
    ) {
        if self.hooks.memory.is_some() {
            self.call_memory_hook(MemoryAccess {
                kind,
                vaddr,
                paddr: PhysAddr::new(paddr),
                size,
                value,
            });
        }
    }

    #[cold]
    fn call_memory_hook(&mut self, access: MemoryAccess) {
        if let Some(mut hook) = self.hooks.memory.take() {
            if hook(self, &access) == HookAction::Stop {
                self.hooks.stop_after_instruction = true;
            }
            self.hooks.memory.get_or_insert(hook);
        }
    }

    /// Defers a trap to the trap hook, if one is set: returns `true` (the
    /// trap is left pending, the `pc` set to `epc`) if so.
    #[inline]
    pub(crate) fn defer_trap(&mut self, cause: Cause, tval: u64, epc: u64) -> bool {
        if self.hooks.trap.is_none() || self.hooks.pending_trap.is_some() {
            return false;
        }
        self.hooks.pending_trap = Some((cause, tval, epc));
        self.pc = epc;
        true
    }

    /// Calls the trap hook on the pending trap, if any, and takes the trap
    /// unless it says otherwise. `Some` when the run must stop.
    #[cold]
    pub(crate) fn deliver_pending_trap(&mut self, mem: &mut Memory) -> Option<StopReason> {
        let (cause, tval, epc) = self.hooks.pending_trap?;
        let event = self.trap_event(cause, tval, epc);
        let action = match self.hooks.trap.take() {
            Some(mut hook) => {
                let action = hook(self, mem, &event);
                self.hooks.trap.get_or_insert(hook);
                action
            }
            None => HookAction::Continue,
        };
        // Taken with the pending mark still set, so that it is not deferred again.
        if action == HookAction::Continue {
            self.take_trap(cause, tval, epc);
        } else {
            // Not taken: what raised it did not retire either.
            self.run_traps += 1;
        }
        self.hooks.pending_trap = None;
        (action == HookAction::Stop).then_some(StopReason::Hook)
    }
}
