//! What every memory-mapped device of the board implements.

use rivet_core::AccessSize;

/// A device with registers in a range of physical addresses.
///
/// The board routes an access to the device and passes the offset into
/// the device's own range. A guest's mistake never fails the host: an
/// access to an unknown register, or of a width the device does not
/// support, reads as zero and is ignored on write (as QEMU's devices do),
/// and is counted so it can be reported.
pub trait MmioDevice {
    /// Reads `size` bytes at `offset`.
    fn read(&mut self, offset: u64, size: AccessSize) -> u64;

    /// Writes the low `size` bytes of `value` at `offset`.
    fn write(&mut self, offset: u64, size: AccessSize, value: u64);
}
