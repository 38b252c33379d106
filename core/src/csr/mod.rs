//! Control and status registers (Zicsr, Zicntr, the privileged
//! architecture's machine- and supervisor-level CSRs, and the trigger
//! module's CSRs of Sdtrig).
//!
//! Each CSR is a small type that keeps its value and its rules together:
//! its read, its write with the WARL legalisation of every field, and the
//! operations the rest of the hart needs ([`mstatus::Mstatus`] marks FS
//! dirty and pushes and pops the trap stack, [`fcsr::Fcsr`] accrues
//! flags, [`trap_csrs::Xtvec`] finds the handler). Their state is the
//! [`CsrFile`]; nothing outside this module and [`crate::trap`] changes it
//! but through their methods. PMP is [`crate::pmp`], the trigger module
//! [`crate::trigger`].
//!
//! The CSR instructions and the debugger reach a CSR by its number through
//! one table that routes each number to its type (`Csr::lookup`, one
//! `match`, evaluated at compile time into a 4096-entry array so that
//! finding a CSR costs one load). The checks common to every CSR are in one
//! place (`Hart::csr_access`): the CSR must exist, the number's bits 9:8
//! give the lowest privilege that may access it and bits 11:10 = 3 mark it
//! read-only (privileged spec, "CSR Address Mapping Conventions"); some
//! CSRs add a condition of their own (`mstatus.FS`, `xcounteren`,
//! `mstatus.TVM`, `menvcfg.STCE`). A failed check is a [`CsrError`]; for
//! an instruction, an illegal instruction.

pub mod counters;
#[allow(missing_docs)]
pub mod envcfg;
pub mod fcsr;
#[allow(missing_docs)]
pub mod irq;
pub mod machine_info;
#[allow(missing_docs)]
pub mod mstatus;
pub mod satp;
pub mod sstc;
pub mod trap_csrs;

pub(crate) use machine_info::ext;

use counters::{counter_enabled, Counters, Xcounteren};
use envcfg::{Menvcfg, Senvcfg};
use fcsr::Fcsr;
use irq::{Medeleg, Mideleg, Mie, Mip};
pub(crate) use machine_info::Misa;
use mstatus::Mstatus;
use satp::Satp;
use sstc::Stimecmp;
use trap_csrs::{Xcause, Xepc, Xscratch, Xtval, Xtvec};

use crate::hart::Hart;
use crate::pmp::Pmp;
use crate::trigger::TriggerModule;

/// A privilege mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Privilege {
    /// User mode (U).
    User = 0,
    /// Supervisor mode (S).
    Supervisor = 1,
    /// Machine mode (M).
    Machine = 3,
}

impl Privilege {
    /// The privilege with encoding `bits` (as in `mstatus.MPP`); 2 is reserved.
    pub const fn from_bits(bits: u64) -> Option<Privilege> {
        match bits {
            0 => Some(Privilege::User),
            1 => Some(Privilege::Supervisor),
            3 => Some(Privilege::Machine),
            _ => None,
        }
    }

    /// The two-bit encoding.
    pub const fn bits(self) -> u64 {
        self as u64
    }
}

/// CSR numbers, as the privileged spec's tables name them.
#[allow(missing_docs)]
pub mod addr {
    pub const FFLAGS: u16 = 0x001;
    pub const FRM: u16 = 0x002;
    pub const FCSR: u16 = 0x003;
    pub const CYCLE: u16 = 0xc00;
    pub const TIME: u16 = 0xc01;
    pub const INSTRET: u16 = 0xc02;
    pub const HPMCOUNTER3: u16 = 0xc03;
    pub const HPMCOUNTER31: u16 = 0xc1f;

    pub const SSTATUS: u16 = 0x100;
    pub const SIE: u16 = 0x104;
    pub const STVEC: u16 = 0x105;
    pub const SCOUNTEREN: u16 = 0x106;
    pub const SENVCFG: u16 = 0x10a;
    pub const SSCRATCH: u16 = 0x140;
    pub const SEPC: u16 = 0x141;
    pub const SCAUSE: u16 = 0x142;
    pub const STVAL: u16 = 0x143;
    pub const SIP: u16 = 0x144;
    pub const STIMECMP: u16 = 0x14d;
    pub const SATP: u16 = 0x180;

