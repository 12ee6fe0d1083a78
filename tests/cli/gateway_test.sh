#!/bin/bash
# gateway_test.sh CLI_DIR LIBBPF_HEADER_DIR: the runtime library is the CLI's
# one gateway to the kernel (issue 10). Fails when a source of the CLI
#   - includes a libbpf header (<bpf/...>) or <bpfkit/libbpf.hpp> (the
#     runtime's escape hatch to libbpf's objects), or
#   - calls a libbpf function: one LIBBPF_API or static inline function of
#     libbpf's headers in LIBBPF_HEADER_DIR/bpf, except the version calls.
# A forbidden call or include names the file and line and the fix.
#
# It cannot pass vacuously: it needs at least 10 CLI sources (main.cpp among
# them) and 200 libbpf function names (ring_buffer__new among them), and it
# checks itself first: a copy of the CLI with one planted call, and one with
# a planted include, must each fail.
#
# No privileges needed. Exit 0 pass, 1 fail.
set -u

cli_dir=${1:?usage: gateway_test.sh CLI_DIR LIBBPF_HEADER_DIR}
header_dir=${2:?usage: gateway_test.sh CLI_DIR LIBBPF_HEADER_DIR}
allowed='libbpf_major_version libbpf_minor_version libbpf_version_string'

work=$(mktemp -d "${TMPDIR:-/tmp}/bpfkit-gateway.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# libbpf's functions, from its headers: declarations may span lines, so each
# header is read whole (-z).
names=$work/names
for header in libbpf.h bpf.h btf.h libbpf_common.h libbpf_legacy.h; do
  [ -f "$header_dir/bpf/$header" ] || continue
  grep -Pzo '(LIBBPF_API|static inline)[^;(){}]*?\b\w+\s*\(' "$header_dir/bpf/$header" |
    tr '\0' '\n' | grep -oP '\w+(?=\s*\($)'
done | grep -v -e '^LIBBPF_' -e '^__' | sort -u >"$names"
for name in $allowed; do sed -i "/^$name\$/d" "$names"; done
count=$(wc -l <"$names")
if [ "$count" -lt 200 ] || ! grep -qx ring_buffer__new "$names" || ! grep -qx btf__type_cnt "$names"; then
  echo "FAIL: found only $count libbpf function names in $header_dir/bpf (expected 200 or more, ring_buffer__new and btf__type_cnt among them)"
  exit 1
fi
sed 's/.*/\\<&[[:space:]]*[(]/' "$names" >"$work/calls"

# check DIR: prints each violation; exit 0 when there is none, 1 otherwise,
# 2 when DIR does not look like the CLI.
check() {
  local dir=$1 sources=() file found=0
  for file in "$dir"/*.cpp "$dir"/*.hpp; do
    [ -f "$file" ] && sources+=("$file")
  done
  if [ "${#sources[@]}" -lt 10 ] || [ ! -f "$dir/main.cpp" ]; then
    echo "FAIL: $dir holds ${#sources[@]} C++ sources: not the CLI (expected main.cpp and 10 or more)"
    return 2
  fi
  for file in "${sources[@]}"; do
    # Comments are not calls: cut each line's // comment.
    while IFS=: read -r line text; do
      found=1
      echo "$file:$line: includes ${text}: the CLI reaches the kernel through the runtime (bpfkit::bpfkit), not libbpf"
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](bpf/[^>"]*|bpfkit/libbpf\.hpp)[>"]' "$file" |
             sed -E 's/^([0-9]+):[^<"]*([<"][^>"]*[>"]).*/\1:\2/')
    while IFS=: read -r line call; do
      found=1
      call=${call%%(*}
      echo "$file:$line: calls libbpf's ${call%%[[:space:]]*}(): use (or add) a named operation of the runtime (bpfkit::kernel, map_view, event_reader, ...)"
    done < <(sed 's|//.*||' "$file" | grep -noEf "$work/calls")
  done
  return $found
}

# The check itself: a planted call and a planted include must each fail.
for plant in 'int planted = bpf_map_get_fd_by_id(1);' '#include <bpf/btf.h>'; do
  copy=$work/copy
  rm -rf "$copy" && cp -r "$cli_dir" "$copy"
  printf '%s\n' "$plant" >>"$copy/cmd_map.cpp"
  out=$(check "$copy")
  status=$?
  planted_line=$(wc -l <"$copy/cmd_map.cpp")
  if [ "$status" -ne 1 ] || ! grep -q "cmd_map.cpp:$planted_line: " <<<"$out"; then
    echo "FAIL: the check let a planted '$plant' (cmd_map.cpp:$planted_line) pass:"
    echo "$out"
    exit 1
  fi
done

if ! out=$(check "$cli_dir"); then
  echo "FAIL: the CLI bypasses the runtime:"
  echo "$out"
  exit 1
fi
echo "ok: $(ls "$cli_dir"/*.cpp "$cli_dir"/*.hpp | wc -l) CLI sources, no libbpf include, none of $count libbpf functions called"
