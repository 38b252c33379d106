//! Zfhmin and Zfh: half-precision (binary16) floating point (the "Zfh"
//! chapter of the unprivileged ISA manual).
//!
//! Zfhmin is the loads, stores, moves and the conversions to and from
//! binary32 and binary64; Zfh adds the arithmetic, comparisons and integer
//! conversions. A binary16 value in a 64-bit `f` register is NaN-boxed
//! (bits 63:16 all ones); an operand that is not is read as the canonical
//! NaN. Every instruction is illegal where the hart lacks its extension or
//! `mstatus.FS` is Off, as the F instructions are. The arithmetic is
//! [`crate::fpu::F16`], on the same integer algorithms as binary32/64.

use crate::bits::{low_i32, low_u16, low_u32};
use crate::fpu::{box_f16, box_f32, unbox_f16, unbox_f32, Flags, F16, F32, F64};
use crate::hart::{Env, Hart};
use crate::isa::d::exact_asm;
use crate::isa::disasm::Operands;
use crate::isa::f::{one_source, rs3, F3, F7F3, F7F3R2, R4, RM, RM1};
use crate::isa::rv64i::sext32;
use crate::isa::{op, Extensions, Insn, Next, Opcode};

/// Defines a handler of an instruction of extension `$ext` (ZFH or
/// ZFHMIN): illegal where the hart lacks it, `mstatus.FS` is Off or (with
/// `rm`) the rounding mode is reserved. Inside, `$h` is the hart, `$i` the
/// record, `$rm` the rounding mode and `$flags` the flags to accrue.
macro_rules! h_handler {
    ($ext:ident, $name:ident, rm, |$h:ident, $i:ident, $rm:ident, $flags:ident| $body:block) => {
        #[inline(never)]
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            if !h.extensions.contains(Extensions::$ext) || !h.csr.mstatus.fp_enabled() {
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
    ($ext:ident, $name:ident, |$h:ident, $i:ident, $flags:ident| $body:block) => {
        #[inline(never)]
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            if !h.extensions.contains(Extensions::$ext) || !h.csr.mstatus.fp_enabled() {
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

/// The half-precision operand in `f[r]` (canonical NaN if not boxed).
#[inline]
fn hv(h: &Hart, r: u8) -> u16 {
    unbox_f16(h.fr(r))
}

/// `flh`: loads 16 bits and NaN-boxes them.
#[inline(never)]
pub(crate) fn flh(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if !h.extensions.contains(Extensions::ZFHMIN) || !h.csr.mstatus.fp_enabled() {
        return h.illegal(env, pc);
    }
    let addr = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64);
    match h.load::<2>(env, addr) {
        Ok(v) => {
            h.fw(i.rd(), box_f16(low_u16(v)));
            Next::after(i, pc)
        }
        Err(fault) => h.raise(fault, pc),
    }
}

/// `fsh`: stores the low 16 bits of `f[rs2]` (raw: stores ignore boxing).
#[inline(never)]
pub(crate) fn fsh(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if !h.extensions.contains(Extensions::ZFHMIN) || !h.csr.mstatus.fp_enabled() {
        return h.illegal(env, pc);
    }
    let addr = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64);
    match h.store::<2>(env, addr, h.fr(i.rs2())) {
        Ok(()) => Next::after(i, pc),
        Err(fault) => h.raise(fault, pc),
    }
}

// Zfhmin: moves transfer raw bits (FMV.X.H ignores NaN boxing and
// sign-extends bit 15); conversions to and from the wider formats.
h_handler!(ZFHMIN, fmv_x_h, |h, i, _fl| {
    h.xw(
        i.rd(),
        i64::from(low_u16(h.fr(i.rs1())).cast_signed()) as u64,
    )
});
h_handler!(ZFHMIN, fmv_h_x, |h, i, _fl| {
    h.fw(i.rd(), box_f16(low_u16(h.xr(i.rs1()))))
});
// Widening is exact, but the rm field must still name a valid mode.
h_handler!(ZFHMIN, fcvt_s_h, rm, |h, i, _rm, fl| {
    h.fw(i.rd(), box_f32(F16::to_f32(hv(h, i.rs1()), &mut fl)))
});
h_handler!(ZFHMIN, fcvt_d_h, rm, |h, i, _rm, fl| {
    h.fw(i.rd(), F16::to_f64(hv(h, i.rs1()), &mut fl))
});
h_handler!(ZFHMIN, fcvt_h_s, rm, |h, i, rm, fl| {
    let a = unbox_f32(h.fr(i.rs1()));
    h.fw(i.rd(), box_f16(F32::to_f16(a, rm, &mut fl)))
});
h_handler!(ZFHMIN, fcvt_h_d, rm, |h, i, rm, fl| {
    h.fw(i.rd(), box_f16(F64::to_f16(h.fr(i.rs1()), rm, &mut fl)))
});

/// Defines a rounding binary operation `rd = op(rs1, rs2)` on halves.
macro_rules! binary_h {
    ($name:ident, $op:path) => {
        h_handler!(ZFH, $name, rm, |h, i, rm, fl| {
            let (a, b) = (hv(h, i.rs1()), hv(h, i.rs2()));
            h.fw(i.rd(), box_f16($op(a, b, rm, &mut fl)))
        });
    };
}

/// Defines a fused multiply-add form `rd = op(rs1, rs2, rs3)` on halves.
macro_rules! fused_h {
    ($name:ident, $op:path) => {
        h_handler!(ZFH, $name, rm, |h, i, rm, fl| {
            let (a, b, c) = (hv(h, i.rs1()), hv(h, i.rs2()), hv(h, rs3(i)));
            h.fw(i.rd(), box_f16($op(a, b, c, rm, &mut fl)))
        });
    };
}

/// Defines a comparison `rd = op(rs1, rs2)` on halves.
macro_rules! compare_h {
    ($name:ident, $op:path) => {
        h_handler!(ZFH, $name, |h, i, fl| {
            let (a, b) = (hv(h, i.rs1()), hv(h, i.rs2()));
            h.xw(i.rd(), u64::from($op(a, b, &mut fl)))
        });
    };
}

binary_h!(fadd_h, F16::add);
binary_h!(fsub_h, F16::sub);
binary_h!(fmul_h, F16::mul);
binary_h!(fdiv_h, F16::div);
h_handler!(ZFH, fsqrt_h, rm, |h, i, rm, fl| {
    h.fw(i.rd(), box_f16(F16::sqrt(hv(h, i.rs1()), rm, &mut fl)))
});
fused_h!(fmadd_h, F16::madd);
fused_h!(fmsub_h, F16::msub);
fused_h!(fnmsub_h, F16::nmsub);
fused_h!(fnmadd_h, F16::nmadd);

const SIGN16: u16 = 1 << 15;
h_handler!(ZFH, fsgnj_h, |h, i, _fl| {
    let (a, b) = (hv(h, i.rs1()), hv(h, i.rs2()));
    h.fw(i.rd(), box_f16((a & !SIGN16) | (b & SIGN16)))
});
h_handler!(ZFH, fsgnjn_h, |h, i, _fl| {
    let (a, b) = (hv(h, i.rs1()), hv(h, i.rs2()));
    h.fw(i.rd(), box_f16((a & !SIGN16) | (!b & SIGN16)))
});
h_handler!(ZFH, fsgnjx_h, |h, i, _fl| {
    let (a, b) = (hv(h, i.rs1()), hv(h, i.rs2()));
    h.fw(i.rd(), box_f16(a ^ (b & SIGN16)))
});
h_handler!(ZFH, fmin_h, |h, i, fl| {
    let (a, b) = (hv(h, i.rs1()), hv(h, i.rs2()));
    h.fw(i.rd(), box_f16(F16::min(a, b, &mut fl)))
});
h_handler!(ZFH, fmax_h, |h, i, fl| {
    let (a, b) = (hv(h, i.rs1()), hv(h, i.rs2()));
    h.fw(i.rd(), box_f16(F16::max(a, b, &mut fl)))
});
compare_h!(feq_h, F16::eq);
compare_h!(flt_h, F16::lt);
compare_h!(fle_h, F16::le);
h_handler!(ZFH, fclass_h, |h, i, _fl| {
    h.xw(i.rd(), u64::from(F16::classify(hv(h, i.rs1()))))
});

h_handler!(ZFH, fcvt_w_h, rm, |h, i, rm, fl| {
    h.xw(
        i.rd(),
        i64::from(F16::to_i32(hv(h, i.rs1()), rm, &mut fl)) as u64,
    )
});
h_handler!(ZFH, fcvt_wu_h, rm, |h, i, rm, fl| {
    h.xw(
        i.rd(),
        sext32(u64::from(F16::to_u32(hv(h, i.rs1()), rm, &mut fl))),
    )
});
h_handler!(ZFH, fcvt_l_h, rm, |h, i, rm, fl| {
    h.xw(i.rd(), F16::to_i64(hv(h, i.rs1()), rm, &mut fl) as u64)
});
h_handler!(ZFH, fcvt_lu_h, rm, |h, i, rm, fl| {
    h.xw(i.rd(), F16::to_u64(hv(h, i.rs1()), rm, &mut fl))
});
h_handler!(ZFH, fcvt_h_w, rm, |h, i, rm, fl| {
    let a = low_i32(h.xr(i.rs1()));
    h.fw(i.rd(), box_f16(F16::from_i32(a, rm, &mut fl)))
});
h_handler!(ZFH, fcvt_h_wu, rm, |h, i, rm, fl| {
    let a = low_u32(h.xr(i.rs1()));
    h.fw(i.rd(), box_f16(F16::from_u32(a, rm, &mut fl)))
});
h_handler!(ZFH, fcvt_h_l, rm, |h, i, rm, fl| {
    let a = h.xr(i.rs1()) as i64;
    h.fw(i.rd(), box_f16(F16::from_i64(a, rm, &mut fl)))
});
h_handler!(ZFH, fcvt_h_lu, rm, |h, i, rm, fl| {
    let a = h.xr(i.rs1());
    h.fw(i.rd(), box_f16(F16::from_u64(a, rm, &mut fl)))
});

/// `fsgnj.h`: `fmv.h` with both sources the same register.
fn fsgnj_h_asm(o: &Operands) -> Option<String> {
    one_source(o, "fmv.h")
}

/// `fsgnjn.h`: `fneg.h` with both sources the same register.
fn fsgnjn_h_asm(o: &Operands) -> Option<String> {
    one_source(o, "fneg.h")
}

/// `fsgnjx.h`: `fabs.h` with both sources the same register.
fn fsgnjx_h_asm(o: &Operands) -> Option<String> {
    one_source(o, "fabs.h")
}

pub(crate) static OPCODES: &[Opcode] = &[
    // Zfhmin.
    op!("flh", F3, 0x1007, FLoad, flh),
    op!("fsh", F3, 0x1027, FStore, fsh),
    op!("fmv.x.h", F7F3R2, 0xe400_0053, FToX, fmv_x_h),
    op!("fmv.h.x", F7F3R2, 0xf400_0053, XToF, fmv_h_x),
    op!("fcvt.s.h", RM1, 0x4020_0053, FR1, fcvt_s_h, asm(exact_asm)),
    op!("fcvt.h.s", RM1, 0x4400_0053, FR1, fcvt_h_s),
    op!("fcvt.d.h", RM1, 0x4220_0053, FR1, fcvt_d_h, asm(exact_asm)),
    op!("fcvt.h.d", RM1, 0x4410_0053, FR1, fcvt_h_d),
    // Zfh.
    op!("fmadd.h", R4, 0x0400_0043, FR4, fmadd_h),
    op!("fmsub.h", R4, 0x0400_0047, FR4, fmsub_h),
    op!("fnmsub.h", R4, 0x0400_004b, FR4, fnmsub_h),
    op!("fnmadd.h", R4, 0x0400_004f, FR4, fnmadd_h),
    op!("fadd.h", RM, 0x0400_0053, FR, fadd_h),
    op!("fsub.h", RM, 0x0c00_0053, FR, fsub_h),
    op!("fmul.h", RM, 0x1400_0053, FR, fmul_h),
    op!("fdiv.h", RM, 0x1c00_0053, FR, fdiv_h),
    op!("fsqrt.h", RM1, 0x5c00_0053, FR1, fsqrt_h),
    op!("fsgnj.h", F7F3, 0x2400_0053, FR, fsgnj_h, asm(fsgnj_h_asm)),
    op!(
        "fsgnjn.h",
        F7F3,
        0x2400_1053,
        FR,
        fsgnjn_h,
        asm(fsgnjn_h_asm)
    ),
    op!(
        "fsgnjx.h",
        F7F3,
        0x2400_2053,
        FR,
        fsgnjx_h,
        asm(fsgnjx_h_asm)
    ),
    op!("fmin.h", F7F3, 0x2c00_0053, FR, fmin_h),
    op!("fmax.h", F7F3, 0x2c00_1053, FR, fmax_h),
    op!("feq.h", F7F3, 0xa400_2053, FCmp, feq_h),
    op!("flt.h", F7F3, 0xa400_1053, FCmp, flt_h),
    op!("fle.h", F7F3, 0xa400_0053, FCmp, fle_h),
    op!("fclass.h", F7F3R2, 0xe400_1053, FToX, fclass_h),
    op!("fcvt.w.h", RM1, 0xc400_0053, FToX, fcvt_w_h),
    op!("fcvt.wu.h", RM1, 0xc410_0053, FToX, fcvt_wu_h),
    op!("fcvt.l.h", RM1, 0xc420_0053, FToX, fcvt_l_h),
    op!("fcvt.lu.h", RM1, 0xc430_0053, FToX, fcvt_lu_h),
    op!("fcvt.h.w", RM1, 0xd400_0053, XToF, fcvt_h_w),
    op!("fcvt.h.wu", RM1, 0xd410_0053, XToF, fcvt_h_wu),
    op!("fcvt.h.l", RM1, 0xd420_0053, XToF, fcvt_h_l),
    op!("fcvt.h.lu", RM1, 0xd430_0053, XToF, fcvt_h_lu),
];
