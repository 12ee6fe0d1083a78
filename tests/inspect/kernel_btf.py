#!/usr/bin/env python3
"""Obtains the BTF of a Debian kernel series (e.g. 6.1) for bpfkit's inspect tests.

    kernel_btf.py --series 6.1 --cache DIR [--search DIR]... --result FILE

Writes DIR/<series>/vmlinux.btf (the raw .BTF section of that kernel) once and
reuses it afterwards. The kernel comes from, in order:
  - DIR/<series>/vmlinux.btf already extracted;
  - a vmlinuz unpacked by ci/kernel-matrix.sh (<search>/<series>/root/boot/vmlinuz-*);
  - the newest linux-image-<series>.*-amd64-unsigned package: `apt-get download`,
    and only its boot/vmlinuz-* is unpacked (nothing is installed).
The vmlinuz is a bzImage: its compressed payload (xz, gzip, bzip2 or zstd) is
found by its magic bytes and decompressed into the ELF vmlinux, whose .BTF
section is the kernel's BTF.

On success the BTF's path and the package it came from are written to
FILE as "path=...\npackage=...\n". When the BTF cannot be obtained (no apt
source, no network, no space...) FILE gets "skip=<reason>\n" instead and the
script still exits 0: the tests that need the BTF read FILE and report
themselves skipped with that reason. Exit 2 is for a wrong command line.
"""
import argparse
import bz2
import contextlib
import fcntl
import glob
import gzip
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib


class Unavailable(Exception):
    """The BTF cannot be obtained on this machine; the message says why."""


def newest_package(series):
    pattern = "^linux-image-%s[.-].*-amd64-unsigned$" % re.escape(series)
    try:
        listing = subprocess.run(["apt-cache", "search", "--names-only", pattern],
                                 capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        raise Unavailable("apt-cache is not installed")
    names = [line.split()[0] for line in listing.splitlines() if line.strip()]
    names = [n for n in names if "-cloud-" not in n and "-rt-" not in n]
    if not names:
        raise Unavailable("no linux-image-%s.*-amd64-unsigned package known to apt "
                          "(run apt-get update, or add Debian bookworm to the apt sources)" % series)

    def version_key(name):
        return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]

    return sorted(names, key=version_key)[-1]


def download_vmlinuz(series, work):
    """Downloads the kernel package into `work` and unpacks only boot/vmlinuz-*."""
    package = newest_package(series)
    result = subprocess.run(["apt-get", "download", "-q", package], cwd=work,
                            capture_output=True, text=True, check=False)
    debs = glob.glob(os.path.join(work, "*.deb"))
    if result.returncode != 0 or not debs:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise Unavailable("apt-get download %s failed: %s" % (package, last[0]))
    fsys = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", debs[0]], stdout=subprocess.PIPE)
    untar = subprocess.run(["tar", "-x", "-C", work, "--wildcards", "./boot/vmlinuz-*"],
                           stdin=fsys.stdout, capture_output=True, text=True, check=False)
    fsys.stdout.close()
    fsys.wait()
    found = glob.glob(os.path.join(work, "boot", "vmlinuz-*"))
    if fsys.returncode != 0 or untar.returncode != 0 or not found:
        raise Unavailable("cannot unpack boot/vmlinuz-* from %s: %s" % (debs[0], untar.stderr.strip()))
    for deb in debs:
        os.unlink(deb)
    return found[0], package


def zstd_decompress(data):
    tool = shutil.which("zstd")
    if not tool:
        raise ValueError("zstd is not installed")
    result = subprocess.run([tool, "-d", "-c", "-q"], input=data, capture_output=True, check=False)
    # A zstd frame followed by other bytes: zstd reports the trailing garbage
    # but writes the frame's content first.
    return result.stdout


# Payload magic bytes and the decompressor of each (scripts/extract-vmlinux
# tries the same formats).
DECOMPRESSORS = [
    (b"\xfd7zXZ\x00", lambda d: lzma.LZMADecompressor().decompress(d)),
    (b"\x1f\x8b\x08", lambda d: zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(d)),
    (b"BZh", lambda d: bz2.BZ2Decompressor().decompress(d)),
    (b"\x28\xb5\x2f\xfd", zstd_decompress),
]


