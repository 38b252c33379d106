//! Zbb: basic bit manipulation (the bit-manipulation chapter of the
//! unprivileged ISA manual): logic with a negated operand, counting
//! leading and trailing zeros and set bits, minimum and maximum, sign and
//! zero extension, rotations, `orc.b` and `rev8`. The W forms work on the
//! low 32 bits and sign-extend a 32-bit result.

use crate::bits::low_u32;
use crate::isa::extensions::{reg_imm, reg_reg};
use crate::isa::rv64i::{sext16, sext32, sext8};
use crate::isa::{op, Opcode};

/// `orc.b`: each byte all ones if any of its bits is set, else zero.
fn or_combine(a: u64) -> u64 {
    (0..8).fold(0, |out, byte| {
        let lane = 0xffu64 << (8 * byte);
        if a & lane != 0 {
            out | lane
        } else {
            out
        }
    })
}

reg_reg!(ZBB, andn, |a, b| a & !b);
reg_reg!(ZBB, orn, |a, b| a | !b);
reg_reg!(ZBB, xnor, |a, b| !(a ^ b));
reg_imm!(ZBB, clz, |a, _| u64::from(a.leading_zeros()));
reg_imm!(ZBB, clzw, |a, _| u64::from(low_u32(a).leading_zeros()));
reg_imm!(ZBB, ctz, |a, _| u64::from(a.trailing_zeros()));
reg_imm!(ZBB, ctzw, |a, _| u64::from(low_u32(a).trailing_zeros()));
reg_imm!(ZBB, cpop, |a, _| u64::from(a.count_ones()));
reg_imm!(ZBB, cpopw, |a, _| u64::from(low_u32(a).count_ones()));
reg_reg!(ZBB, max, |a, b| (a as i64).max(b as i64) as u64);
reg_reg!(ZBB, maxu, |a, b| a.max(b));
reg_reg!(ZBB, min, |a, b| (a as i64).min(b as i64) as u64);
reg_reg!(ZBB, minu, |a, b| a.min(b));
reg_imm!(ZBB, sext_b, |a, _| sext8(a));
reg_imm!(ZBB, sext_h, |a, _| sext16(a));
reg_imm!(ZBB, zext_h, |a, _| a & 0xffff);
reg_reg!(ZBB, rol, |a, b| a.rotate_left(low_u32(b) & 63));
reg_reg!(ZBB, ror, |a, b| a.rotate_right(low_u32(b) & 63));
reg_reg!(ZBB, rolw, |a, b| sext32(u64::from(
    low_u32(a).rotate_left(low_u32(b) & 31)
)));
reg_reg!(ZBB, rorw, |a, b| sext32(u64::from(
    low_u32(a).rotate_right(low_u32(b) & 31)
)));
reg_imm!(ZBB, rori, |a, sh| a.rotate_right(low_u32(sh) & 63));
reg_imm!(ZBB, roriw, |a, sh| sext32(u64::from(
    low_u32(a).rotate_right(low_u32(sh) & 31)
)));
reg_imm!(ZBB, orc_b, |a, _| or_combine(a));
reg_imm!(ZBB, rev8, |a, _| a.swap_bytes());

const F7: u32 = 0xfe00_707f;
const F6: u32 = 0xfc00_707f;
/// funct12 (bits 31:20), funct3 and the opcode: the unary instructions.
const F12: u32 = 0xfff0_707f;

pub(crate) static OPCODES: &[Opcode] = &[
    op!("andn", F7, 0x4000_7033, R, andn),
    op!("orn", F7, 0x4000_6033, R, orn),
    op!("xnor", F7, 0x4000_4033, R, xnor),
    op!("clz", F12, 0x6000_1013, Unary, clz),
    op!("clzw", F12, 0x6000_101b, Unary, clzw),
    op!("ctz", F12, 0x6010_1013, Unary, ctz),
    op!("ctzw", F12, 0x6010_101b, Unary, ctzw),
    op!("cpop", F12, 0x6020_1013, Unary, cpop),
    op!("cpopw", F12, 0x6020_101b, Unary, cpopw),
    op!("max", F7, 0x0a00_6033, R, max),
    op!("maxu", F7, 0x0a00_7033, R, maxu),
    op!("min", F7, 0x0a00_4033, R, min),
    op!("minu", F7, 0x0a00_5033, R, minu),
    op!("sext.b", F12, 0x6040_1013, Unary, sext_b),
    op!("sext.h", F12, 0x6050_1013, Unary, sext_h),
    // RV64's zext.h is the encoding of packw (Zbkb) with rs2 = zero.
    op!("zext.h", F12, 0x0800_403b, Unary, zext_h),
    op!("rol", F7, 0x6000_1033, R, rol),
    op!("ror", F7, 0x6000_5033, R, ror),
    op!("rolw", F7, 0x6000_103b, R, rolw),
    op!("rorw", F7, 0x6000_503b, R, rorw),
    op!("rori", F6, 0x6000_5013, Shift, rori, as "ror"),
    op!("roriw", F7, 0x6000_501b, ShiftW, roriw, as "rorw"),
    op!("orc.b", F12, 0x2870_5013, Unary, orc_b),
    op!("rev8", F12, 0x6b80_5013, Unary, rev8),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's description of `orc.b`: bytes with a set bit become
    /// 0xff, zero bytes stay zero.
    #[test]
    fn orc_b_works_bytewise() {
        assert_eq!(or_combine(0), 0);
        assert_eq!(or_combine(0x0100_8000_0000_0001), 0xff00_ff00_0000_00ff);
        assert_eq!(or_combine(u64::MAX), u64::MAX);
    }
}
