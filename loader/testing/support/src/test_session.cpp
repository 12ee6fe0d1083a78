#include "bpfkit/testing/test_session.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "bpfkit/coverage/coverage_data.hpp"
#include "bpfkit/run_record.hpp"
#include "bpfkit/text/json.hpp"

namespace bpfkit::testing {
namespace {

namespace fs = std::filesystem;

std::string environment(const char* name, const char* fallback) {
  for (const char* variable : {name, fallback})
    if (const char* value = std::getenv(variable); value && *value) return value;
  return {};
}

std::string kernel_release() {
  utsname names{};
  return uname(&names) == 0 ? names.release : "unknown";
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// Written beside `path`, then renamed: bpf_report never reads half a file.
void write_atomically(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  const fs::path temporary = path.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      throw std::runtime_error("cannot write " + temporary.string());
    }
  }
  fs::rename(temporary, path);
}

const char* outcome_name(test_outcome outcome) {
  switch (outcome) {
    case test_outcome::passed: return "passed";
    case test_outcome::failed: return "failed";
    case test_outcome::skipped: return "skipped";
  }
  return "failed";
}

using baseline_map = std::map<std::pair<std::string, std::string>, std::uint64_t>;

std::string result_json(const std::string& test, test_outcome outcome, const std::string& message,
                        double duration_ms, const run_record::test_data& data, const baseline_map& baselines,
                        const std::string& tracefile) {
  std::string out = "{\n  \"format\": \"bpfkit-test-result\",\n  \"version\": 1,\n";
  out += "  \"test\": " + bpfkit::text::json_quote(test) + ",\n";
  out += "  \"kernel\": " + bpfkit::text::json_quote(kernel_release()) + ",\n";
  out += "  \"outcome\": \"" + std::string(outcome_name(outcome)) + "\",\n";
  out += "  \"message\": " + bpfkit::text::json_quote(message) + ",\n";
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.1f", duration_ms);
  out += "  \"duration_ms\": " + std::string(duration) + ",\n";
  out += "  \"time\": \"" + utc_now() + "\",\n";
  out += "  \"programs\": [";
  for (std::size_t i = 0; i < data.programs.size(); ++i) {
    const run_record::program_entry& p = data.programs[i];
    out += i ? ",\n" : "\n";
    out += "    {\"object\": " + bpfkit::text::json_quote(p.object) + ", \"program\": " + bpfkit::text::json_quote(p.program) +
           ", \"verified_insns\": " + std::to_string(p.verified_insns);
    if (auto baseline = baselines.find({p.object, p.program}); baseline != baselines.end())
      out += ", \"baseline_insns\": " + std::to_string(baseline->second);
    if (data.coverage_on)
      out += std::string(", \"coverage\": {\"taken\": ") + (p.counted ? "true" : "false") +
             ", \"reason\": " + bpfkit::text::json_quote(p.reason) + ", \"verified_insns\": " +
             std::to_string(p.counted ? p.counted_verified_insns : p.verified_insns) + "}";
    out += "}";
  }
  out += data.programs.empty() ? "]" : "\n  ]";
  if (!tracefile.empty()) out += ",\n  \"tracefile\": " + bpfkit::text::json_quote(tracefile);
  return out + "\n}\n";
}

}  // namespace

std::string test_session::coverage_dir() {
  // The default says the build tree counts coverage; BPFKIT_COVERAGE_DIR only
  // moves the files (the kernel matrix's guest sets it for every build).
  if (environment("BPFKIT_COVERAGE_DEFAULT_DIR", "BPFKIT_COVERAGE_DEFAULT_DIR").empty()) return {};
  return environment("BPFKIT_COVERAGE_DIR", "BPFKIT_COVERAGE_DEFAULT_DIR");
}
std::string test_session::results_dir() { return environment("BPFKIT_RESULTS_DIR", "BPFKIT_RESULTS_DEFAULT_DIR"); }

test_session::test_session(std::string test) : test_(std::move(test)), started_(std::chrono::steady_clock::now()) {
  if (!coverage_dir().empty()) run_record::enable_coverage();
  run_record::begin();
  run_record::on_printk_programs([this] { start_capture(); });
}

test_session::~test_session() { run_record::on_printk_programs({}); }

void test_session::start_capture() {
  printk_programs_ = true;
  if (capture_ || !capture_problem_.empty()) return;
  try {
    capture_.emplace(printk_capture::start());
  } catch (const printk_unavailable& e) {
    capture_problem_ = e.what();
  }
}

std::string test_session::printk_report() const {
  if (!printk_programs_) return {};
  if (!capture_) return "  bpf_printk during this test: not captured: " + capture_problem_ + "\n";
  try {
    const std::vector<printk_line> lines = capture_->lines();
    if (lines.empty()) return "  bpf_printk during this test: nothing printed\n";
    return "  bpf_printk during this test (" + std::to_string(lines.size()) +
           (lines.size() == 1 ? " line):\n" : " lines):\n") + format_printk(lines);
  } catch (const std::exception& e) {
    return std::string("  bpf_printk during this test: cannot read the capture: ") + e.what() + "\n";
  }
}

void test_session::set_baseline(const std::string& object, const std::string& program, std::uint64_t insns) {
  baselines_[{object, program}] = insns;
}

void test_session::record_programs(std::vector<run_record::program_entry> programs) {
  for (auto& p : programs) recorded_.push_back(std::move(p));
}

std::vector<std::string> test_session::finish(test_outcome outcome, const std::string& message) {
  std::vector<std::string> notes;
  const double duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  run_record::test_data data = run_record::end();
  data.programs.insert(data.programs.end(), recorded_.begin(), recorded_.end());
  for (const run_record::program_entry& p : data.programs)
    if (data.coverage_on && !p.counted)
      notes.push_back("coverage not taken for " + p.object + "/" + p.program + ": " + p.reason);

  const std::string file_name = bpfkit::coverage::lcov_test_name(test_);
  std::string tracefile;
  if (const std::string dir = coverage_dir(); !dir.empty() && !data.counts.files.empty()) {
    tracefile = (fs::path(dir) / (file_name + ".info")).string();
    try {
      fs::create_directories(dir);
      bpfkit::coverage::tracefile trace;
      trace.tests[file_name] = std::move(data.counts);
      bpfkit::coverage::write_tracefile(tracefile, trace);
    } catch (const std::exception& e) {
      notes.push_back(std::string("coverage not written: ") + e.what());
      tracefile.clear();
    }
  }
  if (const std::string dir = results_dir(); !dir.empty()) {
    try {
      write_atomically(fs::path(dir) / (file_name + ".json"),
                       result_json(test_, outcome, message, duration_ms, data, baselines_, tracefile));
    } catch (const std::exception& e) {
      notes.push_back(std::string("result file not written: ") + e.what());
    }
  }
  return notes;
}

}  // namespace bpfkit::testing
