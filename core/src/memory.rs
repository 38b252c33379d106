//! Guest RAM, with the decoded-code shadow that keeps the decode cache honest.
//!
//! [`Memory`] is one contiguous block of guest RAM at a physical base
//! address (QEMU `virt`: 0x8000_0000). The harts reach it directly through
//! their TLBs; everyone else (loaders, devices doing DMA, debuggers, tests)
//! uses the methods here, which check every range and invalidate decoded
//! instructions they overwrite, so no path can leave stale code behind.

use std::alloc::Layout;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::addr::{PhysAddr, PAGE_SIZE};
use crate::bits::{low_u16, to_usize};
use crate::decode_cache::DecodeCache;
use crate::error::{Error, Result};

/// The host memory behind guest RAM: one zeroed allocation that never
/// moves while it lives. The harts' TLBs keep raw pointers into
/// it (see [`crate::tlb`]), so it is held as a raw pointer too: no `&mut`
/// to the whole buffer outlives a call, and every reference this type hands
/// out borrows `self`.
struct RamBuffer {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: a `RamBuffer` owns its allocation alone, as a `Box<[u8]>` would:
// moving it to another thread moves the ownership, and a shared reference
// only reads (every write takes `&mut self`). The raw pointers that harts'
// TLBs keep into it are dereferenced only by a hart holding `&mut Memory`
// (see the `Send` implementation of `crate::tlb::Tlb`).
unsafe impl Send for RamBuffer {}
// SAFETY: as above: `&RamBuffer` gives read-only access to initialised bytes.
unsafe impl Sync for RamBuffer {}

impl RamBuffer {
    /// 16-byte alignment: enough for any access, and small enough that
    /// the allocator uses calloc, which maps zero pages lazily instead of
    /// clearing the whole buffer up front.
    fn layout(len: usize) -> Option<Layout> {
        Layout::from_size_align(len, 16).ok()
    }

    /// `len` zeroed bytes (len > 0), or `None` if the host cannot provide them.
    fn zeroed(len: usize) -> Option<RamBuffer> {
        let layout = Self::layout(len)?;
        // SAFETY: the layout has a non-zero size (len > 0 is checked by the
        // caller, Memory::new) and a power-of-two alignment.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        NonNull::new(ptr).map(|ptr| RamBuffer { ptr, len })
    }

