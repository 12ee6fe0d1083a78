// Opening a bpf_object, and where it came from.
//
// libbpf 1.1 trusts the structure of what it opens and crashes on malformed
// ELF or BTF, so the bytes of every object are read once, checked by
// bpfkit::object_check, and only then handed to libbpf; libbpf never reads
// the file itself (which could change between the check and the open).
#pragma once

#include <bpf/libbpf.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace bpfkit::detail {

struct object_closer {
  void operator()(bpf_object* object) const noexcept { bpf_object__close(object); }
};
using object_ptr = std::unique_ptr<bpf_object, object_closer>;

// Kept by every object so that a failed load can be diagnosed on a fresh
// copy (see loading.cpp).
struct object_source {
  std::string path;                // the file the object was read from; empty for memory
  std::span<const std::byte> elf;  // the checked bytes libbpf opens
  std::string name;                // the object's name, for objects from memory
  // The file's bytes when read from `path` (elf points into them); shared by
  // copies of the source.
  std::shared_ptr<const std::vector<std::byte>> file_bytes;
};

// Reads `path` (a regular file of bounded size) and checks it. Throws
// bpfkit::error when it cannot be read, bpfkit::malformed_object naming the
// file and the problem when it is no well-formed BPF object.
object_source checked_file_source(const std::string& path);

// Checks the caller's `elf` (not copied: it must outlive the object) and
// throws bpfkit::malformed_object naming `name` when it is malformed.
object_source checked_memory_source(std::span<const std::byte> elf, const std::string& name);

// Opens the source's checked bytes. Throws bpfkit::error naming the file or
// object.
object_ptr open_object(const object_source& source);

}  // namespace bpfkit::detail
