//! Generated programs and their rendering into one assembly source.
//!
//! A [`Program`] is a list of independent [`Snippet`]s run one after the
//! other in the same ELF. Each snippet sets every register (integer and
//! floating point), runs its body in M-, S- or U-mode and dumps the
//! machine state over the UART; the values the generator chose are "raw"
//! (register numbers 0..32, immediates as choices from an edge list or as
//! arbitrary numbers) and rendering legalises them in
//! context (a register the code must not write is replaced by the next
//! writable one, an immediate is brought into its field's range), so every
//! value proptest shrinks to still renders as a valid program.
//!
//! Memory layout of one run (all in RAM, linked at 0x8000_0000):
//!
//! ```text
//!   .text   _start, the trap handler, the dump and page-table routines,
//!           snippet 0, 1, ...
//!   .rodata a pristine copy of each data area, to list what changed, and
//!           each snippet's initial f0..f31
//!           (_etext: the end of the code and read-only data, page-aligned)
//!   .data   ctx (saved registers, observations, trap log), the Sv39
//!           page tables, then one 5 KiB data area per snippet
//!           (4 KiB-aligned), pre-filled with the snippet's pattern
//! ```
//!
//! Everything lies in the first 2 MiB of RAM (the linker script checks),
//! which S- and U-mode snippets see identity-mapped (vm.rs).
//!
//! A snippet's prologue runs in M-mode: it sets mstatus (FS = Dirty, and
//! for S/U snippets MPP, SUM and MXR), builds the page tables of an S/U
//! snippet and writes satp, loads f0..f31 from a table, clears fcsr, sets
//! the integer registers and, for S/U, enters the body with `mret`. An
//! M-mode body ends by storing the registers in ctx; an S/U body ends with
//! an `ecall` at a label stored in ctx (`done`), which the trap handler
//! recognises: it stores the registers itself, records mcause (8 or 9:
//! the mode the body ended in, printed as `exit`) and continues in M-mode
//! after the `ecall`. Both then store f0..f31 and fcsr and dump.
//!
//! Registers with a fixed role in every snippet (never written by
//! generated code): `tp` = ctx, `sp` = the data area's middle (A),
//! `s0` = A - 256, `s1` = A + 3 (an odd base, so compressed and 32-bit
//! accesses through it are misaligned). Every other register, and every
//! f register, is written.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::vm::{self, Access, VmSetup};
use super::vocab::{
    CsrKind, Form, MemForm, AMO_OPS, BRANCHES, CLUI_EDGES, CSRS, CSR_OPS, EDGES, F16_EDGES,
    F32_EDGES, F64_EDGES, FP_ILLEGAL, HINTS, ILLEGAL, IMM12_EDGES, IMM20_EDGES, IMM6_EDGES,
    MEM_OPS, OFFSET_EDGES, OPS, ORDERINGS, PAIRS, SH5_EDGES, SH6_EDGES,
};

/// Keep accesses away from the last page of the address space
/// (0xffff_ffff_ffff_f000 and up). Off: rivet used to panic there (see
/// `regression_load_from_the_top_page` in differential.rs), and the
/// generator keeps testing it.
pub const AVOID_TOP_PAGE: bool = false;

/// Size of one snippet's data area in bytes.
pub const AREA_SIZE: i64 = 5120;
/// Offset of `sp` (A) in the data area.
pub const A_OFFSET: i64 = 2560;
/// Capacity of the trap log (entries); further traps are only counted.
pub const LOG_CAP: usize = 48;
/// Capacity of the observation log (see [`FpItem::observe`]); later
/// observations overwrite earlier ones, round robin.
pub const SIG_CAP: usize = 64;

// ctx layout (offsets from tp).
const CTX_REGS: usize = 0; // x0..x31, 8 bytes each
const CTX_COUNT: usize = 256;
const CTX_SAVE: usize = 264; // t0, t1, t2
/// Where the code stores the recovery point of an instruction fault (an
/// offset from tp).
pub const CTX_RECOVER: usize = 288;
const CTX_INDEX: usize = 296;
const CTX_AREA: usize = 304;
const CTX_PRISTINE: usize = 312;
const CTX_DONE: usize = 320; // address of the ending ecall of an S/U body, else -1
const CTX_EXIT: usize = 328; // mcause of that ecall, else 0
const CTX_FCSR: usize = 336;
const CTX_FREGS: usize = 344; // f0..f31
const CTX_SIG: usize = 600; // SIG_CAP observations of 16 bytes: fflags, result
const CTX_SIGN: usize = CTX_SIG + 16 * SIG_CAP; // observations made (at most SIG_CAP)
const CTX_LOG: usize = CTX_SIGN + 8; // LOG_CAP entries of 32 bytes: cause, epc, tval, 0
const CTX_SIZE: usize = CTX_LOG + 32 * LOG_CAP;

/// The ABI names of the integer registers.
pub const REG_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// Registers the generated code must never write.
const RESERVED: u32 = 1 << 2 | 1 << 4 | 1 << 8 | 1 << 9;

/// A value as generated.
#[derive(Clone, Copy, Debug)]
pub enum Val {
    /// An entry of [`EDGES`].
    Edge(u8),
    /// Any 64-bit value.
    Any(u64),
    /// A small signed value.
    Small(i8),
}

impl Val {
    /// The value.
    pub fn get(self) -> u64 {
        match self {
            Val::Edge(i) => EDGES[usize::from(i) % EDGES.len()],
            Val::Any(v) => v,
            Val::Small(s) => i64::from(s) as u64,
        }
    }
}

/// An immediate as generated: brought into the field's range at rendering.
#[derive(Clone, Copy, Debug)]
pub enum Imm {
    /// An entry of the field's edge list.
    Edge(u8),
    /// Any value, reduced into the range.
    Any(u32),
}

impl Imm {
    /// The immediate in `lo..=hi`, a multiple of `align`, taken from
    /// `edges` (filtered the same way) for [`Imm::Edge`].
    pub(super) fn pick(self, lo: i64, hi: i64, align: i64, edges: &[i64]) -> i64 {
        let fits = |v: i64| (lo..=hi).contains(&v) && v % align == 0;
        match self {
            Imm::Edge(i) => {
                let usable: Vec<i64> = edges.iter().copied().filter(|&v| fits(v)).collect();
                if usable.is_empty() {
                    lo
                } else {
                    usable[usize::from(i) % usable.len()]
                }
            }
            Imm::Any(v) => {
                let steps = (hi - lo) / align + 1;
                lo + (i64::from(v) % steps) * align
            }
        }
    }

    /// Like [`Imm::pick`], never zero.
    pub(super) fn pick_nonzero(self, lo: i64, hi: i64, align: i64, edges: &[i64]) -> i64 {
        match self.pick(lo, hi, align, edges) {
            0 => align,
            v => v,
        }
    }
}

/// `v`, or, if its low word is zero and its upper word is neither zero nor
/// has bit 32 set, `v` with bit 32 set: a `ctzw` operand on which QEMU 7.2
/// agrees with the specification (32 for a zero low word).
pub fn ctzw_operand(v: u64) -> u64 {
    if v & 0xffff_ffff == 0 && v != 0 {
        v | 1 << 32
    } else {
        v
    }
}

/// Values loaded into an instruction's source registers right before it.
#[derive(Clone, Copy, Debug)]
pub enum Preload {
    /// None: the sources keep whatever they hold.
    None,
    /// The first source.
    First(Val),
    /// The second source.
    Second(Val),
    /// Both sources.
    Both(Val, Val),
    /// Both sources, from [`PAIRS`].
    Pair(u8),
}

impl Preload {
    fn values(self) -> (Option<u64>, Option<u64>) {
        match self {
            Preload::None => (None, None),
            Preload::First(a) => (Some(a.get()), None),
            Preload::Second(b) => (None, Some(b.get())),
            Preload::Both(a, b) => (Some(a.get()), Some(b.get())),
            Preload::Pair(i) => {
                let (a, b) = PAIRS[usize::from(i) % PAIRS.len()];
                (Some(a), Some(b))
            }
        }
    }
}

/// One instruction of [`OPS`].
#[derive(Clone, Debug)]
pub struct OpItem {
    /// Index into [`OPS`].
    pub op: u8,
    /// Destination (raw).
    pub rd: u8,
    /// First source (raw).
    pub rs1: u8,
    /// Second source (raw).
    pub rs2: u8,
    /// Immediate.
    pub imm: Imm,
    /// Source values.
    pub pre: Preload,
}

/// A load or store of [`super::vocab::MEM_OPS`].
#[derive(Clone, Debug)]
pub struct MemItem {
    /// Index into `MEM_OPS`.
    pub op: u8,
    /// The loaded or stored register (raw).
    pub reg: u8,
    /// The base: 0 = sp, 1 = s0, 2 = s1, 3 = x0 (unmapped addresses).
    pub base: u8,
    /// Offset.
    pub imm: Imm,
    /// Value stored (stores only).
    pub pre: Option<Val>,
}

/// An AMO on an aligned address of the data area.
#[derive(Clone, Debug)]
pub struct AmoItem {
    /// Index into [`AMO_OPS`].
    pub op: u8,
    /// `.d` rather than `.w`.
    pub double: bool,
    /// Index into [`ORDERINGS`].
    pub order: u8,
    /// Destination (raw).
    pub rd: u8,
    /// Source (raw).
    pub rs2: u8,
    /// The address register (raw, written with the address).
    pub addr: u8,
    /// Base: 0 = sp, 1 = s0.
    pub base: u8,
    /// Offset from the base (aligned at rendering).
    pub off: Imm,
    /// Value of rs2.
    pub pre: Option<Val>,
}

/// An LR/SC pair on one aligned address, or an SC without a reservation,
/// or an LR of an unmapped address.
#[derive(Clone, Debug)]
pub struct LrScItem {
    /// 0 = LR, quiet instructions, SC (succeeds); 1 = SC alone (no
    /// reservation: fails); 2 = LR of address 0..0x7ff (access fault, no
    /// reservation).
    pub shape: u8,
    /// `.d` rather than `.w`.
    pub double: bool,
    /// Orderings of the LR and the SC.
    pub order: (u8, u8),
    /// LR destination (raw).
    pub rd_lr: u8,
    /// SC destination (raw).
    pub rd_sc: u8,
    /// SC source (raw).
    pub rs2: u8,
    /// The address register (raw).
    pub addr: u8,
    /// Base: 0 = sp, 1 = s0.
    pub base: u8,
    /// Offset (aligned at rendering).
    pub off: Imm,
    /// Instructions between LR and SC (only quiet forms are kept).
    pub middle: Vec<OpItem>,
}

