# BpfCoverage: BPF line and branch coverage, and the bpf_report page.
#
#   option BPFKIT_COVERAGE (default OFF)
#       With ON, every BPF test runs instrumented copies of the programs it
#       loads (bpfkit::coverage) and writes its counts as an lcov tracefile
#       under <build>/bpfkit-coverage/ (the test's environment carries
#       BPFKIT_COVERAGE_DIR). Programs the verifier rejects once instrumented
#       run plain, and the test says why coverage was not taken for them.
#
#   target bpf_coverage
#       Merges the tests' tracefiles (the host's, and the kernel matrix's
#       under <build>/vm-results/<series>/bpfkit-coverage/), with a zero count for every line of
#       every object made by bpf_add_object() (so programs no test ran show
#       0%), into <build>/bpf-coverage.info, and writes genhtml's HTML report
#       to <build>/bpf-coverage/ (Debian's lcov; without it, only the .info).
#       Prints the totals and each program's instrumentation overhead. Fails
#       with the fix when the build tree was configured without coverage.
#
#   target bpf_report
#       Writes <build>/bpf-report.html, one self-contained page: per program,
#       the verified instructions on every kernel the tests ran on (the host's
#       results under <build>/bpfkit-results/, the kernel matrix's under
#       <build>/vm-results/<series>/bpfkit-results/) against its baseline
#       (bpf_verifier_baseline's files) with the delta, the test results,
#       coverage with links into bpf-coverage/ (when bpf_coverage ran), and a
#       chart of instructions per program per kernel. Needs python3.
#
# Hooks for the other modules (called by them, not by users):
#   _bpfkit_coverage_add_object(<name> <bpf_target>)   bpf_add_object
#   _bpfkit_report_add_baseline(<file>)                bpf_verifier_baseline
#   _bpfkit_test_report_environment(<out_var>)         bpf_add_test: the
#       ENVIRONMENT entries a BPF test needs: where to write its result file
#       (BPFKIT_RESULTS_DEFAULT_DIR) and, with coverage, its tracefile
#       (BPFKIT_COVERAGE_DEFAULT_DIR). The runner writes to BPFKIT_RESULTS_DIR
#       and BPFKIT_COVERAGE_DIR instead when those are set, as
#       ci/kernel-matrix.sh does inside its VMs (whose own files vanish).
# Targets and files are per build tree (CMAKE_BINARY_DIR), so that every
# directory of a consumer, and bpfkit itself as a subproject, share them.
include_guard(GLOBAL)

option(BPFKIT_COVERAGE "Run BPF tests with coverage counters (bpf_coverage writes the report)" OFF)

