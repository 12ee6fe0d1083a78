#include "object_source.hpp"

#include <cerrno>

#include "bpfkit/error.hpp"
#include "bpfkit/file_io.hpp"
#include "bpfkit/object_check.hpp"

namespace bpfkit::detail {
namespace {

// `what` names the input: "x.bpf.o" or "BPF object 'x' (in memory)".
void check(std::span<const std::byte> elf, const std::string& what) {
  if (auto problem = object_check::check_bpf_object(elf)) throw malformed_object(what + ": " + problem->message());
}

}  // namespace

object_source checked_file_source(const std::string& path) {
  object_source source;
  source.path = path;
  std::string bytes;
  try {
    bytes = file_io::read_input(path);
  } catch (const file_io::file_error& e) {
    // "x.bpf.o: cannot open: No such file or directory", "x.bpf.o: is a FIFO, not a regular file"
    throw error(e.error_number() ? e.error_number() : EINVAL, path + ": " + e.what(), error::complete);
  }
  const auto* first = reinterpret_cast<const std::byte*>(bytes.data());
  source.file_bytes = std::make_shared<const std::vector<std::byte>>(first, first + bytes.size());
  source.elf = *source.file_bytes;
  check(source.elf, path);
  return source;
}

object_source checked_memory_source(std::span<const std::byte> elf, const std::string& name) {
  object_source source;
  source.elf = elf;
  source.name = name;
  check(elf, "BPF object '" + name + "' (in memory)");
  return source;
}

object_ptr open_object(const object_source& source) {
  bpf_object_open_opts opts{};
  opts.sz = sizeof opts;
  // The name libbpf gives an object it opens from a file: the base name up
  // to its first '.' (the prefix of its .rodata/.data/.bss map names).
  std::string name = source.name;
  if (!source.path.empty()) {
    name = source.path.substr(source.path.find_last_of('/') + 1);
    name = name.substr(0, name.find('.'));
  }
  opts.object_name = name.c_str();
  object_ptr object(bpf_object__open_mem(source.elf.data(), source.elf.size(), &opts));
  if (!object) {
    const int err = errno;
    if (!source.path.empty()) throw error(err, "open BPF object " + source.path);
    throw error(err, "open BPF object '" + source.name + "' from memory");
  }
  return object;
}

}  // namespace bpfkit::detail
