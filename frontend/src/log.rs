//! The `-d` log, as QEMU spells it: which events to log (`-d int,unimp`),
//! where (`-D FILE`, else standard error), and `-d help`.
//!
//! rivet logs from the hart's trap hook: every trap (`int`), and among
//! them the ones that tell of something the guest did wrong or rivet does
//! not implement. QEMU's items that follow translation and execution
//! (`in_asm`, `exec`, `cpu`, ...) need instruction hooks rivet-core does
//! not offer yet; asking for them is an error that says so.

use rivet_core::{Cause, Exception, TrapEvent};

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
];

/// QEMU's items rivet cannot log yet.
const NOT_YET: &[&str] = &[
    "in_asm",
    "out_asm",
    "op",
    "op_opt",
    "op_ind",
    "exec",
    "cpu",
    "fpu",
    "pcall",
    "cpu_reset",
    "nochain",
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
        "Not yet in rivet (they need instruction hooks): {}\n",
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
        let err = LogItems::parse("in_asm").unwrap_err().0;
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
