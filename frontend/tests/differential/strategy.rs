//! Proptest strategies for [`Program`]s.
//!
//! Everything is generated as raw choices (see program.rs), so shrinking
//! works field by field and whatever it produces still renders: fewer
//! snippets, fewer items, then simpler items (earlier kinds, register 0,
//! edge values towards the first entries, seeds towards 0, M-mode).
//!
//! A program is of one [`Family`]: integer programs draw from the integer
//! vocabulary as before; floating-point programs mostly from F and D,
//! with some integer items, loads and stores, traps and control flow
//! around them. Each snippet runs in M-mode (half of them), S-mode or
//! U-mode.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

use super::program::{
    AmoItem, BranchItem, CsrItem, FVal, Family, FcsrItem, FetchFaultItem, FpItem, FpMemItem, IVal,
    Imm, Item, JumpItem, LoopItem, LrScItem, MemItem, Mode, OpItem, Preload, PrivItem, ProbeItem,
    Program, SmcItem, Snippet, Val, PRIV_KINDS, PROBE_OPS,
};
use super::vm::{VmSetup, PROBE_TARGETS};
use super::vocab::{
    AMO_OPS, BASE_OPS, BRANCHES, CSRS, CSR_OPS, EDGES, FCSR_OPS, FP_BASE_OPS, FP_ILLEGAL,
    FP_MEM_OPS, FP_OPS, HINTS, ILLEGAL, MEM_OPS, OPS, ORDERINGS, PAIRS,
};

/// Most snippets in one program.
pub const MAX_SNIPPETS: usize = 8;
/// Most top-level items in one snippet's body.
pub const MAX_ITEMS: usize = 48;

/// The row indices of `table` (every table here has fewer than 256 rows).
fn rows<T>(table: &[T]) -> std::ops::Range<u8> {
    0..u8::try_from(table.len()).expect("a table of fewer than 256 rows")
}

fn reg() -> impl Strategy<Value = u8> {
    0u8..32
}

fn val() -> impl Strategy<Value = Val> {
    prop_oneof![
        4 => (rows(EDGES)).prop_map(Val::Edge),
        3 => any::<u64>().prop_map(Val::Any),
        1 => (-16i8..=16).prop_map(Val::Small),
    ]
}

fn imm() -> impl Strategy<Value = Imm> {
    prop_oneof![
        1 => (0u8..40).prop_map(Imm::Edge),
        2 => any::<u32>().prop_map(Imm::Any),
    ]
}

fn preload() -> impl Strategy<Value = Preload> {
    prop_oneof![
        5 => Just(Preload::None),
        2 => val().prop_map(Preload::First),
        1 => val().prop_map(Preload::Second),
        1 => (val(), val()).prop_map(|(a, b)| Preload::Both(a, b)),
        4 => (rows(PAIRS)).prop_map(Preload::Pair),
    ]
}

fn op_item() -> impl Strategy<Value = OpItem> {
    debug_assert_eq!(OPS[BASE_OPS].name, "add.uw", "BASE_OPS ends the base rows");
    let base = u8::try_from(BASE_OPS).expect("fewer than 256 rows");
    let op = prop_oneof![3 => 0..base, 1 => base..rows(OPS).end];
    (op, reg(), reg(), reg(), imm(), preload()).prop_map(|(op, rd, rs1, rs2, imm, pre)| OpItem {
        op,
        rd,
        rs1,
        rs2,
        imm,
        pre,
    })
}

fn mem_item() -> impl Strategy<Value = MemItem> {
    (
        rows(MEM_OPS),
        reg(),
        prop_oneof![7 => 0u8..3, 1 => Just(3u8)],
        imm(),
        proptest::option::of(val()),
    )
        .prop_map(|(op, reg, base, imm, pre)| MemItem {
            op,
            reg,
            base,
            imm,
            pre,
        })
}

fn amo_item() -> impl Strategy<Value = AmoItem> {
    (
        (rows(AMO_OPS), any::<bool>(), rows(ORDERINGS)),
        (
            reg(),
            reg(),
            reg(),
            0u8..2,
            imm(),
            proptest::option::of(val()),
        ),
    )
        .prop_map(
            |((op, double, order), (rd, rs2, addr, base, off, pre))| AmoItem {
                op,
                double,
                order,
                rd,
                rs2,
                addr,
                base,
                off,
                pre,
            },
        )
}

fn lrsc_item() -> impl Strategy<Value = LrScItem> {
    (
        (
            prop_oneof![4 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8)],
            any::<bool>(),
        ),
        (rows(ORDERINGS), rows(ORDERINGS)),
        (reg(), reg(), reg(), reg(), 0u8..2, imm()),
        vec(op_item(), 0..3),
    )
        .prop_map(
            |((shape, double), order, (rd_lr, rd_sc, rs2, addr, base, off), middle)| LrScItem {
                shape,
                double,
                order,
                rd_lr,
                rd_sc,
                rs2,
                addr,
                base,
                off,
                middle,
            },
        )
}

