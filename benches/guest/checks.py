#!/usr/bin/env python3
"""Checks the EXPECTED values of sha256.c and crc32.c against Python's own
hashlib and zlib: regenerates each program's input (bench.h's fill_random,
xorshift64) from the sizes, round counts and seeds #defined in its source,
recomputes the result the program computes, and compares.

    benches/guest/checks.py
"""

import hashlib
import os
import re
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
MASK = (1 << 64) - 1


def defines(name):
    """The #define NAME VALUE lines of NAME.c, values evaluated."""
    text = open(os.path.join(HERE, name + ".c")).read()
    out = {}
    for key, value in re.findall(r"^#define (\w+) (.+)$", text, re.M):
        value = value.strip()
        if value.startswith('"'):
            out[key] = value.strip('"')
        else:
            value = re.sub(r"(0x[0-9a-fA-F]+|\d+)u?ll", r"\1", value)
            out[key] = eval(value, {}, dict(out))
    return out


def fill_random(length, seed):
    """bench.h's fill_random: xorshift64 output, 8 bytes a step, little-endian."""
    s, out = seed, bytearray()
    while len(out) < length:
        s ^= (s << 13) & MASK
        s ^= s >> 7
        s ^= (s << 17) & MASK
        out += s.to_bytes(8, "little")
    return bytes(out[:length])


def check_sha256():
    d = defines("sha256")
    buf = fill_random(d["BUF_BYTES"], d["SEED"])
    digest = bytes(32)
    for _ in range(d["ROUNDS"]):
        digest = hashlib.sha256(digest + buf).digest()
    return "sha256", digest.hex(), d["EXPECTED"]


def check_crc32():
    d = defines("crc32")
    buf = fill_random(d["BUF_BYTES"], d["SEED"])
    t = 0
    for _ in range(d["TABLE_ROUNDS"]):
        t = zlib.crc32(buf, t)
    b = 0
    prefix = buf[: d["BITWISE_BYTES"]]
    for _ in range(d["BITWISE_ROUNDS"]):
        b = zlib.crc32(prefix, b)
    return "crc32", f"{t << 32 | b:#018x}", f"{d['EXPECTED']:#018x}"


def main():
    ok = True
    for name, got, expected in (check_sha256(), check_crc32()):
        same = got == expected
        ok &= same
        print(f"{name}: Python {got}, EXPECTED {expected}: {'ok' if same else 'MISMATCH'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
