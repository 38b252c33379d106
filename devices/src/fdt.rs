//! The flattened device tree of the `virt` board, generated from its
//! configuration (with vm-fdt) and laid out as QEMU's `virt` does, so that
//! guests built for QEMU find everything where they expect it.
//!
//! Each device writes its own node, in its own module (`fdt_node` in
//! [`crate::test_finisher`], [`crate::goldfish_rtc`], [`crate::uart`],
//! [`crate::virtio::mmio`], [`crate::plic`] and [`crate::clint`]); [`build`]
//! writes the board's nodes (`/chosen`, `/memory`, `/cpus`, `/soc`) and
//! puts the devices' nodes in `/soc` at the addresses of
//! [`crate::layout`].

use rivet_core::isa::Extensions;
use vm_fdt::{FdtWriter, FdtWriterResult};

use crate::layout::{self, Region};

/// What the device tree describes.
#[derive(Clone, Debug)]
pub struct FdtConfig {
    /// Number of harts.
    pub harts: usize,
    /// RAM size in bytes.
    pub ram_size: u64,
    /// The kernel command line (`/chosen/bootargs`).
    pub bootargs: Option<String>,
    /// Where the initrd lies (`linux,initrd-start` and `-end`).
    pub initrd: Option<(u64, u64)>,
    /// The harts' extensions (`riscv,isa`, `riscv,isa-extensions`).
    pub extensions: Extensions,
}

/// The phandles of the nodes that other nodes refer to: hart `h`'s
/// interrupt controller is `h + 1`, then come the PLIC and the test
/// finisher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phandles {
    harts: usize,
}

impl Phandles {
    /// The phandles of a board of `harts` harts.
    pub fn new(harts: usize) -> Self {
        Phandles { harts }
    }

    /// The number of harts (of CPU interrupt controllers).
    pub fn harts(self) -> usize {
        self.harts
    }

    /// Hart `hart`'s interrupt controller (`riscv,cpu-intc`).
    pub fn cpu_intc(self, hart: usize) -> u32 {
        cell(hart).saturating_add(1)
    }

    /// The PLIC, every device's `interrupt-parent`.
    pub fn plic(self) -> u32 {
        cell(self.harts).saturating_add(1)
    }

    /// The test finisher, the syscon of `/poweroff` and `/reboot`.
    pub fn test(self) -> u32 {
        cell(self.harts).saturating_add(2)
    }
}

/// A hart number or count as a device-tree cell. The board has at most
/// [`layout::MAX_HARTS`]; a count beyond a `u32` saturates (the tree is
/// then wrong, but nothing panics).
fn cell(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An interrupt's cause code as a device-tree cell (the `interrupts-extended`
/// of a CLINT or PLIC).
#[expect(
    clippy::cast_possible_truncation,
    reason = "interrupt cause codes are below 64"
)]
const fn interrupt_cell(interrupt: rivet_core::Interrupt) -> u32 {
    interrupt.code() as u32
}

/// The name of the node of a device at `region`: `name@base`.
pub fn node_name(name: &str, region: Region) -> String {
    format!("{name}@{:x}", region.base)
}

/// Writes `reg` for `region` (two address cells and two size cells, as in
/// `/soc`).
pub fn reg(fdt: &mut FdtWriter, region: Region) -> FdtWriterResult<()> {
    fdt.property_array_u64("reg", &[region.base, region.size])
}

/// Writes a device's interrupt: PLIC source `irq`.
fn plic_interrupt(fdt: &mut FdtWriter, phandles: Phandles, irq: u32) -> FdtWriterResult<()> {
    fdt.property_u32("interrupt-parent", phandles.plic())?;
    fdt.property_u32("interrupts", irq)
}

/// Writes the node of a device at `region` that interrupts PLIC source
/// `irq`, as QEMU lays such nodes out: `name@base` with `compatible`,
/// `reg`, the device's own properties (`extra`), then its interrupt.
pub fn plic_device_node(
    fdt: &mut FdtWriter,
    name: &str,
    compatible: &str,
    region: Region,
    irq: u32,
    phandles: Phandles,
    extra: impl FnOnce(&mut FdtWriter) -> FdtWriterResult<()>,
) -> FdtWriterResult<()> {
    let node = fdt.begin_node(&node_name(name, region))?;
    fdt.property_string("compatible", compatible)?;
    reg(fdt, region)?;
    extra(fdt)?;
    plic_interrupt(fdt, phandles, irq)?;
    fdt.end_node(node)
}

/// The cells of an `interrupts-extended` property that wires a device to
/// `causes` of every hart's interrupt controller (hart 0's causes first).
pub(crate) fn per_hart_interrupts(
    phandles: Phandles,
    causes: [rivet_core::Interrupt; 2],
) -> Vec<u32> {
    (0..phandles.harts())
        .flat_map(|h| causes.map(|cause| [phandles.cpu_intc(h), interrupt_cell(cause)]))
        .flatten()
        .collect()
}

/// Builds the device tree blob.
pub fn build(config: &FdtConfig) -> FdtWriterResult<Vec<u8>> {
    let phandles = Phandles::new(config.harts);
    let mut fdt = FdtWriter::new()?;
    let root = fdt.begin_node("")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_string("compatible", "riscv-virtio")?;
    fdt.property_string("model", "riscv-virtio,qemu")?;
    chosen(&mut fdt, config)?;
    memory(&mut fdt, config.ram_size)?;
    cpus(&mut fdt, phandles, config.extensions)?;
    soc(&mut fdt, phandles)?;
    crate::test_finisher::fdt_syscon_nodes(&mut fdt, phandles)?;
    fdt.end_node(root)?;
    fdt.finish()
}

