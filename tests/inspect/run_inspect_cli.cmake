# Runs one `bpfkit btf|core` command through tests/cli/run_cli.cmake (which
# documents the spec), after putting the Debian 6.1 BTF's path in place of
# @KERNEL_6_1@ in its arguments; reports the test skipped, with the reason,
# when the inspect.kernel_btf_6.1 fixture could not obtain that BTF. The spec
# may also set JSON: keys that stdout, a JSON object, must have.
#
#   cmake -DSPEC=<spec.cmake> -DKERNEL_61_RESULT=<file> -DRUN_CLI=<run_cli.cmake> -P run_inspect_cli.cmake
cmake_minimum_required(VERSION 3.20)
file(READ "${SPEC}" spec)
if(spec MATCHES "@KERNEL_6_1@")
  set(btf "")
  set(reason "the inspect.kernel_btf_6.1 fixture did not run")
  if(EXISTS "${KERNEL_61_RESULT}")
    file(STRINGS "${KERNEL_61_RESULT}" lines)
    foreach(line IN LISTS lines)
      if(line MATCHES "^path=(.*)$")
        set(btf "${CMAKE_MATCH_1}")
      elseif(line MATCHES "^skip=(.*)$")
        set(reason "${CMAKE_MATCH_1}")
      endif()
    endforeach()
  endif()
  if(NOT btf)
    message("SKIPPED: ${reason}")
    return()
  endif()
  string(REPLACE "@KERNEL_6_1@" "${btf}" spec "${spec}")
endif()
set(SPEC "${SPEC}.resolved")
file(WRITE "${SPEC}" "${spec}")
include("${RUN_CLI}")
if(JSON)
  foreach(key IN LISTS JSON)
    string(JSON value ERROR_VARIABLE json_error GET "${out}" ${key})
    if(json_error)
      message(FATAL_ERROR "stdout is not a JSON object with the key '${key}': ${json_error}")
    endif()
  endforeach()
endif()
