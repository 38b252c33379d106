//! Extended attributes through 9P2000.L: `Txattrwalk` gives a fid whose
//! `Tread`s return an attribute's value (or, for an empty name, the list
//! of names, each ending in NUL, as `listxattr` gives them);
//! `Txattrcreate` turns a fid into one whose `Twrite`s fill a value of
//! the announced size, set on the file when the fid is clunked. A size of
//! zero removes the attribute (the Linux client's `removexattr` sends it
//! so; an empty value cannot be told apart).
//!
//! The host calls go through `/proc/self/fd/N` of the `O_PATH`
//! descriptor the confined walk reached, so they touch exactly that file.
//! Values and lists are bounded by Linux's `XATTR_SIZE_MAX`.

use std::ffi::OsStr;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use rustix::fs::XattrFlags;
use rustix::io::Errno;

use super::mapped::proc_path;

/// The largest value or list of names (Linux's `XATTR_SIZE_MAX`).
pub const XATTR_SIZE_MAX: usize = 64 * 1024;

/// The value of the attribute `name` of the file open as `fd`.
pub fn get(fd: impl AsFd, name: &[u8]) -> Result<Vec<u8>, Errno> {
    let path = proc_path(fd);
    let name = OsStr::from_bytes(name);
    let size = rustix::fs::getxattr_query(path.as_str(), name)?;
    let mut value = vec![0u8; size.min(XATTR_SIZE_MAX)];
    let n = rustix::fs::getxattr(path.as_str(), name, &mut value[..])?;
    value.truncate(n);
    Ok(value)
}

/// The names of the attributes of the file open as `fd`, each ending in
/// NUL, without those starting with `hidden` (when given).
pub fn list(fd: impl AsFd, hidden: Option<&[u8]>) -> Result<Vec<u8>, Errno> {
    let path = proc_path(fd);
    let size = rustix::fs::listxattr_query(path.as_str())?;
    let mut names = vec![0u8; size.min(XATTR_SIZE_MAX)];
    let n = rustix::fs::listxattr(path.as_str(), &mut names[..])?;
    let mut shown = Vec::with_capacity(n);
    for name in names[..n].split_inclusive(|&b| b == 0) {
        if !hidden.is_some_and(|h| name.starts_with(h)) {
            shown.extend_from_slice(name);
        }
    }
    Ok(shown)
}

/// An attribute being written through a fid (after `Txattrcreate`).
#[derive(Debug)]
pub struct Pending {
    fd: OwnedFd,
    name: Vec<u8>,
    value: Vec<u8>,
    written: usize,
    flags: XattrFlags,
}

impl Pending {
    /// An attribute `name` of `size` bytes for the file open as `fd`,
    /// with `setxattr`'s `flags` (`XATTR_CREATE` 1, `XATTR_REPLACE` 2).
    pub fn new(fd: OwnedFd, name: &[u8], size: u64, flags: u32) -> Result<Self, Errno> {
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s <= XATTR_SIZE_MAX)
            .ok_or(Errno::TOOBIG)?;
        let flags = XattrFlags::from_bits(flags).ok_or(Errno::INVAL)?;
        Ok(Pending {
            fd,
            name: name.to_vec(),
            value: vec![0; size],
            written: 0,
            flags,
        })
    }

    /// Puts `data` at `offset` of the value; nothing may go past the size
    /// announced.
    pub fn write(&mut self, offset: u64, data: &[u8]) -> Result<(), Errno> {
        let start = usize::try_from(offset).map_err(|_| Errno::INVAL)?;
        let end = start.checked_add(data.len()).ok_or(Errno::INVAL)?;
        let slot = self.value.get_mut(start..end).ok_or(Errno::INVAL)?;
        slot.copy_from_slice(data);
        self.written = self.written.max(end);
        Ok(())
    }

    /// Sets the attribute (removes it, for a size of zero); a value not
    /// written to its end is refused (`EINVAL`).
    pub fn commit(self) -> Result<(), Errno> {
        let path = proc_path(&self.fd);
        let name = OsStr::from_bytes(&self.name);
        if self.value.is_empty() {
            return rustix::fs::removexattr(path.as_str(), name);
        }
        if self.written != self.value.len() {
            return Err(Errno::INVAL);
        }
        rustix::fs::setxattr(path.as_str(), name, &self.value, self.flags)
    }
}
