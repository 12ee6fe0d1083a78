// bpfkit-coverage: the coverage engine's command line, used by the
// bpf_coverage target and for looking at what instrumentation does.
//
//   bpfkit-coverage merge -o OUT.info (TRACEFILE|DIRECTORY)...
//   bpfkit-coverage initial -o OUT.info [--programs PROGRAMS.json] OBJECT...
//   bpfkit-coverage instrument OBJECT OUT.bpf.o
//
// Exit status: 0 done, 2 usage, 3 bad input (the message names the file),
// 5 internal error.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "bpfkit/coverage/instrument.hpp"
#include "bpfkit/text/json.hpp"
#include "bpfkit/version.hpp"

namespace fs = std::filesystem;
namespace cov = bpfkit::coverage;

namespace {

constexpr int exit_usage = 2, exit_bad_input = 3, exit_internal = 5;

const char *const usage_text =
    "usage: bpfkit-coverage merge -o OUT.info (TRACEFILE|DIRECTORY)...\n"
    "       bpfkit-coverage initial -o OUT.info [--programs PROGRAMS.json] OBJECT...\n"
    "       bpfkit-coverage instrument OBJECT OUT.bpf.o\n"
    "       bpfkit-coverage --version\n"
    "\n"
    "merge       sums lcov tracefiles (a directory gives its *.info files) into one\n"
    "initial     every measured line of the BPF objects with a count of 0, as\n"
    "            `lcov --initial` gives, so programs no test ran show as 0%; with\n"
    "            --programs, each program's lines and instrumentation cost as JSON\n"
    "instrument  writes the object with coverage counters, and prints what it costs\n";

struct usage_error {
  std::string message;
};

std::vector<std::byte> read_object(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw cov::error(path + ": cannot open: " + std::strerror(errno));
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::byte> out(bytes.size());
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

// "-o OUT" then the rest.
std::pair<std::string, std::vector<std::string>> output_and_inputs(const std::vector<std::string> &args,
                                                                   const char *command) {
  std::string out;
  std::vector<std::string> inputs;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o") {
      if (i + 1 >= args.size()) throw usage_error{std::string(command) + ": -o needs a file"};
      out = args[++i];
    } else {
      inputs.push_back(args[i]);
    }
  }
  if (out.empty()) throw usage_error{std::string(command) + ": -o OUT.info is required"};
  if (inputs.empty()) throw usage_error{std::string(command) + ": no inputs given"};
  return {out, inputs};
}

// Lines, functions and branches hit over all tests, as `lcov --summary` counts them.
void print_totals(const cov::tracefile &trace) {
  cov::coverage_data all;
  for (const auto &[test, data] : trace.tests) all.merge(data);
  std::size_t totals[3][2] = {};  // lines, functions, branches: {hit, found}
  for (const auto &[path, file] : all.files) {
    for (const auto &[line, count] : file.lines) totals[0][0] += count > 0, ++totals[0][1];
    for (const auto &[name, f] : file.functions) totals[1][0] += f.count > 0, ++totals[1][1];
    for (const auto &[id, taken] : file.branches) totals[2][0] += taken && *taken > 0, ++totals[2][1];
  }
  const char *names[3] = {"lines", "functions", "branches"};
  for (int k = 0; k < 3; ++k)
    std::printf("  %-10s %5.1f%% (%zu of %zu)\n", names[k],
                totals[k][1] ? 100.0 * totals[k][0] / totals[k][1] : 0.0, totals[k][0], totals[k][1]);
}

int merge(const std::vector<std::string> &args) {
  const auto [out, inputs] = output_and_inputs(args, "merge");
  cov::tracefile all;
  std::size_t files = 0;
  for (const std::string &input : inputs) {
    std::vector<std::string> paths;
    if (fs::is_directory(input)) {
      for (const auto &entry : fs::directory_iterator(input))
        if (entry.is_regular_file() && entry.path().extension() == ".info") paths.push_back(entry.path());
      std::sort(paths.begin(), paths.end());
    } else {
      paths.push_back(input);
    }
    for (const std::string &path : paths) {
      all.merge(cov::read_tracefile(path));
      ++files;
    }
  }
  cov::write_tracefile(out, all);
  std::cout << "bpfkit-coverage: merged " << files << " tracefile" << (files == 1 ? "" : "s") << " into " << out
            << '\n';
  print_totals(all);
  return 0;
}

// The object's name as bpf_add_object() gave it: its file name without .bpf.o.
std::string object_name(const std::string &path) {
  std::string name = fs::path(path).filename();
  for (const char *suffix : {".bpf.o", ".o"})
    if (name.size() > std::strlen(suffix) && name.ends_with(suffix)) {
      name.resize(name.size() - std::strlen(suffix));
      break;
    }
  return name;
}

