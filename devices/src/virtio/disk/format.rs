//! Disk image formats, and telling them apart by their first sector.
//!
//! When `-drive` names no `format=`, QEMU 7.2 probes the image: it asks
//! each of its format drivers whether the first bytes are theirs, and
//! falls back to raw with a warning. rivet reads two formats, raw and
//! qcow2; it recognises the signatures of the others QEMU probes for, so
//! that such an image is refused by name instead of being handed to the
//! guest as raw bytes. A raw image found by probing gets QEMU's
//! restriction: the guest may not write a first sector that would make
//! the image probe as something else (see [`Probed::of`]).
//!
//! The signatures are those of each format's specification: qcow and
//! qcow2 (`QFI\xfb`, then the version), QED (`QED\0`), VMDK sparse
//! extents (`KDMV`), VDI (0xbeda107f at byte 64), VHDX (`vhdxfile`),
//! VHD/VPC (`conectix`), LUKS (`LUKS\xba\xbe`), Parallels and Bochs
//! (their text signatures).

use std::fmt;

/// A disk image format rivet can read and write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiskFormat {
    /// The disk's bytes, one for one.
    Raw,
    /// QEMU's copy-on-write format, versions 2 and 3.
    Qcow2,
}

impl DiskFormat {
    /// The format's name, as `-drive format=` spells it.
    pub fn name(self) -> &'static str {
        match self {
            DiskFormat::Raw => "raw",
            DiskFormat::Qcow2 => "qcow2",
        }
    }

    /// The format `format=NAME` names, if rivet has it.
    pub fn from_name(name: &str) -> Option<DiskFormat> {
        match name {
            "raw" => Some(DiskFormat::Raw),
            "qcow2" => Some(DiskFormat::Qcow2),
            _ => None,
        }
    }
}

impl fmt::Display for DiskFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the first sector of an image says its format is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probed {
    /// A format rivet reads.
    Format(DiskFormat),
    /// A format QEMU knows and rivet does not: its QEMU name.
    Unsupported(&'static str),
}

/// The magic number of qcow and qcow2 images.
pub const QCOW_MAGIC: &[u8; 4] = b"QFI\xfb";

impl Probed {
    /// The format of an image whose first bytes are `head` (the first
    /// sector, or all of a shorter file). Anything unrecognised is raw.
    pub fn of(head: &[u8]) -> Probed {
        let at =
            |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
        if at(0, QCOW_MAGIC) {
            // qcow (version 1) and qcow2 (2 and 3) share the magic.
            return match head.get(4..8) {
                Some(&[0, 0, 0, 1]) => Probed::Unsupported("qcow"),
                _ => Probed::Format(DiskFormat::Qcow2),
            };
        }
        const SIGNATURES: &[(usize, &[u8], &str)] = &[
            (0, b"QED\0", "qed"),
            (0, b"KDMV", "vmdk"),
            (64, &[0x7f, 0x10, 0xda, 0xbe], "vdi"),
            (0, b"vhdxfile", "vhdx"),
            (0, b"conectix", "vpc"),
            (0, b"LUKS\xba\xbe", "luks"),
            (0, b"WithoutFreeSpace", "parallels"),
            (0, b"WithouFreSpacExt", "parallels"),
            (0, b"Bochs Virtual HD Image", "bochs"),
        ];
        SIGNATURES
            .iter()
            .find(|(offset, magic, _)| at(*offset, magic))
            .map_or(Probed::Format(DiskFormat::Raw), |(_, _, name)| {
                Probed::Unsupported(name)
            })
    }
}

/// The format the first sector of the file at `path` shows.
pub fn probe_path(path: &std::path::Path) -> std::io::Result<Probed> {
    use std::io::Read;
    let mut head = Vec::with_capacity(512);
    std::fs::File::open(path)?
        .take(512)
        .read_to_end(&mut head)?;
    Ok(Probed::of(&head))
}

/// QEMU 7.2's warning when it guessed raw for an image named `path`
/// (three lines, as QEMU prints them).
pub fn probed_raw_warning(path: &std::path::Path) -> String {
    format!(
        "WARNING: Image format was not specified for '{}' and probing guessed raw.\n         \
         Automatically detecting the format is dangerous for raw images, write operations on \
         block 0 will be restricted.\n         \
         Specify the 'raw' format explicitly to remove the restrictions.",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_by_signature() {
        let mut qcow2 = b"QFI\xfb\0\0\0\x03".to_vec();
        assert_eq!(Probed::of(&qcow2), Probed::Format(DiskFormat::Qcow2));
        qcow2[7] = 1;
        assert_eq!(Probed::of(&qcow2), Probed::Unsupported("qcow"));
        assert_eq!(Probed::of(b"KDMV\x01"), Probed::Unsupported("vmdk"));
        let mut vdi = vec![0u8; 512];
        vdi[64..68].copy_from_slice(&0xbeda_107f_u32.to_le_bytes());
        assert_eq!(Probed::of(&vdi), Probed::Unsupported("vdi"));
        assert_eq!(Probed::of(&[0; 512]), Probed::Format(DiskFormat::Raw));
        assert_eq!(Probed::of(b"QF"), Probed::Format(DiskFormat::Raw));
        assert_eq!(Probed::of(b""), Probed::Format(DiskFormat::Raw));
    }
}
