#include "include_search.hpp"

#include <vector>

namespace bpfkit::tools {

namespace fs = std::filesystem;

std::optional<include_resolution> resolve_include(const include_directive &include, const fs::path &source,
                                                  const compile_command &cmd, const fs::path &cwd) {
  std::vector<fs::path> search;
  if (!include.angled) {
    search.push_back((cwd / source).parent_path());
    for (const auto &dir : cmd.quote_dirs) search.emplace_back(cwd / dir);
  }
  for (const auto &dir : cmd.angled_dirs) search.emplace_back(cwd / dir);
  for (const auto &dir : cmd.system_dirs) search.emplace_back(cwd / dir);

  for (const auto &dir : search) {
    std::error_code ec;
    const fs::path candidate = dir / include.name;
    if (fs::is_regular_file(candidate, ec)) return include_resolution{candidate.lexically_normal(), dir.lexically_normal()};
  }
  return std::nullopt;
}

}  // namespace bpfkit::tools
