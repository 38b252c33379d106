//! Zba: address generation (the bit-manipulation chapter of the
//! unprivileged ISA manual). `shNadd` adds `rs1` shifted left by N to
//! `rs2` (indexing an array of 2^N-byte elements); the `.uw` forms first
//! zero-extend the low 32 bits of `rs1` (an unsigned 32-bit index).

use crate::bits::low_u32;
use crate::isa::disasm::{asm, x_reg as x, Operands};
use crate::isa::extensions::{reg_imm, reg_reg};
use crate::isa::{op, Opcode};

/// The low 32 bits of `a`, zero-extended (the spec's `ZEXT.W`).
fn zext32(a: u64) -> u64 {
    u64::from(low_u32(a))
}

reg_reg!(ZBA, add_uw, |a, b| b.wrapping_add(zext32(a)));
reg_reg!(ZBA, sh1add, |a, b| b.wrapping_add(a << 1));
reg_reg!(ZBA, sh2add, |a, b| b.wrapping_add(a << 2));
reg_reg!(ZBA, sh3add, |a, b| b.wrapping_add(a << 3));
reg_reg!(ZBA, sh1add_uw, |a, b| b.wrapping_add(zext32(a) << 1));
reg_reg!(ZBA, sh2add_uw, |a, b| b.wrapping_add(zext32(a) << 2));
reg_reg!(ZBA, sh3add_uw, |a, b| b.wrapping_add(zext32(a) << 3));
reg_imm!(ZBA, slli_uw, |a, sh| zext32(a) << (sh & 63));

/// `add.uw` with `rs2` = `zero` is `zext.w`.
fn add_uw_asm(o: &Operands) -> Option<String> {
    Some(if o.rs2() == 0 {
        asm("zext.w", &[&x(o.rd()), &x(o.rs1())])
    } else {
        o.plain()
    })
}

const F7: u32 = 0xfe00_707f;
const F6: u32 = 0xfc00_707f;

pub(crate) static OPCODES: &[Opcode] = &[
    op!("add.uw", F7, 0x0800_003b, R, add_uw, asm(add_uw_asm)),
    op!("sh1add", F7, 0x2000_2033, R, sh1add),
    op!("sh2add", F7, 0x2000_4033, R, sh2add),
    op!("sh3add", F7, 0x2000_6033, R, sh3add),
    op!("sh1add.uw", F7, 0x2000_203b, R, sh1add_uw),
    op!("sh2add.uw", F7, 0x2000_403b, R, sh2add_uw),
    op!("sh3add.uw", F7, 0x2000_603b, R, sh3add_uw),
    op!("slli.uw", F6, 0x0800_101b, Shift, slli_uw),
];
