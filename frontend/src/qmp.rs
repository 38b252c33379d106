//! QMP, the QEMU Machine Protocol: JSON commands, answers and events on a
//! character device (`-qmp`, `-qmp-pretty`, `-mon mode=control`), spoken
//! as QEMU 7.2 speaks it (QEMU's docs/interop/qmp-spec and its QMP
//! reference), for the commands rivet has.
//!
//! A device's input thread cuts the byte stream into JSON texts
//! ([`QmpInput`]: a text ends where its outermost object or array closes,
//! or at the end of a line) and queues them; the run loop executes them
//! between slices of the guest (`Qmp::service`). Both are bounded: a
//! text longer than [`MAX_MESSAGE`] is answered with an error and skipped
//! to the end of its line, and reading waits while [`MAX_QUEUED`] texts
//! wait or the answers are not being read. The JSON itself is parsed and
//! written by `serde_json`.
//!
//! The greeting names rivet's own version in QEMU's `qemu` fields
//! (`major`, `minor`, `micro`: rivet 0.1.0 is 0, 1, 0) and `rivet` in
//! `package`: the shape is QEMU's, so clients parse it, but the numbers
//! are not QEMU's. A client that gates features on QEMU's version then
//! sees an old QEMU and asks for less, which is right: rivet has a small
//! part of QEMU 7.2's commands. rivet offers no capabilities (no
//! out-of-band execution).

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use serde_json::ser::Formatter;
use serde_json::{json, Map, Value};

use rivet_devices::{VirtConfig, VirtExit, VirtMachine};

use crate::console::Output;
use crate::control::{Doorbell, EventSink, Request, State};
use crate::monitor::{crlf, Commands};

/// The longest JSON text rivet reads (QEMU 7.2 takes tokens up to 64 MiB):
/// a longer one is answered with an error and skipped to the end of its line.
pub const MAX_MESSAGE: usize = 1 << 20;

/// Texts read and not yet executed before reading waits (QEMU waits at 8).
pub const MAX_QUEUED: usize = 8;

/// What the input gives the run loop.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    /// One JSON text, not yet parsed.
    Text(Vec<u8>),
    /// A text longer than [`MAX_MESSAGE`], skipped.
    TooLong,
}

/// Cuts a byte stream into JSON texts, without parsing them: it tracks
/// strings and the nesting of objects and arrays, which is all it takes
/// to find where a text ends.
#[derive(Default)]
pub struct Framer {
    buf: Vec<u8>,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// After a text that was too long: dropping bytes to the end of the line.
    skipping: bool,
    /// The length at which an unfinished text spanning lines is next
    /// tried (doubling: the tries cost at most twice the text).
    next_try: usize,
}

impl Framer {
    /// Takes one byte; a finished text (or the news that one was too long).
    pub fn push(&mut self, byte: u8) -> Option<Incoming> {
        if self.skipping {
            self.skipping = byte != b'\n';
            return None;
        }
        if self.buf.is_empty() && byte.is_ascii_whitespace() {
            return None;
        }
        self.buf.push(byte);
        let complete = if self.in_string {
            match byte {
                _ if self.escaped => {
                    self.escaped = false;
                    false
                }
                b'\\' => {
                    self.escaped = true;
                    false
                }
                b'"' => {
                    self.in_string = false;
                    false
                }
                // A raw line feed is never inside a JSON string: the text is broken.
                b'\n' => true,
                _ => false,
            }
        } else {
            match byte {
                b'"' => {
                    self.in_string = true;
                    false
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    false
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.depth == 0
                }
                b'\n' if self.depth == 0 => true,
                // A text spanning lines: a syntax error already in it ends it
                // (else a stray bracket would swallow the texts after it).
                b'\n' if self.buf.len() >= self.next_try => {
                    self.next_try = self.buf.len() * 2;
                    serde_json::from_slice::<Value>(&self.buf).is_err_and(|e| !e.is_eof())
                }
                _ => false,
            }
        };
        if complete {
            return Some(Incoming::Text(self.take()));
        }
        if self.buf.len() > MAX_MESSAGE {
            self.take();
            self.skipping = byte != b'\n';
            return Some(Incoming::TooLong);
        }
        None
    }

    /// Forgets a partial text (a new client).
    pub fn reset(&mut self) {
        self.take();
        self.skipping = false;
    }

    fn take(&mut self) -> Vec<u8> {
        self.depth = 0;
        self.in_string = false;
        self.escaped = false;
        self.next_try = 0;
        std::mem::take(&mut self.buf)
    }
}

