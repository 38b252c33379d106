//! Zicsr: the CSR instructions.
//!
//! `csrrw` with `rd = x0` does not read the CSR; `csrrs`/`csrrc` with
//! `rs1 = x0` (and the immediate forms with a zero immediate) do not write
//! it. Every write ends the hart's inner loop ([`Next::EXIT`]), because it may
//! change translation, interrupt enables or the counters.
//!
//! Their disassembly rules, with objdump's aliases (`csrr`, `csrw`,
//! `rdtime`, `frflags`, ...), are at the end of this file.

use std::fmt::Display;

use crate::bits::low_u16;
use crate::csr::{self, CsrOp};
use crate::hart::{Env, Hart, SINK};
use crate::isa::disasm::{asm, csr_name, x_reg as x, Operands};
use crate::isa::{op, Insn, Next, Opcode};

fn csr_op(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64, op: CsrOp) -> Next {
    let addr = low_u16(i.imm().cast_unsigned()) & 0xfff;
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
    op!("csrrw", F3, 0x1073, Csr, csrrw, asm(csrrw_asm)),
    op!("csrrs", F3, 0x2073, Csr, csrrs, asm(csrrs_asm)),
    op!("csrrc", F3, 0x3073, Csr, csrrc, asm(csrrc_asm)),
    op!("csrrwi", F3, 0x5073, CsrImm, csrrwi, asm(csrrwi_asm)),
    op!("csrrsi", F3, 0x6073, CsrImm, csrrsi, asm(csrrsi_asm)),
    op!("csrrci", F3, 0x7073, CsrImm, csrrci, asm(csrrci_asm)),
];

// ----- disassembly: objdump's aliases -----
//
// binutils 2.40 names the immediate forms like the register forms
// (`csrw mepc,1` for `csrrwi`).

/// A CSR instruction with source `source` (`rs1`, or the immediate):
/// `short` without a destination (`csrw mepc,a1`), else `long`.
fn csr_asm(o: &Operands, short: &str, long: &str, source: &dyn Display) -> Option<String> {
    let csr = csr_name(o.csr());
    Some(match o.rd() {
        0 => asm(short, &[&csr, source]),
        d => asm(long, &[&x(d), &csr, source]),
    })
}

/// `csrrw`: `fsflags`, `fsrm`, `fscsr`; `unimp` for `csrrw zero, cycle,
/// zero`, the canonical 32-bit illegal instruction; else `csrw`.
fn csrrw_asm(o: &Operands) -> Option<String> {
    let (d, s1) = (o.rd(), o.rs1());
    let write = match o.csr() {
        csr::addr::FFLAGS => Some("fsflags"),
        csr::addr::FRM => Some("fsrm"),
        csr::addr::FCSR => Some("fscsr"),
        _ => None,
    };
    match write {
        Some(write) if d == 0 => Some(asm(write, &[&x(s1)])),
        Some(write) => Some(asm(write, &[&x(d), &x(s1)])),
        None if d == 0 && s1 == 0 && o.csr() == csr::addr::CYCLE => Some("unimp".to_string()),
        None => csr_asm(o, "csrw", "csrrw", &x(s1)),
    }
}

/// `csrrs` that only reads (`rs1 = zero`): `frflags`, `frrm`, `frcsr`,
/// `rdcycle`, `rdtime`, `rdinstret`, else `csrr`; otherwise `csrs`.
fn csrrs_asm(o: &Operands) -> Option<String> {
    if o.rs1() != 0 {
        return csr_asm(o, "csrs", "csrrs", &x(o.rs1()));
    }
    let read = match o.csr() {
        csr::addr::FFLAGS => Some("frflags"),
        csr::addr::FRM => Some("frrm"),
        csr::addr::FCSR => Some("frcsr"),
        csr::addr::CYCLE => Some("rdcycle"),
        csr::addr::TIME => Some("rdtime"),
        csr::addr::INSTRET => Some("rdinstret"),
        _ => None,
    };
    Some(match read {
        Some(read) => asm(read, &[&x(o.rd())]),
        None => asm("csrr", &[&x(o.rd()), &csr_name(o.csr())]),
    })
}

/// `csrrc`: `csrc` without a destination.
fn csrrc_asm(o: &Operands) -> Option<String> {
    csr_asm(o, "csrc", "csrrc", &x(o.rs1()))
}

/// `csrrwi`: `fsflagsi`, `fsrmi` (always with a destination), else `csrw`.
fn csrrwi_asm(o: &Operands) -> Option<String> {
    let write = match o.csr() {
        csr::addr::FFLAGS => Some("fsflagsi"),
        csr::addr::FRM => Some("fsrmi"),
        _ => None,
    };
    match write {
        Some(write) => Some(asm(write, &[&x(o.rd()), &o.rs1()])),
        None => csr_asm(o, "csrw", "csrrw", &o.rs1()),
    }
}

/// `csrrsi`: `csrs` without a destination.
fn csrrsi_asm(o: &Operands) -> Option<String> {
    csr_asm(o, "csrs", "csrrs", &o.rs1())
}

/// `csrrci`: `csrc` without a destination.
fn csrrci_asm(o: &Operands) -> Option<String> {
    csr_asm(o, "csrc", "csrrc", &o.rs1())
}
