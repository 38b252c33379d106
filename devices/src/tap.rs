//! QEMU's tap network (`-netdev tap`), on Linux's TUN/TAP driver.
//!
//! A tap is a host network interface whose other end is a file: each
//! `write` to the file is an Ethernet frame arriving on the interface, each
//! frame the host sends out of the interface is one `read`
//! (Documentation/networking/tuntap.rst). [`Tap::open`] opens
//! `/dev/net/tun` and attaches it to a tap interface with `TUNSETIFF`
//! (the name given, or the kernel's next `tap%d`), or takes a tap file
//! the caller already opened (`fd=N`, as libvirt passes it); then, as
//! QEMU does, runs the set-up script (default `/etc/qemu-ifup`) with the
//! interface's name, and the tear-down script (default `/etc/qemu-ifdown`)
//! when the tap is dropped.
//!
//! The interface is opened with `IFF_TAP | IFF_NO_PI` and without
//! `IFF_VNET_HDR`: rivet's virtio-net offers no checksum or segmentation
//! offloads, so plain frames carry everything (QEMU asks for the header to
//! pass offloads through). A tap file passed with `fd=` that has the header
//! on gets an all-zero header (of the length `TUNGETVNETHDRSZ` reports) on
//! each frame written and has it stripped from each frame read (no
//! offloads are enabled on it, so the host sends no requests in it).
//!
//! [`Tap`] is the [`NetBackend`](crate::virtio::NetBackend) of a
//! virtio-net device. Frames from the guest are written to the
//! non-blocking file at once (a full queue drops the frame, as a network
//! card does); a thread waits on the file with [`mio`] and passes the
//! frames it reads to the device through a bounded channel, ending the
//! board's wait through the console's [`Waker`](crate::console::Waker), as
//! the user network's thread does. If the interface is deleted while the
//! guest runs, reads fail (`EBADFD`): the thread stops, the guest goes on
//! and its card hears nothing more, as in QEMU 7.2 (which then keeps
//! polling the dead file, at a third of a host core or more).
//!
//! The two ioctls and the `fcntl` that duplicates an `fd=` are the only
//! `unsafe` code here, each with its proof; no crate wraps them well
//! enough to use (the comment on `IfReq` says why).

use std::path::PathBuf;

/// QEMU's default set-up script.
pub const DEFAULT_SCRIPT: &str = "/etc/qemu-ifup";
/// QEMU's default tear-down script.
pub const DEFAULT_DOWNSCRIPT: &str = "/etc/qemu-ifdown";

/// How to set up a tap network (`-netdev tap,...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TapConfig {
    /// `ifname=`: the interface to create or attach to; `None` lets the
    /// kernel name it (`tap0`, `tap1`, ...).
    pub ifname: Option<String>,
    /// `script=`: run with the interface's name once it exists; `None`
    /// for `script=no`.
    pub script: Option<PathBuf>,
    /// `downscript=`: run with the interface's name when rivet ends;
    /// `None` for `downscript=no`.
    pub downscript: Option<PathBuf>,
    /// `fd=`: an already-open tap file (the other fields are then unused:
    /// no interface is created and no script runs).
    pub fd: Option<i32>,
}

impl Default for TapConfig {
    /// QEMU's defaults: a kernel-named interface and the default scripts.
    fn default() -> Self {
        TapConfig {
            ifname: None,
            script: Some(PathBuf::from(DEFAULT_SCRIPT)),
            downscript: Some(PathBuf::from(DEFAULT_DOWNSCRIPT)),
            fd: None,
        }
    }
}

