//! The trigger module: Sdtrig, chapter 5 of the RISC-V Debug Specification
//! 1.0 ("Sdtrig (ISA Extension)").
//!
//! A trigger watches the hart for an event and, when the event happens,
//! takes an action. rivet implements the address-match triggers that
//! software uses without an external debugger: [`TRIGGERS`] triggers, each
//! of which can be an `mcontrol` (type 2) or an `mcontrol6` (type 6)
//! trigger on the virtual address of an instruction about to execute, of a
//! load or of a store, and whose action is always 0: "Raise a breakpoint
//! exception" (cause 3), taken *before* the instruction or the access, with
//! `xepc` the instruction's address and `xtval` the matched address (the pc
//! for an execute trigger, the access's virtual address for a load or
//! store trigger: the privileged spec allows 0 or "the faulting virtual
//! address", and Sdtrig says that address is "the address being accessed
//! and which caused that trigger to fire").
//!
//! # Registers (M-mode CSRs, §5.7 "Trigger Module Registers")
//!
//! - `tselect` (0x7a0) picks the trigger the `tdata` registers show. It
//!   keeps the low two bits of what is written (the note under
//!   "Enumeration": with 2^n triggers only n bits are needed), so writing 4
//!   or more reads back as something else, which is how software learns
//!   that there are four triggers.
//! - `tdata1` (0x7a1) is the selected trigger's `mcontrol`/`mcontrol6`,
//!   WARL as described at `TriggerModule::write_tdata1`; writing 0, type
//!   15, or a type other than 2 or 6 disables the trigger (type 15). At
//!   reset every trigger is an `mcontrol` with nothing enabled
//!   (`2 << 60`), as on QEMU 7.2 and as older versions of riscv-tests'
//!   `breakpoint` test expect to find.
//! - `tdata2` (0x7a2) holds the address to compare with, all 64 bits.
//! - `tdata3` (0x7a3) is `textra64` with every field hard-wired to 0
//!   (`mhselect` = `sselect` = 0: no extra condition), so it reads 0 and
//!   writes are ignored.
//! - `tinfo` (0x7a4) reads `version` = 1 (the ratified 1.0 behaviour of
//!   `mcontrol6`: `hit1:hit0`, no `timing` bit) and `info` = types 2 and 6.
//! - `tcontrol` (0x7a5): `mte` (bit 3) and `mpte` (bit 7); see below.
//! - `mcontext` (0x7a8): the 13 bits of `hcontext` the spec recommends for
//!   RV64 without the H extension. Nothing compares with it (`mhselect` is
//!   0), it is storage for software.
//!
//! Everything that only Debug Mode may change is read-only 0 (`dmode`);
//! rivet has no Debug Mode (Sdext), no trace and no external trigger
//! outputs, so `action` is always 0.
//!
//! # What matches
//!
//! A trigger matches an instruction fetch (if `execute` is set), a load
//! (`load`) or a store (`store`) when its mode bit for the hart's current
//! privilege (`m`, `s`, `u`; never `vs`/`vu`, which are hard-wired to 0 as
//! there is no H extension) is set and its `match` condition holds for one
//! of the compare values, against `tdata2`:
//!
//! | `match` | condition | types |
//! |---|---|---|
//! | 0 | equal | 2, 6 |
//! | 1 | NAPOT: the top M bits equal, M = 63 - (index of the lowest 0 of `tdata2`) | 6 |
//! | 2 | `>=` (unsigned) | 2, 6 |
//! | 3 | `<` (unsigned) | 2, 6 |
//! | 4, 5 | mask low / mask high | 2, 6 |
//! | 8, 9, 12, 13 | "would not match" with 0, 1, 4, 5 | 2 (not 9), 6 |
//!
//! `mcontrol.maskmax` reads 0, which says that type 2 has no NAPOT
//! matching; it also keeps `tdata1` reading back exactly what riscv-tests
//! writes (`2 << 60 | m | execute`). `mcontrol6` has NAPOT with maskmax6 =
//! 63: writing `tdata2` with bits 62:0 all ones while `match` is 1 or 9
//! clears bit 62, as the discovery procedure of `mcontrol6` expects.
//!
//! The compare value of an execute trigger is the instruction's address;
//! those of a load or store trigger are the virtual addresses of every byte
//! it accesses (`select` = 0: "the lowest virtual address of the access",
//! plus the recommended "additional compare values for the other accessed
//! virtual addresses"). AMOs and LR are loads, and AMOs and SC stores, to
//! the hart's memory slow path, which calls `TriggerModule::matches_access`.
//! Only `size` 0 ("any size") is implemented: the other sizes are
//! legalised to 0, since the execute check is given only the `pc`.
//!
//! `chain` is implemented: a chain (triggers i..=j, all but j with `chain`
//! = 1) fires, with the action of j, only when all its triggers match the
//! same event (the same fetch, or the same access); the last trigger's
//! `chain` is hard-wired to 0. Left out: a chain that mixes an execute
//! trigger with a load or store trigger never fires (matching "the same
//! instruction" would need the instruction's pc at its accesses, and the
//! two checks happen at different times).
//!
//! When a trigger (or a chain) fires, its `hit` bit (`mcontrol`) or
//! `hit1:hit0` = 1, "before" (`mcontrol6`) is set, in every trigger of the
//! chain. Software may write the hit bits at any time.
//!
//! Left out as well: data-value matching (`select` = 1), `timing` = 1
//! ("after"), access sizes, `uncertain`/`uncertainen`, and the other
//! trigger types (icount, itrigger, etrigger, tmexttrigger).
//!
//! # Triggers in M-mode: `tcontrol.mte` and its reset value
//!
//! A trigger with action 0 that fires in the mode that handles the
//! breakpoint could fire again inside the trap handler, before it has
//! saved `mepc`. §5.4 "Native Triggers" says that harts "should implement
//! one of the following two solutions": (1) triggers with action 0 do not
//! fire in M-mode while `mstatus.MIE` is 0 (and likewise in S-mode with
//! `medeleg[3]` and SIE), or (2) `tcontrol.mte`/`mpte` are implemented and
//! "`medeleg[3]` is hard-wired to 0". The register's description (§5.7.6
//! "Trigger Control (tcontrol)") gives both bits the reset value 0 and
//! says: with `mte` = 0, "Triggers with action=0 do not match/fire while
//! the hart is in M-mode"; "When any trap into M-mode is taken, `mpte` is
//! set to the value of `mte`" and `mte` to 0; "When `mret` is executed,
//! `mte` is set to the value of `mpte`".
//!
//! Neither solution fits rivet as the spec words it. Solution 1 would stop
//! the triggers that riscv-tests' `rv64mi-p-breakpoint` sets in M-mode
//! with `mstatus.MIE` = 0 (its whole environment runs with MIE = 0), and
//! solution 2 requires `medeleg[3]` read-only 0, while OpenSBI delegates
//! breakpoints to S-mode (the SBI expects an S-mode `ebreak` to reach the
//! S-mode handler; Linux's `BUG()`, `WARN()` and kprobes rely on it). QEMU 7.2, the reference machine,
//! implements neither: it has no `tcontrol` (accessing 0x7a5 is an illegal
//! instruction) and its triggers fire in M-mode whatever `mstatus.MIE` is.
//! The spec only says "should", so that is allowed.
//!
//! rivet implements `tcontrol` with exactly the behaviour above (so an
//! M-mode trap handler is protected from re-entrant breakpoints until it
//! returns or sets `mte`, and M-mode software that follows the spec and
//! sets `mte` before relying on triggers works unchanged), but resets
//! `mte` *and* `mpte` to 1 instead of 0: out of reset, M-mode triggers fire
//! as on QEMU 7.2 and as `rv64mi-p-breakpoint` expects in the versions that
//! do not set `mte` themselves (later versions do, with `csrs tcontrol, 8`
//! and a handler for the illegal instruction if `tcontrol` is absent).
//! `mpte` must be 1 too because that test reaches its code through an
//! `mret` with MPP = M (`mte` = `mpte` then), possibly without any trap
//! before it. `medeleg[3]` stays writable. This is the one place where
//! rivet departs from the register table; a program can still get the
//! spec's reset state by writing 0 to `tcontrol`.
//!
//! # How the hart uses it
//!
//! Triggers are checked off the fast path. The hart asks
//! `TriggerModule::execute_armed` and `TriggerModule::data_armed`
//! (cached flags), and refuses software-TLB entries for pages where
//! `TriggerModule::may_execute_in_page` or
//! `TriggerModule::may_access_page` answer true, so that every fetch
//! and access there goes through the slow path, which calls
//! `TriggerModule::matches_execute` and
//! `TriggerModule::matches_access`. Writes to `tdata1` and `tdata2` that
//! change what an armed trigger matches (or arm or disarm one) ask for a
//! TLB flush. Every trap calls `TriggerModule::on_trap` and `mret` calls
//! `TriggerModule::on_mret`.

