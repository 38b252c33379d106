#!/usr/bin/env bash
# Builds every test program into OUTDIR (default: test-roms/build/) and
# prints the paths of the ELF files. Installs the bare-metal RISC-V GCC
# (Debian package gcc-riscv64-unknown-elf) first if it is missing.
#
# usage: test-roms/build.sh [OUTDIR]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
outdir=${1:-$here/build}
pkg=gcc-riscv64-unknown-elf

if ! command -v riscv64-unknown-elf-gcc >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "build.sh: riscv64-unknown-elf-gcc is missing; install the Debian package $pkg (needs root)" >&2
        exit 1
    fi
    echo "build.sh: installing $pkg" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y "$pkg" >&2; then
        "${sudo[@]}" apt-get update >&2
        "${sudo[@]}" apt-get install -y "$pkg" >&2
    fi
fi
for tool in riscv64-unknown-elf-gcc riscv64-unknown-elf-objdump make; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "build.sh: $tool not found" >&2
        exit 1
    fi
done

# GCC 12 (Debian bookworm) wants Zicsr/Zifencei spelt out in -march; GCC 11
# and older reject the suffixes and include them in "i".
march=rv64imac_zicsr_zifencei
if ! echo 'csrr a0, mscratch; fence.i' |
    riscv64-unknown-elf-gcc -march=$march -mabi=lp64 -x assembler -c -o /dev/null - 2>/dev/null; then
    march=rv64imac
fi

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
make -s -C "$here" -j"$(nproc 2>/dev/null || echo 2)" OUTDIR="$outdir" MARCH="$march" all >&2
make -s -C "$here" OUTDIR="$outdir" list
