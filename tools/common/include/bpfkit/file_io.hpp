// bpfkit::file_io: reading untrusted input files and writing outputs
// atomically, for the build tools and the CLI.
//
// Inputs: a path given by a user may name a FIFO (which blocks a plain
// open), a directory, a device or a file of any size. open_input() never
// blocks, accepts only regular files and refuses files above a size limit
// before reading a byte.
//
// Outputs: atomic_file writes to a temporary in the destination's directory
// and renames it over the destination only on commit(), so that no reader
// ever sees a half-written file. The temporary is an unnamed O_TMPFILE where
// the file system supports it (nothing is left behind, even on SIGKILL);
// elsewhere, and for the instant between naming and renaming, it is a file
// with an unpredictable name created with O_EXCL|O_NOFOLLOW (a planted
// symlink is never followed) that is removed on failure, on destruction and
// on SIGINT/SIGTERM/SIGHUP.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace bpfkit::file_io {

// An input or output that cannot be used. what() says why, without the path
// (e.g. "is a FIFO, not a regular file"); path() names the file.
class file_error : public std::runtime_error {
 public:
  file_error(std::string path, const std::string &reason, int error_number = 0)
      : std::runtime_error(reason), path_(std::move(path)), errno_(error_number) {}
  const std::string &path() const { return path_; }
  // The errno behind it (ENOENT, EACCES, ...), 0 when it is not a system error.
  int error_number() const { return errno_; }

 private:
  std::string path_;
  int errno_;
};

// The default limit of open_input(): larger BPF objects and BTF files are
// refused before they are read.
inline constexpr std::size_t default_max_input_size = std::size_t{256} << 20;

// A regular file opened for reading. Move-only; closes its descriptor.
class input_file {
 public:
  input_file(input_file &&other) noexcept;
  input_file &operator=(input_file &&other) noexcept;
  input_file(const input_file &) = delete;
  input_file &operator=(const input_file &) = delete;
  ~input_file();

  int fd() const { return fd_; }
  std::size_t size() const { return size_; }
  const std::string &path() const { return path_; }

  // The whole content. Throws file_error on a read error or when the file
  // changed size while being read.
  std::string read_all() const;

  // The whole content mapped read-only, for files too large to copy (a
  // kernel's vmlinux with debug info). Valid while the returned object lives.
  class mapping {
   public:
    mapping(mapping &&other) noexcept : bytes_(std::exchange(other.bytes_, {})) {}
    mapping &operator=(mapping &&) = delete;
    ~mapping();
    std::span<const std::byte> bytes() const { return bytes_; }

   private:
    friend class input_file;
    explicit mapping(std::span<const std::byte> bytes) : bytes_(bytes) {}
    std::span<const std::byte> bytes_;
  };
  mapping map_all() const;

 private:
  friend input_file open_input(const std::string &path, std::size_t max_size);
  input_file(std::string path, int fd, std::size_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}

  std::string path_;
  int fd_ = -1;
  std::size_t size_ = 0;
};

// Opens `path` without blocking and checks that it is a regular file of at
// most `max_size` bytes. Throws file_error ("cannot open: No such file or
// directory", "is a directory, not a regular file", "is a FIFO, not a regular
// file", "is 314572800 bytes (300 MiB), more than the limit of 256 MiB").
input_file open_input(const std::string &path, std::size_t max_size = default_max_input_size);

// open_input(path, max_size).read_all().
std::string read_input(const std::string &path, std::size_t max_size = default_max_input_size);

// An output file written atomically (see the top of this file).
class atomic_file {
 public:
  enum class temporary {
    unnamed_where_possible,  // O_TMPFILE, else a named one
    named,  // a name from the start, for another process that opens it by name
  };

  // Creates the temporary next to `destination`; `mode` is the new file's
  // permission bits before the umask, as for open(2). Throws file_error.
  explicit atomic_file(std::string destination, mode_t mode = 0666,
                       temporary kind = temporary::unnamed_where_possible);
  // Discards the temporary unless committed.
  ~atomic_file();
  atomic_file(const atomic_file &) = delete;
  atomic_file &operator=(const atomic_file &) = delete;

  const std::string &destination() const { return destination_; }
  // The temporary's descriptor, open for writing.
  int fd() const { return fd_; }
  // A name for APIs that open the file themselves (libbpf's linker):
  // /proc/self/fd/N, which reaches this very file whatever happens to names
  // in the directory; the temporary's own name for a `named` temporary or
  // where /proc is not mounted.
  std::string path_for_open() const;

  // Appends to the temporary. Throws file_error (e.g. when the disk is full).
  void write(std::span<const std::byte> bytes);
  void write(std::string_view text);
  // Moves the temporary over the destination. Throws file_error.
  void commit();

 private:
  void discard() noexcept;

  std::string destination_;
  std::string temp_name_;  // empty while the temporary is unnamed (O_TMPFILE)
  int fd_ = -1;
  bool committed_ = false;
};

// An anonymous file in memory (memfd) with a name, for libraries that read
// or write only named files (libbpf 1.1's linker and BTF parsers): what they
// read is exactly what was written here, and nothing touches the disk.
class memory_file {
 public:
  memory_file();
  ~memory_file();
  memory_file(const memory_file &) = delete;
  memory_file &operator=(const memory_file &) = delete;

  // /proc/self/fd/N.
  std::string path() const;
  // Replaces the content.
  void assign(std::span<const std::byte> bytes);
  // The content now (e.g. after a library wrote to path()).
  std::string read() const;

 private:
  int fd_;
};

// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the named
// temporaries of live atomic_files and then let the signal kill the process
// as before. Signals whose disposition is not the default are left alone. For
// processes without signal handlers of their own (the build tools); others
// call remove_temporaries_now() from their handler.
void remove_temporaries_on_signals();

// Removes the named temporaries of live atomic_files. Async-signal-safe.
void remove_temporaries_now() noexcept;

}  // namespace bpfkit::file_io
