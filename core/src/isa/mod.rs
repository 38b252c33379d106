//! The instruction set: decoding, the decoded record the hart executes,
//! and disassembly.
//!
//! Each extension has its own module, named as the ISA manual names it,
//! holding one opcode table: a row per instruction with its mnemonic, its
//! encoding (mask and match bits), its operand format, its handler and how
//! it disassembles (`Asm`), and the handlers and disassembly rules right
//! beside it. Decoding finds the row whose mask and match fit the
//! instruction word; *lowering* turns row and word into an `Insn` record
//! (handler, registers, immediate, length) that the hart runs from the
//! decode cache. Compressed instructions are expanded to their 32-bit
//! equivalents first (`c::expand`), so they share rows and handlers with
//! the instructions they stand for; what objdump shows differently for a
//! compressed encoding is in `c` too.
//!
//! Disassembly ([`disassemble`]) renders an instruction from its row: the
//! generic rendering of the row's operand format, under the row's mnemonic
//! or the name objdump gives it, or the instruction's own rule, a function
//! in its extension's module that picks objdump's pseudo-instructions
//! (`li`, `ret`, `csrr`, `fmv.d`, ...). `disasm` holds the generic part
//! and the small toolkit the rules share; no code picks an instruction by
//! its mnemonic string.

pub(crate) mod a;
pub(crate) mod c;
pub(crate) mod cmo;
pub(crate) mod d;
pub(crate) mod disasm;
pub mod extensions;
pub(crate) mod f;
pub(crate) mod inline;
pub(crate) mod m;
pub(crate) mod privileged;
pub(crate) mod rv64i;
pub(crate) mod svinval;
pub(crate) mod zba;
pub(crate) mod zbb;
pub(crate) mod zbc;
pub(crate) mod zbs;
pub(crate) mod zfh;
pub(crate) mod zicond;
pub(crate) mod zicsr;
pub(crate) mod zifencei;

pub use extensions::Extensions;

use std::sync::OnceLock;

use crate::bits::low_u16;
use crate::decode_cache::{CodePage, Run, MAX_RUN};
use crate::hart::{Env, Hart, SINK};
use crate::memory::Memory;
use crate::trap::{Cause, Exception, Fault};