/// `/chosen`: the command line, the console and the initrd.
fn chosen(fdt: &mut FdtWriter, config: &FdtConfig) -> FdtWriterResult<()> {
    let chosen = fdt.begin_node("chosen")?;
    if let Some(args) = &config.bootargs {
        fdt.property_string("bootargs", args)?;
    }
    fdt.property_string(
        "stdout-path",
        &format!("/soc/{}", node_name("serial", layout::UART0)),
    )?;
    if let Some((start, end)) = config.initrd {
        fdt.property_u64("linux,initrd-start", start)?;
        fdt.property_u64("linux,initrd-end", end)?;
    }
    fdt.end_node(chosen)
}

/// `/memory`: RAM.
fn memory(fdt: &mut FdtWriter, ram_size: u64) -> FdtWriterResult<()> {
    let ram = Region {
        base: layout::RAM_BASE,
        size: ram_size,
    };
    let memory = fdt.begin_node(&node_name("memory", ram))?;
    fdt.property_string("device_type", "memory")?;
    reg(fdt, ram)?;
    fdt.end_node(memory)
}

/// `/cpus`: the timebase and one node per hart, each with its interrupt
/// controller.
fn cpus(fdt: &mut FdtWriter, phandles: Phandles, extensions: Extensions) -> FdtWriterResult<()> {
    let cpus = fdt.begin_node("cpus")?;
    fdt.property_u32("#address-cells", 1)?;
    fdt.property_u32("#size-cells", 0)?;
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the timebase is 10 MHz: it fits a cell"
    )]
    let frequency = rivet_core::Timebase::FREQUENCY as u32;
    fdt.property_u32("timebase-frequency", frequency)?;
    for hart in 0..phandles.harts() {
        let cpu = fdt.begin_node(&format!("cpu@{hart}"))?;
        fdt.property_string("device_type", "cpu")?;
        fdt.property_u32("reg", cell(hart))?;
        fdt.property_string("status", "okay")?;
        fdt.property_string("compatible", "riscv")?;
        fdt.property_string("riscv,isa", &extensions.isa_string())?;
        fdt.property_string("riscv,isa-base", "rv64i")?;
        fdt.property_string_list("riscv,isa-extensions", extensions.isa_extensions())?;
        fdt.property_string("mmu-type", "riscv,sv57")?;
        // Zicbom's and Zicboz's cache-block sizes, as QEMU 8 gives them.
        #[expect(
            clippy::cast_possible_truncation,
            reason = "the block size is 64 bytes: it fits a cell"
        )]
        let block = rivet_core::isa::CBO_BLOCK_SIZE as u32;
        if extensions.contains(Extensions::ZICBOM) {
            fdt.property_u32("riscv,cbom-block-size", block)?;
        }
        if extensions.contains(Extensions::ZICBOZ) {
            fdt.property_u32("riscv,cboz-block-size", block)?;
        }
        let intc = fdt.begin_node("interrupt-controller")?;
        fdt.property_u32("#interrupt-cells", 1)?;
        fdt.property_null("interrupt-controller")?;
        fdt.property_string("compatible", "riscv,cpu-intc")?;
        fdt.property_phandle(phandles.cpu_intc(hart))?;
        fdt.end_node(intc)?;
        fdt.end_node(cpu)?;
    }
    fdt.end_node(cpus)
}

/// `/soc`: every device, each node written by the device's module.
fn soc(fdt: &mut FdtWriter, phandles: Phandles) -> FdtWriterResult<()> {
    let soc = fdt.begin_node("soc")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_string("compatible", "simple-bus")?;
    fdt.property_null("ranges")?;
    crate::test_finisher::fdt_node(fdt, layout::TEST, phandles)?;
    crate::goldfish_rtc::fdt_node(fdt, layout::RTC, layout::RTC_IRQ, phandles)?;
    crate::uart::fdt_node(fdt, layout::UART0, layout::UART0_IRQ, phandles)?;
    for slot in (0..layout::VIRTIO_SLOTS).rev() {
        let irq = layout::virtio_irq(slot);
        crate::virtio::mmio::fdt_node(fdt, layout::virtio_slot(slot), irq, phandles)?;
    }
    crate::plic::fdt_node(fdt, layout::PLIC, layout::PLIC_SOURCES, phandles)?;
    crate::clint::fdt_node(fdt, layout::CLINT, phandles)?;
    fdt.end_node(soc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{Device, MEMORY_MAP};

    fn contains(blob: &[u8], text: &str) -> bool {
        let needle = format!("{text}\0");
        blob.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn every_region_of_the_memory_map_has_its_node() {
        let blob = build(&FdtConfig {
            harts: 2,
            ram_size: 64 << 20,
            bootargs: None,
            initrd: None,
            extensions: Extensions::default(),
        })
        .unwrap();
        for (device, region) in MEMORY_MAP {
            let name = match device {
                // QEMU describes no node for its mrom either.
                Device::BootRom => continue,
                Device::TestFinisher => "test",
                Device::Rtc => "rtc",
                Device::Clint => "clint",
                Device::Plic => "plic",
                Device::Uart0 => "serial",
                Device::Virtio(_) => "virtio_mmio",
                Device::Ram => "memory",
            };
            let node = node_name(name, region);
            assert!(contains(&blob, &node), "no node {node} for {device:?}");
        }
    }
}