/// A CSR instruction.
#[derive(Clone, Debug)]
pub struct CsrItem {
    /// Index into [`CSR_OPS`].
    pub op: u8,
    /// Index into [`CSRS`].
    pub csr: u8,
    /// Destination (raw).
    pub rd: u8,
    /// Source register (raw; 0 stays x0).
    pub rs1: u8,
    /// The immediate forms' uimm.
    pub uimm: u8,
    /// Value of rs1.
    pub pre: Option<Val>,
}

/// Self-modifying code: store a new instruction over the next one, then
/// `fence.i` and run it.
#[derive(Clone, Debug)]
pub struct SmcItem {
    /// Which I-type instruction is written: addi, slti, sltiu, xori, ori,
    /// andi, addiw.
    pub op: u8,
    /// Its destination (raw).
    pub rd: u8,
    /// Its source (raw).
    pub rs1: u8,
    /// Its immediate.
    pub imm: Imm,
    /// Scratch registers for the address and the encoding (raw).
    pub tmp: (u8, u8),
}

/// A jump to an unmapped address: an instruction access fault; the trap
/// handler resumes at the recovery point recorded just before.
#[derive(Clone, Debug)]
pub struct FetchFaultItem {
    /// 0 = `jalr rd, imm(x0)`; 1 = `c.jr tmp`; 2 = `c.jalr tmp`.
    pub kind: u8,
    /// Link register (raw).
    pub rd: u8,
    /// Scratch register (raw).
    pub tmp: u8,
    /// Target choice.
    pub target: Imm,
}

/// A forward conditional branch over a shadow.
#[derive(Clone, Debug)]
pub struct BranchItem {
    /// Index into [`BRANCHES`].
    pub op: u8,
    /// Sources (raw).
    pub rs1: u8,
    /// Second source (raw).
    pub rs2: u8,
    /// Source values.
    pub pre: Preload,
    /// Skipped when taken.
    pub shadow: Vec<Item>,
    /// Extra `nop`s at the end of the shadow (longer offsets).
    pub pad: u16,
}

/// A forward unconditional jump over a shadow that never runs.
#[derive(Clone, Debug)]
pub struct JumpItem {
    /// 0 = jal, 1 = jalr, 2 = c.j, 3 = c.jr, 4 = c.jalr.
    pub kind: u8,
    /// Link register (raw).
    pub rd: u8,
    /// Address register of jalr/c.jr/c.jalr (raw).
    pub rs1: u8,
    /// jalr offset.
    pub imm: Imm,
    /// Set bit 0 of the computed target (it must be ignored).
    pub odd: bool,
    /// Never executed.
    pub shadow: Vec<Item>,
}

/// A loop whose trip count is fixed by construction: a counter register
/// that the body never writes.
#[derive(Clone, Debug)]
pub struct LoopItem {
    /// 0: `addi; bne c, zero, top`; 1: `c.addi; c.bnez`; 2: `addi;
    /// blt zero, c, top`; 3: `addi; bltu zero, c, top`; 4: while-loop
    /// `top: beq c, zero, end; ...; addi; jal zero, top`; 5: the same with
    /// `c.beqz`/`c.j`.
    pub kind: u8,
    /// The counter (raw).
    pub counter: u8,
    /// Trip count (0..=4; at least 1 for the do-while kinds).
    pub trips: u8,
    /// The body.
    pub body: Vec<Item>,
}

/// A floating-point operand value as generated.
#[derive(Clone, Copy, Debug)]
pub enum FVal {
    /// An entry of the operand format's edge list (a single or a half
    /// properly NaN-boxed).
    Edge(u8),
    /// Random bits of the operand's format (a single or a half properly
    /// NaN-boxed).
    Any(u64),
    /// 64 random bits: as a single or a half, improperly NaN-boxed
    /// (unless the upper bits happen to be all ones).
    Raw(u64),
    /// An edge of another format as 64 bits: a double used as a single
    /// (improperly NaN-boxed), a boxed single used as a double (a NaN);
    /// for a half, a boxed single, a double, or a half with one bit of
    /// its box clear (all improperly NaN-boxed).
    Other(u8),
    /// The first source's value, negated when true (equal operands,
    /// cancellation); like no preload when the first source has none.
    Like(bool),
}

/// An integer source of a conversion or move to floating point.
#[derive(Clone, Copy, Debug)]
pub enum IVal {
    /// An entry of [`super::vocab::CVT_EDGES`].
    Edge(u8),
    /// Any value of the integer vocabulary.
    Val(Val),
}

impl IVal {
    /// The value.
    pub fn get(self) -> u64 {
        use super::vocab::CVT_EDGES;
        match self {
            IVal::Edge(i) => CVT_EDGES[usize::from(i) % CVT_EDGES.len()],
            IVal::Val(v) => v.get(),
        }
    }
}

/// One instruction of [`super::vocab::FP_OPS`].
#[derive(Clone, Debug)]
pub struct FpItem {
    /// Index into `FP_OPS`.
    pub op: u8,
    /// Destination (raw; an f or an x register by the form).
    pub rd: u8,
    /// Sources (raw; rs1 is an x register for the moves and conversions
    /// to floating point).
    pub rs: [u8; 3],
    /// Rounding mode, modulo 6: 0..=4 static, 5 dynamic (`dyn`).
    pub rm: u8,
    /// Values of the floating-point sources.
    pub pre: [Option<FVal>; 3],
    /// Value of the integer source.
    pub ipre: Option<IVal>,
    /// Scratch x register for the preloads (raw).
    pub tmp: u8,
    /// Log the result and the flags it raised right after it (fflags
    /// is read and cleared), so that neither a later write of the
    /// destination nor the stickiness of fflags hides them.
    pub observe: bool,
}

/// A floating-point load or store of [`super::vocab::FP_MEM_OPS`].
#[derive(Clone, Debug)]
pub struct FpMemItem {
    /// Index into `FP_MEM_OPS`.
    pub op: u8,
    /// The f register (raw).
    pub reg: u8,
    /// The base: as [`MemItem::base`].
    pub base: u8,
    /// Offset.
    pub imm: Imm,
    /// Value stored (stores only).
    pub pre: Option<FVal>,
    /// Scratch x register for the preload (raw).
    pub tmp: u8,
}

/// An access to `fflags`/`frm`/`fcsr` ([`super::vocab::FCSR_OPS`]).
#[derive(Clone, Debug)]
pub struct FcsrItem {
    /// Index into `FCSR_OPS`.
    pub op: u8,
    /// Destination (raw).
    pub rd: u8,
    /// Source register (raw).
    pub rs: u8,
    /// The rounding mode written to `frm` (by `fsrm`, `fsrmi`, `fscsr`):
    /// 0..=7, the strategy prefers the valid 0..=4.
    pub frm: u8,
    /// The flags written (low 5 bits), and for `fscsr` the bits above
    /// the frm field, which must be ignored.
    pub bits: u64,
}

/// An access through the probe mappings of S/U snippets (vm.rs); in
/// M-mode it renders as nothing.
#[derive(Clone, Debug)]
pub struct ProbeItem {
    /// Index into [`vm::PROBE_TARGETS`].
    pub target: u8,
    /// Index into [`PROBE_OPS`].
    pub op: u8,
    /// The data register (raw; x or f by the operation).
    pub reg: u8,
    /// The address register (raw).
    pub tmp: u8,
    /// Offset from the middle of the page.
    pub off: Imm,
}

/// What a probe does: (mnemonic, size, kind).
pub const PROBE_OPS: &[(&str, i64, ProbeKind)] = &[
    ("lb", 1, ProbeKind::Load),
    ("lhu", 2, ProbeKind::Load),
    ("lw", 4, ProbeKind::Load),
    ("ld", 8, ProbeKind::Load),
    ("sb", 1, ProbeKind::Store),
    ("sh", 2, ProbeKind::Store),
    ("sw", 4, ProbeKind::Store),
    ("sd", 8, ProbeKind::Store),
    ("flw", 4, ProbeKind::FLoad),
    ("fld", 8, ProbeKind::FLoad),
    ("fsw", 4, ProbeKind::FStore),
    ("fsd", 8, ProbeKind::FStore),
    ("flh", 2, ProbeKind::FLoad),
    ("fsh", 2, ProbeKind::FStore),
    ("amoadd.w", 4, ProbeKind::Amo),
    ("amoswap.d", 8, ProbeKind::Amo),
    ("lr.w", 4, ProbeKind::Lr),
    ("lr.d", 8, ProbeKind::Lr),
    ("jalr", 4, ProbeKind::Fetch),
    ("c.jr", 2, ProbeKind::Fetch),
];

/// The kinds of [`PROBE_OPS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeKind {
    /// An integer load.
    Load,
    /// An integer store.
    Store,
    /// A floating-point load.
    FLoad,
    /// A floating-point store.
    FStore,
    /// An AMO.
    Amo,
    /// LR (only where it faults: a reservation would outlive the item).
    Lr,
    /// A jump there (only where the fetch faults: the code would be data).
    Fetch,
}

/// A privileged instruction: 0 = `sfence.vma rs1, rs2` (illegal in
/// U-mode, and in S-mode with TVM), 1 = `mret` (illegal in S/U; not
/// rendered in M), 2 = `sret` (illegal in U; rendered only there), 3 =
/// `csrr rd, satp` (illegal in U, and in S with TVM), 4 and 5 =
/// `csrs`/`csrc sstatus` of SUM, MXR or both (illegal in U; in S they
/// change what the translation allows, which the TLB must follow; in M
/// they change nothing that is used), 6 = `sinval.vma rs1, rs2` (allowed
/// where `sfence.vma` is; rendered only there: where it is illegal, QEMU
/// 7.2's mtval differs), 7 = `sfence.w.inval` and 8 = `sfence.inval.ir`
/// (allowed in M and S whatever TVM; illegal in U by the spec, where QEMU
/// 7.2 runs them as no-ops, so not rendered in U). See the test's
/// documentation for both divergences.
/// The number of kinds of [`PrivItem`].
pub const PRIV_KINDS: u8 = 9;

