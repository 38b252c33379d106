//! Stepping back in time by clone-and-restore.
//!
//! A machine cannot run backwards, but it can be put back into a state it
//! was in and run forwards again: it is deterministic, so the same state
//! and the same inputs give the same steps. That is how a debugger's
//! "reverse step" works (GDB's record target, rr, QEMU's record/replay):
//!
//! 1. while running forwards, save a *checkpoint* every `K` instructions:
//!    the hart's state ([`Hart::snapshot`]) and memory's
//!    ([`Memory::snapshot`]);
//! 2. to go back to instruction `n`, restore the last checkpoint at or
//!    before `n` and run forwards the `n - checkpoint` instructions left
//!    (fewer than `K`).
//!
//! `K` trades memory for time: each checkpoint costs a copy of the used
//! RAM (see `rivet_core::snapshot`), and each step back replays up to `K`
//! instructions. Restoring drops everything the hart translated or decoded
//! since, so the replay executes what memory held *then*, even code that
//! was overwritten later.
//!
//! The program computes Fibonacci numbers into registers and a table in
//! memory. The example runs it forwards printing every instruction, then
//! steps back to an earlier instruction, then back one at a time, and
//! checks each time that registers and memory are exactly what they were.
//!
//! Run with `cargo run -p rivet-core --example step_back`.

use rivet_core::bus::EmptyBus;
use rivet_core::{disassemble, Hart, HartState, Memory, MemoryState, PhysAddr, XReg};

const BASE: u64 = 0x8000_0000;
/// Where the program writes its table of Fibonacci numbers.
const TABLE: u64 = BASE + 0x1000;

/// A saved moment: the instruction count it was taken at, and the state.
struct Checkpoint {
    at: u64,
    hart: HartState,
    memory: MemoryState,
}

/// A hart and its memory, run one instruction at a time, with a checkpoint
/// every `every` instructions so that it can step back.
struct Recorder {
    hart: Hart,
    mem: Memory,
    every: u64,
    checkpoints: Vec<Checkpoint>,
}

impl Recorder {
    fn new(hart: Hart, mem: Memory, every: u64) -> Self {
        let mut recorder = Recorder {
            hart,
            mem,
            every,
            checkpoints: Vec::new(),
        };
        recorder.checkpoint();
        recorder
    }

    /// Where the hart is: how many instructions it has retired.
    fn now(&self) -> u64 {
        self.hart.instret()
    }

    fn checkpoint(&mut self) {
        self.checkpoints.push(Checkpoint {
            at: self.now(),
            hart: self.hart.snapshot(),
            memory: self.mem.snapshot(),
        });
    }

    /// One instruction forwards; a checkpoint when one is due (unless we
    /// are replaying a stretch a checkpoint already covers).
    fn step(&mut self) {
        self.hart.step(&mut self.mem, &mut EmptyBus);
        let last = self.checkpoints.last().map_or(0, |c| c.at);
        if self.now() >= last + self.every {
            self.checkpoint();
        }
    }

    /// Goes to the moment `target` instructions in: back to the latest
    /// checkpoint at or before it, then forwards what is left.
    fn go_to(&mut self, target: u64) {
        let keep = self.checkpoints.partition_point(|c| c.at <= target);
        // Checkpoints after the target describe a future we may not take
        // again (a debugger could change a register first): forget them.
        self.checkpoints.truncate(keep.max(1));
        let checkpoint = self
            .checkpoints
            .last()
            .expect("the first checkpoint is kept");
        self.hart.restore(&checkpoint.hart);
        self.mem
            .restore(&checkpoint.memory)
            .expect("a snapshot of this very memory fits it");
        while self.now() < target {
            self.step();
        }
    }

    /// One instruction backwards.
    fn step_back(&mut self) {
        self.go_to(self.now().saturating_sub(1));
    }
}

/// The registers the program uses, as a line to print and a value to compare.
fn registers(hart: &Hart) -> (String, [u64; 5]) {
    let regs = [XReg::A0, XReg::A1, XReg::A2, XReg::A3, XReg::T0];
    let values = regs.map(|r| hart.x(r));
    let line = regs
        .iter()
        .zip(values)
        .map(|(r, v)| format!("{r}={v:<#6x}"))
        .collect::<Vec<_>>()
        .join(" ");
    (format!("pc={:#x} {line}", hart.pc()), values)
}

fn main() -> Result<(), rivet_core::Error> {
    // a0, a1: consecutive Fibonacci numbers; a2: n; a3: &table[n].
    let program: [u32; 11] = [
        0x0000_1697, // auipc a3, 1        (a3 = TABLE)
        0x0000_0513, // addi  a0, zero, 0
        0x0010_0593, // addi  a1, zero, 1
        0x0000_0613, // addi  a2, zero, 0
        0x00a6_b023, // loop: sd a0, 0(a3)
        0x00b5_02b3, // add   t0, a0, a1
        0x0005_8513, // addi  a0, a1, 0    (mv a0, a1)
        0x0002_8593, // addi  a1, t0, 0    (mv a1, t0)
        0x0086_8693, // addi  a3, a3, 8
        0x0016_0613, // addi  a2, a2, 1
        0xfe9f_f06f, // jal   zero, loop
    ];
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x2000)?;
    for (i, word) in program.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *word)?;
    }
    let mut hart = Hart::new(0);
    hart.set_pc(BASE);

    // Forwards, 40 instructions, a checkpoint every 8. `seen[n]` is what
    // the registers were after n instructions, to check the steps back.
    let mut rec = Recorder::new(hart, mem, 8);
    let mut seen = vec![registers(&rec.hart).1];
    println!("forwards:");
    while rec.now() < 40 {
        let pc = rec.hart.pc();
        let bits = rec.mem.read_u32(PhysAddr::new(pc))?;
        rec.step();
        let (line, values) = registers(&rec.hart);
        seen.push(values);
        println!("{:3} {:<24} {line}", rec.now(), disassemble(bits, pc));
    }
    let table_at_40 = rec.mem.read_u64(PhysAddr::new(TABLE + 8 * 5))?;
    println!(
        "{} checkpoints, at {:?}",
        rec.checkpoints.len(),
        rec.checkpoints.iter().map(|c| c.at).collect::<Vec<_>>()
    );

    // Back to instruction 19: restore the checkpoint at 16, replay 3.
    rec.go_to(19);
    let (line, values) = registers(&rec.hart);
    println!("\nback to 19: {line}");
    assert_eq!(values, seen[19]);
    // table[5] was written at instruction 4 + 7 * 5 + 1 = 40: not yet.
    assert_eq!(rec.mem.read_u64(PhysAddr::new(TABLE + 8 * 5))?, 0);
    assert_eq!(table_at_40, 5, "fib(5)");

    println!("and back one at a time:");
    for _ in 0..4 {
        rec.step_back();
        let (line, values) = registers(&rec.hart);
        println!("{:3} {line}", rec.now());
        assert_eq!(
            values,
            seen[usize::try_from(rec.now()).expect("a step count")]
        );
    }

    // Forwards again from there: the same path.
    rec.go_to(40);
    assert_eq!(registers(&rec.hart).1, seen[40]);
    assert_eq!(rec.mem.read_u64(PhysAddr::new(TABLE + 8 * 5))?, 5);
    println!("\nforwards to 40 again: {}", registers(&rec.hart).0);
    Ok(())
}

#[test]
fn the_example_runs() {
    main().expect("the example runs to its end");
}
