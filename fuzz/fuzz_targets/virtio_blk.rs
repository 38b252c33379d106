//! The virtio-blk request parser (`devices/src/virtio/block.rs`), behind a
//! driver that sets the device up properly (modern virtio-mmio, features
//! negotiated, one queue) and then submits requests built from the input,
//! over a 64-sector scratch disk opened read-only or in snapshot mode
//! (the image file is never written).
//!
//! Input: one byte of setup (bit 0: VIRTIO_F_INDIRECT_DESC, bit 1:
//! VIRTIO_F_EVENT_IDX, bit 2: read-only disk, bits 3..: the queue size's
//! log2), then requests: a byte (bits 0..2: buffer count - 1; bit 3: in an
//! indirect table) and, per buffer, a kind byte (bit 0: device-writable;
//! bits 1..2: header, data, status byte, or raw address and length) with
//! the kind's fields.
//!
//! Checked: every request comes back on the used ring, in order, with a
//! used length no larger than its writable buffers; and a well-formed
//! request (a readable header, data buffers, a writable status byte)
//! gets the status its type and range call for, a read returns what the
//! disk holds (its pattern and the writes made before), GET_ID the serial.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rivet_core::{AccessSize, Memory, PhysAddr};
use rivet_devices::virtio::block::{
    VIRTIO_BLK_S_IOERR, VIRTIO_BLK_S_OK, VIRTIO_BLK_S_UNSUPP, VIRTIO_BLK_T_FLUSH,
    VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT,
};
use rivet_devices::virtio::queue::{VIRTQ_DESC_F_INDIRECT, VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE};
use rivet_devices::virtio::status::{
    ACKNOWLEDGE, DEVICE_NEEDS_RESET, DRIVER, DRIVER_OK, FEATURES_OK,
};
use rivet_devices::virtio::{Disk, DiskMode, MmioVersion, VirtioBlock, VirtioMmio};
use rivet_devices::MmioDevice;
use rivet_fuzz::{disk_byte, disk_image, Input};

const RAM: u64 = 0x8000_0000;
const RAM_SIZE: u64 = 256 << 10;
const DESC: u64 = RAM;
const AVAIL: u64 = RAM + 0x1000;
const USED: u64 = RAM + 0x2000;
const INDIRECT: u64 = RAM + 0x3000;
/// Where buffers go: the rest of RAM, handed out in turn.
const DATA: u64 = RAM + 0x4000;
const SECTORS: u64 = 64;

/// The virtio-mmio registers the driver writes.
mod reg {
    pub const DRIVER_FEATURES: u64 = 0x020;
    pub const DRIVER_FEATURES_SEL: u64 = 0x024;
    pub const QUEUE_SEL: u64 = 0x030;
    pub const QUEUE_NUM: u64 = 0x038;
    pub const QUEUE_READY: u64 = 0x044;
    pub const QUEUE_NOTIFY: u64 = 0x050;
    pub const STATUS: u64 = 0x070;
    pub const QUEUE_DESC_LOW: u64 = 0x080;
    pub const QUEUE_DESC_HIGH: u64 = 0x084;
    pub const QUEUE_DRIVER_LOW: u64 = 0x090;
    pub const QUEUE_DRIVER_HIGH: u64 = 0x094;
    pub const QUEUE_DEVICE_LOW: u64 = 0x0a0;
    pub const QUEUE_DEVICE_HIGH: u64 = 0x0a4;
}

/// One buffer of a request, as the driver built it.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Header { request_type: u32, sector: u64 },
    Data,
    Status,
    Raw,
}

#[derive(Clone, Copy, Debug)]
struct Buffer {
    kind: Kind,
    addr: u64,
    len: u32,
    writable: bool,
}

/// Hands out buffer space in RAM's data area, from the start again when
/// it runs out (then buffers may overlap: `wrapped`).
struct Allocator {
    next: u64,
    wrapped: bool,
}

impl Allocator {
    fn new() -> Self {
        Allocator {
            next: DATA,
            wrapped: false,
        }
    }

