//! Host-side errors of rivet-core: bad input from outside the guest.
//!
//! Guest mistakes are not errors: they are traps (see [`crate::trap`]) and
//! belong to the architecture. This enum is for the host: a RAM size that
//! cannot be allocated, an ELF file that does not fit, a range outside RAM.

use crate::addr::PhysAddr;

/// An error of the host-side API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The RAM configuration is impossible.
    #[error("invalid RAM configuration: {0}")]
    InvalidRam(String),
    /// A physical range does not lie entirely in RAM.
    #[error("physical range {addr}..{addr}+{len:#x} is not inside RAM")]
    OutsideRam {
        /// Start of the range.
        addr: PhysAddr,
        /// Length of the range in bytes.
        len: u64,
    },
    /// An ELF file could not be loaded.
    #[error("{0}")]
    Elf(String),
    /// A register or CSR access through the API named something that does not exist.
    #[error("{0}")]
    InvalidRegister(String),
    /// A snapshot does not fit what it is restored into (another RAM
    /// layout, another number of harts).
    #[error("snapshot does not fit: {0}")]
    SnapshotMismatch(String),
}

/// The `Result` of rivet-core's host-side API.
pub type Result<T, E = Error> = std::result::Result<T, E>;
