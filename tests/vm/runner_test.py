#!/usr/bin/env python3
"""The kernel matrix's runner (ci/vm) without booting a kernel: its parts, and
the whole runner against the host ("host" kernel) and a stand-in QEMU
(tests/vm/stub-qemu) for every way a boot can go wrong.

Usage: runner_test.py <ci/vm directory> [unittest arguments]
"""
import gzip
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import unittest.mock
from pathlib import Path

VM_DIR = Path(sys.argv.pop(1)).resolve()
sys.dont_write_bytecode = True
sys.path.insert(0, str(VM_DIR))
from bpfkit_vm import builds, debian, guest, initramfs, kernels, machine, modules, results, selection  # noqa: E402
from bpfkit_vm.errors import UsageError  # noqa: E402

RUNNER = VM_DIR / "bpfkit-kernel-matrix"
STUB_QEMU = Path(__file__).resolve().parent / "stub-qemu"
HAVE_BUSYBOX = bool(shutil.which("busybox")) and subprocess.run(
    ["ldd", shutil.which("busybox") or "/"], capture_output=True).returncode != 0


def fake_tree(directory: Path, failing: bool = False) -> Path:
    """A configured "build tree": ctest tests labelled bpf that pass, skip
    with a reason, and (failing) fail; and one without the label."""
    directory.mkdir(parents=True)
    lines = [
        'add_test(t.pass "/bin/true")',
        'set_tests_properties(t.pass PROPERTIES LABELS bpf)',
        'add_test(t.skip "/bin/sh" "-c" "echo bpfkit-test-skip: needs helper bpf_loop; exit 77")',
        'set_tests_properties(t.skip PROPERTIES LABELS bpf SKIP_RETURN_CODE 77)',
        'add_test(t.skip_budget "/bin/sh" "-c" "echo SKIPPED t.skip_budget: this kernel counts nothing; exit 77")',
        'set_tests_properties(t.skip_budget PROPERTIES LABELS bpf SKIP_RETURN_CODE 77)',
        'add_test(t.unlabelled "/bin/false")',
    ]
    if failing:
        lines += ['add_test(t.fail "/bin/sh" "-c" "echo expected 5, found 4; exit 1")',
                  'set_tests_properties(t.fail PROPERTIES LABELS bpf)']
    (directory / "CTestTestfile.cmake").write_text("\n".join(lines) + "\n")
    return directory


class Work(unittest.TestCase):
    def setUp(self):
        self.work = Path(tempfile.mkdtemp(prefix="bpfkit-vm-test-"))
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)

    def runner(self, *args, env=None, timeout=120):
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("BPFKIT_VM", "STUB_QEMU")) and k != "BPFKIT_IN_VM"}
        environment["BPFKIT_VM_CACHE"] = str(self.work / "cache")
        environment.update(env or {})
        result = subprocess.run([str(RUNNER), *args], capture_output=True, text=True, env=environment,
                                timeout=timeout)
        return result.returncode, result.stdout + result.stderr


class KernelSpecs(unittest.TestCase):
    def test_kinds(self):
        self.assertEqual(kernels.parse_spec("host").kind, "host")
        spec = kernels.parse_spec("5.10")
        self.assertEqual((spec.kind, spec.name, spec.series), ("series", "5.10", "5.10"))
        self.assertEqual(spec.package_pattern, "linux-image-5.10.*-amd64-unsigned")
        spec = kernels.parse_spec("5.10.0-28")
        self.assertEqual((spec.kind, spec.series), ("exact", "5.10"))
        self.assertEqual(spec.package_pattern, "linux-image-5.10.0-28-amd64-unsigned")
        self.assertEqual(kernels.parse_spec("6.12.117+deb12").series, "6.12")
        spec = kernels.parse_spec("mine=/tmp/k")
        self.assertEqual((spec.kind, spec.name, spec.path), ("local", "mine", Path("/tmp/k")))

    def test_lists_and_mistakes(self):
        self.assertEqual([s.name for s in kernels.parse_specs(["5.10,6.1", "host"])], ["5.10", "6.1", "host"])
        with self.assertRaisesRegex(UsageError, "'5.x' is not a kernel: use host, a series such as 5.10"):
            kernels.parse_spec("5.x")
        with self.assertRaisesRegex(UsageError, "kernel 6.1 is named twice"):
            kernels.parse_specs(["6.1", "6.1"])