#[derive(Clone, Debug)]
pub struct PrivItem {
    /// Which.
    pub kind: u8,
    /// A register operand (raw).
    pub reg: u8,
    /// Another (raw).
    pub reg2: u8,
}

/// One generated element of a snippet's body.
#[derive(Clone, Debug)]
pub enum Item {
    /// An ALU/system instruction.
    Op(OpItem),
    /// A load or store.
    Mem(MemItem),
    /// An AMO.
    Amo(AmoItem),
    /// LR/SC.
    LrSc(LrScItem),
    /// A CSR access.
    Csr(CsrItem),
    /// `li rd, value`: feeds edge values into the dataflow.
    Li(u8, Val),
    /// An illegal encoding: index into [`ILLEGAL`] and the random bits.
    Illegal(u8, u32),
    /// A HINT or a fence with reserved fields set: index into [`HINTS`]
    /// and the random bits.
    Hint(u8, u32),
    /// Self-modifying code.
    Smc(SmcItem),
    /// An instruction access fault.
    FetchFault(FetchFaultItem),
    /// `c.addi16sp sp, adj`, the inner items, then sp restored.
    SpGroup(Imm, Vec<Item>),
    /// A forward branch.
    Branch(Box<BranchItem>),
    /// A forward jump.
    Jump(Box<JumpItem>),
    /// A bounded loop.
    Loop(Box<LoopItem>),
    /// A floating-point instruction.
    Fp(FpItem),
    /// A floating-point load or store.
    FpMem(FpMemItem),
    /// An access to the F CSRs.
    Fcsr(FcsrItem),
    /// A reserved floating-point encoding: index into [`FP_ILLEGAL`] and
    /// the random bits.
    FpIllegal(u8, u32),
    /// An access through the probe mappings (S/U only).
    Probe(ProbeItem),
    /// A privileged instruction.
    Priv(PrivItem),
    /// Assembly text, verbatim (the hand-written regression tests; never
    /// generated). Its mnemonics are not counted.
    Asm(String),
}

/// The privilege mode a snippet's body runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// Machine mode, no translation.
    M,
    /// Supervisor mode, Sv39.
    S,
    /// User mode, Sv39.
    U,
}

/// What a program's snippets are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// The integer vocabulary.
    Int,
    /// Mostly F and D, with some of the integer vocabulary.
    Fp,
}

/// One independent test: initial state and a body.
#[derive(Clone, Debug)]
pub struct Snippet {
    /// The body.
    pub body: Vec<Item>,
    /// Seed of the initial register and CSR values.
    pub init: u64,
    /// Style (low bits) and seed of the data area's pattern.
    pub data: (u8, u64),
    /// The mode of the body.
    pub mode: Mode,
    /// The address space of an S/U body.
    pub vm: VmSetup,
}

/// A generated program: one ELF.
#[derive(Clone, Debug)]
pub struct Program {
    /// What its snippets are made of (for the statistics).
    pub family: Family,
    /// The snippets, run in order.
    pub snippets: Vec<Snippet>,
}

/// A single NaN-boxed in 64 bits.
pub fn box32(v: u32) -> u64 {
    0xffff_ffff_0000_0000 | u64::from(v)
}

/// A half NaN-boxed in 64 bits.
pub fn box16(v: u16) -> u64 {
    0xffff_ffff_ffff_0000 | u64::from(v)
}

/// SplitMix64: derives the initial values from a seed.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A value derived from `seed` and `i`: an edge value, a random one or a
/// small one.
fn init_value(seed: u64, i: u64) -> u64 {
    let h = mix(seed ^ mix(i));
    match h % 8 {
        0..=3 => EDGES[((h >> 8) % EDGES.len() as u64) as usize],
        4 => ((h >> 8) as i64 % 17 - 8) as u64,
        _ => mix(h),
    }
}

impl Snippet {
    /// The initial value of register `r` (for the registers without a
    /// fixed role).
    pub fn reg_init(&self, r: usize) -> u64 {
        init_value(self.init, r as u64)
    }

    /// The initial bits of f`i`: edge values of the three formats
    /// (singles and halves properly NaN-boxed), random halves, singles
    /// and doubles, and singles improperly NaN-boxed.
    pub fn freg_init(&self, i: usize) -> u64 {
        let h = mix(self.init ^ mix(200 + i as u64));
        let pick = |list: usize| ((h >> 8) % list as u64) as usize;
        match h % 10 {
            0 | 1 => box32(F32_EDGES[pick(F32_EDGES.len())]),
            2 | 3 => F64_EDGES[pick(F64_EDGES.len())],
            4 => box32(rivet_core::bits::low_u32(mix(h))),
            5 => mix(h),
            6 => mix(h) << 32 | u64::from(F32_EDGES[pick(F32_EDGES.len())]),
            7 => u64::from(F32_EDGES[pick(F32_EDGES.len())]),
            8 => box16(F16_EDGES[pick(F16_EDGES.len())]),
            _ => box16(rivet_core::bits::low_u16(mix(h))),
        }
    }

    /// Initial mscratch, sscratch, mepc, sepc.
    pub fn csr_init(&self) -> [u64; 4] {
        [
            init_value(self.init, 100),
            init_value(self.init, 101),
            init_value(self.init, 102) & !1,
            init_value(self.init, 103) & !1,
        ]
    }

    /// The data area's initial contents, as doublewords.
    pub fn pattern(&self) -> Vec<u64> {
        let (style, seed) = self.data;
        (0..(AREA_SIZE / 8) as u64)
            .map(|i| {
                let h = mix(seed.wrapping_add(i));
                match style % 4 {
                    0 => h,
                    1 => init_value(seed, i),
                    2 => h | 0x8080_8080_8080_8080, // every byte negative
                    _ => h & 0x7f7f_7f7f_7f7f_7f7f, // every byte positive
                }
            })
            .collect()
    }
}

/// The rendered program.
pub struct Rendered {
    /// The assembly source.
    pub source: String,
    /// How often each mnemonic appears (as written, without ordering suffixes).
    pub mnemonics: BTreeMap<&'static str, u64>,
    /// How often each rounding mode appears in an instruction: the static
    /// names, and `dyn/frm=N` for the dynamic mode with the `frm` value
    /// last written before it in program order (a static estimate).
    pub rounding: BTreeMap<String, u64>,
}

/// Renders `program` into one assembly source.
pub fn render(program: &Program) -> Rendered {
    let mut r = Renderer {
        out: String::new(),
        label: 0,
        forbidden: RESERVED,
        rvc: false,
        mnemonics: BTreeMap::new(),
        rounding: BTreeMap::new(),
        snippet: 0,
        mode: Mode::M,
        vm: VmSetup::default(),
        sp_adj: 0,
        frm: 0,
        sig: 0,
        dynamic: false,
    };
    r.out.push_str(&runtime());
    for (k, snippet) in program.snippets.iter().enumerate() {
        r.snippet(k, snippet);
    }
    r.norvc();
    r.out.push_str(&finish());
    r.out.push_str("\n    .section .rodata\n");
    r.out.push_str(STRINGS);
    for (k, s) in program.snippets.iter().enumerate() {
        writeln!(r.out, "    .balign 8\npristine_{k}:").unwrap();
        dwords(&mut r.out, &s.pattern());
        writeln!(r.out, "fregs_{k}:").unwrap();
        let fregs: Vec<u64> = (0..32).map(|i| s.freg_init(i)).collect();
        dwords(&mut r.out, &fregs);
    }
    r.out.push_str("\n    .data\n    .balign 64\nctx:\n");
    writeln!(r.out, "    .zero {CTX_SIZE}").unwrap();
    r.out.push_str(vm::TABLES);
    for (k, s) in program.snippets.iter().enumerate() {
        writeln!(r.out, "    .balign 4096\narea_{k}:").unwrap();
        dwords(&mut r.out, &s.pattern());
    }
    Rendered {
        source: r.out,
        mnemonics: r.mnemonics,
        rounding: r.rounding,
    }
}

fn dwords(out: &mut String, words: &[u64]) {
    for chunk in words.chunks(4) {
        let list: Vec<String> = chunk.iter().map(|w| format!("{w:#018x}")).collect();
        writeln!(out, "    .dword {}", list.join(", ")).unwrap();
    }
}

/// Renders one program (the floating-point items are in fp.rs).
pub(super) struct Renderer {
    pub(super) out: String,
    label: usize,
    forbidden: u32,
    rvc: bool,
    mnemonics: BTreeMap<&'static str, u64>,
    pub(super) rounding: BTreeMap<String, u64>,
    /// The snippet being rendered: its index, mode and address space.
    snippet: usize,
    mode: Mode,
    vm: VmSetup,
    /// How far the current `c.addi16sp` group moved `sp`.
    sp_adj: i64,
    /// The `frm` value last written in program order (statistics only).
    pub(super) frm: u8,
    /// Observations rendered in this snippet.
    pub(super) sig: usize,
    /// The S-mode body may change SUM and MXR (privileged items 4 and
    /// 5): the permission model must then hold for every setting.
    dynamic: bool,
}

/// An upper bound of the bytes a `li` expands to.
const LI_MAX: usize = 32;

impl Renderer {
    pub(super) fn norvc(&mut self) {
        if self.rvc {
            self.out.push_str("    .option norvc\n");
            self.rvc = false;
        }
    }

    pub(super) fn rvc(&mut self) {
        if !self.rvc {
            self.out.push_str("    .option rvc\n");
            self.rvc = true;
        }
    }

    pub(super) fn fresh(&mut self) -> String {
        self.label += 1;
        format!(".L{}", self.label)
    }

    pub(super) fn place(&mut self, label: &str) {
        writeln!(self.out, "{label}:").unwrap();
    }

    /// Emits one instruction of the vocabulary and counts its mnemonic.
    pub(super) fn insn(&mut self, name: &'static str, suffix: &str, operands: &str) {
        if name.starts_with("c.") {
            self.rvc();
        } else {
            self.norvc();
        }
        *self.mnemonics.entry(name).or_default() += 1;
        if operands.is_empty() {
            writeln!(self.out, "    {name}{suffix}").unwrap();
        } else {
            writeln!(self.out, "    {name}{suffix} {operands}").unwrap();
        }
    }

