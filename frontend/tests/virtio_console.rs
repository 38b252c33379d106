//! The console device (virtio-console) as a Linux user meets it: boot
//! with `-chardev socket,...,server=on,wait=off -device
//! virtio-serial-device -device virtconsole,chardev=c0`, connect to the
//! socket, and pass bytes both ways through the guest's `/dev/hvc0`. The
//! same session runs on QEMU 7.2 (when installed) with the same command
//! line and guest, and the guest sees the same things.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::guest::{images, Guest, PROMPT};

const BOOT: Duration = Duration::from_secs(240);
const STEP: Duration = Duration::from_secs(60);

/// The words of a command line, OpenSBI + Linux from the guest images,
/// with a console device on the Unix socket `sock`.
fn boot_args(sock: &Path) -> Vec<String> {
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
    args.extend([
        "-chardev".into(),
        format!("socket,id=c0,path={},server=on,wait=off", sock.display()),
        "-device".into(),
        "virtio-serial-device".into(),
        "-device".into(),
        "virtconsole,chardev=c0".into(),
    ]);
    args
}

/// A fresh socket path for `name`.
fn socket_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("c0.sock")
}

/// Reads from `stream` until `text` has come (or `limit` passes); returns
/// everything read.
fn read_until(stream: &mut UnixStream, text: &str, limit: Duration) -> String {
    let deadline = Instant::now() + limit;
    let mut got = Vec::new();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 256];
    while Instant::now() < deadline {
        if String::from_utf8_lossy(&got).contains(text) {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// What the guest and the host saw.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    /// `/dev/hvc0` if it is a character device.
    device: String,
    /// What the host read from the socket after the guest's echo.
    from_guest: String,
    /// What `head -c 5 /dev/hvc0` read of the host's bytes.
    to_guest: String,
}

/// The session: the guest writes a line to /dev/hvc0 and the host reads
/// it from the socket; the host writes five bytes and the guest reads
/// them; power off.
fn session(guest: &mut Guest, sock: &Path) -> Seen {
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(PROMPT, STEP);
    let mut stream = UnixStream::connect(sock).expect("connect to the console's socket");
    let device = guest.run("test -c /dev/hvc0 && echo /dev/hvc0", STEP);
    // One job holds the port open throughout: the tty's settings last only
    // while it is open. Raw, without echo, the bytes pass as they are both
    // ways; the job writes its line, then reads five bytes.
    // (Each command fits the console's 80 columns after the prompt: the
    // echo of a longer one wraps and no longer reads back as typed.)
    guest.run("d=/dev/hvc0", STEP);
    guest.run(
        "(stty raw -echo;echo from-guest-5a3;head -c5 >/tmp/in)<>$d >&0 &",
        STEP,
    );
    let from_guest = read_until(&mut stream, "from-guest-5a3\n", STEP);
    stream.write_all(b"h3llo and more").unwrap();
    // (The shell reports the job's end after `wait`, not after the cat.)
    guest.run("wait", STEP);
    let to_guest = guest.run("cat /tmp/in; echo", STEP);
    guest.send("poweroff");
    Seen {
        device,
        from_guest,
        to_guest,
    }
}

#[test]
fn linux_talks_through_hvc0_to_a_socket() {
    let sock = socket_path("virtio-console-rivet");
    let mut guest = Guest::start(&boot_args(&sock));
    let seen = session(&mut guest, &sock);
    assert_eq!(guest.wait_exit(STEP), Some(0), "rivet's exit status");
    let expected = Seen {
        device: "/dev/hvc0".into(),
        from_guest: "from-guest-5a3\n".into(),
        to_guest: "h3llo".into(),
    };
    assert_eq!(seen.device, expected.device);
    assert_eq!(seen.from_guest, expected.from_guest);
    assert_eq!(seen.to_guest, expected.to_guest);

    if Command::new("qemu-system-riscv64")
        .arg("-version")
        .output()
        .is_err()
    {
        println!("qemu-system-riscv64 is not installed: no comparison with QEMU");
        return;
    }
    let sock = socket_path("virtio-console-qemu");
    let mut command = Command::new("qemu-system-riscv64");
    command.args(boot_args(&sock));
    let mut qemu = Guest::start_command(command);
    let qemu_seen = session(&mut qemu, &sock);
    assert_eq!(qemu.wait_exit(STEP), Some(0), "QEMU's exit status");
    assert_eq!(qemu_seen.device, seen.device);
    assert_eq!(qemu_seen.from_guest, seen.from_guest);
    assert_eq!(qemu_seen.to_guest, seen.to_guest);
}