class Modules(Work):
    def module(self, name: str, depends: str) -> bytes:
        source = self.work / f"{name}.c"
        source.write_text(textwrap.dedent(f"""\
            __attribute__((section(".modinfo"), used)) static const char a[] = "license=GPL";
            __attribute__((section(".modinfo"), used)) static const char b[] = "depends={depends}";
            """))
        subprocess.run(["cc", "-c", str(source), "-o", str(self.work / f"{name}.o")], check=True)
        return (self.work / f"{name}.o").read_bytes()

    def test_modinfo(self):
        info = modules.modinfo(self.module("m", "a,b-c"))
        self.assertEqual(info["depends"], "a,b-c")
        self.assertEqual(info["license"], "GPL")
        with self.assertRaisesRegex(ValueError, "not a 64-bit little-endian ELF"):
            modules.modinfo(b"nonsense")

    def test_closure_in_load_order(self):
        tree = self.work / "lib" / "modules" / "9.9.0-test"
        (tree / "kernel" / "fs").mkdir(parents=True)
        (tree / "kernel" / "fs" / "9p.ko").write_bytes(self.module("ninep", "9pnet,netfs"))
        (tree / "kernel" / "fs" / "9pnet.ko.xz").write_bytes(__import__("lzma").compress(self.module("net", "")))
        (tree / "kernel" / "fs" / "netfs.ko.gz").write_bytes(gzip.compress(self.module("netfs", "9pnet")))
        (tree / "modules.builtin").write_text("kernel/fs/overlayfs/overlay.ko\n")
        loaded = modules.ModuleTree(tree)
        self.assertEqual(loaded.release, "9.9.0-test")
        ordered, absent = loaded.closure(["9p", "overlay", "virtio-pci"])
        self.assertEqual([name for name, _ in ordered], ["9pnet", "netfs", "9p"])
        self.assertTrue(all(elf.startswith(b"\x7fELF") for _, elf in ordered))
        self.assertEqual(absent, ["virtio_pci"])  # overlay is built in


class Initramfs(Work):
    def test_newc_archive(self):
        busybox, init = self.work / "busybox", self.work / "init"
        busybox.write_bytes(b"BUSYBOX")
        init.write_bytes(b"#!/bin/busybox sh\n")
        output = self.work / "initrd.gz"
        initramfs.build(output, busybox, init, [("virtio", b"ELF1"), ("9p", b"ELF22")])
        data = gzip.decompress(output.read_bytes())
        entries, offset = {}, 0
        while True:
            header = data[offset:offset + 110]
            self.assertEqual(header[:6], b"070701")
            fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
            mode, size, rdev_major, rdev_minor, namesize = fields[1], fields[6], fields[9], fields[10], fields[11]
            name = data[offset + 110:offset + 110 + namesize - 1].decode()
            offset += 110 + namesize
            offset += -offset % 4
            body = data[offset:offset + size]
            offset += size + (-size % 4)
            if name == "TRAILER!!!":
                break
            entries[name] = (mode, body, (rdev_major, rdev_minor))
        self.assertEqual(entries["init"][0], 0o100755)
        self.assertEqual(entries["bin/busybox"][1], b"BUSYBOX")
        self.assertEqual(entries["dev/console"][0] & 0o170000, 0o020000)
        self.assertEqual(entries["dev/console"][2], (5, 1))
        self.assertEqual(entries["modules/01-virtio.ko"][1], b"ELF1")
        self.assertEqual(entries["modules/02-9p.ko"][1], b"ELF22")
        self.assertEqual([p.name for p in self.work.iterdir() if p.name.startswith(".")], [])


