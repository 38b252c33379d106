//! The platform-level interrupt controller (`riscv,plic0`, the RISC-V PLIC
//! specification): up to 95 level-triggered sources, per-source priority,
//! per-context enable bits, threshold, and claim/complete. Context 2h is
//! hart h's M-mode, context 2h + 1 its S-mode (QEMU `virt`).
//!
//! Register map: priority of source s at 4s; pending bits at 0x1000;
//! enable bits of context c at 0x2000 + 0x80c; threshold of context c at
//! 0x20_0000 + 0x1000c and claim/complete at 0x20_0004 + 0x1000c.
//!
//! # Gateways: QEMU's, or the specification's
//!
//! Each source reaches the PLIC core through a gateway that turns the
//! device's line into at most one pending request. Two behaviours are
//! offered ([`Gateway`]); the default is QEMU's, because the guests rivet
//! exists to run were written and tested against QEMU `virt`:
//!
//! - [`Gateway::Qemu`] (default): a request is latched whenever the device
//!   updates its line high (see [`crate::irq`]) and stays pending until it
//!   is claimed; a completion forwards nothing, whatever the line's level.
//!   This is what QEMU 7.2's `virt` PLIC does (the `irq-uart-xv6` test ROM
//!   passes on both). xv6-riscv depends on it: it never reads the 16550's
//!   IIR when it has nothing to send, so the UART's transmit-empty line
//!   stays high after its handler returns.
//! - [`Gateway::Level`] (`--plic-gateway level`): the PLIC specification's
//!   level-sensitive gateway ("On receiving an interrupt completion
//!   message, if the interrupt is level-triggered and the interrupt is
//!   still asserted, a new interrupt request will be forwarded to the
//!   PLIC core"; a forwarded request is never retracted). Under it, xv6
//!   takes an endless storm of UART interrupts. Linux, OpenSBI and U-Boot
//!   run under both.
//!
//! Either way a request, once pending, stays until it is claimed (the
//! specification: "The gateway does not have the facility to retract an
//! interrupt request once forwarded"), a source that has been claimed is
//! not offered again until its completion, and a completion for a source
//! the context has not enabled is ignored.

use rivet_core::bits::low_u32;
use rivet_core::AccessSize;

use rivet_core::Interrupt;
use vm_fdt::{FdtWriter, FdtWriterResult};

use crate::device::MmioDevice;
use crate::fdt::{self, Phandles};
use crate::irq::IrqSignal;
use crate::layout::Region;

const PRIORITY_BASE: u64 = 0x0;
const PENDING_BASE: u64 = 0x1000;
const ENABLE_BASE: u64 = 0x2000;
const ENABLE_STRIDE: u64 = 0x80;
const CONTEXT_BASE: u64 = 0x20_0000;
const CONTEXT_STRIDE: u64 = 0x1000;
/// Priorities are 3 bits wide (1 = lowest, 7 = highest, 0 = never).
const PRIORITY_MASK: u32 = 7;
const WORDS: usize = 3; // 96 bits of source flags

/// The first source whose flag is in word `w` (below [`WORDS`]) of a bit
/// array.
#[expect(clippy::cast_possible_truncation, reason = "w is below WORDS (3)")]
const fn first_source(w: usize) -> u32 {
    w as u32 * 32
}

/// How a gateway turns a device's line into requests (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Gateway {
    /// As QEMU `virt`: a request per update with the line high, pending
    /// until claimed; completions forward nothing.
    #[default]
    Qemu,
    /// As the PLIC specification's level-sensitive gateway: a request
    /// while the line is high, forwarded again at completion while it
    /// still is; never withdrawn.
    Level,
}

/// The PLIC.
#[derive(Debug)]
pub struct Plic {
    gateway: Gateway,
    sources: u32,
    priority: Vec<u32>,
    /// The level of each source's line.
    level: [u32; WORDS],
    /// Pending in the gateway (latched from the level, cleared by claim).
    pending: [u32; WORDS],
    /// Claimed and not yet completed.
    in_service: [u32; WORDS],
    enable: Vec<[u32; WORDS]>,
    threshold: Vec<u32>,
}

fn bit(flags: &[u32; WORDS], s: u32) -> bool {
    flags[(s / 32) as usize] >> (s % 32) & 1 != 0
}

