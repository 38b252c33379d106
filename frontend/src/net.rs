//! Networking on the command line, as QEMU spells it: `-netdev
//! user,id=ID[,hostfwd=RULE]...` or `-netdev
//! tap,id=ID[,ifname=NAME][,script=PATH|no][,downscript=PATH|no][,fd=N]`
//! with `-device virtio-net-device,netdev=ID`, or `-nic
//! user|tap[,model=virtio-net-device][,mac=MAC][,...]`.
//!
//! rivet has QEMU's user network (libslirp, see [`rivet_devices::slirp`]),
//! its tap network on Linux ([`rivet_devices::tap`]) and the virtio-net
//! device on virtio-mmio; other backends (`bridge`, sockets), the tap's
//! vhost, multiqueue, offload and helper options, `guestfwd=` to a
//! character device and other card models are refused by name.

use std::path::PathBuf;

use rivet_devices::slirp::{GuestForward, HostForward, UserNetConfig};
use rivet_devices::tap::TapConfig;
use rivet_devices::NetdevConfig;

use crate::cli::{parse_bool, parse_kv, unknown_key, UsageError};

/// A `-netdev user|tap`: its id and its settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetdevSpec {
    /// `id=`, which a `-device` names with `netdev=`.
    pub id: String,
    /// The network.
    pub config: NetdevConfig,
}

/// A `-device virtio-net-device`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetDeviceSpec {
    /// The `-netdev` it is connected to.
    pub netdev: String,
    /// `mac=`, if given.
    pub mac: Option<[u8; 6]>,
    /// `bus=virtio-mmio-bus.N`, if given.
    pub slot: Option<usize>,
}

/// A `-nic user|tap`: a card and its network in one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NicSpec {
    /// The network.
    pub config: NetdevConfig,
    /// `mac=`, if given.
    pub mac: Option<[u8; 6]>,
}

/// The keys of `-netdev user` rivet reads.
const USER_KEYS: &[&str] = &["id", "hostfwd", "guestfwd", "restrict", "ipv4", "ipv6"];

/// The keys of `-netdev tap` rivet reads.
const TAP_KEYS: &[&str] = &[
    "id",
    "ifname",
    "script",
    "downscript",
    "fd",
    "vnet_hdr",
    "vhost",
    "queues",
];

/// Why a QEMU backend other than `user` and `tap` is refused.
fn backend_refusal(option: &str, backend: &str) -> UsageError {
    let why = match backend {
        "bridge" => {
            "not supported: it runs QEMU's setuid qemu-bridge-helper, which rivet does not \
             have; make a tap on the bridge (ip tuntap add, ip link set master) and use \
             -netdev tap,ifname=NAME,script=no"
        }
        _ => "not supported: rivet has the user network (-netdev user) and tap (-netdev tap)",
    };
    UsageError(format!("{option} {backend}: {why}"))
}

