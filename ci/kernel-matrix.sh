#!/usr/bin/env bash
# ci/kernel-matrix.sh [--kernels 6.1,6.12] [--build DIR] [--timeout SECONDS]
#                     [-R REGEX] [-- CTEST-ARGS...]
#
# Runs bpfkit's BPF tests (ctest label "bpf") under other kernels: for each
# kernel series it fetches Debian's newest linux-image-<series>.*-amd64-unsigned
# package with `apt-get download` (cached, unpacked, under <build>/vm-cache and
# reused when present; nothing is installed), builds a tiny busybox initramfs
# (ci/vm/mkinitramfs.sh) and boots it under QEMU TCG with the host's root
# shared read-only over virtio-9p. The guest (ci/vm/init) puts a tmpfs overlay
# over that root and runs, chrooted into it, the host's own ctest on the
# already built tree: one boot per kernel for the whole run.
#
# Prints passed/failed/skipped per kernel and the failing tests' names; the
# console log and ctest's JUnit file stay in <build>/vm-results/<series>/.
# Exit status: 0 when no kernel had failures, 1 when one had (including a
# boot that failed or timed out), 77 when no kernel could be run at all
# (no qemu, no busybox-static, package not available), 2 on usage errors.
# Environment: BPFKIT_VM_TIMEOUT (per boot, seconds), BPFKIT_VM_MEMORY (MiB),
# BPFKIT_VM_QEMU (the qemu-system-x86_64 to use).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kernels=6.1,6.12
build=${BPFKIT_BUILD_DIR:-$root/build}
regex=
boot_timeout=${BPFKIT_VM_TIMEOUT:-1200}
memory=${BPFKIT_VM_MEMORY:-2048}
ctest_args=()

usage() { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while (($#)); do
  case $1 in
    --kernels) kernels=${2:?}; shift 2 ;;
    --build) build=${2:?}; shift 2 ;;
    --timeout) boot_timeout=${2:?}; shift 2 ;;
    -R) regex=${2:?}; shift 2 ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "kernel-matrix: unknown argument '$1'" >&2; usage ;;
  esac
done

say() { echo "kernel-matrix: $*"; }
skip_all() { say "SKIP: $*"; exit 77; }

[[ -z ${BPFKIT_IN_VM:-} ]] || skip_all "already inside a kernel-matrix guest"
build=$(cd "$build" 2>/dev/null && pwd) || { say "error: build directory '$build' does not exist"; exit 2; }
[[ -f $build/CTestTestfile.cmake ]] || { say "error: $build is not a configured build tree (no CTestTestfile.cmake)"; exit 2; }
qemu=${BPFKIT_VM_QEMU:-$(command -v qemu-system-x86_64 || true)}
[[ -n $qemu && -x $qemu ]] || skip_all "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
busybox=$(command -v busybox || true)
if [[ -z $busybox ]] || ldd "$busybox" >/dev/null 2>&1; then
  skip_all "no statically linked busybox (apt-get install busybox-static)"
fi
[[ $(uname -m) == x86_64 ]] || skip_all "only x86-64 hosts are supported"

cache=$build/vm-cache
results=$build/vm-results
mkdir -p "$cache" "$results"