fn set_bit(flags: &mut [u32; WORDS], s: u32, on: bool) {
    let w = &mut flags[(s / 32) as usize];
    if on {
        *w |= 1 << (s % 32);
    } else {
        *w &= !(1 << (s % 32));
    }
}

impl Plic {
    /// A PLIC with sources 1..=`sources` (at most 95), `contexts` contexts
    /// and gateways that behave as `gateway` says.
    pub fn new(sources: u32, contexts: usize, gateway: Gateway) -> Self {
        let sources = sources.min(95);
        Plic {
            gateway,
            sources,
            priority: vec![0; sources as usize + 1],
            level: [0; WORDS],
            pending: [0; WORDS],
            in_service: [0; WORDS],
            enable: vec![[0; WORDS]; contexts],
            threshold: vec![0; contexts],
        }
    }

    /// Passes what source `source`'s line did since the last call through
    /// its gateway.
    pub fn signal(&mut self, source: u32, signal: IrqSignal) {
        if source == 0 || source > self.sources {
            return;
        }
        set_bit(&mut self.level, source, signal.high);
        match self.gateway {
            Gateway::Qemu => {
                if signal.requested {
                    set_bit(&mut self.pending, source, true);
                }
            }
            Gateway::Level => {
                if signal.high && !bit(&self.in_service, source) {
                    set_bit(&mut self.pending, source, true);
                }
            }
        }
    }

    /// The best pending, enabled source of `context` above its threshold,
    /// not already claimed; ties go to the lowest source number.
    fn best(&self, context: usize) -> Option<u32> {
        let enable = self.enable.get(context)?;
        let threshold = self.threshold[context];
        let mut best: Option<(u32, u32)> = None;
        for (w, enabled) in enable.iter().enumerate() {
            let mut candidates = self.pending[w] & !self.in_service[w] & enabled;
            while candidates != 0 {
                let s = first_source(w) + candidates.trailing_zeros();
                candidates &= candidates - 1;
                let p = self.priority.get(s as usize).copied().unwrap_or(0);
                if p > threshold && best.is_none_or(|(_, bp)| p > bp) {
                    best = Some((s, p));
                }
            }
        }
        best.map(|(s, _)| s)
    }

    /// Whether context `context` has an interrupt to deliver (its eip line).
    pub fn context_pending(&self, context: usize) -> bool {
        self.best(context).is_some()
    }

    fn claim(&mut self, context: usize) -> u32 {
        match self.best(context) {
            Some(s) => {
                set_bit(&mut self.pending, s, false);
                set_bit(&mut self.in_service, s, true);
                s
            }
            None => 0,
        }
    }

    fn complete(&mut self, context: usize, source: u32) {
        if source == 0 || source > self.sources {
            return;
        }
        // The spec ignores a completion for a source not enabled for the context.
        if !self.enable.get(context).is_some_and(|e| bit(e, source)) {
            return;
        }
        set_bit(&mut self.in_service, source, false);
        if self.gateway == Gateway::Level && bit(&self.level, source) {
            set_bit(&mut self.pending, source, true);
        }
    }
}

impl MmioDevice for Plic {
    fn read(&mut self, offset: u64, size: AccessSize) -> u64 {
        if size != AccessSize::Word {
            return 0;
        }
        let contexts = self.enable.len() as u64;
        match offset {
            o if o < PENDING_BASE => {
                let s = (o - PRIORITY_BASE) / 4;
                self.priority.get(s as usize).copied().map_or(0, u64::from)
            }
            o if o < PENDING_BASE + 4 * WORDS as u64 => {
                u64::from(self.pending[((o - PENDING_BASE) / 4) as usize])
            }
            o if (ENABLE_BASE..ENABLE_BASE + ENABLE_STRIDE * contexts).contains(&o) => {
                let c = ((o - ENABLE_BASE) / ENABLE_STRIDE) as usize;
                let w = ((o - ENABLE_BASE) % ENABLE_STRIDE / 4) as usize;
                self.enable[c].get(w).copied().map_or(0, u64::from)
            }
            o if (CONTEXT_BASE..CONTEXT_BASE + CONTEXT_STRIDE * contexts).contains(&o) => {
                let c = ((o - CONTEXT_BASE) / CONTEXT_STRIDE) as usize;
                match (o - CONTEXT_BASE) % CONTEXT_STRIDE {
                    0 => u64::from(self.threshold[c]),
                    4 => u64::from(self.claim(c)),
                    _ => 0,
                }
            }
            _ => 0,
        }
    }

