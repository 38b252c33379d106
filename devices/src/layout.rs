//! The memory map of the `virt` board, as QEMU lays it out (its
//! `virt_memmap`): one typed constant per region, and [`MEMORY_MAP`], the
//! table that lists them all. The board's bus is built from the table, and
//! a test checks that no two regions overlap.
//!
//! ```text
//!  0x0000_0000 ┌──────────────────────┐
//!              │ (unmapped)           │
//!  0x0000_1000 ├──────────────────────┤ boot ROM (QEMU's mrom) (0xf000)
//!  0x0001_0000 ├──────────────────────┤ (unmapped)
//!  0x0010_0000 ├──────────────────────┤ SiFive test finisher  (0x1000)
//!  0x0010_1000 ├──────────────────────┤ Goldfish RTC          (0x1000)  IRQ 11
//!  0x0200_0000 ├──────────────────────┤ CLINT                 (0x1_0000)
//!  0x0c00_0000 ├──────────────────────┤ PLIC                  (0x60_0000)
//!  0x1000_0000 ├──────────────────────┤ UART0 16550A          (0x100)   IRQ 10
//!  0x1000_1000 ├──────────────────────┤ virtio-mmio slots 0..8 (0x1000 each) IRQ 1..8
//!  0x8000_0000 ├──────────────────────┤ RAM (-m, default 256 MiB)
//!              └──────────────────────┘
//! ```

use std::fmt;

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

    /// The address of the last byte, if the region is not empty and does
    /// not wrap around the end of the address space.
    pub const fn last(self) -> Option<u64> {
        match self.size.checked_sub(1) {
            Some(rest) => self.base.checked_add(rest),
            None => None,
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:#x}..={:#x}",
            self.base,
            self.base.wrapping_add(self.size).wrapping_sub(1)
        )
    }
}

/// What occupies a region of the memory map (QEMU's `virt_memmap` entries).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Device {
    /// The boot ROM (QEMU's `mrom`): the `fw_dynamic_info` structure.
    BootRom,
    /// The SiFive test finisher.
    TestFinisher,
    /// The Goldfish RTC.
    Rtc,
    /// The core-local interruptor.
    Clint,
    /// The platform-level interrupt controller.
    Plic,
    /// UART0, a 16550A.
    Uart0,
    /// The virtio-mmio transport in this slot (0..[`VIRTIO_SLOTS`]).
    Virtio(usize),
    /// Guest RAM: owned by [`rivet_core::Memory`], not on the bus.
    Ram,
}

impl Device {
    /// The PLIC interrupt source the device's line drives, if it has one.
    pub const fn irq(self) -> Option<u32> {
        match self {
            Device::Rtc => Some(RTC_IRQ),
            Device::Uart0 => Some(UART0_IRQ),
            Device::Virtio(slot) => Some(virtio_irq(slot)),
            _ => None,
        }
    }
}

/// The boot ROM (QEMU's `mrom`), where the `fw_dynamic_info` structure is.
pub const BOOT_ROM: Region = Region {
    base: 0x1000,
    size: 0xf000,
};
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
/// RAM: from [`RAM_BASE`] to the end of the address space at most; its
/// actual size is the `-m` option.
pub const RAM: Region = Region {
    base: RAM_BASE,
    size: 0u64.wrapping_sub(RAM_BASE),
};
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
/// The most harts the board supports. QEMU 7.2's `virt` takes up to 512;
/// rivet keeps a hart's bit in 64-bit masks (`rivet_core::Machine`'s
/// parked harts), so 64 is its limit. The CLINT (4-byte `msip` and 8-byte
/// `mtimecmp` per hart) and the PLIC (two contexts per hart) of 64 harts
/// fit the regions above, which are QEMU's whatever the hart count.
pub const MAX_HARTS: usize = 64;

/// The region of virtio slot `i`.
pub const fn virtio_slot(i: usize) -> Region {
    Region {
        base: VIRTIO.base + (i as u64) * VIRTIO.size,
        size: VIRTIO.size,
    }
}

/// The PLIC source of virtio slot `i` (0..[`VIRTIO_SLOTS`]).
#[expect(
    clippy::cast_possible_truncation,
    reason = "a slot is below VIRTIO_SLOTS (8)"
)]
pub const fn virtio_irq(i: usize) -> u32 {
    VIRTIO_IRQ + i as u32
}

/// The memory map: every region of the board, in address order.
pub const MEMORY_MAP: [(Device, Region); 7 + VIRTIO_SLOTS] = [
    (Device::BootRom, BOOT_ROM),
    (Device::TestFinisher, TEST),
    (Device::Rtc, RTC),
    (Device::Clint, CLINT),
    (Device::Plic, PLIC),
    (Device::Uart0, UART0),
    (Device::Virtio(0), virtio_slot(0)),
    (Device::Virtio(1), virtio_slot(1)),
    (Device::Virtio(2), virtio_slot(2)),
    (Device::Virtio(3), virtio_slot(3)),
    (Device::Virtio(4), virtio_slot(4)),
    (Device::Virtio(5), virtio_slot(5)),
    (Device::Virtio(6), virtio_slot(6)),
    (Device::Virtio(7), virtio_slot(7)),
    (Device::Ram, RAM),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_in_address_order_and_do_not_overlap() {
        for pair in MEMORY_MAP.windows(2) {
            let ((a, ra), (b, rb)) = (pair[0], pair[1]);
            let last = ra.last().expect("not empty, not wrapping");
            assert!(
                last < rb.base,
                "{a:?} ({ra}) overlaps or follows {b:?} ({rb})"
            );
        }
        assert!(MEMORY_MAP.iter().all(|(_, r)| r.last().is_some()));
    }

    #[test]
    fn every_device_is_listed_once() {
        let devices: std::collections::HashSet<Device> =
            MEMORY_MAP.iter().map(|&(d, _)| d).collect();
        assert_eq!(devices.len(), MEMORY_MAP.len());
        for slot in 0..VIRTIO_SLOTS {
            let (_, region) = MEMORY_MAP
                .iter()
                .find(|(d, _)| *d == Device::Virtio(slot))
                .expect("every virtio slot is mapped");
            assert_eq!(*region, virtio_slot(slot));
        }
    }

    #[test]
    fn interrupt_sources_are_distinct_and_exist() {
        let mut irqs: Vec<u32> = MEMORY_MAP.iter().filter_map(|(d, _)| d.irq()).collect();
        irqs.sort_unstable();
        let n = irqs.len();
        irqs.dedup();
        assert_eq!(irqs.len(), n);
        assert!(irqs.iter().all(|&s| (1..=PLIC_SOURCES).contains(&s)));
    }
}
