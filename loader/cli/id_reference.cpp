#include "id_reference.hpp"

#include <cerrno>

#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "cli.hpp"

namespace bpfkit::cli {

bool is_id_reference(std::string_view text) { return text.starts_with("id:"); }

owned_fd open_id_reference(const std::string &text, bpf_kind wanted) {
  namespace k = bpfkit::kernel;
  const k::object_kind kind = wanted == bpf_kind::program ? k::object_kind::program
                              : wanted == bpf_kind::map   ? k::object_kind::map
                                                          : k::object_kind::link;
  try {
    std::optional<std::uint32_t> id = k::parse_id_reference(text);
    if (!id) throw cli_error(exit_bad_input, "'" + text + "' is not an id:N reference");
    return owned_fd(k::open_by_id(kind, *id).release());
  } catch (const bpfkit::error &e) {
    const int code = e.code().value();
    if (code == EPERM)
      throw cli_error(exit_no_privilege, e.what(), "run as root: opening objects by id needs CAP_SYS_ADMIN");
    throw cli_error(exit_bad_input, e.what(),
                    std::string("'bpfkit list ") + (kind == k::object_kind::map ? "maps" : "progs") +
                        "' shows the ids of the loaded " + kind_name(wanted) + "s");
  }
}

}  // namespace bpfkit::cli
