//! The generator's vocabulary: the instructions it emits, grouped by the
//! operand form that decides how they are rendered, and the edge values
//! it prefers for register contents and immediates.

/// An ISA extension, for the coverage report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ext {
    /// RV64I (with FENCE.TSO, which the base ISA defines).
    I,
    /// Integer multiply and divide.
    M,
    /// Atomics: LR/SC and the AMOs.
    A,
    /// Compressed instructions (the integer ones).
    C,
    /// CSR instructions.
    Zicsr,
    /// FENCE.I.
    Zifencei,
    /// Single-precision floating point (with its compressed loads and
    /// stores: RV64 has none, so none here).
    F,
    /// Double-precision floating point, with `c.fld`/`c.fsd`/`c.fldsp`/
    /// `c.fsdsp`.
    D,
    /// The accesses to `fflags`, `frm` and `fcsr` by their assembler
    /// names (Zicsr instructions on the F CSRs).
    Fcsr,
    /// Address generation (bit manipulation).
    Zba,
    /// Basic bit manipulation.
    Zbb,
    /// Carry-less multiplication.
    Zbc,
    /// Single-bit instructions.
    Zbs,
    /// Half precision, the minimal part: `flh`, `fsh`, the moves and the
    /// conversions to and from binary32 and binary64.
    Zfhmin,
    /// Half precision: the arithmetic, comparisons, classification and
    /// integer conversions of binary16.
    Zfh,
    /// Fine-grained address-translation cache invalidation.
    Svinval,
    /// The `pause` hint.
    Zihintpause,
}

/// Every mnemonic the generator must exercise at least once over a full
/// run, by extension (the base names: `.aq`/`.rl` suffixes are not counted
/// separately, pseudo-instructions such as `li`/`lla` and the scaffolding
/// that preloads operands not at all; the F CSR accesses by their
/// pseudo-instruction names).
pub const REQUIRED: &[(Ext, &[&str])] = &[
    (
        Ext::I,
        &[
            "lui",
            "auipc",
            "jal",
            "jalr",
            "beq",
            "bne",
            "blt",
            "bge",
            "bltu",
            "bgeu",
            "lb",
            "lh",
            "lw",
            "ld",
            "lbu",
            "lhu",
            "lwu",
            "sb",
            "sh",
            "sw",
            "sd",
            "addi",
            "slti",
            "sltiu",
            "xori",
            "ori",
            "andi",
            "slli",
            "srli",
            "srai",
            "add",
            "sub",
            "sll",
            "slt",
            "sltu",
            "xor",
            "srl",
            "sra",
            "or",
            "and",
            "fence",
            "fence.tso",
            "ecall",
            "ebreak",
            "addiw",
            "slliw",
            "srliw",
            "sraiw",
            "addw",
            "subw",
            "sllw",
            "srlw",
            "sraw",
        ],
    ),
    (
        Ext::M,
        &[
            "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "mulw", "divw",
            "divuw", "remw", "remuw",
        ],
    ),
    (
        Ext::A,
        &[
            "lr.w",
            "sc.w",
            "amoswap.w",
            "amoadd.w",
            "amoxor.w",
            "amoand.w",
            "amoor.w",
            "amomin.w",
            "amomax.w",
            "amominu.w",
            "amomaxu.w",
            "lr.d",
            "sc.d",
            "amoswap.d",
            "amoadd.d",
            "amoxor.d",
            "amoand.d",
            "amoor.d",
            "amomin.d",
            "amomax.d",
            "amominu.d",
            "amomaxu.d",
        ],
    ),
    (
        Ext::C,
        &[
            "c.addi4spn",
            "c.lw",
            "c.ld",
            "c.sw",
            "c.sd",
            "c.nop",
            "c.addi",
            "c.addiw",
            "c.li",
            "c.addi16sp",
            "c.lui",
            "c.srli",
            "c.srai",
            "c.andi",
            "c.sub",
            "c.xor",
            "c.or",
            "c.and",
            "c.subw",
            "c.addw",
            "c.j",
            "c.beqz",
            "c.bnez",
            "c.slli",
            "c.lwsp",
            "c.ldsp",
            "c.jr",
            "c.mv",
            "c.ebreak",
            "c.jalr",
            "c.add",
            "c.swsp",
            "c.sdsp",
        ],
    ),
    (
        Ext::Zicsr,
        &["csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"],
    ),
    (Ext::Zifencei, &["fence.i"]),
    (
        Ext::Zba,
        &[
            "add.uw",
            "sh1add",
            "sh2add",
            "sh3add",
            "sh1add.uw",
            "sh2add.uw",
            "sh3add.uw",
            "slli.uw",
        ],
    ),
    (
        Ext::Zbb,
        &[
            "andn", "orn", "xnor", "clz", "clzw", "ctz", "ctzw", "cpop", "cpopw", "max", "maxu",
            "min", "minu", "sext.b", "sext.h", "zext.h", "rol", "ror", "rolw", "rorw", "rori",
            "roriw", "orc.b", "rev8",
        ],
    ),
    (Ext::Zbc, &["clmul", "clmulh", "clmulr"]),
    (
        Ext::Zbs,
        &[
            "bclr", "bclri", "bext", "bexti", "binv", "binvi", "bset", "bseti",
        ],
    ),
    (
        Ext::F,
        &[
            "flw",
            "fsw",
            "fmadd.s",
            "fmsub.s",
            "fnmsub.s",
            "fnmadd.s",
            "fadd.s",
            "fsub.s",
            "fmul.s",
            "fdiv.s",
            "fsqrt.s",
            "fsgnj.s",
            "fsgnjn.s",
            "fsgnjx.s",
            "fmin.s",
            "fmax.s",
            "fcvt.w.s",
            "fcvt.wu.s",
            "fcvt.l.s",
            "fcvt.lu.s",
            "fmv.x.w",
            "feq.s",
            "flt.s",
            "fle.s",
            "fclass.s",
            "fcvt.s.w",
            "fcvt.s.wu",
            "fcvt.s.l",
            "fcvt.s.lu",
            "fmv.w.x",
        ],
    ),
    (
        Ext::D,
        &[
            "fld",
            "fsd",
            "c.fld",
            "c.fsd",
            "c.fldsp",
            "c.fsdsp",
            "fmadd.d",
            "fmsub.d",
            "fnmsub.d",
            "fnmadd.d",
            "fadd.d",
            "fsub.d",
            "fmul.d",
            "fdiv.d",
            "fsqrt.d",
            "fsgnj.d",
            "fsgnjn.d",
            "fsgnjx.d",
            "fmin.d",
            "fmax.d",
            "fcvt.s.d",
            "fcvt.d.s",
            "feq.d",
            "flt.d",
            "fle.d",
            "fclass.d",
            "fcvt.w.d",
            "fcvt.wu.d",
            "fcvt.l.d",
            "fcvt.lu.d",
            "fmv.x.d",
            "fcvt.d.w",
            "fcvt.d.wu",
            "fcvt.d.l",
            "fcvt.d.lu",
            "fmv.d.x",
        ],
    ),
    (
        Ext::Fcsr,
        &[
            "frcsr", "fscsr", "frrm", "fsrm", "fsrmi", "frflags", "fsflags", "fsflagsi",
        ],
    ),
    (
        Ext::Zfhmin,
        &[
            "flh", "fsh", "fmv.x.h", "fmv.h.x", "fcvt.s.h", "fcvt.h.s", "fcvt.d.h", "fcvt.h.d",
        ],
    ),
    (
        Ext::Zfh,
        &[
            "fadd.h",
            "fsub.h",
            "fmul.h",
            "fdiv.h",
            "fsqrt.h",
            "fmin.h",
            "fmax.h",
            "fsgnj.h",
            "fsgnjn.h",
            "fsgnjx.h",
            "fmadd.h",
            "fmsub.h",
            "fnmsub.h",
            "fnmadd.h",
            "feq.h",
            "flt.h",
            "fle.h",
            "fclass.h",
            "fcvt.w.h",
            "fcvt.wu.h",
            "fcvt.l.h",
            "fcvt.lu.h",
            "fcvt.h.w",
            "fcvt.h.wu",
            "fcvt.h.l",
            "fcvt.h.lu",
        ],
    ),
    (
        Ext::Svinval,
        &["sinval.vma", "sfence.w.inval", "sfence.inval.ir"],
    ),
    (Ext::Zihintpause, &["pause"]),
];

