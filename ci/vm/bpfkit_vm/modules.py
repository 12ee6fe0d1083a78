"""Kernel modules of an unpacked kernel: their dependencies, read from each
module's .modinfo ELF section (a kernel package ships no modules.dep, and
the host need not have depmod), and their decompressed contents."""
from __future__ import annotations

import gzip
import lzma
import struct
import subprocess
from pathlib import Path


def read_module(path: Path) -> bytes:
    """The module's ELF bytes, decompressed (.ko, .ko.xz, .ko.gz, .ko.zst)."""
    data = path.read_bytes()
    if path.name.endswith(".xz"):
        return lzma.decompress(data)
    if path.name.endswith(".gz"):
        return gzip.decompress(data)
    if path.name.endswith(".zst"):
        return subprocess.run(["zstd", "-qdc", str(path)], check=True, capture_output=True).stdout
    return data


def modinfo(elf: bytes) -> dict[str, str]:
    """The key=value pairs of a 64-bit little-endian ELF's .modinfo section."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def section(index):
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", elf, shoff + index * shentsize)
        return name, offset, size

    _, names_offset, _ = section(shstrndx)
    for index in range(shnum):
        name, offset, size = section(index)
        end = elf.index(b"\0", names_offset + name)
        if elf[names_offset + name:end] == b".modinfo":
            info = {}
            for entry in elf[offset:offset + size].split(b"\0"):
                key, sep, value = entry.partition(b"=")
                if sep:
                    info.setdefault(key.decode(), value.decode(errors="replace"))
            return info
    return {}


def normalize(name: str) -> str:
    return name.replace("-", "_")


class ModuleTree:
    """lib/modules/<release> of an unpacked kernel."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.release = directory.name
        self.paths = {}
        for path in sorted(directory.rglob("*.ko*")):
            base = path.name.split(".ko", 1)[0]
            self.paths.setdefault(normalize(base), path)
        self.builtin = set()
        builtin = directory / "modules.builtin"
        if builtin.exists():
            for line in builtin.read_text().split():
                self.builtin.add(normalize(Path(line).name.split(".ko", 1)[0]))

    def closure(self, wanted: list[str]) -> tuple[list[tuple[str, bytes]], list[str]]:
        """The wanted modules and their dependencies in load order, as
        (name, ELF bytes); and the wanted names that are neither a module nor
        built into the kernel."""
        ordered, seen, absent = [], set(), []

        def add(name, top_level):
            name = normalize(name)
            if name in seen:
                return
            seen.add(name)
            path = self.paths.get(name)
            if path is None:
                if top_level and name not in self.builtin:
                    absent.append(name)
                return
            elf = read_module(path)
            for dependency in filter(None, modinfo(elf).get("depends", "").split(",")):
                add(dependency, False)
            ordered.append((name, elf))

        for name in wanted:
            add(name, True)
        return ordered, absent
