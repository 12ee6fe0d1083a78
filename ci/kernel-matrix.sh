#!/usr/bin/env bash
# ci/kernel-matrix.sh [--kernels 5.10,6.1,6.12] [--build DIR] [--timeout SECONDS]
#                     [-R REGEX] [-- CTEST-ARGS...]
#
# bpfkit's own BPF tests (ctest label "bpf" of the build tree, default build/)
# under other kernels, one QEMU boot per kernel: a shorthand for the runner,
# ci/vm/bpfkit-kernel-matrix (its --help and docs/kernel-matrix.md tell the
# rest: the kernel cache, the results, the exit statuses).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kernels=5.10,6.1,6.12
build=${BPFKIT_BUILD_DIR:-$root/build}
args=()
while (($#)); do
  case $1 in
    --kernels) kernels=${2:?}; shift 2 ;;
    --build) build=${2:?}; shift 2 ;;
    --timeout) args+=(--timeout "${2:?}"); shift 2 ;;
    -R) args+=(-R "${2:?}"); shift 2 ;;
    --) args+=("$@"); break ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kernel-matrix: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
exec "$root/ci/vm/bpfkit-kernel-matrix" --kernel "$kernels" --build "$build" "${args[@]}"
