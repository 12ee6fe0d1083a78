#include "bpfkit/ring_buffer.hpp"

#include <bpf/libbpf.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <exception>
#include <utility>

#include "bpfkit/detail/map_checks.hpp"

namespace bpfkit::detail {

struct ring_buffer_reader::state {
  ~state() { ring_buffer__free(ring); }

  ::ring_buffer* ring = nullptr;
  const handler* on_sample = nullptr;  // set for the duration of one poll/consume
  std::exception_ptr failure;
};

namespace {

int deliver(void* context, void* data, std::size_t size) {
  auto& s = *static_cast<ring_buffer_reader::state*>(context);
  try {
    (*s.on_sample)(std::span<const std::byte>(static_cast<const std::byte*>(data), size));
    return 0;
  } catch (...) {
    // Exceptions must not unwind through libbpf: a negative return stops it.
    s.failure = std::current_exception();
    return -ECANCELED;
  }
}

}  // namespace

ring_buffer_reader::ring_buffer_reader() noexcept = default;

ring_buffer_reader::ring_buffer_reader(map_handle map) : map_(map) {
  check_map(map_, map_kind::ring_buffer, 0, 0);
}

ring_buffer_reader::ring_buffer_reader(ring_buffer_reader&&) noexcept = default;
ring_buffer_reader& ring_buffer_reader::operator=(ring_buffer_reader&&) noexcept = default;
ring_buffer_reader::~ring_buffer_reader() = default;

ring_buffer_reader::state& ring_buffer_reader::open() {
  if (state_) return *state_;
  if (!map_.get()) throw error(EINVAL, "bpfkit::ring_buffer is not bound to a map");
  if (map_.fd() < 0)
    throw error(EBADF, "read ring buffer '" + std::string(map_.name()) +
                           "': the object is not loaded yet (call load() first)");
  auto fresh = std::make_unique<state>();
  fresh->ring = ring_buffer__new(map_.fd(), deliver, fresh.get(), nullptr);
  if (!fresh->ring) throw error(errno, "open ring buffer '" + std::string(map_.name()) + "'");
  state_ = std::move(fresh);
  return *state_;
}

namespace {

// Runs one libbpf delivery call with `on_sample` installed; rethrows what the
// handler threw, or throws for libbpf's own errors.
template <class Call>
int run(ring_buffer_reader::state& s, const ring_buffer_reader::handler& on_sample,
        const map_handle& map, Call call) {
  s.on_sample = &on_sample;
  s.failure = nullptr;
  int n = call();
  s.on_sample = nullptr;
  if (s.failure) std::rethrow_exception(std::exchange(s.failure, nullptr));
  if (n == -EINTR) return 0;
  if (n < 0) throw error(n, "read ring buffer '" + std::string(map.name()) + "'");
  return n;
}

}  // namespace

int ring_buffer_reader::poll(const handler& on_sample, std::chrono::milliseconds timeout) {
  state& s = open();
  int wait_ms =
      timeout.count() < 0 ? -1 : static_cast<int>(std::min<std::int64_t>(timeout.count(), INT_MAX));
  return run(s, on_sample, map_, [&] { return ring_buffer__poll(s.ring, wait_ms); });
}

int ring_buffer_reader::consume(const handler& on_sample) {
  state& s = open();
  return run(s, on_sample, map_, [&] { return ring_buffer__consume(s.ring); });
}

int ring_buffer_reader::epoll_fd() { return ring_buffer__epoll_fd(open().ring); }

}  // namespace bpfkit::detail
