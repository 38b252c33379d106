//! The page-table walker (`core/src/mmu.rs`) with random tables, and the
//! hart's loads, stores and fetches through its TLB over the same tables.
//!
//! Input: a setup (satp mode and root, ASID, SUM, MXR, ADUE, PBMTE, a PMP
//! region), page-table entries written into 60 KiB of RAM, then accesses
//! (kind, privilege, size, virtual address). For each access:
//! - the walker must not panic; a translation it allows must land where
//!   the leaf PTE says (found by a small walk of our own), with the
//!   leaf's permission bits allowing the access, and the debugger's walk
//!   must agree;
//! - a load or store run by the hart (M-mode with MPRV, so only the data
//!   access is translated; a load twice, the second time through the
//!   TLB) must fault
//!   exactly when the walker faults, with the same exception, and a load
//!   must read the bytes at the walker's address.
//!
//! The code the hart runs sits in the last page of RAM, which the
//! table writes leave alone (but a PTE may point to it: its instruction
//! is then an entry of a page table, and A/D updates may rewrite it).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rivet_core::bus::EmptyBus;
use rivet_core::csr::addr::{MENVCFG, MIE, MSTATUS, MTVEC, PMPADDR0, PMPCFG0, SATP};
use rivet_core::mmu::AccessType;
use rivet_core::trap::Fault;
use rivet_core::{Cause, Hart, Memory, PhysAddr, Privilege, StopReason, XReg};
use rivet_fuzz::Input;

const RAM: u64 = 0x8000_0000;
const PAGES: u64 = 16;
/// The page that holds the instruction the hart runs.
const CODE: u64 = RAM + (PAGES - 1) * 4096;

const MSTATUS_SUM: u64 = 1 << 18;
const MSTATUS_MXR: u64 = 1 << 19;
const MSTATUS_MPRV: u64 = 1 << 17;
const MSTATUS_MPP_SHIFT: u64 = 11;
const MENVCFG_ADUE: u64 = 1 << 61;
const MENVCFG_PBMTE: u64 = 1 << 62;
const PPN_MASK: u64 = (1 << 44) - 1;

/// `sfence.vma x0, x0`.
const SFENCE_VMA: u32 = 0x1200_0073;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let mut mem = Memory::new(PhysAddr::new(RAM), PAGES * 4096).expect("RAM");
    let mut hart = Hart::new(0);
    let mut bus = EmptyBus;

    // satp: a legal mode and a root page in RAM, or any value at all.
    let setup = input.u8();
    let satp = if setup & 0x80 != 0 {
        input.u64()
    } else {
        let mode = [0u64, 8, 9, 10][usize::from(setup & 3)];
        let root = (RAM >> 12) + u64::from(input.u8()) % (PAGES - 1);
        mode << 60 | u64::from(input.u16()) << 44 | root
    };
    let _ = hart.set_csr(SATP, satp);
    let flags = input.u8();
    let status =
        if flags & 1 != 0 { MSTATUS_SUM } else { 0 } | if flags & 2 != 0 { MSTATUS_MXR } else { 0 };
    let envcfg = if flags & 4 != 0 { MENVCFG_ADUE } else { 0 }
        | if flags & 16 != 0 { MENVCFG_PBMTE } else { 0 };
    let _ = hart.set_csr(MENVCFG, envcfg);
    // PMP: everything allowed (NAPOT over the whole space, RWX), or a
    // region from the input (never locked, so M-mode runs its code).
    let (cfg, pmpaddr) = if flags & 8 != 0 {
        (u64::from(input.u8() & 0x7f), input.u64())
    } else {
        (0x1f, u64::MAX)
    };
    let _ = hart.set_csr(PMPADDR0, pmpaddr);
    let _ = hart.set_csr(PMPCFG0, cfg);
    let _ = hart.set_csr(MIE, 0);
    let _ = hart.set_csr(MTVEC, CODE + 0x800);

    // Page-table entries, anywhere but the code page.
    for _ in 0..input.u8() % 64 {
        let page = u64::from(input.u8()) % (PAGES - 1);
        let index = u64::from(input.u16()) % 512;
        let pte = input.u64();
        mem.write_u64(PhysAddr::new(RAM + page * 4096 + index * 8), pte)
            .expect("inside RAM");
    }

    while !input.is_empty() {
        let op = input.u8();
        let access = match op % 3 {
            0 => AccessType::Load,
            1 => AccessType::Store,
            _ => AccessType::Fetch,
        };
        let prv = if op & 4 != 0 {
            Privilege::User
        } else {
            Privilege::Supervisor
        };
        let size_log = u32::from(op >> 3 & 3);
        let mut vaddr = input.u64();
        if access != AccessType::Fetch {
            vaddr &= !((1 << size_log) - 1);
        } else {
            vaddr &= !1;
        }
        // SUM and MXR as set up; for loads and stores, M-mode with MPRV
        // and MPP = the mode (the walk below is made in that mode itself).
        let mstatus = match access {
            AccessType::Fetch => status,
            _ => {
                let mpp = u64::from(prv == Privilege::Supervisor);
                status | MSTATUS_MPRV | mpp << MSTATUS_MPP_SHIFT
            }
        };
        let _ = hart.set_csr(MSTATUS, mstatus);
        if access != AccessType::Fetch {
            // The code page may be a page table too (its instruction a
            // PTE): the walker must see the instruction the hart will run.
            let (insn, _) = data_insn(access, size_log);
            mem.write_u32(PhysAddr::new(CODE), insn).expect("code page");
        }
        let walked = walk(&mut hart, &mut mem, prv, vaddr, access);
        match access {
            AccessType::Fetch => fetch(&mut hart, &mut mem, &mut bus, prv, vaddr, walked),
            _ => {
                let data = DataAccess {
                    access,
                    size_log,
                    vaddr,
                    value: input.u64(),
                    mstatus,
                };
                data_access(&mut hart, &mut mem, &mut bus, &data, walked);
            }
        }
    }
});

