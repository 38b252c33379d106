//! The server on messages, as Linux's v9fs sends them, and on hostile ones.

#![expect(
    clippy::cast_possible_truncation,
    reason = "counts, fids and lengths here are small; the random bytes are cut on purpose"
)]

use std::path::PathBuf;

use super::*;

const ENOENT: u32 = 2;
const ENOTDIR: u32 = 20;

/// A temporary folder with a `share/` inside it (the shared folder) and
/// a `secret` file beside the share, outside it.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("share")).unwrap();
        std::fs::write(dir.path().join("secret"), b"outside").unwrap();
        Scratch { dir }
    }

    fn share(&self) -> PathBuf {
        self.dir.path().join("share")
    }
}

/// A client that sends messages and decodes the replies.
struct Client {
    server: Server,
    tag: u16,
}

/// A decoded reply: its type and fields.
struct Reply {
    kind: u8,
    body: Vec<u8>,
}

impl Reply {
    fn reader(&self) -> Reader<'_> {
        Reader::new(&self.body)
    }

    /// The error number of an Rlerror (panics on anything else).
    fn errno(&self) -> u32 {
        assert_eq!(self.kind, msg::RLERROR, "expected Rlerror");
        self.reader().u32().unwrap()
    }

    fn ok(self, kind: u8) -> Self {
        if self.kind == msg::RLERROR {
            panic!("Rlerror {} for T{}", self.errno(), kind - 1);
        }
        assert_eq!(self.kind, kind);
        self
    }
}

impl Client {
    fn new(root: &std::path::Path, read_only: bool) -> Self {
        Self::with_model(root, read_only, SecurityModel::None, 0)
    }

    /// A client of a server with the security model `model`, attached as
    /// the guest user `uid`.
    fn with_model(root: &std::path::Path, read_only: bool, model: SecurityModel, uid: u32) -> Self {
        let mut c = Client {
            server: Server::new(root, read_only, model).unwrap(),
            tag: 0,
        };
        let mut w = Writer::new(msg::TVERSION, wire::NOTAG);
        w.u32(128 * 1024).string(b"9P2000.L");
        let r = c.send(w, 1 << 20).ok(msg::TVERSION + 1);
        let mut rd = r.reader();
        assert_eq!(rd.u32(), Ok(128 * 1024));
        assert_eq!(rd.string(), Ok(&b"9P2000.L"[..]));
        let mut w = c.msg(msg::TATTACH);
        w.u32(0).u32(NOFID).string(b"root").string(b"").u32(uid);
        c.send(w, 1 << 20).ok(msg::TATTACH + 1);
        c
    }

    fn msg(&mut self, kind: u8) -> Writer {
        self.tag = self.tag.wrapping_add(1) % 0xfff0;
        Writer::new(kind, self.tag)
    }

    fn send_raw(&mut self, bytes: &[u8], room: usize) -> Reply {
        let reply = self.server.handle(bytes, room);
        assert!(
            reply.len() <= room.max(MIN_REPLY),
            "reply larger than its room"
        );
        let size = u32::from_le_bytes(reply[..4].try_into().unwrap()) as usize;
        assert_eq!(size, reply.len());
        Reply {
            kind: reply[4],
            body: reply[7..].to_vec(),
        }
    }

    fn send(&mut self, w: Writer, room: usize) -> Reply {
        let bytes = w.finish();
        self.send_raw(&bytes, room)
    }

    /// Twalk from fid 0 (the root) to `newfid` through `names`.
    fn walk(&mut self, from: u32, newfid: u32, names: &[&[u8]]) -> Reply {
        let mut w = self.msg(msg::TWALK);
        w.u32(from).u32(newfid).u16(names.len() as u16);
        for n in names {
            w.string(n);
        }
        self.send(w, 8192)
    }

    /// Twalk's qid count (the walk's reach), or the Rlerror number.
    fn walk_len(
        &mut self,
        from: u32,
        newfid: u32,
        names: &[&[u8]],
    ) -> std::result::Result<u16, u32> {
        let r = self.walk(from, newfid, names);
        if r.kind == msg::RLERROR {
            return Err(r.errno());
        }
        Ok(r.reader().u16().unwrap())
    }

    fn lopen(&mut self, fid: u32, flags: u32) -> Reply {
        let mut w = self.msg(msg::TLOPEN);
        w.u32(fid).u32(flags);
        self.send(w, 8192)
    }

    fn read(&mut self, fid: u32, offset: u64, count: u32, room: usize) -> Reply {
        let mut w = self.msg(msg::TREAD);
        w.u32(fid).u64(offset).u32(count);
        self.send(w, room)
    }

    fn clunk(&mut self, fid: u32) -> Reply {
        let mut w = self.msg(msg::TCLUNK);
        w.u32(fid);
        self.send(w, 8192)
    }

    /// The whole contents of the file at `names`, through fid 99.
    fn cat(&mut self, names: &[&[u8]]) -> std::result::Result<Vec<u8>, u32> {
        let r = self.walk(0, 99, names);
        if r.kind == msg::RLERROR {
            return Err(r.errno());
        }
        if usize::from(r.reader().u16().unwrap()) != names.len() {
            return Err(ENOENT);
        }
        let r = self.lopen(99, 0);
        if r.kind == msg::RLERROR {
            let e = r.errno();
            self.clunk(99);
            return Err(e);
        }
        let r = self.read(99, 0, 4096, 8192).ok(msg::TREAD + 1);
        self.clunk(99).ok(msg::TCLUNK + 1);
        let mut rd = r.reader();
        let n = rd.u32().unwrap();
        Ok(rd.bytes(n as usize).unwrap().to_vec())
    }
}

#[test]
fn a_file_in_the_share_is_read() {
    let s = Scratch::new();
    std::fs::write(s.share().join("hello"), b"hello, guest\n").unwrap();
    let mut c = Client::new(&s.share(), false);
    assert_eq!(c.cat(&[b"hello"]), Ok(b"hello, guest\n".to_vec()));
    assert_eq!(c.cat(&[b"missing"]), Err(ENOENT));
}

