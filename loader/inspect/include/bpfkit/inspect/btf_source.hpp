// Where bpfkit's inspection commands get BTF from: files (BPF objects,
// an uncompressed vmlinux, raw BTF such as /sys/kernel/btf/vmlinux or a
// kernel's extracted .BTF section) and the running kernel (its vmlinux and
// module BTF, and the BTF of a map by pin or id).
//
// Every failure throws bpfkit::inspect::error naming the file or map and,
// where the user can do something about it, a hint.
#pragma once

#include <bpf/btf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bpfkit::inspect {

struct btf_deleter {
  void operator()(btf *b) const noexcept { btf__free(b); }
};
using owned_btf = std::unique_ptr<btf, btf_deleter>;

// A BTF and the name to give it in messages (the path it was read from).
struct named_btf {
  owned_btf types;
  std::string origin;
};

enum class file_kind {
  bpf_object,  // an ELF file for the BPF machine
  elf,         // another ELF file (e.g. an uncompressed vmlinux)
  raw_btf,     // a file that starts with the BTF magic
};

// Reads the BTF of `path`, a BPF object, another ELF file with a .BTF section
// or a raw BTF file. `role` names the argument in messages ("--btf").
named_btf read_btf_file(const std::string &path, const std::string &role = {});

// What `path` holds, checked the way read_btf_file() checks it (throws the
// same errors for a missing file or one that is neither ELF nor BTF).
file_kind classify_file(const std::string &path, const std::string &role = {});

// The running kernel's BTF: /sys/kernel/btf/vmlinux. Needs no privileges.
named_btf read_running_kernel_btf();

// The BTF of each loaded kernel module (/sys/kernel/btf/<module>), split
// over `vmlinux`. Modules whose BTF cannot be read are left out.
struct module_btf {
  std::string name;
  owned_btf types;
};
std::vector<module_btf> read_running_module_btfs(const btf *vmlinux);

// A map in the kernel, with the BTF the kernel keeps for it.
struct map_types {
  std::string name;
  std::uint32_t id = 0;
  std::string type;  // "hash", "array", ... (libbpf's name)
  std::uint32_t key_size = 0;
  std::uint32_t value_size = 0;
  named_btf types;   // types.types is null when the map has no BTF
  std::uint32_t key_type = 0;    // 0 when the map's BTF does not type its key
  std::uint32_t value_type = 0;
};

// True for "id:N" and for paths on a BPF filesystem: what read_map_types() takes.
bool names_a_map(const std::string &argument);

// Reads the map pinned at `argument` (a path on bpffs) or with the id in
// "id:N". Needs the privilege to open BPF objects (error::no_privilege).
map_types read_map_types(const std::string &argument);

}  // namespace bpfkit::inspect
