//! virtio-blk over virtio-mmio, driven exactly as a guest driver drives it:
//! register accesses through `MmioDevice::read/write`, rings and buffers in
//! a `rivet_core::Memory`, and `VirtioMmio::poll` standing in for the
//! board's time slices.

#![expect(
    clippy::cast_possible_truncation,
    reason = "a driver writes the low halves of addresses to the *_LOW registers and reads word and byte registers as u32 and u8; indices and lengths here are small"
)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use rivet_core::{AccessSize, Memory, PhysAddr};
use rivet_devices::boot::{BootConfig, Firmware};
use rivet_devices::virt::DriveConfig;
use rivet_devices::virtio::block::{
    features::{VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_RO, VIRTIO_BLK_F_SEG_MAX},
    VIRTIO_BLK_S_IOERR, VIRTIO_BLK_S_OK, VIRTIO_BLK_S_UNSUPP, VIRTIO_BLK_T_FLUSH,
    VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT,
};
use rivet_devices::virtio::disk::DiskBackend;
use rivet_devices::virtio::features::{
    VIRTIO_F_EVENT_IDX, VIRTIO_F_INDIRECT_DESC, VIRTIO_F_VERSION_1,
};
use rivet_devices::virtio::status::{
    ACKNOWLEDGE, DEVICE_NEEDS_RESET, DRIVER, DRIVER_OK, FEATURES_OK,
};
use rivet_devices::virtio::{Disk, DiskError, DiskMode, MmioVersion, VirtioBlock, VirtioMmio};
use rivet_devices::{BufferConsole, MmioDevice, VirtConfig, VirtMachine};

// ----- registers (virtio 1.2 §4.2.2, §4.2.4) -----

const MAGIC_VALUE: u64 = 0x000;
const VERSION: u64 = 0x004;
const DEVICE_ID: u64 = 0x008;
const VENDOR_ID: u64 = 0x00c;
const DEVICE_FEATURES: u64 = 0x010;
const DEVICE_FEATURES_SEL: u64 = 0x014;
const DRIVER_FEATURES: u64 = 0x020;
const DRIVER_FEATURES_SEL: u64 = 0x024;
const GUEST_PAGE_SIZE: u64 = 0x028;
const QUEUE_SEL: u64 = 0x030;
const QUEUE_NUM_MAX: u64 = 0x034;
const QUEUE_NUM: u64 = 0x038;
const QUEUE_ALIGN: u64 = 0x03c;
const QUEUE_PFN: u64 = 0x040;
const QUEUE_READY: u64 = 0x044;
const QUEUE_NOTIFY: u64 = 0x050;
const INTERRUPT_STATUS: u64 = 0x060;
const INTERRUPT_ACK: u64 = 0x064;
const STATUS: u64 = 0x070;
const QUEUE_DESC_LOW: u64 = 0x080;
const QUEUE_DESC_HIGH: u64 = 0x084;
const QUEUE_DRIVER_LOW: u64 = 0x090;
const QUEUE_DRIVER_HIGH: u64 = 0x094;
const QUEUE_DEVICE_LOW: u64 = 0x0a0;
const QUEUE_DEVICE_HIGH: u64 = 0x0a4;
const CONFIG_GENERATION: u64 = 0x0fc;
const CONFIG: u64 = 0x100;

const F_NEXT: u16 = 1;
const F_WRITE: u16 = 2;
const F_INDIRECT: u16 = 4;

// ----- guest memory layout -----

const RAM_BASE: u64 = 0x8000_0000;
const RAM_SIZE: u64 = 1 << 20;
const RAM_END: u64 = RAM_BASE + RAM_SIZE;
/// Modern rings.
const DESC: u64 = RAM_BASE + 0x1000;
const AVAIL: u64 = RAM_BASE + 0x3000;
const USED: u64 = RAM_BASE + 0x4000;
/// The legacy queue block (QueuePFN points here).
const LEGACY_QUEUE: u64 = RAM_BASE + 0x8000;
/// Request header, status byte and an indirect table.
const HEADER: u64 = RAM_BASE + 0x10000;
const STATUS_BYTE: u64 = RAM_BASE + 0x10100;
const INDIRECT_TABLE: u64 = RAM_BASE + 0x10200;
/// Data buffers.
const DATA: u64 = RAM_BASE + 0x20000;

const SECTORS: u64 = 64;

// ----- temporary images -----

/// A disk image file under Cargo's scratch directory, removed on drop.
struct TempImage {
    path: PathBuf,
}

impl TempImage {
    fn new(name: &str, contents: &[u8]) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("virtio-blk-{name}-{}-{n}.img", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        TempImage { path }
    }

    fn contents(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }
}

impl Drop for TempImage {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Recognisable contents: each sector differs from its neighbours.
fn pattern(sectors: u64) -> Vec<u8> {
    (0..sectors * 512)
        .map(|i| (i % 251) as u8 ^ (i / 512) as u8)
        .collect()
}

// ----- a test driver -----

/// What came back for one request.
#[derive(Debug)]
struct Completion {
    head: u32,
    used_len: u32,
    status: u8,
    data: Vec<u8>,
}

/// How a request's data travels.
enum Data<'a> {
    None,
    In(u32),
    Out(&'a [u8]),
}

/// A minimal virtio driver: one queue of `size` entries.
struct Driver {
    dev: VirtioMmio,
    mem: Memory,
    size: u16,
    desc: u64,
    avail: u64,
    used: u64,
    avail_idx: u16,
    used_seen: u16,
}

impl Driver {
    fn new(disk: Disk, version: MmioVersion) -> Self {
        let block = VirtioBlock::new(disk, "rivet-disk0");
        Driver {
            dev: VirtioMmio::new(Some(Box::new(block)), version),
            mem: Memory::new(PhysAddr::new(RAM_BASE), RAM_SIZE).unwrap(),
            size: 0,
            desc: DESC,
            avail: AVAIL,
            used: USED,
            avail_idx: 0,
            used_seen: 0,
        }
    }

    fn open(image: &TempImage, mode: DiskMode, version: MmioVersion) -> Self {
        Driver::new(Disk::open(&image.path, mode).unwrap(), version)
    }

    fn r(&mut self, offset: u64) -> u32 {
        self.dev.read(offset, AccessSize::Word) as u32
    }

    fn w(&mut self, offset: u64, value: u32) {
        self.dev.write(offset, AccessSize::Word, u64::from(value));
    }

    fn device_features(&mut self) -> u64 {
        self.w(DEVICE_FEATURES_SEL, 1);
        let high = u64::from(self.r(DEVICE_FEATURES));
        self.w(DEVICE_FEATURES_SEL, 0);
        let low = u64::from(self.r(DEVICE_FEATURES));
        high << 32 | low
    }

    fn write_driver_features(&mut self, features: u64) {
        self.w(DRIVER_FEATURES_SEL, 1);
        self.w(DRIVER_FEATURES, (features >> 32) as u32);
        self.w(DRIVER_FEATURES_SEL, 0);
        self.w(DRIVER_FEATURES, features as u32);
    }

