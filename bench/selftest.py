#!/usr/bin/env python3
"""Tests of the benchmark's own tooling that need no build (ctest
bench.selftest): bench/run's answers to bad input, and check_run.py's
verdicts on well- and badly-formed reports."""
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
