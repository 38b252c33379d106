//! Which extensions a hart implements: [`Extensions`], the set the hart
//! carries, and what follows from it (`misa`, the device tree's
//! `riscv,isa` string).
//!
//! An instruction of an extension the set leaves out raises an
//! illegal-instruction exception, as on a hart without it: the handlers of
//! the switchable extensions check the set when they run (they are never
//! inline, so the check costs the hot loop nothing), and decoding does not
//! depend on it (the decode cache is shared by every hart of a memory).
//! F and D need no check of their own: without F, `misa.F` is clear, so
//! `mstatus.FS` stays Off (every F and D instruction is then illegal) and
//! `fflags`, `frm` and `fcsr` do not exist.

use bitflags::bitflags;

use crate::csr;

bitflags! {
    /// A set of RISC-V extensions, named as the ISA manual names them.
    ///
    /// Only the extensions in [`Extensions::SWITCHABLE`] may be left out
    /// of a hart's set; the others (I, C, Zicsr, Zifencei, the counters,
    /// Sstc, Svadu) are always present, and D is present exactly when F
    /// is ([`Extensions::legal`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Extensions: u32 {
        /// The base integer instruction set (RV64I).
        const I = 1 << 0;
        /// Integer multiplication and division.
        const M = 1 << 1;
        /// Atomic instructions.
        const A = 1 << 2;
        /// Single-precision floating point.
        const F = 1 << 3;
        /// Double-precision floating point.
        const D = 1 << 4;
        /// Compressed instructions.
        const C = 1 << 5;
        /// Control and status register instructions.
        const ZICSR = 1 << 6;
        /// `fence.i`.
        const ZIFENCEI = 1 << 7;
        /// The base counters (`cycle`, `time`, `instret`).
        const ZICNTR = 1 << 8;
        /// Integer conditional operations (`czero.eqz`, `czero.nez`).
        const ZICOND = 1 << 9;
        /// The `pause` hint.
        const ZIHINTPAUSE = 1 << 10;
        /// Address generation (`sh1add`, `add.uw`, ...).
        const ZBA = 1 << 11;
        /// Basic bit manipulation (`clz`, `rev8`, `andn`, ...).
        const ZBB = 1 << 12;
        /// Carry-less multiplication.
        const ZBC = 1 << 13;
        /// Single-bit instructions (`bset`, `bext`, ...).
        const ZBS = 1 << 14;
        /// The supervisor timer (`stimecmp`).
        const SSTC = 1 << 15;
        /// Hardware updating of the A and D bits of page-table entries.
        const SVADU = 1 << 16;
        /// Cache-block management (`cbo.clean`, `cbo.flush`, `cbo.inval`).
        const ZICBOM = 1 << 17;
        /// Cache-block prefetch hints (`prefetch.i/r/w`: `ori` hints, so
        /// only the ISA string changes).
        const ZICBOP = 1 << 18;
        /// Cache-block zero (`cbo.zero`).
        const ZICBOZ = 1 << 19;
        /// Fine-grained address-translation cache invalidation
        /// (`sinval.vma`, `sfence.w.inval`, `sfence.inval.ir`).
        const SVINVAL = 1 << 20;
        /// NAPOT translation contiguity (64 KiB pages, PTE bit 63).
        const SVNAPOT = 1 << 21;
        /// Page-based memory types (PTE bits 62:61, `menvcfg.PBMTE`).
        const SVPBMT = 1 << 22;
        /// Half-precision floating point (`fadd.h`, `fcvt.w.h`, ...);
        /// implies Zfhmin.
        const ZFH = 1 << 23;
        /// Minimal half-precision floating point: loads, stores, moves and
        /// conversions to and from binary32/binary64.
        const ZFHMIN = 1 << 24;
        /// Data-independent execution latency (scalar cryptography's Zkt):
        /// no instructions of its own, a promise about others. The
        /// instructions Zkt lists that rivet implements (RV64I's and RVC's
        /// integer arithmetic, logic, shifts and comparisons; M's `mul`,
        /// `mulh`, `mulhu`, `mulhsu`, `mulw`, not the divisions; Zbb's
        /// rotations, `andn`, `orn`, `xnor` and `rev8`; Zbc's `clmul` and
        /// `clmulh`) are each computed by the host with no branch or table
        /// lookup on the operands' values (host integer operations, a
        /// 128-bit product, a masked carry-less product), so the host time
        /// they take does not depend on the data, on hosts whose own
        /// multiply does not (x86-64 and 64-bit Arm server cores). Under
        /// `-icount` the guest's clock counts instructions, not host time,
        /// and every instruction counts the same. Switching it off only
        /// takes it out of the ISA string.
        const ZKT = 1 << 25;
    }
}

