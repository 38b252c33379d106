//! QMP, driven from outside as a script would: the same exchange with
//! rivet and with QEMU 7.2 on the same guest (test-roms' `uart-echo`,
//! which waits for input and holds known registers), compared message by
//! message with timestamps, thread ids and version numbers set aside and
//! checked on their own; QMP beside the human monitor in one run; and a
//! client that floods, sends garbage and goes mid-command.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::test_roms;
use serde_json::{json, Value};

const STEP: Duration = Duration::from_secs(30);

fn rivet() -> &'static str {
    env!("CARGO_BIN_EXE_rivet")
}

const QEMU: &str = "qemu-system-riscv64";

/// Whether QEMU is there to compare with (else the comparison is skipped, saying so).
fn have_qemu() -> bool {
    let ok = Command::new(QEMU).arg("-version").output().is_ok();
    if !ok {
        eprintln!("{QEMU} is not installed: rivet's answers not compared with QEMU's");
    }
    ok
}

/// A scratch directory of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("qmp-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Starts `program` on the echo guest with `args`; standard input is a
/// pipe, standard output is piped or dropped.
fn start(program: &str, args: &[&str], stdout: bool) -> Child {
    let elf = test_roms().join("uart-echo.elf");
    Command::new(program)
        .args(["-M", "virt", "-bios", "none", "-kernel"])
        .arg(elf)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(if stdout {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e}"))
}

/// Waits for `child` to exit; its status code.
fn wait_exit(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + STEP;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("did not exit within {STEP:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A QMP client on a Unix socket.
struct Client {
    stream: UnixStream,
    seen: Vec<u8>,
}

impl Client {
    fn connect(path: &Path) -> Client {
        let deadline = Instant::now() + STEP;
        let stream = loop {
            match UnixStream::connect(path) {
                Ok(s) => break s,
                Err(e) if Instant::now() > deadline => panic!("cannot connect: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        Client {
            stream,
            seen: Vec::new(),
        }
    }

    /// The next `\r\n`-terminated line; None at end of stream.
    fn line(&mut self) -> Option<String> {
        let deadline = Instant::now() + STEP;
        let mut buf = [0u8; 65536];
        loop {
            if let Some(end) = self.seen.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8(self.seen[..end].to_vec()).expect("UTF-8");
                self.seen.drain(..end + 2);
                return Some(line);
            }
            assert!(
                Instant::now() < deadline,
                "no whole line: {:?}",
                String::from_utf8_lossy(&self.seen)
            );
            match self.stream.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => self.seen.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return None,
            }
        }
    }

    /// The next message (one line of JSON).
    fn message(&mut self) -> Value {
        let line = self.line().expect("a message before the end of the stream");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"))
    }

    fn send(&mut self, text: &str) {
        self.stream.write_all(text.as_bytes()).unwrap();
    }

    /// Sends `text`; the messages up to and including its answer.
    fn exchange(&mut self, text: &str) -> Vec<Value> {
        self.send(text);
        let mut got = Vec::new();
        loop {
            let m = self.message();
            let answer = m.get("return").is_some() || m.get("error").is_some();
            got.push(m);
            if answer {
                return got;
            }
        }
    }
}

/// Sets aside what differs between runs and programs (an event's
/// timestamp, a thread id), checking its shape.
fn normalise(mut m: Value) -> Value {
    if let Some(t) = m.as_object_mut().and_then(|o| o.remove("timestamp")) {
        assert!(
            t["seconds"].is_u64() && t["microseconds"].as_u64() < Some(1_000_000),
            "{t}"
        );
    }
    if let Some(cpus) = m.get_mut("return").and_then(Value::as_array_mut) {
        for cpu in cpus {
            if let Some(tid) = cpu.get_mut("thread-id") {
                assert!(tid.as_u64().is_some_and(|t| t > 0), "{tid}");
                *tid = json!(0);
            }
        }
    }
    m
}

/// The exchange both programs answer the same, after negotiation.
const SAME: &[&str] = &[
    "{\"execute\": \"query-status\", \"id\": {\"a\": [1, \"x\"]}}\n",
    "{\"execute\": \"stop\"}\n",
    "{\"execute\": \"query-status\"}\n",
    // Stopped already: no event.
    "{\"execute\": \"stop\"}\n",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}}\n",
    "{\"execute\": \"cont\", \"id\": 5}\n",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}}\n",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"x /4xw 0x80000000\"}}\n",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"nonsense\"}}\n",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\", \"cpu-index\": 9}}\n",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {}}\n",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": 5}}\n",
    "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"\", \"bogus\": 1}}\n",
    "{\"execute\": \"stop\", \"arguments\": {\"x\": 1}}\n",
    "{\"execute\": \"stop\", \"arguments\": 5}\n",
    "{\"execute\": \"no-such-command\", \"id\": \"abc\"}\n",
    "{\"exec\": \"stop\"}\n",
    "{\"id\": 3}\n",
    "{\"execute\": 5}\n",
    "[1, 2]\n",
    "\"text\"\n",
    "{\"execute\": \"qmp_capabilities\"}\n",
    "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"no-such\"]}}\n",
    // One request over three lines.
    "{\"execute\":\n \"query-target\"\n}\n",
    "{\"execute\": \"query-name\"}\n",
    "{\"execute\": \"query-kvm\"}\n",
    "{\"execute\": \"query-uuid\"}\n",
    "{\"execute\": \"query-current-machine\"}\n",
    "{\"execute\": \"query-cpus-fast\"}\n",
    // No power button on RISC-V virt: the event only.
    "{\"execute\": \"system_powerdown\"}\n",
    "{\"execute\": \"system_reset\"}\n",
    "{\"execute\": \"query-status\"}\n",
    "{\"execute\": \"quit\"}\n",
];

