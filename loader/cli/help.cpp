#include "help.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace bpfkit::cli {
namespace {

struct option_doc {
  const char *name;  // as in the synopsis: "--format table|csv|json"
  const char *text;  // one line
};

struct exit_doc {
  int status;
  const char *meaning;
};

// What a command's table entry does not say.
struct topic_doc {
  const char *topic;     // "stats", "map dump"
  const char *synopsis;  // subcommands only; commands use main.cpp's
  const char *summary;   // subcommands only
  std::vector<option_doc> options;
  std::vector<const char *> examples;
  std::vector<exit_doc> exits;  // 0 and 1; 2-5 are the same for every command
};

const std::vector<topic_doc> &topics() {
  static const std::vector<topic_doc> docs = {
      {"verify", nullptr, nullptr,
       {{"--program NAME", "only this program (repeatable); a name the object lacks is status 3"},
        {"--log tail|full|none", "how much of the verifier's log follows a rejection (default: tail, 20 lines)"},
        {"--max-entries MAP=N", "create MAP with N entries (repeatable)"},
        {"--value-size MAP=BYTES", "create MAP with BYTES-byte values, for maps the BTF leaves open such as stack traces (repeatable)"}},
       {"bpfkit verify build/app.bpf.o", "bpfkit verify build/app.bpf.o --program count_packets --log full"},
       {{0, "every program was accepted"}, {1, "the verifier rejected a program"}}},
      {"stats", nullptr, nullptr,
       {{"--format table|csv|json", "a table to read (default), or veristat's CSV/JSON names"},
        {"--program NAME", "only this program (repeatable)"}},
       {"bpfkit stats build/app.bpf.o", "bpfkit stats --format csv build/*.bpf.o > stats.csv"},
       {{0, "every program was accepted"}, {1, "the verifier rejected a program"}}},
      {"dump", nullptr, nullptr,
       {{"--raw", "the instructions as compiled, from OBJ, without loading (no privileges needed)"}},
       {"bpfkit dump build/app.bpf.o count_packets", "bpfkit dump --raw build/app.bpf.o count_packets",
        "bpfkit dump id:87", "bpfkit dump /sys/fs/bpf/app/progs/count_packets"},
       {{0, "listed"}, {1, "the verifier rejected the program"}}},
      {"doctor", nullptr, nullptr, {}, {"bpfkit doctor"},
       {{0, "no check failed (warnings allowed)"}, {1, "a check failed"}}},
      {"run", nullptr, nullptr,
       {{"--data-in FILE", "the packet (or input data) as the bytes of FILE"},
        {"--packet SPEC", "a packet built from a spec: eth/ipv4(src=10.0.0.1)/udp(dport=53)"},
        {"--ctx-in FILE", "the context (struct xdp_md, struct __sk_buff...) as the bytes of FILE"},
        {"--repeat N", "run N times; the duration is the average"},
        {"--data-out FILE", "write the packet as the program left it to FILE"},
        {"--max-entries MAP=N", "create MAP with N entries (repeatable)"},
        {"--value-size MAP=BYTES", "create MAP with BYTES-byte values, for maps the BTF leaves open such as stack traces (repeatable)"},
        {"--coverage FILE.info", "count the source lines and branches the run executes (OBJ only) and write them as an lcov tracefile"},
        {"--json", "print one JSON object"}},
       {"bpfkit run build/app.bpf.o count_packets --packet eth/ipv4/udp",
        "bpfkit run /sys/fs/bpf/app/progs/count_packets --data-in packet.bin --repeat 100",
        "bpfkit run id:87 --packet eth/ipv6/tcp --json"},
       {{0, "the program ran"}, {1, "the kernel cannot test-run this program type, or refused the input"}}},
      {"load", nullptr, nullptr,
       {{"--pin DIR", "pin programs at DIR/progs/NAME and maps at DIR/maps/NAME (DIR on bpffs)"},
        {"--max-entries MAP=N", "create MAP with N entries (repeatable)"},
        {"--value-size MAP=BYTES", "create MAP with BYTES-byte values, for maps the BTF leaves open such as stack traces (repeatable)"}},
       {"bpfkit load build/app.bpf.o --pin /sys/fs/bpf/app"},
       {{0, "loaded and pinned"}, {1, "the verifier rejected a program (nothing is pinned)"}}},
      {"attach", nullptr, nullptr,
       {{"--xdp IF", "XDP on interface IF"},
        {"--tc IF[:ingress|:egress]", "tc on interface IF (default ingress)"},
        {"--tracepoint CAT:NAME", "the tracepoint CAT:NAME (also CAT/NAME)"},
        {"--kprobe FN", "a kprobe on kernel function FN"},
        {"--kretprobe FN", "a kretprobe on kernel function FN"},
        {"--pin DIR", "pin the link at DIR/links/PROG and exit; 'bpfkit unpin DIR' detaches"},
        {"--max-entries MAP=N", "create MAP with N entries (repeatable)"},
        {"--value-size MAP=BYTES", "create MAP with BYTES-byte values, for maps the BTF leaves open such as stack traces (repeatable)"}},
       {"bpfkit attach build/app.bpf.o count_packets --xdp veth0",
        "bpfkit attach build/app.bpf.o count_getppid --tracepoint syscalls:sys_enter_getppid --pin /sys/fs/bpf/trace"},
       {{0, "attached, then detached by Ctrl-C (or pinned with --pin)"},
        {1, "the verifier rejected the program or the hook refused it"}}},
      {"map", nullptr, nullptr,
       {{"--json", "dump, lookup, watch: JSON instead of text"},
        {"--flags any|noexist|exist", "update: create or replace (default), only create, only replace"},
        {"--cpu N", "update of a per-CPU map: only CPU N's value"},
        {"--count N", "watch: stop after N events"},
        {"--timeout SEC", "watch: stop after SEC seconds"},
        {"--type NAME", "watch: decode events as BTF type NAME"},
        {"--btf OBJ", "watch --type: the object whose BTF has the type"}},
       {"bpfkit map dump /sys/fs/bpf/app/maps/flows", "bpfkit map dump id:12 --json",
        "bpfkit map update id:12 '{saddr=0x0a000001, port=53}' '{packets=5}'",
        "bpfkit map watch /sys/fs/bpf/app/maps/events --type event --count 10"},
       {{0, "done"},
        {1, "lookup or delete of a missing key, update refused by --flags, watch timed out before --count events"}}},
      {"map dump", "PINNED|id:N [--json]", "print every entry, keys and values decoded by BTF",
       {{"--json", "one JSON object: the map's facts and its entries"}},
       {"bpfkit map dump /sys/fs/bpf/app/maps/flows", "bpfkit map dump id:12 --json"},
       {{0, "printed"}}},
      {"map lookup", "PINNED|id:N KEY [--json]", "print the entry of KEY",
       {{"--json", "the entry as JSON"}},
       {"bpfkit map lookup /sys/fs/bpf/app/maps/counters 0", "bpfkit map lookup id:12 '{saddr=0x0a000001, port=53}'"},
       {{0, "found"}, {1, "no such key"}}},
      {"map update", "PINNED|id:N KEY VALUE [--flags any|noexist|exist] [--cpu N]",
       "write VALUE at KEY (structs by field name, missing fields zero)",
       {{"--flags any|noexist|exist", "create or replace (default), only create, only replace"},
        {"--cpu N", "per-CPU maps: only CPU N's value (default: every CPU)"}},
       {"bpfkit map update /sys/fs/bpf/app/maps/counters 0 42", "bpfkit map update id:12 1 7 --flags noexist"},
       {{0, "written; the entry is printed as read back"}, {1, "refused by --flags, or the kernel refused it"}}},
      {"map delete", "PINNED|id:N KEY", "remove the entry of KEY",
       {},
       {"bpfkit map delete /sys/fs/bpf/app/maps/flows '{saddr=0x0a000001, port=53}'"},
       {{0, "deleted"}, {1, "no such key, or array entries, which cannot be deleted"}}},
      {"map watch", "PINNED|id:N [--count N] [--timeout SEC] [--type NAME [--btf OBJ]] [--json]",
       "print the records of a ring buffer or perf event array as they arrive",
       {{"--count N", "stop after N events"},
        {"--timeout SEC", "stop after SEC seconds"},
        {"--type NAME", "decode each record as BTF type NAME"},
        {"--btf OBJ", "the object whose BTF has the type (when the map's programs have none)"},
        {"--json", "one JSON object per event"}},
       {"bpfkit map watch /sys/fs/bpf/app/maps/events", "bpfkit map watch id:14 --type event --count 1 --timeout 5"},
       {{0, "stopped by Ctrl-C, --count or --timeout"}, {1, "--timeout passed before --count events arrived"}}},
      {"unpin", nullptr, nullptr, {}, {"bpfkit unpin /sys/fs/bpf/app"},
       {{0, "removed what bpfkit pinned (or there was nothing)"}}},
      {"init", nullptr, nullptr,
       {{"--name NAME", "the project's name (default: DIR's last component, '-' read as '_')"}},
       {"bpfkit init my-probe", "bpfkit init /tmp/sample --name sample"},
       {{0, "the project was written"}}},
      {"btf", nullptr, nullptr,
       {{"--kernel", "the running kernel's types (/sys/kernel/btf/vmlinux and modules)"},
        {"--compare KERNEL-BTF", "the fields whose offset, size or presence differs on another kernel"},
        {"--json", "one JSON object"}},
       {"bpfkit btf build/app.bpf.o flow_stats", "bpfkit btf id:12", "bpfkit btf --kernel task_struct",
        "bpfkit btf build/app.bpf.o --compare debian-6.1.btf"},
       {{0, "printed (whatever --compare found)"}, {1, "the kernel could not answer about a map"}}},
      {"core", nullptr, nullptr,
       {{"--btf KERNEL-BTF", "resolve against this kernel's BTF instead of the running kernel's"},
        {"--program NAME", "only this program and the subprograms it calls"},
        {"--json", "one JSON object"}},
       {"bpfkit core build/probe.bpf.o", "bpfkit core build/probe.bpf.o --btf debian-6.1.btf --program probe"},
       {{0, "no relocation fails where the verifier can reach it"},
        {1, "a relocation fails unguarded, or libbpf would refuse the object"}}},
      {"list", nullptr, nullptr,
       {{"--pinned PATH", "only what is pinned under PATH (a directory on bpffs, or one pin), with its pins"},
        {"--json", "one JSON object: programs, maps, links"}},
       {"bpfkit list", "bpfkit list progs --pinned /sys/fs/bpf/app", "bpfkit list progs id:87",
        "bpfkit list links --json"},
       {{0, "listed"}}},
      {"help", nullptr, nullptr, {}, {"bpfkit help stats", "bpfkit help map dump"}, {{0, "printed"}}},
  };
  return docs;
}

const topic_doc *find_topic(const std::string &topic) {
  for (const topic_doc &doc : topics())
    if (topic == doc.topic) return &doc;
  return nullptr;
}

const command *find_command(const std::vector<command> &commands, const std::string &name) {
  for (const command &c : commands)
    if (name == c.name) return &c;
  return nullptr;
}

// The subcommands of `name` ("dump", "lookup"... for map).
std::vector<std::string> subcommands(const std::string &name) {
  std::vector<std::string> subs;
  for (const topic_doc &doc : topics()) {
    std::string topic = doc.topic;
    if (topic.starts_with(name + " ")) subs.push_back(topic.substr(name.size() + 1));
  }
  return subs;
}

void print_options(const std::vector<option_doc> &options, std::FILE *out) {
  std::size_t width = std::strlen("-h, --help");
  for (const option_doc &o : options) width = std::max(width, std::strlen(o.name));
  std::fprintf(out, "\nOptions:\n");
  for (const option_doc &o : options) std::fprintf(out, "  %-*s  %s\n", static_cast<int>(width), o.name, o.text);
  std::fprintf(out, "  %-*s  %s\n", static_cast<int>(width), "-h, --help", "show this help");
}

void print_exits(const std::vector<exit_doc> &exits, std::FILE *out) {
  std::fprintf(out, "\nExit status:\n");
  for (const exit_doc &e : exits) std::fprintf(out, "  %d  %s\n", e.status, e.meaning);
  std::fprintf(out,
               "  2  the command line is wrong\n"
               "  3  bad input: a missing file, not a BPF object, no such program, map or path\n"
               "  4  no privilege for what the command must do in the kernel\n"
               "  5  internal error (a bug: please report it)\n");
}

}  // namespace

