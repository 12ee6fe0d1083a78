#!/bin/sh
# tests/vm/expect_skip.sh <pattern> <command>...: passes when the command
# exits 77 (skipped) and its output contains <pattern>.
pattern=$1
shift
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
if [ "$status" -ne 77 ]; then
  echo "expect_skip: expected exit status 77, got $status" >&2
  exit 1
fi
case $output in
  *"$pattern"*) exit 0 ;;
esac
echo "expect_skip: the output does not contain '$pattern'" >&2
exit 1
