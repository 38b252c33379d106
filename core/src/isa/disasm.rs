//! Disassembly, as GNU objdump prints it (see [`disassemble`]).
//!
//! Each instruction's disassembly is defined with the instruction, in its
//! extension's module: its opcode-table row says how it prints
//! ([`Asm`]). Most print by the generic rendering of their operand
//! [`Format`] (here, [`Operands::plain`]) under their mnemonic, or under
//! the name objdump gives them ([`Asm::Named`]: `or` for `ori`). An
//! instruction for which objdump has pseudo-instructions or aliases has its
//! own rule beside its handler ([`Asm::Rule`]): `addi`'s in
//! [`super::rv64i`] gives `nop`, `li` and `mv`, `csrrs`'s in
//! [`super::zicsr`] gives `csrr` and `rdtime`, `fsgnj.d`'s in
//! [`super::d`] gives `fmv.d`. A compressed instruction disassembles as
//! its expansion ([`c::expand`]), except for the forms objdump shows from
//! the 16-bit parcel, in [`super::c`] too.
//!
//! This module holds what those share: [`disassemble`], the generic
//! rendering, and a small toolkit for the rules ([`asm`], [`x_reg`],
//! [`f_reg`], [`mem`], [`hex`], [`csr_name`]); and the few system
//! instructions objdump decodes that rivet does not implement, which have
//! no table row. Nothing here is on the execution path, and nothing picks
//! an instruction by its mnemonic string.
//!
//! objdump is the oracle, read from its output only:
//! `core/tests/disassembly.rs` compares the two on every instruction of
//! every test ROM and guest benchmark, on all 16-bit parcels, and on
//! every combination of major opcode, funct3, funct7 and rs2.

use std::fmt::Display;

use super::{c, lookup, rd, rs1, rs2, Asm, Format, Opcode};
use crate::csr::addr;
use crate::reg::{F_ABI_NAMES, X_ABI_NAMES};

/// Disassembles one instruction as GNU objdump prints it.
///
/// `bits` holds a 32-bit instruction, or a 16-bit compressed one in its
/// low half (the high half is then ignored); `pc` is its address, from
/// which branch and jump targets are computed. The text is what
/// `riscv64-unknown-elf-objdump -d` of binutils 2.40, with its default
/// options, prints for the same bits at the same address in its mnemonic
/// and operand columns:
///
/// - One space between mnemonic and operands (objdump writes a tab), and a
///   comma without a space between operands: `li a1,7`, `csrr t2,mepc`.
/// - Registers by their ABI names (`zero`, `s0`, `ft0`).
/// - Immediates in decimal, except the upper immediate of `lui`/`auipc`
///   and shift amounts, in hex with `0x`.
/// - CSRs by the names of privileged specification 1.12 (objdump's default
///   when a file does not say otherwise), or as `0x` hex when objdump has
///   no name for the number.
/// - Branch and jump targets as absolute addresses in hex without `0x`,
///   as objdump prints them in a file with symbols. objdump then appends
///   `<symbol+offset>`, and to some instructions a `# comment` with a
///   computed address; neither is printed here.
/// - Pseudo-instructions wherever objdump uses one: `nop`, `li`, `mv`,
///   `not`, `neg`, `sext.w`, `seqz`, `beqz`, `j`, `ret`, `jr`, `csrr`,
///   `csrw`, `rdtime`, `frflags`, `fsrmi`, `fmv.d`, `fneg.s`, `fence.tso`,
///   `unimp`, ... binutils 2.40 also names most register-immediate
///   instructions after their register-register form (`add a0,a0,1` for
///   `addi`, `sll a0,a0,0x3` for `slli`, `csrw mepc,1` for `csrrwi`).
/// - Atomic instructions with their ordering suffix (`amoadd.w.aqrl`).
/// - Rounding modes as a last operand: none for `dyn`, else `rne`, `rtz`,
///   `rdn`, `rup`, `rmm`, or `unknown` for the reserved 5 and 6.
/// - A compressed instruction as the 32-bit instruction it expands to
///   (`c.ldsp ra,8(sp)` is `ld ra,8(sp)`), except that `c.mv` is `mv`,
///   `c.addi rd,0` is `add rd,rd,0`, and the HINTs keep their compressed
///   names (`c.nop 5`, `c.li zero,3`, `c.slli64 a0`, `c.mv zero,a1`).
/// - An encoding objdump does not decode as data: `.2byte 0x8002`,
///   `.4byte 0xd205f553`. That includes a few that rivet executes, where
///   binutils is stricter than the ISA: the exact conversions `fcvt.d.w`,
///   `fcvt.d.wu` and `fcvt.d.s` with a rounding mode other than `rne`, and
///   `fence`/`fence.i` with nonzero reserved fields. Conversely, some that
///   rivet does not execute print as objdump names them: the reserved
///   compressed `unimp` (all zeros) and `c.addi16sp` by 0, and `uret`,
///   `hret`, `sfence.vm` and `dret`.
///
/// Two differences from objdump remain, because the function sees 32 bits
/// and nothing else: objdump shows 48- and 64-bit encodings (low bits
/// `011111` and `0111111`) as `.6byte`/`.8byte` of that many bytes, where
/// this shows `.4byte` of the first four; and objdump decodes each stretch
/// of code for the ISA its file's mapping symbols declare (under `.option
/// norvc`, every 16-bit parcel is `.2byte`), where this always decodes
/// RV64GC, as rivet executes it.
pub fn disassemble(bits: u32, pc: u64) -> String {
    if bits & 3 != 3 {
        let half = crate::bits::low_u16(bits);

        let text = match c::expand(half) {
            Some(word) => c::disasm(half, word).or_else(|| instruction(lookup(word)?, word, pc)),
            None => c::disasm_reserved(half),
        };
        return text.unwrap_or_else(|| format!(".2byte {half:#x}"));
    }
    match lookup(bits) {
        Some(row) => instruction(row, bits, pc),
        None => unimplemented_system(bits),
    }
    .unwrap_or_else(|| format!(".4byte {bits:#x}"))
}

