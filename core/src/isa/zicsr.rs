//! Zicsr: the CSR instructions.
//!
//! `csrrw` with `rd = x0` does not read the CSR; `csrrs`/`csrrc` with
//! `rs1 = x0` (and the immediate forms with a zero immediate) do not write
//! it. Every write ends the hart's inner loop ([`Next::EXIT`]), because it may
//! change translation, interrupt enables or the counters.

use crate::csr::CsrOp;
use crate::hart::{Env, Hart, SINK};
use crate::isa::{op, Insn, Next, Opcode};

fn csr_op(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64, op: CsrOp) -> Next {
    let addr = i.imm() as u16 & 0xfff;
    let retired = h.retired_in_run(spent);
    let prv = h.prv;
    let old = match h.csr_rmw(addr, op, retired, prv) {
        Ok(old) => old,
        Err(_) => return h.illegal(env, pc),
    };
    if i.rd() != SINK {
        h.xw(i.rd(), old);
    }
    if op == CsrOp::Read {
        Next::after(i, pc)
    } else {
        h.exit_to(i.next_pc(pc))
    }
}

/// The operation of a set/clear form: none when the source is `x0` or zero.
fn set_or_clear(source_is_zero: bool, op: CsrOp) -> CsrOp {
    if source_is_zero {
        CsrOp::Read
    } else {
        op
    }
}

fn csrrw(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(h, env, i, pc, spent, CsrOp::Write(h.xr(i.rs1())))
}

fn csrrs(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(
        h,
        env,
        i,
        pc,
        spent,
        set_or_clear(i.rs1() == 0, CsrOp::Set(h.xr(i.rs1()))),
    )
}

fn csrrc(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(
        h,
        env,
        i,
        pc,
        spent,
        set_or_clear(i.rs1() == 0, CsrOp::Clear(h.xr(i.rs1()))),
    )
}

fn csrrwi(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(h, env, i, pc, spent, CsrOp::Write(u64::from(i.rs1())))
}

fn csrrsi(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(
        h,
        env,
        i,
        pc,
        spent,
        set_or_clear(i.rs1() == 0, CsrOp::Set(u64::from(i.rs1()))),
    )
}

fn csrrci(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(
        h,
        env,
        i,
        pc,
        spent,
        set_or_clear(i.rs1() == 0, CsrOp::Clear(u64::from(i.rs1()))),
    )
}

const F3: u32 = 0x707f;

pub(crate) static OPCODES: &[Opcode] = &[
    op!("csrrw", F3, 0x1073, Csr, csrrw),
    op!("csrrs", F3, 0x2073, Csr, csrrs),
    op!("csrrc", F3, 0x3073, Csr, csrrc),
    op!("csrrwi", F3, 0x5073, CsrImm, csrrwi),
    op!("csrrsi", F3, 0x6073, CsrImm, csrrsi),
    op!("csrrci", F3, 0x7073, CsrImm, csrrci),
];
