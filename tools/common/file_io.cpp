#include "bpfkit/file_io.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <limits.h>
#include <system_error>

namespace bpfkit::file_io {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string size_text(std::size_t bytes) {
  std::string text = std::to_string(bytes) + " bytes";
  if (bytes >= (std::size_t{1} << 20)) text += " (" + std::to_string(bytes >> 20) + " MiB)";
  return text;
}

const char *file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

[[noreturn]] void throw_not_regular(const std::string &path, mode_t mode) {
  const char *type = file_type_name(mode);
  if (std::strcmp(type, "not a regular file") == 0) throw file_error(path, type);
  throw file_error(path, std::string("is ") + type + ", not a regular file");
}

// Full-length write, retrying after EINTR and short writes.
void write_all(int fd, const std::byte *data, std::size_t size, const std::string &path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      throw file_error(path, "cannot write: " + errno_text(err), err);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// --- named temporaries, removed by signal handlers ---------------------------

// A fixed table: signal handlers may neither allocate nor lock. A slot is
// free, being filled, or holds the path of a live temporary. Constant-
// initialized (zeroes, nothing run at start-up): a dynamic initializer would
// touch all 64 KiB in every process that links this, before main().
enum slot_state : int { slot_free, slot_filling, slot_active };
struct temp_slot {
  std::atomic<int> state{slot_free};
  char path[PATH_MAX] = {};
};
constinit std::array<temp_slot, 16> temp_slots{};

// Returns the slot that now holds `path`, or -1 when the table is full (the
// file is then only removed by the normal paths, not on signals).
int register_temporary(const std::string &path) {
  if (path.size() >= PATH_MAX) return -1;
  for (std::size_t i = 0; i < temp_slots.size(); ++i) {
    int expected = slot_free;
    if (temp_slots[i].state.compare_exchange_strong(expected, slot_filling)) {
      // Handlers see the path only once it is complete.
      std::memcpy(temp_slots[i].path, path.c_str(), path.size() + 1);
      temp_slots[i].state.store(slot_active);
      return static_cast<int>(i);
    }
  }
  return -1;
}

void unregister_temporary(const std::string &path) {
  for (auto &slot : temp_slots)
    if (slot.state.load() == slot_active && path == slot.path) {
      slot.state.store(slot_free);
      return;
    }
}

// 16 unpredictable characters for a temporary's name.
std::string random_suffix() {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::array<unsigned char, 16> random{};
  std::size_t got = 0;
  while (got < random.size()) {
    const ssize_t n = getrandom(random.data() + got, random.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    got += static_cast<std::size_t>(n);
  }
  std::string suffix;
  for (unsigned char byte : random) suffix += alphabet[byte % (sizeof alphabet - 1)];
  return suffix;
}

std::string directory_of(const std::string &path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool proc_fd_available() {
  static const bool available = access("/proc/self/fd", X_OK) == 0;
  return available;
}

void handle_signal(int signal_number) {
  remove_temporaries_now();
  // SA_RESETHAND restored the default action: die of the same signal.
  raise(signal_number);
}

}  // namespace

// --- input_file --------------------------------------------------------------

input_file::input_file(input_file &&other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), size_(other.size_) {
  other.fd_ = -1;
}

input_file &input_file::operator=(input_file &&other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    size_ = other.size_;
    other.fd_ = -1;
  }
  return *this;
}

input_file::~input_file() {
  if (fd_ >= 0) close(fd_);
}

std::string input_file::read_all() const {
  std::string content(size_, '\0');
  std::size_t got = 0;
  while (got < size_) {
    const ssize_t n = pread(fd_, content.data() + got, size_ - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      throw file_error(path_, "cannot read: " + errno_text(err), err);
    }
    if (n == 0) throw file_error(path_, "changed size while being read");
    got += static_cast<std::size_t>(n);
  }
  return content;
}

input_file::mapping::~mapping() {
  if (!bytes_.empty()) munmap(const_cast<std::byte *>(bytes_.data()), bytes_.size());
}

input_file::mapping input_file::map_all() const {
  if (size_ == 0) return mapping({});
  void *at = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
  if (at == MAP_FAILED) {
    const int err = errno;
    throw file_error(path_, "cannot read: " + errno_text(err), err);
  }
  return mapping({static_cast<const std::byte *>(at), size_});
}

input_file open_input(const std::string &path, std::size_t max_size) {
  // A FIFO, socket or device is refused before it is opened: opening some
  // devices has effects, and a FIFO without a writer blocks a plain open.
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    const int err = errno;
    throw file_error(path, "cannot open: " + errno_text(err), err);
  }
  if (!S_ISREG(st.st_mode)) throw_not_regular(path, st.st_mode);
  // O_NONBLOCK: the path may have been replaced by a FIFO meanwhile.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw file_error(path, "cannot open: " + errno_text(err), err);
  }
  input_file file(path, fd, 0);
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    throw file_error(path, "cannot read: " + errno_text(err), err);
  }
  if (!S_ISREG(st.st_mode)) throw_not_regular(path, st.st_mode);
  if (static_cast<std::uintmax_t>(st.st_size) > max_size)
    throw file_error(path, "is " + size_text(static_cast<std::size_t>(st.st_size)) +
                               ", more than the limit of " + size_text(max_size));
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  file.size_ = static_cast<std::size_t>(st.st_size);
  return file;
}

