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

/// `lr.d t0, (a1)`
const LR_D: u32 = 0x1005_b2af;
/// `addi t0, t0, 1`
const INC_T0: u32 = 0x0012_8293;
/// `sc.d t1, t0, (a1)`
const SC_D: u32 = 0x1855_b32f;
/// `addi a2, a2, -1`
const DEC_A2: u32 = 0xfff6_0613;

/// `bne rs1, x0, offset`
fn bnez(rs1: u32, offset: i32) -> u32 {
    let imm = offset as u32;
    (imm >> 12 & 1) << 31
        | (imm >> 5 & 0x3f) << 25
        | rs1 << 15
        | 1 << 12
        | (imm >> 1 & 15) << 8
        | (imm >> 11 & 1) << 7
        | 0x63
}

/// a2 times: increment the doubleword at a1 with LR/SC; then halt.
fn lr_sc_counter() -> Vec<u32> {
    vec![
        LR_D,
        INC_T0,
        SC_D,
        bnez(6, -12),
        DEC_A2,
        bnez(12, -20),
        HALT,
    ]
}

#[test]
fn an_sc_under_a_watchpoint_keeps_its_reservation_and_succeeds() {
    let (mut hart, mut mem) = setup(&lr_sc_counter());
    hart.set_x(XReg::A2, 3);
    hart.insert_watchpoint(Watchpoint {
        addr: DATA,
        len: 8,
        kind: WatchKind::Write,
    });
    let mut stops = 0;
    while hart.pc() != BASE + 24 && stops < 100 {
        let out = hart.run(&mut mem, &mut EmptyBus, 1000);
        if let StopReason::Debug(DebugEvent::Watchpoint { .. }) = out.stop {
            stops += 1;
        }
    }
    // Three SCs, each reported once, each succeeding the first time.
    assert_eq!(stops, 3);
    assert_eq!(mem.read_u64(PhysAddr::new(DATA)).unwrap(), 3);
}

#[test]
fn a_debuggers_step_reports_the_watchpoint_it_hits() {
    let (mut hart, mut mem) = setup(&[INC_A0, SD_A0_A1, HALT]);
    hart.insert_watchpoint(Watchpoint {
        addr: DATA,
        len: 8,
        kind: WatchKind::Access,
    });
    assert_eq!(
        hart.debug_step(&mut mem, &mut EmptyBus).stop,
        StopReason::Budget
    );
    let out = hart.debug_step(&mut mem, &mut EmptyBus);
    assert_eq!(
        out.stop,
        StopReason::Debug(DebugEvent::Watchpoint {
            addr: DATA,
            kind: WatchKind::Access
        })
    );
    assert_eq!((out.retired, hart.pc()), (1, BASE + 8));
    assert_eq!(mem.read_u64(PhysAddr::new(DATA)).unwrap(), 1);
}

mod machine {
    use rivet_core::bus::EmptyBus;
    use rivet_core::machine::{ExitReason, Machine};
    use rivet_core::{Memory, PhysAddr, TimeSource, Timebase, XReg};

    use super::{lr_sc_counter, BASE, DATA};

    #[test]
    fn a_breakpoint_between_lr_and_sc_does_not_break_the_loop_on_two_harts() {
        let mut mem = Memory::new(PhysAddr::new(BASE), 0x4000).unwrap();
        for (i, word) in lr_sc_counter().iter().enumerate() {
            mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *word)
                .unwrap();
        }
        let timebase = Timebase::new(TimeSource::Deterministic);
        let mut m = Machine::new(2, mem, EmptyBus, timebase);
        for h in m.harts.iter_mut() {
            h.set_pc(BASE);
            h.set_x(XReg::A1, DATA);
            h.set_x(XReg::A2, 100);
        }
        // A breakpoint on the SC: every iteration of both harts stops
        // between its LR and its SC, and is continued.
        m.insert_breakpoint(BASE + 8);
        let mut stops = 0;
        while m.harts.iter().any(|h| h.pc() != BASE + 24) && stops < 10_000 {
            match m.run(Some(m.retired() + 100_000)) {
                ExitReason::Debug { .. } => {
                    stops += 1;
                    // GDB steps over its breakpoint: without it, then back.
                    m.remove_breakpoint(BASE + 8);
                    let hart = (0..2).find(|&i| m.harts[i].pc() == BASE + 8).unwrap();
                    assert_eq!(m.step_hart(hart), None);
                    m.insert_breakpoint(BASE + 8);
                }
                ExitReason::InstructionLimit => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(m.memory.read_u64(PhysAddr::new(DATA)).unwrap(), 200);
        assert!(stops >= 200, "{stops} stops");
    }
}
