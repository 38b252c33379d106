//! rivet's GDB stub, driven by the real GDB (`gdb-multiarch -batch`) as a
//! person debugging a bare-metal program would: breakpoints in software
//! and in "hardware", single steps, registers and CSRs read and written,
//! memory through the hart's view, write and read watchpoints, every hart
//! a thread, Ctrl-C, detach and reconnect, kill, the monitor, and the
//! guest's exit code reaching GDB. The program is test-roms/src/gdb-target.c.
//! (xv6 and Linux under GDB are in xv6.rs and linux.rs.)

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::gdb::{gdb, gdb_interrupted, stub_address};
use common::guest::Guest;
use common::test_roms;

const LIMIT: Duration = Duration::from_secs(60);

fn program() -> PathBuf {
    test_roms().join("gdb-target.elf")
}

/// rivet on the debug target program, waiting for GDB at `gdb_spec`.
fn rivet(extra: &[&str], gdb_spec: &[&str]) -> Guest {
    let mut args: Vec<String> = [
        "-M",
        "virt",
        "-bios",
        "none",
        "-nographic",
        "-m",
        "64M",
        "-S",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().chain(gdb_spec).map(|s| s.to_string()));
    args.extend(["-kernel".to_string(), program().display().to_string()]);
    Guest::start(&args)
}

/// Asserts that `text` contains each of `wanted`, in order.
fn assert_in_order(text: &str, wanted: &[&str]) {
    let mut rest = text;
    for w in wanted {
        match rest.find(w) {
            Some(at) => rest = &rest[at + w.len()..],
            None => panic!("GDB's transcript lacks {w:?} (in order):\n{text}"),
        }
    }
}

#[test]
fn breakpoints_steps_registers_memory_and_watchpoints_over_a_unix_socket() {
    let socket = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("gdb-test.sock");
    let spec = format!("unix:{},server", socket.display());
    let mut rivet = rivet(&["-smp", "2"], &["-gdb", &spec]);
    let address = stub_address(&mut rivet);
    assert_eq!(address, socket.display().to_string());
    let script = format!(
        "target remote {address}
info threads
break bump
continue
info threads
thread 2
p/x $pc
thread 1
p i
stepi
stepi
p (long)$pc - (long)bump
set var bias = 1
p $priv
set $t6 = 0x1234
p/x $t6
p/x $mstatus
p/x $misa
p/x $fcsr
x/2xw bump
watch counter
continue
continue
delete
rwatch bias
continue
delete
awatch history
continue
delete
hbreak bump
continue
p i
delete
x/1xh answer
set var *(unsigned short *)answer = 0x4515
x/1xh answer
continue
"
    );
    let (run, text) = gdb(Some(&program()), &script, LIMIT);
    assert!(!run.timed_out, "{text}");
    assert_in_order(
        &text,
        &[
            // Both harts are threads, stopped before the first instruction.
            "Thread 1.1 (hart 0, M-mode)",
            "Thread 1.2 (hart 1, M-mode)",
            "Thread 1 hit Breakpoint 1, bump (i=i@entry=1)",
            "[Switching to thread 2 (Thread 1.2)]",
            "$1 = 0x80000000",
            "$2 = 1",
            // Two single steps: bump begins with auipc and addi (the
            // address of `counter`), 4 bytes each.
            "$3 = 8",
            "$4 = 3",
            "$5 = 0x1234",
            "$6 = 0x",
            "$7 = 0x800000000014112d",
            "$8 = 0x0",
            // The write watchpoint reports after the store (the value
            // GDB read before and the one written: 1 + bias 1).
            "Hardware watchpoint 2: counter",
            "Old value = 0",
            "New value = 2",
            "Thread 1 hit Breakpoint 1, bump (i=i@entry=2)",
            "Hardware read watchpoint 3: bias",
            "Value = 1",
            // A 64-byte range: bump(2) stores history[2] = 2 + 2 + 1.
            "Hardware access (read/write) watchpoint 4: history",
            "New value = {0, 2, 5, 0, 0, 0, 0, 0}",
            "Hardware assisted breakpoint 5",
            "hit Breakpoint 5, bump (i=i@entry=3)",
            "$9 = 3",
            // answer() is `li a0, 0` (c.li: 0x4501), already run once and
            // so decoded; GDB patches it to `li a0, 5` (0x4515).
            "<answer>:\t0x4501",
            "<answer>:\t0x4515",
            // bias = 1 on ten calls, and answer() now 5: the program's
            // result is 65 + 5 - 55 = 15.
            "exited with code 017",
        ],
    );
    assert_eq!(rivet.wait_exit(LIMIT), Some(15), "{}", rivet.transcript());
}

