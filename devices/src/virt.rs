//! The `virt` board: the devices at their addresses (see [`crate::layout`]),
//! their interrupts wired to the PLIC and CLINT, and the boot protocol.
//!
//! [`VirtBoard`] is the [`Platform`] the harts run on: it routes physical
//! accesses outside RAM to devices through an [`AddressMap`] built from
//! [`layout::MEMORY_MAP`], passes each device's interrupt line to the PLIC
//! when the device may have changed it, lets devices make progress between
//! time slices, sleeps the host when every hart waits, and decides when
//! the machine stops ([`VirtStop`]).

use std::collections::BTreeMap;
use std::time::Duration;

use rivet_core::csr::irq;
use rivet_core::machine::{ExitReason, Machine, Platform};
use rivet_core::{AccessSize, Bus, BusError, Memory, PhysAddr, TimeSource, Timebase, XReg};

use crate::address_map::AddressMap;
use crate::boot::{self, BootConfig, BootRom};
use crate::clint::Clint;
use crate::console::Console;
use crate::device::MmioDevice;
use crate::error::{Error, Result};
use crate::fdt::{self, FdtConfig};
use crate::goldfish_rtc::{GoldfishRtc, RtcClock};
use crate::htif::{Htif, HtifRequest};
use crate::layout::{self, Device};
use crate::plic::{Gateway, Plic};
use crate::test_finisher::{PowerRequest, TestFinisher};
use crate::uart::Uart16550;
use crate::virtio::{Disk, DiskMode, MmioVersion, VirtioBlock, VirtioMmio};

/// A disk for a virtio-blk device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriveConfig {
    /// The image file.
    pub path: std::path::PathBuf,
    /// Its format (`format=`), or `None` to probe it as QEMU does.
    pub format: Option<crate::virtio::DiskFormat>,
    /// Read-write, read-only or snapshot (writes kept in memory).
    pub mode: DiskMode,
    /// The drive's id (its virtio-blk serial number).
    pub id: String,
    /// The virtio-mmio slot (0..8) it sits in.
    pub slot: usize,
}

/// The opened disks of a `virt` machine, by virtio-mmio slot.
///
/// They outlive the machine: when the guest resets, the board taken down
/// gives them back ([`VirtBoard::into_parts`]) and the next one is built
/// on them ([`VirtMachine::with_disks`]), so a snapshot disk keeps the
/// guest's writes for as long as rivet runs (as QEMU's does) and an image
/// stays locked throughout.
#[derive(Debug, Default)]
pub struct Disks {
    by_slot: BTreeMap<usize, Disk>,
}

impl Disks {
    /// The disk in virtio-mmio slot `slot`, if there is one.
    pub fn get(&self, slot: usize) -> Option<&Disk> {
        self.by_slot.get(&slot)
    }

    /// How many disks there are.
    pub fn len(&self) -> usize {
        self.by_slot.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_slot.is_empty()
    }
}

/// How to build a `virt` machine.
#[derive(Clone, Debug)]
pub struct VirtConfig {
    /// RAM size in bytes (`-m`).
    pub ram_size: u64,
    /// Number of harts (`-smp`), 1..=[`layout::MAX_HARTS`] (64).
    pub harts: usize,
    /// The boot images.
    pub boot: BootConfig,
    /// Where time comes from.
    pub time_source: TimeSource,
    /// The virtio-blk disks.
    pub drives: Vec<DriveConfig>,
    /// The virtio-mmio register layout of every slot.
    pub virtio_version: MmioVersion,
    /// The RTC's start time in nanoseconds since the epoch (`-rtc base=`),
    /// if not now.
    pub rtc_base_ns: Option<u64>,
    /// Whether the RTC follows virtual time (`-rtc clock=vm`; the default
    /// with a deterministic timebase) instead of the host's clock.
    pub rtc_virtual: bool,
    /// How the PLIC's gateways turn device lines into requests (QEMU's
    /// behaviour by default; see [`crate::plic`]).
    pub plic_gateway: Gateway,
}

impl Default for VirtConfig {
    fn default() -> Self {
        VirtConfig {
            ram_size: layout::DEFAULT_RAM_SIZE,
            harts: 1,
            boot: BootConfig::default(),
            time_source: TimeSource::HostClock,
            drives: Vec::new(),
            virtio_version: MmioVersion::Modern,
            rtc_base_ns: None,
            rtc_virtual: false,
            plic_gateway: Gateway::default(),
        }
    }
}

