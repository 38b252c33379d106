//! Split virtqueues (virtio 1.2 §2.7), seen from the device.
//!
//! A split virtqueue is three areas of guest RAM the driver sets up: the
//! descriptor table (16 bytes per entry, §2.7.5), the available ring the
//! driver writes (§2.7.6) and the used ring the device writes (§2.7.8).
//! The device takes descriptor chains from the available ring ([`Queue::pop`]),
//! does the work, returns them on the used ring ([`Queue::add_used`]) and
//! then decides whether the driver wants an interrupt
//! ([`Queue::finish_batch`], §2.7.7).
//!
//! Everything in these areas is written by the guest and so untrusted:
//! every ring and table is checked against RAM before use, every index is
//! checked against the queue size, and every walk of a descriptor chain
//! carries a budget (at most Queue Size descriptors, §2.7.5.3.1, and at most
//! the entry count of an indirect table), so a looping chain ends as an
//! error instead of spinning the host.

use rivet_core::bits::to_usize;
use rivet_core::{Memory, PhysAddr};

/// The largest queue size the split format allows (§2.7: 32768).
pub const MAX_QUEUE_SIZE: u16 = 32768;

/// The size of one descriptor in the descriptor table (§2.7.5).
const DESCRIPTOR_SIZE: u64 = DESCRIPTOR_SIZE_U32 as u64;

/// [`DESCRIPTOR_SIZE`] as the `u32` of a descriptor's length.
const DESCRIPTOR_SIZE_U32: u32 = 16;

/// The largest indirect table accepted, in descriptors. The specification
/// asks drivers to keep chains within the queue size; Linux may exceed a
/// queue it shrank when the device's `seg_max` was computed for a larger
/// one, so the bound here is the largest possible queue size instead.
const MAX_INDIRECT_DESCRIPTORS: u32 = MAX_QUEUE_SIZE as u32;

/// `VIRTQ_DESC_F_NEXT`: the chain continues at `next` (§2.7.5).
pub const VIRTQ_DESC_F_NEXT: u16 = 1;
/// `VIRTQ_DESC_F_WRITE`: the buffer is device-writable (§2.7.5).
pub const VIRTQ_DESC_F_WRITE: u16 = 2;
/// `VIRTQ_DESC_F_INDIRECT`: the buffer is a table of descriptors (§2.7.5.3).
pub const VIRTQ_DESC_F_INDIRECT: u16 = 4;
/// `VIRTQ_AVAIL_F_NO_INTERRUPT`: the driver does not want used buffer
/// notifications (§2.7.7, meaningful only without EVENT_IDX).
pub const VIRTQ_AVAIL_F_NO_INTERRUPT: u16 = 1;

/// Why a virtqueue cannot be used: the driver broke the rules of §2.7.
///
/// These are guest errors, not host errors: the transport answers them by
/// setting DEVICE_NEEDS_RESET (§2.1.2) and stops using the device until the
/// driver resets it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    /// The queue size is zero, not a power of two, or above the maximum.
    #[error("queue size {size} is invalid (maximum {max}, must be a power of two)")]
    InvalidSize {
        /// The size the driver wrote.
        size: u16,
        /// The device's maximum for this queue.
        max: u16,
    },
    /// A ring or table is not suitably aligned (§2.7.1).
    #[error("{area} at {addr} is not aligned to {align} bytes")]
    Misaligned {
        /// Which area.
        area: &'static str,
        /// Its guest physical address.
        addr: PhysAddr,
        /// The required alignment.
        align: u64,
    },
    /// A ring, table or descriptor lies (partly) outside guest RAM.
    #[error("{area} at {addr} ({len:#x} bytes) is not inside RAM")]
    OutsideRam {
        /// Which area.
        area: &'static str,
        /// Its guest physical address.
        addr: PhysAddr,
        /// Its length in bytes.
        len: u64,
    },
    /// The driver's available index ran more than a queue size ahead of the
    /// device (§2.7.13: it can never be more than the queue size ahead).
    #[error(
        "available index {avail_idx} is more than the queue size {size} ahead of {next_avail}"
    )]
    AvailIndexJump {
        /// The available ring's `idx`.
        avail_idx: u16,
        /// The next entry the device expected to take.
        next_avail: u16,
        /// The queue size.
        size: u16,
    },
    /// A descriptor index (a chain head or a `next`) is outside its table.
    #[error("descriptor index {index} is outside a table of {count} entries")]
    IndexOutOfRange {
        /// The index.
        index: u32,
        /// The number of entries in the table.
        count: u32,
    },
    /// A chain is longer than its budget: it loops, or the driver broke the
    /// length limit of §2.7.5.3.1.
    #[error("descriptor chain starting at {head} is longer than {limit} descriptors (a loop?)")]
    ChainTooLong {
        /// The head of the chain.
        head: u16,
        /// The budget that was exhausted.
        limit: u32,
    },
    /// An indirect descriptor while VIRTIO_F_INDIRECT_DESC was not negotiated.
    #[error("indirect descriptor used but VIRTIO_F_INDIRECT_DESC was not negotiated")]
    IndirectNotNegotiated,
    /// A descriptor with both INDIRECT and NEXT set (§2.7.5.3.1).
    #[error("descriptor has both VIRTQ_DESC_F_INDIRECT and VIRTQ_DESC_F_NEXT")]
    IndirectWithNext,
    /// An indirect table inside an indirect table (§2.7.5.3.1).
    #[error("indirect descriptor inside an indirect table")]
    NestedIndirect,
    /// An indirect table whose length is zero, not a multiple of 16, or too large.
    #[error("indirect table length {len:#x} is not a non-zero multiple of 16 of at most {max} descriptors")]
    IndirectTableLength {
        /// The length the driver gave.
        len: u32,
        /// The largest number of descriptors accepted.
        max: u32,
    },
}

