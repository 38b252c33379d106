//! The disk image behind a block device.
//!
//! A [`Disk`] is a host file in one of two formats ([`DiskFormat`]): raw
//! (whole 512-byte sectors, one for one) or qcow2 (through the imago
//! crate; it may have a chain of backing files), given or found by
//! probing as QEMU does ([`mod@format`]). It is opened in one of three modes ([`DiskMode`]):
//!
//! - read-write: guest writes go through to the file;
//! - read-only: the guest sees a read-only device (VIRTIO_BLK_F_RO);
//! - snapshot (`-snapshot`): the guest may write, but its writes land in an
//!   overlay, an unlinked temporary file (in `TMPDIR`, else `/var/tmp`, as
//!   QEMU's), and the image is never written. Host memory holds only the
//!   overlay's index of written sectors.
//!
//! Every image is locked as QEMU locks one ([`lock`]): a writer shares its
//! image with nobody, readers share with each other, and QEMU and rivet
//! see each other's locks. A second user gets a clear error instead of
//! silently corrupting the image.
//!
//! The image's I/O goes through a [`DiskBackend`] (the file itself for a
//! raw image, unless a test puts a failing one in its place; imago's
//! qcow2 driver for a qcow2 image). A short read or write is
//! continued until done. A failed read, write or sync, and a read past the
//! end of a file that shrank under the disk, are errors the device reports
//! to the guest; once a sync has failed, every later flush fails too (as
//! in QEMU's `file` driver): the data it was to make durable may be lost.

pub mod format;
pub mod lock;
mod overlay;
mod qcow2;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use rivet_core::bits::to_usize;

pub use format::DiskFormat;
use format::Probed;
use lock::{LockConflict, LockError, Permission};
use overlay::Overlay;
use qcow2::Qcow2Image;

/// The size of a sector: the unit of every block device request (§5.2.6).
pub const SECTOR_SIZE: u64 = 512;

/// How a disk image is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiskMode {
    /// The guest may write, and its writes go to the file.
    ReadWrite,
    /// The guest may only read; the device is read-only.
    ReadOnly,
    /// The guest may write, but writes go to a temporary overlay and are
    /// lost when the emulator exits; the file is never written.
    Snapshot,
}

impl fmt::Display for DiskMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiskMode::ReadWrite => "read-write",
            DiskMode::ReadOnly => "read-only",
            DiskMode::Snapshot => "snapshot",
        })
    }
}

