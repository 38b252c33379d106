//! Bad input from the command line gets a one-line error naming the
//! problem and a non-zero exit status: never a panic.

mod common;

use std::time::Duration;

use common::run_rivet;

fn fails_clearly(args: &[&str], expect: &str) {
    let run = run_rivet(args, b"", Duration::from_secs(20));
    assert!(!run.timed_out, "{args:?} hung");
    assert_ne!(run.code, Some(0), "{args:?} succeeded");
    assert!(
        run.code.is_some(),
        "{args:?} died from a signal: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked"),
        "{args:?} panicked: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(expect),
        "{args:?}: expected {expect:?} in: {}",
        run.stderr
    );
}

/// Writes the raw (not ELF) guest image `words` (little-endian
/// instructions, loaded at the start of RAM by `-bios none -kernel`) to
/// the tests' scratch directory as `name`; returns its path.
fn raw_image(name: &str, words: &[u32]) -> std::path::PathBuf {
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `j .`: a guest that spins for ever.
const SPIN: u32 = 0x0000_006f;

#[test]
fn missing_and_malformed_files() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    fails_clearly(
        &[
            "-M",
            "virt",
            "-bios",
            "none",
            "-kernel",
            "/nonexistent/prog.elf",
        ],
        "cannot read /nonexistent/prog.elf",
    );
    let bad = dir.join("bad.elf");
    std::fs::write(&bad, b"\x7fELF\x02\x01\x01garbage").unwrap();
    fails_clearly(
        &[
            "-M",
            "virt",
            "-bios",
            "none",
            "-kernel",
            bad.to_str().unwrap(),
        ],
        "truncated ELF header",
    );
    let big = dir.join("big.bin");
    std::fs::write(&big, vec![0u8; 2 << 20]).unwrap();
    fails_clearly(
        &[
            "-M",
            "virt",
            "-m",
            "1M",
            "-bios",
            "none",
            "-kernel",
            big.to_str().unwrap(),
        ],
        "does not fit in RAM",
    );
    fails_clearly(
        &[
            "-M",
            "virt",
            "-bios",
            "/nonexistent/fw.bin",
            "-kernel",
            big.to_str().unwrap(),
        ],
        "cannot read /nonexistent/fw.bin",
    );
}

#[test]
fn bad_flags_and_values() {
    fails_clearly(&["-bogus"], "rivet: -bogus: invalid option");
    fails_clearly(
        &["-M", "sifive_u", "-kernel", "x"],
        "only the 'virt' machine",
    );
    fails_clearly(&["-m", "lots", "-kernel", "x"], "-m lots: not a size");
    fails_clearly(
        &["-smp", "65", "-bios", "none", "-kernel", "/dev/null"],
        "-smp 65: rivet's virt board has 1 to 64 harts",
    );
    fails_clearly(&["-smp", "two", "-kernel", "x"], "not a number of harts");
    fails_clearly(
        &["-drive", "file=x.img,format=vmdk", "-kernel", "x"],
        "format=vmdk is not supported",
    );
    fails_clearly(&["-device", "e1000", "-kernel", "x"], "unknown device");
    fails_clearly(&["-icount", "shift=99", "-kernel", "x"], "-icount shift=99");
    fails_clearly(&["-bios", "none"], "-bios none needs -kernel");
    // (No -bios and no -kernel is no longer refused: OpenSBI runs with
    // nothing after it, as in QEMU; tests/cli_patterns.rs holds that.)
}

#[test]
fn bad_disk_images() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let kernel = raw_image("disk-test-kernel.bin", &[SPIN]);
    let kernel = kernel.to_str().unwrap();
    let truncated = dir.join("truncated.img");
    std::fs::write(&truncated, vec![0u8; 1000]).unwrap();
    let drive =
        |path: &std::path::Path| format!("file={},format=raw,if=none,id=hd0", path.display());
    let dev = "virtio-blk-device,drive=hd0";
    fails_clearly(
        &[
            "-bios",
            "none",
            "-kernel",
            kernel,
            "-drive",
            &drive(&truncated),
            "-device",
            dev,
        ],
        "truncated.img",
    );
    fails_clearly(
        &[
            "-bios",
            "none",
            "-kernel",
            kernel,
            "-drive",
            &drive(&dir.join("missing.img")),
            "-device",
            dev,
        ],
        "missing.img",
    );
    fails_clearly(
        &["-bios", "none", "-kernel", kernel, "-device", dev],
        "no -drive with if=none,id=hd0",
    );

    // The same writable image twice: the second open is refused.
    let image = dir.join("twice.img");
    std::fs::write(&image, vec![0u8; 4096]).unwrap();
    let first = format!("file={},format=raw,if=none,id=a", image.display());
    let second = format!("file={},format=raw,if=none,id=b", image.display());
    fails_clearly(
        &[
            "-bios",
            "none",
            "-kernel",
            kernel,
            "-drive",
            &first,
            "-device",
            "virtio-blk-device,drive=a",
            "-drive",
            &second,
            "-device",
            "virtio-blk-device,drive=b",
        ],
        "twice.img",
    );
}

