#include "export/pcap_slice.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace sipscope::export_ {

namespace {

void put32le(std::ostream& out, uint32_t v) {
  const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 24)};
  out.write(b, 4);
}

void put16le(std::ostream& out, uint16_t v) {
  const char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  out.write(b, 2);
}

uint32_t partial_sum(std::span<const uint8_t> data, uint32_t sum) {
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += (uint32_t{data[i]} << 8) | data[i + 1];
  if (i < data.size()) sum += uint32_t{data[i]} << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

}  // namespace

uint16_t internet_checksum(std::span<const uint8_t> data, uint32_t sum) {
  return static_cast<uint16_t>(~partial_sum(data, sum) & 0xFFFF);
}

PcapWriter::PcapWriter(std::ostream& out, int link_type, uint32_t snaplen) : out_(out) {
  put32le(out_, 0xA1B2C3D4);  // microsecond timestamps
  put16le(out_, 2);
  put16le(out_, 4);
  put32le(out_, 0);  // thiszone
  put32le(out_, 0);  // sigfigs
  put32le(out_, snaplen);
  put32le(out_, static_cast<uint32_t>(link_type));
}

void PcapWriter::write(int64_t ts_us, std::span<const uint8_t> data, uint32_t wire_length) {
  const int64_t sec = ts_us >= 0 ? ts_us / 1'000'000 : (ts_us - 999'999) / 1'000'000;
  put32le(out_, static_cast<uint32_t>(sec));
  put32le(out_, static_cast<uint32_t>(ts_us - sec * 1'000'000));
  put32le(out_, static_cast<uint32_t>(data.size()));
  put32le(out_, std::max<uint32_t>(wire_length, static_cast<uint32_t>(data.size())));
  out_.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

uint32_t crc32c(std::span<const uint8_t> data) {
  // Bitwise, reflected polynomial 0x82F63B78: slices are small, no table needed.
  uint32_t crc = 0xFFFFFFFF;
  for (const uint8_t b : data) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78U & (0U - (crc & 1U)));
  }
  return ~crc;
}

}  // namespace sipscope::export_
