//! C: compressed instructions, expanded at decode time.
//!
//! Every RV64C instruction is an abbreviation of a 32-bit instruction
//! (the ISA manual's "RVC instruction set listings" give each one's
//! expansion); [`expand`] produces that 32-bit encoding, which then
//! decodes through the ordinary tables. Reserved encodings return `None`
//! (an illegal instruction); HINTs expand to instructions that write `x0`
//! and so do nothing.
//!
//! A compressed instruction disassembles as its expansion, except for the
//! forms objdump chooses from the 16-bit parcel: [`disasm`] and
//! [`disasm_reserved`], at the end of this file.

use super::disasm::{asm, hex, x_reg as x};
use super::{imm_i, rd};

/// Extracts bit `from` of `x` and moves it to bit `to`.
const fn bit(x: u16, from: u32, to: u32) -> u32 {
    (((x >> from) & 1) as u32) << to
}

/// Extracts bits `hi..=lo` of `x` and moves them to start at bit `to`.
const fn bits(x: u16, hi: u32, lo: u32, to: u32) -> u32 {
    (((x >> lo) as u32) & ((1 << (hi - lo + 1)) - 1)) << to
}

/// Sign-extends the low `width` bits of `v`.
const fn sext(v: u32, width: u32) -> i32 {
    ((v << (32 - width)) as i32) >> (32 - width)
}

// ----- 32-bit encoders -----
//
// Also what the crate's own tests assemble guest code with.

pub(crate) const fn enc_r(
    funct7: u32,
    rs2: u32,
    rs1: u32,
    funct3: u32,
    rd: u32,
    opcode: u32,
) -> u32 {
    funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode
}

pub(crate) const fn enc_i(imm: i32, rs1: u32, funct3: u32, rd: u32, opcode: u32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode
}

const fn enc_s(imm: i32, rs2: u32, rs1: u32, funct3: u32, opcode: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 0x1f) << 7 | opcode
}

pub(crate) const fn enc_b(imm: i32, rs2: u32, rs1: u32, funct3: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 12) & 1) << 31
        | ((imm >> 5) & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | funct3 << 12
        | ((imm >> 1) & 0xf) << 8
        | ((imm >> 11) & 1) << 7
        | 0x63
}

pub(crate) const fn enc_j(imm: i32, rd: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 20) & 1) << 31
        | ((imm >> 1) & 0x3ff) << 21
        | ((imm >> 11) & 1) << 20
        | ((imm >> 12) & 0xff) << 12
        | rd << 7
        | 0x6f
}

const LOAD: u32 = 0x03;
const LOAD_FP: u32 = 0x07;
const OP_IMM: u32 = 0x13;
const OP_IMM_32: u32 = 0x1b;
const STORE: u32 = 0x23;
const STORE_FP: u32 = 0x27;
const OP: u32 = 0x33;
const LUI: u32 = 0x37;
const OP_32: u32 = 0x3b;
const JALR: u32 = 0x67;

