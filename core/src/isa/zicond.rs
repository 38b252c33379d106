//! Zicond: integer conditional operations (the "Zicond" chapter of the
//! unprivileged ISA manual). `czero.eqz` gives zero if `rs2` is zero and
//! `rs1` otherwise; `czero.nez` gives zero if `rs2` is not zero.
//!
//! binutils 2.40 does not know Zicond: these disassemble in the spec's
//! syntax (`czero.eqz rd,rs1,rs2`), as later binutils print them.

use crate::isa::extensions::reg_reg;
use crate::isa::{op, Opcode};

reg_reg!(ZICOND, czero_eqz, |a, b| if b == 0 { 0 } else { a });
reg_reg!(ZICOND, czero_nez, |a, b| if b != 0 { 0 } else { a });

const F7: u32 = 0xfe00_707f;

pub(crate) static OPCODES: &[Opcode] = &[
    op!("czero.eqz", F7, 0x0e00_5033, R, czero_eqz),
    op!("czero.nez", F7, 0x0e00_7033, R, czero_nez),
];
