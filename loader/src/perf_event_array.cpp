#include "bpfkit/perf_event_array.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/error.hpp"

namespace bpfkit {

struct perf_event_array::state {
  ~state() {
    perf_buffer__free(buffer);
    if (destroy) destroy(context);
  }

  perf_buffer* buffer = nullptr;
  detail::sample_sink sink = nullptr;
  void* context = nullptr;  // the callback, owned
  void (*destroy)(void*) = nullptr;
  std::uint64_t lost = 0;
  std::exception_ptr failure;
};

namespace {

void deliver(void* context, int cpu, void* data, __u32 size) {
  auto& s = *static_cast<perf_event_array::state*>(context);
  if (s.failure) return;  // report the first failure; drop the rest of this batch
  try {
    s.sink(s.context, cpu, std::span<const std::byte>(static_cast<const std::byte*>(data), size));
  } catch (...) {
    // Exceptions must not unwind through libbpf.
    s.failure = std::current_exception();
  }
}

void count_lost(void* context, int, __u64 count) {
  static_cast<perf_event_array::state*>(context)->lost += count;
}

}  // namespace

perf_event_array::perf_event_array(map_handle map) : map_(map) {
  detail::expect_map(map_, detail::map_kind::perf_event_array, 0, 0);
}

perf_event_array::perf_event_array(perf_event_array&& other) noexcept
    : map_(other.map_), state_(std::exchange(other.state_, nullptr)) {}

perf_event_array& perf_event_array::operator=(perf_event_array&& other) noexcept {
  if (this != &other) {
    delete state_;
    map_ = other.map_;
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}

perf_event_array::~perf_event_array() { delete state_; }

void perf_event_array::open_erased(void* callback, detail::sample_sink call,
                                   void (*destroy)(void*), std::size_t pages) {
  auto fresh = std::make_unique<state>();
  fresh->sink = call;
  fresh->context = callback;
  fresh->destroy = destroy;
  std::string what = "open perf event array '" + std::string(map_.name()) + "'";
  if (map_.fd() < 0)
    throw error(EBADF, what + ": the object is not loaded yet (call load() first)");
  if (pages == 0 || (pages & (pages - 1)) != 0)
    throw error(EINVAL, what + ": pages must be a power of two, not " + std::to_string(pages));
  fresh->buffer = perf_buffer__new(map_.fd(), pages, deliver, count_lost, fresh.get(), nullptr);
  if (!fresh->buffer) throw error(errno, what);
  delete state_;
  state_ = fresh.release();
}

perf_event_array::state& perf_event_array::require() {
  if (!state_)
    throw error(EINVAL, "perf event array '" + std::string(map_.name()) +
                            "' is not open (call open() first)");
  return *state_;
}

namespace {

template <class Call>
int run(perf_event_array::state& s, const map_handle& map, Call call) {
  s.failure = nullptr;
  int n = call();
  if (s.failure) std::rethrow_exception(std::exchange(s.failure, nullptr));
  if (n == -EINTR) return 0;
  if (n < 0) throw error(n, "read perf event array '" + std::string(map.name()) + "'");
  return n;
}

}  // namespace

int perf_event_array::poll_ms(int timeout_ms) {
  state& s = require();
  return run(s, map_, [&] { return perf_buffer__poll(s.buffer, timeout_ms); });
}

int perf_event_array::consume() {
  state& s = require();
  return run(s, map_, [&] { return perf_buffer__consume(s.buffer); });
}

std::uint64_t perf_event_array::lost() const noexcept { return state_ ? state_->lost : 0; }

}  // namespace bpfkit