    /// Emits scaffolding (pseudo-instructions, directives): not counted.
    pub(super) fn raw(&mut self, line: &str) {
        self.norvc();
        writeln!(self.out, "    {line}").unwrap();
    }

    pub(super) fn writable(&self, r: u8) -> bool {
        self.forbidden & (1 << r) == 0
    }

    /// A destination: `raw`, or the next register the code may write.
    pub(super) fn wr(&self, raw: u8) -> u8 {
        let mut r = raw % 32;
        while !self.writable(r) {
            r = (r + 1) % 32;
        }
        r
    }

    /// A destination other than x0.
    pub(super) fn wr_nz(&self, raw: u8) -> u8 {
        let mut r = raw % 32;
        while r == 0 || !self.writable(r) {
            r = (r + 1) % 32;
        }
        r
    }

    /// A destination other than x0 and `other`.
    pub(super) fn wr_nz_not(&self, raw: u8, other: u8) -> u8 {
        let mut r = raw % 32;
        while r == 0 || r == other || !self.writable(r) {
            r = (r + 1) % 32;
        }
        r
    }

    /// A compressed-form destination (x8..x15) the code may write.
    pub(super) fn wr_c(&self, raw: u8) -> u8 {
        let mut r = 8 + raw % 8;
        while !self.writable(r) {
            r = 8 + (r - 8 + 1) % 8;
        }
        r
    }

    /// `li reg, value` if the register may be written (x0 never is).
    pub(super) fn preload(&mut self, reg: u8, value: Option<u64>) {
        if let Some(v) = value {
            if reg != 0 && self.writable(reg) {
                self.raw(&format!("li {}, {v:#x}", REG_NAMES[usize::from(reg)]));
            }
        }
    }

    fn snippet(&mut self, k: usize, s: &Snippet) {
        self.norvc();
        self.snippet = k;
        self.mode = s.mode;
        self.vm = s.vm;
        self.sp_adj = 0;
        self.frm = 0;
        self.sig = 0;
        self.dynamic = s.mode == Mode::S && s.body.iter().any(changes_sum_mxr);
        let user = s.mode != Mode::M;
        writeln!(
            self.out,
            "\n# ---- snippet {k} ({:?}-mode) ----\nsnippet_{k}:",
            s.mode
        )
        .unwrap();
        let csr = s.csr_init();
        let mut setup = format!(
            "    lla t0, area_{k}\n    sd t0, {CTX_AREA}(tp)\n    lla t0, pristine_{k}\n    \
             sd t0, {CTX_PRISTINE}(tp)\n    li t0, {k}\n    sd t0, {CTX_INDEX}(tp)\n    \
             sd zero, {CTX_COUNT}(tp)\n    sd zero, {CTX_EXIT}(tp)\n    jal ra, sig_clear\n"
        );
        if user {
            writeln!(setup, "    lla t0, done_{k}\n    sd t0, {CTX_DONE}(tp)").unwrap();
        } else {
            writeln!(setup, "    li t0, -1\n    sd t0, {CTX_DONE}(tp)").unwrap();
        }
        // mstatus: FS = Dirty (3), and MPP (S = 1, U = 0), SUM, MXR and TVM.
        let (mpp, sum, mxr, tvm) = match s.mode {
            Mode::M => (3u64, false, false, false),
            Mode::S => (1, s.vm.sum, s.vm.mxr, s.vm.tvm),
            Mode::U => (0, false, s.vm.mxr, false),
        };
        let bits = 3 << 13
            | mpp << 11
            | u64::from(sum) << 18
            | u64::from(mxr) << 19
            | u64::from(tvm) << 20;
        writeln!(
            setup,
            "    li t0, {:#x}\n    csrc mstatus, t0\n    li t0, {bits:#x}\n    csrs mstatus, t0",
            3u64 << 11 | 1 << 18 | 1 << 19 | 1 << 20
        )
        .unwrap();
        if user {
            setup.push_str(&vm::setup(k, s.mode, &s.vm));
        } else {
            setup.push_str("    csrw satp, zero\n");
        }
        for (name, v) in ["mscratch", "sscratch", "mepc", "sepc"].iter().zip(csr) {
            if user && *name == "mepc" {
                writeln!(setup, "    lla t0, body_{k}\n    csrw mepc, t0").unwrap();
            } else {
                writeln!(setup, "    li t0, {v:#x}\n    csrw {name}, t0").unwrap();
            }
        }
        writeln!(setup, "    lla t0, fregs_{k}").unwrap();
        for f in 0..32 {
            writeln!(setup, "    fld f{f}, {}(t0)", 8 * f).unwrap();
        }
        setup.push_str("    fscsr zero\n");
        for (r, name) in REG_NAMES.iter().enumerate().skip(1) {
            match r {
                2 => writeln!(setup, "    lla sp, area_{k} + {A_OFFSET}").unwrap(),
                4 => {}
                8 => writeln!(setup, "    lla s0, area_{k} + {}", A_OFFSET - 256).unwrap(),
                9 => writeln!(setup, "    lla s1, area_{k} + {}", A_OFFSET + 3).unwrap(),
                _ => writeln!(setup, "    li {name}, {:#x}", s.reg_init(r)).unwrap(),
            }
        }
        if user {
            writeln!(setup, "    mret\nbody_{k}:").unwrap();
        }
        self.out.push_str(&setup);
        self.out.push_str("# body\n");
        for item in &s.body {
            self.item(item);
        }
        self.norvc();
        self.out.push_str("# end of body\n");
        if user {
            // The handler stores the registers and comes back below, in M-mode.
            writeln!(
                self.out,
                "done_{k}:\n    ecall\n    csrw satp, zero\n    sfence.vma"
            )
            .unwrap();
        } else {
            for (r, name) in REG_NAMES.iter().enumerate().skip(1) {
                writeln!(self.out, "    sd {name}, {}(tp)", CTX_REGS + 8 * r).unwrap();
            }
        }
        for f in 0..32 {
            writeln!(self.out, "    fsd f{f}, {}(tp)", CTX_FREGS + 8 * f).unwrap();
        }
        writeln!(
            self.out,
            "    frcsr t0\n    sd t0, {CTX_FCSR}(tp)\n    li t0, {}\n    sd t0, {CTX_SIGN}(tp)\n    \
             jal ra, dump",
            self.sig.min(SIG_CAP)
        )
        .unwrap();
    }

