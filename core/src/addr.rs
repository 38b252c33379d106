//! Guest physical addresses as a type of their own.
//!
//! A virtual address (what a program computes) and a physical address (what
//! the bus sees after translation) are both 64-bit numbers. rivet gives
//! physical addresses their own type, [`PhysAddr`], at every API that
//! takes or returns one (RAM, the bus, the devices, a memory hook's
//! access), so that the compiler keeps them apart from virtual ones.
//! Virtual addresses stay plain `u64`: they are register values (`pc`,
//! `x[rs1] + imm`), computed with the ISA's wrapping arithmetic, and every
//! API that takes one (breakpoints, `run_to`, `debug_read`) names it so.
//! Arithmetic on a `PhysAddr` is explicit and checked, as in rust-vmm's
//! `vm-memory`: there are no `+`/`-` operators on purpose.

use std::fmt;

/// The size of a base page (4 KiB) as a shift.
pub const PAGE_SHIFT: u32 = 12;
/// The size of a base page in bytes.
pub const PAGE_SIZE: u64 = 1 << PAGE_SHIFT;

macro_rules! address_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub u64);

        impl $name {
            /// Wraps a raw address.
            pub const fn new(raw: u64) -> Self {
                Self(raw)
            }

            /// The raw address.
            pub const fn get(self) -> u64 {
                self.0
            }

            /// `self + offset`, or `None` on overflow.
            pub fn checked_add(self, offset: u64) -> Option<Self> {
                self.0.checked_add(offset).map(Self)
            }

            /// `self + offset`, wrapping around the 64-bit space as the hardware does.
            pub fn wrapping_add(self, offset: u64) -> Self {
                Self(self.0.wrapping_add(offset))
            }

            /// The distance from `base` up to `self`, or `None` if `self` is below `base`.
            pub fn checked_offset_from(self, base: Self) -> Option<u64> {
                self.0.checked_sub(base.0)
            }

            /// The number of the 4 KiB page that holds this address.
            pub const fn page_number(self) -> u64 {
                self.0 >> PAGE_SHIFT
            }

            /// The offset of this address inside its 4 KiB page.
            pub const fn page_offset(self) -> u64 {
                self.0 & (PAGE_SIZE - 1)
            }

            /// Whether the address is a multiple of `align` (a power of two).
            pub const fn is_aligned(self, align: u64) -> bool {
                self.0 & (align - 1) == 0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:#x})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:#x}", self.0)
            }
        }

        impl fmt::LowerHex for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::LowerHex::fmt(&self.0, f)
            }
        }
    };
}

address_type!(
    /// A guest physical address: what RAM and the devices on the bus see.
    PhysAddr
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_arithmetic() {
        let a = PhysAddr::new(0x8000_1234);
        assert_eq!(a.page_number(), 0x80001);
        assert_eq!(a.page_offset(), 0x234);
        assert!(!a.is_aligned(8));
        assert!(PhysAddr::new(0x8000_1238).is_aligned(8));
        assert_eq!(
            a.checked_offset_from(PhysAddr::new(0x8000_0000)),
            Some(0x1234)
        );
        assert_eq!(PhysAddr::new(1).checked_offset_from(PhysAddr::new(2)), None);
        assert_eq!(PhysAddr::new(u64::MAX).checked_add(1), None);
        assert_eq!(PhysAddr::new(u64::MAX).wrapping_add(1), PhysAddr::new(0));
    }
}
