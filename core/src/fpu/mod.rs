//! IEEE 754 binary16/binary32/binary64 arithmetic with RISC-V semantics, for
//! the Zfh, F and D extensions.
//!
//! Every operation works on the raw register bits (`u32` for binary32, `u64`
//! for binary64), takes an explicit [`RoundingMode`] where it rounds, and ORs
//! the exceptions it raises into a [`Flags`] accumulator laid out exactly like
//! the `fflags` CSR. The results follow the RISC-V unprivileged specification,
//! chapter "F" (and "D"):
//!
//! - every NaN result is the canonical NaN ([`F32::CANONICAL_NAN`],
//!   [`F64::CANONICAL_NAN`]); NaN payloads are never propagated;
//! - tininess is detected after rounding; UF is raised only when the result is
//!   both tiny and inexact;
//! - float-to-integer conversions saturate as the specification's table says
//!   (NaN converts to the largest positive integer).
//!
//! The operations are grouped as associated functions of the namespace
//! types [`F16`], [`F32`] and [`F64`] (`F32::add(a, b, rm, &mut flags)`), plus the
//! NaN-boxing helpers [`box_f16`], [`unbox_f16`], [`box_f32`] and
//! [`unbox_f32`]. binary16 has no host fast paths.
//!
//! How it works: operands are unpacked into an integer significand and a
//! binary exponent, the arithmetic is done exactly (or with a "sticky" bit
//! standing for everything shifted out) on `u64`/`u128` integers, and one
//! shared routine rounds and packs the result for both formats. For the most
//! common case (round to nearest, normal operands, normal result) `add`,
//! `sub`, `mul`, `div`, `sqrt`, the fused multiply-adds (binary64's only on
//! hosts with a fused multiply-add instruction) and the binary64-to-binary32
//! conversion first try the host's own IEEE arithmetic, which is used only
//! where its result and flags are provably identical (see the `host`
//! submodule, which argues each case).

#![warn(missing_docs)]

mod arith;
mod compare;
mod convert;
mod format;
mod host;
mod round;
#[cfg(test)]
mod tests;

use self::format::Format;
use self::host::Host;

/// A RISC-V static rounding mode, numbered as in the `frm` CSR and the `rm`
/// instruction field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RoundingMode {
    /// Round to nearest, ties to even.
    #[default]
    Rne = 0,
    /// Round towards zero.
    Rtz = 1,
    /// Round down (towards negative infinity).
    Rdn = 2,
    /// Round up (towards positive infinity).
    Rup = 3,
    /// Round to nearest, ties to max magnitude.
    Rmm = 4,
}

impl RoundingMode {
    /// Decodes a 3-bit `rm`/`frm` value. Returns `None` for the reserved
    /// encodings 5 and 6 and for 7 (dynamic), which the caller resolves
    /// through `frm` before calling here.
    #[inline]
    pub fn from_bits(bits: u8) -> Option<RoundingMode> {
        match bits {
            0 => Some(RoundingMode::Rne),
            1 => Some(RoundingMode::Rtz),
            2 => Some(RoundingMode::Rdn),
            3 => Some(RoundingMode::Rup),
            4 => Some(RoundingMode::Rmm),
            _ => None,
        }
    }

    /// The 3-bit `frm` encoding of this mode.
    #[inline]
    pub fn bits(self) -> u8 {
        self as u8
    }
}

bitflags::bitflags! {
    /// Accrued floating-point exceptions, bit for bit the `fflags` CSR.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct Flags: u8 {
        /// Inexact.
        const NX = 1 << 0;
        /// Underflow (tiny after rounding and inexact).
        const UF = 1 << 1;
        /// Overflow.
        const OF = 1 << 2;
        /// Divide by zero.
        const DZ = 1 << 3;
        /// Invalid operation.
        const NV = 1 << 4;
    }
}

/// Namespace of the binary16 (half-precision, Zfh extension) operations.
/// Operands and results are the raw `u16` register bits.
#[derive(Debug)]
pub enum F16 {}

/// Namespace of the binary32 (single-precision, F extension) operations.
/// Operands and results are the raw `u32` register bits.
#[derive(Debug)]
pub enum F32 {}

/// Namespace of the binary64 (double-precision, D extension) operations.
/// Operands and results are the raw `u64` register bits.
#[derive(Debug)]
pub enum F64 {}

/// A format's register bits (`u32` for binary32, `u64` for binary64), made
/// from the `u64` the shared algorithms compute in.
trait Encoding: Copy {
    /// The encoding in `x`. A binary32 result occupies the low 32 bits of
    /// its `u64` and the rest are zero, so nothing is lost.
    fn from_wide(x: u64) -> Self;
}

impl Encoding for u16 {
    #[inline(always)]
    fn from_wide(x: u64) -> u16 {
        crate::bits::low_u16(x)
    }
}

