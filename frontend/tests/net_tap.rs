//! The tap network, end to end: boot OpenSBI + Linux with a virtio-net
//! card on `-netdev tap`, give the host side of the tap and the guest an
//! address each, and move bytes both ways: the guest fetches a page from a
//! server this test runs on the host's tap address, and the host connects
//! to a guest `nc -l`. The same scenario runs on QEMU 7.2, the oracle. A
//! set-up script the test writes proves `script=` runs with the
//! interface's name, and the refusals (a bad `fd=`, a failing script, a
//! busy or invalid name, no permission) are one line and exit status 1.
//!
//! Tap interfaces need root (CAP_NET_ADMIN), `/dev/net/tun` and iproute2's
//! `ip`: where one is missing, each test says why and skips. Each test
//! uses interfaces named after this process and a subnet of its own
//! (10.223.N.0/24), and deletes what it made.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::guest::{images, Guest, PROMPT};
use common::{run_command, run_rivet};

const BOOT: Duration = Duration::from_secs(180);
const STEP: Duration = Duration::from_secs(60);

/// The guest port the host connects to.
const GUEST_PORT: u16 = 7777;

/// Why tap interfaces cannot be made here, if they cannot.
fn tap_unavailable() -> Option<String> {
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

/// Skips the calling test (returning true) where taps cannot be made.
fn skip() -> bool {
    match tap_unavailable() {
        Some(why) => {
            println!("skipped: {why}");
            true
        }
        None => false,
    }
}

/// Whether QEMU is installed (its runs are skipped, saying so, if not).
fn qemu_installed() -> bool {
    let ok = Command::new("qemu-system-riscv64")
        .arg("-version")
        .output()
        .is_ok();
    if !ok {
        println!("qemu-system-riscv64 is not installed: the QEMU run is skipped");
    }
    ok
}

/// An interface name of this process's own (at most 15 bytes).
fn ifname(tag: &str) -> String {
    format!("rv{tag}{}", std::process::id() % 1_000_000)
}

/// Runs `ip args...`; panics, with its output, if it fails.
fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ip -o link show NAME`, or `None` if there is no such interface.
fn link(name: &str) -> Option<String> {
    let out = Command::new("ip")
        .args(["-o", "link", "show", "dev", name])
        .output()
        .expect("run ip");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Deletes an interface when dropped (if it still exists).
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if link(&self.0).is_some() {
            let _ = Command::new("ip")
                .args(["link", "del", "dev", &self.0])
                .status();
        }
    }
}

/// Waits up to `limit` for `ready`.
fn wait_for(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    ready()
}

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

/// `-netdev tap,id=n0,OPTIONS -device virtio-net-device,netdev=n0`.
fn tap_args(options: &str) -> Vec<String> {
    vec![
        "-netdev".into(),
        format!("tap,id=n0,{options}"),
        "-device".into(),
        "virtio-net-device,netdev=n0".into(),
    ]
}

/// A one-page HTTP/1.0 server on `addr` (a port of the kernel's choice)
/// that answers every GET with `body` and records the request lines.
struct PageServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl PageServer {
    fn start(ip: Ipv4Addr, body: Vec<u8>) -> PageServer {
        let listener = TcpListener::bind((ip, 0)).expect("bind the page server");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let thread = std::thread::spawn(move || {
            // Bounded: five minutes, or until the address goes away.
            let deadline = Instant::now() + Duration::from_secs(300);
            while Instant::now() < deadline {
                let mut stream = match listener.accept() {
                    Ok((stream, _)) => stream,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    }
                    Err(_) => return,
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
                let head = format!(
                    "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\
                     Content-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        PageServer {
            addr,
            requests,
            thread: Some(thread),
        }
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        // The thread ends by its deadline; don't wait for it.
        drop(self.thread.take());
    }
}

/// Connects to the guest's `nc -l` at `addr`, sends `send` and reads until
/// `expect` has come back; retries while the guest is not listening yet.
fn exchange(addr: SocketAddr, send: &str, expect: &str) -> String {
    let deadline = Instant::now() + STEP;
    loop {
        assert!(
            Instant::now() < deadline,
            "no answer from {addr} within {STEP:?}"
        );
        let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) else {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        stream
            .write_all(send.as_bytes())
            .expect("send to the guest");
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while !String::from_utf8_lossy(&got).contains(expect) {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        return String::from_utf8_lossy(&got).into_owned();
    }
}

/// CPU time (user + system, in clock ticks) of process `pid` so far.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read stat");
    // The fields after the command name (which may hold spaces).
    let rest = &stat[stat.rfind(')').expect("stat has a command") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 here.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

/// The guest's side of the scenario: a static address on `subnet`, a
/// page fetched from the host, bytes both ways with a guest `nc -l`.
fn static_address_page_and_listener(guest: &mut Guest, subnet: u8) {
    let host = Ipv4Addr::new(10, 223, subnet, 1);
    let guest_ip = Ipv4Addr::new(10, 223, subnet, 2);
    // 64 KiB of bytes that change with the offset, so a lost or reordered
    // segment shows in the checksum.
    let body: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("tap-page-{subnet}"));
    std::fs::write(&file, &body).expect("write the page");
    let sha = Command::new("sha256sum")
        .arg(&file)
        .output()
        .expect("run sha256sum");
    let sha = String::from_utf8_lossy(&sha.stdout)
        .split_whitespace()
        .next()
        .expect("a digest")
        .to_string();
    let page = PageServer::start(host, body);
    // Short commands: the guest's terminal wraps lines at 80 columns.
    guest.run(&format!("ip addr add {guest_ip}/24 dev eth0"), STEP);
    guest.run("ip link set eth0 up", STEP);
    guest.run(
        &format!("wget -q -O /tmp/page http://{}/page.bin", page.addr),
        STEP,
    );
    assert_eq!(
        guest.run("sha256sum < /tmp/page", STEP),
        format!("{sha}  -"),
        "the page as the guest got it"
    );
    assert_eq!(
        *page.requests.lock().unwrap(),
        vec!["GET /page.bin HTTP/1.1".to_string()]
    );

    guest.send(&format!(
        "echo guest-hello | nc -l -p {GUEST_PORT} > /tmp/got.txt; echo nc-exit=$?"
    ));
    let answer = exchange(
        SocketAddr::from((guest_ip, GUEST_PORT)),
        "host-hello\n",
        "guest-hello",
    );
    assert_eq!(answer, "guest-hello\n");
    guest.expect("nc-exit=0", STEP);
    guest.expect(PROMPT, STEP);
    assert_eq!(guest.run("cat /tmp/got.txt", STEP), "host-hello");
}

/// The whole scenario on the emulator `start` runs, on interface `name`
/// and subnet 10.223.`subnet`.0/24; `check_idle` measures that the
/// emulator does not spin once the interface is deleted (QEMU 7.2 does).
fn tap_scenario(
    name: &str,
    subnet: u8,
    check_idle: bool,
    start: impl FnOnce(&[String]) -> (Guest, u32),
) {
    let _cleanup = Cleanup(name.to_string());
    let (mut guest, pid) = start(&boot_args(&tap_args(&format!(
        "ifname={name},script=no,downscript=no"
    ))));
    assert!(
        wait_for(STEP, || link(name).is_some()),
        "no interface {name}"
    );
    ip(&["addr", "add", &format!("10.223.{subnet}.1/24"), "dev", name]);
    ip(&["link", "set", "dev", name, "up"]);
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(PROMPT, STEP);
    assert_eq!(
        guest.run("cat /sys/class/net/eth0/address", STEP),
        "52:54:00:12:34:56"
    );
    static_address_page_and_listener(&mut guest, subnet);

    // The interface deleted under the running machine: the guest goes on
    // (its card hears nothing more) and powers off normally.
    ip(&["link", "del", "dev", name]);
    assert_eq!(guest.run("echo still-here", STEP), "still-here");
    if check_idle {
        let before = cpu_ticks(pid);
        std::thread::sleep(Duration::from_secs(3));
        let used = cpu_ticks(pid) - before;
        // 3 s is 300 ticks at the usual 100 Hz: a spinning reader would
        // take most of them; an idle guest takes a few.
        assert!(used < 100, "{used} ticks in 3 s after the tap went away");
    }
    guest.send("poweroff");
    assert_eq!(guest.wait_exit(STEP), Some(0));
}

#[test]
fn a_page_from_the_host_and_a_guest_listener_over_tap() {
    if skip() {
        return;
    }
    let name = ifname("t");
    tap_scenario(&name, 41, true, |args| {
        let guest = Guest::start(args);
        let pid = guest.pid();
        (guest, pid)
    });
    assert!(link(&name).is_none(), "{name} outlived rivet");
}

/// The oracle: the same images and scenario on QEMU 7.2.
#[test]
fn the_same_scenario_passes_on_qemu() {
    if skip() || !qemu_installed() {
        return;
    }
    let name = ifname("q");
    tap_scenario(&name, 42, false, |args| {
        let mut command = Command::new("qemu-system-riscv64");
        command.args(args);
        let guest = Guest::start_command(command);
        let pid = guest.pid();
        (guest, pid)
    });
}

/// Writes an executable shell script.
fn write_script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).expect("write the script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// `script=PATH` runs with the interface's name before the guest starts
/// (here it gives the host side its address and brings the link up, so
/// the page only arrives if it ran on the right interface), and
/// `downscript=PATH` runs with the name when rivet ends.
#[test]
fn the_scripts_run_with_the_interface_name() {
    if skip() {
        return;
    }
    let name = ifname("s");
    let _cleanup = Cleanup(name.clone());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("tap-{name}"));
    std::fs::create_dir_all(&dir).expect("make the script directory");
    let (up, down) = (dir.join("ifup"), dir.join("ifdown"));
    let (up_log, down_log) = (dir.join("up.log"), dir.join("down.log"));
    let _ = std::fs::remove_file(&down_log);
    write_script(
        &up,
        &format!(
            "ip addr add 10.223.43.1/24 dev \"$1\" && ip link set dev \"$1\" up && \
             echo \"up $1\" > {}",
            up_log.display()
        ),
    );
    write_script(
        &down,
        &format!(
            "echo \"down $1 $(ip -o link show dev \"$1\" | wc -l)\" > {}",
            down_log.display()
        ),
    );
    let mut guest = Guest::start(&boot_args(&tap_args(&format!(
        "ifname={name},script={},downscript={}",
        up.display(),
        down.display()
    ))));
    guest.expect("rivet: shell ready", BOOT);
    guest.expect(PROMPT, STEP);
    assert_eq!(
        std::fs::read_to_string(&up_log).expect("the script ran"),
        format!("up {name}\n")
    );
    let state = link(&name).expect("the interface exists");
    assert!(state.contains(",UP"), "the script brought it up: {state}");
    static_address_page_and_listener(&mut guest, 43);
    guest.send("poweroff");
    assert_eq!(guest.wait_exit(STEP), Some(0));
    // The tear-down script ran while the interface still existed.
    assert_eq!(
        std::fs::read_to_string(&down_log).expect("the tear-down script ran"),
        format!("down {name} 1\n")
    );
    assert!(link(&name).is_none(), "{name} outlived rivet");
}

/// `-nic tap` without scripts named runs QEMU's: `/etc/qemu-ifup` (Debian's
/// brings the link up) with the interface's name, or, where it is missing,
/// the start fails as QEMU's does.
#[test]
fn nic_tap_runs_the_default_scripts() {
    if skip() {
        return;
    }
    let name = ifname("d");
    let _cleanup = Cleanup(name.clone());
    let args = sleeper_args(vec![
        "-nic".into(),
        format!("tap,ifname={name},model=virtio-net-device,mac=52:54:00:00:00:42"),
    ]);
    if !Path::new("/etc/qemu-ifup").exists() {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = run_rivet(&refs, b"", STEP);
        assert_eq!(run.code, Some(1), "{run:?}");
        assert_eq!(
            run.stderr.trim(),
            "rivet: -netdev tap: network script /etc/qemu-ifup failed: No such file or directory"
        );
        return;
    }
    let mut holder = Guest::start(&args);
    assert!(
        wait_for(STEP, || link(&name).is_some_and(|l| l.contains(",UP"))),
        "/etc/qemu-ifup did not bring {name} up: {:?}\n{}",
        link(&name),
        holder.transcript()
    );
    holder.signal("TERM");
    assert_eq!(holder.wait_exit(STEP), Some(0));
    assert!(link(&name).is_none(), "{name} outlived rivet");
}

/// A machine that sleeps in `wfi` forever: `wfi; j .-4`.
fn sleeper() -> PathBuf {
    let code: Vec<u8> = [0x1050_0073u32, 0xffdf_f06f]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    let kernel = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tap-sleeper.bin");
    std::fs::write(&kernel, code).expect("write the kernel");
    kernel
}

/// The arguments of a machine that sleeps, with the network options `net`.
fn sleeper_args(net: Vec<String>) -> Vec<String> {
    let mut args: Vec<String> = ["-M", "virt", "-bios", "none", "-nographic", "-kernel"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(sleeper().display().to_string());
    args.extend(net);
    args
}

/// Runs rivet (and QEMU, if installed) on `options`, which must be
/// refused: rivet says `message` in one line and exits with status 1;
/// QEMU exits with status 1 too, its message holding `qemu_says`.
fn refused(options: &str, message: &str, qemu_says: &str) {
    let args = sleeper_args(tap_args(options));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = run_rivet(&refs, b"", STEP);
    assert_eq!(run.code, Some(1), "{options}: {run:?}");
    assert_eq!(run.stderr.trim(), message, "{options}");
    if Command::new("qemu-system-riscv64")
        .arg("-version")
        .output()
        .is_ok()
    {
        let mut command = Command::new("qemu-system-riscv64");
        command.args(&args);
        let run = run_command(command, b"", STEP);
        assert_eq!(run.code, Some(1), "QEMU, {options}: {run:?}");
        assert!(run.stderr.contains(qemu_says), "QEMU, {options}: {run:?}");
    }
}

#[test]
fn bad_fds_and_failing_scripts_are_refused_as_qemu_refuses_them() {
    if skip() {
        return;
    }
    refused(
        "fd=987",
        "rivet: -netdev tap: Can't use file descriptor 987: Bad file descriptor",
        "Can't use file descriptor 987: Bad file descriptor",
    );
    // Standard input, a pipe here: not a tap.
    refused(
        "fd=0",
        "rivet: -netdev tap: Unable to query TUNGETIFF on FD 0: Inappropriate ioctl for device",
        "Unable to query TUNGETIFF on FD 0: Inappropriate ioctl for device",
    );
    let name = ifname("f");
    let _cleanup = Cleanup(name.clone());
    refused(
        &format!("ifname={name},script=/bin/false,downscript=no"),
        "rivet: -netdev tap: network script /bin/false failed with exit status 1",
        "network script /bin/false failed",
    );
    let missing = "/nonexistent/rivet-ifup";
    refused(
        &format!("ifname={name},script={missing},downscript=no"),
        &format!("rivet: -netdev tap: network script {missing} failed: No such file or directory"),
        &format!("network script {missing} failed"),
    );
    // The failed start left no interface behind.
    assert!(link(&name).is_none());
}

#[test]
fn busy_and_invalid_interface_names_are_refused() {
    if skip() {
        return;
    }
    let name = ifname("b");
    let _cleanup = Cleanup(name.clone());
    let args = sleeper_args(tap_args(&format!("ifname={name},script=no,downscript=no")));
    let mut holder = Guest::start(&args);
    assert!(
        wait_for(STEP, || link(&name).is_some()),
        "the first rivet made no {name}"
    );
    refused(
        &format!("ifname={name},script=no,downscript=no"),
        &format!("rivet: -netdev tap: could not configure /dev/net/tun ({name}): Device or resource busy"),
        "Device or resource busy",
    );
    holder.signal("TERM");
    holder.wait_exit(STEP);
    refused(
        "ifname=bad/name,script=no,downscript=no",
        "rivet: -netdev tap: could not configure /dev/net/tun (bad/name): Invalid argument",
        "could not configure /dev/net/tun (bad/name): Invalid argument",
    );
    // The loopback is not a tap: the kernel refuses to attach to it.
    refused(
        "ifname=lo,script=no,downscript=no",
        "rivet: -netdev tap: could not configure /dev/net/tun (lo): Invalid argument",
        "Invalid argument",
    );
    // QEMU cuts a long name to 15 bytes and goes on; rivet refuses it
    // rather than make an interface of another name.
    let args = sleeper_args(tap_args(
        "ifname=averyveryverylongname0,script=no,downscript=no",
    ));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = run_rivet(&refs, b"", STEP);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stderr.trim(),
        "rivet: -netdev tap: ifname=averyveryverylongname0: an interface name is at most 15 bytes"
    );
}

/// Without CAP_NET_ADMIN (rivet run as `nobody`): one line, status 1.
#[test]
fn no_permission_is_one_line() {
    if skip() {
        return;
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        println!("skipped: setpriv (util-linux) is not installed");
        return;
    }
    let name = ifname("p");
    let _cleanup = Cleanup(name.clone());
    // A copy of the kernel that `nobody` can read wherever the checkout
    // is (a clone in a private `mktemp -d` folder is not reachable).
    use std::os::unix::fs::PermissionsExt;
    let public = std::env::temp_dir().join(format!("rivet-nobody-{}", std::process::id()));
    std::fs::create_dir_all(&public).expect("a folder in the temporary directory");
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o755)).unwrap();
    let kernel = public.join("tap-sleeper.bin");
    std::fs::copy(sleeper(), &kernel).unwrap();
    std::fs::set_permissions(&kernel, std::fs::Permissions::from_mode(0o644)).unwrap();
    let as_nobody = || {
        let mut command = Command::new("setpriv");
        command
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
            ])
            .arg(env!("CARGO_BIN_EXE_rivet"));
        command
    };
    let mut probe = as_nobody();
    probe.arg("-version");
    let version = run_command(probe, b"", STEP);
    if version.code != Some(0) || std::fs::File::open(&kernel).is_err() {
        println!("skipped: nobody cannot run the binary: {version:?}");
        let _ = std::fs::remove_dir_all(&public);
        return;
    }
    let mut command = as_nobody();
    command
        .args(["-M", "virt", "-bios", "none", "-nographic", "-kernel"])
        .arg(&kernel)
        .args(tap_args(&format!("ifname={name},script=no,downscript=no")));
    let run = run_command(command, b"", STEP);
    let _ = std::fs::remove_dir_all(&public);
    assert_eq!(run.code, Some(1), "{run:?}");
    // /dev/net/tun is usually 0666 (then TUNSETIFF needs the capability)
    // and sometimes 0600 (then opening it needs root).
    let mode = std::fs::metadata("/dev/net/tun")
        .expect("/dev/net/tun")
        .permissions()
        .mode();
    let expected = if mode & 0o006 == 0o006 {
        format!(
            "rivet: -netdev tap: could not configure /dev/net/tun ({name}): Operation not permitted"
        )
    } else {
        "rivet: -netdev tap: could not open /dev/net/tun: Permission denied".to_string()
    };
    assert_eq!(run.stderr.trim(), expected);
}

/// Opens `/dev/net/tun`, attaches it to the interface `$ARGV[0]` with the
/// `TUNSETIFF` flags `$ARGV[1]`, sets the virtio-net header length to
/// `$ARGV[2]` unless it is 0, and runs the rest of the arguments with
/// the file left open (each `{fd}` replaced by its number), as libvirt
/// hands a tap to QEMU. Perl is in every Debian (perl-base is essential).
const OPEN_TAP_AND_EXEC: &str = r#"
use Fcntl;
my ($name, $flags, $hdr, @command) = @ARGV;
sysopen(my $tun, "/dev/net/tun", O_RDWR) or die "open /dev/net/tun: $!";
# struct ifreq: the name, the flags, the rest of the union. TUNSETIFF is
# _IOW('T', 202, int).
my $req = pack("a16 s x22", $name, oct($flags));
ioctl($tun, 0x400454ca, $req) or die "TUNSETIFF: $!";
# TUNSETVNETHDRSZ is _IOW('T', 216, int).
!$hdr or ioctl($tun, 0x400454d8, pack("i", $hdr)) or die "TUNSETVNETHDRSZ: $!";
fcntl($tun, F_SETFD, 0) or die "fcntl: $!";
my $fd = fileno($tun);
exec(map { s/\{fd\}/$fd/gr } @command) or die "exec: $!";
"#;

/// `program args...` started with a tap `name` opened with `flags` and a
/// virtio-net header of `hdr` bytes (0: the default).
fn with_open_tap(name: &str, flags: &str, hdr: &str, program: &str, args: &[String]) -> Command {
    let mut command = Command::new("perl");
    command
        .args(["-e", OPEN_TAP_AND_EXEC, name, flags, hdr, program])
        .args(args);
    command
}

/// `fd=N`: a tap the caller opened, plain (IFF_TAP | IFF_NO_PI) or with
/// the virtio-net header (| IFF_VNET_HDR, as libvirt opens them; 10 bytes
/// by default, 12 with `num_buffers` if the opener said so), carries
/// the same scenario; on QEMU 7.2 too. A TUN file is refused by name
/// (QEMU takes it and mangles frames).
#[test]
fn fd_takes_a_tap_the_caller_opened() {
    if skip() {
        return;
    }
    if Command::new("perl").arg("-v").output().is_err() {
        println!("skipped: perl is not installed");
        return;
    }
    let rivet = env!("CARGO_BIN_EXE_rivet");
    for (tag, flags, hdr, subnet) in [
        ("p", "0x1002", "0", 44),
        ("v", "0x5002", "0", 45),
        ("m", "0x5002", "12", 47),
    ] {
        let name = ifname(tag);
        tap_scenario(&name, subnet, false, |args| {
            let args: Vec<String> = args
                .iter()
                .map(|a| a.replace(&format!("ifname={name},script=no,downscript=no"), "fd={fd}"))
                .collect();
            let guest = Guest::start_command(with_open_tap(&name, flags, hdr, rivet, &args));
            let pid = guest.pid();
            (guest, pid)
        });
    }
    if qemu_installed() {
        let name = ifname("w");
        tap_scenario(&name, 46, false, |args| {
            let args: Vec<String> = args
                .iter()
                .map(|a| a.replace(&format!("ifname={name},script=no,downscript=no"), "fd={fd}"))
                .collect();
            let command = with_open_tap(&name, "0x5002", "0", "qemu-system-riscv64", &args);
            let guest = Guest::start_command(command);
            let pid = guest.pid();
            (guest, pid)
        });
    }
    // (A tap opened without IFF_NO_PI is refused too, but Linux 6.18
    // reports IFF_NO_PI on such a file, so it cannot be shown here.)
    let name = ifname("x");
    let _cleanup = Cleanup(name.clone());
    let args = sleeper_args(tap_args("fd={fd}"));
    // IFF_TUN | IFF_NO_PI: an IP tunnel, not a tap.
    let run = run_command(with_open_tap(&name, "0x1001", "0", rivet, &args), b"", STEP);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.starts_with("rivet: -netdev tap: fd=")
            && run
                .stderr
                .ends_with(&format!(": {name} is a TUN (IP) interface, not a tap\n")),
        "{run:?}"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
}
