# Checks of bpf_add_test(GTEST) and bpfkit::testing that need to look at a
# GoogleTest run from outside: cmake -DCHECK=<check> ... -P driver.cmake
#
#   registration  -DCTEST=<ctest> -DBUILD_DIR=<build>: how gtest_mode.suite's
#                 cases are registered (properties of every case)
#   failures      -DFAILING=<gtest_mode_failing>: deliberately failing cases
#                 exit non-zero with BTF-decoded messages; their pins are gone
#   requirements  -DFAILING=...: BPFKIT_REQUIRE_KERNEL skips cases the kernel
#                 cannot run, with the reasons, and fails misspelled ones
#   crash         -DFAILING=... -DRUNNER=<bpfkit-test>: an aborted case leaves
#                 its pin directory, `bpfkit-test --cleanup` removes it
#   unprivileged  -DSUITE=<gtest_mode.suite>: as nobody without capabilities,
#                 every case is skipped with the reason, and the run exits 0
#
# A check that cannot run here prints "bpfkit-gtest-skip: <why>" (the tests'
# SKIP_REGULAR_EXPRESSION).
cmake_minimum_required(VERSION 3.20)

function(fail)
  list(JOIN ARGN "" message)
  message(FATAL_ERROR "${message}")
endfunction()

function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    fail("${what}: expected to match\n  ${regex}\ngot:\n${text}")
  endif()
endfunction()

function(expect_no_match text regex what)
  if(text MATCHES "${regex}")
    fail("${what}: expected no match for\n  ${regex}\ngot:\n${text}")
  endif()
endfunction()

# Runs a command; output (stdout and stderr) to <out_var>, exit status to <rc_var>.
function(run out_var rc_var)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

# A run of BPF cases that were skipped: no privilege here, nothing to check.
macro(skip_if_skipped out)
  if("${out}" MATCHES "\\[  SKIPPED \\]")
    message("bpfkit-gtest-skip: the cases were skipped (no privilege to load BPF here)")
    return()
  endif()
endmacro()