    pub const MVENDORID: u16 = 0xf11;
    pub const MARCHID: u16 = 0xf12;
    pub const MIMPID: u16 = 0xf13;
    pub const MHARTID: u16 = 0xf14;
    pub const MCONFIGPTR: u16 = 0xf15;
    pub const MSTATUS: u16 = 0x300;
    pub const MISA: u16 = 0x301;
    pub const MEDELEG: u16 = 0x302;
    pub const MIDELEG: u16 = 0x303;
    pub const MIE: u16 = 0x304;
    pub const MTVEC: u16 = 0x305;
    pub const MCOUNTEREN: u16 = 0x306;
    pub const MENVCFG: u16 = 0x30a;
    pub const MCOUNTINHIBIT: u16 = 0x320;
    pub const MHPMEVENT3: u16 = 0x323;
    pub const MHPMEVENT31: u16 = 0x33f;
    pub const MSCRATCH: u16 = 0x340;
    pub const MEPC: u16 = 0x341;
    pub const MCAUSE: u16 = 0x342;
    pub const MTVAL: u16 = 0x343;
    pub const MIP: u16 = 0x344;
    pub const PMPCFG0: u16 = 0x3a0;
    pub const PMPCFG15: u16 = 0x3af;
    pub const PMPADDR0: u16 = 0x3b0;
    pub const PMPADDR63: u16 = 0x3ef;
    // The trigger module (Sdtrig), machine-mode read/write.
    pub const TSELECT: u16 = 0x7a0;
    pub const TDATA1: u16 = 0x7a1;
    pub const TDATA2: u16 = 0x7a2;
    pub const TDATA3: u16 = 0x7a3;
    pub const TINFO: u16 = 0x7a4;
    pub const TCONTROL: u16 = 0x7a5;
    pub const MCONTEXT: u16 = 0x7a8;
    pub const MCYCLE: u16 = 0xb00;
    pub const MINSTRET: u16 = 0xb02;
    pub const MHPMCOUNTER3: u16 = 0xb03;
    pub const MHPMCOUNTER31: u16 = 0xb1f;
}

/// The CSR state of one hart: one typed value per CSR.
#[derive(Clone, Debug)]
pub struct CsrFile {
    pub(crate) mstatus: Mstatus,
    pub(crate) misa: Misa,
    pub(crate) medeleg: Medeleg,
    pub(crate) mideleg: Mideleg,
    pub(crate) mie: Mie,
    pub(crate) mip: Mip,
    pub(crate) mtvec: Xtvec,
    pub(crate) stvec: Xtvec,
    pub(crate) mepc: Xepc,
    pub(crate) sepc: Xepc,
    pub(crate) mcause: Xcause,
    pub(crate) scause: Xcause,
    pub(crate) mtval: Xtval,
    pub(crate) stval: Xtval,
    pub(crate) mscratch: Xscratch,
    pub(crate) sscratch: Xscratch,
    pub(crate) mcounteren: Xcounteren,
    pub(crate) scounteren: Xcounteren,
    /// `mcycle`, `minstret` and `mcountinhibit`.
    pub(crate) counters: Counters,
    pub(crate) menvcfg: Menvcfg,
    pub(crate) senvcfg: Senvcfg,
    pub(crate) satp: Satp,
    pub(crate) stimecmp: Stimecmp,
    pub(crate) fcsr: Fcsr,
    pub(crate) pmp: Pmp,
    /// The trigger module (`tselect`, `tdata1`..`tdata3`, `tinfo`,
    /// `tcontrol`, `mcontext`).
    pub(crate) triggers: TriggerModule,
}

impl CsrFile {
    /// The CSRs as after reset, with `misa` = `misa`.
    pub(crate) fn new(misa: u64) -> Self {
        CsrFile {
            mstatus: Mstatus::new(),
            misa: Misa::new(misa),
            medeleg: Medeleg::default(),
            mideleg: Mideleg::default(),
            mie: Mie::default(),
            mip: Mip::default(),
            mtvec: Xtvec::default(),
            stvec: Xtvec::default(),
            mepc: Xepc::default(),
            sepc: Xepc::default(),
            mcause: Xcause::default(),
            scause: Xcause::default(),
            mtval: Xtval::default(),
            stval: Xtval::default(),
            mscratch: Xscratch::default(),
            sscratch: Xscratch::default(),
            mcounteren: Xcounteren::default(),
            scounteren: Xcounteren::default(),
            counters: Counters::default(),
            menvcfg: Menvcfg::new(),
            senvcfg: Senvcfg::default(),
            satp: Satp::default(),
            stimecmp: Stimecmp::new(),
            fcsr: Fcsr::default(),
            pmp: Pmp::new(),
            triggers: TriggerModule::new(),
        }
    }

