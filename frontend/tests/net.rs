//! The user network, end to end: boot OpenSBI + Linux with a virtio-net
//! card on `-netdev user` (or `-nic user`), get an address by DHCP from
//! slirp, fetch a page from an HTTP server this test runs on the host's
//! loopback (reached from the guest as 10.0.2.2, QEMU's gateway), read a
//! host command's output through a guest forwarding rule, and move bytes
//! both ways through a host forwarding rule to a guest `nc -l`.
//!
//! The guest images come from guest/build-images.sh (cached under
//! ~/.cache/rivet). All traffic stays on this machine: slirp connects the
//! guest's flows to 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::guest::{images, Guest, PROMPT};
use common::{run_command, run_rivet};

const BOOT: Duration = Duration::from_secs(180);
const STEP: Duration = Duration::from_secs(60);

/// The guest port the forwarding rule points at.
const GUEST_PORT: u16 = 7777;

fn boot_args(net: &[String]) -> Vec<String> {
    let dir = images();
    let mut args: Vec<String> = ["-M", "virt", "-m", "256M", "-nographic", "-bios", "default"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(["-kernel".into(), dir.join("Image").display().to_string()]);
    args.extend([
        "-initrd".into(),
        dir.join("initramfs.cpio.gz").display().to_string(),
    ]);
    args.extend(["-append".into(), "console=ttyS0".into()]);
    args.extend(net.iter().cloned());
    args
}

/// A port on the host's loopback that is free now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// A tiny HTTP/1.0 server on 127.0.0.1 that answers every GET with
/// `body` and records the request lines; stops when dropped.
struct PageServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl PageServer {
    fn start(body: &'static str) -> PageServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the page server");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, done) = (Arc::clone(&requests), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            // Bounded: at most 5 minutes, and only while the test runs.
            let deadline = Instant::now() + Duration::from_secs(300);
            while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).into_owned();
                seen.lock()
                    .unwrap()
                    .push(text.lines().next().unwrap_or("").to_string());
                let reply = format!(
                    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        PageServer {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Connects to the forwarded host port, sends `send`, and reads until
/// `expect` has come back; retries while the guest is not listening yet
/// (slirp accepts, then closes the connection when the guest refuses).
fn exchange_through_hostfwd(port: u16, send: &str, expect: &str) -> String {
    let deadline = Instant::now() + STEP;
    loop {
        assert!(
            Instant::now() < deadline,
            "no answer through 127.0.0.1:{port} within {STEP:?}"
        );
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        if stream.write_all(send.as_bytes()).is_err() {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        }
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while !String::from_utf8_lossy(&got).contains(expect) {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&got).into_owned();
        if text.contains(expect) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The guest gets QEMU's default address by DHCP, with the gateway and DNS
/// slirp announces.
fn dhcp(guest: &mut Guest) {
    let out = guest.run("udhcpc -i eth0 -n -q -t 5 -T 2", STEP);
    assert!(out.contains("lease of 10.0.2.15 obtained"), "udhcpc: {out}");
    assert!(out.contains("rivet: eth0 has address 10.0.2.15"), "{out}");
    let routes = guest.run("route -n", STEP);
    assert!(
        routes
            .lines()
            .any(|l| l.starts_with("0.0.0.0") && l.contains("10.0.2.2")),
        "no default route via 10.0.2.2:\n{routes}"
    );
    assert_eq!(
        guest.run("cat /etc/resolv.conf", STEP),
        "nameserver 10.0.2.3"
    );
}

/// The whole scenario on the emulator `start` runs: DHCP, a page from the
/// host, bytes both ways through a forwarded port, poweroff.
fn dhcp_page_and_forwarded_port(start: impl FnOnce(&[String]) -> Guest) {
    let page = PageServer::start("rivet-net-page 5d1c\n");
    let host_port = free_port();
    let net = [
        "-netdev".to_string(),
        format!(
            "user,id=n0,hostfwd=tcp:127.0.0.1:{host_port}-:{GUEST_PORT},\
             guestfwd=tcp:10.0.2.100:1234-cmd:echo rivet-guestfwd 9e1"
        ),
        "-device".to_string(),
        "virtio-net-device,netdev=n0".to_string(),
    ];
    let mut guest = start(&boot_args(&net));
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(PROMPT, STEP);
    assert_eq!(
        guest.run("cat /sys/class/net/eth0/address", STEP),
        "52:54:00:12:34:56",
        "QEMU's default MAC for the first card"
    );
    dhcp(&mut guest);

    // The host's loopback is the gateway's address, as in QEMU.
    let fetched = guest.run(
        &format!("wget -q -O - http://10.0.2.2:{}/index.txt", page.port),
        STEP,
    );
    assert_eq!(fetched, "rivet-net-page 5d1c");
    let requests = page.requests.lock().unwrap().clone();
    assert_eq!(requests, vec!["GET /index.txt HTTP/1.1".to_string()]);

    // guestfwd: a connection to 10.0.2.100:1234 runs the command on the
    // host, its output coming back.
    assert_eq!(
        guest.run("nc 10.0.2.100 1234 </dev/null", STEP),
        "rivet-guestfwd 9e1"
    );

    // hostfwd: the host connects to 127.0.0.1:host_port, slirp connects
    // to the guest's nc; bytes go both ways.
    guest.send(&format!(
        "echo guest-hello | nc -l -p {GUEST_PORT} > /tmp/got.txt; echo nc-exit=$?"
    ));
    let answer = exchange_through_hostfwd(host_port, "host-hello\n", "guest-hello");
    assert_eq!(answer, "guest-hello\n");
    guest.expect("nc-exit=0", STEP);
    guest.expect(PROMPT, STEP);
    assert_eq!(guest.run("cat /tmp/got.txt", STEP), "host-hello");

    guest.send("poweroff");
    assert_eq!(guest.wait_exit(STEP), Some(0));
}

#[test]
fn dhcp_a_page_from_the_host_and_a_forwarded_port() {
    dhcp_page_and_forwarded_port(Guest::start);
}

/// The oracle for the guest side: the same images and the same scenario
/// on QEMU 7.2 (skipped, saying so, where it is not installed).
#[test]
fn the_same_scenario_passes_on_qemu() {
    let qemu = "qemu-system-riscv64";
    if Command::new(qemu).arg("-version").output().is_err() {
        println!("{qemu} is not installed: the QEMU run is skipped");
        return;
    }
    dhcp_page_and_forwarded_port(|args| {
        let mut command = Command::new(qemu);
        command.args(args);
        Guest::start_command(command)
    });
}

/// `-nic user` with a MAC of the user's: one option for card and network.
#[test]
fn nic_user_gives_a_card_with_its_mac_and_dhcp() {
    let page = PageServer::start("rivet-nic-page 77\n");
    let net = [
        "-nic".to_string(),
        "user,model=virtio-net-device,mac=52:54:00:ab:cd:ef".to_string(),
    ];
    let mut guest = Guest::start(&boot_args(&net));
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(PROMPT, STEP);
    assert_eq!(
        guest.run("cat /sys/class/net/eth0/address", STEP),
        "52:54:00:ab:cd:ef"
    );
    dhcp(&mut guest);
    let fetched = guest.run(
        &format!("wget -q -O - http://10.0.2.2:{}/", page.port),
        STEP,
    );
    assert_eq!(fetched, "rivet-nic-page 77");
    guest.send("poweroff");
    assert_eq!(guest.wait_exit(STEP), Some(0));
}

/// A host forwarding rule whose port is taken: rivet refuses to start,
/// naming the rule, as QEMU 7.2 does ("Could not set up host forwarding
/// rule 'tcp:127.0.0.1:PORT-:22'", exit status 1).
#[test]
fn a_busy_host_port_is_refused_as_qemu_refuses_it() {
    // lui t0,0x100; lui a0,5; addi a0,a0,0x555; sw a0,0(t0): power off.
    let code: Vec<u8> = [0x0010_02b7u32, 0x0000_5537, 0x5555_0513, 0x00a2_a023]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let kernel = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("net-off.bin");
    std::fs::write(&kernel, code).expect("write the kernel");
    let busy = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = busy.local_addr().expect("address").port();
    let rule = format!("tcp:127.0.0.1:{port}-:22");
    let args = [
        "-M".to_string(),
        "virt".into(),
        "-bios".into(),
        "none".into(),
        "-kernel".into(),
        kernel.display().to_string(),
        "-nographic".into(),
        "-netdev".into(),
        format!("user,id=n0,hostfwd={rule}"),
        "-device".into(),
        "virtio-net-device,netdev=n0".into(),
    ];
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = run_rivet(&refs, b"", STEP);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stderr.trim(),
        format!(
            "rivet: -netdev user: could not set up host forwarding rule '{rule}' \
             (is the host port in use?)"
        )
    );
    let qemu = "qemu-system-riscv64";
    if Command::new(qemu).arg("-version").output().is_ok() {
        let mut command = Command::new(qemu);
        command.args(&args);
        let run = run_command(command, b"", STEP);
        assert_eq!(run.code, Some(1), "{run:?}");
        assert!(
            run.stderr
                .contains(&format!("Could not set up host forwarding rule '{rule}'")),
            "{run:?}"
        );
    }
    // With the port free, the same command line runs and powers off.
    drop(busy);
    let run = run_rivet(&refs, b"", STEP);
    assert_eq!(run.code, Some(0), "{run:?}");
}
