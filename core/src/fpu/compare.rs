//! Comparisons, minimum/maximum and classification (RISC-V `feq`, `flt`,
//! `fle`, `fmin`, `fmax`, `fclass`).

use super::format::{exp_field, is_inf, is_nan, is_snan, is_zero, sign, Format};
use super::Flags;

/// A key that orders every non-NaN encoding of `F` numerically as an
/// unsigned integer, with `-0` just below `+0`: positive values get the sign
/// bit set, negative ones are complemented so larger magnitudes sort lower.
#[inline(always)]
fn order_key<F: Format>(x: u64) -> u64 {
    if sign::<F>(x) {
        x ^ F::WIDTH_MASK
    } else {
        x | F::SIGN
    }
}

/// `feq`: quiet, so NV only for a signalling NaN operand.
#[inline]
pub(super) fn eq<F: Format>(a: u64, b: u64, flags: &mut Flags) -> bool {
    if is_nan::<F>(a) || is_nan::<F>(b) {
        if is_snan::<F>(a) || is_snan::<F>(b) {
            *flags |= Flags::NV;
        }
        return false;
    }
    a == b || (is_zero::<F>(a) && is_zero::<F>(b))
}

/// `flt`: signalling, so NV for any NaN operand.
#[inline]
pub(super) fn lt<F: Format>(a: u64, b: u64, flags: &mut Flags) -> bool {
    if is_nan::<F>(a) || is_nan::<F>(b) {
        *flags |= Flags::NV;
        return false;
    }
    order_key::<F>(a) < order_key::<F>(b) && !(is_zero::<F>(a) && is_zero::<F>(b))
}

/// `fle`: signalling, so NV for any NaN operand.
#[inline]
pub(super) fn le<F: Format>(a: u64, b: u64, flags: &mut Flags) -> bool {
    if is_nan::<F>(a) || is_nan::<F>(b) {
        *flags |= Flags::NV;
        return false;
    }
    order_key::<F>(a) <= order_key::<F>(b) || (is_zero::<F>(a) && is_zero::<F>(b))
}

/// `fmin` (`max == false`) or `fmax` (`max == true`): IEEE 754-2019
/// minimumNumber/maximumNumber as RISC-V (version 2.2 of the F extension
/// onwards) specifies them: `-0 < +0`, a single NaN operand is ignored, two
/// NaNs give the canonical NaN, and a signalling NaN operand raises NV even
/// when the result is a number.
#[inline]
pub(super) fn min_max<F: Format>(a: u64, b: u64, max: bool, flags: &mut Flags) -> u64 {
    let (a_nan, b_nan) = (is_nan::<F>(a), is_nan::<F>(b));
    if a_nan || b_nan {
        if is_snan::<F>(a) || is_snan::<F>(b) {
            *flags |= Flags::NV;
        }
        return match (a_nan, b_nan) {
            (true, true) => F::CANONICAL_NAN,
            (true, false) => b,
            _ => a,
        };
    }
    if (order_key::<F>(a) < order_key::<F>(b)) != max {
        a
    } else {
        b
    }
}

/// `fclass`: one bit of the 10-bit class mask.
#[inline]
pub(super) fn classify<F: Format>(a: u64) -> u16 {
    let negative = sign::<F>(a);
    let bit = if is_nan::<F>(a) {
        if is_snan::<F>(a) {
            8
        } else {
            9
        }
    } else if is_inf::<F>(a) {
        if negative {
            0
        } else {
            7
        }
    } else if is_zero::<F>(a) {
        if negative {
            3
        } else {
            4
        }
    } else if exp_field::<F>(a) == 0 {
        if negative {
            2
        } else {
            5
        }
    } else if negative {
        1
    } else {
        6
    };
    1 << bit
}
