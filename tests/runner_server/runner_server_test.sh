#!/bin/bash
# runner_server_test.sh CASE: one check of bpfkit-test's test server
# (loader/testing/runner/test_server.hpp) against the real kernel.
#
# Environment (set by CMakeLists.txt): BPFKIT_TEST (the runner), OBJ
# (server_state.bpf.o: programs rsrv_bump, rsrv_reject, maps rsrv_*, names
# no other test uses), REBUILT_OBJ (the same source returning XDP_TX),
# BPFTOOL (lists what is loaded), WORK (scratch space in the build tree).
# Each case has its own socket directory (BPFKIT_TEST_SERVER_DIR) and its
# own build-tree name, so it meets neither the suite's server nor another
# case's; the EXIT trap stops its server on every path.
#
# Exit 0 pass, 1 fail, 77 skip (not root, no BPF privilege, no bpftool).
set -u

case_name=${1:?usage: runner_server_test.sh CASE}
: "${BPFKIT_TEST:?}" "${OBJ:?}" "${REBUILT_OBJ:?}" "${WORK:?}"
BPFTOOL=${BPFTOOL:-}
[ "$BPFTOOL" = "BPFKIT_TEST_BPFTOOL-NOTFOUND" ] && BPFTOOL=

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root"
[ -n "$BPFTOOL" ] || skip "bpftool is not installed"

DIR=$WORK/$case_name-$$
TREE=$DIR/tree   # the build tree the specs say they belong to
export BPFKIT_TEST_SERVER_DIR=$DIR/sockets
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -CONT "$server_pid" 2>/dev/null
    kill -TERM "$server_pid" 2>/dev/null
  fi
  chmod -R u+rwX "$DIR" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
rm -rf "$DIR"
mkdir -p "$TREE"

# spec NAME LINE...: writes $DIR/NAME.bpftest (object $OBJ unless a line sets it).
spec() {
  local name=$1
  shift
  {
    printf 'test=runner_server.%s\nbuild_dir=%s\n' "$name" "$TREE"
    printf '%s\n' "$@"
    printf '%s\n' "$@" | grep -q '^object=' || printf 'object=%s\n' "$OBJ"
  } >"$DIR/$name.bpftest"
}

# run NAME: runs the spec; $out (durations masked) and $rc.
run() {
  out=$("$BPFKIT_TEST" "$DIR/$1.bpftest" 2>&1)
  rc=$?
  out=$(printf '%s\n' "$out" | sed -E 's/[0-9]+ ns per run/N ns per run/')
  echo "\$ bpfkit-test $1.bpftest -> $rc"
  printf '%s\n' "$out" | sed 's/^/  | /'
}

start_server() {
  local setup
  setup=$("$BPFKIT_TEST" --setup "$TREE" 2>&1) || fail "--setup failed: $setup"
  echo "$setup"
  [[ $setup =~ test\ server\ for\ .*\ started\ \(pid\ ([0-9]+)\) ]] || fail "no server started"
  server_pid=${BASH_REMATCH[1]}
}

# loaded WHAT NAME: how many programs (prog) or maps (map) named NAME the kernel holds.
loaded() {
  "$BPFTOOL" "$1" show 2>/dev/null | grep -c " name $2 "
}

# The kernel frees what a closed descriptor held shortly after: wait a little.
expect_unloaded() {
  for _ in $(seq 50); do
    [ "$(loaded prog rsrv_bump)" -eq 0 ] && [ "$(loaded map rsrv_counts)" -eq 0 ] && return 0
    sleep 0.1
  done
  "$BPFTOOL" prog show | grep -A2 rsrv_ || true
  fail "programs or maps of server_state.bpf.o are still loaded"
}

expect_served() {
  [ "$(loaded prog rsrv_bump)" -ge 1 ] || fail "the server holds no rsrv_bump: the test was not served"
}

"$BPFKIT_TEST" --setup >/dev/null 2>&1 || skip "cannot load BPF programs here"
[ "$(loaded prog rsrv_bump)" -eq 0 ] || skip "rsrv_bump is loaded by something else"

passing=(program=rsrv_bump 'packet=eth/ipv4/udp' 'expect_retval=2 XDP_PASS'
  'expect_map=rsrv_counts[0] == 1' 'expect_map=count(rsrv_seen) == 1' 'expect_map=rsrv_per_cpu[0] == 1')

