//! A 9P2000.L file server for one host directory (QEMU's `local` fsdev,
//! with its security models `none`, `mapped-xattr` and `passthrough`).
//!
//! [`Server::handle`] takes one request message and returns its reply,
//! synchronously. Requests are served in the order they arrive, so
//! `Tflush` has nothing to cancel and answers at once.
//!
//! Confinement: a fid is a list of path components from the root of the
//! share, and every operation reaches its file by opening those
//! components one by one from the share's root with `O_PATH |
//! O_NOFOLLOW` (`openat`). A symbolic link is therefore never followed on
//! the host: walking through one fails (`ENOTDIR`), opening one fails
//! (`ELOOP`), and the guest reads its target with `Treadlink` and
//! resolves it in its own name space. `..` in a walk drops the last
//! component and stops at the root, as in a chroot. Names given in
//! requests that contain `/` or NUL, or are empty, `.` or `..`, are
//! refused with `EINVAL`. The host operations that follow symbolic links
//! (`chmod`, `chown`, `truncate`) are done only after the final
//! component was checked not to be one; between the check and the call
//! only a host process (not the guest, whose requests are serialised)
//! could swap it, and such a process already has the access.
//!
//! Bounds: replies fit the negotiated `msize` and the buffer the driver
//! gave (`Tread`'s and `Treaddir`'s counts are cut to fit), there are at
//! most [`MAX_FIDS`] fids and [`MAX_OPEN`] of them open on host files
//! or extended attributes (whose values are at most
//! [`xattr::XATTR_SIZE_MAX`] bytes), and a malformed message is answered with `Rlerror(EINVAL)` (`EPROTO`
//! for a bad header), an unknown one with `Rlerror(EOPNOTSUPP)`.
//!
//! Owners and modes follow the security model (QEMU's `-fsdev` docs):
//! - `none`: ownership is the host user's: `chown` is attempted and its
//!   failure ignored, as QEMU does for that model;
//! - `mapped-xattr`: files and directories are created as the host user,
//!   with host modes [`mapped::FILE_MODE`] and [`mapped::DIR_MODE`]; the
//!   guest's owner, group, mode and device number are kept in the
//!   `user.virtfs.*` attributes ([`mapped`]), which `Tgetattr` reports
//!   and `Tsetattr` changes, never the host owner or mode. Device nodes,
//!   FIFOs and sockets are regular files carrying their type in the mode
//!   attribute; a symbolic link is a regular file holding its target,
//!   which only `Treadlink` reads: the server never follows it, and the
//!   guest resolves it in its own name space, as a real link in `none`.
//!   A real host link in such a share reads as `ELOOP`, as on QEMU;
//! - `passthrough`: the guest's owner, group, mode and device numbers are
//!   applied to the host files; a change the host refuses (`EPERM` when
//!   not running as root) fails the request, and a file whose owner could
//!   not be set is removed again, as QEMU does.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::Path;

use rivet_core::bits::low_u32;
use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat, Timespec, Timestamps};
use rustix::io::Errno;

use super::mapped::{self, Mapped};
use super::wire::{self, msg, Malformed, Qid, Reader, Writer, NOFID, QTDIR, QTFILE, QTSYMLINK};
use super::xattr::{self, Pending};
use crate::virtio::fsdev::SecurityModel;

/// The largest `msize` the server accepts; a client asking for more gets
/// this (Linux's default is 128 KiB for virtio).
pub const MAX_MSIZE: u32 = 512 * 1024;
/// The smallest `msize` that leaves room for a useful reply.
pub const MIN_MSIZE: u32 = 4096;
/// The `msize` before a Tversion.
const DEFAULT_MSIZE: u32 = 8192;
/// The most fids the client may hold at once.
pub const MAX_FIDS: usize = 32768;
/// The most fids that may be open on host files or extended attributes
/// (each holds a host file descriptor, or an attribute's value).
pub const MAX_OPEN: usize = 256;
/// The most names in one Twalk (the protocol's `MAXWELEM`).
const MAX_WALK: u16 = 16;
/// Rread and Rreaddir: header and count before the data.
const READ_OVERHEAD: usize = wire::HEADER_LEN + 4;
/// The smallest reply: an Rlerror.
pub const MIN_REPLY: usize = wire::HEADER_LEN + 4;

/// The protocol version the server speaks.
const VERSION: &[u8] = b"9P2000.L";

// Linux error numbers (the guest's; the server runs on a Linux host too,
// so host errors pass through unchanged).
const EPERM: u32 = 1;
const EIO: u32 = 5;
const EBADF: u32 = 9;
const EISDIR: u32 = 21;
const EINVAL: u32 = 22;
const EMFILE: u32 = 24;
const EROFS: u32 = 30;
const ELOOP: u32 = 40;
const EPROTO: u32 = 71;
const EOPNOTSUPP: u32 = 95;

// Tsetattr's valid bits (Linux `P9_ATTR_*`).
const ATTR_MODE: u32 = 1 << 0;
const ATTR_UID: u32 = 1 << 1;
const ATTR_GID: u32 = 1 << 2;
const ATTR_SIZE: u32 = 1 << 3;
const ATTR_ATIME: u32 = 1 << 4;
const ATTR_MTIME: u32 = 1 << 5;
const ATTR_ATIME_SET: u32 = 1 << 7;
const ATTR_MTIME_SET: u32 = 1 << 8;

// Open flags as 9P2000.L sends them (Linux `P9_DOTL_*`).
const DOTL_ACCMODE: u32 = 3;
const DOTL_WRONLY: u32 = 1;
const DOTL_RDWR: u32 = 2;
const DOTL_EXCL: u32 = 0o200;
const DOTL_TRUNC: u32 = 0o1000;
const DOTL_APPEND: u32 = 0o2000;

/// Tunlinkat's flag for removing a directory (Linux `AT_REMOVEDIR`).
const DOTL_AT_REMOVEDIR: u32 = 0x200;
/// The longest symbolic link target `Treadlink` returns in the
/// `mapped-xattr` model (Linux's `PATH_MAX`).
const PATH_MAX: usize = 4096;
/// Tgetattr: the basic fields are valid (`P9_GETATTR_BASIC`).
const GETATTR_BASIC: u64 = 0x7ff;
/// Rlock: the lock was taken.
const LOCK_SUCCESS: u8 = 0;
/// Rgetlock: no lock conflicts (`F_UNLCK`).
const LOCK_TYPE_UNLCK: u8 = 2;

/// A request's failure: a Linux error number for Rlerror.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Error(u32);

