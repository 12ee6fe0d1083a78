// bpfkit run OBJ PROG | PINNED-PROG
//            [--data-in FILE | --packet SPEC] [--ctx-in FILE] [--repeat N]
//            [--data-out FILE] [--max-entries MAP=N]... [--value-size MAP=BYTES]... [--json]
//
// Test-runs one program in the kernel (BPF_PROG_TEST_RUN) and reports its
// return value (with the XDP_*/TC_ACT_* name), the duration per run the
// kernel measured, the output packet and every map entry the run changed,
// decoded by BTF. OBJ PROG loads a fresh copy of the object (only PROG);
// a pinned program (DIR/progs/NAME after `bpfkit load --pin`) runs against
// the maps it uses, so its changes stay visible to `bpfkit map` and
// `map watch`.
#include <fcntl.h>
#include <linux/bpf.h>  // BPF_F_RDONLY_PROG
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/coverage/instrument.hpp"
#include "bpfkit/run_record.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "bpfkit/file_io.hpp"
#include "bpfkit/packet.hpp"
#include "bpfkit/privileges.hpp"
#include "bpfkit/return_codes.hpp"
#include "bpfkit/ring_buffer.hpp"
#include "cli.hpp"
#include "id_reference.hpp"
#include "map_text.hpp"
#include "object_loading.hpp"
#include "pin_layout.hpp"

namespace bpfkit::cli {
namespace {

constexpr int kernel_enotsupp = 524;  // ENOTSUPP, the kernel-internal "not supported"
constexpr std::size_t max_events_shown = 16;

// Packets and contexts are at most a few pages; a larger file is a mistake.
constexpr std::size_t max_run_input_size = std::size_t{1} << 20;

// A regular file of at most max_run_input_size bytes, opened without
// blocking (a FIFO or a directory is an error, not a hang).
bytes read_file(const std::string &option, const std::string &path) {
  try {
    std::string content = bpfkit::file_io::read_input(path, max_run_input_size);
    return bytes(content.begin(), content.end());
  } catch (const bpfkit::file_io::file_error &e) {
    throw cli_error(exit_bad_input, option + " " + path + ": " + e.what(),
                    option + " takes a regular file of at most 1 MiB");
  }
}

// Through a temporary with an unpredictable name, created exclusively
// (bpfkit::file_io::atomic_file): a failure leaves no partial output and a
// planted symlink is never followed.
void write_file_atomically(const std::string &path, const bytes &data) {
  try {
    bpfkit::file_io::atomic_file out(path, 0644);
    out.write(std::as_bytes(std::span(data)));
    out.commit();
  } catch (const bpfkit::file_io::file_error &e) {
    throw cli_error(e.error_number() == ENOSPC || e.error_number() == EIO ? exit_failed : exit_bad_input,
                    "--data-out " + path + ": " + e.what());
  }
}

std::string hex(std::span<const std::uint8_t> data, const char *separator) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < data.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%02x", data[i]);
    if (i) out += separator;
    out += buf;
  }
  return out;
}

struct tracked_map {
  map_view map;
  std::map<bytes, bytes> before;
};

struct change {
  bytes key;
  std::optional<bytes> before, after;
};

struct event {
  std::string map;
  bytes data;
};

struct outcome {
  std::string program;
  std::string section;  // for OBJ PROG
  std::string pinned;   // for PINNED-PROG
  program_type type = program_type::unspec;
  std::int32_t retval = 0;
  std::uint64_t duration_ns = 0;
  std::uint32_t repeat = 1;
  bool had_data = false;
  bytes data_out;
  std::optional<std::string> data_out_file;
  std::vector<std::pair<const tracked_map *, std::vector<change>>> changes;
  std::vector<event> events;
  std::size_t events_total = 0;
};

std::vector<change> diff(const tracked_map &tracked, const std::map<bytes, bytes> &after) {
  std::vector<change> changes;
  for (const auto &[key, value] : tracked.before) {
    auto it = after.find(key);
    if (it == after.end())
      changes.push_back({key, value, std::nullopt});
    else if (it->second != value)
      changes.push_back({key, value, it->second});
  }
  for (const auto &[key, value] : after)
    if (!tracked.before.count(key)) changes.push_back({key, std::nullopt, value});
  return changes;
}