/// An instruction handler: executes the record `insn` at `pc` and says
/// where execution goes on ([`Next`]). `spent` is the number of
/// instructions the current run has executed before this one (the
/// counters need it).
pub(crate) type ExecFn = fn(&mut Hart, &mut Env<'_>, Insn, u64, u64) -> Next;

/// What executing an instruction leads to (sail's `Retire_Success` /
/// `Trap`, in one word): go on at a `pc`, or leave the run loop's inner
/// loop because the hart's state changed ([`Next::EXIT`], the instruction
/// retired) or a trap was taken ([`Next::TRAPPED`], it did not). In both
/// of those, `Hart::pc` already holds where to go on.
///
/// One `u64` in a register, so returning it costs what returning the
/// `pc` costs: instructions are 2-byte aligned, so a `pc` is even and the
/// two exits are odd values no `pc` can take.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub(crate) struct Next(u64);

impl Next {
    /// The instruction retired and changed state the run loop depends on
    /// (privilege, translation, interrupt enables, the counters, `wfi`);
    /// `Hart::pc` holds the next `pc`.
    pub(crate) const EXIT: Next = Next(1);
    /// The instruction trapped (it did not retire); `Hart::pc` holds the
    /// trap handler's address.
    pub(crate) const TRAPPED: Next = Next(3);

    /// Go on at `pc` (even: bit 0 of a `pc` is always clear).
    #[inline(always)]
    pub(crate) const fn pc(pc: u64) -> Next {
        Next(pc)
    }

    /// Go on with the instruction after `insn` (at `pc`) in sequence.
    #[inline(always)]
    pub(crate) fn after(insn: Insn, pc: u64) -> Next {
        Next(insn.next_pc(pc))
    }

    /// The `pc` to go on at, unless the hart's state changed
    /// ([`Next::EXIT`], [`Next::TRAPPED`]).
    #[inline(always)]
    pub(crate) const fn target(self) -> Option<u64> {
        if self.0 & 1 == 0 {
            Some(self.0)
        } else {
            None
        }
    }

    /// The word itself: the `pc` when [`Next::target`] is `Some`. For the
    /// hot loop, once [`Next::leaves_page_of`] said it is a `pc`.
    #[inline(always)]
    pub(crate) const fn bits(self) -> u64 {
        self.0
    }

    /// Whether execution leaves the 4 KiB page of `pc`: a `pc` in another
    /// page, or an exit (odd, so never a `pc` in any page).
    #[inline(always)]
    pub(crate) const fn leaves_page_of(self, pc: u64) -> bool {
        (self.0 ^ pc) & !0xffe != 0
    }
}

/// A decoded instruction's operands, packed into one word so that a
/// handler receives them in a register: the run loop's inline fast-path
/// kind in bits 7:0 (0: call the handler), `rd` in 15:8 (`SINK` for `x0`),
/// `rs1` in 23:16, `rs2` in 28:24, the length in bytes (2 or 4) in 31:29,
/// and the immediate — or other operands by format: CSR number, rounding
/// mode, `rs3` — in 63:32.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub(crate) struct Insn(u64);

impl Insn {
    /// Packs the operands (fast-path kind 0).
    pub(crate) const fn new(rd: u8, rs1: u8, rs2: u8, len: u8, imm: i32) -> Self {
        Insn(
            (rd as u64) << 8
                | (rs1 as u64) << 16
                | (rs2 as u64 & 31) << 24
                | (len as u64 & 7) << 29
                | (imm as u32 as u64) << 32,
        )
    }

    /// With inline kind `fast` (see [`inline`]).
    pub(crate) const fn with_fast(self, fast: u8) -> Self {
        Insn((self.0 & !0xff) | fast as u64)
    }

    /// The byte of the packed record that starts at bit `shift`.
    #[inline(always)]
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the fields are bytes of the packed record: taking one is the point"
    )]
    const fn byte(self, shift: u32) -> u8 {
        (self.0 >> shift) as u8
    }

    /// The run loop's inline fast-path kind (0: none, call the handler).
    #[inline(always)]
    pub(crate) const fn fast(self) -> u8 {
        self.byte(0)
    }

    /// The destination register.
    #[inline(always)]
    pub(crate) const fn rd(self) -> u8 {
        self.byte(8)
    }

    /// The first source register.
    #[inline(always)]
    pub(crate) const fn rs1(self) -> u8 {
        self.byte(16)
    }

    /// The second source register.
    #[inline(always)]
    pub(crate) const fn rs2(self) -> u8 {
        self.byte(24) & 31
    }

    /// The length in bytes.
    #[inline(always)]
    pub(crate) const fn len(self) -> u8 {
        self.byte(29) & 7
    }

    /// The immediate (or format-specific operands).
    #[inline(always)]
    pub(crate) const fn imm(self) -> i32 {
        (self.0 >> 32) as i32
    }

    /// The `pc` of the next instruction in sequence.
    #[inline(always)]
    pub(crate) fn next_pc(self, pc: u64) -> u64 {
        pc.wrapping_add(u64::from(self.len()))
    }
}

/// A decoded instruction: its handler and its operands.
#[derive(Clone, Copy)]
pub(crate) struct Record {
    pub(crate) exec: ExecFn,
    pub(crate) insn: Insn,
}

/// What fills the unused entries of a page's record table (never run).
pub(crate) fn unused_record() -> Record {
    illegal_record(0, 2)
}

impl Record {
    /// Runs the instruction.
    #[inline(always)]
    pub(crate) fn run(self, h: &mut Hart, env: &mut Env<'_>, pc: u64, spent: u64) -> Next {
        (self.exec)(h, env, self.insn, pc, spent)
    }
}