impl From<Malformed> for Error {
    fn from(_: Malformed) -> Self {
        Error(EINVAL)
    }
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Self {
        Error(u32::try_from(e.raw_os_error()).unwrap_or(EIO))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error(
            e.raw_os_error()
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(EIO),
        )
    }
}

type Result<T> = std::result::Result<T, Error>;

/// What a fid has open on the host.
#[derive(Debug)]
enum Open {
    /// A regular file.
    File(File),
    /// A directory: Treaddir seeks it to the offset the client gives (the
    /// `d_off` cookie of the last entry it got, as `seekdir` takes).
    Dir(rustix::fs::Dir),
    /// An extended attribute's value, or the list of names (Txattrwalk).
    XattrRead(Vec<u8>),
    /// An extended attribute being written (Txattrcreate).
    XattrWrite(Pending),
}

/// A fid: where it is in the share, and what it has open.
#[derive(Debug)]
struct Fid {
    /// Path components from the share's root; empty for the root.
    path: Vec<Vec<u8>>,
    open: Option<Open>,
    /// The guest user it acts for (Tattach's `n_uname`): the owner of
    /// what it creates in the `mapped-xattr` and `passthrough` models.
    uid: u32,
}

/// What the server has done, for diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// Requests answered.
    pub requests: u64,
    /// Requests answered with Rlerror.
    pub errors: u64,
    /// Malformed or unknown requests.
    pub malformed: u64,
}

/// A 9P2000.L server for one shared directory.
#[derive(Debug)]
pub struct Server {
    root: OwnedFd,
    read_only: bool,
    model: SecurityModel,
    msize: u32,
    fids: HashMap<u32, Fid>,
    open_count: usize,
    stats: ServerStats,
}

impl Server {
    /// A server for the directory `root`; `read_only` refuses every
    /// change with `EROFS`; `model` says how the guest's owners and modes
    /// are kept. The directory is opened here: a path that is not a
    /// readable directory is an error now, not when the guest mounts.
    pub fn new(root: &Path, read_only: bool, model: SecurityModel) -> std::io::Result<Self> {
        let fd = rustix::fs::open(
            root,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Server {
            root: fd,
            read_only,
            model,
            msize: DEFAULT_MSIZE,
            fids: HashMap::new(),
            open_count: 0,
            stats: ServerStats::default(),
        })
    }

    /// What the server has done so far.
    pub fn stats(&self) -> ServerStats {
        self.stats
    }

    /// The negotiated `msize`.
    pub fn msize(&self) -> u32 {
        self.msize
    }

    /// The number of fids in use.
    pub fn fid_count(&self) -> usize {
        self.fids.len()
    }

    /// Forgets every fid (the device was reset).
    pub fn reset(&mut self) {
        self.fids.clear();
        self.open_count = 0;
        self.msize = DEFAULT_MSIZE;
    }

    /// Answers one request. The reply is at most `max_reply` bytes (the
    /// room the driver gave for it, at least [`MIN_REPLY`]) and at most
    /// the negotiated `msize`.
    pub fn handle(&mut self, request: &[u8], max_reply: usize) -> Vec<u8> {
        self.stats.requests += 1;
        let max_reply = max_reply.min(self.msize as usize).max(MIN_REPLY);
        let header = Reader::new(request).bytes(wire::HEADER_LEN).ok();
        let Some(&[s0, s1, s2, s3, kind, t0, t1]) = header else {
            self.stats.malformed += 1;
            self.stats.errors += 1;
            return wire::rlerror(wire::NOTAG, EPROTO);
        };
        let size = u32::from_le_bytes([s0, s1, s2, s3]) as usize;
        let tag = u16::from_le_bytes([t0, t1]);
        if size < wire::HEADER_LEN || size > request.len() {
            self.stats.malformed += 1;
            self.stats.errors += 1;
            return wire::rlerror(tag, EPROTO);
        }
        let mut r = Reader::new(&request[wire::HEADER_LEN..size]);
        let result = self.dispatch(kind, tag, &mut r, max_reply);
        match result {
            Ok(reply) if reply.len() <= max_reply => reply,
            Ok(_) => {
                self.stats.errors += 1;
                wire::rlerror(tag, EPROTO)
            }
            Err(Error(code)) => {
                if code == EOPNOTSUPP || code == EINVAL {
                    self.stats.malformed += 1;
                }
                self.stats.errors += 1;
                wire::rlerror(tag, code)
            }
        }
    }

    fn dispatch(
        &mut self,
        kind: u8,
        tag: u16,
        r: &mut Reader<'_>,
        max_reply: usize,
    ) -> Result<Vec<u8>> {
        let mut w = Writer::new(kind.wrapping_add(1), tag);
        match kind {
            msg::TVERSION => self.version(r, &mut w)?,
            msg::TAUTH => return Err(Error(EOPNOTSUPP)),
            msg::TATTACH => self.attach(r, &mut w)?,
            msg::TFLUSH => {
                r.u16()?;
            }
            msg::TWALK => self.walk(r, &mut w)?,
            msg::TLOPEN => self.lopen(r, &mut w)?,
            msg::TLCREATE => self.lcreate(r, &mut w)?,
            msg::TREAD => self.read(r, &mut w, max_reply)?,
            msg::TWRITE => self.write(r, &mut w)?,
            msg::TCLUNK => {
                let fid = r.u32()?;
                self.clunk(fid)?;
            }
            msg::TREMOVE => self.remove(r)?,
            msg::TGETATTR => self.getattr(r, &mut w)?,
            msg::TSETATTR => self.setattr(r)?,
            msg::TREADDIR => self.readdir(r, &mut w, max_reply)?,
            msg::TMKDIR => self.mkdir(r, &mut w)?,
            msg::TUNLINKAT => self.unlinkat(r)?,
            msg::TRENAMEAT => self.renameat(r)?,
            msg::TRENAME => self.rename(r)?,
            msg::TSTATFS => self.statfs(r, &mut w)?,
            msg::TFSYNC => self.fsync(r)?,
            msg::TREADLINK => self.readlink(r, &mut w)?,
            msg::TSYMLINK => self.symlink(r, &mut w)?,
            msg::TLINK => self.link(r)?,
            msg::TLOCK => {
                let fid = r.u32()?;
                self.fid(fid)?;
                w.u8(LOCK_SUCCESS);
            }
            msg::TGETLOCK => self.getlock(r, &mut w)?,
            msg::TMKNOD => self.mknod(r, &mut w)?,
            msg::TXATTRWALK => self.xattrwalk(r, &mut w)?,
            msg::TXATTRCREATE => self.xattrcreate(r)?,
            _ => return Err(Error(EOPNOTSUPP)),
        }
        Ok(w.finish())
    }

