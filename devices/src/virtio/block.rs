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
//!
//! Reads and writes move at most [`WORK_PER_POLL`] bytes per poll: a
//! request bigger than that (one chain may describe gigabytes) goes on at
//! the next polls, between slices, and completes when its last byte has
//! moved. Requests complete in the order the driver made them available.

use rivet_core::bits::to_usize;
use rivet_core::{Memory, PhysAddr};

use super::disk::{Disk, DiskError, SECTOR_SIZE};
use super::queue::{Descriptor, DescriptorChain, Queue, QueueError};
use super::{device_id, read_config_bytes, QueueWork, VirtioDevice};

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

/// The work the device does in one poll, in bytes moved between the disk
/// and RAM: a few milliseconds of host time, so that a request of any size
/// (a driver may ask for gigabytes in one chain) never holds off the
/// harts, the console or a signal for longer. What is left waits for the
/// next poll, between slices.
pub const WORK_PER_POLL: u64 = 4 << 20;

/// What taking a descriptor chain off the queue costs against
/// [`WORK_PER_POLL`], per descriptor: walking a chain is work too, and an
/// indirect table may hold 32,768 descriptors.
const WORK_PER_DESCRIPTOR: u64 = 64;

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
    /// The read or write in progress, if a poll ran out of work before it
    /// was done.
    transfer: Option<Transfer>,
    stats: BlockStats,
}

/// A guest buffer lies outside RAM (or wraps around the address space).
struct BadBuffer;

/// Which way a transfer moves data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    /// VIRTIO_BLK_T_IN: from the disk into the device-writable buffers.
    In,
    /// VIRTIO_BLK_T_OUT: from the device-readable buffers to the disk.
    Out,
}

/// A read or write request, checked and under way: where it has got to,
/// so that it can go on at the next poll.
#[derive(Debug)]
struct Transfer {
    /// The head of the request's chain, for the used ring.
    head: u16,
    /// Where the status byte goes.
    status_addr: PhysAddr,
    direction: Direction,
    /// The first sector of the request.
    sector: u64,
    /// The data buffers (the header excluded for a write).
    buffers: Vec<Descriptor>,
    /// Where in `buffers` the next byte is.
    position: Position,
    /// The request's data length in bytes (whole sectors).
    len: u64,
    /// How many of them have been moved.
    done: u64,
}

