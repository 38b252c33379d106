//! A 16550A UART (`ns16550a`), as Linux's 8250 driver and OpenSBI use it.
//!
//! Registers (one byte apart): RBR/THR and IER (or the divisor latch when
//! LCR.DLAB is set), IIR/FCR, LCR, MCR, LSR, MSR, SCR. Transmission is
//! instantaneous: a byte written to THR goes straight to the console, so
//! THR is always empty and the "THR empty" interrupt fires after every
//! write (when enabled) until IIR reports it. Received bytes queue in a
//! 16-byte FIFO, filled by the board from the console between time
//! slices; data-available and character-timeout interrupts follow the
//! FIFO trigger level.
//!
//! The interrupt line ([`crate::irq::IrqLine`]) is updated after each event
//! the 16550 data sheet lists as setting or resetting an interrupt
//! condition: a byte received, THR written (and, at once, emptied again),
//! IER or FCR written, RBR read, IIR read while it reports THR empty, LSR
//! read while it reports an overrun. Other accesses (LSR read without an
//! error, LCR, MCR, MSR, SCR) leave it alone. So a driver that polls LSR
//! while the transmit-empty interrupt stays asserted, as xv6 does, makes
//! no new request; one that reads RBR while more data waits makes one.

use std::collections::VecDeque;

use rivet_core::bits::low_u8;
use rivet_core::AccessSize;

use crate::console::Console;
use vm_fdt::{FdtWriter, FdtWriterResult};

use crate::device::MmioDevice;
use crate::fdt::{self, Phandles};
use crate::irq::{IrqLine, IrqSignal};
use crate::layout::Region;

const RBR_THR_DLL: u64 = 0;
const IER_DLM: u64 = 1;
const IIR_FCR: u64 = 2;
const LCR: u64 = 3;
const MCR: u64 = 4;
const LSR: u64 = 5;
const MSR: u64 = 6;
const SCR: u64 = 7;

const IER_RDI: u8 = 1 << 0; // received data available
const IER_THRI: u8 = 1 << 1; // THR empty
const IER_RLSI: u8 = 1 << 2; // receiver line status
const IER_MSI: u8 = 1 << 3; // modem status

const IIR_NONE: u8 = 0x01;
const IIR_RLS: u8 = 0x06;
const IIR_RDA: u8 = 0x04;
const IIR_TIMEOUT: u8 = 0x0c;
const IIR_THRE: u8 = 0x02;
const IIR_FIFO_ENABLED: u8 = 0xc0;

const LSR_DR: u8 = 1 << 0;
const LSR_OE: u8 = 1 << 1;
const LSR_THRE: u8 = 1 << 5;
const LSR_TEMT: u8 = 1 << 6;

const LCR_DLAB: u8 = 1 << 7;
const MCR_LOOP: u8 = 1 << 4;
/// MSR with the modem lines a terminal presents: CTS, DSR and DCD.
const MSR_LINES_UP: u8 = 0xb0;

const FIFO_SIZE: usize = 16;

/// The UART.
#[derive(Debug)]
pub struct Uart16550 {
    rx: VecDeque<u8>,
    ier: u8,
    lcr: u8,
    mcr: u8,
    scr: u8,
    fcr: u8,
    dll: u8,
    dlm: u8,
    overrun: bool,
    /// A "THR empty" interrupt waits to be reported.
    thre_pending: bool,
    /// Bytes the guest wrote, not yet handed to the console.
    tx: Vec<u8>,
    /// The interrupt output (INTR).
    irq: IrqLine,
}

impl Default for Uart16550 {
    fn default() -> Self {
        Self::new()
    }
}

impl Uart16550 {
    /// A UART after reset.
    pub fn new() -> Self {
        Uart16550 {
            rx: VecDeque::with_capacity(FIFO_SIZE),
            ier: 0,
            lcr: 0,
            mcr: 0,
            scr: 0,
            fcr: 0,
            dll: 0,
            dlm: 0,
            overrun: false,
            thre_pending: false,
            tx: Vec::new(),
            irq: IrqLine::default(),
        }
    }

    fn fifo_enabled(&self) -> bool {
        self.fcr & 1 != 0
    }

    fn capacity(&self) -> usize {
        if self.fifo_enabled() {
            FIFO_SIZE
        } else {
            1
        }
    }

    fn trigger_level(&self) -> usize {
        if !self.fifo_enabled() {
            return 1;
        }
        [1, 4, 8, 14][usize::from(self.fcr >> 6)]
    }

    /// Whether the UART can take another received byte.
    pub fn can_receive(&self) -> bool {
        self.rx.len() < self.capacity()
    }

    /// A byte arrives on the line (in loopback mode the line is ignored).
    pub fn receive(&mut self, byte: u8) {
        if self.mcr & MCR_LOOP != 0 {
            return;
        }
        self.push_rx(byte);
        self.update_irq();
    }

    /// Takes the oldest received byte the guest has not read, for another
    /// reader of the same line (semihosting's console input): it never
    /// reaches the receive buffer register.
    pub fn take_received(&mut self) -> Option<u8> {
        let byte = self.rx.pop_front();
        if byte.is_some() {
            self.update_irq();
        }
        byte
    }