#[derive(Default)]
struct InputState {
    framer: Framer,
    queue: VecDeque<Incoming>,
    ended: bool,
    /// Counts the clients greeted: an answer to a client that has gone is
    /// not given to the next.
    client: u64,
}

/// A QMP monitor's input: the texts its device's thread read.
pub struct QmpInput {
    state: Mutex<InputState>,
    /// Rung when a text is queued or input ends.
    bell: Arc<Doorbell>,
    /// The run loop took a text: there is room in the queue.
    room: Condvar,
    pretty: bool,
    /// The client has sent `qmp_capabilities`.
    negotiated: Arc<AtomicBool>,
}

impl QmpInput {
    /// The input of a monitor whose answers are `pretty` (or one line
    /// each), ringing `bell` when a text is ready.
    pub(crate) fn new(bell: Arc<Doorbell>, pretty: bool) -> Self {
        QmpInput {
            state: Mutex::default(),
            bell,
            room: Condvar::new(),
            pretty,
            negotiated: Arc::new(AtomicBool::new(false)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, InputState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `item`, waiting while the queue is full.
    fn queue(&self, item: Incoming) {
        let mut s = self.lock();
        while s.queue.len() >= MAX_QUEUED && !s.ended {
            s = self.room.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        s.queue.push_back(item);
        drop(s);
        self.bell.ring();
    }

    /// The device opened or a client connected: the greeting, and
    /// negotiation starts again. What the last client sent and rivet has
    /// not executed is dropped with it, as QEMU drops it.
    pub(crate) fn greet(&self, out: &Output) {
        let mut s = self.lock();
        s.client += 1;
        s.framer.reset();
        s.queue.clear();
        self.negotiated.store(false, Ordering::Relaxed);
        out.push_text(&to_text(&greeting(), self.pretty));
        drop(s);
        self.room.notify_all();
    }

    /// The client went: what it sent and rivet has not executed is
    /// dropped, as QEMU drops it, and so are the answers still to come.
    pub(crate) fn closed(&self) {
        let mut s = self.lock();
        s.client += 1;
        s.framer.reset();
        s.queue.clear();
        self.negotiated.store(false, Ordering::Relaxed);
        drop(s);
        self.room.notify_all();
    }

    /// One byte read.
    pub(crate) fn key(&self, byte: u8) {
        let frame = self.lock().framer.push(byte);
        if let Some(frame) = frame {
            self.queue(frame);
        }
    }

    /// No more input will come.
    pub(crate) fn end(&self) {
        self.lock().ended = true;
        self.room.notify_all();
        self.bell.ring();
    }

    /// Wakes the run loop (to see a quit).
    pub(crate) fn wake(&self) {
        self.bell.ring();
    }

    /// The next text, and the client that sent it.
    fn take(&self) -> Option<(u64, Incoming)> {
        let mut s = self.lock();
        let item = s.queue.pop_front().map(|i| (s.client, i));
        drop(s);
        self.room.notify_all();
        item
    }

    /// `client` finished negotiating, if it is still the one connected (a
    /// client greeted since must negotiate for itself).
    fn negotiate(&self, client: u64) {
        let s = self.lock();
        if s.client == client {
            self.negotiated.store(true, Ordering::Relaxed);
        }
    }

    /// Writes `text` to `out` if `client` is still the one connected.
    fn answer(&self, client: u64, text: &str, out: &Output) {
        let s = self.lock();
        if s.client == client {
            out.push_text(text);
        }
    }

    fn live(&self) -> bool {
        let s = self.lock();
        !s.ended || !s.queue.is_empty()
    }
}

/// The greeting: rivet's version in QEMU's shape (see the module's notes).
fn greeting() -> Value {
    json!({"QMP": {"version": version(), "capabilities": []}})
}

/// `query-version`'s answer: rivet's version.
fn version() -> Value {
    let mut parts = env!("CARGO_PKG_VERSION")
        .split(['.', '-'])
        .map(|p| p.parse::<u64>().unwrap_or(0));
    let (major, minor, micro) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    json!({
        "qemu": {"micro": micro, "minor": minor, "major": major},
        "package": format!("rivet {}", env!("CARGO_PKG_VERSION")),
    })
}

/// Writes JSON as QEMU 7.2 does on one line: `, ` and `: ` between
/// members, non-ASCII characters as `\uXXXX`.
struct QemuFormatter;

impl Formatter for QemuFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_array_value(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                w.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04X}")?;
                }
            }
        }
        Ok(())
    }
}