    /// The offset from tp of the next observation slot.
    pub(super) fn next_observation(&mut self) -> usize {
        let slot = CTX_SIG + 16 * (self.sig % SIG_CAP);
        self.sig += 1;
        slot
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Op(op) => self.op(op),
            Item::Mem(m) => self.mem(m),
            Item::Amo(a) => self.amo(a),
            Item::LrSc(l) => self.lrsc(l),
            Item::Csr(c) => self.csr(c),
            Item::Li(rd, v) => {
                let rd = self.wr_nz(*rd);
                self.preload(rd, Some(v.get()));
            }
            Item::Illegal(family, bits) => {
                let (pattern, free, len) = ILLEGAL[usize::from(*family) % ILLEGAL.len()];
                let word = pattern | (bits & free);
                if len == 2 {
                    self.raw(&format!(".half {word:#06x}      # illegal"));
                } else {
                    self.raw(&format!(".word {word:#010x}  # illegal"));
                }
            }
            Item::Hint(family, bits) => {
                let (pattern, free, len) = HINTS[usize::from(*family) % HINTS.len()];
                let word = pattern | (bits & free);
                if len == 2 {
                    self.raw(&format!(".half {word:#06x}      # hint"));
                } else {
                    self.raw(&format!(".word {word:#010x}  # fence, reserved fields set"));
                }
            }
            Item::Smc(s) => self.smc(s),
            Item::FetchFault(f) => self.fetch_fault(f),
            Item::SpGroup(adj, inner) => self.sp_group(*adj, inner),
            Item::Branch(b) => self.branch(b),
            Item::Jump(j) => self.jump(j),
            Item::Loop(l) => self.looped(l),
            Item::Fp(f) => self.fp(f),
            Item::FpMem(m) => self.fp_mem(m),
            Item::Fcsr(c) => self.fcsr(c),
            Item::FpIllegal(family, bits) => {
                let (pattern, free, _) = FP_ILLEGAL[usize::from(*family) % FP_ILLEGAL.len()];
                let word = pattern | (bits & free);
                self.raw(&format!(".word {word:#010x}  # reserved F/D encoding"));
            }
            Item::Probe(p) => self.probe(p),
            Item::Priv(p) => self.privileged(p),
            Item::Asm(text) => {
                self.norvc();
                for line in text.lines() {
                    writeln!(self.out, "    {}", line.trim()).unwrap();
                }
                // The text may have switched to rvc: switch back explicitly.
                self.rvc = true;
                self.norvc();
            }
        }
    }

    fn op(&mut self, o: &OpItem) {
        let def = OPS[usize::from(o.op) % OPS.len()];
        let (v1, v2) = o.pre.values();
        let n = |r: u8| REG_NAMES[usize::from(r)];
        match def.form {
            Form::R => {
                let (rs1, rs2) = (o.rs1 % 32, o.rs2 % 32);
                self.preload(rs1, v1);
                self.preload(rs2, v2);
                let rd = self.wr(o.rd);
                self.insn(def.name, "", &format!("{}, {}, {}", n(rd), n(rs1), n(rs2)));
            }
            Form::I | Form::Sh6 | Form::Sh5 => {
                let rs1 = o.rs1 % 32;
                self.preload(rs1, v1);
                let imm = match def.form {
                    Form::I => o.imm.pick(-2048, 2047, 1, IMM12_EDGES),
                    Form::Sh6 => o.imm.pick(0, 63, 1, SH6_EDGES),
                    _ => o.imm.pick(0, 31, 1, SH5_EDGES),
                };
                let rd = self.wr(o.rd);
                self.insn(def.name, "", &format!("{}, {}, {imm}", n(rd), n(rs1)));
            }
            Form::Unary => {
                let rs1 = o.rs1 % 32;
                if def.name == "ctzw" {
                    // QEMU 7.2 counts a zero low word's trailing zeros in
                    // all 64 bits (see "What is not generated"): rs1 is
                    // always loaded, and a zero low word comes with bit
                    // 32 set or a zero upper word, where both give 32.
                    let raw = v1.or(v2).unwrap_or(match o.imm {
                        Imm::Edge(i) => EDGES[usize::from(i) % EDGES.len()],
                        Imm::Any(v) => u64::from(v) << 32,
                    });
                    self.preload(rs1, Some(ctzw_operand(raw)));
                } else {
                    self.preload(rs1, v1);
                }
                let rd = self.wr(o.rd);
                self.insn(def.name, "", &format!("{}, {}", n(rd), n(rs1)));
            }
            Form::U => {
                let rd = self.wr(o.rd);
                let imm = o.imm.pick(0, 0xfffff, 1, IMM20_EDGES);
                self.insn(def.name, "", &format!("{}, {imm:#x}", n(rd)));
            }
            Form::Bare => self.insn(def.name, "", ""),
            Form::Fence => {
                const SETS: [&str; 8] = ["r", "w", "rw", "i", "o", "io", "iorw", "ow"];
                let bits = match o.imm {
                    Imm::Edge(i) => u32::from(i),
                    Imm::Any(v) => v,
                };
                let pred = SETS[(bits % 8) as usize];
                let succ = SETS[((bits >> 3) % 8) as usize];
                self.insn("fence", "", &format!("{pred}, {succ}"));
            }
            Form::CAddi | Form::CAddiw | Form::CSlli => {
                let rd = self.wr_nz(o.rd);
                self.preload(rd, v1);
                let imm = match def.form {
                    Form::CAddi => o.imm.pick_nonzero(-32, 31, 1, IMM6_EDGES),
                    Form::CAddiw => o.imm.pick(-32, 31, 1, IMM6_EDGES),
                    _ => o.imm.pick_nonzero(1, 63, 1, SH6_EDGES),
                };
                self.insn(def.name, "", &format!("{}, {imm}", n(rd)));
            }
            Form::CLi => {
                let rd = self.wr_nz(o.rd);
                let imm = o.imm.pick(-32, 31, 1, IMM6_EDGES);
                self.insn(def.name, "", &format!("{}, {imm}", n(rd)));
            }
            Form::CLui => {
                let rd = self.wr_nz(o.rd); // sp is never writable
                let v = o.imm.pick(0, 63, 1, &[0, 30, 31, 32, 63]);
                // nzimm[17:12] as the assembler takes it: 1..=31 or 0xfffe0..=0xfffff.
                let imm = match v {
                    0 => CLUI_EDGES[0],
                    1..=31 => v,
                    _ => 0xfffe0 + (v - 32),
                };
                self.insn(def.name, "", &format!("{}, {imm:#x}", n(rd)));
            }
            Form::CShiftP | Form::CAndi => {
                let rd = self.wr_c(o.rd);
                self.preload(rd, v1);
                let imm = if def.form == Form::CAndi {
                    o.imm.pick(-32, 31, 1, IMM6_EDGES)
                } else {
                    o.imm.pick_nonzero(1, 63, 1, SH6_EDGES)
                };
                self.insn(def.name, "", &format!("{}, {imm}", n(rd)));
            }
            Form::CA => {
                let rd = self.wr_c(o.rd);
                let rs2 = 8 + o.rs2 % 8;
                self.preload(rd, v1);
                self.preload(rs2, v2);
                self.insn(def.name, "", &format!("{}, {}", n(rd), n(rs2)));
            }
            Form::CMv | Form::CAdd => {
                let rd = self.wr_nz(o.rd);
                let rs2 = match o.rs2 % 32 {
                    0 => 1,
                    r => r,
                };
                if def.form == Form::CAdd {
                    self.preload(rd, v1);
                }
                self.preload(rs2, v2);
                self.insn(def.name, "", &format!("{}, {}", n(rd), n(rs2)));
            }
            Form::CAddi4spn => {
                let rd = self.wr_c(o.rd);
                let imm = o.imm.pick_nonzero(4, 1020, 4, &[4, 1020, 8, 512]);
                self.insn(def.name, "", &format!("{}, sp, {imm}", n(rd)));
            }
        }
    }

    fn mem(&mut self, m: &MemItem) {
        let def = MEM_OPS[usize::from(m.op) % MEM_OPS.len()];
        let n = |r: u8| REG_NAMES[usize::from(r)];
        let reg = match (def.store, def.form) {
            (true, MemForm::Compact) => 8 + m.reg % 8,
            (true, _) => m.reg % 32,
            (false, MemForm::Compact) => self.wr_c(m.reg),
            (false, MemForm::Stack) => self.wr_nz(m.reg),
            (false, MemForm::Full) => self.wr(m.reg),
        };
        if def.store {
            self.preload(reg, m.pre.map(Val::get));
        }
        let size = i64::from(def.size);
        let (base, off) = match def.form {
            MemForm::Full => match m.base % 4 {
                0 => (2, m.imm.pick(-2048, 2047, 1, OFFSET_EDGES)),
                1 => (8, m.imm.pick(-2048, 2047, 1, OFFSET_EDGES)),
                2 => (9, m.imm.pick(-2048, 2047, 1, OFFSET_EDGES)),
                _ => {
                    // Unmapped addresses. Loads only naturally aligned: for
                    // a misaligned load that faults, QEMU 7.2 reports mtval
                    // rounded down to the access size (see differential.rs).
                    let lo = if AVOID_TOP_PAGE { 0 } else { -2048 };
                    let align = if def.store { 1 } else { size };
                    let mut off = m.imm.pick(lo, 2047 - 7, align, OFFSET_EDGES);
                    if off < 0 && off + size > 0 {
                        // Not across the end of the address space into 0.
                        off -= 8;
                    }
                    (0, off)
                }
            },
            MemForm::Compact => (
                8 + (m.base % 2),
                m.imm.pick(0, 31 * size, size, &[0, 31 * size, size]),
            ),
            MemForm::Stack => (2, m.imm.pick(0, 63 * size, size, &[0, 63 * size, size])),
        };
        let off = if def.store {
            self.unsplit_store(base, off, size)
        } else {
            off
        };
        self.insn(def.name, "", &format!("{}, {off}({})", n(reg), n(base)));
    }

    /// The offset in the data area of base register `base` (sp, s0, s1).
    pub(super) fn area_offset(&self, base: u8) -> Option<i64> {
        match base {
            2 => Some(A_OFFSET + self.sp_adj),
            8 => Some(A_OFFSET - 256),
            9 => Some(A_OFFSET + 3),
            _ => None,
        }
    }

    /// `off` for a store of `size` bytes at `off(base)`, moved 8 bytes
    /// down if in an S/U snippet it would straddle the area's two pages
    /// while only the first is writable: whether a store whose second
    /// part faults writes its first part is left to the implementation
    /// (a misaligned access "may be decomposed into a set of component
    /// memory operations of any granularity").
    pub(super) fn unsplit_store(&self, base: u8, off: i64, size: i64) -> i64 {
        let Some(start) = self.area_offset(base).map(|b| b + off) else {
            return off;
        };
        let splits = start < 4096 && start + size > 4096;
        let p1 = self.vm.p1();
        if splits && !self.always(|vm| p1.allows(self.mode, vm, Access::Write)) {
            off - 8
        } else {
            off
        }
    }

    /// Whether `allowed` holds for every SUM/MXR setting the body may
    /// run with (for M-mode, always).
    pub(super) fn always(&self, allowed: impl Fn(&VmSetup) -> bool) -> bool {
        self.settings().iter().all(allowed)
    }

    /// Whether `allowed` holds for some SUM/MXR setting the body may run
    /// with.
    pub(super) fn ever(&self, allowed: impl Fn(&VmSetup) -> bool) -> bool {
        self.settings().iter().any(allowed)
    }

    fn settings(&self) -> Vec<VmSetup> {
        if self.mode == Mode::M {
            return Vec::new();
        }
        if !self.dynamic {
            return vec![self.vm];
        }
        [(false, false), (false, true), (true, false), (true, true)]
            .iter()
            .map(|&(sum, mxr)| VmSetup {
                sum,
                mxr,
                ..self.vm
            })
            .collect()
    }

    /// Counts a mnemonic rendered some other way (`.insn`).
    pub(super) fn count(&mut self, name: &'static str) {
        *self.mnemonics.entry(name).or_default() += 1;
    }

    /// `addi addr, base, off` with `off` aligned to `size`; returns the
    /// address register. `first_page`: in S/U snippets, keep the address
    /// in the area's first page (always writable).
    fn address(
        &mut self,
        addr: u8,
        base: u8,
        off: Imm,
        size: i64,
        avoid: u8,
        first_page: bool,
    ) -> u8 {
        let addr = self.wr_nz_not(addr, avoid);
        let (base, at) = if base.is_multiple_of(2) {
            ("sp", A_OFFSET + self.sp_adj)
        } else {
            ("s0", A_OFFSET - 256)
        };
        let mut off = off.pick(-2048, 2047 - 7, size, OFFSET_EDGES);
        if first_page && self.mode != Mode::M && at + off + size > 4096 {
            off -= 2048;
        }
        self.insn(
            "addi",
            "",
            &format!("{}, {base}, {off}", REG_NAMES[usize::from(addr)]),
        );
        addr
    }

    fn amo(&mut self, a: &AmoItem) {
        let size = if a.double { 8 } else { 4 };
        // QEMU 7.2 reports an AMO to a page it may not read as a load page
        // fault (13): keep AMOs in the first page unless the second is readable.
        let p1 = self.vm.p1();
        let unreadable = !self.always(|vm| p1.allows(self.mode, vm, Access::Read));
        let addr = self.address(a.addr, a.base, a.off, size, 0, unreadable);
        let rs2 = a.rs2 % 32;
        if rs2 != addr {
            self.preload(rs2, a.pre.map(Val::get));
        }
        let rd = self.wr(a.rd);
        let name = amo_name(usize::from(a.op) % AMO_OPS.len(), a.double);
        let order = ORDERINGS[usize::from(a.order) % ORDERINGS.len()];
        let n = |r: u8| REG_NAMES[usize::from(r)];
        self.insn(
            name,
            order,
            &format!("{}, {}, ({})", n(rd), n(rs2), n(addr)),
        );
    }

    fn lrsc(&mut self, l: &LrScItem) {
        let size = if l.double { 8 } else { 4 };
        let (lr, sc) = if l.double {
            ("lr.d", "sc.d")
        } else {
            ("lr.w", "sc.w")
        };
        let o1 = ORDERINGS[usize::from(l.order.0) % ORDERINGS.len()];
        let o2 = ORDERINGS[usize::from(l.order.1) % ORDERINGS.len()];
        let n = |r: u8| REG_NAMES[usize::from(r)];
        match l.shape % 3 {
            0 => {
                let addr = self.address(l.addr, l.base, l.off, size, 0, true);
                // Nothing between LR and SC may write the address register.
                let saved = self.forbidden;
                self.forbidden |= 1 << addr;
                let rd = self.wr(l.rd_lr);
                self.insn(lr, o1, &format!("{}, ({})", n(rd), n(addr)));
                for m in &l.middle {
                    if super::vocab::quiet(OPS[usize::from(m.op) % OPS.len()].form) {
                        self.op(&OpItem {
                            pre: Preload::None,
                            ..m.clone()
                        });
                    }
                }
                let rd = self.wr(l.rd_sc);
                self.forbidden = saved;
                self.insn(
                    sc,
                    o2,
                    &format!("{}, {}, ({})", n(rd), n(l.rs2 % 32), n(addr)),
                );
            }
            1 => {
                let addr = self.address(l.addr, l.base, l.off, size, 0, true);
                let rd = self.wr(l.rd_sc);
                self.insn(
                    sc,
                    o2,
                    &format!("{}, {}, ({})", n(rd), n(l.rs2 % 32), n(addr)),
                );
            }
            _ => {
                let addr = self.wr_nz(l.addr);
                let target = l.off.pick(0, 0x7f8, size, &[0, 8, 0x7f8]);
                self.raw(&format!("li {}, {target:#x}", n(addr)));
                let rd = self.wr(l.rd_lr);
                self.insn(lr, o1, &format!("{}, ({})", n(rd), n(addr)));
            }
        }
    }

    fn csr(&mut self, c: &CsrItem) {
        let op = CSR_OPS[usize::from(c.op) % CSR_OPS.len()];
        let (csr, kind) = CSRS[usize::from(c.csr) % CSRS.len()];
        let immediate = op.ends_with('i');
        let writes_bits = matches!(op, "csrrw" | "csrrs" | "csrrwi" | "csrrsi");
        let rd = self.wr(c.rd);
        let n = |r: u8| REG_NAMES[usize::from(r)];
        if immediate {
            let mut uimm = c.uimm % 32;
            if kind == CsrKind::Epc && writes_bits {
                uimm &= !1;
            }
            self.insn(op, "", &format!("{}, {csr}, {uimm}", n(rd)));
            return;
        }
        let mut rs1 = if c.rs1.is_multiple_of(32) {
            0
        } else {
            self.wr_nz(c.rs1)
        };
        let mut value = c.pre.map(Val::get);
        match kind {
            CsrKind::Epc if writes_bits && rs1 != 0 => {
                value = Some(value.unwrap_or_else(|| mix(u64::from(c.uimm))) & !1);
            }
            CsrKind::ReadOnly if op != "csrrw" => rs1 = 0,
            _ => {}
        }
        self.preload(rs1, value);
        self.insn(op, "", &format!("{}, {csr}, {}", n(rd), n(rs1)));
    }

    fn smc(&mut self, s: &SmcItem) {
        const KINDS: [(&str, u32, u32); 7] = [
            ("addi", 0, 0x13),
            ("slti", 2, 0x13),
            ("sltiu", 3, 0x13),
            ("xori", 4, 0x13),
            ("ori", 6, 0x13),
            ("andi", 7, 0x13),
            ("addiw", 0, 0x1b),
        ];
        let (name, funct3, opcode) = KINDS[usize::from(s.op) % KINDS.len()];
        let rd = self.wr(s.rd);
        let rs1 = s.rs1 % 32;
        let imm = s.imm.pick(-2048, 2047, 1, IMM12_EDGES);
        let word = ((imm & 0xfff) as u32) << 20
            | u32::from(rs1) << 15
            | funct3 << 12
            | u32::from(rd) << 7
            | opcode;
        let t_addr = self.wr_nz(s.tmp.0);
        let t_word = self.wr_nz_not(s.tmp.1, t_addr);
        let label = self.fresh();
        let n = |r: u8| REG_NAMES[usize::from(r)];
        self.raw(&format!("lla {}, {label}", n(t_addr)));
        self.raw(&format!("li {}, {word:#x}", n(t_word)));
        self.insn("sw", "", &format!("{}, 0({})", n(t_word), n(t_addr)));
        self.insn("fence.i", "", "");
        self.place(&label);
        // Before the store this is `addi rd, rd, 1`: a stale decode shows.
        let old = 1 << 20 | u32::from(rd) << 15 | u32::from(rd) << 7 | 0x13;
        self.raw(&format!(
            ".word {old:#010x}  # replaced by: {name} {}, {}, {imm}",
            n(rd),
            n(rs1)
        ));
        *self.mnemonics.entry(name).or_default() += 1;
    }

    fn fetch_fault(&mut self, f: &FetchFaultItem) {
        let n = |r: u8| REG_NAMES[usize::from(r)];
        let recover = self.fresh();
        let tmp = self.wr_nz(f.tmp);
        self.raw(&format!("lla {}, {recover}", n(tmp)));
        self.raw(&format!("sd {}, {CTX_RECOVER}(tp)", n(tmp)));
        match f.kind % 3 {
            0 => {
                let rd = self.wr(f.rd);
                let lo = if AVOID_TOP_PAGE { 0 } else { -2048 };
                let imm = f.target.pick(lo, 2047, 1, &[0, 2, 0x7fe, -2048, -2]);
                self.insn("jalr", "", &format!("{}, {imm}({})", n(rd), n(0)));
            }
            kind => {
                const TARGETS: [u64; 4] = [0, 0x7fe, 0x8400_0000, 0x1_0000_0000_0000];
                let t = match f.target {
                    Imm::Edge(i) => TARGETS[usize::from(i) % 4],
                    Imm::Any(v) => TARGETS[(v % 4) as usize],
                };
                self.raw(&format!("li {}, {t:#x}", n(tmp)));
                // c.jalr links in ra, which may be a loop counter here.
                let name = if kind == 1 || !self.writable(1) {
                    "c.jr"
                } else {
                    "c.jalr"
                };
                self.insn(name, "", n(tmp));
            }
        }
        self.place(&recover);
    }

    fn sp_group(&mut self, adj: Imm, inner: &[Item]) {
        let adj = adj.pick_nonzero(-512, 496, 16, &[-512, 496, 16, -16]);
        self.insn("c.addi16sp", "", &format!("sp, {adj}"));
        let outer = self.sp_adj;
        self.sp_adj += adj;
        for item in inner {
            self.item(item);
        }
        self.sp_adj = outer;
        if adj == -512 {
            self.insn("c.addi16sp", "", "sp, 496");
            self.insn("c.addi16sp", "", "sp, 16");
        } else {
            self.insn("c.addi16sp", "", &format!("sp, {}", -adj));
        }
    }

    fn branch(&mut self, b: &BranchItem) {
        let name = BRANCHES[usize::from(b.op) % BRANCHES.len()];
        let compressed = name.starts_with("c.");
        let (v1, v2) = b.pre.values();
        let skip = self.fresh();
        let n = |r: u8| REG_NAMES[usize::from(r)];
        // Offsets: c.beqz/c.bnez reach +254, the others +4094; the shadow
        // and the padding are cut to fit by an upper bound of their size.
        let limit = if compressed { 240 } else { 4000 };
        if compressed {
            let rs1 = 8 + b.rs1 % 8;
            self.preload(rs1, v1);
            self.insn(name, "", &format!("{}, {skip}", n(rs1)));
        } else {
            let (rs1, rs2) = (b.rs1 % 32, b.rs2 % 32);
            self.preload(rs1, v1);
            self.preload(rs2, v2);
            self.insn(name, "", &format!("{}, {}, {skip}", n(rs1), n(rs2)));
        }
        let used = self.shadow(&b.shadow, limit);
        let pad = usize::from(b.pad % 600).min((limit - used) / 4);
        if pad > 0 {
            self.raw(&format!(".fill {pad}, 4, 0x00000013"));
        }
        self.place(&skip);
    }

    /// Renders the items that fit in `budget` bytes (upper bound).
    fn shadow(&mut self, items: &[Item], budget: usize) -> usize {
        let mut used = 0;
        for item in items {
            let size = size_bound(item);
            if used + size > budget {
                break;
            }
            used += size;
            self.item(item);
        }
        used
    }

    fn jump(&mut self, j: &JumpItem) {
        let target = self.fresh();
        let n = |r: u8| REG_NAMES[usize::from(r)];
        let odd = u8::from(j.odd);
        match j.kind % 5 {
            0 => {
                let rd = self.wr(j.rd);
                self.insn("jal", "", &format!("{}, {target}", n(rd)));
            }
            1 => {
                let rs1 = self.wr_nz(j.rs1);
                let imm = j.imm.pick(-2048, 2047, 1, IMM12_EDGES);
                self.raw(&format!("lla {}, {target} - ({imm}) + {odd}", n(rs1)));
                let rd = self.wr(j.rd);
                self.insn("jalr", "", &format!("{}, {imm}({})", n(rd), n(rs1)));
            }
            2 => self.insn("c.j", "", &target),
            kind => {
                let rs1 = self.wr_nz(j.rs1);
                self.raw(&format!("lla {}, {target} + {odd}", n(rs1)));
                // c.jalr links in ra, which may be a loop counter here.
                let name = if kind == 3 || !self.writable(1) {
                    "c.jr"
                } else {
                    "c.jalr"
                };
                self.insn(name, "", n(rs1));
            }
        }
        self.shadow(&j.shadow, 1000);
        self.place(&target);
    }

    fn looped(&mut self, l: &LoopItem) {
        let kind = l.kind % 6;
        let counter = if kind == 1 || kind == 5 {
            self.wr_c(l.counter)
        } else {
            self.wr_nz(l.counter)
        };
        let c = REG_NAMES[usize::from(counter)];
        let trips = match kind {
            0..=3 => 1 + l.trips % 4,
            _ => l.trips % 5,
        };
        let top = self.fresh();
        let end = self.fresh();
        self.raw(&format!("li {c}, {trips}"));
        let saved = self.forbidden;
        self.forbidden |= 1 << counter;
        self.place(&top);
        match kind {
            4 => self.insn("beq", "", &format!("{c}, zero, {end}")),
            5 => self.insn("c.beqz", "", &format!("{c}, {end}")),
            _ => {}
        }
        // c.bnez/c.beqz reach 256 bytes back/forward.
        let budget = if kind == 1 || kind == 5 { 200 } else { 1500 };
        self.shadow(&l.body, budget);
        self.forbidden = saved;
        match kind {
            1 | 5 => self.insn("c.addi", "", &format!("{c}, -1")),
            _ => self.insn("addi", "", &format!("{c}, {c}, -1")),
        }
        match kind {
            0 => self.insn("bne", "", &format!("{c}, zero, {top}")),
            1 => self.insn("c.bnez", "", &format!("{c}, {top}")),
            2 => self.insn("blt", "", &format!("zero, {c}, {top}")),
            3 => self.insn("bltu", "", &format!("zero, {c}, {top}")),
            4 => self.insn("jal", "", &format!("zero, {top}")),
            _ => self.insn("c.j", "", &top),
        }
        self.place(&end);
    }
}

