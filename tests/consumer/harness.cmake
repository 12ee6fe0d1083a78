# bpf_add_test() failures as a user sees them: each deliberately failing test
# of tests/projects/harness must fail with its documented message and the
# command to rerun it; the passing one must pass; --output-junit must work.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT uid STREQUAL "0")
  message("bpfkit-test-skip: needs root to load BPF programs")
  return()
endif()
consumer_reset()
set(bin "${WORK_DIR}/build")
consumer_configure("${PROJECTS_DIR}/harness" "${bin}")
consumer_build("${bin}")
consumer_run(out rc ctest --test-dir "${bin}" --output-on-failure --output-junit junit.xml)
if(rc EQUAL 0)
  message(FATAL_ERROR "ctest passed although the project has failing tests:\n${out}")
endif()

# Each test's failure message (regexes over ctest's --output-on-failure text).
set(expected
  "FAILED wrong_retval[^\n]*\n  retval: expected XDP_DROP \\(1\\), found XDP_PASS \\(2\\)"
  "PACKET_COUNTER\\[0\\]: expected 5, found 4"
  "PACKET_COUNTER\\[0\\]: expected no entry, found 1"
  "count\\(PACKET_COUNTER\\): expected 2, found 1"
  "PACKET_COUNTER\\[7\\]: expected 1, found no entry \\(the map has: 0\\)"
  "flows\\[\\{addr=1, port=2, proto=3\\}\\]: expected 1, found no entry with these exact bytes; the map has a key that differs only in padding bytes"
  "data_out: expected 14 bytes, found 19 bytes; first difference at offset 0"
  "verified instructions: [0-9]+, over the budget of 3 \\(MAX_VERIFIED_INSNS\\)"
  "expected the load to fail matching /invalid access/, but the verifier accepted count_packets"
  "the load failed, but the verifier log does not match /R0 !read_ok/"
  "program 'read_past_end' \\(xdp\\) rejected by the verifier: invalid access to packet[^\n]*\n[^\n]*\n  at [^\n]*counter\\.bpf\\.c:[0-9]+: return data\\[40\\]"
  "no map named 'PACKET_COUNTR'; the object has: PACKET_COUNTER, flows"
  "in the test's values: column 2: unknown field 'adr' in struct flow_key; fields: addr, port, proto"
  "program 'count_packet'[^\n]*count_packets"
  "FAILED ann.passes_instead[^\n]*\n  retval: expected XDP_DROP \\(1\\), found XDP_PASS \\(2\\)"
  "FAILED ann.loads_fine[^\n]*\n  expected the load to fail matching /invalid access/, but the verifier accepted loads_fine")
foreach(regex IN LISTS expected)
  expect_match("${out}" "${regex}" "ctest output of the failing tests")
endforeach()
expect_match("${out}" "rerun: ctest --test-dir ${bin} -R \"\\^wrong_count\\$\" --output-on-failure"
  "the rerun command")
expect_match("${out}" "Test +#[0-9]+: passes \\.+ +Passed" "the passing test")

file(READ "${bin}/junit.xml" junit)
expect_match("${junit}" "<testsuite[^>]*failures=\"15\"" "junit.xml")