/// What came of checking a request.
enum Started {
    /// It is complete: its status, and the data bytes written to the guest.
    Complete(u8, u64),
    /// It moves `len` bytes between `sector` on and its data buffers,
    /// which start `skip` bytes into its readable or writable buffers.
    Transfer {
        direction: Direction,
        sector: u64,
        skip: u64,
        len: u64,
    },
}

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
            transfer: None,
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

    /// Takes `chain` on: a request that needs no data moved (a flush, the
    /// ID, one that fails its checks) is completed at once; a read or a
    /// write becomes the device's transfer, which [`VirtioBlock::advance`]
    /// carries out.
    fn begin(
        &mut self,
        chain: &DescriptorChain,
        queue: &mut Queue,
        mem: &mut Memory,
    ) -> Result<(), QueueError> {
        let readable: Vec<Descriptor> = chain.readable().copied().collect();
        let writable: Vec<Descriptor> = chain.writable().copied().collect();
        let Some(status_addr) = status_address(&writable) else {
            self.stats.malformed += 1;
            return queue.add_used(mem, chain.head, 0);
        };
        match self.start(&readable, &writable, mem) {
            Started::Complete(status, written) => {
                self.complete(queue, mem, chain.head, status_addr, status, written)
            }
            Started::Transfer {
                direction,
                sector,
                skip,
                len,
            } => {
                let buffers = match direction {
                    Direction::In => writable,
                    Direction::Out => readable,
                };
                let position = Cursor::new(&buffers, skip, len).position();
                self.transfer = Some(Transfer {
                    head: chain.head,
                    status_addr,
                    direction,
                    sector,
                    buffers,
                    position,
                    len,
                    done: 0,
                });
                Ok(())
            }
        }
    }

    /// Decodes a request's header and checks it; completes what needs no
    /// data moved, and says what to move for a read or a write. Nothing is
    /// moved unless the whole request is valid: a read-only device writes
    /// nothing (§5.2.6.1).
    fn start(
        &mut self,
        readable: &[Descriptor],
        writable: &[Descriptor],
        mem: &mut Memory,
    ) -> Started {
        let out_len = total_len(readable);
        // The status byte is the last writable byte: the rest is data.
        let data_in_len = total_len(writable) - 1;
        let mut header = [0u8; to_usize(HEADER_LEN)];
        if out_len < HEADER_LEN
            || Cursor::new(readable, 0, HEADER_LEN)
                .gather(mem, &mut header)
                .is_err()
        {
            return Started::Complete(VIRTIO_BLK_S_IOERR, 0);
        }
        let [t0, t1, t2, t3, _, _, _, _, s0, s1, s2, s3, s4, s5, s6, s7] = header;
        let request_type = u32::from_le_bytes([t0, t1, t2, t3]);
        let sector = u64::from_le_bytes([s0, s1, s2, s3, s4, s5, s6, s7]);
        match request_type {
            VIRTIO_BLK_T_IN => {
                if !self.fits(sector, data_in_len) || !in_ram(writable, mem) {
                    return Started::Complete(VIRTIO_BLK_S_IOERR, 0);
                }
                Started::Transfer {
                    direction: Direction::In,
                    sector,
                    skip: 0,
                    len: data_in_len,
                }
            }
            VIRTIO_BLK_T_OUT => {
                let len = out_len - HEADER_LEN;
                if self.disk.is_read_only() || !self.fits(sector, len) || !in_ram(readable, mem) {
                    return Started::Complete(VIRTIO_BLK_S_IOERR, 0);
                }
                Started::Transfer {
                    direction: Direction::Out,
                    sector,
                    skip: HEADER_LEN,
                    len,
                }
            }
            VIRTIO_BLK_T_FLUSH => match self.disk.flush() {
                Ok(()) => {
                    self.stats.flushes += 1;
                    Started::Complete(VIRTIO_BLK_S_OK, 0)
                }
                Err(_) => Started::Complete(VIRTIO_BLK_S_IOERR, 0),
            },
            VIRTIO_BLK_T_GET_ID => {
                let len = to_usize(data_in_len.min(VIRTIO_BLK_ID_BYTES as u64));
                if !in_ram(writable, mem)
                    || Cursor::new(writable, 0, len as u64)
                        .scatter(mem, &self.serial[..len])
                        .is_err()
                {
                    return Started::Complete(VIRTIO_BLK_S_IOERR, 0);
                }
                Started::Complete(VIRTIO_BLK_S_OK, len as u64)
            }
            _ => Started::Complete(VIRTIO_BLK_S_UNSUPP, 0),
        }
    }

    /// Moves `transfer` on, a bounce buffer at a time, until it is done or
    /// `budget` (bytes, taken off as they move) runs out. Returns the
    /// request's status once it has ended, `None` while it has more to do.
    fn advance(
        &mut self,
        transfer: &mut Transfer,
        budget: &mut u64,
        mem: &mut Memory,
    ) -> Option<u8> {
        let mut cursor = Cursor::resume(
            &transfer.buffers,
            transfer.position,
            transfer.len - transfer.done,
        );
        while transfer.done < transfer.len {
            if *budget == 0 {
                transfer.position = cursor.position();
                return None;
            }
            let n = to_usize((transfer.len - transfer.done).min(BOUNCE_LEN as u64));
            let chunk = &mut self.bounce[..n];
            let sector = transfer.sector + transfer.done / SECTOR_SIZE;
            let moved = match transfer.direction {
                Direction::In => {
                    self.disk.read_sectors(sector, chunk).is_ok()
                        && cursor.scatter(mem, chunk).is_ok()
                }
                Direction::Out => {
                    cursor.gather(mem, chunk).is_ok()
                        && self.disk.write_sectors(sector, chunk).is_ok()
                }
            };
            if !moved {
                return Some(VIRTIO_BLK_S_IOERR);
            }
            transfer.done += n as u64;
            *budget = budget.saturating_sub(n as u64);
        }
        match transfer.direction {
            Direction::In => self.stats.reads += 1,
            Direction::Out => self.stats.writes += 1,
        }
        Some(VIRTIO_BLK_S_OK)
    }

    /// Ends a request: counts its outcome, writes its status byte and
    /// returns its chain to the driver with the used length (§2.7.8): the
    /// `written` data bytes and the status.
    fn complete(
        &mut self,
        queue: &mut Queue,
        mem: &mut Memory,
        head: u16,
        status_addr: PhysAddr,
        status: u8,
        written: u64,
    ) -> Result<(), QueueError> {
        match status {
            VIRTIO_BLK_S_IOERR => self.stats.errors += 1,
            VIRTIO_BLK_S_UNSUPP => self.stats.unsupported += 1,
            _ => {}
        }
        let written = u32::try_from(written).unwrap_or(u32::MAX);
        let used_len = if mem.write(status_addr, &[status]).is_ok() {
            written.saturating_add(1)
        } else {
            self.stats.malformed += 1;
            written
        };
        queue.add_used(mem, head, used_len)
    }

    /// Whether `len` bytes at `sector` are whole sectors inside the disk.
    fn fits(&self, sector: u64, len: u64) -> bool {
        len.is_multiple_of(SECTOR_SIZE)
            && sector
                .checked_add(len / SECTOR_SIZE)
                .is_some_and(|end| end <= self.disk.sectors())
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
        read_config_bytes(&self.config, offset, data);
    }

    /// Every field the device offers is read-only: writes are ignored.
    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}

    /// Goes on with the transfer in progress, then takes requests off the
    /// queue, until the queue is empty or the poll's [`WORK_PER_POLL`] is
    /// spent; a transfer that does not fit waits for the next poll.
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
            if let Some(mut transfer) = self.transfer.take() {
                let Some(status) = self.advance(&mut transfer, &mut budget, mem) else {
                    self.transfer = Some(transfer);
                    return Ok(QueueWork::Pending);
                };
                let written = match transfer.direction {
                    Direction::In => transfer.done,
                    Direction::Out => 0,
                };
                self.complete(
                    queue,
                    mem,
                    transfer.head,
                    transfer.status_addr,
                    status,
                    written,
                )?;
            }
            if budget == 0 {
                return Ok(QueueWork::Pending);
            }
            let Some(chain) = queue.pop(mem)? else {
                return Ok(QueueWork::Done);
            };
            let walked = WORK_PER_DESCRIPTOR.saturating_mul(chain.descriptors.len() as u64);
            budget = budget.saturating_sub(walked);
            self.begin(&chain, queue, mem)?;
        }
    }

    /// A transfer in progress is abandoned: its chain is never used.
    fn reset(&mut self) {
        self.transfer = None;
    }

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

/// A place in a list of buffers: the buffer, and the offset into it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Position {
    index: usize,
    offset: u64,
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
    /// A cursor at `position` in `buffers`, allowed to move `len` bytes.
    fn resume(buffers: &'a [Descriptor], position: Position, len: u64) -> Self {
        Cursor {
            buffers,
            index: position.index,
            offset: position.offset,
            remaining: len,
        }
    }

    /// Where the cursor is, to [`Cursor::resume`] from.
    fn position(&self) -> Position {
        Position {
            index: self.index,
            offset: self.offset,
        }
    }

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
