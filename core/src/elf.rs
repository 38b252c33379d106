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

/// Parses `bytes` (checked to be a little-endian ELF64 file) as far as
/// loading needs. Only the ELF header and the program headers matter for
/// that; the section headers and the symbol table (for HTIF's `tohost`
/// and the debugger) are read too when they are sound. A file whose sections alone are damaged (a stripped or
/// hand-edited image) still loads, without symbols, as it does on QEMU:
/// goblin's strict parse is tried, then its permissive one, then the
/// headers alone.
fn parse_for_loading(bytes: &[u8]) -> goblin::error::Result<Elf<'_>> {
    if let Ok(elf) = Elf::parse(bytes) {
        return Ok(elf);
    }
    if let Ok(elf) = Elf::parse_with_opts(bytes, &goblin::options::ParseOptions::permissive()) {
        return Ok(elf);
    }
    let header = Elf::parse_header(bytes)?;
    let mut elf = Elf::lazy_parse(header)?;
    let ctx = goblin::container::Ctx::new(
        goblin::container::Container::Big,
        goblin::container::Endian::Little,
    );
    elf.program_headers = program_header::ProgramHeader::parse(
        bytes,
        usize::try_from(header.e_phoff).unwrap_or(usize::MAX),
        usize::from(header.e_phnum),
        ctx,
    )?;
    Ok(elf)
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
    let parsed = std::panic::catch_unwind(|| parse_for_loading(bytes))
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

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: u64 = 0x8000_0000;

    /// A minimal RV64 executable: one PT_LOAD of `code` at [`BASE`], its
    /// entry there, and section headers said to be at `shoff` (`shnum` of
    /// them).
    fn executable(code: &[u8], shoff: u64, shnum: u16) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        f.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        f.extend_from_slice(&EM_RISCV.to_le_bytes());
        f.extend_from_slice(&1u32.to_le_bytes());
        f.extend_from_slice(&BASE.to_le_bytes()); // e_entry
        f.extend_from_slice(&64u64.to_le_bytes()); // e_phoff
        f.extend_from_slice(&shoff.to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes()); // e_flags
        for half in [64u16, 56, 1, 64, shnum, 1] {
            f.extend_from_slice(&half.to_le_bytes());
        }
        f.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        f.extend_from_slice(&5u32.to_le_bytes()); // R+X
        let size = code.len() as u64;
        for word in [120, BASE, BASE, size, size, 0x1000] {
            f.extend_from_slice(&word.to_le_bytes());
        }
        f.extend_from_slice(code);
        f
    }

    /// Only the program headers matter for loading: an executable whose
    /// section headers point past the end of the file (goblin's strict
    /// parse refuses it) loads, without symbols, as on QEMU.
    #[test]
    fn damaged_section_headers_do_not_stop_loading() {
        let code = [0x6f, 0, 0, 0]; // j .
        for (shoff, shnum) in [(0xffff_ffff, 5), (u64::MAX, 0xffff), (40, 3)] {
            let file = executable(&code, shoff, shnum);
            assert!(
                Elf::parse(&file).is_err(),
                "the strict parse must fail here"
            );
            let mut mem = Memory::new(PhysAddr::new(BASE), 0x1000).unwrap();
            let loaded = load_elf(&file, &mut mem, "damaged").unwrap();
            assert_eq!(loaded.entry, BASE);
            assert_eq!(loaded.extent(), Some((BASE, BASE + 4)));
            assert_eq!(mem.read_u32(PhysAddr::new(BASE)).unwrap(), 0x6f);
        }
        // Sound section headers (none at all) parse strictly, as before.
        let mut mem = Memory::new(PhysAddr::new(BASE), 0x1000).unwrap();
        assert!(load_elf(&executable(&code, 0, 0), &mut mem, "sound").is_ok());
    }
}
