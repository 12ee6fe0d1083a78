#include "bpfkit/map_codec.hpp"

#include <bpf/btf.h>

#include <algorithm>
#include <cstring>

namespace bpfkit {
namespace {

// A type id is trusted only when its size is the map's.
std::uint32_t checked(const ::btf* types, std::uint32_t id, std::size_t size) {
  if (!types || id == 0) return 0;
  long long resolved = btf__resolve_size(types, id);
  return resolved == static_cast<long long>(size) ? id : 0;
}

}  // namespace

map_codec::map_codec(std::shared_ptr<const ::btf> types, const layout& map) : types_(std::move(types)), map_(map) {
  map_.key_type = checked(types_.get(), map.key_type, map.key_size);
  // A DATASEC's size is the section's: trusted as it is.
  const btf_type* value = types_ && map.value_type ? btf__type_by_id(types_.get(), map.value_type) : nullptr;
  map_.value_type = value && btf_is_datasec(value) ? map.value_type
                                                   : checked(types_.get(), map.value_type, map.value_size);
  if (per_cpu()) cpus_ = possible_cpus();
}

std::size_t map_codec::value_buffer_size() const noexcept {
  return per_cpu() ? percpu_slot_size(map_.value_size) * cpus_ : map_.value_size;
}

std::string map_codec::describe_key() const {
  if (map_.key_type) return describe_type(types(), map_.key_type);
  return std::to_string(map_.key_size) + " bytes (no BTF type)";
}

std::string map_codec::describe_value() const {
  if (map_.value_type) return describe_type(types(), map_.value_type);
  return std::to_string(map_.value_size) + " bytes (no BTF type)";
}

map_codec::bytes map_codec::parse_key(std::string_view text) const {
  return map_.key_type ? bpfkit::parse_value(types(), map_.key_type, text) : parse_bytes(map_.key_size, text);
}

map_codec::bytes map_codec::parse_value(std::string_view text) const {
  return map_.value_type ? bpfkit::parse_value(types(), map_.value_type, text)
                         : parse_bytes(map_.value_size, text);
}

std::string map_codec::format_key(std::span<const std::uint8_t> key, format_style style) const {
  if (map_.key_type) return bpfkit::format_value(types(), map_.key_type, key, style);
  return format_bytes(key, style);
}

std::string map_codec::format_value(std::span<const std::uint8_t> one_cpu, format_style style) const {
  if (map_.value_type) return bpfkit::format_value(types(), map_.value_type, one_cpu, style);
  return format_bytes(one_cpu, style);
}

std::span<const std::uint8_t> map_codec::cpu_value(std::span<const std::uint8_t> buffer,
                                                   std::size_t cpu) const {
  const std::size_t stride = per_cpu() ? percpu_slot_size(map_.value_size) : map_.value_size;
  return buffer.subspan(cpu * stride, map_.value_size);
}

map_codec::bytes map_codec::every_cpu(std::span<const std::uint8_t> one_cpu) const {
  if (!per_cpu()) return bytes(one_cpu.begin(), one_cpu.end());
  bytes buffer(value_buffer_size(), 0);
  const std::size_t stride = percpu_slot_size(map_.value_size);
  for (std::size_t cpu = 0; cpu < cpus_; ++cpu)
    std::copy(one_cpu.begin(), one_cpu.end(), buffer.begin() + static_cast<long>(cpu * stride));
  return buffer;
}

std::string map_codec::format_buffer(std::span<const std::uint8_t> buffer, format_style style) const {
  if (!per_cpu()) return format_value(buffer, style);
  std::string out = "[";
  for (std::size_t cpu = 0; cpu < cpus_; ++cpu)
    out += (cpu ? ", " : "") + format_value(cpu_value(buffer, cpu), style);
  return out + "]";
}

std::string map_codec::entry_text(std::string_view map_name, std::span<const std::uint8_t> key,
                                  std::span<const std::uint8_t> buffer, std::string_view indent) const {
  std::string head = std::string(indent) + std::string(map_name) + "[" + format_key(key) + "]";
  if (!per_cpu()) return head + " = " + format_value(buffer) + "\n";
  std::string out = head + ":\n";
  for (std::size_t cpu = 0; cpu < cpus_; ++cpu)
    out += std::string(indent) + "  cpu" + std::to_string(cpu) + ": " + format_value(cpu_value(buffer, cpu)) +
           "\n";
  return out;
}

std::string map_codec::entry_json(std::span<const std::uint8_t> key,
                                  std::span<const std::uint8_t> buffer) const {
  return "{\"key\": " + format_key(key, format_style::json) +
         (per_cpu() ? ", \"values\": " : ", \"value\": ") + format_buffer(buffer, format_style::json) + "}";
}

bool map_codec::summable() const {
  if (map_.value_size > 8) return false;
  if (!map_.value_type) return true;
  const btf_type* t = btf__type_by_id(types(), btf__resolve_type(types(), map_.value_type));
  return t && (btf_is_int(t) || btf_is_enum(t));
}

map_codec::bytes map_codec::sum_cpus(std::span<const std::uint8_t> buffer) const {
  std::uint64_t sum = 0;
  for (std::size_t cpu = 0; cpu < cpus_; ++cpu) {
    std::uint64_t one = 0;
    std::span<const std::uint8_t> value = cpu_value(buffer, cpu);
    std::memcpy(&one, value.data(), std::min(value.size(), sizeof one));  // little-endian host
    sum += one;
  }
  bytes total(map_.value_size, 0);
  std::memcpy(total.data(), &sum, std::min(total.size(), sizeof sum));
  return total;
}

void map_codec::zero_key_padding(std::span<std::uint8_t> key) const noexcept {
  if (!map_.key_type || key.size() != map_.key_size) return;
  try {
    const bytes canonical = bpfkit::parse_value(types(), map_.key_type, format_key(key));
    if (canonical.size() == key.size()) std::copy(canonical.begin(), canonical.end(), key.begin());
  } catch (const std::exception&) {
    // A key the codec cannot round-trip stays as it is.
  }
}

std::vector<map_codec::variable> map_codec::variables() const {
  std::vector<variable> vars;
  const btf_type* sec = map_.value_type ? btf__type_by_id(types(), map_.value_type) : nullptr;
  if (!sec || !btf_is_datasec(sec)) return vars;
  const btf_var_secinfo* info = btf_var_secinfos(sec);
  for (unsigned i = 0; i < btf_vlen(sec); ++i) {
    const btf_type* var = btf__type_by_id(types(), info[i].type);
    const char* name = var ? btf__name_by_offset(types(), var->name_off) : nullptr;
    if (!name) continue;  // corrupt BTF: nothing to name
    vars.push_back({name, info[i].offset, var->type, info[i].size});
  }
  return vars;
}

map_codec::bytes map_codec::parse_variable(const variable& var, std::string_view text) const {
  return bpfkit::parse_value(types(), var.type, text);
}

std::string expected_found(std::string_view where, std::string_view expected, std::string_view found) {
  return std::string(where) + ": expected " + std::string(expected) + ", found " + std::string(found);
}

std::optional<named_type> find_named_type(const ::btf* types, std::string_view name) {
  if (!types) return std::nullopt;
  for (std::string_view prefix : {"struct ", "union ", "enum "})
    if (name.starts_with(prefix)) name.remove_prefix(prefix.size());
  const std::string bare(name);
  for (int kind : {BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_TYPEDEF, BTF_KIND_INT, BTF_KIND_ENUM}) {
    const int id = btf__find_by_name_kind(types, bare.c_str(), kind);
    if (id <= 0) continue;
    const long size = btf__resolve_size(types, static_cast<std::uint32_t>(id));
    return named_type{static_cast<std::uint32_t>(id), size > 0 ? static_cast<std::size_t>(size) : 0};
  }
  return std::nullopt;
}

std::vector<std::string> struct_names(const ::btf* types, std::size_t limit) {
  std::vector<std::string> names;
  if (!types) return names;
  const std::uint32_t count = btf__type_cnt(types);
  for (std::uint32_t id = 1; id < count && names.size() < limit; ++id) {
    const btf_type* type = btf__type_by_id(types, id);
    if (!btf_is_struct(type) || !type->name_off) continue;
    // NULL for a name offset past the string section (corrupt BTF).
    if (const char* name = btf__name_by_offset(types, type->name_off)) names.emplace_back(name);
  }
  return names;
}

}  // namespace bpfkit
