//! S- and U-mode snippets: the Sv39 address space the M-mode prologue
//! builds for them, and a model of its permissions (used only to keep
//! out of the generated code what the specification leaves to the
//! implementation and what QEMU 7.2 gets wrong, never to predict
//! results: the emulators' dumps are compared, not the model's).
//!
//! Virtual address space of an S/U snippet (everything the code and the
//! data need is identity-mapped, A and D are set in every leaf so that
//! neither emulator has to update them):
//!
//! ```text
//!   GiB 0   root[0] -> L1: the UART, 0x1000_0000 (a 2 MiB superpage, or a
//!           4 KiB page through an L0 table); 0..0x7ff unmapped
//!   GiB 1   root[1] -> L1 (probes):
//!           0x4000_0000 + i * 4 KiB, i = 0..8: L0 pages of the kinds of
//!                        PROBE_PAGES, all onto the area's first page
//!           0x4020_0000: a misaligned 2 MiB superpage (a page fault)
//!           0x4040_0000: a read-only 2 MiB superpage onto 0x8000_0000
//!   GiB 2   the program (0x8000_0000..0x8020_0000): one 1 GiB superpage,
//!           or L1 -> one 2 MiB superpage, or L1 -> L0 -> 512 4 KiB pages
//!           (code RWX or RX, data RW, the area's second page of a kind
//!           of AREA_P1); 0x8020_0000 and up unmapped unless 1 GiB
//!   GiB 3   root[3]: a 1 GiB superpage onto 0x8000_0000 (an alias of the
//!           program) of a kind of ALIAS_1G_KINDS
//!   the rest (e.g. GiB 257, in the upper half) and non-canonical
//!   addresses: unmapped
//! ```
//!
//! The U bit of every page is the one the snippet's mode needs (set for
//! U-mode, clear for S-mode) except for the pages of kind
//! [`PageKind::OtherU`]. PMP entry 0 grants everything (set once at
//! start), traps are not delegated: they all reach the M-mode handler.

use std::fmt::Write;

use super::program::Mode;

/// The PTE bits.
pub const PTE_V: u64 = 1 << 0;
/// Readable.
pub const PTE_R: u64 = 1 << 1;
/// Writable.
pub const PTE_W: u64 = 1 << 2;
/// Executable.
pub const PTE_X: u64 = 1 << 3;
/// User.
pub const PTE_U: u64 = 1 << 4;
/// Accessed.
pub const PTE_A: u64 = 1 << 6;
/// Dirty.
pub const PTE_D: u64 = 1 << 7;

/// Base of the probe pages (GiB 1).
pub const PROBE_BASE: u64 = 0x4000_0000;
/// The misaligned 2 MiB superpage.
pub const PROBE_MISALIGNED: u64 = 0x4020_0000;
/// The read-only 2 MiB alias of 0x8000_0000.
pub const ALIAS_2M: u64 = 0x4040_0000;
/// The 1 GiB alias of 0x8000_0000.
pub const ALIAS_1G: u64 = 0xc000_0000;
/// Where RAM and the program start.
pub const RAM: u64 = 0x8000_0000;

/// What a page allows, as the kinds of page the snippets meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// V = 0 (with R, W, X, A, D set: V alone must decide).
    Invalid,
    /// Read-only.
    R,
    /// Read-write.
    Rw,
    /// Execute-only (readable with MXR).
    X,
    /// Read-execute.
    Rx,
    /// Everything.
    Rwx,
    /// Read-write-execute with the U bit the mode does not want: a user
    /// page in S-mode (accessible with SUM, never executable), a
    /// supervisor page in U-mode.
    OtherU,
    /// W without R: a reserved encoding (a page fault for every access).
    WOnly,
    /// R = W = X = 0 in a level-0 PTE: a pointer where a leaf must be (a
    /// page fault).
    NonLeaf,
}