/// How an instruction of the [`OPS`] table takes its operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `op rd, rs1, rs2`.
    R,
    /// `op rd, rs1, imm12`.
    I,
    /// `op rd, rs1, shamt` with a 6-bit shift amount.
    Sh6,
    /// `op rd, rs1, shamt` with a 5-bit shift amount (the W forms).
    Sh5,
    /// `op rd, rs1` (`clz`, `sext.b`, `rev8`, ...).
    Unary,
    /// `op rd, imm20`.
    U,
    /// No operands (`ecall`, `ebreak`, `fence.i`, `fence.tso`, `c.nop`, `c.ebreak`).
    Bare,
    /// `fence pred, succ`.
    Fence,
    /// `c.addi rd, nzimm6` (rd not x0).
    CAddi,
    /// `c.addiw rd, imm6` (rd not x0).
    CAddiw,
    /// `c.li rd, imm6` (rd not x0).
    CLi,
    /// `c.lui rd, nzimm` (rd not x0 or sp).
    CLui,
    /// `c.slli rd, shamt` (rd not x0, shamt 1..=63).
    CSlli,
    /// `c.srli`/`c.srai rd', shamt` (shamt 1..=63).
    CShiftP,
    /// `c.andi rd', imm6`.
    CAndi,
    /// `op rd', rs2'` (c.sub, c.xor, c.or, c.and, c.subw, c.addw).
    CA,
    /// `c.mv rd, rs2` (neither x0).
    CMv,
    /// `c.add rd, rs2` (neither x0).
    CAdd,
    /// `c.addi4spn rd', sp, nzuimm`.
    CAddi4spn,
}

/// An instruction of the [`OPS`] table.
#[derive(Clone, Copy, Debug)]
pub struct OpDef {
    /// The assembler mnemonic.
    pub name: &'static str,
    /// How it takes its operands.
    pub form: Form,
}

const fn op(name: &'static str, form: Form) -> OpDef {
    OpDef { name, form }
}

/// The register-to-register and immediate instructions: everything that
/// needs no address, no label and no special setup.
pub const OPS: &[OpDef] = &[
    op("add", Form::R),
    op("sub", Form::R),
    op("sll", Form::R),
    op("slt", Form::R),
    op("sltu", Form::R),
    op("xor", Form::R),
    op("srl", Form::R),
    op("sra", Form::R),
    op("or", Form::R),
    op("and", Form::R),
    op("addw", Form::R),
    op("subw", Form::R),
    op("sllw", Form::R),
    op("srlw", Form::R),
    op("sraw", Form::R),
    op("mul", Form::R),
    op("mulh", Form::R),
    op("mulhsu", Form::R),
    op("mulhu", Form::R),
    op("div", Form::R),
    op("divu", Form::R),
    op("rem", Form::R),
    op("remu", Form::R),
    op("mulw", Form::R),
    op("divw", Form::R),
    op("divuw", Form::R),
    op("remw", Form::R),
    op("remuw", Form::R),
    op("addi", Form::I),
    op("slti", Form::I),
    op("sltiu", Form::I),
    op("xori", Form::I),
    op("ori", Form::I),
    op("andi", Form::I),
    op("addiw", Form::I),
    op("slli", Form::Sh6),
    op("srli", Form::Sh6),
    op("srai", Form::Sh6),
    op("slliw", Form::Sh5),
    op("srliw", Form::Sh5),
    op("sraiw", Form::Sh5),
    op("lui", Form::U),
    op("auipc", Form::U),
    op("ecall", Form::Bare),
    op("ebreak", Form::Bare),
    op("fence", Form::Fence),
    op("fence.tso", Form::Bare),
    op("fence.i", Form::Bare),
    op("c.nop", Form::Bare),
    op("c.ebreak", Form::Bare),
    op("c.addi", Form::CAddi),
    op("c.addiw", Form::CAddiw),
    op("c.li", Form::CLi),
    op("c.lui", Form::CLui),
    op("c.slli", Form::CSlli),
    op("c.srli", Form::CShiftP),
    op("c.srai", Form::CShiftP),
    op("c.andi", Form::CAndi),
    op("c.sub", Form::CA),
    op("c.xor", Form::CA),
    op("c.or", Form::CA),
    op("c.and", Form::CA),
    op("c.subw", Form::CA),
    op("c.addw", Form::CA),
    op("c.mv", Form::CMv),
    op("c.add", Form::CAdd),
    op("c.addi4spn", Form::CAddi4spn),
    // Zba, Zbb, Zbc, Zbs and Zihintpause (from BASE_OPS on: drawn one
    // time in four).
    op("add.uw", Form::R),
    op("sh1add", Form::R),
    op("sh2add", Form::R),
    op("sh3add", Form::R),
    op("sh1add.uw", Form::R),
    op("sh2add.uw", Form::R),
    op("sh3add.uw", Form::R),
    op("slli.uw", Form::Sh6),
    op("andn", Form::R),
    op("orn", Form::R),
    op("xnor", Form::R),
    op("clz", Form::Unary),
    op("clzw", Form::Unary),
    op("ctz", Form::Unary),
    op("ctzw", Form::Unary),
    op("cpop", Form::Unary),
    op("cpopw", Form::Unary),
    op("max", Form::R),
    op("maxu", Form::R),
    op("min", Form::R),
    op("minu", Form::R),
    op("sext.b", Form::Unary),
    op("sext.h", Form::Unary),
    op("zext.h", Form::Unary),
    op("rol", Form::R),
    op("ror", Form::R),
    op("rolw", Form::R),
    op("rorw", Form::R),
    op("rori", Form::Sh6),
    op("roriw", Form::Sh5),
    op("orc.b", Form::Unary),
    op("rev8", Form::Unary),
    op("clmul", Form::R),
    op("clmulh", Form::R),
    op("clmulr", Form::R),
    op("bclr", Form::R),
    op("bext", Form::R),
    op("binv", Form::R),
    op("bset", Form::R),
    op("bclri", Form::Sh6),
    op("bexti", Form::Sh6),
    op("binvi", Form::Sh6),
    op("bseti", Form::Sh6),
    // Zihintpause: a FENCE with pred = W, succ = 0 (a HINT; no effect here).
    op("pause", Form::Bare),
];

