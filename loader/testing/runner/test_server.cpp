#include "test_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "bpfkit/content_hash.hpp"
#include "bpfkit/libbpf.hpp"
#include "bpfkit/privileges.hpp"
#include "bpfkit/version.hpp"
#include "map_state.hpp"

namespace bpfkit::testing {
namespace {

namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;

// ---- where the server listens ------------------------------------------

class unique_fd {
 public:
  explicit unique_fd(int fd = -1) noexcept : fd_(fd) {}
  unique_fd(unique_fd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  unique_fd &operator=(unique_fd &&other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~unique_fd() { reset(); }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

 private:
  int fd_;
};

std::string base_dir() {
  if (const char *dir = std::getenv("BPFKIT_TEST_SERVER_DIR"); dir && *dir) return dir;
  if (::geteuid() == 0) return "/run/bpfkit-test";
  if (const char *runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime)
    return std::string(runtime) + "/bpfkit-test";
  return "/tmp/bpfkit-test-" + std::to_string(::geteuid());
}

// The private directory, opened without following a symlink in its last
// component, and only when this user owns it and no one else may enter it
// (another user's directory could hold a socket of theirs). `why` says why
// not otherwise.
unique_fd open_private_dir(bool create, std::string &why) {
  const std::string path = base_dir();
  if (create && ::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    why = "cannot create " + path + ": " + std::strerror(errno);
    return unique_fd();
  }
  unique_fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) {
    why = path + (errno == ELOOP || errno == ENOTDIR ? " is not a directory (a symlink?): refused"
                                                       : std::string(": ") + std::strerror(errno));
    return unique_fd();
  }
  struct stat st {};
  if (::fstat(dir.get(), &st) != 0 || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    why = path + " is not private to this user (owner " + std::to_string(st.st_uid) + ", mode " +
          [&] {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
            return std::string(mode);
          }() +
          "): refused; remove it";
    return unique_fd();
  }
  return dir;
}

// The build tree's names in the private directory.
std::string tree_key(const std::string &build_dir) {
  std::error_code ignored;
  fs::path canonical = fs::weakly_canonical(build_dir, ignored);
  const std::string text = canonical.empty() ? build_dir : canonical.string();
  return content_hash_hex(text);
}

// The socket reached through the directory descriptor: nothing on the way
// is resolved again.
sockaddr_un socket_address(int dir, const std::string &key) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "/proc/self/fd/%d/%s.sock", dir, key.c_str());
  return address;
}

unique_fd connect_to(const std::string &build_dir) {
  std::string why;
  unique_fd dir = open_private_dir(false, why);
  if (!dir) return unique_fd();
  const std::string key = tree_key(build_dir);
  struct stat st {};
  if (::fstatat(dir.get(), (key + ".sock").c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISSOCK(st.st_mode) ||
      st.st_uid != ::geteuid())
    return unique_fd();
  unique_fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_un address = socket_address(dir.get(), key);
  if (!sock || ::connect(sock.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
    return unique_fd();
  ucred peer{};
  socklen_t size = sizeof peer;
  if (::getsockopt(sock.get(), SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.uid != ::geteuid())
    return unique_fd();
  return sock;
}

// ---- the wire: netstrings ("<length>:<bytes>") ----------------------------

void put(std::string &out, const std::string &field) { out += std::to_string(field.size()) + ":" + field; }

class reader {
 public:
  explicit reader(std::string text) : text_(std::move(text)) {}
  std::string next() {
    const std::size_t colon = text_.find(':', at_);
    if (colon == std::string::npos) throw std::runtime_error("truncated");
    const std::size_t length = std::stoull(text_.substr(at_, colon - at_));
    if (colon + 1 + length > text_.size()) throw std::runtime_error("truncated");
    std::string field = text_.substr(colon + 1, length);
    at_ = colon + 1 + length;
    return field;
  }
  std::size_t count() { return std::stoull(next()); }

 private:
  std::string text_;
  std::size_t at_ = 0;
};

bool send_all(int fd, const std::string &text) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += std::size_t(n);
  }
  return true;
}

// A connection's incoming bytes, read a buffer at a time (not a recv per
// byte): a line, then the rest of the stream.
class incoming {
 public:
  explicit incoming(int fd) : fd_(fd) {}

  // The next line, '\n' included; false when the stream fails or ends first.
  bool line(std::string &out) {
    std::size_t end;
    while ((end = buffered_.find('\n')) == std::string::npos)
      if (!fill()) return false;
    out.assign(buffered_, 0, end + 1);
    buffered_.erase(0, end + 1);
    return true;
  }

  // Everything to the end of the stream; false when it fails.
  bool rest(std::string &out) {
    while (fill()) {
    }
    out = std::move(buffered_);
    buffered_.clear();
    return !failed_;
  }

 private:
  // One recv into the buffer; false at the end of the stream or on failure.
  bool fill() {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) failed_ = true;
      if (n <= 0) return false;
      buffered_.append(buffer, std::size_t(n));
      return true;
    }
  }

  int fd_;
  std::string buffered_;
  bool failed_ = false;
};

void set_receive_timeout(int fd, int seconds) {
  timeval timeout{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
}

std::string request(const std::string &build_dir, const std::string &line, int timeout_seconds) {
  unique_fd sock = connect_to(build_dir);
  if (!sock) return {};
  set_receive_timeout(sock.get(), timeout_seconds);
  std::string answer;
  if (!send_all(sock.get(), line + "\n") || !incoming(sock.get()).rest(answer)) return {};
  return answer;
}

const std::string greeting = std::string("bpfkit-test-server ") + bpfkit::version;

// A server of another bpfkit version (a rebuilt runner) is not asked.
const std::string accepted_line = std::string("accepted ") + bpfkit::version + "\n";

// The pid in a ping's answer ("<greeting> <pid>\n").
std::string pid_of(const std::string &ping) {
  const std::size_t space = ping.rfind(' ');
  std::string pid = ping.substr(space + 1);
  if (!pid.empty() && pid.back() == '\n') pid.pop_back();
  return pid;
}

// ---- the server ---------------------------------------------------------

// What libbpf prints (to stderr, in a test's own process) while the server
// loads or runs a test goes to that test's client, which prints it there.
thread_local std::string *libbpf_printed = nullptr;

int keep_libbpf_print(libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG || !libbpf_printed) return 0;
  char line[4096];
  const int n = std::vsnprintf(line, sizeof line, format, args);
  if (n > 0) libbpf_printed->append(line, std::min<std::size_t>(std::size_t(n), sizeof line - 1));
  return n;
}

// Sends what libbpf prints on this thread to `sink` while it lives.
class libbpf_print_to {
 public:
  explicit libbpf_print_to(std::string &sink) : outer_(std::exchange(libbpf_printed, &sink)) {}
  ~libbpf_print_to() { libbpf_printed = outer_; }
  libbpf_print_to(const libbpf_print_to &) = delete;
  libbpf_print_to &operator=(const libbpf_print_to &) = delete;

