//! rivet-core's hooks as a teaching tool uses them: a bare program makes
//! Linux-style system calls (`write`, `exit`) with `ecall`, and the tool
//! answers them from a trap hook instead of letting the hart trap, while an
//! instruction hook counts instructions by mnemonic, a block hook counts
//! blocks, and a memory hook lists the stores.
//!
//! Run with `cargo run -p rivet-core --example hooks`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use rivet_core::bus::EmptyBus;
use rivet_core::hooks::{AccessKind, HookAction};
use rivet_core::{Cause, Exception, Hart, Memory, PhysAddr, StopReason, XReg};

const BASE: u64 = 0x8000_0000;
/// Linux's system call numbers for RISC-V.
const SYS_WRITE: u64 = 64;
const SYS_EXIT: u64 = 93;
/// The most bytes one `write` takes (a larger one is a short write).
const MAX_WRITE: usize = 64 * 1024;

/// What the tool collects while the program runs.
#[derive(Default)]
struct Seen {
    output: Vec<u8>,
    exit_code: Option<u64>,
    mnemonics: BTreeMap<String, u64>,
    blocks: u64,
    stores: Vec<(u64, u64)>,
}

fn main() -> Result<(), rivet_core::Error> {
    // Three times: write(1, "hello\n", 6), then store the count down; then exit(0).
    let program: [u32; 13] = [
        0x0030_0413, //  0: addi s0, zero, 3
        0x0010_0513, //  4: addi a0, zero, 1
        0x0000_0597, //  8: auipc a1, 0
        0x02c5_8593, //  c: addi a1, a1, 44     (a1 = BASE + 0x34, the text)
        0x0060_0613, // 10: addi a2, zero, 6
        0x0400_0893, // 14: addi a7, zero, 64   (write)
        0x0000_0073, // 18: ecall
        0xfff4_0413, // 1c: addi s0, s0, -1
        0x0085_b423, // 20: sd s0, 8(a1)
        0xfe04_10e3, // 24: bne s0, zero, 4
        0x0000_0513, // 28: addi a0, zero, 0
        0x05d0_0893, // 2c: addi a7, zero, 93   (exit)
        0x0000_0073, // 30: ecall
    ];
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x1000)?;
    for (i, word) in program.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *word)?;
    }
    mem.write(PhysAddr::new(BASE + 0x34), b"hello\n")?;

    let mut hart = Hart::new(0);
    hart.set_pc(BASE);
    // Hooks are `Send` closures: they share what they see through a Mutex.
    let seen = Arc::new(Mutex::new(Seen::default()));

    // The system calls: answered here, so the `ecall` never traps.
    let calls = Arc::clone(&seen);
    hart.set_trap_hook(move |hart, mem, trap| {
        if trap.cause != Cause::Exception(Exception::EnvCallFromM) {
            return HookAction::Continue; // a real trap: let the hart take it
        }
        let Ok(mut seen) = calls.lock() else {
            return HookAction::Stop;
        };
        match hart.x(XReg::A7) {
            SYS_WRITE => {
                // The guest chooses the length: take at most MAX_WRITE.
                let len = usize::try_from(hart.x(XReg::A2)).map_or(MAX_WRITE, |n| n.min(MAX_WRITE));
                let mut text = vec![0; len];
                // Read through the hart's eyes (its translation, if any).
                let read = hart.debug_read(mem, &EmptyBus, hart.x(XReg::A1), &mut text);
                seen.output.extend_from_slice(&text[..read]);
                hart.set_x(XReg::A0, read as u64); // the call's result
                hart.set_pc(trap.epc + 4); // on past the ecall
                HookAction::Skip
            }
            SYS_EXIT => {
                seen.exit_code = Some(hart.x(XReg::A0));
                HookAction::Stop
            }
            _ => HookAction::Continue,
        }
    });

    let counts = Arc::clone(&seen);
    hart.set_instruction_hook(move |_, _, insn| {
        if let Ok(mut seen) = counts.lock() {
            let text = insn.disassembly();
            let mnemonic = text.split(' ').next().unwrap_or("").to_string();
            *seen.mnemonics.entry(mnemonic).or_default() += 1;
        }
        HookAction::Continue
    });

    let blocks = Arc::clone(&seen);
    hart.set_block_hook(move |_, _, _| {
        if let Ok(mut seen) = blocks.lock() {
            seen.blocks += 1;
        }
        HookAction::Continue
    });

    let stores = Arc::clone(&seen);
    hart.set_memory_hook(move |_, access| {
        if let (AccessKind::Store, Ok(mut seen)) = (access.kind, stores.lock()) {
            seen.stores.push((access.vaddr, access.value));
        }
        HookAction::Continue
    });

    let outcome = hart.run(&mut mem, &mut EmptyBus, 1000);
    assert_eq!(
        outcome.stop,
        StopReason::Hook,
        "the exit call stops the run"
    );

    let seen = seen
        .lock()
        .map_err(|_| rivet_core::Error::Elf("poisoned".into()))?;
    print!("{}", String::from_utf8_lossy(&seen.output));
    println!(
        "exit code {:?}, {} instructions retired",
        seen.exit_code, outcome.retired
    );
    for (mnemonic, count) in &seen.mnemonics {
        println!("{count:>4} {mnemonic}");
    }
    println!("{} blocks; stores: {:x?}", seen.blocks, seen.stores);

    assert_eq!(seen.output, b"hello\nhello\nhello\n");
    assert_eq!(seen.exit_code, Some(0));
    // 1, then 3 passes of 9 of which the skipped ecall does not retire,
    // then 2 (the exit ecall stopped the run before it).
    assert_eq!(outcome.retired, 1 + 3 * 8 + 2);
    assert_eq!(seen.mnemonics["ecall"], 4);
    // The start and the two branches taken back to the loop: the ecalls
    // the hook answered went on in sequence, so they end no block.
    assert_eq!(seen.blocks, 3);
    assert_eq!(
        seen.stores,
        [(BASE + 0x3c, 2), (BASE + 0x3c, 1), (BASE + 0x3c, 0)]
    );
    Ok(())
}

#[test]
fn the_example_runs() {
    main().expect("the example runs to its end");
}
