// bpfkit::object_check: validates untrusted BPF ELF objects and BTF before
// libbpf (or anything else) parses them.
//
// libbpf 1.1 trusts the structure of what it reads: a type id out of range, a
// name offset past the string section, a pointer that points at itself or a
// relocation naming symbol 10^6 crash it (btf_dump__new, bpf_object__open_*,
// bpf_linker__add_file) or recurse without end. Every bpfkit tool, the
// runtime and the CLI call these checks first and report the problem instead.
//
// The checks are structural: everything lies inside the file, every index and
// offset points at something that exists, records have the sizes their headers
// announce, and type references form no cycle that C could not express (a
// cycle must pass through a pointer and a named struct or union). They accept
// objects of either byte order. They do not judge what the kernel's verifier
// or BTF checker will think of well-formed content.
//
// No check allocates memory in proportion to anything but the input's size,
// and none recurses: a hostile input cannot exhaust the stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bpfkit::object_check {

// What a problem is about, which decides how it is reported.
enum class part {
  not_bpf_object,  // a readable file of the wrong kind (not ELF, not BPF, not relocatable)
  elf,             // ELF structure: headers, sections, symbols, relocations
  btf,             // .BTF or raw BTF
  btf_ext,         // .BTF.ext, the line/function info and CO-RE relocations
};

struct problem {
  part where;
  std::string detail;  // what is wrong, e.g. "type [7] (PTR) refers to type 99, past the last type [40]"

  // One line: "malformed ELF: <detail>", "malformed BTF: <detail>",
  // "malformed BTF: .BTF.ext: <detail>" or "not a BPF object: <detail>".
  std::string message() const;
};

using result = std::optional<problem>;  // nothing when the input is well-formed

struct limits {
  // Larger inputs are refused before they are parsed (a BPF object with BTF
  // is rarely above a few MiB; the kernel takes at most 16 MiB of BTF).
  std::size_t max_object_size = std::size_t{256} << 20;
  std::size_t max_btf_size = std::size_t{256} << 20;
  // How deep type references may nest (pointer to pointer to ..., struct in
  // struct in ...), counted as btf_dump walks them. Parsers of BTF recurse
  // that deep; a 6.18 kernel's own BTF nests 36 levels at most.
  std::uint32_t max_type_depth = 256;
  // How many lines a C rendering of the BTF (btf_dump, bpfkit-skel) may take
  // at most: anonymous types are written out at every use, and padding is
  // written as fields, so a few KiB of hostile BTF could otherwise describe
  // gigabytes of C. Counted generously, a 6.18 kernel's BTF takes 170,000.
  std::uint64_t max_c_lines = 2'000'000;
};

// A BPF object as clang or a BPF linker writes it: a relocatable ELF file
// for EM_BPF, of either byte order, with its symbols, relocations, and the
// .BTF and .BTF.ext sections in it when present. Call this before
// bpf_object__open_mem/_file, bpf_linker__add_file or btf__parse_elf.
result check_bpf_object(std::span<const std::byte> object, const limits &limits = {});

// Only the ELF container of any ELF file (any machine and type, e.g. a
// kernel's vmlinux): header, section table, section names and that every
// section lies inside the file. After this, libelf may read its sections.
result check_elf_structure(std::span<const std::byte> file, const limits &limits = {});

// The content of the first section called `name` of `file`, an ELF file
// that check_elf_structure() accepted; nothing when it has no such section
// or the section has no content in the file (SHT_NOBITS).
std::optional<std::span<const std::byte>> find_elf_section(std::span<const std::byte> file,
                                                           std::string_view name);

// Raw BTF, as in a .BTF section or /sys/kernel/btf/vmlinux, of either byte order.
result check_btf(std::span<const std::byte> btf, const limits &limits = {});

// Split BTF (a kernel module's) on top of `base`, which must be well-formed
// itself (check it first): its type ids and string offsets continue base's.
result check_split_btf(std::span<const std::byte> btf, std::span<const std::byte> base,
                       const limits &limits = {});

// .BTF.ext against the .BTF it refers to (checked first): header, record
// sizes, and that every record's section name, type id and string offsets are
// in range. check_bpf_object() also checks instruction offsets against the
// sections the records name.
result check_btf_ext(std::span<const std::byte> btf_ext, std::span<const std::byte> btf,
                     const limits &limits = {});

// `name` in double quotes for a message, with control bytes, quotes,
// backslashes and non-ASCII bytes escaped (\n, \", \\, \xNN) and anything
// past `max_length` bytes cut to "...": an untrusted name can neither forge
// another line nor a terminal escape in a tool's output.
std::string quote(std::string_view name, std::size_t max_length = 64);

}  // namespace bpfkit::object_check