/// One buffer of a descriptor chain: a range of guest-physical memory the
/// device may read, or write.
///
/// The range is as the driver gave it and is not checked against RAM: the
/// device does that when it touches the buffer, and turns a bad buffer into
/// an error status for the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Descriptor {
    /// The guest physical address of the buffer.
    pub addr: PhysAddr,
    /// Its length in bytes.
    pub len: u32,
    /// Whether the buffer is device-writable (otherwise device-readable).
    pub writable: bool,
}

/// A descriptor chain taken from the available ring, with any indirect
/// table already expanded (§2.7.5.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DescriptorChain {
    /// The index of the chain's first descriptor: what goes back in the used ring.
    pub head: u16,
    /// The buffers, in chain order.
    pub descriptors: Vec<Descriptor>,
}

impl DescriptorChain {
    /// The device-readable buffers, in chain order.
    pub fn readable(&self) -> impl Iterator<Item = &Descriptor> + '_ {
        self.descriptors.iter().filter(|d| !d.writable)
    }

    /// The device-writable buffers, in chain order.
    pub fn writable(&self) -> impl Iterator<Item = &Descriptor> + '_ {
        self.descriptors.iter().filter(|d| d.writable)
    }
}

/// A descriptor as it sits in a table (`struct virtq_desc`, §2.7.5).
struct RawDescriptor {
    addr: u64,
    len: u32,
    flags: u16,
    next: u16,
}

impl RawDescriptor {
    fn buffer(&self) -> Descriptor {
        Descriptor {
            addr: PhysAddr::new(self.addr),
            len: self.len,
            writable: self.flags & VIRTQ_DESC_F_WRITE != 0,
        }
    }
}

/// Whether a used buffer notification is due under VIRTIO_F_EVENT_IDX
/// (§2.7.7).
///
/// The driver asks to be notified once the device writes the used ring
/// entry whose index is `event` (`used_event`). Since the last check the
/// device wrote the entries `old, old + 1, …, new - 1`, counted modulo
/// 2^16 as ring indices are (§2.7.13.3). The notification is due when
/// `event` is one of them: its distance from `old`, going forward, is
/// smaller than the number of entries written. The same rule, with the
/// roles swapped, governs `avail_event` (§2.7.10).
pub fn vring_need_event(event: u16, new: u16, old: u16) -> bool {
    event.wrapping_sub(old) < new.wrapping_sub(old)
}

