//! Steering the machine from its monitors: the run state (running or
//! paused), the requests every monitor makes of it (stop, cont, reset,
//! powerdown, quit) and the events that tell QMP clients what happened.
//!
//! [`Monitors`] holds the human monitor and the QMP monitors of a run and
//! serves them all the same way between slices of the guest: a command
//! sees the machine between instructions and never races it. A request
//! made on any monitor is carried out here, once, and its event sent to
//! every QMP client that finished capabilities negotiation, as QEMU 7.2
//! does (a `stop` typed on the human monitor gives a QMP client its STOP).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rivet_core::machine::ExitReason;
use rivet_devices::{VirtExit, VirtMachine, VirtStop};
use serde_json::{json, Value};

use crate::console::Output;
use crate::monitor::Monitor;
use crate::qmp::Qmp;

/// How long the guest runs between two looks at the monitors.
const SLICE: Duration = Duration::from_millis(20);

/// What a monitor command asks of the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// Pause the guest (`stop`).
    Stop,
    /// Let it run again (`cont`).
    Cont,
    /// Reset the machine (`system_reset`).
    Reset,
    /// Press the power button (`system_powerdown`).
    Powerdown,
    /// End rivet (`quit`).
    Quit,
}

/// Rung by monitor input threads when a command arrives, so a paused run
/// loop waits on all its monitors at once.
#[derive(Default)]
pub struct Doorbell {
    rung: Mutex<bool>,
    ring: Condvar,
}

impl Doorbell {
    /// Something arrived.
    pub(crate) fn ring(&self) {
        *self.rung.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.ring.notify_all();
    }

    /// Waits at most `timeout` for a ring.
    fn wait(&self, timeout: Duration) {
        let mut rung = self.rung.lock().unwrap_or_else(|e| e.into_inner());
        if !*rung {
            rung = self
                .ring
                .wait_timeout(rung, timeout)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *rung = false;
    }
}

/// Where a QMP monitor's events go: its output, once its client has
/// negotiated capabilities.
pub(crate) struct EventSink {
    pub(crate) out: Arc<Output>,
    pub(crate) negotiated: Arc<AtomicBool>,
    pub(crate) pretty: bool,
}

/// The state every monitor's commands share.
pub struct State {
    paused: bool,
    sinks: Vec<EventSink>,
}

impl State {
    /// Whether `stop` holds the guest.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Sends event `name` (with `data`, if any) to every negotiated QMP client.
    pub(crate) fn event(&self, name: &str, data: Option<Value>) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let mut event = json!({
            "timestamp": {"seconds": now.as_secs(), "microseconds": now.subsec_micros()},
            "event": name,
        });
        if let Some(data) = data {
            event["data"] = data;
        }
        for sink in &self.sinks {
            if sink.negotiated.load(Ordering::Relaxed) {
                sink.out
                    .push_text(&crate::qmp::to_text(&event, sink.pretty));
            }
        }
    }

    /// Carries out `request`, sending its event; returns how the run ends
    /// if it ends it. (Host requests all come from a monitor: QEMU 7.2
    /// names the reason `host-qmp-…` whichever monitor asked.)
    pub(crate) fn apply(&mut self, request: Request) -> Option<VirtExit> {
        match request {
            Request::Stop => {
                if !self.paused {
                    self.paused = true;
                    self.event("STOP", None);
                }
                None
            }
            Request::Cont => {
                if self.paused {
                    self.paused = false;
                    self.event("RESUME", None);
                }
                None
            }
            Request::Reset => {
                self.event(
                    "RESET",
                    Some(json!({"guest": false, "reason": "host-qmp-system-reset"})),
                );
                Some(ExitReason::Platform(VirtStop::Reset))
            }
            // QEMU 7.2's RISC-V virt board has no power button (no
            // powerdown notifier): the request reaches no device and the
            // guest runs on; the event is sent all the same. rivet's board
            // has none either.
            Request::Powerdown => {
                self.event("POWERDOWN", None);
                None
            }
            Request::Quit => {
                self.shutdown("host-qmp-quit");
                Some(ExitReason::Platform(VirtStop::Quit))
            }
        }
    }

