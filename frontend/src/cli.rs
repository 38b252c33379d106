//! The command line, with QEMU's habits.
//!
//! [`crate::options::read`] reads the arguments as QEMU does (`-kernel x`,
//! `-m=256M`) and hands clap the options rivet supports; the values QEMU
//! packs into `key=value,…` lists (`-drive`, `-device`, `-machine`, `-cpu`,
//! `-smp`, `-icount`, `-serial`, `-global`) are parsed here into typed
//! settings, with a message naming anything rivet does not know.

use std::path::PathBuf;

use clap::Parser;
use rivet_core::isa::Extensions;
use rivet_devices::plic::Gateway;
use rivet_devices::virtio::fsdev::SecurityModel;
use rivet_devices::virtio::DiskFormat;

/// rivet: a RISC-V RV64GC full-system emulator with QEMU's `virt` board.
#[derive(Parser, Debug, Default)]
#[command(name = "rivet", version, about, long_about = None)]
// As in QEMU, a later `-m`, `-kernel`, ... replaces an earlier one.
#[command(args_override_self = true)]
#[command(
    after_help = "Options are read as QEMU reads them: -kernel FILE, -kernel=FILE or --kernel FILE.\n\
Debugging with GDB, as in QEMU:\n\
-gdb dev        wait for gdb on dev: tcp::PORT, tcp:HOST:PORT or unix:PATH,server\n\
-s              shorthand for -gdb tcp::1234\n\
-S              do not start the harts until gdb continues them\n\
Examples:\n  rivet -M virt -bios none -kernel prog.elf -nographic -m 256M\n  \
rivet -M virt -smp 2 -kernel Image -initrd initramfs.cpio.gz -append console=ttyS0 -nographic"
)]
pub struct Args {
    /// The machine: only `virt` (options: `accel=tcg`, `dumpdtb=FILE`); `help` lists it.
    #[arg(
        short = 'M',
        long = "machine",
        value_name = "virt[,dumpdtb=FILE]",
        allow_hyphen_values = true
    )]
    pub machine: Option<String>,
    /// The CPU: `rv64` (RV64GC); `help` lists it.
    #[arg(long, value_name = "rv64[,EXT=on]")]
    pub cpu: Option<String>,
    /// The accelerator: only `tcg` (rivet interprets).
    #[arg(long = "accel", value_name = "tcg")]
    pub accel: Vec<String>,
    /// Firmware run in M-mode: a file, `default` (OpenSBI fw_dynamic) or `none`.
    #[arg(long, value_name = "FILE|default|none")]
    pub bios: Option<String>,
    /// The kernel (ELF or raw image).
    #[arg(long, value_name = "FILE")]
    pub kernel: Option<PathBuf>,
    /// An initial RAM disk.
    #[arg(long, value_name = "FILE")]
    pub initrd: Option<PathBuf>,
    /// The kernel command line.
    #[arg(long, value_name = "CMDLINE", allow_hyphen_values = true)]
    pub append: Option<String>,
    /// RAM size: a number of MiB, or with a suffix K, M, G (default 256M).
    #[arg(short = 'm', value_name = "SIZE", allow_hyphen_values = true)]
    pub memory: Option<String>,
    /// Number of harts (1 to 64): `N` or `cpus=N`.
    #[arg(long, value_name = "N")]
    pub smp: Option<String>,
    /// Serial console on this terminal (rivet has no graphical display; accepted for QEMU compatibility).
    #[arg(long)]
    pub nographic: bool,
    /// The display: only `none` (rivet has no graphical display).
    #[arg(long, value_name = "none")]
    pub display: Option<String>,
    /// Where the serial line goes: `mon:stdio` (the default), `stdio`, `null`, `file:PATH`, `pipe:PATH`, `tcp:[HOST]:PORT[,server]`, `unix:PATH[,server]`, `chardev:ID`.
    #[arg(long = "serial", value_name = "DEV")]
    pub serials: Vec<String>,
    /// A character device: `stdio`, `null`, `file`, `pipe` or `socket` (`,id=ID[,path=PATH][,host=H,port=P][,server=on][,wait=off][,mux=on]`).
    #[arg(long = "chardev", value_name = "BACKEND,id=ID")]
    pub chardevs: Vec<String>,
    /// The monitor's device (as `-serial`'s), or `none`.
    #[arg(long = "monitor", value_name = "DEV")]
    pub monitors: Vec<String>,
    /// The monitor on a character device: `chardev=ID[,mode=readline]`.
    #[arg(long = "mon", value_name = "chardev=ID")]
    pub mons: Vec<String>,
    /// A QMP monitor's device (as `-serial`'s, or `chardev:ID`).
    #[arg(long = "qmp", value_name = "DEV")]
    pub qmp: Vec<String>,
    /// A QMP monitor whose answers are pretty-printed.
    #[arg(long = "qmp-pretty", value_name = "DEV")]
    pub qmp_pretty: Vec<String>,
    /// A network card on the user network or a tap: `user|tap[,model=virtio-net-device][,mac=MAC][,hostfwd=RULE|,ifname=NAME...]`, or `none`.
    #[arg(long = "nic", value_name = "user|tap|none")]
    pub nics: Vec<String>,
    /// A network backend: `user,id=ID[,hostfwd=[tcp|udp]:[HOSTADDR]:PORT-[GUESTADDR]:PORT][,guestfwd=[tcp]:SERVER:PORT-cmd:COMMAND]` or `tap,id=ID[,ifname=NAME][,script=PATH|no][,downscript=PATH|no][,fd=N]`.
    #[arg(long = "netdev", value_name = "user|tap,id=ID")]
    pub netdevs: Vec<String>,
    /// Legacy networking: only `none` (use -nic user or -netdev user).
    #[arg(long = "net", value_name = "none")]
    pub nets: Vec<String>,
    /// A device tree blob to give the guest instead of the generated one.
    #[arg(long, value_name = "FILE")]
    pub dtb: Option<PathBuf>,
    /// A guest reset ends the run (exit status 0), as in QEMU.
    #[arg(long = "no-reboot")]
    pub no_reboot: bool,
    /// Stop the guest at power-off instead of exiting: not supported.
    #[arg(long = "no-shutdown")]
    pub no_shutdown: bool,
    /// The guest's name (accepted and ignored).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Write rivet's process id to FILE, removed again on exit.
    #[arg(long, value_name = "FILE")]
    pub pidfile: Option<PathBuf>,
    /// A disk image: `file=IMG,format=raw|qcow2,if=none,id=ID[,readonly=on][,snapshot=on]` (or `if=virtio`).
    #[arg(long = "drive", value_name = "OPTIONS")]
    pub drives: Vec<String>,
    /// A device: `virtio-blk-device,drive=ID`; `help` lists them.
    #[arg(long = "device", value_name = "DRIVER,OPTIONS")]
    pub devices: Vec<String>,
    /// An object: `rng-random,id=ID[,filename=FILE]` or `rng-builtin,id=ID` (for virtio-rng-device).
    #[arg(long = "object", value_name = "TYPE,id=ID,...")]
    pub objects: Vec<String>,
    /// A shared host folder: `local,id=ID,path=DIR,security_model=none|mapped-xattr|passthrough[,readonly=on]` (for virtio-9p-device).
    #[arg(long = "fsdev", value_name = "local,id=ID,path=DIR,...")]
    pub fsdevs: Vec<String>,
    /// A shared host folder and its virtio-9p device: `local,path=DIR,mount_tag=TAG,security_model=none|mapped-xattr|passthrough[,readonly=on]`.
    #[arg(long = "virtfs", value_name = "local,path=DIR,mount_tag=TAG,...")]
    pub virtfs: Vec<String>,
    /// Keep guest writes to disks in memory; the image files stay untouched.
    #[arg(long)]
    pub snapshot: bool,
    /// Write the generated device tree blob to FILE and exit.
    #[arg(long, value_name = "FILE")]
    pub dumpdtb: Option<PathBuf>,
    /// Deterministic time: each instruction is 2^N ns of virtual time (`shift=N[,sleep=off]` or `N`).
    #[arg(long, value_name = "shift=N")]
    pub icount: Option<String>,
    /// The real-time clock: `base=utc|YYYY-MM-DD[THH:MM:SS]`, `clock=host|vm`.
    #[arg(long, value_name = "base=DATE,clock=host|vm")]
    pub rtc: Option<String>,
    /// Device properties: `virtio-mmio.force-legacy=true|false`.
    #[arg(long = "global", value_name = "DRIVER.PROP=VALUE")]
    pub globals: Vec<String>,
    /// Log items, as QEMU's -d: `int`, `unimp`, `guest_errors`, `mmu` (`-d help` lists them).
    #[arg(short = 'd', value_name = "ITEM,...", allow_hyphen_values = true)]
    pub log_items: Option<String>,
    /// Write the -d log to FILE instead of standard error.
    #[arg(short = 'D', value_name = "FILE", allow_hyphen_values = true)]
    pub log_file: Option<PathBuf>,
    /// Stop after this many instructions (all harts together), counting
    /// those that trapped as well as those retired: a trap loop ends too.
    #[arg(long, value_name = "N")]
    pub max_instructions: Option<u64>,
    /// Stop after this much wall-clock time: seconds, or a number with a
    /// unit `s`, `m`, `h` or `d` (as timeout(1)); the exit status is then
    /// 124. Counts whatever the guest does: waiting, trapping, a debugger.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,
    /// Print execution statistics (instructions, MIPS, decode cache) on exit.
    #[arg(long)]
    pub stats: bool,
    /// How the PLIC's gateways forward device interrupts: `qemu` (the
    /// default, as QEMU virt: one request per device event, none again at
    /// completion) or `level` (the PLIC specification's level-sensitive
    /// gateway: a line still high at completion is forwarded again).
    #[arg(long, value_name = "qemu|level", value_parser = parse_gateway)]
    pub plic_gateway: Option<Gateway>,
    /// Answer the guest's semihosting calls (RISC-V semihosting: files,
    /// console, exit code) from M- and S-mode.
    #[arg(long)]
    pub semihosting: bool,
    /// Semihosting: `enable=on|off`, `target=native|auto`, `userspace=on|off`, `chardev=ID`, `arg=WORD` (repeatable).
    #[arg(long = "semihosting-config", value_name = "enable=on,...")]
    pub semihosting_config: Vec<String>,
    /// Confine the files of semihosting calls to DIR: absolute names, `..`
    /// above it and symbolic links out of it fail (default: anywhere,
    /// relative to the working directory, as QEMU).
    #[arg(long, value_name = "DIR")]
    pub semihosting_root: Option<PathBuf>,
    /// Wait for GDB on TCP port 1234 (short for `-gdb tcp::1234`).
    #[arg(short = 's')]
    pub gdb_default: bool,
    /// Do not run the first instruction until GDB says so (with -s or -gdb).
    #[arg(short = 'S')]
    pub start_stopped: bool,
    /// Wait for GDB at DEV: `tcp::PORT`, `tcp:HOST:PORT` or `unix:PATH[,server]`.
    #[arg(long = "gdb", value_name = "DEV")]
    pub gdb: Option<String>,
}