    /// §3.1.1 up to FEATURES_OK: returns the status read back.
    fn negotiate(&mut self, features: u64) -> u32 {
        self.w(STATUS, 0);
        assert_eq!(self.r(STATUS), 0);
        self.w(STATUS, ACKNOWLEDGE);
        self.w(STATUS, ACKNOWLEDGE | DRIVER);
        self.write_driver_features(features);
        self.w(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
        self.r(STATUS)
    }

    /// The whole modern initialization (§3.1.1, §4.2.3.2) with a queue of
    /// `size` entries; accepts `wanted` among the offered features.
    fn init_modern(&mut self, wanted: u64, size: u16) -> u64 {
        assert_eq!(self.r(MAGIC_VALUE), 0x7472_6976);
        assert_eq!(self.r(VERSION), 2);
        assert_eq!(self.r(DEVICE_ID), 2);
        let offered = self.device_features();
        let features = offered & wanted;
        let status = self.negotiate(features);
        assert_ne!(status & FEATURES_OK, 0, "device refused {features:#x}");
        self.w(QUEUE_SEL, 0);
        assert_eq!(self.r(QUEUE_READY), 0);
        assert!(self.r(QUEUE_NUM_MAX) >= u32::from(size));
        // §4.2.3.2: allocate and zero the queue memory.
        self.mem
            .fill(PhysAddr::new(DESC), USED + 0x1000 - DESC, 0)
            .unwrap();
        self.w(QUEUE_NUM, u32::from(size));
        self.w(QUEUE_DESC_LOW, DESC as u32);
        self.w(QUEUE_DESC_HIGH, (DESC >> 32) as u32);
        self.w(QUEUE_DRIVER_LOW, AVAIL as u32);
        self.w(QUEUE_DRIVER_HIGH, (AVAIL >> 32) as u32);
        self.w(QUEUE_DEVICE_LOW, USED as u32);
        self.w(QUEUE_DEVICE_HIGH, (USED >> 32) as u32);
        self.w(QUEUE_READY, 1);
        assert_eq!(self.r(QUEUE_READY), 1);
        self.w(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
        self.size = size;
        self.avail_idx = 0;
        self.used_seen = 0;
        features
    }

    /// The legacy initialization (§3.1.2, §4.2.4), as Linux does it: the
    /// page size at probe time, then a reset, then the queue by PFN.
    fn init_legacy(&mut self, wanted: u64, size: u16) -> u64 {
        assert_eq!(self.r(VERSION), 1);
        self.w(GUEST_PAGE_SIZE, 4096);
        self.w(STATUS, 0);
        self.w(STATUS, ACKNOWLEDGE);
        self.w(STATUS, ACKNOWLEDGE | DRIVER);
        let offered = self.device_features();
        let features = offered & wanted;
        self.write_driver_features(features);
        self.w(QUEUE_SEL, 0);
        assert_eq!(self.r(QUEUE_PFN), 0);
        assert!(self.r(QUEUE_NUM_MAX) >= u32::from(size));
        self.mem
            .fill(PhysAddr::new(LEGACY_QUEUE), 0x4000, 0)
            .unwrap();
        self.w(QUEUE_NUM, u32::from(size));
        self.w(QUEUE_ALIGN, 4096);
        self.w(QUEUE_PFN, (LEGACY_QUEUE >> 12) as u32);
        self.w(STATUS, ACKNOWLEDGE | DRIVER | DRIVER_OK);
        // §2.7.2: descriptors, then the available ring, then the used ring
        // at the next 4096-byte boundary.
        let n = u64::from(size);
        self.size = size;
        self.desc = LEGACY_QUEUE;
        self.avail = LEGACY_QUEUE + 16 * n;
        self.used = (self.avail + 6 + 2 * n + 4095) & !4095;
        self.avail_idx = 0;
        self.used_seen = 0;
        features
    }

    fn write_desc(&mut self, table: u64, index: u16, addr: u64, len: u32, flags: u16, next: u16) {
        let at = PhysAddr::new(table + 16 * u64::from(index));
        let mut raw = [0u8; 16];
        raw[0..8].copy_from_slice(&addr.to_le_bytes());
        raw[8..12].copy_from_slice(&len.to_le_bytes());
        raw[12..14].copy_from_slice(&flags.to_le_bytes());
        raw[14..16].copy_from_slice(&next.to_le_bytes());
        self.mem.write(at, &raw).unwrap();
    }

    fn write_u16(&mut self, addr: u64, value: u16) {
        self.mem
            .write(PhysAddr::new(addr), &value.to_le_bytes())
            .unwrap();
    }

    fn read_u16(&self, addr: u64) -> u16 {
        let mut buf = [0u8; 2];
        self.mem.read(PhysAddr::new(addr), &mut buf).unwrap();
        u16::from_le_bytes(buf)
    }

    fn read_bytes(&self, addr: u64, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        self.mem.read(PhysAddr::new(addr), &mut buf).unwrap();
        buf
    }

    /// Writes `descs` (address, length, flags) into the descriptor table
    /// from index `first` on, chained in order.
    fn write_chain(&mut self, first: u16, descs: &[(u64, u32, u16)]) {
        for (i, &(addr, len, flags)) in descs.iter().enumerate() {
            let index = first + i as u16;
            let more = i + 1 < descs.len();
            let flags = if more { flags | F_NEXT } else { flags };
            self.write_desc(self.desc, index, addr, len, flags, index + 1);
        }
    }

    /// Makes the chain at `head` available without notifying.
    fn make_available(&mut self, head: u16) {
        let slot = u64::from(self.avail_idx % self.size);
        self.write_u16(self.avail + 4 + 2 * slot, head);
        self.avail_idx = self.avail_idx.wrapping_add(1);
        self.write_u16(self.avail + 2, self.avail_idx);
    }

    fn notify_and_poll(&mut self) {
        self.w(QUEUE_NOTIFY, 0);
        self.dev.poll(&mut self.mem);
    }

    fn used_idx(&self) -> u16 {
        self.read_u16(self.used + 2)
    }

    /// The next used element, if the device produced one.
    fn take_used(&mut self) -> Option<(u32, u32)> {
        if self.used_idx() == self.used_seen {
            return None;
        }
        let slot = u64::from(self.used_seen % self.size);
        let elem = self.read_bytes(self.used + 4 + 8 * slot, 8);
        self.used_seen = self.used_seen.wrapping_add(1);
        Some((
            u32::from_le_bytes(elem[0..4].try_into().unwrap()),
            u32::from_le_bytes(elem[4..8].try_into().unwrap()),
        ))
    }

    /// Sends one request as Linux lays it out (header, data, status), and
    /// returns what came back. With `indirect`, the three descriptors sit
    /// in an indirect table that descriptor 0 points at.
    fn request(&mut self, ty: u32, sector: u64, data: Data<'_>, indirect: bool) -> Completion {
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&ty.to_le_bytes());
        header[8..16].copy_from_slice(&sector.to_le_bytes());
        self.mem.write(PhysAddr::new(HEADER), &header).unwrap();
        self.mem.write(PhysAddr::new(STATUS_BYTE), &[0xff]).unwrap();
        let mut descs = vec![(HEADER, 16, 0)];
        let in_len = match data {
            Data::None => 0,
            Data::In(len) => {
                self.mem
                    .fill(PhysAddr::new(DATA), u64::from(len), 0xaa)
                    .unwrap();
                descs.push((DATA, len, F_WRITE));
                len
            }
            Data::Out(bytes) => {
                self.mem.write(PhysAddr::new(DATA), bytes).unwrap();
                descs.push((DATA, bytes.len() as u32, 0));
                0
            }
        };
        descs.push((STATUS_BYTE, 1, F_WRITE));
        if indirect {
            for (i, &(addr, len, flags)) in descs.iter().enumerate() {
                let more = i + 1 < descs.len();
                let flags = if more { flags | F_NEXT } else { flags };
                self.write_desc(INDIRECT_TABLE, i as u16, addr, len, flags, i as u16 + 1);
            }
            let table_len = 16 * descs.len() as u32;
            self.write_chain(0, &[(INDIRECT_TABLE, table_len, F_INDIRECT)]);
        } else {
            self.write_chain(0, &descs);
        }
        self.make_available(0);
        self.notify_and_poll();
        let (head, used_len) = self.take_used().expect("the device used the request");
        Completion {
            head,
            used_len,
            status: self.read_bytes(STATUS_BYTE, 1)[0],
            data: self.read_bytes(DATA, in_len as usize),
        }
    }

    fn read_sectors(&mut self, sector: u64, count: u32) -> Completion {
        self.request(VIRTIO_BLK_T_IN, sector, Data::In(count * 512), false)
    }

    fn write_sectors(&mut self, sector: u64, data: &[u8]) -> Completion {
        self.request(VIRTIO_BLK_T_OUT, sector, Data::Out(data), false)
    }

    /// Acknowledges every pending interrupt; returns what was pending.
    fn ack(&mut self) -> u32 {
        let pending = self.r(INTERRUPT_STATUS);
        self.w(INTERRUPT_ACK, pending);
        pending
    }
}

const ALL: u64 = u64::MAX;

fn modern(image: &TempImage, mode: DiskMode) -> Driver {
    let mut d = Driver::open(image, mode, MmioVersion::Modern);
    d.init_modern(ALL, 16);
    d
}

// ----- initialization and registers -----

#[test]
fn modern_identification_features_and_config() {
    let image = TempImage::new("ident", &pattern(SECTORS));
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Modern);
    assert_eq!(d.r(MAGIC_VALUE), 0x7472_6976);
    assert_eq!(d.r(VERSION), 2);
    assert_eq!(d.r(DEVICE_ID), 2);
    assert_eq!(d.r(VENDOR_ID), 0x554d_4551);
    let offered = d.device_features();
    for bit in [
        VIRTIO_F_VERSION_1,
        VIRTIO_F_INDIRECT_DESC,
        VIRTIO_F_EVENT_IDX,
        VIRTIO_BLK_F_SEG_MAX,
        VIRTIO_BLK_F_BLK_SIZE,
        VIRTIO_BLK_F_FLUSH,
    ] {
        assert_ne!(offered & bit, 0, "feature {bit:#x} offered");
    }
    assert_eq!(offered & VIRTIO_BLK_F_RO, 0);

    // Configuration space: capacity (64-bit, read as two words as Linux
    // does, and whole), seg_max, blk_size; narrow reads too.
    let low = d.dev.read(CONFIG, AccessSize::Word);
    let high = d.dev.read(CONFIG + 4, AccessSize::Word);
    assert_eq!(high << 32 | low, SECTORS);
    assert_eq!(d.dev.read(CONFIG, AccessSize::Double), SECTORS);
    assert_eq!(d.dev.read(CONFIG, AccessSize::Byte), SECTORS);
    assert_eq!(d.dev.read(CONFIG + 12, AccessSize::Word), 254);
    assert_eq!(d.dev.read(CONFIG + 20, AccessSize::Word), 512);
    assert_eq!(d.dev.read(CONFIG + 20, AccessSize::Half), 512);
    assert_eq!(d.dev.read(CONFIG + 0x80, AccessSize::Word), 0);
    assert_eq!(d.r(CONFIG_GENERATION), 0);

