# coverage.target.*: bpf_coverage and bpf_report in a consumer project built
# against the installed bpfkit (tests/coverage/project). The tests' own
# tracefiles and result files are seeded as the test runner writes them.
include("${BPFKIT_SOURCE_DIR}/tests/cmake/ConsumerTest.cmake")
consumer_reset()
set(source "${BPFKIT_SOURCE_DIR}/tests/coverage/project")
set(bin "${WORK_DIR}/build")

# Lines of counter.bpf.c by their COVER() marker.
file(STRINGS "${source}/src/counter.bpf.c" lines)
set(number 0)
foreach(text IN LISTS lines)
  math(EXPR number "${number} + 1")
  if(text MATCHES "COVER\\(([a-z]+)\\)")
    set(line_${CMAKE_MATCH_1} ${number})
  endif()
endforeach()

# Without coverage, bpf_coverage fails and says how to turn it on.
consumer_configure("${source}" "${bin}")
consumer_build("${bin}")
consumer_build("${bin}" EXPECT_FAILURE OUTPUT out ARGS --target bpf_coverage)
expect_match("${out}" "configured without coverage.*-DBPFKIT_COVERAGE=ON" "bpf_coverage without coverage")
if(EXISTS "${bin}/bpf-coverage.info")
  message(FATAL_ERROR "bpf_coverage wrote bpf-coverage.info although it failed")
endif()

consumer_configure("${source}" "${bin}" ARGS -DBPFKIT_COVERAGE=ON)
# No test has run yet: every line at 0, with a warning.
consumer_build("${bin}" OUTPUT out ARGS --target bpf_coverage)
expect_match("${out}" "no test has written coverage data" "bpf_coverage before ctest")
expect_match("${out}" "counter/count +[0-9]+ -> +[0-9]+ " "the instrumentation cost of each program")
expect_match("${out}" "lines +0.0% \\(0 of [0-9]+\\)" "the totals")

# One test's tracefile, as bpfkit-test writes it.
set(counter_source "${source}/src/counter.bpf.c")
file(WRITE "${bin}/bpfkit-coverage/count_long.info"
  "TN:count_long\nSF:${counter_source}\nDA:${line_count},3\nDA:${line_long},3\nend_of_record\n")
consumer_build("${bin}" OUTPUT out ARGS --target bpf_coverage)
expect_match("${out}" "merged 2 tracefiles" "bpf_coverage")
file(READ "${bin}/bpf-coverage.info" info)
expect_match("${info}" "SF:${counter_source}\n" "the tested object")
expect_match("${info}" "DA:${line_count},3\n" "the test's count")
expect_match("${info}" "SF:${source}/src/untested.bpf.c\nFN:[0-9]+,untested\nFNDA:0,untested\n"
  "the object no test loaded, at 0")
foreach(page index.html "${source}/src/counter.bpf.c.gcov.html")
  string(REGEX REPLACE "^/" "" page "${page}")
  if(NOT EXISTS "${bin}/bpf-coverage/${page}")
    message(FATAL_ERROR "genhtml's report has no ${page}")
  endif()
endforeach()

# bpf_report: the result of that test, and the baseline.
file(WRITE "${bin}/bpfkit-results/count_long.json"
  "{\"format\": \"bpfkit-test-result\", \"version\": 1, \"test\": \"count_long\", \"kernel\": \"6.1.0-test\","
  " \"outcome\": \"passed\", \"duration_ms\": 3, \"programs\": [{\"object\": \"counter\", \"program\": \"count\","
  " \"verified_insns\": 12}]}")
consumer_build("${bin}" OUTPUT out ARGS --target bpf_report)
expect_match("${out}" "bpf_report: [0-9]+ programs?, 1 test on 1 kernel:" "bpf_report")
file(READ "${bin}/bpf-report.html" page)
expect_match("${page}" "coverage_consumer — BPF report" "the page's title")
expect_match("${page}" "12 <span class=\"delta\">\\+2 \\(\\+20.0%\\)</span>" "the count against the baseline")
expect_match("${page}" "href=\"bpf-coverage/[^\"]*counter.bpf.c.gcov.html#[0-9]+\"" "the link into the coverage report")
expect_match("${page}" "count_long</td>[\n ]*<td><span class=\"passed\">passed" "the test result")
