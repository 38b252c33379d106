//! Where the UART's bytes go and come from.
//!
//! The board does not know about terminals: it talks to a [`Console`].
//! The frontend provides one on the host terminal (raw mode, QEMU's
//! `Ctrl-A` keys); tests use [`BufferConsole`].

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

/// Ends a [`Console::wait`] early, from another thread: a network card's
/// backend calls it when frames for the guest arrive.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// The host side of the serial console.
pub trait Console {
    /// Takes guest output.
    fn write(&mut self, bytes: &[u8]);

    /// The next input byte, if one is waiting. Never blocks.
    fn read(&mut self) -> Option<u8>;

    /// Blocks until input may be available or `timeout` has passed (`None`:
    /// no timeout). Returns `false` if input can never arrive (the input
    /// has ended and nothing else can wake the machine).
    fn wait(&mut self, timeout: Option<Duration>) -> bool;

    /// Whether the user asked to quit (QEMU's `Ctrl-A X`).
    fn quit_requested(&self) -> bool {
        false
    }

    /// Pushes buffered output out.
    fn flush(&mut self) {}

    /// A [`Waker`] that ends a [`Console::wait`] in progress (or the next
    /// one, if none is), if the console has one. Without one, the board
    /// polls its network cards every millisecond while it waits.
    fn waker(&self) -> Option<Waker> {
        None
    }
}

/// A console in memory: output is collected, input is a fixed script.
#[derive(Debug, Default)]
pub struct BufferConsole {
    /// Everything the guest wrote.
    pub output: Vec<u8>,
    /// Bytes the guest will read, in order.
    pub input: VecDeque<u8>,
}

impl BufferConsole {
    /// An empty console.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Console for BufferConsole {
    fn write(&mut self, bytes: &[u8]) {
        self.output.extend_from_slice(bytes);
    }

    fn read(&mut self) -> Option<u8> {
        self.input.pop_front()
    }

    fn wait(&mut self, timeout: Option<Duration>) -> bool {
        match timeout {
            Some(t) => {
                std::thread::sleep(t);
                true
            }
            None => !self.input.is_empty(),
        }
    }
}
