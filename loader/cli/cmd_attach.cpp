// bpfkit attach OBJ PROG [--xdp IF | --tc IF[:ingress|:egress] | --tracepoint CAT:NAME |
//                         --kprobe FN | --kretprobe FN] [--pin DIR]
//
// Loads PROG (only it) and attaches it. Without a hook option it attaches
// as the program's section says (SEC("tp/syscalls/sys_enter_openat"), ...).
//
// Without --pin the program stays attached while bpfkit runs and is
// detached on Ctrl-C (SIGINT), SIGTERM or SIGHUP, exit 0. With --pin the
// link is pinned at DIR/links/PROG (plus DIR/progs/PROG and DIR/maps/*) and
// bpfkit exits leaving the program attached; `bpfkit unpin DIR` detaches it.
//
// tc: a TCX link (Linux 6.6+), which is a BPF link and can be pinned. On
// kernels without TCX, bpfkit falls back to a clsact filter (netlink), which
// cannot be pinned: --tc with --pin then fails with that explanation.
#include <net/if.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/error.hpp"
#include "cli.hpp"
#include "object_loading.hpp"
#include "pin_layout.hpp"

namespace bpfkit::cli {
namespace {

struct hook {
  std::string kind;    // xdp, tc, tracepoint, kprobe, kretprobe, section
  std::string target;  // interface, CAT:NAME, function
  bool ingress = true;
};

int interface_index(const std::string &option, const std::string &name) {
  unsigned index = if_nametoindex(name.c_str());
  if (index == 0)
    throw cli_error(exit_bad_input, option + ": no network interface named '" + name +
                                        "' in this network namespace",
                    "ip -br link lists the interfaces");
  return static_cast<int>(index);
}

void require_type(const bpfkit::program &prog, program_type wanted, const std::string &option,
                  const char *section) {
  program_type type = prog.type();
  if (type == wanted) return;
  throw cli_error(exit_bad_input,
                  "program " + std::string(prog.name()) + " is a " + program_type_name(type) +
                      " program (SEC(\"" + std::string(prog.section()) + "\")); " +
                      option + " attaches " + program_type_name(wanted) + " programs",
                  std::string("declare it with SEC(\"") + section + "\")");
}

// What attach made, and where, in words.
struct attachment {
  bpfkit::link link;
  std::string description;

