//! Proptest strategies for [`Program`]s.
//!
//! Everything is generated as raw choices (see program.rs), so shrinking
//! works field by field and whatever it produces still renders: fewer
//! snippets, fewer items, then simpler items (earlier kinds, register 0,
//! edge values towards the first entries, seeds towards 0).

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

use super::program::{
    AmoItem, BranchItem, CsrItem, FetchFaultItem, Imm, Item, JumpItem, LoopItem, LrScItem, MemItem,
    OpItem, Preload, Program, SmcItem, Snippet, Val,
};
use super::vocab::{
    AMO_OPS, BRANCHES, CSRS, CSR_OPS, EDGES, HINTS, ILLEGAL, MEM_OPS, OPS, ORDERINGS, PAIRS,
};

/// Most snippets in one program.
pub const MAX_SNIPPETS: usize = 8;
/// Most top-level items in one snippet's body.
pub const MAX_ITEMS: usize = 48;

fn reg() -> impl Strategy<Value = u8> {
    0u8..32
}

fn val() -> impl Strategy<Value = Val> {
    prop_oneof![
        4 => (0..EDGES.len() as u8).prop_map(Val::Edge),
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
        4 => (0..PAIRS.len() as u8).prop_map(Preload::Pair),
    ]
}

fn op_item() -> impl Strategy<Value = OpItem> {
    (0..OPS.len() as u8, reg(), reg(), reg(), imm(), preload()).prop_map(
        |(op, rd, rs1, rs2, imm, pre)| OpItem {
            op,
            rd,
            rs1,
            rs2,
            imm,
            pre,
        },
    )
}

fn mem_item() -> impl Strategy<Value = MemItem> {
    (
        0..MEM_OPS.len() as u8,
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
        (
            0..AMO_OPS.len() as u8,
            any::<bool>(),
            0..ORDERINGS.len() as u8,
        ),
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
        (0..ORDERINGS.len() as u8, 0..ORDERINGS.len() as u8),
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
        0..CSR_OPS.len() as u8,
        0..CSRS.len() as u8,
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

/// Items that are one unit of straight-line code (they may trap).
fn basic_item() -> BoxedStrategy<Item> {
    Union::new_weighted(vec![
        (40, op_item().prop_map(Item::Op).boxed()),
        (14, mem_item().prop_map(Item::Mem).boxed()),
        (5, amo_item().prop_map(Item::Amo).boxed()),
        (3, lrsc_item().prop_map(Item::LrSc).boxed()),
        (4, csr_item().prop_map(Item::Csr).boxed()),
        (4, (reg(), val()).prop_map(|(r, v)| Item::Li(r, v)).boxed()),
        (
            1,
            (0..ILLEGAL.len() as u8, any::<u32>())
                .prop_map(|(f, b)| Item::Illegal(f, b))
                .boxed(),
        ),
        (
            1,
            (0..HINTS.len() as u8, any::<u32>())
                .prop_map(|(f, b)| Item::Hint(f, b))
                .boxed(),
        ),
        (1, smc_item().prop_map(Item::Smc).boxed()),
        (1, fetch_fault_item().prop_map(Item::FetchFault).boxed()),
    ])
    .boxed()
}

/// Basic items and the `c.addi16sp` group around some of them.
fn simple_item() -> BoxedStrategy<Item> {
    Union::new_weighted(vec![
        (30, basic_item()),
        (
            1,
            (imm(), vec(basic_item(), 0..4))
                .prop_map(|(adj, inner)| Item::SpGroup(adj, inner))
                .boxed(),
        ),
    ])
    .boxed()
}

/// Simple items and forward control flow over shadows of simple items.
fn flow_item() -> BoxedStrategy<Item> {
    let branch = (
        0..BRANCHES.len() as u8,
        reg(),
        reg(),
        preload(),
        vec(simple_item(), 0..4),
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
        vec(simple_item(), 0..3),
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
        (20, simple_item()),
        (3, branch.boxed()),
        (2, jump.boxed()),
    ])
    .boxed()
}

/// Anything, including loops of flow items.
fn top_item() -> BoxedStrategy<Item> {
    let looped =
        (0u8..6, reg(), 0u8..5, vec(flow_item(), 1..6)).prop_map(|(kind, counter, trips, body)| {
            Item::Loop(Box::new(LoopItem {
                kind,
                counter,
                trips,
                body,
            }))
        });
    Union::new_weighted(vec![(20, flow_item()), (1, looped.boxed())]).boxed()
}

fn snippet() -> impl Strategy<Value = Snippet> {
    (
        vec(top_item(), 1..=MAX_ITEMS),
        any::<u64>(),
        (any::<u8>(), any::<u64>()),
    )
        .prop_map(|(body, init, data)| Snippet { body, init, data })
}

/// Whole programs.
pub fn program() -> impl Strategy<Value = Program> {
    vec(snippet(), 1..=MAX_SNIPPETS).prop_map(|snippets| Program { snippets })
}
