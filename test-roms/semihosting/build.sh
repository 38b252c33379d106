#!/usr/bin/env bash
# Builds semihost.c with picolibc's semihosting library and start-up code
# (Debian package picolibc-riscv64-unknown-elf; installed with apt-get when
# missing and possible) into OUTDIR/semihost.elf and prints that path.
#
# The program runs from RAM of QEMU's virt board with -bios none: code and
# read-only data at 0x8000_0000 (picolibc.ld's "flash"), data, bss, heap
# and stack at 0x8010_0000 (its "ram"), 1 MiB each.
#
# usage: test-roms/semihosting/build.sh [OUTDIR]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
outdir=${1:-$here/../build}
specs=/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs

if ! command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || [ ! -f "$specs" ]; then
    sudo=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "build.sh: install gcc-riscv64-unknown-elf and picolibc-riscv64-unknown-elf (needs root)" >&2
            exit 1
        fi
    fi
    echo "build.sh: installing picolibc-riscv64-unknown-elf" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf >&2; then
        "${sudo[@]}" apt-get update >&2
        "${sudo[@]}" apt-get install -y gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf >&2
    fi
fi

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
elf=$outdir/semihost.elf
if [ ! -f "$elf" ] || [ "$here/semihost.c" -nt "$elf" ] || [ "$0" -nt "$elf" ]; then
    riscv64-unknown-elf-gcc -specs=picolibc.specs --oslib=semihost --crt0=semihost \
        -march=rv64imac -mabi=lp64 -mcmodel=medany -O2 -Wall -Wextra \
        -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x100000 \
        -Wl,--defsym=__ram=0x80100000 -Wl,--defsym=__ram_size=0x100000 \
        -o "$elf.tmp" "$here/semihost.c"
    mv "$elf.tmp" "$elf"
fi
echo "$elf"
