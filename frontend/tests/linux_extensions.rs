//! The bit-manipulation and conditional extensions as a Linux user program
//! meets them: a static program built for Zba/Zbb/Zbs (with Zbc and Zicond
//! as raw encodings) checks every instruction of Zba, Zbb, Zbc, Zbs and
//! Zicond against plain C references, run from a 9p share in the Linux
//! guest on `-cpu rv64,zicond=on`; the same program dies of SIGILL on
//! `-cpu rv64,zbb=off`; QEMU 7.2's user mode (`qemu-riscv64`, which has
//! Zba/Zbb/Zbc/Zbs but not Zicond) prints the same results for the part it
//! implements and kills the program at the first Zicond instruction.
//!
//! The program's sources are in `linux_extensions/`: `zbtest.c` (the
//! instructions) and `ref.c` (the references, built for plain rv64gc so
//! that the compiler cannot use the instructions under test there).

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::guest::{images, Guest, PROMPT};

const BOOT: Duration = Duration::from_secs(240);
const STEP: Duration = Duration::from_secs(120);
const CC: &str = "riscv64-linux-gnu-gcc";
const OBJDUMP: &str = "riscv64-linux-gnu-objdump";

/// The program's output on a hart with all five extensions: a line per
/// extension with its number of checks (45 operations on 40 × 40 operand
/// pairs), then the total.
const ALL_PASSED: &str = "zba: 12800 checks\nzbb: 38400 checks\nzbc: 4800 checks\n\
                          zbs: 12800 checks\nzicond: 3200 checks\nall 72000 checks passed";

/// The ISA string Linux 6.1 prints in /proc/cpuinfo for rivet's default
/// hart with Zicond switched on. Linux 6.1 names only the extensions its
/// `riscv_isa_ext` table knows (Sscofpmf, Sstc, Svinval, Svpbmt, Zicbom,
/// Zihintpause); it does not know Zba, Zbb, Zbc, Zbs (listed from 6.2 to
/// 6.4), Svnapot and Zicboz (6.3, 6.4), Zicbop or Zicond (6.6 and later),
/// so it leaves them out although the device tree names them.
const LINUX_6_1_ISA: &str = "rv64imafdc_sstc_svinval_svpbmt_zicbom_zihintpause";

