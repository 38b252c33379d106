//! virtio-net over virtio-mmio, driven as a guest driver drives it:
//! register accesses through `MmioDevice::read/write`, rings and buffers in
//! a `rivet_core::Memory`, `VirtioMmio::poll` standing in for the board's
//! time slices, and a backend in memory standing in for the network.

#![expect(
    clippy::cast_possible_truncation,
    reason = "a driver writes the low halves of addresses to the *_LOW registers; indices and lengths here are small"
)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use rivet_core::{AccessSize, Memory, PhysAddr};
use rivet_devices::virtio::features::VIRTIO_F_VERSION_1;
use rivet_devices::virtio::net::features::{VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS};
use rivet_devices::virtio::net::{FRAMES_PER_POLL, MAX_FRAME_LEN, RX_BACKLOG, WORK_PER_POLL};
use rivet_devices::virtio::status::{
    ACKNOWLEDGE, DEVICE_NEEDS_RESET, DRIVER, DRIVER_OK, FEATURES_OK,
};
use rivet_devices::virtio::{MmioVersion, NetBackend, VirtioMmio, VirtioNet};
use rivet_devices::MmioDevice;

const DEVICE_ID: u64 = 0x008;
const DEVICE_FEATURES: u64 = 0x010;
const DEVICE_FEATURES_SEL: u64 = 0x014;
const DRIVER_FEATURES: u64 = 0x020;
const DRIVER_FEATURES_SEL: u64 = 0x024;
const QUEUE_SEL: u64 = 0x030;
const QUEUE_NUM_MAX: u64 = 0x034;
const QUEUE_NUM: u64 = 0x038;
const QUEUE_READY: u64 = 0x044;
const QUEUE_NOTIFY: u64 = 0x050;
const INTERRUPT_STATUS: u64 = 0x060;
const STATUS: u64 = 0x070;
const QUEUE_DESC_LOW: u64 = 0x080;
const QUEUE_DESC_HIGH: u64 = 0x084;
const QUEUE_DRIVER_LOW: u64 = 0x090;
const QUEUE_DRIVER_HIGH: u64 = 0x094;
const QUEUE_DEVICE_LOW: u64 = 0x0a0;
const QUEUE_DEVICE_HIGH: u64 = 0x0a4;
const CONFIG: u64 = 0x100;

const F_NEXT: u16 = 1;
const F_WRITE: u16 = 2;

const RAM_BASE: u64 = 0x8000_0000;
const RAM_SIZE: u64 = 1 << 20;
const RAM_END: u64 = RAM_BASE + RAM_SIZE;
/// The rings of queue q: descriptors, available and used rings.
const fn ring(q: u64) -> (u64, u64, u64) {
    let base = RAM_BASE + 0x1_0000 * q;
    (base, base + 0x1000, base + 0x2000)
}
/// Buffers.
const BUF: u64 = RAM_BASE + 0x4_0000;

const QSIZE: u16 = 256;
const RX: u64 = 0;
const TX: u64 = 1;

/// A network in memory: what the guest sent, and what waits for it.
#[derive(Clone, Default)]
struct Wire {
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
    incoming: Arc<Mutex<VecDeque<Vec<u8>>>>,
}

impl NetBackend for Wire {
    fn send(&mut self, frame: &[u8]) {
        self.sent.lock().unwrap().push(frame.to_vec());
    }

    fn recv(&mut self) -> Option<Vec<u8>> {
        self.incoming.lock().unwrap().pop_front()
    }
}

/// A test driver with its own view of the rings.
struct Driver {
    dev: VirtioMmio,
    mem: Memory,
    avail_idx: [u16; 2],
    used_seen: [u16; 2],
    next_desc: [u16; 2],
}

const MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

