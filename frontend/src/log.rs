//! The `-d` log, as QEMU spells it: which events to log (`-d int,unimp`),
//! where (`-D FILE`, else standard error), and `-d help`.
//!
//! rivet logs from the hart's hooks (see `rivet_core::hooks`):
//!
//! - the trap hook: every trap (`int`), and among them the ones that tell
//!   of something the guest did wrong or rivet does not implement
//!   (`unimp`, `guest_errors`, `mmu`);
//! - the instruction hook: each instruction the first time it runs at its
//!   address with its bits (`in_asm`), as QEMU logs the code it
//!   translates, grouped under an `IN:` header; and at the start of each
//!   block executed (where execution does not go on in sequence, as in
//!   `rivet_core::hooks`), a `Trace` line (`exec`; QEMU's
//!   translation-block pointer and flags have no counterpart in rivet and
//!   are left out) and the registers (`cpu`, and with `fpu` the
//!   floating-point registers too), in the layout of QEMU's RISC-V CPU
//!   dump.
//!
//! `nochain` is accepted and changes nothing: rivet never chains blocks,
//! so `exec` already sees every one. The instruction hook runs every
//! instruction on the slow path: expect a tenth of full speed.

use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

use rivet_core::csr::addr;
use rivet_core::hooks::{HookAction, InstructionEvent};
use rivet_core::reg::{F_ABI_NAMES, X_ABI_NAMES};
use rivet_core::{Cause, Exception, FReg, Hart, TrapEvent, XReg};

use crate::cli::UsageError;

/// The log items rivet knows, with QEMU's descriptions of them.
const ITEMS: &[(&str, &str)] = &[
    ("int", "show interrupts and exceptions (every trap)"),
    (
        "unimp",
        "log unimplemented functionality (illegal instructions, with their bits)",
    ),
    (
        "guest_errors",
        "log when the guest OS does something invalid (access faults: a load, store or fetch where nothing answers)",
    ),
    ("mmu", "log MMU-related activities (page faults)"),
    (
        "in_asm",
        "show target assembly code for each compiled TB (each instruction the first time it runs)",
    ),
    ("exec", "show trace before each executed TB (each block)"),
    ("cpu", "show CPU registers before entering a TB (each block)"),
    ("fpu", "include FPU registers in the 'cpu' logging"),
    ("nochain", "do not chain compiled TBs (rivet never does)"),
];

/// QEMU's items rivet does not log: those about its code generator
/// (`out_asm`, `op`, ...), and a few not done yet.
const NOT_YET: &[&str] = &[
    "out_asm",
    "op",
    "op_opt",
    "op_ind",
    "pcall",
    "cpu_reset",
    "page",
    "strace",
    "plugin",
    "tid",
    "trace",
    "invalid_mem",
];

/// The text of `-d help`.
pub fn help() -> String {
    let mut text = String::from("Log items (comma separated):\n");
    for (name, what) in ITEMS {
        text.push_str(&format!("{name:<12} {what}\n"));
    }
    text.push_str(&format!(
        "Not in rivet (it has no code generator) or not yet: {}\n",
        NOT_YET.join(", ")
    ));
    text
}

/// A set of log items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogItems {
    /// Every trap.
    pub int: bool,
    /// Illegal instructions.
    pub unimp: bool,
    /// Access faults.
    pub guest_errors: bool,
    /// Page faults.
    pub mmu: bool,
    /// Each instruction the first time it runs.
    pub in_asm: bool,
    /// Each block executed.
    pub exec: bool,
    /// The registers at each block.
    pub cpu: bool,
    /// With `cpu`, the floating-point registers too.
    pub fpu: bool,
}

impl LogItems {
    /// Parses `-d ITEM[,ITEM...]`. (`help` is handled before: see [`help`].)
    pub fn parse(spec: &str) -> Result<Self, UsageError> {
        let mut items = LogItems::default();
        for item in spec.split(',') {
            match item {
                "int" => items.int = true,
                "unimp" => items.unimp = true,
                "guest_errors" => items.guest_errors = true,
                "mmu" => items.mmu = true,
                "in_asm" => items.in_asm = true,
                "exec" => items.exec = true,
                "cpu" => items.cpu = true,
                "fpu" => items.fpu = true,
                "nochain" => {}
                _ if NOT_YET.contains(&item) => {
                    return Err(UsageError(format!(
                        "-d {item}: not supported by rivet yet (see -d help)"
                    )))
                }
                _ => {
                    return Err(UsageError(format!(
                        "-d {item}: unknown log item (see -d help)"
                    )))
                }
            }
        }
        Ok(items)
    }

