//! Reading the command line as QEMU reads it.
//!
//! QEMU's options are whole words after one dash (`-kernel`, `-m`,
//! `-monitor`): `-monitor` is never `-m onitor`. Each takes either no value
//! or exactly one, given as the next argument or after `=`
//! (`-m 256M`, `-m=256M`); two dashes work too. [`read`] looks every
//! option up in `OPTIONS`, QEMU 7.2's options for `qemu-system-riscv64`
//! plus rivet's own, and hands clap those rivet reads, in clap's spelling.
//! An option QEMU has and rivet does not is refused with the reason; one
//! neither knows is `invalid option`, with the nearest spelling when one is
//! close.

use std::ffi::OsString;

use crate::cli::UsageError;

/// How rivet takes an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Support {
    /// Read into [`crate::cli::Args`] by clap as `--name`.
    Long,
    /// Read by clap as the one-letter `-x`.
    Short,
    /// A QEMU option rivet does not support, and why.
    Refused(&'static str),
    /// `-hda FILE` and its siblings: a disk on the board's default
    /// interface, which on QEMU's virt is virtio; read as `-drive
    /// file=FILE,if=virtio,media=disk` (QEMU puts it on PCI; rivet, which
    /// has none, on virtio-mmio like every `if=virtio` drive), in its
    /// place among the `-drive`s.
    Disk,
}

/// One option: its name (without dashes), whether it takes a value, and
/// how rivet takes it.
struct OptionSpec {
    name: &'static str,
    value: bool,
    support: Support,
}

const fn long(name: &'static str, value: bool) -> OptionSpec {
    OptionSpec {
        name,
        value,
        support: Support::Long,
    }
}

const fn disk(name: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        value: true,
        support: Support::Disk,
    }
}

const fn short(name: &'static str, value: bool) -> OptionSpec {
    OptionSpec {
        name,
        value,
        support: Support::Short,
    }
}

const fn refused(name: &'static str, value: bool, why: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        value,
        support: Support::Refused(why),
    }
}

const NO_DISPLAY: &str = "rivet has no graphical display (the console is the serial line)";
const VIRTIO_DISKS_ONLY: &str =
    "rivet's virt board has only virtio disks: use -drive file=FILE,format=raw,if=virtio";
const UNSUPPORTED: &str = "not supported by rivet";

