//! The board's address decoder: a sorted map from physical address ranges
//! to what answers there.
//!
//! As Firecracker's MMIO bus does it: ranges are kept sorted by base,
//! inserting a range that overlaps one already mapped is an error, a
//! lookup is a binary search, and the device is given the offset into its
//! own range, never the full physical address.

use crate::layout::Region;

/// Why a range could not be mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// The range shares addresses with one already mapped.
    #[error("address range {new} overlaps {existing}")]
    Overlap {
        /// The range being inserted.
        new: Region,
        /// The range already there.
        existing: Region,
    },
    /// The range is empty or wraps around the end of the address space.
    #[error("address range {0} is empty or wraps around")]
    Invalid(Region),
}

/// Non-overlapping physical address ranges, each mapped to a `T` (a device
/// handle), sorted by base address.
#[derive(Clone, Debug, Default)]
pub struct AddressMap<T> {
    /// Sorted by `Region::base`; no two overlap.
    entries: Vec<(Region, T)>,
}

impl<T: Copy> AddressMap<T> {
    /// An empty map.
    pub fn new() -> Self {
        AddressMap {
            entries: Vec::new(),
        }
    }

    /// Maps `region` to `value`, keeping the map sorted; fails if the region
    /// is empty, wraps around, or overlaps one already mapped.
    pub fn insert(&mut self, region: Region, value: T) -> Result<(), MapError> {
        let last = region.last().ok_or(MapError::Invalid(region))?;
        let at = self.entries.partition_point(|(r, _)| r.base < region.base);
        // Only the neighbours can overlap: the one before may run past our
        // base, and the one after may start before our end.
        let before = at.checked_sub(1).map(|i| self.entries[i].0);
        if let Some(existing) = before.filter(|r| r.last().is_some_and(|l| l >= region.base)) {
            return Err(MapError::Overlap {
                new: region,
                existing,
            });
        }
        if let Some(&(existing, _)) = self.entries.get(at).filter(|(r, _)| r.base <= last) {
            return Err(MapError::Overlap {
                new: region,
                existing,
            });
        }
        self.entries.insert(at, (region, value));
        Ok(())
    }

    /// What answers an access of `len` bytes at `addr`, and the offset of
    /// `addr` into its range; `None` where nothing is mapped or the access
    /// runs past the end of the range it starts in.
    #[inline]
    pub fn find(&self, addr: u64, len: u64) -> Option<(T, u64)> {
        let after = self.entries.partition_point(|(r, _)| r.base <= addr);
        let (region, value) = *self.entries.get(after.checked_sub(1)?)?;
        let offset = addr - region.base;
        (offset < region.size && len <= region.size - offset).then_some((value, offset))
    }

    /// The mapped ranges in address order.
    pub fn iter(&self) -> impl Iterator<Item = (Region, T)> + '_ {
        self.entries.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(base: u64, size: u64) -> Region {
        Region { base, size }
    }

    #[test]
    fn lookups_give_the_offset_into_the_range() {
        let mut map = AddressMap::new();
        map.insert(region(0x2000, 0x100), 'b').unwrap();
        map.insert(region(0x1000, 0x1000), 'a').unwrap();
        map.insert(region(0x3000, 0x10), 'c').unwrap();
        assert_eq!(map.find(0x1000, 4), Some(('a', 0)));
        assert_eq!(map.find(0x1ffc, 4), Some(('a', 0xffc)));
        assert_eq!(map.find(0x2008, 8), Some(('b', 8)));
        assert_eq!(map.find(0x300f, 1), Some(('c', 0xf)));
        // Holes, before the first and past the last.
        assert_eq!(map.find(0xfff, 1), None);
        assert_eq!(map.find(0x2100, 1), None);
        assert_eq!(map.find(0x3010, 1), None);
        assert_eq!(map.find(u64::MAX, 1), None);
        // An access that starts inside but runs past the end.
        assert_eq!(map.find(0x1ffe, 4), None);
        assert_eq!(map.find(0x300c, 8), None);
        let bases: Vec<u64> = map.iter().map(|(r, _)| r.base).collect();
        assert_eq!(bases, [0x1000, 0x2000, 0x3000]);
    }

    #[test]
    fn overlapping_ranges_are_refused() {
        let mut map = AddressMap::new();
        map.insert(region(0x1000, 0x1000), 1).unwrap();
        map.insert(region(0x4000, 0x1000), 2).unwrap();
        for (base, size) in [
            (0x1000, 0x1000), // the same
            (0x0800, 0x0801), // ends one byte in
            (0x1fff, 0x10),   // starts at the last byte
            (0x1800, 0x10),   // inside
            (0x0000, 0x8000), // around both
            (0x3000, 0x1001), // runs into the second
        ] {
            let r = region(base, size);
            assert!(
                matches!(map.insert(r, 9), Err(MapError::Overlap { .. })),
                "{r} must be refused"
            );
        }
        // Touching is not overlapping.
        map.insert(region(0x2000, 0x2000), 3).unwrap();
        map.insert(region(0x0, 0x1000), 4).unwrap();
        assert_eq!(map.iter().count(), 4);
        assert_eq!(map.find(0x3fff, 1), Some((3, 0x1fff)));
    }

    #[test]
    fn empty_and_wrapping_ranges_are_refused() {
        let mut map = AddressMap::new();
        assert_eq!(
            map.insert(region(0x1000, 0), 1),
            Err(MapError::Invalid(region(0x1000, 0)))
        );
        let wraps = region(u64::MAX - 0xfff, 0x2000);
        assert_eq!(map.insert(wraps, 1), Err(MapError::Invalid(wraps)));
        // Up to the very top is fine.
        map.insert(region(u64::MAX - 0xfff, 0x1000), 2).unwrap();
        assert_eq!(map.find(u64::MAX, 1), Some((2, 0xfff)));
    }
}
