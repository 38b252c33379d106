//! The instructions the run loop executes inline.
//!
//! Calling a handler through its function pointer costs a call, a return
//! and the moves of five arguments: about as much as a simple handler's own
//! work. The commonest instructions of compiled code therefore run inline
//! in the hart's loop: each decoded instruction carries a small "inline
//! kind" ([`super::Insn::fast`]), and one dispatch (the `dispatch!` macro)
//! matches on it, for a single instruction ([`execute`]) and for a whole
//! run ([`execute_run`], the hot loop: see [`crate::decode_cache`]).
//! Everything else is called through its handler pointer.
//!
//! The inline paths restate the semantics of simple handlers in a form the
//! compiler turns into tight code (calling the handlers themselves from
//! here measured 20-30% slower). Two copies of one semantics must not
//! drift: the test `inline_paths_match_their_handlers` runs every inline
//! kind both ways on random register files and compares the results; and
//! core/tests/runs.rs checks that running runs ends where single-stepping
//! ends.

use crate::decode_cache::RunRecords;
use crate::hart::{Env, Hart};
use crate::isa::{ExecFn, Insn, Next};

/// Declares the inline kinds: `KIND "name"` pairs (the name is the opcode
/// table's mnemonic).
macro_rules! inline_kinds {
    ($($kind:ident = $value:literal $name:literal,)*) => {
        $(
            #[doc = concat!("Inline kind of `", $name, "`.")]
            pub(crate) const $kind: u8 = $value;
        )*

        /// The inline kind of the instruction named `name` (0: none).
        pub(crate) fn kind(name: &str) -> u8 {
            match name {
                $($name => $kind,)*
                _ => 0,
            }
        }

        /// Every inline kind with its mnemonic.
        #[cfg(test)]
        pub(crate) const ALL: &[(u8, &str)] = &[$(($kind, $name),)*];
    };
}

inline_kinds! {
    ADDI = 1 "addi",
    ADD = 2 "add",
    ADDIW = 3 "addiw",
    ADDW = 4 "addw",
    XOR = 5 "xor",
    OR = 6 "or",
    AND = 7 "and",
    ANDI = 8 "andi",
    XORI = 9 "xori",
    ORI = 10 "ori",
    SLLI = 11 "slli",
    SRLI = 12 "srli",
    SRAI = 13 "srai",
    SLLIW = 14 "slliw",
    SRLIW = 15 "srliw",
    SRAIW = 16 "sraiw",
    SUB = 17 "sub",
    SUBW = 18 "subw",
    SLTU = 19 "sltu",
    SLTIU = 20 "sltiu",
    LUI = 21 "lui",
    AUIPC = 22 "auipc",
    JAL = 23 "jal",
    JALR = 24 "jalr",
    BEQ = 25 "beq",
    BNE = 26 "bne",
    BLT = 27 "blt",
    BGE = 28 "bge",
    BLTU = 29 "bltu",
    BGEU = 30 "bgeu",
    LW = 31 "lw",
    LD = 32 "ld",
    LBU = 33 "lbu",
    LWU = 34 "lwu",
    SW = 35 "sw",
    SD = 36 "sd",
    SB = 37 "sb",
}

/// The kind a run's last record gets when it is not an inline jump (see
/// [`crate::isa::decode_run`]): its handler runs, and the run ends after it
/// whatever it returns.
pub(crate) const ENDS_RUN: u8 = 63;
const _: () = assert!(SB < ENDS_RUN);

