#!/usr/bin/env bash
# packaging.deb: `cpack -G DEB` on bpfkit's build tree, then what is in the
# package: its control fields (Depends from dpkg-shlibdeps plus what
# consumers need), the install layout (only bpfkit in /usr/bin, the tools in
# /usr/libexec/bpfkit, a man page per command, bash completion, the CMake
# package, docs and examples), and that the packaged tree works where it is
# unpacked: a project configured against it builds its BPF object and
# skeleton with the packaged tools, and links its loader against the packaged
# runtime, whose static libraries carry no debug information.
#
#   deb_package.sh BUILD_DIR SOURCE_DIR WORK_DIR
#
# Leaves WORK_DIR/bpfkit_<version>_<arch>.deb for packaging.deb.clean_root.
set -euo pipefail
build=$(realpath "$1") source=$(realpath "$2") work=$3
rm -rf "$work"
mkdir -p "$work"
work=$(realpath "$work")
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

echo "== cpack -G DEB"
(cd "$work" && cpack -G DEB -B "$work" --config "$build/CPackConfig.cmake") > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; echo "FAIL: cpack -G DEB failed"; exit 1; }
debs=("$work"/bpfkit_*.deb)
[[ -f ${debs[0]} && ${#debs[@]} == 1 ]] || { cat "$work/cpack.log"; echo "FAIL: no single bpfkit_*.deb in $work"; exit 1; }
deb=${debs[0]}
echo "$deb"

echo "== control fields"
dpkg-deb -I "$deb" | sed -n '/Package:/,$p'
depends=$(dpkg-deb -f "$deb" Depends)
# The package names in Depends, alternatives included, one per line.
names=$(tr ',|' '\n\n' <<<"$depends" | sed -e 's/^ *//' -e 's/[ (].*//')
# From dpkg-shlibdeps: the libraries the binaries link (the CLI's libLLVM),
# then what a consumer project needs to build.
for package in libc6 libstdc++6 libbpf1 libelf1 libllvm14 \
               cmake ninja-build g++ clang libbpf-dev libelf-dev pkg-config libgtest-dev libgmock-dev; do
  grep -qxF "$package" <<<"$names" || fail "Depends lacks $package (found: $depends)"
done
[[ $(dpkg-deb -f "$deb" Package) == bpfkit ]] || fail "Package is not bpfkit"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "Version is not $version"

echo "== contents"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' | sort > "$work/contents"
has() { grep -qxF "$1" "$work/contents" || fail "the package lacks $1"; }
bin=$(grep -E '^/usr/bin/[^/]+$' "$work/contents" || true)
[[ $bin == /usr/bin/bpfkit ]] || fail "/usr/bin must hold bpfkit alone, holds: $(echo $bin)"
for tool in link cc vmlinux skel test baseline; do
  has "/usr/libexec/bpfkit/bpfkit-$tool"
done
has /usr/lib/cmake/bpfkit/bpfkitConfig.cmake
has /usr/lib/cmake/bpfkit/BpfToolchain.cmake
has /usr/share/bash-completion/completions/bpfkit
has /usr/share/doc/bpfkit/tutorial.md
has /usr/share/doc/bpfkit/ci/github-actions.yml
has /usr/share/doc/bpfkit/examples/xdp_counter/CMakeLists.txt
has /usr/share/man/man1/bpfkit.1.gz
commands=$("$build/bin/bpfkit" --help | awk '/^[Cc]ommands:/ { c = 1; next } c && /^$/ { exit } c { print $1 }')
[[ -n $commands ]] || fail "bpfkit --help lists no commands"
for command in $commands; do
  has "/usr/share/man/man1/bpfkit-$command.1.gz"
done
# The kernel-matrix runner, once the tree has it: the CI templates call it
# at this path (docs/ci.md).
if [[ -e $source/ci/vm/bpfkit-kernel-matrix ]]; then
  has /usr/libexec/bpfkit/vm/bpfkit-kernel-matrix
else
  echo "(ci/vm/bpfkit-kernel-matrix is not in this tree: its install is not checked)"
fi

echo "== the unpacked package builds a BPF object with its own tools"
dpkg-deb -x "$deb" "$work/root"
# Static libraries as dh_strip leaves them: debug information is most of
# their bytes and of every consumer's link time.
for archive in "$work"/root/usr/lib/libbpfkit*.a; do
  [[ $(readelf -S --wide "$archive" | grep -c ' \.debug_info ' || true) == 0 ]] ||
    fail "${archive#"$work/root"} carries debug information"
done
prefix=$work/root/usr
"$prefix/bin/bpfkit" init "$work/project" --name packaged > /dev/null
cmake -S "$work/project" -B "$work/project/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configuring against the package failed"; }
cmake --build "$work/project/build" --target packaged_bpf packaged_skel packaged_loader --verbose \
  > "$work/build.log" 2>&1 ||
  { cat "$work/build.log"; fail "building the BPF object and its loader against the package failed"; }
grep -q "$prefix/libexec/bpfkit/bpfkit-link" "$work/build.log" ||
  fail "the build did not link with the packaged bpfkit-link: $(grep -m1 bpfkit-link "$work/build.log")"
[[ -f $work/project/build/packaged.bpf.o ]] || fail "no packaged.bpf.o after the build"
[[ -n $(find "$work/project/build" -name packaged.skel.hpp) ]] || fail "no packaged.skel.hpp after the build"
[[ -x $work/project/build/packaged_loader ]] || fail "no packaged_loader after the build"

if ((failures)); then
  echo "$failures problem(s) with $deb"
  exit 1
fi
echo "ok: $deb"
