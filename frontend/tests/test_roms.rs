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

/// The F and D extensions and mstatus.FS (roms-fp.txt).
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
        vec!["roms-fp.txt", "roms-priv.txt", "roms.txt"],
        "a manifest without a test in tests/test_roms.rs"
    );
}