/// Every option rivet knows: those of `qemu-system-riscv64 -help` (QEMU
/// 7.2), whether rivet reads them or refuses them, and rivet's own.
const OPTIONS: &[OptionSpec] = &[
    // Read by rivet.
    short("M", true),
    long("machine", true),
    long("cpu", true),
    long("accel", true),
    short("m", true),
    long("smp", true),
    long("bios", true),
    long("kernel", true),
    long("initrd", true),
    long("append", true),
    long("dtb", true),
    long("drive", true),
    long("device", true),
    long("global", true),
    long("snapshot", false),
    long("nographic", false),
    long("display", true),
    long("serial", true),
    long("monitor", true),
    long("mon", true),
    long("qmp", true),
    long("qmp-pretty", true),
    long("chardev", true),
    long("nic", true),
    long("netdev", true),
    long("net", true),
    long("icount", true),
    long("rtc", true),
    long("name", true),
    long("pidfile", true),
    long("no-reboot", false),
    long("no-shutdown", false),
    long("gdb", true),
    short("s", false),
    short("S", false),
    short("d", true),
    short("D", true),
    long("help", false),
    short("h", false),
    long("version", false),
    // rivet's own.
    long("dumpdtb", true),
    long("max-instructions", true),
    long("timeout", true),
    long("stats", false),
    long("plic-gateway", true),
    long("semihosting-root", true),
    // QEMU's, read by rivet: entropy and file sharing, semihosting.
    long("object", true),
    long("fsdev", true),
    long("virtfs", true),
    long("semihosting", false),
    long("semihosting-config", true),
    // QEMU's, refused.
    refused(
        "enable-kvm",
        false,
        "rivet is an interpreter and has no KVM (it does what -accel tcg does)",
    ),
    refused(
        "blockdev",
        true,
        "not supported: use -drive file=FILE,format=raw,if=none,id=ID",
    ),
    refused("cdrom", true, VIRTIO_DISKS_ONLY),
    disk("hda"),
    disk("hdb"),
    disk("hdc"),
    disk("hdd"),
    refused("fda", true, VIRTIO_DISKS_ONLY),
    refused("fdb", true, VIRTIO_DISKS_ONLY),
    refused("sd", true, VIRTIO_DISKS_ONLY),
    refused("mtdblock", true, VIRTIO_DISKS_ONLY),
    refused("pflash", true, "rivet's virt board has no flash devices"),
    refused("vga", true, NO_DISPLAY),
    refused("vnc", true, NO_DISPLAY),
    refused("spice", true, NO_DISPLAY),
    refused("full-screen", false, NO_DISPLAY),
    refused("portrait", false, NO_DISPLAY),
    refused("rotate", true, NO_DISPLAY),
    refused("k", true, NO_DISPLAY),
    refused("audio", true, "rivet has no sound devices"),
    refused("audiodev", true, "rivet has no sound devices"),
    refused("audio-help", false, "rivet has no sound devices"),
    refused("usb", false, "rivet has no USB"),
    refused("usbdevice", true, "rivet has no USB"),
    refused("parallel", true, "rivet's virt board has no parallel port"),
    refused("debugcon", true, "rivet has no debug console port"),
    refused("tpmdev", true, "rivet has no TPM"),
    refused(
        "loadvm",
        true,
        "rivet has no snapshots of the machine state",
    ),
    refused("incoming", true, "rivet has no migration"),
    refused("only-migratable", false, "rivet has no migration"),
    refused("daemonize", false, UNSUPPORTED),
    refused("preconfig", false, UNSUPPORTED),
    refused("readconfig", true, UNSUPPORTED),
    refused("no-user-config", false, UNSUPPORTED),
    refused("nodefaults", false, UNSUPPORTED),
    refused("numa", true, UNSUPPORTED),
    refused("boot", true, UNSUPPORTED),
    refused("fw_cfg", true, "rivet's virt board has no fw_cfg device"),
    refused("option-rom", true, UNSUPPORTED),
    refused("L", true, UNSUPPORTED),
    refused("mem-path", true, UNSUPPORTED),
    refused("mem-prealloc", false, UNSUPPORTED),
    refused("overcommit", true, UNSUPPORTED),
    refused("add-fd", true, UNSUPPORTED),
    refused("set", true, UNSUPPORTED),
    refused("action", true, UNSUPPORTED),
    refused("watchdog-action", true, UNSUPPORTED),
    refused("echr", true, UNSUPPORTED),
    refused("msg", true, UNSUPPORTED),
    refused("trace", true, UNSUPPORTED),
    refused("dfilter", true, UNSUPPORTED),
    refused("plugin", true, UNSUPPORTED),
    refused("singlestep", false, UNSUPPORTED),
    refused("seed", true, UNSUPPORTED),
    refused("uuid", true, UNSUPPORTED),
    refused("iscsi", true, UNSUPPORTED),
    refused("sandbox", true, UNSUPPORTED),
    refused("chroot", true, UNSUPPORTED),
    refused("runas", true, UNSUPPORTED),
    refused("compat", true, UNSUPPORTED),
    refused("dump-vmstate", true, UNSUPPORTED),
    refused("async-teardown", false, UNSUPPORTED),
    refused("enable-sync-profile", false, UNSUPPORTED),
];

