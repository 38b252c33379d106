//! qcow2 disks: what the guest writes lands in the image as `qemu-img`
//! reads it, backing chains are read through and never written, locks
//! are QEMU's, and a malformed image is refused without being touched.
//! The images are made, checked and compared with `qemu-img` (QEMU 7.2,
//! Debian package qemu-utils); without it those tests say so and pass.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rivet_devices::virtio::disk::format::{probe_path, Probed};
use rivet_devices::virtio::{Disk, DiskError, DiskFormat, DiskMode};

/// Whether `tool` (a qemu-utils program) runs; says so when it does not.
fn have(tool: &str, test: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        eprintln!("{test} skipped: {tool} is not installed (Debian package qemu-utils)");
    }
    found
}

/// Runs a qemu-utils program in `dir`.
fn run(tool: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(tool)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
}

/// Runs `qemu-img` in `dir` and insists that it succeeds.
fn qemu_img(dir: &Path, args: &[&str]) -> String {
    let out = run("qemu-img", dir, args);
    assert!(
        out.status.success(),
        "qemu-img {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh scratch directory for one test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("qcow2-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// 512 bytes of `byte`, with `tag` at the start.
fn sector(byte: u8, tag: &[u8]) -> Vec<u8> {
    let mut s = vec![byte; 512];
    s[..tag.len()].copy_from_slice(tag);
    s
}

/// The writes the disk tests make: runs that start inside, cross and end
/// on 64 KiB cluster boundaries, a long run, and the last sector.
fn writes(sectors: u64) -> Vec<(u64, Vec<u8>)> {
    let run = |first: u64, count: u64, byte: u8| {
        let data: Vec<u8> = (0..count)
            .flat_map(|i| sector(byte, format!("sector {}", first + i).as_bytes()))
            .collect();
        (first, data)
    };
    vec![
        run(0, 1, 0x11),
        run(1, 3, 0x22),
        run(126, 4, 0x33),
        run(1000, 300, 0x44),
        run(sectors - 1, 1, 0x55),
        run(2, 1, 0x66),
    ]
}

/// A guest writing through rivet to a new qcow2 image and to a raw image
/// the same way: both read back what was written, `qemu-img check` finds
/// nothing wrong with the qcow2 file, and `qemu-img compare` calls the
/// two disks identical.
#[test]
fn writes_to_qcow2_read_back_as_qemu_img_reads_them() {
    if !have(
        "qemu-img",
        "writes_to_qcow2_read_back_as_qemu_img_reads_them",
    ) {
        return;
    }
    let dir = Scratch::new("writes");
    qemu_img(&dir.0, &["create", "-q", "-f", "qcow2", "d.qcow2", "4M"]);
    std::fs::write(dir.path("d.raw"), vec![0u8; 4 << 20]).unwrap();
    let mut qcow2 = Disk::open_format(
        &dir.path("d.qcow2"),
        DiskMode::ReadWrite,
        Some(DiskFormat::Qcow2),
    )
    .unwrap();
    let mut raw = Disk::open(&dir.path("d.raw"), DiskMode::ReadWrite).unwrap();
    assert_eq!(qcow2.format(), DiskFormat::Qcow2);
    assert_eq!(qcow2.sectors(), 8192);
    for (first, data) in writes(8192) {
        qcow2.write_sectors(first, &data).unwrap();
        raw.write_sectors(first, &data).unwrap();
    }
    qcow2.flush().unwrap();
    // What the disk should hold: the writes in order, zeros elsewhere.
    let mut expected = vec![0u8; 4 << 20];
    for (first, data) in writes(8192) {
        let at = usize::try_from(first).unwrap() * 512;
        expected[at..at + data.len()].copy_from_slice(&data);
    }
    let mut back = vec![0xa5; 4 << 20];
    qcow2.read_sectors(0, &mut back).unwrap();
    assert!(
        back == expected,
        "the qcow2 disk reads back what was written"
    );
    drop((qcow2, raw));
    let check = qemu_img(&dir.0, &["check", "d.qcow2"]);
    assert!(check.contains("No errors were found"), "{check}");
    let compare = qemu_img(
        &dir.0,
        &["compare", "-f", "qcow2", "-F", "raw", "d.qcow2", "d.raw"],
    );
    assert!(compare.contains("Images are identical"), "{compare}");
}

/// A qcow2 overlay on a qcow2 image on a raw image, named by relative
/// paths that QEMU resolves from the directory of the image that names
/// them (not from the working directory): reads see each layer's data,
/// writes go to the top image only, the backing files keep every byte,
/// and the top converts to the expected disk. A snapshot disk on the same
/// chain writes nothing at all.
#[test]
fn a_backing_chain_is_read_through_and_never_written() {
    if !have(
        "qemu-img",
        "a_backing_chain_is_read_through_and_never_written",
    ) || !have(
        "qemu-io",
        "a_backing_chain_is_read_through_and_never_written",
    ) {
        return;
    }
    let dir = Scratch::new("chain");
    std::fs::create_dir(dir.path("layers")).unwrap();
    // Each sector holds its number modulo 256.
    let mut expected: Vec<u8> = (0..2u32 << 20)
        .map(|i| (i / 512).to_le_bytes()[0])
        .collect();
    std::fs::write(dir.path("base.raw"), &expected).unwrap();
    let layers = dir.path("layers");
    qemu_img(
        &layers,
        &[
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
    );
    let io = run(
        "qemu-io",
        &layers,
        &["-c", "write -P 0x33 64k 4k", "mid.qcow2"],
    );
    assert!(io.status.success(), "{io:?}");
    expected[64 << 10..68 << 10].fill(0x33);
    qemu_img(
        &layers,
        &[
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
    );
    let untouched = |name: &str| std::fs::read(layers.join(name)).unwrap();
    let (base0, mid0) = (
        std::fs::read(dir.path("base.raw")).unwrap(),
        untouched("mid.qcow2"),
    );
    let top = layers.join("top.qcow2");
    assert_eq!(probe_path(&top).unwrap(), Probed::Format(DiskFormat::Qcow2));

    let mut disk = Disk::open_format(&top, DiskMode::ReadWrite, None).unwrap();
    assert_eq!(disk.format(), DiskFormat::Qcow2);
    assert_eq!(disk.sectors(), 4096);
    let mut all = vec![0u8; 2 << 20];
    disk.read_sectors(0, &mut all).unwrap();
    assert!(all == expected, "the chain reads as base + mid");
    let new = sector(0x77, b"top");
    disk.write_sectors(129, &new).unwrap();
    expected[129 * 512..130 * 512].copy_from_slice(&new);
    disk.flush().unwrap();
    drop(disk);
    assert!(
        std::fs::read(dir.path("base.raw")).unwrap() == base0,
        "base.raw written"
    );
    assert!(untouched("mid.qcow2") == mid0, "mid.qcow2 written");
    let check = qemu_img(&layers, &["check", "top.qcow2"]);
    assert!(check.contains("No errors were found"), "{check}");
    qemu_img(
        &dir.0,
        &["convert", "-O", "raw", "layers/top.qcow2", "out.raw"],
    );
    assert!(std::fs::read(dir.path("out.raw")).unwrap() == expected);

    let top0 = untouched("top.qcow2");
    let mut snapshot =
        Disk::open_format(&top, DiskMode::Snapshot, Some(DiskFormat::Qcow2)).unwrap();
    snapshot.write_sectors(0, &sector(0x99, b"snap")).unwrap();
    let mut back = vec![0u8; 512];
    snapshot.read_sectors(0, &mut back).unwrap();
    assert_eq!(back, sector(0x99, b"snap"));
    snapshot.flush().unwrap();
    drop(snapshot);
    assert!(untouched("top.qcow2") == top0, "-snapshot wrote top.qcow2");
}

/// A raw image found by probing: QEMU 7.2 refuses a guest write that
/// would give it a first sector of another format (it would be opened as
/// that format next time); given format=raw, or as a snapshot disk whose
/// writes go to the overlay, the write is allowed.
#[test]
fn a_probed_raw_image_keeps_a_raw_first_sector() {
    let dir = Scratch::new("probed");
    let path = dir.path("d.img");
    std::fs::write(&path, vec![0u8; 64 << 10]).unwrap();
    let qcow2_header = sector(0, b"QFI\xfb\0\0\0\x03");
    let vmdk = sector(0, b"KDMV");
    let mut disk = Disk::open_format(&path, DiskMode::ReadWrite, None).unwrap();
    assert_eq!(disk.format(), DiskFormat::Raw);
    for (data, format) in [(&qcow2_header, "qcow2"), (&vmdk, "vmdk")] {
        match disk.write_sectors(0, data) {
            Err(e @ DiskError::ProbedRawBlock0 { .. }) => {
                let message = e.to_string();
                assert!(
                    message.contains(format) && message.contains("format=raw"),
                    "{message}"
                );
            }
            other => panic!("{format} header written: {other:?}"),
        }
    }
    // Other sectors, and a first sector that is still raw, are fine.
    disk.write_sectors(1, &qcow2_header).unwrap();
    disk.write_sectors(0, &sector(0x11, b"raw")).unwrap();
    drop(disk);
    assert_eq!(std::fs::read(&path).unwrap()[..3], *b"raw");
    let mut given = Disk::open(&path, DiskMode::ReadWrite).unwrap();
    given.write_sectors(0, &vmdk).unwrap();
    drop(given);
    // Now it probes as vmdk, which rivet does not read.
    match Disk::open_format(&path, DiskMode::ReadOnly, None) {
        Err(e @ DiskError::UnsupportedFormat { format: "vmdk", .. }) => {
            assert!(e.to_string().contains("qemu-img convert"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    std::fs::write(&path, vec![0u8; 64 << 10]).unwrap();
    let mut snapshot = Disk::open_format(&path, DiskMode::Snapshot, None).unwrap();
    snapshot.write_sectors(0, &qcow2_header).unwrap();
}

/// Malformed images, each refused when opened (read-write, the mode that
/// could write), with a message that names the image and the fault, and
/// left byte for byte as they were. QEMU 7.2 refuses the truncated
/// header, the bad magic, the encrypted image, the missing backing file
/// and (qemu-img) the loop too; it opens the image whose L1 table lies
/// past the end of the file or whose refcount table overlaps the header,
/// and fails or marks the image corrupt when the guest gets there, which
/// rivet does not wait for.
#[test]
fn malformed_qcow2_images_are_refused_untouched() {
    if !have("qemu-img", "malformed_qcow2_images_are_refused_untouched") {
        return;
    }
    let dir = Scratch::new("malformed");
    qemu_img(&dir.0, &["create", "-q", "-f", "qcow2", "good.qcow2", "1M"]);
    let good = std::fs::read(dir.path("good.qcow2")).unwrap();
    let patched = |at: usize, bytes: &[u8]| {
        let mut image = good.clone();
        image[at..at + bytes.len()].copy_from_slice(bytes);
        image
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", good[..50].to_vec(), "qcow2 header too short"),
        (
            "bad-magic",
            patched(0, b"QFI\0"),
            "Image is not in qcow2 format",
        ),
        (
            "version-9",
            patched(4, &[0, 0, 0, 9]),
            "qcow2 version 9 is not supported",
        ),
        (
            "l1-past-eof",
            patched(40, &(1u64 << 40).to_be_bytes()),
            "the L1 table",
        ),
        (
            "refcounts-on-header",
            patched(48, &0u64.to_be_bytes()),
            "the refcount table",
        ),
        (
            "encrypted",
            patched(32, &[0, 0, 0, 1]),
            "encrypted (AES-CBC)",
        ),
        (
            "cluster-bits",
            patched(20, &[0, 0, 0, 30]),
            "cluster size 2^30",
        ),
        ("dirty", patched(79, &[1]), "dirty"),
    ];
    for (name, bytes, fragment) in &cases {
        let path = dir.path(&format!("{name}.qcow2"));
        std::fs::write(&path, bytes).unwrap();
        // Without format=, a bad magic is a raw image.
        let formats: &[Option<DiskFormat>] = if *name == "bad-magic" {
            &[Some(DiskFormat::Qcow2)]
        } else {
            &[Some(DiskFormat::Qcow2), None]
        };
        for &format in formats {
            let error = Disk::open_format(&path, DiskMode::ReadWrite, format)
                .map(|_| ())
                .expect_err(name);
            let message = error.to_string();
            assert!(
                message.contains(fragment) && message.contains(&path.display().to_string()),
                "{name}: {message}"
            );
        }
        assert!(
            std::fs::read(&path).unwrap() == *bytes,
            "{name} was written"
        );
    }
    // Backing files: a loop, and one that is missing.
    for (image, backing) in [
        ("loop-a.qcow2", "loop-b.qcow2"),
        ("loop-b.qcow2", "loop-a.qcow2"),
    ] {
        qemu_img(
            &dir.0,
            &[
                "create", "-q", "-f", "qcow2", "-u", "-b", backing, "-F", "qcow2", image, "1M",
            ],
        );
    }
    qemu_img(
        &dir.0,
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
            "1M",
        ],
    );
    for (name, fragment) in [
        ("loop-a.qcow2", "the backing file chain loops"),
        ("orphan.qcow2", "gone.raw: No such file or directory"),
    ] {
        let path = dir.path(name);
        let before = std::fs::read(&path).unwrap();
        let error = Disk::open_format(&path, DiskMode::ReadWrite, Some(DiskFormat::Qcow2))
            .map(|_| ())
            .expect_err(name);
        assert!(error.to_string().contains(fragment), "{name}: {error}");
        assert!(
            std::fs::read(&path).unwrap() == before,
            "{name} was written"
        );
    }
    // format=qcow2 on a raw image.
    std::fs::write(dir.path("raw.img"), vec![0u8; 4096]).unwrap();
    let error = Disk::open_format(
        &dir.path("raw.img"),
        DiskMode::ReadWrite,
        Some(DiskFormat::Qcow2),
    )
    .map(|_| ())
    .unwrap_err();
    assert!(
        error.to_string().contains("Image is not in qcow2 format"),
        "{error}"
    );
}

/// The byte-range locks of the image and of its backing file, as
/// `/proc/locks` lists them for the files' inodes.
#[cfg(target_os = "linux")]
fn locked_bytes(path: &Path) -> Vec<u64> {
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(path).unwrap().ino();
    let locks = std::fs::read_to_string("/proc/locks").unwrap();
    // Lines read `N: OFDLCK ADVISORY READ -1 MAJ:MIN:INODE START END`; the
    // kernel merges one owner's adjacent bytes into one range.
    let mut bytes: Vec<u64> = locks
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let id = fields
                .iter()
                .position(|f| f.ends_with(&format!(":{inode}")))?;
            if fields.get(1) != Some(&"OFDLCK") {
                return None;
            }
            let start: u64 = fields.get(id + 1)?.parse().ok()?;
            let end: u64 = fields.get(id + 2)?.parse().ok()?;
            Some(start..=end)
        })
        .flatten()
        .collect();
    bytes.sort_unstable();
    bytes.dedup();
    bytes
}

/// rivet locks a qcow2 image and its backing file on the bytes QEMU 7.2
/// locks them (read from `/proc/locks` for both emulators on the same
/// files), and while rivet writes the overlay, neither QEMU (`qemu-io`)
/// nor another rivet may write the backing file.
#[cfg(target_os = "linux")]
#[test]
fn qcow2_and_backing_locks_are_qemus() {
    let test = "qcow2_and_backing_locks_are_qemus";
    if !have("qemu-img", test) || !have("qemu-io", test) || !have("qemu-system-riscv64", test) {
        return;
    }
    let dir = Scratch::new("locks");
    std::fs::write(dir.path("base.raw"), vec![0u8; 1 << 20]).unwrap();
    qemu_img(
        &dir.0,
        &[
            "create", "-q", "-f", "qcow2", "-b", "base.raw", "-F", "raw", "ov.qcow2",
        ],
    );
    let (ov, base) = (dir.path("ov.qcow2"), dir.path("base.raw"));
    let rivet = |mode| {
        let disk = Disk::open_format(&ov, mode, Some(DiskFormat::Qcow2)).unwrap();
        let bytes = (locked_bytes(&ov), locked_bytes(&base));
        drop(disk);
        bytes
    };
    let qemu = |options: &str| {
        let drive = format!("file={},format=qcow2,if=none,id=d{options}", ov.display());
        let mut child = Command::new("qemu-system-riscv64")
            .args(["-M", "virt", "-display", "none", "-bios", "none", "-S"])
            .args(["-monitor", "none", "-serial", "none"])
            .args(["-drive", &drive, "-device", "virtio-blk-device,drive=d"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The locks are taken when the drive is opened, before the machine
        // is built: wait until the image's appear.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while locked_bytes(&ov).len() < 3 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        let bytes = (locked_bytes(&ov), locked_bytes(&base));
        let _ = child.kill();
        let _ = child.wait();
        bytes
    };
    // Read-only and snapshot: 100, 201, 203 on both files, as QEMU.
    let qemu_ro = qemu(",readonly=on");
    assert_eq!(qemu_ro, (vec![100, 201, 203], vec![100, 201, 203]));
    assert_eq!(rivet(DiskMode::ReadOnly), qemu_ro);
    assert_eq!(rivet(DiskMode::Snapshot), qemu(",snapshot=on"));
    // Read-write: a qcow2 image also holds resize (103).
    let qemu_rw = qemu("");
    assert_eq!(
        qemu_rw,
        (vec![100, 101, 103, 201, 203], vec![100, 201, 203])
    );
    assert_eq!(rivet(DiskMode::ReadWrite), qemu_rw);

    let overlay = Disk::open_format(&ov, DiskMode::ReadWrite, Some(DiskFormat::Qcow2)).unwrap();
    let io = run(
        "qemu-io",
        &dir.0,
        &["-f", "raw", "-c", "write 0 512", "base.raw"],
    );
    let said = String::from_utf8_lossy(&io.stderr);
    assert!(
        !io.status.success() && said.contains("Failed to get \"write\" lock"),
        "{said}"
    );
    assert!(matches!(
        Disk::open(&base, DiskMode::ReadWrite),
        Err(DiskError::Locked { .. })
    ));
    // Readers share the backing file.
    Disk::open(&base, DiskMode::ReadOnly).unwrap();
    drop(overlay);
    Disk::open(&base, DiskMode::ReadWrite).unwrap();
}

/// An image with an internal snapshot (`qemu-img snapshot -c`, which
/// QEMU's `savevm` also makes; rivet makes none and refuses `-loadvm`):
/// rivet writes the active disk, whose clusters the snapshot shares, by
/// copying them, so the snapshot still holds its data when `qemu-img
/// snapshot -a` applies it, and `qemu-img check` finds the image clean.
#[test]
fn writes_leave_an_internal_snapshot_intact() {
    if !have("qemu-img", "writes_leave_an_internal_snapshot_intact")
        || !have("qemu-io", "writes_leave_an_internal_snapshot_intact")
    {
        return;
    }
    let dir = Scratch::new("internal-snapshot");
    qemu_img(&dir.0, &["create", "-q", "-f", "qcow2", "s.qcow2", "128K"]);
    let io = run(
        "qemu-io",
        &dir.0,
        &["-c", "write -P 0x41 0 128k", "s.qcow2"],
    );
    assert!(io.status.success(), "{io:?}");
    qemu_img(&dir.0, &["snapshot", "-c", "s1", "s.qcow2"]);
    let mut disk = Disk::open_format(
        &dir.path("s.qcow2"),
        DiskMode::ReadWrite,
        Some(DiskFormat::Qcow2),
    )
    .unwrap();
    disk.write_sectors(1, &sector(0x42, b"active")).unwrap();
    disk.write_sectors(200, &sector(0x43, b"active")).unwrap();
    drop(disk);
    let check = qemu_img(&dir.0, &["check", "s.qcow2"]);
    assert!(check.contains("No errors were found"), "{check}");
    qemu_img(&dir.0, &["convert", "-O", "raw", "s.qcow2", "active.raw"]);
    let active = std::fs::read(dir.path("active.raw")).unwrap();
    assert_eq!(active[512..1024], sector(0x42, b"active"));
    assert_eq!(active[200 * 512..201 * 512], sector(0x43, b"active"));
    qemu_img(&dir.0, &["snapshot", "-a", "s1", "s.qcow2"]);
    qemu_img(&dir.0, &["convert", "-O", "raw", "s.qcow2", "s1.raw"]);
    assert!(
        std::fs::read(dir.path("s1.raw")).unwrap() == vec![0x41; 128 << 10],
        "the snapshot lost its data"
    );
}

/// A compressed image (`qemu-img convert -c`): rivet reads the compressed
/// clusters, and a write into one makes an ordinary cluster of it (rivet
/// writes no compressed clusters); `qemu-img` then reads the expected disk
/// and finds the image clean.
#[test]
fn compressed_clusters_read_and_rewrite() {
    if !have("qemu-img", "compressed_clusters_read_and_rewrite") {
        return;
    }
    let dir = Scratch::new("compressed");
    let mut expected: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i / 512 % 7).to_le_bytes()[0] + b'a')
        .collect();
    std::fs::write(dir.path("plain.raw"), &expected).unwrap();
    qemu_img(
        &dir.0,
        &["convert", "-c", "-O", "qcow2", "plain.raw", "c.qcow2"],
    );
    let info = qemu_img(&dir.0, &["check", "c.qcow2"]);
    assert!(!info.contains(" 0.00% compressed"), "{info}");
    let mut disk = Disk::open_format(&dir.path("c.qcow2"), DiskMode::ReadWrite, None).unwrap();
    let mut all = vec![0u8; 1 << 20];
    disk.read_sectors(0, &mut all).unwrap();
    assert!(all == expected, "compressed clusters read back");
    let new = sector(0x5a, b"rewritten");
    disk.write_sectors(300, &new).unwrap();
    expected[300 * 512..301 * 512].copy_from_slice(&new);
    drop(disk);
    let check = qemu_img(&dir.0, &["check", "c.qcow2"]);
    assert!(check.contains("No errors were found"), "{check}");
    qemu_img(&dir.0, &["convert", "-O", "raw", "c.qcow2", "out.raw"]);
    assert!(std::fs::read(dir.path("out.raw")).unwrap() == expected);
}