set_property(GLOBAL PROPERTY _BPFKIT_COVERAGE_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/BpfCoverageScript.cmake")
# bpf_report.py: beside the modules when installed, in tools/report in the source tree.
foreach(_bpfkit_candidate
    "${CMAKE_CURRENT_LIST_DIR}/../report/bpf_report.py"
    "${CMAKE_CURRENT_LIST_DIR}/../../tools/report/bpf_report.py")
  if(EXISTS "${_bpfkit_candidate}")
    get_filename_component(_bpfkit_candidate "${_bpfkit_candidate}" ABSOLUTE)
    set_property(GLOBAL PROPERTY _BPFKIT_REPORT_SCRIPT "${_bpfkit_candidate}")
    break()
  endif()
endforeach()
unset(_bpfkit_candidate)

# Where a build tree keeps what the tests write and the targets read.
function(_bpfkit_coverage_paths out_prefix)
  set(${out_prefix}_DATA_DIR "${CMAKE_BINARY_DIR}/bpfkit-coverage" PARENT_SCOPE)
  set(${out_prefix}_RESULTS_DIR "${CMAKE_BINARY_DIR}/bpfkit-results" PARENT_SCOPE)
  set(${out_prefix}_WORK_DIR "${CMAKE_BINARY_DIR}/bpfkit/coverage" PARENT_SCOPE)
endfunction()

function(_bpfkit_test_report_environment out_var)
  _bpfkit_coverage_paths(paths)
  set(environment "BPFKIT_RESULTS_DEFAULT_DIR=${paths_RESULTS_DIR}")
  if(BPFKIT_COVERAGE)
    list(APPEND environment "BPFKIT_COVERAGE_DEFAULT_DIR=${paths_DATA_DIR}")
  endif()
  set(${out_var} "${environment}" PARENT_SCOPE)
endfunction()

function(_bpfkit_coverage_add_object name bpf_target)
  _bpfkit_coverage_define_targets()
  set_property(TARGET bpf_coverage APPEND PROPERTY BPFKIT_OBJECT_FILES "$<TARGET_FILE:${bpf_target}>")
  add_dependencies(bpf_coverage ${bpf_target})
endfunction()

function(_bpfkit_report_add_baseline file)
  _bpfkit_coverage_define_targets()
  set_property(TARGET bpf_report APPEND PROPERTY BPFKIT_BASELINE_FILES "${file}")
endfunction()

# Creates bpf_coverage and bpf_report once per build tree.
function(_bpfkit_coverage_define_targets)
  if(TARGET bpf_coverage)
    return()
  endif()
  _bpfkit_coverage_paths(paths)
  get_property(script GLOBAL PROPERTY _BPFKIT_COVERAGE_SCRIPT)
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  set(config_suffix "")
  if(multi_config)
    set(config_suffix "-$<CONFIG>")
  endif()

  # The objects' paths are known at generate time only: a file carries them.
  set(object_list "${paths_WORK_DIR}/objects${config_suffix}.txt")
  add_custom_target(bpf_coverage
    COMMAND "${CMAKE_COMMAND}"
      "-DENABLED=${BPFKIT_COVERAGE}"
      "-DTOOL=$<TARGET_FILE:bpfkit::bpfkit-coverage>"
      "-DOBJECT_LIST=${object_list}"
      "-DDATA_DIR=${paths_DATA_DIR}"
      "-DMATRIX_DIR=${CMAKE_BINARY_DIR}/vm-results"
      "-DWORK_DIR=${paths_WORK_DIR}"
      "-DOUTPUT_INFO=${CMAKE_BINARY_DIR}/bpf-coverage.info"
      "-DOUTPUT_HTML=${CMAKE_BINARY_DIR}/bpf-coverage"
      -P "${script}"
    COMMENT "Merging BPF coverage into bpf-coverage.info and bpf-coverage/"
    VERBATIM USES_TERMINAL)
  file(GENERATE OUTPUT "${object_list}" CONTENT
    "$<JOIN:$<TARGET_GENEX_EVAL:bpf_coverage,$<TARGET_PROPERTY:bpf_coverage,BPFKIT_OBJECT_FILES>>,\n>\n")

  find_program(BPFKIT_PYTHON3 NAMES python3 DOC "Python 3, for bpf_report")
  get_property(report_script GLOBAL PROPERTY _BPFKIT_REPORT_SCRIPT)
  set(baseline_list "${paths_WORK_DIR}/baselines.txt")
  if(BPFKIT_PYTHON3)
    set(report_command "${BPFKIT_PYTHON3}" "${report_script}")
  else()
    set(report_command "${CMAKE_COMMAND}" -E echo
      "bpf_report needs python3, which was not found: apt-get install python3, then configure again.")
    list(APPEND report_command COMMAND "${CMAKE_COMMAND}" -E false)
  endif()
  add_custom_target(bpf_report
    COMMAND ${report_command}
      --results "${paths_RESULTS_DIR}"
      --matrix "${CMAKE_BINARY_DIR}/vm-results"
      --coverage "${CMAKE_BINARY_DIR}/bpf-coverage.info"
      --coverage-html "${CMAKE_BINARY_DIR}/bpf-coverage"
      --programs "${paths_WORK_DIR}/programs.json"
      --baselines "${baseline_list}"
      --title "${CMAKE_PROJECT_NAME}"
      --output "${CMAKE_BINARY_DIR}/bpf-report.html"
    COMMENT "Writing bpf-report.html"
    VERBATIM USES_TERMINAL)
  file(GENERATE OUTPUT "${baseline_list}"
    CONTENT "$<JOIN:$<TARGET_PROPERTY:bpf_report,BPFKIT_BASELINE_FILES>,\n>\n")
endfunction()

_bpfkit_coverage_define_targets()
