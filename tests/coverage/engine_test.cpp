// The instrumenter checked without a kernel: for every object, the
// rewritten code must be the original code plus counter increments, with
// every jump, call, relocation, symbol and line record still pointing at
// the instruction it pointed at before.
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "bpf_insn.hpp"
#include "bpfkit/coverage/instrument.hpp"
#include "btf_ext.hpp"
#include "elf_object.hpp"
#include "test_objects.hpp"

#include <bpf/btf.h>

namespace cov = bpfkit::coverage;
namespace detail = bpfkit::coverage::detail;
using coverage_test::objects;
using coverage_test::read_bytes;

namespace {

// One function's code and relocations, read from an object file.
struct function_view {
  std::string section;
  std::uint32_t first = 0;  // in the section
  std::vector<detail::bpf_insn> code;
  std::map<std::uint32_t, std::string> relocated;  // instruction -> symbol name
};

struct object_view {
  std::map<std::string, function_view> functions;
  std::map<std::string, std::vector<detail::line_record>> lines;  // by section
  std::string counter_section_name;
};

object_view view(const std::vector<std::byte> &bytes) {
  object_view out;
  const detail::elf_object elf = detail::elf_object::parse(bytes, "test");
  const std::size_t symtab = elf.symtab();
  const auto symbols = detail::read_table<Elf64_Sym>(elf.sections[symtab]);
  const auto &strtab = elf.sections[elf.sections[symtab].header.sh_link];
  std::map<std::size_t, std::map<std::uint32_t, std::string>> relocs;  // by code section
  for (const auto &s : elf.sections) {
    if (s.header.sh_type != SHT_REL) continue;
    for (const Elf64_Rel &r : detail::read_table<Elf64_Rel>(s)) {
      const Elf64_Sym &sym = symbols[ELF64_R_SYM(r.r_info)];
      std::string name = detail::string_at(strtab, sym.st_name);
      if (ELF64_ST_TYPE(sym.st_info) == STT_SECTION) name = elf.sections[sym.st_shndx].name;
      relocs[s.header.sh_info][static_cast<std::uint32_t>(r.r_offset / 8)] = name;
    }
  }
  for (const Elf64_Sym &sym : symbols) {
    if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC) continue;
    const auto &section = elf.sections[sym.st_shndx];
    function_view f;
    f.section = section.name;
    f.first = static_cast<std::uint32_t>(sym.st_value / 8);
    f.code.resize(sym.st_size / 8);
    std::memcpy(f.code.data(), section.data.data() + sym.st_value, sym.st_size);
    for (const auto &[insn, name] : relocs[sym.st_shndx])
      if (insn >= f.first && insn < f.first + f.code.size()) f.relocated[insn - f.first] = name;
    out.functions[detail::string_at(strtab, sym.st_name)] = std::move(f);
  }
  const auto &btf_data = elf.sections[elf.find(".BTF")].data;
  btf *strings = btf__new(btf_data.data(), static_cast<std::uint32_t>(btf_data.size()));
  out.lines = detail::read_line_info(elf.sections[elf.find(".BTF.ext")].data, strings, "test");
  btf__free(strings);
  return out;
}

// Where the original instructions went, found by walking the instrumented
// code and recognising counter increments by their relocation.
struct probe_walk {
  std::vector<std::uint32_t> new_index;            // per original instruction
  std::map<std::uint32_t, std::uint32_t> probe_end;  // probe start -> first instruction after it
  std::set<std::uint32_t> trampolines;             // starts of probe + goto after the code
  std::string problem;
};

bool is_spill(const detail::bpf_insn &i) { return i.code == 0x7b && i.dst() == 10; }
bool is_restore(const detail::bpf_insn &i) { return i.code == 0x79 && i.src() == 10; }

