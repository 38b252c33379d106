//! The machine as a `gdbstub` target: every hart a thread, all-stop.
//!
//! When GDB resumes, every hart runs (round-robin, as always) until one
//! stops at a breakpoint or watchpoint, the guest ends, or GDB interrupts;
//! then they all stop. A single step moves only the stepped hart, with
//! its interrupts held off (as QEMU's gdbstub does by default), so that
//! `stepi` lands on the next instruction rather than in a trap handler.

use std::collections::BTreeSet;
use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use gdbstub::common::{Pid, Signal, Tid};
use gdbstub::stub::MultiThreadStopReason;
use gdbstub::target::ext::base::multithread::{
    MultiThreadBase, MultiThreadResume, MultiThreadResumeOps, MultiThreadSchedulerLocking,
    MultiThreadSchedulerLockingOps, MultiThreadSingleStep, MultiThreadSingleStepOps,
};
use gdbstub::target::ext::base::single_register_access::{
    SingleRegisterAccess, SingleRegisterAccessOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, BreakpointsOps, HwBreakpoint, HwBreakpointOps, HwWatchpoint, HwWatchpointOps,
    SwBreakpoint, SwBreakpointOps, WatchKind as GdbWatchKind,
};
use gdbstub::target::ext::extended_mode::{
    Args, AttachKind, ExtendedMode, ExtendedModeOps, ShouldTerminate,
};
use gdbstub::target::ext::monitor_cmd::{ConsoleOutput, MonitorCmdOps};
use gdbstub::target::ext::target_description_xml_override::{
    TargetDescriptionXmlOverride, TargetDescriptionXmlOverrideOps,
};
use gdbstub::target::ext::thread_extra_info::{ThreadExtraInfo, ThreadExtraInfoOps};
use gdbstub::target::{Target, TargetError, TargetResult};
use rivet_core::debug::{DebugEvent, WatchKind, Watchpoint};
use rivet_core::machine::ExitReason;
use rivet_core::{CsrError, FReg, Hart, PhysAddr, Privilege, XReg};
use rivet_devices::{VirtExit, VirtMachine, VirtStop};

use super::arch::{self, CoreRegs, Reg, Riscv64};
use crate::run::RunError;

/// How long the machine runs between looks at the GDB connection (for
/// Ctrl-C): short enough to feel instant, long enough to cost nothing.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// The most breakpoints and watchpoints a client may set: far more than a
/// person does, few enough that a hostile client cannot eat the host's
/// memory (each is kept per hart).
const MAX_BREAKPOINTS: usize = 65_536;
const MAX_WATCHPOINTS: usize = 1024;

/// Builds a fresh machine in place of one the guest reset, with the
/// instruction limit that is left for it.
pub type Rebuild<'r> = dyn FnMut(VirtMachine) -> Result<(VirtMachine, Option<u64>), RunError> + 'r;

/// A machine under a debugger's control.
pub struct DebugTarget<'r> {
    vm: Option<VirtMachine>,
    rebuild: &'r mut Rebuild<'r>,
    /// Instructions the current machine may still retire (`--max-instructions`).
    limit: Option<u64>,
    /// The hart GDB asked to step on the next resume, if any.
    step: Option<usize>,
    /// GDB resumes only the threads it names (`vCont;c:1`, scheduler
    /// locking): those are `continuing`.
    locked: bool,
    continuing: BTreeSet<usize>,
    /// Harts the monitor's `stop N` holds back until `cont N`.
    pub(super) held: BTreeSet<usize>,
    sw_breakpoints: BTreeSet<u64>,
    hw_breakpoints: BTreeSet<u64>,
    watchpoints: Vec<Watchpoint>,
    /// Memory commands use physical addresses (`monitor phys on`).
    pub(super) physical: bool,
    /// The target description.
    xml: String,
    /// How the guest ended, once it has.
    pub(super) exit: Option<VirtExit>,
    /// How long the machine runs between looks at the connection.
    poll_interval: Duration,
}

