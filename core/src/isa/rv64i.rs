//! RV64I: the base integer instruction set.
//!
//! Every instruction is one line of [`rv64i_table!`] at the end of this
//! file: its mnemonic, its operand format, its encoding (mask and match
//! bits), its semantics, its inline kind if the run loop executes it
//! inline, and how it disassembles if not by the generic rendering of its
//! format. The semantics are a *shape* (`reg_reg`, `reg_imm`, `upper`,
//! `branch`, `jump`, `load`, `store`: how operands come in and the
//! result goes out) applied to a closure that computes the result, or
//! `handler(f)` for the few instructions that fit no shape, with `f`
//! written out above the table.
//!
//! The table is expanded twice. Here (`define!`) it becomes the handlers
//! the decode cache calls, the opcode table [`OPCODES`] and the inline
//! kinds; in the run loop ([`super::inline`]) it becomes the arms of the
//! match that executes the commonest instructions of compiled code without
//! a call. Both expand the same shape with the same closure, so an
//! instruction's handler and its inline arm are the same code.
//!
//! Disassembly ([`super::disasm`]) renders each instruction generically by
//! its operand format unless its line says otherwise: `as "or"` gives the
//! name objdump prints (binutils 2.40 names most register-immediate
//! instructions after their register-register form), and `asm(rule)`
//! names the instruction's own rule, written above the table, which picks
//! objdump's pseudo-instructions (`addi` is `nop`, `li`, `mv` or `add`;
//! `jalr` is `ret` or `jr`; `beq` with `zero` is `beqz`).

use crate::bits::{low_i32, low_u16, low_u8};
use crate::hart::{Env, Hart};
use crate::isa::disasm::{asm, mem, x_reg as x, Operands};
use crate::isa::{Insn, Next, Opcode};
use crate::trap::{Exception, Fault};

/// Sign-extends the low 32 bits (the W-form result rule).
#[inline(always)]
pub(crate) const fn sext32(v: u64) -> u64 {
    low_i32(v) as i64 as u64
}

/// Sign-extends the low 8 bits (LB).
#[inline(always)]
pub(crate) fn sext8(v: u64) -> u64 {
    i64::from(low_u8(v).cast_signed()).cast_unsigned()
}

/// Sign-extends the low 16 bits (LH).
#[inline(always)]
pub(crate) fn sext16(v: u64) -> u64 {
    i64::from(low_u16(v).cast_signed()).cast_unsigned()
}

// ----- the shapes -----
//
// Each shape macro has two arms. `@inline` expands to the instruction's
// semantics as an expression, given the hart `$h`, the record `$i`, an
// expression `$pc` for its address (evaluated only by the instructions
// that need it: the hot loop computes it from the run's offsets), what to
// do when control falls through (`$fall`: `continue` in the hot loop) and
// how to call the handler (`$call`: the slow half of loads and stores, a
// TLB miss, a device or a fault). A jump or a branch taken yields its
// target as a `Next`. `@handler` defines the instruction's handler from
// that same expression.

/// `rd = f(rs1, rs2)`.
macro_rules! reg_reg {
    (@inline $h:ident, $i:ident, $pc:expr, $fall:expr, $call:expr,
        (|$a:ident, $b:ident| $body:expr)) => {{
        let ($a, $b) = ($h.xr($i.rs1()), $h.xr($i.rs2()));
        $h.xw($i.rd(), $body);
        $fall
    }};
    (@handler $name:ident $args:tt) => {
        $crate::isa::rv64i::pure_handler!($name, reg_reg, $args);
    };
    // A handler alone (other extensions' register-register instructions).
    ($name:ident, |$a:ident, $b:ident| $body:expr) => {
        $crate::isa::rv64i::reg_reg!(@handler $name (|$a, $b| $body));
    };
}
pub(crate) use reg_reg;

