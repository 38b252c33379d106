//! The virtio block device (virtio 1.2 §5.2).
//!
//! One request queue. Each request is a descriptor chain holding, in
//! order, a device-readable header (`type`, `reserved`, `sector`: 16
//! bytes), the data (device-readable for a write, device-writable for a
//! read), and a final device-writable status byte (§5.2.6). As §2.7.4.1
//! asks, the device assumes nothing about how these are split into
//! descriptors: it reads the header from the first 16 readable bytes,
//! writes the status into the last writable byte, and moves the data
//! between the rest and the disk.
//!
//! A request the device cannot honour (a short header, data that is not
//! whole sectors, sectors beyond the capacity, a buffer outside RAM, a
//! write to a read-only disk, a host I/O error) completes with
//! [`VIRTIO_BLK_S_IOERR`]; an unknown request type completes with
//! [`VIRTIO_BLK_S_UNSUPP`]. A chain with no writable byte has nowhere to
//! put a status: it is returned to the driver with a used length of zero
//! and counted in [`BlockStats::malformed`].

use rivet_core::bits::to_usize;
use rivet_core::{Memory, PhysAddr};

use super::disk::{Disk, DiskError, SECTOR_SIZE};
use super::queue::{Descriptor, DescriptorChain, Queue, QueueError};
use super::{device_id, VirtioDevice};

/// Feature bits of the block device (§5.2.3).
pub mod features {
    /// The maximum size of one segment is in `size_max`.
    pub const VIRTIO_BLK_F_SIZE_MAX: u64 = 1 << 1;
    /// The maximum number of segments in a request is in `seg_max`.
    pub const VIRTIO_BLK_F_SEG_MAX: u64 = 1 << 2;
    /// A disk geometry is in `geometry`.
    pub const VIRTIO_BLK_F_GEOMETRY: u64 = 1 << 4;
    /// The device is read-only.
    pub const VIRTIO_BLK_F_RO: u64 = 1 << 5;
    /// The block size of the disk is in `blk_size`.
    pub const VIRTIO_BLK_F_BLK_SIZE: u64 = 1 << 6;
    /// The device supports VIRTIO_BLK_T_FLUSH.
    pub const VIRTIO_BLK_F_FLUSH: u64 = 1 << 9;
}

/// Request type: read sectors (§5.2.6).
pub const VIRTIO_BLK_T_IN: u32 = 0;
/// Request type: write sectors.
pub const VIRTIO_BLK_T_OUT: u32 = 1;
/// Request type: make completed writes durable.
pub const VIRTIO_BLK_T_FLUSH: u32 = 4;
/// Request type: fetch the device ID string.
pub const VIRTIO_BLK_T_GET_ID: u32 = 8;

/// Request status: success (§5.2.6).
pub const VIRTIO_BLK_S_OK: u8 = 0;
/// Request status: device or driver error.
pub const VIRTIO_BLK_S_IOERR: u8 = 1;
/// Request status: request type not supported.
pub const VIRTIO_BLK_S_UNSUPP: u8 = 2;

/// The length of the device ID string of VIRTIO_BLK_T_GET_ID (§5.2.6).
pub const VIRTIO_BLK_ID_BYTES: usize = 20;

/// The size of the request queue (QueueNumMax), as QEMU's default.
pub const QUEUE_SIZE: u16 = 256;

/// The length of the request header (`struct virtio_blk_req` up to `data`).
const HEADER_LEN: u64 = 16;

/// The size of `struct virtio_blk_config` (§5.2.4), all of which reads
/// back; the fields of features not offered read as zero.
const CONFIG_LEN: usize = 96;

/// The largest piece of a request moved between the disk and RAM at once,
/// so a request's size never decides how much host memory is used.
const BOUNCE_LEN: usize = 64 * 1024;

/// What the block device has done, for diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockStats {
    /// Read requests completed successfully.
    pub reads: u64,
    /// Write requests completed successfully.
    pub writes: u64,
    /// Flush requests completed successfully.
    pub flushes: u64,
    /// Requests completed with VIRTIO_BLK_S_IOERR.
    pub errors: u64,
    /// Requests completed with VIRTIO_BLK_S_UNSUPP.
    pub unsupported: u64,
    /// Chains with no usable status byte, returned with nothing reported.
    pub malformed: u64,
}

