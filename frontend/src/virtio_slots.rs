//! Where the command line's virtio devices sit: the board's eight
//! virtio-mmio slots (`virtio-mmio-bus.0` at 0x10001000 to
//! `virtio-mmio-bus.7` at 0x10008000), given out as QEMU 7.2 gives them.
//!
//! QEMU 7.2 creates the `-device` devices in command-line order. One with
//! `bus=virtio-mmio-bus.N` takes that bus, and fails if an earlier device
//! took it ("Bus 'virtio-mmio-bus.N' is full") or if there is none ("not
//! found"): an explicit claim is not served before the automatic placements
//! of the devices given before it. One without `bus=` takes the highest free
//! slot (QEMU's `virt` creates the transports from slot 0 up and finds a
//! free bus newest first), and a device that finds none fails ("No
//! 'virtio-bus' bus found"). The device tree lists the slots highest first,
//! so Linux probes, and numbers (`/dev/vda`, `eth0`), the first
//! automatically placed device first.
//!
//! QEMU puts `-drive if=virtio` and `-virtfs` on its PCI bus and creates no
//! card for `-nic`; rivet has no PCI bus and puts them on virtio-mmio, after
//! every `-device`, so that each `-device` sits where QEMU puts it: the
//! `if=virtio` drives in order, then the `-virtfs` shares, then the `-nic`
//! cards, each in the highest free slot.

use rivet_devices::layout::VIRTIO_SLOTS;

use crate::cli::{self, Args, UsageError};
use crate::net;
use crate::virtio_serial;

/// The `-device` drivers that are a virtio-mmio transport's device.
pub const TRANSPORT_DRIVERS: [&str; 5] = [
    "virtio-blk-device",
    "virtio-net-device",
    "virtio-rng-device",
    "virtio-9p-device",
    virtio_serial::SERIAL_DEVICE,
];

/// The slots given out so far.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    taken: [bool; VIRTIO_SLOTS],
}

impl Slots {
    /// No slot taken.
    pub fn new() -> Self {
        Self::default()
    }

    /// A slot for the device `driver` of the option `option` (its text, for
    /// errors): `wanted` if given and free, else the highest free one.
    pub fn claim(
        &mut self,
        option: &str,
        driver: &str,
        wanted: Option<usize>,
    ) -> Result<usize, UsageError> {
        let slot = match wanted {
            Some(n) if n >= VIRTIO_SLOTS => {
                return Err(UsageError(format!(
                    "{option}: Bus 'virtio-mmio-bus.{n}' not found"
                )))
            }
            Some(n) if self.taken[n] => {
                return Err(UsageError(format!(
                    "{option}: Bus 'virtio-mmio-bus.{n}' is full"
                )))
            }
            Some(n) => n,
            None => (0..VIRTIO_SLOTS)
                .rev()
                .find(|&n| !self.taken[n])
                .ok_or_else(|| {
                    UsageError(format!(
                        "{option}: No 'virtio-bus' bus found for device '{driver}'"
                    ))
                })?,
        };
        self.taken[slot] = true;
        Ok(slot)
    }
}

/// The slot of every virtio device of the command line, by its option's
/// index in [`Args`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    /// By index in `args.devices`: the slot of a transport's device, none
    /// for other drivers.
    pub devices: Vec<Option<usize>>,
    /// By index in `args.drives`: the slot of an `if=virtio` drive.
    pub drives: Vec<Option<usize>>,
    /// By index in `args.virtfs`.
    pub virtfs: Vec<usize>,
    /// By index in `args.nics`: none for `-nic none`.
    pub nics: Vec<Option<usize>>,
}

/// Places the command line's virtio devices (see the module's comment).
pub fn place(args: &Args) -> Result<Placement, UsageError> {
    let mut slots = Slots::new();
    let serial = virtio_serial::parse(args)?;
    let mut placement = Placement::default();
    for text in &args.devices {
        let driver = cli::device_driver(text);
        let wanted = match driver {
            "virtio-blk-device" => cli::parse_device(text)?.slot,
            "virtio-net-device" => net::parse_net_device(text)?.slot,
            "virtio-rng-device" => cli::parse_rng_device(text)?.slot,
            "virtio-9p-device" => cli::parse_9p_device(text)?.slot,
            virtio_serial::SERIAL_DEVICE => serial.as_ref().and_then(|s| s.slot),
            _ => {
                placement.devices.push(None);
                continue;
            }
        };
        let slot = slots.claim(&format!("-device {text}"), driver, wanted)?;
        placement.devices.push(Some(slot));
    }
    for text in &args.drives {
        let slot = if cli::parse_drive(text)?.attach_directly {
            Some(slots.claim(&format!("-drive {text}"), "virtio-blk-device", None)?)
        } else {
            None
        };
        placement.drives.push(slot);
    }
    for text in &args.virtfs {
        let slot = slots.claim(&format!("-virtfs {text}"), "virtio-9p-device", None)?;
        placement.virtfs.push(slot);
    }
    for text in &args.nics {
        let slot = match net::parse_nic(text)? {
            Some(_) => Some(slots.claim(&format!("-nic {text}"), "virtio-net-device", None)?),
            None => None,
        };
        placement.nics.push(slot);
    }
    Ok(placement)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `claim`, its error as text.
    fn claim(s: &mut Slots, option: &str, wanted: Option<usize>) -> Result<usize, String> {
        s.claim(option, "virtio-rng-device", wanted)
            .map_err(|e| e.0)
    }

    #[test]
    fn automatic_slots_go_highest_first_and_claims_in_order() {
        let mut s = Slots::new();
        assert_eq!(claim(&mut s, "-device a", None), Ok(7));
        assert_eq!(claim(&mut s, "-device b", Some(0)), Ok(0));
        assert_eq!(claim(&mut s, "-device c", None), Ok(6));
        assert_eq!(
            claim(&mut s, "-device d", Some(7)),
            Err("-device d: Bus 'virtio-mmio-bus.7' is full".into())
        );
        assert_eq!(
            claim(&mut s, "-device e", Some(8)),
            Err("-device e: Bus 'virtio-mmio-bus.8' not found".into())
        );
        for want in [5, 4, 3, 2, 1] {
            assert_eq!(claim(&mut s, "-device f", None), Ok(want));
        }
        assert_eq!(
            claim(&mut s, "-device g", None),
            Err("-device g: No 'virtio-bus' bus found for device 'virtio-rng-device'".into())
        );
    }
}