/// The rows of [`OPS`] before the bit-manipulation instructions and
/// `pause` (RV64I, M, C, Zifencei): the generator draws from them three
/// times in four.
pub const BASE_OPS: usize = 67;

/// The forms whose instructions never trap and never touch memory: the
/// ones allowed between an LR and its SC.
pub fn quiet(form: Form) -> bool {
    matches!(
        form,
        Form::R | Form::I | Form::Sh6 | Form::Sh5 | Form::Unary | Form::U
    )
}

/// How a load or store of the [`MEM_OPS`] table addresses memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemForm {
    /// `op reg, imm12(base)`, base one of sp, s0, s1 or x0.
    Full,
    /// `c.lw`-style: `op reg', uimm(base')`, base' s0 or s1.
    Compact,
    /// `c.lwsp`-style: `op reg, uimm(sp)`.
    Stack,
}

/// A load or store.
#[derive(Clone, Copy, Debug)]
pub struct MemDef {
    /// The mnemonic.
    pub name: &'static str,
    /// Access size in bytes.
    pub size: u8,
    /// Whether it is a store (`reg` is then the source).
    pub store: bool,
    /// How it addresses memory.
    pub form: MemForm,
}

const fn mem(name: &'static str, size: u8, store: bool, form: MemForm) -> MemDef {
    MemDef {
        name,
        size,
        store,
        form,
    }
}

/// Every load and store.
pub const MEM_OPS: &[MemDef] = &[
    mem("lb", 1, false, MemForm::Full),
    mem("lh", 2, false, MemForm::Full),
    mem("lw", 4, false, MemForm::Full),
    mem("ld", 8, false, MemForm::Full),
    mem("lbu", 1, false, MemForm::Full),
    mem("lhu", 2, false, MemForm::Full),
    mem("lwu", 4, false, MemForm::Full),
    mem("sb", 1, true, MemForm::Full),
    mem("sh", 2, true, MemForm::Full),
    mem("sw", 4, true, MemForm::Full),
    mem("sd", 8, true, MemForm::Full),
    mem("c.lw", 4, false, MemForm::Compact),
    mem("c.ld", 8, false, MemForm::Compact),
    mem("c.sw", 4, true, MemForm::Compact),
    mem("c.sd", 8, true, MemForm::Compact),
    mem("c.lwsp", 4, false, MemForm::Stack),
    mem("c.ldsp", 8, false, MemForm::Stack),
    mem("c.swsp", 4, true, MemForm::Stack),
    mem("c.sdsp", 8, true, MemForm::Stack),
];

/// The AMO operations (each in a `.w` and a `.d` form).
pub const AMO_OPS: &[&str] = &[
    "amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu",
];

/// The ordering suffixes of LR/SC/AMOs.
pub const ORDERINGS: &[&str] = &["", ".aq", ".rl", ".aqrl"];

/// The conditional branches; the compressed ones compare with zero.
pub const BRANCHES: &[&str] = &[
    "beq", "bne", "blt", "bge", "bltu", "bgeu", "c.beqz", "c.bnez",
];

/// The CSRs the generated code may access, and what it may write there.
///
/// Chosen so that both emulators must agree on every value read:
/// - `mscratch`, `sscratch`: plain 64-bit read/write registers with no
///   legalisation and no side effects.
/// - `mepc`, `sepc`: WARL, bit 0 always zero. Only even values are ever
///   written (QEMU 7.2 keeps a written bit 0, a known divergence from the
///   spec: see the module documentation of the test). Traps write `mepc`
///   with the address of the trapping instruction, which is the same
///   address in both runs (the same ELF).
/// - `mhartid`: read-only and 0 on both. Writes must trap; a read through
///   `csrrs`/`csrrc` only with rs1 = x0 (QEMU 7.2 does not trap on
///   `csrrs rd, mhartid, rs1` with a zero-valued rs1 != x0, a known
///   divergence); `csrrsi`/`csrrci` with any uimm (uimm = 0 is a read,
///   any other value a write that traps on both) and `csrrw`/`csrrwi`
///   (always a write, always illegal).
/// - `0x7ff`: no CSR on either emulator; every access is illegal.
///
/// Not used: `mtvec` (would redirect traps away from the handler),
/// `mstatus`/`sstatus`/`mie`/`mip` (the harness owns the privilege and
/// interrupt state; QEMU 7.2's FS transitions differ from the spec's),
/// `misa`/`marchid`/`mimpid`/`mvendorid` (identification, differs by
/// design), `mcause`/`mtval`/`scause`/`stval` (WLRL/WARL ranges left to
/// the implementation), `satp` (written by the harness; read by the
/// privileged items only), PMP, the delegation and counter-enable
/// registers (WARL with implementation-chosen writable bits), and every
/// counter (`cycle`, `time`, `instret`, `mcycle`, `minstret`, which differ
/// by design). The F CSRs have their own items ([`FCSR_OPS`]).
///
/// In S- and U-mode the M-mode CSRs (and in U-mode the S-mode ones) are
/// illegal: the same items then test the privilege checks.
pub const CSRS: &[(&str, CsrKind)] = &[
    ("mscratch", CsrKind::Scratch),
    ("sscratch", CsrKind::Scratch),
    ("mepc", CsrKind::Epc),
    ("sepc", CsrKind::Epc),
    ("mhartid", CsrKind::ReadOnly),
    ("0x7ff", CsrKind::Absent),
];

/// What may be written to a CSR of [`CSRS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsrKind {
    /// Any value.
    Scratch,
    /// Even values only.
    Epc,
    /// Read-only: see [`CSRS`].
    ReadOnly,
    /// Not a CSR.
    Absent,
}

/// The CSR instructions.
pub const CSR_OPS: &[&str] = &["csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"];