impl<'r> DebugTarget<'r> {
    /// A target for `vm`; `rebuild` replaces it when the guest resets.
    pub fn new(vm: VirtMachine, limit: Option<u64>, rebuild: &'r mut Rebuild<'r>) -> Self {
        let hart = &vm.machine.harts[0];
        let has_fp = hart
            .csr(rivet_core::csr::addr::MISA)
            .is_ok_and(|misa| misa & 1 << (b'F' - b'A') != 0);
        let xml = arch::target_xml(has_fp, &arch::csr_names(), |a| hart.csr(a).is_ok());
        DebugTarget {
            vm: Some(vm),
            rebuild,
            limit,
            step: None,
            locked: false,
            continuing: BTreeSet::new(),
            held: BTreeSet::new(),
            sw_breakpoints: BTreeSet::new(),
            hw_breakpoints: BTreeSet::new(),
            watchpoints: Vec::new(),
            physical: false,
            xml,
            exit: None,
            poll_interval: POLL_INTERVAL,
        }
    }

    /// Sets how long the machine runs between looks at the connection
    /// (20 ms unless set; zero runs it for a moment at a time).
    pub fn set_poll_interval(&mut self, interval: Duration) {
        self.poll_interval = interval;
    }

    /// The machine.
    pub fn vm(&mut self) -> &mut VirtMachine {
        self.vm
            .as_mut()
            .unwrap_or_else(|| unreachable!("the machine is only absent during a rebuild"))
    }

    /// The instruction limit left (`--max-instructions`).
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// The machine, to look at.
    pub fn vm_ref(&self) -> &VirtMachine {
        self.vm
            .as_ref()
            .unwrap_or_else(|| unreachable!("the machine is only absent during a rebuild"))
    }

    /// Gives the machine back, without the debugger's breakpoints and
    /// watchpoints (GDB has gone); `None` if a reset failed to build a
    /// new one (the session then ended with that error).
    pub fn into_vm(mut self) -> Option<VirtMachine> {
        self.vm.as_ref()?;
        let points = self.breakpoints();
        let watchpoints = std::mem::take(&mut self.watchpoints);
        let vm = self.vm();
        for addr in points {
            vm.machine.remove_breakpoint(addr);
        }
        for hart in 0..vm.machine.harts.len() {
            vm.machine.set_parked(hart, false);
        }
        for w in watchpoints {
            vm.machine.remove_watchpoint(w);
        }
        self.vm.take()
    }

    /// The hart of thread `tid`.
    fn hart(&mut self, tid: Tid) -> Result<&mut Hart, TargetError<RunError>> {
        let index = tid.get() - 1;
        self.vm()
            .machine
            .harts
            .get_mut(index)
            .ok_or(TargetError::Errno(22))
    }

    /// Runs the machine for a moment: the stop GDB must hear of, if any.
    pub(super) fn run_for_a_while(
        &mut self,
    ) -> Result<Option<MultiThreadStopReason<u64>>, RunError> {
        if let Some(hart) = self.step.take() {
            let stepped = MultiThreadStopReason::SignalWithThread {
                tid: tid_of(hart),
                signal: Signal::SIGTRAP,
            };
            return match self.vm().machine.step_hart(hart) {
                // A step that reset the machine ends on the new one.
                Some(exit) => Ok(Some(self.stop_reason(exit)?.unwrap_or(stepped))),
                None => Ok(Some(stepped)),
            };
        }
        // Hold back the harts the monitor stopped, and with scheduler
        // locking those GDB did not name.
        let harts = self.vm().machine.harts.len();
        for hart in 0..harts {
            let parked =
                self.held.contains(&hart) || (self.locked && !self.continuing.contains(&hart));
            self.vm().machine.set_parked(hart, parked);
        }
        // The limit counts executed instructions (retired or trapped), as
        // the machine's own budget does.
        let before = self.vm().machine.executed();
        let limit = self.limit.map(|l| before.saturating_add(l));
        let deadline = Instant::now() + self.poll_interval;
        let exit = self.vm().machine.run_until(limit, Some(deadline));
        let ran = self.vm().machine.executed() - before;
        self.limit = self.limit.map(|l| l.saturating_sub(ran));
        match exit {
            None => Ok(None),
            Some(exit) => self.stop_reason(exit),
        }
    }

