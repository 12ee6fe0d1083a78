# BpfHostPch: one precompiled header of the runtime headers that skeletons
# include, shared by the host targets that include skeletons.
#
#   bpf_precompile_skeleton_headers(<target>...)
#
# Every C++ source of each <target> is compiled with the standard and
# bpfkit headers a generated <name>.skel.hpp includes first (<array>,
# <cstddef>, <cstdint>, <span>, <utility> and <bpfkit/error.hpp>,
# <bpfkit/hash_map.hpp>, <bpfkit/link.hpp>, <bpfkit/object.hpp>,
# <bpfkit/program.hpp>) taken from one precompiled header per build tree:
# target bpfkit_skeleton_pch, made by the first call, in the caller's
# directory, linked to bpfkit::bpfkit, so that it is compiled with the flags
# the caller's own targets get there. Targets compiled with other flags
# (another -std, definitions, -fPIC...) compile the same headers as text:
# GCC ignores a precompiled header that was built with incompatible flags
# (a warning, never an error here: -Wno-error=invalid-pch). Only with GCC:
# clang refuses a mismatching PCH instead, so with another host compiler
# the call changes nothing and the targets compile as written.
#
# Opt-in, because a forced include changes what a source means when it does
# not include a skeleton, or defines macros before its own includes.
include_guard(GLOBAL)

function(bpf_precompile_skeleton_headers)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "")
  set(targets ${arg_UNPARSED_ARGUMENTS})
  if(NOT targets)
    message(FATAL_ERROR
      "bpf_precompile_skeleton_headers: no target given. Write "
      "bpf_precompile_skeleton_headers(<target>...) with the executables or libraries "
      "whose sources include skeletons.")
  endif()
  foreach(target IN LISTS targets)
    _bpfkit_check_pch_target("${target}")
  endforeach()
  # Another host compiler (clang) errors on a precompiled header built with
  # other flags rather than ignoring it: compile as written.
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    return()
  endif()
  _bpfkit_skeleton_pch_target(pch_target)
  foreach(target IN LISTS targets)
    target_precompile_headers(${target} REUSE_FROM ${pch_target})
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wno-error=invalid-pch>)
  endforeach()
endfunction()

function(_bpfkit_check_pch_target target)
  if(NOT TARGET "${target}")
    message(FATAL_ERROR
      "bpf_precompile_skeleton_headers: '${target}' is not a target. Call it after "
      "add_executable()/add_library() of the targets whose sources include skeletons.")
  endif()
  get_target_property(type ${target} TYPE)
  get_target_property(imported ${target} IMPORTED)
  get_target_property(aliased ${target} ALIASED_TARGET)
  if(imported OR aliased OR NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
    message(FATAL_ERROR
      "bpf_precompile_skeleton_headers: '${target}' is not a target that compiles "
      "sources here (an INTERFACE, imported or alias target, such as a bpf_add_object() "
      "object). Pass the executables or libraries that link it.")
  endif()
  get_target_property(own ${target} PRECOMPILE_HEADERS)
  get_target_property(reused ${target} PRECOMPILE_HEADERS_REUSE_FROM)
  if(own OR reused)
    message(FATAL_ERROR
      "bpf_precompile_skeleton_headers: '${target}' already has precompiled headers of its "
      "own (target_precompile_headers); a target takes one. Add the skeleton headers to "
      "yours, or leave '${target}' out.")
  endif()
endfunction()

# The build tree's shared skeleton PCH target, made on first use.
function(_bpfkit_skeleton_pch_target out_var)
  set(pch_target bpfkit_skeleton_pch)
  if(NOT TARGET ${pch_target})
    # The PCH target compiles one empty source; its objects are never linked.
    set(source "${CMAKE_CURRENT_BINARY_DIR}/bpfkit_skeleton_pch/pch.cpp")
    file(CONFIGURE OUTPUT "${source}" CONTENT
      "// Compiled only to build the skeleton headers' precompiled header (BpfHostPch.cmake).\n")
    add_library(${pch_target} OBJECT EXCLUDE_FROM_ALL "${source}")
    target_link_libraries(${pch_target} PRIVATE bpfkit::bpfkit)
    # What every skeleton includes, before the typed-map headers of its own
    # map kinds (hash_map.hpp is the most common; the others stay textual).
    target_precompile_headers(${pch_target} PRIVATE
      <array> <cstddef> <cstdint> <span> <utility>
      <bpfkit/error.hpp> <bpfkit/hash_map.hpp> <bpfkit/link.hpp> <bpfkit/object.hpp>
      <bpfkit/program.hpp>)
  endif()
  set(${out_var} ${pch_target} PARENT_SCOPE)
endfunction()
