//! Character devices, as QEMU's `-chardev`, `-serial` and `-monitor` name
//! them: where the serial line and the monitor send their bytes and take
//! theirs from.
//!
//! A backend is standard input and output (`stdio`), nothing (`null`), a
//! file (`file`, output only), a pair of pipes (`pipe`: `PATH.in` and
//! `PATH.out`, or `PATH` for both), or a stream socket (`socket`: TCP or
//! Unix-domain, listening or connecting). Each opened device has a thread
//! that writes its output (the only place that may block on the host) and
//! a thread that reads its input and hands it to its front ends through a
//! [`Router`]: the serial line's queue, or the monitor's line editor. A
//! device shared by the serial line and the monitor (`mon:stdio`,
//! `mux=on`) multiplexes them with QEMU's Ctrl-A keys; stdio always takes
//! those keys, as rivet's console always has.
//!
//! A listening socket takes one client at a time. Without a client the
//! output is dropped; when the client goes, the socket accepts the next
//! one. With `wait=on` rivet waits for the first client before the guest
//! runs, as QEMU does.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::cli::{parse_bool, parse_kv, unknown_key, UsageError};
use crate::console::{Output, SerialInput};
use crate::monitor::MonitorInput;
use crate::qmp::QmpInput;
use crate::run::RunError;

/// Where a stream socket is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SocketAddress {
    /// A TCP port on `host` (empty: every address of this machine, as QEMU).
    Tcp {
        /// The host name or address.
        host: String,
        /// The port.
        port: u16,
    },
    /// A Unix-domain socket.
    Unix(PathBuf),
}

impl std::fmt::Display for SocketAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SocketAddress::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
            SocketAddress::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// A character device's backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Standard input and output.
    Stdio,
    /// Nothing: output is dropped, no input comes.
    Null,
    /// Output to a file, created or truncated; no input comes.
    File(PathBuf),
    /// `PATH.in` for input and `PATH.out` for output (named pipes), or
    /// `PATH` for both when those do not open.
    Pipe(PathBuf),
    /// A stream socket.
    Socket {
        /// Where.
        address: SocketAddress,
        /// Listen (`server=on`) rather than connect.
        server: bool,
        /// With `server`: wait for the first client before the guest runs.
        wait: bool,
    },
}

/// A `-chardev`: its id, backend and whether it multiplexes front ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChardevSpec {
    /// `id=`.
    pub id: String,
    /// What it is.
    pub backend: Backend,
    /// `mux=on`: the serial line and the monitor share it (Ctrl-A c).
    pub mux: bool,
}

const CHARDEV_KEYS: &[&str] = &[
    "id",
    "path",
    "host",
    "port",
    "server",
    "wait",
    "nowait",
    "nodelay",
    "mux",
    "signal",
    "telnet",
    "reconnect",
    "ipv4",
    "ipv6",
    "to",
    "logfile",
    "logappend",
    "append",
    "tls-creds",
    "websocket",
    "abstract",
    "tight",
];

