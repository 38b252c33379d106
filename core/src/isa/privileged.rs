//! The privileged instructions: `mret`, `sret`, `wfi` and `sfence.vma`.

use crate::csr::{mstatus, Privilege};
use crate::hart::{Env, Hart};
use crate::isa::{op, Insn, Next, Opcode};

fn mret(h: &mut Hart, env: &mut Env<'_>, _: Insn, pc: u64, _: u64) -> Next {
    if h.prv < Privilege::Machine {
        return h.illegal(env, pc);
    }
    let s = h.csr.mstatus;
    let to =
        Privilege::from_bits((s & mstatus::MPP) >> mstatus::MPP_SHIFT).unwrap_or(Privilege::User);
    let mut s = s & !(mstatus::MIE | mstatus::MPP);
    if s & mstatus::MPIE != 0 {
        s |= mstatus::MIE;
    }
    s |= mstatus::MPIE; // MPP becomes U, the least-privileged mode (bits 0).
    if to != Privilege::Machine {
        s &= !mstatus::MPRV;
    }
    h.csr.mstatus = s;
    h.csr.triggers.on_mret(); // tcontrol.mte = mpte
    h.prv = to;
    h.refresh_tlb_context();
    h.exit_to(h.csr.mepc)
}

fn sret(h: &mut Hart, env: &mut Env<'_>, _: Insn, pc: u64, _: u64) -> Next {
    if h.prv < Privilege::Supervisor
        || (h.prv == Privilege::Supervisor && h.csr.mstatus & mstatus::TSR != 0)
    {
        return h.illegal(env, pc);
    }
    let s = h.csr.mstatus;
    let to = if s & mstatus::SPP != 0 {
        Privilege::Supervisor
    } else {
        Privilege::User
    };
    let mut s = s & !(mstatus::SIE | mstatus::SPP | mstatus::MPRV);
    if s & mstatus::SPIE != 0 {
        s |= mstatus::SIE;
    }
    s |= mstatus::SPIE;
    h.csr.mstatus = s;
    h.prv = to;
    h.refresh_tlb_context();
    h.exit_to(h.csr.sepc)
}

/// WFI: in U-mode (S-mode exists) it is illegal, in S-mode with `mstatus.TW`
/// set too. Otherwise the hart waits until an interrupt is pending, even if
/// interrupts are globally disabled; the machine sleeps the host meanwhile.
fn wfi(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if h.prv == Privilege::User
        || (h.prv == Privilege::Supervisor && h.csr.mstatus & mstatus::TW != 0)
    {
        return h.illegal(env, pc);
    }
    if h.csr.mip() & h.csr.mie == 0 {
        h.waiting = true;
    }
    h.exit_to(i.next_pc(pc))
}

/// SFENCE.VMA: illegal in U-mode and, with `mstatus.TVM`, in S-mode.
/// The TLB is flushed whole whatever the operands: a software TLB of 4 KiB
/// pieces cannot tell which pieces a superpage entry produced, and flushing
/// more than asked is always correct.
fn sfence_vma(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if h.prv == Privilege::User
        || (h.prv == Privilege::Supervisor && h.csr.mstatus & mstatus::TVM != 0)
    {
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