/// `..` never leaves the share: at the root it stays at the root, as a
/// chroot's does, so `../secret` is not found and `..` has the root's qid.
#[test]
fn dot_dot_does_not_walk_out_of_the_share() {
    let s = Scratch::new();
    let mut c = Client::new(&s.share(), false);
    assert_eq!(c.cat(&[b"..", b"secret"]), Err(ENOENT));
    assert_eq!(c.cat(&[b"..", b"..", b"..", b"secret"]), Err(ENOENT));
    let root = c.walk(0, 1, &[]).ok(msg::TWALK + 1);
    assert_eq!(root.reader().u16(), Ok(0));
    let up = c.walk(0, 2, &[b".."]).ok(msg::TWALK + 1);
    let mut r = up.reader();
    assert_eq!(r.u16(), Ok(1));
    let qid = (r.u8().unwrap(), r.u32().unwrap(), r.u64().unwrap());
    let root_ino = std::fs::metadata(s.share()).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(qid, (QTDIR, 0, root_ino.ino()));
    // A walk from a subdirectory goes up to the root and no further.
    std::fs::create_dir(s.share().join("sub")).unwrap();
    std::fs::write(s.share().join("top"), b"top").unwrap();
    c.walk(0, 3, &[b"sub"]).ok(msg::TWALK + 1);
    assert_eq!(c.walk_len(3, 4, &[b"..", b"top"]), Ok(2));
    assert_eq!(c.walk_len(3, 5, &[b"..", b"..", b"secret"]), Ok(2));
    // A name with a slash is not a name.
    assert_eq!(c.walk_len(0, 6, &[b"../secret"]), Err(EINVAL));
    assert_eq!(c.walk_len(0, 6, &[b"sub/../../secret"]), Err(EINVAL));
}

/// An absolute symlink to /etc: the walk stops at the link (its own qid,
/// a symlink's), opening it fails, and nothing under it is reachable.
#[test]
fn an_absolute_symlink_out_of_the_share_is_not_followed() {
    let s = Scratch::new();
    std::os::unix::fs::symlink("/etc", s.share().join("etc")).unwrap();
    std::os::unix::fs::symlink(s.dir.path().join("secret"), s.share().join("escape")).unwrap();
    let mut c = Client::new(&s.share(), false);
    // Through the link: the walk ends after it (one qid), no fid made.
    assert_eq!(c.walk_len(0, 1, &[b"etc", b"passwd"]), Ok(1));
    assert_eq!(c.clunk(1).errno(), EBADF);
    assert_eq!(c.cat(&[b"etc", b"passwd"]), Err(ENOENT));
    // The link itself: a symlink qid, unopenable, its target readable.
    let r = c.walk(0, 2, &[b"escape"]).ok(msg::TWALK + 1);
    let mut rd = r.reader();
    assert_eq!(rd.u16(), Ok(1));
    assert_eq!(rd.u8(), Ok(QTSYMLINK));
    assert_eq!(c.lopen(2, 0).errno(), ELOOP);
    let mut w = c.msg(msg::TREADLINK);
    w.u32(2);
    let r = c.send(w, 8192).ok(msg::TREADLINK + 1);
    let target = s.dir.path().join("secret");
    assert_eq!(r.reader().string(), Ok(target.as_os_str().as_bytes()));
    assert_eq!(c.cat(&[b"escape"]), Err(ELOOP));
    // Setting its mode would follow it: refused; the secret is untouched.
    let mut w = c.msg(msg::TSETATTR);
    w.u32(2)
        .u32(ATTR_MODE | ATTR_SIZE)
        .u32(0o777)
        .u32(0)
        .u32(0)
        .u64(0);
    w.u64(0).u64(0).u64(0).u64(0);
    assert_eq!(c.send(w, 8192).errno(), EOPNOTSUPP);
    let mut w = c.msg(msg::TSETATTR);
    w.u32(2).u32(ATTR_SIZE).u32(0).u32(0).u32(0).u64(0);
    w.u64(0).u64(0).u64(0).u64(0);
    assert_eq!(c.send(w, 8192).errno(), EINVAL);
    assert_eq!(
        std::fs::read(s.dir.path().join("secret")).unwrap(),
        b"outside"
    );
}

/// A chain of links, relative ones climbing out and one to a directory
/// inside the share: none is followed on the host.
#[test]
fn a_symlink_chain_is_not_followed() {
    let s = Scratch::new();
    std::fs::create_dir(s.share().join("dir")).unwrap();
    std::fs::write(s.share().join("dir/file"), b"inside").unwrap();
    std::os::unix::fs::symlink("b", s.share().join("a")).unwrap();
    std::os::unix::fs::symlink("../secret", s.share().join("b")).unwrap();
    std::os::unix::fs::symlink("dir", s.share().join("dirlink")).unwrap();
    let mut c = Client::new(&s.share(), false);
    assert_eq!(c.cat(&[b"a"]), Err(ELOOP));
    assert_eq!(c.cat(&[b"b"]), Err(ELOOP));
    assert_eq!(c.walk_len(0, 1, &[b"a", b"x"]), Ok(1));
    assert_eq!(c.walk_len(0, 1, &[b"dirlink", b"file"]), Ok(1));
    assert_eq!(c.cat(&[b"dir", b"file"]), Ok(b"inside".to_vec()));
    // A symlink the guest makes is only text on the host.
    let mut w = c.msg(msg::TSYMLINK);
    w.u32(0).string(b"new").string(b"/etc/passwd").u32(0);
    c.send(w, 8192).ok(msg::TSYMLINK + 1);
    assert_eq!(c.cat(&[b"new"]), Err(ELOOP));
    assert_eq!(
        std::fs::read_link(s.share().join("new")).unwrap(),
        PathBuf::from("/etc/passwd")
    );
    // Walking through a regular file is not a directory either.
    assert_eq!(c.walk_len(0, 1, &[b"dir", b"file", b"x"]), Ok(2));
    assert_eq!(c.walk_len(0, 1, &[b"dirlink", b"x"]), Ok(1));
    let _ = ENOTDIR;
}

/// Tread's count is cut to what msize and the reply buffer hold.
#[test]
fn a_huge_read_count_is_bounded_by_msize_and_the_buffer() {
    let s = Scratch::new();
    let big = vec![0x5a; 1 << 20];
    std::fs::write(s.share().join("big"), &big).unwrap();
    let mut c = Client::new(&s.share(), false);
    c.walk(0, 1, &[b"big"]).ok(msg::TWALK + 1);
    c.lopen(1, 0).ok(msg::TLOPEN + 1);
    let r = c.read(1, 0, u32::MAX, usize::MAX).ok(msg::TREAD + 1);
    let n = r.reader().u32().unwrap() as usize;
    assert_eq!(n, 128 * 1024 - READ_OVERHEAD);
    assert_eq!(r.body.len(), 4 + n);
    let r = c.read(1, 0, u32::MAX, 1000).ok(msg::TREAD + 1);
    assert_eq!(r.reader().u32(), Ok(1000 - READ_OVERHEAD as u32));
    // An offset past the host's range is the host's EINVAL, no overflow.
    assert_eq!(c.read(1, u64::MAX, u32::MAX, 8192).errno(), EINVAL);
    // Past the end of the file: nothing.
    let r = c.read(1, 2 << 20, u32::MAX, 8192).ok(msg::TREAD + 1);
    assert_eq!(r.reader().u32(), Ok(0));
    // A Twrite whose count runs past the message is malformed.
    let mut w = c.msg(msg::TWRITE);
    w.u32(1).u64(0).u32(u32::MAX).raw(b"abc");
    assert_eq!(c.send(w, 8192).errno(), EINVAL);
    // msize itself is bounded.
    let mut w = c.msg(msg::TVERSION);
    w.u32(u32::MAX).string(b"9P2000.L");
    let r = c.send(w, 8192).ok(msg::TVERSION + 1);
    assert_eq!(r.reader().u32(), Ok(MAX_MSIZE));
}

