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
}

/// Every mnemonic the generator must exercise at least once over a full
/// run, by extension (the base names: `.aq`/`.rl` suffixes are not counted
/// separately, pseudo-instructions such as `li`/`lla` not at all).
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
];

/// The forms whose instructions never trap and never touch memory: the
/// ones allowed between an LR and its SC.
pub fn quiet(form: Form) -> bool {
    matches!(form, Form::R | Form::I | Form::Sh6 | Form::Sh5 | Form::U)
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
/// `mstatus`/`mie`/`mip` (interrupt state, FS/XS fields that differ by
/// design while rivet has no F/D), `misa`/`marchid`/`mimpid`/`mvendorid`
/// (identification, differs by design), `mcause`/`mtval`/`scause`/`stval`
/// (WLRL/WARL ranges left to the implementation), `satp`, PMP, the
/// delegation and counter-enable registers (WARL with implementation-chosen
/// writable bits), and every counter (`cycle`, `time`, `instret`,
/// `mcycle`, `minstret`, which differ by design).
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
