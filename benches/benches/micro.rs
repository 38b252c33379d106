//! Micro-benchmarks of the fast paths of DESIGN.md: a TLB hit, a TLB miss
//! (translation, PMP check and refill), and decoding an instruction the
//! first time it runs (the decode cache's fill) against running it decoded.
//! Each runs a small hand-assembled loop through rivet-core's public API;
//! criterion's "elements" are guest instructions.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rivet_core::bus::EmptyBus;
use rivet_core::{Hart, Memory, PhysAddr, TimeSource, Timebase, XReg};
use rivet_devices::goldfish_rtc::RtcClock;
use rivet_devices::plic::Gateway;
use rivet_devices::{BufferConsole, VirtBoard};

const BASE: u64 = 0x8000_0000;

// Encoders for the few instructions used (RV64I base formats).
fn i_type(opcode: u32, funct3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
    ((imm as u32 & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode
}
fn r_type(funct7: u32, funct3: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x33
}
fn bne_back(rs1: u32, bytes: i32) -> u32 {
    let imm = (-bytes) as u32;
    ((imm >> 12 & 1) << 31)
        | ((imm >> 5 & 0x3f) << 25)
        | (rs1 << 15)
        | (1 << 12)
        | ((imm >> 1 & 0xf) << 8)
        | ((imm >> 11 & 1) << 7)
        | 0x63
}
const LD: (u32, u32) = (0x03, 3);
const ADDI: (u32, u32) = (0x13, 0);
const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const A0: u32 = 10;

/// RAM with `code` at its start.
fn memory(code: &[u32], size: u64) -> Memory {
    let mut mem = Memory::new(PhysAddr::new(BASE), size).expect("RAM");
    for (i, w) in code.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *w)
            .expect("code");
    }
    mem
}

/// A loop of `ld t1, 0(a0); a0 += stride, kept in a window of RAM;
/// t0 -= 1; bne t0, zero, loop` (6 instructions): with stride 0 every load
/// hits the TLB; with a 4 KiB stride over 4 MiB every load misses (1024
/// pages, 512 entries).
fn load_loop() -> Vec<u32> {
    vec![
        i_type(LD.0, LD.1, T1, A0, 0),      // ld t1, 0(a0)
        r_type(0, 0, A0, A0, T2),           // add a0, a0, t2 (stride)
        r_type(0, 7, A0, A0, 28),           // and a0, a0, t3 (window mask)
        r_type(0, 6, A0, A0, 29),           // or a0, a0, t4 (RAM base)
        i_type(ADDI.0, ADDI.1, T0, T0, -1), // addi t0, t0, -1
        bne_back(T0, 20),                   // bne t0, zero, loop
    ]
}

/// Runs the load loop; returns the instructions retired (all of them: the
/// loop never traps).
fn run_loop(mem: &mut Memory, iterations: u64, stride: u64, mask: u64) -> u64 {
    let mut hart = Hart::new(0);
    hart.set_pc(BASE);
    hart.set_x(XReg::T0, iterations);
    hart.set_x(XReg::new(7).expect("t2"), stride);
    hart.set_x(XReg::new(28).expect("t3"), mask);
    hart.set_x(XReg::new(29).expect("t4"), BASE);
    hart.set_x(XReg::A0, BASE + 0x10_0000);
    let out = hart.run(mem, &mut EmptyBus, iterations * 6);
    assert_eq!(out.retired, iterations * 6, "the loop must not trap");
    out.retired
}

fn tlb(c: &mut Criterion) {
    let mut group = c.benchmark_group("tlb");
    let iterations = 200_000;
    group.throughput(Throughput::Elements(iterations * 6));
    let mut mem = memory(&load_loop(), 8 << 20);
    group.bench_function("load-hit", |b| {
        b.iter(|| run_loop(&mut mem, iterations, 0, 0x7f_ffff))
    });
    group.bench_function("load-miss", |b| {
        b.iter(|| run_loop(&mut mem, iterations, 4096, 0x3f_ffff))
    });
    group.finish();
}

/// 2048 `addi` and a final loop back: decoded once and run many times
/// (warm), or run once in a fresh memory (cold: every instruction decoded
/// on first use).
fn decode(c: &mut Criterion) {
    let mut code: Vec<u32> = (0..2047)
        .map(|i| i_type(ADDI.0, ADDI.1, A0, A0, i % 7))
        .collect();
    code.push(i_type(0x67, 0, 0, 1, 0)); // jalr zero, 0(ra): back to ra
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(2048));
    let mut warm = memory(&code, 1 << 20);
    let mut hart = Hart::new(0);
    group.bench_function("warm", |b| {
        b.iter(|| {
            hart.set_pc(BASE);
            hart.set_x(XReg::RA, BASE);
            hart.run(&mut warm, &mut EmptyBus, 2048)
        })
    });
    group.bench_function("cold", |b| {
        b.iter_batched(
            || memory(&code, 1 << 20),
            |mut mem| {
                let mut hart = Hart::new(0);
                hart.set_pc(BASE);
                hart.set_x(XReg::RA, BASE);
                hart.run(&mut mem, &mut EmptyBus, 2048)
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// Device registers read through the `virt` board, as a driver polls them:
/// `lbu` of the UART's LSR, `lw` of a PLIC priority, of the CLINT's `mtime`
/// and of a virtio-mmio slot's MagicValue, then `addi` and `bne` (6
/// instructions, 4 of them device accesses). Each access routes the
/// address to its device and refreshes the hart's interrupt lines.
fn mmio(c: &mut Criterion) {
    let code = [
        i_type(0x03, 4, T1, A0, 5),         // lbu t1, 5(a0): UART LSR
        i_type(0x03, 2, T1, A0 + 1, 4),     // lw t1, 4(a1): PLIC priority 1
        i_type(0x03, 2, T1, A0 + 2, 0),     // lw t1, 0(a2): CLINT mtime
        i_type(0x03, 2, T1, A0 + 3, 0),     // lw t1, 0(a3): virtio MagicValue
        i_type(ADDI.0, ADDI.1, T0, T0, -1), // addi t0, t0, -1
        bne_back(T0, 20),                   // bne t0, zero, loop
    ];
    let iterations = 50_000;
    let mut mem = memory(&code, 1 << 20);
    let timebase = Timebase::new(TimeSource::Deterministic);
    let mut board = VirtBoard::new(
        1,
        timebase,
        RtcClock::Host,
        Gateway::default(),
        Box::new(BufferConsole::new()),
    )
    .expect("the virt board");
    let mut group = c.benchmark_group("mmio");
    group.throughput(Throughput::Elements(iterations * 6));
    group.bench_function("device-reads", |b| {
        b.iter(|| {
            let mut hart = Hart::new(0);
            hart.set_pc(BASE);
            hart.set_x(XReg::T0, iterations);
            for (reg, addr) in [XReg::A0, XReg::A1, XReg::A2, XReg::A3].into_iter().zip([
                0x1000_0000,
                0x0c00_0000,
                0x0200_bff8,
                0x1000_8000,
            ]) {
                hart.set_x(reg, addr);
            }
            let out = hart.run(&mut mem, &mut board, iterations * 6);
            assert_eq!(out.retired, iterations * 6, "the loop must not trap");
            out.retired
        })
    });
    group.finish();
}

criterion_group!(benches, tlb, decode, mmio);
criterion_main!(benches);