qemu_pid=
cleanup() {
  if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    sleep 1
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

# Unpacks the newest Debian amd64 kernel of series $1 into $cache/$1 (once).
# Prints the unpacked directory; returns 1 with a reason on stderr otherwise.
fetch_kernel() {
  local series=$1 dir=$cache/$1 package work
  if [[ -f $dir/.complete ]]; then
    echo "$dir/root"
    return
  fi
  package=$(apt-cache search --names-only "^linux-image-${series//./\\.}[.-].*-amd64-unsigned\$" 2>/dev/null \
    | awk '{print $1}' | grep -v -e '-cloud-' -e '-rt-' | sort -V | tail -n 1 || true)
  if [[ -z $package ]]; then
    echo "no linux-image-$series.*-amd64-unsigned package known to apt (apt-get update?)" >&2
    return 1
  fi
  rm -rf "$dir"
  work=$dir/download
  mkdir -p "$work"
  if ! (cd "$work" && apt-get download -q "$package" >download.log 2>&1); then
    echo "apt-get download $package failed: $(tail -n 1 "$work/download.log")" >&2
    return 1
  fi
  dpkg-deb -x "$work"/*.deb "$dir/root"
  rm -f "$work"/*.deb
  echo "$package" >"$dir/package"
  touch "$dir/.complete"
  echo "$dir/root"
}

# Writes the script the guest runs chrooted into the host's root.
write_guest_script() {
  local out=$1 args=(ctest --test-dir "$build" -L bpf --output-on-failure
                     --output-junit /run/bpfkit-vm/junit.xml)
  [[ -n $regex ]] && args+=(-R "$regex")
  args+=("${ctest_args[@]}")
  {
    echo '#!/bin/bash'
    echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    echo 'export HOME=/root LANG=C.UTF-8 TERM=dumb BPFKIT_IN_VM=1'
    # Result files and tracefiles outlive the guest in its results directory.
    echo 'export BPFKIT_RESULTS_DIR=/run/bpfkit-vm/bpfkit-results BPFKIT_COVERAGE_DIR=/run/bpfkit-vm/bpfkit-coverage'
    echo 'cd /'
    echo 'start=$(date +%s)'
    printf '%q ' "${args[@]}"
    echo '</dev/null'
    echo 'rc=$?'
    echo 'echo "bpfkit-vm: ctest exited with $rc after $(($(date +%s) - start))s"'
    echo 'echo "$rc" >/run/bpfkit-vm/ctest.rc'
  } >"$out/guest.sh"
}

declare -a summary=()
any_failed=0 any_ran=0
IFS=, read -r -a series_list <<<"$kernels"
for series in "${series_list[@]}"; do
  if ! [[ $series =~ ^[0-9]+\.[0-9]+$ ]]; then
    say "error: '$series' is not a kernel series like 6.1"; exit 2
  fi
  say "=== kernel $series ==="
  if ! unpacked=$(fetch_kernel "$series" 2>"$results/fetch-error"); then
    reason=$(cat "$results/fetch-error")
    rm -f "$results/fetch-error"
    say "SKIP $series: $reason"
    summary+=("$series: SKIPPED ($reason)")
    continue
  fi
  rm -f "$results/fetch-error"
  vmlinuz=$(echo "$unpacked"/boot/vmlinuz-*)
  initrd=$cache/$series/initrd.gz
  if [[ ! -f $initrd || $root/ci/vm/init -nt $initrd || $root/ci/vm/mkinitramfs.sh -nt $initrd ]]; then
    "$root/ci/vm/mkinitramfs.sh" "$unpacked" "$initrd"
  fi

  out=$results/$series
  rm -rf "$out"
  mkdir -p "$out"
  write_guest_script "$out"
  : >"$out/console.log"
  say "booting $(cat "$cache/$series/package") (QEMU TCG, timeout ${boot_timeout}s)"
  started=$(date +%s)
  "$qemu" -accel tcg -cpu max -smp "$(nproc)" -m "$memory" \
    -nodefaults -no-user-config -display none -serial stdio -no-reboot \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off rdinit=/init" \
    -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$out,mount_tag=out,security_model=none" \
    </dev/null >"$out/console.log" 2>&1 &
  qemu_pid=$!
  tail -n +1 -f --pid="$qemu_pid" "$out/console.log" &
  tail_pid=$!
  timed_out=0
  while kill -0 "$qemu_pid" 2>/dev/null; do
    if (($(date +%s) - started >= boot_timeout)); then
      timed_out=1
      say "timeout after ${boot_timeout}s: killing QEMU"
      cleanup
      break
    fi
    sleep 1
  done
  wait "$qemu_pid" 2>/dev/null || true
  qemu_pid=
  wait "$tail_pid" 2>/dev/null || true
  elapsed=$(($(date +%s) - started))

  if ((timed_out)); then
    summary+=("$series: FAILED (timed out after ${elapsed}s; see $out/console.log)")
    any_failed=1
  elif [[ -f $out/boot-error ]]; then
    summary+=("$series: FAILED (boot: $(cat "$out/boot-error"); see $out/console.log)")
    any_failed=1
  elif [[ ! -f $out/junit.xml ]]; then
    summary+=("$series: FAILED (no test results after ${elapsed}s; see $out/console.log)")
    any_failed=1
  else
    any_ran=1
    counts=$(python3 "$root/ci/vm/summarize.py" "$out/junit.xml") && status=0 || status=$?
    line="$series ($(cat "$cache/$series/package")): $(head -n 1 <<<"$counts") in ${elapsed}s"
    if ((status != 0)) || [[ $(cat "$out/ctest.rc" 2>/dev/null) != 0 && $status == 0 ]]; then
      any_failed=1
      failing=$(tail -n +2 <<<"$counts" | paste -sd' ' -)
      line+=" FAILED: ${failing:-ctest exited with $(cat "$out/ctest.rc" 2>/dev/null)}"
    fi
    summary+=("$line")
  fi
done

say "=== summary ==="
for line in "${summary[@]}"; do say "  $line"; done
if ((any_failed)); then exit 1; fi
if ((!any_ran)); then exit 77; fi
exit 0
