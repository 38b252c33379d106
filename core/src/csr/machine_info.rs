//! `misa` and the read-only identification CSRs `mvendorid`, `marchid`,
//! `mimpid` and `mconfigptr` (privileged spec, "Machine ISA Register" and
//! "Machine Information Registers"; `mhartid` is the hart's own id).

/// The `misa` bit of extension letter `c`.
pub(crate) const fn ext(c: u8) -> u64 {
    1 << (c - b'A')
}

/// `misa`: MXL and the extensions. WARL, and fixed here: a write is
/// ignored (the spec allows `misa` to be read-only this way).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Misa(u64);

impl Misa {
    /// A `misa` with these bits.
    pub(crate) const fn new(bits: u64) -> Self {
        Misa(bits)
    }

    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// Whether the extension with letter `c` (`b'F'`, ...) is present.
    #[inline]
    pub fn has(self, c: u8) -> bool {
        self.0 & ext(c) != 0
    }
}

/// `mvendorid`, `marchid`, `mimpid` and `mconfigptr`: zero, "not
/// implemented" or "non-commercial", as the spec allows.
pub(crate) const MACHINE_ID: u64 = 0;