    /// The effective `mip`: software bits, platform lines and Sstc.
    #[inline]
    pub(crate) fn mip(&self) -> u64 {
        self.mip.read(self.menvcfg.stce())
    }

    /// The interrupts both pending and enabled in `mie` (whatever the
    /// global enables say): what ends a `wfi`.
    #[inline]
    pub(crate) fn pending_enabled(&self) -> u64 {
        self.mip() & self.mie.read()
    }
}

/// What a successful CSR write requires of the hart afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WriteEffect {
    /// Nothing beyond the write.
    None,
    /// The translation context changed (privilege rules, SUM, MXR, MPRV):
    /// TLB entries of the old context must stop matching.
    Context,
    /// Translation or protection may have changed: flush the TLBs.
    FlushTlb,
}

/// Why a CSR access cannot be done. For a CSR instruction, each is an
/// illegal-instruction exception; for a debugger, an error to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CsrError {
    /// No CSR has this number (in this configuration).
    #[error("there is no CSR {0:#05x}")]
    NoSuchCsr(u16),
    /// The CSR is read-only (number bits 11:10 = 3) and a write was asked.
    #[error("CSR {0:#05x} is read-only")]
    ReadOnly(u16),
    /// The CSR needs a higher privilege mode (number bits 9:8).
    #[error("CSR {csr:#05x} needs {required:?} mode")]
    Privilege {
        /// The CSR number.
        csr: u16,
        /// The lowest privilege mode that may access it.
        required: Privilege,
    },
    /// The CSR exists but another CSR's field turns its access off at this
    /// privilege (`mstatus.FS` = Off, a clear `xcounteren` bit,
    /// `mstatus.TVM`, a clear `menvcfg.STCE`).
    #[error("CSR {csr:#05x} is turned off by {by}")]
    Disabled {
        /// The CSR number.
        csr: u16,
        /// The field that turns it off.
        by: &'static str,
    },
}

/// What a CSR instruction (Zicsr) does to the CSR besides reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CsrOp {
    /// Nothing: `csrrs`/`csrrc` with `x0` or a zero immediate.
    Read,
    /// Replace it (`csrrw`).
    Write(u64),
    /// Set these bits (`csrrs`). For `mip`, SEIP takes part as software
    /// wrote it, without the PLIC's line (privileged spec, "Machine
    /// Interrupt Registers").
    Set(u64),
    /// Clear these bits (`csrrc`), as for `Set`.
    Clear(u64),
}

/// One access to a CSR: who asks, and with what.
pub(crate) struct Access {
    /// The CSR number.
    number: u16,
    /// The privilege mode of the access.
    prv: Privilege,
    /// Instructions the current run has retired so far (for the counters).
    retired: u64,
    /// A debugger's access: the floating-point CSRs are reachable even
    /// with `mstatus.FS` = Off, and writing them leaves FS as it is.
    debugger: bool,
}

/// A CSR as the table routes to it: its own access condition beyond the
/// number's privilege and read-only bits, its read and its write, each a
/// call into its type. A write returns what the hart must do afterwards.
#[derive(Clone, Copy)]
struct Csr {
    gate: Gate,
    read: fn(&Hart, &Access) -> u64,
    write: fn(&mut Hart, &Access, u64) -> WriteEffect,
    /// The value a CSRRS/CSRRC modifies, given the value read (`mip` only).
    rmw_base: fn(&Hart, u64) -> u64,
}

/// Every CSR number's entry: [`Csr::lookup`] evaluated for each at
/// compile time, so that an access finds its CSR with one load.
static CSRS: [Option<Csr>; 4096] = {
    let mut table = [None; 4096];
    let mut number: u16 = 0;
    while (number as usize) < table.len() {
        table[number as usize] = Csr::lookup(number);
        number += 1;
    }

    table
};

