// Maps for `bpfkit map` and `bpfkit run`: the runtime's map views
// (bpfkit::map_view, whose codec writes keys and values in the syntax of
// bpf_add_test's SET_MAP/EXPECT_MAP and the GoogleTest matchers), with
// failures turned into the CLI's messages and exit codes.
//
// Text forms (one entry):
//   NAME[KEY] = VALUE
//   NAME[KEY]:                      per-CPU maps: one line per possible CPU
//     cpu0: VALUE
//     cpu1: VALUE
// JSON forms (one entry):
//   {"key": KEY, "value": VALUE}
//   {"key": KEY, "values": [VALUE_cpu0, VALUE_cpu1, ...]}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/map_handle.hpp"
#include "bpfkit/map_view.hpp"
#include "bpfkit/text/json.hpp"

namespace bpfkit::cli {

using bytes = std::vector<std::uint8_t>;

// `text` as a JSON string literal (quoted and escaped).
using text::json_quote;

// The map pinned at `path` (exit 3 when the path is not on bpffs, holds
// nothing or another kind of object; exit 4 without the privilege to open
// it or read its BTF).
map_view open_pinned_map(const std::string &path);

// Text to bytes. Throws cli_error (exit 3) naming `what` ("KEY", "VALUE"),
// the column and the syntax on a bad value.
bytes parse_key(const map_view &map, std::string_view text, const std::string &what = "KEY");
bytes parse_value(const map_view &map, std::string_view text, const std::string &what = "VALUE");

// The view's calls, with the kernel's refusals as cli_errors: exit 4 for a
// missing privilege, else exit 1 with what the flags or map type explain.
std::optional<bytes> lookup(const map_view &map, std::span<const std::uint8_t> key);
void update(const map_view &map, std::span<const std::uint8_t> key, std::span<const std::uint8_t> value,
            update_flag flag);
std::map<bytes, bytes> entries(const map_view &map);

// {"name":..., "id":..., "type":..., "key_type":..., ...}
std::string header_json(const map_view &map);

}  // namespace bpfkit::cli
