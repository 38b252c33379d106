//! QEMU's user network (`-netdev user`), on libslirp.
//!
//! libslirp is a TCP/IP stack in user space: it answers the guest's
//! Ethernet frames as a little network would (a gateway at 10.0.2.2 that is
//! the host, a DNS forwarder at 10.0.2.3, a DHCP server handing out
//! 10.0.2.15 onwards on 10.0.2.0/24, as QEMU's defaults) and turns the
//! guest's TCP and UDP flows into ordinary host sockets. Host forwarding
//! rules (`hostfwd=`) make it listen on host ports and connect what comes
//! in to a guest port.
//!
//! [`UserNet`] is the [`NetBackend`] of a virtio-net device. The slirp
//! instance is not thread-safe and not `Send`, so it lives in a thread of
//! its own, which polls slirp's sockets and runs its timers; frames travel
//! between that thread and the device through bounded channels (a full
//! channel drops the frame, as a full network card ring does), and a guest
//! frame wakes the thread through a [`mio::Waker`], and a frame for the
//! guest ends the board's wait through the console's [`Waker`].
//!
//! The high-level `libslirp` crate wraps slirp's callbacks, input and
//! polling; the two forwarding calls it does not wrap are the only `unsafe`
//! calls of rivet-devices, in `add_hostfwd` and `add_guestfwd_command`,
//! each with its proof.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::ffi::CString;
use std::net::Ipv4Addr;
use std::os::raw::c_int;
use std::os::unix::io::RawFd;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use libslirp::{Context, Handler, PollEvents};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token, Waker as PollWaker};

use crate::console::Waker;
use crate::virtio::NetBackend;

/// The guest network (QEMU's `net=`): 10.0.2.0/24.
pub const NETWORK: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 0);
/// Its netmask.
pub const NETMASK: Ipv4Addr = Ipv4Addr::new(255, 255, 255, 0);
/// The gateway, which is the host (QEMU's `host=`).
pub const HOST: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);
/// The DNS forwarder (QEMU's `dns=`).
pub const DNS: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 3);
/// The first address the DHCP server hands out (QEMU's `dhcpstart=`).
pub const DHCP_START: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);

/// Frames waiting in each direction before more are dropped.
const CHANNEL_FRAMES: usize = 1024;

/// The longest the slirp thread sleeps without looking at its timers and
/// at whether it should stop.
const MAX_SLEEP: Duration = Duration::from_millis(500);

/// The token of the waker among the polled sockets (which use their fds).
const WAKE: Token = Token(usize::MAX);

/// A host forwarding rule (`hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostForward {
    /// UDP instead of TCP.
    pub udp: bool,
    /// The host address to listen on (unspecified: every address).
    pub host_addr: Ipv4Addr,
    /// The host port to listen on.
    pub host_port: u16,
    /// The guest address (unspecified: the first DHCP address, 10.0.2.15).
    pub guest_addr: Ipv4Addr,
    /// The guest port.
    pub guest_port: u16,
}

/// A guest forwarding rule to a command
/// (`guestfwd=[tcp]:server:port-cmd:command`): each connection the guest
/// makes to `server:port` is joined to the standard input and output of a
/// new run of `command` on the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestForward {
    /// The address on the guest network (unspecified: 10.0.2.4).
    pub server: Ipv4Addr,
    /// The port.
    pub port: u16,
    /// The host command line (run by libslirp through the shell's rules).
    pub command: String,
}

/// How to set up a user network (`-netdev user,...`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserNetConfig {
    /// `restrict=on`: the guest reaches nothing outside the virtual network
    /// (host forwarding still works).
    pub restrict: bool,
    /// The host forwarding rules.
    pub host_forwards: Vec<HostForward>,
    /// The guest forwarding rules.
    pub guest_forwards: Vec<GuestForward>,
}

/// The user network: a slirp instance in its own thread, as a
/// [`NetBackend`].
pub struct UserNet {
    to_slirp: SyncSender<Vec<u8>>,
    from_slirp: Receiver<Vec<u8>>,
    poll_waker: Arc<PollWaker>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for UserNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserNet").finish_non_exhaustive()
    }
}

