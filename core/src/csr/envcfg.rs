//! `menvcfg` and `senvcfg` (privileged spec, "Machine Environment
//! Configuration Register" and its supervisor twin), with the fields of the
//! extensions that use them: the cache-block operations' enables (CMO
//! specification, "Control and Status Register State"), Svpbmt's PBMTE,
//! Svadu's ADUE and Sstc's STCE.

pub const FIOM: u64 = 1 << 0;
/// Zicbom: `cbo.inval` enable for lower modes, bits 5:4 (WARL): 00 illegal,
/// 01 performs a flush, 11 performs an invalidate; 10 is reserved.
pub const CBIE: u64 = 3 << 4;
/// Zicbom: `cbo.clean` and `cbo.flush` enable for lower modes.
pub const CBCFE: u64 = 1 << 6;
/// Zicboz: `cbo.zero` enable for lower modes.
pub const CBZE: u64 = 1 << 7;
/// Svadu: hardware updating of PTE A/D bits.
pub const ADUE: u64 = 1 << 61;
/// Svpbmt: the PTEs' PBMT field is in use (else its bits are reserved).
pub const PBMTE: u64 = 1 << 62;
/// Sstc: `stimecmp` enabled for S-mode.
pub const STCE: u64 = 1 << 63;

/// The CBIE encoding "flush" (01).
const CBIE_FLUSH: u64 = 1 << 4;
/// The reserved CBIE encoding (10).
const CBIE_RESERVED: u64 = 2 << 4;

/// What `cbo.inval` does in a mode below the register's (the CBIE field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CboInval {
    /// 00: it raises an illegal-instruction exception.
    Illegal,
    /// 01: it performs a flush.
    Flush,
    /// 11: it performs an invalidate.
    Invalidate,
}

/// The CBIE field of `value`.
fn cbo_inval(value: u64) -> CboInval {
    match value & CBIE {
        0 => CboInval::Illegal,
        CBIE_FLUSH => CboInval::Flush,
        // 10 never stays in a register (see `legal`).
        _ => CboInval::Invalidate,
    }
}

/// A write of `value` to an envcfg register holding `old`, legalised: only
/// the `implemented` fields are writable (the others read as zero), and a
/// CBIE of 10 (reserved) keeps the old CBIE (WARL).
fn legal(old: u64, value: u64, implemented: u64) -> u64 {
    let mut new = value & implemented;
    if new & CBIE == CBIE_RESERVED {
        new = (new & !CBIE) | (old & CBIE);
    }
    new
}

/// The envcfg fields the hart's extensions implement, beyond FIOM (and
/// `menvcfg`'s ADUE and STCE, always there): PBMTE with Svpbmt (`menvcfg`
/// only), CBIE and CBCFE with Zicbom, CBZE with Zicboz.
pub(crate) const fn extension_fields(svpbmt: bool, zicbom: bool, zicboz: bool) -> u64 {
    (if svpbmt { PBMTE } else { 0 })
        | (if zicbom { CBIE | CBCFE } else { 0 })
        | (if zicboz { CBZE } else { 0 })
}

/// `menvcfg`: FIOM, ADUE (Svadu) and STCE (Sstc) are implemented, and
/// PBMTE, CBIE, CBCFE and CBZE where the hart has Svpbmt, Zicbom and
/// Zicboz.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Menvcfg(u64);

impl Menvcfg {
    /// The reset value: hardware A/D updating on, as QEMU 7.2 always does.
    pub(crate) const fn new() -> Self {
        Menvcfg(ADUE)
    }

    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: WARL, the implemented fields only (the others are
    /// read-only zero); `extensions` are the extension fields
    /// (`extension_fields`).
    pub(crate) fn write(&mut self, value: u64, extensions: u64) {
        self.0 = legal(self.0, value, FIOM | ADUE | STCE | extensions);
    }

    /// Svadu: the hardware sets PTE A and D bits (else a page fault).
    #[inline]
    pub fn adue(self) -> bool {
        self.0 & ADUE != 0
    }

    /// Sstc: `stimecmp` drives STIP and S-mode may access it.
    #[inline]
    pub fn stce(self) -> bool {
        self.0 & STCE != 0
    }

    /// Svpbmt: the PBMT field of PTEs is in use.
    #[inline]
    pub fn pbmte(self) -> bool {
        self.0 & PBMTE != 0
    }

    /// Zicbom: what `cbo.inval` does below M-mode.
    pub fn cbie(self) -> CboInval {
        cbo_inval(self.0)
    }

    /// Zicbom: `cbo.clean`/`cbo.flush` allowed below M-mode.
    pub fn cbcfe(self) -> bool {
        self.0 & CBCFE != 0
    }

    /// Zicboz: `cbo.zero` allowed below M-mode.
    pub fn cbze(self) -> bool {
        self.0 & CBZE != 0
    }
}

/// `senvcfg`: FIOM, and CBIE, CBCFE and CBZE where the hart has Zicbom
/// and Zicboz (PBMTE is `menvcfg`'s only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Senvcfg(u64);

impl Senvcfg {
    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: WARL, FIOM and the cache-block enables among `extensions`.
    pub(crate) fn write(&mut self, value: u64, extensions: u64) {
        self.0 = legal(self.0, value, FIOM | (extensions & (CBIE | CBCFE | CBZE)));
    }

    /// Zicbom: what `cbo.inval` does in U-mode (as far as `senvcfg` says).
    pub fn cbie(self) -> CboInval {
        cbo_inval(self.0)
    }

    /// Zicbom: `cbo.clean`/`cbo.flush` allowed in U-mode (ditto).
    pub fn cbcfe(self) -> bool {
        self.0 & CBCFE != 0
    }

    /// Zicboz: `cbo.zero` allowed in U-mode (ditto).
    pub fn cbze(self) -> bool {
        self.0 & CBZE != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: u64 = extension_fields(true, true, true);

    #[test]
    fn fields_are_where_the_specifications_put_them() {
        // menvcfg: FIOM 0, CBIE 5:4, CBCFE 6, CBZE 7, ADUE 61, PBMTE 62, STCE 63.
        let mut m = Menvcfg::new();
        m.write(u64::MAX, ALL);
        assert_eq!(m.read(), 0xe000_0000_0000_00f1);
        m.write(0, ALL);
        assert_eq!(m.read(), 0);
        // senvcfg has no PBMTE, ADUE or STCE.
        let mut s = Senvcfg::default();
        s.write(u64::MAX, ALL);
        assert_eq!(s.read(), 0xf1);
    }

    #[test]
    fn absent_extensions_leave_their_fields_zero() {
        let mut m = Menvcfg::new();
        m.write(u64::MAX, 0);
        assert_eq!(m.read(), FIOM | ADUE | STCE);
        let mut s = Senvcfg::default();
        s.write(u64::MAX, extension_fields(true, false, true));
        assert_eq!(s.read(), FIOM | CBZE);
    }

    #[test]
    fn cbie_10_is_reserved_and_keeps_the_old_value() {
        let mut m = Menvcfg::new();
        m.write(1 << 4, ALL);
        assert_eq!(m.cbie(), CboInval::Flush);
        m.write(2 << 4, ALL);
        assert_eq!(m.read() & CBIE, 1 << 4);
        m.write(3 << 4, ALL);
        assert_eq!(m.cbie(), CboInval::Invalidate);
        m.write(0, ALL);
        assert_eq!(m.cbie(), CboInval::Illegal);
        let mut s = Senvcfg::default();
        s.write(2 << 4, ALL);
        assert_eq!(s.cbie(), CboInval::Illegal);
    }
}