/// Unknown types, truncated messages and lying sizes: an Rlerror each.
#[test]
fn malformed_and_unknown_messages_get_rlerror() {
    let s = Scratch::new();
    let mut c = Client::new(&s.share(), false);
    // Unknown type (and a legacy 9P2000 Topen, 112, which .L lacks).
    for kind in [0u8, 99, 112, 200, 255] {
        let w = c.msg(kind);
        assert_eq!(c.send(w, 8192).errno(), EOPNOTSUPP, "type {kind}");
    }
    // Truncated bodies.
    for kind in [
        msg::TWALK,
        msg::TLOPEN,
        msg::TREAD,
        msg::TGETATTR,
        msg::TLCREATE,
        msg::TSETATTR,
    ] {
        let mut w = c.msg(kind);
        w.u16(0);
        assert_eq!(c.send(w, 8192).errno(), EINVAL, "type {kind}");
    }
    // Twalk with more than 16 names.
    let names: Vec<&[u8]> = vec![b"x"; 17];
    assert_eq!(c.walk(0, 1, &names).errno(), EINVAL);
    // A short header, a size beyond the buffer, a size under the header.
    assert_eq!(c.send_raw(&[1, 2, 3], 8192).errno(), EPROTO);
    assert_eq!(
        c.send_raw(&[100, 0, 0, 0, 120, 1, 0, 0, 0, 0, 0], 8192)
            .errno(),
        EPROTO
    );
    assert_eq!(c.send_raw(&[3, 0, 0, 0, 120, 1, 0], 8192).errno(), EPROTO);
    // Random bytes never panic and always get a well-formed reply.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 64) as usize;
        let mut bytes: Vec<u8> = (0..len)
            .map(|i| (x >> (i % 8 * 8)) as u8 ^ i as u8)
            .collect();
        if len >= 7 {
            bytes[..4].copy_from_slice(&(len as u32).to_le_bytes());
            bytes[4] = [
                msg::TWALK,
                msg::TREAD,
                msg::TLCREATE,
                msg::TMKDIR,
                msg::TRENAMEAT,
                msg::TSETATTR,
            ][(x >> 40) as usize % 6];
        }
        c.send_raw(&bytes, 512);
    }
    assert_eq!(std::fs::read_dir(s.share()).unwrap().count(), 0);
}

/// Fids are bounded: past MAX_FIDS a walk gets EMFILE; a clunk frees one.
#[test]
fn fids_are_bounded() {
    let s = Scratch::new();
    let mut c = Client::new(&s.share(), false);
    for fid in 1..MAX_FIDS as u32 {
        c.walk(0, fid, &[]).ok(msg::TWALK + 1);
    }
    assert_eq!(c.server.fid_count(), MAX_FIDS);
    assert_eq!(c.walk(0, MAX_FIDS as u32, &[]).errno(), EMFILE);
    // Walking a fid onto itself replaces it: still allowed.
    c.walk(5, 5, &[]).ok(msg::TWALK + 1);
    c.clunk(7).ok(msg::TCLUNK + 1);
    c.walk(0, MAX_FIDS as u32, &[]).ok(msg::TWALK + 1);
    // NOFID is never a fid; a new Tversion drops them all.
    assert_eq!(c.walk(0, NOFID, &[]).errno(), EINVAL);
    let mut w = c.msg(msg::TVERSION);
    w.u32(8192).string(b"9P2000.L");
    c.send(w, 8192).ok(msg::TVERSION + 1);
    assert_eq!(c.server.fid_count(), 0);
    // Open files are bounded too.
    let mut c = Client::new(&s.share(), false);
    std::fs::write(s.share().join("f"), b"").unwrap();
    for fid in 1..=MAX_OPEN as u32 {
        c.walk(0, fid, &[b"f"]).ok(msg::TWALK + 1);
        c.lopen(fid, 0).ok(msg::TLOPEN + 1);
    }
    c.walk(0, 1000, &[b"f"]).ok(msg::TWALK + 1);
    assert_eq!(c.lopen(1000, 0).errno(), EMFILE);
    c.clunk(1).ok(msg::TCLUNK + 1);
    c.lopen(1000, 0).ok(msg::TLOPEN + 1);
}

