//! The host side of semihosting: the operations of Arm's semihosting
//! specification that the RISC-V semihosting specification adopts (RV64
//! takes the 64-bit forms: every parameter-block field is 8 bytes), as
//! QEMU 7.2 answers them for `-semihosting`.
//!
//! The hart recognises a call ([`rivet_core::semihosting`]) and the board
//! hands it to [`Semihosting::call`]. Guest memory is read and written
//! through the calling hart's own translation, in its current mode, setting
//! no accessed or dirty bits, as QEMU's semihosting does. A bad pointer, a
//! bad handle or a bad length is an error returned to the guest (`-1`, or
//! the untransferred length, with `SYS_ERRNO` saying why), never a host
//! error; one call transfers at most [`MAX_TRANSFER`] bytes.
//!
//! Where things go, as in QEMU 7.2:
//! - `SYS_WRITEC` and `SYS_WRITE0` (the debug console) write to standard
//!   error, or to the character device `chardev=` names
//!   ([`DebugConsole`]);
//! - the handles `SYS_OPEN` gives for `":tt"` are the host's standard
//!   input (modes `r`), output (`w`) and error (`a`);
//! - reads of the `":tt"` input handle, and `SYS_READC` without
//!   `chardev=` or with a `stdio` one, read standard input, or the serial
//!   console's input when the serial line is on standard input (see
//!   [`ConsoleInput`]; QEMU 7.2's `SYS_READC` never returns without
//!   `chardev=`); a `file` or `null` character device has no input;
//! - other names are host files, relative to rivet's working directory,
//!   or, when [`SemihostingConfig::root`] is set, confined to that
//!   directory: absolute names, `..` above it and symbolic links leading
//!   out of it fail (`openat2` with `RESOLVE_BENEATH`; Linux only);
//! - `SYS_EXIT` with `ADP_Stopped_ApplicationExit` ends the machine with
//!   the guest's exit code (any other reason: code 1);
//! - `SYS_CLOCK` and `SYS_ELAPSED` count the machine timer (virtual
//!   time, 10 MHz: `SYS_TICKFREQ`), where QEMU counts the host's CPU time
//!   and nanoseconds; the specification leaves the tick to the target;
//! - `SYS_TMPNAM` names a file in the host's temporary directory (or the
//!   confining one);
//! - an operation rivet does not implement stops the machine with an
//!   error, as QEMU aborts on one it does not know. `SYS_SYSTEM` is one:
//!   QEMU runs the guest's command in a host shell; rivet does not let a
//!   guest run host commands.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{IsTerminal, Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use rivet_core::bits::{low_u32, to_usize};
use rivet_core::semihosting::SemihostingOutcome;
use rivet_core::{Hart, Memory, Timebase};

use crate::console::Console;

/// The most bytes one `SYS_READ` or `SYS_WRITE` transfers; the rest is
/// reported as not transferred, as a short read or write.
pub const MAX_TRANSFER: u64 = 1 << 30;
/// The longest file name `SYS_OPEN`, `SYS_REMOVE` and `SYS_RENAME` take.
pub const MAX_NAME: u64 = 4096;
/// The longest string `SYS_WRITE0` writes.
pub const MAX_WRITE0: u64 = 1 << 20;
/// Bytes moved between guest and host at a time.
const CHUNK: usize = 64 << 10;

/// `ADP_Stopped_ApplicationExit`: the `SYS_EXIT` reason of a normal exit.
pub const ADP_STOPPED_APPLICATION_EXIT: u64 = 0x2_0026;

/// The operation numbers (Arm semihosting specification, 6.x).
pub mod op {
    /// Open a file or the console.
    pub const SYS_OPEN: u64 = 0x01;
    /// Close a handle.
    pub const SYS_CLOSE: u64 = 0x02;
    /// Write a character to the debug console.
    pub const SYS_WRITEC: u64 = 0x03;
    /// Write a NUL-terminated string to the debug console.
    pub const SYS_WRITE0: u64 = 0x04;
    /// Write to a handle.
    pub const SYS_WRITE: u64 = 0x05;
    /// Read from a handle.
    pub const SYS_READ: u64 = 0x06;
    /// Read a character from the debug console.
    pub const SYS_READC: u64 = 0x07;
    /// Whether a return value is an error.
    pub const SYS_ISERROR: u64 = 0x08;
    /// Whether a handle is a terminal.
    pub const SYS_ISTTY: u64 = 0x09;
    /// Move a handle's file position.
    pub const SYS_SEEK: u64 = 0x0a;
    /// A file's length.
    pub const SYS_FLEN: u64 = 0x0c;
    /// A temporary file name (not implemented).
    pub const SYS_TMPNAM: u64 = 0x0d;
    /// Delete a file.
    pub const SYS_REMOVE: u64 = 0x0e;
    /// Rename a file.
    pub const SYS_RENAME: u64 = 0x0f;
    /// Centiseconds since the program started.
    pub const SYS_CLOCK: u64 = 0x10;
    /// Seconds since the Unix epoch.
    pub const SYS_TIME: u64 = 0x11;
    /// Run a host command (not implemented: a guest must not run host commands).
    pub const SYS_SYSTEM: u64 = 0x12;
    /// The error number of the last failed call.
    pub const SYS_ERRNO: u64 = 0x13;
    /// The program's command line.
    pub const SYS_GET_CMDLINE: u64 = 0x15;
    /// Where the heap and stack may go.
    pub const SYS_HEAPINFO: u64 = 0x16;
    /// End the program.
    pub const SYS_EXIT: u64 = 0x18;
    /// End the program with an exit code.
    pub const SYS_EXIT_EXTENDED: u64 = 0x20;
    /// Ticks since the program started, into a doubleword.
    pub const SYS_ELAPSED: u64 = 0x30;
    /// Ticks per second of `SYS_ELAPSED`.
    pub const SYS_TICKFREQ: u64 = 0x31;
}

// Host error numbers (Linux), as QEMU's SYS_ERRNO reports them.
const EBADF: u64 = 9;
const EACCES: u64 = 13;
const EFAULT: u64 = 14;
const EINVAL: u64 = 22;
const ESPIPE: u64 = 29;
const ENAMETOOLONG: u64 = 36;
const E2BIG: u64 = 7;

/// `-1`, the error return of most operations.
const ERROR: u64 = u64::MAX;
/// What `SYS_WRITEC` and `SYS_WRITE0` leave in `a0` (the specification
/// says "corrupted"; QEMU writes this).
const CORRUPTED: u64 = 0xdead_beef;

/// The contents of `":semihosting-features"`: the magic `SHFB` and one
/// byte of feature bits, `SH_EXT_EXIT_EXTENDED` and `SH_EXT_STDOUT_STDERR`
/// (both of which this implementation has, as QEMU's).
const FEATURES: [u8; 5] = [b'S', b'H', b'F', b'B', 0b11];

/// Where console input (`SYS_READC`, the `":tt"` input handle) comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleInput {
    /// The host's standard input, as QEMU reads it when no serial line
    /// uses it: a call waits until input comes or ends (the reading is a
    /// thread's, so rivet itself never blocks).
    HostStdin,
    /// The serial console's input, when the serial line is on standard
    /// input: a call that finds no byte waiting blocks until one comes
    /// (or the input ends, or the user quits), then tries again once the
    /// devices have had a turn.
    Serial,
}

/// Where the debug console (`SYS_WRITEC`, `SYS_WRITE0`, `SYS_READC`)
/// goes: `-semihosting-config chardev=ID`'s character device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DebugConsole {
    /// No `chardev=`: standard error (QEMU's `fwrite(stderr)`).
    Stderr,
    /// A `stdio` character device: standard output and input.
    Stdio,
    /// A `file` character device: this file, created or truncated.
    File(PathBuf),
    /// A `null` character device: nowhere.
    Null,
}

