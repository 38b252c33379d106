//! The independent oracle: random programs run on rivet and on QEMU 7.2
//! (`qemu-system-riscv64 -M virt -bios none`), whose UART dumps must match.
//!
//! # How it works
//!
//! proptest generates [`Program`]s (tests/differential/strategy.rs) of two
//! families. Integer programs draw from every RV64I, M, A, C (integer),
//! Zicsr, Zifencei, Zba, Zbb, Zbc, Zbs and Zihintpause (`pause`)
//! instruction (both run with Zba, Zbb, Zbc, Zbs, Zfh, Zfhmin, Svinval,
//! Svnapot and Svpbmt on and the cache-block extensions off, which QEMU
//! 7.2 lacks: see `harness::CPU`; Zicond, off on both, is among the
//! illegal encodings), with edge operands (0, ±1, the 32- and
//! 64-bit extremes, 0x8000_0000, low words with bit 31 set, shift amounts
//! 0/31/32/63/64+, division by zero and MIN / -1 as operand pairs), loads
//! and stores of every width (many misaligned, some at unmapped
//! addresses), AMOs and LR/SC on aligned addresses, CSR accesses, illegal
//! encodings, `ecall`/`ebreak`, self-modifying code with `fence.i`,
//! instruction access faults, forward branches and jumps over shadows, and
//! loops whose trip count is fixed by construction. Floating-point
//! programs (a little more than half) draw mostly from every RV64F,
//! RV64D, Zfhmin and Zfh instruction (vocab::FP_OPS, the half-precision
//! ones one time in three; FP_MEM_OPS with `c.fld`/`c.fsd`/`c.fldsp`/
//! `c.fsdsp`, `flh`/`fsh`; and the `fflags`/`frm`/`fcsr` accesses), with
//! all five static rounding modes and the dynamic one (frm set to every
//! valid value, and sometimes to an invalid one), operands from edge lists
//! (signed zeros, subnormals, the normal extremes, infinities, quiet and
//! signalling NaNs with payloads, integers around the conversion limits,
//! values around .5, and values that overflow, underflow or tie when
//! narrowed to binary16) or random, singles and halves properly NaN-boxed
//! or not (a double, a boxed single, a box with one bit clear, or random
//! bits used as a half), reserved F/D/H encodings (static rm 5 and 6,
//! reserved funct3 and rs2 values, the Q format), and the integer
//! vocabulary around them. Most F/D/H instructions are
//! observed: right after them their result and the flags they raised are
//! logged (fflags is read and cleared), so that a later write or the
//! stickiness of fflags hides nothing.
//!
//! Each program has up to eight independent snippets, each a body of up
//! to 48 items, run in M-mode (half of them), S-mode or U-mode.
//! tests/differential/program.rs renders a program into one assembly
//! file: a prologue per snippet (in M-mode) sets mstatus.FS (Dirty),
//! every integer register, f0..f31 (raw bits) and four CSRs from the
//! snippet's seed, clears fcsr, and points `sp`, `s0` and `s1` into a data
//! area pre-filled with a generated pattern; for an S/U snippet it also
//! builds Sv39 page tables (tests/differential/vm.rs: code, data and UART
//! identity-mapped with 4 KiB pages, a 2 MiB or a 1 GiB superpage, A and D
//! set in every leaf; probe pages of every permission kind, a misaligned
//! superpage, read-only and read-write aliases), writes satp and enters
//! the body with `mret`; S-mode bodies may set and clear SUM and MXR in
//! sstatus as they go (the TLB must follow), and `sfence.vma`,
//! `sinval.vma`, `sfence.w.inval`, `sfence.inval.ir`, `mret`, `sret` and
//! satp reads test the privilege checks (a quarter of the S-mode bodies
//! run with mstatus.TVM = 1, which makes `sfence.vma` and satp illegal
//! there). PMP entry 0 grants everything (NAPOT, RWX) and
//! nothing is delegated: an M-mode trap handler logs mcause, mepc and
//! mtval of every trap and resumes after the trapping instruction (at a
//! recovery point for instruction faults). An S/U body ends with an
//! `ecall` that the handler recognises (the mode it came from is dumped as
//! `exit`: 9 for S, 8 for U) and takes back to M-mode; an epilogue dumps
//! x1..x31, f0..f31, fcsr, the CSRs, the trap log, the observations and
//! every changed doubleword of the data area over the UART, and the
//! program ends through the SiFive test finisher. mstatus is never dumped.
//! GNU as (`riscv64-unknown-elf-gcc`), an encoder independent of rivet's
//! decoder, builds the ELF; rivet and QEMU run it at the same time and the
//! dumps must be equal.
//!
//! A mismatch shrinks (proptest) to a minimal program; the report prints
//! the program, both dumps and the first differing register, and the files
//! stay in `target/tmp/differential/failure-w<thread>-<pid>/`. proptest
//! records the seed in `frontend/proptest-regressions/differential.txt`
//! (commit it); every real bug found also gets a plain `#[test]` below
//! with the minimal program written out.
//!
//! Found and fixed: accesses to the last page of the address space
//! overflowed rivet's PMP page check (`regression_load_from_the_top_page`).
//!
//! `RIVET_DIFF_CASES` sets the number of programs (default
//! [`DEFAULT_CASES`]); they run on as many threads as the machine has cores
//! (at most four). At the end the test prints the number of programs by
//! family, snippets by mode, instructions, rounding modes, flags raised,
//! traps by cause, the mnemonics exercised and the instructions generated
//! by extension, and asserts that every
//! mnemonic of [`vocab::REQUIRED`] was exercised, that S-mode and U-mode
//! bodies ran to their end, and that instruction, load and store/AMO page
//! faults (12, 13, 15) were taken.
//!
//! The test fails (it does not skip) when `qemu-system-riscv64` or
//! `riscv64-unknown-elf-gcc` is missing.
//!
//! # What is not generated, and why
//!
//! Known, intended divergences between rivet (which follows the
//! specification) and QEMU 7.2; each is covered by test-roms/ instead:
//! - misaligned LR/SC/AMOs: QEMU 7.2 raises load-address-misaligned (4) for
//!   a misaligned AMO or SC where the spec says store/AMO (6), and a
//!   misaligned SC without a reservation just fails on QEMU instead of
//!   trapping. All LR/SC/AMO addresses here are naturally aligned.
//! - AMOs to unmapped addresses: QEMU 7.2 raises a load access fault (5)
//!   where the spec says store/AMO access fault (7). AMOs only target the
//!   data area; only LR (a load on both) is sent to an unmapped address.
//! - AMOs to pages the mode may not read (found by this test): QEMU 7.2
//!   raises a load page fault (13) for an AMO to an invalid page, an
//!   execute-only page without MXR, a W-without-R page, a pointer PTE at
//!   level 0, a user page from S-mode without SUM or a supervisor page
//!   from U-mode, where the spec says store/AMO page fault (15): the
//!   exception-code table lists 15 as "Store/AMO page fault" and the
//!   translation process raises "a page-fault exception corresponding to
//!   the original access type". AMOs to pages that are readable but not
//!   writable agree (15) and are generated; the others are kept off such
//!   pages (probes render a store there instead).
//! - S-mode fetches from user pages with SUM = 1 (found by this test): once
//!   a load or store from S-mode (allowed by SUM) has put a user page in
//!   QEMU 7.2's TLB, a jump there executes it, where the spec says
//!   "Irrespective of SUM, the supervisor may not execute code on pages
//!   with U=1" (rivet raises the instruction page fault). No fetch goes to
//!   a user page from S-mode with SUM = 1.
//! - mstatus.FS: QEMU 7.2 leaves FS Clean when only fflags change, where
//!   the spec makes it Dirty. FS is set Dirty before every snippet and
//!   mstatus is never dumped.
//! - Misaligned loads from unmapped addresses (found by this test): QEMU
//!   7.2 reports mtval rounded down to the access size (`lh` at 0x7f9
//!   gives 0x7f8, `lw` at 0x6 gives 0x4) where the spec says "mtval will
//!   contain the virtual address of the portion of the access that caused
//!   the fault", which rivet writes (0x7f9; QEMU splits misaligned I/O
//!   accesses into aligned ones and reports the first). Loads from unmapped
//!   addresses are naturally aligned here; misaligned stores there agree
//!   on both and are generated. (Misaligned accesses that page-fault agree,
//!   including the page boundary as mtval when the second page faults.)
//! - `ctzw` of a value whose low word is zero (found by this test): QEMU
//!   7.2 counts the trailing zeros of all 64 bits (62 for
//!   0x4000_0000_0000_0000), where the spec's `ctzw` counts in the low word
//!   and gives 32. Its operand is always loaded right before it, and a
//!   zero low word comes with bit 32 set (or a zero upper word), where the
//!   two agree; zbb's test 92 covers the rest.
//! - `sfence.w.inval` and `sfence.inval.ir` in U-mode: QEMU 7.2 runs them
//!   as no-ops where the spec says "Attempting to execute SFENCE.W.INVAL
//!   or SFENCE.INVAL.IR in U-mode raises an illegal-instruction
//!   exception" (rivet traps). They are generated in M- and S-mode only;
//!   vm-svext's case 17 and `svinval_illegal_cases` below pin rivet's trap.
//! - `sinval.vma` where it is illegal (U-mode, S-mode with TVM): both
//!   trap, but QEMU 7.2 writes mtval = 0 (it does not record the
//!   instruction for this helper-raised trap) where rivet writes the
//!   instruction's bits, as both do for `sfence.vma` in the same places.
//!   The spec allows either; rivet keeps one choice for every illegal
//!   instruction. It is generated only where it runs; vm-svext's cases 13
//!   and 14 and `svinval_illegal_cases` cover the traps.
//! - Counters (`cycle`, `time`, `instret`, `mcycle`, `minstret`): they
//!   differ by design; no counter CSR is accessed.
//! - CSR writes QEMU 7.2 legalises wrongly: bit 0 of `mepc`/`sepc` (only
//!   even values are written), MPP = 2 (the body never writes `mstatus`),
//!   and `csrrs`/`csrrc` with a zero-valued rs1 other than x0 on a
//!   read-only CSR (QEMU does not trap; reads of `mhartid` use rs1 = x0
//!   only). vocab::CSRS lists the CSRs used and why the others are left
//!   out.
//!
//! Left to the implementation by the specification, so not generated:
//! - an SC to an address other than its LR's (reservation-set size), any
//!   memory access, trap or xRET between an LR and its SC (whether the
//!   reservation survives), an LR to RAM without its SC (a later SC would
//!   depend on it), and an SC to an unmapped address (whether a failing SC
//!   checks the access). In S/U snippets LR/SC stay on the data area's
//!   first page (always writable: an SC that faults would leave its
//!   reservation across a trap), and a probe LR that would succeed is
//!   rendered as a plain load;
//! - self-modifying code without `fence.i` (stale or new instruction);
//! - misaligned accesses straddling the end of RAM: the spec lets a
//!   misaligned access be "decomposed into a set of component memory
//!   operations of any granularity" (RVWMO), so a faulting straddling store
//!   may leave its RAM part written (QEMU 7.2 does) or not (rivet). For
//!   the same reason no store straddles two pages of which only the first
//!   is writable; straddling loads are generated;
//! - A/D updates (Svade or hardware updating): every leaf has A and D set;
//! - reserved rounding modes are generated: the current F chapter makes
//!   their behaviour "reserved", but "Raising an illegal-instruction
//!   exception is still valid behavior" (the ratified F spec mandated
//!   it), both emulators raise it, and rivet should keep doing so;
//! - writes to `frm` and `fflags` of values wider than the fields (only
//!   0..=7 and 0..=31 are written; `fcsr` gets any upper bits, which the
//!   spec says implementations "shall ignore");
//! - accesses to the boot ROM at 0x1000 (QEMU keeps its reset vector there,
//!   rivet's ROM reads as zeros with `-bios none`: board contents, not ISA),
//!   to devices, and to the PCIe windows;
//! - `wfi` (QEMU would sleep forever without an enabled interrupt, and in
//!   U-mode it may complete or trap), `mret` in M-mode and `sret` in S-mode
//!   (they would leave the body), writes to `satp`, and to `mstatus` and
//!   `sstatus` other than SUM and MXR, in the body, FS = Off, trap
//!   delegation and interrupts.
//!
//! Nothing is normalised when comparing: where the specification allows a
//! choice that QEMU 7.2 makes one way (the mtval of a breakpoint, which
//! both now write as 0), rivet makes it the same way.

