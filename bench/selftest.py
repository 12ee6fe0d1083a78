#!/usr/bin/env python3
"""Tests of the benchmark's own tooling that need no build (ctest
bench.selftest): bench/run's answers to bad input, and check_run.py's
verdicts on well- and badly-formed reports."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import check_run  # noqa: E402

GOOD = "\n".join(f"RATIO {name} 1.5000 1.2500 2.0000" for name in check_run.FIGURES)


def bench_run(*args, tmpdir):
    env = dict(os.environ, TMPDIR=str(tmpdir))
    return subprocess.run([sys.executable, str(BENCH / "run"), *args], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class BadInput(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-selftest-"))
        self.tmpdir = self.tmp / "tmp"   # bench/run's temporary work directories go here
        self.tmpdir.mkdir()

    def tearDown(self):
        subprocess.run(["rm", "-rf", str(self.tmp)], check=True)

    def assert_fails(self, result, code, message):
        self.assertEqual(result.returncode, code, result.stderr)
        self.assertIn(message, result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertEqual(result.stdout, "", "no report when nothing was measured")
        self.assertEqual(list(self.tmpdir.iterdir()), [], "no work directory left behind")

    def test_runs_must_be_positive(self):
        self.assert_fails(bench_run("--runs", "0", tmpdir=self.tmpdir), 2,
                          "--runs must be at least 1, not 0")

    def test_build_and_prefix_exclude_each_other(self):
        self.assert_fails(bench_run("--build", "a", "--prefix", "b", tmpdir=self.tmpdir), 2,
                          "not allowed with argument")

    def test_build_tree_not_configured(self):
        empty = self.tmp / "empty-build"
        empty.mkdir()
        self.assert_fails(bench_run("--build", str(empty), tmpdir=self.tmpdir), 1,
                          f"--build {empty}: not a configured bpfkit build tree (no CMakeCache.txt); "
                          "build bpfkit first or pass --prefix")

    def test_prefix_without_bpfkit(self):
        self.assert_fails(bench_run("--prefix", str(self.tmp), tmpdir=self.tmpdir), 1,
                          f"--prefix {self.tmp}: no installed bpfkit there")

    def test_work_directory_of_someone_else_is_not_touched(self):
        theirs = self.tmp / "theirs"
        theirs.mkdir()
        (theirs / "notes.txt").write_text("keep me\n")
        self.assert_fails(bench_run("--work", str(theirs), tmpdir=self.tmpdir), 2,
                          f"--work {theirs}: the directory is not empty and was not made by bench/run")
        self.assertEqual([p.name for p in theirs.iterdir()], ["notes.txt"])


class CheckRun(unittest.TestCase):
    def test_every_figure_well_formed(self):
        self.assertEqual(check_run.problems_in(GOOD, as_root=True), [])

    def test_missing_figure(self):
        output = "\n".join(line for line in GOOD.splitlines() if "peak_rss_mib" not in line)
        self.assertEqual(check_run.problems_in(output, as_root=True),
                         ["peak_rss_mib: no RATIO line"])

    def test_malformed_and_unordered_lines(self):
        output = GOOD.replace("RATIO link_ms_per_object 1.5000 1.2500 2.0000",
                              "RATIO link_ms_per_object 1.5 fast 2") \
                     .replace("RATIO skel_ms_per_object 1.5000 1.2500 2.0000",
                              "RATIO skel_ms_per_object 3.0000 1.0000 2.0000")
        problems = check_run.problems_in(output, as_root=True)
        self.assertIn("malformed line: 'RATIO link_ms_per_object 1.5 fast 2'", problems)
        self.assertIn("skel_ms_per_object: expected min <= median <= max: "
                      "'RATIO skel_ms_per_object 3.0000 1.0000 2.0000'", problems)

    def test_duplicate_and_unknown(self):
        output = GOOD + "\nRATIO peak_rss_mib 1 1 1\nRATIO warp_speed 1 1 1"
        problems = check_run.problems_in(output, as_root=True)
        self.assertIn("peak_rss_mib printed twice", problems)
        self.assertIn("unknown figure 'warp_speed': 'RATIO warp_speed 1 1 1'", problems)

    def test_skipped_only_without_root_and_only_test_figures(self):
        skipped = GOOD.replace("RATIO thousand_tests_seconds 1.5000 1.2500 2.0000",
                               "SKIPPED thousand_tests_seconds needs root")
        self.assertEqual(check_run.problems_in(skipped, as_root=False), [])
        self.assertEqual(len(check_run.problems_in(skipped, as_root=True)), 1)
        build_skipped = GOOD.replace("RATIO cold_build_vs_pipeline 1.5000 1.2500 2.0000",
                                     "SKIPPED cold_build_vs_pipeline whatever")
        self.assertEqual(len(check_run.problems_in(build_skipped, as_root=False)), 1)

    def test_failing_command_fails_the_check(self):
        result = subprocess.run([sys.executable, str(BENCH / "check_run.py"), "--", "sh", "-c",
                                 f"printf '%s\\n' '{GOOD}'; exit 3"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(result.returncode, 1)
        self.assertIn("exited 3", result.stderr)


class Report(unittest.TestCase):
    def report(self, floor):
        import io
        from benchlib.figures import Figures
        from benchlib.report import print_report
        figures = Figures()
        for figure in figures:
            figure.add(1.0)
        figures["host_floor_vs_pipeline"].samples = [floor]
        out = io.StringIO()
        print_report(figures, [], [], out)
        return [line for line in out.getvalue().splitlines()
                if line.startswith("host_floor_vs_pipeline")][0]

    def test_a_floor_says_whether_its_figure_can_reach_its_target(self):
        self.assertTrue(self.report(1.8).endswith("host_build_vs_pipeline <= 1.0 unreachable"))
        self.assertTrue(self.report(0.7).endswith("leaves host_build_vs_pipeline room"))


class LoaderSteps(unittest.TestCase):
    """How the Corpus reads one loader's steps from the bpfkit build, and
    what it says when the build is not what it expects."""
    def setUp(self):
        from benchlib.corpus import Corpus
        self.work = Path(tempfile.mkdtemp(prefix="bench-selftest-"))
        self.corpus = Corpus(self.work, toolchain=None, objects=["bootstrap"], test_count=0)
        self.corpus.kit.mkdir()

    def tearDown(self):
        subprocess.run(["rm", "-rf", str(self.work)], check=True)

    def compile_database(self, *sources):
        kit = self.corpus.kit
        entries = [{"directory": str(kit), "file": str(kit / source),
                    "command": f"/usr/bin/c++ -I{kit}/bpfkit_skel/bootstrap -O2 -g "
                               "-Wno-error=invalid-pch -std=c++20 -Winvalid-pch "
                               f"-include {kit}/CMakeFiles/pch.dir/cmake_pch.hxx "
                               f"-o CMakeFiles/x.dir/{source}.o -c {kit / source}"}
                   for source in sources]
        (kit / "compile_commands.json").write_text(json.dumps(entries))

    def build_ninja(self, link_command):
        (self.corpus.kit / "build.ninja").write_text(
            f"rule LINK\n  command = {link_command}\n"
            "build bootstrap_loader: LINK CMakeFiles/x.dir/bootstrap_loader.cpp.o\n")

    def test_the_loader_compile_without_output_source_or_pch(self):
        self.compile_database("other_loader.cpp", "bootstrap_loader.cpp")
        words, directory = self.corpus.loader_compile_bpfkit("bootstrap")
        self.assertEqual(words, ["/usr/bin/c++", f"-I{self.corpus.kit}/bpfkit_skel/bootstrap",
                                 "-O2", "-g", "-std=c++20"])
        self.assertEqual(directory, self.corpus.kit)

    def test_a_database_without_the_loader_says_so(self):
        from benchlib.process import BenchError
        self.compile_database("other_loader.cpp")
        with self.assertRaisesRegex(BenchError, "has no bootstrap_loader.cpp: was the corpus built"):
            self.corpus.loader_compile_bpfkit("bootstrap")

    def test_the_loader_link_as_ninja_runs_it(self):
        self.build_ninja(": && /usr/bin/c++ -O2 CMakeFiles/x.dir/bootstrap_loader.cpp.o "
                         "-o bootstrap_loader -lbpf && :")
        words, loader_object = self.corpus.loader_link_bpfkit("bootstrap")
        self.assertEqual(words, ["/usr/bin/c++", "-O2", "CMakeFiles/x.dir/bootstrap_loader.cpp.o",
                                 "-o", "bootstrap_loader", "-lbpf"])
        self.assertEqual(loader_object, "CMakeFiles/x.dir/bootstrap_loader.cpp.o")

    def test_a_link_step_it_cannot_read_names_the_loader(self):
        from benchlib.process import BenchError
        self.build_ninja("/usr/bin/c++ CMakeFiles/x.dir/bootstrap_loader.cpp.o")  # no -o
        with self.assertRaisesRegex(BenchError, "cannot read the link step of bootstrap_loader"):
            self.corpus.loader_link_bpfkit("bootstrap")


class FloorPch(unittest.TestCase):
    """host_floor refuses to time a floor whose PCH the compiler ignored:
    the figure would then be the text compile under another name."""
    def test_an_unused_pch_stops_the_figure(self):
        from benchlib import host_floor
        from benchlib.process import BenchError
        tmp = Path(tempfile.mkdtemp(prefix="bench-selftest-"))
        self.addCleanup(subprocess.run, ["rm", "-rf", str(tmp)], check=True)
        # A GCC that accepts every command and uses no PCH (prints no "! x.gch").
        compiler = tmp / "g++"
        compiler.write_text("#!/bin/sh\n"
                            "[ \"$1\" = --version ] && echo 'g++ (Debian 12.2.0-14) 12.2.0'\n"
                            "exit 0\n")
        compiler.chmod(0o755)

        class FakeCorpus:
            objects = [host_floor.OBJECT]
            pipe = tmp

            def loader_compile_bpfkit(self, obj):
                return [str(compiler), "-O2"], tmp

            def loader_link_bpfkit(self, obj):
                return [str(compiler), "loader.o", "-o", "loader"], "loader.o"

            def loader_steps_pipeline(self, obj):
                return ([str(compiler), "-c", "x.cpp", "-o", "x.o"],
                        [str(compiler), "x.o", "-o", "x"])

        with self.assertRaisesRegex(BenchError, "floor.hxx.gch was not used"):
            host_floor.measure(FakeCorpus(), figure=None, scratch=tmp / "floor", runs=1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
