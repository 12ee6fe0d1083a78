# examples/cpp_flow_counter as a consumer project of the installed bpfkit,
# compiled by one clang (BPF_CLANG): configure, build, and run its tests
# (the BPF ones are skipped, not failed, without privileges).
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
if(NOT EXISTS "${BPF_CLANG}")
  message("bpfkit-test-skip: ${BPF_CLANG} is not installed (apt-get install clang-<N>)")
  return()
endif()
consumer_reset()
set(bin "${WORK_DIR}/build")
consumer_configure("${EXAMPLE_DIR}" "${bin}" ARGS -DBUILD_TESTING=ON)
consumer_build("${bin}" OUTPUT out)
# Every BPF compile used the clang asked for.
file(READ "${bin}/compile_commands.json" commands)
string(REGEX MATCHALL "\"command\": \"[^\"]*flow_counter\\.bpf\\.cpp[^\"]*\"" bpf "${commands}")
expect_match("${bpf}" "${BPF_CLANG} " "the C++ BPF compile command")
consumer_run(out rc "${CMAKE_CTEST_COMMAND}" --test-dir "${bin}" --output-on-failure)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the example's tests failed with ${BPF_CLANG}:\n${out}")
endif()
expect_match("${out}" "100% tests passed" "the example's tests with ${BPF_CLANG}")
