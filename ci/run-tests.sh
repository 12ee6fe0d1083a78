#!/usr/bin/env bash
# README command 2: installs dependencies, builds bpfkit and runs its whole
# test suite, through the CMake presets "default" (CMakePresets.json).
# Build tree: build/ (the preset's), or BPFKIT_BUILD_DIR. Extra arguments go
# to ctest (e.g. -R '^link\.', -L bpf). BPFKIT_JOBS: parallel jobs (nproc).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${BPFKIT_BUILD_DIR:-$root/build}")
jobs=${BPFKIT_JOBS:-$(nproc)}
cd "$root"  # cmake and ctest read CMakePresets.json from here

ci/install-deps.sh
ci/bpffs.sh
cmake --preset default -B "$build"
cmake --build "$build" -j "$jobs"
ctest --preset default --test-dir "$build" -j "$jobs" "$@"