impl PageKind {
    /// The PTE flags of a leaf of this kind in `mode`.
    pub fn flags(self, mode: Mode) -> u64 {
        let user = if mode == Mode::U { PTE_U } else { 0 };
        let other = PTE_U ^ user;
        let leaf = PTE_V | PTE_A | PTE_D;
        match self {
            PageKind::Invalid => PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | user,
            PageKind::R => leaf | PTE_R | user,
            PageKind::Rw => leaf | PTE_R | PTE_W | user,
            PageKind::X => leaf | PTE_X | user,
            PageKind::Rx => leaf | PTE_R | PTE_X | user,
            PageKind::Rwx => leaf | PTE_R | PTE_W | PTE_X | user,
            PageKind::OtherU => leaf | PTE_R | PTE_W | PTE_X | other,
            PageKind::WOnly => leaf | PTE_W | user,
            PageKind::NonLeaf => PTE_V,
        }
    }

    /// Whether `access` from `mode` succeeds on a page of this kind (the
    /// Sv39 rules of the privileged specification, section "Virtual
    /// Address Translation Process", steps 3 to 6).
    pub fn allows(self, mode: Mode, vm: &VmSetup, access: Access) -> bool {
        let (r, w, x) = match self {
            PageKind::Invalid | PageKind::WOnly | PageKind::NonLeaf => return false,
            PageKind::R => (true, false, false),
            PageKind::Rw => (true, true, false),
            PageKind::X => (false, false, true),
            PageKind::Rx => (true, false, true),
            PageKind::Rwx | PageKind::OtherU => (true, true, true),
        };
        let user_page = (self == PageKind::OtherU) != (mode == Mode::U);
        match mode {
            Mode::M => return true,
            Mode::U if !user_page => return false,
            Mode::S if user_page && (access == Access::Exec || !vm.sum) => return false,
            _ => {}
        }
        match access {
            Access::Read => r || (vm.mxr && x),
            Access::Write => w,
            Access::Exec => x,
        }
    }
}

/// A kind of memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A load (and LR).
    Read,
    /// A store or an AMO.
    Write,
    /// An instruction fetch.
    Exec,
}

/// The kinds of the eight probe pages at [`PROBE_BASE`], in order.
pub const PROBE_PAGES: [PageKind; 8] = [
    PageKind::Invalid,
    PageKind::R,
    PageKind::Rw,
    PageKind::X,
    PageKind::OtherU,
    PageKind::WOnly,
    PageKind::NonLeaf,
    PageKind::Rx,
];

/// The kinds the second page of the data area (A + 1536 and up) takes
/// with 4 KiB pages; the first page (where `sp` and `s0` point) is
/// always read-write.
pub const AREA_P1: [PageKind; 7] = [
    PageKind::Rw,
    PageKind::R,
    PageKind::Invalid,
    PageKind::OtherU,
    PageKind::X,
    PageKind::Rwx,
    PageKind::WOnly,
];

/// The kinds of the 1 GiB alias at [`ALIAS_1G`] (never executable: fetch
/// probes there must fault).
pub const ALIAS_1G_KINDS: [PageKind; 4] = [
    PageKind::Rw,
    PageKind::R,
    PageKind::OtherU,
    PageKind::Invalid,
];

/// The address-space choices of one S/U snippet (raw: reduced at use).
#[derive(Clone, Copy, Debug, Default)]
pub struct VmSetup {
    /// How the program is mapped: 0 = one 1 GiB superpage, 1 = one 2 MiB
    /// superpage, 2 and up = 4 KiB pages.
    pub kind: u8,
    /// With 4 KiB pages: the kind of the area's second page
    /// ([`AREA_P1`]).
    pub p1: u8,
    /// With 4 KiB pages: the code pages are not writable (self-modifying
    /// code then takes a store page fault).
    pub text_ro: bool,
    /// mstatus.SUM (S-mode may access user pages).
    pub sum: bool,
    /// mstatus.MXR (execute-only pages are readable).
    pub mxr: bool,
    /// The UART through a 4 KiB page rather than a 2 MiB superpage.
    pub uart_4k: bool,
    /// The kind of the 1 GiB alias ([`ALIAS_1G_KINDS`]).
    pub alias: u8,
    /// mstatus.TVM for an S-mode body: `sfence.vma`, `sinval.vma` and
    /// accesses to `satp` are then illegal there (and `sfence.w.inval`,
    /// `sfence.inval.ir` still allowed).
    pub tvm: bool,
}

