#include "bpf_object_info.hpp"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string_view>

#include "cxx_names.hpp"
#include "output_file.hpp"
#include "tool_error.hpp"

namespace bpfkit::skel {

using tools::tool_error;

void btf_deleter::operator()(btf *b) const { btf__free(b); }

namespace {

const char *const object_hint =
    "pass the linked BPF object, e.g. $<TARGET_FILE:<name>_bpf> from bpf_add_object()";

std::string read_bytes(const std::string &path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    throw tool_error(path, "cannot open: No such file or directory",
                     "check the path; the BPF object may not have been built");
  if (!std::filesystem::is_regular_file(status))
    throw tool_error(path, "not a regular file", object_hint);
  return tools::read_file(path);
}

struct elf_closer {
  void operator()(Elf *e) const { elf_end(e); }
};

const char *machine_name(unsigned machine) {
  switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_386: return "i386";
    case EM_AARCH64: return "AArch64";
    case EM_ARM: return "ARM";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC64";
    case EM_S390: return "s390";
    default: return nullptr;
  }
}

// Everything the generator needs from the ELF that libbpf does not check in
// a way that gives a clear message.
void check_elf(const std::string &path, const std::string &bytes) {
  if (bytes.empty()) throw tool_error(path, "empty file, not a BPF object", object_hint);
  if (bytes.size() < 4 || std::memcmp(bytes.data(), "\x7f" "ELF", 4) != 0)
    throw tool_error(path, "not an ELF file", object_hint);
  if (elf_version(EV_CURRENT) == EV_NONE)
    throw std::runtime_error(std::string("libelf: ") + elf_errmsg(-1));
  std::unique_ptr<Elf, elf_closer> elf(
      elf_memory(const_cast<char *>(bytes.data()), bytes.size()));
  GElf_Ehdr ehdr;
  if (!elf || !gelf_getehdr(elf.get(), &ehdr))
    throw tool_error(path, std::string("malformed ELF file: ") + elf_errmsg(-1),
                     "rebuild it; the file may be truncated");
  if (ehdr.e_machine != EM_BPF) {
    const char *machine = machine_name(ehdr.e_machine);
    throw tool_error(path,
                     std::string("ELF for ") +
                         (machine ? machine : "machine " + std::to_string(ehdr.e_machine)) +
                         ", not BPF",
                     object_hint);
  }
  if (ehdr.e_ident[EI_CLASS] != ELFCLASS64 || ehdr.e_type != ET_REL)
    throw tool_error(path, "not a relocatable 64-bit BPF object", object_hint);
  std::size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf.get(), &shstrndx) != 0)
    throw tool_error(path, std::string("malformed ELF file: ") + elf_errmsg(-1));
  for (Elf_Scn *scn = nullptr; (scn = elf_nextscn(elf.get(), scn));) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) continue;
    const char *name = elf_strptr(elf.get(), shstrndx, shdr.sh_name);
    if (name && std::strcmp(name, ".BTF") == 0) return;
  }
  throw tool_error(path,
                   "no .BTF section, so no types for the skeleton; compile the BPF sources "
                   "with -g (bpf_add_object does)");
}

struct object_closer {
  void operator()(bpf_object *o) const { bpf_object__close(o); }
};
using object_ptr = std::unique_ptr<bpf_object, object_closer>;

object_ptr open_object(const std::string &path, const std::string &bytes, const std::string &name) {
  tools::libbpf_capture capture;
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name.c_str());
  bpf_object *obj = bpf_object__open_mem(bytes.data(), bytes.size(), &opts);
  if (!obj) {
    int err = errno;
    std::string detail = capture.reason(err);
    throw tool_error(path, "libbpf cannot open it: " + detail);
  }
  return object_ptr(obj);
}

btf_ptr copy_btf(const std::string &path, const bpf_object *obj) {
  const struct btf *original = bpf_object__btf(obj);
  if (!original) throw tool_error(path, "libbpf found no usable BTF in it; compile with -g");
  std::uint32_t size = 0;
  const void *raw = btf__raw_data(original, &size);
  btf *copy = raw ? btf__new(raw, size) : nullptr;
  if (!copy) throw std::runtime_error("cannot copy the object's BTF");
  return btf_ptr(copy);
}

