#!/usr/bin/env bash
# packaging.man_pages: the generated man pages (packaging/man/generate.cmake)
# are the CLI's help: bpfkit.1 and one bpfkit-<command>.1 per command that
# `bpfkit --help` lists, each naming its command, carrying its summary and
# usage, and rendering without warnings.
#
#   man_pages.sh BPFKIT MAN_DIR
set -uo pipefail
cli=$1 dir=$2
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# A page as plain text: roff's escapes and fonts removed.
text() { zcat "$1" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(co/(c)/g' -e 's/\\&//g'; }

[[ -f $dir/bpfkit.1.gz ]] || fail "no $dir/bpfkit.1.gz"
commands=$("$cli" --help | awk '/^[Cc]ommands:/ { c = 1; next } c && /^$/ { exit } c { print $1 }')
[[ -n $commands ]] || fail "bpfkit --help lists no commands"
expected_pages="bpfkit.1.gz"
for command in $commands; do
  expected_pages+=" bpfkit-$command.1.gz"
  page=$dir/bpfkit-$command.1.gz
  [[ -f $page ]] || { fail "no man page for '$command' ($page)"; continue; }
  help=$("$cli" "$command" --help)
  body=$(text "$page" | tr -s ' \n' '  ')
  summary=$("$cli" --help | awk -v c="$command" '$1 == c { $1 = ""; sub(/^ +/, ""); print; exit }')
  grep -qF "bpfkit-$command - $summary" <<<"$body" || fail "$page: NAME is not 'bpfkit-$command - $summary'"
  # Every word of the usage line is on the page.
  usage=$(sed -n 's/^[Uu]sage: *//p' <<<"$help" | head -n 1)
  for word in $usage; do
    grep -qF -- "$word" <<<"$body" || fail "$page lacks '$word' of the usage '$usage'"
  done
  grep -q "SEE ALSO" <<<"$(zcat "$page")" || fail "$page has no SEE ALSO section"
  if command -v man > /dev/null; then
    warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null)
    [[ -z $warnings ]] || fail "$page: man reports: $warnings"
  fi
done
present=$(cd "$dir" && ls | sort | tr '\n' ' ' | sed 's/ $//')
wanted=$(tr ' ' '\n' <<<"$expected_pages" | sort | tr '\n' ' ' | sed 's/ $//')
[[ $present == "$wanted" ]] || fail "pages in $dir: '$present', expected '$wanted'"
((failures == 0)) || { echo "$failures problem(s)"; exit 1; }
echo "ok: $(wc -w <<<"$present") man pages match bpfkit --help"
