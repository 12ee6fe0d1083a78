// bpfkit doctor
//
// Checks what building, loading and pinning BPF needs on this machine and
// says how to fix what is missing. Each check prints one line:
//   [ok]   <check>: <what was found>
//   [warn] <check>: <what was found>      (something optional or limited)
//   [fail] <check>: <what was found>      (bpfkit cannot work without it)
//          fix: <what to do>
// Exit status: 0 when no check failed, 1 otherwise.
//
// Two environment variables move the probed paths, so the failing paths can
// be tested on a healthy machine: BPFKIT_DOCTOR_VMLINUX (default
// /sys/kernel/btf/vmlinux) and BPFKIT_DOCTOR_BPFFS (default /sys/fs/bpf).
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "bpfkit/libbpf_version.hpp"
#include "bpfkit/privileges.hpp"
#include "cli.hpp"
#include "terminal.hpp"

namespace bpfkit::cli {
namespace {

enum class verdict { ok, warn, fail };

struct checker {
  int failed = 0;
  int warned = 0;

  void report(verdict v, const std::string &check, const std::string &found,
              const std::string &fix = {}) {
    const std::string tag = v == verdict::ok     ? paint(stdout, tone::good, "[ok]") + "  "
                            : v == verdict::warn ? paint(stdout, tone::warning, "[warn]")
                                                 : paint(stdout, tone::error, "[fail]");
    std::printf("%s %s: %s\n", tag.c_str(), check.c_str(), found.c_str());
    if (v != verdict::ok && !fix.empty()) std::printf("       fix: %s\n", fix.c_str());
    if (v == verdict::fail) ++failed;
    if (v == verdict::warn) ++warned;
  }
};

std::string env_or(const char *name, const char *fallback) {
  const char *value = std::getenv(name);
  return value && *value ? value : fallback;
}

// `name` as execvp would find it (a path with '/' is taken as is), or "".
std::string find_program(const std::string &name, const std::string &extra_dirs = {}) {
  auto executable = [](const std::string &path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) return executable(name) ? name : "";
  std::string dirs = env_or("PATH", "/usr/local/bin:/usr/bin:/bin");
  if (!extra_dirs.empty()) dirs += ":" + extra_dirs;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && executable(dir + "/" + name)) return dir + "/" + name;
    start = end + 1;
  }
  return "";
}

struct process_result {
  int status = -1;  // exit status; -1 when it could not run or was killed
  std::string output;  // stdout and stderr together
};

process_result run_process(const std::vector<std::string> &argv) {
  process_result result;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return result;
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return result;
  }
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    std::vector<char *> args;
    for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) result.output.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.status = WEXITSTATUS(status);
  return result;
}

std::string first_line(const std::string &text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "(no output)" : line;
}

// The last non-empty line of a compiler's output: usually its error.
std::string last_error_line(const std::string &text) {
  std::string best;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (line.find("error") != std::string::npos) return line;
    if (!line.empty()) best = line;
    start = end + 1;
  }
  return best;
}

// --- the checks -------------------------------------------------------------

