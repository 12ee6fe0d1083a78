#!/bin/sh
# A declarative BPF test run without privileges must report "skipped" (exit
# 77, which ctest shows as skipped), never fail or pass.
#   unprivileged.sh BPFKIT_TEST SPEC
# Runs a copy of the runner, the spec and its object from a private
# world-readable directory as user nobody with every capability dropped.
set -u
runner=$1
spec=$2
[ "$(id -u)" -eq 0 ] || { echo "skip: dropping privileges needs root"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: setpriv (util-linux) is not installed"; exit 77; }

dir=$(mktemp -d /tmp/bpfkit-unprivileged.XXXXXX)
trap 'rm -rf "$dir"' EXIT
object=$(sed -n 's/^object=//p' "$spec")
cp "$runner" "$dir/bpfkit-test"
cp "$object" "$dir/object.bpf.o"
sed "s|^object=.*|object=$dir/object.bpf.o|" "$spec" >"$dir/spec.bpftest"
chmod -R a+rX "$dir"

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  "$dir/bpfkit-test" "$dir/spec.bpftest" 2>&1)
rc=$?
echo "$out"
if [ "$rc" -ne 77 ]; then
  echo "expected exit 77 (skipped) without privileges, got $rc"
  exit 1
fi
case $out in
  *"SKIPPED "*"needs root"*) echo "unprivileged run skipped as it should" ;;
  *) echo "expected a SKIPPED line naming the missing privilege"; exit 1 ;;
esac
