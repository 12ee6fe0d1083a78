// bpfkit load OBJ --pin DIR [--max-entries MAP=N]... [--value-size MAP=BYTES]...
//
// Loads every program of the object and pins the programs and maps under
// DIR in bpfkit's layout (pin_layout.hpp): DIR/progs/<program>,
// DIR/maps/<map>. All or nothing: when a load or a pin fails, nothing stays
// pinned. What it pins is what `bpftool prog|map show pinned` shows.

#include <cstdio>
#include <string>
#include <vector>

#include "cli.hpp"
#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "object_loading.hpp"
#include "pin_layout.hpp"

namespace bpfkit::cli {
namespace {

// 0 when the kernel will not say (the listing then shows no id).
std::uint32_t object_id(int fd, bool program) {
  try {
    return program ? bpfkit::kernel::describe_program(fd).id : bpfkit::kernel::describe_map(fd).id;
  } catch (const bpfkit::error &) {
    return 0;
  }
}

}  // namespace

int cmd_load(arguments &args) {
  std::optional<std::string> dir = args.option("--pin");
  map_sizes sizes = map_size_options(args);
  std::string path = args.positional("OBJ (a .bpf.o file)");
  args.finish();
  if (!dir) throw usage_error("--pin DIR is required: the directory on bpffs to pin into");

  require_bpf_object_file(path);
  pin_set pins(*dir);  // checks DIR is on bpffs before anything is loaded
  const pin_layout &layout = pins.layout();

  bpfkit::object object = load_object(path, {}, sizes);
  struct item {
    std::string path, kind;
    int fd;
    bool program;
  };
  std::vector<item> items;
  for (const bpfkit::program &prog : object.programs())
    if (prog.fd() >= 0)
      items.push_back({layout.program(std::string(prog.name())), program_type_name(prog.type()),
                       prog.fd(), true});
  for (const bpfkit::map_handle &map : object.maps())
    if (map.fd() >= 0)
      items.push_back({layout.map(std::string(map.name())), map_type_name(map.type()), map.fd(), false});
  for (const item &i : items) pins.plan(i.path);
  pins.make_directories();
  for (const item &i : items) pins.pin(i.fd, i.path);
  pins.commit();

  std::printf("loaded %s; pinned under %s:\n", path.c_str(), layout.dir.c_str());
  for (const item &i : items)
    std::printf("  %-40s %s, id %u\n", i.path.substr(layout.dir.size() + 1).c_str(), i.kind.c_str(),
                object_id(i.fd, i.program));
  std::printf("inspect: bpftool prog show pinned %s/progs/NAME; bpfkit map dump %s/maps/NAME\n"
              "remove:  bpfkit unpin %s\n",
              layout.dir.c_str(), layout.dir.c_str(), layout.dir.c_str());
  return exit_ok;
}

}  // namespace bpfkit::cli
