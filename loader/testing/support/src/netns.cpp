#include "bpfkit/testing/netns.hpp"

#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bpfkit/error.hpp"
#include "unique_fd.hpp"

namespace bpfkit::testing::netns {
namespace {

using detail::unique_fd;

[[noreturn]] void throw_errno(int err, const std::string& what) { throw error(err, what); }

// An rtnetlink request under construction: a header, a fixed part, then
// (possibly nested) attributes, each padded to 4 bytes.
class netlink_request {
 public:
  netlink_request(std::uint16_t type, std::uint16_t flags) {
    nlmsghdr header{};
    header.nlmsg_type = type;
    header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    header.nlmsg_seq = 1;
    append(&header, sizeof header);
  }

  void append(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    buffer_.insert(buffer_.end(), bytes, bytes + size);
    buffer_.resize(NLMSG_ALIGN(buffer_.size()));
  }

  void attribute(std::uint16_t type, const void* data, std::size_t size) {
    rtattr attr{static_cast<unsigned short>(RTA_LENGTH(size)), type};
    append(&attr, sizeof attr);
    append(data, size);
  }

  void attribute(std::uint16_t type, const std::string& text) {
    attribute(type, text.c_str(), text.size() + 1);
  }

  // Opens a nested attribute; close it with end_nested(<returned offset>).
  std::size_t begin_nested(std::uint16_t type) {
    std::size_t at = buffer_.size();
    attribute(type, nullptr, 0);
    return at;
  }

  void end_nested(std::size_t at) {
    auto length = static_cast<unsigned short>(buffer_.size() - at);
    std::memcpy(buffer_.data() + at + offsetof(rtattr, rta_len), &length, sizeof length);
  }

  // Sends the request and waits for the kernel's acknowledgement.
  void execute(const std::string& what) {
    auto length = static_cast<std::uint32_t>(buffer_.size());
    std::memcpy(buffer_.data() + offsetof(nlmsghdr, nlmsg_len), &length, sizeof length);

    unique_fd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (sock.get() < 0) throw_errno(errno, "netlink socket");
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(sock.get(), buffer_.data(), buffer_.size(), 0,
                 reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) < 0)
      throw_errno(errno, what);
    receive_ack(sock.get(), what);
  }

 private:
  static void receive_ack(int sock, const std::string& what) {
    alignas(nlmsghdr) std::uint8_t reply[4096];
    ssize_t n = ::recv(sock, reply, sizeof reply, 0);
    if (n < 0) throw_errno(errno, what);
    const auto* header = reinterpret_cast<const nlmsghdr*>(reply);
    if (!NLMSG_OK(header, static_cast<unsigned>(n)) || header->nlmsg_type != NLMSG_ERROR)
      throw_errno(EPROTO, what + ": unexpected netlink reply");
    const auto* ack = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
    if (ack->error != 0) throw_errno(-ack->error, what);
  }

  std::vector<std::uint8_t> buffer_;
};

void write_sysctl(const std::string& path, const char* value) {
  unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno(errno, "open " + path);
  if (::write(fd.get(), value, std::strlen(value)) < 0) throw_errno(errno, "write " + path);
}

// An AF_INET datagram socket: the handle the interface ioctls need.
unique_fd ioctl_socket() {
  unique_fd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (sock.get() < 0) throw_errno(errno, "socket");
  return sock;
}

}  // namespace

const std::string& unavailable_reason() {
  static const std::string reason = [] {
    int err = 0;
    // In a thread of its own, which ends with the namespace it made.
    std::thread([&err] {
      if (::unshare(CLONE_NEWNET) != 0) err = errno;
    }).join();
    if (err == 0) return std::string();
    return "cannot create a private network namespace for veth pairs: unshare(CLONE_NEWNET) failed "
           "with " + std::string(std::strerror(err)) + " (errno " + std::to_string(err) +
           "). It needs CAP_SYS_ADMIN and CAP_NET_ADMIN (run the tests as root).";
  }();
  return reason;
}

void enter_private_netns() {
  if (::unshare(CLONE_NEWNET) != 0) throw_errno(errno, "create a private network namespace");
}

private_netns::private_netns()
    : original_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
  if (original_ < 0) throw_errno(errno, "open this thread's network namespace");
  if (::unshare(CLONE_NEWNET) != 0) {
    int err = errno;
    ::close(original_);
    throw_errno(err, "create a private network namespace");
  }
}

private_netns::~private_netns() {
  // Cannot fail for a namespace we came from with the privilege to leave it.
  ::setns(original_, CLONE_NEWNET);
  ::close(original_);
}

void disable_ipv6() {
  for (const char* scope : {"all", "default"}) {
    std::string path = std::string("/proc/sys/net/ipv6/conf/") + scope + "/disable_ipv6";
    // A kernel without IPv6 has no such file, and nothing to disable.
    if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) continue;
    write_sysctl(path, "1");
  }
}

void create_veth(const std::string& name, const std::string& peer) {
  netlink_request request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  ifinfomsg link{};
  request.append(&link, sizeof link);
  request.attribute(IFLA_IFNAME, name);
  std::size_t info = request.begin_nested(IFLA_LINKINFO);
  request.attribute(IFLA_INFO_KIND, std::string("veth"));
  std::size_t data = request.begin_nested(IFLA_INFO_DATA);
  std::size_t peer_info = request.begin_nested(VETH_INFO_PEER);
  request.append(&link, sizeof link);  // the peer's own ifinfomsg
  request.attribute(IFLA_IFNAME, peer);
  request.end_nested(peer_info);
  request.end_nested(data);
  request.end_nested(info);
  request.execute("create veth pair " + name + " <-> " + peer);
}

void set_link_up(const std::string& name) {
  netlink_request request(RTM_NEWLINK, 0);
  ifinfomsg link{};
  link.ifi_index = link_index(name);
  link.ifi_flags = IFF_UP;
  link.ifi_change = IFF_UP;
  request.append(&link, sizeof link);
  request.execute("bring up " + name);
}

int link_index(const std::string& name) {
  unsigned index = ::if_nametoindex(name.c_str());
  if (index == 0) throw_errno(errno, "find link " + name);
  return static_cast<int>(index);
}

mac_address link_mac(const std::string& name) {
  ifreq request{};
  name.copy(request.ifr_name, IFNAMSIZ - 1);
  if (::ioctl(ioctl_socket().get(), SIOCGIFHWADDR, &request) != 0)
    throw_errno(errno, "read the MAC address of " + name);
  mac_address mac;
  std::memcpy(mac.data(), request.ifr_hwaddr.sa_data, mac.size());
  return mac;
}

}  // namespace bpfkit::testing::netns
