//! Driving rivet's GDB stub with the real GDB (`gdb-multiarch`, installed
//! by scripts/setup-debian.sh), in batch mode: a script of GDB commands in,
//! GDB's transcript out.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::guest::Guest;
use super::{run_command, Run};

/// The address rivet's stub listens at, from its `-S` message ("waiting
/// for gdb on tcp:HOST:PORT" or "unix:PATH"), in the form GDB's `target
/// remote` takes.
pub fn stub_address(guest: &mut Guest) -> String {
    guest.expect("waiting for gdb on ", Duration::from_secs(30));
    let line = guest.expect("\n", Duration::from_secs(5));
    let spec = line.trim();
    match spec.strip_prefix("tcp:") {
        Some(host_port) => host_port.to_string(),
        None => spec.strip_prefix("unix:").unwrap_or(spec).to_string(),
    }
}

/// Runs `gdb-multiarch -batch` on `script` (with `program`'s symbols, if
/// given) and returns what it printed, stdout and stderr together.
pub fn gdb(program: Option<&Path>, script: &str, limit: Duration) -> (Run, String) {
    gdb_in(None, program, script, limit)
}

/// [`gdb`], started in directory `dir` (where a `.gdbinit` may be).
pub fn gdb_in(
    dir: Option<&Path>,
    program: Option<&Path>,
    script: &str,
    limit: Duration,
) -> (Run, String) {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let file = tmp.join(format!(
        "gdb-script-{}-{:?}.gdb",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(
        &file,
        format!("set pagination off\nset confirm off\n{script}"),
    )
    .expect("write the gdb script");
    let mut command = Command::new("gdb-multiarch");
    command.args(["-batch", "-nx", "-x"]).arg(&file);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    if let Some(program) = program {
        command.arg(program);
    }
    let run = run_command(command, b"", limit);
    let text = format!("{}{}", run.stdout, run.stderr);
    (run, text)
}