    fn write(&mut self, offset: u64, size: AccessSize, value: u64) {
        if size != AccessSize::Word {
            return;
        }
        let value = low_u32(value); // a word access
        let contexts = self.enable.len() as u64;
        match offset {
            o if o < PENDING_BASE => {
                let s = ((o - PRIORITY_BASE) / 4) as usize;
                if s != 0 && s < self.priority.len() {
                    self.priority[s] = value & PRIORITY_MASK;
                }
            }
            o if (ENABLE_BASE..ENABLE_BASE + ENABLE_STRIDE * contexts).contains(&o) => {
                let c = ((o - ENABLE_BASE) / ENABLE_STRIDE) as usize;
                let w = ((o - ENABLE_BASE) % ENABLE_STRIDE / 4) as usize;
                if w < WORDS {
                    // Source 0 does not exist; neither do sources past `sources`.
                    let mut valid = u32::MAX;
                    for b in 0..32 {
                        let s = first_source(w) + b;
                        if s == 0 || s > self.sources {
                            valid &= !(1 << b);
                        }
                    }
                    self.enable[c][w] = value & valid;
                }
            }
            o if (CONTEXT_BASE..CONTEXT_BASE + CONTEXT_STRIDE * contexts).contains(&o) => {
                let c = ((o - CONTEXT_BASE) / CONTEXT_STRIDE) as usize;
                match (o - CONTEXT_BASE) % CONTEXT_STRIDE {
                    0 => self.threshold[c] = value & PRIORITY_MASK,
                    4 => self.complete(c, value),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Writes the PLIC's device-tree node: at `region`, with `sources`
/// sources, and each hart's M-mode and S-mode contexts wired to its
/// external-interrupt lines (context 2h is hart h's M-mode, 2h + 1 its
/// S-mode).
pub fn fdt_node(
    fdt: &mut FdtWriter,
    region: Region,
    sources: u32,
    phandles: Phandles,
) -> FdtWriterResult<()> {
    let contexts = fdt::per_hart_interrupts(
        phandles,
        [Interrupt::MachineExternal, Interrupt::SupervisorExternal],
    );
    let node = fdt.begin_node(&fdt::node_name("plic", region))?;
    fdt.property_string_list(
        "compatible",
        vec!["sifive,plic-1.0.0".into(), "riscv,plic0".into()],
    )?;
    fdt.property_u32("#address-cells", 0)?;
    fdt.property_u32("#interrupt-cells", 1)?;
    fdt.property_null("interrupt-controller")?;
    fdt::reg(fdt, region)?;
    fdt.property_u32("riscv,ndev", sources)?;
    fdt.property_array_u32("interrupts-extended", &contexts)?;
    fdt.property_phandle(phandles.plic())?;
    fdt.end_node(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIM_S0: u64 = CONTEXT_BASE + CONTEXT_STRIDE + 4;

    /// Source 10 at priority 1, enabled for context 1 (hart 0's S-mode).
    fn plic(gateway: Gateway) -> Plic {
        let mut p = Plic::new(95, 2, gateway);
        p.write(10 * 4, AccessSize::Word, 1);
        p.write(ENABLE_BASE + ENABLE_STRIDE, AccessSize::Word, 1 << 10);
        p
    }

    fn update(p: &mut Plic, high: bool) {
        p.signal(
            10,
            IrqSignal {
                high,
                requested: high,
            },
        );
    }

    /// The line stays high and nothing updates it: no new request.
    fn still_high(p: &mut Plic) {
        p.signal(
            10,
            IrqSignal {
                high: true,
                requested: false,
            },
        );
    }

    #[test]
    fn claim_complete_cycle() {
        for gateway in [Gateway::Qemu, Gateway::Level] {
            let mut p = plic(gateway);
            update(&mut p, true);
            assert!(!p.context_pending(0), "not enabled for context 0");
            assert!(p.context_pending(1));
            assert_eq!(p.read(PENDING_BASE, AccessSize::Word), 1 << 10);
            assert_eq!(p.read(CLAIM_S0, AccessSize::Word), 10);
            assert!(!p.context_pending(1), "claimed");
            assert_eq!(p.read(CLAIM_S0, AccessSize::Word), 0, "nothing else");
            update(&mut p, false);
            p.write(CLAIM_S0, AccessSize::Word, 10);
            assert!(!p.context_pending(1), "{gateway:?}: low at completion");
        }
    }

    #[test]
    fn level_gateway_forwards_again_at_completion_while_high() {
        let mut p = plic(Gateway::Level);
        update(&mut p, true);
        assert_eq!(p.read(CLAIM_S0, AccessSize::Word), 10);
        still_high(&mut p);
        assert!(!p.context_pending(1), "in service: held by the gateway");
        p.write(CLAIM_S0, AccessSize::Word, 10);
        assert!(p.context_pending(1), "still high at completion: pending");
        // A forwarded request is never retracted.
        p.signal(10, IrqSignal::default());
        assert!(p.context_pending(1));
    }

    #[test]
    fn qemu_gateway_latches_requests_until_claimed() {
        let mut p = plic(Gateway::Qemu);
        update(&mut p, true);
        assert_eq!(p.read(CLAIM_S0, AccessSize::Word), 10);
        still_high(&mut p);
        p.write(CLAIM_S0, AccessSize::Word, 10);
        assert!(
            !p.context_pending(1),
            "high at completion but no new request: nothing (xv6's UART)"
        );
        // A new request while in service is held until the completion.
        assert_eq!(p.read(CLAIM_S0, AccessSize::Word), 0);
        update(&mut p, true);
        assert!(p.context_pending(1));
        assert_eq!(p.read(CLAIM_S0, AccessSize::Word), 10);
        update(&mut p, true);
        assert!(!p.context_pending(1), "in service");
        p.write(CLAIM_S0, AccessSize::Word, 10);
        assert!(p.context_pending(1), "the request made in service");
        // A line lowered before the claim does not withdraw the request.
        update(&mut p, false);
        assert!(p.context_pending(1));
        assert_eq!(p.read(PENDING_BASE, AccessSize::Word), 1 << 10);
        assert_eq!(p.read(CLAIM_S0, AccessSize::Word), 10);
        p.write(CLAIM_S0, AccessSize::Word, 10);
        // Raised and lowered between two looks: still a request.
        p.signal(
            10,
            IrqSignal {
                high: false,
                requested: true,
            },
        );
        assert!(p.context_pending(1));
    }

    #[test]
    fn completion_of_a_source_not_enabled_is_ignored() {
        let mut p = plic(Gateway::Level);
        update(&mut p, true);
        assert_eq!(p.read(CLAIM_S0, AccessSize::Word), 10);
        // Context 0 has not enabled source 10.
        p.write(CONTEXT_BASE + 4, AccessSize::Word, 10);
        still_high(&mut p);
        assert!(!p.context_pending(1), "still in service");
        // Completing a source that was never claimed changes nothing.
        let mut q = plic(Gateway::Qemu);
        q.write(CLAIM_S0, AccessSize::Word, 10);
        assert!(!q.context_pending(1));
        assert_eq!(q.read(CLAIM_S0, AccessSize::Word), 0);
    }

    #[test]
    fn priority_and_threshold() {
        let mut p = Plic::new(95, 1, Gateway::Qemu);
        p.write(
            ENABLE_BASE,
            AccessSize::Word,
            (1 << 3) | (1 << 5) | (1 << 7),
        );
        p.write(3 * 4, AccessSize::Word, 2);
        p.write(5 * 4, AccessSize::Word, 6);
        p.write(7 * 4, AccessSize::Word, 2);
        for s in [7, 3, 5] {
            p.signal(
                s,
                IrqSignal {
                    high: true,
                    requested: true,
                },
            );
        }
        p.write(CONTEXT_BASE, AccessSize::Word, 6);
        assert!(!p.context_pending(0), "threshold 6 masks priority 6");
        p.write(CONTEXT_BASE, AccessSize::Word, 1);
        assert_eq!(p.read(CONTEXT_BASE + 4, AccessSize::Word), 5);
        // Equal priorities: the lower source number first.
        assert_eq!(p.read(CONTEXT_BASE + 4, AccessSize::Word), 3);
        assert_eq!(p.read(CONTEXT_BASE + 4, AccessSize::Word), 7);
        assert_eq!(p.read(CONTEXT_BASE + 4, AccessSize::Word), 0);
        // Priority 0 never interrupts.
        p.write(ENABLE_BASE, AccessSize::Word, 1);
        assert_eq!(
            p.read(ENABLE_BASE, AccessSize::Word),
            0,
            "source 0 cannot be enabled"
        );
    }
}
