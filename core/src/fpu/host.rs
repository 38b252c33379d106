//! Fast paths on the host's own IEEE 754 arithmetic, for round-to-nearest.
//!
//! Each `fast_*` function returns `Some((result bits, inexact))` only when it
//! can prove that the host result and the flags NX-or-nothing are exactly
//! what the integer algorithm would produce, and `None` otherwise (the caller
//! then runs the integer algorithm). The common ground of every proof:
//!
//! - Rust's `+ - * /`, `sqrt` and `as` conversions between `f32` and `f64`
//!   are IEEE 754 operations correctly rounded to nearest-even on the
//!   targets listed in [`ENABLED`] (the default floating-point environment;
//!   Rust never changes it). On other targets (e.g. x87-only x86) the fast
//!   paths are compiled out.
//! - Operands are normal numbers (zeros where harmless): no NaN payload or
//!   sign can leak from the host. Results must be normal too, and, except
//!   for addition (which never underflows: a sum in the subnormal range is
//!   exact), have a biased exponent of at least 2: `|r| >= 2^(emin+1)` rules
//!   out overflow (OF) and, since the exact value is then at least
//!   `2^(emin+1) - ulp/2 > 2^emin`, tininess (UF). The only flag left is NX,
//!   which each path derives from an exactness test.
//! - Keeping subnormals away from the host also keeps the paths correct if
//!   the process runs with flush-to-zero or denormals-are-zero modes set
//!   behind Rust's back (a shared library built with `-ffast-math` can do
//!   that when it is loaded).

use super::format::{exp_field, exp_i32, magnitude, Format};
use super::{Flags, RoundingMode, F16, F32, F64};
use crate::bits::low_u32;

/// Whether the host's `f32`/`f64` arithmetic is known to be IEEE 754
/// round-to-nearest-even with gradual underflow on this target.
const ENABLED: bool = cfg!(any(target_arch = "x86_64", target_arch = "aarch64"));

/// A format with host fast paths (for round-to-nearest-even only). Each
/// returns the result bits and whether the result is inexact, or `None` to
/// defer to the integer algorithm.
pub(super) trait Host: Format {
    /// `a + b`.
    fn fast_add(a: u64, b: u64) -> Option<(u64, bool)>;
    /// `a * b`.
    fn fast_mul(a: u64, b: u64) -> Option<(u64, bool)>;
    /// `a / b`.
    fn fast_div(a: u64, b: u64) -> Option<(u64, bool)>;
    /// `sqrt(a)`.
    fn fast_sqrt(a: u64) -> Option<(u64, bool)>;
    /// `a * b + c` with one rounding.
    fn fast_fma(a: u64, b: u64, c: u64) -> Option<(u64, bool)>;
}

/// Runs the fast path `fast` when rounding to nearest-even; if it succeeds,
/// raises NX for an inexact result and returns the result.
#[inline(always)]
pub(super) fn try_fast<T>(
    rm: RoundingMode,
    flags: &mut Flags,
    fast: impl FnOnce() -> Option<(T, bool)>,
) -> Option<T> {
    let (bits, inexact) = when_rne(rm, fast)?;
    if inexact {
        *flags |= Flags::NX;
    }
    Some(bits)
}

/// Runs the fast path `fast` only when rounding to nearest-even (the one
/// mode the host arithmetic implements).
#[inline(always)]
pub(super) fn when_rne<T>(
    rm: RoundingMode,
    fast: impl FnOnce() -> Option<(T, bool)>,
) -> Option<(T, bool)> {
    if rm != RoundingMode::Rne {
        return None;
    }
    fast()
}

/// Whether `x` is a normal number or a zero.
#[inline(always)]
fn normal_or_zero<F: Format>(x: u64) -> bool {
    normal::<F>(x) || magnitude::<F>(x) == 0
}

/// Whether `x` is a normal number.
#[inline(always)]
fn normal<F: Format>(x: u64) -> bool {
    let e = exp_field::<F>(x);
    e != 0 && e != F::EXP_MAX
}

