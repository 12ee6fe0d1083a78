"""The inner ctest runs' results: read from their JUnit files, printed per
test, and merged into one JUnit file per kernel whose test cases carry the
kernel and the build tree in their class name (vm.<kernel>.<tree>)."""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

# Lines that say why a test skipped, in the output of bpfkit's tests and of
# GoogleTest.
SKIP_REASON = re.compile(r"(?:bpfkit-[a-z]+-skip:|^\[  SKIPPED \] |[Ss]kipped:?)\s*(.+)", re.M)


@dataclass
class TestResult:
    name: str
    status: str          # passed | failed | skipped
    seconds: float
    detail: str = ""     # failure message or skip reason
    output: str = ""


@dataclass
class TreeResults:
    """One build tree's tests in one kernel."""

    tree: str
    tests: list[TestResult] = field(default_factory=list)
    ctest_status: int | None = None
    error: str | None = None

    def count(self, status: str) -> int:
        return sum(1 for test in self.tests if test.status == status)

    @property
    def failed(self) -> bool:
        return bool(self.error) or self.count("failed") > 0 or self.ctest_status not in (0, None)


def read_tree(directory: Path, tree: str) -> TreeResults:
    results = TreeResults(tree)
    junit = directory / "junit.xml"
    try:
        results.ctest_status = int((directory / "ctest.rc").read_text().strip())
    except (OSError, ValueError):
        results.error = "ctest did not finish (no exit status)"
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError) as error:
        results.error = f"no readable test results ({junit}: {error})"
        return results
    for case in root.iter("testcase"):
        output = case.findtext("system-out") or ""
        seconds = float(case.get("time") or 0)
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        skipped = case.find("skipped")
        if failure is not None or case.get("status") == "fail":
            message = failure.get("message", "") if failure is not None else ""
            results.tests.append(TestResult(case.get("name", "?"), "failed", seconds, message, output))
        elif skipped is not None or case.get("status") in ("notrun", "disabled"):
            match = SKIP_REASON.search(output)
            reason = match.group(1).strip() if match else (skipped.get("message", "") if skipped is not None else "")
            results.tests.append(TestResult(case.get("name", "?"), "skipped", seconds, reason, output))
        else:
            results.tests.append(TestResult(case.get("name", "?"), "passed", seconds, "", output))
    if results.ctest_status not in (0, None) and not results.tests:
        results.error = f"ctest exited with {results.ctest_status} and ran no test"
    return results


def write_junit(path: Path, kernel_name: str, release: str, trees: list[TreeResults], error: str | None):
    """One JUnit file for a kernel's run: a test suite per build tree; a run
    that could not start or finish is one failed test case, vm.<kernel>."""
    root = ET.Element("testsuites", name=f"vm.{kernel_name}")
    properties_of = {"kernel": kernel_name, "release": release}
    for tree in trees:
        suite = ET.SubElement(root, "testsuite", name=f"vm.{kernel_name}.{tree.tree}",
                              tests=str(len(tree.tests)), failures=str(tree.count("failed")),
                              skipped=str(tree.count("skipped")))
        properties = ET.SubElement(suite, "properties")
        for key, value in {**properties_of, "tree": tree.tree}.items():
            ET.SubElement(properties, "property", name=key, value=value)
        for test in tree.tests:
            case = ET.SubElement(suite, "testcase", name=test.name,
                                 classname=f"vm.{kernel_name}.{tree.tree}", time=f"{test.seconds:.3f}")
            if test.status == "failed":
                ET.SubElement(case, "failure", message=test.detail or "failed")
            elif test.status == "skipped":
                ET.SubElement(case, "skipped", message=test.detail or "skipped")
            ET.SubElement(case, "system-out").text = test.output
        if tree.error:
            case = ET.SubElement(suite, "testcase", name="ctest", classname=f"vm.{kernel_name}.{tree.tree}")
            ET.SubElement(case, "failure", message=tree.error)
    if error:
        suite = ET.SubElement(root, "testsuite", name=f"vm.{kernel_name}", tests="1", failures="1")
        case = ET.SubElement(suite, "testcase", name=f"vm.{kernel_name}", classname=f"vm.{kernel_name}")
        ET.SubElement(case, "failure", message=error)
    ET.indent(root)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    ET.ElementTree(root).write(temporary, encoding="utf-8", xml_declaration=True)
    os.replace(temporary, path)
