//! Loading ELF programs into guest RAM.
//!
//! The file is untrusted: every header field is checked before use, and
//! a malformed file, a non-RISC-V or non-64-bit file, or a segment that
//! does not fit in RAM is a clear [`Error::Elf`], never a panic. Segments
//! are placed at their physical addresses (`p_paddr`), as QEMU's loader does.

use std::collections::HashMap;

use goblin::elf::{header, program_header, Elf};

use crate::addr::PhysAddr;
use crate::error::{Error, Result};
use crate::memory::Memory;

/// `e_machine` of RISC-V.
const EM_RISCV: u16 = 243;

/// A loaded segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadedSegment {
    /// Where it starts in physical memory.
    pub addr: PhysAddr,
    /// Its size in memory (the file part plus zero fill).
    pub mem_size: u64,
}

/// What loading an ELF file produced.
#[derive(Clone, Debug)]
pub struct LoadedElf {
    /// The entry point.
    pub entry: u64,
    /// The segments, in file order.
    pub segments: Vec<LoadedSegment>,
    /// Named symbols (functions and objects) and their values.
    pub symbols: HashMap<String, u64>,
}

impl LoadedElf {
    /// The value of symbol `name`, if the file has it.
    pub fn symbol(&self, name: &str) -> Option<u64> {
        self.symbols.get(name).copied()
    }

    /// The lowest and highest+1 addresses the segments occupy.
    pub fn extent(&self) -> Option<(u64, u64)> {
        let lo = self.segments.iter().map(|s| s.addr.0).min()?;
        let hi = self.segments.iter().map(|s| s.addr.0 + s.mem_size).max()?;
        Some((lo, hi))
    }
}

/// Whether `bytes` starts like an ELF file.
pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// Parses `bytes` as a 64-bit little-endian RISC-V ELF executable and
/// copies its loadable segments into `mem`. `name` is used in error
/// messages.
pub fn load_elf(bytes: &[u8], mem: &mut Memory, name: &str) -> Result<LoadedElf> {
    let err = |what: String| Error::Elf(format!("{name}: {what}"));
    if !is_elf(bytes) {
        return Err(err("not an ELF file (bad magic number)".into()));
    }
    if bytes.len() < header::header64::SIZEOF_EHDR {
        return Err(err("truncated ELF header".into()));
    }
    if bytes[header::EI_CLASS] != header::ELFCLASS64 {
        return Err(err("not a 64-bit ELF file (rivet emulates RV64)".into()));
    }
    if bytes[header::EI_DATA] != header::ELFDATA2LSB {
        return Err(err("not a little-endian ELF file".into()));
    }
    // goblin reports malformed tables as errors; the catch_unwind guards
    // against any panic on hostile input all the same, so that a bad file
    // can never take the emulator down.
    let parsed = std::panic::catch_unwind(|| Elf::parse(bytes))
        .map_err(|_| err("malformed ELF file".into()))?
        .map_err(|e| err(format!("malformed ELF file: {e}")))?;
    if parsed.header.e_machine != EM_RISCV {
        return Err(err(format!(
            "built for machine {} ({}), not RISC-V",
            parsed.header.e_machine,
            header::machine_to_str(parsed.header.e_machine)
        )));
    }
    if !matches!(parsed.header.e_type, header::ET_EXEC | header::ET_DYN) {
        return Err(err(format!(
            "not an executable (type {})",
            parsed.header.e_type
        )));
    }

    let mut segments = Vec::new();
    for (index, ph) in parsed.program_headers.iter().enumerate() {
        if ph.p_type != program_header::PT_LOAD || ph.p_memsz == 0 {
            continue;
        }
        if ph.p_filesz > ph.p_memsz {
            return Err(err(format!(
                "segment {index}: file size exceeds memory size"
            )));
        }
        let file_end = ph.p_offset.checked_add(ph.p_filesz);
        let data = file_end
            .and_then(|end| {
                bytes.get(usize::try_from(ph.p_offset).ok()?..usize::try_from(end).ok()?)
            })
            .ok_or_else(|| err(format!("segment {index}: extends past the end of the file")))?;
        let addr = PhysAddr(ph.p_paddr);
        if !mem.contains(addr, ph.p_memsz) {
            return Err(err(format!(
                "segment {index} at {addr}..{:#x} lies outside RAM ({}..{})",
                ph.p_paddr.saturating_add(ph.p_memsz),
                mem.base(),
                mem.end()
            )));
        }
        mem.write(addr, data)?;
        let bss = PhysAddr(ph.p_paddr + ph.p_filesz);
        mem.fill(bss, ph.p_memsz - ph.p_filesz, 0)?;
        segments.push(LoadedSegment {
            addr,
            mem_size: ph.p_memsz,
        });
    }
    if segments.is_empty() {
        return Err(err("no loadable segments".into()));
    }

    let mut symbols = HashMap::new();
    for sym in parsed.syms.iter() {
        if sym.st_name == 0 {
            continue;
        }
        if let Some(sym_name) = parsed.strtab.get_at(sym.st_name) {
            if !sym_name.is_empty() {
                symbols.insert(sym_name.to_string(), sym.st_value);
            }
        }
    }
    Ok(LoadedElf {
        entry: parsed.entry,
        segments,
        symbols,
    })
}
