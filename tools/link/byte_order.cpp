#include "byte_order.hpp"

#include <elf.h>
#include <linux/btf.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace bpfkit::link {

namespace {

// A field in the object, read in the object's current byte order and
// written back swapped.
class swapper {
 public:
  swapper(std::string &bytes, bool big_endian) : bytes_(bytes), big_endian_(big_endian) {}

  template <typename T>
  T read(std::size_t at) const {
    if (at > bytes_.size() || sizeof(T) > bytes_.size() - at)
      throw std::logic_error("swap_byte_order: field outside the object");
    T value;
    std::memcpy(&value, bytes_.data() + at, sizeof value);
    return big_endian_ == (std::endian::native == std::endian::big) ? value : flip(value);
  }

  // Swaps the field of type T at `at`; returns its value before the swap, in
  // the object's (old) byte order.
  template <typename T>
  T swap(std::size_t at) {
    const T value = read<T>(at);
    T raw;
    std::memcpy(&raw, bytes_.data() + at, sizeof raw);
    raw = flip(raw);
    std::memcpy(bytes_.data() + at, &raw, sizeof raw);
    return value;
  }

  void swap_u32s(std::size_t at, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) swap<std::uint32_t>(at + 4 * i);
  }

 private:
  static std::uint8_t flip(std::uint8_t v) { return v; }
  static std::uint16_t flip(std::uint16_t v) { return __builtin_bswap16(v); }
  static std::uint32_t flip(std::uint32_t v) { return __builtin_bswap32(v); }
  static std::uint64_t flip(std::uint64_t v) { return __builtin_bswap64(v); }

  std::string &bytes_;
  bool big_endian_;
};

struct section {
  std::uint32_t name = 0, type = 0;
  std::uint64_t flags = 0, offset = 0, size = 0;
};

// struct bpf_insn: code (u8), dst_reg:4 src_reg:4 (bit-field order follows
// the byte order), off (s16), imm (s32).
void swap_instructions(std::string &bytes, swapper &s, const section &sec) {
  for (std::uint64_t at = sec.offset; at + 8 <= sec.offset + sec.size; at += 8) {
    auto &regs = reinterpret_cast<unsigned char &>(bytes[at + 1]);
    regs = static_cast<unsigned char>((regs << 4) | (regs >> 4));
    s.swap<std::uint16_t>(at + 2);
    s.swap<std::uint32_t>(at + 4);
  }
}

void swap_btf(swapper &s, const section &sec) {
  const std::uint64_t base = sec.offset;
  s.swap<std::uint16_t>(base);  // magic; version and flags are bytes
  const std::uint32_t hdr_len = s.swap<std::uint32_t>(base + 4);
  const std::uint32_t type_off = s.swap<std::uint32_t>(base + 8);
  const std::uint32_t type_len = s.swap<std::uint32_t>(base + 12);
  s.swap_u32s(base + 16, 2);  // str_off, str_len
  const std::uint64_t types = base + hdr_len + type_off;
  std::uint64_t at = types;
  while (at < types + type_len) {
    s.swap<std::uint32_t>(at);  // name_off
    const std::uint32_t info = s.swap<std::uint32_t>(at + 4);
    s.swap<std::uint32_t>(at + 8);  // size or type
    const std::uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
    std::size_t words = 0;  // every record after struct btf_type is made of u32s
    switch (kind) {
      case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: words = 1; break;
      case BTF_KIND_ARRAY: words = 3; break;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC: case BTF_KIND_ENUM64:
        words = 3 * std::size_t{vlen}; break;
      case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: words = 2 * std::size_t{vlen}; break;
      default: break;
    }
    s.swap_u32s(at + 12, words);
    at += 12 + 4 * words;
  }
}

void swap_btf_ext(swapper &s, const section &sec) {
  s.swap<std::uint16_t>(sec.offset);  // magic; version and flags are bytes
  // The rest, header fields and the func_info, line_info and core_relo
  // tables, is made of 32-bit fields at 4-byte aligned offsets.
  s.swap_u32s(sec.offset + 4, (sec.size - 4) / 4);
}

}  // namespace

