//! The console device, virtio-console (virtio 1.2 §5.3).
//!
//! The device offers no feature bits: without VIRTIO_CONSOLE_F_MULTIPORT
//! it has one port, port 0, on `receiveq` (queue 0, host to guest) and
//! `transmitq` (queue 1, guest to host) (§5.3.2), and Linux makes that
//! port a console (`/dev/hvc0`). The host side of the port is a
//! [`ConsolePort`]: a character device of the frontend.
//!
//! Transmit chains carry bytes for the host in their device-readable
//! buffers (§5.3.6.1); a chain with a device-writable buffer, a buffer
//! outside RAM, or more than [`MAX_PER_CHAIN`] bytes is dropped whole and
//! counted in [`ConsoleStats::malformed`]. Receive chains get as many
//! waiting input bytes as their device-writable buffers hold. One poll
//! moves at most [`WORK_PER_POLL`] bytes on a queue (counting
//! [`WORK_PER_DESCRIPTOR`] for each descriptor); the rest waits for the
//! next poll. While the port takes no more output (its host reader is
//! slow), transmit chains stay in the ring until it does.

use rivet_core::bits::to_usize;
use rivet_core::Memory;

use super::queue::{Descriptor, Queue, QueueError};
use super::{device_id, read_config_bytes, QueueWork, VirtioDevice};
use crate::console::Waker;

/// The index of `receiveq` (port 0, host to guest).
pub const RECEIVEQ: usize = 0;
/// The index of `transmitq` (port 0, guest to host).
pub const TRANSMITQ: usize = 1;

/// The size of each queue (QueueNumMax), as QEMU's virtio-serial ports.
pub const QUEUE_SIZE: u16 = 128;

/// The most bytes one transmit chain may carry (Linux sends at most 32
/// KiB in one); a longer chain is dropped.
pub const MAX_PER_CHAIN: u64 = 64 * 1024;

/// The work done on one queue in one poll, in bytes copied.
pub const WORK_PER_POLL: u64 = 256 << 10;

/// What one descriptor of a chain costs against [`WORK_PER_POLL`].
pub const WORK_PER_DESCRIPTOR: u64 = 64;

/// The size of the configuration space: `cols`, `rows`, `max_nr_ports`,
/// `emerg_wr` (§5.3.4).
const CONFIG_LEN: usize = 12;

/// The host side of a console port.
pub trait ConsolePort: Send + Sync + std::fmt::Debug {
    /// Takes bytes the guest wrote. Never blocks.
    fn write(&self, bytes: &[u8]);

    /// Whether the port takes more output now (a host reader that stops
    /// reading holds the guest's transmit buffers back, not host memory).
    fn writable(&self) -> bool {
        true
    }

    /// Moves waiting input bytes into `buf`; returns how many. Never blocks.
    fn read(&self, buf: &mut [u8]) -> usize;

    /// Whether input bytes are waiting.
    fn has_input(&self) -> bool;

    /// Calls `waker` whenever input arrives from now on (to end the
    /// board's wait for interrupts).
    fn set_waker(&self, waker: Option<Waker>);
}

/// What the console device has done, for diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConsoleStats {
    /// Bytes from the guest passed to the port.
    pub tx_bytes: u64,
    /// Bytes from the port delivered to the guest.
    pub rx_bytes: u64,
    /// Chains dropped (a transmit chain with a writable buffer, too long,
    /// or outside RAM; a receive chain with a buffer outside RAM).
    pub malformed: u64,
}

/// A virtio console device with one port.
#[derive(Debug)]
pub struct VirtioConsole {
    port: std::sync::Arc<dyn ConsolePort>,
    queue_sizes: [u16; 2],
    config: [u8; CONFIG_LEN],
    /// A transmit chain's bytes, or input on its way to a receive chain.
    buf: Vec<u8>,
    /// Transmit chains wait for the port to take output.
    tx_blocked: bool,
    stats: ConsoleStats,
}

