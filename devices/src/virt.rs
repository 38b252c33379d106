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
use rivet_core::isa::Extensions;
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
use crate::semihosting::{Semihosting, SemihostingConfig, SemihostingStop};
use crate::slirp::{UserNet, UserNetConfig};
use crate::tap::{Tap, TapConfig};
use crate::test_finisher::{PowerRequest, TestFinisher};
use crate::uart::Uart16550;
use crate::virtio::{
    Disk, DiskMode, EntropySource, MmioVersion, VirtioBlock, VirtioConsole, VirtioMmio, VirtioNet,
    VirtioRng,
};

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

/// The network behind a virtio-net device (QEMU's `-netdev` backends).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetdevConfig {
    /// `-netdev user`: libslirp.
    User(UserNetConfig),
    /// `-netdev tap`: a host tap interface.
    Tap(TapConfig),
}

/// A virtio-net device on a network (`-netdev user|tap` with `-device
/// virtio-net-device`, or `-nic user|tap`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NicConfig {
    /// The MAC address.
    pub mac: [u8; 6],
    /// The network behind it.
    pub net: NetdevConfig,
    /// The virtio-mmio slot (0..8) it sits in.
    pub slot: usize,
}

/// Where a virtio-rng device's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RngBackend {
    /// The host's `getrandom(2)` (QEMU's `rng-builtin`).
    Builtin,
    /// A file read as a stream (QEMU's `rng-random,filename=`).
    File(std::path::PathBuf),
}

/// A virtio-rng device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RngConfig {
    /// Its entropy source.
    pub backend: RngBackend,
    /// The virtio-mmio slot (0..8) it sits in.
    pub slot: usize,
}

/// The MAC address QEMU gives its `index`th network card when the command
/// line gives none: 52:54:00:12:34:56, then ...:57 and so on.
pub fn default_mac(index: usize) -> [u8; 6] {
    let last = 0x56u8.wrapping_add(u8::try_from(index % 256).unwrap_or(0));
    [0x52, 0x54, 0x00, 0x12, 0x34, last]
}

/// How long the board sleeps at most while a network device is attached
/// and the console has no [`Waker`](crate::console::Waker) for the network
/// to end the wait with: frames from the network arrive on another thread,
/// and the harts' wait ends at least this often to let the device take them.
const NETWORK_POLL: Duration = Duration::from_millis(1);

/// How long the board sleeps at most while a network device is attached
/// and the network can end the wait: a wait without a timeout would end
/// at once when the console's input has ended, though frames may come.
const NETWORK_IDLE: Duration = Duration::from_secs(1);

/// A virtio console device (`-device virtio-serial-device` with its
/// `virtconsole`).
#[derive(Clone, Debug)]
pub struct ConsoleConfig {
    /// The host side of its port 0.
    pub port: std::sync::Arc<dyn crate::virtio::ConsolePort>,
    /// The virtio-mmio slot (0..8) it sits in.
    pub slot: usize,
}

/// A host folder shared through virtio-9p.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareConfig {
    /// The folder.
    pub path: std::path::PathBuf,
    /// The mount tag the guest mounts it by.
    pub tag: String,
    /// Refuse every change (`readonly=on`).
    pub read_only: bool,
    /// How the guest's owners and modes are kept (`security_model=`).
    pub security_model: crate::virtio::fsdev::SecurityModel,
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
    /// The virtio-net devices.
    pub nics: Vec<NicConfig>,
    /// The virtio-rng devices.
    pub rngs: Vec<RngConfig>,
    /// The virtio-9p shared folders.
    pub shares: Vec<ShareConfig>,
    /// The virtio console devices.
    pub consoles: Vec<ConsoleConfig>,
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
    /// Semihosting (`-semihosting`), if enabled.
    pub semihosting: Option<SemihostingConfig>,
    /// The harts' extensions (`-cpu rv64,EXT=on|off`).
    pub extensions: Extensions,
}

