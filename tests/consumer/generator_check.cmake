# Generators that cannot build a custom language get bpfkit's error naming
# the limitation and the fix (Visual Studio and Xcode do not run on this
# machine, so the check is called as CMake would reach it).
file(MAKE_DIRECTORY "${WORK_DIR}")
foreach(generator "Visual Studio 17 2022" "Xcode")
  file(WRITE "${WORK_DIR}/check.cmake"
    "include(\"${MODULES_DIR}/BpfLanguage.cmake\")\n"
    "set(CMAKE_GENERATOR \"${generator}\")\n"
    "_bpfkit_check_generator()\n")
  execute_process(COMMAND "${CMAKE_COMMAND}" -P "${WORK_DIR}/check.cmake"
    RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  string(REGEX REPLACE "[ \n]+" " " err "${err}")
  if(rc EQUAL 0 OR NOT err MATCHES "bpfkit: the ${generator} generator cannot build BPF objects.*Use a Ninja or Makefile generator: -G Ninja, -G \"Ninja Multi-Config\"")
    message(FATAL_ERROR "${generator}: expected bpfkit's generator error, got (exit ${rc}):\n${err}")
  endif()
endforeach()
foreach(generator "Ninja" "Ninja Multi-Config" "Unix Makefiles")
  file(WRITE "${WORK_DIR}/check.cmake"
    "include(\"${MODULES_DIR}/BpfLanguage.cmake\")\n"
    "set(CMAKE_GENERATOR \"${generator}\")\n"
    "_bpfkit_check_generator()\n")
  execute_process(COMMAND "${CMAKE_COMMAND}" -P "${WORK_DIR}/check.cmake"
    RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${generator} must be accepted, got:\n${err}")
  endif()
endforeach()
