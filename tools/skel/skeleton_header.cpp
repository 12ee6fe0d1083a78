#include "skeleton_header.hpp"

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <set>
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
//   skel.maps.<map>.set_max_entries(n);  // resize maps until load()
//   skel.load();                         // maps created and checked against
//                                        // their C++ types, programs verified
//   skel.attach();                       // every program libbpf can attach by
//                                        // its SEC(); links kept in skel.links
//   skel.maps.<map>.update(key, value);  // typed maps: bpfkit::hash_map<K, V>, ...
//   skel.progs.<prog>.test_run(opts);    // bpfkit::program
// open_and_load() is open() then load(). rodata, data, bss (and one pointer
// per custom .data.*/.rodata.* section) exist only when the object has the
// section. Before load() they point at the initial values libbpf will load;
// after load() at the maps' own memory (mmapped at the same address), so a
// read sees what the BPF programs wrote. .rodata is read-only after load().
// Static (file-local) variables are not exposed; their bytes stay padding.
// The mechanics (opening the embedded object, the checks, mapping sections,
// attaching) are bpfkit::bpfkit's: this header holds declarations only.
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
//   hash, array, LRU hash, LPM trie, cgroup storage: bpfkit::hash_map<K, V>;
//     per-CPU hash/array, LRU per-CPU hash, per-CPU cgroup storage:
//     bpfkit::percpu_map<K, V>;  queue: bpfkit::queue_map<V>;  stack:
//     bpfkit::stack_map<V>;  stack trace: bpfkit::stack_trace_map (frames as
//     std::vector<std::uint64_t>; its depth may be set with set_value_size());
//     ring buffer: bpfkit::ring_buffer<E>;  perf event array:
//     bpfkit::perf_event_array;  any other, or a map whose value size its BTF
//     leaves open (set it with set_value_size()): bpfkit::map_handle.
//   K and V are the BTF types of __type(key, ...) and __type(value, ...), C
//   arrays as std::array. A map declared with __uint(key_size, N) or
//   __uint(value_size, N) has no BTF type: its key or value is
//   std::array<std::uint8_t, N> (an array map's key: std::uint32_t). load()
//   checks that the map's final sizes are sizeof(K) and sizeof(V).
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

enum class map_class { hash, percpu, queue, stack, stack_trace, ring_buffer, perf_event_array, handle };

