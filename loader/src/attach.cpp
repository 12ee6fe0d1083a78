// program::attach*: each returns a link that detaches on destruction.
#include <bpf/bpf.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "attachment.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/program.hpp"
#include "state.hpp"

namespace bpfkit {
namespace {

// libbpf returns NULL and sets errno.
link adopt(bpf_link* attached, std::string description) {
  if (!attached) throw error(errno, "attach " + description);
  return detail::access::make_link(
      std::make_unique<detail::libbpf_attachment>(attached, std::move(description)));
}

std::string interface_name(int ifindex) {
  char name[IF_NAMESIZE] = "";
  if (!if_indextoname(static_cast<unsigned>(ifindex), name))
    return "ifindex " + std::to_string(ifindex);
  return std::string(name) + " (ifindex " + std::to_string(ifindex) + ")";
}

// Keeps errno: it is read after this when the attach failed.
bool exists(const char* path) {
  int saved = errno;
  bool found = ::access(path, F_OK) == 0;
  errno = saved;
  return found;
}

}  // namespace

link program::attach() const {
  require_fd("attach");
  return adopt(bpf_program__attach(prog_),
               describe() + " (by its section '" + bpf_program__section_name(prog_) + "')");
}

link program::auto_attach() const {
  ::bpf_program* prog = require();
  if (!bpf_program__autoload(prog) || !bpf_program__autoattach(prog)) return {};
  try {
    return attach();
  } catch (const error& e) {
    // XDP, tc, a bare "kprobe" ...: libbpf needs a target it cannot find in SEC().
    if (e.code().value() == EOPNOTSUPP) return {};
    throw;
  }
}

link program::attach_xdp(int ifindex, std::uint32_t flags) const {
  int fd = require_fd("attach");
  std::string description = describe() + " to XDP of " + interface_name(ifindex);
  // A raw link: libbpf's bpf_program__attach_xdp takes no flags.
  bpf_link_create_opts opts{};
  opts.sz = sizeof opts;
  opts.flags = flags;
  detail::unique_fd attached(bpf_link_create(fd, ifindex, BPF_XDP, &opts));
  if (attached.get() < 0) throw error(errno, "attach " + description);
  return detail::access::make_link(
      std::make_unique<detail::fd_attachment>(std::move(attached), std::move(description)));
}

link program::attach_tc(int ifindex, bool ingress) const {
  int fd = require_fd("attach");
  std::string description =
      describe() + " to tc " + (ingress ? "ingress" : "egress") + " of " + interface_name(ifindex);
  bpf_tc_hook hook{};
  hook.sz = sizeof hook;
  hook.ifindex = ifindex;
  hook.attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS;
  if (int err = bpf_tc_hook_create(&hook); err != 0 && err != -EEXIST)
    throw error(err, "create the clsact qdisc to attach " + description);
  bpf_tc_opts opts{};
  opts.sz = sizeof opts;
  opts.prog_fd = fd;
  if (int err = bpf_tc_attach(&hook, &opts); err != 0) throw error(err, "attach " + description);
  return detail::access::make_link(
      std::make_unique<detail::tc_attachment>(hook, opts, std::move(description)));
}

link program::attach_tcx(int ifindex, bool ingress) const {
  int fd = require_fd("attach");
  std::string description = describe() + " to tc " + (ingress ? "ingress" : "egress") + " of " +
                            interface_name(ifindex) + " (TCX link)";
  detail::unique_fd attached(bpf_link_create(
      fd, ifindex,
      static_cast<bpf_attach_type>(ingress ? detail::attach_tcx_ingress : detail::attach_tcx_egress),
      nullptr));
  if (attached.get() < 0) throw error(errno, "attach " + description);
  return detail::access::make_link(
      std::make_unique<detail::fd_attachment>(std::move(attached), std::move(description)));
}

link program::attach_tracepoint(std::string_view category, std::string_view name) const {
  require_fd("attach");
  std::string description =
      describe() + " to tracepoint " + std::string(category) + "/" + std::string(name);
  bpf_link* attached = bpf_program__attach_tracepoint(prog_, std::string(category).c_str(),
                                                      std::string(name).c_str());
  if (!attached && errno == ENOENT && !exists("/sys/kernel/tracing/events") &&
      !exists("/sys/kernel/debug/tracing/events"))
    throw error(ENOENT,
                "attach " + description +
                    ": tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
  return adopt(attached, std::move(description));
}

link program::attach_raw_tracepoint(std::string_view name) const {
  require_fd("attach");
  return adopt(bpf_program__attach_raw_tracepoint(prog_, std::string(name).c_str()),
               describe() + " to raw tracepoint " + std::string(name));
}

link program::attach_kprobe(std::string_view function, bool retprobe) const {
  require_fd("attach");
  std::string description =
      describe() + (retprobe ? " to kretprobe " : " to kprobe ") + std::string(function);
  bpf_link* attached = bpf_program__attach_kprobe(prog_, retprobe, std::string(function).c_str());
  // Without the kprobe PMU libbpf falls back to tracefs' kprobe_events.
  if (!attached && errno == ENOENT && !exists("/sys/bus/event_source/devices/kprobe") &&
      !exists("/sys/kernel/tracing/kprobe_events") &&
      !exists("/sys/kernel/debug/tracing/kprobe_events"))
    throw error(ENOENT,
                "attach " + description + ": this kernel has no kprobes (CONFIG_KPROBES is off)");
  return adopt(attached, std::move(description));
}

link program::attach_uprobe(const std::string& binary, std::size_t offset, bool retprobe,
                            pid_t pid) const {
  require_fd("attach");
  return adopt(bpf_program__attach_uprobe(prog_, retprobe, pid, binary.c_str(), offset),
               describe() + (retprobe ? " to uretprobe " : " to uprobe ") + binary + "+" +
                   std::to_string(offset));
}

link program::attach_uprobe(const std::string& binary, std::string_view function, bool retprobe,
                            pid_t pid) const {
  require_fd("attach");
  std::string symbol(function);
  bpf_uprobe_opts opts{};
  opts.sz = sizeof opts;
  opts.retprobe = retprobe;
  opts.func_name = symbol.c_str();
  return adopt(bpf_program__attach_uprobe_opts(prog_, pid, binary.c_str(), 0, &opts),
               describe() + (retprobe ? " to uretprobe " : " to uprobe ") + binary + ":" + symbol);
}

link program::attach_trace() const {
  require_fd("attach");
  return adopt(bpf_program__attach_trace(prog_), describe() + " to its fentry/fexit target");
}

}  // namespace bpfkit
