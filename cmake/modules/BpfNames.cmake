# BpfNames: the name tables bpfkit shares between CMake and C++.
#
#   _bpfkit_retval_names(<out-var>)
#       Every symbolic return code as NAME=value (XDP_PASS=2, TC_ACT_SHOT=2,
#       ...), from bpfkit/retval_names.def.
#   _bpfkit_reserved_name(<name> <out-scope-var> <out-reason-var>)
#       Whether <name> is reserved (bpfkit/reserved_names.def): the scope
#       (cxx, namespace or target) and the reason, or "" and "".
#
# Both tables are X-macro files in bpfkit's BPF include directory (the
# source tree's bpf/include, or the installed copy), so the C++ side (the
# test runner, the CLI, bpfkit-skel) compiles the very same lines. Each is
# parsed once per configure and kept in a global property: nothing here
# depends on the calling directory.
include_guard(GLOBAL)

# Path of bpfkit/<name> in bpfkit's BPF include directory; a missing file is
# a broken installation.
function(_bpfkit_name_table_file name out_var)
  get_property(include_dir GLOBAL PROPERTY _BPFKIT_BPF_INCLUDE_DIR)
  set(file "${include_dir}/bpfkit/${name}")
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR
      "bpfkit: ${file} is missing: this bpfkit installation is incomplete.\n"
      "Reinstall bpfkit (cmake --install <bpfkit build dir>).")
  endif()
  set(${out_var} "${file}" PARENT_SCOPE)
endfunction()

# The entries of an X-macro table: every line `<macro>(<a>, <b>, <c>)`, as
# the list "<a>|<b>|<c>" (the fields must not contain '|' or ';').
function(_bpfkit_read_name_table name macro out_var)
  _bpfkit_name_table_file(${name} file)
  file(STRINGS "${file}" lines REGEX "^${macro}\\(")
  set(entries "")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "^${macro}\\(([a-z]+), *([A-Za-z_][A-Za-z0-9_]*), *(-?[0-9]+|\"[^\"|]*\")\\)$")
      message(FATAL_ERROR "bpfkit: ${file}: malformed entry '${line}' (expected ${macro}(a, b, c)).")
    endif()
    set(first "${CMAKE_MATCH_1}")
    set(second "${CMAKE_MATCH_2}")
    string(REGEX REPLACE "^\"(.*)\"$" "\\1" third "${CMAKE_MATCH_3}")
    list(APPEND entries "${first}|${second}|${third}")
  endforeach()
  if(NOT entries)
    message(FATAL_ERROR "bpfkit: ${file} has no ${macro}(...) entries.")
  endif()
  set(${out_var} "${entries}" PARENT_SCOPE)
endfunction()

function(_bpfkit_retval_names out_var)
  get_property(names GLOBAL PROPERTY _BPFKIT_RETVAL_NAMES)
  if(NOT names)
    _bpfkit_read_name_table(retval_names.def BPFKIT_RETVAL entries)
    foreach(entry IN LISTS entries)
      string(REPLACE "|" ";" fields "${entry}")
      list(GET fields 1 name)
      list(GET fields 2 value)
      list(APPEND names "${name}=${value}")
    endforeach()
    set_property(GLOBAL PROPERTY _BPFKIT_RETVAL_NAMES "${names}")
  endif()
  set(${out_var} "${names}" PARENT_SCOPE)
endfunction()

function(_bpfkit_reserved_name name out_scope out_reason)
  get_property(entries GLOBAL PROPERTY _BPFKIT_RESERVED_NAMES)
  if(NOT entries)
    _bpfkit_read_name_table(reserved_names.def BPFKIT_RESERVED_NAME entries)
    set_property(GLOBAL PROPERTY _BPFKIT_RESERVED_NAMES "${entries}")
  endif()
  set(scope "")
  set(reason "")
  # A target-scope entry wins: it applies with or without a skeleton.
  foreach(entry IN LISTS entries)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 1 reserved)
    if(reserved STREQUAL name)
      list(GET fields 0 entry_scope)
      if(NOT scope OR entry_scope STREQUAL "target")
        set(scope "${entry_scope}")
        list(GET fields 2 reason)
      endif()
    endif()
  endforeach()
  set(${out_scope} "${scope}" PARENT_SCOPE)
  set(${out_reason} "${reason}" PARENT_SCOPE)
endfunction()
