#!/usr/bin/env bash
# README command 1: installs dependencies, builds bpfkit (CMake preset
# "default") and installs it into <build>/example-prefix, then builds the XDP
# packet counter example as a consumer project (through find_package) and
# runs it: it loads the program, attaches it to a veth pair inside a private
# network namespace, sends packets and prints the count.
# Build tree: build/ (the preset's), or BPFKIT_BUILD_DIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${BPFKIT_BUILD_DIR:-$root/build}")
prefix=$build/example-prefix
jobs=${BPFKIT_JOBS:-$(nproc)}
cd "$root"  # cmake reads CMakePresets.json from here

ci/install-deps.sh
ci/kernel-fs.sh
cmake --preset default -B "$build"
cmake --build "$build" -j "$jobs"
cmake --install "$build" --prefix "$prefix"

cmake -S examples/xdp_counter -B "$build/example" -G Ninja -DCMAKE_PREFIX_PATH="$prefix"
cmake --build "$build/example" -j "$jobs"
"$build/example/xdp_counter_loader" --packets 10