/// One split virtqueue, as the device tracks it.
#[derive(Clone, Debug)]
pub struct Queue {
    max_size: u16,
    size: u16,
    ready: bool,
    desc_table: PhysAddr,
    avail_ring: PhysAddr,
    used_ring: PhysAddr,
    /// VIRTIO_F_INDIRECT_DESC was negotiated.
    indirect: bool,
    /// VIRTIO_F_EVENT_IDX was negotiated.
    event_idx: bool,
    /// The next available ring entry the device will take.
    next_avail: u16,
    /// The next used ring entry the device will write (the used `idx`).
    next_used: u16,
    /// `next_used` when the device last decided about a notification.
    signalled_used: u16,
    /// The layout was checked against RAM since it last changed.
    layout_checked: bool,
}

impl Queue {
    /// A queue of at most `max_size` entries (a power of two, at most
    /// [`MAX_QUEUE_SIZE`]), not ready, of size `max_size` until the driver
    /// chooses another.
    pub fn new(max_size: u16) -> Self {
        Queue {
            max_size,
            size: max_size,
            ready: false,
            desc_table: PhysAddr::new(0),
            avail_ring: PhysAddr::new(0),
            used_ring: PhysAddr::new(0),
            indirect: false,
            event_idx: false,
            next_avail: 0,
            next_used: 0,
            signalled_used: 0,
            layout_checked: false,
        }
    }

    /// Returns the queue to its state after [`Queue::new`] (a device reset).
    pub fn reset(&mut self) {
        *self = Queue::new(self.max_size);
    }

    /// The largest size the device accepts (what QueueNumMax reads).
    pub fn max_size(&self) -> u16 {
        self.max_size
    }

    /// The size the driver chose (QueueNum).
    pub fn size(&self) -> u16 {
        self.size
    }

    /// Sets the queue size. It is checked when the queue is first used.
    pub fn set_size(&mut self, size: u16) {
        self.size = size;
        self.layout_checked = false;
    }

    /// Whether the driver has enabled the queue (QueueReady, or a non-zero
    /// QueuePFN in the legacy layout).
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Enables or disables the queue. Enabling starts the device at the
    /// beginning of freshly zeroed rings, as a driver sets them up (§4.2.3.2).
    pub fn set_ready(&mut self, ready: bool) {
        if ready && !self.ready {
            self.next_avail = 0;
            self.next_used = 0;
            self.signalled_used = 0;
            self.layout_checked = false;
        }
        self.ready = ready;
    }

    /// The guest physical address of the descriptor table (Descriptor Area).
    pub fn desc_table(&self) -> PhysAddr {
        self.desc_table
    }

    /// Sets the address of the descriptor table.
    pub fn set_desc_table(&mut self, addr: PhysAddr) {
        self.desc_table = addr;
        self.layout_checked = false;
    }

    /// The guest physical address of the available ring (Driver Area).
    pub fn avail_ring(&self) -> PhysAddr {
        self.avail_ring
    }

    /// Sets the address of the available ring.
    pub fn set_avail_ring(&mut self, addr: PhysAddr) {
        self.avail_ring = addr;
        self.layout_checked = false;
    }

    /// The guest physical address of the used ring (Device Area).
    pub fn used_ring(&self) -> PhysAddr {
        self.used_ring
    }

    /// Sets the address of the used ring.
    pub fn set_used_ring(&mut self, addr: PhysAddr) {
        self.used_ring = addr;
        self.layout_checked = false;
    }

    /// Places the three areas as the legacy interface does (§2.7.2): the
    /// descriptor table at `base`, the available ring right after it, and
    /// the used ring at the next multiple of `align` after the available
    /// ring (including its `used_event` field). Uses the current size, so
    /// the driver sets QueueNum before QueuePFN, as §4.2.4 orders.
    ///
    /// An `align` that is not a power of two leaves the used ring at an
    /// address the layout check rejects.
    pub fn set_legacy_layout(&mut self, base: PhysAddr, align: u64) {
        let size = u64::from(self.size);
        let avail = base.0.saturating_add(DESCRIPTOR_SIZE * size);
        let avail_end = avail.saturating_add(6 + 2 * size);
        let used = if align.is_power_of_two() {
            avail_end
                .checked_add(align - 1)
                .map_or(u64::MAX, |v| v & !(align - 1))
        } else {
            u64::MAX
        };
        self.desc_table = base;
        self.avail_ring = PhysAddr::new(avail);
        self.used_ring = PhysAddr::new(used);
        self.layout_checked = false;
    }

