#include "skeleton_header.hpp"

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <cstdio>
#include <string_view>

#include "cxx_names.hpp"
#include "cxx_types.hpp"

namespace bpfkit::skel {

namespace {

// The comment every header starts with: what is in it and the rules that
// turned the object into C++. Keep it in step with docs and the tests.
constexpr std::string_view header_doc = R"(//
// Contents
//   namespace @::types   the object's BTF types that its maps and global
//                        variables use, with static_asserts on every size
//                        and (non-bit-field) member offset
//   @::<section>_t       the layout of each global data section: rodata_t
//                        (.rodata), data_t (.data), bss_t (.bss),
//                        data_custom_t (.data.custom), ...
//   @::skeleton          owns the BPF object, which is embedded below, so
//                        the program needs no .bpf.o file at run time
//
// Use
//   auto skel = @::skeleton::open();     // parse; nothing in the kernel yet
//   skel.rodata->some_setting = 42;      // globals: writable until load()
//   skel.load();                         // maps created, programs verified
//   skel.attach();                       // every program libbpf can attach by
//                                        // its SEC(); links kept in skel.links
//   skel.maps.<map>.update(key, value);  // typed maps: bpfkit::hash_map<K, V>, ...
//   skel.progs.<prog>.test_run(opts);    // bpfkit::program
// open_and_load() is open() then load(). rodata, data, bss (and one pointer
// per custom .data.*/.rodata.* section) exist only when the object has the
// section. Before load() they point at the initial values libbpf will load;
// after load() at the maps' own memory (mmapped), so a read sees what the BPF
// programs wrote. .rodata is read-only after load(). Static (file-local)
// variables are not exposed; their bytes stay padding.
//
// C names in C++
//   - a C++ keyword, or a name that is a common macro (errno, NULL, EOF,
//     stdin, stdout, stderr, linux, unix), gets a trailing underscore:
//     class -> class_, new -> new_, errno -> errno_;
//   - section names become identifiers: .data.custom -> data_custom;
//   - within one C++ scope names are unique: when two C names meet (C keeps
//     struct tags, enums and typedefs apart), the one with the lower BTF type ID
//     keeps it and the other gets a kind suffix (_struct, _union, _enum,
//     _typedef), then _2, _3, ... if that is taken too;
//   - an anonymous struct/union/enum is named by its typedef, else after its
//     use: <map>_key_t, <map>_value_t, <variable>_t, or <member>_t (nested in
//     the enclosing struct);
//   - `typedef struct foo foo;` and `typedef _Bool bool;` add no name.
//
// Types
//   integers are fixed-width std:: types (char stays char, _Bool is bool);
//   enums are `enum class` with the BTF size and signedness as underlying type
//   (an enum bit-field is declared as that integer type); BPF pointers are
//   std::uint64_t (64-bit whatever the host), the C type in a comment; where
//   the C++ layout would differ from the BTF offsets, explicit padding members
//   (pad_<offset>_) or __attribute__((packed)) reproduce it.
//
// Maps (the BTF map type picks the class)
//   hash, array, LRU hash, LPM trie, stack trace, cgroup storage:
//     bpfkit::hash_map<K, V>;  per-CPU hash/array, LRU per-CPU hash, per-CPU
//     cgroup storage: bpfkit::percpu_map<K, V>;  queue: bpfkit::queue_map<V>;
//     stack: bpfkit::stack_map<V>;  ring buffer: bpfkit::ring_buffer<E>;
//     perf event array: bpfkit::perf_event_array;  any other: bpfkit::map_handle.
//   K and V are the BTF types of __type(key, ...) and __type(value, ...), C
//   arrays as std::array. A map declared with __uint(key_size, N) or
//   __uint(value_size, N) has no BTF type: its key or value is
//   std::array<std::uint8_t, N> (an array map's key: std::uint32_t).
//
// Ring buffer events
//   E is the event type declared for the ring buffer in the BPF source with
//       #include <bpfkit/skel.h>
//       BPFKIT_RINGBUF_EVENT(<ring buffer map>, struct event);
//   (a static function __bpfkit_event__<map> taking the type, never called
//   nor loaded, so that the type is in the object's BTF; in C it also carries
//   the BTF decl tag "bpfkit:event=<map>"). Without it E is
//   std::span<const std::byte>.
//
)";

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t at; (at = text.find(from, pos)) != std::string_view::npos; pos = at + from.size())
    out.append(text.substr(pos, at - pos)).append(to);
  out.append(text.substr(pos));
  return out;
}

