// inspect.load.*: what `bpfkit core` predicts for each CO-RE relocation is
// what libbpf writes when it loads the object: against the running kernel,
// and against Debian 6.1's BTF (libbpf's btf_custom_path) loaded into this
// kernel. Checked in libbpf's final instructions (bpf_program__insns() after
// load) and, where the kernel kept the instruction as it was, in the
// program's xlated instructions read back from the kernel.
//
// Needs the privilege to load BPF (reported skipped without it); the 6.1
// cases need the BTF that the inspect.kernel_btf_6.1 fixture extracts
// (skipped with its reason when it could not).
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <unistd.h>
#include <vector>

#include "bpfkit/inspect/btf_source.hpp"
#include "bpfkit/inspect/core.hpp"
#include "bpfkit/inspect/core_report.hpp"
#include "bpfkit/inspect/object_file.hpp"

namespace {

namespace inspect = bpfkit::inspect;

std::string libbpf_log;
int capture(libbpf_print_level, const char *format, va_list args) {
  char buffer[4096];
  std::vsnprintf(buffer, sizeof buffer, format, args);
  libbpf_log += buffer;
  return 0;
}

// The 6.1 BTF's path, or why there is none.
struct kernel_btf {
  std::string path, skip;
};
kernel_btf debian_61() {
  std::ifstream in(KERNEL_61_RESULT);
  if (!in) return {{}, "the inspect.kernel_btf_6.1 fixture did not run (" KERNEL_61_RESULT " is missing)"};
  kernel_btf k;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("path=")) k.path = line.substr(5);
    if (line.starts_with("skip=")) k.skip = line.substr(5);
  }
  if (k.path.empty() && k.skip.empty()) k.skip = KERNEL_61_RESULT " names no BTF";
  return k;
}

struct object_closer {
  void operator()(bpf_object *o) const { bpf_object__close(o); }
};
using object_ptr = std::unique_ptr<bpf_object, object_closer>;

// Opens and loads `path` with libbpf; nullopt with the error when the load fails.
struct loaded {
  object_ptr object;
  int error = 0;
};
loaded load(const std::string &path, const std::string &btf_path) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path.empty() ? nullptr : btf_path.c_str());
  loaded l;
  l.object.reset(bpf_object__open_file(path.c_str(), &opts));
  if (!l.object) {
    l.error = -errno;
    return l;
  }
  libbpf_log.clear();
  libbpf_set_print(capture);
  l.error = bpf_object__load(l.object.get());
  libbpf_set_print(nullptr);
  return l;
}

// The program's instructions as the kernel holds them (xlated).
std::vector<bpf_insn> read_xlated(int fd) {
  bpf_prog_info info{};
  std::uint32_t size = sizeof info;
  EXPECT_EQ(bpf_obj_get_info_by_fd(fd, &info, &size), 0) << std::strerror(errno);
  std::vector<bpf_insn> insns(info.xlated_prog_len / sizeof(bpf_insn));
  info = bpf_prog_info{};
  info.xlated_prog_len = static_cast<std::uint32_t>(insns.size() * sizeof(bpf_insn));
  info.xlated_prog_insns = reinterpret_cast<std::uintptr_t>(insns.data());
  size = sizeof info;
  EXPECT_EQ(bpf_obj_get_info_by_fd(fd, &info, &size), 0) << std::strerror(errno);
  return insns;
}

// What of an instruction the kernel keeps when it translates a program:
// opcode and registers always; immediates and stack offsets unless they are
// the relocated value or the kernel rewrites them (calls, map addresses,
// context field offsets, jump distances).
using insn_key = std::tuple<std::uint8_t, std::uint8_t, std::uint8_t, std::int64_t, std::int64_t>;
insn_key key_of(const bpf_insn &i, bool relocated) {
  constexpr std::int64_t none = INT64_MIN;
  std::int64_t imm = none, off = none;
  const std::uint8_t cls = BPF_CLASS(i.code);
  if (!relocated) {
    if ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_SRC(i.code) == BPF_K) imm = i.imm;
    if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(i.code) != BPF_CALL && BPF_OP(i.code) != BPF_JA &&
        BPF_OP(i.code) != BPF_EXIT && BPF_SRC(i.code) == BPF_K)
      imm = i.imm;
    if (cls == BPF_ST) imm = i.imm;
    if ((cls == BPF_STX || cls == BPF_ST) && i.dst_reg == BPF_REG_10) off = i.off;
    if (cls == BPF_LDX && i.src_reg == BPF_REG_10) off = i.off;
  }
  return {i.code, i.dst_reg, i.src_reg, imm, off};
}

