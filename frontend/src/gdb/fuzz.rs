//! The stub against a hostile client: at least 100,000 random packets per
//! run (well-formed commands with random arguments, bad checksums,
//! truncated, oversized and out-of-order packets, raw bytes, Ctrl-C and
//! acknowledgements), over an in-memory connection, into a live machine.
//! Whatever arrives, the stub must answer or end the session: never panic,
//! never hang.

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use gdbstub::conn::{Connection, ConnectionExt};
use rivet_core::bits::{low_u8, to_usize};
use rivet_devices::boot::{BootConfig, Firmware};
use rivet_devices::{BufferConsole, VirtConfig, VirtMachine};

use super::DebugTarget;
use crate::run::RunError;

/// A client's bytes, fed to the stub one by one; the stub's replies are
/// kept. At the end of the bytes the client "disconnects".
struct ScriptedClient {
    input: Vec<u8>,
    /// How many bytes the stub has read (shared with the test).
    at: Rc<Cell<usize>>,
    /// How many bytes the stub has written (shared with the test).
    replies: Rc<Cell<usize>>,
}

impl Connection for ScriptedClient {
    type Error = io::Error;

    fn write(&mut self, _byte: u8) -> io::Result<()> {
        self.replies.set(self.replies.get() + 1);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl ConnectionExt for ScriptedClient {
    fn read(&mut self) -> io::Result<u8> {
        let byte = self.peek()?.ok_or(io::ErrorKind::UnexpectedEof)?;
        self.at.set(self.at.get() + 1);
        Ok(byte)
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        match self.input.get(self.at.get()) {
            Some(b) => Ok(Some(*b)),
            None => Err(io::ErrorKind::UnexpectedEof.into()),
        }
    }
}

/// xorshift64*: a small deterministic generator (the seed is printed, so a
/// failure can be replayed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn hex(&mut self, max_digits: u64) -> String {
        let digits = 1 + self.below(max_digits);
        (0..digits)
            .map(|_| format!("{:x}", self.below(16)))
            .collect()
    }

    /// An address: mostly in RAM or near it, sometimes anywhere.
    fn addr(&mut self) -> String {
        match self.below(4) {
            0 => self.hex(16),
            1 => format!("{:x}", 0x1000 + self.below(0x100)),
            _ => format!("{:x}", 0x8000_0000 + self.below(0x2_0000)),
        }
    }
}

/// One packet's payload: a command GDB might send, with random arguments.
fn command(rng: &mut Rng) -> String {
    let tid = match rng.below(5) {
        0 => "-1".to_string(),
        1 => "0".to_string(),
        _ => format!("{:x}", rng.below(4)),
    };
    // Commands that end the session (27..=30) come rarely, so that most
    // packets meet a session in progress.
    let mut pick = rng.below(32);
    if (27..=30).contains(&pick) && rng.below(8) != 0 {
        pick = rng.below(27);
    }
    match pick {
        0 => "g".into(),
        1 => format!("G{}", rng.hex(600)),
        2 => format!("m{},{}", rng.addr(), rng.hex(4)),
        3 => {
            let data = rng.hex(64);
            format!("M{},{:x}:{data}", rng.addr(), data.len() / 2)
        }
        4 => format!("p{}", rng.hex(4)),
        5 => format!("P{}={}", rng.hex(4), rng.hex(20)),
        6 => format!("Z{},{},{}", rng.below(6), rng.addr(), rng.below(9)),
        7 => format!("z{},{},{}", rng.below(6), rng.addr(), rng.below(9)),
        8 => format!("vCont;s:{tid}"),
        9 => format!("vCont;s:{tid};c"),
        10 => "vCont;c".into(),
        11 => "c".into(),
        12 => "s".into(),
        13 => format!("Hg{tid}"),
        14 => format!("Hc{tid}"),
        15 => format!("T{tid}"),
        16 => "qfThreadInfo".into(),
        17 => "qsThreadInfo".into(),
        18 => format!(
            "qXfer:features:read:target.xml:{},{}",
            rng.hex(5),
            rng.hex(5)
        ),
        19 => {
            let cmds = [
                "help",
                "info registers",
                "info mem",
                "info tlb 0",
                "xp /4xg 0x80000000",
                "phys on",
                "phys off",
                "xp /99999999xg 0",
            ];
            let cmd = cmds[to_usize(rng.below(cmds.len() as u64))];
            let hex: String = cmd.bytes().map(|b| format!("{b:02x}")).collect();
            format!("qRcmd,{hex}")
        }
        20 => "qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=riscv".into(),
        21 => "?".into(),
        22 => "vCont?".into(),
        23 => format!("qThreadExtraInfo,{tid}"),
        24 => "qAttached".into(),
        25 => "QStartNoAckMode".into(),
        26 => format!("X{},{}:{}", rng.addr(), rng.hex(2), rng.hex(8)),
        27 => "D".into(),
        28 => "vKill;1".into(),
        29 => "k".into(),
        30 => "R00".into(),
        _ => (0..rng.below(40))
            .map(|_| char::from(0x20 + low_u8(rng.below(0x5f))))
            .collect(),
    }
}

