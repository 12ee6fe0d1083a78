#include "pch_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bpfkit/content_hash.hpp"
#include "output_file.hpp"

namespace bpfkit::tools {

namespace fs = std::filesystem;

namespace {

struct file_identity {
  long long size = -1;
  long long mtime_ns = 0;
};

file_identity identity_of(const fs::path &path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<long long>(st.st_size),
          static_cast<long long>(st.st_mtim.tv_sec) * 1000000000ll + st.st_mtim.tv_nsec};
}

std::string hash_file(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  content_hash h;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) h.add(std::string_view(buffer, in.gcount()));
  return h.hex();
}

// The content hash of vmlinux.h. Hashing 3 MB on every compile would cost
// more than it needs to: a stamp remembers the hash for the file's size and
// modification time.
std::string vmlinux_hash(const fs::path &vmlinux, const fs::path &cache_dir) {
  const file_identity id = identity_of(vmlinux);
  const fs::path stamp = cache_dir / "vmlinux.stamp";
  std::ostringstream expected;
  expected << vmlinux.string() << '\n' << id.size << ' ' << id.mtime_ns << ' ';
  {
    std::ifstream in(stamp);
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    const std::string prefix = expected.str();
    if (content.size() == prefix.size() + 17 && content.compare(0, prefix.size(), prefix) == 0)
      return content.substr(prefix.size(), 16);
  }
  const std::string hash = hash_file(vmlinux);
  output_file out(stamp.string());
  out.write(expected.str() + hash + "\n");
  out.commit();
  return hash;
}

// The compiler binary as a file: its path (PATH searched), size and time,
// so that an upgraded clang gets new PCHs instead of "PCH built by a
// different compiler" errors.
std::string compiler_identity(const std::string &compiler) {
  fs::path path = compiler;
  if (compiler.find('/') == std::string::npos) {
    const char *env = std::getenv("PATH");
    std::stringstream dirs(env ? env : "");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      fs::path candidate = fs::path(dir.empty() ? "." : dir) / compiler;
      if (::access(candidate.c_str(), X_OK) == 0) {
        path = candidate;
        break;
      }
    }
  }
  std::error_code ec;
  const fs::path real = fs::canonical(path, ec);
  if (ec) return {};
  const file_identity id = identity_of(real);
  return real.string() + " " + std::to_string(id.size) + " " + std::to_string(id.mtime_ns);
}

// flock(2) on a lock file, released when the file is closed. try_lock()
// does not wait: false when another process holds it.
class file_lock {
 public:
  explicit file_lock(const fs::path &path)
      : path_(path), fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  ~file_lock() { ::close(fd_); }  // closing releases the lock
  file_lock(const file_lock &) = delete;
  file_lock &operator=(const file_lock &) = delete;

  void lock() { take(LOCK_EX); }
  bool try_lock() { return take(LOCK_EX | LOCK_NB); }

 private:
  bool take(int operation) {
    while (::flock(fd_, operation) != 0) {
      if (errno == EWOULDBLOCK && (operation & LOCK_NB)) return false;
      if (errno != EINTR) throw std::runtime_error("cannot lock " + path_.string() + ": " + std::strerror(errno));
    }
    return true;
  }

  fs::path path_;
  int fd_;
};

// Runs `argv` in `workdir` with stdout and stderr into `log`; the wait status.
int run_logged(const std::vector<std::string> &argv, const fs::path &workdir, const fs::path &log) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot fork: ") + std::strerror(errno));
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0 || (!workdir.empty() && ::chdir(workdir.c_str()) != 0))
      ::_exit(127);
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  return status;
}

// The line of a compiler's output that says what went wrong.
std::string first_error(const std::string &output) {
  std::istringstream lines(output);
  std::string line, first;
  while (std::getline(lines, line)) {
    if (first.empty() && !line.empty()) first = line;
    if (line.find("error:") != std::string::npos) return line;
  }
  return first.empty() ? "no output" : first;
}

