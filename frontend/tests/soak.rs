//! A soak: Linux on two harts churns files on an ext4 disk, two writers
//! at once, printing each file's checksum on the console once `sync` has
//! returned; rivet is killed at a random moment by SIGTERM, SIGINT or
//! SIGKILL, round after round on the same image. After each kill:
//!
//! - the image, once its journal is replayed (what the next mount does:
//!   `e2fsck -E journal_only` on a copy), passes `e2fsck -fn`;
//! - every file the guest reported synced (and could not yet have
//!   removed) has the checksum it printed, read back with debugfs;
//! - a SIGTERM or SIGINT ends rivet cleanly (status 0) within seconds.
//!
//! The next round boots on the image as the kill left it, so the guest's
//! own journal recovery is exercised too. The test command runs three
//! rounds, one per signal; `RIVET_SOAK_ROUNDS=N` runs more, and
//! `RIVET_SOAK_SEED=S` repeats a run's kill times.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::guest::{images, Guest, PROMPT};

const BOOT: Duration = Duration::from_secs(180);
const STEP: Duration = Duration::from_secs(60);

/// Each writer keeps its last `KEEP` files, removing older ones.
const KEEP: u64 = 16;

/// A small xorshift generator: the kill times, reproducible from the seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn run(command: &mut Command) -> (bool, String) {
    let out = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {command:?} (Debian package e2fsprogs): {e}"));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// A fresh 64 MiB ext4 image (with a journal).
fn make_ext4(path: &Path) {
    let _ = std::fs::remove_file(path);
    let (ok, text) = run(Command::new("mke2fs")
        .args(["-q", "-F", "-t", "ext4", "-L", "soak"])
        .arg(path)
        .arg("64M"));
    assert!(ok, "mke2fs: {text}");
}

/// The MD5 of `bytes`, by the host's md5sum.
fn md5(bytes: &[u8]) -> String {
    let mut child = Command::new("md5sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run md5sum");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The checks after a kill, on a copy of `image` whose journal has been
/// replayed: a clean `e2fsck -fn`, and every file in `synced` (path ->
/// MD5) as the guest left it.
fn check_image(image: &Path, synced: &BTreeMap<String, String>, round: u64) {
    let copy = PathBuf::from(format!("{}.check", image.display()));
    std::fs::copy(image, &copy).unwrap();
    let (_, replay) = run(Command::new("e2fsck")
        .args(["-E", "journal_only", "-y"])
        .arg(&copy));
    let (clean, fsck) = run(Command::new("e2fsck").args(["-fn"]).arg(&copy));
    assert!(
        clean,
        "round {round}: e2fsck -fn found problems after the kill:\n{replay}\n{fsck}"
    );
    for (file, sum) in synced {
        let out = Command::new("debugfs")
            .args(["-R", &format!("cat {file}")])
            .arg(&copy)
            .stderr(Stdio::null())
            .output()
            .expect("run debugfs");
        assert_eq!(
            &md5(&out.stdout),
            sum,
            "round {round}: {file}, synced by the guest, lost its contents"
        );
    }
    let _ = std::fs::remove_file(&copy);
}

/// The files the guest reported synced in round `round` and cannot have
/// removed since: `SYNCED <writer> <i> <md5>` lines, the last `KEEP - 1`
/// of each writer (its next iteration removes the one `KEEP` back).
fn synced_files(transcript: &str, round: u64) -> BTreeMap<String, String> {
    let mut last: BTreeMap<&str, u64> = BTreeMap::new();
    let mut sums = BTreeMap::new();
    for line in transcript.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [tag, writer, i, sum, ..] = words[..] else {
            continue;
        };
        let Ok(i) = i.parse::<u64>() else { continue };
        let valid_sum = sum.len() == 32 && sum.bytes().all(|b| b.is_ascii_hexdigit());
        if tag != "SYNCED" || !["a", "b"].contains(&writer) || !valid_sum {
            continue;
        }
        let newest = last.entry(writer).or_insert(0);
        *newest = (*newest).max(i);
        sums.insert((writer, i), sum.to_string());
    }
    sums.into_iter()
        .filter(|((writer, i), _)| i + KEEP - 1 > last[writer])
        .map(|((writer, i), sum)| (format!("/r{round}/{writer}/{i}"), sum))
        .collect()
}

