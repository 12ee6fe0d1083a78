#!/bin/bash
# security_test.sh CASE: one regression test of docs/security.md's promises
# about pin directories and output files, each reproducing an attack or a
# defect of issue 9 against the real kernel and bpffs.
#
# Environment (set by CMakeLists.txt): BPFKIT (the CLI), BPFKIT_TEST (the test
# runner), OBJ (sec_pins.bpf.o,
# whose program and map names no other test uses), BPFTOOL (to list what is
# loaded), STRACE (may be empty: fault and signal injection), WORK (scratch
# space in the build tree, not on bpffs), PYTHON, LEAK_CHECK (leak_check.py)
# and BUILD_DIR (the build tree whose objects it knows).
#
# Exit 0 pass, 1 fail, 77 skip (no root, no bpffs, no privilege to load BPF,
# a missing tool). Every case works under its own directories
# /sys/fs/bpf/bpfkit-sec-<case>-<pid> and $WORK/<case>-<pid>, removed by the
# EXIT trap on every path (rm never follows the symlinks planted there).
set -u

case_name=${1:?usage: security_test.sh CASE}
: "${BPFKIT:?}" "${OBJ:?}" "${WORK:?}"
STRACE=${STRACE:-}
LEAK_CHECK=${LEAK_CHECK:-}
BUILD_DIR=${BUILD_DIR:-}
[ "$STRACE" = "BPFKIT_TEST_STRACE-NOTFOUND" ] && STRACE=

# skip, fail, expect, contains, lacks, with_tracefs, nobody
. "$(dirname "$0")/../lib/shell_test.sh"

# The ids of loaded programs and maps named like sec_pins.bpf.c's.
secpin_ids() {
  { "$BPFTOOL" prog show; "$BPFTOOL" map show; } 2>/dev/null |
    sed -n 's/^\([0-9]*\): .* name \(secpin_[a-z]*\) .*/\1 \2/p' | sort
}

# Remembers what is loaded now; nothing_new then checks that nothing named
# like sec_pins' objects appeared since (what a refused, failed or
# interrupted command must not leave).
# The kernel frees a map an RCU grace period after the last program using it
# is released, so a map of a command that just exited may still be listed for
# a moment: only what is still there after 5 s is left behind.
remember_loaded() { loaded_before=$(secpin_ids); }
nothing_new() {
  local now new
  for _ in $(seq 50); do
    now=$(secpin_ids)
    new=$(comm -13 <(echo "$loaded_before") <(echo "$now"))
    [ -z "$new" ] && return 0
    sleep 0.1
  done
  fail "left loaded (still after 5 s): $new"
}

# No staging directory of bpfkit left in DIR.
no_staging_in() {
  local left
  left=$(ls -d "$1"/bpfkit_staging_* 2>/dev/null)
  [ -z "$left" ] || fail "staging directory left: $left"
}

need_strace() { [ -n "$STRACE" ] || skip "strace is not installed (ci/install-deps.sh installs it)"; }

# strace_inject SPEC CMD...: CMD with a fault or signal injected by strace
# (e.g. renameat2:error=EIO:when=2, mkdirat:signal=TERM:when=3).
# strace_command SPEC: that strace command line in $strace_argv (a command,
# not a function: with_tracefs may run it in a new mount namespace).
strace_command() {
  local spec=$1
  # Sanitized build: LeakSanitizer stops the process with ptrace, which a
  # traced process cannot give it; untraced runs still check for leaks.
  strace_argv=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    "$STRACE" -f -qq -o /dev/null -e trace="${spec%%:*}" -e inject="$spec")
}
strace_inject() {
  strace_command "$1"
  shift
  "${strace_argv[@]}" "$@"
}

# --- item 2: --pin is resolved and checked before anything is loaded ----------

case_pin_parent_reference() {
  mkdir -p "$SCRATCH/e"
  remember_loaded
  # Judged lexically, this path was "on bpffs"; bpfkit then made directories
  # in /tmp as root and removed the existing, empty $SCRATCH/e on failure.
  expect 3 "$BPFKIT" load "$OBJ" --pin "$BASE/../../../..$SCRATCH/e/sub"
  contains "'..' is not allowed in a pin path"
  contains "hint: give the directory's own path on bpffs"
  lacks "privileges"
  [ -d "$SCRATCH/e" ] || fail "the existing directory $SCRATCH/e was removed"
  [ ! -e "$SCRATCH/e/sub" ] || fail "$SCRATCH/e/sub was created outside bpffs"
  expect 3 "$BPFKIT" attach "$OBJ" secpin_second --pin "$BASE/x/../y"
  contains "'..' is not allowed in a pin path"
  [ ! -e "$BASE/x" ] && [ ! -e "$BASE/y" ] || fail "attach created a directory"
  nothing_new
}

