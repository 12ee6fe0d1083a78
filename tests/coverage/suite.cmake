# coverage.suite: what issue 16's "done when" asks, in a consumer project of
# the installed bpfkit (tests/coverage/suite): configure with
# -DBPFKIT_COVERAGE=ON, run ctest, build bpf_coverage and bpf_report, and
# check the two pages and every file the tests wrote on the way: each test
# mode's tracefile and result file, exact line counts (REPEAT n) merged over
# several tests, the program the verifier rejects once instrumented running
# plain with the reason, bpf_printk lines under failures (with another test
# printing at the same time), and `bpfkit run --coverage`.
cmake_minimum_required(VERSION 3.20)  # policies of this CMake (while(TRUE), ...)
include("${BPFKIT_SOURCE_DIR}/tests/cmake/ConsumerTest.cmake")
consumer_reset()
set(source "${BPFKIT_SOURCE_DIR}/tests/coverage/suite")
set(bin "${WORK_DIR}/build")
set(bpfkit "${BPFKIT_PREFIX}/bin/bpfkit")

# Line numbers by COVER(<name>) markers.
function(cover_lines file prefix)
  file(STRINGS "${file}" lines)
  set(number 0)
  foreach(text IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(text MATCHES "COVER\\(([a-z_]+)\\)")
      set(${prefix}_${CMAKE_MATCH_1} ${number} PARENT_SCOPE)
    endif()
  endforeach()
endfunction()
set(paths_source "${BPFKIT_SOURCE_DIR}/tests/coverage/bpf/coverage_paths.bpf.c")
set(annotated_source "${source}/annotated.bpf.c")
cover_lines("${paths_source}" paths)
cover_lines("${annotated_source}" annotated)

# The count of <line> of <source> in the tracefile <info>, summed over its
# records (a merged tracefile keeps one record per test name).
function(expect_count info source line expected what)
  file(READ "${info}" text)
  set(total "")
  while(TRUE)
    string(FIND "${text}" "SF:${source}\n" at)
    if(at EQUAL -1)
      break()
    endif()
    string(SUBSTRING "${text}" ${at} -1 text)
    string(FIND "${text}" "end_of_record" end)
    string(SUBSTRING "${text}" 0 ${end} record)
    string(SUBSTRING "${text}" ${end} -1 text)
    if(record MATCHES "\nDA:${line},([0-9]+)\n")
      if(total STREQUAL "")
        set(total 0)
      endif()
      math(EXPR total "${total} + ${CMAKE_MATCH_1}")
    endif()
  endwhile()
  if(total STREQUAL "")
    message(FATAL_ERROR "${what}: ${info} has no count for line ${line} of ${source}:\n${text}")
  endif()
  if(NOT total EQUAL expected)
    message(FATAL_ERROR "${what}: line ${line} of ${source} ran ${total} times, expected ${expected}")
  endif()
endfunction()

# What ctest recorded of one test's output (Testing/Temporary/LastTest.log).
function(test_output test out_var)
  file(READ "${bin}/Testing/Temporary/LastTest.log" log)
  string(FIND "${log}" " Testing: ${test}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "ctest's log has no test ${test}")
  endif()
  string(SUBSTRING "${log}" ${at} -1 section)
  string(FIND "${section}" "<end of output>" end)
  string(SUBSTRING "${section}" 0 ${end} section)
  set(${out_var} "${section}" PARENT_SCOPE)
endfunction()

consumer_configure("${source}" "${bin}" ARGS -DBPFKIT_COVERAGE=ON)
consumer_build("${bin}")

# --- ctest --------------------------------------------------------------------
consumer_run(out rc ctest --test-dir "${bin}" -LE expected_failure -j2 --output-on-failure --timeout 600)
if(out MATCHES "bpfkit\\.setup[^\n]*Not Run|Skipped")
  if(out MATCHES "cannot load BPF|lacks the privilege|CAP_BPF")
    message("SKIPPED: the BPF tests need the privilege to load BPF:\n${out}")
    return()
  endif()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the suite's tests failed (exit ${rc}):\n${out}")
endif()

# Each test mode wrote its tracefile with its own counts.
set(cov "${bin}/bpfkit-coverage")
expect_count("${cov}/paths_long.info" "${paths_source}" ${paths_always} 3 "declarative, REPEAT 3")
expect_count("${cov}/paths_long.info" "${paths_source}" ${paths_long_packet} 3 "the branch it took")
expect_count("${cov}/paths_long.info" "${paths_source}" ${paths_short_packet} 0 "the branch it did not take")
expect_count("${cov}/paths_short.info" "${paths_source}" ${paths_short_packet} 2 "declarative, REPEAT 2")
expect_count("${cov}/paths_short.info" "${paths_source}" ${paths_long_packet} 0 "the branch it did not take")
expect_count("${cov}/annotated_by_protocol.info" "${annotated_source}" ${annotated_tcp} 4 "annotated, REPEAT 4")
expect_count("${cov}/annotated_by_protocol.info" "${annotated_source}" ${annotated_udp} 0 "annotated, not taken")
set(gtest_info "${cov}/gtest_paths_test_a_huge_frame_takes_the_long_branch.info")
expect_count("${gtest_info}" "${paths_source}" ${paths_huge_packet} 1 "GoogleTest")
file(READ "${gtest_info}" text)
expect_match("${text}" "^TN:gtest_paths_test_a_huge_frame_takes_the_long_branch\n" "the test's name in the tracefile")

# Result files: plain verifier figures, the instrumented ones beside them.
file(READ "${bin}/bpfkit-results/paths_short.json" result)
string(JSON outcome GET "${result}" outcome)
string(JSON kernel GET "${result}" kernel)
string(JSON plain GET "${result}" programs 0 verified_insns)
string(JSON taken GET "${result}" programs 0 coverage taken)
string(JSON counted GET "${result}" programs 0 coverage verified_insns)
execute_process(COMMAND uname -r OUTPUT_VARIABLE release OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT outcome STREQUAL "passed" OR NOT kernel STREQUAL release OR NOT taken OR NOT plain LESS counted)
  message(FATAL_ERROR "paths_short.json: expected passed on ${release}, coverage taken, plain < instrumented "
    "instructions:\n${result}")
endif()
foreach(name annotated_by_protocol annotated_unchecked gtest_paths_test_a_huge_frame_takes_the_long_branch)
  if(NOT EXISTS "${bin}/bpfkit-results/${name}.json")
    message(FATAL_ERROR "no result file ${name}.json")
  endif()
endforeach()

# heavy_loop: rejected once instrumented, run plain, and the test says why.
file(READ "${bin}/bpfkit-results/limits_heavy.json" result)
string(JSON outcome GET "${result}" outcome)
string(JSON taken GET "${result}" programs 0 coverage taken)
string(JSON reason GET "${result}" programs 0 coverage reason)
if(NOT outcome STREQUAL "passed" OR taken)
  message(FATAL_ERROR "limits_heavy.json: expected a passed test without coverage:\n${result}")
endif()
expect_match("${reason}" "^instrumented, it was rejected by the verifier: .*too large.*; it runs plain$"
  "why coverage was not taken")
test_output(limits.heavy heavy)
expect_match("${heavy}" "PASSED limits.heavy.*coverage not taken for limits/heavy_loop: instrumented, it was rejected"
  "the test's own output")

# --- bpf_coverage and bpf_report: the two pages ----------------------------------
consumer_build("${bin}" OUTPUT out ARGS --target bpf_coverage)
expect_match("${out}" "merged [0-9]+ tracefiles" "bpf_coverage")
set(info "${bin}/bpf-coverage.info")
expect_count("${info}" "${paths_source}" ${paths_always} 6 "merged: 3 + 2 + 1 runs")
expect_count("${info}" "${paths_source}" ${paths_condition} 6 "merged: the condition")
expect_count("${info}" "${paths_source}" ${paths_long_packet} 4 "merged: paths.long and the GoogleTest case")
expect_count("${info}" "${paths_source}" ${paths_short_packet} 2 "merged: paths.short")
expect_count("${info}" "${paths_source}" ${paths_huge_packet} 1 "merged: the GoogleTest case")
expect_count("${info}" "${paths_source}" ${paths_never} 0 "a program no test ran")
expect_count("${info}" "${annotated_source}" ${annotated_tcp} 4 "merged: annotated")
if(NOT EXISTS "${bin}/bpf-coverage/index.html")
  message(FATAL_ERROR "bpf_coverage wrote no bpf-coverage/index.html:\n${out}")
endif()
find_program(LCOV lcov)
if(LCOV)
  consumer_run(summary rc "${LCOV}" --summary "${info}" --rc lcov_branch_coverage=1)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lcov --summary refused bpf-coverage.info:\n${summary}")
  endif()
  expect_match("${summary}" "lines\\.+: [0-9.]+% \\([0-9]+ of [0-9]+ lines\\)" "lcov --summary")
  expect_match("${summary}" "branches\\.+: [0-9.]+% \\([0-9]+ of [0-9]+ branches\\)" "lcov --summary's branches")
endif()

consumer_build("${bin}" OUTPUT out ARGS --target bpf_report)
file(READ "${bin}/bpf-report.html" page)
expect_match("${page}" "branch_on_length" "the report lists the program")
expect_match("${page}" "paths\\.short</td>[\n ]*<td><span class=\"passed\">passed" "the report's test results")
expect_match("${page}" "instrumented, it was rejected by the verifier" "why heavy_loop has no coverage")
expect_match("${page}" "href=\"bpf-coverage/[^\"]*coverage_paths.bpf.c.gcov.html#[0-9]+\"" "the link into the coverage page")

# --- bpf_printk under failures ------------------------------------------------
consumer_run(out rc ctest --test-dir "${bin}" -L "expected_failure|concurrent_printer" -j3 --timeout 120)
if(rc EQUAL 0)
  message(FATAL_ERROR "the tests that fail on purpose passed:\n${out}")
endif()
test_output(printk.fails failed)
# CMake's regexes have no {n}: the line pattern three times.
set(line7 " +[0-9.]+ cpu[0-9]+ [^\n]*: printk-test tag=7\n")
set(line9 " +[0-9.]+ cpu[0-9]+ [^\n]*: printk-test tag=9\n")
expect_match("${failed}" "FAILED printk.fails.*retval: expected XDP_DROP[^\n]*\n  bpf_printk during this test \\(3 lines\\):\n${line7}${line7}${line7}"
  "the failing declarative test's bpf_printk lines")
expect_no_match("${failed}" "tag=42" "another test's lines under the failure")
test_output(failing.printk_test.fails_on_purpose failed)
expect_match("${failed}" "deliberately expects XDP_DROP.*bpf_printk during this test \\(3 lines\\):\n${line9}${line9}${line9}"
  "the failing GoogleTest case's bpf_printk lines")
expect_no_match("${failed}" "tag=(5|42)" "other tests' lines under the GoogleTest failure")
test_output(printk.passes passed)
expect_no_match("${passed}" "bpf_printk during this test" "a passing test's output")

# --- bpfkit run --coverage --------------------------------------------------------
consumer_run(out rc "${bpfkit}" run "${bin}/paths.bpf.o" branch_on_length --packet "eth/ipv4/udp/payload(len=100)"
  --repeat 4 --coverage "${WORK_DIR}/run.info")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bpfkit run --coverage failed (exit ${rc}):\n${out}")
endif()
expect_match("${out}" "retval: +2 \\(XDP_PASS\\)" "bpfkit run's own output")
expect_no_match("${out}" "bpfkit_cov" "the counters' map among the maps the run changed")
expect_count("${WORK_DIR}/run.info" "${paths_source}" ${paths_long_packet} 4 "bpfkit run --repeat 4 --coverage")
expect_count("${WORK_DIR}/run.info" "${paths_source}" ${paths_short_packet} 0 "bpfkit run: the other branch")

consumer_run(out rc "${bpfkit}" run /sys/fs/bpf/no-such-program --coverage "${WORK_DIR}/pinned.info")
expect_match("${rc}:${out}" "^2:.*--coverage counts what OBJ's programs run by instrumenting them as they load; a pinned program is loaded already"
  "--coverage with a pinned program")

execute_process(COMMAND "${BPF_CLANG}" -target bpf -O2 -idirafter /usr/include/x86_64-linux-gnu
  -c "${BPFKIT_SOURCE_DIR}/tests/coverage/bpf/printk.bpf.c" -o "${WORK_DIR}/no_btf.bpf.o" RESULT_VARIABLE rc)
consumer_run(out rc "${bpfkit}" run "${WORK_DIR}/no_btf.bpf.o" say_tag --packet eth --coverage "${WORK_DIR}/no_btf.info")
expect_match("${rc}:${out}" "^3:.*--coverage .*no_btf.info: nothing was counted: the object cannot be instrumented: .*no_btf.bpf.o: has no BTF line info"
  "--coverage of an object without line info")
if(EXISTS "${WORK_DIR}/no_btf.info")
  message(FATAL_ERROR "bpfkit run --coverage wrote no_btf.info although nothing was counted")
endif()
message("coverage.suite: every mode counted, merged, reported; fallback and bpf_printk shown")
