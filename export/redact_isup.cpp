// ISUP bodies of SIP-I/SIP-T (application/ISUP, RFC 3204; ITU-T Q.763): the address signals
// of every number parameter replaced by the number's pseudonym, digit for digit, in place.
#include <array>
#include <utility>
#include <vector>

#include "export/redact.hpp"

namespace sipscope::export_ {

namespace {

// Q.763 §3: parameters holding address signals, and the bytes before the signals.
int digits_offset(uint8_t code) {
  switch (code) {
    case 0x04:  // called party number
    case 0x0A:  // calling party number
    case 0x0B:  // redirecting number
    case 0x0C:  // redirection number
    case 0x21:  // connected number
    case 0x28:  // original called number
    case 0x3F:  // location number
    case 0x45:  // call transfer number
    case 0x6F:  // called IN number
    case 0x7D:  // called directory number
    case 0x7F:  // original called IN number
    case 0x81:  // calling geodetic location (not BCD; its nibbles scrambled all the same)
    case 0x84:  // network routing number
      return 2;
    case 0x05:  // subsequent number
      return 1;
    case 0xC0:  // generic number: number qualifier first
      return 3;
    case 0xC1:  // generic digits: digits after one byte of type and encoding
      return 1;
    default:
      return -1;
  }
}

// Message type -> (fixed mandatory bytes, mandatory variable parameters and their codes).
struct Layout {
  uint8_t type;
  uint8_t fixed;
  std::array<uint8_t, 2> variable;  // parameter codes, 0 = none
  bool optional;
};
constexpr Layout kLayouts[] = {
    {0x01, 5, {0x04, 0}, true},  // IAM: NCI, FCI(2), CPC, TMR; called party number
    {0x02, 0, {0x05, 0}, true},  // SAM: subsequent number
    {0x03, 2, {0, 0}, true},     // INR
    {0x04, 2, {0, 0}, true},     // INF
    {0x06, 2, {0, 0}, true},     // ACM: backward call indicators
    {0x07, 2, {0, 0}, true},     // CON
    {0x09, 0, {0, 0}, true},     // ANM
    {0x0C, 0, {0x12, 0}, true},  // REL: cause indicators
    {0x0D, 1, {0, 0}, true},     // SUS
    {0x0E, 1, {0, 0}, true},     // RES
    {0x10, 0, {0, 0}, true},     // RLC
    {0x2C, 1, {0, 0}, true},     // CPG: event information
};

}  // namespace

std::string Redactor::isup(std::string_view body) {
  std::string out(body);
  auto* b = reinterpret_cast<uint8_t*>(out.data());
  const size_t n = out.size();
  // Rewrites the BCD address signals of parameter `code` whose value is out[at, at+len).
  auto number = [&](uint8_t code, size_t at, size_t len) {
    const int skip = digits_offset(code);
    if (skip < 0 || len <= static_cast<size_t>(skip) || at + len > n) return;
    const bool odd = code != 0xC1 && (b[at + (code == 0xC0 ? 1 : 0)] & 0x80) != 0;
    // Nibbles holding digits 0-9, low nibble first (Q.763 §3.9); filler, ST, * and # stay.
    std::vector<std::pair<size_t, bool>> nibbles;  // byte, high nibble
    std::string digits;
    for (size_t i = at + static_cast<size_t>(skip); i < at + len; ++i) {
      const bool last = i + 1 == at + len;
      for (const bool high : {false, true}) {
        if (high && last && odd) break;
        const uint8_t v = high ? b[i] >> 4 : b[i] & 0x0F;
        if (v > 9) continue;
        nibbles.emplace_back(i, high);
        digits += static_cast<char>('0' + v);
      }
    }
    if (digits.empty()) return;
    std::string p = pseudonym(digits, Kind::number);
    if (!p.empty() && p[0] == '+') p.erase(0, 1);
    if (p.size() != digits.size()) p = std::string(digits.size(), '0');
    for (size_t k = 0; k < nibbles.size(); ++k) {
      const auto [i, high] = nibbles[k];
      const auto v = static_cast<uint8_t>(p[k] - '0');
      b[i] = high ? static_cast<uint8_t>((b[i] & 0x0F) | (v << 4))
                  : static_cast<uint8_t>((b[i] & 0xF0) | v);
    }
  };

  if (n < 1) return out;
  const Layout* layout = nullptr;
  for (const auto& l : kLayouts) {
    if (l.type == b[0]) layout = &l;
  }
  if (layout == nullptr) return out;  // other messages carry no number (Q.763 Table 3)
  size_t pos = 1 + layout->fixed;
  // Mandatory variable part: one pointer per parameter, then the optional part's pointer
  // (Q.763 §1.8); a pointer counts from its own byte.
  for (const uint8_t code : layout->variable) {
    if (code == 0) continue;
    if (pos >= n) return out;
    const size_t at = pos + b[pos];
    if (b[pos] != 0 && at < n) number(code, at + 1, b[at]);
    ++pos;
  }
  if (!layout->optional || pos >= n || b[pos] == 0) return out;
  size_t at = pos + b[pos];
  // Optional parameters: {code, length, value} until the end-of-optional-parameters 0.
  while (at + 2 <= n && b[at] != 0) {
    const uint8_t code = b[at];
    const size_t len = b[at + 1];
    if (at + 2 + len > n) break;
    number(code, at + 2, len);
    at += 2 + len;
  }
  return out;
}

}  // namespace sipscope::export_
