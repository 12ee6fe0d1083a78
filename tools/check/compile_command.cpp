#include "compile_command.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace bpfkit::check {

namespace {

// Options whose value is the next word and that a syntax-only parse drops.
constexpr std::array dropped_with_value = {
    std::string_view("-o"),  std::string_view("-MF"), std::string_view("-MT"),
    std::string_view("-MQ"), std::string_view("-include-pch"),
};
// (and -w: the parse must see the warnings that mean a BTF attribute was
// dropped)
constexpr std::array dropped = {
    std::string_view("-c"), std::string_view("-MD"), std::string_view("-MMD"),
    std::string_view("-MP"), std::string_view("-M"), std::string_view("-MM"),
    std::string_view("-w"),
};

}  // namespace

compile_command parse_compile_command(std::vector<std::string> words, const std::string &compiler,
                                      std::string directory) {
  compile_command command;
  command.directory = std::move(directory);
  if (words.empty()) throw std::invalid_argument("no compile command");
  if (!compiler.empty()) {
    auto it = std::find(words.begin(), words.end(), compiler);
    if (it == words.end())
      throw std::invalid_argument("the command does not run the compiler " + compiler);
    command.compiler = static_cast<std::size_t>(it - words.begin());
  }
  for (std::size_t i = command.compiler + 1; i + 1 < words.size(); ++i) {
    if (words[i] == "-c") command.source = words[i + 1];
    if (words[i] == "-o") command.output = words[i + 1];
  }
  if (command.source.empty()) throw std::invalid_argument("no `-c <source>` in the command");
  command.words = std::move(words);
  return command;
}

std::vector<std::string> compile_command::parse_arguments() const {
  std::vector<std::string> args;
  args.push_back(words[compiler]);
  for (std::size_t i = compiler + 1; i < words.size(); ++i) {
    const std::string &word = words[i];
    if (std::find(dropped_with_value.begin(), dropped_with_value.end(), word) !=
        dropped_with_value.end()) {
      ++i;
      continue;
    }
    if (std::find(dropped.begin(), dropped.end(), word) != dropped.end()) continue;
    if (word == source) continue;
    args.push_back(word);
  }
  args.push_back("-fsyntax-only");
  args.push_back(source);
  return args;
}

bool is_cxx_source(const compile_command &command) {
  for (std::size_t i = command.compiler + 1; i + 1 < command.words.size(); ++i)
    if (command.words[i] == "-x") return command.words[i + 1].starts_with("c++");
  const std::string extension = std::filesystem::path(command.source).extension().string();
  return extension == ".cpp" || extension == ".cc" || extension == ".cxx" || extension == ".C" ||
         extension == ".c++";
}

}  // namespace bpfkit::check