    fn alloc(&mut self, len: u64) -> u64 {
        if self.next + len > RAM + RAM_SIZE {
            self.next = DATA;
            self.wrapped = true;
        }
        let at = self.next;
        self.next += len;
        at
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let setup = input.u8();
    let indirect = setup & 1 != 0;
    let event_idx = setup & 2 != 0;
    let read_only = setup & 4 != 0;
    let size: u16 = 1 << ((setup >> 3) % 9);
    let mode = if read_only {
        DiskMode::ReadOnly
    } else {
        DiskMode::Snapshot
    };
    let disk = Disk::open(&disk_image(SECTORS), mode).expect("the scratch disk");
    let mut mmio = VirtioMmio::new(
        Some(Box::new(VirtioBlock::new(disk, "fuzz"))),
        MmioVersion::Modern,
    );
    let mut mem = Memory::new(PhysAddr::new(RAM), RAM_SIZE).expect("RAM");
    // What the disk holds, while we know it: until a request we do not
    // check in detail might have written to it.
    let mut shadow: Option<Vec<u8>> = Some(
        (0..SECTORS)
            .flat_map(|s| (0..512).map(move |i| disk_byte(s, i)))
            .collect(),
    );

    // The initialisation of §3.1.1, in the modern layout.
    let mut w = |offset, value: u64| mmio.write(offset, AccessSize::Word, value);
    w(reg::STATUS, u64::from(ACKNOWLEDGE));
    w(reg::STATUS, u64::from(ACKNOWLEDGE | DRIVER));
    let low = 1 << 9 | u64::from(indirect) << 28 | u64::from(event_idx) << 29;
    w(reg::DRIVER_FEATURES_SEL, 0);
    w(reg::DRIVER_FEATURES, low);
    w(reg::DRIVER_FEATURES_SEL, 1);
    w(reg::DRIVER_FEATURES, 1); // VIRTIO_F_VERSION_1
    w(reg::STATUS, u64::from(ACKNOWLEDGE | DRIVER | FEATURES_OK));
    w(reg::QUEUE_SEL, 0);
    w(reg::QUEUE_NUM, u64::from(size));
    w(reg::QUEUE_DESC_LOW, DESC & 0xffff_ffff);
    w(reg::QUEUE_DESC_HIGH, DESC >> 32);
    w(reg::QUEUE_DRIVER_LOW, AVAIL & 0xffff_ffff);
    w(reg::QUEUE_DRIVER_HIGH, AVAIL >> 32);
    w(reg::QUEUE_DEVICE_LOW, USED & 0xffff_ffff);
    w(reg::QUEUE_DEVICE_HIGH, USED >> 32);
    w(reg::QUEUE_READY, 1);
    w(
        reg::STATUS,
        u64::from(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK),
    );
    assert_eq!(
        mmio.status(),
        ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK,
        "the device refused a proper initialisation"
    );

    let mut submitted: u16 = 0;
    let mut next_desc: u16 = 0;
    while !input.is_empty() {
        let request = input.u8();
        let count = usize::from(request & 7) + 1;
        let use_indirect = request & 8 != 0;
        let mut buffers = Vec::with_capacity(count);
        let mut alloc = Allocator::new();
        for _ in 0..count {
            let kind_byte = input.u8();
            let writable = kind_byte & 1 != 0;
            let buffer = match kind_byte >> 1 & 3 {
                0 => {
                    let request_type = match input.u8() % 5 {
                        0 => VIRTIO_BLK_T_IN,
                        1 => VIRTIO_BLK_T_OUT,
                        2 => VIRTIO_BLK_T_FLUSH,
                        3 => VIRTIO_BLK_T_GET_ID,
                        _ => input.u32(),
                    };
                    let sector = match input.u8() {
                        0xff => input.u64(),
                        s => u64::from(s),
                    };
                    let addr = alloc.alloc(16);
                    mem.write_u32(PhysAddr::new(addr), request_type)
                        .expect("RAM");
                    mem.write_u32(PhysAddr::new(addr + 4), 0).expect("RAM");
                    mem.write_u64(PhysAddr::new(addr + 8), sector).expect("RAM");
                    Buffer {
                        kind: Kind::Header {
                            request_type,
                            sector,
                        },
                        addr,
                        len: 16,
                        writable,
                    }
                }
                1 => {
                    let len = match input.u8() {
                        0xff => u32::from(input.u16()),
                        n => 512 * u32::from(n % 9),
                    };
                    let addr = alloc.alloc(u64::from(len));
                    let fill = input.u8();
                    mem.fill(PhysAddr::new(addr), u64::from(len), fill)
                        .expect("RAM");
                    Buffer {
                        kind: Kind::Data,
                        addr,
                        len,
                        writable,
                    }
                }
                2 => {
                    let addr = alloc.alloc(1);
                    mem.write(PhysAddr::new(addr), &[0xee]).expect("RAM");
                    Buffer {
                        kind: Kind::Status,
                        addr,
                        len: 1,
                        writable,
                    }
                }
                _ => Buffer {
                    kind: Kind::Raw,
                    addr: input.u64(),
                    len: input.u32(),
                    writable,
                },
            };
            buffers.push(buffer);
        }

        // The descriptors, chained with NEXT: in the ring's table, or in
        // an indirect table that one descriptor of the ring points to.
        let raw = |b: &Buffer, next: Option<u16>| {
            let mut flags = if b.writable { VIRTQ_DESC_F_WRITE } else { 0 };
            if next.is_some() {
                flags |= VIRTQ_DESC_F_NEXT;
            }
            (b.addr, b.len, flags, next.unwrap_or(0))
        };
        let write_desc = |mem: &mut Memory, table: u64, index: u16, d: (u64, u32, u16, u16)| {
            let at = PhysAddr::new(table + 16 * u64::from(index));
            mem.write_u64(at, d.0).expect("RAM");
            mem.write_u32(PhysAddr::new(at.get() + 8), d.1)
                .expect("RAM");
            let tail = [d.2.to_le_bytes(), d.3.to_le_bytes()].concat();
            mem.write(PhysAddr::new(at.get() + 12), &tail).expect("RAM");
        };
        let head = next_desc % size;
        if use_indirect {
            for (i, b) in buffers.iter().enumerate() {
                let next = (i + 1 < count).then(|| u16::try_from(i + 1).expect("< 8"));
                write_desc(
                    &mut mem,
                    INDIRECT,
                    u16::try_from(i).expect("< 8"),
                    raw(b, next),
                );
            }
            let len = u32::try_from(16 * count).expect("small");
            write_desc(
                &mut mem,
                DESC,
                head,
                (INDIRECT, len, VIRTQ_DESC_F_INDIRECT, 0),
            );
            next_desc = next_desc.wrapping_add(1);
        } else {
            for (i, b) in buffers.iter().enumerate() {
                let this = next_desc % size;
                next_desc = next_desc.wrapping_add(1);
                let next = (i + 1 < count).then_some(next_desc % size);
                write_desc(&mut mem, DESC, this, raw(b, next));
            }
        }

        // Make it available and notify.
        let slot = u64::from(submitted % size);
        mem.write(PhysAddr::new(AVAIL + 4 + 2 * slot), &head.to_le_bytes())
            .expect("RAM");
        submitted = submitted.wrapping_add(1);
        mem.write(PhysAddr::new(AVAIL + 2), &submitted.to_le_bytes())
            .expect("RAM");
        mmio.write(reg::QUEUE_NOTIFY, AccessSize::Word, 0);
        mmio.poll(&mut mem);

        if mmio.status() & DEVICE_NEEDS_RESET != 0 {
            // A malformed chain (a loop, indirect without the feature,
            // ...): the device stops, as the specification says.
            assert!(mmio.last_queue_error().is_some());
            break;
        }
        let used_idx = u16::from_le_bytes(read::<2>(&mem, USED + 2));
        assert_eq!(used_idx, submitted, "a request was not returned");
        let elem = u64::from(submitted.wrapping_sub(1) % size);
        let id = u32::from_le_bytes(read::<4>(&mem, USED + 4 + 8 * elem));
        let used_len = u32::from_le_bytes(read::<4>(&mem, USED + 8 + 8 * elem));
        assert_eq!(id, u32::from(head));
        let writable_len: u64 = buffers
            .iter()
            .filter(|b| b.writable)
            .map(|b| u64::from(b.len))
            .sum();
        assert!(
            u64::from(used_len) <= writable_len,
            "used length {used_len} > {writable_len}"
        );
        // The device sees the request as built unless its descriptors
        // overlapped: a chain longer than the ring, or buffers that did.
        let as_built = (use_indirect || count <= usize::from(size)) && !alloc.wrapped;
        let checked = as_built && check_request(&buffers, &mem, &mut shadow, read_only, used_len);
        if !checked && !read_only {
            shadow = None;
        }
    }
});

