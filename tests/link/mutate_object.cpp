// bpfkit_mutate_object: makes the malformed inputs of the tests from good
// ones, so that no damaged binary needs to be committed.
//
//   bpfkit_mutate_object IN OUT MUTATION
//
// IN is a little-endian BPF object (clang -target bpf -g -c) or raw BTF.
// Mutations (each names what it breaks; most crash libbpf 1.1):
//   extract-btf         OUT is the object's .BTF section (raw BTF)
//   btf-self-pointer    the first PTR type points at itself
//   btf-typedef-loop    the first TYPEDEF names itself
//   btf-name-offset     the first named type's name lies past the strings
//   btf-type-id         the first PTR type points at type 0xfffff
//   btf-deep-pointers   appends a chain of 300 pointer types
//   btf-ext-record-size .BTF.ext's func_info records are 3 bytes long
//   symbol-section      the first function symbol lives in section 500
//   relocation-symbol   the first relocation names symbol 100000
//   section-offset      .BTF's data starts past the end of the file
//   big-file            the file grows to 300 MiB (sparse) without changes
//   truncate=N          keeps the first N bytes
//   arm64-image         OUT is IN inside an arm64-style raw kernel Image
//                       (as Debian's arm64 vmlinuz: the BTF lies as is inside)
//   bzimage             OUT is an x86 bzImage whose payload is IN, gzipped
//   bzimage-stored      the same with IN stored uncompressed (no kernel does that)
//   zstd-magic          OUT is IN behind the zstd magic (as a zstd-compressed image starts)
//   zboot               OUT is an EFI zboot image whose payload is IN, gzipped
//   scramble            flips 64 bytes in the middle of IN
//   gzip-bomb           OUT is 513 MiB of zeros, gzipped (IN is ignored)
//   split-btf           OUT is split BTF on IN (raw base BTF): one typedef
//                       "bpfkit_split_type" of base type 1
#include <elf.h>
#include <linux/btf.h>

#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <zlib.h>