/// Edge values for registers: zero, one, minus one, the 32- and 64-bit
/// extremes, 0x8000_0000, values whose low word has bit 31 set under
/// arbitrary upper bits (W-form sign extension), shift amounts at and
/// above the limits, alternating bits.
pub const EDGES: &[u64] = &[
    0,
    1,
    u64::MAX,
    2,
    u64::MAX - 1,
    0x8000_0000_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0001,
    0x0000_0000_7fff_ffff,
    0x0000_0000_8000_0000,
    0xffff_ffff_8000_0000,
    0xffff_ffff_7fff_ffff,
    0x0000_0000_ffff_ffff,
    0xffff_ffff_0000_0000,
    0x0000_0001_0000_0000,
    0x1234_5678_8000_0000,
    0xdead_beef_9abc_def0,
    0x0000_0000_8000_0001,
    0x7fff_ffff_0000_0001,
    31,
    32,
    33,
    63,
    64,
    65,
    127,
    0x7ff,
    0xffff_ffff_ffff_f800,
    0x5555_5555_5555_5555,
    0xaaaa_aaaa_aaaa_aaaa,
    0x0000_0000_0000_0080,
    0xffff_ffff_ffff_ff7f,
];

/// Operand pairs (rs1, rs2) that probe the corners of division, the W
/// forms and the comparisons.
pub const PAIRS: &[(u64, u64)] = &[
    (0x8000_0000_0000_0000, u64::MAX),              // INT64_MIN / -1
    (0xffff_ffff_8000_0000, u64::MAX),              // INT32_MIN / -1 (W)
    (0x1234_5678_8000_0000, 0xabcd_ef01_ffff_ffff), // INT32_MIN / -1 in the low words
    (0x0000_0000_8000_0000, 0x0000_0000_ffff_ffff), // same, zero-extended
    (0x8000_0000_0000_0000, 0),                     // division by zero
    (7, 0),
    (u64::MAX, 0),
    (0x1234_5678_9abc_def0, 0x1_0000_0000), // W divisor is zero
    (7, (-2i64) as u64),                    // rounding toward zero
    ((-7i64) as u64, 2),
    ((-7i64) as u64, (-2i64) as u64),
    (0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000),
    (u64::MAX, 1),
    (0x8000_0000, 0x7fff_ffff),
    (0xffff_ffff_ffff_fffe, 0xffff_ffff_ffff_fffe), // equal
    (0, 0),
    (u64::MAX, u64::MAX),
    (0xffff_ffff, 0xffff_ffff_ffff_ffff), // equal low words
    (0x8000_0000_0000_0000, 0x8000_0000_0000_0000),
];

/// Edge immediates for the I form and for load/store offsets.
pub const IMM12_EDGES: &[i64] = &[0, 1, -1, 2047, -2048, 2, -2, 31, 32, 63, 64, 0x555, -0x556];

/// Edge offsets for loads and stores: misaligned by every amount, the
/// ends of the 12-bit range, and accesses straddling the 4 KiB page
/// boundary in the data area (at A + 1536: offsets 1529..1535 from sp,
/// 1785..1791 from s0 = A - 256, 1526..1532 from s1 = A + 3).
pub const OFFSET_EDGES: &[i64] = &[
    0, 1, 2, 3, 4, 5, 6, 7, -1, -2, -3, -5, -7, -8, 2047, -2048, 2046, 2045, 2044, 2041, 2040,
    -2047, 1535, 1534, 1532, 1529, 1791, 1790, 1787, 1785, 1533, 1531, 1530, 1526,
];

/// Edge shift amounts, 6-bit.
pub const SH6_EDGES: &[i64] = &[0, 1, 31, 32, 63];
/// Edge shift amounts, 5-bit.
pub const SH5_EDGES: &[i64] = &[0, 1, 31, 16];
/// Edge 20-bit immediates.
pub const IMM20_EDGES: &[i64] = &[0, 1, 0x7ffff, 0x80000, 0xfffff];
/// Edge 6-bit signed immediates.
pub const IMM6_EDGES: &[i64] = &[-32, 31, 0, 1, -1];
/// Edge c.lui immediates (the assembler's 20-bit view).
pub const CLUI_EDGES: &[i64] = &[1, 31, 0xfffe0, 0xfffff];

/// Encoding families that are illegal on both emulators (verified on
/// QEMU 7.2 with its default `rv64` CPU, which also has F/D, Zb* and
/// Zicbo*: none of these hits one of those). Each is a fixed pattern
/// plus a mask of bits the generator fills at random.
pub const ILLEGAL: &[(u32, u32, u8)] = &[
    // (pattern, free bits, length in bytes)
    (0x0000, 0x0000, 2),           // the all-zero parcel
    (0x0000, 0x001c, 2),           // c.addi4spn with nzuimm = 0
    (0x4002, 0x107c, 2),           // c.lwsp with rd = x0
    (0x6002, 0x107c, 2),           // c.ldsp with rd = x0
    (0x8002, 0x0000, 2),           // c.jr with rs1 = x0
    (0x6101, 0x0000, 2),           // c.addi16sp with nzimm = 0
    (0x6081, 0x0000, 2),           // c.lui ra, 0 (nzimm = 0)
    (0x6501, 0x0000, 2),           // c.lui a0, 0
    (0x2001, 0x107c, 2),           // c.addiw with rd = x0
    (0xffff_ffff, 0, 4),           // an 80-bit-or-longer prefix
    (0x0000_7003, 0xffff_8f80, 4), // LOAD with funct3 = 7
    (0x0200_101b, 0x01ff_8f80, 4), // slliw with shamt[5] set
    (0x0200_501b, 0x01ff_8f80, 4), // srliw with shamt[5] set
    (0x4200_d01b, 0x01ff_8f80, 4), // sraiw with shamt[5] set
    (0x4000_1033, 0x01ff_8f80, 4), // OP funct7 = 0100000, funct3 = 001
    (0x0200_103b, 0x01ff_8f80, 4), // OP-32 funct7 = 0000001, funct3 = 001
    (0x0200_203b, 0x01ff_8f80, 4), // OP-32 funct7 = 0000001, funct3 = 010
    (0x0000_300f, 0x0000_0000, 4), // MISC-MEM funct3 = 3
    (0x0000_700f, 0x0000_0000, 4), // MISC-MEM funct3 = 7
    (0x0000_000b, 0xffff_ff80, 4), // custom-0
    (0x0000_002b, 0xffff_ff80, 4), // custom-1
    (0x0000_007b, 0xffff_ff80, 4), // custom-3
    (0x0000_4073, 0x0000_0000, 4), // SYSTEM funct3 = 4
    (0x0e00_5033, 0x01ff_8f80, 4), // czero.eqz: Zicond is off (rivet's default; QEMU 7.2 lacks it)
    (0x0e00_7033, 0x01ff_8f80, 4), // czero.nez
];

