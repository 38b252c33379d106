//! Machine state that can be moved between threads, saved and restored
//! (`rivet_core::snapshot`): running again from a restored snapshot does
//! exactly what the first run from there did, with nothing decoded or
//! translated before the restore used after it (self-modifying code, a
//! `satp` change), and the state crosses threads.

use rivet_core::bus::EmptyBus;
use rivet_core::csr::addr;
use rivet_core::machine::{ExitReason, Machine};
use rivet_core::{Hart, Memory, PhysAddr, Privilege, TimeSource, Timebase, XReg};

fn assert_send<T: Send>() {}

/// `Hart`, `Memory` and a `Machine` on a `Send` platform can move to
/// another thread (checked when the test compiles).
#[test]
fn state_is_send() {
    assert_send::<Hart>();
    assert_send::<Memory>();
    assert_send::<Machine<EmptyBus>>();
}

const BASE: u64 = 0x8000_0000;
const RAM: u64 = 0x1_0000;

// ----- a tiny assembler: the encodings of the few instructions used here -----

const ZERO: u32 = 0;
const RA: u32 = 1;
const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const S0: u32 = 8;
const S1: u32 = 9;
const A0: u32 = 10;
const A1: u32 = 11;
const A2: u32 = 12;
const A3: u32 = 13;
const S2: u32 = 18;
const S3: u32 = 19;
const T3: u32 = 28;
const T4: u32 = 29;

fn i_type(op: u32, f3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
    (imm as u32 & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}

fn r_type(f7: u32, f3: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x33
}

fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
    i_type(0x13, 0, rd, rs1, imm)
}

fn andi(rd: u32, rs1: u32, imm: i32) -> u32 {
    i_type(0x13, 7, rd, rs1, imm)
}

fn add(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r_type(0, 0, rd, rs1, rs2)
}

fn mul(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r_type(1, 0, rd, rs1, rs2)
}

fn ld(rd: u32, rs1: u32, imm: i32) -> u32 {
    i_type(0x03, 3, rd, rs1, imm)
}

