//! `-d in_asm,exec,cpu,int -D FILE` on a test ROM: the program still
//! passes; every instruction `in_asm` shows is the one objdump shows at
//! that address, with the same bits and text (data excepted); every block `exec` traces
//! was shown, and `cpu` dumps the registers at its `pc`; `int` logs the
//! ROM's traps.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{run_rivet, test_roms};

/// objdump's disassembly of a ROM: address -> (bits, text), the text as
/// rivet prints it (one space after the mnemonic, no `<symbol>` or
/// `# comment`).
fn objdump(dump: &str) -> HashMap<u64, (String, String)> {
    let mut lines = HashMap::new();
    for line in dump.lines() {
        let mut fields = line.trim_start().split('\t');
        let (Some(addr), Some(bits), Some(mnemonic)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Some(Ok(addr)) = addr.strip_suffix(':').map(|a| u64::from_str_radix(a, 16)) else {
            continue;
        };
        let operands = fields.next().unwrap_or("");
        let operands = operands.split(" <").next().unwrap_or("");
        let operands = operands.split(" #").next().unwrap_or("").trim();
        let text = if operands.is_empty() {
            mnemonic.trim().to_string()
        } else {
            format!("{} {operands}", mnemonic.trim())
        };
        lines.insert(addr, (bits.trim().to_string(), text));
    }
    lines
}

#[test]
fn tracing_shows_what_objdump_shows_and_the_rom_still_passes() {
    let dir = test_roms();
    let elf = dir.join("traps-exceptions.elf");
    let dump = std::fs::read_to_string(dir.join("traps-exceptions.dump")).expect("the ROM's dump");
    let expected = objdump(&dump);
    let log = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("trace.log");
    let run = run_rivet(
        &[
            "-M",
            "virt",
            "-bios",
            "none",
            "-nographic",
            "-d",
            "in_asm,exec,cpu,int,nochain",
            "-D",
            log.to_str().unwrap(),
            "-kernel",
            elf.to_str().unwrap(),
        ],
        b"",
        Duration::from_secs(120),
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    let text = std::fs::read_to_string(&log).expect("the log file");

    let (mut shown, mut traces, mut traps) = (HashMap::new(), Vec::new(), 0);
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix("0x") {
            // in_asm: `0x<addr>:  <bits>          <text>`
            let (addr, rest) = rest.split_once(":  ").expect("an in_asm line");
            let addr = u64::from_str_radix(addr, 16).unwrap();
            let (bits, text) = rest.split_once(' ').expect("bits, then text");
            let (bits, text) = (bits.to_string(), text.trim_start().to_string());
            assert!(
                shown.insert(addr, (bits, text)).is_none(),
                "{addr:#x} shown twice"
            );
        } else if let Some(pc) = line.strip_prefix("Trace 0: [") {
            let pc = u64::from_str_radix(pc.trim_end_matches(']'), 16).unwrap();
            // cpu: the dump follows, starting with the pc.
            assert_eq!(lines[i + 1], format!(" pc       {pc:016x}"), "line {i}");
            assert!(lines[i + 2].starts_with(" mhartid  0000000000000000"));
            traces.push(pc);
        } else if line.starts_with("hart 0: ") && line.contains(" handler=") {
            traps += 1;
        }
    }
    assert!(shown.len() > 200, "{} instructions shown", shown.len());
    for (addr, (bits, text)) in &shown {
        let (want_bits, want_text) = expected.get(addr).expect("an address objdump shows");
        assert_eq!(bits, want_bits, "at {addr:#x}");
        // Where the ROM keeps data in .text on purpose (illegal
        // instructions it executes), objdump shows `.short`/`.word`
        // data: compared by bits only, as in core/tests/disassembly.rs.
        if !want_text.starts_with(".short") && !want_text.starts_with(".word") {
            assert_eq!(text, want_text, "at {addr:#x}");
        }
    }
    assert!(traces.len() > 100, "{} blocks traced", traces.len());
    for pc in &traces {
        assert!(
            shown.contains_key(pc),
            "block at {pc:#x} ran but was not shown"
        );
    }
    // The ROM takes dozens of exceptions on purpose.
    assert!(traps > 20, "{traps} traps logged");
}