use crate::csr::Privilege;

/// How many triggers the module has (`tselect` = 0..=3).
pub const TRIGGERS: usize = 4;

/// Where the type field sits in `tdata1` (bits XLEN-1:XLEN-4).
const TYPE_SHIFT: u32 = 60;
/// Type 2, `mcontrol`: an address/data match trigger (the deprecated form).
const TYPE_MCONTROL: u64 = 2;
/// Type 6, `mcontrol6`: an address/data match trigger.
const TYPE_MCONTROL6: u64 = 6;
/// Type 15: the trigger is disabled.
const TYPE_DISABLED: u64 = 15;

/// `load`: match the addresses of loads.
const LOAD: u64 = 1 << 0;
/// `store`: match the addresses of stores.
const STORE: u64 = 1 << 1;
/// `execute`: match the address of an instruction about to execute.
const EXECUTE: u64 = 1 << 2;
/// `u`: enabled in U-mode.
const MODE_U: u64 = 1 << 3;
/// `s`: enabled in S-mode.
const MODE_S: u64 = 1 << 4;
/// `m`: enabled in M-mode.
const MODE_M: u64 = 1 << 6;
/// Where `match` (4 bits) sits.
const MATCH_SHIFT: u32 = 7;
/// `chain`: this trigger and the next one must match together.
const CHAIN: u64 = 1 << 11;
/// `mcontrol.hit`: the trigger fired.
const HIT: u64 = 1 << 20;
/// `mcontrol6.hit0`, the low bit of the 2-bit hit field.
const HIT0: u64 = 1 << 22;
/// `mcontrol6.hit1`, the high bit of the 2-bit hit field.
const HIT1: u64 = 1 << 25;
/// Every bit that is a hit bit in one of the types (and 0 in the other).
const HIT_BITS: u64 = HIT | HIT0 | HIT1;

/// The operations a trigger can watch.
const OPS: u64 = LOAD | STORE | EXECUTE;
/// The mode bits.
const MODES: u64 = MODE_U | MODE_S | MODE_M;

/// `match` = 0: equal.
const MATCH_EQUAL: u64 = 0;
/// `match` = 1: naturally aligned power-of-two range.
const MATCH_NAPOT: u64 = 1;
/// `match` = 2: greater than or equal (unsigned).
const MATCH_GE: u64 = 2;
/// `match` = 3: less than (unsigned).
const MATCH_LT: u64 = 3;
/// `match` = 4: mask low.
const MATCH_MASK_LOW: u64 = 4;
/// `match` = 5: mask high.
const MATCH_MASK_HIGH: u64 = 5;
/// The bit of `match` that inverts kinds 0, 1, 4 and 5 (values 8, 9, 12, 13).
const MATCH_NOT: u64 = 8;

/// `tinfo.version` = 1: Sdtrig as ratified (1.0).
const TINFO_VERSION_1: u64 = 1 << 24;
/// `tinfo`: each trigger supports types 2 and 6.
const TINFO: u64 = TINFO_VERSION_1 | 1 << TYPE_MCONTROL | 1 << TYPE_MCONTROL6;

/// `tcontrol.mte`: triggers with action 0 may fire in M-mode.
const MTE: u64 = 1 << 3;
/// `tcontrol.mpte`: `mte` before the latest trap into M-mode.
const MPTE: u64 = 1 << 7;

/// `mcontext.hcontext`: the 13 bits kept.
const MCONTEXT_MASK: u64 = (1 << 13) - 1;

/// `tdata1` after reset: an `mcontrol` with nothing enabled.
const TDATA1_RESET: u64 = TYPE_MCONTROL << TYPE_SHIFT;
/// `tdata1` of a disabled trigger.
const TDATA1_DISABLED: u64 = TYPE_DISABLED << TYPE_SHIFT;

/// Whether `kind` is a `match` value that trigger type `ty` implements:
/// 0, 2, 3, 4, 5 and the inverted 8, 12, 13 in both types, NAPOT (1) and
/// its inverse (9) only in `mcontrol6` (`mcontrol.maskmax` is 0).
fn match_supported(ty: u64, kind: u64) -> bool {
    match kind & !MATCH_NOT {
        MATCH_EQUAL | MATCH_MASK_LOW | MATCH_MASK_HIGH => true,
        MATCH_NAPOT => ty == TYPE_MCONTROL6,
        MATCH_GE | MATCH_LT => kind & MATCH_NOT == 0,
        _ => false,
    }
}

