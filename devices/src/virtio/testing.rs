//! Test helpers for the virtio devices: a virtqueue in fresh guest RAM
//! with descriptor chains made available as a driver makes them (virtio 1.2
//! §2.7.5 descriptor table, §2.7.6 available ring), and the used ring's
//! entries read back (§2.7.8).

use rivet_core::{Memory, PhysAddr};

use super::queue::Queue;

/// Where the test RAM starts.
pub const RAM: u64 = 0x8000_0000;
/// The descriptor table.
pub const DESC: u64 = RAM;
/// The available ring.
pub const AVAIL: u64 = RAM + 0x1000;
/// The used ring.
pub const USED: u64 = RAM + 0x2000;
/// A place for buffers, after the rings.
pub const BUF: u64 = RAM + 0x4000;

/// A ready queue of `size` in `ram_size` bytes of fresh RAM at [`RAM`],
/// with `chains` made available in order: each a list of buffers
/// (address, length, device-writable), linked by NEXT in consecutive
/// descriptors.
pub fn queue_with_chains(
    size: u16,
    ram_size: u64,
    chains: &[&[(u64, u32, bool)]],
) -> (Memory, Queue) {
    let mut mem = Memory::new(PhysAddr::new(RAM), ram_size).unwrap();
    let mut q = Queue::new(size);
    q.set_size(size);
    q.set_desc_table(PhysAddr::new(DESC));
    q.set_avail_ring(PhysAddr::new(AVAIL));
    q.set_used_ring(PhysAddr::new(USED));
    q.set_ready(true);
    let mut next = 0u16;
    for (i, chain) in chains.iter().enumerate() {
        let head = next;
        for (j, &(addr, len, writable)) in chain.iter().enumerate() {
            let last = j + 1 == chain.len();
            let flags: u16 = (u16::from(writable) * 2) | if last { 0 } else { 1 };
            let mut raw = [0u8; 16];
            raw[..8].copy_from_slice(&addr.to_le_bytes());
            raw[8..12].copy_from_slice(&len.to_le_bytes());
            raw[12..14].copy_from_slice(&flags.to_le_bytes());
            raw[14..].copy_from_slice(&(next + 1).to_le_bytes());
            mem.write(PhysAddr::new(DESC + 16 * u64::from(next)), &raw)
                .unwrap();
            next += 1;
        }
        let slot = AVAIL + 4 + 2 * i as u64;
        mem.write(PhysAddr::new(slot), &head.to_le_bytes()).unwrap();
    }
    let count = u16::try_from(chains.len()).unwrap();
    mem.write(PhysAddr::new(AVAIL + 2), &count.to_le_bytes())
        .unwrap();
    (mem, q)
}

/// Used ring entry `i`: the chain's head and the length written.
pub fn used(mem: &Memory, i: u64) -> (u32, u32) {
    let mut e = [0u8; 8];
    mem.read(PhysAddr::new(USED + 4 + 8 * i), &mut e).unwrap();
    let [a, b, c, d, l0, l1, l2, l3] = e;
    (
        u32::from_le_bytes([a, b, c, d]),
        u32::from_le_bytes([l0, l1, l2, l3]),
    )
}