/// A virtio block device backed by a [`Disk`].
#[derive(Debug)]
pub struct VirtioBlock {
    disk: Disk,
    serial: [u8; VIRTIO_BLK_ID_BYTES],
    config: [u8; CONFIG_LEN],
    queue_sizes: [u16; 1],
    bounce: Vec<u8>,
    stats: BlockStats,
}

/// A guest buffer lies outside RAM (or wraps around the address space).
struct BadBuffer;

impl VirtioBlock {
    /// A block device for `disk`. `id` (e.g. the drive's name) becomes the
    /// device ID string that VIRTIO_BLK_T_GET_ID returns (Linux shows it as
    /// the disk's serial): its first 20 bytes, with anything but printable
    /// ASCII replaced by `_`.
    pub fn new(disk: Disk, id: &str) -> Self {
        let mut serial = [0u8; VIRTIO_BLK_ID_BYTES];
        for (dst, src) in serial.iter_mut().zip(id.bytes()) {
            *dst = if src.is_ascii_graphic() || src == b' ' {
                src
            } else {
                b'_'
            };
        }
        // §5.2.4: capacity in 512-byte sectors; seg_max leaves room for the
        // header and the status in a chain of QUEUE_SIZE descriptors.
        let mut config = [0u8; CONFIG_LEN];
        config[0..8].copy_from_slice(&disk.sectors().to_le_bytes());
        config[12..16].copy_from_slice(&(u32::from(QUEUE_SIZE) - 2).to_le_bytes());
        #[expect(clippy::cast_possible_truncation, reason = "512 fits a u32")]
        let blk_size = SECTOR_SIZE as u32;
        config[20..24].copy_from_slice(&blk_size.to_le_bytes());
        VirtioBlock {
            disk,
            serial,
            config,
            queue_sizes: [QUEUE_SIZE],
            bounce: vec![0; BOUNCE_LEN],
            stats: BlockStats::default(),
        }
    }

    /// The backing disk.
    pub fn disk(&self) -> &Disk {
        &self.disk
    }

    /// The device ID string, NUL-padded to 20 bytes.
    pub fn serial(&self) -> &[u8; VIRTIO_BLK_ID_BYTES] {
        &self.serial
    }

    /// What the device has done so far.
    pub fn stats(&self) -> BlockStats {
        self.stats
    }

    /// Carries out one request and returns the number of bytes written into
    /// its device-writable buffers (the used length, §2.7.8).
    fn handle(&mut self, chain: &DescriptorChain, mem: &mut Memory) -> u32 {
        let readable: Vec<Descriptor> = chain.readable().copied().collect();
        let writable: Vec<Descriptor> = chain.writable().copied().collect();
        let Some(status_addr) = status_address(&writable) else {
            self.stats.malformed += 1;
            return 0;
        };
        let data_in_len = total_len(&writable) - 1;
        let (status, written) = self.execute(&readable, &writable, data_in_len, mem);
        match status {
            VIRTIO_BLK_S_IOERR => self.stats.errors += 1,
            VIRTIO_BLK_S_UNSUPP => self.stats.unsupported += 1,
            _ => {}
        }
        let written = u32::try_from(written).unwrap_or(u32::MAX);
        if mem.write(status_addr, &[status]).is_err() {
            self.stats.malformed += 1;
            return written;
        }
        written.saturating_add(1)
    }

