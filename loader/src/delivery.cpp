#include "bpfkit/detail/delivery.hpp"

#include <cerrno>
#include <climits>
#include <string>

#include "bpfkit/error.hpp"

namespace bpfkit::detail {

int timeout_ms(long double milliseconds) noexcept {
  if (milliseconds < 0) return -1;
  if (milliseconds > INT_MAX) return INT_MAX;
  return static_cast<int>(milliseconds);
}

void throw_event_size(const map_handle& map, std::size_t arrived, std::size_t expected) {
  throw error(EBADMSG, "ring buffer '" + std::string(map.name()) + "': an event of " +
                           std::to_string(arrived) + " bytes arrived, the event type is " +
                           std::to_string(expected) + " bytes");
}

}  // namespace bpfkit::detail