/// How the program is mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mapping {
    /// One 1 GiB superpage (RWX).
    Giga,
    /// One 2 MiB superpage (RWX).
    Mega,
    /// 4 KiB pages.
    Kilo,
}

impl VmSetup {
    /// How the program is mapped.
    pub fn mapping(&self) -> Mapping {
        match self.kind % 4 {
            0 => Mapping::Giga,
            1 => Mapping::Mega,
            _ => Mapping::Kilo,
        }
    }

    /// The kind of the data area's second page.
    pub fn p1(&self) -> PageKind {
        match self.mapping() {
            Mapping::Kilo => AREA_P1[usize::from(self.p1) % AREA_P1.len()],
            _ => PageKind::Rwx,
        }
    }

    /// The kind of the 1 GiB alias.
    pub fn alias(&self) -> PageKind {
        ALIAS_1G_KINDS[usize::from(self.alias) % ALIAS_1G_KINDS.len()]
    }
}

/// A place the probe items reach (through a temporary register).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeTarget {
    /// Probe page `i` (its middle).
    Page(u8),
    /// The misaligned superpage.
    Misaligned,
    /// The 2 MiB alias, at the alias of `sp`.
    Alias2M,
    /// The 1 GiB alias, at the alias of `sp`.
    Alias1G,
    /// A non-canonical address whose low 39 bits are those of probe
    /// page 2 (read-write): it must fault all the same.
    NonCanonical,
    /// A canonical address in the upper half, unmapped.
    High,
}

/// Every [`ProbeTarget`], for the strategy.
pub const PROBE_TARGETS: [ProbeTarget; 13] = [
    ProbeTarget::Page(0),
    ProbeTarget::Page(1),
    ProbeTarget::Page(2),
    ProbeTarget::Page(3),
    ProbeTarget::Page(4),
    ProbeTarget::Page(5),
    ProbeTarget::Page(6),
    ProbeTarget::Page(7),
    ProbeTarget::Misaligned,
    ProbeTarget::Alias2M,
    ProbeTarget::Alias1G,
    ProbeTarget::NonCanonical,
    ProbeTarget::High,
];

impl ProbeTarget {
    /// The address the temporary register holds, or `None` for the
    /// aliases (then `sp` plus [`ProbeTarget::delta`]).
    pub fn base(self) -> Option<u64> {
        match self {
            ProbeTarget::Page(i) => Some(PROBE_BASE + 4096 * u64::from(i) + 2048),
            ProbeTarget::Misaligned => Some(PROBE_MISALIGNED + 2048),
            ProbeTarget::NonCanonical => {
                Some(0x0000_0080_0000_0000 | (PROBE_BASE + 2 * 4096 + 2048))
            }
            ProbeTarget::High => Some(0xffff_ffc0_4000_2800),
            ProbeTarget::Alias2M | ProbeTarget::Alias1G => None,
        }
    }

    /// For the aliases: virtual minus physical address.
    pub fn delta(self) -> i64 {
        match self {
            ProbeTarget::Alias2M => ALIAS_2M as i64 - RAM as i64,
            ProbeTarget::Alias1G => ALIAS_1G as i64 - RAM as i64,
            _ => 0,
        }
    }