[[noreturn]] void explain_test_run_failure(int err, program_type type, const std::string &what) {
  if (err == EPERM || err == EACCES)
    throw cli_error(exit_no_privilege, "test-running " + what + " needs privileges this process lacks",
                    privilege_hint);
  if (err == kernel_enotsupp || err == EOPNOTSUPP)
    throw cli_error(exit_failed,
                    "the kernel cannot test-run " + program_type_name(type) + " programs (" + what + ")",
                    "attach it instead: bpfkit attach OBJ PROG ...");
  std::string hint;
  if (err == EINVAL) {
    if (type == program_type::xdp || type == program_type::sched_cls ||
        type == program_type::sched_act || type == program_type::socket_filter ||
        type == program_type::cgroup_skb)
      hint = "networking programs need a packet of at least 14 bytes: --packet eth/ipv4/udp or "
             "--data-in FILE";
    else
      hint = "check --data-in/--ctx-in: this program type may take no data, or a context of its "
             "own size";
  }
  throw cli_error(exit_failed, "test-run of " + what + " failed: " + bpfkit::error_category().message(err), hint);
}

// Snapshots the maps the program can change (not .rodata/.kconfig, and
// only maps whose entries can be listed).
std::vector<tracked_map> track(std::vector<map_view> maps) {
  std::vector<tracked_map> tracked;
  for (map_view &map : maps) {
    if (!map.keyed() || (map.flags() & BPF_F_RDONLY_PROG)) continue;
    try {
      std::map<bytes, bytes> entries = bpfkit::cli::entries(map);
      tracked.push_back({std::move(map), std::move(entries)});
    } catch (const cli_error &) {
      // a map whose values user space cannot read (e.g. a perf event array)
    }
  }
  return tracked;
}

void record_changes(outcome &result, const std::vector<tracked_map> &tracked) {
  for (const tracked_map &t : tracked) {
    std::vector<change> changes = diff(t, entries(t.map));
    if (!changes.empty()) result.changes.emplace_back(&t, std::move(changes));
  }
}

// The events a freshly loaded object's ring buffers received during the run.
void collect_ring_events(outcome &result, const bpfkit::object &object) {
  for (const bpfkit::map_handle &map : object.maps()) {
    if (map.type() != map_type::ringbuf || map.fd() < 0) continue;
    bpfkit::ring_buffer<std::span<const std::byte>> ring(map);
    ring.consume([&](std::span<const std::byte> sample) {
      ++result.events_total;
      if (result.events.size() < max_events_shown) {
        auto *p = reinterpret_cast<const std::uint8_t *>(sample.data());
        result.events.push_back({std::string(map.name()), bytes(p, p + sample.size())});
      }
    });
  }
}

// --- output ---------------------------------------------------------------

std::string change_text(const map_view &map, const change &c) {
  const map_codec &codec = map.codec();
  const std::string indent = "  ";
  std::string head = indent + map.where(c.key);
  if (!codec.per_cpu()) {
    if (!c.after) return head + " removed (was " + codec.format_value(*c.before) + ")\n";
    std::string line = head + " = " + codec.format_value(*c.after);
    if (!c.before) return line + " (new)\n";
    return line + " (was " + codec.format_value(*c.before) + ")\n";
  }
  std::string out = head + (c.after ? c.before ? ":\n" : " (new):\n" : " removed:\n");
  for (std::size_t cpu = 0; cpu < codec.cpus(); ++cpu) {
    out += indent + "  cpu" + std::to_string(cpu) + ": ";
    if (!c.after) {
      out += "was " + codec.format_value(codec.cpu_value(*c.before, cpu)) + "\n";
      continue;
    }
    std::string now = codec.format_value(codec.cpu_value(*c.after, cpu));
    out += now;
    if (c.before) {
      std::string was = codec.format_value(codec.cpu_value(*c.before, cpu));
      if (was != now) out += " (was " + was + ")";
    }
    out += "\n";
  }
  return out;
}

void print_text(const outcome &r) {
  std::printf("program:  %s (%s, %s)\n", r.program.c_str(), program_type_name(r.type).c_str(),
              r.pinned.empty() ? ("SEC(\"" + r.section + "\")").c_str()
                               : ("pinned at " + r.pinned).c_str());
  std::optional<std::string> name = return_code_name(r.type, r.retval);
  std::printf("retval:   %d%s\n", r.retval, name ? (" (" + *name + ")").c_str() : "");
  std::printf("duration: %llu ns per run (%u run%s)\n", static_cast<unsigned long long>(r.duration_ns),
              r.repeat, r.repeat == 1 ? "" : "s");
  if (r.had_data || !r.data_out.empty())
    std::printf("data_out: %zu bytes%s\n", r.data_out.size(),
                r.data_out_file ? (" (written to " + *r.data_out_file + ")").c_str()
                                : " (--data-out FILE saves them)");
  if (r.changes.empty()) {
    std::printf("maps changed: none\n");
  } else {
    std::printf("maps changed:\n");
    for (const auto &[tracked, changes] : r.changes)
      for (const change &c : changes) std::printf("%s", change_text(tracked->map, c).c_str());
  }
  if (r.events_total) {
    std::printf("ring buffer events: %zu\n", r.events_total);
    for (const event &e : r.events)
      std::printf("  %s: %zu bytes: %s\n", e.map.c_str(), e.data.size(), hex(e.data, " ").c_str());
    if (r.events_total > r.events.size())
      std::printf("  ... %zu more\n", r.events_total - r.events.size());
  }
}