impl Renderer {
    fn probe(&mut self, p: &ProbeItem) {
        if self.mode == Mode::M {
            // The probe mappings exist only under Sv39.
            return;
        }
        let target = vm::PROBE_TARGETS[usize::from(p.target) % vm::PROBE_TARGETS.len()];
        let (name, size, kind) = PROBE_OPS[usize::from(p.op) % PROBE_OPS.len()];
        let access = match kind {
            ProbeKind::Load | ProbeKind::FLoad | ProbeKind::Lr => Access::Read,
            ProbeKind::Store | ProbeKind::FStore | ProbeKind::Amo => Access::Write,
            ProbeKind::Fetch => Access::Exec,
        };
        let mode = self.mode;
        let allowed = self.ever(|vm| target.allows(mode, vm, access));
        if kind == ProbeKind::Fetch && (allowed || self.ever(|vm| target.qemu_fetches(mode, vm))) {
            // A fetch that succeeds would run data as code.
            return;
        }
        // Offsets from the register: the middle of a probe page (loads may
        // cross into the next page, stores may not: see unsplit_store), or
        // the alias of sp (staying in the data area).
        let (lo, hi) = match target.base() {
            Some(_) => (
                -2048,
                if access == Access::Read {
                    2047
                } else {
                    2048 - size
                },
            ),
            None => {
                let at = A_OFFSET + self.sp_adj;
                ((-2048).max(-at), 2047.min(AREA_SIZE - size - at))
            }
        };
        let align = match kind {
            ProbeKind::Amo | ProbeKind::Lr => size,
            ProbeKind::Fetch => 2,
            _ => 1,
        };
        let off = p
            .off
            .pick(lo, hi, align, &[0, -2048, 2047, 2044, 2040, 1, -1]);
        let n = |r: u8| REG_NAMES[usize::from(r)];
        let tmp = self.wr_nz(p.tmp);
        let recover = self.fresh();
        if kind == ProbeKind::Fetch {
            self.raw(&format!("lla {}, {recover}", n(tmp)));
            self.raw(&format!("sd {}, {CTX_RECOVER}(tp)", n(tmp)));
        }
        // Everything that takes no offset gets the whole address.
        let whole = matches!(kind, ProbeKind::Amo | ProbeKind::Lr) || name == "c.jr";
        let (addr, off) = if whole { (off, 0) } else { (0, off) };
        match target.base() {
            Some(base) => self.raw(&format!(
                "li {}, {:#x}",
                n(tmp),
                base.wrapping_add(addr as u64)
            )),
            None => {
                self.raw(&format!("li {}, {}", n(tmp), target.delta() + addr));
                self.raw(&format!("add {}, {}, sp", n(tmp), n(tmp)));
            }
        }
        let t = n(tmp);
        match kind {
            ProbeKind::Load => {
                let rd = self.wr(p.reg);
                self.insn(name, "", &format!("{}, {off}({t})", n(rd)));
            }
            ProbeKind::Store => {
                self.insn(name, "", &format!("{}, {off}({t})", n(p.reg % 32)));
            }
            ProbeKind::FLoad | ProbeKind::FStore => {
                self.insn(name, "", &format!("f{}, {off}({t})", p.reg % 32));
            }
            ProbeKind::Amo => {
                let rs2 = p.reg.wrapping_mul(7) % 32;
                if self.always(|vm| target.allows(mode, vm, Access::Read)) {
                    let rd = self.wr(p.reg);
                    self.insn(name, "", &format!("{}, {}, ({t})", n(rd), n(rs2)));
                } else {
                    // QEMU 7.2 reports an AMO to a page it may not read as
                    // a load page fault (13): a store instead.
                    let store = if size == 8 { "sd" } else { "sw" };
                    self.insn(store, "", &format!("{}, 0({t})", n(rs2)));
                }
            }
            ProbeKind::Lr => {
                let rd = self.wr(p.reg);
                if allowed {
                    // An LR that succeeds would leave a reservation behind.
                    let load = if size == 8 { "ld" } else { "lw" };
                    self.insn(load, "", &format!("{}, 0({t})", n(rd)));
                } else {
                    self.insn(name, "", &format!("{}, ({t})", n(rd)));
                }
            }
            ProbeKind::Fetch => {
                if name == "c.jr" {
                    self.insn(name, "", t);
                } else {
                    let rd = self.wr(p.reg);
                    self.insn(name, "", &format!("{}, {off}({t})", n(rd)));
                }
                self.place(&recover);
            }
        }
    }

