// Which header a C source includes first.
//
// The vmlinux.h precompiled header is only correct for a source whose very
// first directive is `#include "vmlinux.h"` (or <vmlinux.h>): anything before
// it (a #define such as BPF_NO_PRESERVE_ACCESS_INDEX, another header) could
// change what vmlinux.h means, and a PCH would silently ignore that.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bpfkit::tools {

struct include_directive {
  std::string name;     // vmlinux.h
  bool angled = false;  // <vmlinux.h> rather than "vmlinux.h"
};

// The first preprocessor directive of `source` if it is an #include, else
// nothing. Comments and blank lines before it are skipped; any other
// directive or code means "no include first".
std::optional<include_directive> first_include(std::string_view source);

}  // namespace bpfkit::tools
