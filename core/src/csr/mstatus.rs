//! `mstatus` and its supervisor view `sstatus` (privileged spec, "Machine
//! Status Register (mstatus)" and "Supervisor Status Register (sstatus)"):
//! the bits, the WARL rules of a write, `FS` (marked dirty by every
//! floating-point write), and the trap stack that trap entry pushes and
//! `mret`/`sret` pop.

use super::{Privilege, WriteEffect};

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
/// The bits that select the translation context of loads and stores.
const TRANSLATION: u64 = MPRV | SUM | MXR | MPP;

/// The `mstatus` register. SD is not stored: it is computed from FS on
/// every read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mstatus(u64);

impl Mstatus {
    /// The reset value: UXL = SXL = 64-bit, everything else 0 (MIE and
    /// MPRV clear, privileged spec "Reset").
    pub(crate) const fn new() -> Self {
        Mstatus((2 << 32) | (2 << 34))
    }

    /// The value a CSR read returns (SD computed from FS).
    #[inline]
    pub fn read(self) -> u64 {
        let fs_dirty = self.0 & FS == FS_DIRTY;
        (self.0 & !SD) | if fs_dirty { SD } else { 0 }
    }

    /// A CSR write: only [`WRITABLE`] bits change (FS only with an FPU);
    /// MPP is WARL and keeps its old value on the reserved encoding 2.
    pub(crate) fn write(&mut self, value: u64, has_fp: bool) -> WriteEffect {
        let old = self.0;
        let w = WRITABLE & if has_fp { !0 } else { !FS };
        let mut new = (old & !w) | (value & w);
        if (new & MPP) >> MPP_SHIFT == 2 {
            new = (new & !MPP) | (old & MPP);
        }
        self.0 = new;
        Self::effect(old, new)
    }

    /// `sstatus` as a CSR read returns it: the [`SSTATUS_VIEW`] bits.
    #[inline]
    pub fn read_sstatus(self) -> u64 {
        self.read() & SSTATUS_VIEW
    }

    /// A write of `sstatus`: only [`SSTATUS_WRITABLE`] bits change (FS only
    /// with an FPU).
    pub(crate) fn write_sstatus(&mut self, value: u64, has_fp: bool) -> WriteEffect {
        let old = self.0;
        let w = SSTATUS_WRITABLE & if has_fp { !0 } else { !FS };
        self.0 = (old & !w) | (value & w);
        Self::effect(old, self.0)
    }

    /// What a change from `old` to `new` requires: a new TLB context if a
    /// bit that selects the translation of loads and stores changed.
    fn effect(old: u64, new: u64) -> WriteEffect {
        if (old ^ new) & TRANSLATION != 0 {
            WriteEffect::Context
        } else {
            WriteEffect::None
        }
    }

    /// Global machine interrupt enable.
    #[inline]
    pub fn mie(self) -> bool {
        self.0 & MIE != 0
    }

    /// Global supervisor interrupt enable.
    #[inline]
    pub fn sie(self) -> bool {
        self.0 & SIE != 0
    }

    /// The mode `mret` returns to (MPP is WARL and never holds 2).
    #[inline]
    pub fn mpp(self) -> Privilege {
        Privilege::from_bits((self.0 & MPP) >> MPP_SHIFT).unwrap_or(Privilege::User)
    }

    /// Modify PRiVilege: M-mode loads and stores use the rules of MPP.
    #[inline]
    pub fn mprv(self) -> bool {
        self.0 & MPRV != 0
    }

    /// permit Supervisor User Memory access.
    #[inline]
    pub fn sum(self) -> bool {
        self.0 & SUM != 0
    }

    /// Make eXecutable Readable.
    #[inline]
    pub fn mxr(self) -> bool {
        self.0 & MXR != 0
    }

    /// Trap Virtual Memory: S-mode `satp` accesses and `sfence.vma` trap.
    #[inline]
    pub fn tvm(self) -> bool {
        self.0 & TVM != 0
    }

    /// Timeout Wait: S-mode `wfi` traps.
    #[inline]
    pub fn tw(self) -> bool {
        self.0 & TW != 0
    }

    /// Trap SRET: S-mode `sret` traps.
    #[inline]
    pub fn tsr(self) -> bool {
        self.0 & TSR != 0
    }

    /// Whether the F/D state is enabled (FS != Off).
    #[inline]
    pub fn fp_enabled(self) -> bool {
        self.0 & FS != 0
    }

    /// Marks the F/D state dirty (FS = Dirty), as every instruction that
    /// writes an `f` register or `fflags` does: one OR.
    #[inline]
    pub(crate) fn set_fs_dirty(&mut self) {
        self.0 |= FS_DIRTY;
    }

    /// Trap entry into M-mode from `from`: MPIE = MIE, MIE = 0, MPP = `from`
    /// (privileged spec, "Machine Status Register", trap stack).
    #[inline]
    pub(crate) fn push_machine(&mut self, from: Privilege) {
        let mpie = if self.0 & MIE != 0 { MPIE } else { 0 };
        self.0 = (self.0 & !(MPIE | MIE | MPP)) | mpie | from.bits() << MPP_SHIFT;
    }

    /// Trap entry into S-mode from `from` (U or S): SPIE = SIE, SIE = 0,
    /// SPP = `from`.
    #[inline]
    pub(crate) fn push_supervisor(&mut self, from: Privilege) {
        let spie = if self.0 & SIE != 0 { SPIE } else { 0 };
        let spp = if from == Privilege::Supervisor {
            SPP
        } else {
            0
        };
        self.0 = (self.0 & !(SPIE | SIE | SPP)) | spie | spp;
    }

    /// `mret`'s pop: MIE = MPIE, MPIE = 1, MPP = U (the least-privileged
    /// mode), and MPRV = 0 if the mode returned to is not M. Returns that
    /// mode (the old MPP).
    pub(crate) fn pop_machine(&mut self) -> Privilege {
        let to = self.mpp();
        let mut s = self.0 & !(MIE | MPP);
        if s & MPIE != 0 {
            s |= MIE;
        }
        s |= MPIE;
        if to != Privilege::Machine {
            s &= !MPRV;
        }
        self.0 = s;
        to
    }

    /// `sret`'s pop: SIE = SPIE, SPIE = 1, SPP = U, MPRV = 0 (`sret` never
    /// returns to M). Returns the mode returned to (the old SPP).
    pub(crate) fn pop_supervisor(&mut self) -> Privilege {
        let to = if self.0 & SPP != 0 {
            Privilege::Supervisor
        } else {
            Privilege::User
        };
        let mut s = self.0 & !(SIE | SPP | MPRV);
        if s & SPIE != 0 {
            s |= SIE;
        }
        s |= SPIE;
        self.0 = s;
        to
    }
}