// For each of libbpf's instructions, the kernel's xlated instruction it became
// (a longest common subsequence of their keys), or -1 where the kernel removed
// or replaced it.
std::vector<long> align(const bpf_insn *ours, std::size_t count, const std::vector<bpf_insn> &kernel,
                        const std::vector<bool> &relocated) {
  const std::size_t n = count, m = kernel.size();
  std::vector<std::vector<std::uint16_t>> lcs(n + 1, std::vector<std::uint16_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = key_of(ours[i], relocated[i]) == key_of(kernel[j], relocated[i])
                      ? static_cast<std::uint16_t>(lcs[i + 1][j + 1] + 1)
                      : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<long> mapping(n, -1);
  for (std::size_t i = 0, j = 0; i < n && j < m;) {
    if (key_of(ours[i], relocated[i]) == key_of(kernel[j], relocated[i])) {
      mapping[i++] = static_cast<long>(j++);
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return mapping;
}

// Where the relocated instruction `r` is in libbpf's final instructions of
// the program `program`: its own index for the program's code, after the
// program's code for an appended subprogram (found through the call to it).
std::optional<std::size_t> final_index(const inspect::object_file &object, bpf_program *program,
                                       const inspect::core_relocation &r) {
  const inspect::function_symbol *main = object.function(bpf_program__name(program));
  if (!main) return {};
  if (r.function == main->name) return r.insn;
  const bpf_insn *insns = bpf_program__insns(program);
  const std::size_t count = bpf_program__insn_cnt(program);
  for (std::size_t i = 0; i < main->insn_count && i < count; ++i)
    if (insns[i].code == (BPF_JMP | BPF_CALL) && insns[i].src_reg == BPF_PSEUDO_CALL) {
      const auto *callee = object.call_target(main->section, main->first_insn + static_cast<std::uint32_t>(i));
      if (callee && callee->name == r.function) return static_cast<std::size_t>(i + 1 + insns[i].imm) + r.insn;
    }
  return {};
}

// What libbpf's instruction holds where the relocation writes its value.
std::uint64_t written_value(const bpf_insn *insn) {
  switch (BPF_CLASS(insn->code)) {
    case BPF_LDX:
    case BPF_ST:
    case BPF_STX:
      return static_cast<std::uint64_t>(static_cast<std::int64_t>(insn->off));
    case BPF_LD:
      return static_cast<std::uint32_t>(insn[0].imm) | static_cast<std::uint64_t>(static_cast<std::uint32_t>(insn[1].imm)) << 32;
    default:
      return static_cast<std::uint64_t>(static_cast<std::int64_t>(insn->imm));
  }
}

std::uint64_t as_written(const inspect::core_relocation &r, const bpf_insn *insn) {
  const std::uint64_t v = r.decision.target_value;
  switch (BPF_CLASS(insn->code)) {
    case BPF_LDX:
    case BPF_ST:
    case BPF_STX:
      return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int16_t>(v)));
    case BPF_LD:
      return v;
    default:
      return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(v)));
  }
}

struct check_counts {
  std::size_t libbpf = 0, xlated = 0, poisoned = 0;
};

