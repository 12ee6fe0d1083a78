#include "bpfkit/ring_buffer.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <exception>
#include <memory>
#include <utility>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/error.hpp"

namespace bpfkit::detail {

struct ring_buffer_reader::state {
  ~state() { ring_buffer__free(ring); }

  ::ring_buffer* ring = nullptr;
  sample_sink sink = nullptr;  // set for the duration of one poll/consume
  void* context = nullptr;
  std::exception_ptr failure;
};

namespace {

int deliver(void* context, void* data, std::size_t size) {
  auto& s = *static_cast<ring_buffer_reader::state*>(context);
  try {
    s.sink(s.context, -1, std::span<const std::byte>(static_cast<const std::byte*>(data), size));
    return 0;
  } catch (...) {
    // Exceptions must not unwind through libbpf: a negative return stops it.
    s.failure = std::current_exception();
    return -ECANCELED;
  }
}

}  // namespace

ring_buffer_reader::ring_buffer_reader(map_handle map) : map_(map) {
  expect_map(map_, map_kind::ring_buffer, 0, 0);
}

ring_buffer_reader::ring_buffer_reader(ring_buffer_reader&& other) noexcept
    : map_(other.map_), state_(std::exchange(other.state_, nullptr)) {}

ring_buffer_reader& ring_buffer_reader::operator=(ring_buffer_reader&& other) noexcept {
  if (this != &other) {
    delete state_;
    map_ = other.map_;
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}

ring_buffer_reader::~ring_buffer_reader() { delete state_; }

ring_buffer_reader::state& ring_buffer_reader::open() {
  if (state_) return *state_;
  if (map_.fd() < 0)
    throw error(EBADF, "read ring buffer '" + std::string(map_.name()) +
                           "': the object is not loaded yet (call load() first)");
  auto fresh = std::make_unique<state>();
  fresh->ring = ring_buffer__new(map_.fd(), deliver, fresh.get(), nullptr);
  if (!fresh->ring) throw error(errno, "open ring buffer '" + std::string(map_.name()) + "'");
  state_ = fresh.release();
  return *state_;
}

namespace {

// Runs one libbpf delivery call with the sink installed; rethrows what the
// sink threw, or throws for libbpf's own errors.
template <class Call>
int run(ring_buffer_reader::state& s, sample_sink sink, void* context, const map_handle& map,
        Call call) {
  s.sink = sink;
  s.context = context;
  s.failure = nullptr;
  int n = call();
  s.sink = nullptr;
  s.context = nullptr;
  if (s.failure) std::rethrow_exception(std::exchange(s.failure, nullptr));
  if (n == -EINTR) return 0;
  if (n < 0) throw error(n, "read ring buffer '" + std::string(map.name()) + "'");
  return n;
}

}  // namespace

int ring_buffer_reader::poll(sample_sink sink, void* context, int timeout_ms) {
  state& s = open();
  return run(s, sink, context, map_, [&] { return ring_buffer__poll(s.ring, timeout_ms); });
}

int ring_buffer_reader::consume(sample_sink sink, void* context) {
  state& s = open();
  return run(s, sink, context, map_, [&] { return ring_buffer__consume(s.ring); });
}

int ring_buffer_reader::epoll_fd() { return ring_buffer__epoll_fd(open().ring); }

}  // namespace bpfkit::detail
