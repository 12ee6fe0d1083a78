# BpfTools: where bpfkit's host tools are.
#
#   _bpfkit_locate_tools()          records every tool's path
#   _bpfkit_tool_path(<tool> <var>) path of bpfkit-<tool> (link, cc, vmlinux, skel)
#   _bpfkit_depend_on_tools(<target>)  orders <target> after tools built here
#
# In bpfkit's own build tree the tools are targets built into one known
# directory (a language rule cannot use generator expressions, so the path
# must be fixed at configure time). From an installed package they are
# imported executables.
include_guard(GLOBAL)

set(_BPFKIT_TOOLS link cc vmlinux skel)

function(_bpfkit_locate_tools)
  set(built_here "")
  foreach(tool IN LISTS _BPFKIT_TOOLS)
    set(target bpfkit::bpfkit-${tool})
    if(NOT TARGET ${target})
      message(FATAL_ERROR
        "bpfkit: the host tool bpfkit-${tool} is missing.\n"
        "Use bpfkit through find_package(bpfkit) or add_subdirectory(<bpfkit source>).")
    endif()
    get_target_property(imported ${target} IMPORTED)
    if(imported)
      get_target_property(path ${target} LOCATION)
    else()
      get_target_property(real ${target} ALIASED_TARGET)
      get_target_property(dir ${real} RUNTIME_OUTPUT_DIRECTORY)
      set(path "${dir}/bpfkit-${tool}")
      list(APPEND built_here ${real})
    endif()
    string(TOUPPER "${tool}" TOOL)
    set_property(GLOBAL PROPERTY _BPFKIT_${TOOL}_TOOL "${path}")
  endforeach()
  set_property(GLOBAL PROPERTY _BPFKIT_TOOL_TARGETS "${built_here}")
endfunction()

function(_bpfkit_tool_path tool out_var)
  string(TOUPPER "${tool}" TOOL)
  get_property(path GLOBAL PROPERTY _BPFKIT_${TOOL}_TOOL)
  set(${out_var} "${path}" PARENT_SCOPE)
endfunction()

function(_bpfkit_depend_on_tools target)
  get_property(tool_targets GLOBAL PROPERTY _BPFKIT_TOOL_TARGETS)
  if(tool_targets)
    add_dependencies(${target} ${tool_targets})
  endif()
endfunction()