// Returns the end of the probe starting at `at`, or nullopt.
std::optional<std::uint32_t> probe_at(const function_view &f, std::uint32_t at) {
  std::uint32_t p = at;
  std::vector<std::pair<unsigned, std::int16_t>> saved;
  while (p < f.code.size() && is_spill(f.code[p]) && saved.size() < 2) {
    saved.push_back({f.code[p].src(), f.code[p].off});
    ++p;
  }
  const auto reloc = f.relocated.find(p);
  if (reloc == f.relocated.end() || reloc->second != cov::counter_variable) return std::nullopt;
  if (p + 4 > f.code.size() || !detail::is_ld_imm64(f.code[p]) || f.code[p + 2].code != 0xb7 ||
      f.code[p + 2].imm != 1 || f.code[p + 3].code != 0xdb || f.code[p + 3].dst() != f.code[p].dst() ||
      f.code[p + 3].src() != f.code[p + 2].dst())
    return std::nullopt;
  p += 4;
  for (auto it = saved.rbegin(); it != saved.rend(); ++it, ++p)
    if (p >= f.code.size() || !is_restore(f.code[p]) || f.code[p].dst() != it->first || f.code[p].off != it->second)
      return std::nullopt;
  return p;
}

probe_walk walk(const function_view &plain, const function_view &inst) {
  probe_walk w;
  std::uint32_t p = 0;
  for (std::uint32_t i = 0; i < plain.code.size(); ++i) {
    while (auto end = probe_at(inst, p)) {
      w.probe_end[p] = *end;
      p = *end;
    }
    if (p >= inst.code.size()) {
      w.problem = "instrumented code ends before original instruction " + std::to_string(i);
      return w;
    }
    w.new_index.push_back(p++);
  }
  while (p < inst.code.size()) {
    const auto end = probe_at(inst, p);
    if (!end || *end >= inst.code.size() || !detail::is_goto(inst.code[*end])) {
      w.problem = "instruction " + std::to_string(p) + " after the code is not a counter and a goto";
      return w;
    }
    w.probe_end[p] = *end;
    w.trampolines.insert(p);
    p = *end + 1;
  }
  return w;
}

class every_object : public ::testing::TestWithParam<coverage_test::test_object> {};

std::vector<coverage_test::test_object> all_objects() {
  std::vector<coverage_test::test_object> all;
  for (const char *section : {"project", "paths", "shapes"})
    for (auto o : objects(section)) {
      if (std::string(section) != "project") o.variant = std::string(section) + "_" + o.variant;
      all.push_back(o);
    }
  all.push_back({"limits", LIMITS_OBJECT});
  return all;
}

