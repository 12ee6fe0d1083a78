// bpfkit map dump PINNED [--json]
// bpfkit map lookup PINNED KEY [--json]
// bpfkit map update PINNED KEY VALUE [--flags any|noexist|exist] [--cpu N]
// bpfkit map delete PINNED KEY
// bpfkit map watch PINNED [--count N] [--timeout SEC] [--type NAME] [--btf FILE] [--json]
//
// PINNED is a pinned map (DIR/maps/NAME after `bpfkit load --pin DIR`, or
// anything bpftool pinned). Keys and values are decoded and parsed by the
// map's BTF (map_text.hpp), in bpf_add_test's syntax: `0`, `0x2a`,
// `{saddr=0x0a000001, port=53}`, `[1, 2]`, `"text"`.
//
// `watch` prints the events of a ring buffer or perf event array as they
// arrive: as hex bytes, or decoded as --type NAME (a struct from the BTF of
// the map, of a loaded program that uses the map, or of --btf FILE).
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/btf_text.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/event_reader.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "bpfkit/map_type.hpp"
#include "bpfkit/inspect/btf_source.hpp"
#include "cli.hpp"
#include "inspect_errors.hpp"
#include "map_text.hpp"
#include "pin_layout.hpp"

namespace bpfkit::cli {
namespace {

int map_dump(arguments &args) {
  bool json = args.flag("--json");
  std::string path = args.positional("PINNED (a pinned map)");
  args.finish();
  map_view map = open_pinned_map(path);
  const map_codec &codec = map.codec();
  if (!map.keyed())
    throw cli_error(exit_bad_input,
                    path + " is a " + map_type_name(map.type()) + " map: it has no entries to dump",
                    map.type() == map_type::ringbuf || map.type() == map_type::perf_event_array
                        ? "read its events with: bpfkit map watch " + path
                        : "");
  std::map<bytes, bytes> all = entries(map);
  if (json) {
    std::string out = "{\"map\": " + header_json(map) + ", \"entries\": [";
    bool first = true;
    for (const auto &[key, value] : all) {
      out += std::string(first ? "\n  " : ",\n  ") + codec.entry_json(key, value);
      first = false;
    }
    std::printf("%s%s]}\n", out.c_str(), first ? "" : "\n");
    return exit_ok;
  }
  std::printf("# %s: %s map, key %s, value %s%s; %zu of %u entries\n", std::string(map.name()).c_str(),
              map_type_name(map.type()).c_str(), codec.describe_key().c_str(),
              codec.describe_value().c_str(),
              codec.per_cpu() ? (", one per CPU (" + std::to_string(codec.cpus()) + ")").c_str() : "",
              all.size(), map.max_entries());
  for (const auto &[key, value] : all) std::printf("%s", codec.entry_text(map.name(), key, value).c_str());
  return exit_ok;
}

void require_keyed(const map_view &map, const std::string &path) {
  if (!map.keyed())
    throw cli_error(exit_bad_input, path + " is a " + map_type_name(map.type()) + " map, which has no keys");
}

int map_lookup(arguments &args) {
  bool json = args.flag("--json");
  std::string path = args.positional("PINNED (a pinned map)");
  std::string key_text = args.positional("KEY");
  args.finish();
  map_view map = open_pinned_map(path);
  require_keyed(map, path);
  bytes key = parse_key(map, key_text);
  std::optional<bytes> value = lookup(map, key);
  if (!value) throw cli_error(exit_failed, "key not found: " + map.where(key));
  if (json)
    std::printf("%s\n", map.codec().entry_json(key, *value).c_str());
  else
    std::printf("%s", map.codec().entry_text(map.name(), key, *value).c_str());
  return exit_ok;
}

int map_update(arguments &args) {
  std::string flags_text = args.option("--flags").value_or("any");
  std::optional<std::string> cpu_text = args.option("--cpu");
  std::string path = args.positional("PINNED (a pinned map)");
  std::string key_text = args.positional("KEY");
  std::string value_text = args.positional("VALUE");
  args.finish();
  update_flag flag;
  if (flags_text == "any") flag = update_flag::any;
  else if (flags_text == "noexist") flag = update_flag::no_exist;
  else if (flags_text == "exist") flag = update_flag::exist;
  else throw usage_error("--flags takes any, noexist or exist, not '" + flags_text + "'");

  map_view map = open_pinned_map(path);
  const map_codec &codec = map.codec();
  require_keyed(map, path);
  if (cpu_text && !codec.per_cpu())
    throw usage_error("--cpu is for per-CPU maps; " + path + " is a " + map_type_name(map.type()) + " map");
  bytes key = parse_key(map, key_text);
  bytes one = parse_value(map, value_text);
  bytes value = codec.every_cpu(one);
  if (cpu_text) {
    unsigned long long cpu = parse_number("--cpu", *cpu_text);
    if (cpu >= codec.cpus())
      throw cli_error(exit_bad_input, "--cpu " + *cpu_text + ": this machine has CPUs 0 to " +
                                          std::to_string(codec.cpus() - 1));
    // The other CPUs keep their values.
    if (std::optional<bytes> current = lookup(map, key)) {
      const std::size_t stride = codec.value_buffer_size() / codec.cpus();
      std::copy(one.begin(), one.end(), current->begin() + static_cast<long>(cpu * stride));
      value = *current;
    } else {
      value.assign(codec.value_buffer_size(), 0);
      const std::size_t stride = codec.value_buffer_size() / codec.cpus();
      std::copy(one.begin(), one.end(), value.begin() + static_cast<long>(cpu * stride));
    }
  }
  update(map, key, value, flag);
  std::optional<bytes> now;
  try {
    now = lookup(map, key);
  } catch (const cli_error &) {
    // e.g. a program array, whose lookups return ids rather than what was written
  }
  if (now)
    std::printf("%s", codec.entry_text(map.name(), key, *now).c_str());
  else
    std::printf("updated %s\n", map.where(key).c_str());
  return exit_ok;
}

int map_delete(arguments &args) {
  std::string path = args.positional("PINNED (a pinned map)");
  std::string key_text = args.positional("KEY");
  args.finish();
  map_view map = open_pinned_map(path);
  require_keyed(map, path);
  bytes key = parse_key(map, key_text);
  std::string shown = map.where(key);
  bool erased = false;
  try {
    erased = map.erase(key);
  } catch (const bpfkit::error &e) {
    const int err = e.code().value();
    if (err == EINVAL && (map.type() == map_type::array || map.type() == map_type::percpu_array))
      throw cli_error(exit_failed, "cannot delete " + shown + ": array entries always exist",
                      "set it to zero with bpfkit map update");
    throw cli_error(err == EPERM || err == EACCES ? exit_no_privilege : exit_failed,
                    "cannot delete " + shown + ": " + e.code().message());
  }
  if (!erased) throw cli_error(exit_failed, "key not found: " + shown);
  std::printf("deleted %s\n", shown.c_str());
  return exit_ok;
}

// --- watch ----------------------------------------------------------------

volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) { stop_requested = 1; }

std::string hex(const std::uint8_t *data, std::size_t size, const char *separator) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < size; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", data[i]);
    if (i) out += separator;
    out += buf;
  }
  return out;
}