/// Whether a host result may be returned as is: finite, and at least
/// `2^(emin+1)` in magnitude, so neither overflow nor tininess is possible.
#[inline(always)]
fn safe_result<F: Format>(r: u64) -> bool {
    let e = exp_field::<F>(r);
    e >= 2 && e != F::EXP_MAX
}

/// The significand of a normal number, hidden bit included.
#[inline(always)]
fn significand<F: Format>(x: u64) -> u64 {
    (x & F::FRAC_MASK) | F::HIDDEN
}

/// Whether `p == m * 2^k` for the product `p` of two normal significands
/// and a normal significand `m` (the exactness test of division and square
/// root): `p` lies in `[2^2t, 2^(2t+2))` and `m * 2^k` in `[2^(t+k),
/// 2^(t+k+1))`, so only `k = t` and `k = t + 1` can match.
#[inline(always)]
fn product_is_shifted<F: Format>(p: u128, m: u64, k: i32) -> bool {
    let t = F::FRAC_BITS as i32;
    (k == t || k == t + 1) && p == u128::from(m) << k
}

/// Fast2Sum (Dekker 1971; Muller et al., Handbook of Floating-Point
/// Arithmetic, 2nd ed., Thm 4.3): in radix 2 with round-to-nearest and no
/// overflow, if `|x| >= |y|` and `s = fl(x + y)`, then `s - x` is computed
/// exactly and `y - (s - x)` is the exact rounding error of `s`. So `s` is
/// exact iff `s - x == y`. Addition never raises UF (a sum in the
/// subnormal range is exact), so a normal result needs no range check; a is left to the integer path anyway (the result must be normal).
macro_rules! fast_add_body {
    ($from_bits:expr, $a:expr, $b:expr) => {{
        let (a, b) = ($a, $b);
        if !ENABLED || !normal_or_zero::<Self>(a) || !normal_or_zero::<Self>(b) {
            return None;
        }
        let (x, y) = if magnitude::<Self>(a) >= magnitude::<Self>(b) {
            (a, b)
        } else {
            (b, a)
        };
        let (x, y) = ($from_bits(x), $from_bits(y));
        let s = x + y;
        if !normal::<Self>(u64::from(s.to_bits())) {
            return None;
        }
        #[allow(clippy::float_cmp)] // exact comparison is the point
        let inexact = s - x != y;
        Some((u64::from(s.to_bits()), inexact))
    }};
}

impl Host for F64 {
    #[inline(always)]
    fn fast_add(a: u64, b: u64) -> Option<(u64, bool)> {
        fast_add_body!(f64::from_bits, a, b)
    }

    /// Exactness, without forming the product: the product `P = m_a * m_b`
    /// of the two 53-bit significands (each in `[2^52, 2^53)`) lies in
    /// `[2^104, 2^106)`, so it has `105 + c` bits, where `c = 1` iff `P >=
    /// 2^105`; its lowest one is at `tz(m_a) + tz(m_b)`. The rounded
    /// product is exact iff `P` has at most 53 significant bits, i.e. iff
    /// `tz(m_a) + tz(m_b) >= 52 + c`.
    ///
    /// `c` is read off the result's exponent: `E_r = E_a + E_b + c'` (biased
    /// exponents, less the bias once), where `c'` is the carry of the
    /// *rounded* significand product. Rounding is monotonic and `2^105`
    /// maps to a representable value, so `c = 1` implies `c' = 1`. If
    /// `c' = 1` but `c = 0` (the product rounded up to the next binade),
    /// the product is inexact, so it has more than 53 significant bits,
    /// `tz < 52`, and the test with `c'` (`tz >= 53`) says inexact too. So
    /// testing with `c'` gives the right answer in every case.
    #[inline(always)]
    fn fast_mul(a: u64, b: u64) -> Option<(u64, bool)> {
        if !ENABLED || !normal::<Self>(a) || !normal::<Self>(b) {
            return None;
        }
        let r = (f64::from_bits(a) * f64::from_bits(b)).to_bits();
        if !safe_result::<Self>(r) {
            return None;
        }
        let carry = exp_i32::<Self>(r) + Self::BIAS - exp_i32::<Self>(a) - exp_i32::<Self>(b);
        let zeros =
            significand::<Self>(a).trailing_zeros() + significand::<Self>(b).trailing_zeros();
        let inexact = (zeros as i32) < Self::FRAC_BITS as i32 + carry;
        Some((r, inexact))
    }

