//! `rivet_core::disassemble` against GNU objdump (`riscv64-unknown-elf-objdump`
//! of binutils 2.40, the Debian package binutils-riscv64-unknown-elf), the
//! oracle: for every instruction objdump prints, rivet must print the same
//! mnemonic and operands for the same bits at the same address.
//!
//! - [`test_roms_and_benchmarks`]: every instruction of every test ROM
//!   (test-roms/build.sh) and guest benchmark (benches/guest/build.sh),
//!   as `objdump -d` prints it (of a copy without the files' attribute
//!   section, which would make objdump name CSRs as of privileged
//!   specification 1.11 where rivet implements 1.12; see [`compare_elf`]).
//! - [`every_compressed_encoding`]: all 49,152 16-bit parcels.
//! - [`generated_32_bit_encodings`]: every combination of major opcode,
//!   funct3, funct7 and rs2 (so every row of rivet's opcode tables, with
//!   many immediates), each with rd = rs1 = x0 and with other registers,
//!   except the prefixes of 48- and 64-bit encodings; decoded by objdump
//!   with Zba, Zbb, Zbc, Zbs and Zihintpause ([`RIVET_ISA`]). Zicond's
//!   encodings, which binutils 2.40 does not know, are counted apart.
//!
//! What is compared: objdump's mnemonic, a space, and its operands (objdump
//! separates the two with a tab). objdump follows a branch or jump target
//! with `<symbol+offset>`, and some instructions with a `# comment`
//! holding a computed address; both are stripped before comparing, as
//! `disassemble` knows no symbols. Every line objdump prints with an
//! address is either compared or counted under a named exclusion (see
//! [`Exclusion`]); anything else fails the test.
//!
//! The toolchain (gcc-riscv64-unknown-elf, binutils-riscv64-unknown-elf)
//! must be installed: these tests fail, rather than skip, without it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use goblin::elf::section_header::SHF_EXECINSTR;
use goblin::elf::Elf;
use rivet_core::disassemble;

const OBJDUMP: &str = "riscv64-unknown-elf-objdump";
const OBJCOPY: &str = "riscv64-unknown-elf-objcopy";

/// How many mismatches a failing test lists.
const SHOWN: usize = 50;

/// The repository's root.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core/ has a parent")
        .to_path_buf()
}

/// A scratch directory of this test binary, under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("disassembly")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// Runs `command`, panicking if it fails; returns its standard output.
fn run(command: &mut Command) -> String {
    let out = command
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("run {command:?} (is the RISC-V toolchain installed?): {e}"));
    assert!(out.status.success(), "{command:?} failed: {}", out.status);
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs build script `script` (relative to the repository root) into
/// scratch directory `name`; returns the ELF files it reports.
fn build(script: &str, name: &str) -> Vec<PathBuf> {
    let out = scratch(name);
    let listing = run(Command::new("bash").arg(repo_root().join(script)).arg(&out));
    let elfs: Vec<PathBuf> = listing.lines().map(PathBuf::from).collect();
    assert!(!elfs.is_empty(), "{script} built nothing");
    elfs
}

/// One line of objdump's output that carries an address.
#[derive(Debug)]
struct Line {
    address: u64,
    /// The instruction's bits as objdump groups them (4 hex digits for a
    /// 16-bit parcel, 8 for a 32-bit instruction); empty if none.
    raw: String,
    mnemonic: String,
    /// The operands without objdump's `<symbol>` and `# comment`.
    operands: String,
}

impl Line {
    /// The text `disassemble` must produce.
    fn text(&self) -> String {
        if self.operands.is_empty() {
            self.mnemonic.clone()
        } else {
            format!("{} {}", self.mnemonic, self.operands)
        }
    }
}

/// What `objdump -d` printed for one file: its address lines, and how many
/// runs of zero bytes it elided (printed as `...`, without an address).
struct Listing {
    lines: Vec<Line>,
    elided: usize,
}