/// The dispatch on the inline kind, shared by [`execute`] and
/// [`execute_run`]: the match over `$i.fast()` with an arm per inline
/// kind, then the `$extra` arms, then the handler. `$fall` is what an
/// inline path does when control falls through (a conditional branch not
/// taken included); `$call` calls the handler (also for the slow half of
/// loads and stores: a TLB miss, a device, a fault). A jump or a branch
/// taken yields its target.
macro_rules! dispatch {
    ($i:ident, $h:ident, $pc:expr, fall: $fall:expr, call: $call:expr, { $($extra:tt)* }) => {{
        let imm = $i.imm() as i64 as u64;
        let sext = |v: u64| v as i32 as i64 as u64;
        macro_rules! rs1 {
            () => {
                $h.xr($i.rs1())
            };
        }
        macro_rules! rs2 {
            () => {
                $h.xr($i.rs2())
            };
        }
        macro_rules! alu {
            ($value:expr) => {{
                let value = $value;
                $h.xw($i.rd(), value);
                $fall
            }};
        }
        macro_rules! load {
            ($n:literal, $extend:expr) => {{
                match $h.load_hit::<$n>(rs1!().wrapping_add(imm)) {
                    Some(v) => alu!($extend(v)),
                    None => $call,
                }
            }};
        }
        macro_rules! store {
            ($n:literal) => {{
                if $h.store_hit::<$n>(rs1!().wrapping_add(imm), rs2!()) {
                    $fall
                } else {
                    $call
                }
            }};
        }
        // A conditional branch not taken falls through like any other
        // instruction (inside a run, the run goes on).
        macro_rules! branch {
            ($taken:expr) => {{
                if $taken {
                    Next::pc($pc.wrapping_add(imm))
                } else {
                    $fall
                }
            }};
        }
        match $i.fast() {
            ADDI => alu!(rs1!().wrapping_add(imm)),
            ADD => alu!(rs1!().wrapping_add(rs2!())),
            ADDIW => alu!(sext(rs1!().wrapping_add(imm))),
            ADDW => alu!(sext(rs1!().wrapping_add(rs2!()))),
            XOR => alu!(rs1!() ^ rs2!()),
            OR => alu!(rs1!() | rs2!()),
            AND => alu!(rs1!() & rs2!()),
            ANDI => alu!(rs1!() & imm),
            XORI => alu!(rs1!() ^ imm),
            ORI => alu!(rs1!() | imm),
            SLLI => alu!(rs1!() << (imm & 63)),
            SRLI => alu!(rs1!() >> (imm & 63)),
            SRAI => alu!(((rs1!() as i64) >> (imm & 63)) as u64),
            SLLIW => alu!(sext(u64::from((rs1!() as u32) << (imm & 31)))),
            SRLIW => alu!(sext(u64::from((rs1!() as u32) >> (imm & 31)))),
            SRAIW => alu!(((rs1!() as i32) >> (imm & 31)) as i64 as u64),
            SUB => alu!(rs1!().wrapping_sub(rs2!())),
            SUBW => alu!(sext(rs1!().wrapping_sub(rs2!()))),
            SLTU => alu!(u64::from(rs1!() < rs2!())),
            SLTIU => alu!(u64::from(rs1!() < imm)),
            LUI => alu!(imm),
            AUIPC => alu!($pc.wrapping_add(imm)),
            LW => load!(4, sext),
            LD => load!(8, |v| v),
            LBU => load!(1, |v| v),
            LWU => load!(4, |v| v),
            SW => store!(4),
            SD => store!(8),
            SB => store!(1),
            JAL => {
                $h.xw($i.rd(), $i.next_pc($pc));
                Next::pc($pc.wrapping_add(imm))
            }
            JALR => {
                let target = rs1!().wrapping_add(imm) & !1;
                $h.xw($i.rd(), $i.next_pc($pc));
                Next::pc(target)
            }
            BEQ => branch!(rs1!() == rs2!()),
            BNE => branch!(rs1!() != rs2!()),
            BLT => branch!((rs1!() as i64) < (rs2!() as i64)),
            BGE => branch!((rs1!() as i64) >= (rs2!() as i64)),
            BLTU => branch!(rs1!() < rs2!()),
            BGEU => branch!(rs1!() >= rs2!()),
            $($extra)*
            _ => $call,
        }
    }};
}

/// Runs a decoded instruction on its own (not as part of a run): inline if
/// it has an inline kind, through its handler otherwise.
#[inline(always)]
pub(crate) fn execute(
    i: Insn,
    exec: impl FnOnce() -> ExecFn,
    h: &mut Hart,
    env: &mut Env<'_>,
    pc: u64,
    spent: u64,
) -> Next {
    dispatch!(i, h, pc, fall: Next::after(i, pc), call: exec()(h, env, i, pc, spent), {})
}

