# BpfCoverageScript: what the bpf_coverage target runs (cmake -P), defined in
# BpfCoverage.cmake. Inputs (-D): ENABLED, TOOL (bpfkit-coverage), OBJECT_LIST
# (a file naming every BPF object), DATA_DIR (the tests' tracefiles),
# MATRIX_DIR (ci/kernel-matrix.sh's results: <series>/bpfkit-coverage/),
# WORK_DIR, OUTPUT_INFO, OUTPUT_HTML.
#
# Writes OUTPUT_INFO atomically (bpfkit-coverage), then genhtml's report into
# a temporary directory that replaces OUTPUT_HTML only once it is complete.
cmake_minimum_required(VERSION 3.20)

if(NOT ENABLED)
  message(FATAL_ERROR
    "bpf_coverage: this build tree was configured without coverage, so the BPF tests "
    "counted nothing. Configure it with -DBPFKIT_COVERAGE=ON (or the coverage preset: "
    "cmake --preset coverage), run ctest, then build bpf_coverage again.")
endif()

file(MAKE_DIRECTORY "${WORK_DIR}")
file(STRINGS "${OBJECT_LIST}" objects)
set(existing "")
foreach(object IN LISTS objects)
  if(EXISTS "${object}")
    list(APPEND existing "${object}")
  endif()
endforeach()

# Every line of every object, with a count of 0, and what each program is.
set(initial "${WORK_DIR}/initial.info")
set(inputs "")
if(existing)
  execute_process(
    COMMAND "${TOOL}" initial -o "${initial}" --programs "${WORK_DIR}/programs.json" ${existing}
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "bpf_coverage: bpfkit-coverage initial failed (exit status ${status}).")
  endif()
  list(APPEND inputs "${initial}")
endif()

# The host's tests, and those the kernel matrix ran on other kernels.
file(GLOB matrix_dirs LIST_DIRECTORIES true "${MATRIX_DIR}/*/bpfkit-coverage")
set(any_data FALSE)
foreach(dir IN ITEMS "${DATA_DIR}" LISTS matrix_dirs)
  file(GLOB tracefiles "${dir}/*.info")
  if(tracefiles)
    list(APPEND inputs "${dir}")
    set(any_data TRUE)
  endif()
endforeach()
if(NOT any_data)
  message(WARNING
    "bpf_coverage: no test has written coverage data to ${DATA_DIR} yet: run ctest first. "
    "The report shows every line as not run.")
endif()
if(NOT inputs)
  message(FATAL_ERROR "bpf_coverage: no BPF objects and no coverage data: nothing to report.")
endif()

execute_process(COMMAND "${TOOL}" merge -o "${OUTPUT_INFO}" ${inputs} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "bpf_coverage: merging the tracefiles failed (exit status ${status}).")
endif()

find_program(GENHTML genhtml)
if(NOT GENHTML)
  message(WARNING
    "bpf_coverage: genhtml was not found (apt-get install lcov): wrote ${OUTPUT_INFO} only.")
  return()
endif()
set(staging "${OUTPUT_HTML}.tmp")
file(REMOVE_RECURSE "${staging}")
# --no-prefix keeps each source's full path in the page names, which
# bpf_report links to; a source that cannot be read is reported, not fatal.
execute_process(
  COMMAND "${GENHTML}" --quiet --branch-coverage --no-prefix --legend
          --title "BPF coverage" --ignore-errors source
          --output-directory "${staging}" "${OUTPUT_INFO}"
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(REMOVE_RECURSE "${staging}")
  message(FATAL_ERROR "bpf_coverage: genhtml failed (exit status ${status}) on ${OUTPUT_INFO}.")
endif()
file(REMOVE_RECURSE "${OUTPUT_HTML}")
file(RENAME "${staging}" "${OUTPUT_HTML}")
message(STATUS "BPF coverage report: ${OUTPUT_HTML}/index.html")
