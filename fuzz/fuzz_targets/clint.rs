//! The CLINT's registers (`devices/src/clint.rs`): accesses of every size
//! at offsets throughout its 0x1_0000-byte range, on a deterministic
//! timebase that the input also advances.
//!
//! Input: one byte of setup (the number of harts), then operations, each
//! an opcode byte: 0 read (offset, size), 1 write (offset, size, value),
//! 2 time passes (ticks).
//! Checked after each: every hart's MSIP and MTIP lines are what its
//! `msip` and `mtimecmp` registers (read back as 64-bit values) and
//! `mtime` say, and the next deadline is the earliest `mtimecmp` set.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rivet_core::csr::irq::{MSI, MTI};
use rivet_core::{AccessSize, TimeSource, Timebase};
use rivet_devices::clint::Clint;
use rivet_devices::MmioDevice;
use rivet_fuzz::Input;

const MSIP: u64 = 0;
const MTIMECMP: u64 = 0x4000;
const MTIME: u64 = 0xbff8;
const SIZE: u64 = 0x1_0000;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let harts = 1 + usize::from(input.u8()) % 8;
    let timebase = Timebase::new(TimeSource::Deterministic);
    let mut clint = Clint::new(harts, timebase.clone());
    while !input.is_empty() {
        let op = input.u8();
        let offset = match input.u8() {
            0xff => u64::from(input.u16()) % SIZE,
            b => [MSIP, MTIMECMP, MTIME - 8, MTIME][usize::from(b & 3)] + u64::from(b >> 2),
        };
        match op % 3 {
            0 => {
                let size = input.size();
                let value = clint.read(offset, size);
                assert!(value <= size.mask());
            }
            1 => {
                let size = input.size();
                clint.write(offset, size, input.u64());
            }
            _ => timebase.advance(input.u64() >> (input.u8() % 64)),
        }
        let now = clint.read(MTIME, AccessSize::Double);
        assert_eq!(now, timebase.now());
        let mut earliest = None;
        for h in 0..harts {
            let msip = clint.read(MSIP + 4 * h as u64, AccessSize::Word);
            let cmp = clint.read(MTIMECMP + 8 * h as u64, AccessSize::Double);
            let lines = clint.lines(h);
            assert_eq!(lines & MSI != 0, msip & 1 != 0, "hart {h}: MSIP");
            assert_eq!(
                lines & MTI != 0,
                now >= cmp,
                "hart {h}: MTIP at {now} for {cmp}"
            );
            if cmp != u64::MAX {
                earliest = Some(earliest.map_or(cmp, |e: u64| e.min(cmp)));
            }
        }
        assert_eq!(clint.next_deadline(), earliest);
    }
});
