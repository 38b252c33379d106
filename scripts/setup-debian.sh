#!/usr/bin/env bash
# Installs the Debian packages rivet's build, tests and guests need, when
# they are missing. Safe to run again: it installs nothing that is present.
#
#   gcc-riscv64-unknown-elf  test ROMs and guest benchmarks (bare metal)
#   picolibc-riscv64-unknown-elf  the C library of the semihosting test program
#   qemu-system-misc         the reference machine for differential tests
#   opensbi                  the default firmware (-bios default)
#   u-boot-qemu              a guest built for QEMU virt, to prove compatibility
#   device-tree-compiler     checks of -dumpdtb
#   cmake, gcc, make         softfloat-wrapper (the F/D test oracle) builds C
#   gdb-multiarch            the debugger the GDB stub's tests drive
#   e2fsprogs                debugfs, to read the guest's disk image in tests
#   libslirp-dev, libglib2.0-dev, pkg-config  the user network (-netdev user): libslirp links against glib
#   qemu-utils               qemu-img: makes, checks and compares qcow2 images in tests
#   qemu-user                qemu-riscv64: the oracle for Linux user programs (linux_extensions)
#   iproute2                 ip: the tap tests (net_tap) address and delete host interfaces
#   attr                     getfattr: reads the 9p share's user.virtfs.* xattrs in tests (linux_9p_security)
#
# Rust itself comes from rustup (https://rustup.rs), not from here.
set -euo pipefail

packages=(gcc make cmake gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc opensbi u-boot-qemu device-tree-compiler e2fsprogs gdb-multiarch libslirp-dev libglib2.0-dev pkg-config qemu-utils qemu-user iproute2 attr)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=()
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then
        sudo=(sudo)
    else
        echo "setup-debian.sh: missing packages ${missing[*]}; run as root to install them" >&2
        exit 1
    fi
fi
echo "setup-debian.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
if ! command -v cargo >/dev/null; then
    echo "setup-debian.sh: cargo not found: install Rust with rustup (https://rustup.rs)" >&2
    exit 1
fi