// The BTF that describes a map's events: the map's own, else that of a
// loaded program that uses the map (libbpf creates ring buffers and perf
// event arrays without BTF), else --btf FILE.
using btf_ptr = std::shared_ptr<const btf>;

struct event_type {
  btf_ptr source;
  std::uint32_t id = 0;
  std::size_t size = 0;
  std::string name;
};

event_type find_event_type(const map_view &map, const std::string &name,
                           const std::optional<std::string> &btf_file) {
  event_type t;
  std::string where;
  if (btf_file) {
    // Read as `bpfkit btf` reads it: a bounded regular file, checked by
    // object_check before libbpf parses it.
    inspect::named_btf file = run_inspection([&] { return inspect::read_btf_file(*btf_file, "--btf"); });
    t.source = btf_ptr(std::move(file.types));
    where = *btf_file;
  } else if (map.codec().types()) {
    t.source = btf_ptr(map.codec().types(), [](const btf *) {});  // the view outlives the watch
    where = "the map's BTF";
  } else {
    try {
      t.source = bpfkit::kernel::btf_of_program_using(map.id());
    } catch (const bpfkit::error &e) {
      throw cli_error(exit_no_privilege, e.what(), "run as root (or with CAP_SYS_ADMIN)");
    }
    where = "the BTF of the programs using the map";
  }
  if (!t.source)
    throw cli_error(exit_bad_input,
                    "--type " + name + ": map '" + std::string(map.name()) +
                        "' has no BTF and no loaded program with BTF uses it",
                    "give the object it comes from: --btf OBJ");
  std::optional<named_type> found = find_named_type(t.source.get(), name);
  if (!found) {
    std::string structs;
    for (const std::string &s : struct_names(t.source.get(), 20)) structs += (structs.empty() ? "" : ", ") + s;
    throw cli_error(exit_bad_input, "--type " + name + ": no such type in " + where,
                    structs.empty() ? "" : "structs there: " + structs);
  }
  t.id = found->id;
  if (found->size == 0) throw cli_error(exit_bad_input, "--type " + name + " has no size");
  t.size = found->size;
  t.name = bpfkit::describe_type(t.source.get(), t.id);
  return t;
}