case_pin_not_bpffs() {
  mkdir -p "$SCRATCH"
  remember_loaded
  expect 3 "$BPFKIT" load "$OBJ" --pin "$SCRATCH/pins"
  contains "$SCRATCH/pins is not on a BPF filesystem (bpffs)"
  lacks "privileges"
  [ ! -e "$SCRATCH/pins" ] || fail "created $SCRATCH/pins outside bpffs"
  nothing_new
}

case_pin_symlink() {
  mkdir -p "$SCRATCH/e" "$BASE/victim"
  ln -s "$SCRATCH/e" "$BASE/link"
  ln -s "$BASE/victim" "$BASE/alias"
  remember_loaded
  # A symlink planted on bpffs (mode 1777: anyone may) leads out of it...
  expect 3 "$BPFKIT" load "$OBJ" --pin "$BASE/link/sub"
  contains "$BASE/link is a symbolic link; bpfkit does not follow symlinks on bpffs"
  contains "hint: give the real directory"
  [ -z "$(ls -A "$SCRATCH/e")" ] || fail "wrote through the symlink into $SCRATCH/e"
  # ... or into another directory on bpffs.
  expect 3 "$BPFKIT" load "$OBJ" --pin "$BASE/alias"
  contains "$BASE/alias is a symbolic link"
  [ -z "$(ls -A "$BASE/victim")" ] || fail "pinned through the symlink into $BASE/victim"
  nothing_new
}

case_pin_foreign_owner() {
  mkdir -p "$BASE/theirs" "$BASE/open"
  chown 65534:65534 "$BASE/theirs"
  chmod 0777 "$BASE/open"
  remember_loaded
  expect 3 "$BPFKIT" load "$OBJ" --pin "$BASE/theirs"
  contains "$BASE/theirs belongs to uid 65534, who could replace what bpfkit pins there"
  expect 3 "$BPFKIT" load "$OBJ" --pin "$BASE/theirs/app"
  contains "belongs to uid 65534"
  expect 3 "$BPFKIT" load "$OBJ" --pin "$BASE/open/app"
  contains "$BASE/open is writable by other users (mode 0777)"
  [ -z "$(ls -A "$BASE/theirs")" ] && [ -z "$(ls -A "$BASE/open")" ] || fail "pinned into a refused directory"
  nothing_new
}

case_pin_keeps_existing_dirs() {
  need_strace
  mkdir -p "$BASE/a"
  remember_loaded
  # The last step fails: a/b was made by bpfkit and goes, a existed and stays.
  expect 1 strace_inject renameat2:error=EIO:when=1 "$BPFKIT" load "$OBJ" --pin "$BASE/a/b/c"
  contains "cannot rename"
  contains "Input/output error"
  [ -d "$BASE/a" ] || fail "removed $BASE/a, which bpfkit did not create"
  [ ! -e "$BASE/a/b" ] || fail "left $BASE/a/b: $(ls -AR "$BASE/a/b")"
  nothing_new
}

# --- item 9: load --pin is all or nothing --------------------------------------

case_pin_existing_dir_rollback() {
  need_strace
  mkdir -p "$BASE/app/progs/notes"
  remember_loaded
  # DIR/progs exists, so each pin is renamed into place: the second rename
  # fails, the first is undone.
  expect 1 strace_inject renameat2:error=EIO:when=2 "$BPFKIT" load "$OBJ" --pin "$BASE/app"
  contains "Input/output error"
  [ "$(ls -A "$BASE/app")" = progs ] || fail "left in $BASE/app: $(ls -A "$BASE/app")"
  [ "$(ls -A "$BASE/app/progs")" = notes ] || fail "left in progs/: $(ls -A "$BASE/app/progs")"
  no_staging_in "$BASE/app"
  nothing_new
  # And without a fault, the pins join the existing directory.
  expect 0 "$BPFKIT" load "$OBJ" --pin "$BASE/app"
  [ -e "$BASE/app/progs/secpin_first" ] && [ -e "$BASE/app/maps/secpin_counts" ] || fail "not pinned"
  no_staging_in "$BASE/app"
  expect 0 "$BPFKIT" unpin "$BASE/app"
  contains "$BASE/app/progs/notes/ (a directory)"
  nothing_new
}