/// The 32-bit instruction a 16-bit one stands for, or `None` if it is reserved.
pub(crate) fn expand(c: u16) -> Option<u32> {
    let op = c & 3;
    let funct3 = (c >> 13) & 7;
    // Register fields: full (bits 11:7 and 6:2) and the popular x8..x15
    // subset (bits 9:7 and 4:2).
    let rd = bits(c, 11, 7, 0);
    let rs2 = bits(c, 6, 2, 0);
    let rd_p = bits(c, 4, 2, 0) + 8;
    let rs1_p = bits(c, 9, 7, 0) + 8;
    // The 6-bit immediate of CI: imm[5] = bit 12, imm[4:0] = bits 6:2.
    let ci_imm = sext(bit(c, 12, 5) | bits(c, 6, 2, 0), 6);
    let ci_uimm6 = bit(c, 12, 5) | bits(c, 6, 2, 0);
    // CL/CS offsets.
    let lw_off = (bits(c, 12, 10, 3) | bit(c, 6, 2) | bit(c, 5, 6)) as i32;
    let ld_off = (bits(c, 12, 10, 3) | bits(c, 6, 5, 6)) as i32;

    Some(match (op, funct3) {
        // ----- quadrant 0 -----
        (0, 0) => {
            // c.addi4spn: nzuimm[5:4|9:6|2|3] in bits 12:5.
            let imm = bits(c, 12, 11, 4) | bits(c, 10, 7, 6) | bit(c, 6, 2) | bit(c, 5, 3);
            if imm == 0 {
                return None; // includes the all-zero illegal instruction
            }
            enc_i(imm as i32, 2, 0, rd_p, OP_IMM)
        }
        (0, 1) => enc_i(ld_off, rs1_p, 3, rd_p, LOAD_FP), // c.fld
        (0, 2) => enc_i(lw_off, rs1_p, 2, rd_p, LOAD),    // c.lw
        (0, 3) => enc_i(ld_off, rs1_p, 3, rd_p, LOAD),    // c.ld
        (0, 5) => enc_s(ld_off, rd_p, rs1_p, 3, STORE_FP), // c.fsd
        (0, 6) => enc_s(lw_off, rd_p, rs1_p, 2, STORE),   // c.sw
        (0, 7) => enc_s(ld_off, rd_p, rs1_p, 3, STORE),   // c.sd

        // ----- quadrant 1 -----
        (1, 0) => enc_i(ci_imm, rd, 0, rd, OP_IMM), // c.addi (c.nop when rd = 0)
        (1, 1) => {
            // c.addiw
            if rd == 0 {
                return None;
            }
            enc_i(ci_imm, rd, 0, rd, OP_IMM_32)
        }
        (1, 2) => enc_i(ci_imm, 0, 0, rd, OP_IMM), // c.li
        (1, 3) if rd == 2 => {
            // c.addi16sp: nzimm[9] = bit 12, nzimm[4|6|8:7|5] = bits 6:2.
            let imm = bit(c, 12, 9) | bit(c, 6, 4) | bit(c, 5, 6) | bits(c, 4, 3, 7) | bit(c, 2, 5);
            if imm == 0 {
                return None;
            }
            enc_i(sext(imm, 10), 2, 0, 2, OP_IMM)
        }
        (1, 3) => {
            // c.lui: nzimm[17] = bit 12, nzimm[16:12] = bits 6:2.
            if ci_uimm6 == 0 {
                return None;
            }
            ((sext(ci_uimm6, 6) as u32) << 12) | rd << 7 | LUI
        }
        (1, 4) => {
            let funct2 = (c >> 10) & 3;
            match funct2 {
                0 => enc_i(ci_uimm6 as i32, rs1_p, 5, rs1_p, OP_IMM), // c.srli
                1 => enc_i((ci_uimm6 | 0x400) as i32, rs1_p, 5, rs1_p, OP_IMM), // c.srai
                2 => enc_i(ci_imm, rs1_p, 7, rs1_p, OP_IMM),          // c.andi
                _ => {
                    let rs2_p = rd_p;
                    match (bit(c, 12, 0), (c >> 5) & 3) {
                        (0, 0) => enc_r(0x20, rs2_p, rs1_p, 0, rs1_p, OP), // c.sub
                        (0, 1) => enc_r(0, rs2_p, rs1_p, 4, rs1_p, OP),    // c.xor
                        (0, 2) => enc_r(0, rs2_p, rs1_p, 6, rs1_p, OP),    // c.or
                        (0, 3) => enc_r(0, rs2_p, rs1_p, 7, rs1_p, OP),    // c.and
                        (1, 0) => enc_r(0x20, rs2_p, rs1_p, 0, rs1_p, OP_32), // c.subw
                        (1, 1) => enc_r(0, rs2_p, rs1_p, 0, rs1_p, OP_32), // c.addw
                        _ => return None,
                    }
                }
            }
        }
        (1, 5) => {
            // c.j: offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2.
            let imm = bit(c, 12, 11)
                | bit(c, 11, 4)
                | bits(c, 10, 9, 8)
                | bit(c, 8, 10)
                | bit(c, 7, 6)
                | bit(c, 6, 7)
                | bits(c, 5, 3, 1)
                | bit(c, 2, 5);
            enc_j(sext(imm, 12), 0)
        }
        (1, 6) | (1, 7) => {
            // c.beqz / c.bnez: offset[8|4:3] in 12:10, offset[7:6|2:1|5] in 6:2.
            let imm = bit(c, 12, 8)
                | bits(c, 11, 10, 3)
                | bits(c, 6, 5, 6)
                | bits(c, 4, 3, 1)
                | bit(c, 2, 5);
            enc_b(sext(imm, 9), 0, rs1_p, if funct3 == 6 { 0 } else { 1 })
        }

        // ----- quadrant 2 -----
        (2, 0) => enc_i(ci_uimm6 as i32, rd, 1, rd, OP_IMM), // c.slli
        (2, 1) => {
            // c.fldsp: uimm[5] = bit 12, uimm[4:3|8:6] = bits 6:2.
            let imm = bit(c, 12, 5) | bits(c, 6, 5, 3) | bits(c, 4, 2, 6);
            enc_i(imm as i32, 2, 3, rd, LOAD_FP)
        }
        (2, 2) => {
            // c.lwsp: uimm[5] = bit 12, uimm[4:2|7:6] = bits 6:2.
            if rd == 0 {
                return None;
            }
            let imm = bit(c, 12, 5) | bits(c, 6, 4, 2) | bits(c, 3, 2, 6);
            enc_i(imm as i32, 2, 2, rd, LOAD)
        }
        (2, 3) => {
            // c.ldsp
            if rd == 0 {
                return None;
            }
            let imm = bit(c, 12, 5) | bits(c, 6, 5, 3) | bits(c, 4, 2, 6);
            enc_i(imm as i32, 2, 3, rd, LOAD)
        }
        (2, 4) => match (bit(c, 12, 0), rd, rs2) {
            (0, 0, 0) => return None,                 // c.jr with rs1 = 0 is reserved
            (0, rs1, 0) => enc_i(0, rs1, 0, 0, JALR), // c.jr
            (0, rd, rs2) => enc_r(0, rs2, 0, 0, rd, OP), // c.mv
            (_, 0, 0) => 0x0010_0073,                 // c.ebreak
            (_, rs1, 0) => enc_i(0, rs1, 0, 1, JALR), // c.jalr
            (_, rd, rs2) => enc_r(0, rs2, rd, 0, rd, OP), // c.add
        },
        (2, 5) => {
            // c.fsdsp: uimm[5:3|8:6] = bits 12:7.
            let imm = bits(c, 12, 10, 3) | bits(c, 9, 7, 6);
            enc_s(imm as i32, rs2, 2, 3, STORE_FP)
        }
        (2, 6) => {
            // c.swsp: uimm[5:2|7:6] = bits 12:7.
            let imm = bits(c, 12, 9, 2) | bits(c, 8, 7, 6);
            enc_s(imm as i32, rs2, 2, 2, STORE)
        }
        (2, 7) => {
            // c.sdsp
            let imm = bits(c, 12, 10, 3) | bits(c, 9, 7, 6);
            enc_s(imm as i32, rs2, 2, 3, STORE)
        }
        // funct3 = 4 in quadrant 0 is reserved; quadrant 3 is not compressed.
        _ => return None,
    })
}