/// `rd = f(rs1, imm)`, the immediate sign-extended to 64 bits (for shifts,
/// the shift amount).
macro_rules! reg_imm {
    (@inline $h:ident, $i:ident, $pc:expr, $fall:expr, $call:expr,
        (|$a:ident, $imm:ident| $body:expr)) => {{
        let ($a, $imm) = ($h.xr($i.rs1()), $i.imm() as i64 as u64);
        $h.xw($i.rd(), $body);
        $fall
    }};
    (@handler $name:ident $args:tt) => {
        $crate::isa::rv64i::pure_handler!($name, reg_imm, $args);
    };
}
pub(crate) use reg_imm;

/// `rd = f(pc, imm)`, the immediate being bits 31:12 in place (`lui`,
/// `auipc`).
macro_rules! upper {
    (@inline $h:ident, $i:ident, $pc:expr, $fall:expr, $call:expr,
        (|$p:ident, $imm:ident| $body:expr)) => {{
        // `lui` never uses the `pc`: the compiler drops its computation.
        let ($p, $imm) = ($pc, $i.imm() as i64 as u64);
        $h.xw($i.rd(), $body);
        $fall
    }};
    (@handler $name:ident $args:tt) => {
        $crate::isa::rv64i::pure_handler!($name, upper, $args);
    };
}
pub(crate) use upper;

/// A conditional branch on `cond(rs1, rs2)` to `pc + imm`. With C present
/// every target is 2-byte aligned, so no misaligned-fetch exception can
/// arise. Not taken, it falls through like any other instruction (inside
/// a run, the run goes on).
macro_rules! branch {
    (@inline $h:ident, $i:ident, $pc:expr, $fall:expr, $call:expr,
        (|$a:ident, $b:ident| $cond:expr)) => {{
        let ($a, $b) = ($h.xr($i.rs1()), $h.xr($i.rs2()));
        if $cond {
            $crate::isa::Next::pc($pc.wrapping_add($i.imm() as i64 as u64))
        } else {
            $fall
        }
    }};
    (@handler $name:ident $args:tt) => {
        $crate::isa::rv64i::pure_handler!($name, branch, $args);
    };
}
pub(crate) use branch;

/// A jump that links: `rd = pc + len`, then to `pc + imm` (`pc_relative`,
/// `jal`) or to `(rs1 + imm) & !1` (`register`, `jalr`; `rs1` is read
/// before `rd` is written, as `rd` may be `rs1`).
macro_rules! jump {
    (@inline $h:ident, $i:ident, $pc:expr, $fall:expr, $call:expr, (pc_relative)) => {{
        $h.xw($i.rd(), $i.next_pc($pc));
        $crate::isa::Next::pc($pc.wrapping_add($i.imm() as i64 as u64))
    }};
    (@inline $h:ident, $i:ident, $pc:expr, $fall:expr, $call:expr, (register)) => {{
        let target = $h.xr($i.rs1()).wrapping_add($i.imm() as i64 as u64) & !1;
        $h.xw($i.rd(), $i.next_pc($pc));
        $crate::isa::Next::pc(target)
    }};
    (@handler $name:ident $args:tt) => {
        $crate::isa::rv64i::pure_handler!($name, jump, $args);
    };
}
pub(crate) use jump;

/// A load of `$n` bytes at `rs1 + imm`, the value `v` extended by `f(v)`.
/// Inline only on a TLB hit; a miss, a device or a fault is the handler's
/// slow half.
macro_rules! load {
    (@inline $h:ident, $i:ident, $pc:expr, $fall:expr, $call:expr,
        ($n:literal, |$v:ident| $ext:expr)) => {{
        match $h.load_hit::<$n>($h.xr($i.rs1()).wrapping_add($i.imm() as i64 as u64)) {
            Some($v) => {
                $h.xw($i.rd(), $ext);
                $fall
            }
            None => $call,
        }
    }};
    (@handler $name:ident ($n:literal, |$v:ident| $ext:expr)) => {
        #[inline]
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
            // A TLB miss, a device or a fault: out of line, entered by a
            // tail call, so the fast path needs no stack frame.
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
            load!(@inline h, i, pc, Next::after(i, pc), miss(h, env, i, pc, spent),
                ($n, |$v| $ext))
        }
    };
}
pub(crate) use load;

