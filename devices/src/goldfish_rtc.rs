//! The Goldfish real-time clock (`google,goldfish-rtc`), as Linux's
//! `rtc-goldfish` driver uses it: the host's wall-clock time in nanoseconds
//! since the Unix epoch, and one alarm that raises an interrupt.
//!
//! Reading TIME_LOW latches the whole 64-bit time, so that a following read
//! of TIME_HIGH is consistent with it.
//!
//! Its clock is the host's wall clock ([`RtcClock::Host`]), or, for
//! deterministic runs, a fixed start time plus the machine's virtual time
//! ([`RtcClock::Virtual`], QEMU's `-rtc clock=vm`).
//!
//! Its interrupt line ([`crate::irq::IrqLine`]) is updated when the alarm
//! fires and when the guest writes IRQ_ENABLED or CLEAR_INTERRUPT.

use std::time::{SystemTime, UNIX_EPOCH};

use rivet_core::{AccessSize, Timebase};

use vm_fdt::{FdtWriter, FdtWriterResult};

use crate::device::MmioDevice;
use crate::fdt::{self, Phandles};
use crate::irq::{IrqLine, IrqSignal};
use crate::layout::Region;

const TIME_LOW: u64 = 0x00;
const TIME_HIGH: u64 = 0x04;
const ALARM_LOW: u64 = 0x08;
const ALARM_HIGH: u64 = 0x0c;
const IRQ_ENABLED: u64 = 0x10;
const CLEAR_ALARM: u64 = 0x14;
const ALARM_STATUS: u64 = 0x18;
const CLEAR_INTERRUPT: u64 = 0x1c;

/// Where the RTC's time comes from.
#[derive(Clone, Debug)]
pub enum RtcClock {
    /// The host's wall clock.
    Host,
    /// `base_ns` (nanoseconds since the epoch) plus the timebase's virtual time.
    Virtual {
        /// The time at `mtime` = 0.
        base_ns: u64,
        /// The machine's timebase.
        timebase: Timebase,
    },
}

/// The RTC.
#[derive(Debug)]
pub struct GoldfishRtc {
    clock: RtcClock,
    /// Added to the host's time: the guest may set the clock.
    offset_ns: i128,
    latched_high: u32,
    alarm_high: u32,
    alarm: Option<u64>,
    irq_enabled: bool,
    irq_pending: bool,
    irq: IrqLine,
}

impl Default for GoldfishRtc {
    fn default() -> Self {
        Self::new(RtcClock::Host)
    }
}

impl GoldfishRtc {
    /// An RTC on `clock`.
    pub fn new(clock: RtcClock) -> Self {
        GoldfishRtc {
            clock,
            offset_ns: 0,
            latched_high: 0,
            alarm_high: 0,
            alarm: None,
            irq_enabled: false,
            irq_pending: false,
            irq: IrqLine::default(),
        }
    }

    /// The host's wall clock in nanoseconds since the epoch.
    pub fn host_time_ns() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }

    /// The clock's own time, before the guest's adjustment.
    fn host_ns(&self) -> i128 {
        match &self.clock {
            RtcClock::Host => i128::from(Self::host_time_ns()),
            RtcClock::Virtual { base_ns, timebase } => {
                let ticks = i128::from(timebase.now());
                i128::from(*base_ns) + ticks * (1_000_000_000 / i128::from(Timebase::FREQUENCY))
            }
        }
    }

    /// The guest's current time in nanoseconds since the epoch.
    pub fn now_ns(&self) -> u64 {
        // Before the epoch reads as 0, past 2554 as the last nanosecond.
        u64::try_from((self.host_ns() + self.offset_ns).max(0)).unwrap_or(u64::MAX)
    }

    /// Sets the clock so that it reads `ns` now (QEMU's `-rtc base=`).
    pub fn set_time_ns(&mut self, ns: u64) {
        self.offset_ns = i128::from(ns) - self.host_ns();
    }

    /// Fires the alarm if it is due.
    pub fn update(&mut self) {
        if let Some(alarm) = self.alarm {
            if self.now_ns() >= alarm {
                self.alarm = None;
                self.irq_pending = true;
                self.update_irq();
            }
        }
    }

    fn update_irq(&mut self) {
        self.irq.update(self.irq_pending && self.irq_enabled);
    }

    /// Whether the interrupt line is high.
    pub fn interrupt_pending(&self) -> bool {
        self.irq.is_high()
    }

    /// The interrupt line for the PLIC's gateway (see [`IrqLine::take`]).
    pub fn take_irq(&mut self) -> IrqSignal {
        self.irq.take()
    }
}

