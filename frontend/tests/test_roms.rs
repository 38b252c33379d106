//! Runs every bare-metal test ROM of test-roms/ on the rivet binary.
//!
//! Each ROM checks its own results against values derived from the RISC-V
//! specifications and reports through `tohost`: exit status 0 is a pass,
//! `n` names the failing check. The ROMs are listed in manifests
//! (test-roms/roms*.txt, one per area); each manifest is one test here,
//! which runs its ROMs in parallel and names every one that failed.

mod common;

use std::time::Duration;

use common::{manifest_file, run_rivet, test_roms, Rom};

/// Runs one ROM; `Err` describes a failure.
fn run_rom(rom: &Rom) -> Result<(), String> {
    if rom.expected != "pass" {
        return Err(format!(
            "{}: unknown expectation {:?}",
            rom.name, rom.expected
        ));
    }
    let elf = test_roms().join(&rom.elf);
    let elf = elf.to_str().ok_or("non-UTF-8 path")?;
    let mut args = vec!["-M", "virt", "-bios", "none", "-nographic", "-m", "64M"];
    args.extend(["--max-instructions", "500000000"]);
    args.extend(rom.flags.iter().map(String::as_str));
    args.extend(["-kernel", elf]);
    let run = run_rivet(&args, b"", Duration::from_secs(120));
    if !run.timed_out && run.code == Some(0) {
        return Ok(());
    }
    Err(format!(
        "{} failed (exit {:?}, timed out: {})\n  stdout: {}\n  stderr: {}",
        rom.name,
        run.code,
        run.timed_out,
        run.stdout.trim(),
        run.stderr.trim()
    ))
}

/// Runs every ROM of test-roms/`file` and fails listing each failure.
fn run_manifest(file: &str) {
    let roms = manifest_file(file);
    assert!(!roms.is_empty(), "{file} lists no ROMs");
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = roms
            .iter()
            .map(|rom| scope.spawn(move || run_rom(rom)))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().expect("ROM thread").err())
            .collect()
    });
    eprintln!("{file}: {} ROMs, {} failed", roms.len(), failures.len());
    assert!(
        failures.is_empty(),
        "{} of {} ROMs failed:\n{}",
        failures.len(),
        roms.len(),
        failures.join("\n")
    );
}

/// The base ISA, the trap machinery and self-modifying code (roms.txt).
#[test]
fn base_isa_and_traps() {
    run_manifest("roms.txt");
}

/// The F, D, Zfhmin and Zfh extensions and mstatus.FS (roms-fp.txt).
#[test]
fn floating_point() {
    run_manifest("roms-fp.txt");
}

/// The privileged architecture: paging, PMP, interrupts, timers, WFI,
/// several harts, and hostile guests (roms-priv.txt).
#[test]
fn privileged_architecture() {
    run_manifest("roms-priv.txt");
}

/// Under the PLIC specification's level gateway (`--plic-gateway level`)
/// xv6's UART pattern storms: irq-uart-xv6 stops at case 2, where its
/// handler gives in after 1000 interrupts (the storm is bounded by the
/// guest, and rivet's loop goes on); evil-plic, written for both gateways,
/// passes.
#[test]
fn the_level_gateway_storms_where_qemus_does_not() {
    let run = |name: &str| {
        let elf = test_roms().join(format!("{name}.elf"));
        let elf = elf.to_str().expect("UTF-8 path").to_string();
        let args = [
            "-M",
            "virt",
            "-bios",
            "none",
            "-nographic",
            "--plic-gateway",
            "level",
            "--max-instructions",
            "500000000",
            "-kernel",
            &elf,
        ];
        run_rivet(&args, b"", Duration::from_secs(120))
    };
    let xv6 = run("irq-uart-xv6");
    assert_eq!(xv6.code, Some(2), "{xv6:?}");
    assert!(xv6.stdout.contains("FAIL test 2"), "{xv6:?}");
    let evil = run("evil-plic");
    assert_eq!(evil.code, Some(0), "{evil:?}");
}

/// The bit-manipulation extensions, Zicond, and switching them off with
/// `-cpu` (roms-bitmanip.txt).
#[test]
fn bitmanip_and_zicond() {
    run_manifest("roms-bitmanip.txt");
}

/// Every manifest in test-roms/ has its test here.
#[test]
fn every_manifest_is_run() {
    let mut found: Vec<String> = std::fs::read_dir(common::repo_root().join("test-roms"))
        .expect("read test-roms/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("roms") && n.ends_with(".txt"))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            "roms-bitmanip.txt",
            "roms-fp.txt",
            "roms-priv.txt",
            "roms.txt"
        ],
        "a manifest without a test in tests/test_roms.rs"
    );
}
