//! Zbc: carry-less multiplication (the bit-manipulation chapter of the
//! unprivileged ISA manual). The 128-bit carry-less product of `rs1` and
//! `rs2` has its low half in `clmul`, its high half in `clmulh`, and bits
//! 126:63 in `clmulr` (the bit-reversed product of the bit-reversed
//! operands).

use crate::isa::extensions::reg_reg;
use crate::isa::{op, Opcode};

/// The 128-bit carry-less product: `a` shifted left by `i` XORed in for
/// every bit `i` set in `b`.
///
/// Without a branch on the operands' bits: every `i` XORs in `a << i`
/// masked by all ones or all zeros from bit `i` of `b`, so the host's time
/// does not depend on the values (Zkt lists `clmul` and `clmulh` among the
/// instructions whose latency must not; see [`crate::isa::Extensions::ZKT`]).
fn clmul128(a: u64, b: u64) -> u128 {
    (0..64).fold(0, |p, i| {
        let mask = 0u128.wrapping_sub(u128::from((b >> i) & 1));
        p ^ ((u128::from(a) << i) & mask)
    })
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "each instruction keeps a 64-bit part of the 128-bit product"
)]
fn part(p: u128, shift: u32) -> u64 {
    (p >> shift) as u64
}

reg_reg!(ZBC, clmul, |a, b| part(clmul128(a, b), 0));
reg_reg!(ZBC, clmulh, |a, b| part(clmul128(a, b), 64));
reg_reg!(ZBC, clmulr, |a, b| part(clmul128(a, b), 63));

const F7: u32 = 0xfe00_707f;

pub(crate) static OPCODES: &[Opcode] = &[
    op!("clmul", F7, 0x0a00_1033, R, clmul),
    op!("clmulr", F7, 0x0a00_2033, R, clmulr),
    op!("clmulh", F7, 0x0a00_3033, R, clmulh),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's pseudo-code, bit by bit: `clmul` XORs `rs1 << i`,
    /// `clmulh` `rs1 >> (64 - i)` for i in 1..64, `clmulr` `rs1 >> (63 -
    /// i)` for i in 0..64, for each bit `i` of `rs2` that is set.
    #[test]
    fn products_follow_the_spec_loops() {
        let spec = |a: u64, b: u64| {
            let (mut lo, mut hi, mut rev) = (0u64, 0u64, 0u64);
            for i in 0..64 {
                if (b >> i) & 1 != 0 {
                    lo ^= a << i;
                    if i > 0 {
                        hi ^= a >> (64 - i);
                    }
                    rev ^= a >> (63 - i);
                }
            }
            (lo, hi, rev)
        };
        let values = [
            0,
            1,
            2,
            3,
            u64::MAX,
            1 << 63,
            0x8765_4321_0fed_cba9,
            0x5555_5555_5555_5555,
        ];
        for a in values {
            for b in values {
                let p = clmul128(a, b);
                assert_eq!(
                    (part(p, 0), part(p, 64), part(p, 63)),
                    spec(a, b),
                    "{a:#x} {b:#x}"
                );
            }
        }
        // x^63 times x^63 is x^126: bit 62 of the high half, bit 63 of clmulr.
        let p = clmul128(1 << 63, 1 << 63);
        assert_eq!(
            (part(p, 0), part(p, 64), part(p, 63)),
            (0, 1 << 62, 1 << 63)
        );
    }
}