    /// Exactness: `q = a / b` is exact iff `q * b == a`, i.e. (writing each as
    /// `m * 2^(E - 52)` with unbiased E) iff `m_q * m_b == m_a * 2^(E_a -
    /// E_q - E_b + 52)`, a comparison of integers.
    #[inline(always)]
    fn fast_div(a: u64, b: u64) -> Option<(u64, bool)> {
        if !ENABLED || !normal::<Self>(a) || !normal::<Self>(b) {
            return None;
        }
        let q = (f64::from_bits(a) / f64::from_bits(b)).to_bits();
        if !safe_result::<Self>(q) {
            return None;
        }
        let p = u128::from(significand::<Self>(q)) * u128::from(significand::<Self>(b));
        // Biased exponents: the biases cancel to one + BIAS.
        let k = exp_i32::<Self>(a) - exp_i32::<Self>(q) - exp_i32::<Self>(b)
            + Self::BIAS
            + Self::FRAC_BITS as i32;
        let exact = product_is_shifted::<Self>(p, significand::<Self>(a), k);
        Some((q, !exact))
    }

    /// The root of a positive normal number is normal. Exactness: `r` is
    /// exact iff `r * r == a`, i.e. iff `m_r^2 == m_a * 2^(E_a - 2 E_r + 52)`.
    #[inline(always)]
    fn fast_sqrt(a: u64) -> Option<(u64, bool)> {
        if !ENABLED || a & Self::SIGN != 0 || !normal::<Self>(a) {
            return None;
        }
        let r = f64::from_bits(a).sqrt().to_bits();
        let m = significand::<Self>(r);
        let p = u128::from(m) * u128::from(m);
        let k = exp_i32::<Self>(a) - 2 * exp_i32::<Self>(r) + Self::BIAS + Self::FRAC_BITS as i32;
        let exact = product_is_shifted::<Self>(p, significand::<Self>(a), k);
        Some((r, !exact))
    }

    /// `f64::mul_add` is LLVM's `llvm.fma`, which computes `a * b + c` as if
    /// with unbounded precision and rounds once (like C99's `fma`, 7.12.13.1;
    /// on x86-64 without the `fma` target feature it is a call to the C
    /// library's `fma`, which uses the instruction when the processor has it;
    /// the path is only taken when it has, so it never costs a software
    /// emulation).
    ///
    /// Exactness, on integers: write `a * b = P = p * 2^lp` and `c = q *
    /// 2^lc` with `p`, `q` odd, so the exact sum `S = P + c` has its lowest
    /// one at `min(lp, lc)` when `lp != lc`, and at `lp + tz(p +- q)` when
    /// they are equal (`p +- q` is exact in a u128: below 2^107). `S` is
    /// representable iff its leading and lowest one are at most 52 places
    /// apart. The rounded `r` has its leading one at or above that of `S`
    /// (rounding to nearest never leaves the binade `[2^k, 2^(k+1))` of `S`
    /// downwards, since `2^k` is representable), and exactly there when `r
    /// = S`; so "the leading one of `r` is at most 52 places above the
    /// lowest one of `S`" holds iff `r` is exact.
    #[inline(always)]
    fn fast_fma(a: u64, b: u64, c: u64) -> Option<(u64, bool)> {
        if !ENABLED
            || !normal::<Self>(a)
            || !normal::<Self>(b)
            || !normal::<Self>(c)
            || !host_has_fma()
        {
            return None;
        }
        let r = f64::from_bits(a)
            .mul_add(f64::from_bits(b), f64::from_bits(c))
            .to_bits();
        if !safe_result::<Self>(r) {
            return None;
        }
        // Positions of the lowest ones as binary exponents plus 2 BIAS + 104
        // (any common offset does for the comparisons).
        let p = u128::from(significand::<Self>(a)) * u128::from(significand::<Self>(b));
        let q = significand::<Self>(c);
        let low_p = exp_i32::<Self>(a) + exp_i32::<Self>(b) + p.trailing_zeros() as i32;
        let low_q =
            exp_i32::<Self>(c) + Self::BIAS + Self::FRAC_BITS as i32 + q.trailing_zeros() as i32;
        let low = if low_p != low_q {
            low_p.min(low_q)
        } else {
            let (p, q) = (p >> p.trailing_zeros(), u128::from(q >> q.trailing_zeros()));
            let same_sign = (a ^ b ^ c) & Self::SIGN == 0;
            // Non-zero: a zero sum would have given r = 0, rejected above.
            let sum = if same_sign { p + q } else { p.abs_diff(q) };
            low_p + sum.trailing_zeros() as i32
        };
        // The leading one of r, in the same units.
        let top = exp_i32::<Self>(r) + Self::BIAS + 2 * Self::FRAC_BITS as i32;
        Some((r, top - low > Self::FRAC_BITS as i32))
    }
}

