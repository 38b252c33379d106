//! The virtio-mmio transport (virtio 1.2 §4.2).
//!
//! One [`VirtioMmio`] is one 0x1000-byte slot on the board: 32-bit control
//! registers from offset 0 and the device configuration space from 0x100.
//! Both register layouts are implemented:
//!
//! - version 2, "modern" (§4.2.2): the queue areas are given by 64-bit
//!   addresses (QueueDesc/QueueDriver/QueueDevice) and enabled by
//!   QueueReady; feature negotiation ends with FEATURES_OK;
//! - version 1, "legacy" (§4.2.4): a queue is one contiguous block at
//!   QueuePFN × GuestPageSize, laid out as §2.7.2 says with QueueAlign;
//!   there is no FEATURES_OK and no VIRTIO_F_VERSION_1.
//!
//! A write to QueueNotify only records the notification; the board calls
//! [`VirtioMmio::poll`] between the harts' time slices and the device
//! processes the notified queues there, so the register path never touches
//! RAM. The interrupt line is level-triggered:
//! [`VirtioMmio::interrupt_pending`] is true while InterruptStatus is not
//! zero (§4.2.3.4). The line is updated (see [`crate::irq`]) whenever
//! InterruptStatus changes: the device sets a bit (a used buffer, a
//! configuration change), the driver acknowledges, or the device resets.
//!
//! A slot without a device still answers MagicValue, Version, DeviceID (0)
//! and VendorID, so a driver probes it and moves on (§4.2.3.1.1). Accesses
//! a driver must not make — unknown registers, wrong widths, reads of
//! write-only registers, writes of read-only ones — read as zero, are
//! ignored and are counted in [`MmioStats::bad_accesses`].

use std::fmt;

use rivet_core::bits::{low_u32, to_usize};
use rivet_core::{AccessSize, Memory, PhysAddr};
use vm_fdt::{FdtWriter, FdtWriterResult};

use super::disk::{Disk, DiskError};
use super::features::{VIRTIO_F_EVENT_IDX, VIRTIO_F_INDIRECT_DESC, VIRTIO_F_VERSION_1};
use super::queue::{Queue, QueueError};
use super::status::{DEVICE_NEEDS_RESET, DRIVER_OK, FAILED, FEATURES_OK};
use super::{device_id, QueueWork, VirtioDevice};
use crate::device::MmioDevice;
use crate::fdt::{self, Phandles};
use crate::irq::{IrqLine, IrqSignal};
use crate::layout::Region;

/// MagicValue: "virt" in little-endian (§4.2.2).
pub const MAGIC_VALUE: u32 = 0x7472_6976;
/// VendorID: QEMU's, which xv6 checks for.
pub const VENDOR_ID: u32 = 0x554d_4551;
/// The offset of the device configuration space.
pub const CONFIG_OFFSET: u64 = 0x100;
/// The size of one virtio-mmio slot.
pub const SLOT_SIZE: u64 = 0x1000;

/// InterruptStatus bit: the device used a buffer (§4.2.2).
pub const INTERRUPT_USED_BUFFER: u32 = 1;
/// InterruptStatus bit: the configuration changed (or the device needs a reset).
pub const INTERRUPT_CONFIG_CHANGE: u32 = 2;

/// The legacy QueueAlign before the driver writes one: a page, which is
/// what drivers that never write QueueAlign (older xv6) lay out.
const DEFAULT_QUEUE_ALIGN: u32 = 4096;
/// The legacy GuestPageSize before the driver writes one.
const DEFAULT_GUEST_PAGE_SIZE: u32 = 4096;

