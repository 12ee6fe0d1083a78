// Atomic output files for bpfkit's build tools.
//
// Build tools must never leave a half-written output behind: a later build
// step (or a rerun of ninja) would take a truncated object for a good one.
// output_file writes to a temporary sibling of the destination and renames it
// into place only on commit(); if it is destroyed without commit() the
// temporary is removed.
#pragma once

#include <string>
#include <string_view>

namespace bpfkit::tools {

class output_file {
 public:
  explicit output_file(std::string destination);
  ~output_file();
  output_file(const output_file &) = delete;
  output_file &operator=(const output_file &) = delete;

  // Path of the temporary file to write (for APIs that open files by name).
  const std::string &temp_path() const { return temp_; }
  const std::string &destination() const { return destination_; }

  // Replaces the temporary's content with `content`.
  void write(std::string_view content);
  // Moves the temporary over the destination. Throws tool_error on failure.
  void commit();

 private:
  std::string destination_;
  std::string temp_;
  bool committed_ = false;
};

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

// Reads a whole file; throws tool_error naming the file when it cannot.
std::string read_file(const std::string &path);

}  // namespace bpfkit::tools
