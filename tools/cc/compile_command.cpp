#include "compile_command.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <string_view>

namespace bpfkit::tools {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool one_of(std::string_view s, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), s) != options.end();
}

// Options whose value is the next argument when not joined (clang's
// Separate/JoinedOrSeparate options that a BPF compile may carry).
bool takes_separate_value(std::string_view arg) {
  return one_of(arg, {"-D", "-U", "-o", "-MF", "-MT", "-MQ", "-MJ", "-x", "-Xclang", "-mllvm",
                      "-target", "-arch", "-Xpreprocessor", "-Xassembler", "-Xlinker", "-include",
                      "-imacros", "-include-pch", "-I", "-isystem", "-iquote", "-idirafter",
                      "-iprefix", "-iwithprefix", "-iwithprefixbefore", "-isysroot", "--sysroot",
                      "-F", "-iframework", "-cxx-isystem", "-ivfsoverlay", "-isystem-after",
                      "-serialize-diagnostics", "-z", "-Xanalyzer", "-Xcuda-ptxas"});
}

// Dependency-file options: a PCH build must not write the object's depfile.
bool is_dependency_option(std::string_view arg) {
  return one_of(arg, {"-MD", "-MMD", "-MP", "-MG", "-MV"});
}

bool is_dependency_option_with_value(std::string_view arg) {
  return one_of(arg, {"-MF", "-MT", "-MQ", "-MJ"});
}

bool is_joined_dependency_option(std::string_view arg) {
  for (std::string_view option : {"-MF", "-MT", "-MQ", "-MJ"})
    if (arg.size() > option.size() && starts_with(arg, option)) return true;
  return false;
}

// Why an option (with its value) makes a PCH unsafe, or "".
std::string refusal(std::string_view option, std::string_view value) {
  if (one_of(option, {"-include", "-imacros", "--include", "--imacros"}) || starts_with(option, "--include=") ||
      starts_with(option, "--imacros="))
    return "the command forces a header in (" + std::string(option) + " " + std::string(value) +
           "), which comes before vmlinux.h";
  if (option == "-include-pch") return "the command already uses a precompiled header";
  if (option == "-x") return "the command sets the language explicitly (-x " + std::string(value) + ")";
  if (starts_with(option, "-x") && option.size() > 2)
    return "the command sets the language explicitly (" + std::string(option) + ")";
  if (one_of(option, {"-iprefix", "-iwithprefix", "-iwithprefixbefore", "-ivfsoverlay", "-I-"}) ||
      starts_with(option, "--include-prefix") || starts_with(option, "--include-with-prefix"))
    return "the command uses " + std::string(option) + ", which changes the include search in ways bpfkit-cc does not follow";
  if (option == "-Xclang" && (starts_with(value, "-i") || starts_with(value, "-I")))
    return "the command passes an include option to clang's frontend (-Xclang " + std::string(value) + ")";
  if (one_of(option, {"-E", "-S", "-M", "-MM", "-fsyntax-only"}))
    return "the command does not compile to an object (" + std::string(option) + ")";
  if (starts_with(option, "@")) return "the command reads arguments from a response file (" + std::string(option) + ")";
  return {};
}

// Splits a joined option (-Idir) or reads the separate value (-I dir).
struct option_value {
  std::string value;
  bool consumed_next = false;
};

option_value value_of(const std::vector<std::string> &args, std::size_t i, std::string_view option) {
  const std::string &arg = args[i];
  if (arg.size() > option.size()) {
    std::string_view rest = std::string_view(arg).substr(option.size());
    // --include-directory=dir; for -I=dir the '=' means "in the sysroot".
    if (starts_with(option, "--") && !rest.empty() && rest.front() == '=') rest.remove_prefix(1);
    return {std::string(rest), false};
  }
  if (i + 1 < args.size()) return {args[i + 1], true};
  return {"", false};
}

}  // namespace

std::string source_language(const std::string &source) {
  const std::string ext = std::filesystem::path(source).extension().string();
  if (ext == ".c") return "c";
  if (one_of(ext, {".cpp", ".cc", ".cxx", ".c++", ".C"})) return "c++";
  return {};
}

compile_command parse_compile_command(const std::vector<std::string> &command) {
  compile_command cmd;
  if (command.empty()) return cmd;
  cmd.compiler = command[0];
  const std::vector<std::string> args(command.begin() + 1, command.end());

  std::vector<std::string> cxx_system_dirs;
  auto add_dir = [&](std::vector<std::string> &dirs, const std::string &dir) {
    if (dir.empty()) return;
    if (dir.front() == '=' || starts_with(dir, "$SYSROOT"))
      cmd.unsupported = cmd.unsupported.empty() ? "an include directory is relative to the sysroot (" + dir + ")"
                                                : cmd.unsupported;
    if (!std::filesystem::path(dir).is_absolute()) cmd.relative_search_dir = true;
    dirs.push_back(dir);
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    // The output, the source and the depfile options stay out of the PCH build.
    if (arg == "-c") {
      if (i + 1 < args.size()) cmd.source = args[++i];
      continue;
    }
    if (arg == "-o" || is_dependency_option_with_value(arg)) {
      ++i;
      continue;
    }
    if ((starts_with(arg, "-o") && arg.size() > 2) || is_dependency_option(arg) || is_joined_dependency_option(arg))
      continue;

    // Include search directories, by clang's groups.
    struct search_option {
      std::string_view name;
      std::vector<std::string> *dirs;
    };
    const std::array<search_option, 7> search_options{{
        {"--include-directory-after", nullptr},  // = -idirafter
        {"--include-directory", &cmd.angled_dirs},
        {"-isystem-after", nullptr},  // searched after everything we look at
        {"-isystem", &cmd.system_dirs},
        {"-iquote", &cmd.quote_dirs},
        {"-idirafter", nullptr},
        {"-cxx-isystem", &cxx_system_dirs},
    }};
    bool handled = false;
    for (const auto &option : search_options) {
      if (!starts_with(arg, option.name)) continue;
      option_value v = value_of(args, i, option.name);
      if (option.dirs) add_dir(*option.dirs, v.value);
      cmd.pch_args.push_back(arg);
      if (v.consumed_next) cmd.pch_args.push_back(args[++i]);
      handled = true;
      break;
    }
    if (handled) continue;
    if (starts_with(arg, "-I") && arg != "-I-") {
      option_value v = value_of(args, i, "-I");
      add_dir(cmd.angled_dirs, v.value);
      cmd.pch_args.push_back(arg);
      if (v.consumed_next) cmd.pch_args.push_back(args[++i]);
      continue;
    }

    std::string value;
    if (takes_separate_value(arg) && i + 1 < args.size()) value = args[i + 1];
    if (std::string why = refusal(arg, value); !why.empty() && cmd.unsupported.empty()) cmd.unsupported = why;
    cmd.pch_args.push_back(arg);
    if (takes_separate_value(arg) && i + 1 < args.size()) cmd.pch_args.push_back(args[++i]);
  }

  if (source_language(cmd.source) == "c++")
    cmd.system_dirs.insert(cmd.system_dirs.end(), cxx_system_dirs.begin(), cxx_system_dirs.end());
  // Like clang: a directory given both as -I and as -isystem is searched as a
  // system directory only.
  std::erase_if(cmd.angled_dirs, [&](const std::string &dir) {
    return std::find(cmd.system_dirs.begin(), cmd.system_dirs.end(), dir) != cmd.system_dirs.end();
  });
  return cmd;
}

}  // namespace bpfkit::tools