impl UserNet {
    /// Starts the user network of `config`: its thread, its slirp
    /// instance and its host forwarding rules. A rule whose host port
    /// cannot be bound is an error, as in QEMU. `waker`, if given, is
    /// called whenever a frame for the guest arrives (to end the board's
    /// wait).
    pub fn start(config: &UserNetConfig, waker: Option<Waker>) -> Result<Self, String> {
        let poll = Poll::new().map_err(|e| format!("cannot create a poller: {e}"))?;
        let poll_waker = Arc::new(
            PollWaker::new(poll.registry(), WAKE)
                .map_err(|e| format!("cannot create a waker: {e}"))?,
        );
        let (to_slirp, guest_frames) = mpsc::sync_channel(CHANNEL_FRAMES);
        let (host_frames, from_slirp) = mpsc::sync_channel(CHANNEL_FRAMES);
        let (ready_tx, ready_rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let config = config.clone();
        let thread_stop = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("rivet-slirp".into())
            .spawn(move || {
                let state = Rc::new(RefCell::new(SlirpState::new(host_frames, waker)));
                // slirp may keep the guest forwarding command lines: they
                // are declared before the instance, so they are dropped
                // after it (locals drop in reverse order).
                let mut commands: Vec<CString> = Vec::new();
                let context = new_context(&config, Rc::clone(&state));
                for rule in &config.host_forwards {
                    if !add_hostfwd(&context, rule) {
                        let _ = ready_tx.send(Err(format!(
                            "could not set up host forwarding rule '{}' (is the host port in use?)",
                            describe(rule)
                        )));
                        return;
                    }
                }
                for rule in &config.guest_forwards {
                    match add_guestfwd_command(&context, rule) {
                        Some(command) => commands.push(command),
                        None => {
                            let _ = ready_tx.send(Err(format!(
                                "conflicting/invalid host:port in guest forwarding rule \
                                 '{}:{}-cmd:{}'",
                                rule.server, rule.port, rule.command
                            )));
                            return;
                        }
                    }
                }
                if ready_tx.send(Ok(())).is_err() {
                    return;
                }
                run(&context, &state, poll, &guest_frames, &thread_stop);
            })
            .map_err(|e| format!("cannot start the network thread: {e}"))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(UserNet {
                to_slirp,
                from_slirp,
                poll_waker,
                stop,
                thread: Some(thread),
            }),
            Ok(Err(message)) => {
                let _ = thread.join();
                Err(message)
            }
            Err(_) => {
                let _ = thread.join();
                Err("the network thread ended while starting".into())
            }
        }
    }
}

impl NetBackend for UserNet {
    fn send(&mut self, frame: &[u8]) {
        match self.to_slirp.try_send(frame.to_vec()) {
            // A full channel drops the frame; TCP resends it.
            Ok(()) | Err(TrySendError::Full(_)) => {}
            Err(TrySendError::Disconnected(_)) => return,
        }
        let _ = self.poll_waker.wake();
    }

    fn recv(&mut self) -> Option<Vec<u8>> {
        self.from_slirp.try_recv().ok()
    }
}

impl Drop for UserNet {
    /// Stops the thread and waits for it: its sockets (the host forwarding
    /// ports among them) are closed when this returns.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.poll_waker.wake();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `tcp:127.0.0.1:2222-:22`, as the rule is written (an unspecified
/// address left out).
fn describe(rule: &HostForward) -> String {
    let addr = |a: Ipv4Addr| {
        if a.is_unspecified() {
            String::new()
        } else {
            a.to_string()
        }
    };
    format!(
        "{}:{}:{}-{}:{}",
        if rule.udp { "udp" } else { "tcp" },
        addr(rule.host_addr),
        rule.host_port,
        addr(rule.guest_addr),
        rule.guest_port
    )
}

/// A slirp timer: when it is due, and what to run then.
struct TimerInner {
    /// The expiry in milliseconds of [`SlirpState::clock_ms`], if armed.
    expire_ms: Cell<Option<i64>>,
    /// slirp's callback (it may re-arm this timer while it runs).
    func: RefCell<Box<dyn FnMut()>>,
}

/// The handle slirp keeps for a timer.
pub struct Timer(Rc<TimerInner>);

/// What the slirp callbacks reach: the channel to the device, the timers
/// and the clock.
struct SlirpState {
    to_device: SyncSender<Vec<u8>>,
    waker: Option<Waker>,
    timers: Vec<Weak<TimerInner>>,
    start: Instant,
}

impl SlirpState {
    fn new(to_device: SyncSender<Vec<u8>>, waker: Option<Waker>) -> Self {
        SlirpState {
            to_device,
            waker,
            timers: Vec::new(),
            start: Instant::now(),
        }
    }

    fn clock_ns(&self) -> i64 {
        i64::try_from(self.start.elapsed().as_nanos()).unwrap_or(i64::MAX)
    }

    fn clock_ms(&self) -> i64 {
        self.clock_ns() / 1_000_000
    }
}

impl Handler for SlirpState {
    type Timer = Timer;

    fn clock_get_ns(&mut self) -> i64 {
        self.clock_ns()
    }

    /// A frame for the guest; dropped if the device's channel is full.
    fn send_packet(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.to_device.try_send(buf.to_vec()).is_ok() {
            if let Some(wake) = &self.waker {
                wake();
            }
        }
        Ok(buf.len())
    }

    fn register_poll_fd(&mut self, _fd: RawFd) {}

