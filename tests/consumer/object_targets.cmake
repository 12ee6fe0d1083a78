# The per-object targets <name>_verify and <name>_stats and the project-wide
# bpf_verify and bpf_stats run the CLI on the built objects.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT uid STREQUAL "0")
  message("bpfkit-test-skip: needs root to load BPF programs")
  return()
endif()
consumer_reset()
consumer_copy(rebuild src)
set(bin "${WORK_DIR}/build")
consumer_configure("${src}" "${bin}")

consumer_build("${bin}" ARGS --target with_header_verify OUTPUT out)
expect_match("${out}" "prog_uses_header \\(xdp\\): accepted, [0-9]+ instructions verified" "with_header_verify")
consumer_build("${bin}" ARGS --target with_header_stats OUTPUT out)
expect_match("${out}" "with_header\\.bpf\\.o +prog_uses_header +success" "with_header_stats")

consumer_build("${bin}" ARGS --target bpf_verify OUTPUT out)
foreach(program uses_header plain uses_include_dir)
  expect_match("${out}" "prog_${program} \\(xdp\\): accepted" "bpf_verify")
endforeach()
consumer_build("${bin}" ARGS --target bpf_stats OUTPUT out)
foreach(object with_header without_header via_include_dir)
  expect_match("${out}" "${object}\\.bpf\\.o +prog_" "bpf_stats")
endforeach()

# A rejected program fails its _verify target with the source line.
file(WRITE "${src}/plain.bpf.c" [=[
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("xdp")
int prog_plain(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  return data[40];
}
char LICENSE[] SEC("license") = "GPL";
]=])
consumer_build("${bin}" ARGS --target without_header_verify EXPECT_FAILURE OUTPUT out)
expect_match("${out}" "plain\\.bpf\\.c:6: error: program 'prog_plain' \\(xdp\\) rejected by the verifier: invalid access to packet"
  "without_header_verify on a rejected program")
