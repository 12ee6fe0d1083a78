// format_value: bytes of a BTF type as text (the syntax parse_value reads)
// or as JSON. The walk mirrors the encoder; unions additionally need a
// choice of member, made by checking which member's text would carry every
// set bit of the union (see pick_union_member).
#include <bit>
#include <charconv>
#include <cmath>
#include <string>

#include "bits.hpp"
#include "bpfkit/btf_text.hpp"
#include "btf_types.hpp"

namespace bpfkit::btf_text_detail {
namespace {

constexpr u128 max_safe_json_integer = (u128{1} << 53) - 1;

bool printable(unsigned char c) { return c >= 0x20 && c < 0x7f; }

std::string quoted(std::string_view s, char quote) {
  std::string out(1, quote);
  for (char c : s) {
    if (c == quote || c == '\\') out += '\\';
    out += c;
  }
  return out + quote;
}

class formatter {
 public:
  formatter(const btf* btf, std::span<const std::uint8_t> bytes, bool json)
      : btf_(btf), bytes_(bytes), json_(json), big_endian_(btf__endianness(btf) == BTF_BIG_ENDIAN) {}

  void value(std::uint32_t type_id, std::uint64_t bit_offset, unsigned bitfield_bits, std::string& out) {
    resolved r = value_type(btf_, type_id);
    switch (btf_kind(r.t)) {
      case BTF_KIND_INT:
        return integer(r, bit_offset, bitfield_bits, out);
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return enumeration(r, bit_offset, bitfield_bits, out);
      case BTF_KIND_FLOAT:
        return floating(type_id, r, bit_offset, out);
      case BTF_KIND_PTR:
        return pointer(r, bit_offset, out);
      case BTF_KIND_ARRAY:
        return array(r, bit_offset, out);
      default: {
        out += '{';
        bool first = true;
        members(r, bit_offset, out, first);
        out += '}';
        return;
      }
    }
  }

 private:
  void cover(std::uint64_t position, std::uint64_t bits) {
    if (covered_ == nullptr) return;
    for (std::uint64_t p = position; p < position + bits && p < covered_->size(); ++p) (*covered_)[p] = true;
  }

  void number(const integer_value& v, std::string& out) {
    bool quote = json_ && v.magnitude > max_safe_json_integer;
    if (quote) out += '"';
    out += to_decimal(v);
    if (quote) out += '"';
  }

  void integer(const resolved& r, std::uint64_t bit_offset, unsigned bitfield_bits, std::string& out) {
    int_info info = int_of(btf_, r.t);
    unsigned bits = bitfield_bits ? bitfield_bits : info.bits;
    std::uint64_t at = bit_offset + (bitfield_bits ? 0 : info.bit_shift);
    // __be16/32/64 hold their number in network byte order (see encoder).
    u128 pattern = get_bits(bytes_, at, bits, r.network_order && !bitfield_bits ? true : big_endian_);
    cover(at, bits);
    if (info.is_bool && pattern <= 1) {
      out += pattern ? "true" : "false";
    } else if (info.is_char && bits == 8 && !json_ && printable(static_cast<unsigned char>(pattern))) {
      out += quoted(std::string(1, static_cast<char>(pattern)), '\'');
    } else if (r.network_order && !json_ && !info.is_signed) {
      out += "0x" + to_hex(pattern, (bits + 3) / 4);
    } else {
      number(from_bits(pattern, bits, info.is_signed), out);
    }
  }

  void enumeration(const resolved& r, std::uint64_t bit_offset, unsigned bitfield_bits, std::string& out) {
    unsigned bits = bitfield_bits ? bitfield_bits : r.t->size * 8;
    u128 pattern = get_bits(bytes_, bit_offset, bits, big_endian_);
    cover(bit_offset, bits);
    for (const auto& [name, value] : enumerators(btf_, r.t)) {
      if ((u128{value} & low_mask(bits)) == pattern) {
        out += json_ ? quoted(name, '"') : std::string(name);
        return;
      }
    }
    number(from_bits(pattern, bits, enum_is_signed(r.t)), out);
  }

