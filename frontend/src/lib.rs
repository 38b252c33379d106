//! The `rivet` command: QEMU-style command line, host console, and the
//! glue that builds a `virt` machine and runs it.

#![warn(missing_docs)]

pub mod cli;
pub mod console;
pub mod gdb;
pub mod log;
pub mod run;
