// bpfkit core OBJ [--btf KERNEL-BTF] [--program NAME] [--json]
//
// Every CO-RE relocation of an object with its source line, the access it
// encodes and how libbpf resolves it on the running kernel or the given
// BTF, without loading anything (bpfkit::inspect, docs/inspect.md). Status 1
// when a relocation fails where the verifier can reach it.
#include <cstdio>
#include <optional>

#include "bpfkit/inspect/btf_source.hpp"
#include "bpfkit/inspect/core_report.hpp"
#include "cli.hpp"
#include "inspect_errors.hpp"

namespace bpfkit::cli {

int cmd_core(arguments &args) {
  const std::string path = args.positional("OBJ");
  const std::optional<std::string> btf_file = args.option("--btf");
  const std::optional<std::string> program = args.option("--program");
  const bool json = args.flag("--json");
  args.finish();

  return run_inspection([&] {
    const inspect::object_file object = inspect::object_file::read(path);
    inspect::named_btf kernel = btf_file ? inspect::read_btf_file(*btf_file, "--btf")
                                         : inspect::read_running_kernel_btf();
    inspect::core_target target{kernel.types.get(), kernel.origin, {}};
    // Like libbpf: module BTF only for the running kernel, read when a type
    // is not in vmlinux.
    std::optional<std::vector<inspect::module_btf>> modules;
    if (!btf_file)
      target.modules = [&]() -> const std::vector<inspect::module_btf> & {
        if (!modules) modules = inspect::read_running_module_btfs(kernel.types.get());
        return *modules;
      };
    const inspect::core_analysis analysis = inspect::analyze_core(object, target);
    const auto functions = inspect::select_functions(analysis, program);
    const std::string report = json ? inspect::core_json(analysis, functions) : inspect::core_text(analysis, functions);
    std::fwrite(report.data(), 1, report.size(), stdout);
    return inspect::summarize(analysis, functions).ok() ? exit_ok : exit_failed;
  });
}

}  // namespace bpfkit::cli
