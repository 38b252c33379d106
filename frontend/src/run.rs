//! Building the machine from the command line and running it to its end.

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use rivet_core::machine::ExitReason;
use rivet_core::TimeSource;
use rivet_devices::boot::{BootConfig, Firmware};
use rivet_devices::fdt::{self, FdtConfig};
use rivet_devices::semihosting::{ConsoleInput, DebugConsole, SemihostingConfig};
use rivet_devices::virt::{
    default_mac, ConsoleConfig, DriveConfig, NicConfig, RngBackend, RngConfig, ShareConfig,
};
use rivet_devices::virtio::disk::format::{probe_path, probed_raw_warning, Probed};
use rivet_devices::virtio::{DiskFormat, DiskMode, MmioVersion};
use rivet_devices::{layout, BufferConsole, Console, Disks, VirtConfig, VirtMachine, VirtStop};

use crate::chardev::Backend;
use crate::chardev::MonitorFront;
use crate::cli::{self, Args, UsageError};
use crate::console::{HostConsole, Output, SerialInput, TerminalGuard};
use crate::control::{Doorbell, Monitors};
use crate::gdb::{GdbAddress, GdbServer};
use crate::log::{LogItems, LogOutput, Shown};
use crate::monitor::{Monitor, MonitorInput};
use crate::net;
use crate::qmp::{Qmp, QmpInput};
use crate::virtio_slots;

/// An error that ends rivet before or instead of running the guest.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A bad command line.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// The machine could not be built (bad image, impossible layout).
    #[error(transparent)]
    Board(#[from] rivet_devices::Error),
    /// Writing an output file failed.
    #[error("{0}")]
    Io(String),
    /// The guest did something rivet does not support.
    #[error("{0}")]
    Guest(String),
}

/// The machine configuration the command line asks for.
pub fn config_from_args(args: &Args) -> Result<(VirtConfig, Option<std::path::PathBuf>), RunError> {
    let (config, dumpdtb, _) = configure(args)?;
    Ok((config, dumpdtb))
}

/// The machine configuration, the `dumpdtb` file and the slot of the
/// console device (whose port `run` opens).
fn configure(
    args: &Args,
) -> Result<(VirtConfig, Option<std::path::PathBuf>, Option<usize>), RunError> {
    cli::check_supported(args)?;
    crate::chardev::plan(args)?;
    let mut dumpdtb = args.dumpdtb.clone();
    if let Some(machine) = &args.machine {
        if let Some(file) = cli::parse_machine(machine)? {
            dumpdtb = Some(file);
        }
    }
    if args.dtb.is_some() {
        return Err(UsageError(
            "-dtb: not supported yet: rivet always gives the guest the device tree it generates \
             (-machine virt,dumpdtb=FILE writes that one)"
                .into(),
        )
        .into());
    }
    let ram_size = args
        .memory
        .as_deref()
        .map(cli::parse_size)
        .transpose()?
        .unwrap_or(layout::DEFAULT_RAM_SIZE);
    let harts = args
        .smp
        .as_deref()
        .map(cli::parse_smp)
        .transpose()?
        .unwrap_or(1);
    if harts == 0 || harts > layout::MAX_HARTS {
        return Err(UsageError(format!(
            "-smp {}: rivet's virt board has 1 to {} harts (QEMU's has up to 512)",
            args.smp.as_deref().unwrap_or_default(),
            layout::MAX_HARTS
        ))
        .into());
    }
    let bios = args.bios.as_deref().map(|b| match b {
        "none" => Firmware::None,
        "default" => Firmware::Default,
        file => Firmware::File(file.into()),
    });
    // No -bios and no -kernel: OpenSBI runs with nothing after it, as in QEMU.
    let time_source = if args.icount.is_some() {
        TimeSource::Deterministic
    } else {
        TimeSource::HostClock
    };
    let rtc = args
        .rtc
        .as_deref()
        .map(cli::parse_rtc)
        .transpose()?
        .unwrap_or_default();
    let mut virtio_version = MmioVersion::Modern;
    for global in &args.globals {
        match global.split_once('=') {
            Some(("virtio-mmio.force-legacy", v)) => {
                if cli::parse_bool("virtio-mmio.force-legacy", v)? {
                    virtio_version = MmioVersion::Legacy;
                }
            }
            _ => {
                return Err(UsageError(format!(
                    "-global {global}: unknown property (rivet has virtio-mmio.force-legacy)"
                ))
                .into())
            }
        }
    }
    let placement = virtio_slots::place(args)?;
    let (drives, nics) = drives_from_args(args, &placement)?;
    let (rngs, shares) = rngs_and_shares_from_args(args, &placement)?;
    let serial = crate::virtio_serial::parse(args)?;
    let config = VirtConfig {
        ram_size,
        harts,
        boot: BootConfig {
            bios,
            kernel: args.kernel.clone(),
            initrd: args.initrd.clone(),
            append: args.append.clone(),
        },
        time_source,
        drives,
        nics,
        rngs,
        shares,
        // The console ports' host sides are character devices, opened by
        // `run` (see `console_chardev`).
        consoles: Vec::new(),
        virtio_version,
        rtc_base_ns: rtc.base_secs.map(|s| s.saturating_mul(1_000_000_000)),
        rtc_virtual: rtc.virtual_clock,
        plic_gateway: args.plic_gateway.unwrap_or_default(),
        semihosting: cli::parse_semihosting(args)?.map(|spec| SemihostingConfig {
            cmdline: cli::semihosting_cmdline(&spec, args),
            userspace: spec.userspace,
            root: args.semihosting_root.clone(),
            // The serial console reads standard input when it is on
            // stdio: semihosting's console input then comes through it.
            input: match cli::serial_is_stdio(args) {
                Ok(true) => ConsoleInput::Serial,
                _ => ConsoleInput::HostStdin,
            },
            debug_console: match spec.chardev {
                None => DebugConsole::Stderr,
                Some(Backend::Stdio) => DebugConsole::Stdio,
                Some(Backend::File(path)) => DebugConsole::File(path),
                // Null, and what semihosting_chardev refused.
                Some(_) => DebugConsole::Null,
            },
        }),
        extensions: args
            .cpu
            .as_deref()
            .map(cli::parse_cpu)
            .transpose()?
            .unwrap_or_default(),
    };
    if let Some(spec) = &serial {
        console_chardev(spec, args)?;
    }
    Ok((config, dumpdtb, console_slot(args, &placement)))
}

