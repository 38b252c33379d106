//! Character devices and the monitor, driven from outside as a user or a
//! script would: the guest's serial line on TCP and Unix sockets, pipes and
//! files; `mon:stdio` with Ctrl-A c; a monitor on a Unix socket whose
//! answers are checked against the values the guest holds (test-roms'
//! `uart-echo`, which echoes what it reads in upper case and holds known
//! registers and memory) and against QEMU 7.2's answers on the same guest.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::guest::Guest;
use common::{run_rivet, test_roms};

const STEP: Duration = Duration::from_secs(30);

fn echo_elf() -> String {
    test_roms()
        .join("uart-echo.elf")
        .to_str()
        .expect("UTF-8 path")
        .to_string()
}

/// A scratch directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("chardev-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Starts `program` with `args` on the echo guest; standard input and
/// output are pipes the test does not use, standard error is kept.
fn start(program: &str, args: &[&str]) -> Child {
    let elf = echo_elf();
    Command::new(program)
        .args(["-M", "virt", "-bios", "none", "-kernel", &elf])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e}"))
}

fn rivet() -> &'static str {
    env!("CARGO_BIN_EXE_rivet")
}

/// Waits for `child` to exit; its status code.
fn wait_exit(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A TCP port nobody listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Retries `connect` until it works (the emulator is starting).
fn retry<T>(mut connect: impl FnMut() -> std::io::Result<T>) -> T {
    let deadline = Instant::now() + STEP;
    loop {
        match connect() {
            Ok(c) => return c,
            Err(e) if Instant::now() > deadline => panic!("cannot connect: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Reads from `stream` until `text` has come; returns all read so far.
fn read_until(stream: &mut dyn Read, seen: &mut Vec<u8>, text: &str) -> String {
    let deadline = Instant::now() + STEP;
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(seen).contains(text) {
        assert!(
            Instant::now() < deadline,
            "waited for {text:?}; got {:?}",
            String::from_utf8_lossy(seen)
        );
        match stream.read(&mut buf) {
            Ok(0) => panic!(
                "the stream ended before {text:?}; got {:?}",
                String::from_utf8_lossy(seen)
            ),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("read: {e}"),
        }
    }
    String::from_utf8_lossy(seen).into_owned()
}

/// The guest's serial line on a TCP server socket with wait=on: rivet
/// waits for the client before the guest runs (so the client sees the
/// banner), echoes what it types; a client that goes is no error, the
/// next one is accepted.
#[test]
fn serial_on_a_tcp_server_waits_for_its_client_and_accepts_again() {
    let port = free_port();
    let spec = format!("tcp:127.0.0.1:{port},server=on,wait=on");
    let mut child = start(rivet(), &["-serial", &spec]);
    let mut conn = retry(|| TcpStream::connect(("127.0.0.1", port)));
    conn.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut seen = Vec::new();
    read_until(&mut conn, &mut seen, "uart-echo ready");
    conn.write_all(b"abc").unwrap();
    read_until(&mut conn, &mut seen, "ABC");
    drop(conn);
    // The guest's output with no client is dropped; the next client types on.
    let mut conn = retry(|| TcpStream::connect(("127.0.0.1", port)));
    conn.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut seen = Vec::new();
    conn.write_all(b"xyz").unwrap();
    read_until(&mut conn, &mut seen, "XYZ");
    conn.write_all(b"q").unwrap();
    assert_eq!(wait_exit(&mut child, STEP), Some(0));
}

/// `-chardev socket,path=…,server=on,wait=off` used by `-serial chardev:ID`.
#[test]
fn serial_on_a_unix_socket_chardev() {
    let dir = scratch("unix");
    let path = dir.join("serial.sock");
    let spec = format!(
        "socket,id=s0,path={},server=on,wait=off",
        path.to_str().unwrap()
    );
    let mut child = start(rivet(), &["-chardev", &spec, "-serial", "chardev:s0"]);
    let mut conn = retry(|| UnixStream::connect(&path));
    conn.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut seen = Vec::new();
    conn.write_all(b"hi").unwrap();
    read_until(&mut conn, &mut seen, "HI");
    conn.write_all(b"q").unwrap();
    assert_eq!(wait_exit(&mut child, STEP), Some(0));
    assert!(!path.exists(), "the socket is removed at exit");
}

/// `-serial pipe:PATH` reads `PATH.in` and writes `PATH.out` (named pipes).
#[test]
fn serial_on_named_pipes() {
    let dir = scratch("pipe");
    let base = dir.join("line");
    for suffix in ["in", "out"] {
        let status = Command::new("mkfifo")
            .arg(dir.join(format!("line.{suffix}")))
            .status()
            .expect("run mkfifo");
        assert!(status.success());
    }
    let spec = format!("pipe:{}", base.to_str().unwrap());
    let mut child = start(rivet(), &["-serial", &spec]);
    // Opening the FIFOs waits for rivet to open its ends.
    let mut out = std::fs::File::open(dir.join("line.out")).expect("open line.out");
    let mut input = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join("line.in"))
        .expect("open line.in");
    let mut seen = Vec::new();
    read_until(&mut out, &mut seen, "uart-echo ready");
    input.write_all(b"pipe").unwrap();
    read_until(&mut out, &mut seen, "PIPE");
    input.write_all(b"q").unwrap();
    assert_eq!(wait_exit(&mut child, STEP), Some(0));
}

/// `-chardev file,path=…` takes the guest's output.
#[test]
fn serial_to_a_file_chardev() {
    let dir = scratch("file");
    let path = dir.join("serial.txt");
    let hello = test_roms().join("hello.elf");
    let spec = format!("file,id=f0,path={}", path.to_str().unwrap());
    let run = run_rivet(
        &[
            "-M",
            "virt",
            "-bios",
            "none",
            "-kernel",
            hello.to_str().unwrap(),
            "-chardev",
            &spec,
            "-serial",
            "chardev:f0",
        ],
        b"",
        STEP,
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    let text = std::fs::read_to_string(&path).expect("the serial file");
    assert!(text.contains("Hello from rivet!"), "{text:?}");
    assert!(!run.stdout.contains("Hello"), "{run:?}");
}

/// `-serial mon:stdio`: Ctrl-A c switches to the monitor and back (the
/// monitor's `stop` holds the guest, `cont` lets it go, `quit` ends
/// rivet); Ctrl-A h lists the keys, Ctrl-A Ctrl-A sends one Ctrl-A.
#[test]
fn mon_stdio_switches_with_ctrl_a_c() {
    let elf = echo_elf();
    let args: Vec<String> = [
        "-M",
        "virt",
        "-bios",
        "none",
        "-kernel",
        &elf,
        "-serial",
        "mon:stdio",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut guest = Guest::start(&args);
    guest.expect("uart-echo ready", STEP);
    guest.type_bytes(b"ab");
    guest.expect("AB", STEP);
    guest.type_bytes(b"\x01c");
    guest.expect("monitor - type 'help' for more information", STEP);
    guest.expect("(qemu) ", STEP);
    guest.send("info status");
    guest.expect("VM status: running", STEP);
    guest.send("stop");
    guest.send("info status");
    guest.expect("VM status: paused", STEP);
    guest.send("cont");
    // Back to the guest: it echoes again.
    guest.type_bytes(b"\x01c");
    guest.type_bytes(b"cd");
    guest.expect("CD", STEP);
    // Ctrl-A h lists the keys; Ctrl-A Ctrl-A sends one Ctrl-A to the guest.
    guest.type_bytes(b"\x01h");
    guest.expect("C-a c    switch between console and monitor", STEP);
    guest.type_bytes(b"\x01\x01z");
    guest.expect("\x01Z", STEP);
    guest.type_bytes(b"\x01c");
    guest.expect("(qemu) ", STEP);
    guest.send("quit");
    assert_eq!(guest.wait_exit(STEP), Some(0));
}

/// A monitor session over a socket: sends each command and collects its
/// answer (what comes between the end of the echoed line and the next
/// prompt).
struct Session<S: Read + Write> {
    stream: S,
    seen: Vec<u8>,
}

impl<S: Read + Write> Session<S> {
    fn new(stream: S) -> Self {
        let mut s = Session {
            stream,
            seen: Vec::new(),
        };
        read_until(&mut s.stream, &mut s.seen, "(qemu) ");
        s.seen.clear();
        s
    }

    fn command(&mut self, line: &str) -> String {
        self.stream.write_all(line.as_bytes()).unwrap();
        self.stream.write_all(b"\r").unwrap();
        let text = read_until(&mut self.stream, &mut self.seen, "(qemu) ");
        self.seen.clear();
        let body = text.split_once("\r\n").map_or("", |(_, b)| b);
        body.trim_end_matches("(qemu) ").replace('\r', "")
    }
}

/// The registers' line of `info registers` that starts with `name`.
fn register_row<'a>(registers: &'a str, name: &str) -> &'a str {
    registers
        .lines()
        .find(|l| l.trim_start().starts_with(name))
        .unwrap_or_else(|| panic!("no {name} in {registers}"))
}

/// `sN` of `info registers`, in hex.
fn register(registers: &str, name: &str) -> u64 {
    let row = registers
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[0].ends_with(&format!("/{name}")))
        .map(|w| w[1].to_string())
        .unwrap_or_else(|| panic!("no {name} in {registers}"));
    u64::from_str_radix(&row, 16).unwrap()
}

/// The commands both monitors answer the same, and what rivet's does with
/// `stop`, `cont`, `system_reset` and `quit`.
const SAME: &[&str] = &[
    "x /2xg $S4",
    "xp /2xw $S4",
    "x /5c $S4+16",
    "x /2dg $S4",
    "x /2ug $S4",
    "x /2ob $S4",
    "x /4xh $S4",
    "x /3dw $S4+4",
    // RISC-V virt has no power button in QEMU 7.2: nothing happens.
    "system_powerdown",
    "info status",
    "foo",
    "x /2z 0",
    "x",
    "help x",
];

/// Runs the monitor session of `program` on a Unix socket: the answers to
/// `SAME` (with `$S4` replaced by the address `s4` holds) and the rows of
/// `info registers` with s2-s7.
fn monitor_session(program: &str, dir: &Path) -> (Vec<String>, String, Child, Session<UnixStream>) {
    let sock = dir.join(format!(
        "{}.sock",
        Path::new(program).file_name().unwrap().to_str().unwrap()
    ));
    let spec = format!("unix:{},server,nowait", sock.to_str().unwrap());
    let serial = format!("file:{}", dir.join("serial.txt").to_str().unwrap());
    let child = start(
        program,
        &["-monitor", &spec, "-serial", &serial, "-display", "none"],
    );
    let conn = retry(|| UnixStream::connect(&sock));
    conn.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut session = Session::new(conn);
    // Wait for the guest to hold its values (it prints its banner first).
    let deadline = Instant::now() + STEP;
    let registers = loop {
        let r = session.command("info registers");
        if r.contains("1122334455667788") || Instant::now() > deadline {
            break r;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let s4 = register(&registers, "s4");
    let answers = SAME
        .iter()
        .map(|c| session.command(&c.replace("$S4", &format!("{s4:#x}"))))
        .collect();
    let rows = format!(
        "{}\n{}",
        register_row(&registers, "x16/a6"),
        register_row(&registers, "x20/s4")
    );
    session.stream.write_all(b"quit\r").unwrap();
    (answers, rows, child, session)
}

/// `-monitor unix:PATH,server,nowait`: the values the guest holds, and the
/// answers of QEMU 7.2's monitor on the same guest, where it is installed.
#[test]
fn monitor_on_a_unix_socket_answers_as_qemu() {
    let dir = scratch("monitor");
    let (answers, rows, mut child, _session) = monitor_session(rivet(), &dir);
    assert_eq!(wait_exit(&mut child, STEP), Some(0));
    assert!(
        rows.contains("x18/s2   1122334455667788 x19/s3   fedcba9876543210"),
        "{rows}"
    );
    assert!(
        answers[0].contains(": 0x0123456789abcdef 0xdeadbeefcafef00d"),
        "{answers:?}"
    );
    assert!(
        answers[1].contains(": 0x89abcdef 0x01234567"),
        "{answers:?}"
    );
    assert!(answers[2].contains(": 'r' 'i' 'v' 'e' 't'"), "{answers:?}");
    assert_eq!(answers[8], "");
    assert_eq!(answers[9], "VM status: running\n");
    assert_eq!(answers[10], "unknown command: 'foo'\n");
    if Command::new("qemu-system-riscv64")
        .arg("-version")
        .output()
        .is_err()
    {
        eprintln!("qemu-system-riscv64 is not installed: rivet's answers not compared with QEMU's");
        return;
    }
    let qemu_dir = scratch("monitor-qemu");
    let (qemu_answers, qemu_rows, mut qemu, _qemu_session) =
        monitor_session("qemu-system-riscv64", &qemu_dir);
    assert_eq!(wait_exit(&mut qemu, STEP), Some(0));
    for ((command, ours), theirs) in SAME.iter().zip(&answers).zip(&qemu_answers) {
        assert_eq!(ours, theirs, "{command}");
    }
    assert_eq!(rows, qemu_rows);
}

/// `stop`, `cont`, `system_reset` and `quit` over a socket monitor, and a
/// disassembly at the hart's pc that matches objdump's.
#[test]
fn monitor_stops_resets_and_quits_the_guest() {
    let dir = scratch("control");
    let sock = dir.join("m.sock");
    let serial = dir.join("serial.txt");
    let mon = format!("unix:{},server=on,wait=off", sock.to_str().unwrap());
    let ser = format!("file:{}", serial.to_str().unwrap());
    let mut child = start(rivet(), &["-monitor", &mon, "-serial", &ser]);
    let conn = retry(|| UnixStream::connect(&sock));
    conn.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut session = Session::new(conn);
    let banners = || {
        std::fs::read_to_string(&serial)
            .unwrap_or_default()
            .matches("uart-echo ready")
            .count()
    };
    let deadline = Instant::now() + STEP;
    while banners() < 1 {
        assert!(Instant::now() < deadline, "no banner");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(session.command("stop"), "");
    assert_eq!(session.command("info status"), "VM status: paused\n");
    // Stopped, the harts stay where they are.
    let first = session.command("info registers");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(first, session.command("info registers"));
    let pc = first
        .lines()
        .find_map(|l| l.trim().strip_prefix("pc"))
        .map(|v| u64::from_str_radix(v.trim(), 16).unwrap())
        .expect("pc");
    // The instruction there, as objdump disassembled the ROM.
    let dump = std::fs::read_to_string(test_roms().join("uart-echo.dump")).expect("objdump");
    let fields: Vec<String> = dump
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{pc:x}:")))
        .expect("pc in the dump")
        .split('\t')
        .map(|f| f.trim().to_string())
        .collect();
    let ours = session.command(&format!("x /1i {pc:#x}"));
    let words: Vec<&str> = ours.split_whitespace().collect();
    assert_eq!(words[0], format!("0x{pc:016x}:"), "{ours}");
    assert_eq!(&words[1..], &fields[1..], "{ours} vs objdump's {fields:?}");
    assert_eq!(session.command("cont"), "");
    assert_eq!(session.command("info status"), "VM status: running\n");
    assert_eq!(session.command("system_reset"), "");
    let deadline = Instant::now() + STEP;
    while banners() < 2 {
        assert!(Instant::now() < deadline, "no banner after system_reset");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(session
        .command("stop now")
        .contains("extraneous characters"));
    assert!(session
        .command("info registers 7")
        .contains("not available"));
    session.stream.write_all(b"quit\r").unwrap();
    assert_eq!(wait_exit(&mut child, STEP), Some(0));
}

/// Bad devices get one line saying what is wrong, and status 1.
#[test]
fn bad_devices_are_refused_in_one_line() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = taken.local_addr().unwrap().port();
    let in_use = format!("tcp:127.0.0.1:{port},server=on,wait=off");
    let elf = echo_elf();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "-chardev",
                "file,id=c0,path=/nonexistent/dir/x",
                "-serial",
                "chardev:c0",
            ],
            "cannot create /nonexistent/dir/x",
        ),
        (&["-serial", &in_use], "cannot listen on"),
        (
            &["-chardev", "foo,id=c0"],
            "'foo' is not a valid char driver name",
        ),
        (
            &["-chardev", "null,id=c0", "-chardev", "null,id=c0"],
            "Duplicate ID 'c0' for chardev",
        ),
        (
            &[
                "-chardev",
                "null,id=c0",
                "-serial",
                "chardev:c0",
                "-monitor",
                "chardev:c0",
            ],
            "Device 'c0' is in use",
        ),
        (
            &["-serial", "stdio", "-monitor", "stdio"],
            "cannot use stdio by multiple character devices",
        ),
        (&["-mon", "chardev=c9"], "chardev \"c9\" not found"),
        (
            &["-serial", "telnet::4444,server"],
            "-serial telnet: not supported",
        ),
        (&["-serial", "unix:/nonexistent/dir/s"], "cannot connect to"),
        (
            &[
                "-chardev",
                "null,id=m",
                "-mon",
                "chardev=m,mode=control",
                "-mon",
                "chardev=m,mode=control",
            ],
            "Device 'm' is in use",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec!["-M", "virt", "-bios", "none", "-kernel", &elf];
        args.extend_from_slice(extra);
        let run = run_rivet(&args, b"", STEP);
        assert_eq!(run.code, Some(1), "{extra:?}: {run:?}");
        assert!(run.stderr.contains(message), "{extra:?}: {run:?}");
        assert_eq!(run.stderr.trim().lines().count(), 1, "{extra:?}: {run:?}");
    }
    drop(taken);
}