    /// Whether any item is logged from the trap hook.
    fn traps(&self) -> bool {
        self.int || self.unimp || self.guest_errors || self.mmu
    }

    /// The log line for trap `event` of hart `hart`, if these items ask
    /// for it.
    pub fn line(&self, hart: u64, e: &TrapEvent) -> Option<String> {
        let trap = || {
            format!(
                "hart {hart}: {} tval={:#x} epc={:#x} {:?}->{:?} handler={:#x}",
                e.cause, e.tval, e.epc, e.from, e.to, e.handler
            )
        };
        if self.int {
            return Some(trap());
        }
        let Cause::Exception(ex) = e.cause else {
            return None;
        };
        use Exception::*;
        match ex {
            IllegalInstruction if self.unimp => {
                let bits = u32::try_from(e.tval).unwrap_or(0);
                let text = if bits == 0 {
                    "(bits not recorded)".to_string()
                } else {
                    rivet_core::disassemble(bits, e.epc)
                };
                Some(format!(
                    "unimp: hart {hart}: illegal instruction {:#x} ({text}) at {:#x}",
                    e.tval, e.epc
                ))
            }
            InstructionAccessFault | LoadAccessFault | StoreAccessFault if self.guest_errors => {
                Some(format!("guest_errors: {}", trap()))
            }
            InstructionPageFault | LoadPageFault | StorePageFault if self.mmu => {
                Some(format!("mmu: {}", trap()))
            }
            _ => None,
        }
    }
}

/// Where log lines go (`-D FILE` or standard error), shared by the harts.
pub type LogOutput = Arc<Mutex<Box<dyn Write + Send>>>;

/// The instructions `in_asm` has shown (by address and bits, so that
/// code written anew at an address shows again), shared by the harts as
/// QEMU's translations are.
pub type Shown = Arc<Mutex<HashSet<(u64, u32)>>>;

/// Writes `text` to the log.
fn write(out: &LogOutput, text: &str) {
    if let Ok(mut out) = out.lock() {
        let _ = out.write_all(text.as_bytes());
    }
}

/// Sets the hooks `items` need on `hart`, logging to `out`.
pub fn install(items: LogItems, out: &LogOutput, shown: &Shown, hart: &mut Hart) {
    let id = hart.hart_id();
    if items.traps() {
        let out = Arc::clone(out);
        hart.set_trap_hook(move |_, _, e| {
            if let Some(line) = items.line(id, e) {
                write(&out, &format!("{line}\n"));
            }
            HookAction::Continue
        });
    }
    if items.in_asm || items.exec || items.cpu {
        let (out, shown) = (Arc::clone(out), Arc::clone(shown));
        // Where the last instruction run ended, and where the last one
        // `in_asm` showed ended: a block, or a group of lines, starts
        // anywhere else.
        let (mut ran_up_to, mut shown_up_to) = (None, None);
        hart.set_instruction_hook(move |hart, _, insn| {
            let mut text = String::new();
            let new_block = ran_up_to != Some(insn.pc);
            ran_up_to = Some(insn.pc + insn.length());
            // As QEMU: the code first (translation), then its execution.
            let new_code = items.in_asm
                && shown
                    .lock()
                    .map(|mut shown| shown.insert((insn.pc, insn.bits)))
                    .unwrap_or(false);
            if new_code {
                if shown_up_to != Some(insn.pc) {
                    text.push_str(&format!(
                        "----------------\nIN: \nPriv: {}; Virt: 0\n",
                        hart.privilege().bits()
                    ));
                }
                text.push_str(&asm_line(insn));
                shown_up_to = Some(insn.pc + insn.length());
            }
            if new_block && items.exec {
                text.push_str(&format!("Trace {id}: [{:016x}]\n", insn.pc));
            }
            if new_block && items.cpu {
                text.push_str(&cpu_state(hart, items.fpu));
            }
            if !text.is_empty() {
                write(&out, &text);
            }
            HookAction::Continue
        });
    }
}