    fn push_rx(&mut self, byte: u8) {
        if self.can_receive() {
            self.rx.push_back(byte);
        } else {
            self.overrun = true;
        }
    }

    /// Moves pending output to `console` and pending input from it;
    /// returns whether input came.
    pub fn exchange(&mut self, console: &mut dyn Console) -> bool {
        if !self.tx.is_empty() {
            console.write(&self.tx);
            self.tx.clear();
        }
        let mut received = false;
        while self.can_receive() && self.mcr & MCR_LOOP == 0 {
            match console.read() {
                Some(byte) => self.rx.push_back(byte),
                None => break,
            }
            received = true;
        }
        if received {
            self.update_irq();
        }
        received
    }

    /// The highest-priority pending interrupt's IIR identification.
    fn interrupt_id(&self) -> u8 {
        if self.ier & IER_RLSI != 0 && self.overrun {
            IIR_RLS
        } else if self.ier & IER_RDI != 0 && !self.rx.is_empty() {
            if self.rx.len() >= self.trigger_level() {
                IIR_RDA
            } else {
                // Below the trigger level: as if the character timeout expired.
                IIR_TIMEOUT
            }
        } else if self.ier & IER_THRI != 0 && self.thre_pending {
            IIR_THRE
        } else {
            IIR_NONE
        }
    }

    /// Re-evaluates the interrupt line after an event that may have set or
    /// reset an interrupt condition.
    fn update_irq(&mut self) {
        self.irq.update(self.interrupt_id() != IIR_NONE);
    }

    /// Whether the interrupt line is high.
    pub fn interrupt_pending(&self) -> bool {
        self.irq.is_high()
    }

    /// The interrupt line for the PLIC's gateway (see [`IrqLine::take`]).
    pub fn take_irq(&mut self) -> IrqSignal {
        debug_assert_eq!(
            self.irq.is_high(),
            self.interrupt_id() != IIR_NONE,
            "an interrupt condition changed without an update of the line"
        );
        self.irq.take()
    }

    fn lsr(&self) -> u8 {
        let mut lsr = LSR_THRE | LSR_TEMT;
        if !self.rx.is_empty() {
            lsr |= LSR_DR;
        }
        if self.overrun {
            lsr |= LSR_OE;
        }
        lsr
    }

    fn msr(&self) -> u8 {
        if self.mcr & MCR_LOOP != 0 {
            // Loopback: DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD.
            let m = self.mcr;
            ((m & 1) << 5) | ((m & 2) << 3) | ((m & 4) << 4) | ((m & 8) << 4)
        } else {
            MSR_LINES_UP
        }
    }
}

impl MmioDevice for Uart16550 {
    fn read(&mut self, offset: u64, size: AccessSize) -> u64 {
        if size != AccessSize::Byte {
            return 0;
        }
        let dlab = self.lcr & LCR_DLAB != 0;
        let v = match offset {
            RBR_THR_DLL if dlab => self.dll,
            RBR_THR_DLL => {
                let byte = self.rx.pop_front().unwrap_or(0);
                self.update_irq();
                byte
            }
            IER_DLM if dlab => self.dlm,
            IER_DLM => self.ier,
            IIR_FCR => {
                let id = self.interrupt_id();
                if id == IIR_THRE {
                    // Reading IIR when it reports THRE clears that interrupt.
                    self.thre_pending = false;
                    self.update_irq();
                }
                id | if self.fifo_enabled() {
                    IIR_FIFO_ENABLED
                } else {
                    0
                }
            }
            LCR => self.lcr,
            MCR => self.mcr,
            LSR => {
                let lsr = self.lsr();
                if self.overrun {
                    self.overrun = false;
                    self.update_irq();
                }
                lsr
            }
            MSR => self.msr(),
            SCR => self.scr,
            _ => 0,
        };
        u64::from(v)
    }

    fn write(&mut self, offset: u64, size: AccessSize, value: u64) {
        if size != AccessSize::Byte {
            return;
        }
        let v = low_u8(value);
        let dlab = self.lcr & LCR_DLAB != 0;
        match offset {
            RBR_THR_DLL if dlab => self.dll = v,
            RBR_THR_DLL => {
                if self.mcr & MCR_LOOP != 0 {
                    self.push_rx(v);
                } else {
                    self.tx.push(v);
                }
                // Sent at once: THR is empty again, a new THRE interrupt.
                self.thre_pending = true;
                self.update_irq();
            }
            IER_DLM if dlab => self.dlm = v,
            IER_DLM => {
                let enabling_thri = v & IER_THRI != 0 && self.ier & IER_THRI == 0;
                self.ier = v & (IER_RDI | IER_THRI | IER_RLSI | IER_MSI);
                if enabling_thri {
                    // THR is empty: enabling its interrupt raises it at once.
                    self.thre_pending = true;
                }
                self.update_irq();
            }
            IIR_FCR => {
                if v & 2 != 0 {
                    self.rx.clear();
                }
                self.fcr = v & 0xc1;
                if !self.fifo_enabled() {
                    self.rx.truncate(1);
                }
                self.update_irq();
            }
            LCR => self.lcr = v,
            MCR => self.mcr = v & 0x1f,
            SCR => self.scr = v,
            _ => {}
        }
    }
}

