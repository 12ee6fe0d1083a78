// object::load and object::try_load: loading with options, the one verifier
// log grower, and the report of every program's verdict.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfkit/error.hpp"
#include "bpfkit/load.hpp"
#include "bpfkit/object.hpp"
#include "bpfkit/object_layout.hpp"
#include "bpfkit/privileges.hpp"
#include "bpfkit/verifier_log.hpp"
#include "libbpf_messages.hpp"
#include "state.hpp"

namespace bpfkit {
namespace detail {
namespace {

constexpr std::size_t default_log_size = 256 * 1024;
// The kernel refuses log buffers above this size (EINVAL).
constexpr std::size_t max_log_size = UINT_MAX >> 2;

// Log buffers for the programs of one bpf_object__load; handed back (and
// freed) when it ends.
class log_buffers {
 public:
  log_buffers(::bpf_object* obj, std::uint32_t level, std::size_t size) {
    ::bpf_program* prog;
    bpf_object__for_each_program(prog, obj) {
      if (!bpf_program__autoload(prog)) continue;
      std::unique_ptr<char[]> buffer(new char[size]);
      buffer[0] = '\0';
      bpf_program__set_log_buf(prog, buffer.get(), size);
      if (level) bpf_program__set_log_level(prog, level);
      buffers_.push_back({prog, std::move(buffer)});
    }
  }
  ~log_buffers() {
    for (auto& [prog, buffer] : buffers_) bpf_program__set_log_buf(prog, nullptr, 0);
  }
  log_buffers(const log_buffers&) = delete;
  log_buffers& operator=(const log_buffers&) = delete;

  std::string text(const ::bpf_program* prog) const {
    for (const auto& [owner, buffer] : buffers_)
      if (owner == prog) return buffer.get();
    return {};
  }

 private:
  std::vector<std::pair<::bpf_program*, std::unique_ptr<char[]>>> buffers_;
};

}  // namespace

// Shared with run_record.cpp (state.hpp).
std::uint32_t verified_insns_of(int fd) {
  bpf_prog_info info{};
  __u32 size = sizeof info;
  // libbpf 1.1 has no bpf_prog_get_info_by_fd; this is the same syscall.
  if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &size) != 0) return 0;
  return info.verified_insns;
}

// A fresh copy must be loaded as the original was configured: global data,
// map sizes and program settings can decide what the verifier sees.
void copy_settings(::bpf_object* from, ::bpf_object* to) {
  ::bpf_map* map;
  bpf_object__for_each_map(map, from) {
    ::bpf_map* copy = bpf_object__find_map_by_name(to, bpf_map__name(map));
    if (!copy) continue;
    bpf_map__set_max_entries(copy, bpf_map__max_entries(map));
    if (bpf_map__value_size(copy) != bpf_map__value_size(map))
      bpf_map__set_value_size(copy, bpf_map__value_size(map));
    std::size_t size = 0;
    if (const void* data = bpf_map__initial_value(map, &size))
      bpf_map__set_initial_value(copy, data, size);  // .kconfig refuses: libbpf fills it
  }
  ::bpf_program* prog;
  bpf_object__for_each_program(prog, from) {
    ::bpf_program* copy = bpf_object__find_program_by_name(to, bpf_program__name(prog));
    if (!copy) continue;
    bpf_program__set_type(copy, bpf_program__type(prog));
    bpf_program__set_expected_attach_type(copy, bpf_program__expected_attach_type(prog));
    bpf_program__set_flags(copy, bpf_program__flags(prog));
  }
}

namespace {

// One load of one program (or of the object's selection), as seen from outside.
struct attempt {
  int err = 0;
  std::string log;
  std::string messages;  // libbpf's
  std::uint32_t verified_insns = 0;
};

// Loads a fresh copy of the object with only `program`, its log at `level`
// in a `size`-byte buffer. Nothing stays loaded.
attempt load_alone(const object_state& s, const char* program, std::uint32_t level,
                   std::size_t size) {
  libbpf_messages capture(false);  // the first load said it already
  object_ptr copy = open_object(s.source);
  copy_settings(s.obj.get(), copy.get());
  ::bpf_program* target = nullptr;
  ::bpf_program* prog;
  bpf_object__for_each_program(prog, copy.get()) {
    const bool wanted = std::strcmp(bpf_program__name(prog), program) == 0;
    bpf_program__set_autoload(prog, wanted);
    if (wanted) target = prog;
  }
  if (!target) return {-ENOENT, {}, {}, 0};
  attempt a;
  {
    log_buffers logs(copy.get(), level, size);
    a.err = bpf_object__load(copy.get());
    a.log = logs.text(target);
  }
  a.messages = capture.take();
  if (a.err == 0) a.verified_insns = verified_insns_of(bpf_program__fd(target));
  return a;
}

// load_alone, with the log grown while the kernel says it was too small
// (ENOSPC would hide the real verdict: the reason is at the end of the log).
// The one log grower of bpfkit.
attempt load_alone_complete(const object_state& s, const char* program, std::uint32_t level,
                            std::size_t size) {
  attempt a = load_alone(s, program, level, size);
  while (a.err == -ENOSPC && size < max_log_size) {
    size = std::min(size * 8, max_log_size);
    a = load_alone(s, program, level, size);
  }
  return a;
}

// --- reading libbpf's messages ----------------------------------------------

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.starts_with("libbpf: ")) line.remove_prefix(8);
    if (!line.empty()) lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// The first message line containing `needle` (and, when given, `also`).
