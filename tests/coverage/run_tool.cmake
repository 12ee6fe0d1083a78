# Runs bpfkit-coverage once and checks what it did.
#
#   cmake -DCOMMAND=<tool|arg|...> -DEXIT=<status> [-DEXPECT=<regex>]
#         [-DCREATES=<file>] [-DLEAVES_NO=<file>] [-DWORK=<dir>] -P run_tool.cmake
#
# COMMAND separates the tool and its arguments with '|'. EXPECT must match
# stdout+stderr; CREATES must exist afterwards, LEAVES_NO must not (nor any
# temporary beside it). WORK is emptied first and is the working directory.
cmake_minimum_required(VERSION 3.20)
string(REPLACE "|" ";" command "${COMMAND}")
if(WORK)
  file(REMOVE_RECURSE "${WORK}")
  file(MAKE_DIRECTORY "${WORK}")
else()
  set(WORK "${CMAKE_CURRENT_BINARY_DIR}")
endif()
execute_process(COMMAND ${command} WORKING_DIRECTORY "${WORK}"
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
message("${all}")
if(NOT status STREQUAL EXIT)
  message(FATAL_ERROR "exit status ${status}, expected ${EXIT}")
endif()
if(DEFINED EXPECT AND NOT all MATCHES "${EXPECT}")
  message(FATAL_ERROR "the output does not match: ${EXPECT}")
endif()
if(CREATES AND NOT EXISTS "${WORK}/${CREATES}")
  message(FATAL_ERROR "${CREATES} was not written")
endif()
if(LEAVES_NO)
  file(GLOB leftovers "${WORK}/${LEAVES_NO}" "${WORK}/${LEAVES_NO}.tmp*")
  if(leftovers)
    message(FATAL_ERROR "left behind: ${leftovers}")
  endif()
endif()
