//! Networking on the command line, as QEMU spells it: `-netdev
//! user,id=ID[,hostfwd=RULE]...` with `-device virtio-net-device,netdev=ID`,
//! or `-nic user[,model=virtio-net-device][,mac=MAC][,hostfwd=RULE]...`.
//!
//! rivet has QEMU's user network (libslirp, see
//! [`rivet_devices::slirp`]) and the virtio-net device on virtio-mmio;
//! other backends (`tap`, `bridge`, sockets), `guestfwd=` to a character
//! device and other card models are refused by name.

use rivet_devices::slirp::{GuestForward, HostForward, UserNetConfig};

use crate::cli::{parse_bool, parse_kv, unknown_key, UsageError};

/// A `-netdev user`: its id and its settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetdevSpec {
    /// `id=`, which a `-device` names with `netdev=`.
    pub id: String,
    /// The user network.
    pub config: UserNetConfig,
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

/// A `-nic user`: a card and its user network in one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NicSpec {
    /// The user network.
    pub config: UserNetConfig,
    /// `mac=`, if given.
    pub mac: Option<[u8; 6]>,
}

/// The keys of `-netdev user` rivet reads.
const USER_KEYS: &[&str] = &["id", "hostfwd", "guestfwd", "restrict", "ipv4", "ipv6"];

/// Why a QEMU backend other than `user` is refused.
fn backend_refusal(option: &str, backend: &str) -> UsageError {
    let why = match backend {
        "tap" | "bridge" => {
            "not supported: rivet has only the user network (-netdev user), which needs no \
             privileges; a tap device needs CAP_NET_ADMIN and a host bridge"
        }
        _ => "not supported: rivet has only the user network (-netdev user)",
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

/// Parses one `-netdev` value.
pub fn parse_netdev(text: &str) -> Result<NetdevSpec, UsageError> {
    let (backend, pairs) = parse_kv(text);
    let backend = backend.or_else(|| {
        pairs
            .iter()
            .find(|(k, _)| k == "type")
            .map(|(_, v)| v.clone())
    });
    match backend.as_deref() {
        Some("user") => {}
        Some(other) => return Err(backend_refusal("-netdev", other)),
        None => {
            return Err(UsageError(format!(
                "-netdev {text}: expected a backend first (user)"
            )))
        }
    }
    let mut id = None;
    let mut config = UserNetConfig::default();
    for (k, v) in pairs {
        match k.as_str() {
            "id" => id = Some(v),
            "type" => {}
            _ if user_key("-netdev user", &mut config, &k, &v)? => {}
            _ => return Err(unknown_key("-netdev user", &k, USER_KEYS)),
        }
    }
    let id = id.ok_or_else(|| UsageError("-netdev user: id= is required".into()))?;
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
    match backend.as_deref() {
        Some("none") if pairs.is_empty() => return Ok(None),
        Some("user") => {}
        Some(other) => return Err(backend_refusal("-nic", other)),
        None => return Err(UsageError(format!("-nic {text}: expected a backend first"))),
    }
    let mut config = UserNetConfig::default();
    let mut mac = None;
    for (k, v) in pairs {
        match k.as_str() {
            "model" if v == "virtio-net-device" || v == "virtio" => {}
            "model" => {
                return Err(UsageError(format!(
                    "-nic user,model={v}: rivet has only virtio-net-device (virtio-mmio)"
                )))
            }
            "mac" => mac = Some(parse_mac(&v)?),
            "id" => {}
            _ if user_key("-nic user", &mut config, &k, &v)? => {}
            _ => {
                let known: Vec<&str> = ["model", "mac"].iter().chain(USER_KEYS).copied().collect();
                return Err(unknown_key("-nic user", &k, &known));
            }
        }
    }
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
        assert_eq!(n.config.host_forwards.len(), 2);
        assert!(parse_netdev("user").unwrap_err().0.contains("id="));
        assert!(parse_netdev("tap,id=t0")
            .unwrap_err()
            .0
            .contains("-netdev tap: not supported"));
        let g =
            parse_netdev("user,id=n0,guestfwd=tcp:10.0.2.100:80-cmd:cat /etc/hostname").unwrap();
        assert_eq!(
            g.config.guest_forwards,
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
}
