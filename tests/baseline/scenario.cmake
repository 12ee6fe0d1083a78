# bpf_verifier_baseline() as a user meets it: one scenario per run, on a
# fresh copy of tests/baseline/project configured against the installed
# bpfkit. The scenario writes the baseline files itself and checks exit
# codes and messages of the test (through ctest) and of <test>_update.
#
#   cmake -DSCENARIO=<name> [-DCASE=<case> -DMESSAGE=<regex>] <ConsumerTest vars>
#         -P scenario.cmake
#
# Scenarios:
#   update        missing file fails naming <test>_update; _update creates
#                 the file (sorted, deterministic, untouched when current);
#                 the test then passes
#   grown         a count grown past 5% fails with old, new and percent; the
#                 same growth passes TOLERANCE 50; shrunk counts pass with a
#                 note; _update accepts the counts
#   new_removed   programs missing from / extra in the file fail, both named;
#                 _update reports and fixes both
#   malformed     a broken file fails with file:line; _update replaces it
#   rejected      a program the verifier rejects fails with its reason and
#                 source line; _update refuses and writes nothing
#   unprivileged  without capabilities the test is skipped (exit 77 through
#                 ctest's SKIP_RETURN_CODE), a missing file still fails and
#                 _update fails saying why
#   configure_error  -DCASE: configuring fails with MESSAGE naming the test
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")

execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
set(no_caps setpriv --inh-caps=-all --bounding-set=-all --)

consumer_reset()
set(PROJECTS_DIR "${CMAKE_CURRENT_LIST_DIR}")
consumer_copy(project src)
set(bin "${WORK_DIR}/build")
set(csv "${src}/budget.csv")
set(header "object,program,verified_insns")

if(SCENARIO STREQUAL "configure_error")
  consumer_configure("${src}" "${bin}" EXPECT_FAILURE OUTPUT out ARGS "-DCASE=${CASE}")
  # CMake wraps long messages: compare with whitespace runs folded to one space.
  string(REGEX REPLACE "[ \n]+" " " out "${out}")
  expect_match("${out}" "${MESSAGE}" "configure error of case ${CASE}")
  return()
endif()

if(NOT uid STREQUAL "0" AND NOT SCENARIO STREQUAL "unprivileged")
  message("bpfkit-baseline-skip: needs root to load BPF programs (uid ${uid})")
  return()
endif()

consumer_configure("${src}" "${bin}")
consumer_build("${bin}")

# ctest on one test of the project: combined output (-V: also of tests that
# pass or skip) and exit code.
function(run_test test out_var rc_var)
  consumer_run(out rc ${ARGN} ctest --test-dir "${bin}" -R "^${test}$" -V)
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

function(expect_rc rc expected what out)
  if(NOT rc STREQUAL "${expected}")
    message(FATAL_ERROR "${what}: expected exit code ${expected}, got ${rc}:\n${out}")
  endif()
endfunction()

function(expect_failed test out rc)
  if(rc EQUAL 0)
    message(FATAL_ERROR "ctest ${test} passed but should have failed:\n${out}")
  endif()
  expect_match("${out}" "FAILED ${test}" "ctest ${test}")
endfunction()

function(expect_passed test out rc)
  expect_rc("${rc}" 0 "ctest ${test}" "${out}")
  expect_match("${out}" "PASSED ${test}" "ctest ${test}")
endfunction()

# The update target: its output and exit code.
function(run_update test out_var rc_var)
  consumer_run(out rc ${ARGN} "${CMAKE_COMMAND}" --build "${bin}" --target ${test}_update)
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

# The accept command the failure message must show.
set(accept_budget "cmake --build ${bin} --target budget_update")
string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" accept_budget_regex "${accept_budget}")

# Creates budget.csv with _update and reads the counts into
# count_<object>_<program> in the caller.
macro(create_baseline)
  file(REMOVE "${csv}")
  run_update(budget update_out update_rc)
  expect_rc("${update_rc}" 0 "budget_update" "${update_out}")
  file(STRINGS "${csv}" rows REGEX "^[a-z]")
  list(REMOVE_ITEM rows "${header}")
  foreach(row IN LISTS rows)
    if(NOT row MATCHES "^([a-z_]+),([a-z_]+),([0-9]+)$")
      message(FATAL_ERROR "budget.csv: unexpected row '${row}'")
    endif()
    set(count_${CMAKE_MATCH_1}_${CMAKE_MATCH_2} ${CMAKE_MATCH_3})
  endforeach()