/// A store of the low `$n` bytes of `rs2` at `rs1 + imm`. Inline only on
/// a TLB hit, as for loads.
macro_rules! store {
    (@inline $h:ident, $i:ident, $pc:expr, $fall:expr, $call:expr, ($n:literal)) => {{
        let addr = $h.xr($i.rs1()).wrapping_add($i.imm() as i64 as u64);
        if $h.store_hit::<$n>(addr, $h.xr($i.rs2())) {
            $fall
        } else {
            $call
        }
    }};
    (@handler $name:ident ($n:literal)) => {
        #[inline]
        pub(crate) fn $name(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, spent: u64) -> Next {
            #[inline(never)]
            fn miss(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
                let addr = h.xr(i.rs1()).wrapping_add(i.imm() as i64 as u64);
                match h.store_slow::<$n>(env, addr, h.xr(i.rs2())) {
                    Ok(()) => Next::after(i, pc),
                    Err(fault) => h.raise(fault, pc),
                }
            }
            store!(@inline h, i, pc, Next::after(i, pc), miss(h, env, i, pc, spent), ($n))
        }
    };
}
pub(crate) use store;

/// The handler of a shape with no slow half: it falls through or jumps.
macro_rules! pure_handler {
    ($name:ident, $shape:ident, $args:tt) => {
        #[inline]
        pub(crate) fn $name(
            h: &mut $crate::hart::Hart,
            _: &mut $crate::hart::Env<'_>,
            i: $crate::isa::Insn,
            pc: u64,
            _: u64,
        ) -> $crate::isa::Next {
            // Pure shapes have no slow half: they never expand `$call`.
            $shape!(
                @inline h,
                i,
                pc,
                $crate::isa::Next::after(i, pc),
                $crate::isa::Next::after(i, pc),
                $args
            )
        }
    };
}
pub(crate) use pure_handler;

/// A handler written out by hand: nothing to define.
macro_rules! handler {
    (@handler $name:ident ($f:ident)) => {};
}

/// The table's first expansion: the handlers, the inline kinds and
/// [`OPCODES`] (with each row's disassembly, [`crate::isa::Asm`]).
macro_rules! define {
    (()
    $(
        $name:ident: $format:ident, $mask:expr, $bits:expr, $shape:ident $args:tt
            $(, inline $kind:ident)? $(, as $objdump:literal)? $(, asm($rule:expr))?;
    )*) => {
        $( $shape!(@handler $name $args); )*

        /// The inline kinds, numbered from 1 (0: none).
        #[allow(clippy::upper_case_acronyms, dead_code)]
        #[repr(u8)]
        enum Kind {
            None,
            $($( $kind, )?)*
        }

        $($(
            #[doc = concat!("Inline kind of `", stringify!($name), "`.")]
            pub(crate) const $kind: u8 = Kind::$kind as u8;
        )?)*

        /// How many instructions have an inline kind (numbered 1 to this).
        pub(crate) const INLINE_KINDS: usize = [$($(stringify!($kind),)?)*].len();

        /// The opcode table of RV64I.
        pub(crate) static OPCODES: &[Opcode] = &[$(
            Opcode {
                name: stringify!($name),
                mask: $mask,
                bits: $bits,
                format: $crate::isa::Format::$format,
                exec: handler_of!($name $shape $args),
                inline: Kind::None as u8 $(+ $kind)?,
                asm: $crate::isa::asm_of!($(as $objdump)? $(asm($rule))?),
            },
        )*];
    };
}

/// The handler of a table line: the generated one, or the hand-written
/// one a `handler(f)` line names.
macro_rules! handler_of {
    ($name:ident handler ($f:ident)) => {
        $f
    };
    ($name:ident $shape:ident $args:tt) => {
        $name
    };
}

