// bpfkit::requirements — what a BPF test needs from the kernel it runs in,
// and whether the running kernel has it.
//
// A test names its needs as bpf_add_test(... MIN_KERNEL 6.6 REQUIRES
// helper:bpf_loop map:ringbuf) does:
//
//   MIN_KERNEL <major>.<minor>[.<patch>]   compared with uname's release
//   prog:<type>      a program type, libbpf's name: xdp, sched_cls, tracing...
//   map:<type>       a map type, libbpf's name: ringbuf, hash, user_ringbuf...
//   helper:<name>[@<prog type>]
//                    a helper as BPF C calls it (bpf_loop), usable from some
//                    program type, or from the one after '@'
//   kfunc:<name>     a kernel function BPF programs may call (bpf_obj_new_impl),
//                    found in the kernel's BTF
//
// Features are probed in the running kernel with libbpf's probes (a tiny
// program or map is loaded; this needs the privilege to load BPF) and its BTF,
// never guessed from the version. Each unmet requirement yields one reason,
// "needs helper bpf_loop, which kernel 5.10.0-28-amd64 lacks", for the
// test's skip message.
#pragma once

#include <compare>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bpfkit::requirements {

// A mistake in a requirement's spelling; what() names it, what is allowed
// and, for an unknown name, the known ones.
class requirement_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct kernel_version {
  int major = 0;
  int minor = 0;
  int patch = 0;

  // The leading <major>.<minor>[.<patch>] of a release ("5.10.0-28-amd64"
  // is 5.10.0); nullopt when text does not start with one.
  static std::optional<kernel_version> from_release(std::string_view release);
  // MIN_KERNEL's value: exactly <major>.<minor>[.<patch>]; throws
  // requirement_error otherwise.
  static kernel_version parse(std::string_view text);

  std::string str() const;  // "6.6", or "5.10.3" when the patch level is set
  friend auto operator<=>(const kernel_version&, const kernel_version&) = default;
};

struct running_kernel {
  std::string release;    // uname -r: "5.10.0-28-amd64"
  kernel_version version;
};
// The kernel this process runs on (uname).
running_kernel current_kernel();

enum class feature_kind { program_type, map_type, helper, kfunc };

struct feature {
  feature_kind kind;
  std::string name;                         // "xdp", "ringbuf", "bpf_loop", "bpf_obj_new_impl"
  int id = -1;                              // enum bpf_prog_type / bpf_map_type / bpf_func_id
  std::optional<int> helper_program_type;   // helper:<name>@<type>

  // As the user writes it: "helper:bpf_loop@xdp".
  std::string spelling() const;
  // In a sentence: "helper bpf_loop (from xdp programs)".
  std::string description() const;
};

// "prog:xdp" ... ; throws requirement_error naming text and the fix.
feature parse_feature(std::string_view text);
// The names parse_feature knows for a kind (kfuncs: none, any identifier
// goes; a kfunc the kernel lacks is absent, not unknown).
std::vector<std::string> known_names(feature_kind kind);

enum class availability { present, absent, unknown };

struct probe_result {
  availability state = availability::unknown;
  std::string detail;  // why unknown: "loading a probe program failed: Operation not permitted"
};

// Probes the running kernel (results are cached per feature).
class kernel_probe {
 public:
  kernel_probe();
  explicit kernel_probe(running_kernel kernel);

  const running_kernel& kernel() const { return kernel_; }
  probe_result probe(const feature& wanted);

 private:
  probe_result probe_helper(const feature& wanted);
  probe_result probe_kfunc(const feature& wanted);

  running_kernel kernel_;
  std::map<std::string, probe_result> cache_;
};

// A test's needs.
struct requirements {
  std::optional<kernel_version> min_kernel;
  std::vector<feature> features;

  // Parses MIN_KERNEL (empty: none) and REQUIRES; throws requirement_error.
  static requirements parse(std::string_view min_kernel, std::span<const std::string> features);
  bool empty() const { return !min_kernel && features.empty(); }
};

// Why the running kernel does not meet `needs`, one reason per unmet
// requirement; empty when it meets them all. A feature that cannot be
// probed (no privilege) is unmet too, with why: never a silent pass.
std::vector<std::string> unmet(const requirements& needs, kernel_probe& probe);

}  // namespace bpfkit::requirements
