#!/usr/bin/env python3
"""Writes the hand-made seed inputs of the fuzz targets into fuzz/corpus/.

Each seed is a small, valid case in the input format its target's doc
comment describes (fuzz_targets/*.rs). Run again after changing a format.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def seed(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<I", v)
def u64(v): return struct.pack("<Q", v & (2**64 - 1))


# --- elf: a RISC-V ELF64 executable with one PT_LOAD of `j .`, and a raw image.
def elf(code, base=0x8000_0000, shoff=0, shnum=0):
    f = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    f += u16(2) + u16(243) + u32(1) + u64(base) + u64(64) + u64(shoff) + u32(0)
    f += b"".join(u16(h) for h in (64, 56, 1, 64, shnum, 1))
    f += u32(1) + u32(5) + b"".join(u64(w) for w in (120, base, base, len(code), len(code) + 16, 0x1000))
    return f + code

seed("elf", "exec", elf(u32(0x6F)))
seed("elf", "kernel-2mib", elf(u32(0x6F), base=0x8020_0000) + b"\x01")
seed("elf", "bad-sections", elf(u32(0x6F), shoff=0xFFFF_FFFF, shnum=5))
seed("elf", "raw", u32(0x6F))

# --- cli: arguments separated by NUL bytes.
for name, args in {
    "bare": ["-M", "virt", "-bios", "none", "-kernel", "prog.elf", "-m", "128M", "-smp", "cpus=2", "-nographic"],
    "drive": ["-drive", "file=d.img,if=none,id=hd0,format=raw,snapshot=on", "-device",
              "virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.1", "-kernel", "k", "-append", "console=ttyS0 -x"],
    "time": ["-rtc", "base=2024-01-02T03:04:05,clock=vm", "-icount", "shift=3", "-kernel", "k",
             "-global", "virtio-mmio.force-legacy=on", "-d", "int,mmu", "-gdb", "tcp::1234"],
    "debug": ["--max-instructions", "100", "--plic-gateway", "level", "-s", "-S", "-bios", "default",
              "-machine", "virt,dumpdtb=x.dtb", "-drive", "file=a,readonly=on", "-snapshot"],
}.items():
    seed("cli", name, b"\0".join(a.encode() for a in args))

# --- virtio_mmio: setup byte, then ops (0 reg write, 2 reg read, 4 poll, 5 RAM write).
def wr(offset, value): return bytes([0, offset // 4]) + u32(value)
def rd(offset): return bytes([2, offset // 4])
def ram(offset, data): return bytes([5]) + u16(offset) + bytes([len(data)]) + data
def desc(addr, length, flags, nxt): return u64(addr) + u32(length) + u16(flags) + u16(nxt)

request = (
    ram(0x0000, desc(0x8000_3000, 16, 1, 1) + desc(0x8000_3010, 512, 3, 2) + desc(0x8000_3210, 1, 2, 0))
    + ram(0x3000, u32(0) + u32(0) + u64(1))
)
modern = (
    wr(0x70, 1) + wr(0x70, 3) + wr(0x24, 1) + wr(0x20, 1) + wr(0x24, 0) + wr(0x20, (1 << 28) | (1 << 29))
    + wr(0x70, 11) + wr(0x30, 0) + wr(0x38, 8)
    + wr(0x80, 0x8000_0000) + wr(0x84, 0) + wr(0x90, 0x8000_1000) + wr(0x94, 0)
    + wr(0xA0, 0x8000_2000) + wr(0xA4, 0) + wr(0x44, 1) + wr(0x70, 15)
    + request + ram(0x1000, u16(0) + u16(1) + u16(0)) + wr(0x50, 0) + bytes([4]) + rd(0x60) + wr(0x64, 1)
)
seed("virtio_mmio", "modern", bytes([0]) + modern)
# Legacy: the queue at PFN 0x80000 (4 KiB pages): descriptors, then the
# available ring at +0x80, the used ring at +0x1000.
legacy = (
    wr(0x70, 1) + wr(0x70, 3) + wr(0x28, 4096) + wr(0x30, 0) + wr(0x38, 8) + wr(0x3C, 4096)
    + wr(0x40, 0x80000) + wr(0x70, 7) + request + ram(0x80, u16(0) + u16(1) + u16(0))
    + wr(0x50, 0) + bytes([4]) + rd(0x60)
)
seed("virtio_mmio", "legacy", bytes([1]) + legacy)
seed("virtio_mmio", "empty-slot", bytes([2]) + rd(0) + rd(4) + rd(8) + wr(0x70, 1))

# --- virtio_blk: setup byte, then requests of typed buffers.
HDR, DATA_W, DATA_R, STATUS = 0x00, 0x03, 0x02, 0x05
def req(buffers, indirect=False):
    return bytes([(len(buffers) - 1) | (8 if indirect else 0)]) + b"".join(buffers)
def hdr(kind, sector): return bytes([HDR, kind, sector])
def data(kind_byte, sectors, fill=0): return bytes([kind_byte, sectors, fill])

blk = (
    req([hdr(0, 3), data(DATA_W, 2), bytes([STATUS])])
    + req([hdr(1, 3), data(DATA_R, 1, 0xAB), bytes([STATUS])])
    + req([hdr(0, 3), data(DATA_W, 1), data(DATA_W, 1), bytes([STATUS])], indirect=True)
    + req([hdr(3, 0), bytes([DATA_W, 0xFF]) + u16(20) + b"\0", bytes([STATUS])])
    + req([hdr(2, 0), bytes([STATUS])])
    + req([hdr(0, 63), data(DATA_W, 2), bytes([STATUS])])
)
seed("virtio_blk", "requests", bytes([0x1B]) + blk)
seed("virtio_blk", "read-only", bytes([0x1C]) + req([hdr(1, 0), data(DATA_R, 1), bytes([STATUS])]) + blk)

# --- uart: ops (0 read, 1 write, 2 receive, 3 exchange, 4 irq).
def uw(offset, value): return bytes([1, offset, 0]) + u64(value)
def ur(offset): return bytes([0, offset, 0])
uart = (
    uw(3, 0x80) + uw(0, 1) + uw(1, 0) + uw(3, 0x03) + uw(2, 0xC7) + uw(1, 0x03) + uw(0, ord("h"))
    + ur(2) + bytes([2, ord("x"), 4]) + ur(5) + ur(0) + bytes([3, ord("y")]) + ur(2) + uw(4, 0x10)
    + uw(0, ord("l")) + ur(0) + bytes([4])
)
seed("uart", "driver", uart)

# --- plic: setup (2 contexts), ops (1 write, 2 line, 3 claim, 4 complete).
def pw(base, offset, value): return bytes([1, base, 0]) + u16(offset) + bytes([2]) + u64(value)
plic = (
    pw(0, 40, 7) + pw(0, 4, 3) + pw(2, 0x80, (1 << 10) | (1 << 1)) + pw(3, 0x1000, 0)
    + bytes([2, 10, 3, 2, 1, 3, 3, 1, 3, 1, 4, 1, 10, 4, 1, 1])
)
seed("plic", "claim", bytes([2]) + plic)
seed("plic", "level", bytes([3]) + plic + bytes([2, 10, 1, 3, 1, 4, 1, 10, 3, 1]))

# --- clint: harts, ops (0 read, 1 write, 2 time) with an offset byte.
clint = (
    bytes([1, 16, 2]) + u64(1) + bytes([1, 1, 3]) + u64(1000) + bytes([2, 0]) + u64(2000) + bytes([0])
    + bytes([0, 3, 3]) + bytes([1, 3, 2]) + u64(5) + bytes([1, 5, 2]) + u64(0)
)
seed("clint", "timers", bytes([1]) + clint)

# --- mmu: Sv39/Sv48 tables (a gigapage of RAM, and a user 4 KiB page),
# then accesses.
V, R, W, X, U, A, D = 1, 2, 4, 8, 16, 64, 128
def pte(ppn, flags): return (ppn << 10) | flags
def entry(page, index, value): return bytes([page]) + u16(index) + u64(value)
ptes = [
    entry(0, 2, pte(0x80000, V | R | W | X | A | D)),
    entry(0, 0, pte(0x80001, V)),
    entry(1, 0, pte(0x80002, V)),
    entry(2, 3, pte(0x80005, V | R | W | U)),
]
ops = (
    bytes([24]) + u64(0x8000_1234 & ~7) + bytes([25]) + u64(0x8000_6000) + u64(0x1234)
    + bytes([28]) + u64(0x3008) + bytes([29]) + u64(0x3010) + u64(7) + bytes([2]) + u64(0x8000_4000)
    + bytes([6]) + u64(0x3000)
)
seed("mmu", "sv39", bytes([0x01, 0]) + u16(1) + bytes([0x04, len(ptes)]) + b"".join(ptes) + ops)
seed("mmu", "sv39-no-adue", bytes([0x01, 0]) + u16(1) + bytes([0x03, len(ptes)]) + b"".join(ptes) + ops)
seed("mmu", "sv48", bytes([0x02, 3]) + u16(0) + bytes([0x04, 2]) + entry(3, 0, pte(0x80000 + 0, V))
     + entry(0, 2, pte(0x80000, V | R | X | A)) + bytes([24]) + u64(0x8000_0100))

# --- gdb: a client's byte stream.
def pkt(payload):
    return b"$" + payload.encode() + b"#" + ("%02x" % (sum(payload.encode()) % 256)).encode()

gdb = b"+" + b"".join(pkt(p) + b"+" for p in [
    "qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=riscv", "vCont?", "Hg0", "?",
    "qXfer:features:read:target.xml:0,ffb", "qfThreadInfo", "qsThreadInfo", "g", "p20", "m80000000,4",
    "Z0,80000000,4", "vCont;c", "z0,80000000,4", "s", "vCont;s:p1.2", "M80000100,4:13000000",
    "qRcmd,696e666f207265676973746572730a", "P5=0100000000000000", "Z2,80000100,8", "c", "D",
])
seed("gdb", "session", gdb)
seed("gdb", "kill", b"+" + pkt("qSupported") + pkt("QStartNoAckMode") + b"+" + pkt("g") + b"\x03"
     + pkt("vCont;c") + b"\x03" + pkt("k"))
