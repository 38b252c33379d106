//! `rivet`: boot a RISC-V machine from the terminal.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use rivet_frontend::cli::Args;

fn main() -> ExitCode {
    let args = match rivet_frontend::options::read(std::env::args_os()) {
        Ok(args) => Args::parse_from(args),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "rivet: {e}");
            return ExitCode::from(1);
        }
    };
    match rivet_frontend::run::run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Never a panic, even with standard error gone.
            let _ = writeln!(std::io::stderr(), "rivet: {e}");
            ExitCode::from(1)
        }
    }
}