std::string read_input(const std::string &path, std::size_t max_size) {
  return open_input(path, max_size).read_all();
}

// --- atomic_file ---------------------------------------------------------------

atomic_file::atomic_file(std::string destination, mode_t mode, temporary kind)
    : destination_(std::move(destination)) {
  if (destination_.empty()) throw file_error(destination_, "empty output file name");
  const std::string directory = directory_of(destination_);
  if (kind == temporary::unnamed_where_possible && proc_fd_available()) {
    fd_ = open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (fd_ >= 0) return;
    // Not every file system has O_TMPFILE; a missing directory fails below too.
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = destination_ + ".tmp." + random_suffix();
    fd_ = open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd_ >= 0) {
      temp_name_ = std::move(name);
      register_temporary(temp_name_);
      return;
    }
    if (errno != EEXIST) break;
  }
  const int err = errno;
  throw file_error(destination_, "cannot create output: " + errno_text(err), err);
}

atomic_file::~atomic_file() { discard(); }

void atomic_file::discard() noexcept {
  if (!temp_name_.empty()) {
    unlink(temp_name_.c_str());
    unregister_temporary(temp_name_);
    temp_name_.clear();
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

std::string atomic_file::path_for_open() const {
  if (!temp_name_.empty()) return temp_name_;
  return "/proc/self/fd/" + std::to_string(fd_);
}

void atomic_file::write(std::span<const std::byte> bytes) {
  if (fd_ < 0 || committed_) throw std::logic_error("atomic_file::write after commit");
  write_all(fd_, bytes.data(), bytes.size(), destination_);
}

void atomic_file::write(std::string_view text) {
  write(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

void atomic_file::commit() {
  if (fd_ < 0 || committed_) throw std::logic_error("atomic_file::commit twice");
  if (temp_name_.empty()) {
    // Give the unnamed temporary an unpredictable name next to the
    // destination (linkat fails rather than follow or replace anything there)...
    const std::string source = "/proc/self/fd/" + std::to_string(fd_);
    for (int attempt = 0; attempt < 100 && temp_name_.empty(); ++attempt) {
      std::string name = destination_ + ".tmp." + random_suffix();
      register_temporary(name);
      if (linkat(AT_FDCWD, source.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        temp_name_ = std::move(name);
        break;
      }
      const int err = errno;
      unregister_temporary(name);
      if (err != EEXIST)
        throw file_error(destination_, "cannot move output into place: " + errno_text(err), err);
    }
    if (temp_name_.empty())
      throw file_error(destination_, "cannot move output into place: no free temporary name");
  }
  // ... and rename it over the destination, which replaces a symlink there
  // rather than write through it.
  if (rename(temp_name_.c_str(), destination_.c_str()) != 0) {
    const int err = errno;
    throw file_error(destination_, "cannot move output into place: " + errno_text(err), err);
  }
  unregister_temporary(temp_name_);
  temp_name_.clear();
  committed_ = true;
  close(fd_);
  fd_ = -1;
}

// --- memory_file -------------------------------------------------------------------

memory_file::memory_file() : fd_(memfd_create("bpfkit", MFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "memfd_create");
}

memory_file::~memory_file() { close(fd_); }

std::string memory_file::path() const { return "/proc/self/fd/" + std::to_string(fd_); }

void memory_file::assign(std::span<const std::byte> bytes) {
  if (ftruncate(fd_, 0) != 0) throw std::system_error(errno, std::generic_category(), "ftruncate");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "writing a memfd");
    done += static_cast<std::size_t>(n);
  }
}

std::string memory_file::read() const {
  struct stat st {};
  if (fstat(fd_, &st) != 0) throw std::system_error(errno, std::generic_category(), "fstat");
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::system_error(n < 0 ? errno : EIO, std::generic_category(), "reading a memfd");
    done += static_cast<std::size_t>(n);
  }
  return bytes;
}

// --- signals ---------------------------------------------------------------------

void remove_temporaries_now() noexcept {
  for (auto &slot : temp_slots)
    if (slot.state.load() == slot_active) unlink(slot.path);
}

void remove_temporaries_on_signals() {
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current {};
    if (sigaction(signal_number, nullptr, &current) != 0 || current.sa_handler != SIG_DFL)
      continue;
    struct sigaction action {};
    action.sa_handler = handle_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(signal_number, &action, nullptr);
  }
}

}  // namespace bpfkit::file_io
