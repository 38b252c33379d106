//! Addition, multiplication, division, square root and fused multiply-add.
//!
//! Each operation first settles the special operands (NaN, infinity, zero)
//! by the rules of IEEE 754-2019 section 7.2 (invalid operation) and 7.3
//! (division by zero) with RISC-V's canonical-NaN results, then computes the
//! finite case on integer significands and leaves rounding to
//! [`round_pack`]. Under round-to-nearest the host-arithmetic fast paths of
//! the `host` module are tried first.

use super::format::{exp_field, is_inf, is_nan, is_snan, is_zero, sign, sign_bit, unpack, Format};
use super::host::{try_fast, Host};
use super::round::{exact_zero_sum, narrow, round_pack, shift_right_jam, shift_right_jam128};
use super::{Flags, RoundingMode};

/// The canonical NaN, with NV if either operand is a signalling NaN.
#[inline(never)]
fn nan_result<F: Format>(a: u64, b: u64, flags: &mut Flags) -> u64 {
    if is_snan::<F>(a) || is_snan::<F>(b) {
        *flags |= Flags::NV;
    }
    F::CANONICAL_NAN
}

/// The canonical NaN of an invalid operation.
#[inline(never)]
fn invalid<F: Format>(flags: &mut Flags) -> u64 {
    *flags |= Flags::NV;
    F::CANONICAL_NAN
}

/// `a + b` (subtraction flips the sign of `b` first).
#[inline]
pub(super) fn add<F: Host>(a: u64, b: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    if let Some(bits) = try_fast(rm, flags, || F::fast_add(a, b)) {
        return bits;
    }
    add_soft::<F>(a, b, rm, flags)
}

/// `a + b` on integer significands, for every rounding mode.
#[inline(never)]
pub(super) fn add_soft<F: Format>(a: u64, b: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    if exp_field::<F>(a) == F::EXP_MAX || exp_field::<F>(b) == F::EXP_MAX {
        if is_nan::<F>(a) || is_nan::<F>(b) {
            return nan_result::<F>(a, b, flags);
        }
        // At least one infinity; opposite infinities are invalid.
        if is_inf::<F>(a) && is_inf::<F>(b) && sign::<F>(a) != sign::<F>(b) {
            return invalid::<F>(flags);
        }
        return if is_inf::<F>(a) { a } else { b };
    }
    if is_zero::<F>(a) || is_zero::<F>(b) {
        if !is_zero::<F>(b) {
            return b;
        }
        if !is_zero::<F>(a) || sign::<F>(a) == sign::<F>(b) {
            return a;
        }
        return exact_zero_sum::<F>(rm);
    }
    let (sig_a, exp_a) = unpack::<F>(a);
    let (sig_b, exp_b) = unpack::<F>(b);
    add_finite::<F>(
        (sign::<F>(a), sig_a, exp_a),
        (sign::<F>(b), sig_b, exp_b),
        rm,
        flags,
    )
}

/// Adds two finite non-zero values given as `(negative, sig, exp)` with
/// `2^FRAC_BITS <= sig < 2^(FRAC_BITS + 1)`.
#[inline]
fn add_finite<F: Format>(
    a: (bool, u64, i32),
    b: (bool, u64, i32),
    rm: RoundingMode,
    flags: &mut Flags,
) -> u64 {
    // Put the leading ones at bit 61: two spare bits above for the carry,
    // and at least 61 - 52 = 9 bits below the last place for rounding.
    let up = 61 - F::FRAC_BITS;
    // `x` is the operand with the larger exponent.
    let (x, y) = if a.2 >= b.2 { (a, b) } else { (b, a) };
    let sig_x = x.1 << up;
    // An exponent gap of 0 or 1 loses nothing (the low `up` bits are zero);
    // a larger gap may jam, but then the difference keeps its leading one at
    // bit 60 or above, so the sticky bit stays far below the last place.
    let gap = (x.2 - y.2) as u32;
    let sig_y = shift_right_jam(y.1 << up, gap);
    let exp = x.2 - up as i32;
    if x.0 == y.0 {
        return round_pack::<F>(x.0, exp, sig_x + sig_y, rm, flags);
    }
    if sig_x > sig_y {
        round_pack::<F>(x.0, exp, sig_x - sig_y, rm, flags)
    } else if sig_y > sig_x {
        round_pack::<F>(y.0, exp, sig_y - sig_x, rm, flags)
    } else {
        exact_zero_sum::<F>(rm)
    }
}