namespace {

[[noreturn]] void fail(const std::string &what) { throw std::runtime_error(what); }

template <typename T>
T get(const std::string &b, std::size_t at) {
  if (at + sizeof(T) > b.size()) fail("read past the end");
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

template <typename T>
void put(std::string &b, std::size_t at, T v) {
  if (at + sizeof(T) > b.size()) fail("write past the end");
  std::memcpy(b.data() + at, &v, sizeof v);
}

struct section_ref {
  std::size_t header = 0;  // offset of the section header
  std::size_t offset = 0, size = 0;
};

bool is_elf(const std::string &b) { return b.size() > 64 && b.compare(0, 4, "\x7f" "ELF") == 0; }

// Section `name` of the 64-bit little-endian ELF file `b`.
section_ref find_section(const std::string &b, const std::string &name) {
  const auto shoff = get<std::uint64_t>(b, 40);
  const auto count = get<std::uint16_t>(b, 60), names = get<std::uint16_t>(b, 62);
  const auto names_off = get<std::uint64_t>(b, shoff + names * 64 + 24);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t h = shoff + i * 64;
    const char *n = b.data() + names_off + get<std::uint32_t>(b, h);
    if (name == n) return {h, get<std::uint64_t>(b, h + 24), get<std::uint64_t>(b, h + 32)};
  }
  fail("no section " + name);
}

// Where the raw BTF starts in `b` (0 for raw BTF).
std::size_t btf_start(const std::string &b) { return is_elf(b) ? find_section(b, ".BTF").offset : 0; }

// Calls f(type_offset, id, kind) for each type of the BTF at `base`;
// stops when f returns true, and returns whether one did.
template <typename F>
bool for_each_type(const std::string &b, std::size_t base, F f) {
  const auto hdr_len = get<std::uint32_t>(b, base + 4);
  const auto type_off = get<std::uint32_t>(b, base + 8), type_len = get<std::uint32_t>(b, base + 12);
  std::size_t at = base + hdr_len + type_off;
  const std::size_t end = at + type_len;
  for (std::uint32_t id = 1; at < end; ++id) {
    const auto info = get<std::uint32_t>(b, at + 4);
    const unsigned kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
    if (f(at, id, kind)) return true;
    std::size_t extra = 0;
    switch (kind) {
      case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: extra = 4; break;
      case BTF_KIND_ARRAY: extra = 12; break;
      case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC: case BTF_KIND_ENUM64:
        extra = 12 * vlen; break;
      case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: extra = 8 * vlen; break;
      default: break;
    }
    at += 12 + extra;
  }
  return false;
}

void set_first_of_kind(std::string &b, unsigned wanted, bool self, std::uint32_t target = 0) {
  const bool found = for_each_type(b, btf_start(b), [&](std::size_t at, std::uint32_t id, unsigned kind) {
    if (kind != wanted) return false;
    put<std::uint32_t>(b, at + 8, self ? id : target);
    return true;
  });
  if (!found) fail("no type of the wanted kind");
}

// Appends `count` PTR types, each pointing at the one before it, to raw BTF.
void append_pointer_chain(std::string &b, unsigned count) {
  if (is_elf(b)) fail("btf-deep-pointers needs raw BTF (extract-btf first)");
  const auto hdr_len = get<std::uint32_t>(b, 4), type_len = get<std::uint32_t>(b, 12);
  const auto str_off = get<std::uint32_t>(b, 16);
  std::uint32_t types = 0;
  for_each_type(b, 0, [&](std::size_t, std::uint32_t, unsigned) { ++types; return false; });
  std::string chain;
  for (unsigned i = 0; i < count; ++i) {
    std::string t(12, '\0');
    put<std::uint32_t>(t, 4, BTF_KIND_PTR << 24);
    put<std::uint32_t>(t, 8, i == 0 ? 0 : types + i);  // the previous new type
    chain += t;
  }
  // Types end where the strings start in clang's and the kernel's layout.
  const std::size_t insert_at = hdr_len + get<std::uint32_t>(b, 8) + type_len;
  if (str_off != get<std::uint32_t>(b, 8) + type_len) fail("unexpected BTF layout");
  b.insert(insert_at, chain);
  put<std::uint32_t>(b, 12, type_len + static_cast<std::uint32_t>(chain.size()));
  put<std::uint32_t>(b, 16, str_off + static_cast<std::uint32_t>(chain.size()));
}

std::string gzip(const std::string &data) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("zlib");
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef *>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) fail("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// `count` zero bytes, gzipped, without holding them in memory.
std::string gzip_zeros(std::size_t count) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("zlib");
  const std::string zeros(1 << 20, '\0');
  std::string out, chunk(1 << 16, '\0');
  while (true) {
    const std::size_t n = std::min(count, zeros.size());
    count -= n;
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(zeros.data()));
    z.avail_in = static_cast<uInt>(n);
    const int flush = count == 0 ? Z_FINISH : Z_NO_FLUSH;
    int rc;
    do {
      z.next_out = reinterpret_cast<Bytef *>(chunk.data());
      z.avail_out = static_cast<uInt>(chunk.size());
      rc = deflate(&z, flush);
      out.append(chunk.data(), chunk.size() - z.avail_out);
    } while (z.avail_out == 0);
    if (flush == Z_FINISH) {
      if (rc != Z_STREAM_END) fail("deflate");
      break;
    }
  }
  deflateEnd(&z);
  return out;
}

// The fields of an x86 boot sector that locate the payload
// (Documentation/arch/x86/boot.rst): one setup sector after the boot sector,
// the payload right at the start of the protected-mode code.
std::string make_bzimage(const std::string &payload) {
  std::string image(2 * 512, '\0');
  image[0x1f1] = 1;  // setup_sects
  image.replace(0x202, 4, "HdrS");
  put<std::uint32_t>(image, 0x248, 0);  // payload_offset
  put<std::uint32_t>(image, 0x24c, static_cast<std::uint32_t>(payload.size()));
  return image + payload + std::string(4, '\0');
}

// Split BTF continues its base's type ids and string offsets.
std::string make_split_btf(const std::string &base) {
  if (is_elf(base) || get<std::uint16_t>(base, 0) != 0xeb9f) fail("split-btf needs raw base BTF");
  const auto base_strings = get<std::uint32_t>(base, 20);
  const std::string name = std::string("bpfkit_split_type") + '\0';
  std::string out(24 + 12, '\0');
  put<std::uint16_t>(out, 0, 0xeb9f);
  out[2] = 1;
  put<std::uint32_t>(out, 4, 24);
  put<std::uint32_t>(out, 8, 0);
  put<std::uint32_t>(out, 12, 12);
  put<std::uint32_t>(out, 16, 12);
  put<std::uint32_t>(out, 20, static_cast<std::uint32_t>(name.size()));
  put<std::uint32_t>(out, 24, base_strings);  // the split part's first string
  put<std::uint32_t>(out, 28, BTF_KIND_TYPEDEF << 24);
  put<std::uint32_t>(out, 32, 1);
  return out + name;
}

