// Symbolic return codes. The names and values are those of bpf_add_test's
// EXPECT_RETVAL (cmake/modules/BpfTest.cmake): return_code_table() is the
// one place this side reads them from.
#include "bpfkit/return_codes.hpp"

#include <span>

namespace bpfkit {
namespace {

struct return_code {
  std::string_view name;
  std::int64_t value;
};

// The same table as BpfTest.cmake's _BPFKIT_RETVAL_NAMES.
std::span<const return_code> return_code_table() {
  static constexpr return_code table[] = {
      {"XDP_ABORTED", 0},  {"XDP_DROP", 1},       {"XDP_PASS", 2},          {"XDP_TX", 3},
      {"XDP_REDIRECT", 4}, {"TC_ACT_UNSPEC", -1}, {"TC_ACT_OK", 0},         {"TC_ACT_RECLASSIFY", 1},
      {"TC_ACT_SHOT", 2},  {"TC_ACT_PIPE", 3},    {"TC_ACT_STOLEN", 4},     {"TC_ACT_QUEUED", 5},
      {"TC_ACT_REPEAT", 6}, {"TC_ACT_REDIRECT", 7}, {"SK_DROP", 0},         {"SK_PASS", 1},
  };
  return table;
}

// The prefix of the names that programs of `type` return.
std::string_view prefix_of(program_type type) {
  switch (type) {
    case program_type::xdp: return "XDP_";
    case program_type::sched_cls:
    case program_type::sched_act: return "TC_ACT_";
    case program_type::sk_skb:
    case program_type::sk_msg:
    case program_type::sk_reuseport:
    case program_type::sk_lookup: return "SK_";
    default: return {};
  }
}

}  // namespace

std::optional<std::int64_t> return_code_value(std::string_view name) {
  for (const return_code& code : return_code_table())
    if (code.name == name) return code.value;
  return std::nullopt;
}

std::optional<std::string> return_code_name(program_type type, std::int64_t value) {
  const std::string_view prefix = prefix_of(type);
  if (prefix.empty()) return std::nullopt;
  for (const return_code& code : return_code_table())
    if (code.value == value && code.name.starts_with(prefix)) return std::string(code.name);
  return std::nullopt;
}

std::string return_code_names() {
  std::string names;
  for (const return_code& code : return_code_table())
    names += (names.empty() ? "" : " ") + std::string(code.name);
  return names;
}

}  // namespace bpfkit
