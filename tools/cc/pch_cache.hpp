// Precompiled vmlinux.h headers, one per distinct compile, built on demand.
//
// A precompiled header is only equivalent to the header it replaces when it
// was built with the very flags of the compile that uses it (definitions such
// as BPF_NO_PRESERVE_ACCESS_INDEX, -mcpu, the target, the language standard,
// the include path). So the cache key is derived from the compile's real
// arguments (minus output, source and depfile), the compiler binary, the
// language, the spelling of the #include and the content of vmlinux.h; each
// key gets its own PCH, built by the first compile that needs it:
//
//   <cache>/<file>/vmlinux.stamp                 the content hash of one vmlinux.h
//   <cache>/<file>/<content>/<key>/pch.h         #include "vmlinux.h" (or <...>)
//   <cache>/<file>/<content>/<key>/vmlinux.h.pch the precompiled pch.h
//   <cache>/<file>/<content>/<key>/failed.txt    why it could not be built
//   <cache>/<file>/<content>/<key>/lock          held while the PCH is built
//
// <file> names which vmlinux.h (a hash of its path relative to the cache, the
// same in every build tree): a build has several (bpfkit's C one, its C++
// view) and a new content of one must not remove the PCHs of another while
// compiles use them. Within one <file>, a new <content> removes the others.
//
// pch.h is compiled with the compile's own arguments, so vmlinux.h is found
// through the same search and is a system header exactly as it is for the
// source; -include-pch then makes the source's own #include a no-op (include
// guard). The build runs under an exclusive lock and is renamed into place,
// so parallel compiles (make -j, ninja) build it once and never see half a
// file. A compile that finds another one building its PCH compiles vmlinux.h
// as text instead of waiting (in a cold -j2 build the second core would
// otherwise idle for the whole PCH build); the object is the same either
// way. Behind a compiler cache it waits, so that its command line, and so
// the cache's key, does not depend on timing. PCH bytes are deterministic
// (-fno-pch-timestamp, a fixed working directory): a rebuilt PCH is
// byte-identical, so ccache and sccache keep hitting. The content hash of vmlinux.h is part of the path, so a changed
// vmlinux.h means a new PCH path on the command line: a compiler cache can
// never return an object compiled against the old one.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace bpfkit::tools {

struct pch_request {
  std::string compiler;
  std::vector<std::string> args;  // compile_command::pch_args
  std::string language;           // "c" or "c++"
  bool angled = false;            // #include <vmlinux.h>
  std::filesystem::path vmlinux;  // bpfkit's generated vmlinux.h (or its C++ view)
  std::filesystem::path cache_dir;
  std::filesystem::path cwd;
  bool depends_on_cwd = false;  // relative search directories
  // While another compile builds this PCH: wait for it (true), or return a
  // refusal so that the caller compiles the header as text (false).
  bool wait_for_builder = true;
};

struct pch_result {
  std::filesystem::path pch;  // empty when refused
  std::string refusal;        // why there is none
};

pch_result obtain_pch(const pch_request &request);

}  // namespace bpfkit::tools
