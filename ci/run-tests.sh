#!/usr/bin/env bash
# README command 2: installs dependencies, builds bpfkit and runs its whole
# test suite. Build tree: build/ (override with BPFKIT_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BPFKIT_BUILD_DIR:-$root/build}
jobs=${BPFKIT_JOBS:-$(nproc)}

"$root/ci/install-deps.sh"
"$root/ci/bpffs.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" -j "$jobs" --output-on-failure --timeout 600 "$@"
