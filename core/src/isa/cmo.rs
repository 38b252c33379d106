//! The cache-block operations ("CMO" extensions for Base Cache Management
//! Operation ISA, version 1.0.0): Zicbom (`cbo.clean`, `cbo.flush`,
//! `cbo.inval`), Zicboz (`cbo.zero`) and Zicbop (`prefetch.i`,
//! `prefetch.r`, `prefetch.w`).
//!
//! The hart has no caches: every store reaches RAM at once, devices (virtio
//! included) read the same RAM, and decoded instructions are invalidated by
//! the stores that change them. So clean, flush and invalidate have nothing
//! to write back or drop; what remains of them is the architecture's part:
//! the enables of `menvcfg`/`senvcfg` (illegal instruction), and the
//! access check of an explicit memory access, which may raise a store page
//! fault or store access fault with the effective address (`rs1`) as trap
//! value. `cbo.zero` is a set of stores of zeros to the [`CBO_BLOCK_SIZE`]
//! bytes of the block holding the effective address, through the ordinary
//! store path (TLB, PMP, decode-cache invalidation), to RAM only: the
//! devices' registers do not take cache-block zero accesses (a store
//! access fault, as the spec allows for I/O regions).
//!
//! The prefetches are HINTs in the encoding of `ori` with `rd` = `x0`:
//! they execute as that `ori` (which writes nothing), on its fast path in
//! the run loop, and only disassemble differently (see `rv64i`).

use crate::csr::envcfg::CboInval;
use crate::csr::Privilege;
use crate::hart::{Env, Hart};
use crate::isa::disasm::{asm, x_reg};
use crate::isa::{op, Insn, Next, Opcode};
use crate::trap::Fault;

/// The size in bytes of a cache block, for management and zero
/// instructions alike (the device tree's `riscv,cbom-block-size` and
/// `riscv,cboz-block-size`; 64, as QEMU's default).
pub const CBO_BLOCK_SIZE: u64 = 64;

impl Hart {
    /// Zicbom is in the hart's set: the one place that asks (without it, the
    /// management instructions are illegal and `menvcfg`/`senvcfg` CBIE and
    /// CBCFE read as zero).
    #[inline(always)]
    pub(crate) fn has_zicbom(&self) -> bool {
        self.extensions.contains(crate::isa::Extensions::ZICBOM)
    }

    /// Zicboz is in the hart's set: the one place that asks (without it,
    /// `cbo.zero` is illegal and CBZE reads as zero).
    #[inline(always)]
    pub(crate) fn has_zicboz(&self) -> bool {
        self.extensions.contains(crate::isa::Extensions::ZICBOZ)
    }

    /// Whether a cache-block instruction whose enable bit in `menvcfg` is
    /// `m_enabled` and in `senvcfg` is `s_enabled` may run in the current
    /// mode: below M-mode it needs `menvcfg`'s, in U-mode `senvcfg`'s too
    /// (the CMO spec's pseudocode; without the H extension there are no
    /// virtual-instruction cases).
    fn cbo_enabled(&self, m_enabled: bool, s_enabled: bool) -> bool {
        match self.prv {
            Privilege::Machine => true,
            Privilege::Supervisor => m_enabled,
            Privilege::User => m_enabled && s_enabled,
        }
    }
}

/// CBO.CLEAN and CBO.FLUSH: enabled by CBCFE; an access check, and nothing
/// to write back.
fn cbo_clean_flush(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    let enabled = h.cbo_enabled(h.csr.menvcfg.cbcfe(), h.csr.senvcfg.cbcfe());
    if !h.has_zicbom() || !enabled {
        return h.illegal(env, pc);
    }
    block_access_check(h, env, i, pc)
}

/// CBO.INVAL: enabled by CBIE (00 illegal; 01 a flush, 11 an invalidate
/// below M-mode); an access check, and nothing to drop.
fn cbo_inval(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    let enabled = |cbie: CboInval| cbie != CboInval::Illegal;
    let allowed = h.cbo_enabled(enabled(h.csr.menvcfg.cbie()), enabled(h.csr.senvcfg.cbie()));
    if !h.has_zicbom() || !allowed {
        return h.illegal(env, pc);
    }
    // A flush and an invalidate differ only in what a cache writes back
    // first; with no cache, both leave memory as it is.
    block_access_check(h, env, i, pc)
}