/// Encodings that must execute and do nothing visible: the compressed
/// HINTs (RV64C code points "reserved for HINTs": rd = x0 forms, zero
/// shift amounts, c.addi with a zero immediate) and FENCE/FENCE.I with
/// arbitrary values in the fields the base ISA says implementations
/// "shall ignore" (fm, pred, succ, rs1, rd of FENCE; imm, rs1, rd of
/// FENCE.I). As [`ILLEGAL`]: (pattern, free bits, length).
pub const HINTS: &[(u32, u32, u8)] = &[
    (0x0001, 0x107c, 2),           // c.nop with a nonzero immediate
    (0x0001, 0x0f80, 2),           // c.addi rd, 0
    (0x4001, 0x107c, 2),           // c.li x0, imm
    (0x6005, 0x1078, 2),           // c.lui x0, nzimm (nzimm != 0)
    (0x8006, 0x0078, 2),           // c.mv x0, rs2 (rs2 != 0)
    (0x9006, 0x0078, 2),           // c.add x0, rs2 (rs2 != 0)
    (0x0002, 0x107c, 2),           // c.slli x0, shamt
    (0x0002, 0x0f80, 2),           // c.slli rd, 0
    (0x8001, 0x0380, 2),           // c.srli rd', 0
    (0x8401, 0x0380, 2),           // c.srai rd', 0
    (0x0000_000f, 0xffff_8f80, 4), // FENCE, any fm/pred/succ/rs1/rd
    (0x0000_100f, 0xffff_8f80, 4), // FENCE.I, any imm/rs1/rd
];

// ---------------------------------------------------------------------------
// F and D.

/// A floating-point format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fmt {
    /// binary32 (`.s`), NaN-boxed in the 64-bit registers.
    S,
    /// binary64 (`.d`).
    D,
    /// binary16 (`.h`), NaN-boxed in the 64-bit registers.
    H,
}

impl Fmt {
    /// The width in bytes (of a load or store).
    pub fn bytes(self) -> i64 {
        match self {
            Fmt::H => 2,
            Fmt::S => 4,
            Fmt::D => 8,
        }
    }
}

/// How an instruction of the [`FP_OPS`] table takes its operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpForm {
    /// `op fd, fs1, fs2, fs3, rm` (the fused multiply-adds).
    R4,
    /// `op fd, fs1, fs2, rm`.
    R2Rm,
    /// `op fd, fs1, fs2` (sign injection, minimum and maximum).
    R2,
    /// `op fd, fs1, rm` (square root, `fcvt.s.d`).
    R1Rm,
    /// `op xd, fs1, fs2` (the comparisons).
    Cmp,
    /// `op xd, fs1` (`fclass`, `fmv.x.h`, `fmv.x.w`, `fmv.x.d`).
    ToX,
    /// `op xd, fs1, rm` (floating point to integer).
    ToInt,
    /// `op fd, xs1, rm` (integer to floating point).
    FromInt,
    /// `op fd, xs1` (`fmv.h.x`, `fmv.w.x`, `fmv.d.x`).
    FromX,
}

/// An instruction of the [`FP_OPS`] table.
#[derive(Clone, Copy, Debug)]
pub struct FpOpDef {
    /// The assembler mnemonic.
    pub name: &'static str,
    /// How it takes its operands.
    pub form: FpForm,
    /// The format of its floating-point sources.
    pub src: Fmt,
    /// For the conversions whose `rm` field GNU as 2.40 does not take
    /// (`fcvt.d.s`, `fcvt.d.w`, `fcvt.d.wu`, `fcvt.s.h`, `fcvt.d.h`:
    /// exact, but the field exists
    /// and "implementations must treat the rm field as usual"): funct7
    /// and rs2 of the encoding, rendered with `.insn r` when rm is not
    /// RNE (the value gas encodes when the operand is left out).
    pub insn: Option<(u32, u32)>,
}

const fn fp(name: &'static str, form: FpForm, src: Fmt) -> FpOpDef {
    FpOpDef {
        name,
        form,
        src,
        insn: None,
    }
}

const fn fp_insn(name: &'static str, form: FpForm, src: Fmt, funct7: u32, rs2: u32) -> FpOpDef {
    FpOpDef {
        name,
        form,
        src,
        insn: Some((funct7, rs2)),
    }
}