/// Writes JSON as QEMU 7.2's `pretty=on` does: each member and element
/// on its own line, four spaces a level, and a closing bracket on a line
/// of its own even when nothing is inside.
#[derive(Default)]
struct QemuPrettyFormatter {
    level: usize,
}

impl QemuPrettyFormatter {
    fn line<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.level {
            w.write_all(b"    ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level = self.level.saturating_sub(1);
        self.line(w)?;
        w.write_all(bracket)
    }

    fn next<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.line(w)
    }
}

impl Formatter for QemuPrettyFormatter {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next(w, first)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.next(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        QemuFormatter.write_string_fragment(w, fragment)
    }
}

/// One message as written on the wire: on one line, or pretty (QEMU's
/// four-space indentation); lines end in `\r\n`, as QEMU's do.
pub(crate) fn to_text(value: &Value, pretty: bool) -> String {
    let mut bytes = Vec::new();
    let written = if pretty {
        let mut s =
            serde_json::Serializer::with_formatter(&mut bytes, QemuPrettyFormatter::default());
        serde::Serialize::serialize(value, &mut s)
    } else {
        let mut s = serde_json::Serializer::with_formatter(&mut bytes, QemuFormatter);
        serde::Serialize::serialize(value, &mut s)
    };
    // Serialising a Value into memory cannot fail; a line feed in the
    // text is only ever the pretty form's (strings escape theirs).
    debug_assert!(written.is_ok());
    let mut text = String::from_utf8_lossy(&bytes).replace('\n', "\r\n");
    text.push_str("\r\n");
    text
}

/// An error answer: QEMU's class and description.
#[derive(Debug, PartialEq, Eq)]
pub struct QmpError {
    /// `GenericError` or `CommandNotFound`.
    pub class: &'static str,
    /// What went wrong, in QEMU 7.2's words.
    pub desc: String,
}

fn generic(desc: impl Into<String>) -> QmpError {
    QmpError {
        class: "GenericError",
        desc: desc.into(),
    }
}

fn not_found(desc: impl Into<String>) -> QmpError {
    QmpError {
        class: "CommandNotFound",
        desc: desc.into(),
    }
}

/// An argument's type.
#[derive(Clone, Copy)]
enum Kind {
    Str,
    Int,
    Array,
}

/// A command's argument: its name, type, and whether it must be given.
struct Param(&'static str, Kind, bool);

/// rivet's commands and their arguments.
const COMMANDS: &[(&str, &[Param])] = &[
    ("qmp_capabilities", &[Param("enable", Kind::Array, false)]),
    ("query-version", &[]),
    ("query-commands", &[]),
    ("query-status", &[]),
    ("query-name", &[]),
    ("query-target", &[]),
    ("query-kvm", &[]),
    ("query-uuid", &[]),
    ("query-current-machine", &[]),
    ("query-cpus-fast", &[]),
    ("stop", &[]),
    ("cont", &[]),
    ("system_reset", &[]),
    ("system_powerdown", &[]),
    ("quit", &[]),
    (
        "human-monitor-command",
        &[
            Param("command-line", Kind::Str, true),
            Param("cpu-index", Kind::Int, false),
        ],
    ),
];

/// Checks `args` against `params` in QEMU's order: each declared
/// argument (missing, mistyped), then any argument left over.
fn check_arguments(params: &[Param], args: &Map<String, Value>) -> Result<(), QmpError> {
    for Param(name, kind, required) in params {
        let Some(value) = args.get(*name) else {
            if *required {
                return Err(generic(format!("Parameter '{name}' is missing")));
            }
            continue;
        };
        let (fits, word) = match kind {
            Kind::Str => (value.is_string(), "string"),
            Kind::Int => (value.is_i64() || value.is_u64(), "integer"),
            Kind::Array => (value.is_array(), "array"),
        };
        if !fits {
            return Err(generic(format!(
                "Invalid parameter type for '{name}', expected: {word}"
            )));
        }
    }
    match args
        .keys()
        .find(|k| !params.iter().any(|Param(n, _, _)| n == k))
    {
        Some(k) => Err(generic(format!("Parameter '{k}' is unexpected"))),
        None => Ok(()),
    }
}

/// `qmp_capabilities`' `enable`: a list of capabilities QMP knows (only
/// `oob`); whether it asks for `oob`, which rivet does not offer.
fn check_capabilities(enable: Option<&Value>) -> Result<bool, QmpError> {
    let mut oob = false;
    for (i, cap) in enable
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        match cap.as_str() {
            None => {
                return Err(generic(format!(
                    "Invalid parameter type for 'enable[{i}]', expected: string"
                )))
            }
            Some("oob") => oob = true,
            Some(other) => {
                return Err(generic(format!(
                    "Parameter 'null' does not accept value '{other}'"
                )))
            }
        }
    }
    Ok(oob)
}

