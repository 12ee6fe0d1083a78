// GoogleTest matchers for typed maps (bpfkit::hash_map, bpfkit::percpu_map:
// the skeleton's skel.maps.<map>), with BTF-decoded failure messages:
//
//   EXPECT_THAT(skel().maps.PACKET_COUNTER, HasEntry(0, 5));
//     Value of: skel().maps.PACKET_COUNTER
//     Expected: has entry [0] == 5
//       Actual: PACKET_COUNTER {0: 4}, PACKET_COUNTER[0]: expected 5, found 4
//   EXPECT_THAT(skel().maps.flows, HasEntry(key, stats));
//     ... flows[{saddr=0x0a000001, daddr=0x0a000002, sport=1000, dport=53, proto=17}]:
//         expected {packets=3, bytes=150}, found {packets=2, bytes=100}
//   EXPECT_THAT(skel().maps.PACKET_COUNTER, Lacks(1));      // PACKET_COUNTER[1]: expected no entry, found 7
//   EXPECT_THAT(skel().maps.PACKET_COUNTER, HasKey(0));     // PACKET_COUNTER[0]: expected an entry, found none (the map is empty)
//   EXPECT_THAT(skel().maps.flows, HasCount(1));            // count(flows): expected 1, found 2
//
// Keys and values are written by the BTF the map was created with (read from
// the kernel through the map's fd, in bpfkit's value syntax, as EXPECT_MAP and
// `bpfkit map dump` write them). A map without BTF types (declared with
// key_size/value_size) falls back to operator<< where the C++ type has one,
// else to the bytes.
//
// Values compare with operator== where the C++ type has one; generated
// structs (which have none) compare by their BTF text, so padding bytes never
// fail a test; without BTF they compare as bytes.
//
// Per-CPU maps: HasEntry(key, v) with an integer v compares the sum over all
// possible CPUs; HasEntry(key, std::vector<V>{...}) compares CPU by CPU.
#pragma once

#include <gmock/gmock.h>

#include <concepts>
#include <cstddef>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <ostream>
#include <ranges>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "bpfkit/hash_map.hpp"
#include "bpfkit/map_codec.hpp"
#include "bpfkit/map_handle.hpp"
#include "bpfkit/percpu_map.hpp"

namespace bpfkit::testing {
namespace detail {

// Keys and values of one map as text, by the runtime's view of the map
// (bpfkit::map_view: the object's BTF, in the syntax EXPECT_MAP and `bpfkit
// map dump` write). key()/value() return nothing when the map has no BTF type
// for them (or is not loaded): the matchers fall back to the C++ values.
class map_btf {
 public:
  explicit map_btf(const map_handle& map) noexcept;
  ~map_btf();
  map_btf(const map_btf&) = delete;
  map_btf& operator=(const map_btf&) = delete;

  bool has_key_type() const noexcept;
  bool has_value_type() const noexcept;
  std::optional<std::string> key(std::span<const std::byte> bytes) const;
  std::optional<std::string> value(std::span<const std::byte> bytes) const;
  // Zeroes the padding bytes of a key, as the kernel's copy of a properly
  // zeroed key has them: C++ copies of a struct do not keep its padding.
  void zero_key_padding(std::span<std::byte> bytes) const noexcept;
  // Why a lookup of `key` found nothing (bpfkit::map_view::missing_key_note);
  // empty when the map cannot be read.
  std::string missing_key_note(std::span<const std::byte> key) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Bytes as bpfkit's value syntax writes untyped bytes (btf_text's format_bytes).
std::string bytes_text(std::span<const std::byte> bytes);

template <class T>
concept streamable = requires(std::ostream& os, const T& value) { os << value; };

// A C++ value as text, without BTF.
template <class T>
std::string plain_text(const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_signed_v<T>)
      return std::to_string(static_cast<long long>(value));
    else
      return std::to_string(static_cast<unsigned long long>(value));
  } else if constexpr (std::is_enum_v<T>) {
    return plain_text(static_cast<std::underlying_type_t<T>>(value));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return ::testing::PrintToString(std::string_view(value));
  } else if constexpr (streamable<T>) {
    std::ostringstream out;
    out << value;
    return out.str();
  } else if constexpr (std::ranges::range<const T>) {
    std::string text = "[";
    bool first = true;
    for (const auto& element : value) {
      text += (first ? "" : ", ") + plain_text(element);
      first = false;
    }
    return text + "]";
  } else if constexpr (std::is_trivially_copyable_v<T>) {
    return bytes_text(std::as_bytes(std::span<const T, 1>(&value, 1)));
  } else {
    return ::testing::PrintToString(value);
  }
}

