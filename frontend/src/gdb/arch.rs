//! RV64GC as GDB sees it: the register numbering of GDB's RISC-V port,
//! the `g`-packet register block, and a target description (the
//! `org.gnu.gdb.riscv.*` features) built for the harts rivet emulates.
//!
//! GDB numbers RISC-V registers x0-x31 = 0-31, pc = 32, f0-f31 = 33-64,
//! CSR `n` = 65 + n, and the privilege mode ("priv", a virtual register)
//! = 65 + 4096. The `g` packet carries x0-x31 and pc; GDB reads and writes
//! everything else one register at a time (`p`/`P`), by those numbers,
//! which the target description declares.

use std::fmt::Write;
use std::num::NonZeroUsize;

use gdbstub::arch::{Arch, RegId, Registers};
use rivet_core::csr::addr as csr;
use rivet_core::reg::{F_ABI_NAMES, X_ABI_NAMES};

/// GDB's number of the first CSR.
const FIRST_CSR: usize = 65;
/// GDB's number of the privilege-mode register.
const PRIV: usize = FIRST_CSR + 4096;

/// The architecture rivet presents to GDB: RV64 with the F and D
/// registers, the CSRs and the privilege mode.
#[derive(Debug)]
pub enum Riscv64 {}

impl Arch for Riscv64 {
    type Usize = u64;
    type Registers = CoreRegs;
    /// The length GDB gives a breakpoint (2 or 4); rivet patches no
    /// memory, so any length is accepted.
    type BreakpointKind = usize;
    type RegId = Reg;
}

/// The registers of the `g` packet: x0-x31, then pc.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoreRegs {
    /// x0-x31.
    pub x: [u64; 32],
    /// The program counter.
    pub pc: u64,
}

impl Registers for CoreRegs {
    type ProgramCounter = u64;

    fn pc(&self) -> u64 {
        self.pc
    }

    fn gdb_serialize(&self, mut write_byte: impl FnMut(Option<u8>)) {
        for value in self.x.iter().chain(std::iter::once(&self.pc)) {
            value
                .to_le_bytes()
                .into_iter()
                .for_each(|b| write_byte(Some(b)));
        }
    }

    fn gdb_deserialize(&mut self, bytes: &[u8]) -> Result<(), ()> {
        if bytes.len() != 33 * 8 {
            return Err(());
        }
        let mut words = bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()));
        for x in self.x.iter_mut() {
            *x = words.next().ok_or(())?;
        }
        self.pc = words.next().ok_or(())?;
        Ok(())
    }
}

/// One register, by GDB's RISC-V numbering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    /// An integer register, x0-x31.
    X(u8),
    /// The program counter.
    Pc,
    /// A floating-point register, f0-f31 (raw 64 bits).
    F(u8),
    /// A CSR by its address.
    Csr(u16),
    /// The privilege mode (0 U, 1 S, 3 M).
    Priv,
}

impl Reg {
    /// The register's size in bytes, as the target description gives it.
    pub fn size(self) -> usize {
        match self {
            Reg::Csr(csr::FFLAGS | csr::FRM | csr::FCSR) => 4,
            _ => 8,
        }
    }
}

impl RegId for Reg {
    fn from_raw_id(id: usize) -> Option<(Self, Option<NonZeroUsize>)> {
        let reg = match id {
            0..=31 => Reg::X(u8::try_from(id).ok()?),
            32 => Reg::Pc,
            33..=64 => Reg::F(u8::try_from(id - 33).ok()?),
            PRIV => Reg::Priv,
            _ if (FIRST_CSR..PRIV).contains(&id) => Reg::Csr(u16::try_from(id - FIRST_CSR).ok()?),
            _ => return None,
        };
        Some((reg, NonZeroUsize::new(reg.size())))
    }
}

/// The CSRs offered to GDB (besides fflags, frm and fcsr, which belong to
/// the FPU feature), by their privileged-spec names. Those a hart does not
/// have are left out of its description.
pub fn csr_names() -> Vec<(String, u16)> {
    let mut names: Vec<(String, u16)> = [
        ("cycle", csr::CYCLE),
        ("time", csr::TIME),
        ("instret", csr::INSTRET),
        ("sstatus", csr::SSTATUS),
        ("sie", csr::SIE),
        ("stvec", csr::STVEC),
        ("scounteren", csr::SCOUNTEREN),
        ("senvcfg", csr::SENVCFG),
        ("sscratch", csr::SSCRATCH),
        ("sepc", csr::SEPC),
        ("scause", csr::SCAUSE),
        ("stval", csr::STVAL),
        ("sip", csr::SIP),
        ("stimecmp", csr::STIMECMP),
        ("satp", csr::SATP),
        ("mvendorid", csr::MVENDORID),
        ("marchid", csr::MARCHID),
        ("mimpid", csr::MIMPID),
        ("mhartid", csr::MHARTID),
        ("mconfigptr", csr::MCONFIGPTR),
        ("mstatus", csr::MSTATUS),
        ("misa", csr::MISA),
        ("medeleg", csr::MEDELEG),
        ("mideleg", csr::MIDELEG),
        ("mie", csr::MIE),
        ("mtvec", csr::MTVEC),
        ("mcounteren", csr::MCOUNTEREN),
        ("menvcfg", csr::MENVCFG),
        ("mcountinhibit", csr::MCOUNTINHIBIT),
        ("mscratch", csr::MSCRATCH),
        ("mepc", csr::MEPC),
        ("mcause", csr::MCAUSE),
        ("mtval", csr::MTVAL),
        ("mip", csr::MIP),
        ("mcycle", csr::MCYCLE),
        ("minstret", csr::MINSTRET),
        ("tselect", csr::TSELECT),
        ("tdata1", csr::TDATA1),
        ("tdata2", csr::TDATA2),
        ("tdata3", csr::TDATA3),
        ("tinfo", csr::TINFO),
        ("tcontrol", csr::TCONTROL),
        ("mcontext", csr::MCONTEXT),
    ]
    .into_iter()
    .map(|(n, a)| (n.to_string(), a))
    .collect();
    // RV64 has only the even pmpcfg registers.
    names.extend(
        (0..16)
            .step_by(2)
            .map(|i| (format!("pmpcfg{i}"), csr::PMPCFG0 + i)),
    );
    names.extend((0..64).map(|i| (format!("pmpaddr{i}"), csr::PMPADDR0 + i)));
    names
}