/// `a * b`.
#[inline]
pub(super) fn mul<F: Host>(a: u64, b: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    if let Some(bits) = try_fast(rm, flags, || F::fast_mul(a, b)) {
        return bits;
    }
    mul_soft::<F>(a, b, rm, flags)
}

/// `a * b` on integer significands, for every rounding mode.
#[inline(never)]
pub(super) fn mul_soft<F: Format>(a: u64, b: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    let negative = sign::<F>(a) != sign::<F>(b);
    if exp_field::<F>(a) == F::EXP_MAX || exp_field::<F>(b) == F::EXP_MAX {
        if is_nan::<F>(a) || is_nan::<F>(b) {
            return nan_result::<F>(a, b, flags);
        }
        // At least one infinity; infinity times zero is invalid.
        if is_zero::<F>(a) || is_zero::<F>(b) {
            return invalid::<F>(flags);
        }
        return sign_bit::<F>(negative) | F::INF;
    }
    if is_zero::<F>(a) || is_zero::<F>(b) {
        return sign_bit::<F>(negative);
    }
    let (sig_a, exp_a) = unpack::<F>(a);
    let (sig_b, exp_b) = unpack::<F>(b);
    // The exact product has at most 2 * (FRAC_BITS + 1) bits; `narrow` keeps
    // 64 of them (leading one at bit 63) plus a sticky bit.
    let product = u128::from(sig_a) * u128::from(sig_b);
    let (sig, exp) = narrow(product, exp_a + exp_b);
    round_pack::<F>(negative, exp, sig, rm, flags)
}

/// `a / b`.
#[inline]
pub(super) fn div<F: Host>(a: u64, b: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    if let Some(bits) = try_fast(rm, flags, || F::fast_div(a, b)) {
        return bits;
    }
    div_soft::<F>(a, b, rm, flags)
}

/// `a / b` on integer significands, for every rounding mode.
#[inline(never)]
pub(super) fn div_soft<F: Format>(a: u64, b: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    let negative = sign::<F>(a) != sign::<F>(b);
    if exp_field::<F>(a) == F::EXP_MAX || exp_field::<F>(b) == F::EXP_MAX {
        if is_nan::<F>(a) || is_nan::<F>(b) {
            return nan_result::<F>(a, b, flags);
        }
        if is_inf::<F>(a) {
            if is_inf::<F>(b) {
                return invalid::<F>(flags);
            }
            return sign_bit::<F>(negative) | F::INF;
        }
        // Finite over infinity.
        return sign_bit::<F>(negative);
    }
    if is_zero::<F>(b) {
        if is_zero::<F>(a) {
            return invalid::<F>(flags);
        }
        *flags |= Flags::DZ;
        return sign_bit::<F>(negative) | F::INF;
    }
    if is_zero::<F>(a) {
        return sign_bit::<F>(negative);
    }
    let (sig_a, exp_a) = unpack::<F>(a);
    let (sig_b, exp_b) = unpack::<F>(b);
    // With both significands in [2^t, 2^(t+1)) (t = FRAC_BITS), the quotient
    // (sig_a << k) / sig_b lies in (2^(k-1), 2^(k+1)); the remainder becomes
    // the sticky bit. k is chosen so the quotient's leading one is at least
    // at bit t + 2 (sticky rule of `round_pack`) and the quotient fits a u64.
    let (quotient, exact, k) = if F::FRAC_BITS <= 29 {
        // Narrow formats: a 64-bit dividend suffices (k = 62 - t keeps it
        // below 2^63; the quotient keeps at least 61 - t >= t + 2 bits).
        let k = 62 - F::FRAC_BITS;
        let n = sig_a << k;
        (n / sig_b, n % sig_b == 0, k)
    } else {
        let k = 62;
        let n = u128::from(sig_a) << k;
        let d = u128::from(sig_b);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "sig_a < 2^(t+1) and sig_b >= 2^t, so the quotient is below 2^63"
        )]
        let quotient = (n / d) as u64;
        (quotient, n % d == 0, k)
    };
    let sig = quotient | u64::from(!exact);
    round_pack::<F>(negative, exp_a - exp_b - k as i32, sig, rm, flags)
}

