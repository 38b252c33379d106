//! D: double-precision floating point (the shared machinery — FS, rounding
//! modes, flags — is in [`super::f`]).

use crate::bits::{low_i32, low_u32};
use crate::fpu::{box_f32, unbox_f32, Flags, F32, F64};
use crate::hart::{Env, Hart};
use crate::isa::disasm::Operands;
use crate::isa::f::{
    fp_handler, fp_load, fp_store, one_source, rs3, F3, F7F3, F7F3R2, R4, RM, RM1,
};
use crate::isa::rv64i::sext32;
use crate::isa::{op, Insn, Next, Opcode};

fp_load!(fld, 8, |v| v);
fp_store!(fsd, 8);

/// Defines a rounding binary operation `rd = op(rs1, rs2)` on doubles:
/// the handler `$name` tries the host fast path `$fast` alone and
/// otherwise hands the instruction to `$full`, the complete handler. So
/// the common case runs in a small function that saves no registers
/// (a handler that may call the integer algorithm saves six).
macro_rules! binary_d {
    ($name:ident, $full:ident, $op:path, $fast:path) => {
        fp_handler!($full, rm, |h, i, rm, fl| {
            let (a, b) = (h.fr(i.rs1()), h.fr(i.rs2()));
            h.fw(i.rd(), $op(a, b, rm, &mut fl))
        });
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
            if h.csr.mstatus.fp_enabled() {
                if let Some(rm) = h.rounding_mode(i.imm()) {
                    if let Some((bits, inexact)) = $fast(h.fr(i.rs1()), h.fr(i.rs2()), rm) {
                        h.fw(i.rd(), bits);
                        if inexact {
                            h.accrue(Flags::NX);
                        }
                        return Next::after(i, pc);
                    }
                }
            }
            $full(h, env, i, pc, spent)
        }
    };
}

/// Defines a fused multiply-add form `rd = op(rs1, rs2, rs3)` on doubles.
macro_rules! fused_d {
    ($name:ident, $op:path) => {
        fp_handler!($name, rm, |h, i, rm, fl| {
            let (a, b, c) = (h.fr(i.rs1()), h.fr(i.rs2()), h.fr(rs3(i)));
            h.fw(i.rd(), $op(a, b, c, rm, &mut fl))
        });
    };
}

binary_d!(fadd_d, fadd_d_full, F64::add, F64::add_fast);
binary_d!(fsub_d, fsub_d_full, F64::sub, F64::sub_fast);
binary_d!(fmul_d, fmul_d_full, F64::mul, F64::mul_fast);
binary_d!(fdiv_d, fdiv_d_full, F64::div, F64::div_fast);
fp_handler!(fsqrt_d, rm, |h, i, rm, fl| {
    h.fw(i.rd(), F64::sqrt(h.fr(i.rs1()), rm, &mut fl))
});
fused_d!(fmadd_d, F64::madd);
fused_d!(fmsub_d, F64::msub);
fused_d!(fnmsub_d, F64::nmsub);
fused_d!(fnmadd_d, F64::nmadd);

const SIGN64: u64 = 1 << 63;
fp_handler!(fsgnj_d, |h, i, _fl| {
    let (a, b) = (h.fr(i.rs1()), h.fr(i.rs2()));
    h.fw(i.rd(), (a & !SIGN64) | (b & SIGN64))
});
fp_handler!(fsgnjn_d, |h, i, _fl| {
    let (a, b) = (h.fr(i.rs1()), h.fr(i.rs2()));
    h.fw(i.rd(), (a & !SIGN64) | (!b & SIGN64))
});
fp_handler!(fsgnjx_d, |h, i, _fl| {
    let (a, b) = (h.fr(i.rs1()), h.fr(i.rs2()));
    h.fw(i.rd(), a ^ (b & SIGN64))
});
fp_handler!(fmin_d, |h, i, fl| {
    h.fw(i.rd(), F64::min(h.fr(i.rs1()), h.fr(i.rs2()), &mut fl))
});
fp_handler!(fmax_d, |h, i, fl| {
    h.fw(i.rd(), F64::max(h.fr(i.rs1()), h.fr(i.rs2()), &mut fl))
});