/// How an instruction's operands are laid out in its encoding (and shown in
/// disassembly).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// rd, rs1, rs2.
    R,
    /// rd, rs1, imm[11:0].
    I,
    /// rd, imm(rs1).
    Load,
    /// rs2, imm(rs1).
    Store,
    /// rs1, rs2, pc-relative offset.
    Branch,
    /// rd, imm[31:12].
    U,
    /// rd, pc-relative offset.
    J,
    /// rd, rs1, shamt[5:0].
    Shift,
    /// rd, rs1, shamt[4:0].
    ShiftW,
    /// rd, rs1 (the rest of the word is funct12, funct3 and opcode).
    Unary,
    /// rd, csr, rs1.
    Csr,
    /// rd, csr, uimm[4:0] (in the rs1 field).
    CsrImm,
    /// rd, rs2, (rs1).
    Amo,
    /// rd, (rs1).
    Lr,
    /// pred, succ (in imm).
    Fence,
    /// No operands.
    Bare,
    /// rs1, rs2.
    SfenceVma,
    /// frd, imm(rs1).
    FLoad,
    /// frs2, imm(rs1).
    FStore,
    /// frd, frs1, frs2 (rm in imm).
    FR,
    /// frd, frs1, frs2, frs3 (`rs3 << 8 | rm` in imm).
    FR4,
    /// frd, frs1 (rm in imm).
    FR1,
    /// rd, frs1, frs2.
    FCmp,
    /// rd, frs1 (rm in imm).
    FToX,
    /// frd, rs1 (rm in imm).
    XToF,
}

impl Format {
    /// The immediate of instruction `word` in this format, as its record
    /// holds it ([`Insn::imm`]): the sign-extended immediate, the shift
    /// amount, the CSR number, a fence's `fm`/`pred`/`succ`, or the
    /// rounding mode (with `rs3 << 8` for [`Format::FR4`]).
    const fn immediate(self, word: u32) -> i32 {
        let rm = ((word >> 12) & 7) as i32;
        match self {
            Format::I | Format::Load | Format::FLoad => imm_i(word),
            Format::Store | Format::FStore => imm_s(word),
            Format::Branch => imm_b(word),
            Format::U => imm_u(word),
            Format::J => imm_j(word),
            Format::Shift => ((word >> 20) & 63) as i32,
            Format::ShiftW => ((word >> 20) & 31) as i32,
            Format::Csr | Format::CsrImm => ((word >> 20) & 0xfff) as i32,
            Format::Fence => ((word >> 20) & 0xfff) as i32,
            Format::FR | Format::FR1 | Format::FToX | Format::XToF | Format::FCmp => rm,
            Format::FR4 => (((word >> 27) as i32) << 8) | rm,
            Format::R
            | Format::Unary
            | Format::Amo
            | Format::Lr
            | Format::Bare
            | Format::SfenceVma => 0,
        }
    }

    /// Whether the format writes an integer `rd` (so `rd = x0` goes to the sink).
    const fn writes_x_rd(self) -> bool {
        matches!(
            self,
            Format::R
                | Format::I
                | Format::Load
                | Format::U
                | Format::J
                | Format::Shift
                | Format::ShiftW
                | Format::Unary
                | Format::Csr
                | Format::CsrImm
                | Format::Amo
                | Format::Lr
                | Format::FCmp
                | Format::FToX
        )
    }
}

/// One row of an extension's opcode table.
pub(crate) struct Opcode {
    pub(crate) name: &'static str,
    pub(crate) mask: u32,
    pub(crate) bits: u32,
    pub(crate) format: Format,
    pub(crate) exec: ExecFn,
    /// The run loop's inline kind (0: none; see [`inline`]).
    pub(crate) inline: u8,
    /// How the instruction disassembles.
    pub(crate) asm: Asm,
}

