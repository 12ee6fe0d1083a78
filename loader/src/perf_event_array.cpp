#include "bpfkit/perf_event_array.hpp"

#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <exception>
#include <string>
#include <utility>

#include "bpfkit/detail/map_checks.hpp"
#include "bpfkit/error.hpp"

namespace bpfkit {

struct perf_event_array::state {
  ~state() { perf_buffer__free(buffer); }

  perf_buffer* buffer = nullptr;
  callback on_sample;
  std::uint64_t lost = 0;
  std::exception_ptr failure;
};

namespace {

void deliver(void* context, int cpu, void* data, __u32 size) {
  auto& s = *static_cast<perf_event_array::state*>(context);
  if (s.failure) return;  // report the first failure; drop the rest of this batch
  try {
    s.on_sample(cpu, std::span<const std::byte>(static_cast<const std::byte*>(data), size));
  } catch (...) {
    // Exceptions must not unwind through libbpf.
    s.failure = std::current_exception();
  }
}

void count_lost(void* context, int, __u64 count) {
  static_cast<perf_event_array::state*>(context)->lost += count;
}

}  // namespace

perf_event_array::perf_event_array() noexcept = default;

perf_event_array::perf_event_array(map_handle map) : map_(map) {
  detail::check_map(map_, detail::map_kind::perf_event_array, 0, 0);
}

perf_event_array::perf_event_array(perf_event_array&&) noexcept = default;
perf_event_array& perf_event_array::operator=(perf_event_array&&) noexcept = default;
perf_event_array::~perf_event_array() = default;

void perf_event_array::open(callback on_sample, std::size_t pages) {
  if (!map_.get()) throw error(EINVAL, "bpfkit::perf_event_array is not bound to a map");
  std::string what = "open perf event array '" + std::string(map_.name()) + "'";
  if (map_.fd() < 0)
    throw error(EBADF, what + ": the object is not loaded yet (call load() first)");
  if (pages == 0 || (pages & (pages - 1)) != 0)
    throw error(EINVAL, what + ": pages must be a power of two, not " + std::to_string(pages));
  auto fresh = std::make_unique<state>();
  fresh->on_sample = std::move(on_sample);
  fresh->buffer = perf_buffer__new(map_.fd(), pages, deliver, count_lost, fresh.get(), nullptr);
  if (!fresh->buffer) throw error(errno, what);
  state_ = std::move(fresh);
}

perf_event_array::state& perf_event_array::require() {
  if (!state_)
    throw error(EINVAL, "perf event array '" + std::string(map_.get() ? map_.name() : "") +
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

int perf_event_array::poll(std::chrono::milliseconds timeout) {
  state& s = require();
  int wait_ms =
      timeout.count() < 0 ? -1 : static_cast<int>(std::min<std::int64_t>(timeout.count(), INT_MAX));
  return run(s, map_, [&] { return perf_buffer__poll(s.buffer, wait_ms); });
}

int perf_event_array::consume() {
  state& s = require();
  return run(s, map_, [&] { return perf_buffer__consume(s.buffer); });
}

std::uint64_t perf_event_array::lost() const noexcept { return state_ ? state_->lost : 0; }

}  // namespace bpfkit
