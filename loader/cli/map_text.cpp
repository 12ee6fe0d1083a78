#include "map_text.hpp"

#include <linux/bpf.h>  // BPF_F_RDONLY

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>


#include "bpfkit/btf_text.hpp"
#include "bpfkit/error.hpp"
#include "cli.hpp"
#include "pin_layout.hpp"

namespace bpfkit::cli {
namespace {

bool denied(int err) { return err == EPERM || err == EACCES; }

// A runtime error from a map call as the CLI reports it.
[[noreturn]] void rethrow(const bpfkit::error &e, const std::string &hint = {}) {
  int err = e.code().value();
  throw cli_error(denied(err) ? exit_no_privilege : exit_failed, e.what(), hint);
}

bytes parse_typed(const map_view &map, bool key, std::string_view text, const std::string &what) {
  const map_codec &codec = map.codec();
  const bool typed = key ? codec.key_type() != 0 : codec.value_type() != 0;
  try {
    return key ? codec.parse_key(text) : codec.parse_value(text);
  } catch (const bpfkit::btf_text_error &e) {
    throw cli_error(exit_bad_input,
                    what + " '" + std::string(text) + "' is not a valid " +
                        (key ? codec.describe_key() : codec.describe_value()) + ": " + e.what(),
                    typed ? "write integers as 42 or 0x2a, structs as {field=value, ...}, arrays as "
                            "[v, ...]"
                          : "without a BTF type write an integer, [b0, b1, ...] bytes or 0x<hex>");
  }
}

// Whether the map behind `fd` is frozen (its fdinfo says "frozen: 1").
bool frozen(int fd) {
  std::FILE *info = std::fopen(("/proc/self/fdinfo/" + std::to_string(fd)).c_str(), "r");
  if (!info) return false;
  char line[128];
  bool result = false;
  while (std::fgets(line, sizeof line, info))
    if (std::strncmp(line, "frozen:", 7) == 0) result = std::atoi(line + 7) != 0;
  std::fclose(info);
  return result;
}

}  // namespace

map_view open_pinned_map(const std::string &path) {
  owned_fd fd = open_pinned(path, bpf_kind::map);
  try {
    return map_view::adopt(fd.release());
  } catch (const bpfkit::error &e) {
    rethrow(e, "run as root (or with CAP_SYS_ADMIN)");
  }
}

bytes parse_key(const map_view &map, std::string_view text, const std::string &what) {
  return parse_typed(map, true, text, what);
}

bytes parse_value(const map_view &map, std::string_view text, const std::string &what) {
  return parse_typed(map, false, text, what);
}

std::optional<bytes> lookup(const map_view &map, std::span<const std::uint8_t> key) {
  try {
    return map.lookup(key);
  } catch (const bpfkit::error &e) {
    rethrow(e);
  }
}

void update(const map_view &map, std::span<const std::uint8_t> key, std::span<const std::uint8_t> value,
            update_flag flag) {
  try {
    map.update(key, value, flag);
  } catch (const bpfkit::error &e) {
    const int err = e.code().value();
    const std::string what = "map '" + std::string(map.name()) + "': update failed: ";
    if (err == EEXIST && flag == update_flag::no_exist)
      throw cli_error(exit_failed, what + "the key already exists (--flags noexist)");
    if (err == ENOENT && flag == update_flag::exist)
      throw cli_error(exit_failed, what + "key not found (--flags exist updates existing keys only)");
    if (err == E2BIG)
      throw cli_error(exit_failed, what + "the map is full (" + std::to_string(map.max_entries()) +
                                       " entries) or the key is out of range");
    // EPERM is not "no privilege" here: the kernel refuses writes to a frozen
    // map (.rodata after load, bpf_map_freeze) or one made read-only for
    // user space, also from root.
    if (err == EPERM && (frozen(map.fd()) || (map.flags() & BPF_F_RDONLY)))
      throw cli_error(exit_failed,
                      what + (frozen(map.fd()) ? "the map is frozen: user space may only read it"
                                               : "the map is read-only for user space (BPF_F_RDONLY)"),
                      "a program's constants (.rodata) are fixed at load: set them before loading "
                      "(bpf_add_test SET_GLOBAL, or the skeleton between open() and load())");
    rethrow(e);
  }
}

std::map<bytes, bytes> entries(const map_view &map) {
  if (!map.keyed())
    throw cli_error(exit_bad_input, "map '" + std::string(map.name()) + "' is a " +
                                        map_type_name(map.type()) +
                                        " map, whose entries cannot be listed by key");
  try {
    return map.entries();
  } catch (const bpfkit::error &e) {
    rethrow(e);
  }
}

std::string header_json(const map_view &map) {
  const map_codec &codec = map.codec();
  std::string out = "{\"name\": " + json_quote(map.name()) + ", \"id\": " + std::to_string(map.id()) +
                    ", \"type\": " + json_quote(map_type_name(map.type())) +
                    ", \"key_size\": " + std::to_string(codec.key_size()) +
                    ", \"value_size\": " + std::to_string(codec.value_size()) +
                    ", \"max_entries\": " + std::to_string(map.max_entries());
  out += ", \"key_type\": " + (codec.key_type() ? json_quote(codec.describe_key()) : std::string("null"));
  out += ", \"value_type\": " +
         (codec.value_type() ? json_quote(codec.describe_value()) : std::string("null"));
  out += std::string(", \"per_cpu\": ") + (codec.per_cpu() ? "true" : "false");
  if (codec.per_cpu()) out += ", \"cpus\": " + std::to_string(codec.cpus());
  return out + "}";
}

}  // namespace bpfkit::cli
