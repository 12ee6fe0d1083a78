# Writes bpfkit.1.gz and bpfkit-<command>.1.gz from the CLI's own --help.
#
#   cmake -DCLI=<bpfkit> -DHELP2MAN=<help2man> -DVERSION=<x.y.z>
#         -DINCLUDE=<bpfkit.h2m> -DOUT_DIR=<dir> -DSTAMP=<file> -P generate.cmake
#
# The commands are the ones `bpfkit --help` lists under "commands:"; each
# page is help2man run on a two-line wrapper named bpfkit-<command> (the name
# help2man puts on the page) that runs `bpfkit <command> "$@"`. Pages are
# compressed with gzip -n (no timestamp: reproducible packages). The output
# directory is replaced as a whole, so a removed command leaves no page.
foreach(var CLI HELP2MAN VERSION INCLUDE OUT_DIR STAMP)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "generate.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run_checked out_var)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "generate.cmake: '${command}' failed (${rc}):\n${out}${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# "commands:" then "  <name>  <summary>" lines up to the next blank line.
run_checked(help "${CLI}" --help)
string(REPLACE ";" "\\;" help "${help}")
string(REPLACE "\n" ";" lines "${help}")
set(commands "")
set(in_commands FALSE)
foreach(line IN LISTS lines)
  if(line MATCHES "^[Cc]ommands:")
    set(in_commands TRUE)
  elseif(in_commands AND line MATCHES "^ +([a-z][a-z0-9-]*)( +(.*))?$")
    list(APPEND commands "${CMAKE_MATCH_1}")
    set(summary_${CMAKE_MATCH_1} "${CMAKE_MATCH_3}")
  elseif(in_commands AND line STREQUAL "")
    break()
  endif()
endforeach()
if(NOT commands)
  message(FATAL_ERROR "generate.cmake: '${CLI} --help' lists no commands under 'commands:'")
endif()

set(work "${OUT_DIR}.tmp")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}/wrappers")

set(see_also "bpfkit(1)")
foreach(command IN LISTS commands)
  string(APPEND see_also ", bpfkit-${command}(1)")
endforeach()
file(READ "${INCLUDE}" common)
file(WRITE "${work}/see-also.h2m" "${common}\n[SEE ALSO]\n${see_also}\n")

# (help2man is called directly: through run_checked's ARGN, a ';' in the
# description would split it.)
function(write_page name executable description)
  execute_process(COMMAND "${HELP2MAN}" --no-info --no-discard-stderr
    "--version-string=${VERSION}" "--name=${description}"
    "--include=${work}/see-also.h2m" "--output=${work}/${name}.1" "${executable}"
    OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "generate.cmake: help2man failed on ${executable} (${rc}):\n${out}")
  endif()
  run_checked(ignored gzip -n -9 -f "${work}/${name}.1")
endfunction()

write_page(bpfkit "${CLI}" "eBPF objects from the command line: verify, inspect, load, attach, run")
foreach(command IN LISTS commands)
  set(wrapper "${work}/wrappers/bpfkit-${command}")
  file(WRITE "${wrapper}" "#!/bin/sh\nexec '${CLI}' ${command} \"$@\"\n")
  file(CHMOD "${wrapper}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  write_page(bpfkit-${command} "${wrapper}" "${summary_${command}}")
endforeach()

file(REMOVE_RECURSE "${work}/wrappers" "${work}/see-also.h2m" "${OUT_DIR}")
file(RENAME "${work}" "${OUT_DIR}")
file(TOUCH "${STAMP}")
