#!/bin/bash
# cli_state_test.sh CASE: one end-to-end test of `bpfkit run|load|attach|map|unpin`.
#
# Environment (set by CMakeLists.txt): BPFKIT (the CLI), OBJ (cli_state.bpf.o),
# PYTHON (python3, for JSON checks and sending frames), BPFTOOL (may be empty),
# WORK (a scratch directory in the build tree).
#
# Exit 0 pass, 1 fail, 77 skip (no root, no bpffs, no privilege to load BPF,
# a missing tool). Every case pins only under its own directory
# /sys/fs/bpf/bpfkit-test-cli-<case>-<pid>, removed by the EXIT trap on every
# path; XDP and tc attach only in a private network namespace (unshare --net)
# on a veth pair created there, which disappears with the namespace.
set -u

case_name=${1:?usage: cli_state_test.sh CASE}
: "${BPFKIT:?}" "${OBJ:?}" "${WORK:?}"

# skip, fail, expect, contains, lacks, with_tracefs, nobody
. "$(dirname "$0")/../lib/shell_test.sh"

# --- helpers -----------------------------------------------------------------

# contains NEEDLE: $out must contain NEEDLE (a fixed string).
# kernel_at_least MAJOR MINOR: whether the running kernel is that new.
kernel_at_least() {
  local release major minor
  release=$(uname -r)
  major=${release%%.*}
  minor=${release#*.}
  minor=${minor%%[!0-9]*}
  [ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "$minor" -ge "$2" ]; }
}

# check_json PYTHON-EXPR: $out parsed as JSON into `d`; EXPR must be true.
check_json() {
  [ -n "$PYTHON" ] || { echo "(python3 missing: JSON not checked)"; return; }
  printf '%s' "$out" | "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
cpus = 0
for part in open("/sys/devices/system/cpu/possible").read().strip().split(","):
    lo, _, hi = part.partition("-")
    cpus += int(hi or lo) - int(lo) + 1
ok = eval(sys.argv[1])
if not ok:
    print("JSON check failed: " + sys.argv[1])
    print(json.dumps(d, indent=2))
    sys.exit(1)
' "$1" || fail "JSON check: $1"
}

# Waits up to 10 s for FILE to contain TEXT.
wait_for() {
  local file=$1 text=$2 i
  for i in $(seq 100); do
    grep -qF -- "$text" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "--- $file:"; cat "$file" 2>/dev/null
  fail "timed out waiting for '$text' in $file"
}

# send_frames IFACE COUNT: COUNT eth/ipv4/udp frames from 10.1.2.3 to port 53.
send_frames() {
  "$PYTHON" - "$1" "$2" <<'EOF' || fail "cannot send frames on $1"
import socket, struct, sys
iface, count = sys.argv[1], int(sys.argv[2])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
udp = struct.pack("!HHHH", 1000, 53, 8 + 4, 0) + b"test"
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                 bytes([10, 1, 2, 3]), bytes([10, 1, 2, 4]))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + udp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
for _ in range(count):
    s.send(frame)
EOF
}