TEST_P(every_object, keeps_every_instruction_and_where_it_points) {
  const auto bytes = read_bytes(GetParam().path);
  const cov::instrumented_object inst = cov::instrument(bytes, GetParam().path);
  ASSERT_FALSE(inst.elf.empty());
  const object_view plain = view(bytes), counted = view(inst.elf);
  std::set<std::string> plain_functions;
  for (const auto &p : inst.left_plain) plain_functions.insert(p.function);

  std::size_t probes = 0;
  for (const auto &[name, before] : plain.functions) {
    SCOPED_TRACE("function " + name);
    ASSERT_TRUE(counted.functions.count(name));
    const function_view &after = counted.functions.at(name);
    const probe_walk w = walk(before, after);
    ASSERT_EQ(w.problem, "");
    if (plain_functions.count(name)) {
      EXPECT_EQ(after.code.size(), before.code.size()) << "a function left plain must not change";
      EXPECT_TRUE(w.probe_end.empty());
      continue;
    }
    probes += w.probe_end.size();
    ASSERT_FALSE(w.probe_end.empty());
    EXPECT_TRUE(w.probe_end.count(0)) << "the function must start with its entry counter";

    // Where control arriving at original instruction t lands: its probe or itself.
    auto lands_on = [&](std::uint32_t target_new, std::uint32_t original_target) {
      const std::uint32_t want = w.new_index[original_target];
      if (target_new == want) return true;
      const auto probe = w.probe_end.find(target_new);
      return probe != w.probe_end.end() && probe->second == want;
    };
    bool second_half = false;
    for (std::uint32_t i = 0; i < before.code.size(); ++i) {
      const detail::bpf_insn &o = before.code[i], &n = after.code[w.new_index[i]];
      const std::uint32_t at = w.new_index[i];
      if (second_half) {
        second_half = false;
        EXPECT_EQ(at, w.new_index[i - 1] + 1) << "ld_imm64 split at " << i;
        continue;
      }
      second_half = detail::is_ld_imm64(o);
      ASSERT_EQ(o.code, n.code) << "instruction " << i;
      ASSERT_EQ(o.regs, n.regs) << "instruction " << i;
      if (before.relocated.count(i)) {
        EXPECT_EQ(after.relocated.count(at) ? after.relocated.at(at) : "", before.relocated.at(i))
            << "relocation of instruction " << i;
      }
      if (detail::is_goto(o) || detail::is_conditional_jump(o)) {
        const std::int64_t target = detail::jump_target(o, i);
        std::int64_t lands = detail::jump_target(n, at);
        if (detail::is_conditional_jump(o)) {
          ASSERT_TRUE(w.trampolines.count(static_cast<std::uint32_t>(lands)))
              << "conditional jump " << i << " must go through its counter";
          const std::uint32_t go = w.probe_end.at(static_cast<std::uint32_t>(lands));
          lands = detail::jump_target(after.code[go], go);
        }
        EXPECT_TRUE(lands_on(static_cast<std::uint32_t>(lands), static_cast<std::uint32_t>(target)))
            << "jump " << i << " to " << target << " lands at " << lands;
      } else if (!(detail::is_call(o) && o.src() == 1) && !before.relocated.count(i)) {
        EXPECT_EQ(o.off, n.off) << "instruction " << i;
        EXPECT_EQ(o.imm, n.imm) << "instruction " << i;
      }
    }

    // Line records: each original one still at its instruction (or at the
    // counter in front of it), and one at the function's first instruction
    // as the verifier requires.
    const auto &old_lines = plain.lines.at(before.section), &new_lines = counted.lines.at(after.section);
    auto has_line = [&](std::uint32_t insn, const detail::line_record &want) {
      return std::any_of(new_lines.begin(), new_lines.end(), [&](const detail::line_record &r) {
        return r.insn == insn && r.line == want.line && r.file == want.file;
      });
    };
    bool first_has_line = false;
    for (const auto &r : new_lines) first_has_line |= r.insn == after.first;
    EXPECT_TRUE(first_has_line);
    for (const auto &r : old_lines) {
      if (r.insn < before.first || r.insn >= before.first + before.code.size()) continue;
      const std::uint32_t at = w.new_index[r.insn - before.first];
      std::uint32_t probe_start = at;
      for (const auto &[start, end] : w.probe_end)
        if (end == at) probe_start = start;
      EXPECT_TRUE(has_line(after.first + at, r) || has_line(after.first + probe_start, r))
          << r.file << ":" << r.line << " of instruction " << r.insn;
    }
  }
  EXPECT_EQ(probes, inst.sources.counters());
}

TEST_P(every_object, opens_in_libbpf_with_its_counter_map) {
  const cov::instrumented_object inst = cov::instrument(read_bytes(GetParam().path), GetParam().path);
  bpf_object *obj = bpf_object__open_mem(inst.elf.data(), inst.elf.size(), nullptr);
  ASSERT_NE(obj, nullptr) << "libbpf cannot open the instrumented object: " << std::strerror(errno);
  const bpf_map *map = bpf_object__find_map_by_name(obj, cov::counter_section);
  ASSERT_NE(map, nullptr);
  EXPECT_EQ(bpf_map__type(map), BPF_MAP_TYPE_ARRAY);
  EXPECT_EQ(bpf_map__max_entries(map), 1u);
  EXPECT_EQ(bpf_map__value_size(map), inst.sources.counters() * 8);
  EXPECT_TRUE(bpf_map__map_flags(map) & BPF_F_MMAPABLE) << "the counters' BTF makes the map mmap-able";
  std::size_t programs = 0;
  bpf_program *prog;
  bpf_object__for_each_program(prog, obj) ++programs;
  EXPECT_EQ(programs, inst.costs.size());
  bpf_object__close(obj);
}

