//! The virtio network device (virtio 1.2 §5.1).
//!
//! Two queues: `receiveq1` (index 0), where the driver makes device-writable
//! buffers available and the device fills each with one incoming frame,
//! and `transmitq1` (index 1), where each chain the driver makes available
//! is one outgoing frame. Every frame is preceded by a `struct
//! virtio_net_hdr` (§5.1.6): 12 bytes when VIRTIO_F_VERSION_1 is
//! negotiated, 10 bytes for a legacy driver (§5.1.6.1, without
//! VIRTIO_NET_F_MRG_RXBUF, which is not offered).
//!
//! The device offers only VIRTIO_NET_F_MAC (the address is in the
//! configuration space) and VIRTIO_NET_F_STATUS (the link is always up): no
//! checksum or segmentation offloads, so the headers it receives carry no
//! requests it must honour and the ones it writes are all zero (and
//! `num_buffers` 1, §5.1.6.4).
//!
//! Frames go to and come from a [`NetBackend`] (the user network of
//! [`crate::slirp`], or a test's). A driver's mistakes cost only its own
//! frames: a transmit chain with device-writable buffers, buffers outside
//! RAM, or a frame longer than [`MAX_FRAME_LEN`] is dropped (counted in
//! [`NetStats`]) and returned with a used length of zero; a frame from the
//! host that does not fit the receive buffer it was given is dropped the
//! same way. Each poll moves at most [`FRAMES_PER_POLL`] frames per queue,
//! and at most [`WORK_PER_POLL`] bytes' worth of copying and walking.

use std::collections::VecDeque;

use rivet_core::{Memory, PhysAddr};

use super::queue::{Descriptor, Queue, QueueError};
use super::{device_id, read_config_bytes, QueueWork, VirtioDevice};

/// Feature bits of the network device (§5.1.3).
pub mod features {
    /// The device has a MAC address in `mac` of its configuration space.
    pub const VIRTIO_NET_F_MAC: u64 = 1 << 5;
    /// The device can merge receive buffers (not offered).
    pub const VIRTIO_NET_F_MRG_RXBUF: u64 = 1 << 15;
    /// The link status is in `status` of the configuration space.
    pub const VIRTIO_NET_F_STATUS: u64 = 1 << 16;
}

/// `status` bit: the link is up (§5.1.4).
pub const VIRTIO_NET_S_LINK_UP: u16 = 1;

/// The index of `receiveq1`.
pub const RECEIVEQ: usize = 0;
/// The index of `transmitq1`.
pub const TRANSMITQ: usize = 1;

/// The size of each queue (QueueNumMax), as QEMU's default.
pub const QUEUE_SIZE: u16 = 256;

/// The largest frame the device passes on, header excluded: 65,550 bytes,
/// what a driver may send with the header's offloads (§5.1.6.2, an IP
/// packet of 65,535 bytes with its Ethernet and VLAN headers). Longer
/// frames are dropped.
pub const MAX_FRAME_LEN: usize = 65_550;

/// The most frames the device moves on one queue in one poll: the rest wait
/// for the next poll, between slices, so a flood never holds off the harts.
pub const FRAMES_PER_POLL: usize = 256;

/// The work the device does on one queue in one poll, in bytes copied
/// between RAM and the backend, counting 64 bytes for each
/// descriptor walked: a few milliseconds of host time however large the
/// frames and however long the chains (an indirect table may hold 32,768
/// descriptors).
pub const WORK_PER_POLL: u64 = 4 << 20;

/// What one descriptor of a chain costs against [`WORK_PER_POLL`].
const WORK_PER_DESCRIPTOR: u64 = 64;

/// The most frames from the host kept waiting for receive buffers; more
/// are dropped, as a network card drops what overflows its ring.
pub const RX_BACKLOG: usize = 256;

/// The size of `struct virtio_net_hdr` with `num_buffers` (§5.1.6).
const HEADER_LEN: usize = 12;
/// The size of the legacy header, without `num_buffers` (§5.1.6.1).
const LEGACY_HEADER_LEN: usize = 10;

