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
//! - [`server`]: the file server and its confinement to the shared folder.
//!
//! A request larger than the negotiated `msize` is answered with an
//! error without being read; a chain whose buffers are outside RAM, or
//! with no room for a reply, is returned with nothing written and counted.
//! One poll serves requests until [`WORK_PER_POLL`] bytes have moved.

pub mod server;
pub mod wire;

use std::path::Path;

use rivet_core::bits::to_usize;
use rivet_core::Memory;

use super::queue::{Queue, QueueError};
use super::{device_id, QueueWork, VirtioDevice};
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
    /// if `read_only`.
    pub fn new(path: &Path, tag: &str, read_only: bool) -> Result<Self, ShareError> {
        if tag.is_empty() || tag.len() > MAX_TAG_LEN {
            return Err(ShareError::Tag(tag.into()));
        }
        let server = Server::new(path, read_only).map_err(|error| ShareError::Open {
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
        for (i, byte) in data.iter_mut().enumerate() {
            *byte = usize::try_from(offset)
                .ok()
                .and_then(|o| o.checked_add(i))
                .and_then(|o| self.config.get(o))
                .copied()
                .unwrap_or(0);
        }
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
