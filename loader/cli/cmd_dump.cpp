// bpfkit dump OBJ PROG [--raw]
//
// The instructions of one program with the source lines they came from.
// By default the program is loaded (alone) and the listing is the kernel's
// translated ("xlated") program: what the verifier accepted after its
// rewrites, with the line info the kernel keeps for it. --raw lists the
// object's own instructions as the compiler emitted them, without loading
// anything (no privileges needed).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bpfkit/disassembler.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "bpfkit/load.hpp"
#include "bpfkit/object_layout.hpp"
#include "bpfkit/privileges.hpp"
#include "cli.hpp"
#include "id_reference.hpp"
#include "object_loading.hpp"
#include "pin_layout.hpp"

namespace bpfkit::cli {
namespace {

// Instruction fields the annotations need (struct bpf_insn, little-endian).
struct insn_fields {
  std::uint8_t code;
  std::uint8_t dst_src;
  std::int16_t off;
  std::int32_t imm;
};

insn_fields fields_at(const std::vector<std::uint8_t> &code, std::uint32_t index) {
  insn_fields f{};
  if ((index + 1) * 8 <= code.size()) std::memcpy(&f, code.data() + index * 8, sizeof f);
  return f;
}

constexpr std::uint8_t op_call = 0x85;     // BPF_JMP | BPF_CALL
constexpr std::uint8_t op_ld_imm64 = 0x18;  // BPF_LD | BPF_IMM | BPF_DW
constexpr std::uint8_t pseudo_map_fd = 1, pseudo_map_value = 2, pseudo_call = 1, pseudo_kfunc = 2;

std::string ltrim(const std::string &text) {
  std::size_t begin = text.find_first_not_of(" \t");
  return begin == std::string::npos ? std::string() : text.substr(begin);
}

// Returns a note for the instruction at `index`; may rewrite its `text`.
using annotator =
    std::function<std::string(std::uint32_t index, const insn_fields &, std::string &text)>;

// The listing: function labels, "; <source> @ file:line" before the first
// instruction of each source line (as the verifier log shows them), then
// "<index>: <instruction>  # <annotation>".
void print_listing(const std::vector<std::uint8_t> &code, const std::vector<source_line> &lines,
                   const std::map<std::uint32_t, std::string> &labels, const annotator &annotate) {
  disassembler disasm;
  std::vector<disassembled_insn> insns = disasm.disassemble(code);
  std::size_t next_line = 0;
  const source_line *shown = nullptr;
  for (const disassembled_insn &insn : insns) {
    if (auto label = labels.find(insn.index); label != labels.end())
      std::printf("%s%s:\n", insn.index ? "\n" : "", label->second.c_str());
    for (; next_line < lines.size() && lines[next_line].insn < insn.index + insn.slots; ++next_line) {
      const source_line &l = lines[next_line];
      if (l.line == 0) continue;  // compiler-made code with no source line
      if (shown && shown->line == l.line && shown->file == l.file && shown->text == l.text) continue;
      std::printf("; %s @ %s:%u\n", ltrim(l.text).c_str(), l.file.c_str(), l.line);
      shown = &l;
    }
    std::string text = insn.text;
    for (char &c : text)
      if (c == '\t') c = ' ';
    std::string note = annotate ? annotate(insn.index, fields_at(code, insn.index), text) : std::string();
    std::printf("%5u: %s%s%s\n", insn.index, text.c_str(), note.empty() ? "" : "  # ", note.c_str());
  }
}

// Jump targets as absolute instruction indexes, which the relative offsets
// LLVM prints make hard to follow.
// A call to a subprogram (bpf-to-bpf) holds its relative target in imm as
// compiled, but in off once the kernel has JIT-compiled the program (imm
// then numbers the subprogram); `translated` says which.
std::string jump_target(std::uint32_t index, const insn_fields &f,
                        const std::map<std::uint32_t, std::string> &labels, bool translated) {
  std::uint8_t cls = f.code & 0x07, op = f.code & 0xf0;
  if (cls != 0x05 && cls != 0x06) return {};  // BPF_JMP, BPF_JMP32
  if (f.code == op_call && (f.dst_src >> 4) == pseudo_call) {
    std::int32_t delta = translated ? f.off : f.imm;
    if (!translated && delta == -1) return "a subprogram, appended when loaded";
    std::uint32_t target = index + 1 + static_cast<std::uint32_t>(delta);
    auto label = labels.find(target);
    return "-> " + (label != labels.end() ? label->second + " " : std::string()) + "(" +
           std::to_string(target) + ")";
  }
  if (op == 0x80 || op == 0x90) return {};  // call, exit
  std::int64_t delta = (cls == 0x06 && op == 0x00) ? f.imm : f.off;  // gotol keeps it in imm
  return "-> " + std::to_string(static_cast<std::int64_t>(index) + 1 + delta);
}

// --- --raw ------------------------------------------------------------------

int dump_raw(const std::string &path, const std::string &program) {
  bpfkit::object object = open_object(path);
  require_programs(program_names(object), {program});
  bpfkit::program prog = object.program_by_name(program);
  std::span<const std::byte> insns = prog.instructions();
  std::vector<std::uint8_t> code(reinterpret_cast<const std::uint8_t *>(insns.data()),
                                 reinterpret_cast<const std::uint8_t *>(insns.data()) + insns.size());

  std::map<std::string, program_layout> layouts = read_program_layouts(path);
  std::vector<source_line> lines;
  if (auto layout = layouts.find(program); layout != layouts.end()) lines = layout->second.lines;
  std::map<std::uint32_t, std::string> labels = {{0, program}};

  std::printf("%s (%s): %zu instructions as compiled (not loaded: map references and CO-RE "
              "relocations unresolved, subprograms not appended)\n\n",
              program.c_str(), std::string(prog.section()).c_str(), code.size() / 8);
  // Readable by anyone in /sys/kernel/btf/vmlinux.
  std::map<std::int32_t, std::string> helpers = bpfkit::kernel::helper_names();
  print_listing(code, lines, labels, [&](std::uint32_t index, const insn_fields &f, std::string &) {
    if (f.code == op_call && (f.dst_src >> 4) == 0) {
      auto name = helpers.find(f.imm);
      return name != helpers.end() ? name->second : std::string();
    }
    return jump_target(index, f, labels, false);
  });
  return exit_ok;
}

// --- loaded -----------------------------------------------------------------

// Kernel symbols of helper and kfunc calls: the translated program calls
// them by their offset from __bpf_call_base, as bpftool resolves them.
std::map<std::int32_t, std::string> call_names(const std::set<std::int32_t> &offsets) {
  std::map<std::int32_t, std::string> names;
  if (offsets.empty()) return names;
  std::ifstream kallsyms("/proc/kallsyms");
  std::map<unsigned long long, std::string> symbols;
  unsigned long long base = 0;
  std::string line;
  while (std::getline(kallsyms, line)) {
    std::istringstream fields(line);
    std::string address, type, name;
    if (!(fields >> address >> type >> name)) continue;
    unsigned long long value = std::strtoull(address.c_str(), nullptr, 16);
    if (value == 0) return names;  // addresses hidden (kptr_restrict)
    if (name == "__bpf_call_base") base = value;
    if (type == "t" || type == "T") symbols.emplace(value, name);
  }
  if (!base) return names;
  for (std::int32_t offset : offsets)
    if (auto s = symbols.find(base + static_cast<unsigned long long>(static_cast<long long>(offset)));
        s != symbols.end())
      names[offset] = s->second;
  return names;
}

// The kernel's name of map `id`; empty when it is gone or hidden.
std::string map_name(std::uint32_t id) {
  try {
    bpfkit::kernel::object_fd map = bpfkit::kernel::open_by_id(bpfkit::kernel::object_kind::map, id);
    return bpfkit::kernel::describe_map(map.get()).name;
  } catch (const bpfkit::error &) {
    return {};
  }
}

// Loads only `program`; throws cli_error with its verdict when it fails.
bpfkit::object load_for_dump(const std::string &path, const std::string &program) {
  bpfkit::object object = open_object(path);
  require_programs(program_names(object), {program});
  load_options options;
  options.programs = {program};
  load_report report = object.try_load(options);
  if (report.ok()) return object;
  if (exit_code_of(report) == exit_no_privilege)
    throw cli_error(exit_no_privilege, no_privilege_message,
                    std::string(privilege_hint) + "; 'bpfkit dump --raw' needs no privileges");
  const program_report *p = report.object_failure ? &*report.object_failure : report.find(program);
  std::string where = p->source && p->source->line
                          ? " at " + p->source->file + ":" + std::to_string(p->source->line)
                          : "";
  std::string verdict = p->verdict();
  if (p->status == load_status::rejected)
    verdict = "was rejected by the verifier" + where + ": " + p->reason;
  throw cli_error(exit_failed, "program " + program + " " + verdict,
                  "bpfkit verify " + path + " --program " + program +
                      " shows the source line and the verifier's log");
}

int list_translated(int fd, const std::string &title, const std::string &program);

int dump_loaded(const std::string &path, const std::string &program) {
  bpfkit::object object = load_for_dump(path, program);
  bpfkit::program target = object.program_by_name(program);
  return list_translated(target.fd(), program + " (" + std::string(target.section()) + ")", program);
}

// The kernel's translated program behind `fd`, titled `title`; `program`
// labels instruction 0 when the BTF names no function.
int list_translated(int fd, const std::string &title, const std::string &program) {
  bpfkit::kernel::translated_program loaded;
  try {
    loaded = bpfkit::kernel::read_translated(fd);
  } catch (const bpfkit::error &e) {
    if (e.code().value() == EPERM)
      throw cli_error(exit_no_privilege, e.what(), "run as root or with CAP_PERFMON (or CAP_SYS_ADMIN)");
    throw cli_error(exit_failed, e.what());
  }
  const std::vector<std::uint8_t> &code = loaded.instructions;
  const std::vector<std::uint32_t> &map_ids = loaded.info.map_ids;
  const std::uint32_t verified = loaded.info.verified_insns;
  const bool jited = loaded.jited;

  // Source lines and function names, from the program's BTF as the kernel
  // keeps it; a listing without them when that BTF cannot be read.
  std::vector<source_line> lines;
  std::map<std::uint32_t, std::string> labels;
  bpfkit::kernel::program_source source;
  try {
    source = bpfkit::kernel::read_source(loaded);
  } catch (const bpfkit::error &) {
  }
  for (const auto &l : source.lines) lines.push_back({l.insn, l.file, l.line, l.column, l.text});
  for (const auto &f : source.functions) labels[f.insn] = f.name;
  if (labels.find(0) == labels.end()) labels[0] = program;

  // Names for the calls and map references, resolved once.
  std::set<std::int32_t> call_offsets;
  for (std::uint32_t i = 0; i * 8 < code.size(); ++i) {
    insn_fields f = fields_at(code, i);
    std::uint8_t src = f.dst_src >> 4;
    if (f.code == op_call && (src == 0 || src == pseudo_kfunc) && f.imm) call_offsets.insert(f.imm);
  }
  std::map<std::int32_t, std::string> calls = call_names(call_offsets);
  std::map<std::uint32_t, std::string> maps;
  for (std::uint32_t id : map_ids) maps[id] = map_name(id);

  std::printf("%s: %zu instructions as translated by the kernel (%u verified)\n\n", title.c_str(),
              code.size() / 8, verified);
  print_listing(code, lines, labels,
                [&](std::uint32_t index, const insn_fields &f, std::string &text) -> std::string {
    std::uint8_t src = f.dst_src >> 4;
    if (f.code == op_call && src != pseudo_call) {
      auto name = calls.find(f.imm);
      return name != calls.end() ? name->second : std::string();
    }
    if (f.code == op_ld_imm64 && (src == pseudo_map_fd || src == pseudo_map_value)) {
      // As bpftool writes them: r1 = map[id:12], r1 = map[id:12][0]+16
      auto id = static_cast<std::uint32_t>(f.imm);
      text = "r" + std::to_string(f.dst_src & 0x0f) + " = map[id:" + std::to_string(id) + "]";
      if (src == pseudo_map_value) text += "[0]+" + std::to_string(fields_at(code, index + 1).imm);
      auto name = maps.find(id);
      return name != maps.end() ? name->second : std::string();
    }
    if (f.code == op_call && src == pseudo_call) {
      if (!jited) return {};
      // LLVM would print the subprogram's number
      text = std::string("call pc") + (f.off >= 0 ? "+" : "") + std::to_string(f.off);
    }
    return jump_target(index, f, labels, true);
  });
  return exit_ok;
}

}  // namespace

int cmd_dump(arguments &args) {
  bool raw = args.flag("--raw");
  std::string path = args.positional("OBJ (a .bpf.o file)");
  std::optional<std::string> named = args.optional_positional();
  args.finish();

  // A loaded program: id:N or a pinned path, listed with its own BTF's lines.
  if (!named && (is_id_reference(path) || on_bpffs(path))) {
    if (raw) throw usage_error("--raw lists a program of an object file; " + path + " is loaded: drop --raw");
    owned_fd fd = open_pinned(path, bpf_kind::program);
    bpfkit::kernel::program_info info = bpfkit::kernel::describe_program(fd.get());
    return list_translated(fd.get(), info.name + " (" + info.type + ", id " + std::to_string(info.id) + ")",
                           info.name);
  }
  if (!named) throw usage_error("missing PROG (the program to list)");
  const std::string &program = *named;

  return raw ? dump_raw(path, program) : dump_loaded(path, program);
}

}  // namespace bpfkit::cli
