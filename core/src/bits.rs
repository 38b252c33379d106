//! Narrowing conversions, named for why they narrow.
//!
//! The workspace denies clippy's `cast_possible_truncation`: a bare `as`
//! that narrows does not say whether the bits it drops are meant to go.
//! These helpers say it once. Each compiles to the plain cast.
//!
//! - [`low_u8`], [`low_u16`], [`low_u32`], [`low_i32`]: the truncation is
//!   the point (a byte, halfword or word store takes the low bits of a
//!   register; RV64's `*W` instructions work on the low word; an
//!   instruction's first parcel is the low half of its fetch).
//! - [`to_usize`]: a guest quantity used as a host index or length;
//!   lossless because rivet only builds for 64-bit hosts (asserted in the
//!   crate root).
//!
//! The devices and the front end use them too, so the rule is stated once
//! for the whole workspace.

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
}

/// A value that narrows by taking its low bits: the unsigned integers up
/// to `u64` (sealed).
pub trait Bits: Copy + sealed::Sealed {
    /// The value, zero-extended to 64 bits.
    fn widen(self) -> u64;
}

macro_rules! bits {
    ($($t:ty)*) => {$(
        impl Bits for $t {
            #[inline(always)]
            fn widen(self) -> u64 {
                u64::from(self)
            }
        }
    )*};
}
bits!(u8 u16 u32 u64);

/// The low 8 bits of `x`; the rest are dropped on purpose.
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "taking the low byte is the point"
)]
pub fn low_u8(x: impl Bits) -> u8 {
    x.widen() as u8
}

/// The low 16 bits of `x`; the rest are dropped on purpose.
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "taking the low halfword is the point"
)]
pub fn low_u16(x: impl Bits) -> u16 {
    x.widen() as u16
}

/// The low 32 bits of `x`; the rest are dropped on purpose.
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "taking the low word is the point"
)]
pub fn low_u32(x: impl Bits) -> u32 {
    x.widen() as u32
}

/// The low 32 bits of `x` read as a two's-complement word (the operand
/// of RV64's `*W` instructions); the rest are dropped on purpose.
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "taking the low word is the point"
)]
pub const fn low_i32(x: u64) -> i32 {
    x as i32
}

/// `x` as a host index or length. Lossless: rivet builds only for hosts
/// with 64-bit `usize` (asserted in the crate root).
#[inline(always)]
#[expect(
    clippy::cast_possible_truncation,
    reason = "usize is 64 bits wide (asserted in lib.rs)"
)]
pub const fn to_usize(x: u64) -> usize {
    x as usize
}