/// What one program answered.
struct Session {
    greeting: Value,
    /// The answer to a command before negotiation.
    early: Vec<Value>,
    /// The answers to `SAME`, normalised.
    answers: Vec<Vec<Value>>,
    /// The answer to malformed JSON.
    malformed: Vec<Value>,
    /// The `s2`/`s3` row of `info registers`, through human-monitor-command.
    registers: String,
    /// The version query-version gives.
    version: Value,
    /// The stream ended after `quit`.
    ended: bool,
    code: Option<i32>,
}

fn session(program: &str) -> Session {
    let dir = scratch(Path::new(program).file_name().unwrap().to_str().unwrap());
    let sock = dir.join("qmp.sock");
    let spec = format!("unix:{},server=on,wait=off", sock.to_str().unwrap());
    let mut child = start(
        program,
        &[
            "-display", "none", "-serial", "null", "-name", "vm7", "-qmp", &spec,
        ],
        false,
    );
    let mut c = Client::connect(&sock);
    let greeting = c.message();
    let early = c.exchange("{\"execute\": \"query-status\"}\n");
    let negotiated = c.exchange("{\"execute\": \"qmp_capabilities\", \"id\": 1}\n");
    assert_eq!(negotiated, [json!({"return": {}, "id": 1})], "{program}");
    // Wait for the guest to hold its values.
    let deadline = Instant::now() + STEP;
    let registers = loop {
        let r = c.exchange(
            "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info registers\"}}\n",
        );
        let text = r[0]["return"].as_str().expect("text").to_string();
        if text.contains("1122334455667788") || Instant::now() > deadline {
            break text
                .lines()
                .find(|l| l.contains("x18/s2"))
                .unwrap_or_default()
                .to_string();
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let version = c.exchange("{\"execute\": \"query-version\"}\n")[0]["return"].clone();
    let malformed = c.exchange("xyz\n");
    let answers = SAME
        .iter()
        .map(|text| c.exchange(text).into_iter().map(normalise).collect())
        .collect();
    let ended = c.line().is_none();
    let code = wait_exit(&mut child);
    Session {
        greeting,
        early,
        answers,
        malformed,
        registers,
        version,
        ended,
        code,
    }
}

/// The same exchange on rivet and on QEMU 7.2: the same messages in the
/// same order (events before the answer of the command that caused
/// them), rivet's own version where QEMU gives its.
#[test]
fn a_qmp_session_answers_as_qemu() {
    let ours = session(rivet());
    let version = env!("CARGO_PKG_VERSION");
    let v = &ours.greeting["QMP"]["version"];
    assert_eq!(
        format!(
            "{}.{}.{}",
            v["qemu"]["major"], v["qemu"]["minor"], v["qemu"]["micro"]
        ),
        version
    );
    assert_eq!(v["package"], format!("rivet {version}"));
    assert_eq!(ours.greeting["QMP"]["capabilities"], json!([]));
    assert_eq!(&ours.version, v);
    assert_eq!(
        ours.early,
        [json!({"error": {"class": "CommandNotFound",
            "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}})]
    );
    assert!(
        ours.registers
            .contains("x18/s2   1122334455667788 x19/s3   fedcba9876543210"),
        "{}",
        ours.registers
    );
    assert_eq!(ours.malformed.len(), 1);
    assert_eq!(ours.malformed[0]["error"]["class"], "GenericError");
    assert!(ours.malformed[0]["error"]["desc"]
        .as_str()
        .unwrap()
        .starts_with("JSON parse error, "));
    let a = &ours.answers;
    assert_eq!(a[1][0]["event"], "STOP");
    assert_eq!(
        a[2],
        [json!({"return": {"status": "paused", "singlestep": false, "running": false}})]
    );
    assert_eq!(a[3], [json!({"return": {}})]);
    assert_eq!(a[4], [json!({"return": "VM status: paused\r\n"})]);
    assert_eq!(
        a[5],
        [json!({"event": "RESUME"}), json!({"return": {}, "id": 5})]
    );
    assert_eq!(
        a[SAME.len() - 1],
        [
            json!({"event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}),
            json!({"return": {}})
        ]
    );
    assert!(ours.ended);
    assert_eq!(ours.code, Some(0));
    if !have_qemu() {
        return;
    }
    let theirs = session(QEMU);
    // QEMU offers out-of-band execution; rivet does not.
    assert_eq!(theirs.greeting["QMP"]["capabilities"], json!(["oob"]));
    assert_eq!(theirs.greeting["QMP"]["version"]["qemu"]["major"], 7);
    assert_eq!(theirs.early, ours.early);
    assert_eq!(theirs.registers, ours.registers);
    // QEMU words its JSON errors after its own parser: the class is the same.
    assert_eq!(theirs.malformed.len(), 1);
    assert_eq!(theirs.malformed[0]["error"]["class"], "GenericError");
    for ((text, ours), theirs) in SAME.iter().zip(&ours.answers).zip(&theirs.answers) {
        assert_eq!(ours, theirs, "{text}");
    }
    assert!(theirs.ended);
    assert_eq!(theirs.code, Some(0));
}

/// `-qmp-pretty`: the same bytes as QEMU 7.2's pretty answers.
#[test]
fn pretty_answers_are_qemus_bytes() {
    let run = |program: &str| {
        let dir = scratch(&format!(
            "pretty-{}",
            Path::new(program).file_name().unwrap().to_str().unwrap()
        ));
        let sock = dir.join("qmp.sock");
        let spec = format!("unix:{},server=on,wait=off", sock.to_str().unwrap());
        let mut child = start(
            program,
            &["-display", "none", "-serial", "null", "-qmp-pretty", &spec],
            false,
        );
        let mut c = Client::connect(&sock);
        // The greeting ends with its closing brace's line.
        while c.line().expect("greeting") != "}" {}
        let mut all = String::new();
        for request in [
            "{\"execute\": \"qmp_capabilities\"}\n",
            "{\"execute\": \"query-status\", \"id\": [1]}\n",
            "{\"execute\": \"nonsense\"}\n",
            "{\"execute\": \"quit\"}\n",
        ] {
            c.send(request);
            // Messages up to the answer; events carry timestamps, whose
            // lines are left out.
            loop {
                let mut text = String::new();
                loop {
                    let line = c.line().expect("an answer");
                    let last = line == "}";
                    if !line.contains("seconds") && !line.contains("timestamp") {
                        text.push_str(&line);
                        text.push('\n');
                    }
                    if last {
                        break;
                    }
                }
                all.push_str(&text);
                if text.contains("\"return\"") || text.contains("\"error\"") {
                    break;
                }
            }
            all.push('|');
        }
        assert_eq!(wait_exit(&mut child), Some(0));
        all
    };
    let ours = run(rivet());
    assert!(
        ours.contains("{\n    \"return\": {\n        \"status\": \"running\","),
        "{ours}"
    );
    if have_qemu() {
        assert_eq!(ours, run(QEMU));
    }
}

/// The human monitor on standard input and QMP on a socket in one run:
/// a `stop` typed on one is an event and a state on the other, and a
/// `quit` typed on the human monitor ends the QMP session with SHUTDOWN.
#[test]
fn the_human_monitor_and_qmp_serve_one_run() {
    let run = |program: &str| {
        let dir = scratch(&format!(
            "both-{}",
            Path::new(program).file_name().unwrap().to_str().unwrap()
        ));
        let sock = dir.join("qmp.sock");
        let spec = format!("unix:{},server=on,wait=off", sock.to_str().unwrap());
        let mut child = start(
            program,
            &[
                "-display", "none", "-serial", "null", "-monitor", "stdio", "-qmp", &spec,
            ],
            true,
        );
        let mut c = Client::connect(&sock);
        c.message();
        c.exchange("{\"execute\": \"qmp_capabilities\"}\n");
        let mut hmp = child.stdin.take().unwrap();
        // The human monitor's output, read as it comes.
        let out = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = std::sync::Arc::clone(&out);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let wait_for = |text: &str| {
            let deadline = Instant::now() + STEP;
            while !out.lock().unwrap().contains(text) {
                assert!(
                    Instant::now() < deadline,
                    "{program}: no {text:?} in {out:?}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        hmp.write_all(b"stop\n").unwrap();
        let stop = normalise(c.message());
        let status = c.exchange("{\"execute\": \"query-status\"}\n");
        hmp.write_all(b"info status\n").unwrap();
        wait_for("VM status: paused");
        let resumed = c.exchange("{\"execute\": \"cont\"}\n");
        hmp.write_all(b"info status\n").unwrap();
        wait_for("VM status: running");
        hmp.write_all(b"system_powerdown\n").unwrap();
        let powerdown = normalise(c.message());
        hmp.write_all(b"quit\n").unwrap();
        let shutdown = normalise(c.message());
        assert!(c.line().is_none(), "{program}: the stream ends");
        assert_eq!(wait_exit(&mut child), Some(0), "{program}");
        assert_eq!(stop, json!({"event": "STOP"}), "{program}");
        assert_eq!(
            status[0]["return"]["status"], "paused",
            "{program}: {status:?}"
        );
        assert_eq!(resumed[0]["event"], "RESUME", "{program}: {resumed:?}");
        assert_eq!(powerdown, json!({"event": "POWERDOWN"}), "{program}");
        assert_eq!(
            shutdown,
            json!({"event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}),
            "{program}"
        );
    };
    run(rivet());
    if have_qemu() {
        run(QEMU);
    }
}

/// A client that floods, sends a 10 MiB line, random bytes and half a
/// command, then goes: the next client is greeted and served, and the
/// answers to the flood were errors, never a crash.
#[test]
fn a_bad_client_gets_errors_and_the_next_one_is_served() {
    let dir = scratch("bad");
    let sock = dir.join("qmp.sock");
    let spec = format!("unix:{},server=on,wait=off", sock.to_str().unwrap());
    let mut child = start(
        rivet(),
        &["-display", "none", "-serial", "null", "-qmp", &spec],
        false,
    );
    let mut c = Client::connect(&sock);
    c.message();
    c.exchange("{\"execute\": \"qmp_capabilities\"}\n");
    // A writer thread, so that the flood does not wait for our reads.
    let mut writer = c.stream.try_clone().unwrap();
    let flood = std::thread::spawn(move || {
        let mut huge = b"{\"execute\": \"".to_vec();
        huge.resize(10 << 20, b'a');
        huge.extend_from_slice(b"\"}\n");
        let _ = writer.write_all(&huge);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let garbage: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0] & 0x7f
            })
            .collect();
        let _ = writer.write_all(&garbage);
        let _ = writer.write_all(b"\n");
        for _ in 0..2000 {
            let _ = writer.write_all(b"{\"execute\": \"query-status\"}\n");
        }
        let _ = writer.write_all(b"{\"execute\": \"query-st");
    });
    // The first answer: the huge line refused.
    let first = c.message();
    assert_eq!(first["error"]["class"], "GenericError", "{first}");
    assert!(
        first["error"]["desc"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error"),
        "{first}"
    );
    // Read a few more answers, then go without reading the rest.
    for _ in 0..20 {
        let m = c.message();
        assert!(m.get("return").is_some() || m.get("error").is_some(), "{m}");
    }
    // Stop reading: rivet's answers now fail to reach us and are dropped,
    // so the flood is read to its end.
    c.stream.shutdown(std::net::Shutdown::Read).unwrap();
    flood.join().unwrap();
    drop(c);
    let mut c = Client::connect(&sock);
    let greeting = c.message();
    assert!(greeting.get("QMP").is_some(), "{greeting}");
    let early = c.exchange("{\"execute\": \"query-status\"}\n");
    if early[0]["error"]["class"] != "CommandNotFound" {
        let more: Vec<_> = (0..3).map(|_| c.line()).collect();
        panic!("{greeting} {early:?} {more:?}");
    }
    c.exchange("{\"execute\": \"qmp_capabilities\"}\n");
    assert_eq!(
        c.exchange("{\"execute\": \"query-status\"}\n")[0]["return"]["status"],
        "running"
    );
    c.exchange("{\"execute\": \"quit\"}\n");
    assert_eq!(wait_exit(&mut child), Some(0));
}
