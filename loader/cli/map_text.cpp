#include "map_text.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "bpfkit/btf_text.hpp"
#include "cli.hpp"

namespace bpfkit::cli {
namespace {

bool denied(int err) { return err == EPERM || err == EACCES; }

std::size_t round8(std::size_t n) { return (n + 7) / 8 * 8; }

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

btf_ptr load_kernel_btf(std::uint32_t id) {
  if (id == 0) return nullptr;
  btf *b = btf__load_from_kernel_by_id(id);
  if (!b) {
    int err = errno;
    if (denied(err))
      throw cli_error(exit_no_privilege,
                      "reading the map's BTF (id " + std::to_string(id) + ") needs privileges: " +
                          std::strerror(err),
                      "run as root (or with CAP_SYS_ADMIN)");
    return nullptr;  // decoded by size instead
  }
  return btf_ptr(b, btf_deleter{});
}

kernel_map kernel_map::open_pinned(const std::string &path) {
  return adopt(bpfkit::cli::open_pinned(path, bpf_kind::map));
}

kernel_map kernel_map::adopt(owned_fd fd, std::string name) {
  kernel_map m;
  std::uint32_t size = sizeof m.info_;
  if (bpf_obj_get_info_by_fd(fd.get(), &m.info_, &size) != 0) {
    int err = errno;
    if (denied(err))
      throw cli_error(exit_no_privilege, std::string("reading a map's info: ") + std::strerror(err));
    throw cli_error(exit_failed, std::string("reading a map's info: ") + std::strerror(err));
  }
  m.fd_ = std::make_shared<owned_fd>(std::move(fd));
  m.name_ = name.empty() ? std::string(m.info_.name) : std::move(name);
  m.btf_ = load_kernel_btf(m.info_.btf_id);
  // Type ids whose size disagrees with the map's are not trusted.
  if (m.btf_ && m.info_.btf_key_type_id &&
      btf__resolve_size(m.btf_.get(), m.info_.btf_key_type_id) != static_cast<long>(m.info_.key_size))
    m.info_.btf_key_type_id = 0;
  if (m.btf_ && m.info_.btf_value_type_id &&
      btf__resolve_size(m.btf_.get(), m.info_.btf_value_type_id) !=
          static_cast<long>(m.info_.value_size))
    m.info_.btf_value_type_id = 0;
  if (!m.btf_) m.info_.btf_key_type_id = m.info_.btf_value_type_id = 0;
  int cpus = libbpf_num_possible_cpus();
  m.cpus_ = cpus > 0 ? static_cast<unsigned>(cpus) : 1;
  return m;
}

std::string kernel_map::type_name() const {
  const char *name = libbpf_bpf_map_type_str(type());
  return name ? name : "type " + std::to_string(info_.type);
}

bool kernel_map::per_cpu() const {
  switch (type()) {
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
      return true;
    default:
      return false;
  }
}

bool kernel_map::keyed() const {
  switch (type()) {
    case BPF_MAP_TYPE_RINGBUF:
    case BPF_MAP_TYPE_USER_RINGBUF:
    case BPF_MAP_TYPE_QUEUE:
    case BPF_MAP_TYPE_STACK:
    case BPF_MAP_TYPE_BLOOM_FILTER:
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
    case BPF_MAP_TYPE_SK_STORAGE:
    case BPF_MAP_TYPE_INODE_STORAGE:
    case BPF_MAP_TYPE_TASK_STORAGE:
    case BPF_MAP_TYPE_STRUCT_OPS:
      return false;
    default:
      return info_.key_size > 0;
  }
}

bool kernel_map::read_only_for_programs() const { return info_.map_flags & BPF_F_RDONLY_PROG; }

std::string kernel_map::describe_key_type() const {
  if (key_type()) return bpfkit::describe_type(btf_.get(), key_type());
  return std::to_string(info_.key_size) + " bytes (no BTF type)";
}

std::string kernel_map::describe_value_type() const {
  if (value_type()) return bpfkit::describe_type(btf_.get(), value_type());
  return std::to_string(info_.value_size) + " bytes (no BTF type)";
}

std::size_t kernel_map::value_buffer_size() const {
  return per_cpu() ? round8(info_.value_size) * cpus_ : info_.value_size;
}

std::span<const std::uint8_t> kernel_map::cpu_value(std::span<const std::uint8_t> buffer,
                                                    unsigned cpu) const {
  std::size_t stride = per_cpu() ? round8(info_.value_size) : info_.value_size;
  return buffer.subspan(cpu * stride, info_.value_size);
}

namespace {

bytes parse_typed(const btf *b, std::uint32_t type, std::size_t size, std::string_view text,
                  const std::string &what, const std::string &type_description) {
  try {
    if (type) return bpfkit::parse_value(b, type, text);
    return bpfkit::parse_bytes(size, text);
  } catch (const bpfkit::btf_text_error &e) {
    throw cli_error(exit_bad_input,
                    what + " '" + std::string(text) + "' is not a valid " + type_description + ": " +
                        e.what(),
                    type ? "write integers as 42 or 0x2a, structs as {field=value, ...}, arrays as "
                           "[v, ...]"
                         : "without a BTF type write an integer, [b0, b1, ...] bytes or 0x<hex>");
  }
}

}  // namespace

bytes kernel_map::parse_key(std::string_view text, const std::string &what) const {
  return parse_typed(btf_.get(), key_type(), info_.key_size, text, what, describe_key_type());
}

bytes kernel_map::parse_value(std::string_view text, const std::string &what) const {
  return parse_typed(btf_.get(), value_type(), info_.value_size, text, what, describe_value_type());
}

std::string kernel_map::format_key(std::span<const std::uint8_t> key, bool json) const {
  auto style = json ? bpfkit::format_style::json : bpfkit::format_style::text;
  if (key_type()) return bpfkit::format_value(btf_.get(), key_type(), key, style);
  return bpfkit::format_bytes(key, style);
}

std::string kernel_map::format_value(std::span<const std::uint8_t> one_cpu, bool json) const {
  auto style = json ? bpfkit::format_style::json : bpfkit::format_style::text;
  if (value_type()) return bpfkit::format_value(btf_.get(), value_type(), one_cpu, style);
  return bpfkit::format_bytes(one_cpu, style);
}

std::optional<bytes> kernel_map::lookup(std::span<const std::uint8_t> key) const {
  bytes value(value_buffer_size());
  if (bpf_map_lookup_elem(fd(), key.data(), value.data()) == 0) return value;
  int err = errno;
  if (err == ENOENT) return std::nullopt;
  if (denied(err))
    throw cli_error(exit_no_privilege, "map '" + name_ + "': lookup: " + std::strerror(err));
  throw cli_error(exit_failed, "map '" + name_ + "' (" + type_name() +
                                   "): lookup failed: " + std::strerror(err));
}

void kernel_map::update(std::span<const std::uint8_t> key, std::span<const std::uint8_t> value,
                        std::uint64_t flags) const {
  if (bpf_map_update_elem(fd(), key.data(), value.data(), flags) == 0) return;
  int err = errno;
  std::string what = "map '" + name_ + "': update failed: ";
  if (err == EEXIST && flags == BPF_NOEXIST)
    throw cli_error(exit_failed, what + "the key already exists (--flags noexist)");
  if (err == ENOENT && flags == BPF_EXIST)
    throw cli_error(exit_failed, what + "key not found (--flags exist updates existing keys only)");
  if (err == E2BIG)
    throw cli_error(exit_failed, what + "the map is full (" + std::to_string(info_.max_entries) +
                                     " entries) or the key is out of range");
  if (denied(err)) throw cli_error(exit_no_privilege, what + std::strerror(err));
  throw cli_error(exit_failed, what + std::strerror(err));
}

std::map<bytes, bytes> kernel_map::entries() const {
  std::map<bytes, bytes> all;
  if (!keyed())
    throw cli_error(exit_bad_input, "map '" + name_ + "' is a " + type_name() +
                                        " map, whose entries cannot be listed by key");
  bytes key(info_.key_size), next(info_.key_size);
  bool first = true;
  for (;;) {
    if (bpf_map_get_next_key(fd(), first ? nullptr : key.data(), next.data()) != 0) {
      int err = errno;
      if (err == ENOENT) break;
      if (denied(err))
        throw cli_error(exit_no_privilege, "map '" + name_ + "': listing keys: " + std::strerror(err));
      throw cli_error(exit_failed, "map '" + name_ + "': listing keys: " + std::strerror(err));
    }
    first = false;
    key = next;
    if (std::optional<bytes> value = lookup(key)) all.emplace(key, std::move(*value));
    if (all.size() > info_.max_entries + 1024ull) break;  // a hash changing under us
  }
  return all;
}

std::string kernel_map::entry_text(std::span<const std::uint8_t> key,
                                   std::span<const std::uint8_t> value,
                                   const std::string &indent) const {
  std::string head = indent + name_ + "[" + format_key(key, false) + "]";
  if (!per_cpu()) return head + " = " + format_value(value, false) + "\n";
  std::string out = head + ":\n";
  for (unsigned cpu = 0; cpu < cpus_; ++cpu)
    out += indent + "  cpu" + std::to_string(cpu) + ": " + format_value(cpu_value(value, cpu), false) +
           "\n";
  return out;
}

std::string kernel_map::value_json(std::span<const std::uint8_t> value) const {
  if (!per_cpu()) return format_value(value, true);
  std::string out = "[";
  for (unsigned cpu = 0; cpu < cpus_; ++cpu)
    out += (cpu ? ", " : "") + format_value(cpu_value(value, cpu), true);
  return out + "]";
}

std::string kernel_map::entry_json(std::span<const std::uint8_t> key,
                                   std::span<const std::uint8_t> value) const {
  return "{\"key\": " + format_key(key, true) + (per_cpu() ? ", \"values\": " : ", \"value\": ") +
         value_json(value) + "}";
}

std::string kernel_map::header_json() const {
  std::string out = "{\"name\": " + json_quote(name_) + ", \"id\": " + std::to_string(info_.id) +
                    ", \"type\": " + json_quote(type_name()) +
                    ", \"key_size\": " + std::to_string(info_.key_size) +
                    ", \"value_size\": " + std::to_string(info_.value_size) +
                    ", \"max_entries\": " + std::to_string(info_.max_entries);
  out += ", \"key_type\": " + (key_type() ? json_quote(describe_key_type()) : std::string("null"));
  out += ", \"value_type\": " +
         (value_type() ? json_quote(describe_value_type()) : std::string("null"));
  out += std::string(", \"per_cpu\": ") + (per_cpu() ? "true" : "false");
  if (per_cpu()) out += ", \"cpus\": " + std::to_string(cpus_);
  return out + "}";
}

}  // namespace bpfkit::cli
