#include "object_source.hpp"

#include <cerrno>

#include "bpfkit/error.hpp"

namespace bpfkit::detail {

object_ptr open_object(const object_source& source) {
  bpf_object_open_opts opts{};
  opts.sz = sizeof opts;
  if (!source.path.empty()) {
    object_ptr object(bpf_object__open_file(source.path.c_str(), &opts));
    if (!object) throw error(errno, "open BPF object " + source.path);
    return object;
  }
  opts.object_name = source.name.c_str();
  object_ptr object(bpf_object__open_mem(source.elf.data(), source.elf.size(), &opts));
  if (!object) throw error(errno, "open BPF object '" + source.name + "' from memory");
  return object;
}

}  // namespace bpfkit::detail
