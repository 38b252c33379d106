//! The main job, end to end: boot OpenSBI + Linux on two harts with a
//! virtio disk, drive the busybox shell over the serial console, power off,
//! and check the disk on the host. A `-snapshot` run must leave the image
//! byte-identical.
//!
//! The guest images come from guest/build-images.sh (built from Debian
//! packages on first use and cached under ~/.cache/rivet).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::guest::{images, Guest};

const BOOT: Duration = Duration::from_secs(180);
const STEP: Duration = Duration::from_secs(60);

fn boot_args(disk: &Path, extra: &[&str]) -> Vec<String> {
    boot_args_with(&format!("file={},format=raw", disk.display()), extra)
}

/// The boot arguments with `drive` (`file=…,format=…`) as the disk.
fn boot_args_with(drive: &str, extra: &[&str]) -> Vec<String> {
    let dir = images();
    let mut args: Vec<String> = [
        "-M",
        "virt",
        "-smp",
        "2",
        "-m",
        "256M",
        "-nographic",
        "-bios",
        "default",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(["-kernel".into(), dir.join("Image").display().to_string()]);
    args.extend([
        "-initrd".into(),
        dir.join("initramfs.cpio.gz").display().to_string(),
    ]);
    args.extend(["-append".into(), "console=ttyS0".into()]);
    args.extend(["-drive".into(), format!("{drive},if=none,id=hd0")]);
    args.extend(["-device".into(), "virtio-blk-device,drive=hd0".into()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn disk_copy(name: &str) -> std::path::PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::copy(images().join("disk.ext2"), &path).expect("copy the disk image");
    path
}

/// A file of the ext2 image, read on the host with debugfs (e2fsprogs).
fn read_from_image(image: &Path, file: &str) -> String {
    let out = Command::new("debugfs")
        .args(["-R", &format!("cat {file}")])
        .arg(image)
        .output()
        .expect("run debugfs (Debian package e2fsprogs)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn boots_to_a_shell_and_writes_the_disk() {
    let disk = disk_copy("linux-e2e.ext2");
    let mut guest = Guest::start(&boot_args(&disk, &[]));
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(common::guest::PROMPT, STEP);

    let uname = guest.run("uname -a", STEP);
    assert!(
        uname.contains("Linux rivet 6.1") && uname.contains("riscv64"),
        "uname: {uname}"
    );

    let cpuinfo = guest.run("cat /proc/cpuinfo", STEP);
    for hart in ["hart\t\t: 0", "hart\t\t: 1"] {
        assert!(
            cpuinfo.contains(hart),
            "/proc/cpuinfo lacks {hart:?}:\n{cpuinfo}"
        );
    }
    assert!(cpuinfo.contains("rv64imafdc"), "/proc/cpuinfo: {cpuinfo}");

    // The guest's clock comes from the Goldfish RTC: the host's time.
    let epoch = guest.run("date +%s", STEP);
    let guest_time: u64 = epoch
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("date +%s printed {epoch:?}"));
    let host_time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    assert!(
        guest_time.abs_diff(host_time) < 120,
        "guest date {guest_time}, host {host_time}"
    );
    let date = guest.run("date", STEP);
    assert!(!date.is_empty(), "date printed nothing");

    let token = format!("rivet-e2e-{host_time}");
    guest.run(&format!("echo {token} > /mnt/e2e.txt"), STEP);
    guest.run("sync", STEP);
    assert!(guest
        .run("cat /mnt/README", STEP)
        .contains("rivet-disk-check: 7f3a9c21"));
    guest.send("poweroff");
    assert_eq!(
        guest.wait_exit(STEP),
        Some(0),
        "rivet's exit status after poweroff"
    );

    assert_eq!(
        read_from_image(&disk, "/e2e.txt").trim(),
        token,
        "the file is on the host's image"
    );
}

#[test]
fn snapshot_leaves_the_image_untouched() {
    let disk = disk_copy("linux-snapshot.ext2");
    let before = std::fs::read(&disk).expect("read image");
    let mut guest = Guest::start(&boot_args(&disk, &["-snapshot"]));
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(common::guest::PROMPT, STEP);
    guest.run("echo scratch > /mnt/scratch.txt", STEP);
    guest.run("sync", STEP);
    assert_eq!(
        guest.run("cat /mnt/scratch.txt", STEP),
        "scratch",
        "the guest sees its own write"
    );
    guest.send("poweroff");
    assert_eq!(guest.wait_exit(STEP), Some(0));
    assert!(
        std::fs::read(&disk).expect("read image") == before,
        "-snapshot changed the image"
    );
}

/// With `-icount` (deterministic time, the RTC on virtual time) a run is a
/// function of its inputs: two boots print byte-identical consoles, kernel
/// timestamps and all, up to the shell.
#[test]
fn icount_runs_replay_exactly() {
    let transcripts: Vec<String> = (0..2)
        .map(|i| {
            let disk = disk_copy(&format!("linux-icount-{i}.ext2"));
            let args = boot_args(
                &disk,
                &["-icount", "shift=0", "-rtc", "base=2026-01-01T00:00:00"],
            );
            let mut guest = Guest::start(&args);
            let transcript = guest.expect("rivet: shell ready", BOOT);
            guest.signal("TERM");
            guest.wait_exit(STEP);
            transcript
        })
        .collect();
    assert!(
        transcripts[0].contains("[    0.000000] Linux version 6.1"),
        "{}",
        transcripts[0]
    );
    assert!(
        transcripts[0].contains("setting system clock to 2026-01-01T00:00"),
        "{}",
        transcripts[0]
    );
    assert_eq!(transcripts[0], transcripts[1], "two -icount boots differ");
}

/// The address of kernel symbol `name`, from the guest build's System.map.
fn kernel_symbol(name: &str) -> u64 {
    let map = std::fs::read_to_string(images().join("System.map")).expect("read System.map");
    map.lines()
        .find_map(|l| {
            let mut f = l.split_whitespace();
            let (addr, _kind, sym) = (f.next()?, f.next()?, f.next()?);
            (sym == name).then(|| u64::from_str_radix(addr, 16).ok())?
        })
        .unwrap_or_else(|| panic!("{name} is not in System.map"))
}

/// A kernel developer's session, as the README gives it: `-S` and a GDB
/// stub, a hardware breakpoint at `start_kernel` (an address from
/// System.map; the guest build keeps no vmlinux), OpenSBI runs in M-mode
/// and stops nowhere, Linux stops there in S-mode with paging on; then GDB
/// deletes the breakpoint, detaches, and Linux goes on to its shell.
#[test]
fn gdb_stops_linux_at_start_kernel_and_lets_it_boot_on() {
    let disk = disk_copy("linux-gdb.ext2");
    let mut guest = Guest::start(&boot_args(&disk, &["-S", "-gdb", "tcp::0"]));
    let address = common::gdb::stub_address(&mut guest);
    let start_kernel = kernel_symbol("start_kernel");
    let script = format!(
        "target remote {address}
info threads
hbreak *{start_kernel:#x}
continue
p/x $pc
p $priv
p/x (unsigned long)$satp >> 60
delete
detach
"
    );
    let (run, text) = common::gdb::gdb(None, &script, BOOT);
    assert!(!run.timed_out, "{text}");
    for wanted in [
        "Thread 1.1 (hart 0, M-mode)",
        "Thread 1.2 (hart 1, M-mode)",
        &format!("Hardware assisted breakpoint 1 at {start_kernel:#x}"),
        &format!("$1 = {start_kernel:#x}"),
        // S-mode, Sv39 or wider (satp.MODE 8, 9 or 10).
        "$2 = 1",
        "[Inferior 1 (process 1) detached]",
    ] {
        assert!(
            text.contains(wanted),
            "GDB's transcript lacks {wanted:?}:\n{text}"
        );
    }
    assert!(
        ["$3 = 0x8", "$3 = 0x9", "$3 = 0xa"]
            .iter()
            .any(|m| text.contains(m)),
        "satp.MODE:\n{text}"
    );
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(common::guest::PROMPT, STEP);
    assert!(guest.run("uname -r", STEP).contains("6.1"));
    guest.send("poweroff");
    assert_eq!(guest.wait_exit(STEP), Some(0));
}

/// Linux on a qcow2 overlay whose backing file is the raw disk image: a
/// file the guest writes and syncs is in the overlay after the poweroff
/// (`qemu-img convert -O raw`, then debugfs), `qemu-img check` finds the
/// overlay clean, and the raw backing file keeps every byte. Skipped,
/// saying so, without qemu-img (Debian package qemu-utils).
#[test]
fn writes_a_qcow2_overlay_and_never_its_backing_file() {
    if Command::new("qemu-img").arg("--version").output().is_err() {
        eprintln!("skipped: qemu-img is not installed (Debian package qemu-utils)");
        return;
    }
    let base = disk_copy("linux-qcow2-base.ext2");
    let before = std::fs::read(&base).expect("read image");
    let dir = base.parent().unwrap();
    let overlay = dir.join("linux-qcow2-overlay.qcow2");
    let _ = std::fs::remove_file(&overlay);
    let qemu_img = |args: &[&str]| {
        let out = Command::new("qemu-img")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("run qemu-img");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "qemu-img {args:?}: {text} {out:?}");
        text
    };
    qemu_img(&[
        "create",
        "-q",
        "-f",
        "qcow2",
        "-b",
        "linux-qcow2-base.ext2",
        "-F",
        "raw",
        "linux-qcow2-overlay.qcow2",
    ]);
    let drive = format!("file={},format=qcow2", overlay.display());
    let mut guest = Guest::start(&boot_args_with(&drive, &[]));
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(common::guest::PROMPT, STEP);
    assert!(guest
        .run("cat /mnt/README", STEP)
        .contains("rivet-disk-check: 7f3a9c21"));
    let token = format!("rivet-qcow2-{}", std::process::id());
    guest.run(&format!("echo {token} > /mnt/qcow2.txt"), STEP);
    guest.run("sync", STEP);
    guest.send("poweroff");
    assert_eq!(
        guest.wait_exit(STEP),
        Some(0),
        "rivet's exit status after poweroff"
    );

    assert!(
        std::fs::read(&base).expect("read image") == before,
        "the backing file was written"
    );
    let check = qemu_img(&["check", "linux-qcow2-overlay.qcow2"]);
    assert!(check.contains("No errors were found"), "{check}");
    qemu_img(&[
        "convert",
        "-O",
        "raw",
        "linux-qcow2-overlay.qcow2",
        "linux-qcow2-flat.ext2",
    ]);
    assert_eq!(
        read_from_image(&dir.join("linux-qcow2-flat.ext2"), "/qcow2.txt").trim(),
        token
    );
    for file in [&base, &overlay, &dir.join("linux-qcow2-flat.ext2")] {
        let _ = std::fs::remove_file(file);
    }
}

/// The boot arguments without a disk.
fn boot_args_without_disk() -> Vec<String> {
    let mut args = boot_args_with("file=unused", &[]);
    // Drop the hd0 drive and its device that boot_args_with adds.
    let at = args.iter().position(|a| a == "-drive").expect("-drive");
    args.drain(at..at + 4);
    args
}

/// Boots `command` (rivet's or QEMU's, with two disks: the guest disk,
/// then a 1 MiB raw image) and checks that Linux names the first one
/// `/dev/vda` (the guest's init mounts vda on /mnt: its README is the
/// guest disk's) and the second `/dev/vdb` (2048 sectors).
fn first_drive_is_vda(who: &str, command: Command) {
    let mut guest = Guest::start_command(command);
    let transcript = guest.expect("rivet: shell ready", BOOT);
    assert!(
        transcript.contains("rivet: /dev/vda mounted on /mnt"),
        "{who}: vda is not the first drive:\n{transcript}"
    );
    guest.expect(common::guest::PROMPT, STEP);
    assert!(
        guest
            .run("cat /mnt/README", STEP)
            .contains("rivet-disk-check: 7f3a9c21"),
        "{who}: /mnt is not the guest disk"
    );
    assert_eq!(
        guest.run("cat /sys/block/vdb/size", STEP),
        "2048",
        "{who}: vdb is not the 1 MiB second drive"
    );
    guest.send("poweroff");
    assert_eq!(guest.wait_exit(STEP), Some(0), "{who}: exit status");
}

/// Two disks: the first on the command line is `/dev/vda`, as on QEMU 7.2.
/// With `-device virtio-blk-device` QEMU puts the first on
/// virtio-mmio-bus.7 (0x10008000), the tree's first virtio node, and the
/// second on bus.6; the same guest booted on QEMU is the oracle. With
/// `-drive if=virtio` QEMU puts them on PCI in order (the guest kernel has
/// no PCI), rivet in slots 7 and 6.
#[test]
fn the_first_of_two_drives_is_vda() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let second = dir.join("linux-second.raw");
    let mut bytes = b"second-drive".to_vec();
    bytes.resize(1 << 20, 0);
    std::fs::write(&second, bytes).expect("write the second image");
    let devices = |first: &Path| {
        vec![
            "-drive".to_string(),
            format!("file={},format=raw,if=none,id=a", first.display()),
            "-drive".to_string(),
            format!("file={},format=raw,if=none,id=b", second.display()),
            "-device".to_string(),
            "virtio-blk-device,drive=a".to_string(),
            "-device".to_string(),
            "virtio-blk-device,drive=b".to_string(),
        ]
    };
    let rivet = |extra: Vec<String>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rivet"));
        command.args(boot_args_without_disk()).args(extra);
        command
    };
    let first = disk_copy("linux-two-virtio.ext2");
    first_drive_is_vda(
        "rivet, -drive if=virtio",
        rivet(vec![
            "-drive".to_string(),
            format!("file={},format=raw,if=virtio", first.display()),
            "-drive".to_string(),
            format!("file={},format=raw,if=virtio", second.display()),
        ]),
    );
    let first = disk_copy("linux-two-devices.ext2");
    first_drive_is_vda("rivet, -device", rivet(devices(&first)));
    if !common::qemu_installed() {
        println!("qemu-system-riscv64 is not installed: the disks are not named by QEMU");
        return;
    }
    let first = disk_copy("linux-two-devices-qemu.ext2");
    let mut qemu = Command::new("qemu-system-riscv64");
    qemu.args(boot_args_without_disk()).args(devices(&first));
    first_drive_is_vda("QEMU, -device", qemu);
}
