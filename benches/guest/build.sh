#!/usr/bin/env bash
# Builds the guest benchmark programs into OUTDIR (default benches/guest/build)
# and prints their paths. Needs riscv64-unknown-elf-gcc (installed by
# scripts/setup-debian.sh, or by test-roms/build.sh).
#
# usage: benches/guest/build.sh [OUTDIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/build}
mkdir -p "$out"
if ! command -v riscv64-unknown-elf-gcc >/dev/null; then
    bash "$here/../../scripts/setup-debian.sh" >&2
fi
cflags=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -O2 -nostdlib -nostartfiles -static
        -mcmodel=medany -ffreestanding -Wl,--no-relax -T "$here/link.ld")
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    case "$name" in *-host) continue ;; esac
    elf="$out/$name.elf"
    extra=()
    case "$name" in *-sv39) extra=(-DSV39) ;; esac
    if [ ! -e "$elf" ] || [ "$here/build.sh" -nt "$elf" ] || [ -n "$(find "$here" -maxdepth 1 -newer "$elf" \( -name '*.c' -o -name '*.h' -o -name '*.S' -o -name '*.ld' \))" ]; then
        riscv64-unknown-elf-gcc "${cflags[@]}" "${extra[@]}" "$here/crt0.S" "$src" -o "$elf"
    fi
    echo "$elf"
done
