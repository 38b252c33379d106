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
    fails_clearly(&["-bogus"], "unexpected argument");
    fails_clearly(
        &["-M", "sifive_u", "-kernel", "x"],
        "only the 'virt' machine",
    );
    fails_clearly(&["-m", "lots", "-kernel", "x"], "-m lots: not a size");
    fails_clearly(
        &["-smp", "9", "-bios", "none", "-kernel", "/dev/null"],
        "-smp 9",
    );
    fails_clearly(&["-smp", "two", "-kernel", "x"], "not a number of harts");
    fails_clearly(
        &["-drive", "file=x.img,format=qcow2", "-kernel", "x"],
        "format=qcow2 is not supported",
    );
    fails_clearly(&["-device", "e1000", "-kernel", "x"], "unknown device");
    fails_clearly(&["-icount", "shift=99", "-kernel", "x"], "-icount shift=99");
    fails_clearly(&["-bios", "none"], "-bios none needs -kernel");
    fails_clearly(&[], "nothing to run");
}

#[test]
fn bad_disk_images() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let kernel = dir.join("disk-test-kernel.bin");
    std::fs::write(&kernel, [0x6f, 0, 0, 0]).unwrap();
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