impl Driver {
    /// A device on `wire`, initialised as §3.1.1 orders, modern.
    fn new(wire: &Wire) -> Self {
        let net = VirtioNet::new(MAC, Box::new(wire.clone()));
        let dev = VirtioMmio::new(Some(Box::new(net)), MmioVersion::Modern);
        let mut d = Driver {
            dev,
            mem: Memory::new(PhysAddr::new(RAM_BASE), RAM_SIZE).unwrap(),
            avail_idx: [0; 2],
            used_seen: [0; 2],
            next_desc: [0; 2],
        };
        d.w(STATUS, 0);
        d.w(STATUS, ACKNOWLEDGE);
        d.w(STATUS, ACKNOWLEDGE | DRIVER);
        d.w(DRIVER_FEATURES_SEL, 0);
        d.w(
            DRIVER_FEATURES,
            (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS) as u32,
        );
        d.w(DRIVER_FEATURES_SEL, 1);
        d.w(DRIVER_FEATURES, (VIRTIO_F_VERSION_1 >> 32) as u32);
        d.w(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
        assert_ne!(d.r(STATUS) & FEATURES_OK, 0);
        for q in [RX, TX] {
            let (desc, avail, used) = ring(q);
            d.w(QUEUE_SEL, q as u32);
            assert_eq!(d.r(QUEUE_NUM_MAX), u32::from(QSIZE));
            d.w(QUEUE_NUM, u32::from(QSIZE));
            d.w(QUEUE_DESC_LOW, desc as u32);
            d.w(QUEUE_DESC_HIGH, (desc >> 32) as u32);
            d.w(QUEUE_DRIVER_LOW, avail as u32);
            d.w(QUEUE_DRIVER_HIGH, (avail >> 32) as u32);
            d.w(QUEUE_DEVICE_LOW, used as u32);
            d.w(QUEUE_DEVICE_HIGH, (used >> 32) as u32);
            d.w(QUEUE_READY, 1);
        }
        d.w(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
        d
    }

    fn r(&mut self, offset: u64) -> u32 {
        self.dev.read(offset, AccessSize::Word) as u32
    }

    fn w(&mut self, offset: u64, value: u32) {
        self.dev.write(offset, AccessSize::Word, u64::from(value));
    }

    fn put(&mut self, addr: u64, bytes: &[u8]) {
        self.mem.write(PhysAddr::new(addr), bytes).unwrap();
    }

    fn get(&self, addr: u64, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        self.mem.read(PhysAddr::new(addr), &mut out).unwrap();
        out
    }

    /// Makes a chain of `(addr, len, flags)` buffers available on queue
    /// `q` (NEXT is added where a buffer follows); returns its head.
    fn offer(&mut self, q: u64, buffers: &[(u64, u32, u16)]) -> u16 {
        let (desc, avail, _) = ring(q);
        let qi = q as usize;
        let head = self.next_desc[qi];
        for (i, &(addr, len, flags)) in buffers.iter().enumerate() {
            let index = (head + i as u16) % QSIZE;
            let next = (index + 1) % QSIZE;
            let flags = if i + 1 < buffers.len() {
                flags | F_NEXT
            } else {
                flags
            };
            self.raw_desc(q, index, addr, len, flags, next);
        }
        self.next_desc[qi] = (head + buffers.len() as u16) % QSIZE;
        let slot = u64::from(self.avail_idx[qi] % QSIZE);
        self.put(avail + 4 + 2 * slot, &head.to_le_bytes());
        self.avail_idx[qi] = self.avail_idx[qi].wrapping_add(1);
        let idx = self.avail_idx[qi];
        self.put(avail + 2, &idx.to_le_bytes());
        let _ = desc;
        head
    }

    /// Writes descriptor `index` of queue `q` as given.
    fn raw_desc(&mut self, q: u64, index: u16, addr: u64, len: u32, flags: u16, next: u16) {
        let (desc, _, _) = ring(q);
        let mut raw = [0u8; 16];
        raw[..8].copy_from_slice(&addr.to_le_bytes());
        raw[8..12].copy_from_slice(&len.to_le_bytes());
        raw[12..14].copy_from_slice(&flags.to_le_bytes());
        raw[14..].copy_from_slice(&next.to_le_bytes());
        self.put(desc + 16 * u64::from(index), &raw);
    }

    fn notify(&mut self, q: u64) {
        self.w(QUEUE_NOTIFY, q as u32);
    }

    fn poll(&mut self) {
        self.dev.poll(&mut self.mem);
    }

    /// The used elements `(head, len)` of queue `q` since the last call.
    fn used(&mut self, q: u64) -> Vec<(u32, u32)> {
        let (_, _, used) = ring(q);
        let qi = q as usize;
        let idx = u16::from_le_bytes(self.get(used + 2, 2).try_into().unwrap());
        let mut out = Vec::new();
        while self.used_seen[qi] != idx {
            let slot = u64::from(self.used_seen[qi] % QSIZE);
            let e = self.get(used + 4 + 8 * slot, 8);
            out.push((
                u32::from_le_bytes(e[..4].try_into().unwrap()),
                u32::from_le_bytes(e[4..].try_into().unwrap()),
            ));
            self.used_seen[qi] = self.used_seen[qi].wrapping_add(1);
        }
        out
    }
}

/// A recognisable Ethernet frame of `len` bytes.
fn frame(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(7) ^ seed).collect()
}

#[test]
fn the_device_identifies_itself_with_its_mac_and_link_up() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    assert_eq!(d.r(DEVICE_ID), 1, "DeviceID 1 is a network card (§5)");
    d.w(DEVICE_FEATURES_SEL, 0);
    let low = u64::from(d.r(DEVICE_FEATURES));
    assert_eq!(
        low & 0x00ff_ffff,
        VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
        "only MAC and STATUS among the device-type bits: no offloads"
    );
    let mac: Vec<u8> = (0..6)
        .map(|i| d.dev.read(CONFIG + i, AccessSize::Byte) as u8)
        .collect();
    assert_eq!(mac, MAC);
    assert_eq!(
        d.dev.read(CONFIG + 6, AccessSize::Half),
        1,
        "VIRTIO_NET_S_LINK_UP"
    );
}

