// Symbolic return codes, read from bpf/include/bpfkit/retval_names.def: the
// one table that bpf_add_test's EXPECT_RETVAL (at configure time, through
// cmake/modules/BpfNames.cmake), the test runner and the CLI share.
#include "bpfkit/return_codes.hpp"

namespace bpfkit {
namespace {

enum class family { xdp, tc, sk };

struct return_code {
  family kind;
  std::string_view name;
  std::int64_t value;
};

constexpr return_code table[] = {
#define BPFKIT_RETVAL(kind, name, value) {family::kind, #name, value},
#include <bpfkit/retval_names.def>
#undef BPFKIT_RETVAL
};

// The family whose names programs of `type` return.
std::optional<family> family_of(program_type type) {
  switch (type) {
    case program_type::xdp: return family::xdp;
    case program_type::sched_cls:
    case program_type::sched_act: return family::tc;
    case program_type::sk_skb:
    case program_type::sk_msg:
    case program_type::sk_reuseport:
    case program_type::sk_lookup: return family::sk;
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<std::int64_t> return_code_value(std::string_view name) {
  for (const return_code& code : table)
    if (code.name == name) return code.value;
  return std::nullopt;
}

std::optional<std::string> return_code_name(program_type type, std::int64_t value) {
  const std::optional<family> kind = family_of(type);
  if (!kind) return std::nullopt;
  for (const return_code& code : table)
    if (code.kind == *kind && code.value == value) return std::string(code.name);
  return std::nullopt;
}

std::string return_code_names() {
  std::string names;
  for (const return_code& code : table)
    names += (names.empty() ? "" : " ") + std::string(code.name);
  return names;
}

}  // namespace bpfkit