/// The walker's answer for `vaddr` in mode `prv`, checked against the
/// leaf PTE and the debugger's walk.
fn walk(
    hart: &mut Hart,
    mem: &mut Memory,
    prv: Privilege,
    vaddr: u64,
    access: AccessType,
) -> Result<u64, Fault> {
    hart.set_privilege(prv);
    let debug = hart.debug_translate(mem, vaddr);
    let leaf = leaf(hart, mem, vaddr);
    let result = hart.fuzz_translate(mem, vaddr, access);
    if let Ok(paddr) = result {
        assert_eq!(debug, Some(paddr), "the debugger's walk disagrees");
        match leaf {
            None => assert_eq!(paddr, vaddr, "translated without a page table"),
            Some((pte, level)) => {
                let offset = (1u64 << (12 + 9 * level)) - 1;
                let mut ppn = pte >> 10 & PPN_MASK;
                if pte >> 63 != 0 {
                    // Svnapot: only a 64 KiB level-0 leaf (ppn[3:0] =
                    // 1000) translates, taking ppn[3:0] from vpn[0][3:0].
                    assert!(
                        level == 0 && ppn & 0xf == 8,
                        "a reserved NAPOT PTE {pte:#x}"
                    );
                    ppn = ppn & !0xf | vaddr >> 12 & 0xf;
                }
                assert_eq!(
                    paddr,
                    (ppn << 12) & !offset | vaddr & offset,
                    "not the leaf's page"
                );
                let needed = match access {
                    AccessType::Fetch => 1 << 3,
                    AccessType::Load => 1 << 1 | 1 << 3,
                    AccessType::Store => 1 << 2,
                };
                assert!(pte & needed != 0, "PTE {pte:#x} does not allow {access:?}");
                if prv == Privilege::User {
                    assert!(pte & 1 << 4 != 0, "a user access to a supervisor page");
                }
            }
        }
    }
    hart.set_privilege(Privilege::Machine);
    result
}

/// The leaf PTE that maps `vaddr` and its level, by a walk of our own;
/// `None` when translation is off (or no valid leaf is found: the walker
/// must then fault).
fn leaf(hart: &Hart, mem: &Memory, vaddr: u64) -> Option<(u64, u32)> {
    let satp = hart.csr(SATP).ok()?;
    let levels = match satp >> 60 {
        8 => 3,
        9 => 4,
        10 => 5,
        _ => return None,
    };
    let mut table = (satp & PPN_MASK) << 12;
    for level in (0..levels).rev() {
        let vpn = vaddr >> (12 + 9 * level) & 0x1ff;
        let pte = mem
            .read_u64(PhysAddr::new(table.wrapping_add(vpn * 8)))
            .ok()?;
        if pte & 1 == 0 {
            break;
        }
        if pte & 0b1010 != 0 {
            return Some((pte, level));
        }
        table = (pte >> 10 & PPN_MASK) << 12;
    }
    // Translation is on: a valid walk always ends at a leaf.
    Some((0, 0))
}

/// The instruction that makes a load or store of `1 << size_log` bytes,
/// and how many times to run it.
fn data_insn(access: AccessType, size_log: u32) -> (u32, usize) {
    match access {
        // `lb`/`lh`/`lw`/`ld x5, 0(x6)`, run twice.
        AccessType::Load => (0x0003_0283 | size_log << 12, 2),
        // `sb`/`sh`/`sw`/`sd x7, 0(x6)`, once: it may rewrite the very
        // page table that maps it.
        _ => (0x0073_0023 | size_log << 12, 1),
    }
}

