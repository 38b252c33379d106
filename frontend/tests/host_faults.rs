//! Faults at the host's end of the console: standard input closed, the
//! terminal hung up. The run goes on or ends with a clear message, and
//! never hangs or spins.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::run_rivet;

/// Writes the raw guest `words` (loaded at the start of RAM) to the
/// scratch directory as `name`.
fn raw_guest(name: &str, words: &[u32]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A guest that waits for an interrupt, with none enabled and no timer,
/// while standard input is closed: nothing can ever wake it, and rivet
/// says so and fails, instead of sleeping for ever.
#[test]
fn a_guest_waiting_for_closed_input_is_a_deadlock() {
    let kernel = raw_guest(
        "closed-input-wfi.bin",
        &[
            0x1050_0073, // wfi
            0xffdf_f06f, // j back to the wfi
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
            kernel.to_str().unwrap(),
        ],
        b"",
        Duration::from_secs(20),
    );
    assert!(!run.timed_out, "rivet slept for ever on closed input");
    assert!(
        run.code.is_some_and(|c| c != 0),
        "exit status {:?}: {}",
        run.code,
        run.stderr
    );
    assert!(run.stderr.contains("input has ended"), "{}", run.stderr);
}

/// rivet on a pseudo-terminal whose other end closes (the terminal hung
/// up) while the guest writes to the console: the kernel's SIGHUP ends
/// the run cleanly (status 0) at once, and neither the failing writes nor
/// the failing reads of the dead terminal keep it alive. The terminal is
/// driven by Python's pty module (Debian's python3).
#[test]
fn a_hung_up_terminal_ends_the_run() {
    let kernel = raw_guest(
        "hangup-chatty.bin",
        &[
            0x1000_02b7, // lui  t0, 0x10000 (the UART)
            0x0790_0313, // li   t1, 'y'
            0x0062_8023, // sb   t1, 0(t0)
            0xffdf_f06f, // j    the sb
        ],
    );
    let disk = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hangup-disk.img");
    std::fs::write(&disk, vec![0u8; 1 << 20]).unwrap();
    let script = r#"
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
seen = b""
deadline = time.time() + 30
while b"yyyy" not in seen and time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if ready:
        seen += os.read(fd, 4096)
if b"yyyy" not in seen:
    os.kill(pid, 9)
    print("the guest never wrote to the console:", seen[-200:])
    sys.exit(1)
os.close(fd)
hung_up = time.time()
while time.time() - hung_up < 10:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        print("exit", os.waitstatus_to_exitcode(status), "after", time.time() - hung_up)
        sys.exit(0)
    time.sleep(0.02)
os.kill(pid, 9)
print("still running 10 s after the hangup")
sys.exit(1)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_rivet"))
        .args(["-M", "virt", "-bios", "none", "-nographic", "-kernel"])
        .arg(&kernel)
        .arg("-drive")
        .arg(format!("file={},format=raw,if=virtio", disk.display()))
        .output()
        .expect("run python3");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    let mut words = said.split_whitespace();
    assert_eq!(words.next(), Some("exit"), "{said}");
    assert_eq!(
        words.next(),
        Some("0"),
        "exit status after the hangup: {said}"
    );
    let took: f64 = words
        .nth(1)
        .and_then(|t| t.parse().ok())
        .unwrap_or(f64::MAX);
    assert!(took < 2.0, "the run ended {took} s after the hangup");
    let _ = std::fs::remove_file(&disk);
}