  int fd() const { return link.fd(); }
  void detach() { link.detach(); }
};

attachment attach(const bpfkit::program &prog, const hook &h, bool pinning) {
  attachment a;
  std::string name(prog.name());
  try {
    if (h.kind == "xdp") {
      require_type(prog, program_type::xdp, "--xdp", "xdp");
      a.link = prog.attach_xdp(interface_index("--xdp", h.target));
      a.description = "XDP of " + h.target;
    } else if (h.kind == "tc") {
      require_type(prog, program_type::sched_cls, "--tc", "tc");
      int ifindex = interface_index("--tc", h.target);
      std::string where = std::string("tc ") + (h.ingress ? "ingress" : "egress") + " of " + h.target;
      int err = 0;
      try {
        a.link = prog.attach_tcx(ifindex, h.ingress);
      } catch (const bpfkit::error &e) {
        err = e.code().value();
      }
      if (!err) {
        a.description = where + " (TCX link)";
      } else if (err == EPERM || err == EACCES) {
        throw bpfkit::error(err, "attach " + name + " to " + where);
      } else if (pinning) {
        throw cli_error(exit_failed,
                        "cannot attach " + name + " to " + where + " as a TCX link: " +
                            bpfkit::error_category().message(err),
                        "pinning a tc attachment needs TCX links (Linux 6.6+); without --pin, "
                        "bpfkit attaches a clsact filter that lives while bpfkit runs");
      } else {
        a.link = prog.attach_tc(ifindex, h.ingress);
        a.description = where + " (clsact filter)";
      }
    } else if (h.kind == "tracepoint") {
      std::size_t sep = h.target.find_first_of(":/");
      if (sep == std::string::npos || sep == 0 || sep + 1 == h.target.size())
        throw usage_error("--tracepoint takes CATEGORY:NAME, e.g. syscalls:sys_enter_openat");
      require_type(prog, program_type::tracepoint, "--tracepoint", "tracepoint");
      a.link = prog.attach_tracepoint(h.target.substr(0, sep), h.target.substr(sep + 1));
      a.description = "tracepoint " + h.target.substr(0, sep) + ":" + h.target.substr(sep + 1);
    } else if (h.kind == "kprobe" || h.kind == "kretprobe") {
      require_type(prog, program_type::kprobe, "--" + h.kind, h.kind.c_str());
      a.link = prog.attach_kprobe(h.target, h.kind == "kretprobe");
      a.description = h.kind + " " + h.target;
    } else {
      program_type type = prog.type();
      if (type == program_type::xdp || type == program_type::sched_cls)
        throw usage_error("program " + name + " (" + program_type_name(type) +
                          ") attaches to an interface: give --" +
                          (type == program_type::xdp ? "xdp" : "tc") + " IFNAME");
      try {
        a.link = prog.attach();
      } catch (const bpfkit::error &e) {
        int code = e.code().value();
        if (code != EOPNOTSUPP && code != ESRCH && code != EINVAL) throw;
        throw cli_error(exit_failed, e.what(),
                        "SEC(\"" + std::string(prog.section()) +
                            "\") does not name a hook; give one: --tracepoint CAT:NAME, "
                            "--kprobe FN, --kretprobe FN, --xdp IF or --tc IF");
      }
      a.description = "its section's hook (SEC(\"" + std::string(prog.section()) + "\"))";
    }
  } catch (const bpfkit::error &) {
    rethrow_bpf_error("attaching " + name);
  }
  return a;
}

int wait_for_signal(const sigset_t &signals) {
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

}  // namespace

int cmd_attach(arguments &args) {
  std::vector<hook> hooks;
  for (const char *kind : {"xdp", "tc", "tracepoint", "kprobe", "kretprobe"})
    for (const std::string &target : args.options(std::string("--") + kind))
      hooks.push_back({kind, target});
  std::optional<std::string> dir = args.option("--pin");
  map_sizes sizes = map_size_options(args);
  std::string path = args.positional("OBJ (a .bpf.o file)");
  std::string program = args.positional("PROG (the program to attach)");
  args.finish();
  if (hooks.size() > 1)
    throw usage_error("give one of --xdp, --tc, --tracepoint, --kprobe, --kretprobe");
  hook h = hooks.empty() ? hook{"section", ""} : hooks.front();
  if (h.target.empty() && h.kind != "section") throw usage_error("--" + h.kind + " needs a value");
  if (h.kind == "tc") {
    std::size_t colon = h.target.rfind(':');
    if (colon != std::string::npos) {
      std::string direction = h.target.substr(colon + 1);
      if (direction != "ingress" && direction != "egress")
        throw usage_error("--tc takes IFNAME, IFNAME:ingress or IFNAME:egress, not '" + h.target + "'");
      h.ingress = direction == "ingress";
      h.target.resize(colon);
    }
  }

  require_programs(program_names(open_object(path)), {program});
  std::optional<pin_set> pins;
  if (dir) pins.emplace(*dir);  // checks DIR is on bpffs before anything is loaded
  if (h.kind == "xdp" || h.kind == "tc") interface_index("--" + h.kind, h.target);

  // Blocked before attaching, so a signal sent as soon as the message shows
  // is not lost; sigwait() takes it.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  if (!dir) sigprocmask(SIG_BLOCK, &signals, nullptr);

  bpfkit::object object = load_object(path, program, sizes);
  bpfkit::program prog = object.program_by_name(program);
  attachment a = attach(prog, h, dir.has_value());

  if (!dir) {
    std::printf("attached %s (%s) to %s\n", program.c_str(),
                program_type_name(prog.type()).c_str(), a.description.c_str());
    std::printf("it stays attached while bpfkit runs: press Ctrl-C or run 'kill %d' to detach\n",
                static_cast<int>(::getpid()));
    std::fflush(stdout);
    int sig = wait_for_signal(signals);
    a.detach();
    std::printf("detached %s from %s (%s)\n", program.c_str(), a.description.c_str(), strsignal(sig));
    return exit_ok;
  }

  const pin_layout &layout = pins->layout();
  std::vector<std::pair<int, std::string>> items;
  items.emplace_back(a.fd(), layout.link(program));
  items.emplace_back(prog.fd(), layout.program(program));
  for (const bpfkit::map_handle &map : object.maps())
    if (map.fd() >= 0) items.emplace_back(map.fd(), layout.map(std::string(map.name())));
  for (const auto &[fd, pin_path] : items) pins->plan(pin_path);
  pins->make_directories();
  for (const auto &[fd, pin_path] : items) pins->pin(fd, pin_path);
  pins->commit();
  // The pin now holds the link: let go of it without detaching.
  a.link.release();

  std::printf("attached %s (%s) to %s\n", program.c_str(),
              program_type_name(prog.type()).c_str(), a.description.c_str());
  std::printf("pinned the link at %s (and the program and maps under %s)\n",
              layout.link(program).c_str(), layout.dir.c_str());
  std::printf("it stays attached after bpfkit exits; detach with: bpfkit unpin %s\n",
              layout.dir.c_str());
  return exit_ok;
}

}  // namespace bpfkit::cli