/// The debug console, opened.
#[derive(Debug)]
enum DebugOutput {
    Stderr,
    Stdout,
    File(File),
    Null,
}

impl DebugOutput {
    /// Writes `bytes`; the debug console has no way to report a failure
    /// (QEMU's neither): `a0` is "corrupted" whatever happens.
    fn write(&mut self, bytes: &[u8]) {
        let _ = match self {
            DebugOutput::Stderr => write_host(&mut std::io::stderr(), bytes),
            DebugOutput::Stdout => write_host(&mut std::io::stdout(), bytes),
            DebugOutput::File(file) => write_host(file, bytes),
            DebugOutput::Null => Ok(()),
        };
    }
}

/// How semihosting is set up (`-semihosting-config`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemihostingConfig {
    /// What `SYS_GET_CMDLINE` returns: the `arg=` values joined by spaces,
    /// or (none given) the `-kernel` file name and the words of `-append`.
    pub cmdline: String,
    /// Calls from U-mode are answered too (`userspace=on`).
    pub userspace: bool,
    /// Confine file access to this directory (rivet's `--semihosting-root`).
    pub root: Option<PathBuf>,
    /// Where console input comes from.
    pub input: ConsoleInput,
    /// Where the debug console goes.
    pub debug_console: DebugConsole,
}

/// What a handle refers to.
#[derive(Debug)]
enum Handle {
    /// The host's standard input (`":tt"` opened for reading).
    Stdin,
    /// The host's standard output (`":tt"` opened for writing).
    Stdout,
    /// The host's standard error (`":tt"` opened for appending).
    Stderr,
    /// A host file.
    File(File),
    /// `":semihosting-features"`, read up to `pos`.
    Features { pos: u64 },
}

/// How the machine should stop after a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SemihostingStop {
    /// `SYS_EXIT`/`SYS_EXIT_EXTENDED`: the program ended with this code.
    Exit(u32),
    /// An operation rivet does not implement (its number).
    Unsupported(u64),
}

/// The semihosting state of a machine: its open handles, the last error,
/// and how the program ended.
#[derive(Debug)]
pub struct Semihosting {
    config: SemihostingConfig,
    /// The confining directory, opened.
    root: Option<File>,
    /// The host's standard input, when console input comes from it.
    stdin: StdinReader,
    /// The debug console, opened.
    debug: DebugOutput,
    /// Open handles by number; 0 is never given out (SYS_OPEN's handles
    /// are nonzero).
    handles: Vec<Option<Handle>>,
    /// The error number of the last failed call (`SYS_ERRNO`).
    errno: u64,
    /// The heap's range for `SYS_HEAPINFO`.
    heap: (u64, u64),
    /// Set once the program exited (later calls are not answered).
    stop: Option<SemihostingStop>,
}

/// A failed call: its return value and error number.
struct Failure(u64, u64);

type Answer = Result<u64, Failure>;

fn fail(errno: u64) -> Failure {
    Failure(ERROR, errno)
}

fn host_errno(e: &std::io::Error) -> u64 {
    e.raw_os_error()
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(EINVAL)
}

impl Semihosting {
    /// Semihosting as `config` says, with `heap` (start, end) as the
    /// largest stretch of RAM no boot image uses (`SYS_HEAPINFO`).
    pub fn new(config: SemihostingConfig, heap: (u64, u64)) -> crate::Result<Self> {
        let root = match &config.root {
            Some(dir) => Some(confine::open_root(dir).map_err(|e| {
                crate::Error::Config(format!("--semihosting-root {}: {e}", dir.display()))
            })?),
            None => None,
        };
        let debug = match &config.debug_console {
            DebugConsole::Stderr => DebugOutput::Stderr,
            DebugConsole::Stdio => DebugOutput::Stdout,
            DebugConsole::Null => DebugOutput::Null,
            DebugConsole::File(path) => DebugOutput::File(File::create(path).map_err(|e| {
                crate::Error::Config(format!("semihosting chardev file {}: {e}", path.display()))
            })?),
        };
        Ok(Semihosting {
            config,
            root,
            stdin: StdinReader::default(),
            debug,
            handles: Vec::new(),
            errno: 0,
            heap,
            stop: None,
        })
    }

    /// Calls from U-mode are answered too.
    pub fn userspace(&self) -> bool {
        self.config.userspace
    }

    /// How the program asked the machine to stop, if it did.
    pub fn stop(&self) -> Option<SemihostingStop> {
        self.stop
    }