/// Register offsets (§4.2.2, and §4.2.4 for the legacy ones).
mod reg {
    pub const MAGIC_VALUE: u64 = 0x000;
    pub const VERSION: u64 = 0x004;
    pub const DEVICE_ID: u64 = 0x008;
    pub const VENDOR_ID: u64 = 0x00c;
    pub const DEVICE_FEATURES: u64 = 0x010;
    pub const DEVICE_FEATURES_SEL: u64 = 0x014;
    pub const DRIVER_FEATURES: u64 = 0x020;
    pub const DRIVER_FEATURES_SEL: u64 = 0x024;
    pub const GUEST_PAGE_SIZE: u64 = 0x028;
    pub const QUEUE_SEL: u64 = 0x030;
    pub const QUEUE_NUM_MAX: u64 = 0x034;
    pub const QUEUE_NUM: u64 = 0x038;
    pub const QUEUE_ALIGN: u64 = 0x03c;
    pub const QUEUE_PFN: u64 = 0x040;
    pub const QUEUE_READY: u64 = 0x044;
    pub const QUEUE_NOTIFY: u64 = 0x050;
    pub const INTERRUPT_STATUS: u64 = 0x060;
    pub const INTERRUPT_ACK: u64 = 0x064;
    pub const STATUS: u64 = 0x070;
    pub const QUEUE_DESC_LOW: u64 = 0x080;
    pub const QUEUE_DESC_HIGH: u64 = 0x084;
    pub const QUEUE_DRIVER_LOW: u64 = 0x090;
    pub const QUEUE_DRIVER_HIGH: u64 = 0x094;
    pub const QUEUE_DEVICE_LOW: u64 = 0x0a0;
    pub const QUEUE_DEVICE_HIGH: u64 = 0x0a4;
    pub const SHM_SEL: u64 = 0x0ac;
    pub const SHM_LEN_LOW: u64 = 0x0b0;
    pub const SHM_LEN_HIGH: u64 = 0x0b4;
    pub const SHM_BASE_LOW: u64 = 0x0b8;
    pub const SHM_BASE_HIGH: u64 = 0x0bc;
    pub const QUEUE_RESET: u64 = 0x0c0;
    pub const CONFIG_GENERATION: u64 = 0x0fc;
}

/// Which register layout a transport presents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MmioVersion {
    /// Version 1, the legacy interface (§4.2.4).
    Legacy,
    /// Version 2, the current interface (§4.2.2).
    #[default]
    Modern,
}

impl MmioVersion {
    /// The value of the Version register.
    pub const fn register_value(self) -> u32 {
        match self {
            MmioVersion::Legacy => 1,
            MmioVersion::Modern => 2,
        }
    }
}

/// Counts of what went wrong, for diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MmioStats {
    /// Accesses to unknown registers, of the wrong width, or in the wrong
    /// direction (read as zero or ignored).
    pub bad_accesses: u64,
    /// Register writes that broke the driver's rules of §4.2.2.2 and §3.1
    /// (ignored): refused features, queue changes while a queue is live,
    /// notifications of queues that do not exist.
    pub driver_errors: u64,
    /// Queues found malformed while processing them; each one put the
    /// device in the DEVICE_NEEDS_RESET state.
    pub queue_errors: u64,
}

/// What the legacy layout keeps per queue besides the queue itself.
#[derive(Clone, Copy, Debug)]
struct LegacyQueue {
    pfn: u32,
    align: u32,
}

impl Default for LegacyQueue {
    fn default() -> Self {
        LegacyQueue {
            pfn: 0,
            align: DEFAULT_QUEUE_ALIGN,
        }
    }
}

/// A virtio-mmio transport: one slot on the board, with or without a device.
pub struct VirtioMmio {
    device: Option<Box<dyn VirtioDevice>>,
    version: MmioVersion,
    status: u32,
    device_features_sel: u32,
    driver_features_sel: u32,
    driver_features: u64,
    queue_sel: u32,
    queues: Vec<Queue>,
    legacy: Vec<LegacyQueue>,
    notified: Vec<bool>,
    interrupt_status: u32,
    irq: IrqLine,
    config_generation: u32,
    guest_page_size: u32,
    stats: MmioStats,
    last_queue_error: Option<QueueError>,
}

