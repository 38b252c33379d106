#!/usr/bin/env bash
# Builds every test program into OUTDIR (default: test-roms/build/) and
# prints the paths of the ELF files. Installs the bare-metal RISC-V GCC
# (Debian package gcc-riscv64-unknown-elf) and make first if they are missing.
# Only what changed is rebuilt. EXTRA_CFLAGS (environment) is passed to the
# compiler; run-on-qemu.sh uses it for the QEMU reference copies.
#
# usage: test-roms/build.sh [OUTDIR]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
outdir=${1:-$here/build}

# ensure COMMAND PACKAGE: install the Debian package if the command is missing
ensure() {
    command -v "$1" >/dev/null 2>&1 && return 0
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "build.sh: $1 is missing; install the Debian package $2 (needs root)" >&2
            exit 1
        fi
    fi
    echo "build.sh: installing $2" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y "$2" >&2; then
        "${sudo[@]}" apt-get update >&2
        "${sudo[@]}" apt-get install -y "$2" >&2
    fi
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "build.sh: $1 still missing after installing $2" >&2
        exit 1
    fi
}
ensure riscv64-unknown-elf-gcc gcc-riscv64-unknown-elf
ensure make make

# The GC architecture (RV64IMAFDC + Zicsr + Zifencei) with the integer ABI
# lp64 (the programs are assembly; FP registers are used explicitly). GCC 12
# (Debian bookworm) wants Zicsr/Zifencei spelt out in -march; GCC 11 and older
# reject the suffixes and include them in "i".
march=rv64imafdc_zicsr_zifencei
if ! echo 'csrr a0, mscratch; fence.i; fadd.d fa0, fa1, fa2' |
    riscv64-unknown-elf-gcc -march=$march -mabi=lp64 -x assembler -c -o /dev/null - 2>/dev/null; then
    march=rv64imafdc
fi

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
make -s -C "$here" -j"$(nproc 2>/dev/null || echo 2)" OUTDIR="$outdir" MARCH="$march" \
    EXTRA_CFLAGS="${EXTRA_CFLAGS:-}" all >&2
make -s -C "$here" OUTDIR="$outdir" list