# The number of possible CPUs (libbpf_num_possible_cpus()).
possible_cpus() {
  local total=0 part lo hi
  IFS=, read -ra parts </sys/devices/system/cpu/possible
  for part in "${parts[@]}"; do
    lo=${part%-*} hi=${part#*-}
    total=$((total + hi - lo + 1))
  done
  echo "$total"
}

# --- cases -------------------------------------------------------------------

case_load_pin_bpftool() {
  [ -n "$BPFTOOL" ] || skip "bpftool is not installed (ci/ installs it)"
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  contains "progs/count_packets"
  contains "maps/cli_stat_bss"
  expect 0 "$BPFTOOL" prog show pinned "$PIN/progs/count_packets"
  contains "xdp  name count_packets"
  contains "btf_id"
  expect 0 "$BPFTOOL" prog show pinned "$PIN/progs/tc_drop"
  contains "sched_cls  name tc_drop"
  expect 0 "$BPFTOOL" prog show pinned "$PIN/progs/count_getppid"
  contains "tracepoint  name count_getppid"
  expect 0 "$BPFTOOL" map show pinned "$PIN/maps/flows"
  contains "hash  name flows"
  contains "key 8B  value 16B  max_entries 64"
  expect 0 "$BPFTOOL" map show pinned "$PIN/maps/percpu_counts"
  contains "percpu_array  name percpu_counts"
  expect 0 "$BPFTOOL" map show pinned "$PIN/maps/events"
  contains "ringbuf  name events"
  expect 0 "$BPFTOOL" map show pinned "$PIN/maps/cli_stat_bss"
  contains "array  name cli_stat.bss"
  # The pinned program uses the pinned maps (not copies).
  expect 0 "$BPFTOOL" -j map show pinned "$PIN/maps/flows"
  local flows_id
  flows_id=$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["id"])') ||
    fail "no map id"
  expect 0 "$BPFTOOL" -j prog show pinned "$PIN/progs/count_packets"
  check_json "$flows_id in d['map_ids'] and d['name'] == 'count_packets'"
  local prog_id
  prog_id=$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  # bpftool finds what bpfkit wrote under the key's bytes: saddr in network
  # order, port and proto in host order (little-endian here), pad.
  expect 0 "$BPFKIT" map update "$PIN/maps/flows" '{saddr=0x0a000001, port=53, proto=17}' '{packets=5, bytes=0x0102030405060708}'
  expect 0 "$BPFTOOL" -j map lookup pinned "$PIN/maps/flows" key hex 0a 00 00 01 35 00 11 00
  check_json "d['formatted']['value'] == {'packets': 5, 'bytes': 0x0102030405060708} if 'formatted' in d else d['value'] == {'packets': 5, 'bytes': 0x0102030405060708}"

  # A second load into the same directory: refused, nothing changed.
  local before
  before=$(ls -R "$PIN")
  expect 3 "$BPFKIT" load "$OBJ" --pin "$PIN"
  contains "already exists"
  contains "bpfkit unpin $PIN"
  [ "$(ls -R "$PIN")" = "$before" ] || fail "a refused load changed $PIN"

  expect 0 "$BPFKIT" unpin "$PIN"
  [ ! -e "$PIN" ] || fail "$PIN still exists after unpin"
  "$BPFTOOL" prog show id "$prog_id" >/dev/null 2>&1 && fail "program $prog_id still loaded after unpin"
  true
}

case_unpin_keeps_foreign() {
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  # Foreign entries: a directory, another pin set nested in DIR, and (with
  # bpftool) a map pinned into progs/, where bpfkit pins only programs.
  mkdir "$PIN/notes" || fail "mkdir on bpffs"
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN/nested"
  if [ -n "$BPFTOOL" ]; then
    "$BPFTOOL" map pin pinned "$PIN/maps/counters" "$PIN/progs/stray_map" || fail "bpftool map pin"
  fi
  expect 0 "$BPFKIT" unpin "$PIN"
  contains "removed 8 maps and $PIN/maps/"
  contains "left"
  contains "$PIN/notes/ (not part of bpfkit's layout)"
  contains "$PIN/nested/ (not part of bpfkit's layout)"
  [ -d "$PIN/notes" ] || fail "unpin removed the foreign directory notes/"
  [ -e "$PIN/nested/progs/count_packets" ] || fail "unpin removed pins of the nested directory"
  [ ! -e "$PIN/maps" ] || fail "maps/ should be gone"
  [ ! -e "$PIN/progs/count_packets" ] || fail "progs/count_packets should be gone"
  if [ -n "$BPFTOOL" ]; then
    contains "$PIN/progs/stray_map (a map in programs/, not pinned by bpfkit)"
    [ -e "$PIN/progs/stray_map" ] || fail "unpin removed a map pinned in progs/ by someone else"
    rm "$PIN/progs/stray_map"
  fi
  expect 0 "$BPFKIT" unpin "$PIN/nested"
  [ ! -e "$PIN/nested" ] || fail "$PIN/nested still exists"
  # Nothing of bpfkit's there: nothing removed, exit 0.
  expect 0 "$BPFKIT" unpin "$PIN/notes"
  contains "holds no bpfkit pins"
  rmdir "$PIN/notes"
  [ -z "$BPFTOOL" ] || rmdir "$PIN/progs"
  # An empty directory without bpfkit's layout is not bpfkit's to remove.
  expect 0 "$BPFKIT" unpin "$PIN"
  contains "holds no bpfkit pins"
  rmdir "$PIN" || fail "$PIN is not empty"
  expect 3 "$BPFKIT" unpin "$PIN/missing"
  contains "does not exist"
  expect 3 "$BPFKIT" unpin "$WORK"
  contains "is not on a BPF filesystem (bpffs)"
}