/// Why a disk image cannot be opened or accessed.
#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    /// The file could not be opened (missing, no permission, …).
    #[error("cannot open disk image {} for {mode} access: {source}", path.display())]
    Open {
        /// The image's path.
        path: PathBuf,
        /// The mode asked for.
        mode: DiskMode,
        /// What the host said.
        source: io::Error,
    },
    /// The path names something other than a regular file.
    #[error("disk image {} is not a regular file", path.display())]
    NotAFile {
        /// The image's path.
        path: PathBuf,
    },
    /// The file's size is not a whole number of sectors.
    #[error(
        "disk image {} is truncated: its size ({size} bytes) is not a multiple of {SECTOR_SIZE}",
        path.display()
    )]
    Truncated {
        /// The image's path.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
    },
    /// Someone else holds a conflicting lock on the file.
    #[error(
        "disk image {} is already in use: {conflict} (or the image is given twice); \
         read-only and snapshot disks share an image with each other, not with a writer",
        path.display()
    )]
    Locked {
        /// The image's path.
        path: PathBuf,
        /// The lock in the way.
        conflict: LockConflict,
    },
    /// The file could not be locked at all.
    #[error("cannot lock disk image {}: {source}", path.display())]
    Lock {
        /// The image's path.
        path: PathBuf,
        /// What the host said.
        source: io::Error,
    },
    /// The snapshot overlay's temporary file could not be created.
    #[error(
        "cannot create the snapshot overlay of disk image {} in {} \
         (set TMPDIR to choose another directory): {source}",
        path.display(),
        dir.display()
    )]
    Overlay {
        /// The image's path.
        path: PathBuf,
        /// Where the overlay was to go.
        dir: PathBuf,
        /// What the host said.
        source: io::Error,
    },
    /// Reading, writing or syncing the file failed.
    #[error("I/O error on disk image {}: {source}", path.display())]
    Io {
        /// The image's path.
        path: PathBuf,
        /// What the host said.
        source: io::Error,
    },
    /// The image is in a format rivet does not read (found by probing).
    #[error(
        "disk image {} is in {format} format, which rivet does not read \
         (it reads raw and qcow2: qemu-img convert -O qcow2 makes a copy it reads)",
        path.display()
    )]
    UnsupportedFormat {
        /// The image's path.
        path: PathBuf,
        /// The format's QEMU name.
        format: &'static str,
    },
    /// The image is not a valid image of its format, or uses a feature
    /// rivet does not support.
    #[error("cannot open disk image {} as {format}: {source}", path.display())]
    Format {
        /// The image's path.
        path: PathBuf,
        /// The format it was opened as.
        format: DiskFormat,
        /// What is wrong.
        source: io::Error,
    },
    /// A write of a first sector that would make a probed raw image look
    /// like another format (QEMU refuses it too).
    #[error(
        "disk image {}: refused a write to sector 0 that would make the image probe as {format} \
         (its format was guessed; give format=raw to allow such writes)",
        path.display()
    )]
    ProbedRawBlock0 {
        /// The image's path.
        path: PathBuf,
        /// The format the new first sector would probe as.
        format: &'static str,
    },
    /// A write to a read-only disk.
    #[error("disk image {} is read-only", path.display())]
    ReadOnly {
        /// The image's path.
        path: PathBuf,
    },
    /// An access outside the disk, or not made of whole sectors.
    #[error(
        "access of {len} bytes at sector {sector} does not fit disk image {} ({sectors} sectors)",
        path.display()
    )]
    OutOfRange {
        /// The image's path.
        path: PathBuf,
        /// The first sector of the access.
        sector: u64,
        /// The length of the access in bytes.
        len: u64,
        /// The size of the disk in sectors.
        sectors: u64,
    },
}

/// The host side of a disk: positioned reads and writes and a sync, as a
/// file offers them. [`Disk`] does all of an image's I/O through one, so a
/// test can put one that fails in place of the file.
pub trait DiskBackend: fmt::Debug + Send {
    /// Reads at most `buf.len()` bytes at `offset`; returns how many (0 at
    /// the end of the file).
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<usize>;

    /// Writes at most `data.len()` bytes at `offset`; returns how many.
    fn write_at(&mut self, data: &[u8], offset: u64) -> io::Result<usize>;

    /// Makes the data written so far durable (`fdatasync`).
    fn sync_data(&mut self) -> io::Result<()>;
}

impl DiskBackend for File {
    #[cfg(unix)]
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }

    #[cfg(unix)]
    fn write_at(&mut self, data: &[u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::write_at(self, data, offset)
    }

    #[cfg(not(unix))]
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        use std::io::{Read, Seek, SeekFrom};
        self.seek(SeekFrom::Start(offset))?;
        self.read(buf)
    }

    #[cfg(not(unix))]
    fn write_at(&mut self, data: &[u8], offset: u64) -> io::Result<usize> {
        use std::io::{Seek, SeekFrom, Write};
        self.seek(SeekFrom::Start(offset))?;
        self.write(data)
    }

    fn sync_data(&mut self) -> io::Result<()> {
        File::sync_data(self)
    }
}

/// Fills `buf` from `offset` on: reads again after a short read or an
/// interruption; the end of the file before `buf` is full is an error.
fn read_exact_at(backend: &mut dyn DiskBackend, buf: &mut [u8], offset: u64) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        match backend.read_at(rest, offset + done as u64) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the file ends before the disk does (did it shrink?)",
                ))
            }
            Ok(n) if n <= rest.len() => done += n,
            Ok(_) => return Err(io::Error::other("read more bytes than asked for")),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes all of `data` at `offset`: writes again after a short write or