class DebianSources(Work):
    def test_mirrors_from_either_format(self):
        etc = self.work / "etc"
        (etc / "sources.list.d").mkdir(parents=True)
        (etc / "sources.list.d" / "debian.sources").write_text(textwrap.dedent("""\
            Types: deb
            # http://snapshot.example/archive
            URIs: http://mirror.example/debian
            Suites: bookworm bookworm-updates
            Components: main

            Types: deb
            URIs: http://mirror.example/debian-security
            Suites: bookworm-security
            Components: main
            """))
        self.assertEqual(debian.debian_mirrors(etc),
                         ("http://mirror.example/debian", "http://mirror.example/debian-security"))
        (etc / "sources.list.d" / "debian.sources").unlink()
        (etc / "sources.list").write_text("deb [arch=amd64] http://other.example/debian/ bookworm main\n")
        self.assertEqual(debian.debian_mirrors(etc),
                         ("http://other.example/debian", "http://other.example/debian-security"))


class GuestScript(unittest.TestCase):
    def test_runs_each_tree_with_the_selection(self):
        text = guest.script([guest.Build("clang", Path("/b/one")), guest.Build("clang-19", Path("/b/two two"))],
                            guest.Selection("bpf", "^x\\.", None, 2, ["--repeat", "until-pass:2"]), "5.10")
        self.assertIn("ctest --test-dir /b/one -L bpf --output-on-failure -j 2 -R '^x\\.' --repeat until-pass:2 "
                      '--output-junit "$out"/clang/junit.xml', text)
        self.assertIn("ctest --test-dir '/b/two two' -L bpf", text)
        self.assertLess(text.index(guest.START_MARK), text.index("/b/one"))
        self.assertLess(text.index("/b/two two"), text.index(guest.END_MARK))


class InitialCache(unittest.TestCase):
    def test_keeps_settings_not_the_tree_or_the_compiler(self):
        entries = {"CMAKE_BUILD_TYPE": ("STRING", "Release"), "BPF_CLANG": ("FILEPATH", "/usr/bin/clang"),
                   "CMAKE_BPF_COMPILER": ("FILEPATH", "/usr/bin/clang"), "X_DIR": ("PATH", "/b/main/x"),
                   "CMAKE_HOME_DIRECTORY": ("INTERNAL", "/src"), "USER_OPT": ("UNINITIALIZED", "a;b")}
        text = builds.initial_cache(entries, Path("/b/main"))
        self.assertIn('set(CMAKE_BUILD_TYPE [==[Release]==] CACHE STRING "" FORCE)', text)
        self.assertIn('set(USER_OPT [==[a;b]==] CACHE STRING "" FORCE)', text)
        for absent in ("BPF_CLANG", "CMAKE_BPF_COMPILER", "X_DIR", "CMAKE_HOME_DIRECTORY"):
            self.assertNotIn(f"set({absent} ", text)


class Accelerator(Work):
    """KVM only where QEMU can run a CPU with it (a nested KVM may open and
    then abort QEMU), TCG otherwise; BPFKIT_VM_ACCEL chooses."""

    def setUp(self):
        super().setUp()
        self.device = self.work / "kvm"
        self.device.write_text("")
        self.said = []
        patcher = unittest.mock.patch.dict(os.environ, {"STUB_QEMU_KVM": "broken"})
        patcher.start()
        self.addCleanup(patcher.stop)
        os.environ.pop("BPFKIT_VM_ACCEL", None)

    def choose(self, device=None):
        return machine.accelerator(str(STUB_QEMU), self.said.append, device or self.device)

    def test_kvm_that_aborts_qemu_falls_back_to_tcg(self):
        self.assertEqual(self.choose(), "tcg")
        self.assertEqual(self.said, [f"{self.device} is there, but QEMU cannot run a CPU with KVM "
                                     "(qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69): "
                                     "using TCG (BPFKIT_VM_ACCEL=kvm|tcg chooses)"])

    def test_kvm_that_works(self):
        os.environ["STUB_QEMU_KVM"] = "works"
        self.assertEqual(self.choose(), "kvm")
        self.assertEqual(self.said, [])

    def test_no_kvm_device_is_tcg_without_a_probe(self):
        self.assertEqual(self.choose(self.work / "missing"), "tcg")
        self.assertEqual(self.said, [])

    def test_environment_decides(self):
        for value in ("kvm", "tcg"):
            os.environ["BPFKIT_VM_ACCEL"] = value
            self.assertEqual(self.choose(), value)
        self.assertEqual(self.said, [])
        os.environ["BPFKIT_VM_ACCEL"] = "hvf"
        with self.assertRaisesRegex(UsageError, "^BPFKIT_VM_ACCEL=hvf: must be kvm, tcg or auto$"):
            self.choose()


