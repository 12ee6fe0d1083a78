// bpfkit list [progs|maps|links] [id:N]... [--pinned PATH] [--json]
//
// What is loaded in the kernel: programs with their type, name, tag,
// verified instructions, maps and attach points; maps; links with what they
// attach to. --pinned PATH keeps only what is pinned under PATH (a directory
// on bpffs or one pin) and shows the pins. The facts come from the runtime
// (bpfkit/kernel_objects.hpp); this file only chooses and prints.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bpfkit/error.hpp"
#include "bpfkit/kernel_objects.hpp"
#include "cli.hpp"
#include "map_text.hpp"

namespace bpfkit::cli {
namespace {

namespace k = bpfkit::kernel;

struct attachment {
  std::uint32_t link_id = 0;  // 0: attached without a link (netlink XDP)
  k::attach_point point;
};

// What the user asked for, and everything known about it.
struct listing {
  std::optional<k::object_kind> only;  // progs, maps or links; all when empty
  std::set<std::uint32_t> ids;         // id:N filters (of `only`)
  std::optional<std::string> pinned;   // --pinned PATH
  std::map<std::pair<k::object_kind, std::uint32_t>, std::vector<std::string>> pins;

  std::vector<k::program_info> programs;
  std::vector<k::map_info> maps;
  std::vector<k::link_info> links;
  std::map<std::uint32_t, std::vector<attachment>> attached;  // by program id

  bool wanted(k::object_kind kind) const { return !only || *only == kind; }
  // Whether object `id` of `kind` passes the id:N and --pinned filters.
  bool selected(k::object_kind kind, std::uint32_t id) const {
    if (!ids.empty() && only == kind && !ids.count(id)) return false;
    return !pinned || pins.count({kind, id});
  }
  const std::vector<std::string> &pins_of(k::object_kind kind, std::uint32_t id) const {
    static const std::vector<std::string> none;
    auto it = pins.find({kind, id});
    return it == pins.end() ? none : it->second;
  }
};

std::optional<k::object_kind> parse_kind(const std::string &word) {
  if (word == "progs" || word == "prog" || word == "programs") return k::object_kind::program;
  if (word == "maps" || word == "map") return k::object_kind::map;
  if (word == "links" || word == "link") return k::object_kind::link;
  return std::nullopt;
}

// The runtime's errors as the CLI's exit statuses, with the fix.
template <typename Body>
auto from_kernel(Body body) {
  try {
    return body();
  } catch (const bpfkit::error &e) {
    int code = e.code().value();
    if (code == EPERM)
      throw cli_error(exit_no_privilege, e.what(), "run as root (listing BPF objects by id needs CAP_SYS_ADMIN)");
    if (code == ENOENT) throw cli_error(exit_bad_input, e.what(), "'bpfkit list' shows what is loaded");
    if (code == EINVAL)
      throw cli_error(exit_bad_input, e.what(), "--pinned takes a directory or a pin on bpffs, e.g. /sys/fs/bpf/myapp");
    throw cli_error(exit_failed, e.what());
  }
}

// With --pinned, only the pinned objects of `kind` are described.
template <typename Info, typename Describe>
std::vector<Info> pinned_only(const listing &l, k::object_kind kind, Describe describe) {
  std::vector<Info> out;
  for (const auto &[key, paths] : l.pins) {
    if (key.first != kind) continue;
    try {
      k::object_fd fd = k::open_by_id(kind, key.second);
      out.push_back(describe(fd.get()));
    } catch (const bpfkit::error &e) {
      if (e.code().value() != ENOENT) throw;  // unloaded since its pin was read
    }
  }
  return out;
}

void collect(listing &l) {
  if (l.pinned)
    for (const k::pinned_object &pin : k::pinned_objects(*l.pinned))
      l.pins[{pin.kind, pin.id}].push_back(pin.path);

  // Attach points come from the links, and from XDP set through netlink.
  bool need_links = l.wanted(k::object_kind::link) || l.wanted(k::object_kind::program);
  if (need_links) l.links = k::list_links();
  for (const k::link_info &link : l.links) l.attached[link.prog_id].push_back({link.id, link.point});
  if (l.wanted(k::object_kind::program)) {
    for (auto &[prog_id, point] : k::xdp_attachments()) {
      auto &known = l.attached[prog_id];
      const auto ifindex = point.ifindex;  // clang before 16 cannot capture a structured binding
      bool by_link = std::any_of(known.begin(), known.end(), [&](const attachment &a) {
        return a.link_id && a.point.hook == "xdp" && a.point.ifindex == ifindex && a.point.in_this_netns;
      });
      if (!by_link) known.push_back({0, point});
    }
    l.programs = l.pinned ? pinned_only<k::program_info>(l, k::object_kind::program, k::describe_program)
                          : k::list_programs();
  }
  if (l.wanted(k::object_kind::map))
    l.maps = l.pinned ? pinned_only<k::map_info>(l, k::object_kind::map, k::describe_map) : k::list_maps();

  auto drop = [&](auto &objects, k::object_kind kind) {
    std::erase_if(objects, [&](const auto &o) { return !l.selected(kind, o.id); });
  };
  drop(l.programs, k::object_kind::program);
  drop(l.maps, k::object_kind::map);
  drop(l.links, k::object_kind::link);
  if (!l.wanted(k::object_kind::link)) l.links.clear();

  // An id:N that names nothing loaded is an error, not an empty list.
  for (std::uint32_t id : l.ids) {
    bool found = std::any_of(l.programs.begin(), l.programs.end(), [&](auto &p) { return p.id == id; }) ||
                 std::any_of(l.maps.begin(), l.maps.end(), [&](auto &m) { return m.id == id; }) ||
                 std::any_of(l.links.begin(), l.links.end(), [&](auto &k) { return k.id == id; });
    if (!found)
      throw cli_error(exit_bad_input,
                      std::string("no ") + k::kind_name(*l.only) + " id " + std::to_string(id) + " is loaded" +
                          (l.pinned ? " and pinned under " + *l.pinned : ""),
                      "'bpfkit list' shows what is loaded");
  }
}

std::string join_ids(const std::vector<std::uint32_t> &ids, const char *separator) {
  std::string out;
  for (std::uint32_t id : ids) out += (out.empty() ? "" : separator) + std::to_string(id);
  return out;
}

std::string describe(const attachment &a) {
  std::string text = a.point.describe();
  if (a.point.ifindex && a.point.in_this_netns) text += " (ifindex " + std::to_string(a.point.ifindex) + ")";
  if (!a.point.in_this_netns) text += " (in another network namespace)";
  text += a.link_id ? ", link " + std::to_string(a.link_id) : ", no link (netlink)";
  return text;
}

// Rows of cells, left-aligned under a header, numeric columns right-aligned.
void print_table(const std::vector<std::string> &header, const std::vector<bool> &numeric,
                 const std::vector<std::vector<std::string>> &rows,
                 const std::vector<std::vector<std::string>> &details) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto &row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  auto line = [&](const std::vector<std::string> &cells) {
    std::string out = " ";
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::string pad(width[c] - cells[c].size(), ' ');
      out += " " + (numeric[c] ? pad + cells[c] : cells[c] + (c + 1 < cells.size() ? pad : ""));
      if (c + 1 < cells.size()) out += " ";
    }
    std::printf("%s\n", out.c_str());
  };
  line(header);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    line(rows[r]);
    for (const std::string &detail : details[r]) std::printf("%*s%s\n", static_cast<int>(width[0] + 4), "", detail.c_str());
  }
}