/// The virtio-mmio slot of the console device (`virtio-serial-device`),
/// if the command line has one.
fn console_slot(args: &Args, placement: &virtio_slots::Placement) -> Option<usize> {
    args.devices
        .iter()
        .zip(&placement.devices)
        .find(|(text, _)| cli::device_driver(text) == crate::virtio_serial::SERIAL_DEVICE)
        .and_then(|(_, slot)| *slot)
}

/// The index, in the character device plan, of the console port's
/// `chardev=` (none: the port has no host side). A device the serial line
/// or the monitor already uses is refused.
fn console_chardev(
    spec: &crate::virtio_serial::SerialSpec,
    args: &Args,
) -> Result<Option<usize>, UsageError> {
    let Some(id) = &spec.chardev else {
        return Ok(None);
    };
    let option = format!(
        "-device {},chardev={id}",
        crate::virtio_serial::CONSOLE_PORT
    );
    // The plan opens the -chardev devices first, in command-line order.
    let mut index = None;
    for (i, text) in args.chardevs.iter().enumerate() {
        if &crate::chardev::parse_chardev(text)?.id == id {
            index = Some(i);
        }
    }
    let Some(index) = index else {
        return Err(UsageError(format!(
            "{option}: Property 'virtconsole.chardev' can't find value '{id}'"
        )));
    };
    let plan = crate::chardev::plan(args)?;
    if plan.serial == Some(index)
        || plan.monitor == Some(index)
        || plan.qmp.iter().any(|&(q, _)| q == index)
    {
        return Err(UsageError(format!(
            "{option}: the serial line or the monitor already uses it (rivet gives a \
             character device to one of them)"
        )));
    }
    Ok(Some(index))
}

/// The `-d` log, if asked for: its items and where it goes (`-D FILE` or
/// standard error).
fn trap_log(args: &Args) -> Result<Option<(LogItems, LogOutput)>, RunError> {
    let Some(spec) = args.log_items.as_deref() else {
        return Ok(None);
    };
    let items = LogItems::parse(spec)?;
    let out: Box<dyn Write + Send> = match &args.log_file {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| RunError::Io(format!("cannot create {}: {e}", path.display())))?,
        )),
        None => Box::new(std::io::stderr()),
    };
    Ok(Some((items, Arc::new(std::sync::Mutex::new(out)))))
}

