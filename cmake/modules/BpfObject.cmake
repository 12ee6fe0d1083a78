# BpfObject: bpf_add_object(), one linked BPF object from BPF C sources.
#
#   bpf_add_object(<name>
#     SOURCES <a.bpf.c> ...
#     [INCLUDE_DIRECTORIES <dir>...] [COMPILE_DEFINITIONS <def>...]
#     [COMPILE_OPTIONS <opt>...] [NO_SKELETON])
#
# Creates
#   <name>_bpf  builds <name>.bpf.o: every source compiled by the BPF
#               language, then linked by bpfkit-link ($<TARGET_FILE:<name>_bpf>).
#   <name>      INTERFACE library for host code: orders the build after the
#               object and links libbpf; unless NO_SKELETON, it also gives the
#               include directory of the generated <name>.skel.hpp and links
#               bpfkit::bpfkit (see BpfSkeleton.cmake).
#   <name>_skel generates <name>.skel.hpp (part of the default build), unless
#               NO_SKELETON.
#   <name>_verify, <name>_stats, and project-wide bpf_verify, bpf_stats:
#               the CLI's verify and stats on the object (BpfObjectTargets).
# The object's path is also recorded in the BPFKIT_OBJECT_FILE property of
# <name> for tools that cannot evaluate generator expressions.
include_guard(GLOBAL)

# A macro, so that enabling the language reaches the caller's directory (or,
# from inside a function, is scheduled for its end: see BpfLanguage.cmake).
macro(bpf_add_object)
  _bpfkit_enable_bpf_language()
  _bpfkit_add_object(${ARGV})
endmacro()

# The BPF target (<name>_bpf) of an object made by bpf_add_object(), or ""
# when <name> is not such an object: the one check every function that
# takes an OBJECT makes.
function(_bpfkit_object_bpf_target name out_var)
  set(bpf_target "")
  if(TARGET ${name})
    get_target_property(bpf_target ${name} BPFKIT_BPF_TARGET)
    if(NOT bpf_target)
      set(bpf_target "")
    endif()
  endif()
  set(${out_var} "${bpf_target}" PARENT_SCOPE)
endfunction()

function(_bpfkit_check_object_args name no_skeleton)
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    string(MAKE_C_IDENTIFIER "${name}" suggestion)
    message(FATAL_ERROR
      "bpf_add_object: '${name}' is not a C identifier. The name becomes the "
      "skeleton's C++ namespace; use letters, digits and '_' (e.g. ${suggestion}) "
      "and do not start with a digit.")
  endif()
  # The one list of reserved names, shared with bpfkit-skel (BpfNames.cmake).
  _bpfkit_reserved_name("${name}" scope reason)
  if(scope STREQUAL "target")
    message(FATAL_ERROR
      "bpf_add_object(${name}): '${name}' cannot name an object: it is ${reason}. "
      "Rename the object (e.g. ${name}_prog).")
  elseif(scope AND NOT no_skeleton)
    message(FATAL_ERROR
      "bpf_add_object(${name}): '${name}' cannot name the skeleton's C++ namespace: it is "
      "${reason}. Rename the object (e.g. ${name}_prog), or pass NO_SKELETON.")
  endif()
  foreach(target IN ITEMS ${name} ${name}_bpf)
    if(TARGET ${target})
      message(FATAL_ERROR
        "bpf_add_object(${name}): a target named '${target}' already exists. "
        "Choose another object name.")
    endif()
  endforeach()
endfunction()

# Resolves SOURCES against the current source directory and checks them.
function(_bpfkit_object_sources name out_var)
  set(resolved "")
  foreach(source IN LISTS ARGN)
    get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${path}" AND NOT source MATCHES "\\$<")
      get_source_file_property(generated "${path}" GENERATED)
      if(NOT generated AND source MATCHES "^[A-Z][A-Z_]+$")
        message(FATAL_ERROR
          "bpf_add_object(${name}): '${source}' is neither a source file nor a keyword of "
          "bpf_add_object. Known keywords: SOURCES INCLUDE_DIRECTORIES COMPILE_DEFINITIONS "
          "COMPILE_OPTIONS NO_SKELETON.")
      elseif(NOT generated)
        message(FATAL_ERROR
          "bpf_add_object(${name}): source '${source}' does not exist "
          "(looked for ${path}).")
      endif()
    endif()
    if(NOT path MATCHES "\\.(c|cpp|cc|cxx)$")
      message(FATAL_ERROR
        "bpf_add_object(${name}): source '${source}' is not a C or C++ file. "
        "BPF sources are named like prog.bpf.c (C) or prog.bpf.cpp (C++).")
    endif()
    list(APPEND resolved "${path}")
  endforeach()
  set(${out_var} "${resolved}" PARENT_SCOPE)