mod common;
#[path = "differential/mod.rs"]
mod differential;

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use proptest::test_runner::{
    Config, FailurePersistence, FileFailurePersistence, PersistedSeed, TestCaseError, TestError,
    TestRunner,
};

use differential::harness::{self, Outcome};
use differential::program::{self, Family, Item, Mode, Program, Snippet, A_OFFSET};
use differential::vm::VmSetup;
use differential::{strategy, vocab};

/// Programs per run unless `RIVET_DIFF_CASES` says otherwise.
pub const DEFAULT_CASES: u32 = 800;

/// Below this many programs the coverage assertion is skipped (a short
/// run cannot be expected to hit every mnemonic).
const COVERAGE_MIN_CASES: u32 = 60;

/// Where proptest keeps the seeds of failing cases.
const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/differential.txt"
);

/// What the runs exercised.
#[derive(Default)]
struct Stats {
    programs: u64,
    /// Programs by family.
    families: BTreeMap<Family, u64>,
    snippets: u64,
    /// Snippets by the mode of their body (as generated).
    modes: BTreeMap<Mode, u64>,
    /// Ending ecalls of S/U bodies QEMU dumped, by mcause (9: S, 8: U).
    exits: BTreeMap<u64, u64>,
    instructions: u64,
    mnemonics: BTreeMap<&'static str, u64>,
    /// Rounding modes of the F/D/H instructions (see `program::Rendered`).
    rounding: BTreeMap<String, u64>,
    /// Traps QEMU logged, by mcause.
    traps: BTreeMap<u64, u64>,
    /// F/D/H instructions whose result and flags were observed (QEMU).
    observed: u64,
    /// Of those, how many raised each flag: NX, UF, OF, DZ, NV.
    fflags: [u64; 5],
}

