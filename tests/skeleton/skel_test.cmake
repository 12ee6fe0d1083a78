# Runs one skeleton.* test case that is not a GoogleTest (see CMakeLists.txt).
#
#   cmake -DCASE=<case> -DWORK_DIR=<scratch dir> [case variables] -P skel_test.cmake
#
# Cases:
#   compile          COMPILER SOURCE ENV_FILE [EXPECT_FAILURE EXPECT_OUTPUT]
#                    compiles SOURCE with -std=c++20 -Wall -Wextra -Werror and the
#                    include directories ENV_FILE lists; with EXPECT_FAILURE the
#                    compile must fail and its output match every EXPECT_OUTPUT
#   standalone       PROGRAM OBJECT: runs a copy of PROGRAM elsewhere while OBJECT
#                    (its .bpf.o) is moved away
#   generate_and_compile  TOOL OBJECT NAME COMPILERS ENV_FILE: generates NAME's
#                    skeleton from OBJECT and compiles it with each compiler
#   cli_<name>       TOOL CLANG MULTIARCH BPF_INCLUDE CASES_DIR HOST_CC OBJECT
#                    HEADER CXX ENV_FILE PYTHON CORRUPT_BTF_NAME: bpfkit-skel's
#                    errors, usage, determinism, name safety and output directory
# Prints "bpfkit-test-skip: <why>" when the machine cannot run the case.
cmake_minimum_required(VERSION 3.20)

function(fail what)
  message(FATAL_ERROR "FAILED: ${what}")
endfunction()

function(skip why)
  message("bpfkit-test-skip: ${why}")
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# --- compile checks ------------------------------------------------------------