case_map_struct_roundtrip() {
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  local flows=$PIN/maps/flows
  # Fields by name, in any order; missing fields are zero.
  expect 0 "$BPFKIT" map update "$flows" '{proto=17, port=53, saddr=0x0a000001}' '{packets=5, bytes=100}'
  expect 0 "$BPFKIT" map lookup "$flows" '{saddr=0x0a000001, port=53, proto=17}'
  [ "$out" = "flows[{saddr=0x0a000001, port=53, proto=17, pad=0}] = {packets=5, bytes=100}" ] ||
    fail "unexpected lookup output"
  expect 0 "$BPFKIT" map lookup "$flows" '{saddr=0x0a000001, port=53, proto=17}' --json
  check_json "d == {'key': {'saddr': 0x0a000001, 'port': 53, 'proto': 17, 'pad': 0}, 'value': {'packets': 5, 'bytes': 100}}"
  expect 0 "$BPFKIT" map update "$flows" '{saddr=0x0a000002, port=80, proto=6}' '{packets=1}' --flags noexist
  expect 0 "$BPFKIT" map dump "$flows"
  contains "# flows: hash map, key struct flow_key, value struct flow_counts; 2 of 64 entries"
  contains "flows[{saddr=0x0a000002, port=80, proto=6, pad=0}] = {packets=1, bytes=0}"
  expect 0 "$BPFKIT" map dump "$flows" --json
  check_json "d['map']['name'] == 'flows' and d['map']['type'] == 'hash' and d['map']['key_type'] == 'struct flow_key' and sorted(e['value']['packets'] for e in d['entries']) == [1, 5]"
  # The syntax the dump prints is the syntax update takes.
  expect 0 "$BPFKIT" map update "$flows" '{saddr=0x0a000002, port=80, proto=6, pad=0}' '{packets=2, bytes=3}' --flags exist
  contains "= {packets=2, bytes=3}"
  expect 1 "$BPFKIT" map update "$flows" '{saddr=0x0a000001, port=53, proto=17}' '{packets=6}' --flags noexist
  contains "already exists"
  expect 1 "$BPFKIT" map update "$flows" '{saddr=0x0a000009}' '{packets=6}' --flags exist
  contains "key not found"
  expect 1 "$BPFKIT" map lookup "$flows" '{saddr=0x0a000009}'
  contains "key not found: flows[{saddr=0x0a000009, port=0, proto=0, pad=0}]"
  expect 0 "$BPFKIT" map delete "$flows" '{saddr=0x0a000002, port=80, proto=6}'
  expect 1 "$BPFKIT" map lookup "$flows" '{saddr=0x0a000002, port=80, proto=6}'
  # Bad KEY/VALUE text is bad input (exit 3) naming the column and the fix.
  expect 3 "$BPFKIT" map lookup "$flows" '{saddr='
  contains "is not a valid struct flow_key"
  expect 3 "$BPFKIT" map lookup "$flows" '{saddr=1, prt=53}'
  contains "unknown field 'prt'"
  expect 3 "$BPFKIT" map update "$flows" '{port=70000}' '{packets=1}'
  contains "port"
  expect 3 "$BPFKIT" map update "$flows" '{port=1}' '{packets=one}'
  contains "VALUE '{packets=one}' is not a valid struct flow_counts"
  expect 2 "$BPFKIT" map update "$flows" '{port=1}' '{packets=1}' --flags sometimes
  # An array of integers; globals by variable name.
  expect 0 "$BPFKIT" map update "$PIN/maps/counters" 3 42
  expect 0 "$BPFKIT" map lookup "$PIN/maps/counters" 3 --json
  check_json "d == {'key': 3, 'value': 42}"
  expect 0 "$BPFKIT" map dump "$PIN/maps/cli_stat_rodata"
  contains "cli_stat.rodata[0] = {drop_port=9}"
  expect 0 "$BPFKIT" map update "$PIN/maps/cli_stat_bss" 0 '{sequence=7}'
  contains "cli_stat.bss[0] = {sequence=7}"
  expect 3 "$BPFKIT" map dump "$PIN/maps/events"
  contains "bpfkit map watch"
  expect 0 "$BPFKIT" unpin "$PIN"
}

case_map_percpu() {
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  local cpus=$PIN/maps/percpu_counts
  expect 0 "$BPFKIT" run "$PIN/progs/count_packets" --packet eth/ipv4/udp --repeat 3
  expect 0 "$BPFKIT" map dump "$cpus" --json
  check_json "d['map']['per_cpu'] and d['map']['cpus'] == cpus and len(d['entries']) == 2 and all(len(e['values']) == cpus for e in d['entries']) and sum(d['entries'][0]['values']) == 3"
  expect 0 "$BPFKIT" map dump "$cpus"
  local lines
  lines=$(grep -c '^  cpu[0-9]*: ' <<<"$out")
  [ "$lines" -eq $((2 * $(possible_cpus))) ] ||
    fail "expected one line per possible CPU ($(possible_cpus)) per entry, found $lines lines"
  expect 0 "$BPFKIT" map update "$cpus" 1 5
  expect 0 "$BPFKIT" map update "$cpus" 1 9 --cpu 0
  expect 0 "$BPFKIT" map lookup "$cpus" 1 --json
  check_json "d['values'] == [9] + [5] * (cpus - 1)"
  contains '"values": [9'
  expect 2 "$BPFKIT" map update "$PIN/maps/counters" 1 9 --cpu 0
  expect 0 "$BPFKIT" unpin "$PIN"
}

