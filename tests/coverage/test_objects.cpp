#include "test_objects.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>

namespace coverage_test {

std::vector<test_object> objects(const std::string &section) {
  std::ifstream in(TEST_OBJECTS_FILE);
  std::vector<test_object> out;
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.front() == '[') {
      current = line.substr(1, line.size() - 2);
      continue;
    }
    if (current != section) continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      std::string name = line.substr(line.find_last_of('/') + 1);
      out.push_back({name.substr(0, name.find('.')), line});
    } else {
      out.push_back({line.substr(0, eq), line.substr(eq + 1)});
    }
  }
  return out;
}

std::vector<std::byte> read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  const std::vector<char> chars{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

std::map<std::string, unsigned> markers(const std::string &source) {
  std::ifstream in(source);
  std::map<std::string, unsigned> lines;
  static const std::regex marker(R"(COVER\((\w+)\))");
  std::string line;
  for (unsigned number = 1; std::getline(in, line); ++number) {
    std::smatch m;
    if (std::regex_search(line, m, marker)) lines[m[1]] = number;
  }
  return lines;
}

std::string param_name(const std::string &text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

}  // namespace coverage_test
