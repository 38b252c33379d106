//! GDB's `monitor` commands: a few of QEMU's monitor commands, for what
//! GDB itself cannot show (CSRs at a glance, physical memory, translations).

use std::fmt::Write;

use gdbstub::outputln;
use gdbstub::target::ext::monitor_cmd::ConsoleOutput;
use rivet_core::csr::addr as csr;
use rivet_core::mmu::AccessType;
use rivet_core::{Hart, PhysAddr, XReg};

use super::target::{tid_of, DebugTarget};

const HELP: &str = "\
rivet monitor commands (as in QEMU's monitor, where QEMU has them):
  help                      this list
  info registers [HART]     pc, privilege mode, x registers and the trap CSRs of every hart (or one)
  info mem [HART]           the virtual memory mappings of a hart's page tables
  info tlb [HART]           the translations a hart's software TLB holds now
  xp /NFU ADDR              N units of physical memory at ADDR (F: x or d; U: b, h, w or g)
  stop [HART]               hold a hart (or every hart) back: it keeps still when gdb continues
  cont [HART]               let it (or every hart) run again when gdb continues (also: go)
  phys [on|off]             whether gdb's memory accesses use physical addresses (default off)";

/// Runs monitor command `line`, writing its answer to `out`.
pub fn run(target: &mut DebugTarget<'_>, line: &str, mut out: ConsoleOutput<'_>) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let text = match words.as_slice() {
        [] | ["help"] => HELP.to_string(),
        ["info", "registers", rest @ ..] => per_hart(target, rest, registers),
        ["info", "mem", rest @ ..] => per_hart(target, rest, mappings),
        ["info", "tlb", rest @ ..] => per_hart(target, rest, tlb),
        ["xp", rest @ ..] => physical_dump(target, rest).unwrap_or_else(|e| e),
        ["stop", rest @ ..] => hold(target, rest, true),
        ["cont" | "go", rest @ ..] => hold(target, rest, false),
        ["phys"] => format!("physical addressing is {}", on_off(target.physical)),
        ["phys", v @ ("on" | "off")] => {
            target.physical = *v == "on";
            format!("physical addressing is {v}")
        }
        _ => format!("unknown command: {line}\n{HELP}"),
    };
    for l in text.lines() {
        outputln!(out, "{l}");
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// The hart a command's argument names, or every hart without one.
fn harts_named(target: &DebugTarget<'_>, args: &[&str]) -> Result<Vec<usize>, String> {
    let count = target.vm_ref().machine.harts.len();
    match args {
        [] => Ok((0..count).collect()),
        [n] => match n.parse::<usize>() {
            Ok(i) if i < count => Ok(vec![i]),
            _ => Err(format!("no hart {n} (harts 0..{})", count - 1)),
        },
        _ => Err("too many arguments".into()),
    }
}

/// Applies `show` to the hart named by `args` (or every hart).
fn per_hart(
    target: &DebugTarget<'_>,
    args: &[&str],
    show: impl Fn(&Hart, &DebugTarget<'_>) -> String,
) -> String {
    let which = match harts_named(target, args) {
        Ok(harts) => harts,
        Err(e) => return e,
    };
    let mut text = String::new();
    for i in which {
        text.push_str(&show(&target.vm_ref().machine.harts[i], target));
    }
    text
}

/// `stop [HART]` / `cont [HART]`: holds harts back from GDB's continues.
fn hold(target: &mut DebugTarget<'_>, args: &[&str], stop: bool) -> String {
    let harts = match harts_named(target, args) {
        Ok(harts) => harts,
        Err(e) => return e,
    };
    for h in harts {
        if stop {
            target.held.insert(h);
        } else {
            target.held.remove(&h);
        }
    }
    let held: Vec<String> = target.held.iter().map(ToString::to_string).collect();
    if held.is_empty() {
        "every hart runs when gdb continues".into()
    } else {
        format!(
            "held back when gdb continues: hart {}",
            held.join(", hart ")
        )
    }
}

/// `info registers` for one hart.
fn registers(h: &Hart, _: &DebugTarget<'_>) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "hart {}: pc {:016x}  mode {}{}",
        h.hart_id(),
        h.pc(),
        super::mode_letter(h.privilege()),
        if h.is_waiting() { "  (in wfi)" } else { "" }
    );
    for row in 0..8 {
        for col in 0..4 {
            let r = XReg::new(row * 4 + col).unwrap_or(XReg::ZERO);
            let _ = write!(s, " {:>4} {:016x}", r.abi_name(), h.x(r));
        }
        s.push('\n');
    }
    let csrs = [
        ("mstatus", csr::MSTATUS),
        ("misa", csr::MISA),
        ("medeleg", csr::MEDELEG),
        ("mideleg", csr::MIDELEG),
        ("mie", csr::MIE),
        ("mip", csr::MIP),
        ("mtvec", csr::MTVEC),
        ("mscratch", csr::MSCRATCH),
        ("mepc", csr::MEPC),
        ("mcause", csr::MCAUSE),
        ("mtval", csr::MTVAL),
        ("menvcfg", csr::MENVCFG),
        ("sstatus", csr::SSTATUS),
        ("stvec", csr::STVEC),
        ("sscratch", csr::SSCRATCH),
        ("sepc", csr::SEPC),
        ("scause", csr::SCAUSE),
        ("stval", csr::STVAL),
        ("satp", csr::SATP),
        ("stimecmp", csr::STIMECMP),
        ("fcsr", csr::FCSR),
        ("minstret", csr::MINSTRET),
    ];
    for (i, (name, addr)) in csrs.iter().enumerate() {
        match h.csr(*addr) {
            Ok(v) => {
                let _ = write!(s, " {name:>8} {v:016x}");
            }
            Err(_) => {
                let _ = write!(s, " {name:>8} {:>16}", "-");
            }
        }
        if i % 3 == 2 {
            s.push('\n');
        }
    }
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// `info mem`: the hart's page-table mappings, contiguous runs merged.
fn mappings(h: &Hart, t: &DebugTarget<'_>) -> String {
    let mem = &t.vm_ref().machine.memory;
    let satp = h.csr(csr::SATP).unwrap_or(0);
    let mut s = format!("hart {}: satp {satp:016x}\n", h.hart_id());
    let levels = match satp >> 60 {
        8 => 3,
        9 => 4,
        10 => 5,
        _ => {
            s.push_str("  translation is off (Bare): virtual = physical\n");
            return s;
        }
    };
    s.push_str("  virtual          physical         size             flags\n");
    let mut runs: Vec<(u64, u64, u64, u64)> = Vec::new();
    walk(
        mem,
        (satp & ((1 << 44) - 1)) << 12,
        levels - 1,
        0,
        levels,
        &mut runs,
    );
    for (va, pa, size, flags) in runs.iter().take(4096) {
        let f: String = [
            (1, 'r'),
            (2, 'w'),
            (3, 'x'),
            (4, 'u'),
            (5, 'g'),
            (6, 'a'),
            (7, 'd'),
        ]
        .iter()
        .map(|&(bit, c)| if flags >> bit & 1 != 0 { c } else { '-' })
        .collect();
        let _ = writeln!(s, "  {va:016x} {pa:016x} {size:016x} {f}");
    }
    if runs.len() > 4096 {
        let _ = writeln!(s, "  ... {} more", runs.len() - 4096);
    }
    s
}

/// Walks a page table at `table` (level `level` of `levels`), appending
/// `(virtual, physical, size, flags)` runs, merging contiguous ones.
fn walk(
    mem: &rivet_core::Memory,
    table: u64,
    level: u32,
    va_prefix: u64,
    levels: u32,
    runs: &mut Vec<(u64, u64, u64, u64)>,
) {
    for i in 0..512u64 {
        let Ok(pte) = mem.read_u64(PhysAddr::new(table + i * 8)) else {
            return;
        };
        if pte & 1 == 0 {
            continue;
        }
        let shift = 12 + 9 * level;
        let mut va = va_prefix | i << shift;
        // Sign-extend from the top virtual-address bit.
        let bits = 12 + 9 * levels;
        va = (((va << (64 - bits)) as i64) >> (64 - bits)) as u64;
        let pa = ((pte >> 10) & ((1 << 44) - 1)) << 12;
        if pte & 0xe == 0 {
            if level > 0 {
                walk(mem, pa, level - 1, va & ((1u64 << bits) - 1), levels, runs);
            }
            continue;
        }
        let size = 1u64 << shift;
        let flags = pte & 0xff;
        match runs.last_mut() {
            Some(last) if last.0 + last.2 == va && last.1 + last.2 == pa && last.3 == flags => {
                last.2 += size;
            }
            _ => runs.push((va, pa, size, flags)),
        }
    }
}

/// `info tlb`: the entries of the hart's software TLB.
fn tlb(h: &Hart, t: &DebugTarget<'_>) -> String {
    let mut entries = h.tlb_entries(&t.vm_ref().machine.memory);
    entries.sort_by_key(|e| (e.vpage, e.access as u8));
    let mut s = format!("hart {}: {} TLB entries\n", h.hart_id(), entries.len());
    for e in entries {
        let kind = match e.access {
            AccessType::Load => "load ",
            AccessType::Store => "store",
            AccessType::Fetch => "fetch",
        };
        let pa = e
            .ppage
            .map_or_else(|| "(decoded code)".to_string(), |p| format!("{p:016x}"));
        let _ = writeln!(
            s,
            "  {kind} {:016x} -> {pa}  ({}-mode)",
            e.vpage,
            super::mode_letter(e.privilege)
        );
    }
    s
}

/// `xp /NFU ADDR`: physical memory, as QEMU's monitor shows it.
fn physical_dump(target: &mut DebugTarget<'_>, args: &[&str]) -> Result<String, String> {
    let usage = "usage: xp /NFU ADDR (for example xp /4xg 0x80000000)";
    let (fmt, addr) = match args {
        [fmt, addr] if fmt.starts_with('/') => (&fmt[1..], *addr),
        [addr] => ("", *addr),
        _ => return Err(usage.into()),
    };
    let digits: String = fmt.chars().take_while(char::is_ascii_digit).collect();
    let count: usize = if digits.is_empty() {
        1
    } else {
        digits.parse().map_err(|_| usage)?
    };
    let mut unit = 4;
    let mut decimal = false;
    for c in fmt[digits.len()..].chars() {
        match c {
            'x' => decimal = false,
            'd' | 'u' => decimal = true,
            'b' => unit = 1,
            'h' => unit = 2,
            'w' => unit = 4,
            'g' => unit = 8,
            _ => return Err(usage.into()),
        }
    }
    let addr = parse_number(addr).ok_or(usage)?;
    let count = count.min(4096);
    let mut bytes = vec![0u8; count * unit];
    let physical = std::mem::replace(&mut target.physical, true);
    let n = target.read_memory(tid_of(0), addr, &mut bytes);
    target.physical = physical;
    if n < bytes.len() {
        return Err(format!("cannot read physical memory at {addr:#x}"));
    }
    let per_line = 16 / unit;
    let mut s = String::new();
    for (i, chunk) in bytes.chunks(unit).enumerate() {
        if i % per_line == 0 {
            if i > 0 {
                s.push('\n');
            }
            let _ = write!(s, "{:016x}:", addr + (i * unit) as u64);
        }
        let mut b = [0u8; 8];
        b[..unit].copy_from_slice(chunk);
        let v = u64::from_le_bytes(b);
        if decimal {
            let _ = write!(s, " {v}");
        } else {
            let _ = write!(s, " 0x{v:0w$x}", w = unit * 2);
        }
    }
    s.push('\n');
    Ok(s)
}

/// A number in C syntax: `0x` hexadecimal or decimal.
fn parse_number(text: &str) -> Option<u64> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn numbers_are_hex_or_decimal() {
        assert_eq!(parse_number("0x80000000"), Some(0x8000_0000));
        assert_eq!(parse_number("4096"), Some(4096));
        assert_eq!(parse_number("0xzz"), None);
        assert_eq!(parse_number(""), None);
    }
}
