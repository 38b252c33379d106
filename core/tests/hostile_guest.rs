//! A guest is untrusted: random instruction words, executed in every
//! privilege mode with random register contents, random CSR values and
//! paging switched on with random page tables, must only ever produce
//! architected traps — never a host panic (these tests run with overflow
//! checks on), a hang of `run`, or an access outside RAM.

use proptest::prelude::*;
use rivet_core::bus::EmptyBus;
use rivet_core::csr::addr;
use rivet_core::{Hart, Memory, PhysAddr, Privilege, XReg};

const BASE: u64 = 0x8000_0000;
const SIZE: u64 = 64 * 1024;

fn machine(words: &[u32], regs: &[u64]) -> (Hart, Memory) {
    let mut mem = Memory::new(PhysAddr::new(BASE), SIZE).unwrap();
    for (i, w) in words.iter().enumerate() {
        mem.write_u32(PhysAddr::new(BASE + 4 * i as u64), *w)
            .unwrap();
    }
    let mut hart = Hart::new(0);
    for (r, v) in XReg::all().skip(1).zip(regs) {
        hart.set_x(r, *v);
    }
    hart.set_pc(BASE);
    // Traps go back into the random code.
    hart.set_csr(addr::MTVEC, BASE + 64).unwrap();
    (hart, mem)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Random words in M-mode, with addresses near RAM in the registers.
    #[test]
    fn random_code_in_m_mode(
        words in proptest::collection::vec(any::<u32>(), 64..256),
        regs in proptest::collection::vec(prop_oneof![any::<u64>(), (0u64..SIZE).prop_map(|o| BASE + o), Just(u64::MAX - 7)], 31),
    ) {
        let (mut hart, mut mem) = machine(&words, &regs);
        let out = hart.run(&mut mem, &mut EmptyBus, 5_000);
        prop_assert!(out.retired <= 5_000);
    }

    /// Random words in S- and U-mode with random satp/mstatus/PMP settings
    /// and random page tables (the RAM itself is random).
    #[test]
    fn random_code_with_paging(
        words in proptest::collection::vec(any::<u32>(), 2048..4096),
        regs in proptest::collection::vec(any::<u64>(), 31),
        satp_mode in prop_oneof![Just(0u64), Just(8), Just(9), Just(10)],
        root in 0u64..(SIZE / 4096),
        mstatus in any::<u64>(),
        pmpcfg in any::<u64>(),
        pmpaddr in any::<u64>(),
        prv in prop_oneof![Just(Privilege::User), Just(Privilege::Supervisor), Just(Privilege::Machine)],
    ) {
        let (mut hart, mut mem) = machine(&words, &regs);
        let _ = hart.set_csr(addr::PMPADDR0, pmpaddr);
        let _ = hart.set_csr(addr::PMPCFG0, pmpcfg);
        let _ = hart.set_csr(addr::MSTATUS, mstatus);
        let _ = hart.set_csr(addr::SATP, (satp_mode << 60) | ((BASE >> 12) + root));
        let _ = hart.set_csr(addr::MEDELEG, regs[0]);
        let _ = hart.set_csr(addr::STVEC, BASE + 128);
        hart.set_privilege(prv);
        let out = hart.run(&mut mem, &mut EmptyBus, 5_000);
        prop_assert!(out.retired <= 5_000);
    }
}
