#!/usr/bin/env bash
# Installs everything bpfkit needs to build and test on Debian 12, as root.
# Idempotent: packages already present are not fetched again, and the package
# lists are only refreshed when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config   # host toolchain
  clang llvm llvm-dev                            # BPF compiler; libLLVM for the disassembler
  libbpf-dev libelf-dev zlib1g-dev               # libbpf and what it links
  liblzma-dev                                    # bpfkit-vmlinux: xz kernel images and .debs
  libclang-rt-14-dev                             # libFuzzer, ASan, UBSan (tests/fuzz, BPFKIT_SANITIZE)
  bpftool                                        # companion checks in tests
  libgtest-dev googletest                        # unit tests
  binutils iproute2 python3 util-linux           # readelf, ip/veth, setpriv
  qemu-system-x86 busybox-static                 # the kernel matrix: other kernels under QEMU
  clang-19                                       # the kernel matrix: objects of a second clang
  help2man dpkg-dev                              # man pages from --help; cpack -G DEB (dpkg-shlibdeps)
  debootstrap python3-yaml                       # packaging.*: a clean Debian root; docs.ci_templates
  clang-16 clangd clang-tidy                     # cmake.clang.*, cmake.ide: every clang, IDE tools
  ccache sccache distcc                          # cmake.compiler_cache.*: launchers of BPF compiles
  libclang-19-dev llvm-19-dev                    # bpfkit-check: C++ BPF sources (clang's C++ API, libLLVM)
  lcov chromium                                  # bpf_coverage's genhtml; bpf_report checked in a browser
  libbenchmark-dev time                          # bench/run: typed map ops (Google Benchmark), peak memory
  strace                                         # security.*: faults and signals injected into bpfkit load/attach
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "ci/install-deps.sh: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "ci/install-deps.sh: error: run as root to install packages (missing: ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "ci/install-deps.sh: all dependencies are installed"
fi
