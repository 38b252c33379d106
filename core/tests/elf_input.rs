//! ELF files are untrusted input: whatever the bytes, loading gives a
//! result or a clear error, never a panic, and never writes outside RAM.

use proptest::prelude::*;
use rivet_core::elf::load_elf;
use rivet_core::{Memory, PhysAddr};

const BASE: u64 = 0x8000_0000;

/// A minimal valid ELF64 RISC-V executable: one PT_LOAD of `code` at BASE.
fn minimal_elf(code: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 64 + 56];
    f[0..4].copy_from_slice(b"\x7fELF");
    f[4] = 2; // ELFCLASS64
    f[5] = 1; // little endian
    f[6] = 1; // version
    f[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    f[18..20].copy_from_slice(&243u16.to_le_bytes()); // EM_RISCV
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[24..32].copy_from_slice(&BASE.to_le_bytes()); // e_entry
    f[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
    f[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
    f[54..56].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
    f[56..58].copy_from_slice(&1u16.to_le_bytes()); // e_phnum
    let ph = 64;
    f[ph..ph + 4].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    f[ph + 4..ph + 8].copy_from_slice(&5u32.to_le_bytes()); // R X
    f[ph + 8..ph + 16].copy_from_slice(&120u64.to_le_bytes()); // p_offset
    f[ph + 16..ph + 24].copy_from_slice(&BASE.to_le_bytes()); // p_vaddr
    f[ph + 24..ph + 32].copy_from_slice(&BASE.to_le_bytes()); // p_paddr
    f[ph + 32..ph + 40].copy_from_slice(&(code.len() as u64).to_le_bytes());
    f[ph + 40..ph + 48].copy_from_slice(&(code.len() as u64 + 16).to_le_bytes());
    f.extend_from_slice(code);
    f
}

#[test]
fn a_valid_file_loads() {
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x10000).unwrap();
    let elf = minimal_elf(&[0x13, 0, 0, 0]);
    let loaded = load_elf(&elf, &mut mem, "t").unwrap();
    assert_eq!(loaded.entry, BASE);
    assert_eq!(mem.read_u32(PhysAddr::new(BASE)).unwrap(), 0x13);
}

#[test]
fn clear_errors() {
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x10000).unwrap();
    let msg = |bytes: &[u8], mem: &mut Memory| load_elf(bytes, mem, "f").unwrap_err().to_string();
    assert!(msg(b"hello", &mut mem).contains("not an ELF"));
    assert!(msg(&minimal_elf(&[0; 4])[..40], &mut mem).contains("truncated"));
    let mut wrong_machine = minimal_elf(&[0; 4]);
    wrong_machine[18] = 62; // x86-64
    assert!(msg(&wrong_machine, &mut mem).contains("not RISC-V"));
    let mut class32 = minimal_elf(&[0; 4]);
    class32[4] = 1;
    assert!(msg(&class32, &mut mem).contains("64-bit"));
    let mut outside = minimal_elf(&[0; 4]);
    outside[64 + 24..64 + 32].copy_from_slice(&0x1000u64.to_le_bytes());
    assert!(msg(&outside, &mut mem).contains("outside RAM"));
    let mut past_end = minimal_elf(&[0; 4]);
    past_end[64 + 32..64 + 40].copy_from_slice(&0x10_0000u64.to_le_bytes());
    past_end[64 + 40..64 + 48].copy_from_slice(&0x10_0000u64.to_le_bytes());
    assert!(msg(&past_end, &mut mem).contains("past the end"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random byte changes and truncations of a valid file never panic.
    #[test]
    fn mutated_files_never_panic(
        changes in proptest::collection::vec((0usize..140, any::<u8>()), 0..8),
        cut in 0usize..200,
    ) {
        let mut elf = minimal_elf(&[0x13, 0, 0, 0, 0x6f, 0, 0, 0]);
        for (at, byte) in changes {
            if at < elf.len() {
                elf[at] = byte;
            }
        }
        elf.truncate(cut.max(1));
        let mut mem = Memory::new(PhysAddr::new(BASE), 0x10000).unwrap();
        let _ = load_elf(&elf, &mut mem, "fuzz");
    }
}
