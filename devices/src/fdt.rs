//! The flattened device tree of the `virt` board, generated from its
//! configuration (with vm-fdt) and laid out as QEMU's `virt` does, so that
//! guests built for QEMU find everything where they expect it.

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
}

/// The timebase frequency: 10 MHz.
const TIMEBASE_FREQUENCY: u32 = 10_000_000;
/// The UART's input clock, as QEMU advertises it (3.6864 MHz).
const UART_CLOCK: u32 = 3_686_400;

const fn reg(r: Region) -> [u64; 2] {
    [r.base, r.size]
}

/// phandles: the CPU interrupt controllers are 1..=harts, then these.
fn plic_phandle(harts: usize) -> u32 {
    harts as u32 + 1
}

fn test_phandle(harts: usize) -> u32 {
    harts as u32 + 2
}

/// Builds the device tree blob.
pub fn build(config: &FdtConfig) -> FdtWriterResult<Vec<u8>> {
    let mut fdt = FdtWriter::new()?;
    let root = fdt.begin_node("")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_string("compatible", "riscv-virtio")?;
    fdt.property_string("model", "riscv-virtio,qemu")?;

    let chosen = fdt.begin_node("chosen")?;
    if let Some(args) = &config.bootargs {
        fdt.property_string("bootargs", args)?;
    }
    fdt.property_string(
        "stdout-path",
        &format!("/soc/serial@{:x}", layout::UART0.base),
    )?;
    if let Some((start, end)) = config.initrd {
        fdt.property_u64("linux,initrd-start", start)?;
        fdt.property_u64("linux,initrd-end", end)?;
    }
    fdt.end_node(chosen)?;

    let memory = fdt.begin_node(&format!("memory@{:x}", layout::RAM_BASE))?;
    fdt.property_string("device_type", "memory")?;
    fdt.property_array_u64("reg", &[layout::RAM_BASE, config.ram_size])?;
    fdt.end_node(memory)?;

    let cpus = fdt.begin_node("cpus")?;
    fdt.property_u32("#address-cells", 1)?;
    fdt.property_u32("#size-cells", 0)?;
    fdt.property_u32("timebase-frequency", TIMEBASE_FREQUENCY)?;
    for hart in 0..config.harts {
        let cpu = fdt.begin_node(&format!("cpu@{hart}"))?;
        fdt.property_string("device_type", "cpu")?;
        fdt.property_u32("reg", hart as u32)?;
        fdt.property_string("status", "okay")?;
        fdt.property_string("compatible", "riscv")?;
        fdt.property_string("riscv,isa", &rivet_core::isa::isa_string())?;
        fdt.property_string("riscv,isa-base", "rv64i")?;
        fdt.property_string_list("riscv,isa-extensions", rivet_core::isa::isa_extensions())?;
        fdt.property_string("mmu-type", "riscv,sv57")?;
        let intc = fdt.begin_node("interrupt-controller")?;
        fdt.property_u32("#interrupt-cells", 1)?;
        fdt.property_null("interrupt-controller")?;
        fdt.property_string("compatible", "riscv,cpu-intc")?;
        fdt.property_phandle(hart as u32 + 1)?;
        fdt.end_node(intc)?;
        fdt.end_node(cpu)?;
    }
    fdt.end_node(cpus)?;

    let soc = fdt.begin_node("soc")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_string("compatible", "simple-bus")?;
    fdt.property_null("ranges")?;

    let test = fdt.begin_node(&format!("test@{:x}", layout::TEST.base))?;
    fdt.property_string_list(
        "compatible",
        vec![
            "sifive,test1".into(),
            "sifive,test0".into(),
            "syscon".into(),
        ],
    )?;
    fdt.property_array_u64("reg", &reg(layout::TEST))?;
    fdt.property_phandle(test_phandle(config.harts))?;
    fdt.end_node(test)?;

    let plic = plic_phandle(config.harts);
    let rtc = fdt.begin_node(&format!("rtc@{:x}", layout::RTC.base))?;
    fdt.property_string("compatible", "google,goldfish-rtc")?;
    fdt.property_array_u64("reg", &reg(layout::RTC))?;
    fdt.property_u32("interrupt-parent", plic)?;
    fdt.property_u32("interrupts", layout::RTC_IRQ)?;
    fdt.end_node(rtc)?;

    let uart = fdt.begin_node(&format!("serial@{:x}", layout::UART0.base))?;
    fdt.property_string("compatible", "ns16550a")?;
    fdt.property_array_u64("reg", &reg(layout::UART0))?;
    fdt.property_u32("clock-frequency", UART_CLOCK)?;
    fdt.property_u32("interrupt-parent", plic)?;
    fdt.property_u32("interrupts", layout::UART0_IRQ)?;
    fdt.end_node(uart)?;

    for slot in (0..layout::VIRTIO_SLOTS).rev() {
        let r = layout::virtio_slot(slot);
        let node = fdt.begin_node(&format!("virtio_mmio@{:x}", r.base))?;
        fdt.property_string("compatible", "virtio,mmio")?;
        fdt.property_array_u64("reg", &reg(r))?;
        fdt.property_u32("interrupt-parent", plic)?;
        fdt.property_u32("interrupts", layout::VIRTIO_IRQ + slot as u32)?;
        fdt.end_node(node)?;
    }

    // Each hart's intc: M external (11) and S external (9) for the PLIC;
    // M software (3) and M timer (7) for the CLINT.
    let mut plic_ext = Vec::new();
    let mut clint_ext = Vec::new();
    for hart in 0..config.harts as u32 {
        plic_ext.extend_from_slice(&[hart + 1, 11, hart + 1, 9]);
        clint_ext.extend_from_slice(&[hart + 1, 3, hart + 1, 7]);
    }

    let plic_node = fdt.begin_node(&format!("plic@{:x}", layout::PLIC.base))?;
    fdt.property_string_list(
        "compatible",
        vec!["sifive,plic-1.0.0".into(), "riscv,plic0".into()],
    )?;
    fdt.property_u32("#address-cells", 0)?;
    fdt.property_u32("#interrupt-cells", 1)?;
    fdt.property_null("interrupt-controller")?;
    fdt.property_array_u64("reg", &reg(layout::PLIC))?;
    fdt.property_u32("riscv,ndev", layout::PLIC_SOURCES)?;
    fdt.property_array_u32("interrupts-extended", &plic_ext)?;
    fdt.property_phandle(plic)?;
    fdt.end_node(plic_node)?;

    let clint = fdt.begin_node(&format!("clint@{:x}", layout::CLINT.base))?;
    fdt.property_string_list(
        "compatible",
        vec!["sifive,clint0".into(), "riscv,clint0".into()],
    )?;
    fdt.property_array_u64("reg", &reg(layout::CLINT))?;
    fdt.property_array_u32("interrupts-extended", &clint_ext)?;
    fdt.end_node(clint)?;
    fdt.end_node(soc)?;

    let poweroff = fdt.begin_node("poweroff")?;
    fdt.property_string("compatible", "syscon-poweroff")?;
    fdt.property_u32("regmap", test_phandle(config.harts))?;
    fdt.property_u32("offset", 0)?;
    fdt.property_u32("value", 0x5555)?;
    fdt.end_node(poweroff)?;

    let reboot = fdt.begin_node("reboot")?;
    fdt.property_string("compatible", "syscon-reboot")?;
    fdt.property_u32("regmap", test_phandle(config.harts))?;
    fdt.property_u32("offset", 0)?;
    fdt.property_u32("value", 0x7777)?;
    fdt.end_node(reboot)?;

    fdt.end_node(root)?;
    fdt.finish()
}