/// Renders, builds and runs `program` on both emulators; `Err` is the
/// mismatch report. `dir` is the work directory, `keep` where a failing
/// run's files are kept.
fn check(
    program: &Program,
    dir: &std::path::Path,
    keep: &std::path::Path,
    stats: &Mutex<Stats>,
) -> Result<(), String> {
    let rendered = program::render(program);
    let elf = harness::assemble(dir, &rendered.source)?;
    let outcome: Outcome = harness::run_both(&elf);
    {
        let mut s = stats.lock().unwrap_or_else(|e| e.into_inner());
        s.programs += 1;
        *s.families.entry(program.family).or_default() += 1;
        s.snippets += program.snippets.len() as u64;
        for snippet in &program.snippets {
            *s.modes.entry(snippet.mode).or_default() += 1;
        }
        for (name, n) in &rendered.mnemonics {
            s.instructions += n;
            *s.mnemonics.entry(name).or_default() += n;
        }
        for (rm, n) in &rendered.rounding {
            *s.rounding.entry(rm.clone()).or_default() += n;
        }
        for snippet in &outcome.qemu_dump.snippets {
            let hex = |key: &str| {
                snippet
                    .get(key)
                    .and_then(|v| u64::from_str_radix(v, 16).ok())
            };
            if let Some(cause) = hex("exit") {
                *s.exits.entry(cause).or_default() += 1;
            }
            for (key, value) in &snippet.entries {
                let flags = value
                    .strip_prefix("fflags ")
                    .and_then(|v| v.split_whitespace().next())
                    .and_then(|v| u64::from_str_radix(v, 16).ok());
                if let (true, Some(flags)) = (key.starts_with("sig#"), flags) {
                    s.observed += 1;
                    for (bit, n) in s.fflags.iter_mut().enumerate() {
                        *n += (flags >> bit) & 1;
                    }
                }
            }
            for (key, value) in &snippet.entries {
                let cause = value
                    .strip_prefix("cause ")
                    .and_then(|v| v.split_whitespace().next())
                    .and_then(|v| u64::from_str_radix(v, 16).ok());
                if let (true, Some(cause)) = (key.starts_with("trap#"), cause) {
                    *s.traps.entry(cause).or_default() += 1;
                }
            }
        }
    }
    let verdict = harness::check_qemu_ran(&outcome, program.snippets.len(), &rendered.source)
        .and_then(|()| harness::compare(&outcome, &rendered.source, keep));
    if verdict.is_err() {
        harness::keep_failure(dir, keep, &outcome);
    }
    verdict
}

