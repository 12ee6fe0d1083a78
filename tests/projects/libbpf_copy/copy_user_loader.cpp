// Host code built against the same libbpf as the BPF side.
#include <bpf/libbpf.h>

#include <cstdio>

#include "copy_user.skel.hpp"

#ifndef BPFKIT_TEST_LIBBPF_COPY
#error "compiled against the system's libbpf headers, not the copy the project chose"
#endif

int main() {
  std::printf("libbpf %u.%u\n", libbpf_major_version(), libbpf_minor_version());
  return 0;
}
