#include <algorithm>
#include <charconv>

#include "cli.hpp"

namespace bpfkit::cli {

arguments::arguments(std::vector<std::string> args, std::vector<std::string> flag_names) {
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (options_done || arg.size() < 2 || !arg.starts_with("--")) {
      positionals_.push_back(arg);
    } else if (arg == "--") {
      options_done = true;
    } else if (std::size_t eq = arg.find('='); eq != std::string::npos) {
      options_.emplace(arg.substr(0, eq), arg.substr(eq + 1));
    } else if (std::find(flag_names.begin(), flag_names.end(), arg) != flag_names.end()) {
      flags_.push_back(arg);
    } else if (i + 1 < args.size()) {
      options_.emplace(arg, args[++i]);
    } else {
      throw usage_error(arg + " needs a value");
    }
  }
}

std::optional<std::string> arguments::option(std::string_view name) {
  std::vector<std::string> values = options(name);
  if (values.empty()) return std::nullopt;
  return values.back();
}

std::vector<std::string> arguments::options(std::string_view name) {
  std::vector<std::string> values;
  auto [begin, end] = options_.equal_range(name);
  for (auto it = begin; it != end; ++it) values.push_back(it->second);
  options_.erase(begin, end);
  return values;
}

bool arguments::flag(std::string_view name) {
  auto it = std::find(flags_.begin(), flags_.end(), name);
  if (it == flags_.end()) return false;
  flags_.erase(std::remove(flags_.begin(), flags_.end(), name), flags_.end());
  return true;
}

std::string arguments::positional(std::string_view what) {
  if (next_positional_ >= positionals_.size()) throw usage_error("missing " + std::string(what));
  return positionals_[next_positional_++];
}

std::optional<std::string> arguments::optional_positional() {
  if (next_positional_ >= positionals_.size()) return std::nullopt;
  return positionals_[next_positional_++];
}

std::vector<std::string> arguments::rest() {
  std::vector<std::string> rest(positionals_.begin() + static_cast<long>(next_positional_),
                                positionals_.end());
  next_positional_ = positionals_.size();
  return rest;
}

void arguments::finish() {
  if (!options_.empty()) throw usage_error("unknown option " + options_.begin()->first);
  if (!flags_.empty()) throw usage_error("unknown option " + flags_.front());
  if (next_positional_ < positionals_.size())
    throw usage_error("unexpected argument '" + positionals_[next_positional_] + "'");
}

unsigned long long parse_number(std::string_view name, std::string_view text) {
  int base = 10;
  std::string_view digits = text;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    base = 16;
    digits.remove_prefix(2);
  }
  unsigned long long value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
    throw usage_error(std::string(name) + " needs a number, not '" + std::string(text) + "'");
  return value;
}

}  // namespace bpfkit::cli
