//! Spin detection (`rivet_core::spin`): a hart that waits in a loop for
//! memory only someone else can change gives up its budget early, and a
//! hart that makes progress, in integer or floating-point registers, never
//! does.

use rivet_core::bus::EmptyBus;
use rivet_core::csr::addr;
use rivet_core::spin::CHECK_INTERVAL;
use rivet_core::{FReg, Hart, Memory, PhysAddr, StopReason, XReg};

const BASE: u64 = 0x8000_0000;
const FLAG: u64 = BASE + 0x800;
const BUDGET: u64 = 20_000;

fn branch(funct3: u32, rs1: u32, rs2: u32, offset: i32) -> u32 {
    let imm = offset as u32;
    (imm >> 12 & 1) << 31
        | (imm >> 5 & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | funct3 << 12
        | (imm >> 1 & 15) << 8
        | (imm >> 11 & 1) << 7
        | 0x63
}

/// `jal x0, offset`
fn jump(offset: i32) -> u32 {
    let imm = offset as u32;
    (imm >> 20 & 1) << 31
        | (imm >> 1 & 0x3ff) << 21
        | (imm >> 11 & 1) << 20
        | (imm >> 12 & 0xff) << 12
        | 0x6f
}

/// A hart at `BASE` running `program`, with a1 = FLAG (which holds 0).
fn setup(program: &[u32], yield_on_spin: bool) -> (Hart, Memory) {
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x1000).unwrap();
    for (i, word) in program.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *word)
            .unwrap();
    }
    let mut hart = Hart::new(0);
    hart.set_pc(BASE);
    hart.set_x(XReg::A1, FLAG);
    hart.set_yield_on_spin(yield_on_spin);
    (hart, mem)
}

/// `loop: lw a0, 0(a1); beqz a0, loop; ebreak`: waits for the flag.
fn flag_wait() -> Vec<u32> {
    vec![0x0005_a503, branch(0, 10, 0, -4), 0x0010_0073]
}

#[test]
fn a_load_spin_yields_early_and_resumes() {
    let (mut hart, mut mem) = setup(&flag_wait(), true);
    let outcome = hart.run(&mut mem, &mut EmptyBus, BUDGET);
    assert_eq!(outcome.stop, StopReason::Spinning);
    // The third check point sees the state a third time.
    assert!(
        outcome.retired <= 3 * CHECK_INTERVAL + 2,
        "yielded after {} instructions",
        outcome.retired
    );
    // Still spinning at the next slice: recognised at its first check point.
    let outcome = hart.run(&mut mem, &mut EmptyBus, BUDGET);
    assert_eq!(outcome.stop, StopReason::Spinning);
    assert!(outcome.retired <= CHECK_INTERVAL + 2, "{}", outcome.retired);
    assert_eq!(hart.spin_yields(), 2);
    // Someone sets the flag: the loop ends.
    mem.write_u32(PhysAddr::new(FLAG), 1).unwrap();
    hart.set_stop_on_trap(true);
    let outcome = hart.run(&mut mem, &mut EmptyBus, BUDGET);
    assert_eq!(outcome.stop, StopReason::Trap, "reached the ebreak");
    assert_eq!(hart.x(XReg::A0), 1);
}

#[test]
fn without_yield_on_spin_the_budget_is_spent() {
    let (mut hart, mut mem) = setup(&flag_wait(), false);
    let outcome = hart.run(&mut mem, &mut EmptyBus, BUDGET);
    assert_eq!(outcome.stop, StopReason::Budget);
    assert_eq!(outcome.retired, BUDGET);
}

#[test]
fn integer_progress_is_not_a_spin() {
    // loop: addi a2, a2, 1; j loop
    let (mut hart, mut mem) = setup(&[0x0016_0613, jump(-4)], true);
    let outcome = hart.run(&mut mem, &mut EmptyBus, BUDGET);
    assert_eq!(outcome.stop, StopReason::Budget);
    assert_eq!(outcome.retired, BUDGET);
    assert_eq!(hart.x(XReg::A2), BUDGET / 2);
}

#[test]
fn floating_point_progress_is_not_a_spin() {
    // loop: fmul.d f1, f1, f2 (dynamic rounding); j loop
    let fmul = 0x09 << 25 | 2 << 20 | 1 << 15 | 7 << 12 | 1 << 7 | 0x53;
    let (mut hart, mut mem) = setup(&[fmul, jump(-4)], true);
    hart.set_csr(addr::MSTATUS, 1 << 13).unwrap(); // FS = Initial
    hart.set_f(FReg::new(1).unwrap(), 1.0f64.to_bits());
    hart.set_f(FReg::new(2).unwrap(), (1.0 + f64::EPSILON).to_bits());
    let outcome = hart.run(&mut mem, &mut EmptyBus, BUDGET);
    assert_eq!(outcome.stop, StopReason::Budget);
    assert_eq!(outcome.retired, BUDGET);
}