/// Pairs `-drive` with `-device` options into the board's disks, and
/// `-netdev` with `-device virtio-net-device` (and `-nic`) into its network
/// cards, in the slots of `placement`.
fn drives_from_args(
    args: &Args,
    placement: &virtio_slots::Placement,
) -> Result<(Vec<DriveConfig>, Vec<NicConfig>), UsageError> {
    let drives = args
        .drives
        .iter()
        .map(|d| cli::parse_drive(d))
        .collect::<Result<Vec<_>, _>>()?;
    // Each -device with the slot `placement` gave it.
    let placed = |text: &String, slot: &Option<usize>| {
        slot.ok_or_else(|| UsageError(format!("-device {text}: no virtio-mmio slot")))
    };
    let devices = args
        .devices
        .iter()
        .zip(&placement.devices)
        .filter(|(d, _)| !net::is_net_device(d))
        .filter(|(d, _)| !matches!(cli::device_driver(d), RNG_DEVICE | P9_DEVICE))
        .filter(|(d, _)| !crate::virtio_serial::is_serial_device(d))
        .map(|(d, slot)| Ok((cli::parse_device(d)?, placed(d, slot)?)))
        .collect::<Result<Vec<_>, UsageError>>()?;
    let net_devices = args
        .devices
        .iter()
        .zip(&placement.devices)
        .filter(|(d, _)| net::is_net_device(d))
        .map(|(d, slot)| Ok((net::parse_net_device(d)?, placed(d, slot)?)))
        .collect::<Result<Vec<_>, UsageError>>()?;
    let netdevs = args
        .netdevs
        .iter()
        .map(|n| net::parse_netdev(n))
        .collect::<Result<Vec<_>, _>>()?;
    let nic_specs = args
        .nics
        .iter()
        .map(|n| net::parse_nic(n))
        .collect::<Result<Vec<_>, _>>()?;
    let slot_of_nic = placement.nics.iter().flatten();
    // Two drives with one id: QEMU refuses them ("Duplicate ID"), and
    // taking either would write a disk the user did not mean.
    let mut ids = std::collections::BTreeSet::new();
    for (text, d) in args.drives.iter().zip(&drives) {
        if let Some(id) = &d.id {
            if !ids.insert(id.as_str()) {
                return Err(UsageError(format!(
                    "-drive {text}: duplicate ID '{id}' for drive"
                )));
            }
        }
    }
    let mode = |d: &cli::DriveSpec| {
        if d.snapshot || args.snapshot {
            DiskMode::Snapshot
        } else if d.read_only {
            DiskMode::ReadOnly
        } else {
            DiskMode::ReadWrite
        }
    };
    let mut out = Vec::new();
    for (i, (d, slot)) in drives.iter().zip(&placement.drives).enumerate() {
        let id = d.id.clone().unwrap_or_else(|| format!("drive{i}"));
        if let Some(slot) = *slot {
            out.push(DriveConfig {
                path: d.file.clone(),
                format: d.format,
                mode: mode(d),
                id,
                slot,
            });
        }
    }
    for (dev, slot) in &devices {
        let Some(d) = drives
            .iter()
            .find(|d| !d.attach_directly && d.id.as_deref() == Some(dev.drive.as_str()))
        else {
            return Err(UsageError(format!(
                "-device virtio-blk-device: no -drive with if=none,id={}",
                dev.drive
            )));
        };
        if out.iter().any(|o: &DriveConfig| o.id == dev.drive) {
            return Err(UsageError(format!(
                "drive {} is used by two devices",
                dev.drive
            )));
        }
        out.push(DriveConfig {
            path: d.file.clone(),
            format: d.format,
            mode: mode(d),
            id: dev.drive.clone(),
            slot: *slot,
        });
    }
    // A drive with if=none that no -device uses stays unattached, as in QEMU.
    let mut seen_ids = std::collections::BTreeSet::new();
    for n in &netdevs {
        if !seen_ids.insert(n.id.as_str()) {
            let kind = match n.config {
                rivet_devices::NetdevConfig::User(_) => "user",
                rivet_devices::NetdevConfig::Tap(_) => "tap",
            };
            // QEMU 7.2's words: "-netdev user,id=n0: Duplicate ID 'n0' for netdev".
            return Err(UsageError(format!(
                "-netdev {kind},id={}: Duplicate ID '{}' for netdev",
                n.id, n.id
            )));
        }
    }
    let mut nics = Vec::new();
    let mut used_netdevs = std::collections::BTreeSet::new();
    for (dev, slot) in &net_devices {
        let Some(n) = netdevs.iter().find(|n| n.id == dev.netdev) else {
            return Err(UsageError(format!(
                "-device virtio-net-device: no -netdev with id={}",
                dev.netdev
            )));
        };
        if !used_netdevs.insert(n.id.as_str()) {
            return Err(UsageError(format!(
                "-device virtio-net-device: netdev {} is used by two devices",
                n.id
            )));
        }
        let index = nics.len();
        nics.push(NicConfig {
            mac: dev.mac.unwrap_or_else(|| default_mac(index)),
            net: n.config.clone(),
            slot: *slot,
        });
    }
    for (nic, &slot) in nic_specs.into_iter().flatten().zip(slot_of_nic) {
        let index = nics.len();
        nics.push(NicConfig {
            mac: nic.mac.unwrap_or_else(|| default_mac(index)),
            net: nic.config,
            slot,
        });
    }
    // QEMU's warning for a writable image whose format it had to guess as
    // raw (QEMU 7.2 gives none for read-only and snapshot drives, which
    // never write the image; an unreadable file is the disk's error, when
    // it is opened).
    for d in &out {
        if d.format.is_none()
            && d.mode == DiskMode::ReadWrite
            && probe_path(&d.path).is_ok_and(|p| p == Probed::Format(DiskFormat::Raw))
        {
            say!("{}", probed_raw_warning(&d.path));
        }
    }
    Ok((out, nics))
}

