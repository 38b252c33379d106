//! Support of the differential test (tests/differential.rs): the
//! vocabulary, the program model and its rendering, the proptest
//! strategies and the harness that runs both emulators.

pub mod harness;
pub mod program;
pub mod strategy;
pub mod vocab;