class Selection(unittest.TestCase):
    def test_environment_decides_first(self):
        self.assertEqual(selection.requested({"BPFKIT_VM": "1"})[0], True)
        run, why = selection.requested({"BPFKIT_VM": "0"})
        self.assertFalse(run)
        self.assertIn("BPFKIT_VM=0", why)

    def test_ctest_selection_decides_next(self):
        self.assertEqual(selection.requested({}, None), (True, "run directly, not by ctest"))
        self.assertEqual(selection.requested({}, ["ctest", "-L", "vm"]), (True, "ctest selected it (-L)"))
        self.assertEqual(selection.requested({}, ["/usr/bin/ctest", "--tests-regex", "vm.6.1"])[0], True)
        self.assertEqual(selection.requested({}, ["ctest", "--rerun-failed"])[0], True)
        for plain in (["ctest"], ["ctest", "-j2", "--output-on-failure"], ["ctest", "-LE", "cmake", "-E", "x"]):
            run, why = selection.requested({}, plain)
            self.assertFalse(run, plain)
            self.assertIn("runs when asked: `ctest -L vm`", why)
        self.assertEqual(selection.requested({"BPFKIT_VM": "1"}, ["ctest"])[0], True)


class HostRuns(Work):
    """The whole runner with the kernel "host": results, exit status, JUnit."""

    def test_passes_and_reports_each_test(self):
        tree = fake_tree(self.work / "good")
        status, output = self.runner("--kernel", "host", "--build", str(tree))
        self.assertEqual(status, 0, output)
        self.assertRegex(output, r"t\.pass +passed")
        self.assertRegex(output, r"t\.skip +skipped .*\(needs helper bpf_loop\)")
        self.assertRegex(output, r"t\.skip_budget +skipped .*\(this kernel counts nothing\)")
        self.assertNotIn("t.unlabelled", output.split("=== summary")[0].split("tests ---")[-1])
        self.assertRegex(output, r"host \([^)]+\): passed=1 failed=0 skipped=2; boot [0-9.]+s, tests [0-9.]+s, "
                                 r"shutdown [0-9.]+s, total [0-9.]+s")
        self.assertRegex(output, r"full run: [0-9.]+s for 1 kernel")
        junit = (tree / "vm-results" / "host" / "junit.xml").read_text()
        self.assertIn('classname="vm.host.good"', junit)
        self.assertIn('<skipped message="needs helper bpf_loop"', junit)

    def test_inner_failure_fails_the_run(self):
        good, bad = fake_tree(self.work / "good"), fake_tree(self.work / "bad", failing=True)
        status, output = self.runner("-k", "host", "-b", str(good), "-b", str(bad))
        self.assertEqual(status, 1, output)
        self.assertIn("FAILED: bad/t.fail", output)
        self.assertIn("expected 5, found 4", output)
        self.assertIn('<failure message=', (good / "vm-results" / "host" / "junit.xml").read_text())

    def test_usage_errors(self):
        tree = fake_tree(self.work / "t")
        status, output = self.runner("-k", "5.x", "-b", str(tree))
        self.assertEqual(status, 2, output)
        self.assertIn("error: '5.x' is not a kernel", output)
        status, output = self.runner("-k", "host", "-b", str(self.work / "nothing"))
        self.assertEqual(status, 2, output)
        self.assertIn("is not a configured build tree (no CTestTestfile.cmake)", output)
        status, output = self.runner("-k", "host", "-b", f"{tree}=a", "-b", f"{tree}=a")
        self.assertEqual(status, 2, output)
        self.assertIn("two build trees have the same name", output)

    def test_skips_where_it_cannot_or_need_not_run(self):
        tree = fake_tree(self.work / "t")
        status, output = self.runner("-k", "6.1", "-b", str(tree), env={"BPFKIT_VM_QEMU": "/nonexistent/qemu"})
        self.assertEqual(status, 77, output)
        self.assertIn("SKIP: qemu-system-x86_64 not found (apt-get install qemu-system-x86", output)
        status, output = self.runner("-k", "host", "-b", str(tree), env={"BPFKIT_IN_VM": "1"})
        self.assertEqual(status, 77, output)
        self.assertIn("SKIP: already inside a kernel-matrix guest", output)
        status, output = self.runner("--when-asked", "-k", "host", "-b", str(tree), env={"BPFKIT_VM": "0"})
        self.assertEqual(status, 77, output)

    def test_a_kernel_version_debian_does_not_have(self):
        tree = fake_tree(self.work / "t")
        status, output = self.runner("-k", "6.1.0-999", "-k", "host", "-b", str(tree), timeout=600)
        self.assertEqual(status, 3, output)
        self.assertIn("error: kernel 6.1.0-999: no package linux-image-6.1.0-999-amd64-unsigned in", output)
        self.assertIn("host (", output.split("=== summary ===")[1])  # the other kernel still ran
        self.assertFalse(any((self.work / "cache").glob("linux-image-*")))


