"""What bench/run measures with: an installed bpfkit (given, or installed
from a build tree into the work directory), the compilers and bpftool."""
import os
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from .process import BenchError, progress, run

TOOLS = ("bpfkit-link", "bpfkit-skel", "bpfkit-vmlinux", "bpfkit-cc", "bpfkit-test", "bpfkit")


@dataclass
class Toolchain:
    prefix: Path
    tools: dict          # name -> path, for every name in TOOLS
    clang: str
    cxx: str
    bpftool: str
    jobs: int

    def tool(self, name):
        return self.tools[name]

    @property
    def runner_is_static(self):
        return is_static_executable(self.tools["bpfkit-test"])


def is_static_executable(path):
    """True when the ELF executable has no program interpreter (PT_INTERP)."""
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:
            raise BenchError(f"{path} is not a 64-bit ELF executable")
        phoff, = struct.unpack_from("<Q", header, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return all(struct.unpack_from("<I", table, i * phentsize)[0] != 3 for i in range(phnum))


def _find_tool(prefix, name):
    for directory in ("bin", "libexec/bpfkit", "libexec"):
        path = prefix / directory / name
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


def _which(program, what):
    path = shutil.which(program)
    if not path:
        raise BenchError(f"{what} '{program}' is not installed (ci/install-deps.sh installs it)")
    return path


def resolve(args, work):
    """The toolchain of this run. --prefix is used as it is; otherwise the
    build tree (--build) is installed into WORK/prefix first, stripped as
    the .deb package is (CPACK_STRIP_FILES: executables, and the static
    libraries' debug information), as a user's project would consume it."""
    if args.prefix:
        prefix = Path(args.prefix).resolve()
        if not (prefix / "lib" / "cmake" / "bpfkit").is_dir() and \
                not any((prefix / d / "cmake" / "bpfkit").is_dir() for d in ("lib64", "share")):
            raise BenchError(f"--prefix {prefix}: no installed bpfkit there "
                             "(expected lib/cmake/bpfkit; run `cmake --install BUILD --prefix DIR`)")
    else:
        build = Path(args.build).resolve()
        if not (build / "CMakeCache.txt").is_file():
            raise BenchError(f"--build {build}: not a configured bpfkit build tree "
                             "(no CMakeCache.txt); build bpfkit first or pass --prefix")
        prefix = work / "prefix"
        progress(f"installing {build} into {prefix}")
        run(["cmake", "--install", build, "--prefix", prefix, "--strip"],
            what=f"installing the build tree {build} (is it built? cmake --build {build})")
    tools = {}
    for name in TOOLS:
        path = _find_tool(prefix, name)
        if not path:
            raise BenchError(f"{prefix}: {name} is not installed there; rebuild and reinstall bpfkit")
        tools[name] = path
    for program in ("cmake", "ninja", "make", "ctest"):
        _which(program, "the build tool")
    return Toolchain(prefix=prefix, tools=tools,
                     clang=_which(args.clang, "the BPF compiler"),
                     cxx=_which(args.cxx, "the host C++ compiler"),
                     bpftool=_which("bpftool", "the reference pipeline's"),
                     jobs=args.jobs)
