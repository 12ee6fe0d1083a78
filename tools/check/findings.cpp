#include "findings.hpp"

#include <cstdio>
#include <string>

namespace bpfkit::check {

void report(const std::vector<finding> &findings, const std::string &fallback_file) {
  for (const finding &f : findings) {
    std::string where = f.where.file.empty() ? fallback_file : f.where.file;
    if (f.where.line) {
      where += ":" + std::to_string(f.where.line);
      if (f.where.column) where += ":" + std::to_string(f.where.column);
    }
    std::fprintf(stderr, "%s: error: %s [bpfkit-check]\n", where.c_str(), f.message.c_str());
    if (f.where.line && !f.where.text.empty()) {
      std::string number = std::to_string(f.where.line);
      std::fprintf(stderr, " %s | %s\n", number.c_str(), f.where.text.c_str());
      if (f.where.column) {
        std::string gutter(number.size(), ' ');
        std::string caret;
        for (unsigned i = 1; i < f.where.column && i <= f.where.text.size(); ++i)
          caret += f.where.text[i - 1] == '\t' ? '\t' : ' ';
        std::fprintf(stderr, " %s | %s^\n", gutter.c_str(), caret.c_str());
      }
    }
    if (!f.fix.empty()) std::fprintf(stderr, "%s: note: fix: %s\n", where.c_str(), f.fix.c_str());
  }
}

}  // namespace bpfkit::check
