#!/usr/bin/env bash
# Build rivet's Linux guest images from Debian packages.
#
#   dir=$(guest/build-images.sh | tail -n1)
#
# Artifacts, in ${RIVET_CACHE:-$HOME/.cache/rivet}/images-<hash>/:
#   Image               Linux 6.1 (Debian's linux-source-6.1) for QEMU virt,
#                       config = allnoconfig + guest/linux.config
#   initramfs.cpio.gz   static busybox (Debian's busybox sources) + guest/init
#                       + guest/rootfs/
#   disk.ext2           32 MiB ext2 image made with mke2fs -d from guest/disk/
#   manifest            key=value lines: hash, paths, versions, build time
#   kernel.config, System.map, busybox.config, build.log  (for reference)
#
# <hash> is a short sha256 of the recipe: this script and every file under
# guest/ that it reads. When the artifacts for that hash exist, the script
# prints their directory at once. All progress goes to stderr; the last line
# on stdout is the absolute path of the images directory.
#
# Environment: RIVET_CACHE (cache root), RIVET_JOBS (default: nproc).
set -euo pipefail

# Progress and logs go to stderr; fd 3 keeps the real stdout for the result.
exec 3>&1 1>&2

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
CACHE_ROOT=${RIVET_CACHE:-${HOME:?HOME is not set}/.cache/rivet}
JOBS=${RIVET_JOBS:-$(nproc)}
CROSS=riscv64-linux-gnu-
DISK_SIZE=32M
# Fixed file-system UUID so that the disk image is the same on every build.
DISK_UUID=5ab1e5e0-71e7-4b1d-9a5e-000000000001
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
DEBSRC_FILE=/etc/apt/sources.list.d/rivet-deb-src.sources

# Debian packages the build needs (host tools, cross compiler, sources).
PACKAGES=(
  linux-source-6.1 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  gcc libc6-dev make bc bison flex libssl-dev libelf-dev perl
  xz-utils cpio gzip fakeroot dpkg-dev e2fsprogs
  opensbi  # not for the build: the firmware that boots the images
)
BIOS=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin

START=$SECONDS
die() { printf 'build-images: error: %s\n' "$*" >&2; exit 1; }
step() { printf '[%4ds] %s\n' "$((SECONDS - START))" "$*" >&2; }

# ---------------------------------------------------------------------------
# Recipe hash
# ---------------------------------------------------------------------------

# The recipe: this script, the kernel and busybox configs, the init script,
# and the trees copied into the initramfs and the disk.
recipe_files() {
  (
    cd "$GUEST_DIR"
    printf '%s\n' build-images.sh linux.config busybox.config init
    find rootfs disk -type f -o -type l
  ) | LC_ALL=C sort
}

recipe_hash() {
  local f m
  (
    cd "$GUEST_DIR"
    recipe_files | while IFS= read -r f; do
      [ -e "$f" ] || [ -L "$f" ] || die "recipe file guest/$f is missing"
      if [ -L "$f" ]; then
        printf '%s link %s\n' "$f" "$(readlink "$f")"
      else
        # The executable bit matters too (not the rest of the mode, which
        # depends on the umask of the checkout).
        if [ -x "$f" ]; then m=x; else m=-; fi
        printf '%s %s %s\n' "$f" "$m" "$(sha256sum <"$f" | cut -d' ' -f1)"
      fi
    done
  ) | sha256sum | cut -c1-12
}

HASH=$(recipe_hash)
FINAL="$CACHE_ROOT/images-$HASH"

if [ -f "$FINAL/manifest" ]; then
  step "guest images for recipe $HASH are cached"
  printf '%s\n' "$FINAL" >&3
  exit 0
fi

mkdir -p "$CACHE_ROOT"
CACHE_ROOT=$(cd "$CACHE_ROOT" && pwd -P)
FINAL="$CACHE_ROOT/images-$HASH"
TMP="$FINAL.tmp"
LOG="$TMP/build.log"

# One builder per recipe at a time; a second caller waits, then reuses.
exec 9>"$FINAL.lock"
if ! flock -n 9; then
  step "another build of recipe $HASH is running; waiting for it"
  flock 9
fi
if [ -f "$FINAL/manifest" ]; then
  step "guest images for recipe $HASH were built meanwhile"
  printf '%s\n' "$FINAL" >&3
  exit 0
fi

step "building guest images for recipe $HASH into $FINAL"

# ---------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    SUDO=(false)
  fi
fi

as_root() {
  if [ "${SUDO[0]:-}" = false ]; then
    die "need root to run '$*' (not root and sudo is not installed)"
  fi
  "${SUDO[@]}" "$@"
}