/// The condition some CSRs set on their access, beyond the privilege and
/// read-only bits of their number.
#[derive(Clone, Copy)]
enum Gate {
    /// None.
    Open,
    /// `fflags`, `frm`, `fcsr`: F, and `mstatus.FS` != Off.
    Fp,
    /// `cycle`, `time`, `instret`, `hpmcounter`s: `xcounteren`.
    Counter,
    /// `stimecmp`: `menvcfg.STCE` and `mcounteren.TM`, in S-mode.
    Stimecmp,
    /// `satp`: not with `mstatus.TVM`, in S-mode.
    Satp,
}

impl Gate {
    /// Checks the condition.
    #[inline]
    fn check(self, h: &Hart, a: &Access) -> Result<(), CsrError> {
        match self {
            Gate::Open => Ok(()),
            Gate::Fp => fp_gate(h, a),
            Gate::Counter => counter_gate(h, a),
            Gate::Stimecmp => stimecmp_gate(h, a),
            Gate::Satp => satp_gate(h, a),
        }
    }
}

impl Csr {
    /// A CSR anyone with the privilege its number asks for may access.
    const fn rw(
        read: fn(&Hart, &Access) -> u64,
        write: fn(&mut Hart, &Access, u64) -> WriteEffect,
    ) -> Self {
        Csr {
            gate: Gate::Open,
            read,
            write,
            rmw_base: |_, read| read,
        }
    }

    /// A CSR whose writes change nothing. Numbers with bits 11:10 = 3 never
    /// reach the write; others (`misa`, `tinfo`, the `mhpmevent`s) ignore it.
    const fn fixed(read: fn(&Hart, &Access) -> u64) -> Self {
        Csr::rw(read, |_, _, _| WriteEffect::None)
    }

    /// The same CSR, with an access condition of its own.
    const fn gated(self, gate: Gate) -> Self {
        Csr { gate, ..self }
    }

