//! Loading the boot images as QEMU's `virt` does.
//!
//! - `-bios FILE` (default: OpenSBI's `fw_dynamic` from Debian's `opensbi`
//!   package) is loaded at the start of RAM (an ELF at its own addresses)
//!   and entered in M-mode; `-kernel` goes 2 MiB in (an ELF at its own
//!   addresses); the initrd goes just below the device tree, which sits at
//!   the top of RAM (2 MiB aligned, below 3 GiB).
//! - `-bios none -kernel FILE`: the kernel is loaded at its own addresses
//!   (or the start of RAM if raw) and entered in M-mode at its entry point.
//!
//! Every hart starts with `a0` = its hart id and `a1` = the device tree's
//! address; with `fw_dynamic`, `a2` points to the `fw_dynamic_info`
//! structure (OpenSBI's `include/sbi/fw_dynamic.h`), which lives in a small
//! ROM at 0x1000, where QEMU keeps it too.

use std::path::{Path, PathBuf};

use rivet_core::bits::to_usize;
use rivet_core::elf::{self, LoadedElf};
use rivet_core::{AccessSize, Memory, PhysAddr};

use crate::device::MmioDevice;
use crate::error::{Error, Result};
use crate::layout::BOOT_ROM;

/// Where Debian's `opensbi` package installs the generic `fw_dynamic` build.
pub const DEFAULT_BIOS: &str = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

/// The firmware to run in M-mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Firmware {
    /// No firmware: the kernel runs in M-mode (`-bios none`).
    None,
    /// OpenSBI from [`DEFAULT_BIOS`] (`-bios default`, or no `-bios`).
    Default,
    /// A firmware file (`-bios FILE`).
    File(PathBuf),
}

/// The boot images.
#[derive(Clone, Debug, Default)]
pub struct BootConfig {
    /// The firmware.
    pub bios: Option<Firmware>,
    /// The kernel (`-kernel`).
    pub kernel: Option<PathBuf>,
    /// The initial RAM disk (`-initrd`).
    pub initrd: Option<PathBuf>,
    /// The kernel command line (`-append`).
    pub append: Option<String>,
}

/// Where things went.
#[derive(Clone, Debug)]
pub struct BootInfo {
    /// Where every hart starts.
    pub entry: u64,
    /// The initrd's range, if any.
    pub initrd: Option<(u64, u64)>,
    /// The address for the `fw_dynamic_info` structure (in the boot ROM),
    /// and its contents, when the firmware is OpenSBI fw_dynamic or unknown.
    pub fw_dynamic: Option<(u64, Vec<u8>)>,
    /// The kernel, if it was an ELF file (for symbols such as `tohost`).
    pub kernel_elf: Option<LoadedElf>,
    /// The RAM the firmware, kernel and initrd occupy (start, end).
    pub images: Vec<(u64, u64)>,
}

/// Offset of `fw_dynamic_info` inside the boot ROM.
const FW_DYNAMIC_INFO_OFFSET: u64 = 0x100;
/// `fw_dynamic_info.magic`: "OSBI".
const FW_DYNAMIC_MAGIC: u64 = 0x4942_534f;
/// Version 2 of the structure has `boot_hart`.
const FW_DYNAMIC_VERSION: u64 = 2;
/// `next_mode` = S-mode.
const NEXT_MODE_S: u64 = 1;

/// The boot ROM (QEMU's `mrom`, at [`BOOT_ROM`]): bytes the
/// board puts there before the harts start (the `fw_dynamic_info`
/// structure). It reads as zero past its contents and ignores writes.
#[derive(Clone, Debug, Default)]
pub struct BootRom {
    bytes: Vec<u8>,
}

impl BootRom {
    /// A ROM holding `bytes` at `addr` (a physical address inside
    /// [`BOOT_ROM`]) and zeros elsewhere.
    pub fn new(addr: u64, bytes: &[u8]) -> Result<Self> {
        let fits = BOOT_ROM
            .offset_of(addr)
            .filter(|&o| bytes.len() as u64 <= BOOT_ROM.size - o);
        let Some(offset) = fits.and_then(|o| usize::try_from(o).ok()) else {
            return Err(Error::Layout(format!(
                "{} bytes at {addr:#x} do not fit in the boot ROM ({BOOT_ROM})",
                bytes.len()
            )));
        };
        let mut rom = vec![0; offset];
        rom.extend_from_slice(bytes);
        Ok(BootRom { bytes: rom })
    }

