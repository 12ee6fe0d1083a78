# CMAKE_BPF_COMPILER_LAUNCHER wraps every BPF compile (as ccache would).
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")
set(log "${WORK_DIR}/launcher.log")
# A launcher of two words (like `ccache --opt`): the log path is its argument.
consumer_configure("${PROJECTS_DIR}/multi" "${bin}" ARGS
  "-DCMAKE_BPF_COMPILER_LAUNCHER=${CMAKE_CURRENT_LIST_DIR}/../cmake/log_launcher.sh\\;${log}")
consumer_build("${bin}")
file(READ "${log}" launched)
expect_match("${launched}" "clang[^\n]*-target bpf[^\n]*shared\\.bpf\\.c" "launcher log")
expect_match("${launched}" "clang[^\n]*-target bpf[^\n]*prog\\.bpf\\.c" "launcher log")