/// The text of the 32-bit instruction `word` at `pc` (a compressed one
/// already expanded), which table row `row` decodes, as the row says
/// ([`Asm`]); `None` if objdump does not decode this encoding.
fn instruction(row: &Opcode, word: u32, pc: u64) -> Option<String> {
    let ops = Operands { row, word, pc };
    match row.asm {
        Asm::Plain => Some(ops.plain()),
        Asm::Named(name) => Some(ops.plain_as(name)),
        Asm::Rule(rule) => rule(&ops),
    }
}

/// An instruction as a disassembly rule ([`Asm::Rule`]) sees it: its
/// fields, its address, and the generic rendering of its row.
#[derive(Clone, Copy)]
pub(crate) struct Operands<'a> {
    /// The table row that decodes it.
    row: &'a Opcode,
    /// Its bits (a compressed instruction's expansion).
    word: u32,
    /// Its address.
    pc: u64,
}

impl Operands<'_> {
    /// The instruction's bits (a compressed instruction's expansion).
    pub(crate) fn word(&self) -> u32 {
        self.word
    }

    /// The `rd` field.
    pub(crate) fn rd(&self) -> u8 {
        rd(self.word)
    }

    /// The `rs1` field (a CSR instruction's 5-bit immediate in its
    /// immediate forms).
    pub(crate) fn rs1(&self) -> u8 {
        rs1(self.word)
    }

    /// The `rs2` field.
    pub(crate) fn rs2(&self) -> u8 {
        rs2(self.word)
    }

    /// The immediate of the row's format, as the hart's record holds it
    /// (sign-extended; the shift amount; the CSR number).
    pub(crate) fn imm(&self) -> i32 {
        self.row.format.immediate(self.word)
    }

    /// The CSR number of a CSR instruction.
    pub(crate) fn csr(&self) -> u16 {
        (self.word >> 20) as u16
    }

    /// The rounding-mode field (funct3) of a floating-point instruction.
    pub(crate) fn rm(&self) -> u32 {
        (self.word >> 12) & 7
    }

    /// A branch's or jump's target: the absolute address, in hex without
    /// `0x`.
    pub(crate) fn target(&self) -> String {
        format!("{:x}", self.pc.wrapping_add(self.imm() as i64 as u64))
    }

    /// The generic rendering: the row's mnemonic, then its format's
    /// operands, and a rounding mode if the instruction has one and it is
    /// not `dyn`.
    pub(crate) fn plain(&self) -> String {
        self.plain_as(self.row.name)
    }

    /// The generic rendering under mnemonic `name`.
    pub(crate) fn plain_as(&self, name: &str) -> String {
        let mut operands = self.operands();
        if self.has_rm() {
            operands.extend(rounding_mode(self.rm()).map(str::to_string));
        }
        join(&self.mnemonic(name), &operands)
    }

    /// The generic rendering without a rounding mode, whatever the field
    /// holds.
    pub(crate) fn without_rm(&self) -> String {
        join(&self.mnemonic(self.row.name), &self.operands())
    }

    /// Mnemonic `name` as the format shows it: atomic instructions with
    /// their ordering suffix (`amoadd.w.aqrl`).
    fn mnemonic(&self, name: &str) -> String {
        match self.row.format {
            Format::Amo | Format::Lr => {
                let suffix = match (self.word >> 25) & 3 {
                    0 => "",
                    1 => ".rl",
                    2 => ".aq",
                    _ => ".aqrl",
                };
                format!("{name}{suffix}")
            }
            _ => name.to_string(),
        }
    }

    /// Whether the instruction has a rounding-mode field: a floating-point
    /// row whose mask leaves funct3 free.
    fn has_rm(&self) -> bool {
        let fp = matches!(
            self.row.format,
            Format::FR | Format::FR4 | Format::FR1 | Format::FToX | Format::XToF
        );
        fp && self.row.mask & 0x7000 == 0
    }

    /// The operands of the row's format, rounding mode aside.
    fn operands(&self) -> Vec<String> {
        let (d, s1, s2, imm) = (self.rd(), self.rs1(), self.rs2(), self.imm());
        let (x, f) = (|r| x_reg(r).to_string(), |r| f_reg(r).to_string());
        match self.row.format {
            Format::R => vec![x(d), x(s1), x(s2)],
            Format::Unary => vec![x(d), x(s1)],
            Format::I => vec![x(d), x(s1), imm.to_string()],
            Format::Shift | Format::ShiftW => vec![x(d), x(s1), hex(imm as u32)],
            Format::Load => vec![x(d), mem(imm, s1)],
            Format::Store => vec![x(s2), mem(imm, s1)],
            Format::Branch => vec![x(s1), x(s2), self.target()],
            Format::U => vec![x(d), hex(self.word >> 12)],
            Format::J => vec![x(d), self.target()],
            Format::Csr => vec![x(d), csr_name(self.csr()), x(s1)],
            Format::CsrImm => vec![x(d), csr_name(self.csr()), s1.to_string()],
            Format::Amo => vec![x(d), x(s2), format!("({})", x(s1))],
            Format::Lr => vec![x(d), format!("({})", x(s1))],
            Format::Fence => vec![fence_set(imm >> 4), fence_set(imm)],
            Format::Bare => vec![],
            Format::SfenceVma => match (s1, s2) {
                (0, 0) => vec![],
                (_, 0) => vec![x(s1)],
                _ => vec![x(s1), x(s2)],
            },
            Format::FLoad => vec![f(d), mem(imm, s1)],
            Format::FStore => vec![f(s2), mem(imm, s1)],
            Format::FR => vec![f(d), f(s1), f(s2)],
            Format::FR4 => vec![f(d), f(s1), f(s2), f((self.word >> 27) as u8)],
            Format::FR1 => vec![f(d), f(s1)],
            Format::FCmp => vec![x(d), f(s1), f(s2)],
            Format::FToX => vec![x(d), f(s1)],
            Format::XToF => vec![f(d), x(s1)],
        }
    }
}

