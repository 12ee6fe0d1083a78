#!/usr/bin/env bash
# packaging.deb.clean_root: bpfkit's .deb on a clean Debian 12 machine.
#
#   clean_root.sh DEB WORK_DIR
#
# A minimal Debian 12 root (debootstrap --variant=minbase from the mirror
# this machine's apt uses), chrooted into inside a private mount namespace
# with its own /proc, /sys and BPF filesystem: `dpkg -i` the package (it
# fails on the missing dependencies), `apt-get -f install` (installs exactly
# what the package declares), then, as a user would: build the packaged
# xdp_counter example with CMake, run its ctest suite (BPF tests in the
# host's kernel: a chroot shares it) and its loader, and check the CLI, the
# man pages and the completion.
#
# Cached under BPFKIT_CACHE_DIR (default /var/cache/bpfkit), so reruns are
# fast: the debootstrapped root, apt's downloaded packages, and the root
# with the package's dependencies installed, keyed by the package's
# Depends and Recommends fields (a package with other dependencies starts
# again from the bare root). Exit status 77 (skipped) without root,
# debootstrap or unshare.
set -euo pipefail
[[ $# == 2 ]] || { echo "usage: clean_root.sh DEB WORK_DIR" >&2; exit 2; }
deb=$(realpath "$1") work=$2
cache=${BPFKIT_CACHE_DIR:-/var/cache/bpfkit}
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) == 0 ]] || skip "needs root (debootstrap, chroot, mounts)"
command -v debootstrap > /dev/null || skip "debootstrap is not installed (apt-get install debootstrap; ci/install-deps.sh does)"
command -v unshare > /dev/null || skip "unshare (util-linux) is not installed"
[[ -f $deb ]] || { echo "FAIL: $deb does not exist"; exit 1; }

mkdir -p "$cache/apt-archives/partial"
# One run at a time per cache: apt's archive directory is shared.
exec 9> "$cache/.lock"
flock 9

# The Debian suites this machine installs from.
sources=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' |
  grep -E ' bookworm(-updates|-security)? main$' | sort -u)
mirror=$(awk '$2 == "bookworm" { print $1; exit }' <<<"$sources")
[[ -n $mirror ]] || { echo "FAIL: apt knows no Debian bookworm mirror (apt-get update?)"; exit 1; }

base=$cache/debian-12-minbase.tar
if [[ ! -f $base ]]; then
  echo "== debootstrap --variant=minbase bookworm from $mirror (once; cached in $base)"
  tmp=$(mktemp -d "$cache/debootstrap.XXXXXX")
  if ! debootstrap --variant=minbase bookworm "$tmp" "$mirror" > "$cache/debootstrap.log" 2>&1; then
    tail -n 30 "$cache/debootstrap.log"
    rm -rf "$tmp"
    echo "FAIL: debootstrap failed (log: $cache/debootstrap.log)"
    exit 1
  fi
  tar -C "$tmp" -cf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf "$tmp"
fi

key=$(dpkg-deb -f "$deb" Depends Recommends | sha256sum | cut -c1-16)
with_deps=$cache/debian-12-bpfkit-deps-$key.tar
root=$work/root
rm -rf "$work"
mkdir -p "$root"
if [[ -f $with_deps ]]; then
  echo "== root with the dependencies already installed ($with_deps)"
  tar -C "$root" -xf "$with_deps"
  save_deps=0
else
  echo "== bare root ($base)"
  tar -C "$root" -xf "$base"
  save_deps=1
fi
while read -r uri release component; do
  echo "deb $uri $release $component"
done <<<"$sources" > "$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/bpfkit.deb"

cat > "$root/tmp/inside.sh" <<'INSIDE'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
# apt's archive directory is the host's cache, which apt's sandbox user
# cannot write: download as root.
echo 'APT::Sandbox::User "root";' > /etc/apt/apt.conf.d/90bpfkit-test-cache
step() { echo "== $*"; }
step "apt-get update"
apt-get update -qq
step "dpkg -i bpfkit.deb"
dpkg -i /tmp/bpfkit.deb || echo "(dpkg -i reported missing dependencies: apt-get -f install resolves them)"
step "apt-get -f install"
apt-get -f install -y -qq -o Dpkg::Use-Pty=0 > /tmp/apt.log 2>&1 || { tail -n 40 /tmp/apt.log; exit 1; }
dpkg-query -W -f='${Status} ${Version}\n' bpfkit
dpkg-query -W -f='${Status}' bpfkit | grep -q 'install ok installed'

step "the CLI, its man pages and completion"
command -v bpfkit
bpfkit --help > /dev/null
for command in $(bpfkit --help | awk '/^[Cc]ommands:/ { c = 1; next } c && /^$/ { exit } c { print $1 }'); do
  test -f "/usr/share/man/man1/bpfkit-$command.1.gz"
done
test -f /usr/share/bash-completion/completions/bpfkit
bpfkit doctor || true

step "build the packaged example"
cp -r /usr/share/doc/bpfkit/examples/xdp_counter /tmp/xdp_counter
cmake -S /tmp/xdp_counter -B /tmp/xdp_counter/build -G Ninja
cmake --build /tmp/xdp_counter/build
step "ctest of the example"
ctest --test-dir /tmp/xdp_counter/build --output-on-failure
step "the example's loader"
/tmp/xdp_counter/build/xdp_counter_loader --packets 5
INSIDE

echo "== chroot $root"
status=0
unshare --mount --propagation private -- bash -c '
  set -e
  root=$1 archives=$2
  mount --rbind /dev "$root/dev"
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount -t bpf bpf "$root/sys/fs/bpf"
  mount --bind "$archives" "$root/var/cache/apt/archives"
  exec chroot "$root" /bin/bash /tmp/inside.sh
' clean_root "$root" "$cache/apt-archives" || status=$?
if ((status != 0)); then
  echo "FAIL: bpfkit's package did not install or work in a clean Debian 12 root (status $status; root kept in $root)"
  exit 1
fi

if ((save_deps)); then
  # The root as apt left it, without bpfkit itself: the next run with the
  # same dependencies starts from here.
  chroot "$root" dpkg --purge bpfkit > /dev/null
  rm -f "$root/etc/apt/apt.conf.d/90bpfkit-test-cache"
  rm -rf "$root/tmp/"*
  tar -C "$root" -cf "$with_deps.tmp" . && mv "$with_deps.tmp" "$with_deps"
  # Roots for dependencies the package no longer has only take space.
  find "$cache" -maxdepth 1 -name 'debian-12-bpfkit-deps-*.tar' ! -path "$with_deps" -delete
  echo "(cached the root with the dependencies: $with_deps)"
fi
rm -rf "$work"
echo "ok: $deb installs and works on a clean Debian 12 root"
