# BpfTestGtest: the GoogleTest mode of bpf_add_test (BpfTest.cmake).
#
#   bpf_add_test(<test> GTEST SOURCES <test.cpp>... [LINK <object-or-library>...]
#                [LABELS <label>...] [TIMEOUT <seconds>])
#
# builds the executable <test> (characters other than letters, digits and
# _ . + - become _) from SOURCES, linked with bpfkit::testing, its main()
# (bpfkit::testing_main, unless SOURCES define one) and the LINK targets:
# typically bpf_add_object names, which give their <name>.skel.hpp. Each test
# case becomes the ctest test <test>.<Suite>.<Case> (gtest_discover_tests)
# that requires the fixture bpfkit_kernel (bpfkit.setup/bpfkit.cleanup), is
# labelled bpf plus LABELS, and reports skipped when the case calls
# GTEST_SKIP() (bpfkit::testing's fixtures do without the privilege to load
# BPF). A failed case prints the ctest command that reruns it.
include_guard(GLOBAL)
include(GoogleTest)

function(_bpfkit_add_gtest_test test)
  cmake_parse_arguments(PARSE_ARGV 1 arg "GTEST" "TIMEOUT" "SOURCES;LINK;LABELS")
  if("MIN_KERNEL" IN_LIST ARGN OR "REQUIRES" IN_LIST ARGN)
    _bpfkit_test_error(${test} "GoogleTest cases say what they need from the kernel in C++: "
      "BPFKIT_REQUIRE_KERNEL(\"6.6\", \"helper:bpf_loop\") in the case or its SetUp() "
      "(bpfkit/testing/requirements.hpp), not MIN_KERNEL or REQUIRES.")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS " " unknown)
    _bpfkit_test_error(${test} "unknown arguments with GTEST: ${unknown}. "
      "GTEST takes SOURCES, LINK, LABELS and TIMEOUT (OBJECT, PROGRAM and the EXPECT_* "
      "options are for declarative tests: check with GoogleTest assertions instead).")
  endif()
  if("SOURCES" IN_LIST arg_KEYWORDS_MISSING_VALUES OR NOT arg_SOURCES)
    _bpfkit_test_error(${test} "GTEST needs SOURCES <test.cpp>...: the GoogleTest sources of the test.")
  endif()
  foreach(keyword LINK LABELS TIMEOUT)
    if(keyword IN_LIST arg_KEYWORDS_MISSING_VALUES)
      _bpfkit_test_error(${test} "${keyword} is given without a value.")
    endif()
  endforeach()
  set(sources "")
  foreach(source IN LISTS arg_SOURCES)
    get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${path}")
      get_source_file_property(generated "${path}" GENERATED)
      if(source MATCHES "^[A-Z][A-Z0-9_]*$" AND NOT generated)
        _bpfkit_test_error(${test} "'${source}' is neither a source file nor a keyword of "
          "bpf_add_test(GTEST), which takes SOURCES, LINK, LABELS and TIMEOUT.")
      elseif(NOT generated)
        _bpfkit_test_error(${test} "source '${source}' does not exist (looked for ${path}).")
      endif()
    endif()
    list(APPEND sources "${path}")
  endforeach()
  foreach(item IN LISTS arg_LINK)
    if(NOT TARGET "${item}" AND item MATCHES "^[A-Z][A-Z0-9_]*$")
      _bpfkit_test_error(${test} "'${item}' is neither a target to LINK nor a keyword of "
        "bpf_add_test(GTEST), which takes SOURCES, LINK, LABELS and TIMEOUT.")
    elseif(NOT TARGET "${item}")
      _bpfkit_test_error(${test} "LINK '${item}' is not a target. LINK takes objects made by "
        "bpf_add_object() and libraries made by add_library() or imported, defined before "
        "bpf_add_test.")
    endif()
  endforeach()
  if(NOT DEFINED arg_TIMEOUT)
    set(arg_TIMEOUT 60)
  endif()
  _bpfkit_test_positive(${test} TIMEOUT "${arg_TIMEOUT}")

  if(NOT TARGET bpfkit::testing)
    _bpfkit_test_error(${test} "GTEST needs bpfkit::testing, which this bpfkit was built without: "
      "GoogleTest with GoogleMock was not found when bpfkit was configured. Install them "
      "(apt-get install libgtest-dev libgmock-dev), then configure bpfkit again.")
  endif()
  # bpfkit::testing's headers use GoogleTest and GoogleMock: their imported
  # targets must be visible here.
  if(NOT TARGET GTest::gtest OR NOT TARGET GTest::gmock)
    find_package(GTest QUIET)
  endif()
  if(NOT TARGET GTest::gtest OR NOT TARGET GTest::gmock)
    _bpfkit_test_error(${test} "GTEST needs GoogleTest with GoogleMock (find_package(GTest) "
      "found no GTest::gtest and GTest::gmock). Install libgtest-dev and libgmock-dev.")
  endif()

  string(REGEX REPLACE "[^A-Za-z0-9_.+-]" "_" target "${test}")
  if(TARGET "${target}")
    _bpfkit_test_error(${test} "a target named '${target}' already exists: the test's "
      "executable needs that name. Pick another test name.")
  endif()
  add_executable(${target} ${sources})
  target_link_libraries(${target} PRIVATE bpfkit::testing bpfkit::testing_main ${arg_LINK})

  _bpfkit_test_fixture()
  # A file and variable name unique to this test ("a.b" and "a_b" differ).
  string(MAKE_C_IDENTIFIER "${test}" id)
  string(MD5 hash "${test}")
  string(SUBSTRING "${hash}" 0 8 hash)
  string(APPEND id "_${hash}")
  set(test_list "_bpfkit_gtest_${id}_TESTS")
  gtest_discover_tests(${target}
    TEST_PREFIX "${test}."
    TEST_LIST ${test_list}
    PROPERTIES
      FIXTURES_REQUIRED bpfkit_kernel
      SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]"
      TIMEOUT ${arg_TIMEOUT})
  # Properties whose values are lists do not survive gtest_discover_tests'
  # PROPERTIES (the discovery script splits them into separate arguments),
  # so LABELS, and each case's own ctest name for the rerun command a failure
  # prints (bpfkit::testing's rerun listener), are set by a file that ctest
  # includes after the discovered tests.
  set(labels bpf ${arg_LABELS})
  list(REMOVE_DUPLICATES labels)
  # The result and coverage directories (BpfCoverage.cmake) too.
  _bpfkit_test_report_environment(environment)
  list(JOIN environment ";" environment)
  set(properties_file "${CMAKE_CURRENT_BINARY_DIR}/bpfkit_tests/${id}_gtest_properties.cmake")
  file(WRITE "${properties_file}"
    "foreach(_bpfkit_test IN LISTS ${test_list})\n"
    "  set_tests_properties(\"\${_bpfkit_test}\" PROPERTIES\n"
    "    LABELS [==[${labels}]==]\n"
    "    ENVIRONMENT \"BPFKIT_CTEST_NAME=\${_bpfkit_test};BPFKIT_CTEST_DIR=${CMAKE_BINARY_DIR};${environment}\")\n"
    "endforeach()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${properties_file}")
endfunction()