    /// Decodes the header and dispatches; returns the status and the number
    /// of data bytes written to the guest.
    fn execute(
        &mut self,
        readable: &[Descriptor],
        writable: &[Descriptor],
        data_in_len: u64,
        mem: &mut Memory,
    ) -> (u8, u64) {
        let out_len = total_len(readable);
        let mut header = [0u8; to_usize(HEADER_LEN)];
        if out_len < HEADER_LEN
            || Cursor::new(readable, 0, HEADER_LEN)
                .gather(mem, &mut header)
                .is_err()
        {
            return (VIRTIO_BLK_S_IOERR, 0);
        }
        let [t0, t1, t2, t3, _, _, _, _, s0, s1, s2, s3, s4, s5, s6, s7] = header;
        let request_type = u32::from_le_bytes([t0, t1, t2, t3]);
        let sector = u64::from_le_bytes([s0, s1, s2, s3, s4, s5, s6, s7]);
        match request_type {
            VIRTIO_BLK_T_IN => self.read(sector, writable, data_in_len, mem),
            VIRTIO_BLK_T_OUT => (self.write(sector, readable, out_len - HEADER_LEN, mem), 0),
            VIRTIO_BLK_T_FLUSH => match self.disk.flush() {
                Ok(()) => {
                    self.stats.flushes += 1;
                    (VIRTIO_BLK_S_OK, 0)
                }
                Err(_) => (VIRTIO_BLK_S_IOERR, 0),
            },
            VIRTIO_BLK_T_GET_ID => {
                let len = to_usize(data_in_len.min(VIRTIO_BLK_ID_BYTES as u64));
                if !in_ram(writable, mem)
                    || Cursor::new(writable, 0, len as u64)
                        .scatter(mem, &self.serial[..len])
                        .is_err()
                {
                    return (VIRTIO_BLK_S_IOERR, 0);
                }
                (VIRTIO_BLK_S_OK, len as u64)
            }
            _ => (VIRTIO_BLK_S_UNSUPP, 0),
        }
    }

    /// Whether `len` bytes at `sector` are whole sectors inside the disk.
    fn fits(&self, sector: u64, len: u64) -> bool {
        len.is_multiple_of(SECTOR_SIZE)
            && sector
                .checked_add(len / SECTOR_SIZE)
                .is_some_and(|end| end <= self.disk.sectors())
    }

    /// VIRTIO_BLK_T_IN: `len` bytes from `sector` into the writable buffers.
    fn read(
        &mut self,
        sector: u64,
        writable: &[Descriptor],
        len: u64,
        mem: &mut Memory,
    ) -> (u8, u64) {
        if !self.fits(sector, len) || !in_ram(writable, mem) {
            return (VIRTIO_BLK_S_IOERR, 0);
        }
        let mut cursor = Cursor::new(writable, 0, len);
        let mut done = 0;
        while done < len {
            let n = to_usize((len - done).min(BOUNCE_LEN as u64));
            let chunk = &mut self.bounce[..n];
            if self
                .disk
                .read_sectors(sector + done / SECTOR_SIZE, chunk)
                .is_err()
                || cursor.scatter(mem, chunk).is_err()
            {
                return (VIRTIO_BLK_S_IOERR, done);
            }
            done += n as u64;
        }
        self.stats.reads += 1;
        (VIRTIO_BLK_S_OK, done)
    }

    /// VIRTIO_BLK_T_OUT: `len` bytes from the readable buffers after the
    /// header to `sector`. Nothing is written unless the whole request is
    /// valid; a read-only device writes nothing (§5.2.6.1).
    fn write(&mut self, sector: u64, readable: &[Descriptor], len: u64, mem: &Memory) -> u8 {
        if self.disk.is_read_only() || !self.fits(sector, len) || !in_ram(readable, mem) {
            return VIRTIO_BLK_S_IOERR;
        }
        let mut cursor = Cursor::new(readable, HEADER_LEN, len);
        let mut done = 0;
        while done < len {
            let n = to_usize((len - done).min(BOUNCE_LEN as u64));
            let chunk = &mut self.bounce[..n];
            if cursor.gather(mem, chunk).is_err()
                || self
                    .disk
                    .write_sectors(sector + done / SECTOR_SIZE, chunk)
                    .is_err()
            {
                return VIRTIO_BLK_S_IOERR;
            }
            done += n as u64;
        }
        self.stats.writes += 1;
        VIRTIO_BLK_S_OK
    }
}

impl VirtioDevice for VirtioBlock {
    fn device_id(&self) -> u32 {
        device_id::BLOCK
    }

