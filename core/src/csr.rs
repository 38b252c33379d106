//! Control and status registers (Zicsr, Zicntr, the privileged
//! architecture's machine- and supervisor-level CSRs, and the trigger
//! module's CSRs of Sdtrig).
//!
//! Each CSR's read, write and WARL legalisation sit together in the
//! hart's `csr_read` and `csr_write` below (for the trigger CSRs, in
//! [`crate::trigger`]); the state lives in [`CsrFile`]. Accessing a CSR
//! that does not exist, or from too low a privilege, or writing a
//! read-only one, is an illegal instruction.

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

/// Bits of `mstatus` (and its `sstatus` view).
#[allow(missing_docs)]
pub mod mstatus {
    pub const SIE: u64 = 1 << 1;
    pub const MIE: u64 = 1 << 3;
    pub const SPIE: u64 = 1 << 5;
    pub const MPIE: u64 = 1 << 7;
    pub const SPP: u64 = 1 << 8;
    pub const MPP_SHIFT: u32 = 11;
    pub const MPP: u64 = 3 << MPP_SHIFT;
    pub const FS_SHIFT: u32 = 13;
    pub const FS: u64 = 3 << FS_SHIFT;
    pub const MPRV: u64 = 1 << 17;
    pub const SUM: u64 = 1 << 18;
    pub const MXR: u64 = 1 << 19;
    pub const TVM: u64 = 1 << 20;
    pub const TW: u64 = 1 << 21;
    pub const TSR: u64 = 1 << 22;
    pub const UXL: u64 = 3 << 32;
    pub const SXL: u64 = 3 << 34;
    pub const SD: u64 = 1 << 63;

    /// FS = Dirty.
    pub const FS_DIRTY: u64 = 3 << FS_SHIFT;
    /// The bits software may write in `mstatus`.
    pub const WRITABLE: u64 =
        SIE | MIE | SPIE | MPIE | SPP | MPP | FS | MPRV | SUM | MXR | TVM | TW | TSR;
    /// The bits visible through `sstatus`.
    pub const SSTATUS_VIEW: u64 = SIE | SPIE | SPP | FS | SUM | MXR | UXL | SD;
    /// The `sstatus` bits software may write.
    pub const SSTATUS_WRITABLE: u64 = SIE | SPIE | SPP | FS | SUM | MXR;
}

/// Interrupt bits of `mip`/`mie`.
#[allow(missing_docs)]
pub mod irq {
    pub const SSI: u64 = 1 << 1;
    pub const MSI: u64 = 1 << 3;
    pub const STI: u64 = 1 << 5;
    pub const MTI: u64 = 1 << 7;
    pub const SEI: u64 = 1 << 9;
    pub const MEI: u64 = 1 << 11;
    /// Every interrupt this hart implements.
    pub const ALL: u64 = SSI | MSI | STI | MTI | SEI | MEI;
    /// The supervisor-level interrupts (delegable through `mideleg`).
    pub const SUPERVISOR: u64 = SSI | STI | SEI;
    /// The lines driven from outside the hart (CLINT and PLIC).
    pub const LINES: u64 = MSI | MTI | MEI | SEI;
}

/// Bits of `menvcfg`.
#[allow(missing_docs)]
pub mod envcfg {
    pub const FIOM: u64 = 1 << 0;
    /// Svadu: hardware updating of PTE A/D bits.
    pub const ADUE: u64 = 1 << 61;
    /// Sstc: `stimecmp` enabled for S-mode.
    pub const STCE: u64 = 1 << 63;
}

/// The exceptions `medeleg` can delegate (everything but an M-mode `ecall`).
const DELEGABLE_EXCEPTIONS: u64 = 0b1011_0011_1111_1111;

/// `misa`: RV64IMAFDC ("GC") with S and U modes.
pub(crate) const MISA_BASE: u64 = (2 << 62)
    | ext(b'I')
    | ext(b'M')
    | ext(b'A')
    | ext(b'F')
    | ext(b'D')
    | ext(b'C')
    | ext(b'S')
    | ext(b'U');

/// The `misa` bit of extension letter `c`.
pub(crate) const fn ext(c: u8) -> u64 {
    1 << (c - b'A')
}