/// Every extension in the canonical order of an ISA string (the
/// single-letter ones in `IMAFDQLCBKJTPVH` order, then the multi-letter
/// `Z` ones by the category of their first letter after the `Z`, then
/// alphabetically, then the `S` ones), with its name there.
pub(crate) const NAMES: &[(Extensions, &str)] = &[
    (Extensions::I, "i"),
    (Extensions::M, "m"),
    (Extensions::A, "a"),
    (Extensions::F, "f"),
    (Extensions::D, "d"),
    (Extensions::C, "c"),
    (Extensions::ZICBOM, "zicbom"),
    (Extensions::ZICBOP, "zicbop"),
    (Extensions::ZICBOZ, "zicboz"),
    (Extensions::ZICNTR, "zicntr"),
    (Extensions::ZICOND, "zicond"),
    (Extensions::ZICSR, "zicsr"),
    (Extensions::ZIFENCEI, "zifencei"),
    (Extensions::ZIHINTPAUSE, "zihintpause"),
    (Extensions::ZFH, "zfh"),
    (Extensions::ZFHMIN, "zfhmin"),
    (Extensions::ZBA, "zba"),
    (Extensions::ZBB, "zbb"),
    (Extensions::ZBC, "zbc"),
    (Extensions::ZBS, "zbs"),
    (Extensions::ZKT, "zkt"),
    (Extensions::SSTC, "sstc"),
    (Extensions::SVADU, "svadu"),
    (Extensions::SVINVAL, "svinval"),
    (Extensions::SVNAPOT, "svnapot"),
    (Extensions::SVPBMT, "svpbmt"),
];

impl Extensions {
    /// The extensions a configuration may leave out.
    pub const SWITCHABLE: Extensions = Extensions::M
        .union(Extensions::A)
        .union(Extensions::F)
        .union(Extensions::D)
        .union(Extensions::ZICOND)
        .union(Extensions::ZIHINTPAUSE)
        .union(Extensions::ZBA)
        .union(Extensions::ZBB)
        .union(Extensions::ZBC)
        .union(Extensions::ZBS)
        .union(Extensions::ZICBOM)
        .union(Extensions::ZICBOP)
        .union(Extensions::ZICBOZ)
        .union(Extensions::SVINVAL)
        .union(Extensions::SVNAPOT)
        .union(Extensions::SVPBMT)
        .union(Extensions::ZFH)
        .union(Extensions::ZFHMIN)
        .union(Extensions::ZKT);

    /// The extensions every hart has.
    pub const FIXED: Extensions = Extensions::all().difference(Extensions::SWITCHABLE);