/// How a table row's instruction disassembles (see [`disassemble`]).
/// Used by disassembly only, never when decoding or executing.
#[derive(Clone, Copy)]
pub(crate) enum Asm {
    /// The row's mnemonic, then its format's operands (`lw a0,8(sp)`).
    Plain,
    /// Another mnemonic, then the format's operands: binutils 2.40 names
    /// most register-immediate instructions after their register-register
    /// form (`or a0,a0,1` for `ori`, `sll a0,a0,0x3` for `slli`).
    Named(&'static str),
    /// The instruction's own rule, written beside it in its extension's
    /// module: the text of the instruction given its fields and address,
    /// with objdump's pseudo-instructions and aliases (`li`, `ret`,
    /// `csrr`, `fmv.d`), or `None` for an encoding objdump does not decode
    /// (which prints as data).
    Rule(fn(&disasm::Operands<'_>) -> Option<String>),
}

/// Shorthand for a table row (of an instruction with no inline kind):
/// mnemonic, mask, match, [`Format`] variant, handler, and optionally
/// `asm(rule)` for an instruction with its own disassembly rule
/// ([`Asm::Rule`]) or `as "name"` for one objdump prints under another
/// name ([`Asm::Named`]; otherwise [`Asm::Plain`]).
macro_rules! op {
    ($name:literal, $mask:expr, $bits:expr, $format:ident, $exec:expr $(, asm($rule:expr))?) => {
        $crate::isa::Opcode {
            name: $name,
            mask: $mask,
            bits: $bits,
            format: $crate::isa::Format::$format,
            exec: $exec,
            inline: 0,
            asm: $crate::isa::asm_of!($(asm($rule))?),
        }
    };
    ($name:literal, $mask:expr, $bits:expr, $format:ident, $exec:expr, as $objdump:literal) => {
        $crate::isa::Opcode {
            name: $name,
            mask: $mask,
            bits: $bits,
            format: $crate::isa::Format::$format,
            exec: $exec,
            inline: 0,
            asm: $crate::isa::Asm::Named($objdump),
        }
    };
}
pub(crate) use op;

/// A row's [`Asm`] from a table line's optional disassembly item: none
/// ([`Asm::Plain`]), `as "name"` ([`Asm::Named`]) or `asm(rule)`
/// ([`Asm::Rule`]).
macro_rules! asm_of {
    () => {
        $crate::isa::Asm::Plain
    };
    (as $name:literal) => {
        $crate::isa::Asm::Named($name)
    };
    (asm($rule:expr)) => {
        $crate::isa::Asm::Rule($rule)
    };
}
pub(crate) use asm_of;

/// `misa` of a hart with the default extensions ([`Extensions::default`]).
pub(crate) fn misa() -> u64 {
    Extensions::default().misa()
}

/// All opcode tables, grouped by major opcode (bits 6:2) for decoding.
fn tables() -> &'static [Vec<&'static Opcode>; 32] {
    static TABLES: OnceLock<[Vec<&'static Opcode>; 32]> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut groups: [Vec<&'static Opcode>; 32] = Default::default();
        let all = [
            rv64i::OPCODES,
            m::OPCODES,
            a::OPCODES,
            f::OPCODES,
            d::OPCODES,
            zicsr::OPCODES,
            zifencei::OPCODES,
            privileged::OPCODES,
            zba::OPCODES,
            zbb::OPCODES,
            zbc::OPCODES,
            zbs::OPCODES,
            zicond::OPCODES,
            zfh::OPCODES,
            svinval::OPCODES,
            cmo::OPCODES,
        ];
        for table in all {
            for row in table {
                groups[(row.bits >> 2) as usize & 31].push(row);
            }
        }
        groups
    })
}

/// Every row of every opcode table.
#[cfg(test)]
pub(crate) fn all_rows() -> impl Iterator<Item = &'static Opcode> {
    tables().iter().flatten().copied()
}

/// The table row of a 32-bit instruction word, if it is a valid instruction.
pub(crate) fn lookup(word: u32) -> Option<&'static Opcode> {
    if word & 3 != 3 {
        return None;
    }
    tables()[(word >> 2) as usize & 31]
        .iter()
        .copied()
        .find(|row| word & row.mask == row.bits)
}

// ----- operand fields -----

const fn rd(w: u32) -> u8 {
    ((w >> 7) & 31) as u8
}
const fn rs1(w: u32) -> u8 {
    ((w >> 15) & 31) as u8
}
const fn rs2(w: u32) -> u8 {
    ((w >> 20) & 31) as u8
}
const fn imm_i(w: u32) -> i32 {
    (w as i32) >> 20
}
const fn imm_s(w: u32) -> i32 {
    (((w & 0xfe00_0000) as i32) >> 20) | ((w >> 7) & 0x1f) as i32
}
const fn imm_b(w: u32) -> i32 {
    (((w & 0x8000_0000) as i32) >> 19)
        | ((w & 0x80) << 4) as i32
        | ((w >> 20) & 0x7e0) as i32
        | ((w >> 7) & 0x1e) as i32
}
const fn imm_u(w: u32) -> i32 {
    (w & 0xffff_f000) as i32
}
const fn imm_j(w: u32) -> i32 {
    (((w & 0x8000_0000) as i32) >> 11)
        | (w & 0xf_f000) as i32
        | ((w >> 9) & 0x800) as i32
        | ((w >> 20) & 0x7fe) as i32
}

