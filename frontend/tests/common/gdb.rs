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

/// Writes `script` (after GDB settings for batch runs) to a file of the
/// test's temporary directory named after `name`.
fn script_file(name: &str, script: &str) -> std::path::PathBuf {
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.gdb"));
    std::fs::write(
        &file,
        format!("set pagination off\nset confirm off\n{script}"),
    )
    .expect("write the gdb script");
    file
}

/// Runs `gdb-multiarch -batch` on `script` with `program`'s symbols, and
/// presses Ctrl-C after `delay` (SIGINT to GDB, which sends 0x03 to the
/// stub): for a script whose `continue` waits on a guest that runs on.
/// Returns GDB's standard output and standard error, each in its order.
pub fn gdb_interrupted(
    name: &str,
    program: &Path,
    script: &str,
    delay: Duration,
) -> (String, String) {
    let gdb = Command::new("gdb-multiarch")
        .args(["-batch", "-nx", "-x"])
        .arg(script_file(name, script))
        .arg(program)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start gdb-multiarch");
    std::thread::sleep(delay);
    let status = Command::new("kill")
        .args(["-INT", &gdb.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -INT gdb");
    let out = gdb.wait_with_output().expect("wait for gdb");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
    let file = script_file(
        &format!(
            "gdb-script-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ),
        script,
    );
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
