//! Runs every bare-metal test ROM of test-roms/ on the rivet binary.
//!
//! Each ROM checks its own results against values derived from the RISC-V
//! specifications and reports through `tohost`: exit status 0 is a pass,
//! `n` names the failing check. One test per ROM, listed here and checked
//! against test-roms/roms.txt so neither list can drift.

mod common;

use std::time::Duration;

use common::{manifest, run_rivet, test_roms};

fn run_rom(name: &str) {
    let rom = manifest()
        .into_iter()
        .find(|r| r.0 == name)
        .unwrap_or_else(|| panic!("{name} is not in roms.txt"));
    let (_, elf, expected, flags) = rom;
    assert_eq!(expected, "pass", "{name}: only 'pass' ROMs are listed");
    let elf = test_roms().join(&elf);
    let mut args = vec![
        "-M",
        "virt",
        "-bios",
        "none",
        "-nographic",
        "-m",
        "64M",
        "--max-instructions",
        "200000000",
    ];
    args.extend(flags.iter().map(String::as_str));
    args.extend(["-kernel", elf.to_str().expect("utf-8 path")]);
    let run = run_rivet(&args, b"", Duration::from_secs(60));
    assert!(
        !run.timed_out && run.code == Some(0),
        "{name} failed (exit {:?}, timed out: {})\nstdout:\n{}\nstderr:\n{}",
        run.code,
        run.timed_out,
        run.stdout,
        run.stderr
    );
}

macro_rules! roms {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_rom($name);
            }
        )*

        #[test]
        fn every_rom_in_the_manifest_has_a_test() {
            let listed: Vec<String> = manifest().into_iter().map(|r| r.0).collect();
            let tested: Vec<&str> = vec![$($name),*];
            assert_eq!(listed, tested, "test-roms/roms.txt and tests/test_roms.rs disagree");
        }
    };
}

roms! {
    hello => "hello",
    hello_smp2 => "hello-smp2",
    rv64i_alu => "rv64i-alu",
    rv64i_word => "rv64i-word",
    rv64i_branch_jump => "rv64i-branch-jump",
    rv64i_load_store => "rv64i-load-store",
    m_ext => "m-ext",
    a_ext => "a-ext",
    c_ext => "c-ext",
    zicsr => "zicsr",
    fence_i_smc => "fence-i-smc",
    traps_exceptions => "traps-exceptions",
    traps_privilege => "traps-privilege",
}
