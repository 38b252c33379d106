//! The instructions the run loop executes inline.
//!
//! Calling a handler through its function pointer costs a call, a return
//! and the moves of five arguments: about as much as a simple handler's own
//! work. The commonest instructions of compiled code therefore run inline
//! in the hart's loop: each decoded instruction carries a small "inline
//! kind" ([`super::Insn::fast`]), given by its line in its extension's
//! table (`inline ADDI` in [`super::rv64i`]), and the extension's
//! generated `execute_inline` matches on it, with the instruction's
//! semantics expanded in place. That is done here for a single instruction
//! ([`execute`]) and for a whole run ([`execute_run`], the hot loop: see
//! [`crate::decode_cache`]). Everything else is called through its handler
//! pointer.
//!
//! An inline arm and its instruction's handler are expanded from the same
//! line of the table. The test `inline_paths_match_their_handlers` still
//! runs every inline kind both ways on random register files and compares
//! the results; and core/tests/runs.rs checks that running runs ends where
//! single-stepping ends.

use crate::decode_cache::RunRecords;
use crate::hart::{Env, Hart};
// `sext8`, `sext16`, `sext32`: names the table's semantics use.
use crate::isa::rv64i::{inline_match, rv64i_table, sext16, sext32, sext8};
use crate::isa::{ExecFn, Insn, Next};

/// The kind a run's last record gets when it is not an inline jump (see
/// [`crate::isa::decode_run`]): its handler runs, and the run ends after it
/// whatever it returns.
pub(crate) const ENDS_RUN: u8 = 63;
const _: () = assert!(crate::isa::rv64i::INLINE_KINDS < ENDS_RUN as usize);

/// The dispatch on the inline kind, shared by [`execute`] and
/// [`execute_run`]: the match over `$i.fast()` with an arm per inline
/// kind (expanded from the extension's table), then the `$extra` arms,
/// then the handler. `$fall` is what an inline path does when control
/// falls through (a conditional branch not taken included); `$call` calls
/// the handler (also for the slow half of loads and stores: a TLB miss, a
/// device, a fault). A jump or a branch taken yields its target.
macro_rules! dispatch {
    ($i:ident, $h:ident, $pc:expr, fall: $fall:expr, call: $call:expr, { $($extra:tt)* }) => {
        rv64i_table!(inline_match, ($i, $h, $pc, $fall, $call, { $($extra)* }))
    };
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
/// [`ENDS_RUN`]: see [`crate::isa::decode_run`]), so no record past the
/// run is read. (Were one read, it would still be a record of the same
/// chunk: [`RunRecords::insn`] masks the slot, which is also what lets the
/// dispatch go without a bounds check.)
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
    let first = Next::pc(page_base | u64::from(records.offset(records.first)));
    let len = records.len as u64;
    // Instructions run in earlier passes of a loop of this one run.
    let mut done: u64 = 0;
    // The slot after the record being run (a single induction variable:
    // the record's own slot is `slot - 1`, computed where needed).
    let mut slot = records.first;
    loop {
        let i = records.insn(slot);
        slot += 1;
        let at = || slot - 1;
        // Instructions of this pass up to this one, this one included.
        let ran_in_pass = || (slot - records.first) as u64;
        let pc = || page_base | u64::from(records.offset(at()));
        macro_rules! handler {
            () => {
                records.exec(at())(h, env, i, pc(), spent + done + ran_in_pass() - 1)
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
        let ran = done + ran_in_pass();
        if next == first && spent + ran + len <= again_until {
            done = ran;
            slot = records.first;
            continue;
        }
        return (next, ran);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::EmptyBus;
    use crate::isa::{all_rows, lower, Opcode};
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
            which in 0..inline_rows().len(),
            word in any::<u32>(),
            regs in proptest::array::uniform31(prop_oneof![
                any::<u64>(),
                (0u64..0x1f00).prop_map(|o| BASE + o),
                Just(0),
                Just(u64::MAX),
            ]),
        ) {
            let row = inline_rows()[which];
            let name = row.name;
            let word = (word & !row.mask) | row.bits;
            let record = lower(row, word, 4);
            prop_assert_eq!(record.insn.fast(), row.inline);
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

    /// The table rows of the instructions with an inline kind.
    fn inline_rows() -> Vec<&'static Opcode> {
        all_rows().filter(|row| row.inline != 0).collect()
    }

    #[test]
    fn every_computation_load_and_store_of_rv64i_runs_inline() {
        assert_eq!(inline_rows().len(), 49);
        assert_eq!(inline_rows().len(), crate::isa::rv64i::INLINE_KINDS);
    }

    /// The value a warm-up store writes back (the byte already there).
    fn env_byte(page: u64) -> u64 {
        ((page - BASE) / 8).wrapping_mul(0x9e37_79b9_7f4a_7c15) & 0xff
    }
}