/// What `echo > f; mkdir d; ls; mv; rm` does, message by message.
#[test]
fn create_write_mkdir_readdir_rename_and_unlink() {
    let s = Scratch::new();
    let mut c = Client::new(&s.share(), false);
    // Tlcreate turns the directory fid into the new, open file.
    c.walk(0, 1, &[]).ok(msg::TWALK + 1);
    let mut w = c.msg(msg::TLCREATE);
    w.u32(1).string(b"note").u32(DOTL_RDWR).u32(0o644).u32(0);
    c.send(w, 8192).ok(msg::TLCREATE + 1);
    let mut w = c.msg(msg::TWRITE);
    w.u32(1).u64(0).u32(5).raw(b"hello");
    let r = c.send(w, 8192).ok(msg::TWRITE + 1);
    assert_eq!(r.reader().u32(), Ok(5));
    c.clunk(1).ok(msg::TCLUNK + 1);
    assert_eq!(std::fs::read(s.share().join("note")).unwrap(), b"hello");
    // Names with a slash, or dot names, are refused.
    for bad in [&b"a/b"[..], b"..", b".", b"", b"x\0y"] {
        let mut w = c.msg(msg::TMKDIR);
        w.u32(0).string(bad).u32(0o755).u32(0);
        assert_eq!(c.send(w, 8192).errno(), EINVAL);
    }
    let mut w = c.msg(msg::TMKDIR);
    w.u32(0).string(b"dir").u32(0o755).u32(0);
    let r = c.send(w, 8192).ok(msg::TMKDIR + 1);
    assert_eq!(r.reader().u8(), Ok(QTDIR));
    assert!(s.share().join("dir").is_dir());
    // Readdir: ".", "..", "dir", "note", in some order.
    c.walk(0, 2, &[]).ok(msg::TWALK + 1);
    c.lopen(2, 0).ok(msg::TLOPEN + 1);
    let mut names = Vec::new();
    let mut offset = 0;
    loop {
        // A small count: several rounds.
        let mut w = c.msg(msg::TREADDIR);
        w.u32(2).u64(offset).u32(40);
        let r = c.send(w, 8192).ok(msg::TREADDIR + 1);
        let mut rd = r.reader();
        let n = rd.u32().unwrap();
        if n == 0 {
            break;
        }
        let mut data = Reader::new(rd.bytes(n as usize).unwrap());
        while let Ok(_kind) = data.u8() {
            data.u32().unwrap();
            data.u64().unwrap();
            offset = data.u64().unwrap();
            data.u8().unwrap();
            names.push(data.string().unwrap().to_vec());
        }
    }
    names.sort();
    assert_eq!(names, [&b"."[..], b"..", b"dir", b"note"]);
    // Trenameat moves the file into dir; a fid on it follows.
    c.walk(0, 3, &[b"note"]).ok(msg::TWALK + 1);
    c.walk(0, 4, &[b"dir"]).ok(msg::TWALK + 1);
    let mut w = c.msg(msg::TRENAMEAT);
    w.u32(0).string(b"note").u32(4).string(b"moved");
    c.send(w, 8192).ok(msg::TRENAMEAT + 1);
    assert_eq!(
        std::fs::read(s.share().join("dir/moved")).unwrap(),
        b"hello"
    );
    c.lopen(3, 0).ok(msg::TLOPEN + 1);
    let r = c.read(3, 0, 100, 8192).ok(msg::TREAD + 1);
    assert_eq!(&r.body[4..], b"hello");
    // Tunlinkat removes it, then the directory.
    let mut w = c.msg(msg::TUNLINKAT);
    w.u32(4).string(b"moved").u32(0);
    c.send(w, 8192).ok(msg::TUNLINKAT + 1);
    let mut w = c.msg(msg::TUNLINKAT);
    w.u32(0).string(b"dir").u32(DOTL_AT_REMOVEDIR);
    c.send(w, 8192).ok(msg::TUNLINKAT + 1);
    assert_eq!(std::fs::read_dir(s.share()).unwrap().count(), 0);
    // Getattr and statfs answer.
    let mut w = c.msg(msg::TGETATTR);
    w.u32(0).u64(GETATTR_BASIC);
    let r = c.send(w, 8192).ok(msg::TGETATTR + 1);
    assert_eq!(r.body.len(), 8 + 13 + 4 * 3 + 8 * 15);
    let mut w = c.msg(msg::TSTATFS);
    w.u32(0);
    c.send(w, 8192).ok(msg::TSTATFS + 1);
}

/// readonly=on: every change is EROFS, reading works.
#[test]
fn a_read_only_share_refuses_writes() {
    let s = Scratch::new();
    std::fs::write(s.share().join("f"), b"data").unwrap();
    let mut c = Client::new(&s.share(), true);
    assert_eq!(c.cat(&[b"f"]), Ok(b"data".to_vec()));
    c.walk(0, 1, &[b"f"]).ok(msg::TWALK + 1);
    assert_eq!(c.lopen(1, DOTL_WRONLY).errno(), EROFS);
    assert_eq!(c.lopen(1, DOTL_TRUNC).errno(), EROFS);
    let mut w = c.msg(msg::TMKDIR);
    w.u32(0).string(b"d").u32(0o755).u32(0);
    assert_eq!(c.send(w, 8192).errno(), EROFS);
    let mut w = c.msg(msg::TUNLINKAT);
    w.u32(0).string(b"f").u32(0);
    assert_eq!(c.send(w, 8192).errno(), EROFS);
    let mut w = c.msg(msg::TLCREATE);
    w.u32(0).string(b"g").u32(DOTL_RDWR).u32(0o644).u32(0);
    assert_eq!(c.send(w, 8192).errno(), EROFS);
    assert_eq!(std::fs::read(s.share().join("f")).unwrap(), b"data");
    assert_eq!(std::fs::read_dir(s.share()).unwrap().count(), 1);
}

/// Treaddir resumes at the offset of the last entry the client got: a
/// large directory read in small replies lists every name exactly once,
/// and offset 0 starts over.
#[test]
fn readdir_resumes_at_the_offset_given() {
    let s = Scratch::new();
    for i in 0..300 {
        std::fs::write(s.share().join(format!("file-{i:03}")), b"").unwrap();
    }
    let mut c = Client::new(&s.share(), false);
    c.walk(0, 1, &[]).ok(msg::TWALK + 1);
    c.lopen(1, 0).ok(msg::TLOPEN + 1);
    for _round in 0..2 {
        let mut names = Vec::new();
        let mut offset = 0;
        loop {
            let mut w = c.msg(msg::TREADDIR);
            w.u32(1).u64(offset).u32(200);
            let r = c.send(w, 8192).ok(msg::TREADDIR + 1);
            let mut rd = r.reader();
            let n = rd.u32().unwrap();
            assert!(n <= 200);
            if n == 0 {
                break;
            }
            let mut data = Reader::new(rd.bytes(n as usize).unwrap());
            while data.u8().is_ok() {
                data.u32().unwrap();
                data.u64().unwrap();
                offset = data.u64().unwrap();
                data.u8().unwrap();
                names.push(data.string().unwrap().to_vec());
            }
        }
        let listed = names.len();
        names.sort();
        names.dedup();
        assert_eq!((listed, names.len()), (302, 302), "300 files, . and ..");
    }
}

// ----- security models -----

/// What Rgetattr says of a file: mode, uid, gid, rdev, size.
#[derive(Debug, PartialEq, Eq)]
struct Attr {
    mode: u32,
    uid: u32,
    gid: u32,
    rdev: u64,
    size: u64,
}

impl Client {
    /// Tgetattr of the file at `names`, through fid 98.
    fn getattr(&mut self, names: &[&[u8]]) -> Attr {
        self.walk(0, 98, names).ok(msg::TWALK + 1);
        let mut w = self.msg(msg::TGETATTR);
        w.u32(98).u64(GETATTR_BASIC);
        let r = self.send(w, 8192).ok(msg::TGETATTR + 1);
        self.clunk(98).ok(msg::TCLUNK + 1);
        let mut rd = r.reader();
        rd.u64().unwrap();
        rd.bytes(13).unwrap();
        let (mode, uid, gid) = (rd.u32().unwrap(), rd.u32().unwrap(), rd.u32().unwrap());
        rd.u64().unwrap();
        let (rdev, size) = (rd.u64().unwrap(), rd.u64().unwrap());
        Attr {
            mode,
            uid,
            gid,
            rdev,
            size,
        }
    }