void print_json(const outcome &r) {
  std::optional<std::string> name = return_code_name(r.type, r.retval);
  std::string out = "{\"program\": " + json_quote(r.program) +
                    ", \"type\": " + json_quote(program_type_name(r.type)) +
                    ", \"section\": " + (r.pinned.empty() ? json_quote(r.section) : "null") +
                    ", \"pinned\": " + (r.pinned.empty() ? "null" : json_quote(r.pinned)) +
                    ", \"retval\": " + std::to_string(r.retval) +
                    ", \"retval_name\": " + (name ? json_quote(*name) : "null") +
                    ", \"duration_ns\": " + std::to_string(r.duration_ns) +
                    ", \"repeat\": " + std::to_string(r.repeat) +
                    ", \"data_out_size\": " + std::to_string(r.data_out.size()) +
                    ", \"data_out_file\": " + (r.data_out_file ? json_quote(*r.data_out_file) : "null");
  out += ", \"maps\": [";
  bool first_map = true;
  for (const auto &[tracked, changes] : r.changes) {
    const map_view &map = tracked->map;
    const map_codec &codec = map.codec();
    out += std::string(first_map ? "" : ", ") + "{\"name\": " + json_quote(map.name()) +
           ", \"type\": " + json_quote(map_type_name(map.type())) + ", \"changes\": [";
    first_map = false;
    bool first = true;
    for (const change &c : changes) {
      out += std::string(first ? "" : ", ") + "{\"key\": " + codec.format_key(c.key, format_style::json) +
             ", \"before\": " + (c.before ? codec.format_buffer(*c.before, format_style::json) : "null") +
             ", \"after\": " + (c.after ? codec.format_buffer(*c.after, format_style::json) : "null") + "}";
      first = false;
    }
    out += "]}";
  }
  out += "], \"events\": [";
  for (std::size_t i = 0; i < r.events.size(); ++i)
    out += std::string(i ? ", " : "") + "{\"map\": " + json_quote(r.events[i].map) +
           ", \"size\": " + std::to_string(r.events[i].data.size()) +
           ", \"data\": " + json_quote(hex(r.events[i].data, "")) + "}";
  out += "], \"events_total\": " + std::to_string(r.events_total) + "}";
  std::printf("%s\n", out.c_str());
}

}  // namespace

// --coverage FILE: what the run counted, as an lcov tracefile (test name
// <object name>:PROG). Programs whose coverage was not taken are named on stderr.
void write_coverage(const std::string &path, const std::string &test) {
  bpfkit::run_record::test_data data = bpfkit::run_record::end();
  std::string why;
  for (const bpfkit::run_record::program_entry &p : data.programs)
    if (!p.counted) {
      std::fprintf(stderr, "bpfkit run: coverage not taken for %s/%s: %s\n", p.object.c_str(), p.program.c_str(),
                   p.reason.c_str());
      why = p.reason;
    }
  if (data.counts.files.empty())
    throw cli_error(exit_bad_input, "--coverage " + path + ": nothing was counted" + (why.empty() ? "" : ": " + why));
  bpfkit::coverage::tracefile trace;
  trace.tests[test] = std::move(data.counts);
  try {
    bpfkit::coverage::write_tracefile(path, trace);
  } catch (const bpfkit::coverage::error &e) {
    throw cli_error(exit_bad_input, std::string("--coverage ") + e.what());
  }
}