    fn privileged(&mut self, p: &PrivItem) {
        let n = |r: u8| REG_NAMES[usize::from(r)];
        match (p.kind % PRIV_KINDS, self.mode) {
            (kind @ (4 | 5), _) => {
                const MASKS: [u64; 3] = [1 << 18, 1 << 19, 3 << 18];
                let rs = self.wr_nz(p.reg);
                let mask = MASKS[usize::from(p.reg2) % 3];
                self.raw(&format!("li {}, {mask:#x}", n(rs)));
                let op = if kind == 4 { "csrrs" } else { "csrrc" };
                self.insn(op, "", &format!("zero, sstatus, {}", n(rs)));
            }
            (1, Mode::S | Mode::U) => self.insn("mret", "", ""),
            (2, Mode::U) => self.insn("sret", "", ""),
            (3, _) => {
                let rd = self.wr(p.reg);
                self.insn("csrrs", "", &format!("{}, satp, zero", n(rd)));
            }
            // Where it is illegal (U-mode, S-mode with TVM), QEMU 7.2
            // writes mtval = 0 and rivet the instruction's bits, as for
            // every illegal instruction; see the test's documentation.
            (6, Mode::U) => {}
            (6, Mode::S) if self.vm.tvm => {}
            (6, _) => {
                let (rs1, rs2) = (p.reg % 32, p.reg2 % 32);
                self.insn("sinval.vma", "", &format!("{}, {}", n(rs1), n(rs2)));
            }
            // QEMU 7.2 runs these two in U-mode, where the spec makes them
            // illegal (test-roms/src/vm-svext.S, case 17, pins rivet's trap).
            (7 | 8, Mode::U) => {}
            (7, _) => self.insn("sfence.w.inval", "", ""),
            (8, _) => self.insn("sfence.inval.ir", "", ""),
            _ => {
                let (rs1, rs2) = (p.reg % 32, p.reg2 % 32);
                self.insn("sfence.vma", "", &format!("{}, {}", n(rs1), n(rs2)));
            }
        }
    }
}

/// Whether `item` is or holds a write of SUM or MXR.
fn changes_sum_mxr(item: &Item) -> bool {
    match item {
        Item::Priv(p) => matches!(p.kind % PRIV_KINDS, 4 | 5),
        Item::SpGroup(_, inner) => inner.iter().any(changes_sum_mxr),
        Item::Branch(b) => b.shadow.iter().any(changes_sum_mxr),
        Item::Jump(j) => j.shadow.iter().any(changes_sum_mxr),
        Item::Loop(l) => l.body.iter().any(changes_sum_mxr),
        _ => false,
    }
}

fn amo_name(op: usize, double: bool) -> &'static str {
    const W: [&str; 9] = [
        "amoswap.w",
        "amoadd.w",
        "amoxor.w",
        "amoand.w",
        "amoor.w",
        "amomin.w",
        "amomax.w",
        "amominu.w",
        "amomaxu.w",
    ];
    const D: [&str; 9] = [
        "amoswap.d",
        "amoadd.d",
        "amoxor.d",
        "amoand.d",
        "amoor.d",
        "amomin.d",
        "amomax.d",
        "amominu.d",
        "amomaxu.d",
    ];
    debug_assert_eq!(AMO_OPS.len(), W.len());
    if double {
        D[op]
    } else {
        W[op]
    }
}

/// An upper bound of the bytes `item` renders to.
fn size_bound(item: &Item) -> usize {
    match item {
        Item::Op(_) => 4 + 2 * LI_MAX,
        Item::Mem(_) => 4 + LI_MAX,
        Item::Amo(_) => 8 + LI_MAX,
        Item::LrSc(l) => 12 + 4 * l.middle.len() + LI_MAX,
        Item::Csr(_) => 4 + LI_MAX,
        Item::Li(..) => LI_MAX,
        Item::Illegal(..) | Item::Hint(..) => 4,
        Item::Smc(_) => 20 + LI_MAX,
        Item::FetchFault(_) => 16 + LI_MAX,
        Item::SpGroup(_, inner) => 6 + inner.iter().map(size_bound).sum::<usize>(),
        Item::Branch(b) => {
            4 + 2 * LI_MAX
                + 4 * usize::from(b.pad % 600)
                + b.shadow.iter().map(size_bound).sum::<usize>()
        }
        Item::Jump(j) => 12 + j.shadow.iter().map(size_bound).sum::<usize>(),
        Item::Loop(l) => 16 + LI_MAX + l.body.iter().map(size_bound).sum::<usize>(),
        Item::Fp(_) => 20 + 4 * (LI_MAX + 4),
        Item::FpMem(_) => 8 + LI_MAX,
        Item::Fcsr(_) => 4 + LI_MAX,
        Item::FpIllegal(..) => 4,
        Item::Probe(_) => 20 + LI_MAX,
        Item::Priv(_) => 4,
        Item::Asm(_) => usize::MAX / 4,
    }
}

