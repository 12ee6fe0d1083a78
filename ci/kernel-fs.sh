#!/usr/bin/env bash
# Mounts the BPF filesystem at /sys/fs/bpf if it is not mounted (needed for
# pinning); harmless when it is, or when we lack the privilege to mount.
set -euo pipefail
if ! mountpoint -q /sys/fs/bpf 2>/dev/null; then
  mount -t bpf bpf /sys/fs/bpf 2>/dev/null || echo "ci/bpffs.sh: cannot mount bpffs (not root?); kernel tests will skip" >&2
fi
