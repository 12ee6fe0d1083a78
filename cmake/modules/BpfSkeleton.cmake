# BpfSkeleton: the typed C++ skeleton header of a BPF object.
#
#   _bpfkit_add_skeleton(<name> <bpf_target>)
#
# Runs bpfkit-skel on $<TARGET_FILE:<bpf_target>> to generate
#   ${CMAKE_CURRENT_BINARY_DIR}/bpfkit_skel/<name>/<name>.skel.hpp
# (bpfkit_skel/<config>/<name>/... with a multi-config generator)
# (one directory per object, so that linking <name> makes exactly
# `#include "<name>.skel.hpp"` visible). The header is regenerated when the
# object is relinked or bpfkit-skel changes, and is part of the default
# build (target <name>_skel). The INTERFACE target <name> (made by
# bpf_add_object) gets the include directory, links bpfkit::bpfkit (the
# runtime the skeleton is written against) and orders its users after the
# generation. The header's path is recorded in the BPFKIT_SKELETON_HEADER
# property of <name>.
include_guard(GLOBAL)

function(_bpfkit_add_skeleton name bpf_target)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "_bpfkit_add_skeleton(${name}): unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${name} OR NOT TARGET ${bpf_target})
    message(FATAL_ERROR "_bpfkit_add_skeleton(${name}): targets ${name} and ${bpf_target} must exist")
  endif()
  # Names that cannot be the skeleton's namespace were refused by
  # bpf_add_object() (BpfNames.cmake: the list bpfkit-skel reads too).
  if(TARGET ${name}_skel)
    message(FATAL_ERROR
      "bpf_add_object(${name}): a target named '${name}_skel' already exists; the "
      "skeleton needs that name. Choose another object name.")
  endif()

  # With several configurations in one tree, one header per configuration:
  # each embeds that configuration's object.
  _bpfkit_config_suffix(config)
  string(REPLACE "-$<CONFIG>" "$<CONFIG>/" config_dir "${config}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/bpfkit_skel/${config_dir}${name}")
  set(header "${dir}/${name}.skel.hpp")
  _bpfkit_tool_path(skel skel_tool)
  add_custom_command(
    OUTPUT "${header}"
    COMMAND "${skel_tool}" --name ${name} -o "${header}" "$<TARGET_FILE:${bpf_target}>"
    # A target name: the object is built first and its file is a dependency.
    DEPENDS ${bpf_target} "${skel_tool}"
    COMMENT "Generating BPF skeleton ${name}.skel.hpp"
    VERBATIM)
  add_custom_target(${name}_skel ALL DEPENDS "${header}")
  _bpfkit_depend_on_tools(${name}_skel)

  target_include_directories(${name} INTERFACE "${dir}")
  target_link_libraries(${name} INTERFACE bpfkit::bpfkit)
  add_dependencies(${name} ${name}_skel)
  set_target_properties(${name} PROPERTIES BPFKIT_SKELETON_HEADER "${header}")
endfunction()
