//! rivet-core as a debugger sees it: a breakpoint that patches no memory,
//! a watchpoint on one word of an array, and memory read through the
//! hart's eyes. The program fills an array with squares; the watchpoint
//! reports the one store to `squares[3]`, after it happened.
//!
//! Run with `cargo run -p rivet-core --example watch`.

use rivet_core::bus::EmptyBus;
use rivet_core::debug::{DebugEvent, WatchKind, Watchpoint};
use rivet_core::{disassemble, Hart, Memory, PhysAddr, StopReason, XReg};

const BASE: u64 = 0x8000_0000;
const SQUARES: u64 = BASE + 0x800;

fn main() -> Result<(), rivet_core::Error> {
    // for (t0 = 0; t0 != 8; t0++) squares[t0] = t0 * t0;   (a1 = squares)
    let program: [u32; 8] = [
        0x0000_0293, // addi t0, zero, 0
        0x0080_0393, // addi t2, zero, 8
        0x0252_8333, // mul  t1, t0, t0
        0x0065_b023, // sd   t1, 0(a1)
        0x0085_8593, // addi a1, a1, 8
        0x0012_8293, // addi t0, t0, 1
        0xfe72_98e3, // bne  t0, t2, -16
        0x0000_006f, // j .  (done)
    ];
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x1000)?;
    for (i, word) in program.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *word)?;
    }
    let mut hart = Hart::new(0);
    hart.set_pc(BASE);
    hart.set_x(XReg::A1, SQUARES);

    // Stop before the loop's end test, once; and on the store to squares[3].
    let done = BASE + 28;
    hart.insert_breakpoint(done);
    hart.insert_watchpoint(Watchpoint {
        addr: SQUARES + 3 * 8,
        len: 8,
        kind: WatchKind::Write,
    });

    let mut hits = Vec::new();
    loop {
        let outcome = hart.run(&mut mem, &mut EmptyBus, 1000);
        match outcome.stop {
            StopReason::Debug(DebugEvent::Watchpoint { addr, .. }) => {
                let mut bytes = [0u8; 8];
                hart.debug_read(&mem, &EmptyBus, addr, &mut bytes);
                let value = u64::from_le_bytes(bytes);
                // The store has executed: pc is past it.
                let store = hart.pc() - 4;
                let bits = mem.read_u32(PhysAddr::new(store))?;
                println!(
                    "watchpoint: {} at {store:#x} wrote {value} to {addr:#x}",
                    disassemble(bits, store)
                );
                hits.push((addr, value));
            }
            StopReason::Debug(DebugEvent::Breakpoint { pc }) => {
                println!("breakpoint at {pc:#x}: the loop is done");
                break;
            }
            _ => {}
        }
    }
    let mut row = [0u8; 64];
    hart.debug_read(&mem, &EmptyBus, SQUARES, &mut row);
    let squares: Vec<u64> = row
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
        .collect();
    println!("squares: {squares:?}");
    assert_eq!(hits, [(SQUARES + 24, 9)]);
    assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49]);
    // The breakpoint patched nothing: the code reads as it was written.
    assert_eq!(mem.read_u32(PhysAddr::new(done))?, 0x0000_006f);
    Ok(())
}

#[test]
fn the_example_runs() {
    main().expect("the example runs to its end");
}
