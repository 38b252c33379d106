//! qcow2 images, through the `imago` crate.
//!
//! imago (by a maintainer of QEMU's block layer) reads and writes qcow2
//! versions 2 and 3, compressed clusters included (it writes none), and
//! follows backing files, raw or qcow2. Built with its `sync` feature,
//! every call is a plain blocking function: no async runtime.
//!
//! rivet opens every file of the chain itself, through an
//! [`ImplicitOpenGate`], so that each is
//!
//! - locked as QEMU locks it (see [`super::lock`]): the image as its
//!   drive's mode says, and each backing file read-only (QEMU 7.2 holds
//!   bytes 100, 201 and 203 of a backing file, as of a read-only drive);
//! - checked before imago sees it: the header fields QEMU also checks
//!   (magic, version, encryption, cluster size) and the placement of the
//!   L1 and refcount tables, which must lie past the header and inside
//!   the file;
//! - opened at most once in the chain: a backing file that leads back to
//!   an image of the chain (A → B → A) is an error, as in `qemu-img`.
//!
//! A relative backing file name is resolved against the directory of the
//! image that names it, as QEMU resolves it. Backing files are opened
//! read-only, whatever the drive's mode.
//!
//! Encrypted images are refused; so is a dirty image (lazy refcounts,
//! which QEMU repairs on opening and imago does not) and any other
//! incompatible feature imago does not know.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use imago::format::gate::ImplicitOpenGate;
use imago::qcow2::Qcow2;
use imago::{FormatAccess, FormatDriverBuilder, StorageOpenOptions};

use super::format::{Probed, QCOW_MAGIC};
use super::lock::{self, LockError, Permission};
use super::{DiskBackend, DiskFormat, DiskMode};

/// The longest chain of backing files rivet follows.
const MAX_CHAIN: usize = 64;

/// Where each field sits in the qcow2 header (all big-endian).
mod header {
    pub const VERSION: usize = 4;
    pub const CLUSTER_BITS: usize = 20;
    pub const CRYPT_METHOD: usize = 32;
    pub const L1_SIZE: usize = 36;
    pub const L1_TABLE_OFFSET: usize = 40;
    pub const REFCOUNT_TABLE_OFFSET: usize = 48;
    pub const REFCOUNT_TABLE_CLUSTERS: usize = 56;
    pub const INCOMPATIBLE_FEATURES: usize = 72;
    /// The size of a version 2 header; version 3 adds fields up to 104.
    pub const V2_SIZE: usize = 72;
    pub const V3_SIZE: usize = 104;
}

/// A qcow2 image and its backing chain, opened and locked.
pub(super) struct Qcow2Image {
    image: FormatAccess<imago::file::File>,
}

impl fmt::Debug for Qcow2Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Qcow2Image({})", self.image.inner())
    }
}

impl Qcow2Image {
    /// Opens the qcow2 image in `file` (already opened at `path` and
    /// locked for `mode`), and its backing chain. Only a read-write drive
    /// writes the image; the backing files are never written.
    pub(super) fn open(file: File, path: &Path, mode: DiskMode) -> io::Result<Qcow2Image> {
        check_header(&file)?;
        let writable = mode == DiskMode::ReadWrite;
        let options = StorageOpenOptions::new().filename(path).write(writable);
        let storage = imago::file::File::from_open_file(file, options)?;
        let gate = ChainGate {
            chain: vec![identity(path)?],
        };
        let qcow2 = Qcow2::<imago::file::File>::builder(storage)
            .write(writable)
            .open(gate)?;
        Ok(Qcow2Image {
            image: FormatAccess::new(qcow2),
        })
    }

    /// The disk's size in bytes (the header's virtual size).
    pub(super) fn size(&self) -> u64 {
        self.image.size()
    }
}

impl DiskBackend for Qcow2Image {
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        self.image.read(&mut *buf, offset)?;
        Ok(buf.len())
    }

    fn write_at(&mut self, data: &[u8], offset: u64) -> io::Result<usize> {
        self.image.write(data, offset)?;
        Ok(data.len())
    }

    /// Writes imago's cached metadata (L2 tables, refcounts) to the file,
    /// then syncs the file.
    fn sync_data(&mut self) -> io::Result<()> {
        self.image.flush()?;
        self.image.sync()
    }
}

