# BpfVerifierBaseline: verifier budgets kept in a baseline file.
#
#   bpf_verifier_baseline(<test> OBJECTS <name>... FILE <baseline.csv>
#     [TOLERANCE <percent>] [LABELS <label>...] [TIMEOUT <seconds>])
#
# OBJECTS are names given to bpf_add_object() (called before). FILE is
# relative to the current source directory and is meant to be committed.
# Creates
#   test <test>            loads every program of the objects, each on its own,
#                          and compares the instructions the verifier processed
#                          (bpf_prog_info.verified_insns, as `bpfkit stats`
#                          reports total_insns) with FILE. It fails when
#                            - a program grew by more than TOLERANCE percent
#                              (default 5; 0 fails on any growth; exactly at the
#                              tolerance passes),
#                            - a program is new (in the objects, not in FILE) or
#                              removed (in FILE, not in the objects): the file
#                              must list exactly the programs it guards,
#                            - the verifier rejects a program (its reason and
#                              source line are printed),
#                            - FILE is missing or malformed.
#                          One line per program, e.g.
#                            counter/count_packets: 20 -> 25 insns (+25.0%, tolerance 5%): grew past the tolerance
#                          then a summary and the command that accepts the
#                          current counts: cmake --build <dir> --target <test>_update.
#                          Programs that shrank pass (with a note). Like every
#                          BPF test it requires the fixture bpfkit_kernel, is
#                          labelled bpf and reports skipped (exit 77) without
#                          the privilege to load BPF -- except that a missing or
#                          malformed FILE fails for everyone.
#   target <test>_update   builds the objects, measures them and rewrites FILE
#                          in the source tree atomically (temporary file and
#                          rename), printing what changed; an identical file is
#                          left untouched. Refuses (writes nothing) when the
#                          verifier rejects a program. Needs the privilege to
#                          load BPF (run the build as root).
#
# FILE is CSV: the header `object,program,verified_insns`, then one row per
# program sorted by object and program, e.g. `counter,count_packets,24`.
# Counts depend on the kernel and the compiler: keep one baseline per kernel
# you test on (FILE can name a different file per kernel).
include_guard(GLOBAL)

function(_bpfkit_baseline_error test)
  list(JOIN ARGN "" message)
  message(FATAL_ERROR "bpf_verifier_baseline(${test}): ${message}")
endfunction()

function(bpf_verifier_baseline test)
  if(test STREQUAL "")
    message(FATAL_ERROR "bpf_verifier_baseline: the first argument must be the test's name.")
  endif()
  _bpfkit_warn_if_testing_disabled("bpf_verifier_baseline(${test})")
  if(NOT test MATCHES "^[A-Za-z0-9_.+-]+$")
    _bpfkit_baseline_error(${test} "'${test}' cannot name both a test and the target "
      "${test}_update: use letters, digits, '_', '.', '+' and '-'.")
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "FILE;TOLERANCE;TIMEOUT" "OBJECTS;LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " unknown)
    _bpfkit_baseline_error(${test} "unknown arguments: ${unknown}. "
      "Known: OBJECTS FILE TOLERANCE LABELS TIMEOUT.")
  endif()
  foreach(keyword IN LISTS arg_KEYWORDS_MISSING_VALUES)
    if(NOT keyword STREQUAL "LABELS")
      _bpfkit_baseline_error(${test} "${keyword} needs a value.")
    endif()
  endforeach()

  if(NOT arg_OBJECTS)
    _bpfkit_baseline_error(${test} "OBJECTS is required: the names given to bpf_add_object() "
      "whose programs the baseline covers.")
  endif()
  set(seen "")
  foreach(object IN LISTS arg_OBJECTS)
    _bpfkit_object_bpf_target("${object}" bpf_target)
    if(NOT bpf_target)
      _bpfkit_baseline_error(${test} "OBJECTS: '${object}' is not an object made by "
        "bpf_add_object() (call bpf_add_object(${object} ...) before bpf_verifier_baseline).")
    endif()
    if(object IN_LIST seen)
      _bpfkit_baseline_error(${test} "OBJECTS names '${object}' twice.")
    endif()
    list(APPEND seen ${object})
  endforeach()

  if(NOT DEFINED arg_FILE)
    _bpfkit_baseline_error(${test} "FILE is required: the baseline CSV to compare with, e.g. "
      "FILE verifier_baseline.csv (cmake --build <dir> --target ${test}_update creates it).")
  endif()
  get_filename_component(file "${arg_FILE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(IS_DIRECTORY "${file}")
    _bpfkit_baseline_error(${test} "FILE '${arg_FILE}' is a directory (${file}). Name a file, "
      "e.g. ${arg_FILE}/verifier_baseline.csv.")
  endif()

  if(NOT DEFINED arg_TOLERANCE)
    set(arg_TOLERANCE 5)  # percent, as documented above
  endif()
  if(NOT arg_TOLERANCE MATCHES "^[0-9]?[0-9]?[0-9]?[0-9]?[0-9]?[0-9](\\.[0-9][0-9]?[0-9]?)?$")
    _bpfkit_baseline_error(${test} "TOLERANCE must be a percentage such as 5, 0 or 2.5 "
      "(digits, at most 3 decimals, no '%'), not '${arg_TOLERANCE}'.")
  endif()
  if(NOT DEFINED arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  elseif(NOT arg_TIMEOUT MATCHES "^[1-9][0-9]*$")
    _bpfkit_baseline_error(${test} "TIMEOUT must be a positive number of seconds, not '${arg_TIMEOUT}'.")
  endif()
  if(TARGET ${test}_update)
    _bpfkit_baseline_error(${test} "a target named '${test}_update' already exists. "
      "Choose another test name.")
  endif()

  # The command that accepts the current counts, as the failure message shows it.
  set(build_dir "${CMAKE_BINARY_DIR}")
  if(build_dir MATCHES " ")
    set(build_dir "\"${build_dir}\"")
  endif()
  set(update_command "cmake --build ${build_dir} --target ${test}_update")
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  string(MAKE_C_IDENTIFIER "${test}" file_name)
  if(multi_config)
    string(APPEND update_command " --config $<CONFIG>")
    set(spec_file "${CMAKE_CURRENT_BINARY_DIR}/bpfkit_tests/${file_name}-$<CONFIG>.baseline")
  else()
    set(spec_file "${CMAKE_CURRENT_BINARY_DIR}/bpfkit_tests/${file_name}.baseline")
  endif()

  set(spec "test=${test}\nfile=${file}\ntolerance=${arg_TOLERANCE}\nupdate=${update_command}\n")
  set(object_targets "")
  foreach(object IN LISTS arg_OBJECTS)
    _bpfkit_object_bpf_target("${object}" bpf_target)
    string(APPEND spec "object=${object}=$<TARGET_FILE:${bpf_target}>\n")
    list(APPEND object_targets ${bpf_target})
  endforeach()
  file(GENERATE OUTPUT "${spec_file}" CONTENT "${spec}")
  _bpfkit_report_add_baseline("${file}")

  _bpfkit_test_fixture()
  add_test(NAME ${test} COMMAND bpfkit::bpfkit-baseline check "${spec_file}")
  _bpfkit_test_properties(${test} TIMEOUT ${arg_TIMEOUT} LABELS ${arg_LABELS})

  add_custom_target(${test}_update
    COMMAND bpfkit::bpfkit-baseline update "${spec_file}"
    COMMENT "Measuring verified instructions for ${file}"
    VERBATIM USES_TERMINAL)
  add_dependencies(${test}_update ${object_targets})
endfunction()