/// An `in_asm` line: address, bits, disassembly.
fn asm_line(insn: &InstructionEvent) -> String {
    let bits = if insn.length() == 2 {
        format!("{:04x}    ", insn.bits & 0xffff)
    } else {
        format!("{:08x}", insn.bits)
    };
    format!(
        "0x{:016x}:  {bits}          {}\n",
        insn.pc,
        insn.disassembly()
    )
}

/// The hart's registers as QEMU's RISC-V CPU dump lays them out.
fn cpu_state(hart: &Hart, fpu: bool) -> String {
    let mut text = format!(" {:<8} {:016x}\n", "pc", hart.pc());
    let csrs = [
        ("mhartid", addr::MHARTID),
        ("mstatus", addr::MSTATUS),
        ("mip", addr::MIP),
        ("mie", addr::MIE),
        ("mideleg", addr::MIDELEG),
        ("medeleg", addr::MEDELEG),
        ("mtvec", addr::MTVEC),
        ("stvec", addr::STVEC),
        ("mepc", addr::MEPC),
        ("sepc", addr::SEPC),
        ("mcause", addr::MCAUSE),
        ("scause", addr::SCAUSE),
        ("mtval", addr::MTVAL),
        ("stval", addr::STVAL),
        ("mscratch", addr::MSCRATCH),
        ("sscratch", addr::SSCRATCH),
        ("satp", addr::SATP),
    ];
    for (name, number) in csrs {
        text.push_str(&format!(
            " {name:<8} {:016x}\n",
            hart.csr(number).unwrap_or(0)
        ));
    }
    for (i, reg) in XReg::all().enumerate() {
        let name = format!("x{i}/{}", X_ABI_NAMES[i]);
        text.push_str(&format!(" {name:<8} {:016x}", hart.x(reg)));
        if i % 4 == 3 {
            text.push('\n');
        }
    }
    if fpu {
        for (i, reg) in FReg::all().enumerate() {
            let name = format!("f{i}/{}", F_ABI_NAMES[i]);
            text.push_str(&format!(" {name:<8} {:016x}", hart.f(reg)));
            if i % 4 == 3 {
                text.push('\n');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use rivet_core::Privilege;

    fn event(cause: Cause, tval: u64) -> TrapEvent {
        TrapEvent {
            cause,
            tval,
            epc: 0x8000_0000,
            from: Privilege::User,
            to: Privilege::Supervisor,
            handler: 0x8000_1000,
        }
    }

    #[test]
    fn items_parse_as_qemu_spells_them() {
        let items = LogItems::parse("unimp,guest_errors").unwrap();
        assert!(items.unimp && items.guest_errors && !items.int && !items.mmu);
        assert!(LogItems::parse("int,mmu").is_ok());
        let items = LogItems::parse("in_asm,exec,cpu,fpu,nochain").unwrap();
        assert!(items.in_asm && items.exec && items.cpu && items.fpu && !items.traps());
        let err = LogItems::parse("out_asm").unwrap_err().0;
        assert!(err.contains("not supported by rivet yet"), "{err}");
        let err = LogItems::parse("bogus").unwrap_err().0;
        assert!(err.contains("unknown log item"), "{err}");
        assert!(help().lines().any(|l| l.starts_with("guest_errors")));
    }

    #[test]
    fn each_item_logs_its_traps_only() {
        let illegal = event(
            Cause::Exception(Exception::IllegalInstruction),
            0x0000_0073 | 1 << 20,
        );
        let fault = event(Cause::Exception(Exception::LoadAccessFault), 0x1234);
        let page = event(Cause::Exception(Exception::StorePageFault), 0x4000);
        let unimp = LogItems::parse("unimp").unwrap();
        let line = unimp.line(1, &illegal).unwrap();
        assert!(
            line.starts_with("unimp: hart 1: illegal instruction 0x100073 (ebreak)"),
            "{line}"
        );
        assert_eq!(unimp.line(1, &fault), None);
        let errors = LogItems::parse("guest_errors").unwrap();
        assert!(errors.line(0, &fault).unwrap().contains("tval=0x1234"));
        assert_eq!(errors.line(0, &page), None);
        let mmu = LogItems::parse("mmu").unwrap();
        assert!(mmu.line(0, &page).unwrap().starts_with("mmu: hart 0:"));
        assert!(LogItems::parse("int").unwrap().line(0, &page).is_some());
    }
}