impl Default for VirtConfig {
    fn default() -> Self {
        VirtConfig {
            ram_size: layout::DEFAULT_RAM_SIZE,
            harts: 1,
            boot: BootConfig::default(),
            time_source: TimeSource::HostClock,
            drives: Vec::new(),
            nics: Vec::new(),
            rngs: Vec::new(),
            shares: Vec::new(),
            consoles: Vec::new(),
            virtio_version: MmioVersion::Modern,
            rtc_base_ns: None,
            rtc_virtual: false,
            plic_gateway: Gateway::default(),
            semihosting: None,
            extensions: Extensions::default(),
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
    /// A semihosting `SYS_EXIT`: the program's exit code.
    SemihostingExit(u32),
    /// The guest made a semihosting call rivet does not implement (its
    /// operation number).
    SemihostingUnsupported(u64),
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
    /// The network cards end the board's waits through the console's waker.
    network_wakes: bool,
    semihosting: Option<Semihosting>,
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
            network_wakes: false,
            semihosting: None,
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

    /// The board's semihosting (see [`crate::semihosting`]), when
    /// enabled; its console is the serial console.
    fn semihosting(
        &mut self,
        hart: &mut rivet_core::Hart,
        mem: &mut Memory,
    ) -> Option<rivet_core::semihosting::SemihostingOutcome> {
        let semihosting = self.semihosting.as_mut()?;
        let mut line = SerialLine {
            uart: &mut self.uart,
            console: self.console.as_mut(),
        };
        let outcome = semihosting.call(hart, mem, &mut line);
        self.update_irq(Device::Uart0);
        Some(outcome)
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
        match self.semihosting.as_ref().and_then(Semihosting::stop) {
            Some(SemihostingStop::Exit(code)) => return Some(VirtStop::SemihostingExit(code)),
            Some(SemihostingStop::Unsupported(op)) => {
                return Some(VirtStop::SemihostingUnsupported(op))
            }
            None => {}
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
    ///
    /// Input the UART takes here may raise its interrupt: then the harts
    /// look again at once (waiting on the console, whose queue the UART
    /// just emptied, would miss that wake-up).
    fn wait(&mut self, timeout: Option<Duration>) -> bool {
        let received = self.uart.exchange(self.console.as_mut());
        self.console.flush();
        self.update_irq(Device::Uart0);
        if received || self.virtio.iter().any(VirtioMmio::is_busy) {
            return true;
        }
        // Network cards and console ports take host input on other threads.
        let networked = self.virtio.iter().any(|t| {
            matches!(
                t.device_id(),
                crate::virtio::device_id::NET | crate::virtio::device_id::CONSOLE
            )
        });
        if networked {
            let step = if self.network_wakes {
                NETWORK_IDLE
            } else {
                NETWORK_POLL
            };
            return self
                .console
                .wait(Some(timeout.map_or(step, |t| t.min(step))));
        }
        self.console.wait(timeout)
    }
}

/// The virtio-9p transport for `share`.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn share_device(share: &ShareConfig, version: MmioVersion) -> Result<VirtioMmio> {
    let device = crate::virtio::p9::VirtioP9::new(
        &share.path,
        &share.tag,
        share.read_only,
        share.security_model,
    )
    .map_err(|e| Error::Config(format!("virtio-9p: {e}")))?;
    Ok(VirtioMmio::new(Some(Box::new(device)), version))
}

/// virtio-9p needs Linux's `openat` family to confine the guest.
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn share_device(_share: &ShareConfig, _version: MmioVersion) -> Result<VirtioMmio> {
    Err(Error::Config(
        "virtio-9p: host file sharing needs a 64-bit Linux host".into(),
    ))
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
            extensions: config.extensions,
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
        let slots: Vec<usize> = (config.drives.iter().map(|d| d.slot))
            .chain(config.rngs.iter().map(|r| r.slot))
            .chain(config.shares.iter().map(|s| s.slot))
            .chain(config.consoles.iter().map(|c| c.slot))
            .collect();
        for (i, &slot) in slots.iter().enumerate() {
            if slot >= layout::VIRTIO_SLOTS {
                return Err(Error::Config(format!(
                    "virtio-mmio slot {slot} does not exist (0..{})",
                    layout::VIRTIO_SLOTS
                )));
            }
            if slots[..i].contains(&slot) {
                return Err(Error::Config(format!(
                    "two devices in virtio-mmio slot {slot}"
                )));
            }
        }
        for rng in &config.rngs {
            let source = match &rng.backend {
                RngBackend::Builtin => EntropySource::Builtin,
                RngBackend::File(path) => EntropySource::open(path).map_err(|e| {
                    Error::Config(format!("rng-random: cannot open '{}': {e}", path.display()))
                })?,
            };
            board.set_virtio(
                rng.slot,
                VirtioMmio::new(
                    Some(Box::new(VirtioRng::new(source))),
                    config.virtio_version,
                ),
            );
        }
        for console in &config.consoles {
            let waker = board.console.waker();
            board.network_wakes = waker.is_some();
            console.port.set_waker(waker);
            board.set_virtio(
                console.slot,
                VirtioMmio::new(
                    Some(Box::new(VirtioConsole::new(console.port.clone()))),
                    config.virtio_version,
                ),
            );
        }
        for share in &config.shares {
            board.set_virtio(share.slot, share_device(share, config.virtio_version)?);
        }
        for drive in &config.drives {
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
        for nic in &config.nics {
            let taken = config.drives.iter().filter(|d| d.slot == nic.slot).count()
                + config.nics.iter().filter(|n| n.slot == nic.slot).count();
            if nic.slot >= layout::VIRTIO_SLOTS || taken > 1 {
                return Err(Error::Config(format!(
                    "virtio-mmio slot {} does not exist or holds two devices",
                    nic.slot
                )));
            }
            let waker = board.console.waker();
            board.network_wakes = waker.is_some();
            let backend: Box<dyn crate::virtio::NetBackend> = match &nic.net {
                NetdevConfig::User(user) => Box::new(
                    UserNet::start(user, waker)
                        .map_err(|e| Error::Config(format!("-netdev user: {e}")))?,
                ),
                NetdevConfig::Tap(tap) => Box::new(
                    Tap::open(tap, waker)
                        .map_err(|e| Error::Config(format!("-netdev tap: {e}")))?,
                ),
            };
            let device = VirtioNet::new(nic.mac, backend);
            board.set_virtio(
                nic.slot,
                VirtioMmio::new(Some(Box::new(device)), config.virtio_version),
            );
        }
        let mut a2 = 0;
        if let Some((addr, bytes)) = &info.fw_dynamic {
            board.boot_rom = BootRom::new(*addr, bytes)?;
            a2 = *addr;
        }
        if let Some(semihosting) = &config.semihosting {
            let mut images = info.images.clone();
            images.push((dtb_addr, dtb_addr + dtb.len() as u64));
            let heap = largest_gap(
                &images,
                layout::RAM_BASE,
                layout::RAM_BASE + config.ram_size,
            );
            board.semihosting = Some(Semihosting::new(semihosting.clone(), heap)?);
        }
        let mut machine = Machine::new(config.harts, memory, board, timebase);
        if let Some(semihosting) = &config.semihosting {
            for hart in machine.harts.iter_mut() {
                hart.set_semihosting(rivet_core::semihosting::SemihostingGate {
                    enabled: true,
                    userspace: semihosting.userspace,
                });
            }
        }
        for hart in machine.harts.iter_mut() {
            hart.set_extensions(config.extensions);
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

/// The serial line's input as semihosting reads it: first what the UART
/// received and the guest has not read, then the console's. (Both read
/// the one standard input; without this, bytes the UART took between
/// slices would be lost to a program that reads its console by
/// semihosting.)
struct SerialLine<'a> {
    uart: &'a mut Uart16550,
    console: &'a mut dyn Console,
}

impl Console for SerialLine<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.console.write(bytes);
    }

    fn read(&mut self) -> Option<u8> {
        self.uart.take_received().or_else(|| self.console.read())
    }

    fn wait(&mut self, timeout: Option<Duration>) -> bool {
        self.console.wait(timeout)
    }

    fn quit_requested(&self) -> bool {
        self.console.quit_requested()
    }

    fn flush(&mut self) {
        self.console.flush();
    }
}

/// The largest stretch of `[start, end)` that none of `used` covers
/// (QEMU's `SYS_HEAPINFO` heap: the largest gap between its loaded images
/// in RAM); the first of equal ones.
fn largest_gap(used: &[(u64, u64)], start: u64, end: u64) -> (u64, u64) {
    let mut used: Vec<(u64, u64)> = used
        .iter()
        .map(|&(a, b)| (a.clamp(start, end), b.clamp(start, end)))
        .collect();
    used.sort_unstable();
    let mut best = (start, start);
    let mut at = start;
    for (a, b) in used.into_iter().chain([(end, end)]) {
        if a > at && a - at > best.1 - best.0 {
            best = (at, a);
        }
        at = at.max(b);
    }
    best
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
    fn semihosting_reads_what_the_uart_received_first() {
        use crate::semihosting::{op, ConsoleInput, DebugConsole, SemihostingConfig};
        use rivet_core::semihosting::SemihostingOutcome;

        let mut board = board(b"ab");
        let config = SemihostingConfig {
            cmdline: String::new(),
            userspace: false,
            root: None,
            input: ConsoleInput::Serial,
            debug_console: DebugConsole::Stderr,
        };
        board.semihosting = Some(Semihosting::new(config, (0, 0)).unwrap());
        // The UART takes the input between slices; the guest reads none.
        board.uart.exchange(board.console.as_mut());
        // (FIFOs off: it holds one byte, 'a'.)
        assert!(!board.uart.can_receive());
        let mut mem = Memory::new(PhysAddr::new(layout::RAM_BASE), 0x1000).unwrap();
        let mut hart = rivet_core::Hart::new(0);
        let mut readc = |board: &mut VirtBoard| {
            hart.set_x(XReg::A0, op::SYS_READC);
            board.semihosting(&mut hart, &mut mem)
        };
        assert_eq!(
            readc(&mut board),
            Some(SemihostingOutcome::Return(u64::from(b'a')))
        );
        assert_eq!(
            readc(&mut board),
            Some(SemihostingOutcome::Return(u64::from(b'b')))
        );
        // The input has ended.
        assert_eq!(
            readc(&mut board),
            Some(SemihostingOutcome::Return(u64::MAX))
        );
    }

    #[test]
    fn the_heap_is_the_largest_gap_between_images() {
        let ram = (0x8000_0000, 0x9000_0000);
        // An ELF at the start of RAM, the device tree 2 MiB below the top.
        let used = [(0x8000_0000, 0x8010_0e28), (0x8fe0_0000, 0x8fe0_1000)];
        assert_eq!(largest_gap(&used, ram.0, ram.1), (0x8010_0e28, 0x8fe0_0000));
        // Nothing loaded: all of RAM; everything loaded: nothing.
        assert_eq!(largest_gap(&[], ram.0, ram.1), ram);
        assert_eq!(
            largest_gap(&[ram], ram.0, ram.1).0,
            largest_gap(&[ram], ram.0, ram.1).1
        );
        // Overlapping and out-of-RAM ranges are clipped.
        let used = [(0x7000_0000, 0x8000_1000), (0x8000_0800, 0x8000_2000)];
        assert_eq!(largest_gap(&used, ram.0, ram.1), (0x8000_2000, ram.1));
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

    /// A network card sits in its slot with DeviceID 1 and its MAC in the
    /// configuration space; two devices in one slot are refused by name.
    #[test]
    fn a_network_card_takes_its_slot_and_shares_it_with_nothing() {
        let kernel = std::env::temp_dir().join(format!("rivet-nic-{}.bin", std::process::id()));
        std::fs::write(&kernel, [0x6f, 0, 0, 0]).unwrap();
        let nic = NicConfig {
            mac: default_mac(1),
            net: NetdevConfig::User(UserNetConfig::default()),
            slot: 2,
        };
        let config = |nics: Vec<NicConfig>| VirtConfig {
            ram_size: 16 << 20,
            boot: BootConfig {
                bios: Some(boot::Firmware::None),
                kernel: Some(kernel.clone()),
                ..BootConfig::default()
            },
            time_source: TimeSource::Deterministic,
            nics,
            ..VirtConfig::default()
        };
        let built = VirtMachine::new(&config(vec![nic.clone()]), Box::new(BufferConsole::new()));
        let twice = VirtMachine::new(
            &config(vec![nic.clone(), nic.clone()]),
            Box::new(BufferConsole::new()),
        );
        std::fs::remove_file(&kernel).unwrap();
        let mut vm = built.unwrap();
        let slot = layout::virtio_slot(2).base;
        let board = &mut vm.machine.platform;
        assert_eq!(read(board, slot + 8, AccessSize::Word), Ok(1));
        let mac: Vec<u64> = (0..6)
            .map(|i| read(board, slot + 0x100 + i, AccessSize::Byte).unwrap())
            .collect();
        assert_eq!(mac, [0x52, 0x54, 0x00, 0x12, 0x34, 0x57]);
        let Err(Error::Config(message)) = twice else {
            panic!("two cards in one slot accepted");
        };
        assert!(message.contains("slot 2"), "{message}");
    }
}
