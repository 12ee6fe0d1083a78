#include "per_kernel.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "bpfkit/content_hash.hpp"
#include "bpfkit/requirements.hpp"

namespace bpfkit::baseline {
namespace {

namespace fs = std::filesystem;

// Names the build tree in a record's directory (two trees, e.g. clang 14's and
// clang 19's, run the same test in one boot): the hash of its results path,
// stable across processes and machines.
std::string tree_key(const std::string &vm_results) { return content_hash_hex(vm_results); }

std::string record_directory_name(const spec &s) { return s.test + "-" + tree_key(s.vm_results); }

bool is_series(const std::string &text) {
  const auto version = requirements::kernel_version::from_release(text);
  return version && std::to_string(version->major) + "." + std::to_string(version->minor) == text;
}

}  // namespace

bool is_per_kernel(const std::string &file) { return file.find(kernel_placeholder) != std::string::npos; }

std::string file_for_kernel(const std::string &file, const std::string &series) {
  std::string out = file;
  for (std::size_t at = out.find(kernel_placeholder); at != std::string::npos;
       at = out.find(kernel_placeholder, at + series.size()))
    out.replace(at, kernel_placeholder.size(), series);
  return out;
}

std::string running_kernel_series() {
  const requirements::running_kernel kernel = requirements::current_kernel();
  return std::to_string(kernel.version.major) + "." + std::to_string(kernel.version.minor);
}

std::string record_path(const std::string &vm_out, const spec &s, const std::string &series) {
  return vm_out + "/baselines/" + record_directory_name(s) + "/" + series + ".csv";
}

std::vector<recorded_counts> find_records(const spec &s) {
  std::vector<recorded_counts> found;
  if (s.vm_results.empty()) return found;
  std::error_code error;
  for (const auto &kernel_dir : fs::directory_iterator(s.vm_results, error)) {
    const fs::path directory = kernel_dir.path() / "baselines" / record_directory_name(s);
    std::error_code inner;
    for (const auto &entry : fs::directory_iterator(directory, inner)) {
      const fs::path path = entry.path();
      if (path.extension() != ".csv" || !is_series(path.stem().string())) continue;
      found.push_back({path.stem().string(), path.string()});
    }
  }
  std::sort(found.begin(), found.end(),
            [](const recorded_counts &a, const recorded_counts &b) { return a.path < b.path; });
  return found;
}

}  // namespace bpfkit::baseline