/// The CSR state of one hart.
#[derive(Clone, Debug)]
pub struct CsrFile {
    pub(crate) mstatus: u64,
    pub(crate) misa: u64,
    pub(crate) medeleg: u64,
    pub(crate) mideleg: u64,
    pub(crate) mie: u64,
    /// The software-writable bits of `mip` (SSIP, STIP, SEIP).
    pub(crate) mip_sw: u64,
    /// The interrupt lines from the platform (MSIP, MTIP, MEIP, SEIP).
    pub(crate) mip_lines: u64,
    /// STIP as Sstc computes it (`time >= stimecmp`), valid when STCE is set.
    pub(crate) sstc_stip: bool,
    pub(crate) mtvec: u64,
    pub(crate) stvec: u64,
    pub(crate) mepc: u64,
    pub(crate) sepc: u64,
    pub(crate) mcause: u64,
    pub(crate) scause: u64,
    pub(crate) mtval: u64,
    pub(crate) stval: u64,
    pub(crate) mscratch: u64,
    pub(crate) sscratch: u64,
    pub(crate) mcounteren: u64,
    pub(crate) scounteren: u64,
    pub(crate) mcountinhibit: u64,
    pub(crate) menvcfg: u64,
    pub(crate) senvcfg: u64,
    pub(crate) satp: u64,
    pub(crate) stimecmp: u64,
    /// `minstret` as of the start of the current run (the run adds its count).
    pub(crate) minstret: u64,
    /// `mcycle` as of the start of the current run.
    pub(crate) mcycle: u64,
    /// `fflags` (bits 4:0) and `frm` (bits 7:5).
    pub(crate) fcsr: u64,
    pub(crate) pmp: Pmp,
    /// The trigger module (`tselect`, `tdata1`..`tdata3`, `tinfo`,
    /// `tcontrol`, `mcontext`).
    pub(crate) triggers: TriggerModule,
}

impl CsrFile {
    pub(crate) fn new(misa: u64) -> Self {
        CsrFile {
            // UXL = SXL = 64-bit; everything else resets to 0 (MIE clear, MPRV clear).
            mstatus: (2 << 32) | (2 << 34),
            misa,
            medeleg: 0,
            mideleg: 0,
            mie: 0,
            mip_sw: 0,
            mip_lines: 0,
            sstc_stip: false,
            mtvec: 0,
            stvec: 0,
            mepc: 0,
            sepc: 0,
            mcause: 0,
            scause: 0,
            mtval: 0,
            stval: 0,
            mscratch: 0,
            sscratch: 0,
            mcounteren: 0,
            scounteren: 0,
            mcountinhibit: 0,
            // Hardware A/D updating on, as QEMU 7.2 always does.
            menvcfg: envcfg::ADUE,
            senvcfg: 0,
            satp: 0,
            stimecmp: u64::MAX,
            minstret: 0,
            mcycle: 0,
            fcsr: 0,
            pmp: Pmp::new(),
            triggers: TriggerModule::new(),
        }
    }

    /// The effective `mip`: software bits, platform lines and Sstc.
    #[inline]
    pub(crate) fn mip(&self) -> u64 {
        let mut mip = self.mip_sw | self.mip_lines;
        if self.menvcfg & envcfg::STCE != 0 {
            mip &= !irq::STI;
            if self.sstc_stip {
                mip |= irq::STI;
            }
        }
        mip
    }

    /// The value a CSRRS/CSRRC of `mip` modifies, given the value it read:
    /// SEIP as software wrote it, without the external line.
    pub(crate) fn mip_rmw_base(&self, read: u64) -> u64 {
        (read & !irq::SEI) | (self.mip_sw & irq::SEI)
    }

    /// `mstatus` with SD computed from FS.
    pub(crate) fn mstatus_read(&self) -> u64 {
        let fs_dirty = self.mstatus & mstatus::FS == mstatus::FS_DIRTY;
        (self.mstatus & !mstatus::SD) | if fs_dirty { mstatus::SD } else { 0 }
    }