/// The run loop's inline match over RV64I's inline kinds (the table's
/// second expansion; see [`super::inline`]): `(i, h, pc, fall, call,
/// {extra arms})` then the table. Instructions without an inline kind, and
/// kinds of no instruction, go to `call`; disassembly items are ignored.
macro_rules! inline_match {
    (($i:ident, $h:ident, $pc:expr, $fall:expr, $call:expr, { $($extra:tt)* })
    $(
        $name:ident: $format:ident, $mask:expr, $bits:expr, $shape:ident $args:tt
            $(, inline $kind:ident)? $(, as $objdump:literal)? $(, asm($rule:expr))?;
    )*) => {
        // Masked to six bits (every kind is below 64: see
        // `inline::ENDS_RUN`), so that the jump table covers every value
        // and needs no range check before it.
        match $i.fast() & 63 {
            $($(
                $crate::isa::rv64i::$kind => {
                    $crate::isa::rv64i::$shape!(@inline $h, $i, $pc, $fall, $call, $args)
                }
            )?)*
            $($extra)*
            // Every other six-bit value, spelt out so that the compiler
            // sees all 64 covered and the last arm never taken: the
            // dispatch is then a bare jump table. (Not `0..=63`: a range
            // pattern compiles to comparisons ahead of the table.)
            #[allow(unreachable_patterns, clippy::manual_range_patterns)]
            0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15
            | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30 | 31
            | 32 | 33 | 34 | 35 | 36 | 37 | 38 | 39 | 40 | 41 | 42 | 43 | 44 | 45 | 46 | 47
            | 48 | 49 | 50 | 51 | 52 | 53 | 54 | 55 | 56 | 57 | 58 | 59 | 60 | 61 | 62 | 63 => $call,
            _ => $call,
        }
    };
}
pub(crate) use inline_match;

/// FENCE: this implementation runs harts one at a time and devices between
/// their slices, so every access is already ordered.
fn fence(_: &mut Hart, _: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    Next::after(i, pc)
}

fn ecall(h: &mut Hart, _: &mut Env<'_>, _: Insn, pc: u64, _: u64) -> Next {
    h.raise(Fault::new(Exception::env_call_from(h.prv), 0), pc)
}

fn ebreak(h: &mut Hart, env: &mut Env<'_>, i: Insn, pc: u64, _: u64) -> Next {
    if let Some(next) = crate::semihosting::call(h, env, pc, i.len()) {
        return next;
    }
    // The spec lets mtval be zero or the ebreak's address; QEMU 7.2 writes
    // zero, and so does rivet.
    h.raise(Fault::new(Exception::Breakpoint, 0), pc)
}

// ----- disassembly: objdump's pseudo-instructions and aliases -----
//
// The rules of the lines that say `asm(rule)`; see [`crate::isa::Asm`].

/// `jal`: `j` without a link, one-operand `jal` linking `ra`.
fn jal_asm(o: &Operands) -> Option<String> {
    Some(match o.rd() {
        0 => asm("j", &[&o.target()]),
        1 => asm("jal", &[&o.target()]),
        d => asm("jal", &[&x(d), &o.target()]),
    })
}

/// `jalr`: `ret`, `jr`, and `jalr` without `ra` or a zero offset.
fn jalr_asm(o: &Operands) -> Option<String> {
    let (s1, imm) = (o.rs1(), o.imm());
    Some(match (o.rd(), s1, imm) {
        (0, 1, 0) => "ret".to_string(),
        (0, _, 0) => asm("jr", &[&x(s1)]),
        (0, _, _) => asm("jr", &[&mem(imm, s1)]),
        (1, _, 0) => asm("jalr", &[&x(s1)]),
        (1, _, _) => asm("jalr", &[&mem(imm, s1)]),
        (d, _, 0) => asm("jalr", &[&x(d), &x(s1)]),
        (d, _, _) => asm("jalr", &[&x(d), &mem(imm, s1)]),
    })
}

/// A branch comparing `rs1` with `zero` as `if_rs2_zero` (`beqz rs1`), or
/// `zero` with `rs2` as `if_rs1_zero` (`bgtz rs2`), when it has that alias;
/// `rs2 = zero` is tried first. objdump has no aliases for the unsigned
/// branches, nor the operand-swapping `bgt`, `ble`, `bgtu` and `bleu`.
fn branch_with_zero(
    o: &Operands,
    if_rs2_zero: Option<&str>,
    if_rs1_zero: Option<&str>,
) -> Option<String> {
    let (s1, s2) = (o.rs1(), o.rs2());
    Some(match (if_rs2_zero, if_rs1_zero) {
        (Some(alias), _) if s2 == 0 => asm(alias, &[&x(s1), &o.target()]),
        (_, Some(alias)) if s1 == 0 => asm(alias, &[&x(s2), &o.target()]),
        _ => o.plain(),
    })
}

