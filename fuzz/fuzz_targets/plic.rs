//! The PLIC's registers (`devices/src/plic.rs`): accesses of every size
//! at offsets throughout its 0x60_0000-byte range, and device lines
//! rising and falling, under either gateway.
//!
//! Input: one byte of setup (the gateway, the number of contexts), then
//! operations, each an opcode byte: 0 read (offset, size), 1 write
//! (offset, size, value), 2 a source's line (source, level, request),
//! 3 a claim (context), 4 a completion (context, source).
//! Checked: a claim returns 0 or a source that was pending, enabled for
//! the context and of a priority above its threshold, and no longer
//! pending afterwards; the context's eip line is up exactly when such a
//! source exists, as far as the registers show it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rivet_core::AccessSize;
use rivet_devices::irq::IrqSignal;
use rivet_devices::plic::{Gateway, Plic};
use rivet_devices::MmioDevice;
use rivet_fuzz::Input;

const SOURCES: u32 = 95;
const PENDING: u64 = 0x1000;
const ENABLE: u64 = 0x2000;
const CONTEXT: u64 = 0x20_0000;
const SIZE: u64 = 0x60_0000;

/// An offset: anywhere in the range, or (more often) near a register.
fn offset(input: &mut Input<'_>) -> u64 {
    let base = [0, PENDING, ENABLE, CONTEXT][usize::from(input.u8() & 3)];
    match input.u8() {
        0xff => u64::from(input.u32()) % SIZE,
        _ => base + u64::from(input.u16()) % 0x4000,
    }
}

fn word(plic: &mut Plic, offset: u64) -> u32 {
    u32::try_from(plic.read(offset, AccessSize::Word)).expect("a 32-bit register")
}

fn bit(words: &[u32; 3], s: u32) -> bool {
    words[(s / 32) as usize] >> (s % 32) & 1 != 0
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let setup = input.u8();
    let gateway = if setup & 1 != 0 {
        Gateway::Level
    } else {
        Gateway::Qemu
    };
    let contexts = 1 + usize::from(setup >> 1) % 8;
    let mut plic = Plic::new(SOURCES, contexts, gateway);
    while !input.is_empty() {
        match input.u8() % 5 {
            0 => {
                let offset = offset(&mut input);
                let size = input.size();
                let value = plic.read(offset, size);
                assert!(value <= u64::from(u32::MAX));
            }
            1 => {
                let offset = offset(&mut input);
                let size = input.size();
                plic.write(offset, size, input.u64());
            }
            2 => {
                let source = u32::from(input.u8() % 100);
                let flags = input.u8();
                let signal = IrqSignal {
                    high: flags & 1 != 0,
                    requested: flags & 3 == 3,
                };
                plic.signal(source, signal);
            }
            3 => {
                let c = usize::from(input.u8()) % contexts;
                let ctx = CONTEXT + 0x1000 * c as u64;
                let enable_at = ENABLE + 0x80 * c as u64;
                let pending: [u32; 3] =
                    std::array::from_fn(|w| word(&mut plic, PENDING + 4 * w as u64));
                let enabled: [u32; 3] =
                    std::array::from_fn(|w| word(&mut plic, enable_at + 4 * w as u64));
                let threshold = word(&mut plic, ctx);
                let eip = plic.context_pending(c);
                let s = word(&mut plic, ctx + 4);
                assert_eq!(eip, s != 0, "eip and the claim disagree");
                if s != 0 {
                    assert!(s <= SOURCES);
                    assert!(bit(&pending, s), "claimed {s}, which was not pending");
                    assert!(
                        bit(&enabled, s),
                        "claimed {s}, which context {c} has not enabled"
                    );
                    let priority = word(&mut plic, 4 * u64::from(s));
                    assert!(
                        priority > threshold,
                        "claimed {s} at priority {priority} <= {threshold}"
                    );
                    let after: [u32; 3] =
                        std::array::from_fn(|w| word(&mut plic, PENDING + 4 * w as u64));
                    assert!(!bit(&after, s), "{s} still pending after its claim");
                }
            }
            _ => {
                let c = u64::from(input.u8()) % contexts as u64;
                let source = u64::from(input.u8() % 100);
                plic.write(CONTEXT + 0x1000 * c + 4, AccessSize::Word, source);
            }
        }
    }
});
