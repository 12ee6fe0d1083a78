// bpfkit btf OBJ|PINNED-MAP|id:N [TYPE...] [--compare KERNEL-BTF] [--json]
// bpfkit btf --kernel [TYPE...] [--compare KERNEL-BTF] [--json]
//
// BTF types as C with every field's offset and size, holes and padding, or
// how they differ on another kernel (bpfkit::inspect, docs/inspect.md).
#include <cstdio>

#include "bpfkit/inspect/btf_report.hpp"
#include "cli.hpp"
#include "inspect_errors.hpp"

namespace bpfkit::cli {

int cmd_btf(arguments &args) {
  inspect::btf_request request;
  request.kernel = args.flag("--kernel");
  request.json = args.flag("--json");
  request.compare = args.option("--compare");
  if (!request.kernel) request.source = args.positional("OBJ, PINNED-MAP or id:N (or --kernel)");
  request.types = args.rest();
  args.finish();
  const std::string report = run_inspection([&] { return inspect::btf_report(request); });
  std::fwrite(report.data(), 1, report.size(), stdout);
  return exit_ok;
}

}  // namespace bpfkit::cli