template <class T>
std::string key_text(const map_btf& btf, const T& key) {
  if (auto text = btf.key(::bpfkit::detail::bytes_of(key))) return *text;
  return plain_text(key);
}

template <class T>
std::string value_text(const map_btf& btf, const T& value) {
  if (auto text = btf.value(::bpfkit::detail::bytes_of(value))) return *text;
  return plain_text(value);
}

// One CPU's values of a per-CPU entry: "[v0, v1, ...]".
template <class T>
std::string values_text(const map_btf& btf, const std::vector<T>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + value_text(btf, values[i]);
  return text + "]";
}

// Equal as the matchers compare values (see the top of this file).
template <class T>
bool same_value(const map_btf& btf, const T& expected, const T& found, const std::string& expected_text,
                const std::string& found_text) {
  if constexpr (std::equality_comparable<T>) {
    return expected == found;
  } else {
    if (btf.has_value_type()) return expected_text == found_text;
    return std::memcmp(&expected, &found, sizeof(T)) == 0;
  }
}

// The keyed maps the matchers read.
template <class Map>
struct map_traits {
  static constexpr bool supported = false;
};
template <class K, class V>
struct map_traits<hash_map<K, V>> {
  static constexpr bool supported = true;
  static constexpr bool per_cpu = false;
  using key_type = K;
  using value_type = V;
};
template <class K, class V>
struct map_traits<percpu_map<K, V>> {
  static constexpr bool supported = true;
  static constexpr bool per_cpu = true;
  using key_type = K;
  using value_type = V;  // one CPU's
};

template <class Map>
constexpr void check_supported() {
  static_assert(map_traits<Map>::supported,
                "bpfkit map matchers work on keyed typed maps: bpfkit::hash_map<K, V> and "
                "bpfkit::percpu_map<K, V> (skel.maps.<map> of hash, array, LRU and per-CPU maps)");
}

// The key a matcher looks up: `key` converted to the map's key type, with
// zeroed padding (see map_btf::zero_key_padding). Filled in place: a copy of
// the result would not keep the padding zeroed.
template <class KeyType, class K>
void make_lookup_key(const map_btf& btf, const K& key, KeyType& out) {
  const KeyType converted = key;
  std::memcpy(&out, &converted, sizeof out);
  btf.zero_key_padding(::bpfkit::detail::writable_bytes_of(out));
}

// "NAME[key]"
template <class Map, class K>
std::string entry_label(const Map& map, const map_btf& btf, const K& key) {
  return std::string(map.handle().name()) + "[" + key_text(btf, key) + "]";
}

// Why a lookup of `wanted` found nothing: " (the map is empty)", " (the map
// has: k1, k2, k3, ...)", or, when a key reads the same as `wanted` but has
// other bytes, the classic BPF bug of a key struct with uninitialised padding.
template <class K>
std::string missing_key_note(const map_btf& btf, const K& wanted) {
  return btf.missing_key_note(::bpfkit::detail::bytes_of(wanted));
}

// The BTF text of a matcher's key and value, seen when it last matched, so
// that its description (GoogleTest's "Expected:" line, written after a
// failed match) reads like the explanation. Shared by copies of a matcher.
struct seen_text {
  std::optional<std::string> key;
  std::optional<std::string> value;
};

// Sum of a per-CPU entry of integers.
template <class T>
T sum_of(const std::vector<T>& values) {
  T sum{};
  for (const T& v : values) sum = static_cast<T>(sum + v);
  return sum;
}

template <class K, class V>
class has_entry_matcher {
 public:
  has_entry_matcher(K key, V value) : key_(std::move(key)), value_(std::move(value)) {}

