#!/usr/bin/env bash
# README command 1: installs dependencies, builds and installs bpfkit, then
# builds the XDP packet counter example as a consumer project (through
# find_package) and runs it: it loads the program, attaches it to a veth pair
# inside a private network namespace, sends packets and prints the count.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BPFKIT_BUILD_DIR:-$root/build}
prefix=$build/example-prefix
jobs=${BPFKIT_JOBS:-$(nproc)}

"$root/ci/install-deps.sh"
"$root/ci/bpffs.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$jobs"
cmake --install "$build" --prefix "$prefix"

cmake -S "$root/examples/xdp_counter" -B "$build/example" -G Ninja -DCMAKE_PREFIX_PATH="$prefix"
cmake --build "$build/example" -j "$jobs"
"$build/example/xdp_counter_loader" --packets 10
