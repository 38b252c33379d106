//! virtio: paravirtual devices on the virtio-mmio transport.
//!
//! Written from the Virtual I/O Device (VIRTIO) specification, version 1.2
//! (section numbers below refer to it). The pieces, one concept each:
//!
//! - this module: the [`VirtioDevice`] trait a device type implements, and
//!   the constants every device shares: the device status bits (§2.1),
//!   the reserved feature bits (§6) and the device IDs (§5);
//! - [`mmio`]: the virtio-mmio transport (§4.2), modern (version 2) and
//!   legacy (version 1) register layouts;
//! - [`queue`]: split virtqueues (§2.7) with indirect descriptors and event
//!   indices;
//! - [`block`]: the block device (§5.2);
//! - [`console`]: the console device (§5.3);
//! - [`net`]: the network device (§5.1);
//! - [`rng`]: the entropy device (§5.4);
//! - [`fsdev`]: the options of a shared folder (its security model);
//! - `p9`: the 9P transport, host file sharing (64-bit Linux hosts only);
//! - [`disk`]: the raw image file behind a block device.
//!
//! Everything a guest driver writes — register values, ring contents,
//! descriptor chains — is untrusted: a malformed queue puts the device in
//! the DEVICE_NEEDS_RESET state (§2.1.2), a malformed request fails with an
//! error status, and nothing a guest does panics or hangs the host.

pub mod block;
pub mod console;
pub mod disk;
pub mod fsdev;
pub mod mmio;
pub mod net;
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub mod p9;
pub mod queue;
pub mod rng;
#[cfg(test)]
mod testing;

pub use block::VirtioBlock;
pub use console::{ConsolePort, ConsoleStats, VirtioConsole};
pub use disk::{Disk, DiskError, DiskFormat, DiskMode};
pub use mmio::{MmioStats, MmioVersion, VirtioMmio};
pub use net::{NetBackend, NetStats, VirtioNet};
pub use queue::{Descriptor, DescriptorChain, Queue, QueueError};
pub use rng::{EntropySource, VirtioRng};

use rivet_core::Memory;

/// Device status bits (§2.1 "Device Status Field").
///
/// The driver sets them as it goes through the initialization sequence of
/// §3.1.1; the device sets [`NEEDS_RESET`](status::DEVICE_NEEDS_RESET).
pub mod status {
    /// The guest OS has found the device and recognised it as a virtio device.
    pub const ACKNOWLEDGE: u32 = 1;
    /// The guest OS knows how to drive the device.
    pub const DRIVER: u32 = 2;
    /// The driver is set up and ready to drive the device.
    pub const DRIVER_OK: u32 = 4;
    /// The driver has acknowledged the features it understands; feature
    /// negotiation is complete (modern devices only).
    pub const FEATURES_OK: u32 = 8;
    /// The device has hit an error from which only a reset recovers.
    pub const DEVICE_NEEDS_RESET: u32 = 64;
    /// Something went wrong in the guest and it gave up on the device.
    pub const FAILED: u32 = 128;
}

/// Feature bits shared by all device types (§6 "Reserved Feature Bits").
///
/// Bits 0 to 23 belong to the device type (for a block device, see
/// [`block::features`]).
pub mod features {
    /// The driver may use descriptors with `VIRTQ_DESC_F_INDIRECT` (§2.7.5.3).
    pub const VIRTIO_F_INDIRECT_DESC: u64 = 1 << 28;
    /// The `used_event` and `avail_event` fields are used for notification
    /// suppression (§2.7.7, §2.7.10).
    pub const VIRTIO_F_EVENT_IDX: u64 = 1 << 29;
    /// The device complies with version 1 of the specification (not legacy).
    pub const VIRTIO_F_VERSION_1: u64 = 1 << 32;
}

/// Device IDs (§5 "Device Types").
pub mod device_id {
    /// No device: a placeholder slot that drivers ignore (§4.2.2).
    pub const NONE: u32 = 0;
    /// Network card.
    pub const NET: u32 = 1;
    /// Block device (§5.2).
    pub const BLOCK: u32 = 2;
    /// Console.
    pub const CONSOLE: u32 = 3;
    /// Entropy source.
    pub const ENTROPY: u32 = 4;
    /// 9P transport (host file sharing).
    pub const NINEP: u32 = 9;
}