/// Parses `objdump -d` output: `ADDRESS:<tab>RAW<tab>MNEMONIC<tab>OPERANDS`,
/// the last two fields optional.
fn parse(listing: &str) -> Listing {
    let mut lines = Vec::new();
    let mut elided = 0;
    for text in listing.lines() {
        if text.trim() == "..." {
            elided += 1;
            continue;
        }
        let Some((address, rest)) = text.split_once(":\t") else {
            continue; // headers, labels, blank lines
        };
        let Ok(address) = u64::from_str_radix(address.trim(), 16) else {
            continue;
        };
        let mut fields = rest.split('\t');
        let raw = fields.next().unwrap_or("").trim().to_string();
        let mnemonic = fields.next().unwrap_or("").trim().to_string();
        let mut operands = fields.collect::<Vec<_>>().join("\t");
        if let Some(i) = operands.find(" # ") {
            operands.truncate(i);
        }
        if let Some(i) = operands.find(" <") {
            operands.truncate(i);
        }
        lines.push(Line {
            address,
            raw,
            mnemonic,
            operands: operands.trim().to_string(),
        });
    }
    Listing { lines, elided }
}

/// The mapping symbols of a file's code sections (`$d` before data, `$x`
/// or `$x<ISA>` before instructions), sorted by address: objdump decodes
/// the bytes after each as its name says.
fn mapping_symbols(elf_path: &Path) -> Vec<(u64, String)> {
    let bytes = std::fs::read(elf_path).expect("read ELF");
    let elf = Elf::parse(&bytes).expect("parse ELF");
    let mut symbols: Vec<(u64, String)> = elf
        .syms
        .iter()
        .filter(|sym| {
            elf.section_headers
                .get(sym.st_shndx)
                .is_some_and(|sh| sh.sh_flags & u64::from(SHF_EXECINSTR) != 0)
        })
        .filter_map(|sym| {
            let name = elf.strtab.get_at(sym.st_name)?;
            (name == "$d" || name.starts_with("$x")).then(|| (sym.st_value, name.to_string()))
        })
        .collect();
    symbols.sort();
    symbols
}

/// What the mapping symbols say of `address`: whether it holds data (the
/// last mapping symbol at or before it is `$d`), and the ISA string of the
/// last `$x<ISA>` symbol at or before it (a plain `$x` keeps the ISA in
/// force, as objdump reads it), if any.
fn mapping_at(symbols: &[(u64, String)], address: u64) -> (bool, Option<&str>) {
    let before = &symbols[..symbols.partition_point(|(a, _)| *a <= address)];
    let data = before.last().is_some_and(|(_, name)| name == "$d");
    let isa = before
        .iter()
        .rev()
        .find_map(|(_, name)| name.strip_prefix("$x").filter(|isa| !isa.is_empty()));
    (data, isa)
}

/// Whether the ISA string of a `$x<ISA>` mapping symbol includes C (its
/// single-letter components; `zicsr` and the like do not count).
fn isa_has_c(isa: &str) -> bool {
    let isa = isa.trim_start_matches("rv64").trim_start_matches("rv32");
    isa.split('_')
        .filter(|part| !part.starts_with(['z', 's', 'x', 'h']))
        .any(|part| part.contains('c'))
}

/// Lines of `objdump -d` output that are not compared, each for a reason
/// checked against the file's mapping symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Exclusion {
    /// Data in a code section (after a `$d` mapping symbol: a `.word` or
    /// `.half` directive in the assembly source), which objdump prints as
    /// `.byte`/`.short`/`.word`/`.dword` and does not decode.
    Data,
    /// A line with an address and no bytes: objdump's "Address ... is out
    /// of bounds." and the empty line after it, printed where a label
    /// defined with `.equ` lands in the middle of a data word (after `$d`).
    ObjdumpError,
    /// A 16-bit parcel that objdump prints as `.2byte` because the mapping
    /// symbol before it declares an ISA without C (code assembled under
    /// `.option norvc`, where the parcel is alignment padding or data).
    /// rivet always executes RV64GC, and `disassemble` decodes it as C.
    CompressedOutsideC,
    /// A Zicond instruction (`czero.eqz`, `czero.nez`: funct7 0000111,
    /// funct3 101 or 111, opcode OP), which binutils 2.40 does not know
    /// and prints as `.4byte`; `disassemble` prints it in the spec's
    /// syntax (its unit tests check that text).
    ZicondUnknownToBinutils,
}

