//! Support of the differential test (tests/differential.rs): the
//! vocabulary, the program model and its rendering (with the F/D items
//! in fp.rs and the Sv39 address spaces of S/U snippets in vm.rs), the
//! proptest strategies and the harness that runs both emulators.

pub mod fp;
pub mod harness;
pub mod program;
pub mod strategy;
pub mod vm;
pub mod vocab;
