//! Instruction throughput of rivet's dispatch loop on compute-bound guest
//! programs. Criterion reports "elements per second": guest instructions
//! per second (divide by 10^6 for MIPS).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rivet_benches::{guest_dir, run_guest, run_guest_with};
use rivet_core::debug::{WatchKind, Watchpoint};

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
    "coremark-like",
    "dhrystone-like",
    "interp-goto",
    "recursive",
    "mix",
    "mix-O0",
    "mix-Os",
    "rvc-dense",
    "small-data",
    "bigcode-small",
    // Slow until the decode cache keeps more than 1,024 pages: about 20 s
    // a run today, so several minutes for its ten samples.
    "bigcode",
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

/// The cost of a debugger's breakpoints and watchpoints where the program
/// does not go: one of each, set in pages it never touches, arms the
/// checks on the slow paths but leaves every page it uses on the fast
/// path (see rivet_core::debug). Compare with the same programs in the
/// `guest` group; `cargo bench -- --save-baseline` on an older commit
/// compares the `guest` group with the code before the debugger existed.
fn with_debug_points_elsewhere(c: &mut Criterion) {
    let mut group = c.benchmark_group("guest-with-debug-points-elsewhere");
    group.sample_size(10);
    let setup = |vm: &mut rivet_devices::VirtMachine| {
        vm.machine.insert_breakpoint(0x8f00_0000);
        vm.machine.insert_watchpoint(Watchpoint {
            addr: 0x8f00_1000,
            len: 8,
            kind: WatchKind::Access,
        });
    };
    for name in ["sha256", "intmix-sv39", "memcpy-memset"] {
        let elf = guest_dir().join(format!("{name}.elf"));
        let instructions = run_guest_with(&elf, setup);
        group.throughput(Throughput::Elements(instructions));
        group.bench_function(name, |b| b.iter(|| run_guest_with(&elf, setup)));
    }
    group.finish();
}

criterion_group!(benches, guest_programs, with_debug_points_elsewhere);
criterion_main!(benches);