impl Exclusion {
    /// [`Exclusion::ZicondUnknownToBinutils`] if objdump printed `line`
    /// as `.4byte` of a Zicond instruction.
    fn zicond(line: &Line) -> Option<Exclusion> {
        let word = u32::from_str_radix(&line.raw, 16).ok()?;
        (line.mnemonic == ".4byte" && matches!(word & 0xfe00_707f, 0x0e00_5033 | 0x0e00_7033))
            .then_some(Exclusion::ZicondUnknownToBinutils)
    }
}

/// The tally of one comparison.
#[derive(Default)]
struct Tally {
    compared: usize,
    /// Mismatches counted by (objdump's mnemonic, rivet's mnemonic).
    pairs: BTreeMap<(String, String), usize>,
    excluded: BTreeMap<Exclusion, usize>,
    elided: usize,
    /// Lines where objdump names a CSR of privileged specification 1.12
    /// that it shows as a number under the files' 1.11 attribute.
    csr_names_of_1_12: usize,
    mismatches: Vec<String>,
}

impl Tally {
    fn mismatch(&mut self, what: String) {
        self.mismatches.push(what);
    }

    /// Compares one instruction line with `disassemble`.
    fn compare(&mut self, file: &str, line: &Line) {
        let bits = match line.raw.len() {
            4 | 8 => u32::from_str_radix(&line.raw, 16).ok(),
            _ => None,
        };
        let Some(bits) = bits else {
            self.mismatch(format!(
                "{file} {:x}: raw bits {:?} are not one 16- or 32-bit instruction ({})",
                line.address,
                line.raw,
                line.text()
            ));
            return;
        };
        self.compared += 1;
        let ours = disassemble(bits, line.address);
        let theirs = line.text();
        if ours != theirs {
            let first = |s: &str| s.split(' ').next().unwrap_or("").to_string();
            *self
                .pairs
                .entry((line.mnemonic.clone(), first(&ours)))
                .or_default() += 1;
            self.mismatch(format!(
                "{file} {:x}: {:>8}  objdump: {theirs:<32} rivet: {ours}",
                line.address, line.raw
            ));
        }
    }

    /// Prints the tally and fails listing the first [`SHOWN`] mismatches.
    fn finish(self, what: &str) {
        let mut summary = format!("{what}: {} instructions compared", self.compared);
        if self.csr_names_of_1_12 > 0 {
            let _ = write!(
                summary,
                " ({} of them name a CSR of privileged spec 1.12, see compare_elf)",
                self.csr_names_of_1_12
            );
        }
        for (exclusion, count) in &self.excluded {
            let _ = write!(summary, "; not compared: {count} lines of {exclusion:?}");
        }
        if self.elided > 0 {
            let _ = write!(
                summary,
                "; {} runs of zero bytes elided by objdump",
                self.elided
            );
        }
        println!("{summary}");
        assert!(self.compared > 0, "{what}: nothing compared");
        let mut pairs: Vec<_> = self.pairs.iter().collect();
        pairs.sort_by_key(|(_, count)| std::cmp::Reverse(**count));
        let pairs: Vec<String> = pairs
            .iter()
            .take(SHOWN)
            .map(|((theirs, ours), count)| format!("{count:>8}  objdump {theirs:<12} rivet {ours}"))
            .collect();
        assert!(
            self.mismatches.is_empty(),
            "{what}: {} mismatches; by mnemonic:\n{}\nthe first {}:\n{}",
            self.mismatches.len(),
            pairs.join("\n"),
            SHOWN.min(self.mismatches.len()),
            self.mismatches[..SHOWN.min(self.mismatches.len())].join("\n")
        );
    }
}