    /// The extension named `name` (as in an ISA string, any case), if rivet
    /// knows it.
    pub fn from_isa_name(name: &str) -> Option<Extensions> {
        NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(ext, _)| *ext)
    }

    /// The name of a single extension, as in an ISA string (`None` for a
    /// set of several or none).
    pub fn isa_name(self) -> Option<&'static str> {
        NAMES.iter().find(|(ext, _)| *ext == self).map(|(_, n)| *n)
    }

    /// The names of the extensions in the set, in canonical order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        NAMES
            .iter()
            .filter(move |(ext, _)| self.contains(*ext))
            .map(|(_, n)| *n)
    }

    /// The set a hart can have that is closest to this one: the fixed
    /// extensions added, D present exactly when F is (D requires F,
    /// and rivet implements F only together with D), Zfhmin with Zfh, and
    /// neither without F.
    pub fn legal(self) -> Extensions {
        let mut set = self | Extensions::FIXED;
        if set.contains(Extensions::ZFH) {
            // Zfh includes every Zfhmin instruction.
            set |= Extensions::ZFHMIN;
        }
        if set.contains(Extensions::F) {
            set | Extensions::D
        } else {
            // Zfh and Zfhmin require F.
            set.difference(Extensions::D | Extensions::ZFH | Extensions::ZFHMIN)
        }
    }

    /// `misa` of a hart with these extensions: MXL = 64, the letters, and
    /// S and U (the privilege modes, always present).
    pub fn misa(self) -> u64 {
        let letters = [
            (Extensions::I, b'I'),
            (Extensions::M, b'M'),
            (Extensions::A, b'A'),
            (Extensions::F, b'F'),
            (Extensions::D, b'D'),
            (Extensions::C, b'C'),
        ];
        letters.iter().filter(|(ext, _)| self.contains(*ext)).fold(
            (2 << 62) | csr::ext(b'S') | csr::ext(b'U'),
            |misa, (_, c)| misa | csr::ext(*c),
        )
    }

    /// The device tree's `riscv,isa` string: `rv64` and the single-letter
    /// extensions, then each multi-letter one after an underscore
    /// (`rv64imafdc_zicntr_zicsr_...`), the form QEMU 7.2 writes.
    pub fn isa_string(self) -> String {
        let mut s = String::from("rv64");
        for name in self.names() {
            if name.len() > 1 {
                s.push('_');
            }
            s.push_str(name);
        }
        s
    }

    /// The device tree's `riscv,isa-extensions` list: every extension's
    /// name, in canonical order.
    pub fn isa_extensions(self) -> Vec<String> {
        self.names().map(str::to_string).collect()
    }
}

/// rivet's default: every extension it implements except Zicond.
///
/// That is what QEMU 7.2's `-cpu rv64` has (its device tree says
/// `rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc`: Zba,
/// Zbb, Zbc, Zbs and Zihintpause on by default), less H, with Zicntr and
/// Svadu, which rivet always implements, and with what the RVA22U64 and
/// RVA22S64 profiles make mandatory beyond it (Zicbom, Zicbop, Zicboz,
/// Svpbmt, Svinval) and Svnapot, an RVA22S64 option: QEMU 7.2 has these
/// off by default (and no cache-block instructions at all), but a guest
/// built for the profile expects them, and one that does not know them
/// ignores them. Zicond is off by default: QEMU 7.2 does not know it,
/// later QEMUs leave it off unless asked, and the RVA22 profiles do not
/// include it. Zfh and Zfhmin are on: RVA22U64 makes Zfhmin mandatory
/// (and Zfh an option); QEMU 7.2 has both off unless asked (`Zfh=true`,
/// `Zfhmin=true`). Zkt is on: RVA22U64 makes it mandatory; QEMU 7.2 has
/// it off unless asked (`zkt=on`).
impl Default for Extensions {
    fn default() -> Self {
        Extensions::all().difference(Extensions::ZICOND)
    }
}

/// A handler of an instruction of extension `$ext` computing
/// `rd = f(rs1, rs2)`; an illegal instruction where the hart lacks `$ext`.
macro_rules! reg_reg {
    ($ext:ident, $name:ident, |$a:ident, $b:ident| $body:expr) => {
        pub(crate) fn $name(
            h: &mut $crate::hart::Hart,
            env: &mut $crate::hart::Env<'_>,
            i: $crate::isa::Insn,
            pc: u64,
            _: u64,
        ) -> $crate::isa::Next {
            if !h.extensions.contains($crate::isa::Extensions::$ext) {
                return h.illegal(env, pc);
            }
            let ($a, $b) = (h.xr(i.rs1()), h.xr(i.rs2()));
            h.xw(i.rd(), $body);
            $crate::isa::Next::after(i, pc)
        }
    };
}
pub(crate) use reg_reg;

