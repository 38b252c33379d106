//! Svinval, fine-grained address-translation cache invalidation:
//! `sinval.vma`, `sfence.w.inval` and `sfence.inval.ir` (privileged spec,
//! "Svinval Extension for Fine-Grained Address-Translation Cache
//! Invalidation").
//!
//! `sinval.vma` invalidates what `sfence.vma` would, and the two fences
//! order it against the hart's implicit and explicit memory accesses. A hart
//! here performs every access at once and in program order, and its TLB
//! holds nothing that a flush would not drop, so `sinval.vma` flushes like
//! `sfence.vma` (the whole TLB: see [`super::privileged`]) and the two
//! fences only check that the mode may run them.

use crate::csr::Privilege;
use crate::hart::{Env, Hart};
use crate::isa::disasm::{asm, x_reg};
use crate::isa::{op, Insn, Next, Opcode};

impl Hart {
    /// Svinval is in the hart's set: the one place that asks (without it,
    /// its three instructions are illegal).
    #[inline(always)]
    pub(crate) fn has_svinval(&self) -> bool {
        self.extensions.contains(crate::isa::Extensions::SVINVAL)
    }
}

/// SINVAL.VMA: the permissions of SFENCE.VMA (illegal in U-mode and, with
/// `mstatus.TVM`, in S-mode) and its effect.
fn sinval_vma(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if !h.has_svinval()
        || h.prv == Privilege::User
        || (h.prv == Privilege::Supervisor && h.csr.mstatus.tvm())
    {
        return h.illegal(env, pc);
    }
    h.tlb.flush();
    h.exit_to(i.next_pc(pc))
}

/// SFENCE.W.INVAL and SFENCE.INVAL.IR: illegal in U-mode ("they only have
/// ordering effects", so `mstatus.TVM` does not trap them); otherwise
/// nothing is left to order.
fn sfence_inval(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if !h.has_svinval() || h.prv == Privilege::User {
        return h.illegal(env, pc);
    }
    Next::after(i, pc)
}

pub(crate) static OPCODES: &[Opcode] = &[
    op!(
        "sinval.vma",
        0xfe00_7fff,
        0x1600_0073,
        SfenceVma,
        sinval_vma,
        // objdump always shows both registers.
        asm(|o| Some(asm("sinval.vma", &[&x_reg(o.rs1()), &x_reg(o.rs2())])))
    ),
    op!(
        "sfence.w.inval",
        0xffff_ffff,
        0x1800_0073,
        Bare,
        sfence_inval
    ),
    op!(
        "sfence.inval.ir",
        0xffff_ffff,
        0x1810_0073,
        Bare,
        sfence_inval
    ),
];

#[cfg(test)]
mod tests {
    use crate::isa::disassemble;

    #[test]
    fn disassembles_as_objdump() {
        // riscv64-unknown-elf-objdump 2.40, -march=..._svinval.
        for (word, text) in [
            (0x16b5_0073, "sinval.vma a0,a1"),
            (0x1600_0073, "sinval.vma zero,zero"),
            (0x1800_0073, "sfence.w.inval"),
            (0x1810_0073, "sfence.inval.ir"),
            (0x2600_0073, "hinval.vvma zero,zero"),
        ] {
            assert_eq!(disassemble(word, 0), text, "{word:#010x}");
        }
    }
}