if(CASE STREQUAL "compile")
  if(NOT COMPILER)
    skip("no such compiler on this machine")
    return()
  endif()
  include("${ENV_FILE}")  # sets INCLUDE_DIRS
  set(flags -std=c++20 -Wall -Wextra -Werror -fsyntax-only)
  foreach(dir IN LISTS INCLUDE_DIRS)
    list(APPEND flags "-I${dir}")
  endforeach()
  execute_process(COMMAND "${COMPILER}" ${flags} "${SOURCE}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT EXPECT_FAILURE)
    if(NOT rc EQUAL 0)
      fail("${COMPILER} rejects ${SOURCE}:\n${out}")
    endif()
    message("${COMPILER}: compiles cleanly")
    return()
  endif()
  if(rc EQUAL 0)
    fail("${COMPILER} compiled ${SOURCE}, which must not compile")
  endif()
  foreach(regex IN LISTS EXPECT_OUTPUT)
    if(NOT out MATCHES "${regex}")
      fail("${COMPILER}'s error does not match '${regex}':\n${out}")
    endif()
  endforeach()
  message("${COMPILER}: rejected as expected")
  return()
endif()

# --- a skeleton generated here, compiled with several compilers ------------------

if(CASE STREQUAL "generate_and_compile")
  execute_process(COMMAND "${TOOL}" --name ${NAME} -o "${WORK_DIR}/${NAME}.skel.hpp" "${OBJECT}"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("bpfkit-skel failed on ${OBJECT}:\n${err}")
  endif()
  file(WRITE "${WORK_DIR}/use.cpp" "#include \"${NAME}.skel.hpp\"\nint main() { return 0; }\n")
  include("${ENV_FILE}")  # sets INCLUDE_DIRS
  set(flags -std=c++20 -Wall -Wextra -Werror -fsyntax-only "-I${WORK_DIR}")
  foreach(dir IN LISTS INCLUDE_DIRS)
    list(APPEND flags "-I${dir}")
  endforeach()
  set(compiled 0)
  foreach(compiler IN LISTS COMPILERS)
    if(NOT compiler)
      continue()
    endif()
    execute_process(COMMAND "${compiler}" ${flags} "${WORK_DIR}/use.cpp"
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      string(SUBSTRING "${out}" 0 4000 out)
      fail("${compiler} rejects the generated ${NAME}.skel.hpp:\n${out}")
    endif()
    message("${compiler}: compiles cleanly")
    math(EXPR compiled "${compiled} + 1")
  endforeach()
  if(compiled EQUAL 0)
    skip("no C++ compiler to check with")
  endif()
  return()
endif()

# --- standalone ----------------------------------------------------------------

if(CASE STREQUAL "standalone")
  # The program must not need its .bpf.o: move the object away and run a copy
  # of the program from another directory. The object is put back whatever
  # happens.
  get_filename_component(name "${PROGRAM}" NAME)
  file(COPY "${PROGRAM}" DESTINATION "${WORK_DIR}/bin")
  file(RENAME "${OBJECT}" "${OBJECT}.moved-by-skeleton.standalone")
  execute_process(COMMAND "${WORK_DIR}/bin/${name}" WORKING_DIRECTORY "${WORK_DIR}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  file(RENAME "${OBJECT}.moved-by-skeleton.standalone" "${OBJECT}")
  message("${out}${err}")
  if(NOT rc EQUAL 0)
    fail("the program failed without its .bpf.o (exit ${rc})")
  endif()
  if(NOT out MATCHES "opened answer=41")
    fail("the skeleton did not open from its embedded object")
  endif()
  if(out MATCHES "skipped: ")
    skip("loading needs privileges (CAP_BPF or root)")
  elseif(NOT out MATCHES "retval=42")
    fail("the program did not run as the object says (expected retval=42)")
  endif()
  return()
endif()

# --- bpfkit-skel's command line --------------------------------------------------

if(NOT CASE MATCHES "^cli_(.+)$")
  fail("unknown CASE '${CASE}'")
endif()
set(cli_case "${CMAKE_MATCH_1}")

set(bpf_flags -target bpf -O2 -c -idirafter "${BPF_INCLUDE}")
if(MULTIARCH)
  list(APPEND bpf_flags -idirafter "/usr/include/${MULTIARCH}")
endif()

# Compiles CASES_DIR/<source> for BPF into WORK_DIR/<object>.
function(compile_fixture source object)
  cmake_parse_arguments(PARSE_ARGV 2 arg "NO_DEBUG" "" "")
  set(flags ${bpf_flags})
  if(NOT arg_NO_DEBUG)
    list(APPEND flags -g)
  endif()
  execute_process(COMMAND "${CLANG}" ${flags} "${CASES_DIR}/${source}" -o "${object}"
    WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("cannot compile fixture ${source}:\n${err}")
  endif()
endfunction()

# Runs bpfkit-skel in WORK_DIR (so messages show short names); sets rc, out
# (stdout) and err (stderr) in the caller.
macro(run_skel)
  execute_process(COMMAND "${TOOL}" ${ARGN} WORKING_DIRECTORY "${WORK_DIR}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
endmacro()

# The run must have failed with `code` and one error line matching `regex`
# (ONE_LINE: and nothing else, not even a hint), and left no output (nor
# temporary) behind.
function(expect_error code regex)
  cmake_parse_arguments(PARSE_ARGV 2 arg "ONE_LINE" "" "")
  if(NOT rc EQUAL code)
    fail("exit status ${rc}, expected ${code}; stderr:\n${err}")
  endif()
  if(NOT err MATCHES "${regex}")
    fail("stderr does not match '${regex}':\n${err}")
  endif()
  string(REGEX MATCHALL "(^|\n)bpfkit-skel: error: " errors "${err}")
  list(LENGTH errors error_count)
  string(REGEX MATCHALL "\n" lines "${err}")
  list(LENGTH lines line_count)
  if(NOT error_count EQUAL 1 OR (arg_ONE_LINE AND NOT line_count EQUAL 1))
    fail("expected exactly one error line (ONE_LINE: and no hint), got:\n${err}")
  endif()
  file(GLOB left "${WORK_DIR}/out.skel.hpp*")
  if(left)
    fail("output left behind after the error: ${left}")
  endif()
  message("as expected: ${err}")
endfunction()

if(cli_case STREQUAL "no_btf")
  compile_fixture(no_btf.bpf.c no_btf.bpf.o NO_DEBUG)
  run_skel(-o out.skel.hpp no_btf.bpf.o)
  expect_error(3 "^bpfkit-skel: error: no_btf\\.bpf\\.o: no \\.BTF section[^\n]*compile [^\n]*-g" ONE_LINE)
elseif(cli_case STREQUAL "stale_output_removed")
  compile_fixture(no_btf.bpf.c no_btf.bpf.o NO_DEBUG)
  file(WRITE "${WORK_DIR}/out.skel.hpp" "// a skeleton left by an earlier, successful build\n")
  run_skel(-o out.skel.hpp no_btf.bpf.o)
  expect_error(3 "no \\.BTF section")
elseif(cli_case STREQUAL "missing_file")
  run_skel(-o out.skel.hpp not_built.bpf.o)
  expect_error(3 "^bpfkit-skel: error: not_built\\.bpf\\.o: cannot open: No such file or directory")
elseif(cli_case STREQUAL "not_elf")
  file(COPY "${CASES_DIR}/not_an_object.txt" DESTINATION "${WORK_DIR}")
  run_skel(-o out.skel.hpp not_an_object.txt)
  expect_error(3 "^bpfkit-skel: error: not_an_object\\.txt: not an ELF file")
elseif(cli_case STREQUAL "host_elf")
  execute_process(COMMAND "${HOST_CC}" -O2 -c "${CASES_DIR}/host_object.host.c" -o host_object.o
    WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE compiled ERROR_VARIABLE compile_err)
  if(NOT compiled EQUAL 0)
    fail("cannot compile the host fixture:\n${compile_err}")
  endif()
  run_skel(-o out.skel.hpp host_object.o)
  expect_error(3 "^bpfkit-skel: error: host_object\\.o: ELF for [^,]+, not BPF")
elseif(cli_case STREQUAL "directory")
  file(MAKE_DIRECTORY "${WORK_DIR}/objects.d")
  run_skel(-o out.skel.hpp objects.d)
  expect_error(3 "^bpfkit-skel: error: objects\\.d: not a regular file")
elseif(cli_case STREQUAL "event_unknown_map")
  compile_fixture(event_unknown_map.bpf.c event_unknown_map.bpf.o)
  run_skel(-o out.skel.hpp event_unknown_map.bpf.o)
  expect_error(3 "event type is declared for ring buffer 'evnets', but the object defines no map of that name")
elseif(cli_case STREQUAL "event_not_ringbuf")
  compile_fixture(event_not_ringbuf.bpf.c event_not_ringbuf.bpf.o)
  run_skel(-o out.skel.hpp event_not_ringbuf.bpf.o)
  expect_error(3 "map 'counts', which is not a ring buffer")
elseif(cli_case STREQUAL "injection")
  # Names from the object are data: none may become code in the header.
  compile_fixture(injection.bpf.c injection.bpf.o)
  run_skel(-o out.skel.hpp injection.bpf.o)
  if(NOT rc EQUAL 0)
    fail("bpfkit-skel failed:\n${err}")
  endif()
  file(READ "${WORK_DIR}/out.skel.hpp" header)
  foreach(expected
      [=[// SEC("tc\012 static inline const int pwned = (__builtin_putchar(73), 0);\012//")]=]
      [=[// SEC("xdp\\")]=]
      [=[  // ".data.spliced\\"]=])
    string(FIND "${header}" "${expected}" at)
    if(at EQUAL -1)
      fail("the header does not hold the escaped name ${expected}")
    endif()
  endforeach()
  if(header MATCHES "\\\\\n")
    fail("a line of the header ends with a backslash")
  endif()
  # Comments vanish in preprocessing: what is left of the names is code.
  include("${ENV_FILE}")  # sets INCLUDE_DIRS
  set(flags -std=c++20 -Wall -Wextra -Werror "-I${WORK_DIR}")
  foreach(dir IN LISTS INCLUDE_DIRS)
    list(APPEND flags "-I${dir}")
  endforeach()
  file(WRITE "${WORK_DIR}/use.cpp" "#include \"out.skel.hpp\"\n")
  execute_process(COMMAND "${CXX}" ${flags} -E "${WORK_DIR}/use.cpp"
    RESULT_VARIABLE rc OUTPUT_VARIABLE preprocessed ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("the header does not preprocess:\n${err}")
  endif()
  # The object's own bytes (a string literal) hold the name too, after an
  # escaped newline; as code it would start a line.
  if(preprocessed MATCHES "(^|\n)[ \t]*static inline const int pwned")
    fail("the section name reached the code of the header")
  endif()
  execute_process(COMMAND "${CXX}" ${flags} -fsyntax-only "${WORK_DIR}/use.cpp"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("the header does not compile:\n${err}")
  endif()
  message("names stayed in comments and string literals")
elseif(cli_case STREQUAL "corrupt_name")
  # A name offset past the string section (libbpf 1.1: a NULL name).
  compile_fixture(corrupt_name.bpf.c intact.bpf.o)
  execute_process(COMMAND "${PYTHON}" "${CORRUPT_BTF_NAME}" intact.bpf.o corrupt.bpf.o CORRUPT_ME
    WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("cannot corrupt the fixture:\n${err}")
  endif()
  run_skel(-o out.skel.hpp corrupt.bpf.o)
  expect_error(3 "^bpfkit-skel: error: corrupt\\.bpf\\.o: malformed BTF: BTF type \\[[0-9]+\\] \\(enum\\), enumerator 1 has a name offset \\([0-9]+\\) past the end of the string section\n  hint: rebuild the object")
elseif(cli_case STREQUAL "usage_no_output")
  run_skel(some.bpf.o)
  expect_error(2 "bpfkit-skel: error: no output file.*usage: bpfkit-skel")
elseif(cli_case STREQUAL "usage_bad_name")
  run_skel(--name 1st -o out.skel.hpp some.bpf.o)
  expect_error(2 "--name '1st' cannot be a C\\+\\+ namespace")
elseif(cli_case STREQUAL "usage_keyword_name")
  run_skel(--name class -o out.skel.hpp some.bpf.o)
  expect_error(2 "--name 'class' cannot be a C\\+\\+ namespace")
elseif(cli_case STREQUAL "output_dir_created")
  # The build runs no mkdir before bpfkit-skel: it creates the directory.
  file(COPY "${OBJECT}" DESTINATION "${WORK_DIR}")
  get_filename_component(object_name "${OBJECT}" NAME)
  run_skel(--name layout -o new/dir/out.skel.hpp "${object_name}")
  if(NOT rc EQUAL 0 OR NOT EXISTS "${WORK_DIR}/new/dir/out.skel.hpp")
    fail("bpfkit-skel did not write new/dir/out.skel.hpp (exit ${rc}):\n${err}")
  endif()
  message("wrote new/dir/out.skel.hpp")
elseif(cli_case STREQUAL "output_dir_blocked")
  # A file where the output's directory should be: an error naming it.
  file(COPY "${OBJECT}" DESTINATION "${WORK_DIR}")
  get_filename_component(object_name "${OBJECT}" NAME)
  file(WRITE "${WORK_DIR}/blocker" "a file, not a directory\n")
  run_skel(--name layout -o blocker/dir/out.skel.hpp "${object_name}")
  expect_error(3 "^bpfkit-skel: error: blocker/dir: cannot create the directory: Not a directory" ONE_LINE)
  if(EXISTS "${WORK_DIR}/blocker/dir")
    fail("blocker/dir exists")
  endif()
elseif(cli_case STREQUAL "deterministic")
  # Twice from the same object: byte-identical, and identical to the header
  # the build generated from it.
  get_filename_component(header_name "${HEADER}" NAME)
  string(REGEX REPLACE "\\.skel\\.hpp$" "" name "${header_name}")
  get_filename_component(object_name "${OBJECT}" NAME)
  file(COPY "${OBJECT}" DESTINATION "${WORK_DIR}")
  run_skel(--name ${name} -o first.skel.hpp "${object_name}")
  if(NOT rc EQUAL 0)
    fail("bpfkit-skel failed:\n${err}")
  endif()
  run_skel(--name ${name} -o second.skel.hpp "${object_name}")
  file(SHA256 "${WORK_DIR}/first.skel.hpp" first)
  file(SHA256 "${WORK_DIR}/second.skel.hpp" second)
  file(SHA256 "${HEADER}" built)
  if(NOT first STREQUAL second)
    fail("two runs on the same object differ")
  endif()
  if(NOT first STREQUAL built)
    fail("the build's ${header_name} differs from a fresh run on the same object")
  endif()
  message("deterministic: ${first}")
else()
  fail("unknown CASE '${CASE}'")
endif()