pkg_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

APT_UPDATED=0
apt_update() {
  step "apt-get update"
  as_root apt-get update -qq >>"$CACHE_ROOT/apt.log" 2>&1 ||
    die "apt-get update failed (see $CACHE_ROOT/apt.log)"
  APT_UPDATED=1
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    pkg_installed "$p" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$APT_UPDATED" -eq 1 ] || apt_update
  step "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" \
    >>"$CACHE_ROOT/apt.log" 2>&1 ||
    die "apt-get install ${missing[*]} failed (see $CACHE_ROOT/apt.log)"
}

codename() {
  local c=""
  if [ -r /etc/os-release ]; then
    # shellcheck disable=SC1091
    c=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  fi
  printf '%s' "${c:-bookworm}"
}

# Is a deb-src entry for the release's main suite configured (one-line or
# deb822 form)?
have_deb_src() {
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    grep -Eq "^[[:space:]]*deb-src[[:space:]].*[[:space:]]$suite([[:space:]]|\$)" \
      "$f" && return 0
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk -v suite="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) types = $i
          if ($i ~ /^Suites:/) suites = $i " "
          if ($i ~ /^Enabled:/) enabled = tolower($i)
        }
        if (types ~ /[ \t]deb-src([ \t]|$)/ && enabled !~ /no/ &&
            index(suites, " " suite " ") > 0) found = 1
      }
      END { exit !found }' "$f" && return 0
  done
  return 1
}

# Write deb-src stanzas mirroring the configured deb entries of the Debian
# archive (same URIs, Suites, Components).
write_deb_src() {
  local text=""
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    text=$(awk -v keyring="$KEYRING" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; comps = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) types = $i
          if ($i ~ /^URIs:/) uris = $i
          if ($i ~ /^Suites:/) suites = $i
          if ($i ~ /^Components:/) comps = $i
        }
        if (types ~ /[ \t]deb([ \t]|$)/ && uris != "" && suites != "") {
          if (n++) printf "\n"
          printf "Types: deb-src\n%s\n%s\n%s\nSigned-By: %s\n",
            uris, suites, comps, keyring
        }
      }' /etc/apt/sources.list.d/debian.sources)
  elif [ -r /etc/apt/sources.list ]; then
    # One-line form: deb [options] URI suite component...
    text=$(awk -v keyring="$KEYRING" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
        if (i + 1 > NF) next
        if (n++) printf "\n"
        printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:", $i, $(i + 1)
        for (j = i + 2; j <= NF; j++) printf " %s", $j
        printf "\nSigned-By: %s\n", keyring
      }' /etc/apt/sources.list)
  fi
  [ -n "$text" ] ||
    die "no Debian 'deb' entry found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list to derive a deb-src entry from"
  step "adding deb-src entries in $DEBSRC_FILE"
  printf '# Added by rivet guest/build-images.sh (busybox sources).\n%s\n' \
    "$text" | as_root tee "$DEBSRC_FILE" >/dev/null
}

ensure_deb_src() {
  local suite
  suite=$(codename)
  if have_deb_src "$suite"; then
    # Source lists may never have been fetched on this machine.
    if ! apt-cache showsrc busybox >/dev/null 2>&1 ||
      [ -z "$(apt-cache showsrc busybox 2>/dev/null)" ]; then
      [ "$APT_UPDATED" -eq 1 ] || apt_update
    fi
  else
    write_deb_src
    apt_update
  fi
}

# ---------------------------------------------------------------------------
# Build helpers
# ---------------------------------------------------------------------------

# Run a command with its output in the build log; on failure show the end of
# the log and stop.
run() {
  printf '\n$ %s\n' "$*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    printf -- '--- last lines of %s ---\n' "$LOG" >&2
    tail -n 40 "$LOG" >&2
    die "command failed: $*  (full log: $LOG; the partial build stays in $TMP)"
  fi
}

# Check a kconfig .config against a fragment: every CONFIG_X=v line must be
# in .config as is, every "# CONFIG_X is not set" must not be set.
check_config() {
  local frag=$1 config=$2 what=$3 line sym bad=0
  while IFS= read -r line; do
    case $line in
      CONFIG_*=*)
        if ! grep -qxF -- "$line" "$config"; then
          sym=${line%%=*}
          printf '  wanted %s, got: %s\n' "$line" \
            "$(grep -E "^(# )?${sym}[= ]" "$config" || echo "(absent)")" >&2
          bad=1
        fi
        ;;
      "# CONFIG_"*" is not set")
        sym=${line#\# }
        sym=${sym%% *}
        if grep -q "^$sym=" "$config"; then
          printf '  wanted %s unset, got: %s\n' "$sym" \
            "$(grep "^$sym=" "$config")" >&2
          bad=1
        fi
        ;;
    esac
  done <"$frag"
  [ "$bad" -eq 0 ] ||
    die "$what config: options above did not end up as guest/$(basename "$frag") asks (missing dependency or typo?)"
}

