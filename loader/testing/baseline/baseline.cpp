#include "baseline.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace bpfkit::baseline {
namespace {

std::vector<std::string> split_lines(const std::string &text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::string trim(const std::string &text) {
  std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  std::size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string> split_fields(const std::string &line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma == std::string::npos ? std::string::npos
                                                                        : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields;
}

bool is_name(const std::string &text) {
  if (text.empty() || !(std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_'))
    return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
}

bool is_digits(const std::string &text, std::size_t max_length) {
  return !text.empty() && text.size() <= max_length &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

std::string where(const std::string &path, std::size_t line) {
  return path + ":" + std::to_string(line) + ": ";
}

std::uint64_t pow10(unsigned n) {
  std::uint64_t value = 1;
  while (n--) value *= 10;
  return value;
}

const char *tally_name(verdict v) {
  switch (v) {
    case verdict::grew_past: return "grew past the tolerance";
    case verdict::grew_within: return "grew within the tolerance";
    case verdict::shrunk: return "shrank";
    case verdict::unchanged: return "unchanged";
    case verdict::added: return "new";
    case verdict::removed: return "removed";
    case verdict::rejected: return "rejected by the verifier";
  }
  return "?";
}

}  // namespace

std::string display(const program_key &key) { return key.first + "/" + key.second; }

std::string indent_lines(const std::string &text, const std::string &prefix) {
  std::string out = prefix;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '\n' && i + 1 < text.size()) out += prefix;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

counts parse_baseline(const std::string &text, const std::string &path) {
  counts rows;
  std::map<program_key, std::size_t> first_line;
  bool header_seen = false;
  std::vector<std::string> lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t number = i + 1;
    const std::string line = trim(lines[i]);
    if (line.empty()) continue;
    if (!header_seen) {
      if (line != csv_header)
        throw file_error(where(path, number) + "the first line must be the header '" +
                         csv_header + "', found '" + line + "'");
      header_seen = true;
      continue;
    }
    std::vector<std::string> fields = split_fields(line);
    if (fields.size() != 3)
      throw file_error(where(path, number) + "expected 3 fields (" + csv_header + "), found " +
                       std::to_string(fields.size()) + ": '" + line + "'");
    if (!is_name(fields[0]))
      throw file_error(where(path, number) + "'" + fields[0] +
                       "' is not an object name (a C identifier)");
    if (!is_name(fields[1]))
      throw file_error(where(path, number) + "'" + fields[1] +
                       "' is not a program name (a C identifier)");
    if (!is_digits(fields[2], 10) || fields[2].find_first_not_of('0') == std::string::npos)
      throw file_error(where(path, number) + "verified_insns '" + fields[2] +
                       "' is not a positive integer");
    program_key key{fields[0], fields[1]};
    if (auto seen = first_line.find(key); seen != first_line.end())
      throw file_error(where(path, number) + display(key) + " is listed twice (also on line " +
                       std::to_string(seen->second) + ")");
    first_line.emplace(key, number);
    rows.emplace(std::move(key), std::stoull(fields[2]));
  }
  if (!header_seen)
    throw file_error(path + ": the file is empty (expected the header '" + std::string(csv_header) +
                     "' and one row per program)");
  return rows;
}

std::string format_baseline(const counts &rows) {
  std::string text = std::string(csv_header) + "\n";
  for (const auto &[key, insns] : rows)
    text += key.first + "," + key.second + "," + std::to_string(insns) + "\n";
  return text;
}

tolerance parse_tolerance(const std::string &text) {
  std::size_t dot = text.find('.');
  std::string whole = text.substr(0, dot);
  std::string fraction = dot == std::string::npos ? std::string() : text.substr(dot + 1);
  if (!is_digits(whole, 6) || (dot != std::string::npos && !is_digits(fraction, 3)))
    throw std::invalid_argument("tolerance '" + text +
                                "' is not a percentage such as 5 or 2.5 (at most 3 decimals)");
  tolerance tol;
  tol.spelled = text;
  tol.decimals = static_cast<unsigned>(fraction.size());
  tol.scaled = std::stoull(whole + fraction);
  return tol;
}

std::string percent_change(std::uint64_t old_insns, std::uint64_t new_insns) {
  const bool grew = new_insns >= old_insns;
  const std::uint64_t delta = grew ? new_insns - old_insns : old_insns - new_insns;
  // Tenths of a percent, rounded half up, in integers (exact and portable).
  const unsigned __int128 tenths = (static_cast<unsigned __int128>(delta) * 1000 + old_insns / 2) /
                                   old_insns;
  std::string sign = grew ? "+" : "-";
  if (tenths == 0) return delta == 0 ? "+0.0%" : sign + "<0.1%";
  const auto value = static_cast<unsigned long long>(tenths);
  return sign + std::to_string(value / 10) + "." + std::to_string(value % 10) + "%";
}

bool comparison::failed() const {
  return count(verdict::grew_past) || count(verdict::added) || count(verdict::removed) ||
         count(verdict::rejected);
}

bool comparison::update_fixes() const { return failed() && !count(verdict::rejected); }

std::size_t comparison::count(verdict v) const {
  auto it = tally.find(v);
  return it == tally.end() ? 0 : it->second;
}

comparison compare(const counts &baseline, const std::vector<measurement> &now,
                   const tolerance &tol) {
  std::map<program_key, const measurement *> measured;
  for (const measurement &m : now) measured.emplace(m.key, &m);
  std::set<program_key> keys;
  for (const auto &[key, insns] : baseline) keys.insert(key);
  for (const auto &[key, m] : measured) keys.insert(key);

  const std::string tolerance_text = "tolerance " + tol.spelled + "%";
  comparison result;
  for (const program_key &key : keys) {
    auto old_row = baseline.find(key);
    auto new_row = measured.find(key);
    finding f{key, verdict::unchanged, display(key) + ": "};
    if (new_row == measured.end()) {
      f.kind = verdict::removed;
      f.text += "removed: in the baseline (" + std::to_string(old_row->second) +
                " insns) but no longer in the objects";
    } else if (!new_row->second->insns) {
      f.kind = verdict::rejected;
      f.text += "rejected by the verifier";
      f.text += old_row == baseline.end()
                    ? std::string(" (a new program)")
                    : " (baseline: " + std::to_string(old_row->second) + " insns)";
      f.text += ":\n" + indent_lines(new_row->second->rejection, "    ");
    } else if (old_row == baseline.end()) {
      f.kind = verdict::added;
      f.text += "new program, " + std::to_string(*new_row->second->insns) +
                " insns, not in the baseline";
    } else {
      const std::uint64_t old_insns = old_row->second, new_insns = *new_row->second->insns;
      f.text += std::to_string(old_insns) + " -> " + std::to_string(new_insns) + " insns (";
      if (new_insns == old_insns) {
        f.kind = verdict::unchanged;
        f.text += "unchanged)";
      } else {
        f.text += percent_change(old_insns, new_insns) + ", " + tolerance_text + "): ";
        if (new_insns < old_insns) {
          f.kind = verdict::shrunk;
          f.text += "shrank";
        } else {
          // Within when (new - old) / old <= scaled / 10^decimals / 100.
          const unsigned __int128 growth =
              static_cast<unsigned __int128>(new_insns - old_insns) * 100 * pow10(tol.decimals);
          const unsigned __int128 allowed = static_cast<unsigned __int128>(old_insns) * tol.scaled;
          f.kind = growth <= allowed ? verdict::grew_within : verdict::grew_past;
          f.text += f.kind == verdict::grew_past ? "grew past the tolerance" : "within the tolerance";
        }
      }
    }
    ++result.tally[f.kind];
    result.findings.push_back(std::move(f));
  }
  return result;
}

std::string summary(const comparison &c, const std::vector<verdict> &order) {
  std::string text;
  for (verdict v : order) {
    std::size_t n = c.count(v);
    if (!n) continue;
    text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + tally_name(v);
  }
  return text;
}

spec parse_spec(const std::string &text, const std::string &path) {
  spec s;
  bool have_tolerance = false;
  std::vector<std::string> lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string &line = lines[i];
    if (line.empty()) continue;
    std::size_t eq = line.find('=');
    if (eq == std::string::npos)
      throw file_error(where(path, i + 1) + "expected key=value, found '" + line + "'");
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "test") {
      s.test = value;
    } else if (key == "file") {
      s.file = value;
    } else if (key == "tolerance") {
      try {
        s.tol = parse_tolerance(value);
      } catch (const std::invalid_argument &e) {
        throw file_error(where(path, i + 1) + e.what());
      }
      have_tolerance = true;
    } else if (key == "update") {
      s.update_command = value;
    } else if (key == "vm_results") {
      s.vm_results = value;
    } else if (key == "object") {
      std::size_t split = value.find('=');
      if (split == std::string::npos || split == 0 || split + 1 == value.size())
        throw file_error(where(path, i + 1) + "expected object=<name>=<path>, found '" + line + "'");
      s.objects.emplace_back(value.substr(0, split), value.substr(split + 1));
    } else {
      throw file_error(where(path, i + 1) + "unknown key '" + key +
                       "' (is bpfkit-baseline older than the bpfkit CMake module?)");
    }
  }
  if (s.test.empty() || s.file.empty() || !have_tolerance || s.objects.empty())
    throw file_error(path + ": incomplete spec: test, file, tolerance and object are required");
  return s;
}

}  // namespace bpfkit::baseline
