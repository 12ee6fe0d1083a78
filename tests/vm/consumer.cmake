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
# clang, the report naming kernel, release and compiler; loops.sum_rounds
# (MIN_KERNEL 6.6, REQUIRES helper:bpf_loop) passes where the kernel is 6.6
# or newer and reports skipped, with the reasons, elsewhere; counter.budgets
# keeps one verifier budget per kernel series, checked in each kernel, and
# its _update target writes those the matrix recorded in the guests.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")

# What loops.sum_rounds does on <kernel> (host, a series or an exact Debian
# kernel): "passed", or "skipped" with a regex of its reasons.
function(loops_expectation kernel status_var reason_var)
  if(kernel STREQUAL "host")
    execute_process(COMMAND uname -r OUTPUT_VARIABLE kernel OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" version "${kernel}")
  if(version VERSION_GREATER_EQUAL 6.6)
    set(${status_var} passed PARENT_SCOPE)
    set(${reason_var} "" PARENT_SCOPE)
    return()
  endif()
  string(REPLACE "." "\\." v "${version}")
  set(reason "needs kernel 6\\.6 or newer; this is ${v}[^ ;]*")
  if(version VERSION_LESS 5.17)  # bpf_loop came with 5.17
    string(APPEND reason "; and needs helper bpf_loop, which kernel ${v}[^ ]* lacks")
  endif()
  set(${status_var} skipped PARENT_SCOPE)
  set(${reason_var} "${reason}" PARENT_SCOPE)
endfunction()
consumer_reset()
set(bin "${WORK_DIR}/build")
set(budgets "${WORK_DIR}/budgets")
set(args "-DBPFKIT_VIA=${VIA}" "-DBPFKIT_SOURCE_DIR=${BPFKIT_SOURCE_DIR}"
  "-DBPFKIT_TEST_KERNELS=${KERNELS}" "-DCOUNTER_BUDGETS=${budgets}")
string(REPLACE "," ";" KERNELS "${KERNELS}")

# counter.budgets: a generous budget for each kernel's series (the check
# passes, the program "shrank"), replaced by the measured counts after the
# matrix ran.
function(series_of kernel out_var)
  if(kernel STREQUAL "host")
    execute_process(COMMAND uname -r OUTPUT_VARIABLE kernel OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
  string(REGEX MATCH "^[0-9]+\\.[0-9]+" series "${kernel}")
  set(${out_var} "${series}" PARENT_SCOPE)
endfunction()
foreach(kernel IN LISTS KERNELS)
  series_of(${kernel} series)
  file(WRITE "${budgets}/${series}.csv" "object,program,verified_insns\ncounter,count_packets,100000\n")
endforeach()
execute_process(COMMAND sleep 1.1)  # the matrix's records are newer than these files
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
loops_expectation(host loops_status loops_reason)
if(loops_status STREQUAL "passed")
  expect_match("${out}" "loops\\.sum_rounds [.]* +Passed" "the plain ctest")
else()
  expect_match("${out}" "loops\\.sum_rounds [.]*\\*\\*\\*Skipped" "the plain ctest")
endif()
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
foreach(kernel IN LISTS KERNELS)
  string(REPLACE "." "\\." k "${kernel}")
  # 4 counter tests, counter.budgets, loops.sum_rounds, bpfkit.setup and
  # bpfkit.cleanup per tree.
  # counter.budgets skips where the kernel counts no verified instructions
  # (before 5.16).
  loops_expectation(${kernel} loops_status loops_reason)
  series_of(${kernel} series)
  set(per_tree_skipped 0)
  if(NOT loops_status STREQUAL "passed")
    math(EXPR per_tree_skipped "${per_tree_skipped} + 1")
  endif()
  if(series VERSION_LESS 5.16)
    math(EXPR per_tree_skipped "${per_tree_skipped} + 1")
  endif()
  # (Not named passed/skipped: this script runs without CMP0054, so a quoted
  # "passed" would read such a variable.)
  math(EXPR passed_count "(8 - ${per_tree_skipped}) * ${tree_count}")
  math(EXPR skipped_count "${per_tree_skipped} * ${tree_count}")
  expect_match("${out}" "kernel-matrix:   ${k} \\([^)]+\\): passed=${passed_count} failed=0 skipped=${skipped_count}; boot [0-9.]+s"
    "the summary of kernel ${kernel}")
  foreach(tree IN LISTS trees)
    expect_match("${out}" "--- ${k} / ${tree}: 8 tests ---\n(kernel-matrix: [^\n]*\n)*kernel-matrix:   counter\\.counts_udp +passed"
      "kernel ${kernel}, tree ${tree}")
    if(loops_status STREQUAL "passed")
      set(loops_line "loops\\.sum_rounds +passed")
    else()
      set(loops_line "loops\\.sum_rounds +skipped +[0-9.]+s +\\(${loops_reason}")
    endif()
    expect_match("${out}" "--- ${k} / ${tree}: 8 tests ---\n(kernel-matrix: [^\n]*\n)*kernel-matrix:   ${loops_line}"
      "kernel ${kernel}, tree ${tree}")
  endforeach()
  if(NOT EXISTS "${bin}/vm-results/${kernel}/junit.xml")
    message(FATAL_ERROR "no JUnit file for kernel ${kernel}")
  endif()
endforeach()
expect_match("${out}" "full run: [0-9.]+s for 1 kernel" "the matrix's report")

# The budgets: the host's measured, the other kernels' as the matrix recorded
# them in each guest.
consumer_run(out rc "${CMAKE_COMMAND}" --build "${bin}" --target counter.budgets_update)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "counter.budgets_update failed (${rc})")
endif()
series_of(host host_series)
foreach(kernel IN LISTS KERNELS)
  series_of(${kernel} series)
  string(REPLACE "." "\\." s "${series}")
  if(series VERSION_LESS 5.16)
    # Nothing measured there: the file is left as it was.
    expect_no_match("${out}" "kernel ${s}:" "the budget of kernel ${kernel}, which counts no instructions")
    continue()
  elseif(series STREQUAL host_series)
    expect_match("${out}" "counter\\.budgets: updated ${budgets}/${s}\\.csv \\(1 program\\)" "the host's budget")
  else()
    expect_match("${out}" "counter\\.budgets: kernel ${s}: updated ${budgets}/${s}\\.csv from the kernel matrix's run \\(1 program\\)"
      "the budget of kernel ${kernel}")
  endif()
  file(READ "${budgets}/${series}.csv" budget)
  expect_match("${budget}" "^object,program,verified_insns\ncounter,count_packets,[1-9][0-9]?[0-9]?[0-9]?\n$"
    "the measured budget of kernel ${kernel}")
endforeach()

# bpf_report: the programs' verifier cost on every kernel the matrix ran
# (issue 16), from the result files the guests wrote into vm-results/.
consumer_run(out rc "${CMAKE_COMMAND}" --build "${bin}" --target bpf_report)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bpf_report failed (${rc})")
endif()
list(LENGTH KERNELS kernel_count)
expect_match("${out}" "bpf_report: 2 programs, [0-9]+ tests on ${kernel_count} kernels?:" "bpf_report after the matrix")
file(READ "${bin}/bpf-report.html" report)
foreach(kernel IN LISTS KERNELS)
  if(kernel STREQUAL "host")
    continue()
  endif()
  string(REPLACE "." "\\." k "${kernel}")
  expect_match("${report}" "[^0-9.]${k}\\.[0-9]+[-+][0-9a-z.+~-]*amd64" "bpf-report.html names kernel ${kernel}")
endforeach()