    /// Whether QEMU 7.2 would wrongly execute there: in S-mode with
    /// SUM = 1 it fetches from user pages (the specification: "Irrespective
    /// of SUM, the supervisor may not execute code on pages with U=1").
    pub fn qemu_fetches(self, mode: Mode, vm: &VmSetup) -> bool {
        let user_page = match self {
            ProbeTarget::Page(i) => PROBE_PAGES[usize::from(i) % 8] == PageKind::OtherU,
            ProbeTarget::Alias1G => vm.alias() == PageKind::OtherU,
            _ => false,
        };
        mode == Mode::S && vm.sum && user_page
    }

    /// Whether `access` from `mode` succeeds there.
    pub fn allows(self, mode: Mode, vm: &VmSetup, access: Access) -> bool {
        match self {
            ProbeTarget::Page(i) => PROBE_PAGES[usize::from(i) % 8].allows(mode, vm, access),
            ProbeTarget::Alias2M => PageKind::R.allows(mode, vm, access),
            ProbeTarget::Alias1G => vm.alias().allows(mode, vm, access),
            ProbeTarget::Misaligned | ProbeTarget::NonCanonical | ProbeTarget::High => false,
        }
    }
}

/// The page tables (in .data, inside the program's first 2 MiB).
pub const TABLES: &str = "    .balign 4096
pt_root: .zero 4096
pt_l1:   .zero 4096     # GiB 2, level 1
pt_l0:   .zero 4096     # 0x8000_0000..0x8020_0000, level 0
pt_io1:  .zero 4096     # GiB 0, level 1
pt_io0:  .zero 4096     # the UART page, level 0
pt_p1:   .zero 4096     # GiB 1 (probes), level 1
pt_p0:   .zero 4096     # the probe pages, level 0
pt_end:
";

/// The M-mode routines that build the tables.
pub const ROUTINES: &str = r#"
# vm_clear: zeroes the page tables.
vm_clear:
    lla t0, pt_root
    lla t1, pt_end
1:  sd zero, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 1b
    ret

# vm_fill: a0 = table, a1 = first index, a2 = count, a3 = first physical
# address, a4 = flags: a2 PTEs onto consecutive 4 KiB pages (for one
# entry of a higher level, a3 is the superpage's or the next table's
# address).
vm_fill:
1:  beqz a2, 2f
    srli t0, a3, 12
    slli t0, t0, 10
    or t0, t0, a4
    slli t1, a1, 3
    add t1, t1, a0
    sd t0, 0(t1)
    addi a1, a1, 1
    addi a2, a2, -1
    li t0, 4096
    add a3, a3, t0
    j 1b
2:  ret
"#;

/// One PTE: `table[index]` onto `pa` (an assembler expression: a label
/// or a number) with `flags`.
fn pte(out: &mut String, table: &str, index: u64, pa: &str, flags: u64, what: &str) {
    let load = if pa.starts_with(|c: char| c.is_ascii_digit()) {
        "li"
    } else {
        "lla"
    };
    writeln!(
        out,
        "    lla a0, {table}\n    li a1, {index}\n    li a2, 1\n    {load} a3, {pa}\n    \
         li a4, {flags:#x}\n    jal ra, vm_fill     # {what}"
    )
    .unwrap();
}

