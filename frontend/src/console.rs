//! The serial console on the host terminal, with QEMU's `-nographic` habits.
//!
//! A thread reads standard input and hands bytes to the UART through a
//! shared queue. On a terminal, rivet switches it to raw mode (so keys such
//! as Ctrl-C reach the guest) and restores it on every way out: normal
//! exit, error, panic and signals ([`TerminalGuard`]). As in QEMU, `Ctrl-A`
//! starts an escape: `Ctrl-A X` quits, `Ctrl-A H` lists the keys, `Ctrl-A A`
//! sends a `Ctrl-A` to the guest. With pipes instead of a terminal the
//! same bytes flow, so scripts and tests can drive the guest.

use std::collections::VecDeque;
use std::io::{IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rivet_devices::Console;

/// The escape character: Ctrl-A.
const ESCAPE: u8 = 0x01;

const HELP: &str =
    "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\nC-a C-a  sends C-a\r\n";

#[derive(Default)]
struct Input {
    bytes: VecDeque<u8>,
    ended: bool,
    quit: bool,
}

#[derive(Default)]
struct Shared {
    input: Mutex<Input>,
    ready: Condvar,
}

/// Puts the terminal in raw mode and takes it out again when dropped.
pub struct TerminalGuard {
    active: bool,
}

impl TerminalGuard {
    /// Raw mode if standard input is a terminal; nothing otherwise.
    pub fn new() -> Self {
        let active =
            std::io::stdin().is_terminal() && crossterm::terminal::enable_raw_mode().is_ok();
        if active {
            // A panic must not leave the terminal raw.
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let _ = crossterm::terminal::disable_raw_mode();
                previous(info);
            }));
        }
        TerminalGuard { active }
    }

    /// Whether the terminal is in raw mode.
    pub fn is_raw(&self) -> bool {
        self.active
    }
}

impl Default for TerminalGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if self.active {
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
}

/// The console on standard input and output.
pub struct HostConsole {
    shared: Arc<Shared>,
    /// Set by the signal handlers (SIGINT, SIGTERM, SIGHUP): the machine
    /// stops at the next time slice and rivet exits cleanly.
    terminate: Arc<AtomicBool>,
    out: std::io::BufWriter<std::io::Stdout>,
    /// Raw mode: turn the guest's `\n` into `\r\n`, as a terminal's OPOST would.
    crlf: bool,
}

impl HostConsole {
    /// Starts reading standard input. `raw` says whether the terminal is in
    /// raw mode (see [`TerminalGuard`]); `terminate` is the flag the signal
    /// handlers set.
    pub fn new(raw: bool, terminate: Arc<AtomicBool>) -> Self {
        let shared = Arc::new(Shared::default());
        let reader = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("stdin".into())
            .spawn(move || read_stdin(&reader, raw))
            .ok();
        HostConsole {
            shared,
            terminate,
            out: std::io::BufWriter::new(std::io::stdout()),
            crlf: raw,
        }
    }
}

/// The stdin thread: reads bytes, interprets the Ctrl-A escapes, queues the rest.
fn read_stdin(shared: &Shared, raw: bool) {
    let mut stdin = std::io::stdin();
    let mut buf = [0u8; 256];
    let mut escape = false;
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) | Err(_) => 0,
            Ok(n) => n,
        };
        let mut input = shared.input.lock().unwrap_or_else(|e| e.into_inner());
        if n == 0 {
            input.ended = true;
            shared.ready.notify_all();
            return;
        }
        for &byte in &buf[..n] {
            if escape {
                escape = false;
                match byte {
                    b'x' | b'X' => input.quit = true,
                    b'h' | b'H' | b'?' => {
                        let help = if raw {
                            HELP.to_string()
                        } else {
                            HELP.replace('\r', "")
                        };
                        let _ = std::io::stderr().write_all(help.as_bytes());
                    }
                    ESCAPE | b'a' | b'A' => input.bytes.push_back(ESCAPE),
                    _ => {}
                }
            } else if byte == ESCAPE {
                escape = true;
            } else {
                input.bytes.push_back(byte);
            }
        }
        shared.ready.notify_all();
    }
}

impl Console for HostConsole {
    fn write(&mut self, bytes: &[u8]) {
        if self.crlf {
            for &b in bytes {
                if b == b'\n' {
                    let _ = self.out.write_all(b"\r\n");
                } else {
                    let _ = self.out.write_all(&[b]);
                }
            }
        } else {
            let _ = self.out.write_all(bytes);
        }
    }

    fn read(&mut self) -> Option<u8> {
        self.shared
            .input
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .bytes
            .pop_front()
    }

    fn wait(&mut self, timeout: Option<Duration>) -> bool {
        let _ = self.out.flush();
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut input = self.shared.input.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if !input.bytes.is_empty() || input.quit || self.terminate.load(Ordering::Relaxed) {
                return true;
            }
            if input.ended && deadline.is_none() {
                return false;
            }
            // Wake at least every 100 ms to notice signals.
            let mut step = Duration::from_millis(100);
            if let Some(d) = deadline {
                let now = Instant::now();
                if now >= d {
                    return true;
                }
                step = step.min(d - now);
            }
            input = self
                .shared
                .ready
                .wait_timeout(input, step)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn quit_requested(&self) -> bool {
        self.terminate.load(Ordering::Relaxed)
            || self.shared.input.lock().map(|i| i.quit).unwrap_or(true)
    }

    fn flush(&mut self) {
        let _ = self.out.flush();
    }
}