/// Parses `-chardev BACKEND,id=ID[,…]`.
pub fn parse_chardev(text: &str) -> Result<ChardevSpec, UsageError> {
    let (backend, pairs) = parse_kv(text);
    let Some(backend) = backend else {
        return Err(UsageError(format!(
            "-chardev {text}: expected a backend first"
        )));
    };
    let option = format!("-chardev {backend}");
    let mut id = None;
    let mut path = None;
    let mut host = None;
    let mut port = None;
    let mut server = false;
    let mut wait = true;
    let mut mux = false;
    for (k, v) in pairs {
        match k.as_str() {
            "id" => id = Some(v),
            "path" => path = Some(v),
            "host" => host = Some(v),
            "port" => port = Some(v),
            "server" => server = parse_bool(&format!("{option},server"), &v)?,
            "wait" => wait = parse_bool(&format!("{option},wait"), &v)?,
            "nowait" => wait = false,
            "mux" => mux = parse_bool(&format!("{option},mux"), &v)?,
            "telnet" | "websocket" | "tls-creds" if parse_bool(&k, &v).unwrap_or(true) => {
                return Err(UsageError(format!(
                    "{option},{k}: not supported (rivet's sockets carry raw bytes)"
                )))
            }
            "reconnect" if v != "0" => {
                return Err(UsageError(format!(
                    "{option},reconnect={v}: not supported (a client socket connects once)"
                )))
            }
            "logfile" | "logappend" => {
                return Err(UsageError(format!(
                    "{option},{k}: not supported (no log of the line)"
                )))
            }
            "append" if parse_bool(&k, &v)? => {
                return Err(UsageError(format!(
                    "{option},append=on: not supported (the file is truncated)"
                )))
            }
            "telnet" | "websocket" | "tls-creds" | "reconnect" | "append" => {}
            "signal" | "nodelay" | "ipv4" | "ipv6" | "to" | "abstract" | "tight" => {}
            _ => return Err(unknown_key("-chardev", &k, CHARDEV_KEYS)),
        }
    }
    let id = id.ok_or_else(|| UsageError(format!("-chardev {text}: id= is required")))?;
    let need_path = |path: Option<String>| {
        path.map(PathBuf::from)
            .ok_or_else(|| UsageError(format!("-chardev {text}: path= is required")))
    };
    let backend = match backend.as_str() {
        "stdio" => Backend::Stdio,
        "null" => Backend::Null,
        "file" => Backend::File(need_path(path)?),
        "pipe" => Backend::Pipe(need_path(path)?),
        "socket" => {
            let address = match (path, host, port) {
                (Some(p), None, None) => SocketAddress::Unix(p.into()),
                (None, host, Some(port)) => SocketAddress::Tcp {
                    host: host.unwrap_or_default(),
                    port: parse_port(&option, &port)?,
                },
                (Some(_), _, _) => {
                    return Err(UsageError(format!(
                        "-chardev {text}: give path= (Unix) or host=,port= (TCP), not both"
                    )))
                }
                (None, _, None) => {
                    return Err(UsageError(format!(
                        "-chardev {text}: a socket needs path= or port="
                    )))
                }
            };
            Backend::Socket {
                address,
                server,
                wait: server && wait,
            }
        }
        "pty" | "serial" | "tty" | "parallel" | "parport" | "udp" | "vc" | "ringbuf" | "memory"
        | "msmouse" | "braille" | "spicevmc" | "spiceport" | "qemu-vdagent" | "testdev"
        | "wctablet" => {
            return Err(UsageError(format!(
                "-chardev {backend}: not supported: rivet's character devices are stdio, null, \
                 file, pipe and socket"
            )))
        }
        _ => {
            return Err(UsageError(format!(
                "-chardev {backend}: '{backend}' is not a valid char driver name"
            )))
        }
    };
    Ok(ChardevSpec { id, backend, mux })
}

fn parse_port(option: &str, text: &str) -> Result<u16, UsageError> {
    text.parse()
        .map_err(|_| UsageError(format!("{option}: port={text}: expected a port number")))
}

/// Parses a device as `-serial` and `-monitor` spell one (without the
/// `mon:` and `chardev:` prefixes, handled by the caller): `stdio`, `null`
/// (or `none`), `file:PATH`, `pipe:PATH`, `tcp:[HOST]:PORT[,server=on|off]
/// [,wait=on|off]` and `unix:PATH[,server][,nowait]`.
pub fn parse_device(option: &str, text: &str) -> Result<Backend, UsageError> {
    let whole = || format!("{option} {text}");
    match text {
        "stdio" => return Ok(Backend::Stdio),
        "null" | "none" => return Ok(Backend::Null),
        _ => {}
    }
    if let Some(path) = text.strip_prefix("file:") {
        return Ok(Backend::File(path.into()));
    }
    if let Some(path) = text.strip_prefix("pipe:") {
        return Ok(Backend::Pipe(path.into()));
    }
    let (kind, rest) = text.split_once(':').unwrap_or((text, ""));
    match kind {
        "tcp" | "unix" => {}
        "telnet" | "websocket" => {
            return Err(UsageError(format!(
            "{option} {kind}: not supported: rivet's sockets carry raw bytes (use tcp: or unix:)"
        )))
        }
        _ => {
            return Err(UsageError(format!(
                "{option} {kind}: not supported: rivet's devices are stdio, null, file:PATH, \
                 pipe:PATH, tcp:HOST:PORT, unix:PATH and chardev:ID"
            )))
        }
    }
    let mut parts = rest.split(',');
    let place = parts.next().unwrap_or_default();
    let mut server = false;
    let mut wait = true;
    for part in parts {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match k {
            "server" => server = parse_bool(&format!("{option} {kind}:…,server"), v)?,
            "wait" => wait = parse_bool(&format!("{option} {kind}:…,wait"), v)?,
            "nowait" => wait = false,
            "nodelay" | "ipv4" | "ipv6" | "to" => {}
            "telnet" => {
                return Err(UsageError(format!(
                    "{option} {kind}:…,telnet: not supported (rivet's sockets carry raw bytes)"
                )))
            }
            _ => {
                return Err(unknown_key(
                    &format!("{option} {kind}"),
                    k,
                    &["server", "wait", "nowait", "nodelay"],
                ))
            }
        }
    }
    let address = if kind == "unix" {
        if place.is_empty() {
            return Err(UsageError(format!("{}: expected unix:PATH", whole())));
        }
        SocketAddress::Unix(place.into())
    } else {
        let (host, port) = place
            .rsplit_once(':')
            .ok_or_else(|| UsageError(format!("{}: expected tcp:[HOST]:PORT", whole())))?;
        SocketAddress::Tcp {
            host: host.to_string(),
            port: parse_port(&format!("{option} tcp"), port)?,
        }
    };
    Ok(Backend::Socket {
        address,
        server,
        wait: server && wait,
    })
}

