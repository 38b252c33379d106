//! Zifencei: `fence.i`.
//!
//! Every store that overwrites decoded instructions already invalidates
//! them (see [`crate::decode_cache`]), for this hart and every other, so
//! there is nothing left for `fence.i` to synchronise.

use crate::hart::{Env, Hart};
use crate::isa::{op, Insn, Next, Opcode};

fn fence_i(_: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    Next::after(i, pc)
}

pub(crate) static OPCODES: &[Opcode] = &[op!(
    "fence.i",
    0x707f,
    0x100f,
    Bare,
    fence_i,
    // objdump decodes fence.i only with its reserved fields zero.
    asm(|o| (o.word() == 0x0000_100f).then(|| o.plain()))
)];