/// A QMP monitor: its device, its session and the human monitor commands
/// `human-monitor-command` runs.
pub struct Qmp {
    input: Arc<QmpInput>,
    out: Arc<Output>,
    hmp: Commands,
    /// `-name`.
    name: Option<String>,
    /// The client whose text is being executed.
    client: u64,
}

impl Qmp {
    /// A monitor on `input` and `out`, for machines built from `config`
    /// and named `name`.
    pub(crate) fn new(
        input: Arc<QmpInput>,
        out: Arc<Output>,
        config: &VirtConfig,
        name: Option<String>,
    ) -> Self {
        Qmp {
            input,
            out,
            hmp: Commands::new(config),
            name,
            client: 0,
        }
    }

    /// Where the events go.
    pub(crate) fn sink(&self) -> EventSink {
        EventSink {
            out: Arc::clone(&self.out),
            negotiated: Arc::clone(&self.input.negotiated),
            pretty: self.input.pretty,
        }
    }

    /// Whether input can still come.
    pub(crate) fn live(&self) -> bool {
        self.input.live()
    }

    /// Executes the texts read since the last look (while the client reads
    /// the answers); returns how the run ends if a command ends it.
    pub(crate) fn service(&mut self, vm: &mut VirtMachine, state: &mut State) -> Option<VirtExit> {
        while self.out.has_room() {
            let (client, incoming) = self.input.take()?;
            self.client = client;
            let (answer, exit) = match incoming {
                Incoming::TooLong => (
                    error_answer(
                        &generic(format!(
                            "JSON parse error, message longer than {MAX_MESSAGE} bytes"
                        )),
                        None,
                    ),
                    None,
                ),
                Incoming::Text(text) => self.handle(vm, state, &text),
            };
            self.input
                .answer(client, &to_text(&answer, self.input.pretty), &self.out);
            if exit.is_some() {
                return exit;
            }
        }
        None
    }

    /// One text: its answer, and how the run ends if the command ends it.
    fn handle(
        &mut self,
        vm: &VirtMachine,
        state: &mut State,
        text: &[u8],
    ) -> (Value, Option<VirtExit>) {
        let value = match serde_json::from_slice::<Value>(text) {
            Ok(v) => v,
            Err(e) => {
                let e = generic(format!("JSON parse error, {e}"));
                return (error_answer(&e, None), None);
            }
        };
        let Value::Object(mut message) = value else {
            return (
                error_answer(&generic("QMP input must be a JSON object"), None),
                None,
            );
        };
        let id = message.remove("id");
        let mut exit = None;
        let answer = match self.dispatch(vm, state, &message, &mut exit) {
            Ok(value) => {
                let mut answer = json!({ "return": value });
                if let Some(id) = &id {
                    answer["id"] = id.clone();
                }
                answer
            }
            Err(e) => error_answer(&e, id),
        };
        (answer, exit)
    }

