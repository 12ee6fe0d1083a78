#!/usr/bin/env python3
"""Checks bpfkit's CI templates for consumer projects (docs/ci.md).

    check_ci_templates.py DOCS_CI_MD TEMPLATE_DIR

- github-actions.yml and gitlab-ci.yml parse as YAML (python3-yaml);
- they do what docs/ci.md promises: a privileged Debian 12 job that mounts
  bpffs, builds, runs ctest with --output-junit and uploads the report, and a
  kernel-matrix job sharded one kernel per job, whose kernel values stay
  strings (an unquoted 6.10 would be read as the number 6.1);
- each ```yaml block of docs/ci.md that names a template on its first line
  is that template, byte for byte: the document shows what is tested.
Prints every problem as FILE[:LINE]: message; exit 1 when there is one.
"""
import os
import re
import sys

try:
    import yaml
except ImportError:
    print("check_ci_templates: error: python3's yaml module is missing: "
          "apt-get install python3-yaml (ci/install-deps.sh does)")
    sys.exit(1)

problems = []


def problem(where, message):
    problems.append(f"{where}: {message}")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem(f"{path}{line}", f"not valid YAML: {getattr(e, 'problem', e)}")
    except OSError as e:
        problem(path, str(e))
    return None


def commands(job):
    """Every shell line a job runs (GitHub steps' run, GitLab scripts)."""
    lines = []
    for step in job.get("steps", []) or []:
        lines += str(step.get("run", "")).split("\n")
    for key in ("before_script", "script"):
        for entry in job.get(key, []) or []:
            lines.append(str(entry))
    return lines


def expect_command(where, lines, regex, what):
    if not any(re.search(regex, line) for line in lines):
        problem(where, f"no command matches /{regex}/ ({what})")


def check_kernels(where, kernels):
    if not isinstance(kernels, list) or len(kernels) < 2:
        problem(where, f"the kernel matrix must list the kernels, one per job; found {kernels!r}")
        return
    for kernel in kernels:
        if not isinstance(kernel, str) or not re.fullmatch(r"\d+\.\d+", kernel):
            problem(where, f"kernel {kernel!r} must be a quoted \"major.minor\" string "
                    "(unquoted, YAML reads 6.10 as the number 6.1)")