    /// Tsetattr of the file at `names` (through fid 97): `valid`, mode,
    /// uid, gid.
    fn setattr(&mut self, names: &[&[u8]], valid: u32, mode: u32, uid: u32, gid: u32) -> Reply {
        self.walk(0, 97, names).ok(msg::TWALK + 1);
        let mut w = self.msg(msg::TSETATTR);
        w.u32(97).u32(valid).u32(mode).u32(uid).u32(gid).u64(0);
        w.u64(0).u64(0).u64(0).u64(0);
        let r = self.send(w, 8192);
        self.clunk(97).ok(msg::TCLUNK + 1);
        r
    }

    /// Tmknod in the root: `name`, mode (type included), major, minor, gid.
    fn mknod(&mut self, name: &[u8], mode: u32, major: u32, minor: u32, gid: u32) -> Reply {
        let mut w = self.msg(msg::TMKNOD);
        w.u32(0)
            .string(name)
            .u32(mode)
            .u32(major)
            .u32(minor)
            .u32(gid);
        self.send(w, 8192)
    }

    /// Tsymlink in the root.
    fn symlink(&mut self, name: &[u8], target: &[u8], gid: u32) -> Reply {
        let mut w = self.msg(msg::TSYMLINK);
        w.u32(0).string(name).string(target).u32(gid);
        self.send(w, 8192)
    }

    /// Treadlink of the file at `names`, through fid 96.
    fn readlink(&mut self, names: &[&[u8]]) -> std::result::Result<Vec<u8>, u32> {
        self.walk(0, 96, names).ok(msg::TWALK + 1);
        let mut w = self.msg(msg::TREADLINK);
        w.u32(96);
        let r = self.send(w, 8192);
        self.clunk(96).ok(msg::TCLUNK + 1);
        if r.kind == msg::RLERROR {
            return Err(r.errno());
        }
        Ok(r.reader().string().unwrap().to_vec())
    }
}

/// A scratch folder whose file system keeps user extended attributes
/// (the system's temporary folder, else one under the build folder), or
/// `None`, said, where neither does.
fn xattr_scratch() -> Option<Scratch> {
    let build = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    for dir in [tempfile::tempdir(), tempfile::tempdir_in(&build)] {
        let Ok(dir) = dir else { continue };
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        if rustix::fs::setxattr(&probe, "user.probe", b"1", rustix::fs::XattrFlags::empty()).is_ok()
        {
            std::fs::remove_file(&probe).unwrap();
            std::fs::create_dir(dir.path().join("share")).unwrap();
            std::fs::write(dir.path().join("secret"), b"outside").unwrap();
            return Some(Scratch { dir });
        }
    }
    println!("no temporary folder keeps user xattrs here: nothing to test");
    None
}

/// The raw bytes of the attribute `name` of `path`, as `getfattr -e hex`
/// shows them.
fn xattr(path: &std::path::Path, name: &str) -> Option<Vec<u8>> {
    let mut buf = [0u8; 64];
    let n = rustix::fs::lgetxattr(path, name, &mut buf[..]).ok()?;
    Some(buf[..n].to_vec())
}

/// The host's owner and mode of `path`.
fn host_owner_mode(path: &std::path::Path) -> (u32, u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(path).unwrap();
    (m.uid(), m.gid(), m.mode())
}

/// mapped-xattr: Tsetattr's owner, group and mode go to the attributes
/// in QEMU 7.2's encoding (the bytes QEMU wrote for `chown 1234:5678;
/// chmod 4750`); the host file keeps its owner and mode; Tgetattr
/// reports the guest's values, and the host's where no attribute is.
#[test]
fn mapped_xattr_setattr_keeps_the_guest_owner_and_mode_in_attributes() {
    let Some(s) = xattr_scratch() else { return };
    let f = s.share().join("f");
    std::fs::write(&f, b"abc").unwrap();
    std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let host = host_owner_mode(&f);
    let mut c = Client::with_model(&s.share(), false, SecurityModel::MappedXattr, 0);
    // Before: the host's values.
    let a = c.getattr(&[b"f"]);
    assert_eq!((a.mode, a.uid, a.gid), (host.2, host.0, host.1));
    c.setattr(&[b"f"], ATTR_UID | ATTR_GID, 0, 1234, 5678)
        .ok(msg::TSETATTR + 1);
    c.setattr(&[b"f"], ATTR_MODE, S_IFREG | 0o4750, 0, 0)
        .ok(msg::TSETATTR + 1);
    assert_eq!(xattr(&f, "user.virtfs.uid"), Some(vec![0xd2, 0x04, 0, 0]));
    assert_eq!(xattr(&f, "user.virtfs.gid"), Some(vec![0x2e, 0x16, 0, 0]));
    assert_eq!(xattr(&f, "user.virtfs.mode"), Some(vec![0xe8, 0x89, 0, 0]));
    assert_eq!(xattr(&f, "user.virtfs.rdev"), None);
    assert_eq!(host_owner_mode(&f), host, "the host file changed");
    assert_eq!(
        c.getattr(&[b"f"]),
        Attr {
            mode: 0o104_750,
            uid: 1234,
            gid: 5678,
            rdev: 0,
            size: 3
        }
    );
    // A mode without a type keeps the file's type.
    c.setattr(&[b"f"], ATTR_MODE, 0o640, 0, 0)
        .ok(msg::TSETATTR + 1);
    assert_eq!(c.getattr(&[b"f"]).mode, S_IFREG | 0o640);
    // Only the owner: the group stays.
    c.setattr(&[b"f"], ATTR_UID, 0, 7, 0).ok(msg::TSETATTR + 1);
    assert_eq!((c.getattr(&[b"f"]).uid, c.getattr(&[b"f"]).gid), (7, 5678));
}

/// mapped-xattr: what the guest creates is the host user's, mode 0600
/// (0700 for a directory, QEMU 7.2's), with the attaching guest user as
/// owner and the group the request gives, in the attributes.
#[test]
fn mapped_xattr_creates_as_the_host_user_with_the_guest_owner_in_attributes() {
    let Some(s) = xattr_scratch() else { return };
    let me = host_owner_mode(&s.share());
    let mut c = Client::with_model(&s.share(), false, SecurityModel::MappedXattr, 1000);
    c.walk(0, 1, &[]).ok(msg::TWALK + 1);
    let mut w = c.msg(msg::TLCREATE);
    w.u32(1).string(b"file").u32(DOTL_RDWR).u32(0o644).u32(100);
    c.send(w, 8192).ok(msg::TLCREATE + 1);
    let mut w = c.msg(msg::TMKDIR);
    w.u32(0).string(b"dir").u32(0o755).u32(100);
    c.send(w, 8192).ok(msg::TMKDIR + 1);
    let file = s.share().join("file");
    let dir = s.share().join("dir");
    assert_eq!(host_owner_mode(&file), (me.0, me.1, S_IFREG | 0o600));
    assert_eq!(host_owner_mode(&dir), (me.0, me.1, S_IFDIR | 0o700));
    assert_eq!(
        xattr(&file, "user.virtfs.mode"),
        Some(vec![0xa4, 0x81, 0, 0])
    );
    assert_eq!(
        xattr(&dir, "user.virtfs.mode"),
        Some(vec![0xed, 0x41, 0, 0])
    );
    for (name, mode) in [(&b"file"[..], S_IFREG | 0o644), (b"dir", S_IFDIR | 0o755)] {
        let a = c.getattr(&[name]);
        assert_eq!((a.mode, a.uid, a.gid), (mode, 1000, 100), "{name:?}");
    }
}