    /// Sets which ring features the driver negotiated: indirect descriptors
    /// (§2.7.5.3) and event indices (§2.7.7).
    pub fn set_ring_features(&mut self, indirect: bool, event_idx: bool) {
        self.indirect = indirect;
        self.event_idx = event_idx;
    }

    /// The next available ring index the device will take.
    pub fn next_avail(&self) -> u16 {
        self.next_avail
    }

    /// The used ring index the device will write next.
    pub fn next_used(&self) -> u16 {
        self.next_used
    }

    /// Checks the size and the three areas against the rules of §2.7 (sizes
    /// and alignments) and against RAM. Done once after any change.
    pub fn check_layout(&mut self, mem: &Memory) -> Result<(), QueueError> {
        if self.layout_checked {
            return Ok(());
        }
        let size = self.size;
        if size == 0 || !size.is_power_of_two() || size > self.max_size {
            return Err(QueueError::InvalidSize {
                size,
                max: self.max_size,
            });
        }
        let n = u64::from(size);
        // §2.7: alignment and size of each part.
        let areas = [
            ("descriptor table", self.desc_table, 16, DESCRIPTOR_SIZE * n),
            ("available ring", self.avail_ring, 2, 6 + 2 * n),
            ("used ring", self.used_ring, 4, 6 + 8 * n),
        ];
        for (area, addr, align, len) in areas {
            if !addr.is_aligned(align) {
                return Err(QueueError::Misaligned { area, addr, align });
            }
            if !mem.contains(addr, len) {
                return Err(QueueError::OutsideRam { area, addr, len });
            }
        }
        self.layout_checked = true;
        Ok(())
    }

    /// Takes the next descriptor chain the driver made available, if any
    /// (§2.7.6), walking it and expanding an indirect table (§2.7.5.3).
    pub fn pop(&mut self, mem: &Memory) -> Result<Option<DescriptorChain>, QueueError> {
        self.check_layout(mem)?;
        let avail_idx = read_u16(mem, self.avail_ring, 2, "available ring")?;
        let pending = avail_idx.wrapping_sub(self.next_avail);
        if pending == 0 {
            return Ok(None);
        }
        if pending > self.size {
            return Err(QueueError::AvailIndexJump {
                avail_idx,
                next_avail: self.next_avail,
                size: self.size,
            });
        }
        let slot = u64::from(self.next_avail % self.size);
        let head = read_u16(mem, self.avail_ring, 4 + 2 * slot, "available ring")?;
        self.next_avail = self.next_avail.wrapping_add(1);
        let descriptors = self.walk(mem, head)?;
        Ok(Some(DescriptorChain { head, descriptors }))
    }

    /// Returns the chain starting at `head` to the driver, with `len` bytes
    /// written into its device-writable buffers (§2.7.8).
    pub fn add_used(&mut self, mem: &mut Memory, head: u16, len: u32) -> Result<(), QueueError> {
        self.check_layout(mem)?;
        let slot = u64::from(self.next_used % self.size);
        let mut elem = [0u8; 8];
        elem[..4].copy_from_slice(&u32::from(head).to_le_bytes());
        elem[4..].copy_from_slice(&len.to_le_bytes());
        write_bytes(mem, self.used_ring, 4 + 8 * slot, &elem, "used ring")?;
        // §2.7.8.2: the element is in place before `idx` moves past it.
        self.next_used = self.next_used.wrapping_add(1);
        write_bytes(
            mem,
            self.used_ring,
            2,
            &self.next_used.to_le_bytes(),
            "used ring",
        )
    }

    /// Ends a batch of [`Queue::pop`]/[`Queue::add_used`] calls: tells the
    /// driver where to notify next and says whether it wants a used buffer
    /// notification for what was used since the last batch.
    ///
    /// With VIRTIO_F_EVENT_IDX, writes `avail_event` (§2.7.10) so that the
    /// driver notifies the device when it makes the next buffer available,
    /// and applies the `used_event` rule of §2.7.7 ([`vring_need_event`]).
    /// Without it, a notification is due unless the driver set
    /// `VIRTQ_AVAIL_F_NO_INTERRUPT`.
    pub fn finish_batch(&mut self, mem: &mut Memory) -> Result<bool, QueueError> {
        self.check_layout(mem)?;
        let n = u64::from(self.size);
        let old = self.signalled_used;
        let new = self.next_used;
        self.signalled_used = new;
        if self.event_idx {
            let avail_event = self.next_avail.to_le_bytes();
            write_bytes(mem, self.used_ring, 4 + 8 * n, &avail_event, "used ring")?;
            if old == new {
                return Ok(false);
            }
            let used_event = read_u16(mem, self.avail_ring, 4 + 2 * n, "available ring")?;
            Ok(vring_need_event(used_event, new, old))
        } else {
            if old == new {
                return Ok(false);
            }
            let flags = read_u16(mem, self.avail_ring, 0, "available ring")?;
            Ok(flags & VIRTQ_AVAIL_F_NO_INTERRUPT == 0)
        }
    }

