//! The FPU checked bit for bit, flags included, against Berkeley SoftFloat 3e
//! in its RISC-V specialisation (crate `softfloat-wrapper`, feature `riscv`:
//! canonical NaNs, tininess after rounding, RISC-V saturation values).
//!
//! Every operation is run in all five rounding modes on operands drawn from
//! (a) uniformly random bit patterns, (b) a list of edge values and (c) a mix
//! of edge values, random patterns and "structured" values (exponents near
//! the ends of the range or near each other, fractions with few bits set, so
//! that exact results, ties, cancellation, underflow and overflow are
//! common), plus targeted strategies per operation. SoftFloat has no
//! minimum/maximum or classify, so those are checked against references
//! written here from the RISC-V unprivileged specification.
//!
//! SoftFloat keeps its rounding mode and exception flags in global state.
//! `softfloat-sys` builds it with `THREAD_LOCAL` defined as `_Thread_local`,
//! so each test thread has its own; every oracle call is nevertheless
//! serialised behind [`SOFTFLOAT`] so a build without thread-local state
//! could not let parallel tests corrupt each other's flags.

#![expect(
    clippy::cast_possible_truncation,
    reason = "operands are drawn as u64: binary32 and 32-bit integer cases take the low bits on purpose, and binary32 edge values are rounded from f64 ones"
)]

use std::sync::{Mutex, PoisonError};

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rivet_core::fpu::*;
use softfloat_wrapper as sf;
use softfloat_wrapper::{ExceptionFlags, Float};

/// Cases per strategy per property (each case runs all five rounding
/// modes); the environment variable `PROPTEST_CASES` overrides it for soak
/// runs.
const CASES: u32 = 40_000;

/// [`CASES`], or `PROPTEST_CASES` from the environment.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES)
}

/// Serialises every use of SoftFloat's global rounding mode and flags.
static SOFTFLOAT: Mutex<()> = Mutex::new(());

/// Runs `f` on SoftFloat with cleared flags; returns its result and flags.
fn oracle<T>(f: impl FnOnce() -> T) -> (T, u8) {
    let _guard = SOFTFLOAT.lock().unwrap_or_else(PoisonError::into_inner);
    ExceptionFlags::from_bits(0).set();
    let result = f();
    let mut flags = ExceptionFlags::default();
    flags.get();
    (result, flags.to_bits())
}

/// Our rounding modes beside SoftFloat's.
const MODES: [(RoundingMode, sf::RoundingMode); 5] = [
    (RoundingMode::Rne, sf::RoundingMode::TiesToEven),
    (RoundingMode::Rtz, sf::RoundingMode::TowardZero),
    (RoundingMode::Rdn, sf::RoundingMode::TowardNegative),
    (RoundingMode::Rup, sf::RoundingMode::TowardPositive),
    (RoundingMode::Rmm, sf::RoundingMode::TiesToAway),
];

/// Up to three operands, as bit patterns in `u64`s.
type Ops = [u64; 3];

/// The rounding mode passed to operations that do not round.
const NO_ROUNDING: &[(RoundingMode, sf::RoundingMode)] = &[MODES[0]];

