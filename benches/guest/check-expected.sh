#!/usr/bin/env bash
# Verifies the EXPECTED value of every guest benchmark: compiles each
# NAME-host.c (NAME.c with HOST defined, plus a main that prints the result)
# with the host's gcc, with -ffp-contract=off as the guest build, runs it and
# compares its output with NAME.c's #define EXPECTED; then checks.py
# recomputes sha256's and crc32's results with Python's hashlib and zlib.
# With --qemu, also builds the ELF programs (build.sh) and runs each on
# qemu-system-riscv64 -M virt -bios none, which must exit with status 0.
#
# usage: benches/guest/check-expected.sh [--qemu]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for host in "$here"/*-host.c; do
    name=$(basename "$host" -host.c)
    gcc -O2 -ffp-contract=off -fno-math-errno -Wall -Wextra -o "$tmp/$name" "$host" -lm
    got=$("$tmp/$name" 2>/dev/null) || { echo "$name: the host program failed"; status=1; continue; }
    want=$(sed -n 's/^#define EXPECTED //p' "$here/$name.c")
    if [ "$got" = "$want" ]; then
        echo "$name: host $got = EXPECTED: ok"
    else
        echo "$name: host $got, EXPECTED $want: MISMATCH"
        status=1
    fi
done
python3 "$here/checks.py" || status=1
if [ "${1:-}" = --qemu ]; then
    for elf in $(bash "$here/build.sh" "$tmp/elf"); do
        name=$(basename "$elf" .elf)
        if timeout 600 qemu-system-riscv64 -M virt -bios none -nographic -m 256M -kernel "$elf" </dev/null; then
            echo "$name: QEMU exit status 0: ok"
        else
            echo "$name: QEMU exit status $?: FAILED"
            status=1
        fi
    done
fi
exit $status
