//! Machine state that can be moved between threads, saved and restored.

use std::time::Duration;

use rivet_core::machine::{Machine, Platform, PowerEvent};
use rivet_core::{AccessSize, Bus, BusError, Hart, Memory, PhysAddr};

/// A board with nothing on it.
struct Bare;

impl Bus for Bare {
    fn read(&mut self, addr: PhysAddr, _: AccessSize) -> Result<u64, BusError> {
        Err(BusError::Unmapped(addr))
    }

    fn write(&mut self, addr: PhysAddr, _: AccessSize, _: u64) -> Result<(), BusError> {
        Err(BusError::Unmapped(addr))
    }
}

impl Platform for Bare {
    fn poll(&mut self, _: &mut Memory) {}

    fn next_deadline(&self) -> Option<u64> {
        None
    }

    fn wait(&mut self, _: Option<Duration>) -> bool {
        false
    }

    fn power_event(&mut self) -> Option<PowerEvent> {
        None
    }
}

fn assert_send<T: Send>() {}

/// `Hart`, `Memory` and a `Machine` on a `Send` platform can move to
/// another thread (checked when the test compiles).
#[test]
fn state_is_send() {
    assert_send::<Hart>();
    assert_send::<Memory>();
    assert_send::<Machine<Bare>>();
}
