//! Conversions between the formats and to and from integers (RISC-V
//! `fcvt.*`), with the RISC-V saturation rules for float-to-integer.

use super::format::{is_inf, is_nan, is_snan, is_zero, sign, sign_bit, unpack, Format};
use super::host::{fast_f64_to_f32, try_fast};
use super::round::{round_pack, round_up};
use super::{Flags, RoundingMode, F32, F64};

/// Converts `a` to an integer of `width` bits (32 or 64), signed or not,
/// rounding in `rm`. Returns the result's two's-complement bits in a `u64`
/// (the caller truncates to `width`).
///
/// The RISC-V table (unprivileged spec, "Single-Precision Floating-Point
/// Conversion and Move Instructions"): NaN and values too large (including
/// `+inf`) give the largest integer, values too small (including `-inf`) the
/// smallest, 0 for unsigned; all of them raise NV and nothing else. "Too
/// small/large" is judged on the rounded value, so `-0.5` rounded towards
/// zero is a valid unsigned 0 (NX only) while `-1.0` is not.
#[inline]
pub(super) fn to_int<F: Format>(
    a: u64,
    rm: RoundingMode,
    signed: bool,
    width: u32,
    flags: &mut Flags,
) -> u64 {
    let negative = sign::<F>(a);
    // The largest positive result and the largest negative magnitude.
    let max_pos: u64 = if signed {
        (1 << (width - 1)) - 1
    } else {
        u64::MAX >> (64 - width)
    };
    let max_neg_magnitude: u64 = if signed { 1 << (width - 1) } else { 0 };
    let saturate = |negative: bool, flags: &mut Flags| {
        *flags |= Flags::NV;
        if negative {
            max_neg_magnitude.wrapping_neg()
        } else {
            max_pos
        }
    };
    if is_nan::<F>(a) {
        return saturate(false, flags);
    }
    if is_inf::<F>(a) {
        return saturate(negative, flags);
    }
    if is_zero::<F>(a) {
        return 0;
    }
    let (sig, exp) = unpack::<F>(a);
    let (magnitude, inexact) = if exp >= 0 {
        // An integer already: sig << exp, if that fits 64 bits at all.
        if exp as u32 > 63 - F::FRAC_BITS {
            return saturate(negative, flags);
        }
        (sig << exp, false)
    } else {
        let shift = exp.unsigned_abs();
        let (kept, rem, half) = if shift < 64 {
            (sig >> shift, sig & ((1 << shift) - 1), 1 << (shift - 1))
        } else {
            // Below 2^-11 (sig < 2^53 <= 2^(shift - 11)): non-zero but
            // less than half a unit.
            (0, 1, 1 << 63)
        };
        let magnitude = kept + u64::from(round_up(rm, negative, kept & 1 != 0, rem, half));
        (magnitude, rem != 0)
    };
    if magnitude > if negative { max_neg_magnitude } else { max_pos } {
        return saturate(negative, flags);
    }
    if inexact {
        *flags |= Flags::NX;
    }
    if negative {
        magnitude.wrapping_neg()
    } else {
        magnitude
    }
}

/// Converts the integer `(-1)^negative * magnitude` to format `F`.
#[inline]
pub(super) fn from_int<F: Format>(
    negative: bool,
    magnitude: u64,
    rm: RoundingMode,
    flags: &mut Flags,
) -> u64 {
    if magnitude == 0 {
        return 0;
    }
    round_pack::<F>(negative, 0, magnitude, rm, flags)
}

/// binary32 to binary64: exact for every non-NaN value.
#[inline]
pub(super) fn f32_to_f64(a: u32, flags: &mut Flags) -> u64 {
    let a = u64::from(a);
    let negative = sign::<F32>(a);
    if is_nan::<F32>(a) {
        if is_snan::<F32>(a) {
            *flags |= Flags::NV;
        }
        return <F64 as Format>::CANONICAL_NAN;
    }
    if is_inf::<F32>(a) {
        return sign_bit::<F64>(negative) | F64::INF;
    }
    if is_zero::<F32>(a) {
        return sign_bit::<F64>(negative);
    }
    // |a| = sig * 2^exp with sig in [2^23, 2^24): rebias and widen the
    // fraction. Even binary32 subnormals are normal in binary64.
    let (sig, exp) = unpack::<F32>(a);
    let field = exp + F32::FRAC_BITS as i32 + F64::BIAS;
    let fraction = (sig << (F64::FRAC_BITS - F32::FRAC_BITS)) & F64::FRAC_MASK;
    sign_bit::<F64>(negative) | ((field as u64) << F64::FRAC_BITS) | fraction
}

/// binary64 to binary32, rounded in `rm`.
#[inline]
pub(super) fn f64_to_f32(a: u64, rm: RoundingMode, flags: &mut Flags) -> u32 {
    if let Some(bits) = try_fast(rm, flags, || fast_f64_to_f32(a)) {
        return bits;
    }
    let negative = sign::<F64>(a);
    let bits = if is_nan::<F64>(a) {
        if is_snan::<F64>(a) {
            *flags |= Flags::NV;
        }
        <F32 as Format>::CANONICAL_NAN
    } else if is_inf::<F64>(a) {
        sign_bit::<F32>(negative) | F32::INF
    } else if is_zero::<F64>(a) {
        sign_bit::<F32>(negative)
    } else {
        let (sig, exp) = unpack::<F64>(a);
        round_pack::<F32>(negative, exp, sig, rm, flags)
    };
    // A binary32 result: the encoding is in the low 32 bits, the rest zero.
    crate::bits::low_u32(bits)
}

/// Widens `a` from the narrower format `N` to `W`: exact for every non-NaN
/// value (subnormals of `N` are normal in `W`); NV for a signalling NaN,
/// and every NaN becomes the canonical NaN of `W`.
#[inline]
pub(super) fn widen<N: Format, W: Format>(a: u64, flags: &mut Flags) -> u64 {
    let negative = sign::<N>(a);
    if is_nan::<N>(a) {
        if is_snan::<N>(a) {
            *flags |= Flags::NV;
        }
        return W::CANONICAL_NAN;
    }
    if is_inf::<N>(a) {
        return sign_bit::<W>(negative) | W::INF;
    }
    if is_zero::<N>(a) {
        return sign_bit::<W>(negative);
    }
    // |a| = sig * 2^exp with sig in [2^t, 2^(t + 1)) (t of N): rebias and
    // widen the fraction.
    let (sig, exp) = unpack::<N>(a);
    let field = exp + N::FRAC_BITS as i32 + W::BIAS;
    let fraction = (sig << (W::FRAC_BITS - N::FRAC_BITS)) & W::FRAC_MASK;
    sign_bit::<W>(negative) | ((field as u64) << W::FRAC_BITS) | fraction
}

/// Narrows `a` from the wider format `W` to `N`, rounded in `rm`; NV for a
/// signalling NaN, and every NaN becomes the canonical NaN of `N`.
#[inline]
pub(super) fn narrow<W: Format, N: Format>(a: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    let negative = sign::<W>(a);
    if is_nan::<W>(a) {
        if is_snan::<W>(a) {
            *flags |= Flags::NV;
        }
        N::CANONICAL_NAN
    } else if is_inf::<W>(a) {
        sign_bit::<N>(negative) | N::INF
    } else if is_zero::<W>(a) {
        sign_bit::<N>(negative)
    } else {
        let (sig, exp) = unpack::<W>(a);
        round_pack::<N>(negative, exp, sig, rm, flags)
    }
}