    // ----- fids and paths -----

    fn fid(&self, fid: u32) -> Result<&Fid> {
        self.fids.get(&fid).ok_or(Error(EBADF))
    }

    fn fid_mut(&mut self, fid: u32) -> Result<&mut Fid> {
        self.fids.get_mut(&fid).ok_or(Error(EBADF))
    }

    /// Adds fid `fid` at `path`, acting for the guest user `uid`,
    /// replacing one of the same number (a Twalk to itself), within
    /// [`MAX_FIDS`].
    fn insert_fid(&mut self, fid: u32, path: Vec<Vec<u8>>, uid: u32) -> Result<()> {
        if fid == NOFID {
            return Err(Error(EINVAL));
        }
        if let Some(old) = self.fids.remove(&fid) {
            self.close(old);
        } else if self.fids.len() >= MAX_FIDS {
            return Err(Error(EMFILE));
        }
        self.fids.insert(
            fid,
            Fid {
                path,
                open: None,
                uid,
            },
        );
        Ok(())
    }

    fn close(&mut self, fid: Fid) {
        if fid.open.is_some() {
            self.open_count -= 1;
        }
    }

    /// Forgets `fid`; an attribute written through it is set now (the
    /// fid goes whether that succeeds or not).
    fn clunk(&mut self, fid: u32) -> Result<()> {
        let mut f = self.fids.remove(&fid).ok_or(Error(EBADF))?;
        let pending = match f.open.take() {
            Some(Open::XattrWrite(p)) => Some(p),
            other => {
                f.open = other;
                None
            }
        };
        if pending.is_some() {
            self.open_count -= 1;
        }
        self.close(f);
        if let Some(p) = pending {
            p.commit()?;
        }
        Ok(())
    }

    /// Opens `path` from the root, one component at a time, never
    /// following a symbolic link: an `O_PATH` descriptor of the object
    /// itself (a link's own, if the last component is one).
    fn resolve(&self, path: &[Vec<u8>]) -> Result<OwnedFd> {
        let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mut fd = rustix::fs::openat(&self.root, ".", flags | OFlags::DIRECTORY, Mode::empty())?;
        for name in path {
            fd = rustix::fs::openat(&fd, OsStr::from_bytes(name), flags, Mode::empty())?;
        }
        Ok(fd)
    }

    /// The directory holding `path`'s last component, and that
    /// component's name (`.` for the root itself).
    fn parent(&self, path: &[Vec<u8>]) -> Result<(OwnedFd, Vec<u8>)> {
        match path.split_last() {
            Some((name, dir)) => Ok((self.resolve(dir)?, name.clone())),
            None => Ok((self.resolve(&[])?, b".".to_vec())),
        }
    }

    /// The directory `fid` names, as a descriptor to create or remove in,
    /// and its path.
    fn dir_of(&self, fid: u32) -> Result<(OwnedFd, Vec<Vec<u8>>)> {
        let path = self.fid(fid)?.path.clone();
        let fd = self.resolve(&path)?;
        if rustix::fs::fstat(&fd)?.st_mode & S_IFMT != S_IFDIR {
            return Err(Errno::NOTDIR.into());
        }
        Ok((fd, path))
    }

    fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(Error(EROFS))
        } else {
            Ok(())
        }
    }

    // ----- owners and modes (the security model) -----

    /// The owner, group, mode and device number the guest sees of the
    /// file open as `fd`, whose host `stat` is `s`: the host's, or the
    /// `mapped-xattr` attributes' where they give them.
    fn guest_view(&self, fd: &OwnedFd, s: &Stat) -> Mapped {
        let m = match self.model {
            SecurityModel::MappedXattr => mapped::read(fd),
            _ => Mapped::default(),
        };
        Mapped {
            uid: Some(m.uid.unwrap_or(s.st_uid)),
            gid: Some(m.gid.unwrap_or(s.st_gid)),
            mode: Some(m.mode.unwrap_or(s.st_mode)),
            rdev: Some(m.rdev.unwrap_or(s.st_rdev)),
        }
    }

    /// The file type (`S_IFMT` bits) the guest sees of the file open as
    /// `fd`.
    fn guest_type(&self, fd: &OwnedFd) -> Result<u32> {
        let s = rustix::fs::fstat(fd)?;
        Ok(self.guest_view(fd, &s).mode.unwrap_or(s.st_mode) & S_IFMT)
    }

    /// The host mode to create a file of guest mode `mode` with: the
    /// guest's permissions, or in the `mapped-xattr` model its fixed
    /// `mapped_mode` ([`mapped::FILE_MODE`] or [`mapped::DIR_MODE`]).
    fn host_mode(&self, mode: u32, mapped_mode: u32) -> Mode {
        match self.model {
            SecurityModel::MappedXattr => Mode::from_bits_truncate(mapped_mode),
            _ => file_mode(mode),
        }
    }

    /// Gives the file `name` just created in `dir` its guest owner `uid`,
    /// group `gid`, mode `mode` (file type included) and device number
    /// `rdev`, as the model keeps them; on failure removes it again and
    /// returns the error. (`none` keeps nothing.)
    fn post_create(
        &self,
        dir: &OwnedFd,
        name: &OsStr,
        (uid, gid): (u32, u32),
        mode: u32,
        rdev: Option<u64>,
    ) -> Result<()> {
        let done = match self.model {
            SecurityModel::None => return Ok(()),
            SecurityModel::MappedXattr => rustix::fs::openat(
                dir,
                name,
                OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .and_then(|fd| {
                mapped::write(
                    &fd,
                    &Mapped {
                        uid: Some(uid),
                        gid: Some(gid),
                        mode: Some(mode),
                        rdev,
                    },
                )
            }),
            SecurityModel::Passthrough => rustix::fs::chownat(
                dir,
                name,
                Some(rustix::fs::Uid::from_raw(uid)),
                Some(rustix::fs::Gid::from_raw(gid)),
                AtFlags::SYMLINK_NOFOLLOW,
            )
            .and_then(|()| {
                // The guest's permissions, whatever the host's umask took,
                // and after the chown, which drops set-user-ID bits.
                if mode & S_IFMT == S_IFLNK {
                    return Ok(());
                }
                let fd = rustix::fs::openat(
                    dir,
                    name,
                    OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                )?;
                chmod_fd(&fd, mode)
            }),
        };
        if let Err(e) = done {
            let flags = if mode & S_IFMT == S_IFDIR {
                AtFlags::REMOVEDIR
            } else {
                AtFlags::empty()
            };
            let _ = rustix::fs::unlinkat(dir, name, flags);
            return Err(e.into());
        }
        Ok(())
    }

    // ----- session -----

    fn version(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let msize = r.u32()?;
        let version = r.string()?;
        // A Tversion ends the session: every fid goes.
        self.reset();
        if msize < MIN_MSIZE {
            return Err(Error(EINVAL));
        }
        self.msize = msize.min(MAX_MSIZE);
        w.u32(self.msize);
        if version.starts_with(VERSION) {
            w.string(VERSION);
        } else {
            w.string(b"unknown");
        }
        Ok(())
    }

    fn attach(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        let _afid = r.u32()?;
        let _uname = r.string()?;
        let _aname = r.string()?;
        let n_uname = r.u32()?;
        if self.fids.contains_key(&fid) {
            return Err(Error(EBADF));
        }
        let qid = qid_of(&rustix::fs::fstat(&self.root)?);
        self.insert_fid(fid, Vec::new(), n_uname)?;
        w.qid(qid);
        Ok(())
    }

    fn walk(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        let newfid = r.u32()?;
        let n = r.u16()?;
        if n > MAX_WALK {
            return Err(Error(EINVAL));
        }
        let mut names = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            names.push(r.string()?);
        }
        // A walk from an open fid is allowed (QEMU allows it too): the
        // new fid starts closed.
        let start = self.fid(fid)?;
        if newfid != fid && self.fids.contains_key(&newfid) {
            return Err(Error(EBADF));
        }
        let mut path = start.path.clone();
        let uid = start.uid;
        let mut qids = Vec::with_capacity(names.len());
        let mut fd = self.resolve(&path)?;
        for (i, name) in names.iter().enumerate() {
            let step = if *name == b".." {
                path.pop();
                self.resolve(&path)
            } else {
                check_name(name).and_then(|()| {
                    rustix::fs::openat(
                        &fd,
                        OsStr::from_bytes(name),
                        OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                        Mode::empty(),
                    )
                    .map_err(Error::from)
                })
            };
            match step.and_then(|next| Ok((rustix::fs::fstat(&next)?, next))) {
                Ok((stat, next)) => {
                    if *name != b".." {
                        path.push(name.to_vec());
                    }
                    qids.push(qid_of(&stat));
                    fd = next;
                }
                // The first name failing is an error; a later one ends
                // the walk short, and newfid is not made.
                Err(e) if i == 0 => return Err(e),
                Err(_) => break,
            }
        }
        if qids.len() == names.len() {
            self.insert_fid(newfid, path, uid)?;
        }
        w.u16(u16::try_from(qids.len()).unwrap_or(MAX_WALK));
        for q in qids {
            w.qid(q);
        }
        Ok(())
    }

    // ----- files -----

    fn lopen(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        let flags = r.u32()?;
        let f = self.fid(fid)?;
        if f.open.is_some() {
            return Err(Error(EBADF));
        }
        if self.open_count >= MAX_OPEN {
            return Err(Error(EMFILE));
        }
        let path = f.path.clone();
        let fd = self.resolve(&path)?;
        let stat = rustix::fs::fstat(&fd)?;
        let guest_type = self.guest_type(&fd)?;
        let (parent, name) = self.parent(&path)?;
        let open = match stat.st_mode & S_IFMT {
            S_IFDIR => {
                if flags & DOTL_ACCMODE != 0 {
                    return Err(Error(EISDIR));
                }
                let fd = rustix::fs::openat(
                    &parent,
                    OsStr::from_bytes(&name),
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                )?;
                Open::Dir(rustix::fs::Dir::new(fd)?)
            }
            // A mapped-xattr link or device node is a host regular file:
            // it is refused as the real thing would be.
            S_IFREG if guest_type == S_IFLNK => return Err(Error(ELOOP)),
            S_IFREG if matches!(guest_type, S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK) => {
                return Err(Error(EOPNOTSUPP))
            }
            S_IFREG => {
                if flags & (DOTL_ACCMODE | DOTL_TRUNC | DOTL_APPEND) != 0 {
                    self.writable()?;
                }
                let fd = open_regular(
                    &parent,
                    OsStr::from_bytes(&name),
                    open_flags(flags),
                    Mode::empty(),
                )?;
                Open::File(File::from(fd))
            }
            S_IFLNK => return Err(Error(ELOOP)),
            // Device nodes, FIFOs and sockets are not opened on the host.
            _ => return Err(Error(EOPNOTSUPP)),
        };
        self.fid_mut(fid)?.open = Some(open);
        self.open_count += 1;
        w.qid(qid_of(&stat)).u32(0);
        Ok(())
    }

    fn lcreate(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        let name = r.string()?;
        let flags = r.u32()?;
        let mode = r.u32()?;
        let gid = r.u32()?;
        check_name(name)?;
        self.writable()?;
        if self.fid(fid)?.open.is_some() {
            return Err(Error(EBADF));
        }
        if self.open_count >= MAX_OPEN {
            return Err(Error(EMFILE));
        }
        let (dir, mut path) = self.dir_of(fid)?;
        let uid = self.fid(fid)?.uid;
        let host_name = OsStr::from_bytes(name);
        let oflags = open_flags(flags) | OFlags::CREATE;
        let host_mode = self.host_mode(mode, mapped::FILE_MODE);
        // Whether this request made the file: only then are its owner and
        // mode set, and the file removed again if they cannot be.
        let (fd, created) =
            match rustix::fs::openat(&dir, host_name, oflags | OFlags::EXCL, host_mode) {
                Ok(fd) => (fd, true),
                Err(Errno::EXIST) if flags & DOTL_EXCL == 0 => {
                    (open_regular(&dir, host_name, oflags, host_mode)?, false)
                }
                Err(e) => return Err(e.into()),
            };
        if self.model == SecurityModel::None {
            let _ = rustix::fs::fchown(&fd, None, Some(rustix::fs::Gid::from_raw(gid)));
        } else if created {
            self.post_create(&dir, host_name, (uid, gid), S_IFREG | (mode & 0o7777), None)?;
        }
        let stat = rustix::fs::fstat(&fd)?;
        path.push(name.to_vec());
        let f = self.fid_mut(fid)?;
        f.path = path;
        f.open = Some(Open::File(File::from(fd)));
        self.open_count += 1;
        w.qid(qid_of(&stat)).u32(0);
        Ok(())
    }

    fn read(&mut self, r: &mut Reader<'_>, w: &mut Writer, max_reply: usize) -> Result<()> {
        let fid = r.u32()?;
        let offset = r.u64()?;
        let count = r.u32()? as usize;
        let count = count.min(max_reply.saturating_sub(READ_OVERHEAD));
        let file = match &self.fid(fid)?.open {
            Some(Open::File(file)) => file,
            Some(Open::XattrRead(value)) => {
                let start = usize::try_from(offset)
                    .unwrap_or(usize::MAX)
                    .min(value.len());
                let data = &value[start..value.len().min(start + count)];
                w.u32(u32::try_from(data.len()).unwrap_or(0)).raw(data);
                return Ok(());
            }
            _ => return Err(Error(EBADF)),
        };
        let mut data = vec![0u8; count];
        let mut done = 0;
        while done < count {
            let at = offset.checked_add(done as u64).ok_or(Error(EINVAL))?;
            match file.read_at(&mut data[done..], at) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if done == 0 => return Err(e.into()),
                Err(_) => break,
            }
        }
        w.u32(u32::try_from(done).unwrap_or(0)).raw(&data[..done]);
        Ok(())
    }

    fn write(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        let offset = r.u64()?;
        let count = r.u32()?;
        let data = r.bytes(count as usize)?;
        self.writable()?;
        let file = match &mut self.fid_mut(fid)?.open {
            Some(Open::File(file)) => file,
            Some(Open::XattrWrite(pending)) => {
                pending.write(offset, data)?;
                w.u32(count);
                return Ok(());
            }
            _ => return Err(Error(EBADF)),
        };
        offset.checked_add(u64::from(count)).ok_or(Error(EINVAL))?;
        file.write_all_at(data, offset)?;
        w.u32(count);
        Ok(())
    }

    fn remove(&mut self, r: &mut Reader<'_>) -> Result<()> {
        let fid = r.u32()?;
        let path = self.fid(fid)?.path.clone();
        // Tremove clunks the fid whatever happens.
        self.clunk(fid)?;
        self.writable()?;
        if path.is_empty() {
            return Err(Error(EPERM));
        }
        let (parent, name) = self.parent(&path)?;
        let stat =
            rustix::fs::statat(&parent, OsStr::from_bytes(&name), AtFlags::SYMLINK_NOFOLLOW)?;
        let flags = if stat.st_mode & S_IFMT == S_IFDIR {
            AtFlags::REMOVEDIR
        } else {
            AtFlags::empty()
        };
        rustix::fs::unlinkat(&parent, OsStr::from_bytes(&name), flags)?;
        Ok(())
    }

    fn getattr(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        let _mask = r.u64()?;
        let path = self.fid(fid)?.path.clone();
        let fd = self.resolve(&path)?;
        let s = rustix::fs::fstat(&fd)?;
        let guest = self.guest_view(&fd, &s);
        w.u64(GETATTR_BASIC)
            .qid(qid_of(&s))
            .u32(guest.mode.unwrap_or(s.st_mode))
            .u32(guest.uid.unwrap_or(s.st_uid))
            .u32(guest.gid.unwrap_or(s.st_gid))
            .u64(s.st_nlink as u64)
            .u64(guest.rdev.unwrap_or(s.st_rdev))
            .u64(s.st_size as u64)
            .u64(s.st_blksize as u64)
            .u64(s.st_blocks as u64)
            .u64(s.st_atime as u64)
            .u64(s.st_atime_nsec as u64)
            .u64(s.st_mtime as u64)
            .u64(s.st_mtime_nsec as u64)
            .u64(s.st_ctime as u64)
            .u64(s.st_ctime_nsec as u64)
            .u64(0)
            .u64(0)
            .u64(0)
            .u64(0);
        Ok(())
    }

    fn setattr(&mut self, r: &mut Reader<'_>) -> Result<()> {
        let fid = r.u32()?;
        let valid = r.u32()?;
        let mode = r.u32()?;
        let uid = r.u32()?;
        let gid = r.u32()?;
        let size = r.u64()?;
        let atime = (r.u64()?, r.u64()?);
        let mtime = (r.u64()?, r.u64()?);
        let path = self.fid(fid)?.path.clone();
        if valid & (ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_SIZE | ATTR_ATIME | ATTR_MTIME) != 0 {
            self.writable()?;
        }
        let (parent, name) = self.parent(&path)?;
        let name = OsStr::from_bytes(&name);
        let stat = rustix::fs::statat(&parent, name, AtFlags::SYMLINK_NOFOLLOW)?;
        let is_link = stat.st_mode & S_IFMT == S_IFLNK;
        if self.model == SecurityModel::MappedXattr {
            // The guest's owner, group and mode are attributes; the host
            // file keeps its own.
            let fd = self.resolve(&path)?;
            let mut m = Mapped::default();
            if valid & ATTR_MODE != 0 {
                if is_link {
                    return Err(Error(EOPNOTSUPP));
                }
                let kind = self.guest_type(&fd)?;
                m.mode = Some(kind | (mode & 0o7777));
            }
            m.uid = (valid & ATTR_UID != 0).then_some(uid);
            m.gid = (valid & ATTR_GID != 0).then_some(gid);
            mapped::write(&fd, &m)?;
        } else if valid & ATTR_MODE != 0 {
            // A link has no mode of its own; chmod would follow it.
            if is_link {
                return Err(Error(EOPNOTSUPP));
            }
            rustix::fs::chmodat(&parent, name, file_mode(mode), AtFlags::empty())?;
        }
        if valid & (ATTR_UID | ATTR_GID) != 0 && self.model != SecurityModel::MappedXattr {
            let uid = (valid & ATTR_UID != 0).then(|| rustix::fs::Uid::from_raw(uid));
            let gid = (valid & ATTR_GID != 0).then(|| rustix::fs::Gid::from_raw(gid));
            let done = rustix::fs::chownat(&parent, name, uid, gid, AtFlags::SYMLINK_NOFOLLOW);
            // security_model=none: a chown the host refuses is ignored;
            // passthrough: it fails the request.
            if self.model == SecurityModel::Passthrough {
                done?;
            }
        }
        if valid & ATTR_SIZE != 0 {
            match &self.fid(fid)?.open {
                Some(Open::File(file)) if !is_link => file.set_len(size)?,
                _ => {
                    if stat.st_mode & S_IFMT != S_IFREG {
                        return Err(Error(EINVAL));
                    }
                    let fd = rustix::fs::openat(
                        &parent,
                        name,
                        OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                        Mode::empty(),
                    )?;
                    rustix::fs::ftruncate(&fd, size)?;
                }
            }
        }
        if valid & (ATTR_ATIME | ATTR_MTIME) != 0 {
            let stamp = |set: bool, given: bool, (sec, nsec): (u64, u64)| Timespec {
                tv_sec: if given { sec as i64 } else { 0 },
                tv_nsec: match (set, given) {
                    (false, _) => rustix::fs::UTIME_OMIT,
                    (true, false) => rustix::fs::UTIME_NOW,
                    (true, true) => nsec.min(999_999_999) as _,
                },
            };
            let times = Timestamps {
                last_access: stamp(valid & ATTR_ATIME != 0, valid & ATTR_ATIME_SET != 0, atime),
                last_modification: stamp(
                    valid & ATTR_MTIME != 0,
                    valid & ATTR_MTIME_SET != 0,
                    mtime,
                ),
            };
            rustix::fs::utimensat(&parent, name, &times, AtFlags::SYMLINK_NOFOLLOW)?;
        }
        Ok(())
    }

    fn readdir(&mut self, r: &mut Reader<'_>, w: &mut Writer, max_reply: usize) -> Result<()> {
        let fid = r.u32()?;
        let offset = r.u64()?;
        let count = r.u32()? as usize;
        let room = count.min(max_reply.saturating_sub(READ_OVERHEAD));
        let f = self.fid_mut(fid)?;
        let Some(Open::Dir(dir)) = &mut f.open else {
            return Err(Error(EBADF));
        };
        if offset == 0 {
            dir.rewind();
        } else {
            dir.seek(i64::try_from(offset).map_err(|_| Error(EINVAL))?)?;
        }
        let mut out = Writer::new(0, 0);
        while let Some(entry) = dir.read() {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            // qid[13] offset[8] type[1] name[s]
            if out.len() - wire::HEADER_LEN + 24 + name.len() > room {
                break;
            }
            let dtype = match entry.file_type() {
                FileType::Fifo => 1,
                FileType::CharacterDevice => 2,
                FileType::Directory => DT_DIR,
                FileType::BlockDevice => 6,
                FileType::RegularFile => 8,
                FileType::Symlink => DT_LNK,
                FileType::Socket => 12,
                _ => 0,
            };
            let kind = match dtype {
                DT_DIR => QTDIR,
                DT_LNK => QTSYMLINK,
                _ => QTFILE,
            };
            out.qid(Qid {
                kind,
                version: 0,
                path: entry.ino(),
            })
            .u64(entry.offset() as u64)
            .u8(dtype)
            .string(name);
        }
        let data = out.finish();
        let data = &data[wire::HEADER_LEN..];
        w.u32(u32::try_from(data.len()).unwrap_or(0)).raw(data);
        Ok(())
    }

    fn mkdir(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let dfid = r.u32()?;
        let name = r.string()?;
        let mode = r.u32()?;
        let gid = r.u32()?;
        check_name(name)?;
        self.writable()?;
        let (dir, _) = self.dir_of(dfid)?;
        let uid = self.fid(dfid)?.uid;
        let name = OsStr::from_bytes(name);
        rustix::fs::mkdirat(&dir, name, self.host_mode(mode, mapped::DIR_MODE))?;
        self.post_create(&dir, name, (uid, gid), S_IFDIR | (mode & 0o7777), None)?;
        let stat = rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
        w.qid(qid_of(&stat));
        Ok(())
    }

    fn unlinkat(&mut self, r: &mut Reader<'_>) -> Result<()> {
        let dfid = r.u32()?;
        let name = r.string()?;
        let flags = r.u32()?;
        check_name(name)?;
        self.writable()?;
        let (dir, _) = self.dir_of(dfid)?;
        let at = if flags & DOTL_AT_REMOVEDIR != 0 {
            AtFlags::REMOVEDIR
        } else {
            AtFlags::empty()
        };
        rustix::fs::unlinkat(&dir, OsStr::from_bytes(name), at)?;
        Ok(())
    }

    fn renameat(&mut self, r: &mut Reader<'_>) -> Result<()> {
        let olddir = r.u32()?;
        let oldname = r.string()?;
        let newdir = r.u32()?;
        let newname = r.string()?;
        check_name(oldname)?;
        check_name(newname)?;
        self.writable()?;
        let (from_fd, mut from) = self.dir_of(olddir)?;
        let (to_fd, mut to) = self.dir_of(newdir)?;
        rustix::fs::renameat(
            &from_fd,
            OsStr::from_bytes(oldname),
            &to_fd,
            OsStr::from_bytes(newname),
        )?;
        from.push(oldname.to_vec());
        to.push(newname.to_vec());
        self.moved(&from, &to);
        Ok(())
    }

    fn rename(&mut self, r: &mut Reader<'_>) -> Result<()> {
        let fid = r.u32()?;
        let dfid = r.u32()?;
        let name = r.string()?;
        check_name(name)?;
        self.writable()?;
        let from = self.fid(fid)?.path.clone();
        if from.is_empty() {
            return Err(Error(EINVAL));
        }
        let (from_fd, oldname) = self.parent(&from)?;
        let (to_fd, mut to) = self.dir_of(dfid)?;
        rustix::fs::renameat(
            &from_fd,
            OsStr::from_bytes(&oldname),
            &to_fd,
            OsStr::from_bytes(name),
        )?;
        to.push(name.to_vec());
        self.moved(&from, &to);
        Ok(())
    }

    /// After a rename of `from` to `to`: the fids at or below `from` follow.
    fn moved(&mut self, from: &[Vec<u8>], to: &[Vec<u8>]) {
        for f in self.fids.values_mut() {
            if f.path.starts_with(from) {
                let rest = f.path.split_off(from.len());
                f.path = to.iter().cloned().chain(rest).collect();
            }
        }
    }

    fn statfs(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        self.fid(fid)?;
        let s = rustix::fs::fstatfs(&self.root)?;
        let dev = rustix::fs::fstat(&self.root)?.st_dev;
        w.u32(low_u32(s.f_type as u64))
            .u32(low_u32(s.f_bsize as u64))
            .u64(s.f_blocks)
            .u64(s.f_bfree)
            .u64(s.f_bavail)
            .u64(s.f_files)
            .u64(s.f_ffree)
            .u64(dev as u64)
            .u32(low_u32(s.f_namelen as u64));
        Ok(())
    }

    fn fsync(&mut self, r: &mut Reader<'_>) -> Result<()> {
        let fid = r.u32()?;
        let datasync = r.u32()?;
        match &self.fid(fid)?.open {
            Some(Open::File(file)) if datasync != 0 => file.sync_data()?,
            Some(Open::File(file)) => file.sync_all()?,
            Some(Open::Dir(dir)) => rustix::fs::fsync(dir.fd()?)?,
            Some(Open::XattrRead(_) | Open::XattrWrite(_)) | None => return Err(Error(EBADF)),
        }
        Ok(())
    }

    fn readlink(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        let path = self.fid(fid)?.path.clone();
        if self.model == SecurityModel::MappedXattr {
            w.string(&self.mapped_link_target(&path)?);
            return Ok(());
        }
        let (parent, name) = self.parent(&path)?;
        let target = rustix::fs::readlinkat(&parent, OsStr::from_bytes(&name), Vec::new())?;
        w.string(target.as_bytes());
        Ok(())
    }

    /// The target of the `mapped-xattr` symbolic link at `path`: the
    /// contents of the regular file that stands for it, at most
    /// [`PATH_MAX`] bytes. A real host link is `ELOOP` (as on QEMU, which
    /// opens the file without following it), anything else `EINVAL`.
    fn mapped_link_target(&self, path: &[Vec<u8>]) -> Result<Vec<u8>> {
        use std::io::Read;
        let fd = self.resolve(path)?;
        let host = rustix::fs::fstat(&fd)?;
        match host.st_mode & S_IFMT {
            S_IFLNK => return Err(Error(ELOOP)),
            S_IFREG if self.guest_type(&fd)? == S_IFLNK => {}
            _ => return Err(Error(EINVAL)),
        }
        // Reopened through the descriptor the confined walk gave: the
        // very regular file just checked.
        let file = File::from(reopen(&fd, OFlags::RDONLY)?);
        let mut target = Vec::new();
        file.take(PATH_MAX as u64).read_to_end(&mut target)?;
        Ok(target)
    }

    fn symlink(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let dfid = r.u32()?;
        let name = r.string()?;
        let target = r.string()?;
        let gid = r.u32()?;
        check_name(name)?;
        if target.is_empty() || target.contains(&0) {
            return Err(Error(EINVAL));
        }
        self.writable()?;
        let (dir, _) = self.dir_of(dfid)?;
        let uid = self.fid(dfid)?.uid;
        let name = OsStr::from_bytes(name);
        if self.model == SecurityModel::MappedXattr {
            // A regular file holding the target, which only Treadlink reads.
            let fd = rustix::fs::openat(
                &dir,
                name,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_bits_truncate(mapped::FILE_MODE),
            )?;
            if let Err(e) = File::from(fd).write_all_at(target, 0) {
                let _ = rustix::fs::unlinkat(&dir, name, AtFlags::empty());
                return Err(e.into());
            }
        } else {
            // The link's target is only text to the host: it is never followed.
            rustix::fs::symlinkat(OsStr::from_bytes(target), &dir, name)?;
        }
        self.post_create(&dir, name, (uid, gid), S_IFLNK | 0o777, None)?;
        let stat = rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
        w.qid(qid_of(&stat));
        Ok(())
    }

    fn mknod(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let dfid = r.u32()?;
        let name = r.string()?;
        let mode = r.u32()?;
        let major = r.u32()?;
        let minor = r.u32()?;
        let gid = r.u32()?;
        check_name(name)?;
        self.writable()?;
        let kind = match mode & S_IFMT {
            0 | S_IFREG => S_IFREG,
            k @ (S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK) => k,
            _ => return Err(Error(EINVAL)),
        };
        let mode = kind | (mode & 0o7777);
        let rdev = rustix::fs::makedev(major, minor);
        let (dir, _) = self.dir_of(dfid)?;
        let uid = self.fid(dfid)?.uid;
        let name = OsStr::from_bytes(name);
        if self.model == SecurityModel::MappedXattr {
            // A regular file carrying the type in its mode attribute.
            rustix::fs::openat(
                &dir,
                name,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_bits_truncate(mapped::FILE_MODE),
            )?;
            self.post_create(&dir, name, (uid, gid), mode, Some(rdev))?;
        } else {
            rustix::fs::mknodat(
                &dir,
                name,
                FileType::from_raw_mode(mode as _),
                file_mode(mode),
                rdev,
            )?;
            if self.model == SecurityModel::None {
                let gid = Some(rustix::fs::Gid::from_raw(gid));
                let _ = rustix::fs::chownat(&dir, name, None, gid, AtFlags::SYMLINK_NOFOLLOW);
            } else {
                self.post_create(&dir, name, (uid, gid), mode, None)?;
            }
        }
        let stat = rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
        w.qid(qid_of(&stat));
        Ok(())
    }

    fn link(&mut self, r: &mut Reader<'_>) -> Result<()> {
        let dfid = r.u32()?;
        let fid = r.u32()?;
        let name = r.string()?;
        check_name(name)?;
        self.writable()?;
        let path = self.fid(fid)?.path.clone();
        if path.is_empty() {
            return Err(Error(EPERM));
        }
        let (dir, _) = self.dir_of(dfid)?;
        let (parent, oldname) = self.parent(&path)?;
        rustix::fs::linkat(
            &parent,
            OsStr::from_bytes(&oldname),
            &dir,
            OsStr::from_bytes(name),
            AtFlags::empty(),
        )?;
        Ok(())
    }

    /// The attributes the guest may not see or change: the
    /// `mapped-xattr` model's own.
    fn hidden_xattrs(&self) -> Option<&'static [u8]> {
        (self.model == SecurityModel::MappedXattr).then_some(mapped::PREFIX)
    }

    /// Whether the guest may read or write the extended attribute `name`
    /// on the host: any in `passthrough` (the guest acts with the host's
    /// credentials there), only `user.*` otherwise. The other namespaces
    /// change what the host grants (`system.posix_acl_*` its access
    /// control lists, `security.capability` a program's capabilities,
    /// `trusted.*` root's own data), which a guest of the `none` and
    /// mapped models must not; QEMU keeps guest ACLs apart too (in mapped
    /// mode under `user.virtfs.`, which rivet does not implement). They
    /// answer EOPNOTSUPP, as a file system without them would.
    fn guest_may_use_xattr(&self, name: &[u8]) -> bool {
        self.model == SecurityModel::Passthrough || name.starts_with(b"user.")
    }

    fn xattrwalk(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        let newfid = r.u32()?;
        let name = r.string()?;
        let f = self.fid(fid)?;
        let (path, uid) = (f.path.clone(), f.uid);
        if newfid != fid && self.fids.contains_key(&newfid) {
            return Err(Error(EBADF));
        }
        if self.open_count >= MAX_OPEN {
            return Err(Error(EMFILE));
        }
        let fd = self.resolve(&path)?;
        let hidden = self.hidden_xattrs();
        let value = if name.is_empty() {
            xattr::list(&fd, hidden)?
        } else if hidden.is_some_and(|h| name.starts_with(h)) {
            // As if absent (ENODATA, Linux's ENOATTR).
            return Err(Errno::NODATA.into());
        } else if !self.guest_may_use_xattr(name) {
            return Err(Error(EOPNOTSUPP));
        } else {
            xattr::get(&fd, name)?
        };
        w.u64(value.len() as u64);
        self.insert_fid(newfid, path, uid)?;
        self.fid_mut(newfid)?.open = Some(Open::XattrRead(value));
        self.open_count += 1;
        Ok(())
    }

    fn xattrcreate(&mut self, r: &mut Reader<'_>) -> Result<()> {
        let fid = r.u32()?;
        let name = r.string()?;
        let size = r.u64()?;
        let flags = r.u32()?;
        self.writable()?;
        let f = self.fid(fid)?;
        if f.open.is_some() {
            return Err(Error(EBADF));
        }
        if name.is_empty() || name.contains(&0) {
            return Err(Error(EINVAL));
        }
        if self.hidden_xattrs().is_some_and(|h| name.starts_with(h)) {
            // QEMU 7.2 refuses these with EACCES (measured: setfattr -n
            // user.virtfs.uid and setfattr -x both say "Permission denied").
            return Err(Errno::ACCESS.into());
        }
        if !self.guest_may_use_xattr(name) {
            return Err(Error(EOPNOTSUPP));
        }
        if self.open_count >= MAX_OPEN {
            return Err(Error(EMFILE));
        }
        let fd = self.resolve(&f.path.clone())?;
        let pending = Pending::new(fd, name, size, flags)?;
        self.fid_mut(fid)?.open = Some(Open::XattrWrite(pending));
        self.open_count += 1;
        Ok(())
    }

    fn getlock(&mut self, r: &mut Reader<'_>, w: &mut Writer) -> Result<()> {
        let fid = r.u32()?;
        let _kind = r.u8()?;
        let start = r.u64()?;
        let length = r.u64()?;
        let proc_id = r.u32()?;
        let client_id = r.string()?;
        self.fid(fid)?;
        // Locks are the guest's own business (as QEMU's local backend):
        // nothing ever conflicts.
        w.u8(LOCK_TYPE_UNLCK)
            .u64(start)
            .u64(length)
            .u32(proc_id)
            .string(client_id);
        Ok(())
    }
}

