#!/bin/bash
# conventions_test.sh CASE: what users expect of any command-line tool.
#
#   versions VERSION TOOL...  `--version` of bpfkit and of every tool prints
#                             "<name> (bpfkit) VERSION" (bpfkit: "bpfkit
#                             VERSION"), the project version from CMake
#   help                      every command and subcommand has a full --help
#                             (usage, options one line each, examples, exit
#                             status) that `bpfkit help ...` prints too, and
#                             whose options match its usage line
#   colors                    errors and verdicts are coloured on a terminal
#                             (script(1) gives one), not in a pipe, not with
#                             NO_COLOR; --color always|never|auto decides
#
# Environment: BPFKIT (the CLI). Needs no privileges. Exit 0 pass, 1 fail,
# 77 skip (script(1) missing).
set -u

case_name=${1:?usage: conventions_test.sh CASE [ARGS...]}
shift
: "${BPFKIT:?}"

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

case_versions() {
  local version=$1 tool name out
  shift
  out=$("$BPFKIT" --version 2>&1) || fail "bpfkit --version exited $?"
  [ "$out" = "bpfkit $version" ] || fail "bpfkit --version printed '$out', expected 'bpfkit $version'"
  for tool in "$@"; do
    name=$(basename "$tool")
    out=$("$tool" --version 2>&1) || fail "$name --version exited $?: $out"
    [ "$out" = "$name (bpfkit) $version" ] ||
      fail "$name --version printed '$out', expected '$name (bpfkit) $version'"
    echo "ok: $out"
  done
  # bpfkit-cc passes what follows "--" to the compiler: --version there is clang's.
  for tool in "$@"; do
    [ "$(basename "$tool")" = bpfkit-cc ] || continue
    out=$("$tool" -- /bin/sh -c 'echo "$0"' --version 2>&1)
    [ "$out" = "--version" ] || fail "bpfkit-cc -- sh -c 'echo \"\$0\"' --version printed '$out'"
  done
}

# The --options written in TEXT, one per line, sorted and unique.
options_in() { grep -o -- '--[a-z][a-z-]*' <<<"$1" | sort -u; }

# check_help HELP-TEXT WHAT: the sections and the options of one help text.
check_help() {
  local help=$1 what=$2
  local usage options_section documented
  usage=$(head -n 1 <<<"$help")
  [[ $usage == "usage: bpfkit $what"* ]] || fail "$what: first line is '$usage', not 'usage: bpfkit $what ...'"
  [ -z "$(sed -n 2p <<<"$help")" ] || fail "$what: the usage is not followed by a blank line"
  for section in "Options:" "Examples:" "Exit status:"; do
    grep -qx "$section" <<<"$help" || fail "$what: no '$section' section"
  done
  options_section=$(awk '/^Options:$/ { on = 1; next } on && /^$/ { exit } on { print }' <<<"$help")
  # One option per line: "  --name[ VALUE]  what it does".
  while IFS= read -r line; do
    [[ $line =~ ^\ \ (-[a-z],\ )?--[a-z][a-z-]*.*[^\ ]\ \ +[^\ ].*$ ]] ||
      fail "$what: option line '$line' is not '  --name VALUE  description'"
  done <<<"$options_section"
  documented=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^--/) { print $i; break } }' <<<"$options_section" |
    sed 's/,$//' | sort -u)
  local in_usage
  in_usage=$(options_in "$usage")
  for option in $in_usage; do
    grep -qx -- "$option" <<<"$documented" || fail "$what: $option is in the usage but not under Options:"
  done
  for option in $documented; do
    [ "$option" = --help ] && continue
    grep -qx -- "$option" <<<"$in_usage" || fail "$what: $option is under Options: but not in the usage"
  done
  grep -qx -- "--help" <<<"$documented" || fail "$what: -h, --help is not under Options:"
  awk '/^Examples:$/ { on = 1; next } on && /^$/ { exit } on { print }' <<<"$help" |
    while IFS= read -r example; do
      [[ $example == "  bpfkit $what"* ]] || echo "FAIL: $what: example '$example' does not run 'bpfkit $what'"
    done | grep FAIL && failures=$((failures + 1))
  awk '/^Exit status:$/ { on = 1; next } on && /^$/ { exit } on { print $1 }' <<<"$help" | tr '\n' ' ' |
    grep -q "^0 .*2 3 4 5 $" || fail "$what: exit statuses are not 0 ... 2 3 4 5"
}

