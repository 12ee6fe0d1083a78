# Shell helpers shared by bpfkit's shell-driven tests (tests/cli,
# tests/cli_state, tests/security): sourced, never run. Exit 77 is ctest's
# SKIP_RETURN_CODE.
PYTHON=${PYTHON:-}
BPFTOOL=${BPFTOOL:-}
[ "$PYTHON" = "Python3_EXECUTABLE-NOTFOUND" ] && PYTHON=
[ "$BPFTOOL" = "BPFKIT_TEST_BPFTOOL-NOTFOUND" ] && BPFTOOL=

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

# expect RC CMD...: runs CMD, keeps its stdout+stderr in $out, checks the status.
expect() {
  local want=$1
  shift
  out=$("$@" 2>&1)
  local got=$?
  echo "\$ $*"
  echo "$out" | sed 's/^/  | /'
  [ "$got" -eq "$want" ] || fail "exit status $got, expected $want: $*"
}

contains() {
  case $out in
    *"$1"*) ;;
    *) fail "expected the output to contain: $1" ;;
  esac
}

lacks() {
  case $out in
    *"$1"*) fail "expected the output not to contain: $1" ;;
  esac
}

# In a private mount namespace with tracefs mounted, when the host has none.
with_tracefs() {
  if [ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ]; then
    "$@"
  else
    unshare --mount --propagation private sh -c \
      'mount -t tracefs nodev /sys/kernel/tracing && exec "$@"' sh "$@"
  fi
}

nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$@"
}
