#!/usr/bin/env bash
# ci/vm/mkinitramfs.sh <unpacked-kernel-package-dir> <output.cpio.gz>
#
# Builds the tiny initramfs the kernel matrix boots: busybox-static, ci/vm/init
# as /init, and the modules it needs from the unpacked Debian kernel package
# (9p over virtio, overlay, veth and tc for the attach tests) together with
# everything they depend on, decompressed and numbered in load order. Module
# dependencies are read from each module's .modinfo section (the package has
# no modules.dep and the host need not have depmod).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pkg=$1 out=$2
wanted=(virtio_pci 9pnet_virtio 9p overlay veth sch_ingress cls_bpf)

busybox=$(command -v busybox || true)
if [[ -z $busybox ]] || ldd "$busybox" >/dev/null 2>&1; then
  echo "mkinitramfs: a statically linked busybox is needed (apt-get install busybox-static)" >&2
  exit 2
fi

moddir=$(echo "$pkg"/lib/modules/*)
[[ -d $moddir ]] || { echo "mkinitramfs: no lib/modules in $pkg" >&2; exit 2; }

declare -A path_of=() seen=()
while IFS= read -r -d '' file; do
  name=${file##*/}; name=${name%%.ko*}
  path_of[${name//-/_}]=$file
done < <(find "$moddir/kernel" -name '*.ko*' -print0)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,modules}
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"

count=0
# Copies module $1 after its dependencies; built-in ones are skipped.
add_module() {
  local name=${1//-/_} file tmp deps dep
  [[ -n ${seen[$name]:-} ]] && return
  seen[$name]=1
  file=${path_of[$name]:-}
  [[ -n $file ]] || return 0   # built into the kernel
  tmp=$root/modules/$name.ko.tmp
  case $file in
    *.xz) xz -dc "$file" >"$tmp" ;;
    *.zst) zstd -qdc "$file" >"$tmp" ;;
    *.gz) gzip -dc "$file" >"$tmp" ;;
    *) cp "$file" "$tmp" ;;
  esac
  deps=$(objcopy -O binary --only-section=.modinfo "$tmp" /dev/stdout | tr '\0' '\n' | sed -n 's/^depends=//p')
  for dep in ${deps//,/ }; do add_module "$dep"; done
  count=$((count + 1))
  mv "$tmp" "$root/modules/$(printf '%02d' "$count")-$name.ko"
}
for module in "${wanted[@]}"; do add_module "$module"; done

(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
