"""The initramfs the matrix boots: busybox-static, ci/vm/init as /init and
the modules it loads from /modules in the order of their file names.

Written directly as a newc cpio archive, so building it needs neither root
(the /dev/console node is an archive entry) nor a cpio program.
"""
from __future__ import annotations

import gzip
import os
import stat
from pathlib import Path


class Cpio:
    """A newc ("070701") cpio archive in memory."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._inode = 1

    def _entry(self, name: str, mode: int, data: bytes = b"", rdev=(0, 0)):
        encoded = name.encode() + b"\0"
        fields = [self._inode, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0]
        self._inode += 1
        header = b"070701" + b"".join(b"%08X" % value for value in fields)
        self._chunks += [header, encoded, b"\0" * (-(len(header) + len(encoded)) % 4),
                         data, b"\0" * (-len(data) % 4)]

    def directory(self, name: str):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name: str, data: bytes, mode: int = 0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def char_device(self, name: str, major: int, minor: int):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        return b"".join(self._chunks)


def build(output: Path, busybox: Path, init: Path, modules: list[tuple[str, bytes]]):
    """Writes the initramfs (gzip-compressed cpio) to output, atomically."""
    archive = Cpio()
    for directory in ("bin", "dev", "proc", "sys", "modules"):
        archive.directory(directory)
    archive.char_device("dev/console", 5, 1)
    archive.file("bin/busybox", busybox.read_bytes(), 0o755)
    archive.file("init", init.read_bytes(), 0o755)
    for number, (name, elf) in enumerate(modules, 1):
        archive.file(f"modules/{number:02d}-{name}.ko", elf)
    temporary = output.with_name(f".{output.name}.{os.getpid()}")
    temporary.write_bytes(gzip.compress(archive.finish(), compresslevel=1))
    os.replace(temporary, output)