    /// What GDB is told when the machine run ends with `exit`; `None` to
    /// run on (after a reset).
    fn stop_reason(
        &mut self,
        exit: VirtExit,
    ) -> Result<Option<MultiThreadStopReason<u64>>, RunError> {
        Ok(Some(match exit {
            ExitReason::Debug { hart, event } => match event {
                DebugEvent::Breakpoint { pc } if self.sw_breakpoints.contains(&pc) => {
                    MultiThreadStopReason::SwBreak(tid_of(hart))
                }
                DebugEvent::Breakpoint { .. } => MultiThreadStopReason::HwBreak(tid_of(hart)),
                DebugEvent::Watchpoint { addr, kind } => MultiThreadStopReason::Watch {
                    tid: tid_of(hart),
                    kind: match kind {
                        WatchKind::Write => GdbWatchKind::Write,
                        WatchKind::Read => GdbWatchKind::Read,
                        WatchKind::Access => GdbWatchKind::ReadWrite,
                    },
                    addr,
                },
            },
            ExitReason::Platform(VirtStop::Reset) => {
                let vm = self
                    .vm
                    .take()
                    .unwrap_or_else(|| unreachable!("the machine is present between runs"));
                let (vm, limit) = (self.rebuild)(vm)?;
                self.vm = Some(vm);
                self.limit = limit;
                self.reapply_points();
                return Ok(None);
            }
            exit => {
                let code = match &exit {
                    ExitReason::Platform(VirtStop::PowerOff(code)) => {
                        Some(crate::run::status(u64::from(*code)))
                    }
                    ExitReason::Platform(VirtStop::Htif(code)) => Some(crate::run::status(*code)),
                    ExitReason::Platform(VirtStop::SemihostingExit(code)) => {
                        Some(code.to_le_bytes()[0])
                    }
                    ExitReason::InstructionLimit => Some(124),
                    _ => None,
                };
                self.exit = Some(exit);
                match code {
                    Some(code) => MultiThreadStopReason::Exited(code),
                    None => MultiThreadStopReason::Terminated(Signal::SIGKILL),
                }
            }
        }))
    }

    /// Every breakpoint address GDB has set, software or hardware.
    fn breakpoints(&self) -> Vec<u64> {
        self.sw_breakpoints
            .union(&self.hw_breakpoints)
            .copied()
            .collect()
    }

    /// Sets the debugger's points again on a machine built anew.
    fn reapply_points(&mut self) {
        let points = self.breakpoints();
        let watchpoints = self.watchpoints.clone();
        let machine = &mut self.vm().machine;
        for addr in points {
            machine.insert_breakpoint(addr);
        }
        for w in watchpoints {
            machine.insert_watchpoint(w);
        }
    }

    /// The thread GDB hears of when it interrupts the machine.
    pub(super) fn interrupted(&self) -> MultiThreadStopReason<u64> {
        MultiThreadStopReason::SignalWithThread {
            tid: tid_of(0),
            signal: Signal::SIGINT,
        }
    }

    /// Reads memory at `addr` as GDB sees it (virtual through `tid`'s
    /// hart, or physical): the number of bytes read.
    pub(super) fn read_memory(&mut self, tid: Tid, addr: u64, data: &mut [u8]) -> usize {
        let physical = self.physical;
        let Some(vm) = self.vm.as_ref() else {
            return 0;
        };
        let m = &vm.machine;
        if physical {
            let ok = m.memory.read(PhysAddr::new(addr), data).is_ok()
                || rivet_core::Bus::peek(&m.platform, PhysAddr::new(addr), data);
            return if ok { data.len() } else { 0 };
        }
        match m.harts.get(tid.get() - 1) {
            Some(hart) => hart.debug_read(&m.memory, &m.platform, addr, data),
            None => 0,
        }
    }

    fn add_breakpoint(&mut self, addr: u64, hardware: bool) -> bool {
        let (mine, other) = if hardware {
            (&mut self.hw_breakpoints, &self.sw_breakpoints)
        } else {
            (&mut self.sw_breakpoints, &self.hw_breakpoints)
        };
        let new_here = !other.contains(&addr);
        if mine.len() + other.len() >= MAX_BREAKPOINTS {
            return false;
        }
        mine.insert(addr);
        if new_here {
            self.vm().machine.insert_breakpoint(addr);
        }
        true
    }

    fn remove_breakpoint(&mut self, addr: u64, hardware: bool) -> bool {
        let (mine, other) = if hardware {
            (&mut self.hw_breakpoints, &self.sw_breakpoints)
        } else {
            (&mut self.sw_breakpoints, &self.hw_breakpoints)
        };
        let removed = mine.remove(&addr);
        if removed && !other.contains(&addr) {
            self.vm().machine.remove_breakpoint(addr);
        }
        removed
    }
}