  template <typename F>
  static std::string shortest(F f) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f);
    return std::string(buf, end);
  }

  void floating(std::uint32_t type_id, const resolved& r, std::uint64_t bit_offset, std::string& out) {
    if (r.t->size != 4 && r.t->size != 8) {
      throw btf_text_error(describe_type(btf_, type_id) + " is a " + std::to_string(r.t->size) +
                           "-byte floating-point type; only 4- and 8-byte ones are supported");
    }
    unsigned bits = r.t->size * 8;
    auto pattern = static_cast<std::uint64_t>(get_bits(bytes_, bit_offset, bits, big_endian_));
    double d = bits == 32 ? std::bit_cast<float>(static_cast<std::uint32_t>(pattern)) : std::bit_cast<double>(pattern);
    // "nan" reads back as the default NaN only; other NaN payloads are not
    // claimed as represented, so a union prefers a member that keeps them.
    bool exact = !std::isnan(d) || (bits == 32 ? pattern == std::bit_cast<std::uint32_t>(static_cast<float>(NAN))
                                               : pattern == std::bit_cast<std::uint64_t>(double(NAN)));
    if (exact) cover(bit_offset, bits);
    std::string text;
    if (std::isnan(d)) {
      text = "nan";
    } else if (std::isinf(d)) {
      text = d < 0 ? "-inf" : "inf";
    } else {
      text = bits == 32 ? shortest(static_cast<float>(d)) : shortest(d);
    }
    out += json_ && !std::isfinite(d) ? quoted(text, '"') : text;
  }

  void pointer(const resolved& r, std::uint64_t bit_offset, std::string& out) {
    auto bits = static_cast<unsigned>(type_size(btf_, r.id) * 8);
    u128 pattern = get_bits(bytes_, bit_offset, bits, big_endian_);
    cover(bit_offset, bits);
    std::string text = "0x" + to_hex(pattern);
    out += json_ ? quoted(text, '"') : text;
  }

  // A char array reads as a string when it is printable text, a NUL, and
  // only zeros after it: exactly what parsing the string gives back.
  bool as_string(std::uint64_t bit_offset, std::size_t count, std::string& out) {
    if (bit_offset % 8 != 0 || bit_offset / 8 + count > bytes_.size()) return false;
    auto chars = bytes_.subspan(bit_offset / 8, count);
    std::size_t nul = 0;
    while (nul < count && chars[nul] != 0) {
      if (!printable(chars[nul])) return false;
      ++nul;
    }
    if (nul == count) return false;
    for (std::size_t i = nul; i < count; ++i) {
      if (chars[i] != 0) return false;
    }
    cover(bit_offset, count * 8);
    out += quoted(std::string_view(reinterpret_cast<const char*>(chars.data()), nul), '"');
    return true;
  }

  void array(const resolved& r, std::uint64_t bit_offset, std::string& out) {
    const struct btf_array* a = btf_array(r.t);
    std::size_t stride = type_size(btf_, a->type);
    resolved elem = resolve(btf_, a->type);
    if (elem.t && btf_is_int(elem.t) && int_of(btf_, elem.t).is_char && as_string(bit_offset, a->nelems, out)) {
      return;
    }
    out += '[';
    for (std::size_t i = 0; i < a->nelems; ++i) {
      if (i != 0) out += ", ";
      value(a->type, bit_offset + i * stride * 8, 0, out);
    }
    out += ']';
  }

