//! Semihosting end to end: a C program on picolibc's semihosting library
//! (test-roms/semihosting/semihost.c) run on rivet and on QEMU 7.2 with
//! the same command line, input and working directory; what they print on
//! standard output and standard error, the files they leave and their exit
//! status must be the same. QEMU is the oracle; the test fails (it does not
//! skip) when `qemu-system-riscv64` is missing (scripts/setup-debian.sh
//! installs it, and picolibc).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use common::{repo_root, run_command, Run};

/// Builds the program once per test binary and returns its path.
fn program() -> &'static Path {
    static ELF: OnceLock<PathBuf> = OnceLock::new();
    ELF.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("semihosting");
        let built = Command::new("bash")
            .arg(repo_root().join("test-roms/semihosting/build.sh"))
            .arg(&out)
            .stderr(Stdio::inherit())
            .output()
            .expect("run test-roms/semihosting/build.sh");
        assert!(
            built.status.success(),
            "test-roms/semihosting/build.sh failed"
        );
        PathBuf::from(String::from_utf8(built.stdout).expect("a path").trim())
    })
}

/// A fresh, empty working directory named `name`.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("semihosting-runs")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch directory");
    dir
}

/// Runs `emulator` with `args` in `dir`, `stdin` as its input.
fn run_in(emulator: &str, dir: &Path, args: &[&str], stdin: &[u8]) -> Run {
    let mut command = Command::new(emulator);
    command.args(args).current_dir(dir);
    run_command(command, stdin, Duration::from_secs(60))
}

/// The files of `dir`, names and contents, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .expect("read scratch directory")
        .map(|e| {
            let e = e.expect("directory entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read file"),
            )
        })
        .collect();
    all.sort();
    all
}

const QEMU: &str = "qemu-system-riscv64";

/// Runs the program on both emulators with `options` after the common
/// ones, and checks that they did the same; returns rivet's run and files.
fn same_as_qemu(name: &str, options: &[&str], stdin: &[u8]) -> (Run, Vec<(String, Vec<u8>)>) {
    let elf = program().to_str().expect("UTF-8 path");
    // -m: QEMU 7.2's virt defaults to 128 MiB, rivet's to 256 MiB, and
    // SYS_HEAPINFO tells.
    let mut args = vec!["-M", "virt", "-m", "256M", "-bios", "none", "-kernel", elf];
    args.extend(["-display", "none", "-serial", "null", "-monitor", "none"]);
    args.extend(options);
    let rivet_dir = scratch(&format!("{name}-rivet"));
    let qemu_dir = scratch(&format!("{name}-qemu"));
    let rivet = run_in(env!("CARGO_BIN_EXE_rivet"), &rivet_dir, &args, stdin);
    let qemu = run_in(QEMU, &qemu_dir, &args, stdin);
    assert!(
        !qemu.timed_out && qemu.code.is_some(),
        "{QEMU} did not run the program (installed? scripts/setup-debian.sh): {qemu:?}"
    );
    assert!(!rivet.timed_out, "rivet timed out: {rivet:?}");
    assert_eq!(rivet.stdout, qemu.stdout, "standard output differs");
    assert_eq!(rivet.stderr, qemu.stderr, "standard error differs");
    assert_eq!(rivet.code, qemu.code, "exit status differs");
    let (rivet_files, qemu_files) = (files(&rivet_dir), files(&qemu_dir));
    assert_eq!(rivet_files, qemu_files, "the files left differ");
    (rivet, rivet_files)
}

