// Symbolic return codes of BPF programs (XDP_PASS, TC_ACT_SHOT, SK_PASS...):
// the names bpf_add_test(EXPECT_RETVAL) accepts, and what the CLI and the
// test runners print next to a program's return value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bpfkit/program_type.hpp"

namespace bpfkit {

// The value of a return-code name; nothing for an unknown name.
std::optional<std::int64_t> return_code_value(std::string_view name);

// The name of what a program of `type` returned, when programs of that type
// have names for their return values (XDP, tc, socket programs).
std::optional<std::string> return_code_name(program_type type, std::int64_t value);

// Every known name, space-separated (for messages that list them).
std::string return_code_names();

}  // namespace bpfkit