/// Runs one property: `cases` operand triples from `strategy`, each in every
/// rounding mode of `modes`, comparing result bits and flags of `ours` and
/// `theirs` (the latter runs inside [`oracle`]).
fn property(
    name: &str,
    cases: u32,
    modes: &[(RoundingMode, sf::RoundingMode)],
    strategy: impl Strategy<Value = Ops>,
    ours: impl Fn(Ops, RoundingMode, &mut Flags) -> u64,
    theirs: impl Fn(Ops, sf::RoundingMode) -> u64,
) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let result = TestRunner::new(config).run(&strategy, |ops| {
        for &(rm, sf_rm) in modes {
            let mut flags = Flags::empty();
            let got = ours(ops, rm, &mut flags);
            let (want, want_flags) = oracle(|| theirs(ops, sf_rm));
            if (got, flags.bits()) != (want, want_flags) {
                return Err(TestCaseError::fail(format!(
                    "{name}({:#x}, {:#x}, {:#x}) {rm:?}: got {got:#x} {:?}, want {want:#x} {:?}",
                    ops[0],
                    ops[1],
                    ops[2],
                    flags,
                    Flags::from_bits_retain(want_flags),
                )));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

/// Three operands, each drawn from `s`.
fn triple(s: BoxedStrategy<u64>) -> BoxedStrategy<Ops> {
    (s.clone(), s.clone(), s)
        .prop_map(|(a, b, c)| [a, b, c])
        .boxed()
}

/// The encoding `x + delta`, wrapping within `mask`.
fn nudge(x: u64, delta: u64, mask: u64) -> u64 {
    x.wrapping_add(delta) & mask
}

/// The parameters of a format, for building operand strategies.
#[derive(Clone, Copy)]
struct Fmt {
    frac_bits: u32,
    exp_bits: u32,
}

impl Fmt {
    const H: Fmt = Fmt {
        frac_bits: 10,
        exp_bits: 5,
    };
    const S: Fmt = Fmt {
        frac_bits: 23,
        exp_bits: 8,
    };
    const D: Fmt = Fmt {
        frac_bits: 52,
        exp_bits: 11,
    };

    fn width_mask(self) -> u64 {
        u64::MAX >> (63 - self.frac_bits - self.exp_bits)
    }

    fn sign(self) -> u64 {
        1 << (self.frac_bits + self.exp_bits)
    }

    fn exp_max(self) -> u64 {
        (1 << self.exp_bits) - 1
    }

    fn bias(self) -> u64 {
        (1 << (self.exp_bits - 1)) - 1
    }

    /// Uniformly random encodings.
    fn uniform(self) -> BoxedStrategy<u64> {
        let mask = self.width_mask();
        any::<u64>().prop_map(move |x| x & mask).boxed()
    }

    /// Encodings with an exponent field in `exps` and a fraction that is
    /// random, sparse (only its top or its bottom few bits random), a single
    /// bit, all ones or zero.
    fn with_exponent(self, exps: BoxedStrategy<u64>) -> BoxedStrategy<u64> {
        let f = self.frac_bits;
        let frac_mask = (1u64 << f) - 1;
        let frac = prop_oneof![
            any::<u64>().prop_map(move |x| x & frac_mask),
            (any::<u64>(), 1..8u32).prop_map(move |(x, k)| x & frac_mask & !(frac_mask >> k)),
            (0..f).prop_map(|k| 1u64 << k),
            (any::<u64>(), 1..8u32).prop_map(move |(x, k)| x & (frac_mask >> (f - k))),
            Just(frac_mask),
            Just(0u64),
        ];
        (any::<bool>(), exps, frac)
            .prop_map(move |(s, e, m)| (u64::from(s) << (f + self.exp_bits)) | (e << f) | m)
            .boxed()
    }

    /// Structured encodings: exponents at both ends of the range, around 1,
    /// or anywhere (see [`Fmt::with_exponent`] for the fractions).
    fn structured(self) -> BoxedStrategy<u64> {
        let (max, bias) = (self.exp_max(), self.bias());
        self.with_exponent(
            prop_oneof![
                0..4u64,
                max - 4..=max,
                bias.saturating_sub(40)..(bias + 40).min(max + 1),
                0..=max
            ]
            .boxed(),
        )
    }

    /// Values in the range where conversions to integers round and
    /// saturate: about 2^-3 to 2^66.
    fn near_integers(self) -> BoxedStrategy<u64> {
        let bias = self.bias();
        self.with_exponent((bias - 3..(bias + 67).min(self.exp_max() + 1)).boxed())
    }

    /// Edge values: see [`edges`].
    fn edges(self) -> BoxedStrategy<u64> {
        prop::sample::select(edges(self)).boxed()
    }

    /// A mix of edge, structured and uniformly random values.
    fn mixed(self) -> BoxedStrategy<u64> {
        prop_oneof![self.edges(), self.structured(), self.uniform()].boxed()
    }
}

/// The edge values of a format: the values of interest below, the next
/// encodings on either side of each, both signs, and NaNs.
fn edges(fmt: Fmt) -> Vec<u64> {
    let p31 = 2f64.powi(31);
    let p63 = 2f64.powi(63);
    let centres = [
        0.0,
        1.0,
        0.5,
        1.5,
        2.5,
        3.5,
        0.25,
        2f64.powi(24),
        2f64.powi(24) + 1.0,
        2f64.powi(53),
        2f64.powi(53) + 1.0,
        p31,
        p31 - 1.0,
        p31 + 1.0,
        p31 - 0.5,
        p31 + 0.5,
        2f64.powi(32),
        2f64.powi(32) - 1.0,
        p63,
        2f64.powi(64),
        f64::from(f32::MAX),
        f64::from(f32::MIN_POSITIVE),
        2f64.powi(-149),
        2f64.powi(-150),
        2f64.powi(64) * 2f64.powi(64),
        2f64.powi(-64),
        2f64.powi(-75),
        f64::MIN_POSITIVE,
        f64::MAX,
        5e-324,
        f64::INFINITY,
        // binary16: the largest finite number, the overflow threshold of
        // round to nearest, the smallest normal and subnormal, half the
        // smallest subnormal, and where integers stop being exact.
        65504.0,
        65520.0,
        2f64.powi(-14),
        2f64.powi(-24),
        2f64.powi(-25),
        2048.0,
        2049.0,
    ];
    let mut out = Vec::new();
    for c in centres {
        // Centres not representable in binary32 become their binary32
        // neighbours, which are edge values too.
        let bits = match fmt.frac_bits {
            10 => {
                let half = sf::F64::from_bits(c.to_bits());
                oracle(|| half.to_f16(sf::RoundingMode::TiesToEven).to_bits()).0
            }
            .into(),
            23 => u64::from((c as f32).to_bits()),
            _ => c.to_bits(),
        };
        for b in [bits, bits.saturating_sub(1), bits + 1] {
            for sign in [0, fmt.sign()] {
                out.push(b | sign);
            }
        }
    }
    let (f, inf) = (fmt.frac_bits, fmt.exp_max() << fmt.frac_bits);
    let quiet = 1u64 << (f - 1);
    for payload in [quiet, quiet | 1, (1 << f) - 1, quiet >> 1, 1, quiet - 1] {
        out.push(inf | payload);
        out.push(inf | payload | fmt.sign());
    }
    let mask = fmt.width_mask();
    out.retain(|&x| x <= mask);
    out.sort_unstable();
    out.dedup();
    out
}

/// Integer edge values, as `u64` patterns read as i32/u32 (low half) or
/// i64/u64.
fn int_edges() -> Vec<u64> {
    let mut v = Vec::new();
    for base in [
        0u64,
        1,
        2,
        3,
        i32::MAX as u64,
        i32::MIN as u32 as u64,
        u32::MAX as u64,
        i64::MAX as u64,
        i64::MIN as u64,
        u64::MAX,
        1 << 24,
        1 << 25,
        1 << 31,
        1 << 32,
        1 << 53,
        1 << 54,
        1 << 63,
    ] {
        for d in [0u64, 1, 2, 3] {
            for x in [base.wrapping_add(d), base.wrapping_sub(d)] {
                v.push(x);
                v.push(x.wrapping_neg());
                v.push(x.wrapping_neg() & 0xffff_ffff);
            }
        }
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// Integer operands: uniform, edge values, or a mix with small values and
/// values with many low zero bits (exactly convertible).
fn int_strategies() -> [(&'static str, BoxedStrategy<Ops>); 3] {
    let edge = prop::sample::select(int_edges()).boxed();
    let mixed = prop_oneof![
        edge.clone(),
        any::<u64>(),
        (-100_000i64..100_000).prop_map(|x| x as u64),
        (any::<u64>(), 0..64u32).prop_map(|(x, k)| x & (u64::MAX << k)),
        (any::<u64>(), 0..64u32).prop_map(|(x, k)| x >> k),
    ]
    .boxed();
    [
        ("uniform", triple(any::<u64>().boxed())),
        ("edge", triple(edge)),
        ("mixed", triple(mixed)),
    ]
}

/// The standard strategies for a format.
fn strategies(fmt: Fmt) -> Vec<(&'static str, BoxedStrategy<Ops>)> {
    vec![
        ("uniform", triple(fmt.uniform())),
        ("edge", triple(fmt.edges())),
        ("mixed", triple(fmt.mixed())),
    ]
}

/// Runs `ours` against `theirs` on every strategy in `list`, in all five
/// rounding modes.
fn check_all(
    name: &str,
    list: Vec<(&'static str, BoxedStrategy<Ops>)>,
    ours: impl Fn(Ops, RoundingMode, &mut Flags) -> u64 + Copy,
    theirs: impl Fn(Ops, sf::RoundingMode) -> u64 + Copy,
) {
    check_modes(name, &MODES, list, ours, theirs);
}

/// [`check_all`] in the rounding modes `modes` only.
fn check_modes(
    name: &str,
    modes: &[(RoundingMode, sf::RoundingMode)],
    list: Vec<(&'static str, BoxedStrategy<Ops>)>,
    ours: impl Fn(Ops, RoundingMode, &mut Flags) -> u64 + Copy,
    theirs: impl Fn(Ops, sf::RoundingMode) -> u64 + Copy,
) {
    for (label, strategy) in list {
        let name = format!("{name} [{label}]");
        property(&name, cases(), modes, strategy, ours, theirs);
    }
}

/// The RISC-V `fmin`/`fmax` rule, written from the specification text
/// ("F" chapter, single-precision computational instructions): the smaller
/// (larger) operand, `-0.0` less than `+0.0`; one NaN operand yields the
/// other, two NaNs the canonical NaN; signalling NaN inputs set NV even
/// when the result is not NaN. Ordering comes from SoftFloat's quiet `<`.
fn reference_min_max<T: Float<Payload = P> + Copy, P: Into<u64>>(
    a: T,
    b: T,
    max: bool,
    canonical_nan: u64,
) -> (u64, u8) {
    let nv = if a.is_signaling_nan() || b.is_signaling_nan() {
        Flags::NV.bits()
    } else {
        0
    };
    let result = match (a.is_nan(), b.is_nan()) {
        (true, true) => canonical_nan,
        (true, false) => b.to_bits().into(),
        (false, true) => a.to_bits().into(),
        (false, false) => {
            // Called from within `oracle`, so SoftFloat is already ours.
            let a_less =
                a.lt_quiet(b) || (a.is_zero() && b.is_zero() && a.is_negative() && b.is_positive());
            if a_less != max {
                a.to_bits().into()
            } else {
                b.to_bits().into()
            }
        }
    };
    (result, nv)
}

/// The `fclass` mask from the specification's table, given the operand's
/// properties.
fn reference_class(
    nan: bool,
    signaling: bool,
    infinite: bool,
    zero: bool,
    subnormal: bool,
    negative: bool,
) -> u64 {
    let bit = match (nan, infinite, zero, subnormal, negative) {
        (true, ..) if signaling => 8,
        (true, ..) => 9,
        (_, true, _, _, true) => 0,
        (_, true, _, _, false) => 7,
        (_, _, true, _, true) => 3,
        (_, _, true, _, false) => 4,
        (_, _, _, true, true) => 2,
        (_, _, _, true, false) => 5,
        (.., true) => 1,
        _ => 6,
    };
    1 << bit
}

/// The `fclass` mask of an encoding by [`reference_class`], from a
/// classification independent of ours.
trait ReferenceClass {
    /// The mask of `bits`, whose signalling-NaN test SoftFloat gave.
    fn class_of(bits: u64, signaling: bool) -> u64;
}

/// The host's classification of binary32.
impl ReferenceClass for f32 {
    fn class_of(bits: u64, signaling: bool) -> u64 {
        let x = f32::from_bits(bits as u32);
        reference_class(
            x.is_nan(),
            signaling,
            x.is_infinite(),
            x == 0.0,
            x.is_subnormal(),
            x.is_sign_negative(),
        )
    }
}

/// The host's classification of binary64.
impl ReferenceClass for f64 {
    fn class_of(bits: u64, signaling: bool) -> u64 {
        let x = f64::from_bits(bits);
        reference_class(
            x.is_nan(),
            signaling,
            x.is_infinite(),
            x == 0.0,
            x.is_subnormal(),
            x.is_sign_negative(),
        )
    }
}

/// binary16 has no host type: SoftFloat's own predicates classify it.
impl ReferenceClass for sf::F16 {
    fn class_of(bits: u64, signaling: bool) -> u64 {
        let x = sf::F16::from_bits(bits as u16);
        reference_class(
            x.is_nan(),
            signaling,
            x.is_positive_infinity() || x.is_negative_infinity(),
            x.is_zero(),
            x.is_subnormal(),
            x.is_negative(),
        )
    }
}

/// Generates the oracle tests of one format: `$ours` is our namespace type,
/// `$sf` SoftFloat's type, `$bits` the register type, `$host` the type
/// whose [`ReferenceClass`] classifies the format, `$fmt` the [`Fmt`].
macro_rules! format_tests {
    ($module:ident, $ours:ident, $sf:ident, $bits:ty, $host:ty, $fmt:expr) => {
        mod $module {
            use super::*;

            const FMT: Fmt = $fmt;

            fn f(x: u64) -> sf::$sf {
                sf::$sf::from_bits(x as $bits)
            }

            fn r(x: sf::$sf) -> u64 {
                u64::from(x.to_bits())
            }

            fn b(x: u64) -> $bits {
                x as $bits
            }

            /// Operands whose second one nearly cancels the first under
            /// addition (`negate`) or subtraction.
            fn cancelling(negate: bool) -> BoxedStrategy<Ops> {
                let (sign, mask) = (if negate { FMT.sign() } else { 0 }, FMT.width_mask());
                (FMT.mixed(), 0..8u64)
                    .prop_map(move |(a, d)| [a, nudge(a ^ sign, d.wrapping_sub(4), mask), 0])
                    .boxed()
            }

            /// Fused multiply-add operands whose addend nearly cancels (or
            /// doubles) the product: c = +-(a * b) rounded, moved a few ulps.
            fn fma_cancelling() -> BoxedStrategy<Ops> {
                let mask = FMT.width_mask();
                (FMT.mixed(), FMT.structured(), any::<bool>(), 0..8u64)
                    .prop_map(move |(a, b, neg, d)| {
                        let p = oracle(|| r(f(a).mul(f(b), sf::RoundingMode::TiesToEven))).0;
                        let p = if neg { p ^ FMT.sign() } else { p };
                        [a, b, nudge(p, d.wrapping_sub(4), mask)]
                    })
                    .boxed()
            }

            fn with_cancelling(negate: bool) -> Vec<(&'static str, BoxedStrategy<Ops>)> {
                let mut list = strategies(FMT);
                list.push(("cancelling", cancelling(negate)));
                list
            }

            fn with_fma_cancelling() -> Vec<(&'static str, BoxedStrategy<Ops>)> {
                let mut list = strategies(FMT);
                list.push(("cancelling", fma_cancelling()));
                list
            }

            #[test]
            fn add() {
                check_all(
                    concat!(stringify!($ours), "::add"),
                    with_cancelling(true),
                    |o, rm, fl| $ours::add(b(o[0]), b(o[1]), rm, fl).into(),
                    |o, rm| r(f(o[0]).add(f(o[1]), rm)),
                );
            }

            #[test]
            fn sub() {
                check_all(
                    concat!(stringify!($ours), "::sub"),
                    with_cancelling(false),
                    |o, rm, fl| $ours::sub(b(o[0]), b(o[1]), rm, fl).into(),
                    |o, rm| r(f(o[0]).sub(f(o[1]), rm)),
                );
            }

            /// The fast paths the handlers try on their own (falling back
            /// to the full operation, as the handlers do).
            #[test]
            fn fast_paths() {
                type Fast = fn($bits, $bits, RoundingMode) -> Option<($bits, bool)>;
                type Full = fn($bits, $bits, RoundingMode, &mut Flags) -> $bits;
                let ops: [(
                    &str,
                    Fast,
                    Full,
                    fn(sf::$sf, sf::$sf, sf::RoundingMode) -> sf::$sf,
                ); 4] = [
                    ("add_fast", $ours::add_fast, $ours::add, |x, y, rm| {
                        x.add(y, rm)
                    }),
                    ("sub_fast", $ours::sub_fast, $ours::sub, |x, y, rm| {
                        x.sub(y, rm)
                    }),
                    ("mul_fast", $ours::mul_fast, $ours::mul, |x, y, rm| {
                        x.mul(y, rm)
                    }),
                    ("div_fast", $ours::div_fast, $ours::div, |x, y, rm| {
                        x.div(y, rm)
                    }),
                ];
                for (name, fast, full, theirs) in ops {
                    check_all(
                        &format!("{}::{name}", stringify!($ours)),
                        strategies(FMT),
                        move |o, rm, fl| match fast(b(o[0]), b(o[1]), rm) {
                            Some((bits, inexact)) => {
                                if inexact {
                                    *fl |= Flags::NX;
                                }
                                bits.into()
                            }
                            None => full(b(o[0]), b(o[1]), rm, fl).into(),
                        },
                        move |o, rm| r(theirs(f(o[0]), f(o[1]), rm)),
                    );
                }
            }

            #[test]
            fn mul() {
                check_all(
                    concat!(stringify!($ours), "::mul"),
                    strategies(FMT),
                    |o, rm, fl| $ours::mul(b(o[0]), b(o[1]), rm, fl).into(),
                    |o, rm| r(f(o[0]).mul(f(o[1]), rm)),
                );
            }

            #[test]
            fn div() {
                check_all(
                    concat!(stringify!($ours), "::div"),
                    strategies(FMT),
                    |o, rm, fl| $ours::div(b(o[0]), b(o[1]), rm, fl).into(),
                    |o, rm| r(f(o[0]).div(f(o[1]), rm)),
                );
            }

            #[test]
            fn sqrt() {
                let mut list = strategies(FMT);
                list.push((
                    "positive",
                    triple(FMT.structured().prop_map(|x| x & !FMT.sign()).boxed()),
                ));
                check_all(
                    concat!(stringify!($ours), "::sqrt"),
                    list,
                    |o, rm, fl| $ours::sqrt(b(o[0]), rm, fl).into(),
                    |o, rm| r(f(o[0]).sqrt(rm)),
                );
            }

            #[test]
            fn madd() {
                check_all(
                    concat!(stringify!($ours), "::madd"),
                    with_fma_cancelling(),
                    |o, rm, fl| $ours::madd(b(o[0]), b(o[1]), b(o[2]), rm, fl).into(),
                    |o, rm| r(f(o[0]).fused_mul_add(f(o[1]), f(o[2]), rm)),
                );
            }

            // The other three forms as the ISA defines them: operand signs
            // flipped before one fused multiply-add.
            #[test]
            fn msub() {
                check_all(
                    concat!(stringify!($ours), "::msub"),
                    with_fma_cancelling(),
                    |o, rm, fl| $ours::msub(b(o[0]), b(o[1]), b(o[2]), rm, fl).into(),
                    |o, rm| r(f(o[0]).fused_mul_add(f(o[1]), f(o[2] ^ FMT.sign()), rm)),
                );
            }

            #[test]
            fn nmsub() {
                check_all(
                    concat!(stringify!($ours), "::nmsub"),
                    with_fma_cancelling(),
                    |o, rm, fl| $ours::nmsub(b(o[0]), b(o[1]), b(o[2]), rm, fl).into(),
                    |o, rm| r(f(o[0] ^ FMT.sign()).fused_mul_add(f(o[1]), f(o[2]), rm)),
                );
            }

            #[test]
            fn nmadd() {
                check_all(
                    concat!(stringify!($ours), "::nmadd"),
                    with_fma_cancelling(),
                    |o, rm, fl| $ours::nmadd(b(o[0]), b(o[1]), b(o[2]), rm, fl).into(),
                    |o, rm| {
                        let c = f(o[2] ^ FMT.sign());
                        r(f(o[0] ^ FMT.sign()).fused_mul_add(f(o[1]), c, rm))
                    },
                );
            }

            #[test]
            fn compare() {
                check_modes(
                    concat!(stringify!($ours), "::eq"),
                    NO_ROUNDING,
                    strategies(FMT),
                    |o, _, fl| $ours::eq(b(o[0]), b(o[1]), fl).into(),
                    |o, _| f(o[0]).eq(f(o[1])).into(),
                );
                check_modes(
                    concat!(stringify!($ours), "::lt"),
                    NO_ROUNDING,
                    strategies(FMT),
                    |o, _, fl| $ours::lt(b(o[0]), b(o[1]), fl).into(),
                    |o, _| f(o[0]).lt(f(o[1])).into(),
                );
                check_modes(
                    concat!(stringify!($ours), "::le"),
                    NO_ROUNDING,
                    strategies(FMT),
                    |o, _, fl| $ours::le(b(o[0]), b(o[1]), fl).into(),
                    |o, _| f(o[0]).le(f(o[1])).into(),
                );
            }

            /// Min/max have no SoftFloat counterpart: the reference is
            /// [`reference_min_max`], and its flags are passed through the
            /// oracle's flag channel by raising them in SoftFloat itself.
            #[test]
            fn min_max() {
                for max in [false, true] {
                    let name = if max {
                        concat!(stringify!($ours), "::max")
                    } else {
                        concat!(stringify!($ours), "::min")
                    };
                    check_modes(
                        name,
                        NO_ROUNDING,
                        strategies(FMT),
                        move |o, _, fl| {
                            let (x, y) = (b(o[0]), b(o[1]));
                            let out = if max {
                                $ours::max(x, y, fl)
                            } else {
                                $ours::min(x, y, fl)
                            };
                            out.into()
                        },
                        move |o, _| {
                            let (out, nv) = reference_min_max(
                                f(o[0]),
                                f(o[1]),
                                max,
                                $ours::CANONICAL_NAN.into(),
                            );
                            ExceptionFlags::from_bits(nv).set();
                            out
                        },
                    );
                }
            }

            /// fclass against a reference from the specification's table,
            /// built on an independent classification ([`ReferenceClass`])
            /// and SoftFloat's signalling-NaN test.
            #[test]
            fn classify() {
                check_modes(
                    concat!(stringify!($ours), "::classify"),
                    NO_ROUNDING,
                    strategies(FMT),
                    |o, _, _| $ours::classify(b(o[0])).into(),
                    |o, _| <$host>::class_of(o[0], f(o[0]).is_signaling_nan()),
                );
            }

            fn to_int_strategies() -> Vec<(&'static str, BoxedStrategy<Ops>)> {
                let mut list = strategies(FMT);
                list.push(("near integers", triple(FMT.near_integers())));
                list
            }

            #[test]
            fn to_int() {
                check_all(
                    concat!(stringify!($ours), "::to_i32"),
                    to_int_strategies(),
                    |o, rm, fl| u64::from($ours::to_i32(b(o[0]), rm, fl) as u32),
                    |o, rm| u64::from(f(o[0]).to_i32(rm, true) as u32),
                );
                check_all(
                    concat!(stringify!($ours), "::to_u32"),
                    to_int_strategies(),
                    |o, rm, fl| u64::from($ours::to_u32(b(o[0]), rm, fl)),
                    |o, rm| u64::from(f(o[0]).to_u32(rm, true)),
                );
                check_all(
                    concat!(stringify!($ours), "::to_i64"),
                    to_int_strategies(),
                    |o, rm, fl| $ours::to_i64(b(o[0]), rm, fl) as u64,
                    |o, rm| f(o[0]).to_i64(rm, true) as u64,
                );
                check_all(
                    concat!(stringify!($ours), "::to_u64"),
                    to_int_strategies(),
                    |o, rm, fl| $ours::to_u64(b(o[0]), rm, fl),
                    |o, rm| f(o[0]).to_u64(rm, true),
                );
            }

            #[test]
            fn from_int() {
                check_all(
                    concat!(stringify!($ours), "::from_i32"),
                    int_strategies().into(),
                    |o, rm, fl| $ours::from_i32(o[0] as i32, rm, fl).into(),
                    |o, rm| r(sf::$sf::from_i32(o[0] as i32, rm)),
                );
                check_all(
                    concat!(stringify!($ours), "::from_u32"),
                    int_strategies().into(),
                    |o, rm, fl| $ours::from_u32(o[0] as u32, rm, fl).into(),
                    |o, rm| r(sf::$sf::from_u32(o[0] as u32, rm)),
                );
                check_all(
                    concat!(stringify!($ours), "::from_i64"),
                    int_strategies().into(),
                    |o, rm, fl| $ours::from_i64(o[0] as i64, rm, fl).into(),
                    |o, rm| r(sf::$sf::from_i64(o[0] as i64, rm)),
                );
                check_all(
                    concat!(stringify!($ours), "::from_u64"),
                    int_strategies().into(),
                    |o, rm, fl| $ours::from_u64(o[0], rm, fl).into(),
                    |o, rm| r(sf::$sf::from_u64(o[0], rm)),
                );
            }
        }
    };
}

format_tests!(binary16, F16, F16, u16, sf::F16, Fmt::H);
format_tests!(binary32, F32, F32, u32, f32, Fmt::S);
format_tests!(binary64, F64, F64, u64, f64, Fmt::D);

#[test]
fn f32_to_f64() {
    check_modes(
        "F32::to_f64",
        NO_ROUNDING,
        strategies(Fmt::S),
        |o, _, fl| F32::to_f64(o[0] as u32, fl),
        |o, rm| sf::F32::from_bits(o[0] as u32).to_f64(rm).to_bits(),
    );
}

#[test]
fn f64_to_f32() {
    let mut list = strategies(Fmt::D);
    // Exponents around binary32's range: rounding, underflow and overflow.
    let around = Fmt::D.with_exponent((1023 - 160..1023 + 130u64).boxed());
    list.push(("binary32 range", triple(around)));
    check_all(
        "F64::to_f32",
        list,
        |o, rm, fl| u64::from(F64::to_f32(o[0], rm, fl)),
        |o, rm| u64::from(sf::F64::from_bits(o[0]).to_f32(rm).to_bits()),
    );
}

#[test]
fn f16_to_f32_and_f64() {
    check_modes(
        "F16::to_f32",
        NO_ROUNDING,
        strategies(Fmt::H),
        |o, _, fl| u64::from(F16::to_f32(o[0] as u16, fl)),
        |o, rm| u64::from(sf::F16::from_bits(o[0] as u16).to_f32(rm).to_bits()),
    );
    check_modes(
        "F16::to_f64",
        NO_ROUNDING,
        strategies(Fmt::H),
        |o, _, fl| F16::to_f64(o[0] as u16, fl),
        |o, rm| sf::F16::from_bits(o[0] as u16).to_f64(rm).to_bits(),
    );
}

#[test]
fn f32_to_f16() {
    let mut list = strategies(Fmt::S);
    // Exponents around binary16's range: rounding, underflow and overflow.
    let around = Fmt::S.with_exponent((127 - 30..127 + 20u64).boxed());
    list.push(("binary16 range", triple(around)));
    check_all(
        "F32::to_f16",
        list,
        |o, rm, fl| u64::from(F32::to_f16(o[0] as u32, rm, fl)),
        |o, rm| u64::from(sf::F32::from_bits(o[0] as u32).to_f16(rm).to_bits()),
    );
}

#[test]
fn f64_to_f16() {
    let mut list = strategies(Fmt::D);
    let around = Fmt::D.with_exponent((1023 - 30..1023 + 20u64).boxed());
    list.push(("binary16 range", triple(around)));
    check_all(
        "F64::to_f16",
        list,
        |o, rm, fl| u64::from(F64::to_f16(o[0], rm, fl)),
        |o, rm| u64::from(sf::F64::from_bits(o[0]).to_f16(rm).to_bits()),
    );
}

/// Compares `ours` with `theirs` on every binary16 encoding in every mode
/// of `modes` (cheap enough for every run).
fn exhaustive_f16(
    name: &str,
    modes: &[(RoundingMode, sf::RoundingMode)],
    ours: impl Fn(u16, RoundingMode, &mut Flags) -> u64,
    theirs: impl Fn(u16, sf::RoundingMode) -> u64,
) {
    for &(rm, sf_rm) in modes {
        let want: Vec<(u64, u8)> = {
            let _guard = SOFTFLOAT.lock().unwrap_or_else(PoisonError::into_inner);
            (0..=u16::MAX)
                .map(|a| {
                    ExceptionFlags::from_bits(0).set();
                    let result = theirs(a, sf_rm);
                    let mut flags = ExceptionFlags::default();
                    flags.get();
                    (result, flags.to_bits())
                })
                .collect()
        };
        for (a, &(result, result_flags)) in (0..=u16::MAX).zip(&want) {
            let mut flags = Flags::empty();
            let got = ours(a, rm, &mut flags);
            assert_eq!(
                (got, flags.bits()),
                (result, result_flags),
                "{name}({a:#06x}) {rm:?}"
            );
        }
    }
}

#[test]
fn exhaustive_f16_one_operand() {
    let h = sf::F16::from_bits;
    exhaustive_f16(
        "F16::sqrt",
        &MODES,
        |a, rm, fl| F16::sqrt(a, rm, fl).into(),
        |a, rm| h(a).sqrt(rm).to_bits().into(),
    );
    exhaustive_f16(
        "F16::to_f32",
        &MODES[..1],
        |a, _, fl| F16::to_f32(a, fl).into(),
        |a, rm| h(a).to_f32(rm).to_bits().into(),
    );
    exhaustive_f16(
        "F16::to_f64",
        &MODES[..1],
        |a, _, fl| F16::to_f64(a, fl),
        |a, rm| h(a).to_f64(rm).to_bits(),
    );
    exhaustive_f16(
        "F16::classify",
        &MODES[..1],
        |a, _, _| F16::classify(a).into(),
        |a, _| sf::F16::class_of(a.into(), h(a).is_signaling_nan()),
    );
    exhaustive_f16(
        "F16::to_i32",
        &MODES,
        |a, rm, fl| u64::from(F16::to_i32(a, rm, fl) as u32),
        |a, rm| u64::from(h(a).to_i32(rm, true) as u32),
    );
    exhaustive_f16(
        "F16::to_u32",
        &MODES,
        |a, rm, fl| u64::from(F16::to_u32(a, rm, fl)),
        |a, rm| u64::from(h(a).to_u32(rm, true)),
    );
    exhaustive_f16(
        "F16::to_i64",
        &MODES,
        |a, rm, fl| F16::to_i64(a, rm, fl) as u64,
        |a, rm| h(a).to_i64(rm, true) as u64,
    );
    exhaustive_f16("F16::to_u64", &MODES, F16::to_u64, |a, rm| {
        h(a).to_u64(rm, true)
    });
}

/// SoftFloat's flags are per thread in this build (see the module comment);
/// the mutex makes that a second line of defence, this test the first.
#[test]
fn softfloat_state_is_thread_local() {
    let _guard = SOFTFLOAT.lock().unwrap_or_else(PoisonError::into_inner);
    ExceptionFlags::from_bits(0).set();
    std::thread::spawn(|| ExceptionFlags::from_bits(0x1f).set())
        .join()
        .unwrap();
    let mut flags = ExceptionFlags::default();
    flags.get();
    assert_eq!(flags.to_bits(), 0);
}

// Hand-derived values from the RISC-V unprivileged specification.

/// Runs `op` with fresh flags; returns its result and the flags.
fn run<T>(op: impl FnOnce(&mut Flags) -> T) -> (T, Flags) {
    let mut flags = Flags::empty();
    let out = op(&mut flags);
    (out, flags)
}

const RNE: RoundingMode = RoundingMode::Rne;
const RTZ: RoundingMode = RoundingMode::Rtz;
const RDN: RoundingMode = RoundingMode::Rdn;
const ONE_S: u32 = 0x3f80_0000;
const ONE_D: u64 = 0x3ff0_0000_0000_0000;
const QNAN_S: u32 = 0x7fc0_0000;
const SNAN_S: u32 = 0x7f80_0001;
const SNAN_D: u64 = 0x7ff0_0000_0000_0001;

#[test]
fn spec_conversions_to_integer() {
    // fcvt.w.s of NaN is 2^31 - 1, invalid.
    assert_eq!(
        run(|f| F32::to_i32(QNAN_S, RNE, f)),
        (0x7fff_ffff, Flags::NV)
    );
    assert_eq!(
        run(|f| F32::to_i32(0xffc0_0000, RNE, f)),
        (0x7fff_ffff, Flags::NV)
    );
    assert_eq!(run(|f| F64::to_u64(SNAN_D, RNE, f)), (u64::MAX, Flags::NV));
    // -inf saturates to the minimum, +inf to the maximum.
    assert_eq!(
        run(|f| F32::to_i64(0xff80_0000, RNE, f)),
        (i64::MIN, Flags::NV)
    );
    assert_eq!(
        run(|f| F32::to_u32(0x7f80_0000, RNE, f)),
        (u32::MAX, Flags::NV)
    );
    // -1.0 to unsigned is invalid (result 0); -0.5 truncates to 0, inexact.
    assert_eq!(run(|f| F32::to_u32(0xbf80_0000, RTZ, f)), (0, Flags::NV));
    assert_eq!(run(|f| F32::to_u32(0xbf00_0000, RTZ, f)), (0, Flags::NX));
    assert_eq!(run(|f| F32::to_u32(0xbf00_0000, RDN, f)), (0, Flags::NV));
    // 2^31 - 0.5: ties-to-even gives 2^31 (out of range), truncation 2^31 - 1.
    let x = (2f64.powi(31) - 0.5).to_bits();
    assert_eq!(run(|f| F64::to_i32(x, RNE, f)), (i32::MAX, Flags::NV));
    assert_eq!(run(|f| F64::to_i32(x, RTZ, f)), (i32::MAX, Flags::NX));
    // -2^31 - 1 is below i32::MIN; -2^31 itself is exact.
    let x = (-(2f64.powi(31)) - 1.0).to_bits();
    assert_eq!(run(|f| F64::to_i32(x, RTZ, f)), (i32::MIN, Flags::NV));
    let x = (-(2f64.powi(31))).to_bits();
    assert_eq!(run(|f| F64::to_i32(x, RTZ, f)), (i32::MIN, Flags::empty()));
    // 2.5 rounds to 2 (even) and 3 (max magnitude).
    assert_eq!(
        run(|f| F64::to_i64(2.5f64.to_bits(), RNE, f)),
        (2, Flags::NX)
    );
    let rmm = RoundingMode::Rmm;
    assert_eq!(
        run(|f| F64::to_i64(2.5f64.to_bits(), rmm, f)),
        (3, Flags::NX)
    );
}

#[test]
fn spec_arithmetic() {
    // 1/0 = +inf with DZ; 0/0 = canonical NaN with NV.
    assert_eq!(
        run(|f| F32::div(ONE_S, 0, RNE, f)),
        (0x7f80_0000, Flags::DZ)
    );
    assert_eq!(
        run(|f| F64::div(0, 0, RNE, f)),
        (F64::CANONICAL_NAN, Flags::NV)
    );
    // sqrt(-1) = canonical NaN with NV; sqrt(-0) = -0.
    assert_eq!(run(|f| F32::sqrt(0xbf80_0000, RNE, f)), (QNAN_S, Flags::NV));
    assert_eq!(
        run(|f| F64::sqrt(1 << 63, RNE, f)),
        (1 << 63, Flags::empty())
    );
    // x - x is +0, except -0 when rounding down.
    assert_eq!(run(|f| F32::sub(ONE_S, ONE_S, RNE, f)), (0, Flags::empty()));
    assert_eq!(
        run(|f| F32::sub(ONE_S, ONE_S, RDN, f)),
        (0x8000_0000, Flags::empty())
    );
    // NaN payloads are not propagated.
    assert_eq!(
        run(|f| F32::add(0x7fc1_2345, ONE_S, RNE, f)),
        (QNAN_S, Flags::empty())
    );
    assert_eq!(
        run(|f| F32::mul(SNAN_S, ONE_S, RNE, f)),
        (QNAN_S, Flags::NV)
    );
    // 0 * inf + qNaN is invalid.
    let (r, fl) = run(|f| F64::madd(0, 0x7ff0_0000_0000_0000, F64::CANONICAL_NAN, RNE, f));
    assert_eq!((r, fl), (F64::CANONICAL_NAN, Flags::NV));
    // Overflow: to infinity to nearest, to the largest finite towards zero.
    let max = 0x7f7f_ffff;
    assert_eq!(
        run(|f| F32::add(max, max, RNE, f)),
        (0x7f80_0000, Flags::OF | Flags::NX)
    );
    assert_eq!(
        run(|f| F32::add(max, max, RTZ, f)),
        (max, Flags::OF | Flags::NX)
    );
    // Tiny and exact: no UF. (smallest normal / 2)
    assert_eq!(
        run(|f| F32::mul(0x0080_0000, 0x3f00_0000, RNE, f)),
        (0x0040_0000, Flags::empty())
    );
    // Tiny and inexact: UF.
    let uf = Flags::UF | Flags::NX;
    assert_eq!(
        run(|f| F32::mul(0x0080_0001, 0x3f00_0000, RNE, f)),
        (0x0040_0000, uf)
    );
    // Tininess after rounding: 2^-126 * (1 - 2^-24) rounds to 2^-126 but is
    // tiny at full precision (UF); 2^-126 * (1 - 2^-25) is not tiny (no UF).
    let x = (2f64.powi(-126) * (1.0 - 2f64.powi(-24))).to_bits();
    assert_eq!(run(|f| F64::to_f32(x, RNE, f)), (0x0080_0000, uf));
    let x = (2f64.powi(-126) * (1.0 - 2f64.powi(-25))).to_bits();
    assert_eq!(run(|f| F64::to_f32(x, RNE, f)), (0x0080_0000, Flags::NX));
    // Widening a signalling NaN: canonical binary64 NaN, NV.
    assert_eq!(
        run(|f| F32::to_f64(SNAN_S, f)),
        (F64::CANONICAL_NAN, Flags::NV)
    );
    assert_eq!(
        run(|f| F32::to_f64(1, f)),
        (2f64.powi(-149).to_bits(), Flags::empty())
    );
}

#[test]
fn spec_min_max_compare_classify() {
    let (neg_zero, pos_zero) = (0x8000_0000u32, 0u32);
    assert_eq!(
        run(|f| F32::min(neg_zero, pos_zero, f)),
        (neg_zero, Flags::empty())
    );
    assert_eq!(
        run(|f| F32::min(pos_zero, neg_zero, f)),
        (neg_zero, Flags::empty())
    );
    assert_eq!(
        run(|f| F32::max(neg_zero, pos_zero, f)),
        (pos_zero, Flags::empty())
    );
    assert_eq!(run(|f| F32::max(SNAN_S, ONE_S, f)), (ONE_S, Flags::NV));
    assert_eq!(run(|f| F32::min(QNAN_S, ONE_S, f)), (ONE_S, Flags::empty()));
    assert_eq!(
        run(|f| F32::min(QNAN_S, 0xffc0_0001, f)),
        (QNAN_S, Flags::empty())
    );
    assert_eq!(
        run(|f| F64::max(SNAN_D, SNAN_D, f)),
        (F64::CANONICAL_NAN, Flags::NV)
    );
    // feq is quiet, flt/fle signalling.
    assert_eq!(run(|f| F32::eq(QNAN_S, ONE_S, f)), (false, Flags::empty()));
    assert_eq!(run(|f| F32::eq(SNAN_S, ONE_S, f)), (false, Flags::NV));
    assert_eq!(run(|f| F32::lt(QNAN_S, ONE_S, f)), (false, Flags::NV));
    assert_eq!(
        run(|f| F32::le(neg_zero, pos_zero, f)),
        (true, Flags::empty())
    );
    assert_eq!(
        run(|f| F32::lt(neg_zero, pos_zero, f)),
        (false, Flags::empty())
    );
    assert_eq!(
        run(|f| F32::eq(neg_zero, pos_zero, f)),
        (true, Flags::empty())
    );
    // fclass: one bit per class.
    let classes: [(u64, u16); 10] = [
        (0xfff0_0000_0000_0000, 1 << 0),
        (0xbff0_0000_0000_0000, 1 << 1),
        (0x8000_0000_0000_0001, 1 << 2),
        (0x8000_0000_0000_0000, 1 << 3),
        (0, 1 << 4),
        (0x000f_ffff_ffff_ffff, 1 << 5),
        (ONE_D, 1 << 6),
        (0x7ff0_0000_0000_0000, 1 << 7),
        (SNAN_D, 1 << 8),
        (F64::CANONICAL_NAN, 1 << 9),
    ];
    for (x, class) in classes {
        assert_eq!(F64::classify(x), class, "{x:#x}");
    }
}

#[test]
fn spec_conversions_from_integer() {
    // 2^24 + 1 is not a binary32 number: ties to even gives 2^24.
    assert_eq!(
        run(|f| F32::from_i32((1 << 24) + 1, RNE, f)),
        (0x4b80_0000, Flags::NX)
    );
    assert_eq!(
        run(|f| F32::from_i32(-1, RNE, f)),
        (0xbf80_0000, Flags::empty())
    );
    assert_eq!(
        run(|f| F64::from_i32(i32::MIN, RNE, f)),
        ((-(2f64.powi(31))).to_bits(), Flags::empty())
    );
    assert_eq!(
        run(|f| F64::from_u64(u64::MAX, RTZ, f)),
        (0x43ef_ffff_ffff_ffff, Flags::NX)
    );
    assert_eq!(
        run(|f| F64::from_u64(u64::MAX, RNE, f)),
        (0x43f0_0000_0000_0000, Flags::NX)
    );
    assert_eq!(run(|f| F32::from_u32(0, RNE, f)), (0, Flags::empty()));
}

// Exhaustive checks of the binary32 one-operand operations over all 2^32
// encodings. Too slow for every run (minutes each in release builds):
// `cargo test --release --test fpu_oracle -- --ignored`.

/// Compares `ours` with `theirs` on every binary32 encoding in every mode of
/// `modes`, taking the SoftFloat lock once per block of 2^16 operands.
fn exhaustive_f32(
    name: &str,
    modes: &[(RoundingMode, sf::RoundingMode)],
    ours: impl Fn(u32, RoundingMode, &mut Flags) -> u64,
    theirs: impl Fn(u32, sf::RoundingMode) -> u64,
) {
    let mut want = Vec::with_capacity(1 << 16);
    for high in 0..=u32::from(u16::MAX) {
        for &(rm, sf_rm) in modes {
            want.clear();
            {
                let _guard = SOFTFLOAT.lock().unwrap_or_else(PoisonError::into_inner);
                for low in 0..=u32::from(u16::MAX) {
                    ExceptionFlags::from_bits(0).set();
                    let result = theirs(high << 16 | low, sf_rm);
                    let mut flags = ExceptionFlags::default();
                    flags.get();
                    want.push((result, flags.to_bits()));
                }
            }
            for (low, &(result, result_flags)) in want.iter().enumerate() {
                let a = high << 16 | low as u32;
                let mut flags = Flags::empty();
                let got = ours(a, rm, &mut flags);
                assert_eq!(
                    (got, flags.bits()),
                    (result, result_flags),
                    "{name}({a:#010x}) {rm:?}"
                );
            }
        }
    }
}

#[test]
#[ignore = "exhaustive: minutes in release builds"]
fn exhaustive_f32_sqrt() {
    exhaustive_f32(
        "F32::sqrt",
        &MODES,
        |a, rm, fl| F32::sqrt(a, rm, fl).into(),
        |a, rm| sf::F32::from_bits(a).sqrt(rm).to_bits().into(),
    );
}

#[test]
#[ignore = "exhaustive: minutes in release builds"]
fn exhaustive_f32_to_f64_and_classify() {
    exhaustive_f32(
        "F32::to_f64",
        &MODES[..1],
        |a, _, fl| F32::to_f64(a, fl),
        |a, rm| sf::F32::from_bits(a).to_f64(rm).to_bits(),
    );
    // fclass against the specification's table (see `classify` above).
    exhaustive_f32(
        "F32::classify",
        &MODES[..1],
        |a, _, _| F32::classify(a).into(),
        |a, _| {
            let x = f32::from_bits(a);
            reference_class(
                x.is_nan(),
                sf::F32::from_bits(a).is_signaling_nan(),
                x.is_infinite(),
                x == 0.0,
                x.is_subnormal(),
                x.is_sign_negative(),
            )
        },
    );
}

#[test]
#[ignore = "exhaustive: minutes in release builds"]
fn exhaustive_f32_to_i32_u32() {
    exhaustive_f32(
        "F32::to_i32",
        &MODES,
        |a, rm, fl| u64::from(F32::to_i32(a, rm, fl) as u32),
        |a, rm| u64::from(sf::F32::from_bits(a).to_i32(rm, true) as u32),
    );
    exhaustive_f32(
        "F32::to_u32",
        &MODES,
        |a, rm, fl| u64::from(F32::to_u32(a, rm, fl)),
        |a, rm| u64::from(sf::F32::from_bits(a).to_u32(rm, true)),
    );
}