/// A fence's predecessor or successor set (the low 4 bits of `bits`),
/// e.g. `iorw`; objdump calls the empty set `unknown`.
fn fence_set(bits: i32) -> String {
    let set: String = [('i', 8), ('o', 4), ('r', 2), ('w', 1)]
        .iter()
        .filter(|(_, bit)| bits & bit != 0)
        .map(|(c, _)| *c)
        .collect();
    if set.is_empty() {
        "unknown".to_string()
    } else {
        set
    }
}

/// How objdump shows rounding-mode field `rm`: `None` for `dyn` (it shows
/// none), `unknown` for the reserved 5 and 6.
fn rounding_mode(rm: u32) -> Option<&'static str> {
    match rm {
        0 => Some("rne"),
        1 => Some("rtz"),
        2 => Some("rdn"),
        3 => Some("rup"),
        4 => Some("rmm"),
        7 => None,
        _ => Some("unknown"),
    }
}

/// System instructions that rivet does not implement (they raise an
/// illegal-instruction exception, and have no table row) but objdump
/// decodes: `uret` of the withdrawn N extension, `hret` and `sfence.vm` of
/// privileged specification 1.9, debug mode's `dret`, and Svinval's
/// `hinval.vvma` and `hinval.gvma`, which need the H extension.
fn unimplemented_system(word: u32) -> Option<String> {
    let hinval = |name| asm(name, &[&x_reg(rs1(word)), &x_reg(rs2(word))]);
    Some(match word {
        0x0020_0073 => "uret".to_string(),
        0x2020_0073 => "hret".to_string(),
        0x7b20_0073 => "dret".to_string(),
        0x1040_0073 => "sfence.vm".to_string(),
        _ if word & 0xfff0_7fff == 0x1040_0073 => asm("sfence.vm", &[&x_reg(rs1(word))]),
        _ if word & 0xfe00_7fff == 0x2600_0073 => hinval("hinval.vvma"),
        _ if word & 0xfe00_7fff == 0x6600_0073 => hinval("hinval.gvma"),
        _ => return None,
    })
}

// ----- the toolkit of the rules -----

/// An instruction's text: the mnemonic, then the operands separated by
/// commas (`li a0,1`).
pub(crate) fn asm(mnemonic: &str, operands: &[&dyn Display]) -> String {
    let mut out = String::from(mnemonic);
    for (i, operand) in operands.iter().enumerate() {
        out.push(if i == 0 { ' ' } else { ',' });
        out.push_str(&operand.to_string());
    }
    out
}