/// A handler of an instruction of extension `$ext` computing
/// `rd = f(rs1, imm)` (the immediate zero-extended: a shift amount or a
/// bit index; unary instructions ignore it); an illegal instruction where
/// the hart lacks `$ext`.
macro_rules! reg_imm {
    ($ext:ident, $name:ident, |$a:ident, $imm:pat_param| $body:expr) => {
        pub(crate) fn $name(
            h: &mut $crate::hart::Hart,
            env: &mut $crate::hart::Env<'_>,
            i: $crate::isa::Insn,
            pc: u64,
            _: u64,
        ) -> $crate::isa::Next {
            if !h.extensions.contains($crate::isa::Extensions::$ext) {
                return h.illegal(env, pc);
            }
            let ($a, $imm) = (h.xr(i.rs1()), u64::from(i.imm().cast_unsigned()));
            h.xw(i.rd(), $body);
            $crate::isa::Next::after(i, pc)
        }
    };
}
pub(crate) use reg_imm;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_isa_string_is_qemus_less_h_with_zicntr_and_svadu() {
        assert_eq!(
            Extensions::default().isa_string(),
            "rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicsr_zifencei_zihintpause_zfh_zfhmin_zba_\
             zbb_zbc_zbs_zkt_sstc_svadu_svinval_svnapot_svpbmt"
        );
        assert_eq!(
            Extensions::all()
                .difference(Extensions::ZBA | Extensions::ZIHINTPAUSE)
                .isa_string(),
            "rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicond_zicsr_zifencei_zfh_zfhmin_zbb_zbc_zbs_zkt_\
             sstc_svadu_svinval_svnapot_svpbmt"
        );
        // The order QEMU 7.2 writes with `-cpu rv64,Zfh=true,Zfhmin=true`:
        // "..._zihintpause_zfh_zfhmin_zba_...".
        assert!(Extensions::default()
            .isa_string()
            .contains("_zihintpause_zfh_zfhmin_zba_"));
    }

    #[test]
    fn zfh_implies_zfhmin_and_both_need_f() {
        let set = Extensions::default().difference(Extensions::ZFHMIN);
        assert!(set.legal().contains(Extensions::ZFH | Extensions::ZFHMIN));
        let set = Extensions::default().difference(Extensions::ZFH);
        assert!(set.legal().contains(Extensions::ZFHMIN));
        assert!(!set.legal().contains(Extensions::ZFH));
        let set = Extensions::default().difference(Extensions::F);
        assert!(!set
            .legal()
            .intersects(Extensions::ZFH | Extensions::ZFHMIN | Extensions::D));
    }

    #[test]
    fn misa_follows_the_letters() {
        // RV64 (MXL 2), I M A F D C S U.
        assert_eq!(Extensions::default().misa(), 0x8000_0000_0014_112d);
        // I C S U, then with F and D.
        assert_eq!(Extensions::FIXED.misa(), 0x8000_0000_0014_0104);
        assert_eq!(
            (Extensions::FIXED | Extensions::F).legal().misa(),
            0x8000_0000_0014_012c
        );
    }

    #[test]
    fn names_round_trip() {
        for (ext, name) in NAMES {
            assert_eq!(Extensions::from_isa_name(name), Some(*ext));
            assert_eq!(ext.isa_name(), Some(*name));
        }
        assert_eq!(
            Extensions::from_isa_name("Zihintpause"),
            Some(Extensions::ZIHINTPAUSE)
        );
        assert_eq!(Extensions::from_isa_name("zk"), None);
        assert_eq!(NAMES.len(), Extensions::all().iter().count());
    }
}
