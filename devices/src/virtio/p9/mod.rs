//! The 9P transport device, virtio-9p (virtio 1.2 §5.9 lists it as device
//! ID 9; its layout is QEMU's and Linux's `net/9p/trans_virtio.c`): host
//! file sharing.
//!
//! One request queue. Each chain holds a 9P request in its
//! device-readable buffers and room for the reply in its device-writable
//! ones; the device answers through a [`server::Server`] and returns the
//! chain with the reply's length. The configuration space is the mount
//! tag the guest mounts by (`mount -t 9p -o trans=virtio TAG DIR`):
//! `tag_len[2]` and the tag's bytes, offered with feature bit
//! `VIRTIO_9P_MOUNT_TAG`.
//!
//! - [`wire`]: the 9P2000.L message format;
//! - [`server`]: the file server and its confinement to the shared folder;
//! - [`mapped`]: the guest's owners and modes in extended attributes
//!   (`security_model=mapped-xattr`);
//! - [`xattr`]: the guest's own extended attributes.
//!
//! A request larger than the negotiated `msize` is answered with an
//! error without being read; a chain whose buffers are outside RAM, or
//! with no room for a reply, is returned with nothing written and counted.
//! One poll serves requests until [`WORK_PER_POLL`] bytes have moved.

pub mod mapped;
pub mod server;
pub mod wire;
pub mod xattr;

use std::path::Path;

use rivet_core::bits::to_usize;
use rivet_core::Memory;

use super::fsdev::SecurityModel;
use super::queue::{Queue, QueueError};
use super::{device_id, read_config_bytes, QueueWork, VirtioDevice};
pub use server::Server;

/// Feature bit: the mount tag is in the configuration space.
pub const VIRTIO_9P_MOUNT_TAG: u64 = 1 << 0;

/// The size of the request queue, as QEMU's (`MAX_REQ`).
pub const QUEUE_SIZE: u16 = 128;

/// The longest mount tag, as QEMU accepts.
pub const MAX_TAG_LEN: usize = 255;

/// The bytes (requests and replies) moved in one poll before the device
/// lets the harts run again.
pub const WORK_PER_POLL: u64 = 4 << 20;

/// A shared folder could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    /// The mount tag is empty or too long.
    #[error("mount_tag '{0}' must be 1 to 255 bytes long")]
    Tag(String),
    /// The folder cannot be opened as a directory.
    #[error("cannot share '{path}': {error}")]
    Open {
        /// The folder.
        path: String,
        /// Why.
        error: std::io::Error,
    },
}

/// What the device has done, for diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct P9Stats {
    /// Chains returned with nothing written: buffers outside RAM, or no
    /// room for a reply.
    pub malformed: u64,
}

/// A virtio-9p device serving one host folder.
#[derive(Debug)]
pub struct VirtioP9 {
    server: Server,
    config: Vec<u8>,
    queue_sizes: [u16; 1],
    stats: P9Stats,
}

impl VirtioP9 {
    /// A device that shares `path` under the mount tag `tag`, read-only
    /// if `read_only`, keeping the guest's owners and modes as `model`
    /// says.
    pub fn new(
        path: &Path,
        tag: &str,
        read_only: bool,
        model: SecurityModel,
    ) -> Result<Self, ShareError> {
        if tag.is_empty() || tag.len() > MAX_TAG_LEN {
            return Err(ShareError::Tag(tag.into()));
        }
        let server = Server::new(path, read_only, model).map_err(|error| ShareError::Open {
            path: path.display().to_string(),
            error,
        })?;
        let mut config = Vec::with_capacity(2 + tag.len());
        config.extend_from_slice(&u16::try_from(tag.len()).unwrap_or(0).to_le_bytes());
        config.extend_from_slice(tag.as_bytes());
        Ok(VirtioP9 {
            server,
            config,
            queue_sizes: [QUEUE_SIZE],
            stats: P9Stats::default(),
        })
    }

