#!/usr/bin/env bash
# README command 2: installs dependencies, builds bpfkit and runs its whole
# test suite, through the CMake presets "default" (CMakePresets.json).
# Build tree: build/ (the preset's), or BPFKIT_BUILD_DIR. Extra arguments go
# to ctest (e.g. -R '^link\.', -L bpf). BPFKIT_JOBS: parallel jobs (nproc).
# BPFKIT_FUZZ_SECONDS: how long each fuzz.<target> fuzzes, 30 here (CI runs
# this script) against ctest's own default of 5 for a developer's run.
set -euo pipefail
export BPFKIT_FUZZ_SECONDS=${BPFKIT_FUZZ_SECONDS:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${BPFKIT_BUILD_DIR:-$root/build}")
jobs=${BPFKIT_JOBS:-$(nproc)}
cd "$root"  # cmake and ctest read CMakePresets.json from here

ci/install-deps.sh
ci/kernel-fs.sh
cmake --preset default -B "$build" -DBPFKIT_REQUIRE_CHECK=ON  # C++ BPF is tested too
cmake --build "$build" -j "$jobs"
ctest --preset default --test-dir "$build" -j "$jobs" "$@"
