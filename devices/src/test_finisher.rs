//! The SiFive test finisher (`sifive,test0`): a register that ends the
//! simulation. Writing 0x5555 powers off (exit 0), `0x3333 | code << 16`
//! powers off with a failure code, 0x7777 resets. Linux also uses it as a
//! syscon for its poweroff and reboot drivers.

use rivet_core::AccessSize;
use vm_fdt::{FdtWriter, FdtWriterResult};

use crate::device::MmioDevice;
use crate::fdt::{self, Phandles};
use crate::layout::Region;

const FAIL: u32 = 0x3333;
const PASS: u32 = 0x5555;
const RESET: u32 = 0x7777;

/// What the guest asked the finisher for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerRequest {
    /// Power off with this exit code (0 for pass).
    PowerOff(u32),
    /// Reset the machine.
    Reset,
}

/// The test finisher.
#[derive(Debug, Default)]
pub struct TestFinisher {
    request: Option<PowerRequest>,
}

impl TestFinisher {
    /// A finisher that has not fired.
    pub fn new() -> Self {
        Self::default()
    }

    /// What the guest asked for, if anything (taken once).
    pub fn take_request(&mut self) -> Option<PowerRequest> {
        self.request.take()
    }
}

impl MmioDevice for TestFinisher {
    fn read(&mut self, _offset: u64, _size: AccessSize) -> u64 {
        0
    }

    fn write(&mut self, offset: u64, size: AccessSize, value: u64) {
        // OpenSBI writes the status as a 16-bit value (`writew`); the code
        // in bits 31:16 needs a 32-bit write. QEMU takes both widths too.
        if offset != 0 || size.bytes() < 2 {
            return;
        }
        let code = ((value >> 16) & 0xffff) as u32;
        self.request = match (value & 0xffff) as u32 {
            PASS => Some(PowerRequest::PowerOff(0)),
            // A failure with code 0 still has to fail: QEMU reports it as 1.
            FAIL => Some(PowerRequest::PowerOff(if code == 0 { 1 } else { code })),
            RESET => Some(PowerRequest::Reset),
            _ => self.request,
        };
    }
}

/// Writes the finisher's device-tree node (at `region`): a `sifive,test0`
/// that is also a syscon, for Linux's poweroff and reboot drivers.
pub fn fdt_node(fdt: &mut FdtWriter, region: Region, phandles: Phandles) -> FdtWriterResult<()> {
    let node = fdt.begin_node(&fdt::node_name("test", region))?;
    fdt.property_string_list(
        "compatible",
        vec![
            "sifive,test1".into(),
            "sifive,test0".into(),
            "syscon".into(),
        ],
    )?;
    fdt::reg(fdt, region)?;
    fdt.property_phandle(phandles.test())?;
    fdt.end_node(node)
}

/// Writes `/poweroff` and `/reboot`: `syscon-poweroff` and `syscon-reboot`
/// nodes that write the finisher's PASS and RESET values into it.
pub fn fdt_syscon_nodes(fdt: &mut FdtWriter, phandles: Phandles) -> FdtWriterResult<()> {
    for (name, compatible, value) in [
        ("poweroff", "syscon-poweroff", PASS),
        ("reboot", "syscon-reboot", RESET),
    ] {
        let node = fdt.begin_node(name)?;
        fdt.property_string("compatible", compatible)?;
        fdt.property_u32("regmap", phandles.test())?;
        fdt.property_u32("offset", 0)?;
        fdt.property_u32("value", value)?;
        fdt.end_node(node)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        let mut t = TestFinisher::new();
        t.write(0, AccessSize::Word, 0x5555);
        assert_eq!(t.take_request(), Some(PowerRequest::PowerOff(0)));
        t.write(0, AccessSize::Word, 0x3333 | (7 << 16));
        assert_eq!(t.take_request(), Some(PowerRequest::PowerOff(7)));
        t.write(0, AccessSize::Word, 0x7777);
        assert_eq!(t.take_request(), Some(PowerRequest::Reset));
        t.write(0, AccessSize::Word, 0x1234);
        assert_eq!(t.take_request(), None);
        t.write(4, AccessSize::Word, 0x5555);
        assert_eq!(t.take_request(), None);
        t.write(0, AccessSize::Half, 0x5555);
        assert_eq!(
            t.take_request(),
            Some(PowerRequest::PowerOff(0)),
            "OpenSBI's 16-bit write"
        );
        t.write(0, AccessSize::Byte, 0x55);
        assert_eq!(t.take_request(), None);
    }
}