int cmd_run(arguments &args) {
  std::optional<std::string> data_in = args.option("--data-in");
  std::optional<std::string> packet = args.option("--packet");
  std::optional<std::string> ctx_in = args.option("--ctx-in");
  std::optional<std::string> data_out_file = args.option("--data-out");
  std::optional<std::string> repeat_text = args.option("--repeat");
  bool json = args.flag("--json");
  std::optional<std::string> coverage_file = args.option("--coverage");
  map_sizes sizes = map_size_options(args);
  std::string target = args.positional("OBJ (a .bpf.o file) or a pinned program");
  std::optional<std::string> program = args.optional_positional();
  args.finish();
  if (data_in && packet) throw usage_error("give --data-in or --packet, not both");
  std::uint32_t repeat = 1;
  if (repeat_text) {
    unsigned long long n = parse_number("--repeat", *repeat_text);
    if (n < 1 || n > UINT32_MAX) throw usage_error("--repeat takes 1 to 4294967295 runs");
    repeat = static_cast<std::uint32_t>(n);
  }

  bytes data, context;
  if (data_in) data = read_file("--data-in", *data_in);
  if (packet) {
    try {
      data = bpfkit::build_packet(*packet);
    } catch (const bpfkit::packet_spec_error &e) {
      throw cli_error(exit_bad_input, std::string("--packet: ") + e.what());
    }
  }
  if (ctx_in) context = read_file("--ctx-in", *ctx_in);

  outcome result;
  result.repeat = repeat;
  result.had_data = data_in || packet;
  result.data_out_file = data_out_file;
  bpfkit::test_run_opts opts;
  opts.data_in = data;
  opts.ctx_in = context;
  opts.repeat = repeat;

  bool pinned = !program && (on_bpffs(target) || is_id_reference(target));
  if (!program && !pinned)
    throw usage_error("missing PROG (the program to run) after " + target);
  if (pinned && coverage_file)
    throw usage_error("--coverage counts what OBJ's programs run by instrumenting them as they load; "
                      "a pinned program is loaded already");
  if (coverage_file && coverage_file->empty()) throw usage_error("--coverage takes the tracefile to write");
  if (pinned && (!sizes.max_entries.empty() || !sizes.value_size.empty()))
    throw usage_error("--max-entries and --value-size size the maps of OBJ before it loads; a "
                      "pinned program's maps exist already");

  if (pinned) {
    owned_fd prog_fd = open_pinned(target, bpf_kind::program);
    bpfkit::kernel::program_info info;
    try {
      info = bpfkit::kernel::describe_program(prog_fd.get());
    } catch (const bpfkit::error &e) {
      throw cli_error(exit_failed, std::string("reading the program's info: ") +
                                       bpfkit::error_category().message(e.code().value()));
    }
    result.program = info.kernel_name;
    result.pinned = target;
    result.type = info.type_code;
    std::vector<map_view> maps;
    for (std::uint32_t id : info.map_ids) {
      try {
        maps.push_back(map_view::by_id(id));
      } catch (const bpfkit::error &e) {
        int err = e.code().value();
        if (err == EPERM || err == EACCES)
          throw cli_error(exit_no_privilege, e.what(), privilege_hint);
        // a map gone since the program's info was read
      }
    }
    std::vector<tracked_map> tracked = track(std::move(maps));

    bpfkit::test_run_opts run;
    run.data_in = data;
    run.ctx_in = context;
    run.repeat = repeat;
    const std::string what = "program " + result.program + " (" + target + ")";
    bpfkit::test_run_result ran;
    try {
      ran = bpfkit::kernel::test_run(prog_fd.get(), run, what);
    } catch (const bpfkit::error &e) {
      explain_test_run_failure(e.code().value(), result.type, what);
    }
    result.retval = static_cast<std::int32_t>(ran.retval);
    result.duration_ns = ran.duration_ns;
    result.data_out = std::move(ran.data_out);
    record_changes(result, tracked);
    if (data_out_file) write_file_atomically(*data_out_file, result.data_out);
    json ? print_json(result) : print_text(result);
    return exit_ok;
  }

  if (coverage_file) {
    bpfkit::run_record::enable_coverage();
    bpfkit::run_record::begin();
  }
  bpfkit::object object = load_object(target, *program, sizes);
  bpfkit::program prog = object.program_by_name(*program);
  result.program = *program;
  result.section = prog.section();
  result.type = prog.type();
  std::vector<map_view> maps;
  for (const bpfkit::map_handle &map : object.maps())
    if (map.fd() >= 0) maps.push_back(map_view::of(map));
  std::vector<tracked_map> tracked = track(std::move(maps));

  bpfkit::test_run_result run;
  try {
    run = prog.test_run(opts);
  } catch (const bpfkit::error &e) {
    explain_test_run_failure(e.code().value(), result.type, "program " + *program);
  }
  result.retval = static_cast<std::int32_t>(run.retval);
  result.duration_ns = run.duration_ns;
  result.data_out = std::move(run.data_out);
  record_changes(result, tracked);
  collect_ring_events(result, object);
  if (data_out_file) write_file_atomically(*data_out_file, result.data_out);
  json ? print_json(result) : print_text(result);
  if (coverage_file) write_coverage(*coverage_file, std::string(object.name()) + ":" + *program);
  return exit_ok;
}

}  // namespace bpfkit::cli