  template <class Map>
  bool MatchAndExplain(const Map& map, ::testing::MatchResultListener* listener) const {
    check_supported<Map>();
    using traits = map_traits<Map>;
    using key_type = typename traits::key_type;
    using value_type = typename traits::value_type;
    try {
      const map_btf btf(map.handle());
      key_type key;
      make_lookup_key(btf, key_, key);
      const std::string where = entry_label(map, btf, key);
      seen_->key = key_text(btf, key);
      const auto found = map.lookup(key);
      if constexpr (!traits::per_cpu) {
        const value_type expected = value_;
        const std::string expected_text = value_text(btf, expected);
        seen_->value = expected_text;
        if (!found) {
          *listener << ::bpfkit::expected_found(where, expected_text,
                                                "no entry" + missing_key_note(btf, key));
          return false;
        }
        const std::string found_text = value_text(btf, *found);
        if (same_value(btf, expected, *found, expected_text, found_text)) {
          *listener << where << " is " << found_text;
          return true;
        }
        *listener << ::bpfkit::expected_found(where, expected_text, found_text);
        return false;
      } else if constexpr (std::ranges::range<const V>) {
        // CPU by CPU.
        std::vector<value_type> expected;
        for (const auto& v : value_) expected.push_back(v);
        const std::string expected_text = values_text(btf, expected);
        seen_->value = expected_text;
        if (!found) {
          *listener << ::bpfkit::expected_found(where, expected_text,
                                                "no entry" + missing_key_note(btf, key));
          return false;
        }
        const std::string found_text = values_text(btf, *found);
        bool same = expected.size() == found->size();
        for (std::size_t cpu = 0; same && cpu < expected.size(); ++cpu)
          same = same_value(btf, expected[cpu], (*found)[cpu], value_text(btf, expected[cpu]),
                            value_text(btf, (*found)[cpu]));
        if (same) {
          *listener << where << " is " << found_text;
          return true;
        }
        *listener << ::bpfkit::expected_found(where, expected_text, found_text);
        if (expected.size() != found->size())
          *listener << " (" << expected.size() << " values given, the map has one per possible CPU: "
                    << found->size() << ")";
        return false;
      } else {
        static_assert(std::is_arithmetic_v<value_type>,
                      "HasEntry(key, v) on a per-CPU map sums the CPUs' values, which needs "
                      "integer values; give one value per CPU (a std::vector) instead");
        const value_type expected = static_cast<value_type>(value_);
        const std::string expected_text = value_text(btf, expected);
        seen_->value = expected_text;
        if (!found) {
          *listener << ::bpfkit::expected_found(where, expected_text,
                                                "no entry" + missing_key_note(btf, key));
          return false;
        }
        const value_type sum = sum_of(*found);
        const std::string found_text = value_text(btf, sum);
        if (sum == expected) {
          *listener << where << " is " << found_text << " (summed over " << found->size() << " CPUs)";
          return true;
        }
        *listener << ::bpfkit::expected_found(where, expected_text, found_text)
                  << " (summed over " << found->size() << " CPUs: " << values_text(btf, *found) << ")";
        return false;
      }
    } catch (const std::exception& e) {
      *listener << "reading map " << map.handle().name() << " failed: " << e.what();
      return false;
    }
  }

  void DescribeTo(std::ostream* os) const { *os << "has entry " << entry(); }
  void DescribeNegationTo(std::ostream* os) const { *os << "has no entry " << entry(); }

 private:
  std::string entry() const {
    return "[" + seen_->key.value_or(plain_text(key_)) + "] == " + seen_->value.value_or(plain_text(value_));
  }

  K key_;
  V value_;
  std::shared_ptr<seen_text> seen_ = std::make_shared<seen_text>();
};

// HasKey (expect_present) and Lacks (!expect_present).
template <class K>
class presence_matcher {
 public:
  presence_matcher(K key, bool expect_present) : key_(std::move(key)), expect_present_(expect_present) {}

  template <class Map>
  bool MatchAndExplain(const Map& map, ::testing::MatchResultListener* listener) const {
    check_supported<Map>();
    using traits = map_traits<Map>;
    try {
      const map_btf btf(map.handle());
      typename traits::key_type key;
      make_lookup_key(btf, key_, key);
      const std::string where = entry_label(map, btf, key);
      seen_->key = key_text(btf, key);
      const auto found = map.lookup(key);
      std::string found_text;
      if (found) {
        if constexpr (traits::per_cpu)
          found_text = values_text(btf, *found);
        else
          found_text = value_text(btf, *found);
      }
      if (expect_present_) {
        if (found) {
          *listener << where << " is " << found_text;
          return true;
        }
        *listener << ::bpfkit::expected_found(where, "an entry", "none" + missing_key_note(btf, key));
        return false;
      }
      if (!found) {
        *listener << where << " is absent";
        return true;
      }
      *listener << ::bpfkit::expected_found(where, "no entry", found_text);
      return false;
    } catch (const std::exception& e) {
      *listener << "reading map " << map.handle().name() << " failed: " << e.what();
      return false;
    }
  }

