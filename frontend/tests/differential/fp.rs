//! Rendering of the F and D items (the model is in program.rs, the
//! vocabulary in vocab.rs).
//!
//! Floating-point source values are written with `li tmp, bits` and
//! `fmv.d.x f, tmp`, which moves all 64 bits unchanged: a single or a
//! half is NaN-boxed when the generator chose so and improperly boxed
//! otherwise (a double, a boxed single used as a half, a box with one
//! bit clear, or random upper bits), which single- and half-precision
//! operations must read as the canonical NaN (only the moves and stores transfer the
//! bits as they are). These moves are scaffolding: they are not counted
//! as generated instructions.

use super::program::{
    box16, box32, FVal, FcsrItem, FpItem, FpMemItem, Renderer, AVOID_TOP_PAGE, REG_NAMES,
};
use super::vocab::{
    FcsrKind, Fmt, FpForm, MemForm, F16_EDGES, F32_EDGES, F64_EDGES, FCSR_OPS, FP_MEM_OPS, FP_OPS,
    OFFSET_EDGES, RM_NAMES,
};

/// The 64 register bits of `v` as a source of format `fmt`; `first` is
/// the bits the first source received (for [`FVal::Like`]).
fn fbits(v: FVal, fmt: Fmt, first: Option<u64>) -> Option<u64> {
    let edge16 = |i: u8| F16_EDGES[usize::from(i) % F16_EDGES.len()];
    let edge32 = |i: u8| F32_EDGES[usize::from(i) % F32_EDGES.len()];
    let edge64 = |i: u8| F64_EDGES[usize::from(i) % F64_EDGES.len()];
    Some(match (v, fmt) {
        (FVal::Edge(i), Fmt::H) => box16(edge16(i)),
        (FVal::Edge(i), Fmt::S) => box32(edge32(i)),
        (FVal::Edge(i), Fmt::D) => edge64(i),
        (FVal::Any(b), Fmt::H) => box16(rivet_core::bits::low_u16(b)),
        (FVal::Any(b), Fmt::S) => box32(rivet_core::bits::low_u32(b)),
        (FVal::Any(b), Fmt::D) => b,
        (FVal::Raw(b), _) => b,
        (FVal::Other(i), Fmt::H) => match i % 3 {
            // A boxed single, a double, or a half whose box misses one bit
            // (any of the 48): all improperly NaN-boxed halves.
            0 => box32(edge32(i / 3)),
            1 => edge64(i / 3),
            _ => box16(edge16(i / 3)) & !(1 << (16 + u32::from(i / 3) % 48)),
        },
        (FVal::Other(i), Fmt::S) => edge64(i),
        (FVal::Other(i), Fmt::D) => box32(edge32(i)),
        (FVal::Like(neg), _) => {
            let sign = match fmt {
                Fmt::H => 1 << 15,
                Fmt::S => 1 << 31,
                Fmt::D => 1 << 63,
            };
            first? ^ if neg { sign } else { 0 }
        }
    })
}

/// The name of f register `r`.
fn f(r: u8) -> String {
    format!("f{}", r % 32)
}

impl Renderer {
    /// `fmv.d.x f<reg>, tmp` with `bits`.
    fn fpreload(&mut self, reg: u8, tmp: u8, bits: u64) {
        let t = REG_NAMES[usize::from(tmp)];
        self.raw(&format!("li {t}, {bits:#x}"));
        self.raw(&format!("fmv.d.x {}, {t}", f(reg)));
    }

    /// Counts a use of rounding mode `rm`.
    fn count_rm(&mut self, rm: u8) {
        let key = if rm == 7 {
            format!("dyn/frm={}", self.frm)
        } else {
            RM_NAMES[usize::from(rm)].to_string()
        };
        *self.rounding.entry(key).or_default() += 1;
    }

