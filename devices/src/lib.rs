//! # rivet-devices: the `virt` board
//!
//! The devices of a QEMU-`virt`-compatible RISC-V machine, each in its own
//! module named as its specification names it, and the board that puts them
//! at their addresses, wires their interrupts, describes them in a device
//! tree and loads the boot images. The board's policy lives here too: when
//! the machine powers off or resets, the console, and the `tohost`
//! convention of riscv-tests ([`htif`]).

#![warn(missing_docs)]

pub mod address_map;
pub mod boot;
pub mod clint;
pub mod console;
pub mod device;
pub mod error;
pub mod fdt;
pub mod goldfish_rtc;
pub mod htif;
pub mod irq;
pub mod layout;
pub mod plic;
pub mod semihosting;
pub mod slirp;
pub mod tap;
pub mod test_finisher;
pub mod uart;
pub mod virt;
pub mod virtio;

pub use console::{BufferConsole, Console};
pub use device::MmioDevice;
pub use error::{Error, Result};
pub use virt::{
    Disks, NetdevConfig, NicConfig, VirtBoard, VirtConfig, VirtExit, VirtMachine, VirtStop,
};