case_run_packet() {
  expect 0 "$BPFKIT" run "$OBJ" count_packets --packet 'eth/ipv4(src=10.1.2.3)/udp(dport=53)/payload(len=8)'
  contains "program:  count_packets (xdp, SEC(\"xdp\"))"
  contains "retval:   2 (XDP_PASS)"
  contains "ns per run (1 run)"
  contains "data_out: 50 bytes"
  contains "maps changed:"
  contains "  counters[0] = 1 (was 0)"
  contains "  flows[{saddr=0x0a010203, port=53, proto=17, pad=0}] = {packets=1, bytes=50} (new)"
  contains "  percpu_counts[0]:"
  lacks "rodata"
  # .rodata decides: UDP to port 9 is dropped.
  expect 0 "$BPFKIT" run "$OBJ" count_packets --packet 'eth/ipv4/udp(dport=9)' --repeat 5 --json
  check_json "d['retval'] == 1 and d['retval_name'] == 'XDP_DROP' and d['repeat'] == 5 and d['section'] == 'xdp' and d['pinned'] is None"
  check_json "[c for m in d['maps'] if m['name'] == 'counters' for c in m['changes']] == [{'key': 0, 'before': 0, 'after': 5}]"
  check_json "[m['changes'] for m in d['maps'] if m['name'] == 'flows'] == [[{'key': {'saddr': 0x0a000001, 'port': 9, 'proto': 17, 'pad': 0}, 'before': None, 'after': {'packets': 5, 'bytes': 210}}]]"
  check_json "not any(m['name'].endswith('.rodata') for m in d['maps'])"
  # Ring buffer records a fresh object received are shown.
  expect 0 "$BPFKIT" run "$OBJ" emit_event --packet eth/ipv4/udp --repeat 2
  contains "ring buffer events: 2"
  contains "events: 16 bytes: de c0 f0 b9 2a 00 00 00 01 00"
  contains "cli_stat.bss[0] = {sequence=2} (was {sequence=0})"
  expect 3 "$BPFKIT" run "$OBJ" count_packets --packet 'eth/ipv4/udp(prt=1)'
  contains "--packet: "
  contains "unknown field 'prt'"
}

case_run_data_in() {
  mkdir -p "$WORK"
  local frame=$WORK/frame-$$.bin result=$WORK/out-$$.bin
  # An ARP frame: not IPv4, so count_packets drops it.
  printf '\377\377\377\377\377\377\002\000\000\000\000\001\010\006%040d' 0 >"$frame"
  expect 0 "$BPFKIT" run "$OBJ" count_packets --data-in "$frame" --data-out "$result"
  contains "retval:   1 (XDP_DROP)"
  contains "data_out: 54 bytes (written to $result)"
  cmp -s "$frame" "$result" || fail "--data-out should hold the unchanged frame"
  rm -f "$frame" "$result"
  expect 3 "$BPFKIT" run "$OBJ" count_packets --data-in "$WORK/no-such-frame.bin"
  contains "--data-in $WORK/no-such-frame.bin: cannot open"
  expect 2 "$BPFKIT" run "$OBJ" count_packets --data-in "$frame" --packet eth/ipv4/udp
  printf 'x' >"$frame"
  expect 1 "$BPFKIT" run "$OBJ" count_packets --data-in "$frame"
  contains "at least 14 bytes"
  rm -f "$frame"
  expect 2 "$BPFKIT" run "$OBJ" count_packets --repeat 0 --packet eth/ipv4/udp
  expect 2 "$BPFKIT" run "$OBJ"
  contains "missing PROG"
}

case_run_tc() {
  expect 0 "$BPFKIT" run "$OBJ" tc_drop --packet eth/ipv4/tcp
  contains "program:  tc_drop (sched_cls, SEC(\"tc\"))"
  contains "retval:   2 (TC_ACT_SHOT)"
  contains "  counters[1] = 1 (was 0)"
  expect 0 "$BPFKIT" run "$OBJ" tc_drop --packet eth/ipv4/tcp --json
  check_json "d['retval_name'] == 'TC_ACT_SHOT' and d['type'] == 'sched_cls'"
}