    /// Walks the chain starting at `head`, with a budget of one queue size
    /// of descriptors in the table (§2.7.5.3.1: no chain is longer).
    fn walk(&self, mem: &Memory, head: u16) -> Result<Vec<Descriptor>, QueueError> {
        let count = u32::from(self.size);
        let mut index = u32::from(head);
        if index >= count {
            return Err(QueueError::IndexOutOfRange { index, count });
        }
        let mut buffers = Vec::new();
        for _ in 0..count {
            let raw = read_descriptor(mem, self.desc_table, index, "descriptor table")?;
            if raw.flags & VIRTQ_DESC_F_INDIRECT != 0 {
                if !self.indirect {
                    return Err(QueueError::IndirectNotNegotiated);
                }
                // §2.7.5.3.1: the indirect descriptor ends the chain.
                if raw.flags & VIRTQ_DESC_F_NEXT != 0 {
                    return Err(QueueError::IndirectWithNext);
                }
                walk_indirect(mem, &raw, head, &mut buffers)?;
                return Ok(buffers);
            }
            buffers.push(raw.buffer());
            if raw.flags & VIRTQ_DESC_F_NEXT == 0 {
                return Ok(buffers);
            }
            index = u32::from(raw.next);
            if index >= count {
                return Err(QueueError::IndexOutOfRange { index, count });
            }
        }
        Err(QueueError::ChainTooLong { head, limit: count })
    }
}

/// Appends the buffers of the indirect table `table` describes (§2.7.5.3).
/// The budget is the table's entry count; the table's own WRITE flag is
/// ignored (§2.7.5.3.2).
fn walk_indirect(
    mem: &Memory,
    table: &RawDescriptor,
    head: u16,
    buffers: &mut Vec<Descriptor>,
) -> Result<(), QueueError> {
    let len = table.len;
    let count = len / DESCRIPTOR_SIZE_U32;
    if len == 0 || !len.is_multiple_of(DESCRIPTOR_SIZE_U32) || count > MAX_INDIRECT_DESCRIPTORS {
        return Err(QueueError::IndirectTableLength {
            len,
            max: MAX_INDIRECT_DESCRIPTORS,
        });
    }
    let base = PhysAddr::new(table.addr);
    if !mem.contains(base, u64::from(len)) {
        return Err(QueueError::OutsideRam {
            area: "indirect table",
            addr: base,
            len: u64::from(len),
        });
    }
    let mut index = 0;
    for _ in 0..count {
        let raw = read_descriptor(mem, base, index, "indirect table")?;
        if raw.flags & VIRTQ_DESC_F_INDIRECT != 0 {
            return Err(QueueError::NestedIndirect);
        }
        buffers.push(raw.buffer());
        if raw.flags & VIRTQ_DESC_F_NEXT == 0 {
            return Ok(());
        }
        index = u32::from(raw.next);
        if index >= count {
            return Err(QueueError::IndexOutOfRange { index, count });
        }
    }
    Err(QueueError::ChainTooLong { head, limit: count })
}

/// Reads entry `index` of the descriptor table at `table`.
fn read_descriptor(
    mem: &Memory,
    table: PhysAddr,
    index: u32,
    area: &'static str,
) -> Result<RawDescriptor, QueueError> {
    let mut raw = [0u8; to_usize(DESCRIPTOR_SIZE)];
    read_bytes(
        mem,
        table,
        DESCRIPTOR_SIZE * u64::from(index),
        &mut raw,
        area,
    )?;
    let [a0, a1, a2, a3, a4, a5, a6, a7, l0, l1, l2, l3, f0, f1, n0, n1] = raw;
    Ok(RawDescriptor {
        addr: u64::from_le_bytes([a0, a1, a2, a3, a4, a5, a6, a7]),
        len: u32::from_le_bytes([l0, l1, l2, l3]),
        flags: u16::from_le_bytes([f0, f1]),
        next: u16::from_le_bytes([n0, n1]),
    })
}