interrupted() {
  local signal=$1 status=$2
  need_strace
  remember_loaded
  # mkdirat calls: 1 the staging directory, 2 its progs/, 3 its maps/: the
  # signal comes after both programs are pinned, before the map is.
  expect "$status" strace_inject "mkdirat:signal=$signal:when=3" "$BPFKIT" load "$OBJ" --pin "$BASE/app"
  contains "bpfkit: interrupted by SIG$signal before every pin was in place: removed the 2 pins made so far; nothing is pinned under $BASE/app"
  [ ! -e "$BASE/app" ] || fail "left $BASE/app: $(ls -AR "$BASE/app")"
  no_staging_in "$BASE"
  nothing_new
}

case_load_interrupted_term() { interrupted TERM 143; }
case_load_interrupted_int() { interrupted INT 130; }

case_load_killed() {
  need_strace
  remember_loaded
  # SIGKILL cannot be caught: what was pinned stays in the staging
  # directory, never half in DIR, and `bpfkit unpin` removes it.
  expect 137 strace_inject mkdirat:signal=KILL:when=3 "$BPFKIT" load "$OBJ" --pin "$BASE/app"
  [ ! -e "$BASE/app" ] || fail "a killed load left a partial $BASE/app"
  local staging
  staging=$(ls -d "$BASE"/bpfkit_staging_* 2>/dev/null)
  [ -n "$staging" ] || fail "no staging directory"
  [ "$(ls "$staging/progs" | tr '\n' ' ')" = "secpin_first secpin_second " ] || fail "staging holds: $(ls -R "$staging")"
  expect 0 "$BPFKIT" unpin "$BASE"
  contains "$staging/ (pins of a bpfkit load/attach that was killed or is running; remove with: bpfkit unpin $staging)"
  expect 0 "$BPFKIT" unpin "$staging"
  [ ! -e "$staging" ] || fail "unpin left $staging"
  nothing_new
}

case_attach_pin_rollback() {
  need_strace
  remember_loaded
  strace_command renameat2:error=EIO:when=1
  expect 1 with_tracefs "${strace_argv[@]}" "$BPFKIT" attach "$OBJ" secpin_second --pin "$BASE/app"
  contains "Input/output error"
  [ ! -e "$BASE/app" ] || fail "left $BASE/app"
  no_staging_in "$BASE"
  nothing_new
}

# --- item 5: symlinks at or in a pin directory never redirect -------------------

case_unpin_symlinks() {
  expect 0 "$BPFKIT" load "$OBJ" --pin "$BASE/victim"
  local victim
  victim=$(ls -R "$BASE/victim")
  mkdir -p "$BASE/evil/links" "$BASE/evil2/progs"
  ln -s "$BASE/victim/progs" "$BASE/evil/progs"
  ln -s ../victim/maps "$BASE/evil/maps"
  ln -s "$BASE/victim/progs/secpin_first" "$BASE/evil2/progs/secpin_first"
  ln -s "$BASE/victim" "$BASE/alias"
  expect 0 "$BPFKIT" unpin "$BASE/evil"
  contains "$BASE/evil/progs (a symlink, not followed)"
  contains "$BASE/evil/maps (a symlink, not followed)"
  expect 0 "$BPFKIT" unpin "$BASE/evil2"
  contains "$BASE/evil2/progs/secpin_first (a symlink, not followed)"
  expect 3 "$BPFKIT" unpin "$BASE/alias"
  contains "$BASE/alias is a symbolic link"
  expect 3 "$BPFKIT" unpin "$BASE/alias/"
  expect 3 "$BPFKIT" map dump "$BASE/alias/maps/secpin_counts"
  contains "$BASE/alias is a symbolic link"
  expect 3 "$BPFKIT" map dump "$BASE/evil2/progs/secpin_first"
  contains "is a symbolic link"
  # A load into a directory whose progs/ is a symlink is refused too.
  expect 3 "$BPFKIT" load "$OBJ" --pin "$BASE/evil"
  contains "$BASE/evil/progs is a symbolic link"
  [ "$(ls -R "$BASE/victim")" = "$victim" ] || fail "the victim's pins changed: $(ls -R "$BASE/victim")"
  expect 0 "$BPFKIT" unpin "$BASE/victim"
  [ ! -e "$BASE/victim" ] || fail "unpin left $BASE/victim"
}

