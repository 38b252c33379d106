//! Disks across the life of a rivet process: what a guest writes outlives
//! a reset of the machine, and a snapshot disk needs its overlay file.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{run_rivet, test_roms, Run};

/// A zeroed 64 KiB image under the tests' scratch directory.
fn image(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("disk-{name}-{}.img", std::process::id()));
    std::fs::write(&path, vec![0u8; 64 << 10]).unwrap();
    path
}

/// Runs test-roms' virtio-blk-reset on `image` with the extra flags.
fn run_reset_rom(image: &std::path::Path, flags: &[&str]) -> Run {
    let elf = test_roms().join("virtio-blk-reset.elf");
    let drive = format!("file={},format=raw,if=none,id=hd0", image.display());
    let mut args = vec![
        "-M",
        "virt",
        "-bios",
        "none",
        "-nographic",
        "-kernel",
        elf.to_str().unwrap(),
        "-drive",
        &drive,
        "-device",
        "virtio-blk-device,drive=hd0",
        // Some hundred boots' worth: the guest needs two.
        "--max-instructions",
        "5000000",
    ];
    args.extend(flags);
    run_rivet(&args, b"", Duration::from_secs(120))
}

/// With `-snapshot`, a guest writes a sector, resets the machine through
/// the test finisher (0x7777) and reads the sector back: it holds what was
/// written, as on QEMU, where the snapshot lasts as long as the process;
/// the image is untouched. (rivet built each machine after a reset from
/// the command line, reopening the disk with an empty overlay: the guest
/// never saw its write and reset until the instruction limit.)
#[test]
fn snapshot_writes_survive_a_guest_reset() {
    let path = image("snapshot-reset");
    let run = run_reset_rom(&path, &["-snapshot"]);
    assert!(!run.timed_out, "{run:?}");
    assert_eq!(
        run.code,
        Some(0),
        "{} resets; {}",
        run.stdout.matches("resetting").count(),
        run.stderr
    );
    assert!(
        run.stdout
            .contains("sector 1 written; resetting\nsector 1 kept what the first boot wrote\n"),
        "{}",
        run.stdout
    );
    assert!(
        std::fs::read(&path).unwrap().iter().all(|&b| b == 0),
        "-snapshot wrote the image"
    );
    std::fs::remove_file(&path).unwrap();
}

/// The same guest on a read-write disk: the write reaches the image, and
/// the guest reads it back after the reset.
#[test]
fn read_write_writes_survive_a_guest_reset() {
    let path = image("rw-reset");
    let run = run_reset_rom(&path, &[]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let contents = std::fs::read(&path).unwrap();
    assert_eq!(contents[512..520], *b"ko_tevir", "sector 1 of the image");
    std::fs::remove_file(&path).unwrap();
}

/// A snapshot disk's overlay lives in `TMPDIR` (else /var/tmp); when no
/// file can be made there, rivet says so and names the directory, before
/// the guest runs.
#[test]
fn a_snapshot_overlay_that_cannot_be_created_fails_clearly() {
    let path = image("no-tmpdir");
    let drive = format!("file={},format=raw,if=none,id=hd0", path.display());
    let spin = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("disk-spin.bin");
    std::fs::write(&spin, 0x0000_006f_u32.to_le_bytes()).unwrap(); // j .
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rivet"));
    command
        .args(["-M", "virt", "-bios", "none", "-nographic", "-kernel"])
        .arg(&spin)
        .args(["-drive", &drive, "-device", "virtio-blk-device,drive=hd0"])
        .arg("-snapshot")
        .env("TMPDIR", "/nonexistent/tmp");
    let run = common::run_command(command, b"", Duration::from_secs(20));
    assert!(!run.timed_out, "ran without an overlay: {run:?}");
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot create the snapshot overlay")
            && run.stderr.contains("/nonexistent/tmp"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(&path).unwrap();
}