/// The GDB thread of hart `index` (threads count from 1).
pub(super) fn tid_of(index: usize) -> Tid {
    NonZeroUsize::new(index + 1).unwrap_or(NonZeroUsize::MIN)
}

impl Target for DebugTarget<'_> {
    type Arch = Riscv64;
    type Error = RunError;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::MultiThread(self)
    }

    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }

    fn support_monitor_cmd(&mut self) -> Option<MonitorCmdOps<'_, Self>> {
        Some(self)
    }

    fn support_extended_mode(&mut self) -> Option<ExtendedModeOps<'_, Self>> {
        Some(self)
    }

    fn support_target_description_xml_override(
        &mut self,
    ) -> Option<TargetDescriptionXmlOverrideOps<'_, Self>> {
        Some(self)
    }

    // Breakpoints never patch guest memory, so GDB may insert them while
    // the guest runs and keep them inserted.
    fn guard_rail_implicit_sw_breakpoints(&self) -> bool {
        true
    }
}

impl MultiThreadBase for DebugTarget<'_> {
    fn read_registers(&mut self, regs: &mut CoreRegs, tid: Tid) -> TargetResult<(), Self> {
        let hart = self.hart(tid)?;
        for (i, x) in regs.x.iter_mut().enumerate() {
            *x = u8::try_from(i)
                .ok()
                .and_then(XReg::new)
                .map_or(0, |r| hart.x(r));
        }
        regs.pc = hart.pc();
        Ok(())
    }

    fn write_registers(&mut self, regs: &CoreRegs, tid: Tid) -> TargetResult<(), Self> {
        let hart = self.hart(tid)?;
        for (i, x) in regs.x.iter().enumerate() {
            if let Some(r) = u8::try_from(i).ok().and_then(XReg::new) {
                hart.set_x(r, *x);
            }
        }
        hart.set_pc(regs.pc);
        Ok(())
    }

    fn support_single_register_access(&mut self) -> Option<SingleRegisterAccessOps<'_, Tid, Self>> {
        Some(self)
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8], tid: Tid) -> TargetResult<usize, Self> {
        match self.read_memory(tid, start, data) {
            0 if !data.is_empty() => Err(TargetError::Errno(14)),
            n => Ok(n),
        }
    }

    fn write_addrs(&mut self, start: u64, data: &[u8], tid: Tid) -> TargetResult<(), Self> {
        let physical = self.physical;
        let m = &mut self.vm().machine;
        let written = if physical {
            if m.memory.write(PhysAddr::new(start), data).is_ok() {
                data.len()
            } else {
                0
            }
        } else {
            let hart = m.harts.get(tid.get() - 1).ok_or(TargetError::Errno(22))?;
            hart.debug_write(&mut m.memory, start, data)
        };
        if written == data.len() {
            Ok(())
        } else {
            Err(TargetError::Errno(14))
        }
    }

    fn list_active_threads(&mut self, report: &mut dyn FnMut(Tid)) -> Result<(), RunError> {
        (0..self.vm().machine.harts.len()).for_each(|i| report(tid_of(i)));
        Ok(())
    }

    fn support_resume(&mut self) -> Option<MultiThreadResumeOps<'_, Self>> {
        Some(self)
    }

    fn support_thread_extra_info(&mut self) -> Option<ThreadExtraInfoOps<'_, Self>> {
        Some(self)
    }
}