@unittest.skipUnless(HAVE_BUSYBOX, "busybox-static is not installed")
class BootFailures(Work):
    """A stand-in QEMU for each way a boot goes wrong: a clear error naming
    the kernel, a non-zero status, a JUnit failure, and no QEMU left behind."""

    def setUp(self):
        super().setUp()
        self.tree = fake_tree(self.work / "tree")
        kernel = self.work / "kernel"
        kernel.mkdir()
        (kernel / "vmlinuz").write_bytes(b"not a kernel")
        self.kernel = f"stub={kernel}"

    def boot(self, mode, *args, tree=None):
        env = {"BPFKIT_VM_QEMU": str(STUB_QEMU), "STUB_QEMU_MODE": mode,
               "STUB_QEMU_PIDFILE": str(self.work / "qemu.pid")}
        return self.runner("-k", self.kernel, "-b", str(tree or self.tree), *args, env=env)

    def junit(self):
        return (self.tree / "vm-results" / "stub" / "junit.xml").read_text()

    def test_a_good_guest_passes(self):
        status, output = self.boot("run")
        self.assertEqual(status, 0, output)
        self.assertIn("stub (unknown): passed=1 failed=0 skipped=2", output)

    def test_inner_failures_fail_the_kernel(self):
        bad = fake_tree(self.work / "bad", failing=True)
        status, output = self.boot("run", tree=bad)
        self.assertEqual(status, 1, output)
        self.assertIn("FAILED: bad/t.fail", output)

    def test_panic(self):
        status, output = self.boot("panic")
        self.assertEqual(status, 1, output)
        self.assertIn("error: kernel stub (unknown) panicked: Kernel panic - not syncing: VFS: Unable to mount "
                      "root fs", output)
        self.assertIn("panicked", self.junit())

    def test_hang_times_out_and_leaves_no_qemu(self):
        started = time.monotonic()
        status, output = self.boot("hang", "--timeout", "3")
        self.assertEqual(status, 1, output)
        self.assertLess(time.monotonic() - started, 60)
        self.assertIn("error: kernel stub (unknown) did not finish within the timeout of 3s (before the tests "
                      "started); stopped it", output)
        pid = int((self.work / "qemu.pid").read_text())
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)

    def test_qemu_cannot_boot_it(self):
        status, output = self.boot("fail")
        self.assertEqual(status, 1, output)
        self.assertIn("error: kernel stub (unknown) did not boot (exit status 1); last console lines:", output)
        self.assertIn("could not load kernel", output)

    def test_guest_without_its_modules(self):
        status, output = self.boot("nomodules")
        self.assertEqual(status, 1, output)
        self.assertIn("error: kernel stub (unknown): kernel 9.9.0-stub has no 9p file system: the initramfs "
                      "lacks its module", output)

    def test_guest_that_stops_early(self):
        status, output = self.boot("stop")
        self.assertEqual(status, 1, output)
        self.assertIn("stopped before the tests ended", output)

    def test_qemu_command_line(self):
        args_file = self.work / "args"
        status, output = self.runner("-k", self.kernel, "-b", str(self.tree), "--memory", "1024", "--cpus", "1",
                                     env={"BPFKIT_VM_QEMU": str(STUB_QEMU), "STUB_QEMU_ARGS": str(args_file)})
        self.assertEqual(status, 0, output)
        args = args_file.read_text().splitlines()
        self.assertEqual(args[args.index("-m") + 1], "1024")
        self.assertIn("local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap", args)
        self.assertIn("-no-reboot", args)
        self.assertIn("panic=-1", args[args.index("-append") + 1])
        for accel in ("tcg", "kvm"):
            status, output = self.runner("-k", self.kernel, "-b", str(self.tree),
                                         env={"BPFKIT_VM_QEMU": str(STUB_QEMU), "STUB_QEMU_ARGS": str(args_file),
                                              "BPFKIT_VM_ACCEL": accel})
            self.assertEqual(status, 0, output)
            args = args_file.read_text().splitlines()
            self.assertEqual(args[args.index("-accel") + 1], accel)
        status, output = self.runner("-k", self.kernel, "-b", str(self.tree),
                                     env={"BPFKIT_VM_QEMU": str(STUB_QEMU), "BPFKIT_VM_ACCEL": "fast"})
        self.assertEqual(status, 2, output)
        self.assertIn("error: BPFKIT_VM_ACCEL=fast: must be kvm, tcg or auto", output)

    @unittest.skipUnless(shutil.which("qemu-system-x86_64"), "QEMU is not installed")
    def test_real_qemu_refuses_a_bad_image(self):
        status, output = self.runner("-k", self.kernel, "-b", str(self.tree), "--timeout", "120")
        self.assertEqual(status, 1, output)
        self.assertIn("error: kernel stub (unknown) did not boot (exit status 1)", output)