/// How far a device got with the buffers available on a queue
/// ([`VirtioDevice::process_queue`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueWork {
    /// Every available buffer has been used.
    Done,
    /// The device stopped at its bound on work per poll with work left:
    /// the transport polls it again soon, without a new notification.
    Pending,
}

/// Copies the bytes of a device's configuration space `config` from
/// `offset` into `data`, bytes past its end reading as zero: what
/// [`VirtioDevice::read_config`] does for a device whose configuration is
/// a plain byte image.
pub(crate) fn read_config_bytes(config: &[u8], offset: u64, data: &mut [u8]) {
    for (i, byte) in data.iter_mut().enumerate() {
        *byte = usize::try_from(offset)
            .ok()
            .and_then(|o| o.checked_add(i))
            .and_then(|o| config.get(o))
            .copied()
            .unwrap_or(0);
    }
}

/// A virtio device type, as the transport sees it.
///
/// The transport ([`VirtioMmio`]) owns the registers, feature negotiation,
/// the device status and the virtqueues; the device supplies its ID, its
/// device-type feature bits, its configuration space and the processing of
/// the buffers the driver makes available on its queues.
///
/// The transport adds the feature bits it implements for every device:
/// [`VIRTIO_F_INDIRECT_DESC`](features::VIRTIO_F_INDIRECT_DESC),
/// [`VIRTIO_F_EVENT_IDX`](features::VIRTIO_F_EVENT_IDX) and, for a modern
/// transport, [`VIRTIO_F_VERSION_1`](features::VIRTIO_F_VERSION_1).
pub trait VirtioDevice: Send {
    /// The device ID (§5), e.g. [`device_id::BLOCK`].
    fn device_id(&self) -> u32;

    /// The device-type feature bits the device offers (bits 0 to 23).
    fn features(&self) -> u64;

    /// The maximum size of each of the device's virtqueues; the length of
    /// the slice is the number of queues. Sizes are powers of two.
    fn queue_max_sizes(&self) -> &[u16];

    /// Reads the device configuration space (§2.5) at `offset` into `data`.
    /// Bytes past the end of the configuration space read as zero.
    fn read_config(&self, offset: u64, data: &mut [u8]);

    /// Writes the device configuration space at `offset`. Read-only fields
    /// and bytes past the end ignore the write.
    fn write_config(&mut self, offset: u64, data: &[u8]);

    /// Processes the buffers the driver has made available on queue
    /// `index`: pops chains from `queue`, does the work, and adds them to
    /// the used ring. Called only while the driver has set DRIVER_OK.
    ///
    /// A device bounds the work it does in one call (a few milliseconds of
    /// host time) whatever the driver asked for, and returns
    /// [`QueueWork::Pending`] when it stopped with work left.
    ///
    /// A malformed queue (a bad ring or descriptor chain) is returned as an
    /// error and puts the device in the DEVICE_NEEDS_RESET state; a
    /// malformed request is the device's business and is reported to the
    /// driver through the request's own status.
    fn process_queue(
        &mut self,
        index: usize,
        queue: &mut Queue,
        mem: &mut Memory,
    ) -> Result<QueueWork, QueueError>;

    /// Returns the device to its initial state (the driver wrote 0 to the
    /// status register).
    fn reset(&mut self);

    /// Tells the device the features the driver accepted, when it sets
    /// DRIVER_OK (a network device's header length depends on them). The
    /// default ignores them.
    fn set_driver_features(&mut self, _features: u64) {}

    /// Whether input from the host (a network device's incoming frames)
    /// waits for buffers on queue `index`: the transport then processes the
    /// queue at its next poll without a notification from the driver. The
    /// default has none.
    fn input_pending(&mut self, _index: usize) -> bool {
        false
    }

    /// Makes every completed write durable on the host (a block device's
    /// backing file). The default does nothing.
    fn flush(&mut self) -> Result<(), DiskError> {
        Ok(())
    }

    /// Gives back the disk behind the device (a block device's), so that
    /// it outlives the device: the board after a reset is built on the
    /// same disk. The default has none.
    fn into_disk(self: Box<Self>) -> Option<Disk> {
        None
    }
}