/// The UART's input clock, as QEMU advertises it (3.6864 MHz).
const CLOCK_FREQUENCY: u32 = 3_686_400;

/// Writes the UART's device-tree node: an `ns16550a` at `region`,
/// interrupting PLIC source `irq`.
pub fn fdt_node(
    fdt: &mut FdtWriter,
    region: Region,
    irq: u32,
    phandles: Phandles,
) -> FdtWriterResult<()> {
    fdt::plic_device_node(fdt, "serial", "ns16550a", region, irq, phandles, |fdt| {
        fdt.property_u32("clock-frequency", CLOCK_FREQUENCY)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::BufferConsole;

    #[test]
    fn transmits_and_receives() {
        let mut u = Uart16550::new();
        let mut c = BufferConsole::new();
        for b in b"hi" {
            u.write(0, AccessSize::Byte, u64::from(*b));
        }
        c.input.extend(b"ok");
        u.exchange(&mut c);
        assert_eq!(c.output, b"hi");
        assert_eq!(low_u8(u.read(LSR, AccessSize::Byte)) & LSR_DR, LSR_DR);
        // Without the FIFO the UART holds one byte; the next waits in the console.
        assert_eq!(u.read(0, AccessSize::Byte), u64::from(b'o'));
        assert_eq!(low_u8(u.read(LSR, AccessSize::Byte)) & LSR_DR, 0);
        u.exchange(&mut c);
        assert_eq!(u.read(0, AccessSize::Byte), u64::from(b'k'));
    }

    #[test]
    fn interrupts_follow_ier_and_iir() {
        let mut u = Uart16550::new();
        u.write(IIR_FCR, AccessSize::Byte, 0x01); // FIFO on, trigger 1
        assert!(!u.interrupt_pending());
        u.write(IER_DLM, AccessSize::Byte, u64::from(IER_THRI));
        assert!(u.interrupt_pending(), "THR empty fires when enabled");
        assert_eq!(
            low_u8(u.read(IIR_FCR, AccessSize::Byte)),
            IIR_THRE | IIR_FIFO_ENABLED
        );
        assert!(!u.interrupt_pending(), "reading IIR cleared it");
        u.write(IER_DLM, AccessSize::Byte, u64::from(IER_THRI | IER_RDI));
        u.receive(b'x');
        assert_eq!(low_u8(u.read(IIR_FCR, AccessSize::Byte)) & 0x0f, IIR_RDA);
        u.read(0, AccessSize::Byte);
        assert!(!u.interrupt_pending());
    }

    #[test]
    fn requests_follow_the_events_that_set_conditions() {
        let requested = |u: &mut Uart16550| u.take_irq().requested;
        let mut u = Uart16550::new();
        u.write(IIR_FCR, AccessSize::Byte, 0x07); // FIFO on and cleared, trigger 1
        u.write(IER_DLM, AccessSize::Byte, u64::from(IER_THRI | IER_RDI));
        assert!(requested(&mut u), "enabling THRI with THR empty");
        u.write(0, AccessSize::Byte, u64::from(b'a'));
        assert!(requested(&mut u), "THR written and emptied again");
        // xv6's interrupt handler: LSR polled, no data, nothing to send.
        u.read(LSR, AccessSize::Byte);
        assert!(u.interrupt_pending(), "THRE stays asserted");
        assert!(!requested(&mut u), "but an LSR poll requests nothing");
        // Loopback: three bytes in the FIFO, read one per interrupt.
        u.read(IIR_FCR, AccessSize::Byte);
        u.write(IER_DLM, AccessSize::Byte, u64::from(IER_RDI));
        u.write(MCR, AccessSize::Byte, u64::from(MCR_LOOP));
        for b in b"xyz" {
            u.write(0, AccessSize::Byte, u64::from(*b));
        }
        assert!(requested(&mut u));
        assert_eq!(u.read(0, AccessSize::Byte), u64::from(b'x'));
        assert!(requested(&mut u), "RBR read with more data waiting");
        u.read(0, AccessSize::Byte);
        assert!(requested(&mut u));
        u.read(0, AccessSize::Byte);
        let last = u.take_irq();
        assert!(!last.high && !last.requested, "FIFO empty: line low");
    }

    #[test]
    fn divisor_latch_and_loopback() {
        let mut u = Uart16550::new();
        u.write(LCR, AccessSize::Byte, 0x80);
        u.write(0, AccessSize::Byte, 3);
        u.write(1, AccessSize::Byte, 0);
        assert_eq!(u.read(0, AccessSize::Byte), 3);
        u.write(LCR, AccessSize::Byte, 0x03);
        u.write(MCR, AccessSize::Byte, u64::from(MCR_LOOP));
        u.write(0, AccessSize::Byte, u64::from(b'z'));
        assert_eq!(u.read(0, AccessSize::Byte), u64::from(b'z'));
        assert!(u.tx.is_empty(), "loopback sends nothing out");
    }
}
