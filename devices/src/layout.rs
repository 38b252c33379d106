//! The memory map of the `virt` board, as QEMU lays it out.
//!
//! ```text
//!  0x0000_0000 ┌──────────────────────┐
//!              │ (unmapped)           │
//!  0x0010_0000 ├──────────────────────┤ SiFive test finisher  (0x1000)
//!  0x0010_1000 ├──────────────────────┤ Goldfish RTC          (0x1000)  IRQ 11
//!  0x0200_0000 ├──────────────────────┤ CLINT                 (0x1_0000)
//!  0x0c00_0000 ├──────────────────────┤ PLIC                  (0x60_0000)
//!  0x1000_0000 ├──────────────────────┤ UART0 16550A          (0x100)   IRQ 10
//!  0x1000_1000 ├──────────────────────┤ virtio-mmio slots 0..8 (0x1000 each) IRQ 1..8
//!  0x8000_0000 ├──────────────────────┤ RAM (-m, default 256 MiB)
//!              └──────────────────────┘
//! ```

/// A device's place in the physical address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub base: u64,
    /// Size in bytes.
    pub size: u64,
}

impl Region {
    /// Whether `addr` lies in the region; returns the offset.
    pub const fn offset_of(self, addr: u64) -> Option<u64> {
        if addr >= self.base && addr - self.base < self.size {
            Some(addr - self.base)
        } else {
            None
        }
    }
}

/// SiFive test finisher (`sifive,test0`, also a syscon for poweroff/reboot).
pub const TEST: Region = Region {
    base: 0x0010_0000,
    size: 0x1000,
};
/// Goldfish RTC.
pub const RTC: Region = Region {
    base: 0x0010_1000,
    size: 0x1000,
};
/// Core-local interruptor.
pub const CLINT: Region = Region {
    base: 0x0200_0000,
    size: 0x1_0000,
};
/// Platform-level interrupt controller.
pub const PLIC: Region = Region {
    base: 0x0c00_0000,
    size: 0x60_0000,
};
/// UART0.
pub const UART0: Region = Region {
    base: 0x1000_0000,
    size: 0x100,
};
/// The first virtio-mmio slot; slot `i` is at `VIRTIO.base + i * VIRTIO.size`.
pub const VIRTIO: Region = Region {
    base: 0x1000_1000,
    size: 0x1000,
};
/// Number of virtio-mmio slots.
pub const VIRTIO_SLOTS: usize = 8;
/// Where RAM starts.
pub const RAM_BASE: u64 = 0x8000_0000;
/// The default RAM size (`-m`).
pub const DEFAULT_RAM_SIZE: u64 = 256 << 20;

/// PLIC interrupt source of UART0.
pub const UART0_IRQ: u32 = 10;
/// PLIC interrupt source of the RTC.
pub const RTC_IRQ: u32 = 11;
/// PLIC interrupt source of virtio slot 0 (slot `i` is `VIRTIO_IRQ + i`).
pub const VIRTIO_IRQ: u32 = 1;
/// Number of PLIC interrupt sources (IDs 1..=95).
pub const PLIC_SOURCES: u32 = 95;
/// The most harts the board supports.
pub const MAX_HARTS: usize = 8;

/// The region of virtio slot `i`.
pub const fn virtio_slot(i: usize) -> Region {
    Region {
        base: VIRTIO.base + (i as u64) * VIRTIO.size,
        size: VIRTIO.size,
    }
}