case $case_name in
same_output)
  spec pass "${passing[@]}"
  spec fail_retval program=rsrv_bump 'packet=eth/ipv4/udp' 'expect_retval=1 XDP_DROP'
  spec fail_map program=rsrv_bump 'packet=eth/ipv4/udp' 'expect_map=rsrv_counts[0] == 5' \
    'expect_map=rsrv_seen[8] absent'
  spec skip_kernel program=rsrv_bump 'packet=eth/ipv4/udp' min_kernel=99.0
  spec rejected program=rsrv_reject 'expect_load_failure=invalid access to packet'
  spec rejected_wrong program=rsrv_reject 'expect_load_failure=no such message'
  spec unexpected_reject program=rsrv_reject 'packet=eth/ipv4/udp' 'expect_retval=2 XDP_PASS'
  spec over_budget program=rsrv_bump max_verified_insns=1
  spec no_such_map program=rsrv_bump 'packet=eth/ipv4/udp' 'expect_map=nope[0] == 1'
  names=(pass fail_retval fail_map skip_kernel rejected rejected_wrong unexpected_reject over_budget no_such_map)
  declare -A alone_out alone_rc
  for name in "${names[@]}"; do
    run "$name"
    alone_out[$name]=$out
    alone_rc[$name]=$rc
  done
  [ "${alone_rc[pass]}" -eq 0 ] && [ "${alone_rc[fail_retval]}" -eq 1 ] && [ "${alone_rc[skip_kernel]}" -eq 77 ] &&
    [ "${alone_rc[rejected]}" -eq 0 ] && [ "${alone_rc[rejected_wrong]}" -eq 1 ] || fail "unexpected exit codes in-process"
  start_server
  for round in 1 2; do  # the second round meets the copies the first one loaded
    for name in "${names[@]}"; do
      run "$name"
      [ "$rc" -eq "${alone_rc[$name]}" ] || fail "$name: exit $rc with the server, ${alone_rc[$name]} without"
      [ "$out" = "${alone_out[$name]}" ] || {
        diff <(echo "${alone_out[$name]}") <(echo "$out")
        fail "$name: output differs with the server (round $round)"
      }
    done
  done
  expect_served
  ;;
state_isolation)
  spec pass "${passing[@]}"
  spec seeded program=rsrv_bump 'packet=eth/ipv4/udp' 'set_map=rsrv_seen[9]=3' 'set_map=rsrv_counts[2]=5' \
    'expect_retval=2 XDP_PASS' 'expect_map=count(rsrv_seen) == 2' 'expect_map=rsrv_counts[2] == 5'
  spec repeated program=rsrv_bump 'packet=eth/ipv4/udp' repeat=3 'expect_retval=0' \
    'expect_map=rsrv_counts[0] == 3' 'expect_map=rsrv_per_cpu[0] == 3'
  start_server
  for name in pass seeded pass repeated pass seeded pass; do
    run "$name"
    [ "$rc" -eq 0 ] || fail "$name found another test's state (maps, .bss or .data)"
  done
  expect_served
  ;;
printk_failure)
  # Passing, it is served; failing, it is run again in-process, where the
  # bpf_printk capture (per process) shows what it printed. That needs
  # tracefs: where the host has none mounted, the case runs again in a
  # private mount namespace with one.
  if [ ! -d /sys/kernel/tracing/events ] && [ -z "${RSRV_OWN_TRACEFS:-}" ]; then
    trap - EXIT
    rm -rf "$DIR"
    exec unshare --mount --propagation private env RSRV_OWN_TRACEFS=1 sh -c \
      'mount -t tracefs nodev /sys/kernel/tracing && exec "$@"' sh "$0" "$case_name"
  fi
  spec print_pass program=rsrv_print 'packet=eth/ipv4/udp' 'expect_retval=2 XDP_PASS'
  spec print_fail program=rsrv_print 'packet=eth/ipv4/udp' 'expect_retval=1 XDP_DROP'
  start_server
  run print_pass
  [ "$rc" -eq 0 ] || fail "print_pass"
  [ "$(loaded prog rsrv_print)" -ge 1 ] || fail "a passing printk test was not served"
  run print_fail
  [ "$rc" -eq 1 ] || fail "print_fail must fail"
  [[ $out == *"bpf_printk during this test (1 line):"*"rsrv_print ran"* ]] || fail "the failure lacks the bpf_printk lines"
  ;;
concurrent)
  spec pass "${passing[@]}"
  start_server
  pids=()
  for i in $(seq 16); do
    "$BPFKIT_TEST" "$DIR/pass.bpftest" >"$DIR/out.$i" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 16); do
    wait "${pids[$((i - 1))]}" || { cat "$DIR/out.$i"; fail "concurrent run $i failed"; }
  done
  echo "16 concurrent runs of one object passed"
  expect_served
  ;;
fallback_no_server)
  spec pass "${passing[@]}"
  run pass
  [ "$rc" -eq 0 ] || fail "without a server the test must run in-process"
  [ ! -e "$BPFKIT_TEST_SERVER_DIR" ] || fail "a client created the socket directory"
  expect_unloaded
  ;;
