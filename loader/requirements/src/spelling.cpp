// How users write requirements: MIN_KERNEL versions and <kind>:<name>
// features, with the names libbpf and the kernel's UAPI header use.
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "bpfkit/kernel_objects.hpp"
#include "bpfkit/requirements.hpp"
#include "bpfkit/text/spelling.hpp"
#include "names.hpp"

namespace bpfkit::requirements {
namespace {

// bpf_func_id's names as BPF C calls the helpers, indexed by id, from the
// UAPI header bpfkit is built with. Headers of 6.2 and later list (name, id)
// pairs with no separator; older ones list names in id order, separated by
// commas.
struct helper_entry {
  int id;  // -1: the entry's position
  const char* name;
};
#ifdef ___BPF_FUNC_MAPPER
#define BPFKIT_HELPER_NAME(name, id) {id, "bpf_" #name},
constexpr helper_entry header_helpers[] = {___BPF_FUNC_MAPPER(BPFKIT_HELPER_NAME)};
#else
#define BPFKIT_HELPER_NAME(name) {-1, "bpf_" #name}
constexpr helper_entry header_helpers[] = {__BPF_FUNC_MAPPER(BPFKIT_HELPER_NAME)};
#endif
#undef BPFKIT_HELPER_NAME

bool is_identifier(std::string_view text) {
  if (text.empty() || !(std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_')) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

[[noreturn]] void unknown_name(std::string_view text, std::string_view what, std::string_view name,
                               const std::vector<std::string>& known) {
  const std::vector<std::string> close = text::close_matches(name, known);
  std::string message = "'" + std::string(text) + "': unknown " + std::string(what) + " '" + std::string(name) + "'";
  if (!close.empty()) message += " (did you mean " + join(close) + "?)";
  throw requirement_error(message + ". Known " + std::string(what) + "s: " + join(known) + ".");
}

int find_id(const std::vector<std::string>& names, std::string_view name) {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

std::optional<int> parse_number(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::vector<std::string> program_type_names() {
  std::vector<std::string> names;
  for (int type = 0;; ++type) {
    const char* name = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type));
    if (!name) break;
    names.emplace_back(name);
  }
  return names;
}

std::vector<std::string> map_type_names() {
  std::vector<std::string> names;
  for (int type = 0;; ++type) {
    const char* name = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(type));
    if (!name) break;
    names.emplace_back(name);
  }
  return names;
}

// The header's helpers, then those only the running kernel's BTF names (a
// kernel newer than the header), so that a helper is never "unknown" merely
// because bpfkit was built with older headers.
std::vector<std::string> helper_names() {
  std::vector<std::string> names;
  for (std::size_t position = 0; position < std::size(header_helpers); ++position) {
    const auto& entry = header_helpers[position];
    const std::size_t id = entry.id < 0 ? position : static_cast<std::size_t>(entry.id);
    if (id >= names.size()) names.resize(id + 1);
    names[id] = entry.name;
  }
  for (auto& [id, helper] : bpfkit::kernel::helper_names()) {
    if (id < 0 || id > 100000) continue;
    if (static_cast<std::size_t>(id) >= names.size()) names.resize(id + 1);
    if (names[id].empty()) names[id] = std::move(helper);
  }
  return names;
}

std::optional<kernel_version> kernel_version::from_release(std::string_view release) {
  kernel_version version;
  int* parts[] = {&version.major, &version.minor, &version.patch};
  std::size_t position = 0;
  for (int index = 0; index < 3; ++index) {
    std::size_t end = position;
    while (end < release.size() && std::isdigit(static_cast<unsigned char>(release[end]))) ++end;
    auto number = parse_number(release.substr(position, end - position));
    if (!number) {
      if (index < 2) return std::nullopt;
      break;
    }
    *parts[index] = *number;
    if (end >= release.size() || release[end] != '.') {
      if (index < 1) return std::nullopt;
      break;
    }
    position = end + 1;
  }
  return version;
}

kernel_version kernel_version::parse(std::string_view text) {
  kernel_version version;
  int* parts[] = {&version.major, &version.minor, &version.patch};
  std::size_t position = 0;
  for (int count = 0; count < 3; ++count) {
    const auto dot = text.find('.', position);
    const auto number = parse_number(text.substr(position, dot == std::string_view::npos ? dot : dot - position));
    if (!number) break;
    *parts[count] = *number;
    if (dot == std::string_view::npos) {
      if (count >= 1) return version;
      break;
    }
    position = dot + 1;
  }
  throw requirement_error("MIN_KERNEL '" + std::string(text) +
                          "' is not a kernel version: write <major>.<minor>, e.g. 5.10 or 6.6");
}

std::string kernel_version::str() const {
  std::string text = std::to_string(major) + "." + std::to_string(minor);
  if (patch) text += "." + std::to_string(patch);
  return text;
}

feature parse_feature(std::string_view text) {
  static const char* const usage =
      ": write <kind>:<name> with kind prog, map, helper or kfunc, e.g. prog:xdp, map:ringbuf, "
      "helper:bpf_loop, helper:bpf_loop@xdp, kfunc:bpf_obj_new_impl";
  const auto colon = text.find(':');
  if (colon == std::string_view::npos)
    throw requirement_error("'" + std::string(text) + "' is not a requirement" + usage + ".");
  const std::string_view kind = text.substr(0, colon);
  std::string_view name = text.substr(colon + 1);
  if (kind == "prog") {
    const auto names = program_type_names();
    const int id = find_id(names, name);
    if (id < 0) unknown_name(text, "program type", name, names);
    return {feature_kind::program_type, std::string(name), id, {}};
  }
  if (kind == "map") {
    const auto names = map_type_names();
    const int id = find_id(names, name);
    if (id < 0) unknown_name(text, "map type", name, names);
    return {feature_kind::map_type, std::string(name), id, {}};
  }
  if (kind == "helper") {
    std::optional<int> program_type;
    if (const auto at = name.find('@'); at != std::string_view::npos) {
      const auto types = program_type_names();
      const std::string_view type = name.substr(at + 1);
      program_type = find_id(types, type);
      if (*program_type < 0) unknown_name(text, "program type", type, types);
      name = name.substr(0, at);
    }
    auto names = helper_names();
    const int id = find_id(names, name);
    if (id <= 0) {
      std::erase(names, "");
      std::erase(names, "bpf_unspec");
      unknown_name(text, "helper", name, names);
    }
    return {feature_kind::helper, std::string(name), id, program_type};
  }
  if (kind == "kfunc") {
    if (!is_identifier(name))
      throw requirement_error("'" + std::string(text) + "': '" + std::string(name) +
                              "' is not a function name (a C identifier, e.g. kfunc:bpf_obj_new_impl).");
    return {feature_kind::kfunc, std::string(name), -1, {}};
  }
  throw requirement_error("'" + std::string(text) + "': unknown kind '" + std::string(kind) + "'" + usage + ".");
}

std::vector<std::string> known_names(feature_kind kind) {
  switch (kind) {
    case feature_kind::program_type: return program_type_names();
    case feature_kind::map_type: return map_type_names();
    case feature_kind::helper: {
      auto names = helper_names();
      std::erase(names, "");
      std::erase(names, "bpf_unspec");
      return names;
    }
    case feature_kind::kfunc: return {};
  }
  return {};
}

std::string feature::spelling() const {
  switch (kind) {
    case feature_kind::program_type: return "prog:" + name;
    case feature_kind::map_type: return "map:" + name;
    case feature_kind::kfunc: return "kfunc:" + name;
    case feature_kind::helper:
      if (helper_program_type)
        return "helper:" + name + "@" + libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(*helper_program_type));
      return "helper:" + name;
  }
  return name;
}

std::string feature::description() const {
  switch (kind) {
    case feature_kind::program_type: return "program type " + name;
    case feature_kind::map_type: return "map type " + name;
    case feature_kind::kfunc: return "kfunc " + name;
    case feature_kind::helper:
      if (helper_program_type)
        return "helper " + name + " in " +
               libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(*helper_program_type)) + " programs";
      return "helper " + name;
  }
  return name;
}

requirements requirements::parse(std::string_view min_kernel, std::span<const std::string> features) {
  requirements needs;
  if (!min_kernel.empty()) needs.min_kernel = kernel_version::parse(min_kernel);
  for (const auto& text : features) needs.features.push_back(parse_feature(text));
  return needs;
}

}  // namespace bpfkit::requirements