fn outside(area: &'static str, base: PhysAddr, offset: u64, len: usize) -> QueueError {
    QueueError::OutsideRam {
        area,
        addr: base.wrapping_add(offset),
        len: len as u64,
    }
}

fn read_bytes(
    mem: &Memory,
    base: PhysAddr,
    offset: u64,
    buf: &mut [u8],
    area: &'static str,
) -> Result<(), QueueError> {
    let addr = base
        .checked_add(offset)
        .ok_or_else(|| outside(area, base, offset, buf.len()))?;
    mem.read(addr, buf)
        .map_err(|_| outside(area, base, offset, buf.len()))
}

fn write_bytes(
    mem: &mut Memory,
    base: PhysAddr,
    offset: u64,
    data: &[u8],
    area: &'static str,
) -> Result<(), QueueError> {
    let addr = base
        .checked_add(offset)
        .ok_or_else(|| outside(area, base, offset, data.len()))?;
    mem.write(addr, data)
        .map_err(|_| outside(area, base, offset, data.len()))
}

fn read_u16(
    mem: &Memory,
    base: PhysAddr,
    offset: u64,
    area: &'static str,
) -> Result<u16, QueueError> {
    let mut buf = [0u8; 2];
    read_bytes(mem, base, offset, &mut buf, area)?;
    Ok(u16::from_le_bytes(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition of §2.7.7 checked by brute force: a notification is
    /// due when `event` is one of the indices `old..new` (mod 2^16).
    #[test]
    fn need_event_matches_the_definition() {
        let cases = [0u16, 1, 2, 7, 0x7fff, 0x8000, 0xfffe, 0xffff];
        for &old in &cases {
            for step in [0u16, 1, 2, 3, 100, 0x8000, 0xffff] {
                let new = old.wrapping_add(step);
                for &event in &cases {
                    let written: Vec<u16> = (0..step).map(|i| old.wrapping_add(i)).collect();
                    assert_eq!(
                        vring_need_event(event, new, old),
                        written.contains(&event),
                        "event {event} old {old} new {new}"
                    );
                }
            }
        }
    }

    #[test]
    fn legacy_layout_follows_the_formula() {
        let mut q = Queue::new(256);
        q.set_legacy_layout(PhysAddr::new(0x8000_0000), 4096);
        assert_eq!(q.avail_ring(), PhysAddr::new(0x8000_1000));
        // 0x1000 + 6 + 2 * 256 = 0x1206, aligned up to 0x2000.
        assert_eq!(q.used_ring(), PhysAddr::new(0x8000_2000));
        q.set_legacy_layout(PhysAddr::new(0x8000_0000), 3);
        assert_eq!(q.used_ring(), PhysAddr::new(u64::MAX));
    }

    #[test]
    fn layout_is_checked_against_ram_and_alignment() {
        let mem = Memory::new(PhysAddr::new(0x8000_0000), 0x4000).unwrap();
        let mut q = Queue::new(8);
        q.set_desc_table(PhysAddr::new(0x8000_0000));
        q.set_avail_ring(PhysAddr::new(0x8000_1000));
        q.set_used_ring(PhysAddr::new(0x8000_2000));
        assert_eq!(q.check_layout(&mem), Ok(()));
        q.set_used_ring(PhysAddr::new(0x8000_3ff0));
        assert!(matches!(
            q.check_layout(&mem),
            Err(QueueError::OutsideRam { .. })
        ));
        q.set_used_ring(PhysAddr::new(0x8000_2002));
        assert!(matches!(
            q.check_layout(&mem),
            Err(QueueError::Misaligned { .. })
        ));
        q.set_used_ring(PhysAddr::new(0x8000_2000));
        q.set_size(6);
        assert!(matches!(
            q.check_layout(&mem),
            Err(QueueError::InvalidSize { .. })
        ));
        q.set_size(16);
        assert!(matches!(
            q.check_layout(&mem),
            Err(QueueError::InvalidSize { .. })
        ));
    }
}