/// The `-device` driver of the entropy device.
const RNG_DEVICE: &str = "virtio-rng-device";
/// The `-device` driver of the 9P transport.
const P9_DEVICE: &str = "virtio-9p-device";

/// Pairs `-object` with `-device virtio-rng-device`, and `-fsdev` with
/// `-device virtio-9p-device` (and takes `-virtfs`), into the board's
/// entropy devices and shared folders, in the slots of `placement`.
fn rngs_and_shares_from_args(
    args: &Args,
    placement: &virtio_slots::Placement,
) -> Result<(Vec<RngConfig>, Vec<ShareConfig>), UsageError> {
    let mut objects: Vec<cli::RngObject> = Vec::new();
    for text in &args.objects {
        let object = cli::parse_object(text)?;
        if objects.iter().any(|o| o.id == object.id) {
            return Err(UsageError(format!(
                "-object {text}: duplicate ID '{}' for object",
                object.id
            )));
        }
        objects.push(object);
    }
    let mut fsdevs: Vec<cli::FsdevSpec> = Vec::new();
    let mut add_fsdev = |text: &str, spec: cli::FsdevSpec| {
        if fsdevs.iter().any(|f| f.id == spec.id) {
            return Err(UsageError(format!(
                "{text}: duplicate fsdev id '{}'",
                spec.id
            )));
        }
        fsdevs.push(spec);
        Ok(())
    };
    for text in &args.fsdevs {
        add_fsdev(&format!("-fsdev {text}"), cli::parse_fsdev(text)?)?;
    }
    let mut virtfs = Vec::new();
    for text in &args.virtfs {
        let (spec, tag) = cli::parse_virtfs(text)?;
        virtfs.push((spec.id.clone(), tag));
        add_fsdev(&format!("-virtfs {text}"), spec)?;
    }
    let (mut rngs, mut shares) = (Vec::new(), Vec::new());
    let mut used_fsdevs: Vec<String> = Vec::new();
    let mut share = |id: &str, tag: String, slot: usize| {
        let Some(fsdev) = fsdevs.iter().find(|f| f.id == id) else {
            return Err(UsageError(format!(
                "-device {P9_DEVICE}: no -fsdev with id={id}"
            )));
        };
        if used_fsdevs.iter().any(|u| u == id) {
            return Err(UsageError(format!(
                "-device {P9_DEVICE}: fsdev {id} is used by two devices"
            )));
        }
        used_fsdevs.push(id.to_string());
        shares.push(ShareConfig {
            path: fsdev.path.clone(),
            tag,
            read_only: fsdev.read_only,
            security_model: fsdev.security_model,
            slot,
        });
        Ok(())
    };
    for (text, slot) in args.devices.iter().zip(&placement.devices) {
        let slot =
            || slot.ok_or_else(|| UsageError(format!("-device {text}: no virtio-mmio slot")));
        match cli::device_driver(text) {
            RNG_DEVICE => {
                let dev = cli::parse_rng_device(text)?;
                let backend = match &dev.rng {
                    // QEMU 7.2 gives a device without rng= an rng-builtin.
                    None => RngBackend::Builtin,
                    Some(id) => match objects.iter().find(|o| &o.id == id) {
                        Some(cli::RngObject { file: Some(f), .. }) => RngBackend::File(f.clone()),
                        Some(_) => RngBackend::Builtin,
                        None => {
                            return Err(UsageError(format!(
                                "-device {text}: no -object rng-random or rng-builtin with id={id}"
                            )))
                        }
                    },
                };
                rngs.push(RngConfig {
                    backend,
                    slot: slot()?,
                });
            }
            P9_DEVICE => {
                let dev = cli::parse_9p_device(text)?;
                share(&dev.fsdev, dev.mount_tag, slot()?)?;
            }
            _ => {}
        }
    }
    for ((id, tag), &slot) in virtfs.into_iter().zip(&placement.virtfs) {
        share(&id, tag, slot)?;
    }
    Ok((rngs, shares))
}