const S_IFMT: u32 = 0o170_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFREG: u32 = 0o100_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFCHR: u32 = 0o020_000;
const S_IFBLK: u32 = 0o060_000;
const S_IFIFO: u32 = 0o010_000;
const S_IFSOCK: u32 = 0o140_000;
const DT_DIR: u8 = 4;
const DT_LNK: u8 = 10;

/// A name a request gives for a new or existing entry of a directory:
/// one component, never `.` or `..`.
fn check_name(name: &[u8]) -> Result<()> {
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') || name.contains(&0)
    {
        return Err(Error(EINVAL));
    }
    Ok(())
}

/// The host open flags for 9P2000.L `flags`: the access mode, truncate
/// and append; never following a link, never a controlling terminal.
fn open_flags(flags: u32) -> OFlags {
    let mut o = match flags & DOTL_ACCMODE {
        DOTL_WRONLY => OFlags::WRONLY,
        DOTL_RDWR => OFlags::RDWR,
        _ => OFlags::RDONLY,
    };
    if flags & DOTL_TRUNC != 0 {
        o |= OFlags::TRUNC;
    }
    if flags & DOTL_APPEND != 0 {
        o |= OFlags::APPEND;
    }
    o | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NOCTTY
}

/// Opens `name` in `dir` with `flags` if it is a regular file: opened
/// without blocking (a FIFO put there by the guest, or swapped in by the
/// host between a check and the open, would otherwise block the one thread
/// that runs the guest until a writer came), refused with `EOPNOTSUPP`
/// unless regular (as device nodes, FIFOs and sockets are), then made
/// blocking again.
fn open_regular(dir: &OwnedFd, name: &OsStr, flags: OFlags, mode: Mode) -> Result<OwnedFd> {
    let fd = rustix::fs::openat(dir, name, flags | OFlags::NONBLOCK, mode)?;
    if rustix::fs::fstat(&fd)?.st_mode & S_IFMT != S_IFREG {
        return Err(Error(EOPNOTSUPP));
    }
    let blocking = rustix::fs::fcntl_getfl(&fd)? - OFlags::NONBLOCK;
    rustix::fs::fcntl_setfl(&fd, blocking)?;
    Ok(fd)
}