 private:
  std::string *outer_;
};

// One loaded copy of a test's object, lent to one test at a time.
struct instance {
  loaded_test_object loaded;
  std::optional<map_state> initial;  // nothing: cannot be reset, used once
  bool hand_back = false;            // the client runs the test itself (no privilege here)
  bool printk_programs = false;      // its programs call bpf_printk
  std::string load_printed;          // libbpf's messages during the load
};

struct pool {
  std::string identity;  // the file's device, inode, size, mtime when loaded
  std::vector<std::unique_ptr<instance>> idle;
};

class server {
 public:
  void handle(int fd) {
    unique_fd connection(fd);
    ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || peer.uid != ::geteuid()) return;
    set_receive_timeout(fd, 5);
    std::string line;
    if (!incoming(fd).line(line)) return;
    line.pop_back();
    if (line == "ping") {
      send_all(fd, greeting + " " + std::to_string(::getpid()) + "\n");
    } else if (line == "stop") {
      send_all(fd, "stopping\n");
      ::kill(::getpid(), SIGTERM);
    } else if (line.starts_with("run ")) {
      if (!send_all(fd, accepted_line)) return;
      send_all(fd, run(line.substr(4)));
    }
  }

 private:
  std::string run(const std::string &spec_path) {
    std::string out;
    try {
      const test_spec spec = read_spec(spec_path);
      std::string key, identity;
      if (!identify(spec, key, identity)) return hand_back();
      std::unique_ptr<instance> lent = borrow(spec, key, identity);
      if (lent->hand_back) {
        give_back(key, identity, std::move(lent), false);
        return hand_back();
      }
      std::string printed = lent->load_printed;
      test_report report;
      {
        libbpf_print_to capture(printed);
        report = run_declarative_test(spec, [&](const test_spec &) -> loaded_test_object & { return lent->loaded; });
      }
      bool reusable = true;
      if (lent->loaded.loaded.ok() && writes_maps(spec)) {
        try {
          if (lent->initial) lent->initial->restore(lent->loaded.obj);
          else reusable = false;
        } catch (const std::exception &) {
          reusable = false;
        }
      }
      put(out, "report");
      put(out, printed);
      put(out, lent->printk_programs ? "1" : "0");
      put(out, std::to_string(int(report.outcome)));
      put(out, std::to_string(report.failures.size()));
      for (const auto &failure : report.failures) put(out, failure);
      put(out, std::to_string(report.notes.size()));
      for (const auto &note : report.notes) put(out, note);
      put(out, std::to_string(lent->loaded.programs.size()));
      for (const auto &p : lent->loaded.programs) {
        put(out, p.object);
        put(out, p.program);
        put(out, std::to_string(p.verified_insns));
      }
      give_back(key, identity, std::move(lent), reusable);
      return out;
    } catch (const std::exception &) {
      return hand_back();  // the client reports it as it would without a server
    }
  }

