//! The run loop executes straight-line code in *runs* (see the decode
//! cache's documentation): several instructions back to back, without
//! checking the budget or control flow between them. Single-stepping never
//! uses runs (every `step` executes exactly one instruction), so it is an
//! independent oracle: running a program with one `run` call must leave
//! exactly the state that stepping it the same number of times leaves —
//! registers, `pc`, counters and memory — including when the program traps
//! in the middle of a run, or overwrites instructions of the run it is in.

use proptest::prelude::*;
use rivet_core::bus::EmptyBus;
use rivet_core::csr::addr;
use rivet_core::{Hart, Memory, PhysAddr, StopReason, XReg};

const BASE: u64 = 0x8000_0000;
const SIZE: u64 = 16 * 1024;
/// Where the trap handler (an `mret` past the faulting instruction) sits.
const HANDLER: u64 = BASE + 0x3000;

/// Registers x1-x4 hold pointers into RAM (code included), so that loads
/// and stores through them hit, and stores can overwrite code.
fn pointer(seed: u64) -> u64 {
    BASE + (seed % (SIZE - 64)) / 8 * 8
}

/// One instruction word of a kind that runs mix: ALU, loads and stores
/// (through x1-x4), short forward branches and jumps, and compressed
/// instructions; `r` supplies random bits.
fn instruction(kind: u8, r: u32) -> u32 {
    let rd = 5 + (r & 7); // x5-x12
    let rs1 = 5 + ((r >> 3) & 7);
    let rs2 = 5 + ((r >> 6) & 7);
    let base = 1 + ((r >> 9) & 3); // x1-x4
    let imm = (r >> 20) & 0xfff;
    let small = ((r >> 11) & 31) * 8; // aligned, small
    match kind % 14 {
        0 => imm << 20 | rs1 << 15 | rd << 7 | 0x13, // addi
        1 => rs2 << 20 | rs1 << 15 | rd << 7 | 0x33, // add
        // xor with funct7 0x20: illegal, so runs trap in the middle
        2 => 0x4000_0000 | rs2 << 20 | rs1 << 15 | 4 << 12 | rd << 7 | 0x33,
        3 => (imm & 31) << 20 | rs1 << 15 | 1 << 12 | rd << 7 | 0x1b, // slliw
        4 => small << 20 | base << 15 | 3 << 12 | rd << 7 | 0x03,     // ld
        5 => small << 20 | base << 15 | 2 << 12 | rd << 7 | 0x03,     // lw
        6 => (small >> 5) << 25 | rs2 << 20 | base << 15 | 3 << 12 | (small & 31) << 7 | 0x23, // sd
        7 => (small >> 5) << 25 | rs2 << 20 | base << 15 | 2 << 12 | (small & 31) << 7 | 0x23, // sw
        8 => r & 0xffff_f000 | rd << 7 | 0x17,                        // auipc
        9 => rs2 << 20 | rs1 << 15 | 1 << 12 | 4 << 8 | 0x63,         // bne +8
        10 => rs2 << 20 | rs1 << 15 | 1 << 25 | rd << 7 | 0x33,       // mul
        11 => {
            // beq backwards by 4-64 bytes: loops, re-entering runs
            let back = 4 * (1 + ((r >> 12) & 15));
            let imm = back.wrapping_neg();
            (imm >> 12 & 1) << 31
                | (imm >> 5 & 0x3f) << 25
                | rs2 << 20
                | rs1 << 15
                | (imm >> 1 & 15) << 8
                | (imm >> 11 & 1) << 7
                | 0x63
        }
        12 => (r & 0xf) << 22 | base << 15 | 1 << 7 | 0x67, // jalr ra, imm(x1-x4)
        _ => {
            // two c.addi (c.nop when rd is x0)
            let c_addi = |bits: u32| 0x0001 | (bits & 31) << 2 | (bits >> 5 & 15) << 7;
            c_addi(r) | c_addi(r >> 16) << 16
        }
    }
}

/// Memory with `words` at BASE, the trap handler at HANDLER, and a hart at
/// BASE with x1-x4 pointing into RAM.
fn machine(words: &[u32], seeds: &[u64; 4]) -> (Hart, Memory) {
    let mut mem = Memory::new(PhysAddr::new(BASE), SIZE).unwrap();
    for (i, w) in words.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *w)
            .unwrap();
    }
    // handler: csrr t0, mepc; addi t0, t0, 4; csrw mepc, t0; mret
    for (i, w) in [0x3410_22f3u32, 0x0042_8293, 0x3412_9073, 0x3020_0073]
        .iter()
        .enumerate()
    {
        mem.write_u32(PhysAddr::new(HANDLER + 4 * i as u64), *w)
            .unwrap();
    }
    let mut hart = Hart::new(0);
    for (k, seed) in seeds.iter().enumerate() {
        hart.set_x(
            XReg::new(u8::try_from(1 + k).unwrap()).unwrap(),
            pointer(*seed),
        );
    }
    hart.set_pc(BASE);
    hart.set_csr(addr::MTVEC, HANDLER).unwrap();
    (hart, mem)
}

