//! Traps: exceptions and interrupts, numbered as the privileged
//! architecture's `mcause` table numbers them; trap entry (`take_trap`),
//! the choice of the interrupt to take (`pending_interrupt`), and the
//! return from a trap (`mret`, `sret`: `return_from_trap`). Both directions
//! go through the CSR types of [`crate::csr`]: [`crate::csr::mstatus::Mstatus`]
//! pushes and pops the trap stack, [`crate::csr::trap_csrs::Xtvec`] finds
//! the handler.
//!
//! A trap is architecture, not an error: the hart delivers it to the guest,
//! and an embedding program can watch it happen through [`TrapEvent`].

use std::fmt;

use crate::csr::Privilege;
use crate::hart::Hart;

/// A synchronous exception (`mcause` with the interrupt bit clear).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Exception {
    /// Instruction address misaligned.
    InstructionAddressMisaligned = 0,
    /// Instruction access fault.
    InstructionAccessFault = 1,
    /// Illegal instruction.
    IllegalInstruction = 2,
    /// Breakpoint (`ebreak`).
    Breakpoint = 3,
    /// Load address misaligned.
    LoadAddressMisaligned = 4,
    /// Load access fault.
    LoadAccessFault = 5,
    /// Store/AMO address misaligned.
    StoreAddressMisaligned = 6,
    /// Store/AMO access fault.
    StoreAccessFault = 7,
    /// Environment call from U-mode.
    EnvCallFromU = 8,
    /// Environment call from S-mode.
    EnvCallFromS = 9,
    /// Environment call from M-mode.
    EnvCallFromM = 11,
    /// Instruction page fault.
    InstructionPageFault = 12,
    /// Load page fault.
    LoadPageFault = 13,
    /// Store/AMO page fault.
    StorePageFault = 15,
}

impl Exception {
    /// The exception code written to `xcause`.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The environment call exception raised by `ecall` in privilege mode `p`.
    pub const fn env_call_from(p: Privilege) -> Exception {
        match p {
            Privilege::User => Exception::EnvCallFromU,
            Privilege::Supervisor => Exception::EnvCallFromS,
            Privilege::Machine => Exception::EnvCallFromM,
        }
    }
}

/// An interrupt (`mcause` with the interrupt bit set); the value is the bit
/// in `mip`/`mie`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Interrupt {
    /// Supervisor software interrupt.
    SupervisorSoftware = 1,
    /// Machine software interrupt.
    MachineSoftware = 3,
    /// Supervisor timer interrupt.
    SupervisorTimer = 5,
    /// Machine timer interrupt.
    MachineTimer = 7,
    /// Supervisor external interrupt.
    SupervisorExternal = 9,
    /// Machine external interrupt.
    MachineExternal = 11,
}

impl Interrupt {
    /// The interrupt code written to `xcause` (without the interrupt bit).
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The interrupt's bit in `mip` and `mie`.
    pub const fn mask(self) -> u64 {
        1 << self as u64
    }

    /// The order in which simultaneously pending interrupts are taken,
    /// highest priority first (privileged spec, "Machine Interrupt
    /// Registers"): MEI, MSI, MTI, SEI, SSI, STI.
    pub const PRIORITY: [Interrupt; 6] = [
        Interrupt::MachineExternal,
        Interrupt::MachineSoftware,
        Interrupt::MachineTimer,
        Interrupt::SupervisorExternal,
        Interrupt::SupervisorSoftware,
        Interrupt::SupervisorTimer,
    ];
}

/// What caused a trap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cause {
    /// A synchronous exception.
    Exception(Exception),
    /// An asynchronous interrupt.
    Interrupt(Interrupt),
}

impl Cause {
    /// The value written to `xcause`: the code, with bit 63 set for interrupts.
    pub const fn xcause(self) -> u64 {
        match self {
            Cause::Exception(e) => e.code(),
            Cause::Interrupt(i) => (1 << 63) | i.code(),
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Exception(e) => write!(f, "{e:?}"),
            Cause::Interrupt(i) => write!(f, "{i:?} interrupt"),
        }
    }
}

/// A trap as the hart took it: what an embedding program observes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrapEvent {
    /// What caused it.
    pub cause: Cause,
    /// The value written to `xtval`.
    pub tval: u64,
    /// The `pc` of the interrupted or faulting instruction (`xepc`).
    pub epc: u64,
    /// The privilege mode the hart was in.
    pub from: Privilege,
    /// The privilege mode that handles the trap.
    pub to: Privilege,
    /// Where the handler starts (from `xtvec`).
    pub handler: u64,
}

/// An exception with its trap value, as raised by an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The exception.
    pub exception: Exception,
    /// The value for `xtval` (faulting address, instruction bits, or 0).
    pub tval: u64,
}

impl Fault {
    /// A fault of kind `exception` with trap value `tval`.
    pub const fn new(exception: Exception, tval: u64) -> Self {
        Fault { exception, tval }
    }
}