    /// Copies the bytes at `offset` into `buf` (reading a ROM has no side
    /// effects, so a debugger may).
    pub fn peek(&self, offset: u64, buf: &mut [u8]) {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = start
                .checked_add(i)
                .and_then(|at| self.bytes.get(at))
                .copied()
                .unwrap_or(0);
        }
    }
}

impl MmioDevice for BootRom {
    fn read(&mut self, offset: u64, size: AccessSize) -> u64 {
        let mut buf = [0u8; 8];
        self.peek(offset, &mut buf[..to_usize(size.bytes())]);
        u64::from_le_bytes(buf)
    }

    fn write(&mut self, _offset: u64, _size: AccessSize, _value: u64) {}
}

/// The largest ELF file rivet reads (it reads one whole, then loads its
/// segments): 4 GiB.
const MAX_ELF_FILE: u64 = 4 << 30;

/// Reads the image `path` for `what`, refusing it before reading more than
/// it may hold: `room` bytes for a raw image (the RAM it would go in),
/// [`MAX_ELF_FILE`] for an ELF file. The size of a regular file is checked
/// before any of it is read; a device or a pipe (`/dev/zero`) is read only
/// up to the bound.
fn read_file(path: &Path, what: &str, room: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let too_big = |size: &str, limit: u64| {
        Error::Layout(format!(
            "{what} {} ({size}) does not fit in RAM ({limit} bytes free for it)",
            path.display()
        ))
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut magic = Vec::with_capacity(4);
    (&mut file).take(4).read_to_end(&mut magic).map_err(io)?;
    let limit = if elf::is_elf(&magic) {
        MAX_ELF_FILE
    } else {
        room
    };
    let metadata = file.metadata().map_err(io)?;
    if metadata.is_file() && metadata.len() > limit {
        return Err(too_big(&format!("{} bytes", metadata.len()), limit));
    }
    let mut bytes = magic;
    (&mut file)
        .take(limit.saturating_add(1).saturating_sub(bytes.len() as u64))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(&format!("more than {limit} bytes"), limit));
    }
    Ok(bytes)
}

/// An image in RAM.
struct LoadedImage {
    /// Where it starts executing.
    entry: u64,
    /// The addresses it occupies: its segments' extent, or the raw bytes.
    range: (u64, u64),
    /// Its ELF file's segments and symbols, if it was one.
    elf: Option<LoadedElf>,
}

/// Loads an image: an ELF at its own addresses, anything else at `addr`.
fn load_image(mem: &mut Memory, path: &Path, addr: u64, what: &str) -> Result<LoadedImage> {
    // `read_file` bounds a raw image by the RAM from `addr` on, so what
    // it returns fits there.
    let room = mem.end().get().saturating_sub(addr);
    let bytes = read_file(path, what, room)?;
    if elf::is_elf(&bytes) {
        let loaded = elf::load_elf(&bytes, mem, &path.display().to_string())?;
        return Ok(LoadedImage {
            entry: loaded.entry,
            range: loaded.extent().unwrap_or((addr, addr)),
            elf: Some(loaded),
        });
    }
    if bytes.is_empty() {
        return Err(Error::Layout(format!("{what} {} is empty", path.display())));
    }
    mem.write(PhysAddr::new(addr), &bytes)?;
    Ok(LoadedImage {
        entry: addr,
        range: (addr, addr + bytes.len() as u64),
        elf: None,
    })
}

/// Where the device tree of `dtb_size` bytes goes: the top of RAM, 2 MiB
/// aligned, and below 3 GiB so 32-bit code can reach it (as QEMU does).
pub fn dtb_address(mem: &Memory, dtb_size: u64) -> Result<u64> {
    let top = mem.end().get().min(0xc000_0000).max(mem.base().get());
    let addr = top.checked_sub(dtb_size).map(|a| a & !((2 << 20) - 1));
    match addr {
        Some(a) if a >= mem.base().get() && mem.contains(PhysAddr::new(a), dtb_size) => Ok(a),
        _ => Err(Error::Layout(format!(
            "no room for a {dtb_size}-byte device tree in RAM"
        ))),
    }
}

