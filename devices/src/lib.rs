//! # rivet-devices: the `virt` board
//!
//! The devices of a QEMU-`virt`-compatible RISC-V machine, each in its own
//! module named as its specification names it, and the board that puts them
//! at their addresses, wires their interrupts, describes them in a device
//! tree and loads the boot images.

#![warn(missing_docs)]

pub mod device;
pub mod virtio;

pub use device::MmioDevice;