fallback_stale_socket)
  spec pass "${passing[@]}"
  start_server
  kill -KILL "$server_pid"
  sleep 0.2
  ls "$BPFKIT_TEST_SERVER_DIR"/*.sock >/dev/null || fail "the killed server's socket should remain"
  run pass
  [ "$rc" -eq 0 ] || fail "a stale socket must lead to an in-process run"
  expect_unloaded
  start_server  # replaces the stale socket
  run pass
  [ "$rc" -eq 0 ] || fail "the new server failed the test"
  expect_served
  ;;
fallback_killed_server)
  spec pass "${passing[@]}"
  start_server
  run pass
  kill -STOP "$server_pid"  # accepts connections (the backlog) but never answers
  started=$SECONDS
  run pass
  [ "$rc" -eq 0 ] || fail "a hung server must lead to an in-process run"
  [ $((SECONDS - started)) -lt 30 ] || fail "the client waited $((SECONDS - started)) s for a hung server"
  kill -KILL "$server_pid"
  run pass
  [ "$rc" -eq 0 ] || fail "a killed server must lead to an in-process run"
  ;;
rebuilt_object)
  cp "$OBJ" "$DIR/obj.bpf.o"
  spec first "object=$DIR/obj.bpf.o" program=rsrv_bump 'packet=eth/ipv4/udp' 'expect_retval=2 XDP_PASS'
  spec second "object=$DIR/obj.bpf.o" program=rsrv_bump 'packet=eth/ipv4/udp' 'expect_retval=3 XDP_TX'
  start_server
  run first
  [ "$rc" -eq 0 ] || fail "first build"
  cp "$REBUILT_OBJ" "$DIR/obj.new" && mv "$DIR/obj.new" "$DIR/obj.bpf.o"  # a new file, as a linker writes it
  run second
  [ "$rc" -eq 0 ] || fail "the server ran the stale object after it was replaced"
  cp "$OBJ" "$DIR/obj.bpf.o"  # rewritten in place: same inode, new size/mtime
  run first
  [ "$rc" -eq 0 ] || fail "the server ran the stale object after it was rewritten in place"
  ;;
cleanup_unloads)
  spec pass "${passing[@]}"
  spec rejected program=rsrv_reject 'expect_load_failure=invalid access to packet'
  start_server
  run pass && run rejected && run pass
  expect_served
  stopped=$("$BPFKIT_TEST" --cleanup "$TREE" 2>&1)
  echo "$stopped"
  [[ $stopped == *"stopped the test server (pid $server_pid)"* ]] || fail "--cleanup did not stop the server"
  expect_unloaded
  [ -z "$(ls -A "$BPFKIT_TEST_SERVER_DIR")" ] || fail "the server left files: $(ls -A "$BPFKIT_TEST_SERVER_DIR")"
  ;;
sigterm_unloads)
  spec pass "${passing[@]}"
  start_server
  run pass
  expect_served
  kill -TERM "$server_pid"
  for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$server_pid" 2>/dev/null && fail "the server ignored SIGTERM"
  expect_unloaded
  [ -z "$(ls -A "$BPFKIT_TEST_SERVER_DIR")" ] || fail "the server left files: $(ls -A "$BPFKIT_TEST_SERVER_DIR")"
  run pass
  [ "$rc" -eq 0 ] || fail "after the server stopped, tests run in-process"
  ;;
refuses_symlink_dir)
  spec pass "${passing[@]}"
  mkdir -m 0700 "$DIR/real"
  ln -s "$DIR/real" "$DIR/planted"
  export BPFKIT_TEST_SERVER_DIR=$DIR/planted
  setup=$("$BPFKIT_TEST" --setup "$TREE" 2>&1)
  echo "$setup"
  [[ $setup == *"test server not started"*"refused"* ]] || fail "a symlinked socket directory was used"
  [ -z "$(ls -A "$DIR/real")" ] || fail "something was created through the symlink"
  run pass
  [ "$rc" -eq 0 ] || fail "the client must run the test in-process"
  expect_unloaded
  ;;
refuses_foreign_dir)
  spec pass "${passing[@]}"
  for how in foreign open; do
    mkdir -m 0700 "$DIR/$how"
    [ "$how" = foreign ] && chown 65534:65534 "$DIR/$how"
    [ "$how" = open ] && chmod 0755 "$DIR/$how"
    export BPFKIT_TEST_SERVER_DIR=$DIR/$how
    setup=$("$BPFKIT_TEST" --setup "$TREE" 2>&1)
    echo "$setup"
    [[ $setup == *"is not private to this user"*"refused"* ]] || fail "a $how socket directory was used"
    [ -z "$(ls -A "$DIR/$how")" ] || fail "something was created in the $how directory"
    run pass
    [ "$rc" -eq 0 ] || fail "the client must run the test in-process"
  done
  expect_unloaded
  ;;
unprivileged_client)
  command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
  spec pass "${passing[@]}"
  start_server
  run pass
  # Root without capabilities reaches the socket, but the privilege to load
  # is the client's: it must be skipped, not passed by the server.
  out=$(setpriv --inh-caps=-all --bounding-set=-all "$BPFKIT_TEST" "$DIR/pass.bpftest" 2>&1)
  rc=$?
  echo "$out"
  [ "$rc" -eq 77 ] || fail "a client without capabilities exited $rc, expected 77 (skipped)"
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
echo "runner_server.$case_name: ok"