/// The size of the configuration space read back: `mac`, `status`,
/// `max_virtqueue_pairs`, `mtu` (§5.1.4).
const CONFIG_LEN: usize = 12;

/// Where a network device's frames go and come from (the host side).
pub trait NetBackend: Send {
    /// Sends `frame` (an Ethernet frame, without the virtio header) from
    /// the guest to the network. Never blocks; the backend may drop it.
    fn send(&mut self, frame: &[u8]);

    /// Takes the next frame the network has for the guest, if one is
    /// waiting. Never blocks.
    fn recv(&mut self) -> Option<Vec<u8>>;
}

/// What the network device has done, for diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Frames sent from the guest to the backend.
    pub tx_frames: u64,
    /// Frames delivered to the guest.
    pub rx_frames: u64,
    /// Transmit chains dropped: device-writable buffers, shorter than the
    /// header, longer than [`MAX_FRAME_LEN`], or outside RAM.
    pub tx_dropped: u64,
    /// Frames from the host dropped: no room in the receive buffer, the
    /// buffer outside RAM, or the backlog full.
    pub rx_dropped: u64,
}

/// A virtio network device, attached to a [`NetBackend`].
pub struct VirtioNet {
    backend: Box<dyn NetBackend>,
    config: [u8; CONFIG_LEN],
    queue_sizes: [u16; 2],
    /// The header length the driver expects (depends on VERSION_1).
    header_len: usize,
    /// Frames from the backend waiting for receive buffers.
    backlog: VecDeque<Vec<u8>>,
    /// A frame being gathered from a transmit chain (reused).
    frame: Vec<u8>,
    stats: NetStats,
}