def decompress_vmlinux(vmlinuz):
    with open(vmlinuz, "rb") as f:
        image = f.read()
    if image[:4] == b"\x7fELF":
        return image
    for magic, decompress in DECOMPRESSORS:
        start = image.find(magic)
        while start >= 0:
            try:
                out = decompress(image[start:])
                if out[:4] == b"\x7fELF":
                    return out
            except (lzma.LZMAError, zlib.error, OSError, EOFError, ValueError):
                pass
            start = image.find(magic, start + 1)
    raise Unavailable("%s: no compressed ELF payload found (xz, gzip, bzip2, zstd)" % vmlinuz)


def btf_section(elf, where):
    """The bytes of the .BTF section of a 64-bit little-endian ELF."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise Unavailable("%s: not a 64-bit little-endian ELF vmlinux" % where)
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def header(i):
        name, _type, _flags, _addr, offset, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        return name, offset, size

    _, strings_offset, _ = header(shstrndx)
    for i in range(shnum):
        name_offset, offset, size = header(i)
        start = strings_offset + name_offset
        name = elf[start:elf.index(b"\0", start)]
        if name == b".BTF":
            return elf[offset:offset + size]
    raise Unavailable("%s has no .BTF section (a kernel built without CONFIG_DEBUG_INFO_BTF)" % where)


def obtain(series, cache, search):
    directory = os.path.join(cache, series)
    btf_path = os.path.join(directory, "vmlinux.btf")
    package_path = os.path.join(directory, "package")
    if os.path.exists(btf_path) and os.path.exists(package_path):
        with open(package_path) as f:
            return btf_path, f.read().strip()

    vmlinuz, package = None, None
    for root in search:
        found = sorted(glob.glob(os.path.join(root, series, "root", "boot", "vmlinuz-*")))
        if found:
            vmlinuz = found[-1]
            marker = os.path.join(root, series, "package")
            package = open(marker).read().strip() if os.path.exists(marker) else os.path.basename(vmlinuz)
            break
    os.makedirs(directory, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".download-") as work:
        if vmlinuz is None:
            vmlinuz, package = download_vmlinuz(series, work)
        btf = btf_section(decompress_vmlinux(vmlinuz), vmlinuz)
        # Written under temporary names and renamed: a reader never sees half a file.
        for path, data in ((btf_path, btf), (package_path, (package + "\n").encode())):
            temporary = os.path.join(work, os.path.basename(path))
            with open(temporary, "wb") as f:
                f.write(data)
            os.replace(temporary, path)
    return btf_path, package


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", required=True, help="kernel series, e.g. 6.1")
    parser.add_argument("--cache", required=True, help="directory that keeps the extracted BTF")
    parser.add_argument("--search", action="append", default=[],
                        help="directory where ci/kernel-matrix.sh unpacks kernels (repeatable)")
    parser.add_argument("--result", required=True, help="file to write path=/package= or skip= into")
    args = parser.parse_args()
    if not re.fullmatch(r"\d+\.\d+", args.series):
        parser.error("--series takes a kernel series like 6.1, not %r" % args.series)

    try:
        os.makedirs(args.cache, exist_ok=True)
        # One extraction at a time per cache, also across build trees sharing it.
        with open(os.path.join(args.cache, ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path, package = obtain(args.series, args.cache, args.search)
        result = "path=%s\npackage=%s\n" % (path, package)
        print("kernel %s BTF: %s (from %s)" % (args.series, path, package))
    except (Unavailable, OSError) as e:
        result = "skip=cannot obtain the BTF of Debian's %s kernel: %s\n" % (args.series, e)
        print(result.strip())
    try:
        with open(args.result + ".tmp", "w") as f:
            f.write(result)
        os.replace(args.result + ".tmp", args.result)
    except OSError as e:
        # The dependent tests then read what an earlier run wrote, or skip.
        print("cannot write %s: %s" % (args.result, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
