//! The three binary interchange formats as parameters of the shared
//! algorithms, and the field-level helpers every operation uses.
//!
//! Inside the module all operand and result bits travel in a `u64`; a
//! binary32 (binary16) value occupies the low 32 (16) bits and the upper
//! bits are zero.

use super::{F16, F32, F64};

/// An IEEE 754 binary interchange format (IEEE 754-2019 section 3.6): the
/// field widths, and the constants derived from them.
pub(super) trait Format {
    /// Width of the trailing significand field ("t" in IEEE 754).
    const FRAC_BITS: u32;
    /// Width of the biased exponent field ("w" in IEEE 754).
    const EXP_BITS: u32;

    /// Total width of an encoding.
    const WIDTH: u32 = 1 + Self::EXP_BITS + Self::FRAC_BITS;
    /// All bits of an encoding.
    const WIDTH_MASK: u64 = u64::MAX >> (64 - Self::WIDTH);
    /// The sign bit.
    const SIGN: u64 = 1 << (Self::WIDTH - 1);
    /// The all-ones biased exponent (infinities and NaNs).
    const EXP_MAX: u64 = (1 << Self::EXP_BITS) - 1;
    /// [`Self::EXP_MAX`] as an `i32`, for exponent arithmetic.
    const EXP_MAX_I32: i32 = (1 << Self::EXP_BITS) - 1;
    /// The exponent bias.
    const BIAS: i32 = (1 << (Self::EXP_BITS - 1)) - 1;
    /// The trailing significand field.
    const FRAC_MASK: u64 = (1 << Self::FRAC_BITS) - 1;
    /// The implicit leading significand bit of a normal number.
    const HIDDEN: u64 = 1 << Self::FRAC_BITS;
    /// Positive infinity.
    const INF: u64 = Self::EXP_MAX << Self::FRAC_BITS;
    /// The most significant fraction bit: set in a quiet NaN.
    const QUIET: u64 = 1 << (Self::FRAC_BITS - 1);
    /// The RISC-V canonical NaN: positive, quiet, empty payload.
    const CANONICAL_NAN: u64 = Self::INF | Self::QUIET;
    /// The largest finite positive number.
    const MAX_FINITE: u64 = Self::INF - 1;
}

impl Format for F16 {
    const FRAC_BITS: u32 = 10;
    const EXP_BITS: u32 = 5;
}

impl Format for F32 {
    const FRAC_BITS: u32 = 23;
    const EXP_BITS: u32 = 8;
}

impl Format for F64 {
    const FRAC_BITS: u32 = 52;
    const EXP_BITS: u32 = 11;
}

/// The biased exponent field of `x`.
#[inline(always)]
pub(super) fn exp_field<F: Format>(x: u64) -> u64 {
    (x >> F::FRAC_BITS) & F::EXP_MAX
}

/// The biased exponent field of `x` as an `i32`, for exponent arithmetic.
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "the field is at most 11 bits wide"
)]
pub(super) fn exp_i32<F: Format>(x: u64) -> i32 {
    exp_field::<F>(x) as i32
}

/// Whether the sign bit of `x` is set.
#[inline(always)]
pub(super) fn sign<F: Format>(x: u64) -> bool {
    x & F::SIGN != 0
}

/// `x` without its sign bit.
#[inline(always)]
pub(super) fn magnitude<F: Format>(x: u64) -> u64 {
    x & !F::SIGN
}

/// Whether `x` is a NaN.
#[inline(always)]
pub(super) fn is_nan<F: Format>(x: u64) -> bool {
    magnitude::<F>(x) > F::INF
}

/// Whether `x` is a signalling NaN.
#[inline(always)]
pub(super) fn is_snan<F: Format>(x: u64) -> bool {
    is_nan::<F>(x) && x & F::QUIET == 0
}

/// Whether `x` is an infinity.
#[inline(always)]
pub(super) fn is_inf<F: Format>(x: u64) -> bool {
    magnitude::<F>(x) == F::INF
}

/// Whether `x` is a zero of either sign.
#[inline(always)]
pub(super) fn is_zero<F: Format>(x: u64) -> bool {
    magnitude::<F>(x) == 0
}

/// The sign bit to OR into a result of format `F`.
#[inline(always)]
pub(super) fn sign_bit<F: Format>(negative: bool) -> u64 {
    if negative {
        F::SIGN
    } else {
        0
    }
}

/// Unpacks a finite non-zero `x` into `(sig, exp)` with
/// `|x| = sig * 2^exp` and `2^FRAC_BITS <= sig < 2^(FRAC_BITS + 1)`:
/// subnormals are normalised, so every caller sees the same significand
/// width.
#[inline(always)]
pub(super) fn unpack<F: Format>(x: u64) -> (u64, i32) {
    let field = exp_i32::<F>(x);
    let frac = x & F::FRAC_MASK;
    if field != 0 {
        (frac | F::HIDDEN, field - F::BIAS - F::FRAC_BITS as i32)
    } else {
        // A subnormal: value = frac * 2^(1 - BIAS - FRAC_BITS). Move the
        // leading one of `frac` (at bit 63 - lz) up to bit FRAC_BITS.
        let shift = frac.leading_zeros() + F::FRAC_BITS - 63;
        (
            frac << shift,
            1 - F::BIAS - F::FRAC_BITS as i32 - shift as i32,
        )
    }
}
