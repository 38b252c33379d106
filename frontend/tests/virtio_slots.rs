//! Where the command line's virtio devices sit among the eight
//! virtio-mmio slots, and the errors of impossible placements, with QEMU
//! 7.2 as the oracle: its monitor's `info qtree` for the same command line
//! (every `-device` on the same `virtio-mmio-bus.N`) and its error messages.
//! QEMU puts `-drive if=virtio` and `-virtfs` on PCI and makes no card for
//! `-nic`; rivet, which has no PCI, puts them in the highest slots left
//! free, in that order.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use common::guest::Guest;
use common::{run_command, run_rivet, virtio_line, MIXED_VIRTIO_LINES};

const LIMIT: Duration = Duration::from_secs(30);

/// Held by each test: rivet and QEMU lock the disk images the command lines
/// share, so their runs take turns.
static IMAGES: Mutex<()> = Mutex::new(());

/// Takes [`IMAGES`] (also after another test failed holding it).
fn images_lock() -> MutexGuard<'static, ()> {
    IMAGES.lock().unwrap_or_else(|e| e.into_inner())
}

/// A bare-metal kernel that loops (`j .`).
fn loop_kernel() -> PathBuf {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("slots-loop.bin");
    std::fs::write(&path, [0x6f, 0, 0, 0]).expect("write the kernel");
    path
}

/// The devices on the virtio-mmio buses of an `info qtree` listing: by bus
/// number, the driver and its `drive` property, if any.
fn mmio_devices(qtree: &str) -> BTreeMap<usize, (String, Option<String>)> {
    let mut found = BTreeMap::new();
    let mut bus = None;
    for line in qtree.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if indent <= 4 {
            bus = text
                .strip_prefix("bus: virtio-mmio-bus.")
                .map(|n| n.parse::<usize>().expect("bus number"));
            continue;
        }
        let Some(n) = bus else { continue };
        if indent == 6 {
            if let Some(dev) = text.strip_prefix("dev: ") {
                let name = dev.split(',').next().expect("driver").to_string();
                found.insert(n, (name, None));
            }
        } else if indent == 8 {
            if let (Some(drive), Some(entry)) = (text.strip_prefix("drive = \""), found.get_mut(&n))
            {
                entry.1 = Some(drive.trim_end_matches('"').to_string());
            }
        }
    }
    found
}

/// rivet's `info qtree` for the command line `args`, typed at its monitor
/// as a person would (the answer read before `quit` is typed).
fn rivet_qtree(args: &[String]) -> String {
    let kernel = loop_kernel();
    let mut all: Vec<String> = ["-M", "virt", "-bios", "none", "-m", "128M", "-kernel"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    all.push(kernel.display().to_string());
    all.extend(["-monitor", "stdio", "-serial", "null"].map(String::from));
    all.extend(args.iter().cloned());
    let mut monitor = Guest::start(&all);
    monitor.expect("(qemu) ", LIMIT);
    monitor.send("info qtree");
    let qtree = monitor.expect("(qemu) ", LIMIT);
    monitor.send("quit");
    assert_eq!(monitor.wait_exit(LIMIT), Some(0), "rivet {args:?}");
    qtree
}

/// QEMU's: its exit status, standard output and standard error.
fn qemu(args: &[String], stdin: &[u8]) -> (Option<i32>, String, String) {
    let mut command = Command::new("qemu-system-riscv64");
    command.args([
        "-M", "virt", "-bios", "none", "-m", "128M", "-display", "none",
    ]);
    command.args(["-monitor", "stdio", "-serial", "null"]);
    command.args(args);
    let run = run_command(command, stdin, LIMIT);
    (run.code, run.stdout, run.stderr)
}

/// The devices rivet puts on virtio-mmio and QEMU does not, in the order
/// rivet places them: `-drive if=virtio` (named `driveN` by its index among
/// the drives), `-virtfs`, then `-nic`.
fn rivet_only(args: &[String]) -> Vec<(String, Option<String>)> {
    let mut drives = Vec::new();
    let (mut shares, mut nics) = (Vec::new(), Vec::new());
    let mut index = 0;
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "-drive" => {
                if pair[1].contains("if=virtio") {
                    drives.push((
                        "virtio-blk-device".to_string(),
                        Some(format!("drive{index}")),
                    ));
                }
                index += 1;
            }
            "-virtfs" => shares.push(("virtio-9p-device".to_string(), None)),
            "-nic" => nics.push(("virtio-net-device".to_string(), None)),
            _ => {}
        }
    }
    drives.into_iter().chain(shares).chain(nics).collect()
}