/// The legal value of `tdata1` for a write of `value` to trigger `index`.
fn legalise_tdata1(value: u64, index: usize) -> u64 {
    let ty = value >> TYPE_SHIFT;
    if ty != TYPE_MCONTROL && ty != TYPE_MCONTROL6 {
        // 0 ("writing 0 ... must result in a trigger that is disabled";
        // with several types "by changing type to 15"), 15, and every
        // type this trigger does not implement.
        return TDATA1_DISABLED;
    }
    let hits = if ty == TYPE_MCONTROL {
        HIT
    } else {
        HIT0 | HIT1
    };
    // Kept as written: the operations, the modes, the hit bits and chain
    // (not on the last trigger: there is no next one to chain to).
    // Read-only 0: dmode, maskmax, sizehi/sizelo/size, select, timing,
    // uncertain, uncertainen, vs, vu; action is always 0 (breakpoint).
    let mut keep = OPS | MODES | hits;
    if index + 1 < TRIGGERS {
        keep |= CHAIN;
    }
    let mut kind = (value >> MATCH_SHIFT) & 0xf;
    if !match_supported(ty, kind) {
        kind = MATCH_EQUAL;
    }
    (ty << TYPE_SHIFT) | (value & keep) | (kind << MATCH_SHIFT)
}

/// `tdata2` as kept for a NAPOT match: with maskmax6 = 63, writing bits
/// 62:0 all ones clears bit 62 ("if bits maskmax6-1:0 are written with all
/// ones then bit maskmax6-1 will be set to 0").
fn legalise_napot(value: u64) -> u64 {
    const LOW: u64 = (1 << 63) - 1;
    if value & LOW == LOW {
        value & !(1 << 62)
    } else {
        value
    }
}

/// One trigger: its `tdata1` (already legal) and `tdata2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Trigger {
    /// `tdata1`: the type and, for types 2 and 6, `mcontrol(6)`.
    tdata1: u64,
    /// `tdata2`: the compare address.
    tdata2: u64,
}

impl Trigger {
    /// A trigger as after reset.
    const RESET: Trigger = Trigger {
        tdata1: TDATA1_RESET,
        tdata2: 0,
    };

    /// The type field of `tdata1`.
    fn ty(&self) -> u64 {
        self.tdata1 >> TYPE_SHIFT
    }

    /// Whether this is an address match trigger (type 2 or 6).
    fn is_address_match(&self) -> bool {
        matches!(self.ty(), TYPE_MCONTROL | TYPE_MCONTROL6)
    }

    /// Whether the trigger can fire on one of the operations `ops` in
    /// some mode.
    fn armed(&self, ops: u64) -> bool {
        self.is_address_match() && self.tdata1 & ops != 0 && self.tdata1 & MODES != 0
    }

    /// Whether `chain` is set.
    fn chained(&self) -> bool {
        self.is_address_match() && self.tdata1 & CHAIN != 0
    }

    /// The `match` field.
    fn match_kind(&self) -> u64 {
        (self.tdata1 >> MATCH_SHIFT) & 0xf
    }

    /// Whether the trigger is enabled in privilege mode `prv`.
    fn enabled_in(&self, prv: Privilege) -> bool {
        let bit = match prv {
            Privilege::Machine => MODE_M,
            Privilege::Supervisor => MODE_S,
            Privilege::User => MODE_U,
        };
        self.tdata1 & bit != 0
    }

    /// Whether compare value `c` satisfies the non-inverted form of the
    /// `match` condition against `tdata2`.
    fn compares(&self, c: u64) -> bool {
        let t = self.tdata2;
        match self.match_kind() & !MATCH_NOT {
            MATCH_EQUAL => c == t,
            MATCH_NAPOT => {
                // The lowest 0 of tdata2 and the ones below it are ignored.
                let ignored = t ^ t.wrapping_add(1);
                c | ignored == t | ignored
            }
            MATCH_GE => c >= t,
            MATCH_LT => c < t,
            MATCH_MASK_LOW => c & 0xffff_ffff & (t >> 32) == t & 0xffff_ffff,
            MATCH_MASK_HIGH => (c >> 32) & (t >> 32) == t & 0xffff_ffff,
            _ => false, // never stored (legalise_tdata1)
        }
    }

    /// Whether the trigger matches operation `op` (one of LOAD, STORE,
    /// EXECUTE) in mode `prv` whose compare values are the `len` addresses
    /// from `first` on.
    fn matches(&self, op: u64, first: u64, len: u64, prv: Privilege) -> bool {
        if !self.is_address_match() || self.tdata1 & op == 0 || !self.enabled_in(prv) {
            return false;
        }
        // "Matches when any compare value ..."; the inverted kinds match
        // when the plain kind "would not match".
        let any = (0..len).any(|i| self.compares(first.wrapping_add(i)));
        any != (self.match_kind() & MATCH_NOT != 0)
    }

    /// Whether the trigger could match one of the addresses
    /// `lo..lo + len` (wrapping): exactly for `match` = equal, `true`
    /// for every other kind.
    fn may_match_range(&self, lo: u64, len: u64) -> bool {
        self.match_kind() != MATCH_EQUAL || self.tdata2.wrapping_sub(lo) < len
    }

    /// Records that the trigger fired ("before" the instruction).
    fn set_hit(&mut self) {
        match self.ty() {
            TYPE_MCONTROL => self.tdata1 |= HIT,
            TYPE_MCONTROL6 => self.tdata1 = (self.tdata1 & !HIT1) | HIT0,
            _ => {}
        }
    }
}

/// The trigger module of one hart: its triggers and the trigger CSRs.
#[derive(Clone, Debug)]
pub struct TriggerModule {
    /// The triggers, indexed by `tselect`.
    triggers: [Trigger; TRIGGERS],
    /// `tselect`.
    tselect: usize,
    /// `tcontrol` (`mte` and `mpte`).
    tcontrol: u64,
    /// `mcontext`.
    mcontext: u64,
    /// Some trigger has `execute` and a mode bit set.
    execute_armed: bool,
    /// Some trigger has `load` or `store` and a mode bit set.
    data_armed: bool,
}

impl TriggerModule {
    /// The trigger module as after reset: every trigger an `mcontrol` with
    /// nothing enabled, `tselect` = 0, `tcontrol.mte` = `mpte` = 1 (see
    /// the module documentation for why 1).
    pub(crate) fn new() -> Self {
        TriggerModule {
            triggers: [Trigger::RESET; TRIGGERS],
            tselect: 0,
            tcontrol: MTE | MPTE,
            mcontext: 0,
            execute_armed: false,
            data_armed: false,
        }
    }

    /// Recomputes the cached "armed" flags after a `tdata1` write.
    fn refresh(&mut self) {
        self.execute_armed = self.triggers.iter().any(|t| t.armed(EXECUTE));
        self.data_armed = self.triggers.iter().any(|t| t.armed(LOAD | STORE));
    }

    // ----- the CSRs -----

    /// `tselect`.
    pub(crate) fn tselect(&self) -> u64 {
        self.tselect as u64
    }

    /// Writes `tselect`: the low two bits are kept, so an index of 4 or
    /// more reads back as another value (no such trigger).
    pub(crate) fn write_tselect(&mut self, value: u64) {
        self.tselect = crate::bits::to_usize(value % TRIGGERS as u64);
    }

    /// `tdata1` of the selected trigger.
    pub(crate) fn tdata1(&self) -> u64 {
        self.triggers[self.tselect].tdata1
    }

