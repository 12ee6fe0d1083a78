# BpfTest: BPF programs tested in the kernel from ctest.
#
#   bpf_add_test(<test> OBJECT <name> PROGRAM <prog>
#     [DATA_IN <file> | PACKET "<spec>"] [CTX_IN <file>] [REPEAT <n>]
#     [SET_GLOBAL "<var>=<value>" ...] [SET_MAP "<map>[<key>]=<value>" ...]
#     [EXPECT_RETVAL <int|XDP_PASS|...>] [EXPECT_MAP "<expectation>" ...]
#     [EXPECT_DATA_OUT <file>] [MAX_VERIFIED_INSNS <n>]
#     [EXPECT_LOAD_FAILURE "<regex>"] [MIN_KERNEL <major.minor>]
#     [REQUIRES <feature>...] [LABELS <label>...] [TIMEOUT <seconds>])
#   bpf_add_test(<test> OBJECT <name> ANNOTATED [LABELS <label>...])
#
# MIN_KERNEL and REQUIRES (prog:<type>, map:<type>, helper:<name>[@<type>],
# kfunc:<name>) skip the test, with the reasons, in a kernel that is older or
# lacks a feature (probed there by bpfkit::requirements before loading):
# bpfkit-test prints "bpfkit-test-skip: <reasons>" and exits 77. Annotated
# tests say the same with BPFKIT_MIN_KERNEL/BPFKIT_REQUIRES (bpfkit/test.h),
# GoogleTest cases with BPFKIT_REQUIRE_KERNEL (bpfkit/testing/requirements.hpp).
#
# registers ctest test <test>, run by bpfkit-test from a spec file written at
# generate time. Everything that can be checked without the kernel is checked
# here, so a typo is a configure error naming the test; names of maps, fields
# and globals are checked by bpfkit-test against the object's BTF.
#
# Every BPF test requires the fixture bpfkit_kernel: its setup test
# (bpfkit.setup) mounts bpffs when needed and starts the build tree's test
# server (one process that keeps the tests' objects loaded, resetting their
# maps between tests); its cleanup test (bpfkit.cleanup) stops the server
# and removes pin directories left by tests that were killed. Each test
# stays its own ctest test; without a server it runs in its own process. Without the
# privilege to load BPF a test reports skipped (exit 77), never failed or
# passed.
include_guard(GLOBAL)

# Messages must not contain ';' (join lists with spaces first): CMake would
# split them into separate arguments.
function(_bpfkit_test_error test)
  list(JOIN ARGN "" message)
  message(FATAL_ERROR "bpf_add_test(${test}): ${message}")
endfunction()

# An integer as CMake sees it: decimal, 0x hex, optionally negative.
function(_bpfkit_is_integer text out_var)
  if(text MATCHES "^-?(0x[0-9a-fA-F]+|[0-9]+)$")
    set(${out_var} TRUE PARENT_SCOPE)
  else()
    set(${out_var} FALSE PARENT_SCOPE)
  endif()
endfunction()