/// The guest's name in `-name NAME[,…]` (or its `guest=`), as QMP's
/// `query-name` gives it.
fn guest_name(text: &str) -> String {
    let (head, pairs) = cli::parse_kv(text);
    pairs
        .into_iter()
        .find(|(k, _)| k == "guest")
        .map(|(_, v)| v)
        .or(head)
        .unwrap_or_default()
}

/// `-pidfile FILE`: holds rivet's process id while it runs; the file is
/// removed when rivet ends, as QEMU removes it.
struct PidFile(std::path::PathBuf);

impl PidFile {
    /// Writes the process id to `path`.
    fn create(path: &std::path::Path) -> Result<Self, RunError> {
        std::fs::write(path, format!("{}\n", std::process::id()))
            .map_err(|e| RunError::Io(format!("-pidfile: cannot write {}: {e}", path.display())))?;
        Ok(PidFile(path.to_path_buf()))
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The process exit status for a guest exit code: its low byte, but never
/// 0 for a failure (a code of 256 must not read as success).
pub(crate) fn status(code: u64) -> u8 {
    match (code & 0xff) as u8 {
        0 if code != 0 => 1,
        c => c,
    }
}

/// The GDB stub the command line asks for (`-s`, `-gdb`), listening.
fn gdb_server(args: &Args) -> Result<Option<GdbServer>, RunError> {
    let address = match (&args.gdb, args.gdb_default) {
        (Some(spec), _) => GdbAddress::parse(spec)?,
        (None, true) => GdbAddress::Tcp {
            host: String::new(),
            port: crate::gdb::DEFAULT_PORT,
        },
        (None, false) if args.start_stopped => {
            return Err(
                UsageError("-S waits for a debugger: give -s or -gdb tcp::PORT too".into()).into(),
            )
        }
        (None, false) => return Ok(None),
    };
    GdbServer::bind(address, args.start_stopped).map(Some)
}

/// Builds machines as the command line describes them (again after each
/// reset, on the same console and disks), and takes them down: flushing
/// disks and printing statistics.
struct Builder<'a> {
    config: &'a VirtConfig,
    args: &'a Args,
    icount_shift: Option<u32>,
    trap_log: Option<(LogItems, LogOutput)>,
    /// What `-d in_asm` has shown, across resets as QEMU's translations.
    shown: Shown,
    /// Instructions retired by the machines taken down so far.
    retired: u64,
    /// Instructions executed (retired or trapped) by those machines: what
    /// `--max-instructions` counts.
    executed: u64,
}

impl Builder<'_> {
    /// A new machine on `console` and `disks` (those of the machine a
    /// reset took down; the drives' images are opened for the first).
    fn build(&self, console: Box<dyn Console>, disks: Disks) -> Result<VirtMachine, RunError> {
        let mut vm = VirtMachine::with_disks(self.config, console, disks)?;
        if let Some(shift) = self.icount_shift {
            vm.machine.set_icount_shift(shift);
        }
        if let Some((items, log)) = &self.trap_log {
            for hart in vm.machine.harts.iter_mut() {
                crate::log::install(*items, log, &self.shown, hart);
            }
        }
        Ok(vm)
    }

