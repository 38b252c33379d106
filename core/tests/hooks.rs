//! The embedding program's hooks (`rivet_core::hooks`): each sees what it
//! names, in order, with the values the program computes, and can skip or
//! stop; `run_to` stops at an address; a machine reports a hook's stop.

use std::sync::{Arc, Mutex};

use rivet_core::bus::EmptyBus;
use rivet_core::csr::addr;
use rivet_core::hooks::{AccessKind, HookAction, MemoryAccess};
use rivet_core::machine::{ExitReason, Machine};
use rivet_core::{
    Cause, Exception, Hart, Memory, PhysAddr, StopReason, TimeSource, Timebase, XReg,
};

const BASE: u64 = 0x8000_0000;
const DATA: u64 = BASE + 0x800;
const HALT: u64 = BASE + 0x2c;

/// Three passes of a loop that counts in `a0` and stores it, then a load,
/// an AMO, a byte store and an `ecall` (to the trap handler at `HALT`, a
/// jump to itself). Assembled by binutils from:
///
/// ```text
///  0: addi t0,zero,3        18: lw a2,0(a1)
///  4: addi a0,zero,0        1c: amoadd.w a3,a0,(a1)
///  8: addi a0,a0,1          20: sb a0,7(a1)
///  c: sd a0,0(a1)           24: ecall
/// 10: addi t0,t0,-1         28: addi a4,zero,7
/// 14: bne t0,zero,8         2c: jal zero,2c
/// ```
const PROGRAM: [u32; 12] = [
    0x0030_0293,
    0x0000_0513,
    0x0015_0513,
    0x00a5_b023,
    0xfff2_8293,
    0xfe02_9ae3,
    0x0005_a603,
    0x00a5_a6af,
    0x00a5_83a3,
    0x0000_0073,
    0x0070_0713,
    0x0000_006f,
];

/// Instructions up to and including the `ecall`.
const TO_ECALL: u64 = 18;

fn setup() -> (Hart, Memory) {
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x1000).unwrap();
    for (i, word) in PROGRAM.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *word)
            .unwrap();
    }
    let mut hart = Hart::new(0);
    hart.set_pc(BASE);
    hart.set_x(XReg::A1, DATA);
    hart.set_csr(addr::MTVEC, HALT).unwrap();
    (hart, mem)
}

/// A log a hook can fill (hooks are `Send`).
type Log<T> = Arc<Mutex<Vec<T>>>;

/// A log, twice: one for the test, one to move into a hook.
fn log<T>() -> (Log<T>, Log<T>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    (Arc::clone(&log), log)
}

#[test]
fn the_instruction_hook_sees_every_instruction_before_it_runs() {
    let (mut hart, mut mem) = setup();
    let (seen, writer) = log();
    hart.set_instruction_hook(move |hart, _, event| {
        assert_eq!(hart.pc(), event.pc);
        writer
            .lock()
            .unwrap()
            .push((event.pc - BASE, event.disassembly()));
        HookAction::Continue
    });
    let out = hart.run(&mut mem, &mut EmptyBus, TO_ECALL + 1);
    assert_eq!(out.retired, TO_ECALL);
    let seen = seen.lock().unwrap();
    let pcs: Vec<u64> = seen.iter().map(|(pc, _)| *pc).collect();
    assert_eq!(
        pcs,
        [
            0, 4, 8, 0xc, 0x10, 0x14, 8, 0xc, 0x10, 0x14, 8, 0xc, 0x10, 0x14, 0x18, 0x1c, 0x20,
            0x24, 0x2c
        ]
    );
    assert_eq!(seen[0].1, "li t0,3");
    assert_eq!(seen[5].1, format!("bnez t0,{:x}", BASE + 8));
    assert_eq!(seen[17].1, "ecall");
    // The program ran as without the hook.
    assert_eq!((hart.x(XReg::A0), hart.x(XReg::A3)), (3, 3));
    assert_eq!(hart.csr(addr::MCAUSE), Ok(11));
}

#[test]
fn an_instruction_hook_skips_and_stops() {
    let (mut hart, mut mem) = setup();
    // Skip every `sd`, and stop before the `lw`.
    hart.set_instruction_hook(|_, _, event| match event.pc - BASE {
        0xc => HookAction::Skip,
        0x18 => HookAction::Stop,
        _ => HookAction::Continue,
    });
    let out = hart.run(&mut mem, &mut EmptyBus, 1000);
    assert_eq!(out.stop, StopReason::Hook);
    // 14 instructions before the `lw`, 3 of them skipped.
    assert_eq!(out.retired, 11);
    assert_eq!(hart.pc(), BASE + 0x18);
    assert_eq!(mem.read_u64(PhysAddr::new(DATA)).unwrap(), 0, "no sd ran");
    assert_eq!(hart.x(XReg::A0), 3);
    // Without the hook the run goes on from there.
    hart.clear_instruction_hook();
    let out = hart.run(&mut mem, &mut EmptyBus, 4);
    assert_eq!(out.retired, 3);
    assert_eq!(hart.csr(addr::MCAUSE), Ok(11));
}

#[test]
fn the_block_hook_sees_where_straight_line_execution_starts() {
    let (mut hart, mut mem) = setup();
    let (seen, writer) = log();
    hart.set_block_hook(move |_, _, event| {
        writer.lock().unwrap().push(event.pc - BASE);
        HookAction::Continue
    });
    hart.run(&mut mem, &mut EmptyBus, TO_ECALL + 3);
    // The start, the two branches taken back to the loop, the trap, and
    // the handler's jumps to itself. The branch not taken stays in its block.
    assert_eq!(*seen.lock().unwrap(), [0, 8, 8, 0x2c, 0x2c, 0x2c]);
}