# EXPECT_RETVAL as a number (symbolic names resolved); errors list the names.
function(_bpfkit_test_retval test text out_var)
  _bpfkit_is_integer("${text}" numeric)
  if(numeric)
    set(${out_var} "${text}" PARENT_SCOPE)
    return()
  endif()
  _bpfkit_retval_names(known)  # BpfNames.cmake: bpfkit/retval_names.def
  foreach(pair IN LISTS known)
    if(pair MATCHES "^([A-Z_0-9]+)=(.*)$" AND CMAKE_MATCH_1 STREQUAL text)
      set(${out_var} "${CMAKE_MATCH_2}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  string(REGEX REPLACE "=[-0-9]+" "" names "${known}")
  list(JOIN names " " names)
  _bpfkit_test_error(${test} "EXPECT_RETVAL '${text}' is neither an integer nor a known name. "
    "Known names: ${names}.")
endfunction()

# A file argument, resolved against the current source directory.
function(_bpfkit_test_file test keyword file out_var)
  get_filename_component(path "${file}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${path}")
    get_source_file_property(generated "${path}" GENERATED)
    if(NOT generated)
      _bpfkit_test_error(${test} "${keyword} file '${file}' does not exist (looked for ${path}).")
    endif()
  endif()
  set(${out_var} "${path}" PARENT_SCOPE)
endfunction()

# _bpfkit_test_positive(<test> <keyword> <value> [<max>]): `max` bounds what
# the runner can pass on (REPEAT is the kernel's 32-bit repeat count); if()
# compares as doubles, exact far beyond these bounds.
function(_bpfkit_test_positive test keyword value)
  if(NOT value MATCHES "^[1-9][0-9]*$")
    _bpfkit_test_error(${test} "${keyword} must be a positive integer, not '${value}'.")
  endif()
  set(max 9223372036854775807)
  if(ARGC GREATER 3)
    set(max "${ARGV3}")
  endif()
  string(LENGTH "${value}" digits)
  if(digits GREATER 19 OR value GREATER max)
    _bpfkit_test_error(${test} "${keyword} ${value} is out of range: at most ${max}.")
  endif()
endfunction()

# The regex of a map name in SET_MAP and EXPECT_MAP (C identifiers, and
# dotted names such as .bss or .data.custom).
function(_bpfkit_test_map_name_regex out_var)
  set(${out_var} "[A-Za-z_.][A-Za-z0-9_.]*" PARENT_SCOPE)
endfunction()

function(_bpfkit_test_check_set_global test assignment)
  if(NOT assignment MATCHES "^[A-Za-z_][A-Za-z0-9_]*=.+$")
    _bpfkit_test_error(${test} "SET_GLOBAL '${assignment}' is not of the form <var>=<value>, "
      "e.g. \"max_packets=10\".")
  endif()
endfunction()

function(_bpfkit_test_check_set_map test assignment)
  _bpfkit_test_map_name_regex(map)
  if(NOT assignment MATCHES "^${map}\\[.+\\] *=[^=].*$")
    _bpfkit_test_error(${test} "SET_MAP '${assignment}' is not of the form <map>[<key>]=<value>, "
      "e.g. \"config[0]=5\" or \"flows[{sport=1, dport=2}]={packets=3}\".")
  endif()
endfunction()

function(_bpfkit_test_check_expect_map test expectation)
  _bpfkit_test_map_name_regex(map)
  if(expectation MATCHES "^count\\(${map}\\) *== *[0-9]+$"
     OR expectation MATCHES "^${map}\\[.+\\] +absent$"
     OR expectation MATCHES "^${map}\\[.+\\](@[0-9]+)? *== *.+$")
    return()
  endif()
  _bpfkit_test_error(${test} "EXPECT_MAP '${expectation}' is not one of "
    "\"<map>[<key>] == <value>\", \"<map>[<key>]@<cpu> == <value>\", \"<map>[<key>] absent\", "
    "\"count(<map>) == <n>\".")
endfunction()

# "-$<CONFIG>" in a tree with several configurations (Ninja Multi-Config),
# else "": for files whose content differs per configuration.
function(_bpfkit_config_suffix out_var)
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi_config)
    set(${out_var} "-$<CONFIG>" PARENT_SCOPE)
  else()
    set(${out_var} "" PARENT_SCOPE)
  endif()
endfunction()

# The once-per-build-tree fixture every BPF test requires; the default build
# then also builds the tools ctest runs (BpfTools.cmake).
function(_bpfkit_test_fixture)
  get_property(done GLOBAL PROPERTY _BPFKIT_TEST_FIXTURE_DONE)
  if(done)
    return()
  endif()
  set_property(GLOBAL PROPERTY _BPFKIT_TEST_FIXTURE_DONE TRUE)
  _bpfkit_build_test_tools()
  # The setup also starts the build tree's test server, which keeps the
  # tests' objects loaded (bpfkit-test: test_server.hpp); the cleanup stops it.
  add_test(NAME bpfkit.setup COMMAND bpfkit::bpfkit-test --setup "${CMAKE_BINARY_DIR}")
  add_test(NAME bpfkit.cleanup COMMAND bpfkit::bpfkit-test --cleanup "${CMAKE_BINARY_DIR}")
  set_tests_properties(bpfkit.setup PROPERTIES
    FIXTURES_SETUP bpfkit_kernel SKIP_RETURN_CODE 77 LABELS bpf)
  set_tests_properties(bpfkit.cleanup PROPERTIES
    FIXTURES_CLEANUP bpfkit_kernel SKIP_RETURN_CODE 77 LABELS bpf)
