#!/bin/bash
# pinned_map_test.sh: `bpfkit btf` on a map pinned by `bpfkit load` and on
# the same map by id (id:N), and its errors on pinned objects.
#
# Environment (set by CMakeLists.txt): BPFKIT (the CLI), OBJ (inspect_layout.bpf.o),
# BPFTOOL (may be empty: the map-without-BTF case is then left out).
#
# Exit 0 pass, 1 fail, 77 skip (not root, no bpffs, no privilege to load).
# Pins only under /sys/fs/bpf/bpfkit-test-inspect-<pid>, removed by the EXIT
# trap on every path, as is the scratch copy of the CLI for the unprivileged run.
set -u
: "${BPFKIT:?}" "${OBJ:?}"
. "$(dirname "$0")/../lib/shell_test.sh"

# matches REGEX: a line of $out matches the extended regex.
matches() { grep -Eq -- "$1" <<<"$out" || fail "no line matches: $1"; }

[ "$(id -u)" -eq 0 ] || skip "needs root to load and pin (uid $(id -u))"
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] || skip "/sys/fs/bpf is not a bpf filesystem (ci/kernel-fs.sh mounts it)"

dir=/sys/fs/bpf/bpfkit-test-inspect-$$
scratch=
cleanup() {
  "$BPFKIT" unpin "$dir" >/dev/null 2>&1
  [ -n "$BPFTOOL" ] && rm -f "$dir-nobtf"
  rmdir "$dir" 2>/dev/null
  [ -n "$scratch" ] && rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

out=$("$BPFKIT" load "$OBJ" --pin "$dir" 2>&1)
status=$?
[ $status -eq 4 ] && skip "no privilege to load BPF programs: $out"
[ $status -eq 0 ] || fail "bpfkit load failed ($status): $out"

# The pinned map: its key and value types, laid out.
expect 0 "$BPFKIT" btf "$dir/maps/flows"
matches '^/\* map flows \(id [0-9]+, hash\): key struct flow_key \(16 bytes\), value struct flow_stats \(72 bytes\) \*/$'
matches '^struct flow_stats \{$'
matches '^    __u32 pid; +/\* +0 +4 \*/$'
matches '^    /\* XXX 4 bytes hole \*/$'
matches '^    __u8 kind:3; +/\* +24:0 3 bits \*/$'
matches '^    /\* XXX 3 bytes of padding \*/$'
matches '^struct flow_key \{$'
by_pin=$out
id=$(sed -nE 's/^\/\* map flows \(id ([0-9]+),.*/\1/p' <<<"$out")

# The same map by id: the same output.
expect 0 "$BPFKIT" btf "id:$id"
[ "$out" = "$by_pin" ] || fail "btf id:$id differs from btf $dir/maps/flows"
expect 0 "$BPFKIT" btf "id:$id" flow_key
matches '^struct flow_key \{$'
grep -q flow_stats <<<"$out" && fail "btf id:$id flow_key shows more than flow_key"
expect 0 "$BPFKIT" btf "id:$id" --json
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["map"]["id"] == int(sys.argv[2]), d["map"]; assert [t["name"] for t in d["types"]] == ["flow_key", "flow_stats", "flow_state"], d["types"]' "$out" "$id" ||
  fail "btf id:$id --json"

# Errors.
expect 3 "$BPFKIT" btf "id:$id" no_such_type
matches "error: no type named 'no_such_type' in map flows \(id $id\)"
expect 3 "$BPFKIT" btf "$dir/progs/count_flows"
matches "error: $dir/progs/count_flows is a program, not a map"
matches 'hint: bpfkit btf shows the key and value types of a pinned map'
expect 3 "$BPFKIT" btf "$dir/maps/nope"
matches "error: nothing is pinned at $dir/maps/nope"
expect 3 "$BPFKIT" btf id:4294967295
matches 'error: no map with id 4294967295'
expect 3 "$BPFKIT" btf id:twelve
matches "error: 'id:twelve' is not a map id"
if [ -n "$BPFTOOL" ]; then
  "$BPFTOOL" map create "$dir-nobtf" type hash key 4 value 8 entries 4 name inspect_nobtf || fail "bpftool map create"
  expect 3 "$BPFKIT" btf "$dir-nobtf"
  matches 'error: map inspect_nobtf \(id [0-9]+\) has no BTF: its key is 4 and its value 8 bytes, of no known type'
fi

# Without privileges: the kernel refuses to open the map.
scratch=$(mktemp -d /tmp/bpfkit-inspect-XXXXXX)
cp "$BPFKIT" "$scratch/bpfkit"
chmod 755 "$scratch" "$scratch/bpfkit"
expect 4 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  "$scratch/bpfkit" btf "id:$id"
matches "error: opening map id:$id: Operation not permitted"
matches 'hint: run as root'
echo "PASS"
