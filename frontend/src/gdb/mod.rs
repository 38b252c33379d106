//! The GDB stub: a GDB remote-protocol server, built on the `gdbstub`
//! crate, with QEMU's options (`-s`, `-S`, `-gdb tcp::PORT`,
//! `-gdb unix:PATH,server`).
//!
//! The stub speaks the protocol in all-stop mode, every hart a thread. The
//! machine runs with no debugger attached until one connects (at once,
//! with `-S`, before the first instruction); a connection stops it, as in
//! QEMU. When GDB detaches, its breakpoints go and the guest runs on, and
//! another GDB may connect; when GDB kills the target, rivet exits; when
//! the guest powers off, GDB hears its exit code.
//!
//! A GDB client is untrusted input: `gdbstub` parses every packet and
//! answers malformed ones with an error; a connection that breaks
//! mid-packet ends the session, never the guest.

pub mod arch;
#[cfg(test)]
mod fuzz;
mod monitor;
pub mod target;

use std::io;
use std::marker::PhantomData;
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gdbstub::conn::ConnectionExt;
use gdbstub::stub::run_blocking::{BlockingEventLoop, Event, WaitForStopReasonError};
use gdbstub::stub::{DisconnectReason, GdbStub, GdbStubError, MultiThreadStopReason};
use rivet_core::machine::ExitReason;
use rivet_devices::{VirtExit, VirtMachine, VirtStop};

use crate::cli::UsageError;
use crate::run::RunError;
pub use target::{DebugTarget, Rebuild};

/// The letter of a privilege mode (`M`, `S`, `U`), as GDB's thread list
/// and the monitor show it.
fn mode_letter(p: rivet_core::Privilege) -> char {
    match p {
        rivet_core::Privilege::Machine => 'M',
        rivet_core::Privilege::Supervisor => 'S',
        rivet_core::Privilege::User => 'U',
    }
}

/// The port of `-s`.
pub const DEFAULT_PORT: u16 = 1234;

/// Where the stub listens, as QEMU's `-gdb` spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GdbAddress {
    /// A TCP port on `host` (an empty host: this machine only, 127.0.0.1).
    Tcp {
        /// The address to listen on.
        host: String,
        /// The port.
        port: u16,
    },
    /// A Unix-domain socket at `path`.
    Unix {
        /// The socket's path.
        path: PathBuf,
    },
}

impl GdbAddress {
    /// Parses a `-gdb` device: `tcp::PORT`, `tcp:HOST:PORT` or
    /// `unix:PATH`, each with QEMU's optional `,server`, `,server=on`,
    /// `,wait=off` or `,nowait` (rivet is always the server and never
    /// waits unless `-S` says so); a bare `PORT` or `:PORT` means TCP.
    pub fn parse(spec: &str) -> Result<Self, UsageError> {
        let bad = || {
            UsageError(format!(
                "-gdb {spec}: expected tcp::PORT, tcp:HOST:PORT or unix:PATH[,server]"
            ))
        };
        let mut parts = spec.split(',');
        let device = parts.next().unwrap_or_default();
        for option in parts {
            match option {
                "server" | "server=on" | "wait=off" | "nowait" | "ipv4" | "ipv4=on" => {}
                _ => {
                    return Err(UsageError(format!(
                        "-gdb {spec}: unknown option {option} (rivet takes server, wait=off)"
                    )))
                }
            }
        }
        if let Some(path) = device.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(bad());
            }
            return Ok(GdbAddress::Unix { path: path.into() });
        }
        let host_port = device.strip_prefix("tcp:").unwrap_or(device);
        let (host, port) = host_port.rsplit_once(':').unwrap_or(("", host_port));
        let port: u16 = port.parse().map_err(|_| bad())?;
        Ok(GdbAddress::Tcp {
            host: host.to_string(),
            port,
        })
    }
}

impl std::fmt::Display for GdbAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GdbAddress::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
            GdbAddress::Unix { path } => write!(f, "unix:{}", path.display()),
        }
    }
}

/// A GDB connection, over TCP or a Unix socket.
type Conn = Box<dyn ConnectionExt<Error = io::Error>>;

/// A listening GDB stub.
pub struct GdbServer {
    listener: Listener,
    address: GdbAddress,
    /// Wait for GDB before the first instruction (`-S`).
    start_stopped: bool,
}

enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, PathBuf),
}

impl Drop for GdbServer {
    fn drop(&mut self) {
        if let Listener::Unix(_, path) = &self.listener {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl GdbServer {
    /// Listens at `address`; with `start_stopped`, the machine will not
    /// run until a GDB has connected and resumed it.
    pub fn bind(address: GdbAddress, start_stopped: bool) -> Result<Self, RunError> {
        let fail = |e: io::Error| RunError::Io(format!("-gdb {address}: cannot listen: {e}"));
        let listener = match &address {
            GdbAddress::Tcp { host, port } => {
                let host = if host.is_empty() { "127.0.0.1" } else { host };
                let l = TcpListener::bind((host, *port)).map_err(fail)?;
                l.set_nonblocking(true).map_err(fail)?;
                Listener::Tcp(l)
            }
            GdbAddress::Unix { path } => {
                // A socket left behind by an earlier run would make bind fail.
                if std::fs::symlink_metadata(path)
                    .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_socket(&m.file_type()))
                {
                    let _ = std::fs::remove_file(path);
                }
                let l = UnixListener::bind(path).map_err(fail)?;
                l.set_nonblocking(true).map_err(fail)?;
                Listener::Unix(l, path.clone())
            }
        };
        Ok(GdbServer {
            listener,
            address,
            start_stopped,
        })
    }

    /// The address it listens at (with the actual port, if 0 was asked).
    pub fn local_address(&self) -> GdbAddress {
        match &self.listener {
            Listener::Tcp(l) => match l.local_addr() {
                Ok(a) => GdbAddress::Tcp {
                    host: a.ip().to_string(),
                    port: a.port(),
                },
                Err(_) => self.address.clone(),
            },
            Listener::Unix(..) => self.address.clone(),
        }
    }

    /// A new connection: waits for one if `block`, else only takes one
    /// that is already there.
    fn accept(&self, block: bool) -> Result<Option<Conn>, RunError> {
        loop {
            let conn: io::Result<Conn> = match &self.listener {
                Listener::Tcp(l) => l.accept().and_then(|(s, _)| {
                    s.set_nonblocking(false)?;
                    s.set_nodelay(true)?;
                    Ok(Box::new(s) as Conn)
                }),
                Listener::Unix(l, _) => l.accept().and_then(|(s, _)| {
                    s.set_nonblocking(false)?;
                    Ok(Box::new(s) as Conn)
                }),
            };
            match conn {
                Ok(c) => return Ok(Some(c)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if !block {
                        return Ok(None);
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(RunError::Io(format!("-gdb {}: accept: {e}", self.address))),
            }
        }
    }
}

/// `gdbstub`'s blocking event loop over a [`DebugTarget`].
struct EventLoop<'a>(PhantomData<&'a ()>);

impl<'a> BlockingEventLoop for EventLoop<'a> {
    type Target = DebugTarget<'a>;
    type Connection = Conn;
    type StopReason = MultiThreadStopReason<u64>;

    fn wait_for_stop_reason(
        target: &mut DebugTarget<'a>,
        conn: &mut Conn,
    ) -> Result<Event<Self::StopReason>, WaitForStopReasonError<RunError, io::Error>> {
        loop {
            if let Some(stop) = target
                .run_for_a_while()
                .map_err(WaitForStopReasonError::Target)?
            {
                return Ok(Event::TargetStopped(stop));
            }
            if conn
                .peek()
                .map_err(WaitForStopReasonError::Connection)?
                .is_some()
            {
                let byte = conn.read().map_err(WaitForStopReasonError::Connection)?;
                return Ok(Event::IncomingData(byte));
            }
        }
    }

    fn on_interrupt(target: &mut DebugTarget<'a>) -> Result<Option<Self::StopReason>, RunError> {
        Ok(Some(target.interrupted()))
    }
}

/// Serves one GDB session over `conn`, any byte stream (a socket, or an
/// in-memory client in tests and fuzz targets), until the client detaches
/// or kills the target, the guest ends, or the connection fails.
pub fn serve<'a>(
    target: &mut DebugTarget<'a>,
    conn: Conn,
) -> Result<DisconnectReason, GdbStubError<RunError, io::Error>> {
    GdbStub::new(conn).run_blocking::<EventLoop<'a>>(target)
}

/// Runs `vm` with the stub listening: freely while no GDB is attached,
/// under GDB's control while one is. `limit` is the instruction limit
/// left; `rebuild` builds the machine anew when the guest resets. Returns
/// the machine and how it ended.
///
/// While no GDB is attached, `monitor`'s commands are taken between
/// slices (while one is, they wait for it to detach or continue).
pub fn run(
    mut vm: VirtMachine,
    server: &GdbServer,
    mut limit: Option<u64>,
    rebuild: &mut Rebuild<'_>,
    mut monitor: Option<&mut crate::control::Monitors>,
) -> Result<(VirtMachine, VirtExit), RunError> {
    let mut wait = server.start_stopped;
    if wait {
        say_raw!("rivet: waiting for gdb on {}\r\n", server.local_address());
    }
    loop {
        if let Some(conn) = server.accept(wait)? {
            wait = false;
            let mut target = DebugTarget::new(vm, limit, &mut *rebuild);
            let result = serve(&mut target, conn);
            let exit = target.exit.take();
            limit = target.limit();
            let Some(back) = target.into_vm() else {
                // A reset could not build the machine again.
                return Err(result
                    .err()
                    .and_then(|e| e.into_target_error())
                    .unwrap_or_else(|| RunError::Guest("the machine was lost in a reset".into())));
            };
            vm = back;
            match result {
                Ok(DisconnectReason::Disconnect) => continue,
                Ok(DisconnectReason::Kill) => {
                    return Ok((vm, ExitReason::Platform(VirtStop::Quit)))
                }
                Ok(DisconnectReason::TargetExited(_) | DisconnectReason::TargetTerminated(_)) => {
                    return Ok((vm, exit.unwrap_or(ExitReason::Platform(VirtStop::Quit))))
                }
                Err(e) => {
                    if let Some(exit) = exit {
                        return Ok((vm, exit));
                    }
                    if e.is_target_error() {
                        if let Some(e) = e.into_target_error() {
                            return Err(e);
                        }
                    } else {
                        say_raw!("rivet: gdb session ended: {e}\r\n");
                    }
                    continue;
                }
            }
        }
        if let Some(m) = monitor.as_deref_mut() {
            match m.service(&mut vm) {
                Some(ExitReason::Platform(VirtStop::Reset)) => {
                    let (v, l) = rebuild(vm)?;
                    vm = v;
                    limit = l;
                    continue;
                }
                Some(exit) => return Ok((vm, exit)),
                None if m.is_paused() => {
                    m.idle();
                    continue;
                }
                None => {}
            }
        }
        // No debugger: run freely for a moment, then look for one.
        let before = vm.machine.executed();
        let exit = vm.machine.run_until(
            limit.map(|l| before.saturating_add(l)),
            Some(Instant::now() + Duration::from_millis(50)),
        );
        limit = limit.map(|l| l.saturating_sub(vm.machine.executed() - before));
        match exit {
            None | Some(ExitReason::Debug { .. }) => {}
            Some(ExitReason::Platform(VirtStop::Reset)) => {
                let (v, l) = rebuild(vm)?;
                vm = v;
                limit = l;
            }
            Some(exit) => return Ok((vm, exit)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gdb_addresses_are_spelled_as_in_qemu() {
        let tcp = |host: &str, port| GdbAddress::Tcp {
            host: host.into(),
            port,
        };
        assert_eq!(GdbAddress::parse("tcp::1234").ok(), Some(tcp("", 1234)));
        assert_eq!(
            GdbAddress::parse("tcp:localhost:26000").ok(),
            Some(tcp("localhost", 26000))
        );
        assert_eq!(
            GdbAddress::parse("tcp::1234,server,nowait").ok(),
            Some(tcp("", 1234))
        );
        assert_eq!(GdbAddress::parse("1234").ok(), Some(tcp("", 1234)));
        assert_eq!(GdbAddress::parse(":1234").ok(), Some(tcp("", 1234)));
        assert_eq!(
            GdbAddress::parse("unix:/tmp/gdb.sock,server").ok(),
            Some(GdbAddress::Unix {
                path: "/tmp/gdb.sock".into()
            })
        );
        for bad in [
            "tcp::",
            "tcp::99999",
            "unix:",
            "tcp::12,bogus",
            "serial",
            "",
        ] {
            assert!(GdbAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