/// The seed file, read by the first runner only (the others would replay
/// the same seeds) but written by all.
#[derive(Clone, Debug, PartialEq)]
struct SaveOnly(FileFailurePersistence);

impl FailurePersistence for SaveOnly {
    fn load_persisted_failures2(&self, _: Option<&'static str>) -> Vec<PersistedSeed> {
        Vec::new()
    }

    fn save_persisted_failure2(
        &mut self,
        source_file: Option<&'static str>,
        seed: PersistedSeed,
        shrunken_value: &dyn Debug,
    ) {
        self.0
            .save_persisted_failure2(source_file, seed, shrunken_value);
    }

    fn box_clone(&self) -> Box<dyn FailurePersistence> {
        Box::new(self.clone())
    }

    fn eq(&self, other: &dyn FailurePersistence) -> bool {
        other
            .as_any()
            .downcast_ref::<Self>()
            .is_some_and(|o| o == self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn cases() -> u32 {
    match std::env::var("RIVET_DIFF_CASES") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("RIVET_DIFF_CASES={v}: not a number")),
        Err(_) => DEFAULT_CASES,
    }
}

#[test]
fn rivet_matches_qemu_on_random_programs() {
    harness::require_tools();
    let cases = cases();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4)
        .min(cases.max(1) as usize);
    let stats = Mutex::new(Stats::default());
    // The runner that found a failure; the others stop generating.
    let failed = AtomicUsize::new(usize::MAX);
    let started = Instant::now();

    let results: Vec<Result<(), TestError<Program>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (stats, failed) = (&stats, &failed);
                // Cases split as evenly as possible.
                let (t32, n) = (u32::try_from(t).unwrap(), u32::try_from(threads).unwrap());
                let share = cases / n + u32::from(t32 < cases % n);
                s.spawn(move || {
                    let persistence: Box<dyn FailurePersistence> = if t == 0 {
                        Box::new(FileFailurePersistence::Direct(REGRESSIONS))
                    } else {
                        Box::new(SaveOnly(FileFailurePersistence::Direct(REGRESSIONS)))
                    };
                    let config = Config {
                        cases: share,
                        failure_persistence: Some(persistence),
                        source_file: Some(file!()),
                        max_shrink_iters: 2000,
                        max_shrink_time: 15 * 60 * 1000,
                        ..Config::default()
                    };
                    let dir = harness::workdir(&format!("w{t}"));
                    let keep = harness::tmp_path(&format!("failure-w{t}"));
                    let mut runner = TestRunner::new(config);
                    let result = runner.run(&strategy::program(), |program| {
                        let other = failed.load(Ordering::Relaxed);
                        if other != usize::MAX && other != t {
                            return Ok(());
                        }
                        check(&program, &dir, &keep, stats).map_err(|report| {
                            let _ = failed.compare_exchange(
                                usize::MAX,
                                t,
                                Ordering::Relaxed,
                                Ordering::Relaxed,
                            );
                            TestCaseError::fail(report)
                        })
                    });
                    let _ = std::fs::remove_dir_all(&dir);
                    result
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("runner thread"))
            .collect()
    });

    let stats = stats.into_inner().unwrap_or_else(|e| e.into_inner());
    let names: Vec<&str> = stats.mnemonics.keys().copied().collect();
    eprintln!(
        "differential: {cases} cases: {} programs run (with replayed seeds and shrinking), {} \
         snippets, {} generated instructions, on {threads} threads in {:.1} s",
        stats.programs,
        stats.snippets,
        stats.instructions,
        started.elapsed().as_secs_f64()
    );
    eprintln!(
        "differential: programs by family: {:?}; snippets by mode: {:?}; S/U bodies ended \
         (QEMU, by mcause of the ending ecall): {:?}",
        stats.families, stats.modes, stats.exits
    );
    let rounding: Vec<String> = stats
        .rounding
        .iter()
        .map(|(rm, n)| format!("{rm}: {n}"))
        .collect();
    eprintln!(
        "differential: rounding modes of F/D/H instructions: {}; {} F/D/H results observed, \
         raising NX/UF/OF/DZ/NV: {:?}",
        rounding.join(", "),
        stats.observed,
        stats.fflags
    );
    eprintln!(
        "differential: {} distinct mnemonics: {}",
        names.len(),
        names.join(" ")
    );
    let traps: Vec<String> = stats
        .traps
        .iter()
        .map(|(cause, n)| format!("{cause}: {n}"))
        .collect();
    eprintln!("differential: traps logged by mcause: {}", traps.join(", "));
    let per_ext: Vec<String> = vocab::REQUIRED
        .iter()
        .map(|(ext, names)| {
            let hit = names
                .iter()
                .filter(|n| stats.mnemonics.contains_key(*n))
                .count();
            let count: u64 = names.iter().filter_map(|n| stats.mnemonics.get(n)).sum();
            format!("{ext:?} {hit}/{} ({count})", names.len())
        })
        .collect();
    eprintln!(
        "differential: required mnemonics exercised (instructions generated): {}",
        per_ext.join(", ")
    );

    // The runner that failed first has shrunk its case; another one may
    // have failed at the same time and stopped shrinking when told to.
    let winner = failed.load(Ordering::Relaxed);
    let mut results: Vec<(usize, _)> = results.into_iter().enumerate().collect();
    results.sort_by_key(|(t, _)| usize::from(*t != winner));
    for (_, result) in results {
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, _)) => panic!("{reason}"),
            Err(TestError::Abort(reason)) => panic!("proptest aborted: {reason}"),
        }
    }

    if cases >= COVERAGE_MIN_CASES {
        let missing: Vec<&str> = vocab::REQUIRED
            .iter()
            .flat_map(|(_, names)| names.iter().copied())
            .filter(|name| !stats.mnemonics.contains_key(name))
            .collect();
        assert!(
            missing.is_empty(),
            "the generator never produced: {missing:?}"
        );
        for (cause, mode) in [(9, "S"), (8, "U")] {
            assert!(
                stats.exits.get(&cause).copied().unwrap_or(0) > 0,
                "no {mode}-mode body ran to its end"
            );
        }
        for (cause, kind) in [(12, "instruction"), (13, "load"), (15, "store/AMO")] {
            assert!(
                stats.traps.get(&cause).copied().unwrap_or(0) > 0,
                "no {kind} page fault (mcause {cause}) was taken"
            );
        }
    } else {
        eprintln!(
            "differential: {cases} programs is below {COVERAGE_MIN_CASES}: coverage not asserted"
        );
    }
}