struct watcher {
  const map_view *map;
  std::optional<event_type> type;
  bool json = false;
  bool perf = false;
  unsigned long long count = 0;  // 0: unlimited
  unsigned long long seen = 0;
  unsigned long long lost = 0;

  bool done() const { return count && seen >= count; }

  void print(int cpu, const std::uint8_t *data, std::size_t size) {
    ++seen;
    std::string decoded, note;
    // Perf samples arrive padded to 8 bytes; ring buffer records are exact.
    if (type && size >= type->size && (size == type->size || perf))
      decoded = bpfkit::format_value(type->source.get(), type->id,
                                     std::span<const std::uint8_t>(data, type->size),
                                     json ? bpfkit::format_style::json : bpfkit::format_style::text);
    else if (type)
      note = std::to_string(size) + " bytes, but " + type->name + " is " + std::to_string(type->size);
    if (json) {
      std::string line = "{\"event\": " + std::to_string(seen);
      if (perf) line += ", \"cpu\": " + std::to_string(cpu);
      line += ", \"size\": " + std::to_string(size);
      if (!decoded.empty())
        line += ", \"value\": " + decoded;
      else
        line += ", \"data\": " + json_quote(hex(data, size, ""));
      if (!note.empty()) line += ", \"note\": " + json_quote(note);
      std::printf("%s}\n", line.c_str());
    } else {
      std::string head = "event " + std::to_string(seen);
      if (perf) head += " (cpu " + std::to_string(cpu) + ")";
      if (!decoded.empty())
        std::printf("%s: %s\n", head.c_str(), decoded.c_str());
      else
        std::printf("%s: %zu bytes%s: %s\n", head.c_str(), size,
                    note.empty() ? "" : (" (" + note + ")").c_str(), hex(data, size, " ").c_str());
    }
    std::fflush(stdout);
  }

  // Returns false once enough events were seen: later ones stay in the ring.
  bool on_event(int cpu, std::span<const std::uint8_t> data) {
    print(cpu, data.data(), data.size());
    return !done();
  }

  void on_lost(int cpu, std::uint64_t dropped) {
    lost += dropped;
    if (json)
      std::printf("{\"lost\": %llu, \"cpu\": %d}\n", static_cast<unsigned long long>(dropped), cpu);
    else
      std::printf("lost %llu events (cpu %d): the perf ring was full\n",
                  static_cast<unsigned long long>(dropped), cpu);
    std::fflush(stdout);
  }
};

