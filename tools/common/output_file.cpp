#include "output_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "tool_error.hpp"

namespace bpfkit::tools {

namespace {

// Runs f, reporting a file_io::file_error as a tool_error.
template <typename F>
auto reporting_output_errors(F &&f) -> decltype(f()) {
  try {
    return f();
  } catch (const file_io::file_error &e) {
    throw tool_error(e.path(), e.what());
  }
}

file_io::atomic_file create(const std::string &destination) {
  return reporting_output_errors([&] { return file_io::atomic_file(destination); });
}

}  // namespace

tool_error input_error(const file_io::file_error &e) {
  std::string hint;
  if (e.error_number() == ENOENT) hint = "check the path; the file may not have been built";
  return tool_error(e.path(), e.what(), hint);
}

output_file::output_file(std::string destination) : file_(create(destination)) {}

void output_file::write(std::string_view content) {
  reporting_output_errors([&] { file_.write(content); });
}

void output_file::commit() {
  reporting_output_errors([&] { file_.commit(); });
}

void create_parent_directories(const std::string &destination) {
  std::filesystem::path parent = std::filesystem::path(destination).parent_path();
  if (parent.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) throw tool_error(parent.string(), "cannot create the directory: " + error.message());
}

remove_output_on_failure::~remove_output_on_failure() {
  if (!succeeded_) unlink(path_.c_str());
}

std::string read_file(const std::string &path, std::size_t max_size) {
  try {
    return file_io::read_input(path, max_size);
  } catch (const file_io::file_error &e) {
    throw input_error(e);
  }
}

}  // namespace bpfkit::tools