/// The words of a command line, OpenSBI + Linux from the guest images,
/// with `-cpu cpu` and the share `share` as `host0`.
fn boot_args(cpu: &str, share: &Path) -> Vec<String> {
    let dir = images();
    let mut args: Vec<String> = ["-M", "virt", "-m", "256M", "-nographic", "-bios", "default"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(["-cpu".into(), cpu.into()]);
    args.extend(["-kernel".into(), dir.join("Image").display().to_string()]);
    args.extend([
        "-initrd".into(),
        dir.join("initramfs.cpio.gz").display().to_string(),
    ]);
    args.extend(["-append".into(), "console=ttyS0".into()]);
    args.extend([
        "-virtfs".into(),
        format!(
            "local,path={},mount_tag=host0,security_model=none",
            share.display()
        ),
    ]);
    args
}

/// Runs `command`, panicking with its output when it fails.
fn run_ok(command: &mut Command) {
    let out = command.output().expect("start the build tool");
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds the program into a fresh share folder; `None` (with the reason
/// printed) when the cross compiler is missing.
fn build(name: &str) -> Option<PathBuf> {
    // The guest images come first: guest/build-images.sh installs the
    // cross compiler (Debian package gcc-riscv64-linux-gnu) with them.
    images();
    if Command::new(CC).arg("--version").output().is_err() {
        println!("skipped: {CC} is not installed (Debian package gcc-riscv64-linux-gnu)");
        return None;
    }
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/linux_extensions");
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("share")).unwrap();
    let reference = root.join("ref.o");
    run_ok(
        Command::new(CC)
            .args(["-O2", "-march=rv64gc", "-Wall", "-Wextra", "-Werror", "-c"])
            .arg(sources.join("ref.c"))
            .arg("-o")
            .arg(&reference),
    );
    let program = root.join("share/zbtest");
    run_ok(
        Command::new(CC)
            .args(["-static", "-O2", "-march=rv64gc_zba_zbb_zbs"])
            .args(["-Wall", "-Wextra", "-Werror"])
            .arg(sources.join("zbtest.c"))
            .arg(&reference)
            .arg("-o")
            .arg(&program),
    );
    Some(program)
}

/// The instructions of each function of `program`, as objdump prints them
/// (mnemonic and operands), by function name.
fn disassembly(program: &Path) -> std::collections::HashMap<String, Vec<String>> {
    let out = Command::new(OBJDUMP)
        .arg("-d")
        .arg(program)
        .output()
        .expect("run riscv64-linux-gnu-objdump (Debian package binutils-riscv64-linux-gnu)");
    assert!(out.status.success(), "objdump failed");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut functions = std::collections::HashMap::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        // `0000000000010a2c <clz>:` opens a function.
        if let Some(name) = line.strip_suffix(">:").and_then(|l| l.split_once(" <")) {
            if let Some((name, body)) = current.take() {
                functions.insert(name, body);
            }
            current = Some((name.1.to_string(), Vec::new()));
        } else if let Some((_, body)) = current.as_mut() {
            // `   10a2c:\t60051513          \tclz\ta0,a0`
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() >= 3 {
                body.push(fields[2..].join(" ").trim().to_string());
            }
        }
    }
    if let Some((name, body)) = current {
        functions.insert(name, body);
    }
    functions
}

/// The program really holds the instructions under test: GCC emitted the
/// Zba/Zbb/Zbs ones (from C or from inline assembly) and the `.insn`
/// words of Zbc and Zicond are the instructions rivet's disassembler names.
fn check_instructions(program: &Path) {
    let functions = disassembly(program);
    let body = |name: &str| {
        functions
            .get(name)
            .unwrap_or_else(|| panic!("no function {name} in the program"))
    };
    // Function, mnemonic objdump prints for it (its aliases: `rori` is
    // printed `ror` with an immediate, `bclri` `bclr`, ...).
    let emitted = [
        ("add_uw", "add.uw"),
        ("sh1add", "sh1add"),
        ("sh2add", "sh2add"),
        ("sh3add", "sh3add"),
        ("sh1add_uw", "sh1add.uw"),
        ("sh2add_uw", "sh2add.uw"),
        ("sh3add_uw", "sh3add.uw"),
        ("slli_uw", "slli.uw"),
        ("andn", "andn"),
        ("orn", "orn"),
        ("xnor", "xnor"),
        ("clz", "clz"),
        ("clzw", "clzw"),
        ("ctz", "ctz"),
        ("ctzw", "ctzw"),
        ("cpop", "cpop"),
        ("cpopw", "cpopw"),
        ("max", "max"),
        ("maxu", "maxu"),
        ("min", "min"),
        ("minu", "minu"),
        ("sext_b", "sext.b"),
        ("sext_h", "sext.h"),
        ("zext_h", "zext.h"),
        ("rol", "rol"),
        ("ror", "ror"),
        ("rori", "ror"),
        ("rev8", "rev8"),
        ("rolw", "rolw"),
        ("rorw", "rorw"),
        ("roriw", "rorw"),
        ("orc_b", "orc.b"),
        ("bclr", "bclr"),
        ("bset", "bset"),
        ("binv", "binv"),
        ("bext", "bext"),
        ("bclri", "bclr"),
        ("bseti", "bset"),
        ("binvi", "binv"),
        ("bexti", "bext"),
    ];
    for (function, mnemonic) in emitted {
        assert!(
            body(function)
                .iter()
                .any(|i| i.split(' ').next() == Some(mnemonic)),
            "{function} has no {mnemonic}: {:?}",
            body(function)
        );
    }
    let raw = [
        ("clmul", "clmul"),
        ("clmulr", "clmulr"),
        ("clmulh", "clmulh"),
        ("czero_eqz", "czero.eqz"),
        ("czero_nez", "czero.nez"),
    ];
    for (function, mnemonic) in raw {
        let word = body(function)
            .iter()
            .find_map(|i| i.strip_prefix(".4byte 0x"))
            .unwrap_or_else(|| panic!("{function} has no .4byte: {:?}", body(function)));
        let bits = u32::from_str_radix(word.trim(), 16).expect("a hex word");
        let text = rivet_core::isa::disassemble(bits, 0);
        assert_eq!(
            text.split(' ').next(),
            Some(mnemonic),
            "{function}'s word {bits:#010x} disassembles as {text:?}"
        );
    }
}

/// Boots, mounts the share on /mnt and returns the guest at its prompt.
fn boot(cpu: &str, share: &Path) -> Guest {
    let mut guest = Guest::start(&boot_args(cpu, share));
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(PROMPT, STEP);
    guest.run("o=trans=virtio,version=9p2000.L", STEP);
    assert_eq!(
        guest.run("mount -t 9p -o $o host0 /mnt && echo mounted", STEP),
        "mounted"
    );
    guest
}

/// Powers the guest off and checks rivet's exit status.
fn power_off(mut guest: Guest) {
    guest.run("umount /mnt", STEP);
    guest.send("poweroff");
    assert_eq!(guest.wait_exit(STEP), Some(0), "rivet's exit status");
}

#[test]
fn linux_user_program_uses_zba_zbb_zbc_zbs_zicond() {
    let Some(program) = build("linux-extensions") else {
        return;
    };
    check_instructions(&program);
    let share = program.parent().unwrap();

    let mut guest = boot("rv64,zicond=on", share);
    let isa = guest.run("grep -m1 ^isa /proc/cpuinfo", STEP);
    let all = guest.run("/mnt/zbtest; echo status=$?", STEP);
    let no_zicond = guest.run("/mnt/zbtest --no-zicond; echo status=$?", STEP);
    power_off(guest);

    assert_eq!(isa, format!("isa\t\t: {LINUX_6_1_ISA}"));
    assert_eq!(all, format!("{ALL_PASSED}\nstatus=0"));
    let expected_no_zicond = ALL_PASSED
        .replace("zicond: 3200 checks\n", "")
        .replace("72000", "68800");
    assert_eq!(no_zicond, format!("{expected_no_zicond}\nstatus=0"));

    // The oracle: QEMU 7.2's user mode on the same binary.
    if Command::new("qemu-riscv64")
        .arg("-version")
        .output()
        .is_err()
    {
        println!("qemu-riscv64 is not installed (Debian package qemu-user): no comparison");
        return;
    }
    let out = Command::new("qemu-riscv64")
        .arg(&program)
        .arg("--no-zicond")
        .output()
        .expect("run qemu-riscv64");
    assert_eq!(out.status.code(), Some(0), "qemu-riscv64: {out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        expected_no_zicond,
        "QEMU 7.2 user mode and rivet's Linux guest differ"
    );
    // QEMU 7.2 has no Zicond: the full run dies at czero.eqz, after the
    // other four extensions passed.
    let out = Command::new("qemu-riscv64")
        .arg(&program)
        .output()
        .expect("run qemu-riscv64");
    assert_eq!(out.status.signal(), Some(4), "qemu-riscv64: {out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        expected_no_zicond.replace("\nall 68800 checks passed", "")
    );
}

#[test]
fn linux_user_program_gets_sigill_without_zbb() {
    let Some(program) = build("linux-extensions-no-zbb") else {
        return;
    };
    let share = program.parent().unwrap();
    let mut guest = boot("rv64,zbb=off", share);
    let isa = guest.run("grep -m1 ^isa /proc/cpuinfo", STEP);
    let run = guest.run("/mnt/zbtest --no-zicond; echo status=$?", STEP);
    power_off(guest);

    // Zbb is not in Linux 6.1's ISA line in either case.
    assert_eq!(isa, format!("isa\t\t: {LINUX_6_1_ISA}"));
    // Zba passes; the first Zbb instruction (andn) is illegal: the shell
    // reports death by signal 4 (SIGILL) as 128 + 4.
    assert!(
        run.starts_with("zba: 12800 checks\n") && !run.contains("zbb:"),
        "{run}"
    );
    assert!(run.ends_with("status=132"), "{run}");
    // Linux reports the unhandled signal with the trap's cause (2,
    // illegal instruction) and stval, the instruction's bits: andn.
    let bits = run
        .split_once("badaddr: ")
        .and_then(|(_, rest)| rest.get(..16))
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .unwrap_or_else(|| panic!("no badaddr in Linux's report: {run}"));
    assert!(
        run.contains(&format!("badaddr: {bits:016x} cause: 0000000000000002")),
        "{run}"
    );
    let word = u32::try_from(bits).expect("stval of a 32-bit instruction");
    let instruction = rivet_core::isa::disassemble(word, 0);
    assert!(instruction.starts_with("andn "), "{instruction}");
}