endfunction()

function(_bpfkit_add_object name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_SKELETON" ""
    "SOURCES;INCLUDE_DIRECTORIES;COMPILE_DEFINITIONS;COMPILE_OPTIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "bpf_add_object(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}. "
      "Known: SOURCES INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_OPTIONS NO_SKELETON.")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "bpf_add_object(${name}): SOURCES is required (the BPF .bpf.c files).")
  endif()
  _bpfkit_check_object_args("${name}" ${arg_NO_SKELETON})
  _bpfkit_object_sources("${name}" sources ${arg_SOURCES})

  set(bpf_target ${name}_bpf)
  add_executable(${bpf_target} ${sources})
  set_source_files_properties(${sources} PROPERTIES LANGUAGE BPF)
  set_target_properties(${bpf_target} PROPERTIES
    OUTPUT_NAME ${name}
    SUFFIX .bpf.o
    LINKER_LANGUAGE BPF
    SKIP_BUILD_RPATH ON)
  target_include_directories(${bpf_target} PRIVATE ${arg_INCLUDE_DIRECTORIES})
  target_compile_definitions(${bpf_target} PRIVATE ${arg_COMPILE_DEFINITIONS})
  target_compile_options(${bpf_target} PRIVATE ${arg_COMPILE_OPTIONS})
  _bpfkit_object_system_headers(${bpf_target})
  _bpfkit_object_compile_launcher(${bpf_target})

  # Relink when the link step itself changes.
  _bpfkit_tool_path(link link_tool)
  set_property(TARGET ${bpf_target} APPEND PROPERTY LINK_DEPENDS "${link_tool}")
  _bpfkit_depend_on_tools(${bpf_target})

  add_library(${name} INTERFACE)
  target_link_libraries(${name} INTERFACE bpfkit::libbpf)
  add_dependencies(${name} ${bpf_target})
  set_target_properties(${name} PROPERTIES
    BPFKIT_OBJECT_FILE "$<TARGET_FILE:${bpf_target}>"
    BPFKIT_BPF_TARGET ${bpf_target})
  if(NOT arg_NO_SKELETON)
    _bpfkit_add_skeleton(${name} ${bpf_target})
  endif()
  _bpfkit_add_object_targets(${name} ${bpf_target})
  _bpfkit_coverage_add_object(${name} ${bpf_target})
endfunction()

# Include directories every BPF compile gets after the user's own: bpfkit's
# BPF headers, the generated vmlinux.h and libbpf's headers (CMake leaves out
# those clang searches anyway, such as /usr/include). The object waits for
# vmlinux.h.
function(_bpfkit_object_system_headers target)
  get_property(bpfkit_include GLOBAL PROPERTY _BPFKIT_BPF_INCLUDE_DIR)
  _bpfkit_vmlinux_include_dir(vmlinux_dir)
  _bpfkit_libbpf_bpf_include_dirs(libbpf_dirs)
  target_include_directories(${target} SYSTEM AFTER PRIVATE
    ${bpfkit_include} ${vmlinux_dir} ${libbpf_dirs})
  if(vmlinux_dir)
    add_dependencies(${target} bpf_vmlinux_h)
  endif()
endfunction()

# Every BPF compile runs through bpfkit-cc: it precompiles vmlinux.h for the
# compile's own flags and uses it when the source's first #include resolves
# to the generated vmlinux.h, then runs CMAKE_BPF_COMPILER_LAUNCHER (ccache,
# sccache, distcc...) if set. CMake applies neither PCHs nor launchers to
# custom languages itself.
function(_bpfkit_object_compile_launcher target)
  _bpfkit_tool_path(cc cc_tool)
  set(launcher "\"${cc_tool}\"")
  _bpfkit_vmlinux_include_dir(vmlinux_dir)
  if(vmlinux_dir)
    _bpfkit_vmlinux_pch_dir(pch_dir)
    string(APPEND launcher " --vmlinux \"${vmlinux_dir}/vmlinux.h\" --pch-dir \"${pch_dir}\"")
  endif()
  # Like CMAKE_<LANG>_COMPILER_LAUNCHER: the variable, else the environment.
  if(DEFINED CMAKE_BPF_COMPILER_LAUNCHER)
    set(words "${CMAKE_BPF_COMPILER_LAUNCHER}")
  else()
    set(words "$ENV{CMAKE_BPF_COMPILER_LAUNCHER}")
  endif()
  foreach(word IN LISTS words)
    string(APPEND launcher " --launcher \"${word}\"")
  endforeach()
  string(APPEND launcher " --")
  set_property(TARGET ${target} PROPERTY RULE_LAUNCH_COMPILE "${launcher}")
endfunction()