/// Parses `--timeout`: a non-negative decimal number of seconds, or one
/// with a unit as timeout(1) takes it (`90`, `1.5s`, `2m`, `1h`, `1d`).
/// Zero, and durations past a hundred years, are refused.
pub fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = match text.char_indices().last() {
        Some((at, 's')) => (&text[..at], 1.0),
        Some((at, 'm')) => (&text[..at], 60.0),
        Some((at, 'h')) => (&text[..at], 3600.0),
        Some((at, 'd')) => (&text[..at], 86400.0),
        _ => (text, 1.0),
    };
    let bad = || format!("expected a duration such as 30, 1.5s, 2m or 1h, not {text:?}");
    // Only digits and one point: no signs, exponents, `inf` or `nan`.
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let seconds = number.parse::<f64>().map_err(|_| bad())? * unit;
    const LONGEST: f64 = 100.0 * 365.0 * 86400.0;
    if seconds <= 0.0 || seconds > LONGEST {
        return Err(format!(
            "{text:?}: the timeout must be more than zero and at most 100 years"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// Parses `--plic-gateway`.
fn parse_gateway(text: &str) -> Result<Gateway, String> {
    match text {
        "qemu" => Ok(Gateway::Qemu),
        "level" => Ok(Gateway::Level),
        _ => Err(format!("expected qemu or level, not {text:?}")),
    }
}

/// A bad command-line value.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Parses a size as QEMU's `-m` does: plain numbers are MiB; suffixes K, M,
/// G, T (binary multiples), optionally followed by `B`/`iB`.
pub fn parse_size(text: &str) -> Result<u64, UsageError> {
    let t = text.trim().strip_prefix("size=").unwrap_or(text.trim());
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    let bad = || UsageError(format!("-m {text}: not a size (examples: 256, 256M, 1G)"));
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let shift = match suffix
        .trim_end_matches("iB")
        .trim_end_matches('B')
        .to_ascii_uppercase()
        .as_str()
    {
        "" | "M" => 20,
        "K" => 10,
        "G" => 30,
        "T" => 40,
        _ => return Err(bad()),
    };
    n.checked_mul(1 << shift).filter(|&b| b > 0).ok_or_else(bad)
}

/// Splits `a=b,c=d` into pairs; a leading bare word is returned separately.
/// As in QEMU, `,,` is a comma inside a value (`file=a,,b.img` names
/// `a,b.img`).
pub fn parse_kv(text: &str) -> (Option<String>, Vec<(String, String)>) {
    let mut head = None;
    let mut pairs = Vec::new();
    for (i, part) in split_options(text).into_iter().enumerate() {
        match part.split_once('=') {
            Some((k, v)) => pairs.push((k.to_string(), v.to_string())),
            None if i == 0 => head = Some(part),
            None => pairs.push((part, String::new())),
        }
    }
    (head, pairs)
}

/// `text` cut at each single comma, a doubled comma standing for one.
fn split_options(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != ',' {
            current.push(c);
        } else if chars.next_if_eq(&',').is_some() {
            current.push(',');
        } else {
            parts.push(std::mem::take(&mut current));
        }
    }
    parts.push(current);
    parts
}

/// `value` as one option value: each comma doubled (QEMU's escape).
pub fn escape_option_value(value: &str) -> String {
    value.replace(',', ",,")
}

/// Parses `-smp`: `N`, `cpus=N` or a topology (`sockets=`, `cores=`,
/// `threads=`, ...) whose product is the number of harts, as QEMU does.
pub fn parse_smp(text: &str) -> Result<usize, UsageError> {
    let (head, pairs) = parse_kv(text);
    let number = |v: &str| {
        v.parse::<usize>()
            .map_err(|_| UsageError(format!("-smp {text}: not a number of harts")))
    };
    let mut cpus = head.as_deref().map(number).transpose()?;
    let mut topology: Option<usize> = None;
    let mut max = None;
    for (k, v) in &pairs {
        match k.as_str() {
            "cpus" => cpus = Some(number(v)?),
            "maxcpus" => max = Some(number(v)?),
            "sockets" | "dies" | "clusters" | "cores" | "threads" => {
                topology = Some(topology.unwrap_or(1).saturating_mul(number(v)?));
            }
            _ => return Err(unknown_key("-smp", k, SMP_KEYS)),
        }
    }
    let n = cpus
        .or(topology)
        .or(max)
        .ok_or_else(|| UsageError(format!("-smp {text}: expected a number of harts")))?;
    if max.is_some_and(|m| m < n) {
        return Err(UsageError(format!(
            "-smp {text}: maxcpus must be at least the number of harts"
        )));
    }
    Ok(n)
}

const SMP_KEYS: &[&str] = &[
    "cpus", "maxcpus", "sockets", "dies", "clusters", "cores", "threads",
];

/// The error for a sub-option `key` that `option` does not have, naming
/// the nearest of `known` when one is close.
pub fn unknown_key(option: &str, key: &str, known: &[&str]) -> UsageError {
    let hint = crate::options::suggest(key, known.iter().copied())
        .map(|s| format!(" (did you mean {s}?)"))
        .unwrap_or_default();
    UsageError(format!("{option}: unknown option '{key}'{hint}"))
}

/// Parses `on`/`off` (and QEMU's other boolean spellings).
pub fn parse_bool(key: &str, value: &str) -> Result<bool, UsageError> {
    match value {
        "on" | "yes" | "true" | "" => Ok(true),
        "off" | "no" | "false" => Ok(false),
        _ => Err(UsageError(format!("{key}={value}: expected on or off"))),
    }
}

/// Parses `-icount`: `shift=N` or `N` (0..=10), with QEMU's `sleep=off`
/// and `align=off`, which are what rivet's deterministic time does: when
/// every hart waits, virtual time skips to the next timer.
pub fn parse_icount(text: &str) -> Result<u32, UsageError> {
    let (head, pairs) = parse_kv(text);
    let mut shift = head;
    for (k, v) in pairs {
        match k.as_str() {
            "shift" => shift = Some(v),
            "sleep" if !parse_bool("-icount sleep", &v)? => {}
            "sleep" => {
                return Err(UsageError(
                    "-icount sleep=on: not supported: rivet's virtual time never follows the \
                     host clock; when every hart waits it skips to the next timer (QEMU's sleep=off)"
                        .into(),
                ))
            }
            "align" if !parse_bool("-icount align", &v)? => {}
            "align" => {
                return Err(UsageError(
                    "-icount align=on: not supported (rivet does not pace virtual time to the host's)"
                        .into(),
                ))
            }
            "rr" | "rrfile" | "rrsnapshot" => {
                return Err(UsageError(format!(
                    "-icount {k}: record and replay are not supported"
                )))
            }
            _ => return Err(unknown_key("-icount", &k, ICOUNT_KEYS)),
        }
    }
    let shift = shift.unwrap_or_else(|| "0".into());
    if shift == "auto" {
        return Err(UsageError(
            "-icount shift=auto: not supported: QEMU's auto keeps retuning the shift to the \
             host's speed, which rivet does not do; give a fixed shift=N (0 to 10)"
                .into(),
        ));
    }
    match shift.parse::<u32>() {
        Ok(n) if n <= 10 => Ok(n),
        _ => Err(UsageError(format!(
            "-icount shift={shift}: expected a number from 0 to 10"
        ))),
    }
}

const ICOUNT_KEYS: &[&str] = &["shift", "sleep", "align", "rr", "rrfile", "rrsnapshot"];

/// What `-semihosting` and `-semihosting-config` ask for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SemihostingSpec {
    /// Calls from U-mode are answered too (`userspace=on`).
    pub userspace: bool,
    /// The `arg=` words, in order (`SYS_GET_CMDLINE`).
    pub args: Vec<String>,
    /// The debug console's character device (`chardev=ID`), if not
    /// standard error.
    pub chardev: Option<crate::chardev::Backend>,
}

/// Parses `-semihosting` and `-semihosting-config` (as QEMU 7.2: the
/// latter enables semihosting unless it says `enable=off`, and `arg=`
/// words accumulate). `None`: semihosting is off.
pub fn parse_semihosting(args: &Args) -> Result<Option<SemihostingSpec>, UsageError> {
    let mut enabled = args.semihosting;
    let mut spec = SemihostingSpec::default();
    for text in &args.semihosting_config {
        let (head, pairs) = parse_kv(text);
        let pairs = head.map(|h| (h, String::new())).into_iter().chain(pairs);
        let mut enable = true;
        for (k, v) in pairs {
            match k.as_str() {
                "enable" => enable = parse_bool("-semihosting-config enable", &v)?,
                "userspace" => spec.userspace = parse_bool("-semihosting-config userspace", &v)?,
                "arg" => spec.args.push(v),
                "target" if v == "native" || v == "auto" => {}
                "target" if v == "gdb" => {
                    return Err(UsageError(
                        "-semihosting-config target=gdb: not supported: rivet's GDB stub does not \
                         pass semihosting calls to GDB; use target=native"
                            .into(),
                    ))
                }
                "target" => {
                    return Err(UsageError(format!(
                        "-semihosting-config target={v}: expected native, gdb or auto"
                    )))
                }
                "chardev" => spec.chardev = Some(semihosting_chardev(args, &v)?),
                _ => return Err(unknown_key("-semihosting-config", &k, SEMIHOSTING_KEYS)),
            }
        }
        enabled = enable;
    }
    if !enabled && args.semihosting_root.is_some() {
        return Err(UsageError(
            "--semihosting-root: semihosting is off (give -semihosting)".into(),
        ));
    }
    Ok(enabled.then_some(spec))
}

const SEMIHOSTING_KEYS: &[&str] = &["enable", "target", "chardev", "arg", "userspace"];

/// The `-chardev` with id `id`, for the semihosting console: as in QEMU,
/// it must exist, the serial line must not use it too, and only one
/// character device may be on standard input and output. rivet's
/// semihosting console is a stdio, null or file device.
fn semihosting_chardev(args: &Args, id: &str) -> Result<crate::chardev::Backend, UsageError> {
    use crate::chardev::Backend;
    let mut found = None;
    for text in &args.chardevs {
        let chardev = crate::chardev::parse_chardev(text)?;
        if chardev.id == id {
            found = Some(chardev.backend);
        }
    }
    let spec = found.ok_or_else(|| UsageError(format!("semihosting chardev '{id}' not found")))?;
    if !matches!(spec, Backend::Stdio | Backend::Null | Backend::File(_)) {
        return Err(UsageError(format!(
            "-semihosting-config chardev={id}: not supported: rivet's semihosting console is a \
             stdio, null or file chardev"
        )));
    }
    if args
        .serials
        .iter()
        .any(|s| s.strip_prefix("chardev:") == Some(id))
    {
        return Err(UsageError(format!(
            "-semihosting-config chardev={id}: device '{id}' is in use (by -serial)"
        )));
    }
    if spec == Backend::Stdio && serial_is_stdio(args)? {
        return Err(UsageError(format!(
            "-semihosting-config chardev={id}: cannot use stdio by multiple character devices \
             (the serial line is on stdio: give -serial null or -serial file:PATH)"
        )));
    }
    Ok(spec)
}

/// `SYS_GET_CMDLINE`'s string, as QEMU builds it: the `arg=` words joined
/// by spaces, or (none given) the `-kernel` file name followed by the
/// words of `-append`.
pub fn semihosting_cmdline(spec: &SemihostingSpec, args: &Args) -> String {
    if !spec.args.is_empty() {
        return spec.args.join(" ");
    }
    let kernel = args
        .kernel
        .as_ref()
        .map(|k| k.to_string_lossy().into_owned());
    let append = args.append.as_deref().unwrap_or_default();
    kernel
        .into_iter()
        .chain(
            append
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(String::from),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the serial line is on standard input and output.
pub fn serial_is_stdio(args: &Args) -> Result<bool, UsageError> {
    let plan = crate::chardev::plan(args)?;
    Ok(plan
        .serial
        .is_some_and(|i| plan.devices[i].backend == crate::chardev::Backend::Stdio))
}

/// The lists `-machine help`, `-cpu help`, `-device help` and `-netdev
/// help` print, if
/// the command line asks for one.
pub fn help_request(args: &Args) -> Option<String> {
    let is_help = |v: &Option<String>| matches!(v.as_deref(), Some("help" | "?"));
    if is_help(&args.machine) {
        Some("Supported machines are:\nvirt                 RISC-V VirtIO board (default)\n".into())
    } else if is_help(&args.cpu) {
        Some(cpu_help())
    } else if args.devices.iter().any(|d| d == "help" || d == "?") {
        Some(
            "Storage devices:\nname \"virtio-9p-device\", bus virtio-bus\n\
             name \"virtio-blk-device\", bus virtio-bus\n\n\
             Network devices:\nname \"virtio-net-device\", bus virtio-bus\n\n\
             Input devices:\nname \"virtconsole\", bus virtio-serial-bus\n\
             name \"virtio-serial-device\", bus virtio-bus\n\n\
             Misc devices:\nname \"virtio-rng-device\", bus virtio-bus\n"
                .into(),
        )
    } else if args.netdevs.iter().any(|n| n == "help" || n == "?") {
        Some("Available netdev backend types:\ntap\nuser\n".into())
    } else {
        None
    }
}

/// Parses `-machine virt[,key=value…]` (or `type=virt`); returns the
/// `dumpdtb=` file, if any.
pub fn parse_machine(text: &str) -> Result<Option<PathBuf>, UsageError> {
    let (mut name, pairs) = parse_kv(text);
    let mut dumpdtb = None;
    for (k, v) in pairs {
        match (k.as_str(), v.as_str()) {
            ("type", _) => name = Some(v),
            ("dumpdtb", _) => dumpdtb = Some(PathBuf::from(v)),
            ("accel", accel) => parse_accel(accel)?,
            ("aclint", v) if !parse_bool("-machine aclint", v)? => {}
            ("aia", "none") => {}
            ("aclint" | "aia", _) => {
                return Err(UsageError(format!(
                "-machine virt,{k}={v}: not supported (rivet's virt board has a CLINT and a PLIC)"
            )))
            }
            _ => return Err(unknown_key("-machine virt", &k, MACHINE_KEYS)),
        }
    }
    match name.as_deref() {
        Some("virt") => Ok(dumpdtb),
        other => Err(UsageError(format!(
            "-machine {}: rivet emulates only the 'virt' machine",
            other.unwrap_or_default()
        ))),
    }
}

const MACHINE_KEYS: &[&str] = &["type", "dumpdtb", "accel", "aclint", "aia"];

/// Parses `-accel tcg[,…]` (or `accel=tcg`): rivet interprets, which is
/// what QEMU's TCG does; other accelerators are refused.
pub fn parse_accel(text: &str) -> Result<(), UsageError> {
    let (mut name, pairs) = parse_kv(text);
    for (k, v) in pairs {
        match k.as_str() {
            "accel" => name = Some(v),
            "thread" | "tb-size" | "one-insn-per-tb" | "split-wx" => {}
            _ => return Err(unknown_key("-accel", &k, ACCEL_KEYS)),
        }
    }
    match name.as_deref() {
        Some("tcg") => Ok(()),
        other => Err(UsageError(format!(
            "-accel {}: not supported: rivet has only tcg (it interprets the guest)",
            other.unwrap_or_default()
        ))),
    }
}

const ACCEL_KEYS: &[&str] = &["accel", "thread", "tb-size", "one-insn-per-tb", "split-wx"];

/// The extensions and features rivet's hart has, by the names of QEMU's
/// `-cpu rv64` properties (lower case).
const CPU_HAS: &[&str] = &[
    "i", "c", "s", "u", "zicsr", "zifencei", "zicntr", "sstc", "svadu", "mmu", "pmp",
];

/// Properties of QEMU 7.2's `-cpu rv64` that rivet's hart does not have.
const CPU_LACKS: &[&str] = &[
    "e", "g", "v", "h", "j", "zbkb", "zbkc", "zbkx", "zk", "zkn", "zknd", "zkne", "zknh", "zkr",
    "zks", "zksed", "zksh", "zkt", "zfinx", "zdinx", "zhinx", "zhinxmin", "zve32f", "zve64f",
    "zmmul", "zawrs", "epmp", "debug", "x-epmp",
];

/// Parses `-cpu rv64[,EXT=on|off…]` into the harts' extensions: the
/// switchable ones ([`Extensions::SWITCHABLE`]: M, A, F, D, Zba, Zbb,
/// Zbc, Zbs, Zihintpause, Zicond, Zicbom, Zicbop, Zicboz, Svinval,
/// Svnapot, Svpbmt, Zfh, Zfhmin) are switched as asked, the last switch
/// of an extension winning, from [`Extensions::default`]; D without F is
/// refused as QEMU refuses it, and F without D because rivet has F only
/// with D; Zfh or Zfhmin switched on without F is refused as QEMU refuses
/// it (left at their defaults, they go with F). The others are fixed (the extensions in `CPU_HAS`): a switch
/// that asks for what the hart is is accepted; one that asks for
/// something else is refused, naming it.
pub fn parse_cpu(text: &str) -> Result<Extensions, UsageError> {
    let (model, pairs) = parse_kv(text);
    match model.as_deref() {
        Some("rv64") => {}
        other => {
            return Err(UsageError(format!(
                "-cpu {}: not supported: rivet has only rv64 (RV64GC)",
                other.unwrap_or_default()
            )))
        }
    }
    let mut extensions = Extensions::default();
    // Zfh and Zfhmin as last switched on explicitly (they need F).
    let mut half_asked = Extensions::empty();
    for (k, v) in pairs {
        let ext = k.to_ascii_lowercase();
        let switch =
            Extensions::from_isa_name(&ext).filter(|e| Extensions::SWITCHABLE.contains(*e));
        if let Some(switch) = switch {
            let on = parse_bool(&format!("-cpu rv64,{k}"), &v)?;
            extensions.set(switch, on);
            if switch.intersects(Extensions::ZFH | Extensions::ZFHMIN) {
                half_asked.set(switch, on);
            }
            continue;
        }
        let known = |list: &[&str]| list.contains(&ext.as_str());
        match (known(CPU_HAS), known(CPU_LACKS)) {
            (true, _) if parse_bool(&format!("-cpu rv64,{k}"), &v)? => {}
            (true, _) => {
                return Err(UsageError(format!(
                    "-cpu rv64,{k}={v}: rivet cannot switch {k} off yet (its hart is fixed)"
                )))
            }
            (_, true) if !parse_bool(&format!("-cpu rv64,{k}"), &v)? => {}
            (_, true) => {
                return Err(UsageError(format!(
                    "-cpu rv64,{k}={v}: rivet does not implement {k}"
                )))
            }
            _ => {
                let switchable = Extensions::SWITCHABLE.names();
                let all: Vec<&str> = CPU_HAS
                    .iter()
                    .chain(CPU_LACKS)
                    .copied()
                    .chain(switchable)
                    .collect();
                return Err(unknown_key("-cpu rv64", &k, &all));
            }
        }
    }
    let (f, d) = (
        extensions.contains(Extensions::F),
        extensions.contains(Extensions::D),
    );
    if d && !f {
        return Err(UsageError(format!(
            "-cpu {text}: D extension requires F extension (switch d off too)"
        )));
    }
    if f && !d {
        return Err(UsageError(format!(
            "-cpu {text}: rivet cannot switch d off while f is on (it has F only with D)"
        )));
    }
    if !f && !half_asked.is_empty() {
        // QEMU 7.2's words.
        return Err(UsageError(format!(
            "-cpu {text}: Zfh/Zfhmin extensions require F extension"
        )));
    }
    Ok(extensions)
}

/// What `-cpu help` prints: the CPU model (QEMU lists its models), then
/// the extensions `-cpu rv64,EXT=on|off` switches, with their defaults.
fn cpu_help() -> String {
    let mut text = String::from("rv64\n\nrv64 extensions switched by -cpu rv64,EXT=on|off:\n");
    for name in Extensions::SWITCHABLE.names() {
        let ext = Extensions::from_isa_name(name).unwrap_or_default();
        let default = if Extensions::default().contains(ext) {
            "on"
        } else {
            "off"
        };
        text.push_str(&format!("  {name:<12} (default {default})\n"));
    }
    text.push_str("f and d go together (D requires F; rivet has F only with D)\n");
    text.push_str(&format!(
        "always on: {}\n",
        Extensions::FIXED.names().collect::<Vec<_>>().join(" ")
    ));
    text
}

/// Refuses the options rivet reads only to say precisely what it lacks:
/// a display other than `none`, a monitor, networking other than `none`,
/// `-no-shutdown`.
pub fn check_supported(args: &Args) -> Result<(), UsageError> {
    if let Some(display) = args.display.as_deref().filter(|d| *d != "none") {
        let kind = display.split([',', '=']).next().unwrap_or(display);
        return Err(UsageError(format!(
            "-display {kind}: rivet has no graphical display (-display none and -nographic work)"
        )));
    }
    if let Some(v) = args.nets.iter().find(|v| *v != "none") {
        let kind = v.split(',').next().unwrap_or(v);
        return Err(UsageError(format!(
            "-net {kind}: the legacy -net is not supported: use -nic user, or -netdev user,id=ID \
             with -device virtio-net-device,netdev=ID"
        )));
    }
    if args.no_shutdown {
        return Err(UsageError(
            "-no-shutdown: not supported: rivet does not keep a guest stopped at power-off for \
             the monitor, so the run ends there"
                .into(),
        ));
    }
    for accel in &args.accel {
        parse_accel(accel)?;
    }
    if let Some(cpu) = &args.cpu {
        parse_cpu(cpu)?;
    }
    Ok(())
}

/// A disk from `-drive`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DriveSpec {
    /// The image file.
    pub file: PathBuf,
    /// `format=` (raw or qcow2); `None` to probe the image, as QEMU does.
    pub format: Option<DiskFormat>,
    /// `id=`, to connect it to a `-device`.
    pub id: Option<String>,
    /// `if=virtio` attaches it directly; `if=none` waits for a `-device`.
    pub attach_directly: bool,
    /// `readonly=on`.
    pub read_only: bool,
    /// `snapshot=on` (or the global `-snapshot`).
    pub snapshot: bool,
}

/// Parses one `-drive` value.
pub fn parse_drive(text: &str) -> Result<DriveSpec, UsageError> {
    let (head, pairs) = parse_kv(text);
    if let Some(h) = head {
        return Err(UsageError(format!(
            "-drive {text}: unexpected '{h}' (expected key=value pairs)"
        )));
    }
    let mut spec = DriveSpec {
        file: PathBuf::new(),
        format: None,
        id: None,
        attach_directly: true,
        read_only: false,
        snapshot: false,
    };
    let mut file = None;
    for (k, v) in pairs {
        match k.as_str() {
            "file" => file = Some(PathBuf::from(v)),
            "format" => {
                spec.format = Some(DiskFormat::from_name(&v).ok_or_else(|| {
                    UsageError(format!(
                        "-drive: format={v} is not supported (raw or qcow2: convert with \
                         qemu-img convert -O qcow2)"
                    ))
                })?)
            }
            "if" if v == "none" => spec.attach_directly = false,
            "if" if v == "virtio" => spec.attach_directly = true,
            "if" => {
                return Err(UsageError(format!(
                    "-drive: if={v} is not supported (none or virtio)"
                )))
            }
            "id" => spec.id = Some(v),
            "readonly" => spec.read_only = parse_bool("readonly", &v)?,
            "snapshot" => spec.snapshot = parse_bool("snapshot", &v)?,
            "media" if v == "disk" => {}
            "cache" | "aio" | "discard" => {}
            _ => return Err(unknown_key("-drive", &k, DRIVE_KEYS)),
        }
    }
    spec.file = file.ok_or_else(|| UsageError(format!("-drive {text}: file= is required")))?;
    Ok(spec)
}

const DRIVE_KEYS: &[&str] = &[
    "file", "format", "if", "id", "readonly", "snapshot", "media", "cache", "aio", "discard",
];

/// A `-device virtio-blk-device`: the drive it uses and, if given, its
/// virtio-mmio slot (`bus=virtio-mmio-bus.N`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceSpec {
    /// The `id=` of the drive.
    pub drive: String,
    /// The slot, if the command line chose one.
    pub slot: Option<usize>,
}

/// Parses one `-device` value.
pub fn parse_device(text: &str) -> Result<DeviceSpec, UsageError> {
    let (driver, pairs) = parse_kv(text);
    match driver.as_deref() {
        Some("virtio-blk-device") => {}
        Some("loader") => {
            return Err(UsageError(
                "-device loader: rivet has no generic loader yet (load programs with -kernel and -bios)"
                    .into(),
            ))
        }
        Some(net) if net.starts_with("virtio-net") => {
            return Err(UsageError(format!(
                "-device {net}: a network card, not a disk (see crate::net)"
            )))
        }
        Some(rng) if rng.starts_with("virtio-rng") => {
            return Err(UsageError(format!(
                "-device {rng}: rivet's virt board has no PCI bus: use virtio-rng-device"
            )))
        }
        Some(p9) if p9.starts_with("virtio-9p") => {
            return Err(UsageError(format!(
                "-device {p9}: rivet's virt board has no PCI bus: use virtio-9p-device"
            )))
        }
        Some(other) => {
            return Err(UsageError(format!(
                "-device {other}: unknown device (rivet has virtio-blk-device and virtio-net-device; -device help lists them)"
            )))
        }
        None => {
            return Err(UsageError(format!(
                "-device {text}: expected a driver name first"
            )))
        }
    }
    let mut drive = None;
    let mut slot = None;
    for (k, v) in pairs {
        match k.as_str() {
            "drive" => drive = Some(v),
            "bus" => {
                let n = v
                    .strip_prefix("virtio-mmio-bus.")
                    .and_then(|n| n.parse::<usize>().ok());
                slot = Some(n.ok_or_else(|| {
                    UsageError(format!(
                        "-device virtio-blk-device: bus={v} (expected virtio-mmio-bus.N)"
                    ))
                })?);
            }
            _ => {
                return Err(unknown_key(
                    "-device virtio-blk-device",
                    &k,
                    &["drive", "bus"],
                ))
            }
        }
    }
    let drive =
        drive.ok_or_else(|| UsageError("-device virtio-blk-device: drive= is required".into()))?;
    Ok(DeviceSpec { drive, slot })
}

/// The driver name of a `-device` value.
pub fn device_driver(text: &str) -> &str {
    text.split(',').next().unwrap_or_default()
}

/// Parses a `bus=virtio-mmio-bus.N` value of `-device DRIVER`.
pub fn parse_bus(driver: &str, value: &str) -> Result<usize, UsageError> {
    value
        .strip_prefix("virtio-mmio-bus.")
        .and_then(|n| n.parse::<usize>().ok())
        .ok_or_else(|| {
            UsageError(format!(
                "-device {driver}: bus={value} (expected virtio-mmio-bus.N)"
            ))
        })
}

/// An entropy source from `-object rng-random` or `-object rng-builtin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RngObject {
    /// Its `id=`.
    pub id: String,
    /// The file it reads (`rng-random`), or `None` for `getrandom(2)`.
    pub file: Option<PathBuf>,
}

