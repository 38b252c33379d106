//! `security_model=mapped-xattr`: the guest's owner, group, mode and
//! device number of a file, kept in extended attributes of the host file.
//!
//! The names and encodings are QEMU 7.2's, as found on the files it
//! creates (`getfattr -d -e hex`): `user.virtfs.uid`, `user.virtfs.gid`
//! and `user.virtfs.mode` hold 4 bytes, `user.virtfs.rdev` 8 bytes
//! (glibc's `makedev` encoding), all little-endian; the mode keeps its
//! file type bits. A value that is longer than its field is ignored (the
//! host's value stands, as on QEMU, whose `getxattr` fails with `ERANGE`);
//! a shorter one is read as the low bytes of the field, the rest zero
//! (QEMU reads the bytes it has and leaves the rest undefined); an empty
//! one is ignored.
//!
//! The attributes are reached through `/proc/self/fd/N` of the `O_PATH`
//! descriptor the server resolved, so they belong to exactly the file
//! the confined walk reached, whatever its permissions.

use std::os::fd::{AsFd, AsRawFd};

use rustix::fs::XattrFlags;
use rustix::io::Errno;

/// The guest's owner.
pub const XATTR_UID: &str = "user.virtfs.uid";
/// The guest's group.
pub const XATTR_GID: &str = "user.virtfs.gid";
/// The guest's mode, file type included.
pub const XATTR_MODE: &str = "user.virtfs.mode";
/// The guest's device number (device nodes, FIFOs and sockets).
pub const XATTR_RDEV: &str = "user.virtfs.rdev";
/// The prefix of the attributes the guest may not see or change.
pub const PREFIX: &[u8] = b"user.virtfs.";

/// The host mode of the regular files (including the files standing for
/// symbolic links and device nodes) created in this model: readable and
/// writable by the host user alone (QEMU 7.2's, measured).
pub const FILE_MODE: u32 = 0o600;
/// The host mode of the directories created in this model (QEMU 7.2's).
pub const DIR_MODE: u32 = 0o700;

/// The guest's view of a file, where the attributes give one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mapped {
    /// `user.virtfs.uid`.
    pub uid: Option<u32>,
    /// `user.virtfs.gid`.
    pub gid: Option<u32>,
    /// `user.virtfs.mode`.
    pub mode: Option<u32>,
    /// `user.virtfs.rdev`.
    pub rdev: Option<u64>,
}

/// The path through which the file open as `fd` is reached (for calls
/// that take no `O_PATH` descriptor: xattrs, chmod, a reopen).
pub(super) fn proc_path(fd: impl AsFd) -> String {
    format!("/proc/self/fd/{}", fd.as_fd().as_raw_fd())
}

/// The value of a `width`-byte field from an attribute's bytes (see the
/// module's notes on malformed values).
pub fn decode(value: &[u8], width: usize) -> Option<u64> {
    if value.is_empty() || value.len() > width {
        return None;
    }
    let mut bytes = [0u8; 8];
    bytes[..value.len()].copy_from_slice(value);
    Some(u64::from_le_bytes(bytes))
}

/// One attribute of the file open as `fd`, decoded as a `width`-byte
/// field; `None` when absent, unreadable or malformed.
fn get(path: &str, name: &str, width: usize) -> Option<u64> {
    let mut buf = [0u8; 8];
    match rustix::fs::getxattr(path, name, &mut buf[..width]) {
        Ok(n) => decode(&buf[..n.min(width)], width),
        Err(_) => None,
    }
}

/// Reads the guest's view of the file open (`O_PATH` will do) as `fd`.
/// A file without the attributes (one the host made, or a symbolic
/// link, which cannot carry user attributes) has none.
pub fn read(fd: impl AsFd) -> Mapped {
    let path = proc_path(fd);
    let low = |v: u64| u32::try_from(v).ok();
    Mapped {
        uid: get(&path, XATTR_UID, 4).and_then(low),
        gid: get(&path, XATTR_GID, 4).and_then(low),
        mode: get(&path, XATTR_MODE, 4).and_then(low),
        rdev: get(&path, XATTR_RDEV, 8),
    }
}

/// Stores the fields of `m` that are given on the file open as `fd`,
/// leaving the others as they are.
pub fn write(fd: impl AsFd, m: &Mapped) -> Result<(), Errno> {
    let path = proc_path(fd);
    let set = |name: &str, value: &[u8]| {
        rustix::fs::setxattr(path.as_str(), name, value, XattrFlags::empty())
    };
    if let Some(uid) = m.uid {
        set(XATTR_UID, &uid.to_le_bytes())?;
    }
    if let Some(gid) = m.gid {
        set(XATTR_GID, &gid.to_le_bytes())?;
    }
    if let Some(mode) = m.mode {
        set(XATTR_MODE, &mode.to_le_bytes())?;
    }
    if let Some(rdev) = m.rdev {
        set(XATTR_RDEV, &rdev.to_le_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// QEMU 7.2's values, from its files: mode 0104750 is e8 89 00 00,
    /// uid 1234 is d2 04 00 00, device 259:1 is 01 03 01 00 00 00 00 00.
    #[test]
    fn values_decode_as_qemu_writes_them() {
        assert_eq!(decode(&[0xe8, 0x89, 0, 0], 4), Some(0o104_750));
        assert_eq!(decode(&[0xd2, 4, 0, 0], 4), Some(1234));
        assert_eq!(
            decode(&[1, 3, 1, 0, 0, 0, 0, 0], 8),
            Some(rustix::fs::makedev(259, 1))
        );
        // Malformed: too long is ignored, too short is the low bytes.
        assert_eq!(decode(&[1, 2, 3, 4, 5, 6], 4), None);
        assert_eq!(decode(&[], 4), None);
        assert_eq!(decode(&[1, 2], 4), Some(0x0201));
    }

    /// What is written reads back; a field not given is left alone.
    #[test]
    fn attributes_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        let fd = std::fs::File::open(&file).unwrap();
        let all = Mapped {
            uid: Some(1234),
            gid: Some(5678),
            mode: Some(0o010_644),
            rdev: Some(0),
        };
        if write(&fd, &all) == Err(Errno::OPNOTSUPP) {
            println!("the temporary folder has no user xattrs: nothing to test");
            return;
        }
        assert_eq!(read(&fd), all);
        write(
            &fd,
            &Mapped {
                uid: Some(7),
                ..Mapped::default()
            },
        )
        .unwrap();
        assert_eq!(
            read(&fd),
            Mapped {
                uid: Some(7),
                ..all
            }
        );
    }
}
