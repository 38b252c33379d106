//! M: integer multiplication and division.
//!
//! Division never traps: the spec's table gives division by zero a
//! quotient of all ones and the dividend as remainder, and signed overflow
//! (the most negative value divided by -1) the dividend as quotient and a
//! remainder of zero.
//!
//! A hart without M (`-cpu rv64,m=off`) raises illegal-instruction
//! exceptions instead.

use crate::bits::{low_i32, low_u32};
use crate::isa::extensions::reg_reg;
use crate::isa::rv64i::sext32;
use crate::isa::{op, Opcode};

fn div64(a: i64, b: i64) -> i64 {
    if b == 0 {
        -1
    } else {
        a.wrapping_div(b)
    }
}

fn rem64(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        a.wrapping_rem(b)
    }
}

fn divu64(a: u64, b: u64) -> u64 {
    a.checked_div(b).unwrap_or(u64::MAX)
}

fn remu64(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        a % b
    }
}

reg_reg!(M, mul, |a, b| a.wrapping_mul(b));
reg_reg!(
    M,
    mulh,
    |a, b| ((i128::from(a as i64) * i128::from(b as i64)) >> 64) as u64
);
reg_reg!(
    M,
    mulhsu,
    |a, b| ((i128::from(a as i64) * (b as i128)) >> 64) as u64
);
reg_reg!(M, mulhu, |a, b| ((u128::from(a) * u128::from(b)) >> 64)
    as u64);
reg_reg!(M, div, |a, b| div64(a as i64, b as i64) as u64);
reg_reg!(M, divu, |a, b| divu64(a, b));
reg_reg!(M, rem, |a, b| rem64(a as i64, b as i64) as u64);
reg_reg!(M, remu, |a, b| remu64(a, b));
reg_reg!(M, mulw, |a, b| sext32(a.wrapping_mul(b)));
reg_reg!(M, divw, |a, b| {
    let (a, b) = (low_i32(a), low_i32(b));
    (if b == 0 { -1 } else { a.wrapping_div(b) }) as i64 as u64
});
reg_reg!(M, divuw, |a, b| {
    let (a, b) = (low_u32(a), low_u32(b));
    sext32(u64::from(a.checked_div(b).unwrap_or(u32::MAX)))
});
reg_reg!(M, remw, |a, b| {
    let (a, b) = (low_i32(a), low_i32(b));
    (if b == 0 { a } else { a.wrapping_rem(b) }) as i64 as u64
});
reg_reg!(M, remuw, |a, b| {
    let (a, b) = (low_u32(a), low_u32(b));
    sext32(u64::from(if b == 0 { a } else { a % b }))
});

const F7: u32 = 0xfe00_707f;

pub(crate) static OPCODES: &[Opcode] = &[
    op!("mul", F7, 0x0200_0033, R, mul),
    op!("mulh", F7, 0x0200_1033, R, mulh),
    op!("mulhsu", F7, 0x0200_2033, R, mulhsu),
    op!("mulhu", F7, 0x0200_3033, R, mulhu),
    op!("div", F7, 0x0200_4033, R, div),
    op!("divu", F7, 0x0200_5033, R, divu),
    op!("rem", F7, 0x0200_6033, R, rem),
    op!("remu", F7, 0x0200_7033, R, remu),
    op!("mulw", F7, 0x0200_003b, R, mulw),
    op!("divw", F7, 0x0200_403b, R, divw),
    op!("divuw", F7, 0x0200_503b, R, divuw),
    op!("remw", F7, 0x0200_603b, R, remw),
    op!("remuw", F7, 0x0200_703b, R, remuw),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's table "Semantics for division by zero and division overflow".
    #[test]
    fn division_corner_cases_follow_the_spec_table() {
        assert_eq!(divu64(7, 0), u64::MAX);
        assert_eq!(remu64(7, 0), 7);
        assert_eq!(div64(7, 0), -1);
        assert_eq!(rem64(7, 0), 7);
        assert_eq!(div64(i64::MIN, -1), i64::MIN);
        assert_eq!(rem64(i64::MIN, -1), 0);
    }
}