  static std::string hand_back() {
    std::string out;
    put(out, "in-process");
    return out;
  }

  static bool identify(const test_spec &spec, std::string &key, std::string &identity) {
    struct stat st {};
    if (::stat(spec.object.c_str(), &st) != 0) return false;
    key = spec.object + '\n' + spec.program;
    for (const std::string &assignment : spec.set_global) key += '\n' + assignment;
    identity = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) +
               ":" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    return true;
  }

  std::unique_ptr<instance> borrow(const test_spec &spec, const std::string &key, const std::string &identity) {
    std::vector<std::unique_ptr<instance>> stale;
    {
      std::lock_guard lock(pools_mutex_);
      pool &p = pools_[key];
      if (p.identity != identity) {  // rebuilt: the old copies go
        p.identity = identity;
        stale = std::move(p.idle);
        p.idle.clear();
      }
      if (!p.idle.empty()) {
        std::unique_ptr<instance> lent = std::move(p.idle.back());
        p.idle.pop_back();
        return lent;
      }
    }
    discard(std::move(stale));
    // run_record and its printk listener are per process: one load at a time.
    std::lock_guard lock(load_mutex_);
    auto fresh = std::make_unique<instance>();
    static std::atomic<bool> printk_programs;
    printk_programs = false;
    run_record::begin();
    run_record::on_printk_programs([] { printk_programs = true; });
    try {
      libbpf_print_to capture(fresh->load_printed);
      fresh->loaded = load_test_object(spec);
    } catch (...) {
      run_record::on_printk_programs({});
      run_record::end();
      throw;
    }
    run_record::on_printk_programs({});
    fresh->loaded.programs = run_record::end().programs;
    fresh->printk_programs = printk_programs;
    const load_report &loaded = fresh->loaded.loaded;
    const program_report *result = loaded.object_failure ? &*loaded.object_failure : loaded.find(spec.program);
    if (!result || result->status == load_status::no_privilege) fresh->hand_back = true;
    if (loaded.ok()) {
      std::string why;
      fresh->initial = map_state::take(fresh->loaded.obj, why);
    }
    return fresh;
  }

  void give_back(const std::string &key, const std::string &identity, std::unique_ptr<instance> lent,
                 bool reusable) {
    if (!lent) return;
    if (reusable) {
      std::lock_guard lock(pools_mutex_);
      pool &p = pools_[key];
      if (p.identity != identity) reusable = false;
      else p.idle.push_back(std::move(lent));
    }
    if (!reusable) {
      std::vector<std::unique_ptr<instance>> one;
      one.push_back(std::move(lent));
      discard(std::move(one));
    }
  }

  // Closing an object reports to run_record, which is per process: like
  // loads, one at a time.
  void discard(std::vector<std::unique_ptr<instance>> instances) {
    if (instances.empty()) return;
    std::lock_guard lock(load_mutex_);
    instances.clear();
  }

  std::mutex pools_mutex_;
  std::map<std::string, pool> pools_;
  std::mutex load_mutex_;
};

