//! Unit tests that need the module's internals: the host fast paths must
//! agree bit for bit, flags included, with the integer algorithms they
//! short-cut. (The integer algorithms themselves are checked against
//! Berkeley SoftFloat by the oracle tests.)

use super::arith::{add_soft, div_soft, fma_soft, mul_soft, sqrt_soft};
use super::format::Format;
use super::host::{fast_f64_to_f32, Host};
use super::round::round_pack;
use super::{box_f32, unbox_f32, Flags, RoundingMode, F32, F64};

/// xorshift64*: a small deterministic generator, enough to spread operands.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value of format `F`, biased towards interesting encodings: few
    /// fraction bits (exact results and ties) and exponents near the ends
    /// of the range and near each other.
    fn value<F: Format>(&mut self) -> u64 {
        let r = self.next();
        let sign = (r & 1) << (F::WIDTH - 1);
        let frac = match (r >> 1) & 3 {
            0 => self.next() & F::FRAC_MASK,
            1 => self.next() & F::FRAC_MASK & !(F::FRAC_MASK >> ((r >> 8) % 8)),
            2 => F::FRAC_MASK,
            _ => 0,
        };
        let exp = match (r >> 3) & 7 {
            0 => (r >> 16) % 4,
            1 => F::EXP_MAX - 1 - (r >> 16) % 4,
            2..=5 => (F::BIAS as u64)
                .wrapping_add((r >> 16) % 64)
                .wrapping_sub(32),
            _ => (r >> 16) % (F::EXP_MAX + 1),
        };
        sign | (exp << F::FRAC_BITS) | frac
    }
}

/// Checks one fast path against its integer algorithm.
fn check<F: Host>(
    name: &str,
    rng: &mut Rng,
    arity: usize,
    fast: impl Fn(u64, u64, u64) -> Option<(u64, bool)>,
    soft: impl Fn(u64, u64, u64, &mut Flags) -> u64,
) {
    let mut taken = 0;
    for _ in 0..200_000 {
        let (a, b, c) = (rng.value::<F>(), rng.value::<F>(), rng.value::<F>());
        let b = if arity >= 2 { b } else { 0 };
        let c = if arity >= 3 { c } else { 0 };
        if let Some((bits, inexact)) = fast(a, b, c) {
            taken += 1;
            let mut flags = Flags::empty();
            let expect = soft(a, b, c, &mut flags);
            let fast_flags = if inexact { Flags::NX } else { Flags::empty() };
            assert_eq!(
                (bits, fast_flags),
                (expect, flags),
                "{name}({a:#x}, {b:#x}, {c:#x})"
            );
        }
    }
    // The fast path must actually be exercised (on hosts that have it).
    if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) && (arity < 3 || fma_taken::<F>())
    {
        assert!(taken > 10_000, "{name}: fast path taken only {taken} times");
    }
}

/// Whether the fused multiply-add fast path of `F` can be taken on this
/// host (binary64's needs a hardware fused multiply-add).
fn fma_taken<F: Host>() -> bool {
    F::WIDTH == 32
        || F64::fast_fma(
            0x3ff0_0000_0000_0000,
            0x4000_0000_0000_0000,
            0x3ff0_0000_0000_0000,
        )
        .is_some()
}

fn check_format<F: Host>(seed: u64) {
    let rm = RoundingMode::Rne;
    let rng = &mut Rng(seed);
    check::<F>(
        "add",
        rng,
        2,
        |a, b, _| F::fast_add(a, b),
        |a, b, _, f| add_soft::<F>(a, b, rm, f),
    );
    // Subtraction flips a sign and adds: make cancellation common.
    check::<F>(
        "add-cancel",
        rng,
        2,
        |a, b, _| F::fast_add(a, nudge::<F>(a ^ F::SIGN, b & 3)),
        |a, b, _, f| add_soft::<F>(a, nudge::<F>(a ^ F::SIGN, b & 3), rm, f),
    );
    check::<F>(
        "mul",
        rng,
        2,
        |a, b, _| F::fast_mul(a, b),
        |a, b, _, f| mul_soft::<F>(a, b, rm, f),
    );
    check::<F>(
        "div",
        rng,
        2,
        |a, b, _| F::fast_div(a, b),
        |a, b, _, f| div_soft::<F>(a, b, rm, f),
    );
    check::<F>(
        "sqrt",
        rng,
        1,
        |a, _, _| F::fast_sqrt(a & !F::SIGN),
        |a, _, _, f| sqrt_soft::<F>(a & !F::SIGN, rm, f),
    );
    check::<F>("fma", rng, 3, F::fast_fma, |a, b, c, f| {
        fma_soft::<F>(a, b, c, rm, f)
    });
    // Addends that nearly cancel the product (or double it).
    check::<F>(
        "fma-cancel",
        rng,
        3,
        |a, b, c| F::fast_fma(a, b, near_product::<F>(a, b, c)),
        |a, b, c, f| fma_soft::<F>(a, b, near_product::<F>(a, b, c), rm, f),
    );
}

