#!/usr/bin/env python3
"""Boot rivet's guest images on QEMU (or a QEMU-compatible emulator) and
drive the serial console like a person would.

    guest/qemu-smoke.py [IMAGES_DIR] [--qemu CMD] [--smp N] [-v]

Without IMAGES_DIR it runs guest/build-images.sh and uses the directory that
script prints last. The disk is booted from a copy in a temporary directory;
the cached disk.ext2 is never written.

Checks: the banner "rivet: shell ready" appears; the shell has job control
on a real tty; `uname -a` says riscv64;
/proc/cpuinfo lists one "processor" per hart (-smp); the guest clock (from the
Goldfish RTC) is within two minutes of the host's; a file written to /mnt
survives `sync`; /mnt/README has the known line; `poweroff` makes the emulator
exit by itself with status 0; afterwards the disk copy holds hello.txt
(debugfs) and is clean (e2fsck -fn).

Prints the boot-to-banner time, and a closing "N passed, N failed" line.
"""

import argparse
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

GUEST_DIR = os.path.dirname(os.path.abspath(__file__))
BANNER = b"rivet: shell ready"
PROMPT = re.compile(rb"root@rivet:[^\r\n]*# ")
DISK_CHECK = "rivet-disk-check: 7f3a9c21"
DEFAULT_BIOS = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"


class Failure(Exception):
    pass