    /// The file server.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// What the device has done so far.
    pub fn stats(&self) -> P9Stats {
        self.stats
    }
}

impl VirtioDevice for VirtioP9 {
    fn device_id(&self) -> u32 {
        device_id::NINEP
    }

    fn features(&self) -> u64 {
        VIRTIO_9P_MOUNT_TAG
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &self.queue_sizes
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        read_config_bytes(&self.config, offset, data);
    }

    /// The mount tag is read-only.
    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}

    fn process_queue(
        &mut self,
        index: usize,
        queue: &mut Queue,
        mem: &mut Memory,
    ) -> Result<QueueWork, QueueError> {
        if index != 0 {
            return Ok(QueueWork::Done);
        }
        let mut budget = WORK_PER_POLL;
        loop {
            if budget == 0 {
                return Ok(QueueWork::Pending);
            }
            let Some(chain) = queue.pop(mem)? else {
                return Ok(QueueWork::Done);
            };
            let in_len: u64 = chain.readable().map(|d| u64::from(d.len)).sum();
            let room: u64 = chain.writable().map(|d| u64::from(d.len)).sum();
            // Read no more than a message may be: a larger one gets its
            // header read and an error.
            let limit = u64::from(self.server.msize()).min(in_len);
            let mut request = vec![0u8; to_usize(limit)];
            let mut got = 0;
            let mut bad = false;
            for d in chain.readable() {
                if got == request.len() {
                    break;
                }
                let n = to_usize(u64::from(d.len)).min(request.len() - got);
                if mem.read(d.addr, &mut request[got..got + n]).is_err() {
                    bad = true;
                    break;
                }
                got += n;
            }
            let room = to_usize(room.min(u64::from(u32::MAX)));
            if bad || room < server::MIN_REPLY {
                self.stats.malformed += 1;
                queue.add_used(mem, chain.head, 0)?;
                continue;
            }
            let reply = self.server.handle(&request, room);
            let mut put = 0;
            for d in chain.writable() {
                if put == reply.len() {
                    break;
                }
                let n = to_usize(u64::from(d.len)).min(reply.len() - put);
                if mem.write(d.addr, &reply[put..put + n]).is_err() {
                    bad = true;
                    break;
                }
                put += n;
            }
            if bad {
                self.stats.malformed += 1;
            }
            budget = budget.saturating_sub(limit + reply.len() as u64);
            let used = if bad {
                0
            } else {
                u32::try_from(put).unwrap_or(0)
            };
            queue.add_used(mem, chain.head, used)?;
        }
    }

    /// Every fid is forgotten (the driver starts a new session).
    fn reset(&mut self) {
        self.server.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rivet_core::PhysAddr;

    const RAM: u64 = 0x8000_0000;
    const DESC: u64 = RAM;
    const AVAIL: u64 = RAM + 0x1000;
    const USED: u64 = RAM + 0x2000;
    const BUF: u64 = RAM + 0x4000;

    /// A queue in fresh RAM with `chains` made available: each a list of
    /// (address, length, device-writable) buffers.
    fn setup(chains: &[&[(u64, u32, bool)]]) -> (Memory, Queue) {
        let mut mem = Memory::new(PhysAddr::new(RAM), 0x20000).unwrap();
        let mut q = Queue::new(QUEUE_SIZE);
        q.set_size(16);
        q.set_desc_table(PhysAddr::new(DESC));
        q.set_avail_ring(PhysAddr::new(AVAIL));
        q.set_used_ring(PhysAddr::new(USED));
        q.set_ready(true);
        let mut next = 0u16;
        for (i, chain) in chains.iter().enumerate() {
            let head = next;
            for (j, &(addr, len, writable)) in chain.iter().enumerate() {
                let more = j + 1 < chain.len();
                let flags = u16::from(more) | if writable { 2 } else { 0 };
                let mut raw = [0u8; 16];
                raw[..8].copy_from_slice(&addr.to_le_bytes());
                raw[8..12].copy_from_slice(&len.to_le_bytes());
                raw[12..14].copy_from_slice(&flags.to_le_bytes());
                raw[14..].copy_from_slice(&(next + 1).to_le_bytes());
                mem.write(PhysAddr::new(DESC + 16 * u64::from(next)), &raw)
                    .unwrap();
                next += 1;
            }
            let slot = AVAIL + 4 + 2 * u64::try_from(i).unwrap();
            mem.write(PhysAddr::new(slot), &head.to_le_bytes()).unwrap();
        }
        let count = u16::try_from(chains.len()).unwrap();
        mem.write(PhysAddr::new(AVAIL + 2), &count.to_le_bytes())
            .unwrap();
        (mem, q)
    }

    fn used_len(mem: &Memory, i: u64) -> u32 {
        let mut e = [0u8; 4];
        mem.read(PhysAddr::new(USED + 8 + 8 * i), &mut e).unwrap();
        u32::from_le_bytes(e)
    }

    /// The tag is in the configuration space; a Tversion split over two
    /// readable buffers is answered into two writable ones; hostile chains
    /// (a request outside RAM, no room for a reply, a reply buffer outside
    /// RAM) come back with nothing written and the device goes on.
    #[test]
    fn requests_are_answered_and_hostile_chains_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let mut dev = VirtioP9::new(dir.path(), "host0", false, SecurityModel::None).unwrap();
        let mut cfg = [0u8; 8];
        dev.read_config(0, &mut cfg);
        assert_eq!(&cfg[..7], b"\x05\x00host0");
        assert!(VirtioP9::new(dir.path(), "", false, SecurityModel::None).is_err());
        assert!(VirtioP9::new(&dir.path().join("none"), "t", false, SecurityModel::None).is_err());

        let mut w = wire::Writer::new(wire::msg::TVERSION, wire::NOTAG);
        w.u32(8192).string(b"9P2000.L");
        let tversion = w.finish();
        let (mut mem, mut q) = setup(&[
            &[
                (BUF, 5, false),
                (BUF + 0x100, 16, false),
                (BUF + 0x200, 3, true),
                (BUF + 0x300, 100, true),
            ],
            &[(0x1000, 21, false), (BUF + 0x400, 100, true)],
            &[(BUF + 0x600, 21, false)],
            &[(BUF + 0x600, 21, false), (u64::MAX - 10, 100, true)],
            &[(BUF + 0x600, 21, false), (BUF + 0x500, 100, true)],
        ]);
        mem.write(PhysAddr::new(BUF), &tversion[..5]).unwrap();
        mem.write(PhysAddr::new(BUF + 0x100), &tversion[5..])
            .unwrap();
        mem.write(PhysAddr::new(BUF + 0x600), &tversion).unwrap();
        assert_eq!(dev.process_queue(0, &mut q, &mut mem), Ok(QueueWork::Done));
        // Rversion: size 4, type, tag, msize 4, version 2+8.
        assert_eq!(used_len(&mem, 0), 21);
        let mut reply = [0u8; 21];
        mem.read(PhysAddr::new(BUF + 0x200), &mut reply[..3])
            .unwrap();
        mem.read(PhysAddr::new(BUF + 0x300), &mut reply[3..])
            .unwrap();
        assert_eq!(&reply[4..5], &[wire::msg::TVERSION + 1]);
        assert_eq!(&reply[13..], b"9P2000.L");
        assert_eq!(used_len(&mem, 1), 0);
        assert_eq!(used_len(&mem, 2), 0);
        assert_eq!(used_len(&mem, 3), 0);
        // The last one, a well-formed request after the hostile ones, is served.
        assert_eq!(used_len(&mem, 4), 21);
        assert_eq!(dev.stats().malformed, 3);
    }
}