/// One device to open: how the command line named it, its backend, and
/// whether it multiplexes the serial line and the monitor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceSpec {
    /// The option that made it (`-chardev socket`, `-serial tcp::4444`).
    pub what: String,
    /// Its backend.
    pub backend: Backend,
    /// Shared by the serial line and the monitor, with the Ctrl-A keys.
    pub mux: bool,
}

/// The character devices a command line asks for, and which of them the
/// serial line and the monitor use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The devices, in the order they are opened.
    pub devices: Vec<DeviceSpec>,
    /// The serial line's device, if it has one.
    pub serial: Option<usize>,
    /// The monitor's device, if there is a monitor.
    pub monitor: Option<usize>,
    /// The QMP monitors' devices, each with whether its answers are pretty.
    pub qmp: Vec<(usize, bool)>,
}

/// Works out the devices of `-chardev`, `-serial`, `-monitor` and `-mon`,
/// with QEMU's defaults: with none of the last three, the serial line and
/// the monitor share standard input and output (`mon:stdio`); with
/// `-nographic` and a `-serial` elsewhere, the monitor is on stdio.
pub fn plan(args: &crate::cli::Args) -> Result<Plan, UsageError> {
    let mut devices: Vec<DeviceSpec> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for text in &args.chardevs {
        let c = parse_chardev(text)?;
        if ids.contains(&c.id) {
            return Err(UsageError(format!(
                "-chardev {text}: Duplicate ID '{}' for chardev",
                c.id
            )));
        }
        let kind = text.split(',').next().unwrap_or_default();
        devices.push(DeviceSpec {
            what: format!("-chardev {kind},id={}", c.id),
            backend: c.backend,
            mux: c.mux,
        });
        ids.push(c.id);
    }
    let by_id = |option: &str, id: &str| {
        ids.iter()
            .position(|i| i == id)
            .ok_or_else(|| UsageError(format!("{option}: no -chardev with id={id}")))
    };
    let mut serial = None;
    let mut serial_monitor = false;
    match args.serials.as_slice() {
        [] => {}
        [one] => {
            let option = format!("-serial {one}");
            if let Some(id) = one.strip_prefix("chardev:") {
                serial = Some(by_id(&option, id)?);
            } else {
                let (mux, text) = match one.strip_prefix("mon:") {
                    Some(rest) => (true, rest),
                    None => (false, one.as_str()),
                };
                devices.push(DeviceSpec {
                    what: option,
                    backend: parse_device("-serial", text)?,
                    mux,
                });
                serial = Some(devices.len() - 1);
                serial_monitor = mux;
            }
        }
        [_, second, ..] => {
            return Err(UsageError(format!(
                "-serial {second}: rivet's virt board has one UART: give -serial once"
            )))
        }
    }
    let mut monitors: Vec<usize> = Vec::new();
    if serial_monitor {
        monitors.extend(serial);
    }
    let mut monitor_none = false;
    let mut qmp: Vec<(usize, bool)> = Vec::new();
    for (option, text, pretty) in (args.qmp.iter().map(|t| ("-qmp", t, false)))
        .chain(args.qmp_pretty.iter().map(|t| ("-qmp-pretty", t, true)))
    {
        let what = format!("{option} {text}");
        let index = match text.strip_prefix("chardev:") {
            Some(id) => by_id(&what, id)?,
            None => {
                devices.push(DeviceSpec {
                    what,
                    backend: parse_device(option, text)?,
                    mux: false,
                });
                devices.len() - 1
            }
        };
        qmp.push((index, pretty));
    }
    for text in &args.monitors {
        let option = format!("-monitor {text}");
        if text == "none" {
            monitor_none = true;
        } else if let Some(id) = text.strip_prefix("chardev:") {
            monitors.push(by_id(&option, id)?);
        } else {
            let (mux, rest) = match text.strip_prefix("mon:") {
                Some(rest) => (true, rest),
                None => (false, text.as_str()),
            };
            devices.push(DeviceSpec {
                what: option,
                backend: parse_device("-monitor", rest)?,
                mux,
            });
            monitors.push(devices.len() - 1);
        }
    }
    for text in &args.mons {
        let (head, pairs) = parse_kv(text);
        let mut chardev = head.filter(|h| !h.is_empty());
        let mut control = false;
        let mut pretty = false;
        for (k, v) in pairs {
            match k.as_str() {
                "chardev" => chardev = Some(v),
                "mode" if v == "readline" => control = false,
                "mode" if v == "control" => control = true,
                "pretty" => pretty = parse_bool("-mon pretty", &v)?,
                "mode" => {
                    return Err(UsageError(format!(
                        "-mon {text}: mode={v}: expected readline or control"
                    )))
                }
                "id" => {}
                _ => {
                    return Err(unknown_key(
                        "-mon",
                        &k,
                        &["chardev", "mode", "pretty", "id"],
                    ))
                }
            }
        }
        let id = chardev.ok_or_else(|| UsageError(format!("-mon {text}: chardev= is required")))?;
        let index = by_id(&format!("-mon {text}"), &id)
            .map_err(|_| UsageError(format!("-mon {text}: chardev \"{id}\" not found")))?;
        if control {
            qmp.push((index, pretty));
        } else {
            monitors.push(index);
        }
    }
    if monitors.len() > 1 {
        return Err(UsageError(
            "rivet has one human monitor: give one of -monitor, -mon and -serial mon:… \
             (QMP monitors may be more)"
                .into(),
        ));
    }
    let mut monitor = if monitor_none && !serial_monitor {
        None
    } else {
        monitors.first().copied()
    };
    let monitor_given =
        monitor_none || !args.mons.is_empty() || !args.monitors.is_empty() || !qmp.is_empty();
    let stdio = |devices: &[DeviceSpec], i: Option<usize>| {
        i.is_some_and(|i| devices[i].backend == Backend::Stdio)
    };
    let qmp_on_stdio = qmp.iter().any(|&(i, _)| stdio(&devices, Some(i)));
    match (serial, monitor_given) {
        (None, false) => {
            devices.push(DeviceSpec {
                what: "-serial mon:stdio".into(),
                backend: Backend::Stdio,
                mux: true,
            });
            serial = Some(devices.len() - 1);
            monitor = serial;
        }
        (None, true) => {
            let backend = if stdio(&devices, monitor) || qmp_on_stdio {
                Backend::Null
            } else {
                Backend::Stdio
            };
            devices.push(DeviceSpec {
                what: "-serial".into(),
                backend,
                mux: false,
            });
            serial = Some(devices.len() - 1);
        }
        (Some(_), false) if args.nographic && !stdio(&devices, serial) => {
            devices.push(DeviceSpec {
                what: "-monitor stdio".into(),
                backend: Backend::Stdio,
                mux: false,
            });
            monitor = Some(devices.len() - 1);
        }
        (Some(_), _) => {}
    }
    if let (Some(s), Some(m)) = (serial, monitor) {
        if s == m && !devices[s].mux {
            return Err(UsageError(format!(
                "{}: Device '{}' is in use (by the serial line and the monitor; mux=on shares it)",
                devices[s].what,
                ids.get(s).map_or("", String::as_str)
            )));
        }
    }
    // A device takes one monitor, and the serial line only beside one
    // with mux=on.
    for (n, &(q, _)) in qmp.iter().enumerate() {
        let shared = Some(q) == monitor
            || qmp[..n].iter().any(|&(o, _)| o == q)
            || (Some(q) == serial && !devices[q].mux);
        if shared {
            return Err(UsageError(format!(
                "{}: Device '{}' is in use",
                devices[q].what,
                ids.get(q).map_or("", String::as_str)
            )));
        }
    }
    let used_stdio = [serial, monitor]
        .iter()
        .flatten()
        .copied()
        .collect::<std::collections::BTreeSet<usize>>()
        .into_iter()
        .chain((0..devices.len()).filter(|&i| Some(i) != serial && Some(i) != monitor))
        .filter(|&i| devices[i].backend == Backend::Stdio)
        .count();
    if used_stdio > 1 {
        return Err(UsageError(
            "cannot use stdio by multiple character devices".into(),
        ));
    }
    Ok(Plan {
        devices,
        serial,
        monitor,
        qmp,
    })
}