case_run_pinned_ringbuf_watch() {
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  local events=$PIN/maps/events log=$WORK/watch-$$
  mkdir -p "$WORK"
  "$BPFKIT" map watch "$events" --count 2 --timeout 30 >"$log.out" 2>"$log.err" &
  watcher=$!
  wait_for "$log.err" "watching ringbuf map 'events'"
  # The pinned program writes into the pinned ring buffer.
  expect 0 "$BPFKIT" run "$PIN/progs/emit_event" --packet eth/ipv4/udp
  contains "program:  emit_event (xdp, pinned at $PIN/progs/emit_event)"
  contains "cli_stat.bss[0] = {sequence=1} (was {sequence=0})"
  expect 0 "$BPFKIT" run "$PIN/progs/emit_event" --packet 'eth/ipv4/udp/payload(len=10)'
  wait "$watcher" || fail "map watch exited with $? (stderr: $(cat "$log.err"))"
  watcher=
  out=$(cat "$log.out")
  echo "$out"
  [ "$(grep -c '^event ' <<<"$out")" -eq 2 ] || fail "expected 2 events"
  contains "event 1: 16 bytes: de c0 f0 b9 2a 00 00 00 01 00 00 00 00 00 00 00"
  contains "event 2: 16 bytes: de c0 f0 b9 34 00 00 00 02 00 00 00 00 00 00 00"
  # Typed by --type, from the BTF of the program that uses the map. Records
  # wait in the ring, so this watcher may start after the run.
  expect 0 "$BPFKIT" run "$PIN/progs/emit_event" --packet eth/ipv4/udp
  expect 0 "$BPFKIT" map watch "$events" --count 1 --timeout 30 --type event --json
  out=$(grep '^{' <<<"$out")
  check_json "d == {'event': 1, 'size': 16, 'value': {'magic': 0xb9f0c0de, 'length': 42, 'sequence': 3}}"
  expect 1 "$BPFKIT" map watch "$events" --count 1 --timeout 1
  contains "timed out after 1 s with 0 of 1 events"
  expect 3 "$BPFKIT" map watch "$events" --type no_such_struct --timeout 1
  contains "structs there:"
  # --btf with a corrupt name (libbpf 1.1 reads it as NULL): refused by
  # object_check before libbpf reads it, not a crash.
  if [ -n "$PYTHON" ]; then
    "$PYTHON" "$CORRUPT_BTF_NAME" "$OBJ" "$WORK/corrupt-$$.bpf.o" event ||
      fail "cannot corrupt a copy of the object"
    expect 3 "$BPFKIT" map watch "$events" --type event --btf "$WORK/corrupt-$$.bpf.o" --timeout 1
    rm -f "$WORK/corrupt-$$.bpf.o"
    contains "--btf $WORK/corrupt-$$.bpf.o: malformed BTF: type ["
    contains "its name is at string offset"
    contains "hint: the file is damaged or not BTF: copy or regenerate it"
  fi
  expect 3 "$BPFKIT" map watch "$PIN/maps/flows" --timeout 1
  contains "watch reads ringbuf and perf_event_array maps"
  rm -f "$log.out" "$log.err"
  expect 0 "$BPFKIT" unpin "$PIN"
}

case_watch_perf() {
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  local log=$WORK/watch-$$
  mkdir -p "$WORK"
  # Perf events reach only a reader that is already there: wait for it.
  "$BPFKIT" map watch "$PIN/maps/samples" --count 1 --timeout 30 --type 'struct event' \
    >"$log.out" 2>"$log.err" &
  watcher=$!
  wait_for "$log.err" "watching perf_event_array map 'samples'"
  expect 0 "$BPFKIT" run "$PIN/progs/emit_sample" --packet eth/ipv4/udp
  wait "$watcher" || fail "map watch exited with $? (stderr: $(cat "$log.err"))"
  watcher=
  out=$(cat "$log.out")
  echo "$out"
  contains "(cpu "
  contains "): {magic=3119562974, length=42, sequence=1}"
  rm -f "$log.out" "$log.err"
  expect 0 "$BPFKIT" unpin "$PIN"
}

