// Which header a C source includes first.
//
// The vmlinux.h precompiled header is only correct for a source whose very
// first directive is `#include "vmlinux.h"` (or <vmlinux.h>): anything before
// it (a #define such as BPF_NO_PRESERVE_ACCESS_INDEX, another header) could
// change what vmlinux.h means, and a PCH would silently ignore that.
#pragma once

#include <string>
#include <string_view>

namespace bpfkit::tools {

// The header named by the first preprocessor directive of `source` if that
// directive is an #include, else an empty string. Comments and blank lines
// before it are skipped; any other directive or code means "no include first".
std::string first_include(std::string_view source);

}  // namespace bpfkit::tools