/// Parses one `-object` value: rivet has QEMU's `rng-random`
/// (`filename=`, default `/dev/urandom`) and `rng-builtin`.
pub fn parse_object(text: &str) -> Result<RngObject, UsageError> {
    let (kind, pairs) = parse_kv(text);
    let kind = kind
        .or_else(|| {
            pairs
                .iter()
                .find(|(k, _)| k == "qom-type")
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_default();
    let random =
        match kind.as_str() {
            "rng-random" => true,
            "rng-builtin" => false,
            "rng-egd" => return Err(UsageError(
                "-object rng-egd: not supported (rivet has no chardev sockets): use rng-random \
                 or rng-builtin"
                    .into(),
            )),
            _ => {
                return Err(UsageError(format!(
                "-object {kind}: not supported (rivet has the rng-random and rng-builtin objects)"
            )))
            }
        };
    let mut id = None;
    let mut file = random.then(|| PathBuf::from("/dev/urandom"));
    for (k, v) in pairs {
        match k.as_str() {
            "id" => id = Some(v),
            "qom-type" => {}
            "filename" if random => file = Some(PathBuf::from(v)),
            _ => {
                let known: &[&str] = if random { &["id", "filename"] } else { &["id"] };
                return Err(unknown_key(&format!("-object {kind}"), &k, known));
            }
        }
    }
    let id = id.ok_or_else(|| UsageError(format!("-object {kind}: id= is required")))?;
    Ok(RngObject { id, file })
}

/// A `-device virtio-rng-device`: its `rng=` object, if any (QEMU 7.2
/// then uses `rng-builtin`), and its slot, if chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RngDeviceSpec {
    /// The `id=` of its `-object`.
    pub rng: Option<String>,
    /// `bus=virtio-mmio-bus.N`.
    pub slot: Option<usize>,
}

/// Parses `-device virtio-rng-device[,rng=ID][,bus=…]`. QEMU's rate limit
/// (`max-bytes`, `period`) is refused unless it is QEMU's default (none).
pub fn parse_rng_device(text: &str) -> Result<RngDeviceSpec, UsageError> {
    const DRIVER: &str = "virtio-rng-device";
    let (_, pairs) = parse_kv(text);
    let mut spec = RngDeviceSpec {
        rng: None,
        slot: None,
    };
    for (k, v) in pairs {
        match k.as_str() {
            "rng" => spec.rng = Some(v),
            "bus" => spec.slot = Some(parse_bus(DRIVER, &v)?),
            "id" => {}
            "max-bytes" if v == i64::MAX.to_string() => {}
            "period" if v == "65536" => {}
            "max-bytes" | "period" => {
                return Err(UsageError(format!(
                    "-device {DRIVER},{k}={v}: rate limiting is not supported (rivet hands out \
                     what the guest asks for, as QEMU's default does)"
                )))
            }
            _ => {
                return Err(unknown_key(
                    &format!("-device {DRIVER}"),
                    &k,
                    &["rng", "bus", "id", "max-bytes", "period"],
                ))
            }
        }
    }
    Ok(spec)
}

/// A shared folder from `-fsdev` (or `-virtfs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FsdevSpec {
    /// Its `id=`.
    pub id: String,
    /// The host folder.
    pub path: PathBuf,
    /// `readonly=on`.
    pub read_only: bool,
    /// `security_model=`.
    pub security_model: SecurityModel,
}