    let features = d.init_modern(ALL, 16);
    assert_eq!(features, offered);
    assert_eq!(d.dev.negotiated_features(), offered);
    assert_eq!(d.r(STATUS), ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    assert_eq!(d.r(QUEUE_NUM_MAX), 256);
    // A queue that does not exist.
    d.w(QUEUE_SEL, 1);
    assert_eq!(d.r(QUEUE_NUM_MAX), 0);
    assert_eq!(d.dev.stats().bad_accesses, 0);
}

#[test]
fn features_not_offered_are_refused() {
    let image = TempImage::new("refuse", &pattern(SECTORS));
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Modern);
    // VIRTIO_BLK_F_RO is not offered for a writable disk.
    let status = d.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_RO);
    assert_eq!(status & FEATURES_OK, 0);
    assert_eq!(d.dev.stats().driver_errors, 1);
    // A valid subset is accepted after a reset.
    let status = d.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
    assert_ne!(status & FEATURES_OK, 0);
    // Features are frozen once FEATURES_OK is set.
    d.write_driver_features(ALL);
    assert_eq!(
        d.dev.negotiated_features(),
        VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH
    );
}

#[test]
fn a_driver_that_never_accepts_version_1_still_works() {
    // xv6-riscv writes only the low feature word, so it never accepts
    // VIRTIO_F_VERSION_1; QEMU lets it run, and so must we.
    let image = TempImage::new("xv6", &pattern(SECTORS));
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Modern);
    let features = d.init_modern(u64::from(u32::MAX) & !VIRTIO_F_EVENT_IDX, 8);
    assert_eq!(features & VIRTIO_F_VERSION_1, 0);
    let c = d.read_sectors(1, 2);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.data, image.contents()[512..1536]);
}

#[test]
fn registers_reject_wrong_widths_and_directions() {
    let image = TempImage::new("widths", &pattern(SECTORS));
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Modern);
    assert_eq!(d.dev.read(MAGIC_VALUE, AccessSize::Half), 0);
    assert_eq!(d.dev.read(MAGIC_VALUE, AccessSize::Double), 0);
    assert_eq!(d.dev.read(MAGIC_VALUE + 1, AccessSize::Word), 0);
    assert_eq!(d.r(QUEUE_NOTIFY), 0); // write-only
    assert_eq!(d.r(QUEUE_PFN), 0); // legacy only
    assert_eq!(d.r(0x0f0), 0); // nothing there
    d.dev.write(STATUS, AccessSize::Byte, 1);
    d.w(MAGIC_VALUE, 0); // read-only
    assert_eq!(d.r(STATUS), 0);
    assert_eq!(d.r(MAGIC_VALUE), 0x7472_6976);
    assert_eq!(d.dev.stats().bad_accesses, 8);
}

#[test]
fn an_empty_slot_identifies_as_device_zero() {
    let mut dev = VirtioMmio::new(None, MmioVersion::Modern);
    let mut mem = Memory::new(PhysAddr::new(RAM_BASE), RAM_SIZE).unwrap();
    assert_eq!(dev.read(MAGIC_VALUE, AccessSize::Word), 0x7472_6976);
    assert_eq!(dev.read(VERSION, AccessSize::Word), 2);
    assert_eq!(dev.read(DEVICE_ID, AccessSize::Word), 0);
    assert_eq!(dev.read(VENDOR_ID, AccessSize::Word), 0x554d_4551);
    assert_eq!(dev.read(DEVICE_FEATURES, AccessSize::Word), 0);
    assert_eq!(dev.read(CONFIG, AccessSize::Word), 0);
    dev.write(STATUS, AccessSize::Word, 0xf);
    dev.write(QUEUE_NOTIFY, AccessSize::Word, 0);
    assert_eq!(dev.read(STATUS, AccessSize::Word), 0);
    dev.poll(&mut mem);
    assert!(!dev.interrupt_pending());
    assert!(dev.flush().is_ok());
    let legacy = VirtioMmio::new(None, MmioVersion::Legacy);
    assert_eq!(legacy.device_id(), 0);
}

// ----- I/O -----

#[test]
fn reads_and_writes_sectors_through_to_the_file() {
    let original = pattern(SECTORS);
    let image = TempImage::new("rw", &original);
    let mut d = modern(&image, DiskMode::ReadWrite);

    let c = d.read_sectors(2, 3);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.head, 0);
    assert_eq!(c.used_len, 3 * 512 + 1);
    assert_eq!(c.data, original[2 * 512..5 * 512]);
    assert!(d.dev.interrupt_pending());
    assert_eq!(d.ack(), 1);
    assert!(!d.dev.interrupt_pending());

    let new: Vec<u8> = (0..1024).map(|i| (i * 3 + 1) as u8).collect();
    let c = d.write_sectors(10, &new);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.used_len, 1);
    let c = d.request(VIRTIO_BLK_T_FLUSH, 0, Data::None, false);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);

    let mut expected = original.clone();
    expected[10 * 512..12 * 512].copy_from_slice(&new);
    assert_eq!(image.contents(), expected);
    let c = d.read_sectors(9, 4);
    assert_eq!(c.data, expected[9 * 512..13 * 512]);
    // The last sector is reachable; past it is not.
    assert_eq!(d.read_sectors(SECTORS - 1, 1).status, VIRTIO_BLK_S_OK);
    assert!(d.dev.flush().is_ok());
}

#[test]
fn requests_larger_than_the_bounce_buffer() {
    let original = pattern(512);
    let image = TempImage::new("big", &original);
    let mut d = modern(&image, DiskMode::ReadWrite);
    // 200 KiB in one buffer, then spread over many small descriptors.
    let c = d.read_sectors(3, 400);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.data, original[3 * 512..403 * 512]);

    let mut header = [0u8; 16];
    header[0..4].copy_from_slice(&VIRTIO_BLK_T_IN.to_le_bytes());
    header[8..16].copy_from_slice(&7u64.to_le_bytes());
    d.mem.write(PhysAddr::new(HEADER), &header).unwrap();
    // Header split in two, data in 100-byte pieces, status after the last.
    let mut descs = vec![(HEADER, 5, 0), (HEADER + 5, 11, 0)];
    for i in 0..10 {
        descs.push((DATA + 100 * i, 100, F_WRITE));
    }
    descs.push((DATA + 1000, 24 + 1, F_WRITE)); // 24 data bytes + status
    d.write_chain(0, &descs);
    d.make_available(0);
    d.notify_and_poll();
    let (_, used_len) = d.take_used().unwrap();
    assert_eq!(used_len, 1025);
    assert_eq!(d.read_bytes(DATA + 1024, 1)[0], VIRTIO_BLK_S_OK);
    assert_eq!(d.read_bytes(DATA, 1024), original[7 * 512..9 * 512]);
}

#[test]
fn get_id_returns_the_serial() {
    let image = TempImage::new("id", &pattern(SECTORS));
    let mut d = modern(&image, DiskMode::ReadWrite);
    let c = d.request(VIRTIO_BLK_T_GET_ID, 0, Data::In(20), false);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.used_len, 21);
    let mut expected = [0u8; 20];
    expected[..11].copy_from_slice(b"rivet-disk0");
    assert_eq!(c.data, expected);
}

#[test]
fn unsupported_request_types() {
    let image = TempImage::new("unsupp", &pattern(SECTORS));
    let mut d = modern(&image, DiskMode::ReadWrite);
    for ty in [2, 11, 13, 0x8000_0000] {
        let c = d.request(ty, 0, Data::None, false);
        assert_eq!(c.status, VIRTIO_BLK_S_UNSUPP, "type {ty}");
    }
    assert_eq!(image.contents(), pattern(SECTORS));
}

#[test]
fn indirect_descriptors() {
    let original = pattern(SECTORS);
    let image = TempImage::new("indirect", &original);
    let mut d = modern(&image, DiskMode::ReadWrite);
    let c = d.request(VIRTIO_BLK_T_IN, 4, Data::In(1024), true);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.data, original[4 * 512..6 * 512]);
    let new = vec![0x5a; 512];
    let c = d.request(VIRTIO_BLK_T_OUT, 1, Data::Out(&new), true);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(image.contents()[512..1024], new[..]);

    // §2.7.5.3.2: direct descriptors followed by one indirect descriptor.
    let mut header = [0u8; 16];
    header[8..16].copy_from_slice(&6u64.to_le_bytes());
    d.mem.write(PhysAddr::new(HEADER), &header).unwrap();
    d.write_desc(INDIRECT_TABLE, 0, DATA, 512, F_WRITE | F_NEXT, 1);
    d.write_desc(INDIRECT_TABLE, 1, STATUS_BYTE, 1, F_WRITE, 0);
    d.write_chain(3, &[(HEADER, 16, 0), (INDIRECT_TABLE, 32, F_INDIRECT)]);
    d.make_available(3);
    d.notify_and_poll();
    assert_eq!(d.take_used(), Some((3, 513)));
    assert_eq!(d.read_bytes(STATUS_BYTE, 1)[0], VIRTIO_BLK_S_OK);
    assert_eq!(d.read_bytes(DATA, 512), original[6 * 512..7 * 512]);
}

