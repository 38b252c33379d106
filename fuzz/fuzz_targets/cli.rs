//! The command line (`frontend/src/cli.rs`, `run.rs`): arguments from the
//! input (split at NUL bytes, not necessarily UTF-8) go through
//! `options::read`, clap's parse into `Args` and `config_from_args` (which
//! opens no file); each argument also goes to every value parser (`-m`,
//! `-smp`, `-drive`, `-device`, `-rtc`, `-icount`, `-gdb`, `-d`).
//! Errors are fine; panics are not.

#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use rivet_frontend::cli::{self, Args};
use rivet_frontend::gdb::GdbAddress;
use rivet_frontend::log::LogItems;
use rivet_frontend::options;
use rivet_frontend::run::config_from_args;

fuzz_target!(|data: &[u8]| {
    let mut args = vec![OsString::from("rivet")];
    args.extend(
        data.split(|&b| b == 0)
            .map(|a| OsString::from_vec(a.to_vec())),
    );
    for arg in &args[1..] {
        let Some(text) = arg.to_str() else { continue };
        if let Ok(bytes) = cli::parse_size(text) {
            assert!(bytes > 0);
        }
        let _ = cli::parse_kv(text);
        let _ = cli::parse_smp(text);
        let _ = cli::parse_bool("fuzz", text);
        let _ = cli::parse_icount(text);
        let _ = cli::parse_drive(text);
        let _ = cli::parse_device(text);
        let _ = cli::parse_rtc(text);
        if let Ok(secs) = cli::parse_datetime(text) {
            // The RTC counts nanoseconds in 64 bits.
            assert!(secs.checked_mul(1_000_000_000).is_some());
        }
        let _ = GdbAddress::parse(text);
        let _ = LogItems::parse(text);
    }
    if let Ok(read) = options::read(args) {
        if let Ok(args) = Args::try_parse_from(read) {
            let _ = config_from_args(&args);
        }
    }
});