def check_github(path):
    doc = load(path)
    if not isinstance(doc, dict):
        return
    # YAML 1.1 reads the key `on` as true.
    if "on" not in doc and True not in doc:
        problem(path, "no 'on:' triggers")
    jobs = doc.get("jobs") or {}
    test, matrix = jobs.get("test"), jobs.get("kernel-matrix")
    if not isinstance(test, dict) or not isinstance(matrix, dict):
        problem(path, "jobs 'test' and 'kernel-matrix' are required")
        return
    for name, job in (("test", test), ("kernel-matrix", matrix)):
        where = f"{path}: job {name}"
        container = job.get("container") or {}
        if not str(container.get("image", "")).startswith("debian:12"):
            problem(where, "must run in the debian:12 container (bpfkit's .deb is for Debian 12)")
        if "--privileged" not in str(container.get("options", "")):
            problem(where, "the container must be --privileged (loading BPF, mounting bpffs)")
        expect_command(where, commands(job), r"apt-get install .*bpfkit\.deb", "install bpfkit")
        expect_command(where, commands(job), r"^cmake --build build$", "build")
    lines = commands(test)
    expect_command(f"{path}: job test", lines, r"mount -t bpf bpf /sys/fs/bpf", "mount bpffs")
    expect_command(f"{path}: job test", lines, r"mount -t tracefs nodev /sys/kernel/tracing", "mount tracefs")
    expect_command(f"{path}: job test", lines, r"^ctest .*--output-junit junit\.xml", "ctest with JUnit")
    uploads = [s for s in test.get("steps", []) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    if not uploads or uploads[0].get("with", {}).get("path") != "build/junit.xml":
        problem(f"{path}: job test", "must upload build/junit.xml with actions/upload-artifact")
    check_kernels(f"{path}: job kernel-matrix", ((matrix.get("strategy") or {}).get("matrix") or {}).get("kernel"))
    expect_command(f"{path}: job kernel-matrix", commands(matrix),
                   r"bpfkit-kernel-matrix --kernel \$\{\{ matrix\.kernel \}\} --build build", "one kernel per job")


def check_gitlab(path):
    doc = load(path)
    if not isinstance(doc, dict):
        return
    default = doc.get("default") or {}
    if not str(default.get("image", "")).startswith("debian:12"):
        problem(path, "default image must be debian:12 (bpfkit's .deb is for Debian 12)")
    setup = [str(line) for line in default.get("before_script", [])]
    expect_command(f"{path}: default", setup, r"apt-get install .*bpfkit\.deb", "install bpfkit")
    expect_command(f"{path}: default", setup, r"^cmake --build build$", "build")
    stages = doc.get("stages") or []
    for name in ("bpf-tests", "kernel-matrix"):
        job = doc.get(name)
        if not isinstance(job, dict):
            problem(path, f"job '{name}' is required")
            return
        if job.get("stage") not in stages:
            problem(f"{path}: job {name}", f"stage {job.get('stage')!r} is not in stages {stages}")
        if not ((job.get("artifacts") or {}).get("reports") or {}).get("junit"):
            problem(f"{path}: job {name}", "must report JUnit results (artifacts: reports: junit)")
        if (job.get("artifacts") or {}).get("when") != "always":
            problem(f"{path}: job {name}", "artifacts must be kept when the job fails (when: always)")
    tests = doc["bpf-tests"]
    expect_command(f"{path}: job bpf-tests", commands(tests), r"mount -t bpf bpf /sys/fs/bpf", "mount bpffs")
    expect_command(f"{path}: job bpf-tests", commands(tests), r"mount -t tracefs nodev /sys/kernel/tracing", "mount tracefs")
    expect_command(f"{path}: job bpf-tests", commands(tests), r"^ctest .*--output-junit junit\.xml",
                   "ctest with JUnit")
    if tests["artifacts"]["reports"]["junit"] != "build/junit.xml":
        problem(f"{path}: job bpf-tests", "the JUnit report is build/junit.xml (ctest --test-dir build)")
    matrix = doc["kernel-matrix"]
    entries = (matrix.get("parallel") or {}).get("matrix") or [{}]
    check_kernels(f"{path}: job kernel-matrix", entries[0].get("KERNEL"))
    expect_command(f"{path}: job kernel-matrix", commands(matrix),
                   r'bpfkit-kernel-matrix --kernel "\$KERNEL" --build build', "one kernel per job")
    packages = str((matrix.get("variables") or {}).get("EXTRA_PACKAGES", ""))
    for package in ("qemu-system-x86", "busybox-static"):
        if package not in packages.split():
            problem(f"{path}: job kernel-matrix", f"must install {package} (EXTRA_PACKAGES)")


def check_doc(doc_path, templates):
    """Each yaml block of the document that names a template is that template."""
    with open(doc_path, encoding="utf-8") as f:
        text = f.read()
    shown = set()
    for match in re.finditer(r"^```yaml\n(.*?)^```$", text, re.S | re.M):
        block = match.group(1)
        line = text.count("\n", 0, match.start()) + 1
        for name, path in templates.items():
            if block.startswith(f"# {name}:"):
                with open(path, encoding="utf-8") as f:
                    if f.read() != block:
                        problem(f"{doc_path}:{line}", f"this block differs from {path}: copy the file here")
                shown.add(name)
    for name, path in templates.items():
        if name not in shown:
            problem(doc_path, f"shows no ```yaml block starting with '# {name}:' (the template {path})")


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    doc_path, template_dir = sys.argv[1:]
    github = os.path.join(template_dir, "github-actions.yml")
    gitlab = os.path.join(template_dir, "gitlab-ci.yml")
    check_github(github)
    check_gitlab(gitlab)
    check_doc(doc_path, {".github/workflows/bpf.yml": github, ".gitlab-ci.yml": gitlab})
    for p in problems:
        print(p)
    if not problems:
        print("check_ci_templates: github-actions.yml and gitlab-ci.yml are valid and shown as they are")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