    fn unregister_poll_fd(&mut self, _fd: RawFd) {}

    fn guest_error(&mut self, _msg: &str) {}

    fn notify(&mut self) {}

    fn timer_new(&mut self, func: Box<dyn FnMut()>) -> Box<Timer> {
        let inner = Rc::new(TimerInner {
            expire_ms: Cell::new(None),
            func: RefCell::new(func),
        });
        self.timers.retain(|t| t.strong_count() > 0);
        self.timers.push(Rc::downgrade(&inner));
        Box::new(Timer(inner))
    }

    fn timer_mod(&mut self, timer: &mut Box<Timer>, expire_time: i64) {
        timer.0.expire_ms.set(Some(expire_time));
    }

    fn timer_free(&mut self, timer: Box<Timer>) {
        timer.0.expire_ms.set(None);
        drop(timer);
    }
}

/// A slirp instance with QEMU's default addresses.
fn new_context(
    config: &UserNetConfig,
    state: Rc<RefCell<SlirpState>>,
) -> Context<Rc<RefCell<SlirpState>>> {
    Context::new(
        config.restrict,
        true,
        NETWORK,
        NETMASK,
        HOST,
        // IPv6 as QEMU's defaults: fec0::/64, host fec0::2, DNS fec0::3.
        true,
        "fec0::".parse().unwrap_or(std::net::Ipv6Addr::UNSPECIFIED),
        64,
        "fec0::2".parse().unwrap_or(std::net::Ipv6Addr::UNSPECIFIED),
        None,
        None,
        None,
        None,
        DHCP_START,
        DNS,
        "fec0::3".parse().unwrap_or(std::net::Ipv6Addr::UNSPECIFIED),
        Vec::new(),
        None,
        state,
    )
}

/// Adds a host forwarding rule; false if slirp refused it (the host port
/// could not be bound).
fn add_hostfwd(context: &Context<Rc<RefCell<SlirpState>>>, rule: &HostForward) -> bool {
    // SAFETY: `context.inner.context` is the `Slirp *` that `Context::new`
    // got from `slirp_init` and asserted non-null; it stays valid until
    // `context` is dropped (its `Drop` calls `slirp_cleanup`), which the
    // shared borrow rules out for the length of this call. The call runs on
    // the thread that owns the instance (`Context` is not `Send`), takes
    // its other arguments by value, and keeps no pointer we pass.
    let status = unsafe {
        libslirp_sys::slirp_add_hostfwd(
            context.inner.context,
            c_int::from(rule.udp),
            rule.host_addr.into(),
            c_int::from(rule.host_port),
            rule.guest_addr.into(),
            c_int::from(rule.guest_port),
        )
    };
    status == 0
}

/// Adds a guest forwarding rule to a command; the command line, which must
/// outlive the slirp instance, or `None` if slirp refused the rule (an
/// address outside the guest network, or the gateway's or DNS's) or the
/// command holds a NUL byte.
fn add_guestfwd_command(
    context: &Context<Rc<RefCell<SlirpState>>>,
    rule: &GuestForward,
) -> Option<CString> {
    let command = CString::new(rule.command.as_str()).ok()?;
    let mut server: libslirp_sys::in_addr = rule.server.into();
    // SAFETY: `context.inner.context` is the live `Slirp *`, as in
    // `add_hostfwd` (same thread, not freed while `context` is borrowed).
    // `command` is a NUL-terminated string; the caller keeps it alive until
    // after the instance is cleaned up, so it is valid for as long as slirp
    // may read it whether or not slirp copies it. `server` is a valid,
    // exclusively borrowed `in_addr` that slirp may read and write during
    // the call only.
    let status = unsafe {
        libslirp_sys::slirp_add_exec(
            context.inner.context,
            command.as_ptr(),
            &mut server,
            c_int::from(rule.port),
        )
    };
    (status == 0).then_some(command)
}

/// The slirp thread: feeds the guest's frames to slirp, runs due timers,
/// and polls slirp's sockets until told to stop.
fn run(
    context: &Context<Rc<RefCell<SlirpState>>>,
    state: &Rc<RefCell<SlirpState>>,
    mut poll: Poll,
    guest_frames: &Receiver<Vec<u8>>,
    stop: &AtomicBool,
) {
    let mut events = Events::with_capacity(64);
    while !stop.load(Ordering::Relaxed) {
        while let Ok(frame) = guest_frames.try_recv() {
            context.input(&frame);
        }
        let next_timer = fire_due_timers(state);
        // slirp lowers the timeout to what its own work needs.
        let mut timeout_ms = u32::try_from(MAX_SLEEP.as_millis()).unwrap_or(u32::MAX);
        if let Some(ms) = next_timer {
            timeout_ms = timeout_ms.min(u32::try_from(ms.max(0)).unwrap_or(u32::MAX));
        }
        let mut fds: Vec<(RawFd, PollEvents)> = Vec::new();
        context.pollfds_fill(&mut timeout_ms, |fd, wanted| {
            fds.push((fd, wanted));
            i32::try_from(fds.len() - 1).unwrap_or(-1)
        });
        let revents = wait_for_sockets(
            &mut poll,
            &mut events,
            &fds,
            Duration::from_millis(u64::from(timeout_ms)),
        );
        context.pollfds_poll(revents.is_none(), |index| {
            revents
                .as_ref()
                .and_then(|r| r.get(usize::try_from(index).ok()?).copied())
                .unwrap_or_else(PollEvents::empty)
        });
    }
}

/// Runs the timers that are due; returns the milliseconds until the next.
fn fire_due_timers(state: &Rc<RefCell<SlirpState>>) -> Option<i64> {
    let (now, due): (i64, Vec<Rc<TimerInner>>) = {
        let state = state.borrow();
        let now = state.clock_ms();
        let due = state
            .timers
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|t| t.expire_ms.get().is_some_and(|e| e <= now))
            .collect();
        (now, due)
    };
    for timer in due {
        // An earlier callback may have freed this timer (slirp dropped its
        // handle: only ours is left) or moved it: then it must not run.
        let still_due = timer.expire_ms.get().is_some_and(|e| e <= now);
        if Rc::strong_count(&timer) < 2 || !still_due {
            continue;
        }
        timer.expire_ms.set(None);
        // The callback may call back into the handler (re-arm a timer,
        // send a frame): no borrow of the state is held here.
        if let Ok(mut func) = timer.func.try_borrow_mut() {
            func();
        }
    }
    let state = state.borrow();
    state
        .timers
        .iter()
        .filter_map(Weak::upgrade)
        .filter_map(|t| t.expire_ms.get())
        .min()
        .map(|e| (e - now).max(0))
}

