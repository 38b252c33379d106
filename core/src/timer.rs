//! The machine's timebase: `mtime`, ticking at 10 MHz.
//!
//! Every hart's `time` CSR, the CLINT's `mtime` register and the Sstc
//! comparison read the same [`Timebase`]. It has two sources:
//! - [`TimeSource::HostClock`]: ticks follow the host's monotonic clock, so
//!   a guest's sense of time matches the wall clock (the default);
//! - [`TimeSource::Deterministic`]: ticks advance only when the machine
//!   says so (by retired instructions, and straight to the next deadline
//!   when every hart waits), so a run can be replayed exactly.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where the timebase takes its ticks from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeSource {
    /// The host's monotonic clock.
    HostClock,
    /// Only explicit [`Timebase::advance`] calls.
    Deterministic,
}

#[derive(Debug)]
struct Inner {
    source: TimeSource,
    start: Instant,
    /// Added to the source's count; lets `mtime` be written.
    offset: AtomicU64,
    /// The deterministic count.
    ticks: AtomicU64,
}

/// A shared 10 MHz `mtime` counter. Clones share the same counter.
#[derive(Clone, Debug)]
pub struct Timebase {
    inner: Arc<Inner>,
}

impl Timebase {
    /// Ticks per second (QEMU `virt`'s `timebase-frequency`).
    pub const FREQUENCY: u64 = 10_000_000;

    /// A timebase starting at 0 now.
    pub fn new(source: TimeSource) -> Self {
        Timebase {
            inner: Arc::new(Inner {
                source,
                start: Instant::now(),
                offset: AtomicU64::new(0),
                ticks: AtomicU64::new(0),
            }),
        }
    }

    /// Where the ticks come from.
    pub fn source(&self) -> TimeSource {
        self.inner.source
    }

    fn raw(&self) -> u64 {
        match self.inner.source {
            TimeSource::HostClock => {
                let ns = self.inner.start.elapsed().as_nanos();
                // Saturates after some centuries of host uptime.
                u64::try_from(ns / (1_000_000_000 / u128::from(Self::FREQUENCY)))
                    .unwrap_or(u64::MAX)
            }
            TimeSource::Deterministic => self.inner.ticks.load(Ordering::Relaxed),
        }
    }

    /// The current value of `mtime`.
    pub fn now(&self) -> u64 {
        self.raw()
            .wrapping_add(self.inner.offset.load(Ordering::Relaxed))
    }

    /// Sets `mtime` (a guest write to the CLINT's `mtime` register).
    pub fn set(&self, value: u64) {
        self.inner
            .offset
            .store(value.wrapping_sub(self.raw()), Ordering::Relaxed);
    }

    /// Moves a deterministic timebase forward by `ticks`; no effect on the host clock.
    pub fn advance(&self, ticks: u64) {
        if self.inner.source == TimeSource::Deterministic {
            self.inner.ticks.fetch_add(ticks, Ordering::Relaxed);
        }
    }

    /// How long the host should wait until `mtime` reaches `deadline`
    /// (zero if it already has).
    pub fn duration_until(&self, deadline: u64) -> Duration {
        let now = self.now();
        if deadline <= now {
            return Duration::ZERO;
        }
        let ticks = deadline - now;
        Duration::from_nanos(ticks.saturating_mul(1_000_000_000 / Self::FREQUENCY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_moves_only_when_told() {
        let t = Timebase::new(TimeSource::Deterministic);
        assert_eq!(t.now(), 0);
        t.advance(42);
        assert_eq!(t.clone().now(), 42);
        t.set(1000);
        assert_eq!(t.now(), 1000);
        t.advance(5);
        assert_eq!(t.now(), 1005);
    }

    #[test]
    fn host_clock_is_monotonic_and_writable() {
        let t = Timebase::new(TimeSource::HostClock);
        let a = t.now();
        std::thread::sleep(Duration::from_millis(2));
        let b = t.now();
        assert!(
            b - a >= 20_000,
            "2 ms is at least 20000 ticks at 10 MHz, got {}",
            b - a
        );
        t.set(5);
        assert!(t.now() < 5 + 10_000);
    }
}
