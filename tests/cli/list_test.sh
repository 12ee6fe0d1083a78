#!/bin/bash
# list_test.sh CASE: `bpfkit list` and the id:N references, checked against
# bpftool and the kernel.
#
# Environment (set by list.cmake): BPFKIT (the CLI), OBJ (cli_state.bpf.o),
# PYTHON (python3), BPFTOOL (may be empty).
#
# Exit 0 pass, 1 fail, 77 skip (no root, no bpffs, no privilege to load BPF,
# a missing tool). Each case pins only under /sys/fs/bpf/bpfkit-test-list-
# <case>-<pid>, removed by the EXIT trap on every path; XDP and tc attach only
# in a private network namespace (unshare --net) on a veth pair created there
# under names unique to this run, which disappears with the namespace.
set -u

case_name=${1:?usage: list_test.sh CASE}
: "${BPFKIT:?}" "${OBJ:?}"

# skip, fail, expect, contains, lacks, with_tracefs, nobody
. "$(dirname "$0")/../lib/shell_test.sh"

# stdout only, for JSON (libbpf may warn on stderr).
expect_json() {
  local want=$1
  shift
  out=$("$@")
  local got=$?
  echo "\$ $*"
  echo "$out" | sed 's/^/  | /'
  [ "$got" -eq "$want" ] || fail "exit status $got, expected $want: $*"
}

# check PYTHON-CODE ARGS...: $out is JSON in `d`; the code (statements) runs
# with sys.argv[1:] as `args`, and fails the test by raising.
check() {
  local code=$1
  shift
  printf '%s' "$out" | "$PYTHON" -c '
import json, subprocess, sys
d = json.load(sys.stdin)
args = sys.argv[2:]
def bpftool(*words):
    return json.loads(subprocess.run([args[0], "--json", *words], check=True,
                                     stdout=subprocess.PIPE).stdout)
def same(what, ours, theirs):
    if ours != theirs:
        raise SystemExit(f"{what}: bpfkit says {ours!r}, bpftool/the kernel {theirs!r}")
exec(sys.argv[1])
' "$code" "$@" || fail "JSON check failed"
}

# --- cases -------------------------------------------------------------------

# What `bpfkit load --pin` loaded, as list shows it and as bpftool does.
case_loaded_pinned() {
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  expect 0 "$BPFKIT" list --pinned "$PIN"
  contains "programs (6)"
  contains "maps (8)"
  contains "links (0)"
  contains "pinned:   $PIN/progs/count_packets"
  contains "pinned:   $PIN/maps/cli_stat_rodata"
  echo "$out" | grep -Eq '^ +[0-9]+  xdp +count_packets +[0-9a-f]{16} +[1-9][0-9]*  [0-9,]+$' ||
    fail "no row 'ID xdp count_packets TAG VERIFIED MAPS'"

  expect_json 0 "$BPFKIT" list --pinned "$PIN" --json
  # Every program and map as bpftool shows it; every pin under $PIN listed once.
  check '
pins = sorted(p for o in d["programs"] + d["maps"] + d["links"] for p in o["pinned"])
same("pins", pins, sorted(args[1].split()))
for p in d["programs"]:
    n = p["name"]
    b = bpftool("prog", "show", "id", str(p["id"]))
    for ours, theirs in [("id", "id"), ("type", "type"), ("name", "name"), ("tag", "tag"),
                         ("xlated_bytes", "bytes_xlated"), ("jited_bytes", "bytes_jited"),
                         ("btf_id", "btf_id"), ("gpl", "gpl_compatible")]:
        same(f"program {n} {ours}", p[ours], b[theirs])
    same(f"program {n} map_ids", sorted(p["map_ids"]), sorted(b["map_ids"]))
    if p["verified_insns"] <= 0:
        raise SystemExit("program %s: verified_insns %d" % (n, p["verified_insns"]))
    same(f"program {n} attached", p["attached"], [])
for m in d["maps"]:
    n = m["name"]
    b = bpftool("map", "show", "id", str(m["id"]))
    for ours, theirs in [("id", "id"), ("type", "type"), ("name", "name"), ("key_size", "bytes_key"),
                         ("value_size", "bytes_value"), ("max_entries", "max_entries"), ("flags", "flags"),
                         ("btf_id", "btf_id")]:
        same(f"map {n} {ours}", m[ours], b.get(theirs, 0))  # bpftool leaves out btf_id 0
names = sorted(p["name"] for p in d["programs"])
same("programs", names, ["count_getppid", "count_packets", "emit_event", "emit_sample", "on_nanosleep", "tc_drop"])
' "$BPFTOOL" "$(find "$PIN" -type f | sort | tr '\n' ' ')"

  # verified_insns is the verifier's count, as `bpfkit verify` reports it.
  local id verified
  id=$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["programs"] if p["name"] == "count_packets"][0])')
  verified=$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print([p["verified_insns"] for p in json.load(sys.stdin)["programs"] if p["name"] == "count_packets"][0])')
  expect 0 "$BPFKIT" verify "$OBJ" --program count_packets
  contains "count_packets (xdp): accepted, $verified instructions verified"

  # The whole kernel's list has it; id:N selects it alone; bpftool's id is ours.
  expect_json 0 "$BPFKIT" list progs --json
  check 'same("listed", [p["id"] for p in d["programs"] if p["id"] == int(args[1])], [int(args[1])])' "$BPFTOOL" "$id"
  [ "$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print(list(json.load(sys.stdin)))')" = "['programs']" ] ||
    fail "list progs printed more than programs"
  expect 0 "$BPFKIT" list progs "id:$id"
  contains "programs (1)"
  echo "$out" | grep -Eq "^ +$id  xdp +count_packets " || fail "list progs id:$id does not show it"
  expect 0 "$BPFKIT" list maps --pinned "$PIN/maps/counters"
  contains "maps (1)"
  contains "pinned:   $PIN/maps/counters"
  lacks "programs ("

  expect 0 "$BPFKIT" unpin "$PIN"
  expect 3 "$BPFKIT" list progs "id:$id"
  contains "bpfkit list: error: no program id $id is loaded"
}