enum class map_class { hash, percpu, queue, stack, ring_buffer, perf_event_array, handle };

map_class class_for(std::uint32_t type) {
  switch (type) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LPM_TRIE:
    case BPF_MAP_TYPE_STACK_TRACE:
    case BPF_MAP_TYPE_CGROUP_STORAGE:
      return map_class::hash;
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
      return map_class::percpu;
    case BPF_MAP_TYPE_QUEUE: return map_class::queue;
    case BPF_MAP_TYPE_STACK: return map_class::stack;
    case BPF_MAP_TYPE_RINGBUF: return map_class::ring_buffer;
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY: return map_class::perf_event_array;
    default: return map_class::handle;
  }
}

std::string bytes_type(std::uint32_t size) {
  return "::std::array<::std::uint8_t, " + std::to_string(size) + ">";
}

std::string key_type(const cxx_types &types, const map_info &map) {
  if (map.key_type) return types.value_type(map.key_type);
  if ((map.type == BPF_MAP_TYPE_ARRAY || map.type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
      map.key_size == 4)
    return "::std::uint32_t";
  return bytes_type(map.key_size);
}

std::string value_type(const cxx_types &types, const map_info &map) {
  if (map.value_type) return types.value_type(map.value_type);
  return bytes_type(map.value_size);
}

std::string map_member_type(const cxx_types &types, const map_info &map) {
  switch (class_for(map.type)) {
    case map_class::hash:
      return "::bpfkit::hash_map<" + key_type(types, map) + ", " + value_type(types, map) + ">";
    case map_class::percpu:
      return "::bpfkit::percpu_map<" + key_type(types, map) + ", " + value_type(types, map) + ">";
    case map_class::queue: return "::bpfkit::queue_map<" + value_type(types, map) + ">";
    case map_class::stack: return "::bpfkit::stack_map<" + value_type(types, map) + ">";
    case map_class::ring_buffer:
      return "::bpfkit::ring_buffer<" +
             (map.event_type ? types.value_type(map.event_type)
                             : std::string("::std::span<const ::std::byte>")) +
             ">";
    case map_class::perf_event_array: return "::bpfkit::perf_event_array";
    case map_class::handle: return "::bpfkit::map_handle";
  }
  return "::bpfkit::map_handle";
}

std::string map_comment(const map_info &map) {
  const char *type = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(map.type));
  std::string text = std::string(type ? type : "map type " + std::to_string(map.type)) +
                     ", max_entries " + std::to_string(map.max_entries);
  if (class_for(map.type) == map_class::ring_buffer && !map.event_type)
    text += "; no event type declared (BPFKIT_RINGBUF_EVENT)";
  return text;
}

std::string embedded_bytes(const std::string &bytes) {
  std::string out;
  out.reserve(bytes.size() * 6 + bytes.size() / 16 * 4);
  char buffer[8];
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i % 16 == 0) out += "    ";
    std::snprintf(buffer, sizeof buffer, "0x%02x,", static_cast<unsigned char>(bytes[i]));
    out += buffer;
    out += (i % 16 == 15 || i + 1 == bytes.size()) ? "\n" : " ";
  }
  return out;
}

struct section_binding {
  const data_section *section;
  std::string member;  // skel.<member>
  std::string type;    // <name>::<member>_t
};

}  // namespace

