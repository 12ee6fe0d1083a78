#include "elf_object.hpp"

#include <fcntl.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "tool_error.hpp"

namespace bpfkit::link {

using tools::tool_error;

namespace {

const char *const compile_hint = "compile it with clang -target bpf -g -c";

// Owns the descriptor and the libelf handle of one file.
class elf_handle {
 public:
  explicit elf_handle(const std::string &path) : path_(path) {
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      int err = errno;
      throw tool_error(path, std::string("cannot open: ") + std::strerror(err),
                       err == ENOENT ? "check the path; the object may not have been compiled"
                                     : "");
    }
    struct stat st {};
    if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))
      throw tool_error(path, "not a regular file", compile_hint);
    if (st.st_size == 0) throw tool_error(path, "empty file, not an ELF object", compile_hint);
    check_magic();
    if (elf_version(EV_CURRENT) == EV_NONE)
      throw std::runtime_error(std::string("libelf: ") + elf_errmsg(-1));
    elf_ = elf_begin(fd_, ELF_C_READ_MMAP, nullptr);
    if (!elf_) throw tool_error(path, std::string("cannot read as ELF: ") + elf_errmsg(-1));
  }
  ~elf_handle() {
    if (elf_) elf_end(elf_);
    if (fd_ >= 0) close(fd_);
  }
  elf_handle(const elf_handle &) = delete;
  elf_handle &operator=(const elf_handle &) = delete;

  Elf *get() const { return elf_; }

  [[noreturn]] void malformed(const char *what) const {
    throw tool_error(path_, std::string("malformed ELF (") + what + "): " + elf_errmsg(-1),
                     "recompile it; the file may be truncated");
  }

 private:
  // Says what a non-ELF file is when that points at the usual mistakes.
  void check_magic() const {
    char magic[8] = {};
    ssize_t n = pread(fd_, magic, sizeof magic, 0);
    if (n < 0) throw tool_error(path_, std::string("cannot read: ") + std::strerror(errno));
    std::string_view head(magic, static_cast<std::size_t>(n));
    if (head.starts_with("\x7f" "ELF")) return;
    if (head.starts_with("BC\xc0\xde"))
      throw tool_error(path_, "LLVM bitcode, not an ELF object",
                       "compile without -emit-llvm / -flto");
    if (head.starts_with("!<arch>\n"))
      throw tool_error(path_, "an ar archive, not an ELF object",
                       "pass the BPF object files themselves");
    throw tool_error(path_, "not an ELF file", compile_hint);
  }

  std::string path_;
  int fd_ = -1;
  Elf *elf_ = nullptr;
};

std::string machine_name(GElf_Half machine) {
  switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_386: return "x86 (32-bit)";
    case EM_AARCH64: return "AArch64";
    case EM_ARM: return "ARM";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC 64";
    case EM_PPC: return "PowerPC";
    case EM_S390: return "s390";
    case EM_MIPS: return "MIPS";
    case EM_SPARCV9: return "SPARC v9";
    case 258: return "LoongArch";  // EM_LOONGARCH, newer than some elf.h
    case EM_NONE: return "no machine";
    default: return "machine " + std::to_string(machine);
  }
}

void check_header(const elf_handle &elf, const std::string &path) {
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(elf.get(), &ehdr)) elf.malformed("header");
  if (ehdr.e_machine != EM_BPF)
    throw tool_error(path, "ELF for " + machine_name(ehdr.e_machine) + ", not BPF",
                     "compile it with clang -target bpf");
  // libbpf's linker only handles objects in the host's byte order.
  bool little = ehdr.e_ident[EI_DATA] == ELFDATA2LSB;
  if (little != (std::endian::native == std::endian::little))
    throw tool_error(path,
                     std::string(little ? "little" : "big") +
                         "-endian BPF object, but libbpf links only objects in the host's byte order",
                     "compile it with clang -target bpf (host byte order)");
  if (ehdr.e_type != ET_REL)
    throw tool_error(path, "BPF ELF file that is not a relocatable object (e_type " +
                               std::to_string(ehdr.e_type) + ")",
                     "pass the objects produced by clang -c");
}

}  // namespace

bool elf_object::has_section(std::string_view name) const {
  for (const auto &section : sections)
    if (section.name == name) return true;
  return false;
}

const elf_section *elf_object::section_of(const elf_symbol &symbol) const {
  if (!symbol.defined() || symbol.section_index >= sections.size()) return nullptr;
  return &sections[symbol.section_index];
}

elf_object read_bpf_object(const std::string &path) {
  elf_handle elf(path);
  if (elf_kind(elf.get()) != ELF_K_ELF) throw tool_error(path, "not an ELF file", compile_hint);
  check_header(elf, path);

  std::size_t names_index = 0, count = 0;
  if (elf_getshdrstrndx(elf.get(), &names_index) != 0) elf.malformed("section names");
  if (elf_getshdrnum(elf.get(), &count) != 0) elf.malformed("section count");

  elf_object object;
  object.path = path;
  object.sections.resize(count);
  Elf_Scn *symtab = nullptr;
  GElf_Shdr symtab_header{};
  for (Elf_Scn *scn = elf_nextscn(elf.get(), nullptr); scn; scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) elf.malformed("section header");
    const char *name = elf_strptr(elf.get(), names_index, shdr.sh_name);
    auto &section = object.sections.at(elf_ndxscn(scn));
    section = {name ? name : "", shdr.sh_type, shdr.sh_flags};
    if (shdr.sh_type == SHT_SYMTAB) {
      symtab = scn;
      symtab_header = shdr;
    }
  }
  if (!symtab) return object;  // no symbols: nothing to link against, BTF check follows

  Elf_Data *data = elf_getdata(symtab, nullptr);
  if (!data || symtab_header.sh_entsize == 0) elf.malformed("symbol table");
  std::size_t symbols = symtab_header.sh_size / symtab_header.sh_entsize;
  for (std::size_t i = 1; i < symbols; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) elf.malformed("symbol");
    const char *name = elf_strptr(elf.get(), symtab_header.sh_link, sym.st_name);
    object.symbols.push_back({name ? name : "", static_cast<unsigned char>(GELF_ST_TYPE(sym.st_info)),
                              static_cast<unsigned char>(GELF_ST_BIND(sym.st_info)), sym.st_shndx});
  }
  return object;
}

}  // namespace bpfkit::link
