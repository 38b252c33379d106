//! The platform-level interrupt controller (`riscv,plic0`, the RISC-V PLIC
//! specification): up to 95 level-triggered sources, per-source priority,
//! per-context enable bits, threshold, and claim/complete. Context 2h is
//! hart h's M-mode, context 2h + 1 its S-mode (QEMU `virt`).
//!
//! Register map: priority of source s at 4s; pending bits at 0x1000;
//! enable bits of context c at 0x2000 + 0x80c; threshold of context c at
//! 0x20_0000 + 0x1000c and claim/complete at 0x20_0004 + 0x1000c.

use rivet_core::AccessSize;

use crate::device::MmioDevice;

const PRIORITY_BASE: u64 = 0x0;
const PENDING_BASE: u64 = 0x1000;
const ENABLE_BASE: u64 = 0x2000;
const ENABLE_STRIDE: u64 = 0x80;
const CONTEXT_BASE: u64 = 0x20_0000;
const CONTEXT_STRIDE: u64 = 0x1000;
/// Priorities are 3 bits wide (1 = lowest, 7 = highest, 0 = never).
const PRIORITY_MASK: u32 = 7;
const WORDS: usize = 3; // 96 bits of source flags

/// The PLIC.
#[derive(Debug)]
pub struct Plic {
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
    /// A PLIC with sources 1..=`sources` (at most 95) and `contexts` contexts.
    pub fn new(sources: u32, contexts: usize) -> Self {
        let sources = sources.min(95);
        Plic {
            sources,
            priority: vec![0; sources as usize + 1],
            level: [0; WORDS],
            pending: [0; WORDS],
            in_service: [0; WORDS],
            enable: vec![[0; WORDS]; contexts],
            threshold: vec![0; contexts],
        }
    }

    /// Drives source `source`'s interrupt line. A high line becomes pending
    /// unless the source is being serviced.
    pub fn set_level(&mut self, source: u32, high: bool) {
        if source == 0 || source > self.sources {
            return;
        }
        set_bit(&mut self.level, source, high);
        if high && !bit(&self.in_service, source) {
            set_bit(&mut self.pending, source, true);
        }
    }

    /// The best pending, enabled source of `context` above its threshold.
    fn best(&self, context: usize) -> Option<u32> {
        let enable = self.enable.get(context)?;
        let mut best: Option<(u32, u32)> = None;
        for s in 1..=self.sources {
            if !bit(&self.pending, s) || !bit(enable, s) {
                continue;
            }
            let p = self.priority[s as usize];
            if p > self.threshold[context] && best.is_none_or(|(_, bp)| p > bp) {
                best = Some((s, p));
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
        if bit(&self.level, source) {
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
        let value = value as u32;
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
                        let s = w as u32 * 32 + b;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_complete_cycle() {
        let mut p = Plic::new(95, 2);
        p.write(10 * 4, AccessSize::Word, 1);
        p.write(ENABLE_BASE + ENABLE_STRIDE, AccessSize::Word, 1 << 10);
        p.set_level(10, true);
        assert!(!p.context_pending(0), "not enabled for context 0");
        assert!(p.context_pending(1));
        assert_eq!(p.read(PENDING_BASE, AccessSize::Word), 1 << 10);
        assert_eq!(
            p.read(CONTEXT_BASE + CONTEXT_STRIDE + 4, AccessSize::Word),
            10
        );
        assert!(!p.context_pending(1), "claimed");
        // Still high at completion: pending again.
        p.write(CONTEXT_BASE + CONTEXT_STRIDE + 4, AccessSize::Word, 10);
        assert!(p.context_pending(1));
        p.read(CONTEXT_BASE + CONTEXT_STRIDE + 4, AccessSize::Word);
        p.set_level(10, false);
        p.write(CONTEXT_BASE + CONTEXT_STRIDE + 4, AccessSize::Word, 10);
        assert!(!p.context_pending(1));
    }

    #[test]
    fn priority_and_threshold() {
        let mut p = Plic::new(95, 1);
        p.write(ENABLE_BASE, AccessSize::Word, (1 << 3) | (1 << 5));
        p.write(3 * 4, AccessSize::Word, 2);
        p.write(5 * 4, AccessSize::Word, 6);
        p.set_level(3, true);
        p.set_level(5, true);
        p.write(CONTEXT_BASE, AccessSize::Word, 6);
        assert!(!p.context_pending(0), "threshold 6 masks priority 6");
        p.write(CONTEXT_BASE, AccessSize::Word, 1);
        assert_eq!(p.read(CONTEXT_BASE + 4, AccessSize::Word), 5);
        assert_eq!(p.read(CONTEXT_BASE + 4, AccessSize::Word), 3);
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