    /// Writes `tdata1` of the selected trigger, WARL:
    /// - type 2 or 6: `load`, `store`, `execute`, `m`, `s`, `u`, `chain`
    ///   (not on the last trigger) and the hit bits are kept; `match` is
    ///   kept if the type implements it (see the module documentation),
    ///   else it becomes 0; every other field is 0 (`dmode`, `maskmax`,
    ///   sizes, `select`, `timing`, `action`, `vs`, `vu`, `uncertain`,
    ///   `uncertainen`);
    /// - any other type (0, 15, and the unimplemented ones) disables the
    ///   trigger: `tdata1` = 15 << 60.
    ///
    /// Returns whether the hart must flush its TLB (and look again at what
    /// is armed): what the trigger matches changed, and it could fire
    /// before the write or can now. Writing only the hit bits changes
    /// nothing.
    pub(crate) fn write_tdata1(&mut self, value: u64) -> bool {
        let index = self.tselect;
        let old = self.triggers[index];
        let new = legalise_tdata1(value, index);
        self.triggers[index].tdata1 = new;
        self.refresh();
        (old.tdata1 ^ new) & !HIT_BITS != 0 && (old.armed(OPS) || self.triggers[index].armed(OPS))
    }

    /// `tdata2` of the selected trigger.
    pub(crate) fn tdata2(&self) -> u64 {
        self.triggers[self.tselect].tdata2
    }

    /// Writes `tdata2` of the selected trigger: every address is kept as
    /// written, except for the NAPOT legalisation of an `mcontrol6` whose
    /// `match` is 1 or 9. Returns whether the hart must flush its TLB.
    pub(crate) fn write_tdata2(&mut self, value: u64) -> bool {
        let t = &mut self.triggers[self.tselect];
        let napot = t.ty() == TYPE_MCONTROL6 && t.match_kind() & !MATCH_NOT == MATCH_NAPOT;
        let new = if napot { legalise_napot(value) } else { value };
        let changed = new != t.tdata2;
        t.tdata2 = new;
        changed && t.armed(OPS)
    }

    /// `tdata3` (`textra64`, every field hard-wired to 0).
    pub(crate) fn tdata3(&self) -> u64 {
        0
    }

    /// Writes `tdata3`: 0 is the only legal value (no extra conditions).
    pub(crate) fn write_tdata3(&mut self, _value: u64) {}

    /// `tinfo` of the selected trigger: version 1, types 2 and 6.
    pub(crate) fn tinfo(&self) -> u64 {
        TINFO
    }

    /// `tcontrol`.
    pub(crate) fn tcontrol(&self) -> u64 {
        self.tcontrol
    }

    /// Writes `tcontrol`: `mte` and `mpte` are writable, the rest is 0.
    pub(crate) fn write_tcontrol(&mut self, value: u64) {
        self.tcontrol = value & (MTE | MPTE);
    }

    /// `mcontext`.
    pub(crate) fn mcontext(&self) -> u64 {
        self.mcontext
    }

    /// Writes `mcontext`: its low 13 bits are kept.
    pub(crate) fn write_mcontext(&mut self, value: u64) {
        self.mcontext = value & MCONTEXT_MASK;
    }

    // ----- what the hart asks -----

    /// Whether some execute trigger can fire in some mode (a cached flag,
    /// recomputed on `tdata1` writes; it does not look at `tcontrol`).
    #[inline]
    pub(crate) fn execute_armed(&self) -> bool {
        self.execute_armed
    }

    /// Whether some load or store trigger can fire in some mode (cached
    /// like [`TriggerModule::execute_armed`]).
    #[inline]
    pub(crate) fn data_armed(&self) -> bool {
        self.data_armed
    }

    /// Whether an execute trigger could match an instruction whose address
    /// is in the 4 KiB virtual page starting at `page`. Conservative: only
    /// `match` = equal is tested against the page, every other kind (and
    /// every chain) answers true.
    pub(crate) fn may_execute_in_page(&self, page: u64) -> bool {
        self.execute_armed
            && self
                .triggers
                .iter()
                .any(|t| t.armed(EXECUTE) && t.may_match_range(page, 4096))
    }

    /// Whether a load or store trigger could match an access of up to 8
    /// bytes that starts in, or straddles into or out of, the 4 KiB virtual
    /// page starting at `page` (its bytes lie in `page - 7 .. page + 4096 +
    /// 7`). Conservative like [`TriggerModule::may_execute_in_page`].
    pub(crate) fn may_access_page(&self, page: u64) -> bool {
        self.data_armed
            && self.triggers.iter().any(|t| {
                t.armed(LOAD | STORE) && t.may_match_range(page.wrapping_sub(7), 4096 + 14)
            })
    }

    /// Whether triggers with action 0 may fire in mode `prv`: in M-mode
    /// only while `tcontrol.mte` is set.
    fn may_fire_in(&self, prv: Privilege) -> bool {
        prv != Privilege::Machine || self.tcontrol & MTE != 0
    }

    /// Evaluates every chain for operation `op` with compare values
    /// `first..first + len` in mode `prv`; sets the hit bits of the chains
    /// that fire and returns whether one did.
    fn fire(&mut self, op: u64, first: u64, len: u64, prv: Privilege) -> bool {
        let mut fired = false;
        let mut start = 0;
        let mut all = true;
        for i in 0..TRIGGERS {
            let t = self.triggers[i];
            all &= t.matches(op, first, len, prv);
            if !t.chained() {
                // The chain start..=i ends here: it fires if all matched.
                if all {
                    self.triggers[start..=i]
                        .iter_mut()
                        .for_each(Trigger::set_hit);
                    fired = true;
                }
                start = i + 1;
                all = true;
            }
        }
        fired
    }

    /// Checks the execute triggers before the instruction at `pc` executes
    /// in mode `prv`. True means a trigger fired (its hit bits are set):
    /// the hart must raise a breakpoint exception with `tval` = `pc` (and
    /// `epc` = `pc`) instead of executing the instruction.
    ///
    /// `mstatus` is not used: the mode bits are compared with the hart's
    /// privilege (not the MPRV-effective one), and rivet does not use the
    /// MIE-based solution of "Native Triggers" (see the module
    /// documentation).
    pub(crate) fn matches_execute(&mut self, pc: u64, prv: Privilege, _mstatus: u64) -> bool {
        self.execute_armed && self.may_fire_in(prv) && self.fire(EXECUTE, pc, 1, prv)
    }