# Attach points: XDP and tc links on a veth in a private netns, XDP set by
# netlink, a tracepoint; compared with bpftool's link and net views.
netns_attached() {
  local a=bkl${$}a b=bkl${$}b
  ip link add "$a" type veth peer name "$b" || fail "cannot create a veth pair"
  ip link set "$a" up && ip link set "$b" up || fail "ip link set up"
  # (Not /sys/class/net: sysfs shows the namespace that mounted it.)
  local ifa ifb
  ifa=$(ip -o link show dev "$a" | cut -d: -f1)
  ifb=$(ip -o link show dev "$b" | cut -d: -f1)
  [ -n "$ifa" ] && [ -n "$ifb" ] || fail "no ifindex for $a or $b"

  expect 0 "$BPFKIT" attach "$OBJ" count_packets --xdp "$a" --pin "$PIN/xdp"
  with_tracefs "$BPFKIT" attach "$OBJ" count_getppid --tracepoint syscalls:sys_enter_getppid --pin "$PIN/tp" ||
    fail "attach --tracepoint failed"
  # XDP through netlink, without a link, on the other end.
  ip link set dev "$b" xdpgeneric pinned "$PIN/xdp/progs/count_packets" || fail "ip link set xdpgeneric"
  local tc=0
  if [ -n "$(uname -r | awk -F. '$1 > 6 || ($1 == 6 && $2 >= 6)')" ]; then
    expect 0 "$BPFKIT" attach "$OBJ" tc_drop --tc "$b:egress" --pin "$PIN/tc"
    tc=1
  fi

  expect 0 "$BPFKIT" list --pinned "$PIN"
  contains "attached: xdp on $a (ifindex $ifa), link "
  contains "attached: xdp (generic) on $b (ifindex $ifb), no link (netlink)"
  contains "attached: tracepoint sys_enter_getppid, link "
  [ $tc -eq 0 ] || contains "attached: tc egress on $b (ifindex $ifb), link "
  echo "$out" | grep -Eq "^ +[0-9]+  xdp +[0-9]+  xdp on $a \\(ifindex $ifa\\)$" || fail "no xdp link row"
  contains "pinned:   $PIN/xdp/links/count_packets"

  expect_json 0 "$BPFKIT" list links --pinned "$PIN" --json
  check '
links = {l["hook"]: l for l in d["links"]}
a, ifa, b, ifb, tc = args[1], int(args[2]), args[3], int(args[4]), args[5] == "1"
same("hooks", sorted(links), sorted(["xdp", "tracepoint"] + (["tc egress"] if tc else [])))
x = links["xdp"]
same("xdp link", (x["type"], x["target"], x["ifindex"], x["in_this_netns"]), ("xdp", a, ifa, True))
same("tracepoint link", (links["tracepoint"]["type"], links["tracepoint"]["target"]),
     ("perf_event", "sys_enter_getppid"))
if tc:
    same("tc link", (links["tc egress"]["type"], links["tc egress"]["target"], links["tc egress"]["ifindex"]),
         ("tcx", b, ifb))
for l in d["links"]:
    theirs = bpftool("link", "show", "id", str(l["id"]))
    same("link %d prog_id" % l["id"], l["prog_id"], theirs["prog_id"])
    if not isinstance(theirs["type"], int):  # bpftool 7.1 shows tcx as type 11
        same("link %d type" % l["id"], l["type"], theirs["type"])
# bpftool net: the program on each interface.
net = bpftool("net", "show")[0]["xdp"]
on = {e["devname"]: e["id"] for e in net}
same(f"xdp on {a}", on.get(a), x["prog_id"])
same(f"xdp on {b}", on.get(b), x["prog_id"])
' "$BPFTOOL" "$a" "$ifa" "$b" "$ifb" "$tc"

  # From another network namespace the ifindex names nothing of ours.
  out=$(unshare --net "$BPFKIT" list links --pinned "$PIN/xdp" 2>&1) || fail "list in another netns: $out"
  echo "$out"
  contains "xdp on ifindex $ifa (in another network namespace)"

  ip link set dev "$b" xdpgeneric off
  expect 0 "$BPFKIT" unpin "$PIN/xdp"
  expect 0 "$BPFKIT" unpin "$PIN/tp"
  [ $tc -eq 0 ] || expect 0 "$BPFKIT" unpin "$PIN/tc"
  rmdir "$PIN"
}

