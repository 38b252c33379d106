//! The human monitor (QEMU's HMP): commands typed on a character device
//! (`-monitor`, `-mon`, `mon:stdio`) that look at and steer the machine.
//!
//! A device's input thread edits the line ([`MonitorInput`]); the run loop
//! takes finished lines between slices of the guest
//! ([`crate::control::Monitors::run`]), so a command sees the machine
//! between instructions and never races it. The commands themselves are
//! [`Commands`], which QMP's `human-monitor-command` runs too; what they
//! ask of the machine (stop, cont, reset, ...) is carried out by
//! [`crate::control`].
//! The answers are formatted as QEMU 7.2 formats them where rivet has the
//! same thing to show (`info registers`, `x`, `info status`, ...).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use rivet_core::csr::addr as csr;
use rivet_core::machine::ExitReason;
use rivet_core::reg::{FReg, XReg};
use rivet_core::{Hart, PhysAddr};
use rivet_devices::layout::{self, Device};
use rivet_devices::virtio::{device_id, MmioVersion};
use rivet_devices::{VirtConfig, VirtExit, VirtMachine, VirtStop};

use crate::console::Output;
use crate::control::{Doorbell, Request, State};

/// The prompt.
pub const PROMPT: &str = "(qemu) ";

#[derive(Default)]
struct LineState {
    /// The line being typed.
    line: Vec<u8>,
    /// Lines typed and not yet run.
    lines: VecDeque<String>,
    /// The last key was a carriage return (a following line feed is part of it).
    after_cr: bool,
    /// Inside an escape sequence (a cursor key): 1 after ESC, 2 after `ESC [`.
    escape: u8,
    /// The greeting has been shown.
    greeted: bool,
    /// No more input can come.
    ended: bool,
}

/// The monitor's input: a line editor fed by its character device's thread.
#[derive(Default)]
pub struct MonitorInput {
    state: Mutex<LineState>,
    /// Rung when a line is ready or input ends.
    bell: Arc<Doorbell>,
}

