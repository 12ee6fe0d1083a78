// The inspect library's reports are written with bpfkit's JSON writer.
#pragma once

#include "bpfkit/text/json.hpp"

namespace bpfkit::inspect::detail {
using text::json_writer;
}  // namespace bpfkit::inspect::detail