impl Encoding for u32 {
    #[inline(always)]
    fn from_wide(x: u64) -> u32 {
        crate::bits::low_u32(x)
    }
}

impl Encoding for u64 {
    #[inline(always)]
    fn from_wide(x: u64) -> u64 {
        x
    }
}

/// Generates the operations both formats share, as associated functions of
/// the namespace type `$ty` whose register bits are `$bits`.
macro_rules! format_api {
    ($ty:ident, $bits:ty, $name:literal) => {
        impl $ty {
            #[doc = concat!("The canonical quiet NaN of ", $name, ", the only NaN an operation returns.")]
            #[allow(
                clippy::cast_possible_truncation,
                reason = "a binary32 encoding fits a u32; an allow, not an expect: the binary64 expansion does not narrow"
            )]
            pub const CANONICAL_NAN: $bits = <$ty as Format>::CANONICAL_NAN as $bits;

            /// Whether `a` is a NaN (quiet or signalling).
            #[inline]
            pub fn is_nan(a: $bits) -> bool {
                format::is_nan::<$ty>(a.into())
            }

            /// Whether `a` is a signalling NaN (quiet bit clear).
            #[inline]
            pub fn is_signaling_nan(a: $bits) -> bool {
                format::is_snan::<$ty>(a.into())
            }

            /// `a + b`, rounded.
            #[inline]
            pub fn add(a: $bits, b: $bits, rm: RoundingMode, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(arith::add::<$ty>(a.into(), b.into(), rm, flags))
            }

            /// `a - b`, rounded.
            #[inline]
            pub fn sub(a: $bits, b: $bits, rm: RoundingMode, flags: &mut Flags) -> $bits {
                let b = u64::from(b) ^ <$ty as Format>::SIGN;
                <$bits>::from_wide(arith::add::<$ty>(a.into(), b, rm, flags))
            }

            /// `a * b`, rounded.
            #[inline]
            pub fn mul(a: $bits, b: $bits, rm: RoundingMode, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(arith::mul::<$ty>(a.into(), b.into(), rm, flags))
            }

            /// `a / b`, rounded (DZ for a finite non-zero `a` over zero).
            #[inline]
            pub fn div(a: $bits, b: $bits, rm: RoundingMode, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(arith::div::<$ty>(a.into(), b.into(), rm, flags))
            }

            /// The square root of `a`, rounded (`sqrt(-0) = -0`; NV for `a < 0`).
            #[inline]
            pub fn sqrt(a: $bits, rm: RoundingMode, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(arith::sqrt::<$ty>(a.into(), rm, flags))
            }

            /// `fmadd`: `a * b + c` with a single rounding.
            #[inline]
            pub fn madd(a: $bits, b: $bits, c: $bits, rm: RoundingMode, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(arith::fma::<$ty>(a.into(), b.into(), c.into(), rm, flags))
            }

            /// `fmsub`: `a * b - c` with a single rounding.
            #[inline]
            pub fn msub(a: $bits, b: $bits, c: $bits, rm: RoundingMode, flags: &mut Flags) -> $bits {
                let c = u64::from(c) ^ <$ty as Format>::SIGN;
                <$bits>::from_wide(arith::fma::<$ty>(a.into(), b.into(), c, rm, flags))
            }

            /// `fnmsub`: `-(a * b) + c` with a single rounding.
            #[inline]
            pub fn nmsub(a: $bits, b: $bits, c: $bits, rm: RoundingMode, flags: &mut Flags) -> $bits {
                let a = u64::from(a) ^ <$ty as Format>::SIGN;
                <$bits>::from_wide(arith::fma::<$ty>(a, b.into(), c.into(), rm, flags))
            }

            /// `fnmadd`: `-(a * b) - c` with a single rounding.
            #[inline]
            pub fn nmadd(a: $bits, b: $bits, c: $bits, rm: RoundingMode, flags: &mut Flags) -> $bits {
                let a = u64::from(a) ^ <$ty as Format>::SIGN;
                let c = u64::from(c) ^ <$ty as Format>::SIGN;
                <$bits>::from_wide(arith::fma::<$ty>(a, b.into(), c, rm, flags))
            }

            /// The host fast path of [`Self::add`] alone: the result and
            /// whether it is inexact (NX, the only flag it can raise) when
            /// the path applies (round to nearest-even, operands and result
            /// where it is proven exact: see `host`), `None` otherwise.
            #[inline(always)]
            pub fn add_fast(a: $bits, b: $bits, rm: RoundingMode) -> Option<($bits, bool)> {
                host::when_rne(rm, || <$ty as Host>::fast_add(a.into(), b.into()))
                    .map(|(r, nx)| (<$bits>::from_wide(r), nx))
            }

            /// The host fast path of [`Self::sub`] alone (see [`Self::add_fast`]).
            #[inline(always)]
            pub fn sub_fast(a: $bits, b: $bits, rm: RoundingMode) -> Option<($bits, bool)> {
                Self::add_fast(a, b ^ <$bits>::from_wide(<$ty as Format>::SIGN), rm)
            }

            /// The host fast path of [`Self::mul`] alone (see [`Self::add_fast`]).
            #[inline(always)]
            pub fn mul_fast(a: $bits, b: $bits, rm: RoundingMode) -> Option<($bits, bool)> {
                host::when_rne(rm, || <$ty as Host>::fast_mul(a.into(), b.into()))
                    .map(|(r, nx)| (<$bits>::from_wide(r), nx))
            }

            /// The host fast path of [`Self::div`] alone (see [`Self::add_fast`]).
            #[inline(always)]
            pub fn div_fast(a: $bits, b: $bits, rm: RoundingMode) -> Option<($bits, bool)> {
                host::when_rne(rm, || <$ty as Host>::fast_div(a.into(), b.into()))
                    .map(|(r, nx)| (<$bits>::from_wide(r), nx))
            }

            /// `fmin`: IEEE 754-2019 minimumNumber, with `-0 < +0`. One NaN
            /// operand yields the other operand, two yield the canonical NaN;
            /// NV if either operand is a signalling NaN.
            #[inline]
            pub fn min(a: $bits, b: $bits, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(compare::min_max::<$ty>(a.into(), b.into(), false, flags))
            }

            /// `fmax`: IEEE 754-2019 maximumNumber, with `-0 < +0`. One NaN
            /// operand yields the other operand, two yield the canonical NaN;
            /// NV if either operand is a signalling NaN.
            #[inline]
            pub fn max(a: $bits, b: $bits, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(compare::min_max::<$ty>(a.into(), b.into(), true, flags))
            }

            /// `feq`: quiet equality (`-0 == +0`; false for NaN, NV only for a
            /// signalling NaN operand).
            #[inline]
            pub fn eq(a: $bits, b: $bits, flags: &mut Flags) -> bool {
                compare::eq::<$ty>(a.into(), b.into(), flags)
            }

            /// `flt`: signalling `a < b` (false and NV if either is a NaN).
            #[inline]
            pub fn lt(a: $bits, b: $bits, flags: &mut Flags) -> bool {
                compare::lt::<$ty>(a.into(), b.into(), flags)
            }

            /// `fle`: signalling `a <= b` (false and NV if either is a NaN).
            #[inline]
            pub fn le(a: $bits, b: $bits, flags: &mut Flags) -> bool {
                compare::le::<$ty>(a.into(), b.into(), flags)
            }

            /// `fclass`: the 10-bit class mask (bit 0 `-inf`, 1 negative
            /// normal, 2 negative subnormal, 3 `-0`, 4 `+0`, 5 positive
            /// subnormal, 6 positive normal, 7 `+inf`, 8 signalling NaN,
            /// 9 quiet NaN). Exactly one bit is set.
            #[inline]
            pub fn classify(a: $bits) -> u16 {
                compare::classify::<$ty>(a.into())
            }

            /// `fcvt.w`: to a signed 32-bit integer, rounded; out of range or
            /// NaN saturates (NaN and too large to `i32::MAX`, too small to
            /// `i32::MIN`) and raises NV only; in range but inexact raises NX.
            #[inline]
            #[expect(
                clippy::cast_possible_truncation,
                reason = "to_int saturates to the 32-bit range: the value fits"
            )]
            pub fn to_i32(a: $bits, rm: RoundingMode, flags: &mut Flags) -> i32 {
                convert::to_int::<$ty>(a.into(), rm, true, 32, flags) as i32
            }

            /// `fcvt.wu`: to an unsigned 32-bit integer, rounded; NaN and too
            /// large saturate to `u32::MAX`, negative values that do not round
            /// to zero to 0, with NV only; in range but inexact raises NX.
            #[inline]
            #[expect(
                clippy::cast_possible_truncation,
                reason = "to_int saturates to the 32-bit range: the value fits"
            )]
            pub fn to_u32(a: $bits, rm: RoundingMode, flags: &mut Flags) -> u32 {

                convert::to_int::<$ty>(a.into(), rm, false, 32, flags) as u32
            }

            /// `fcvt.l`: to a signed 64-bit integer, rounded, saturating like
            /// [`Self::to_i32`].
            #[inline]
            pub fn to_i64(a: $bits, rm: RoundingMode, flags: &mut Flags) -> i64 {
                convert::to_int::<$ty>(a.into(), rm, true, 64, flags) as i64
            }

            /// `fcvt.lu`: to an unsigned 64-bit integer, rounded, saturating
            /// like [`Self::to_u32`].
            #[inline]
            pub fn to_u64(a: $bits, rm: RoundingMode, flags: &mut Flags) -> u64 {
                convert::to_int::<$ty>(a.into(), rm, false, 64, flags)
            }

            /// Conversion from a signed 32-bit integer, rounded.
            #[inline]
            pub fn from_i32(a: i32, rm: RoundingMode, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(convert::from_int::<$ty>(a < 0, u64::from(a.unsigned_abs()), rm, flags))
            }

            /// Conversion from an unsigned 32-bit integer, rounded.
            #[inline]
            pub fn from_u32(a: u32, rm: RoundingMode, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(convert::from_int::<$ty>(false, u64::from(a), rm, flags))
            }

            /// Conversion from a signed 64-bit integer, rounded.
            #[inline]
            pub fn from_i64(a: i64, rm: RoundingMode, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(convert::from_int::<$ty>(a < 0, a.unsigned_abs(), rm, flags))
            }

            /// Conversion from an unsigned 64-bit integer, rounded.
            #[inline]
            pub fn from_u64(a: u64, rm: RoundingMode, flags: &mut Flags) -> $bits {
                <$bits>::from_wide(convert::from_int::<$ty>(false, a, rm, flags))
            }
        }
    };
}