case_attached_netns() {
  command -v unshare >/dev/null && command -v ip >/dev/null || skip "needs unshare and ip"
  unshare --net "$0" __netns_attached
  local rc=$?
  [ $rc -eq 0 ] || exit $rc
}

# id:N wherever a pinned map or program is taken, checked against bpftool.
case_id_references() {
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  expect_json 0 "$BPFKIT" list --pinned "$PIN" --json
  local map prog
  map=$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print([m["id"] for m in json.load(sys.stdin)["maps"] if m["name"] == "flows"][0])')
  prog=$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin)["programs"] if p["name"] == "count_packets"][0])')

  expect 0 "$BPFKIT" map update "id:$map" '{saddr=0x0a000001, port=53, proto=17}' '{packets=5, bytes=100}'
  contains "flows[{saddr=0x0a000001, port=53, proto=17, pad=0}] = {packets=5, bytes=100}"
  expect 0 "$BPFKIT" map lookup "id:$map" '{saddr=0x0a000001, port=53, proto=17}'
  contains "= {packets=5, bytes=100}"
  expect 0 "$BPFKIT" map dump "id:$map"
  contains "# flows: hash map, key struct flow_key, value struct flow_counts; 1 of 64 entries"
  local by_path
  by_path=$("$BPFKIT" map dump "$PIN/maps/flows")
  [ "$by_path" = "$out" ] || fail "map dump id:$map differs from map dump of its pin"
  expect_json 0 "$BPFKIT" map dump "id:$map" --json
  check '
theirs = bpftool("map", "dump", "id", args[1])
# bpfkit shows a __be32 as the number in network order, bpftool the bytes
# read as a host integer.
def network_order(key):
    return dict(key, saddr=int.from_bytes(key["saddr"].to_bytes(4, "little"), "big"))
same("entries", [(e["key"], e["value"]) for e in d["entries"]],
     [(network_order(e["formatted"]["key"]), e["formatted"]["value"]) for e in theirs])