/// Every `-device` sits on the bus QEMU 7.2 puts it on (its own `bus=`, or
/// the highest free one, in command-line order), and rivet's own devices
/// take the highest slots left, in order.
#[test]
fn devices_sit_where_qemu_7_2_puts_them() {
    let _images = images_lock();
    let qemu_installed = common::qemu_installed();
    if !qemu_installed {
        println!("qemu-system-riscv64 is not installed: the placements are not compared");
        return;
    }
    for line in MIXED_VIRTIO_LINES {
        let args = virtio_line(line);
        let ours = mmio_devices(&rivet_qtree(&args));
        let (code, out, err) = qemu(&args, b"info qtree\nquit\n");
        assert_eq!(code, Some(0), "QEMU {line}: {err}");
        let theirs = mmio_devices(&out);
        let mut expected = theirs.clone();
        let free = (0..8).rev().filter(|bus| !theirs.contains_key(bus));
        for (bus, device) in free.zip(rivet_only(&args)) {
            expected.insert(bus, device);
        }
        assert_eq!(ours, expected, "{line}\nQEMU's: {theirs:?}");
    }
}

/// The first automatic device takes virtio-mmio-bus.7 (0x10008000), the
/// next one bus.6, an explicit claim takes its bus wherever it stands, and
/// rivet's `-drive if=virtio` comes after every `-device` (without QEMU).
#[test]
fn automatic_slots_go_from_the_top() {
    let _images = images_lock();
    let args = virtio_line(
        "-drive file=$A,format=raw,if=virtio -device virtio-rng-device \
         -drive file=$B,format=raw,if=none,id=x -device virtio-blk-device,drive=x,bus=virtio-mmio-bus.6 \
         -device virtio-rng-device",
    );
    let ours = mmio_devices(&rivet_qtree(&args));
    let rng = ("virtio-rng-device".to_string(), None);
    let blk = |id: &str| ("virtio-blk-device".to_string(), Some(id.to_string()));
    let expected = BTreeMap::from([
        (7, rng.clone()),
        (6, blk("x")),
        (5, rng),
        (4, blk("drive0")),
    ]);
    assert_eq!(ours, expected);
}

/// A bus taken twice, a bus that does not exist, more devices than buses:
/// rivet refuses the command line with QEMU 7.2's message and exit status 1.
#[test]
fn impossible_placements_get_qemus_errors() {
    let _images = images_lock();
    let nine_rngs = ["-device virtio-rng-device"; 9].join(" ");
    let cases = [
        (
            "-device virtio-rng-device -device virtio-rng-device,bus=virtio-mmio-bus.7",
            "-device virtio-rng-device,bus=virtio-mmio-bus.7: Bus 'virtio-mmio-bus.7' is full",
        ),
        (
            "-drive file=$A,format=raw,if=none,id=x \
             -device virtio-blk-device,drive=x,bus=virtio-mmio-bus.3 -netdev user,id=n0 \
             -device virtio-net-device,netdev=n0,bus=virtio-mmio-bus.3",
            "-device virtio-net-device,netdev=n0,bus=virtio-mmio-bus.3: Bus \
             'virtio-mmio-bus.3' is full",
        ),
        (
            "-device virtio-rng-device,bus=virtio-mmio-bus.8",
            "-device virtio-rng-device,bus=virtio-mmio-bus.8: Bus 'virtio-mmio-bus.8' not found",
        ),
        (
            nine_rngs.as_str(),
            "-device virtio-rng-device: No 'virtio-bus' bus found for device 'virtio-rng-device'",
        ),
    ];
    let kernel = loop_kernel();
    for (line, message) in cases {
        let args = virtio_line(line);
        let mut all = vec!["-M", "virt", "-bios", "none", "-kernel"];
        all.push(kernel.to_str().expect("path"));
        all.extend(args.iter().map(String::as_str));
        let run = run_rivet(&all, b"", LIMIT);
        assert_eq!(run.code, Some(1), "{line}: {}", run.stderr);
        assert_eq!(run.stderr.trim(), format!("rivet: {message}"), "{line}");
        if common::qemu_installed() {
            let (code, _, err) = qemu(&args, b"quit\n");
            assert_eq!(code, Some(1), "QEMU {line}: {err}");
            let last = err.lines().last().unwrap_or_default();
            assert_eq!(
                last,
                format!("qemu-system-riscv64: {message}"),
                "QEMU {line}"
            );
        }
    }
    // Eight devices and an if=virtio drive: QEMU puts the drive on PCI,
    // rivet has no slot left for it.
    let line = format!(
        "{} -drive file=$A,format=raw,if=virtio",
        ["-device virtio-rng-device"; 8].join(" ")
    );
    let args = virtio_line(&line);
    let mut all = vec!["-M", "virt", "-bios", "none", "-kernel"];
    all.push(kernel.to_str().expect("path"));
    all.extend(args.iter().map(String::as_str));
    let run = run_rivet(&all, b"", LIMIT);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.trim().starts_with("rivet: -drive file=")
            && run.stderr.trim().ends_with(
                ",format=raw,if=virtio: No 'virtio-bus' bus found for device 'virtio-blk-device'"
            ),
        "{}",
        run.stderr
    );
}