format_api!(F16, u16, "binary16");
format_api!(F32, u32, "binary32");
format_api!(F64, u64, "binary64");

impl F32 {
    /// `fcvt.d.s`: widening to binary64, always exact; NV for a signalling
    /// NaN, and every NaN becomes the canonical binary64 NaN.
    #[inline]
    pub fn to_f64(a: u32, flags: &mut Flags) -> u64 {
        convert::f32_to_f64(a, flags)
    }
}

impl F16 {
    /// `fcvt.s.h`: widening to binary32, always exact; NV for a signalling
    /// NaN, and every NaN becomes the canonical binary32 NaN.
    #[inline]
    pub fn to_f32(a: u16, flags: &mut Flags) -> u32 {
        crate::bits::low_u32(convert::widen::<F16, F32>(a.into(), flags))
    }

    /// `fcvt.d.h`: widening to binary64, always exact; NV for a signalling
    /// NaN, and every NaN becomes the canonical binary64 NaN.
    #[inline]
    pub fn to_f64(a: u16, flags: &mut Flags) -> u64 {
        convert::widen::<F16, F64>(a.into(), flags)
    }
}

impl F32 {
    /// `fcvt.h.s`: narrowing to binary16, rounded; NV for a signalling NaN,
    /// and every NaN becomes the canonical binary16 NaN.
    #[inline]
    pub fn to_f16(a: u32, rm: RoundingMode, flags: &mut Flags) -> u16 {
        crate::bits::low_u16(convert::narrow::<F32, F16>(a.into(), rm, flags))
    }
}

