// xdp_counter_loader: loads xdp_counter.bpf.o, attaches count_packets to one
// end of a veth pair in a private network namespace, sends packets into the
// other end and checks that PACKET_COUNTER[0] counted each of them.
//
//   xdp_counter_loader [OBJECT] [--packets N]
//
// Exit status: 0 when the count matches, 1 when it does not or on an error,
// 2 on a bad command line, 77 without the privileges to run (a "skip" for
// ctest), 128+signal when interrupted.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include <bpfkit/netns.hpp>

#include "packet.hpp"

#ifndef XDP_COUNTER_OBJECT
#define XDP_COUNTER_OBJECT "xdp_counter.bpf.o"  // set by CMake to the built object
#endif

namespace {

namespace netns = bpfkit::netns;

constexpr int exit_failed = 1;  // wrong count, or an error
constexpr int exit_usage = 2;
constexpr int exit_skip = 77;

const char usage[] =
    "usage: xdp_counter_loader [OBJECT] [--packets N]\n"
    "  OBJECT       the BPF object (default: " XDP_COUNTER_OBJECT ")\n"
    "  --packets N  how many packets to send (default: 10)\n";

struct options {
  std::string object = XDP_COUNTER_OBJECT;
  unsigned packets = 10;
};

struct usage_error {
  std::string message;
};

unsigned parse_count(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.size() > 6) throw usage_error{"--packets needs a number up to 999999"};
  for (char c : text) {
    if (c < '0' || c > '9') throw usage_error{"--packets needs a number up to 999999"};
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

options parse_options(int argc, char **argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else if (arg == "--packets") {
      if (++i == argc) throw usage_error{"--packets needs a value"};
      opts.packets = parse_count(argv[i]);
    } else if (!arg.starts_with("-")) {
      opts.object = arg;
    } else {
      throw usage_error{"unknown option " + std::string(arg)};
    }
  }
  return opts;
}

// --- interruption -----------------------------------------------------------
// SIGINT/SIGTERM only set a flag; the main flow checks it and unwinds, so the
// destructors (XDP detach, closing the object) run as on any other path.

volatile std::sig_atomic_t received_signal = 0;

struct interrupted {
  int signal;
};

void on_signal(int signal) { received_signal = signal; }

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void check_interrupted() {
  if (received_signal) throw interrupted{received_signal};
}

// --- the BPF object ---------------------------------------------------------

// libbpf's own error codes (LIBBPF_ERRNO__*, above 4000) have no strerror()
// text; libbpf_strerror() knows them and plain errno values alike.
class libbpf_category : public std::error_category {
 public:
  const char *name() const noexcept override { return "libbpf"; }
  std::string message(int err) const override {
    char text[256];
    libbpf_strerror(err, text, sizeof text);
    return text;
  }
};

[[noreturn]] void throw_errno(int err, const std::string &what) {
  static const libbpf_category category;
  throw std::system_error(err, category, what);
}

struct object_deleter {
  void operator()(bpf_object *object) const { bpf_object__close(object); }
};
using object_ptr = std::unique_ptr<bpf_object, object_deleter>;

object_ptr load_object(const std::string &path) {
  object_ptr object(bpf_object__open_file(path.c_str(), nullptr));
  if (!object) throw_errno(errno, "open " + path);
  if (int err = bpf_object__load(object.get()); err != 0) throw_errno(-err, "load " + path);
  return object;
}

bpf_program &find_program(bpf_object &object, const char *name) {
  bpf_program *program = bpf_object__find_program_by_name(&object, name);
  if (!program) throw_errno(ENOENT, std::string("find program ") + name);
  return *program;
}

bpf_map &find_map(bpf_object &object, const char *name) {
  bpf_map *map = bpf_object__find_map_by_name(&object, name);
  if (!map) throw_errno(ENOENT, std::string("find map ") + name);
  return *map;
}

// An XDP program attached to a link in generic (SKB) mode, which works on
// every interface; detached when this goes out of scope.
class xdp_attachment {
 public:
  xdp_attachment(int ifindex, const bpf_program &program) : ifindex_(ifindex) {
    if (int err = bpf_xdp_attach(ifindex, bpf_program__fd(&program), flags, nullptr); err != 0)
      throw_errno(-err, "attach XDP program");
  }
  ~xdp_attachment() { bpf_xdp_detach(ifindex_, flags, nullptr); }
  xdp_attachment(const xdp_attachment &) = delete;
  xdp_attachment &operator=(const xdp_attachment &) = delete;