/// printf, a line of standard input, files written, read back, renamed and
/// removed, the command line from -kernel and -append, the exit code from
/// the last argument: as QEMU.
#[test]
fn a_picolibc_program_does_what_it_does_on_qemu() {
    let (run, files) = same_as_qemu(
        "append",
        &["-semihosting", "-append", "one two  300"],
        b"typed line\n",
    );
    // And what that is, in case both were wrong the same way.
    assert_eq!(run.code, Some(300 & 0xff));
    assert!(
        run.stderr
            .contains("argv[2]=one\nargv[3]=two\nargv[4]=300\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("stdin: typed line\n"), "{}", run.stderr);
    assert!(
        run.stderr.contains("remove again -1 errno 2\n"),
        "{}",
        run.stderr
    );
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["data.txt", "renamed.txt"]);
    let data = String::from_utf8_lossy(&files[0].1);
    assert_eq!(data.lines().count(), 101);
    assert!(data.ends_with("line 99 of the file\nappended\n"));
}

/// `-semihosting-config enable=on,target=native,arg=...`: the arg= words
/// are the command line, and the exit code follows them.
#[test]
fn semihosting_config_args_are_the_command_line() {
    let (run, _) = same_as_qemu(
        "config",
        &[
            "-semihosting-config",
            "enable=on,target=native,arg=prog,arg=x,arg=7",
        ],
        b"",
    );
    assert_eq!(run.code, Some(7));
    assert!(
        run.stderr.contains("argv[1]=prog\nargv[2]=x\nargv[3]=7\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("stdin: nothing\n"), "{}", run.stderr);
}

/// `chardev=ID`: the debug console (printf here) goes to a `file`
/// character device, or to standard output for a `stdio` one; the `":tt"`
/// handles stay the host's standard streams.
#[test]
fn the_debug_console_goes_to_the_chardev() {
    let (run, files) = same_as_qemu(
        "chardev-file",
        &[
            "-chardev",
            "file,id=c0,path=console.txt",
            "-semihosting-config",
            "enable=on,chardev=c0",
            "-append",
            "9",
        ],
        b"typed line\n",
    );
    assert_eq!(run.code, Some(9));
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    let console =
        String::from_utf8_lossy(&files.iter().find(|(n, _)| n == "console.txt").unwrap().1)
            .into_owned();
    assert!(console.contains("stdin: typed line\n"), "{console}");

    // No input here: QEMU's stdio character device takes standard input
    // for itself (non-blocking), and its `":tt"` read then finds nothing,
    // where rivet's reads what comes.
    let (run, _) = same_as_qemu(
        "chardev-stdio",
        &[
            "-chardev",
            "stdio,id=c0",
            "-semihosting-config",
            "enable=on,chardev=c0",
        ],
        b"",
    );
    assert_eq!(run.code, Some(0));
    assert!(
        run.stdout.contains("stdin: nothing\nread 1999 bytes"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
}

/// `--semihosting-root DIR` (rivet's own): the program's files go to DIR,
/// not to the working directory.
#[test]
fn semihosting_root_holds_the_files() {
    let elf = program().to_str().expect("UTF-8 path");
    let cwd = scratch("root-cwd");
    let root = scratch("root-dir");
    let root_arg = root.to_str().expect("UTF-8 path");
    let args = [
        "-M",
        "virt",
        "-bios",
        "none",
        "-kernel",
        elf,
        "-nographic",
        "-semihosting",
        "--semihosting-root",
        root_arg,
        "-append",
        "5",
    ];
    let run = run_in(env!("CARGO_BIN_EXE_rivet"), &cwd, &args, b"");
    assert_eq!(run.code, Some(5), "{run:?}");
    assert!(files(&cwd).is_empty());
    let names: Vec<String> = files(&root).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["data.txt", "renamed.txt"]);
}

/// With -nographic the serial console reads standard input; semihosting's
/// console reads take their bytes from it (QEMU 7.2 reads the descriptor
/// the console has made non-blocking, and usually gets nothing).
#[test]
fn with_nographic_console_input_comes_through_the_serial_console() {
    let elf = program().to_str().expect("UTF-8 path");
    let dir = scratch("nographic");
    let args = [
        "-M",
        "virt",
        "-bios",
        "none",
        "-kernel",
        elf,
        "-nographic",
        "-semihosting",
    ];
    let run = run_in(
        env!("CARGO_BIN_EXE_rivet"),
        &dir,
        &args,
        b"from the console\n",
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stderr.contains("stdin: from the console\n"),
        "{}",
        run.stderr
    );
}

/// Without semihosting the sequence's `ebreak` is a breakpoint exception:
/// the program (which has no trap handler) never gets to print.
#[test]
fn without_semihosting_ebreak_is_a_breakpoint() {
    let elf = program().to_str().expect("UTF-8 path");
    let dir = scratch("off");
    let args = [
        "-M",
        "virt",
        "-bios",
        "none",
        "-kernel",
        elf,
        "-nographic",
        "-d",
        "int",
        "--max-instructions",
        "100000",
    ];
    let run = run_in(env!("CARGO_BIN_EXE_rivet"), &dir, &args, b"");
    assert_eq!(run.code, Some(124), "{run:?}");
    assert!(run.stderr.contains("hart 0: Breakpoint"), "{}", run.stderr);
    assert!(!run.stderr.contains("argc="), "{}", run.stderr);
}
