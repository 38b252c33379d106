//! Zicsr: the CSR instructions.
//!
//! `csrrw` with `rd = x0` does not read the CSR; `csrrs`/`csrrc` with
//! `rs1 = x0` (and the immediate forms with a zero immediate) do not write
//! it. Every write ends the hart's inner loop ([`Next::EXIT`]), because it may
//! change translation, interrupt enables or the counters.

use crate::hart::{Env, Hart, SINK};
use crate::isa::{op, Insn, Next, Opcode};

/// What a CSR instruction does to the CSR after reading it.
#[derive(Clone, Copy)]
enum Update {
    /// Nothing: `csrrs`/`csrrc` with `x0` or a zero immediate.
    None,
    /// Replace it.
    Write(u64),
    /// Set these bits.
    Set(u64),
    /// Clear these bits.
    Clear(u64),
}

impl Update {
    /// The value to write, given the value the update modifies.
    fn apply(self, base: u64) -> Option<u64> {
        match self {
            Update::None => None,
            Update::Write(v) => Some(v),
            Update::Set(bits) => Some(base | bits),
            Update::Clear(bits) => Some(base & !bits),
        }
    }
}

fn csr_op(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64, update: Update) -> Next {
    let addr = i.imm() as u16 & 0xfff;
    let retired = h.retired_in_run(spent);
    let prv = h.prv;
    let old = match h.csr_read_modify_write(addr, retired, prv, |base| update.apply(base)) {
        Ok(old) => old,
        Err(_) => return h.illegal(env, pc),
    };
    if i.rd() != SINK {
        h.xw(i.rd(), old);
    }
    if matches!(update, Update::None) {
        Next::after(i, pc)
    } else {
        h.exit_to(i.next_pc(pc))
    }
}

/// The update of a set/clear form: none when the source is `x0` or zero.
fn set_or_clear(source_is_zero: bool, update: Update) -> Update {
    if source_is_zero {
        Update::None
    } else {
        update
    }
}

fn csrrw(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(h, env, i, pc, spent, Update::Write(h.xr(i.rs1())))
}

fn csrrs(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(
        h,
        env,
        i,
        pc,
        spent,
        set_or_clear(i.rs1() == 0, Update::Set(h.xr(i.rs1()))),
    )
}

fn csrrc(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(
        h,
        env,
        i,
        pc,
        spent,
        set_or_clear(i.rs1() == 0, Update::Clear(h.xr(i.rs1()))),
    )
}

fn csrrwi(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(h, env, i, pc, spent, Update::Write(u64::from(i.rs1())))
}

fn csrrsi(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(
        h,
        env,
        i,
        pc,
        spent,
        set_or_clear(i.rs1() == 0, Update::Set(u64::from(i.rs1()))),
    )
}

fn csrrci(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
    csr_op(
        h,
        env,
        i,
        pc,
        spent,
        set_or_clear(i.rs1() == 0, Update::Clear(u64::from(i.rs1()))),
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