    /// The CSR for `number`, if this hart has one: the table of every
    /// CSR, evaluated at compile time into [`CSRS`].
    const fn lookup(number: u16) -> Option<Csr> {
        use addr::*;
        // A CSR that is a field of the CSR file, read and written through
        // its type's `read` and `write` (or the methods named), and whose
        // write asks nothing more of the hart.
        macro_rules! plain {
            ($field:ident) => {
                plain!($field: read, write)
            };
            ($field:ident: $read:ident, $write:ident) => {
                Csr::rw(
                    |h, _| h.csr.$field.$read(),
                    |h, _, v| {
                        h.csr.$field.$write(v);
                        WriteEffect::None
                    },
                )
            };
        }
        // The same, for the floating-point CSRs: gated by F and FS, and a
        // write marks FS dirty.
        macro_rules! fp {
            ($read:ident, $write:ident) => {
                Csr::rw(
                    |h, _| h.csr.fcsr.$read(),
                    |h, a, v| {
                        h.csr.fcsr.$write(v);
                        fp_written(h, a)
                    },
                )
                .gated(Gate::Fp)
            };
        }
        Some(match number {
            // Unprivileged floating-point CSRs.
            FFLAGS => fp!(fflags, write_fflags),
            FRM => fp!(frm, write_frm),
            FCSR => fp!(read, write),
            // Unprivileged counters (read-only numbers).
            CYCLE => Csr::fixed(|h, a| h.csr.counters.cycle(a.retired)).gated(Gate::Counter),
            TIME => Csr::fixed(|h, _| h.timebase.now()).gated(Gate::Counter),
            INSTRET => Csr::fixed(|h, a| h.csr.counters.instret(a.retired)).gated(Gate::Counter),
            HPMCOUNTER3..=HPMCOUNTER31 => Csr::fixed(|_, _| 0).gated(Gate::Counter),

            // Supervisor trap setup.
            SSTATUS => Csr::rw(
                |h, _| h.csr.mstatus.read_sstatus(),
                |h, _, v| {
                    let has_fp = h.has_fp();
                    h.csr.mstatus.write_sstatus(v, has_fp)
                },
            ),
            SIE => Csr::rw(
                |h, _| h.csr.mie.read_sie(h.csr.mideleg),
                |h, _, v| {
                    let mideleg = h.csr.mideleg;
                    h.csr.mie.write_sie(v, mideleg);
                    WriteEffect::None
                },
            ),
            STVEC => plain!(stvec),
            SCOUNTEREN => plain!(scounteren),
            SENVCFG => Csr::rw(
                |h, _| h.csr.senvcfg.read(),
                |h, _, v| {
                    let fields = h.envcfg_extension_fields();
                    h.csr.senvcfg.write(v, fields);
                    WriteEffect::None
                },
            ),
            // Supervisor trap handling.
            SSCRATCH => plain!(sscratch),
            SEPC => plain!(sepc),
            SCAUSE => plain!(scause),
            STVAL => plain!(stval),
            SIP => Csr::rw(
                |h, _| h.csr.mip.read_sip(h.csr.menvcfg.stce(), h.csr.mideleg),
                |h, _, v| {
                    let mideleg = h.csr.mideleg;
                    h.csr.mip.write_sip(v, mideleg);
                    WriteEffect::None
                },
            ),
            STIMECMP => Csr::rw(
                |h, _| h.csr.stimecmp.read(),
                |h, _, v| {
                    h.csr.stimecmp.write(v);
                    h.update_sstc();
                    WriteEffect::None
                },
            )
            .gated(Gate::Stimecmp),
            // Supervisor protection and translation.
            SATP => Csr::rw(
                |h, _| h.csr.satp.read(),
                |h, _, v| flush_if(h.csr.satp.write(v)),
            )
            .gated(Gate::Satp),

            // Machine information (read-only numbers).
            MVENDORID | MARCHID | MIMPID | MCONFIGPTR => {
                Csr::fixed(|_, _| machine_info::MACHINE_ID)
            }
            MHARTID => Csr::fixed(|h, _| h.hart_id),

            // Machine trap setup.
            MSTATUS => Csr::rw(
                |h, _| h.csr.mstatus.read(),
                |h, _, v| {
                    let has_fp = h.has_fp();
                    h.csr.mstatus.write(v, has_fp)
                },
            ),
            MISA => Csr::fixed(|h, _| h.csr.misa.read()),
            MEDELEG => plain!(medeleg),
            MIDELEG => plain!(mideleg),
            MIE => plain!(mie),
            MTVEC => plain!(mtvec),
            MCOUNTEREN => plain!(mcounteren),
            MENVCFG => Csr::rw(
                |h, _| h.csr.menvcfg.read(),
                |h, _, v| {
                    let fields = h.envcfg_extension_fields();
                    h.csr.menvcfg.write(v, fields);
                    h.update_sstc();
                    // ADUE changes what a TLB entry may skip, PBMTE which
                    // PTEs fault.
                    WriteEffect::FlushTlb
                },
            ),
            MCOUNTINHIBIT => Csr::rw(
                |h, _| h.csr.counters.mcountinhibit(),
                |h, a, v| {
                    h.csr.counters.write_mcountinhibit(v, a.retired);
                    WriteEffect::None
                },
            ),
            MHPMEVENT3..=MHPMEVENT31 => Csr::fixed(|_, _| 0),

            // Machine trap handling.
            MSCRATCH => plain!(mscratch),
            MEPC => plain!(mepc),
            MCAUSE => plain!(mcause),
            MTVAL => plain!(mtval),
            MIP => Csr {
                rmw_base: |h, read| h.csr.mip.rmw_base(read),
                ..Csr::rw(
                    |h, _| h.csr.mip(),
                    |h, _, v| {
                        let stce = h.csr.menvcfg.stce();
                        h.csr.mip.write(v, stce);
                        WriteEffect::None
                    },
                )
            },

            // Machine memory protection (RV64 has only the even pmpcfgs).
            PMPCFG0..=PMPCFG15 if number & 1 == 0 => Csr::rw(
                |h, a| h.csr.pmp.read_cfg(usize::from(a.number - PMPCFG0) / 2),
                |h, a, v| flush_if(h.csr.pmp.write_cfg(usize::from(a.number - PMPCFG0) / 2, v)),
            ),
            PMPADDR0..=PMPADDR63 => Csr::rw(
                |h, a| h.csr.pmp.read_addr(usize::from(a.number - PMPADDR0)),
                |h, a, v| flush_if(h.csr.pmp.write_addr(usize::from(a.number - PMPADDR0), v)),
            ),

            // Machine counters.
            MCYCLE => Csr::rw(
                |h, a| h.csr.counters.cycle(a.retired),
                |h, a, v| {
                    h.csr.counters.write_mcycle(v, a.retired);
                    WriteEffect::None
                },
            ),
            MINSTRET => Csr::rw(
                |h, a| h.csr.counters.instret(a.retired),
                |h, a, v| {
                    h.csr.counters.write_minstret(v, a.retired);
                    WriteEffect::None
                },
            ),
            MHPMCOUNTER3..=MHPMCOUNTER31 => Csr::fixed(|_, _| 0),

            // The trigger module. A trigger that may match somewhere new
            // makes the hart drop the TLB entries of pages it now has to
            // check one access at a time.
            TSELECT => plain!(triggers: tselect, write_tselect),
            TDATA1 => Csr::rw(
                |h, _| h.csr.triggers.tdata1(),
                |h, _, v| flush_if(h.csr.triggers.write_tdata1(v)),
            ),
            TDATA2 => Csr::rw(
                |h, _| h.csr.triggers.tdata2(),
                |h, _, v| flush_if(h.csr.triggers.write_tdata2(v)),
            ),
            TDATA3 => plain!(triggers: tdata3, write_tdata3),
            TINFO => Csr::fixed(|h, _| h.csr.triggers.tinfo()),
            TCONTROL => plain!(triggers: tcontrol, write_tcontrol),
            MCONTEXT => plain!(triggers: mcontext, write_mcontext),
            _ => return None,
        })
    }
}

