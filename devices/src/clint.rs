//! The core-local interruptor (`riscv,clint0`): per-hart software
//! interrupts (`msip`) and timer compares (`mtimecmp`), and the shared
//! `mtime` counter (the machine's [`Timebase`], 10 MHz).
//!
//! Registers: `msip[h]` at 0x0000 + 4h (bit 0), `mtimecmp[h]` at
//! 0x4000 + 8h, `mtime` at 0xbff8; the 64-bit ones may be accessed as
//! two 32-bit halves.

use rivet_core::csr::irq;
use rivet_core::{AccessSize, Timebase};

use rivet_core::Interrupt;
use vm_fdt::{FdtWriter, FdtWriterResult};

use crate::device::MmioDevice;
use crate::fdt::{self, Phandles};
use crate::layout::Region;

const MSIP: u64 = 0x0000;
const MTIMECMP: u64 = 0x4000;
const MTIME: u64 = 0xbff8;

/// The CLINT of `harts` harts.
#[derive(Debug)]
pub struct Clint {
    msip: Vec<bool>,
    mtimecmp: Vec<u64>,
    timebase: Timebase,
}

/// Reads `size` bytes at byte `offset` of a 64-bit register.
fn read_part(reg: u64, offset: u64, size: AccessSize) -> u64 {
    (reg >> (8 * (offset & 7))) & size.mask()
}

/// Writes `size` bytes of `value` at byte `offset` of a 64-bit register.
fn write_part(reg: u64, offset: u64, size: AccessSize, value: u64) -> u64 {
    let shift = 8 * (offset & 7);
    let mask = size.mask() << shift;
    (reg & !mask) | ((value << shift) & mask)
}

impl Clint {
    /// A CLINT for `harts` harts reading `timebase`. Every `mtimecmp` starts
    /// at its maximum, so no timer fires before software sets one.
    pub fn new(harts: usize, timebase: Timebase) -> Self {
        Clint {
            msip: vec![false; harts],
            mtimecmp: vec![u64::MAX; harts],
            timebase,
        }
    }

    /// The MSIP and MTIP bits of hart `hart`'s `mip`.
    pub fn lines(&self, hart: usize) -> u64 {
        let mut lines = 0;
        if self.msip.get(hart).copied().unwrap_or(false) {
            lines |= irq::MSI;
        }
        if self
            .mtimecmp
            .get(hart)
            .is_some_and(|&cmp| self.timebase.now() >= cmp)
        {
            lines |= irq::MTI;
        }
        lines
    }

    /// The earliest `mtimecmp` of any hart.
    pub fn next_deadline(&self) -> Option<u64> {
        self.mtimecmp
            .iter()
            .copied()
            .filter(|&c| c != u64::MAX)
            .min()
    }
}

impl MmioDevice for Clint {
    fn read(&mut self, offset: u64, size: AccessSize) -> u64 {
        let harts = self.msip.len() as u64;
        match offset {
            o if o < MSIP + 4 * harts && o % 4 == 0 => u64::from(self.msip[(o / 4) as usize]),
            o if (MTIMECMP..MTIMECMP + 8 * harts).contains(&o) => {
                read_part(self.mtimecmp[((o - MTIMECMP) / 8) as usize], o, size)
            }
            o if (MTIME..MTIME + 8).contains(&o) => read_part(self.timebase.now(), o, size),
            _ => 0,
        }
    }

    fn write(&mut self, offset: u64, size: AccessSize, value: u64) {
        let harts = self.msip.len() as u64;
        match offset {
            o if o < MSIP + 4 * harts && o % 4 == 0 => {
                self.msip[(o / 4) as usize] = value & 1 != 0;
            }
            o if (MTIMECMP..MTIMECMP + 8 * harts).contains(&o) => {
                let h = ((o - MTIMECMP) / 8) as usize;
                self.mtimecmp[h] = write_part(self.mtimecmp[h], o, size, value);
            }
            o if (MTIME..MTIME + 8).contains(&o) => {
                let now = self.timebase.now();
                self.timebase.set(write_part(now, o, size, value));
            }
            _ => {}
        }
    }
}

/// Writes the CLINT's device-tree node: at `region`, driving each hart's
/// machine software and machine timer interrupts.
pub fn fdt_node(fdt: &mut FdtWriter, region: Region, phandles: Phandles) -> FdtWriterResult<()> {
    let lines = fdt::per_hart_interrupts(
        phandles,
        [Interrupt::MachineSoftware, Interrupt::MachineTimer],
    );
    let node = fdt.begin_node(&fdt::node_name("clint", region))?;
    fdt.property_string_list(
        "compatible",
        vec!["sifive,clint0".into(), "riscv,clint0".into()],
    )?;
    fdt::reg(fdt, region)?;
    fdt.property_array_u32("interrupts-extended", &lines)?;
    fdt.end_node(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rivet_core::TimeSource;

    #[test]
    fn timer_and_software_interrupts() {
        let tb = Timebase::new(TimeSource::Deterministic);
        let mut c = Clint::new(2, tb.clone());
        assert_eq!(c.lines(0), 0);
        c.write(4, AccessSize::Word, 1);
        assert_eq!(c.lines(1), irq::MSI);
        assert_eq!(c.read(4, AccessSize::Word), 1);
        // mtimecmp[0] = 100 written as two halves.
        c.write(0x4000, AccessSize::Word, 100);
        c.write(0x4004, AccessSize::Word, 0);
        assert_eq!(c.next_deadline(), Some(100));
        assert_eq!(c.lines(0), 0);
        tb.advance(100);
        assert_eq!(c.lines(0), irq::MTI);
        assert_eq!(c.read(0xbff8, AccessSize::Double), 100);
        assert_eq!(c.read(0xbffc, AccessSize::Word), 0);
        c.write(0xbff8, AccessSize::Double, 5);
        assert_eq!(c.lines(0), 0);
    }
}
