//! The tap backend against the host's own network stack, no guest: the
//! host resolves an address on the tap's subnet, so its ARP request comes
//! out of the tap to [`Tap::recv`] (and the waker is called, as it must be
//! to end the board's wait); the ARP reply written with
//! [`NetBackend::send`] lands in the host's neighbour table.
//!
//! Needs root (CAP_NET_ADMIN), `/dev/net/tun` and iproute2's `ip`; where
//! one is missing the test says why and skips.

#![cfg(target_os = "linux")]

use std::net::{Ipv4Addr, UdpSocket};
use std::process::Command;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rivet_devices::tap::{Tap, TapConfig};
use rivet_devices::virtio::NetBackend;

/// Why a tap cannot be made here, if it cannot.
fn unavailable() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("not root: making a tap interface needs CAP_NET_ADMIN".into());
    }
    if let Err(e) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")
    {
        return Some(format!("cannot open /dev/net/tun: {e}"));
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("iproute2's ip is not installed".into());
    }
    None
}

fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const HOST: Ipv4Addr = Ipv4Addr::new(10, 223, 50, 1);
const PEER: Ipv4Addr = Ipv4Addr::new(10, 223, 50, 2);
const PEER_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x50, 0x02];

#[test]
fn arp_both_ways_through_the_tap() {
    if let Some(why) = unavailable() {
        println!("skipped: {why}");
        return;
    }
    let name = format!("rvu{}", std::process::id() % 1_000_000);
    let (woke_tx, woke) = mpsc::channel();
    let waker: rivet_devices::console::Waker = Arc::new(move || {
        let _ = woke_tx.send(());
    });
    let config = TapConfig {
        ifname: Some(name.clone()),
        script: None,
        downscript: None,
        fd: None,
    };
    let mut tap = Tap::open(&config, Some(waker)).expect("open the tap");
    assert_eq!(tap.ifname(), name);
    ip(&["addr", "add", &format!("{HOST}/24"), "dev", &name]);
    ip(&["link", "set", "dev", &name, "up"]);
    let host_mac: Vec<u8> = ip(&["-o", "link", "show", "dev", &name])
        .split("link/ether ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the tap's MAC")
        .split(':')
        .map(|b| u8::from_str_radix(b, 16).expect("hex"))
        .collect();

    // A datagram to PEER makes the host ask who has PEER; the kernel
    // repeats the request about once a second while it has no answer.
    let socket = UdpSocket::bind((HOST, 0)).expect("bind on the tap's address");
    let deadline = Instant::now() + Duration::from_secs(20);
    let request = loop {
        assert!(Instant::now() < deadline, "no ARP request from the host");
        let _ = socket.send_to(b"x", (PEER, 9));
        // The waker is what ends the board's wait: it must come with the frame.
        if woke.recv_timeout(Duration::from_secs(2)).is_err() {
            continue;
        }
        let mut found = None;
        while let Some(frame) = tap.recv() {
            let arp_request = frame.len() >= 42
                && frame[12..14] == [0x08, 0x06]
                && frame[20..22] == [0, 1]
                && frame[38..42] == PEER.octets();
            if arp_request {
                found = Some(frame);
            }
        }
        if let Some(frame) = found {
            break frame;
        }
    };
    assert_eq!(&request[..6], &[0xff; 6], "broadcast");
    assert_eq!(request[6..12], host_mac[..], "from the tap's host side");
    assert_eq!(request[28..32], HOST.octets(), "sender protocol address");

    // The reply, written to the tap, teaches the host PEER's address.
    let mut reply = Vec::new();
    reply.extend_from_slice(&host_mac);
    reply.extend_from_slice(&PEER_MAC);
    reply.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 2]);
    reply.extend_from_slice(&PEER_MAC);
    reply.extend_from_slice(&PEER.octets());
    reply.extend_from_slice(&host_mac);
    reply.extend_from_slice(&HOST.octets());
    tap.send(&reply);
    let deadline = Instant::now() + Duration::from_secs(10);
    let neighbour = loop {
        let shown = ip(&["neigh", "show", &PEER.to_string(), "dev", &name]);
        if shown.contains("lladdr") || Instant::now() > deadline {
            break shown;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        neighbour.contains("lladdr 52:54:00:12:50:02"),
        "neighbour table: {neighbour}"
    );

    // Closing the tap removes the interface.
    drop(tap);
    let gone = Command::new("ip")
        .args(["link", "show", "dev", &name])
        .output()
        .expect("run ip");
    assert!(!gone.status.success(), "{name} outlived the tap");
}