/// Compares every instruction objdump prints for ELF file `elf`.
///
/// The ELF files of the test programs carry the attribute "privileged
/// specification 1.11": binutils 2.40 records its default when assembling,
/// though the programs are written for 1.12 (they use `menvcfg`). objdump
/// then names only the CSRs of 1.11, and the attribute takes precedence
/// over `-M priv-spec=1.12`. rivet implements 1.12, and `disassemble` names
/// its CSRs (`menvcfg`, `senvcfg`, `mconfigptr`, `pmpcfg4`-`pmpcfg15`,
/// `pmpaddr16`-`pmpaddr63`). So the comparison reads objdump's listing of a
/// copy of the file without its `.riscv.attributes` section, which objdump
/// decodes as RV64GC (the ISA the attribute names) under 1.12, its
/// default; the listing of the file itself must differ from it only in
/// the CSR operand of CSR instructions, and such lines are counted.
fn compare_elf(elf: &Path, tally: &mut Tally) {
    let name = elf
        .file_name()
        .map_or_else(|| elf.display().to_string(), |n| n.to_string_lossy().into());
    let copy = scratch("without-attributes").join(&name);
    run(Command::new(OBJCOPY)
        .arg("--remove-section=.riscv.attributes")
        .arg(elf)
        .arg(&copy));
    let original = parse(&run(Command::new(OBJDUMP).arg("-d").arg(elf)));
    let listing = parse(&run(Command::new(OBJDUMP).arg("-d").arg(&copy)));
    assert_eq!(
        original.lines.len(),
        listing.lines.len(),
        "{name}: removing the attributes changed objdump's listing"
    );
    for (before, after) in original.lines.iter().zip(&listing.lines) {
        let same_instruction = before.address == after.address
            && before.raw == after.raw
            && before.mnemonic == after.mnemonic;
        if !same_instruction {
            tally.mismatch(format!(
                "{name} {:x}: objdump of the file: {}, of the copy: {}",
                before.address,
                before.text(),
                after.text()
            ));
        } else if before.operands != after.operands {
            if before.mnemonic.starts_with("csr") {
                tally.csr_names_of_1_12 += 1;
            } else {
                tally.mismatch(format!(
                    "{name} {:x}: objdump of the file: {}, of the copy: {}",
                    before.address,
                    before.text(),
                    after.text()
                ));
            }
        }
    }
    let symbols = mapping_symbols(elf);
    tally.elided += listing.elided;
    for line in &listing.lines {
        let (in_data, isa) = mapping_at(&symbols, line.address);
        let exclusion = match line.mnemonic.as_str() {
            ".byte" | ".short" | ".word" | ".dword" if in_data => Some(Exclusion::Data),
            _ if line.raw.is_empty() && in_data => Some(Exclusion::ObjdumpError),
            ".2byte" if line.raw.len() == 4 && isa.is_some_and(|isa| !isa_has_c(isa)) => {
                Some(Exclusion::CompressedOutsideC)
            }
            _ => None,
        };
        match exclusion {
            Some(exclusion) => *tally.excluded.entry(exclusion).or_default() += 1,
            None => tally.compare(&name, line),
        }
    }
}

#[test]
fn test_roms_and_benchmarks() {
    let roms = build("test-roms/build.sh", "test-roms");
    let benches = build("benches/guest/build.sh", "guest-benches");
    let mut tally = Tally::default();
    for elf in roms.iter().chain(&benches) {
        compare_elf(elf, &mut tally);
    }
    tally.finish(&format!(
        "{} ELF files ({} test ROMs, {} guest benchmarks)",
        roms.len() + benches.len(),
        roms.len(),
        benches.len()
    ));
}

/// Where the generated encodings are placed.
const BASE: u64 = 0x8000_0000;

/// The ISA that objdump decodes generated 32-bit encodings as: RV64GC with
/// the extensions rivet implements that binutils 2.40 knows (the mapping
/// symbol gas writes for `-march=rv64gc_zihintpause_zba_zbb_zbc_zbs_zicbom_
/// zicboz_zicbop_svinval_zfh`; without them objdump prints their encodings
/// as data, or a prefetch hint as `ori`).
const RIVET_ISA: &str = "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicbom1p0_zicbop1p0_zicboz1p0_\
                         zicsr2p0_zifencei2p0_zihintpause2p0_zmmul1p0_zfh1p0_zfhmin1p0_zba1p0_\
                         zbb1p0_zbc1p0_zbs1p0_svinval1p0";