void swap_byte_order(std::string &object) {
  if (object.size() < 64 || object[EI_CLASS] != ELFCLASS64)
    throw std::logic_error("swap_byte_order: not a 64-bit ELF object");
  const bool big_endian = object[EI_DATA] == ELFDATA2MSB;
  swapper s(object, big_endian);

  // The header: e_type .. e_shstrndx.
  s.swap<std::uint16_t>(16);
  s.swap<std::uint16_t>(18);
  s.swap<std::uint32_t>(20);
  s.swap<std::uint64_t>(24);
  s.swap<std::uint64_t>(32);
  const std::uint64_t shoff = s.swap<std::uint64_t>(40);
  s.swap<std::uint32_t>(48);
  for (std::size_t at = 52; at < 58; at += 2) s.swap<std::uint16_t>(at);
  s.swap<std::uint16_t>(58);  // e_shentsize
  std::uint64_t count = s.swap<std::uint16_t>(60);
  std::uint32_t names = s.swap<std::uint16_t>(62);

  // Section headers, read before they are swapped.
  std::vector<section> sections;
  if (shoff) {
    if (count == 0) count = s.read<std::uint64_t>(shoff + 32);
    if (names == SHN_XINDEX) names = s.read<std::uint32_t>(shoff + 40);
    sections.resize(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint64_t at = shoff + i * 64;
      section &sec = sections[i];
      sec.name = s.swap<std::uint32_t>(at);
      sec.type = s.swap<std::uint32_t>(at + 4);
      sec.flags = s.swap<std::uint64_t>(at + 8);
      s.swap<std::uint64_t>(at + 16);
      sec.offset = s.swap<std::uint64_t>(at + 24);
      sec.size = s.swap<std::uint64_t>(at + 32);
      s.swap<std::uint32_t>(at + 40);
      s.swap<std::uint32_t>(at + 44);
      s.swap<std::uint64_t>(at + 48);
      s.swap<std::uint64_t>(at + 56);
    }
  }
  auto name_of = [&](const section &sec) -> std::string_view {
    if (names == 0 || names >= sections.size()) return {};
    const section &table = sections[names];
    if (sec.name >= table.size) return {};
    return std::string_view(object.data() + table.offset + sec.name);
  };

  for (const section &sec : sections) {
    const std::string_view name = name_of(sec);
    if (sec.type == SHT_SYMTAB) {
      for (std::uint64_t at = sec.offset; at + 24 <= sec.offset + sec.size; at += 24) {
        s.swap<std::uint32_t>(at);       // st_name; st_info, st_other are bytes
        s.swap<std::uint16_t>(at + 6);   // st_shndx
        s.swap<std::uint64_t>(at + 8);   // st_value
        s.swap<std::uint64_t>(at + 16);  // st_size
      }
    } else if (sec.type == SHT_REL || sec.type == SHT_RELA) {
      // Elf64_Rel and Elf64_Rela are made of 64-bit fields: r_offset,
      // r_info (symbol << 32 | type) and r_addend.
      for (std::uint64_t at = sec.offset; at + 8 <= sec.offset + sec.size; at += 8)
        s.swap<std::uint64_t>(at);
    } else if (sec.type == SHT_NOBITS || sec.type == SHT_NULL) {
      continue;  // no content in the file (object_check bounds only sections that have some)
    } else if (sec.flags & SHF_EXECINSTR) {
      swap_instructions(object, s, sec);
    } else if (name == ".BTF") {
      swap_btf(s, sec);
    } else if (name == ".BTF.ext") {
      swap_btf_ext(s, sec);
    }
  }
  object[EI_DATA] = big_endian ? ELFDATA2LSB : ELFDATA2MSB;
}

}  // namespace bpfkit::link