/// Parses `-fsdev local,id=ID,path=DIR,security_model=MODEL[,readonly=on]`.
/// With `virtfs` (the `-virtfs` spelling) the id defaults to `mount_tag`,
/// which is returned too.
fn parse_fs(option: &str, text: &str) -> Result<(FsdevSpec, Option<String>), UsageError> {
    let virtfs = option == "-virtfs";
    let (driver, pairs) = parse_kv(text);
    let driver = driver.unwrap_or_default();
    if driver != "local" {
        return Err(UsageError(format!(
            "{option} {driver}: not supported (rivet has the local file system driver)"
        )));
    }
    let mut id = None;
    let mut path = None;
    let mut tag = None;
    let mut model = None;
    let mut read_only = false;
    for (k, v) in pairs {
        match k.as_str() {
            "id" => id = Some(v),
            "path" => path = Some(PathBuf::from(v)),
            "mount_tag" if virtfs => tag = Some(v),
            "security_model" => model = Some(v),
            "readonly" => read_only = parse_bool(&format!("{option} readonly"), &v)?,
            "writeout" if v == "immediate" => {}
            "multidevs" => {}
            _ => {
                let mut known = vec!["id", "path", "security_model", "readonly", "writeout"];
                if virtfs {
                    known.push("mount_tag");
                }
                return Err(unknown_key(&format!("{option} local"), &k, &known));
            }
        }
    }
    let security_model = match model.as_deref() {
        Some("none") => SecurityModel::None,
        Some("mapped-xattr" | "mapped") => SecurityModel::MappedXattr,
        Some("passthrough") => SecurityModel::Passthrough,
        Some("mapped-file") => {
            return Err(UsageError(format!(
                "{option} local,security_model=mapped-file: not supported: rivet keeps the \
                 guest's owners and modes in extended attributes (security_model=mapped-xattr), \
                 not in .virtfs_metadata files"
            )))
        }
        Some(m) => {
            return Err(UsageError(format!(
                "{option} local: invalid security_model property '{m}' (valid: \
                 passthrough, mapped-xattr, none; QEMU's mapped-file is not supported)"
            )))
        }
        None => {
            return Err(UsageError(format!(
                "{option} local: security_model property not set (valid: passthrough, \
                 mapped-xattr, none)"
            )))
        }
    };
    let path = path.ok_or_else(|| UsageError(format!("{option} local: path= is required")))?;
    if virtfs && tag.is_none() {
        return Err(UsageError(format!(
            "{option} local: mount_tag= is required"
        )));
    }
    let id = id
        .or_else(|| tag.clone())
        .ok_or_else(|| UsageError(format!("{option} local: id= is required")))?;
    Ok((
        FsdevSpec {
            id,
            path,
            read_only,
            security_model,
        },
        tag,
    ))
}

