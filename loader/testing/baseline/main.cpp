// bpfkit-baseline: the tool behind bpf_verifier_baseline() (BpfVerifierBaseline.cmake).
//
//   bpfkit-baseline check SPEC    the ctest test: compare every program's
//                                 verified instruction count with the file
//   bpfkit-baseline update SPEC   the <test>_update target: rewrite the file
//
// SPEC is written by CMake (see baseline.hpp). Exit status: 0 passed or
// updated, 1 failed, 2 usage, 77 no privilege to load BPF (ctest reports the
// test skipped through SKIP_RETURN_CODE; the update target fails).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "baseline.hpp"
#include "bpfkit/large_pages.hpp"
#include "bpfkit/version.hpp"
#include "bpfkit/testing/test_session.hpp"
#include "measure.hpp"
#include "per_kernel.hpp"

namespace {

using namespace bpfkit::baseline;

constexpr int exit_passed = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_skipped = 77;

std::optional<std::string> read_text(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || !std::filesystem::exists(path)) return std::nullopt;
    throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `text` to `path` through a temporary file in the same directory and
// a rename: readers see the old file or the new one, never half of one.
void write_atomically(const std::string &path, const std::string &text) {
  namespace fs = std::filesystem;
  fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      fs::remove(temporary, ec);
      throw std::runtime_error(path + ": cannot write " + temporary + ": " + std::strerror(errno));
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    int err = errno;
    fs::remove(temporary, ec);
    throw std::runtime_error(path + ": cannot replace it: " + std::strerror(err));
  }
}