endfunction()

# ctest properties every BPF test shares.
function(_bpfkit_test_properties test)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "TIMEOUT" "LABELS")
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 60)
  endif()
  _bpfkit_test_report_environment(environment)  # BpfCoverage.cmake
  set_tests_properties(${test} PROPERTIES
    FIXTURES_REQUIRED bpfkit_kernel
    SKIP_RETURN_CODE 77
    TIMEOUT ${arg_TIMEOUT}
    LABELS "bpf;${arg_LABELS}"
    ENVIRONMENT "${environment}")
endfunction()

# The spec lines of MIN_KERNEL and REQUIRES (ARGN). Their forms are checked
# here; the names are checked by bpfkit-test against the libbpf and the
# kernel the test runs with (a helper newer than bpfkit's headers is known
# from the kernel's BTF), and a misspelled name fails the test listing the
# known ones.
function(_bpfkit_test_requirement_lines test min_kernel out_var)
  set(lines "")
  if(NOT min_kernel STREQUAL "")
    if(NOT min_kernel MATCHES "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$")
      _bpfkit_test_error(${test} "MIN_KERNEL '${min_kernel}' is not a kernel version: "
        "write <major>.<minor>[.<patch>], e.g. MIN_KERNEL 5.10 or MIN_KERNEL 6.6.")
    endif()
    string(APPEND lines "min_kernel=${min_kernel}\n")
  endif()
  set(forms "prog:<type>, map:<type>, helper:<name>, helper:<name>@<program type> or "
    "kfunc:<name>, e.g. prog:xdp, map:ringbuf, helper:bpf_loop, helper:bpf_redirect@sched_cls, "
    "kfunc:bpf_obj_new_impl")
  list(JOIN forms "" forms)
  set(identifier "[A-Za-z_][A-Za-z0-9_]*")
  foreach(feature IN LISTS ARGN)
    if(feature MATCHES "^helper:${identifier}(@${identifier})?$" AND NOT feature MATCHES "^helper:bpf_")
      _bpfkit_test_error(${test} "REQUIRES '${feature}': helpers are named as BPF C calls them, "
        "starting with bpf_ (e.g. helper:bpf_loop).")
    elseif(NOT feature MATCHES "^(prog|map|kfunc):${identifier}$"
           AND NOT feature MATCHES "^helper:${identifier}(@${identifier})?$")
      _bpfkit_test_error(${test} "REQUIRES '${feature}' is not a requirement: write ${forms}.")
    endif()
    string(APPEND lines "requires=${feature}\n")
  endforeach()
  set(${out_var} "${lines}" PARENT_SCOPE)
endfunction()