/// [`asm`] of operands already rendered.
fn join(mnemonic: &str, operands: &[String]) -> String {
    let operands: Vec<&dyn Display> = operands.iter().map(|o| o as &dyn Display).collect();
    asm(mnemonic, &operands)
}

/// The ABI name of integer register `r` (a 5-bit field).
pub(crate) fn x_reg(r: u8) -> &'static str {
    X_ABI_NAMES[usize::from(r & 31)]
}

/// The ABI name of floating-point register `r` (a 5-bit field).
pub(crate) fn f_reg(r: u8) -> &'static str {
    F_ABI_NAMES[usize::from(r & 31)]
}

/// A memory operand, `offset(base)`.
pub(crate) fn mem(offset: i32, base: u8) -> String {
    format!("{offset}({})", x_reg(base))
}

/// A `0x`-prefixed hex immediate (upper immediates, shift amounts).
pub(crate) fn hex(v: u32) -> String {
    format!("{v:#x}")
}

/// The name of CSR `number` as objdump prints it: the privileged
/// specification's name if objdump knows one (whether or not rivet
/// implements the CSR), else the number in hex.
pub(crate) fn csr_name(number: u16) -> String {
    if let Some(&(_, name)) = NAMED_CSRS.iter().find(|(n, _)| *n == number) {
        return name.to_string();
    }
    let numbered = NUMBERED_CSRS
        .iter()
        .find(|(first, last, _, _, _)| (*first..=*last).contains(&number));
    match numbered {
        Some((first, _, prefix, index, suffix)) => {
            format!("{prefix}{}{suffix}", number - first + index)
        }
        None => format!("{number:#x}"),
    }
}

/// The CSRs that objdump names, other than the numbered families of
/// [`NUMBERED_CSRS`]: the privileged specification's unprivileged,
/// supervisor, hypervisor, machine and debug CSRs, with the vector,
/// entropy-source (`seed`), AIA and state-enable ones. objdump names
/// the RV32-only upper halves (`...h`) too.
const NAMED_CSRS: &[(u16, &str)] = &[
    (addr::FFLAGS, "fflags"),
    (addr::FRM, "frm"),
    (addr::FCSR, "fcsr"),
    (0x008, "vstart"),
    (0x009, "vxsat"),
    (0x00a, "vxrm"),
    (0x00f, "vcsr"),
    (0x015, "seed"),
    (addr::CYCLE, "cycle"),
    (addr::TIME, "time"),
    (addr::INSTRET, "instret"),
    (0xc20, "vl"),
    (0xc21, "vtype"),
    (0xc22, "vlenb"),
    (0xc80, "cycleh"),
    (0xc81, "timeh"),
    (0xc82, "instreth"),
    // Supervisor.
    (addr::SSTATUS, "sstatus"),
    (addr::SIE, "sie"),
    (addr::STVEC, "stvec"),
    (addr::SCOUNTEREN, "scounteren"),
    (addr::SENVCFG, "senvcfg"),
    (0x114, "sieh"),
    (addr::SSCRATCH, "sscratch"),
    (addr::SEPC, "sepc"),
    (addr::SCAUSE, "scause"),
    (addr::STVAL, "stval"),
    (addr::SIP, "sip"),
    (addr::STIMECMP, "stimecmp"),
    (0x150, "siselect"),
    (0x151, "sireg"),
    (0x154, "siph"),
    (0x15c, "stopei"),
    (0x15d, "stimecmph"),
    (addr::SATP, "satp"),
    (0x5a8, "scontext"),
    (0xda0, "scountovf"),
    (0xdb0, "stopi"),
    // Virtual supervisor.
    (0x200, "vsstatus"),
    (0x204, "vsie"),
    (0x205, "vstvec"),
    (0x214, "vsieh"),
    (0x240, "vsscratch"),
    (0x241, "vsepc"),
    (0x242, "vscause"),
    (0x243, "vstval"),
    (0x244, "vsip"),
    (0x24d, "vstimecmp"),
    (0x250, "vsiselect"),
    (0x251, "vsireg"),
    (0x254, "vsiph"),
    (0x25c, "vstopei"),
    (0x25d, "vstimecmph"),
    (0x280, "vsatp"),
    (0xeb0, "vstopi"),
    // Hypervisor.
    (0x600, "hstatus"),
    (0x602, "hedeleg"),
    (0x603, "hideleg"),
    (0x604, "hie"),
    (0x605, "htimedelta"),
    (0x606, "hcounteren"),
    (0x607, "hgeie"),
    (0x608, "hvien"),
    (0x609, "hvictl"),
    (0x60a, "henvcfg"),
    (0x613, "hidelegh"),
    (0x615, "htimedeltah"),
    (0x618, "hvienh"),
    (0x61a, "henvcfgh"),
    (0x643, "htval"),
    (0x644, "hip"),
    (0x645, "hvip"),
    (0x646, "hviprio1"),
    (0x647, "hviprio2"),
    (0x64a, "htinst"),
    (0x655, "hviph"),
    (0x656, "hviprio1h"),
    (0x657, "hviprio2h"),
    (0x680, "hgatp"),
    (0x6a8, "hcontext"),
    (0xe12, "hgeip"),
    // Machine.
    (addr::MVENDORID, "mvendorid"),
    (addr::MARCHID, "marchid"),
    (addr::MIMPID, "mimpid"),
    (addr::MHARTID, "mhartid"),
    (addr::MCONFIGPTR, "mconfigptr"),
    (addr::MSTATUS, "mstatus"),
    (addr::MISA, "misa"),
    (addr::MEDELEG, "medeleg"),
    (addr::MIDELEG, "mideleg"),
    (addr::MIE, "mie"),
    (addr::MTVEC, "mtvec"),
    (addr::MCOUNTEREN, "mcounteren"),
    (0x308, "mvien"),
    (0x309, "mvip"),
    (addr::MENVCFG, "menvcfg"),
    (0x310, "mstatush"),
    (0x313, "midelegh"),
    (0x314, "mieh"),
    (0x318, "mvienh"),
    (0x319, "mviph"),
    (0x31a, "menvcfgh"),
    (addr::MCOUNTINHIBIT, "mcountinhibit"),
    (addr::MSCRATCH, "mscratch"),
    (addr::MEPC, "mepc"),
    (addr::MCAUSE, "mcause"),
    (addr::MTVAL, "mtval"),
    (addr::MIP, "mip"),
    (0x34a, "mtinst"),
    (0x34b, "mtval2"),
    (0x350, "miselect"),
    (0x351, "mireg"),
    (0x354, "miph"),
    (0x35c, "mtopei"),
    (0x747, "mseccfg"),
    (0x757, "mseccfgh"),
    (addr::MCYCLE, "mcycle"),
    (addr::MINSTRET, "minstret"),
    (0xb80, "mcycleh"),
    (0xb82, "minstreth"),
    (0xfb0, "mtopi"),
    // The trigger module (Sdtrig) and debug mode (Sdext).
    (addr::TSELECT, "tselect"),
    (addr::TDATA1, "tdata1"),
    (addr::TDATA2, "tdata2"),
    (addr::TDATA3, "tdata3"),
    (addr::TINFO, "tinfo"),
    (addr::TCONTROL, "tcontrol"),
    (addr::MCONTEXT, "mcontext"),
    (0x7aa, "mscontext"),
    (0x7b0, "dcsr"),
    (0x7b1, "dpc"),
    (0x7b2, "dscratch0"),
    (0x7b3, "dscratch1"),
];

