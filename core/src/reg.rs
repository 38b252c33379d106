//! Register names: the integer registers `x0`–`x31` and the floating-point
//! registers `f0`–`f31`, with their ABI names from the RISC-V calling
//! convention.

use std::fmt;

/// The ABI names of `x0`..`x31`.
pub const X_ABI_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// The ABI names of `f0`..`f31`.
pub const F_ABI_NAMES: [&str; 32] = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

/// An integer register `x0`..`x31`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct XReg(u8);

/// A floating-point register `f0`..`f31`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FReg(u8);

macro_rules! register_type {
    ($ty:ident, $prefix:literal, $names:ident) => {
        impl $ty {
            /// The register with this number, if it is below 32.
            pub const fn new(index: u8) -> Option<Self> {
                if index < 32 {
                    Some(Self(index))
                } else {
                    None
                }
            }

            /// The register's number (0..32).
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// The register's ABI name.
            pub const fn abi_name(self) -> &'static str {
                $names[self.0 as usize]
            }

            /// Parses an architectural name (`x5`, `f5`) or an ABI name (`t0`, `ft5`).
            pub fn from_name(name: &str) -> Option<Self> {
                if let Some(n) = name
                    .strip_prefix($prefix)
                    .and_then(|n| n.parse::<u8>().ok())
                {
                    return Self::new(n);
                }
                if $prefix == "x" && name == "fp" {
                    return Some(Self(8));
                }
                $names
                    .iter()
                    .position(|&abi| abi == name)
                    .and_then(|i| u8::try_from(i).ok())
                    .map(Self)
            }

            /// All 32 registers in order.
            pub fn all() -> impl Iterator<Item = Self> {
                (0..32).map(Self)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.abi_name())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

register_type!(XReg, "x", X_ABI_NAMES);
register_type!(FReg, "f", F_ABI_NAMES);

#[allow(missing_docs)]
impl XReg {
    pub const ZERO: XReg = XReg(0);
    pub const RA: XReg = XReg(1);
    pub const SP: XReg = XReg(2);
    pub const GP: XReg = XReg(3);
    pub const TP: XReg = XReg(4);
    pub const T0: XReg = XReg(5);
    pub const T1: XReg = XReg(6);
    pub const T2: XReg = XReg(7);
    pub const S0: XReg = XReg(8);
    pub const S1: XReg = XReg(9);
    pub const A0: XReg = XReg(10);
    pub const A1: XReg = XReg(11);
    pub const A2: XReg = XReg(12);
    pub const A3: XReg = XReg(13);
    pub const A4: XReg = XReg(14);
    pub const A5: XReg = XReg(15);
    pub const A6: XReg = XReg(16);
    pub const A7: XReg = XReg(17);
    pub const S2: XReg = XReg(18);
    pub const S3: XReg = XReg(19);
    pub const S4: XReg = XReg(20);
    pub const S5: XReg = XReg(21);
    pub const S6: XReg = XReg(22);
    pub const S7: XReg = XReg(23);
    pub const S8: XReg = XReg(24);
    pub const S9: XReg = XReg(25);
    pub const S10: XReg = XReg(26);
    pub const S11: XReg = XReg(27);
    pub const T3: XReg = XReg(28);
    pub const T4: XReg = XReg(29);
    pub const T5: XReg = XReg(30);
    pub const T6: XReg = XReg(31);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in XReg::all() {
            assert_eq!(XReg::from_name(r.abi_name()), Some(r));
            assert_eq!(XReg::from_name(&format!("x{}", r.index())), Some(r));
        }
        for r in FReg::all() {
            assert_eq!(FReg::from_name(r.abi_name()), Some(r));
        }
        assert_eq!(XReg::from_name("fp"), Some(XReg::S0));
        assert_eq!(XReg::from_name("x32"), None);
        assert_eq!(XReg::new(32), None);
    }

    #[test]
    fn every_integer_register_has_a_named_constant() {
        let named = [
            XReg::ZERO,
            XReg::RA,
            XReg::SP,
            XReg::GP,
            XReg::TP,
            XReg::T0,
            XReg::T1,
            XReg::T2,
            XReg::S0,
            XReg::S1,
            XReg::A0,
            XReg::A1,
            XReg::A2,
            XReg::A3,
            XReg::A4,
            XReg::A5,
            XReg::A6,
            XReg::A7,
            XReg::S2,
            XReg::S3,
            XReg::S4,
            XReg::S5,
            XReg::S6,
            XReg::S7,
            XReg::S8,
            XReg::S9,
            XReg::S10,
            XReg::S11,
            XReg::T3,
            XReg::T4,
            XReg::T5,
            XReg::T6,
        ];
        for (i, r) in named.iter().enumerate() {
            assert_eq!(r.index(), i);
            assert_eq!(XReg::from_name(r.abi_name()), Some(*r));
        }
    }
}
