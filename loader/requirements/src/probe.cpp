// Probing the running kernel: libbpf's feature probes for program types,
// map types and helpers, the kernel's BTF for kfuncs.
//
// libbpf's probes answer "not supported" (or, for helpers, "assume
// supported") when the load fails for another reason, such as missing
// privileges or a program type the kernel lacks; so the privilege is checked
// first, and a helper's program type before the helper.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "bpfkit/requirements.hpp"
#include "names.hpp"

namespace bpfkit::requirements {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Empty when this process may load BPF programs; else why not. A socket
// filter could load unprivileged where the sysctl allows it, so the probe
// is an XDP program, which needs the privilege every probe needs.
const std::string& privilege_problem() {
  static const std::string problem = [] {
    const bpf_insn program[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 2},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    const int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "bpfkit_req", "GPL", program, 2, nullptr);
    const int err = errno;
    if (fd >= 0) {
      ::close(fd);
      return std::string();
    }
    return "probing needs the privilege to load BPF (root, or CAP_BPF with CAP_PERFMON and "
           "CAP_NET_ADMIN); loading a probe program failed: " + errno_text(err);
  }();
  return problem;
}

probe_result from_libbpf(int result, const std::string& what) {
  if (result == 1) return {availability::present, {}};
  if (result == 0) return {availability::absent, {}};
  return {availability::unknown, "libbpf cannot probe " + what + ": " + errno_text(-result)};
}

probe_result probe_program_type(int type) {
  const char* name = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type));
  return from_libbpf(libbpf_probe_bpf_prog_type(static_cast<bpf_prog_type>(type), nullptr),
                     std::string("program type ") + (name ? name : "?"));
}

// libbpf before 1.2 takes a helper as supported unless the verifier says
// "unknown func"/"invalid func"; kernels since 6.3 say "program of this type
// cannot use helper" instead. Loads libbpf's probe program again, with a log,
// and reports whether the verifier said that.
bool verifier_refuses_helper(bpf_prog_type type, int helper) {
  const bpf_insn program[] = {
      {BPF_JMP | BPF_CALL, 0, 0, 0, helper},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  char log[4096] = "";
  LIBBPF_OPTS(bpf_prog_load_opts, options, .log_level = 1, .log_size = sizeof(log), .log_buf = log);
  const int fd = bpf_prog_load(type, nullptr, "GPL", program, 2, &options);
  if (fd >= 0) ::close(fd);
  return std::strstr(log, "cannot use helper") != nullptr;
}

// Program types a helper is looked for in when no type is named: the
// common ones whose probes load without an attach target.
constexpr bpf_prog_type helper_program_types[] = {
    BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_KPROBE,
    BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_PERF_EVENT,
    BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_SK_MSG, BPF_PROG_TYPE_SYSCALL,
};

// Whether a BTF (the kernel's or a module's, split on it) has kfunc `name`:
// a function marked with the bpf_kfunc declaration tag where the BTF has
// such tags (kernels 6.9 and later), else a function of that name.
availability find_kfunc(const btf* types, std::string_view name, bool& tags_seen) {
  bool function = false, tagged = false;
  const int count = static_cast<int>(btf__type_cnt(types));
  for (int id = 1; id < count; ++id) {
    const btf_type* type = btf__type_by_id(types, id);
    if (btf_is_decl_tag(type)) {
      if (std::string_view(btf__name_by_offset(types, type->name_off)) != "bpf_kfunc") continue;
      tags_seen = true;
      const btf_type* target = btf__type_by_id(types, type->type);
      if (target && btf_is_func(target) && btf__name_by_offset(types, target->name_off) == name) tagged = true;
    } else if (btf_is_func(type) && btf__name_by_offset(types, type->name_off) == name) {
      function = true;
    }
  }
  if (tagged || (function && !tags_seen)) return availability::present;
  return availability::absent;
}

}  // namespace

running_kernel current_kernel() {
  utsname names{};
  if (::uname(&names) != 0) throw std::system_error(errno, std::generic_category(), "uname");
  running_kernel kernel{names.release, {}};
  if (auto version = kernel_version::from_release(kernel.release)) kernel.version = *version;
  return kernel;
}