fn csr_item() -> impl Strategy<Value = CsrItem> {
    (
        rows(CSR_OPS),
        rows(CSRS),
        reg(),
        reg(),
        0u8..32,
        proptest::option::of(val()),
    )
        .prop_map(|(op, csr, rd, rs1, uimm, pre)| CsrItem {
            op,
            csr,
            rd,
            rs1,
            uimm,
            pre,
        })
}

fn smc_item() -> impl Strategy<Value = SmcItem> {
    (0u8..7, reg(), reg(), imm(), (reg(), reg())).prop_map(|(op, rd, rs1, imm, tmp)| SmcItem {
        op,
        rd,
        rs1,
        imm,
        tmp,
    })
}

fn fetch_fault_item() -> impl Strategy<Value = FetchFaultItem> {
    (0u8..3, reg(), reg(), imm()).prop_map(|(kind, rd, tmp, target)| FetchFaultItem {
        kind,
        rd,
        tmp,
        target,
    })
}

fn fval() -> impl Strategy<Value = FVal> {
    prop_oneof![
        6 => any::<u8>().prop_map(FVal::Edge),
        2 => any::<u64>().prop_map(FVal::Any),
        1 => any::<u64>().prop_map(FVal::Raw),
        1 => any::<u8>().prop_map(FVal::Other),
        2 => any::<bool>().prop_map(FVal::Like),
    ]
}

fn fpre() -> impl Strategy<Value = Option<FVal>> {
    proptest::option::weighted(0.7, fval())
}

fn ival() -> impl Strategy<Value = IVal> {
    prop_oneof![
        3 => any::<u8>().prop_map(IVal::Edge),
        1 => val().prop_map(IVal::Val),
    ]
}

/// A rounding mode: 0..=4 static, 5 dynamic.
fn rm() -> impl Strategy<Value = u8> {
    prop_oneof![5 => 0u8..5, 3 => Just(5u8)]
}

/// A row of `FP_OPS`: F and D two times in three, Zfh and Zfhmin one
/// time in three.
fn fp_op() -> impl Strategy<Value = u8> {
    debug_assert_eq!(
        FP_OPS[FP_BASE_OPS].name, "fadd.h",
        "FP_BASE_OPS ends F and D"
    );
    let base = u8::try_from(FP_BASE_OPS).expect("fewer than 256 rows");
    prop_oneof![2 => 0..base, 1 => base..rows(FP_OPS).end]
}

fn fp_item() -> impl Strategy<Value = FpItem> {
    (
        (fp_op(), reg(), [reg(), reg(), reg()], rm()),
        (
            [fpre(), fpre(), fpre()],
            proptest::option::weighted(0.7, ival()),
            reg(),
            proptest::bool::weighted(0.6),
        ),
    )
        .prop_map(|((op, rd, rs, rm), (pre, ipre, tmp, observe))| FpItem {
            op,
            rd,
            rs,
            rm,
            pre,
            ipre,
            tmp,
            observe,
        })
}

fn fp_mem_item() -> impl Strategy<Value = FpMemItem> {
    (
        rows(FP_MEM_OPS),
        reg(),
        prop_oneof![7 => 0u8..3, 1 => Just(3u8)],
        imm(),
        proptest::option::of(fval()),
        reg(),
    )
        .prop_map(|(op, reg, base, imm, pre, tmp)| FpMemItem {
            op,
            reg,
            base,
            imm,
            pre,
            tmp,
        })
}

fn fcsr_item() -> impl Strategy<Value = FcsrItem> {
    (
        rows(FCSR_OPS),
        reg(),
        reg(),
        prop_oneof![9 => 0u8..5, 1 => 5u8..8],
        any::<u64>(),
    )
        .prop_map(|(op, rd, rs, frm, bits)| FcsrItem {
            op,
            rd,
            rs,
            frm,
            bits,
        })
}

fn probe_item() -> impl Strategy<Value = ProbeItem> {
    (rows(&PROBE_TARGETS), rows(PROBE_OPS), reg(), reg(), imm()).prop_map(
        |(target, op, reg, tmp, off)| ProbeItem {
            target,
            op,
            reg,
            tmp,
            off,
        },
    )
}

fn priv_item() -> impl Strategy<Value = PrivItem> {
    (0u8..PRIV_KINDS, reg(), reg()).prop_map(|(kind, reg, reg2)| PrivItem { kind, reg, reg2 })
}

fn vm_setup() -> impl Strategy<Value = VmSetup> {
    (
        0u8..4,
        0u8..7,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u8..4,
        proptest::bool::weighted(0.25),
    )
        .prop_map(
            |(kind, p1, text_ro, sum, mxr, uart_4k, alias, tvm)| VmSetup {
                kind,
                p1,
                text_ro,
                sum,
                mxr,
                uart_4k,
                alias,
                tvm,
            },
        )
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![2 => Just(Mode::M), 1 => Just(Mode::S), 1 => Just(Mode::U)]
}