/// Why the `virt` board stops the machine (its [`Platform::Stop`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VirtStop {
    /// The guest powered the machine off with this exit code (0 for a
    /// clean poweroff, or a test finisher's failure code).
    PowerOff(u32),
    /// The guest asked for a reset (the test finisher, Linux's
    /// `syscon-reboot`).
    Reset,
    /// The user quit (the console's quit key, a signal).
    Quit,
    /// A `tohost` exit: 0 for pass, `n` for "test `n` failed".
    Htif(u64),
    /// The guest made an HTIF request rivet does not support (the raw
    /// `tohost` value).
    HtifUnsupported(u64),
}

/// How a run of a `virt` machine ends.
pub type VirtExit = ExitReason<VirtStop>;

/// The devices of the board.
pub struct VirtBoard {
    harts: usize,
    /// Which device answers where.
    map: AddressMap<Device>,
    finisher: TestFinisher,
    rtc: GoldfishRtc,
    clint: Clint,
    plic: Plic,
    uart: Uart16550,
    virtio: Vec<VirtioMmio>,
    boot_rom: BootRom,
    console: Box<dyn Console>,
    htif: Option<Htif>,
}

impl std::fmt::Debug for VirtBoard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtBoard")
            .field("harts", &self.harts)
            .finish_non_exhaustive()
    }
}

impl VirtBoard {
    /// The board's devices for `harts` harts, talking to `console`, with
    /// the PLIC's gateways behaving as `gateway` says; at the addresses of
    /// [`layout::MEMORY_MAP`].
    pub fn new(
        harts: usize,
        timebase: Timebase,
        rtc: RtcClock,
        gateway: Gateway,
        console: Box<dyn Console>,
    ) -> Result<Self> {
        let mut map = AddressMap::new();
        for (device, region) in layout::MEMORY_MAP {
            if device != Device::Ram {
                map.insert(region, device)
                    .map_err(|e| Error::Layout(format!("{device:?}: {e}")))?;
            }
        }
        Ok(VirtBoard {
            harts,
            map,
            finisher: TestFinisher::new(),
            rtc: GoldfishRtc::new(rtc),
            clint: Clint::new(harts, timebase),
            plic: Plic::new(layout::PLIC_SOURCES, 2 * harts, gateway),
            uart: Uart16550::new(),
            virtio: (0..layout::VIRTIO_SLOTS)
                .map(|_| VirtioMmio::new(None, MmioVersion::Modern))
                .collect(),
            boot_rom: BootRom::default(),
            console,
            htif: None,
        })
    }

    /// The device mapped as `device`, if it is on the bus.
    #[inline]
    fn device(&mut self, device: Device) -> Option<&mut dyn MmioDevice> {
        Some(match device {
            Device::BootRom => &mut self.boot_rom,
            Device::TestFinisher => &mut self.finisher,
            Device::Rtc => &mut self.rtc,
            Device::Clint => &mut self.clint,
            Device::Plic => &mut self.plic,
            Device::Uart0 => &mut self.uart,
            Device::Virtio(slot) => self.virtio.get_mut(slot)?,
            Device::Ram => return None,
        })
    }

    /// Passes what `device`'s interrupt line did since the last look to
    /// the PLIC (nothing for a device without one).
    #[inline]
    fn update_irq(&mut self, device: Device) {
        let signal = match device {
            Device::Rtc => self.rtc.take_irq(),
            Device::Uart0 => self.uart.take_irq(),
            Device::Virtio(slot) => match self.virtio.get_mut(slot) {
                Some(transport) => transport.take_irq(),
                None => return,
            },
            _ => return,
        };
        if let Some(source) = device.irq() {
            self.plic.signal(source, signal);
        }
    }

    /// Passes every device's interrupt line to the PLIC: after the devices
    /// made progress on their own (DMA, console input, an alarm).
    fn update_irqs(&mut self) {
        self.update_irq(Device::Rtc);
        self.update_irq(Device::Uart0);
        for slot in 0..self.virtio.len() {
            self.update_irq(Device::Virtio(slot));
        }
    }

    /// Watches a program's `tohost` word (see [`crate::htif`]): its exit
    /// stops the machine, its console output goes to the console.
    pub fn set_htif(&mut self, htif: Htif) {
        self.htif = Some(htif);
    }

