// Renders <name>.skel.hpp (see the comment it starts with, in
// skeleton_header.cpp, for what the header contains).
#pragma once

#include <string>

#include "bpf_object_info.hpp"

namespace bpfkit::skel {

// The whole header for `object`, in namespace `name`. Depends only on the
// object's bytes, `name` and `object_label` (the file name shown in comments):
// the same inputs give the same text.
std::string render_skeleton(const bpf_object_info &object, const std::string &name,
                            const std::string &object_label);

}  // namespace bpfkit::skel
