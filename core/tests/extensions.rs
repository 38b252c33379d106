//! A hart's extension set ([`Extensions`]): an instruction of an extension
//! the set leaves out is an illegal instruction (cause 2, `mtval` = its
//! bits, `rd` unchanged), one of an extension it has executes, and
//! `misa` follows the letters. Each switchable extension is switched off
//! alone, so that one switch cannot stand for another.

use rivet_core::bus::EmptyBus;
use rivet_core::csr::addr;
use rivet_core::isa::Extensions;
use rivet_core::{Cause, Exception, Hart, Memory, PhysAddr, XReg};

const BASE: u64 = 0x8000_0000;

/// Instructions of each switchable extension (bits from binutils 2.40,
/// `-march=rv64gc_zba_zbb_zbc_zbs_zicbom_zicboz_svinval_zfh`; Zicond's from the spec's encoding
/// table), all writing a0 from a1 = 3, a2 = 5 and a3 = a doubleword of
/// RAM holding 0 (f registers all zero, `mstatus.FS` Initial where F is
/// present), with the value a0 gets.
const SAMPLES: &[(Extensions, u32, &str, u64)] = &[
    (Extensions::M, 0x02c5_8533, "mul a0,a1,a2", 15),
    (Extensions::A, 0x00c6_b52f, "amoadd.d a0,a2,(a3)", 0),
    (Extensions::A, 0x1006_a52f, "lr.w a0,(a3)", 0),
    (Extensions::F, 0xe000_0553, "fmv.x.w a0,ft0", 0),
    (Extensions::F, 0x0010_2573, "frflags a0", 0),
    (Extensions::D, 0xe200_0553, "fmv.x.d a0,ft0", 0),
    // ft0 = 0 is not NaN-boxed: fmv.x.h moves its raw low 16 bits, fclass.h
    // sees the canonical NaN (class bit 9, quiet NaN).
    (Extensions::ZFHMIN, 0xe400_0553, "fmv.x.h a0,ft0", 0),
    (Extensions::ZFH, 0xe400_1553, "fclass.h a0,ft0", 1 << 9),
    (
        Extensions::ZBA,
        0x20c5_a533,
        "sh1add a0,a1,a2",
        5 + (3 << 1),
    ),
    (Extensions::ZBA, 0x0835_951b, "slli.uw a0,a1,0x3", 3 << 3),
    (Extensions::ZBB, 0x40c5_f533, "andn a0,a1,a2", 3 & !5),
    (Extensions::ZBB, 0x6005_9513, "clz a0,a1", 62),
    (Extensions::ZBB, 0x6b85_d513, "rev8 a0,a1", 3 << 56),
    (Extensions::ZBC, 0x0ac5_9533, "clmul a0,a1,a2", 0b1111), // (x+1)(x^2+1)
    (Extensions::ZBS, 0x28c5_9533, "bset a0,a1,a2", 3 | 1 << 5),
    (Extensions::ZBS, 0x4815_d513, "bext a0,a1,0x1", 1),
    (Extensions::ZICOND, 0x0ec5_d533, "czero.eqz a0,a1,a2", 3),
    (Extensions::ZICOND, 0x0ec5_f533, "czero.nez a0,a1,a2", 0),
    // Instructions that write no register: a0 keeps 0x55.
    (
        Extensions::SVINVAL,
        0x1600_0073,
        "sinval.vma zero,zero",
        0x55,
    ),
    (Extensions::SVINVAL, 0x1800_0073, "sfence.w.inval", 0x55),
    (Extensions::ZICBOM, 0x0026_a00f, "cbo.flush (a3)", 0x55),
    (Extensions::ZICBOZ, 0x0046_a00f, "cbo.zero (a3)", 0x55),
];

/// Where the harts' `mtvec` points.
const HANDLER: u64 = BASE + 0x800;

/// Runs the instruction `bits` on `hart` (a1 = 3, a2 = 5, a0 = 0x55) in
/// `mem`; returns a0 and, if it trapped (the hart is at the handler), the
/// trap's cause and value.
fn execute(hart: &mut Hart, mem: &mut Memory, bits: u32) -> (u64, Option<(Cause, u64)>) {
    mem.write_u32(PhysAddr::new(BASE), bits).unwrap();
    hart.set_csr(addr::MTVEC, HANDLER).unwrap();
    hart.set_pc(BASE);
    hart.set_x(XReg::A0, 0x55);
    hart.set_x(XReg::A1, 3);
    hart.set_x(XReg::A2, 5);
    hart.set_x(XReg::A3, BASE + 0x400);
    mem.write_u64(PhysAddr::new(BASE + 0x400), 0).unwrap();
    // FS = Initial: kept where F is present, ignored where it is not.
    hart.set_csr(addr::MSTATUS, 1 << 13).unwrap();
    hart.step(mem, &mut EmptyBus);
    let trap = match hart.pc() {
        HANDLER => hart.last_trap().map(|t| (t.cause, t.tval)),
        pc => {
            assert_eq!(pc, BASE + 4, "neither trapped nor went on");
            None
        }
    };
    (hart.x(XReg::A0), trap)
}

