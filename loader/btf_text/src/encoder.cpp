// parse_value: checks the syntax tree against the BTF type and writes the
// bytes. Every value lands at a bit position so that bitfields, big-endian
// BTF and ordinary fields take the same path.
#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "bits.hpp"
#include "bpfkit/btf_text.hpp"
#include "btf_types.hpp"
#include "failure.hpp"
#include "parser.hpp"

namespace bpfkit::btf_text_detail {
namespace {

std::string range_text(bool is_signed, unsigned bits) {
  if (bits == 0 || bits > 128) return "none";
  if (!is_signed) return "0.." + to_decimal(low_mask(bits));
  u128 half = u128{1} << (bits - 1);
  return "-" + to_decimal(half) + ".." + to_decimal(half - 1);
}

// The range of values that fit `bits` bits read as signed or as unsigned.
std::string either_range_text(unsigned bits) {
  if (bits == 0 || bits > 128) return "none";
  return "-" + to_decimal(u128{1} << (bits - 1)) + ".." + to_decimal(low_mask(bits));
}

class encoder {
 public:
  encoder(const btf* btf, std::vector<std::uint8_t>& out)
      : btf_(btf), out_(out), big_endian_(btf__endianness(btf) == BTF_BIG_ENDIAN) {}

  // The value of type `type_id` at `bit_offset`; bitfield_bits is the width
  // of a bitfield member (0 otherwise) and `member` its name, for messages.
  void value(std::uint32_t type_id, std::uint64_t bit_offset, unsigned bitfield_bits, const node& n,
             std::string_view member = {}) {
    resolved r = value_type(btf_, type_id);
    switch (btf_kind(r.t)) {
      case BTF_KIND_INT:
        return integer(type_id, r, bit_offset, bitfield_bits, n, member);
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return enumeration(r, bit_offset, bitfield_bits, n, member);
      case BTF_KIND_FLOAT:
        return floating(type_id, r, bit_offset, n);
      case BTF_KIND_PTR:
        return pointer(type_id, r, bit_offset, n);
      case BTF_KIND_ARRAY:
        return array(r, bit_offset, n);
      default:
        return composite(r, bit_offset, n);
    }
  }

 private:
  // What a bitfield is called in range messages.
  static std::string bitfield_name(unsigned bits, std::string_view member) {
    return std::to_string(bits) + "-bit field '" + std::string(member) + "'";
  }

  void store(const integer_value& v, std::uint64_t bit_offset, unsigned bits, bool ok, const std::string& what,
             const std::string& range, const node& n) {
    store(v, bit_offset, bits, ok, what, range, n, big_endian_);
  }
  void store(const integer_value& v, std::uint64_t bit_offset, unsigned bits, bool ok, const std::string& what,
             const std::string& range, const node& n, bool big_endian) {
    if (bits == 0 || bits > 128) fail_at(n.offset, what + " has " + std::to_string(bits) + " bits in this BTF");
    if (!ok) fail_at(n.offset, to_decimal(v) + " is out of range for " + what + " (" + range + ")");
    put_bits(out_, bit_offset, bits, to_bits(v, bits), big_endian);
  }

  // An enumerator of any enum in the BTF, for integers written by name.
  bool global_enumerator(const std::string& name, integer_value& v) {
    std::int64_t value = 0;
    bool unsigned64 = false;
    if (!find_enumerator(btf_, name, value, unsigned64)) return false;
    if (unsigned64 || value >= 0) {
      v = {false, static_cast<std::uint64_t>(value)};
    } else {
      v = {true, u128{0} - static_cast<u128>(static_cast<__int128>(value))};
    }
    return true;
  }

