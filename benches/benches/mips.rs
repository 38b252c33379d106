//! Instruction throughput of rivet's dispatch loop on compute-bound guest
//! programs. Criterion reports "elements per second": guest instructions
//! per second (divide by 10^6 for MIPS).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rivet_benches::{guest_dir, run_guest};

/// The guest programs of benches/guest/ measured here.
const PROGRAMS: &[&str] = &[
    "intmix",
    "intmix-sv39",
    "sha256",
    "crc32",
    "qsort",
    "lz",
    "pointer-chase",
    "bytecode",
    "matmul",
    "nbody",
    "memcpy-memset",
];

fn guest_programs(c: &mut Criterion) {
    let mut group = c.benchmark_group("guest");
    group.sample_size(10);
    for name in PROGRAMS {
        let elf = guest_dir().join(format!("{name}.elf"));
        let instructions = run_guest(&elf);
        group.throughput(Throughput::Elements(instructions));
        group.bench_function(*name, |b| b.iter(|| run_guest(&elf)));
    }
    group.finish();
}

criterion_group!(benches, guest_programs);
criterion_main!(benches);