/// Runs one instruction at the code page, in M-mode.
fn run_at_code(hart: &mut Hart, mem: &mut Memory, bus: &mut EmptyBus, insn: u32) -> StopReason {
    mem.write_u32(PhysAddr::new(CODE), insn).expect("code page");
    hart.set_privilege(Privilege::Machine);
    hart.set_pc(CODE);
    hart.step(mem, bus).stop
}

/// A load or store the hart makes.
struct DataAccess {
    access: AccessType,
    /// The access is `1 << size_log` bytes wide.
    size_log: u32,
    vaddr: u64,
    /// What a store writes.
    value: u64,
    /// `mstatus` for it: MPRV set, MPP the mode it is made in.
    mstatus: u64,
}

/// A load or store of `1 << size_log` bytes at `vaddr` by the hart, twice
/// (the second time the TLB may have the page), against the walker's
/// `walked` answer.
fn data_access(
    hart: &mut Hart,
    mem: &mut Memory,
    bus: &mut EmptyBus,
    data: &DataAccess,
    walked: Result<u64, Fault>,
) {
    let DataAccess {
        access,
        size_log,
        vaddr,
        value,
        mstatus,
    } = *data;
    let (insn, runs) = data_insn(access, size_log);
    let mut first = None;
    for _ in 0..runs {
        // A trap of the run before set MPP to M.
        let _ = hart.set_csr(MSTATUS, mstatus);
        hart.set_x(XReg::new(5).expect("x5"), 0);
        hart.set_x(XReg::new(6).expect("x6"), vaddr);
        hart.set_x(XReg::new(7).expect("x7"), value);
        let stop = run_at_code(hart, mem, bus, insn);
        let trap = (stop == StopReason::Trap)
            .then(|| hart.last_trap().copied())
            .flatten();
        match (&walked, trap) {
            (Err(f), Some(t)) => {
                assert_eq!(
                    t.cause,
                    Cause::Exception(f.exception),
                    "{access:?} at {vaddr:#x}"
                );
                assert_eq!(t.tval, vaddr);
            }
            (Err(f), None) => {
                panic!("the walker faults ({f:?}) but the {access:?} at {vaddr:#x} ran")
            }
            (Ok(_), Some(t)) => assert_eq!(
                t.cause,
                Cause::Exception(access.access_fault()),
                "the walker allows the {access:?} at {vaddr:#x}"
            ),
            (Ok(paddr), None) => {
                if access == AccessType::Load {
                    let loaded = hart.x(XReg::new(5).expect("x5"));
                    let size = 1usize << size_log;
                    let mut bytes = [0u8; 8];
                    if mem.read(PhysAddr::new(*paddr), &mut bytes[..size]).is_ok() {
                        let expected = match size {
                            1 => i64::from(bytes[0] as i8) as u64,
                            2 => i64::from(i16::from_le_bytes([bytes[0], bytes[1]])) as u64,
                            4 => i64::from(i32::from_le_bytes([
                                bytes[0], bytes[1], bytes[2], bytes[3],
                            ])) as u64,
                            _ => u64::from_le_bytes(bytes),
                        };
                        assert_eq!(loaded, expected, "load at {vaddr:#x} -> {paddr:#x}");
                    }
                }
            }
        }
        let outcome = trap.map(|t| t.cause);
        match first {
            None => first = Some(outcome),
            Some(f) => assert_eq!(f, outcome, "the TLB changed the outcome at {vaddr:#x}"),
        }
    }
    if access == AccessType::Store {
        // The store may have changed a page table: the TLB may keep stale
        // entries until an sfence.vma, as the architecture allows.
        run_at_code(hart, mem, bus, SFENCE_VMA);
    }
}

/// A fetch at `vaddr` in mode `prv`: it must fault exactly as the walker
/// does (what the instruction there then does is its own business).
fn fetch(
    hart: &mut Hart,
    mem: &mut Memory,
    bus: &mut EmptyBus,
    prv: Privilege,
    vaddr: u64,
    walked: Result<u64, Fault>,
) {
    hart.set_privilege(prv);
    hart.set_pc(vaddr);
    let stop = hart.step(mem, bus).stop;
    if let Err(f) = walked {
        let trap = (stop == StopReason::Trap)
            .then(|| hart.last_trap().copied())
            .flatten();
        let t = trap
            .unwrap_or_else(|| panic!("the walker faults ({f:?}) but the fetch at {vaddr:#x} ran"));
        assert_eq!(t.cause, Cause::Exception(f.exception));
        assert_eq!(t.tval, vaddr);
    }
    // Whatever ran may have changed page tables or CSRs.
    let _ = hart.set_csr(MIE, 0);
    run_at_code(hart, mem, bus, SFENCE_VMA);
}