function(_bpfkit_add_declarative_test test)
  cmake_parse_arguments(PARSE_ARGV 1 arg ""
    "OBJECT;PROGRAM;DATA_IN;PACKET;CTX_IN;REPEAT;EXPECT_RETVAL;EXPECT_DATA_OUT;MAX_VERIFIED_INSNS;EXPECT_LOAD_FAILURE;TIMEOUT;MIN_KERNEL"
    "SET_GLOBAL;SET_MAP;EXPECT_MAP;LABELS;REQUIRES")
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " unknown)
    _bpfkit_test_error(${test} "unknown arguments: ${unknown}.")
  endif()
  foreach(keyword MIN_KERNEL REQUIRES)
    if(keyword IN_LIST arg_KEYWORDS_MISSING_VALUES)
      _bpfkit_test_error(${test} "${keyword} is given without a value.")
    endif()
  endforeach()
  foreach(required OBJECT PROGRAM)
    if(NOT arg_${required})
      _bpfkit_test_error(${test} "${required} is required.")
    endif()
  endforeach()
  _bpfkit_object_bpf_target("${arg_OBJECT}" bpf_target)
  if(NOT bpf_target)
    _bpfkit_test_error(${test} "OBJECT '${arg_OBJECT}' is not an object made by bpf_add_object() "
      "(call bpf_add_object(${arg_OBJECT} ...) before bpf_add_test).")
  endif()
  if(DEFINED arg_DATA_IN AND DEFINED arg_PACKET)
    _bpfkit_test_error(${test} "DATA_IN and PACKET both give the input packet: use one.")
  endif()
  if(DEFINED arg_EXPECT_LOAD_FAILURE)
    foreach(run_option DATA_IN PACKET CTX_IN REPEAT EXPECT_RETVAL EXPECT_DATA_OUT SET_MAP EXPECT_MAP)
      if(DEFINED arg_${run_option})
        _bpfkit_test_error(${test} "EXPECT_LOAD_FAILURE expects the load to fail, so nothing runs: "
          "${run_option} cannot be used with it.")
      endif()
    endforeach()
  endif()

  set(spec "object=$<TARGET_FILE:${bpf_target}>\nprogram=${arg_PROGRAM}\ntest=${test}\n")
  # bpfkit-test prints the rerun command from the build directory: the one
  # format every bpfkit test runner shares (bpfkit/testing/rerun.hpp).
  string(APPEND spec "build_dir=${CMAKE_BINARY_DIR}\n")
  foreach(file_option DATA_IN CTX_IN EXPECT_DATA_OUT)
    if(DEFINED arg_${file_option})
      _bpfkit_test_file(${test} ${file_option} "${arg_${file_option}}" path)
      string(TOLOWER "${file_option}" key)
      string(APPEND spec "${key}=${path}\n")
    endif()
  endforeach()
  if(DEFINED arg_PACKET)
    string(APPEND spec "packet=${arg_PACKET}\n")
  endif()
  set(max_REPEAT 4294967295)
  set(max_MAX_VERIFIED_INSNS 1000000000)
  foreach(number_option REPEAT MAX_VERIFIED_INSNS)
    if(DEFINED arg_${number_option})
      _bpfkit_test_positive(${test} ${number_option} "${arg_${number_option}}" ${max_${number_option}})
      string(TOLOWER "${number_option}" key)
      string(APPEND spec "${key}=${arg_${number_option}}\n")
    endif()
  endforeach()
  if(DEFINED arg_EXPECT_RETVAL)
    _bpfkit_test_retval(${test} "${arg_EXPECT_RETVAL}" retval)
    string(APPEND spec "expect_retval=${retval} ${arg_EXPECT_RETVAL}\n")
  endif()
  if(DEFINED arg_EXPECT_LOAD_FAILURE)
    string(APPEND spec "expect_load_failure=${arg_EXPECT_LOAD_FAILURE}\n")
  endif()
  foreach(assignment IN LISTS arg_SET_GLOBAL)
    _bpfkit_test_check_set_global(${test} "${assignment}")
    string(APPEND spec "set_global=${assignment}\n")
  endforeach()
  foreach(assignment IN LISTS arg_SET_MAP)
    _bpfkit_test_check_set_map(${test} "${assignment}")
    string(APPEND spec "set_map=${assignment}\n")
  endforeach()
  foreach(expectation IN LISTS arg_EXPECT_MAP)
    _bpfkit_test_check_expect_map(${test} "${expectation}")
    string(APPEND spec "expect_map=${expectation}\n")
  endforeach()
  _bpfkit_test_requirement_lines(${test} "${arg_MIN_KERNEL}" requirement_lines ${arg_REQUIRES})
  string(APPEND spec "${requirement_lines}")

  string(MAKE_C_IDENTIFIER "${test}" file_name)
  # One spec per configuration where a tree has several (Ninja Multi-Config):
  # the object's path differs between them.
  _bpfkit_config_suffix(config)
  set(spec_file "${CMAKE_CURRENT_BINARY_DIR}/bpfkit_tests/${file_name}${config}.bpftest")
  file(GENERATE OUTPUT "${spec_file}" CONTENT "${spec}")

  _bpfkit_test_fixture()
  add_test(NAME ${test} COMMAND bpfkit::bpfkit-test "${spec_file}")
  _bpfkit_test_properties(${test} TIMEOUT ${arg_TIMEOUT} LABELS ${arg_LABELS})
endfunction()

