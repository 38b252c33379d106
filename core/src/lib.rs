//! # rivet-core: one RISC-V hart
//!
//! The processor half of rivet, a RISC-V RV64GC full-system emulator:
//! registers, CSRs, decode, execute, traps, the MMU with its software TLB,
//! the decoded-instruction cache, the [`Bus`] trait and guest RAM. It
//! knows nothing of devices: everything that is not RAM sits behind a
//! [`Bus`] supplied by the embedding program (rivet's `virt` board, a
//! teaching tool, a test).
//!
//! ```
//! use rivet_core::{bus::EmptyBus, Hart, Memory, PhysAddr, XReg};
//!
//! // RAM at 0x8000_0000 holding a tiny program: a0 = 6 * 7, then loop forever.
//! let mut mem = Memory::new(PhysAddr::new(0x8000_0000), 0x1000).unwrap();
//! let program: [u32; 4] = [
//!     0x0060_0513, // addi a0, zero, 6
//!     0x0070_0593, // addi a1, zero, 7
//!     0x02b5_0533, // mul  a0, a0, a1
//!     0x0000_006f, // jal  zero, 0 (loop)
//! ];
//! for (i, word) in program.iter().enumerate() {
//!     mem.write_u32(PhysAddr::new(0x8000_0000 + 4 * i as u64), *word).unwrap();
//! }
//! let mut hart = Hart::new(0);
//! hart.set_pc(0x8000_0000);
//! let outcome = hart.run(&mut mem, &mut EmptyBus, 10);
//! assert_eq!(outcome.retired, 10);
//! assert_eq!(hart.x(XReg::A0), 42);
//! assert_eq!(hart.pc(), 0x8000_000c);
//! ```
//!
//! The pieces, each a module named after the part of the specification it
//! implements: [`hart`] (state and the run loop), [`isa`] (decode, execute,
//! disassemble, one module per extension), [`csr`], [`trap`], [`mmu`],
//! [`pmp`], [`trigger`] (the debug specification's trigger module),
//! [`memory`], [`bus`], [`elf`] (loading programs), [`machine`] (several
//! harts sharing memory and a platform) and [`snapshot`] (saving and
//! restoring their state); [`bits`] names the narrowing conversions the
//! workspace uses. Board policy (power, reset, the console, the
//! `tohost` convention of riscv-tests) belongs to the platform: rivet's is
//! the `virt` board of `rivet-devices`.
//!
//! # Embedding
//!
//! What a teaching tool, a tracer or a test needs, and where it is:
//!
//! - step and run: [`Hart::step`], [`Hart::run`] (a budget of
//!   instructions), [`Hart::run_to`] (an address), and
//!   [`StopReason`] for why a run ended;
//! - registers: [`Hart::x`], [`Hart::f`], [`Hart::pc`], [`Hart::csr`] and
//!   their setters; memory through the hart's eyes (its translation and
//!   PMP, no side effects): [`Hart::debug_translate`],
//!   [`Hart::debug_read`], [`Hart::debug_write`]; physical memory:
//!   [`Memory`];
//! - hooks on instructions, blocks, memory accesses and traps, each able
//!   to go on, skip or stop: [`hooks`];
//! - breakpoints and watchpoints that patch nothing: [`debug`];
//! - disassembly as objdump prints it: [`disassemble`];
//! - save and restore (stepping back): [`snapshot`].
//!
//! The examples under `core/examples/` show each one running: `teach`
//! (step and disassemble), `hooks` (system calls answered from a trap
//! hook, instruction counts), `watch` (a watchpoint), `step_back` (snapshots).

#![warn(missing_docs)]

// rivet runs only on 64-bit hosts: guest addresses, RAM offsets and
// lengths (u64) index host memory as usize without loss
// (`bits::to_usize`).
const _: () = assert!(usize::BITS >= 64, "rivet needs a 64-bit host");

pub mod access;
pub mod addr;
pub mod bits;
pub mod bus;
pub mod csr;
pub mod debug;
mod decode_cache;
pub mod elf;
pub mod error;
pub mod fpu;
pub mod hart;
pub mod hooks;
pub mod isa;
pub mod machine;
pub mod memory;
pub mod mmu;
pub mod pmp;
pub mod reg;
pub mod semihosting;
pub mod snapshot;
pub mod spin;
pub mod timer;
mod tlb;
pub mod trap;
pub mod trigger;

pub use addr::PhysAddr;
pub use bus::{AccessSize, Bus, BusError};
pub use csr::{CsrError, Privilege};
pub use error::{Error, Result};
pub use hart::{Hart, RunOutcome, StopReason};
pub use isa::disassemble;
pub use memory::Memory;
pub use reg::{FReg, XReg};
pub use snapshot::{HartState, MemoryState, Snapshot};
pub use timer::{TimeSource, Timebase};
pub use trap::{Cause, Exception, Interrupt, TrapEvent};