fp_handler!(feq_d, |h, i, fl| {
    h.xw(
        i.rd(),
        u64::from(F64::eq(h.fr(i.rs1()), h.fr(i.rs2()), &mut fl)),
    )
});
fp_handler!(flt_d, |h, i, fl| {
    h.xw(
        i.rd(),
        u64::from(F64::lt(h.fr(i.rs1()), h.fr(i.rs2()), &mut fl)),
    )
});
fp_handler!(fle_d, |h, i, fl| {
    h.xw(
        i.rd(),
        u64::from(F64::le(h.fr(i.rs1()), h.fr(i.rs2()), &mut fl)),
    )
});
fp_handler!(fclass_d, |h, i, _fl| {
    h.xw(i.rd(), u64::from(F64::classify(h.fr(i.rs1()))))
});

fp_handler!(fcvt_s_d, rm, |h, i, rm, fl| {
    h.fw(i.rd(), box_f32(F64::to_f32(h.fr(i.rs1()), rm, &mut fl)))
});
// Widening is exact, but the rm field must still name a valid mode.
fp_handler!(fcvt_d_s, rm, |h, i, _rm, fl| {
    h.fw(i.rd(), F32::to_f64(unbox_f32(h.fr(i.rs1())), &mut fl))
});

fp_handler!(fcvt_w_d, rm, |h, i, rm, fl| {
    h.xw(
        i.rd(),
        F64::to_i32(h.fr(i.rs1()), rm, &mut fl) as i64 as u64,
    )
});
fp_handler!(fcvt_wu_d, rm, |h, i, rm, fl| {
    h.xw(
        i.rd(),
        sext32(u64::from(F64::to_u32(h.fr(i.rs1()), rm, &mut fl))),
    )
});
fp_handler!(fcvt_l_d, rm, |h, i, rm, fl| {
    h.xw(i.rd(), F64::to_i64(h.fr(i.rs1()), rm, &mut fl) as u64)
});
fp_handler!(fcvt_lu_d, rm, |h, i, rm, fl| {
    h.xw(i.rd(), F64::to_u64(h.fr(i.rs1()), rm, &mut fl))
});
fp_handler!(fcvt_d_w, rm, |h, i, rm, fl| {
    h.fw(i.rd(), F64::from_i32(low_i32(h.xr(i.rs1())), rm, &mut fl))
});
fp_handler!(fcvt_d_wu, rm, |h, i, rm, fl| {
    h.fw(i.rd(), F64::from_u32(low_u32(h.xr(i.rs1())), rm, &mut fl))
});
fp_handler!(fcvt_d_l, rm, |h, i, rm, fl| {
    h.fw(i.rd(), F64::from_i64(h.xr(i.rs1()) as i64, rm, &mut fl))
});
fp_handler!(fcvt_d_lu, rm, |h, i, rm, fl| {
    h.fw(i.rd(), F64::from_u64(h.xr(i.rs1()), rm, &mut fl))
});

fp_handler!(fmv_x_d, |h, i, _fl| { h.xw(i.rd(), h.fr(i.rs1())) });
fp_handler!(fmv_d_x, |h, i, _fl| { h.fw(i.rd(), h.xr(i.rs1())) });

/// `fsgnj.d`: `fmv.d` with both sources the same register.
fn fsgnj_d_asm(o: &Operands) -> Option<String> {
    one_source(o, "fmv.d")
}

/// `fsgnjn.d`: `fneg.d` with both sources the same register.
fn fsgnjn_d_asm(o: &Operands) -> Option<String> {
    one_source(o, "fneg.d")
}