/// The start of the program: entry, trap handler and dump routines.
fn runtime() -> String {
    let regs: String = (1..32)
        .filter(|r| !(5..=7).contains(r))
        .map(|r| format!("    sd x{r}, {}(tp)\n", CTX_REGS + 8 * r))
        .collect();
    format!(
        r#"# Generated by frontend/tests/differential.rs: one program, run on rivet
# and on QEMU; the UART dumps must match.
    .option norvc
    # Svinval (GCC 12 refuses it in -march; GNU as 2.40 knows it).
    .option arch, +svinval
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    lla t0, trap_entry
    csrw mtvec, t0
    lla tp, ctx
    # PMP entry 0: everything, for S and U (NAPOT, R, W, X).
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    j snippet_0

# The trap handler: the ending ecall of an S/U body (at ctx.done) goes to
# vm_done; anything else is logged (mcause, mepc, mtval: the first
# {LOG_CAP} traps; counts them all) and resumed after the trapping
# instruction (2 or 4 bytes on, from its low bits), or for an instruction
# access or page fault at the recovery point the code stored in ctx.
    .balign 64, 0
trap_entry:
    sd t0, {s0}(tp)
    sd t1, {s1}(tp)
    sd t2, {s2}(tp)
    csrr t0, mepc
    ld t1, {CTX_DONE}(tp)
    beq t0, t1, vm_done
    ld t0, {CTX_COUNT}(tp)
    addi t1, t0, 1
    sd t1, {CTX_COUNT}(tp)
    li t1, {LOG_CAP}
    bgeu t0, t1, 1f
    slli t0, t0, 5
    add t0, t0, tp
    csrr t1, mcause
    sd t1, {CTX_LOG}(t0)
    csrr t1, mepc
    sd t1, {l8}(t0)
    csrr t1, mtval
    sd t1, {l16}(t0)
1:  csrr t0, mcause
    li t1, 1
    beq t0, t1, 4f
    li t1, 12
    bne t0, t1, 2f
4:  ld t0, {CTX_RECOVER}(tp)
    j 3f
2:  csrr t0, mepc
    lhu t1, 0(t0)
    addi t0, t0, 2
    andi t1, t1, 3
    li t2, 3
    bne t1, t2, 3f
    addi t0, t0, 2
3:  csrw mepc, t0
    ld t0, {s0}(tp)
    ld t1, {s1}(tp)
    ld t2, {s2}(tp)
    mret

# vm_done: the end of an S/U body. Stores x1..x31 as the body left them
# (t0..t2 from the handler's save area) and mcause, then continues in
# M-mode after the ecall.
vm_done:
{regs}    ld t0, {s0}(tp)
    sd t0, {r5}(tp)
    ld t0, {s1}(tp)
    sd t0, {r6}(tp)
    ld t0, {s2}(tp)
    sd t0, {r7}(tp)
    csrr t0, mcause
    sd t0, {CTX_EXIT}(tp)
    csrr t0, mepc
    addi t0, t0, 4
    jr t0
{routines}
# sig_clear: zeroes the observation log.
sig_clear:
    addi t0, tp, {CTX_SIG}
    addi t1, tp, {CTX_SIGN}
1:  sd zero, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 1b
    ret

# putc: a0 = byte. Waits for LSR.THRE (bit 5), then writes THR.
putc:
    li t0, 0x10000000
1:  lbu t1, 5(t0)
    andi t1, t1, 0x20
    beqz t1, 1b
    sb a0, 0(t0)
    ret

# puthex: a0 = value, a1 = number of hex digits. Uses s10.
puthex:
    mv s10, ra
    mv a2, a0
    slli a3, a1, 2
1:  addi a3, a3, -4
    srl a0, a2, a3
    andi a0, a0, 15
    li t2, 10
    blt a0, t2, 2f
    addi a0, a0, 39
2:  addi a0, a0, 48
    jal ra, putc
    bnez a3, 1b
    mv ra, s10
    ret

# puts: a0 = string. Uses s9.
puts:
    mv s9, ra
    mv a4, a0
1:  lbu a0, 0(a4)
    beqz a0, 2f
    jal ra, putc
    addi a4, a4, 1
    j 1b
2:  mv ra, s9
    ret

# field: a0 = label string, a5 = value: prints "label value\n". Uses s8.
field:
    mv s8, ra
    jal ra, puts
    mv a0, a5
    li a1, 16
    jal ra, puthex
    li a0, 10
    jal ra, putc
    mv ra, s8
    ret

# regs: prints registers a1..31 saved at a0 (register 0's slot), each as
# "<letter a2><number> value". Uses s2..s5.
regs:
    mv s5, ra
    mv s3, a0
    mv s4, a2
    mv s2, a1
1:  mv a0, s4
    jal ra, putc
    mv a0, s2
    li a1, 2
    jal ra, puthex
    li a0, 32
    jal ra, putc
    slli t0, s2, 3
    add t0, t0, s3
    ld a0, 0(t0)
    li a1, 16
    jal ra, puthex
    li a0, 10
    jal ra, putc
    addi s2, s2, 1
    li t0, 32
    blt s2, t0, 1b
    mv ra, s5
    ret

# dump: the snippet's registers (saved in ctx), CSRs, trap log and the
# doublewords of its data area that differ from the pristine copy.
dump:
    mv s11, ra
    lla a0, str_snippet
    jal ra, puts
    ld a0, {CTX_INDEX}(tp)
    li a1, 2
    jal ra, puthex
    li a0, 10
    jal ra, putc
    addi a0, tp, {CTX_REGS}
    li a1, 1
    li a2, 120
    jal ra, regs
    addi a0, tp, {CTX_FREGS}
    li a1, 0
    li a2, 102
    jal ra, regs
    lla a0, str_fcsr
    ld a5, {CTX_FCSR}(tp)
    jal ra, field
    lla a0, str_mscratch
    csrr a5, mscratch
    jal ra, field
    lla a0, str_sscratch
    csrr a5, sscratch
    jal ra, field
    lla a0, str_mepc
    csrr a5, mepc
    jal ra, field
    lla a0, str_sepc
    csrr a5, sepc
    jal ra, field
    ld a5, {CTX_EXIT}(tp)
    beqz a5, 7f
    lla a0, str_exit
    jal ra, field
7:  lla a0, str_traps
    ld a5, {CTX_COUNT}(tp)
    jal ra, field
    ld s3, {CTX_COUNT}(tp)
    li t0, {LOG_CAP}
    bleu s3, t0, 2f
    mv s3, t0
2:  addi s4, tp, {CTX_LOG}
3:  beqz s3, 4f
    lla a0, str_trap
    jal ra, puts
    ld a0, 0(s4)
    li a1, 16
    jal ra, puthex
    li a0, 32
    jal ra, putc
    ld a0, 8(s4)
    li a1, 16
    jal ra, puthex
    li a0, 32
    jal ra, putc
    ld a0, 16(s4)
    li a1, 16
    jal ra, puthex
    li a0, 10
    jal ra, putc
    addi s4, s4, 32
    addi s3, s3, -1
    j 3b
4:  ld s3, {CTX_SIGN}(tp)
    addi s4, tp, {CTX_SIG}
8:  beqz s3, 9f
    lla a0, str_sig
    jal ra, puts
    ld a0, 0(s4)
    li a1, 2
    jal ra, puthex
    li a0, 32
    jal ra, putc
    ld a0, 8(s4)
    li a1, 16
    jal ra, puthex
    li a0, 10
    jal ra, putc
    addi s4, s4, 16
    addi s3, s3, -1
    j 8b
9:  ld s5, {CTX_AREA}(tp)
    ld s6, {CTX_PRISTINE}(tp)
    li s7, 0
5:  add t0, s5, s7
    ld s3, 0(t0)
    add t0, s6, s7
    ld s4, 0(t0)
    beq s3, s4, 6f
    lla a0, str_mem
    jal ra, puts
    mv a0, s7
    li a1, 4
    jal ra, puthex
    li a0, 32
    jal ra, putc
    mv a0, s3
    li a1, 16
    jal ra, puthex
    li a0, 10
    jal ra, putc
6:  addi s7, s7, 8
    li t0, {AREA_SIZE}
    blt s7, t0, 5b
    mv ra, s11
    ret
"#,
        s0 = CTX_SAVE,
        s1 = CTX_SAVE + 8,
        s2 = CTX_SAVE + 16,
        r5 = CTX_REGS + 40,
        r6 = CTX_REGS + 48,
        r7 = CTX_REGS + 56,
        l8 = CTX_LOG + 8,
        l16 = CTX_LOG + 16,
        routines = vm::ROUTINES,
    )
}

/// The end: a last line, then the SiFive test finisher (poweroff).
fn finish() -> String {
    "\n# ---- end ----\n    lla a0, str_end\n    jal ra, puts\n    li t0, 0x100000\n    \
     li t1, 0x5555\n    sw t1, 0(t0)\n1:  j 1b\n"
        .to_string()
}

const STRINGS: &str = r#"str_snippet:  .asciz "snippet "
str_mscratch: .asciz "mscratch "
str_sscratch: .asciz "sscratch "
str_mepc:     .asciz "mepc "
str_sepc:     .asciz "sepc "
str_traps:    .asciz "traps "
str_trap:     .asciz "trap "
str_mem:      .asciz "mem "
str_fcsr:     .asciz "fcsr "
str_sig:      .asciz "sig "
str_exit:     .asciz "exit "
str_end:      .asciz "end\n"
"#;