/// Everything a program can change.
fn state(hart: &Hart, mem: &Memory) -> (u64, Vec<u64>, u64, Vec<u8>) {
    let regs = XReg::all().map(|r| hart.x(r)).collect();
    (hart.pc(), regs, hart.instret(), mem.as_slice().to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// One `run` of N instructions ends in the state N `step`s end in.
    #[test]
    fn running_equals_stepping(
        program in proptest::collection::vec((any::<u8>(), any::<u32>()), 16..400),
        seeds in any::<[u64; 4]>(),
        budget in 1u64..1500,
    ) {
        let words: Vec<u32> = program.iter().map(|(k, r)| instruction(*k, *r)).collect();
        let (mut run_hart, mut run_mem) = machine(&words, &seeds);
        let (mut step_hart, mut step_mem) = machine(&words, &seeds);
        // Each step executes one instruction or takes one trap, and so
        // spends one unit of a run's budget.
        let ran = run_hart.run(&mut run_mem, &mut EmptyBus, budget);
        prop_assert_eq!(ran.stop, StopReason::Budget);
        for _ in 0..budget {
            step_hart.step(&mut step_mem, &mut EmptyBus);
        }
        prop_assert_eq!(ran.retired, step_hart.instret(), "retired");
        prop_assert!(state(&run_hart, &run_mem) == state(&step_hart, &step_mem));
    }
}

/// A store in the middle of a run that overwrites a later instruction of
/// the same run: the new instruction runs, as it does when stepping.
#[test]
fn a_run_sees_its_own_stores_to_code() {
    // auipc x1, 0; lw x5, 24(x1); sw x5, 16(x1); addi x0,x0,0;
    // addi x6, x0, 1 (replaced by addi x6, x0, 2); jal x0, 0 (loop);
    // data: addi x6, x0, 2
    let words = [
        0x0000_0097,
        0x0180_a283,
        0x0050_a823,
        0x0000_0013,
        0x0010_0313,
        0x0000_006f,
        0x0020_0313,
    ];
    let (mut hart, mut mem) = machine(&words, &[0; 4]);
    hart.run(&mut mem, &mut EmptyBus, 6);
    assert_eq!(hart.x(XReg::new(6).unwrap()), 2);
    assert_eq!(hart.pc(), BASE + 20);
}

/// A jump to address 0 (single-stepped, through the general path): `0` is
/// a `pc` like any other, not a status.
#[test]
fn a_jump_to_address_zero_lands_there() {
    // c.jalr x31 (x31 = 0), then jalr x0, 0(x0)
    for word in [0x0000_9f82u32, 0x0000_0067] {
        let (mut hart, mut mem) = machine(&[word], &[0; 4]);
        let out = hart.step(&mut mem, &mut EmptyBus);
        assert_eq!((out.retired, hart.pc()), (1, 0), "{word:#x}");
    }
}

/// A loop of one run (a byte-wise `memset`) runs its passes back to back
/// inside the run loop: for every budget, including ones that end in the
/// middle of a pass, running ends where stepping ends.
#[test]
fn a_loop_of_one_run_ends_where_stepping_ends() {
    // addi x5, x0, 0; addi x6, x0, 50;
    // loop: sb x5, 0(x1); addi x1, x1, 1; addi x5, x5, 1; bne x5, x6, loop;
    // jal x0, 0
    let words = [
        0x0000_0293,
        0x0320_0313,
        0x0050_8023,
        0x0010_8093,
        0x0012_8293,
        0xfe62_9ae3,
        0x0000_006f,
    ];
    for budget in 1..=210 {
        let seeds = [0x1000; 4];
        let (mut run_hart, mut run_mem) = machine(&words, &seeds);
        let (mut step_hart, mut step_mem) = machine(&words, &seeds);
        run_hart.run(&mut run_mem, &mut EmptyBus, budget);
        for _ in 0..budget {
            step_hart.step(&mut step_mem, &mut EmptyBus);
        }
        assert!(
            state(&run_hart, &run_mem) == state(&step_hart, &step_mem),
            "budget {budget}"
        );
    }
}