#[test]
fn the_memory_hook_sees_each_access_with_its_addresses_size_and_value() {
    let (mut hart, mut mem) = setup();
    let (seen, writer) = log();
    hart.set_memory_hook(move |_, access| {
        writer.lock().unwrap().push(*access);
        HookAction::Continue
    });
    hart.run(&mut mem, &mut EmptyBus, TO_ECALL);
    let access = |kind, vaddr, size, value| {
        MemoryAccess::new(kind, vaddr, PhysAddr::new(vaddr), size, value)
    };
    use AccessKind::{Load, Store};
    assert_eq!(
        *seen.lock().unwrap(),
        [
            access(Store, DATA, 8, 1),
            access(Store, DATA, 8, 2),
            access(Store, DATA, 8, 3),
            access(Load, DATA, 4, 3),
            // amoadd.w: reads 3, writes 3 + 3.
            access(Load, DATA, 4, 3),
            access(Store, DATA, 4, 6),
            // sb of a0 = 3: the low byte only.
            access(Store, DATA + 7, 1, 3),
        ]
    );
}

#[test]
fn a_memory_hook_stops_after_the_instruction() {
    let (mut hart, mut mem) = setup();
    hart.set_memory_hook(|_, access| {
        if access.kind == AccessKind::Store && access.value == 2 {
            HookAction::Stop
        } else {
            HookAction::Continue
        }
    });
    let out = hart.run(&mut mem, &mut EmptyBus, 1000);
    assert_eq!(out.stop, StopReason::Hook);
    // The second `sd` completed and retired; the run stopped after it.
    assert_eq!((out.retired, hart.pc()), (8, BASE + 0x10));
    assert_eq!(mem.read_u64(PhysAddr::new(DATA)).unwrap(), 2);
}

#[test]
fn a_trap_hook_can_emulate_ecall_instead_of_trapping() {
    let (mut hart, mut mem) = setup();
    let (seen, writer) = log();
    // A teaching tool's system call: a0 = 42, on past the `ecall`.
    hart.set_trap_hook(move |hart, _, trap| {
        writer.lock().unwrap().push(*trap);
        assert_eq!(
            hart.pc(),
            trap.epc,
            "the hook sees the hart before the trap"
        );
        hart.set_x(XReg::A0, 42);
        hart.set_pc(trap.epc + 4);
        HookAction::Skip
    });
    let out = hart.run(&mut mem, &mut EmptyBus, TO_ECALL + 1);
    // The ecall did not retire; the instruction after it did.
    assert_eq!(out.retired, TO_ECALL);
    assert_eq!((hart.x(XReg::A0), hart.x(XReg::A4)), (42, 7));
    assert_eq!(hart.pc(), HALT);
    assert_eq!(hart.csr(addr::MCAUSE), Ok(0), "no trap was taken");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].cause, Cause::Exception(Exception::EnvCallFromM));
    assert_eq!((seen[0].epc, seen[0].handler), (BASE + 0x24, HALT));
}

#[test]
fn a_trap_hook_stops_before_the_trap_and_continue_takes_it() {
    let (mut hart, mut mem) = setup();
    hart.set_trap_hook(|_, _, _| HookAction::Stop);
    let out = hart.run(&mut mem, &mut EmptyBus, 1000);
    assert_eq!(out.stop, StopReason::Hook);
    assert_eq!((out.retired, hart.pc()), (TO_ECALL - 1, BASE + 0x24));
    assert_eq!(hart.csr(addr::MCAUSE), Ok(0));
    hart.set_trap_hook(|_, _, _| HookAction::Continue);
    let out = hart.step(&mut mem, &mut EmptyBus);
    assert_eq!(out.stop, StopReason::Trap);
    assert_eq!((hart.pc(), hart.csr(addr::MCAUSE)), (HALT, Ok(11)));
}

#[test]
fn run_to_stops_before_an_address_and_goes_round_a_loop_once() {
    let (mut hart, mut mem) = setup();
    let out = hart.run_to(&mut mem, &mut EmptyBus, BASE + 8, 1000);
    assert_eq!(
        (out.stop, out.retired, hart.pc()),
        (StopReason::Reached, 2, BASE + 8)
    );
    // From the loop head to the loop head: one pass.
    let out = hart.run_to(&mut mem, &mut EmptyBus, BASE + 8, 1000);
    assert_eq!(
        (out.stop, out.retired, hart.x(XReg::A0)),
        (StopReason::Reached, 4, 1)
    );
    // Without run_to, nothing stops there.
    let out = hart.run(&mut mem, &mut EmptyBus, 1000);
    assert_eq!(out.stop, StopReason::Budget);
}

#[test]
fn a_machine_reports_a_hooks_stop_and_goes_on_from_it() {
    let (_, mut mem) = setup();
    let timebase = Timebase::new(TimeSource::Deterministic);
    mem.write_u32(PhysAddr::new(BASE + 0x2c), 0x0000_006f)
        .unwrap();
    let mut machine = Machine::new(1, mem, EmptyBus, timebase);
    let hart = &mut machine.harts[0];
    hart.set_pc(BASE);
    hart.set_x(XReg::A1, DATA);
    hart.set_csr(addr::MTVEC, HALT).unwrap();
    hart.set_instruction_hook(|_, _, event| {
        if event.pc == BASE + 0x18 {
            HookAction::Stop
        } else {
            HookAction::Continue
        }
    });
    assert_eq!(machine.run(Some(1000)), ExitReason::Hook { hart: 0 });
    assert_eq!(machine.harts[0].pc(), BASE + 0x18);
    machine.harts[0].clear_instruction_hook();
    assert_eq!(machine.run(Some(1000)), ExitReason::InstructionLimit);
    assert_eq!(machine.harts[0].csr(addr::MCAUSE), Ok(11));
}
