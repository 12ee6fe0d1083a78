# bpfkit-check, bpfkit-cxx-headers, bpfkit-vmlinux --cxx and bpfkit-link on
# C++ objects as commands: one CASE per run, each checking the exit status,
# the message and what is (not) written. Given: CHECK, HEADERS, VMLINUX, LINK
# (the tools), CLANG, CLANGS (every installed clang), INCLUDES (the include
# directories of a C++ object of this build), MIXED_DIR (where that object's
# compiles went), LIBBPF_ROOT, BTF, PITFALLS (tests/cxx/pitfalls), SOURCES
# (tests/cxx), WORK_DIR.
include("${CMAKE_CURRENT_LIST_DIR}/../cmake/ConsumerTest.cmake")
consumer_reset()

function(expect_exit rc expected what output)
  if(NOT rc EQUAL expected)
    message(FATAL_ERROR "${what}: expected exit status ${expected}, got ${rc}:\n${output}")
  endif()
endfunction()

set(flags -target bpf -O2 -g -D__TARGET_ARCH_x86)
set(cxx_flags ${flags} -std=gnu++20 -fno-exceptions -fno-rtti -fno-autolink -fno-addrsig
  -fstandalone-debug)
set(include_flags "")
foreach(dir IN LISTS INCLUDES)
  list(APPEND include_flags "-I${dir}")