impl VirtioConsole {
    /// A console device whose port 0 is `port`.
    pub fn new(port: std::sync::Arc<dyn ConsolePort>) -> Self {
        let mut config = [0u8; CONFIG_LEN];
        // max_nr_ports: one port (the field is valid with MULTIPORT only).
        config[4..8].copy_from_slice(&1u32.to_le_bytes());
        VirtioConsole {
            port,
            queue_sizes: [QUEUE_SIZE; 2],
            config,
            buf: Vec::new(),
            tx_blocked: false,
            stats: ConsoleStats::default(),
        }
    }

    /// What the device has done so far.
    pub fn stats(&self) -> ConsoleStats {
        self.stats
    }

    /// Passes the bytes of transmit chains to the port.
    fn transmit(&mut self, queue: &mut Queue, mem: &mut Memory) -> Result<QueueWork, QueueError> {
        let mut budget = WORK_PER_POLL;
        self.tx_blocked = false;
        loop {
            if budget == 0 {
                return Ok(QueueWork::Pending);
            }
            if !self.port.writable() {
                // The chains wait in the ring; the poll that finds the
                // port writable again goes on (see `input_pending`).
                self.tx_blocked = true;
                return Ok(QueueWork::Done);
            }
            let Some(chain) = queue.pop(mem)? else {
                return Ok(QueueWork::Done);
            };
            budget = budget.saturating_sub(cost(&chain.descriptors));
            if self.gather(&chain.descriptors, mem) {
                self.port.write(&self.buf);
                self.stats.tx_bytes += self.buf.len() as u64;
            } else {
                self.stats.malformed += 1;
            }
            // §5.3.6.2: the device writes nothing into a transmit chain.
            queue.add_used(mem, chain.head, 0)?;
        }
    }

    /// Gathers a transmit chain into `self.buf`; false if it is malformed.
    fn gather(&mut self, buffers: &[Descriptor], mem: &Memory) -> bool {
        if buffers.iter().any(|d| d.writable) {
            return false;
        }
        let total: u64 = buffers.iter().map(|d| u64::from(d.len)).sum();
        if total > MAX_PER_CHAIN {
            return false;
        }
        self.buf.clear();
        self.buf.resize(to_usize(total), 0);
        let mut done = 0;
        for d in buffers {
            let end = done + to_usize(u64::from(d.len));
            if mem.read(d.addr, &mut self.buf[done..end]).is_err() {
                return false;
            }
            done = end;
        }
        true
    }

    /// Delivers waiting input into receive chains, until the input or the
    /// chains run out.
    fn receive(&mut self, queue: &mut Queue, mem: &mut Memory) -> Result<QueueWork, QueueError> {
        let mut budget = WORK_PER_POLL;
        loop {
            if !self.port.has_input() {
                return Ok(QueueWork::Done);
            }
            if budget == 0 {
                return Ok(QueueWork::Pending);
            }
            let Some(chain) = queue.pop(mem)? else {
                // The input waits: the driver notifies the queue when it
                // adds buffers.
                return Ok(QueueWork::Done);
            };
            budget = budget.saturating_sub(cost(&chain.descriptors));
            let writable: Vec<&Descriptor> =
                chain.descriptors.iter().filter(|d| d.writable).collect();
            let room: u64 = writable.iter().map(|d| u64::from(d.len)).sum();
            let fits = writable
                .iter()
                .all(|d| d.len == 0 || mem.contains(d.addr, u64::from(d.len)));
            let mut written = 0usize;
            if fits {
                self.buf.clear();
                self.buf.resize(to_usize(room.min(MAX_PER_CHAIN)), 0);
                let n = self.port.read(&mut self.buf);
                for d in writable {
                    if written == n {
                        break;
                    }
                    let len = to_usize(u64::from(d.len)).min(n - written);
                    // In RAM: checked above.
                    let _ = mem.write(d.addr, &self.buf[written..written + len]);
                    written += len;
                }
                self.stats.rx_bytes += written as u64;
            } else {
                self.stats.malformed += 1;
            }
            let used = u32::try_from(written).unwrap_or(u32::MAX);
            queue.add_used(mem, chain.head, used)?;
        }
    }
}

