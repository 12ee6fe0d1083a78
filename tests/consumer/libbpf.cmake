# libbpf wherever it is (tests/projects/libbpf_copy): a copy of libbpf's
# headers (marked with BPFKIT_TEST_LIBBPF_COPY) and a link to its library
# under a temporary prefix, chosen by CASE:
#   root        -DLIBBPF_ROOT=<prefix>
#   pkgconfig   PKG_CONFIG_PATH=<prefix>/lib/pkgconfig (a libbpf.pc there)
#   vendored    the project's own target, added with add_subdirectory
# Every BPF compile and the compile database carry the copy's include
# directory; host code compiles against it too.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()
set(bin "${WORK_DIR}/build")
# A space in the prefix: paths are quoted everywhere. (Not for pkg-config:
# CMake's FindPkgConfig splits its output at spaces.)
if(CASE STREQUAL "pkgconfig")
  set(prefix "${WORK_DIR}/libbpf-prefix")
else()
  set(prefix "${WORK_DIR}/libbpf prefix")
endif()

# The copy: the system's headers, the marker in bpf_helpers.h and libbpf.h.
foreach(variable includedir libdir)
  execute_process(COMMAND pkg-config --variable=${variable} libbpf
    OUTPUT_VARIABLE system_${variable} OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
endforeach()
set(system_include "${system_includedir}")
set(system_library "${system_libdir}/libbpf.so")
if(NOT EXISTS "${system_include}/bpf/bpf_helpers.h" OR NOT EXISTS "${system_library}")
  message(FATAL_ERROR "no system libbpf to copy (pkg-config libbpf: ${system_include}, ${system_library})")
endif()
file(COPY "${system_include}/bpf" DESTINATION "${prefix}/include")
foreach(header bpf_helpers.h libbpf.h)
  file(READ "${prefix}/include/bpf/${header}" text)
  file(WRITE "${prefix}/include/bpf/${header}" "#define BPFKIT_TEST_LIBBPF_COPY 1\n${text}")
endforeach()
file(MAKE_DIRECTORY "${prefix}/lib/pkgconfig")
file(CREATE_LINK "${system_library}" "${prefix}/lib/libbpf.so" SYMBOLIC)
file(WRITE "${prefix}/lib/pkgconfig/libbpf.pc"
  "prefix=${prefix}\nlibdir=\${prefix}/lib\nincludedir=\${prefix}/include\n\n"
  "Name: libbpf\nDescription: BPF library (test copy)\nVersion: 1.1.2\n"
  "Libs: -L\${libdir} -lbpf\nRequires.private: libelf zlib\nCflags: -I\${includedir}\n")

if(CASE STREQUAL "root")
  consumer_configure("${PROJECTS_DIR}/libbpf_copy" "${bin}" ARGS "-DLIBBPF_ROOT=${prefix}")
elseif(CASE STREQUAL "pkgconfig")
  consumer_configure("${PROJECTS_DIR}/libbpf_copy" "${bin}"
    ENV "PKG_CONFIG_PATH=${prefix}/lib/pkgconfig")
elseif(CASE STREQUAL "vendored")
  consumer_configure("${PROJECTS_DIR}/libbpf_copy" "${bin}" ARGS -DVENDORED=ON "-DLIBBPF_COPY=${prefix}")
else()
  message(FATAL_ERROR "unknown CASE '${CASE}'")
endif()
consumer_build("${bin}")

file(READ "${bin}/compile_commands.json" commands)
string(REGEX MATCH "\"command\": \"[^\n]*copy_user\\.bpf\\.c\"" bpf_command "${commands}")
if(prefix MATCHES " ")
  set(expected "-isystem \\\"${prefix}/include\\\"")
else()
  set(expected "-isystem ${prefix}/include ")
endif()
string(FIND "${bpf_command}" "${expected}" at)
if(at LESS 0)
  message(FATAL_ERROR "compile_commands.json: the BPF compile lacks -isystem \"${prefix}/include\":\n${bpf_command}")
endif()
