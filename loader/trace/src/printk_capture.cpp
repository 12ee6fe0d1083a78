#include "bpfkit/printk_capture.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <utility>

namespace bpfkit {
namespace {

constexpr const char *instance_prefix = "bpfkit-printk-";
// Per CPU: plenty for one test's prints, small enough for many parallel tests.
constexpr const char *buffer_kb = "256";
constexpr int helper_trace_printk = 6, helper_trace_vprintk = 177;

bool is_dir(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The tracefs mount, or "".
std::string tracefs_root() {
  for (const char *root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
    if (is_dir(std::string(root) + "/instances")) return root;
  return {};
}

// Writes `value` to a tracefs file; returns errno, 0 on success.
int write_file(const std::string &path, const std::string &value) {
  const int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return errno;
  const ssize_t n = write(fd, value.data(), value.size());
  const int err = n == static_cast<ssize_t>(value.size()) ? 0 : (n < 0 ? errno : EIO);
  close(fd);
  return err;
}

}  // namespace

printk_capture printk_capture::start() {
  const std::string root = tracefs_root();
  if (root.empty())
    throw printk_unavailable("tracefs is not mounted (mount it with: mount -t tracefs nodev /sys/kernel/tracing)");
  if (!is_dir(root + "/events/bpf_trace/bpf_trace_printk"))
    throw printk_unavailable("this kernel has no bpf_trace/bpf_trace_printk trace event (Linux 5.10 and later have it)");
  static std::atomic<unsigned> serial{0};
  const std::string path =
      root + "/instances/" + instance_prefix + std::to_string(getpid()) + "-" + std::to_string(serial++);
  if (mkdir(path.c_str(), 0750) != 0) {
    const int err = errno;
    throw printk_unavailable("cannot create the tracefs instance " + path + ": " + std::strerror(err) +
                             (err == EACCES || err == EPERM ? " (capturing bpf_printk output needs root)" : ""));
  }
  printk_capture capture(path);
  const std::pair<const char *, std::string> settings[] = {
      {"buffer_size_kb", buffer_kb},
      {"options/event-fork", "1"},  // threads and children this process starts from now on
      {"set_event_pid", std::to_string(getpid())},
      {"events/bpf_trace/bpf_trace_printk/enable", "1"},
  };
  for (const auto &[file, value] : settings)
    if (int err = write_file(path + "/" + file, value))
      throw printk_unavailable("cannot set " + path + "/" + file + ": " + std::strerror(err));
  return capture;
}

printk_capture::printk_capture(printk_capture &&other) noexcept : path_(std::exchange(other.path_, {})) {}

printk_capture &printk_capture::operator=(printk_capture &&other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

printk_capture::~printk_capture() { remove(); }

void printk_capture::remove() noexcept {
  if (path_.empty()) return;
  // Disable first: rmdir of an instance with an enabled event can be busy.
  write_file(path_ + "/events/bpf_trace/bpf_trace_printk/enable", "0");
  for (int attempt = 0; attempt < 50 && rmdir(path_.c_str()) != 0 && errno == EBUSY; ++attempt) usleep(10000);
  path_.clear();
}

std::vector<printk_line> printk_capture::lines() const {
  std::ifstream in(path_ + "/trace");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_printk_trace(text.str());
}

std::vector<printk_line> parse_printk_trace(const std::string &text) {
  // "<comm>-<pid> [(<tgid>)] [<cpu>] [<flags>] <seconds>: bpf_trace_printk: <message>"
  static const std::regex header(
      R"(^\s*(.*)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+(?:\S+\s+)?(\d+\.\d+): bpf_trace_printk: ?(.*)$)");
  std::vector<printk_line> lines;
  std::istringstream in(text);
  std::string line;
  bool open = false;  // the last line is a printk one that may continue
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    std::smatch m;
    if (std::regex_match(line, m, header)) {
      lines.push_back({m[1], std::stoi(m[2]), std::stoi(m[3]), m[4], m[5]});
      open = true;
    } else if (open) {
      lines.back().message += "\n" + line;  // the message had a newline
    }
  }
  for (printk_line &l : lines)
    while (!l.message.empty() && l.message.back() == '\n') l.message.pop_back();
  return lines;
}

bool calls_printk(std::span<const bpf_insn> insns) {
  for (const bpf_insn &i : insns)
    if (i.code == (BPF_JMP | BPF_CALL) && i.src_reg == 0 &&
        (i.imm == helper_trace_printk || i.imm == helper_trace_vprintk))
      return true;
  return false;
}

std::string format_printk(const std::vector<printk_line> &lines) {
  std::string out;
  for (const printk_line &l : lines) {
    std::string message = l.message;
    for (std::size_t at = message.find('\n'); at != std::string::npos; at = message.find('\n', at + 1))
      message.insert(at + 1, "      ");
    out += "    " + l.timestamp + " cpu" + std::to_string(l.cpu) + " " + l.task + "-" + std::to_string(l.pid) +
           ": " + message + "\n";
  }
  return out;
}

std::size_t remove_stale_printk_instances() {
  const std::string root = tracefs_root();
  if (root.empty()) return 0;
  DIR *dir = opendir((root + "/instances").c_str());
  if (!dir) return 0;
  std::vector<std::string> stale;
  while (const dirent *entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.rfind(instance_prefix, 0) != 0) continue;
    const std::string rest = name.substr(std::strlen(instance_prefix));
    const pid_t pid = static_cast<pid_t>(std::strtol(rest.c_str(), nullptr, 10));
    if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) stale.push_back(root + "/instances/" + name);
  }
  closedir(dir);
  std::size_t removed = 0;
  for (const std::string &path : stale) {
    write_file(path + "/events/bpf_trace/bpf_trace_printk/enable", "0");
    removed += rmdir(path.c_str()) == 0;
  }
  return removed;
}

}  // namespace bpfkit