    pub(super) fn fp(&mut self, item: &FpItem) {
        let def = FP_OPS[usize::from(item.op) % FP_OPS.len()];
        let x = |r: u8| REG_NAMES[usize::from(r)];
        let rm = match item.rm % 6 {
            5 => 7,
            r => r,
        };
        let fsrcs = match def.form {
            FpForm::R4 => 3,
            FpForm::R2Rm | FpForm::R2 | FpForm::Cmp => 2,
            FpForm::R1Rm | FpForm::ToX | FpForm::ToInt => 1,
            FpForm::FromInt | FpForm::FromX => 0,
        };
        let tmp = self.wr_nz(item.tmp);
        let mut first = None;
        for i in 0..fsrcs {
            let Some(v) = item.pre[i] else { continue };
            if let Some(bits) = fbits(v, def.src, first) {
                self.fpreload(item.rs[i], tmp, bits);
                if i == 0 {
                    first = Some(bits);
                }
            }
        }
        let rs1 = item.rs[0] % 32;
        if fsrcs == 0 {
            self.preload(rs1, item.ipre.map(|v| v.get()));
        }
        let (s1, s2, s3) = (f(item.rs[0]), f(item.rs[1]), f(item.rs[2]));
        let rmn = RM_NAMES[usize::from(rm)];
        let operands = match def.form {
            FpForm::R4 => format!("{}, {s1}, {s2}, {s3}, {rmn}", f(item.rd)),
            FpForm::R2Rm => format!("{}, {s1}, {s2}, {rmn}", f(item.rd)),
            FpForm::R2 => format!("{}, {s1}, {s2}", f(item.rd)),
            FpForm::R1Rm => format!("{}, {s1}, {rmn}", f(item.rd)),
            FpForm::Cmp => format!("{}, {s1}, {s2}", x(self.wr(item.rd))),
            FpForm::ToX => format!("{}, {s1}", x(self.wr(item.rd))),
            FpForm::ToInt => format!("{}, {s1}, {rmn}", x(self.wr(item.rd))),
            FpForm::FromInt => format!("{}, {}, {rmn}", f(item.rd), x(rs1)),
            FpForm::FromX => format!("{}, {}", f(item.rd), x(rs1)),
        };
        let has_rm = !matches!(
            def.form,
            FpForm::R2 | FpForm::Cmp | FpForm::ToX | FpForm::FromX
        );
        if has_rm {
            self.count_rm(rm);
        }
        match def.insn {
            Some(_) if rm == 0 => {
                // GNU as encodes RNE when the operand is left out.
                let plain = operands.trim_end_matches(", rne");
                self.insn(def.name, "", plain);
            }
            Some((funct7, rs2)) => {
                let src = if def.form == FpForm::FromInt {
                    x(rs1).to_string()
                } else {
                    s1.clone()
                };
                self.raw(&format!(
                    ".insn r 0x53, {rm}, {funct7:#x}, {}, {src}, x{rs2}  # {} {operands}",
                    f(item.rd),
                    def.name
                ));
                self.count(def.name);
            }
            None => self.insn(def.name, "", &operands),
        }
        if item.observe {
            let slot = self.next_observation();
            let t = x(tmp);
            match def.form {
                FpForm::Cmp | FpForm::ToX | FpForm::ToInt => {
                    let rd = x(self.wr(item.rd));
                    self.raw(&format!("sd {rd}, {}(tp)", slot + 8));
                }
                _ => self.raw(&format!("fsd {}, {}(tp)", f(item.rd), slot + 8)),
            }
            self.raw(&format!("fsflags {t}, zero"));
            self.raw(&format!("sd {t}, {slot}(tp)"));
        }
    }

    pub(super) fn fp_mem(&mut self, m: &FpMemItem) {
        let def = FP_MEM_OPS[usize::from(m.op) % FP_MEM_OPS.len()];
        let size = def.fmt.bytes();
        let reg = match def.form {
            MemForm::Compact => 8 + m.reg % 8,
            _ => m.reg % 32,
        };
        if def.store {
            if let Some(bits) = m.pre.and_then(|v| fbits(v, def.fmt, None)) {
                let tmp = self.wr_nz(m.tmp);
                self.fpreload(reg, tmp, bits);
            }
        }
        let (base, off) = match def.form {
            MemForm::Full => match m.base % 4 {
                0 => (2, m.imm.pick(-2048, 2047, 1, OFFSET_EDGES)),
                1 => (8, m.imm.pick(-2048, 2047, 1, OFFSET_EDGES)),
                2 => (9, m.imm.pick(-2048, 2047, 1, OFFSET_EDGES)),
                _ => {
                    // Unmapped addresses: loads naturally aligned (see mem()).
                    let lo = if AVOID_TOP_PAGE { 0 } else { -2048 };
                    let align = if def.store { 1 } else { size };
                    let mut off = m.imm.pick(lo, 2047 - 7, align, OFFSET_EDGES);
                    if off < 0 && off + size > 0 {
                        off -= 8;
                    }
                    (0, off)
                }
            },
            MemForm::Compact => (8 + (m.base % 2), m.imm.pick(0, 248, 8, &[0, 248, 8])),
            MemForm::Stack => (2, m.imm.pick(0, 504, 8, &[0, 504, 8])),
        };
        let off = if def.store {
            self.unsplit_store(base, off, size)
        } else {
            off
        };
        let b = REG_NAMES[usize::from(base)];
        self.insn(def.name, "", &format!("{}, {off}({b})", f(reg)));
    }

    pub(super) fn fcsr(&mut self, c: &FcsrItem) {
        let (name, kind) = FCSR_OPS[usize::from(c.op) % FCSR_OPS.len()];
        let x = |r: u8| REG_NAMES[usize::from(r)];
        let rd = self.wr(c.rd);
        let frm = u64::from(c.frm % 8);
        let value = match name {
            "fsrm" | "fsrmi" => frm,
            "fscsr" => (c.bits & !0xff) | frm << 5 | (c.bits & 0x1f),
            _ => c.bits & 0x1f,
        };
        match kind {
            FcsrKind::Read => self.insn(name, "", x(rd)),
            FcsrKind::Imm => self.insn(name, "", &format!("{}, {value}", x(rd))),
            FcsrKind::Reg => {
                let rs = self.wr_nz(c.rs);
                self.preload(rs, Some(value));
                self.insn(name, "", &format!("{}, {}", x(rd), x(rs)));
            }
        }
        if matches!(name, "fsrm" | "fsrmi" | "fscsr") {
            self.frm = c.frm % 8;
        }
    }
}
