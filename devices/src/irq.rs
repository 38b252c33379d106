//! A device's interrupt output as the PLIC's gateway sees it: the line's
//! level, and whether the device raised a new request since the board last
//! looked.
//!
//! A device *updates* its line after each event that its own specification
//! lists as setting or resetting one of its interrupt conditions (a 16550
//! receiving a byte, emptying its transmitter, having RBR or IIR read; a
//! virtio device using a buffer, its driver acknowledging; an RTC alarm
//! firing or being cleared). An update with the line high is a *request*;
//! an access that changes no interrupt condition (a 16550's LSR read
//! without errors, say) updates nothing.
//!
//! Why requests and not just levels: the PLIC specification's level
//! gateway forwards a new request at every completion while the line is
//! still high. QEMU's `virt` PLIC does not: its pending bit is set by each
//! update with the line high and cleared only by a claim, and a completion
//! forwards nothing.
//! Software written against QEMU relies on that: xv6-riscv leaves the
//! 16550's transmit-empty interrupt asserted when it has nothing more to
//! send, which a level gateway turns into an endless interrupt storm. The
//! PLIC offers both behaviours ([`crate::plic::Gateway`]); this type
//! carries what either needs.

/// A device's interrupt output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IrqLine {
    high: bool,
    requested: bool,
}

/// What the gateway learns from a line when it looks: see [`IrqLine::take`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IrqSignal {
    /// The line's level now.
    pub high: bool,
    /// The device raised a request (an update with the line high) since
    /// the last look.
    pub requested: bool,
}

impl IrqLine {
    /// The device re-evaluated its interrupt conditions after an event of
    /// its own: `high` is the line's new level, and a high line is a
    /// request.
    pub fn update(&mut self, high: bool) {
        self.high = high;
        self.requested |= high;
    }

    /// The line's level.
    pub fn is_high(&self) -> bool {
        self.high
    }

    /// The level, and whether a request was raised since the last `take`
    /// (several collapse into one, as the PLIC's pending bit is one bit).
    pub fn take(&mut self) -> IrqSignal {
        let signal = IrqSignal {
            high: self.high,
            requested: self.requested,
        };
        self.requested = false;
        signal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_updates_with_the_line_high() {
        let mut line = IrqLine::default();
        assert_eq!(line.take(), IrqSignal::default());
        line.update(true);
        line.update(true);
        assert_eq!(
            line.take(),
            IrqSignal {
                high: true,
                requested: true
            }
        );
        // Still high, but no new update: no new request.
        assert_eq!(
            line.take(),
            IrqSignal {
                high: true,
                requested: false
            }
        );
        // Raised then lowered before the gateway looked.
        line.update(true);
        line.update(false);
        assert_eq!(
            line.take(),
            IrqSignal {
                high: false,
                requested: true
            }
        );
        line.update(false);
        assert_eq!(line.take(), IrqSignal::default());
    }
}
