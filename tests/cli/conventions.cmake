# cli.conventions.*: --version of bpfkit and of every installed tool,
# bpfkit-kernel-matrix included (the project version, one source), full help
# for every command and subcommand, colours on a terminal only
# (conventions_test.sh documents each case).
# Included by CMakeLists.txt; no privileges needed.
set(_bpfkit_tools bpfkit-link bpfkit-skel bpfkit-vmlinux bpfkit-cc bpfkit-test bpfkit-baseline bpfkit-coverage)
set(_bpfkit_tool_files "")
foreach(tool IN LISTS _bpfkit_tools)
  list(APPEND _bpfkit_tool_files "$<TARGET_FILE:${tool}>")
endforeach()
set(_script "${CMAKE_CURRENT_SOURCE_DIR}/conventions_test.sh")
add_test(NAME cli.conventions.versions COMMAND "${_script}" versions "${bpfkit_VERSION}" ${_bpfkit_tool_files}
  "${PROJECT_SOURCE_DIR}/ci/vm/bpfkit-kernel-matrix")
add_test(NAME cli.conventions.help COMMAND "${_script}" help)
add_test(NAME cli.conventions.colors COMMAND "${_script}" colors)
set_tests_properties(cli.conventions.versions cli.conventions.help cli.conventions.colors PROPERTIES
  ENVIRONMENT "BPFKIT=$<TARGET_FILE:bpfkit_cli>" SKIP_RETURN_CODE 77 TIMEOUT 600 LABELS cli)  # help: ~60 runs of bpfkit

cli_test(usage.version EXIT 0 ARGS --version EXPECT "^bpfkit ${bpfkit_VERSION}\n$")
cli_test(usage.map_dump_help EXIT 0 ARGS map dump --help
  EXPECT "^usage: bpfkit map dump PINNED\\|id:N \\[--json\\]\n" "\nOptions:\n  --json " "\nExamples:\n"
         "\nExit status:\n  0  printed\n")
cli_test(usage.help_command EXIT 0 ARGS help list
  EXPECT "^usage: bpfkit list \\[progs\\|maps\\|links\\] \\[id:N\\]\\.\\.\\. \\[--pinned PATH\\] \\[--json\\]\n")
cli_test(usage.list_bad_kind EXIT 2 ARGS list things
  EXPECT "bpfkit list: error: unexpected argument 'things': list takes progs, maps or links, then id:N filters")