/// mapped-xattr: Tmknod of a FIFO and of a character device makes
/// regular files carrying the type and device number in attributes
/// (QEMU 7.2's bytes for `mknod p` and `mknod c 4 5`); the guest sees
/// the FIFO and the device, and cannot open them on the host.
#[test]
fn mapped_xattr_mknod_makes_regular_files_with_the_type_in_attributes() {
    let Some(s) = xattr_scratch() else { return };
    let mut c = Client::with_model(&s.share(), false, SecurityModel::MappedXattr, 0);
    let r = c
        .mknod(b"fifo", S_IFIFO | 0o644, 0, 0, 0)
        .ok(msg::TMKNOD + 1);
    assert_eq!(r.reader().u8(), Ok(QTFILE));
    c.mknod(b"cdev", S_IFCHR | 0o644, 4, 5, 0)
        .ok(msg::TMKNOD + 1);
    let fifo = s.share().join("fifo");
    let cdev = s.share().join("cdev");
    for f in [&fifo, &cdev] {
        assert_eq!(host_owner_mode(f).2, S_IFREG | 0o600);
        assert_eq!(std::fs::metadata(f).unwrap().len(), 0);
    }
    assert_eq!(
        xattr(&fifo, "user.virtfs.mode"),
        Some(vec![0xa4, 0x11, 0, 0])
    );
    assert_eq!(xattr(&fifo, "user.virtfs.rdev"), Some(vec![0; 8]));
    assert_eq!(
        xattr(&cdev, "user.virtfs.mode"),
        Some(vec![0xa4, 0x21, 0, 0])
    );
    assert_eq!(
        xattr(&cdev, "user.virtfs.rdev"),
        Some(vec![5, 4, 0, 0, 0, 0, 0, 0])
    );
    assert_eq!(c.getattr(&[b"fifo"]).mode, S_IFIFO | 0o644);
    let a = c.getattr(&[b"cdev"]);
    assert_eq!((a.mode, a.rdev), (S_IFCHR | 0o644, (4 << 8) | 5));
    assert_eq!(c.cat(&[b"fifo"]), Err(EOPNOTSUPP));
    assert_eq!(c.cat(&[b"cdev"]), Err(EOPNOTSUPP));
    // A directory is not made by Tmknod; an existing name is refused.
    assert_eq!(c.mknod(b"d", S_IFDIR | 0o755, 0, 0, 0).errno(), EINVAL);
    assert_eq!(c.mknod(b"fifo", S_IFIFO | 0o644, 0, 0, 0).errno(), 17);
}

/// mapped-xattr: a symbolic link is a regular file holding its target;
/// Treadlink gives the target and the server never follows it: opening
/// it is ELOOP, walking through it ENOTDIR, whatever it names (here the
/// secret outside the share). A real host link in the share reads as
/// ELOOP, as on QEMU.
#[test]
fn mapped_xattr_symlinks_are_files_the_server_never_follows() {
    let Some(s) = xattr_scratch() else { return };
    std::fs::create_dir(s.share().join("sub")).unwrap();
    std::os::unix::fs::symlink(s.dir.path().join("secret"), s.share().join("real")).unwrap();
    let mut c = Client::with_model(&s.share(), false, SecurityModel::MappedXattr, 0);
    c.symlink(b"out", b"../secret", 0).ok(msg::TSYMLINK + 1);
    c.symlink(b"in", b"sub", 0).ok(msg::TSYMLINK + 1);
    let out = s.share().join("out");
    assert_eq!(host_owner_mode(&out).2, S_IFREG | 0o600);
    assert_eq!(std::fs::read(&out).unwrap(), b"../secret");
    assert_eq!(
        xattr(&out, "user.virtfs.mode"),
        Some(vec![0xff, 0xa1, 0, 0])
    );
    assert_eq!(c.getattr(&[b"out"]).mode, S_IFLNK | 0o777);
    assert_eq!(c.readlink(&[b"out"]), Ok(b"../secret".to_vec()));
    assert_eq!(c.cat(&[b"out"]), Err(ELOOP));
    assert_eq!(c.walk_len(0, 5, &[b"in", b"x"]), Ok(1));
    assert_eq!(c.walk_len(0, 5, &[b"out", b"x"]), Ok(1));
    assert_eq!(c.readlink(&[b"real"]), Err(ELOOP));
    assert_eq!(c.cat(&[b"real"]), Err(ELOOP));
    // Treadlink of a file that is no link.
    std::fs::write(s.share().join("plain"), b"x").unwrap();
    assert_eq!(c.readlink(&[b"plain"]), Err(EINVAL));
    assert_eq!(
        std::fs::read(s.dir.path().join("secret")).unwrap(),
        b"outside"
    );
}