/// Every F, D, Zfhmin and Zfh instruction that is not a load or a store.
pub const FP_OPS: &[FpOpDef] = &[
    fp("fadd.s", FpForm::R2Rm, Fmt::S),
    fp("fsub.s", FpForm::R2Rm, Fmt::S),
    fp("fmul.s", FpForm::R2Rm, Fmt::S),
    fp("fdiv.s", FpForm::R2Rm, Fmt::S),
    fp("fsqrt.s", FpForm::R1Rm, Fmt::S),
    fp("fmadd.s", FpForm::R4, Fmt::S),
    fp("fmsub.s", FpForm::R4, Fmt::S),
    fp("fnmsub.s", FpForm::R4, Fmt::S),
    fp("fnmadd.s", FpForm::R4, Fmt::S),
    fp("fsgnj.s", FpForm::R2, Fmt::S),
    fp("fsgnjn.s", FpForm::R2, Fmt::S),
    fp("fsgnjx.s", FpForm::R2, Fmt::S),
    fp("fmin.s", FpForm::R2, Fmt::S),
    fp("fmax.s", FpForm::R2, Fmt::S),
    fp("feq.s", FpForm::Cmp, Fmt::S),
    fp("flt.s", FpForm::Cmp, Fmt::S),
    fp("fle.s", FpForm::Cmp, Fmt::S),
    fp("fclass.s", FpForm::ToX, Fmt::S),
    fp("fmv.x.w", FpForm::ToX, Fmt::S),
    fp("fcvt.w.s", FpForm::ToInt, Fmt::S),
    fp("fcvt.wu.s", FpForm::ToInt, Fmt::S),
    fp("fcvt.l.s", FpForm::ToInt, Fmt::S),
    fp("fcvt.lu.s", FpForm::ToInt, Fmt::S),
    fp("fcvt.s.w", FpForm::FromInt, Fmt::S),
    fp("fcvt.s.wu", FpForm::FromInt, Fmt::S),
    fp("fcvt.s.l", FpForm::FromInt, Fmt::S),
    fp("fcvt.s.lu", FpForm::FromInt, Fmt::S),
    fp("fmv.w.x", FpForm::FromX, Fmt::S),
    fp("fadd.d", FpForm::R2Rm, Fmt::D),
    fp("fsub.d", FpForm::R2Rm, Fmt::D),
    fp("fmul.d", FpForm::R2Rm, Fmt::D),
    fp("fdiv.d", FpForm::R2Rm, Fmt::D),
    fp("fsqrt.d", FpForm::R1Rm, Fmt::D),
    fp("fmadd.d", FpForm::R4, Fmt::D),
    fp("fmsub.d", FpForm::R4, Fmt::D),
    fp("fnmsub.d", FpForm::R4, Fmt::D),
    fp("fnmadd.d", FpForm::R4, Fmt::D),
    fp("fsgnj.d", FpForm::R2, Fmt::D),
    fp("fsgnjn.d", FpForm::R2, Fmt::D),
    fp("fsgnjx.d", FpForm::R2, Fmt::D),
    fp("fmin.d", FpForm::R2, Fmt::D),
    fp("fmax.d", FpForm::R2, Fmt::D),
    fp("feq.d", FpForm::Cmp, Fmt::D),
    fp("flt.d", FpForm::Cmp, Fmt::D),
    fp("fle.d", FpForm::Cmp, Fmt::D),
    fp("fclass.d", FpForm::ToX, Fmt::D),
    fp("fmv.x.d", FpForm::ToX, Fmt::D),
    fp("fcvt.w.d", FpForm::ToInt, Fmt::D),
    fp("fcvt.wu.d", FpForm::ToInt, Fmt::D),
    fp("fcvt.l.d", FpForm::ToInt, Fmt::D),
    fp("fcvt.lu.d", FpForm::ToInt, Fmt::D),
    fp("fcvt.d.l", FpForm::FromInt, Fmt::D),
    fp("fcvt.d.lu", FpForm::FromInt, Fmt::D),
    fp_insn("fcvt.d.w", FpForm::FromInt, Fmt::D, 0x69, 0),
    fp_insn("fcvt.d.wu", FpForm::FromInt, Fmt::D, 0x69, 1),
    fp("fmv.d.x", FpForm::FromX, Fmt::D),
    // The conversions between the formats: `src` is the source format.
    fp("fcvt.s.d", FpForm::R1Rm, Fmt::D),
    fp_insn("fcvt.d.s", FpForm::R1Rm, Fmt::S, 0x21, 0),
    // Zfhmin and Zfh (from FP_BASE_OPS on: drawn one time in three).
    fp("fadd.h", FpForm::R2Rm, Fmt::H),
    fp("fsub.h", FpForm::R2Rm, Fmt::H),
    fp("fmul.h", FpForm::R2Rm, Fmt::H),
    fp("fdiv.h", FpForm::R2Rm, Fmt::H),
    fp("fsqrt.h", FpForm::R1Rm, Fmt::H),
    fp("fmadd.h", FpForm::R4, Fmt::H),
    fp("fmsub.h", FpForm::R4, Fmt::H),
    fp("fnmsub.h", FpForm::R4, Fmt::H),
    fp("fnmadd.h", FpForm::R4, Fmt::H),
    fp("fsgnj.h", FpForm::R2, Fmt::H),
    fp("fsgnjn.h", FpForm::R2, Fmt::H),
    fp("fsgnjx.h", FpForm::R2, Fmt::H),
    fp("fmin.h", FpForm::R2, Fmt::H),
    fp("fmax.h", FpForm::R2, Fmt::H),
    fp("feq.h", FpForm::Cmp, Fmt::H),
    fp("flt.h", FpForm::Cmp, Fmt::H),
    fp("fle.h", FpForm::Cmp, Fmt::H),
    fp("fclass.h", FpForm::ToX, Fmt::H),
    fp("fmv.x.h", FpForm::ToX, Fmt::H),
    fp("fcvt.w.h", FpForm::ToInt, Fmt::H),
    fp("fcvt.wu.h", FpForm::ToInt, Fmt::H),
    fp("fcvt.l.h", FpForm::ToInt, Fmt::H),
    fp("fcvt.lu.h", FpForm::ToInt, Fmt::H),
    fp("fcvt.h.w", FpForm::FromInt, Fmt::H),
    fp("fcvt.h.wu", FpForm::FromInt, Fmt::H),
    fp("fcvt.h.l", FpForm::FromInt, Fmt::H),
    fp("fcvt.h.lu", FpForm::FromInt, Fmt::H),
    fp("fmv.h.x", FpForm::FromX, Fmt::H),
    // Narrowing to binary16 rounds; widening from it is exact (gas takes
    // no rm there): `src` is the source format.
    fp("fcvt.h.s", FpForm::R1Rm, Fmt::S),
    fp("fcvt.h.d", FpForm::R1Rm, Fmt::D),
    fp_insn("fcvt.s.h", FpForm::R1Rm, Fmt::H, 0x20, 2),
    fp_insn("fcvt.d.h", FpForm::R1Rm, Fmt::H, 0x21, 2),
];

/// The rows of [`FP_OPS`] before the half-precision instructions (F and
/// D): the generator draws from them two times in three.
pub const FP_BASE_OPS: usize = 58;

/// The static rounding modes as GNU as names them, by `rm` encoding; 7
/// (`dyn`) takes the mode from `frm`.
pub const RM_NAMES: [&str; 8] = ["rne", "rtz", "rdn", "rup", "rmm", "rm5", "rm6", "dyn"];

/// A floating-point load or store.
#[derive(Clone, Copy, Debug)]
pub struct FpMemDef {
    /// The mnemonic.
    pub name: &'static str,
    /// The format (access size 2, 4 or 8).
    pub fmt: Fmt,
    /// Whether it is a store.
    pub store: bool,
    /// How it addresses memory.
    pub form: MemForm,
}

const fn fmem(name: &'static str, fmt: Fmt, store: bool, form: MemForm) -> FpMemDef {
    FpMemDef {
        name,
        fmt,
        store,
        form,
    }
}

/// Every floating-point load and store.
pub const FP_MEM_OPS: &[FpMemDef] = &[
    fmem("flw", Fmt::S, false, MemForm::Full),
    fmem("fsw", Fmt::S, true, MemForm::Full),
    fmem("fld", Fmt::D, false, MemForm::Full),
    fmem("fsd", Fmt::D, true, MemForm::Full),
    fmem("c.fld", Fmt::D, false, MemForm::Compact),
    fmem("c.fsd", Fmt::D, true, MemForm::Compact),
    fmem("c.fldsp", Fmt::D, false, MemForm::Stack),
    fmem("c.fsdsp", Fmt::D, true, MemForm::Stack),
    fmem("flh", Fmt::H, false, MemForm::Full),
    fmem("fsh", Fmt::H, true, MemForm::Full),
];

/// The accesses to the F CSRs, by their assembler names: (name, what
/// they take). `frm` writes are mostly valid modes (0..=4) and sometimes
/// the invalid 5..=7, after which every instruction with `rm` = `dyn`
/// must be illegal until a valid mode is written.
pub const FCSR_OPS: &[(&str, FcsrKind)] = &[
    ("fsrmi", FcsrKind::Imm),
    ("fsrm", FcsrKind::Reg),
    ("frrm", FcsrKind::Read),
    ("fsflagsi", FcsrKind::Imm),
    ("fsflags", FcsrKind::Reg),
    ("frflags", FcsrKind::Read),
    ("fscsr", FcsrKind::Reg),
    ("frcsr", FcsrKind::Read),
];

/// The operands of an [`FCSR_OPS`] entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FcsrKind {
    /// `op rd, uimm5`.
    Imm,
    /// `op rd, rs1`.
    Reg,
    /// `op rd`.
    Read,
}