/// Loads firmware, kernel and initrd into `mem`. `dtb_addr` is where the
/// device tree will go; the initrd is placed below it.
pub fn load(mem: &mut Memory, config: &BootConfig, dtb_addr: u64) -> Result<BootInfo> {
    let bios = config.bios.clone().unwrap_or(Firmware::Default);
    let ram = mem.base().get();
    let mut occupied: Vec<(u64, u64, &str)> = Vec::new();

    let (entry, fw_dynamic, kernel_elf) = match &bios {
        Firmware::None => {
            let Some(kernel) = &config.kernel else {
                return Err(Error::Config("-bios none needs -kernel".into()));
            };
            let image = load_image(mem, kernel, ram, "kernel")?;
            occupied.push((image.range.0, image.range.1, "kernel"));
            (image.entry, None, image.elf)
        }
        Firmware::Default | Firmware::File(_) => {
            let path = match &bios {
                Firmware::File(p) => p.clone(),
                _ => PathBuf::from(DEFAULT_BIOS),
            };
            if bios == Firmware::Default && !path.exists() {
                return Err(Error::Config(format!(
                    "default firmware {} not found: install Debian's opensbi package, or pass -bios FILE or -bios none",
                    path.display()
                )));
            }
            let firmware = load_image(mem, &path, ram, "firmware")?;
            let mut kernel_elf = None;
            occupied.push((firmware.range.0, firmware.range.1, "firmware"));
            // The kernel goes at the next 2 MiB boundary on RV64.
            let kernel_addr = ram + (2 << 20);
            let mut next_addr = kernel_addr;
            if let Some(kernel) = &config.kernel {
                let image = load_image(mem, kernel, kernel_addr, "kernel")?;
                occupied.push((image.range.0, image.range.1, "kernel"));
                next_addr = image.entry;
                kernel_elf = image.elf;
            }
            let mut info = Vec::with_capacity(48);
            for field in [
                FW_DYNAMIC_MAGIC,
                FW_DYNAMIC_VERSION,
                next_addr,
                NEXT_MODE_S,
                0,
                u64::MAX,
            ] {
                info.extend_from_slice(&field.to_le_bytes());
            }
            (
                firmware.entry,
                Some((BOOT_ROM.base + FW_DYNAMIC_INFO_OFFSET, info)),
                kernel_elf,
            )
        }
    };

    let mut initrd = None;
    if let Some(path) = &config.initrd {
        let bytes = read_file(path, "initrd", dtb_addr.saturating_sub(ram))?;
        let size = bytes.len() as u64;
        let start = dtb_addr.checked_sub(size).map(|a| a & !0xfff);
        let Some(start) = start.filter(|&s| s >= ram && mem.contains(PhysAddr::new(s), size))
        else {
            return Err(Error::Layout(format!(
                "initrd {} ({size} bytes) does not fit in RAM",
                path.display()
            )));
        };
        mem.write(PhysAddr::new(start), &bytes)?;
        occupied.push((start, start + size, "initrd"));
        initrd = Some((start, start + size));
    }

    let images = occupied
        .iter()
        .map(|&(start, end, _)| (start, end))
        .collect();
    occupied.push((dtb_addr, dtb_addr + 1, "device tree"));
    occupied.sort();
    for pair in occupied.windows(2) {
        if pair[0].1 > pair[1].0 {
            return Err(Error::Layout(format!(
                "{} ({:#x}..{:#x}) overlaps {} ({:#x}..{:#x}): use more RAM (-m) or smaller images",
                pair[0].2, pair[0].0, pair[0].1, pair[1].2, pair[1].0, pair[1].1
            )));
        }
    }
    Ok(BootInfo {
        entry,
        initrd,
        fw_dynamic,
        kernel_elf,
        images,
    })
}
