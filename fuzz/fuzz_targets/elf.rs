//! The ELF loader (`core/src/elf.rs`) and the boot loader that reads
//! images from files (`devices/src/boot.rs`).
//!
//! The input is an image file. It is loaded straight into RAM with
//! `load_elf`, whose segments must then lie inside RAM; and, written to a
//! scratch file, it goes through `boot::load` as a bare-metal kernel (and,
//! when its last byte is odd, as firmware, kernel and initrd at once, so
//! the images' placement and overlap checks run too). Errors are fine;
//! panics are not.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rivet_core::elf::load_elf;
use rivet_core::{Memory, PhysAddr};
use rivet_devices::boot::{self, BootConfig, Firmware};

const RAM: u64 = 0x8000_0000;
/// 4 MiB: room for a kernel 2 MiB in, and a device tree at the top.
const RAM_SIZE: u64 = 4 << 20;

fuzz_target!(|data: &[u8]| {
    let mut mem = Memory::new(PhysAddr::new(RAM), RAM_SIZE).expect("RAM");
    if let Ok(loaded) = load_elf(data, &mut mem, "fuzz") {
        assert!(!loaded.segments.is_empty());
        for s in &loaded.segments {
            assert!(mem.contains(s.addr, s.mem_size), "{s:?} outside RAM");
        }
        let (lo, hi) = loaded.extent().expect("segments");
        assert!(lo >= RAM && hi <= RAM + RAM_SIZE && lo <= hi);
    }

    let path = rivet_fuzz::scratch_dir().join("image");
    std::fs::write(&path, data).expect("write the scratch image");
    let mut mem = Memory::new(PhysAddr::new(RAM), RAM_SIZE).expect("RAM");
    let dtb = boot::dtb_address(&mem, 0x1000).expect("room for a device tree");
    let bare = BootConfig {
        bios: Some(Firmware::None),
        kernel: Some(path.clone()),
        ..BootConfig::default()
    };
    let _ = boot::load(&mut mem, &bare, dtb);
    if data.last().is_some_and(|b| b & 1 != 0) {
        let mut mem = Memory::new(PhysAddr::new(RAM), RAM_SIZE).expect("RAM");
        let all = BootConfig {
            bios: Some(Firmware::File(path.clone())),
            kernel: Some(path.clone()),
            initrd: Some(path),
            append: None,
        };
        if let Ok(info) = boot::load(&mut mem, &all, dtb) {
            if let Some((start, end)) = info.initrd {
                assert!(start >= RAM && start <= end && end <= dtb);
            }
        }
    }
});
