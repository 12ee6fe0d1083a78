#include "linker.hpp"

#include <bpf/libbpf.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <span>

#include "bpfkit/file_io.hpp"
#include "byte_order.hpp"
#include "tool_error.hpp"

namespace bpfkit::link {

using tools::tool_error;

namespace {

struct linker_deleter {
  void operator()(bpf_linker *linker) const { bpf_linker__free(linker); }
};

// libbpf's messages name the memfd; users know the file.
std::string with_path(std::string text, const std::string &memfd, const std::string &path) {
  for (std::size_t at; (at = text.find(memfd)) != std::string::npos;) text.replace(at, memfd.size(), path);
  return text;
}

}  // namespace

std::string link_objects(const std::vector<elf_object> &inputs, const std::string &output_name) {
  const bool big_endian = !inputs.empty() && inputs.front().big_endian;
  const bool convert = big_endian != (std::endian::native == std::endian::big);

  tools::libbpf_capture capture;
  file_io::memory_file output;
  std::unique_ptr<bpf_linker, linker_deleter> linker(bpf_linker__new(output.path().c_str(), nullptr));
  if (!linker)
    throw tool_error(output_name, "libbpf cannot create the linked object: " + capture.reason(errno));
  for (const auto &input : inputs) {
    if (input.big_endian != big_endian)
      throw tool_error(input.path, std::string(input.big_endian ? "big" : "little") +
                                       "-endian, but " + inputs.front().path + " is " +
                                       (big_endian ? "big" : "little") + "-endian",
                       "compile every source of one object for one target (-target bpfel or bpfeb)");
    file_io::memory_file file;
    if (convert) {
      std::string native = input.bytes;
      swap_byte_order(native);
      file.assign(std::as_bytes(std::span(native)));
    } else {
      file.assign(std::as_bytes(std::span(input.bytes)));
    }
    capture.clear();
    if (int err = bpf_linker__add_file(linker.get(), file.path().c_str(), nullptr))
      throw tool_error(input.path, "libbpf cannot link it: " +
                                       with_path(capture.reason(err), file.path(), input.path));
  }
  capture.clear();
  if (int err = bpf_linker__finalize(linker.get()))
    throw tool_error(output_name, "libbpf cannot write the linked object: " + capture.reason(err));
  linker.reset();
  std::string linked = output.read();
  if (convert) swap_byte_order(linked);
  return linked;
}

}  // namespace bpfkit::link