/// Turns a table row and its instruction word into the record the hart runs.
pub(crate) fn lower(row: &Opcode, word: u32, len: u8) -> Record {
    let (mut d, s1, s2) = (rd(word), rs1(word), rs2(word));
    let imm = row.format.immediate(word);
    if d == 0 && row.format.writes_x_rd() {
        d = SINK;
    }
    Record {
        exec: row.exec,
        insn: Insn::new(d, s1, s2, len, imm).with_fast(row.inline),
    }
}

/// Decodes the instruction whose first parcel is the low half of `bits`
/// (the high half is the second parcel, used only by 32-bit instructions).
pub(crate) fn decode(bits: u32) -> Record {
    decode_with_row(bits).0
}

/// [`decode`], and the table row the instruction matched (`None`: it does
/// not decode).
fn decode_with_row(bits: u32) -> (Record, Option<&'static Opcode>) {
    let (raw, word, len) = if bits & 3 != 3 {
        let parcel = low_u16(bits);
        (u32::from(parcel), c::expand(parcel), 2)
    } else {
        (bits, Some(bits), 4)
    };
    match word.and_then(|word| Some((word, lookup(word)?))) {
        Some((word, row)) => (lower(row, word, len), Some(row)),
        None => (illegal_record(raw, len), None),
    }
}

/// Whether an instruction that matched table row `row` (`None`: it does not
/// decode) ends a run: it always changes control flow (a jump) or can
/// change state the run loop depends on (CSR and system instructions,
/// `fence.i` and whatever else the MISC-MEM major opcode holds), or it does
/// not decode. Every other instruction falls through, traps, or (a
/// conditional branch taken) leaves the run in the middle. A plain `fence`
/// falls through like an `addi`: harts run one at a time, so every access
/// is already ordered, and Linux and OpenSBI put fences in hot paths.
fn ends_run(row: Option<&Opcode>) -> bool {
    const MISC_MEM: u32 = 0x0f;
    const FENCE: u32 = 0x0f;
    const JALR: u32 = 0x67;
    const JAL: u32 = 0x6f;
    const SYSTEM: u32 = 0x73;
    row.is_none_or(|row| {
        row.bits != FENCE && matches!(row.bits & 0x7f, MISC_MEM | JALR | JAL | SYSTEM)
    })
}

/// Decodes the run starting at `pc` in `page` (see
/// [`crate::decode_cache`]) and records it. Returns `None` (and records
/// nothing) when the instruction at `pc` straddles the page's end.
pub(crate) fn decode_run(page: &CodePage, mem: &Memory, pc: u64) -> Option<Run> {
    let page_base = page.ram_page << 12;
    let mut offset = (pc & 0xfff) as usize;
    let mut offsets = [0u64; MAX_RUN];
    let mut records = [unused_record(); MAX_RUN];
    let mut count = 0;
    while count < MAX_RUN {
        // The page lies inside RAM, so its parcels can always be read.
        let parcel = |offset: usize| mem.parcel_at(page_base + offset).unwrap_or(0);
        let low = parcel(offset);
        let bits = if low & 3 != 3 {
            u32::from(low)
        } else if offset + 4 > 4096 {
            break;
        } else {
            u32::from(low) | u32::from(parcel(offset + 2)) << 16
        };
        let (record, row) = decode_with_row(bits);
        offsets[count] = offset as u64;
        records[count] = record;
        count += 1;
        offset += usize::from(record.insn.len());
        if offset >= 4096 || ends_run(row) {
            break;
        }
    }
    if count == 0 {
        return None;
    }
    // The run loop stops after the last record: an inline jump, or one
    // marked to end the run whatever it does (a branch not taken included).
    let last = &mut records[count - 1];
    if !matches!(last.insn.fast(), rv64i::JAL | rv64i::JALR) {
        last.insn = last.insn.with_fast(inline::ENDS_RUN);
    }
    page.add_run(&offsets[..count], &records[..count]);
    page.run(pc)
}

fn illegal_record(bits: u32, len: u8) -> Record {
    Record {
        exec: exec_illegal,
        insn: Insn::new(0, 0, 0, len, bits as i32),
    }
}

// ----- handlers shared by every extension -----

impl Hart {
    /// Takes exception `fault` for the instruction at `pc`.
    #[cold]
    pub(crate) fn raise(&mut self, fault: Fault, pc: u64) -> Next {
        self.take_trap(Cause::Exception(fault.exception), fault.tval, pc);
        Next::TRAPPED
    }