    /// The SHUTDOWN event of a host request, for `reason`.
    fn shutdown(&self, reason: &str) {
        self.event("SHUTDOWN", Some(json!({"guest": false, "reason": reason})));
    }
}

/// The monitors of a run (human and QMP), served between slices.
pub struct Monitors {
    hmp: Option<Monitor>,
    qmp: Vec<Qmp>,
    state: State,
    bell: Arc<Doorbell>,
    /// Set by Ctrl-A x.
    quit: Arc<AtomicBool>,
    /// Set by the signal handlers.
    terminate: Arc<AtomicBool>,
    /// `--timeout`.
    deadline: Option<Instant>,
}

impl Monitors {
    /// The monitors `hmp` and `qmp`, woken by `bell`, ended by `quit`
    /// (Ctrl-A x), `terminate` (a signal) or `deadline`.
    pub(crate) fn new(
        hmp: Option<Monitor>,
        qmp: Vec<Qmp>,
        bell: Arc<Doorbell>,
        quit: Arc<AtomicBool>,
        terminate: Arc<AtomicBool>,
        deadline: Option<Instant>,
    ) -> Self {
        let sinks = qmp.iter().map(Qmp::sink).collect();
        Monitors {
            hmp,
            qmp,
            state: State {
                paused: false,
                sinks,
            },
            bell,
            quit,
            terminate,
            deadline,
        }
    }

    /// Whether there is any monitor.
    pub fn any(&self) -> bool {
        self.hmp.is_some() || !self.qmp.is_empty()
    }

    /// Runs `vm` (up to `limit` instructions) with the monitors' commands
    /// taken between slices, until the machine stops or a command ends
    /// or resets it.
    pub fn run(&mut self, vm: &mut VirtMachine, limit: Option<u64>) -> VirtExit {
        loop {
            if let Some(exit) = self.service(vm) {
                return exit;
            }
            if self.state.paused {
                self.idle();
                continue;
            }
            // While a monitor can still hear a command, the guest runs in
            // slices; once none can, to its end (a deadlock included).
            let until = self.live().then(|| Instant::now() + SLICE);
            if let Some(exit) = vm.machine.run_until(limit, until) {
                if exit == ExitReason::Platform(VirtStop::Reset) {
                    // The guest reset itself (the test finisher's 0x7777).
                    self.state.event(
                        "RESET",
                        Some(json!({"guest": true, "reason": "guest-reset"})),
                    );
                }
                return exit;
            }
        }
    }

    /// Whether any monitor can still hear a command.
    fn live(&self) -> bool {
        self.hmp.as_ref().is_some_and(Monitor::live) || self.qmp.iter().any(Qmp::live)
    }

    /// Runs the commands given since the last look; returns how the run
    /// ends if one ends it (`quit`, `system_reset`, Ctrl-A x, a signal,
    /// `--timeout`).
    pub fn service(&mut self, vm: &mut VirtMachine) -> Option<VirtExit> {
        if let Some(hmp) = &mut self.hmp {
            if let Some(exit) = hmp.service(vm, &mut self.state) {
                return Some(exit);
            }
        }
        for qmp in &mut self.qmp {
            if let Some(exit) = qmp.service(vm, &mut self.state) {
                return Some(exit);
            }
        }
        let signalled = self.terminate.load(Ordering::Relaxed);
        if self.quit.load(Ordering::Relaxed)
            || signalled
            || self.deadline.is_some_and(|d| Instant::now() >= d)
        {
            if signalled {
                self.state.shutdown("host-signal");
            } else if self.quit.load(Ordering::Relaxed) {
                // Ctrl-A x: QEMU 7.2 names it as a monitor's quit.
                self.state.shutdown("host-qmp-quit");
            }
            vm.machine.platform.flush();
            return Some(ExitReason::Platform(VirtStop::Quit));
        }
        None
    }

    /// Whether `stop` holds the guest.
    pub fn is_paused(&self) -> bool {
        self.state.paused
    }

    /// Waits (at most 100 ms, to notice signals) for a command.
    pub fn idle(&self) {
        self.bell.wait(Duration::from_millis(100));
    }
}