/// A snippet with a hand-written body (the regression tests), run in
/// `mode` (with 4 KiB pages, all writable, for S and U).
fn asm_snippet_in(mode: Mode, body: &str) -> Snippet {
    Snippet {
        body: vec![Item::Asm(body.to_string())],
        init: 1,
        data: (0, 1),
        mode,
        vm: VmSetup {
            kind: 2,
            ..VmSetup::default()
        },
    }
}

/// A hand-written M-mode snippet.
fn asm_snippet(body: &str) -> Snippet {
    asm_snippet_in(Mode::M, body)
}

/// Runs snippets with hand-written bodies on both emulators; panics with
/// the report when they disagree. Returns the outcome.
fn check_asm(name: &str, bodies: &[&str]) -> Outcome {
    let snippets = bodies.iter().map(|b| asm_snippet(b)).collect();
    check_snippets(name, snippets)
}

/// Runs hand-written snippets on both emulators; panics with the report
/// when they disagree. Returns the outcome.
fn check_snippets(name: &str, snippets: Vec<Snippet>) -> Outcome {
    harness::require_tools();
    let count = snippets.len();
    let program = Program {
        family: Family::Int,
        snippets,
    };
    let rendered = program::render(&program);
    let dir = harness::workdir(name);
    let elf = harness::assemble(&dir, &rendered.source).unwrap_or_else(|e| panic!("{e}"));
    let outcome = harness::run_both(&elf);
    if let Err(report) = harness::check_qemu_ran(&outcome, count, &rendered.source)
        .and_then(|()| harness::compare(&outcome, &rendered.source, &dir))
    {
        harness::keep_failure(&dir, &dir, &outcome);
        panic!("{report}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

/// rivet bug found by this test: any access to the last 4 KiB page of the
/// address space (0xffff_ffff_ffff_f000 and up: loads, stores, AMOs, LR,
/// instruction fetches) panics in a debug build with "attempt to add with
/// overflow" in `Pmp::page_is_uniform` (core/src/pmp.rs, `page + 4096`),
/// reached from `Hart::translate_range` (core/src/access.rs). QEMU raises
/// the access fault: here a load access fault, mcause 5, mtval
/// 0xffff_ffff_ffff_fff8, and execution resumes after the load. A guest
/// must never crash the host (DESIGN.md, "Errors and bad input").
///
/// Fixed; `AVOID_TOP_PAGE` in tests/differential/program.rs is false, so
/// the random programs reach that page too.
#[test]
fn regression_load_from_the_top_page() {
    check_asm("top-page", &["ld a0, -8(zero)"]);
}

/// The harness itself: every kind of trap it must survive, on both.
#[test]
fn harness_survives_every_trap_kind() {
    let outcome = check_asm(
        "harness-traps",
        &[
            "ecall\nebreak\n.option rvc\nc.ebreak\n.option norvc\n.half 0\n.word 0xffffffff\n\
           lw a0, 0(zero)\nsw a0, 8(zero)\nlr.d a0, (zero)\ncsrr a0, 0x7ff\n\
           lla t0, 1f\nsd t0, 288(tp)\njalr ra, 16(zero)\n1: addi a1, zero, 1",
        ],
    );
    let traps = outcome.qemu_dump.snippets[0].get("traps");
    assert_eq!(traps, Some("000000000000000a"), "ten traps logged");
}

/// QEMU 7.2 completes misaligned loads and stores to RAM in hardware (no
/// trap), as rivet does; checked here against values computed from the
/// data pattern, for every width and misalignment, within a page and
/// across a 4 KiB page boundary, on QEMU (and on rivet through the
/// comparison).
#[test]
fn qemu_completes_misaligned_ram_accesses() {
    // (mnemonic, width, signed)
    const LOADS: [(&str, u32, bool); 5] = [
        ("lh", 2, true),
        ("lhu", 2, false),
        ("lw", 4, true),
        ("lwu", 4, false),
        ("ld", 8, true),
    ];
    // Offsets from sp (A): misaligned by 1..7 inside a page (16 bytes
    // apart), and straddling the page boundary at A + 1536 (the areas are
    // 4 KiB-aligned and A is 2560 bytes in).
    let page_cross = 4096 - A_OFFSET;
    let offsets: Vec<i64> = (1..8)
        .map(|m| 17 * m)
        .chain((1..8).map(|m| page_cross - m))
        .collect();
    let dests = [
        "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
    ];
    let mut bodies = Vec::new();
    for (name, _, _) in LOADS {
        let body: String = offsets
            .iter()
            .zip(dests)
            .map(|(off, rd)| format!("{name} {rd}, {off}(sp)\n"))
            .collect();
        bodies.push(body);
    }
    // Stores of a known value at the same offsets (in order: the ones
    // across the page boundary overlap), one width per snippet.
    let value: u64 = 0x0123_4567_89ab_cdef;
    for name in ["sh", "sw", "sd"] {
        let mut body = format!("li t3, {value:#x}\n");
        for off in &offsets {
            body.push_str(&format!("{name} t3, {off}(sp)\n"));
        }
        bodies.push(body);
    }
    let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let outcome = check_asm("misaligned", &refs);

    let pattern = asm_snippet("").pattern();
    let bytes: Vec<u8> = pattern.iter().flat_map(|w| w.to_le_bytes()).collect();
    let read = |addr: i64, width: u32| -> u64 {
        (0..width as usize).fold(0u64, |acc, i| {
            acc | u64::from(bytes[usize::try_from(addr).unwrap() + i]) << (8 * i)
        })
    };
    for (k, (name, width, signed)) in LOADS.iter().enumerate() {
        let dump = &outcome.qemu_dump.snippets[k];
        assert_eq!(
            dump.get("traps"),
            Some("0000000000000000"),
            "{name}: QEMU trapped"
        );
        for (i, off) in offsets.iter().enumerate() {
            let raw = read(A_OFFSET + off, *width);
            let bits = 8 * width;
            let expected = if *signed && bits < 64 {
                ((raw << (64 - bits)) as i64 >> (64 - bits)) as u64
            } else {
                raw
            };
            let reg = program::REG_NAMES
                .iter()
                .position(|r| *r == dests[i])
                .expect("register");
            assert_eq!(
                dump.reg(reg),
                expected,
                "QEMU: {name} at A{off:+}: got {:#x}, expected {expected:#x}",
                dump.reg(reg)
            );
        }
    }
    for (k, (name, width)) in [("sh", 2usize), ("sw", 4), ("sd", 8)].iter().enumerate() {
        let dump = &outcome.qemu_dump.snippets[LOADS.len() + k];
        assert_eq!(
            dump.get("traps"),
            Some("0000000000000000"),
            "{name}: QEMU trapped"
        );
        let mut expect = bytes.clone();
        for off in &offsets {
            let at = usize::try_from(A_OFFSET + off).unwrap();
            expect[at..at + width].copy_from_slice(&value.to_le_bytes()[..*width]);
        }
        for (i, chunk) in expect.chunks(8).enumerate() {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            let printed = dump.get(&format!("mem+{:04x}", i * 8));
            if word == pattern[i] {
                assert_eq!(printed, None, "{name}: doubleword {i} changed");
            } else {
                assert_eq!(
                    printed.map(|v| u64::from_str_radix(v, 16).expect("hex")),
                    Some(word),
                    "QEMU: {name}: doubleword {i}"
                );
            }
        }
    }
}

/// The (cause, mtval) pairs QEMU logged for snippet `k`.
fn qemu_traps(outcome: &Outcome, k: usize) -> Vec<(u64, u64)> {
    outcome.qemu_dump.snippets[k]
        .entries
        .iter()
        .filter(|(key, _)| key.starts_with("trap#"))
        .map(|(_, v)| {
            let words: Vec<&str> = v.split_whitespace().collect();
            let hex = |s: &str| u64::from_str_radix(s, 16).expect("hex");
            (hex(words[1]), hex(words[5]))
        })
        .collect()
}

/// The harness's S- and U-mode bodies under Sv39 (vm.rs): page faults of
/// each kind with mtval = the virtual address (an unmapped page, a
/// read-only page for a store, a user page from S-mode without SUM, a
/// supervisor page from U-mode, a fetch from a page without X), `ecall`
/// from S (9) and U (8), and the ending ecall that brings the body back
/// to M-mode; checked on QEMU, and on rivet through the comparison.
#[test]
fn sv39_bodies_take_every_page_fault() {
    let recover = program::CTX_RECOVER;
    let s_body = format!(
        "li a0, 0x40000000\nlw a1, 0(a0)\nsw a1, 8(a0)\nli a0, 0x40001000\nsw a1, 8(a0)\n\
         lw a2, 8(a0)\nli a0, 0x40004000\nlw a3, 0(a0)\nlla t0, 1f\nsd t0, {recover}(tp)\n\
         li a0, 0x40002000\njalr ra, 0(a0)\n1: ecall"
    );
    let u_body = "li a0, 0x40004000\nlw a1, 0(a0)\nsw a1, 0(a0)\nli a0, 0x40002000\n\
                  sd a0, 16(a0)\necall";
    let outcome = check_snippets(
        "sv39",
        vec![
            asm_snippet_in(Mode::S, &s_body),
            asm_snippet_in(Mode::U, u_body),
        ],
    );
    assert_eq!(
        qemu_traps(&outcome, 0),
        [
            (13, 0x4000_0000),
            (15, 0x4000_0008),
            (15, 0x4000_1008),
            (13, 0x4000_4000),
            (12, 0x4000_2000),
            (9, 0),
        ],
        "S-mode traps on QEMU"
    );
    assert_eq!(
        qemu_traps(&outcome, 1),
        [(13, 0x4000_4000), (15, 0x4000_4000), (8, 0)],
        "U-mode traps on QEMU"
    );
    for (k, cause) in [(0, "0000000000000009"), (1, "0000000000000008")] {
        assert_eq!(outcome.qemu_dump.snippets[k].get("exit"), Some(cause));
    }
    // The U-mode store through the read-write probe page reached the
    // area's first page (every probe page maps there), at offset 0x10.
    assert_eq!(
        outcome.qemu_dump.snippets[1].get("mem+0010"),
        Some("0000000040002000")
    );
}

/// F/D basics with the values the specification fixes, on QEMU (and on
/// rivet through the comparison): an improperly NaN-boxed single reads
/// as the canonical NaN, NaN converts to the largest integer with NV,
/// 0.5 rounds by the static rounding modes, and an invalid frm makes an
/// instruction with the dynamic rounding mode illegal.
#[test]
fn fp_boxing_conversions_and_rounding() {
    let body = "li t0, 0x3ff0000000000000\nfmv.d.x f1, t0\nfadd.s f2, f1, f1\nfrflags a0\n\
                fcvt.w.s a1, f1, rtz\nfsflags a2, zero\nli t0, 0x3f000000\nfmv.w.x f3, t0\n\
                fcvt.w.s a3, f3, rne\nfcvt.w.s a4, f3, rmm\nfcvt.w.s a5, f3, rup\n\
                fcvt.w.s a6, f3, rdn\nfsflags a7, zero\nfsrmi 5\nfadd.d f4, f3, f3, dyn\n\
                fsrmi s2, 0\nfmv.x.d s3, f2";
    let outcome = check_asm("fp-basics", &[body]);
    let dump = &outcome.qemu_dump.snippets[0];
    let reg = |name: &str| {
        let r = program::REG_NAMES
            .iter()
            .position(|n| *n == name)
            .expect("register");
        dump.reg(r)
    };
    let expected: [(&str, u64); 10] = [
        ("a0", 0),
        ("a1", 0x7fff_ffff),
        ("a2", 0x10),
        ("a3", 0),
        ("a4", 1),
        ("a5", 1),
        ("a6", 0),
        ("a7", 0x01),
        ("s2", 5),
        ("s3", 0xffff_ffff_7fc0_0000),
    ];
    for (name, value) in expected {
        assert_eq!(reg(name), value, "QEMU: {name}");
    }
    assert_eq!(
        qemu_traps(&outcome, 0),
        [(2, 0x0231_f253)],
        "QEMU: illegal fadd.d"
    );
}

/// Half precision with the values the specification fixes, on QEMU (and
/// on rivet through the comparison): an improperly NaN-boxed half reads
/// as the canonical NaN (the upper 48 bits must be all ones) except in
/// the transfers (`fmv.x.h` moves the low 16 bits, sign-extended), a
/// binary32 beyond binary16's range narrows to infinity (RNE) or to the
/// largest finite value (RTZ) with OF and NX, half of the smallest
/// subnormal ties to zero (RNE) or rounds up to it (RUP) with UF and NX,
/// a signalling NaN converts to the largest integer and to the canonical
/// single with NV, and the integer extremes narrow with OF (RTZ: to
/// -65504) or NV (a negative value to an unsigned integer).
#[test]
fn half_boxing_conversions_and_rounding() {
    let body = "li t0, 0xffffffff3c003c00\nfmv.d.x f1, t0\nfadd.h f2, f1, f1\nfmv.x.h a0, f2\n\
                fclass.h a1, f1\nfmv.x.h a2, f1\nfrflags a3\n\
                li t0, 0x47800000\nfmv.w.x f4, t0\nfcvt.h.s f5, f4, rne\nfcvt.h.s f6, f4, rtz\n\
                fmv.x.h a4, f5\nfmv.x.h a5, f6\nfsflags a6, zero\n\
                li t0, 0x33000000\nfmv.w.x f7, t0\nfcvt.h.s f8, f7, rne\nfcvt.h.s f9, f7, rup\n\
                fmv.x.h a7, f8\nfmv.x.h s2, f9\nfsflags s3, zero\n\
                li t0, 0x7c01\nfmv.h.x f10, t0\nfcvt.w.h s4, f10, rtz\nfcvt.s.h f11, f10\n\
                fmv.x.w s5, f11\nfsflags s6, zero\n\
                li t0, -1\nfcvt.h.l f12, t0\nfmv.x.h s7, f12\nli t0, 0x8000000000000000\n\
                fcvt.h.l f13, t0, rtz\nfmv.x.h s8, f13\nfcvt.wu.h s9, f12, rtz\nfsflags s10, zero";
    let outcome = check_asm("half-basics", &[body]);
    let dump = &outcome.qemu_dump.snippets[0];
    let reg = |name: &str| {
        let r = program::REG_NAMES
            .iter()
            .position(|n| *n == name)
            .expect("register");
        dump.reg(r)
    };
    let expected: [(&str, u64); 17] = [
        ("a0", 0x7e00),
        ("a1", 1 << 9),
        ("a2", 0x3c00),
        ("a3", 0),
        ("a4", 0x7c00),
        ("a5", 0x7bff),
        ("a6", 0x05),
        ("a7", 0),
        ("s2", 1),
        ("s3", 0x03),
        ("s4", 0x7fff_ffff),
        ("s5", 0x7fc0_0000),
        ("s6", 0x10),
        ("s7", 0xffff_ffff_ffff_bc00),
        ("s8", 0xffff_ffff_ffff_fbff),
        ("s9", 0),
        ("s10", 0x15),
    ];
    for (name, value) in expected {
        assert_eq!(reg(name), value, "QEMU: {name}");
    }
    assert_eq!(
        dump.get("f02"),
        Some("ffffffffffff7e00"),
        "QEMU: the canonical NaN, NaN-boxed"
    );
    assert_eq!(dump.get("traps"), Some("0000000000000000"), "QEMU trapped");
}

/// The Svinval cases the random programs leave out, run on both: in
/// U-mode, and in S-mode with mstatus.TVM = 1, `sinval.vma` is illegal
/// ("SINVAL.VMA ... require[s] the same permissions ... as SFENCE.VMA");
/// both trap, but QEMU 7.2 writes mtval = 0 where rivet writes the
/// instruction's bits, as it does (and QEMU does) for `sfence.vma` there:
/// the spec allows either, so the generator keeps sinval.vma where it
/// runs. In U-mode "attempting to execute SFENCE.W.INVAL or
/// SFENCE.INVAL.IR ... raises an illegal-instruction exception", which
/// rivet does and QEMU 7.2 does not (it runs them as no-ops). Also pinned
/// by test-roms/src/vm-svext.S (cases 13, 14 and 17).
#[test]
fn svinval_illegal_cases() {
    harness::require_tools();
    let mut tvm = asm_snippet_in(
        Mode::S,
        "sinval.vma zero, zero\nsfence.w.inval\nsfence.inval.ir\nsinval.vma a0, a1\necall",
    );
    tvm.vm.tvm = true;
    let user = asm_snippet_in(
        Mode::U,
        "sinval.vma a0, a1\nsfence.w.inval\nsfence.inval.ir\necall",
    );
    let program = Program {
        family: Family::Int,
        snippets: vec![tvm, user],
    };
    let rendered = program::render(&program);
    let dir = harness::workdir("svinval");
    let elf = harness::assemble(&dir, &rendered.source).unwrap_or_else(|e| panic!("{e}"));
    let outcome = harness::run_both(&elf);
    harness::check_qemu_ran(&outcome, 2, &rendered.source).unwrap_or_else(|e| panic!("{e}"));
    let traps = |dump: &harness::Dump, k: usize| -> Vec<(u64, u64, u64)> {
        dump.snippets[k]
            .entries
            .iter()
            .filter(|(key, _)| key.starts_with("trap#"))
            .map(|(_, v)| {
                let w: Vec<u64> = v
                    .split_whitespace()
                    .skip(1)
                    .step_by(2)
                    .map(|s| u64::from_str_radix(s, 16).expect("hex"))
                    .collect();
                (w[0], w[1], w[2])
            })
            .collect()
    };
    let (rivet_s, qemu_s) = (traps(&outcome.rivet_dump, 0), traps(&outcome.qemu_dump, 0));
    let (rivet_u, qemu_u) = (traps(&outcome.rivet_dump, 1), traps(&outcome.qemu_dump, 1));
    // S-mode with TVM: both sinval.vma trap (the fences do not), at the
    // same places; mtval is the bits on rivet, 0 or the bits on QEMU.
    let bits_s = [0x1600_0073, 0x16b5_0073];
    assert_eq!(rivet_s.len(), 3, "rivet, S-mode with TVM: {rivet_s:x?}");
    assert_eq!(qemu_s.len(), 3, "QEMU, S-mode with TVM: {qemu_s:x?}");
    for i in 0..2 {
        assert_eq!(
            (rivet_s[i].0, rivet_s[i].2),
            (2, bits_s[i]),
            "rivet: {rivet_s:x?}"
        );
        assert_eq!(qemu_s[i].0, 2, "QEMU: {qemu_s:x?}");
        assert_eq!(qemu_s[i].1, rivet_s[i].1, "the same instruction");
        assert!([0, bits_s[i]].contains(&qemu_s[i].2), "QEMU: {qemu_s:x?}");
    }
    assert_eq!(rivet_s[2].0, 9, "the ending ecall from S");
    // U-mode: all three trap on rivet with their bits; QEMU 7.2 traps on
    // sinval.vma only.
    let bits_u = [0x16b5_0073, 0x1800_0073, 0x1810_0073];
    let causes: Vec<(u64, u64)> = rivet_u.iter().map(|t| (t.0, t.2)).collect();
    assert_eq!(
        causes,
        [(2, bits_u[0]), (2, bits_u[1]), (2, bits_u[2]), (8, 0)],
        "rivet, U-mode"
    );
    assert_eq!(qemu_u[0].0, 2, "QEMU, U-mode sinval.vma: {qemu_u:x?}");
    assert_eq!(qemu_u[0].1, rivet_u[0].1, "the same instruction");
    eprintln!("svinval: QEMU 7.2's traps in U-mode: {qemu_u:x?}");
    // Apart from the trap logs, the runs agree (mepc: both end with the
    // ending ecall).
    for k in 0..2 {
        let strip = |dump: &harness::Dump| -> Vec<(String, String)> {
            dump.snippets[k]
                .entries
                .iter()
                .filter(|(key, _)| !key.starts_with("trap"))
                .cloned()
                .collect()
        };
        assert_eq!(
            strip(&outcome.rivet_dump),
            strip(&outcome.qemu_dump),
            "snippet {k}: registers and memory"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