#[test]
fn ctrl_c_interrupts_detach_leaves_it_running_and_a_new_gdb_reconnects() {
    let mut rivet = rivet(&[], &["-gdb", "tcp::0"]);
    let address = stub_address(&mut rivet);
    // The first GDB makes the program wait in a loop, lets it run, and
    // interrupts it with Ctrl-C (SIGINT to GDB, which sends 0x03).
    let script = format!(
        "target remote {address}
break test_main
continue
delete
set var hold = 1
continue
p hold
detach
"
    );
    let (out, err) = gdb_interrupted("gdb-ctrl-c", &program(), &script, Duration::from_secs(3));
    let text = format!("{out}{err}");
    assert_in_order(
        &text,
        &[
            "Breakpoint 1, test_main ()",
            "Program received signal SIGINT",
            "$1 = 1",
            "[Inferior 1 (process 1) detached]",
        ],
    );
    // Detached, the guest runs on (still waiting); a second GDB connects,
    // finds it in the loop, lets it go and hears it exit.
    std::thread::sleep(Duration::from_millis(300));
    let (_, text) = gdb(
        Some(&program()),
        &format!("target remote {address}\np hold\nset var hold = 0\ncontinue\n"),
        LIMIT,
    );
    assert_in_order(&text, &["test_main ()", "$1 = 1", "exited normally"]);
    assert_eq!(rivet.wait_exit(LIMIT), Some(0), "{}", rivet.transcript());
}

#[test]
fn dash_s_listens_on_port_1234_and_kill_ends_rivet() {
    let mut rivet = rivet(&[], &["-s"]);
    assert_eq!(stub_address(&mut rivet), "127.0.0.1:1234");
    let (_, text) = gdb(
        Some(&program()),
        "target remote :1234\np/x $pc\nkill\n",
        LIMIT,
    );
    assert_in_order(
        &text,
        &["$1 = 0x80000000", "[Inferior 1 (process 1) killed]"],
    );
    assert_eq!(rivet.wait_exit(LIMIT), Some(0), "{}", rivet.transcript());
}

#[test]
fn monitor_commands_show_registers_physical_memory_and_translations() {
    let mut rivet = rivet(&[], &["-gdb", "tcp::0"]);
    let address = stub_address(&mut rivet);
    let script = format!(
        "target remote {address}
break bump
continue
monitor help
monitor info registers 0
monitor xp /2xw 0x80000000
x/2xw 0x80000000
monitor info tlb 0
monitor info mem
monitor phys on
x/1xw 0x80000000
monitor nonsense
kill
"
    );
    let (_, text) = gdb(Some(&program()), &script, LIMIT);
    // The first two instruction words of crt0, as GDB itself reads them.
    let words = text
        .lines()
        .find(|l| l.starts_with("0x80000000 <_start>:"))
        .unwrap_or_else(|| panic!("no x/2xw line:\n{text}"));
    let words: Vec<&str> = words.split_whitespace().skip(2).collect();
    assert_eq!(words.len(), 2, "{text}");
    assert_in_order(
        &text,
        &[
            "info registers [HART]",
            "hart 0: pc 00000000800",
            "  mode M",
            "mstatus",
            "mtvec 0000000080000800",
            &format!("0000000080000000: {} {}", words[0], words[1]),
            "hart 0:",
            "TLB entries",
            "translation is off (Bare)",
            "physical addressing is on",
            "unknown command: nonsense",
        ],
    );
    assert_eq!(rivet.wait_exit(LIMIT), Some(0));
}

#[test]
fn bad_gdb_addresses_are_refused_with_a_message() {
    for spec in ["tcp::notaport", "unix:", "tcp::1,bogus"] {
        let run = common::run_rivet(
            &[
                "-M",
                "virt",
                "-bios",
                "none",
                "-gdb",
                spec,
                "-kernel",
                "/dev/null",
            ],
            b"",
            LIMIT,
        );
        assert_eq!(run.code, Some(1), "{spec}: {run:?}");
        assert!(run.stderr.contains("-gdb"), "{spec}: {run:?}");
    }
    let run = common::run_rivet(
        &["-M", "virt", "-bios", "none", "-S", "-kernel", "/dev/null"],
        b"",
        LIMIT,
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("-S waits for a debugger"), "{run:?}");
}

#[test]
fn help_lists_gdb_at_the_start_of_a_line_as_xv6s_makefile_probes() {
    let run = common::run_rivet(&["-help"], b"", LIMIT);
    assert_eq!(run.code, Some(0));
    assert!(
        run.stdout.lines().any(|l| l.starts_with("-gdb")),
        "{}",
        run.stdout
    );
}

#[test]
fn monitor_stop_holds_a_hart_back_until_cont() {
    let mut rivet = rivet(&[], &["-gdb", "tcp::0"]);
    let address = stub_address(&mut rivet);
    let script = format!(
        "target remote {address}
break test_main
continue
delete
set var hold = 1
p/x $pc
monitor stop 0
continue
p/x $pc
monitor cont
set var hold = 0
continue
"
    );
    // The monitor's answers come on GDB's standard error, the rest on its
    // standard output: each stream keeps its own order.
    let (text, monitor) = gdb_interrupted(
        "gdb-monitor-stop",
        &program(),
        &script,
        Duration::from_secs(3),
    );
    assert_in_order(
        &monitor,
        &[
            "held back when gdb continues: hart 0",
            "every hart runs when gdb continues",
        ],
    );
    // Held back, the hart has not moved when Ctrl-C stops the machine:
    // the same pc twice. Let go, it runs to its end.
    let pcs: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("$1 = ").or_else(|| l.strip_prefix("$2 = ")))
        .collect();
    assert_eq!(pcs.len(), 2, "{text}");
    assert_eq!(pcs[0], pcs[1], "{text}");
    assert_in_order(
        &text,
        &["Program received signal SIGINT", "exited normally"],
    );
    assert_eq!(rivet.wait_exit(LIMIT), Some(0), "{}", rivet.transcript());
}