// ----- disassembly -----

/// The compressed instructions that objdump does not show as their
/// expansion `word` would be shown: `c.mv` is `mv` (its expansion `add
/// rd, x0, rs2` is not), `c.addi rd, 0` is `add rd,rd,0` (not `mv`), and
/// the HINTs (rd = x0, or a shift by 0) keep their compressed names.
/// `None` for the others.
pub(crate) fn disasm(half: u16, word: u32) -> Option<String> {
    let (d, imm) = (rd(word), imm_i(word));
    // rs2 of the CR format (not of the expansion: c.ebreak's has none).
    let s2 = ((half >> 2) & 31) as u8;
    let shamt = hex((word >> 20) & 63);
    let quadrant = half & 3;
    let funct3 = half >> 13;
    let bit12 = (half >> 12) & 1;
    Some(match (quadrant, funct3) {
        // c.addi (c.nop when rd = x0)
        (1, 0) if d == 0 && imm != 0 => asm("c.nop", &[&imm]),
        (1, 0) if d != 0 && imm == 0 => asm("add", &[&x(d), &x(d), &0]),
        (1, 2) if d == 0 => asm("c.li", &[&x(d), &imm]),
        (1, 3) if d == 0 => asm("c.lui", &[&x(d), &hex(word >> 12)]),
        // c.srli, c.srai
        (1, 4) if (half >> 10) & 3 == 0 && bit12 == 0 && half & 0x7c == 0 => {
            asm("c.srli64", &[&x(d)])
        }
        (1, 4) if (half >> 10) & 3 == 1 && bit12 == 0 && half & 0x7c == 0 => {
            asm("c.srai64", &[&x(d)])
        }
        // c.slli
        (2, 0) if bit12 == 0 && half & 0x7c == 0 => asm("c.slli64", &[&x(d)]),
        (2, 0) if d == 0 => asm("c.slli", &[&x(d), &shamt]),
        // c.mv, c.add
        (2, 4) if bit12 == 0 && s2 != 0 && d == 0 => asm("c.mv", &[&x(d), &x(s2)]),
        (2, 4) if bit12 == 0 && s2 != 0 => asm("mv", &[&x(d), &x(s2)]),
        (2, 4) if bit12 == 1 && s2 != 0 && d == 0 => asm("c.add", &[&x(d), &x(s2)]),
        _ => return None,
    })
}