/// The square root of `a`.
#[inline]
pub(super) fn sqrt<F: Host>(a: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    if let Some(bits) = try_fast(rm, flags, || F::fast_sqrt(a)) {
        return bits;
    }
    sqrt_soft::<F>(a, rm, flags)
}

/// The square root of `a` on integer significands, for every rounding mode.
#[inline(never)]
pub(super) fn sqrt_soft<F: Format>(a: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    if is_nan::<F>(a) {
        return nan_result::<F>(a, a, flags);
    }
    if is_zero::<F>(a) {
        return a;
    }
    if sign::<F>(a) {
        return invalid::<F>(flags);
    }
    if is_inf::<F>(a) {
        return a;
    }
    let (sig, exp) = unpack::<F>(a);
    // Make the exponent even so it halves exactly: sig < 2^(t + 2).
    let odd = exp & 1 != 0;
    let (sig, exp) = if odd { (sig << 1, exp - 1) } else { (sig, exp) };
    // sqrt(sig * 2^exp) = sqrt(sig << 2k) * 2^(exp/2 - k). The integer root
    // of sig << 2k has about t/2 + k bits; k is chosen so it has at least
    // t + 3 (sticky rule of `round_pack`) while sig << 2k fits the integer.
    let (root, exact, k) = if F::FRAC_BITS <= 29 {
        // sig << 2k < 2^(t + 2 + 2k) <= 2^64 for t = 23, k = 19.
        let k = (62 - F::FRAC_BITS) / 2;
        let n = sig << (2 * k);
        let root = isqrt64(n);
        (root, root * root == n, k)
    } else {
        // sig << 2k < 2^(t + 2 + 2k) <= 2^128; the root is below 2^64.
        let k = (126 - F::FRAC_BITS) / 2;
        let n = u128::from(sig) << (2 * k);
        let root = isqrt128(n);
        (root, u128::from(root) * u128::from(root) == n, k)
    };
    let sig = root | u64::from(!exact);
    round_pack::<F>(false, exp / 2 - k as i32, sig, rm, flags)
}

/// `floor(sqrt(n))`. For the `n < 2^63` used here, the host's square root
/// of the nearest `f64` is within one unit of the answer (a relative error
/// of about 2^-53 on a root below 2^32); the corrections make the result
/// exact whatever the estimate.
#[inline]
fn isqrt64(n: u64) -> u64 {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "an estimate: the fraction is dropped on purpose, and the root of a u64 fits"
    )]
    let mut r = ((n as f64).sqrt() as u64).min(u64::from(u32::MAX));
    while r * r > n {
        r -= 1;
    }
    while (r + 1).checked_mul(r + 1).is_some_and(|s| s <= n) {
        r += 1;
    }
    r
}

/// `floor(sqrt(n))` for any `n`. The host's square root gives about 53
/// correct bits; one integer Newton step `(r + n / r) / 2` from that
/// estimate leaves an error below one unit (the error squares and halves
/// relative to the root); the corrections make the result exact.
#[inline]
#[expect(
    clippy::cast_possible_truncation,
    reason = "the estimate drops its fraction on purpose; the root of a u128 is below 2^64"
)]
fn isqrt128(n: u128) -> u64 {
    let estimate = ((n as f64).sqrt() as u128).clamp(1, u128::from(u64::MAX));
    let mut r = (estimate.saturating_add(n / estimate) / 2).min(u128::from(u64::MAX));
    while r * r > n {
        r -= 1;
    }
    while (r + 1).checked_mul(r + 1).is_some_and(|s| s <= n) {
        r += 1;
    }
    r as u64
}

