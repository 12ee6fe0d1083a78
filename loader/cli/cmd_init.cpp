// bpfkit init DIR [--name NAME]
//
// Writes a new bpfkit project into DIR from the embedded template
// (templates/init/project): a CMake project with an XDP program, a loader
// that uses its typed skeleton, declarative and GoogleTest tests, a README
// and a .gitignore. NAME (default: DIR's last component, '-' read as '_')
// names the BPF object, its skeleton namespace and the CMake targets, so it
// must be a C identifier.
//
// DIR may be missing (it is created, with its parents) or an empty
// directory; anything else is refused, and no file is ever overwritten. The
// files are written into a hidden staging directory inside DIR and moved into
// place at the end: on any failure nothing is left behind (DIR itself is
// removed again when init created it).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli.hpp"
#include "init_template.hpp"

namespace bpfkit::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view name_placeholder = "@NAME@";

// C identifiers a project cannot be named, and why.
constexpr std::string_view cxx_keywords[] = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
    "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
    "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
    "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
    "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
    "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "requires", "restrict", "return", "short", "signed", "sizeof", "static",
    "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
    "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
    "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq"};
// The skeleton's namespace must not hide these.
constexpr std::string_view used_namespaces[] = {"std", "bpfkit"};
// bpf_add_object(<name>) makes the target <name>.
constexpr std::string_view cmake_reserved_targets[] = {
    "all", "clean", "help", "install", "package", "package_source", "test", "edit_cache",
    "rebuild_cache", "ALL_BUILD", "ZERO_CHECK"};

template <std::size_t n>
bool listed(const std::string_view (&names)[n], std::string_view name) {
  return std::ranges::find(names, name) != std::end(names);
}

// Why `name` cannot name a project, or empty when it can.
std::string reserved_because(std::string_view name) {
  if (listed(cxx_keywords, name)) return "it is a C++ keyword (the name becomes the skeleton's C++ namespace)";
  if (listed(used_namespaces, name)) return "the skeleton's namespace would hide the namespace " + std::string(name) + " its code uses";
  if (listed(cmake_reserved_targets, name)) return "CMake reserves the target name " + std::string(name);
  return {};
}

bool is_c_identifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A valid name close to `name`, for the hint.
std::string suggest_name(std::string_view name) {
  std::string s;
  for (char c : name)
    s += ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ? c : '_';
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) s = "bpf_" + s;
  if (!reserved_because(s).empty()) s = "my_" + s;
  return s;
}

void check_name(const std::string &name, bool from_option) {
  std::string source = from_option ? "--name" : "the directory's name";
  if (!is_c_identifier(name))
    throw cli_error(exit_usage,
                    "'" + name + "' (" + source +
                        ") cannot name a project: it names the BPF object, the skeleton's C++ "
                        "namespace and CMake targets, so it must be a C identifier (letters, "
                        "digits and '_', not starting with a digit)",
                    "choose a name with --name, e.g. --name " + suggest_name(name));
  if (std::string why = reserved_because(name); !why.empty())
    throw cli_error(exit_usage, "'" + name + "' (" + source + ") cannot name a project: " + why,
                    "choose a name with --name, e.g. --name " + suggest_name(name));
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(from, start)) != std::string_view::npos; start = at + from.size()) {
    out.append(text.substr(start, at - start));
    out.append(to);
  }
  out.append(text.substr(start));
  return out;
}

std::string describe(const std::error_code &ec) { return ec.message(); }