same("map id", d["map"]["id"], int(args[1]))
' "$BPFTOOL" "$map"
  expect 0 "$BPFKIT" map delete "id:$map" '{saddr=0x0a000001, port=53, proto=17}'
  expect 1 "$BPFKIT" map lookup "id:$map" '{saddr=0x0a000001, port=53, proto=17}'
  contains "key not found"

  # dump id:N: the kernel's instructions with the source lines of the
  # program's own BTF, as many as bpftool lists; the same as by its pin.
  expect 0 "$BPFKIT" dump "id:$prog"
  contains "count_packets (xdp, id $prog): "
  echo "$out" | grep -Eq '^; .* @ .*cli_state\.bpf\.c:[0-9]+$' || fail "no source lines"
  local listed theirs
  listed=$(echo "$out" | grep -Ec '^ +[0-9]+: ')
  theirs=$("$BPFTOOL" --json prog dump xlated id "$prog" | "$PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [ "$listed" -eq "$theirs" ] || fail "dump id:$prog lists $listed instructions, bpftool $theirs"
  by_path=$("$BPFKIT" dump "$PIN/progs/count_packets")
  [ "$by_path" = "$out" ] || fail "dump id:$prog differs from dump of its pin"
  expect 0 "$BPFKIT" run "id:$prog" --packet 'eth/ipv4(src=10.1.2.3)/udp(dport=53)'
  contains "flows[{saddr=0x0a010203, port=53, proto=17, pad=0}] = {packets=1, bytes=42} (new)"

  # Bad references.
  expect 3 "$BPFKIT" map dump id:4294967295
  contains "bpfkit map: error: no map id 4294967295 is loaded"
  contains "hint: 'bpfkit list maps' shows the ids of the loaded maps"
  expect 3 "$BPFKIT" map dump id:twelve
  contains "'id:twelve' is not an object id: write id:N with the decimal id that 'bpfkit list' shows"
  expect 3 "$BPFKIT" dump id:4294967295
  contains "no program id 4294967295 is loaded"
  expect 2 "$BPFKIT" dump "id:$prog" --raw
  contains "--raw lists a program of an object file; id:$prog is loaded: drop --raw"
  expect 2 "$BPFKIT" list "id:$prog"
  contains "'id:$prog' needs the kind of object first: bpfkit list progs|maps|links id:$prog"
  expect 3 "$BPFKIT" list progs id:0
  contains "bpfkit list: error: 'id:0' is not an object id"
  expect 2 "$BPFKIT" list things
  contains "unexpected argument 'things'"
  expect 3 "$BPFKIT" list --pinned /tmp
  contains "/tmp is not on a BPF filesystem (bpffs)"
  expect 3 "$BPFKIT" list --pinned "$PIN/nothing-here"
  contains "$PIN/nothing-here: no such file or directory"

  # Without privileges: status 4 and what to do (a copy of the CLI: the build
  # tree may not be readable by nobody).
  command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
  scratch=$(mktemp -d /tmp/bpfkit-list-test-XXXXXX)
  chmod 755 "$scratch" && cp "$BPFKIT" "$scratch/bpfkit" && chmod 755 "$scratch/bpfkit"
  expect 4 nobody "$scratch/bpfkit" list
  contains "bpfkit list: error: listing the loaded links needs privileges this process lacks"
  contains "hint: run as root"
  expect 4 nobody "$scratch/bpfkit" map dump "id:$map"
  contains "opening map id $map needs privileges this process lacks"
  expect 0 "$BPFKIT" unpin "$PIN"
}

# --- driver ------------------------------------------------------------------

case $case_name in
  __netns_attached) netns_attached; exit 0 ;;
esac

[ "$(id -u)" -eq 0 ] || skip "needs root: loading BPF and pinning in /sys/fs/bpf"
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] ||
  skip "bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)"
[ -n "$PYTHON" ] || skip "python3 is needed to read JSON"
[ -n "$BPFTOOL" ] || skip "bpftool is needed to compare with"
probe=$("$BPFKIT" run "$OBJ" tc_drop --packet eth/ipv4/udp 2>&1)
[ $? -eq 4 ] && skip "cannot load BPF here: $probe"

# Directories of earlier runs that were killed (SIGKILL skips the trap).
for stale in /sys/fs/bpf/bpfkit-test-list-*; do
  [ -e "$stale" ] || continue
  owner=${stale##*-}
  kill -0 "$owner" 2>/dev/null || rm -rf "$stale"
done

export PIN=/sys/fs/bpf/bpfkit-test-list-$case_name-$$
scratch=
cleanup() {
  [ -e "$PIN" ] && rm -rf "$PIN"
  [ -n "$scratch" ] && rm -rf "$scratch"
  true
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

type "case_$case_name" >/dev/null 2>&1 || fail "unknown case '$case_name'"
"case_$case_name"
[ ! -e "$PIN" ] || fail "$PIN is left after the test"
echo "PASS: $case_name"
