#!/usr/bin/env bash
# packaging.completion: packaging/bash-completion/bpfkit completes what the
# CLI's help offers, driven as bash drives it (COMP_WORDS/COMP_CWORD).
#
#   completion_test.sh COMPLETION_SCRIPT BPFKIT_BIN_DIR WORK_DIR
set -uo pipefail
script=$1
export PATH=$(realpath "$2"):$PATH
work=$3
rm -rf "$work" && mkdir -p "$work"
# shellcheck source=/dev/null
source "$script"
failures=0

# complete WORD... : what <TAB> after the words offers, sorted, one line.
complete() {
  COMP_WORDS=(bpfkit "$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _bpfkit
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() {
  local expected=$1
  shift
  local got
  got=$(complete "$@")
  if [[ $got != "$expected" ]]; then
    echo "FAIL: bpfkit $* <TAB>: expected '$expected', got '$got'"
    failures=$((failures + 1))
  else
    echo "ok: bpfkit $* <TAB> -> $got"
  fi
}

commands=$(bpfkit --help | awk '/^[Cc]ommands:/ { c = 1; next } c && /^$/ { exit } c { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')
[[ -n $commands ]] || { echo "FAIL: bpfkit --help lists no commands"; exit 1; }
expect "$commands" ""
expect "verify" ve
expect "init" in
expect "--verbose" --verb
expect "--format" stats --fo
expect "csv json table" stats --format ""
expect "full none tail" verify --log ""
expect "delete dump lookup update watch" map ""
expect "--help --name" init --
expect "--raw" dump --r
touch "$work/counter.bpf.o"
expect "$work/counter.bpf.o" verify "$work/cou"

((failures == 0)) || { echo "$failures completion(s) wrong"; exit 1; }