/// mapped-xattr: attributes left malformed (by another program, or an
/// older run) never panic: one longer than its field is ignored (the
/// host's value stands, as on QEMU), a shorter one gives its low bytes
/// (QEMU 7.2 showed uid 513 for the bytes 02 01), an empty one is ignored.
#[test]
fn mapped_xattr_malformed_attributes_are_read_as_qemu_reads_them() {
    let Some(s) = xattr_scratch() else { return };
    let f = s.share().join("f");
    std::fs::write(&f, b"x").unwrap();
    let host = host_owner_mode(&f);
    let set = |name: &str, value: &[u8]| {
        rustix::fs::setxattr(&f, name, value, rustix::fs::XattrFlags::empty()).unwrap();
    };
    set("user.virtfs.uid", &[0x01, 0x02]);
    set("user.virtfs.gid", &[1, 2, 3, 4, 5, 6]);
    set("user.virtfs.mode", &[]);
    set("user.virtfs.rdev", &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let mut c = Client::with_model(&s.share(), false, SecurityModel::MappedXattr, 0);
    assert_eq!(
        c.getattr(&[b"f"]),
        Attr {
            mode: host.2,
            uid: 0x0201,
            gid: host.1,
            rdev: 0,
            size: 1
        }
    );
    // Rewriting them mends them.
    c.setattr(&[b"f"], ATTR_UID | ATTR_GID, 0, 1, 2)
        .ok(msg::TSETATTR + 1);
    assert_eq!(xattr(&f, "user.virtfs.gid"), Some(vec![2, 0, 0, 0]));
}

/// passthrough: the guest's owner is applied to the host file. Run as
/// root, chown and device nodes are real; otherwise the host refuses the
/// owner with EPERM, as it does QEMU, and what could not be given its
/// owner is removed again.
#[test]
fn passthrough_applies_the_guest_owner_on_the_host() {
    let s = Scratch::new();
    let f = s.share().join("f");
    std::fs::write(&f, b"x").unwrap();
    let root = host_owner_mode(&f).0 == 0;
    let mut c = Client::with_model(&s.share(), false, SecurityModel::Passthrough, 1000);
    let r = c.setattr(&[b"f"], ATTR_UID | ATTR_GID, 0, 1234, 5678);
    let fifo = s.share().join("fifo");
    let dir = s.share().join("dir");
    let mut w = c.msg(msg::TMKDIR);
    w.u32(0).string(b"dir").u32(0o2750).u32(100);
    let made_dir = c.send(w, 8192);
    let made_fifo = c.mknod(b"fifo", S_IFIFO | 0o640, 0, 0, 100);
    if root {
        r.ok(msg::TSETATTR + 1);
        assert_eq!(host_owner_mode(&f).0, 1234);
        assert_eq!(host_owner_mode(&f).1, 5678);
        made_dir.ok(msg::TMKDIR + 1);
        made_fifo.ok(msg::TMKNOD + 1);
        assert_eq!(host_owner_mode(&dir), (1000, 100, S_IFDIR | 0o2750));
        assert_eq!(host_owner_mode(&fifo), (1000, 100, S_IFIFO | 0o640));
        c.mknod(b"cdev", S_IFCHR | 0o600, 4, 5, 0)
            .ok(msg::TMKNOD + 1);
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::symlink_metadata(s.share().join("cdev")).unwrap();
        assert_eq!(
            (m.mode(), m.rdev()),
            (S_IFCHR | 0o600, rustix::fs::makedev(4, 5))
        );
    } else {
        assert_eq!(r.errno(), EPERM);
        assert_eq!(made_dir.errno(), EPERM);
        assert_eq!(made_fifo.errno(), EPERM);
        assert!(!dir.exists() && !fifo.exists(), "left behind");
    }
}

impl Client {
    /// Txattrwalk of `name` on the file at `names` into fid 95, then its
    /// value read whole; or the Rlerror number.
    fn getxattr(&mut self, names: &[&[u8]], name: &[u8]) -> std::result::Result<Vec<u8>, u32> {
        self.walk(0, 94, names).ok(msg::TWALK + 1);
        let mut w = self.msg(msg::TXATTRWALK);
        w.u32(94).u32(95).string(name);
        let r = self.send(w, 8192);
        self.clunk(94).ok(msg::TCLUNK + 1);
        if r.kind == msg::RLERROR {
            return Err(r.errno());
        }
        let size = r.reader().u64().unwrap();
        let r = self.read(95, 0, 8000, 8192).ok(msg::TREAD + 1);
        self.clunk(95).ok(msg::TCLUNK + 1);
        let mut rd = r.reader();
        let n = rd.u32().unwrap();
        assert_eq!(u64::from(n), size);
        Ok(rd.bytes(n as usize).unwrap().to_vec())
    }

    /// Txattrcreate of `name` (announcing `size` bytes) on the file at
    /// `names` through fid 93, `value` written, and the clunk that sets
    /// it; the first Rlerror number on the way.
    fn setxattr(
        &mut self,
        names: &[&[u8]],
        name: &[u8],
        size: u64,
        value: &[u8],
    ) -> std::result::Result<(), u32> {
        self.walk(0, 93, names).ok(msg::TWALK + 1);
        let mut w = self.msg(msg::TXATTRCREATE);
        w.u32(93).string(name).u64(size).u32(0);
        let r = self.send(w, 8192);
        if r.kind == msg::RLERROR {
            self.clunk(93).ok(msg::TCLUNK + 1);
            return Err(r.errno());
        }
        if !value.is_empty() {
            let mut w = self.msg(msg::TWRITE);
            w.u32(93).u64(0).u32(value.len() as u32).raw(value);
            let r = self.send(w, 8192);
            if r.kind == msg::RLERROR {
                // The clunk sets nothing (the value is short): EINVAL.
                assert_eq!(self.clunk(93).errno(), EINVAL);
                return Err(r.errno());
            }
        }
        let r = self.clunk(93);
        if r.kind == msg::RLERROR {
            return Err(r.errno());
        }
        Ok(())
    }
}

/// The guest's own extended attributes: set (Txattrcreate, Twrite,
/// Tclunk), read (Txattrwalk, Tread), listed (an empty name) and removed
/// (a size of zero). In mapped-xattr, `user.virtfs.*` is out of the
/// guest's reach: reading it is ENODATA, the list leaves it out, setting
/// or removing it is EACCES (as QEMU 7.2 answers `setfattr`), and the
/// host's values stay. In `none` the host's attributes are all the
/// guest's.
#[test]
fn guest_xattrs_and_the_mapped_attributes_out_of_reach() {
    let Some(s) = xattr_scratch() else { return };
    let f = s.share().join("f");
    std::fs::write(&f, b"x").unwrap();
    let mut c = Client::with_model(&s.share(), false, SecurityModel::MappedXattr, 0);
    c.setattr(&[b"f"], ATTR_UID, 0, 1234, 0)
        .ok(msg::TSETATTR + 1);
    assert_eq!(c.setxattr(&[b"f"], b"user.foo", 3, b"bar"), Ok(()));
    assert_eq!(xattr(&f, "user.foo"), Some(b"bar".to_vec()));
    assert_eq!(c.getxattr(&[b"f"], b"user.foo"), Ok(b"bar".to_vec()));
    assert_eq!(c.getxattr(&[b"f"], b"user.virtfs.uid"), Err(61));
    assert_eq!(c.getxattr(&[b"f"], b""), Ok(b"user.foo\0".to_vec()));
    const EACCES: u32 = 13;
    assert_eq!(
        c.setxattr(&[b"f"], b"user.virtfs.uid", 4, &[0; 4]),
        Err(EACCES)
    );
    assert_eq!(c.setxattr(&[b"f"], b"user.virtfs.uid", 0, b""), Err(EACCES));
    assert_eq!(xattr(&f, "user.virtfs.uid"), Some(vec![0xd2, 4, 0, 0]));
    // Removal; a value past its announced size, or short of it; too big.
    assert_eq!(c.setxattr(&[b"f"], b"user.foo", 0, b""), Ok(()));
    assert_eq!(xattr(&f, "user.foo"), None);
    assert_eq!(c.setxattr(&[b"f"], b"user.a", 2, b"abc"), Err(EINVAL));
    assert_eq!(c.setxattr(&[b"f"], b"user.a", 4, b"abc"), Err(EINVAL));
    assert_eq!(xattr(&f, "user.a"), None);
    assert_eq!(c.setxattr(&[b"f"], b"user.a", 1 << 20, b""), Err(7));
    assert_eq!(c.server.open_count, 0, "an xattr fid was left counted");
    // security_model=none: nothing is hidden.
    let mut c = Client::with_model(&s.share(), false, SecurityModel::None, 0);
    assert_eq!(
        c.getxattr(&[b"f"], b"user.virtfs.uid"),
        Ok(vec![0xd2, 4, 0, 0])
    );
    // Read-only shares refuse.
    let mut c = Client::with_model(&s.share(), true, SecurityModel::MappedXattr, 0);
    assert_eq!(c.setxattr(&[b"f"], b"user.b", 1, b"b"), Err(EROFS));
    // Outside user.*, what the host grants: not the guest's, but in
    // passthrough (an ACL giving the host's other users access, a
    // capability, root's trusted data).
    for model in [SecurityModel::None, SecurityModel::MappedXattr] {
        let mut c = Client::with_model(&s.share(), false, model, 0);
        for name in [
            &b"system.posix_acl_access"[..],
            b"security.capability",
            b"trusted.x",
        ] {
            assert_eq!(c.setxattr(&[b"f"], name, 1, b"x"), Err(EOPNOTSUPP));
            assert_eq!(c.getxattr(&[b"f"], name), Err(EOPNOTSUPP));
        }
        assert_eq!(c.server.open_count, 0);
    }
}

/// Hostile sequences of the messages the security models add or change
/// (Tmknod, Tsymlink, Treadlink, Tsetattr, Txattrwalk, Txattrcreate,
/// Twrite, Tclunk), with random fids, names, modes, sizes and offsets, in
/// every model: no panic, every reply well-formed, the open fids within
/// their bound, and nothing outside the share touched.
#[test]
fn random_model_messages_stay_in_bounds() {
    let Some(s) = xattr_scratch() else { return };
    std::fs::write(s.share().join("f"), b"x").unwrap();
    let names: [&[u8]; 6] = [b"f", b"n", b"l", b"..", b"a/b", b"user.virtfs.uid"];
    for model in [
        SecurityModel::None,
        SecurityModel::MappedXattr,
        SecurityModel::Passthrough,
    ] {
        let mut c = Client::with_model(&s.share(), false, model, 1000);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let fid = (x % 5) as u32;
            let name = names[(x >> 8) as usize % names.len()];
            let value = names[(x >> 12) as usize % names.len()];
            let mode = [S_IFIFO | 0o644, S_IFCHR | 0o600, S_IFDIR, 0o7777, u32::MAX]
                [(x >> 16) as usize % 5];
            let big = [0, 3, 1 << 16, 1 << 17, u64::MAX][(x >> 20) as usize % 5];
            let w = match (x >> 24) % 9 {
                0 => {
                    let mut w = c.msg(msg::TMKNOD);
                    w.u32(fid)
                        .string(name)
                        .u32(mode)
                        .u32(x as u32)
                        .u32(9)
                        .u32(0);
                    w
                }
                1 => {
                    let mut w = c.msg(msg::TSYMLINK);
                    w.u32(fid).string(name).string(value).u32(0);
                    w
                }
                2 => {
                    let mut w = c.msg(msg::TREADLINK);
                    w.u32(fid);
                    w
                }
                3 => {
                    let mut w = c.msg(msg::TSETATTR);
                    w.u32(fid)
                        .u32((x >> 32) as u32 & 0x1ff)
                        .u32(mode)
                        .u32(7)
                        .u32(8);
                    w.u64(big).u64(0).u64(0).u64(0).u64(0);
                    w
                }
                4 => {
                    let mut w = c.msg(msg::TXATTRWALK);
                    w.u32(fid).u32((x >> 36) as u32 % 5).string(if x & 1 == 0 {
                        b""
                    } else {
                        value
                    });
                    w
                }
                5 => {
                    let mut w = c.msg(msg::TXATTRCREATE);
                    w.u32(fid).string(value).u64(big).u32((x >> 40) as u32 % 4);
                    w
                }
                6 => {
                    let mut w = c.msg(msg::TWRITE);
                    w.u32(fid).u64(big).u32(value.len() as u32).raw(value);
                    w
                }
                7 => {
                    let mut w = c.msg(msg::TCLUNK);
                    w.u32(fid);
                    w
                }
                _ => {
                    let mut w = c.msg(msg::TWALK);
                    w.u32(0).u32(fid).u16(1).string(name);
                    w
                }
            };
            c.send(w, 512);
            // Fid 0 is the root: keep one.
            if !c.server.fids.contains_key(&0) {
                let mut w = c.msg(msg::TATTACH);
                w.u32(0).u32(NOFID).string(b"u").string(b"").u32(1000);
                c.send(w, 512).ok(msg::TATTACH + 1);
            }
            assert!(c.server.open_count <= MAX_OPEN);
        }
        let open = c.server.fids.values().filter(|f| f.open.is_some()).count();
        assert_eq!(open, c.server.open_count, "{model:?}: open fids miscounted");
    }
    let mut beside: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    beside.sort();
    assert_eq!(beside, ["secret", "share"]);
    assert_eq!(
        std::fs::read(s.dir.path().join("secret")).unwrap(),
        b"outside"
    );
}

/// A FIFO in the share is never opened for the guest: Tlcreate without
/// EXCL on its name (which reopens an existing file) and Tlopen answer
/// EOPNOTSUPP at once instead of blocking the thread that runs the guest
/// until a writer comes (a guest could make the FIFO itself with Tmknod).
#[test]
fn a_fifo_in_the_share_is_refused_not_waited_on() {
    let s = Scratch::new();
    let share = s.share();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        share.join("pipe"),
        rustix::fs::FileType::Fifo,
        Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut c = Client::new(&share, false);
        c.walk(0, 1, &[]).ok(msg::TWALK + 1);
        let mut w = c.msg(msg::TLCREATE);
        // Read-only: the open that blocks on a FIFO with no writer.
        w.u32(1).string(b"pipe").u32(0).u32(0o644).u32(0);
        let create = c.send(w, 8192).errno();
        c.walk(0, 2, &[b"pipe"]).ok(msg::TWALK + 1);
        let open = c.lopen(2, 0).errno();
        let _ = tx.send((create, open));
    });
    let answers = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the server blocked on the FIFO");
    assert_eq!(answers, (EOPNOTSUPP, EOPNOTSUPP));
    drop(s);
}
