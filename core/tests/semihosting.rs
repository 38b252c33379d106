//! The RISC-V semihosting trap sequence (`rivet_core::semihosting`): the
//! hart hands a call to its bus only when semihosting is on, the
//! `ebreak` is uncompressed between the two markers in one page, and the
//! mode may call; otherwise `ebreak` is a breakpoint exception. A
//! debugger's breakpoint on the `ebreak` wins.

use rivet_core::csr::addr;
use rivet_core::semihosting::{
    SemihostingGate, SemihostingOutcome, EBREAK, ENTRY_MARKER, EXIT_MARKER,
};
use rivet_core::{AccessSize, Bus, BusError, Hart, Memory, PhysAddr, Privilege, StopReason, XReg};

const BASE: u64 = 0x8000_0000;
/// The trap handler: a jump to itself.
const HANDLER: u64 = BASE + 0x2000;
/// `jal zero, 0`.
const LOOP: u32 = 0x0000_006f;
/// `addi a0, zero, 5`: the operation number.
const LI_A0_5: u32 = 0x0050_0513;

/// A bus that answers every semihosting call with `answer` and records
/// the calls (operation, parameter).
struct Host {
    answer: SemihostingOutcome,
    calls: Vec<(u64, u64)>,
}

impl Bus for Host {
    fn read(&mut self, addr: PhysAddr, _: AccessSize) -> Result<u64, BusError> {
        Err(BusError::Unmapped(addr))
    }

    fn write(&mut self, addr: PhysAddr, _: AccessSize, _: u64) -> Result<(), BusError> {
        Err(BusError::Unmapped(addr))
    }

    fn semihosting(&mut self, hart: &mut Hart, _: &mut Memory) -> Option<SemihostingOutcome> {
        self.calls
            .push((hart.semihosting_operation(), hart.semihosting_parameter()));
        Some(self.answer)
    }
}

fn host(answer: SemihostingOutcome) -> Host {
    Host {
        answer,
        calls: Vec::new(),
    }
}

/// RAM with `code` (32-bit words) at `at`, the handler loop at
/// `HANDLER`, and a hart at `at` with `a1` = 0x1234, traps to `HANDLER`.
fn machine(at: u64, code: &[u32], gate: SemihostingGate) -> (Hart, Memory) {
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x4000).unwrap();
    for (i, word) in code.iter().enumerate() {
        mem.write_u32(PhysAddr::new(at + 4 * i as u64), *word)
            .unwrap();
    }
    mem.write_u32(PhysAddr::new(HANDLER), LOOP).unwrap();
    let mut hart = Hart::new(0);
    hart.set_pc(at);
    hart.set_x(XReg::A1, 0x1234);
    hart.set_csr(addr::MTVEC, HANDLER).unwrap();
    hart.set_semihosting(gate);
    (hart, mem)
}

const ON: SemihostingGate = SemihostingGate {
    enabled: true,
    userspace: false,
};

/// The sequence, then a loop.
const CALL: [u32; 5] = [LI_A0_5, ENTRY_MARKER, EBREAK, EXIT_MARKER, LOOP];

#[test]
fn the_sequence_calls_the_host_and_goes_on_after_the_ebreak() {
    let (mut hart, mut mem) = machine(BASE, &CALL, ON);
    let mut bus = host(SemihostingOutcome::Return(42));
    let outcome = hart.run(&mut mem, &mut bus, 4);
    assert_eq!(bus.calls, [(5, 0x1234)]);
    assert_eq!(hart.x(XReg::A0), 42);
    // li, slli, ebreak, srai: all four retired; the loop is next.
    assert_eq!(outcome.retired, 4);
    assert_eq!(hart.pc(), BASE + 16);
    assert_eq!(hart.csr(addr::MCAUSE).unwrap(), 0);
}

/// A breakpoint exception at the `ebreak`: mcause 3, mepc the `ebreak`.
fn assert_breakpoint(hart: &Hart, ebreak: u64) {
    assert_eq!(hart.pc(), HANDLER);
    assert_eq!(hart.csr(addr::MCAUSE).unwrap(), 3);
    assert_eq!(hart.csr(addr::MEPC).unwrap(), ebreak);
}

#[test]
fn with_semihosting_off_the_ebreak_is_a_breakpoint() {
    let (mut hart, mut mem) = machine(BASE, &CALL, SemihostingGate::default());
    let mut bus = host(SemihostingOutcome::Return(42));
    hart.run(&mut mem, &mut bus, 3);
    assert!(bus.calls.is_empty());
    assert_breakpoint(&hart, BASE + 8);
}