#[test]
fn log_items_are_listed_by_d_help_and_unsupported_ones_refused() {
    let run = run_rivet(&["-d", "help"], b"", Duration::from_secs(30));
    assert_eq!(run.code, Some(0), "{run:?}");
    for item in [
        "int",
        "unimp",
        "guest_errors",
        "mmu",
        "in_asm",
        "exec",
        "cpu",
    ] {
        assert!(
            run.stdout.lines().any(|l| l.starts_with(item)),
            "-d help lacks {item}: {}",
            run.stdout
        );
    }
    let run = run_rivet(
        &[
            "-M",
            "virt",
            "-bios",
            "none",
            "-d",
            "int,out_asm",
            "-kernel",
            "/dev/null",
        ],
        b"",
        Duration::from_secs(30),
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .contains("-d out_asm: not supported by rivet yet"),
        "{run:?}"
    );
}

/// A file name that is not UTF-8 (legal on Unix) is a path like any other:
/// no panic in reading the command line. The file does not exist, so the
/// run ends with the usual "cannot read" error naming it.
#[test]
fn non_utf8_arguments_are_paths_not_panics() {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(b"/nonexistent/\xff\xfe.elf");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rivet"));
    command.args(["-M", "virt", "-bios", "none", "-kernel"]);
    command.arg(name);
    let run = common::run_command(command, b"", Duration::from_secs(20));
    assert!(!run.timed_out);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot read /nonexistent/"),
        "{}",
        run.stderr
    );
    // A non-UTF-8 value where text is wanted is clap's usage error.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rivet"));
    command.arg("-append");
    command.arg(std::ffi::OsStr::from_bytes(b"console=\xff"));
    let run = common::run_command(command, b"", Duration::from_secs(20));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stderr.contains("invalid UTF-8"), "{}", run.stderr);
}

/// A guest whose trap handler is itself an illegal instruction traps for
/// ever and retires nothing; `--max-instructions` counts the trapped
/// instructions too, so the run still ends at the limit (exit 124).
#[test]
fn max_instructions_ends_a_trap_loop() {
    let image = raw_image(
        "trap-loop.bin",
        &[
            0x0000_0297, // auipc t0, 0
            0x00c2_8293, // addi  t0, t0, 12
            0x3052_9073, // csrw  mtvec, t0
            0x0000_0000, // illegal, and mtvec points here
        ],
    );
    let run = run_rivet(
        &[
            "-M",
            "virt",
            "-bios",
            "none",
            "-nographic",
            "-kernel",
            image.to_str().unwrap(),
            "--max-instructions",
            "1000000",
        ],
        b"",
        Duration::from_secs(30),
    );
    assert!(!run.timed_out, "the trap loop ran past its limit");
    assert_eq!(run.code, Some(124), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("stopped after 1000000 instructions, 3 of them retired"),
        "{}",
        run.stderr
    );
}

/// Two `-drive`s with one id are refused, as QEMU refuses them, and
/// neither image is touched (before the fix, the first was attached and
/// written although the device named the read-only second).
#[test]
fn duplicate_drive_ids_are_refused() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let kernel = raw_image("dup-id-kernel.bin", &[SPIN]);
    let (a, b) = (dir.join("dup-a.img"), dir.join("dup-b.img"));
    std::fs::write(&a, vec![0u8; 4096]).unwrap();
    std::fs::write(&b, vec![0u8; 4096]).unwrap();
    fails_clearly(
        &[
            "-bios",
            "none",
            "-kernel",
            kernel.to_str().unwrap(),
            "-drive",
            &format!("file={},format=raw,if=none,id=x0", a.display()),
            "-drive",
            &format!("file={},format=raw,if=none,id=x0,readonly=on", b.display()),
            "-device",
            "virtio-blk-device,drive=x0",
        ],
        "duplicate ID 'x0' for drive",
    );
}

