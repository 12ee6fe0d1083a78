#!/bin/sh
# Loads a bpfkit-built object with bpftool (the reference loader) and checks
# that the program is there under its own name. The pin is removed on every
# path. Exit 77 (skip) without bpftool or the privilege to load BPF.
#   load_with_bpftool.sh OBJECT PROGRAM
set -u
object=$1
program=$2
command -v bpftool >/dev/null 2>&1 || { echo "skip: bpftool is not installed"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "skip: loading BPF needs root (or CAP_BPF)"; exit 77; }
mountpoint -q /sys/fs/bpf || { echo "skip: bpffs is not mounted at /sys/fs/bpf"; exit 77; }

pin=/sys/fs/bpf/bpfkit-test-bpftool-$$
trap 'rm -f "$pin"' EXIT
trap 'exit 130' INT TERM

bpftool prog load "$object" "$pin" || { echo "bpftool prog load rejected $object"; exit 1; }
shown=$(bpftool prog show pinned "$pin") || exit 1
echo "$shown"
case $shown in
  *"name $program"*) echo "loaded: $program" ;;
  *) echo "expected program $program in: $shown"; exit 1 ;;
esac