/// Whether `f64::mul_add` runs on a fused multiply-add instruction.
#[inline(always)]
fn host_has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        cfg!(target_feature = "fma") || std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        // AArch64 always has FMADD.
        cfg!(target_arch = "aarch64")
    }
}

/// binary32 goes through `f64`, whose 53-bit significand holds any product
/// of two binary32 values exactly (24 + 24 bits, exponents within range),
/// and whose double rounding is innocuous for `+ - * / sqrt` of binary32
/// operands (Figueroa, "When is double rounding innocuous?", 1995: it is
/// when the wider precision is at least 2p + 2 = 50 bits).
/// binary16 has no host type: every operation runs the integer algorithms.
impl Host for F16 {
    #[inline(always)]
    fn fast_add(_: u64, _: u64) -> Option<(u64, bool)> {
        None
    }

    #[inline(always)]
    fn fast_mul(_: u64, _: u64) -> Option<(u64, bool)> {
        None
    }

    #[inline(always)]
    fn fast_div(_: u64, _: u64) -> Option<(u64, bool)> {
        None
    }

    #[inline(always)]
    fn fast_sqrt(_: u64) -> Option<(u64, bool)> {
        None
    }

    #[inline(always)]
    fn fast_fma(_: u64, _: u64, _: u64) -> Option<(u64, bool)> {
        None
    }
}

impl Host for F32 {
    #[inline(always)]
    fn fast_add(a: u64, b: u64) -> Option<(u64, bool)> {
        fast_add_body!(binary32, a, b)
    }

    /// The `f64` product is exact, so converting it rounds once. Exact iff
    /// the conversion gives it back.
    #[inline(always)]
    fn fast_mul(a: u64, b: u64) -> Option<(u64, bool)> {
        if !ENABLED || !normal::<Self>(a) || !normal::<Self>(b) {
            return None;
        }
        let p = widen(a) * widen(b);
        let r = round_f32(p);
        if !safe_result::<Self>(u64::from(r.to_bits())) {
            return None;
        }
        #[allow(clippy::float_cmp)] // exact comparison is the point
        let inexact = f64::from(r) != p;
        Some((u64::from(r.to_bits()), inexact))
    }

    /// Division in `f64` then rounding to `f32` is correctly rounded (see
    /// the impl). Exact iff `r * b == a`, and that product is exact in `f64`.
    #[inline(always)]
    fn fast_div(a: u64, b: u64) -> Option<(u64, bool)> {
        if !ENABLED || !normal::<Self>(a) || !normal::<Self>(b) {
            return None;
        }
        let r = round_f32(widen(a) / widen(b));
        if !safe_result::<Self>(u64::from(r.to_bits())) {
            return None;
        }
        #[allow(clippy::float_cmp)] // exact comparison is the point
        let inexact = f64::from(r) * widen(b) != widen(a);
        Some((u64::from(r.to_bits()), inexact))
    }