#[test]
fn malformed_indirect_tables_need_a_reset() {
    let image = TempImage::new("badind", &pattern(SECTORS));
    // Each case: the table descriptor's (address, length, flags).
    let cases = [
        (INDIRECT_TABLE, 40, F_INDIRECT),          // not a multiple of 16
        (INDIRECT_TABLE, 0, F_INDIRECT),           // empty
        (RAM_END - 16, 32, F_INDIRECT),            // past the end of RAM
        (INDIRECT_TABLE, 32, F_INDIRECT | F_NEXT), // INDIRECT with NEXT
    ];
    for (addr, len, flags) in cases {
        let mut d = modern(&image, DiskMode::Snapshot);
        d.write_desc(INDIRECT_TABLE, 0, HEADER, 16, F_NEXT, 1);
        d.write_desc(INDIRECT_TABLE, 1, STATUS_BYTE, 1, F_WRITE, 0);
        d.write_desc(DESC, 0, addr, len, flags, 1);
        d.make_available(0);
        d.notify_and_poll();
        assert_ne!(
            d.r(STATUS) & DEVICE_NEEDS_RESET,
            0,
            "{addr:#x} {len} {flags}"
        );
    }
    // A nested table.
    let mut d = modern(&image, DiskMode::Snapshot);
    d.write_desc(INDIRECT_TABLE, 0, INDIRECT_TABLE, 16, F_INDIRECT, 0);
    d.write_desc(DESC, 0, INDIRECT_TABLE, 16, F_INDIRECT, 0);
    d.make_available(0);
    d.notify_and_poll();
    assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
    // Indirect descriptors without the feature.
    let mut d = Driver::open(&image, DiskMode::Snapshot, MmioVersion::Modern);
    d.init_modern(ALL & !VIRTIO_F_INDIRECT_DESC, 16);
    d.write_desc(DESC, 0, INDIRECT_TABLE, 32, F_INDIRECT, 0);
    d.make_available(0);
    d.notify_and_poll();
    assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
}

// ----- notification suppression -----

#[test]
fn event_idx_suppresses_interrupts_until_used_event_is_crossed() {
    let image = TempImage::new("eventidx", &pattern(SECTORS));
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Modern);
    let features = d.init_modern(ALL, 16);
    assert_ne!(features & VIRTIO_F_EVENT_IDX, 0);
    let used_event = d.avail + 4 + 2 * 16;
    let avail_event = d.used + 4 + 8 * 16;
    // "Interrupt me once the entry with index 2 is written."
    d.write_u16(used_event, 2);
    // The flag is ignored under EVENT_IDX.
    d.write_u16(d.avail, 0);
    for expected in [false, false, true, false] {
        let c = d.read_sectors(0, 1);
        assert_eq!(c.status, VIRTIO_BLK_S_OK);
        assert_eq!(
            d.dev.interrupt_pending(),
            expected,
            "used idx {}",
            d.used_idx()
        );
        d.ack();
        // The device asks to be notified for the next buffer.
        assert_eq!(d.read_u16(avail_event), d.avail_idx);
    }
    // Two requests in one batch whose range holds used_event.
    d.write_u16(used_event, 5);
    d.write_chain(
        0,
        &[
            (HEADER, 16, 0),
            (DATA, 512, F_WRITE),
            (STATUS_BYTE, 1, F_WRITE),
        ],
    );
    d.write_chain(
        4,
        &[
            (HEADER, 16, 0),
            (DATA, 512, F_WRITE),
            (STATUS_BYTE, 1, F_WRITE),
        ],
    );
    d.make_available(0);
    d.make_available(4);
    d.notify_and_poll();
    assert_eq!(d.used_idx(), 6);
    assert!(d.dev.interrupt_pending());
    d.ack();
    // Wrapping: used_event just behind the used index means "not until the
    // index comes round again".
    d.write_u16(used_event, 5);
    d.take_used();
    d.take_used();
    d.read_sectors(0, 1);
    assert!(!d.dev.interrupt_pending());
}

#[test]
fn no_interrupt_flag_without_event_idx() {
    let image = TempImage::new("noint", &pattern(SECTORS));
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Modern);
    d.init_modern(ALL & !VIRTIO_F_EVENT_IDX, 16);
    d.write_u16(d.avail, 1); // VIRTQ_AVAIL_F_NO_INTERRUPT
    d.read_sectors(0, 1);
    assert!(!d.dev.interrupt_pending());
    d.write_u16(d.avail, 0);
    d.read_sectors(0, 1);
    assert!(d.dev.interrupt_pending());
}

#[test]
fn notifications_before_driver_ok_wait() {
    let image = TempImage::new("early", &pattern(SECTORS));
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Modern);
    // Everything set up except DRIVER_OK.
    assert_ne!(d.negotiate(VIRTIO_F_VERSION_1) & FEATURES_OK, 0);
    d.w(QUEUE_SEL, 0);
    d.w(QUEUE_NUM, 16);
    d.w(QUEUE_DESC_LOW, DESC as u32);
    d.w(QUEUE_DRIVER_LOW, AVAIL as u32);
    d.w(QUEUE_DEVICE_LOW, USED as u32);
    d.w(QUEUE_READY, 1);
    d.size = 16;
    d.write_chain(
        0,
        &[
            (HEADER, 16, 0),
            (DATA, 512, F_WRITE),
            (STATUS_BYTE, 1, F_WRITE),
        ],
    );
    d.make_available(0);
    d.notify_and_poll();
    assert_eq!(d.used_idx(), 0, "no buffer consumed before DRIVER_OK");
    d.w(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    d.dev.poll(&mut d.mem);
    assert_eq!(d.used_idx(), 1, "the notification waited");
    assert!(d.dev.interrupt_pending());
}

// ----- legacy -----

#[test]
fn legacy_init_and_io() {
    let original = pattern(SECTORS);
    let image = TempImage::new("legacy", &original);
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Legacy);
    assert_eq!(d.r(MAGIC_VALUE), 0x7472_6976);
    assert_eq!(d.r(DEVICE_ID), 2);
    let offered = d.device_features();
    assert_eq!(offered & VIRTIO_F_VERSION_1, 0);
    assert_eq!(offered >> 32, 0);
    assert_ne!(offered & VIRTIO_F_INDIRECT_DESC, 0);
    // Modern-only registers do not exist here.
    assert_eq!(d.r(QUEUE_READY), 0);
    assert_eq!(d.r(CONFIG_GENERATION), 0);
    let before = d.dev.stats().bad_accesses;

    d.init_legacy(ALL, 128);
    assert_eq!(d.r(QUEUE_PFN), (LEGACY_QUEUE >> 12) as u32);
    // Legacy drivers read the configuration byte by byte.
    let capacity: Vec<u8> = (0..8)
        .map(|i| d.dev.read(CONFIG + i, AccessSize::Byte) as u8)
        .collect();
    assert_eq!(u64::from_le_bytes(capacity.try_into().unwrap()), SECTORS);

    let c = d.read_sectors(5, 2);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.data, original[5 * 512..7 * 512]);
    assert!(d.dev.interrupt_pending());
    d.ack();
    let new = vec![0x33; 512];
    assert_eq!(d.write_sectors(0, &new).status, VIRTIO_BLK_S_OK);
    assert_eq!(image.contents()[..512], new[..]);
    let c = d.request(VIRTIO_BLK_T_IN, 0, Data::In(512), true);
    assert_eq!(c.data, new);
    // Event indices work in the legacy layout too.
    let used_event = d.avail + 4 + 2 * 128;
    d.write_u16(used_event, 100);
    d.ack();
    d.read_sectors(0, 1);
    assert!(!d.dev.interrupt_pending());
    assert_eq!(d.dev.stats().bad_accesses, before);

    // A reset forgets the queue but keeps the page size written at probe.
    d.w(STATUS, 0);
    assert_eq!(d.r(QUEUE_PFN), 0);
    d.w(STATUS, ACKNOWLEDGE | DRIVER);
    d.w(QUEUE_NUM, 16);
    d.w(QUEUE_PFN, (LEGACY_QUEUE >> 12) as u32);
    d.w(STATUS, ACKNOWLEDGE | DRIVER | DRIVER_OK);
    d.mem.fill(PhysAddr::new(LEGACY_QUEUE), 0x2000, 0).unwrap();
    d.size = 16;
    d.avail = LEGACY_QUEUE + 16 * 16;
    d.used = LEGACY_QUEUE + 0x1000;
    d.avail_idx = 0;
    d.used_seen = 0;
    assert_eq!(d.read_sectors(5, 1).data, original[5 * 512..6 * 512]);
}

#[test]
fn legacy_driver_without_queue_align_or_page_size() {
    // Older xv6: no GuestPageSize, no QueueAlign, FEATURES_OK written
    // anyway, and the queue set up after DRIVER_OK.
    let original = pattern(SECTORS);
    let image = TempImage::new("oldxv6", &original);
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Legacy);
    d.w(STATUS, ACKNOWLEDGE | DRIVER);
    d.w(DRIVER_FEATURES, 0);
    d.w(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    d.w(QUEUE_SEL, 0);
    d.w(QUEUE_NUM, 8);
    d.w(QUEUE_PFN, (LEGACY_QUEUE >> 12) as u32);
    d.size = 8;
    d.desc = LEGACY_QUEUE;
    d.avail = LEGACY_QUEUE + 16 * 8;
    d.used = LEGACY_QUEUE + 0x1000;
    let c = d.read_sectors(3, 2);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.data, original[3 * 512..5 * 512]);
}