impl MonitorInput {
    /// A line editor that rings `bell` when a line is ready.
    pub(crate) fn new(bell: Arc<Doorbell>) -> Self {
        MonitorInput {
            state: Mutex::default(),
            bell,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LineState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The device opened, a client connected or the Ctrl-A keys switched
    /// to the monitor: the greeting the first time, the prompt after.
    pub(crate) fn greet(&self, out: &Output) {
        let mut s = self.lock();
        if s.greeted {
            out.push_text(PROMPT);
        } else {
            s.greeted = true;
            out.push_text(&format!(
                "rivet {} monitor - type 'help' for more information\r\n{PROMPT}",
                env!("CARGO_PKG_VERSION")
            ));
        }
    }

    /// A new client: greeted again.
    pub(crate) fn reconnect(&self) {
        self.lock().greeted = false;
    }

    /// One key typed, echoed to `out`.
    pub(crate) fn key(&self, byte: u8, out: &Output) {
        let mut s = self.lock();
        let after_cr = std::mem::take(&mut s.after_cr);
        if s.escape > 0 {
            s.escape = match (s.escape, byte) {
                (1, b'[' | b'O') => 2,
                (2, 0x20..=0x3f) => 2,
                _ => 0,
            };
            return;
        }
        match byte {
            b'\n' if after_cr => {}
            b'\r' | b'\n' => {
                s.after_cr = byte == b'\r';
                let line = String::from_utf8_lossy(&std::mem::take(&mut s.line)).into_owned();
                s.lines.push_back(line);
                out.push_text("\r\n");
                self.bell.ring();
            }
            0x7f | 0x08 if !s.line.is_empty() => {
                s.line.pop();
                out.push(b"\x08 \x08");
            }
            0x1b => s.escape = 1,
            0x20..=0x7e if s.line.len() < 4096 => {
                s.line.push(byte);
                out.push(&[byte]);
            }
            _ => {}
        }
    }

    /// No more input will come.
    pub(crate) fn end(&self) {
        self.lock().ended = true;
        self.bell.ring();
    }

    /// Wakes the run loop (to see a quit).
    pub(crate) fn wake(&self) {
        self.bell.ring();
    }

    fn take_line(&self) -> Option<String> {
        self.lock().lines.pop_front()
    }

    /// Whether input can still come.
    fn live(&self) -> bool {
        let s = self.lock();
        !s.ended || !s.lines.is_empty()
    }
}

/// The monitor: its device and its commands.
pub struct Monitor {
    input: Arc<MonitorInput>,
    out: Arc<Output>,
    commands: Commands,
}

/// The human monitor's commands, and the state they keep between lines.
pub struct Commands {
    /// The format and unit size `x` and `xp` use when a command gives none.
    last_format: char,
    last_size: usize,
    /// The hart `info registers` and `x` look at.
    cpu: usize,
    config: VirtConfig,
}

/// One line of `help`: the command, its arguments, what it does (QEMU's words).
const COMMANDS: &[(&str, &str, &str)] = &[
    ("cont|c", "", "resume emulation"),
    ("help|?", "[cmd]", "show the help"),
    (
        "info",
        "[subcommand]",
        "show various information about the system state",
    ),
    ("quit|q", "", "quit the emulator"),
    ("stop|s", "", "stop emulation"),
    ("system_powerdown", "", "send system power down event"),
    ("system_reset", "", "reset the system"),
    ("x", "/fmt addr", "virtual memory dump starting at 'addr'"),
    ("xp", "/fmt addr", "physical memory dump starting at 'addr'"),
];

const INFO: &[(&str, &str, &str)] = &[
    ("cpus", "", "show infos for each CPU"),
    ("mtree", "", "show memory tree"),
    ("qtree", "", "show device tree"),
    (
        "registers",
        "[-a|vcpu]",
        "show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to \
         query; show the current CPU's registers if no argument is specified)",
    ),
    ("status", "", "show the current VM status (running|paused)"),
];

fn help_line(prefix: &str, (name, args, what): &(&str, &str, &str)) -> String {
    format!("{prefix}{name} {args} -- {what}\n")
}

impl Monitor {
    /// A monitor on `input` and `out`, for machines built from `config`.
    pub(crate) fn new(input: Arc<MonitorInput>, out: Arc<Output>, config: &VirtConfig) -> Self {
        Monitor {
            input,
            out,
            commands: Commands::new(config),
        }
    }

    /// Whether input can still come.
    pub(crate) fn live(&self) -> bool {
        self.input.live()
    }

    /// Runs the lines typed since the last look; returns how the run ends
    /// if one ends it (`quit`, `system_reset`).
    pub(crate) fn service(&mut self, vm: &mut VirtMachine, state: &mut State) -> Option<VirtExit> {
        while let Some(line) = self.input.take_line() {
            let (text, request) = self.commands.execute(vm, &line, state.paused());
            self.out.push_text(&crlf(&text));
            let exit = request.and_then(|r| state.apply(r));
            match exit {
                Some(ExitReason::Platform(VirtStop::Quit)) => return exit,
                Some(exit) => {
                    self.out.push_text(PROMPT);
                    return Some(exit);
                }
                None => self.out.push_text(PROMPT),
            }
        }
        None
    }
}

impl Commands {
    /// The commands, for machines built from `config`.
    pub(crate) fn new(config: &VirtConfig) -> Self {
        Commands {
            last_format: 'x',
            last_size: 4,
            cpu: 0,
            config: config.clone(),
        }
    }

    /// Chooses the hart `info registers` and `x` look at.
    pub(crate) fn set_cpu(&mut self, cpu: usize) {
        self.cpu = cpu;
    }

    /// Runs one command line (with the guest `paused` or not): its
    /// answer (lines ending in `\n`) and what it asks of the machine.
    pub(crate) fn execute(
        &mut self,
        vm: &VirtMachine,
        line: &str,
        paused: bool,
    ) -> (String, Option<Request>) {
        let line = line.trim();
        if line.is_empty() {
            return (String::new(), None);
        }
        // The command is the leading word; `x/4xg` needs no space.
        let split = line
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(line.len());
        let (name, rest) = line.split_at(split);
        let rest = rest.trim();
        let takes_arguments = matches!(name, "help" | "?" | "info" | "x" | "xp");
        let known = takes_arguments
            || COMMANDS
                .iter()
                .any(|(n, _, _)| n.split('|').any(|alias| alias == name));
        if known && !takes_arguments && !rest.is_empty() {
            return (
                format!(
                    "{name}: extraneous characters at the end of line\nTry \"help {name}\" for more information\n"
                ),
                None,
            );
        }
        let done = |text: String| (text, None);
        match name {
            "help" | "?" => done(help(rest)),
            "info" => done(self.info(vm, rest, paused)),
            "x" | "xp" => done(
                self.dump(vm, rest, name == "xp")
                    .unwrap_or_else(|e| format!("{e}\nTry \"help {name}\" for more information\n")),
            ),
            "stop" | "s" => (String::new(), Some(Request::Stop)),
            "cont" | "c" => (String::new(), Some(Request::Cont)),
            "system_reset" => (String::new(), Some(Request::Reset)),
            "system_powerdown" => (String::new(), Some(Request::Powerdown)),
            "quit" | "q" => (String::new(), Some(Request::Quit)),
            _ => done(format!("unknown command: '{name}'\n")),
        }
    }

    /// `info SUBCOMMAND`.
    fn info(&mut self, vm: &VirtMachine, rest: &str, paused: bool) -> String {
        let mut words = rest.split_whitespace();
        let sub = words.next().unwrap_or_default();
        let args: Vec<&str> = words.collect();
        let harts = vm.machine.harts.len();
        match (sub, args.as_slice()) {
            ("", _) => INFO.iter().map(|c| help_line("info ", c)).collect(),
            ("status", []) => format!("VM status: {}\n", if paused { "paused" } else { "running" }),
            ("cpus", []) => {
                // Every hart runs on rivet's one emulation thread, the main one.
                let tid = std::process::id();
                (0..harts)
                    .map(|i| {
                        let mark = if i == self.cpu { '*' } else { ' ' };
                        format!("{mark} CPU #{i}: thread_id={tid}\n")
                    })
                    .collect()
            }
            ("registers", []) => registers(&vm.machine.harts[self.cpu.min(harts - 1)]),
            ("registers", ["-a"]) => vm.machine.harts.iter().map(registers).collect(),
            ("registers", [n]) => match n.parse::<usize>() {
                Ok(i) if i < harts => registers(&vm.machine.harts[i]),
                _ => format!("CPU#{n} not available\n"),
            },
            ("mtree", []) => mtree(vm),
            ("qtree", []) => self.qtree(vm),
            ("status" | "cpus" | "mtree" | "qtree" | "registers", _) => {
                format!("info {sub}: too many arguments\nTry \"help info\" for more information\n")
            }
            _ => format!("unknown command: 'info {sub}'\n"),
        }
    }

    /// `info qtree`: the board's devices, as QEMU's device tree lists them.
    fn qtree(&self, vm: &VirtMachine) -> String {
        let harts = vm.machine.harts.len();
        let mut s = String::from("bus: main-system-bus\n  type System\n");
        let mmio = |s: &mut String, device: Device| {
            if let Some((_, r)) = layout::MEMORY_MAP.iter().find(|(d, _)| *d == device) {
                let _ = writeln!(s, "    mmio {:016x}/{:016x}", r.base, r.size);
            }
        };
        s.push_str("  dev: goldfish_rtc, id \"\"\n    gpio-out \"sysbus-irq\" 1\n");
        mmio(&mut s, Device::Rtc);
        s.push_str(
            "  dev: serial-mm, id \"\"\n    gpio-out \"sysbus-irq\" 1\n    regshift = 0 (0x0)\n",
        );
        mmio(&mut s, Device::Uart0);
        for (slot, transport) in vm.machine.platform.virtio().iter().enumerate().rev() {
            let legacy = transport.version() == MmioVersion::Legacy;
            let _ = writeln!(
                s,
                "  dev: virtio-mmio, id \"\"\n    gpio-out \"sysbus-irq\" 1\n    force-legacy = {legacy}"
            );
            mmio(&mut s, Device::Virtio(slot));
            let _ = writeln!(
                s,
                "    bus: virtio-mmio-bus.{slot}\n      type virtio-mmio-bus"
            );
            match transport.device_id() {
                device_id::BLOCK => {
                    let _ = writeln!(s, "      dev: virtio-blk-device, id \"\"");
                    if let Some(drive) = self.config.drives.iter().find(|d| d.slot == slot) {
                        let _ = writeln!(s, "        drive = \"{}\"", drive.id);
                    }
                }
                device_id::NET => {
                    let _ = writeln!(s, "      dev: virtio-net-device, id \"\"");
                    if let Some(nic) = self.config.nics.iter().find(|n| n.slot == slot) {
                        let m = nic.mac;
                        let _ = writeln!(
                            s,
                            "        mac = \"{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\"",
                            m[0], m[1], m[2], m[3], m[4], m[5]
                        );
                    }
                }
                device_id::ENTROPY => {
                    let _ = writeln!(s, "      dev: virtio-rng-device, id \"\"");
                }
                device_id::NINEP => {
                    let _ = writeln!(s, "      dev: virtio-9p-device, id \"\"");
                    if let Some(share) = self.config.shares.iter().find(|d| d.slot == slot) {
                        let _ = writeln!(s, "        mount_tag = \"{}\"", share.tag);
                    }
                }
                device_id::CONSOLE => {
                    let _ = writeln!(s, "      dev: virtio-serial-device, id \"\"");
                }
                _ => {}
            }
        }
        s.push_str("  dev: riscv.sifive.test, id \"\"\n");
        mmio(&mut s, Device::TestFinisher);
        let _ = writeln!(
            s,
            "  dev: riscv.sifive.plic, id \"\"\n    hart-config = \"{}\"\n    num-sources = {n} ({n:#x})",
            vec!["MS"; harts].join(","),
            n = layout::PLIC_SOURCES + 1
        );
        mmio(&mut s, Device::Plic);
        let _ = writeln!(
            s,
            "  dev: riscv.sifive.clint, id \"\"\n    num-harts = {harts} ({harts:#x})\n    timebase-freq = 10000000 (0x989680)"
        );
        mmio(&mut s, Device::Clint);
        let _ = writeln!(
            s,
            "  dev: riscv.hart_array, id \"\"\n    num-harts = {harts} ({harts:#x})\n    hartid-base = 0 (0x0)\n    cpu-type = \"rv64-riscv-cpu\"\n    resetvec = {r} ({r:#x})",
            r = layout::BOOT_ROM.base
        );
        s
    }

    /// `x /FMT ADDR` and `xp /FMT ADDR`.
    fn dump(&mut self, vm: &VirtMachine, rest: &str, physical: bool) -> Result<String, String> {
        let (fmt, expr) = match rest.strip_prefix('/') {
            Some(f) => f.split_once(char::is_whitespace).unwrap_or((f, "")),
            None => ("", rest),
        };
        let digits: String = fmt.chars().take_while(char::is_ascii_digit).collect();
        let count: usize = if digits.is_empty() {
            1
        } else {
            digits
                .parse()
                .map_err(|_| format!("invalid count in format: '{digits}'"))?
        };
        let mut format = self.last_format;
        let mut size = None;
        for c in fmt[digits.len()..].chars() {
            match c {
                'x' | 'd' | 'u' | 'o' | 'c' | 'i' => format = c,
                'b' => size = Some(1),
                'h' => size = Some(2),
                'w' => size = Some(4),
                'g' => size = Some(8),
                _ => return Err(format!("invalid char in format: '{c}'")),
            }
        }
        let size = size.unwrap_or(self.last_size);
        let hart = &vm.machine.harts[self.cpu.min(vm.machine.harts.len() - 1)];
        let addr = expression(expr.trim(), hart)?;
        self.last_format = format;
        self.last_size = size;
        let m = &vm.machine;
        let read = |addr: u64, buf: &mut [u8]| -> bool {
            if physical {
                m.memory.read(PhysAddr::new(addr), buf).is_ok()
                    || rivet_core::Bus::peek(&m.platform, PhysAddr::new(addr), buf)
            } else {
                hart.debug_read(&m.memory, &m.platform, addr, buf) == buf.len()
            }
        };
        // At most 64 KiB: a typo in the count must not flood the line.
        let count = count.min(65536 / size.max(1));
        let mut s = String::new();
        if format == 'i' {
            let mut pc = addr;
            for _ in 0..count {
                let mut half = [0u8; 2];
                if !read(pc, &mut half) {
                    let _ = writeln!(s, "0x{pc:016x}:  Cannot access memory");
                    break;
                }
                let low = u16::from_le_bytes(half);
                let (bits, len, hex) = if low & 3 == 3 {
                    let mut word = [0u8; 4];
                    if !read(pc, &mut word) {
                        let _ = writeln!(s, "0x{pc:016x}:  Cannot access memory");
                        break;
                    }
                    let w = u32::from_le_bytes(word);
                    (w, 4, format!("{w:08x}"))
                } else {
                    (u32::from(low), 2, format!("{low:04x}"))
                };
                let text = rivet_core::disassemble(bits, pc);
                let (mnemonic, operands) = text.split_once(' ').unwrap_or((&text, ""));
                let _ = writeln!(s, "0x{pc:016x}:  {hex:<18}{mnemonic:<24}{operands}").map(|_| ());
                pc = pc.wrapping_add(len);
            }
            // Trailing spaces of an instruction without operands.
            return Ok(s.lines().map(|l| format!("{}\n", l.trim_end())).collect());
        }
        let mut len = size * count;
        let line_size = if size == 1 { 8 } else { 16 };
        let unit = if format == 'c' { 1 } else { size };
        let digits = match format {
            'o' => (unit * 8).div_ceil(3),
            'u' | 'd' => (unit * 8 * 10).div_ceil(33),
            _ => unit * 2,
        };
        let mut at = addr;
        while len > 0 {
            let _ = write!(s, "{at:016x}:");
            let l = len.min(line_size);
            let mut buf = vec![0u8; l];
            if !read(at, &mut buf) {
                s.push_str(" Cannot access memory\n");
                break;
            }
            for chunk in buf.chunks(unit) {
                let mut b = [0u8; 8];
                b[..chunk.len()].copy_from_slice(chunk);
                let v = u64::from_le_bytes(b);
                s.push(' ');
                let _ = match format {
                    'o' => write!(s, "{:>digits$}", format!("0{v:o}")),
                    'u' => write!(s, "{v:>digits$}"),
                    'd' => write!(s, "{:>digits$}", v as i64),
                    'c' => write!(s, "{}", printc(chunk[0])),
                    _ => write!(s, "0x{v:0digits$x}"),
                };
            }
            s.push('\n');
            at = at.wrapping_add(l as u64);
            len -= l;
        }
        Ok(s)
    }
}

/// A character as QEMU's monitor prints one: quoted, escaped.
fn printc(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'\\' => "'\\\\'".into(),
        b'\n' => "'\\n'".into(),
        b'\r' => "'\\r'".into(),
        0x20..=0x7e => format!("'{}'", c as char),
        _ => format!("'\\x{c:02x}'"),
    }
}

/// Evaluates an address: numbers (C syntax: `0x` hex, leading-`0` octal,
/// decimal) and registers (`$pc`, `$sp`, `$x5`), joined by `+` and `-`.
fn expression(text: &str, hart: &Hart) -> Result<u64, String> {
    if text.is_empty() {
        return Err("unexpected end of expression".into());
    }
    let mut total = 0u64;
    let mut sign = 1i8;
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let end = rest.find(['+', '-']).unwrap_or(rest.len());
        let (term, after) = rest.split_at(end);
        let term = term.trim();
        if term.is_empty() {
            return Err("unexpected end of expression".into());
        }
        let value = if let Some(reg) = term.strip_prefix('$') {
            if reg == "pc" {
                hart.pc()
            } else {
                hart.x(XReg::from_name(reg).ok_or("unknown register")?)
            }
        } else {
            let parsed = if let Some(hex) = term.strip_prefix("0x").or(term.strip_prefix("0X")) {
                u64::from_str_radix(hex, 16)
            } else if term.len() > 1 && term.starts_with('0') {
                u64::from_str_radix(&term[1..], 8)
            } else {
                term.parse()
            };
            parsed.map_err(|_| "invalid char in expression".to_string())?
        };
        total = if sign > 0 {
            total.wrapping_add(value)
        } else {
            total.wrapping_sub(value)
        };
        match after.chars().next() {
            None => return Ok(total),
            Some(op) => {
                sign = if op == '+' { 1 } else { -1 };
                rest = &after[1..];
            }
        }
    }
}

