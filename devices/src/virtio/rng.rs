//! The entropy device, virtio-rng (virtio 1.2 §5.4).
//!
//! One request queue and no configuration space and no feature bits
//! (§5.4.2-§5.4.4). The driver makes device-writable buffers available;
//! the device fills them with random bytes from the host and returns them
//! with the number of bytes written as the used length (§5.4.6). Readable
//! buffers in a chain are ignored (the driver must not offer any).
//!
//! The bytes come from an [`EntropySource`]: the host's `getrandom(2)`
//! (QEMU's `rng-builtin`, also what a `virtio-rng-device` without `rng=`
//! uses in QEMU 7.2) or a file such as `/dev/urandom` (QEMU's `rng-random`).
//!
//! A request is filled up to [`MAX_PER_REQUEST`] bytes (the driver takes
//! what it gets, §5.4.6.1), and one poll hands out at most
//! [`WORK_PER_POLL`] bytes; the rest waits for the next poll. A buffer
//! outside RAM gets nothing: the chain is returned with what was written
//! before it and counted in [`RngStats::malformed`].

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rivet_core::bits::to_usize;
use rivet_core::Memory;

use super::queue::{Queue, QueueError};
use super::{device_id, QueueWork, VirtioDevice};

/// The size of the request queue (QueueNumMax), as QEMU's virtio-rng.
pub const QUEUE_SIZE: u16 = 8;

/// The most bytes given to one request, whatever its buffers' size.
pub const MAX_PER_REQUEST: usize = 64 * 1024;

/// The most bytes handed out in one poll (a few milliseconds of host time
/// at most); what a driver asks beyond that waits for the next poll.
pub const WORK_PER_POLL: u64 = 256 << 10;

/// Where the random bytes come from.
#[derive(Debug)]
pub enum EntropySource {
    /// The host's `getrandom(2)` (QEMU's `rng-builtin`).
    Builtin,
    /// A file, read as a stream (QEMU's `rng-random,filename=`).
    File {
        /// The file's name, for messages.
        path: PathBuf,
        /// The open file.
        file: File,
    },
}

impl EntropySource {
    /// Opens `path` for reading (QEMU's `rng-random`): an unreadable file
    /// is an error here, at startup, not when the guest asks.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        Ok(EntropySource::File {
            path: path.to_path_buf(),
            file: File::open(path)?,
        })
    }

    /// Fills `buf` from the source; returns how many bytes it filled (a
    /// file may end, or fail, short of `buf`'s length).
    fn fill(&mut self, buf: &mut [u8]) -> usize {
        match self {
            EntropySource::Builtin => match getrandom::fill(buf) {
                Ok(()) => buf.len(),
                Err(_) => 0,
            },
            EntropySource::File { file, .. } => {
                let mut done = 0;
                while done < buf.len() {
                    match file.read(&mut buf[done..]) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => done += n,
                    }
                }
                done
            }
        }
    }
}

/// What the entropy device has done, for diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RngStats {
    /// Requests completed.
    pub requests: u64,
    /// Random bytes handed out.
    pub bytes: u64,
    /// Chains with a buffer outside RAM (returned with what was written
    /// before it).
    pub malformed: u64,
}

/// A virtio entropy device.
#[derive(Debug)]
pub struct VirtioRng {
    source: EntropySource,
    queue_sizes: [u16; 1],
    buf: Vec<u8>,
    stats: RngStats,
}

impl VirtioRng {
    /// An entropy device drawing from `source`.
    pub fn new(source: EntropySource) -> Self {
        VirtioRng {
            source,
            queue_sizes: [QUEUE_SIZE],
            buf: vec![0; MAX_PER_REQUEST],
            stats: RngStats::default(),
        }
    }

    /// What the device has done so far.
    pub fn stats(&self) -> RngStats {
        self.stats
    }
}

impl VirtioDevice for VirtioRng {
    fn device_id(&self) -> u32 {
        device_id::ENTROPY
    }

    /// No feature bits (§5.4.3).
    fn features(&self) -> u64 {
        0
    }

    fn queue_max_sizes(&self) -> &[u16] {
        &self.queue_sizes
    }

    /// No configuration space (§5.4.4): reads as zero.
    fn read_config(&self, _offset: u64, data: &mut [u8]) {
        data.fill(0);
    }

    fn write_config(&mut self, _offset: u64, _data: &[u8]) {}

    /// Fills the writable buffers of each chain, in order, until the queue
    /// is empty or [`WORK_PER_POLL`] bytes have gone out.
    fn process_queue(
        &mut self,
        index: usize,
        queue: &mut Queue,
        mem: &mut Memory,
    ) -> Result<QueueWork, QueueError> {
        if index != 0 {
            return Ok(QueueWork::Done);
        }
        let mut budget = WORK_PER_POLL;
        loop {
            if budget == 0 {
                return Ok(QueueWork::Pending);
            }
            let Some(chain) = queue.pop(mem)? else {
                return Ok(QueueWork::Done);
            };
            let wanted: u64 = chain.writable().map(|d| u64::from(d.len)).sum();
            let n = to_usize(wanted.min(MAX_PER_REQUEST as u64).min(budget));
            let filled = self.source.fill(&mut self.buf[..n]);
            let mut written = 0usize;
            for d in chain.writable() {
                if written == filled {
                    break;
                }
                let len = to_usize(u64::from(d.len)).min(filled - written);
                if mem
                    .write(d.addr, &self.buf[written..written + len])
                    .is_err()
                {
                    self.stats.malformed += 1;
                    break;
                }
                written += len;
            }
            budget = budget.saturating_sub(written as u64);
            self.stats.requests += 1;
            self.stats.bytes += written as u64;
            let used = u32::try_from(written).unwrap_or(u32::MAX);
            queue.add_used(mem, chain.head, used)?;
        }
    }

