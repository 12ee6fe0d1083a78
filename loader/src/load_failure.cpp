#include "load_failure.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <cerrno>
#include <climits>
#include <string>
#include <string_view>

#include "bpfkit/object_layout.hpp"
#include "bpfkit/verifier_log.hpp"

namespace bpfkit::detail {
namespace {

// The kernel refuses log buffers above this size (EINVAL).
constexpr std::size_t max_log_size = UINT_MAX >> 2;
constexpr std::size_t tail_lines = 20;

std::unique_ptr<char[]> empty_log(std::size_t size) {
  std::unique_ptr<char[]> log(new char[size]);  // untouched until the kernel writes
  log[0] = '\0';
  return log;
}

// A retry must be loaded as the original was configured: rodata/data/bss
// contents, map sizes and program settings can decide what the verifier sees.
void copy_settings(bpf_object* from, bpf_object* to) {
  bpf_map* map;
  bpf_object__for_each_map(map, from) {
    bpf_map* copy = bpf_object__find_map_by_name(to, bpf_map__name(map));
    if (!copy) continue;
    bpf_map__set_max_entries(copy, bpf_map__max_entries(map));
    std::size_t size = 0;
    if (const void* data = bpf_map__initial_value(map, &size))
      bpf_map__set_initial_value(copy, data, size);  // .kconfig refuses: libbpf fills it
  }
  bpf_program* prog;
  bpf_object__for_each_program(prog, from) {
    bpf_program* copy = bpf_object__find_program_by_name(to, bpf_program__name(prog));
    if (!copy) continue;
    bpf_program__set_autoload(copy, bpf_program__autoload(prog));
    bpf_program__set_type(copy, bpf_program__type(prog));
    bpf_program__set_expected_attach_type(copy, bpf_program__expected_attach_type(prog));
    bpf_program__set_flags(copy, bpf_program__flags(prog));
  }
}

struct attempt {
  int err;
  std::string log;
};

// Loads a fresh copy of the object with a `size`-byte log for `program`.
attempt load_copy(const object_source& source, bpf_object* original, const char* program,
                  std::size_t size) {
  object_ptr copy = open_object(source);
  copy_settings(original, copy.get());
  bpf_program* prog = bpf_object__find_program_by_name(copy.get(), program);
  if (!prog) return {-ENOENT, {}};
  std::unique_ptr<char[]> log = empty_log(size);
  bpf_program__set_log_buf(prog, log.get(), size);
  int err = bpf_object__load(copy.get());
  return {err, log.get()};
}

// The whole log of `program`, growing the buffer while the kernel says it was
// too small. Keeps what it has when a retry goes differently (the copy loads,
// or fails elsewhere) or the source cannot be opened again.
attempt complete_log(attempt first, const object_source& source, bpf_object* original,
                     const char* program) {
  std::size_t size = verifier_logs::initial_size;
  while (first.err == -ENOSPC && size < max_log_size) {
    size = std::min(size * 8, max_log_size);
    attempt retry;
    try {
      retry = load_copy(source, original, program, size);
    } catch (const error&) {
      break;
    }
    if (retry.err == 0 || retry.log.empty()) break;
    first = std::move(retry);
  }
  return first;
}

std::string indent(std::string_view text) {
  std::string out = "  ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

// The program's layout in the object, for mapping the failure to its source
// line; nothing when the object cannot be read again (the error must still
// be reported).
std::optional<program_layout> layout_of(const object_source& source, const char* program) {
  try {
    auto layouts = source.path.empty() ? read_program_layouts(source.elf, source.name)
                                       : read_program_layouts(source.path);
    auto found = layouts.find(program);
    if (found != layouts.end()) return std::move(found->second);
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string describe(const std::string& object, const char* program, int err,
                     const std::string& log, const object_source& source) {
  std::string message = "load object '" + object + "': the kernel rejected program '" + program +
                        "': " + error_category().message(-err);
  if (auto failure = find_verifier_failure(log)) {
    const auto layout = layout_of(source, program);
    locate_source(*failure, layout ? &*layout : nullptr);
    message += "\n" + indent(failure->message);
    if (failure->source)
      message += "\n  at " + failure->source->file + ":" + std::to_string(failure->source->line) +
                 ": " + failure->source->text;
    if (failure->insn)
      message += "\n  instruction " + std::to_string(*failure->insn) + ": " + failure->insn_text;
  }
  message += "\nverifier log, last lines (error::verifier_log() has all of it):\n" +
             indent(verifier_log_tail(log, tail_lines));
  return message;
}

// Whether this process holds what a BPF load needs: that decides what EPERM means.
bool privileged() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &header, caps) != 0) return false;
  auto has = [&](int cap) { return (caps[cap / 32].effective >> (cap % 32)) & 1; };
  return has(CAP_SYS_ADMIN) || has(CAP_BPF);
}

std::string without_log(const std::string& object, int err) {
  std::string message = "load object '" + object + "'";
  if (err == -EPERM && !privileged())
    message += " (loading BPF needs root, or CAP_BPF with CAP_PERFMON or CAP_NET_ADMIN)";
  else if (err == -EPERM)
    message +=
        " (refused although this process is privileged: this kernel or a security"
        " policy does not allow one of its program types; libbpf names the program"
        " on stderr)";
  return message;
}

}  // namespace

verifier_logs::verifier_logs(bpf_object* obj) : obj_(obj) {
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj_) {
    auto& [owner, log] = buffers_.emplace_back(prog, empty_log(initial_size));
    bpf_program__set_log_buf(owner, log.get(), initial_size);
  }
}

verifier_logs::~verifier_logs() {
  for (auto& [prog, log] : buffers_) bpf_program__set_log_buf(prog, nullptr, 0);
}

error verifier_logs::failure(int err, const object_source& source) const {
  std::string object = bpf_object__name(obj_);
  for (const auto& [prog, log] : buffers_) {
    if (log[0] == '\0') continue;
    const char* name = bpf_program__name(prog);
    attempt full = complete_log({err, log.get()}, source, obj_, name);
    std::string message = describe(object, name, full.err, full.log, source);
    return error(full.err, message, std::move(full.log));
  }
  // Failed before any program reached the verifier (maps, BTF, relocations):
  // libbpf has printed the details on stderr.
  return error(err, without_log(object, err));
}

}  // namespace bpfkit::detail
