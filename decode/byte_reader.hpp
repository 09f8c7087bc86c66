// The one bounds-checked reader for binary wire headers (link, IP, UDP, TCP, RTP, RTCP).
// Multi-byte integers are network byte order (RFC 1700 / RFC 791 §3.1 "big-endian").
// Every read returns false instead of reading past the end, and a failed read leaves the
// position unchanged, so decoders are a chain of `if (!r.read_u16(x)) return Error::...`.
//
//   ByteReader r(frame.data);
//   uint16_t ethertype = 0;
//   if (!r.skip(12) || !r.read_u16(ethertype)) return LinkError::truncated_ethernet;
//   std::span<const uint8_t> payload = r.rest();
//
// The reader does not own the bytes: spans it returns are views into the caller's buffer
// with the same lifetime.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sipscope::decode {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  [[nodiscard]] bool read_u8(uint8_t& out) {
    if (remaining() < 1) return false;
    out = data_[pos_++];
    return true;
  }
  [[nodiscard]] bool read_u16(uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  [[nodiscard]] bool read_u32(uint32_t& out) {
    if (remaining() < 4) return false;
    out = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
          (uint32_t{data_[pos_ + 2]} << 8) | uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  // Peeks without advancing (e.g. the IP version nibble).
  [[nodiscard]] bool peek_u8(uint8_t& out) const {
    if (remaining() < 1) return false;
    out = data_[pos_];
    return true;
  }
  [[nodiscard]] bool skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }
  // Takes the next n bytes as a view and advances past them.
  [[nodiscard]] bool subspan(size_t n, std::span<const uint8_t>& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }

  [[nodiscard]] size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] size_t offset() const { return pos_; }
  // Everything not read yet (empty at the end).
  [[nodiscard]] std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace sipscope::decode