    /// Answers the call `hart` makes (operation in `a0`, parameter in
    /// `a1`), with `console` the serial console (for [`ConsoleInput::Serial`]).
    pub fn call(
        &mut self,
        hart: &mut Hart,
        mem: &mut Memory,
        console: &mut dyn Console,
    ) -> SemihostingOutcome {
        if self.stop.is_some() {
            return SemihostingOutcome::Stop;
        }
        let operation = hart.semihosting_operation();
        let param = hart.semihosting_parameter();
        let mut guest = Guest { hart, mem };
        let answer = match operation {
            op::SYS_OPEN => self.open(&mut guest, param),
            op::SYS_CLOSE => self.close(&guest, param),
            op::SYS_WRITEC => {
                let mut byte = [0u8];
                if guest.read(param, &mut byte) {
                    self.debug.write(&byte);
                }
                Ok(CORRUPTED)
            }
            op::SYS_WRITE0 => {
                if let Some(text) = guest.read_string(param, MAX_WRITE0) {
                    self.debug.write(&text);
                }
                Ok(CORRUPTED)
            }
            op::SYS_WRITE => self.write(&mut guest, param),
            op::SYS_READ => match self.read(&mut guest, param, console) {
                Some(answer) => answer,
                None => return SemihostingOutcome::Retry,
            },
            op::SYS_READC if matches!(self.debug, DebugOutput::File(_) | DebugOutput::Null) => {
                Ok(ERROR)
            }
            op::SYS_READC => match self.console_byte(console) {
                Some(Some(byte)) => Ok(u64::from(byte)),
                Some(None) => Ok(ERROR),
                None => return SemihostingOutcome::Retry,
            },
            op::SYS_ISERROR => guest.arg(param, 0).map(|v| u64::from((v as i64) < 0)),
            op::SYS_ISTTY => self.istty(&guest, param),
            op::SYS_SEEK => self.seek(&guest, param),
            op::SYS_FLEN => self.flen(&guest, param),
            op::SYS_REMOVE => self.remove(&mut guest, param),
            op::SYS_RENAME => self.rename(&mut guest, param),
            // The hart's time (10 MHz) since the machine started: virtual
            // time, deterministic under -icount (QEMU: host CPU time).
            op::SYS_CLOCK => Ok(guest.hart.timebase().now() / 100_000),
            op::SYS_TIME => Ok(std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())),
            // The same clock, whole: the 64-bit form writes the count into
            // the doubleword a1 points to and answers 0.
            op::SYS_ELAPSED => {
                let ticks = guest.hart.timebase().now();
                if guest.write(param, &ticks.to_le_bytes()) {
                    Ok(0)
                } else {
                    Err(fail(EFAULT))
                }
            }
            op::SYS_TICKFREQ => Ok(Timebase::FREQUENCY),
            op::SYS_ERRNO => Ok(self.errno),
            op::SYS_GET_CMDLINE => self.get_cmdline(&mut guest, param),
            op::SYS_HEAPINFO => self.heapinfo(&mut guest, param),
            op::SYS_TMPNAM => self.tmpnam(&mut guest, param),
            op::SYS_EXIT | op::SYS_EXIT_EXTENDED => {
                // RV64 takes the 64-bit form of both: a block of the
                // reason and the subcode (the exit code).
                match (guest.arg(param, 0), guest.arg(param, 1)) {
                    (Ok(reason), Ok(subcode)) => {
                        let code = if reason == ADP_STOPPED_APPLICATION_EXIT {
                            // QEMU keeps the low 32 bits (and exit() the low 8).
                            low_u32(subcode)
                        } else {
                            1
                        };
                        self.stop = Some(SemihostingStop::Exit(code));
                        return SemihostingOutcome::Stop;
                    }
                    (Err(f), _) | (_, Err(f)) => Err(f),
                }
            }
            other => {
                self.stop = Some(SemihostingStop::Unsupported(other));
                return SemihostingOutcome::Stop;
            }
        };
        SemihostingOutcome::Return(match answer {
            Ok(value) => value,
            Err(Failure(value, errno)) => {
                self.errno = errno;
                value
            }
        })
    }

    fn handle(&mut self, number: u64) -> Result<&mut Handle, Failure> {
        handle_in(&mut self.handles, number)
    }

    fn allocate(&mut self, handle: Handle) -> u64 {
        if self.handles.is_empty() {
            self.handles.push(None);
        }
        let slot = match self.handles.iter().skip(1).position(Option::is_none) {
            Some(i) => i + 1,
            None => {
                self.handles.push(None);
                self.handles.len() - 1
            }
        };
        self.handles[slot] = Some(handle);
        slot as u64
    }

    /// `SYS_OPEN`: block `[name, mode, name length]`.
    fn open(&mut self, guest: &mut Guest<'_>, param: u64) -> Answer {
        let (name, mode, len) = (
            guest.arg(param, 0)?,
            guest.arg(param, 1)?,
            guest.arg(param, 2)?,
        );
        if mode >= 12 {
            return Err(fail(EINVAL));
        }
        let name = guest.name(name, len)?;
        let handle = match name.as_slice() {
            b":tt" => match mode {
                0..=3 => Handle::Stdin,
                4..=7 => Handle::Stdout,
                _ => Handle::Stderr,
            },
            b":semihosting-features" if mode <= 1 => Handle::Features { pos: 0 },
            b":semihosting-features" => return Err(fail(EACCES)),
            _ => Handle::File(
                confine::open(self.root.as_ref(), &name, mode).map_err(|e| fail(host_errno(&e)))?,
            ),
        };
        Ok(self.allocate(handle))
    }

    /// `SYS_CLOSE`: block `[handle]`.
    fn close(&mut self, guest: &Guest<'_>, param: u64) -> Answer {
        let number = guest.arg(param, 0)?;
        self.handle(number)?;
        self.handles[to_usize(number)] = None;
        Ok(0)
    }

    /// `SYS_WRITE`: block `[handle, data, length]`; returns the bytes not
    /// written.
    fn write(&mut self, guest: &mut Guest<'_>, param: u64) -> Answer {
        let (number, data, len) = (
            guest.arg(param, 0)?,
            guest.arg(param, 1)?,
            guest.arg(param, 2)?,
        );
        let handle = self.handle(number)?;
        let mut done = 0u64;
        let mut buf = vec![0u8; CHUNK];
        while done < len.min(MAX_TRANSFER) {
            let n = to_usize((len.min(MAX_TRANSFER) - done).min(CHUNK as u64));
            if !guest.read(data.wrapping_add(done), &mut buf[..n]) {
                return Err(Failure(len - done, EFAULT));
            }
            let written = match handle {
                Handle::Stdout => write_host(&mut std::io::stdout(), &buf[..n]),
                Handle::Stderr => write_host(&mut std::io::stderr(), &buf[..n]),
                Handle::File(file) => file.write_all(&buf[..n]).map_err(|e| host_errno(&e)),
                Handle::Stdin | Handle::Features { .. } => Err(EBADF),
            };
            if let Err(errno) = written {
                return Err(Failure(len - done, errno));
            }
            done += n as u64;
        }
        Ok(len - done)
    }

    /// `SYS_READ`: block `[handle, buffer, length]`; returns the bytes not
    /// read (all of them at end of file). `None`: retry later.
    fn read(
        &mut self,
        guest: &mut Guest<'_>,
        param: u64,
        console: &mut dyn Console,
    ) -> Option<Answer> {
        let args = (
            guest.arg(param, 0),
            guest.arg(param, 1),
            guest.arg(param, 2),
        );
        let (number, buffer, len) = match args {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(f), _, _) | (_, Err(f), _) | (_, _, Err(f)) => return Some(Err(f)),
        };
        let input = self.config.input;
        let handle = match handle_in(&mut self.handles, number) {
            Ok(handle) => handle,
            Err(f) => return Some(Err(f)),
        };
        let want = len.min(MAX_TRANSFER);
        let mut done = 0u64;
        let mut buf = vec![0u8; CHUNK];
        while done < want {
            let n = to_usize((want - done).min(CHUNK as u64));
            let got = match handle {
                Handle::File(file) => file.read(&mut buf[..n]).map_err(|e| host_errno(&e)),
                Handle::Features { pos } => {
                    let start = to_usize((*pos).min(FEATURES.len() as u64));
                    let k = n.min(FEATURES.len() - start);
                    buf[..k].copy_from_slice(&FEATURES[start..start + k]);
                    *pos += k as u64;
                    Ok(k)
                }
                Handle::Stdin => match input {
                    ConsoleInput::HostStdin => match self.stdin.read(&mut buf[..n]) {
                        Some(got) => got,
                        None if done == 0 => return None,
                        None => Ok(0),
                    },
                    ConsoleInput::Serial => {
                        let mut k = 0;
                        while k < n {
                            match console.read() {
                                Some(byte) => {
                                    buf[k] = byte;
                                    k += 1;
                                }
                                None => break,
                            }
                        }
                        // Nothing there: wait for input (a blocking read),
                        // unless it has ended (end of file).
                        if k == 0 && done == 0 && console.wait(None) {
                            return None;
                        }
                        Ok(k)
                    }
                },
                Handle::Stdout | Handle::Stderr => Err(EBADF),
            };
            let got = match got {
                Ok(k) => k,
                Err(errno) => return Some(Err(Failure(len - done, errno))),
            };
            if got > 0 && !guest.write(buffer.wrapping_add(done), &buf[..got]) {
                return Some(Err(Failure(len - done, EFAULT)));
            }
            done += got as u64;
            // End of file, or what a terminal or pipe had (a console read
            // returns what is there rather than waiting for more).
            if got < n || matches!(handle, Handle::Stdin) {
                break;
            }
        }
        Some(Ok(len - done))
    }

    /// One byte of console input: `Some(None)` at its end, `None` when
    /// none is there yet (retry).
    fn console_byte(&mut self, console: &mut dyn Console) -> Option<Option<u8>> {
        match self.config.input {
            ConsoleInput::HostStdin => {
                let mut byte = [0u8];
                Some(match self.stdin.read(&mut byte)? {
                    Ok(1) => Some(byte[0]),
                    _ => None,
                })
            }
            ConsoleInput::Serial => match console.read() {
                Some(byte) => Some(Some(byte)),
                None if console.wait(None) => None,
                None => Some(None),
            },
        }
    }

    /// `SYS_ISTTY`: block `[handle]`.
    fn istty(&mut self, guest: &Guest<'_>, param: u64) -> Answer {
        let handle = self.handle(guest.arg(param, 0)?)?;
        Ok(u64::from(match handle {
            Handle::Stdin => std::io::stdin().is_terminal(),
            Handle::Stdout => std::io::stdout().is_terminal(),
            Handle::Stderr => std::io::stderr().is_terminal(),
            Handle::File(file) => file.is_terminal(),
            Handle::Features { .. } => false,
        }))
    }

    /// `SYS_SEEK`: block `[handle, position]`.
    fn seek(&mut self, guest: &Guest<'_>, param: u64) -> Answer {
        let (number, pos) = (guest.arg(param, 0)?, guest.arg(param, 1)?);
        match self.handle(number)? {
            Handle::File(file) => file
                .seek(SeekFrom::Start(pos))
                .map(|_| 0)
                .map_err(|e| fail(host_errno(&e))),
            Handle::Features { pos: at } if pos <= FEATURES.len() as u64 => {
                *at = pos;
                Ok(0)
            }
            Handle::Features { .. } => Err(fail(EINVAL)),
            Handle::Stdin | Handle::Stdout | Handle::Stderr => Err(fail(ESPIPE)),
        }
    }

    /// `SYS_FLEN`: block `[handle]`.
    fn flen(&mut self, guest: &Guest<'_>, param: u64) -> Answer {
        let metadata = match self.handle(guest.arg(param, 0)?)? {
            Handle::File(file) => file.metadata(),
            Handle::Features { .. } => return Ok(FEATURES.len() as u64),
            // What the host's stream is (QEMU fstat()s the descriptor: a
            // redirected output file has a length).
            Handle::Stdin => std_metadata(std::io::stdin().as_fd()),
            Handle::Stdout => std_metadata(std::io::stdout().as_fd()),
            Handle::Stderr => std_metadata(std::io::stderr().as_fd()),
        };
        metadata.map(|m| m.len()).map_err(|e| fail(host_errno(&e)))
    }

    /// `SYS_REMOVE`: block `[name, length]`.
    fn remove(&mut self, guest: &mut Guest<'_>, param: u64) -> Answer {
        let name = guest.name(guest.arg(param, 0)?, guest.arg(param, 1)?)?;
        confine::remove(self.root.as_ref(), &name)
            .map(|()| 0)
            .map_err(|e| fail(host_errno(&e)))
    }

    /// `SYS_RENAME`: block `[old name, length, new name, length]`.
    fn rename(&mut self, guest: &mut Guest<'_>, param: u64) -> Answer {
        let old = guest.name(guest.arg(param, 0)?, guest.arg(param, 1)?)?;
        let new = guest.name(guest.arg(param, 2)?, guest.arg(param, 3)?)?;
        confine::rename(self.root.as_ref(), &old, &new)
            .map(|()| 0)
            .map_err(|e| fail(host_errno(&e)))
    }

    /// `SYS_GET_CMDLINE`: block `[buffer, size]`; the size field gets the
    /// length of the string written (without its NUL).
    fn get_cmdline(&mut self, guest: &mut Guest<'_>, param: u64) -> Answer {
        let (buffer, size) = (guest.arg(param, 0)?, guest.arg(param, 1)?);
        let mut text = self.config.cmdline.as_bytes().to_vec();
        let len = text.len() as u64;
        if len >= size {
            return Err(fail(E2BIG));
        }
        text.push(0);
        if !guest.write(buffer, &text) || !guest.write(param.wrapping_add(8), &len.to_le_bytes()) {
            return Err(fail(EFAULT));
        }
        Ok(0)
    }

    /// `SYS_TMPNAM`: a block of a buffer, an identifier (0-255; QEMU takes
    /// the low 8 bits of a larger one, and so does rivet) and the
    /// buffer's length gets a name, NUL-terminated, for a temporary file
    /// that `SYS_OPEN` can create: in the host's temporary directory, or
    /// relative to the confining directory when there is one. The name
    /// holds rivet's process id and the identifier, so one identifier
    /// gives one name for the run.
    fn tmpnam(&mut self, guest: &mut Guest<'_>, param: u64) -> Answer {
        let (buffer, id, size) = (
            guest.arg(param, 0)?,
            guest.arg(param, 1)?,
            guest.arg(param, 2)?,
        );
        // The specification says 0-255; QEMU keeps the low 8 bits of any.
        let id = id & 0xff;
        let file = format!("rivet-{:x}{id:02x}", std::process::id());
        let mut name = if self.root.is_some() {
            file.into_bytes()
        } else {
            std::env::temp_dir()
                .join(file)
                .into_os_string()
                .into_encoded_bytes()
        };
        if name.len() as u64 >= size {
            return Err(fail(ENAMETOOLONG));
        }
        name.push(0);
        if !guest.write(buffer, &name) {
            return Err(fail(EFAULT));
        }
        Ok(0)
    }

    /// `SYS_HEAPINFO`: `a1` points to the address of a block that gets
    /// the heap's base and limit and the stack's base and limit (QEMU: the
    /// largest stretch of RAM between boot images, the heap growing up
    /// from its start and the stack down from its end).
    fn heapinfo(&mut self, guest: &mut Guest<'_>, param: u64) -> Answer {
        let block = guest.arg(param, 0)?;
        let (start, end) = self.heap;
        let mut bytes = Vec::with_capacity(32);
        for word in [start, end, end, start] {
            bytes.extend_from_slice(&word.to_le_bytes());
        }
        if !guest.write(block, &bytes) {
            return Err(fail(EFAULT));
        }
        Ok(0)
    }
}

