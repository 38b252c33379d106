//! Guest RAM, with the decoded-code shadow that keeps the decode cache honest.
//!
//! [`Memory`] is one contiguous block of guest RAM at a physical base
//! address (QEMU `virt`: 0x8000_0000). The harts reach it directly through
//! their TLBs; everyone else (loaders, devices doing DMA, debuggers, tests)
//! uses the methods here, which check every range and invalidate decoded
//! instructions they overwrite, so no path can leave stale code behind.

use crate::addr::{PhysAddr, PAGE_SIZE};
use crate::decode_cache::DecodeCache;
use crate::error::{Error, Result};

/// Guest RAM: `size` bytes at physical address `base`.
pub struct Memory {
    base: u64,
    bytes: Box<[u8]>,
    pub(crate) code: DecodeCache,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("base", &PhysAddr(self.base))
            .field("size", &self.bytes.len())
            .field("decoded_pages", &self.code.live_pages())
            .finish()
    }
}

impl Memory {
    /// Allocates `size` bytes of zeroed RAM at physical address `base`.
    ///
    /// Both must be multiples of 4 KiB, `size` non-zero, and the range must
    /// not wrap around the 64-bit space. Pages are not touched, so the host
    /// commits memory only as the guest uses it.
    pub fn new(base: PhysAddr, size: u64) -> Result<Self> {
        if size == 0 || !size.is_multiple_of(PAGE_SIZE) || !base.0.is_multiple_of(PAGE_SIZE) {
            return Err(Error::InvalidRam(format!(
                "base {base} and size {size:#x} must be non-zero multiples of 4 KiB"
            )));
        }
        if base.0.checked_add(size).is_none() {
            return Err(Error::InvalidRam(format!(
                "{size:#x} bytes at {base} wrap around"
            )));
        }
        let len = usize::try_from(size)
            .map_err(|_| Error::InvalidRam(format!("{size:#x} bytes do not fit the host")))?;
        // Ask for the memory first, so that an impossible size is an error
        // and not an abort; then take it zeroed (the host maps zero pages
        // lazily, so RAM the guest never touches costs nothing).
        let mut probe = Vec::<u8>::new();
        probe
            .try_reserve_exact(len)
            .map_err(|_| Error::InvalidRam(format!("cannot allocate {size:#x} bytes of RAM")))?;
        drop(probe);
        let bytes = vec![0u8; len];
        Ok(Memory {
            base: base.0,
            code: DecodeCache::new(len / PAGE_SIZE as usize),
            bytes: bytes.into_boxed_slice(),
        })
    }

    /// The physical address of the first byte of RAM.
    pub fn base(&self) -> PhysAddr {
        PhysAddr(self.base)
    }

    /// The size of RAM in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The physical address one past the last byte of RAM.
    pub fn end(&self) -> PhysAddr {
        PhysAddr(self.base + self.size())
    }

    /// The offset into RAM of the range `addr..addr + len`, if all of it is RAM.
    #[inline]
    pub fn offset_of(&self, addr: PhysAddr, len: u64) -> Option<usize> {
        let offset = addr.0.checked_sub(self.base)?;
        let end = offset.checked_add(len)?;
        if end <= self.bytes.len() as u64 {
            Some(offset as usize)
        } else {
            None
        }
    }

    /// Whether `addr..addr + len` lies entirely in RAM.
    pub fn contains(&self, addr: PhysAddr, len: u64) -> bool {
        self.offset_of(addr, len).is_some()
    }

    fn range(&self, addr: PhysAddr, len: usize) -> Result<std::ops::Range<usize>> {
        let offset = self.offset_of(addr, len as u64).ok_or(Error::OutsideRam {
            addr,
            len: len as u64,
        })?;
        Ok(offset..offset + len)
    }

    /// Copies RAM at `addr` into `buf`.
    pub fn read(&self, addr: PhysAddr, buf: &mut [u8]) -> Result<()> {
        let range = self.range(addr, buf.len())?;
        buf.copy_from_slice(&self.bytes[range]);
        Ok(())
    }

    /// Copies `data` into RAM at `addr`, invalidating any decoded
    /// instructions it overwrites.
    pub fn write(&mut self, addr: PhysAddr, data: &[u8]) -> Result<()> {
        let range = self.range(addr, data.len())?;
        self.code.invalidate(range.start, data.len());
        self.bytes[range].copy_from_slice(data);
        Ok(())
    }