/// The effect of a write that reports whether it changed translation or
/// protection (`satp`, PMP, a trigger's match).
fn flush_if(changed: bool) -> WriteEffect {
    if changed {
        WriteEffect::FlushTlb
    } else {
        WriteEffect::None
    }
}

/// `fflags`, `frm` and `fcsr` exist with F, and are accessible while
/// `mstatus.FS` is not Off (to a debugger, always).
fn fp_gate(h: &Hart, a: &Access) -> Result<(), CsrError> {
    if !h.has_fp() {
        Err(CsrError::NoSuchCsr(a.number))
    } else if !a.debugger && !h.csr.mstatus.fp_enabled() {
        Err(CsrError::Disabled {
            csr: a.number,
            by: "mstatus.FS",
        })
    } else {
        Ok(())
    }
}

/// After a write of a floating-point CSR: FS = Dirty (a debugger's write
/// leaves FS alone).
fn fp_written(h: &mut Hart, a: &Access) -> WriteEffect {
    if !a.debugger {
        h.csr.mstatus.set_fs_dirty();
    }
    WriteEffect::None
}

/// `cycle`, `time`, `instret` and the `hpmcounter`s below M-mode need
/// their `mcounteren` bit (and in U-mode their `scounteren` bit too).
fn counter_gate(h: &Hart, a: &Access) -> Result<(), CsrError> {
    let index = a.number - addr::CYCLE;
    if counter_enabled(index, a.prv, h.csr.mcounteren, h.csr.scounteren) {
        Ok(())
    } else {
        Err(CsrError::Disabled {
            csr: a.number,
            by: "xcounteren",
        })
    }
}

/// Sstc: S-mode reaches `stimecmp` only with `menvcfg.STCE` and
/// `mcounteren.TM` set.
fn stimecmp_gate(h: &Hart, a: &Access) -> Result<(), CsrError> {
    if a.prv == Privilege::Supervisor {
        if !h.csr.menvcfg.stce() {
            return Err(CsrError::Disabled {
                csr: a.number,
                by: "menvcfg.STCE",
            });
        }
        if !h.csr.mcounteren.enables(1) {
            return Err(CsrError::Disabled {
                csr: a.number,
                by: "mcounteren.TM",
            });
        }
    }
    Ok(())
}

/// `mstatus.TVM` traps S-mode accesses of `satp`.
fn satp_gate(h: &Hart, a: &Access) -> Result<(), CsrError> {
    if a.prv == Privilege::Supervisor && h.csr.mstatus.tvm() {
        Err(CsrError::Disabled {
            csr: a.number,
            by: "mstatus.TVM",
        })
    } else {
        Ok(())
    }
}