impl SingleRegisterAccess<Tid> for DebugTarget<'_> {
    fn read_register(&mut self, tid: Tid, reg: Reg, buf: &mut [u8]) -> TargetResult<usize, Self> {
        let hart = self.hart(tid)?;
        let value = match reg {
            Reg::X(i) => XReg::new(i).map_or(0, |r| hart.x(r)),
            Reg::Pc => hart.pc(),
            Reg::F(i) => FReg::new(i).map_or(0, |r| hart.f(r)),
            Reg::Csr(addr) => hart.csr(addr).map_err(csr_errno)?,
            Reg::Priv => hart.privilege().bits(),
        };
        let size = reg.size().min(buf.len());
        buf[..size].copy_from_slice(&value.to_le_bytes()[..size]);
        Ok(size)
    }

    fn write_register(&mut self, tid: Tid, reg: Reg, val: &[u8]) -> TargetResult<(), Self> {
        let mut bytes = [0u8; 8];
        let n = val.len().min(8);
        bytes[..n].copy_from_slice(&val[..n]);
        let value = u64::from_le_bytes(bytes);
        let hart = self.hart(tid)?;
        match reg {
            Reg::X(i) => XReg::new(i).into_iter().for_each(|r| hart.set_x(r, value)),
            Reg::Pc => hart.set_pc(value),
            Reg::F(i) => FReg::new(i).into_iter().for_each(|r| hart.set_f(r, value)),
            Reg::Csr(addr) => hart.set_csr(addr, value).map_err(csr_errno)?,
            Reg::Priv => {
                // Mode 2 is reserved: refuse it rather than guess.
                let prv = Privilege::from_bits(value).ok_or(TargetError::Errno(22))?;
                hart.set_privilege(prv);
            }
        }
        Ok(())
    }
}

/// The errno a register packet answers for a CSR access that cannot be
/// done: EACCES for a read-only CSR (or one the debugger may not touch),
/// EINVAL for one that does not exist.
fn csr_errno(error: CsrError) -> TargetError<RunError> {
    match error {
        CsrError::ReadOnly(_) | CsrError::Privilege { .. } | CsrError::Disabled { .. } => {
            TargetError::Errno(13)
        }
        _ => TargetError::Errno(22),
    }
}

impl MultiThreadResume for DebugTarget<'_> {
    fn resume(&mut self) -> Result<(), RunError> {
        // The machine runs in the event loop (`run_for_a_while`).
        Ok(())
    }

    fn clear_resume_actions(&mut self) -> Result<(), RunError> {
        self.step = None;
        self.locked = false;
        self.continuing.clear();
        Ok(())
    }

    fn set_resume_action_continue(&mut self, tid: Tid, _: Option<Signal>) -> Result<(), RunError> {
        // Signals mean nothing to a machine, and are dropped.
        self.continuing.insert(tid.get() - 1);
        Ok(())
    }

    fn support_single_step(&mut self) -> Option<MultiThreadSingleStepOps<'_, Self>> {
        Some(self)
    }

    fn support_scheduler_locking(&mut self) -> Option<MultiThreadSchedulerLockingOps<'_, Self>> {
        Some(self)
    }
}

impl MultiThreadSchedulerLocking for DebugTarget<'_> {
    fn set_resume_action_scheduler_lock(&mut self) -> Result<(), RunError> {
        // GDB resumes only the threads it names: a step moves one hart in
        // any case; a continue runs only the named harts.
        self.locked = true;
        Ok(())
    }
}

impl MultiThreadSingleStep for DebugTarget<'_> {
    fn set_resume_action_step(&mut self, tid: Tid, _: Option<Signal>) -> Result<(), RunError> {
        // A thread that does not exist cannot step: the resume continues.
        let hart = tid.get() - 1;
        if hart < self.vm_ref().machine.harts.len() {
            self.step = Some(hart);
        }
        Ok(())
    }
}

impl Breakpoints for DebugTarget<'_> {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }

    fn support_hw_breakpoint(&mut self) -> Option<HwBreakpointOps<'_, Self>> {
        Some(self)
    }

    fn support_hw_watchpoint(&mut self) -> Option<HwWatchpointOps<'_, Self>> {
        Some(self)
    }
}

impl SwBreakpoint for DebugTarget<'_> {
    fn add_sw_breakpoint(&mut self, addr: u64, _: usize) -> TargetResult<bool, Self> {
        Ok(self.add_breakpoint(addr, false))
    }

    fn remove_sw_breakpoint(&mut self, addr: u64, _: usize) -> TargetResult<bool, Self> {
        Ok(self.remove_breakpoint(addr, false))
    }
}

impl HwBreakpoint for DebugTarget<'_> {
    fn add_hw_breakpoint(&mut self, addr: u64, _: usize) -> TargetResult<bool, Self> {
        Ok(self.add_breakpoint(addr, true))
    }

    fn remove_hw_breakpoint(&mut self, addr: u64, _: usize) -> TargetResult<bool, Self> {
        Ok(self.remove_breakpoint(addr, true))
    }
}