// The directory the project goes to: checked, and created when missing.
// Returns the topmost directory init created (to remove on failure), or an
// empty path when DIR existed.
fs::path prepare_directory(const fs::path &dir) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(dir, ec);
  if (fs::exists(status)) {
    if (fs::is_symlink(status)) status = fs::status(dir, ec);
    if (!fs::is_directory(status))
      throw cli_error(exit_bad_input, dir.string() + " exists and is not a directory",
                      "give the path of a new or empty directory");
    fs::directory_iterator entries(dir, ec);
    if (ec)
      throw cli_error(ec.value() == EACCES ? exit_no_privilege : exit_bad_input,
                      "cannot read " + dir.string() + ": " + describe(ec));
    if (entries != fs::directory_iterator())
      throw cli_error(exit_bad_input, dir.string() + " exists and is not empty",
                      "bpfkit init never overwrites files: give a new directory, or an empty one");
    return {};
  }
  // The topmost missing ancestor is what init creates.
  fs::path created = dir;
  for (fs::path p = dir.parent_path(); !p.empty() && !fs::exists(fs::symlink_status(p, ec));
       p = p.parent_path()) {
    created = p;
    if (p == p.parent_path()) break;
  }
  fs::create_directories(dir, ec);
  if (ec)
    throw cli_error(ec.value() == EACCES ? exit_no_privilege : exit_bad_input,
                    "cannot create " + dir.string() + ": " + describe(ec),
                    "give a directory whose parent exists or can be created");
  return created;
}

void write_file(const fs::path &path, const std::string &content) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) throw cli_error(exit_bad_input, "cannot create " + path.parent_path().string() + ": " + describe(ec));
  std::ofstream out(path, std::ios::binary);
  out << content;
  out.close();
  if (!out) throw cli_error(exit_bad_input, "cannot write " + path.string() + ": " + std::strerror(errno));
}

// Removes what init made when it fails half-way.
class rollback {
 public:
  void add(fs::path path) { paths_.push_back(std::move(path)); }
  void commit() { paths_.clear(); }
  ~rollback() {
    std::error_code ec;
    for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) fs::remove_all(*it, ec);
  }

 private:
  std::vector<fs::path> paths_;
};

}  // namespace

int cmd_init(arguments &args) {
  fs::path dir = args.positional("DIR (the directory of the new project)");
  std::optional<std::string> name_option = args.option("--name");
  args.finish();

  std::error_code ec;
  fs::path absolute = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  if (!absolute.has_filename()) absolute = absolute.parent_path();  // "dir/"
  std::string name = name_option ? *name_option : replace_all(absolute.filename().string(), "-", "_");
  check_name(name, name_option.has_value());

  rollback undo;
  if (fs::path created = prepare_directory(dir); !created.empty()) undo.add(created);

  // Stage everything inside DIR, then move the top-level entries into place.
  std::string pattern = (dir / ".bpfkit-init-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw cli_error(errno == EACCES ? exit_no_privilege : exit_bad_input,
                    "cannot write in " + dir.string() + ": " + std::strerror(errno));
  fs::path stage = pattern;
  undo.add(stage);
  // mkdtemp makes the directory 0700; the project's directories follow the umask.
  mode_t mask = ::umask(0);
  ::umask(mask);

  std::vector<std::string> written;
  std::vector<fs::path> top_level;
  for (const template_file &file : init_template()) {
    std::string relative = replace_all(file.path, name_placeholder, name);
    write_file(stage / relative, replace_all(file.content, name_placeholder, name));
    written.push_back(relative);
    fs::path first = *fs::path(relative).begin();
    if (std::find(top_level.begin(), top_level.end(), first) == top_level.end())
      top_level.push_back(first);
  }
  for (const fs::path &entry : top_level) {
    if (fs::is_directory(stage / entry)) ::chmod((stage / entry).c_str(), 0777 & ~mask);
    for (auto it = fs::recursive_directory_iterator(stage / entry, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_directory()) ::chmod(it->path().c_str(), 0777 & ~mask);
  }
  for (const fs::path &entry : top_level) {
    fs::rename(stage / entry, dir / entry, ec);
    if (ec) throw cli_error(exit_bad_input, "cannot move " + (dir / entry).string() + " into place: " + describe(ec));
    undo.add(dir / entry);
  }
  fs::remove(stage, ec);
  undo.commit();

  std::printf("created project %s in %s:\n", name.c_str(), dir.string().c_str());
  for (const std::string &file : written) std::printf("  %s\n", file.c_str());
  std::printf("next:\n  cd %s\n  cmake -S . -B build\n  cmake --build build\n"
              "  ctest --test-dir build --output-on-failure   # as root: the tests load BPF programs\n",
              dir.string().c_str());
  return exit_ok;
}

}  // namespace bpfkit::cli