impl Hart {
    /// The checks every CSR access goes through, in one place: the CSR
    /// exists, the privilege mode is at least the one its number's bits 9:8
    /// name, a write is not to a read-only number (bits 11:10 = 3), and
    /// the CSR's own condition holds. Returns the CSR and the access.
    #[inline]
    fn csr_access(
        &self,
        number: u16,
        prv: Privilege,
        retired: u64,
        write: bool,
        debugger: bool,
    ) -> Result<(&'static Csr, Access), CsrError> {
        let csr = CSRS
            .get(usize::from(number))
            .and_then(Option::as_ref)
            .ok_or(CsrError::NoSuchCsr(number))?;
        let level = u64::from((number >> 8) & 3);
        if level > prv.bits() {
            // Every CSR rivet has is at level U, S or M, never H.
            let required = Privilege::from_bits(level).unwrap_or(Privilege::Machine);
            return Err(CsrError::Privilege {
                csr: number,
                required,
            });
        }
        if write && number >> 10 == 3 {
            return Err(CsrError::ReadOnly(number));
        }
        let access = Access {
            number,
            prv,
            retired,
            debugger,
        };
        csr.gate.check(self, &access)?;
        Ok((csr, access))
    }

    /// Reads CSR `number` as instruction `csrr*` would at privilege `prv`.
    /// `retired` is the number of instructions the current run has retired
    /// so far (for the counters). (The tests' view of one half of
    /// [`Hart::csr_rmw`].)
    #[cfg(test)]
    pub(crate) fn csr_read(
        &self,
        number: u16,
        retired: u64,
        prv: Privilege,
    ) -> Result<u64, CsrError> {
        let (csr, access) = self.csr_access(number, prv, retired, false, false)?;
        Ok((csr.read)(self, &access))
    }

    /// Writes `value` to CSR `number` at privilege `prv`, with its WARL
    /// legalisation. Returns what the hart must do next ([`Hart::apply`]).
    /// `retired` is as for [`Hart::csr_read`].
    #[cfg(test)]
    pub(crate) fn csr_write(
        &mut self,
        number: u16,
        value: u64,
        retired: u64,
        prv: Privilege,
    ) -> Result<WriteEffect, CsrError> {
        let (csr, access) = self.csr_access(number, prv, retired, true, false)?;
        Ok((csr.write)(self, &access, value))
    }

    /// What a CSR instruction does: reads CSR `number` at privilege `prv`
    /// and, unless `op` is [`CsrOp::Read`], writes it and applies the
    /// write's effect. Returns the value read. `retired` is as for
    /// [`Hart::csr_read`].
    pub(crate) fn csr_rmw(
        &mut self,
        number: u16,
        op: CsrOp,
        retired: u64,
        prv: Privilege,
    ) -> Result<u64, CsrError> {
        let writes = !matches!(op, CsrOp::Read);
        let (csr, access) = self.csr_access(number, prv, retired, writes, false)?;
        let old = (csr.read)(self, &access);
        let new = match op {
            CsrOp::Read => return Ok(old),
            CsrOp::Write(value) => value,
            CsrOp::Set(bits) => (csr.rmw_base)(self, old) | bits,
            CsrOp::Clear(bits) => (csr.rmw_base)(self, old) & !bits,
        };
        let effect = (csr.write)(self, &access, new);
        self.apply(effect);
        Ok(old)
    }

    /// A debugger's read of CSR `number`: M-mode rights, no side effects,
    /// the floating-point CSRs even while `mstatus.FS` is Off.
    pub(crate) fn csr_debug_read(&self, number: u16) -> Result<u64, CsrError> {
        let (csr, access) = self.csr_access(number, Privilege::Machine, 0, false, true)?;
        Ok((csr.read)(self, &access))
    }

    /// A debugger's write of CSR `number`: M-mode rights and WARL rules;
    /// the floating-point CSRs even while `mstatus.FS` is Off, leaving FS
    /// as it is. Any other write drops every translation, whatever it
    /// changed.
    pub(crate) fn csr_debug_write(&mut self, number: u16, value: u64) -> Result<(), CsrError> {
        let (csr, access) = self.csr_access(number, Privilege::Machine, 0, true, true)?;
        let effect = (csr.write)(self, &access, value);
        let fp = matches!(number, addr::FFLAGS | addr::FRM | addr::FCSR);
        self.apply(if fp { effect } else { WriteEffect::FlushTlb });
        Ok(())
    }

