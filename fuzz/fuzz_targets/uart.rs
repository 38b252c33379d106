//! The 16550A UART's registers (`devices/src/uart.rs`): accesses of every
//! size at every offset, bytes arriving from the line, and exchanges with
//! the console, in the order the input gives.
//!
//! Input: operations, each an opcode byte: 0 read (offset, size),
//! 1 write (offset, size, value), 2 a byte received, 3 console exchange
//! (with a byte of input waiting), 4 the gateway looks at the line.
//! Checked: IIR reports an interrupt exactly while the line is high, the
//! line is updated whenever a condition changes (the UART's own debug
//! assertion, on every look), and output bytes reach the console in order.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rivet_core::AccessSize;
use rivet_devices::uart::Uart16550;
use rivet_devices::{BufferConsole, MmioDevice};
use rivet_fuzz::Input;

/// IIR/FCR.
const IIR: u64 = 2;
/// LCR, whose bit 7 (DLAB) turns offset 0 into the divisor latch.
const LCR: u64 = 3;
/// MCR, whose bit 4 is loopback.
const MCR: u64 = 4;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mut uart = Uart16550::new();
    let mut console = BufferConsole::new();
    // What the guest sent to the line (THR writes, not in loopback).
    let mut sent = Vec::new();
    while !input.is_empty() {
        match input.u8() % 5 {
            0 => {
                let offset = u64::from(input.u8() % 16);
                let size = input.size();
                let pending = uart.interrupt_pending();
                let value = uart.read(offset, size);
                assert!(value <= 0xff);
                if offset == IIR && size == AccessSize::Byte {
                    assert_eq!(
                        value & 1 == 0,
                        pending,
                        "IIR {value:#x} and the line disagree"
                    );
                }
            }
            1 => {
                let offset = u64::from(input.u8() % 16);
                let size = input.size();
                let value = input.u64();
                let lcr = uart.read(LCR, AccessSize::Byte);
                let mcr = uart.read(MCR, AccessSize::Byte);
                if offset == 0 && size == AccessSize::Byte && lcr & 0x80 == 0 && mcr & 0x10 == 0 {
                    sent.push(value.to_le_bytes()[0]);
                }
                uart.write(offset, size, value);
            }
            2 => uart.receive(input.u8()),
            3 => {
                console.input.push_back(input.u8());
                uart.exchange(&mut console);
            }
            _ => {
                let _ = uart.take_irq();
            }
        }
    }
    uart.exchange(&mut console);
    assert_eq!(console.output, sent);
});