endmacro()

# "+33.3%": the change as the messages print it (tenths, rounded half up).
function(percent old new out_var)
  math(EXPR delta "${new} - ${old}")
  set(sign "\\+")
  if(delta LESS 0)
    set(sign "-")
    math(EXPR delta "-(${delta})")
  endif()
  math(EXPR tenths "(${delta} * 1000 + ${old} / 2) / ${old}")
  math(EXPR whole "${tenths} / 10")
  math(EXPR fraction "${tenths} % 10")
  set(${out_var} "${sign}${whole}\\.${fraction}%" PARENT_SCOPE)
endfunction()

if(SCENARIO STREQUAL "update")
  # No file yet: the test fails and says how to create it.
  run_test(budget out rc)
  expect_failed(budget "${out}" "${rc}")
  expect_match("${out}" "the baseline file ${csv} does not exist" "missing file")
  expect_match("${out}" "counter/count_packets: [0-9]+ insns" "missing file: current counts")
  expect_match("${out}" "create the file with: ${accept_budget_regex}" "missing file: the command")

  # _update creates it: header, one sorted row per program of both objects.
  run_update(budget out rc)
  expect_rc("${rc}" 0 "budget_update (create)" "${out}")
  expect_match("${out}" "budget: created ${csv} \\(3 programs\\)" "budget_update (create)")
  expect_match("${out}" "counter/parse_udp: [0-9]+ insns \\(new\\)" "budget_update (create)")
  file(READ "${csv}" first)
  expect_match("${first}"
    "^${header}\ncounter,count_packets,[1-9][0-9]*\ncounter,parse_udp,[1-9][0-9]*\nfilter,keep_all,[1-9][0-9]*\n$"
    "budget.csv")
  file(GLOB leftovers "${src}/budget.csv?*")
  if(leftovers)
    message(FATAL_ERROR "budget_update left temporary files: ${leftovers}")
  endif()

  # Again: nothing changed, the file is not rewritten.
  file(TIMESTAMP "${csv}" before "%s")
  execute_process(COMMAND sleep 1.1)
  run_update(budget out rc)
  expect_rc("${rc}" 0 "budget_update (again)" "${out}")
  expect_match("${out}" "budget: ${csv} is up to date \\(3 programs\\)" "budget_update (again)")
  file(TIMESTAMP "${csv}" after "%s")
  if(NOT before STREQUAL after)
    message(FATAL_ERROR "budget_update rewrote an up-to-date file (mtime ${before} -> ${after})")
  endif()

  # From scratch: byte for byte the same file.
  file(REMOVE "${csv}")
  run_update(budget out rc)
  expect_rc("${rc}" 0 "budget_update (recreate)" "${out}")
  file(READ "${csv}" second)
  if(NOT first STREQUAL second)
    message(FATAL_ERROR "budget_update is not deterministic:\n${first}\n---\n${second}")
  endif()

  run_test(budget out rc)
  expect_passed(budget "${out}" "${rc}")
  expect_match("${out}" "counter/count_packets: [0-9]+ -> [0-9]+ insns \\(unchanged\\)" "unchanged line")
  expect_match("${out}" "PASSED budget: 3 unchanged" "summary")
  expect_no_match("${out}" "_update" "a passing test needs no update")