bool has_subcommand(const command &c, const std::string &word) {
  std::vector<std::string> subs = subcommands(c.name);
  return std::find(subs.begin(), subs.end(), word) != subs.end();
}

std::string usage_line(const command &c, const std::string &subcommand) {
  if (!subcommand.empty())
    if (const topic_doc *doc = find_topic(std::string(c.name) + " " + subcommand); doc && doc->synopsis)
      return "usage: bpfkit " + std::string(c.name) + " " + subcommand + " " + doc->synopsis;
  std::string line = "usage: bpfkit " + std::string(c.name);
  if (*c.synopsis) line += " " + std::string(c.synopsis);
  return line;
}

void print_overview(const std::vector<command> &commands, std::FILE *out) {
  std::fprintf(out,
               "usage: bpfkit [--verbose] [--color auto|always|never] <command> [arguments]\n"
               "       bpfkit --version | --help | help <command>\n\ncommands:\n");
  for (const command &c : commands) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\nOptions (before the command):\n"
               "  -v, --verbose                 echo libbpf's own messages as they happen\n"
               "  --color auto|always|never     colour errors, warnings and verdicts (auto: on a terminal, "
               "unless NO_COLOR is set)\n"
               "  --version                     print bpfkit's version\n"
               "  -h, --help                    show this help\n"
               "\n'bpfkit help <command>' or 'bpfkit <command> --help' shows a command's options, examples and "
               "exit status.\nExit status: 0 ok, 1 failed (e.g. verifier rejection), 2 usage, 3 bad input, "
               "4 no privilege, 5 internal error.\n");
}