/// Disassembles raw instruction bytes with objdump, placed at [`BASE`] in
/// the code section of an ELF file made by objcopy (no ISA attributes:
/// objdump decodes it as RV64GC with the CSRs of privileged specification
/// 1.12, or as `isa` where given, through a `$x<isa>` mapping symbol at the
/// start; the symbol `_binary_..._start` that objcopy defines makes
/// targets print as in the test ROMs), and compares every instruction but
/// Zicond's ([`Exclusion::ZicondUnknownToBinutils`]); there must be
/// `count` in all.
fn compare_bytes(name: &str, bytes: &[u8], count: usize, isa: Option<&str>) {
    let dir = scratch("generated");
    let bin = dir.join(format!("{name}.bin"));
    let elf = dir.join(format!("{name}.elf"));
    std::fs::write(&bin, bytes).expect("write generated code");
    run(Command::new(OBJCOPY)
        .args([
            "-I",
            "binary",
            "-O",
            "elf64-littleriscv",
            "-B",
            "riscv:rv64",
        ])
        .args([
            "--rename-section",
            ".data=.text,alloc,load,readonly,code,contents",
        ])
        .arg(format!("--change-addresses={BASE:#x}"))
        .args(isa.map(|isa| format!("--add-symbol=$x{isa}=.text:0,local")))
        .arg(&bin)
        .arg(&elf));
    // -z: disassemble zero bytes too, rather than elide them.
    let listing = parse(&run(Command::new(OBJDUMP).arg("-d").arg("-z").arg(&elf)));
    let mut tally = Tally {
        elided: listing.elided,
        ..Tally::default()
    };
    for line in &listing.lines {
        match Exclusion::zicond(line) {
            Some(exclusion) => *tally.excluded.entry(exclusion).or_default() += 1,
            None => tally.compare(name, line),
        }
    }
    let excluded: usize = tally.excluded.values().sum();
    assert_eq!(
        tally.compared + excluded,
        count,
        "{name}: objdump printed {} instructions, not {count}",
        tally.compared + excluded
    );
    tally.finish(name);
}

#[test]
fn every_compressed_encoding() {
    let bytes: Vec<u8> = (0..=u16::MAX)
        .filter(|parcel| parcel & 3 != 3)
        .flat_map(u16::to_le_bytes)
        .collect();
    compare_bytes("compressed", &bytes, bytes.len() / 2, None);
}

/// A small deterministic generator (SplitMix64), for register choices.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A register number: x0, ra, sp or any, one time in four each.
    fn register(&mut self) -> u32 {
        let r = self.next();
        match r & 3 {
            0 => 0,
            1 => 1,
            2 => 2,
            _ => ((r >> 8) & 31) as u32,
        }
    }
}

#[test]
fn generated_32_bit_encodings() {
    let mut random = Random(0x5eed);
    let mut bytes = Vec::new();
    // Major opcodes (bits 6:2) with bits 4:2 = 111 are the prefixes of
    // 48-bit and longer encodings, which objdump decodes as 6 or 8 bytes;
    // `disassemble` sees 32 bits and rivet has none, so they are left out.
    for opcode in (0..32u32).filter(|op| op & 7 != 7) {
        for funct3 in 0..8 {
            for funct7 in 0..128 {
                for rs2 in 0..32 {
                    let fixed = funct7 << 25 | rs2 << 20 | funct3 << 12 | opcode << 2 | 3;
                    let (rs1, rd) = (random.register(), random.register());
                    for word in [fixed, fixed | rs1 << 15 | rd << 7] {
                        bytes.extend(word.to_le_bytes());
                    }
                }
            }
        }
    }
    compare_bytes("32-bit", &bytes, bytes.len() / 4, Some(RIVET_ISA));
}