 private:
  static constexpr __u32 flags = XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST;
  int ifindex_;
};

// PACKET_COUNTER[0], or 0 while no packet has created the entry.
std::uint64_t read_counter(const bpf_map &map) {
  std::uint32_t key = 0;
  std::uint64_t value = 0;
  if (bpf_map__lookup_elem(&map, &key, sizeof key, &value, sizeof value, 0) != 0) {
    if (errno == ENOENT) return 0;
    throw_errno(errno, "read PACKET_COUNTER[0]");
  }
  return value;
}

// Received packets reach XDP asynchronously (through the receive backlog):
// poll until the count reached `expected` and stayed put for a moment, or
// give up after a bounded time and return what was counted.
std::uint64_t wait_for_count(const bpf_map &map, std::uint64_t expected) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  std::uint64_t count = read_counter(map);
  auto last_change = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    check_interrupted();
    std::this_thread::sleep_for(5ms);
    std::uint64_t now = read_counter(map);
    if (now != count) {
      count = now;
      last_change = std::chrono::steady_clock::now();
    } else if (count >= expected && std::chrono::steady_clock::now() - last_change >= 50ms) {
      break;
    }
  }
  return count;
}

// --- the experiment ---------------------------------------------------------

constexpr const char sender_link[] = "veth0";
constexpr const char receiver_link[] = "veth1";

// A private network with veth0 <-> veth1, both up and without IPv6 chatter,
// so the only packets veth1 ever receives are the ones sent below.
void build_network() {
  netns::enter_private_netns();
  netns::disable_ipv6();
  netns::create_veth(sender_link, receiver_link);
  netns::set_link_up(receiver_link);
  netns::set_link_up(sender_link);
}

void send_packets(unsigned count) {
  static constexpr std::uint8_t payload[] = "bpfkit xdp_counter";
  auto frame = packet::udp_frame(netns::link_mac(sender_link), netns::link_mac(receiver_link),
                                 payload);
  packet::raw_socket socket(netns::link_index(sender_link));
  for (unsigned i = 0; i < count; ++i) {
    check_interrupted();
    socket.send(frame);
  }
}

int run(const options &opts) {
  build_network();  // first: everything after happens in the private namespace
  object_ptr object = load_object(opts.object);
  bpf_map &counter = find_map(*object, "PACKET_COUNTER");
  {
    xdp_attachment attached(netns::link_index(receiver_link),
                            find_program(*object, "count_packets"));
    send_packets(opts.packets);
    std::uint64_t counted = wait_for_count(counter, opts.packets);
    std::printf("sent %u packets, PACKET_COUNTER[0] = %llu\n", opts.packets,
                static_cast<unsigned long long>(counted));
    std::fflush(stdout);
    if (counted != opts.packets) return exit_failed;
  }  // detached here
  return 0;
}

}  // namespace

int main(int argc, char **argv) {
  try {
    options opts = parse_options(argc, argv);
    install_signal_handlers();
    return run(opts);
  } catch (const usage_error &e) {
    std::fprintf(stderr, "xdp_counter_loader: %s\n%s", e.message.c_str(), usage);
    return exit_usage;
  } catch (const interrupted &e) {
    std::fprintf(stderr, "xdp_counter_loader: interrupted by %s\n", strsignal(e.signal));
    return 128 + e.signal;
  } catch (const std::system_error &e) {
    std::fprintf(stderr, "xdp_counter_loader: %s\n", e.what());
    if (e.code().value() == EPERM) {
      std::fprintf(stderr,
                   "xdp_counter_loader: needs root (CAP_SYS_ADMIN, CAP_BPF and CAP_NET_ADMIN); "
                   "skipping\n");
      return exit_skip;
    }
    return exit_failed;
  }
}