const char *kind_name(const btf_type *t) {
  switch (btf_kind(t)) {
    case BTF_KIND_INT: return "int";
    case BTF_KIND_PTR: return "pointer";
    case BTF_KIND_ARRAY: return "array";
    case BTF_KIND_STRUCT: return "struct";
    case BTF_KIND_UNION: return "union";
    case BTF_KIND_ENUM: return "enum";
    case BTF_KIND_ENUM64: return "enum64";
    case BTF_KIND_FWD: return "forward declaration";
    case BTF_KIND_TYPEDEF: return "typedef";
    case BTF_KIND_VOLATILE: return "volatile";
    case BTF_KIND_CONST: return "const";
    case BTF_KIND_RESTRICT: return "restrict";
    case BTF_KIND_FUNC: return "function";
    case BTF_KIND_FUNC_PROTO: return "function prototype";
    case BTF_KIND_VAR: return "variable";
    case BTF_KIND_DATASEC: return "data section";
    case BTF_KIND_FLOAT: return "float";
    case BTF_KIND_DECL_TAG: return "decl tag";
    case BTF_KIND_TYPE_TAG: return "type tag";
    default: return "type";
  }
}

// Every name the generator may read, checked once before it reads any:
// libbpf 1.1 returns NULL for a name offset past the string section (so
// each read would have to check), and a name with a control character is
// refused (cxx_names.hpp). Section names (DATASEC) and tags are free text,
// escaped where they are written.
void check_btf_names(const std::string &path, const btf &types) {
  for (std::uint32_t id = 1; id < btf__type_cnt(&types); ++id) {
    const btf_type *t = btf__type_by_id(&types, id);
    if (!t) throw tool_error(path, "malformed BTF: type [" + std::to_string(id) + "] is missing");
    const bool free_text =
        btf_is_datasec(t) || btf_is_decl_tag(t) || btf_is_type_tag(t);
    // Messages are built only on failure: this runs for every name of
    // every object the build links.
    auto check = [&](std::uint32_t name_off, const char *part, int index) {
      const char *name = btf__name_by_offset(&types, name_off);
      if (name && (free_text || unsafe_name(name).empty())) return;
      std::string what = "BTF type [" + std::to_string(id) + "] (" + kind_name(t) + ")";
      if (index >= 0) what += std::string(", ") + part + " " + std::to_string(index);
      if (!name)
        throw tool_error(path,
                         "malformed BTF: " + what + " has a name offset (" +
                             std::to_string(name_off) + ") past the end of the string section",
                         "rebuild the object; this one is corrupt");
      throw tool_error(path, what + " cannot be written into a C++ header: " + unsafe_name(name),
                       "no compiler writes such a name: the object is corrupt or crafted");
    };
    check(t->name_off, "", -1);
    const std::uint16_t n = btf_vlen(t);
    if (btf_is_composite(t)) {
      for (std::uint16_t i = 0; i < n; ++i) check(btf_members(t)[i].name_off, "member", i);
    } else if (btf_is_enum(t)) {
      for (std::uint16_t i = 0; i < n; ++i) check(btf_enum(t)[i].name_off, "enumerator", i);
    } else if (btf_is_enum64(t)) {
      for (std::uint16_t i = 0; i < n; ++i) check(btf_enum64(t)[i].name_off, "enumerator", i);
    } else if (btf_is_func_proto(t)) {
      for (std::uint16_t i = 0; i < n; ++i) check(btf_params(t)[i].name_off, "parameter", i);
    }
  }
}

bool is_data_section_name(std::string_view name) {
  return name == ".data" || name == ".rodata" || name == ".bss" || name.starts_with(".data.") ||
         name.starts_with(".rodata.");
}

std::vector<data_section> find_data_sections(const btf &types, bpf_object *obj) {
  std::vector<data_section> sections;
  for (std::uint32_t id = 1; id < btf__type_cnt(&types); ++id) {
    const btf_type *t = btf__type_by_id(&types, id);
    if (!btf_is_datasec(t)) continue;
    std::string name = btf__name_by_offset(&types, t->name_off);
    if (!is_data_section_name(name)) continue;
    // Only sections libbpf made a map of can be reached at run time.
    if (!bpf_object__find_map_by_name(obj, name.c_str())) continue;
    sections.push_back({name, id, t->size, name.starts_with(".rodata")});
  }
  return sections;
}

// One declaration of a ring buffer's event type: a function or variable
// tagged "bpfkit:event=<map>", or a function named __bpfkit_event__<map>
// (what BPFKIT_RINGBUF_EVENT defines; in C++ clang drops decl tags).
struct event_declaration {
  std::string map;
  std::uint32_t decl = 0;  // FUNC or VAR
  int component = -1;      // the tagged parameter, -1: the first one
};

constexpr std::string_view event_function_prefix = "__bpfkit_event__";