/// `beq`: `beqz`.
fn beq_asm(o: &Operands) -> Option<String> {
    branch_with_zero(o, Some("beqz"), None)
}

/// `bne`: `bnez`.
fn bne_asm(o: &Operands) -> Option<String> {
    branch_with_zero(o, Some("bnez"), None)
}

/// `blt`: `bltz`, `bgtz`.
fn blt_asm(o: &Operands) -> Option<String> {
    branch_with_zero(o, Some("bltz"), Some("bgtz"))
}

/// `bge`: `blez` (tried first), `bgez`.
fn bge_asm(o: &Operands) -> Option<String> {
    let (s1, s2) = (o.rs1(), o.rs2());
    Some(match (s1, s2) {
        (0, _) => asm("blez", &[&x(s2), &o.target()]),
        (_, 0) => asm("bgez", &[&x(s1), &o.target()]),
        _ => o.plain(),
    })
}

/// `addi`: `nop`, `li`, `mv`, else named `add`.
fn addi_asm(o: &Operands) -> Option<String> {
    let (d, s1, imm) = (o.rd(), o.rs1(), o.imm());
    Some(match (d, s1, imm) {
        (0, 0, 0) => "nop".to_string(),
        (_, 0, _) => asm("li", &[&x(d), &imm]),
        (_, _, 0) => asm("mv", &[&x(d), &x(s1)]),
        _ => o.plain_as("add"),
    })
}

/// A register-immediate instruction that is the one-source alias `alias`
/// with immediate `value`, and else named `name`.
fn unary_if_imm(o: &Operands, value: i32, alias: &str, name: &str) -> Option<String> {
    Some(if o.imm() == value {
        asm(alias, &[&x(o.rd()), &x(o.rs1())])
    } else {
        o.plain_as(name)
    })
}

/// `sltiu`: `seqz` (compared with 1).
fn sltiu_asm(o: &Operands) -> Option<String> {
    unary_if_imm(o, 1, "seqz", "sltiu")
}

/// `xori`: `not` (with -1), else named `xor`.
fn xori_asm(o: &Operands) -> Option<String> {
    unary_if_imm(o, -1, "not", "xor")
}

/// `ori`: a Zicbop prefetch hint (`rd` = `x0`, see
/// [`super::cmo::prefetch_asm`]), else named `or`.
fn ori_asm(o: &Operands) -> Option<String> {
    super::cmo::prefetch_asm(o).or_else(|| Some(o.plain_as("or")))
}

/// `andi`: `zext.b` (with 255), else named `and`.
fn andi_asm(o: &Operands) -> Option<String> {
    unary_if_imm(o, 255, "zext.b", "and")
}

/// `addiw`: `sext.w` (adding 0), else named `addw`.
fn addiw_asm(o: &Operands) -> Option<String> {
    unary_if_imm(o, 0, "sext.w", "addw")
}

/// A register-register instruction that is the one-source alias `alias`
/// of `rs2` when `rs1` is `zero`.
fn unary_if_rs1_zero(o: &Operands, alias: &str) -> Option<String> {
    Some(if o.rs1() == 0 {
        asm(alias, &[&x(o.rd()), &x(o.rs2())])
    } else {
        o.plain()
    })
}

/// `sub`: `neg`.
fn sub_asm(o: &Operands) -> Option<String> {
    unary_if_rs1_zero(o, "neg")
}

/// `subw`: `negw`.
fn subw_asm(o: &Operands) -> Option<String> {
    unary_if_rs1_zero(o, "negw")
}

/// `sltu`: `snez`.
fn sltu_asm(o: &Operands) -> Option<String> {
    unary_if_rs1_zero(o, "snez")
}