/// A GDB watchpoint as rivet's.
fn watchpoint(addr: u64, len: u64, kind: GdbWatchKind) -> Watchpoint {
    Watchpoint {
        addr,
        len: len.max(1),
        kind: match kind {
            GdbWatchKind::Write => WatchKind::Write,
            GdbWatchKind::Read => WatchKind::Read,
            GdbWatchKind::ReadWrite => WatchKind::Access,
        },
    }
}

impl HwWatchpoint for DebugTarget<'_> {
    fn add_hw_watchpoint(
        &mut self,
        addr: u64,
        len: u64,
        kind: GdbWatchKind,
    ) -> TargetResult<bool, Self> {
        let w = watchpoint(addr, len, kind);
        if self.watchpoints.len() >= MAX_WATCHPOINTS {
            return Ok(false);
        }
        if !self.watchpoints.contains(&w) {
            self.watchpoints.push(w);
            self.vm().machine.insert_watchpoint(w);
        }
        Ok(true)
    }

    fn remove_hw_watchpoint(
        &mut self,
        addr: u64,
        len: u64,
        kind: GdbWatchKind,
    ) -> TargetResult<bool, Self> {
        let w = watchpoint(addr, len, kind);
        let before = self.watchpoints.len();
        self.watchpoints.retain(|x| *x != w);
        if self.watchpoints.len() == before {
            return Ok(false);
        }
        self.vm().machine.remove_watchpoint(w);
        Ok(true)
    }
}

impl TargetDescriptionXmlOverride for DebugTarget<'_> {
    fn target_description_xml(
        &self,
        annex: &[u8],
        offset: u64,
        length: usize,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        if annex != b"target.xml" {
            return Err(TargetError::Errno(2));
        }
        let xml = self.xml.as_bytes();
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(xml.len());
        let n = length.min(buf.len()).min(xml.len() - start);
        buf[..n].copy_from_slice(&xml[start..start + n]);
        Ok(n)
    }
}

impl ThreadExtraInfo for DebugTarget<'_> {
    fn thread_extra_info(&self, tid: Tid, buf: &mut [u8]) -> Result<usize, RunError> {
        let Some(hart) = self
            .vm
            .as_ref()
            .and_then(|vm| vm.machine.harts.get(tid.get() - 1))
        else {
            return Ok(0);
        };
        let mode = super::mode_letter(hart.privilege());
        let text = format!(
            "hart {}, {mode}-mode{}",
            hart.hart_id(),
            if hart.is_waiting() { ", in wfi" } else { "" }
        );
        let n = text.len().min(buf.len());
        buf[..n].copy_from_slice(&text.as_bytes()[..n]);
        Ok(n)
    }
}

/// The process id GDB sees (the machine is one process).
const MACHINE_PID: Pid = match NonZeroUsize::new(1) {
    Some(pid) => pid,
    None => unreachable!(),
};

/// Only as much of extended mode as `kill` needs: GDB sends `vKill`, and
/// hears `OK` before rivet exits (as from QEMU). The machine is the one
/// process: it can be neither started again nor attached to anew.
impl ExtendedMode for DebugTarget<'_> {
    fn run(&mut self, _: Option<&[u8]>, _: Args<'_, '_>) -> TargetResult<Pid, Self> {
        Err(TargetError::Errno(1))
    }

    fn attach(&mut self, pid: Pid) -> TargetResult<(), Self> {
        if pid == MACHINE_PID {
            Ok(())
        } else {
            Err(TargetError::Errno(3))
        }
    }

    fn query_if_attached(&mut self, _: Pid) -> TargetResult<AttachKind, Self> {
        // GDB attached to a machine already there: quitting GDB detaches.
        Ok(AttachKind::Attach)
    }

    fn kill(&mut self, _: Option<Pid>) -> TargetResult<ShouldTerminate, Self> {
        Ok(ShouldTerminate::Yes)
    }

    fn restart(&mut self) -> Result<(), RunError> {
        // `R`: a reset, as the guest would ask for one.
        self.stop_reason(ExitReason::Platform(VirtStop::Reset))
            .map(|_| ())
    }
}

impl gdbstub::target::ext::monitor_cmd::MonitorCmd for DebugTarget<'_> {
    fn handle_monitor_cmd(&mut self, cmd: &[u8], out: ConsoleOutput<'_>) -> Result<(), RunError> {
        super::monitor::run(self, &String::from_utf8_lossy(cmd), out);
        Ok(())
    }
}
