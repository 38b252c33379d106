//! The host-target interface of riscv-tests: the `tohost`/`fromhost` words.
//!
//! A bare-metal program ends by writing to the `tohost` symbol in RAM
//! (riscv-tests' convention, also Spike's): the value `1` means pass,
//! `(n << 1) | 1` means test `n` failed. Device 1, command 1 prints the
//! low byte as a character (Spike's console), acknowledged through
//! `fromhost`. Anything else is a proxy-kernel system call, which rivet
//! does not provide; it is reported as an error, not guessed at.
//!
//! This is board policy, not the hart's: the `virt` board looks at
//! `tohost` when it polls its devices (after every round of time slices)
//! and stops the machine with [`crate::VirtStop::Htif`].

use rivet_core::bits::low_u8;
use rivet_core::{Memory, PhysAddr};

/// What a write to `tohost` asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HtifRequest {
    /// The program ended: 0 is pass, `n` is "test `n` failed".
    Exit(u64),
    /// Print this byte on the console.
    Putchar(u8),
    /// A request rivet does not support (the raw `tohost` value).
    Unsupported(u64),
}

/// The `tohost`/`fromhost` pair of a loaded program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Htif {
    tohost: PhysAddr,
    fromhost: Option<PhysAddr>,
}

impl Htif {
    /// Watches the `tohost` word at `tohost` (and acknowledges through
    /// `fromhost` if there is one).
    pub fn new(tohost: PhysAddr, fromhost: Option<PhysAddr>) -> Self {
        Htif { tohost, fromhost }
    }

    /// The address of `tohost`.
    pub fn tohost(&self) -> PhysAddr {
        self.tohost
    }

    /// Takes a pending request out of `tohost`, if the program wrote one,
    /// and acknowledges console output.
    pub fn poll(&self, mem: &mut Memory) -> Option<HtifRequest> {
        let value = mem.read_u64(self.tohost).ok()?;
        if value == 0 {
            return None;
        }
        let device = value >> 56;
        let command = (value >> 48) & 0xff;
        let payload = value & ((1 << 48) - 1);
        let request = match (device, command) {
            (0, _) if payload & 1 == 1 => HtifRequest::Exit(payload >> 1),
            (1, 1) => HtifRequest::Putchar(low_u8(payload)),
            _ => HtifRequest::Unsupported(value),
        };
        if !matches!(request, HtifRequest::Exit(_)) {
            // Clear the request; acknowledge on fromhost as Spike does.
            let _ = mem.write_u64(self.tohost, 0);
            if let Some(fromhost) = self.fromhost {
                let _ = mem.write_u64(fromhost, (device << 56) | (command << 48));
            }
        }
        Some(request)
    }
}