int idle_seconds() {
  if (const char *text = std::getenv("BPFKIT_TEST_SERVER_IDLE_SECONDS"); text && *text) {
    const int value = std::atoi(text);
    if (value > 0) return value;
  }
  return 120;
}

}  // namespace

std::optional<served_test> run_on_server(const std::string &build_dir, const std::string &spec_path) {
  // The privilege to load is this process's: one without it gets its skip.
  if (!holds_bpf_capability()) return std::nullopt;
  unique_fd sock = connect_to(build_dir);
  if (!sock) return std::nullopt;
  std::error_code ignored;
  const std::string absolute = fs::absolute(spec_path, ignored).string();
  // A server that does not take the request at once (stopped, overloaded)
  // is not waited for; one that took it answers when the test has run.
  set_receive_timeout(sock.get(), 5);
  incoming from_server(sock.get());
  std::string accepted;
  if (!send_all(sock.get(), "run " + absolute + "\n") || !from_server.line(accepted) ||
      accepted != accepted_line)
    return std::nullopt;
  set_receive_timeout(sock.get(), 0);
  std::string answer;
  if (!from_server.rest(answer)) return std::nullopt;
  try {
    reader in(answer);
    if (in.next() != "report") return std::nullopt;
    served_test served;
    served.libbpf_printed = in.next();
    const bool printk_programs = in.next() == "1";
    const int outcome = std::stoi(in.next());
    if (outcome < int(verdict::passed) || outcome > int(verdict::skipped)) return std::nullopt;
    served.report.outcome = verdict(outcome);
    for (std::size_t n = in.count(); n > 0; --n) served.report.failures.push_back(in.next());
    for (std::size_t n = in.count(); n > 0; --n) served.report.notes.push_back(in.next());
    for (std::size_t n = in.count(); n > 0; --n) {
      run_record::program_entry p;
      p.object = in.next();
      p.program = in.next();
      p.verified_insns = std::uint32_t(std::stoul(in.next()));
      served.programs.push_back(std::move(p));
    }
    // What the programs printed is shown under a failure, and captured per
    // process: the client runs a failed test again itself to show it.
    if (printk_programs && served.report.outcome == verdict::failed) return std::nullopt;
    return served;
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

namespace {

// Gone, or a zombie its new parent has not reaped yet (its descriptors, and
// so what it loaded, are released by then).
bool exited(pid_t pid) {
  std::FILE *stat = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!stat) return true;
  char state = '?';
  const int matched = std::fscanf(stat, "%*d (%*[^)]) %c", &state);
  std::fclose(stat);
  return matched == 1 && (state == 'Z' || state == 'X');
}

}  // namespace

std::string stop_server(const std::string &build_dir) {
  const std::string ping = request(build_dir, "ping", 5);
  if (!ping.starts_with("bpfkit-test-server ")) return {};
  if (request(build_dir, "stop", 5) != "stopping\n") return "the test server did not stop; it exits when idle\n";
  // Gone when its process is: what it loaded is freed by then.
  const pid_t pid = pid_t(std::atoi(pid_of(ping).c_str()));
  for (int tries = 0; tries < 100; ++tries) {
    if (pid <= 0 || exited(pid)) return "stopped the test server (pid " + pid_of(ping) + ")\n";
    ::usleep(50 * 1000);
  }
  return "the test server did not stop within 5 s; it exits when idle\n";
}

std::string start_server(const std::string &build_dir) {
  std::string why;
  if (!open_private_dir(true, why))
    return "test server not started (" + why + "): every test runs in its own process\n";
  std::string notes = stop_server(build_dir);
  const std::string self = fs::read_symlink("/proc/self/exe");
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return notes + "test server not started (fork: " + std::strerror(errno) + ")\n";
  if (child == 0) {
    // Detached: its own session, no terminal, none of ctest's pipes (ctest
    // waits for them to close), a grandchild that init reaps.
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    // Holds no build directory busy (spec and object paths are absolute).
    if (::chdir("/") != 0) ::_exit(127);
    const int null = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    ::close_range(3, ~0u, 0);
    ::execl(self.c_str(), self.c_str(), "--serve", build_dir.c_str(), static_cast<char *>(nullptr));
    ::_exit(127);
  }
  ::waitpid(child, nullptr, 0);
  for (int tries = 0; tries < 100; ++tries) {
    const std::string ping = request(build_dir, "ping", 5);
    if (ping.starts_with(greeting + " "))
      return notes + "test server for " + build_dir + " started (pid " + pid_of(ping) + ")\n";
    ::usleep(50 * 1000);
  }
  return notes + "test server not started (no answer within 5 s): every test runs in its own process\n";
}

int serve(const std::string &build_dir) {
  std::string why;
  unique_fd dir = open_private_dir(false, why);
  if (!dir) return 1;
  const std::string key = tree_key(build_dir);
  // One server per build tree: the lock is held as long as it runs.
  unique_fd lock(::openat(dir.get(), (key + ".lock").c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!lock || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) return 0;

  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // threads inherit it: the signalfd gets them
  ::signal(SIGPIPE, SIG_IGN);
  unique_fd stop(::signalfd(-1, &signals, SFD_CLOEXEC));

  ::unlinkat(dir.get(), (key + ".sock").c_str(), 0);  // a stale one of a killed server
  unique_fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const sockaddr_un address = socket_address(dir.get(), key);
  if (!listener || ::bind(listener.get(), reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0 ||
      ::listen(listener.get(), 64) != 0)
    return 1;

  libbpf_set_print(keep_libbpf_print);
  server tests;
  std::atomic<int> active = 0;
  std::atomic<clock::rep> last_request = clock::now().time_since_epoch().count();
  const auto idle_limit = std::chrono::seconds(idle_seconds());
  for (;;) {
    pollfd fds[2] = {{listener.get(), POLLIN, 0}, {stop.get(), POLLIN, 0}};
    const int ready = ::poll(fds, 2, 1000);
    if (ready < 0 && errno != EINTR) break;
    if (fds[1].revents) break;
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      const int connection = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) continue;
      ++active;
      last_request = clock::now().time_since_epoch().count();
      std::thread([&tests, &active, &last_request, connection] {
        tests.handle(connection);
        last_request = clock::now().time_since_epoch().count();
        --active;
      }).detach();
      continue;
    }
    const clock::duration idle = clock::now().time_since_epoch() - clock::duration(last_request.load());
    if (active == 0 && idle > idle_limit) break;
  }
  // Everything it loaded is held by descriptors of this process: exiting
  // frees it. Tests still running get no answer and run in their client.
  ::unlinkat(dir.get(), (key + ".sock").c_str(), 0);
  ::unlinkat(dir.get(), (key + ".lock").c_str(), 0);
  std::_Exit(0);
}

}  // namespace bpfkit::testing
