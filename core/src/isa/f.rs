//! F: single-precision floating point, and the machinery the F and D
//! extensions share — `mstatus.FS`, rounding-mode selection, accrued
//! exception flags and NaN boxing.
//!
//! The arithmetic itself is [`crate::fpu`]: exact IEEE 754 with RISC-V's
//! NaN and flag rules, checked bit for bit against Berkeley SoftFloat.
//! The handlers here only move operands in and out of registers.

use crate::bits::{low_i32, low_u32, low_u8};
use crate::fpu::{box_f32, unbox_f32, Flags, RoundingMode, F32};
use crate::hart::{Env, Hart};
use crate::isa::disasm::{asm, f_reg, Operands};
use crate::isa::rv64i::sext32;
use crate::isa::{op, Insn, Next, Opcode};

impl Hart {
    /// The rounding mode an instruction's `rm` field selects (7 = `frm`),
    /// or `None` if it is reserved (an illegal instruction).
    #[inline]
    pub(crate) fn rounding_mode(&self, rm_field: i32) -> Option<RoundingMode> {
        let rm = (rm_field & 7) as u8;
        let rm = if rm == 7 {
            (self.csr.fcsr.frm() & 7) as u8
        } else {
            rm
        };
        RoundingMode::from_bits(rm)
    }

    /// Writes `f[rd]` and marks the F/D state dirty.
    #[inline]
    pub(crate) fn fw(&mut self, rd: u8, bits: u64) {
        self.f[usize::from(rd)] = bits;
        self.csr.mstatus.set_fs_dirty();
    }

    /// Reads `f[r]`.
    #[inline]
    pub(crate) fn fr(&self, r: u8) -> u64 {
        self.f[usize::from(r)]
    }

    /// Accrues exception flags into `fflags` (marking the state dirty if any).
    #[inline]
    pub(crate) fn accrue(&mut self, flags: Flags) {
        if !flags.is_empty() {
            self.csr.fcsr.accrue(u64::from(flags.bits()));
            self.csr.mstatus.set_fs_dirty();
        }
    }
}

/// Defines FP handlers. Every one first checks that `mstatus.FS` is not
/// Off (else illegal instruction), and the rounding-mode ones that the
/// mode is not reserved. Inside, `$h` is the hart, `$i` the record and
/// `$flags` the exception flags to accrue.
macro_rules! fp_handler {
    // With a rounding mode (`$rm` in scope).
    ($name:ident, rm, |$h:ident, $i:ident, $rm:ident, $flags:ident| $body:block) => {
        #[inline(never)]
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            if !h.csr.mstatus.fp_enabled() {
                return h.illegal(env, pc);
            }
            let Some($rm) = h.rounding_mode(i.imm()) else {
                return h.illegal(env, pc);
            };
            let mut $flags = Flags::empty();
            {
                let ($h, $i) = (&mut *h, i);
                $body
            }
            h.accrue($flags);
            Next::after(i, pc)
        }
    };
    // Without a rounding mode.
    ($name:ident, |$h:ident, $i:ident, $flags:ident| $body:block) => {
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            if !h.csr.mstatus.fp_enabled() {
                return h.illegal(env, pc);
            }
            let mut $flags = Flags::empty();
            {
                let ($h, $i) = (&mut *h, i);
                $body
            }
            h.accrue($flags);
            Next::after(i, pc)
        }
    };
}
pub(crate) use fp_handler;

/// Defines an FP load of `$n` bytes whose value `v` becomes `$value`.
macro_rules! fp_load {
    ($name:ident, $n:literal, |$v:ident| $value:expr) => {
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            if !h.csr.mstatus.fp_enabled() {
                return h.illegal(env, pc);
            }
            let addr = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64);
            match h.load::<$n>(env, addr) {
                Ok($v) => {
                    h.fw(i.rd(), $value);
                    Next::after(i, pc)
                }
                Err(fault) => h.raise(fault, pc),
            }
        }
    };
}
pub(crate) use fp_load;

/// Defines an FP store of the low `$n` bytes of `f[rs2]` (raw bits: stores
/// do not look at NaN boxing).
macro_rules! fp_store {
    ($name:ident, $n:literal) => {
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            if !h.csr.mstatus.fp_enabled() {
                return h.illegal(env, pc);
            }
            let addr = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64);
            match h.store::<$n>(env, addr, h.fr(i.rs2())) {
                Ok(()) => Next::after(i, pc),
                Err(fault) => h.raise(fault, pc),
            }
        }
    };
}
pub(crate) use fp_store;

/// The single-precision operand in `f[r]` (canonical NaN if not boxed).
#[inline]
fn s(h: &Hart, r: u8) -> u32 {
    unbox_f32(h.fr(r))
}

/// `rs3` of an R4-type record (kept in `imm` beside `rm`).
#[inline]
pub(crate) fn rs3(i: Insn) -> u8 {
    low_u8(i.imm().cast_unsigned() >> 8) & 31
}

fp_load!(flw, 4, |v| box_f32(low_u32(v)));
fp_store!(fsw, 4);

