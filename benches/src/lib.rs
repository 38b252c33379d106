//! Shared code of rivet's benchmarks: building the guest benchmark programs
//! (benches/guest/) and running one to its end on a `virt` machine.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use rivet_core::machine::ExitReason;
use rivet_devices::boot::{BootConfig, Firmware};
use rivet_devices::{BufferConsole, VirtConfig, VirtMachine, VirtStop};

/// Builds the guest benchmarks (once per process) and returns the directory
/// holding their ELF files.
pub fn guest_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = root
            .parent()
            .map_or(root.join("target"), |p| p.join("target"))
            .join("guest-benches");
        let status = Command::new("bash")
            .arg(root.join("guest/build.sh"))
            .arg(&out)
            .stdout(Stdio::null())
            .status()
            .expect("run benches/guest/build.sh");
        assert!(status.success(), "benches/guest/build.sh failed");
        out
    })
}

/// Runs guest program `elf` bare-metal (`-bios none`) on a one-hart `virt`
/// machine until it exits; returns the instructions it retired. Panics if
/// the program's self-check fails.
pub fn run_guest(elf: &Path) -> u64 {
    run_guest_with(elf, |_| {})
}

/// [`run_guest`], with `setup` applied to the machine before it runs (to
/// set a debugger's breakpoints, say).
pub fn run_guest_with(elf: &Path, setup: impl FnOnce(&mut VirtMachine)) -> u64 {
    let config = VirtConfig {
        ram_size: 64 << 20,
        boot: BootConfig {
            bios: Some(Firmware::None),
            kernel: Some(elf.to_path_buf()),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut vm =
        VirtMachine::new(&config, Box::new(BufferConsole::new())).expect("build the machine");
    setup(&mut vm);
    let exit = vm.machine.run(Some(10_000_000_000));
    assert_eq!(
        exit,
        ExitReason::Platform(VirtStop::Htif(0)),
        "{} did not pass its self-check",
        elf.display()
    );
    vm.machine.retired()
}
