//! Zicsr: the CSR instructions.
//!
//! `csrrw` with `rd = x0` does not read the CSR; `csrrs`/`csrrc` with
//! `rs1 = x0` (and the immediate forms with a zero immediate) do not write
//! it. Every write ends the hart's inner loop (`EXIT`), because it may
//! change translation, interrupt enables or the counters.

use crate::hart::{Env, Hart, EXIT, SINK};
use crate::isa::{op, Insn, Opcode};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Write,
    Set,
    Clear,
}

fn csr_op(
    h: &mut Hart,
    env: &mut Env<'_>,
    i: Insn,
    pc: u64,
    spent: u64,
    op: Op,
    src: u64,
    src_is_zero: bool,
) -> u64 {
    let addr = i.imm as u16 & 0xfff;
    let retired = h.retired_in_run(spent);
    let prv = h.prv;
    let old = match h.csr_read(addr, retired, prv) {
        Ok(v) => v,
        Err(_) => return h.illegal(env, pc),
    };
    let writes = op == Op::Write || !src_is_zero;
    if writes {
        let new = match op {
            Op::Write => src,
            Op::Set => old | src,
            Op::Clear => old & !src,
        };
        match h.csr_write(addr, new, retired, prv) {
            Ok(effect) => h.apply(effect),
            Err(_) => return h.illegal(env, pc),
        }
    }
    if i.rd != SINK {
        h.xw(i.rd, old);
    }
    if writes {
        h.pc = i.next(pc);
        EXIT
    } else {
        i.next(pc)
    }
}

fn csrrw(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> u64 {
    csr_op(h, env, i, pc, spent, Op::Write, h.xr(i.rs1), false)
}

fn csrrs(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> u64 {
    csr_op(h, env, i, pc, spent, Op::Set, h.xr(i.rs1), i.rs1 == 0)
}

fn csrrc(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> u64 {
    csr_op(h, env, i, pc, spent, Op::Clear, h.xr(i.rs1), i.rs1 == 0)
}

fn csrrwi(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> u64 {
    csr_op(h, env, i, pc, spent, Op::Write, u64::from(i.rs1), false)
}

fn csrrsi(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> u64 {
    csr_op(h, env, i, pc, spent, Op::Set, u64::from(i.rs1), i.rs1 == 0)
}

fn csrrci(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> u64 {
    csr_op(
        h,
        env,
        i,
        pc,
        spent,
        Op::Clear,
        u64::from(i.rs1),
        i.rs1 == 0,
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
