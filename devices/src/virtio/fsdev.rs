//! The options of a shared folder's file system device (QEMU's `-fsdev
//! local` and `-virtfs local`) that the 9P server obeys, on every host.

/// How the guest's owners and modes are kept on the host
/// (`security_model=`, as QEMU's `-fsdev` documents it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecurityModel {
    /// `none`: files belong to the user running the emulator; the guest's
    /// changes of owner are ignored, its modes applied to the host files.
    #[default]
    None,
    /// `mapped-xattr` (alias `mapped`): files are created as the user
    /// running the emulator, readable only by it; the guest's owner,
    /// group, mode and device number live in the `user.virtfs.*`
    /// extended attributes of each file.
    MappedXattr,
    /// `passthrough`: the guest's owners, modes and device nodes are
    /// made for real on the host (the emulator needs the privilege).
    Passthrough,
}

impl SecurityModel {
    /// The model's name as `security_model=` spells it.
    pub fn name(self) -> &'static str {
        match self {
            SecurityModel::None => "none",
            SecurityModel::MappedXattr => "mapped-xattr",
            SecurityModel::Passthrough => "passthrough",
        }
    }
}
