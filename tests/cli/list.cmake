# cli.list.*: `bpfkit list` and id:N references (list_test.sh CASE), each
# against bpftool and the kernel, with a private pin directory and, for
# attach points, a private network namespace. Included by CMakeLists.txt;
# uses the cli_state object of tests/cli_state.
find_package(Python3 COMPONENTS Interpreter)
find_program(BPFKIT_TEST_BPFTOOL bpftool PATHS /usr/sbin /sbin)
foreach(case loaded_pinned attached_netns id_references)
  add_test(NAME cli.list.${case} COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/list_test.sh" ${case})
  set_tests_properties(cli.list.${case} PROPERTIES
    ENVIRONMENT "BPFKIT=$<TARGET_FILE:bpfkit_cli>;OBJ=$<TARGET_FILE:cli_state_bpf>;PYTHON=${Python3_EXECUTABLE};BPFTOOL=${BPFKIT_TEST_BPFTOOL}"
    SKIP_RETURN_CODE 77
    TIMEOUT 600  # dozens of short commands; minutes on a machine shared with parallel builds
    LABELS "cli;bpf")
endforeach()