// Compares every relocation of `analysis` with what libbpf wrote into the
// loaded object, and with the kernel's xlated code where it is unchanged.
check_counts compare_with_libbpf(const inspect::object_file &object, const inspect::core_analysis &analysis,
                                 bpf_object *loaded_object) {
  check_counts counts;
  bpf_program *program;
  bpf_object__for_each_program(program, loaded_object) {
    const std::string name = bpf_program__name(program);
    const inspect::function_symbol *main = object.function(name);
    if (!main) {
      ADD_FAILURE() << "libbpf's program " << name << " is no function of the object";
      continue;
    }
    const bpf_insn *insns = bpf_program__insns(program);
    const std::size_t count = bpf_program__insn_cnt(program);
    std::vector<bool> relocated(count, false);
    for (const inspect::core_relocation &r : analysis.relocations)
      if (const auto index = final_index(object, program, r); index && *index < count) relocated[*index] = true;
    const std::vector<bpf_insn> kernel = read_xlated(bpf_program__fd(program));
    const std::vector<long> xlated_index = align(insns, count, kernel, relocated);

    for (const inspect::core_relocation &r : analysis.relocations) {
      const std::optional<std::size_t> index = final_index(object, program, r);
      if (!index) continue;  // another program's
      SCOPED_TRACE(name + " insn " + std::to_string(*index) + ": " + inspect::core_kind_phrase(r.record.kind) + " " +
                   r.access + (r.line ? " at line " + std::to_string(r.line->line) : ""));
      if (*index >= count) {
        ADD_FAILURE() << "the instruction is past libbpf's " << count;
        continue;
      }
      const bpf_insn *insn = insns + *index;
      switch (r.decision.what) {
        case inspect::core_decision::outcome::value:
          EXPECT_FALSE(inspect::is_poisoned(*insn));
          EXPECT_EQ(written_value(insn), as_written(r, insn))
              << "bpfkit predicted " << r.decision.target_value << ", libbpf wrote " << written_value(insn);
          break;
        case inspect::core_decision::outcome::poison:
          EXPECT_TRUE(inspect::is_poisoned(*insn)) << "bpfkit predicted a poisoned instruction: " << r.decision.reason;
          ++counts.poisoned;
          break;
        case inspect::core_decision::outcome::error:
          ADD_FAILURE() << "bpfkit predicted that libbpf refuses the object, but it loaded: " << r.decision.reason;
      }
      ++counts.libbpf;
      // In the kernel's code: the values of immediates (the kernel rewrites
      // context loads and stores, so their offsets are not libbpf's).
      const std::uint8_t cls = BPF_CLASS(insn->code);
      if (r.decision.what != inspect::core_decision::outcome::value || (cls != BPF_ALU && cls != BPF_ALU64 && cls != BPF_LD))
        continue;
      if (xlated_index[*index] < 0) continue;  // removed as dead code, or rewritten
      const bpf_insn &k = kernel[static_cast<std::size_t>(xlated_index[*index])];
      EXPECT_EQ(written_value(&k), as_written(r, insn)) << "in the kernel's xlated instruction " << xlated_index[*index];
      ++counts.xlated;
    }
  }
  return counts;
}

// Whether struct `type` of `b` has a member `field` (at its top level).
bool has_field(const btf *b, const char *type, const char *field) {
  const int id = btf__find_by_name_kind(b, type, BTF_KIND_STRUCT);
  if (id <= 0) return false;
  const btf_type *t = btf__type_by_id(b, static_cast<std::uint32_t>(id));
  for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
    const char *name = btf__name_by_offset(b, btf_members(t)[i].name_off);
    if (name && std::strcmp(name, field) == 0) return true;
  }
  return false;
}

const inspect::core_relocation *at_line(const inspect::core_analysis &a, std::uint32_t line,
                                        bpf_core_relo_kind kind) {
  for (const inspect::core_relocation &r : a.relocations)
    if (r.line && r.line->line == line && r.record.kind == kind) return &r;
  return nullptr;
}

// The CO-RE objects: core_probe.bpf.c built by bpf_add_object() and by each
// other installed clang (CORE_OBJECTS, separated by '|').
std::vector<std::string> core_objects() {
  std::vector<std::string> paths;
  std::stringstream list(CORE_OBJECTS);
  for (std::string path; std::getline(list, path, '|');)
    if (!path.empty()) paths.push_back(path);
  return paths;
}