#[cfg(target_os = "linux")]
pub use linux::Tap;

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::io::{ErrorKind, Read, Write};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::{self, Receiver, SyncSender};
    use std::sync::Arc;
    use std::thread::JoinHandle;

    use mio::unix::SourceFd;
    use mio::{Events, Interest, Poll, Token, Waker as PollWaker};

    use super::TapConfig;
    use crate::console::Waker;
    use crate::virtio::NetBackend;

    /// Frames read from the tap waiting for the device before more are
    /// dropped.
    const CHANNEL_FRAMES: usize = 1024;

    /// The largest virtio-net header a tap passed with `fd=` may carry
    /// (`TUNSETVNETHDRSZ` takes 10, 12 or more; 10 is the default).
    const MAX_VNET_HDR_LEN: usize = 64;

    /// The largest read: a 64 KiB frame and its header.
    const READ_BUFFER: usize = 65_536 + MAX_VNET_HDR_LEN;

    /// The `TUNSETIFF` flags: a tap (Ethernet frames), no packet
    /// information prefix. 0x1002 fits `ifr_flags`, a `short`.
    const TAP_FLAGS: libc::c_short = {
        let flags = libc::IFF_TAP | libc::IFF_NO_PI;
        assert!(flags > 0 && flags <= libc::c_short::MAX as libc::c_int);
        #[allow(clippy::cast_possible_truncation)] // in range: checked above
        let short = flags as libc::c_short;
        short
    };

    /// The token of the tap file in the reader's poll.
    const TAP: Token = Token(0);
    /// The token of the waker that stops the reader.
    const STOP: Token = Token(1);

    /// `struct ifreq` as `TUNSETIFF` and `TUNGETIFF` read and write it
    /// (linux/if.h): the interface name, then a 24-byte union of which
    /// these ioctls use only `ifr_flags`, a `short` at its start.
    ///
    /// Declared here rather than taken from `libc::ifreq` so the flags are
    /// a plain field, not a union member whose read would be `unsafe`.
    /// The crates that wrap TUN/TAP did not fit: `tun` (WTFPL licence,
    /// configures addresses and MTU itself, pulls in `log` and `bytes`),
    /// `tidy-tuntap` (bindgen at build time, `futures` always, nix 0.25,
    /// last released 2022), `tun-tap` (a C helper built with `cc`, last
    /// released 2020).
    #[repr(C)]
    struct IfReq {
        name: [u8; libc::IFNAMSIZ],
        flags: libc::c_short,
        _rest: [u8; 22],
    }

    // The layout above is the kernel's: same size as libc's `ifreq`.
    const _: () = assert!(std::mem::size_of::<IfReq>() == std::mem::size_of::<libc::ifreq>());

    impl IfReq {
        fn new(name: &str, flags: libc::c_short) -> Self {
            let mut req = IfReq {
                name: [0; libc::IFNAMSIZ],
                flags,
                _rest: [0; 22],
            };
            req.name[..name.len()].copy_from_slice(name.as_bytes());
            req
        }

        /// The name, up to its NUL.
        fn name(&self) -> String {
            let end = self.name.iter().position(|&b| b == 0).unwrap_or(0);
            String::from_utf8_lossy(&self.name[..end]).into_owned()
        }
    }

    /// A tap interface, as a [`NetBackend`].
    pub struct Tap {
        file: Arc<File>,
        ifname: String,
        /// The length of the virtio-net header before each frame: 0 unless
        /// the tap has `IFF_VNET_HDR`.
        vnet_hdr: usize,
        /// A frame with its header, for a tap with `IFF_VNET_HDR` (reused).
        out: Vec<u8>,
        from_tap: Receiver<Vec<u8>>,
        stop: Arc<AtomicBool>,
        poll_waker: Arc<PollWaker>,
        thread: Option<JoinHandle<()>>,
        downscript: Option<PathBuf>,
    }

    impl std::fmt::Debug for Tap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Tap")
                .field("ifname", &self.ifname)
                .field("vnet_hdr", &self.vnet_hdr)
                .finish_non_exhaustive()
        }
    }

    impl Tap {
        /// Opens the tap of `config` (creating or attaching to its
        /// interface, or taking its `fd=`), runs its set-up script, and
        /// starts reading frames. `waker`, if given, is called whenever a
        /// frame for the guest arrives (to end the board's wait). The
        /// errors are one line each, as QEMU words them where it can.
        pub fn open(config: &TapConfig, waker: Option<Waker>) -> Result<Self, String> {
            let (fd, ifname, vnet_hdr) = match config.fd {
                Some(fd) => adopt_fd(fd)?,
                None => {
                    let (fd, name) = create(config.ifname.as_deref())?;
                    (fd, name, 0)
                }
            };
            let file = Arc::new(File::from(fd));
            if config.fd.is_none() {
                if let Some(script) = &config.script {
                    run_script(script, &ifname)?;
                }
            }
            let poll = Poll::new().map_err(|e| format!("cannot create a poller: {e}"))?;
            let poll_waker = Arc::new(
                PollWaker::new(poll.registry(), STOP)
                    .map_err(|e| format!("cannot create a waker: {e}"))?,
            );
            poll.registry()
                .register(&mut SourceFd(&file.as_raw_fd()), TAP, Interest::READABLE)
                .map_err(|e| format!("cannot poll the tap {ifname}: {e}"))?;
            let (to_device, from_tap) = mpsc::sync_channel(CHANNEL_FRAMES);
            let stop = Arc::new(AtomicBool::new(false));
            let reader = Reader {
                file: Arc::clone(&file),
                vnet_hdr,
                to_device,
                waker,
                stop: Arc::clone(&stop),
            };
            let thread = std::thread::Builder::new()
                .name("rivet-tap".into())
                .spawn(move || reader.run(poll))
                .map_err(|e| format!("cannot start the tap thread: {e}"))?;
            Ok(Tap {
                file,
                ifname,
                vnet_hdr,
                out: Vec::new(),
                from_tap,
                stop,
                poll_waker,
                thread: Some(thread),
                downscript: config.downscript.clone().filter(|_| config.fd.is_none()),
            })
        }

        /// The interface's name.
        pub fn ifname(&self) -> &str {
            &self.ifname
        }
    }

    impl NetBackend for Tap {
        fn send(&mut self, frame: &[u8]) {
            let bytes = if self.vnet_hdr > 0 {
                self.out.clear();
                self.out.resize(self.vnet_hdr, 0);
                self.out.extend_from_slice(frame);
                &self.out[..]
            } else {
                frame
            };
            // A full queue (EAGAIN) drops the frame, as does an interface
            // that is down (EIO) or gone (EBADFD): TCP resends.
            let _ = (&*self.file).write(bytes);
        }

        fn recv(&mut self) -> Option<Vec<u8>> {
            self.from_tap.try_recv().ok()
        }
    }

    impl Drop for Tap {
        /// Stops the reader, runs the tear-down script while the interface
        /// still exists (as QEMU does), then closes the file, which
        /// removes an interface that is not persistent. A failing script
        /// is reported on stderr: the emulator is ending anyway.
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            let _ = self.poll_waker.wake();
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
            if let Some(script) = &self.downscript {
                if let Err(e) = run_script(script, &self.ifname) {
                    eprintln!("rivet: -netdev tap: {e}");
                }
            }
        }
    }

    /// The reader thread's state.
    struct Reader {
        file: Arc<File>,
        vnet_hdr: usize,
        to_device: SyncSender<Vec<u8>>,
        waker: Option<Waker>,
        stop: Arc<AtomicBool>,
    }

    impl Reader {
        /// Waits for frames on the tap and passes them on until told to
        /// stop or the tap fails.
        fn run(self, mut poll: Poll) {
            let mut events = Events::with_capacity(4);
            let mut buf = vec![0u8; READ_BUFFER];
            let skip = self.vnet_hdr;
            while !self.stop.load(Ordering::Relaxed) {
                if let Err(e) = poll.poll(&mut events, None) {
                    if e.kind() == ErrorKind::Interrupted {
                        continue;
                    }
                    return;
                }
                // The registration is edge-triggered: read until the file
                // is empty.
                loop {
                    if self.stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match (&*self.file).read(&mut buf) {
                        Ok(n) if n > skip => {
                            if self.to_device.try_send(buf[skip..n].to_vec()).is_ok() {
                                if let Some(wake) = &self.waker {
                                    wake();
                                }
                            }
                        }
                        Ok(_) => {}
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        // The interface was deleted (EBADFD) or the file
                        // failed: nothing more will come.
                        Err(_) => return,
                    }
                }
            }
        }
    }

    /// Opens `/dev/net/tun` and attaches it to the tap `ifname` (created if
    /// it does not exist), or to a new `tap%d`; the file and the name.
    fn create(ifname: Option<&str>) -> Result<(OwnedFd, String), String> {
        let wanted = ifname.unwrap_or("");
        if wanted.len() >= libc::IFNAMSIZ || wanted.contains('\0') {
            return Err(format!(
                "ifname={wanted}: an interface name is at most {} bytes",
                libc::IFNAMSIZ - 1
            ));
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open("/dev/net/tun")
            .map_err(|e| format!("could not open /dev/net/tun: {}", os_message(&e)))?;
        let fd = OwnedFd::from(file);
        let mut req = IfReq::new(wanted, TAP_FLAGS);
        // SAFETY: `fd` is an open file we own for the length of the call.
        // TUNSETIFF reads and writes a `struct ifreq` (40 bytes on 64-bit
        // Linux, 32 on 32-bit: `IfReq` has the kernel's layout and the size
        // of libc's `ifreq`, checked at compile time) through the pointer,
        // which is valid, aligned and exclusively borrowed for the call;
        // the name it reads is NUL-terminated (at most IFNAMSIZ - 1 bytes
        // were copied into a zeroed array). The kernel keeps no pointer.
        let status = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TUNSETIFF, &mut req) };
        if status < 0 {
            let e = std::io::Error::last_os_error();
            return Err(format!(
                "could not configure /dev/net/tun ({wanted}): {}",
                os_message(&e)
            ));
        }
        Ok((fd, req.name()))
    }

    /// Takes a duplicate of the tap file `fd` the caller opened (`fd=N`):
    /// the file, its interface's name and the length of the virtio-net
    /// header its frames carry (0 without `IFF_VNET_HDR`).
    /// A file that is not a tap, or one with `IFF_NO_PI` off (its frames
    /// would carry a packet-information prefix) is refused.
    fn adopt_fd(fd: i32) -> Result<(OwnedFd, String, usize), String> {
        // SAFETY: fcntl(F_DUPFD_CLOEXEC) takes any integer: the kernel
        // checks that it names an open file (EBADF if not) and touches no
        // memory of ours. On success the new descriptor is ours alone, so
        // wrapping it in an `OwnedFd`, which closes it once, is sound; the
        // caller's `fd` is left as it was.
        let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
        if dup < 0 {
            let e = std::io::Error::last_os_error();
            return Err(format!(
                "Can't use file descriptor {fd}: {}",
                os_message(&e)
            ));
        }
        // SAFETY: see above: `dup` is a new, open descriptor owned by no
        // one else.
        let owned = unsafe { OwnedFd::from_raw_fd(dup) };
        let mut req = IfReq::new("", 0);
        // SAFETY: `owned` is open for the call. TUNGETIFF writes a `struct
        // ifreq` (the interface's name and flags) through the pointer,
        // which is valid, aligned, exclusively borrowed and of the kernel's
        // layout (see `create`); on a file that is not a tun/tap it fails
        // with ENOTTY or EBADFD and writes nothing. The kernel keeps no
        // pointer.
        let status = unsafe { libc::ioctl(owned.as_raw_fd(), libc::TUNGETIFF, &mut req) };
        if status < 0 {
            let e = std::io::Error::last_os_error();
            return Err(format!(
                "Unable to query TUNGETIFF on FD {fd}: {}",
                os_message(&e)
            ));
        }
        let flags = i32::from(req.flags);
        if flags & libc::IFF_TAP == 0 {
            return Err(format!(
                "fd={fd}: {} is a TUN (IP) interface, not a tap",
                req.name()
            ));
        }
        if flags & libc::IFF_NO_PI == 0 {
            return Err(format!(
                "fd={fd}: the tap {} was opened without IFF_NO_PI (rivet, as QEMU, \
                 reads plain frames)",
                req.name()
            ));
        }
        let vnet_hdr = if flags & libc::IFF_VNET_HDR != 0 {
            vnet_hdr_len(&owned).map_err(|e| format!("fd={fd}: {e}"))?
        } else {
            0
        };
        let file = File::from(owned);
        set_nonblocking(&file).map_err(|e| format!("fd={fd}: {}", os_message(&e)))?;
        Ok((OwnedFd::from(file), req.name(), vnet_hdr))
    }

    /// The virtio-net header length of a tap with `IFF_VNET_HDR`
    /// (`TUNGETVNETHDRSZ`), which its opener may have changed from 10.
    fn vnet_hdr_len(tap: &OwnedFd) -> Result<usize, String> {
        let mut len: libc::c_int = 0;
        // SAFETY: `tap` is open for the call. TUNGETVNETHDRSZ writes one
        // `int` through the pointer, which is valid, aligned and
        // exclusively borrowed for the call; the kernel keeps no pointer.
        let status = unsafe { libc::ioctl(tap.as_raw_fd(), libc::TUNGETVNETHDRSZ, &mut len) };
        if status < 0 {
            let e = std::io::Error::last_os_error();
            return Err(format!("TUNGETVNETHDRSZ: {}", os_message(&e)));
        }
        usize::try_from(len)
            .ok()
            .filter(|&n| (10..=MAX_VNET_HDR_LEN).contains(&n))
            .ok_or_else(|| format!("a virtio-net header of {len} bytes is not supported"))
    }

    /// Makes `file` non-blocking (`fcntl` through rustix's safe wrappers).
    fn set_nonblocking(file: &File) -> std::io::Result<()> {
        let flags = rustix::fs::fcntl_getfl(file)?;
        rustix::fs::fcntl_setfl(file, flags | rustix::fs::OFlags::NONBLOCK)?;
        Ok(())
    }

    /// Runs a network script with the interface's name as its argument and
    /// waits for it; an error unless it exits with status 0.
    fn run_script(script: &Path, ifname: &str) -> Result<(), String> {
        let status = std::process::Command::new(script)
            .arg(ifname)
            .stdin(std::process::Stdio::null())
            .status()
            .map_err(|e| {
                format!(
                    "network script {} failed: {}",
                    script.display(),
                    os_message(&e)
                )
            })?;
        if status.success() {
            return Ok(());
        }
        Err(match status.code() {
            Some(code) => format!(
                "network script {} failed with exit status {code}",
                script.display()
            ),
            None => format!("network script {} failed: {status}", script.display()),
        })
    }

    /// An OS error as `strerror` words it, without Rust's "(os error N)".
    fn os_message(e: &std::io::Error) -> String {
        let text = e.to_string();
        match text.find(" (os error") {
            Some(i) => text[..i].to_string(),
            None => text,
        }
    }
}

/// Tap interfaces are Linux's: elsewhere there is none, and
/// [`Tap::open`] says so.
#[cfg(not(target_os = "linux"))]
#[derive(Debug)]
pub enum Tap {}

#[cfg(not(target_os = "linux"))]
impl Tap {
    /// Always an error: tap interfaces need Linux's TUN/TAP driver.
    pub fn open(
        _config: &TapConfig,
        _waker: Option<crate::console::Waker>,
    ) -> Result<Self, String> {
        Err("tap interfaces need Linux's TUN/TAP driver".into())
    }
}

#[cfg(not(target_os = "linux"))]
impl crate::virtio::NetBackend for Tap {
    fn send(&mut self, _frame: &[u8]) {
        match *self {}
    }

    fn recv(&mut self) -> Option<Vec<u8>> {
        match *self {}
    }
}