    fn features(&self) -> u64 {
        let mut bits = features::VIRTIO_BLK_F_SEG_MAX
            | features::VIRTIO_BLK_F_BLK_SIZE
            | features::VIRTIO_BLK_F_FLUSH;
        if self.disk.is_read_only() {
            bits |= features::VIRTIO_BLK_F_RO;
        }
        bits
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

    /// Every field the device offers is read-only: writes are ignored.
    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}

    fn process_queue(
        &mut self,
        index: usize,
        queue: &mut Queue,
        mem: &mut Memory,
    ) -> Result<(), QueueError> {
        if index != 0 {
            return Ok(());
        }
        while let Some(chain) = queue.pop(mem)? {
            let written = self.handle(&chain, mem);
            queue.add_used(mem, chain.head, written)?;
        }
        Ok(())
    }

    /// The device keeps no request state between polls: nothing to undo.
    fn reset(&mut self) {}

    fn flush(&mut self) -> Result<(), DiskError> {
        self.disk.flush()
    }

    fn into_disk(self: Box<Self>) -> Option<Disk> {
        Some(self.disk)
    }
}

/// The total length of some buffers.
fn total_len(buffers: &[Descriptor]) -> u64 {
    buffers.iter().map(|d| u64::from(d.len)).sum()
}

/// The address of the status byte: the last byte of the last non-empty
/// writable buffer, if there is one.
fn status_address(writable: &[Descriptor]) -> Option<PhysAddr> {
    let last = writable.iter().rev().find(|d| d.len > 0)?;
    last.addr.checked_add(u64::from(last.len) - 1)
}

/// Whether every non-empty buffer lies inside RAM.
fn in_ram(buffers: &[Descriptor], mem: &Memory) -> bool {
    buffers
        .iter()
        .all(|d| d.len == 0 || mem.contains(d.addr, u64::from(d.len)))
}

/// A position in the concatenation of some buffers, with a number of
/// bytes left to move: gathers from them or scatters into them.
struct Cursor<'a> {
    buffers: &'a [Descriptor],
    index: usize,
    offset: u64,
    remaining: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor `skip` bytes into `buffers`, allowed to move `len` bytes.
    fn new(buffers: &'a [Descriptor], skip: u64, len: u64) -> Self {
        let mut cursor = Cursor {
            buffers,
            index: 0,
            offset: 0,
            remaining: skip,
        };
        while cursor.next_piece(u64::MAX).is_some() {}
        cursor.remaining = len;
        cursor
    }

    /// The next contiguous piece, at most `max` bytes long.
    fn next_piece(&mut self, max: u64) -> Option<(PhysAddr, u64)> {
        while let Some(buffer) = self.buffers.get(self.index) {
            let left = u64::from(buffer.len) - self.offset;
            if left == 0 {
                self.index += 1;
                self.offset = 0;
                continue;
            }
            let n = left.min(max).min(self.remaining);
            if n == 0 {
                return None;
            }
            let addr = buffer.addr.checked_add(self.offset)?;
            self.offset += n;
            self.remaining -= n;
            return Some((addr, n));
        }
        None
    }

    /// Fills `out` from guest memory.
    fn gather(&mut self, mem: &Memory, out: &mut [u8]) -> Result<(), BadBuffer> {
        let mut done = 0;
        while done < out.len() {
            let (addr, n) = self
                .next_piece((out.len() - done) as u64)
                .ok_or(BadBuffer)?;
            let end = done + to_usize(n);
            mem.read(addr, &mut out[done..end]).map_err(|_| BadBuffer)?;
            done = end;
        }
        Ok(())
    }

    /// Copies `data` into guest memory.
    fn scatter(&mut self, mem: &mut Memory, data: &[u8]) -> Result<(), BadBuffer> {
        let mut done = 0;
        while done < data.len() {
            let (addr, n) = self
                .next_piece((data.len() - done) as u64)
                .ok_or(BadBuffer)?;
            let end = done + to_usize(n);
            mem.write(addr, &data[done..end]).map_err(|_| BadBuffer)?;
            done = end;
        }
        Ok(())
    }
}
