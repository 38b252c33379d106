//! The `rivet` command: QEMU-style command line, host console, and the
//! glue that builds a `virt` machine and runs it.

#![warn(missing_docs)]

/// `eprintln!` that never panics. rivet's messages go to a standard error
/// that may be gone by then (a terminal that hung up, a closed pipe):
/// losing a message must not turn a clean exit into a crash.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `eprint!` that never panics (see `say!`).
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

pub mod chardev;
pub mod cli;
pub mod console;
pub mod control;
pub mod gdb;
pub mod log;
pub mod monitor;
pub mod net;
pub mod options;
pub mod qmp;
pub mod run;
pub mod virtio_serial;
pub mod virtio_slots;
