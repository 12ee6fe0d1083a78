// Input and output files of bpfkit's build tools: bpfkit::file_io (atomic
// outputs, inputs that are regular files of bounded size) with its errors
// turned into tool_error, the tools' common user error.
#pragma once

#include <string>
#include <string_view>

#include "bpfkit/file_io.hpp"

namespace bpfkit::tools {

// A build output that only ever appears complete: a later build step (or a
// rerun of ninja) must never take a truncated object for a good one. See
// file_io::atomic_file; without commit() nothing is written.
class output_file {
 public:
  explicit output_file(std::string destination);

  // A name for APIs that open the output themselves (libbpf's linker).
  std::string path_for_open() const { return file_.path_for_open(); }
  const std::string &destination() const { return file_.destination(); }

  // Appends `content` to the output.
  void write(std::string_view content);
  // Moves the output into place. Throws tool_error on failure.
  void commit();

 private:
  file_io::atomic_file file_;
};

// Creates the directories above `destination` that do not exist yet (as
// `mkdir -p`), so that a build need not run a process per output for it.
// Throws tool_error naming the directory that cannot be made.
void create_parent_directories(const std::string &destination);

// Removes a previous output unless the run succeeded. A stale output that no
// longer matches its inputs must not be picked up by anything that runs after
// a failed or `-k` build (ctest, the next generator, a user's loader): this
// is what GNU make's .DELETE_ON_ERROR does, and Ninja never deletes a failed
// step's output. Both rerun the step next time anyway.
class remove_output_on_failure {
 public:
  explicit remove_output_on_failure(std::string path) : path_(std::move(path)) {}
  ~remove_output_on_failure();
  remove_output_on_failure(const remove_output_on_failure &) = delete;
  remove_output_on_failure &operator=(const remove_output_on_failure &) = delete;
  void succeeded() { succeeded_ = true; }

 private:
  std::string path_;
  bool succeeded_ = false;
};

// Reads a whole input file: a regular file of at most `max_size` bytes (a
// FIFO, a directory or a 300 MB object is an error, not a hang or gigabytes
// of memory). Throws tool_error naming the file.
std::string read_file(const std::string &path,
                      std::size_t max_size = file_io::default_max_input_size);

// A file_io::file_error as the tools report it, with a hint where one helps.
class tool_error;
tool_error input_error(const file_io::file_error &e);

}  // namespace bpfkit::tools