/// Defines a rounding binary operation `rd = op(rs1, rs2)` on singles.
macro_rules! binary_s {
    ($name:ident, $op:path) => {
        fp_handler!($name, rm, |h, i, rm, fl| {
            let (a, b) = (s(h, i.rs1()), s(h, i.rs2()));
            h.fw(i.rd(), box_f32($op(a, b, rm, &mut fl)))
        });
    };
}

/// Defines a fused multiply-add form `rd = op(rs1, rs2, rs3)` on singles.
macro_rules! fused_s {
    ($name:ident, $op:path) => {
        fp_handler!($name, rm, |h, i, rm, fl| {
            let (a, b, c) = (s(h, i.rs1()), s(h, i.rs2()), s(h, rs3(i)));
            h.fw(i.rd(), box_f32($op(a, b, c, rm, &mut fl)))
        });
    };
}

binary_s!(fadd_s, F32::add);
binary_s!(fsub_s, F32::sub);
binary_s!(fmul_s, F32::mul);
binary_s!(fdiv_s, F32::div);
fp_handler!(fsqrt_s, rm, |h, i, rm, fl| {
    h.fw(i.rd(), box_f32(F32::sqrt(s(h, i.rs1()), rm, &mut fl)))
});
fused_s!(fmadd_s, F32::madd);
fused_s!(fmsub_s, F32::msub);
fused_s!(fnmsub_s, F32::nmsub);
fused_s!(fnmadd_s, F32::nmadd);

const SIGN32: u32 = 1 << 31;
fp_handler!(fsgnj_s, |h, i, _fl| {
    let (a, b) = (s(h, i.rs1()), s(h, i.rs2()));
    h.fw(i.rd(), box_f32((a & !SIGN32) | (b & SIGN32)))
});
fp_handler!(fsgnjn_s, |h, i, _fl| {
    let (a, b) = (s(h, i.rs1()), s(h, i.rs2()));
    h.fw(i.rd(), box_f32((a & !SIGN32) | (!b & SIGN32)))
});
fp_handler!(fsgnjx_s, |h, i, _fl| {
    let (a, b) = (s(h, i.rs1()), s(h, i.rs2()));
    h.fw(i.rd(), box_f32(a ^ (b & SIGN32)))
});
fp_handler!(fmin_s, |h, i, fl| {
    h.fw(
        i.rd(),
        box_f32(F32::min(s(h, i.rs1()), s(h, i.rs2()), &mut fl)),
    )
});
fp_handler!(fmax_s, |h, i, fl| {
    h.fw(
        i.rd(),
        box_f32(F32::max(s(h, i.rs1()), s(h, i.rs2()), &mut fl)),
    )
});

fp_handler!(feq_s, |h, i, fl| {
    h.xw(
        i.rd(),
        u64::from(F32::eq(s(h, i.rs1()), s(h, i.rs2()), &mut fl)),
    )
});
fp_handler!(flt_s, |h, i, fl| {
    h.xw(
        i.rd(),
        u64::from(F32::lt(s(h, i.rs1()), s(h, i.rs2()), &mut fl)),
    )
});
fp_handler!(fle_s, |h, i, fl| {
    h.xw(
        i.rd(),
        u64::from(F32::le(s(h, i.rs1()), s(h, i.rs2()), &mut fl)),
    )
});
fp_handler!(fclass_s, |h, i, _fl| {
    h.xw(i.rd(), u64::from(F32::classify(s(h, i.rs1()))))
});

fp_handler!(fcvt_w_s, rm, |h, i, rm, fl| {
    h.xw(
        i.rd(),
        F32::to_i32(s(h, i.rs1()), rm, &mut fl) as i64 as u64,
    )
});
fp_handler!(fcvt_wu_s, rm, |h, i, rm, fl| {
    h.xw(
        i.rd(),
        sext32(u64::from(F32::to_u32(s(h, i.rs1()), rm, &mut fl))),
    )
});
fp_handler!(fcvt_l_s, rm, |h, i, rm, fl| {
    h.xw(i.rd(), F32::to_i64(s(h, i.rs1()), rm, &mut fl) as u64)
});
fp_handler!(fcvt_lu_s, rm, |h, i, rm, fl| {
    h.xw(i.rd(), F32::to_u64(s(h, i.rs1()), rm, &mut fl))
});
fp_handler!(fcvt_s_w, rm, |h, i, rm, fl| {
    h.fw(
        i.rd(),
        box_f32(F32::from_i32(low_i32(h.xr(i.rs1())), rm, &mut fl)),
    )
});
fp_handler!(fcvt_s_wu, rm, |h, i, rm, fl| {
    h.fw(
        i.rd(),
        box_f32(F32::from_u32(low_u32(h.xr(i.rs1())), rm, &mut fl)),
    )
});
fp_handler!(fcvt_s_l, rm, |h, i, rm, fl| {
    h.fw(
        i.rd(),
        box_f32(F32::from_i64(h.xr(i.rs1()) as i64, rm, &mut fl)),
    )
});
fp_handler!(fcvt_s_lu, rm, |h, i, rm, fl| {
    h.fw(i.rd(), box_f32(F32::from_u64(h.xr(i.rs1()), rm, &mut fl)))
});

