//! Exceptions and interrupts, numbered as the privileged architecture's
//! `mcause` table numbers them.
//!
//! A trap is architecture, not an error: the hart delivers it to the guest
//! (see `Hart::take_trap`), and an embedding program can watch it happen
//! through [`TrapEvent`].

use std::fmt;

use crate::csr::Privilege;

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
