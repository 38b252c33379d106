//! Disks across the life of a rivet process: a snapshot disk needs its
//! overlay file.

mod common;

use std::path::PathBuf;
use std::time::Duration;

/// A zeroed 64 KiB image under the tests' scratch directory.
fn image(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("disk-{name}-{}.img", std::process::id()));
    std::fs::write(&path, vec![0u8; 64 << 10]).unwrap();
    path
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
