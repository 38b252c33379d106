//! Disks across the life of a rivet process: what a guest writes outlives
//! a reset of the machine, and a snapshot disk needs its overlay file;
//! qcow2 images, their backing chains, `-snapshot`, flushes and kills,
//! checked with `qemu-img` (Debian package qemu-utils; the qcow2 tests say
//! so and pass without it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::guest::Guest;
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
    run_reset_rom_as(image, ",format=raw", flags)
}

/// Runs test-roms' virtio-blk-reset on `image` with the extra `-drive`
/// options `format` (e.g. `,format=qcow2`, or none to probe) and flags.
fn run_reset_rom_as(image: &std::path::Path, format: &str, flags: &[&str]) -> Run {
    let elf = test_roms().join("virtio-blk-reset.elf");
    let drive = format!("file={}{format},if=none,id=hd0", image.display());
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

/// Whether `qemu-img` runs; says so when it does not.
fn have_qemu_img(test: &str) -> bool {
    let found = Command::new("qemu-img")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("{test} skipped: qemu-img is not installed (Debian package qemu-utils)");
    }
    found
}

/// Runs `qemu-img args` in `dir`: its exit code and standard output.
fn qemu_img(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new("qemu-img")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run qemu-img");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("disk-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The guest of virtio-blk-reset on a new qcow2 image (attached with
/// if=none and -device) and on a raw image: it passes on both, the qcow2
/// file passes `qemu-img check`, and `qemu-img compare` finds the two
/// disks identical after the clean power-off.
#[test]
fn qcow2_guest_writes_equal_a_raw_image_written_the_same_way() {
    if !have_qemu_img("qcow2_guest_writes_equal_a_raw_image_written_the_same_way") {
        return;
    }
    let dir = scratch("qcow2-vs-raw");
    assert_eq!(
        qemu_img(&dir, &["create", "-q", "-f", "qcow2", "d.qcow2", "64K"]).0,
        Some(0)
    );
    std::fs::write(dir.join("d.raw"), vec![0u8; 64 << 10]).unwrap();
    for (file, format) in [("d.qcow2", ",format=qcow2"), ("d.raw", ",format=raw")] {
        let run = run_reset_rom_as(&dir.join(file), format, &[]);
        assert_eq!(run.code, Some(0), "{file}: {run:?}");
        assert!(
            run.stdout
                .contains("sector 1 kept what the first boot wrote"),
            "{run:?}"
        );
    }
    let (code, check) = qemu_img(&dir, &["check", "d.qcow2"]);
    assert_eq!(code, Some(0), "{check}");
    assert!(check.contains("No errors were found"), "{check}");
    let (code, compare) = qemu_img(
        &dir,
        &["compare", "-f", "qcow2", "-F", "raw", "d.qcow2", "d.raw"],
    );
    assert_eq!(code, Some(0), "{compare}");
    assert!(compare.contains("Images are identical"), "{compare}");
    assert_eq!(
        std::fs::read(dir.join("d.raw")).unwrap()[512..520],
        *b"ko_tevir"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `-hda FILE` is QEMU's disk on the board's default interface (virtio on
/// virt): the guest finds it, writes sector 1 and reads it back after its
/// reset, and the write is in the file. The file's name holds a comma,
/// which `-hda` takes as it is and `-drive` only doubled (`file=a,,b`), as
/// in QEMU; the format is probed, with QEMU's warning.
#[test]
fn hda_is_a_virtio_disk_and_commas_in_names_survive() {
    let dir = scratch("hda");
    let path = dir.join("with,comma.img");
    std::fs::write(&path, vec![0u8; 64 << 10]).unwrap();
    let elf = test_roms().join("virtio-blk-reset.elf");
    let base = [
        "-M",
        "virt",
        "-bios",
        "none",
        "-nographic",
        "-kernel",
        elf.to_str().unwrap(),
        "--max-instructions",
        "5000000",
    ];
    let doubled = format!(
        "file={},format=raw,if=virtio",
        path.display().to_string().replace(',', ",,")
    );
    let hda = path.to_str().unwrap().to_string();
    for extra in [["-hda", hda.as_str()], ["-drive", doubled.as_str()]] {
        std::fs::write(&path, vec![0u8; 64 << 10]).unwrap();
        let args: Vec<&str> = base.iter().copied().chain(extra).collect();
        let run = run_rivet(&args, b"", Duration::from_secs(120));
        assert_eq!(run.code, Some(0), "{extra:?}: {run:?}");
        assert!(
            run.stdout
                .contains("sector 1 kept what the first boot wrote"),
            "{extra:?}: {run:?}"
        );
        let written = std::fs::read(&path).unwrap();
        assert!(
            written[512..1024].iter().any(|&b| b != 0),
            "{extra:?}: sector 1 not written"
        );
        if extra[0] == "-hda" {
            assert!(run.stderr.contains("probing guessed raw"), "{}", run.stderr);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A qcow2 overlay (no format=, so probed; if=virtio) whose backing file
/// is a qcow2 image in the same directory whose backing file is a raw
/// image one directory up, both named relatively: rivet resolves them from
/// the directory of the image that names them, as QEMU does, not from its
/// working directory. The raw base holds the guest's magic in sector 1, so
/// the guest finds it at its first boot through two layers, and no layer is
/// written. A qcow2 image gets no probing warning.
#[test]
fn a_guest_reads_through_a_relative_backing_chain() {
    if !have_qemu_img("a_guest_reads_through_a_relative_backing_chain") {
        return;
    }
    let dir = scratch("chain");
    let layers = dir.join("layers");
    std::fs::create_dir(&layers).unwrap();
    let mut base = vec![0u8; 64 << 10];
    base[512..1024].copy_from_slice(&b"ko_tevir".repeat(64));
    std::fs::write(dir.join("base.raw"), &base).unwrap();
    for args in [
        [
            "create",
            "-q",
            "-f",
            "qcow2",
            "-b",
            "../base.raw",
            "-F",
            "raw",
            "mid.qcow2",
        ],
        [
            "create",
            "-q",
            "-f",
            "qcow2",
            "-b",
            "mid.qcow2",
            "-F",
            "qcow2",
            "top.qcow2",
        ],
    ] {
        assert_eq!(qemu_img(&layers, &args).0, Some(0));
    }
    let mid = std::fs::read(layers.join("mid.qcow2")).unwrap();
    let top = std::fs::read(layers.join("top.qcow2")).unwrap();
    let elf = test_roms().join("virtio-blk-reset.elf");
    let drive = format!("file={},if=virtio", layers.join("top.qcow2").display());
    let run = run_rivet(
        &[
            "-M",
            "virt",
            "-bios",
            "none",
            "-nographic",
            "-kernel",
            elf.to_str().unwrap(),
        ]
        .into_iter()
        .chain(["-drive", &drive, "--max-instructions", "5000000"])
        .collect::<Vec<_>>(),
        b"",
        Duration::from_secs(120),
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout
            .contains("sector 1 kept what the first boot wrote"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("resetting"), "{run:?}");
    assert!(!run.stderr.contains("WARNING"), "{}", run.stderr);
    assert_eq!(std::fs::read(dir.join("base.raw")).unwrap(), base);
    assert_eq!(std::fs::read(layers.join("mid.qcow2")).unwrap(), mid);
    assert_eq!(std::fs::read(layers.join("top.qcow2")).unwrap(), top);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `-snapshot` over a qcow2 image: the guest's write outlives its reset
/// (it lives in rivet's overlay), and the image keeps every byte and its
/// modification time.
#[test]
fn snapshot_over_qcow2_leaves_the_image_untouched() {
    if !have_qemu_img("snapshot_over_qcow2_leaves_the_image_untouched") {
        return;
    }
    let dir = scratch("qcow2-snapshot");
    assert_eq!(
        qemu_img(&dir, &["create", "-q", "-f", "qcow2", "d.qcow2", "64K"]).0,
        Some(0)
    );
    let path = dir.join("d.qcow2");
    let before = std::fs::read(&path).unwrap();
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let run = run_reset_rom_as(&path, ",format=qcow2", &["-snapshot"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout
            .contains("sector 1 written; resetting\nsector 1 kept what the first boot wrote\n"),
        "{}",
        run.stdout
    );
    assert!(
        std::fs::read(&path).unwrap() == before,
        "-snapshot wrote the image"
    );
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// test-roms' virtio-blk-flush writes sixteen sectors in sixteen new
/// clusters, flushes, says "flushed" and writes on without flushing;
/// rivet is killed (SIGKILL) mid-write. The image then holds the flushed
/// sectors (`qemu-img convert`), and `qemu-img check` finds no corruption:
/// at most leaked clusters (exit 3), never errors (exit 2). Without the
/// flush reaching imago's metadata caches the sectors are lost and the
/// check finds an L2 table with refcount 0 (tried by hand).
#[test]
fn a_kill_after_a_guest_flush_leaves_a_consistent_qcow2_image() {
    if !have_qemu_img("a_kill_after_a_guest_flush_leaves_a_consistent_qcow2_image") {
        return;
    }
    let check = flush_then_signal("qcow2-kill", "KILL", None);
    assert!(!check.contains("ERROR"), "{check}");
}

/// The same guest ended by SIGTERM: rivet flushes the disk on its way
/// out, so `qemu-img check` finds the image clean, not even a leak, with
/// the flushed sectors in place.
#[test]
fn a_terminated_guest_leaves_a_clean_qcow2_image() {
    if !have_qemu_img("a_terminated_guest_leaves_a_clean_qcow2_image") {
        return;
    }
    let check = flush_then_signal("qcow2-term", "TERM", Some(0));
    assert!(check.contains("No errors were found"), "{check}");
}

/// Runs virtio-blk-flush on a new 8 MiB qcow2 image, sends `signal` to
/// rivet a little after the guest's flush, and checks what the kill test
/// describes (exit code `exit` from rivet, None for a kill). Returns what
/// `qemu-img check` said.
fn flush_then_signal(name: &str, signal: &str, exit: Option<i32>) -> String {
    let dir = scratch(name);
    assert_eq!(
        qemu_img(&dir, &["create", "-q", "-f", "qcow2", "d.qcow2", "8M"]).0,
        Some(0)
    );
    let elf = test_roms().join("virtio-blk-flush.elf");
    let drive = format!(
        "file={},format=qcow2,if=virtio",
        dir.join("d.qcow2").display()
    );
    let mut guest = Guest::start(
        &[
            "-M",
            "virt",
            "-bios",
            "none",
            "-nographic",
            "-kernel",
            elf.to_str().unwrap(),
            "-drive",
            &drive,
        ]
        .map(String::from),
    );
    guest.expect("flushed\n", Duration::from_secs(60));
    // Let it write on for a while, then stop it mid-write.
    std::thread::sleep(Duration::from_millis(300));
    guest.signal(signal);
    let code = guest.wait_exit(Duration::from_secs(10));
    if exit.is_some() {
        assert_eq!(code, exit, "{}", guest.transcript());
    }
    let (code, check) = qemu_img(&dir, &["check", "d.qcow2"]);
    // 0: clean; 3: leaked clusters only; 2 would be corruption.
    assert!(matches!(code, Some(0 | 3)), "{check}");
    assert!(exit.is_none() || code == Some(0), "{check}");
    assert_eq!(
        qemu_img(&dir, &["convert", "-O", "raw", "d.qcow2", "d.raw"]).0,
        Some(0)
    );
    let disk = std::fs::read(dir.join("d.raw")).unwrap();
    for k in 0..16u64 {
        // PATTERN(k) of the ROM, little-endian, in every word.
        let word = 0x0000_6873_756c_6600_u64 | (k << 56) | 0x2a;
        let at = usize::try_from((k * 128 + 1) * 512).unwrap();
        assert!(
            disk[at..at + 512]
                .chunks(8)
                .all(|w| w == word.to_le_bytes()),
            "flushed sector {} lost",
            k * 128 + 1
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
    check
}

/// Malformed qcow2 images on the command line: one line naming the image
/// and the fault, exit code 1, no panic, the file unchanged.
#[test]
fn malformed_qcow2_images_fail_clearly() {
    if !have_qemu_img("malformed_qcow2_images_fail_clearly") {
        return;
    }
    let dir = scratch("qcow2-malformed");
    assert_eq!(
        qemu_img(&dir, &["create", "-q", "-f", "qcow2", "good.qcow2", "1M"]).0,
        Some(0)
    );
    let good = std::fs::read(dir.join("good.qcow2")).unwrap();
    let mut l1_past_eof = good.clone();
    l1_past_eof[40..48].copy_from_slice(&(1u64 << 40).to_be_bytes());
    assert_eq!(
        qemu_img(
            &dir,
            &[
                "create",
                "-q",
                "-f",
                "qcow2",
                "-u",
                "-b",
                "gone.raw",
                "-F",
                "raw",
                "orphan.qcow2",
                "1M"
            ]
        )
        .0,
        Some(0)
    );
    let orphan = std::fs::read(dir.join("orphan.qcow2")).unwrap();
    for (name, bytes, fragment) in [
        (
            "truncated.qcow2",
            good[..50].to_vec(),
            "qcow2 header too short",
        ),
        ("l1.qcow2", l1_past_eof, "the L1 table"),
        (
            "orphan.qcow2",
            orphan,
            "gone.raw: No such file or directory",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).unwrap();
        let drive = format!("file={},format=qcow2,if=virtio", path.display());
        let run = run_rivet(
            &[
                "-M",
                "virt",
                "-bios",
                "none",
                "-nographic",
                "-kernel",
                test_roms().join("virtio-blk-reset.elf").to_str().unwrap(),
                "-drive",
                &drive,
            ],
            b"",
            Duration::from_secs(30),
        );
        assert_eq!(run.code, Some(1), "{name}: {run:?}");
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        let message = run.stderr.trim();
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(
            message.contains(fragment) && message.contains(name),
            "{message}"
        );
        assert!(std::fs::read(&path).unwrap() == bytes, "{name} was written");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A raw image without format=: rivet prints QEMU 7.2's three-line
/// warning word for word (checked against QEMU's own when it is
/// installed) and runs the guest, which may write the image. Like QEMU,
/// it says nothing for a read-only or snapshot drive, which cannot write
/// the image.
#[test]
fn a_probed_raw_image_warns_as_qemu_does() {
    let path = image("probed");
    let run = run_reset_rom_as(&path, "", &[]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let warning = format!(
        "WARNING: Image format was not specified for '{}' and probing guessed raw.\n         \
         Automatically detecting the format is dangerous for raw images, write operations on \
         block 0 will be restricted.\n         \
         Specify the 'raw' format explicitly to remove the restrictions.\n",
        path.display()
    );
    assert!(run.stderr.contains(&warning), "{}", run.stderr);
    assert_eq!(std::fs::read(&path).unwrap()[512..520], *b"ko_tevir");
    for (options, flags) in [(",readonly=on", &[][..]), ("", &["-snapshot"][..])] {
        let run = run_reset_rom_as(&path, options, flags);
        assert!(!run.timed_out, "{run:?}");
        assert!(
            !run.stderr.contains("WARNING"),
            "{options}{flags:?}: {}",
            run.stderr
        );
    }
    if Command::new("qemu-system-riscv64")
        .arg("--version")
        .output()
        .is_ok()
    {
        // QEMU warns while it opens the drive, then waits (-S) until cut off.
        let mut qemu = Command::new("qemu-system-riscv64");
        qemu.args([
            "-M", "virt", "-display", "none", "-bios", "none", "-S", "-monitor", "none",
        ])
        .args(["-serial", "none", "-drive"])
        .arg(format!("file={},if=virtio", path.display()));
        let run = common::run_command(qemu, b"", Duration::from_secs(3));
        assert!(
            run.stderr.starts_with(&warning),
            "QEMU said: {}",
            run.stderr
        );
    }
    std::fs::remove_file(&path).unwrap();
}