std::string render_skeleton(const bpf_object_info &object, const std::string &name,
                            const std::string &object_label) {
  cxx_types types(*object.btf, name, object.path);

  // Roots, in a fixed order: maps (ELF order), then sections.
  for (const auto &map : object.maps) {
    if (map.key_type) types.add_root(map.key_type, map.name + "_key_t");
    if (map.value_type) types.add_root(map.value_type, map.name + "_value_t");
    if (map.event_type) types.add_root(map.event_type, map.name + "_event_t");
  }
  name_scope section_scope;
  for (const char *fixed : {"maps", "progs", "links", "open", "load", "open_and_load", "attach",
                            "detach", "object", "skeleton", "object_", "bind_sections"})
    section_scope.reserve(fixed);
  std::vector<section_binding> sections;
  for (const auto &section : object.sections) {
    if (!types.section_has_variables(section)) continue;
    types.add_section_roots(section);
    std::string member = section_scope.claim(section.elf_name.substr(1));
    sections.push_back({&section, member, member + "_t"});
  }
  types.finalize();

  std::string qualified_types = "::" + name + "::types";
  std::string out;
  const std::string label = comment_text(object_label);
  out += "// " + name + ".skel.hpp: the C++ skeleton of the BPF object " + label + ".\n";
  out += "// Generated by bpfkit-skel from the object's BTF; do not edit.\n";
  out += replace_all(header_doc, "@", name);
  out += "#pragma once\n\n";
  // The types need only these; the system and bpfkit headers come after
  // them, so that their macros cannot turn a BTF name into something else.
  out += "#include <cstddef>\n#include <cstdint>\n\n";

  // The types use GNU extensions that -Wpedantic reports (anonymous structs,
  // __int128, zero-length arrays); they are what the BPF C source has.
  out += "#if defined(__clang__)\n"
         "#pragma clang diagnostic push\n"
         "#pragma clang diagnostic ignored \"-Wgnu-anonymous-struct\"\n"
         "#pragma clang diagnostic ignored \"-Wnested-anon-types\"\n"
         "#pragma clang diagnostic ignored \"-Wzero-length-array\"\n"
         "#pragma clang diagnostic ignored \"-Wflexible-array-extensions\"\n"
         "#elif defined(__GNUC__)\n"
         "#pragma GCC diagnostic push\n"
         "#pragma GCC diagnostic ignored \"-Wpedantic\"\n"
         "#endif\n\n";
  out += "namespace " + name + "::types {\n\n";
  out += types.definitions();
  out += "}  // namespace " + name + "::types\n\n";

  if (!sections.empty()) {
    out += "namespace " + name + " {\n\n";
    for (const auto &s : sections) out += types.section_struct(*s.section, s.type) + "\n";
    out += "}  // namespace " + name + "\n\n";
  }
  out += "#if defined(__clang__)\n#pragma clang diagnostic pop\n"
         "#elif defined(__GNUC__)\n#pragma GCC diagnostic pop\n#endif\n\n";
  out += "#include <bpf/libbpf.h>\n#include <linux/bpf.h>\n#include <sys/mman.h>\n"
         "#include <unistd.h>\n\n";
  out += "#include <array>\n#include <cerrno>\n#include <span>\n#include <string>\n"
         "#include <utility>\n\n";
  out += "#include <bpfkit/bpfkit.hpp>\n\n";
  out += "namespace " + name + " {\n\n";

  // The embedded object and the helpers every skeleton needs.
  out += "namespace detail {\n\n";
  out += "// " + label + ", " + std::to_string(object.bytes.size()) + " bytes.\n";
  out += "alignas(8) inline constexpr unsigned char object_elf[" +
         std::to_string(object.bytes.size()) + "] = {\n";
  out += embedded_bytes(object.bytes);
  out += "};\n\n";
  out += replace_all(R"(// The memory of a global data section: libbpf's copy of the initial values
// before load, the map's own mmapped memory after map_section().
inline void* section_memory(const ::bpfkit::object& object, const char* section) {
  ::std::size_t size = 0;
  const void* memory = ::bpf_map__initial_value(object.map_by_name(section).get(), &size);
  if (!memory)
    throw ::bpfkit::error(ENOENT, ::std::string("object '@': section ") + section +
                                      " has no memory to map");
  return const_cast<void*>(memory);
}

// After load: maps the section's array map over libbpf's copy of its initial
// values, at the same address, as libbpf's own skeletons do (libbpf before 1.5
// does this only in bpf_object__load_skeleton, not in bpf_object__load).
inline void map_section(const ::bpfkit::object& object, const char* section) {
  ::bpf_map* map = object.map_by_name(section).get();
  void* memory = section_memory(object, section);
  const ::std::uint32_t flags = ::bpf_map__map_flags(map);
  if (!(flags & BPF_F_MMAPABLE))
    throw ::bpfkit::error(EOPNOTSUPP, ::std::string("object '@': section ") + section +
                                          " is not mmap-able");
  const ::std::size_t page = static_cast<::std::size_t>(::sysconf(_SC_PAGESIZE));
  ::std::size_t length = (::bpf_map__value_size(map) + 7u) / 8u * 8u * ::bpf_map__max_entries(map);
  length = (length + page - 1) / page * page;
  const int protection = (flags & BPF_F_RDONLY_PROG) ? PROT_READ : PROT_READ | PROT_WRITE;
  if (::mmap(memory, length, protection, MAP_SHARED | MAP_FIXED, ::bpf_map__fd(map), 0) == MAP_FAILED)
    throw ::bpfkit::error(errno, ::std::string("object '@': map section ") + section);
}

// Attaches `program` by its SEC() unless libbpf cannot (XDP, tc, ... need a
// target: EOPNOTSUPP) or its autoload/autoattach is off.
inline void auto_attach(const ::bpfkit::program& program, ::bpfkit::link& link) {
  if (link || !::bpf_program__autoload(program.get()) || !::bpf_program__autoattach(program.get()))
    return;
  try {
    link = program.attach();
  } catch (const ::bpfkit::error& e) {
    if (e.code().value() != EOPNOTSUPP) throw;
  }
}

}  // namespace detail

)", "'@'", "'" + name + "'");

  // The skeleton class.
  name_scope map_scope, prog_scope;
  std::vector<std::string> map_members, prog_members;
  for (const auto &map : object.maps) map_members.push_back(map_scope.claim(map.name));
  for (const auto &prog : object.programs) prog_members.push_back(prog_scope.claim(prog.name));

  out += "// Owns the BPF object " + label + ". Move-only.\n";
  out += "class skeleton {\n public:\n";
  out += "  struct maps_t {\n";
  for (std::size_t i = 0; i < object.maps.size(); ++i)
    out += "    " + map_member_type(types, object.maps[i]) + " " + map_members[i] + ";  // " +
           map_comment(object.maps[i]) + "\n";
  out += "  };\n";
  out += "  struct progs_t {\n";
  for (std::size_t i = 0; i < object.programs.size(); ++i)
    out += "    ::bpfkit::program " + prog_members[i] + ";  // SEC(" +
           string_literal(object.programs[i].section) + ")\n";
  out += "  };\n";
  out += "  // attach() fills these; an empty link is not attached.\n";
  out += "  struct links_t {\n";
  for (const auto &member : prog_members) out += "    ::bpfkit::link " + member + ";\n";
  out += "  };\n\n";
  out += R"(  // The object, parsed from the embedded ELF; nothing is in the kernel yet.
  static skeleton open();
  // open(), then load().
  static skeleton open_and_load();
  // Creates the maps and loads the programs; throws ::bpfkit::error with the
  // verifier log when the kernel rejects one.
  void load();
  // Attaches every program libbpf can attach by its SEC() (tracepoints,
  // kprobes, fentry, ...); the others are left to progs.<prog>.attach_*().
  void attach();
  // Detaches what attach() attached.
  void detach() noexcept;

  ::bpfkit::object& object() noexcept { return object_; }
  const ::bpfkit::object& object() const noexcept { return object_; }

  skeleton(skeleton&& other) noexcept;
  skeleton& operator=(skeleton&& other) noexcept;
  ~skeleton() = default;

 private:
  explicit skeleton(::bpfkit::object opened);
  void bind_sections();

  ::bpfkit::object object_;

 public:
  maps_t maps;
  progs_t progs;
  links_t links;
)";
  for (const auto &s : sections)
    out += "  " + s.type + "* " + s.member + " = nullptr;  // " + comment_text(s.section->elf_name) + "\n";
  out += "};\n\n";

  // Definitions.
  out += "inline skeleton::skeleton(::bpfkit::object opened)\n"
         "    : object_(::std::move(opened)),\n";
  out += "      maps{";
  for (std::size_t i = 0; i < object.maps.size(); ++i) {
    const auto &map = object.maps[i];
    std::string type = map_member_type(types, map);
    std::string handle = "object_.map_by_name(" + string_literal(map.name) + ")";
    out += "\n          " + (type == "::bpfkit::map_handle" ? handle : type + "(" + handle + ")") +
           ",";
  }
  out += object.maps.empty() ? "},\n" : "\n      },\n";
  out += "      progs{";
  for (const auto &prog : object.programs)
    out += "\n          object_.program_by_name(" + string_literal(prog.name) + "),";
  out += object.programs.empty() ? "} {\n" : "\n      } {\n";
  out += "  bind_sections();\n}\n\n";

  out += "inline skeleton::skeleton(skeleton&& other) noexcept\n"
         "    : object_(::std::move(other.object_)),\n"
         "      maps(::std::exchange(other.maps, {})),\n"
         "      progs(::std::exchange(other.progs, {})),\n"
         "      links(::std::move(other.links))";
  for (const auto &s : sections)
    out += ",\n      " + s.member + "(::std::exchange(other." + s.member + ", nullptr))";
  out += " {}\n\n";

  out += "inline skeleton& skeleton::operator=(skeleton&& other) noexcept {\n"
         "  if (this == &other) return *this;\n"
         "  links = ::std::move(other.links);  // detaches ours first\n"
         "  maps = ::std::exchange(other.maps, {});\n"
         "  progs = ::std::exchange(other.progs, {});\n";
  for (const auto &s : sections)
    out += "  " + s.member + " = ::std::exchange(other." + s.member + ", nullptr);\n";
  out += "  object_ = ::std::move(other.object_);\n  return *this;\n}\n\n";

  out += "inline skeleton skeleton::open() {\n"
         "  return skeleton(::bpfkit::object::open_memory(\n"
         "      ::std::as_bytes(::std::span<const unsigned char>(detail::object_elf)), " +
         string_literal(name) + "));\n}\n\n";
  out += "inline skeleton skeleton::open_and_load() {\n"
         "  skeleton skel = open();\n  skel.load();\n  return skel;\n}\n\n";
  out += "inline void skeleton::load() {\n  object_.load();\n";
  for (const auto &s : sections)
    out += "  detail::map_section(object_, " + string_literal(s.section->elf_name) + ");\n";
  out += "  bind_sections();\n}\n\n";
  out += "inline void skeleton::bind_sections() {\n";
  for (const auto &s : sections)
    out += "  " + s.member + " = static_cast<" + s.type + "*>(detail::section_memory(object_, " +
           string_literal(s.section->elf_name) + "));\n";
  out += "}\n\n";
  out += "inline void skeleton::attach() {\n";
  for (const auto &member : prog_members)
    out += "  detail::auto_attach(progs." + member + ", links." + member + ");\n";
  out += "}\n\n";
  out += "inline void skeleton::detach() noexcept {\n";
  for (const auto &member : prog_members) out += "  links." + member + ".detach();\n";
  out += "}\n\n";
  out += "}  // namespace " + name + "\n";
  return out;
}

}  // namespace bpfkit::skel
