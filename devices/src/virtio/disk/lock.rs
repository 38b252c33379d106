//! Image locking, shared with QEMU.
//!
//! QEMU's `file` protocol driver locks a raw image with Linux open file
//! description (OFD) locks on single bytes of it (the QEMU manual,
//! "Disk image file locking"), one byte per block permission and role.
//! The permissions are QEMU's `BlockPermission`s, numbered in the order
//! the QAPI schema lists them: consistent-read 0, write 1, write-unchanged
//! 2, resize 3. A user
//!
//! - holding permission `p` takes a shared lock on byte 100 + `p`;
//! - refusing to share `p` with others takes a shared lock on byte 200 + `p`;
//! - may go ahead only if nobody refuses to share a permission it holds (no
//!   lock on 200 + `p`) and nobody holds one it refuses to share (no lock on
//!   100 + `p`).
//!
//! As `/proc/locks` shows them for QEMU 7.2, a read-write drive locks bytes
//! 100, 101 and 201, a read-only one 100 and 201, and the base image of a
//! `-snapshot` drive 100, 201 and 203. rivet takes the same bytes, so a
//! rivet and a QEMU (or two rivets) that would both write an image, or one
//! writing while the other reads, refuse each other, and readers share:
//!
//! | mode | holds | refuses to share | bytes |
//! |---|---|---|---|
//! | read-write | consistent-read, write | write, resize | 100, 101, 201, 203 |
//! | read-only, snapshot | consistent-read | write, resize | 100, 201, 203 |
//!
//! A read-write qcow2 image also holds resize (byte 103), as QEMU 7.2's
//! qcow2 driver does (it grows the file as clusters are allocated); the
//! backing files of a qcow2 image are locked as read-only drives are
//! (bytes 100, 201, 203, as QEMU locks them).
//!
//! rivet takes its locks before it looks for others', so of two users
//! opening an image at once at least one sees the other.
//!
//! Unlike QEMU's read-write drive, rivet does not let others resize a
//! writable image: its disk's size is fixed when it is opened.
//!
//! The locks belong to the open file: they last as long as the [`File`]
//! and go with it. Hosts other than Linux have no OFD locks; there rivet
//! takes a `flock` (exclusive for a writer, shared otherwise), which keeps
//! rivets apart but is not seen by QEMU.

use std::fmt;
use std::fs::File;
use std::io;

use super::{DiskFormat, DiskMode};

/// A block permission, as QEMU names and numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Reading gives the image's real contents.
    ConsistentRead = 0,
    /// Writing that may change the contents.
    Write = 1,
    /// Writing that leaves the contents as they were.
    WriteUnchanged = 2,
    /// Changing the image's size.
    Resize = 3,
}

impl Permission {
    /// The permission's lock byte in the "holds" range (100 + bit).
    pub const fn held_byte(self) -> u64 {
        100 + self as u64
    }

    /// The permission's lock byte in the "refuses to share" range
    /// (200 + bit).
    pub const fn unshared_byte(self) -> u64 {
        200 + self as u64
    }

    /// The permissions a disk opened in `mode` holds.
    pub fn held(mode: DiskMode) -> &'static [Permission] {
        match mode {
            DiskMode::ReadWrite => &[Permission::ConsistentRead, Permission::Write],
            DiskMode::ReadOnly | DiskMode::Snapshot => &[Permission::ConsistentRead],
        }
    }

    /// The permissions a disk opened in `mode` holds on an image in
    /// `format`: a writable qcow2 image also holds resize.
    pub fn held_by(mode: DiskMode, format: DiskFormat) -> &'static [Permission] {
        match (mode, format) {
            (DiskMode::ReadWrite, DiskFormat::Qcow2) => &[
                Permission::ConsistentRead,
                Permission::Write,
                Permission::Resize,
            ],
            _ => Permission::held(mode),
        }
    }

    /// The permissions a disk opened in any mode refuses to share: nobody
    /// else may write it or change its size while rivet has it.
    pub fn unshared(_mode: DiskMode) -> &'static [Permission] {
        &[Permission::Write, Permission::Resize]
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Permission::ConsistentRead => "consistent read",
            Permission::Write => "write",
            Permission::WriteUnchanged => "write unchanged",
            Permission::Resize => "resize",
        })
    }
}

