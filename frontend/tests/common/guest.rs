//! Driving a Linux guest over the serial console, as a person at a terminal
//! would: start rivet with pipes, wait for text, type commands.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::repo_root;

/// The guest images (Linux, initramfs, disk), built once by
/// guest/build-images.sh (cached in ~/.cache/rivet by recipe hash).
pub fn images() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Command::new("bash")
            .arg(repo_root().join("guest/build-images.sh"))
            .stderr(Stdio::inherit())
            .output()
            .expect("run guest/build-images.sh");
        assert!(out.status.success(), "guest/build-images.sh failed");
        let text = String::from_utf8_lossy(&out.stdout);
        PathBuf::from(
            text.lines()
                .last()
                .expect("build-images.sh prints the directory")
                .trim(),
        )
    })
}

struct Output {
    bytes: Vec<u8>,
    /// Output streams (stdout, stderr) not yet at end of file.
    open: usize,
}

/// A running rivet whose console we talk to.
pub struct Guest {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<(Mutex<Output>, Condvar)>,
    /// Everything before this offset has been matched already.
    consumed: usize,
    /// The child leads a process group of its own (rivet started by
    /// another program, such as make): ending the guest ends the group.
    group: bool,
}

impl Guest {
    /// Starts `rivet args...` with piped console.
    pub fn start(args: &[String]) -> Guest {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rivet"));
        command.args(args);
        Self::spawn(command, false)
    }

    /// Starts `command`, which runs rivet (e.g. `make qemu`), with piped
    /// console, in a process group of its own so that dropping the guest
    /// ends rivet too.
    pub fn start_command(mut command: Command) -> Guest {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        Self::spawn(command, true)
    }

    fn spawn(mut command: Command, group: bool) -> Guest {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rivet");
        let output = Arc::new((
            Mutex::new(Output {
                bytes: Vec::new(),
                open: 2,
            }),
            Condvar::new(),
        ));
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let output = Arc::clone(&output);
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                loop {
                    let n = stream.read(&mut buf).unwrap_or(0);
                    let (lock, cond) = &*output;
                    let mut out = lock.lock().unwrap_or_else(|e| e.into_inner());
                    if n == 0 {
                        out.open -= 1;
                        cond.notify_all();
                        return;
                    }
                    out.bytes.extend_from_slice(&buf[..n]);
                    cond.notify_all();
                }
            });
        }
        let stdin = child.stdin.take();
        Guest {
            child,
            stdin,
            output,
            consumed: 0,
            group,
        }
    }

    /// The process id of the emulator (or of the command started).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the guest printed so far.
    pub fn transcript(&self) -> String {
        let out = self.output.0.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&out.bytes).into_owned()
    }

    /// Waits until `text` appears in output not matched before; returns the
    /// output up to and including it. Panics with the transcript on timeout.
    pub fn expect(&mut self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let (lock, cond) = &*self.output;
        let mut out = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let fresh = &out.bytes[self.consumed..];
            if let Some(at) = fresh.windows(text.len()).position(|w| w == text.as_bytes()) {
                let end = self.consumed + at + text.len();
                let seen = String::from_utf8_lossy(&out.bytes[self.consumed..end]).into_owned();
                self.consumed = end;
                return seen;
            }
            let now = Instant::now();
            if now >= deadline || out.open == 0 {
                let transcript = String::from_utf8_lossy(&out.bytes).into_owned();
                drop(out);
                panic!("waited {timeout:?} for {text:?}; the console said:\n{transcript}");
            }
            out = cond
                .wait_timeout(out, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Types raw bytes (no newline).
    pub fn type_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("console input is open");
        stdin.write_all(bytes).expect("type");
        stdin.flush().expect("type");
    }

    /// Sends a signal to rivet (`kill -SIGNAL pid`).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Types `line` and a newline.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("console input is open");
        stdin.write_all(line.as_bytes()).expect("type");
        stdin.write_all(b"\n").expect("type");
        stdin.flush().expect("type");
    }

    /// Runs a shell command and returns what it printed before the next
    /// prompt (without the command's echo and the prompt line).
    pub fn run(&mut self, command: &str, timeout: Duration) -> String {
        self.send(command);
        self.expect(command, timeout);
        let out = self.expect(PROMPT, timeout);
        // The last line is the next prompt (`root@rivet:~# `).
        let body = out.rsplit_once('\n').map_or("", |(body, _)| body);
        body.replace('\r', "").trim().to_string()
    }

    /// Waits for rivet to exit and for its output to end; returns its
    /// status code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        let code = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "rivet did not exit within {timeout:?}; console:\n{}",
                    self.transcript()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let (lock, cond) = &*self.output;
        let mut out = lock.lock().unwrap_or_else(|e| e.into_inner());
        while out.open > 0 && Instant::now() < deadline {
            out = cond
                .wait_timeout(out, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        code
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        if self.group {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shell prompt of the guest images.
pub const PROMPT: &str = "# ";