map_class class_for(const map_info &map) {
  switch (map.type) {
    case BPF_MAP_TYPE_STACK_TRACE:
      return map_class::stack_trace;
    case BPF_MAP_TYPE_QUEUE: return map_class::queue;
    case BPF_MAP_TYPE_STACK: return map_class::stack;
    case BPF_MAP_TYPE_RINGBUF: return map_class::ring_buffer;
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY: return map_class::perf_event_array;
    default: break;
  }
  // A value size the BTF leaves open is set at run time: no C++ type can
  // be fixed for it.
  if (map.value_size == 0 && !map.value_type) return map_class::handle;
  switch (map.type) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LPM_TRIE:
    case BPF_MAP_TYPE_CGROUP_STORAGE:
      return map_class::hash;
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
      return map_class::percpu;
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
  switch (class_for(map)) {
    case map_class::hash:
      return "::bpfkit::hash_map<" + key_type(types, map) + ", " + value_type(types, map) + ">";
    case map_class::percpu:
      return "::bpfkit::percpu_map<" + key_type(types, map) + ", " + value_type(types, map) + ">";
    case map_class::queue: return "::bpfkit::queue_map<" + value_type(types, map) + ">";
    case map_class::stack: return "::bpfkit::stack_map<" + value_type(types, map) + ">";
    case map_class::stack_trace: return "::bpfkit::stack_trace_map";
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

// The runtime header declaring a map class's C++ type.
const char *header_for(map_class kind) {
  switch (kind) {
    case map_class::hash: return "bpfkit/hash_map.hpp";
    case map_class::percpu: return "bpfkit/percpu_map.hpp";
    case map_class::queue: return "bpfkit/queue_map.hpp";
    case map_class::stack: return "bpfkit/stack_map.hpp";
    case map_class::stack_trace: return "bpfkit/stack_trace_map.hpp";
    case map_class::ring_buffer: return "bpfkit/ring_buffer.hpp";
    case map_class::perf_event_array: return "bpfkit/perf_event_array.hpp";
    case map_class::handle: return "bpfkit/map_handle.hpp";
  }
  return "bpfkit/map_handle.hpp";
}

// What the skeleton class is written against: the runtime's object,
// programs, links and errors, and the typed-map headers of the object's own
// map kinds only. <bpfkit/skeleton.hpp> holds every kind, and including all
// of them made a skeleton TU cost 1.4x one of the standard headers alone
// before its own code (bench/run's skeleton_tu_vs_std_headers).
std::string runtime_includes(const bpf_object_info &object) {
  std::set<std::string> headers = {"bpfkit/error.hpp", "bpfkit/link.hpp", "bpfkit/object.hpp",
                                   "bpfkit/program.hpp"};
  for (const auto &map : object.maps) headers.insert(header_for(class_for(map)));
  std::string out = "#include <array>\n#include <span>\n#include <utility>\n\n";
  for (const auto &header : headers) out += "#include <" + header + ">\n";
  return out;
}

std::string map_comment(const map_info &map) {
  const char *type = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(map.type));
  std::string text = std::string(type ? type : "map type " + std::to_string(map.type)) +
                     ", max_entries " + std::to_string(map.max_entries);
  if (class_for(map) == map_class::ring_buffer && !map.event_type)
    text += "; no event type declared (BPFKIT_RINGBUF_EVENT)";
  if (map.value_size == 0 && !map.value_type) text += "; value size open: set_value_size() before load()";
  return text;
}

// The object as a string literal: printable ASCII as is, every other byte
// (and '"', '\\', '?') as a three-digit octal escape, which a following digit
// cannot extend. Compilers read this several times faster than a list of
// integers, and every translation unit that includes the skeleton reads it.
void append_embedded_string(std::string &out, const std::string &bytes) {
  constexpr std::size_t line_width = 96;
  constexpr std::string_view line_start = "    \"";
  constexpr std::string_view line_break = "\"\n    \"";  // line_start after the newline
  // Written through a pointer into space reserved for the worst case (every
  // byte escaped): appending byte by byte was half of the tool's CPU time.
  const std::size_t start = out.size();
  const std::size_t worst = line_start.size() + 4 * bytes.size() +
                            (4 * bytes.size() / line_width + 1) * line_break.size() + 1;
  out.resize(start + worst);
  char *p = out.data() + start;
  p = std::copy(line_start.begin(), line_start.end(), p);
  std::size_t width = 0;
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte <= 0x7e && c != '"' && c != '\\' && c != '?') {
      *p++ = c;
      ++width;
    } else {
      *p++ = '\\';
      *p++ = static_cast<char>('0' + (byte >> 6));
      *p++ = static_cast<char>('0' + ((byte >> 3) & 7));
      *p++ = static_cast<char>('0' + (byte & 7));
      width += 4;
    }
    if (width >= line_width) {
      p = std::copy(line_break.begin(), line_break.end(), p);
      width = 0;
    }
  }
  *p++ = '"';
  out.resize(static_cast<std::size_t>(p - out.data()));
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
                            "detach", "object", "skeleton", "object_", "maps_t", "progs_t",
                            "links_t"})
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
  // The embedded object (up to 4 characters a byte) dominates the header.
  out.reserve(5 * object.bytes.size() + 64 * 1024);
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
  out += runtime_includes(object) + "\n";
  out += "namespace " + name + " {\n\n";

  out += "namespace detail {\n\n";
  out += "// " + label + ", " + std::to_string(object.bytes.size()) + " bytes.\n";
  out += "alignas(8) inline constexpr char object_elf[] =\n";
  append_embedded_string(out, object.bytes);
  out += ";\n\n";
  out += "}  // namespace detail\n\n";

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
  // Until load(): write rodata/data/bss, resize maps (set_max_entries, and
  // set_value_size where the BTF leaves it open), turn programs' autoload off.
  static skeleton open() { return skeleton(); }
  // open(), then load().
  static skeleton open_and_load() {
    skeleton skel;
    skel.load();
    return skel;
  }
  // Checks the maps' C++ types against their final sizes, creates the maps
  // and loads the programs; throws ::bpfkit::error with every program's
  // verdict (error::report()) when one fails.
  void load() { object_.load(); }
  // Attaches every program libbpf can attach by its SEC() (tracepoints,
  // kprobes, fentry, ...); the others are left to progs.<prog>.attach_*().
  void attach() {
)";
  for (const auto &member : prog_members)
    out += "    if (!links." + member + ") links." + member + " = progs." + member + ".auto_attach();\n";
  out += R"(  }
  // Detaches what attach() attached.
  void detach() noexcept { links = links_t{}; }

  ::bpfkit::object& object() noexcept { return object_; }
  const ::bpfkit::object& object() const noexcept { return object_; }

  // A moved-from skeleton holds nothing: its maps, programs and sections
  // are unbound (their calls throw) rather than views of the moved object.
)";
  out += "  skeleton(skeleton&& other) noexcept\n"
         "      : object_(::std::move(other.object_)),\n"
         "        maps(::std::exchange(other.maps, {})),\n"
         "        progs(::std::exchange(other.progs, {})),\n"
         "        links(::std::move(other.links))";
  for (const auto &s : sections)
    out += ",\n        " + s.member + "(::std::exchange(other." + s.member + ", nullptr))";
  out += " {}\n";
  out += "  skeleton& operator=(skeleton&& other) noexcept {\n"
         "    if (this == &other) return *this;\n"
         "    links = ::std::move(other.links);  // detaches ours first\n"
         "    maps = ::std::exchange(other.maps, {});\n"
         "    progs = ::std::exchange(other.progs, {});\n";
  for (const auto &s : sections)
    out += "    " + s.member + " = ::std::exchange(other." + s.member + ", nullptr);\n";
  out += "    object_ = ::std::move(other.object_);\n    return *this;\n  }\n  ~skeleton() = default;\n\n";
  out += R"( private:
  skeleton()
      : object_(::bpfkit::object::open_memory(
            detail::object_elf, sizeof detail::object_elf - 1,
)";
  out += "            " + string_literal(name) + "))";
  out += ",\n        maps{";
  for (std::size_t i = 0; i < object.maps.size(); ++i) {
    const auto &map = object.maps[i];
    std::string type = map_member_type(types, map);
    std::string handle = "object_.map_by_name(" + string_literal(map.name) + ")";
    out += std::string(i ? "," : "") + "\n            " +
           (type == "::bpfkit::map_handle" ? handle : type + "(" + handle + ")");
  }
  out += "}";
  out += ",\n        progs{";
  for (std::size_t i = 0; i < object.programs.size(); ++i)
    out += std::string(i ? "," : "") + "\n            object_.program_by_name(" +
           string_literal(object.programs[i].name) + ")";
  out += "}";
  for (const auto &s : sections)
    out += ",\n        " + s.member + "(object_.section_as<" + s.type + ">(" +
           string_literal(s.section->elf_name) + "))";
  out += " {}\n\n";
  out += "  ::bpfkit::object object_;\n\n public:\n";
  out += "  maps_t maps;\n  progs_t progs;\n  links_t links;\n";
  for (const auto &s : sections)
    out += "  " + s.type + "* " + s.member + " = nullptr;  // " + comment_text(s.section->elf_name) + "\n";
  out += "};\n\n";
  out += "}  // namespace " + name + "\n";
  return out;
}

}  // namespace bpfkit::skel