# The pin directory a case printed ("pin directory: <path>").
function(printed_pin_dir out out_var)
  if(NOT out MATCHES "pin directory: ([^\n]+)\n")
    fail("the case printed no pin directory:\n${out}")
  endif()
  set(${out_var} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

if(CHECK STREQUAL "registration")
  run(json rc "${CTEST}" --test-dir "${BUILD_DIR}" -R "^gtest_mode\\.suite\\." --show-only=json-v1)
  if(NOT rc EQUAL 0)
    fail("ctest --show-only failed (${rc}):\n${json}")
  endif()
  string(JSON count LENGTH "${json}" tests)
  math(EXPR last "${count} - 1")
  set(names "")
  foreach(i RANGE ${last})
    string(JSON name GET "${json}" tests ${i} name)
    if(NOT name MATCHES "^gtest_mode\\.suite\\.")
      continue()  # the fixture's setup and cleanup
    endif()
    list(APPEND names "${name}")
    string(JSON command GET "${json}" tests ${i} command)
    expect_match("${command}" "--gtest_filter=" "the command of ${name}")
    string(JSON nprops LENGTH "${json}" tests ${i} properties)
    math(EXPR plast "${nprops} - 1")
    set(props "")
    foreach(p RANGE ${plast})
      string(JSON pname GET "${json}" tests ${i} properties ${p} name)
      string(JSON pvalue GET "${json}" tests ${i} properties ${p} value)
      string(APPEND props "${pname}=${pvalue}\n")
    endforeach()
    # Lists come as JSON text: [ "a", "b" ].
    expect_match("${props}" "FIXTURES_REQUIRED=\\[ \"bpfkit_kernel\" \\]" "properties of ${name}")
    expect_match("${props}" "LABELS=\\[ \"bpf\", \"gtest\" \\]" "properties of ${name}")
    expect_match("${props}" "SKIP_REGULAR_EXPRESSION=[^\n]*SKIPPED" "properties of ${name}")
    # 60, times 5 in the sanitized build (BpfSanitize.cmake scales every TIMEOUT).
    expect_match("${props}" "TIMEOUT=(60|300)([^0-9]|$)" "properties of ${name}")
    string(REPLACE "." "\\." name_regex "${name}")
    expect_match("${props}" "BPFKIT_CTEST_NAME=${name_regex}\"" "properties of ${name}")
    expect_match("${props}" "BPFKIT_CTEST_DIR=" "properties of ${name}")
  endforeach()
  foreach(expected IN ITEMS gtest_mode.suite.counter.counts_test_runs
      gtest_mode.suite.configured_counter.sets_rodata_before_load
      gtest_mode.suite.counter.counts_frames_sent_through_a_veth_pair
      gtest_mode.suite.pin_cleanup.removes_the_directory_and_its_pins)
    if(NOT expected IN_LIST names)
      fail("${expected} is not registered; the tests are: ${names}")
    endif()
  endforeach()
  list(LENGTH names count)
  if(count LESS 10)
    fail("expected every case of gtest_mode.suite registered, found ${count}: ${names}")
  endif()
  message("${count} cases registered with the fixture, labels, skip rule and environment")

elseif(CHECK STREQUAL "failures")
  run(out rc "${FAILING}" "--gtest_filter=deliberately_failing.*:broken.*")
  skip_if_skipped("${out}")
  if(rc EQUAL 0)
    fail("the deliberately failing cases exited 0:\n${out}")
  endif()
  foreach(regex IN ITEMS
      "PACKET_COUNTER\\[0\\]: expected 5, found 4"
      "Value of: skel\\(\\)\\.maps\\.PACKET_COUNTER\nExpected: has entry \\[0\\] == 5\n  Actual: PACKET_COUNTER {0: 4}, PACKET_COUNTER\\[0\\]: expected 5, found 4"
      "PACKET_COUNTER\\[2\\]: expected 1, found no entry \\(the map has: 0\\)"
      "PACKET_COUNTER\\[0\\]: expected no entry, found 7"
      "count\\(PACKET_COUNTER\\): expected 3, found 1"
      "flows\\[{saddr=0x0a000001, daddr=0x0a000002, sport=0x03e8, dport=0x0035, proto=17}\\]: expected {packets=3, bytes=150}, found {packets=2, bytes=100}"
      "verified instructions of count_packets: expected at most 1, found [0-9]+ \\([0-9]+ over the budget"
      "opening and loading gtest_broken failed: [^\n]*read_past_end"
      "verifier log[^\n]*:\n"
      "rerun: [^\n]*gtest_mode_failing --gtest_filter=deliberately_failing\\.map_value\n"
      "\\[  FAILED  \\] deliberately_failing\\.pins_then_fails"
      "\\[  FAILED  \\] broken\\.does_not_load"
      "7 FAILED TESTS")
    expect_match("${out}" "${regex}" "output of the deliberately failing cases")
  endforeach()
  expect_no_match("${out}" "the body must not run" "the body of a case whose skeleton failed to load")
  printed_pin_dir("${out}" pin_dir)
  if(EXISTS "${pin_dir}")
    fail("${pin_dir} survived its failed case: TearDown must remove it")
  endif()

  # Under ctest (BPFKIT_CTEST_NAME/DIR set), the rerun command is ctest's.
  run(out rc "${CMAKE_COMMAND}" -E env "BPFKIT_CTEST_NAME=x.deliberately_failing.map_value"
    "BPFKIT_CTEST_DIR=/some/build" "${FAILING}" "--gtest_filter=deliberately_failing.map_value")
  expect_match("${out}"
    "rerun: ctest --test-dir /some/build -R \"\\^x\\\\\\.deliberately_failing\\\\\\.map_value\\$\" --output-on-failure\n"
    "the rerun command under ctest")
  message("the deliberately failing cases failed as expected")

elseif(CHECK STREQUAL "requirements")
  run(out rc "${FAILING}" "--gtest_filter=kernel_requirements*")
  if(rc EQUAL 0)
    fail("the cases with misspelled requirements exited 0:\n${out}")
  endif()
  run(release rc uname -r)
  string(STRIP "${release}" release)
  string(REPLACE "." "\\." release "${release}")
  string(REPLACE "+" "\\+" release "${release}")
  foreach(regex IN ITEMS
      "Skipped\nneeds kernel 99\\.0 or newer; this is ${release}\n"
      "Skipped\nneeds kfunc bpfkit_no_such_kfunc, which kernel ${release} lacks\n"
      "\\[  SKIPPED \\] kernel_requirements\\.future_kernel"
      "\\[  SKIPPED \\] kernel_requirements\\.missing_kfunc"
      "\\[  SKIPPED \\] kernel_requirements_in_set_up\\.skips_before_loading"
      "BPFKIT_REQUIRE_KERNEL: a requirement is misspelled: 'prog:xpd': unknown program type 'xpd' \\(did you mean xdp\\?\\)\\. Known program types: unspec, "
      "BPFKIT_REQUIRE_KERNEL: a requirement is misspelled: BPFKIT_REQUIRE_KERNEL: two kernel versions, '5\\.10' and '6\\.1': give at most one"
      "\\[  FAILED  \\] kernel_requirements\\.misspelled"
      "\\[  FAILED  \\] kernel_requirements\\.two_versions"
      "2 FAILED TESTS")
    expect_match("${out}" "${regex}" "output of the cases with requirements")
  endforeach()
  expect_no_match("${out}" "must not" "cases whose requirements are unmet or misspelled")
  message("unmet requirements skipped with the reasons, misspelled ones failed")

elseif(CHECK STREQUAL "crash")
  run(out rc "${FAILING}" "--gtest_filter=crashing.aborts_after_pinning")
  skip_if_skipped("${out}")
  if(rc EQUAL 0)
    fail("the aborting case exited 0:\n${out}")
  endif()
  printed_pin_dir("${out}" pin_dir)
  if(NOT EXISTS "${pin_dir}/PACKET_COUNTER")
    fail("expected the aborted case to leave ${pin_dir}/PACKET_COUNTER behind (exit ${rc}):\n${out}")
  endif()
  run(cleanup_out cleanup_rc "${RUNNER}" --cleanup)
  if(NOT cleanup_rc EQUAL 0)
    fail("bpfkit-test --cleanup failed (${cleanup_rc}):\n${cleanup_out}")
  endif()
  if(EXISTS "${pin_dir}")
    fail("bpfkit-test --cleanup left ${pin_dir}:\n${cleanup_out}")
  endif()
  message("the aborted case (${rc}) left ${pin_dir}; bpfkit-test --cleanup removed it")

elseif(CHECK STREQUAL "unprivileged")
  run(uid rc id -u)
  string(STRIP "${uid}" uid)
  set(as_nobody "")
  if(uid STREQUAL "0")
    find_program(SETPRIV setpriv)
    if(NOT SETPRIV)
      message("bpfkit-gtest-skip: setpriv (util-linux) is missing, cannot drop privileges")
      return()
    endif()
    set(as_nobody "${SETPRIV}" --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
  endif()
  # A copy that nobody can read and run, whatever the build tree's permissions.
  run(tmp rc mktemp -d /tmp/bpfkit-gtest-unprivileged.XXXXXX)
  string(STRIP "${tmp}" tmp)
  file(CHMOD "${tmp}" DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
    GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  file(COPY_FILE "${SUITE}" "${tmp}/suite")
  file(CHMOD "${tmp}/suite" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
    GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  run(out rc ${as_nobody} "${tmp}/suite")
  run(one one_rc ${as_nobody} "${tmp}/suite" --gtest_filter=counter.counts_test_runs)
  file(REMOVE_RECURSE "${tmp}")

  if(NOT rc EQUAL 0)
    fail("the unprivileged run exited ${rc} (expected 0, every case skipped):\n${out}")
  endif()
  string(REGEX MATCHALL "\n\\[ RUN      \\] " runs "${out}")
  list(LENGTH runs run_count)
  if(run_count EQUAL 0)
    fail("the unprivileged run ran no case:\n${out}")
  endif()
  expect_match("${out}" "\\[  SKIPPED \\] ${run_count} tests?, listed below" "the unprivileged run (${run_count} cases)")
  expect_match("${out}" "\\[  PASSED  \\] 0 tests" "the unprivileged run")
  expect_no_match("${out}" "FAILED" "the unprivileged run")
  expect_match("${out}" "Skipped\nBPF is not available to this process: loading a BPF program failed with Operation not permitted \\(errno 1\\)\\. Loading BPF programs needs root, or CAP_BPF with CAP_PERFMON and CAP_NET_ADMIN"
    "the skip reason")
  # One case as ctest runs it: exit 0 and the text of ctest's skip rule.
  if(NOT one_rc EQUAL 0)
    fail("one unprivileged case exited ${one_rc}:\n${one}")
  endif()
  expect_match("${one}" "\\[  SKIPPED \\] counter\\.counts_test_runs" "one unprivileged case")
  message("unprivileged: all ${run_count} cases skipped with the reason, exit 0")

else()
  fail("driver.cmake: unknown CHECK '${CHECK}'")
endif()
