#include "btf_file.hpp"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tool_error.hpp"

namespace bpfkit::tools {

void btf_deleter::operator()(btf *b) const { btf__free(b); }

namespace {

enum class file_kind { raw_btf, split_btf, elf, other };

// Split BTF (a kernel module's) continues its base's string section, so its
// own does not start with the empty string that every standalone BTF has.
bool starts_split(std::ifstream &in) {
  btf_header hdr{};
  in.seekg(0);
  if (!in.read(reinterpret_cast<char *>(&hdr), sizeof hdr) || hdr.str_len == 0) return false;
  in.seekg(static_cast<std::streamoff>(hdr.hdr_len) + hdr.str_off);
  char first = 0;
  return in.get(first) && first != '\0';
}

// Reads the magic so an error can say what the file is, instead of relaying
// libbpf's guess from its last attempt (it tries raw BTF, then ELF).
file_kind sniff(const std::string &path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw tool_error(path, "is a directory, not a BTF file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw tool_error(path, std::string("cannot open: ") + std::strerror(errno));
  unsigned char magic[4] = {};
  in.read(reinterpret_cast<char *>(magic), sizeof magic);
  if (in.gcount() >= 2) {
    std::uint16_t m16;
    std::memcpy(&m16, magic, sizeof m16);
    if (m16 == BTF_MAGIC) {
      in.clear();
      return starts_split(in) ? file_kind::split_btf : file_kind::raw_btf;
    }
  }
  if (in.gcount() == 4 && std::memcmp(magic, "\x7f" "ELF", 4) == 0) return file_kind::elf;
  return file_kind::other;
}

// Rejects, before parsing, files that cannot work with the given --base.
void check_kind(const std::string &path, file_kind kind, bool has_base) {
  if (kind == file_kind::other)
    throw tool_error(path, "not a BTF file (neither raw BTF nor an ELF object)",
                     "pass the kernel's BTF, e.g. --btf /sys/kernel/btf/vmlinux");
  if (kind == file_kind::split_btf && !has_base)
    throw tool_error(path, "split BTF (a kernel module's?) needs its base BTF",
                     "pass --base /sys/kernel/btf/vmlinux (or the base it was built on)");
  if (kind == file_kind::raw_btf && has_base)
    throw tool_error(path, "is standalone BTF, but --base was given", "drop --base");
}

[[noreturn]] void throw_parse_error(const std::string &path, file_kind kind, int err,
                                    const libbpf_capture &capture) {
  std::string detail = capture.reason(err);
  if (kind == file_kind::elf && err == ENOENT)
    throw tool_error(path, "ELF file has no .BTF section",
                     "pass a kernel built with CONFIG_DEBUG_INFO_BTF=y, or its /sys/kernel/btf/vmlinux");
  if (kind == file_kind::elf) throw tool_error(path, "cannot read BTF from ELF file: " + detail);
  if (kind == file_kind::split_btf)
    throw tool_error(path, "split BTF does not fit the base given with --base: " + detail);
  throw tool_error(path, "invalid or truncated BTF: " + detail);
}

}  // namespace

btf_ptr load_btf(const std::string &path, btf *base) {
  file_kind kind = sniff(path);
  check_kind(path, kind, base != nullptr);
  libbpf_capture capture;
  btf *parsed = base ? btf__parse_split(path.c_str(), base) : btf__parse(path.c_str(), nullptr);
  if (!parsed) throw_parse_error(path, kind, errno, capture);
  return btf_ptr(parsed);
}

}  // namespace bpfkit::tools