/// an interruption; a write that makes no progress is an error.
fn write_all_at(backend: &mut dyn DiskBackend, data: &[u8], offset: u64) -> io::Result<()> {
    let mut done = 0;
    while done < data.len() {
        let rest = &data[done..];
        match backend.write_at(rest, offset + done as u64) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "the file took none of the data",
                ))
            }
            Ok(n) if n <= rest.len() => done += n,
            Ok(_) => return Err(io::Error::other("wrote more bytes than asked for")),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The format the first sector of `file` (of `size` bytes) shows.
fn probe_file(file: &File, size: u64) -> io::Result<Probed> {
    let mut head = [0u8; 512];
    let len = usize::try_from(size).map_or(head.len(), |s| s.min(head.len()));
    qcow2::read_file_at(file, &mut head[..len], 0)?;
    Ok(Probed::of(&head[..len]))
}

/// A disk image: a raw or qcow2 file and how it is opened.
#[derive(Debug)]
pub struct Disk {
    backend: Box<dyn DiskBackend>,
    path: PathBuf,
    mode: DiskMode,
    format: DiskFormat,
    /// The format was found by probing, not given: a raw image then may
    /// not get a first sector that probes as another format.
    probed: bool,
    sectors: u64,
    /// Snapshot mode: the sectors the guest wrote.
    overlay: Option<Overlay>,
    /// A sync failed: the kind of its error, which every later flush
    /// reports too (the data it was to make durable may be lost).
    sync_failed: Option<io::ErrorKind>,
}

impl Disk {
    /// Opens the raw image at `path` in `mode`, and locks it (see
    /// [`lock`]); a snapshot disk also gets its overlay file.
    ///
    /// Fails with a clear error (naming the path) when the file is missing
    /// or unreadable, is not a regular file, is not a whole number of
    /// sectors, or is locked by another user, or when a snapshot overlay
    /// cannot be created.
    pub fn open(path: &Path, mode: DiskMode) -> Result<Disk, DiskError> {
        Disk::open_format(path, mode, Some(DiskFormat::Raw))
    }

    /// Opens the image at `path` in `mode` as [`Disk::open`] does, in
    /// `format`, or, if that is `None`, in the format its first sector
    /// shows ([`mod@format`]; anything unrecognised is raw, and a format rivet
    /// does not read is an error). A qcow2 image's backing files are
    /// opened and locked read-only too.
    ///
    /// Besides [`Disk::open`]'s errors, fails when a qcow2 image or one of
    /// its backing files is malformed, encrypted, missing or locked, or
    /// its backing chain loops.
    pub fn open_format(
        path: &Path,
        mode: DiskMode,
        format: Option<DiskFormat>,
    ) -> Result<Disk, DiskError> {
        Disk::open_impl(path, mode, format, |file| Box::new(file))
    }

    /// Opens and locks the raw image like [`Disk::open`], then does its
    /// I/O through the backend `wrap` makes of the file (a test's fault
    /// injector). The image stays locked while the backend keeps the file.
    pub fn open_with(
        path: &Path,
        mode: DiskMode,
        wrap: impl FnOnce(File) -> Box<dyn DiskBackend>,
    ) -> Result<Disk, DiskError> {
        Disk::open_impl(path, mode, Some(DiskFormat::Raw), wrap)
    }

