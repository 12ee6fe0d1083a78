// The text forms of SET_MAP, EXPECT_MAP and SET_GLOBAL, applied to a BPF
// object through the runtime's map views (bpfkit::map_view, whose codec
// writes every value the way `bpfkit map` and the GoogleTest matchers do).
// Each function throws std::runtime_error for a mistake in the test itself
// (unknown map, field or global: the message lists the valid names), and map
// checks return a failure description instead of throwing, so that a test
// reports every failed expectation at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bpfkit/object.hpp"

namespace bpfkit::testing {

// "max_packets=10": writes the global into its section before load.
void set_global(const object &obj, std::string_view assignment);

// "map[key]=value" (after load): every CPU of a per-CPU map gets the value.
void set_map(const object &obj, std::string_view assignment);

// "map[key] == value", "map[key]@cpu == value", "map[key] absent",
// "count(map) == n". Returns nothing when it holds, else what differs, e.g.
// "PACKET_COUNTER[0]: expected 5, found 4".
std::optional<std::string> check_map(const object &obj, std::string_view expectation);

}  // namespace bpfkit::testing