/// A packet with its framing, correct or damaged.
fn packet(rng: &mut Rng) -> Vec<u8> {
    let payload = command(rng);
    let sum = payload.bytes().fold(0u8, |a, b| a.wrapping_add(b));
    match rng.below(16) {
        // A wrong checksum.
        0 => format!("${payload}#{:02x}", sum.wrapping_add(1)).into_bytes(),
        // Truncated.
        1 => {
            let full = format!("${payload}#{sum:02x}");
            full.as_bytes()[..to_usize(rng.below(full.len() as u64))].to_vec()
        }
        // Oversized: far beyond the packet buffer.
        2 => {
            let big = "a".repeat(5000 + to_usize(rng.below(20_000)));
            let s = big.bytes().fold(0u8, |a, b| a.wrapping_add(b));
            format!("$m{big}#{s:02x}").into_bytes()
        }
        // Raw bytes: garbage, Ctrl-C, acknowledgements.
        3 => (0..rng.below(12)).map(|_| low_u8(rng.next())).collect(),
        4 => vec![0x03],
        5 => vec![if rng.below(2) == 0 { b'+' } else { b'-' }],
        _ => format!("${payload}#{sum:02x}").into_bytes(),
    }
}

/// A machine running a one-instruction loop (`j .`) at the start of RAM.
fn machine(dir: &std::path::Path) -> VirtMachine {
    let kernel = dir.join("fuzz-loop.bin");
    std::fs::write(&kernel, 0x0000_006f_u32.to_le_bytes()).expect("write the loop");
    let config = VirtConfig {
        ram_size: 16 << 20,
        harts: 2,
        boot: BootConfig {
            bios: Some(Firmware::None),
            kernel: Some(kernel),
            ..BootConfig::default()
        },
        ..VirtConfig::default()
    };
    VirtMachine::new(&config, Box::new(BufferConsole::new())).expect("build the machine")
}

#[test]
fn a_hundred_thousand_random_packets_neither_panic_nor_hang() {
    const PACKETS: usize = 100_000;
    const PER_SESSION: usize = 500;
    let seed = std::env::var("RIVET_GDB_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x0005_eed0_f6db_u64);
    eprintln!("gdb fuzz seed {seed} (RIVET_GDB_FUZZ_SEED replays it)");
    let mut rng = Rng(seed | 1);
    let dir = std::env::temp_dir().join(format!("rivet-gdb-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut vm = machine(&dir);
    let mut rebuild = |_old: VirtMachine| -> Result<(VirtMachine, Option<u64>), RunError> {
        Ok((machine(&dir), None))
    };
    let (mut consumed, mut sessions, mut replies) = (0, 0, 0);
    let (at, written) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    while consumed < PACKETS {
        // A session: a burst of packets (the first one a real greeting,
        // now and then), until the stub ends it or the bytes run out.
        let mut input = Vec::new();
        let mut ends = Vec::new();
        if rng.below(2) == 0 {
            input.extend_from_slice(b"+$qSupported:swbreak+;hwbreak+#00");
        }
        for _ in 0..PER_SESSION {
            input.extend(packet(&mut rng));
            ends.push(input.len());
        }
        let mut target = DebugTarget::new(vm, None, &mut rebuild);
        target.set_poll_interval(Duration::ZERO);
        at.set(0);
        let client: Box<dyn ConnectionExt<Error = io::Error>> = Box::new(ScriptedClient {
            input,
            at: Rc::clone(&at),
            replies: Rc::clone(&written),
        });
        // The outcome does not matter (a disconnect, a kill, an error for
        // a broken connection): only that there is one.
        let _ = super::serve(&mut target, client);
        vm = target.into_vm().expect("the fuzz machine always rebuilds");
        sessions += 1;
        // Count the packets the stub read whole before the session ended.
        consumed += ends.iter().filter(|&&end| end <= at.get()).count();
        replies = written.get();
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(consumed >= PACKETS);
    // The stub answered (a run that only ever closed the connection would
    // test nothing).
    assert!(
        replies > consumed,
        "{replies} reply bytes for {consumed} packets"
    );
    eprintln!("{consumed} packets read in {sessions} sessions, {replies} bytes of replies");
}

#[test]
fn a_client_cannot_set_unbounded_breakpoints_or_watchpoints() {
    use gdbstub::target::ext::breakpoints::{HwWatchpoint, SwBreakpoint, WatchKind};
    let dir = std::env::temp_dir().join(format!("rivet-gdb-caps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut rebuild = |_old: VirtMachine| -> Result<(VirtMachine, Option<u64>), RunError> {
        Err(RunError::Guest("no resets here".into()))
    };
    let mut target = DebugTarget::new(machine(&dir), None, &mut rebuild);
    let set = (0..70_000u64)
        .filter(|i| matches!(target.add_sw_breakpoint(0x8000_0000 + 2 * i, 2), Ok(true)))
        .count();
    assert_eq!(set, 65_536);
    let set = (0..2000u64)
        .filter(|i| {
            matches!(
                target.add_hw_watchpoint(0x8010_0000 + 8 * i, 8, WatchKind::Write),
                Ok(true)
            )
        })
        .count();
    assert_eq!(set, 1024);
    // Gone with the session: the machine is left without any.
    let vm = target.into_vm().expect("no reset happened");
    assert!(vm
        .machine
        .harts
        .iter()
        .all(|h| h.breakpoints().next().is_none() && h.watchpoints().is_empty()));
    let _ = std::fs::remove_dir_all(&dir);
}
