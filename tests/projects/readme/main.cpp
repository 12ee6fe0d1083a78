// main.cpp: the README's loader. Attaches count_packets to an interface and
// prints how many packets it counted after a few seconds.
//   counter_loader <interface> [seconds]
#include <linux/if_link.h>
#include <net/if.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "counter.skel.hpp"

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: counter_loader <interface> [seconds]\n");
    return 2;
  }
  const unsigned ifindex = if_nametoindex(argv[1]);
  if (ifindex == 0) {
    std::fprintf(stderr, "counter_loader: no interface named %s\n", argv[1]);
    return 2;
  }
  try {
    auto skel = counter::skeleton::open_and_load();
    auto link = skel.progs.count_packets.attach_xdp(ifindex, XDP_FLAGS_SKB_MODE);
    std::this_thread::sleep_for(std::chrono::seconds(argc > 2 ? std::atoi(argv[2]) : 5));
    std::uint64_t packets = skel.maps.PACKET_COUNTER.lookup(0).value_or(0);
    std::printf("PACKET_COUNTER[0] = %llu\n", static_cast<unsigned long long>(packets));
  } catch (const std::exception &e) {
    std::fprintf(stderr, "counter_loader: %s\n", e.what());
    return 1;
  }
  return 0;
}