/// What identifies a file in the chain: its canonical path.
fn identity(path: &Path) -> io::Result<PathBuf> {
    path.canonicalize()
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// An error about the image's contents.
fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Checks the header of the qcow2 image in `file` before imago reads it:
/// the fields QEMU checks on opening, and that the L1 and refcount tables
/// lie past the header cluster and inside the file.
fn check_header(file: &File) -> io::Result<()> {
    let size = file.metadata()?.len();
    let mut head = [0u8; header::V3_SIZE];
    let len = usize::try_from(size).map_or(head.len(), |s| s.min(head.len()));
    read_file_at(file, &mut head[..len], 0)?;
    let u32_at =
        |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let u64_at = |at: usize| (u64::from(u32_at(at)) << 32) | u64::from(u32_at(at + 4));
    if len < 8 || head[..4] != QCOW_MAGIC[..] {
        return Err(invalid("Image is not in qcow2 format".into()));
    }
    let version = u32_at(header::VERSION);
    if version != 2 && version != 3 {
        return Err(invalid(format!(
            "qcow2 version {version} is not supported (2 and 3 are)"
        )));
    }
    let needed = if version == 2 {
        header::V2_SIZE
    } else {
        header::V3_SIZE
    };
    if len < needed {
        return Err(invalid(format!(
            "qcow2 header too short: the file has {size} bytes, a version {version} header {needed}"
        )));
    }
    match u32_at(header::CRYPT_METHOD) {
        0 => {}
        method => {
            let what = match method {
                1 => "AES-CBC",
                2 => "LUKS",
                _ => "an unknown method",
            };
            return Err(invalid(format!(
                "the image is encrypted ({what}); rivet does not read encrypted images \
                 (qemu-img convert makes an unencrypted copy)"
            )));
        }
    }
    if version == 3 {
        let features = u64_at(header::INCOMPATIBLE_FEATURES);
        let refused = [
            (
                0,
                "it is dirty (lazy refcounts not written back): qemu-img check -r all repairs it",
            ),
            (1, "it is marked corrupt: qemu-img check -r all repairs it"),
            (
                2,
                "its data is in an external data file, which rivet does not support",
            ),
        ];
        for (bit, why) in refused {
            if features >> bit & 1 != 0 {
                return Err(invalid(format!("rivet does not open this image: {why}")));
            }
        }
    }
    let cluster_bits = u32_at(header::CLUSTER_BITS);
    if !(9..=21).contains(&cluster_bits) {
        return Err(invalid(format!(
            "cluster size 2^{cluster_bits} is out of range (2^9 to 2^21)"
        )));
    }
    let cluster = 1u64 << cluster_bits;
    // A table of `len` bytes at `offset` must lie in the file, past the
    // header's cluster.
    let table = |name: &str, offset: u64, len: u64| -> io::Result<()> {
        let end = offset.checked_add(len);
        if offset < cluster || end.is_none_or(|end| end > size) {
            return Err(invalid(format!(
                "the {name} ({len} bytes at offset {offset}) does not lie between the header \
                 cluster and the end of the file ({size} bytes): the image is corrupt"
            )));
        }
        Ok(())
    };
    let l1_size = u64::from(u32_at(header::L1_SIZE));
    if l1_size > 0 {
        table("L1 table", u64_at(header::L1_TABLE_OFFSET), l1_size * 8)?;
    }
    let refcount_clusters = u64::from(u32_at(header::REFCOUNT_TABLE_CLUSTERS));
    table(
        "refcount table",
        u64_at(header::REFCOUNT_TABLE_OFFSET),
        refcount_clusters.max(1) * cluster,
    )?;
    Ok(())
}

/// Reads all of `buf` at `offset` from `file`.
pub(super) fn read_file_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = file;
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)
    }
}

/// Opens the files a qcow2 image refers to (its backing file, and the
/// backing file's own), as the module describes.
struct ChainGate {
    /// The files of the chain so far, the image first.
    chain: Vec<PathBuf>,
}

impl ImplicitOpenGate<imago::file::File> for ChainGate {
    fn open_format<F: FormatDriverBuilder<imago::file::File>>(
        &mut self,
        builder: F,
    ) -> io::Result<FormatAccess<imago::file::File>> {
        let gate = ChainGate {
            chain: self.chain.clone(),
        };
        Ok(FormatAccess::new(builder.open(gate)?))
    }

    fn open_storage(&mut self, options: StorageOpenOptions) -> io::Result<imago::file::File> {
        let path = options
            .get_filename()
            .ok_or_else(|| io::Error::other("a backing file without a name"))?
            .to_owned();
        if options.get_writable() {
            return Err(io::Error::other(format!(
                "{}: rivet opens backing files read-only",
                path.display()
            )));
        }
        let id = identity(&path)?;
        if self.chain.contains(&id) {
            let names: Vec<String> = self
                .chain
                .iter()
                .chain([&id])
                .map(|p| p.display().to_string())
                .collect();
            return Err(invalid(format!(
                "the backing file chain loops: {}",
                names.join(" -> ")
            )));
        }
        if self.chain.len() >= MAX_CHAIN {
            return Err(invalid(format!(
                "{}: the backing file chain is longer than {MAX_CHAIN} images",
                path.display()
            )));
        }
        let file = OpenOptions::new()
            .read(true)
            .open(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if !file.metadata()?.is_file() {
            return Err(io::Error::other(format!(
                "{}: not a regular file",
                path.display()
            )));
        }
        match lock::lock_permissions(
            &file,
            Permission::held(DiskMode::ReadOnly),
            Permission::unshared(DiskMode::ReadOnly),
        ) {
            Ok(()) => {}
            Err(LockError::Conflict(conflict)) => {
                return Err(io::Error::new(
                    io::ErrorKind::ResourceBusy,
                    format!("{}: {conflict}", path.display()),
                ))
            }
            Err(LockError::Io(e)) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot lock {}: {e}", path.display()),
                ))
            }
        }
        // A qcow2 backing file gets the same checks as the image.
        let mut head = [0u8; 512];
        let len = usize::try_from(file.metadata()?.len()).map_or(512, |s| s.min(512));
        read_file_at(&file, &mut head[..len], 0)?;
        if Probed::of(&head[..len]) == Probed::Format(DiskFormat::Qcow2) {
            check_header(&file)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        }
        self.chain.push(id);
        imago::file::File::from_open_file(file, options)
    }
}