/// What a chain costs against [`WORK_PER_POLL`]: its bytes (at most what
/// is copied) and its descriptors.
fn cost(buffers: &[Descriptor]) -> u64 {
    let bytes: u64 = buffers.iter().map(|d| u64::from(d.len)).sum();
    bytes
        .min(MAX_PER_CHAIN)
        .saturating_add(WORK_PER_DESCRIPTOR.saturating_mul(buffers.len() as u64))
}

impl VirtioDevice for VirtioConsole {
    fn device_id(&self) -> u32 {
        device_id::CONSOLE
    }

    /// No feature bits: one port, no console size, no emergency write.
    fn features(&self) -> u64 {
        0
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &self.queue_sizes
    }

    fn read_config(&self, offset: u64, data: &mut [u8]) {
        read_config_bytes(&self.config, offset, data);
    }

    /// `emerg_wr` needs VIRTIO_CONSOLE_F_EMERG_WRITE (not offered); the
    /// other fields are read-only.
    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}

    /// Input from the host waits for `receiveq`, or transmit chains held
    /// back by a full port may go on.
    fn input_pending(&mut self, index: usize) -> bool {
        match index {
            RECEIVEQ => self.port.has_input(),
            TRANSMITQ => self.tx_blocked && self.port.writable(),
            _ => false,
        }
    }

    fn process_queue(
        &mut self,
        index: usize,
        queue: &mut Queue,
        mem: &mut Memory,
    ) -> Result<QueueWork, QueueError> {
        match index {
            RECEIVEQ => self.receive(queue, mem),
            TRANSMITQ => self.transmit(queue, mem),
            _ => Ok(QueueWork::Done),
        }
    }

    /// Input waiting stays for the next driver (it is the host's, not the
    /// old driver's).
    fn reset(&mut self) {
        self.tx_blocked = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rivet_core::PhysAddr;
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use crate::virtio::testing::{queue_with_chains, used, BUF};

    /// A port that records output and has `input` waiting.
    #[derive(Debug, Default)]
    struct TestPort {
        output: Mutex<Vec<u8>>,
        input: Mutex<VecDeque<u8>>,
        /// Refuses output once it holds this many bytes (0: never).
        limit: usize,
    }

    impl ConsolePort for TestPort {
        fn write(&self, bytes: &[u8]) {
            self.output.lock().unwrap().extend_from_slice(bytes);
        }
        fn read(&self, buf: &mut [u8]) -> usize {
            let mut input = self.input.lock().unwrap();
            let n = buf.len().min(input.len());
            for (b, x) in buf.iter_mut().zip(input.drain(..n)) {
                *b = x;
            }
            n
        }
        fn writable(&self) -> bool {
            self.limit == 0 || self.output.lock().unwrap().len() < self.limit
        }
        fn has_input(&self) -> bool {
            !self.input.lock().unwrap().is_empty()
        }
        fn set_waker(&self, _waker: Option<Waker>) {}
    }

    /// A queue of 128 in fresh RAM with `chains` (each a list of
    /// (address, length, device-writable) buffers) made available.
    fn setup(chains: &[&[(u64, u32, bool)]]) -> (Memory, Queue) {
        queue_with_chains(QUEUE_SIZE, 0x40000, chains)
    }

    /// A hostile driver: transmit chains with a device-writable buffer, a
    /// buffer outside RAM (or wrapping the address space), or more than
    /// MAX_PER_CHAIN bytes are dropped whole and returned; the good chains
    /// around them reach the port in order.
    #[test]
    fn a_malformed_transmit_chain_is_dropped_without_harm() {
        let (mut mem, mut q) = setup(&[
            &[(BUF, 3, false)],
            &[(BUF + 0x100, 4, false), (BUF + 0x200, 4, true)],
            &[(0x1000, 8, false)],
            &[(BUF + 0x100, 4, false), (u64::MAX - 1, 8, false)],
            &[(BUF, 0x1_0000, false), (BUF, 1, false)],
            &[(BUF + 0x300, 2, false), (BUF + 0x400, 3, false)],
        ]);
        mem.write(PhysAddr::new(BUF), b"abc").unwrap();
        mem.write(PhysAddr::new(BUF + 0x100), b"BAD!").unwrap();
        mem.write(PhysAddr::new(BUF + 0x300), b"de").unwrap();
        mem.write(PhysAddr::new(BUF + 0x400), b"fgh").unwrap();
        let port = Arc::new(TestPort::default());
        let mut dev = VirtioConsole::new(port.clone());
        assert_eq!(
            dev.process_queue(TRANSMITQ, &mut q, &mut mem),
            Ok(QueueWork::Done)
        );
        assert_eq!(&*port.output.lock().unwrap(), b"abcdefgh");
        assert_eq!(dev.stats().malformed, 4);
        assert_eq!(dev.stats().tx_bytes, 8);
        let heads = [0, 1, 3, 4, 6, 8];
        for (i, &head) in heads.iter().enumerate() {
            assert_eq!(used(&mem, i as u64), (head, 0));
        }
    }

    /// Input fills receive chains as far as it goes; the used length is
    /// what was written; a chain outside RAM gets nothing and is counted.
    #[test]
    fn input_fills_receive_buffers() {
        let (mut mem, mut q) = setup(&[
            &[(BUF, 2, true), (BUF + 0x100, 2, true)],
            &[(0x1000, 8, true)],
            &[(BUF + 0x200, 16, true)],
            &[(BUF + 0x300, 16, true)],
        ]);
        let port = Arc::new(TestPort::default());
        port.input.lock().unwrap().extend(b"hello".iter());
        let mut dev = VirtioConsole::new(port.clone());
        assert!(dev.input_pending(RECEIVEQ));
        assert!(!dev.input_pending(TRANSMITQ));
        assert_eq!(
            dev.process_queue(RECEIVEQ, &mut q, &mut mem),
            Ok(QueueWork::Done)
        );
        assert_eq!(used(&mem, 0), (0, 4));
        assert_eq!(used(&mem, 1), (2, 0));
        assert_eq!(used(&mem, 2), (3, 1));
        let mut got = [0u8; 2];
        mem.read(PhysAddr::new(BUF + 0x100), &mut got).unwrap();
        assert_eq!(&got, b"ll");
        mem.read(PhysAddr::new(BUF + 0x200), &mut got[..1]).unwrap();
        assert_eq!(got[0], b'o');
        assert!(!dev.input_pending(RECEIVEQ));
        assert_eq!(dev.stats().rx_bytes, 5);
        assert_eq!(dev.stats().malformed, 1);
    }

    /// A port that takes no more output holds the transmit chains back
    /// in the ring; once it drains, the next poll passes them on.
    #[test]
    fn a_full_port_holds_transmit_chains_back() {
        let (mut mem, mut q) = setup(&[&[(BUF, 3, false)], &[(BUF + 0x100, 3, false)]]);
        mem.write(PhysAddr::new(BUF), b"abc").unwrap();
        mem.write(PhysAddr::new(BUF + 0x100), b"def").unwrap();
        let port = Arc::new(TestPort {
            limit: 3,
            ..TestPort::default()
        });
        let mut dev = VirtioConsole::new(port.clone());
        assert_eq!(
            dev.process_queue(TRANSMITQ, &mut q, &mut mem),
            Ok(QueueWork::Done)
        );
        assert_eq!(&*port.output.lock().unwrap(), b"abc");
        assert!(!dev.input_pending(TRANSMITQ), "the port is still full");
        port.output.lock().unwrap().clear();
        assert!(dev.input_pending(TRANSMITQ));
        assert_eq!(
            dev.process_queue(TRANSMITQ, &mut q, &mut mem),
            Ok(QueueWork::Done)
        );
        assert_eq!(&*port.output.lock().unwrap(), b"def");
        assert_eq!(used(&mem, 1), (1, 0));
    }
}
