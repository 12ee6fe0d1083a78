#!/usr/bin/env bash
# packaging.install_strip: `cmake --install --strip` leaves bpfkit's static
# libraries without debug information (as Debian's dh_strip does; CMake
# strips only executables and shared libraries), with their symbol index,
# and a plain install over the same prefix puts the debug information back.
#
#   install_strip.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$(realpath "$1") work=$2
rm -rf "$work"
mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# Members of an archive that carry DWARF.
with_debug() { readelf -S --wide "$1" | grep -c ' \.debug_info ' || true; }
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")

cmake --install "$build" --prefix "$work/prefix" --strip > "$work/strip.log" 2>&1 ||
  { cat "$work/strip.log"; echo "FAIL: cmake --install --strip failed"; exit 1; }
archives=("$work"/prefix/lib*/libbpfkit*.a)
[[ -f ${archives[0]} ]] || { echo "FAIL: no lib/libbpfkit*.a installed"; exit 1; }
for archive in "${archives[@]}"; do
  [[ $(with_debug "$archive") == 0 ]] || fail "$archive keeps debug information after --strip"
  nm -s "$archive" > "$work/symbols.txt"  # read whole: grep -q would cut nm's pipe
  grep -q '^Archive index:' "$work/symbols.txt" || fail "$archive lost its symbol index"
done
echo "stripped: ${#archives[@]} archives, $(du -sch "${archives[@]}" | tail -1 | cut -f1) in all"

cmake --install "$build" --prefix "$work/prefix" > "$work/plain.log" 2>&1 ||
  { cat "$work/plain.log"; echo "FAIL: cmake --install failed"; exit 1; }
case $build_type in
  Debug | RelWithDebInfo)
    for archive in "${archives[@]}"; do
      [[ $(with_debug "$archive") != 0 ]] || fail "$archive has no debug information after a plain install"
    done
    echo "plain: $(du -sch "${archives[@]}" | tail -1 | cut -f1), with debug information" ;;
  *) echo "(a $build_type build has no debug information to keep: the plain install is not checked)" ;;
esac

rm -rf "$work"
((failures == 0)) || { echo "$failures problem(s)"; exit 1; }
echo "ok"
