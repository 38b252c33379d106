//! Helpers shared by the integration tests: building the test ROMs and
//! running the `rivet` binary with a time limit.

#![allow(dead_code)] // each test binary uses a different part

pub mod gdb;
pub mod guest;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The repository's root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("frontend/ has a parent")
        .to_path_buf()
}

/// Builds the test ROMs once per test binary (test-roms/build.sh) into the
/// target directory and returns the build directory.
pub fn test_roms() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test-roms");
        let status = Command::new("bash")
            .arg(repo_root().join("test-roms/build.sh"))
            .arg(&out)
            .stdout(Stdio::null())
            .status()
            .expect("run test-roms/build.sh");
        assert!(status.success(), "test-roms/build.sh failed");
        out
    })
}

/// What a run of rivet produced.
#[derive(Debug)]
pub struct Run {
    /// Exit status (None if killed).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Whether the time limit killed it.
    pub timed_out: bool,
}

/// Runs the rivet binary with `args` and `stdin` as input, killing it after `limit`.
pub fn run_rivet(args: &[&str], stdin: &[u8], limit: Duration) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rivet"));
    command.args(args);
    run_command(command, stdin, limit)
}

/// Runs `command` with `stdin` as its input, collecting its output, and
/// kills it after `limit`.
pub fn run_command(mut command: Command, stdin: &[u8], limit: Duration) -> Run {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {command:?}: {e}"));
    {
        use std::io::Write;
        let mut input = child.stdin.take().expect("stdin");
        // A program that exits without reading its input closes the pipe.
        let _ = input.write_all(stdin);
    }
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            timed_out = true;
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned(),
        timed_out,
    }
}

/// One line of a ROM manifest (test-roms/roms*.txt).
#[derive(Clone, Debug)]
pub struct Rom {
    /// The ROM's name.
    pub name: String,
    /// Its ELF, relative to the build directory.
    pub elf: String,
    /// What it must do: `pass`.
    pub expected: String,
    /// Extra machine flags (e.g. `-smp 2`).
    pub flags: Vec<String>,
}

/// The ROMs of manifest test-roms/`file`.
pub fn manifest_file(file: &str) -> Vec<Rom> {
    let path = repo_root().join("test-roms").join(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut words = l.split_whitespace().map(String::from);
            let name = words.next().unwrap_or_default();
            let elf = words.next().unwrap_or_default();
            let expected = words.next().unwrap_or_default();
            Rom {
                name,
                elf,
                expected,
                flags: words.collect(),
            }
        })
        .collect()
}

/// Command lines that mix the board's virtio devices: `-drive if=virtio`,
/// `-device virtio-*-device` with and without `bus=`, `-netdev`/`-nic`,
/// `-virtfs`, `-fsdev`, the console device. `$A`, `$B`, `$C` are 1 MiB raw
/// images and `$S` a folder ([`virtio_line`] makes them).
pub const MIXED_VIRTIO_LINES: [&str; 6] = [
    "-drive file=$A,format=raw,if=virtio -drive file=$B,format=raw,if=virtio",
    "-drive file=$A,format=raw,if=virtio -drive file=$C,format=raw,if=none,id=x \
     -device virtio-blk-device,drive=x,bus=virtio-mmio-bus.7 -drive file=$B,format=raw,if=virtio",
    "-drive file=$A,format=raw,if=none,id=x -drive file=$B,format=raw,if=none,id=y \
     -device virtio-blk-device,drive=x -device virtio-blk-device,drive=y",
    "-netdev user,id=n0 -nic user -device virtio-net-device,netdev=n0 -device virtio-rng-device",
    "-virtfs local,path=$S,mount_tag=t,security_model=none -device virtio-rng-device \
     -fsdev local,id=f,path=$S,security_model=none -device virtio-9p-device,fsdev=f,mount_tag=u",
    "-device virtio-rng-device,bus=virtio-mmio-bus.0 -drive file=$A,format=raw,if=none,id=x \
     -device virtio-blk-device,drive=x -chardev null,id=c0 -device virtio-serial-device \
     -device virtconsole,chardev=c0 -netdev user,id=n0 \
     -device virtio-net-device,netdev=n0,bus=virtio-mmio-bus.3 \
     -drive file=$B,format=raw,if=virtio",
];

/// `line` as arguments, with `$A`, `$B`, `$C` and `$S` replaced by the paths
/// of files made for it (1 MiB raw images, an empty folder).
pub fn virtio_line(line: &str) -> Vec<String> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        // One folder per test process: tests of other binaries may be
        // using theirs.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("virtio-lines-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("share")).expect("make the share folder");
        for image in ["a.img", "b.img", "c.img"] {
            let file = std::fs::File::create(dir.join(image)).expect("create an image");
            file.set_len(1 << 20).expect("size the image");
        }
        dir
    });
    line.split_whitespace()
        .map(|arg| {
            arg.replace("$A", &dir.join("a.img").display().to_string())
                .replace("$B", &dir.join("b.img").display().to_string())
                .replace("$C", &dir.join("c.img").display().to_string())
                .replace("$S", &dir.join("share").display().to_string())
        })
        .collect()
}

/// Whether QEMU 7.2's `qemu-system-riscv64`, the oracle of some tests, is
/// installed (they say so and skip the comparison when it is not).
pub fn qemu_installed() -> bool {
    Command::new("qemu-system-riscv64")
        .arg("-version")
        .output()
        .is_ok()
}
