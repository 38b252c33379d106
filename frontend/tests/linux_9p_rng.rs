//! Host file sharing (virtio-9p) and the entropy device (virtio-rng) as a
//! Linux user meets them: boot with `-virtfs` and `-device
//! virtio-rng-device`, mount the share, read and write through it, and
//! read `/dev/hwrng`. The same session runs on QEMU 7.2 (when installed)
//! with the same guest, and the guest sees the same things.
//!
//! The share holds a symlink to a host file outside it: the guest must not
//! read that file through it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::guest::{images, Guest, PROMPT};

const BOOT: Duration = Duration::from_secs(240);
const STEP: Duration = Duration::from_secs(60);

/// The words of a command line, OpenSBI + Linux from the guest images,
/// with `devices` added.
fn boot_args(devices: &[String]) -> Vec<String> {
    let dir = images();
    let mut args: Vec<String> = ["-M", "virt", "-m", "256M", "-nographic", "-bios", "default"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(["-kernel".into(), dir.join("Image").display().to_string()]);
    args.extend([
        "-initrd".into(),
        dir.join("initramfs.cpio.gz").display().to_string(),
    ]);
    args.extend(["-append".into(), "console=ttyS0".into()]);
    args.extend(devices.iter().cloned());
    args
}

/// A scratch folder: `share/` (shared, with a file from the host and a
/// symlink to `outside-secret.txt`, which lies beside it).
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Self {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("share")).unwrap();
        std::fs::write(root.join("outside-secret.txt"), "host-secret-4d1c\n").unwrap();
        std::fs::write(
            root.join("share/from-host.txt"),
            "written by the host 7e21\n",
        )
        .unwrap();
        std::os::unix::fs::symlink(
            root.join("outside-secret.txt"),
            root.join("share/escape-link"),
        )
        .unwrap();
        Scratch { root }
    }

    fn share(&self) -> PathBuf {
        self.root.join("share")
    }
}

/// What the guest saw, command by command.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    mounted: String,
    cat_host_file: String,
    ls: String,
    ls_after: String,
    escape: String,
    rng_current: String,
    rng_bytes: usize,
}

/// The session: mount, read, write, ls, mv, rm, the escaping symlink,
/// the hardware RNG; unmount and power off.
fn session(guest: &mut Guest) -> Seen {
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(PROMPT, STEP);
    // Each command fits the console's 80 columns after the prompt: the
    // echo of a longer one wraps and no longer reads back as typed.
    guest.run("o=trans=virtio,version=9p2000.L", STEP);
    let mounted = guest.run("mount -t 9p -o $o host0 /mnt && echo mounted", STEP);
    let cat_host_file = guest.run("cat /mnt/from-host.txt", STEP);
    guest.run("echo written by the guest 93b5 > /mnt/from-guest.txt", STEP);
    guest.run(
        "mkdir /mnt/newdir && echo inner > /mnt/newdir/inner.txt",
        STEP,
    );
    // (tr leaves no newline: the echo ends the line before the prompt.)
    let ls = guest.run("ls /mnt | sort | tr '\\n' ' '; echo", STEP);
    guest.run("mv /mnt/from-guest.txt /mnt/newdir/moved.txt", STEP);
    guest.run("rm /mnt/from-host.txt", STEP);
    let ls_after = guest.run("ls /mnt /mnt/newdir | tr '\\n' ' '; echo", STEP);
    let escape = guest.run("cat /mnt/escape-link; echo status=$?", STEP);
    let rng_current = guest.run("cat /sys/class/misc/hw_random/rng_current", STEP);
    // 64 bytes from the device, as hex: 128 digits.
    guest.run("dd if=/dev/hwrng of=/tmp/r bs=64 count=1 2>/dev/null", STEP);
    let hex = guest.run("od -An -v -tx1 /tmp/r | tr -d ' \\n'; echo", STEP);
    let rng_bytes = hex.len() / 2;
    assert!(
        hex.chars().all(|c| c.is_ascii_hexdigit()) && hex.chars().any(|c| c != '0'),
        "/dev/hwrng gave {hex:?}"
    );
    guest.run("sync; umount /mnt", STEP);
    guest.send("poweroff");
    Seen {
        mounted,
        cat_host_file,
        ls,
        ls_after,
        escape,
        rng_current,
        rng_bytes,
    }
}

/// The host's view after the session.
fn check_host(scratch: &Scratch) {
    let share = scratch.share();
    assert_eq!(
        std::fs::read_to_string(share.join("newdir/moved.txt")).unwrap(),
        "written by the guest 93b5\n"
    );
    assert_eq!(
        std::fs::read_to_string(share.join("newdir/inner.txt")).unwrap(),
        "inner\n"
    );
    assert!(
        !share.join("from-host.txt").exists(),
        "rm did not remove it"
    );
    assert!(
        !share.join("from-guest.txt").exists(),
        "mv left the old name"
    );
    assert_eq!(
        std::fs::read_to_string(scratch.root.join("outside-secret.txt")).unwrap(),
        "host-secret-4d1c\n"
    );
}

#[test]
fn linux_mounts_a_virtfs_share_and_reads_virtio_rng() {
    let scratch = Scratch::new("linux-9p-rivet");
    let devices = vec![
        "-virtfs".to_string(),
        format!(
            "local,path={},mount_tag=host0,security_model=none",
            scratch.share().display()
        ),
        "-device".into(),
        "virtio-rng-device".into(),
    ];
    let mut guest = Guest::start(&boot_args(&devices));
    let seen = session(&mut guest);
    assert_eq!(guest.wait_exit(STEP), Some(0), "rivet's exit status");

    assert_eq!(seen.mounted, "mounted");
    assert_eq!(seen.cat_host_file, "written by the host 7e21");
    assert_eq!(seen.ls, "escape-link from-guest.txt from-host.txt newdir");
    assert_eq!(
        seen.ls_after,
        "/mnt: escape-link newdir  /mnt/newdir: inner.txt moved.txt"
    );
    assert!(
        !seen.escape.contains("host-secret") && seen.escape.ends_with("status=1"),
        "cat of the escaping symlink: {}",
        seen.escape
    );
    assert_eq!(seen.rng_current, "virtio_rng.0");
    assert_eq!(seen.rng_bytes, 64);
    check_host(&scratch);

    // The same guest on QEMU 7.2: its -virtfs makes a PCI device, which
    // this guest has no driver for, so the share is given as rivet's
    // -virtfs gives it, a virtio-9p-device on virtio-mmio.
    if Command::new("qemu-system-riscv64")
        .arg("-version")
        .output()
        .is_err()
    {
        println!("qemu-system-riscv64 is not installed: no comparison with QEMU");
        return;
    }
    let qemu_scratch = Scratch::new("linux-9p-qemu");
    let mut command = Command::new("qemu-system-riscv64");
    command.args(boot_args(&[
        "-fsdev".into(),
        format!(
            "local,id=fs0,path={},security_model=none",
            qemu_scratch.share().display()
        ),
        "-device".into(),
        "virtio-9p-device,fsdev=fs0,mount_tag=host0".into(),
        "-device".into(),
        "virtio-rng-device".into(),
    ]));
    let mut qemu = Guest::start_command(command);
    let qemu_seen = session(&mut qemu);
    assert_eq!(qemu.wait_exit(STEP), Some(0), "QEMU's exit status");
    check_host(&qemu_scratch);
    assert_eq!(seen, qemu_seen, "rivet and QEMU 7.2 differ");
}