void check_clang(checker &c) {
  const char *from_env = std::getenv("BPF_CLANG");
  std::string wanted = from_env && *from_env ? from_env : "clang";
  std::string origin = from_env && *from_env ? "BPF_CLANG=" + wanted : "clang on PATH";
  const std::string install = "install clang (apt-get install clang llvm) or set BPF_CLANG to a clang "
                              "built with the BPF target";
  std::string clang = find_program(wanted);
  if (clang.empty()) {
    c.report(verdict::fail, "clang", origin + ": not found or not executable", install);
    return;
  }
  process_result version = run_process({clang, "--version"});
  if (version.status != 0) {
    c.report(verdict::fail, "clang", clang + " does not run: " + first_line(version.output), install);
    return;
  }

  // Compile a tiny program for the BPF target, with BTF, as bpf_add_object does.
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/bpfkit-doctor-XXXXXX";
  std::vector<char> dir(pattern.begin(), pattern.end());
  dir.push_back('\0');
  if (!::mkdtemp(dir.data())) {
    c.report(verdict::warn, "clang", clang + " (" + first_line(version.output) +
                                         "); could not test a BPF compile: no temporary directory: " +
                                         std::strerror(errno),
             "set TMPDIR to a writable directory");
    return;
  }
  std::string source = std::string(dir.data()) + "/probe.bpf.c";
  std::string object = std::string(dir.data()) + "/probe.bpf.o";
  {
    std::ofstream out(source);
    out << "__attribute__((section(\"xdp\"), used)) int probe(void *ctx) { return 2; }\n"
           "__attribute__((section(\"license\"), used)) char LICENSE[] = \"GPL\";\n";
  }
  process_result compile =
      run_process({clang, "-target", "bpf", "-O2", "-g", "-c", source, "-o", object});
  bool compiled = compile.status == 0 && std::filesystem::exists(object);
  std::error_code ignored;
  std::filesystem::remove_all(dir.data(), ignored);
  if (!compiled) {
    std::string why = last_error_line(compile.output);
    if (why.empty())
      why = compile.status == 0 ? "it wrote no object file"
                                : "it exited with status " + std::to_string(compile.status);
    c.report(verdict::fail, "clang",
             clang + " (" + first_line(version.output) + ") cannot compile for the BPF target: " + why,
             install);
    return;
  }
  c.report(verdict::ok, "clang", clang + " (" + first_line(version.output) + ") compiles for the BPF target");
}

void check_kernel_btf(checker &c) {
  std::string path = env_or("BPFKIT_DOCTOR_VMLINUX", "/sys/kernel/btf/vmlinux");
  const std::string fix = "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (vmlinux.h and CO-RE need it)";
  if (::access(path.c_str(), R_OK) != 0) {
    c.report(verdict::fail, "kernel BTF", path + ": " + std::strerror(errno), fix);
    return;
  }
  std::uint32_t types = 0;
  try {
    types = bpfkit::kernel::count_btf_types(path);
  } catch (const bpfkit::error &e) {
    c.report(verdict::fail, "kernel BTF", e.what(), fix);
    return;
  }
  c.report(verdict::ok, "kernel BTF", path + " (" + std::to_string(types) + " types)");
}

void check_bpffs(checker &c) {
  std::string path = env_or("BPFKIT_DOCTOR_BPFFS", "/sys/fs/bpf");
  const std::string fix = "mount -t bpf bpf " + path +
                          " (pinning with 'bpfkit load --pin' and 'attach --pin' needs it)";
  struct statfs fs{};
  if (::statfs(path.c_str(), &fs) != 0) {
    c.report(verdict::warn, "bpffs", path + ": " + std::strerror(errno), fix);
    return;
  }
  if (static_cast<unsigned long>(fs.f_type) != BPF_FS_MAGIC) {
    c.report(verdict::warn, "bpffs", path + " exists but is not a bpf filesystem", fix);
    return;
  }
  c.report(verdict::ok, "bpffs", "mounted at " + path);
}

void check_privileges(checker &c) {
  const std::optional<bpf_capabilities> caps = effective_bpf_capabilities();
  if (!caps) {
    c.report(verdict::warn, "privileges",
             std::string("cannot read this process's capabilities: ") + std::strerror(errno));
    return;
  }
  std::string who = ::geteuid() == 0 ? "root" : "uid " + std::to_string(::geteuid());
  // The capabilities say what should work; the runtime's probe (the one the
  // CLI and the test runners use) says whether loading BPF does.
  const std::string &unavailable = bpf_unavailable_reason();
  if (caps->sys_admin && caps->net_admin) {
    if (!unavailable.empty())
      c.report(verdict::fail, "privileges", who + ", with CAP_SYS_ADMIN and CAP_NET_ADMIN, but " + unavailable);
    else
      c.report(verdict::ok, "privileges", who + ", with CAP_SYS_ADMIN and CAP_NET_ADMIN: may load, attach and pin anything");
    return;
  }
  std::vector<std::string> missing;
  if (!caps->bpf && !caps->sys_admin) missing.push_back("CAP_BPF");
  if (!caps->perfmon && !caps->sys_admin) missing.push_back("CAP_PERFMON");
  if (!caps->net_admin) missing.push_back("CAP_NET_ADMIN");
  std::string list;
  for (const std::string &m : missing) list += (list.empty() ? "" : ", ") + m;
  const std::string fix =
      "run bpfkit as root (sudo), or grant the capabilities: sudo setcap "
      "cap_bpf,cap_perfmon,cap_net_admin+ep <path-to>/bpfkit";
  if (!caps->bpf && !caps->sys_admin) {
    c.report(verdict::fail, "privileges", who + ", missing " + list + ": cannot load BPF programs", fix);
  } else if (!unavailable.empty()) {
    c.report(verdict::fail, "privileges", who + ", with CAP_BPF, but " + unavailable, fix);
  } else if (missing.empty()) {
    c.report(verdict::ok, "privileges", who + ", with CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN");
  } else {
    c.report(verdict::warn, "privileges",
             who + ", missing " + list + " (tracing programs need CAP_PERFMON, networking ones CAP_NET_ADMIN)",
             fix);
  }
}