/// Handle `number` of `handles`, if it is open.
fn handle_in(handles: &mut [Option<Handle>], number: u64) -> Result<&mut Handle, Failure> {
    usize::try_from(number)
        .ok()
        .and_then(|n| handles.get_mut(n))
        .and_then(Option::as_mut)
        .ok_or_else(|| fail(EBADF))
}

/// Writes guest output to a host stream; the host's error number if it fails.
fn write_host(out: &mut dyn Write, bytes: &[u8]) -> Result<(), u64> {
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| host_errno(&e))
}

/// The host's standard input, read by a thread of its own (started at the
/// first read), so that a call waiting for input never blocks rivet: a
/// signal, `--timeout` or the quit key still end the run.
#[derive(Debug, Default)]
struct StdinReader {
    shared: Option<Arc<(Mutex<StdinState>, Condvar)>>,
}

#[derive(Debug, Default)]
struct StdinState {
    bytes: VecDeque<u8>,
    /// End of file, or the host's error number.
    ended: Option<Result<(), u64>>,
}

/// The most input bytes the thread reads ahead.
const STDIN_AHEAD: usize = 64 << 10;

impl StdinReader {
    /// Up to `buf.len()` bytes of input: `Some(Ok(0))` at its end, `None`
    /// when none came within a tenth of a second (try again).
    fn read(&mut self, buf: &mut [u8]) -> Option<Result<usize, u64>> {
        let shared = Arc::clone(self.shared.get_or_insert_with(Self::start));
        let (state, ready) = &*shared;
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        if st.bytes.is_empty() && st.ended.is_none() {
            st = ready
                .wait_timeout(st, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        if !st.bytes.is_empty() {
            let n = buf.len().min(st.bytes.len());
            for (slot, byte) in buf.iter_mut().zip(st.bytes.drain(..n)) {
                *slot = byte;
            }
            ready.notify_all();
            return Some(Ok(n));
        }
        st.ended.map(|end| end.map(|()| 0))
    }

    fn start() -> Arc<(Mutex<StdinState>, Condvar)> {
        let shared = Arc::new((Mutex::new(StdinState::default()), Condvar::new()));
        let theirs = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("semihosting stdin".into())
            .spawn(move || Self::pump(&theirs));
        if let Err(e) = spawned {
            shared.0.lock().unwrap_or_else(|e| e.into_inner()).ended = Some(Err(host_errno(&e)));
        }
        shared
    }

    /// The thread: reads standard input (unbuffered, through a duplicate
    /// of its descriptor) into the queue until it ends.
    fn pump(shared: &(Mutex<StdinState>, Condvar)) {
        let (state, ready) = shared;
        let mut input = match std::io::stdin().as_fd().try_clone_to_owned() {
            Ok(fd) => File::from(fd),
            Err(e) => {
                state.lock().unwrap_or_else(|e| e.into_inner()).ended = Some(Err(host_errno(&e)));
                ready.notify_all();
                return;
            }
        };
        let mut buf = vec![0u8; 4096];
        loop {
            let got = input.read(&mut buf);
            let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
            match got {
                Ok(0) => st.ended = Some(Ok(())),
                Ok(n) => st.bytes.extend(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => st.ended = Some(Err(host_errno(&e))),
            }
            ready.notify_all();
            if st.ended.is_some() {
                return;
            }
            while st.bytes.len() >= STDIN_AHEAD {
                st = ready.wait(st).unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

/// The metadata of a standard stream's descriptor.
fn std_metadata(fd: std::os::fd::BorrowedFd<'_>) -> std::io::Result<std::fs::Metadata> {
    File::from(fd.try_clone_to_owned()?).metadata()
}

/// Guest memory as the calling hart sees it.
struct Guest<'a> {
    hart: &'a mut Hart,
    mem: &'a mut Memory,
}

impl Guest<'_> {
    fn read(&self, vaddr: u64, buf: &mut [u8]) -> bool {
        self.hart.semihosting_read(self.mem, vaddr, buf)
    }

    fn write(&mut self, vaddr: u64, data: &[u8]) -> bool {
        self.hart.semihosting_write(self.mem, vaddr, data)
    }

    /// Field `index` (8 bytes each) of the parameter block at `block`.
    fn arg(&self, block: u64, index: u64) -> Result<u64, Failure> {
        let mut word = [0u8; 8];
        if self.read(block.wrapping_add(8 * index), &mut word) {
            Ok(u64::from_le_bytes(word))
        } else {
            Err(fail(EFAULT))
        }
    }

    /// A file name of `len` bytes at `addr` (without its NUL).
    fn name(&self, addr: u64, len: u64) -> Result<Vec<u8>, Failure> {
        if len > MAX_NAME {
            return Err(fail(ENAMETOOLONG));
        }
        let mut name = vec![0u8; to_usize(len)];
        if !self.read(addr, &mut name) {
            return Err(fail(EFAULT));
        }
        if name.contains(&0) || name.is_empty() {
            return Err(fail(EINVAL));
        }
        Ok(name)
    }

    /// The NUL-terminated string at `addr`, at most `max` bytes before the
    /// NUL; `None` if it cannot be read whole.
    fn read_string(&self, addr: u64, max: u64) -> Option<Vec<u8>> {
        let mut text = Vec::new();
        let mut at = addr;
        while (text.len() as u64) <= max {
            // Up to the end of the page, so that a string ending just
            // before an unmapped page reads.
            let n = to_usize(0x1000 - (at & 0xfff));
            let mut chunk = vec![0u8; n];
            if !self.read(at, &mut chunk) {
                return None;
            }
            if let Some(end) = chunk.iter().position(|&b| b == 0) {
                text.extend_from_slice(&chunk[..end]);
                return Some(text);
            }
            text.extend_from_slice(&chunk);
            at = at.wrapping_add(n as u64);
        }
        None
    }
}

/// File access by name: anywhere (relative to the working directory), or
/// confined beneath a root directory.
mod confine {
    use std::ffi::OsStr;
    use std::fs::{File, OpenOptions};
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;

    /// New files get `rw-r--r--` (less the umask), as QEMU's.
    const MODE: u32 = 0o644;

    /// Opens the confining directory.
    pub(super) fn open_root(dir: &Path) -> std::io::Result<File> {
        if !cfg!(target_os = "linux") {
            return Err(std::io::Error::other(
                "confining semihosting files needs Linux (openat2)",
            ));
        }
        let file = File::open(dir)?;
        if !file.metadata()?.is_dir() {
            return Err(std::io::Error::other("not a directory"));
        }
        Ok(file)
    }

    /// The open options of semihosting mode `mode` (0..12: r, rb, r+, r+b,
    /// w, wb, w+, w+b, a, ab, a+, a+b).
    fn options(mode: u64) -> OpenOptions {
        let mut o = OpenOptions::new();
        let plus = mode & 2 != 0;
        match mode / 4 {
            0 => o.read(true).write(plus),
            1 => o.write(true).read(plus).create(true).truncate(true),
            _ => o.append(true).read(plus).create(true),
        };
        o.mode(MODE);
        o
    }

    /// Opens `name` in semihosting mode `mode`.
    pub(super) fn open(root: Option<&File>, name: &[u8], mode: u64) -> std::io::Result<File> {
        let path = Path::new(OsStr::from_bytes(name));
        match root {
            None => options(mode).open(path),
            Some(root) => beneath::open(root, path, mode),
        }
    }

    /// Deletes `name`.
    pub(super) fn remove(root: Option<&File>, name: &[u8]) -> std::io::Result<()> {
        let path = Path::new(OsStr::from_bytes(name));
        match root {
            None => std::fs::remove_file(path),
            Some(root) => beneath::remove(root, path),
        }
    }

    /// Renames `old` to `new`.
    pub(super) fn rename(root: Option<&File>, old: &[u8], new: &[u8]) -> std::io::Result<()> {
        let (old, new) = (
            Path::new(OsStr::from_bytes(old)),
            Path::new(OsStr::from_bytes(new)),
        );
        match root {
            None => std::fs::rename(old, new),
            Some(root) => beneath::rename(root, old, new),
        }
    }

    #[cfg(target_os = "linux")]
    mod beneath {
        //! Resolution beneath the root by the kernel: `openat2` with
        //! `RESOLVE_BENEATH` fails (`EXDEV`) for absolute names, `..`
        //! above the root and symbolic links that lead out of it, with no
        //! window between a check and the use.

        use std::fs::File;
        use std::os::fd::OwnedFd;
        use std::path::Path;

        use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
        use nix::sys::stat::Mode;

        fn resolve() -> ResolveFlag {
            ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_MAGICLINKS
        }

        fn at(root: &File, path: &Path, flags: OFlag) -> std::io::Result<OwnedFd> {
            let mut how = OpenHow::new()
                .flags(flags | OFlag::O_CLOEXEC)
                .resolve(resolve());
            // openat2 refuses a mode without O_CREAT.
            if flags.contains(OFlag::O_CREAT) {
                how = how.mode(Mode::from_bits_truncate(super::MODE));
            }
            openat2(root, path, how).map_err(std::io::Error::from)
        }

        pub(super) fn open(root: &File, path: &Path, mode: u64) -> std::io::Result<File> {
            let plus = mode & 2 != 0;
            let access = if plus {
                OFlag::O_RDWR
            } else if mode < 4 {
                OFlag::O_RDONLY
            } else {
                OFlag::O_WRONLY
            };
            let extra = match mode / 4 {
                0 => OFlag::empty(),
                1 => OFlag::O_CREAT | OFlag::O_TRUNC,
                _ => OFlag::O_CREAT | OFlag::O_APPEND,
            };
            at(root, path, access | extra).map(File::from)
        }

        /// The directory holding `path`'s last component (opened beneath
        /// the root) and that component, which must be a plain name.
        fn parent(root: &File, path: &Path) -> std::io::Result<(OwnedFd, std::ffi::OsString)> {
            let name = match path.file_name() {
                Some(name) if !path.as_os_str().as_encoded_bytes().ends_with(b"/") => name,
                _ => return Err(std::io::Error::from_raw_os_error(nix::libc::EINVAL)),
            };
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let fd = at(root, dir, OFlag::O_PATH | OFlag::O_DIRECTORY)?;
            Ok((fd, name.to_os_string()))
        }

        pub(super) fn remove(root: &File, path: &Path) -> std::io::Result<()> {
            let (dir, name) = parent(root, path)?;
            nix::unistd::unlinkat(
                &dir,
                name.as_os_str(),
                nix::unistd::UnlinkatFlags::NoRemoveDir,
            )
            .map_err(std::io::Error::from)
        }

        pub(super) fn rename(root: &File, old: &Path, new: &Path) -> std::io::Result<()> {
            let (old_dir, old_name) = parent(root, old)?;
            let (new_dir, new_name) = parent(root, new)?;
            nix::fcntl::renameat(
                &old_dir,
                old_name.as_os_str(),
                &new_dir,
                new_name.as_os_str(),
            )
            .map_err(std::io::Error::from)
        }
    }

    #[cfg(not(target_os = "linux"))]
    mod beneath {
        //! Confinement needs Linux's `openat2`: [`super::open_root`]
        //! refuses it elsewhere, so these are never reached.

        use std::fs::File;
        use std::path::Path;

        fn unsupported() -> std::io::Error {
            std::io::Error::other("confining semihosting files needs Linux")
        }

        pub(super) fn open(_: &File, _: &Path, _: u64) -> std::io::Result<File> {
            Err(unsupported())
        }

        pub(super) fn remove(_: &File, _: &Path) -> std::io::Result<()> {
            Err(unsupported())
        }

        pub(super) fn rename(_: &File, _: &Path, _: &Path) -> std::io::Result<()> {
            Err(unsupported())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use rivet_core::{PhysAddr, XReg};

    use super::*;
    use crate::console::BufferConsole;

    const BASE: u64 = 0x8000_0000;
    const RAM: u64 = 0x10_0000;
    /// Where the tests put parameter blocks, strings and buffers.
    const BLOCK: u64 = BASE + 0x100;
    const TEXT: u64 = BASE + 0x1000;
    const BUFFER: u64 = BASE + 0x2000;
    /// No memory there.
    const NOWHERE: u64 = 0x10;

    struct Rig {
        hart: Hart,
        mem: Memory,
        semihosting: Semihosting,
        console: BufferConsole,
    }

    fn config(root: Option<&Path>) -> SemihostingConfig {
        SemihostingConfig {
            cmdline: "prog.elf one two".into(),
            userspace: false,
            root: root.map(Path::to_path_buf),
            input: ConsoleInput::Serial,
            debug_console: DebugConsole::Stderr,
        }
    }

    fn rig(root: Option<&Path>) -> Rig {
        Rig {
            hart: Hart::new(0),
            mem: Memory::new(PhysAddr::new(BASE), RAM).unwrap(),
            semihosting: Semihosting::new(config(root), (BASE + 0x8000, BASE + RAM)).unwrap(),
            console: BufferConsole::new(),
        }
    }

    impl Rig {
        fn call(&mut self, op: u64, param: u64) -> SemihostingOutcome {
            self.hart.set_x(XReg::A0, op);
            self.hart.set_x(XReg::A1, param);
            self.semihosting
                .call(&mut self.hart, &mut self.mem, &mut self.console)
        }

        /// The call's return value; it must return.
        fn ret(&mut self, op: u64, param: u64) -> u64 {
            match self.call(op, param) {
                SemihostingOutcome::Return(v) => v,
                other => panic!("op {op:#x}: {other:?}"),
            }
        }

        /// Calls `op` with a parameter block of `words`.
        fn with_block(&mut self, op: u64, words: &[u64]) -> u64 {
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            self.mem.write(PhysAddr::new(BLOCK), &bytes).unwrap();
            self.ret(op, BLOCK)
        }

        /// Puts `text` at TEXT (with a NUL) and returns (address, length).
        fn text(&mut self, text: &str) -> (u64, u64) {
            let mut bytes = text.as_bytes().to_vec();
            bytes.push(0);
            self.mem.write(PhysAddr::new(TEXT), &bytes).unwrap();
            (TEXT, text.len() as u64)
        }

        fn open(&mut self, name: &str, mode: u64) -> u64 {
            let (at, len) = self.text(name);
            self.with_block(op::SYS_OPEN, &[at, mode, len])
        }

        fn errno(&mut self) -> u64 {
            self.ret(op::SYS_ERRNO, 0)
        }

        fn bytes(&self, at: u64, len: usize) -> Vec<u8> {
            let mut buf = vec![0u8; len];
            self.mem.read(PhysAddr::new(at), &mut buf).unwrap();
            buf
        }
    }

    fn temp_dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn path(dir: &Path, name: &str) -> String {
        dir.join(name).to_str().unwrap().to_string()
    }

    #[test]
    fn a_file_is_written_sought_read_measured_and_closed() {
        let dir = temp_dir();
        let mut r = rig(None);
        let name = path(dir.path(), "f.txt");
        // w+: read and write, created, truncated.
        let h = r.open(&name, 6);
        assert_eq!(h, 1);
        r.mem.write(PhysAddr::new(BUFFER), b"hello, host").unwrap();
        assert_eq!(r.with_block(op::SYS_WRITE, &[h, BUFFER, 11]), 0);
        assert_eq!(r.with_block(op::SYS_FLEN, &[h]), 11);
        assert_eq!(r.with_block(op::SYS_SEEK, &[h, 7]), 0);
        // Ask for 10, get 4: 6 not read.
        assert_eq!(r.with_block(op::SYS_READ, &[h, BUFFER + 0x100, 10]), 6);
        assert_eq!(r.bytes(BUFFER + 0x100, 4), b"host");
        // At the end: nothing read.
        assert_eq!(r.with_block(op::SYS_READ, &[h, BUFFER + 0x100, 10]), 10);
        assert_eq!(r.with_block(op::SYS_ISTTY, &[h]), 0);
        assert_eq!(r.with_block(op::SYS_CLOSE, &[h]), 0);
        assert_eq!(
            std::fs::read(dir.path().join("f.txt")).unwrap(),
            b"hello, host"
        );
        // Handles are reused from 1.
        assert_eq!(r.open(&name, 0), 1);
    }

    #[test]
    fn open_modes_follow_the_table() {
        let dir = temp_dir();
        let mut r = rig(None);
        let name = path(dir.path(), "m.txt");
        std::fs::write(&name, b"old").unwrap();
        // a: appends, keeps the contents.
        let h = r.open(&name, 8);
        r.mem.write(PhysAddr::new(BUFFER), b"+new").unwrap();
        assert_eq!(r.with_block(op::SYS_WRITE, &[h, BUFFER, 4]), 0);
        // r: cannot write (EBADF from the host).
        let ro = r.open(&name, 0);
        assert_eq!(r.with_block(op::SYS_WRITE, &[ro, BUFFER, 4]), 4);
        assert_eq!(r.errno(), EBADF);
        assert_eq!(std::fs::read(&name).unwrap(), b"old+new");
        // w: truncates.
        r.open(&name, 4);
        assert_eq!(std::fs::read(&name).unwrap(), b"");
        // r of a missing file: ENOENT; mode 12: EINVAL.
        assert_eq!(r.open(&path(dir.path(), "none"), 0), ERROR);
        assert_eq!(r.errno(), 2);
        assert_eq!(r.open(&name, 12), ERROR);
        assert_eq!(r.errno(), EINVAL);
    }

    #[test]
    fn tt_is_the_console_and_the_features_file_says_what_we_have() {
        let mut r = rig(None);
        assert_eq!(
            [r.open(":tt", 0), r.open(":tt", 4), r.open(":tt", 8)],
            [1, 2, 3]
        );
        let f = r.open(":semihosting-features", 0);
        assert_eq!(r.with_block(op::SYS_FLEN, &[f]), 5);
        assert_eq!(r.with_block(op::SYS_READ, &[f, BUFFER, 8]), 3);
        assert_eq!(r.bytes(BUFFER, 5), b"SHFB\x03");
        assert_eq!(r.open(":semihosting-features", 4), ERROR);
        assert_eq!(r.errno(), EACCES);
    }

    #[test]
    fn console_input_comes_from_the_serial_console_until_it_ends() {
        let mut r = rig(None);
        r.console.input.extend(b"abc");
        assert_eq!(r.ret(op::SYS_READC, 0), u64::from(b'a'));
        let tty = r.open(":tt", 0);
        assert_eq!(r.with_block(op::SYS_READ, &[tty, BUFFER, 8]), 6);
        assert_eq!(r.bytes(BUFFER, 2), b"bc");
        // The input has ended: end of file.
        assert_eq!(r.ret(op::SYS_READC, 0), ERROR);
        assert_eq!(r.with_block(op::SYS_READ, &[tty, BUFFER, 8]), 8);
    }

    #[test]
    fn bad_pointers_are_errors_for_the_guest() {
        let dir = temp_dir();
        let mut r = rig(None);
        // The parameter block itself.
        assert_eq!(r.ret(op::SYS_OPEN, NOWHERE), ERROR);
        assert_eq!(r.errno(), EFAULT);
        assert_eq!(r.ret(op::SYS_EXIT, NOWHERE), ERROR);
        assert_eq!(r.semihosting.stop(), None);
        // The name.
        assert_eq!(r.with_block(op::SYS_OPEN, &[NOWHERE, 0, 3]), ERROR);
        assert_eq!(r.errno(), EFAULT);
        // The data: nothing written, all of it reported unwritten.
        let h = r.open(&path(dir.path(), "b.txt"), 4);
        assert_eq!(r.with_block(op::SYS_WRITE, &[h, NOWHERE, 100]), 100);
        assert_eq!(r.errno(), EFAULT);
        assert_eq!(r.with_block(op::SYS_READ, &[h, NOWHERE, 100]), 100);
        // The debug console: a0 corrupted, nothing else.
        assert_eq!(r.ret(op::SYS_WRITE0, NOWHERE), CORRUPTED);
        assert_eq!(r.ret(op::SYS_WRITEC, NOWHERE), CORRUPTED);
        assert_eq!(r.with_block(op::SYS_GET_CMDLINE, &[NOWHERE, 100]), ERROR);
        assert_eq!(r.with_block(op::SYS_HEAPINFO, &[NOWHERE]), ERROR);
    }

    #[test]
    fn huge_lengths_are_bounded() {
        let dir = temp_dir();
        let mut r = rig(None);
        let name = path(dir.path(), "h.txt");
        std::fs::write(&name, b"0123456789").unwrap();
        let h = r.open(&name, 0);
        // Reading into a buffer "as large as memory": the file's 10 bytes.
        assert_eq!(
            r.with_block(op::SYS_READ, &[h, BUFFER, u64::MAX]),
            u64::MAX - 10
        );
        // Writing from a buffer that runs past the end of RAM: EFAULT,
        // nothing of the chunk that could not be read written.
        let w = r.open(&name, 4);
        let left = r.with_block(op::SYS_WRITE, &[w, BASE + RAM - 0x100, u64::MAX]);
        assert_eq!(left, u64::MAX);
        assert_eq!(r.errno(), EFAULT);
        // A name longer than any: ENAMETOOLONG, and no allocation of it.
        assert_eq!(r.with_block(op::SYS_OPEN, &[TEXT, 0, u64::MAX]), ERROR);
        assert_eq!(r.errno(), ENAMETOOLONG);
        assert_eq!(r.with_block(op::SYS_REMOVE, &[TEXT, 1 << 40]), ERROR);
    }

    #[test]
    fn bad_handles_are_ebadf() {
        let mut r = rig(None);
        for handle in [0, 1, 99, u64::MAX] {
            assert_eq!(r.with_block(op::SYS_CLOSE, &[handle]), ERROR);
            assert_eq!(r.errno(), EBADF);
            assert_eq!(r.with_block(op::SYS_FLEN, &[handle]), ERROR);
            assert_eq!(r.with_block(op::SYS_WRITE, &[handle, BUFFER, 4]), ERROR);
        }
        let out = r.open(":tt", 4);
        assert_eq!(r.with_block(op::SYS_READ, &[out, BUFFER, 4]), 4);
        assert_eq!(r.errno(), EBADF);
        assert_eq!(r.with_block(op::SYS_SEEK, &[out, 0]), ERROR);
        assert_eq!(r.errno(), ESPIPE);
    }

    #[test]
    fn the_command_line_needs_room_for_its_nul() {
        let mut r = rig(None);
        let len = "prog.elf one two".len() as u64;
        assert_eq!(r.with_block(op::SYS_GET_CMDLINE, &[BUFFER, len]), ERROR);
        assert_eq!(r.errno(), E2BIG);
        assert_eq!(r.with_block(op::SYS_GET_CMDLINE, &[BUFFER, len + 1]), 0);
        assert_eq!(r.bytes(BUFFER, to_usize(len) + 1), b"prog.elf one two\0");
        assert_eq!(r.bytes(BLOCK + 8, 8), len.to_le_bytes());
    }

    #[test]
    fn heapinfo_writes_the_block_a1_points_to() {
        let mut r = rig(None);
        assert_eq!(r.with_block(op::SYS_HEAPINFO, &[BUFFER]), 0);
        let words: Vec<u64> = r
            .bytes(BUFFER, 32)
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let (start, end) = (BASE + 0x8000, BASE + RAM);
        assert_eq!(words, [start, end, end, start]);
    }

    #[test]
    fn iserror_time_and_clock() {
        let mut r = rig(None);
        assert_eq!(r.with_block(op::SYS_ISERROR, &[ERROR]), 1);
        assert_eq!(r.with_block(op::SYS_ISERROR, &[5]), 0);
        assert!(r.ret(op::SYS_TIME, 0) > 1_600_000_000);
        assert!(r.ret(op::SYS_CLOCK, 0) < 1_000_000);
    }

    #[test]
    fn tmpnam_names_a_file_the_program_can_create() {
        let mut r = rig(None);
        assert_eq!(r.with_block(op::SYS_TMPNAM, &[BUFFER, 7, 200]), 0);
        let bytes = r.bytes(BUFFER, 200);
        let end = bytes.iter().position(|&b| b == 0).unwrap();
        let name = String::from_utf8(bytes[..end].to_vec()).unwrap();
        let expected = std::env::temp_dir().join(format!("rivet-{:x}07", std::process::id()));
        assert_eq!(name, expected.to_str().unwrap());
        let h = r.open(&name, 4);
        assert_ne!(h, ERROR);
        assert_eq!(r.with_block(op::SYS_CLOSE, &[h]), 0);
        std::fs::remove_file(&name).unwrap();
        // An identifier past 255: its low 8 bits, as QEMU takes them.
        assert_eq!(r.with_block(op::SYS_TMPNAM, &[BUFFER, 0x107, 200]), 0);
        assert_eq!(r.bytes(BUFFER, end), name.as_bytes());
        // Too short a buffer: an error.
        assert_eq!(r.with_block(op::SYS_TMPNAM, &[BUFFER, 7, 4]), ERROR);
        assert_eq!(r.errno(), ENAMETOOLONG);
        // Confined: a name inside the directory.
        let dir = temp_dir();
        let mut r = rig(Some(dir.path()));
        assert_eq!(r.with_block(op::SYS_TMPNAM, &[BUFFER, 1, 200]), 0);
        let name = format!("rivet-{:x}01", std::process::id());
        assert_eq!(
            r.bytes(BUFFER, name.len() + 1),
            [name.as_bytes(), b"\0"].concat()
        );
        let h = r.open(&name, 4);
        assert_ne!(h, ERROR);
        assert!(dir.path().join(&name).exists());
    }

    #[test]
    fn elapsed_counts_the_machine_timer_at_tickfreq() {
        let mut r = rig(None);
        assert_eq!(r.ret(op::SYS_TICKFREQ, 0), 10_000_000);
        r.mem.write(PhysAddr::new(BUFFER), &[0xff; 8]).unwrap();
        let before = r.hart.timebase().now();
        assert_eq!(r.ret(op::SYS_ELAPSED, BUFFER), 0);
        let after = r.hart.timebase().now();
        let ticks = u64::from_le_bytes(r.bytes(BUFFER, 8).try_into().unwrap());
        assert!(
            (before..=after).contains(&ticks),
            "{before} <= {ticks} <= {after}"
        );
        // A doubleword outside RAM: -1 and EFAULT, nothing written.
        assert_eq!(r.ret(op::SYS_ELAPSED, NOWHERE), ERROR);
        assert_eq!(r.errno(), EFAULT);
    }

    #[test]
    fn exit_takes_the_code_of_an_application_exit_only() {
        let mut r = rig(None);
        r.mem
            .write(
                PhysAddr::new(BLOCK),
                &[
                    ADP_STOPPED_APPLICATION_EXIT.to_le_bytes(),
                    300u64.to_le_bytes(),
                ]
                .concat(),
            )
            .unwrap();
        assert_eq!(r.call(op::SYS_EXIT, BLOCK), SemihostingOutcome::Stop);
        assert_eq!(r.semihosting.stop(), Some(SemihostingStop::Exit(300)));
        // Nothing is answered after the exit.
        assert_eq!(r.call(op::SYS_ERRNO, 0), SemihostingOutcome::Stop);

        let mut r = rig(None);
        r.mem
            .write(
                PhysAddr::new(BLOCK),
                &[0x2_0023u64.to_le_bytes(), 0u64.to_le_bytes()].concat(),
            )
            .unwrap();
        assert_eq!(
            r.call(op::SYS_EXIT_EXTENDED, BLOCK),
            SemihostingOutcome::Stop
        );
        assert_eq!(r.semihosting.stop(), Some(SemihostingStop::Exit(1)));
    }

    #[test]
    fn an_unknown_operation_stops_the_machine() {
        for unknown in [op::SYS_SYSTEM, 0x14, 0x32, 0x99, u64::MAX] {
            let mut r = rig(None);
            assert_eq!(r.call(unknown, BLOCK), SemihostingOutcome::Stop);
            assert_eq!(
                r.semihosting.stop(),
                Some(SemihostingStop::Unsupported(unknown))
            );
        }
    }

    #[test]
    fn remove_and_rename() {
        let dir = temp_dir();
        let mut r = rig(None);
        let (a, b) = (path(dir.path(), "a"), path(dir.path(), "b"));
        std::fs::write(&a, b"x").unwrap();
        let (a_len, b_len) = (a.len() as u64, b.len() as u64);
        r.mem.write(PhysAddr::new(TEXT), a.as_bytes()).unwrap();
        r.mem.write(PhysAddr::new(BUFFER), b.as_bytes()).unwrap();
        assert_eq!(
            r.with_block(op::SYS_RENAME, &[TEXT, a_len, BUFFER, b_len]),
            0
        );
        assert!(!Path::new(&a).exists() && Path::new(&b).exists());
        assert_eq!(r.with_block(op::SYS_REMOVE, &[BUFFER, b_len]), 0);
        assert!(!Path::new(&b).exists());
        assert_eq!(r.with_block(op::SYS_REMOVE, &[BUFFER, b_len]), ERROR);
        assert_eq!(r.errno(), 2);
    }

    /// A root with `in.txt` and `sub/`, beside `secret.txt`, and a
    /// symbolic link `root/link` to the secret.
    fn confined() -> (tempfile::TempDir, PathBuf) {
        let dir = temp_dir();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("in.txt"), b"inside").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();
        std::os::unix::fs::symlink("../secret.txt", root.join("link")).unwrap();
        (dir, root)
    }

    #[test]
    fn confined_names_resolve_beneath_the_root() {
        let (_dir, root) = confined();
        let mut r = rig(Some(&root));
        let h = r.open("sub/../in.txt", 0);
        assert_ne!(h, ERROR);
        assert_eq!(r.with_block(op::SYS_READ, &[h, BUFFER, 6]), 0);
        assert_eq!(r.bytes(BUFFER, 6), b"inside");
        assert_ne!(r.open("sub/new.txt", 4), ERROR);
        assert!(root.join("sub/new.txt").exists());
    }

    #[test]
    fn confined_names_cannot_escape() {
        let (dir, root) = confined();
        let mut r = rig(Some(&root));
        let secret = path(dir.path(), "secret.txt");
        for name in [
            "../secret.txt",
            "sub/../../secret.txt",
            secret.as_str(),
            "/etc/passwd",
            "link",
        ] {
            for mode in [0, 4, 8] {
                assert_eq!(r.open(name, mode), ERROR, "{name} mode {mode}");
                // EXDEV: resolution left the root; ELOOP: the link.
                assert!([18, 40].contains(&r.errno()), "{name}: errno {}", r.errno());
            }
        }
        // Writing did not truncate or create anything outside.
        assert_eq!(std::fs::read(&secret).unwrap(), b"secret");
        assert!(!dir.path().join("passwd").exists());

        let (s_at, s_len) = r.text("../secret.txt");
        assert_eq!(r.with_block(op::SYS_REMOVE, &[s_at, s_len]), ERROR);
        assert!(Path::new(&secret).exists());
        // Renaming in from outside, or out from inside: refused.
        r.mem.write(PhysAddr::new(BUFFER), b"in.txt").unwrap();
        assert_eq!(
            r.with_block(op::SYS_RENAME, &[s_at, s_len, BUFFER, 6]),
            ERROR
        );
        assert_eq!(
            r.with_block(op::SYS_RENAME, &[BUFFER, 6, s_at, s_len]),
            ERROR
        );
        assert_eq!(std::fs::read(&secret).unwrap(), b"secret");
        assert_eq!(std::fs::read(root.join("in.txt")).unwrap(), b"inside");
        // A name that is no file name: "..", a trailing slash.
        let (at, len) = r.text("..");
        assert_eq!(r.with_block(op::SYS_REMOVE, &[at, len]), ERROR);
        let (at, len) = r.text("sub/");
        assert_eq!(r.with_block(op::SYS_REMOVE, &[at, len]), ERROR);
        assert!(root.join("sub").exists());
    }

    #[test]
    fn the_debug_console_goes_to_its_character_device() {
        let dir = temp_dir();
        let log = dir.path().join("console.txt");
        let mut r = rig(None);
        r.semihosting = Semihosting::new(
            SemihostingConfig {
                debug_console: DebugConsole::File(log.clone()),
                ..config(None)
            },
            (0, 0),
        )
        .unwrap();
        r.console.input.extend(b"x");
        let (at, _) = r.text("to the file\n");
        assert_eq!(r.ret(op::SYS_WRITE0, at), CORRUPTED);
        assert_eq!(r.ret(op::SYS_WRITEC, at), CORRUPTED);
        // A file has no input.
        assert_eq!(r.ret(op::SYS_READC, 0), ERROR);
        assert_eq!(std::fs::read(&log).unwrap(), b"to the file\nt");
    }

    #[test]
    fn a_root_that_is_not_a_directory_is_refused() {
        let dir = temp_dir();
        let file = dir.path().join("f");
        std::fs::write(&file, b"").unwrap();
        assert!(Semihosting::new(config(Some(&file)), (0, 0)).is_err());
        assert!(Semihosting::new(config(Some(&dir.path().join("none"))), (0, 0)).is_err());
    }
}