class Console:
    """The emulator's stdio, read by a thread into one growing buffer."""

    def __init__(self, argv, log_path, verbose):
        self.buf = bytearray()
        self.pos = 0  # everything before pos has been consumed by expect()
        self.cond = threading.Condition()
        self.eof = False
        self.verbose = verbose
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 4096)
            with self.cond:
                if not data:
                    self.eof = True
                    self.cond.notify_all()
                    return
                self.buf += data
                self.cond.notify_all()
            self.log.write(data)
            self.log.flush()
            if self.verbose:
                sys.stderr.buffer.write(data)
                sys.stderr.buffer.flush()

    def expect(self, pattern, timeout, what):
        """Wait for a regex (bytes) in the unread output; return the match."""
        if isinstance(pattern, bytes):
            pattern = re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = pattern.search(self.buf, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                if self.eof:
                    raise Failure(f"emulator output ended while waiting for {what}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure(f"timed out after {timeout:.0f}s waiting for {what}")
                self.cond.wait(left)

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def tail(self, lines=40):
        with self.cond:
            text = bytes(self.buf).decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=5)
        self.log.close()


class Shell:
    """Runs commands at the guest shell, framed by markers the typed echo of
    the command line cannot contain (the shell joins @B''1@ into @B1@)."""

    def __init__(self, console, timeout):
        self.console = console
        self.timeout = timeout
        self.n = 0

    def run(self, cmd, timeout=None):
        self.n += 1
        n = self.n
        self.console.send(f"echo @B''{n}@; {cmd}; echo @E''{n}@ $?\n")
        m = self.console.expect(
            re.compile(rb"@B%d@\r?\n(.*?)@E%d@ (\d+)\r?\n" % (n, n), re.S),
            timeout or self.timeout, f"the output of `{cmd}`")
        out = m.group(1).decode(errors="replace").replace("\r\n", "\n")
        return out, int(m.group(2))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def images_dir_from_build():
    script = os.path.join(GUEST_DIR, "build-images.sh")
    out = subprocess.run([script], stdout=subprocess.PIPE, check=True, text=True)
    lines = out.stdout.strip().splitlines()
    if not lines:
        raise Failure("build-images.sh printed no images directory")
    return lines[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("images", nargs="?", help="images directory (default: build or reuse)")
    ap.add_argument("--qemu", default="qemu-system-riscv64",
                    help="emulator command (split like a shell would); default %(default)s")
    ap.add_argument("--bios", default=DEFAULT_BIOS, help="OpenSBI firmware; default %(default)s")
    ap.add_argument("--smp", type=int, default=2, help="harts; default %(default)s")
    ap.add_argument("--mem", default="256M", help="guest RAM; default %(default)s")
    ap.add_argument("--boot-timeout", type=float, default=120,
                    help="seconds to wait for the banner; default %(default)s")
    ap.add_argument("--timeout", type=float, default=60,
                    help="seconds for each command and for poweroff; default %(default)s")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="copy the console to stderr")
    args = ap.parse_args()

    images = os.path.abspath(args.images or images_dir_from_build())
    for name in ("Image", "initramfs.cpio.gz", "disk.ext2"):
        if not os.path.isfile(os.path.join(images, name)):
            raise Failure(f"{images}/{name} is missing")
    if not os.path.isfile(args.bios):
        raise Failure(f"firmware {args.bios} not found (Debian package opensbi)")

    work = tempfile.mkdtemp(prefix="rivet-smoke-")
    disk = os.path.join(work, "disk.ext2")
    cached_disk = os.path.join(images, "disk.ext2")
    cached_sum = sha256(cached_disk)
    shutil.copyfile(cached_disk, disk)
    log_path = os.path.join(work, "console.log")

    argv = shlex.split(args.qemu) + [
        "-M", "virt", "-m", args.mem, "-smp", str(args.smp), "-nographic",
        "-bios", args.bios,
        "-kernel", os.path.join(images, "Image"),
        "-initrd", os.path.join(images, "initramfs.cpio.gz"),
        "-append", "console=ttyS0",
        "-drive", f"file={disk},format=raw,if=none,id=hd0",
        "-device", "virtio-blk-device,drive=hd0",
    ]
    print("smoke: images", images, file=sys.stderr)
    print("smoke: $", " ".join(shlex.quote(a) for a in argv), file=sys.stderr)

    passed, failed = [], []

    def check(name, ok, detail=""):
        (passed if ok else failed).append(name)
        print(f"smoke: {'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}",
              file=sys.stderr)

    start = time.monotonic()
    console = Console(argv, log_path, args.verbose)
    try:
        console.expect(BANNER, args.boot_timeout, "the banner 'rivet: shell ready'")
        banner_s = time.monotonic() - start
        print(f"smoke: boot to banner {banner_s:.2f}s", file=sys.stderr)
        console.expect(PROMPT, args.timeout, "the shell prompt")
        sh = Shell(console, args.timeout)

        out, rc = sh.run("echo $-; tty")
        check("job control", rc == 0 and "m" in out.split()[0]
              and "job control turned off" not in console.tail(200),
              f"shell flags {out.split()[0] if out.split() else '?'}, tty {out.split()[-1] if out.split() else '?'}")

        out, rc = sh.run("uname -a")
        check("uname", rc == 0 and "riscv64" in out and "Linux rivet" in out, out.strip())

        out, rc = sh.run("cat /proc/cpuinfo")
        harts = len(re.findall(r"^processor\s*:", out, re.M))
        check("cpuinfo", rc == 0 and harts == args.smp, f"{harts} harts listed, want {args.smp}")

        out, rc = sh.run("date; date +%s")
        lines = out.split()
        try:
            skew = int(lines[-1]) - time.time()
        except (ValueError, IndexError):
            skew = float("inf")
        check("date", rc == 0 and abs(skew) < 120,
              f"{' '.join(lines[:-1])} (guest - host = {skew:+.0f}s)")

        out, rc = sh.run("echo hello > /mnt/hello.txt; sync")
        check("write /mnt/hello.txt", rc == 0, out.strip())

        out, rc = sh.run("cat /mnt/README")
        check("cat /mnt/README", rc == 0 and DISK_CHECK in out)

        console.send("poweroff\n")
        console.expect(re.compile(rb"reboot: Power down|reboot: Restarting"),
                       args.timeout, "the kernel's power-down message")
        try:
            code = console.proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            code = None
        check("poweroff", code == 0,
              "emulator exited with status 0" if code == 0 else
              f"emulator still running after {args.timeout:.0f}s" if code is None else
              f"emulator exited with status {code}")
    except Failure as e:
        check("console", False, str(e))
    finally:
        console.close()
    total_s = time.monotonic() - start

    if console.proc.returncode is not None and not failed:
        got = subprocess.run(["debugfs", "-R", "cat /hello.txt", disk],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        check("hello.txt on the disk copy", got.stdout == "hello\n", repr(got.stdout))
        fsck = subprocess.run(["e2fsck", "-fn", disk],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        check("disk copy clean (e2fsck -fn)", fsck.returncode == 0,
              fsck.stdout.strip().splitlines()[-1] if fsck.stdout.strip() else "")
    check("cached disk.ext2 unchanged", sha256(cached_disk) == cached_sum)

    if failed:
        print("smoke: --- last console lines ---", file=sys.stderr)
        print(console.tail(), file=sys.stderr)
        print(f"smoke: console log kept in {log_path}", file=sys.stderr)
    elif args.keep:
        print(f"smoke: work directory kept in {work}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"smoke: total {total_s:.2f}s", file=sys.stderr)
    print(f"smoke: {len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print(f"smoke: error: {e}", file=sys.stderr)
        sys.exit(1)