    /// The instructions a new machine may retire (`--max-instructions`).
    fn limit_left(&self) -> Option<u64> {
        self.args
            .max_instructions
            .map(|m| m.saturating_sub(self.executed))
    }

    /// Takes `vm` down: flushes its console and disks, prints its
    /// statistics if asked, and gives back the console and the disks.
    fn finish(&mut self, mut vm: VirtMachine) -> (Box<dyn Console>, Disks) {
        self.retired += vm.machine.retired();
        self.executed += vm.machine.executed();
        vm.machine.platform.flush();
        if let Err(e) = vm.machine.platform.flush_disks() {
            say!("rivet: {e}");
        }
        if self.args.stats {
            print_stats(&vm);
        }
        vm.machine.platform.into_parts()
    }
}

/// `--stats`: the decode cache, the virtio devices and every hart.
fn print_stats(vm: &VirtMachine) {
    say!(
        "rivet: decode cache {} pages ({} KiB), {} pages evicted in {} rounds",
        vm.machine.memory.decoded_pages(),
        vm.machine.memory.decode_cache_bytes() >> 10,
        vm.machine.memory.decode_cache_evicted(),
        vm.machine.memory.decode_cache_flushes()
    );
    for (slot, t) in vm.machine.platform.virtio().iter().enumerate() {
        if t.device_id() != 0 {
            say!("rivet: virtio slot {slot}: {t:?}");
        }
    }
    for hart in &vm.machine.harts {
        say!(
            "rivet: hart {}: pc {:#x} in {:?}{}, mip {:#x}, mie {:#x}, mstatus {:#x}, stimecmp {:#x}, time {:#x}, {} TLB flushes",
            hart.hart_id(),
            hart.pc(),
            hart.privilege(),
            if hart.is_waiting() { " (waiting)" } else { "" },
            hart.mip(),
            hart.csr(rivet_core::csr::addr::MIE).unwrap_or(0),
            hart.csr(rivet_core::csr::addr::MSTATUS).unwrap_or(0),
            hart.csr(rivet_core::csr::addr::STIMECMP).unwrap_or(0),
            hart.timebase().now(),
            hart.tlb_flushes(),
        );
        let taken: Vec<String> = rivet_core::Interrupt::PRIORITY
            .iter()
            .filter(|&&i| hart.interrupts_taken(i) > 0)
            .map(|&i| format!("{i:?} {}", hart.interrupts_taken(i)))
            .collect();
        say!(
            "rivet: hart {}: interrupts taken: {}; {} spin yields",
            hart.hart_id(),
            if taken.is_empty() {
                "none".to_string()
            } else {
                taken.join(", ")
            },
            hart.spin_yields(),
        );
    }
}