    /// Checks a request and executes its command; sets `exit` if the
    /// command ends the run.
    fn dispatch(
        &mut self,
        vm: &VirtMachine,
        state: &mut State,
        message: &Map<String, Value>,
        exit: &mut Option<VirtExit>,
    ) -> Result<Value, QmpError> {
        if let Some(k) = message
            .keys()
            .find(|k| !matches!(k.as_str(), "execute" | "arguments"))
        {
            return Err(generic(format!("QMP input member '{k}' is unexpected")));
        }
        let name = match message.get("execute") {
            None => return Err(generic("QMP input lacks member 'execute'")),
            Some(Value::String(name)) => name.as_str(),
            Some(_) => return Err(generic("QMP input member 'execute' must be a string")),
        };
        let empty = Map::new();
        let args = match message.get("arguments") {
            None => &empty,
            Some(Value::Object(args)) => args,
            Some(_) => return Err(generic("QMP input member 'arguments' must be an object")),
        };
        let negotiated = self.input.negotiated.load(Ordering::Relaxed);
        if !negotiated && name != "qmp_capabilities" {
            return Err(not_found(
                "Expecting capabilities negotiation with 'qmp_capabilities'",
            ));
        }
        let Some((_, params)) = COMMANDS.iter().find(|(n, _)| *n == name) else {
            return Err(not_found(format!("The command {name} has not been found")));
        };
        check_arguments(params, args)?;
        let harts = vm.machine.harts.len();
        let mut request = |r: Request| {
            *exit = state.apply(r);
            Ok(json!({}))
        };
        match name {
            // The arguments are read (and their values checked) first, as in QEMU.
            "qmp_capabilities" => {
                let enable = check_capabilities(args.get("enable"))?;
                if negotiated {
                    return Err(not_found(
                        "Capabilities negotiation is already complete, command ignored",
                    ));
                }
                if enable {
                    return Err(generic("Capability 'oob' not available"));
                }
                self.input.negotiate(self.client);
                Ok(json!({}))
            }
            "query-version" => Ok(version()),
            "query-commands" => Ok(COMMANDS.iter().map(|(n, _)| json!({ "name": n })).collect()),
            "query-status" => {
                let running = !state.paused();
                Ok(json!({
                    "status": if running { "running" } else { "paused" },
                    "singlestep": false,
                    "running": running,
                }))
            }
            "query-name" => Ok(match &self.name {
                Some(name) => json!({ "name": name }),
                None => json!({}),
            }),
            "query-target" => Ok(json!({"arch": "riscv64"})),
            // rivet is an interpreter: no KVM, here or anywhere.
            "query-kvm" => Ok(json!({"enabled": false, "present": false})),
            // rivet takes no -uuid: the machine's is QEMU's default, the nil UUID.
            "query-uuid" => Ok(json!({"UUID": "00000000-0000-0000-0000-000000000000"})),
            // The virt board cannot suspend.
            "query-current-machine" => Ok(json!({"wakeup-suspend-support": false})),
            "query-cpus-fast" => {
                // Every hart runs on rivet's one emulation thread, the main one.
                let tid = std::process::id();
                Ok((0..harts)
                    .map(|i| {
                        json!({
                            "thread-id": tid,
                            "props": {"core-id": i},
                            "qom-path": format!("/machine/soc0/harts[{i}]"),
                            "cpu-index": i,
                            "target": "riscv64",
                        })
                    })
                    .collect())
            }
            "stop" => request(Request::Stop),
            "cont" => request(Request::Cont),
            "system_reset" => request(Request::Reset),
            "system_powerdown" => request(Request::Powerdown),
            "quit" => request(Request::Quit),
            "human-monitor-command" => {
                let line = args
                    .get("command-line")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let index = args
                    .get("cpu-index")
                    .map(|v| v.as_u64().and_then(|i| usize::try_from(i).ok()));
                let cpu = match index {
                    None => 0,
                    Some(Some(i)) if i < harts => i,
                    Some(_) => return Err(generic("Parameter 'cpu-index' expects a CPU number")),
                };
                self.hmp.set_cpu(cpu);
                let (text, r) = self.hmp.execute(vm, line, state.paused());
                if let Some(r) = r {
                    *exit = state.apply(r);
                }
                Ok(Value::String(crlf(&text)))
            }
            _ => Err(not_found(format!("The command {name} has not been found"))),
        }
    }
}