kernel_probe::kernel_probe() : kernel_probe(current_kernel()) {}
kernel_probe::kernel_probe(running_kernel kernel) : kernel_(std::move(kernel)) {}

probe_result kernel_probe::probe(const feature& wanted) {
  const std::string key = wanted.spelling();
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  probe_result result;
  if (wanted.kind == feature_kind::kfunc) {
    result = probe_kfunc(wanted);
  } else if (!privilege_problem().empty()) {
    result = {availability::unknown, privilege_problem()};
  } else if (wanted.kind == feature_kind::program_type) {
    result = probe_program_type(wanted.id);
  } else if (wanted.kind == feature_kind::map_type) {
    result = from_libbpf(libbpf_probe_bpf_map_type(static_cast<bpf_map_type>(wanted.id), nullptr),
                         wanted.description());
  } else {
    result = probe_helper(wanted);
  }
  cache_.emplace(key, result);
  return result;
}

probe_result kernel_probe::probe_helper(const feature& wanted) {
  std::vector<bpf_prog_type> types;
  if (wanted.helper_program_type)
    types.push_back(static_cast<bpf_prog_type>(*wanted.helper_program_type));
  else
    types.assign(std::begin(helper_program_types), std::end(helper_program_types));
  probe_result last{availability::absent, {}};
  for (const auto type : types) {
    const probe_result program = probe_program_type(type);
    if (program.state != availability::present) {
      if (wanted.helper_program_type) {
        if (program.state == availability::absent)
          return {availability::absent, std::string("the kernel has no ") +
                                            libbpf_bpf_prog_type_str(type) + " programs"};
        return program;
      }
      continue;
    }
    probe_result helper = from_libbpf(
        libbpf_probe_bpf_helper(type, static_cast<bpf_func_id>(wanted.id), nullptr), wanted.description());
    if (helper.state == availability::present && verifier_refuses_helper(type, wanted.id))
      helper.state = availability::absent;
    if (helper.state == availability::present) return helper;
    if (helper.state == availability::unknown) last = helper;
  }
  return last;
}

probe_result kernel_probe::probe_kfunc(const feature& wanted) {
  std::shared_ptr<const btf> vmlinux;
  try {
    vmlinux = bpfkit::kernel::vmlinux_btf();
  } catch (const bpfkit::error& e) {
    return {availability::unknown, e.what()};
  }
  // libbpf takes the base of a module's split BTF as non-const; it only reads it.
  btf* kernel = const_cast<btf*>(vmlinux.get());
  bool tags_seen = false;
  availability found = find_kfunc(kernel, wanted.name, tags_seen);
  // Kfuncs of modules (nf_conntrack's, for one) are in the modules' BTF.
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/kernel/btf", error)) {
    if (found == availability::present) break;
    const std::string module = entry.path().filename();
    if (module == "vmlinux") continue;
    btf* types = btf__load_module_btf(module.c_str(), kernel);
    if (!types) continue;
    found = find_kfunc(types, wanted.name, tags_seen);
    btf__free(types);
  }
  return {found, {}};
}

std::vector<std::string> unmet(const requirements& needs, kernel_probe& probe) {
  std::vector<std::string> reasons;
  const running_kernel& kernel = probe.kernel();
  if (needs.min_kernel && kernel.version < *needs.min_kernel)
    reasons.push_back("needs kernel " + needs.min_kernel->str() + " or newer; this is " + kernel.release);
  for (const auto& wanted : needs.features) {
    const probe_result result = probe.probe(wanted);
    if (result.state == availability::absent)
      reasons.push_back("needs " + wanted.description() + ", which kernel " + kernel.release + " lacks" +
                        (result.detail.empty() ? "" : " (" + result.detail + ")"));
    else if (result.state == availability::unknown)
      reasons.push_back("needs " + wanted.description() + ", which cannot be probed in kernel " +
                        kernel.release + ": " + result.detail);
  }
  return reasons;
}

}  // namespace bpfkit::requirements