/// `f32` bits, for the edge tables.
const fn s(v: f32) -> u32 {
    v.to_bits()
}

/// `f64` bits, for the edge tables.
const fn d(v: f64) -> u64 {
    v.to_bits()
}

/// Edge binary32 values: signed zeros, subnormals, the normal extremes,
/// infinities, quiet and signalling NaNs with payloads, values around .5
/// (rounding), integers around the limits of the conversions, and values
/// whose products and quotients overflow or underflow.
pub const F32_EDGES: &[u32] = &[
    0x0000_0000,
    0x8000_0000,
    0x0000_0001,
    0x8000_0001,
    0x007f_ffff,
    0x0040_0000,
    0x0080_0000,
    0x8080_0000,
    0x0080_0001,
    0x7f7f_ffff,
    0xff7f_ffff,
    0x7f80_0000,
    0xff80_0000,
    0x7fc0_0000,
    0xffc0_0000,
    0x7fc1_2345,
    0xffe0_0001,
    0x7f80_0001,
    0x7fa0_0000,
    0xff81_2345,
    s(1.0),
    s(-1.0),
    s(0.5),
    s(-0.5),
    0x3eff_ffff, // just below 0.5
    0x3f00_0001, // just above 0.5
    s(1.5),
    s(-1.5),
    s(2.5),
    s(-2.5),
    s(3.5),
    0x3f7f_ffff,  // just below 1
    0xbf7f_ffff,  // just above -1
    s(8388607.5), // 2^23 - 0.5
    s(8388609.0),
    s(16777215.0),
    s(2147483648.0), // 2^31
    s(-2147483648.0),
    0x4eff_ffff,              // largest below 2^31
    0xcf00_0001,              // just below -2^31
    s(4294967296.0),          // 2^32
    0x4f7f_ffff,              // largest below 2^32
    s(9223372036854775808.0), // 2^63
    s(-9223372036854775808.0),
    0x5eff_ffff,
    0xdf00_0001,
    s(18446744073709551616.0), // 2^64
    0x5f7f_ffff,
    0x3eaa_aaab, // 1/3
    0x4049_0fdb, // pi
    0x3400_0000, // 2^-23
    0x3380_0000, // 2^-24
    0x7e80_0000, // 2^126
    0x1f80_0000, // 2^-64
    0x1fff_ffff,
    0x2000_0000,
    // Narrowing to binary16: the largest finite (65504), just below and
    // at the halfway point to 65536 (RNE overflows there), 2^16, the
    // smallest normal (2^-14) and just below it, the smallest subnormal
    // (2^-24), half of it (a tie with zero) and three quarters, a tie and
    // a value just above one between 1 and its binary16 successor.
    s(65504.0),
    s(65519.0),
    s(65520.0),
    s(-65520.0),
    s(65536.0),
    0x3880_0000, // 2^-14
    0x387f_ffff,
    0x3380_0001,
    0x3300_0000, // 2^-25
    0x3340_0000, // 3 * 2^-26
    0x3f80_1000, // 1 + 2^-11
    0x3f80_3000, // 1 + 3 * 2^-11
    0x3f80_1001,
    0x477f_efff, // just below 65520
];

/// Edge binary64 values: as [`F32_EDGES`], plus the binary32 limits as
/// doubles (`fcvt.s.d`: overflow, underflow, tininess after rounding, ties).
pub const F64_EDGES: &[u64] = &[
    0x0000_0000_0000_0000,
    0x8000_0000_0000_0000,
    0x0000_0000_0000_0001,
    0x8000_0000_0000_0001,
    0x000f_ffff_ffff_ffff,
    0x0008_0000_0000_0000,
    0x0010_0000_0000_0000,
    0x8010_0000_0000_0000,
    0x0010_0000_0000_0001,
    0x7fef_ffff_ffff_ffff,
    0xffef_ffff_ffff_ffff,
    0x7ff0_0000_0000_0000,
    0xfff0_0000_0000_0000,
    0x7ff8_0000_0000_0000,
    0xfff8_0000_0000_0000,
    0x7ff8_0000_0001_2345,
    0xfffc_0000_0000_0001,
    0x7ff0_0000_0000_0001,
    0x7ff4_0000_0000_0000,
    0xfff0_0000_dead_beef,
    d(1.0),
    d(-1.0),
    d(0.5),
    d(-0.5),
    0x3fdf_ffff_ffff_ffff, // just below 0.5
    0x3fe0_0000_0000_0001, // just above 0.5
    d(1.5),
    d(-1.5),
    d(2.5),
    d(-2.5),
    d(3.5),
    0x3fef_ffff_ffff_ffff,
    0xbfef_ffff_ffff_ffff,
    d(2147483647.0),
    d(2147483647.5),
    d(2147483648.0),
    d(-2147483648.0),
    d(-2147483648.5),
    d(-2147483649.0),
    d(4294967295.0),
    d(4294967295.5),
    d(4294967296.0),
    d(9223372036854775808.0),
    0x43df_ffff_ffff_ffff, // largest below 2^63
    d(-9223372036854775808.0),
    0xc3e0_0000_0000_0001,
    d(18446744073709551616.0),
    0x43ef_ffff_ffff_ffff, // largest below 2^64
    d(4503599627370495.5), // 2^52 - 0.5
    d(9007199254740993.0), // 2^53 + 1 (rounds)
    0x47ef_ffff_e000_0000, // largest binary32
    0x47ef_ffff_f000_0000, // halfway above it
    0x47f0_0000_0000_0000, // 2^128
    0x3810_0000_0000_0000, // smallest normal binary32
    0x380f_ffff_ffff_ffff, // just below: tiny before rounding, not after
    0x380f_ffff_f000_0000,
    0x36a0_0000_0000_0000, // smallest subnormal binary32
    0x3690_0000_0000_0000, // half of it
    0x3698_0000_0000_0000,
    0x3ff0_0000_1000_0000, // 1 + 2^-24: a tie in binary32
    0x3ff0_0000_3000_0000,
    0x3ff0_0000_1000_0001,
    0x3fd5_5555_5555_5555, // 1/3
    0x4009_21fb_5444_2d18, // pi
    0x3cb0_0000_0000_0000, // 2^-52
    0x7fe0_0000_0000_0000, // 2^1023
    0x1e60_0000_0000_0000, // 2^-537
    0x2000_0000_0000_0000,
    // Narrowing to binary16 (as in F32_EDGES).
    d(65504.0),
    d(65519.999),
    d(65520.0),
    d(-65520.0),
    0x3f10_0000_0000_0000, // 2^-14
    0x3f0f_ffff_ffff_ffff,
    0x3e70_0000_0000_0000, // 2^-24
    0x3e60_0000_0000_0000, // 2^-25
    0x3e60_0000_0000_0001,
    0x3ff0_0800_0000_0000, // 1 + 2^-11
    0x3ff0_0800_0000_0001,
];