void print_text(const listing &l) {
  bool first = true;
  auto section = [&](const char *title, std::size_t count) {
    std::printf("%s%s (%zu)\n", first ? "" : "\n", title, count);
    first = false;
  };
  if (l.wanted(k::object_kind::program)) {
    section("programs", l.programs.size());
    std::vector<std::vector<std::string>> rows, details;
    for (const k::program_info &p : l.programs) {
      rows.push_back({std::to_string(p.id), p.type, p.name, p.tag, std::to_string(p.verified_insns),
                      p.map_ids.empty() ? "-" : join_ids(p.map_ids, ",")});
      std::vector<std::string> more;
      if (auto it = l.attached.find(p.id); it != l.attached.end())
        for (const attachment &a : it->second) more.push_back("attached: " + describe(a));
      for (const std::string &pin : l.pins_of(k::object_kind::program, p.id)) more.push_back("pinned:   " + pin);
      details.push_back(std::move(more));
    }
    if (!rows.empty())
      print_table({"ID", "TYPE", "NAME", "TAG", "VERIFIED", "MAPS"}, {true, false, false, false, true, false},
                  rows, details);
  }
  if (l.wanted(k::object_kind::map)) {
    section("maps", l.maps.size());
    std::vector<std::vector<std::string>> rows, details;
    for (const k::map_info &m : l.maps) {
      rows.push_back({std::to_string(m.id), m.type, m.name, std::to_string(m.key_size),
                      std::to_string(m.value_size), std::to_string(m.max_entries)});
      std::vector<std::string> more;
      for (const std::string &pin : l.pins_of(k::object_kind::map, m.id)) more.push_back("pinned:   " + pin);
      details.push_back(std::move(more));
    }
    if (!rows.empty())
      print_table({"ID", "TYPE", "NAME", "KEY", "VALUE", "MAX_ENTRIES"}, {true, false, false, true, true, true},
                  rows, details);
  }
  if (l.wanted(k::object_kind::link)) {
    section("links", l.links.size());
    std::vector<std::vector<std::string>> rows, details;
    for (const k::link_info &link : l.links) {
      attachment a{0, link.point};
      std::string where = describe(a);
      where = where.substr(0, where.rfind(", no link"));
      rows.push_back({std::to_string(link.id), link.type, std::to_string(link.prog_id), where});
      std::vector<std::string> more;
      for (const std::string &pin : l.pins_of(k::object_kind::link, link.id)) more.push_back("pinned:   " + pin);
      details.push_back(std::move(more));
    }
    if (!rows.empty())
      print_table({"ID", "TYPE", "PROG", "ATTACHED TO"}, {true, false, true, false}, rows, details);
  }
}

