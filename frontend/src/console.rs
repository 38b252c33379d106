//! The serial console of the UART, with QEMU's `-nographic` habits.
//!
//! A character device's thread ([`crate::chardev`]) hands bytes to the
//! UART through a shared queue ([`SerialInput`]); the guest's output goes
//! to the device's output queue ([`Output`]), written by a thread of its
//! own. On a terminal, rivet switches it to raw mode (so keys such as
//! Ctrl-C reach the guest) and restores it on every way out: normal exit,
//! error, panic and signals ([`TerminalGuard`]). The Ctrl-A keys are read
//! by the character device ([`crate::chardev::Router`]).

use std::collections::VecDeque;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rivet_devices::Console;

/// Input on its way to the UART, queued by a character device's thread.
#[derive(Default)]
struct Input {
    bytes: VecDeque<u8>,
    ended: bool,
    /// Another source of input (a network card) has something for the
    /// machine: the next wait returns at once.
    woken: bool,
}

/// The most input bytes queued for the guest. Past it the device's thread
/// stops reading until the guest takes some (back-pressure, as a real
/// serial line has): a guest that never reads its UART cannot make rivet
/// queue `yes | rivet ...` without end.
const INPUT_LIMIT: usize = 4096;

/// The serial line's input queue, filled by its character device.
#[derive(Default)]
pub struct SerialInput {
    input: Mutex<Input>,
    /// Input arrived (or ended, or rivet is to quit).
    ready: Condvar,
    /// The guest took input: there is room in the queue again.
    room: Condvar,
    /// Called after each byte queued (a virtio console port wakes the
    /// board with it).
    on_push: Mutex<Option<PushHook>>,
}

/// What [`SerialInput`] calls when it queues a byte.
pub(crate) type PushHook = Box<dyn Fn() + Send + Sync>;

impl SerialInput {
    /// Queues `byte` for the guest, first waiting for room.
    pub(crate) fn push(&self, byte: u8) {
        let mut input = self.input.lock().unwrap_or_else(|e| e.into_inner());
        while input.bytes.len() >= INPUT_LIMIT {
            input = self.room.wait(input).unwrap_or_else(|e| e.into_inner());
        }
        input.bytes.push_back(byte);
        self.ready.notify_all();
        drop(input);
        if let Some(hook) = self
            .on_push
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            hook();
        }
    }

    /// Calls `hook` after each byte queued from now on.
    pub(crate) fn on_push(&self, hook: PushHook) {
        *self.on_push.lock().unwrap_or_else(|e| e.into_inner()) = Some(hook);
    }

    /// Moves queued bytes into `buf` (never waiting); returns how many.
    pub(crate) fn take(&self, buf: &mut [u8]) -> usize {
        let mut input = self.input.lock().unwrap_or_else(|e| e.into_inner());
        let n = buf.len().min(input.bytes.len());
        for (slot, byte) in buf.iter_mut().zip(input.bytes.drain(..n)) {
            *slot = byte;
        }
        if n > 0 {
            // The device's thread may be waiting for room.
            self.room.notify_all();
        }
        n
    }

    /// Whether bytes are queued.
    pub(crate) fn has_input(&self) -> bool {
        !self
            .input
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .bytes
            .is_empty()
    }

    /// No more input will come.
    pub(crate) fn end(&self) {
        self.input.lock().unwrap_or_else(|e| e.into_inner()).ended = true;
        self.ready.notify_all();
    }

    /// Wakes a waiting machine (to see a quit).
    pub(crate) fn wake(&self) {
        self.ready.notify_all();
    }
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

/// The console of the UART: its input queue and the output of its
/// character device (standard output, a file, a socket, ...).
pub struct HostConsole {
    shared: Arc<SerialInput>,
    /// Set by the signal handlers (SIGINT, SIGTERM, SIGHUP): the machine
    /// stops at the next time slice and rivet exits cleanly.
    terminate: Arc<AtomicBool>,
    /// Set by Ctrl-A x and the monitor's `quit`.
    quit: Arc<AtomicBool>,
    /// Guest output on its way to the device (see [`Output`]).
    output: Arc<Output>,
    /// Raw mode: turn the guest's `\n` into `\r\n`, as a terminal's OPOST would.
    crlf: bool,
    /// `--timeout`: once the host clock passes it, the machine stops as it
    /// does for a signal.
    deadline: Option<Instant>,
}