  void integer(std::uint32_t type_id, const resolved& r, std::uint64_t bit_offset, unsigned bitfield_bits,
               const node& n, std::string_view member) {
    int_info info = int_of(btf_, r.t);
    std::string desc = describe_type(btf_, type_id);
    std::string expected = info.is_bool   ? "true, false or a number"
                           : info.is_char ? "a number or 'c'"
                                          : "an integer";
    integer_value v;
    if (n.k == node::kind::integer) {
      v = n.integer;
    } else if (n.k == node::kind::identifier && info.is_bool && (n.str == "true" || n.str == "false")) {
      v = {false, n.str == "true" ? 1u : 0u};
    } else if (n.k == node::kind::identifier && !info.is_bool && global_enumerator(n.str, v)) {
      // proto=IPPROTO_UDP where proto is a __u8.
    } else if (n.k == node::kind::identifier && !info.is_bool) {
      fail_at(n.offset, "unknown name " + n.found + " for " + desc + ": expected " + expected +
                            " or an enumerator of an enum in the BTF");
    } else {
      fail_at(n.offset, "expected " + expected + " for " + desc + ", found " + n.found);
    }
    unsigned bits = bitfield_bits ? bitfield_bits : info.bits;
    std::uint64_t at = bit_offset + (bitfield_bits ? 0 : info.bit_shift);
    std::string what = bitfield_bits ? bitfield_name(bits, member) : desc;
    // A __be32 holds its number in network byte order on any target:
    // saddr=0x0a000001 is 10.0.0.1, the bytes 0a 00 00 01.
    bool big_endian = r.network_order && !bitfield_bits ? true : big_endian_;
    if (info.is_char && bits == 8) {
      // A char is a byte: '\xff' and -1 are both fine whatever its signedness.
      store(v, at, bits, fits_signed(v, 8) || fits_unsigned(v, 8), what, "-128..255", n, big_endian);
    } else if (info.is_signed) {
      store(v, at, bits, fits_signed(v, bits), what, range_text(true, bits), n, big_endian);
    } else {
      store(v, at, bits, fits_unsigned(v, bits), what, range_text(false, bits), n, big_endian);
    }
  }

  void enumeration(const resolved& r, std::uint64_t bit_offset, unsigned bitfield_bits, const node& n,
                   std::string_view member) {
    std::string desc = describe_type(btf_, r.id);
    unsigned bits = bitfield_bits ? bitfield_bits : r.t->size * 8;
    integer_value v;
    if (n.k == node::kind::integer) {
      v = n.integer;
    } else if (n.k == node::kind::identifier) {
      auto all = enumerators(btf_, r.t);
      auto it = std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.first == n.str; });
      if (it == all.end()) {
        std::vector<std::string_view> names;
        for (const auto& e : all) names.push_back(e.first);
        fail_at(n.offset, "unknown enumerator " + n.found + " of " + desc +
                              (names.empty() ? "; it has no enumerators" : "; enumerators: " + name_list(names)));
      }
      auto pattern = static_cast<std::int64_t>(it->second);
      bool negative = pattern < 0 && !(btf_is_enum64(r.t) && !enum_is_signed(r.t));
      v = negative ? integer_value{true, u128{0} - static_cast<u128>(static_cast<__int128>(pattern))}
                   : integer_value{false, it->second};
    } else {
      fail_at(n.offset, "expected an enumerator of " + desc + " or a number, found " + n.found);
    }
    // Enums have been signed or unsigned across compilers; take either reading.
    store(v, bit_offset, bits, fits_signed(v, bits) || fits_unsigned(v, bits),
          bitfield_bits ? bitfield_name(bits, member) : desc,
          either_range_text(bits), n);
  }

  void floating(std::uint32_t type_id, const resolved& r, std::uint64_t bit_offset, const node& n) {
    std::string desc = describe_type(btf_, type_id);
    if (r.t->size != 4 && r.t->size != 8) {
      fail_at(n.offset, desc + " is a " + std::to_string(r.t->size) +
                            "-byte floating-point type; only 4- and 8-byte ones are supported");
    }
    double d = 0;
    if (n.k == node::kind::integer) {
      d = static_cast<double>(n.integer.magnitude);
      if (n.integer.negative) d = -d;
    } else if (n.k == node::kind::floating) {
      d = n.real;
    } else if (n.k == node::kind::identifier && (n.str == "inf" || n.str == "-inf" || n.str == "nan")) {
      d = n.str == "nan" ? NAN : n.str == "inf" ? INFINITY : -INFINITY;
    } else {
      fail_at(n.offset, "expected a number for " + desc + ", found " + n.found);
    }
    if (r.t->size == 4) {
      // Values round to the nearest float, as in C; only those that would
      // round to infinity (at or past halfway from FLT_MAX to 2^128) are out.
      if (std::isfinite(d) && std::fabs(d) >= std::ldexp(1.0, 128) - std::ldexp(1.0, 103)) {
        fail_at(n.offset, n.found + " is out of range for " + desc);
      }
      put_bits(out_, bit_offset, 32, std::bit_cast<std::uint32_t>(static_cast<float>(d)), big_endian_);
    } else {
      put_bits(out_, bit_offset, 64, std::bit_cast<std::uint64_t>(d), big_endian_);
    }
  }