  // Members of a struct, union or section, anonymous members inlined.
  void members(const resolved& r, std::uint64_t bit_offset, std::string& out, bool& first) {
    if (btf_is_datasec(r.t)) {
      const btf_var_secinfo* vars = btf_var_secinfos(r.t);
      for (unsigned i = 0; i < btf_vlen(r.t); ++i) {
        const btf_type* var = btf__type_by_id(btf_, vars[i].type);
        if (var == nullptr || !btf_is_var(var)) continue;
        named(name_of(btf_, var), var->type, bit_offset + std::uint64_t{vars[i].offset} * 8, 0, out, first);
      }
    } else if (btf_is_union(r.t)) {
      if (btf_vlen(r.t) != 0) member(r, pick_union_member(r, bit_offset), bit_offset, out, first);
    } else {
      for (unsigned i = 0; i < btf_vlen(r.t); ++i) member(r, i, bit_offset, out, first);
    }
  }

  void member(const resolved& r, unsigned i, std::uint64_t bit_offset, std::string& out, bool& first) {
    const btf_member& m = btf_members(r.t)[i];
    std::uint64_t at = bit_offset + btf_member_bit_offset(r.t, i);
    const char* name = btf__name_by_offset(btf_, m.name_off);
    if (name == nullptr || *name == '\0') {
      resolved inner = resolve(btf_, m.type);
      // Unnamed bitfields are padding and are not shown.
      if (is_composite(inner.t)) members(inner, at, out, first);
      return;
    }
    named(name, m.type, at, btf_member_bitfield_size(r.t, i), out, first);
  }

  void named(std::string_view name, std::uint32_t type_id, std::uint64_t at, unsigned bitfield_bits,
             std::string& out, bool& first) {
    if (!first) out += ", ";
    first = false;
    if (json_) {
      out += quoted(name, '"') + ": ";
    } else {
      out += std::string(name) + "=";
    }
    value(type_id, at, bitfield_bits, out);
  }

  // The first member (in declaration order) whose text carries every set
  // bit of the union, so parse(format(x)) == x; when none does, the one
  // that carries the most bits.
  unsigned pick_union_member(const resolved& r, std::uint64_t bit_offset) {
    std::vector<bool>* outer = covered_;
    std::uint64_t end = std::min<std::uint64_t>(bit_offset + std::uint64_t{r.t->size} * 8, bytes_.size() * 8);
    unsigned largest = 0;
    std::uint64_t largest_bits = 0;
    unsigned chosen = btf_vlen(r.t);
    for (unsigned i = 0; i < btf_vlen(r.t) && chosen == btf_vlen(r.t); ++i) {
      std::vector<bool> mask(bytes_.size() * 8);
      covered_ = &mask;
      std::string scratch;
      bool first = true;
      bool ok = true;
      try {
        member(r, i, bit_offset, scratch, first);
      } catch (const btf_text_error&) {
        ok = false;
      }
      std::uint64_t bits = 0;
      for (std::uint64_t p = bit_offset; p < end; ++p) {
        bits += mask[p];
        if (!mask[p] && bit_at(bytes_, p, big_endian_)) ok = false;
      }
      if (ok) chosen = i;
      if (bits > largest_bits) {
        largest = i;
        largest_bits = bits;
      }
    }
    covered_ = outer;
    return chosen != btf_vlen(r.t) ? chosen : largest;
  }

  const btf* btf_;
  std::span<const std::uint8_t> bytes_;
  bool json_;
  bool big_endian_;
  std::vector<bool>* covered_ = nullptr;  // set while trying union members
};

}  // namespace
}  // namespace bpfkit::btf_text_detail

namespace bpfkit {

std::string format_value(const btf* btf, std::uint32_t type_id, std::span<const std::uint8_t> bytes,
                         format_style style) {
  using namespace btf_text_detail;
  value_type(btf, type_id);
  std::size_t size = type_size(btf, type_id);
  if (bytes.size() != size) {
    throw btf_text_error(describe_type(btf, type_id) + " is " + std::to_string(size) + " bytes, but " +
                         std::to_string(bytes.size()) + " bytes were given");
  }
  std::string out;
  formatter(btf, bytes, style == format_style::json).value(type_id, 0, 0, out);
  return out;
}

}  // namespace bpfkit