/// The access check of a management instruction on the block of `rs1`.
fn block_access_check(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64) -> Next {
    let ea = h.xr(i.rs1());
    match h.check_cache_block(env, ea, CBO_BLOCK_SIZE) {
        Ok(()) => Next::after(i, pc),
        Err(fault) => h.raise(fault, pc),
    }
}

/// CBO.ZERO: enabled by CBZE; stores zeros to the whole block holding the
/// effective address (aligned down), 8 bytes at a time through the store
/// path (TLB, watchpoints and triggers, memory hooks, decode-cache
/// invalidation), once the block as a whole passed the store checks and
/// was found in RAM (see [`Hart::check_zero_block`]): a fault reports the
/// effective address (`rs1`), as the CMO spec asks, and leaves the block
/// unchanged.
fn cbo_zero(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    let enabled = h.cbo_enabled(h.csr.menvcfg.cbze(), h.csr.senvcfg.cbze());
    if !h.has_zicboz() || !enabled {
        return h.illegal(env, pc);
    }
    let ea = h.xr(i.rs1());
    if let Err(fault) = h.check_zero_block(env, ea, CBO_BLOCK_SIZE) {
        return h.raise(fault, pc);
    }
    let block = ea & !(CBO_BLOCK_SIZE - 1);
    for offset in (0..CBO_BLOCK_SIZE).step_by(8) {
        if let Err(fault) = h.store::<8>(env, block + offset, 0) {
            return h.raise(Fault::new(fault.exception, ea), pc);
        }
    }
    Next::after(i, pc)
}

/// A management or zero instruction's text: `cbo.zero (a0)`.
fn cbo_asm(o: &super::disasm::Operands<'_>) -> Option<String> {
    let name = match o.word() >> 20 {
        0 => "cbo.inval",
        1 => "cbo.clean",
        2 => "cbo.flush",
        _ => "cbo.zero",
    };
    Some(asm(name, &[&format!("({})", x_reg(o.rs1()))]))
}

/// The cache-block operations of the MISC-MEM major opcode (funct3 = 010,
/// `rd` = 0, the operation in `imm[11:0]`).
pub(crate) static OPCODES: &[Opcode] = &[
    op!(
        "cbo.inval",
        0xfff0_7fff,
        0x0000_200f,
        Bare,
        cbo_inval,
        asm(cbo_asm)
    ),
    op!(
        "cbo.clean",
        0xfff0_7fff,
        0x0010_200f,
        Bare,
        cbo_clean_flush,
        asm(cbo_asm)
    ),
    op!(
        "cbo.flush",
        0xfff0_7fff,
        0x0020_200f,
        Bare,
        cbo_clean_flush,
        asm(cbo_asm)
    ),
    op!(
        "cbo.zero",
        0xfff0_7fff,
        0x0040_200f,
        Bare,
        cbo_zero,
        asm(cbo_asm)
    ),
];

/// `ori` with `rd` = `x0` and `imm[4:0]` = 0, 1 or 3 is a prefetch hint
/// (`prefetch.i`, `.r`, `.w`; the offset is `imm[11:5]` << 5): its text as
/// objdump shows it, else `None`.
pub(crate) fn prefetch_asm(o: &super::disasm::Operands<'_>) -> Option<String> {
    if o.rd() != 0 {
        return None;
    }
    let name = match o.imm() & 0x1f {
        0 => "prefetch.i",
        1 => "prefetch.r",
        3 => "prefetch.w",
        _ => return None,
    };
    Some(asm(name, &[&super::disasm::mem(o.imm() & !0x1f, o.rs1())]))
}

#[cfg(test)]
mod tests {
    use crate::isa::disassemble;

    #[test]
    fn disassembles_as_objdump() {
        // riscv64-unknown-elf-objdump 2.40, -march=..._zicbom_zicboz_zicbop.
        for (word, text) in [
            (0x0015_200f, "cbo.clean (a0)"),
            (0x0025_a00f, "cbo.flush (a1)"),
            (0x0006_200f, "cbo.inval (a2)"),
            (0x0046_a00f, "cbo.zero (a3)"),
            (0x0205_6013, "prefetch.i 32(a0)"),
            (0xfc15_e013, "prefetch.r -64(a1)"),
            (0x7e31_6013, "prefetch.w 2016(sp)"),
            (0x0215_6013, "prefetch.r 32(a0)"),
            (0x0025_6013, "or zero,a0,2"),
            (0x0015_6513, "or a0,a0,1"),
        ] {
            assert_eq!(disassemble(word, 0), text, "{word:#010x}");
        }
    }
}