  void pointer(std::uint32_t type_id, const resolved& r, std::uint64_t bit_offset, const node& n) {
    std::string desc = describe_type(btf_, type_id);
    if (n.k != node::kind::integer) {
      fail_at(n.offset, "expected an integer (an address) for " + desc + ", found " + n.found);
    }
    auto bits = static_cast<unsigned>(type_size(btf_, r.id) * 8);
    store(n.integer, bit_offset, bits, fits_unsigned(n.integer, bits), desc, range_text(false, bits), n);
  }

  void array(const resolved& r, std::uint64_t bit_offset, const node& n) {
    const struct btf_array* a = btf_array(r.t);
    std::string desc = describe_type(btf_, r.id);
    std::size_t stride = type_size(btf_, a->type);
    resolved elem = resolve(btf_, a->type);
    bool bytes = elem.t && btf_is_int(elem.t) && elem.t->size == 1;
    if (n.k == node::kind::string && bytes) {
      if (n.str.size() > a->nelems) {
        fail_at(n.offset, "a string of " + std::to_string(n.str.size()) + " bytes does not fit " + desc);
      }
      for (std::size_t i = 0; i < n.str.size(); ++i) {
        put_bits(out_, bit_offset + i * 8, 8, static_cast<unsigned char>(n.str[i]), big_endian_);
      }
      return;
    }
    if (n.k != node::kind::list) {
      fail_at(n.offset, "expected [value, ...]" + std::string(bytes ? " or \"string\"" : "") + " for " + desc +
                            ", found " + n.found);
    }
    if (n.items.size() > a->nelems) {
      fail_at(n.items[a->nelems].offset, "too many elements for " + desc + ": it holds " +
                                             std::to_string(a->nelems) + ", " + std::to_string(n.items.size()) +
                                             " given");
    }
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      value(a->type, bit_offset + i * stride * 8, 0, n.items[i]);
    }
  }

  void composite(const resolved& r, std::uint64_t bit_offset, const node& n) {
    std::string desc = describe_type(btf_, r.id);
    if (n.k != node::kind::object) {
      fail_at(n.offset, "expected {field=value, ...} for " + desc + ", found " + n.found);
    }
    bool section = btf_is_datasec(r.t);
    std::vector<member_ref> members = named_members(btf_, r);
    std::vector<const member_ref*> given;
    for (const field& f : n.fields) {
      auto it = std::find_if(members.begin(), members.end(), [&](const member_ref& m) { return m.name == f.name; });
      if (it == members.end()) {
        std::vector<std::string_view> names;
        for (const auto& m : members) names.push_back(m.name);
        std::string what = section ? "variable" : "field";
        fail_at(f.offset, "unknown " + what + " '" + f.name + "' in " + desc +
                              (names.empty() ? "; it has no " + what + "s" : "; " + what + "s: " + name_list(names)));
      }
      for (const member_ref* prev : given) {
        if (prev == &*it) fail_at(f.offset, "field '" + f.name + "' is given twice");
        for (const union_choice& a : prev->unions) {
          for (const union_choice& b : it->unions) {
            if (a.union_number == b.union_number && a.member != b.member) {
              fail_at(f.offset, "fields '" + std::string(prev->name) + "' and '" + f.name + "' share " +
                                    describe_type(btf_, a.union_type_id) + "; give only one of them");
            }
          }
        }
      }
      given.push_back(&*it);
      value(it->type_id, bit_offset + it->bit_offset, it->bitfield_bits, f.value, it->name);
    }
  }

  const btf* btf_;
  std::vector<std::uint8_t>& out_;
  bool big_endian_;
};

}  // namespace
}  // namespace bpfkit::btf_text_detail

namespace bpfkit {

std::vector<std::uint8_t> parse_value(const btf* btf, std::uint32_t type_id, std::string_view text) {
  using namespace btf_text_detail;
  value_type(btf, type_id);
  std::vector<std::uint8_t> out(type_size(btf, type_id));
  return located(text, [&] {
    node n = parse_text(text);
    encoder(btf, out).value(type_id, 0, 0, n);
    return out;
  });
}

std::size_t value_extent(std::string_view text) {
  return btf_text_detail::located(text, [&] { return btf_text_detail::parse_prefix(text); });
}

}  // namespace bpfkit
