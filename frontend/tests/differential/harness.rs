//! Building a rendered program, running it on rivet and on QEMU, and
//! comparing what the two print.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{run_command, run_rivet, Run};

use super::program::REG_NAMES;

/// The QEMU binary.
pub const QEMU: &str = "qemu-system-riscv64";
/// The cross compiler.
pub const GCC: &str = "riscv64-unknown-elf-gcc";
/// Wall-clock limit of one emulator run.
const RUN_LIMIT: Duration = Duration::from_secs(20);

/// Fails the test (rather than skipping it) when a tool is missing.
pub fn require_tools() {
    for (tool, package) in [(QEMU, "qemu-system-misc"), (GCC, "gcc-riscv64-unknown-elf")] {
        let found = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "the differential test needs `{tool}` on PATH (Debian package {package}); \
             it is not optional: install it (the project's setup script does) and rerun"
        );
    }
}

/// A path under the target's temporary directory for this test and this
/// process: the target directory is shared, and another `cargo test` may
/// be running the same test at the same time.
pub fn tmp_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("differential")
        .join(format!("{name}-{}", std::process::id()))
}

/// A fresh work directory (see [`tmp_path`]); remove it when done.
pub fn workdir(name: &str) -> PathBuf {
    let dir = tmp_path(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the work directory");
    dir
}

/// The program's layout (program.rs): code and read-only data, then
/// `_etext` (the end of what S/U snippets map executable), then the data;
/// all within the first 2 MiB of RAM, which the page tables cover.
const LINK_SCRIPT: &str = "OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS
{
    . = 0x80000000;
    .text : { *(.text.init) *(.text .text.*) }
    .rodata : { *(.rodata .rodata.*) }
    . = ALIGN(0x1000);
    _etext = .;
    .data : { *(.data .data.*) }
    _end = .;
}
ASSERT(_end <= 0x80200000, \"the program must fit in the first 2 MiB of RAM\")
";

/// Assembles and links `source` into `dir/prog.elf` (a `.s` file: the C
/// preprocessor, which a `.S` file would go through, is not needed and
/// costs a process per program).
pub fn assemble(dir: &Path, source: &str) -> Result<PathBuf, String> {
    let src = dir.join("prog.s");
    let ld = dir.join("link.ld");
    let elf = dir.join("prog.elf");
    std::fs::write(&src, source).map_err(|e| format!("write {}: {e}", src.display()))?;
    std::fs::write(&ld, LINK_SCRIPT).map_err(|e| format!("write {}: {e}", ld.display()))?;
    let out = Command::new(GCC)
        .args([
            "-march=rv64imafdc_zicsr_zifencei_zba_zbb_zbc_zbs_zfh_zihintpause",
            "-mabi=lp64",
            "-mcmodel=medany",
            "-mno-relax",
            "-nostdlib",
            "-nostartfiles",
            "-static",
            "-Wl,--no-relax",
            "-T",
        ])
        .arg(&ld)
        .arg("-o")
        .arg(&elf)
        .arg(&src)
        .output()
        .map_err(|e| format!("cannot run {GCC}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{GCC} failed on {}:\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(elf)
}

/// The CPU QEMU runs: QEMU 7.2's `rv64` has Zba, Zbb, Zbc and Zbs on by
/// default, and so has rivet's; the generated programs use them, so they
/// are asked for explicitly. rivet's default also has Zfh, Zfhmin,
/// Svinval, Svnapot and Svpbmt, which QEMU 7.2 has but leaves off: they
/// are switched on there, so that an encoding is legal on both or on
/// neither.
const CPU: &str =
    "rv64,zba=on,zbb=on,zbc=on,zbs=on,Zfh=true,Zfhmin=true,svinval=on,svnapot=on,svpbmt=on";

/// The CPU rivet runs: [`CPU`] without the cache-block extensions, which
/// QEMU 7.2 does not implement (it has no switch for them).
const RIVET_CPU: &str = "rv64,zba=on,zbb=on,zbc=on,zbs=on,Zfh=true,Zfhmin=true,svinval=on,\
                         svnapot=on,svpbmt=on,zicbom=off,zicboz=off,zicbop=off";

/// Runs `elf` on QEMU with the same machine as on rivet.
pub fn run_qemu(elf: &Path) -> Run {
    let mut qemu = Command::new(QEMU);
    qemu.args([
        "-M",
        "virt",
        "-bios",
        "none",
        "-nographic",
        "-m",
        "64M",
        "-cpu",
        CPU,
        "-kernel",
    ])
    .arg(elf);
    run_command(qemu, b"", RUN_LIMIT)
}

/// Runs `elf` on rivet.
pub fn run_on_rivet(elf: &Path) -> Run {
    let elf = elf.to_str().expect("utf-8 path");
    run_rivet(
        &[
            "-M",
            "virt",
            "-bios",
            "none",
            "-nographic",
            "-m",
            "64M",
            "-cpu",
            RIVET_CPU,
            "--max-instructions",
            "100000000",
            "-kernel",
            elf,
        ],
        b"",
        RUN_LIMIT,
    )
}

/// What one snippet printed: (key, value) in the order printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnippetDump {
    /// The entries: `x01`..`x31`, `f00`..`f31`, `fcsr`, the CSRs,
    /// `exit` (S/U), `traps`, `trap#i`, `sig#i` (observations of F/D
    /// results and flags), `mem+OFFS`.
    pub entries: Vec<(String, String)>,
}

impl SnippetDump {
    /// The value printed for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A register's value.
    pub fn reg(&self, r: usize) -> u64 {
        let v = self.get(&format!("x{r:02}")).expect("register in the dump");
        u64::from_str_radix(v, 16).expect("hex register value")
    }
}

/// Everything a run printed, parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dump {
    /// One per snippet, in order.
    pub snippets: Vec<SnippetDump>,
    /// Whether the final `end` line was printed.
    pub complete: bool,
    /// Lines that fit no pattern.
    pub junk: Vec<String>,
}

/// Parses the UART output (nothing is normalised).
pub fn parse(text: &str) -> Dump {
    let mut dump = Dump::default();
    let mut traps = 0;
    let mut sigs = 0;
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["snippet", _] => {
                dump.snippets.push(SnippetDump::default());
                traps = 0;
                sigs = 0;
            }
            ["end"] => dump.complete = true,
            [key, value]
                if !dump.snippets.is_empty()
                    && key.len() == 3
                    && (key.starts_with('x') || key.starts_with('f')) =>
            {
                // Printed in hex (x0a); kept in decimal (x10).
                let key = match u8::from_str_radix(&key[1..], 16) {
                    Ok(r) => format!("{}{r:02}", &key[..1]),
                    Err(_) => key.to_string(),
                };
                push(&mut dump, &key, value.to_string());
            }
            ["fcsr" | "mscratch" | "sscratch" | "mepc" | "sepc" | "exit" | "traps", value]
                if !dump.snippets.is_empty() =>
            {
                push(&mut dump, words[0], value.to_string());
            }
            ["trap", cause, epc, tval] if !dump.snippets.is_empty() => {
                push(
                    &mut dump,
                    &format!("trap#{traps}"),
                    format!("cause {cause} epc {epc} tval {tval}"),
                );
                traps += 1;
            }
            ["sig", flags, value] if !dump.snippets.is_empty() => {
                push(
                    &mut dump,
                    &format!("sig#{sigs}"),
                    format!("fflags {flags} value {value}"),
                );
                sigs += 1;
            }
            ["mem", off, value] if !dump.snippets.is_empty() => {
                push(&mut dump, &format!("mem+{off}"), value.to_string());
            }
            [] => {}
            _ => dump.junk.push(line.to_string()),
        }
    }
    dump
}