/// Waits until one of `fds` is ready, the waker wakes, or `timeout`
/// passes; the events of each of `fds` (in slirp's terms), or `None` if
/// the poll itself failed.
///
/// The sockets change from one round to the next, so each round registers
/// them and deregisters them after: a socket that is already ready when
/// registered is reported at once, which makes mio's edge-triggered
/// readiness level-triggered, as slirp expects.
fn wait_for_sockets(
    poll: &mut Poll,
    events: &mut Events,
    fds: &[(RawFd, PollEvents)],
    timeout: Duration,
) -> Option<Vec<PollEvents>> {
    let mut interests: BTreeMap<RawFd, Interest> = BTreeMap::new();
    for &(fd, wanted) in fds {
        let mut interest = None::<Interest>;
        if wanted.has_in() || wanted.has_pri() {
            interest = Some(Interest::READABLE);
        }
        if wanted.has_out() {
            interest = Some(interest.map_or(Interest::WRITABLE, |i| i | Interest::WRITABLE));
        }
        if let Some(interest) = interest {
            interests
                .entry(fd)
                .and_modify(|i| *i |= interest)
                .or_insert(interest);
        }
    }
    let registry = poll.registry();
    let mut registered = Vec::new();
    for (&fd, &interest) in &interests {
        let Ok(token) = usize::try_from(fd) else {
            continue;
        };
        if registry
            .register(&mut SourceFd(&fd), Token(token), interest)
            .is_ok()
        {
            registered.push(fd);
        }
    }
    let result = poll.poll(events, Some(timeout));
    let mut ready: BTreeMap<RawFd, PollEvents> = BTreeMap::new();
    if result.is_ok() {
        for event in events.iter() {
            if event.token() == WAKE {
                continue;
            }
            let Ok(fd) = RawFd::try_from(event.token().0) else {
                continue;
            };
            let mut got = PollEvents::empty();
            if event.is_readable() || event.is_read_closed() {
                got |= PollEvents::poll_in();
            }
            if event.is_priority() {
                got |= PollEvents::poll_pri();
            }
            if event.is_writable() {
                got |= PollEvents::poll_out();
            }
            if event.is_error() {
                got |= PollEvents::poll_err();
            }
            if event.is_read_closed() && event.is_write_closed() {
                got |= PollEvents::poll_hup();
            }
            *ready.entry(fd).or_insert_with(PollEvents::empty) |= got;
        }
    }
    for fd in registered {
        let _ = poll.registry().deregister(&mut SourceFd(&fd));
    }
    result.ok()?;
    Some(
        fds.iter()
            .map(|&(fd, wanted)| {
                let got = ready.get(&fd).copied().unwrap_or_else(PollEvents::empty);
                // Report what slirp asked for, plus errors and hang-ups.
                got & (wanted | PollEvents::poll_err() | PollEvents::poll_hup())
            })
            .collect(),
    )
}