/// The option called `name`, if rivet knows it.
fn find(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// The known option nearest to `name`, if one is close enough to be a
/// likely misspelling: at most one edit for names up to five letters,
/// two for longer ones.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = if name.chars().count() <= 5 { 1 } else { 2 };
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance: the fewest one-character insertions, deletions
/// and substitutions that turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The error for an option neither QEMU nor rivet knows.
fn invalid(name: &str) -> UsageError {
    let hint = suggest(name, OPTIONS.iter().map(|o| o.name))
        .map(|s| format!(" (did you mean -{s}?)"))
        .unwrap_or_default();
    UsageError(format!("-{name}: invalid option{hint}"))
}

/// Reads the command line as QEMU does and rewrites it for clap: each
/// option rivet reads becomes `--name=value` (or `-x value` for the
/// one-letter ones), so a value is never taken for an option.
///
/// Arguments are taken as the operating system gives them: a value that
/// is not UTF-8 (a file name, say) passes through untouched, to become a
/// path or to get clap's "invalid UTF-8" error, never a panic.
pub fn read<I>(args: I) -> Result<Vec<OsString>, UsageError>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let mut args = args.into_iter().map(Into::into);
    let mut out: Vec<OsString> = args.next().into_iter().collect();
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            return Err(UsageError(format!(
                "{}: expected an option (arguments start with -)",
                arg.to_string_lossy()
            )));
        };
        let Some(word) = text
            .strip_prefix("--")
            .or_else(|| text.strip_prefix('-'))
            .filter(|w| !w.is_empty())
        else {
            return Err(UsageError(format!(
                "{text}: expected an option (a disk image is given with -drive file={text},format=raw,if=virtio)"
            )));
        };
        let (name, inline) = match word.split_once('=') {
            Some((name, value)) => (name, Some(OsString::from(value))),
            None => (word, None),
        };
        let spec = find(name).ok_or_else(|| invalid(name))?;
        let value = match (spec.value, inline) {
            (false, None) => None,
            (false, Some(_)) => {
                return Err(UsageError(format!("-{name}: takes no value")));
            }
            (true, Some(v)) => Some(v),
            (true, None) => Some(
                args.next()
                    .ok_or_else(|| UsageError(format!("-{name}: requires an argument")))?,
            ),
        };
        match spec.support {
            Support::Refused(why) => {
                let head = value
                    .as_ref()
                    .map(|v| {
                        let v = v.to_string_lossy();
                        format!(" {}", v.split(',').next().unwrap_or_default())
                    })
                    .unwrap_or_default();
                return Err(UsageError(format!("-{name}{head}: {why}")));
            }
            Support::Short => {
                out.push(format!("-{name}").into());
                out.extend(value);
            }
            Support::Disk => {
                let file = value.unwrap_or_default();
                let file = file.to_str().ok_or_else(|| {
                    UsageError(format!(
                        "-{name} {}: rivet takes disk image names in UTF-8",
                        file.to_string_lossy()
                    ))
                })?;
                out.push(
                    format!(
                        "--drive=file={},if=virtio,media=disk",
                        crate::cli::escape_option_value(file)
                    )
                    .into(),
                );
            }
            Support::Long => {
                let mut token = OsString::from(format!("--{name}"));
                if let Some(v) = value {
                    token.push("=");
                    token.push(v);
                }
                out.push(token);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_strs(v: &[&str]) -> Result<Vec<String>, String> {
        read(v.iter().copied())
            .map(|a| a.into_iter().map(|s| s.into_string().unwrap()).collect())
            .map_err(|e| e.0)
    }

    #[test]
    fn hda_to_hdd_are_virtio_drives_with_their_commas_doubled() {
        assert_eq!(
            read_strs(&["rivet", "-hda", "a,b.img", "-hdd=c.img"]).unwrap(),
            [
                "rivet",
                "--drive=file=a,,b.img,if=virtio,media=disk",
                "--drive=file=c.img,if=virtio,media=disk"
            ]
        );
        assert!(read_strs(&["rivet", "-hda"])
            .unwrap_err()
            .contains("requires an argument"));
    }

    #[test]
    fn options_are_whole_words_with_their_values() {
        assert_eq!(
            read_strs(&[
                "rivet",
                "-M",
                "virt",
                "-kernel",
                "-x.elf",
                "-nographic",
                "-m",
                "64"
            ]),
            Ok(vec![
                "rivet".into(),
                "-M".into(),
                "virt".into(),
                "--kernel=-x.elf".into(),
                "--nographic".into(),
                "-m".into(),
                "64".into()
            ])
        );
        assert_eq!(
            read_strs(&["rivet", "-m=1G", "--smp=2", "-append", "a=b c"]),
            Ok(vec![
                "rivet".into(),
                "-m".into(),
                "1G".into(),
                "--smp=2".into(),
                "--append=a=b c".into()
            ])
        );
        // Never an option with an attached short value.
        assert_eq!(
            read_strs(&["rivet", "-monitor", "none"]),
            Ok(vec!["rivet".into(), "--monitor=none".into()])
        );
    }

    #[test]
    fn unknown_and_refused_options_are_named() {
        assert_eq!(
            read_strs(&["rivet", "-kernal", "x"]),
            Err("-kernal: invalid option (did you mean -kernel?)".into())
        );
        assert_eq!(
            read_strs(&["rivet", "-bogus"]),
            Err("-bogus: invalid option".into())
        );
        assert_eq!(
            read_strs(&["rivet", "-m256"]),
            Err("-m256: invalid option".into())
        );
        assert_eq!(
            read_strs(&["rivet", "-kernel"]),
            Err("-kernel: requires an argument".into())
        );
        assert_eq!(
            read_strs(&["rivet", "-nographic=on"]),
            Err("-nographic: takes no value".into())
        );
        assert!(read_strs(&["rivet", "disk.img"])
            .unwrap_err()
            .contains("expected an option"));
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kernel", "kernel"), 0);
        assert_eq!(edit_distance("kernal", "kernel"), 1);
        assert_eq!(edit_distance("monitr", "monitor"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(suggest("foo", ["fda", "smp"]), None);
        assert_eq!(suggest("smpp", ["fda", "smp"]), Some("smp"));
    }
}