    /// Checks the load (`store` false) or store (`store` true) triggers
    /// before an access of `size` bytes at virtual address `vaddr` in mode
    /// `prv` (the hart's privilege, also under MPRV). True means a trigger
    /// fired (timing "before": the access must not happen): the hart must
    /// raise a breakpoint exception with `tval` = `vaddr`. An AMO is
    /// checked as a load and as a store; `size` is at least 1 and at most
    /// 64 bytes are compared. `mstatus` is not used, as for
    /// [`TriggerModule::matches_execute`].
    pub(crate) fn matches_access(
        &mut self,
        vaddr: u64,
        size: u64,
        store: bool,
        prv: Privilege,
        _mstatus: u64,
    ) -> bool {
        let op = if store { STORE } else { LOAD };
        self.data_armed && self.may_fire_in(prv) && self.fire(op, vaddr, size.clamp(1, 64), prv)
    }

    /// Updates `tcontrol` for a trap: a trap into M-mode (`to_machine`)
    /// copies `mte` into `mpte` and clears `mte`. In Sdtrig 1.0 this holds
    /// for "any trap into M-mode", not only for breakpoints (a 2022 draft
    /// limited it to breakpoints; 1.0 reverted that), so `breakpoint` does
    /// not change anything; it is part of the interface for the hart.
    pub(crate) fn on_trap(&mut self, to_machine: bool, breakpoint: bool) {
        let _ = breakpoint;
        if to_machine {
            self.tcontrol = if self.tcontrol & MTE != 0 { MPTE } else { 0 };
        }
    }

