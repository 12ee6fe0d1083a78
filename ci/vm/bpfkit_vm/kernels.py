"""Which kernels the matrix boots, and the cache that keeps them.

A kernel is named by
  host            the running kernel: the tests run on the host, no VM
  <major>.<minor> Debian's newest generic amd64 kernel of that series
                  (5.10, 6.1, 6.12)
  <version>-<abi> one exact Debian kernel, e.g. 5.10.0-28 or 6.12.117+deb12
  <name>=<dir>    a kernel of your own: <dir> holds vmlinuz (or bzImage, or
                  boot/vmlinuz-*) and, when it has modules, lib/modules/<release>/

The cache keeps, per Debian package version, only what a boot needs: the
kernel image and the modules the initramfs loads (with their dependencies),
decompressed. It lives in one directory shared by every build tree
(BPFKIT_VM_CACHE, else $XDG_CACHE_HOME/bpfkit/kernels, else
~/.cache/bpfkit/kernels); entries are built in a temporary directory and
renamed into place under a lock, so concurrent runs share them safely.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import debian
from .errors import KernelUnavailable, UsageError
from .locking import locked
from .modules import ModuleTree

# What the guest needs to mount the host's root (REQUIRED_MODULES) and what
# BPF tests use (veth pairs, tc's clsact and cls_bpf); loaded in this order.
REQUIRED_MODULES = ["virtio_pci", "9pnet_virtio", "9p", "overlay"]
TEST_MODULES = ["veth", "sch_ingress", "cls_bpf"]

SERIES = re.compile(r"^(\d+)\.(\d+)$")
EXACT = re.compile(r"^(\d+\.\d+)\.\d+[-+][0-9A-Za-z.+~]+$")
LOCAL = re.compile(r"^([A-Za-z0-9_.+-]+)=(.+)$")


@dataclass
class KernelSpec:
    """A kernel as the user named it; name is the ctest suffix (vm.<name>)."""

    text: str
    kind: str                 # host | series | exact | local
    name: str
    series: str | None = None
    path: Path | None = None

    @property
    def package_pattern(self) -> str:
        if self.kind == "exact":
            return f"linux-image-{self.text}-amd64-unsigned"
        return f"linux-image-{self.series}.*-amd64-unsigned"


def parse_spec(text: str) -> KernelSpec:
    text = text.strip()
    if text == "host":
        return KernelSpec(text, "host", "host")
    if SERIES.match(text):
        return KernelSpec(text, "series", text, series=text)
    match = EXACT.match(text)
    if match:
        return KernelSpec(text, "exact", text, series=match.group(1))
    match = LOCAL.match(text)
    if match:
        return KernelSpec(text, "local", match.group(1), path=Path(match.group(2)).expanduser())
    raise UsageError(
        f"'{text}' is not a kernel: use host, a series such as 5.10, 6.1 or 6.12, "
        "an exact Debian kernel such as 5.10.0-28, or <name>=<directory>")


def parse_specs(texts: list[str]) -> list[KernelSpec]:
    specs = [parse_spec(part) for text in texts for part in re.split(r"[,;\s]+", text) if part]
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise UsageError(f"kernel {', '.join(duplicates)} is named twice")
    return specs


@dataclass
class Kernel:
    """A kernel ready to boot."""

    spec: KernelSpec
    release: str                     # uname -r in the guest
    source: str                      # where it came from, for the report
    vmlinuz: Path | None = None
    modules: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.spec.name} ({self.release})"


def default_cache() -> Path:
    if os.environ.get("BPFKIT_VM_CACHE"):
        return Path(os.environ["BPFKIT_VM_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bpfkit" / "kernels"


def host_kernel(spec: KernelSpec) -> Kernel:
    return Kernel(spec, os.uname().release, "the running kernel")


def local_kernel(spec: KernelSpec) -> Kernel:
    directory = spec.path
    candidates = [directory / "vmlinuz", directory / "bzImage", *sorted(directory.glob("boot/vmlinuz-*"))]
    image = next((path for path in candidates if path.is_file()), None)
    if image is None:
        raise KernelUnavailable(
            f"kernel {spec.name}: {directory} has no vmlinuz, bzImage or boot/vmlinuz-*")
    trees = sorted(directory.glob("lib/modules/*/"))
    if not trees:
        # No modules: whatever the guest needs must be built in (its /init says so if not).
        return Kernel(spec, image_release(image) or "unknown", f"{image}", image, [])
    tree = ModuleTree(trees[-1])
    modules, _ = tree.closure(REQUIRED_MODULES + TEST_MODULES)
    return Kernel(spec, tree.release, f"{image}", image, modules)


def image_release(image: Path) -> str | None:
    """The release an x86 bzImage says it is (its setup header's kernel
    version string), or None for anything else."""
    try:
        with open(image, "rb") as file:
            header = file.read(0x210)
            if len(header) < 0x210 or header[0x202:0x206] != b"HdrS":
                return None
            offset = int.from_bytes(header[0x20E:0x210], "little") + 0x200
            file.seek(offset)
            version = file.read(256).split(b"\0", 1)[0].decode(errors="replace").split()
    except OSError:
        return None
    return version[0] if version else None


class KernelCache:
    def __init__(self, directory: Path, refresh: bool = False, log=print):
        self.directory = directory
        self.refresh = refresh
        self.log = log

    def kernel(self, spec: KernelSpec) -> Kernel:
        if spec.kind == "host":
            return host_kernel(spec)
        if spec.kind == "local":
            return local_kernel(spec)
        try:
            entry = self._entry(spec)
        except KernelUnavailable:
            if self.refresh or debian.SUITE_OF_SERIES.get(spec.series) is None:
                raise
            # Private lists a day old may name a version the mirror has dropped.
            self.refresh = True
            entry = self._entry(spec)
        return self._load(spec, entry)

    def _entry(self, spec: KernelSpec) -> Path:
        """The cache entry of spec's package, fetched when missing."""
        apt, package = self._find_package(spec)
        version = apt.candidate_version(package)
        if version is None:
            raise KernelUnavailable(f"kernel {spec.name}: apt knows {package} but has no version of it")
        entry = self.directory / f"{package}_{version}"
        if not (entry / "kernel.json").exists():
            with locked(self.directory / f".{package}.lock"):
                if not (entry / "kernel.json").exists():
                    self._fetch(spec, apt, package, version, entry)
        return entry

    def _find_package(self, spec: KernelSpec) -> tuple[debian.Apt, str]:
        """The package to boot for spec, and the apt that has it."""
        searched = []
        for apt in self._apts(spec):
            searched.append(apt.description)
            packages = apt.kernel_packages(spec.series)
            if spec.kind == "exact":
                if spec.package_pattern in packages:
                    return apt, spec.package_pattern
                if packages:
                    known = ", ".join(_abi(p) for p in packages)
                    raise KernelUnavailable(
                        f"kernel {spec.name}: no package {spec.package_pattern} in {apt.description}; "
                        f"the {spec.series} kernels there: {known} (or name the series, {spec.series}, "
                        "for the newest)")
            elif packages:
                return apt, packages[-1]
        known = ", ".join(f"{series} (Debian {suite})" for series, suite in debian.SUITE_OF_SERIES.items())
        raise KernelUnavailable(
            f"kernel {spec.name}: no package {spec.package_pattern} in {' or '.join(searched)}. "
            f"Series bpfkit fetches from Debian: {known}; other series when your apt sources carry them")

    def _apts(self, spec: KernelSpec):
        """The system's apt, then (only when asked for) Debian's suite of the series."""
        yield debian.system_apt()
        suite = debian.SUITE_OF_SERIES.get(spec.series)
        if suite:
            yield debian.private_apt(self.directory, suite, self.refresh)

    def _fetch(self, spec: KernelSpec, apt: debian.Apt, package: str, version: str, entry: Path):
        self.log(f"kernel {spec.name}: downloading {package} {version} ({apt.description})")
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".fetch-", dir=self.directory) as work:
            work = Path(work)
            deb = apt.download(package, work / "download")
            unpacked = work / "unpacked"
            result = subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise KernelUnavailable(f"kernel {spec.name}: cannot unpack {deb.name}: {result.stderr.strip()}")
            images = sorted(unpacked.glob("boot/vmlinuz-*"))
            trees = sorted(unpacked.glob("lib/modules/*/"))
            if not images or not trees:
                raise KernelUnavailable(f"kernel {spec.name}: {package} has no boot/vmlinuz-* or lib/modules")
            tree = ModuleTree(trees[-1])
            modules, absent = tree.closure(REQUIRED_MODULES + TEST_MODULES)
            required_absent = [name for name in absent if name in REQUIRED_MODULES]
            if required_absent:
                raise KernelUnavailable(
                    f"kernel {spec.name}: {package} has neither a module nor built-in support for "
                    f"{', '.join(required_absent)}, which the guest needs to mount the host's root")
            staged = work / "entry"
            (staged / "modules").mkdir(parents=True)
            shutil.copy2(images[-1], staged / "vmlinuz")
            for number, (name, elf) in enumerate(modules, 1):
                (staged / "modules" / f"{number:02d}-{name}.ko").write_bytes(elf)
            (staged / "kernel.json").write_text(json.dumps({
                "package": package, "version": version, "release": tree.release,
                "series": spec.series, "source": apt.description,
                "absent_optional_modules": absent}, indent=2) + "\n")
            os.replace(staged, entry)

    def _load(self, spec: KernelSpec, entry: Path) -> Kernel:
        info = json.loads((entry / "kernel.json").read_text())
        modules = [(path.stem.split("-", 1)[1], path.read_bytes())
                   for path in sorted((entry / "modules").glob("*.ko"))]
        return Kernel(spec, info["release"], f"{info['package']} {info['version']}",
                      entry / "vmlinuz", modules)


def _abi(package: str) -> str:
    return re.sub(r"^linux-image-|-amd64-unsigned$", "", package)
