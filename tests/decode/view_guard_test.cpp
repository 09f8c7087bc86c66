// Compile-time proofs that decode/'s view-returning parsers refuse temporary buffers and
// that the classes pointing into themselves cannot be copied (issue 11 point 4). The
// static_asserts are the test: this file does not compile if a guard is lost.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "decode/decoder.hpp"
#include "decode/hep.hpp"
#include "decode/ip.hpp"
#include "decode/ip_reassembly.hpp"
#include "decode/link.hpp"
#include "decode/rtcp.hpp"
#include "decode/rtp.hpp"
#include "decode/sctp.hpp"
#include "decode/sdp/sdp.hpp"
#include "decode/sip/fields.hpp"
#include "decode/sip/message.hpp"
#include "decode/tcp_stream.hpp"
#include "decode/text.hpp"
#include "decode/tunnel.hpp"

namespace sipscope::decode {
namespace {

using Bytes = std::vector<uint8_t>;

// Each concept asks "does this call compile with an argument of type In?"; In is a
// reference for an lvalue and a plain type for a temporary (std::forward gives an rvalue).
template <typename In>
concept ParsesMessage = requires(In&& in, sip::Message& m) {
  sip::parse_message(std::forward<In>(in), m);
};
template <typename In>
concept ParsesSdp = requires(In&& in, sdp::Session& s) {
  sdp::parse_sdp(std::forward<In>(in), s);
};
template <typename In>
concept ParsesUri = requires(In&& in, sip::Uri& u) {
  sip::parse_uri(std::forward<In>(in), u);
};
template <typename In>
concept ParsesNameAddr = requires(In&& in, sip::NameAddr& n) {
  sip::parse_name_addr(std::forward<In>(in), n);
};
template <typename In>
concept ParsesVia = requires(In&& in, sip::Via& v) {
  sip::parse_via(std::forward<In>(in), v);
};
template <typename In>
concept ParsesCseq = requires(In&& in, sip::CSeq& c) {
  sip::parse_cseq(std::forward<In>(in), c);
};
template <typename In>
concept ParsesReason = requires(In&& in, sip::ReasonValue& r) {
  sip::parse_reason(std::forward<In>(in), r);
};
template <typename In>
concept FindsParam = requires(In&& in) {
  sip::param_value(std::forward<In>(in), "tag");
};
template <typename In>
concept DecodesIp = requires(In&& in, IpPacket& p) {
  decode_ip(std::forward<In>(in), p);
};
template <typename In>
concept DecodesUdp = requires(In&& in, UdpHeader& u) {
  decode_udp(std::forward<In>(in), false, u);
};
template <typename In>
concept DecodesTcp = requires(In&& in, TcpHeader& t) {
  decode_tcp(std::forward<In>(in), t);
};
template <typename In>
concept DecodesLink = requires(In&& in, LinkLayer& l) {
  decode_link(1, std::forward<In>(in), l);
};
template <typename In>
concept DecodesHep = requires(In&& in, HepPacket& h) {
  decode_hep(std::forward<In>(in), h);
};
template <typename In>
concept DecodesSctp = requires(In&& in, SctpPacket& p) {
  decode_sctp(std::forward<In>(in), p);
};
template <typename In>
concept DecodesGre = requires(In&& in, TunnelPayload& t) {
  decode_gre(std::forward<In>(in), t);
};
template <typename In>
concept TrimsText = requires(In&& in) {
  sip::detail::trim(std::forward<In>(in));
};
template <typename In>
concept SkipsCrlf = requires(In&& in) {
  text::skip_crlf(std::forward<In>(in));
};
template <typename In>
concept ViewsAsChars = requires(In&& in) {
  text::as_chars(std::forward<In>(in));
};
// Message's header table lives in the object: headers() and find() need an lvalue Message.
template <typename M>
concept ListsHeaders = requires(M&& m) {
  std::forward<M>(m).headers();
};
template <typename M>
concept FindsHeader = requires(M&& m) {
  std::forward<M>(m).find(sip::HeaderId::call_id);
  std::forward<M>(m).find("Call-ID");
};
template <typename In>
concept ParsesRtp = requires(In&& in, rtp::RtpHeader& h) {
  rtp::parse_rtp(std::forward<In>(in), h);
};

// Text parsers: views, lvalue strings and literals are accepted; a temporary string is not.
static_assert(ParsesMessage<std::string_view> && ParsesMessage<std::string&> &&
              ParsesMessage<const std::string&> && ParsesMessage<const char (&)[4]>);
static_assert(!ParsesMessage<std::string> && !ParsesMessage<const std::string>);
static_assert(ParsesSdp<std::string&> && !ParsesSdp<std::string>);
static_assert(ParsesUri<std::string&> && !ParsesUri<std::string>);
static_assert(ParsesNameAddr<std::string&> && !ParsesNameAddr<std::string>);
static_assert(ParsesVia<std::string&> && !ParsesVia<std::string>);
static_assert(ParsesCseq<std::string&> && !ParsesCseq<std::string>);
static_assert(ParsesReason<std::string&> && !ParsesReason<std::string>);
static_assert(FindsParam<std::string&> && !FindsParam<std::string>);
static_assert(TrimsText<std::string&> && TrimsText<std::string_view> && !TrimsText<std::string>);
static_assert(SkipsCrlf<std::string&> && SkipsCrlf<const char (&)[3]> && !SkipsCrlf<std::string>);
static_assert(ViewsAsChars<Bytes&> && ViewsAsChars<std::span<const uint8_t>> &&
              !ViewsAsChars<Bytes>);
static_assert(ListsHeaders<sip::Message&> && ListsHeaders<const sip::Message&> &&
              !ListsHeaders<sip::Message> && !ListsHeaders<const sip::Message>);
static_assert(FindsHeader<sip::Message&> && !FindsHeader<sip::Message>);

// Binary parsers: spans and lvalue vectors are accepted; a temporary vector is not.
static_assert(DecodesIp<std::span<const uint8_t>> && DecodesIp<Bytes&> && !DecodesIp<Bytes>);
static_assert(DecodesUdp<Bytes&> && !DecodesUdp<Bytes>);
static_assert(DecodesTcp<Bytes&> && !DecodesTcp<Bytes>);
static_assert(DecodesLink<Bytes&> && !DecodesLink<Bytes>);
static_assert(DecodesHep<Bytes&> && !DecodesHep<Bytes>);
static_assert(DecodesSctp<Bytes&> && !DecodesSctp<Bytes>);
static_assert(DecodesGre<Bytes&> && !DecodesGre<Bytes>);
static_assert(ParsesRtp<Bytes&> && !ParsesRtp<Bytes>);
static_assert(std::is_constructible_v<rtcp::CompoundReader, Bytes&> &&
              !std::is_constructible_v<rtcp::CompoundReader, Bytes>);
static_assert(std::is_constructible_v<SctpChunkReader, Bytes&> &&
              !std::is_constructible_v<SctpChunkReader, Bytes>);

// Objects whose members point into the object itself.
static_assert(!std::is_copy_constructible_v<Decoder> && !std::is_copy_assignable_v<Decoder>);
static_assert(!std::is_copy_constructible_v<TcpStreams> && !std::is_copy_assignable_v<TcpStreams>);
static_assert(!std::is_copy_constructible_v<IpReassembler> &&
              !std::is_copy_assignable_v<IpReassembler>);
static_assert(!std::is_copy_constructible_v<SctpReassembler> &&
              !std::is_copy_assignable_v<SctpReassembler>);

// The guards change nothing at run time: a view into a live string still parses.
TEST(ViewGuard, LvalueStringStillParses) {
  const std::string uri = "sip:alice@example.com:5070";
  sip::Uri u;
  ASSERT_TRUE(sip::parse_uri(uri, u));
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 5070);
}

}  // namespace
}  // namespace sipscope::decode
