#include "annotations.hpp"

#include <bpf/btf.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "bpfkit/requirements.hpp"
#include "requirements_check.hpp"

namespace bpfkit::testing {
namespace {

constexpr std::string_view tag_prefix = "bpfkit:";
// bpfkit/skel.h's BPFKIT_RINGBUF_EVENT(map, type) tags a function that is
// never called ("bpfkit:event=<map>"): it declares a skeleton's event type,
// not a test.
constexpr std::string_view skeleton_tag_prefix = "bpfkit:event=";

struct btf_deleter {
  void operator()(btf *b) const { btf__free(b); }
};

// BPFKIT_MIN_KERNEL(6.6), BPFKIT_REQUIRES("helper:bpf_loop map:ringbuf"):
// checked here, so that a misspelling fails the build (discovery) naming
// the program, not the test run in some kernel.
void apply_requirement(test_spec &spec, const std::string &key, const std::string &value, const std::string &where) {
  try {
    if (key == "min_kernel") {
      check_min_kernel_spelling(value);
      spec.min_kernel = value;
      return;
    }
    std::istringstream features(value);
    std::size_t count = 0;
    for (std::string feature; features >> feature; ++count) {
      check_feature_spelling(feature);
      spec.required_features.push_back(feature);
    }
    if (count == 0)
      throw requirements::requirement_error("names no requirement: write e.g. BPFKIT_REQUIRES(\"helper:bpf_loop\")");
  } catch (const requirements::requirement_error &e) {
    throw std::runtime_error(where + ": " + e.what());
  }
}

void apply_tag(test_spec &spec, std::string_view tag) {
  const std::size_t eq = tag.find('=');
  const std::string key(tag.substr(0, eq));
  const std::string value = eq == std::string_view::npos ? "" : std::string(tag.substr(eq + 1));
  const std::string where = spec.test + ": annotation bpfkit:" + std::string(tag);
  // Digits only (std::stoull takes "-1" as 2^64-1), from 1 to `max`.
  auto positive = [&](const std::string &text, std::uint64_t max) {
    std::uint64_t n = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (!text.empty() && end == text.data() + text.size() && error == std::errc() && n > 0 && n <= max)
      return n;
    throw std::runtime_error(where + ": expected a number from 1 to " + std::to_string(max));
  };
  if (key == "success") {
    // The default: the program must load.
  } else if (key == "failure") {
    spec.expect_load_failure.push_back(value.empty() ? "." : value);
  } else if (key == "retval") {
    auto number = retval_value(value);
    if (!number) throw std::runtime_error(where + ": not a number nor a known return code name");
    spec.expect_retval = expected_retval{*number, value};
  } else if (key == "packet") {
    spec.packet = value;
  } else if (key == "repeat") {
    spec.repeat = static_cast<std::uint32_t>(positive(value, UINT32_MAX));
  } else if (key == "max_verified_insns") {
    spec.max_verified_insns = positive(value, UINT64_MAX);
  } else if (key == "expect_map") {
    spec.expect_map.push_back(value);
  } else if (key == "min_kernel" || key == "requires") {
    apply_requirement(spec, key, value, where);
  } else {
    throw std::runtime_error(where + ": unknown annotation (bpfkit/test.h lists them)");
  }
}

}  // namespace

std::vector<test_spec> read_annotated_specs(const std::string &object, const std::string &test_prefix) {
  std::unique_ptr<btf, btf_deleter> types(btf__parse(object.c_str(), nullptr));
  if (!types) throw std::runtime_error(object + ": no BTF to read annotations from: " + std::strerror(errno));

  std::map<std::uint32_t, test_spec> by_function;  // FUNC type id -> spec, in BTF order
  const std::uint32_t count = btf__type_cnt(types.get());
  for (std::uint32_t id = 1; id < count; ++id) {
    const btf_type *t = btf__type_by_id(types.get(), id);
    if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1) continue;
    const std::string_view tag = btf__name_by_offset(types.get(), t->name_off);
    if (!tag.starts_with(tag_prefix) || tag.starts_with(skeleton_tag_prefix)) continue;
    const btf_type *target = btf__type_by_id(types.get(), t->type);
    if (!target || !btf_is_func(target)) continue;
    test_spec &spec = by_function[t->type];
    if (spec.program.empty()) {
      spec.program = btf__name_by_offset(types.get(), target->name_off);
      spec.object = object;
      spec.test = test_prefix + "." + spec.program;
    }
    apply_tag(spec, tag.substr(tag_prefix.size()));
  }
  std::vector<test_spec> specs;
  for (auto &[id, spec] : by_function) specs.push_back(std::move(spec));
  return specs;
}

}  // namespace bpfkit::testing
