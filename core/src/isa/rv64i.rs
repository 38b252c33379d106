//! RV64I: the base integer instruction set.

use crate::hart::{Env, Hart};
use crate::isa::{op, Insn, Next, Opcode};
use crate::trap::{Exception, Fault};

/// Defines a handler `rd = f(rs1, rs2)`.
macro_rules! reg_reg {
    ($name:ident, |$a:ident, $b:ident| $body:expr) => {
        #[inline]
        pub(crate) fn $name(h: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            let ($a, $b) = (h.xr(i.rs1()), h.xr(i.rs2()));
            h.xw(i.rd(), $body);
            Next::after(i, pc)
        }
    };
}
pub(crate) use reg_reg;

/// Defines a handler `rd = f(rs1, imm)` (imm sign-extended to 64 bits).
macro_rules! reg_imm {
    ($name:ident, |$a:ident, $imm:ident| $body:expr) => {
        #[inline]
        pub(crate) fn $name(h: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            let ($a, $imm) = (h.xr(i.rs1()), i.imm() as i64 as u64);
            h.xw(i.rd(), $body);
            Next::after(i, pc)
        }
    };
}

/// Sign-extends the low 32 bits (the W-form result rule).
#[inline(always)]
pub(crate) const fn sext32(v: u64) -> u64 {
    v as i32 as i64 as u64
}

reg_reg!(add, |a, b| a.wrapping_add(b));
reg_reg!(sub, |a, b| a.wrapping_sub(b));
reg_reg!(sll, |a, b| a << (b & 63));
reg_reg!(slt, |a, b| ((a as i64) < (b as i64)) as u64);
reg_reg!(sltu, |a, b| (a < b) as u64);
reg_reg!(xor, |a, b| a ^ b);
reg_reg!(srl, |a, b| a >> (b & 63));
reg_reg!(sra, |a, b| ((a as i64) >> (b & 63)) as u64);
reg_reg!(or, |a, b| a | b);
reg_reg!(and, |a, b| a & b);
reg_reg!(addw, |a, b| sext32(a.wrapping_add(b)));
reg_reg!(subw, |a, b| sext32(a.wrapping_sub(b)));
reg_reg!(sllw, |a, b| sext32(((a as u32) << (b & 31)) as u64));
reg_reg!(srlw, |a, b| sext32(((a as u32) >> (b & 31)) as u64));
reg_reg!(sraw, |a, b| ((a as i32) >> (b & 31)) as i64 as u64);

reg_imm!(addi, |a, imm| a.wrapping_add(imm));
reg_imm!(slti, |a, imm| ((a as i64) < (imm as i64)) as u64);
reg_imm!(sltiu, |a, imm| (a < imm) as u64);
reg_imm!(xori, |a, imm| a ^ imm);
reg_imm!(ori, |a, imm| a | imm);
reg_imm!(andi, |a, imm| a & imm);
reg_imm!(slli, |a, sh| a << sh);
reg_imm!(srli, |a, sh| a >> sh);
reg_imm!(srai, |a, sh| ((a as i64) >> sh) as u64);
reg_imm!(addiw, |a, imm| sext32(a.wrapping_add(imm)));
reg_imm!(slliw, |a, sh| sext32(((a as u32) << sh) as u64));
reg_imm!(srliw, |a, sh| sext32(((a as u32) >> sh) as u64));
reg_imm!(sraiw, |a, sh| ((a as i32) >> sh) as i64 as u64);

#[inline]
pub(crate) fn lui(h: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    h.xw(i.rd(), i.imm() as i64 as u64);
    Next::after(i, pc)
}

#[inline]
pub(crate) fn auipc(h: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    h.xw(i.rd(), pc.wrapping_add(i.imm() as i64 as u64));
    Next::after(i, pc)
}

#[inline]
pub(crate) fn jal(h: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    h.xw(i.rd(), i.next_pc(pc));
    Next::pc(pc.wrapping_add(i.imm() as i64 as u64))
}

#[inline]
pub(crate) fn jalr(h: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    let target = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64) & !1;
    h.xw(i.rd(), i.next_pc(pc));
    Next::pc(target)
}

/// Defines a conditional branch on `cond(rs1, rs2)`. With C present every
/// target is 2-byte aligned, so no misaligned-fetch exception can arise.
macro_rules! branch {
    ($name:ident, |$a:ident, $b:ident| $cond:expr) => {
        #[inline]
        pub(crate) fn $name(h: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
            let ($a, $b) = (h.xr(i.rs1()), h.xr(i.rs2()));
            if $cond {
                Next::pc(pc.wrapping_add(i.imm() as i64 as u64))
            } else {
                Next::after(i, pc)
            }
        }
    };
}

branch!(beq, |a, b| a == b);
branch!(bne, |a, b| a != b);
branch!(blt, |a, b| (a as i64) < (b as i64));
branch!(bge, |a, b| (a as i64) >= (b as i64));
branch!(bltu, |a, b| a < b);
branch!(bgeu, |a, b| a >= b);

/// Defines a load of `$n` bytes, extended by `$ext`.
macro_rules! load {
    ($name:ident, $n:literal, |$v:ident| $ext:expr) => {
        #[inline]
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
            let addr = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64);
            if let Some($v) = h.load_hit::<$n>(addr) {
                h.xw(i.rd(), $ext);
                return Next::after(i, pc);
            }
            // A TLB miss, a device or a fault: out of line, entered by a
            // tail call, so the fast path above needs no stack frame.
            #[inline(never)]
            fn miss(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
                let addr = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64);
                match h.load_slow::<$n>(env, addr) {
                    Ok($v) => {
                        h.xw(i.rd(), $ext);
                        Next::after(i, pc)
                    }
                    Err(fault) => h.raise(fault, pc),
                }
            }
            miss(h, env, i, pc, spent)
        }
    };
}

