#include "elf_object.hpp"

#include <libelf.h>

#include <memory>
#include <stdexcept>

#include "bpfkit/object_check.hpp"
#include "output_file.hpp"
#include "tool_error.hpp"

namespace bpfkit::link {

using tools::tool_error;

namespace {

const char *const compile_hint = "compile it with clang -target bpf -g -c";

struct elf_deleter {
  void operator()(Elf *elf) const { elf_end(elf); }
};

// Says what a file that is not a BPF object is, when that points at the
// usual mistakes; nothing for files that may be BPF objects.
void check_magic(const std::string &path, std::string_view head) {
  if (head.empty()) throw tool_error(path, "empty file, not an ELF object", compile_hint);
  if (head.starts_with("\x7f" "ELF")) return;
  if (head.starts_with("BC\xc0\xde"))
    throw tool_error(path, "LLVM bitcode, not an ELF object", "compile without -emit-llvm / -flto");
  if (head.starts_with("!<arch>\n"))
    throw tool_error(path, "an ar archive, not an ELF object", "pass the BPF object files themselves");
  throw tool_error(path, "not an ELF file", compile_hint);
}

[[noreturn]] void report(const std::string &path, const object_check::problem &p) {
  using object_check::part;
  if (p.where == part::not_bpf_object) {
    const bool host_object = p.detail.starts_with("ELF for ");
    throw tool_error(path, p.detail,
                     host_object ? "compile it with clang -target bpf" : compile_hint);
  }
  throw tool_error(path, p.message(), "recompile it; the file is damaged or was not written by a BPF compiler");
}

}  // namespace

bool elf_object::has_section(std::string_view name) const {
  for (const auto &section : sections)
    if (section.name == name) return true;
  return false;
}

std::string_view elf_object::section_data(std::string_view name) const {
  for (const auto &section : sections)
    if (section.name == name && section.type != SHT_NOBITS)
      return std::string_view(bytes).substr(section.offset, section.size);
  return {};
}

const elf_section *elf_object::section_of(const elf_symbol &symbol) const {
  if (!symbol.defined() || symbol.section_index >= sections.size()) return nullptr;
  return &sections[symbol.section_index];
}

elf_object read_bpf_object(const std::string &path) {
  return parse_bpf_object(path, tools::read_file(path));
}

elf_object parse_bpf_object(const std::string &path, std::string bytes) {
  check_magic(path, std::string_view(bytes).substr(0, 8));
  if (auto p = object_check::check_bpf_object(std::as_bytes(std::span(bytes)))) report(path, *p);

  // The checks above make every read below stay inside the file.
  if (elf_version(EV_CURRENT) == EV_NONE)
    throw std::runtime_error(std::string("libelf: ") + elf_errmsg(-1));
  std::unique_ptr<Elf, elf_deleter> elf(elf_memory(bytes.data(), bytes.size()));
  auto libelf_failed = [&](const char *what) {
    return std::runtime_error(std::string("libelf cannot read the checked object (") + what +
                              "): " + elf_errmsg(-1));
  };
  if (!elf) throw libelf_failed("header");
  elf_object object;
  object.path = path;
  object.big_endian = bytes[EI_DATA] == ELFDATA2MSB;

  std::size_t names_index = 0, count = 0;
  if (elf_getshdrstrndx(elf.get(), &names_index) != 0) throw libelf_failed("section names");
  if (elf_getshdrnum(elf.get(), &count) != 0) throw libelf_failed("section count");
  object.sections.resize(count);
  Elf_Scn *symtab = nullptr;
  GElf_Shdr symtab_header{};
  for (Elf_Scn *scn = elf_nextscn(elf.get(), nullptr); scn; scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) throw libelf_failed("section header");
    const char *name = elf_strptr(elf.get(), names_index, shdr.sh_name);
    object.sections.at(elf_ndxscn(scn)) = {name ? name : "", shdr.sh_type, shdr.sh_flags,
                                           shdr.sh_info, shdr.sh_offset, shdr.sh_size,
                                           shdr.sh_addralign};
    if (shdr.sh_type == SHT_SYMTAB) {
      symtab = scn;
      symtab_header = shdr;
    }
  }
  if (symtab) {
    Elf_Data *data = elf_getdata(symtab, nullptr);
    if (!data) throw libelf_failed("symbol table");
    const std::size_t symbols = symtab_header.sh_size / symtab_header.sh_entsize;
    for (std::size_t i = 1; i < symbols; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym)) throw libelf_failed("symbol");
      const char *name = elf_strptr(elf.get(), symtab_header.sh_link, sym.st_name);
      object.symbols.push_back({name ? name : "", static_cast<unsigned char>(GELF_ST_TYPE(sym.st_info)),
                                static_cast<unsigned char>(GELF_ST_BIND(sym.st_info)), sym.st_shndx});
    }
  }
  elf.reset();
  object.bytes = std::move(bytes);
  return object;
}

}  // namespace bpfkit::link