/// Reads one `key=value` of a user network into `config`; false if the
/// key is not one of the user network's.
fn user_key(
    option: &str,
    config: &mut UserNetConfig,
    key: &str,
    value: &str,
) -> Result<bool, UsageError> {
    match key {
        "hostfwd" => config.host_forwards.push(parse_hostfwd(value)?),
        "restrict" => config.restrict = parse_bool(&format!("{option} restrict"), value)?,
        "ipv4" if parse_bool(&format!("{option} ipv4"), value)? => {}
        "ipv4" => {
            return Err(UsageError(format!(
                "{option} ipv4=off: not supported (rivet's user network is IPv4 first)"
            )))
        }
        // IPv6 is on, as QEMU's default; turning it off changes nothing a
        // guest without IPv6 sees.
        "ipv6" => {
            parse_bool(&format!("{option} ipv6"), value)?;
        }
        "guestfwd" => config.guest_forwards.push(parse_guestfwd(value)?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// A script option's value: `no` (or empty, as QEMU reads it) runs nothing.
fn script_path(value: &str) -> Option<PathBuf> {
    (!value.is_empty() && value != "no").then(|| PathBuf::from(value))
}

/// Reads one `key=value` of a tap into `config`; false if the key is not
/// one of the tap's. `given` collects the keys QEMU refuses beside `fd=`.
fn tap_key(
    option: &str,
    config: &mut TapConfig,
    given: &mut Vec<String>,
    key: &str,
    value: &str,
) -> Result<bool, UsageError> {
    let refuse = |why: &str| Err(UsageError(format!("{option} {key}={value}: {why}")));
    match key {
        "ifname" => config.ifname = Some(value.to_string()),
        "script" => config.script = script_path(value),
        "downscript" => config.downscript = script_path(value),
        "fd" => {
            let fd = value.parse::<i32>().ok().filter(|&fd| fd >= 0);
            match fd {
                Some(fd) => config.fd = Some(fd),
                None => {
                    return refuse(
                        "expected a file descriptor number (rivet has no monitor to name \
                         descriptors)",
                    )
                }
            }
        }
        "vnet_hdr" if parse_bool(&format!("{option} vnet_hdr"), value)? => {
            return refuse(
                "not supported: rivet's virtio-net has no offloads, so it reads and writes \
                 plain frames",
            )
        }
        "vnet_hdr" => {}
        "vhost" if parse_bool(&format!("{option} vhost"), value)? => {
            return refuse("not supported: rivet has no vhost-net (the device is emulated)")
        }
        "vhost" => {}
        "queues" if value == "1" => {}
        "queues" => return refuse("not supported: rivet's virtio-net has one queue pair"),
        "vhostforce" | "vhostfd" | "vhostfds" => {
            return refuse("not supported: rivet has no vhost-net (the device is emulated)")
        }
        "fds" => return refuse("not supported: rivet's virtio-net has one queue pair (use fd=)"),
        "helper" | "br" => {
            return refuse(
                "not supported: rivet does not run QEMU's qemu-bridge-helper; make the tap \
                 and use ifname=NAME or fd=N",
            )
        }
        "sndbuf" | "poll-us" => return refuse("not supported"),
        _ => return Ok(false),
    }
    if matches!(
        key,
        "ifname" | "script" | "downscript" | "vnet_hdr" | "queues"
    ) {
        given.push(key.to_string());
    }
    Ok(true)
}

/// QEMU's rule: `fd=` comes with an interface already set up, so the
/// options that would set one up are refused beside it.
fn check_tap(option: &str, config: &TapConfig, given: &[String]) -> Result<(), UsageError> {
    if config.fd.is_some() && !given.is_empty() {
        return Err(UsageError(format!(
            "{option}: ifname=, script=, downscript=, vnet_hdr=, queues= are invalid with fd= \
             (given: {})",
            given.join(", ")
        )));
    }
    Ok(())
}

/// Parses one `-netdev` value.
pub fn parse_netdev(text: &str) -> Result<NetdevSpec, UsageError> {
    let (backend, pairs) = parse_kv(text);
    let backend = backend.or_else(|| {
        pairs
            .iter()
            .find(|(k, _)| k == "type")
            .map(|(_, v)| v.clone())
    });
    let mut id = None;
    let config = match backend.as_deref() {
        Some("user") => {
            let mut config = UserNetConfig::default();
            for (k, v) in pairs {
                match k.as_str() {
                    "id" => id = Some(v),
                    "type" => {}
                    _ if user_key("-netdev user", &mut config, &k, &v)? => {}
                    _ => return Err(unknown_key("-netdev user", &k, USER_KEYS)),
                }
            }
            NetdevConfig::User(config)
        }
        Some("tap") => {
            let mut config = TapConfig::default();
            let mut given = Vec::new();
            for (k, v) in pairs {
                match k.as_str() {
                    "id" => id = Some(v),
                    "type" => {}
                    _ if tap_key("-netdev tap", &mut config, &mut given, &k, &v)? => {}
                    _ => return Err(unknown_key("-netdev tap", &k, TAP_KEYS)),
                }
            }
            check_tap("-netdev tap", &config, &given)?;
            NetdevConfig::Tap(config)
        }
        Some(other) => return Err(backend_refusal("-netdev", other)),
        None => {
            return Err(UsageError(format!(
                "-netdev {text}: expected a backend first (user or tap)"
            )))
        }
    };
    let kind = backend.unwrap_or_default();
    let id = id.ok_or_else(|| UsageError(format!("-netdev {kind}: id= is required")))?;
    Ok(NetdevSpec { id, config })
}

/// Whether a `-device` value is a network card (handled here rather than
/// by [`crate::cli::parse_device`]).
pub fn is_net_device(text: &str) -> bool {
    text.split(',')
        .next()
        .is_some_and(|driver| driver.starts_with("virtio-net"))
}

/// Parses `-device virtio-net-device,netdev=ID[,mac=MAC][,bus=virtio-mmio-bus.N]`.
pub fn parse_net_device(text: &str) -> Result<NetDeviceSpec, UsageError> {
    let (driver, pairs) = parse_kv(text);
    match driver.as_deref() {
        Some("virtio-net-device") => {}
        Some(other) => {
            return Err(UsageError(format!(
            "-device {other}: rivet's virt board has no PCI: use virtio-net-device (virtio-mmio)"
        )))
        }
        None => {
            return Err(UsageError(format!(
                "-device {text}: expected a driver name first"
            )))
        }
    }
    let mut netdev = None;
    let mut mac = None;
    let mut slot = None;
    for (k, v) in pairs {
        match k.as_str() {
            "netdev" => netdev = Some(v),
            "mac" => mac = Some(parse_mac(&v)?),
            "bus" => {
                let n = v
                    .strip_prefix("virtio-mmio-bus.")
                    .and_then(|n| n.parse::<usize>().ok());
                slot = Some(n.ok_or_else(|| {
                    UsageError(format!(
                        "-device virtio-net-device: bus={v} (expected virtio-mmio-bus.N)"
                    ))
                })?);
            }
            "id" => {}
            _ => {
                return Err(unknown_key(
                    "-device virtio-net-device",
                    &k,
                    &["netdev", "mac", "bus", "id"],
                ))
            }
        }
    }
    let netdev = netdev
        .ok_or_else(|| UsageError("-device virtio-net-device: netdev= is required".into()))?;
    Ok(NetDeviceSpec { netdev, mac, slot })
}

/// Parses one `-nic`: `None` for `-nic none`.
pub fn parse_nic(text: &str) -> Result<Option<NicSpec>, UsageError> {
    let (backend, pairs) = parse_kv(text);
    let tap = match backend.as_deref() {
        Some("none") if pairs.is_empty() => return Ok(None),
        Some("user") => false,
        Some("tap") => true,
        Some(other) => return Err(backend_refusal("-nic", other)),
        None => return Err(UsageError(format!("-nic {text}: expected a backend first"))),
    };
    let option = if tap { "-nic tap" } else { "-nic user" };
    let mut user = UserNetConfig::default();
    let mut tap_config = TapConfig::default();
    let mut given = Vec::new();
    let mut mac = None;
    for (k, v) in pairs {
        match k.as_str() {
            "model" if v == "virtio-net-device" || v == "virtio" => {}
            "model" => {
                return Err(UsageError(format!(
                    "{option},model={v}: rivet has only virtio-net-device (virtio-mmio)"
                )))
            }
            "mac" => mac = Some(parse_mac(&v)?),
            "id" => {}
            _ if !tap && user_key(option, &mut user, &k, &v)? => {}
            _ if tap && tap_key(option, &mut tap_config, &mut given, &k, &v)? => {}
            _ => {
                let keys = if tap { TAP_KEYS } else { USER_KEYS };
                let known: Vec<&str> = ["model", "mac"].iter().chain(keys).copied().collect();
                return Err(unknown_key(option, &k, &known));
            }
        }
    }
    let config = if tap {
        check_tap(option, &tap_config, &given)?;
        NetdevConfig::Tap(tap_config)
    } else {
        NetdevConfig::User(user)
    };
    Ok(Some(NicSpec { config, mac }))
}

/// Parses a MAC address `xx:xx:xx:xx:xx:xx` (or with `-`); a multicast
/// address is refused, as QEMU refuses it.
pub fn parse_mac(text: &str) -> Result<[u8; 6], UsageError> {
    let bad = || {
        UsageError(format!(
            "mac={text}: expected six hex bytes, 52:54:00:12:34:56"
        ))
    };
    let parts: Vec<&str> = text.split([':', '-']).collect();
    if parts.len() != 6 {
        return Err(bad());
    }
    let mut mac = [0u8; 6];
    for (byte, part) in mac.iter_mut().zip(&parts) {
        if part.len() != 2 {
            return Err(bad());
        }
        *byte = u8::from_str_radix(part, 16).map_err(|_| bad())?;
    }
    if mac[0] & 1 != 0 {
        return Err(UsageError(format!(
            "mac={text}: a multicast address cannot be a card's address"
        )));
    }
    Ok(mac)
}

/// Parses a host forwarding rule as QEMU does:
/// `[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport`.
pub fn parse_hostfwd(rule: &str) -> Result<HostForward, UsageError> {
    let bad = |why: &str| {
        UsageError(format!(
            "hostfwd={rule}: invalid host forwarding rule ({why}; expected \
             [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport)"
        ))
    };
    let (protocol, rest) = rule.split_once(':').ok_or_else(|| bad("no protocol"))?;
    let udp = match protocol {
        "" | "tcp" => false,
        "udp" => true,
        _ => return Err(bad("bad protocol name")),
    };
    let (host, guest) = rest.split_once('-').ok_or_else(|| bad("no '-'"))?;
    let (host_addr, host_port) = host.split_once(':').ok_or_else(|| bad("no host port"))?;
    let (guest_addr, guest_port) = guest.split_once(':').ok_or_else(|| bad("no guest port"))?;
    let addr = |text: &str, what: &str| {
        if text.is_empty() {
            Ok(std::net::Ipv4Addr::UNSPECIFIED)
        } else {
            text.parse()
                .map_err(|_| bad(&format!("bad {what} address")))
        }
    };
    let port = |text: &str, what: &str| {
        text.parse::<u16>()
            .map_err(|_| bad(&format!("bad {what} port")))
    };
    let guest_port = port(guest_port, "guest")?;
    if guest_port == 0 {
        return Err(bad("bad guest port"));
    }
    Ok(HostForward {
        udp,
        host_addr: addr(host_addr, "host")?,
        host_port: port(host_port, "host")?,
        guest_addr: addr(guest_addr, "guest")?,
        guest_port,
    })
}

/// Parses a guest forwarding rule as QEMU does, in its command form:
/// `[tcp]:server:port-cmd:command` (the character-device form, `-dev`,
/// is refused: rivet's character devices are not sockets).
pub fn parse_guestfwd(rule: &str) -> Result<GuestForward, UsageError> {
    let bad = |why: &str| {
        UsageError(format!(
            "guestfwd={rule}: invalid guest forwarding rule ({why}; expected \
             [tcp]:server:port-cmd:command)"
        ))
    };
    let (protocol, rest) = rule.split_once(':').ok_or_else(|| bad("no protocol"))?;
    if !matches!(protocol, "" | "tcp") {
        return Err(bad("only tcp"));
    }
    let (server, rest) = rest.split_once(':').ok_or_else(|| bad("no server"))?;
    let (port, target) = rest.split_once('-').ok_or_else(|| bad("no '-'"))?;
    let server = server.parse().map_err(|_| bad("bad server address"))?;
    let port = port.parse::<u16>().map_err(|_| bad("bad port"))?;
    let Some(command) = target.strip_prefix("cmd:") else {
        return Err(UsageError(format!(
            "guestfwd={rule}: only the cmd:COMMAND form is supported (rivet's \
             character devices cannot carry a connection)"
        )));
    };
    if command.is_empty() {
        return Err(bad("empty command"));
    }
    Ok(GuestForward {
        server,
        port,
        command: command.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn host_forwarding_rules_read_as_qemu_reads_them() {
        assert_eq!(
            parse_hostfwd("tcp::2222-:22").unwrap(),
            HostForward {
                udp: false,
                host_addr: Ipv4Addr::UNSPECIFIED,
                host_port: 2222,
                guest_addr: Ipv4Addr::UNSPECIFIED,
                guest_port: 22
            }
        );
        assert_eq!(
            parse_hostfwd("udp:127.0.0.1:5555-10.0.2.15:53").unwrap(),
            HostForward {
                udp: true,
                host_addr: Ipv4Addr::LOCALHOST,
                host_port: 5555,
                guest_addr: Ipv4Addr::new(10, 0, 2, 15),
                guest_port: 53
            }
        );
        for bad in [
            "2222-:22",
            "sctp::1-:2",
            "tcp::2222:22",
            "tcp::99999-:22",
            "tcp::22-:0",
            "tcp:localhost:1-:2",
        ] {
            assert!(parse_hostfwd(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn netdevs_nics_and_devices() {
        let n = parse_netdev("user,id=n0,hostfwd=tcp::2222-:22,hostfwd=udp::53-:53").unwrap();
        assert_eq!(n.id, "n0");
        let NetdevConfig::User(user) = &n.config else {
            panic!("not a user network: {n:?}")
        };
        assert_eq!(user.host_forwards.len(), 2);
        assert!(parse_netdev("user").unwrap_err().0.contains("id="));
        assert!(parse_netdev("bridge,id=t0")
            .unwrap_err()
            .0
            .contains("-netdev bridge: not supported"));
        let g =
            parse_netdev("user,id=n0,guestfwd=tcp:10.0.2.100:80-cmd:cat /etc/hostname").unwrap();
        let NetdevConfig::User(g) = g.config else {
            panic!("not a user network")
        };
        assert_eq!(
            g.guest_forwards,
            vec![GuestForward {
                server: Ipv4Addr::new(10, 0, 2, 100),
                port: 80,
                command: "cat /etc/hostname".into()
            }]
        );
        assert!(parse_guestfwd("tcp:10.0.2.100:80-chardev0")
            .unwrap_err()
            .0
            .contains("only the cmd:COMMAND form"));
        assert!(parse_guestfwd("udp:10.0.2.100:80-cmd:x").is_err());
        assert!(parse_guestfwd(":10.0.2.100:80-cmd:").is_err());
        assert_eq!(
            parse_netdev("user,id=n0,hostfwdd=x").unwrap_err().0,
            "-netdev user: unknown option 'hostfwdd' (did you mean hostfwd?)"
        );
        assert_eq!(parse_nic("none").unwrap(), None);
        let nic = parse_nic("user,model=virtio-net-device,mac=52:54:00:00:00:01").unwrap();
        assert_eq!(nic.unwrap().mac, Some([0x52, 0x54, 0, 0, 0, 1]));
        assert!(parse_nic("user,model=e1000").is_err());
        assert!(parse_mac("01:00:5e:00:00:01").is_err());
        assert!(parse_mac("52:54:00:12:34").is_err());
        assert_eq!(
            parse_net_device("virtio-net-device,netdev=n0,bus=virtio-mmio-bus.3").unwrap(),
            NetDeviceSpec {
                netdev: "n0".into(),
                mac: None,
                slot: Some(3)
            }
        );
        assert!(parse_net_device("virtio-net-pci,netdev=n0")
            .unwrap_err()
            .0
            .contains("no PCI"));
        assert!(parse_net_device("virtio-net-device").is_err());
    }

    #[test]
    fn tap_options_read_as_qemu_reads_them() {
        let n = parse_netdev("tap,id=t0").unwrap();
        assert_eq!(n.config, NetdevConfig::Tap(TapConfig::default()));
        let NetdevConfig::Tap(default) = n.config else {
            panic!("not a tap")
        };
        assert_eq!(default.script, Some(PathBuf::from("/etc/qemu-ifup")));
        assert_eq!(default.downscript, Some(PathBuf::from("/etc/qemu-ifdown")));
        let n =
            parse_netdev("tap,id=t0,ifname=rv0,script=no,downscript=/x/down,vhost=off").unwrap();
        assert_eq!(
            n.config,
            NetdevConfig::Tap(TapConfig {
                ifname: Some("rv0".into()),
                script: None,
                downscript: Some(PathBuf::from("/x/down")),
                fd: None,
            })
        );
        let n = parse_netdev("tap,id=t0,fd=5").unwrap();
        let NetdevConfig::Tap(fd) = n.config else {
            panic!("not a tap")
        };
        assert_eq!(fd.fd, Some(5));
        assert!(parse_netdev("tap,id=t0,fd=5,ifname=x")
            .unwrap_err()
            .0
            .contains("invalid with fd="));
        for (text, why) in [
            ("tap,id=t0,vhost=on", "no vhost-net"),
            ("tap,id=t0,vnet_hdr=on", "no offloads"),
            ("tap,id=t0,queues=4", "one queue pair"),
            (
                "tap,id=t0,helper=/usr/lib/qemu/qemu-bridge-helper",
                "qemu-bridge-helper",
            ),
            ("tap,id=t0,br=br0", "qemu-bridge-helper"),
            ("tap,id=t0,fd=tapfd", "file descriptor number"),
            ("tap,id=t0,fd=-1", "file descriptor number"),
            ("tap,id=t0,vhostfd=4", "no vhost-net"),
        ] {
            let e = parse_netdev(text).unwrap_err().0;
            assert!(e.contains(why), "{text}: {e}");
        }
        assert_eq!(
            parse_netdev("tap,id=t0,scrpt=no").unwrap_err().0,
            "-netdev tap: unknown option 'scrpt' (did you mean script?)"
        );
        assert!(parse_netdev("tap,ifname=x").unwrap_err().0.contains("id="));
        let nic = parse_nic("tap,ifname=rv1,script=no,downscript=no,mac=52:54:00:00:00:09")
            .unwrap()
            .unwrap();
        assert_eq!(nic.mac, Some([0x52, 0x54, 0, 0, 0, 9]));
        assert!(
            matches!(nic.config, NetdevConfig::Tap(TapConfig { ref ifname, .. }) if ifname.as_deref() == Some("rv1"))
        );
        assert!(parse_nic("tap,hostfwd=tcp::1-:2").is_err());
        assert!(parse_nic("user,ifname=x").is_err());
    }

    /// `-netdev help` lists, in QEMU 7.2's form, exactly the backends
    /// `-netdev` takes.
    #[test]
    fn netdev_help_lists_the_backends_rivet_takes() {
        let args = crate::cli::Args {
            netdevs: vec!["help".into()],
            ..crate::cli::Args::default()
        };
        let help = crate::cli::help_request(&args).expect("a help text");
        let mut lines = help.lines();
        assert_eq!(lines.next(), Some("Available netdev backend types:"));
        let listed: Vec<&str> = lines.collect();
        assert_eq!(listed, ["tap", "user"]);
        for backend in listed {
            parse_netdev(&format!("{backend},id=n0")).unwrap();
        }
        for refused in ["bridge", "socket", "vde", "vhost-user"] {
            assert!(parse_netdev(&format!("{refused},id=n0")).is_err());
        }
    }
}