int map_watch(arguments &args) {
  bool json = args.flag("--json");
  std::optional<std::string> count_text = args.option("--count");
  std::optional<std::string> timeout_text = args.option("--timeout");
  std::optional<std::string> type_name = args.option("--type");
  std::optional<std::string> btf_file = args.option("--btf");
  std::string path = args.positional("PINNED (a pinned ring buffer or perf event array)");
  args.finish();
  if (btf_file && !type_name) throw usage_error("--btf is for --type: give the type to decode");

  watcher w;
  w.json = json;
  if (count_text) {
    w.count = parse_number("--count", *count_text);
    if (w.count == 0) throw usage_error("--count takes 1 or more events");
  }
  std::optional<std::chrono::steady_clock::time_point> deadline;
  unsigned long long timeout_s = 0;
  if (timeout_text) {
    timeout_s = parse_number("--timeout", *timeout_text);
    // steady_clock counts nanoseconds in 64 bits: ~292 years from boot.
    constexpr unsigned long long max_timeout_s = 100ULL * 365 * 24 * 3600;
    if (timeout_s > max_timeout_s)
      throw usage_error("--timeout " + *timeout_text + " is too long: at most " +
                        std::to_string(max_timeout_s) + " seconds (100 years)");
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  }

  map_view map = open_pinned_map(path);
  w.map = &map;
  w.perf = map.type() == map_type::perf_event_array;
  if (map.type() != map_type::ringbuf && !w.perf)
    throw cli_error(exit_bad_input,
                    path + " is a " + map_type_name(map.type()) +
                        " map; watch reads ringbuf and perf_event_array maps",
                    "print its entries with: bpfkit map dump " + path);
  if (type_name) w.type = find_event_type(map, *type_name, btf_file);

  struct sigaction action {};
  action.sa_handler = request_stop;  // no SA_RESTART: the poll returns EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::optional<event_reader> reader;
  try {
    reader.emplace(
        map, [&w](int cpu, std::span<const std::uint8_t> data) { return w.on_event(cpu, data); },
        [&w](int cpu, std::uint64_t count) { w.on_lost(cpu, count); });
  } catch (const bpfkit::error &e) {
    int err = e.code().value();
    if (err == EPERM || err == EACCES)
      throw cli_error(exit_no_privilege, "cannot read " + path + ": " + bpfkit::error_category().message(err),
                      "run as root");
    throw cli_error(exit_failed, "cannot read " + path + ": " + bpfkit::error_category().message(err));
  }
  std::fprintf(stderr, "watching %s map '%s' (id %u)%s; Ctrl-C to stop\n",
               map_type_name(map.type()).c_str(), std::string(map.name()).c_str(), map.id(),
               w.type ? (" as " + w.type->name).c_str() : "");
  std::fflush(stderr);

  bool timed_out = false;
  int failure = 0;
  while (!stop_requested && !w.done()) {
    int wait_ms = 200;
    if (deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      *deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(std::min<long long>(left, wait_ms));
    }
    try {
      reader->poll(wait_ms);
    } catch (const bpfkit::error &e) {
      failure = e.code().value();
      break;
    }
  }
  reader.reset();
  if (failure) throw cli_error(exit_failed, "reading " + path + ": " + bpfkit::error_category().message(failure));
  if (timed_out && w.count)
    throw cli_error(exit_failed, "timed out after " + std::to_string(timeout_s) + " s with " +
                                     std::to_string(w.seen) + " of " + std::to_string(w.count) +
                                     " events");
  return exit_ok;
}

}  // namespace

int cmd_map(arguments &args) {
  std::string sub = args.positional("a map command: dump, lookup, update, delete or watch");
  if (sub == "dump") return map_dump(args);
  if (sub == "lookup") return map_lookup(args);
  if (sub == "update") return map_update(args);
  if (sub == "delete") return map_delete(args);
  if (sub == "watch") return map_watch(args);
  throw usage_error("unknown map command '" + sub + "': use dump, lookup, update, delete or watch");
}

}  // namespace bpfkit::cli