impl fmt::Debug for VirtioMmio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VirtioMmio")
            .field("device_id", &self.device_id())
            .field("version", &self.version)
            .field("status", &self.status)
            .field("driver_features", &self.driver_features)
            .field("queues", &self.queues)
            .field("interrupt_status", &self.interrupt_status)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl VirtioMmio {
    /// A transport for `device` in the register layout `version`; `None`
    /// makes an empty slot (DeviceID 0).
    pub fn new(device: Option<Box<dyn VirtioDevice>>, version: MmioVersion) -> Self {
        let queues: Vec<Queue> = device
            .as_ref()
            .map(|d| {
                d.queue_max_sizes()
                    .iter()
                    .map(|&max| Queue::new(max))
                    .collect()
            })
            .unwrap_or_default();
        let count = queues.len();
        VirtioMmio {
            device,
            version,
            status: 0,
            device_features_sel: 0,
            driver_features_sel: 0,
            driver_features: 0,
            queue_sel: 0,
            queues,
            legacy: vec![LegacyQueue::default(); count],
            notified: vec![false; count],
            interrupt_status: 0,
            irq: IrqLine::default(),
            config_generation: 0,
            guest_page_size: DEFAULT_GUEST_PAGE_SIZE,
            stats: MmioStats::default(),
            last_queue_error: None,
        }
    }

    /// The register layout.
    pub fn version(&self) -> MmioVersion {
        self.version
    }

    /// The DeviceID the slot reports (0 for an empty slot).
    pub fn device_id(&self) -> u32 {
        self.device
            .as_ref()
            .map_or(device_id::NONE, |d| d.device_id())
    }

    /// The device status register (§2.1).
    pub fn status(&self) -> u32 {
        self.status
    }

    /// The features both sides agreed on (valid once the driver set
    /// DRIVER_OK).
    pub fn negotiated_features(&self) -> u64 {
        self.driver_features & self.device_features()
    }

    /// What went wrong so far.
    pub fn stats(&self) -> MmioStats {
        self.stats
    }

    /// The last malformed queue found, which put the device in the
    /// DEVICE_NEEDS_RESET state.
    pub fn last_queue_error(&self) -> Option<&QueueError> {
        self.last_queue_error.as_ref()
    }

    /// Whether the interrupt line is raised: InterruptStatus is not zero.
    pub fn interrupt_pending(&self) -> bool {
        self.interrupt_status != 0
    }

    /// The interrupt line for the PLIC's gateway (see [`IrqLine::take`]).
    pub fn take_irq(&mut self) -> IrqSignal {
        self.irq.take()
    }

    /// Sets InterruptStatus and updates the line from it.
    fn set_interrupt_status(&mut self, value: u32) {
        self.interrupt_status = value;
        self.irq.update(value != 0);
    }

    /// Makes the device's completed writes durable (a block device's
    /// backing file); nothing to do for an empty slot.
    pub fn flush(&mut self) -> Result<(), DiskError> {
        match self.device.as_mut() {
            Some(device) => device.flush(),
            None => Ok(()),
        }
    }

    /// Takes the transport down and gives back the disk behind its device,
    /// if it has one (see [`VirtioDevice::into_disk`]).
    pub fn into_disk(self) -> Option<Disk> {
        self.device?.into_disk()
    }

    /// Lets the device process the queues the driver notified since the
    /// last poll, and raises the interrupt if the driver wants one.
    ///
    /// Nothing happens before the driver sets DRIVER_OK (§2.1.2: the device
    /// must not consume buffers before), or once the device needs a reset;
    /// notifications that arrive meanwhile wait. A malformed queue sets
    /// DEVICE_NEEDS_RESET and raises a configuration change interrupt
    /// (§2.1.2).
    pub fn poll(&mut self, mem: &mut Memory) {
        if !self.is_live() {
            return;
        }
        let Some(device) = self.device.as_mut() else {
            return;
        };
        let mut failure = None;
        let mut used = false;
        for (index, queue) in self.queues.iter_mut().enumerate() {
            let notified = self.notified.get_mut(index).map(std::mem::take) == Some(true);
            if !queue.is_ready() || !(notified || device.input_pending(index)) {
                continue;
            }
            let result = device
                .process_queue(index, queue, mem)
                .and_then(|work| Ok((work, queue.finish_batch(mem)?)));
            match result {
                Ok((work, used_some)) => {
                    used |= used_some;
                    if work == QueueWork::Pending {
                        // Goes on at the next poll, as if notified again.
                        self.notified[index] = true;
                    }
                }
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        if used {
            self.set_interrupt_status(self.interrupt_status | INTERRUPT_USED_BUFFER);
        }
        if let Some(error) = failure {
            self.needs_reset(error);
        }
    }

    /// Whether the device has work it can do at the next poll: a queue
    /// notified (or left with work at the last poll) while the driver is
    /// live. The board does not sleep while a device is busy.
    pub fn is_busy(&self) -> bool {
        self.is_live()
            && self
                .notified
                .iter()
                .zip(&self.queues)
                .any(|(&notified, queue)| notified && queue.is_ready())
    }

    /// The device offers everything its type offers, plus what the
    /// transport implements for every device: indirect descriptors, event
    /// indices and, on a modern transport, VIRTIO_F_VERSION_1.
    fn device_features(&self) -> u64 {
        let Some(device) = self.device.as_ref() else {
            return 0;
        };
        let mut bits = device.features() | VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX;
        match self.version {
            MmioVersion::Modern => bits |= VIRTIO_F_VERSION_1,
            // §4.2.4: the legacy interface has 32 feature bits.
            MmioVersion::Legacy => bits &= u64::from(u32::MAX),
        }
        bits
    }

    /// The driver set DRIVER_OK (and, when modern, had its features
    /// accepted), and the device has not failed.
    fn is_live(&self) -> bool {
        let features_ok = self.version == MmioVersion::Legacy || self.status & FEATURES_OK != 0;
        self.status & DRIVER_OK != 0
            && features_ok
            && self.status & (DEVICE_NEEDS_RESET | FAILED) == 0
    }

    /// §2.1.2: the device enters an error state that only a reset clears,
    /// and tells a live driver through a configuration change notification.
    fn needs_reset(&mut self, error: QueueError) {
        self.stats.queue_errors += 1;
        self.last_queue_error = Some(error);
        self.status |= DEVICE_NEEDS_RESET;
        if self.status & DRIVER_OK != 0 {
            self.set_interrupt_status(self.interrupt_status | INTERRUPT_CONFIG_CHANGE);
        }
    }

    /// A device reset (the driver wrote 0 to Status, §4.2.2.1): everything
    /// returns to its initial value, except the legacy GuestPageSize, which
    /// Linux writes once when it probes the slot, before its first reset.
    fn reset(&mut self) {
        self.status = 0;
        self.device_features_sel = 0;
        self.driver_features_sel = 0;
        self.driver_features = 0;
        self.queue_sel = 0;
        self.set_interrupt_status(0);
        self.queues.iter_mut().for_each(Queue::reset);
        self.legacy.fill(LegacyQueue::default());
        self.notified.fill(false);
        if let Some(device) = self.device.as_mut() {
            device.reset();
        }
    }

    /// A write to Status (§2.1, §3.1.1).
    fn write_status(&mut self, value: u32) {
        if value == 0 {
            self.reset();
            return;
        }
        let old = self.status;
        // DEVICE_NEEDS_RESET belongs to the device: the driver cannot clear it.
        let mut new = (value & !DEVICE_NEEDS_RESET) | (old & DEVICE_NEEDS_RESET);
        if self.version == MmioVersion::Modern
            && new & FEATURES_OK != 0
            && old & FEATURES_OK == 0
            && self.driver_features & !self.device_features() != 0
        {
            // §2.2.2: the device refuses features it did not offer by not
            // setting FEATURES_OK; the driver sees that when it reads back.
            new &= !FEATURES_OK;
            self.stats.driver_errors += 1;
        }
        if new & DRIVER_OK != 0 && old & DRIVER_OK == 0 {
            let features = self.negotiated_features();
            for queue in &mut self.queues {
                queue.set_ring_features(
                    features & VIRTIO_F_INDIRECT_DESC != 0,
                    features & VIRTIO_F_EVENT_IDX != 0,
                );
            }
            if let Some(device) = self.device.as_mut() {
                device.set_driver_features(features);
            }
        }
        self.status = new;
    }

    /// Whether the driver may still change its features: before
    /// FEATURES_OK (modern) or DRIVER_OK (legacy).
    fn features_open(&self) -> bool {
        let closing = match self.version {
            MmioVersion::Modern => FEATURES_OK | DRIVER_OK,
            MmioVersion::Legacy => DRIVER_OK,
        };
        self.status & closing == 0
    }

    /// The selected queue, if it exists.
    fn selected(&self) -> Option<usize> {
        let index = usize::try_from(self.queue_sel).ok()?;
        (index < self.queues.len()).then_some(index)
    }

    /// The selected queue, if it exists and its setup may change: in the
    /// modern layout, not while it is ready (§4.2.2.2).
    fn selected_for_setup(&mut self) -> Option<usize> {
        let index = self.selected();
        let usable = match (index, self.version) {
            (Some(i), MmioVersion::Modern) => !self.queues[i].is_ready(),
            (Some(_), MmioVersion::Legacy) => true,
            (None, _) => false,
        };
        if usable {
            index
        } else {
            self.stats.driver_errors += 1;
            None
        }
    }

    /// Recomputes a legacy queue's layout after QueueNum, QueueAlign or
    /// QueuePFN changed.
    fn update_legacy_queue(&mut self, index: usize) {
        let LegacyQueue { pfn, align } = self.legacy[index];
        let queue = &mut self.queues[index];
        if pfn == 0 {
            queue.set_ready(false);
            return;
        }
        let base = u64::from(pfn) * u64::from(self.guest_page_size);
        queue.set_legacy_layout(PhysAddr::new(base), u64::from(align));
        queue.set_ready(true);
    }

    /// Reads a 32-bit control register; `None` for registers that cannot be
    /// read in this layout.
    fn read_register(&self, offset: u64) -> Option<u32> {
        let modern = self.version == MmioVersion::Modern;
        // An empty slot answers only the identification registers.
        if self.device.is_none()
            && !matches!(
                offset,
                reg::MAGIC_VALUE | reg::VERSION | reg::DEVICE_ID | reg::VENDOR_ID
            )
        {
            return None;
        }
        let queue = self.selected().map(|i| &self.queues[i]);
        let value = match offset {
            reg::MAGIC_VALUE => MAGIC_VALUE,
            reg::VERSION => self.version.register_value(),
            reg::DEVICE_ID => self.device_id(),
            reg::VENDOR_ID => VENDOR_ID,
            reg::DEVICE_FEATURES => match self.device_features_sel {
                0 => low_u32(self.device_features()),
                1 => (self.device_features() >> 32) as u32,
                _ => 0,
            },
            reg::QUEUE_NUM_MAX => queue.map_or(0, |q| u32::from(q.max_size())),
            reg::QUEUE_READY if modern => queue.map_or(0, |q| u32::from(q.is_ready())),
            reg::QUEUE_PFN if !modern => self.selected().map_or(0, |i| self.legacy[i].pfn),
            reg::INTERRUPT_STATUS => self.interrupt_status,
            reg::STATUS => self.status,
            // No shared memory regions: §4.2.2 says a missing one reads as
            // length and base all ones.
            reg::SHM_LEN_LOW | reg::SHM_LEN_HIGH | reg::SHM_BASE_LOW | reg::SHM_BASE_HIGH
                if modern =>
            {
                u32::MAX
            }
            // VIRTIO_F_RING_RESET is not offered: never resetting.
            reg::QUEUE_RESET if modern => 0,
            reg::CONFIG_GENERATION if modern => self.config_generation,
            _ => return None,
        };
        Some(value)
    }

    /// Writes a 32-bit control register; `false` for registers that cannot
    /// be written in this layout.
    fn write_register(&mut self, offset: u64, value: u32) -> bool {
        let modern = self.version == MmioVersion::Modern;
        if self.device.is_none() {
            return false;
        }
        match offset {
            reg::DEVICE_FEATURES_SEL => self.device_features_sel = value,
            reg::DRIVER_FEATURES_SEL => self.driver_features_sel = value,
            reg::DRIVER_FEATURES => {
                if !self.features_open() {
                    self.stats.driver_errors += 1;
                    return true;
                }
                let value = u64::from(value);
                match self.driver_features_sel {
                    0 => self.driver_features = (self.driver_features & !0xffff_ffff) | value,
                    1 => self.driver_features = (self.driver_features & 0xffff_ffff) | value << 32,
                    _ => self.stats.driver_errors += 1,
                }
            }
            reg::GUEST_PAGE_SIZE if !modern => {
                if value.is_power_of_two() {
                    self.guest_page_size = value;
                } else {
                    self.stats.driver_errors += 1;
                }
            }
            reg::QUEUE_SEL => self.queue_sel = value,
            reg::QUEUE_NUM => {
                if let Some(i) = self.selected_for_setup() {
                    // A size above 16 bits is as invalid as zero; the layout
                    // check reports it when the queue is used.
                    self.queues[i].set_size(u16::try_from(value).unwrap_or(0));
                    if !modern {
                        self.update_legacy_queue(i);
                    }
                }
            }
            reg::QUEUE_ALIGN if !modern => {
                if let Some(i) = self.selected_for_setup() {
                    self.legacy[i].align = value;
                    self.update_legacy_queue(i);
                }
            }
            reg::QUEUE_PFN if !modern => {
                if let Some(i) = self.selected_for_setup() {
                    self.legacy[i].pfn = value;
                    self.update_legacy_queue(i);
                }
            }
            reg::QUEUE_READY if modern => match self.selected() {
                Some(i) => self.queues[i].set_ready(value != 0),
                None => self.stats.driver_errors += 1,
            },
            reg::QUEUE_DESC_LOW
            | reg::QUEUE_DESC_HIGH
            | reg::QUEUE_DRIVER_LOW
            | reg::QUEUE_DRIVER_HIGH
            | reg::QUEUE_DEVICE_LOW
            | reg::QUEUE_DEVICE_HIGH
                if modern =>
            {
                if let Some(i) = self.selected_for_setup() {
                    let queue = &mut self.queues[i];
                    match offset {
                        reg::QUEUE_DESC_LOW | reg::QUEUE_DESC_HIGH => {
                            let addr = set_half(queue.desc_table(), offset, value);
                            queue.set_desc_table(addr);
                        }
                        reg::QUEUE_DRIVER_LOW | reg::QUEUE_DRIVER_HIGH => {
                            let addr = set_half(queue.avail_ring(), offset, value);
                            queue.set_avail_ring(addr);
                        }
                        _ => {
                            let addr = set_half(queue.used_ring(), offset, value);
                            queue.set_used_ring(addr);
                        }
                    }
                }
            }
            // §4.2.3.3: without VIRTIO_F_NOTIFICATION_DATA the value is the
            // queue index.
            reg::QUEUE_NOTIFY => {
                match usize::try_from(value)
                    .ok()
                    .and_then(|i| self.notified.get_mut(i))
                {
                    Some(flag) => *flag = true,
                    None => self.stats.driver_errors += 1,
                }
            }
            reg::INTERRUPT_ACK => self.set_interrupt_status(self.interrupt_status & !value),
            reg::STATUS => self.write_status(value),
            reg::SHM_SEL if modern => {}
            reg::QUEUE_RESET if modern => self.stats.driver_errors += 1,
            _ => return false,
        }
        true
    }

    /// Reads `size` bytes of the device configuration space at `offset`.
    fn read_config(&mut self, offset: u64, size: AccessSize) -> u64 {
        let Some(device) = self.device.as_ref() else {
            self.stats.bad_accesses += 1;
            return 0;
        };
        let mut bytes = [0u8; 8];
        device.read_config(offset, &mut bytes[..to_usize(size.bytes())]);
        u64::from_le_bytes(bytes)
    }

    /// Writes `size` bytes of the device configuration space at `offset`.
    fn write_config(&mut self, offset: u64, size: AccessSize, value: u64) {
        let Some(device) = self.device.as_mut() else {
            self.stats.bad_accesses += 1;
            return;
        };
        device.write_config(offset, &value.to_le_bytes()[..to_usize(size.bytes())]);
    }
}

/// `addr` with its low (at a `*_LOW` offset) or high half replaced by `value`.
fn set_half(addr: PhysAddr, offset: u64, value: u32) -> PhysAddr {
    let value = u64::from(value);
    // Every *_HIGH register sits 4 bytes after its *_LOW partner, at an
    // offset that is 4 modulo 8.
    if offset % 8 == 4 {
        PhysAddr::new((addr.get() & 0xffff_ffff) | value << 32)
    } else {
        PhysAddr::new((addr.get() & !0xffff_ffff) | value)
    }
}

impl MmioDevice for VirtioMmio {
    /// Control registers take aligned 32-bit reads only (§4.2.2.2); the
    /// configuration space takes 8, 16, 32 and 64-bit reads.
    fn read(&mut self, offset: u64, size: AccessSize) -> u64 {
        if offset >= CONFIG_OFFSET {
            return self.read_config(offset - CONFIG_OFFSET, size);
        }
        let value = if size == AccessSize::Word && offset.is_multiple_of(4) {
            self.read_register(offset)
        } else {
            None
        };
        match value {
            Some(value) => u64::from(value),
            None => {
                self.stats.bad_accesses += 1;
                0
            }
        }
    }

    /// Control registers take aligned 32-bit writes only (§4.2.2.2); the
    /// configuration space takes 8, 16, 32 and 64-bit writes.
    fn write(&mut self, offset: u64, size: AccessSize, value: u64) {
        if offset >= CONFIG_OFFSET {
            self.write_config(offset - CONFIG_OFFSET, size, value);
            return;
        }
        let accepted = size == AccessSize::Word
            && offset.is_multiple_of(4)
            && self.write_register(offset, low_u32(value));
        if !accepted {
            self.stats.bad_accesses += 1;
        }
    }
}

/// Writes a virtio-mmio transport's device-tree node: at `region`,
/// interrupting PLIC source `irq`. (The transport is described whether or
/// not a device sits in it; an empty one reads DeviceID 0.)
pub fn fdt_node(
    fdt: &mut FdtWriter,
    region: Region,
    irq: u32,
    phandles: Phandles,
) -> FdtWriterResult<()> {
    fdt::plic_device_node(
        fdt,
        "virtio_mmio",
        "virtio,mmio",
        region,
        irq,
        phandles,
        |_| Ok(()),
    )
}
