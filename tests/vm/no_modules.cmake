# vm.kernel.no_modules: Debian's 6.1 image booted with none of its modules
# (a "kernel of your own" directory holding only vmlinuz). The guest's /init
# finds no 9p file system and says so; the run fails naming the kernel.
# Variables: RUNNER, BUILD_DIR (a configured tree), WORK_DIR.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/kernel")
execute_process(COMMAND "${RUNNER}" --fetch-only --kernel 6.1
  OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out MATCHES "kernel 6\\.1 \\(([^)]+)\\): ([^ ]+/vmlinuz) ")
  message(FATAL_ERROR "cannot fetch Debian's 6.1 (exit ${rc}):\n${out}")
endif()
set(release "${CMAKE_MATCH_1}")
file(COPY_FILE "${CMAKE_MATCH_2}" "${WORK_DIR}/kernel/vmlinuz")
execute_process(COMMAND "${RUNNER}" --kernel "nomodules=${WORK_DIR}/kernel" --build "${BUILD_DIR}"
    --results "${WORK_DIR}/results" --timeout 600 -R "^requirements\\."
  OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
message("${out}")
if(rc EQUAL 77)
  message("bpfkit-vm-skip: the runner cannot boot kernels here")
  return()
elseif(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected exit status 1, got ${rc}")
endif()
string(REPLACE "." "\\." release "${release}")
set(expected "error: kernel nomodules \\(${release}\\): kernel ${release} has no 9p file system: the initramfs lacks its module")
if(NOT out MATCHES "${expected}")
  message(FATAL_ERROR "expected the output to match '${expected}'")
endif()
