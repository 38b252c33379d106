#!/usr/bin/env bash
# Build xv6-riscv (MIT's teaching operating system) from its source tarball,
# the way its users do: `make TOOLPREFIX=riscv64-unknown-elf- kernel/kernel
# fs.img` in the unpacked tree.
#
#   dir=$(guest/build-xv6.sh [TARBALL] | tail -n1)
#
# TARBALL is xv6-riscv-*.tar.gz; by default the one in shared/guests/ beside
# the clone or one of its parent folders (the project's guest sources, which
# the package registries do not carry; never copied into the clone), or
# $RIVET_XV6_TARBALL. Without one the script says so on stderr and exits 3,
# so that tests can skip.
#
# Artifacts, in ${RIVET_CACHE:-$HOME/.cache/rivet}/xv6-<hash>/:
#   xv6-riscv/          the built tree: kernel/kernel, fs.img (as built; copy
#                       it before booting, the guest writes to it), the
#                       Makefile (`make qemu QEMU=/path/to/rivet`)
#   manifest            tarball, its sha256, the compiler, build time
# <hash> is a short sha256 of the tarball and of this script. All progress
# goes to stderr; the last line on stdout is the absolute path of the
# directory.
set -euo pipefail

exec 3>&1 1>&2

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(dirname "$GUEST_DIR")
CACHE_ROOT=${RIVET_CACHE:-${HOME:?HOME is not set}/.cache/rivet}
TOOLPREFIX=riscv64-unknown-elf-
SKIP=3

die() { printf 'build-xv6: error: %s\n' "$*" >&2; exit 1; }
step() { printf 'build-xv6: %s\n' "$*" >&2; }

# The tarball: an argument, the environment, or shared/guests/ beside the
# clone or one of its parents.
find_tarball() {
  local dir=$REPO found
  while :; do
    found=$(ls "$dir"/shared/guests/xv6-riscv-*.tar.gz 2>/dev/null | head -n 1 || true)
    if [ -n "$found" ]; then
      printf '%s\n' "$found"
      return
    fi
    [ "$dir" = / ] && return
    dir=$(dirname "$dir")
  done
}
TARBALL=${1:-${RIVET_XV6_TARBALL:-$(find_tarball)}}
if [ -z "$TARBALL" ] || [ ! -f "$TARBALL" ]; then
  step "no xv6-riscv source tarball (looked for shared/guests/xv6-riscv-*.tar.gz beside $REPO and its parents; set RIVET_XV6_TARBALL to use another)"
  exit "$SKIP"
fi
TARBALL=$(cd "$(dirname "$TARBALL")" && pwd -P)/$(basename "$TARBALL")

TARBALL_SHA=$(sha256sum <"$TARBALL" | cut -d' ' -f1)
HASH=$( { printf '%s\n' "$TARBALL_SHA"; sha256sum <"${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-12)
mkdir -p "$CACHE_ROOT"
CACHE_ROOT=$(cd "$CACHE_ROOT" && pwd -P)
FINAL="$CACHE_ROOT/xv6-$HASH"

if [ -f "$FINAL/manifest" ]; then
  printf '%s\n' "$FINAL" >&3
  exit 0
fi

# One builder at a time; a second caller waits, then reuses.
exec 9>"$FINAL.lock"
flock 9
if [ -f "$FINAL/manifest" ]; then
  printf '%s\n' "$FINAL" >&3
  exit 0
fi

if ! command -v "${TOOLPREFIX}gcc" >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1 ||
  ! command -v make >/dev/null 2>&1; then
  step "installing the compilers (scripts/setup-debian.sh)"
  bash "$REPO/scripts/setup-debian.sh" || die "cannot install gcc-riscv64-unknown-elf, gcc and make"
fi

step "building xv6 from $(basename "$TARBALL") into $FINAL (about 20 s)"
TMP="$FINAL.tmp"
rm -rf "$TMP"
mkdir -p "$TMP"
tar -xzf "$TARBALL" -C "$TMP" || die "cannot unpack $TARBALL"
TREE=$(find "$TMP" -mindepth 1 -maxdepth 2 -name Makefile -printf '%h\n' | head -n 1)
[ -n "$TREE" ] || die "$TARBALL holds no Makefile"
[ "$TREE" = "$TMP/xv6-riscv" ] || mv "$TREE" "$TMP/xv6-riscv"
make -C "$TMP/xv6-riscv" TOOLPREFIX="$TOOLPREFIX" -j"$(nproc)" kernel/kernel fs.img \
  >"$TMP/build.log" 2>&1 || die "make failed: see $TMP/build.log"
{
  printf 'tarball=%s\n' "$TARBALL"
  printf 'sha256=%s\n' "$TARBALL_SHA"
  printf 'compiler=%s\n' "$("${TOOLPREFIX}gcc" --version | head -n 1)"
  printf 'built=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$TMP/manifest"
rm -rf "$FINAL"
mv "$TMP" "$FINAL"
step "done"
printf '%s\n' "$FINAL" >&3