# --- item 12: a frozen map's EPERM is not "needs privileges" ------------------

case_frozen_map() {
  expect 0 "$BPFKIT" load "$OBJ" --pin "$BASE/app"
  expect 1 "$BPFKIT" map update "$BASE/app/maps/sec_pins_rodata" 0 '{secpin_step=3}'
  contains "the map is frozen: user space may only read it"
  lacks "privileges"
  expect 0 "$BPFKIT" unpin "$BASE/app"
}

# --- item 4: run --data-out never follows a planted symlink --------------------

case_data_out_symlink() {
  mkdir -p "$SCRATCH"
  printf 'secret\n' >"$SCRATCH/victim"
  chmod 600 "$SCRATCH/victim"
  # The shell plants a symlink at OUT.tmp.<its pid>, then becomes bpfkit with
  # that pid: the name bpfkit used to write through.
  expect 0 sh -c 'ln -s "$0" "$1.tmp.$$" && exec "$2" run "$3" secpin_first --packet eth/ipv4/udp --data-out "$1"' \
    "$SCRATCH/victim" "$SCRATCH/out" "$BPFKIT" "$OBJ"
  contains "written to $SCRATCH/out"
  [ "$(cat "$SCRATCH/victim")" = secret ] || fail "the victim file was overwritten"
  [ -f "$SCRATCH/out" ] && [ ! -L "$SCRATCH/out" ] && [ -s "$SCRATCH/out" ] || fail "no packet in $SCRATCH/out"
  # A symlink at OUT itself is replaced, not written through.
  ln -s "$SCRATCH/victim" "$SCRATCH/out2"
  expect 0 "$BPFKIT" run "$OBJ" secpin_first --packet eth/ipv4/udp --data-out "$SCRATCH/out2"
  [ "$(cat "$SCRATCH/victim")" = secret ] || fail "wrote through the symlink at OUT"
  [ ! -L "$SCRATCH/out2" ] && [ -s "$SCRATCH/out2" ] || fail "OUT is not the packet"
  expect 3 "$BPFKIT" run "$OBJ" secpin_first --packet eth/ipv4/udp --data-out "$SCRATCH/missing/out"
  contains "--data-out $SCRATCH/missing/out:"
  # Nothing but what the test made.
  local left
  left=$(ls -A "$SCRATCH" | grep -v -x -e victim -e out -e out2 -e 'out\.tmp\.[0-9]*')
  [ -z "$left" ] || fail "temporaries left: $left"
}

# --- item 11: run inputs are bounded regular files -------------------------------

case_run_inputs() {
  mkdir -p "$SCRATCH/dir"
  mkfifo "$SCRATCH/fifo"
  head -c $((2 * 1024 * 1024)) /dev/zero >"$SCRATCH/big"
  remember_loaded
  expect 3 timeout 30 "$BPFKIT" run "$OBJ" secpin_first --data-in "$SCRATCH/fifo"
  contains "--data-in $SCRATCH/fifo: is a FIFO, not a regular file"
  expect 3 "$BPFKIT" run "$OBJ" secpin_first --data-in "$SCRATCH/dir"
  contains "--data-in $SCRATCH/dir: is a directory, not a regular file"
  lacks "internal error"
  expect 3 "$BPFKIT" run "$OBJ" secpin_first --ctx-in "$SCRATCH/big"
  contains "is 2097152 bytes (2 MiB), more than the limit of 1048576 bytes (1 MiB)"
  # The object argument of every command (a FIFO hung 10 of 11 commands).
  expect 3 timeout 30 "$BPFKIT" verify "$SCRATCH/fifo"
  contains "$SCRATCH/fifo: is a FIFO, not a regular file"
  expect 3 timeout 30 "$BPFKIT" load "$SCRATCH/fifo" --pin "$BASE/app"
  contains "is a FIFO, not a regular file"
  expect 3 "$BPFKIT" run "$SCRATCH/dir" secpin_first
  contains "$SCRATCH/dir: is a directory, not a regular file"
  lacks "internal error"
  [ ! -e "$BASE/app" ] || fail "load made $BASE/app"
  nothing_new
}

# --- item 7: malformed objects are bad input for every command, never a crash ----