// ----- bad requests and bad queues -----

#[test]
fn sectors_beyond_the_capacity_fail() {
    let image = TempImage::new("range", &pattern(SECTORS));
    let mut d = modern(&image, DiskMode::ReadWrite);
    assert_eq!(d.read_sectors(SECTORS, 1).status, VIRTIO_BLK_S_IOERR);
    assert_eq!(d.read_sectors(SECTORS - 1, 2).status, VIRTIO_BLK_S_IOERR);
    assert_eq!(d.read_sectors(u64::MAX, 1).status, VIRTIO_BLK_S_IOERR);
    assert_eq!(
        d.write_sectors(u64::MAX - 1, &[0; 1024]).status,
        VIRTIO_BLK_S_IOERR
    );
    assert_eq!(
        d.write_sectors(SECTORS, &[0; 512]).status,
        VIRTIO_BLK_S_IOERR
    );
    // Not whole sectors.
    let c = d.request(VIRTIO_BLK_T_IN, 0, Data::In(100), false);
    assert_eq!(c.status, VIRTIO_BLK_S_IOERR);
    let c = d.request(VIRTIO_BLK_T_OUT, 0, Data::Out(&[1; 100]), false);
    assert_eq!(c.status, VIRTIO_BLK_S_IOERR);
    assert_eq!(image.contents(), pattern(SECTORS));
    // The device is still fine.
    assert_eq!(d.read_sectors(0, 1).status, VIRTIO_BLK_S_OK);
    assert_eq!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
}

#[test]
fn malformed_descriptor_layouts_fail_the_request() {
    let image = TempImage::new("layout", &pattern(SECTORS));
    let mut d = modern(&image, DiskMode::ReadWrite);
    d.mem.write(PhysAddr::new(HEADER), &[0; 16]).unwrap();

    // A header too short.
    d.mem.write(PhysAddr::new(STATUS_BYTE), &[0xff]).unwrap();
    d.write_chain(0, &[(HEADER, 8, 0), (STATUS_BYTE, 1, F_WRITE)]);
    d.make_available(0);
    d.notify_and_poll();
    assert_eq!(d.take_used(), Some((0, 1)));
    assert_eq!(d.read_bytes(STATUS_BYTE, 1)[0], VIRTIO_BLK_S_IOERR);

    // A header that is device-writable is no header at all.
    d.write_chain(0, &[(HEADER, 16, F_WRITE), (STATUS_BYTE, 1, F_WRITE)]);
    d.make_available(0);
    d.notify_and_poll();
    assert_eq!(d.take_used(), Some((0, 1)));
    assert_eq!(d.read_bytes(STATUS_BYTE, 1)[0], VIRTIO_BLK_S_IOERR);

    // No device-writable byte for the status: returned, nothing written.
    d.mem.write(PhysAddr::new(STATUS_BYTE), &[0xee]).unwrap();
    d.write_chain(0, &[(HEADER, 16, 0), (STATUS_BYTE, 1, 0)]);
    d.make_available(0);
    d.notify_and_poll();
    assert_eq!(d.take_used(), Some((0, 0)));
    assert_eq!(d.read_bytes(STATUS_BYTE, 1)[0], 0xee);

    // A zero-length status descriptor is skipped for the one before it.
    d.write_chain(
        0,
        &[(HEADER, 16, 0), (STATUS_BYTE, 1, F_WRITE), (0, 0, F_WRITE)],
    );
    d.make_available(0);
    d.notify_and_poll();
    assert_eq!(d.take_used(), Some((0, 1)));
    assert_eq!(d.read_bytes(STATUS_BYTE, 1)[0], VIRTIO_BLK_S_OK);
    assert_eq!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
}

#[test]
fn buffers_outside_ram_fail_the_request() {
    let image = TempImage::new("outside", &pattern(SECTORS));
    let mut d = modern(&image, DiskMode::ReadWrite);
    let mut header = [0u8; 16];
    header[0..4].copy_from_slice(&VIRTIO_BLK_T_OUT.to_le_bytes());
    d.mem.write(PhysAddr::new(HEADER), &header).unwrap();
    // Data straddling the end of RAM, below RAM, and wrapping around.
    for data in [RAM_END - 256, RAM_BASE - 0x1000, u64::MAX - 100] {
        d.write_chain(
            0,
            &[(HEADER, 16, 0), (data, 512, 0), (STATUS_BYTE, 1, F_WRITE)],
        );
        d.make_available(0);
        d.notify_and_poll();
        assert_eq!(d.take_used(), Some((0, 1)));
        assert_eq!(d.read_bytes(STATUS_BYTE, 1)[0], VIRTIO_BLK_S_IOERR);
    }
    assert_eq!(image.contents(), pattern(SECTORS));
    // A header outside RAM.
    d.write_chain(0, &[(RAM_END, 16, 0), (STATUS_BYTE, 1, F_WRITE)]);
    d.make_available(0);
    d.notify_and_poll();
    assert_eq!(d.read_bytes(STATUS_BYTE, 1)[0], VIRTIO_BLK_S_IOERR);
    d.take_used();
    // A status byte outside RAM: nowhere to report, the chain still returns.
    d.write_chain(0, &[(HEADER, 16, 0), (RAM_END, 1, F_WRITE)]);
    d.make_available(0);
    d.notify_and_poll();
    assert_eq!(d.take_used(), Some((0, 0)));
    assert_eq!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
}

#[test]
fn rings_outside_ram_need_a_reset() {
    let image = TempImage::new("rings", &pattern(SECTORS));
    for (reg, addr) in [
        (QUEUE_DESC_LOW, RAM_END - 0x80),
        (QUEUE_DRIVER_LOW, RAM_END - 2),
        (QUEUE_DEVICE_LOW, RAM_BASE - 0x1000),
        (QUEUE_DEVICE_LOW, USED + 2), // misaligned
    ] {
        let mut d = Driver::open(&image, DiskMode::Snapshot, MmioVersion::Modern);
        d.init_modern(ALL, 16);
        d.w(QUEUE_READY, 0);
        d.w(reg, addr as u32);
        d.w(QUEUE_READY, 1);
        d.w(QUEUE_NOTIFY, 0);
        d.dev.poll(&mut d.mem);
        assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0, "{reg:#x} = {addr:#x}");
        assert!(d.dev.last_queue_error().is_some());
    }
}

#[test]
fn descriptor_indices_outside_the_table_need_a_reset() {
    let image = TempImage::new("desc", &pattern(SECTORS));
    let mut d = modern(&image, DiskMode::ReadWrite);
    // A chain whose next index is outside the table.
    d.write_desc(DESC, 0, HEADER, 16, F_NEXT, 16);
    d.make_available(0);
    d.notify_and_poll();
    assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
    // A head outside the table (a fresh device: the image is locked until
    // the first one is dropped).
    drop(d);
    let mut d = modern(&image, DiskMode::ReadWrite);
    d.make_available(200);
    d.notify_and_poll();
    assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
}

