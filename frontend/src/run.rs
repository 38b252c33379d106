//! Building the machine from the command line and running it to its end.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use rivet_core::machine::ExitReason;
use rivet_core::TimeSource;
use rivet_devices::boot::{BootConfig, Firmware};
use rivet_devices::{layout, BufferConsole, Console, VirtConfig, VirtMachine};

use crate::cli::{self, Args, UsageError};
use crate::console::{HostConsole, TerminalGuard};

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
    let mut dumpdtb = args.dumpdtb.clone();
    match args.machine.as_deref().map(cli::parse_kv) {
        None => {}
        Some((Some(name), opts)) if name == "virt" => {
            for (k, v) in opts {
                match k.as_str() {
                    "dumpdtb" => dumpdtb = Some(v.into()),
                    _ => {
                        return Err(UsageError(format!("-machine virt: unknown option {k}")).into())
                    }
                }
            }
        }
        Some((name, _)) => {
            return Err(UsageError(format!(
                "-machine {}: rivet emulates only the 'virt' machine",
                name.unwrap_or_default()
            ))
            .into())
        }
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
    let bios = args.bios.as_deref().map(|b| match b {
        "none" => Firmware::None,
        "default" => Firmware::Default,
        file => Firmware::File(file.into()),
    });
    if bios.is_none() && args.kernel.is_none() {
        // QEMU would boot OpenSBI with nothing after it; say what is missing instead.
        return Err(UsageError(
            "nothing to run: give -kernel FILE (and -bios none for a bare-metal program)".into(),
        )
        .into());
    }
    let time_source = if args.icount.is_some() {
        TimeSource::Deterministic
    } else {
        TimeSource::HostClock
    };
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
    };
    Ok((config, dumpdtb))
}

/// The process exit status for a guest exit code: its low byte, but never
/// 0 for a failure (a code of 256 must not read as success).
fn status(code: u64) -> u8 {
    match (code & 0xff) as u8 {
        0 if code != 0 => 1,
        c => c,
    }
}

/// Runs rivet as the command line says; returns the process exit status.
pub fn run(args: &Args) -> Result<u8, RunError> {
    let (config, dumpdtb) = config_from_args(args)?;
    let icount_shift = args.icount.as_deref().map(cli::parse_icount).transpose()?;

    if let Some(path) = dumpdtb {
        let vm = VirtMachine::new(&config, Box::new(BufferConsole::new()))?;
        std::fs::write(&path, &vm.dtb)
            .map_err(|e| RunError::Io(format!("cannot write {}: {e}", path.display())))?;
        eprintln!("rivet: device tree written to {}", path.display());
        return Ok(0);
    }

    let terminate = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&terminate))
            .map_err(|e| RunError::Io(format!("cannot install signal handler: {e}")))?;
    }
    let guard = TerminalGuard::new();
    let mut console: Box<dyn Console> =
        Box::new(HostConsole::new(guard.is_raw(), Arc::clone(&terminate)));
    let started = Instant::now();
    let mut retired = 0;
    let exit = loop {
        let mut vm = VirtMachine::new(&config, console)?;
        if let Some(shift) = icount_shift {
            vm.machine.set_icount_shift(shift);
        }
        let limit = args.max_instructions.map(|m| m.saturating_sub(retired));
        let exit = vm.machine.run(limit);
        retired += vm.machine.retired();
        vm.machine.platform.flush();
        if args.stats {
            eprintln!(
                "rivet: decode cache {} pages, {} flushes",
                vm.machine.memory.decoded_pages(),
                vm.machine.memory.decode_cache_flushes()
            );
        }
        console = vm.machine.platform.into_console();
        if exit != ExitReason::Reset {
            break exit;
        }
    };
    drop(console);
    drop(guard);
    if args.stats {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "rivet: {retired} instructions in {secs:.3} s: {:.1} MIPS",
            retired as f64 / secs.max(1e-9) / 1e6
        );
    }
    match exit {
        ExitReason::PowerOff(code) => Ok(status(u64::from(code))),
        ExitReason::Htif(code) => Ok(status(code)),
        ExitReason::HtifUnsupported(v) => Err(RunError::Guest(format!(
            "the guest made an HTIF request rivet does not support: tohost = {v:#x}"
        ))),
        ExitReason::Quit => {
            if terminate.load(std::sync::atomic::Ordering::Relaxed) {
                eprintln!("rivet: terminating on signal");
            } else {
                eprintln!("rivet: terminated");
            }
            Ok(0)
        }
        ExitReason::InstructionLimit => {
            eprintln!("rivet: stopped after {retired} instructions (--max-instructions)");
            Ok(124)
        }
        ExitReason::Deadlock => Err(RunError::Guest(
            "every hart waits for an interrupt and nothing can raise one (input has ended)".into(),
        )),
        ExitReason::Reset => unreachable!("resets restart the machine"),
    }
}