    /// Takes a request out of `tohost`, if a program wrote one: console
    /// output is printed, an exit is the board's stop.
    fn poll_htif(&mut self, mem: &mut Memory) -> Option<VirtStop> {
        match self.htif?.poll(mem)? {
            HtifRequest::Exit(code) => Some(VirtStop::Htif(code)),
            HtifRequest::Putchar(byte) => {
                self.console.write(&[byte]);
                None
            }
            HtifRequest::Unsupported(value) => Some(VirtStop::HtifUnsupported(value)),
        }
    }

    /// Puts a virtio device (or an empty transport) in slot `slot`.
    pub fn set_virtio(&mut self, slot: usize, transport: VirtioMmio) {
        if let Some(s) = self.virtio.get_mut(slot) {
            *s = transport;
        }
    }

    /// Writes every disk's data through to its image file (a no-op for
    /// read-only and snapshot disks). Called on clean exit and on signals.
    pub fn flush_disks(&mut self) -> Result<()> {
        for transport in &mut self.virtio {
            transport
                .flush()
                .map_err(|e| Error::Config(e.to_string()))?;
        }
        Ok(())
    }

    /// The virtio-mmio transports, by slot.
    pub fn virtio(&self) -> &[VirtioMmio] {
        &self.virtio
    }

    /// Gives the console back (to build a new board after a reset).
    pub fn into_console(self) -> Box<dyn Console> {
        self.console
    }

    /// Takes the board down and gives back what outlives it: the console
    /// and the disks (to build a new board on after a reset).
    pub fn into_parts(self) -> (Box<dyn Console>, Disks) {
        let by_slot = self
            .virtio
            .into_iter()
            .enumerate()
            .filter_map(|(slot, transport)| Some((slot, transport.into_disk()?)))
            .collect();
        (self.console, Disks { by_slot })
    }

    /// Flushes console output (and takes console input into the UART).
    pub fn flush(&mut self) {
        self.uart.exchange(self.console.as_mut());
        self.console.flush();
        self.update_irq(Device::Uart0);
    }
}

impl Bus for VirtBoard {
    fn read(&mut self, addr: PhysAddr, size: AccessSize) -> Result<u64, BusError> {
        let (device, offset) = self
            .map
            .find(addr.get(), size.bytes())
            .ok_or(BusError::Unmapped(addr))?;
        let value = self
            .device(device)
            .ok_or(BusError::Unmapped(addr))?
            .read(offset, size);
        // A read can lower the line (a 16550's IIR or RBR).
        self.update_irq(device);
        Ok(value)
    }

    fn write(&mut self, addr: PhysAddr, size: AccessSize, value: u64) -> Result<(), BusError> {
        let (device, offset) = self
            .map
            .find(addr.get(), size.bytes())
            .ok_or(BusError::Unmapped(addr))?;
        self.device(device)
            .ok_or(BusError::Unmapped(addr))?
            .write(offset, size, value);
        self.update_irq(device);
        Ok(())
    }

    fn peek(&self, addr: PhysAddr, buf: &mut [u8]) -> bool {
        // Only the boot ROM reads without side effects.
        match self.map.find(addr.get(), buf.len() as u64) {
            Some((Device::BootRom, offset)) => {
                self.boot_rom.peek(offset, buf);
                true
            }
            _ => false,
        }
    }

    /// The CLINT's lines and the PLIC's eip lines of hart `hart`'s M- and
    /// S-mode contexts. The PLIC already holds every device's line (the
    /// board passes a device's line on at each access to it and after the
    /// devices' own progress), so this only reads state.
    fn interrupt_lines(&self, hart: usize) -> Option<u64> {
        let mut lines = self.clint.lines(hart);
        if self.plic.context_pending(2 * hart) {
            lines |= irq::MEI;
        }
        if self.plic.context_pending(2 * hart + 1) {
            lines |= irq::SEI;
        }
        Some(lines)
    }
}

impl Platform for VirtBoard {
    type Stop = VirtStop;

    /// Runs the HTIF and the devices; the machine stops when a program
    /// exits through `tohost`, the user quits, or the guest powers off or
    /// resets (in that order of precedence).
    fn poll(&mut self, mem: &mut Memory) -> Option<VirtStop> {
        let htif = self.poll_htif(mem);
        self.rtc.update();
        for transport in &mut self.virtio {
            transport.poll(mem);
        }
        self.uart.exchange(self.console.as_mut());
        self.console.flush();
        self.update_irqs();
        if htif.is_some() {
            return htif;
        }
        if self.console.quit_requested() {
            return Some(VirtStop::Quit);
        }
        self.finisher.take_request().map(|request| match request {
            PowerRequest::PowerOff(code) => VirtStop::PowerOff(code),
            PowerRequest::Reset => VirtStop::Reset,
        })
    }

