//! A debugger's view of a hart (`rivet_core::debug`): breakpoints stop
//! before the instruction, watchpoints after the access with its effects
//! exactly once, a debugger's single step holds interrupts off, and
//! debugger reads translate without touching accessed/dirty bits.

use rivet_core::bus::EmptyBus;
use rivet_core::csr::addr;
use rivet_core::debug::{DebugEvent, WatchKind, Watchpoint};
use rivet_core::{Hart, Memory, PhysAddr, Privilege, StopReason, XReg};

const BASE: u64 = 0x8000_0000;
const DATA: u64 = BASE + 0x800;

/// `addi a0, a0, 1`
const INC_A0: u32 = 0x0015_0513;
/// `sd a0, 0(a1)`
const SD_A0_A1: u32 = 0x00a5_b023;
/// `amoadd.d a2, a0, (a1)`
const AMOADD: u32 = 0x00a5_b62f;
/// `jal x0, 0` (a loop on itself)
const HALT: u32 = 0x0000_006f;

fn setup(program: &[u32]) -> (Hart, Memory) {
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x4000).unwrap();
    for (i, word) in program.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *word)
            .unwrap();
    }
    let mut hart = Hart::new(0);
    hart.set_pc(BASE);
    hart.set_x(XReg::A1, DATA);
    (hart, mem)
}

#[test]
fn a_breakpoint_stops_before_its_instruction_and_a_step_goes_past_it() {
    let (mut hart, mut mem) = setup(&[INC_A0, INC_A0, INC_A0, INC_A0, HALT]);
    assert!(hart.insert_breakpoint(BASE + 8));
    let out = hart.run(&mut mem, &mut EmptyBus, 1000);
    assert_eq!(
        out.stop,
        StopReason::Debug(DebugEvent::Breakpoint { pc: BASE + 8 })
    );
    assert_eq!((out.retired, hart.pc(), hart.x(XReg::A0)), (2, BASE + 8, 2));
    // Running again stops at once: the breakpoint is still there.
    let out = hart.run(&mut mem, &mut EmptyBus, 1000);
    assert_eq!((out.retired, hart.pc()), (0, BASE + 8));
    // A debugger's step executes it.
    let out = hart.debug_step(&mut mem, &mut EmptyBus);
    assert_eq!(
        (out.retired, hart.pc(), hart.x(XReg::A0)),
        (1, BASE + 12, 3)
    );
    assert!(hart.remove_breakpoint(BASE + 8));
    let out = hart.run(&mut mem, &mut EmptyBus, 100);
    assert_eq!(out.stop, StopReason::Budget);
    assert_eq!(hart.x(XReg::A0), 4);
}

#[test]
fn a_write_watchpoint_reports_after_the_store_which_happens_once() {
    // a0 = 1; a0 += 1 then amoadd: memory = 0 + a0 (2) once.
    let (mut hart, mut mem) = setup(&[INC_A0, INC_A0, AMOADD, SD_A0_A1, HALT]);
    let w = Watchpoint {
        addr: DATA + 4,
        len: 2,
        kind: WatchKind::Write,
    };
    assert!(hart.insert_watchpoint(w));
    let out = hart.run(&mut mem, &mut EmptyBus, 1000);
    assert_eq!(
        out.stop,
        StopReason::Debug(DebugEvent::Watchpoint {
            addr: DATA + 4,
            kind: WatchKind::Write
        })
    );
    // The AMO has executed, exactly once: pc past it, old value in a2.
    assert_eq!((out.retired, hart.pc()), (3, BASE + 12));
    assert_eq!(mem.read_u64(PhysAddr::new(DATA)).unwrap(), 2);
    assert_eq!(hart.x(XReg::A2), 0);
    assert_eq!(hart.instret(), 3);
    // The next store reports again, then the program runs on.
    let out = hart.run(&mut mem, &mut EmptyBus, 1000);
    assert!(matches!(
        out.stop,
        StopReason::Debug(DebugEvent::Watchpoint { .. })
    ));
    assert_eq!(hart.pc(), BASE + 16);
    hart.remove_watchpoint(w);
    assert_eq!(
        hart.run(&mut mem, &mut EmptyBus, 100).stop,
        StopReason::Budget
    );
}

#[test]
fn a_debuggers_step_holds_a_pending_interrupt_off() {
    let (mut hart, mut mem) = setup(&[INC_A0, INC_A0, HALT]);
    hart.set_csr(addr::MTVEC, BASE + 0x100).unwrap();
    hart.set_csr(addr::MIE, 1 << 7).unwrap();
    hart.set_csr(addr::MSTATUS, 1 << 3).unwrap();
    hart.set_interrupt_lines(1 << 7); // MTIP
    hart.debug_step(&mut mem, &mut EmptyBus);
    assert_eq!((hart.pc(), hart.x(XReg::A0)), (BASE + 4, 1));
    // An ordinary step takes it.
    hart.step(&mut mem, &mut EmptyBus);
    assert_eq!(hart.pc(), BASE + 0x100);
}

#[test]
fn debugger_reads_translate_without_setting_accessed_bits() {
    let (mut hart, mut mem) = setup(&[HALT]);
    // Sv39: root table at BASE + 0x1000; its entry 1 maps the gigapage at
    // virtual 0x4000_0000 to physical 0x8000_0000 (V R W X, A = D = 0).
    let root = BASE + 0x1000;
    let leaf = (BASE >> 12) << 10 | 0b1111;
    mem.write_u64(PhysAddr::new(root + 8), leaf).unwrap();
    hart.set_csr(addr::SATP, 8 << 60 | root >> 12).unwrap();
    hart.set_privilege(Privilege::Supervisor);
    mem.write_u64(PhysAddr::new(DATA), 0x1122_3344_5566_7788)
        .unwrap();
    assert_eq!(hart.debug_translate(&mem, 0x4000_0800), Some(DATA));
    assert_eq!(hart.debug_translate(&mem, 0x8000_0800), None);
    let mut buf = [0u8; 8];
    // PMP applies as to the hart: with entries implemented and none
    // matching, S-mode may read nothing (privileged spec, PMP).
    assert_eq!(hart.debug_read(&mem, &EmptyBus, 0x4000_0800, &mut buf), 0);
    // One NAPOT entry over everything, RWX, as firmware sets it.
    hart.set_csr(addr::PMPADDR0, u64::MAX >> 10).unwrap();
    hart.set_csr(addr::PMPCFG0, 0x1f).unwrap();
    assert_eq!(hart.debug_read(&mem, &EmptyBus, 0x4000_0800, &mut buf), 8);
    assert_eq!(u64::from_le_bytes(buf), 0x1122_3344_5566_7788);
    assert_eq!(hart.debug_write(&mut mem, 0x4000_0800, &[0xaa]), 1);
    assert_eq!(mem.read_u64(PhysAddr::new(DATA)).unwrap() & 0xff, 0xaa);
    // The leaf is as it was: no A or D bit set by the debugger.
    assert_eq!(mem.read_u64(PhysAddr::new(root + 8)).unwrap(), leaf);
}