fn push(dump: &mut Dump, key: &str, value: String) {
    if let Some(s) = dump.snippets.last_mut() {
        s.entries.push((key.to_string(), value));
    }
}

/// Whether a dump key names a register (`x01`, `f31`).
fn is_reg(key: &str) -> bool {
    key.len() == 3
        && (key.starts_with('x') || key.starts_with('f'))
        && key[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The display name of a dump key: `x10` becomes `x10 (a0)`, `f03`
/// becomes `f3`.
fn describe(key: &str) -> String {
    let number = key.get(1..).and_then(|n| n.parse::<usize>().ok());
    match number {
        Some(r) if is_reg(key) && key.starts_with('x') => format!("x{r} ({})", REG_NAMES[r]),
        Some(r) if is_reg(key) => format!("f{r}"),
        _ => key.to_string(),
    }
}

/// Both runs of one program.
pub struct Outcome {
    /// rivet's run.
    pub rivet: Run,
    /// QEMU's run.
    pub qemu: Run,
    /// rivet's output, parsed.
    pub rivet_dump: Dump,
    /// QEMU's output, parsed.
    pub qemu_dump: Dump,
}

/// Runs `elf` on both emulators at once.
pub fn run_both(elf: &Path) -> Outcome {
    let (rivet, qemu) = std::thread::scope(|s| {
        let q = s.spawn(|| run_qemu(elf));
        let r = run_on_rivet(elf);
        (r, q.join().expect("qemu runner"))
    });
    let rivet_dump = parse(&rivet.stdout);
    let qemu_dump = parse(&qemu.stdout);
    Outcome {
        rivet,
        qemu,
        rivet_dump,
        qemu_dump,
    }
}

/// Checks that QEMU ran the program to its end; panics otherwise (the
/// harness, not rivet, would be at fault).
pub fn check_qemu_ran(o: &Outcome, snippets: usize, source: &str) -> Result<(), String> {
    let q = &o.qemu;
    if q.timed_out
        || q.code != Some(0)
        || !o.qemu_dump.complete
        || o.qemu_dump.snippets.len() != snippets
    {
        return Err(format!(
            "QEMU did not run the program to its end (exit {:?}, timed out {}, {} of {snippets} \
             snippets dumped): the generator produced something it should not have\n\
             --- QEMU stdout ---\n{}\n--- QEMU stderr ---\n{}\n--- program ---\n{}",
            q.code,
            q.timed_out,
            o.qemu_dump.snippets.len(),
            q.stdout,
            q.stderr,
            source_without_data(source)
        ));
    }
    Ok(())
}

/// Compares the two runs. `Err` holds the full mismatch report.
pub fn compare(o: &Outcome, source: &str, files: &Path) -> Result<(), String> {
    let r = &o.rivet;
    let rivet_ok = !r.timed_out && r.code == Some(0) && o.rivet_dump.complete;
    if rivet_ok && o.rivet_dump == o.qemu_dump {
        return Ok(());
    }
    let mut report = String::from("rivet and QEMU disagree\n");
    if !rivet_ok {
        report.push_str(&format!(
            "rivet did not run the program to its end: exit {:?}, timed out {}, {} snippets \
             dumped, final line {}\nrivet stderr:\n{}\n",
            r.code,
            r.timed_out,
            o.rivet_dump.snippets.len(),
            if o.rivet_dump.complete {
                "present"
            } else {
                "missing"
            },
            r.stderr
        ));
    }
    if let Some((k, diffs)) = first_difference(&o.rivet_dump, &o.qemu_dump) {
        let first_reg = diffs.iter().find(|d| is_reg(&d.0));
        match first_reg {
            Some((key, rv, qv)) => report.push_str(&format!(
                "first differing register (snippet {k}): {}: rivet {rv}, QEMU {qv}\n",
                describe(key)
            )),
            None => report.push_str(&format!("no register differs in snippet {k}\n")),
        }
        report.push_str(&format!(
            "every difference in snippet {k} (key: rivet | QEMU):\n"
        ));
        for (key, rv, qv) in &diffs {
            report.push_str(&format!("  {:<16} {rv:<44} | {qv}\n", describe(key)));
        }
    }
    if !o.rivet_dump.junk.is_empty() {
        report.push_str(&format!(
            "unexpected rivet output lines: {:?}\n",
            o.rivet_dump.junk
        ));
    }
    report.push_str(&format!(
        "files: {} (prog.s, prog.elf, rivet.txt, qemu.txt)\n",
        files.display()
    ));
    report.push_str(
        "\n--- program (the snippets; the runtime before them and the data after them are in \
         prog.s) ---\n",
    );
    report.push_str(&source_without_data(source));
    report.push_str("\n--- rivet output ---\n");
    report.push_str(&r.stdout);
    report.push_str("\n--- QEMU output ---\n");
    report.push_str(&o.qemu.stdout);
    Err(report)
}

/// Differences between two snippet dumps: (key, rivet value, QEMU value).
pub type Differences = Vec<(String, String, String)>;

/// The first snippet whose dumps differ, with its differences.
pub fn first_difference(rivet: &Dump, qemu: &Dump) -> Option<(usize, Differences)> {
    let n = rivet.snippets.len().max(qemu.snippets.len());
    for k in 0..n {
        let empty = SnippetDump::default();
        let rs = rivet.snippets.get(k).unwrap_or(&empty);
        let qs = qemu.snippets.get(k).unwrap_or(&empty);
        if rs == qs {
            continue;
        }
        let mut keys: Vec<&str> = Vec::new();
        for (key, _) in rs.entries.iter().chain(qs.entries.iter()) {
            if !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
        // Registers first, then in printed order.
        let order: BTreeMap<usize, Vec<&str>> = keys.iter().fold(BTreeMap::new(), |mut m, k| {
            m.entry(usize::from(!is_reg(k))).or_default().push(*k);
            m
        });
        let diffs = order
            .values()
            .flatten()
            .filter_map(|key| {
                let rv = rs.get(key).unwrap_or("(missing)");
                let qv = qs.get(key).unwrap_or("(missing)");
                (rv != qv).then(|| (key.to_string(), rv.to_string(), qv.to_string()))
            })
            .collect();
        return Some((k, diffs));
    }
    None
}

/// The generated part of the source: the snippets, without the runtime
/// before them (the same in every program) and the data patterns after
/// them; prog.s has everything.
pub fn source_without_data(source: &str) -> String {
    let start = source.find("\n# ---- snippet 0 ").map_or(0, |i| i + 1);
    let end = source
        .find("\n    .section .rodata\n")
        .unwrap_or(source.len());
    source[start..end.max(start)].to_string()
}

/// Keeps the files of a failing run for inspection.
pub fn keep_failure(dir: &Path, keep: &Path, o: &Outcome) {
    let _ = std::fs::create_dir_all(keep);
    if dir != keep {
        for f in ["prog.s", "prog.elf", "link.ld"] {
            let _ = std::fs::copy(dir.join(f), keep.join(f));
        }
    }
    let _ = std::fs::write(
        keep.join("rivet.txt"),
        format!("{}\n--- stderr ---\n{}", o.rivet.stdout, o.rivet.stderr),
    );
    let _ = std::fs::write(
        keep.join("qemu.txt"),
        format!("{}\n--- stderr ---\n{}", o.qemu.stdout, o.qemu.stderr),
    );
}