    /// Applies what a CSR write requires of the hart.
    pub(crate) fn apply(&mut self, effect: WriteEffect) {
        match effect {
            WriteEffect::None => {}
            WriteEffect::Context => self.refresh_tlb_context(),
            WriteEffect::FlushTlb => {
                self.tlb.flush();
                self.refresh_tlb_context();
                self.refresh_debug_arming();
            }
        }
    }

    /// The `menvcfg`/`senvcfg` fields this hart's extensions implement
    /// (Svpbmt, Zicbom, Zicboz: see [`envcfg::extension_fields`]).
    pub(crate) fn envcfg_extension_fields(&self) -> u64 {
        envcfg::extension_fields(self.has_svpbmt(), self.has_zicbom(), self.has_zicboz())
    }

    /// Recomputes Sstc's STIP from `time` and `stimecmp`.
    pub(crate) fn update_sstc(&mut self) {
        let pending = self.csr.stimecmp.pending(self.timebase.now());
        self.csr.mip.set_sstc_stip(pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_why() {
        let mut hart = Hart::new(0);
        assert_eq!(
            hart.set_csr(addr::MHARTID, 1),
            Err(CsrError::ReadOnly(addr::MHARTID))
        );
        assert_eq!(hart.set_csr(0x7ff, 1), Err(CsrError::NoSuchCsr(0x7ff)));
        // An odd pmpcfg does not exist on RV64, nor does a read-only
        // number that names nothing.
        assert_eq!(hart.csr(0x3a1), Err(CsrError::NoSuchCsr(0x3a1)));
        assert_eq!(hart.set_csr(0xc80, 1), Err(CsrError::NoSuchCsr(0xc80)));
        // Numbers are 12 bits: 0x1300 is not mstatus.
        assert_eq!(hart.csr(0x1300), Err(CsrError::NoSuchCsr(0x1300)));
        assert_eq!(
            hart.csr_read(addr::MSTATUS, 0, Privilege::Supervisor),
            Err(CsrError::Privilege {
                csr: addr::MSTATUS,
                required: Privilege::Machine
            })
        );
        assert_eq!(
            hart.csr_read(addr::FCSR, 0, Privilege::Machine),
            Err(CsrError::Disabled {
                csr: addr::FCSR,
                by: "mstatus.FS"
            })
        );
        // A debugger reaches the FP CSRs with FS = Off, and leaves FS Off.
        assert_eq!(hart.set_csr(addr::FRM, 0b101), Ok(()));
        assert_eq!(hart.csr(addr::FCSR), Ok(0b1010_0000));
        assert!(!hart.csr.mstatus.fp_enabled());
        assert_eq!(
            CsrError::ReadOnly(addr::MHARTID).to_string(),
            "CSR 0xf14 is read-only"
        );
    }

    #[test]
    fn an_instruction_write_of_an_fp_csr_marks_fs_dirty() {
        let mut hart = Hart::new(0);
        hart.set_csr(addr::MSTATUS, 1 << mstatus::FS_SHIFT).unwrap(); // Initial
        hart.csr_rmw(addr::FFLAGS, CsrOp::Write(1), 0, Privilege::Machine)
            .unwrap();
        assert_eq!(hart.csr(addr::FFLAGS), Ok(1));
        assert_eq!(hart.csr(addr::MSTATUS).unwrap() & mstatus::SD, mstatus::SD);
    }

    #[test]
    fn mip_read_modify_write_keeps_the_plic_line_out() {
        let mut hart = Hart::new(0);
        hart.set_interrupt_lines(irq::SEI);
        // csrrs mip, 0 with a nonzero mask: reads SEIP (the line), and
        // writes back SEIP as software left it (clear).
        let old = hart
            .csr_rmw(addr::MIP, CsrOp::Set(irq::SSI), 0, Privilege::Machine)
            .unwrap();
        assert_eq!(old, irq::SEI);
        hart.set_interrupt_lines(0);
        assert_eq!(hart.csr(addr::MIP), Ok(irq::SSI));
    }
}
