#include "linker.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "tool_error.hpp"

namespace bpfkit::link {

using tools::tool_error;

namespace {

struct linker_deleter {
  void operator()(bpf_linker *linker) const { bpf_linker__free(linker); }
};

}  // namespace

void link_objects(const std::vector<std::string> &inputs, const std::string &output_path,
                  const std::string &output_name) {
  tools::libbpf_capture capture;
  std::unique_ptr<bpf_linker, linker_deleter> linker(bpf_linker__new(output_path.c_str(), nullptr));
  if (!linker)
    throw tool_error(output_name, "libbpf cannot create the linked object: " +
                                      capture.reason(errno));
  for (const auto &input : inputs) {
    capture.clear();
    if (int err = bpf_linker__add_file(linker.get(), input.c_str(), nullptr))
      throw tool_error(input, "libbpf cannot link it: " + capture.reason(err));
  }
  capture.clear();
  if (int err = bpf_linker__finalize(linker.get()))
    throw tool_error(output_name, "libbpf cannot write the linked object: " +
                                      capture.reason(err));
}

}  // namespace bpfkit::link