    fn next_deadline(&self) -> Option<u64> {
        self.clint.next_deadline()
    }

    /// Does not sleep while a virtio device has work left from its last
    /// poll (a request bigger than one poll's work): the harts' next round
    /// and the poll after it carry the work on.
    fn wait(&mut self, timeout: Option<Duration>) -> bool {
        self.flush();
        if self.virtio.iter().any(VirtioMmio::is_busy) {
            return true;
        }
        self.console.wait(timeout)
    }
}

/// A `virt` machine, built and loaded, ready to run.
pub struct VirtMachine {
    /// The harts, RAM and board.
    pub machine: Machine<VirtBoard>,
    /// The device tree blob the harts were given.
    pub dtb: Vec<u8>,
    /// Where it is in RAM.
    pub dtb_addr: u64,
}

impl VirtMachine {
    /// Builds the board of `config`, opening its disks, loads its boot
    /// images and sets every hart at the entry point with `a0` = hart id,
    /// `a1` = device tree and (OpenSBI `fw_dynamic`) `a2` =
    /// `fw_dynamic_info`.
    pub fn new(config: &VirtConfig, console: Box<dyn Console>) -> Result<Self> {
        Self::with_disks(config, console, Disks::default())
    }

    /// Builds the machine like [`VirtMachine::new`], on the disks of a
    /// board taken down ([`VirtBoard::into_parts`]): each drive takes the
    /// disk of its slot if that is its image opened in its mode, and opens
    /// its image otherwise. Disks no drive takes are closed.
    pub fn with_disks(
        config: &VirtConfig,
        console: Box<dyn Console>,
        mut disks: Disks,
    ) -> Result<Self> {
        if config.harts == 0 || config.harts > layout::MAX_HARTS {
            return Err(Error::Config(format!(
                "-smp {}: the virt board supports 1 to {} harts",
                config.harts,
                layout::MAX_HARTS
            )));
        }
        let mut memory = Memory::new(PhysAddr::new(layout::RAM_BASE), config.ram_size)
            .map_err(|e| Error::Config(format!("-m: {e}")))?;
        // The device tree's size does not depend on where the initrd goes.
        let probe = FdtConfig {
            harts: config.harts,
            ram_size: config.ram_size,
            bootargs: config.boot.append.clone(),
            initrd: config.boot.initrd.as_ref().map(|_| (0, 0)),
        };
        let probe_size = fdt::build(&probe)
            .map_err(|e| Error::Fdt(e.to_string()))?
            .len() as u64;
        let dtb_addr = boot::dtb_address(&memory, probe_size)?;
        let info = boot::load(&mut memory, &config.boot, dtb_addr)?;
        let dtb = fdt::build(&FdtConfig {
            initrd: info.initrd,
            ..probe
        })
        .map_err(|e| Error::Fdt(e.to_string()))?;
        memory.write(PhysAddr::new(dtb_addr), &dtb)?;

        let timebase = Timebase::new(config.time_source);
        let virtual_rtc = config.rtc_virtual || config.time_source == TimeSource::Deterministic;
        let rtc = if virtual_rtc {
            let base_ns = config.rtc_base_ns.unwrap_or_else(GoldfishRtc::host_time_ns);
            RtcClock::Virtual {
                base_ns,
                timebase: timebase.clone(),
            }
        } else {
            RtcClock::Host
        };
        let mut board = VirtBoard::new(
            config.harts,
            timebase.clone(),
            rtc,
            config.plic_gateway,
            console,
        )?;
        if let (false, Some(base)) = (virtual_rtc, config.rtc_base_ns) {
            board.rtc.set_time_ns(base);
        }
        for slot in 0..layout::VIRTIO_SLOTS {
            board.set_virtio(slot, VirtioMmio::new(None, config.virtio_version));
        }
        for drive in &config.drives {
            if drive.slot >= layout::VIRTIO_SLOTS {
                return Err(Error::Config(format!(
                    "virtio-mmio slot {} does not exist (0..{})",
                    drive.slot,
                    layout::VIRTIO_SLOTS
                )));
            }
            if config
                .drives
                .iter()
                .filter(|d| d.slot == drive.slot)
                .count()
                > 1
            {
                return Err(Error::Config(format!(
                    "two devices in virtio-mmio slot {}",
                    drive.slot
                )));
            }
            let disk = match disks.by_slot.remove(&drive.slot) {
                Some(disk)
                    if disk.path() == drive.path
                        && disk.mode() == drive.mode
                        && drive.format.is_none_or(|f| f == disk.format()) =>
                {
                    disk
                }
                other => {
                    // Close a disk that is not this drive's before opening
                    // the drive's image: it may be the same file.
                    drop(other);
                    Disk::open_format(&drive.path, drive.mode, drive.format)
                        .map_err(|e| Error::Config(e.to_string()))?
                }
            };
            let block = VirtioBlock::new(disk, &drive.id);
            board.set_virtio(
                drive.slot,
                VirtioMmio::new(Some(Box::new(block)), config.virtio_version),
            );
        }
        let mut a2 = 0;
        if let Some((addr, bytes)) = &info.fw_dynamic {
            board.boot_rom = BootRom::new(*addr, bytes)?;
            a2 = *addr;
        }
        let mut machine = Machine::new(config.harts, memory, board, timebase);
        for hart in machine.harts.iter_mut() {
            hart.set_pc(info.entry);
            hart.set_x(XReg::A0, hart.hart_id());
            hart.set_x(XReg::A1, dtb_addr);
            hart.set_x(XReg::A2, a2);
        }
        if let Some(elf) = &info.kernel_elf {
            if let Some(tohost) = elf.symbol("tohost") {
                machine.platform.set_htif(Htif::new(
                    PhysAddr::new(tohost),
                    elf.symbol("fromhost").map(PhysAddr::new),
                ));
            }
        }
        Ok(VirtMachine {
            machine,
            dtb,
            dtb_addr,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::BufferConsole;
    use crate::layout::{BOOT_ROM, PLIC, UART0};

    fn board(input: &[u8]) -> VirtBoard {
        let mut console = BufferConsole::new();
        console.input.extend(input);
        VirtBoard::new(
            1,
            Timebase::new(TimeSource::Deterministic),
            RtcClock::Host,
            Gateway::default(),
            Box::new(console),
        )
        .unwrap()
    }

    fn read(board: &mut VirtBoard, addr: u64, size: AccessSize) -> Result<u64, BusError> {
        board.read(PhysAddr::new(addr), size)
    }

    fn write(board: &mut VirtBoard, addr: u64, size: AccessSize, value: u64) {
        board.write(PhysAddr::new(addr), size, value).unwrap();
    }

    /// Hart 0's S-mode context: claim/complete register.
    const S_CLAIM: u64 = PLIC.base + 0x20_0000 + 0x1000 + 4;

    #[test]
    fn a_device_line_reaches_the_hart_through_the_plic_until_claimed() {
        let mut board = board(b"x");
        let mut mem = Memory::new(PhysAddr::new(layout::RAM_BASE), 0x1000).unwrap();
        // UART0's source: priority 1, enabled for hart 0's S-mode context.
        let irq = u64::from(layout::UART0_IRQ);
        write(&mut board, PLIC.base + 4 * irq, AccessSize::Word, 1);
        write(&mut board, PLIC.base + 0x2080, AccessSize::Word, 1 << irq);
        // The UART interrupts on received data.
        write(&mut board, UART0.base + 1, AccessSize::Byte, 1);
        assert_eq!(board.interrupt_lines(0), Some(0));
        // The byte arrives while the board polls, between slices.
        assert_eq!(board.poll(&mut mem), None);
        assert_eq!(board.interrupt_lines(0), Some(irq::SEI));
        // Reading the byte lowers the UART's line; the request stays
        // pending until claimed (QEMU's gateway).
        assert_eq!(
            read(&mut board, UART0.base, AccessSize::Byte),
            Ok(u64::from(b'x'))
        );
        assert_eq!(board.interrupt_lines(0), Some(irq::SEI));
        assert_eq!(read(&mut board, S_CLAIM, AccessSize::Word), Ok(irq));
        assert_eq!(board.interrupt_lines(0), Some(0));
        write(&mut board, S_CLAIM, AccessSize::Word, irq);
        assert_eq!(board.interrupt_lines(0), Some(0));
    }

    #[test]
    fn holes_and_accesses_past_a_region_are_unmapped() {
        let mut board = board(b"");
        for addr in [
            0,
            0xfff,
            0x1_0000,
            UART0.base + 0x100,
            0x1000_9000,
            0x7fff_fff8,
        ] {
            assert_eq!(
                read(&mut board, addr, AccessSize::Word),
                Err(BusError::Unmapped(PhysAddr::new(addr))),
                "{addr:#x}"
            );
        }
        // UART0 is 0x100 bytes: a word at its last byte does not fit.
        assert!(read(&mut board, UART0.base + 0xff, AccessSize::Byte).is_ok());
        assert!(read(&mut board, UART0.base + 0xfe, AccessSize::Word).is_err());
    }

    #[test]
    fn the_boot_rom_reads_its_contents_then_zeros_and_ignores_writes() {
        let mut board = board(b"");
        board.boot_rom = BootRom::new(BOOT_ROM.base + 0x100, &[1, 2, 3, 4]).unwrap();
        let at = BOOT_ROM.base + 0x100;
        assert_eq!(read(&mut board, at, AccessSize::Word), Ok(0x0403_0201));
        assert_eq!(read(&mut board, at, AccessSize::Double), Ok(0x0403_0201));
        assert_eq!(read(&mut board, BOOT_ROM.base, AccessSize::Double), Ok(0));
        write(&mut board, at, AccessSize::Word, 0xdead_beef);
        assert_eq!(read(&mut board, at, AccessSize::Word), Ok(0x0403_0201));
        let mut buf = [0xff; 6];
        assert!(board.peek(PhysAddr::new(at + 2), &mut buf));
        assert_eq!(buf, [3, 4, 0, 0, 0, 0]);
        // Device registers are not peeked; nor is a range leaving the ROM.
        assert!(!board.peek(PhysAddr::new(UART0.base), &mut buf));
        let last = BOOT_ROM.base + BOOT_ROM.size - 2;
        assert!(!board.peek(PhysAddr::new(last), &mut buf));
        assert!(BootRom::new(BOOT_ROM.base + BOOT_ROM.size - 2, &[0; 4]).is_err());
    }

    #[test]
    fn the_board_takes_64_harts_and_wires_the_last_one_and_refuses_65() {
        let kernel =
            std::env::temp_dir().join(format!("rivet-64-harts-{}.bin", std::process::id()));
        std::fs::write(&kernel, [0x6f, 0, 0, 0]).unwrap();
        let config = |harts| VirtConfig {
            harts,
            ram_size: 16 << 20,
            boot: BootConfig {
                bios: Some(boot::Firmware::None),
                kernel: Some(kernel.clone()),
                ..BootConfig::default()
            },
            time_source: TimeSource::Deterministic,
            ..VirtConfig::default()
        };
        let console = || {
            let mut console = BufferConsole::new();
            console.input.extend(b"x");
            Box::new(console)
        };
        let built = VirtMachine::new(&config(64), console());
        let refused = VirtMachine::new(&config(65), console());
        std::fs::remove_file(&kernel).unwrap();
        let mut vm = built.unwrap();
        assert_eq!(vm.machine.harts.len(), 64);
        let Err(Error::Config(message)) = refused else {
            panic!("65 harts accepted");
        };
        assert!(
            message.contains("-smp 65: the virt board supports 1 to 64 harts"),
            "{message}"
        );
        // Hart 63's msip (CLINT + 4 * 63) and its S-mode PLIC context (127).
        let (board, mem) = (&mut vm.machine.platform, &mut vm.machine.memory);
        write(board, layout::CLINT.base + 4 * 63, AccessSize::Word, 1);
        assert_eq!(board.interrupt_lines(63), Some(irq::MSI));
        assert_eq!(board.interrupt_lines(62), Some(0));
        let source = u64::from(layout::UART0_IRQ);
        write(board, PLIC.base + 4 * source, AccessSize::Word, 1);
        write(
            board,
            PLIC.base + 0x2000 + 0x80 * 127,
            AccessSize::Word,
            1 << source,
        );
        write(board, UART0.base + 1, AccessSize::Byte, 1); // on received data
        assert_eq!(board.poll(mem), None);
        assert_eq!(board.interrupt_lines(63), Some(irq::MSI | irq::SEI));
        let claim = PLIC.base + 0x20_0000 + 0x1000 * 127 + 4;
        assert_eq!(read(board, claim, AccessSize::Word), Ok(source));
    }
}