    /// Ends the run loop's inner loop after an instruction that changed
    /// state the loop depends on, going on at `pc`.
    #[inline]
    pub(crate) fn exit_to(&mut self, pc: u64) -> Next {
        self.pc = pc;
        Next::EXIT
    }

    /// Takes an illegal-instruction exception for the instruction at `pc`,
    /// with its bits as the trap value (re-fetched: the decoded record no
    /// longer has them, and memory cannot have changed under a decoded
    /// instruction without invalidating it).
    #[cold]
    pub(crate) fn illegal(&mut self, env: &mut Env<'_>, pc: u64) -> Next {
        let bits = self.fetch_bits(env, pc).unwrap_or(0);
        self.raise(
            Fault::new(Exception::IllegalInstruction, u64::from(bits)),
            pc,
        )
    }

    /// Reads integer register `r` of a record.
    #[inline(always)]
    pub(crate) fn xr(&self, r: u8) -> u64 {
        self.x[usize::from(r)]
    }

    /// Writes integer register `r` of a record (the sink for `x0`).
    #[inline(always)]
    pub(crate) fn xw(&mut self, r: u8, value: u64) {
        self.x[usize::from(r)] = value;
    }
}

/// The handler of an instruction that does not decode.
fn exec_illegal(h: &mut Hart, _: &mut Env<'_>, insn: Insn, pc: u64, _: u64) -> Next {
    h.raise(
        Fault::new(Exception::IllegalInstruction, u64::from(insn.imm() as u32)),
        pc,
    )
}

/// Executes the 32-bit instruction at `pc` that straddles two pages,
/// fetching both halves (it is never decoded into a run, so that each
/// page's runs depend on that page alone).
pub(crate) fn execute_cross_page(h: &mut Hart, env: &mut Env<'_>, pc: u64, spent: u64) -> Next {
    match h.fetch_bits(env, pc) {
        Ok(bits) => decode(bits).run(h, env, pc, spent),
        // The second parcel's fault reports the second page's address.
        Err(fault) => h.raise(fault, pc),
    }
}

// ----- disassembly -----

/// The length in bytes (2 or 4) of the instruction whose first parcel is `parcel`.
pub fn instruction_length(parcel: u16) -> usize {
    if parcel & 3 == 3 {
        4
    } else {
        2
    }
}

pub use cmo::CBO_BLOCK_SIZE;
pub use disasm::disassemble;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immediates_decode_as_the_spec_draws_them() {
        // jal x0, -4: imm[20|10:1|11|19:12] all ones except bit 1..: 0xffdff06f
        assert_eq!(imm_j(0xffdf_f06f), -4);
        // beq x0, x0, -2 is not encodable without C; beq x0,x0,-4 = 0xfe000ee3
        assert_eq!(imm_b(0xfe00_0ee3), -4);
        // sd ra, 8(sp) = 0x00113423
        assert_eq!(imm_s(0x0011_3423), 8);
        // addi a0, zero, -1 = 0xfff00513
        assert_eq!(imm_i(0xfff0_0513), -1);
        // lui a0, 0x80000 = 0x80000537
        assert_eq!(imm_u(0x8000_0537), i32::MIN);
    }

    #[test]
    fn every_row_is_consistent() {
        for group in tables().iter() {
            for row in group {
                assert_eq!(
                    row.bits & !row.mask,
                    0,
                    "{}: match bits outside the mask",
                    row.name
                );
                assert_eq!(row.bits & 3, 3, "{}", row.name);
            }
        }
        // No word may match two rows of the same group with identical masks.
        for group in tables().iter() {
            for (i, a) in group.iter().enumerate() {
                for b in &group[i + 1..] {
                    let common = a.mask & b.mask;
                    assert!(
                        a.bits & common != b.bits & common,
                        "{} and {} overlap",
                        a.name,
                        b.name
                    );
                }
            }
        }
    }

    #[test]
    fn disassembles() {
        assert_eq!(disassemble(0x02a0_0513, 0), "li a0,42");
        assert_eq!(disassemble(0x0011_3423, 0), "sd ra,8(sp)");
        assert_eq!(disassemble(0x4505, 0), "li a0,1");
        assert_eq!(disassemble(0x0000_0000, 0), "unimp");
        assert_eq!(disassemble(0x8002, 0), ".2byte 0x8002");
        assert_eq!(disassemble(0xffff_ffff, 0), ".4byte 0xffffffff");
    }
}