std::string json_strings(const std::vector<std::string> &items) {
  std::string out = "[";
  for (const std::string &item : items) out += (out.size() > 1 ? ", " : "") + json_quote(item);
  return out + "]";
}

std::string json_point(const k::attach_point &p) {
  std::string out = "\"hook\": " + json_quote(p.hook) + ", \"target\": " + json_quote(p.target);
  if (p.ifindex)
    out += ", \"ifindex\": " + std::to_string(p.ifindex) + ", \"in_this_netns\": " + (p.in_this_netns ? "true" : "false");
  if (p.cgroup_id) out += ", \"cgroup_id\": " + std::to_string(p.cgroup_id);
  return out;
}

void print_json(const listing &l) {
  std::vector<std::string> sections;
  auto array = [](const std::vector<std::string> &items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ",\n    " : "\n    ") + items[i];
    return out + (items.empty() ? "]" : "\n  ]");
  };
  if (l.wanted(k::object_kind::program)) {
    std::vector<std::string> items;
    for (const k::program_info &p : l.programs) {
      std::string attached = "[";
      if (auto it = l.attached.find(p.id); it != l.attached.end())
        for (const attachment &a : it->second)
          attached += std::string(attached.size() > 1 ? ", " : "") + "{" + json_point(a.point) +
                      ", \"link_id\": " + (a.link_id ? std::to_string(a.link_id) : "null") + "}";
      items.push_back("{\"id\": " + std::to_string(p.id) + ", \"type\": " + json_quote(p.type) +
                      ", \"name\": " + json_quote(p.name) + ", \"kernel_name\": " + json_quote(p.kernel_name) +
                      ", \"tag\": " + json_quote(p.tag) + ", \"verified_insns\": " + std::to_string(p.verified_insns) +
                      ", \"xlated_bytes\": " + std::to_string(p.xlated_bytes) +
                      ", \"jited_bytes\": " + std::to_string(p.jited_bytes) + ", \"map_ids\": [" +
                      join_ids(p.map_ids, ", ") + "], \"btf_id\": " + std::to_string(p.btf_id) +
                      ", \"uid\": " + std::to_string(p.uid) + ", \"gpl\": " + (p.gpl ? "true" : "false") +
                      ", \"attached\": " + attached + "], \"pinned\": " +
                      json_strings(l.pins_of(k::object_kind::program, p.id)) + "}");
    }
    sections.push_back("\"programs\": " + array(items));
  }
  if (l.wanted(k::object_kind::map)) {
    std::vector<std::string> items;
    for (const k::map_info &m : l.maps)
      items.push_back("{\"id\": " + std::to_string(m.id) + ", \"type\": " + json_quote(m.type) +
                      ", \"name\": " + json_quote(m.name) + ", \"key_size\": " + std::to_string(m.key_size) +
                      ", \"value_size\": " + std::to_string(m.value_size) +
                      ", \"max_entries\": " + std::to_string(m.max_entries) +
                      ", \"flags\": " + std::to_string(m.flags) + ", \"btf_id\": " + std::to_string(m.btf_id) +
                      ", \"pinned\": " + json_strings(l.pins_of(k::object_kind::map, m.id)) + "}");
    sections.push_back("\"maps\": " + array(items));
  }
  if (l.wanted(k::object_kind::link)) {
    std::vector<std::string> items;
    for (const k::link_info &link : l.links)
      items.push_back("{\"id\": " + std::to_string(link.id) + ", \"type\": " + json_quote(link.type) +
                      ", \"prog_id\": " + std::to_string(link.prog_id) + ", " + json_point(link.point) +
                      ", \"pinned\": " + json_strings(l.pins_of(k::object_kind::link, link.id)) + "}");
    sections.push_back("\"links\": " + array(items));
  }
  std::string out = "{";
  for (std::size_t i = 0; i < sections.size(); ++i) out += (i ? ",\n  " : "\n  ") + sections[i];
  std::printf("%s\n}\n", out.c_str());
}

}  // namespace

int cmd_list(arguments &args) {
  listing l;
  bool json = args.flag("--json");
  l.pinned = args.option("--pinned");
  std::vector<std::string> words = args.rest();
  args.finish();
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string &word = words[i];
    if (auto kind = parse_kind(word); kind && i == 0) {
      l.only = kind;
    } else if (word.starts_with("id:")) {
      if (!l.only)
        throw usage_error("'" + word + "' needs the kind of object first: bpfkit list progs|maps|links " + word);
      try {
        l.ids.insert(*k::parse_id_reference(word));
      } catch (const bpfkit::error &e) {
        throw cli_error(exit_bad_input, e.what());
      }
    } else {
      throw usage_error("unexpected argument '" + word + "': list takes progs, maps or links, then id:N filters");
    }
  }
  if (l.pinned) {
    while (l.pinned->size() > 1 && l.pinned->back() == '/') l.pinned->pop_back();
  }
  from_kernel([&] {
    collect(l);
    return 0;
  });
  if (json)
    print_json(l);
  else
    print_text(l);
  return exit_ok;
}

}  // namespace bpfkit::cli