    /// Updates `tcontrol` for `mret`: `mte` = `mpte` (`mpte` unchanged).
    pub(crate) fn on_mret(&mut self) {
        let mpte = self.tcontrol & MPTE;
        self.tcontrol = mpte | if mpte != 0 { MTE } else { 0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Privilege::{Machine as M, Supervisor as S, User as U};

    const PAGE: u64 = 0x8000_3000;

    /// A module with trigger `index` selected and written with `tdata1`,
    /// `tdata2` (in the order the spec recommends: tdata1 = 0, tdata2,
    /// tdata1).
    fn with(triggers: &[(usize, u64, u64)]) -> TriggerModule {
        let mut tm = TriggerModule::new();
        for &(index, tdata1, tdata2) in triggers {
            tm.write_tselect(index as u64);
            tm.write_tdata1(0);
            tm.write_tdata2(tdata2);
            tm.write_tdata1(tdata1);
        }
        tm
    }

    fn mcontrol(bits: u64) -> u64 {
        TYPE_MCONTROL << TYPE_SHIFT | bits
    }

    fn mcontrol6(bits: u64) -> u64 {
        TYPE_MCONTROL6 << TYPE_SHIFT | bits
    }

    fn kind(k: u64) -> u64 {
        k << MATCH_SHIFT
    }

    #[test]
    fn reset_values() {
        let tm = TriggerModule::new();
        assert_eq!(tm.tselect(), 0);
        assert_eq!(tm.tdata1(), 0x2000_0000_0000_0000);
        assert_eq!(tm.tdata2(), 0);
        assert_eq!(tm.tdata3(), 0);
        assert_eq!(tm.tinfo(), 0x0100_0044);
        assert_eq!(tm.tcontrol(), 0x88);
        assert_eq!(tm.mcontext(), 0);
        assert!(!tm.execute_armed() && !tm.data_armed());
    }

    #[test]
    fn tselect_enumerates_four_triggers() {
        let mut tm = TriggerModule::new();
        for i in 0..4 {
            tm.write_tselect(i);
            assert_eq!(tm.tselect(), i);
            assert_eq!(tm.tdata1() >> 60, 2);
            assert_eq!(tm.tinfo() & 0xffff, 0x44);
        }
        for i in [4, 5, 8, u64::MAX] {
            tm.write_tselect(i);
            assert_ne!(tm.tselect(), i);
            assert!(tm.tselect() < 4);
        }
    }

    #[test]
    fn riscv_tests_values_read_back_exactly() {
        let mut tm = TriggerModule::new();
        for ops in [EXECUTE, LOAD, STORE] {
            let value = (2 << 60) | MODE_M | ops;
            tm.write_tdata1(value);
            assert_eq!(tm.tdata1(), value);
        }
        let all = OPS | MODES | CHAIN | kind(MATCH_LT);
        tm.write_tdata1(mcontrol(all));
        assert_eq!(tm.tdata1(), mcontrol(all));
        let all6 = OPS | MODES | CHAIN | HIT0 | HIT1 | kind(MATCH_NAPOT);
        tm.write_tdata1(mcontrol6(all6));
        assert_eq!(tm.tdata1(), mcontrol6(all6));
        tm.write_tdata2(u64::MAX - 7);
        assert_eq!(tm.tdata2(), u64::MAX - 7);
    }

    #[test]
    fn unsupported_mcontrol_fields_are_legalised() {
        let mut tm = TriggerModule::new();
        // dmode (59), maskmax (58:53), sizehi (22:21), select (19),
        // timing (18), sizelo (17:16), action (15:12 = 1), bit 5.
        let junk = 1 << 59 | 0x3f << 53 | 3 << 21 | 1 << 19 | 1 << 18 | 3 << 16 | 1 << 12 | 1 << 5;
        tm.write_tdata1(mcontrol(junk | MODE_M | EXECUTE));
        assert_eq!(tm.tdata1(), mcontrol(MODE_M | EXECUTE));
        // Every other action, too.
        for action in 1..16 {
            tm.write_tdata1(mcontrol(action << 12 | MODE_S | LOAD));
            assert_eq!(tm.tdata1(), mcontrol(MODE_S | LOAD));
        }
        // NAPOT and not-NAPOT are type 6 only; reserved kinds become 0.
        for k in [1, 6, 7, 9, 10, 11, 14, 15] {
            tm.write_tdata1(mcontrol(kind(k) | MODE_U | STORE));
            assert_eq!(tm.tdata1(), mcontrol(MODE_U | STORE), "match {k}");
        }
        for k in [0, 2, 3, 4, 5, 8, 12, 13] {
            tm.write_tdata1(mcontrol(kind(k) | MODE_U | STORE));
            assert_eq!(tm.tdata1(), mcontrol(kind(k) | MODE_U | STORE), "match {k}");
        }
        // hit is writable both ways.
        tm.write_tdata1(mcontrol(HIT | MODE_M));
        assert_eq!(tm.tdata1(), mcontrol(HIT | MODE_M));
    }

    #[test]
    fn unsupported_mcontrol6_fields_are_legalised() {
        let mut tm = TriggerModule::new();
        // dmode, bits 58:27, uncertain (26), vs (24), vu (23), select (21),
        // bits 20:19, size (18:16), action, uncertainen (5).
        let junk = 1 << 59 | 0xffff_ffff << 27 | 1 << 26 | 1 << 24 | 1 << 23 | 1 << 21 | 3 << 19;
        let junk = junk | 7 << 16 | 9 << 12 | 1 << 5;
        tm.write_tdata1(mcontrol6(junk | MODE_M | MODE_U | EXECUTE | STORE));
        assert_eq!(tm.tdata1(), mcontrol6(MODE_M | MODE_U | EXECUTE | STORE));
        for k in [0, 1, 2, 3, 4, 5, 8, 9, 12, 13] {
            tm.write_tdata1(mcontrol6(kind(k) | MODE_S | LOAD));
            assert_eq!(tm.tdata1(), mcontrol6(kind(k) | MODE_S | LOAD), "match {k}");
        }
        for k in [6, 7, 10, 11, 14, 15] {
            tm.write_tdata1(mcontrol6(kind(k) | MODE_S | LOAD));
            assert_eq!(tm.tdata1(), mcontrol6(MODE_S | LOAD), "match {k}");
        }
        // hit1:hit0 take all four values.
        for hit in [0, HIT0, HIT1, HIT0 | HIT1] {
            tm.write_tdata1(mcontrol6(hit | MODE_M));
            assert_eq!(tm.tdata1(), mcontrol6(hit | MODE_M));
        }
    }

    #[test]
    fn other_types_disable_the_trigger() {
        let mut tm = with(&[(1, mcontrol(MODE_M | EXECUTE), 0x1000)]);
        assert!(tm.execute_armed());
        tm.write_tdata1(0);
        assert_eq!(tm.tdata1(), 0xf000_0000_0000_0000);
        assert!(!tm.execute_armed());
        assert_eq!(tm.tdata2(), 0x1000, "tdata1 writes leave tdata2 alone");
        for ty in [0u64, 1, 3, 4, 5, 7, 8, 12, 14, 15] {
            tm.write_tdata1(ty << 60 | 1 << 59 | MODE_M | EXECUTE | 0x7ff);
            assert_eq!(tm.tdata1(), 0xf000_0000_0000_0000, "type {ty}");
            assert!(!tm.matches_execute(0x1000, M, 0));
        }
        // While disabled, tdata2 takes anything.
        tm.write_tdata2(u64::MAX);
        assert_eq!(tm.tdata2(), u64::MAX);
    }

    #[test]
    fn chain_is_zero_on_the_last_trigger() {
        let mut tm = TriggerModule::new();
        for i in 0..4 {
            tm.write_tselect(i);
            tm.write_tdata1(mcontrol6(CHAIN | MODE_M | LOAD));
            let expect = if i == 3 { 0 } else { CHAIN };
            assert_eq!(tm.tdata1() & CHAIN, expect, "trigger {i}");
        }
    }

    #[test]
    fn tdata3_tcontrol_mcontext() {
        let mut tm = TriggerModule::new();
        tm.write_tdata3(u64::MAX);
        assert_eq!(tm.tdata3(), 0);
        tm.write_tcontrol(u64::MAX);
        assert_eq!(tm.tcontrol(), 0x88);
        tm.write_tcontrol(0);
        assert_eq!(tm.tcontrol(), 0);
        tm.write_tcontrol(0x8);
        assert_eq!(tm.tcontrol(), 0x8);
        tm.write_mcontext(u64::MAX);
        assert_eq!(tm.mcontext(), 0x1fff);
    }

    #[test]
    fn napot_tdata2_discovery() {
        // "Set match=1 ... Write all ones to tdata2. Read tdata2. The value
        // of maskmax6 is the index of the most significant 0 bit plus 1."
        let mut tm = with(&[(0, mcontrol6(kind(MATCH_NAPOT)), 0)]);
        tm.write_tdata2(u64::MAX);
        let read = tm.tdata2();
        assert_eq!(63 - (!read).leading_zeros() + 1, 63);
        // Type 2 keeps all ones (an exact address).
        let mut tm = with(&[(0, mcontrol(0), 0)]);
        tm.write_tdata2(u64::MAX);
        assert_eq!(tm.tdata2(), u64::MAX);
    }

    #[test]
    fn execute_equal_and_mode_bits() {
        for (ty, f) in [(2, mcontrol as fn(u64) -> u64), (6, mcontrol6)] {
            for (mode_bit, prv) in [(MODE_M, M), (MODE_S, S), (MODE_U, U)] {
                let mut tm = with(&[(0, f(mode_bit | EXECUTE), 0x8000_1234)]);
                assert!(tm.execute_armed() && !tm.data_armed());
                for other in [M, S, U] {
                    let fires = tm.matches_execute(0x8000_1234, other, 0);
                    assert_eq!(fires, other == prv, "type {ty} {mode_bit:#x} in {other:?}");
                }
                assert!(!tm.matches_execute(0x8000_1236, prv, 0));
                assert!(!tm.matches_execute(0x8000_1232, prv, 0));
                // Not a load or store trigger.
                assert!(!tm.matches_access(0x8000_1234, 4, false, prv, 0));
                assert!(!tm.matches_access(0x8000_1234, 4, true, prv, 0));
            }
        }
    }

    #[test]
    fn loads_and_stores() {
        let addr = 0x8000_2008;
        let mut tm = with(&[(0, mcontrol(MODE_S | LOAD), addr)]);
        assert!(tm.data_armed() && !tm.execute_armed());
        assert!(tm.matches_access(addr, 4, false, S, 0));
        assert!(!tm.matches_access(addr, 4, true, S, 0), "a store");
        assert!(!tm.matches_access(addr, 4, false, U, 0), "in U");
        assert!(!tm.matches_execute(addr, S, 0));
        // Every byte of the access is a compare value.
        assert!(tm.matches_access(addr - 4, 8, false, S, 0));
        assert!(tm.matches_access(addr - 7, 8, false, S, 0));
        assert!(!tm.matches_access(addr - 8, 8, false, S, 0));
        assert!(!tm.matches_access(addr + 1, 1, false, S, 0));
        assert!(!tm.matches_access(addr + 4, 4, false, S, 0));
        assert!(tm.matches_access(addr - 1, 2, false, S, 0));
        let mut tm = with(&[(2, mcontrol6(MODE_U | MODE_M | STORE), addr)]);
        assert!(tm.matches_access(addr, 8, true, U, 0));
        assert!(tm.matches_access(addr, 1, true, M, 0));
        assert!(!tm.matches_access(addr, 8, false, U, 0));
        assert!(!tm.matches_access(addr, 8, true, S, 0));
        // An access wrapping around the top of the address space.
        let mut tm = with(&[(0, mcontrol(MODE_U | LOAD), 1)]);
        assert!(tm.matches_access(u64::MAX - 1, 4, false, U, 0));
    }

    #[test]
    fn match_kinds() {
        const T: u64 = 0x8000_4000;
        type Case = (u64, u64, &'static [(u64, u64, bool)]);
        let cases: &[Case] = &[
            // (match, tdata2, [(address, size, fires)])
            (
                MATCH_GE,
                T,
                &[
                    (T, 1, true),
                    (T - 1, 1, false),
                    (T - 4, 8, true),
                    (u64::MAX, 1, true),
                ],
            ),
            (
                MATCH_LT,
                T,
                &[
                    (T - 1, 1, true),
                    (T, 8, false),
                    (0, 1, true),
                    (T - 2, 4, true),
                ],
            ),
            (
                MATCH_NOT | MATCH_EQUAL,
                T,
                &[(T, 1, false), (T + 1, 1, true), (T - 4, 8, false)],
            ),
            (
                MATCH_MASK_LOW,
                0x0000_ff00_0000_1200,
                &[
                    (0x1234, 1, true),
                    (0x77_0000_1299, 1, true),
                    (0x1334, 1, false),
                ],
            ),
            (
                MATCH_MASK_HIGH,
                0xffff_0000_8000_0000,
                &[
                    (0x8000_1234_0000_0000, 1, true),
                    (0x8001_0000_0000_0000, 1, false),
                ],
            ),
            (
                MATCH_NOT | MATCH_MASK_LOW,
                0x0000_ff00_0000_1200,
                &[(0x1234, 1, false), (0x1334, 1, true)],
            ),
            (
                MATCH_NOT | MATCH_MASK_HIGH,
                0xffff_0000_8000_0000,
                &[(0x8000_0000_0000_0000, 1, false), (0, 1, true)],
            ),
        ];
        for &(k, tdata2, accesses) in cases {
            for ty in [mcontrol as fn(u64) -> u64, mcontrol6] {
                let mut tm = with(&[(1, ty(kind(k) | MODE_S | LOAD | EXECUTE), tdata2)]);
                for &(addr, size, fires) in accesses {
                    assert_eq!(
                        tm.matches_access(addr, size, false, S, 0),
                        fires,
                        "match {k} at {addr:#x}/{size}"
                    );
                    if size == 1 {
                        assert_eq!(
                            tm.matches_execute(addr, S, 0),
                            fires,
                            "match {k} fetch at {addr:#x}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn napot_ranges() {
        // A 4 KiB range at 0x8000_5000: tdata2 = base | (size / 2 - 1).
        let tdata2 = 0x8000_5000 | 0x7ff;
        let mut tm = with(&[(0, mcontrol6(kind(MATCH_NAPOT) | MODE_U | LOAD), tdata2)]);
        assert!(tm.matches_access(0x8000_5000, 1, false, U, 0));
        assert!(tm.matches_access(0x8000_5ff8, 8, false, U, 0));
        assert!(
            tm.matches_access(0x8000_4ffc, 8, false, U, 0),
            "straddling in"
        );
        assert!(!tm.matches_access(0x8000_6000, 8, false, U, 0));
        assert!(!tm.matches_access(0x8000_4ff8, 8, false, U, 0));
        let mut tm = with(&[(
            0,
            mcontrol6(kind(MATCH_NOT | MATCH_NAPOT) | MODE_U | LOAD),
            tdata2,
        )]);
        assert!(!tm.matches_access(0x8000_5800, 4, false, U, 0));
        assert!(tm.matches_access(0x8000_6000, 4, false, U, 0));
        // An 8-byte range (tdata2 ends in 011).
        let mut tm = with(&[(
            0,
            mcontrol6(kind(MATCH_NAPOT) | MODE_M | EXECUTE),
            0x8000_0103,
        )]);
        assert!(tm.matches_execute(0x8000_0100, M, 0));
        assert!(tm.matches_execute(0x8000_0106, M, 0));
        assert!(!tm.matches_execute(0x8000_0108, M, 0));
        assert!(!tm.matches_execute(0x8000_00fe, M, 0));
    }

    #[test]
    fn chains_fire_only_when_all_match() {
        // [0x1000, 0x1010): trigger 0 ">= 0x1000" chained to 1 "< 0x1010".
        let mut tm = with(&[
            (0, mcontrol6(kind(MATCH_GE) | CHAIN | MODE_S | LOAD), 0x1000),
            (1, mcontrol6(kind(MATCH_LT) | MODE_S | LOAD), 0x1010),
        ]);
        assert!(tm.matches_access(0x1008, 8, false, S, 0));
        assert!(!tm.matches_access(0x1010, 8, false, S, 0));
        assert!(!tm.matches_access(0xff8, 8, false, S, 0));
        // Both triggers of the chain record the hit.
        for i in 0..2 {
            tm.write_tselect(i);
            assert_eq!(tm.tdata1() & (HIT0 | HIT1), HIT0, "trigger {i}");
        }
        // A trigger after the chain is independent of it.
        let mut tm = with(&[
            (0, mcontrol(CHAIN | MODE_M | EXECUTE), 0x2000),
            (1, mcontrol(MODE_M | EXECUTE), 0x3000),
            (2, mcontrol(MODE_M | EXECUTE), 0x3000),
        ]);
        assert!(tm.matches_execute(0x3000, M, 0), "trigger 2 alone");
        tm.write_tselect(1);
        assert_eq!(tm.tdata1() & HIT, 0, "the chain did not fire");
        tm.write_tselect(2);
        assert_eq!(tm.tdata1() & HIT, HIT);
        assert!(!tm.matches_execute(0x2000, M, 0));
        // A chain whose link is disabled never fires.
        tm.write_tselect(0);
        tm.write_tdata1(0);
        tm.write_tselect(2);
        tm.write_tdata1(0);
        tm.write_tselect(1);
        tm.write_tdata1(mcontrol(CHAIN | MODE_M | EXECUTE));
        assert!(!tm.matches_execute(0x3000, M, 0));
    }

    #[test]
    fn hit_bits_set_when_firing_only() {
        let mut tm = with(&[
            (0, mcontrol(MODE_M | EXECUTE), 0x100),
            (1, mcontrol6(MODE_M | EXECUTE | HIT1), 0x100),
            (3, mcontrol6(MODE_M | EXECUTE), 0x200),
        ]);
        assert!(tm.matches_execute(0x100, M, 0));
        tm.write_tselect(0);
        assert_eq!(tm.tdata1(), mcontrol(MODE_M | EXECUTE | HIT));
        tm.write_tselect(1);
        assert_eq!(
            tm.tdata1(),
            mcontrol6(MODE_M | EXECUTE | HIT0),
            "hit = 1: before"
        );
        tm.write_tselect(3);
        assert_eq!(tm.tdata1(), mcontrol6(MODE_M | EXECUTE), "did not fire");
        // Clearing hit needs no TLB flush.
        tm.write_tselect(0);
        assert!(!tm.write_tdata1(mcontrol(MODE_M | EXECUTE)));
    }

    #[test]
    fn mte_rule() {
        let mut tm = with(&[(0, mcontrol(MODE_M | MODE_S | EXECUTE), 0x100)]);
        // Reset: mte = mpte = 1, so M-mode triggers fire.
        assert!(tm.matches_execute(0x100, M, 0));
        // A trap into M: mpte = mte (1), mte = 0.
        tm.on_trap(true, true);
        assert_eq!(tm.tcontrol(), 0x80);
        assert!(
            !tm.matches_execute(0x100, M, 0),
            "mte = 0 stops M-mode triggers"
        );
        assert!(tm.matches_execute(0x100, S, 0), "but not S-mode ones");
        // A nested trap into M (any cause): mpte = 0.
        tm.on_trap(true, false);
        assert_eq!(tm.tcontrol(), 0);
        tm.on_mret();
        assert_eq!(tm.tcontrol(), 0);
        assert!(!tm.matches_execute(0x100, M, 0));
        // The handler sets mte itself.
        tm.write_tcontrol(0x8);
        assert!(tm.matches_execute(0x100, M, 0));
        tm.on_trap(true, false);
        assert_eq!(tm.tcontrol(), 0x80);
        tm.on_mret();
        assert_eq!(tm.tcontrol(), 0x88);
        // Traps into S leave tcontrol alone.
        tm.on_trap(false, true);
        assert_eq!(tm.tcontrol(), 0x88);
        // The spec's reset state: M-mode triggers do not fire until mte is set.
        tm.write_tcontrol(0);
        assert!(!tm.matches_execute(0x100, M, 0));
        assert!(!tm.matches_access(0x100, 4, false, M, 0));
        tm.on_mret();
        assert_eq!(tm.tcontrol(), 0);
    }

    #[test]
    fn pages() {
        let mut tm = TriggerModule::new();
        assert!(!tm.may_execute_in_page(PAGE) && !tm.may_access_page(PAGE));
        tm = with(&[(0, mcontrol(MODE_U | EXECUTE), PAGE + 0xffe)]);
        assert!(tm.may_execute_in_page(PAGE));
        assert!(!tm.may_execute_in_page(PAGE + 0x1000));
        assert!(!tm.may_execute_in_page(PAGE - 0x1000));
        assert!(!tm.may_access_page(PAGE));
        // A trigger without a mode bit is not armed.
        tm.write_tdata1(mcontrol(EXECUTE));
        assert!(!tm.execute_armed() && !tm.may_execute_in_page(PAGE));
        // Data: the page, and accesses of up to 8 bytes straddling in or out.
        for (addr, pages) in [
            (PAGE, &[PAGE, PAGE - 0x1000][..]),
            (PAGE + 0x800, &[PAGE]),
            (PAGE + 0xfff, &[PAGE, PAGE + 0x1000]),
            (PAGE + 6, &[PAGE, PAGE - 0x1000]),
            (PAGE + 7, &[PAGE]),
            (PAGE - 7, &[PAGE, PAGE - 0x1000]),
        ] {
            let tm = with(&[(1, mcontrol6(MODE_S | STORE), addr)]);
            for p in [PAGE - 0x2000, PAGE - 0x1000, PAGE, PAGE + 0x1000] {
                assert_eq!(
                    tm.may_access_page(p),
                    pages.contains(&p),
                    "trigger at {addr:#x}, page {p:#x}"
                );
            }
        }
        // Other kinds: every page.
        let tm = with(&[(
            1,
            mcontrol6(kind(MATCH_GE) | MODE_S | LOAD | EXECUTE),
            u64::MAX,
        )]);
        assert!(tm.may_access_page(0) && tm.may_execute_in_page(0));
        // Near the ends of the address space.
        let tm = with(&[(0, mcontrol(MODE_M | LOAD), 3)]);
        assert!(tm.may_access_page(0) && tm.may_access_page(!0xfff));
    }

    #[test]
    fn writes_ask_for_a_flush_when_matching_changes() {
        let mut tm = TriggerModule::new();
        assert!(!tm.write_tdata2(0x1000), "not armed");
        assert!(tm.write_tdata1(mcontrol(MODE_M | LOAD)));
        assert!(!tm.write_tdata1(mcontrol(MODE_M | LOAD)), "no change");
        assert!(tm.write_tdata2(0x2000));
        assert!(!tm.write_tdata2(0x2000), "no change");
        assert!(tm.write_tdata1(0), "disarmed: the hart drops its flags");
        assert!(!tm.write_tdata1(0), "no change");
        tm.write_tselect(2);
        assert!(!tm.write_tdata1(mcontrol6(LOAD)), "no mode");
        assert!(tm.write_tdata1(mcontrol6(MODE_U | LOAD)));
    }

    #[test]
    fn csrs_are_machine_mode_read_write() {
        use crate::csr::{addr, WriteEffect};
        let mut hart = crate::hart::Hart::new(0);
        for csr in [
            addr::TSELECT,
            addr::TDATA1,
            addr::TDATA2,
            addr::TDATA3,
            addr::TINFO,
            addr::TCONTROL,
            addr::MCONTEXT,
        ] {
            assert!(hart.csr_read(csr, 0, M).is_ok(), "{csr:#x}");
            for prv in [S, U] {
                assert!(hart.csr_read(csr, 0, prv).is_err(), "{csr:#x} in {prv:?}");
                assert!(
                    hart.csr_write(csr, 0, 0, prv).is_err(),
                    "{csr:#x} in {prv:?}"
                );
            }
        }
        // 0x7a6, 0x7a7 (no textra-like registers) and the debug-mode-only
        // 0x7b0.. do not exist.
        for csr in [0x7a6, 0x7a7, 0x7a9, 0x7aa, 0x7b0] {
            assert!(hart.csr_read(csr, 0, M).is_err(), "{csr:#x}");
        }
        let effect = |h: &mut crate::hart::Hart, csr, v| h.csr_write(csr, v, 0, M).unwrap();
        assert_eq!(effect(&mut hart, addr::TSELECT, 1), WriteEffect::None);
        assert_eq!(
            effect(&mut hart, addr::TDATA2, 0x8000_0000),
            WriteEffect::None
        );
        let value = mcontrol(MODE_M | EXECUTE);
        assert_eq!(
            effect(&mut hart, addr::TDATA1, value),
            WriteEffect::FlushTlb
        );
        assert_eq!(hart.csr_read(addr::TDATA1, 0, M), Ok(value));
        assert_eq!(
            effect(&mut hart, addr::TDATA2, 0x8000_0004),
            WriteEffect::FlushTlb
        );
        assert_eq!(effect(&mut hart, addr::TCONTROL, 0), WriteEffect::None);
        assert_eq!(effect(&mut hart, addr::TINFO, 0), WriteEffect::None);
        assert_eq!(hart.csr_read(addr::TINFO, 0, M), Ok(0x0100_0044));
        assert_eq!(hart.csr_read(addr::TSELECT, 0, M), Ok(1));
        assert_eq!(hart.csr_read(addr::TCONTROL, 0, M), Ok(0));
    }

    #[test]
    fn several_triggers_fire_together() {
        let mut tm = with(&[
            (0, mcontrol(MODE_M | LOAD), 0x100),
            (1, mcontrol6(MODE_M | LOAD | STORE), 0x104),
        ]);
        assert!(tm.matches_access(0x100, 8, false, M, 0));
        for i in 0..2 {
            tm.write_tselect(i);
            assert_ne!(tm.tdata1() & (HIT | HIT0), 0, "trigger {i}");
        }
        assert!(tm.matches_access(0x104, 4, true, M, 0));
        assert!(!tm.matches_access(0x100, 4, true, M, 0));
    }
}