/// The numbered CSR families: first and last number, the name's prefix,
/// the index of the first, and the name's suffix (`hpmcounter3h`).
const NUMBERED_CSRS: &[(u16, u16, &str, u16, &str)] = &[
    (addr::HPMCOUNTER3, addr::HPMCOUNTER31, "hpmcounter", 3, ""),
    (0xc83, 0xc9f, "hpmcounter", 3, "h"),
    (
        addr::MHPMCOUNTER3,
        addr::MHPMCOUNTER31,
        "mhpmcounter",
        3,
        "",
    ),
    (0xb83, 0xb9f, "mhpmcounter", 3, "h"),
    (addr::MHPMEVENT3, addr::MHPMEVENT31, "mhpmevent", 3, ""),
    (0x723, 0x73f, "mhpmevent", 3, "h"),
    (addr::PMPCFG0, addr::PMPCFG15, "pmpcfg", 0, ""),
    (addr::PMPADDR0, addr::PMPADDR63, "pmpaddr", 0, ""),
    (0x10c, 0x10f, "sstateen", 0, ""),
    (0x30c, 0x30f, "mstateen", 0, ""),
    (0x31c, 0x31f, "mstateen", 0, "h"),
    (0x60c, 0x60f, "hstateen", 0, ""),
    (0x61c, 0x61f, "hstateen", 0, "h"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::Privilege;

    /// Hand-picked encodings and objdump's text for them (its `0x`
    /// before targets dropped, as in files with symbols): aliases, CSR
    /// names, rounding modes, ordering suffixes, HINTs and encodings objdump
    /// shows as data. `core/tests/disassembly.rs` checks many more against
    /// objdump itself.
    #[test]
    fn prints_as_objdump_does() {
        let cases: &[(u32, u64, &str)] = &[
            (0x0000_0013, 0x8000_0000, "nop"),
            (0x0050_0013, 0x8000_0004, "li zero,5"),
            (0x0005_0513, 0x8000_0008, "mv a0,a0"),
            (0x0055_0513, 0x8000_000c, "add a0,a0,5"),
            (0xfff5_4513, 0x8000_0010, "not a0,a0"),
            (0x0015_b513, 0x8000_0014, "seqz a0,a1"),
            (0x0005_051b, 0x8000_0018, "sext.w a0,a0"),
            (0x0ff5_7513, 0x8000_001c, "zext.b a0,a0"),
            (0x40a0_0533, 0x8000_0020, "neg a0,a0"),
            (0x40a0_053b, 0x8000_0024, "negw a0,a0"),
            (0x00a0_3533, 0x8000_0028, "snez a0,a0"),
            (0x0005_2533, 0x8000_002c, "sltz a0,a0"),
            (0x00a0_2533, 0x8000_0030, "sgtz a0,a0"),
            (0x03f5_5513, 0x8000_0034, "srl a0,a0,0x3f"),
            (0x43f5_5513, 0x8000_0038, "sra a0,a0,0x3f"),
            (0x41f5_551b, 0x8000_003c, "sraw a0,a0,0x1f"),
            (0xffff_f537, 0x8000_0040, "lui a0,0xfffff"),
            (0x0000_1517, 0x8000_0044, "auipc a0,0x1"),
            (0x0080_006f, 0x8000_0048, "j 80000050"),
            (0x0080_00ef, 0x8000_004c, "jal 80000054"),
            (0x0080_02ef, 0x8000_0050, "jal t0,80000058"),
            (0x0000_8067, 0x8000_0054, "ret"),
            (0x0002_8067, 0x8000_0058, "jr t0"),
            (0x0082_8067, 0x8000_005c, "jr 8(t0)"),
            (0x0002_80e7, 0x8000_0060, "jalr t0"),
            (0x0082_80e7, 0x8000_0064, "jalr 8(t0)"),
            (0x0082_8367, 0x8000_0068, "jalr t1,8(t0)"),
            (0x00a0_5863, 0x8000_006c, "blez a0,8000007c"),
            (0x00a0_4863, 0x8000_0070, "bgtz a0,80000080"),
            (0x0005_6863, 0x8000_0074, "bltu a0,zero,80000084"),
            (0xfe00_08e3, 0x8000_0078, "beqz zero,80000068"),
            (0x3410_23f3, 0x8000_007c, "csrr t2,mepc"),
            (0x3415_9073, 0x8000_0080, "csrw mepc,a1"),
            (0x3004_6073, 0x8000_0084, "csrs mstatus,8"),
            (0x3000_b073, 0x8000_0088, "csrc mstatus,ra"),
            (0x0010_2573, 0x8000_008c, "frflags a0"),
            (0x0010_5073, 0x8000_0090, "fsflagsi zero,0"),
            (0x0021_5073, 0x8000_0094, "fsrmi zero,2"),
            (0x0020_1073, 0x8000_0098, "fsrm zero"),
            (0xc000_1073, 0x8000_009c, "unimp"),
            (0xc010_2573, 0x8000_00a0, "rdtime a0"),
            (0x7a00_2573, 0x8000_00a4, "csrr a0,tselect"),
            (0x7a10_25f3, 0x8000_00a8, "csrr a1,tdata1"),
            (0x7a45_9073, 0x8000_00ac, "csrw tinfo,a1"),
            (0x7a80_2573, 0x8000_00b0, "csrr a0,mcontext"),
            (0x3ae0_2573, 0x8000_00b4, "csrr a0,pmpcfg14"),
            (0x3ef0_2573, 0x8000_00b8, "csrr a0,pmpaddr63"),
            (0xc1f0_2573, 0x8000_00bc, "csrr a0,hpmcounter31"),
            (0x33f0_2573, 0x8000_00c0, "csrr a0,mhpmevent31"),
            (0x30a0_2573, 0x8000_00c4, "csrr a0,menvcfg"),
            (0x7ff0_2573, 0x8000_00c8, "csrr a0,0x7ff"),
            (0x0ff0_000f, 0x8000_00cc, "fence"),
            (0x8330_000f, 0x8000_00d0, "fence.tso"),
            (0x0330_000f, 0x8000_00d4, "fence rw,rw"),
            (0x0100_000f, 0x8000_00d8, "pause"),
            (0x0200_000f, 0x8000_00d8, "fence r,unknown"),
            (0x0000_100f, 0x8000_00dc, "fence.i"),
            (0x0010_100f, 0x8000_00e0, ".4byte 0x10100f"),
            (0x8ff0_000f, 0x8000_00e4, ".4byte 0x8ff0000f"),
            (0x00c5_9553, 0x8000_00e8, "fadd.s fa0,fa1,fa2,rtz"),
            (0x00c5_d553, 0x8000_00ec, "fadd.s fa0,fa1,fa2,unknown"),
            (0x22b5_8553, 0x8000_00f0, "fmv.d fa0,fa1"),
            (0x20b5_9553, 0x8000_00f4, "fneg.s fa0,fa1"),
            (0x22b5_a553, 0x8000_00f8, "fabs.d fa0,fa1"),
            (0xd205_8553, 0x8000_00fc, "fcvt.d.w fa0,a1"),
            (0xd205_f553, 0x8000_0100, ".4byte 0xd205f553"),
            (0x62b5_0543, 0x8000_0104, "fmadd.d fa0,fa0,fa1,fa2,rne"),
            (0xc005_9553, 0x8000_0108, "fcvt.w.s a0,fa1,rtz"),
            (0xe205_0553, 0x8000_010c, "fmv.x.d a0,fa0"),
            (0xe205_1553, 0x8000_0110, "fclass.d a0,fa0"),
            (0xa0c5_a553, 0x8000_0114, "feq.s a0,fa1,fa2"),
            (0x04c5_a52f, 0x8000_0118, "amoadd.w.aq a0,a2,(a1)"),
            (0x1805_b52f, 0x8000_011c, "sc.d a0,zero,(a1)"),
            (0x1a05_b52f, 0x8000_0120, "sc.d.rl a0,zero,(a1)"),
            (0x1605_a52f, 0x8000_0124, "lr.w.aqrl a0,(a1)"),
            (0x1200_0073, 0x8000_0128, "sfence.vma"),
            (0x1205_0073, 0x8000_012c, "sfence.vma a0"),
            (0x12b5_0073, 0x8000_0130, "sfence.vma a0,a1"),
            (0x1050_0073, 0x8000_0134, "wfi"),
            (0x1020_0073, 0x8000_0138, "sret"),
            (0x3020_0073, 0x8000_013c, "mret"),
            (0x0020_0073, 0x8000_0140, "uret"),
            (0x7b20_0073, 0x8000_0144, "dret"),
            (0x1045_0073, 0x8000_0148, "sfence.vm a0"),
            (0x0015, 0x8000_014c, "c.nop 5"),
            (0x4001, 0x8000_014e, "c.li zero,0"),
            (0x0002, 0x8000_0150, "c.slli64 zero"),
            (0x8006, 0x8000_0152, "c.mv zero,ra"),
            (0x852e, 0x8000_0154, "mv a0,a1"),
            (0x9006, 0x8000_0156, "c.add zero,ra"),
            (0x9002, 0x8000_0158, "ebreak"),
            (0x0000, 0x8000_015a, "unimp"),
            (0x6101, 0x8000_015c, "add sp,sp,0"),
            (0x8002, 0x8000_015e, ".2byte 0x8002"),
            (0x0808, 0x8000_0160, "add a0,sp,16"),
            (0x757d, 0x8000_0162, "lui a0,0xfffff"),
            (0x60a2, 0x8000_0164, "ld ra,8(sp)"),
            (0xe406, 0x8000_0166, "sd ra,8(sp)"),
            (0xbffd, 0x8000_0168, "j 80000166"),
            (0xc101, 0x8000_016a, "beqz a0,8000016a"),
            (0x2001, 0x8000_016c, ".2byte 0x2001"),
            (0x9d0d, 0x8000_016e, "subw a0,a0,a1"),
        ];
        for &(bits, pc, text) in cases {
            assert_eq!(disassemble(bits, pc), text, "{bits:#x} at {pc:#x}");
        }
    }

    /// Zba, Zbb, Zbc, Zbs and Zihintpause: the bits binutils 2.40 assembles
    /// from `-march=rv64gc_zba_zbb_zbc_zbs_zihintpause` source and
    /// objdump's text for them (it names the immediate forms `rori`,
    /// `bclri`, ... after their register forms, and `add.uw` with `zero`
    /// `zext.w`).
    #[test]
    fn bitmanip_prints_as_objdump_does() {
        let cases: &[(u32, &str)] = &[
            (0x08c5_853b, "add.uw a0,a1,a2"),
            (0x0805_853b, "zext.w a0,a1"),
            (0x20c5_a533, "sh1add a0,a1,a2"),
            (0x20c5_c533, "sh2add a0,a1,a2"),
            (0x20c5_e533, "sh3add a0,a1,a2"),
            (0x20c5_a53b, "sh1add.uw a0,a1,a2"),
            (0x20c5_c53b, "sh2add.uw a0,a1,a2"),
            (0x20c5_e53b, "sh3add.uw a0,a1,a2"),
            (0x0835_951b, "slli.uw a0,a1,0x3"),
            (0x0bf5_951b, "slli.uw a0,a1,0x3f"),
            (0x40c5_f533, "andn a0,a1,a2"),
            (0x40c5_e533, "orn a0,a1,a2"),
            (0x40c5_c533, "xnor a0,a1,a2"),
            (0x6005_9513, "clz a0,a1"),
            (0x6005_951b, "clzw a0,a1"),
            (0x6015_9513, "ctz a0,a1"),
            (0x6015_951b, "ctzw a0,a1"),
            (0x6025_9513, "cpop a0,a1"),
            (0x6025_951b, "cpopw a0,a1"),
            (0x0ac5_e533, "max a0,a1,a2"),
            (0x0ac5_f533, "maxu a0,a1,a2"),
            (0x0ac5_c533, "min a0,a1,a2"),
            (0x0ac5_d533, "minu a0,a1,a2"),
            (0x6045_9513, "sext.b a0,a1"),
            (0x6055_9513, "sext.h a0,a1"),
            (0x0805_c53b, "zext.h a0,a1"),
            (0x60c5_9533, "rol a0,a1,a2"),
            (0x60c5_d533, "ror a0,a1,a2"),
            (0x60c5_953b, "rolw a0,a1,a2"),
            (0x60c5_d53b, "rorw a0,a1,a2"),
            (0x63f5_d513, "ror a0,a1,0x3f"),
            (0x61f5_d51b, "rorw a0,a1,0x1f"),
            (0x2875_d513, "orc.b a0,a1"),
            (0x6b85_d513, "rev8 a0,a1"),
            (0x0ac5_9533, "clmul a0,a1,a2"),
            (0x0ac5_b533, "clmulh a0,a1,a2"),
            (0x0ac5_a533, "clmulr a0,a1,a2"),
            (0x48c5_9533, "bclr a0,a1,a2"),
            (0x4bf5_9513, "bclr a0,a1,0x3f"),
            (0x48c5_d533, "bext a0,a1,a2"),
            (0x4855_d513, "bext a0,a1,0x5"),
            (0x68c5_9533, "binv a0,a1,a2"),
            (0x6805_9513, "binv a0,a1,0x0"),
            (0x28c5_9533, "bset a0,a1,a2"),
            (0x2a05_9513, "bset a0,a1,0x20"),
            (0x0100_000f, "pause"),
            (0x0805_853b, "zext.w a0,a1"),
            (0x600f_9013, "clz zero,t6"),
            (0x6004_d413, "ror s0,s1,0x0"),
            (0x6003_529b, "rorw t0,t1,0x0"),
            (0x2bf5_9513, "bset a0,a1,0x3f"),
            (0x200f_edbb, "sh3add.uw s11,t6,zero"),
        ];
        for &(bits, text) in cases {
            assert_eq!(disassemble(bits, 0x8000_0000), text, "{bits:#010x}");
        }
    }

    /// Zicond, which binutils 2.40 does not know: the specification's
    /// syntax, `czero.eqz rd,rs1,rs2` (bits of the spec's encoding
    /// table: funct7 0000111, funct3 101 and 111, opcode OP).
    #[test]
    fn zicond_prints_in_the_spec_syntax() {
        assert_eq!(disassemble(0x0e31_50b3, 0), "czero.eqz ra,sp,gp");
        assert_eq!(disassemble(0x0fdf_7fb3, 0), "czero.nez t6,t5,t4");
    }

    #[test]
    fn ignores_the_high_half_of_a_compressed_instruction() {
        assert_eq!(disassemble(0xdead_4505, 0), "li a0,1");
    }

    /// 48- and 64-bit encodings, which rivet does not implement, show as
    /// their first four bytes (objdump shows all six or eight).
    #[test]
    fn longer_encodings_show_their_first_word() {
        assert_eq!(disassemble(0x0000_001f, 0), ".4byte 0x1f");
        assert_eq!(disassemble(0x0000_003f, 0), ".4byte 0x3f");
    }

    #[test]
    fn targets_wrap_around_the_address_space() {
        // beqz zero,-4 at 0 and j +8 at the last doubleword
        assert_eq!(disassemble(0xfe00_0ee3, 0), "beqz zero,fffffffffffffffc");
        assert_eq!(disassemble(0x0080_006f, u64::MAX - 7), "j 0");
    }

    #[test]
    fn names_every_csr_rivet_implements() {
        let mut hart = crate::Hart::new(0);
        hart.csr.mstatus.set_fs_dirty(); // so the FP CSRs exist
        let mut implemented = 0;
        for number in 0..4096 {
            if hart.csr_read(number, 0, Privilege::Machine).is_ok() {
                implemented += 1;
                let name = csr_name(number);
                assert!(!name.starts_with("0x"), "CSR {number:#x} has no name");
            }
        }
        assert!(implemented > 150, "only {implemented} CSRs found");
        assert_eq!(csr_name(0x7ff), "0x7ff");
        assert_eq!(csr_name(0xc9f), "hpmcounter31h");
    }
}
