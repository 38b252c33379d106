//! Nothing a guest asks for holds the emulator up: however much work one
//! device request describes, signals and the console are heard within
//! milliseconds.

#![expect(
    clippy::cast_possible_truncation,
    reason = "the guest's addresses and offsets are small constants, written to 32-bit registers and immediates"
)]

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::guest::Guest;

// ----- a few RV64I encodings, enough for a bare-metal driver -----

const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const T3: u32 = 28;
const T4: u32 = 29;

fn u_type(opcode: u32, rd: u32, imm20: u32) -> u32 {
    (imm20 << 12) | (rd << 7) | opcode
}

fn i_type(opcode: u32, funct3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
    ((imm as u32 & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode
}

fn s_type(funct3: u32, rs1: u32, rs2: u32, imm: i32) -> u32 {
    let imm = imm as u32 & 0xfff;
    ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((imm & 0x1f) << 7) | 0x23
}

fn b_type(funct3: u32, rs1: u32, rs2: u32, offset: i32) -> u32 {
    let imm = offset as u32 & 0x1fff;
    ((imm >> 12 & 1) << 31)
        | ((imm >> 5 & 0x3f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (funct3 << 12)
        | ((imm >> 1 & 0xf) << 8)
        | ((imm >> 11 & 1) << 7)
        | 0x63
}

/// `lui rd, hi; addi rd, rd, lo`: a 32-bit constant (sign-extended).
fn li(code: &mut Vec<u32>, rd: u32, value: u32) {
    let hi = value.wrapping_add(0x800) >> 12;
    let lo = value.wrapping_sub(hi << 12) as i32;
    code.push(u_type(0x37, rd, hi));
    code.push(i_type(0x13, 0, rd, rd, lo));
}

/// `sw value, offset(t0)` through t1: one virtio-mmio register write.
fn reg_write(code: &mut Vec<u32>, offset: i32, value: u32) {
    li(code, T1, value);
    code.push(s_type(2, T0, T1, offset));
}

// ----- the guest -----

const RAM: u64 = 0x8000_0000;
const DESC: u64 = 0x1000;
const AVAIL: u64 = 0x2000;
const USED: u64 = 0x3000;
const HEADER: u64 = 0x4000;
const STATUS_BYTE: u64 = 0x4100;
const TABLE: u64 = 0x5000;
/// The data buffer, 128 MiB at the top of a 256 MiB guest.
const BUFFER: u64 = 0x8800_0000;
const BUFFER_LEN: u32 = 128 << 20;
/// Descriptors in the indirect table pointing at the same buffer:
/// 256 x 128 MiB = 32 GiB read in one request.
const PIECES: u16 = 256;

/// A raw bare-metal image (loaded at the start of RAM) that sets up the
/// virtio-blk device in slot 0 (`bus=virtio-mmio-bus.0`) with one queue, makes one read request of
/// `PIECES` x 128 MiB available (an indirect table whose descriptors all
/// point at the same buffer), notifies, prints `S`, then polls the used
/// ring and prints `D` when the request is done.
fn huge_read_guest() -> PathBuf {
    let mut code = Vec::new();
    code.push(u_type(0x37, T0, 0x10001)); // lui t0, virtio slot 0
    reg_write(&mut code, 0x70, 1); // Status: ACKNOWLEDGE
    reg_write(&mut code, 0x70, 3); // | DRIVER
    reg_write(&mut code, 0x24, 1); // DriverFeaturesSel 1
    reg_write(&mut code, 0x20, 1); // VIRTIO_F_VERSION_1 (bit 32)
    reg_write(&mut code, 0x24, 0); // DriverFeaturesSel 0
    reg_write(&mut code, 0x20, 1 << 28); // VIRTIO_F_INDIRECT_DESC
    reg_write(&mut code, 0x70, 0xb); // | FEATURES_OK
    reg_write(&mut code, 0x30, 0); // QueueSel
    reg_write(&mut code, 0x38, 16); // QueueNum
    reg_write(&mut code, 0x80, (RAM + DESC) as u32);
    reg_write(&mut code, 0x84, 0);
    reg_write(&mut code, 0x90, (RAM + AVAIL) as u32);
    reg_write(&mut code, 0x94, 0);
    reg_write(&mut code, 0xa0, (RAM + USED) as u32);
    reg_write(&mut code, 0xa4, 0);
    reg_write(&mut code, 0x44, 1); // QueueReady
    reg_write(&mut code, 0x70, 0xf); // | DRIVER_OK
    reg_write(&mut code, 0x50, 0); // QueueNotify 0
    code.push(u_type(0x37, T2, 0x10000)); // lui t2, the UART
    li(&mut code, T1, u32::from(b'S'));
    code.push(s_type(0, T2, T1, 0)); // sb t1, 0(t2)
                                     // auipc t3, hi; addi t3, t3, lo: the used ring's address.
    let offset = USED as u32 - 4 * code.len() as u32;
    let hi = offset.wrapping_add(0x800) >> 12;
    code.push(u_type(0x17, T3, hi));
    code.push(i_type(
        0x13,
        0,
        T3,
        T3,
        offset.wrapping_sub(hi << 12) as i32,
    ));
    code.push(i_type(0x03, 5, T4, T3, 2)); // lhu t4, 2(t3): used idx
    code.push(b_type(0, T4, 0, -4)); // beq t4, zero, back to the lhu
    li(&mut code, T1, u32::from(b'D'));
    code.push(s_type(0, T2, T1, 0));
    code.push(0x0000_006f); // j .
    assert!(4 * code.len() < DESC as usize);

    let mut image = vec![0u8; TABLE as usize + 16 * (usize::from(PIECES) + 2)];
    let mut put = |at: u64, bytes: &[u8]| {
        image[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
    };
    for (i, word) in code.iter().enumerate() {
        put(4 * i as u64, &word.to_le_bytes());
    }
    let descriptor = |addr: u64, len: u32, flags: u16, next: u16| {
        let mut d = [0u8; 16];
        d[0..8].copy_from_slice(&addr.to_le_bytes());
        d[8..12].copy_from_slice(&len.to_le_bytes());
        d[12..14].copy_from_slice(&flags.to_le_bytes());
        d[14..16].copy_from_slice(&next.to_le_bytes());
        d
    };
    let (next, write, indirect) = (1u16, 2u16, 4u16);
    let table_len = 16 * (u32::from(PIECES) + 2);
    put(DESC, &descriptor(RAM + TABLE, table_len, indirect, 0));
    put(AVAIL + 2, &1u16.to_le_bytes()); // idx 1, ring[0] = descriptor 0
    put(HEADER, &0u32.to_le_bytes()); // VIRTIO_BLK_T_IN from sector 0
    put(TABLE, &descriptor(RAM + HEADER, 16, next, 1));
    for i in 1..=PIECES {
        let d = descriptor(BUFFER, BUFFER_LEN, write | next, i + 1);
        put(TABLE + 16 * u64::from(i), &d);
    }
    let last = descriptor(RAM + STATUS_BYTE, 1, write, 0);
    put(TABLE + 16 * (u64::from(PIECES) + 1), &last);

    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("huge-read-guest.bin");
    std::fs::write(&path, image).unwrap();
    path
}

/// A sparse image big enough for the guest's read.
fn sparse_disk(name: &str, size: u64) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(size).unwrap();
    path
}

/// One read request of 32 GiB (what an indirect table allows a guest to
/// ask for) is carried out a few MiB per poll, between slices: SIGTERM
/// ends rivet at once, while the request is still in progress. Before,
/// the device moved the whole request inside one poll and the signal
/// waited for it (51-61 s measured; QEMU 0.5 s).
#[test]
fn sigterm_is_heard_during_a_32_gib_read() {
    let guest = huge_read_guest();
    let disk = sparse_disk(
        "huge-read-disk.img",
        u64::from(PIECES) * u64::from(BUFFER_LEN),
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_rivet"));
    command
        .args(["-M", "virt", "-bios", "none", "-m", "256M", "-nographic"])
        .arg("-kernel")
        .arg(&guest)
        .arg("-drive")
        .arg(format!(
            "file={},format=raw,if=none,id=d0,readonly=on",
            disk.display()
        ))
        // The guest drives slot 0 (0x10001000): the device is put there.
        .args([
            "-device",
            "virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0",
        ])
        .stdin(Stdio::null());
    let mut run = Guest::start_command(command);
    run.expect("S", Duration::from_secs(20));
    // Let the device get well into the request.
    std::thread::sleep(Duration::from_millis(500));
    run.signal("TERM");
    let asked = Instant::now();
    let code = run.wait_exit(Duration::from_secs(30));
    let took = asked.elapsed();
    let transcript = run.transcript();
    let _ = std::fs::remove_file(&disk);
    assert!(
        took < Duration::from_secs(2),
        "SIGTERM took {took:?} to end rivet during a long read"
    );
    assert!(
        !transcript.contains('D'),
        "the 32 GiB read finished before the signal: the test proves nothing\n{transcript}"
    );
    assert_eq!(code, Some(0), "{transcript}");
    assert!(transcript.contains("terminating on signal"), "{transcript}");
}

// ----- --timeout -----

/// Writes the raw guest `words` (loaded at the start of RAM) to the
/// scratch directory as `name`.
fn raw_guest(name: &str, words: &[u32]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Starts rivet on the raw guest at `kernel` with `--timeout 1`, its
/// console input held open (nothing typed) and `stdout` as its output;
/// returns how long it ran, its exit status and what it said on stderr.
fn time_out(kernel: &PathBuf, stdout: Stdio) -> (Duration, Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rivet"))
        .args([
            "-M",
            "virt",
            "-bios",
            "none",
            "-nographic",
            "--timeout",
            "1",
        ])
        .arg("-kernel")
        .arg(kernel)
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let _input = child.stdin.take();
    let _unread = child.stdout.take();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("--timeout 1 did not end the run in 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (took, status.code(), err)
}

/// `--timeout` ends every kind of run after its wall-clock time, with
/// exit status 124 (as timeout(1)) and a message: a guest that spins,
/// one that traps for ever (retiring nothing), one that waits for an
/// interrupt nothing will raise while its console stays open, and one
/// whose output nobody reads.
#[test]
fn timeout_ends_spinning_trapping_waiting_and_blocked_guests() {
    let guests = [
        ("spin", raw_guest("timeout-spin.bin", &[0x0000_006f]), false),
        (
            "trap loop",
            raw_guest(
                "timeout-trap-loop.bin",
                &[
                    0x0000_0297, // auipc t0, 0
                    0x00c2_8293, // addi  t0, t0, 12
                    0x3052_9073, // csrw  mtvec, t0
                    0x0000_0000, // illegal, and mtvec points here
                ],
            ),
            false,
        ),
        (
            "wfi",
            raw_guest(
                "timeout-wfi.bin",
                &[
                    0x1050_0073, // wfi
                    0xffdf_f06f, // j back to the wfi
                ],
            ),
            false,
        ),
        (
            "blocked output",
            raw_guest(
                "timeout-chatty.bin",
                &[
                    0x1000_02b7, // lui  t0, 0x10000 (the UART)
                    0x0790_0313, // li   t1, 'y'
                    0x0062_8023, // sb   t1, 0(t0)
                    0xffdf_f06f, // j    the sb
                ],
            ),
            true,
        ),
    ];
    for (what, kernel, unread_output) in guests {
        let stdout = if unread_output {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        let (took, code, err) = time_out(&kernel, stdout);
        assert_eq!(code, Some(124), "{what}: {err}");
        assert!(err.contains("(--timeout)"), "{what}: {err}");
        assert!(
            took >= Duration::from_secs(1) && took < Duration::from_secs(4),
            "{what}: --timeout 1 ended the run after {took:?}"
        );
    }
}
