// JSON form of a type_layout, shared by the btf and compare reports (not installed).
#pragma once

#include "bpfkit/inspect/layout.hpp"
#include "json.hpp"

namespace bpfkit::inspect::detail {

void write_layout_json(json_writer &w, const type_layout &layout);

}  // namespace bpfkit::inspect::detail
