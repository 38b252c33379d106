#!/usr/bin/env bash
# Builds the test ROMs and runs every ROM of every manifest (roms*.txt) on QEMU, as a
# reference for rivet. Prints one line per ROM and a summary; exits 1 if any
# ROM did not behave as expected.
#
# Each ROM runs twice:
#   - the QEMU reference copy (built with -DQEMU_REFERENCE, which leaves out
#     the checks where QEMU 7.2 does not follow the specification): must
#     give the expected outcome;
#   - the real ROM: must give the expected outcome too, or else fail at one
#     of the test numbers listed as `qemu-divergent:` for it in its manifest.
# A ROM marked `qemu-skip: REASON` (it needs what QEMU 7.2 lacks) is not run
# and is counted apart.
#
# A ROM whose manifest line says `qemu-skip: WHY` is not run (QEMU 7.2 lacks
# what it tests) and is listed as skipped.
#
# usage: test-roms/run-on-qemu.sh [OUTDIR]      (QEMU=... to pick the binary)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
outdir=${1:-$here/build}
qemu=${QEMU:-qemu-system-riscv64}
timeout_s=${TIMEOUT:-10}

if ! command -v "$qemu" >/dev/null 2>&1; then
    echo "run-on-qemu.sh: $qemu not found (Debian package qemu-system-misc)" >&2
    exit 1
fi

"$here/build.sh" "$outdir" >/dev/null
EXTRA_CFLAGS=-DQEMU_REFERENCE "$here/build.sh" "$outdir/qemu-reference" >/dev/null
outdir=$(cd "$outdir" && pwd)
refdir=$outdir/qemu-reference

# run ELF FLAGS...: prints the exit status; the UART output goes to $log
run() {
    local elf=$1
    shift
    local status=0
    timeout "$timeout_s" "$qemu" -M virt -bios none -nographic -kernel "$elf" "$@" \
        </dev/null >"$log" 2>&1 || status=$?
    echo "$status"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0
failed=0
skipped=0
while IFS= read -r line || [ -n "$line" ]; do
    comment=""
    case $line in
    *'#'*) comment=${line#*#} ;;
    esac
    fields=${line%%#*}
    read -r -a f <<<"$fields" || true
    [ ${#f[@]} -eq 0 ] && continue
    name=${f[0]}
    elf=${f[1]}
    expected=${f[2]}
    flags=("${f[@]:3}")

    divergent=""
    skip=""
    qflags=()
    IFS=';' read -r -a notes <<<"$comment" || true
    for note in "${notes[@]}"; do
        note=$(echo "$note" | sed 's/^ *//; s/ *$//')
        case $note in
        qemu-divergent:*) divergent=${note#qemu-divergent:} ;;
        qemu-flags:*) read -r -a qflags <<<"${note#qemu-flags:}" ;;
        qemu-skip:*) skip=${note#qemu-skip:} ;;
        esac
    done
    if [ -n "$skip" ]; then
        printf 'SKIP %s (%s)\n' "$name" "$(echo "$skip" | sed 's/^ *//')"
        skipped=$((skipped + 1))
        continue
    fi

    if [ "$expected" = pass ]; then want=0; else want=$expected; fi
    if [ -n "$skip" ]; then
        printf 'SKIP %s (%s)\n' "$name" "$(echo "$skip" | sed 's/^ *//')"
        continue
    fi

    ref_status=$(run "$refdir/$elf" "${flags[@]}" "${qflags[@]}")
    ref_out=$(tail -n 1 "$log")
    full_status=$(run "$outdir/$elf" "${flags[@]}" "${qflags[@]}")
    full_out=$(tail -n 1 "$log")

    verdict=FAIL
    note=""
    if [ "$ref_status" = "$want" ]; then
        if [ "$full_status" = "$want" ]; then
            verdict=PASS
        elif [ -n "$divergent" ] && [[ " $divergent " == *" $full_status "* ]]; then
            verdict=PASS
            note=" (real ROM stops at test $full_status: a known QEMU divergence)"
        else
            note=" (real ROM: exit $full_status: $full_out)"
        fi
    else
        note=" (QEMU reference copy: exit $ref_status: $ref_out)"
    fi
    printf '%-4s %s%s\n' "$verdict" "$name" "$note"
    if [ "$verdict" = PASS ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done < <(cat "$here"/roms*.txt)

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