/// How long output still drains after a `--timeout` before rivet gives up
/// on a standard output nobody reads.
const DRAIN_AFTER_TIMEOUT: Duration = Duration::from_secs(1);

impl HostConsole {
    /// The console on `shared` (filled by its character device) and
    /// `output`. `raw` says whether the terminal is in raw mode (see
    /// [`TerminalGuard`]); `terminate` is the flag the signal handlers
    /// set, `quit` the one Ctrl-A x and the monitor set.
    pub(crate) fn new(
        shared: Arc<SerialInput>,
        output: Arc<Output>,
        raw: bool,
        terminate: Arc<AtomicBool>,
        quit: Arc<AtomicBool>,
    ) -> Self {
        HostConsole {
            shared,
            terminate,
            quit,
            output,
            crlf: raw,
            deadline: None,
        }
    }

    /// Stops the machine once the host clock passes `deadline`
    /// (`--timeout`): the console asks to quit, and waits no longer.
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = Some(deadline);
    }

    /// Whether the `--timeout` deadline has passed.
    fn timed_out(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Waits (in steps of 100 ms, to notice signals) until `done` holds of
    /// the output queue; gives up, returning `false`, once a signal has
    /// asked rivet to terminate, or [`DRAIN_AFTER_TIMEOUT`] after the
    /// `--timeout` deadline.
    fn wait_for_output(&self, done: impl Fn(&Pending) -> bool) -> bool {
        let mut queue = self.output.queue.lock().unwrap_or_else(|e| e.into_inner());
        while !done(&queue) {
            let drained_too_long = self
                .deadline
                .is_some_and(|d| Instant::now() >= d + DRAIN_AFTER_TIMEOUT);
            if self.terminate.load(Ordering::Relaxed) || drained_too_long {
                return false;
            }
            queue = self
                .output
                .drained
                .wait_timeout(queue, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

/// The most output bytes queued for standard output. A reader that stops
/// reading (a full pipe) holds the guest's output back there; the machine
/// waits for room, but never inside a blocking write, so a signal still
/// ends rivet, with its disks flushed (before, a `write` to the full pipe
/// held the run loop, and SIGTERM went unheard).
const OUTPUT_LIMIT: usize = 64 * 1024;

/// Output of a character device, written by its own thread.
#[derive(Default)]
pub struct Output {
    queue: Mutex<Pending>,
    /// Output was queued.
    pending: Condvar,
    /// The stdout thread wrote what it had taken.
    drained: Condvar,
}

/// Output not yet written.
#[derive(Default)]
struct Pending {
    /// Queued by the guest.
    bytes: VecDeque<u8>,
    /// The stdout thread is writing bytes it took from the queue.
    writing: bool,
}

impl Output {
    /// The output queue of `sink`, with the thread that writes it.
    pub(crate) fn start(sink: Box<dyn Write + Send>) -> Arc<Output> {
        let output = Arc::new(Output::default());
        let writer = Arc::clone(&output);
        std::thread::Builder::new()
            .name("chardev-out".into())
            .spawn(move || write_stdout(&writer, sink))
            .ok();
        output
    }

    /// Queues `bytes` (never waiting: the monitor's answers, the help).
    pub(crate) fn push(&self, bytes: &[u8]) {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let was_empty = queue.bytes.is_empty();
        queue.bytes.extend(bytes);
        if was_empty {
            self.pending.notify_one();
        }
    }

    /// Whether the queue has room for more guest output (below the limit
    /// the serial line also keeps to).
    pub(crate) fn has_room(&self) -> bool {
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .bytes
            .len()
            < OUTPUT_LIMIT
    }

    /// Queues `text`.
    pub(crate) fn push_text(&self, text: &str) {
        self.push(text.as_bytes());
    }

    /// Drops what is queued and waits (at most a second) for what is
    /// being written: output meant for a client that has gone.
    pub(crate) fn discard(&self) {
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .bytes
            .clear();
        self.drain(Duration::from_secs(1));
    }

    /// Waits, at most `limit`, until what is queued has been written (a
    /// monitor's last answer, before rivet exits).
    pub(crate) fn drain(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        while (!queue.bytes.is_empty() || queue.writing) && Instant::now() < deadline {
            queue = self
                .drained
                .wait_timeout(queue, Duration::from_millis(20))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// The stdout thread: writes queued output to `stdout` (standard output,
/// or the `-serial` file) as it comes. It alone may block on it.
fn write_stdout(output: &Output, mut stdout: Box<dyn Write + Send>) {
    let mut chunk = Vec::new();
    loop {
        {
            let mut queue = output.queue.lock().unwrap_or_else(|e| e.into_inner());
            while queue.bytes.is_empty() {
                queue = output
                    .pending
                    .wait(queue)
                    .unwrap_or_else(|e| e.into_inner());
            }
            chunk.clear();
            chunk.extend(queue.bytes.drain(..));
            queue.writing = true;
        }
        let ok = stdout
            .write_all(&chunk)
            .and_then(|()| stdout.flush())
            .is_ok();
        output
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .writing = false;
        output.drained.notify_all();
        if !ok {
            // Standard output is gone (a closed pipe): drop what comes.
            loop {
                let mut queue = output.queue.lock().unwrap_or_else(|e| e.into_inner());
                queue.bytes.clear();
                output.drained.notify_all();
                drop(output.pending.wait(queue));
            }
        }
    }
}

impl Console for HostConsole {
    fn write(&mut self, bytes: &[u8]) {
        let mut data = Vec::with_capacity(bytes.len() * 2);
        for &b in bytes {
            if self.crlf && b == b'\n' {
                data.extend_from_slice(b"\r\n");
            } else {
                data.push(b);
            }
        }
        let room = |queue: &Pending| {
            queue.bytes.is_empty() || queue.bytes.len() + data.len() <= OUTPUT_LIMIT
        };
        if !self.wait_for_output(room) {
            // Terminating, and the reader is not reading: the bytes are lost
            // as they would be in a killed QEMU.
            return;
        }
        let mut queue = self.output.queue.lock().unwrap_or_else(|e| e.into_inner());
        // The stdout thread waits only on an empty queue: wake it then,
        // not for every byte (most guests write a byte at a time).
        let was_empty = queue.bytes.is_empty();
        queue.bytes.extend(data);
        if was_empty {
            self.output.pending.notify_one();
        }
    }

    fn read(&mut self) -> Option<u8> {
        let mut input = self.shared.input.lock().unwrap_or_else(|e| e.into_inner());
        let byte = input.bytes.pop_front();
        if byte.is_some() && input.bytes.len() + 1 == INPUT_LIMIT {
            // The stdin thread may be waiting for room.
            self.shared.room.notify_all();
        }
        byte
    }

    fn wait(&mut self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut input = self.shared.input.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if std::mem::take(&mut input.woken) {
                return true;
            }
            if !input.bytes.is_empty()
                || self.quit.load(Ordering::Relaxed)
                || self.terminate.load(Ordering::Relaxed)
                || self.timed_out()
            {
                return true;
            }
            if input.ended && deadline.is_none() {
                return false;
            }
            // Wake at least every 100 ms to notice signals (and so the
            // --timeout deadline, within 100 ms).
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

    fn waker(&self) -> Option<rivet_devices::console::Waker> {
        let shared = Arc::clone(&self.shared);
        Some(Arc::new(move || {
            shared.input.lock().unwrap_or_else(|e| e.into_inner()).woken = true;
            shared.ready.notify_all();
        }))
    }

    fn quit_requested(&self) -> bool {
        self.terminate.load(Ordering::Relaxed)
            || self.timed_out()
            || self.quit.load(Ordering::Relaxed)
    }

    /// Waits until the stdout thread has written everything queued (it
    /// writes as output comes, so there is no buffer to push), unless a
    /// signal asks rivet to terminate first.
    fn flush(&mut self) {
        self.wait_for_output(|queue| queue.bytes.is_empty() && !queue.writing);
    }
}