fn store(f3: u32, rs2: u32, rs1: u32, imm: i32) -> u32 {
    let imm = imm as u32;
    (imm >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7 | 0x23
}

fn sd(rs2: u32, rs1: u32, imm: i32) -> u32 {
    store(3, rs2, rs1, imm)
}

fn sw(rs2: u32, rs1: u32, imm: i32) -> u32 {
    store(2, rs2, rs1, imm)
}

fn bne(rs1: u32, rs2: u32, offset: i32) -> u32 {
    let imm = offset as u32;
    (imm >> 12 & 1) << 31
        | (imm >> 5 & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | 1 << 12
        | (imm >> 1 & 15) << 8
        | (imm >> 11 & 1) << 7
        | 0x63
}

fn jal(rd: u32, offset: i32) -> u32 {
    let imm = offset as u32;
    (imm >> 20 & 1) << 31
        | (imm >> 1 & 0x3ff) << 21
        | (imm >> 11 & 1) << 20
        | (imm >> 12 & 0xff) << 12
        | rd << 7
        | 0x6f
}

fn jalr(rd: u32, rs1: u32, imm: i32) -> u32 {
    i_type(0x67, 0, rd, rs1, imm)
}

fn lr_d(rd: u32, rs1: u32) -> u32 {
    0b00010 << 27 | rs1 << 15 | 3 << 12 | rd << 7 | 0x2f
}

fn sc_d(rd: u32, rs2: u32, rs1: u32) -> u32 {
    0b00011 << 27 | rs2 << 20 | rs1 << 15 | 3 << 12 | rd << 7 | 0x2f
}

fn csrrw(rd: u32, csr: u16, rs1: u32) -> u32 {
    u32::from(csr) << 20 | rs1 << 15 | 1 << 12 | rd << 7 | 0x73
}

fn csrr(rd: u32, csr: u16) -> u32 {
    u32::from(csr) << 20 | 2 << 12 | rd << 7 | 0x73
}

const SFENCE_VMA: u32 = 0x1200_0073;

fn load(mem: &mut Memory, at: u64, words: &[u32]) {
    for (i, word) in words.iter().enumerate() {
        mem.write_u32(PhysAddr::new(at + 4 * i as u64), *word)
            .unwrap();
    }
}

// ----- what is compared -----

/// Everything a run can change: registers, `pc`, privilege, counters, RAM.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    x: Vec<u64>,
    pc: u64,
    privilege: Privilege,
    instret: u64,
    satp: u64,
    ram: Vec<u8>,
}

fn observe(hart: &Hart, mem: &Memory) -> Observed {
    Observed {
        x: XReg::all().map(|r| hart.x(r)).collect(),
        pc: hart.pc(),
        privilege: hart.privilege(),
        instret: hart.instret(),
        satp: hart.csr(addr::SATP).unwrap(),
        ram: mem.as_slice().to_vec(),
    }
}

/// Where the loop of `busy_loop` keeps its array and its counter.
const ARRAY: u64 = BASE + 0x2000;
const COUNTER: u64 = BASE + 0x3000;

/// A loop of arithmetic, stores into an array, an LR/SC increment of a
/// shared counter and branches; with `time`, it also adds `time` in.
fn busy_loop(time: bool) -> Vec<u32> {
    let mut words = vec![
        addi(A0, A0, 3),
        mul(A2, A0, A0),
        add(A3, S0, A1),
        sd(A2, A3, 0),
        lr_d(T0, S1),
        add(T0, T0, A0),
        sc_d(T1, T0, S1),
        bne(T1, ZERO, -12),
        addi(A1, A1, 8),
        andi(A1, A1, 0x7f8),
    ];
    if time {
        words.push(csrr(T4, 0xc01));
        words.push(add(A2, A2, T4));
    }
    let back = -4 * i32::try_from(words.len()).unwrap();
    words.push(jal(ZERO, back));
    words
}

fn busy_hart_and_memory() -> (Hart, Memory) {
    let mut mem = Memory::new(PhysAddr::new(BASE), RAM).unwrap();
    load(&mut mem, BASE, &busy_loop(false));
    let mut hart = Hart::new(0);
    hart.set_pc(BASE);
    hart.set_x(XReg::S0, ARRAY);
    hart.set_x(XReg::S1, COUNTER);
    (hart, mem)
}

#[test]
fn running_again_from_a_restored_snapshot_does_the_same() {
    // Snapshots at every point of the first passes of the loop (between
    // LR and SC among them) and a few later.
    for n in (0..40).chain([1000, 12_345]) {
        let (mut hart, mut mem) = busy_hart_and_memory();
        hart.run(&mut mem, &mut EmptyBus, n);
        let (saved_hart, saved_mem) = (hart.snapshot(), mem.snapshot());
        assert_eq!(saved_hart.pc(), hart.pc());
        assert_eq!(saved_hart.instret(), n);
        let at_snapshot = observe(&hart, &mem);
        for m in [1, 7, 100, 5000] {
            hart.restore(&saved_hart);
            mem.restore(&saved_mem).unwrap();
            assert_eq!(observe(&hart, &mem), at_snapshot, "restored at {n}");
            assert_eq!(mem.decoded_pages(), 0);
            hart.run(&mut mem, &mut EmptyBus, m);
            let first = observe(&hart, &mem);
            assert_ne!(first, at_snapshot);
            hart.restore(&saved_hart);
            mem.restore(&saved_mem).unwrap();
            hart.run(&mut mem, &mut EmptyBus, m);
            assert_eq!(observe(&hart, &mem), first, "{m} after {n}");
        }
    }
}

#[test]
fn a_restore_brings_back_overwritten_code_not_its_decoded_successor() {
    let (plus_1, plus_100) = (addi(A0, A0, 1), addi(A0, A0, 100));
    let mut mem = Memory::new(PhysAddr::new(BASE), RAM).unwrap();
    // On its first pass the loop rewrites its first instruction into
    // `plus_100` (the store through t0), then points t0 elsewhere (another
    // page), so the rewritten instruction stays decoded.
    load(
        &mut mem,
        BASE,
        &[
            plus_1,
            sw(T1, T0, 0),
            add(T0, T2, ZERO),
            addi(A1, A1, 1),
            jal(ZERO, -16),
        ],
    );
    let mut hart = Hart::new(0);
    hart.set_pc(BASE);
    hart.set_x(XReg::T0, BASE);
    hart.set_x(XReg::T1, u64::from(plus_100));
    hart.set_x(XReg::T2, ARRAY);
    let original = (hart.snapshot(), mem.snapshot());
    hart.run(&mut mem, &mut EmptyBus, 10);
    assert_eq!((hart.pc(), hart.x(XReg::A0)), (BASE, 1 + 100));
    let rewritten = (hart.snapshot(), mem.snapshot());
    hart.run(&mut mem, &mut EmptyBus, 5);
    let after_15 = observe(&hart, &mem);
    assert_eq!(hart.x(XReg::A0), 201);

    // Back to the original code, while the cache holds the rewritten one
    // decoded: the first pass adds 1, as it did.
    hart.restore(&original.0);
    mem.restore(&original.1).unwrap();
    hart.step(&mut mem, &mut EmptyBus);
    assert_eq!(hart.x(XReg::A0), 1);
    hart.run(&mut mem, &mut EmptyBus, 14);
    assert_eq!(observe(&hart, &mem), after_15);

    // Forward again to the rewritten code while the original is decoded
    // (the hart ran one instruction of it): it adds 100.
    hart.restore(&original.0);
    mem.restore(&original.1).unwrap();
    hart.step(&mut mem, &mut EmptyBus);
    hart.restore(&rewritten.0);
    mem.restore(&rewritten.1).unwrap();
    hart.step(&mut mem, &mut EmptyBus);
    assert_eq!(hart.x(XReg::A0), 201);
}

/// Sv39: two page tables map the same virtual pages, data and a function,
/// to different physical pages; a loop in S-mode loads the data, calls the
/// function and switches tables (`csrw satp` and `sfence.vma`).
fn two_address_spaces() -> (Hart, Memory, [u64; 2]) {
    const CODE: u64 = 0x40_0000;
    const DATA: u64 = CODE + 0x1000;
    const FUNC: u64 = CODE + 0x2000;
    let page = |n: u64| BASE + n * 0x1000;
    let mut mem = Memory::new(PhysAddr::new(BASE), RAM).unwrap();
    // Physical pages: 1 the loop; 2 and 3 the data of tables 1 and 2; 4
    // and 5 their functions; 6-8 and 9-11 the tables (root, level 1, level 0).
    load(
        &mut mem,
        page(1),
        &[
            ld(T2, S0, 0),
            add(A0, A0, T2),
            jalr(RA, S1, 0),
            csrrw(ZERO, addr::SATP, S2),
            SFENCE_VMA,
            add(T3, S2, ZERO),
            add(S2, S3, ZERO),
            add(S3, T3, ZERO),
            jal(ZERO, -32),
        ],
    );
    mem.write_u64(PhysAddr::new(page(2)), 1).unwrap();
    mem.write_u64(PhysAddr::new(page(3)), 1000).unwrap();
    load(&mut mem, page(4), &[addi(A1, A1, 1), jalr(ZERO, RA, 0)]);
    load(&mut mem, page(5), &[addi(A1, A1, 100), jalr(ZERO, RA, 0)]);
    // V, R, W, X, A and D as asked; a pointer to a table is V alone.
    let pte = |pa: u64, flags: u64| (pa >> 12) << 10 | flags | 1 | 0xc0;
    let mut satp = [0; 2];
    for (t, root) in [6u64, 9].into_iter().enumerate() {
        let (l1, l0) = (page(root + 1), page(root + 2));
        mem.write_u64(PhysAddr::new(page(root)), (l1 >> 12) << 10 | 1)
            .unwrap();
        // Level 1 entry 2: virtual 0x40_0000.
        mem.write_u64(PhysAddr::new(l1 + 2 * 8), (l0 >> 12) << 10 | 1)
            .unwrap();
        let t = t as u64;
        for (vpn0, pa, flags) in [
            (0, page(1), 0b1010),
            (1, page(2 + t), 0b0110),
            (2, page(4 + t), 0b1010),
        ] {
            mem.write_u64(PhysAddr::new(l0 + vpn0 * 8), pte(pa, flags))
                .unwrap();
        }
        satp[usize::try_from(t).unwrap()] = 8 << 60 | page(root) >> 12;
    }
    let mut hart = Hart::new(0);
    hart.set_csr(addr::PMPADDR0, u64::MAX >> 10).unwrap();
    hart.set_csr(addr::PMPCFG0, 0x1f).unwrap();
    hart.set_csr(addr::SATP, satp[0]).unwrap();
    hart.set_privilege(Privilege::Supervisor);
    hart.set_pc(CODE);
    hart.set_x(XReg::S0, DATA);
    hart.set_x(XReg::S1, FUNC);
    hart.set_x(XReg::S2, satp[1]);
    hart.set_x(XReg::S3, satp[0]);
    (hart, mem, satp)
}

#[test]
fn a_restore_across_a_satp_change_leaves_no_stale_translation() {
    // One pass of the loop is 11 instructions: table 1 adds 1 to a0 and
    // a1, table 2 adds 1000 and 100.
    let (mut hart, mut mem, satp) = two_address_spaces();
    hart.run(&mut mem, &mut EmptyBus, 22);
    assert_eq!((hart.x(XReg::A0), hart.x(XReg::A1)), (1001, 101));
    for n in 0..34 {
        let (mut hart, mut mem, _) = two_address_spaces();
        hart.run(&mut mem, &mut EmptyBus, n);
        let saved = (hart.snapshot(), mem.snapshot());
        for m in [1, 5, 11, 16, 30] {
            hart.restore(&saved.0);
            mem.restore(&saved.1).unwrap();
            hart.run(&mut mem, &mut EmptyBus, m);
            let first = observe(&hart, &mem);
            // Run on, so that the TLB holds the other table's pages when
            // the snapshot comes back.
            hart.run(&mut mem, &mut EmptyBus, 11);
            hart.restore(&saved.0);
            mem.restore(&saved.1).unwrap();
            assert!(satp.contains(&hart.csr(addr::SATP).unwrap()));
            hart.run(&mut mem, &mut EmptyBus, m);
            assert_eq!(observe(&hart, &mem), first, "{m} after {n}");
        }
    }
    // The hart's state alone, restored with the memory as it is: the
    // translations of the table it ran with last are gone too.
    let (mut hart, mut mem, _) = two_address_spaces();
    let at_start = hart.snapshot();
    hart.run(&mut mem, &mut EmptyBus, 11 + 2);
    assert_eq!(hart.csr(addr::SATP).unwrap(), satp[1]);
    hart.restore(&at_start);
    hart.run(&mut mem, &mut EmptyBus, 11);
    assert_eq!((hart.x(XReg::A0), hart.x(XReg::A1)), (1, 1));
}

/// A two-hart machine with a deterministic timebase, both running
/// `busy_loop` (reading `time`) on a shared array and counter.
fn busy_machine() -> Machine<EmptyBus> {
    let mut mem = Memory::new(PhysAddr::new(BASE), RAM).unwrap();
    load(&mut mem, BASE, &busy_loop(true));
    let mut m = Machine::new(2, mem, EmptyBus, Timebase::new(TimeSource::Deterministic));
    m.slice = 333;
    for h in m.harts.iter_mut() {
        h.set_pc(BASE);
        h.set_x(XReg::S0, ARRAY);
        h.set_x(XReg::S1, COUNTER);
    }
    m
}

fn observe_machine(m: &Machine<EmptyBus>) -> (Vec<Observed>, u64, u64) {
    let harts = m.harts.iter().map(|h| observe(h, &m.memory)).collect();
    (harts, m.timebase.now(), m.retired())
}

#[test]
fn a_machine_snapshot_moves_to_another_thread_and_is_restored_there() {
    let mut m = busy_machine();
    assert_eq!(m.run(Some(10_000)), ExitReason::InstructionLimit);
    let snapshot = m.snapshot();
    assert_eq!(snapshot.retired(), m.retired());
    assert_eq!(snapshot.hart(0).unwrap().pc(), m.harts[0].pc());
    assert_eq!(
        m.run(Some(m.retired() + 5_000)),
        ExitReason::InstructionLimit
    );
    let later = observe_machine(&m);

    // Both the machine and the snapshot go to another thread.
    let (m, there) = std::thread::spawn(move || {
        let mut m = m;
        m.restore(&snapshot).unwrap();
        assert_eq!(m.timebase.now(), snapshot.time());
        assert_eq!(
            m.run(Some(m.retired() + 5_000)),
            ExitReason::InstructionLimit
        );
        let there = observe_machine(&m);
        (m, there)
    })
    .join()
    .unwrap();
    assert_eq!(there, later);
    assert_eq!(observe_machine(&m), later);

    // A machine of another shape refuses it.
    let mut mem = Memory::new(PhysAddr::new(BASE), RAM).unwrap();
    load(&mut mem, BASE, &busy_loop(true));
    let mut other = Machine::new(1, mem, EmptyBus, Timebase::new(TimeSource::Deterministic));
    assert!(other.restore(&m.snapshot()).is_err());
}

#[test]
fn a_hart_and_a_memory_restored_on_other_threads_run_the_same() {
    let (mut hart, mut mem) = busy_hart_and_memory();
    hart.run(&mut mem, &mut EmptyBus, 1234);
    let saved = (hart.snapshot(), mem.snapshot());
    hart.run(&mut mem, &mut EmptyBus, 777);
    let later = observe(&hart, &mem);
    // The hart goes to one thread, the memory to another, and both come
    // back restored; the memory is restored after the hart.
    let (hart_state, mem_state) = saved.clone();
    let mut hart = std::thread::spawn(move || {
        hart.restore(&hart_state);
        hart
    })
    .join()
    .unwrap();
    let mut mem = std::thread::spawn(move || {
        mem.restore(&mem_state).unwrap();
        mem
    })
    .join()
    .unwrap();
    hart.run(&mut mem, &mut EmptyBus, 777);
    assert_eq!(observe(&hart, &mem), later);
}

#[test]
fn clones_run_on_their_own() {
    let (mut hart, mut mem) = busy_hart_and_memory();
    hart.run(&mut mem, &mut EmptyBus, 500);
    let (mut hart2, mut mem2) = (hart.clone(), mem.clone());
    assert_eq!(observe(&hart2, &mem2), observe(&hart, &mem));
    hart.run(&mut mem, &mut EmptyBus, 300);
    hart2.run(&mut mem2, &mut EmptyBus, 300);
    assert_eq!(observe(&hart2, &mem2), observe(&hart, &mem));
    // The memories are apart: the original's stores do not reach the clone.
    hart.run(&mut mem, &mut EmptyBus, 100);
    assert_ne!(mem.as_slice(), mem2.as_slice());
    // The clone, moved to the original's memory, drops what it translated
    // for its own and runs as the original did.
    hart2.restore(&hart.snapshot());
    let expected = {
        let (mut h, mut m) = (hart.clone(), mem.clone());
        h.run(&mut m, &mut EmptyBus, 200);
        observe(&h, &m)
    };
    hart2.run(&mut mem, &mut EmptyBus, 200);
    assert_eq!(observe(&hart2, &mem), expected);
}