/// `a * b + c` with one rounding (callers negate operands for the other
/// three RISC-V forms).
#[inline]
pub(super) fn fma<F: Host>(a: u64, b: u64, c: u64, rm: RoundingMode, flags: &mut Flags) -> u64 {
    if let Some(bits) = try_fast(rm, flags, || F::fast_fma(a, b, c)) {
        return bits;
    }
    fma_soft::<F>(a, b, c, rm, flags)
}

/// `a * b + c` on integer significands, for every rounding mode.
#[inline(never)]
pub(super) fn fma_soft<F: Format>(
    a: u64,
    b: u64,
    c: u64,
    rm: RoundingMode,
    flags: &mut Flags,
) -> u64 {
    let product_negative = sign::<F>(a) != sign::<F>(b);
    let special = |x: u64| exp_field::<F>(x) == F::EXP_MAX;
    if special(a) || special(b) || special(c) {
        let zero_times_inf =
            (is_inf::<F>(a) && is_zero::<F>(b)) || (is_zero::<F>(a) && is_inf::<F>(b));
        if is_nan::<F>(a) || is_nan::<F>(b) || is_nan::<F>(c) {
            // RISC-V (like IEEE 754-2019 section 7.2 c, which leaves it
            // optional) signals 0 * inf even when c is a quiet NaN.
            if zero_times_inf || is_snan::<F>(a) || is_snan::<F>(b) || is_snan::<F>(c) {
                *flags |= Flags::NV;
            }
            return F::CANONICAL_NAN;
        }
        if is_inf::<F>(a) || is_inf::<F>(b) {
            if zero_times_inf {
                return invalid::<F>(flags);
            }
            if is_inf::<F>(c) && sign::<F>(c) != product_negative {
                return invalid::<F>(flags);
            }
            return sign_bit::<F>(product_negative) | F::INF;
        }
        // A finite product plus an infinite c.
        return c;
    }
    if is_zero::<F>(a) || is_zero::<F>(b) {
        // An exact zero product: the sum is c, exactly, unless c is a zero
        // too, when the usual signed-zero rule of a sum applies.
        if !is_zero::<F>(c) || sign::<F>(c) == product_negative {
            return c;
        }
        return exact_zero_sum::<F>(rm);
    }
    let (sig_a, exp_a) = unpack::<F>(a);
    let (sig_b, exp_b) = unpack::<F>(b);
    let product = u128::from(sig_a) * u128::from(sig_b);
    let exp_p = exp_a + exp_b;
    if is_zero::<F>(c) {
        // A non-zero product plus a zero: the rounded product, whose sign
        // wins even if it underflows to zero.
        let (sig, exp) = narrow(product, exp_p);
        return round_pack::<F>(product_negative, exp, sig, rm, flags);
    }
    let (sig_c, exp_c) = unpack::<F>(c);

    // Bring both addends' leading ones to bit 125 of a u128 (two spare bits
    // for the carry). The product has at most 2t + 2 <= 106 significant bits
    // and c at most 53, so a shift by 0 or 1 for alignment loses nothing;
    // longer shifts may jam, but then at most one leading bit cancels and the
    // sticky bit stays far below the last place.
    const TOP: u32 = 125;
    let p_shift = product.leading_zeros() - (127 - TOP);
    let p = (product << p_shift, exp_p - p_shift as i32);
    let q = (
        u128::from(sig_c) << (TOP - F::FRAC_BITS),
        exp_c - (TOP - F::FRAC_BITS) as i32,
    );
    let c_negative = sign::<F>(c);
    // `x` has the larger exponent.
    let (x, x_negative, y, y_negative) = if p.1 >= q.1 {
        (p, product_negative, q, c_negative)
    } else {
        (q, c_negative, p, product_negative)
    };
    let sig_y = shift_right_jam128(y.0, (x.1 - y.1) as u32);
    let (negative, sum) = if x_negative == y_negative {
        (x_negative, x.0 + sig_y)
    } else if x.0 > sig_y {
        (x_negative, x.0 - sig_y)
    } else if sig_y > x.0 {
        (y_negative, sig_y - x.0)
    } else {
        return exact_zero_sum::<F>(rm);
    };
    let (sig, exp) = narrow(sum, x.1);
    round_pack::<F>(negative, exp, sig, rm, flags)
}