/// Runs the run whose records are `records`, in the page at virtual address
/// `page_base` (`spent` instructions of the hart's run before it). Returns
/// where the run ended and how many instructions ran, that one included:
/// the target of a branch taken or a jump, the next `pc` after a last
/// record of kind [`ENDS_RUN`], or [`Next::EXIT`]/[`Next::TRAPPED`] from
/// one that trapped or changed the hart's state. A handler that wrote to
/// decoded code (the decode cache's write count moved on from `writes`)
/// ends the run too, with [`Next::EXIT`]: the rest of the run may be stale.
///
/// A branch or jump back to the run's own first instruction (a loop of one
/// run, such as a byte-wise `memset`) runs it again at once, without
/// leaving, as long as the instructions run so far plus one whole pass
/// stay within `again_until` (counted like `spent`).
///
/// The run's last record always ends the loop (an inline jump or
/// [`ENDS_RUN`]: see [`crate::isa::decode_run`]), so `k` stays in bounds.
#[inline(always)]
pub(crate) fn execute_run(
    records: &RunRecords<'_>,
    h: &mut Hart,
    env: &mut Env<'_>,
    page_base: u64,
    spent: u64,
    writes: u64,
    again_until: u64,
) -> (Next, u64) {
    let first = Next::pc(page_base | u64::from(records.offsets[0].get()));
    let len = records.insns.len() as u64;
    // Instructions run in earlier passes of a loop of this one run.
    let mut done: u64 = 0;
    let mut k = 0;
    loop {
        let i = records.insns[k].get();
        let at = k;
        k += 1;
        let pc = || page_base | u64::from(records.offsets[at].get());
        macro_rules! handler {
            () => {
                records.execs[at].get()(h, env, i, pc(), spent + done + at as u64)
            };
        }
        let next = dispatch!(i, h, pc(), fall: continue, call: {
            let next = handler!();
            match next.target() {
                Some(_) if env.mem.code.writes() == writes => continue,
                Some(pc) => h.exit_to(pc),
                None => next,
            }
        }, {
            ENDS_RUN => handler!(),
        });
        let ran = done + k as u64;
        if next == first && spent + ran + len <= again_until {
            done = ran;
            k = 0;
            continue;
        }
        return (next, ran);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::EmptyBus;
    use crate::isa::{all_rows, lower};
    use crate::{Memory, PhysAddr};
    use proptest::prelude::*;

    const BASE: u64 = 0x8000_0000;

    /// A hart whose registers hold `regs`, some of them pointing into RAM so
    /// that loads and stores hit.
    fn hart(regs: &[u64; 31]) -> Hart {
        let mut h = Hart::new(0);
        for (r, v) in regs.iter().enumerate() {
            h.x[r + 1] = *v;
        }
        h
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Every inline path computes what its handler computes: same next
        /// `pc`, same registers, same memory.
        #[test]
        fn inline_paths_match_their_handlers(
            which in 0..ALL.len(),
            word in any::<u32>(),
            regs in proptest::array::uniform31(prop_oneof![
                any::<u64>(),
                (0u64..0x1f00).prop_map(|o| BASE + o),
                Just(0),
                Just(u64::MAX),
            ]),
        ) {
            let (kind, name) = ALL[which];
            let row = all_rows().find(|r| r.name == name).expect("a table row");
            let word = (word & !row.mask) | row.bits;
            let record = lower(row, word, 4);
            prop_assert_eq!(record.insn.fast(), kind);
            let pc = BASE + 0x100;
            let mut results = Vec::new();
            for inline in [true, false] {
                let mut mem = Memory::new(PhysAddr::new(BASE), 0x2000).unwrap();
                for k in 0..0x400u64 {
                    mem.write_u64(PhysAddr::new(BASE + 8 * k), k.wrapping_mul(0x9e37_79b9_7f4a_7c15)).unwrap();
                }
                let mut h = hart(&regs);
                // Warm the TLB so that inline loads and stores hit.
                let mut bus = EmptyBus;
                let mut env = Env { mem: &mut mem, bus: &mut bus };
                for page in [BASE, BASE + 0x1000] {
                    let _ = h.load::<1>(&mut env, page);
                    let _ = h.store::<1>(&mut env, page, env_byte(page));
                }
                let next = if inline {
                    execute(record.insn, || record.exec, &mut h, &mut env, pc, 0)
                } else {
                    (record.exec)(&mut h, &mut env, record.insn, pc, 0)
                };
                results.push((next, h.x, mem.as_slice().to_vec()));
            }
            prop_assert!(results[0] == results[1], "{} ({word:#010x}) differs inline", name);
        }
    }

    /// The value a warm-up store writes back (the byte already there).
    fn env_byte(page: u64) -> u64 {
        ((page - BASE) / 8).wrapping_mul(0x9e37_79b9_7f4a_7c15) & 0xff
    }
}
