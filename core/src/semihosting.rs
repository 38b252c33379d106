//! Semihosting: the RISC-V semihosting trap sequence, recognised by the
//! hart and answered by the platform.
//!
//! The RISC-V semihosting specification (riscv-non-isa/riscv-semihosting)
//! marks a call to the host with three uncompressed instructions in one
//! page:
//!
//! ```text
//! slli x0, x0, 0x1f    # 0x01f01013, entry marker
//! ebreak               # 0x00100073
//! srai x0, x0, 7       # 0x40705013, exit marker
//! ```
//!
//! with the operation number in `a0` and a pointer to its parameter block
//! (or the parameter itself) in `a1`; the result comes back in `a0`. The
//! operations are those of Arm's semihosting specification, RV64 taking
//! the 64-bit (AArch64) forms. When semihosting is enabled
//! ([`Hart::set_semihosting`]) and an `ebreak` stands between the two
//! markers, the hart does not raise a breakpoint exception: it hands the
//! call to the platform ([`Bus::semihosting`]) and goes on after the
//! `ebreak` (the `srai` is a no-op). Otherwise `ebreak` is a breakpoint as
//! always. As in QEMU, the markers must lie in the `ebreak`'s page, a
//! compressed `c.ebreak` never counts, and calls from U-mode are answered
//! only when the platform allows them (QEMU's `userspace=on`). A
//! debugger's breakpoint on the `ebreak` stops the hart before it runs, so
//! it still wins.
//!
//! The `ebreak` handler is not on the interpreter's inline fast path, so
//! this costs nothing until an `ebreak` executes.
//!
//! [`Bus::semihosting`]: crate::Bus::semihosting

use crate::bus::{Bus, EmptyBus};
use crate::csr::Privilege;
use crate::hart::{Env, Hart};
use crate::isa::Next;
use crate::memory::Memory;
use crate::reg::XReg;

/// `slli x0, x0, 0x1f`: the entry marker before the `ebreak`.
pub const ENTRY_MARKER: u32 = 0x01f0_1013;
/// `ebreak` (uncompressed).
pub const EBREAK: u32 = 0x0010_0073;
/// `srai x0, x0, 7`: the exit marker after the `ebreak`.
pub const EXIT_MARKER: u32 = 0x4070_5013;

/// Whether a hart answers semihosting calls, and from which modes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SemihostingGate {
    /// Calls from M- and S-mode are answered.
    pub enabled: bool,
    /// Calls from U-mode are answered too (QEMU's `userspace=on`; off by
    /// default, so that a user program cannot reach the host's files).
    pub userspace: bool,
}

impl SemihostingGate {
    /// Whether a call made in `prv` is answered.
    pub fn answers(self, prv: Privilege) -> bool {
        self.enabled && (prv != Privilege::User || self.userspace)
    }
}

/// What the platform made of a semihosting call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemihostingOutcome {
    /// The call is done: `a0` gets this value and the hart goes on after
    /// the `ebreak`.
    Return(u64),
    /// The call ended the program (`SYS_EXIT`): the hart goes past the
    /// `ebreak` and ends its run ([`crate::StopReason::Semihosting`]); the
    /// platform's next poll says how the machine stops.
    Stop,
    /// The call cannot complete yet (console input not there): the hart
    /// stays at the `ebreak`, ends its run so that the devices get a turn,
    /// and makes the call again when it runs next.
    Retry,
}

impl Hart {
    /// Enables or disables semihosting calls on this hart (see the
    /// [module](self)). Off by default.
    pub fn set_semihosting(&mut self, gate: SemihostingGate) {
        self.semihosting = gate;
    }

    /// Whether this hart answers semihosting calls, and from which modes.
    pub fn semihosting(&self) -> SemihostingGate {
        self.semihosting
    }

    /// The operation number of a semihosting call (`a0`).
    pub fn semihosting_operation(&self) -> u64 {
        self.x(XReg::A0)
    }

    /// The parameter of a semihosting call (`a1`): a pointer to its block,
    /// or the value itself.
    pub fn semihosting_parameter(&self) -> u64 {
        self.x(XReg::A1)
    }

    /// Reads guest memory at virtual address `vaddr` as this hart sees it
    /// now (its translation and PMP, setting no accessed or dirty bits, as
    /// QEMU's semihosting reads), RAM only. `false` unless every byte
    /// could be read.
    pub fn semihosting_read(&self, mem: &Memory, vaddr: u64, buf: &mut [u8]) -> bool {
        self.debug_read(mem, &EmptyBus, vaddr, buf) == buf.len()
    }

    /// Writes guest memory at virtual address `vaddr` as
    /// [`Hart::semihosting_read`] reads it. `false` unless every byte was
    /// written (bytes before a failing one may have been).
    pub fn semihosting_write(&self, mem: &mut Memory, vaddr: u64, data: &[u8]) -> bool {
        self.debug_write(mem, vaddr, data) == data.len()
    }
}

/// The `ebreak` at `pc`, `len` bytes long: if it is a semihosting call
/// this hart answers, makes it and says where execution goes on; `None`
/// for a plain breakpoint.
pub(crate) fn call(h: &mut Hart, env: &mut Env<'_>, pc: u64, len: u8) -> Option<Next> {
    if len != 4 || !h.semihosting.answers(h.prv) {
        return None;
    }
    let (before, after) = (pc.wrapping_sub(4), pc.wrapping_add(4));
    if before & !0xfff != after & !0xfff {
        return None;
    }
    // The markers are in the ebreak's page, which was just fetched: their
    // fetch cannot fault for translation or PMP reasons.
    if h.fetch_bits(env, before).ok()? != ENTRY_MARKER
        || h.fetch_bits(env, after).ok()? != EXIT_MARKER
    {
        return None;
    }
    let bus: &mut dyn Bus = &mut *env.bus;
    let outcome = bus.semihosting(h, env.mem)?;
    match outcome {
        SemihostingOutcome::Return(value) => {
            h.set_x(XReg::A0, value);
            h.pc = after;
        }
        SemihostingOutcome::Stop => {
            h.pc = after;
            h.semihosting_stop = true;
        }
        SemihostingOutcome::Retry => {
            h.pc = pc;
            h.semihosting_stop = true;
            // It did not retire: it runs again.
            h.run_traps += 1;
        }
    }
    // Leave the run loop: the call may have written guest memory (code
    // included) and the run may have to end.
    Some(Next::EXIT)
}
