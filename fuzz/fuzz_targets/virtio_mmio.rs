//! The virtio-mmio transport (`devices/src/virtio/mmio.rs`) and the
//! virtqueue walk (`queue.rs`): register accesses, guest memory writes
//! and polls in the order the input gives, against a block device on a
//! small scratch disk (in snapshot mode: the image is never written), or
//! an empty slot.
//!
//! Input: one byte of setup (bit 0: legacy layout; bit 1: empty slot;
//! bit 2: read-only disk), then operations, each an opcode byte:
//! 0 aligned 32-bit register write (register index, value),
//! 1 any write (offset, size, value), 2 aligned 32-bit register read,
//! 3 any read (offset, size), 4 poll, 5 RAM write (offset, length, bytes).
//! After each one the transport's state must be consistent.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rivet_core::{AccessSize, Memory, PhysAddr};
use rivet_devices::virtio::mmio::{CONFIG_OFFSET, SLOT_SIZE};
use rivet_devices::virtio::status::DEVICE_NEEDS_RESET;
use rivet_devices::virtio::{Disk, DiskMode, MmioVersion, VirtioBlock, VirtioDevice, VirtioMmio};
use rivet_devices::MmioDevice;
use rivet_fuzz::{disk_image, Input};

const RAM: u64 = 0x8000_0000;
const RAM_SIZE: u64 = 64 << 10;
/// InterruptStatus.
const INTERRUPT_STATUS: u64 = 0x60;
/// Status.
const STATUS: u64 = 0x70;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let setup = input.u8();
    let version = if setup & 1 != 0 {
        MmioVersion::Legacy
    } else {
        MmioVersion::Modern
    };
    let device = (setup & 2 == 0).then(|| {
        let mode = if setup & 4 != 0 {
            DiskMode::ReadOnly
        } else {
            DiskMode::Snapshot
        };
        let disk = Disk::open(&disk_image(64), mode).expect("the scratch disk");
        Box::new(VirtioBlock::new(disk, "fuzz")) as Box<dyn VirtioDevice>
    });
    let present = device.is_some();
    let mut mmio = VirtioMmio::new(device, version);
    let mut mem = Memory::new(PhysAddr::new(RAM), RAM_SIZE).expect("RAM");

    while !input.is_empty() {
        match input.u8() % 6 {
            0 => {
                let offset = u64::from(input.u8()) * 4 % CONFIG_OFFSET;
                mmio.write(offset, AccessSize::Word, u64::from(input.u32()));
            }
            1 => {
                let offset = u64::from(input.u16()) % SLOT_SIZE;
                let size = input.size();
                mmio.write(offset, size, input.u64());
            }
            2 => {
                let offset = u64::from(input.u8()) * 4 % CONFIG_OFFSET;
                let _ = mmio.read(offset, AccessSize::Word);
            }
            3 => {
                let offset = u64::from(input.u16()) % SLOT_SIZE;
                let size = input.size();
                let value = mmio.read(offset, size);
                assert!(value <= size.mask());
            }
            4 => mmio.poll(&mut mem),
            _ => {
                let offset = u64::from(input.u16()) % RAM_SIZE;
                let len = usize::from(input.u8());
                let bytes = input.take(len);
                let room = usize::try_from(RAM_SIZE - offset).expect("small");
                mem.write(PhysAddr::new(RAM + offset), &bytes[..bytes.len().min(room)])
                    .expect("inside RAM");
            }
        }
        // The registers say what the transport holds.
        if present {
            assert_eq!(
                mmio.read(STATUS, AccessSize::Word),
                u64::from(mmio.status())
            );
            let pending = mmio.read(INTERRUPT_STATUS, AccessSize::Word) != 0;
            assert_eq!(pending, mmio.interrupt_pending());
        }
        if mmio.status() & DEVICE_NEEDS_RESET != 0 {
            assert!(mmio.last_queue_error().is_some() && mmio.stats().queue_errors > 0);
        }
        let _ = mmio.take_irq();
    }
});