    /// Opens, probes, checks and locks the image; `wrap` makes the backend
    /// of a raw image.
    fn open_impl(
        path: &Path,
        mode: DiskMode,
        format: Option<DiskFormat>,
        wrap: impl FnOnce(File) -> Box<dyn DiskBackend>,
    ) -> Result<Disk, DiskError> {
        let file = OpenOptions::new()
            .read(true)
            .write(mode == DiskMode::ReadWrite)
            .open(path)
            .map_err(|source| DiskError::Open {
                path: path.to_owned(),
                mode,
                source,
            })?;
        let metadata = file.metadata().map_err(|source| DiskError::Io {
            path: path.to_owned(),
            source,
        })?;
        if !metadata.is_file() {
            return Err(DiskError::NotAFile {
                path: path.to_owned(),
            });
        }
        let size = metadata.len();
        let probed = format.is_none();
        let format = match format {
            Some(format) => format,
            None => match probe_file(&file, size).map_err(|source| DiskError::Io {
                path: path.to_owned(),
                source,
            })? {
                Probed::Format(format) => format,
                Probed::Unsupported(format) => {
                    return Err(DiskError::UnsupportedFormat {
                        path: path.to_owned(),
                        format,
                    })
                }
            },
        };
        if format == DiskFormat::Raw && size % SECTOR_SIZE != 0 {
            return Err(DiskError::Truncated {
                path: path.to_owned(),
                size,
            });
        }
        match lock::lock_permissions(
            &file,
            Permission::held_by(mode, format),
            Permission::unshared(mode),
        ) {
            Ok(()) => {}
            Err(LockError::Conflict(conflict)) => {
                return Err(DiskError::Locked {
                    path: path.to_owned(),
                    conflict,
                })
            }
            Err(LockError::Io(source)) => {
                return Err(DiskError::Lock {
                    path: path.to_owned(),
                    source,
                })
            }
        }
        let (backend, sectors) = match format {
            DiskFormat::Raw => (wrap(file), size / SECTOR_SIZE),
            DiskFormat::Qcow2 => {
                let image =
                    Qcow2Image::open(file, path, mode).map_err(|source| DiskError::Format {
                        path: path.to_owned(),
                        format,
                        source,
                    })?;
                // A size that is not whole sectors: the rest is unreachable.
                let sectors = image.size() / SECTOR_SIZE;
                (Box::new(image) as Box<dyn DiskBackend>, sectors)
            }
        };
        let overlay = if mode == DiskMode::Snapshot {
            let overlay = Overlay::new().map_err(|(dir, source)| DiskError::Overlay {
                path: path.to_owned(),
                dir,
                source,
            })?;
            Some(overlay)
        } else {
            None
        };
        Ok(Disk {
            backend,
            path: path.to_owned(),
            mode,
            format,
            probed,
            sectors,
            overlay,
            sync_failed: None,
        })
    }

    /// The image's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The mode the image was opened in.
    pub fn mode(&self) -> DiskMode {
        self.mode
    }

    /// The image's format.
    pub fn format(&self) -> DiskFormat {
        self.format
    }

    /// The size of the disk in 512-byte sectors.
    pub fn sectors(&self) -> u64 {
        self.sectors
    }

    /// Whether the guest may not write (a [`DiskMode::ReadOnly`] disk).
    pub fn is_read_only(&self) -> bool {
        self.mode == DiskMode::ReadOnly
    }

    /// Checks that `len` bytes at `sector` are whole sectors inside the disk.
    fn check_range(&self, sector: u64, len: u64) -> Result<u64, DiskError> {
        let count = len / SECTOR_SIZE;
        let fits = len.is_multiple_of(SECTOR_SIZE)
            && sector
                .checked_add(count)
                .is_some_and(|end| end <= self.sectors);
        if fits {
            Ok(sector * SECTOR_SIZE)
        } else {
            Err(DiskError::OutOfRange {
                path: self.path.clone(),
                sector,
                len,
                sectors: self.sectors,
            })
        }
    }

