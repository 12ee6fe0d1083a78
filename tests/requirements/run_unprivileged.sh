#!/bin/sh
# run_unprivileged.sh <gtest-binary> <Suite.Case>: runs one case as nobody
# with no capabilities (a copy of the binary nobody can read) and passes when
# the case ran and passed, not when it skipped.
binary=$1 case=$2
[ "$(id -u)" = 0 ] || { echo "run_unprivileged: needs root to become nobody"; exit 77; }
command -v setpriv >/dev/null || { echo "run_unprivileged: setpriv (util-linux) is missing"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
cp "$binary" "$dir/test"
chmod 755 "$dir/test"
output=$(cd "$dir" && setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  ./test --gtest_filter="$case" 2>&1)
status=$?
printf '%s\n' "$output"
[ "$status" = 0 ] || { echo "run_unprivileged: $case failed (exit $status)"; exit 1; }
case $output in
  *"[       OK ] $case"*) exit 0 ;;
esac
echo "run_unprivileged: $case did not run to completion (skipped?)"
exit 1