# ---------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------

install_packages

rm -rf "$TMP"
mkdir -p "$TMP/build"
: >"$LOG"
BUILD="$TMP/build"

LINUX_TARBALL=/usr/src/linux-source-6.1.tar.xz
[ -r "$LINUX_TARBALL" ] ||
  die "$LINUX_TARBALL not found although linux-source-6.1 is installed"

# --- Linux -------------------------------------------------------------------
step "unpacking $LINUX_TARBALL"
run tar -xf "$LINUX_TARBALL" -C "$BUILD"
LINUX_SRC=$(find "$BUILD" -mindepth 1 -maxdepth 1 -type d -name 'linux-source-*' | head -n1)
[ -n "$LINUX_SRC" ] || die "no linux-source-* directory in $LINUX_TARBALL"

KMAKE=(make -C "$LINUX_SRC" ARCH=riscv CROSS_COMPILE="$CROSS"
  KBUILD_BUILD_USER=rivet KBUILD_BUILD_HOST=rivet)

step "configuring Linux: allnoconfig + guest/linux.config"
run "${KMAKE[@]}" KCONFIG_ALLCONFIG="$GUEST_DIR/linux.config" allnoconfig
check_config "$GUEST_DIR/linux.config" "$LINUX_SRC/.config" Linux

step "compiling Linux (make -j$JOBS Image; takes a few minutes)"
run "${KMAKE[@]}" -j"$JOBS" Image
cp "$LINUX_SRC/arch/riscv/boot/Image" "$TMP/Image"
cp "$LINUX_SRC/.config" "$TMP/kernel.config"
cp "$LINUX_SRC/System.map" "$TMP/System.map"
KERNEL_RELEASE=$(cat "$LINUX_SRC/include/config/kernel.release")
# The banner the kernel prints first ("Linux version 6.1... (rivet@rivet) ...").
KERNEL_VERSION=$(LC_ALL=C grep -a -o 'Linux version [[:print:]]* #[0-9][[:print:]]*' \
  "$TMP/Image" | head -n1 || true)
step "Linux $KERNEL_RELEASE built: Image $(du -h "$TMP/Image" | cut -f1)"

# --- busybox -------------------------------------------------------------------
ensure_deb_src
step "fetching busybox sources (apt-get source busybox)"
mkdir -p "$BUILD/busybox-src"
run sh -c 'cd "$1" && exec apt-get source busybox' sh "$BUILD/busybox-src"
BUSYBOX_SRC=$(find "$BUILD/busybox-src" -mindepth 1 -maxdepth 1 -type d -name 'busybox-*' | head -n1)
[ -n "$BUSYBOX_SRC" ] || die "apt-get source busybox left no busybox-* directory"
BUSYBOX_DEB_VERSION=$(dpkg-parsechangelog -l "$BUSYBOX_SRC/debian/changelog" -S Version)

BMAKE=(make -C "$BUSYBOX_SRC" CROSS_COMPILE="$CROSS")

step "configuring busybox $BUSYBOX_DEB_VERSION: defconfig + guest/busybox.config"
run "${BMAKE[@]}" defconfig
# Apply the fragment: drop each symbol it names, append its line, then let
# kconfig resolve the rest.
sed -n 's/^\(# \)\{0,1\}\(CONFIG_[A-Za-z0-9_]*\)[= ].*/\2/p' \
  "$GUEST_DIR/busybox.config" | sort -u >"$BUILD/busybox-syms"
grep -vwFf "$BUILD/busybox-syms" "$BUSYBOX_SRC/.config" >"$BUILD/busybox.config.new" || true
grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$GUEST_DIR/busybox.config" \
  >>"$BUILD/busybox.config.new"
mv "$BUILD/busybox.config.new" "$BUSYBOX_SRC/.config"
run "${BMAKE[@]}" oldconfig </dev/null
check_config "$GUEST_DIR/busybox.config" "$BUSYBOX_SRC/.config" busybox

step "compiling busybox (static, riscv64)"
run "${BMAKE[@]}" -j"$JOBS" busybox busybox.links
cp "$BUSYBOX_SRC/.config" "$TMP/busybox.config"
LC_ALL=C "${CROSS}readelf" -h "$BUSYBOX_SRC/busybox" | grep -q 'Machine:.*RISC-V' ||
  die "busybox is not a RISC-V binary"