    fn as_slice(&self) -> &[u8] {
        // SAFETY: ptr points to len initialised (zeroed at allocation) bytes
        // owned by self; the shared borrow of self keeps them alive and,
        // since every mutation goes through &mut self, unchanged.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as for as_slice; the exclusive borrow of self makes this
        // the only reference for its lifetime. (Raw pointers a hart's TLB
        // holds are not used while it lives: harts run only inside
        // Hart::run, which holds the &mut Memory.)
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for RamBuffer {
    fn drop(&mut self) {
        if let Some(layout) = Self::layout(self.len) {
            // SAFETY: ptr was returned by alloc_zeroed with this very layout
            // and is freed exactly once, here.
            unsafe { std::alloc::dealloc(self.ptr.as_ptr(), layout) };
        }
    }
}

/// Identifies a Memory for as long as the process lives, so a hart can tell
/// whether its TLB's host pointers belong to the memory it is run with.
static NEXT_MEMORY_ID: AtomicU64 = AtomicU64::new(1);

/// Guest RAM: `size` bytes at physical address `base`.
pub struct Memory {
    base: u64,
    bytes: RamBuffer,
    id: u64,
    pub(crate) code: DecodeCache,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("base", &PhysAddr(self.base))
            .field("size", &self.bytes.len)
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
        // The host maps zero pages lazily: RAM the guest never touches costs nothing.
        let bytes = RamBuffer::zeroed(len)
            .ok_or_else(|| Error::InvalidRam(format!("cannot allocate {size:#x} bytes of RAM")))?;
        Ok(Memory {
            base: base.0,
            code: DecodeCache::new(len / to_usize(PAGE_SIZE)),
            bytes,
            id: NEXT_MEMORY_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The physical address of the first byte of RAM.
    pub fn base(&self) -> PhysAddr {
        PhysAddr(self.base)
    }

    /// The size of RAM in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len as u64
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
        if end <= self.bytes.len as u64 {
            Some(to_usize(offset))
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
        buf.copy_from_slice(&self.bytes.as_slice()[range]);
        Ok(())
    }

    /// Copies `data` into RAM at `addr`, invalidating any decoded
    /// instructions it overwrites.
    pub fn write(&mut self, addr: PhysAddr, data: &[u8]) -> Result<()> {
        let range = self.range(addr, data.len())?;
        self.code.invalidate(range.start, data.len());
        self.bytes.as_mut_slice()[range].copy_from_slice(data);
        Ok(())
    }

    /// Fills `len` bytes at `addr` with `value`.
    pub fn fill(&mut self, addr: PhysAddr, len: u64, value: u8) -> Result<()> {
        let len_usize = usize::try_from(len).map_err(|_| Error::OutsideRam { addr, len })?;
        let range = self.range(addr, len_usize)?;
        self.code.invalidate(range.start, len_usize);
        self.bytes.as_mut_slice()[range].fill(value);
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
        self.bytes.as_slice()
    }

    /// Number of 4 KiB pages currently held by the decode cache.
    pub fn decoded_pages(&self) -> usize {
        self.code.live_pages()
    }

    /// The host bytes the decode cache's pages take (it evicts pages past
    /// 32 MiB).
    pub fn decode_cache_bytes(&self) -> usize {
        self.code.bytes()
    }

    /// How many times the decode cache was full and evicted part of its
    /// pages (an eviction round).
    pub fn decode_cache_flushes(&self) -> u64 {
        self.code.flushes()
    }

    /// How many pages the decode cache evicted for being full, in all.
    pub fn decode_cache_evicted(&self) -> u64 {
        self.code.evicted()
    }

    /// Lets `rewrite` change all of RAM at once (a snapshot restored, a
    /// clone filled), then forgets everything derived from the old
    /// contents: the decode cache is emptied, and the memory takes a new
    /// identity, so every hart drops its translations (and the host
    /// pointers and decoded pages they hold) when it next runs with it.
    pub(crate) fn rewrite_all(&mut self, rewrite: impl FnOnce(&mut [u8])) {
        rewrite(self.bytes.as_mut_slice());
        self.code.clear();
        self.id = NEXT_MEMORY_ID.fetch_add(1, Ordering::Relaxed);
    }

    // ----- the hart's fast path: offsets already checked by the TLB fill -----

    /// Loads `N` bytes at RAM offset `offset` as a little-endian value.
    #[inline(always)]
    pub(crate) fn load_at<const N: usize>(&self, offset: usize) -> Option<u64> {
        let bytes = self.bytes.as_slice().get(offset..offset + N)?;
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
        match self.bytes.as_mut_slice().get_mut(offset..offset + N) {
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
        if offset + N > self.bytes.len {
            return false;
        }
        self.code.invalidate(offset, N);
        self.store_at_unchecked_code::<N>(offset, value)
    }

    /// This memory's identity: different for every Memory the process makes.
    #[inline]
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The host address of the RAM page holding `offset`, for a TLB entry.
    /// The pointer stays valid as long as this Memory lives (the buffer
    /// never moves); the caller must check `offset < size()`.
    #[inline]
    pub(crate) fn host_page(&self, offset: usize) -> *mut u8 {
        self.bytes
            .ptr
            .as_ptr()
            .wrapping_add(offset & !(to_usize(PAGE_SIZE) - 1))
    }

    /// The RAM page index of a RAM offset.
    #[inline(always)]
    pub(crate) fn ram_page(offset: usize) -> usize {
        offset >> 12
    }

    /// Reads a 16-bit instruction parcel at a RAM offset.
    #[inline]
    pub(crate) fn parcel_at(&self, offset: usize) -> Option<u16> {
        self.load_at::<2>(offset).map(low_u16)
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