    fn io_error(&self, source: io::Error) -> DiskError {
        DiskError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// The host memory a snapshot disk's overlay takes, in bytes: its index
    /// of written sectors, never the data (which is in its temporary file).
    /// 0 for the other modes.
    pub fn overlay_memory_bytes(&self) -> usize {
        self.overlay
            .as_ref()
            .map_or(0, |o| o.present.memory_bytes())
    }

    /// Reads whole sectors starting at `sector` into `buf`, whose length is
    /// a multiple of 512: each from the snapshot overlay if the guest wrote
    /// it there, else from the image.
    pub fn read_sectors(&mut self, sector: u64, buf: &mut [u8]) -> Result<(), DiskError> {
        let offset = self.check_range(sector, buf.len() as u64)?;
        let result = match &mut self.overlay {
            None => read_exact_at(self.backend.as_mut(), buf, offset),
            Some(overlay) => {
                // Runs of sectors that are all in the overlay or all not.
                let count = buf.len() as u64 / SECTOR_SIZE;
                let mut done = 0;
                let mut result = Ok(());
                while done < count && result.is_ok() {
                    let present = overlay.present.contains(sector + done);
                    let mut end = done + 1;
                    while end < count && overlay.present.contains(sector + end) == present {
                        end += 1;
                    }
                    let run = &mut buf[to_usize(done * SECTOR_SIZE)..to_usize(end * SECTOR_SIZE)];
                    let at = offset + done * SECTOR_SIZE;
                    result = if present {
                        read_exact_at(&mut overlay.file, run, at)
                    } else {
                        read_exact_at(self.backend.as_mut(), run, at)
                    };
                    done = end;
                }
                result
            }
        };
        result.map_err(|e| self.io_error(e))
    }

    /// Writes whole sectors starting at `sector` from `data`, whose length
    /// is a multiple of 512: to the file for a read-write disk, to the
    /// overlay for a snapshot disk. After an error, the sectors may hold
    /// the old data, the new or some of each.
    pub fn write_sectors(&mut self, sector: u64, data: &[u8]) -> Result<(), DiskError> {
        let offset = self.check_range(sector, data.len() as u64)?;
        if self.mode == DiskMode::ReadOnly {
            return Err(DiskError::ReadOnly {
                path: self.path.clone(),
            });
        }
        // QEMU's restriction on a probed raw image: no first sector that
        // would make it probe as another format next time.
        if self.probed && self.format == DiskFormat::Raw && self.overlay.is_none() && sector == 0 {
            let first = &data[..data.len().min(to_usize(SECTOR_SIZE))];
            let format = match Probed::of(first) {
                Probed::Format(DiskFormat::Raw) => None,
                Probed::Format(other) => Some(other.name()),
                Probed::Unsupported(name) => Some(name),
            };
            if let Some(format) = format {
                return Err(DiskError::ProbedRawBlock0 {
                    path: self.path.clone(),
                    format,
                });
            }
        }
        // Only a snapshot disk has an overlay.
        let result = match &mut self.overlay {
            Some(overlay) => {
                write_all_at(&mut overlay.file, data, offset).map(|()| {
                    // Only now does the overlay hold the sectors: a failed
                    // write leaves the image's data visible.
                    overlay
                        .present
                        .insert(sector, data.len() as u64 / SECTOR_SIZE);
                })
            }
            None => write_all_at(self.backend.as_mut(), data, offset),
        };
        result.map_err(|e| self.io_error(e))
    }

    /// Makes every completed write durable (`sync_data`). Only a read-write
    /// disk has anything to sync. Once a sync has failed, every later flush
    /// fails too: the host may have dropped the data it could not write,
    /// and a later sync that succeeds would not say so.
    pub fn flush(&mut self) -> Result<(), DiskError> {
        if self.mode != DiskMode::ReadWrite {
            return Ok(());
        }
        if let Some(kind) = self.sync_failed {
            return Err(self.io_error(io::Error::new(
                kind,
                "an earlier sync failed: data written before it may be lost",
            )));
        }
        self.backend.sync_data().map_err(|e| {
            self.sync_failed = Some(e.kind());
            self.io_error(e)
        })
    }
}