elseif(SCENARIO STREQUAL "grown")
  create_baseline()
  # count_packets grew by a third since the baseline; parse_udp halved.
  math(EXPR old_count "${count_counter_count_packets} * 3 / 4")
  math(EXPR old_parse "${count_counter_parse_udp} * 2")
  file(WRITE "${csv}" "${header}\ncounter,count_packets,${old_count}\n"
    "counter,parse_udp,${old_parse}\nfilter,keep_all,${count_filter_keep_all}\n")
  percent(${old_count} ${count_counter_count_packets} grew)
  percent(${old_parse} ${count_counter_parse_udp} shrank)

  run_test(budget out rc)
  expect_failed(budget "${out}" "${rc}")
  expect_match("${out}"
    "counter/count_packets: ${old_count} -> ${count_counter_count_packets} insns \\(${grew}, tolerance 5%\\): grew past the tolerance"
    "grown program")
  expect_match("${out}"
    "counter/parse_udp: ${old_parse} -> ${count_counter_parse_udp} insns \\(${shrank}, tolerance 5%\\): shrank"
    "shrunk program")
  expect_match("${out}" "filter/keep_all: ${count_filter_keep_all} -> ${count_filter_keep_all} insns \\(unchanged\\)"
    "unchanged program")
  expect_match("${out}" "FAILED budget: 1 grew past the tolerance; 1 shrank, 1 unchanged" "summary")
  expect_match("${out}" "to accept the current counts \\(rewrites ${csv}\\): ${accept_budget_regex}"
    "the accept command")

  # Within TOLERANCE 50: passes, with the same numbers and a note on the shrunk one.
  run_test(loose out rc)
  expect_passed(loose "${out}" "${rc}")
  expect_match("${out}"
    "counter/count_packets: ${old_count} -> ${count_counter_count_packets} insns \\(${grew}, tolerance 50%\\): within the tolerance"
    "within the tolerance")
  expect_match("${out}" "PASSED loose: 1 grew within the tolerance, 1 shrank, 1 unchanged" "summary")
  expect_match("${out}" "note: 1 program shrank; lower the baseline with: cmake --build ${bin} --target loose_update"
    "shrink note")

  # Accepting: _update prints the changes, then the test passes.
  run_update(budget out rc)
  expect_rc("${rc}" 0 "budget_update" "${out}")
  expect_match("${out}" "budget: updated ${csv} \\(3 programs\\)" "budget_update")
  expect_match("${out}" "counter/count_packets: ${old_count} -> ${count_counter_count_packets} insns \\(${grew}\\)"
    "budget_update: the grown program")
  expect_match("${out}" "counter/parse_udp: ${old_parse} -> ${count_counter_parse_udp} insns \\(${shrank}\\)"
    "budget_update: the shrunk program")
  expect_match("${out}" "1 program unchanged" "budget_update: unchanged")
  run_test(budget out rc)
  expect_passed(budget "${out}" "${rc}")

elseif(SCENARIO STREQUAL "new_removed")
  create_baseline()
  # filter/keep_all is not in the file (new); counter/retired is (removed).
  file(WRITE "${csv}" "${header}\ncounter,count_packets,${count_counter_count_packets}\n"
    "counter,parse_udp,${count_counter_parse_udp}\ncounter,retired,40\n")
  run_test(budget out rc)
  expect_failed(budget "${out}" "${rc}")
  expect_match("${out}" "filter/keep_all: new program, ${count_filter_keep_all} insns, not in the baseline"
    "new program")
  expect_match("${out}" "counter/retired: removed: in the baseline \\(40 insns\\) but no longer in the objects"
    "removed program")
  expect_match("${out}" "FAILED budget: 1 new, 1 removed; 2 unchanged" "summary")
  expect_match("${out}" "the baseline must list exactly the programs of counter, filter" "explanation")
  expect_match("${out}" "to accept the current counts \\(rewrites ${csv}\\): ${accept_budget_regex}"
    "the accept command")

  run_update(budget out rc)
  expect_rc("${rc}" 0 "budget_update" "${out}")
  expect_match("${out}" "counter/retired: removed \\(was 40 insns\\)" "budget_update: removed")
  expect_match("${out}" "filter/keep_all: ${count_filter_keep_all} insns \\(new\\)" "budget_update: new")
  expect_match("${out}" "2 programs unchanged" "budget_update: unchanged")
  run_test(budget out rc)
  expect_passed(budget "${out}" "${rc}")

elseif(SCENARIO STREQUAL "malformed")
  create_baseline()
  set(cases
    "program,insns\n" "budget.csv:1: the first line must be the header 'object,program,verified_insns', found 'program,insns'"
    "${header}\ncounter,count_packets\n" "budget.csv:2: expected 3 fields"
    "${header}\ncounter,count_packets,many\n" "budget.csv:2: verified_insns 'many' is not a positive integer"
    "${header}\n\ncounter,count_packets,5\ncounter,count_packets,6\n" "budget.csv:4: counter/count_packets is listed twice \\(also on line 3\\)"
    "" "budget.csv: the file is empty")
  while(cases)
    list(POP_FRONT cases content message)
    string(REPLACE "\\n" "\n" content "${content}")
    file(WRITE "${csv}" "${content}")
    run_test(budget out rc)
    expect_failed(budget "${out}" "${rc}")
    expect_match("${out}" "${message}" "malformed file")
    expect_match("${out}" "fix it, or rewrite it with the current counts: ${accept_budget_regex}" "malformed file")
  endwhile()
  run_update(budget out rc)
  expect_rc("${rc}" 0 "budget_update" "${out}")
  expect_match("${out}" "replacing a baseline file that cannot be read" "budget_update")
  run_test(budget out rc)
  expect_passed(budget "${out}" "${rc}")