#[test]
fn a_transmitted_frame_reaches_the_backend_without_its_header() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    let f = frame(60, 1);
    // The 12-byte header in one buffer, the frame split over two.
    d.put(BUF, &[0; 12]);
    d.put(BUF + 0x100, &f[..20]);
    d.put(BUF + 0x200, &f[20..]);
    let head = d.offer(
        TX,
        &[(BUF, 12, 0), (BUF + 0x100, 20, 0), (BUF + 0x200, 40, 0)],
    );
    d.notify(TX);
    d.poll();
    assert_eq!(*wire.sent.lock().unwrap(), vec![f]);
    assert_eq!(d.used(TX), vec![(u32::from(head), 0)]);
    assert_eq!(d.r(INTERRUPT_STATUS) & 1, 1, "used buffer notification");
}

#[test]
fn a_frame_from_the_network_fills_a_receive_buffer_after_a_zero_header() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    let head = d.offer(RX, &[(BUF, 1526, F_WRITE)]);
    d.notify(RX);
    d.poll();
    assert_eq!(d.used(RX), vec![], "nothing arrived yet");
    let f = frame(1514, 2);
    wire.incoming.lock().unwrap().push_back(f.clone());
    // No notification: the frame's arrival is enough at the next poll.
    d.poll();
    assert_eq!(d.used(RX), vec![(u32::from(head), 12 + 1514)]);
    let mut header = [0u8; 12];
    header[10] = 1; // num_buffers = 1 (§5.1.6.4)
    assert_eq!(d.get(BUF, 12), header);
    assert_eq!(d.get(BUF + 12, 1514), f);
    assert_eq!(d.r(INTERRUPT_STATUS) & 1, 1);
}

#[test]
fn frames_wait_for_buffers_and_overflow_is_dropped() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    for i in 0..RX_BACKLOG + 10 {
        wire.incoming.lock().unwrap().push_back(frame(64, i as u8));
    }
    d.poll();
    assert_eq!(d.used(RX), vec![], "no buffers: nothing delivered");
    // One buffer: the oldest frame goes in it.
    d.offer(RX, &[(BUF, 2048, F_WRITE)]);
    d.notify(RX);
    d.poll();
    assert_eq!(d.used(RX).len(), 1);
    assert_eq!(d.get(BUF + 12, 64), frame(64, 0));
}

#[test]
fn a_frame_too_big_for_its_buffer_is_dropped_and_the_buffer_returned_empty() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    let small = d.offer(RX, &[(BUF, 100, F_WRITE)]);
    let big = d.offer(RX, &[(BUF + 0x1000, 2048, F_WRITE)]);
    d.notify(RX);
    wire.incoming.lock().unwrap().push_back(frame(200, 3));
    wire.incoming.lock().unwrap().push_back(frame(100, 4));
    d.poll();
    assert_eq!(
        d.used(RX),
        vec![(u32::from(small), 0), (u32::from(big), 112)]
    );
    assert_eq!(d.get(BUF + 0x1000 + 12, 100), frame(100, 4));
}

/// Malformed transmit chains cost the guest its frame, nothing more: a
/// device-writable buffer, a buffer outside RAM, a length of 4 GiB, a
/// frame over 65,550 bytes, a chain shorter than the header. Each comes
/// back used with length 0; the device stays live and sends the next
/// good frame.
#[test]
fn malformed_transmit_chains_are_dropped_without_harm() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    let bad: Vec<Vec<(u64, u32, u16)>> = vec![
        vec![(BUF, 12, 0), (BUF + 0x100, 60, F_WRITE)],
        vec![(BUF, 12, 0), (RAM_END - 10, 60, 0)],
        vec![(BUF, 12, 0), (0x1000, 60, 0)],
        vec![(BUF, 12, 0), (BUF + 0x100, u32::MAX, 0)],
        vec![(BUF, 12 + MAX_FRAME_LEN as u32 + 1, 0)],
        vec![(BUF, 11, 0)],
    ];
    let mut heads = Vec::new();
    for chain in &bad {
        heads.push(d.offer(TX, chain));
    }
    let good = frame(60, 5);
    d.put(BUF + 0x8000, &[0; 12]);
    d.put(BUF + 0x8000 + 12, &good);
    heads.push(d.offer(TX, &[(BUF + 0x8000, 72, 0)]));
    d.notify(TX);
    d.poll();
    let used = d.used(TX);
    assert_eq!(
        used,
        heads.iter().map(|&h| (u32::from(h), 0)).collect::<Vec<_>>()
    );
    assert_eq!(*wire.sent.lock().unwrap(), vec![good]);
    assert_eq!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0, "the device stays live");
}

