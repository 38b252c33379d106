//! rivet-core as a teaching tool: assemble a tiny program by hand, step it
//! one instruction at a time while printing each instruction and the
//! registers it changed, and watch the trap it ends with.
//!
//! Run with `cargo run -p rivet-core --example teach`.

use std::sync::{Arc, Mutex};

use rivet_core::bus::EmptyBus;
use rivet_core::hooks::HookAction;
use rivet_core::{disassemble, Cause, Hart, Memory, PhysAddr, StopReason, XReg};

fn main() -> Result<(), rivet_core::Error> {
    const BASE: u64 = 0x8000_0000;
    // Sum 1..=5 in a loop, then divide by zero (RISC-V does not trap on
    // that: the quotient is all ones), then execute ecall, which traps.
    let program: [u32; 8] = [
        0x0050_0293, // addi t0, zero, 5
        0x0000_0513, // addi a0, zero, 0
        0x0055_0533, // add  a0, a0, t0
        0xfff2_8293, // addi t0, t0, -1
        0xfe02_9ce3, // bne  t0, zero, -8
        0x0205_45b3, // div  a1, a0, zero
        0x0000_0073, // ecall
        0x0000_006f, // (the trap handler: loop forever)
    ];
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x1000)?;
    for (i, word) in program.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *word)?;
    }

    let mut hart = Hart::new(0);
    hart.set_pc(BASE);
    // mtvec: the last instruction is the trap handler.
    hart.set_csr(rivet_core::csr::addr::MTVEC, BASE + 28)?;
    // A trap hook sees each trap before it is taken, and lets it be taken.
    let traps = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&traps);
    hart.set_trap_hook(move |_hart, _mem, event| {
        if let Ok(mut seen) = seen.lock() {
            seen.push(*event);
        }
        HookAction::Continue
    });

    let mut bus = EmptyBus;
    for _ in 0..40 {
        let pc = hart.pc();
        let before: Vec<u64> = XReg::all().map(|r| hart.x(r)).collect();
        let bits = mem.read_u32(PhysAddr::new(pc))?;
        let outcome = hart.step(&mut mem, &mut bus);
        let changed: Vec<String> = XReg::all()
            .filter(|r| hart.x(*r) != before[r.index()])
            .map(|r| format!("{r} = {:#x}", hart.x(r)))
            .collect();
        println!(
            "{pc:#x}: {:<28} {}",
            disassemble(bits, pc),
            changed.join(", ")
        );
        if outcome.stop == StopReason::Trap {
            break;
        }
    }
    let traps = traps.lock().map(|t| t.clone()).unwrap_or_default();
    for event in &traps {
        println!(
            "trap: {} at {:#x}, {:?} -> {:?}, handler {:#x}",
            event.cause, event.epc, event.from, event.to, event.handler
        );
        assert_eq!(
            event.cause,
            Cause::Exception(rivet_core::Exception::EnvCallFromM)
        );
    }
    assert_eq!(hart.x(XReg::A0), 15);
    assert_eq!(
        hart.x(XReg::A1),
        u64::MAX,
        "division by zero gives all ones"
    );
    println!(
        "a0 = {} (1 + 2 + 3 + 4 + 5), a1 = {:#x}",
        hart.x(XReg::A0),
        hart.x(XReg::A1)
    );
    Ok(())
}

#[test]
fn the_example_runs() {
    main().expect("the example runs to its end");
}