TEST_P(every_object, is_deterministic) {
  const auto bytes = read_bytes(GetParam().path);
  EXPECT_EQ(cov::instrument(bytes, "a").elf, cov::instrument(bytes, "b").elf);
}

INSTANTIATE_TEST_SUITE_P(objects, every_object, ::testing::ValuesIn(all_objects()),
                         [](const auto &info) { return coverage_test::param_name(info.param.variant); });

cov::instrumented_object instrument_file(const std::string &path, cov::instrument_options options = {}) {
  return cov::instrument(read_bytes(path), path, options);
}

std::string paths_object() { return objects("paths").front().path; }

TEST(costs, count_a_program_with_the_subprograms_it_calls) {
  const auto inst = instrument_file(paths_object());
  const auto it = std::find_if(inst.costs.begin(), inst.costs.end(),
                               [](const cov::program_cost &c) { return c.program == "branch_on_length"; });
  ASSERT_NE(it, inst.costs.end());
  EXPECT_EQ(it->section, "xdp");
  EXPECT_EQ(it->functions, (std::vector<std::string>{"branch_on_length", "classify"}));
  const object_view plain = view(read_bytes(paths_object())), counted = view(inst.elf);
  EXPECT_EQ(it->plain_insns,
            plain.functions.at("branch_on_length").code.size() + plain.functions.at("classify").code.size());
  EXPECT_EQ(it->instrumented_insns,
            counted.functions.at("branch_on_length").code.size() + counted.functions.at("classify").code.size());
  EXPECT_GT(it->instrumented_insns, it->plain_insns);
}

TEST(leave_plain, keeps_a_program_as_it_was_and_counts_the_rest) {
  cov::instrument_options options;
  options.leave_plain = {"branch_on_length"};
  const auto inst = instrument_file(paths_object(), options);
  ASSERT_EQ(inst.left_plain.size(), 1u);
  EXPECT_EQ(inst.left_plain[0].function, "branch_on_length");
  EXPECT_EQ(inst.left_plain[0].reason, "left plain on request");
  const auto markers = coverage_test::markers(PATHS_SOURCE);
  const cov::file_coverage file = inst.sources.zero().files.at(PATHS_SOURCE);
  EXPECT_FALSE(file.lines.count(markers.at("always"))) << "a plain function's lines are not measured";
  EXPECT_TRUE(file.lines.count(markers.at("never")));
  EXPECT_TRUE(file.functions.count("classify"));
  EXPECT_FALSE(file.functions.count("branch_on_length"));
}

TEST(leave_plain, a_function_with_no_stack_left_for_scratch_registers) {
  const auto inst = instrument_file(LIMITS_OBJECT);
  ASSERT_EQ(inst.left_plain.size(), 1u);
  EXPECT_EQ(inst.left_plain[0].function, "full_stack");
  EXPECT_NE(inst.left_plain[0].reason.find("bytes of stack: no room for the 16 bytes"), std::string::npos)
      << inst.left_plain[0].reason;
  EXPECT_NE(inst.left_plain[0].reason.find("512"), std::string::npos);
}

TEST(leave_plain, not_when_the_stack_has_room_to_save_registers) {
  const auto bytes = read_bytes(LIMITS_OBJECT);
  const auto inst = instrument_file(LIMITS_OBJECT);
  // The views own the functions: keep them alive while their code is read.
  const auto before_view = view(bytes), after_view = view(inst.elf);
  const function_view &before = before_view.functions.at("crowded"), &after = after_view.functions.at("crowded");
  auto saves = [](const function_view &f) {
    return std::count_if(f.code.begin(), f.code.end(), [](const detail::bpf_insn &i) { return is_spill(i); });
  };
  EXPECT_EQ(saves(before), 0) << "crowded uses no stack of its own";
  EXPECT_GE(saves(after), 2) << "where every register is in use, the counter saves two";
  for (const auto &p : inst.left_plain) EXPECT_NE(p.function, "crowded");
}

