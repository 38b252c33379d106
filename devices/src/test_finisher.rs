//! The SiFive test finisher (`sifive,test0`): a register that ends the
//! simulation. Writing 0x5555 powers off (exit 0), `0x3333 | code << 16`
//! powers off with a failure code, 0x7777 resets. Linux also uses it as a
//! syscon for its poweroff and reboot drivers.

use rivet_core::machine::PowerEvent;
use rivet_core::AccessSize;

use crate::device::MmioDevice;

const FAIL: u64 = 0x3333;
const PASS: u64 = 0x5555;
const RESET: u64 = 0x7777;

/// The test finisher.
#[derive(Debug, Default)]
pub struct TestFinisher {
    event: Option<PowerEvent>,
}

impl TestFinisher {
    /// A finisher that has not fired.
    pub fn new() -> Self {
        Self::default()
    }

    /// The power event the guest asked for, if any (taken once).
    pub fn take_event(&mut self) -> Option<PowerEvent> {
        self.event.take()
    }
}

impl MmioDevice for TestFinisher {
    fn read(&mut self, _offset: u64, _size: AccessSize) -> u64 {
        0
    }

    fn write(&mut self, offset: u64, size: AccessSize, value: u64) {
        // OpenSBI writes the status as a 16-bit value (`writew`); the code
        // in bits 31:16 needs a 32-bit write. QEMU takes both widths too.
        if offset != 0 || size.bytes() < 2 {
            return;
        }
        let code = ((value >> 16) & 0xffff) as u32;
        self.event = match value & 0xffff {
            PASS => Some(PowerEvent::PowerOff(0)),
            // A failure with code 0 still has to fail: QEMU reports it as 1.
            FAIL => Some(PowerEvent::PowerOff(if code == 0 { 1 } else { code })),
            RESET => Some(PowerEvent::Reset),
            _ => self.event,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        let mut t = TestFinisher::new();
        t.write(0, AccessSize::Word, 0x5555);
        assert_eq!(t.take_event(), Some(PowerEvent::PowerOff(0)));
        t.write(0, AccessSize::Word, 0x3333 | (7 << 16));
        assert_eq!(t.take_event(), Some(PowerEvent::PowerOff(7)));
        t.write(0, AccessSize::Word, 0x7777);
        assert_eq!(t.take_event(), Some(PowerEvent::Reset));
        t.write(0, AccessSize::Word, 0x1234);
        assert_eq!(t.take_event(), None);
        t.write(4, AccessSize::Word, 0x5555);
        assert_eq!(t.take_event(), None);
        t.write(0, AccessSize::Half, 0x5555);
        assert_eq!(
            t.take_event(),
            Some(PowerEvent::PowerOff(0)),
            "OpenSBI's 16-bit write"
        );
        t.write(0, AccessSize::Byte, 0x55);
        assert_eq!(t.take_event(), None);
    }
}