impl F64 {
    /// `fcvt.h.d`: narrowing to binary16, rounded; NV for a signalling NaN,
    /// and every NaN becomes the canonical binary16 NaN.
    #[inline]
    pub fn to_f16(a: u64, rm: RoundingMode, flags: &mut Flags) -> u16 {
        crate::bits::low_u16(convert::narrow::<F64, F16>(a, rm, flags))
    }

    /// `fcvt.s.d`: narrowing to binary32, rounded; NV for a signalling NaN,
    /// and every NaN becomes the canonical binary32 NaN.
    #[inline]
    pub fn to_f32(a: u64, rm: RoundingMode, flags: &mut Flags) -> u32 {
        convert::f64_to_f32(a, rm, flags)
    }
}

/// NaN-boxes a binary16 value into a 64-bit `f` register (upper 48 bits all
/// ones), as every Zfh/Zfhmin write to an FLEN = 64 register must.
#[inline]
pub fn box_f16(a: u16) -> u64 {
    0xffff_ffff_ffff_0000 | u64::from(a)
}

/// Reads a binary16 operand from a 64-bit `f` register: the low 16 bits if
/// the value is properly NaN-boxed, otherwise the canonical binary16 NaN.
#[inline]
pub fn unbox_f16(reg: u64) -> u16 {
    if reg >> 16 == 0xffff_ffff_ffff {
        crate::bits::low_u16(reg)
    } else {
        F16::CANONICAL_NAN
    }
}

/// NaN-boxes a binary32 value into a 64-bit `f` register (upper 32 bits all
/// ones), as every F-extension write to an FLEN = 64 register must.
#[inline]
pub fn box_f32(a: u32) -> u64 {
    0xffff_ffff_0000_0000 | u64::from(a)
}

/// Reads a binary32 operand from a 64-bit `f` register: the low 32 bits if
/// the value is properly NaN-boxed, otherwise the canonical binary32 NaN.
#[inline]
pub fn unbox_f32(reg: u64) -> u32 {
    if reg >> 32 == 0xffff_ffff {
        crate::bits::low_u32(reg)
    } else {
        F32::CANONICAL_NAN
    }
}