load!(lb, 1, |v| v as i8 as i64 as u64);
load!(lh, 2, |v| v as i16 as i64 as u64);
load!(lw, 4, |v| v as i32 as i64 as u64);
load!(ld, 8, |v| v);
load!(lbu, 1, |v| v);
load!(lhu, 2, |v| v);
load!(lwu, 4, |v| v);

/// Defines a store of the low `$n` bytes of rs2.
macro_rules! store {
    ($name:ident, $n:literal) => {
        #[inline]
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
            let addr = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64);
            if h.store_hit::<$n>(addr, h.xr(i.rs2())) {
                return Next::after(i, pc);
            }
            #[inline(never)]
            fn miss(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
                let addr = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64);
                match h.store_slow::<$n>(env, addr, h.xr(i.rs2())) {
                    Ok(()) => Next::after(i, pc),
                    Err(fault) => h.raise(fault, pc),
                }
            }
            miss(h, env, i, pc, spent)
        }
    };
}

store!(sb, 1);
store!(sh, 2);
store!(sw, 4);
store!(sd, 8);

/// FENCE: this implementation runs harts one at a time and devices between
/// their slices, so every access is already ordered.
fn fence(_: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    Next::after(i, pc)
}

fn ecall(h: &mut Hart, _: &mut Env<'_>, _: Insn, pc: u64, _: u64) -> Next {
    h.raise(Fault::new(Exception::env_call_from(h.prv), 0), pc)
}

fn ebreak(h: &mut Hart, _: &mut Env<'_>, _: Insn, pc: u64, _: u64) -> Next {
    // The spec lets mtval be zero or the ebreak's address; QEMU 7.2 writes
    // zero, and so does rivet.
    h.raise(Fault::new(Exception::Breakpoint, 0), pc)
}

const OPC: u32 = 0x7f;
const F3: u32 = 0x707f;
const F7: u32 = 0xfe00_707f;
const F6: u32 = 0xfc00_707f;
const ALL: u32 = 0xffff_ffff;

pub(crate) static OPCODES: &[Opcode] = &[
    op!("lui", OPC, 0x37, U, lui),
    op!("auipc", OPC, 0x17, U, auipc),
    op!("jal", OPC, 0x6f, J, jal),
    op!("jalr", F3, 0x67, Load, jalr),
    op!("beq", F3, 0x63, Branch, beq),
    op!("bne", F3, 0x1063, Branch, bne),
    op!("blt", F3, 0x4063, Branch, blt),
    op!("bge", F3, 0x5063, Branch, bge),
    op!("bltu", F3, 0x6063, Branch, bltu),
    op!("bgeu", F3, 0x7063, Branch, bgeu),
    op!("lb", F3, 0x03, Load, lb),
    op!("lh", F3, 0x1003, Load, lh),
    op!("lw", F3, 0x2003, Load, lw),
    op!("ld", F3, 0x3003, Load, ld),
    op!("lbu", F3, 0x4003, Load, lbu),
    op!("lhu", F3, 0x5003, Load, lhu),
    op!("lwu", F3, 0x6003, Load, lwu),
    op!("sb", F3, 0x23, Store, sb),
    op!("sh", F3, 0x1023, Store, sh),
    op!("sw", F3, 0x2023, Store, sw),
    op!("sd", F3, 0x3023, Store, sd),
    op!("addi", F3, 0x13, I, addi),
    op!("slti", F3, 0x2013, I, slti),
    op!("sltiu", F3, 0x3013, I, sltiu),
    op!("xori", F3, 0x4013, I, xori),
    op!("ori", F3, 0x6013, I, ori),
    op!("andi", F3, 0x7013, I, andi),
    op!("slli", F6, 0x1013, Shift, slli),
    op!("srli", F6, 0x5013, Shift, srli),
    op!("srai", F6, 0x4000_5013, Shift, srai),
    op!("add", F7, 0x33, R, add),
    op!("sub", F7, 0x4000_0033, R, sub),
    op!("sll", F7, 0x1033, R, sll),
    op!("slt", F7, 0x2033, R, slt),
    op!("sltu", F7, 0x3033, R, sltu),
    op!("xor", F7, 0x4033, R, xor),
    op!("srl", F7, 0x5033, R, srl),
    op!("sra", F7, 0x4000_5033, R, sra),
    op!("or", F7, 0x6033, R, or),
    op!("and", F7, 0x7033, R, and),
    op!("addiw", F3, 0x1b, I, addiw),
    op!("slliw", F7, 0x101b, ShiftW, slliw),
    op!("srliw", F7, 0x501b, ShiftW, srliw),
    op!("sraiw", F7, 0x4000_501b, ShiftW, sraiw),
    op!("addw", F7, 0x3b, R, addw),
    op!("subw", F7, 0x4000_003b, R, subw),
    op!("sllw", F7, 0x103b, R, sllw),
    op!("srlw", F7, 0x503b, R, srlw),
    op!("sraw", F7, 0x4000_503b, R, sraw),
    // FENCE ignores its fm, rs1 and rd fields, as the spec asks of
    // implementations for forward compatibility.
    op!("fence", F3, 0x0f, Fence, fence),
    op!("ecall", ALL, 0x73, Bare, ecall),
    op!("ebreak", ALL, 0x0010_0073, Bare, ebreak),
];
