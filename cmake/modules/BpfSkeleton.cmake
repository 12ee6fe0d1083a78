# BpfSkeleton: the typed C++ skeleton header of a BPF object.
#
#   _bpfkit_add_skeleton(<name> <bpf_target>)
#
# Runs bpfkit-skel on $<TARGET_FILE:<bpf_target>> to generate
#   ${CMAKE_CURRENT_BINARY_DIR}/bpfkit_skel/<name>/<name>.skel.hpp
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
  # The name becomes the skeleton's C++ namespace.
  set(cxx_keywords alignas alignof and and_eq asm auto bitand bitor bool break case catch
    char char16_t char32_t char8_t class co_await co_return co_yield compl concept const
    const_cast consteval constexpr constinit continue decltype default delete do double
    dynamic_cast else enum explicit export extern false float for friend goto if inline int
    long mutable namespace new noexcept not not_eq nullptr operator or or_eq private
    protected public register reinterpret_cast requires return short signed sizeof static
    static_assert static_cast struct switch template this thread_local throw true try
    typedef typeid typename union unsigned using virtual void volatile wchar_t while xor
    xor_eq)
  if(name IN_LIST cxx_keywords)
    message(FATAL_ERROR
      "bpf_add_object(${name}): '${name}' is a C++ keyword and cannot name the skeleton's "
      "C++ namespace. Rename the object (e.g. ${name}_prog), or pass NO_SKELETON.")
  endif()
  if(TARGET ${name}_skel)
    message(FATAL_ERROR
      "bpf_add_object(${name}): a target named '${name}_skel' already exists; the "
      "skeleton needs that name. Choose another object name.")
  endif()

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/bpfkit_skel/${name}")
  set(header "${dir}/${name}.skel.hpp")
  _bpfkit_tool_path(skel skel_tool)
  file(MAKE_DIRECTORY "${dir}")
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
