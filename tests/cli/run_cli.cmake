# Runs one `bpfkit` command and checks its exit status and output.
#
#   cmake -DSPEC=<spec.cmake> -P run_cli.cmake
#
# The spec (written by cli_test() in CMakeLists.txt) sets:
#   CLI          the bpfkit executable
#   ARGS         its arguments
#   EXIT         the expected exit status
#   EXPECT       regexes that must all match stdout+stderr
#   REJECT       regexes that must not match
#   ENVIRONMENT  VAR=value settings for the command
#   JSON_KEYS    stdout must be a JSON array whose objects have these keys
#   PRIVILEGED   needs to load BPF: reported as skipped (not passed) when the
#                command says it lacks the privilege
#   ROOT         reported as skipped unless run as root
#   UNPRIVILEGED run without privileges: as root, through setpriv as uid
#                65534 with every capability dropped, on copies of CLI and
#                INPUTS in a fresh directory (the build tree may not be
#                readable by that uid); otherwise as the current user
#   INPUTS       files of ARGS to copy for UNPRIVILEGED runs
# Skips print "SKIPPED: <why>", which the test's SKIP_REGULAR_EXPRESSION matches.
cmake_minimum_required(VERSION 3.20)
include("${SPEC}")

execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(ROOT AND NOT uid STREQUAL "0")
  message("SKIPPED: needs root (running as uid ${uid})")
  return()
endif()

set(prefix "")
if(ENVIRONMENT)
  set(prefix "${CMAKE_COMMAND}" -E env ${ENVIRONMENT})
endif()

set(scratch "")
if(UNPRIVILEGED AND uid STREQUAL "0")
  string(RANDOM LENGTH 10 suffix)
  set(scratch "/tmp/bpfkit-cli-test-${suffix}")
  file(MAKE_DIRECTORY "${scratch}")
  file(CHMOD "${scratch}" DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  set(copies "")
  foreach(file IN LISTS CLI INPUTS)
    get_filename_component(name "${file}" NAME)
    file(COPY "${file}" DESTINATION "${scratch}" FILE_PERMISSIONS
      OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    set(replaced "")
    foreach(arg IN LISTS ARGS)
      if(arg STREQUAL file)
        set(arg "${scratch}/${name}")
      endif()
      list(APPEND replaced "${arg}")
    endforeach()
    set(ARGS "${replaced}")
  endforeach()
  get_filename_component(cli_name "${CLI}" NAME)
  set(CLI "${scratch}/${cli_name}")
  list(APPEND prefix setpriv --reuid=65534 --regid=65534 --clear-groups
    --inh-caps=-all --bounding-set=-all)
  set(working_directory "${scratch}")
else()
  set(working_directory "${CMAKE_CURRENT_BINARY_DIR}")
endif()

execute_process(COMMAND ${prefix} "${CLI}" ${ARGS}
  WORKING_DIRECTORY "${working_directory}"
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(scratch)
  file(REMOVE_RECURSE "${scratch}")
endif()

string(JOIN " " shown ${ARGS})
set(report "command: bpfkit ${shown}\nexit status: ${status}\n--- stdout ---\n${out}--- stderr ---\n${err}")
if(PRIVILEGED AND status EQUAL 4 AND NOT EXIT EQUAL 4)
  message("SKIPPED: no privilege to load BPF programs\n${report}")
  return()
endif()

set(problems "")
if(NOT status STREQUAL "${EXIT}")
  string(APPEND problems "expected exit status ${EXIT}, got ${status}\n")
endif()
set(all "${out}${err}")
foreach(regex IN LISTS EXPECT)
  if(NOT all MATCHES "${regex}")
    string(APPEND problems "output does not match: ${regex}\n")
  endif()
endforeach()
foreach(regex IN LISTS REJECT)
  if(all MATCHES "${regex}")
    string(APPEND problems "output must not match: ${regex}\n")
  endif()
endforeach()
if(JSON_KEYS)
  string(JSON count ERROR_VARIABLE json_error LENGTH "${out}")
  if(json_error)
    string(APPEND problems "stdout is not valid JSON: ${json_error}\n")
  elseif(count EQUAL 0)
    string(APPEND problems "the JSON array is empty\n")
  else()
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      foreach(key IN LISTS JSON_KEYS)
        string(JSON value ERROR_VARIABLE json_error GET "${out}" ${i} ${key})
        if(json_error)
          string(APPEND problems "JSON element ${i} has no key '${key}'\n")
        endif()
      endforeach()
    endforeach()
  endif()
endif()

if(problems)
  message(FATAL_ERROR "${problems}${report}")
endif()
message("${report}")