void mutate(std::string &b, const std::string &mutation, const std::string &out_path) {
  if (mutation == "extract-btf") {
    const section_ref btf = find_section(b, ".BTF");
    b = b.substr(btf.offset, btf.size);
  } else if (mutation == "btf-self-pointer") {
    set_first_of_kind(b, BTF_KIND_PTR, true);
  } else if (mutation == "btf-typedef-loop") {
    set_first_of_kind(b, BTF_KIND_TYPEDEF, true);
  } else if (mutation == "btf-type-id") {
    set_first_of_kind(b, BTF_KIND_PTR, false, 0xfffff);
  } else if (mutation == "btf-name-offset") {
    const bool found = for_each_type(b, btf_start(b), [&](std::size_t at, std::uint32_t, unsigned) {
      if (get<std::uint32_t>(b, at) == 0) return false;
      put<std::uint32_t>(b, at, 0x7fffffff);
      return true;
    });
    if (!found) fail("no named type");
  } else if (mutation == "btf-deep-pointers") {
    append_pointer_chain(b, 300);
  } else if (mutation == "btf-ext-record-size") {
    const section_ref ext = find_section(b, ".BTF.ext");
    const auto hdr_len = get<std::uint32_t>(b, ext.offset + 4);
    const auto func_off = get<std::uint32_t>(b, ext.offset + 8);
    put<std::uint32_t>(b, ext.offset + hdr_len + func_off, 3);
  } else if (mutation == "symbol-section") {
    const section_ref symtab = find_section(b, ".symtab");
    for (std::size_t at = symtab.offset; at < symtab.offset + symtab.size; at += 24)
      if ((b[at + 4] & 0xf) == STT_FUNC) {
        put<std::uint16_t>(b, at + 6, 500);
        return;
      }
    fail("no function symbol");
  } else if (mutation == "relocation-symbol") {
    const auto shoff = get<std::uint64_t>(b, 40);
    const auto count = get<std::uint16_t>(b, 60);
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t h = shoff + i * 64;
      if (get<std::uint32_t>(b, h + 4) != SHT_REL) continue;
      const auto at = get<std::uint64_t>(b, h + 24);
      const auto info = get<std::uint64_t>(b, at + 8);
      put<std::uint64_t>(b, at + 8, (std::uint64_t{100000} << 32) | (info & 0xffffffff));
      return;
    }
    fail("no relocation section");
  } else if (mutation == "section-offset") {
    const section_ref btf = find_section(b, ".BTF");
    put<std::uint64_t>(b, btf.header + 24, b.size() + 1000);
  } else if (mutation == "big-file") {
    std::ofstream(out_path, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
    if (truncate(out_path.c_str(), 300L << 20) != 0) fail("cannot grow " + out_path);
    b.clear();  // written already
  } else if (mutation == "arm64-image") {
    // The arm64 Image header: "MZ" (EFI stub), the "ARM\x64" magic at 0x38.
    std::string image(64 * 1024, '\0');
    image.replace(0, 2, "MZ");
    image.replace(0x38, 4, "ARM\x64");
    b = image + b + std::string(4096, '\0');
  } else if (mutation == "bzimage") {
    b = make_bzimage(gzip(b));
  } else if (mutation == "bzimage-stored") {
    b = make_bzimage(b);
  } else if (mutation == "zboot") {
    // drivers/firmware/efi/libstub/zboot-header.S: "MZ", "zimg", then the
    // payload's offset and size.
    const std::string payload = gzip(b);
    std::string image(64, '\0');
    image.replace(0, 2, "MZ");
    image.replace(4, 4, "zimg");
    put<std::uint32_t>(image, 8, 64);
    put<std::uint32_t>(image, 12, static_cast<std::uint32_t>(payload.size()));
    image.replace(24, 4, "gzip");
    b = image + payload;
  } else if (mutation == "scramble") {
    for (std::size_t i = b.size() / 2; i < b.size() / 2 + 64 && i < b.size(); ++i) b[i] ^= '\xff';
  } else if (mutation == "zstd-magic") {
    b = "\x28\xb5\x2f\xfd" + b;
  } else if (mutation == "gzip-bomb") {
    b = gzip_zeros(std::size_t{513} << 20);
  } else if (mutation == "split-btf") {
    b = make_split_btf(b);
  } else if (mutation.starts_with("truncate=")) {
    b.resize(std::stoul(mutation.substr(9)));
  } else {
    fail("unknown mutation " + mutation);
  }
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bpfkit_mutate_object IN OUT MUTATION\n");
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) fail(std::string("cannot read ") + argv[1]);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const std::string mutation = argv[3];
    mutate(bytes, mutation, argv[2]);
    if (mutation != "big-file") {
      std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out) fail(std::string("cannot write ") + argv[2]);
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "bpfkit_mutate_object: %s\n", e.what());
    return 1;
  }
  return 0;
}