/// An error answer, with the request's `id` if it had one.
fn error_answer(e: &QmpError, id: Option<Value>) -> Value {
    let error = json!({"class": e.class, "desc": e.desc});
    match id {
        Some(id) => json!({"id": id, "error": error}),
        None => json!({ "error": error }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(bytes: &[u8]) -> Vec<Incoming> {
        let mut f = Framer::default();
        bytes.iter().filter_map(|&b| f.push(b)).collect()
    }

    fn text(s: &str) -> Incoming {
        Incoming::Text(s.as_bytes().to_vec())
    }

    /// A `qmp_capabilities` executed for a client that has gone since does
    /// not negotiate for the client greeted after it.
    #[test]
    fn negotiation_belongs_to_the_client_that_asked() {
        let input = QmpInput::new(Arc::new(crate::control::Doorbell::default()), false);
        let out = Output::start(Box::new(std::io::sink()));
        input.greet(&out);
        let first = input.lock().client;
        input.closed();
        input.greet(&out);
        input.negotiate(first);
        assert!(!input.negotiated.load(Ordering::Relaxed));
        let current = input.lock().client;
        input.negotiate(current);
        assert!(input.negotiated.load(Ordering::Relaxed));
    }

    #[test]
    fn texts_end_where_their_object_closes_or_at_the_line_end() {
        assert_eq!(
            frames(b"{\"execute\": \"stop\"}{\"a\": [1, \"}\"]}\n"),
            [text("{\"execute\": \"stop\"}"), text("{\"a\": [1, \"}\"]}")]
        );
        // Spanning lines, as QEMU reads it.
        assert_eq!(
            frames(b"{\"execute\":\n \"stop\"\n}"),
            [text("{\"execute\":\n \"stop\"\n}")]
        );
        assert_eq!(frames(b"  123\n\nxyz\n"), [text("123\n"), text("xyz\n")]);
        assert_eq!(frames(b"\"a\\\"}\"\n"), [text("\"a\\\"}\"\n")]);
        // A stray bracket ends its line's text, not the next ones.
        assert_eq!(
            frames(b"{\"a\": '{'}\n{\"b\": 1}\n"),
            [text("{\"a\": '{'}\n"), text("{\"b\": 1}")]
        );
    }

    #[test]
    fn a_huge_text_is_refused_and_skipped_in_bounded_memory() {
        let mut f = Framer::default();
        let mut out = Vec::new();
        out.extend(f.push(b'['));
        for _ in 0..10 << 20 {
            out.extend(f.push(b'1'));
            assert!(f.buf.len() <= MAX_MESSAGE + 1);
        }
        out.extend(b"]\n{}".iter().filter_map(|&b| f.push(b)));
        assert_eq!(out, [Incoming::TooLong, text("{}")]);
    }

    #[test]
    fn garbage_never_panics_and_stays_bounded() {
        // A deterministic pseudo-random stream (xorshift), with every byte.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut f = Framer::default();
        for _ in 0..4 << 20 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if let Some(Incoming::Text(t)) = f.push(x.to_le_bytes()[0]) {
                assert!(t.len() <= MAX_MESSAGE + 1);
                let _ = serde_json::from_slice::<Value>(&t);
            }
            assert!(f.buf.len() <= MAX_MESSAGE + 1);
        }
    }

    #[test]
    fn answers_are_written_as_qemu_writes_them() {
        let v = json!({"return": {"a": [1, 2], "b": "\u{e9}"}, "id": 7});
        assert_eq!(
            to_text(&v, false),
            "{\"return\": {\"a\": [1, 2], \"b\": \"\\u00E9\"}, \"id\": 7}\r\n"
        );
        assert_eq!(
            to_text(&json!({"a": 1, "b": {}, "c": [2]}), true),
            "{\r\n    \"a\": 1,\r\n    \"b\": {\r\n    },\r\n    \"c\": [\r\n        2\r\n    ]\r\n}\r\n"
        );
    }

    #[test]
    fn arguments_are_checked_as_qemu_checks_them() {
        let params = &[
            Param("command-line", Kind::Str, true),
            Param("cpu-index", Kind::Int, false),
        ];
        let args = |v: Value| v.as_object().cloned().unwrap();
        assert_eq!(
            check_arguments(params, &args(json!({}))).unwrap_err().desc,
            "Parameter 'command-line' is missing"
        );
        assert_eq!(
            check_arguments(params, &args(json!({"command-line": 5, "x": 1})))
                .unwrap_err()
                .desc,
            "Invalid parameter type for 'command-line', expected: string"
        );
        assert_eq!(
            check_arguments(params, &args(json!({"command-line": "", "x": 1})))
                .unwrap_err()
                .desc,
            "Parameter 'x' is unexpected"
        );
        assert!(
            check_arguments(params, &args(json!({"command-line": "", "cpu-index": 0}))).is_ok()
        );
        assert_eq!(
            check_capabilities(Some(&json!(["foo"]))).unwrap_err().desc,
            "Parameter 'null' does not accept value 'foo'"
        );
        assert_eq!(
            check_capabilities(Some(&json!([5]))).unwrap_err().desc,
            "Invalid parameter type for 'enable[0]', expected: string"
        );
    }

    #[test]
    fn the_greeting_names_rivets_version() {
        let g = greeting();
        assert_eq!(g["QMP"]["capabilities"], json!([]));
        let v = &g["QMP"]["version"];
        assert_eq!(
            format!(
                "{}.{}.{}",
                v["qemu"]["major"], v["qemu"]["minor"], v["qemu"]["micro"]
            ),
            env!("CARGO_PKG_VERSION")
        );
        assert_eq!(v["package"], format!("rivet {}", env!("CARGO_PKG_VERSION")));
    }
}