void check_libbpf(checker &c) {
  const libbpf_versions v = libbpf_version();
  const unsigned major = v.major, minor = v.minor;
  std::string found = "libbpf " + std::to_string(major) + "." + std::to_string(minor) +
                      " (built against " + std::to_string(v.built_major) + "." +
                      std::to_string(v.built_minor) + ")";
  if (major == 0) {
    c.report(verdict::fail, "libbpf", found + ": bpfkit needs libbpf 1.0 or newer",
             "install libbpf 1.x (apt-get install libbpf-dev on Debian 12 or Ubuntu 22.10+)");
  } else if (major < v.built_major || (major == v.built_major && minor < v.built_minor)) {
    c.report(verdict::warn, "libbpf", found + ": older at run time than at build time",
             "install the libbpf bpfkit was built with, or rebuild bpfkit against this one");
  } else {
    c.report(verdict::ok, "libbpf", found);
  }
}

void check_kernel(checker &c) {
  utsname u{};
  if (::uname(&u) != 0) {
    c.report(verdict::warn, "kernel", std::string("uname failed: ") + std::strerror(errno));
    return;
  }
  unsigned major = 0, minor = 0;
  std::sscanf(u.release, "%u.%u", &major, &minor);
  std::string found = std::string("Linux ") + u.release + " (" + u.machine + ")";
  if (major < 5 || (major == 5 && minor < 8))
    c.report(verdict::warn, "kernel",
             found + ": older than 5.8, so no CAP_BPF and no ring buffers",
             "use a 5.8 or newer kernel (6.1+ recommended)");
  else
    c.report(verdict::ok, "kernel", found);
}

void check_bpftool(checker &c) {
  std::string bpftool = find_program("bpftool", "/usr/local/sbin:/usr/sbin:/sbin");
  const std::string fix = "apt-get install bpftool (optional: bpftool is the companion for "
                          "system-wide views: 'bpftool prog show', 'bpftool map dump')";
  if (bpftool.empty()) {
    c.report(verdict::warn, "bpftool", "not found", fix);
    return;
  }
  process_result version = run_process({bpftool, "version"});
  if (version.status != 0) {
    c.report(verdict::warn, "bpftool", bpftool + " does not run: " + first_line(version.output), fix);
    return;
  }
  c.report(verdict::ok, "bpftool", bpftool + " (" + first_line(version.output) + ")");
}

}  // namespace

int cmd_doctor(arguments &args) {
  args.finish();
  checker c;
  check_clang(c);
  check_kernel_btf(c);
  check_bpffs(c);
  check_privileges(c);
  check_libbpf(c);
  check_kernel(c);
  check_bpftool(c);
  if (c.failed)
    std::printf("\n%d check%s failed, %d warning%s\n", c.failed, c.failed == 1 ? "" : "s", c.warned,
                c.warned == 1 ? "" : "s");
  else
    std::printf("\nall checks passed%s\n",
                c.warned ? (" (" + std::to_string(c.warned) + " warning" + (c.warned == 1 ? "" : "s") + ")").c_str()
                         : "");
  return c.failed ? exit_failed : exit_ok;
}

}  // namespace bpfkit::cli