impl MmioDevice for GoldfishRtc {
    fn read(&mut self, offset: u64, _size: AccessSize) -> u64 {
        self.update();
        match offset {
            TIME_LOW => {
                let now = self.now_ns();
                self.latched_high = (now >> 32) as u32;
                now & 0xffff_ffff
            }
            TIME_HIGH => u64::from(self.latched_high),
            ALARM_LOW => self.alarm.map_or(0, |a| a & 0xffff_ffff),
            ALARM_HIGH => self.alarm.map_or(0, |a| a >> 32),
            IRQ_ENABLED => u64::from(self.irq_enabled),
            ALARM_STATUS => u64::from(self.alarm.is_some()),
            _ => 0,
        }
    }

    fn write(&mut self, offset: u64, _size: AccessSize, value: u64) {
        let value32 = value & 0xffff_ffff;
        match offset {
            TIME_LOW => {
                // Writing TIME_LOW sets the clock from the pending high half.
                let wanted = (u64::from(self.latched_high) << 32) | value32;
                self.offset_ns = wanted as i128 - self.host_ns();
            }
            TIME_HIGH => self.latched_high = value32 as u32,
            ALARM_HIGH => self.alarm_high = value32 as u32,
            ALARM_LOW => {
                self.alarm = Some((u64::from(self.alarm_high) << 32) | value32);
                self.update();
            }
            IRQ_ENABLED => {
                self.irq_enabled = value32 & 1 != 0;
                self.update_irq();
            }
            CLEAR_ALARM => self.alarm = None,
            CLEAR_INTERRUPT => {
                self.irq_pending = false;
                self.update_irq();
            }
            _ => {}
        }
    }
}

/// Writes the RTC's device-tree node: at `region`, interrupting PLIC
/// source `irq`.
pub fn fdt_node(
    fdt: &mut FdtWriter,
    region: Region,
    irq: u32,
    phandles: Phandles,
) -> FdtWriterResult<()> {
    fdt::plic_device_node(
        fdt,
        "rtc",
        "google,goldfish-rtc",
        region,
        irq,
        phandles,
        |_| Ok(()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rivet_core::TimeSource;

    #[test]
    fn virtual_clock_follows_mtime() {
        let tb = Timebase::new(TimeSource::Deterministic);
        let mut rtc = GoldfishRtc::new(RtcClock::Virtual {
            base_ns: 1_000_000_000,
            timebase: tb.clone(),
        });
        tb.advance(10_000_000); // one second of mtime
        let low = rtc.read(TIME_LOW, AccessSize::Word);
        let high = rtc.read(TIME_HIGH, AccessSize::Word);
        assert_eq!((high << 32) | low, 2_000_000_000);
    }

    #[test]
    fn reads_host_time_consistently() {
        let mut rtc = GoldfishRtc::default();
        let before = GoldfishRtc::host_time_ns();
        let low = rtc.read(TIME_LOW, AccessSize::Word);
        let high = rtc.read(TIME_HIGH, AccessSize::Word);
        let t = (high << 32) | low;
        assert!(t >= before && t - before < 1_000_000_000);
    }

    #[test]
    fn alarm_in_the_past_interrupts() {
        let mut rtc = GoldfishRtc::default();
        rtc.write(IRQ_ENABLED, AccessSize::Word, 1);
        rtc.write(ALARM_HIGH, AccessSize::Word, 0);
        rtc.write(ALARM_LOW, AccessSize::Word, 1);
        assert!(rtc.interrupt_pending());
        rtc.write(CLEAR_INTERRUPT, AccessSize::Word, 1);
        assert!(!rtc.interrupt_pending());
    }
}