/// Runs rivet as the command line says; returns the process exit status.
pub fn run(args: &Args) -> Result<u8, RunError> {
    if args.log_items.as_deref() == Some("help") {
        let _ = std::io::Write::write_all(&mut std::io::stdout(), crate::log::help().as_bytes());
        return Ok(0);
    }
    if let Some(list) = cli::help_request(args) {
        let _ = std::io::Write::write_all(&mut std::io::stdout(), list.as_bytes());
        return Ok(0);
    }
    let (mut config, dumpdtb, console_slot) = configure(args)?;
    let plan = crate::chardev::plan(args)?;
    let icount_shift = args.icount.as_deref().map(cli::parse_icount).transpose()?;

    if let Some(path) = dumpdtb {
        let dtb = if config.boot.kernel.is_none() && config.boot.initrd.is_none() {
            // Nothing to load changes the tree: no firmware need be found.
            fdt::build(&FdtConfig {
                harts: config.harts,
                ram_size: config.ram_size,
                bootargs: config.boot.append.clone(),
                initrd: None,
                extensions: config.extensions,
            })
            .map_err(|e| rivet_devices::Error::Fdt(e.to_string()))?
        } else {
            VirtMachine::new(&config, Box::new(BufferConsole::new()))?.dtb
        };
        std::fs::write(&path, &dtb)
            .map_err(|e| RunError::Io(format!("cannot write {}: {e}", path.display())))?;
        say!("rivet: device tree written to {}", path.display());
        return Ok(0);
    }

    let trap_log = trap_log(args)?;
    let gdb = gdb_server(args)?;
    let _pidfile = args.pidfile.as_deref().map(PidFile::create).transpose()?;
    let terminate = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&terminate))
            .map_err(|e| RunError::Io(format!("cannot install signal handler: {e}")))?;
    }
    let started = Instant::now();
    let deadline = args.timeout.map(|timeout| started + timeout);
    // The character devices: opened (a socket with wait=on waits for its
    // client here, before the guest runs), then reading for their front ends.
    let guard = plan
        .devices
        .iter()
        .any(|d| d.backend == crate::chardev::Backend::Stdio)
        .then(TerminalGuard::new);
    let raw = guard.as_ref().is_some_and(TerminalGuard::is_raw);
    let mut opened = plan
        .devices
        .iter()
        .map(|d| crate::chardev::open(&d.what, &d.backend, d.mux))
        .collect::<Result<Vec<_>, _>>()?;
    let quit = Arc::new(AtomicBool::new(false));
    let serial_input = Arc::new(SerialInput::default());
    let bell = Arc::new(Doorbell::default());
    let monitor_input = Arc::new(MonitorInput::new(Arc::clone(&bell)));
    let qmp_inputs: Vec<Arc<QmpInput>> = plan
        .qmp
        .iter()
        .map(|&(_, pretty)| Arc::new(QmpInput::new(Arc::clone(&bell), pretty)))
        .collect();
    // The virtio console's port: its character device's input queue and
    // output (none: output dropped, no input, as QEMU's port without one).
    let port = crate::virtio_serial::parse(args)?
        .map(|spec| {
            let slot = console_slot.ok_or_else(|| {
                UsageError(format!(
                    "-device {}: no virtio-mmio slot",
                    crate::virtio_serial::SERIAL_DEVICE
                ))
            })?;
            let chardev = console_chardev(&spec, args)?;
            Ok::<_, UsageError>((slot, chardev))
        })
        .transpose()?;
    let port_input = Arc::new(SerialInput::default());
    if let Some((slot, chardev)) = port {
        let output = match chardev {
            Some(i) => Arc::clone(&opened[i].output),
            None => Output::start(Box::new(std::io::sink())),
        };
        config.consoles.push(ConsoleConfig {
            port: crate::virtio_serial::ChardevPort::new(Arc::clone(&port_input), output),
            slot,
        });
    }
    for (i, device) in opened.iter_mut().enumerate() {
        let serial = if port.is_some_and(|(_, c)| c == Some(i)) {
            Some(Arc::clone(&port_input))
        } else {
            (plan.serial == Some(i)).then(|| Arc::clone(&serial_input))
        };
        let monitor = (plan.monitor == Some(i))
            .then(|| MonitorFront::Human(Arc::clone(&monitor_input)))
            .or_else(|| {
                let q = plan.qmp.iter().position(|&(d, _)| d == i)?;
                Some(MonitorFront::Qmp(Arc::clone(&qmp_inputs[q])))
            });
        device.start(serial, monitor, Arc::clone(&quit));
    }
    let serial_output = match plan.serial {
        Some(i) => Arc::clone(&opened[i].output),
        None => Output::start(Box::new(std::io::sink())),
    };
    let serial_raw = raw && plan.serial.is_some_and(|i| opened[i].stdio);
    let mut host = HostConsole::new(
        serial_input,
        serial_output,
        serial_raw,
        Arc::clone(&terminate),
        Arc::clone(&quit),
    );
    if let Some(deadline) = deadline {
        host.set_deadline(deadline);
    }
    let hmp = plan
        .monitor
        .map(|i| Monitor::new(monitor_input, Arc::clone(&opened[i].output), &config));
    let qmp = plan
        .qmp
        .iter()
        .zip(qmp_inputs)
        .map(|(&(i, _), input)| {
            Qmp::new(
                input,
                Arc::clone(&opened[i].output),
                &config,
                args.name.as_deref().map(guest_name),
            )
        })
        .collect();
    let mut monitors = Monitors::new(
        hmp,
        qmp,
        bell,
        Arc::clone(&quit),
        Arc::clone(&terminate),
        deadline,
    );
    let mut monitor = monitors.any().then_some(&mut monitors);
    let console: Box<dyn Console> = Box::new(host);
    let mut builder = Builder {
        config: &config,
        args,
        icount_shift,
        trap_log,
        shown: Shown::default(),
        retired: 0,
        executed: 0,
    };
    let mut vm = builder.build(console, Disks::default())?;
    let exit = loop {
        let limit = builder.limit_left();
        let exit = match &gdb {
            Some(server) => {
                let mut rebuild = |old: VirtMachine| {
                    let (console, disks) = builder.finish(old);
                    let vm = builder.build(console, disks)?;
                    Ok((vm, builder.limit_left()))
                };
                let (v, exit) =
                    crate::gdb::run(vm, server, limit, &mut rebuild, monitor.as_deref_mut())?;
                vm = v;
                exit
            }
            None => match monitor.as_mut() {
                Some(monitor) => monitor.run(&mut vm, limit),
                None => vm.machine.run(limit),
            },
        };
        if exit != ExitReason::Platform(VirtStop::Reset) || args.no_reboot {
            break exit;
        }
        let (console, disks) = builder.finish(vm);
        vm = builder.build(console, disks)?;
    };
    let parts = builder.finish(vm);
    drop(parts);
    // The monitors' last answers (QMP's to `quit`) reach their clients.
    for &i in plan.monitor.iter().chain(plan.qmp.iter().map(|(i, _)| i)) {
        opened[i].output.drain(std::time::Duration::from_secs(1));
    }
    drop(opened);
    drop(guard);
    let retired = builder.retired;
    if args.stats {
        let secs = started.elapsed().as_secs_f64();
        say!(
            "rivet: {retired} instructions in {secs:.3} s: {:.1} MIPS",
            retired as f64 / secs.max(1e-9) / 1e6
        );
    }
    match exit {
        ExitReason::Platform(VirtStop::PowerOff(code)) => Ok(status(u64::from(code))),
        ExitReason::Platform(VirtStop::Htif(code)) => Ok(status(code)),
        // QEMU exit()s with the code: the status is its low byte.
        ExitReason::Platform(VirtStop::SemihostingExit(code)) => Ok(code.to_le_bytes()[0]),
        ExitReason::Platform(VirtStop::SemihostingUnsupported(op)) => Err(RunError::Guest(
            format!("the guest made semihosting call {op:#x}, which rivet does not implement"),
        )),
        ExitReason::Platform(VirtStop::HtifUnsupported(v)) => Err(RunError::Guest(format!(
            "the guest made an HTIF request rivet does not support: tohost = {v:#x}"
        ))),
        ExitReason::Platform(VirtStop::Quit) => {
            if terminate.load(std::sync::atomic::Ordering::Relaxed) {
                say!("rivet: terminating on signal");
            } else if let (Some(timeout), Some(deadline)) = (args.timeout, deadline) {
                if Instant::now() >= deadline {
                    say!("rivet: stopped after {timeout:?} (--timeout)");
                    return Ok(124);
                }
                say!("rivet: terminated");
            } else {
                say!("rivet: terminated");
            }
            Ok(0)
        }
        ExitReason::InstructionLimit => {
            say!(
                "rivet: stopped after {} instructions, {retired} of them retired (--max-instructions)",
                builder.executed
            );
            Ok(124)
        }
        ExitReason::Deadlock => Err(RunError::Guest(
            "every hart waits for an interrupt and nothing can raise one (input has ended)".into(),
        )),
        // -no-reboot: QEMU exits with status 0 when the guest resets.
        ExitReason::Platform(VirtStop::Reset) => Ok(0),
        ExitReason::Debug { .. } => unreachable!("debugger stops end only inside a gdb session"),
        // The frontend's hooks (-d) never stop the run.
        ExitReason::Hook { hart } => Err(RunError::Guest(format!("hart {hart} stopped by a hook"))),
    }
}