std::string read_all(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A new vmlinux.h: the PCHs of the previous ones are of no further use.
void remove_other_generations(const fs::path &cache_dir, const fs::path &keep) {
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(cache_dir, ec)) {
    if (entry.is_directory(ec) && entry.path() != keep)
      fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

pch_result obtain_pch(const pch_request &request) {
  std::error_code ec;
  if (!fs::is_regular_file(request.vmlinux, ec))
    return {{}, "bpfkit's vmlinux.h has not been generated (" + request.vmlinux.string() + ")"};
  fs::create_directories(request.cache_dir, ec);
  if (ec) return {{}, "cannot create " + request.cache_dir.string() + ": " + ec.message()};

  const std::string compiler = compiler_identity(request.compiler);
  if (compiler.empty()) return {{}, "the compiler '" + request.compiler + "' was not found"};

  std::string key = "bpfkit-cc vmlinux.h pch 1\n" + compiler + "\n" + request.language + "\n" +
                    (request.angled ? "<vmlinux.h>" : "\"vmlinux.h\"") + "\n" +
                    (request.depends_on_cwd ? request.cwd.string() : std::string()) + "\n";
  for (const auto &arg : request.args) {
    key += arg;
    key += '\0';
  }

  // Each vmlinux.h its own generations (pch_cache.hpp).
  const fs::path relative = fs::absolute(request.vmlinux, ec).lexically_normal().lexically_relative(
      fs::absolute(request.cache_dir, ec).lexically_normal());
  const fs::path file = request.cache_dir / content_hash_hex(relative.string());
  fs::create_directories(file, ec);
  if (ec) return {{}, "cannot create " + file.string() + ": " + ec.message()};
  const fs::path generation = file / vmlinux_hash(request.vmlinux, file);
  if (fs::create_directory(generation, ec)) remove_other_generations(file, generation);
  const fs::path dir = generation / content_hash_hex(key);
  fs::create_directories(dir, ec);
  if (ec) return {{}, "cannot create " + dir.string() + ": " + ec.message()};

  const fs::path pch = dir / "vmlinux.h.pch";
  const fs::path failed = dir / "failed.txt";
  // Renamed into place complete: present means usable, lock or not.
  if (fs::exists(pch, ec)) return {pch, {}};
  file_lock lock(dir / "lock");
  if (!lock.try_lock()) {
    if (!request.wait_for_builder)
      return {{}, "another compile is building the PCH for these flags; compiling vmlinux.h as text "
                  "rather than waiting for it"};
    lock.lock();
  }
  if (fs::exists(pch, ec)) return {pch, {}};
  if (fs::exists(failed, ec))
    return {{}, "the precompiled vmlinux.h cannot be built with this compile's flags (" +
                    first_error(read_all(failed)) + "); see " + failed.string()};

  // Leftovers of a build that was killed (the lock is ours now).
  for (const auto &entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().starts_with("vmlinux.h.pch.tmp-")) fs::remove(entry.path(), ec);

  const fs::path wrapper = dir / "pch.h";
  if (!fs::exists(wrapper, ec)) {
    output_file out(wrapper.string());
    out.write(request.angled ? "#include <vmlinux.h>\n" : "#include \"vmlinux.h\"\n");
    out.commit();
  }
  const fs::path temp = dir / ("vmlinux.h.pch.tmp-" + std::to_string(::getpid()));
  const fs::path log = dir / ("build.log.tmp-" + std::to_string(::getpid()));
  std::vector<std::string> argv{request.compiler};
  argv.insert(argv.end(), request.args.begin(), request.args.end());
  for (const char *arg : {"-Xclang", "-fno-pch-timestamp", "-x"}) argv.emplace_back(arg);
  argv.push_back(request.language + "-header");
  argv.push_back(wrapper.string());
  argv.emplace_back("-o");
  argv.push_back(temp.string());
  // The working directory ends up in the PCH: a fixed one keeps its bytes
  // the same for every compile with this key (unless paths are relative to
  // the compile's own).
  const int status = run_logged(argv, request.depends_on_cwd ? fs::path() : dir, log);
  const std::string output = read_all(log);
  fs::remove(log, ec);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(temp, ec)) {
    fs::rename(temp, pch, ec);
    if (ec) return {{}, "cannot move the PCH into place: " + ec.message()};
    return {pch, {}};
  }
  fs::remove(temp, ec);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
    // The compiler rejected the flags: that will not change for this key.
    std::string command;
    for (const auto &arg : argv) command += (command.empty() ? "" : " ") + arg;
    output_file out(failed.string());
    out.write("command: " + command + "\n" + output);
    out.commit();
    return {{}, "the precompiled vmlinux.h cannot be built with this compile's flags (" + first_error(output) +
                    "); see " + failed.string()};
  }
  return {{}, "building the precompiled vmlinux.h failed (" + first_error(output) + ")"};
}

}  // namespace bpfkit::tools
