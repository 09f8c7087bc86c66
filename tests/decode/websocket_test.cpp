#include "decode/websocket.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sipscope::decode {
namespace {

using Bytes = std::vector<uint8_t>;

// RFC 6455 §5.7 examples.
const Bytes kUnmaskedHello = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
const Bytes kMaskedHello = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
const Bytes kFragmentHel = {0x01, 0x03, 0x48, 0x65, 0x6c};
const Bytes kFragmentLo = {0x80, 0x02, 0x6c, 0x6f};
const Bytes kPingHello = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};

TEST(WebSocket, UnmaskedTextFrame) {
  WsFrameHeader h;
  ASSERT_EQ(parse_ws_frame_header(kUnmaskedHello, h), WsParse::complete);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.opcode, ws_opcode::kText);
  EXPECT_FALSE(h.masked);
  EXPECT_EQ(h.payload_length, 5u);
  EXPECT_EQ(h.header_length, 2u);
}

TEST(WebSocket, MaskedTextFrameUnmasksToHello) {
  WsFrameHeader h;
  ASSERT_EQ(parse_ws_frame_header(kMaskedHello, h), WsParse::complete);
  EXPECT_TRUE(h.masked);
  EXPECT_EQ(h.header_length, 6u);
  Bytes payload(kMaskedHello.begin() + 6, kMaskedHello.end());
  ws_unmask(payload, h.mask_key, 0);
  EXPECT_EQ(std::string(payload.begin(), payload.end()), "Hello");
  // In two pieces, with the offset carrying the key phase.
  Bytes again(kMaskedHello.begin() + 6, kMaskedHello.end());
  ws_unmask(std::span<uint8_t>(again).subspan(0, 3), h.mask_key, 0);
  ws_unmask(std::span<uint8_t>(again).subspan(3), h.mask_key, 3);
  EXPECT_EQ(std::string(again.begin(), again.end()), "Hello");
}

TEST(WebSocket, FragmentsAndControlFrames) {
  WsFrameHeader h;
  ASSERT_EQ(parse_ws_frame_header(kFragmentHel, h), WsParse::complete);
  EXPECT_FALSE(h.fin);
  EXPECT_EQ(h.opcode, ws_opcode::kText);
  ASSERT_EQ(parse_ws_frame_header(kFragmentLo, h), WsParse::complete);
  EXPECT_TRUE(h.fin);
  EXPECT_EQ(h.opcode, ws_opcode::kContinuation);
  ASSERT_EQ(parse_ws_frame_header(kPingHello, h), WsParse::complete);
  EXPECT_TRUE(h.is_control());
  EXPECT_EQ(h.opcode, ws_opcode::kPing);
}

TEST(WebSocket, ExtendedLengths) {
  // §5.7: 256 bytes in a single unmasked binary frame, 64 KiB likewise.
  WsFrameHeader h;
  ASSERT_EQ(parse_ws_frame_header(Bytes{0x82, 0x7e, 0x01, 0x00}, h), WsParse::complete);
  EXPECT_EQ(h.payload_length, 256u);
  EXPECT_EQ(h.header_length, 4u);
  ASSERT_EQ(parse_ws_frame_header(Bytes{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}, h), WsParse::complete);
  EXPECT_EQ(h.payload_length, 65536u);
  EXPECT_EQ(h.header_length, 10u);
  EXPECT_EQ(parse_ws_frame_header(Bytes{0x82, 0x7f, 0x80, 0, 0, 0, 0, 1, 0, 0}, h),
            WsParse::bad_length);
}

TEST(WebSocket, EveryHeaderPrefixNeedsMore) {
  const Bytes full = {0x82, 0xfe, 0x01, 0x00, 1, 2, 3, 4};  // masked, 16-bit length
  for (size_t n = 0; n < full.size(); ++n) {
    WsFrameHeader h;
    EXPECT_EQ(parse_ws_frame_header(std::span(full).subspan(0, n), h), WsParse::need_more) << n;
  }
  WsFrameHeader h;
  EXPECT_EQ(parse_ws_frame_header(full, h), WsParse::complete);
  EXPECT_EQ(h.header_length, 8u);
}

TEST(WebSocket, BadFrames) {
  WsFrameHeader h;
  EXPECT_EQ(parse_ws_frame_header(Bytes{0x83, 0x00}, h), WsParse::bad_opcode);
  EXPECT_EQ(parse_ws_frame_header(Bytes{0xc1, 0x00}, h), WsParse::bad_reserved);  // RSV1
  EXPECT_EQ(parse_ws_frame_header(Bytes{0x09, 0x00}, h), WsParse::bad_control);   // no FIN
  EXPECT_EQ(parse_ws_frame_header(Bytes{0x89, 0x7e, 0x00, 0x80}, h), WsParse::bad_control);
}

TEST(WebSocket, RandomBytesNeverCrash) {
  std::mt19937 rng(3);
  for (int i = 0; i < 20000; ++i) {
    Bytes b(rng() % 16);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    WsFrameHeader h;
    if (parse_ws_frame_header(b, h) == WsParse::complete) {
      ASSERT_LE(h.header_length, b.size());
      ASSERT_LE(h.header_length, 14u);
    }
  }
}

// RFC 7118 §4.1 handshake example (abridged).
const std::string kUpgradeRequest =
    "GET / HTTP/1.1\r\n"
    "Host: sip-ws.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://www.example.com\r\n"
    "Sec-WebSocket-Protocol: sip\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";
const std::string kUpgradeResponse =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: sip\r\n"
    "\r\n";

TEST(WebSocket, UpgradeHandshake) {
  EXPECT_EQ(http_head_length(kUpgradeRequest + "\x81\x05"), kUpgradeRequest.size());
  EXPECT_EQ(http_head_length(kUpgradeRequest.substr(0, 40)), 0u);
  WsUpgrade u = ws_upgrade_request(kUpgradeRequest);
  EXPECT_TRUE(u.is_upgrade);
  EXPECT_TRUE(u.sip);
  u = ws_upgrade_response(kUpgradeResponse);
  EXPECT_TRUE(u.is_upgrade);
  EXPECT_TRUE(u.sip);
  EXPECT_FALSE(ws_upgrade_response(kUpgradeRequest).is_upgrade);
  EXPECT_FALSE(ws_upgrade_request(kUpgradeResponse).is_upgrade);
  u = ws_upgrade_request(
      "GET /chat HTTP/1.1\r\nUpgrade: WebSocket\r\n"
      "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n");
  EXPECT_TRUE(u.is_upgrade);
  EXPECT_FALSE(u.sip);
  EXPECT_FALSE(ws_upgrade_response("HTTP/1.1 200 OK\r\nUpgrade: websocket\r\n\r\n").is_upgrade);
}

}  // namespace
}  // namespace sipscope::decode