    /// Fills `len` bytes at `addr` with `value`.
    pub fn fill(&mut self, addr: PhysAddr, len: u64, value: u8) -> Result<()> {
        let len_usize = usize::try_from(len).map_err(|_| Error::OutsideRam { addr, len })?;
        let range = self.range(addr, len_usize)?;
        self.code.invalidate(range.start, len_usize);
        self.bytes[range].fill(value);
        Ok(())
    }

    /// Reads a little-endian 64-bit value.
    pub fn read_u64(&self, addr: PhysAddr) -> Result<u64> {
        let mut buf = [0; 8];
        self.read(addr, &mut buf)?;
        Ok(u64::from_le_bytes(buf))
    }

    /// Reads a little-endian 32-bit value.
    pub fn read_u32(&self, addr: PhysAddr) -> Result<u32> {
        let mut buf = [0; 4];
        self.read(addr, &mut buf)?;
        Ok(u32::from_le_bytes(buf))
    }

    /// Writes a little-endian 64-bit value.
    pub fn write_u64(&mut self, addr: PhysAddr, value: u64) -> Result<()> {
        self.write(addr, &value.to_le_bytes())
    }

    /// Writes a little-endian 32-bit value.
    pub fn write_u32(&mut self, addr: PhysAddr, value: u32) -> Result<()> {
        self.write(addr, &value.to_le_bytes())
    }

    /// All of RAM, read-only.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    /// Number of 4 KiB pages currently held by the decode cache.
    pub fn decoded_pages(&self) -> usize {
        self.code.live_pages()
    }

    /// How many times the decode cache was flushed for being full.
    pub fn decode_cache_flushes(&self) -> u64 {
        self.code.flushes()
    }

    // ----- the hart's fast path: offsets already checked by the TLB fill -----

    /// Loads `N` bytes at RAM offset `offset` as a little-endian value.
    #[inline(always)]
    pub(crate) fn load_at<const N: usize>(&self, offset: usize) -> Option<u64> {
        let bytes = self.bytes.get(offset..offset + N)?;
        let mut buf = [0u8; 8];
        buf[..N].copy_from_slice(bytes);
        Some(u64::from_le_bytes(buf))
    }

    /// Stores the low `N` bytes of `value` at RAM offset `offset` without
    /// looking at the decode cache: the caller knows the page holds no code.
    #[inline(always)]
    pub(crate) fn store_at_unchecked_code<const N: usize>(
        &mut self,
        offset: usize,
        value: u64,
    ) -> bool {
        match self.bytes.get_mut(offset..offset + N) {
            Some(bytes) => {
                bytes.copy_from_slice(&value.to_le_bytes()[..N]);
                true
            }
            None => false,
        }
    }

    /// Stores the low `N` bytes of `value` at RAM offset `offset`,
    /// invalidating decoded instructions there.
    pub(crate) fn store_at<const N: usize>(&mut self, offset: usize, value: u64) -> bool {
        if offset + N > self.bytes.len() {
            return false;
        }
        self.code.invalidate(offset, N);
        self.store_at_unchecked_code::<N>(offset, value)
    }

    /// The RAM page index of a RAM offset.
    #[inline(always)]
    pub(crate) fn ram_page(offset: usize) -> usize {
        offset >> 12
    }

    /// Reads a 16-bit instruction parcel at a RAM offset.
    #[inline]
    pub(crate) fn parcel_at(&self, offset: usize) -> Option<u16> {
        self.load_at::<2>(offset).map(|v| v as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_layouts() {
        assert!(Memory::new(PhysAddr(0x8000_0000), 0).is_err());
        assert!(Memory::new(PhysAddr(0x8000_0001), 4096).is_err());
        assert!(Memory::new(PhysAddr(0x8000_0000), 100).is_err());
        assert!(Memory::new(PhysAddr(u64::MAX - 4095), 8192).is_err());
    }

    #[test]
    fn bounds_are_checked_at_both_ends() {
        let mut m = Memory::new(PhysAddr(0x8000_0000), 8192).unwrap();
        assert!(m.write_u64(PhysAddr(0x8000_0000 + 8184), 7).is_ok());
        assert!(m.write_u64(PhysAddr(0x8000_0000 + 8185), 7).is_err());
        assert!(m.read_u64(PhysAddr(0x7fff_fffc)).is_err());
        assert_eq!(m.read_u64(PhysAddr(0x8000_0000 + 8184)).unwrap(), 7);
        assert!(m.contains(PhysAddr(0x8000_0000), 8192));
        assert!(!m.contains(PhysAddr(0x8000_0000), 8193));
        assert!(!m.contains(PhysAddr(u64::MAX), 2));
    }
}