TEST(source_map, zero_lists_every_measured_line_function_and_branch) {
  const auto inst = instrument_file(paths_object());
  const auto markers = coverage_test::markers(PATHS_SOURCE);
  const cov::coverage_data zero = inst.sources.zero();
  ASSERT_EQ(zero.files.size(), 1u);
  const cov::file_coverage &file = zero.files.at(PATHS_SOURCE);
  for (const char *marker : {"always", "long_packet", "short_packet", "huge_packet", "never"}) {
    ASSERT_TRUE(file.lines.count(markers.at(marker))) << marker;
    EXPECT_EQ(file.lines.at(markers.at(marker)), 0u);
  }
  EXPECT_EQ(file.functions.size(), 3u);
  EXPECT_FALSE(file.branches.empty());
  for (const auto &[id, taken] : file.branches) EXPECT_FALSE(taken) << "a jump that never ran has '-' branches";
  const std::vector<std::string> one{"never_run"};
  EXPECT_EQ(inst.sources.zero(one).files.at(PATHS_SOURCE).functions.size(), 1u);
}

TEST(source_map, rejects_counters_of_another_object) {
  const auto inst = instrument_file(paths_object());
  try {
    inst.sources.apply(std::vector<std::uint64_t>(inst.sources.counters() + 1));
    FAIL() << "no error";
  } catch (const cov::error &e) {
    EXPECT_NE(std::string(e.what()).find("values given, but the object was instrumented with"), std::string::npos);
  }
  EXPECT_THROW(inst.sources.apply_bytes(std::vector<std::byte>(3)), cov::error);
}

// The message for an object that cannot be instrumented at all.
std::string instrument_error(const std::vector<std::byte> &bytes) {
  try {
    cov::instrument(bytes, "input.o");
  } catch (const cov::error &e) {
    return e.what();
  }
  return "no error";
}

TEST(errors, name_the_object_and_the_fix) {
  const std::string text = "not an object";
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  EXPECT_EQ(instrument_error(bytes), "input.o: not an ELF file");
  EXPECT_EQ(instrument_error({}), "input.o: not an ELF file");

  EXPECT_EQ(instrument_error(read_bytes("/proc/self/exe")).rfind("input.o: not a BPF object (ELF machine", 0), 0u);

  auto big_endian = read_bytes(paths_object());
  big_endian[EI_DATA] = std::byte{ELFDATA2MSB};
  EXPECT_EQ(instrument_error(big_endian),
            "input.o: a big-endian BPF object (bpfeb): coverage supports little-endian objects only");

  auto truncated = read_bytes(paths_object());
  truncated.resize(truncated.size() / 2);
  EXPECT_NE(instrument_error(truncated).find("input.o: "), std::string::npos);

  EXPECT_EQ(instrument_error(read_bytes(NO_BTF_OBJECT)),
            "input.o: has no BTF line info (.BTF and .BTF.ext): coverage maps counters to source lines through "
            "it. Compile with -g (bpf_add_object does).");

  auto broken = detail::elf_object::parse(read_bytes(paths_object()), "input.o");
  auto &rel = broken.sections[broken.find(".relxdp")];
  auto relocations = detail::read_table<Elf64_Rel>(rel);
  relocations.at(0).r_info = ELF64_R_INFO(100000, 1);
  detail::write_table(rel, relocations);
  EXPECT_EQ(instrument_error(broken.serialize()),
            "input.o: relocation #0 of .relxdp names an instruction or symbol that does not exist");

  const auto once = instrument_file(paths_object());
  EXPECT_EQ(instrument_error(once.elf), "input.o: is already instrumented (it has a .data.bpfkit_cov section)");
}

}  // namespace