/// The target description (`target.xml`) for a hart whose CSRs are those
/// of `csrs` for which `exists` is true.
pub fn target_xml(has_fp: bool, csrs: &[(String, u16)], exists: impl Fn(u16) -> bool) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n\
         <target version=\"1.0\">\n<architecture>riscv:rv64</architecture>\n\
         <feature name=\"org.gnu.gdb.riscv.cpu\">\n",
    );
    // ABI names, as GDB's RISC-V port accepts them (it knows x8 as fp or s0).
    for (i, name) in X_ABI_NAMES.iter().enumerate() {
        let ty = match i {
            1 => "code_ptr",
            2 | 8 => "data_ptr",
            _ => "int",
        };
        let _ = writeln!(
            xml,
            "  <reg name=\"{name}\" bitsize=\"64\" type=\"{ty}\" regnum=\"{i}\"/>"
        );
    }
    xml.push_str(
        "  <reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n</feature>\n",
    );
    if has_fp {
        xml.push_str(
            "<feature name=\"org.gnu.gdb.riscv.fpu\">\n  <union id=\"riscv_double\">\
             <field name=\"float\" type=\"ieee_single\"/>\
             <field name=\"double\" type=\"ieee_double\"/></union>\n",
        );
        for (i, name) in F_ABI_NAMES.iter().enumerate() {
            let _ = writeln!(
                xml,
                "  <reg name=\"{name}\" bitsize=\"64\" type=\"riscv_double\" regnum=\"{}\"/>",
                33 + i
            );
        }
        for (name, addr) in [
            ("fflags", csr::FFLAGS),
            ("frm", csr::FRM),
            ("fcsr", csr::FCSR),
        ] {
            let _ = writeln!(
                xml,
                "  <reg name=\"{name}\" bitsize=\"32\" type=\"int\" regnum=\"{}\"/>",
                FIRST_CSR + usize::from(addr)
            );
        }
        xml.push_str("</feature>\n");
    }
    xml.push_str("<feature name=\"org.gnu.gdb.riscv.csr\">\n");
    for (name, addr) in csrs.iter().filter(|(_, a)| exists(*a)) {
        let _ = writeln!(
            xml,
            "  <reg name=\"{name}\" bitsize=\"64\" type=\"int\" regnum=\"{}\"/>",
            FIRST_CSR + usize::from(*addr)
        );
    }
    xml.push_str("</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n");
    let _ = writeln!(
        xml,
        "  <reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"{PRIV}\"/>"
    );
    xml.push_str("</feature>\n</target>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_numbers_follow_gdbs_riscv_port() {
        assert_eq!(Reg::from_raw_id(0).map(|r| r.0), Some(Reg::X(0)));
        assert_eq!(Reg::from_raw_id(32).map(|r| r.0), Some(Reg::Pc));
        assert_eq!(Reg::from_raw_id(33).map(|r| r.0), Some(Reg::F(0)));
        assert_eq!(Reg::from_raw_id(64).map(|r| r.0), Some(Reg::F(31)));
        assert_eq!(
            Reg::from_raw_id(66),
            Some((Reg::Csr(1), NonZeroUsize::new(4)))
        );
        assert_eq!(
            Reg::from_raw_id(65 + 0x300).map(|r| r.0),
            Some(Reg::Csr(0x300))
        );
        assert_eq!(Reg::from_raw_id(4161).map(|r| r.0), Some(Reg::Priv));
        assert_eq!(Reg::from_raw_id(4162), None);
    }

    #[test]
    fn the_g_packet_round_trips_and_rejects_a_wrong_length() {
        let mut regs = CoreRegs::default();
        regs.x[5] = 0x1122_3344_5566_7788;
        regs.pc = 0x8000_0000;
        let mut bytes = Vec::new();
        regs.gdb_serialize(|b| bytes.push(b.unwrap_or(0)));
        assert_eq!(bytes.len(), 264);
        assert_eq!(bytes[40], 0x88);
        let mut back = CoreRegs::default();
        assert_eq!(back.gdb_deserialize(&bytes), Ok(()));
        assert_eq!(back, regs);
        assert_eq!(back.gdb_deserialize(&bytes[..263]), Err(()));
    }

    #[test]
    fn the_description_numbers_every_register_it_names() {
        let xml = target_xml(true, &csr_names(), |a| a != 0x7a5);
        assert!(xml.contains("<reg name=\"mstatus\" bitsize=\"64\" type=\"int\" regnum=\"833\"/>"));
        assert!(xml.contains("name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"68\""));
        assert!(xml.contains("regnum=\"4161\""));
        assert!(!xml.contains("tcontrol"));
        assert_eq!(
            xml.matches("<reg ").count(),
            33 + 35 + csr_names().len() - 1 + 1
        );
    }
}
