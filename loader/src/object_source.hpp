// Opening a bpf_object, and where it came from.
#pragma once

#include <bpf/libbpf.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace bpfkit::detail {

struct object_closer {
  void operator()(bpf_object* object) const noexcept { bpf_object__close(object); }
};
using object_ptr = std::unique_ptr<bpf_object, object_closer>;

// Kept by every object so that a failed load can be diagnosed on a fresh
// copy (see loading.cpp). One of path and elf is set.
struct object_source {
  std::string path;                // open_file
  std::span<const std::byte> elf;  // open_memory: the caller's bytes, not a copy
  std::string name;                // open_memory: the object's name
};

// Throws bpfkit::error naming the file or object.
object_ptr open_object(const object_source& source);

}  // namespace bpfkit::detail
