#include "output_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tool_error.hpp"

namespace bpfkit::tools {

output_file::output_file(std::string destination)
    : destination_(std::move(destination)) {
  // A unique sibling in the same directory, so rename() stays atomic.
  std::string pattern = destination_ + ".tmp.XXXXXX";
  int fd = mkstemp(pattern.data());
  if (fd < 0)
    throw tool_error(destination_, std::string("cannot create output: ") + std::strerror(errno));
  close(fd);
  temp_ = pattern;
}

output_file::~output_file() {
  if (!committed_) unlink(temp_.c_str());
}

void output_file::write(std::string_view content) {
  std::ofstream out(temp_, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out)
    throw tool_error(destination_, "cannot write output (disk full?)");
}

void output_file::commit() {
  // Output files are read by other build steps and by users: not private.
  chmod(temp_.c_str(), 0644);
  if (rename(temp_.c_str(), destination_.c_str()) != 0)
    throw tool_error(destination_, std::string("cannot move output into place: ") + std::strerror(errno));
  committed_ = true;
}

remove_output_on_failure::~remove_output_on_failure() {
  if (!succeeded_) unlink(path_.c_str());
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw tool_error(path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace bpfkit::tools