endforeach()
execute_process(COMMAND "${CLANG}" -print-multiarch OUTPUT_VARIABLE multiarch
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(multiarch)
  list(APPEND include_flags -idirafter "/usr/include/${multiarch}")
endif()

if(CASE STREQUAL "check_usage")
  consumer_run(out rc "${CHECK}")
  expect_exit(${rc} 2 "bpfkit-check without arguments" "${out}")
  expect_match("${out}" "give -p BUILD_DIR, or a compile command after --" "its message")
  consumer_run(out rc "${CHECK}" --frobnicate)
  expect_exit(${rc} 2 "an unknown option" "${out}")
  expect_match("${out}" "unexpected argument '--frobnicate'" "its message")
  consumer_run(out rc "${CHECK}" -- "${CLANG}" ${flags})
  expect_exit(${rc} 2 "a command without a source" "${out}")
  expect_match("${out}" "no `-c <source>` in the command" "its message")
  consumer_run(out rc "${CHECK}" --compile --compiler /no/such/clang -- "${CLANG}" -c x.cpp)
  expect_exit(${rc} 2 "--compiler not in the command" "${out}")
  expect_match("${out}" "the command does not run the compiler /no/such/clang" "its message")
  consumer_run(out rc "${CHECK}" --help)
  expect_exit(${rc} 0 "--help" "${out}")
  expect_match("${out}" "usage: bpfkit-check -p BUILD_DIR" "the help")

elseif(CASE STREQUAL "check_c_passes_through")
  set(object "${WORK_DIR}/clean.o")
  consumer_run(out rc "${CHECK}" --compile --compiler "${CLANG}" --
    "${CLANG}" ${flags} ${include_flags} -c "${SOURCES}/tools/clean.bpf.c" -o "${object}")
  expect_exit(${rc} 0 "a C source through --compile" "${out}")
  if(NOT EXISTS "${object}")
    message(FATAL_ERROR "the C source's object was not written")
  endif()
  if(out)
    message(FATAL_ERROR "a C source compiled with output:\n${out}")
  endif()

elseif(CASE STREQUAL "check_findings")
  set(source "${PITFALLS}/core_direct_read.bpf.cpp")
  consumer_run(out rc "${CHECK}" -- "${CLANG}" ${cxx_flags} ${include_flags} -c "${source}")
  expect_exit(${rc} 1 "checking a source with a finding" "${out}")
  expect_match("${out}" "core_direct_read\\.bpf\\.cpp:6:[0-9]+: error: 'prev->pid' uses this kernel's fixed offset"
    "the finding")
  consumer_run(out rc "${CHECK}" -- "${CLANG}" ${cxx_flags} ${include_flags}
    -c "${SOURCES}/bpf/mixed.bpf.cpp")
  expect_exit(${rc} 0 "checking a clean source" "${out}")
  # Template patterns have no layout; checking them must not crash.
  consumer_run(out rc "${CHECK}" -- "${CLANG}" ${cxx_flags} ${include_flags}
    -c "${SOURCES}/tools/templates.bpf.cpp")
  expect_exit(${rc} 0 "checking a clean source with templated statics" "${out}")

elseif(CASE STREQUAL "check_removes_stale_object")
  set(object "${WORK_DIR}/stale.o")
  file(WRITE "${object}" "an object from an earlier build")
  consumer_run(out rc "${CHECK}" --compile --compiler "${CLANG}" -- "${CLANG}" ${cxx_flags}
    ${include_flags} -c "${PITFALLS}/map_in_namespace.bpf.cpp" -o "${object}")
  expect_exit(${rc} 1 "a compile with a finding" "${out}")
  expect_match("${out}" "map 'stats' is declared in namespace 'flow'" "the finding")
  if(EXISTS "${object}")
    message(FATAL_ERROR "a failed check left the earlier object ${object} behind")
  endif()

elseif(CASE STREQUAL "check_compile_error")
  set(object "${WORK_DIR}/broken.o")
  consumer_run(out rc "${CHECK}" --compile --compiler "${CLANG}" -- "${CLANG}" ${cxx_flags}
    ${include_flags} -c "${SOURCES}/tools/broken.bpf.cpp" -o "${object}")
  expect_exit(${rc} 1 "a source that does not compile" "${out}")
  expect_match("${out}" "broken\\.bpf\\.cpp:3:[0-9]+: error:" "the compiler's own error")
  expect_no_match("${out}" "bpfkit-check" "the output (the compiler explains it)")

elseif(CASE STREQUAL "check_database")
  set(db "${WORK_DIR}/db")
  file(MAKE_DIRECTORY "${db}")
  set(entries "")
  foreach(source IN ITEMS "${PITFALLS}/global_in_namespace.bpf.cpp" "${SOURCES}/bpf/mixed.bpf.cpp"
                          "${SOURCES}/tools/clean.bpf.c")
    set(arguments "")
    foreach(word IN ITEMS "${CLANG}" ${cxx_flags} ${include_flags} -c "${source}" -o x.o)
      if(source MATCHES "\\.c$" AND word MATCHES "^-std=")
        continue()
      endif()
      string(APPEND arguments "\"${word}\", ")
    endforeach()
    string(APPEND entries
      "{\"directory\": \"${db}\", \"file\": \"${source}\", \"arguments\": [${arguments}\"-fno-pic\"]},\n")
  endforeach()
  string(REGEX REPLACE ",\n$" "\n" entries "${entries}")
  file(WRITE "${db}/compile_commands.json" "[\n${entries}]\n")
  consumer_run(out rc "${CHECK}" -p "${db}")
  expect_exit(${rc} 1 "checking a database with a finding" "${out}")
  expect_match("${out}" "global_in_namespace\\.bpf\\.cpp:5:[0-9]+: error: global 'packets'" "the finding")
  consumer_run(out rc "${CHECK}" -p "${db}" "${SOURCES}/bpf/mixed.bpf.cpp")
  expect_exit(${rc} 0 "checking only the clean source" "${out}")
  consumer_run(out rc "${CHECK}" -p "${db}" "${SOURCES}/tools/clean.bpf.c")
  expect_exit(${rc} 3 "naming only a C source" "${out}")
  expect_match("${out}" "none of the sources named is a C\\+\\+ BPF source" "its message")
  consumer_run(out rc "${CHECK}" -p "${WORK_DIR}/nothing")
  expect_exit(${rc} 3 "a directory without a database" "${out}")
  expect_match("${out}" "no compile database" "its message")

elseif(CASE STREQUAL "headers_errors")
  consumer_run(out rc "${HEADERS}")
  expect_exit(${rc} 2 "bpfkit-cxx-headers without arguments" "${out}")
  expect_match("${out}" "--from and -o are required" "its message")
  consumer_run(out rc "${HEADERS}" --from "${WORK_DIR}/none" -o "${WORK_DIR}/out1")
  expect_exit(${rc} 3 "a root without libbpf headers" "${out}")
  expect_match("${out}" "none/bpf/bpf_helpers.h: no such libbpf header" "its message")
  # A libbpf whose bpf_helpers.h changed shape: nothing is written.
  file(COPY "${LIBBPF_ROOT}/bpf" DESTINATION "${WORK_DIR}/libbpf")
  file(READ "${WORK_DIR}/libbpf/bpf/bpf_helpers.h" text)
  string(REGEX REPLACE "#define __type\\(name, val\\)[^\n]*" "#define __type(n, v) v *n" text "${text}")
  file(WRITE "${WORK_DIR}/libbpf/bpf/bpf_helpers.h" "${text}")
  consumer_run(out rc "${HEADERS}" --from "${WORK_DIR}/libbpf" -o "${WORK_DIR}/out2")
  expect_exit(${rc} 3 "an unknown libbpf" "${out}")
  expect_match("${out}" "bpf_helpers.h: this libbpf header has no line to rewrite for C\\+\\+: __type\\(name, val\\)"
    "its message")
  file(GLOB_RECURSE written "${WORK_DIR}/out2/*")
  if(written)
    message(FATAL_ERROR "a failed run wrote ${written}")
  endif()

elseif(CASE STREQUAL "headers_serve_c_and_cxx")
  consumer_run(out rc "${HEADERS}" --from "${LIBBPF_ROOT}" -o "${WORK_DIR}/views")
  expect_exit(${rc} 0 "bpfkit-cxx-headers" "${out}")
  file(WRITE "${WORK_DIR}/all.h"
    "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_core_read.h>\n"
    "#include <bpf/bpf_tracing.h>\n#include <bpf/bpf_endian.h>\n"
    "SEC(\"xdp\") int f(struct xdp_md *ctx) { return bpf_htons(1) + (NULL == (void *)0); }\n"
    "char LICENSE[] SEC(\"license\") = \"GPL\";\n")
  foreach(language IN ITEMS c c++)
    set(std "")
    if(language STREQUAL "c++")
      set(std -std=gnu++20)
    endif()
    consumer_run(out rc "${CLANG}" ${flags} ${std} -Wall -Werror -x ${language}
      "-I${WORK_DIR}/views" -idirafter "/usr/include/${multiarch}" -c "${WORK_DIR}/all.h"
      -o "${WORK_DIR}/all-${language}.o")
    expect_exit(${rc} 0 "the views in ${language}" "${out}")
  endforeach()

elseif(CASE STREQUAL "vmlinux_cxx")
  # C++ view: deterministic; compiles as C++ (its static_asserts hold) with
  # each clang; in C it is the C header.
  file(MAKE_DIRECTORY "${WORK_DIR}/cxx1" "${WORK_DIR}/cxx2" "${WORK_DIR}/c")
  foreach(run IN ITEMS 1 2)
    consumer_run(out rc "${VMLINUX}" --btf "${BTF}" --cxx -o "${WORK_DIR}/cxx${run}/vmlinux.h")
    expect_exit(${rc} 0 "bpfkit-vmlinux --cxx" "${out}")
  endforeach()
  file(SHA256 "${WORK_DIR}/cxx1/vmlinux.h" first)
  file(SHA256 "${WORK_DIR}/cxx2/vmlinux.h" second)
  if(NOT first STREQUAL second)
    message(FATAL_ERROR "two runs of bpfkit-vmlinux --cxx differ")
  endif()
  consumer_run(out rc "${VMLINUX}" --btf "${BTF}" -o "${WORK_DIR}/c/vmlinux.h")
  expect_exit(${rc} 0 "bpfkit-vmlinux" "${out}")
  file(WRITE "${WORK_DIR}/use.bpf.c" "#include \"vmlinux.h\"\nint f(struct task_struct *t) { return t->pid; }\n")
  file(WRITE "${WORK_DIR}/use.bpf.cpp" "#include \"vmlinux.h\"\nstatic_assert(sizeof(struct task_struct) > 0);\n")
  foreach(clang IN LISTS CLANGS)
    consumer_run(out rc "${clang}" ${flags} -std=gnu++20 -fsyntax-only -Wall -Wextra -Werror
      -isystem "${WORK_DIR}/cxx1" "${WORK_DIR}/use.bpf.cpp")
    expect_exit(${rc} 0 "the C++ vmlinux.h with ${clang}" "${out}")
    consumer_run(out rc "${clang}" ${flags} -fsyntax-only -Wall -Werror
      -isystem "${WORK_DIR}/cxx1" -isystem "${WORK_DIR}/c" "${WORK_DIR}/use.bpf.c")
    expect_exit(${rc} 0 "the C++ vmlinux.h in C (the C header) with ${clang}" "${out}")
  endforeach()

elseif(CASE STREQUAL "link_autolink")
  # C++20 turns on clang's autolink: a .linker-options section libbpf cannot
  # link. bpfkit-link names the flag; -fno-autolink (bpf_add_object's) links.
  file(MAKE_DIRECTORY "${WORK_DIR}")
  file(WRITE "${WORK_DIR}/plain.bpf.cpp"
    "#define SEC(name) __attribute__((section(name), used))\n"
    "struct xdp_md;\n"
    "extern \"C\" SEC(\"xdp\") int pass(xdp_md *) { return 2; }\n"
    "extern \"C\" { char LICENSE[] SEC(\"license\") = \"GPL\"; }\n")
  foreach(clang IN LISTS CLANGS)
    get_filename_component(name "${clang}" NAME)
    consumer_run(out rc "${clang}" ${flags} -std=gnu++20 -c "${WORK_DIR}/plain.bpf.cpp"
      -o "${WORK_DIR}/autolink-${name}.o")
    expect_exit(${rc} 0 "a C++20 compile with ${name}" "${out}")
    consumer_run(out rc readelf -W -S "${WORK_DIR}/autolink-${name}.o")
    expect_match("${out}" "\\.linker-options" "the sections of a C++20 object of ${name}")
    consumer_run(out rc "${LINK}" -o "${WORK_DIR}/autolink-${name}.bpf.o" "${WORK_DIR}/autolink-${name}.o")
    expect_exit(${rc} 3 "linking it" "${out}")
    expect_match("${out}" "autolink-${name}\\.o: section \"\\.linker-options\" holds options for a host linker"
      "bpfkit-link's message")
    expect_match("${out}" "hint: compile C\\+\\+ BPF sources with -fno-autolink" "its hint")
    if(EXISTS "${WORK_DIR}/autolink-${name}.bpf.o")
      message(FATAL_ERROR "a failed link wrote autolink-${name}.bpf.o")
    endif()
    consumer_run(out rc "${clang}" ${cxx_flags} -c "${WORK_DIR}/plain.bpf.cpp"
      -o "${WORK_DIR}/no-autolink-${name}.o")
    expect_exit(${rc} 0 "the compile with bpf_add_object's flags (${name})" "${out}")
    consumer_run(out rc "${LINK}" -o "${WORK_DIR}/no-autolink-${name}.bpf.o" "${WORK_DIR}/no-autolink-${name}.o")
    expect_exit(${rc} 0 "linking it" "${out}")
  endforeach()
  # #pragma comment(lib, ...), in C or C++: a .deplibs section, as clear.
  file(WRITE "${WORK_DIR}/deplibs.bpf.c"
    "#pragma comment(lib, \"m\")\n"
    "__attribute__((section(\"license\"), used)) char LICENSE[] = \"GPL\";\n")
  consumer_run(out rc "${CLANG}" ${flags} -c "${WORK_DIR}/deplibs.bpf.c" -o "${WORK_DIR}/deplibs.o")
  expect_exit(${rc} 0 "a compile with #pragma comment(lib)" "${out}")
  consumer_run(out rc "${LINK}" -o "${WORK_DIR}/deplibs.bpf.o" "${WORK_DIR}/deplibs.o")
  expect_exit(${rc} 3 "linking it" "${out}")
  expect_match("${out}" "deplibs\\.o: section \"\\.deplibs\" names libraries to link" "bpfkit-link's message")
  expect_match("${out}" "hint: remove the #pragma comment\\(lib, \\.\\.\\.\\)" "its hint")
  if(EXISTS "${WORK_DIR}/deplibs.bpf.o")
    message(FATAL_ERROR "a failed link wrote deplibs.bpf.o")
  endif()
  # The C++ object bpf_add_object() compiled has no such section.
  file(GLOB_RECURSE objects "${MIXED_DIR}/*mixed.bpf.cpp.o")
  if(NOT objects)
    message(FATAL_ERROR "no object of mixed.bpf.cpp under ${MIXED_DIR}")
  endif()
  consumer_run(out rc readelf -W -S ${objects})
  expect_no_match("${out}" "\\.linker-options" "the sections of bpf_add_object's C++ object")

else()
  message(FATAL_ERROR "unknown CASE '${CASE}'")
endif()