/// `fsgnjx.d`: `fabs.d` with both sources the same register.
fn fsgnjx_d_asm(o: &Operands) -> Option<String> {
    one_source(o, "fabs.d")
}

/// The text of an exact conversion (`fcvt.d.w`, `fcvt.d.wu`, `fcvt.d.s`),
/// which binutils takes without a rounding mode: objdump decodes it only
/// with the field zero (`rne`), and then shows none.
pub(crate) fn exact_asm(o: &Operands) -> Option<String> {
    (o.rm() == 0).then(|| o.without_rm())
}

pub(crate) static OPCODES: &[Opcode] = &[
    op!("fld", F3, 0x3007, FLoad, fld),
    op!("fsd", F3, 0x3027, FStore, fsd),
    op!("fmadd.d", R4, 0x0200_0043, FR4, fmadd_d),
    op!("fmsub.d", R4, 0x0200_0047, FR4, fmsub_d),
    op!("fnmsub.d", R4, 0x0200_004b, FR4, fnmsub_d),
    op!("fnmadd.d", R4, 0x0200_004f, FR4, fnmadd_d),
    op!("fadd.d", RM, 0x0200_0053, FR, fadd_d),
    op!("fsub.d", RM, 0x0a00_0053, FR, fsub_d),
    op!("fmul.d", RM, 0x1200_0053, FR, fmul_d),
    op!("fdiv.d", RM, 0x1a00_0053, FR, fdiv_d),
    op!("fsqrt.d", RM1, 0x5a00_0053, FR1, fsqrt_d),
    op!("fsgnj.d", F7F3, 0x2200_0053, FR, fsgnj_d, asm(fsgnj_d_asm)),
    op!(
        "fsgnjn.d",
        F7F3,
        0x2200_1053,
        FR,
        fsgnjn_d,
        asm(fsgnjn_d_asm)
    ),
    op!(
        "fsgnjx.d",
        F7F3,
        0x2200_2053,
        FR,
        fsgnjx_d,
        asm(fsgnjx_d_asm)
    ),
    op!("fmin.d", F7F3, 0x2a00_0053, FR, fmin_d),
    op!("fmax.d", F7F3, 0x2a00_1053, FR, fmax_d),
    op!("fcvt.s.d", RM1, 0x4010_0053, FR1, fcvt_s_d),
    op!("fcvt.d.s", RM1, 0x4200_0053, FR1, fcvt_d_s, asm(exact_asm)),
    op!("feq.d", F7F3, 0xa200_2053, FCmp, feq_d),
    op!("flt.d", F7F3, 0xa200_1053, FCmp, flt_d),
    op!("fle.d", F7F3, 0xa200_0053, FCmp, fle_d),
    op!("fclass.d", F7F3R2, 0xe200_1053, FToX, fclass_d),
    op!("fcvt.w.d", RM1, 0xc200_0053, FToX, fcvt_w_d),
    op!("fcvt.wu.d", RM1, 0xc210_0053, FToX, fcvt_wu_d),
    op!("fcvt.l.d", RM1, 0xc220_0053, FToX, fcvt_l_d),
    op!("fcvt.lu.d", RM1, 0xc230_0053, FToX, fcvt_lu_d),
    op!("fcvt.d.w", RM1, 0xd200_0053, XToF, fcvt_d_w, asm(exact_asm)),
    op!(
        "fcvt.d.wu",
        RM1,
        0xd210_0053,
        XToF,
        fcvt_d_wu,
        asm(exact_asm)
    ),
    op!("fcvt.d.l", RM1, 0xd220_0053, XToF, fcvt_d_l),
    op!("fcvt.d.lu", RM1, 0xd230_0053, XToF, fcvt_d_lu),
    op!("fmv.x.d", F7F3R2, 0xe200_0053, FToX, fmv_x_d),
    op!("fmv.d.x", F7F3R2, 0xf200_0053, XToF, fmv_d_x),
];