elseif(SCENARIO STREQUAL "rejected")
  create_baseline()
  set(rejects "${src}/rejects.csv")
  set(content "${header}\nbroken,read_past_end,10\ncounter,count_packets,${count_counter_count_packets}\n"
    "counter,parse_udp,${count_counter_parse_udp}\n")
  file(WRITE "${rejects}" ${content})
  run_test(rejects out rc)
  expect_failed(rejects "${out}" "${rc}")
  expect_match("${out}" "broken/read_past_end: rejected by the verifier \\(baseline: 10 insns\\):" "rejected program")
  expect_match("${out}" "invalid access to packet" "the verifier's reason")
  expect_match("${out}" "at [^\n]*broken\\.bpf\\.c:[0-9]+: [^\n]*OOB_READ" "the source line")
  expect_match("${out}" "FAILED rejects: 1 rejected by the verifier; 2 unchanged" "summary")
  expect_match("${out}" "fix the rejected programs" "advice")
  expect_no_match("${out}" "to accept the current counts" "an update cannot fix a rejection")

  run_update(rejects out rc)
  if(rc EQUAL 0)
    message(FATAL_ERROR "rejects_update succeeded although a program is rejected:\n${out}")
  endif()
  expect_match("${out}" "rejects: not updating ${rejects}: the verifier rejected 1 program" "rejects_update")
  file(READ "${rejects}" after)
  string(JOIN "" content ${content})
  if(NOT after STREQUAL content)
    message(FATAL_ERROR "rejects_update changed the file although it failed:\n${after}")
  endif()

elseif(SCENARIO STREQUAL "unprivileged")
  set(prefix "")
  if(uid STREQUAL "0")
    set(prefix ${no_caps})  # root without any capability cannot load BPF
  endif()
  file(WRITE "${csv}" "${header}\ncounter,count_packets,1\n")
  run_test(budget out rc ${prefix})
  expect_rc("${rc}" 0 "ctest budget without privileges (skipped is not a failure)" "${out}")
  expect_match("${out}" "budget \\.+\\*+Skipped" "ctest budget without privileges")
  expect_match("${out}" "SKIPPED budget: BPF is not available to this process: [^\n]*Loading BPF programs needs root"
    "the skip reason")
  expect_match("${out}" "did not run:[^\n]*\n[^\n]*\n[^\n]*budget \\(Skipped\\)" "ctest's skip list")
  expect_no_match("${out}" "budget \\.+ +Passed" "nothing passes without privileges")

  # The same through the tool itself: exit 77.
  set(spec "${bin}/bpfkit_tests/budget.baseline")
  consumer_run(out rc ${prefix} "${BPFKIT_PREFIX}/libexec/bpfkit/bpfkit-baseline" check "${spec}")
  expect_rc("${rc}" 77 "bpfkit-baseline check without privileges" "${out}")

  # A missing file is not a privilege problem: it fails for everyone.
  file(REMOVE "${csv}")
  run_test(budget out rc ${prefix})
  expect_failed(budget "${out}" "${rc}")
  expect_match("${out}" "the baseline file ${csv} does not exist" "missing file without privileges")

  run_update(budget out rc ${prefix})
  if(rc EQUAL 0)
    message(FATAL_ERROR "budget_update succeeded without privileges:\n${out}")
  endif()
  expect_match("${out}" "cannot update ${csv}: BPF is not available to this process: [^\n]*Loading BPF programs needs root"
    "budget_update without privileges")
  if(EXISTS "${csv}")
    message(FATAL_ERROR "budget_update wrote ${csv} without privileges")
  endif()

else()
  message(FATAL_ERROR "unknown SCENARIO '${SCENARIO}'")
endif()