std::optional<std::string_view> message_with(std::string_view messages, std::string_view needle,
                                             std::string_view also = {}) {
  for (std::string_view line : lines_of(messages))
    if (line.find(needle) != std::string_view::npos &&
        (also.empty() || line.find(also) != std::string_view::npos))
      return line;
  return std::nullopt;
}

// The text between the first pair of single quotes after `after` in `line`.
std::string quoted_after(std::string_view line, std::string_view after) {
  std::size_t at = line.find(after);
  if (at == std::string_view::npos) return {};
  std::size_t open = line.find('\'', at + after.size() - (after.ends_with('\'') ? 1 : 0));
  if (open == std::string_view::npos) return {};
  std::size_t close = line.find('\'', open + 1);
  if (close == std::string_view::npos) return {};
  return std::string(line.substr(open + 1, close - open - 1));
}

// libbpf's words for why a load failed, when it said anything specific:
// its last warning that is not the generic "failed to load".
std::string libbpf_reason(std::string_view messages) {
  std::string_view best;
  for (std::string_view line : lines_of(messages)) {
    if (line.starts_with("failed to load object") || line.find(": failed to load: ") != std::string_view::npos ||
        line.find("-- BEGIN PROG LOAD LOG --") != std::string_view::npos ||
        line.find("-- END PROG LOAD LOG --") != std::string_view::npos)
      continue;
    best = line;
  }
  return std::string(best);
}

bool is_permission_error(int err) { return err == -EPERM || err == -EACCES; }

// --- classifying one attempt --------------------------------------------------

struct context {
  const object_state& state;
  mutable std::optional<std::map<std::string, program_layout>> layouts;

  // The program's layout in the object, for mapping an instruction to its
  // source line; nothing when the object cannot be read again (the verdict
  // must still be given).
  const program_layout* layout(const std::string& program) const {
    if (!layouts) {
      try {
        // The bytes that were checked and opened, not the file again.
        layouts = read_program_layouts(state.source.elf,
                                       state.source.path.empty() ? state.source.name : state.source.path);
      } catch (const std::exception&) {
        layouts.emplace();
      }
    }
    auto found = layouts->find(program);
    return found == layouts->end() ? nullptr : &found->second;
  }
};

// Failures that happen before any program is tried, for the object as a
// whole: its maps, its BTF, its externs, or the privilege to load at all.
// Fills `r` and returns true when `a` is one of them.
bool classify_object_failure(const attempt& a, program_report& r) {
  r.error = -a.err;
  r.libbpf_messages = a.messages;
  const bool privileged = holds_bpf_capability();
  if (auto line = message_with(a.messages, "': failed to create")) {
    r.stage = failure_stage::map_creation;
    r.subject = quoted_after(*line, "map ");
    r.reason = std::string(*line);
  } else if (auto line = message_with(a.messages, "Error loading .BTF into kernel", "mandatory")) {
    r.stage = failure_stage::btf;
    r.reason = std::string(*line);
  } else if (auto line = message_with(a.messages, "extern ", "not found in kernel")) {
    r.stage = failure_stage::kernel_symbol;
    r.subject = quoted_after(*line, "extern ");
    r.reason = std::string(*line);
  } else if (auto line = message_with(a.messages, "extern '", "not resolved")) {
    r.stage = failure_stage::kernel_symbol;
    r.subject = quoted_after(*line, "extern ");
    r.reason = std::string(*line);
  } else if (message_with(a.messages, "prog '")) {
    return false;  // a program failed: each one's verdict is needed
  } else {
    r.stage = failure_stage::other;
    r.reason = libbpf_reason(a.messages);
  }
  if (is_permission_error(a.err) && !privileged) {
    r.status = load_status::no_privilege;
    r.stage = failure_stage::none;
  } else {
    r.status = load_status::failed_before_verifier;
  }
  return true;
}

