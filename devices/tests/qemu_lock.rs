//! rivet and QEMU see each other's image locks: two emulators that would
//! both write an image, or one writing while the other reads, refuse each
//! other; readers share. QEMU is `qemu-system-riscv64` (QEMU 7.2, Debian
//! package qemu-system-misc); without it the tests say so and pass.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rivet_devices::virtio::disk::lock::{LockConflict, Permission};
use rivet_devices::virtio::{Disk, DiskError, DiskMode};

const QEMU: &str = "qemu-system-riscv64";

/// Whether QEMU is installed; says so on standard error when it is not.
fn have_qemu(test: &str) -> bool {
    let found = Command::new(QEMU)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("{test} skipped: {QEMU} is not installed (Debian package qemu-system-misc)");
    }
    found
}

/// A 1 MiB image under Cargo's scratch directory, removed on drop.
struct TempImage {
    path: PathBuf,
}

impl TempImage {
    fn new(name: &str) -> Self {
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("qemu-lock-{name}-{}.img", std::process::id()));
        std::fs::write(&path, vec![0u8; 1 << 20]).unwrap();
        TempImage { path }
    }
}

impl Drop for TempImage {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A QEMU that opened the image and waits, stopped (`-S`); killed on drop.
struct Qemu {
    child: Child,
    _qmp: ChildStdin,
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts QEMU's virt machine with `image` as a virtio-blk drive with the
/// extra drive options `options` (e.g. `,readonly=on`). Returns the
/// running QEMU once it has built the machine (its QMP monitor answers),
/// or what it printed if it gave up.
fn qemu(image: &Path, options: &str) -> Result<Qemu, String> {
    let drive = format!("file={},format=raw,if=none,id=d{options}", image.display());
    let mut child = Command::new(QEMU)
        .args(["-M", "virt", "-display", "none", "-bios", "none", "-S"])
        .args(["-monitor", "none", "-serial", "none", "-qmp", "stdio"])
        .args(["-drive", &drive, "-device", "virtio-blk-device,drive=d"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut qmp = child.stdin.take().unwrap();
    // QMP answers commands only once the machine, drives and devices are
    // built; the greeting comes before.
    qmp.write_all(b"{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"query-status\"}\n")
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let up = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|l| l.contains("\"status\""));
        let _ = tx.send(up);
    });
    let up = rx.recv_timeout(Duration::from_secs(60)).unwrap_or(false);
    if up {
        return Ok(Qemu { child, _qmp: qmp });
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Err(stderr)
}

/// `Disk::open` fails with `Locked` for `conflict`, in words that name the
/// image and say it is in use.
fn refused(image: &TempImage, mode: DiskMode, conflict: LockConflict) {
    match Disk::open(&image.path, mode) {
        Err(e @ DiskError::Locked { .. }) => {
            assert!(
                matches!(e, DiskError::Locked { conflict: c, .. } if c == conflict),
                "{mode}: {e:?}"
            );
            let message = e.to_string();
            assert!(message.contains("in use"), "{message}");
            assert!(message.contains("QEMU"), "{message}");
            assert!(
                message.contains(&image.path.display().to_string()),
                "{message}"
            );
        }
        other => panic!("{mode}: opened beside QEMU: {other:?}"),
    }
}

/// A QEMU writing an image keeps rivet out in every mode, and a rivet
/// writing one keeps QEMU out, read-write or read-only, with QEMU's own
/// lock errors. (Both went ahead before: rivet took a `flock`, QEMU OFD
/// locks on single bytes, and neither saw the other's.)
#[test]
fn a_writer_keeps_the_other_emulator_out() {
    if !have_qemu("a_writer_keeps_the_other_emulator_out") {
        return;
    }
    let image = TempImage::new("writer");
    {
        let _qemu = qemu(&image.path, "").expect("QEMU opens a free image");
        refused(
            &image,
            DiskMode::ReadWrite,
            LockConflict::NotShared(Permission::Write),
        );
        refused(
            &image,
            DiskMode::ReadOnly,
            LockConflict::Held(Permission::Write),
        );
        refused(
            &image,
            DiskMode::Snapshot,
            LockConflict::Held(Permission::Write),
        );
    }
    let disk = Disk::open(&image.path, DiskMode::ReadWrite).expect("QEMU has gone");
    for (options, lock) in [
        ("", "Failed to get \"write\" lock"),
        (",readonly=on", "Failed to get shared \"write\" lock"),
        (",snapshot=on", "Failed to get shared \"write\" lock"),
    ] {
        match qemu(&image.path, options) {
            Ok(_) => panic!("QEMU{options} opened an image rivet writes"),
            Err(said) => assert!(said.contains(lock), "QEMU{options}: {said}"),
        }
    }
    drop(disk);
}

/// Readers share: QEMU reads (read-only, or as the base of its own
/// `-snapshot`) an image rivet reads, and rivet reads one QEMU reads; a
/// writer of either kind is still refused.
#[test]
fn readers_share_an_image() {
    if !have_qemu("readers_share_an_image") {
        return;
    }
    let image = TempImage::new("readers");
    let ro = Disk::open(&image.path, DiskMode::ReadOnly).unwrap();
    let snapshot = Disk::open(&image.path, DiskMode::Snapshot).unwrap();
    match qemu(&image.path, "") {
        Ok(_) => panic!("QEMU writes an image rivet reads"),
        Err(said) => assert!(said.contains("Failed to get \"write\" lock"), "{said}"),
    }
    {
        let _a = qemu(&image.path, ",readonly=on").expect("QEMU reads beside rivet");
        let _b = qemu(&image.path, ",snapshot=on").expect("QEMU -snapshot beside rivet");
    }
    drop((ro, snapshot));
    let _qemu = qemu(&image.path, ",readonly=on").unwrap();
    let ro = Disk::open(&image.path, DiskMode::ReadOnly).expect("rivet reads beside QEMU");
    let snapshot =
        Disk::open(&image.path, DiskMode::Snapshot).expect("rivet -snapshot beside QEMU");
    refused(
        &image,
        DiskMode::ReadWrite,
        LockConflict::NotShared(Permission::Write),
    );
    drop((ro, snapshot));
}