/// A frame of exactly 65,550 bytes is the largest that goes out.
#[test]
fn the_largest_frame_goes_out() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    let f = frame(MAX_FRAME_LEN, 6);
    d.put(BUF, &[0; 12]);
    d.put(BUF + 12, &f);
    d.offer(TX, &[(BUF, 12 + MAX_FRAME_LEN as u32, 0)]);
    d.notify(TX);
    d.poll();
    assert_eq!(wire.sent.lock().unwrap().len(), 1);
    assert_eq!(wire.sent.lock().unwrap()[0], f);
}

/// A chain that loops (a descriptor whose `next` is itself) breaks the
/// queue's rules (§2.7.5.3.1): the device needs a reset, the host goes on.
#[test]
fn a_looping_transmit_chain_puts_the_device_in_needs_reset() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    d.raw_desc(TX, 0, BUF, 64, F_NEXT, 0);
    let (_, avail, _) = ring(TX);
    d.put(avail + 4, &0u16.to_le_bytes());
    d.put(avail + 2, &1u16.to_le_bytes());
    d.notify(TX);
    d.poll();
    assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
    assert!(wire.sent.lock().unwrap().is_empty());
}

/// One poll moves at most FRAMES_PER_POLL frames; the rest go at the next.
#[test]
fn work_per_poll_is_bounded() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    d.put(BUF, &[0; 12 + 60]);
    for _ in 0..QSIZE {
        d.offer(TX, &[(BUF, 72, 0)]);
    }
    d.notify(TX);
    d.poll();
    assert_eq!(wire.sent.lock().unwrap().len(), FRAMES_PER_POLL);
    assert!(d.dev.is_busy(), "work left: the board must not sleep");
    d.poll();
    assert_eq!(wire.sent.lock().unwrap().len(), usize::from(QSIZE));
    assert!(!d.dev.is_busy());
}

/// Large frames use the poll's work budget up before its frame count:
/// 256 frames of 65,550 bytes (all from one buffer) take several polls.
#[test]
fn large_frames_are_bounded_by_bytes_per_poll() {
    let wire = Wire::default();
    let mut d = Driver::new(&wire);
    let len = 12 + MAX_FRAME_LEN as u32;
    for _ in 0..QSIZE {
        d.offer(TX, &[(BUF, len, 0)]);
    }
    d.notify(TX);
    d.poll();
    let first = wire.sent.lock().unwrap().len();
    let per_poll = (WORK_PER_POLL / u64::from(len + 64)) as usize + 1;
    assert!(first > 0 && first <= per_poll, "{first} frames in one poll");
    for _ in 0..usize::from(QSIZE).div_ceil(first) {
        d.poll();
    }
    assert_eq!(wire.sent.lock().unwrap().len(), usize::from(QSIZE));
    assert!(!d.dev.is_busy());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary descriptor tables on both queues never panic the host,
    /// and whatever the device sends is at most 65,550 bytes.
    #[test]
    fn arbitrary_descriptors_never_panic(
        descs in proptest::collection::vec(
            (prop_oneof![Just(BUF), Just(RAM_END - 8), any::<u64>()],
             prop_oneof![Just(12u32), Just(72), Just(2048), any::<u32>()],
             0u16..8, 0u16..QSIZE), 1..8),
        heads in proptest::collection::vec(0u16..QSIZE, 1..8),
        incoming in 0usize..4,
    ) {
        let wire = Wire::default();
        let mut d = Driver::new(&wire);
        for q in [RX, TX] {
            for (i, &(addr, len, flags, next)) in descs.iter().enumerate() {
                d.raw_desc(q, i as u16, addr, len, flags, next);
            }
            let (_, avail, _) = ring(q);
            for (i, h) in heads.iter().enumerate() {
                d.put(avail + 4 + 2 * i as u64, &h.to_le_bytes());
            }
            d.put(avail + 2, &(heads.len() as u16).to_le_bytes());
            d.notify(q);
        }
        for i in 0..incoming {
            wire.incoming.lock().unwrap().push_back(frame(64 + i * 500, i as u8));
        }
        d.poll();
        d.poll();
        for f in wire.sent.lock().unwrap().iter() {
            prop_assert!(f.len() <= MAX_FRAME_LEN);
        }
    }
}
