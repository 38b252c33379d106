//! Sstc's `stimecmp`: the supervisor timer, whose comparison with `time`
//! drives `mip.STIP` while `menvcfg.STCE` is set (the Sstc extension,
//! "stimecmp").

/// `stimecmp`: the `time` at which the supervisor timer interrupt becomes
/// pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stimecmp(u64);

impl Stimecmp {
    /// The reset value: never (all ones).
    pub(crate) const fn new() -> Self {
        Stimecmp(u64::MAX)
    }

    /// The value as a CSR read returns it.
    #[inline]
    pub fn read(self) -> u64 {
        self.0
    }

    /// A write: any value (the caller then recomputes STIP).
    pub(crate) fn write(&mut self, value: u64) {
        self.0 = value;
    }

    /// Whether the timer interrupt is pending at time `now`.
    #[inline]
    pub fn pending(self, now: u64) -> bool {
        now >= self.0
    }
}