// "<N>: <invalid CO-RE relocation>": the instruction libbpf poisoned.
std::optional<std::uint32_t> poisoned_insn(std::string_view log) {
  const std::string_view marker = ": <invalid CO-RE relocation>";
  std::size_t at = log.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t start = log.rfind('\n', at);
  start = start == std::string_view::npos ? 0 : start + 1;
  std::uint32_t insn = 0;
  auto [end, ec] = std::from_chars(log.data() + start, log.data() + at, insn);
  if (ec != std::errc() || end != log.data() + at) return std::nullopt;
  return insn;
}

void classify(const attempt& a, const context& ctx, program_report& r) {
  r.error = a.err == 0 ? 0 : -a.err;
  r.log = a.log;
  r.libbpf_messages = a.messages;
  // A rejected program has statistics too (how far the verifier got).
  r.stats = parse_verifier_stats(a.log);
  if (a.err == 0) {
    r.status = load_status::accepted;
    r.verified_insns = a.verified_insns;
    return;
  }
  const std::string prog = "prog '" + r.name + "': ";
  std::optional<verifier_failure> failure = find_verifier_failure(a.log);
  r.status = load_status::failed_before_verifier;

  if (is_permission_error(a.err) && !failure && !holds_bpf_capability()) {
    r.status = load_status::no_privilege;
  } else if (program_report object_level; !message_with(a.messages, prog) &&
                                          classify_object_failure(a, object_level)) {
    // A map or extern of the object, met while loading this program alone.
    r.status = object_level.status;
    r.stage = object_level.stage;
    r.subject = object_level.subject;
    r.reason = object_level.reason;
  } else if (auto line = message_with(a.messages, prog, "failed to find kernel BTF type ID of")) {
    r.stage = failure_stage::attach_target;
    r.subject = quoted_after(*line, "type ID of ");
    r.reason = std::string(*line);
  } else if (auto line = message_with(a.messages, prog, "attach target")) {
    r.stage = failure_stage::attach_target;
    r.reason = std::string(*line);
  } else if (auto insn = poisoned_insn(a.log)) {
    r.stage = failure_stage::core_relocation;
    std::size_t at = a.log.find("failed to resolve CO-RE relocation ");
    if (at != std::string::npos) {
      std::size_t end = a.log.find('\n', at);
      r.reason = a.log.substr(at, end == std::string::npos ? std::string::npos : end - at);
      r.subject = r.reason.substr(std::strlen("failed to resolve CO-RE relocation "));
    }
    verifier_failure where;
    where.insn = insn;
    locate_source(where, ctx.layout(r.name));
    r.insn = insn;
    r.source = where.source;
  } else if (auto line = message_with(a.messages, prog, "relo #")) {
    r.stage = failure_stage::core_relocation;
    r.reason = std::string(*line);
  } else if (failure) {
    r.status = load_status::rejected;
    locate_source(*failure, ctx.layout(r.name));
    r.verifier_message = failure->message;
    r.reason = failure->message.substr(0, failure->message.find('\n'));
    r.source = failure->source;
    r.insn = failure->insn;
    r.insn_text = failure->insn_text;
  } else if (is_permission_error(a.err)) {
    r.status = load_status::refused;
  } else {
    r.stage = failure_stage::other;
    r.reason = libbpf_reason(a.messages);
  }
}

program_report report_of(::bpf_program* prog) {
  program_report r;
  r.name = bpf_program__name(prog);
  r.section = bpf_program__section_name(prog);
  r.type = static_cast<program_type>(bpf_program__type(prog));
  return r;
}