# ANNOTATED: the tests are written in the BPF source (bpfkit/test.h). Which
# programs carry annotations is known only once the object is built, so a
# build step lists them into a file that ctest includes (as
# gtest_discover_tests does).
function(_bpfkit_add_annotated_test test)
  cmake_parse_arguments(PARSE_ARGV 1 arg "ANNOTATED" "OBJECT" "LABELS")
  if("MIN_KERNEL" IN_LIST ARGN OR "REQUIRES" IN_LIST ARGN)
    _bpfkit_test_error(${test} "annotated tests say what they need from the kernel in the BPF "
      "source, per program: BPFKIT_MIN_KERNEL(6.6) and BPFKIT_REQUIRES(\"helper:bpf_loop\") "
      "(bpfkit/test.h), not MIN_KERNEL or REQUIRES.")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " unknown)
    _bpfkit_test_error(${test} "unknown arguments with ANNOTATED: ${unknown}. "
      "ANNOTATED takes OBJECT and LABELS: the rest is written in the BPF source.")
  endif()
  if(NOT arg_OBJECT)
    _bpfkit_test_error(${test} "OBJECT is required.")
  endif()
  _bpfkit_object_bpf_target("${arg_OBJECT}" bpf_target)
  if(NOT bpf_target)
    _bpfkit_test_error(${test} "OBJECT '${arg_OBJECT}' is not an object made by bpf_add_object() "
      "(call bpf_add_object(${arg_OBJECT} ...) before bpf_add_test).")
  endif()
  string(MAKE_C_IDENTIFIER "${test}" file_name)
  _bpfkit_config_suffix(config)
  set(discovered "${CMAKE_CURRENT_BINARY_DIR}/bpfkit_tests/${file_name}_annotated${config}.cmake")
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/bpfkit_tests/${file_name}_include.cmake")
  list(JOIN arg_LABELS "\\;" labels)
  # The tests' ENVIRONMENT entries (BpfCoverage.cmake), one argument each.
  _bpfkit_test_report_environment(environment)
  add_custom_command(OUTPUT "${discovered}"
    COMMAND bpfkit::bpfkit-test --discover "$<TARGET_FILE:${bpf_target}>" "${test}"
            "${CMAKE_BINARY_DIR}" "${labels}" "${discovered}" ${environment}
    DEPENDS ${bpf_target} bpfkit::bpfkit-test
    COMMENT "Listing the annotated BPF tests of ${arg_OBJECT}"
    VERBATIM)
  add_custom_target(${file_name}_discover ALL DEPENDS "${discovered}")
  # ctest reads this: in a multi-config tree, the list of the configuration
  # it tests (ctest -C <config>).
  string(REPLACE "$<CONFIG>" "\${CTEST_CONFIGURATION_TYPE}" listed "${discovered}")
  file(WRITE "${include_file}"
    "if(EXISTS \"${listed}\")\n"
    "  include(\"${listed}\")\n"
    "else()\n"
    "  add_test([==[${test}_NOT_BUILT]==] [==[${test}_NOT_BUILT]==])\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
  _bpfkit_test_fixture()
endfunction()

# ctest sees the tests of a directory only when enable_testing() ran in it
# (or in a parent before add_subdirectory): say so instead of losing tests.
# enable_testing() records itself in CMAKE_TESTING_ENABLED, visible here
# because functions see their caller's variables.
function(_bpfkit_warn_if_testing_disabled caller)
  get_property(warned DIRECTORY PROPERTY _BPFKIT_TESTING_DISABLED_WARNED)
  if(CMAKE_TESTING_ENABLED OR warned)
    return()
  endif()
  set_property(DIRECTORY PROPERTY _BPFKIT_TESTING_DISABLED_WARNED TRUE)
  message(WARNING
    "${caller}: testing is not enabled in ${CMAKE_CURRENT_SOURCE_DIR}, so ctest will not "
    "run this directory's tests. Call enable_testing() (or include(CTest)) in the top-level "
    "CMakeLists.txt before the add_subdirectory() calls that add tests.")
endfunction()

function(bpf_add_test test)
  if(test STREQUAL "")
    message(FATAL_ERROR "bpf_add_test: the first argument must be the test's name.")
  endif()
  _bpfkit_warn_if_testing_disabled("bpf_add_test(${test})")
  if("ANNOTATED" IN_LIST ARGN)
    _bpfkit_add_annotated_test(${ARGV})
  elseif("GTEST" IN_LIST ARGN)
    _bpfkit_add_gtest_test(${ARGV})  # BpfTestGtest.cmake
  else()
    _bpfkit_add_declarative_test(${ARGV})
  endif()
endfunction()