case_help() {
  local commands command help via_help subs sub
  commands=$("$BPFKIT" --help | awk '/^commands:/ { c = 1; next } c && /^$/ { exit } c { print $1 }')
  [ "$(wc -w <<<"$commands")" -ge 14 ] || fail "bpfkit --help lists only: $commands"
  for command in $commands; do
    help=$("$BPFKIT" "$command" --help 2>&1) || fail "bpfkit $command --help exited $?"
    via_help=$("$BPFKIT" help "$command" 2>&1) || fail "bpfkit help $command exited $?"
    [ "$help" = "$via_help" ] || fail "bpfkit help $command differs from bpfkit $command --help"
    check_help "$help" "$command"
    echo "ok: bpfkit $command --help"
    subs=$(awk '/^Subcommands/ { s = 1; next } s && /^$/ { exit } s { print $1 }' <<<"$help")
    for sub in $subs; do
      local sub_help
      sub_help=$("$BPFKIT" "$command" "$sub" --help 2>&1) || fail "bpfkit $command $sub --help exited $?: $sub_help"
      [ "$sub_help" = "$("$BPFKIT" help "$command" "$sub" 2>&1)" ] ||
        fail "bpfkit help $command $sub differs from bpfkit $command $sub --help"
      check_help "$sub_help" "$command $sub"
      # A subcommand's options are among its command's.
      for option in $(options_in "$(head -n 1 <<<"$sub_help")"); do
        grep -q -- "$option" <<<"$(head -n 1 <<<"$help")" || fail "$command $sub: $option is not in '$command' usage"
      done
      echo "ok: bpfkit $command $sub --help"
    done
  done
  # --help wins wherever it stands before "--", also after other arguments.
  help=$("$BPFKIT" verify some.bpf.o --log full --help 2>&1) || fail "verify OBJ ... --help exited $?"
  [[ $help == "usage: bpfkit verify "* ]] || fail "verify OBJ --help: $help"
  # Bad topics are usage errors.
  local out
  out=$("$BPFKIT" help frobnicate 2>&1)
  [ $? -eq 2 ] || fail "bpfkit help frobnicate: exit status is not 2"
  grep -q "bpfkit help: error: no command named 'frobnicate'; 'bpfkit --help' lists them" <<<"$out" ||
    fail "bpfkit help frobnicate: $out"
  out=$("$BPFKIT" help map frob 2>&1)
  [ $? -eq 2 ] || fail "bpfkit help map frob: exit status is not 2"
  grep -q "'map' has no subcommand 'frob'" <<<"$out" || fail "bpfkit help map frob: $out"
  out=$("$BPFKIT" help verify extra 2>&1)
  [ $? -eq 2 ] || fail "bpfkit help verify extra: exit status is not 2"
  grep -q "'verify' has no subcommands" <<<"$out" || fail "bpfkit help verify extra: $out"
  # A usage error of a subcommand shows the subcommand's usage.
  out=$("$BPFKIT" map dump 2>&1)
  [ $? -eq 2 ] || fail "bpfkit map dump (no map): exit status is not 2"
  grep -q "^usage: bpfkit map dump PINNED|id:N \[--json\]$" <<<"$out" || fail "bpfkit map dump: $out"
}

esc=$'\033'

