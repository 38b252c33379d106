//! Helpers shared by rivet's fuzz targets (`fuzz_targets/`): reading
//! structured values out of libFuzzer's bytes, and a scratch directory
//! for the files some targets need.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rivet_core::AccessSize;

/// The fuzzer's bytes, read front to back as values. Past the end every
/// read gives zeros, so any input decodes to something.
#[derive(Debug)]
pub struct Input<'a> {
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    /// Reads `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Input { bytes }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Up to `n` bytes (fewer at the end).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.bytes.split_at(n.min(self.bytes.len()));
        self.bytes = tail;
        head
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        self.take(self.bytes.len())
    }

    /// The next byte.
    pub fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    /// The next 2 bytes, little-endian.
    pub fn u16(&mut self) -> u16 {
        let mut b = [0; 2];
        self.fill(&mut b);
        u16::from_le_bytes(b)
    }

    /// The next 4 bytes, little-endian.
    pub fn u32(&mut self) -> u32 {
        let mut b = [0; 4];
        self.fill(&mut b);
        u32::from_le_bytes(b)
    }

    /// The next 8 bytes, little-endian.
    pub fn u64(&mut self) -> u64 {
        let mut b = [0; 8];
        self.fill(&mut b);
        u64::from_le_bytes(b)
    }

    /// An access size, from the low two bits of a byte.
    pub fn size(&mut self) -> AccessSize {
        match self.u8() & 3 {
            0 => AccessSize::Byte,
            1 => AccessSize::Half,
            2 => AccessSize::Word,
            _ => AccessSize::Double,
        }
    }

    fn fill(&mut self, out: &mut [u8]) {
        let src = self.take(out.len());
        out[..src.len()].copy_from_slice(src);
    }
}

/// A directory of this process's own under the system's temporary
/// directory, made on first use (fuzz targets write their scratch files
/// there and nowhere else). The process leaves it behind: libFuzzer ends
/// with `exit`, which runs no destructors; `scripts/fuzz` removes them.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("rivet-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the fuzz scratch directory");
        dir
    })
}

/// A scratch file of `sectors` 512-byte sectors whose byte `i` of sector
/// `s` is [`disk_byte`]`(s, i)`, made once per process: a disk image.
pub fn disk_image(sectors: u64) -> PathBuf {
    let path = scratch_dir().join(format!("disk-{sectors}.img"));
    if !path.exists() {
        let bytes: Vec<u8> = (0..sectors)
            .flat_map(|s| (0..512).map(move |i| disk_byte(s, i)))
            .collect();
        std::fs::write(&path, bytes).expect("write the scratch disk image");
    }
    path
}

/// The byte at offset `i` of sector `s` of a [`disk_image`].
pub fn disk_byte(s: u64, i: u64) -> u8 {
    (s.wrapping_mul(31) ^ i.wrapping_mul(7)) as u8
}
