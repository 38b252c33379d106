//! Zbs: single-bit instructions (the bit-manipulation chapter of the
//! unprivileged ISA manual): clear, extract, invert or set bit `rs2 & 63`
//! (or the immediate's) of `rs1`.

use crate::bits::low_u32;
use crate::isa::extensions::{reg_imm, reg_reg};
use crate::isa::{op, Opcode};

/// The single bit `index & 63`.
fn bit(index: u64) -> u64 {
    1 << (low_u32(index) & 63)
}

reg_reg!(ZBS, bclr, |a, b| a & !bit(b));
reg_reg!(ZBS, bext, |a, b| u64::from(a & bit(b) != 0));
reg_reg!(ZBS, binv, |a, b| a ^ bit(b));
reg_reg!(ZBS, bset, |a, b| a | bit(b));
reg_imm!(ZBS, bclri, |a, sh| a & !bit(sh));
reg_imm!(ZBS, bexti, |a, sh| u64::from(a & bit(sh) != 0));
reg_imm!(ZBS, binvi, |a, sh| a ^ bit(sh));
reg_imm!(ZBS, bseti, |a, sh| a | bit(sh));

const F7: u32 = 0xfe00_707f;
const F6: u32 = 0xfc00_707f;

pub(crate) static OPCODES: &[Opcode] = &[
    op!("bclr", F7, 0x4800_1033, R, bclr),
    op!("bext", F7, 0x4800_5033, R, bext),
    op!("binv", F7, 0x6800_1033, R, binv),
    op!("bset", F7, 0x2800_1033, R, bset),
    op!("bclri", F6, 0x4800_1013, Shift, bclri, as "bclr"),
    op!("bexti", F6, 0x4800_5013, Shift, bexti, as "bext"),
    op!("binvi", F6, 0x6800_1013, Shift, binvi, as "binv"),
    op!("bseti", F6, 0x2800_1013, Shift, bseti, as "bset"),
];