# on_tty COMMAND...: runs COMMAND with a terminal as stdin/stdout/stderr;
# sets $out (both streams) and $status.
on_tty() {
  local quoted
  printf -v quoted '%q ' "$@"
  out=$(script -qec "$quoted" /dev/null </dev/null 2>&1)
  status=$?
  out=${out//$'\r'/}
}

has_color() { [[ $out == *"$esc["* ]]; }

case_colors() {
  command -v script >/dev/null || { echo "SKIP: script(1) (util-linux) is not installed"; exit 77; }
  local missing=/nonexistent/bpfkit-colors.bpf.o
  # A terminal: the error is red, the hint cyan; the status is unchanged.
  on_tty env -u NO_COLOR TERM=xterm "$BPFKIT" verify "$missing"
  echo "tty: $out"
  [ "$status" -eq 3 ] || fail "on a terminal: status $status, expected 3"
  [[ $out == *"bpfkit verify: ${esc}[1;31merror:${esc}[0m $missing: cannot open"* ]] ||
    fail "on a terminal the error is not red: $out"
  # A pipe: no escape sequences at all.
  out=$(env -u NO_COLOR TERM=xterm "$BPFKIT" verify "$missing" 2>&1 | cat)
  has_color && fail "colours in a pipe: $out"
  [[ $out == "bpfkit verify: error: $missing: cannot open"* ]] || fail "in a pipe: $out"
  # NO_COLOR (any non-empty value) turns them off on a terminal; empty does not.
  on_tty env NO_COLOR=1 TERM=xterm "$BPFKIT" verify "$missing"
  has_color && fail "colours with NO_COLOR=1: $out"
  on_tty env NO_COLOR= TERM=xterm "$BPFKIT" verify "$missing"
  has_color || fail "no colours with NO_COLOR empty (no-color.org: only a non-empty value counts): $out"
  # TERM=dumb: none.
  on_tty env -u NO_COLOR TERM=dumb "$BPFKIT" verify "$missing"
  has_color && fail "colours with TERM=dumb: $out"
  # --color decides over the terminal and NO_COLOR, before or after the command.
  out=$(NO_COLOR=1 "$BPFKIT" --color=always verify "$missing" 2>&1 | cat)
  [[ $out == *"${esc}[1;31merror:"* ]] || fail "--color=always in a pipe: $out"
  out=$("$BPFKIT" verify "$missing" --color always 2>&1 | cat)
  [[ $out == *"${esc}[1;31merror:"* ]] || fail "--color always after the command: $out"
  on_tty env -u NO_COLOR TERM=xterm "$BPFKIT" --color never verify "$missing"
  has_color && fail "--color never on a terminal: $out"
  on_tty env -u NO_COLOR TERM=xterm "$BPFKIT" --color auto verify "$missing"
  has_color || fail "--color auto on a terminal: $out"
  out=$("$BPFKIT" --color sometimes verify "$missing" 2>&1)
  [ $? -eq 2 ] || fail "--color sometimes: status is not 2"
  [[ $out == "bpfkit: error: --color takes auto, always or never, not 'sometimes'" ]] || fail "--color sometimes: $out"
  out=$("$BPFKIT" verify "$missing" --color 2>&1)
  [ $? -eq 2 ] || fail "--color without a value: status is not 2"
  [[ $out == "bpfkit: error: --color needs a value: auto, always or never" ]] || fail "--color without a value: $out"
  # Verdicts on stdout: doctor's [ok] green, [fail] red (a missing clang).
  on_tty env -u NO_COLOR TERM=xterm BPF_CLANG=/nonexistent/clang "$BPFKIT" doctor
  [[ $out == *"${esc}[1;31m[fail]${esc}[0m clang: "* ]] || fail "doctor's [fail] is not red: $out"
  [[ $out == *"${esc}[32m[ok]${esc}[0m   "* ]] || fail "doctor's [ok] is not green: $out"
  out=$(BPF_CLANG=/nonexistent/clang "$BPFKIT" doctor 2>&1 | cat)
  has_color && fail "doctor in a pipe: $out"
  grep -q '^\[fail\] clang: ' <<<"$out" || fail "doctor in a pipe: $out"
}

type "case_$case_name" >/dev/null 2>&1 || { echo "FAIL: unknown case '$case_name'"; exit 1; }
"case_$case_name" "$@"
((failures == 0)) || { echo "$failures problem(s)"; exit 1; }
echo "PASS: $case_name"