/// Edge binary16 values: signed zeros, subnormals (the smallest, the
/// largest, one in between), the smallest normals, the largest finite,
/// infinities, quiet and signalling NaNs with payloads, values around .5
/// and ties (rounding), the limits of its integer precision (2^11), and
/// values whose products, quotients and square roots overflow or
/// underflow.
pub const F16_EDGES: &[u16] = &[
    0x0000, 0x8000, // ±0
    0x0001, 0x8001, // ±2^-24
    0x03ff, 0x83ff, // the largest subnormals
    0x0200, // 2^-15
    0x0400, 0x8400, // ±2^-14
    0x0401, //
    0x7bff, 0xfbff, // ±65504
    0x7c00, 0xfc00, // ±inf
    0x7e00, 0xfe00, // the canonical NaN and its negation
    0x7e01, 0x7f23, // quiet NaNs with payloads
    0x7c01, 0x7d00, 0xfc01, 0xfdff, // signalling NaNs
    0x3c00, 0xbc00, // ±1
    0x3800, 0xb800, // ±0.5
    0x37ff, 0x3801, // around 0.5
    0x3e00, 0xbe00, // ±1.5
    0x4100, 0xc100, // ±2.5
    0x4300, // 3.5
    0x3bff, 0xbbff, // around ±1
    0x3c01, // 1 + 2^-10
    0x67ff, 0x6800, 0x6801, // 2047, 2048, 2050
    0x5bff, 0x5c00, // around 256 (its square overflows)
    0x7800, // 32768
    0x3555, // 1/3
    0x4248, // pi
    0x1400, 0x1000, // 2^-10, 2^-11
    0x2000, 0x1fff, // 2^-7 and just below (products underflow)
    0x7400, // 2^14
];

/// Integer sources for the conversions and moves to floating point:
/// around 2^11, 2^24 and 2^53 (the precisions), the 32- and 64-bit
/// limits, binary16's largest finite value and its rounding boundary,
/// halfway cases, and low words under arbitrary upper bits (the W forms
/// use only the low 32 bits).
pub const CVT_EDGES: &[u64] = &[
    0,
    1,
    u64::MAX,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff_8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x00ff_ffff,
    0x0100_0001,
    0x0100_0003,
    0x7fff_ffc0,
    0x7fff_ff40,
    0x001f_ffff_ffff_ffff,
    0x0020_0000_0000_0001,
    0x0020_0000_0000_0003,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    0x8000_0000_0000_0001,
    0xffff_ffff_ffff_fc00,
    0x7fff_fe00_0000_0000,
    0xdead_beef_0100_0001,
    0x1234_5678_ffff_ffff,
    0xffff_ffff_7fff_ffff,
    0x7fc0_0000,
    0xffff_ffff_7f80_0001,
    0x7ff8_0000_0000_0000,
    // Around binary16's precision (2^11) and range (65504; 65520 rounds
    // to infinity under RNE).
    0x801,
    0x803,
    0x1001,
    0xffe0,
    0xffef,
    0xfff0,
    0x1_0000,
    0xffff_ffff_ffff_0010,
    0xffff_ffff_ffff_f7ff,
];

/// Encodings in the floating-point opcodes that are reserved, so illegal
/// on both emulators (both run with Zfh and Zfhmin, neither has Q or V):
/// the static rounding modes 5 and 6 (also in the H format), reserved
/// funct3 and rs2 values, and the Q format. As [`ILLEGAL`]: (pattern,
/// free bits, length).
pub const FP_ILLEGAL: &[(u32, u32, u8)] = &[
    (0x0000_5053, 0x01ff_8f80, 4), // fadd.s, rm = 5
    (0x0200_6053, 0x01ff_8f80, 4), // fadd.d, rm = 6
    (0x1000_5053, 0x01ff_8f80, 4), // fmul.s, rm = 5
    (0x5a00_6053, 0x000f_8f80, 4), // fsqrt.d, rm = 6
    (0x0000_5043, 0xf9ff_8f80, 4), // fmadd.s, rm = 5
    (0x0200_604f, 0xf9ff_8f80, 4), // fnmadd.d, rm = 6
    (0xc000_5053, 0x000f_8f80, 4), // fcvt.w.s, rm = 5
    (0xd220_6053, 0x000f_8f80, 4), // fcvt.d.l, rm = 6
    (0x4200_5053, 0x000f_8f80, 4), // fcvt.d.s, rm = 5
    (0x5810_0053, 0x000f_8f80, 4), // fsqrt.s with rs2 = 1
    (0x2000_3053, 0x01ff_8f80, 4), // fsgnj.s, funct3 = 3
    (0x2a00_2053, 0x01ff_8f80, 4), // fmin.d, funct3 = 2
    (0xa000_3053, 0x01ff_8f80, 4), // feq.s, funct3 = 3
    (0xc040_0053, 0x000f_8f80, 4), // fcvt.w.s with rs2 = 4
    (0x4030_0053, 0x000f_8f80, 4), // fcvt.s.q (rs2 = 3; rs2 = 2 is fcvt.s.h)
    (0xe000_2053, 0x000f_8f80, 4), // fmv.x.w / fclass.s, funct3 = 2
    (0xf010_0053, 0x000f_8f80, 4), // fmv.w.x with rs2 = 1
    (0x0400_5053, 0x01ff_8f80, 4), // fadd.h, rm = 5
    (0x0400_6043, 0xf9ff_8f80, 4), // fmadd.h, rm = 6
    (0x5c00_5053, 0x000f_8f80, 4), // fsqrt.h, rm = 5
    (0x5c10_0053, 0x000f_8f80, 4), // fsqrt.h with rs2 = 1
    (0x4020_6053, 0x000f_8f80, 4), // fcvt.s.h, rm = 6
    (0x4220_5053, 0x000f_8f80, 4), // fcvt.d.h, rm = 5
    (0x4400_5053, 0x000f_8f80, 4), // fcvt.h.s, rm = 5
    (0x4430_0053, 0x000f_8f80, 4), // fcvt.h.q (no Q)
    (0x2400_3053, 0x01ff_8f80, 4), // fsgnj.h, funct3 = 3
    (0xa400_3053, 0x01ff_8f80, 4), // feq.h, funct3 = 3
    (0xc440_0053, 0x000f_8f80, 4), // fcvt.w.h with rs2 = 4
    (0xe400_2053, 0x000f_8f80, 4), // fmv.x.h / fclass.h, funct3 = 2
    (0xf410_0053, 0x000f_8f80, 4), // fmv.h.x with rs2 = 1
    (0x0600_7053, 0x01ff_8f80, 4), // fadd.q (no Q)
    (0x0000_4007, 0xffff_8f80, 4), // flq (no Q)
    (0x0000_4027, 0xffff_8f80, 4), // fsq (no Q)
];