    /// The root of a positive normal binary32 number is normal. Exact iff
    /// `r * r == a`, and that product is exact in `f64`.
    #[inline(always)]
    fn fast_sqrt(a: u64) -> Option<(u64, bool)> {
        if !ENABLED || a & Self::SIGN != 0 || !normal::<Self>(a) {
            return None;
        }
        let r = round_f32(widen(a).sqrt());
        let r64 = f64::from(r);
        #[allow(clippy::float_cmp)] // exact comparison is the point
        let inexact = r64 * r64 != widen(a);
        Some((u64::from(r.to_bits()), inexact))
    }

    /// `p = a * b` is exact in `f64`; `s = fl64(p + c)` with its exact error
    /// `e` from TwoSum (Knuth; Handbook Thm 4.4: exact with round-to-nearest
    /// absent overflow; every value involved is a multiple of 2^-298, so at
    /// least that when non-zero: far inside `f64`'s normal range). The exact sum is `s + e` with `|e|` at most
    /// half an `f64` ulp of `s`. Rounding to binary32 is constant between
    /// consecutive binary32 midpoints; those midpoints are `f64` numbers, so
    /// `s + e` lies between the same two midpoints as `s` unless `s` is
    /// itself a midpoint. Hence `fl32(s) = fl32(s + e)` except when `s` is a
    /// binary32 midpoint and `e != 0`, which is left to the integer path.
    #[inline(always)]
    fn fast_fma(a: u64, b: u64, c: u64) -> Option<(u64, bool)> {
        if !ENABLED || !normal::<Self>(a) || !normal::<Self>(b) || !normal_or_zero::<Self>(c) {
            return None;
        }
        let p = widen(a) * widen(b);
        let c = widen(c);
        let s = p + c;
        // TwoSum: e = (p - (s - bv)) + (c - bv) with bv = s - p.
        let bv = s - p;
        let e = (p - (s - bv)) + (c - bv);
        let r = round_f32(s);
        if !safe_result::<Self>(u64::from(r.to_bits())) {
            return None;
        }
        // The 29 low fraction bits of `s` are those below a binary32 ulp
        // (valid since `s` is in binary32's normal range, as `r` is); a
        // midpoint has exactly the top one of them set.
        let low = s.to_bits() & ((1 << 29) - 1);
        if e != 0.0 && low == 1 << 28 {
            return None;
        }
        #[allow(clippy::float_cmp)] // exact comparison is the point
        let inexact = e != 0.0 || f64::from(r) != s;
        Some((u64::from(r.to_bits()), inexact))
    }
}

/// The binary32 value in the low bits of `x`.
#[inline(always)]
fn binary32(x: u64) -> f32 {
    f32::from_bits(low_u32(x))
}

/// The binary32 value in the low bits of `x` as an `f64` (exact).
#[inline(always)]
fn widen(x: u64) -> f64 {
    f64::from(binary32(x))
}

/// `x` rounded to binary32 by the host: Rust's `as` rounds correctly (to
/// nearest, ties to even), and losing the extra precision is the point.
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "rounding to binary32 is the point"
)]
fn round_f32(x: f64) -> f32 {
    x as f32
}

/// binary64 to binary32 under round-to-nearest: Rust's `as` rounds
/// correctly (to nearest, ties to even); exact iff it converts back.
#[inline(always)]
pub(super) fn fast_f64_to_f32(a: u64) -> Option<(u32, bool)> {
    if !ENABLED || !normal::<F64>(a) {
        return None;
    }
    let x = f64::from_bits(a);
    let r = round_f32(x);
    if !safe_result::<F32>(u64::from(r.to_bits())) {
        return None;
    }
    #[allow(clippy::float_cmp)] // exact comparison is the point
    let inexact = f64::from(r) != x;
    Some((r.to_bits(), inexact))
}