// After a failed load: every program that was to load, loaded on its own
// from a fresh copy, so that one failure hides no other verdict.
load_report diagnose(const object_state& s, const attempt& combined, std::uint32_t level,
                     std::size_t size) {
  load_report report;
  report.object = s.name;
  program_report object_level;
  if (!message_with(combined.messages, "prog '") && classify_object_failure(combined, object_level))
    report.object_failure = object_level;

  context ctx{s, std::nullopt};
  ::bpf_program* prog;
  bpf_object__for_each_program(prog, s.obj.get()) {
    program_report r = report_of(prog);
    if (!bpf_program__autoload(prog)) {
      report.programs.push_back(std::move(r));
      continue;
    }
    if (report.object_failure) {
      r.status = object_level.status;
      r.stage = object_level.stage;
      r.subject = object_level.subject;
      r.reason = object_level.reason;
      r.error = object_level.error;
      r.libbpf_messages = object_level.libbpf_messages;
      report.programs.push_back(std::move(r));
      continue;
    }
    attempt a;
    try {
      a = load_alone_complete(s, r.name.c_str(), level, size);
      // A log without the trace (statistics only) holds no reason: load it
      // again with one. At level 0 libbpf did that itself.
      if (a.err != 0 && level != 0 && !(level & log_level::trace) && a.err != -EPERM)
        a = load_alone_complete(s, r.name.c_str(), level | log_level::trace, size);
    } catch (const error& e) {
      // The source cannot be opened again: the combined load's word is all there is.
      a = combined;
      a.messages += std::string(e.what()) + "\n";
    }
    classify(a, ctx, r);
    report.programs.push_back(std::move(r));
  }
  return report;
}

load_report accepted(const object_state& s, const log_buffers& logs) {
  load_report report;
  report.object = s.name;
  ::bpf_program* prog;
  bpf_object__for_each_program(prog, s.obj.get()) {
    program_report r = report_of(prog);
    if (bpf_program__fd(prog) >= 0) {
      r.status = load_status::accepted;
      r.verified_insns = verified_insns_of(bpf_program__fd(prog));
      r.log = logs.text(prog);
      r.stats = parse_verifier_stats(r.log);
    }
    report.programs.push_back(std::move(r));
  }
  return report;
}

void select_programs(const object_state& s, const std::vector<std::string>& wanted) {
  if (wanted.empty()) return;
  std::string names;
  ::bpf_program* prog;
  bpf_object__for_each_program(prog, s.obj.get())
    names += (names.empty() ? "" : ", ") + std::string(bpf_program__name(prog));
  for (const std::string& name : wanted)
    if (!bpf_object__find_program_by_name(s.obj.get(), name.c_str()))
      throw error(ENOENT, "load object '" + std::string(s.name) +
                              "': it has no program '" + name + "'; its programs: " +
                              (names.empty() ? "none" : names));
  bpf_object__for_each_program(prog, s.obj.get())
    bpf_program__set_autoload(prog, std::find(wanted.begin(), wanted.end(),
                                              bpf_program__name(prog)) != wanted.end());
}

}  // namespace
}  // namespace detail

load_report object::try_load() { return try_load(load_options{}); }

load_report object::try_load(const load_options& options) {
  detail::object_state& s = require();
  const std::string what = "load object '" + std::string(name()) + "'";
  if (s.loaded) throw error(EINVAL, what + ": it is already loaded");
  // libbpf cannot load an object twice, even after a failure.
  if (s.load_attempted) throw error(EINVAL, what + ": an earlier load failed; open it again");
  detail::check_expectations(s);
  detail::select_programs(s, options.programs);

  const std::size_t size = options.log_size ? options.log_size : detail::default_log_size;
  // The load that stays: with statistics only, whose logs are small. A
  // trace, which can outgrow any buffer (ENOSPC would fail the load), is
  // taken from copies loaded on their own.
  const std::uint32_t kept_level = options.log_level & log_level::stats;
  detail::attempt combined;
  load_report report;
  {
    detail::libbpf_messages capture(true);
    detail::log_buffers logs(s.obj.get(), kept_level, size);
    s.load_attempted = true;
    combined.err = bpf_object__load(s.obj.get());
    combined.messages = capture.take();
    if (combined.err == 0) {
      s.loaded = true;
      detail::map_sections(s);
      report = detail::accepted(s, logs);
    }
  }
  if (combined.err != 0) {
    load_report failed = detail::diagnose(s, combined, options.log_level, size);
    detail::record_load(s, failed);
    return failed;
  }

  if (options.log_level & (log_level::trace | log_level::states)) {
    for (program_report& r : report.programs) {
      if (r.status != load_status::accepted) continue;
      detail::attempt traced =
          detail::load_alone_complete(s, r.name.c_str(), options.log_level, size);
      if (traced.err == 0) r.log = std::move(traced.log);
    }
  }
  detail::record_load(s, report);
  return report;
}

void object::load() { load(load_options{}); }

void object::load(const load_options& options) {
  load_report report = try_load(options);
  if (report.ok()) return;
  const program_report* failure = report.first_failure();
  throw error(failure ? failure->error : EINVAL, report.message(), report);
}

}  // namespace bpfkit