/// Two `-netdev`s with one id are refused with QEMU 7.2's words (`-netdev
/// user,id=n0: Duplicate ID 'n0' for netdev`), whatever their backends.
#[test]
fn duplicate_netdev_ids_are_refused() {
    let kernel = raw_image("dup-netdev-kernel.bin", &[SPIN]);
    for (first, second) in [("user", "user"), ("user", "tap")] {
        fails_clearly(
            &[
                "-bios",
                "none",
                "-kernel",
                kernel.to_str().unwrap(),
                "-netdev",
                &format!("{first},id=n0"),
                "-netdev",
                &format!("{second},id=n0"),
            ],
            &format!("-netdev {second},id=n0: Duplicate ID 'n0' for netdev"),
        );
    }
}

/// Image files are size-checked before they are read: an endless file
/// (`/dev/zero`) as kernel, firmware or initrd is read only up to the RAM
/// it could occupy, then refused (it used to be read until the host ran
/// out of memory); a regular file larger than RAM is refused by its size.
#[test]
fn endless_and_oversized_images_are_refused_before_they_are_read() {
    let kernel = raw_image("size-kernel.bin", &[SPIN]);
    let kernel = kernel.to_str().unwrap();
    let m = ["-M", "virt", "-m", "64M"];
    fails_clearly(
        &[&m[..], &["-bios", "none", "-kernel", "/dev/zero"]].concat(),
        "kernel /dev/zero (more than 67108864 bytes) does not fit in RAM",
    );
    fails_clearly(
        &[&m[..], &["-bios", "/dev/zero", "-kernel", kernel]].concat(),
        "firmware /dev/zero (more than 67108864 bytes) does not fit in RAM",
    );
    fails_clearly(
        &[
            &m[..],
            &["-bios", "none", "-kernel", kernel, "-initrd", "/dev/zero"],
        ]
        .concat(),
        "initrd /dev/zero (more than",
    );
    // A sparse 8 GiB file: refused by its size, nothing read.
    let huge = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("huge.bin");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(8 << 30).unwrap();
    fails_clearly(
        &[
            &m[..],
            &["-bios", "none", "-kernel", huge.to_str().unwrap()],
        ]
        .concat(),
        "(8589934592 bytes) does not fit in RAM",
    );
    std::fs::remove_file(&huge).unwrap();
}

/// Console input is queued only up to a bound: with endless input
/// (`/dev/zero` on standard input) and a guest that never reads its UART,
/// rivet's memory stays flat (it grew by about 400 MB a second before).
#[test]
fn console_input_is_bounded_when_the_guest_never_reads() {
    let kernel = raw_image("no-read-kernel.bin", &[SPIN]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rivet"))
        .args(["-M", "virt", "-bios", "none", "-nographic", "-kernel"])
        .arg(&kernel)
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let rss_kib = || {
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
        let line = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .unwrap()
            .to_string();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    std::thread::sleep(Duration::from_millis(500));
    let early = rss_kib();
    std::thread::sleep(Duration::from_secs(3));
    let late = rss_kib();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        late < early + 16 * 1024,
        "RSS grew from {early} KiB to {late} KiB in 3 s of unread input"
    );
}

/// SIGTERM ends rivet even while its standard output is a pipe nobody
/// reads (full): guest output waits for room in a bounded queue, and the
/// machine still hears the signal. Before, a blocked write held the run
/// loop and rivet ran on.
#[test]
fn sigterm_ends_a_run_whose_output_pipe_is_full() {
    let kernel = raw_image(
        "chatty-kernel.bin",
        &[
            0x1000_02b7, // lui  t0, 0x10000 (the UART)
            0x0790_0313, // li   t1, 'y'
            0x0062_8023, // sb   t1, 0(t0)
            0xffdf_f06f, // j    the sb
        ],
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rivet"))
        .args(["-M", "virt", "-bios", "none", "-nographic", "-kernel"])
        .arg(&kernel)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Hold the pipe open without reading: it fills within milliseconds.
    let _unread = child.stdout.take();
    std::thread::sleep(Duration::from_secs(1));
    assert!(child.try_wait().unwrap().is_none(), "rivet ended early");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("rivet ignored SIGTERM for 10 s with its output pipe full");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("terminating on signal"), "{err}");
}
