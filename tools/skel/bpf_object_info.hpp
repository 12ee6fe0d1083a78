// What the skeleton generator needs to know about one linked BPF object: its
// bytes (embedded into the header), its BTF, its maps, programs and global
// data sections, read with libelf and libbpf (open only: nothing is loaded,
// no privileges are needed).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct btf;

namespace bpfkit::skel {

struct btf_deleter {
  void operator()(btf *b) const;
};
using btf_ptr = std::unique_ptr<btf, btf_deleter>;

// A map defined by the object (in .maps), not libbpf's internal data maps.
struct map_info {
  std::string name;  // the variable's name, which libbpf uses as the map name
  std::uint32_t type = 0;  // enum bpf_map_type
  std::uint32_t key_size = 0;
  std::uint32_t value_size = 0;
  std::uint32_t max_entries = 0;
  std::uint32_t key_type = 0;    // BTF type ID of __type(key, ...), 0 when not given
  std::uint32_t value_type = 0;  // BTF type ID of __type(value, ...), 0 when not given
  std::uint32_t event_type = 0;  // ring buffers: the declared event type (see event_tag)
};

struct program_info {
  std::string name;     // the function name, which libbpf uses as the program name
  std::string section;  // SEC("...")
};

// A global data section that libbpf turns into an mmap-able array map:
// .data, .rodata, .bss, .data.<x>, .rodata.<x>.
struct data_section {
  std::string elf_name;    // ".rodata"
  std::uint32_t datasec = 0;  // BTF ID of its DATASEC
  std::uint32_t size = 0;
  bool read_only = false;  // .rodata*: frozen at load
};

// The BTF decl tag that declares a ring buffer's event type (see
// bpf/include/bpfkit/skel.h): on a function's parameter or on a variable,
// "bpfkit:event=<ring buffer map name>". A function named
// __bpfkit_event__<map> declares it too (C++ sources, where clang drops tags).
inline constexpr const char event_tag[] = "bpfkit:event=";

struct bpf_object_info {
  std::string path;
  std::string bytes;  // the whole ELF file
  btf_ptr btf;        // finalized by libbpf (DATASEC sizes and offsets filled in)
  std::vector<map_info> maps;
  std::vector<program_info> programs;
  std::vector<data_section> sections;
};

// Reads and checks `path`. Throws tools::tool_error with a one-line message
// naming the file for every input it cannot use (missing, not ELF, not BPF,
// no BTF, rejected by libbpf, inconsistent event tags).
bpf_object_info read_bpf_object(const std::string &path, const std::string &object_name);

}  // namespace bpfkit::skel