std::string object_label(const ::testing::TestParamInfo<std::string> &info) {
  std::string name = info.param.substr(info.param.find_last_of('/') + 1);
  name = name.substr(0, name.find(".bpf.o"));
  for (char &c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

class LoadTest : public ::testing::Test {
 protected:
  // The analysis against `btf_path` (empty: the running kernel), and the
  // object as libbpf loaded it against the same BTF.
  void analyze_and_load(const std::string &object_path, const std::string &btf_path) {
    object.emplace(inspect::object_file::read(object_path));
    kernel = btf_path.empty() ? inspect::read_running_kernel_btf() : inspect::read_btf_file(btf_path);
    inspect::core_target target{kernel.types.get(), kernel.origin, {}};
    if (btf_path.empty())
      target.modules = [this]() -> const std::vector<inspect::module_btf> & {
        if (!modules) modules = inspect::read_running_module_btfs(kernel.types.get());
        return *modules;
      };
    analysis = inspect::analyze_core(*object, target);
    // Creating a map needs what loading needs (CAP_BPF or root).
    const int probe = bpf_map_create(BPF_MAP_TYPE_ARRAY, nullptr, 4, 4, 1, nullptr);
    if (probe < 0 && (errno == EPERM || errno == EACCES)) GTEST_SKIP() << "no privilege to load BPF programs";
    if (probe >= 0) close(probe);
    result = load(object_path, btf_path);
  }

  std::optional<inspect::object_file> object;
  inspect::named_btf kernel;
  std::optional<std::vector<inspect::module_btf>> modules;
  inspect::core_analysis analysis;
  loaded result;
};

class CoreObject : public LoadTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(CoreObject, RunningKernelValuesAreLibbpfs) {
  analyze_and_load(GetParam(), "");
  if (IsSkipped()) return;
  ASSERT_EQ(result.error, 0) << libbpf_log;
  const auto counts = compare_with_libbpf(*object, analysis, result.object.get());
  EXPECT_GE(analysis.relocations.size(), 20u);
  EXPECT_EQ(counts.libbpf, analysis.relocations.size());
  EXPECT_GE(counts.xlated, 10u) << "too few relocations found unchanged in the kernel's xlated code";
  EXPECT_GE(counts.poisoned, 2u);

  // The field no kernel has: exists is 0 and the guarded read is poisoned dead code.
  const auto *check = at_line(analysis, MISSING_CHECK_LINE, BPF_CORE_FIELD_EXISTS);
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->decision.target_value, 0u);
  const auto *read = at_line(analysis, MISSING_READ_LINE, BPF_CORE_FIELD_BYTE_OFFSET);
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(inspect::status_of(*read), inspect::core_status::fails_guarded);
  EXPECT_EQ(read->decision.reason, "struct task_struct has no field 'no_such_field'");
  // The field only newer kernels have resolves where the running kernel has
  // it (the kernel matrix runs this on 6.1 too).
  const auto *host_only = at_line(analysis, HOST_ONLY_READ_LINE, BPF_CORE_FIELD_BYTE_OFFSET);
  ASSERT_NE(host_only, nullptr);
  EXPECT_EQ(inspect::status_of(*host_only), has_field(kernel.types.get(), "task_struct", "mm_cid")
                                                ? inspect::core_status::resolved
                                                : inspect::core_status::fails_guarded);
  EXPECT_TRUE(inspect::summarize(analysis, inspect::select_functions(analysis, std::nullopt)).ok());
}

TEST_P(CoreObject, Debian61ValuesAreLibbpfs) {
  const kernel_btf v61 = debian_61();
  if (!v61.skip.empty()) GTEST_SKIP() << v61.skip;
  analyze_and_load(GetParam(), v61.path);
  if (IsSkipped()) return;
  ASSERT_EQ(result.error, 0) << libbpf_log;
  const auto counts = compare_with_libbpf(*object, analysis, result.object.get());
  EXPECT_EQ(counts.libbpf, analysis.relocations.size());
  EXPECT_GE(counts.xlated, 10u);

  // 6.1 lays task_struct out differently from the running kernel.
  const auto *tgid = at_line(analysis, TGID_LINE, BPF_CORE_FIELD_BYTE_OFFSET);
  ASSERT_NE(tgid, nullptr);
  EXPECT_NE(tgid->decision.local_value, tgid->decision.target_value)
      << "tgid is at the same offset on 6.1 as in the object: not a test of relocation";
  // thread_group exists on 6.1, mm_cid does not.
  const auto *v61_read = at_line(analysis, V61_ONLY_READ_LINE, BPF_CORE_FIELD_BYTE_OFFSET);
  ASSERT_NE(v61_read, nullptr);
  EXPECT_EQ(inspect::status_of(*v61_read), inspect::core_status::resolved);
  const auto *host_only = at_line(analysis, HOST_ONLY_READ_LINE, BPF_CORE_FIELD_BYTE_OFFSET);
  ASSERT_NE(host_only, nullptr);
  EXPECT_EQ(inspect::status_of(*host_only), inspect::core_status::fails_guarded);
  EXPECT_EQ(host_only->decision.reason, "struct task_struct has no field 'mm_cid'");
}

INSTANTIATE_TEST_SUITE_P(Compilers, CoreObject, ::testing::ValuesIn(core_objects()), object_label);

TEST_F(LoadTest, UnguardedMissingFieldIsRejectedWhereBpfkitSaysSo) {
  analyze_and_load(UNGUARDED_OBJECT, "");
  if (IsSkipped()) return;
  const auto *read = at_line(analysis, UNGUARDED_LINE, BPF_CORE_FIELD_BYTE_OFFSET);
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(inspect::status_of(*read), inspect::core_status::fails);
  EXPECT_FALSE(inspect::summarize(analysis, inspect::select_functions(analysis, std::nullopt)).ok());
  // libbpf poisons it and the verifier rejects the program there: the
  // kernel says "invalid func unknown#195896080", which libbpf (since 1.0)
  // rewrites in the log it prints as "<invalid CO-RE relocation>".
  EXPECT_NE(result.error, 0);
  const std::string at = std::to_string(read->insn) + ": ";
  EXPECT_TRUE(libbpf_log.find(at + "<invalid CO-RE relocation>") != std::string::npos ||
              libbpf_log.find("invalid func unknown#195896080") != std::string::npos)
      << libbpf_log;
}

}  // namespace
