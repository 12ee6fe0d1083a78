#include "bpfkit/verifier_log.hpp"

#include <cctype>
#include <charconv>
#include <vector>

namespace bpfkit {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Statistics and trailer lines that end every log, failed or not.
bool is_stats_line(std::string_view line) {
  return starts_with(line, "processed ") || starts_with(line, "verification time ") ||
         starts_with(line, "stack depth ") || starts_with(line, "-- END PROG LOAD LOG --");
}

// "12: (71) r1 = *(u8 *)(r1 +20)" at the start of a line (not the indented
// liveness listing newer kernels print first). Returns the index.
std::optional<std::uint32_t> insn_index(std::string_view line, std::string_view *text) {
  std::uint32_t index = 0;
  auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), index);
  if (ec != std::errc() || end == line.data()) return std::nullopt;
  std::string_view rest(end, line.data() + line.size() - end);
  if (!starts_with(rest, ": (") || rest.size() < 6 || rest[5] != ')') return std::nullopt;
  if (!std::isxdigit(static_cast<unsigned char>(rest[3])) ||
      !std::isxdigit(static_cast<unsigned char>(rest[4])))
    return std::nullopt;
  rest.remove_prefix(2);
  // Drop the register state the verifier appends after "  ; ".
  std::size_t state = rest.find("  ; ");
  *text = rest.substr(0, state == std::string_view::npos ? rest.size() : state);
  while (!text->empty() && text->back() == ' ') text->remove_suffix(1);
  return index;
}

// "; return p[20]; @ bad.bpf.c:9"
std::optional<source_location> source_line(std::string_view line) {
  if (!starts_with(line, "; ")) return std::nullopt;
  std::size_t at = line.rfind(" @ ");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view where = line.substr(at + 3);
  std::size_t colon = where.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::uint32_t number = 0;
  auto [end, ec] = std::from_chars(where.data() + colon + 1, where.data() + where.size(), number);
  if (ec != std::errc() || end != where.data() + where.size()) return std::nullopt;
  return source_location{std::string(where.substr(0, colon)), number,
                         std::string(line.substr(2, at - 2))};
}

std::string join(const std::vector<std::string_view> &lines, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (lines[i].empty()) continue;
    if (!out.empty()) out += '\n';
    out += lines[i];
  }
  return out;
}

// The numbers after each keyword of "processed 2 insns (limit 1000000)
// max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0".
std::optional<std::uint64_t> number_after(std::string_view line, std::string_view keyword) {
  std::size_t at = line.find(keyword);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(at + keyword.size());
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc() || end == rest.data()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<verifier_failure> find_verifier_failure(std::string_view log) {
  const std::vector<std::string_view> lines = split_lines(log);
  std::size_t end = lines.size();
  while (end > 0 && (lines[end - 1].empty() || is_stats_line(lines[end - 1]))) --end;
  if (end == 0) return std::nullopt;

  verifier_failure failure;
  std::size_t message_from = 0;
  std::optional<source_location> last_source;
  for (std::size_t i = 0; i < end; ++i) {
    std::string_view text;
    if (auto source = source_line(lines[i])) {
      last_source = std::move(source);
    } else if (auto index = insn_index(lines[i], &text)) {
      failure.insn = index;
      failure.insn_text = std::string(text);
      failure.source = last_source;
      message_from = i + 1;
    }
  }
  failure.message = join(lines, message_from, end);
  // A log that ends on an instruction is a successful load's trace.
  if (failure.message.empty()) return std::nullopt;
  return failure;
}

std::optional<verifier_stats> parse_verifier_stats(std::string_view log) {
  std::optional<verifier_stats> stats;
  for (std::string_view line : split_lines(log)) {
    if (starts_with(line, "processed ")) {
      stats = stats.value_or(verifier_stats{});
      stats->processed_insns = number_after(line, "processed ").value_or(0);
      stats->max_states_per_insn = number_after(line, "max_states_per_insn ").value_or(0);
      stats->total_states = number_after(line, "total_states ").value_or(0);
      stats->peak_states = number_after(line, "peak_states ").value_or(0);
      stats->mark_read = number_after(line, "mark_read ").value_or(0);
    }
  }
  if (!stats) return stats;
  for (std::string_view line : split_lines(log)) {
    if (starts_with(line, "verification time "))
      stats->duration_us = number_after(line, "verification time ");
    else if (starts_with(line, "stack depth "))
      stats->stack_depth = std::string(line.substr(12));
  }
  return stats;
}

std::string verifier_log_tail(std::string_view log, std::size_t count) {
  const std::vector<std::string_view> lines = split_lines(log);
  std::size_t end = lines.size();
  while (end > 0 && (lines[end - 1].empty() || is_stats_line(lines[end - 1]))) --end;
  std::size_t from = end > count ? end - count : 0;
  return join(lines, from, end);
}

}  // namespace bpfkit