    fn reset(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use rivet_core::PhysAddr;

    use crate::virtio::testing::{queue_with_chains, used, BUF};

    /// A queue of 8 in a fresh 128 KiB of RAM, with the chains `chains`
    /// (each a list of writable (address, length) buffers) made available.
    fn setup(chains: &[&[(u64, u32)]]) -> (Memory, Queue) {
        let writable: Vec<Vec<(u64, u32, bool)>> = chains
            .iter()
            .map(|c| c.iter().map(|&(a, l)| (a, l, true)).collect())
            .collect();
        let chains: Vec<&[(u64, u32, bool)]> = writable.iter().map(Vec::as_slice).collect();
        queue_with_chains(QUEUE_SIZE, 0x20000, &chains)
    }

    #[test]
    fn buffers_are_filled_from_the_source_and_their_length_is_used() {
        let (mut mem, mut q) = setup(&[&[(BUF, 16), (BUF + 0x100, 48)], &[(BUF + 0x200, 32)]]);
        let mut rng = VirtioRng::new(EntropySource::Builtin);
        assert_eq!(rng.process_queue(0, &mut q, &mut mem), Ok(QueueWork::Done));
        assert_eq!(used(&mem, 0), (0, 64));
        assert_eq!(used(&mem, 1), (2, 32));
        let mut a = [0u8; 48];
        mem.read(PhysAddr::new(BUF + 0x100), &mut a).unwrap();
        // 48 zero bytes from getrandom: probability 2^-384.
        assert_ne!(a, [0u8; 48]);
        assert_eq!(rng.stats().bytes, 96);
    }

    #[test]
    fn a_file_source_gives_its_bytes_and_no_more_than_it_has() {
        let path = std::env::temp_dir().join(format!("rivet-rng-{}", std::process::id()));
        std::fs::write(&path, b"0123456789").unwrap();
        let source = EntropySource::open(&path);
        std::fs::remove_file(&path).unwrap();
        let (mut mem, mut q) = setup(&[&[(BUF, 4)], &[(BUF + 0x100, 100)]]);
        let mut rng = VirtioRng::new(source.unwrap());
        assert_eq!(rng.process_queue(0, &mut q, &mut mem), Ok(QueueWork::Done));
        assert_eq!(used(&mem, 0), (0, 4));
        assert_eq!(used(&mem, 1), (1, 6));
        let mut b = [0u8; 6];
        mem.read(PhysAddr::new(BUF + 0x100), &mut b).unwrap();
        assert_eq!(&b, b"456789");
        assert!(EntropySource::open(Path::new("/nonexistent/rivet-rng")).is_err());
    }

    /// A hostile driver: a buffer outside RAM (and one wrapping the address
    /// space) gets nothing, the chain comes back, and the next one is served.
    #[test]
    fn a_buffer_outside_ram_is_dropped_without_harm() {
        let (mut mem, mut q) = setup(&[
            &[(0x1000, 64)],
            &[(BUF, 8), (u64::MAX - 3, 64)],
            &[(BUF + 0x100, 8)],
        ]);
        let mut rng = VirtioRng::new(EntropySource::Builtin);
        assert_eq!(rng.process_queue(0, &mut q, &mut mem), Ok(QueueWork::Done));
        assert_eq!(used(&mem, 0), (0, 0));
        assert_eq!(used(&mem, 1), (1, 8));
        assert_eq!(used(&mem, 2), (3, 8));
        assert_eq!(rng.stats().malformed, 2);
    }

    /// A request gets at most MAX_PER_REQUEST bytes; a poll hands out at
    /// most WORK_PER_POLL bytes and says it has more, and the next goes on.
    #[test]
    fn work_per_poll_is_bounded() {
        let chains: Vec<[(u64, u32); 1]> = (0..8).map(|_| [(BUF, 0x1_0000u32)]).collect();
        let refs: Vec<&[(u64, u32)]> = chains.iter().map(|c| &c[..]).collect();
        let (mut mem, mut q) = setup(&refs);
        let mut rng = VirtioRng::new(EntropySource::Builtin);
        // 8 × 64 KiB = 512 KiB: two polls.
        assert_eq!(
            rng.process_queue(0, &mut q, &mut mem),
            Ok(QueueWork::Pending)
        );
        assert!(rng.stats().bytes <= WORK_PER_POLL);
        assert!(rng.stats().requests < 8);
        // The second poll spends its budget on the last four (and may not
        // know yet that the queue is empty); the third finds it empty.
        let _ = rng.process_queue(0, &mut q, &mut mem);
        assert_eq!(rng.stats().requests, 8);
        assert_eq!(rng.process_queue(0, &mut q, &mut mem), Ok(QueueWork::Done));
        assert_eq!(rng.stats().bytes, 8 * 0x1_0000);
        assert_eq!(used(&mem, 7), (7, 0x1_0000));
    }
}