impl Hart {
    /// Takes a trap: chooses M or S (delegation), updates that mode's trap
    /// CSRs and `mstatus`, and jumps to its `xtvec` (privileged spec,
    /// "Machine Trap Delegation Registers" and "Machine Status Register").
    /// `epc` is the address of the faulting (or interrupted) instruction.
    ///
    /// A breakpoint exception raised for a debugger's watchpoint is not a
    /// trap: it stops the run before the instruction (see
    /// [`crate::debug`]). The trap hook, if any, sees every trap taken.
    pub(crate) fn take_trap(&mut self, cause: Cause, tval: u64, epc: u64) {
        if let Some(event) = self.debug.watch_hit.take() {
            if cause == Cause::Exception(Exception::Breakpoint) {
                // Not a trap: a debugger watchpoint abandoned the
                // instruction before its access (see `crate::debug`).
                self.pc = epc;
                self.run_traps += 1;
                self.stopped_on_trap = true;
                self.debug.stop = Some(event);
                return;
            }
        }
        if self.defer_trap(cause, tval, epc) {
            // The run loop calls the trap hook, which decides (see
            // `crate::hooks`).
            return;
        }
        let from = self.prv;
        let to_supervisor = self.trap_goes_to_supervisor(cause);
        let c = &mut self.csr;
        let (to, tvec) = if to_supervisor {
            c.scause.set(cause);
            c.sepc.write(epc);
            c.stval.write(tval);
            c.mstatus.push_supervisor(from);
            (Privilege::Supervisor, c.stvec)
        } else {
            c.mcause.set(cause);
            c.mepc.write(epc);
            c.mtval.write(tval);
            c.mstatus.push_machine(from);
            (Privilege::Machine, c.mtvec)
        };
        c.triggers.on_trap(
            to == Privilege::Machine,
            cause == Cause::Exception(Exception::Breakpoint),
        );
        let handler = tvec.handler(cause);
        match cause {
            Cause::Interrupt(i) => self.interrupts_taken[crate::bits::to_usize(i.code())] += 1,
            Cause::Exception(_) => self.exceptions_taken += 1,
        }
        self.pc = handler;
        self.reservation = None;
        self.waiting = false;
        self.run_traps += 1;
        self.prv = to;
        self.refresh_tlb_context();
        let event = TrapEvent {
            cause,
            tval,
            epc,
            from,
            to,
            handler,
        };
        self.last_trap = Some(event);
        if self.stop_on_trap {
            self.stopped_on_trap = true;
        }
    }

    /// Whether a trap of `cause` taken now goes to S-mode: delegated by
    /// `medeleg`/`mideleg`, and not raised in M-mode (traps never go to a
    /// less privileged mode: in M-mode even a delegated trap is taken in M).
    fn trap_goes_to_supervisor(&self, cause: Cause) -> bool {
        let delegated = match cause {
            Cause::Exception(e) => self.csr.medeleg.delegates(e),
            Cause::Interrupt(i) => self.csr.mideleg.delegates(i),
        };
        delegated && self.prv != Privilege::Machine
    }

    /// The trap that [`Hart::take_trap`] would take now, without taking
    /// it (what the trap hook is shown).
    pub(crate) fn trap_event(&self, cause: Cause, tval: u64, epc: u64) -> TrapEvent {
        let (to, tvec) = if self.trap_goes_to_supervisor(cause) {
            (Privilege::Supervisor, self.csr.stvec)
        } else {
            (Privilege::Machine, self.csr.mtvec)
        };
        TrapEvent {
            cause,
            tval,
            epc,
            from: self.prv,
            to,
            handler: tvec.handler(cause),
        }
    }

    /// The interrupt to take now, if any: pending (`mip & mie`), enabled
    /// for the mode it goes to (an M-level one when below M or with
    /// `mstatus.MIE`; a delegated one below S, or in S with `mstatus.SIE`),
    /// in the spec's priority order ([`Interrupt::PRIORITY`]).
    #[inline]
    pub(crate) fn pending_interrupt(&self) -> Option<Interrupt> {
        let pending = self.csr.pending_enabled();
        if pending == 0 {
            return None;
        }
        let status = self.csr.mstatus;
        let m_enabled = self.prv < Privilege::Machine || status.mie();
        let s_enabled =
            self.prv < Privilege::Supervisor || (self.prv == Privilege::Supervisor && status.sie());
        let mideleg = self.csr.mideleg.read();
        let m_pending = if m_enabled { pending & !mideleg } else { 0 };
        let s_pending = if s_enabled { pending & mideleg } else { 0 };
        let take = if m_pending != 0 { m_pending } else { s_pending };
        Interrupt::PRIORITY
            .into_iter()
            .find(|i| take & i.mask() != 0)
    }

    /// `mret` (`from` = M) or `sret` (`from` = S), once the instruction is
    /// known to be legal: pops `from`'s trap stack in `mstatus` (and, for
    /// `mret`, `tcontrol`'s), goes to the mode it names, and returns the
    /// `pc` to go on at (`xepc`).
    pub(crate) fn return_from_trap(&mut self, from: Privilege) -> u64 {
        let (to, pc) = if from == Privilege::Machine {
            let to = self.csr.mstatus.pop_machine();
            self.csr.triggers.on_mret(); // tcontrol.MTE = MPTE
            (to, self.csr.mepc.read())
        } else {
            (self.csr.mstatus.pop_supervisor(), self.csr.sepc.read())
        };
        self.prv = to;
        self.refresh_tlb_context();
        pc
    }
}