case_malformed_objects() {
  : "${MALFORMED_DIR:?}"
  local file found=0
  mkdir -p "$SCRATCH"
  remember_loaded
  for file in "$MALFORMED_DIR"/*.bpf.o; do
    [ -f "$file" ] || continue
    found=$((found + 1))
    # Each command checks the object before libbpf reads a byte of it: exit
    # 3 with object_check's message naming the file.
    for command in "verify $file" "stats $file" "dump $file secpin_first" \
      "run $file secpin_first --packet eth/ipv4/udp" "load $file --pin $BASE/app" \
      "attach $file secpin_second --tracepoint syscalls:sys_enter_getppid"; do
      # shellcheck disable=SC2086 # the words of the command
      expect 3 "$BPFKIT" $command
      contains "error: $file: malformed "
      contains "hint: recompile it; the file is damaged or was not written by a BPF compiler"
      lacks "libbpf cannot open"
      lacks "internal error"
    done
    # The test runner reports it as the test's failure (exit 1), with the message.
    spec
    sed -i "s|^object=.*|object=$file|" "$SCRATCH/t.bpftest"
    expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
    contains "$file: malformed "
  done
  [ "$found" -ge 9 ] || fail "expected 9 malformed objects in $MALFORMED_DIR, found $found"
  [ ! -e "$BASE/app" ] || fail "load made $BASE/app"
  nothing_new
}

# --- items 8, 12: numbers in spec files are whole and in range -----------------

# spec LINE...: a bpfkit-test spec for sec_pins' secpin_first with LINEs added.
spec() {
  { printf 'test=security.spec\nobject=%s\nprogram=secpin_first\npacket=eth/ipv4/udp\n' "$OBJ"
    printf '%s\n' "$@"; } >"$SCRATCH/t.bpftest"
}

case_spec_numbers() {
  mkdir -p "$SCRATCH"
  # repeat=-1 ran 2^32-1 times (std::stoull wraps it).
  spec "repeat=-1"
  expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "$SCRATCH/t.bpftest:5: not a number: -1"
  spec "repeat=4294967297"
  expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "$SCRATCH/t.bpftest:5: 4294967297 is out of range: at most 4294967295"
  spec "max_verified_insns= 5"
  expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "not a number:  5"
  # count(M) == 1abc passed as count(M) == 1.
  spec "expect_map=count(secpin_counts) == 1abc"
  expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "'count(secpin_counts) == 1abc': '1abc' is not a number"
  lacks "stoul"
  spec "expect_map=count(secpin_counts) 1"
  expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "expected count(<map>) == <n>"
  spec "expect_map=secpin_counts[0] @ == 1"
  expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  lacks "stoul"
  # And a good spec passes.
  spec "repeat=3" "expect_map=secpin_counts[0] == 3" "expect_map=count(secpin_counts) == 0x1"
  expect 0 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "PASSED security.spec"
}

# EXPECT_LOAD_FAILURE's regexes are bounded (item 11): 200,000 nested
# groups overflowed std::regex's stack (SIGSEGV) in the runner.
case_spec_failure_regex() {
  [ -n "$PYTHON" ] || skip "python3 is not installed"
  mkdir -p "$SCRATCH"
  failing() {
    { printf 'test=security.regex\nobject=%s\nprogram=read_past_end\n' "$OOB_OBJ"
      printf '%s\n' "$@"; } >"$SCRATCH/t.bpftest"
  }
  failing "expect_load_failure=$("$PYTHON" -c 'print("(" * 200000 + "a" + ")" * 200000)')"
  expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "is 400001 characters long, more than 4096"
  failing "expect_load_failure=$("$PYTHON" -c 'print("(" * 40 + "a" + ")" * 40)')"
  expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "nests 40 groups, more than 32"
  failing "expect_load_failure=["
  expect 1 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "EXPECT_LOAD_FAILURE /[/ is not a valid regex (ECMAScript)"
  # A repetition over a long log is matched line by line, within bounds.
  failing "expect_load_failure=^([^ ]+ )*access to packet"
  expect 0 "$BPFKIT_TEST" "$SCRATCH/t.bpftest"
  contains "PASSED security.regex"
}

# --- item 3: the test fixtures' pin root ------------------------------------------

case_cleanup_refuses_planted_root() {
  local dead
  dead=$(sh -c 'echo $$')  # a pid that is gone
  mkdir -p "$SCRATCH/victim/$dead-test"
  # A user's symlink at the pin root: bpfkit-test --cleanup (root, every
  # ctest -L bpf) removed the pid-named entries of the directory it names.
  ln -s "$SCRATCH/victim" "$BASE/root"
  expect 1 env BPFKIT_TEST_PIN_ROOT="$BASE/root" "$BPFKIT_TEST" --cleanup
  contains "bpfkit-test: error: the pin root is not bpfkit's: $BASE/root is a symbolic link"
  contains "hint: find out who made $BASE/root"
  [ -d "$SCRATCH/victim/$dead-test" ] || fail "removed $SCRATCH/victim/$dead-test through the symlink"
  # A pin root another user made first.
  mkdir -p "$BASE/theirs/$dead-test"
  chown -R 65534:65534 "$BASE/theirs"
  expect 1 env BPFKIT_TEST_PIN_ROOT="$BASE/theirs" "$BPFKIT_TEST" --cleanup
  contains "$BASE/theirs belongs to uid 65534, not to this user"
  [ -d "$BASE/theirs/$dead-test" ] || fail "cleaned a root another user made"
  # bpfkit's own root: a dead test's directory goes (its pins unpinned, a
  # symlink in it removed, not followed), a live test's stays.
  mkdir -m 0755 "$BASE/ours"
  mkdir -m 0700 "$BASE/ours/$dead-stale" "$BASE/ours/$$-live"
  ln -s "$SCRATCH/victim" "$BASE/ours/$dead-stale/link"
  remember_loaded
  expect 0 "$BPFKIT" load "$OBJ" --pin "$BASE/ours/$dead-stale/app"
  expect 0 env BPFKIT_TEST_PIN_ROOT="$BASE/ours" "$BPFKIT_TEST" --cleanup
  contains "removed 1 stale pin directories under $BASE/ours"
  [ ! -e "$BASE/ours/$dead-stale" ] || fail "left the dead test's directory"
  [ -d "$BASE/ours/$$-live" ] || fail "removed a live test's directory"
  [ -d "$SCRATCH/victim/$dead-test" ] || fail "followed the symlink inside a stale directory"
  nothing_new
}

# --- the leak check finds what a test leaves ------------------------------------

case_leak_check_detects() {
  [ -n "$PYTHON" ] || skip "python3 is not installed"
  local state=$SCRATCH/state.json dead
  mkdir -p "$SCRATCH"
  expect 0 "$PYTHON" "$LEAK_CHECK" snapshot "$state" "$BUILD_DIR"
  expect 0 "$PYTHON" "$LEAK_CHECK" check "$state" "$BUILD_DIR"
  contains "nothing left behind"
  # What a test killed before its cleanup leaves: pins in a directory named
  # with its (now gone) pid, holding programs nobody else holds.
  dead=$(sh -c 'echo $$')
  leak=/sys/fs/bpf/bpfkit-sec-leakprobe-$dead
  expect 0 "$BPFKIT" load "$OBJ" --pin "$leak"
  expect 1 "$PYTHON" "$LEAK_CHECK" check "$state" "$BUILD_DIR"
  rm -rf "$leak"
  contains "pin directory $leak (its test, pid $dead, is gone)"
  contains "name secpin_first, pinned at $leak/progs/secpin_first (held by no process)"
  contains "map id"
  expect 0 "$PYTHON" "$LEAK_CHECK" check "$state" "$BUILD_DIR"
}

# --- driver ------------------------------------------------------------------------

cleanup() {
  [ -n "${BASE:-}" ] && rm -rf "$BASE"
  [ -n "${leak:-}" ] && rm -rf "$leak"
  [ -n "${SCRATCH:-}" ] && rm -rf "$SCRATCH"
  true
}

[ "$(id -u)" -eq 0 ] || skip "needs root: loading BPF and pinning in /sys/fs/bpf"
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] ||
  skip "bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)"
[ -n "$BPFTOOL" ] || skip "bpftool is not installed (ci/install-deps.sh installs it)"
probe=$("$BPFKIT" verify "$OBJ" 2>&1)
[ $? -eq 4 ] && skip "cannot load BPF here: $probe"
type "case_$case_name" >/dev/null 2>&1 || fail "unknown case '$case_name'"

# Directories of earlier runs that were killed (SIGKILL skips the trap).
for stale in /sys/fs/bpf/bpfkit-sec-* "$WORK"/*-[0-9]*; do
  [ -e "$stale" ] || continue
  kill -0 "${stale##*-}" 2>/dev/null || rm -rf "$stale"
done

BASE=/sys/fs/bpf/bpfkit-sec-$case_name-$$
SCRATCH=$WORK/$case_name-$$
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -m 0700 "$BASE" || fail "cannot create $BASE"
mkdir -p "$WORK"

"case_$case_name"
echo "PASS: $case_name"
