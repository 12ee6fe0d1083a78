# BpfTools: where bpfkit's host tools are.
#
#   _bpfkit_locate_tools()          records every tool's path
#   _bpfkit_tool_location(<tool> <path var> <target var>)
#                                   where one tool is, and the target that
#                                   builds it here (also optional tools such
#                                   as bpfkit-check)
#   _bpfkit_tool_path(<tool> <var>) path of bpfkit-<tool> (link, cc, vmlinux, skel)
#   _bpfkit_tool_is_imported(<var>) TRUE when the tools come from an installed
#                                   package (they exist at configure time)
#   _bpfkit_depend_on_tools(<target>)  orders <target> after the build tools
#                                   built here (link, cc, vmlinux, skel)
#   _bpfkit_build_test_tools()      makes the default build build the tools
#                                   that ctest runs (bpfkit-test,
#                                   bpfkit-baseline) when they are built here
#
# In bpfkit's own build tree, and when bpfkit is a subproject, the tools are
# targets built into one known directory (a language rule cannot use
# generator expressions, so the path must be fixed at configure time). From an
# installed package they are imported executables. Everything is kept in
# global properties: the functions work from any directory of a consumer.
include_guard(GLOBAL)

function(_bpfkit_locate_tools)
  set(built_here "")
  set(imported_tools FALSE)
  foreach(tool IN ITEMS link cc vmlinux skel)
    _bpfkit_tool_location(bpfkit-${tool} path real)
    if(NOT path)
      message(FATAL_ERROR
        "bpfkit: the host tool bpfkit-${tool} is missing.\n"
        "Use bpfkit through find_package(bpfkit) or add_subdirectory(<bpfkit source>).")
    endif()
    if(real)
      list(APPEND built_here ${real})
    else()
      set(imported_tools TRUE)
    endif()
    string(TOUPPER "${tool}" TOOL)
    set_property(GLOBAL PROPERTY _BPFKIT_${TOOL}_TOOL "${path}")
  endforeach()
  set_property(GLOBAL PROPERTY _BPFKIT_TOOL_TARGETS "${built_here}")
  set_property(GLOBAL PROPERTY _BPFKIT_TOOLS_IMPORTED ${imported_tools})
endfunction()

# Where the host tool <tool> (bpfkit-link, bpfkit-check, ...) is: an imported
# target's file, or the fixed path of one built in this tree. <out_target>
# is the target that builds it ("" when imported); both are "" when there
# is no such tool.
function(_bpfkit_tool_location tool out_path out_target)
  set(path "")
  set(real "")
  if(TARGET bpfkit::${tool})
    get_target_property(imported bpfkit::${tool} IMPORTED)
    if(imported)
      get_target_property(path bpfkit::${tool} LOCATION)
    else()
      get_target_property(real bpfkit::${tool} ALIASED_TARGET)
      get_target_property(dir ${real} RUNTIME_OUTPUT_DIRECTORY)
      string(REPLACE "$<0:>" "" dir "${dir}")
      get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
      if(multi_config)
        # Multi-config generators add a directory per configuration unless
        # the property holds a generator expression: keep the fixed path.
        set_target_properties(${real} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${dir}$<0:>")
      endif()
      set(path "${dir}/${tool}")
    endif()
  endif()
  set(${out_path} "${path}" PARENT_SCOPE)
  set(${out_target} "${real}" PARENT_SCOPE)
endfunction()

function(_bpfkit_tool_path tool out_var)
  string(TOUPPER "${tool}" TOOL)
  get_property(path GLOBAL PROPERTY _BPFKIT_${TOOL}_TOOL)
  set(${out_var} "${path}" PARENT_SCOPE)
endfunction()

function(_bpfkit_tool_is_imported out_var)
  get_property(imported GLOBAL PROPERTY _BPFKIT_TOOLS_IMPORTED)
  set(${out_var} ${imported} PARENT_SCOPE)
endfunction()

function(_bpfkit_depend_on_tools target)
  get_property(tool_targets GLOBAL PROPERTY _BPFKIT_TOOL_TARGETS)
  if(tool_targets)
    add_dependencies(${target} ${tool_targets})
  endif()
endfunction()

# ctest runs bpfkit-test and bpfkit-baseline but builds nothing: when bpfkit
# is a subproject added with EXCLUDE_FROM_ALL, nothing else would build them.
# One target in the default build depends on them (once per build tree).
function(_bpfkit_build_test_tools)
  if(TARGET bpfkit_test_tools)
    return()
  endif()
  add_custom_target(bpfkit_test_tools ALL)
  foreach(tool IN ITEMS bpfkit::bpfkit-test bpfkit::bpfkit-baseline)
    if(TARGET ${tool})
      get_target_property(imported ${tool} IMPORTED)
      if(NOT imported)
        get_target_property(real ${tool} ALIASED_TARGET)
        add_dependencies(bpfkit_test_tools ${real})
      endif()
    endif()
  endforeach()
endfunction()
