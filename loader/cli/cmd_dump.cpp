// bpfkit dump OBJ PROG [--raw]
//
// The instructions of one program with the source lines they came from.
// By default the program is loaded (alone) and the listing is the kernel's
// translated ("xlated") program: what the verifier accepted after its
// rewrites, with the line info the kernel keeps for it. --raw lists the
// object's own instructions as the compiler emitted them, without loading
// anything (no privileges needed).
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bpfkit/disassembler.hpp"
#include "bpfkit/load.hpp"
#include "bpfkit/object_layout.hpp"
#include "bpfkit/privileges.hpp"
#include "cli.hpp"
#include "object_loading.hpp"

namespace bpfkit::cli {
namespace {

struct btf_closer {
  void operator()(btf *b) const { btf__free(b); }
};

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

// Helper names by number, from the kernel's enum bpf_func_id (readable by
// anyone in /sys/kernel/btf/vmlinux); empty when the kernel has no BTF.
std::map<std::int32_t, std::string> helper_names() {
  std::map<std::int32_t, std::string> names;
  std::unique_ptr<btf, btf_closer> kernel(btf__load_vmlinux_btf());
  if (!kernel) return names;
  int id = btf__find_by_name_kind(kernel.get(), "bpf_func_id", BTF_KIND_ENUM);
  const btf_type *type = id > 0 ? btf__type_by_id(kernel.get(), static_cast<std::uint32_t>(id)) : nullptr;
  if (!type) return names;
  const struct btf_enum *values = btf_enum(type);
  for (std::uint16_t i = 0; i < btf_vlen(type); ++i) {
    std::string name = btf__name_by_offset(kernel.get(), values[i].name_off);
    if (name.starts_with("BPF_FUNC_")) names[values[i].val] = "bpf_" + name.substr(9);
  }
  return names;
}

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
  std::map<std::int32_t, std::string> helpers = helper_names();
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

std::string map_name(std::uint32_t id) {
  int fd = bpf_map_get_fd_by_id(id);
  if (fd < 0) return {};
  bpf_map_info info{};
  std::uint32_t size = sizeof info;
  std::string name;
  if (bpf_obj_get_info_by_fd(fd, &info, &size) == 0) name = info.name;
  ::close(fd);
  return name;
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

int dump_loaded(const std::string &path, const std::string &program) {
  bpfkit::object object = load_for_dump(path, program);
  bpfkit::program target = object.program_by_name(program);
  int fd = target.fd();
  bpf_prog_info info{};
  std::uint32_t size = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &size) != 0)
    throw cli_error(exit_failed, std::string("cannot read the loaded program's info: ") +
                                     std::strerror(errno));
  if (info.xlated_prog_len == 0)
    throw cli_error(exit_no_privilege,
                    "the kernel does not show this process the translated instructions",
                    "run as root or with CAP_PERFMON (or CAP_SYS_ADMIN)");

  std::vector<std::uint8_t> code(info.xlated_prog_len);
  std::uint32_t line_rec = info.line_info_rec_size ? info.line_info_rec_size : sizeof(bpf_line_info);
  std::uint32_t func_rec = info.func_info_rec_size ? info.func_info_rec_size : sizeof(bpf_func_info);
  std::vector<std::uint8_t> line_info(static_cast<std::size_t>(info.nr_line_info) * line_rec);
  std::vector<std::uint8_t> func_info(static_cast<std::size_t>(info.nr_func_info) * func_rec);
  std::vector<std::uint32_t> map_ids(info.nr_map_ids);
  std::uint32_t nr_line_info = info.nr_line_info, nr_func_info = info.nr_func_info;
  std::uint32_t verified = info.verified_insns, btf_id = info.btf_id;
  bool jited = info.jited_prog_len > 0;  // interpreted programs keep other call encodings

  bpf_prog_info full{};
  full.xlated_prog_len = static_cast<std::uint32_t>(code.size());
  full.xlated_prog_insns = reinterpret_cast<std::uintptr_t>(code.data());
  full.nr_line_info = nr_line_info;
  full.line_info_rec_size = line_rec;
  full.line_info = reinterpret_cast<std::uintptr_t>(line_info.data());
  full.nr_func_info = nr_func_info;
  full.func_info_rec_size = func_rec;
  full.func_info = reinterpret_cast<std::uintptr_t>(func_info.data());
  full.nr_map_ids = static_cast<std::uint32_t>(map_ids.size());
  full.map_ids = reinterpret_cast<std::uintptr_t>(map_ids.data());
  size = sizeof full;
  if (bpf_obj_get_info_by_fd(fd, &full, &size) != 0)
    throw cli_error(exit_failed, std::string("cannot read the translated instructions: ") +
                                     std::strerror(errno));
  code.resize(full.xlated_prog_len);

  // Line and function info point into the program's BTF, as the kernel keeps it.
  std::vector<source_line> lines;
  std::map<std::uint32_t, std::string> labels;
  std::unique_ptr<btf, btf_closer> prog_btf(btf_id ? btf__load_from_kernel_by_id(btf_id) : nullptr);
  if (prog_btf) {
    for (std::uint32_t i = 0; i < nr_line_info; ++i) {
      bpf_line_info l{};
      std::memcpy(&l, line_info.data() + static_cast<std::size_t>(i) * line_rec, sizeof l);
      const char *file = btf__name_by_offset(prog_btf.get(), l.file_name_off);
      const char *text = btf__name_by_offset(prog_btf.get(), l.line_off);
      lines.push_back({l.insn_off, file ? file : "", BPF_LINE_INFO_LINE_NUM(l.line_col),
                       BPF_LINE_INFO_LINE_COL(l.line_col), text ? text : ""});
    }
    for (std::uint32_t i = 0; i < nr_func_info; ++i) {
      bpf_func_info f{};
      std::memcpy(&f, func_info.data() + static_cast<std::size_t>(i) * func_rec, sizeof f);
      const btf_type *type = btf__type_by_id(prog_btf.get(), f.type_id);
      const char *name = type ? btf__name_by_offset(prog_btf.get(), type->name_off) : nullptr;
      if (name && *name) labels[f.insn_off] = name;
    }
  }
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

  std::printf("%s (%s): %zu instructions as translated by the kernel (%u verified)\n\n",
              program.c_str(), std::string(target.section()).c_str(), code.size() / 8, verified);
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
  std::string program = args.positional("PROG (the program to list)");
  args.finish();
  return raw ? dump_raw(path, program) : dump_loaded(path, program);
}

}  // namespace bpfkit::cli