// What each program of `object` costs and which lines are its own, for
// bpf_report.
std::string program_records(const std::string &object, const cov::instrumented_object &inst) {
  const std::string name = object_name(object);
  std::string out;
  for (const cov::program_cost &c : inst.costs) {
    out += out.empty() ? "" : ",\n";
    out += "    {\"object\": " + bpfkit::text::json_quote(name) + ", \"object_path\": " + bpfkit::text::json_quote(object) +
           ", \"program\": " + bpfkit::text::json_quote(c.program) + ", \"section\": " + bpfkit::text::json_quote(c.section) +
           ", \"insns\": " + std::to_string(c.plain_insns) +
           ", \"instrumented_insns\": " + std::to_string(c.instrumented_insns) + ",\n      \"functions\": [";
    for (std::size_t k = 0; k < c.functions.size(); ++k) out += (k ? ", " : "") + bpfkit::text::json_quote(c.functions[k]);
    out += "],\n      \"left_plain\": [";
    bool first = true;
    for (const cov::plain_function &p : inst.left_plain)
      if (std::find(c.functions.begin(), c.functions.end(), p.function) != c.functions.end()) {
        out += std::string(first ? "" : ", ") + "{\"function\": " + bpfkit::text::json_quote(p.function) +
               ", \"reason\": " + bpfkit::text::json_quote(p.reason) + "}";
        first = false;
      }
    out += "],\n      \"lines\": {";
    first = true;
    for (const auto &[file, coverage] : inst.sources.zero(c.functions).files) {
      out += std::string(first ? "" : ", ") + bpfkit::text::json_quote(file) + ": [";
      first = false;
      bool first_line = true;
      for (const auto &[line, count] : coverage.lines) {
        out += (first_line ? "" : ", ") + std::to_string(line);
        first_line = false;
      }
      out += "]";
    }
    out += "}}";
  }
  return out;
}

void write_atomically(const std::string &path, const std::string &content) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) {
      std::remove(temp.c_str());
      throw cov::error(path + ": cannot write");
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    throw cov::error(path + ": cannot write: " + std::strerror(errno));
  }
}

int initial(std::vector<std::string> args) {
  std::string programs_json;
  if (auto it = std::find(args.begin(), args.end(), "--programs"); it != args.end()) {
    if (std::next(it) == args.end()) throw usage_error{"initial: --programs needs a file"};
    programs_json = *std::next(it);
    args.erase(it, it + 2);
  }
  const auto [out, objects] = output_and_inputs(args, "initial");
  cov::tracefile all;
  std::string records;
  bool printed_header = false;
  for (const std::string &object : objects) {
    cov::instrumented_object inst;
    try {
      inst = cov::instrument(read_object(object), object);
    } catch (const cov::error &e) {
      // One object that cannot be measured does not spoil the others' report.
      std::fprintf(stderr, "bpfkit-coverage: warning: %s (its lines are left out)\n", e.what());
      continue;
    }
    all.tests[""].merge(inst.sources.zero());
    const std::string more = program_records(object, inst);
    records += (records.empty() || more.empty() ? "" : ",\n") + more;
    if (!printed_header) {
      std::printf("Instructions per program, plain -> with coverage counters:\n");
      printed_header = true;
    }
    const std::string name = object_name(object);
    for (const cov::program_cost &c : inst.costs)
      std::printf("  %-40s %6u -> %6u (+%.1f%%)\n", (name + "/" + c.program).c_str(), c.plain_insns,
                  c.instrumented_insns,
                  c.plain_insns ? 100.0 * (c.instrumented_insns - c.plain_insns) / c.plain_insns : 0.0);
    for (const cov::plain_function &p : inst.left_plain)
      std::printf("  %s: %s is not measured: %s\n", name.c_str(), p.function.c_str(), p.reason.c_str());
  }
  if (!programs_json.empty())
    write_atomically(programs_json, "{\"format\": \"bpfkit-coverage-programs\", \"version\": 1, \"programs\": [\n" +
                                        records + "\n]}\n");
  cov::write_tracefile(out, all);
  return 0;
}

int instrument(const std::vector<std::string> &args) {
  if (args.size() != 2) throw usage_error{"instrument: give OBJECT and OUT.bpf.o"};
  const cov::instrumented_object inst = cov::instrument(read_object(args[0]), args[0]);
  if (inst.elf.empty()) throw cov::error(args[0] + ": nothing to instrument: every function stays plain");
  write_atomically(args[1], std::string(reinterpret_cast<const char *>(inst.elf.data()), inst.elf.size()));
  std::cout << "counters: " << inst.sources.counters() << '\n';
  for (const cov::program_cost &c : inst.costs)
    std::printf("%s: %u -> %u insns (+%.1f%%)\n", c.program.c_str(), c.plain_insns, c.instrumented_insns,
                c.plain_insns ? 100.0 * (c.instrumented_insns - c.plain_insns) / c.plain_insns : 0.0);
  for (const cov::plain_function &p : inst.left_plain) std::cout << p.function << ": left plain: " << p.reason << '\n';
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (!args.empty() && args[0] == "--version") {
      std::cout << "bpfkit-coverage (bpfkit) " << bpfkit::version << '\n';
      return 0;
    }
    if (args.empty() || args[0] == "-h" || args[0] == "--help") {
      std::cout << usage_text;
      return args.empty() ? exit_usage : 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "merge") return merge(args);
    if (command == "initial") return initial(args);
    if (command == "instrument") return instrument(args);
    throw usage_error{"unknown command '" + command + "'"};
  } catch (const usage_error &e) {
    std::cerr << "bpfkit-coverage: " << e.message << "\n\n" << usage_text;
    return exit_usage;
  } catch (const cov::error &e) {
    std::cerr << "bpfkit-coverage: " << e.what() << '\n';
    return exit_bad_input;
  } catch (const fs::filesystem_error &e) {
    std::cerr << "bpfkit-coverage: " << e.path1().string() << ": " << e.code().message() << '\n';
    return exit_bad_input;
  } catch (const std::exception &e) {
    std::cerr << "bpfkit-coverage: internal error: " << e.what() << '\n';
    return exit_internal;
  }
}