/// `slt`: `sltz` (tried first), `sgtz`.
fn slt_asm(o: &Operands) -> Option<String> {
    Some(match (o.rs1(), o.rs2()) {
        (s1, 0) => asm("sltz", &[&x(o.rd()), &x(s1)]),
        (0, s2) => asm("sgtz", &[&x(o.rd()), &x(s2)]),
        _ => o.plain(),
    })
}

/// `fence`: bare for `iorw,iorw`, `fence.tso`, and `pause` (Zihintpause:
/// the FENCE hint with `pred` = W and `succ` = 0, which executes as the
/// fence it is); `None` for the
/// encodings objdump does not decode: a nonzero rd or rs1, or an `fm`
/// other than normal (and TSO with `rw,rw`).
fn fence_asm(o: &Operands) -> Option<String> {
    if o.rd() != 0 || o.rs1() != 0 {
        return None;
    }
    let (fm, pred, succ) = (o.imm() >> 8, (o.imm() >> 4) & 15, o.imm() & 15);
    match (fm, pred, succ) {
        (0, 15, 15) => Some("fence".to_string()),
        (0, 1, 0) => Some("pause".to_string()),
        (0, _, _) => Some(o.plain()),
        (8, 3, 3) => Some("fence.tso".to_string()),
        _ => None,
    }
}

const OPC: u32 = 0x7f;
const F3: u32 = 0x707f;
const F7: u32 = 0xfe00_707f;
const F6: u32 = 0xfc00_707f;
const ALL: u32 = 0xffff_ffff;