/// Two writers, each in a loop: a new file of 1 to 64 KiB from
/// /dev/urandom, the one `KEEP` back removed, a shared file rewritten in
/// place, `sync`, then the new file's checksum on the console.
fn workload(round: u64) -> String {
    format!(
        "rm -rf /mnt/r{prev}; mkdir -p /mnt/r{round}/a /mnt/r{round}/b; \
         for w in a b; do ( i=0; while :; do i=$((i+1)); d=/mnt/r{round}/$w; \
         dd if=/dev/urandom of=$d/$i bs=1k count=$((i%64+1)) 2>/dev/null; \
         rm -f $d/$((i-{KEEP})); \
         dd if=/dev/urandom of=/mnt/churn bs=4k count=16 conv=notrunc 2>/dev/null; \
         sync; echo \"SYNCED $w $i $(md5sum < $d/$i)\"; done ) & done",
        prev = round.saturating_sub(1),
    )
}

#[test]
fn linux_disk_survives_kills_at_random_points() {
    let rounds = env_number("RIVET_SOAK_ROUNDS").unwrap_or(3);
    let seed = env_number("RIVET_SOAK_SEED").unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_secs() ^ u64::from(d.subsec_nanos()) << 32)
            | 1
    });
    eprintln!("soak: {rounds} rounds, RIVET_SOAK_SEED={seed}");
    let mut random = Random(seed);
    let image = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("soak.ext4");
    make_ext4(&image);
    let dir = images();
    let mut files_checked = 0;
    for round in 1..=rounds {
        let signal = ["TERM", "INT", "KILL"][((round - 1) % 3) as usize];
        let args: Vec<String> = [
            "-M",
            "virt",
            "-smp",
            "2",
            "-m",
            "256M",
            "-nographic",
            "-bios",
            "default",
            "-append",
            "console=ttyS0",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([
            "-kernel".into(),
            dir.join("Image").display().to_string(),
            "-initrd".into(),
            dir.join("initramfs.cpio.gz").display().to_string(),
            "-drive".into(),
            format!("file={},format=raw,if=none,id=hd0", image.display()),
            "-device".into(),
            "virtio-blk-device,drive=hd0".into(),
        ])
        .collect();
        let mut guest = Guest::start(&args);
        guest.expect("rivet: /dev/vda mounted on /mnt", BOOT);
        guest.expect("rivet: shell ready", BOOT);
        guest.expect(PROMPT, STEP);
        guest.send(&workload(round));
        guest.expect("SYNCED a", STEP);
        guest.expect("SYNCED b", STEP);
        let wait = Duration::from_millis(500 + random.next() % 3500);
        std::thread::sleep(wait);
        guest.signal(signal);
        let code = guest.wait_exit(Duration::from_secs(10));
        let transcript = guest.transcript();
        match signal {
            "KILL" => assert_eq!(code, None, "round {round}: rivet survived SIGKILL"),
            _ => {
                assert_eq!(
                    code,
                    Some(0),
                    "round {round}: SIGTERM or SIGINT exit status\n{transcript}"
                );
                assert!(
                    transcript.contains("terminating on signal"),
                    "round {round}: {transcript}"
                );
            }
        }
        let synced = synced_files(&transcript, round);
        assert!(
            synced.len() >= 2,
            "round {round}: too few synced files to check:\n{transcript}"
        );
        check_image(&image, &synced, round);
        files_checked += synced.len();
        eprintln!(
            "soak round {round}: SIG{signal} after {wait:?} of workload; \
             e2fsck clean, {} synced files intact",
            synced.len()
        );
    }
    eprintln!("soak: {rounds} rounds, {files_checked} files checked");
    let _ = std::fs::remove_file(&image);
}
