// The project template of `bpfkit init` (templates/init/project), embedded at
// build time by embed.cmake.
#pragma once

#include <span>
#include <string_view>

namespace bpfkit::cli {

struct template_file {
  std::string_view path;     // relative, '/'-separated; @NAME@ is the project name
  std::string_view content;  // @NAME@ is the project name
};

// Every file of the template, sorted by path.
std::span<const template_file> init_template();

}  // namespace bpfkit::cli