/// RV64I, one line per instruction:
/// `mnemonic: Format, mask, match, shape(semantics)[, inline KIND][, as
/// "objdump name" | , asm(rule)];`.
/// Expands to `$then!((args) table...)`: [`define!`] below, and
/// [`inline_match!`] in the run loop.
macro_rules! rv64i_table {
    ($then:ident, $args:tt) => {
        $then! { $args
            lui: U, OPC, 0x37, upper(|_pc, imm| imm), inline LUI;
            auipc: U, OPC, 0x17, upper(|pc, imm| pc.wrapping_add(imm)), inline AUIPC;
            jal: J, OPC, 0x6f, jump(pc_relative), inline JAL, asm(jal_asm);
            jalr: Load, F3, 0x67, jump(register), inline JALR, asm(jalr_asm);
            beq: Branch, F3, 0x63, branch(|a, b| a == b), inline BEQ, asm(beq_asm);
            bne: Branch, F3, 0x1063, branch(|a, b| a != b), inline BNE, asm(bne_asm);
            blt: Branch, F3, 0x4063, branch(|a, b| (a as i64) < (b as i64)), inline BLT, asm(blt_asm);
            bge: Branch, F3, 0x5063, branch(|a, b| (a as i64) >= (b as i64)), inline BGE, asm(bge_asm);
            bltu: Branch, F3, 0x6063, branch(|a, b| a < b), inline BLTU;
            bgeu: Branch, F3, 0x7063, branch(|a, b| a >= b), inline BGEU;
            lb: Load, F3, 0x03, load(1, |v| sext8(v)), inline LB;
            lh: Load, F3, 0x1003, load(2, |v| sext16(v)), inline LH;
            lw: Load, F3, 0x2003, load(4, |v| sext32(v)), inline LW;
            ld: Load, F3, 0x3003, load(8, |v| v), inline LD;
            lbu: Load, F3, 0x4003, load(1, |v| v), inline LBU;
            lhu: Load, F3, 0x5003, load(2, |v| v), inline LHU;
            lwu: Load, F3, 0x6003, load(4, |v| v), inline LWU;
            sb: Store, F3, 0x23, store(1), inline SB;
            sh: Store, F3, 0x1023, store(2), inline SH;
            sw: Store, F3, 0x2023, store(4), inline SW;
            sd: Store, F3, 0x3023, store(8), inline SD;
            addi: I, F3, 0x13, reg_imm(|a, imm| a.wrapping_add(imm)), inline ADDI, asm(addi_asm);
            slti: I, F3, 0x2013, reg_imm(|a, imm| u64::from((a as i64) < (imm as i64))), inline SLTI;
            sltiu: I, F3, 0x3013, reg_imm(|a, imm| u64::from(a < imm)), inline SLTIU, asm(sltiu_asm);
            xori: I, F3, 0x4013, reg_imm(|a, imm| a ^ imm), inline XORI, asm(xori_asm);
            ori: I, F3, 0x6013, reg_imm(|a, imm| a | imm), inline ORI, asm(ori_asm);
            andi: I, F3, 0x7013, reg_imm(|a, imm| a & imm), inline ANDI, asm(andi_asm);
            slli: Shift, F6, 0x1013, reg_imm(|a, sh| a << (sh & 63)), inline SLLI, as "sll";
            srli: Shift, F6, 0x5013, reg_imm(|a, sh| a >> (sh & 63)), inline SRLI, as "srl";
            srai: Shift, F6, 0x4000_5013, reg_imm(|a, sh| ((a as i64) >> (sh & 63)) as u64), inline SRAI, as "sra";
            add: R, F7, 0x33, reg_reg(|a, b| a.wrapping_add(b)), inline ADD;
            sub: R, F7, 0x4000_0033, reg_reg(|a, b| a.wrapping_sub(b)), inline SUB, asm(sub_asm);
            sll: R, F7, 0x1033, reg_reg(|a, b| a << (b & 63)), inline SLL;
            slt: R, F7, 0x2033, reg_reg(|a, b| u64::from((a as i64) < (b as i64))), inline SLT, asm(slt_asm);
            sltu: R, F7, 0x3033, reg_reg(|a, b| u64::from(a < b)), inline SLTU, asm(sltu_asm);
            xor: R, F7, 0x4033, reg_reg(|a, b| a ^ b), inline XOR;
            srl: R, F7, 0x5033, reg_reg(|a, b| a >> (b & 63)), inline SRL;
            sra: R, F7, 0x4000_5033, reg_reg(|a, b| ((a as i64) >> (b & 63)) as u64), inline SRA;
            or: R, F7, 0x6033, reg_reg(|a, b| a | b), inline OR;
            and: R, F7, 0x7033, reg_reg(|a, b| a & b), inline AND;
            addiw: I, F3, 0x1b, reg_imm(|a, imm| sext32(a.wrapping_add(imm))), inline ADDIW, asm(addiw_asm);
            slliw: ShiftW, F7, 0x101b, reg_imm(|a, sh| sext32(u64::from(crate::bits::low_u32(a) << (sh & 31)))), inline SLLIW, as "sllw";
            srliw: ShiftW, F7, 0x501b, reg_imm(|a, sh| sext32(u64::from(crate::bits::low_u32(a) >> (sh & 31)))), inline SRLIW, as "srlw";
            sraiw: ShiftW, F7, 0x4000_501b, reg_imm(|a, sh| (crate::bits::low_i32(a) >> (sh & 31)) as i64 as u64), inline SRAIW, as "sraw";
            addw: R, F7, 0x3b, reg_reg(|a, b| sext32(a.wrapping_add(b))), inline ADDW;
            subw: R, F7, 0x4000_003b, reg_reg(|a, b| sext32(a.wrapping_sub(b))), inline SUBW, asm(subw_asm);
            sllw: R, F7, 0x103b, reg_reg(|a, b| sext32(u64::from(crate::bits::low_u32(a) << (b & 31)))), inline SLLW;
            srlw: R, F7, 0x503b, reg_reg(|a, b| sext32(u64::from(crate::bits::low_u32(a) >> (b & 31)))), inline SRLW;
            sraw: R, F7, 0x4000_503b, reg_reg(|a, b| (crate::bits::low_i32(a) >> (b & 31)) as i64 as u64), inline SRAW;
            // FENCE ignores its fm, rs1 and rd fields, as the spec asks of
            // implementations for forward compatibility.
            fence: Fence, F3, 0x0f, handler(fence), asm(fence_asm);
            ecall: Bare, ALL, 0x73, handler(ecall);
            ebreak: Bare, ALL, 0x0010_0073, handler(ebreak);
        }
    };
}
pub(crate) use rv64i_table;

rv64i_table!(define, ());
