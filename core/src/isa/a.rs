//! A: atomic instructions — LR/SC with a reservation, and the AMOs.
//!
//! The `aq` and `rl` bits are accepted and need no action: harts run one
//! at a time, so every access is already sequentially consistent.
//! Misaligned addresses raise address-misaligned exceptions (load for LR,
//! store/AMO for the rest). A hart without A (`-cpu rv64,a=off`) raises
//! illegal-instruction exceptions instead.

use crate::hart::{Env, Hart};
use crate::isa::rv64i::sext32;
use crate::isa::{op, Extensions, Insn, Next, Opcode};

fn lr_w(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if !h.extensions.contains(Extensions::A) {
        return h.illegal(env, pc);
    }
    match h.load_reserved::<4>(env, h.xr(i.rs1())) {
        Ok(v) => {
            h.xw(i.rd(), sext32(v));
            Next::after(i, pc)
        }
        Err(fault) => h.raise(fault, pc),
    }
}

fn lr_d(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if !h.extensions.contains(Extensions::A) {
        return h.illegal(env, pc);
    }
    match h.load_reserved::<8>(env, h.xr(i.rs1())) {
        Ok(v) => {
            h.xw(i.rd(), v);
            Next::after(i, pc)
        }
        Err(fault) => h.raise(fault, pc),
    }
}

fn sc_w(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if !h.extensions.contains(Extensions::A) {
        return h.illegal(env, pc);
    }
    match h.store_conditional::<4>(env, h.xr(i.rs1()), h.xr(i.rs2())) {
        Ok(stored) => {
            h.xw(i.rd(), u64::from(!stored));
            Next::after(i, pc)
        }
        Err(fault) => h.raise(fault, pc),
    }
}

fn sc_d(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if !h.extensions.contains(Extensions::A) {
        return h.illegal(env, pc);
    }
    match h.store_conditional::<8>(env, h.xr(i.rs1()), h.xr(i.rs2())) {
        Ok(stored) => {
            h.xw(i.rd(), u64::from(!stored));
            Next::after(i, pc)
        }
        Err(fault) => h.raise(fault, pc),
    }
}

/// Defines a 32-bit AMO (`new = f(old, rs2)`, rd = sign-extended old) and
/// a 64-bit one.
macro_rules! amo {
    ($w:ident, $d:ident, |$old:ident, $src:ident| $new:expr) => {
        fn $w(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            if !h.extensions.contains(Extensions::A) {
                return h.illegal(env, pc);
            }
            let src = h.xr(i.rs2());
            let op = |old: u64| {
                let ($old, $src) = (sext32(old), sext32(src));
                $new
            };
            match h.amo::<4>(env, h.xr(i.rs1()), op) {
                Ok(old) => {
                    h.xw(i.rd(), sext32(old));
                    Next::after(i, pc)
                }
                Err(fault) => h.raise(fault, pc),
            }
        }

        fn $d(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            if !h.extensions.contains(Extensions::A) {
                return h.illegal(env, pc);
            }
            let $src = h.xr(i.rs2());
            match h.amo::<8>(env, h.xr(i.rs1()), |$old| $new) {
                Ok(old) => {
                    h.xw(i.rd(), old);
                    Next::after(i, pc)
                }
                Err(fault) => h.raise(fault, pc),
            }
        }
    };
}

// For the W forms both operands arrive sign-extended to 64 bits, so the
// signed and unsigned comparisons below order them as 32-bit values would.
amo!(amoswap_w, amoswap_d, |old, src| {
    let _ = old;
    src
});
amo!(amoadd_w, amoadd_d, |old, src| old.wrapping_add(src));
amo!(amoxor_w, amoxor_d, |old, src| old ^ src);
amo!(amoand_w, amoand_d, |old, src| old & src);
amo!(amoor_w, amoor_d, |old, src| old | src);
amo!(amomin_w, amomin_d, |old, src| (old as i64).min(src as i64)
    as u64);
amo!(amomax_w, amomax_d, |old, src| (old as i64).max(src as i64)
    as u64);
amo!(amominu_w, amominu_d, |old, src| old.min(src));
amo!(amomaxu_w, amomaxu_d, |old, src| old.max(src));

const AMO: u32 = 0xf800_707f;
const LR: u32 = 0xf9f0_707f;

pub(crate) static OPCODES: &[Opcode] = &[
    op!("lr.w", LR, 0x1000_202f, Lr, lr_w),
    op!("sc.w", AMO, 0x1800_202f, Amo, sc_w),
    op!("amoswap.w", AMO, 0x0800_202f, Amo, amoswap_w),
    op!("amoadd.w", AMO, 0x0000_202f, Amo, amoadd_w),
    op!("amoxor.w", AMO, 0x2000_202f, Amo, amoxor_w),
    op!("amoand.w", AMO, 0x6000_202f, Amo, amoand_w),
    op!("amoor.w", AMO, 0x4000_202f, Amo, amoor_w),
    op!("amomin.w", AMO, 0x8000_202f, Amo, amomin_w),
    op!("amomax.w", AMO, 0xa000_202f, Amo, amomax_w),
    op!("amominu.w", AMO, 0xc000_202f, Amo, amominu_w),
    op!("amomaxu.w", AMO, 0xe000_202f, Amo, amomaxu_w),
    op!("lr.d", LR, 0x1000_302f, Lr, lr_d),
    op!("sc.d", AMO, 0x1800_302f, Amo, sc_d),
    op!("amoswap.d", AMO, 0x0800_302f, Amo, amoswap_d),
    op!("amoadd.d", AMO, 0x0000_302f, Amo, amoadd_d),
    op!("amoxor.d", AMO, 0x2000_302f, Amo, amoxor_d),
    op!("amoand.d", AMO, 0x6000_302f, Amo, amoand_d),
    op!("amoor.d", AMO, 0x4000_302f, Amo, amoor_d),
    op!("amomin.d", AMO, 0x8000_302f, Amo, amomin_d),
    op!("amomax.d", AMO, 0xa000_302f, Amo, amomax_d),
    op!("amominu.d", AMO, 0xc000_302f, Amo, amominu_d),
    op!("amomaxu.d", AMO, 0xe000_302f, Amo, amomaxu_d),
];