/// The reserved compressed encodings ([`expand`] gives `None`) that objdump
/// nevertheless decodes: the all-zero parcel (`unimp`, the canonical
/// illegal instruction) and `c.addi16sp` with a zero immediate.
pub(crate) fn disasm_reserved(half: u16) -> Option<String> {
    match half {
        0x0000 => Some("unimp".to_string()),
        0x6101 => Some("add sp,sp,0".to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected expansions are assembled by hand from the ISA manual's
    // RVC listings and the base encodings.
    #[test]
    fn expands_representative_encodings() {
        // c.li a0, 1 -> addi a0, zero, 1
        assert_eq!(expand(0x4505), Some(0x0010_0513));
        // c.addi sp, -16 -> addi sp, sp, -16
        assert_eq!(expand(0x1141), Some(0xff01_0113));
        // c.addi16sp sp, -64: nzimm = -64 -> addi sp, sp, -64
        assert_eq!(expand(0x7139), Some(0xfc01_0113));
        // c.addi4spn a0, sp, 16 -> addi a0, sp, 16
        assert_eq!(expand(0x0808), Some(0x0101_0513));
        // c.ldsp ra, 8(sp) -> ld ra, 8(sp)
        assert_eq!(expand(0x60a2), Some(0x0081_3083));
        // c.sdsp ra, 8(sp) -> sd ra, 8(sp)
        assert_eq!(expand(0xe406), Some(0x0011_3423));
        // c.jr ra (ret) -> jalr zero, 0(ra)
        assert_eq!(expand(0x8082), Some(0x0000_8067));
        // c.mv a0, a1 -> add a0, zero, a1
        assert_eq!(expand(0x852e), Some(0x00b0_0533));
        // c.ebreak
        assert_eq!(expand(0x9002), Some(0x0010_0073));
        // c.j -2 (jump to itself) -> jal zero, -2
        assert_eq!(expand(0xbffd), Some(enc_j(-2, 0)));
        // c.beqz a0, 0 (branch to itself) -> beq a0, zero, 0
        assert_eq!(expand(0xc101), Some(enc_b(0, 0, 10, 0)));
        // c.lui a0, 0xfffff (nzimm = -1) -> lui a0, 0xfffff
        assert_eq!(expand(0x757d), Some(0xffff_f537));
        // c.srai a0, 63 -> srai a0, a0, 63
        assert_eq!(expand(0x957d), Some(0x43f5_5513));
        // c.subw a0, a1 -> subw a0, a0, a1
        assert_eq!(expand(0x9d0d), Some(0x40b5_053b));
    }

    #[test]
    fn reserved_encodings_are_rejected() {
        assert_eq!(expand(0x0000), None); // all zero
        assert_eq!(expand(0x6101), None); // c.addi16sp with nzimm 0
        assert_eq!(expand(0x6501), None); // c.lui a0 with nzimm 0
        assert_eq!(expand(0x2001), None); // c.addiw with rd = 0
        assert_eq!(expand(0x4002), None); // c.lwsp with rd = 0
        assert_eq!(expand(0x8002), None); // c.jr with rs1 = 0
        assert_eq!(expand(0x8000), None); // quadrant 0, funct3 = 4
        assert_eq!(expand(0x9c41), None); // c.subw-space reserved (funct2 = 2, bit 12 = 1)
    }
}
