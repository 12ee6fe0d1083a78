# The same sources give byte-identical objects across rebuilds and build
# directories.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
foreach(tree first second)
  consumer_configure("${PROJECTS_DIR}/multi" "${WORK_DIR}/${tree}")
  consumer_build("${WORK_DIR}/${tree}")
endforeach()
file(COPY_FILE "${WORK_DIR}/first/multi.bpf.o" "${WORK_DIR}/before-rebuild.bpf.o")
consumer_build("${WORK_DIR}/first" ARGS --clean-first)
foreach(other "${WORK_DIR}/second/multi.bpf.o" "${WORK_DIR}/before-rebuild.bpf.o")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK_DIR}/first/multi.bpf.o" "${other}"
    RESULT_VARIABLE differ)
  if(differ)
    message(FATAL_ERROR "multi.bpf.o differs from ${other}")
  endif()
endforeach()