/// The permission bits of a mode a request gives.
fn file_mode(mode: u32) -> Mode {
    Mode::from_bits_truncate(mode & 0o7777)
}

/// Sets the permission bits of the file open (`O_PATH` will do) as `fd`
/// to those of `mode`, through `/proc/self/fd` (`fchmod` refuses an
/// `O_PATH` descriptor): the file the confined walk reached, never
/// another. `fd` is never a symbolic link here.
fn chmod_fd(fd: &OwnedFd, mode: u32) -> std::result::Result<(), Errno> {
    rustix::fs::chmod(mapped::proc_path(fd).as_str(), file_mode(mode))
}

/// A new descriptor, opened with `flags`, of the file open (`O_PATH`
/// will do) as `fd`, through `/proc/self/fd`: the same file, never a
/// name that might have changed.
fn reopen(fd: &OwnedFd, flags: OFlags) -> std::result::Result<OwnedFd, Errno> {
    rustix::fs::open(
        mapped::proc_path(fd).as_str(),
        flags | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

fn qid_of(s: &Stat) -> Qid {
    let kind = match s.st_mode & S_IFMT {
        S_IFDIR => QTDIR,
        S_IFLNK => QTSYMLINK,
        _ => QTFILE,
    };
    Qid {
        kind,
        version: 0,
        path: s.st_ino,
    }
}

#[cfg(test)]
mod tests;