/// Items that are one unit of straight-line code (they may trap).
fn basic_item(family: Family) -> BoxedStrategy<Item> {
    // (integer weight, floating-point weight, strategy)
    let items: Vec<(u32, u32, BoxedStrategy<Item>)> = vec![
        (40, 10, op_item().prop_map(Item::Op).boxed()),
        (14, 4, mem_item().prop_map(Item::Mem).boxed()),
        (5, 1, amo_item().prop_map(Item::Amo).boxed()),
        (3, 1, lrsc_item().prop_map(Item::LrSc).boxed()),
        (4, 1, csr_item().prop_map(Item::Csr).boxed()),
        (
            4,
            3,
            (reg(), val()).prop_map(|(r, v)| Item::Li(r, v)).boxed(),
        ),
        (
            1,
            1,
            (rows(ILLEGAL), any::<u32>())
                .prop_map(|(f, b)| Item::Illegal(f, b))
                .boxed(),
        ),
        (
            1,
            1,
            (rows(HINTS), any::<u32>())
                .prop_map(|(f, b)| Item::Hint(f, b))
                .boxed(),
        ),
        (1, 1, smc_item().prop_map(Item::Smc).boxed()),
        (1, 1, fetch_fault_item().prop_map(Item::FetchFault).boxed()),
        (3, 2, probe_item().prop_map(Item::Probe).boxed()),
        (1, 1, priv_item().prop_map(Item::Priv).boxed()),
        (0, 40, fp_item().prop_map(Item::Fp).boxed()),
        (0, 10, fp_mem_item().prop_map(Item::FpMem).boxed()),
        (0, 4, fcsr_item().prop_map(Item::Fcsr).boxed()),
        (
            0,
            2,
            (rows(FP_ILLEGAL), any::<u32>())
                .prop_map(|(f, b)| Item::FpIllegal(f, b))
                .boxed(),
        ),
    ];
    let weighted = items
        .into_iter()
        .map(|(int, fp, s)| (if family == Family::Int { int } else { fp }, s))
        .filter(|(w, _)| *w > 0)
        .collect();
    Union::new_weighted(weighted).boxed()
}

/// Basic items and the `c.addi16sp` group around some of them.
fn simple_item(family: Family) -> BoxedStrategy<Item> {
    Union::new_weighted(vec![
        (30, basic_item(family)),
        (
            1,
            (imm(), vec(basic_item(family), 0..4))
                .prop_map(|(adj, inner)| Item::SpGroup(adj, inner))
                .boxed(),
        ),
    ])
    .boxed()
}

/// Simple items and forward control flow over shadows of simple items.
fn flow_item(family: Family) -> BoxedStrategy<Item> {
    let branch = (
        rows(BRANCHES),
        reg(),
        reg(),
        preload(),
        vec(simple_item(family), 0..4),
        prop_oneof![6 => Just(0u16), 1 => any::<u16>()],
    )
        .prop_map(|(op, rs1, rs2, pre, shadow, pad)| {
            Item::Branch(Box::new(BranchItem {
                op,
                rs1,
                rs2,
                pre,
                shadow,
                pad,
            }))
        });
    let jump = (
        0u8..5,
        reg(),
        reg(),
        imm(),
        any::<bool>(),
        vec(simple_item(family), 0..3),
    )
        .prop_map(|(kind, rd, rs1, imm, odd, shadow)| {
            Item::Jump(Box::new(JumpItem {
                kind,
                rd,
                rs1,
                imm,
                odd,
                shadow,
            }))
        });
    Union::new_weighted(vec![
        (20, simple_item(family)),
        (3, branch.boxed()),
        (2, jump.boxed()),
    ])
    .boxed()
}

/// Anything, including loops of flow items.
fn top_item(family: Family) -> BoxedStrategy<Item> {
    let looped = (0u8..6, reg(), 0u8..5, vec(flow_item(family), 1..6)).prop_map(
        |(kind, counter, trips, body)| {
            Item::Loop(Box::new(LoopItem {
                kind,
                counter,
                trips,
                body,
            }))
        },
    );
    Union::new_weighted(vec![(20, flow_item(family)), (1, looped.boxed())]).boxed()
}

fn snippet(family: Family) -> impl Strategy<Value = Snippet> {
    (
        vec(top_item(family), 1..=MAX_ITEMS),
        any::<u64>(),
        (any::<u8>(), any::<u64>()),
        mode(),
        vm_setup(),
    )
        .prop_map(|(body, init, data, mode, vm)| Snippet {
            body,
            init,
            data,
            mode,
            vm,
        })
}

fn program_of(family: Family) -> impl Strategy<Value = Program> {
    vec(snippet(family), 1..=MAX_SNIPPETS).prop_map(move |snippets| Program { family, snippets })
}

/// Whole programs: a little less than half of them integer ones.
pub fn program() -> impl Strategy<Value = Program> {
    prop_oneof![9 => program_of(Family::Int), 11 => program_of(Family::Fp)]
}