if LC_ALL=C "${CROSS}readelf" -l "$BUSYBOX_SRC/busybox" | grep -q INTERP; then
  die "busybox is dynamically linked (CONFIG_STATIC did not take)"
fi

# --- initramfs -------------------------------------------------------------------
step "assembling the initramfs"
ROOT="$BUILD/initramfs"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,mnt,tmp,etc,root,run}
install -m 0755 "$BUSYBOX_SRC/busybox" "$ROOT/bin/busybox"
# The applet links, as `busybox --install -s` would make them (it cannot run
# on the host): busybox.links lists one absolute path per applet.
while IFS= read -r link; do
  case $link in
    /bin/busybox | /linuxrc | "") continue ;;
  esac
  dir=$(dirname "$link")
  rel=$(printf '%s' "${dir#/}" | sed 's#[^/][^/]*#..#g')
  mkdir -p "$ROOT$dir"
  ln -sfn "$rel/bin/busybox" "$ROOT$link"
done <"$BUSYBOX_SRC/busybox.links"
[ -L "$ROOT/sbin/init" ] || die "busybox has no init applet (see guest/busybox.config)"
cp -a "$GUEST_DIR/rootfs/." "$ROOT/"
install -m 0755 "$GUEST_DIR/init" "$ROOT/init"
chmod 1777 "$ROOT/tmp"
chmod 0700 "$ROOT/root"

# mknod and root ownership without being root: one fakeroot session makes the
# device nodes and writes the archive.
# shellcheck disable=SC2016 # expanded by the inner shell
run fakeroot -- sh -c '
  set -e
  cd "$1"
  mknod -m 0600 dev/console c 5 1
  mknod -m 0666 dev/null c 1 3
  chown -R 0:0 .
  find . -mindepth 1 -print0 | LC_ALL=C sort -z |
    cpio --null --create --format=newc --owner 0:0 --reproducible --quiet >"$2"
' sh "$ROOT" "$BUILD/initramfs.cpio"
gzip -9 -n -c "$BUILD/initramfs.cpio" >"$TMP/initramfs.cpio.gz"
step "initramfs: $(du -h "$TMP/initramfs.cpio.gz" | cut -f1) ($(wc -l <"$BUSYBOX_SRC/busybox.links") applets)"

# --- disk -------------------------------------------------------------------------
step "making disk.ext2 ($DISK_SIZE, mke2fs -d guest/disk)"
run fakeroot -- mke2fs -q -F -t ext2 -L rivet -U "$DISK_UUID" \
  -E root_owner=0:0,hash_seed="$DISK_UUID" -d "$GUEST_DIR/disk" \
  "$TMP/disk.ext2" "$DISK_SIZE"

# --- manifest, publish -----------------------------------------------------------------
step "removing build trees"
rm -rf "$BUILD"

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
BUILD_SECONDS=$((SECONDS - START))
{
  printf '# rivet guest images (guest/build-images.sh)\n'
  printf 'hash=%s\n' "$HASH"
  printf 'dir=%s\n' "$FINAL"
  printf 'kernel=%s/Image\n' "$FINAL"
  printf 'initrd=%s/initramfs.cpio.gz\n' "$FINAL"
  printf 'disk=%s/disk.ext2\n' "$FINAL"
  printf 'bios=%s\n' "$BIOS"
  printf 'kernel_config=%s/kernel.config\n' "$FINAL"
  printf 'system_map=%s/System.map\n' "$FINAL"
  printf 'kernel_release=%s\n' "$KERNEL_RELEASE"
  printf 'kernel_version=%s\n' "$KERNEL_VERSION"
  printf 'linux_source_deb=%s\n' "$(pkg_version linux-source-6.1)"
  printf 'busybox_source_deb=%s\n' "$BUSYBOX_DEB_VERSION"
  printf 'cross_gcc_deb=%s\n' "$(pkg_version gcc-riscv64-linux-gnu)"
  printf 'opensbi_deb=%s\n' "$(pkg_version opensbi)"
  printf 'jobs=%s\n' "$JOBS"
  printf 'built_at=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'build_seconds=%s\n' "$BUILD_SECONDS"
} >"$TMP/manifest.new"
# The manifest is written last: its presence marks a complete directory.
mv "$TMP/manifest.new" "$TMP/manifest"

rm -rf "$FINAL"
mv "$TMP" "$FINAL"
step "done in ${BUILD_SECONDS}s: $FINAL"
printf '%s\n' "$FINAL" >&3