/// Another user's lock that keeps a disk from being opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockConflict {
    /// Another user refuses to share a permission this open needs (QEMU:
    /// `Failed to get "write" lock`).
    NotShared(Permission),
    /// Another user holds a permission this open refuses to share (QEMU:
    /// `Failed to get shared "write" lock`).
    Held(Permission),
}

impl fmt::Display for LockConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockConflict::NotShared(p) => write!(
                f,
                "another process (a rivet or a QEMU) has it open and does not share the \
                 \"{p}\" permission this disk needs"
            ),
            LockConflict::Held(p) => write!(
                f,
                "another process (a rivet or a QEMU) has it open with the \"{p}\" permission, \
                 which this disk does not share"
            ),
        }
    }
}

/// Why an image could not be locked.
#[derive(Debug)]
pub(super) enum LockError {
    /// Someone else's lock is in the way.
    Conflict(LockConflict),
    /// The host could not lock the file at all.
    Io(io::Error),
}

/// Locks `file` for a user that holds the permissions `held` and refuses
/// to share `unshared`, as the module describes.
#[cfg(target_os = "linux")]
pub(super) fn lock_permissions(
    file: &File,
    held: &[Permission],
    unshared: &[Permission],
) -> Result<(), LockError> {
    use nix::errno::Errno;
    use nix::fcntl::{fcntl, FcntlArg};
    use nix::libc;

    /// A lock of `kind` on the single byte at `offset`.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the F_*LCK lock types and SEEK_SET are small numbers"
    )]
    fn byte(kind: libc::c_int, offset: u64) -> libc::flock {
        libc::flock {
            l_type: kind as libc::c_short,
            l_whence: libc::SEEK_SET as libc::c_short,
            l_start: libc::off_t::try_from(offset).unwrap_or(libc::off_t::MAX),
            l_len: 1,
            // OFD requests must leave the pid 0 (fcntl(2)).
            l_pid: 0,
        }
    }

    let bytes = held
        .iter()
        .map(|p| p.held_byte())
        .chain(unshared.iter().map(|p| p.unshared_byte()));
    for offset in bytes {
        match fcntl(file, FcntlArg::F_OFD_SETLK(&byte(libc::F_RDLCK, offset))) {
            Ok(_) => {}
            // Only a write lock blocks a shared one; QEMU takes none, but
            // whoever holds one is using the image.
            Err(Errno::EAGAIN | Errno::EACCES) => {
                return Err(LockError::Conflict(LockConflict::Held(Permission::Write)))
            }
            Err(e) => return Err(LockError::Io(e.into())),
        }
    }
    // Would an exclusive lock on the byte conflict with someone's lock?
    let taken = |offset: u64| -> Result<bool, LockError> {
        let mut probe = byte(libc::F_WRLCK, offset);
        fcntl(file, FcntlArg::F_OFD_GETLK(&mut probe)).map_err(|e| LockError::Io(e.into()))?;
        Ok(i32::from(probe.l_type) != libc::F_UNLCK)
    };
    for &p in held {
        if taken(p.unshared_byte())? {
            return Err(LockError::Conflict(LockConflict::NotShared(p)));
        }
    }
    for &p in unshared {
        if taken(p.held_byte())? {
            return Err(LockError::Conflict(LockConflict::Held(p)));
        }
    }
    Ok(())
}

/// Locks `file` with `flock`, exclusively for a writer: see the module.
#[cfg(not(target_os = "linux"))]
pub(super) fn lock_permissions(
    file: &File,
    held: &[Permission],
    _unshared: &[Permission],
) -> Result<(), LockError> {
    use std::fs::TryLockError;
    let writer = held.contains(&Permission::Write);
    let locked = if writer {
        file.try_lock()
    } else {
        file.try_lock_shared()
    };
    match locked {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => Err(LockError::Conflict(if writer {
            LockConflict::NotShared(Permission::Write)
        } else {
            LockConflict::Held(Permission::Write)
        })),
        Err(TryLockError::Error(e)) => Err(LockError::Io(e)),
    }
}
