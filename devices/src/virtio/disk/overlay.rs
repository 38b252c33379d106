//! The overlay of a snapshot disk: where the guest's writes go instead of
//! the image.
//!
//! The written sectors live in an unlinked temporary file, each at its own
//! offset, so the file is as sparse as the guest's writes. The file goes
//! where QEMU 7.2 puts its `-snapshot` overlay (an unlinked temporary qcow2
//! file, `vl.XXXXXX`): in `TMPDIR`, else in `/var/tmp`, which unlike `/tmp`
//! is rarely a tmpfs held in RAM. Host memory holds only the index of
//! which sectors are in the overlay: one bit per sector, in chunks made
//! only where the guest wrote, so at most 1/4096 of the disk's size (256
//! KiB per GiB) however much the guest writes. The host's page cache, not
//! rivet, decides how much of the written data stays in memory.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::PathBuf;

use rivet_core::bits::to_usize;

/// Words in one chunk of the index.
const CHUNK_WORDS: usize = 64;
/// Sectors one chunk of the index covers (2 MiB of disk).
const CHUNK_SECTORS: u64 = 64 * CHUNK_WORDS as u64;

/// A set of sector numbers: a bitmap in chunks, made on first use.
#[derive(Debug, Default)]
pub(super) struct SectorSet {
    chunks: BTreeMap<u64, Box<[u64; CHUNK_WORDS]>>,
}

impl SectorSet {
    /// Whether `sector` is in the set.
    pub(super) fn contains(&self, sector: u64) -> bool {
        let bit = sector % CHUNK_SECTORS;
        self.chunks
            .get(&(sector / CHUNK_SECTORS))
            .is_some_and(|chunk| chunk[to_usize(bit / 64)] >> (bit % 64) & 1 != 0)
    }

    /// Adds the `count` sectors from `first` on.
    pub(super) fn insert(&mut self, first: u64, count: u64) {
        for sector in first..first.saturating_add(count) {
            let bit = sector % CHUNK_SECTORS;
            let chunk = self
                .chunks
                .entry(sector / CHUNK_SECTORS)
                .or_insert_with(|| Box::new([0; CHUNK_WORDS]));
            chunk[to_usize(bit / 64)] |= 1 << (bit % 64);
        }
    }

    /// The host memory the set takes, in bytes: its chunks and, for each,
    /// the map's key and pointer (not the map's node overhead).
    pub(super) fn memory_bytes(&self) -> usize {
        self.chunks.len()
            * (size_of::<u64>()
                + size_of::<Box<[u64; CHUNK_WORDS]>>()
                + size_of::<[u64; CHUNK_WORDS]>())
    }
}

/// The guest's writes to a snapshot disk: a temporary file and the index
/// of the sectors it holds.
#[derive(Debug)]
pub(super) struct Overlay {
    /// Written sectors at their own offsets; unlinked, so it goes when
    /// rivet does.
    pub(super) file: File,
    /// Which sectors `file` holds.
    pub(super) present: SectorSet,
}

impl Overlay {
    /// An empty overlay in a new unlinked file in [`Overlay::dir`]. Fails
    /// with the directory and the host's reason.
    pub(super) fn new() -> Result<Overlay, (PathBuf, io::Error)> {
        let dir = Overlay::dir();
        let file = tempfile::tempfile_in(&dir).map_err(|e| (dir, e))?;
        Ok(Overlay {
            file,
            present: SectorSet::default(),
        })
    }

    /// Where overlays go: `TMPDIR` if set, else `/var/tmp` (on hosts
    /// without one, the system's temporary directory).
    pub(super) fn dir() -> PathBuf {
        match std::env::var_os("TMPDIR") {
            Some(dir) if !dir.is_empty() => dir.into(),
            _ if cfg!(unix) => PathBuf::from("/var/tmp"),
            _ => std::env::temp_dir(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sector_set_holds_what_was_inserted_and_nothing_else() {
        let mut set = SectorSet::default();
        set.insert(CHUNK_SECTORS - 2, 4);
        set.insert(u64::MAX - 1, 1);
        for s in [
            CHUNK_SECTORS - 2,
            CHUNK_SECTORS - 1,
            CHUNK_SECTORS,
            CHUNK_SECTORS + 1,
        ] {
            assert!(set.contains(s), "{s}");
        }
        for s in [0, CHUNK_SECTORS - 3, CHUNK_SECTORS + 2, u64::MAX] {
            assert!(!set.contains(s), "{s}");
        }
        assert!(set.contains(u64::MAX - 1));
        assert_eq!(set.chunks.len(), 3);
    }

    #[test]
    fn a_dense_sector_set_takes_a_bit_per_sector_and_a_little() {
        let mut set = SectorSet::default();
        // 64 MiB of disk.
        set.insert(0, 128 * 1024);
        let bitmap = 128 * 1024 / 8;
        assert!(set.memory_bytes() >= bitmap);
        assert!(
            set.memory_bytes() < bitmap + bitmap / 16,
            "{}",
            set.memory_bytes()
        );
    }
}