/// Parses one `-fsdev` value.
pub fn parse_fsdev(text: &str) -> Result<FsdevSpec, UsageError> {
    parse_fs("-fsdev", text).map(|(spec, _)| spec)
}

/// Parses one `-virtfs` value: the shared folder and its mount tag.
pub fn parse_virtfs(text: &str) -> Result<(FsdevSpec, String), UsageError> {
    let (spec, tag) = parse_fs("-virtfs", text)?;
    Ok((spec, tag.unwrap_or_default()))
}

/// A `-device virtio-9p-device`: its fsdev, mount tag and slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct P9DeviceSpec {
    /// The `id=` of its `-fsdev`.
    pub fsdev: String,
    /// The tag the guest mounts it by.
    pub mount_tag: String,
    /// `bus=virtio-mmio-bus.N`.
    pub slot: Option<usize>,
}

/// Parses `-device virtio-9p-device,fsdev=ID,mount_tag=TAG[,bus=…]`.
pub fn parse_9p_device(text: &str) -> Result<P9DeviceSpec, UsageError> {
    const DRIVER: &str = "virtio-9p-device";
    let (_, pairs) = parse_kv(text);
    let (mut fsdev, mut tag, mut slot) = (None, None, None);
    for (k, v) in pairs {
        match k.as_str() {
            "fsdev" => fsdev = Some(v),
            "mount_tag" => tag = Some(v),
            "bus" => slot = Some(parse_bus(DRIVER, &v)?),
            "id" => {}
            _ => {
                return Err(unknown_key(
                    &format!("-device {DRIVER}"),
                    &k,
                    &["fsdev", "mount_tag", "bus", "id"],
                ))
            }
        }
    }
    Ok(P9DeviceSpec {
        fsdev: fsdev.ok_or_else(|| UsageError(format!("-device {DRIVER}: fsdev= is required")))?,
        mount_tag: tag
            .ok_or_else(|| UsageError(format!("-device {DRIVER}: mount_tag= is required")))?,
        slot,
    })
}