/// The M-mode code that builds snippet `k`'s address space and writes
/// `satp`; it clobbers t0, t1, a0..a4 and ra.
pub fn setup(k: usize, mode: Mode, vm: &VmSetup) -> String {
    let mut out = String::new();
    let leaf = |kind: PageKind| kind.flags(mode);
    writeln!(
        out,
        "    # Sv39: program as {:?}, area page 2 {:?}, code {}, SUM {}, MXR {}, alias {:?}",
        vm.mapping(),
        vm.p1(),
        if vm.text_ro { "RX" } else { "RWX" },
        u8::from(vm.sum),
        u8::from(vm.mxr),
        vm.alias()
    )
    .unwrap();
    out.push_str("    jal ra, vm_clear\n");
    // GiB 0: the UART.
    pte(&mut out, "pt_root", 0, "pt_io1", PTE_V, "GiB 0 -> L1");
    if vm.uart_4k {
        pte(&mut out, "pt_io1", 128, "pt_io0", PTE_V, "-> L0");
        pte(
            &mut out,
            "pt_io0",
            0,
            "0x10000000",
            leaf(PageKind::Rw),
            "UART, 4 KiB",
        );
    } else {
        pte(
            &mut out,
            "pt_io1",
            128,
            "0x10000000",
            leaf(PageKind::Rw),
            "UART, 2 MiB",
        );
    }
    // GiB 1: the probes.
    let area = format!("area_{k}");
    pte(&mut out, "pt_root", 1, "pt_p1", PTE_V, "GiB 1 -> probes L1");
    pte(&mut out, "pt_p1", 0, "pt_p0", PTE_V, "-> probes L0");
    for (i, kind) in PROBE_PAGES.iter().enumerate() {
        pte(
            &mut out,
            "pt_p0",
            i as u64,
            &area,
            leaf(*kind),
            &format!("probe {kind:?}"),
        );
    }
    pte(
        &mut out,
        "pt_p1",
        1,
        &area,
        leaf(PageKind::Rw),
        "misaligned 2 MiB superpage",
    );
    pte(
        &mut out,
        "pt_p1",
        2,
        "0x80000000",
        leaf(PageKind::R),
        "2 MiB alias, read-only",
    );
    // GiB 3: the 1 GiB alias.
    let alias = vm.alias();
    pte(
        &mut out,
        "pt_root",
        3,
        "0x80000000",
        leaf(alias),
        &format!("1 GiB alias {alias:?}"),
    );
    // GiB 2: the program.
    match vm.mapping() {
        Mapping::Giga => {
            pte(
                &mut out,
                "pt_root",
                2,
                "0x80000000",
                leaf(PageKind::Rwx),
                "1 GiB",
            );
        }
        Mapping::Mega => {
            pte(&mut out, "pt_root", 2, "pt_l1", PTE_V, "GiB 2 -> L1");
            pte(
                &mut out,
                "pt_l1",
                0,
                "0x80000000",
                leaf(PageKind::Rwx),
                "2 MiB",
            );
        }
        Mapping::Kilo => {
            pte(&mut out, "pt_root", 2, "pt_l1", PTE_V, "GiB 2 -> L1");
            pte(&mut out, "pt_l1", 0, "pt_l0", PTE_V, "-> L0");
            let code = if vm.text_ro {
                PageKind::Rx
            } else {
                PageKind::Rwx
            };
            writeln!(
                out,
                "    lla a0, pt_l0\n    li a1, 0\n    li a2, 512\n    li a3, 0x80000000\n    \
                 li a4, {:#x}\n    jal ra, vm_fill     # 4 KiB data pages\n    \
                 lla a0, pt_l0\n    li a1, 0\n    lla a2, _etext\n    li t0, 0x80000000\n    \
                 sub a2, a2, t0\n    srli a2, a2, 12\n    li a3, 0x80000000\n    \
                 li a4, {:#x}\n    jal ra, vm_fill     # 4 KiB code pages\n    \
                 lla a0, pt_l0\n    lla a3, {area} + 4096\n    srli a1, a3, 12\n    \
                 andi a1, a1, 511\n    li a2, 1\n    li a4, {:#x}\n    \
                 jal ra, vm_fill     # the area's second page",
                leaf(PageKind::Rw),
                leaf(code),
                leaf(vm.p1()),
            )
            .unwrap();
        }
    }
    out.push_str(
        "    lla t0, pt_root\n    srli t0, t0, 12\n    li t1, 0x8000000000000000\n    \
         or t0, t0, t1\n    csrw satp, t0\n    sfence.vma\n",
    );
    out
}