    /// Whether the F/D state is enabled (mstatus.FS != Off).
    #[inline]
    pub(crate) fn fp_enabled(&self) -> bool {
        self.mstatus & mstatus::FS != 0
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

/// Why a CSR access cannot be done: the instruction is illegal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IllegalCsr;

impl Hart {
    /// Whether counter `index` (0 = cycle, 1 = time, 2 = instret, 3.. = hpm)
    /// may be read at the current privilege.
    fn counter_enabled(&self, index: u16, prv: Privilege) -> bool {
        let bit = 1u64 << index;
        match prv {
            Privilege::Machine => true,
            Privilege::Supervisor => self.csr.mcounteren & bit != 0,
            Privilege::User => self.csr.mcounteren & bit != 0 && self.csr.scounteren & bit != 0,
        }
    }

    /// `minstret` including the `retired` instructions of the current run.
    pub(crate) fn instret_now(&self, retired: u64) -> u64 {
        if self.csr.mcountinhibit & 4 != 0 {
            self.csr.minstret
        } else {
            self.csr.minstret.wrapping_add(retired)
        }
    }

    /// `mcycle` including the `retired` instructions of the current run (one
    /// cycle per instruction).
    pub(crate) fn cycle_now(&self, retired: u64) -> u64 {
        if self.csr.mcountinhibit & 1 != 0 {
            self.csr.mcycle
        } else {
            self.csr.mcycle.wrapping_add(retired)
        }
    }

    /// Reads CSR `addr` as instruction `csrr*` would at privilege `prv`.
    /// `retired` is the number of instructions the current run has retired
    /// so far (for the counters).
    pub(crate) fn csr_read(
        &self,
        addr: u16,
        retired: u64,
        prv: Privilege,
    ) -> Result<u64, IllegalCsr> {
        use addr::*;
        if (addr >> 8) & 3 > prv as u16 {
            return Err(IllegalCsr);
        }
        let c = &self.csr;
        let value = match addr {
            FFLAGS | FRM | FCSR => {
                if !self.has_fp() || !c.fp_enabled() {
                    return Err(IllegalCsr);
                }
                match addr {
                    FFLAGS => c.fcsr & 0x1f,
                    FRM => (c.fcsr >> 5) & 7,
                    _ => c.fcsr & 0xff,
                }
            }
            CYCLE | TIME | INSTRET | HPMCOUNTER3..=HPMCOUNTER31 => {
                if !self.counter_enabled(addr - CYCLE, prv) {
                    return Err(IllegalCsr);
                }
                match addr {
                    CYCLE => self.cycle_now(retired),
                    TIME => self.timebase.now(),
                    INSTRET => self.instret_now(retired),
                    _ => 0,
                }
            }
            SSTATUS => c.mstatus_read() & mstatus::SSTATUS_VIEW,
            SIE => c.mie & c.mideleg,
            STVEC => c.stvec,
            SCOUNTEREN => c.scounteren,
            SENVCFG => c.senvcfg,
            SSCRATCH => c.sscratch,
            SEPC => c.sepc,
            SCAUSE => c.scause,
            STVAL => c.stval,
            SIP => c.mip() & c.mideleg,
            STIMECMP => {
                self.check_stimecmp_access(prv)?;
                c.stimecmp
            }
            SATP => {
                if prv == Privilege::Supervisor && c.mstatus & mstatus::TVM != 0 {
                    return Err(IllegalCsr);
                }
                c.satp
            }
            MVENDORID | MARCHID | MIMPID | MCONFIGPTR => 0,
            MHARTID => self.hart_id,
            MSTATUS => c.mstatus_read(),
            MISA => c.misa,
            MEDELEG => c.medeleg,
            MIDELEG => c.mideleg,
            MIE => c.mie,
            MTVEC => c.mtvec,
            MCOUNTEREN => c.mcounteren,
            MENVCFG => c.menvcfg,
            MCOUNTINHIBIT => c.mcountinhibit,
            MHPMEVENT3..=MHPMEVENT31 => 0,
            MSCRATCH => c.mscratch,
            MEPC => c.mepc,
            MCAUSE => c.mcause,
            MTVAL => c.mtval,
            MIP => c.mip(),
            PMPCFG0..=PMPCFG15 => {
                // RV64 has only the even-numbered pmpcfg registers.
                if addr & 1 != 0 {
                    return Err(IllegalCsr);
                }
                c.pmp.read_cfg(usize::from(addr - PMPCFG0) / 2)
            }
            PMPADDR0..=PMPADDR63 => c.pmp.read_addr(usize::from(addr - PMPADDR0)),
            MCYCLE => self.cycle_now(retired),
            MINSTRET => self.instret_now(retired),
            MHPMCOUNTER3..=MHPMCOUNTER31 => 0,
            TSELECT => c.triggers.tselect(),
            TDATA1 => c.triggers.tdata1(),
            TDATA2 => c.triggers.tdata2(),
            TDATA3 => c.triggers.tdata3(),
            TINFO => c.triggers.tinfo(),
            TCONTROL => c.triggers.tcontrol(),
            MCONTEXT => c.triggers.mcontext(),
            _ => return Err(IllegalCsr),
        };
        Ok(value)
    }

    fn check_stimecmp_access(&self, prv: Privilege) -> Result<(), IllegalCsr> {
        if prv == Privilege::Supervisor
            && (self.csr.menvcfg & envcfg::STCE == 0 || self.csr.mcounteren & 2 == 0)
        {
            return Err(IllegalCsr);
        }
        Ok(())
    }

    /// Writes `value` to CSR `addr` at privilege `prv`, with each field's
    /// WARL legalisation. The caller has already read it (so existence and
    /// read permission are checked); this checks write permission.
    /// `retired` is as for [`Hart::csr_read`].
    pub(crate) fn csr_write(
        &mut self,
        addr: u16,
        value: u64,
        retired: u64,
        prv: Privilege,
    ) -> Result<WriteEffect, IllegalCsr> {
        use addr::*;
        if addr >> 10 == 3 {
            return Err(IllegalCsr); // read-only CSR
        }
        if (addr >> 8) & 3 > prv as u16 {
            return Err(IllegalCsr);
        }
        let has_fp = self.has_fp();
        let c = &mut self.csr;
        let mut effect = WriteEffect::None;
        match addr {
            FFLAGS | FRM | FCSR => {
                if !has_fp || !c.fp_enabled() {
                    return Err(IllegalCsr);
                }
                c.fcsr = match addr {
                    FFLAGS => (c.fcsr & !0x1f) | (value & 0x1f),
                    FRM => (c.fcsr & 0x1f) | ((value & 7) << 5),
                    _ => value & 0xff,
                };
                c.mstatus |= mstatus::FS_DIRTY;
            }
            SSTATUS => {
                let old = c.mstatus;
                let w = mstatus::SSTATUS_WRITABLE & if has_fp { !0 } else { !mstatus::FS };
                c.mstatus = (c.mstatus & !w) | (value & w);
                if (old ^ c.mstatus) & (mstatus::SUM | mstatus::MXR) != 0 {
                    effect = WriteEffect::Context;
                }
            }
            SIE => c.mie = (c.mie & !c.mideleg) | (value & c.mideleg & irq::ALL),
            STVEC => c.stvec = legal_tvec(c.stvec, value),
            SCOUNTEREN => c.scounteren = value & 0xffff_ffff,
            SENVCFG => c.senvcfg = value & envcfg::FIOM,
            SSCRATCH => c.sscratch = value,
            SEPC => c.sepc = value & !1,
            SCAUSE => c.scause = value,
            STVAL => c.stval = value,
            SIP => {
                // Only SSIP is writable through sip, and only when delegated.
                let w = irq::SSI & c.mideleg;
                c.mip_sw = (c.mip_sw & !w) | (value & w);
            }
            STIMECMP => {
                self.check_stimecmp_access(prv)?;
                self.csr.stimecmp = value;
                self.update_sstc();
            }
            SATP => {
                if prv == Privilege::Supervisor && c.mstatus & mstatus::TVM != 0 {
                    return Err(IllegalCsr);
                }
                // An unsupported MODE makes the whole write have no effect.
                let mode = value >> 60;
                if matches!(mode, 0 | 8 | 9 | 10) {
                    c.satp = value;
                    effect = WriteEffect::FlushTlb;
                }
            }
            MSTATUS => {
                let old = c.mstatus;
                let mut w = mstatus::WRITABLE;
                if !has_fp {
                    w &= !mstatus::FS;
                }
                let mut new = (old & !w) | (value & w);
                // MPP is WARL: the reserved encoding 2 keeps the old value.
                if (new & mstatus::MPP) >> mstatus::MPP_SHIFT == 2 {
                    new = (new & !mstatus::MPP) | (old & mstatus::MPP);
                }
                c.mstatus = new;
                let translation = mstatus::MPRV | mstatus::SUM | mstatus::MXR | mstatus::MPP;
                if (old ^ new) & translation != 0 {
                    effect = WriteEffect::Context;
                }
            }
            MISA => {} // WARL: the extensions are fixed.
            MEDELEG => c.medeleg = value & DELEGABLE_EXCEPTIONS,
            MIDELEG => c.mideleg = value & irq::SUPERVISOR,
            MIE => c.mie = value & irq::ALL,
            MTVEC => c.mtvec = legal_tvec(c.mtvec, value),
            MCOUNTEREN => c.mcounteren = value & 0xffff_ffff,
            MENVCFG => {
                c.menvcfg = value & (envcfg::FIOM | envcfg::ADUE | envcfg::STCE);
                self.update_sstc();
                effect = WriteEffect::FlushTlb;
            }
            MCOUNTINHIBIT => {
                // Keep the counters exact across the change of what counts.
                let (cycle, instret) = (self.cycle_now(retired), self.instret_now(retired));
                self.csr.mcountinhibit = value & 0b101;
                self.set_counter(MCYCLE, cycle, retired);
                self.set_counter(MINSTRET, instret, retired);
            }
            MHPMEVENT3..=MHPMEVENT31 => {}
            MSCRATCH => c.mscratch = value,
            MEPC => c.mepc = value & !1,
            MCAUSE => c.mcause = value,
            MTVAL => c.mtval = value,
            MIP => {
                let mut w = irq::SSI | irq::SEI;
                if c.menvcfg & envcfg::STCE == 0 {
                    w |= irq::STI;
                }
                c.mip_sw = (c.mip_sw & !w) | (value & w);
            }
            PMPCFG0..=PMPCFG15 => {
                if addr & 1 != 0 {
                    return Err(IllegalCsr);
                }
                if c.pmp.write_cfg(usize::from(addr - PMPCFG0) / 2, value) {
                    effect = WriteEffect::FlushTlb;
                }
            }
            PMPADDR0..=PMPADDR63 => {
                if c.pmp.write_addr(usize::from(addr - PMPADDR0), value) {
                    effect = WriteEffect::FlushTlb;
                }
            }
            MCYCLE | MINSTRET => {
                // The written value is what the next instruction reads: the
                // writing instruction does not count itself on top of it.
                self.set_counter(addr, value, retired + 1);
            }
            MHPMCOUNTER3..=MHPMCOUNTER31 => {}
            TSELECT => c.triggers.write_tselect(value),
            // A trigger that may match somewhere new: the hart must drop
            // the TLB entries of pages it now has to check one by one.
            TDATA1 => {
                if c.triggers.write_tdata1(value) {
                    effect = WriteEffect::FlushTlb;
                }
            }
            TDATA2 => {
                if c.triggers.write_tdata2(value) {
                    effect = WriteEffect::FlushTlb;
                }
            }
            TDATA3 => c.triggers.write_tdata3(value),
            TINFO => {} // read-only fields
            TCONTROL => c.triggers.write_tcontrol(value),
            MCONTEXT => c.triggers.write_mcontext(value),
            _ => return Err(IllegalCsr),
        }
        Ok(effect)
    }

    /// Sets a counter so that it reads `value` once `retired` instructions
    /// of the current run are accounted.
    fn set_counter(&mut self, addr: u16, value: u64, retired: u64) {
        let (inhibit_bit, counter) = if addr == addr::MCYCLE {
            (1, &mut self.csr.mcycle)
        } else {
            (4, &mut self.csr.minstret)
        };
        *counter = if self.csr.mcountinhibit & inhibit_bit != 0 {
            value
        } else {
            value.wrapping_sub(retired)
        };
    }

    /// Recomputes Sstc's STIP from `time` and `stimecmp`.
    pub(crate) fn update_sstc(&mut self) {
        self.csr.sstc_stip = self.timebase.now() >= self.csr.stimecmp;
    }
}

/// `xtvec` is WARL: MODE 0 (direct) and 1 (vectored) are legal; a write
/// with a reserved MODE is ignored, as QEMU does.
fn legal_tvec(old: u64, value: u64) -> u64 {
    if value & 3 < 2 {
        value
    } else {
        old
    }
}