#[test]
fn f64_fast_paths_match_integer_paths() {
    check_format::<F64>(0x9e37_79b9_7f4a_7c15);
}

#[test]
fn f32_fast_paths_match_integer_paths() {
    check_format::<F32>(0xd1b5_4a32_d192_ed03);
}

/// `+-(a * b)` rounded (the sign from `c`), moved by a few units in the
/// last place.
fn near_product<F: Format>(a: u64, b: u64, c: u64) -> u64 {
    let mut flags = Flags::empty();
    let p = mul_soft::<F>(a, b, RoundingMode::Rne, &mut flags);
    let sign = if c & 8 != 0 { F::SIGN } else { 0 };
    nudge::<F>(p ^ sign, (c & 7).wrapping_sub(3))
}

/// The encoding `x + delta` (wrapping within the format's width).
fn nudge<F: Format>(x: u64, delta: u64) -> u64 {
    x.wrapping_add(delta) & F::WIDTH_MASK
}

#[test]
fn f64_to_f32_fast_path_matches_integer_path() {
    let rng = &mut Rng(42);
    let mut taken = 0;
    for _ in 0..200_000 {
        let a = rng.value::<F64>();
        // Bring the exponent near binary32's range.
        let a = (a & !(0x7ff << 52)) | (((a >> 52) % 400 + 1023 - 200) << 52);
        if let Some((bits, inexact)) = fast_f64_to_f32(a) {
            taken += 1;
            let (sig, exp) = super::format::unpack::<F64>(a);
            let mut flags = Flags::empty();
            let negative = a >> 63 != 0;
            let expect = round_pack::<F32>(negative, exp, sig, RoundingMode::Rne, &mut flags);
            assert_eq!(
                (u64::from(bits), inexact),
                (expect, flags == Flags::NX),
                "{a:#x}"
            );
        }
    }
    if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
        assert!(taken > 10_000);
    }
}

#[test]
fn rounding_mode_encodings() {
    for bits in 0..=255u8 {
        let rm = RoundingMode::from_bits(bits);
        assert_eq!(rm.is_some(), bits <= 4);
        if let Some(rm) = rm {
            assert_eq!(rm.bits(), bits);
        }
    }
}

#[test]
fn nan_boxing() {
    assert_eq!(box_f32(0x3f80_0000), 0xffff_ffff_3f80_0000);
    assert_eq!(unbox_f32(0xffff_ffff_3f80_0000), 0x3f80_0000);
    assert_eq!(unbox_f32(0xffff_fffe_3f80_0000), F32::CANONICAL_NAN);
    assert_eq!(unbox_f32(0x0000_0000_3f80_0000), F32::CANONICAL_NAN);
    assert_eq!(unbox_f32(box_f32(0x7f80_0001)), 0x7f80_0001);
}

#[test]
fn helpers() {
    assert_eq!(F32::CANONICAL_NAN, 0x7fc0_0000);
    assert_eq!(F64::CANONICAL_NAN, 0x7ff8_0000_0000_0000);
    assert!(F32::is_nan(0xff80_0001) && F32::is_signaling_nan(0xff80_0001));
    assert!(F32::is_nan(0x7fc0_0000) && !F32::is_signaling_nan(0x7fc0_0000));
    assert!(!F32::is_nan(0x7f80_0000) && !F32::is_signaling_nan(0x7f80_0000));
    assert!(F64::is_signaling_nan(0x7ff0_0000_0000_0001));
    assert!(!F64::is_signaling_nan(0x7ff8_0000_0000_0000));
    assert!(!F64::is_nan(0xfff0_0000_0000_0000));
}