#[test]
fn an_ebreak_without_both_markers_is_a_breakpoint() {
    // nop instead of the exit marker.
    let code = [LI_A0_5, ENTRY_MARKER, EBREAK, 0x0000_0013, LOOP];
    let (mut hart, mut mem) = machine(BASE, &code, ON);
    let mut bus = host(SemihostingOutcome::Return(42));
    hart.run(&mut mem, &mut bus, 3);
    assert!(bus.calls.is_empty());
    assert_breakpoint(&hart, BASE + 8);
}

#[test]
fn a_compressed_ebreak_is_a_breakpoint() {
    // slli; c.ebreak + c.nop; srai: the markers sit 4 bytes either side
    // of the c.ebreak, but it is not the uncompressed ebreak.
    let code = [LI_A0_5, ENTRY_MARKER, 0x0001_9002, EXIT_MARKER, LOOP];
    let (mut hart, mut mem) = machine(BASE, &code, ON);
    let mut bus = host(SemihostingOutcome::Return(42));
    hart.run(&mut mem, &mut bus, 3);
    assert!(bus.calls.is_empty());
    assert_breakpoint(&hart, BASE + 8);
}

#[test]
fn markers_in_another_page_do_not_count() {
    // The ebreak at the start of a page, its entry marker at the end of
    // the page before.
    let at = BASE + 0x1000 - 8;
    let (mut hart, mut mem) = machine(at, &CALL, ON);
    let mut bus = host(SemihostingOutcome::Return(42));
    hart.run(&mut mem, &mut bus, 3);
    assert!(bus.calls.is_empty());
    assert_breakpoint(&hart, BASE + 0x1000);
}

#[test]
fn user_mode_calls_only_with_userspace_on() {
    for userspace in [false, true] {
        let gate = SemihostingGate {
            enabled: true,
            userspace,
        };
        let (mut hart, mut mem) = machine(BASE, &CALL, gate);
        // U-mode may execute from RAM: PMP entry 0 grants everything.
        hart.set_csr(addr::PMPADDR0, u64::MAX >> 10).unwrap();
        hart.set_csr(addr::PMPCFG0, 0x1f).unwrap();
        hart.set_privilege(Privilege::User);
        let mut bus = host(SemihostingOutcome::Return(42));
        hart.run(&mut mem, &mut bus, 3);
        if userspace {
            assert_eq!(bus.calls, [(5, 0x1234)]);
            assert_eq!(hart.pc(), BASE + 12);
        } else {
            assert!(bus.calls.is_empty());
            assert_breakpoint(&hart, BASE + 8);
        }
    }
}

#[test]
fn a_stop_ends_the_run_after_the_ebreak() {
    let (mut hart, mut mem) = machine(BASE, &CALL, ON);
    let mut bus = host(SemihostingOutcome::Stop);
    let outcome = hart.run(&mut mem, &mut bus, 1000);
    assert_eq!(outcome.stop, StopReason::Semihosting);
    assert_eq!(outcome.retired, 3);
    assert_eq!(hart.pc(), BASE + 12);
    assert_eq!(bus.calls.len(), 1);
}

#[test]
fn a_retry_ends_the_run_at_the_ebreak_and_calls_again() {
    let (mut hart, mut mem) = machine(BASE, &CALL, ON);
    let mut bus = host(SemihostingOutcome::Retry);
    let outcome = hart.run(&mut mem, &mut bus, 1000);
    assert_eq!(outcome.stop, StopReason::Semihosting);
    // li and slli retired; the ebreak did not.
    assert_eq!((outcome.retired, outcome.trapped), (2, 1));
    assert_eq!(hart.pc(), BASE + 8);
    bus.answer = SemihostingOutcome::Return(7);
    hart.run(&mut mem, &mut bus, 2);
    assert_eq!(bus.calls.len(), 2);
    assert_eq!(hart.x(XReg::A0), 7);
    assert_eq!(hart.pc(), BASE + 16);
}

#[test]
fn a_debugger_breakpoint_on_the_ebreak_wins() {
    let (mut hart, mut mem) = machine(BASE, &CALL, ON);
    assert!(hart.insert_breakpoint(BASE + 8));
    let mut bus = host(SemihostingOutcome::Return(42));
    let outcome = hart.run(&mut mem, &mut bus, 1000);
    assert!(matches!(outcome.stop, StopReason::Debug(_)), "{outcome:?}");
    assert!(bus.calls.is_empty());
    assert_eq!(hart.pc(), BASE + 8);
}
