// `id:N` in place of a pinned path: every command that opens a pinned
// program or map (map dump/lookup/update/delete/watch, run, dump) also takes
// the id that `bpfkit list` and `bpftool prog|map show` print. unpin does
// not: ids name loaded objects, not pins.
#pragma once

#include <string>
#include <string_view>

#include "pin_layout.hpp"

namespace bpfkit::cli {

bool is_id_reference(std::string_view text);  // starts with "id:"

// Opens the `wanted` object (a program or map) with the id in `text`.
// Throws cli_error: exit 3 for a malformed id or none of that kind loaded,
// exit 4 without the privilege to open objects by id.
owned_fd open_id_reference(const std::string &text, bpf_kind wanted);

}  // namespace bpfkit::cli
