# The packet-counter project (tests/vm/project) with bpf_add_kernel_matrix,
# as a user runs it (the variables of tests/cmake/ConsumerTest.cmake, plus):
#
#   VIA        package | subdirectory | fetchcontent: how bpfkit comes in
#   KERNELS    the kernels (BPFKIT_TEST_KERNELS), e.g. "host,5.10,6.1,6.12"
#   ALSO_WITH  a second clang whose objects run in the same boots (optional)
#
# Checks: ctest -N lists vm.<kernel> per kernel; a plain ctest runs the BPF
# tests on the host and reports the vm tests skipped, with the hint; `ctest -L
# vm` boots each kernel once and every counter test passes in each, for each
# clang, the report naming kernel, release and compiler.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")
set(args "-DBPFKIT_VIA=${VIA}" "-DBPFKIT_SOURCE_DIR=${BPFKIT_SOURCE_DIR}"
  "-DBPFKIT_TEST_KERNELS=${KERNELS}")
string(REPLACE "," ";" KERNELS "${KERNELS}")
if(ALSO_WITH)
  list(APPEND args "-DCOUNTER_ALSO_WITH=${ALSO_WITH}")
endif()
consumer_configure("${CMAKE_CURRENT_LIST_DIR}/project" "${bin}" ARGS ${args})
consumer_build("${bin}")

consumer_run(listed rc "${CMAKE_CTEST_COMMAND}" --test-dir "${bin}" -N -L vm)
foreach(kernel IN LISTS KERNELS)
  expect_match("${listed}" "vm\\.${kernel}\n" "ctest -N -L vm")
endforeach()

# A plain ctest: the host's BPF tests, the matrix skipped with the hint.
consumer_run(out rc env -u BPFKIT_VM "${CMAKE_CTEST_COMMAND}" --test-dir "${bin}" --output-on-failure)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the plain ctest failed (${rc}):\n${out}")
endif()
expect_match("${out}" "counter\\.counts_udp [.]* +Passed" "the plain ctest")
foreach(kernel IN LISTS KERNELS)
  expect_match("${out}" "vm\\.${kernel} [.]*\\*\\*\\*Skipped" "the plain ctest")
endforeach()
# -E only excludes: the matrix is still not asked for, and says so.
consumer_run(out rc env -u BPFKIT_VM "${CMAKE_CTEST_COMMAND}" --test-dir "${bin}" -V -E "^counter\\.")
expect_match("${out}" "SKIP: the kernel matrix boots kernels under QEMU and runs when asked: `ctest -L vm`"
  "ctest -E, verbose")

# The matrix.
consumer_run(out rc env -u BPFKIT_VM "${CMAKE_CTEST_COMMAND}" --test-dir "${bin}" -L vm -V)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctest -L vm failed (${rc}): see the output above")
endif()
string(REGEX REPLACE "\n[0-9]+: " "\n" out "${out}")  # ctest -V's test-number prefixes
set(trees "")
get_filename_component(main_tree "${BPF_CLANG}" NAME)
list(APPEND trees "${main_tree}")
if(ALSO_WITH)
  get_filename_component(other_tree "${ALSO_WITH}" NAME)
  list(APPEND trees "${other_tree}")
  expect_match("${out}" "tree ${other_tree}: [^\n]*/vm-builds/${other_tree}, BPF objects built by ${ALSO_WITH} \\(clang [0-9]"
    "the matrix's report")
endif()
expect_match("${out}" "tree ${main_tree}: ${bin}, BPF objects built by ${BPF_CLANG} \\(clang [0-9]" "the matrix's report")
list(LENGTH trees tree_count)
math(EXPR per_kernel "6 * ${tree_count}")  # 4 counter tests, bpfkit.setup and bpfkit.cleanup
foreach(kernel IN LISTS KERNELS)
  string(REPLACE "." "\\." k "${kernel}")
  expect_match("${out}" "kernel-matrix:   ${k} \\([^)]+\\): passed=${per_kernel} failed=0 skipped=0; boot [0-9.]+s"
    "the summary of kernel ${kernel}")
  foreach(tree IN LISTS trees)
    expect_match("${out}" "--- ${k} / ${tree}: 6 tests ---\n(kernel-matrix: [^\n]*\n)*kernel-matrix:   counter\\.counts_udp +passed"
      "kernel ${kernel}, tree ${tree}")
  endforeach()
  if(NOT EXISTS "${bin}/vm-results/${kernel}/junit.xml")
    message(FATAL_ERROR "no JUnit file for kernel ${kernel}")
  endif()
endforeach()
expect_match("${out}" "full run: [0-9.]+s for 1 kernel" "the matrix's report")