/// `help [CMD]`.
fn help(rest: &str) -> String {
    match rest {
        "" => COMMANDS.iter().map(|c| help_line("", c)).collect(),
        "info" => INFO.iter().map(|c| help_line("info ", c)).collect(),
        name => match COMMANDS
            .iter()
            .find(|(n, _, _)| n.split('|').any(|alias| alias == name))
        {
            Some(c) => help_line("", c),
            None => format!("unknown command: '{name}'\n"),
        },
    }
}

/// `info registers` for one hart, as QEMU 7.2 prints a RISC-V CPU's
/// (without the hypervisor extension's registers, which rivet's hart lacks).
fn registers(h: &Hart) -> String {
    let mut s = format!("\nCPU#{}\n", h.hart_id());
    let _ = writeln!(s, " {:<8} {:016x}", "pc", h.pc());
    let csrs = [
        ("mhartid", csr::MHARTID),
        ("mstatus", csr::MSTATUS),
        ("mip", csr::MIP),
        ("mie", csr::MIE),
        ("mideleg", csr::MIDELEG),
        ("medeleg", csr::MEDELEG),
        ("mtvec", csr::MTVEC),
        ("stvec", csr::STVEC),
        ("mepc", csr::MEPC),
        ("sepc", csr::SEPC),
        ("mcause", csr::MCAUSE),
        ("scause", csr::SCAUSE),
        ("mtval", csr::MTVAL),
        ("stval", csr::STVAL),
        ("mscratch", csr::MSCRATCH),
        ("sscratch", csr::SSCRATCH),
        ("satp", csr::SATP),
    ];
    for (name, addr) in csrs {
        let value = if addr == csr::MIP {
            h.mip()
        } else {
            h.csr(addr).unwrap_or(0)
        };
        let _ = writeln!(s, " {name:<8} {value:016x}");
    }
    for r in XReg::all() {
        let name = format!("x{}/{}", r.index(), r.abi_name());
        let _ = write!(s, " {name:<8} {:016x}", h.x(r));
        if r.index() % 4 == 3 {
            s.push('\n');
        }
    }
    for r in FReg::all() {
        let name = format!("f{}/{}", r.index(), r.abi_name());
        let _ = write!(s, " {name:<8} {:016x}", h.f(r));
        if r.index() % 4 == 3 {
            s.push('\n');
        }
    }
    s
}

