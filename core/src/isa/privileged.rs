//! The privileged instructions: `mret`, `sret`, `wfi` and `sfence.vma`.

use crate::csr::Privilege;
use crate::hart::{Env, Hart};
use crate::isa::{op, Insn, Next, Opcode};

/// MRET: illegal below M-mode; otherwise returns from an M-mode trap
/// (see [`Hart::return_from_trap`]).
fn mret(h: &mut Hart, env: &mut Env<'_>, _: Insn, pc: u64, _: u64) -> Next {
    if h.prv < Privilege::Machine {
        return h.illegal(env, pc);
    }
    let target = h.return_from_trap(Privilege::Machine);
    h.exit_to(target)
}

/// SRET: illegal in U-mode and, with `mstatus.TSR`, in S-mode; otherwise
/// returns from an S-mode trap (see [`Hart::return_from_trap`]).
fn sret(h: &mut Hart, env: &mut Env<'_>, _: Insn, pc: u64, _: u64) -> Next {
    if h.prv < Privilege::Supervisor || (h.prv == Privilege::Supervisor && h.csr.mstatus.tsr()) {
        return h.illegal(env, pc);
    }
    let target = h.return_from_trap(Privilege::Supervisor);
    h.exit_to(target)
}

/// WFI: in U-mode (S-mode exists) it is illegal, in S-mode with `mstatus.TW`
/// set too. Otherwise the hart waits until an interrupt is pending, even if
/// interrupts are globally disabled; the machine sleeps the host meanwhile.
fn wfi(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if h.prv == Privilege::User || (h.prv == Privilege::Supervisor && h.csr.mstatus.tw()) {
        return h.illegal(env, pc);
    }
    if h.csr.pending_enabled() == 0 {
        h.waiting = true;
    }
    h.exit_to(i.next_pc(pc))
}

/// SFENCE.VMA: illegal in U-mode and, with `mstatus.TVM`, in S-mode.
/// The TLB is flushed whole whatever the operands: a software TLB of 4 KiB
/// pieces cannot tell which pieces a superpage entry produced, and flushing
/// more than asked is always correct.
fn sfence_vma(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if h.prv == Privilege::User || (h.prv == Privilege::Supervisor && h.csr.mstatus.tvm()) {
        return h.illegal(env, pc);
    }
    h.tlb.flush();
    h.exit_to(i.next_pc(pc))
}

pub(crate) static OPCODES: &[Opcode] = &[
    op!("sret", 0xffff_ffff, 0x1020_0073, Bare, sret),
    op!("mret", 0xffff_ffff, 0x3020_0073, Bare, mret),
    op!("wfi", 0xffff_ffff, 0x1050_0073, Bare, wfi),
    op!(
        "sfence.vma",
        0xfe00_7fff,
        0x1200_0073,
        SfenceVma,
        sfence_vma
    ),
];