#[test]
fn a_descriptor_loop_terminates_and_the_device_recovers_after_reset() {
    let image = TempImage::new("loop", &pattern(SECTORS));
    let mut d = Driver::open(&image, DiskMode::ReadWrite, MmioVersion::Modern);
    d.init_modern(ALL, 256);
    // 0 -> 1 -> 0 -> …, and a longer one covering the whole table.
    d.write_desc(DESC, 0, HEADER, 16, F_NEXT, 1);
    d.write_desc(DESC, 1, DATA, 512, F_NEXT | F_WRITE, 0);
    d.make_available(0);
    let start = Instant::now();
    d.notify_and_poll();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(d.used_idx(), 0);
    assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
    // The driver hears about it through a configuration change interrupt.
    assert!(d.dev.interrupt_pending());
    assert_eq!(d.r(INTERRUPT_STATUS), 2);
    assert_eq!(d.dev.stats().queue_errors, 1);
    // Needs-reset sticks until a reset, whatever the driver writes.
    d.w(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
    assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
    d.notify_and_poll();
    assert_eq!(d.dev.stats().queue_errors, 1);

    // A reset, and a fresh initialization, bring it back.
    d.init_modern(ALL, 256);
    assert!(!d.dev.interrupt_pending());
    assert_eq!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
    assert_eq!(d.read_sectors(1, 1).data, pattern(SECTORS)[512..1024]);

    // Every descriptor of a 256-entry table chained into one long loop.
    for i in 0..256u16 {
        d.write_desc(DESC, i, DATA, 1, F_NEXT | F_WRITE, (i + 1) % 256);
    }
    d.make_available(17);
    let start = Instant::now();
    d.notify_and_poll();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
}

#[test]
fn an_available_index_jump_needs_a_reset() {
    let image = TempImage::new("jump", &pattern(SECTORS));
    let mut d = modern(&image, DiskMode::ReadWrite);
    d.write_u16(d.avail + 2, 1000);
    d.notify_and_poll();
    assert_ne!(d.r(STATUS) & DEVICE_NEEDS_RESET, 0);
    assert_eq!(d.used_idx(), 0);
}

// ----- disk modes -----

#[test]
fn snapshot_mode_leaves_the_file_byte_identical() {
    let original = pattern(SECTORS);
    let image = TempImage::new("snapshot", &original);
    let mut d = modern(&image, DiskMode::Snapshot);
    let new = vec![0xc3; 1024];
    assert_eq!(d.write_sectors(7, &new).status, VIRTIO_BLK_S_OK);
    assert_eq!(
        d.request(VIRTIO_BLK_T_FLUSH, 0, Data::None, false).status,
        VIRTIO_BLK_S_OK
    );
    // The guest sees its write, merged with the untouched sectors around it.
    let c = d.read_sectors(6, 4);
    assert_eq!(c.data[..512], original[6 * 512..7 * 512]);
    assert_eq!(c.data[512..1536], new[..]);
    assert_eq!(c.data[1536..], original[9 * 512..10 * 512]);
    assert!(d.dev.flush().is_ok());
    drop(d);
    assert_eq!(image.contents(), original);
}

#[test]
fn a_read_only_disk_offers_f_ro_and_rejects_writes() {
    let original = pattern(SECTORS);
    let image = TempImage::new("ro", &original);
    let mut d = Driver::open(&image, DiskMode::ReadOnly, MmioVersion::Modern);
    assert_ne!(d.device_features() & VIRTIO_BLK_F_RO, 0);
    d.init_modern(ALL, 16);
    assert_ne!(d.dev.negotiated_features() & VIRTIO_BLK_F_RO, 0);
    assert_eq!(d.write_sectors(0, &[0; 512]).status, VIRTIO_BLK_S_IOERR);
    assert_eq!(d.read_sectors(0, 1).data, original[..512]);
    assert_eq!(
        d.request(VIRTIO_BLK_T_FLUSH, 0, Data::None, false).status,
        VIRTIO_BLK_S_OK
    );
    assert_eq!(image.contents(), original);
}

#[test]
fn a_second_writable_open_fails_clearly() {
    let image = TempImage::new("lock", &pattern(SECTORS));
    let first = Disk::open(&image.path, DiskMode::ReadWrite).unwrap();
    let error = Disk::open(&image.path, DiskMode::ReadWrite).unwrap_err();
    assert!(matches!(error, DiskError::Locked { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&image.path.display().to_string()),
        "{message}"
    );
    assert!(message.contains("in use"), "{message}");
    // Nor may a reader share a writer's image.
    assert!(matches!(
        Disk::open(&image.path, DiskMode::ReadOnly),
        Err(DiskError::Locked { .. })
    ));
    drop(first);
    // Readers share; a writer may not join them.
    let a = Disk::open(&image.path, DiskMode::ReadOnly).unwrap();
    let b = Disk::open(&image.path, DiskMode::Snapshot).unwrap();
    assert!(matches!(
        Disk::open(&image.path, DiskMode::ReadWrite),
        Err(DiskError::Locked { .. })
    ));
    drop((a, b));
    assert!(Disk::open(&image.path, DiskMode::ReadWrite).is_ok());
}

#[test]
fn a_truncated_image_fails_clearly() {
    let image = TempImage::new("truncated", &[0; 1000]);
    let error = Disk::open(&image.path, DiskMode::ReadOnly).unwrap_err();
    assert!(
        matches!(error, DiskError::Truncated { size: 1000, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("truncated"), "{message}");
    assert!(
        message.contains(&image.path.display().to_string()),
        "{message}"
    );
}

#[test]
fn missing_images_and_directories_fail_clearly() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-image.img");
    let error = Disk::open(&missing, DiskMode::ReadWrite).unwrap_err();
    assert!(matches!(error, DiskError::Open { .. }), "{error:?}");
    assert!(error.to_string().contains("no-such-image.img"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let error = Disk::open(dir, DiskMode::ReadOnly).unwrap_err();
    assert!(matches!(error, DiskError::NotAFile { .. }), "{error:?}");
}

#[test]
fn an_empty_image_is_a_disk_of_no_sectors() {
    let image = TempImage::new("empty", &[]);
    let mut d = modern(&image, DiskMode::ReadWrite);
    assert_eq!(d.dev.read(CONFIG, AccessSize::Double), 0);
    assert_eq!(d.read_sectors(0, 1).status, VIRTIO_BLK_S_IOERR);
}

// ----- the snapshot overlay -----

/// A snapshot disk keeps the guest's writes in a temporary file, not in
/// host memory: after 64 MiB of writes its in-memory index is a bit per
/// sector (16 KiB), every byte reads back, and the image is untouched.
/// (The overlay was a map of boxed sectors in memory: 64 MiB of writes
/// took more than 64 MiB of RAM, and a guest could fill the host's.)
#[test]
fn a_snapshot_overlay_keeps_the_guests_writes_out_of_host_memory() {
    const MIB: usize = 1 << 20;
    const SIZE: usize = 64 * MIB;
    let image = TempImage::new("overlay", &[]);
    std::fs::File::options()
        .write(true)
        .open(&image.path)
        .unwrap()
        .set_len(SIZE as u64)
        .unwrap();
    let chunk = |i: usize| -> Vec<u8> { (0..MIB).map(|j| (i * 7 + j / 512 + j) as u8).collect() };
    let mut disk = Disk::open(&image.path, DiskMode::Snapshot).unwrap();
    assert_eq!(disk.overlay_memory_bytes(), 0);
    for i in 0..SIZE / MIB {
        disk.write_sectors((i * MIB / 512) as u64, &chunk(i))
            .unwrap();
    }
    let bitmap = SIZE / 512 / 8;
    assert!(
        disk.overlay_memory_bytes() <= 2 * bitmap,
        "{} bytes of host memory for {SIZE} bytes written",
        disk.overlay_memory_bytes()
    );
    let mut buf = vec![0; MIB];
    for i in 0..SIZE / MIB {
        disk.read_sectors((i * MIB / 512) as u64, &mut buf).unwrap();
        assert!(buf == chunk(i), "MiB {i} read back wrong");
    }
    // Reads that mix written sectors with the image's.
    let mut disk2 = Disk::open(&image.path, DiskMode::Snapshot).unwrap();
    disk2.write_sectors(3, &[0xaa; 1024]).unwrap();
    disk2.write_sectors(7, &[0xbb; 512]).unwrap();
    let mut mixed = vec![0xff; 10 * 512];
    disk2.read_sectors(0, &mut mixed).unwrap();
    let mut expected = vec![0; 10 * 512];
    expected[3 * 512..5 * 512].fill(0xaa);
    expected[7 * 512..8 * 512].fill(0xbb);
    assert!(mixed == expected);
    drop((disk, disk2));
    let contents = image.contents();
    assert_eq!(contents.len(), SIZE);
    assert!(contents.iter().all(|&b| b == 0), "the image was written");
}

// ----- image locks -----

/// The bytes of `path` (among its first 512) that someone holds a lock
/// on, as another open file sees them (F_OFD_GETLK with a write lock,
/// which any lock conflicts with); every one must be a shared lock.
#[cfg(target_os = "linux")]
fn locked_bytes(path: &Path) -> Vec<u64> {
    use nix::fcntl::{fcntl, FcntlArg};
    use nix::libc;
    let file = std::fs::File::open(path).unwrap();
    (0..512)
        .filter(|&offset| {
            let mut probe = libc::flock {
                l_type: libc::F_WRLCK as libc::c_short,
                l_whence: libc::SEEK_SET as libc::c_short,
                l_start: offset,
                l_len: 1,
                l_pid: 0,
            };
            fcntl(&file, FcntlArg::F_OFD_GETLK(&mut probe)).unwrap();
            if i32::from(probe.l_type) == libc::F_UNLCK {
                return false;
            }
            assert_eq!(i32::from(probe.l_type), libc::F_RDLCK, "byte {offset}");
            true
        })
        .map(|offset| offset as u64)
        .collect()
}

/// rivet locks the bytes QEMU 7.2 locks (seen in /proc/locks for QEMU
/// itself), shared: 100 + permission held, 200 + permission not shared,
/// with consistent-read = 0, write = 1, resize = 3. (rivet took a `flock`,
/// which QEMU never sees.)
#[cfg(target_os = "linux")]
#[test]
fn disks_take_qemus_lock_bytes() {
    let image = TempImage::new("lock-bytes", &pattern(SECTORS));
    for (mode, expected) in [
        (DiskMode::ReadWrite, vec![100, 101, 201, 203]),
        (DiskMode::ReadOnly, vec![100, 201, 203]),
        (DiskMode::Snapshot, vec![100, 201, 203]),
    ] {
        let disk = Disk::open(&image.path, mode).unwrap();
        assert_eq!(locked_bytes(&image.path), expected, "{mode}");
        drop(disk);
        assert_eq!(
            locked_bytes(&image.path),
            Vec::<u64>::new(),
            "{mode}: released"
        );
    }
}

// ----- resets -----

/// A board taken down at a guest reset gives back its disks, and the next
/// board is built on them: a read-write image stays locked throughout
/// (nobody can take it in between) and is not opened a second time.
#[test]
fn a_reset_hands_the_disks_to_the_next_board() {
    let image = TempImage::new("reset", &pattern(SECTORS));
    let kernel = TempImage::new("reset-kernel", &0x0000_006f_u32.to_le_bytes()); // j .
    let config = VirtConfig {
        ram_size: 16 << 20,
        boot: BootConfig {
            bios: Some(Firmware::None),
            kernel: Some(kernel.path.clone()),
            ..BootConfig::default()
        },
        drives: vec![DriveConfig {
            path: image.path.clone(),
            format: Some(rivet_devices::virtio::DiskFormat::Raw),
            mode: DiskMode::ReadWrite,
            id: "hd0".into(),
            slot: 2,
        }],
        ..VirtConfig::default()
    };
    let vm = VirtMachine::new(&config, Box::new(BufferConsole::new())).unwrap();
    let (console, disks) = vm.machine.platform.into_parts();
    assert_eq!(disks.len(), 1);
    assert_eq!(disks.get(2).map(Disk::path), Some(image.path.as_path()));
    assert!(matches!(
        Disk::open(&image.path, DiskMode::ReadWrite),
        Err(DiskError::Locked { .. })
    ));
    let vm = VirtMachine::with_disks(&config, console, disks).unwrap();
    assert_eq!(vm.machine.platform.virtio()[2].device_id(), 2);
    assert!(matches!(
        Disk::open(&image.path, DiskMode::ReadWrite),
        Err(DiskError::Locked { .. })
    ));
    drop(vm);
    assert!(Disk::open(&image.path, DiskMode::ReadWrite).is_ok());
}

// ----- host faults -----

/// What a [`Faulty`] file does to the I/O through it.
#[derive(Clone, Copy, Debug, Default)]
struct Faults {
    /// The nth write (from 1) fails with this OS error.
    fail_write: Option<(u32, i32)>,
    /// The nth read (from 1) fails with this OS error.
    fail_read: Option<(u32, i32)>,
    /// The nth sync (from 1) fails with EIO.
    fail_sync: Option<u32>,
    /// Reads and writes move at most this many bytes at once.
    short: Option<usize>,
    /// Every other read and write is interrupted (EINTR) before it starts.
    interrupt: bool,
}

/// The image file, with faults injected at the host boundary.
#[derive(Debug)]
struct Faulty {
    file: std::fs::File,
    faults: Faults,
    reads: u32,
    writes: u32,
    syncs: u32,
    calls: u32,
}

impl Faulty {
    fn open(image: &TempImage, mode: DiskMode, faults: Faults) -> Disk {
        Disk::open_with(&image.path, mode, |file| {
            Box::new(Faulty {
                file,
                faults,
                reads: 0,
                writes: 0,
                syncs: 0,
                calls: 0,
            })
        })
        .unwrap()
    }

    /// EINTR for every other call, if asked.
    fn interrupted(&mut self) -> bool {
        self.calls += 1;
        self.faults.interrupt && self.calls % 2 == 1
    }

    fn limit(&self, len: usize) -> usize {
        self.faults.short.map_or(len, |s| len.min(s))
    }
}

impl DiskBackend for Faulty {
    fn read_at(&mut self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        if self.interrupted() {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        self.reads += 1;
        if let Some((n, errno)) = self.faults.fail_read {
            if n == self.reads {
                return Err(std::io::Error::from_raw_os_error(errno));
            }
        }
        let len = self.limit(buf.len());
        DiskBackend::read_at(&mut self.file, &mut buf[..len], offset)
    }

    fn write_at(&mut self, data: &[u8], offset: u64) -> std::io::Result<usize> {
        if self.interrupted() {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        self.writes += 1;
        if let Some((n, errno)) = self.faults.fail_write {
            if n == self.writes {
                return Err(std::io::Error::from_raw_os_error(errno));
            }
        }
        let len = self.limit(data.len());
        DiskBackend::write_at(&mut self.file, &data[..len], offset)
    }

    fn sync_data(&mut self) -> std::io::Result<()> {
        self.syncs += 1;
        if self.faults.fail_sync == Some(self.syncs) {
            return Err(std::io::Error::from_raw_os_error(EIO));
        }
        self.file.sync_data()
    }
}

const EIO: i32 = 5;
const ENOSPC: i32 = 28;

fn faulty(image: &TempImage, faults: Faults) -> Driver {
    let mut d = Driver::new(
        Faulty::open(image, DiskMode::ReadWrite, faults),
        MmioVersion::Modern,
    );
    d.init_modern(ALL, 16);
    d
}

/// A write the host refuses (EIO, or ENOSPC in the middle of a request
/// larger than the bounce buffer) completes with IOERR, and the device
/// goes on: writes acknowledged before and after it are in the file.
#[test]
fn a_write_the_host_refuses_completes_with_ioerr() {
    for errno in [EIO, ENOSPC] {
        let original = pattern(512);
        let image = TempImage::new("write-fault", &original);
        // Write 1 is the first request; writes 2 and 3 are the two
        // 64 KiB halves of the second, which fails at its second half.
        let mut d = faulty(
            &image,
            Faults {
                fail_write: Some((3, errno)),
                ..Faults::default()
            },
        );
        assert_eq!(d.write_sectors(0, &[1; 512]).status, VIRTIO_BLK_S_OK);
        let big = vec![2; 128 * 1024];
        assert_eq!(d.write_sectors(100, &big).status, VIRTIO_BLK_S_IOERR);
        assert_eq!(d.write_sectors(1, &[3; 512]).status, VIRTIO_BLK_S_OK);
        let contents = image.contents();
        assert_eq!(contents[..512], [1; 512], "errno {errno}");
        assert_eq!(contents[512..1024], [3; 512], "errno {errno}");
    }
}

/// Short writes and reads, and calls interrupted by a signal (EINTR), are
/// continued until the whole request is done: the request completes OK
/// and every byte is in the file. (std's write_all did this before the
/// backend; this pins it for rivet's own loop.)
#[test]
fn short_and_interrupted_host_io_completes_the_request() {
    let original = pattern(SECTORS);
    let image = TempImage::new("short-io", &original);
    let mut d = faulty(
        &image,
        Faults {
            short: Some(700),
            interrupt: true,
            ..Faults::default()
        },
    );
    let new: Vec<u8> = (0..3 * 512).map(|i| (i * 5 + 3) as u8).collect();
    assert_eq!(d.write_sectors(4, &new).status, VIRTIO_BLK_S_OK);
    let mut expected = original.clone();
    expected[4 * 512..7 * 512].copy_from_slice(&new);
    assert_eq!(image.contents(), expected);
    let c = d.read_sectors(3, 5);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.data, expected[3 * 512..8 * 512]);
}

/// A read the host fails (EIO) completes with IOERR; the next one works.
#[test]
fn a_read_the_host_fails_completes_with_ioerr() {
    let original = pattern(SECTORS);
    let image = TempImage::new("read-fault", &original);
    let mut d = faulty(
        &image,
        Faults {
            fail_read: Some((1, EIO)),
            ..Faults::default()
        },
    );
    assert_eq!(d.read_sectors(2, 1).status, VIRTIO_BLK_S_IOERR);
    let c = d.read_sectors(2, 1);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.data, original[2 * 512..3 * 512]);
}

/// A flush whose sync fails completes with IOERR, and so does every later
/// flush, though the host's next sync succeeds: after a failed fsync,
/// Linux may have dropped the dirty pages it could not write and reports
/// the error only once, so a later OK would acknowledge lost writes. (The
/// second flush reported OK before.) The exit-time flush fails as well.
#[test]
fn a_failed_sync_fails_every_later_flush() {
    let image = TempImage::new("sync-fault", &pattern(SECTORS));
    let mut d = faulty(
        &image,
        Faults {
            fail_sync: Some(1),
            ..Faults::default()
        },
    );
    assert_eq!(d.write_sectors(0, &[9; 512]).status, VIRTIO_BLK_S_OK);
    let flush = |d: &mut Driver| d.request(VIRTIO_BLK_T_FLUSH, 0, Data::None, false).status;
    assert_eq!(flush(&mut d), VIRTIO_BLK_S_IOERR);
    assert_eq!(flush(&mut d), VIRTIO_BLK_S_IOERR);
    assert!(d.dev.flush().is_err());
}

/// An image that shrinks under the running guest (another program
/// truncates it): reads past its new end complete with IOERR, not zeros
/// and not a panic; reads before it still work.
#[test]
fn reads_past_the_end_of_a_shrunken_image_complete_with_ioerr() {
    let original = pattern(SECTORS);
    let image = TempImage::new("shrunk", &original);
    let mut d = modern(&image, DiskMode::ReadWrite);
    assert_eq!(d.read_sectors(40, 1).status, VIRTIO_BLK_S_OK);
    std::fs::File::options()
        .write(true)
        .open(&image.path)
        .unwrap()
        .set_len(16 * 512)
        .unwrap();
    assert_eq!(d.read_sectors(40, 1).status, VIRTIO_BLK_S_IOERR);
    // Straddling the new end.
    assert_eq!(d.read_sectors(14, 4).status, VIRTIO_BLK_S_IOERR);
    let c = d.read_sectors(3, 2);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.data, original[3 * 512..5 * 512]);
}

// ----- hostile guests -----

/// One descriptor: an address that is mostly in RAM, mostly near the
/// request buffers, sometimes anywhere; flags over all combinations.
fn descriptor() -> impl Strategy<Value = (u64, u32, u16, u16)> {
    let addr = prop_oneof![
        4 => (0u64..0x2000).prop_map(|o| HEADER + o),
        2 => (0u64..RAM_SIZE).prop_map(|o| RAM_BASE + o),
        1 => Just(INDIRECT_TABLE),
        1 => any::<u64>(),
    ];
    let len = prop_oneof![
        4 => 0u32..2048,
        1 => (1u32..8).prop_map(|n| 16 * n),
        1 => any::<u32>(),
    ];
    let flags = prop_oneof![4 => 0u16..8, 1 => any::<u16>()];
    (addr, len, flags, 0u16..20)
}

/// A request header: mostly known types and sectors near the disk.
fn header() -> impl Strategy<Value = (u32, u64)> {
    let ty = prop_oneof![
        Just(VIRTIO_BLK_T_IN),
        Just(VIRTIO_BLK_T_OUT),
        Just(VIRTIO_BLK_T_FLUSH),
        Just(VIRTIO_BLK_T_GET_ID),
        any::<u32>()
    ];
    let sector = prop_oneof![3 => 0u64..(SECTORS + 4), 1 => any::<u64>()];
    (ty, sector)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Random descriptor tables, indirect tables, rings and request
    /// headers: the device never panics, always finishes quickly, and
    /// never returns more buffers than were made available.
    #[test]
    fn random_rings_never_panic_or_hang(
        table in proptest::collection::vec(descriptor(), 16),
        indirect in proptest::collection::vec(descriptor(), 0..8),
        ring in proptest::collection::vec(0u16..20, 16),
        avail_idx in prop_oneof![3 => 0u16..=16, 1 => any::<u16>()],
        used_event in any::<u16>(),
        avail_flags in 0u16..2,
        headers in proptest::collection::vec(header(), 8),
        version in prop_oneof![Just(MmioVersion::Modern), Just(MmioVersion::Legacy)],
        wanted in any::<u64>(),
    ) {
        let image = TempImage::new("fuzz", &pattern(SECTORS));
        let mut d = Driver::open(&image, DiskMode::Snapshot, version);
        match version {
            MmioVersion::Modern => {
                d.init_modern(wanted | VIRTIO_F_VERSION_1, 16);
            }
            MmioVersion::Legacy => {
                d.init_legacy(wanted, 16);
            }
        }
        for (i, &(ty, sector)) in headers.iter().enumerate() {
            let mut raw = [0u8; 16];
            raw[0..4].copy_from_slice(&ty.to_le_bytes());
            raw[8..16].copy_from_slice(&sector.to_le_bytes());
            d.mem.write(PhysAddr::new(HEADER + 0x100 * i as u64), &raw).unwrap();
        }
        for (i, &(addr, len, flags, next)) in table.iter().enumerate() {
            d.write_desc(d.desc, i as u16, addr, len, flags, next);
        }
        for (i, &(addr, len, flags, next)) in indirect.iter().enumerate() {
            d.write_desc(INDIRECT_TABLE, i as u16, addr, len, flags, next);
        }
        for (slot, &head) in ring.iter().enumerate() {
            d.write_u16(d.avail + 4 + 2 * slot as u64, head);
        }
        d.write_u16(d.avail, avail_flags);
        d.write_u16(d.avail + 4 + 2 * 16, used_event);
        d.write_u16(d.avail + 2, avail_idx);

        let start = Instant::now();
        for _ in 0..3 {
            d.notify_and_poll();
        }
        prop_assert!(start.elapsed() < Duration::from_secs(5));
        let used = d.used_idx();
        if avail_idx <= 16 {
            prop_assert!(used <= avail_idx);
        } else {
            prop_assert_eq!(used, 0);
        }
        prop_assert!(!d.dev.interrupt_pending() || d.r(INTERRUPT_STATUS) != 0);
    }

    /// Random register traffic, including the configuration space, with
    /// polls in between: never a panic.
    #[test]
    fn random_register_traffic_never_panics(
        ops in proptest::collection::vec(
            (0u64..0x140, 0u8..4, any::<u64>(), any::<bool>()),
            1..200,
        ),
        legacy in any::<bool>(),
    ) {
        let image = TempImage::new("regs", &pattern(SECTORS));
        let version = if legacy { MmioVersion::Legacy } else { MmioVersion::Modern };
        let mut d = Driver::open(&image, DiskMode::Snapshot, version);
        for (offset, size, value, write) in ops {
            let size = [AccessSize::Byte, AccessSize::Half, AccessSize::Word, AccessSize::Double]
                [size as usize];
            if write {
                d.dev.write(offset, size, value);
            } else {
                d.dev.read(offset, size);
            }
            d.dev.poll(&mut d.mem);
        }
    }
}

#[test]
fn transports_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<VirtioMmio>();
    let image = TempImage::new("debug", &pattern(SECTORS));
    let d = Driver::open(&image, DiskMode::Snapshot, MmioVersion::Modern);
    let shown = format!("{:?}", d.dev);
    assert!(shown.contains("device_id: 2"), "{shown}");
}

// ----- bounded work per poll -----

/// A read of 64 MiB: 128 buffers of 512 KiB (all the same guest buffer,
/// as an attacker would), in an indirect table at `head`, from sector
/// 1024 of an image whose last 512 KiB are `pattern(1024)`.
fn queue_big_read(d: &mut Driver, head: u16) {
    const PIECE: u32 = 512 << 10;
    let mut header = [0u8; 16];
    header[0..4].copy_from_slice(&VIRTIO_BLK_T_IN.to_le_bytes());
    header[8..16].copy_from_slice(&1024u64.to_le_bytes());
    d.mem.write(PhysAddr::new(HEADER), &header).unwrap();
    d.mem.write(PhysAddr::new(STATUS_BYTE), &[0xff]).unwrap();
    d.mem
        .fill(PhysAddr::new(DATA), u64::from(PIECE), 0xaa)
        .unwrap();
    d.write_desc(INDIRECT_TABLE, 0, HEADER, 16, F_NEXT, 1);
    for i in 1..=128 {
        d.write_desc(INDIRECT_TABLE, i, DATA, PIECE, F_WRITE | F_NEXT, i + 1);
    }
    d.write_desc(INDIRECT_TABLE, 129, STATUS_BYTE, 1, F_WRITE, 0);
    d.write_chain(head, &[(INDIRECT_TABLE, 130 * 16, F_INDIRECT)]);
    d.make_available(head);
}

/// An image of 64 MiB of zeros (sparse) followed by `pattern(1024)`.
fn big_image(name: &str) -> TempImage {
    let image = TempImage::new(name, &[]);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&image.path)
        .unwrap();
    file.set_len(64 << 20).unwrap();
    drop(file);
    let mut contents = std::fs::OpenOptions::new()
        .append(true)
        .open(&image.path)
        .unwrap();
    std::io::Write::write_all(&mut contents, &pattern(1024)).unwrap();
    image
}

#[test]
fn a_request_bigger_than_a_poll_goes_on_over_several_polls() {
    let image = big_image("bigread");
    let mut d = modern(&image, DiskMode::ReadOnly);
    queue_big_read(&mut d, 0);
    // A one-sector read queued behind it completes after it, in order.
    d.write_chain(
        2,
        &[(HEADER + 0x40, 16, 0), (DATA + (512 << 10), 513, F_WRITE)],
    );
    let mut small = [0u8; 16];
    small[8..16].copy_from_slice(&3u64.to_le_bytes());
    d.mem.write(PhysAddr::new(HEADER + 0x40), &small).unwrap();
    d.make_available(2);

    d.notify_and_poll();
    assert_eq!(d.take_used(), None, "one poll moved all 64 MiB");
    assert!(d.dev.is_busy(), "the rest waits for the next poll");
    let mut polls = 1;
    while d.used_idx() == 0 {
        assert!(polls < 64, "64 MiB still not moved after {polls} polls");
        d.dev.poll(&mut d.mem);
        polls += 1;
    }
    // Each poll moves a few MiB: 64 MiB takes several.
    assert!(polls >= 8, "64 MiB moved in {polls} polls");
    assert_eq!(d.take_used(), Some((0, (64 << 20) + 1)));
    assert_eq!(d.read_bytes(STATUS_BYTE, 1)[0], VIRTIO_BLK_S_OK);
    assert_eq!(d.read_bytes(DATA, 512 << 10), pattern(1024));
    // The small read completes at the same poll or the next one.
    if d.used_idx() == 1 {
        d.dev.poll(&mut d.mem);
    }
    assert_eq!(d.take_used(), Some((2, 513)));
    assert!(!d.dev.is_busy());
}

#[test]
fn a_reset_abandons_a_request_in_progress() {
    let image = big_image("bigreset");
    let mut d = modern(&image, DiskMode::ReadOnly);
    queue_big_read(&mut d, 0);
    d.notify_and_poll();
    assert!(d.dev.is_busy());
    d.w(STATUS, 0);
    assert!(!d.dev.is_busy());
    // After a new initialization, the queue starts empty and works.
    d.init_modern(ALL, 16);
    d.avail_idx = 0;
    d.used_seen = 0;
    d.dev.poll(&mut d.mem);
    assert_eq!(d.used_idx(), 0, "the abandoned request was completed");
    let c = d.read_sectors(64 * 2048, 2);
    assert_eq!(c.status, VIRTIO_BLK_S_OK);
    assert_eq!(c.data, pattern(1024)[..1024]);
}