/// `info mtree`: the board's address map, as QEMU prints its memory regions.
fn mtree(vm: &VirtMachine) -> String {
    let mut s = String::new();
    for i in 0..vm.machine.harts.len() {
        let _ = writeln!(s, "address-space: cpu-memory-{i}");
    }
    s.push_str(
        "address-space: memory\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n",
    );
    let ram = vm.machine.memory.size();
    for (device, r) in layout::MEMORY_MAP {
        let (kind, name) = match device {
            Device::BootRom => ("rom", "riscv_virt_board.mrom".to_string()),
            Device::TestFinisher => ("i/o", "riscv.sifive.test".into()),
            Device::Rtc => ("i/o", "goldfish_rtc".into()),
            Device::Clint => ("i/o", "riscv.sifive.clint".into()),
            Device::Plic => ("i/o", "riscv.sifive.plic".into()),
            Device::Uart0 => ("i/o", "serial".into()),
            Device::Virtio(_) => ("i/o", "virtio-mmio".into()),
            Device::Ram => ("ram", "riscv_virt_board.ram".into()),
        };
        let size = if device == Device::Ram { ram } else { r.size };
        let _ = writeln!(
            s,
            "    {:016x}-{:016x} (prio 0, {kind}): {name}",
            r.base,
            r.base + size - 1
        );
    }
    s.push('\n');
    s
}

/// `\n` as `\r\n`, as QEMU's monitor writes lines.
pub(crate) fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_printed_as_qemu_prints_them() {
        assert_eq!(printc(b'r'), "'r'");
        assert_eq!(printc(b'\n'), "'\\n'");
        assert_eq!(printc(0), "'\\x00'");
        assert_eq!(printc(b'\''), "'\\''");
    }

    #[test]
    fn help_lists_commands_as_qemu_does() {
        assert_eq!(
            help("x"),
            "x /fmt addr -- virtual memory dump starting at 'addr'\n"
        );
        assert_eq!(help("c"), "cont|c  -- resume emulation\n");
        assert_eq!(help("foo"), "unknown command: 'foo'\n");
        assert!(
            help("info").contains("info status  -- show the current VM status (running|paused)\n")
        );
    }
}