case_attach_tracepoint_pin() {
  [ -n "$PYTHON" ] || skip "python3 is needed to trigger getppid()"
  expect 0 with_tracefs "$BPFKIT" attach "$OBJ" count_getppid --tracepoint syscalls:sys_enter_getppid --pin "$PIN"
  contains "attached count_getppid (tracepoint) to tracepoint syscalls:sys_enter_getppid"
  contains "detach with: bpfkit unpin $PIN"
  [ -e "$PIN/links/count_getppid" ] || fail "no link pinned at $PIN/links/count_getppid"
  # bpfkit has exited; the program still runs.
  local pid
  pid=$("$PYTHON" -c 'import os; [os.getppid() for _ in range(3)]; print(os.getpid())')
  expect 0 "$BPFKIT" map lookup "$PIN/maps/calls" "$pid"
  local count=${out##* = }
  [ "$count" -ge 3 ] || fail "expected at least 3 calls by $pid, found $count"
  local link_id=
  if [ -n "$BPFTOOL" ]; then
    expect 0 "$BPFTOOL" -j link show pinned "$PIN/links/count_getppid"
    link_id=$(printf '%s' "$out" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  fi
  # Without a hook option: the hook its section names.
  expect 0 with_tracefs "$BPFKIT" attach "$OBJ" count_getppid --pin "$PIN/by-section"
  contains "to its section's hook (SEC(\"tracepoint/syscalls/sys_enter_getppid\"))"
  pid=$("$PYTHON" -c 'import os; os.getppid(); print(os.getpid())')
  expect 0 "$BPFKIT" map lookup "$PIN/by-section/maps/calls" "$pid"
  expect 0 "$BPFKIT" unpin "$PIN/by-section"
  expect 0 "$BPFKIT" unpin "$PIN"
  contains "removed 1 links"
  [ ! -e "$PIN" ] || fail "$PIN still exists"
  if [ -n "$link_id" ]; then
    "$BPFTOOL" link show id "$link_id" >/dev/null 2>&1 && fail "link $link_id still exists after unpin"
  fi
  expect 3 with_tracefs "$BPFKIT" attach "$OBJ" count_getppid --tracepoint syscalls:no_such_tracepoint
  expect 2 "$BPFKIT" attach "$OBJ" count_getppid --tracepoint no_colon
  true
}

# Runs inside `unshare --net`: a veth pair that exists only here. Background
# bpfkit processes die with the script, so nothing keeps the namespace alive.
netns_xdp() {
  trap 'kill $(jobs -p) 2>/dev/null' EXIT
  ip link add veth0 type veth peer name veth1 || fail "cannot create a veth pair"
  ip link set veth0 up && ip link set veth1 up || fail "ip link set up"
  local log=$WORK/attach-$$
  # Foreground: attached until SIGTERM, then detached, exit 0.
  "$BPFKIT" attach "$OBJ" count_packets --xdp veth0 >"$log" 2>&1 &
  local pid=$!
  wait_for "$log" "press Ctrl-C or run 'kill $pid' to detach"
  grep -q "attached count_packets (xdp) to XDP of veth0" "$log" || fail "no attach message"
  ip link show veth0 | grep -q xdp || fail "no XDP program on veth0 while bpfkit runs"
  kill -TERM "$pid"
  wait "$pid" || fail "attach exited with $? after SIGTERM"
  grep -q "detached count_packets from XDP of veth0" "$log" || fail "no detach message"
  ip link show veth0 | grep -q xdp && fail "XDP still attached after bpfkit exited"
  rm -f "$log"
  # --pin: stays attached after bpfkit exits, counts packets, until unpin.
  expect 0 "$BPFKIT" attach "$OBJ" count_packets --xdp veth0 --pin "$PIN"
  contains "pinned the link at $PIN/links/count_packets"
  ip link show veth0 | grep -q xdp || fail "no XDP program on veth0 after bpfkit exited"
  send_frames veth1 3
  expect 0 "$BPFKIT" map lookup "$PIN/maps/flows" '{saddr=0x0a010203, port=53, proto=17}'
  contains "= {packets=3, bytes=138}"
  expect 0 "$BPFKIT" unpin "$PIN"
  ip link show veth0 | grep -q xdp && fail "XDP still attached after unpin"
  expect 3 "$BPFKIT" attach "$OBJ" count_packets --xdp no-such-if0
  contains "no network interface named 'no-such-if0'"
  expect 3 "$BPFKIT" attach "$OBJ" tc_drop --xdp veth0
  contains "program tc_drop is a sched_cls program"
  true
}

netns_tc() {
  trap 'kill $(jobs -p) 2>/dev/null' EXIT
  ip link add veth0 type veth peer name veth1 || fail "cannot create a veth pair"
  ip link set veth0 up && ip link set veth1 up || fail "ip link set up"
  if ! kernel_at_least 6 6; then
    # No TCX links before Linux 6.6: pinning a tc attachment must say so.
    expect 1 "$BPFKIT" attach "$OBJ" tc_drop --tc veth0:ingress --pin "$PIN"
    contains "pinning a tc attachment needs TCX links (Linux 6.6+)"
    return
  fi
  expect 0 "$BPFKIT" attach "$OBJ" tc_drop --tc veth0:ingress --pin "$PIN"
  contains "attached tc_drop (sched_cls) to tc ingress of veth0 (TCX link)"
  expect 0 "$BPFKIT" map lookup "$PIN/maps/counters" 1
  local before=${out##* = }
  send_frames veth1 4
  expect 0 "$BPFKIT" map lookup "$PIN/maps/counters" 1
  local after=${out##* = }
  [ $((after - before)) -ge 4 ] || fail "tc ingress counted $((after - before)) of 4 frames"
  expect 0 "$BPFKIT" unpin "$PIN"
  contains "removed 1 links"
  # Foreground, egress; SIGINT detaches.
  local log=$WORK/attach-$$
  "$BPFKIT" attach "$OBJ" tc_drop --tc veth0:egress >"$log" 2>&1 &
  local pid=$!
  wait_for "$log" "to detach"
  kill -INT "$pid"
  wait "$pid" || fail "attach exited with $? after SIGINT"
  grep -q "detached tc_drop from tc egress of veth0" "$log" || fail "no detach message"
  rm -f "$log"
  expect 2 "$BPFKIT" attach "$OBJ" tc_drop --tc veth0:sideways
  expect 3 "$BPFKIT" attach "$OBJ" count_packets --tc veth0
  contains "--tc attaches sched_cls programs"
  true
}

in_netns() {
  command -v unshare >/dev/null && command -v ip >/dev/null || skip "needs unshare and ip"
  [ -n "$PYTHON" ] || skip "python3 is needed to send frames"
  mkdir -p "$WORK"
  unshare --net "$0" "$1"
  local rc=$?
  [ $rc -eq 0 ] || exit $rc
}

case_attach_xdp_netns() { in_netns __netns_xdp; }
case_attach_tc_netns() { in_netns __netns_tc; }

case_attach_kprobe() {
  expect 3 "$BPFKIT" attach "$OBJ" count_getppid --kprobe do_nanosleep
  contains "--kprobe attaches kprobe programs"
  if [ ! -e /sys/bus/event_source/devices/kprobe ] && [ ! -e /sys/kernel/tracing/kprobe_events ] &&
    [ ! -e /sys/kernel/debug/tracing/kprobe_events ]; then
    # This kernel has no kprobes: the error must say so.
    out=$("$BPFKIT" attach "$OBJ" on_nanosleep --kprobe do_nanosleep --pin "$PIN" 2>&1)
    local rc=$?
    echo "$out"
    [ $rc -ne 0 ] || fail "attaching a kprobe on a kernel without kprobes succeeded"
    contains "this kernel has no kprobes"
    [ ! -e "$PIN" ] || fail "a failed attach left $PIN"
    return
  fi
  expect 0 "$BPFKIT" attach "$OBJ" on_nanosleep --kprobe do_nanosleep --pin "$PIN"
  sleep 0.2
  expect 0 "$BPFKIT" map lookup "$PIN/maps/counters" 2
  [ "${out##* = }" -ge 1 ] || fail "the kprobe did not run"
  expect 0 "$BPFKIT" unpin "$PIN"
}

case_bad_input() {
  mkdir -p "$WORK"
  local text=$WORK/not-an-object-$$.txt
  echo "not an object" >"$text"
  expect 3 "$BPFKIT" run "$WORK/no-such-file.bpf.o" count_packets
  contains "no-such-file.bpf.o: cannot open"
  expect 3 "$BPFKIT" load "$WORK/no-such-file.bpf.o" --pin "$PIN"
  expect 3 "$BPFKIT" run "$text" count_packets
  contains "not an ELF file"
  expect 3 "$BPFKIT" attach "$text" count_packets --xdp lo
  contains "not an ELF file"
  rm -f "$text"
  expect 3 "$BPFKIT" run "$OBJ" no_such_program
  contains "no program named 'no_such_program'; the object has: count_packets, emit_event, emit_sample, tc_drop, count_getppid, on_nanosleep"
  expect 3 "$BPFKIT" attach "$OBJ" no_such_program --pin "$PIN"
  contains "the object has: count_packets"
  # --pin outside bpffs: refused before anything is created.
  expect 3 "$BPFKIT" load "$OBJ" --pin "$WORK/pins-$$"
  contains "$WORK/pins-$$ is not on a BPF filesystem (bpffs); mount one with: mount -t bpf bpf /sys/fs/bpf"
  [ ! -e "$WORK/pins-$$" ] || fail "a refused load created $WORK/pins-$$"
  expect 3 "$BPFKIT" attach "$OBJ" count_getppid --pin "$WORK/pins-$$"
  contains "is not on a BPF filesystem (bpffs)"
  # Map paths.
  expect 3 "$BPFKIT" map dump "$PIN/maps/no_such_map"
  contains "nothing is pinned there"
  expect 3 "$BPFKIT" map dump "$WORK/no_such_map"
  contains "is not on a BPF filesystem (bpffs)"
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  expect 3 "$BPFKIT" map dump "$PIN/progs/count_packets"
  contains "is a pinned program, not a map"
  expect 3 "$BPFKIT" map dump "$PIN/maps"
  contains "is a directory"
  expect 3 "$BPFKIT" map lookup "$PIN/maps/counters" '[1'
  expect 3 "$BPFKIT" map lookup "$PIN/maps/counters" 0x1ffffffff
  expect 3 "$BPFKIT" run "$PIN/maps/counters"
  contains "is a pinned map, not a program"
  # Command-line mistakes are usage errors (2).
  expect 2 "$BPFKIT" map frobnicate "$PIN/maps/counters"
  expect 2 "$BPFKIT" map lookup "$PIN/maps/counters"
  expect 2 "$BPFKIT" load "$OBJ"
  contains "--pin DIR is required"
  expect 2 "$BPFKIT" attach "$OBJ" count_packets --xdp a --tc b
  expect 2 "$BPFKIT" attach "$OBJ" count_packets
  contains "give --xdp IFNAME"
  expect 2 "$BPFKIT" run "$OBJ" count_packets --bogus 1
  expect 0 "$BPFKIT" unpin "$PIN"
}

case_no_privilege() {
  command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
  nobody test -x "$BPFKIT" -a -r "$OBJ" 2>/dev/null ||
    skip "user nobody cannot run $BPFKIT or read $OBJ (build tree not world-readable)"
  expect 0 "$BPFKIT" load "$OBJ" --pin "$PIN"
  expect 4 nobody "$BPFKIT" run "$OBJ" count_packets --packet eth/ipv4/udp
  contains "needs privileges this process lacks"
  contains "run as root, or with CAP_BPF"
  expect 4 nobody "$BPFKIT" load "$OBJ" --pin "$PIN-nobody"
  contains "needs privileges this process lacks"
  [ ! -e "$PIN-nobody" ] || fail "an unprivileged load created $PIN-nobody"
  expect 4 nobody "$BPFKIT" attach "$OBJ" count_getppid --tracepoint syscalls:sys_enter_getppid
  expect 4 nobody "$BPFKIT" map dump "$PIN/maps/flows"
  contains "run as root"
  expect 4 nobody "$BPFKIT" map update "$PIN/maps/counters" 0 1
  expect 4 nobody "$BPFKIT" unpin "$PIN"
  [ -e "$PIN/maps/counters" ] || fail "an unprivileged unpin removed pins"
  expect 0 "$BPFKIT" unpin "$PIN"
}

# Checked once after every cli.* test: no pin directory of ours survives and
# no host interface carries an XDP program of the test object. The kernel
# and bpffs are shared with other build trees running these tests at the
# same time: a directory whose process still runs is theirs, not a leak, and
# is left alone.
case_no_leaks() {
  local left= dir
  for dir in /sys/fs/bpf/bpfkit-test-cli-*; do
    [ -e "$dir" ] || continue
    kill -0 "${dir##*-}" 2>/dev/null && continue
    left="$left $dir"
  done
  [ -z "$left" ] || { rm -rf $left; fail "left pinned after the cli tests:$left"; }
  if ip -d -o link show 2>/dev/null | grep -E 'prog/xdp .*name (count_packets|emit_event|emit_sample)' |
    grep -v '^[0-9]*: veth'; then
    fail "an XDP program of the cli tests is attached to a host interface"
  fi
  true
}

# --- driver ------------------------------------------------------------------

watcher=
cleanup() {
  [ -n "$watcher" ] && kill "$watcher" 2>/dev/null
  [ -n "${PIN:-}" ] && [ -e "$PIN" ] && rm -rf "$PIN" "$PIN-nobody"
  rm -f "$WORK"/*-$$ "$WORK"/*-$$.*
  true
}

case $case_name in
  __netns_xdp) netns_xdp; exit 0 ;;
  __netns_tc) netns_tc; exit 0 ;;
esac

[ "$(id -u)" -eq 0 ] || skip "needs root: loading BPF and pinning in /sys/fs/bpf"
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] ||
  skip "bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)"
[ "$case_name" = no_leaks ] && { case_no_leaks; exit 0; }
probe=$("$BPFKIT" run "$OBJ" tc_drop --packet eth/ipv4/udp 2>&1)
[ $? -eq 4 ] && skip "cannot load BPF here: $probe"

# Directories of earlier runs that were killed (ctest's timeout sends
# SIGKILL, which no trap sees): removed when their process is gone.
for stale in /sys/fs/bpf/bpfkit-test-cli-*; do
  [ -e "$stale" ] || continue
  owner=${stale##*-}
  kill -0 "$owner" 2>/dev/null || rm -rf "$stale"
done

export PIN=/sys/fs/bpf/bpfkit-test-cli-$case_name-$$
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

type "case_$case_name" >/dev/null 2>&1 || fail "unknown case '$case_name'"
"case_$case_name"
[ ! -e "$PIN" ] || fail "$PIN is left after the test"
echo "PASS: $case_name"