// The type an event declaration names: the tagged function parameter's type
// or the variable's type, through qualifiers and one pointer level.
std::uint32_t declared_event_type(const std::string &path, const btf &types,
                                  const event_declaration &d) {
  const btf_type *t = btf__type_by_id(&types, d.decl);
  const std::string fix =
      "declare it with BPFKIT_RINGBUF_EVENT(" + d.map + ", struct event) from <bpfkit/skel.h>";
  std::uint32_t type = 0;
  if (t && btf_is_func(t)) {
    const btf_type *proto = btf__type_by_id(&types, t->type);
    int index = d.component < 0 ? 0 : d.component;
    if (!proto || !btf_is_func_proto(proto) || index >= btf_vlen(proto))
      throw tool_error(path, "the event type of ring buffer '" + d.map +
                                 "' is declared by a function without a parameter to take it "
                                 "from; " + fix);
    type = btf_params(proto)[index].type;
  } else if (t && btf_is_var(t)) {
    type = t->type;
  } else {
    throw tool_error(path, "the event type of ring buffer '" + d.map +
                               "' must be declared on a function or a variable; " + fix);
  }
  auto skip_mods = [&](std::uint32_t id) {
    const btf_type *x = btf__type_by_id(&types, id);
    while (x && btf_is_mod(x)) {
      id = x->type;
      x = btf__type_by_id(&types, id);
    }
    return id;
  };
  type = skip_mods(type);
  const btf_type *resolved = btf__type_by_id(&types, type);
  if (resolved && btf_is_ptr(resolved)) type = skip_mods(resolved->type);
  if (type == 0 || btf__resolve_size(&types, type) <= 0)
    throw tool_error(path, "the event type declared for ring buffer '" + d.map +
                               "' is void or only forward-declared in the object's BTF; " + fix);
  return type;
}

std::vector<event_declaration> event_declarations(const btf &types) {
  const std::string_view tag_prefix = event_tag;
  std::vector<event_declaration> found;
  for (std::uint32_t id = 1; id < btf__type_cnt(&types); ++id) {
    const btf_type *t = btf__type_by_id(&types, id);
    std::string_view name = btf__name_by_offset(&types, t->name_off);
    if (btf_is_decl_tag(t) && name.starts_with(tag_prefix))
      found.push_back({std::string(name.substr(tag_prefix.size())), t->type,
                       btf_decl_tag(t)->component_idx});
    else if (btf_is_func(t) && name.starts_with(event_function_prefix))
      found.push_back({std::string(name.substr(event_function_prefix.size())), id, -1});
  }
  return found;
}

void attach_event_types(const std::string &path, const btf &types, std::vector<map_info> &maps) {
  for (const auto &d : event_declarations(types)) {
    map_info *map = nullptr;
    for (auto &m : maps)
      if (m.name == d.map) map = &m;
    if (!map)
      throw tool_error(path, "an event type is declared for ring buffer '" + d.map +
                                 "', but the object defines no map of that name");
    if (map->type != BPF_MAP_TYPE_RINGBUF)
      throw tool_error(path, "an event type is declared for map '" + d.map +
                                 "', which is not a ring buffer (BPF_MAP_TYPE_RINGBUF)");
    std::uint32_t event = declared_event_type(path, types, d);
    if (map->event_type != 0 && map->event_type != event)
      throw tool_error(path, "two different event types are declared for ring buffer '" + d.map +
                                 "'; declare one");
    map->event_type = event;
  }
}

}  // namespace

bpf_object_info read_bpf_object(const std::string &path, const std::string &object_name) {
  bpf_object_info info;
  info.path = path;
  info.bytes = read_bytes(path);
  check_elf(path, info.bytes);
  object_ptr obj = open_object(path, info.bytes, object_name);
  info.btf = copy_btf(path, obj.get());
  check_btf_names(path, *info.btf);

  bpf_map *map = nullptr;
  bpf_object__for_each_map(map, obj.get()) {
    if (bpf_map__is_internal(map)) continue;
    map_info m;
    m.name = bpf_map__name(map);
    if (std::string why = unsafe_name(m.name); !why.empty())
      throw tool_error(path, "a map cannot be written into a C++ header: " + why,
                       "no compiler writes such a name: the object is corrupt or crafted");
    m.type = bpf_map__type(map);
    m.key_size = bpf_map__key_size(map);
    m.value_size = bpf_map__value_size(map);
    m.max_entries = bpf_map__max_entries(map);
    m.key_type = bpf_map__btf_key_type_id(map);
    m.value_type = bpf_map__btf_value_type_id(map);
    info.maps.push_back(std::move(m));
  }
  bpf_program *prog = nullptr;
  bpf_object__for_each_program(prog, obj.get()) {
    program_info p{bpf_program__name(prog), bpf_program__section_name(prog)};
    if (std::string why = unsafe_name(p.name); !why.empty())
      throw tool_error(path, "a program cannot be written into a C++ header: " + why,
                       "no compiler writes such a name: the object is corrupt or crafted");
    info.programs.push_back(std::move(p));
  }
  info.sections = find_data_sections(*info.btf, obj.get());
  attach_event_types(path, *info.btf, info.maps);
  return info;
}

}  // namespace bpfkit::skel