// Moves transfer raw bits: FMV.X.W ignores NaN boxing.
fp_handler!(fmv_x_w, |h, i, _fl| { h.xw(i.rd(), sext32(h.fr(i.rs1()))) });
fp_handler!(fmv_w_x, |h, i, _fl| {
    h.fw(i.rd(), box_f32(low_u32(h.xr(i.rs1()))))
});

/// A sign injection's text (F or D): with both sources the same register,
/// the one-source alias `alias` (`fmv.s`, `fneg.d`, `fabs.s`).
pub(crate) fn one_source(o: &Operands, alias: &str) -> Option<String> {
    Some(if o.rs1() == o.rs2() {
        asm(alias, &[&f_reg(o.rd()), &f_reg(o.rs1())])
    } else {
        o.plain()
    })
}

/// Masks of the F and D encodings (D shares them): opcode and funct3;
/// R4-type (opcode and fmt); opcode and funct7 with a free rm; the same
/// with rs2 fixed; funct7 and funct3; funct7, funct3 and rs2.
pub(crate) const F3: u32 = 0x707f;
pub(crate) const R4: u32 = 0x0600_007f;
pub(crate) const RM: u32 = 0xfe00_007f;
pub(crate) const RM1: u32 = 0xfff0_007f;
pub(crate) const F7F3: u32 = 0xfe00_707f;
pub(crate) const F7F3R2: u32 = 0xfff0_707f;

/// `fsgnj.s`: `fmv.s` with both sources the same register.
fn fsgnj_s_asm(o: &Operands) -> Option<String> {
    one_source(o, "fmv.s")
}

/// `fsgnjn.s`: `fneg.s` with both sources the same register.
fn fsgnjn_s_asm(o: &Operands) -> Option<String> {
    one_source(o, "fneg.s")
}

/// `fsgnjx.s`: `fabs.s` with both sources the same register.
fn fsgnjx_s_asm(o: &Operands) -> Option<String> {
    one_source(o, "fabs.s")
}

pub(crate) static OPCODES: &[Opcode] = &[
    op!("flw", F3, 0x2007, FLoad, flw),
    op!("fsw", F3, 0x2027, FStore, fsw),
    op!("fmadd.s", R4, 0x43, FR4, fmadd_s),
    op!("fmsub.s", R4, 0x47, FR4, fmsub_s),
    op!("fnmsub.s", R4, 0x4b, FR4, fnmsub_s),
    op!("fnmadd.s", R4, 0x4f, FR4, fnmadd_s),
    op!("fadd.s", RM, 0x0000_0053, FR, fadd_s),
    op!("fsub.s", RM, 0x0800_0053, FR, fsub_s),
    op!("fmul.s", RM, 0x1000_0053, FR, fmul_s),
    op!("fdiv.s", RM, 0x1800_0053, FR, fdiv_s),
    op!("fsqrt.s", RM1, 0x5800_0053, FR1, fsqrt_s),
    op!("fsgnj.s", F7F3, 0x2000_0053, FR, fsgnj_s, asm(fsgnj_s_asm)),
    op!(
        "fsgnjn.s",
        F7F3,
        0x2000_1053,
        FR,
        fsgnjn_s,
        asm(fsgnjn_s_asm)
    ),
    op!(
        "fsgnjx.s",
        F7F3,
        0x2000_2053,
        FR,
        fsgnjx_s,
        asm(fsgnjx_s_asm)
    ),
    op!("fmin.s", F7F3, 0x2800_0053, FR, fmin_s),
    op!("fmax.s", F7F3, 0x2800_1053, FR, fmax_s),
    op!("fcvt.w.s", RM1, 0xc000_0053, FToX, fcvt_w_s),
    op!("fcvt.wu.s", RM1, 0xc010_0053, FToX, fcvt_wu_s),
    op!("fcvt.l.s", RM1, 0xc020_0053, FToX, fcvt_l_s),
    op!("fcvt.lu.s", RM1, 0xc030_0053, FToX, fcvt_lu_s),
    op!("fmv.x.w", F7F3R2, 0xe000_0053, FToX, fmv_x_w),
    op!("fclass.s", F7F3R2, 0xe000_1053, FToX, fclass_s),
    op!("feq.s", F7F3, 0xa000_2053, FCmp, feq_s),
    op!("flt.s", F7F3, 0xa000_1053, FCmp, flt_s),
    op!("fle.s", F7F3, 0xa000_0053, FCmp, fle_s),
    op!("fcvt.s.w", RM1, 0xd000_0053, XToF, fcvt_s_w),
    op!("fcvt.s.wu", RM1, 0xd010_0053, XToF, fcvt_s_wu),
    op!("fcvt.s.l", RM1, 0xd020_0053, XToF, fcvt_s_l),
    op!("fcvt.s.lu", RM1, 0xd030_0053, XToF, fcvt_s_lu),
    op!("fmv.w.x", F7F3R2, 0xf000_0053, XToF, fmv_w_x),
];
