#!/bin/sh
# run_case_in.sh <setting> <gtest-binary> <Suite.Case>: runs one case in a
# setting the suite's own run cannot give it, and passes when the case ran
# and passed, not when it skipped. Settings:
#   unprivileged      as nobody with no capabilities (a copy of the binary
#                     nobody can read)
#   no-kernel-btf     in a private mount namespace where /sys/kernel/btf and
#                     libbpf's fallbacks (/boot, /lib/modules, /usr/lib/debug)
#                     are empty, as on a kernel without CONFIG_DEBUG_INFO_BTF
# Exit 77 (skipped) when this machine cannot make the setting.
setting=$1 binary=$2 case=$3
[ "$(id -u)" = 0 ] || { echo "run_case_in: needs root to make the setting $setting"; exit 77; }
case $setting in
  unprivileged)
    command -v setpriv >/dev/null || { echo "run_case_in: setpriv (util-linux) is missing"; exit 77; }
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    chmod 755 "$dir"
    cp "$binary" "$dir/test"
    chmod 755 "$dir/test"
    output=$(cd "$dir" && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
      --bounding-set=-all ./test --gtest_filter="$case" 2>&1)
    status=$? ;;
  no-kernel-btf)
    command -v unshare >/dev/null || { echo "run_case_in: unshare (util-linux) is missing"; exit 77; }
    # The mounts live and die with the namespace: the host never sees them.
    output=$(unshare --mount --propagation private sh -ec '
      for dir in /sys/kernel/btf /boot /lib/modules /usr/lib/debug; do
        [ ! -d "$dir" ] || mount -t tmpfs bpfkit-no-btf "$dir"
      done
      exec "$0" --gtest_filter="$1"' "$binary" "$case" 2>&1)
    status=$? ;;
  *)
    echo "run_case_in: unknown setting '$setting' (unprivileged, no-kernel-btf)"; exit 2 ;;
esac
printf '%s\n' "$output"
[ "$status" = 0 ] || { echo "run_case_in: $case failed in the setting $setting (exit $status)"; exit 1; }
case $output in
  *"[       OK ] $case"*) exit 0 ;;
esac
echo "run_case_in: $case did not run to completion in the setting $setting (skipped?)"
exit 1
