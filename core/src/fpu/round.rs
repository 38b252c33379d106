//! Rounding and packing, shared by every operation and both formats.
//!
//! The arithmetic routines hand over an exact (or "sticky") integer
//! significand and a binary exponent; [`round_pack`] applies the rounding
//! mode, detects overflow and tininess (after rounding, as RISC-V
//! specifies), raises the flags and builds the encoding.
//!
//! The sticky convention: when an algorithm has to discard low-order bits it
//! ORs "were any of them non-zero" into bit 0 of what it keeps
//! ([`shift_right_jam`]). That is exact enough for rounding as long as the
//! sticky bit lies at least two places below the final unit in the last
//! place: every rounding decision only asks on which side of the half-way
//! point, and whether exactly on it, the discarded part lies, and replacing
//! a discarded part strictly between `2k` and `2k + 2` units by `2k + 1`
//! keeps the answer to both questions (inexact, and the same side).

use super::format::{sign_bit, Format};
use super::{Flags, RoundingMode};

/// `x >> n`, with bit 0 of the result set if any bit shifted out was set.
#[inline(always)]
pub(super) fn shift_right_jam(x: u64, n: u32) -> u64 {
    if n == 0 {
        x
    } else if n < 64 {
        (x >> n) | u64::from(x << (64 - n) != 0)
    } else {
        u64::from(x != 0)
    }
}

/// [`shift_right_jam`] for `u128`.
#[inline(always)]
pub(super) fn shift_right_jam128(x: u128, n: u32) -> u128 {
    if n == 0 {
        x
    } else if n < 128 {
        (x >> n) | u128::from(x << (128 - n) != 0)
    } else {
        u128::from(x != 0)
    }
}

/// Reduces `x * 2^exp` to a `u64` significand with the same exponent
/// convention, jamming whatever does not fit into the sticky bit. When it
/// has to shift, the result keeps 64 significant bits.
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "x is below 2^64 when high_bits is 0, and the jammed shift leaves 64 bits"
)]
pub(super) fn narrow(x: u128, exp: i32) -> (u64, i32) {
    let high_bits = 64u32.saturating_sub(x.leading_zeros());
    if high_bits == 0 {
        (x as u64, exp)
    } else {
        (
            shift_right_jam128(x, high_bits) as u64,
            exp + high_bits as i32,
        )
    }
}

/// Whether rounding to an integer multiple of `half * 2` should add one unit:
/// `odd` is the parity of the kept part, `rem` the discarded part (`rem <
/// 2 * half`, with sticky bits folded in) and `negative` the sign of the
/// value being rounded.
#[inline(always)]
pub(super) fn round_up(rm: RoundingMode, negative: bool, odd: bool, rem: u64, half: u64) -> bool {
    // Non-short-circuit `|` and `&`: the outcome of a rounding decision is
    // data-dependent and unpredictable, so it is computed without branches.
    match rm {
        RoundingMode::Rne => (rem > half) | ((rem == half) & odd),
        RoundingMode::Rtz => false,
        RoundingMode::Rdn => negative & (rem != 0),
        RoundingMode::Rup => !negative & (rem != 0),
        RoundingMode::Rmm => rem >= half,
    }
}

/// The result of an overflow: OF and NX, and infinity or the largest finite
/// number of the right sign, whichever the rounding mode moves towards.
#[inline(never)]
pub(super) fn overflow<F: Format>(negative: bool, rm: RoundingMode, flags: &mut Flags) -> u64 {
    *flags |= Flags::OF | Flags::NX;
    let to_infinity = match rm {
        RoundingMode::Rne | RoundingMode::Rmm => true,
        RoundingMode::Rtz => false,
        RoundingMode::Rdn => negative,
        RoundingMode::Rup => !negative,
    };
    sign_bit::<F>(negative) | if to_infinity { F::INF } else { F::MAX_FINITE }
}

/// The exactly-zero result of a sum of non-NaN operands of opposite signs
/// that cancelled: `+0`, except `-0` when rounding down (IEEE 754-2019
/// section 6.3).
#[inline(always)]
pub(super) fn exact_zero_sum<F: Format>(rm: RoundingMode) -> u64 {
    sign_bit::<F>(rm == RoundingMode::Rdn)
}

/// Rounds `(-1)^negative * sig * 2^exp` to format `F` in mode `rm`, ORs the
/// exceptions into `flags` and returns the encoding.
///
/// `sig` must be non-zero. Bit 0 of `sig` may be a sticky bit (see the module
/// documentation) only if the leading one of `sig` is at bit
/// `F::FRAC_BITS + 2` or above, so the sticky bit lies at least two places
/// below the unit in the last place of the result.
#[inline]
pub(super) fn round_pack<F: Format>(
    negative: bool,
    exp: i32,
    sig: u64,
    rm: RoundingMode,
    flags: &mut Flags,
) -> u64 {
    debug_assert!(sig != 0);
    // Bits below the unit in the last place once the leading one is at
    // bit 63.
    let shift: u32 = 63 - F::FRAC_BITS;
    let half: u64 = 1 << (shift - 1);
    let rem_mask: u64 = (1 << shift) - 1;

    let lz = sig.leading_zeros();
    let mut sig = sig << lz;
    // The value is now 1.f * 2^e with e = exp + 63 - lz; `biased` is e + BIAS.
    let mut biased = exp + (63 - lz as i32) + F::BIAS;

    if biased >= F::EXP_MAX_I32 {
        // At least 2^(emax + 1): overflows in every rounding mode.
        return overflow::<F>(negative, rm, flags);
    }

    let mut tiny = false;
    if biased <= 0 {
        // Below 2^emin. Tininess after rounding: the value is tiny unless
        // rounding it to full precision with an unbounded exponent gives
        // 2^emin, which needs biased == 0 (the binade just below 2^emin),
        // an all-ones significand and a rounding increment.
        tiny = biased < 0
            || sig >> shift != F::HIDDEN * 2 - 1
            || !round_up(rm, negative, true, sig & rem_mask, half);
        // Denormalise: the encoding has exponent field 0 and no hidden bit,
        // which the packing below treats as biased = 1 without a leading
        // one. A rounding carry then correctly yields the smallest normal.
        sig = shift_right_jam(sig, (1 - biased) as u32);
        biased = 1;
    }

    let rem = sig & rem_mask;
    let kept = sig >> shift;
    let increment = round_up(rm, negative, kept & 1 != 0, rem, half);
    // The hidden bit of `kept` adds one to the exponent field, hence
    // `biased - 1`; a carry out of the significand on rounding moves the
    // exponent up by one more and clears the fraction, as it should.
    let bits = ((biased as u64 - 1) << F::FRAC_BITS) + kept + u64::from(increment);
    if bits >= F::INF {
        return overflow::<F>(negative, rm, flags);
    }
    if rem != 0 {
        *flags |= if tiny {
            Flags::NX | Flags::UF
        } else {
            Flags::NX
        };
    }
    sign_bit::<F>(negative) | bits
}