/// The `-rtc` settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RtcSpec {
    /// The start time in seconds since the epoch, if not now.
    pub base_secs: Option<u64>,
    /// `clock=vm`: the RTC follows virtual time.
    pub virtual_clock: bool,
}

/// Parses `-rtc base=utc|YYYY-MM-DD[THH:MM:SS],clock=host|vm` (QEMU's form;
/// `localtime` is taken as UTC, the guest's time zone is its own business).
pub fn parse_rtc(text: &str) -> Result<RtcSpec, UsageError> {
    let (head, pairs) = parse_kv(text);
    if let Some(h) = head {
        return Err(UsageError(format!("-rtc {text}: unexpected '{h}'")));
    }
    let mut spec = RtcSpec::default();
    for (k, v) in pairs {
        match (k.as_str(), v.as_str()) {
            ("base", "utc" | "localtime") => spec.base_secs = None,
            ("base", date) => spec.base_secs = Some(parse_datetime(date)?),
            ("clock", "host" | "rt") => spec.virtual_clock = false,
            ("clock", "vm") => spec.virtual_clock = true,
            ("driftfix", _) => {}
            _ => return Err(UsageError(format!("-rtc: unknown setting {k}={v}"))),
        }
    }
    Ok(spec)
}

/// Seconds since the epoch of `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` (UTC).
pub fn parse_datetime(text: &str) -> Result<u64, UsageError> {
    let bad = || {
        UsageError(format!(
            "-rtc base={text}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"
        ))
    };
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00:00"));
    let d: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let t: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let (&[y, m, day], &[hh, mm, ss]) = (d.as_slice(), t.as_slice()) else {
        return Err(bad());
    };
    // Years past 9999 are refused here, before the arithmetic below could
    // overflow (they are past the RTC's range anyway).
    if !(1970..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || hh > 23
        || mm > 59
        || ss > 60
    {
        return Err(bad());
    }
    // Days from the civil date (proleptic Gregorian), counting from 1970-01-01.
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    // The RTC counts nanoseconds since 1970 in 64 bits: the last second
    // it can hold is 2554-07-21T23:34:33.
    if secs > LAST_RTC_SECOND {
        return Err(UsageError(format!(
            "-rtc base={text}: past 2554-07-21T23:34:33, the last date the \
             RTC's 64-bit nanosecond count holds"
        )));
    }
    Ok(secs as u64)
}

/// The last whole second since 1970 whose nanoseconds fit in a `u64`.
const LAST_RTC_SECOND: i64 = (u64::MAX / 1_000_000_000) as i64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doubled_comma_is_a_comma_in_a_value() {
        let (head, pairs) = parse_kv("local,path=/a,,b,,,,c,id=x");
        assert_eq!(head.as_deref(), Some("local"));
        assert_eq!(
            pairs,
            [
                ("path".to_string(), "/a,b,,c".to_string()),
                ("id".to_string(), "x".to_string())
            ]
        );
        assert_eq!(escape_option_value("a,b"), "a,,b");
        let d = parse_drive(&format!(
            "file={},if=virtio",
            escape_option_value("x,y.img")
        ))
        .unwrap();
        assert_eq!(d.file, PathBuf::from("x,y.img"));
    }

    /// `-device help` names every device `-device` takes, under QEMU
    /// 7.2's categories and in its `name "...", bus ...` form.
    #[test]
    fn device_help_lists_every_device_rivet_takes() {
        let args = Args {
            devices: vec!["help".into()],
            ..Args::default()
        };
        let help = help_request(&args).expect("a help text");
        for (category, device, bus) in [
            ("Storage devices:", "virtio-blk-device", "virtio-bus"),
            ("Storage devices:", "virtio-9p-device", "virtio-bus"),
            ("Network devices:", "virtio-net-device", "virtio-bus"),
            ("Input devices:", "virtconsole", "virtio-serial-bus"),
            ("Input devices:", "virtio-serial-device", "virtio-bus"),
            ("Misc devices:", "virtio-rng-device", "virtio-bus"),
        ] {
            let section = help
                .split_once(category)
                .unwrap_or_else(|| panic!("no {category} in {help}"))
                .1
                .split("\n\n")
                .next()
                .unwrap_or_default();
            let line = format!("name \"{device}\", bus {bus}");
            assert!(
                section.contains(&line),
                "{line} not under {category}: {help}"
            );
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("256").unwrap(), 256 << 20);
        assert_eq!(parse_size("256M").unwrap(), 256 << 20);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("512k").unwrap(), 512 << 10);
        assert_eq!(parse_size("2GiB").unwrap(), 2 << 30);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("99999999999999T").is_err());
    }

    #[test]
    fn drives_and_devices() {
        let d = parse_drive("file=disk.img,format=raw,if=none,id=hd0").unwrap();
        assert_eq!(d.file, PathBuf::from("disk.img"));
        assert_eq!(d.id.as_deref(), Some("hd0"));
        assert!(!d.attach_directly);
        assert_eq!(d.format, Some(DiskFormat::Raw));
        let q = parse_drive("file=x.qcow2,format=qcow2,if=virtio,readonly=on").unwrap();
        assert_eq!(q.format, Some(DiskFormat::Qcow2));
        assert!(q.read_only && q.attach_directly);
        assert_eq!(parse_drive("file=x").unwrap().format, None);
        assert!(parse_drive("file=x,format=vmdk").is_err());
        assert!(parse_drive("format=raw").is_err());
        assert_eq!(
            parse_device("virtio-blk-device,drive=hd0").unwrap(),
            DeviceSpec {
                drive: "hd0".into(),
                slot: None
            }
        );
        assert_eq!(
            parse_device("virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0").unwrap(),
            DeviceSpec {
                drive: "x0".into(),
                slot: Some(0)
            }
        );
        assert!(parse_device("e1000").is_err());
        assert_eq!(parse_smp("cpus=4,sockets=1").unwrap(), 4);
        assert_eq!(parse_icount("shift=3").unwrap(), 3);
        assert!(parse_icount("shift=auto").is_err());
        // 2000-03-01 is day 11017 after the epoch (30 years, 7 leap days, Jan + Feb 2000).
        assert_eq!(parse_datetime("2000-03-01").unwrap(), 11_017 * 86_400);
        assert_eq!(parse_datetime("1970-01-01T00:00:01").unwrap(), 1);
        assert_eq!(
            parse_rtc("base=2026-11-27T12:00:00,clock=vm").unwrap(),
            RtcSpec {
                base_secs: Some(1_795_780_800),
                virtual_clock: true
            }
        );
        assert!(parse_rtc("base=yesterday").is_err());
    }

    /// QEMU's sub-options: the ones rivet has are read, the others are
    /// refused by name.
    #[test]
    fn sub_options_are_read_or_named() {
        assert_eq!(
            parse_machine("virt,accel=tcg,dumpdtb=x.dtb").unwrap(),
            Some(PathBuf::from("x.dtb"))
        );
        assert_eq!(parse_machine("type=virt").unwrap(), None);
        assert!(parse_machine("virt,accel=kvm")
            .unwrap_err()
            .0
            .contains("only tcg"));
        assert_eq!(
            parse_machine("virt,dumpdtbb=x").unwrap_err().0,
            "-machine virt: unknown option 'dumpdtbb' (did you mean dumpdtb?)"
        );
        assert_eq!(parse_cpu("rv64").unwrap(), Extensions::default());
        assert_eq!(
            parse_cpu("rv64,Zicsr=on,zba=off,sstc=true").unwrap(),
            Extensions::default().difference(Extensions::ZBA)
        );
        // The last switch wins; QEMU's property names, any case.
        assert_eq!(
            parse_cpu("rv64,zicond=on,zbb=off,Zihintpause=false,zbb=on").unwrap(),
            (Extensions::default() | Extensions::ZICOND).difference(Extensions::ZIHINTPAUSE)
        );
        assert_eq!(
            parse_cpu("rv64,zbc=maybe").unwrap_err().0,
            "-cpu rv64,zbc=maybe: expected on or off"
        );
        assert!(parse_cpu("rv64,v=on")
            .unwrap_err()
            .0
            .contains("does not implement v"));
        assert!(parse_cpu("rv64,c=off")
            .unwrap_err()
            .0
            .contains("cannot switch c off"));
        assert_eq!(
            parse_cpu("rv64,m=off,a=false,f=off,d=off").unwrap(),
            Extensions::default()
                .difference(Extensions::M | Extensions::A | Extensions::F | Extensions::D)
        );
        assert!(parse_cpu("rv64,f=off")
            .unwrap_err()
            .0
            .contains("D extension requires F extension"));
        assert!(parse_cpu("rv64,d=off")
            .unwrap_err()
            .0
            .contains("cannot switch d off while f is on"));
        assert!(parse_cpu("rv64,f=off,d=off,Zfhmin=on")
            .unwrap_err()
            .0
            .contains("Zfh/Zfhmin extensions require F extension"));
        assert!(parse_cpu("rv64,f=off,d=off,zfh=on,zfh=off").is_ok());
        assert!(!parse_cpu("rv64,zfh=off,zfhmin=off")
            .unwrap()
            .intersects(Extensions::ZFH | Extensions::ZFHMIN));
        assert!(parse_cpu("sifive-u54").unwrap_err().0.contains("only rv64"));
        assert_eq!(parse_icount("shift=2,sleep=off,align=off").unwrap(), 2);
        assert!(parse_icount("shift=auto").unwrap_err().0.contains("auto"));
        assert!(parse_icount("shift=1,sleep=on")
            .unwrap_err()
            .0
            .contains("sleep=on"));
        assert_eq!(parse_smp("sockets=2,cores=2,threads=1").unwrap(), 4);
        assert!(parse_smp("cpus=4,maxcpus=2").is_err());
    }

    /// `-object`, `-device virtio-rng-device`, `-fsdev`, `-virtfs` and
    /// `-device virtio-9p-device`, as QEMU 7.2 spells them.
    #[test]
    fn rng_and_9p_options() {
        assert_eq!(
            parse_object("rng-random,id=rng0,filename=/dev/random").unwrap(),
            RngObject {
                id: "rng0".into(),
                file: Some("/dev/random".into())
            }
        );
        assert_eq!(
            parse_object("rng-random,id=r").unwrap().file,
            Some(PathBuf::from("/dev/urandom"))
        );
        assert_eq!(parse_object("rng-builtin,id=r").unwrap().file, None);
        assert!(parse_object("rng-builtin,id=r,filename=x").is_err());
        assert!(parse_object("rng-random").unwrap_err().0.contains("id="));
        assert!(parse_object("memory-backend-ram,id=m,size=1G").is_err());
        assert_eq!(
            parse_rng_device("virtio-rng-device,rng=r,bus=virtio-mmio-bus.2").unwrap(),
            RngDeviceSpec {
                rng: Some("r".into()),
                slot: Some(2)
            }
        );
        assert!(parse_rng_device("virtio-rng-device,period=65536").is_ok());
        assert!(parse_rng_device("virtio-rng-device,period=1000").is_err());
        let fs = parse_fsdev("local,id=fs0,path=/srv,security_model=none,readonly=on").unwrap();
        assert_eq!(
            fs,
            FsdevSpec {
                id: "fs0".into(),
                path: "/srv".into(),
                read_only: true,
                security_model: SecurityModel::None,
            }
        );
        assert!(parse_fsdev("local,id=fs0,path=/srv").is_err());
        for (text, model) in [
            ("mapped-xattr", SecurityModel::MappedXattr),
            ("mapped", SecurityModel::MappedXattr),
            ("passthrough", SecurityModel::Passthrough),
        ] {
            let fs = parse_fsdev(&format!("local,id=f,path=/srv,security_model={text}")).unwrap();
            assert_eq!(fs.security_model, model);
        }
        let e = parse_fsdev("local,id=fs0,path=/srv,security_model=mapped-file").unwrap_err();
        assert!(
            e.0.contains("security_model=mapped-file: not supported"),
            "{}",
            e.0
        );
        assert!(parse_fsdev("local,id=fs0,path=/srv,security_model=bogus").is_err());
        assert!(parse_fsdev("proxy,id=fs0,sock_fd=3,security_model=none").is_err());
        assert!(parse_fsdev("local,id=fs0,path=/srv,security_model=none,mount_tag=x").is_err());
        let (fs, tag) =
            parse_virtfs("local,path=/srv,mount_tag=host0,security_model=none").unwrap();
        assert_eq!((fs.id.as_str(), tag.as_str()), ("host0", "host0"));
        assert!(parse_virtfs("local,path=/srv,security_model=none").is_err());
        assert_eq!(
            parse_9p_device("virtio-9p-device,fsdev=fs0,mount_tag=host0").unwrap(),
            P9DeviceSpec {
                fsdev: "fs0".into(),
                mount_tag: "host0".into(),
                slot: None
            }
        );
        assert!(parse_9p_device("virtio-9p-device,fsdev=fs0").is_err());
    }

    /// The RTC counts nanoseconds since 1970 in a `u64`: the last second
    /// that fits is 2554-07-21T23:34:33 (18,446,744,073 s, `date -u -d
    /// @18446744073`); a later base date is refused, not wrapped.
    #[test]
    fn rtc_base_dates_past_the_64_bit_nanosecond_range_are_refused() {
        assert_eq!(
            parse_datetime("2554-07-21T23:34:33").unwrap(),
            18_446_744_073
        );
        let err = parse_datetime("2554-07-21T23:34:34").unwrap_err();
        assert!(err.0.contains("2554-07-21T23:34:33"), "{err}");
        assert!(parse_rtc("base=2600-01-01").is_err());
        // Far-off years are refused without overflowing the arithmetic.
        assert!(parse_datetime("9223372036854775807-01-01").is_err());
        assert!(parse_datetime("99999-01-01").is_err());
    }

    /// `--timeout` reads durations as timeout(1) does.
    #[test]
    fn timeouts_are_seconds_or_have_a_unit() {
        use std::time::Duration;
        assert_eq!(parse_timeout("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_timeout("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_timeout("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_timeout("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_timeout("1d"), Ok(Duration::from_secs(86400)));
        for bad in [
            "", "s", "0", "0s", "-1", "+5", "1e3", "inf", "nan", "1x", "1.5.2", "36501d",
        ] {
            assert!(parse_timeout(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn semihosting_options_read_as_qemu_reads_them() {
        let with =
            |flag: bool, configs: &[&str], kernel: Option<&str>, append: Option<&str>| Args {
                semihosting: flag,
                semihosting_config: configs.iter().map(|s| s.to_string()).collect(),
                kernel: kernel.map(PathBuf::from),
                append: append.map(String::from),
                ..Args::default()
            };
        assert_eq!(
            parse_semihosting(&with(false, &[], None, None)).unwrap(),
            None
        );
        let on = parse_semihosting(&with(true, &[], None, None))
            .unwrap()
            .unwrap();
        assert!(!on.userspace && on.args.is_empty());
        // -semihosting-config enables unless it says enable=off.
        assert!(
            parse_semihosting(&with(false, &["target=native"], None, None))
                .unwrap()
                .is_some()
        );
        assert_eq!(
            parse_semihosting(&with(true, &["enable=off"], None, None)).unwrap(),
            None
        );
        let spec = parse_semihosting(&with(
            false,
            &["enable=on,userspace=on,arg=a,arg=b c"],
            None,
            None,
        ))
        .unwrap()
        .unwrap();
        assert!(spec.userspace);
        assert_eq!(spec.args, ["a", "b c"]);
        let args = with(true, &[], Some("prog.elf"), Some(" x  y "));
        assert_eq!(semihosting_cmdline(&spec, &args), "a b c");
        assert_eq!(
            semihosting_cmdline(&SemihostingSpec::default(), &args),
            "prog.elf x y"
        );
        for (bad, says) in [
            ("enable=on,bogus=1", "unknown option 'bogus'"),
            ("enable=maybe", "expected on or off"),
            ("target=gdb", "target=gdb: not supported"),
            ("target=moon", "expected native, gdb or auto"),
            ("chardev=c0", "semihosting chardev 'c0' not found"),
        ] {
            let e = parse_semihosting(&with(false, &[bad], None, None)).unwrap_err();
            assert!(e.0.contains(says), "{bad}: {}", e.0);
        }
        let chardev = |serials: &[&str], chardevs: &[&str]| {
            parse_semihosting(&Args {
                semihosting_config: vec!["enable=on,chardev=c0".into()],
                serials: serials.iter().map(|s| s.to_string()).collect(),
                chardevs: chardevs.iter().map(|s| s.to_string()).collect(),
                ..Args::default()
            })
        };
        let file = chardev(&["null"], &["file,id=c0,path=log"])
            .unwrap()
            .unwrap();
        assert_eq!(
            file.chardev,
            Some(crate::chardev::Backend::File("log".into()))
        );
        let stdio = chardev(&["null"], &["stdio,id=c0"]).unwrap().unwrap();
        assert_eq!(stdio.chardev, Some(crate::chardev::Backend::Stdio));
        assert!(chardev(&[], &["stdio,id=c0"])
            .unwrap_err()
            .0
            .contains("cannot use stdio by multiple character devices"));
        assert!(chardev(&["chardev:c0"], &["file,id=c0,path=log"])
            .unwrap_err()
            .0
            .contains("is in use"));
    }
}
