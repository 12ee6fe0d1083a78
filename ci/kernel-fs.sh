#!/usr/bin/env bash
# Mounts the kernel file systems bpfkit's tests use, where they are not
# mounted: bpffs at /sys/fs/bpf (pinning) and tracefs at /sys/kernel/tracing
# (attaching tracepoints, bpf_printk under a failing test). Harmless when
# they are, or when we lack the privilege to mount (those tests then skip,
# saying why).
set -euo pipefail
mount_if_missing() {
  local type=$1 dir=$2 source=$3
  mountpoint -q "$dir" 2>/dev/null && return 0
  mount -t "$type" "$source" "$dir" 2>/dev/null ||
    echo "ci/kernel-fs.sh: cannot mount $type at $dir (not root?); the tests that need it will skip" >&2
}
mount_if_missing bpf /sys/fs/bpf bpf
mount_if_missing tracefs /sys/kernel/tracing nodev
