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
# The GC architecture (RV64IMAFDC + Zicsr + Zifencei) and the hard-float ABI.
# GCC 12 (Debian bookworm) wants Zicsr/Zifencei spelt out in -march; GCC 11
# and older reject the suffixes and include them in "i" (as test-roms/build.sh).
march=rv64imafdc_zicsr_zifencei
if ! echo 'csrr a0, mscratch; fence.i; fadd.d fa0, fa1, fa2' |
    riscv64-unknown-elf-gcc -march=$march -mabi=lp64d -x assembler -c -o /dev/null - 2>/dev/null; then
    march=rv64imafdc
fi
# -ffp-contract=off: no fused multiply-add, so that the floating-point
# programs compute bit for bit what their host-side twins (NAME-host.c,
# compiled with the same flag) compute. -fno-math-errno: sqrt is one fsqrt.d,
# with no library call for negative arguments. -fno-tree-loop-distribute-patterns:
# loops stay loops (there is no memcpy/memset to call: -nostdlib).
cflags=(-march=$march -mabi=lp64d -O2 -nostdlib -nostartfiles -static
        -mcmodel=medany -ffreestanding -ffp-contract=off -fno-math-errno
        -fno-tree-loop-distribute-patterns -Wl,--no-relax)
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    case "$name" in *-host) continue ;; esac
    elf="$out/$name.elf"
    # Per-program flags: *-sv39 run under paging (crt0.S); *-O0 and *-Os
    # (and rvc-dense, which wants compressed code) replace -O2, the last -O
    # on the command line winning.
    extra=()
    case "$name" in
        *-sv39) extra=(-DSV39) ;;
        *-O0) extra=(-O0) ;;
        *-Os | rvc-dense) extra=(-Os) ;;
    esac
    # bigcode and bigcode-small: the functions gen-bigcode.py writes for
    # the FUNCS their source #defines, linked in.
    generated=()
    case "$name" in
        bigcode*)
            funcs=$(sed -n 's/^#define FUNCS //p' "$src" | head -n 1)
            generated=("$out/$name-funcs.c")
            extra+=(-I "$here")
            ;;
    esac
    # NAME.ld, if there is one, replaces link.ld (small-data.ld).
    if [ -e "$here/$name.ld" ]; then
        extra+=(-T "$here/$name.ld")
    else
        extra+=(-T "$here/link.ld")
    fi
    if [ ! -e "$elf" ] || [ "$here/build.sh" -nt "$elf" ] || [ -n "$(find "$here" -maxdepth 1 -newer "$elf" \( -name '*.c' -o -name '*.h' -o -name '*.S' -o -name '*.ld' -o -name 'gen-*.py' \))" ]; then
        if [ ${#generated[@]} -gt 0 ]; then
            python3 "$here/gen-bigcode.py" "$funcs" >"${generated[0]}"
        fi
        riscv64-unknown-elf-gcc "${cflags[@]}" "${extra[@]}" "$here/crt0.S" "$src" "${generated[@]}" -o "$elf"
    fi
    echo "$elf"
done
