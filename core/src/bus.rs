//! The system bus as the hart sees it: everything at a physical address
//! that is not RAM.
//!
//! RAM is owned by [`crate::Memory`] and reached by the hart directly (that
//! is the fast path). Every other physical access — device registers,
//! holes in the memory map — goes through the narrow [`Bus`] trait, which
//! a board implements by routing the address to one of its devices.

use crate::addr::PhysAddr;

/// The width of one bus access, as the RISC-V manuals name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessSize {
    /// 8 bits.
    Byte,
    /// 16 bits.
    Half,
    /// 32 bits.
    Word,
    /// 64 bits.
    Double,
}

impl AccessSize {
    /// The width in bytes (1, 2, 4 or 8).
    pub const fn bytes(self) -> u64 {
        match self {
            AccessSize::Byte => 1,
            AccessSize::Half => 2,
            AccessSize::Word => 4,
            AccessSize::Double => 8,
        }
    }

    /// The access size of `bytes` bytes, if it is 1, 2, 4 or 8.
    pub const fn from_bytes(bytes: u64) -> Option<Self> {
        match bytes {
            1 => Some(AccessSize::Byte),
            2 => Some(AccessSize::Half),
            4 => Some(AccessSize::Word),
            8 => Some(AccessSize::Double),
            _ => None,
        }
    }

    /// A mask of the low `bytes() * 8` bits.
    pub const fn mask(self) -> u64 {
        match self {
            AccessSize::Double => u64::MAX,
            _ => (1u64 << (self.bytes() * 8)) - 1,
        }
    }
}

/// Why a bus access did not complete. The hart turns it into an access-fault
/// exception for the guest; it is never a host error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    /// Nothing answers at this address.
    #[error("no device at physical address {0}")]
    Unmapped(PhysAddr),
    /// A device is there but does not accept this access (width, alignment or
    /// direction).
    #[error("device at {0} rejected the access")]
    Rejected(PhysAddr),
}

/// The devices of a machine, seen from the hart: physical reads and writes
/// outside RAM.
///
/// The bus sees the full physical address; routing it to a device and
/// subtracting the device's base is the board's business. Accesses are naturally
/// aligned and at most 8 bytes wide. Values are little-endian and
/// zero-extended: a byte read returns `0..=0xff`.
pub trait Bus {
    /// Reads `size` bytes at `addr`.
    fn read(&mut self, addr: PhysAddr, size: AccessSize) -> Result<u64, BusError>;

    /// Writes the low `size` bytes of `value` at `addr`.
    fn write(&mut self, addr: PhysAddr, size: AccessSize, value: u64) -> Result<(), BusError>;

    /// Copies the bytes at `addr` into `buf` for a debugger, where reading
    /// has no side effects (a ROM); `false` (the default) where it might
    /// (device registers) or where nothing is mapped.
    fn peek(&self, _addr: PhysAddr, _buf: &mut [u8]) -> bool {
        false
    }

    /// The interrupt lines the devices drive into hart `hart` now (the
    /// MSIP, MTIP, MEIP and SEIP bits of `mip`), or `None` if this bus has
    /// no interrupt-driving devices.
    ///
    /// A query, cheap enough to ask after every device access: the bus
    /// keeps its devices' lines current as they change (at the access that
    /// changes them), not when asked. The hart asks after each of its
    /// device accesses, since an access can lower a line (a PLIC claim, a
    /// UART read): an interrupt the guest already handled must not be
    /// taken again.
    fn interrupt_lines(&self, _hart: usize) -> Option<u64> {
        None
    }

    /// Answers the semihosting call `hart` makes (its operation in `a0`,
    /// its parameter in `a1`; see [`crate::semihosting`]), reaching guest
    /// memory through the hart's eyes in `mem`. `None` (the default): the
    /// platform has no semihosting, and the `ebreak` is a breakpoint.
    fn semihosting(
        &mut self,
        _hart: &mut crate::Hart,
        _mem: &mut crate::Memory,
    ) -> Option<crate::semihosting::SemihostingOutcome> {
        None
    }
}

/// A bus with nothing on it: every access faults. Useful for a hart that only
/// ever touches RAM.
#[derive(Clone, Copy, Debug, Default)]
pub struct EmptyBus;

impl Bus for EmptyBus {
    fn read(&mut self, addr: PhysAddr, _size: AccessSize) -> Result<u64, BusError> {
        Err(BusError::Unmapped(addr))
    }

    fn write(&mut self, addr: PhysAddr, _size: AccessSize, _value: u64) -> Result<(), BusError> {
        Err(BusError::Unmapped(addr))
    }
}