/// Output to a socket's current client, dropped while there is none.
#[derive(Clone, Default)]
pub(crate) struct Client(Arc<Mutex<Option<Box<dyn Conn>>>>);

/// A connected stream socket.
pub(crate) trait Conn: Read + Write + Send {
    /// A second handle on the same connection.
    fn duplicate(&self) -> io::Result<Box<dyn Conn>>;
    /// Ends the connection both ways.
    fn close(&self);
}

impl Conn for TcpStream {
    fn duplicate(&self) -> io::Result<Box<dyn Conn>> {
        Ok(Box::new(self.try_clone()?))
    }
    fn close(&self) {
        let _ = self.shutdown(std::net::Shutdown::Both);
    }
}

impl Conn for UnixStream {
    fn duplicate(&self) -> io::Result<Box<dyn Conn>> {
        Ok(Box::new(self.try_clone()?))
    }
    fn close(&self) {
        let _ = self.shutdown(std::net::Shutdown::Both);
    }
}

impl Client {
    fn set(&self, conn: Option<Box<dyn Conn>>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = conn;
    }
}

impl Write for Client {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(conn) = slot.as_mut() {
            if conn.write_all(buf).is_err() {
                // The client went: drop the output, as with no client.
                conn.close();
                *slot = None;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A device opened but not yet reading: its output, and where its input
/// will come from once its front ends are known.
pub struct Opened {
    /// The output queue (and its writer thread).
    pub(crate) output: Arc<Output>,
    input: Input,
    /// The device is the process's standard input and output.
    pub(crate) stdio: bool,
    mux: bool,
    /// A listening socket to remove when rivet ends.
    unix_path: Option<PathBuf>,
}

impl Drop for Opened {
    fn drop(&mut self) {
        if let Some(path) = &self.unix_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Where a device's input comes from.
enum Input {
    None,
    Stdin,
    Reader(Box<dyn Read + Send>),
    Client(Box<dyn Conn>),
    Listener(Listener, Option<Box<dyn Conn>>, Client),
}

enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

impl Listener {
    fn accept(&self) -> io::Result<Box<dyn Conn>> {
        Ok(match self {
            Listener::Tcp(l) => {
                let (s, _) = l.accept()?;
                let _ = s.set_nodelay(true);
                Box::new(s)
            }
            Listener::Unix(l) => Box::new(l.accept()?.0),
        })
    }
}

/// Opens `spec` (named `what` in messages: `-chardev socket`, `-serial
/// tcp:…`). A listening socket with `wait` waits here for its first client.
pub fn open(what: &str, backend: &Backend, mux: bool) -> Result<Opened, RunError> {
    let io_error = |e: io::Error| RunError::Io(format!("{what}: {e}"));
    let mut unix_path = None;
    let (sink, input): (Box<dyn Write + Send>, Input) = match backend {
        Backend::Stdio => (Box::new(io::stdout()), Input::Stdin),
        Backend::Null => (Box::new(io::sink()), Input::None),
        Backend::File(path) => (
            Box::new(create(path).map_err(|e| {
                RunError::Io(format!("{what}: cannot create {}: {e}", path.display()))
            })?),
            Input::None,
        ),
        Backend::Pipe(path) => {
            let with = |suffix: &str| {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                PathBuf::from(p)
            };
            let pair = open_rw(&with(".in")).and_then(|i| Ok((i, open_rw(&with(".out"))?)));
            let (input, output) = match pair {
                Ok(pair) => pair,
                Err(_) => {
                    let both = open_rw(path).map_err(|e| {
                        RunError::Io(format!(
                            "{what}: cannot open {}.in and .out, or {}: {e}",
                            path.display(),
                            path.display()
                        ))
                    })?;
                    (both.try_clone().map_err(io_error)?, both)
                }
            };
            (Box::new(output), Input::Reader(Box::new(input)))
        }
        Backend::Socket {
            address,
            server: false,
            ..
        } => {
            let conn: Box<dyn Conn> = match address {
                SocketAddress::Tcp { host, port } => {
                    let host = if host.is_empty() { "localhost" } else { host };
                    let s = TcpStream::connect((host, *port)).map_err(|e| {
                        RunError::Io(format!("{what}: cannot connect to {address}: {e}"))
                    })?;
                    let _ = s.set_nodelay(true);
                    Box::new(s)
                }
                SocketAddress::Unix(path) => Box::new(UnixStream::connect(path).map_err(|e| {
                    RunError::Io(format!("{what}: cannot connect to {address}: {e}"))
                })?),
            };
            let client = Client::default();
            client.set(Some(conn.duplicate().map_err(io_error)?));
            (Box::new(client), Input::Client(conn))
        }
        Backend::Socket {
            address,
            server: true,
            wait,
        } => {
            let listen_error =
                |e: io::Error| RunError::Io(format!("{what}: cannot listen on {address}: {e}"));
            let listener = match address {
                SocketAddress::Tcp { host, port } => {
                    let host = if host.is_empty() { "0.0.0.0" } else { host };
                    Listener::Tcp(TcpListener::bind((host, *port)).map_err(listen_error)?)
                }
                SocketAddress::Unix(path) => {
                    // A socket left behind by an earlier run would make bind fail.
                    if std::fs::symlink_metadata(path)
                        .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_socket(&m.file_type()))
                    {
                        let _ = std::fs::remove_file(path);
                    }
                    let l = UnixListener::bind(path).map_err(listen_error)?;
                    unix_path = Some(path.clone());
                    Listener::Unix(l)
                }
            };
            let client = Client::default();
            let first = if *wait {
                let shown = match (&listener, address) {
                    (Listener::Tcp(l), SocketAddress::Tcp { .. }) => l
                        .local_addr()
                        .map(|a| format!("tcp:{a}"))
                        .unwrap_or_else(|_| address.to_string()),
                    _ => address.to_string(),
                };
                say_raw!("rivet: waiting for connection on {shown},server=on\r\n");
                let conn = listener.accept().map_err(io_error)?;
                client.set(Some(conn.duplicate().map_err(io_error)?));
                Some(conn)
            } else {
                None
            };
            (
                Box::new(client.clone()),
                Input::Listener(listener, first, client),
            )
        }
    };
    Ok(Opened {
        output: Output::start(sink),
        input,
        stdio: matches!(backend, Backend::Stdio),
        mux,
        unix_path,
    })
}

/// Creates (or truncates) a file for output.
fn create(path: &Path) -> io::Result<File> {
    File::create(path)
}

/// Opens a file or named pipe for reading and writing: a pipe so opened
/// never blocks the open and never reaches end of file.
fn open_rw(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
}

/// The escape character: Ctrl-A.
pub const ESCAPE: u8 = 0x01;

/// The help of the Ctrl-A keys (QEMU's words, for the keys rivet has).
pub const HELP: &str = "\r\nC-a h    print this help\r\nC-a x    exit emulator\r\n\
C-a c    switch between console and monitor\r\nC-a C-a  sends C-a\r\n";

/// Hands a device's input to its front ends: the serial line, the
/// monitor, or both (with the Ctrl-A keys switching between them).
pub struct Router {
    serial: Option<Arc<SerialInput>>,
    monitor: Option<MonitorFront>,
    /// Interpret the Ctrl-A keys.
    escapes: bool,
    /// Input goes to the monitor (else to the serial line).
    to_monitor: bool,
    escape: bool,
    quit: Arc<AtomicBool>,
    output: Arc<Output>,
}

/// The monitor a device's input goes to: the human one or a QMP one.
#[derive(Clone)]
pub(crate) enum MonitorFront {
    /// The human monitor's line editor.
    Human(Arc<MonitorInput>),
    /// A QMP monitor's reader.
    Qmp(Arc<QmpInput>),
}

impl MonitorFront {
    fn greet(&self, out: &Output) {
        match self {
            MonitorFront::Human(m) => m.greet(out),
            MonitorFront::Qmp(q) => q.greet(out),
        }
    }

    fn reconnect(&self) {
        match self {
            MonitorFront::Human(m) => m.reconnect(),
            // The greeting resets the session.
            MonitorFront::Qmp(_) => {}
        }
    }

    fn key(&self, byte: u8, out: &Output) {
        match self {
            MonitorFront::Human(m) => m.key(byte, out),
            MonitorFront::Qmp(q) => q.key(byte),
        }
    }

    /// A socket's client went.
    fn closed(&self) {
        if let MonitorFront::Qmp(q) = self {
            q.closed();
        }
    }

    fn end(&self) {
        match self {
            MonitorFront::Human(m) => m.end(),
            MonitorFront::Qmp(q) => q.end(),
        }
    }

    fn wake(&self) {
        match self {
            MonitorFront::Human(m) => m.wake(),
            MonitorFront::Qmp(q) => q.wake(),
        }
    }
}

impl Router {
    /// Whether input goes to the monitor now.
    fn monitor_focused(&self) -> Option<&MonitorFront> {
        if self.to_monitor || self.serial.is_none() {
            self.monitor.as_ref()
        } else {
            None
        }
    }

    /// A client connected (or the device opened): the monitor greets it.
    fn opened(&mut self) {
        if let Some(m) = self.monitor_focused() {
            m.greet(&self.output);
        }
    }

    /// Input ended for good.
    fn ended(&mut self) {
        if let Some(s) = &self.serial {
            s.end();
        }
        if let Some(m) = &self.monitor {
            m.end();
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.escape {
                self.escape = false;
                match byte {
                    b'x' | b'X' => {
                        self.quit.store(true, Ordering::Relaxed);
                        if let Some(s) = &self.serial {
                            s.wake();
                        }
                        if let Some(m) = &self.monitor {
                            m.wake();
                        }
                    }
                    b'h' | b'H' | b'?' => self.output.push_text(HELP),
                    b'c' | b'C' if self.serial.is_some() && self.monitor.is_some() => {
                        self.to_monitor = !self.to_monitor;
                        if self.to_monitor {
                            self.opened();
                        }
                    }
                    ESCAPE | b'a' | b'A' => self.deliver(ESCAPE),
                    _ => {}
                }
            } else if byte == ESCAPE && self.escapes {
                self.escape = true;
            } else {
                self.deliver(byte);
            }
        }
    }

    fn deliver(&mut self, byte: u8) {
        if let Some(m) = self.monitor_focused() {
            m.key(byte, &self.output);
        } else if let Some(s) = &self.serial {
            s.push(byte);
        }
    }
}

impl Opened {
    /// Starts reading input for `serial` and `monitor` (either may be
    /// absent); `quit` is set by Ctrl-A x.
    pub(crate) fn start(
        &mut self,
        serial: Option<Arc<SerialInput>>,
        monitor: Option<MonitorFront>,
        quit: Arc<AtomicBool>,
    ) {
        let mut router = Router {
            serial,
            monitor,
            escapes: self.stdio || self.mux,
            to_monitor: false,
            escape: false,
            quit,
            output: Arc::clone(&self.output),
        };
        let input = std::mem::replace(&mut self.input, Input::None);
        let spawn = |f: Box<dyn FnOnce() + Send>| {
            let _ = std::thread::Builder::new().name("chardev".into()).spawn(f);
        };
        // A monitor whose input has ended (or never comes) hears no more
        // commands: the guest then runs to its end, a deadlock included.
        // (A serial line without input waits on, as QEMU's does.)
        let monitor_ended = |router: &Router| {
            if let Some(m) = &router.monitor {
                m.end();
            }
        };
        match input {
            Input::None => {
                router.opened();
                monitor_ended(&router);
            }
            Input::Stdin => spawn(Box::new(move || {
                router.opened();
                read_all(&mut io::stdin(), &mut router);
                router.ended();
            })),
            Input::Reader(mut r) => spawn(Box::new(move || {
                router.opened();
                read_all(&mut r, &mut router);
                monitor_ended(&router);
            })),
            Input::Client(mut c) => spawn(Box::new(move || {
                router.opened();
                read_all(&mut c, &mut router);
                monitor_ended(&router);
            })),
            Input::Listener(listener, mut first, client) => spawn(Box::new(move || loop {
                let conn = match first.take() {
                    Some(c) => c,
                    None => match listener.accept() {
                        Ok(c) => match c.duplicate() {
                            Ok(out) => {
                                client.set(Some(out));
                                c
                            }
                            Err(_) => continue,
                        },
                        Err(_) => {
                            std::thread::sleep(std::time::Duration::from_millis(100));
                            continue;
                        }
                    },
                };
                let mut conn = conn;
                if let Some(m) = &router.monitor {
                    m.reconnect();
                }
                router.opened();
                read_all(&mut conn, &mut router);
                client.set(None);
                // What was queued for the client that went is not the next one's.
                if let Some(m) = &router.monitor {
                    m.closed();
                }
                router.output.discard();
            })),
        }
    }
}

/// Feeds everything `reader` gives to `router`, until end of file or an error.
fn read_all(reader: &mut dyn Read, router: &mut Router) {
    let mut buf = [0u8; 256];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => router.feed(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chardevs_are_spelled_as_in_qemu() {
        let c = parse_chardev("socket,id=m0,host=127.0.0.1,port=4444,server=on,wait=off").unwrap();
        assert_eq!(c.id, "m0");
        assert_eq!(
            c.backend,
            Backend::Socket {
                address: SocketAddress::Tcp {
                    host: "127.0.0.1".into(),
                    port: 4444
                },
                server: true,
                wait: false
            }
        );
        let c = parse_chardev("socket,id=s,path=/tmp/s,server,nowait").unwrap();
        assert_eq!(
            c.backend,
            Backend::Socket {
                address: SocketAddress::Unix("/tmp/s".into()),
                server: true,
                wait: false
            }
        );
        let c = parse_chardev("socket,id=s,path=/tmp/s,server=on").unwrap();
        assert_eq!(
            c.backend,
            Backend::Socket {
                address: SocketAddress::Unix("/tmp/s".into()),
                server: true,
                wait: true
            }
        );
        assert_eq!(
            parse_chardev("pipe,id=p,path=/tmp/p").unwrap().backend,
            Backend::Pipe("/tmp/p".into())
        );
        assert!(parse_chardev("stdio,id=c,mux=on").unwrap().mux);
        assert_eq!(
            parse_chardev("foo,id=c").unwrap_err().0,
            "-chardev foo: 'foo' is not a valid char driver name"
        );
        assert!(parse_chardev("file,id=c").unwrap_err().0.contains("path="));
        assert!(parse_chardev("null").unwrap_err().0.contains("id="));
        assert!(parse_chardev("socket,id=c,port=x").is_err());
    }

    fn plan_of(args: &[&str]) -> Result<Plan, UsageError> {
        let mut argv = vec!["rivet".to_string()];
        argv.extend(args.iter().map(|s| s.to_string()));
        let args = crate::options::read(argv).map_err(|e| UsageError(e.0))?;
        plan(&<crate::cli::Args as clap::Parser>::parse_from(args))
    }

    /// QEMU's defaults (-nographic): mon:stdio with no -serial/-monitor;
    /// the monitor on stdio beside a -serial elsewhere; a serial line on
    /// stdio beside a monitor elsewhere.
    #[test]
    fn plans_follow_qemus_defaults() {
        let p = plan_of(&[]).unwrap();
        assert_eq!(p.devices.len(), 1);
        assert!(p.devices[0].mux && p.devices[0].backend == Backend::Stdio);
        assert_eq!((p.serial, p.monitor), (Some(0), Some(0)));
        let p = plan_of(&["-nographic", "-serial", "file:x"]).unwrap();
        assert_eq!(p.devices[p.monitor.unwrap()].backend, Backend::Stdio);
        assert_eq!(
            p.devices[p.serial.unwrap()].backend,
            Backend::File("x".into())
        );
        let p = plan_of(&["-serial", "file:x"]).unwrap();
        assert_eq!(p.monitor, None);
        let p = plan_of(&["-monitor", "unix:/tmp/m,server,nowait"]).unwrap();
        assert_eq!(p.devices[p.serial.unwrap()].backend, Backend::Stdio);
        assert!(!p.devices[p.serial.unwrap()].mux);
        let p = plan_of(&["-monitor", "none"]).unwrap();
        assert_eq!(p.monitor, None);
        let p = plan_of(&["-serial", "mon:stdio", "-monitor", "none"]).unwrap();
        assert_eq!(p.monitor, p.serial);
        let p = plan_of(&["-display", "none", "-monitor", "stdio"]).unwrap();
        assert_eq!(p.devices[p.serial.unwrap()].backend, Backend::Null);
        let p = plan_of(&[
            "-chardev",
            "stdio,id=c0,mux=on",
            "-serial",
            "chardev:c0",
            "-mon",
            "chardev=c0",
        ])
        .unwrap();
        assert_eq!((p.serial, p.monitor), (Some(0), Some(0)));
        assert!(plan_of(&["-monitor", "stdio", "-mon", "chardev=x"]).is_err());
        assert!(
            plan_of(&["-monitor", "unix:/a,server", "-monitor", "unix:/b,server"])
                .unwrap_err()
                .0
                .contains("one human monitor")
        );
    }

    #[test]
    fn devices_are_spelled_as_in_qemu() {
        let d = |t| parse_device("-serial", t);
        assert_eq!(d("stdio").unwrap(), Backend::Stdio);
        assert_eq!(d("none").unwrap(), Backend::Null);
        assert_eq!(d("file:x").unwrap(), Backend::File("x".into()));
        assert_eq!(d("pipe:/tmp/p").unwrap(), Backend::Pipe("/tmp/p".into()));
        assert_eq!(
            d("tcp::4444,server,nowait").unwrap(),
            Backend::Socket {
                address: SocketAddress::Tcp {
                    host: String::new(),
                    port: 4444
                },
                server: true,
                wait: false
            }
        );
        assert_eq!(
            d("tcp:localhost:4444").unwrap(),
            Backend::Socket {
                address: SocketAddress::Tcp {
                    host: "localhost".into(),
                    port: 4444
                },
                server: false,
                wait: false
            }
        );
        assert_eq!(
            d("unix:/tmp/m,server=on,wait=off").unwrap(),
            Backend::Socket {
                address: SocketAddress::Unix("/tmp/m".into()),
                server: true,
                wait: false
            }
        );
        assert!(d("telnet::4444,server").unwrap_err().0.contains("telnet"));
        assert!(d("pty")
            .unwrap_err()
            .0
            .contains("-serial pty: not supported"));
        assert!(d("tcp:4444").is_err());
        assert!(d("unix:").is_err());
        assert!(d("tcp::4444,bogus").is_err());
    }
}