std::string plural(std::size_t n, const char *word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string object_names(const spec &s) {
  std::string names;
  for (const auto &[name, path] : s.objects) names += (names.empty() ? "" : ", ") + name;
  return names;
}

std::vector<measurement> measure_all(const spec &s) {
  std::vector<measurement> all;
  for (const auto &[name, path] : s.objects) {
    std::vector<measurement> some = measure_object(name, path);
    all.insert(all.end(), some.begin(), some.end());
  }
  return all;
}

// FILE as written, with {kernel}, and the running kernel's series: set when
// the baseline keeps one file per kernel (then spec::file is this kernel's).
struct kernel_files {
  std::string file_template;
  std::string series;
  bool per_kernel() const { return !series.empty(); }
};

// Inside the kernel matrix, a per-kernel check records what it measured for
// <test>_update on the host (per_kernel.hpp). Returns a sentence saying so,
// or nothing when it recorded nothing.
std::optional<std::string> record_counts(const spec &s, const kernel_files &kf,
                                         const std::vector<measurement> &now) {
  const char *vm_out = std::getenv("BPFKIT_VM_OUT");
  if (!kf.per_kernel() || !vm_out || !*vm_out) return std::nullopt;
  counts measured;
  for (const measurement &m : now) {
    if (!m.insns) return std::nullopt;  // the update refuses rejected programs too
    measured.emplace(m.key, *m.insns);
  }
  const std::string path = record_path(vm_out, s, kf.series);
  try {
    write_atomically(path, format_baseline(measured));
  } catch (const std::exception &e) {
    return "the counts of kernel " + kf.series + " could not be recorded for the update: " + e.what();
  }
  const char *kernel = std::getenv("BPFKIT_VM_KERNEL");
  return "the counts of kernel " + kf.series + " are recorded in the kernel matrix's results" +
         (kernel && *kernel ? std::string(" of ") + kernel : std::string()) + " (" + path +
         "): run " + s.update_command + " on the host to write them to " + s.file;
}

// --- check ------------------------------------------------------------------

int check(const spec &s, const kernel_files &kf, bpfkit::testing::test_session &session) {
  std::optional<counts> baseline;
  std::optional<std::string> text = read_text(s.file);
  if (text) {
    try {
      baseline = parse_baseline(*text, s.file);
      for (const auto &[key, insns] : *baseline) session.set_baseline(key.first, key.second, insns);
    } catch (const file_error &e) {
      std::printf("FAILED %s: the baseline file cannot be read:\n  %s\n", s.test.c_str(), e.what());
      std::printf("fix it, or rewrite it with the current counts: %s\n", s.update_command.c_str());
      return exit_failed;
    }
  }

  std::vector<measurement> now;
  try {
    require_privilege();
    now = measure_all(s);
  } catch (const no_privilege &e) {
    // A per-kernel file of a kernel that counts nothing can never exist.
    const bool uncountable_kernel = kf.per_kernel() && dynamic_cast<const no_counts *>(&e);
    if (!baseline && !uncountable_kernel) {
      // Not a privilege problem: the file is missing whoever runs the test.
      std::printf("FAILED %s: the baseline file %s does not exist.\n", s.test.c_str(), s.file.c_str());
      std::printf("create it (needs the privilege to load BPF: %s) with: %s\n", e.what(),
                  s.update_command.c_str());
      return exit_failed;
    }
    std::printf("SKIPPED %s: %s\n", s.test.c_str(), e.what());
    return exit_skipped;
  }

  const std::optional<std::string> recorded = record_counts(s, kf, now);
  if (!baseline) {
    std::printf("FAILED %s: the baseline file %s does not exist. The current counts:\n", s.test.c_str(),
                s.file.c_str());
    for (const measurement &m : now) {
      if (m.insns)
        std::printf("  %s: %llu insns\n", display(m.key).c_str(), static_cast<unsigned long long>(*m.insns));
      else
        std::printf("  %s: rejected by the verifier:\n%s\n", display(m.key).c_str(),
                    indent_lines(m.rejection, "    ").c_str());
    }
    std::printf("create the file with: %s\n", s.update_command.c_str());
    if (recorded) std::printf("%s\n", recorded->c_str());
    return exit_failed;
  }

  comparison c = compare(*baseline, now, s.tol);
  std::printf("%s: %s of %s against %s (tolerance %s%%)\n", s.test.c_str(),
              plural(now.size(), "program").c_str(), object_names(s).c_str(), s.file.c_str(),
              s.tol.spelled.c_str());
  for (const finding &f : c.findings) std::printf("  %s\n", f.text.c_str());

  const std::string failures = summary(c, {verdict::grew_past, verdict::added, verdict::removed, verdict::rejected});
  const std::string others = summary(c, {verdict::grew_within, verdict::shrunk, verdict::unchanged});
  if (!c.failed()) {
    std::printf("PASSED %s: %s\n", s.test.c_str(), others.c_str());
    if (c.count(verdict::shrunk))
      std::printf("note: %s shrank; lower the baseline with: %s\n",
                  plural(c.count(verdict::shrunk), "program").c_str(), s.update_command.c_str());
    return exit_passed;
  }
  std::printf("FAILED %s: %s%s%s\n", s.test.c_str(), failures.c_str(), others.empty() ? "" : "; ",
              others.c_str());
  if (c.count(verdict::added) || c.count(verdict::removed))
    std::printf("the baseline must list exactly the programs of %s: new and removed programs need an "
                "update of the file\n",
                object_names(s).c_str());
  if (c.count(verdict::rejected))
    std::printf("fix the rejected programs: the baseline records only programs the verifier accepts\n");
  if (c.update_fixes())
    std::printf("to accept the current counts (rewrites %s): %s\n", s.file.c_str(), s.update_command.c_str());
  if (recorded) std::printf("%s\n", recorded->c_str());
  return exit_failed;
}

// --- update -----------------------------------------------------------------

void print_changes(const counts &before, const counts &current);

// Measures the running kernel and rewrites its file.
int update_running_kernel(const spec &s) {
  std::optional<counts> old;
  std::optional<std::string> text = read_text(s.file);
  if (text) {
    try {
      old = parse_baseline(*text, s.file);
    } catch (const file_error &e) {
      std::printf("replacing a baseline file that cannot be read: %s\n", e.what());
    }
  }

  std::vector<measurement> now;
  try {
    require_privilege();
    now = measure_all(s);
  } catch (const no_privilege &e) {
    std::printf("bpfkit-baseline: cannot update %s: %s\n", s.file.c_str(), e.what());
    return exit_skipped;
  }

  counts current;
  std::size_t rejected = 0;
  for (const measurement &m : now) {
    if (m.insns) {
      current.emplace(m.key, *m.insns);
      continue;
    }
    ++rejected;
    std::printf("  %s: rejected by the verifier:\n%s\n", display(m.key).c_str(),
                indent_lines(m.rejection, "    ").c_str());
  }
  if (rejected) {
    std::printf("%s: not updating %s: the verifier rejected %s (fix the code first)\n", s.test.c_str(),
                s.file.c_str(), plural(rejected, "program").c_str());
    return exit_failed;
  }

  const std::string new_text = format_baseline(current);
  if (text && *text == new_text) {
    std::printf("%s: %s is up to date (%s)\n", s.test.c_str(), s.file.c_str(),
                plural(current.size(), "program").c_str());
    return exit_passed;
  }
  write_atomically(s.file, new_text);
  std::printf("%s: %s %s (%s)\n", s.test.c_str(), text ? "updated" : "created", s.file.c_str(),
              plural(current.size(), "program").c_str());

  print_changes(old.value_or(counts{}), current);
  return exit_passed;
}

// The counts the kernel matrix recorded in other kernels (per_kernel.hpp),
// written to those kernels' files. A file newer than the record (written by
// an earlier update, or edited) is kept. Returns exit_failed when a record
// cannot be read or a file cannot be written.
int import_records(const spec &s, const kernel_files &kf) {
  namespace fs = std::filesystem;
  // The newest record per kernel series (two kernels of one series may have run).
  std::map<std::string, recorded_counts> newest;
  for (const recorded_counts &r : find_records(s)) {
    if (r.series == kf.series) continue;  // measured just now
    std::error_code ec;
    auto it = newest.find(r.series);
    if (it == newest.end() || fs::last_write_time(r.path, ec) > fs::last_write_time(it->second.path, ec))
      newest[r.series] = r;
  }
  int status = exit_passed;
  for (const auto &[series, r] : newest) {
    const std::string file = file_for_kernel(kf.file_template, series);
    counts recorded;
    try {
      recorded = parse_baseline(read_text(r.path).value_or(""), r.path);
    } catch (const std::exception &e) {
      std::printf("%s: cannot use the counts the kernel matrix recorded in kernel %s: %s\n", s.test.c_str(),
                  series.c_str(), e.what());
      status = exit_failed;
      continue;
    }
    std::error_code ec;
    if (fs::exists(file, ec) && fs::last_write_time(file, ec) >= fs::last_write_time(r.path, ec)) {
      std::printf("%s: kernel %s: %s is newer than the counts the kernel matrix recorded (%s): kept\n",
                  s.test.c_str(), series.c_str(), file.c_str(), r.path.c_str());
      continue;
    }
    std::optional<std::string> text = read_text(file);
    const std::string new_text = format_baseline(recorded);
    if (text && *text == new_text) {
      std::printf("%s: kernel %s: %s is up to date\n", s.test.c_str(), series.c_str(), file.c_str());
      continue;
    }
    std::optional<counts> old;
    if (text) {
      try {
        old = parse_baseline(*text, file);
      } catch (const file_error &) {
      }
    }
    write_atomically(file, new_text);
    std::printf("%s: kernel %s: %s %s from the kernel matrix's run (%s)\n", s.test.c_str(), series.c_str(),
                text ? "updated" : "created", file.c_str(), plural(recorded.size(), "program").c_str());
    print_changes(old.value_or(counts{}), recorded);
  }
  return status;
}

int update(const spec &s, const kernel_files &kf) {
  int status = update_running_kernel(s);
  if (kf.per_kernel()) {
    const int imported = import_records(s, kf);
    if (status == exit_passed) status = imported;
  }
  return status;
}

void print_changes(const counts &before, const counts &current) {
  std::set<program_key> keys;
  for (const auto &[key, insns] : before) keys.insert(key);
  for (const auto &[key, insns] : current) keys.insert(key);
  std::size_t unchanged = 0;
  for (const program_key &key : keys) {
    auto was = before.find(key);
    auto is = current.find(key);
    const std::string name = display(key);
    if (is == current.end()) {
      std::printf("  %s: removed (was %llu insns)\n", name.c_str(), static_cast<unsigned long long>(was->second));
    } else if (was == before.end()) {
      std::printf("  %s: %llu insns (new)\n", name.c_str(), static_cast<unsigned long long>(is->second));
    } else if (was->second != is->second) {
      std::printf("  %s: %llu -> %llu insns (%s)\n", name.c_str(), static_cast<unsigned long long>(was->second),
                  static_cast<unsigned long long>(is->second), percent_change(was->second, is->second).c_str());
    } else {
      ++unchanged;
    }
  }
  if (unchanged) std::printf("  %s unchanged\n", plural(unchanged, "program").c_str());
}

}  // namespace

