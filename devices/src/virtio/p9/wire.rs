//! The 9P2000.L wire format: message numbers, and reading and writing the
//! fields of a message.
//!
//! A message is `size[4] type[1] tag[2]` followed by its fields, all
//! little-endian; a string is `len[2]` and that many bytes (not
//! necessarily UTF-8: file names are bytes), a qid is `type[1]
//! version[4] path[8]` (the formats of Linux's `include/net/9p/9p.h`
//! and the 9P2000.L protocol description of the v9fs project).
//!
//! No crate on crates.io fits here: `p9` (crosvm's) keeps its message
//! types private and exports only a whole server whose confinement relies
//! on a sandbox (its walk opens `..` with `openat`, which leaves the share
//! outside a jail); `ninep-proto` is AGPL-3.0; `nine` covers 9P2000, not
//! .L, and is unmaintained; `jetstream_9p` brings an async RPC framework
//! (tokio, http, url) for a handful of message layouts. The format itself
//! is a few integers and strings.

/// The tag of a message that belongs to no request (Tversion's).
pub const NOTAG: u16 = 0xffff;
/// The fid that means "no fid" (Tattach's afid without authentication).
pub const NOFID: u32 = 0xffff_ffff;
/// The length of a message header: size, type, tag.
pub const HEADER_LEN: usize = 7;

/// Message types (Linux `include/net/9p/9p.h`, `enum p9_msg_t`).
#[allow(missing_docs, reason = "each is the message of its name")]
pub mod msg {
    pub const TLERROR: u8 = 6;
    pub const RLERROR: u8 = 7;
    pub const TSTATFS: u8 = 8;
    pub const TLOPEN: u8 = 12;
    pub const TLCREATE: u8 = 14;
    pub const TSYMLINK: u8 = 16;
    pub const TMKNOD: u8 = 18;
    pub const TRENAME: u8 = 20;
    pub const TREADLINK: u8 = 22;
    pub const TGETATTR: u8 = 24;
    pub const TSETATTR: u8 = 26;
    pub const TXATTRWALK: u8 = 30;
    pub const TXATTRCREATE: u8 = 32;
    pub const TREADDIR: u8 = 40;
    pub const TFSYNC: u8 = 50;
    pub const TLOCK: u8 = 52;
    pub const TGETLOCK: u8 = 54;
    pub const TLINK: u8 = 70;
    pub const TMKDIR: u8 = 72;
    pub const TRENAMEAT: u8 = 74;
    pub const TUNLINKAT: u8 = 76;
    pub const TVERSION: u8 = 100;
    pub const TAUTH: u8 = 102;
    pub const TATTACH: u8 = 104;
    pub const TFLUSH: u8 = 108;
    pub const TWALK: u8 = 110;
    pub const TREAD: u8 = 116;
    pub const TWRITE: u8 = 118;
    pub const TCLUNK: u8 = 120;
    pub const TREMOVE: u8 = 122;
}

/// A message ended before one of its fields, or a field is out of range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

/// Reads the fields of a message, in order, from its bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader of `buf` (a message's fields after its header).
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if n > self.buf.len() {
            return Err(Malformed);
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    /// A `[1]` field.
    pub fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.array::<1>()?[0])
    }

    /// A `[2]` field.
    pub fn u16(&mut self) -> Result<u16, Malformed> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    /// A `[4]` field.
    pub fn u32(&mut self) -> Result<u32, Malformed> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// An `[8]` field.
    pub fn u64(&mut self) -> Result<u64, Malformed> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A `[s]` field: a 16-bit length and that many bytes.
    pub fn string(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.u16()?;
        self.bytes(usize::from(n))
    }
}

/// A qid: the server's identity of a file (`type[1] version[4] path[8]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Qid {
    /// `QTDIR`, `QTSYMLINK` or `QTFILE`.
    pub kind: u8,
    /// A version number (0: rivet does not track versions).
    pub version: u32,
    /// A number unique to the file within the share (its inode number).
    pub path: u64,
}

/// Qid type: a directory.
pub const QTDIR: u8 = 0x80;
/// Qid type: a symbolic link.
pub const QTSYMLINK: u8 = 0x02;
/// Qid type: a plain file.
pub const QTFILE: u8 = 0;

/// Builds a reply: the header, then fields appended in order; the size is
/// filled in by [`Writer::finish`].
#[derive(Debug)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// A reply of type `kind` to the request tagged `tag`.
    pub fn new(kind: u8, tag: u16) -> Self {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&[0, 0, 0, 0, kind]);
        buf.extend_from_slice(&tag.to_le_bytes());
        Writer { buf }
    }

    /// The reply's length so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether the reply is empty (never: it has a header).
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Appends a `[1]` field.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// Appends a `[2]` field.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends a `[4]` field.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends an `[8]` field.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Appends a `[s]` field. Strings longer than 65535 bytes cannot be
    /// sent; they are cut there (no host name or link target is that long).
    pub fn string(&mut self, s: &[u8]) -> &mut Self {
        let s = &s[..s.len().min(usize::from(u16::MAX))];
        self.u16(u16::try_from(s.len()).unwrap_or(u16::MAX));
        self.buf.extend_from_slice(s);
        self
    }

    /// Appends a qid.
    pub fn qid(&mut self, q: Qid) -> &mut Self {
        self.u8(q.kind).u32(q.version).u64(q.path)
    }

    /// Appends raw bytes.
    pub fn raw(&mut self, data: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(data);
        self
    }

    /// The finished message, its size field filled in.
    pub fn finish(mut self) -> Vec<u8> {
        let size = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        self.buf[..4].copy_from_slice(&size.to_le_bytes());
        self.buf
    }
}

/// An `Rlerror` reply: the request failed with the Linux error number `ecode`.
pub fn rlerror(tag: u16, ecode: u32) -> Vec<u8> {
    let mut w = Writer::new(msg::RLERROR, tag);
    w.u32(ecode);
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_and_short_input_is_malformed() {
        let mut w = Writer::new(msg::TVERSION, 7);
        w.u32(8192).string(b"9P2000.L").u8(1).u64(u64::MAX);
        let bytes = w.finish();
        assert_eq!(bytes.len(), 30);
        assert_eq!(&bytes[..7], &[30, 0, 0, 0, 100, 7, 0]);
        let mut r = Reader::new(&bytes[7..]);
        assert_eq!(r.u32(), Ok(8192));
        assert_eq!(r.string(), Ok(&b"9P2000.L"[..]));
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u64(), Ok(u64::MAX));
        assert_eq!(r.u8(), Err(Malformed));
        // A string whose length runs past the message.
        let mut r = Reader::new(&[5, 0, b'a', b'b']);
        assert_eq!(r.string(), Err(Malformed));
    }
}