fn read<const N: usize>(mem: &Memory, addr: u64) -> [u8; N] {
    let mut b = [0; N];
    mem.read(PhysAddr::new(addr), &mut b).expect("RAM");
    b
}

/// The outcome of a well-formed request: header, data buffers, status.
/// `false` if the request is not one.
fn check_request(
    buffers: &[Buffer],
    mem: &Memory,
    shadow: &mut Option<Vec<u8>>,
    read_only: bool,
    used_len: u32,
) -> bool {
    let [Buffer {
        kind: Kind::Header {
            request_type,
            sector,
        },
        writable: false,
        ..
    }, data @ .., status @ Buffer {
        kind: Kind::Status,
        writable: true,
        ..
    }] = buffers
    else {
        return false;
    };
    if !data
        .iter()
        .all(|b| matches!(b.kind, Kind::Data) && b.len > 0)
    {
        return false;
    }
    let writes = data.iter().all(|b| !b.writable);
    let reads = data.iter().all(|b| b.writable);
    let len: u64 = data.iter().map(|b| u64::from(b.len)).sum();
    let got = read::<1>(mem, status.addr)[0];
    let fits = len.is_multiple_of(512)
        && sector
            .checked_add(len / 512)
            .is_some_and(|end| end <= SECTORS);
    let start = usize::try_from(sector.saturating_mul(512)).unwrap_or(usize::MAX);
    match *request_type {
        VIRTIO_BLK_T_IN if reads => {
            assert_eq!(
                got == VIRTIO_BLK_S_OK,
                fits,
                "read of {len} at sector {sector}: status {got}"
            );
            if let (true, Some(shadow)) = (fits, shadow.as_ref()) {
                assert_eq!(u64::from(used_len), len + 1);
                let mut at = start;
                for b in data {
                    let n = usize::try_from(b.len).expect("small");
                    let mut bytes = vec![0; n];
                    mem.read(PhysAddr::new(b.addr), &mut bytes).expect("RAM");
                    assert!(
                        bytes == shadow[at..at + n],
                        "read at sector {sector}: wrong data"
                    );
                    at += n;
                }
            }
        }
        VIRTIO_BLK_T_OUT if writes => {
            assert_eq!(
                got == VIRTIO_BLK_S_OK,
                fits && !read_only,
                "write of {len} at sector {sector}: status {got}"
            );
            if let (VIRTIO_BLK_S_OK, Some(shadow)) = (got, shadow.as_mut()) {
                let mut at = start;
                for b in data {
                    let n = usize::try_from(b.len).expect("small");
                    mem.read(PhysAddr::new(b.addr), &mut shadow[at..at + n])
                        .expect("RAM");
                    at += n;
                }
            }
        }
        VIRTIO_BLK_T_FLUSH => assert_eq!(got, VIRTIO_BLK_S_OK),
        VIRTIO_BLK_T_GET_ID if reads => {
            assert_eq!(got, VIRTIO_BLK_S_OK);
            let mut id = [0u8; 20];
            id[..4].copy_from_slice(b"fuzz");
            let mut at = 0;
            for b in data {
                let n = usize::try_from(u64::from(b.len).min(20 - at as u64)).expect("small");
                let mut bytes = vec![0; n];
                mem.read(PhysAddr::new(b.addr), &mut bytes).expect("RAM");
                assert_eq!(bytes, id[at..at + n]);
                at += n;
            }
        }
        // Data buffers in both directions: a write writes the readable ones.
        VIRTIO_BLK_T_OUT => return false,
        VIRTIO_BLK_T_IN | VIRTIO_BLK_T_GET_ID => {}
        _ => assert_eq!(got, VIRTIO_BLK_S_UNSUPP),
    }
    assert!(
        got <= VIRTIO_BLK_S_UNSUPP
            && (got != VIRTIO_BLK_S_IOERR || *request_type != VIRTIO_BLK_T_FLUSH)
    );
    true
}