int main(int argc, char **argv) {
  bpfkit::large_pages::use_for_heap();
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("bpfkit-baseline (bpfkit) %s\n", bpfkit::version);
    return exit_passed;
  }
  if (argc != 3 || (std::strcmp(argv[1], "check") != 0 && std::strcmp(argv[1], "update") != 0)) {
    std::fprintf(stderr, "usage: bpfkit-baseline check|update SPEC | --version\n"
                         "  (SPEC is written by bpf_verifier_baseline() in CMake)\n");
    return exit_usage;
  }
  try {
    std::optional<std::string> text = read_text(argv[2]);
    if (!text) throw std::runtime_error(std::string(argv[2]) + ": no such spec file (reconfigure the project)");
    spec s = parse_spec(*text, argv[2]);
    kernel_files kf{s.file, {}};
    if (is_per_kernel(s.file)) {
      kf.series = running_kernel_series();
      s.file = file_for_kernel(s.file, kf.series);
    }
    if (std::strcmp(argv[1], "update") == 0) {
      try {
        return update(s, kf);
      } catch (const bad_object &e) {
        std::printf("FAILED %s: %s\n", s.test.c_str(), e.what());
        return exit_failed;
      }
    }
    // The test's result file (bpf_report): each program's count and the
    // baseline it was checked against.
    bpfkit::testing::test_session session(s.test);
    int status = exit_failed;
    std::string message = "verified instructions do not match the baseline " + s.file;
    try {
      status = check(s, kf, session);
    } catch (const bad_object &e) {
      std::printf("FAILED %s: %s\n", s.test.c_str(), e.what());
      message = e.what();
    }
    using bpfkit::testing::test_outcome;
    session.finish(status == exit_passed    ? test_outcome::passed
                   : status == exit_skipped ? test_outcome::skipped
                                            : test_outcome::failed,
                   status == exit_failed ? message : "");
    return status;
  } catch (const std::exception &e) {
    std::printf("bpfkit-baseline: error: %s\n", e.what());
    return exit_failed;
  }
}