void print_command_help(const std::vector<command> &commands, const std::vector<std::string> &topic,
                        std::FILE *out) {
  if (topic.empty()) {
    print_overview(commands, out);
    return;
  }
  const command *c = find_command(commands, topic[0]);
  if (!c) throw usage_error("no command named '" + topic[0] + "'; 'bpfkit --help' lists them");
  std::vector<std::string> subs = subcommands(c->name);
  if (topic.size() > 2 || (topic.size() == 2 && std::find(subs.begin(), subs.end(), topic[1]) == subs.end()))
    throw usage_error(subs.empty() ? "'" + std::string(c->name) + "' has no subcommands"
                                   : "'" + std::string(c->name) + "' has no subcommand '" + topic[1] + "'");
  const std::string sub = topic.size() == 2 ? topic[1] : std::string();
  const topic_doc *doc = find_topic(sub.empty() ? c->name : std::string(c->name) + " " + sub);
  if (!doc) throw std::logic_error(std::string("no help text for ") + c->name);

  std::fprintf(out, "%s\n\n%s\n", usage_line(*c, sub).c_str(), doc->summary ? doc->summary : c->summary);
  if (sub.empty() && !subs.empty()) {
    std::fprintf(out, "\nSubcommands ('bpfkit %s SUBCOMMAND --help' for each):\n", c->name);
    for (const std::string &s : subs) {
      const topic_doc *sub_doc = find_topic(std::string(c->name) + " " + s);
      std::fprintf(out, "  %-8s %s\n", s.c_str(), sub_doc->summary);
    }
  }
  print_options(doc->options, out);
  if (!doc->examples.empty()) {
    std::fprintf(out, "\nExamples:\n");
    for (const char *example : doc->examples) std::fprintf(out, "  %s\n", example);
  }
  print_exits(doc->exits, out);
  std::fprintf(out, "\nReference: docs/cli.md, section 'bpfkit %s' (installed in share/doc/bpfkit).\n", c->name);
}

}  // namespace bpfkit::cli