class AskedByCtest(Work):
    """--when-asked: a plain ctest skips the matrix with the reason, ctest -L vm runs it."""

    def test_plain_ctest_skips_and_label_runs(self):
        tree = fake_tree(self.work / "inner")
        outer = self.work / "outer"
        outer.mkdir()
        (outer / "CTestTestfile.cmake").write_text(
            f'add_test(vm.host "{RUNNER}" --when-asked -k host -b "{tree}")\n'
            'set_tests_properties(vm.host PROPERTIES LABELS vm SKIP_RETURN_CODE 77)\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("BPFKIT_VM")}
        plain = subprocess.run(["ctest", "--test-dir", str(outer), "-V"], capture_output=True, text=True, env=env)
        self.assertEqual(plain.returncode, 0, plain.stdout)
        self.assertRegex(plain.stdout, r"vm\.host \.+\*\*\*Skipped")
        self.assertIn("runs when asked: `ctest -L vm`", plain.stdout)
        labelled = subprocess.run(["ctest", "--test-dir", str(outer), "-L", "vm", "-V"], capture_output=True,
                                  text=True, env=env)
        self.assertEqual(labelled.returncode, 0, labelled.stdout)
        self.assertIn("host (", labelled.stdout)
        self.assertIn("passed=1 failed=0 skipped=2", labelled.stdout)


if __name__ == "__main__":
    unittest.main()
