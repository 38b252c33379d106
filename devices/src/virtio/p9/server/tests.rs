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
        let mut c = Client {
            server: Server::new(root, read_only, SecurityModel::None).unwrap(),
            tag: 0,
        };
        let mut w = Writer::new(msg::TVERSION, wire::NOTAG);
        w.u32(128 * 1024).string(b"9P2000.L");
        let r = c.send(w, 1 << 20).ok(msg::TVERSION + 1);
        let mut rd = r.reader();
        assert_eq!(rd.u32(), Ok(128 * 1024));
        assert_eq!(rd.string(), Ok(&b"9P2000.L"[..]));
        let mut w = c.msg(msg::TATTACH);
        w.u32(0).u32(NOFID).string(b"root").string(b"").u32(0);
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
