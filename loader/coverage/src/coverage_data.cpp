#include "bpfkit/coverage/coverage_data.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "bpfkit/coverage/instrument.hpp"

namespace bpfkit::coverage {

void file_coverage::merge(const file_coverage &other) {
  for (const auto &[line, count] : other.lines) lines[line] += count;
  for (const auto &[id, taken] : other.branches) {
    auto [it, added] = branches.try_emplace(id, taken);
    if (!added && taken) it->second = it->second.value_or(0) + *taken;
  }
  for (const auto &[name, f] : other.functions) {
    auto [it, added] = functions.try_emplace(name, f);
    if (!added) it->second.count += f.count;
  }
}

void coverage_data::merge(const coverage_data &other) {
  for (const auto &[path, file] : other.files) files[path].merge(file);
}

void tracefile::merge(const tracefile &other) {
  for (const auto &[test, data] : other.tests) tests[test].merge(data);
}

std::string lcov_test_name(std::string_view test) {
  std::string name(test);
  for (char &c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) c = '_';
  return name;
}

std::string to_lcov(const tracefile &trace) {
  std::ostringstream out;
  for (const auto &[test, data] : trace.tests) {
    for (const auto &[path, file] : data.files) {
      out << "TN:" << lcov_test_name(test) << "\nSF:" << path << '\n';
      std::multimap<std::uint32_t, std::string> by_line;
      for (const auto &[name, f] : file.functions) by_line.emplace(f.line, name);
      for (const auto &[line, name] : by_line) out << "FN:" << line << ',' << name << '\n';
      std::size_t hit = 0;
      for (const auto &[line, name] : by_line) {
        const std::uint64_t count = file.functions.at(name).count;
        hit += count > 0;
        out << "FNDA:" << count << ',' << name << '\n';
      }
      out << "FNF:" << file.functions.size() << "\nFNH:" << hit << '\n';
      hit = 0;
      for (const auto &[id, taken] : file.branches) {
        out << "BRDA:" << id.line << ',' << id.block << ',' << id.branch << ',';
        if (taken) out << *taken;
        else out << '-';
        out << '\n';
        hit += taken && *taken > 0;
      }
      out << "BRF:" << file.branches.size() << "\nBRH:" << hit << '\n';
      hit = 0;
      for (const auto &[line, count] : file.lines) {
        out << "DA:" << line << ',' << count << '\n';
        hit += count > 0;
      }
      out << "LF:" << file.lines.size() << "\nLH:" << hit << "\nend_of_record\n";
    }
  }
  return out.str();
}

namespace {

template <class T>
bool parse_number(std::string_view text, T &value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> split(std::string_view text, char by, std::size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    const auto comma = text.find(by);
    if (comma == std::string_view::npos) break;
    out.push_back(text.substr(0, comma));
    text.remove_prefix(comma + 1);
  }
  out.push_back(text);
  return out;
}

}  // namespace

tracefile parse_lcov(std::string_view text, const std::string &name) {
  tracefile trace;
  std::string test;
  file_coverage *file = nullptr;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto bad = [&](const std::string &why) {
      return error(name + ":" + std::to_string(line_number) + ": " + why + ": '" + std::string(line) + "'");
    };
    const auto colon = line.find(':');
    const std::string_view key = line.substr(0, colon);
    const std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (key == "TN") {
      test = std::string(value);
      continue;
    }
    if (key == "SF") {
      if (value.empty()) throw bad("SF names no file");
      file = &trace.tests[test].files[std::string(value)];
      continue;
    }
    if (key == "end_of_record") {
      file = nullptr;
      continue;
    }
    if (key != "DA" && key != "BRDA" && key != "FN" && key != "FNDA") continue;  // totals, VER, ...: derived
    if (!file) throw bad("a " + std::string(key) + " record outside SF ... end_of_record");
    if (key == "DA") {
      const auto f = split(value, ',', 3);
      std::uint32_t number;
      std::uint64_t count;
      if (f.size() < 2 || !parse_number(f[0], number) || !parse_number(f[1], count))
        throw bad("DA is not DA:<line>,<count>");
      file->lines[number] += count;
    } else if (key == "BRDA") {
      const auto f = split(value, ',', 4);
      branch_id id;
      std::uint64_t taken = 0;
      if (f.size() != 4 || !parse_number(f[0], id.line) || !parse_number(f[1], id.block) ||
          !parse_number(f[2], id.branch) || (f[3] != "-" && !parse_number(f[3], taken)))
        throw bad("BRDA is not BRDA:<line>,<block>,<branch>,<taken|->");
      file_coverage one;
      one.branches[id] = f[3] == "-" ? std::nullopt : std::optional<std::uint64_t>(taken);
      file->merge(one);
    } else if (key == "FN") {
      const auto f = split(value, ',', 2);
      std::uint32_t number;
      if (f.size() != 2 || f[1].empty() || !parse_number(f[0], number)) throw bad("FN is not FN:<line>,<name>");
      file->functions[std::string(f[1])].line = number;
    } else {
      const auto f = split(value, ',', 2);
      std::uint64_t count;
      if (f.size() != 2 || f[1].empty() || !parse_number(f[0], count)) throw bad("FNDA is not FNDA:<count>,<name>");
      file->functions[std::string(f[1])].count += count;
    }
  }
  return trace;
}

tracefile read_tracefile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_lcov(text.str(), path);
}

void write_tracefile(const std::string &path, const tracefile &trace) {
  const std::string text = to_lcov(trace);
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) throw error(path + ": cannot create: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      close(fd);
      unlink(temp.c_str());
      throw error(path + ": cannot write: " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  fchmod(fd, 0644);
  if (close(fd) != 0 || rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(temp.c_str());
    throw error(path + ": cannot write: " + std::strerror(err));
  }
}

}  // namespace bpfkit::coverage