  void DescribeTo(std::ostream* os) const {
    *os << (expect_present_ ? "has an entry for key [" : "has no entry for key [") << key() << "]";
  }
  void DescribeNegationTo(std::ostream* os) const {
    *os << (expect_present_ ? "has no entry for key [" : "has an entry for key [") << key() << "]";
  }

 private:
  std::string key() const { return seen_->key.value_or(plain_text(key_)); }

  K key_;
  bool expect_present_;
  std::shared_ptr<seen_text> seen_ = std::make_shared<seen_text>();
};

class count_matcher {
 public:
  explicit count_matcher(std::size_t count) : count_(count) {}

  template <class Map>
  bool MatchAndExplain(const Map& map, ::testing::MatchResultListener* listener) const {
    check_supported<Map>();
    try {
      const std::size_t found = map.count();
      if (found == count_) {
        *listener << "count(" << map.handle().name() << ") is " << found;
        return true;
      }
      *listener << ::bpfkit::expected_found("count(" + std::string(map.handle().name()) + ")",
                                            std::to_string(count_), std::to_string(found));
      return false;
    } catch (const std::exception& e) {
      *listener << "reading map " << map.handle().name() << " failed: " << e.what();
      return false;
    }
  }

  void DescribeTo(std::ostream* os) const { *os << "has " << count_ << " entries"; }
  void DescribeNegationTo(std::ostream* os) const { *os << "does not have " << count_ << " entries"; }

 private:
  std::size_t count_;
};

// "NAME {k: v, ...}" for gtest's "Actual:" line; at most `shown` entries.
template <class Map>
void print_map(const Map& map, std::ostream* os) {
  constexpr std::size_t shown = 8;
  const std::string name(map.handle().name());
  try {
    const map_btf btf(map.handle());
    std::string text = name + " {";
    std::size_t n = 0;
    bool more = false;
    for (const auto& [key, value] : map) {
      if (n == shown) {
        more = true;
        break;
      }
      text += (n ? ", " : "") + key_text(btf, key) + ": ";
      if constexpr (map_traits<Map>::per_cpu)
        text += values_text(btf, value);
      else
        text += value_text(btf, value);
      ++n;
    }
    if (more) text += ", ... (" + std::to_string(map.count()) + " entries)";
    *os << text << "}";
  } catch (const std::exception& e) {
    *os << name << " (unreadable: " << e.what() << ")";
  }
}

}  // namespace detail

// The map has `key` and its value is `value` (see the top of this file).
template <class K, class V>
::testing::PolymorphicMatcher<detail::has_entry_matcher<K, V>> HasEntry(K key, V value) {
  return ::testing::MakePolymorphicMatcher(detail::has_entry_matcher<K, V>(std::move(key), std::move(value)));
}

// The map has an entry for `key`, whatever its value.
template <class K>
::testing::PolymorphicMatcher<detail::presence_matcher<K>> HasKey(K key) {
  return ::testing::MakePolymorphicMatcher(detail::presence_matcher<K>(std::move(key), true));
}

// The map has no entry for `key`.
template <class K>
::testing::PolymorphicMatcher<detail::presence_matcher<K>> Lacks(K key) {
  return ::testing::MakePolymorphicMatcher(detail::presence_matcher<K>(std::move(key), false));
}

// The map has `count` entries (an array map always has max_entries).
inline ::testing::PolymorphicMatcher<detail::count_matcher> HasCount(std::size_t count) {
  return ::testing::MakePolymorphicMatcher(detail::count_matcher(count));
}

}  // namespace bpfkit::testing

namespace bpfkit {

// How GoogleTest prints a typed map (found by ADL): its entries, BTF-decoded.
template <class K, class V>
void PrintTo(const hash_map<K, V>& map, std::ostream* os) {
  testing::detail::print_map(map, os);
}
template <class K, class V>
void PrintTo(const percpu_map<K, V>& map, std::ostream* os) {
  testing::detail::print_map(map, os);
}

}  // namespace bpfkit
