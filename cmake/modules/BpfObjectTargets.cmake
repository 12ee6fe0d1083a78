# BpfObjectTargets: the per-object and project-wide utility targets.
#
#   _bpfkit_add_object_targets(<name> <bpf_target>)
#
# creates, for an object made by bpf_add_object():
#   <name>_verify   `bpfkit verify` on the object: the verifier's verdict per
#                   program, rejections mapped to source lines
#   <name>_stats    `bpfkit stats` on the object: verified insns, states,
#                   stack, duration, CO-RE relocations per program
# and, once per build tree, bpf_verify (every object's _verify) and
# bpf_stats (one table over every object). None is part of the default
# build: they load programs into the kernel and need its privileges.
include_guard(GLOBAL)

function(_bpfkit_add_object_targets name bpf_target)
  foreach(action verify stats)
    if(TARGET ${name}_${action})
      message(FATAL_ERROR
        "bpf_add_object(${name}): a target named '${name}_${action}' already exists; the "
        "object needs that name. Choose another object name.")
    endif()
    add_custom_target(${name}_${action}
      COMMAND bpfkit::cli ${action} "$<TARGET_FILE:${bpf_target}>"
      COMMENT "bpfkit ${action} ${name}.bpf.o"
      USES_TERMINAL
      VERBATIM)
    add_dependencies(${name}_${action} ${bpf_target})
  endforeach()

  if(NOT TARGET bpf_verify)
    add_custom_target(bpf_verify)
    # bpf_stats needs every object; it is made when the top directory ends.
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _bpfkit_add_project_stats)
  endif()
  add_dependencies(bpf_verify ${name}_verify)
  set_property(GLOBAL APPEND PROPERTY _BPFKIT_OBJECT_TARGETS ${bpf_target})
endfunction()

function(_bpfkit_add_project_stats)
  get_property(objects GLOBAL PROPERTY _BPFKIT_OBJECT_TARGETS)
  set(files "")
  foreach(object IN LISTS objects)
    list(APPEND files "$<TARGET_FILE:${object}>")
  endforeach()
  add_custom_target(bpf_stats
    COMMAND bpfkit::cli stats ${files}
    COMMENT "bpfkit stats on every BPF object"
    USES_TERMINAL
    VERBATIM)
  add_dependencies(bpf_stats ${objects})
endfunction()