impl std::fmt::Debug for VirtioNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtioNet")
            .field("mac", &self.mac())
            .field("backlog", &self.backlog.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl VirtioNet {
    /// A network device with MAC address `mac`, its link up, on `backend`.
    pub fn new(mac: [u8; 6], backend: Box<dyn NetBackend>) -> Self {
        let mut config = [0u8; CONFIG_LEN];
        config[..6].copy_from_slice(&mac);
        config[6..8].copy_from_slice(&VIRTIO_NET_S_LINK_UP.to_le_bytes());
        VirtioNet {
            backend,
            config,
            queue_sizes: [QUEUE_SIZE; 2],
            header_len: HEADER_LEN,
            backlog: VecDeque::new(),
            frame: Vec::new(),
            stats: NetStats::default(),
        }
    }

    /// The MAC address.
    pub fn mac(&self) -> [u8; 6] {
        let mut mac = [0u8; 6];
        mac.copy_from_slice(&self.config[..6]);
        mac
    }

    /// What the device has done so far.
    pub fn stats(&self) -> NetStats {
        self.stats
    }

    /// Takes every frame the backend has into the backlog (dropping what
    /// does not fit in it).
    fn fill_backlog(&mut self) {
        while let Some(frame) = self.backend.recv() {
            if self.backlog.len() >= RX_BACKLOG {
                self.stats.rx_dropped += 1;
            } else {
                self.backlog.push_back(frame);
            }
        }
    }

    /// Sends the frames of up to [`FRAMES_PER_POLL`] transmit chains,
    /// within [`WORK_PER_POLL`].
    fn transmit(&mut self, queue: &mut Queue, mem: &mut Memory) -> Result<QueueWork, QueueError> {
        let mut budget = WORK_PER_POLL;
        for _ in 0..FRAMES_PER_POLL {
            if budget == 0 {
                return Ok(QueueWork::Pending);
            }
            let Some(chain) = queue.pop(mem)? else {
                return Ok(QueueWork::Done);
            };
            budget = budget.saturating_sub(cost(&chain.descriptors));
            if self.gather_frame(&chain.descriptors, mem) {
                self.backend.send(&self.frame[self.header_len..]);
                self.stats.tx_frames += 1;
            } else {
                self.stats.tx_dropped += 1;
            }
            // §5.1.6.2: the device writes nothing into a transmit chain.
            queue.add_used(mem, chain.head, 0)?;
        }
        Ok(QueueWork::Pending)
    }

    /// Gathers a transmit chain (header and frame) into `self.frame`; false
    /// if the chain is malformed or the frame too long.
    fn gather_frame(&mut self, buffers: &[Descriptor], mem: &Memory) -> bool {
        if buffers.iter().any(|d| d.writable) {
            return false;
        }
        let total: u64 = buffers.iter().map(|d| u64::from(d.len)).sum();
        let limit = (self.header_len + MAX_FRAME_LEN) as u64;
        if total < self.header_len as u64 || total > limit {
            return false;
        }
        self.frame.clear();
        self.frame.resize(rivet_core::bits::to_usize(total), 0);
        let mut done = 0;
        for d in buffers {
            let end = done + rivet_core::bits::to_usize(u64::from(d.len));
            if mem.read(d.addr, &mut self.frame[done..end]).is_err() {
                return false;
            }
            done = end;
        }
        true
    }

    /// Delivers up to [`FRAMES_PER_POLL`] frames of the backlog into
    /// receive buffers, within [`WORK_PER_POLL`]; stops when the driver
    /// has none left.
    fn receive(&mut self, queue: &mut Queue, mem: &mut Memory) -> Result<QueueWork, QueueError> {
        let mut budget = WORK_PER_POLL;
        for _ in 0..FRAMES_PER_POLL {
            self.fill_backlog();
            if self.backlog.is_empty() {
                return Ok(QueueWork::Done);
            }
            if budget == 0 {
                return Ok(QueueWork::Pending);
            }
            let Some(chain) = queue.pop(mem)? else {
                // The frames wait for buffers: the driver notifies the
                // queue when it adds some.
                return Ok(QueueWork::Done);
            };
            let Some(frame) = self.backlog.pop_front() else {
                return Ok(QueueWork::Done);
            };
            budget = budget.saturating_sub(cost(&chain.descriptors));
            let written = self.scatter_frame(&chain.descriptors, &frame, mem);
            match written {
                Some(_) => self.stats.rx_frames += 1,
                None => self.stats.rx_dropped += 1,
            }
            let len = written.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
            queue.add_used(mem, chain.head, len)?;
        }
        Ok(QueueWork::Pending)
    }

    /// Writes the header and `frame` into the device-writable buffers of
    /// a receive chain; the bytes written, or `None` if they do not fit or
    /// a buffer is outside RAM.
    fn scatter_frame(
        &self,
        buffers: &[Descriptor],
        frame: &[u8],
        mem: &mut Memory,
    ) -> Option<usize> {
        let writable: Vec<&Descriptor> = buffers.iter().filter(|d| d.writable).collect();
        let room: u64 = writable.iter().map(|d| u64::from(d.len)).sum();
        let len = self.header_len + frame.len();
        if room < len as u64
            || !writable
                .iter()
                .all(|d| d.len == 0 || mem.contains(d.addr, u64::from(d.len)))
        {
            return None;
        }
        // §5.1.6.4: no offloads were negotiated, so flags and gso_type are
        // zero; num_buffers (in the 12-byte header) is 1.
        let mut header = [0u8; HEADER_LEN];
        header[10] = 1;
        let mut pieces = [&header[..self.header_len], frame].into_iter();
        let mut piece = pieces.next()?;
        for d in writable {
            let mut addr: PhysAddr = d.addr;
            let mut left = rivet_core::bits::to_usize(u64::from(d.len));
            while left > 0 {
                if piece.is_empty() {
                    match pieces.next() {
                        Some(next) => piece = next,
                        None => return Some(len),
                    }
                    continue;
                }
                let n = left.min(piece.len());
                mem.write(addr, &piece[..n]).ok()?;
                piece = &piece[n..];
                left -= n;
                addr = addr.checked_add(n as u64)?;
            }
        }
        Some(len)
    }
}

/// What a chain costs against [`WORK_PER_POLL`]: its bytes (at most what
/// the device copies: a frame's length is bounded by [`MAX_FRAME_LEN`]
/// before anything is copied) and its descriptors.
fn cost(buffers: &[Descriptor]) -> u64 {
    let bytes: u64 = buffers.iter().map(|d| u64::from(d.len)).sum();
    let limit = (HEADER_LEN + MAX_FRAME_LEN) as u64;
    bytes
        .min(limit)
        .saturating_add(WORK_PER_DESCRIPTOR.saturating_mul(buffers.len() as u64))
}

impl VirtioDevice for VirtioNet {
    fn device_id(&self) -> u32 {
        device_id::NET
    }

    fn features(&self) -> u64 {
        features::VIRTIO_NET_F_MAC | features::VIRTIO_NET_F_STATUS
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &self.queue_sizes
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        read_config_bytes(&self.config, offset, data);
    }

    /// The MAC is writable only through the control queue's
    /// VIRTIO_NET_CTRL_MAC_ADDR_SET (not offered) or, for legacy drivers,
    /// directly; both are ignored here: the address stays the one given.
    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}

    fn set_driver_features(&mut self, features: u64) {
        // §5.1.6.1: the legacy header lacks num_buffers unless
        // VIRTIO_NET_F_MRG_RXBUF was negotiated (it is never offered).
        self.header_len = if features & super::features::VIRTIO_F_VERSION_1 != 0 {
            HEADER_LEN
        } else {
            LEGACY_HEADER_LEN
        };
    }

    fn input_pending(&mut self, index: usize) -> bool {
        if index != RECEIVEQ {
            return false;
        }
        self.fill_backlog();
        !self.backlog.is_empty()
    }

    fn process_queue(
        &mut self,
        index: usize,
        queue: &mut Queue,
        mem: &mut Memory,
    ) -> Result<QueueWork, QueueError> {
        match index {
            RECEIVEQ => self.receive(queue, mem),
            TRANSMITQ => self.transmit(queue, mem),
            _ => Ok(QueueWork::Done),
        }
    }

    /// Frames waiting for the old driver's buffers are dropped.
    fn reset(&mut self) {
        self.stats.rx_dropped += self.backlog.len() as u64;
        self.backlog.clear();
        self.header_len = HEADER_LEN;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::virtio::testing::{queue_with_chains, used, BUF};

    /// A backend whose only frame is `frame`.
    struct One(Option<Vec<u8>>);

    impl NetBackend for One {
        fn send(&mut self, _frame: &[u8]) {}

        fn recv(&mut self) -> Option<Vec<u8>> {
            self.0.take()
        }
    }

    /// §5.1.6.1: a legacy driver (no VIRTIO_F_VERSION_1, no MRG_RXBUF)
    /// gets the 10-byte header without `num_buffers`; after a reset the
    /// device expects the 12-byte one again until told otherwise.
    #[test]
    fn a_legacy_driver_gets_the_10_byte_header() {
        // One writable buffer of 100 bytes, made available.
        let (mut mem, mut queue) = queue_with_chains(8, 0x10000, &[&[(BUF, 100, true)]]);
        mem.write(PhysAddr::new(BUF), &[0xee; 100]).unwrap();
        let frame: Vec<u8> = (1..=60).collect();
        let mut net = VirtioNet::new([2, 0, 0, 0, 0, 1], Box::new(One(Some(frame.clone()))));
        net.set_driver_features(features::VIRTIO_NET_F_MAC);
        assert!(net.input_pending(RECEIVEQ));
        assert_eq!(
            net.process_queue(RECEIVEQ, &mut queue, &mut mem),
            Ok(QueueWork::Done)
        );
        let mut got = [0u8; 72];
        mem.read(PhysAddr::new(BUF), &mut got).unwrap();
        assert_eq!(got[..10], [0; 10]);
        assert_eq!(got[10..70], frame[..]);
        assert_eq!(got[70..], [0xee, 0xee], "nothing written past the frame");
        assert_eq!(used(&mem, 0), (0, 70));
        net.reset();
        assert_eq!(net.header_len, HEADER_LEN);
    }
}