/// Each switchable extension off alone (F takes D, Zfh and Zfhmin with
/// it: they require F; D alone cannot be left out, so it has no case of its
/// own; Zfhmin alone stays, as Zfh includes it, so Zfh and Zfhmin are also
/// switched off together).
#[test]
fn a_switched_off_extension_is_illegal_and_the_others_run() {
    let switchable = Extensions::SWITCHABLE.difference(Extensions::D);
    let half = Extensions::ZFH | Extensions::ZFHMIN;
    for off in switchable.iter().chain([half]) {
        let set = Extensions::all().difference(off);
        let lacking = match off {
            Extensions::F => Extensions::F | Extensions::D | half,
            Extensions::ZFHMIN => Extensions::empty(),
            _ => off,
        };
        for &(ext, bits, text, value) in SAMPLES {
            let mut mem = Memory::new(PhysAddr::new(BASE), 0x1000).unwrap();
            let mut hart = Hart::new(0);
            hart.set_extensions(set);
            assert_eq!(rivet_core::disassemble(bits, BASE), text);
            let (a0, trap) = execute(&mut hart, &mut mem, bits);
            assert_eq!(hart.extensions(), Extensions::all().difference(lacking));
            if lacking.contains(ext) {
                assert_eq!(
                    trap,
                    Some((
                        Cause::Exception(Exception::IllegalInstruction),
                        u64::from(bits)
                    )),
                    "{text} with {off:?} off"
                );
                assert_eq!(a0, 0x55, "{text} with {off:?} off wrote a0");
                assert_eq!(hart.csr(addr::MEPC).unwrap(), BASE);
            } else {
                assert_eq!(trap, None, "{text} with {off:?} off");
                assert_eq!(a0, value, "{text} with {off:?} off");
            }
        }
    }
}

/// The decode cache belongs to the memory and is shared by its harts:
/// what decides is the executing hart's set, not the hart that decoded.
#[test]
fn harts_sharing_decoded_code_follow_their_own_extensions() {
    let mut mem = Memory::new(PhysAddr::new(BASE), 0x1000).unwrap();
    let mut with = Hart::new(0);
    let mut without = Hart::new(1);
    without.set_extensions(Extensions::default().difference(Extensions::ZBA));
    let sh1add = 0x20c5_a533;
    assert_eq!(execute(&mut with, &mut mem, sh1add), (11, None));
    let (a0, trap) = execute(&mut without, &mut mem, sh1add);
    assert_eq!(a0, 0x55);
    assert_eq!(
        trap,
        Some((
            Cause::Exception(Exception::IllegalInstruction),
            u64::from(sh1add)
        ))
    );
}

#[test]
fn misa_follows_the_letters_and_the_fixed_extensions_stay() {
    let mut hart = Hart::new(0);
    // RV64 (MXL = 2) with A C D F I M and the S and U modes.
    assert_eq!(hart.csr(addr::MISA).unwrap(), 0x8000_0000_0014_112d);
    hart.set_extensions(Extensions::empty());
    assert_eq!(hart.extensions(), Extensions::FIXED);
    // I C S U.
    assert_eq!(hart.csr(addr::MISA).unwrap(), 0x8000_0000_0014_0104);
    // D follows F.
    hart.set_extensions(Extensions::F);
    assert!(hart.extensions().contains(Extensions::D));
    hart.set_extensions(Extensions::all().difference(Extensions::F));
    assert!(!hart.extensions().contains(Extensions::D));
    // I M A C S U.
    assert_eq!(hart.csr(addr::MISA).unwrap(), 0x8000_0000_0014_1105);
    assert_eq!(
        Extensions::default(),
        Extensions::all().difference(Extensions::ZICOND)
    );
}

/// The `menvcfg` fields an extension brings are writable exactly when the
/// hart has it (PBMTE with Svpbmt, CBIE and CBCFE with Zicbom, CBZE with
/// Zicboz); without it they read as zero.
#[test]
fn menvcfg_fields_follow_the_extensions() {
    const CBIE_FLUSH: u64 = 1 << 4;
    const CBCFE: u64 = 1 << 6;
    const CBZE: u64 = 1 << 7;
    const PBMTE: u64 = 1 << 62;
    let fields = [
        (Extensions::SVPBMT, PBMTE),
        (Extensions::ZICBOM, CBIE_FLUSH | CBCFE),
        (Extensions::ZICBOZ, CBZE),
    ];
    for (ext, bits) in fields {
        for has in [true, false] {
            let mut hart = Hart::new(0);
            let set = if has {
                Extensions::default()
            } else {
                Extensions::default().difference(ext)
            };
            hart.set_extensions(set);
            hart.set_csr(addr::MENVCFG, bits).unwrap();
            let read = hart.csr(addr::MENVCFG).unwrap() & bits;
            assert_eq!(read, if has { bits } else { 0 }, "{ext:?} present: {has}");
        }
    }
}
