#include "decode/sip/headers.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sipscope::decode::sip {
namespace {

// RFC 3261 §7.3.3 plus the later RFCs listed in headers.hpp: every compact form there is.
struct CompactRow {
  char compact;
  HeaderId id;
  std::string_view full;
};
constexpr CompactRow kCompactForms[] = {
    {'i', HeaderId::call_id, "Call-ID"},
    {'f', HeaderId::from, "From"},
    {'t', HeaderId::to, "To"},
    {'v', HeaderId::via, "Via"},
    {'m', HeaderId::contact, "Contact"},
    {'l', HeaderId::content_length, "Content-Length"},
    {'c', HeaderId::content_type, "Content-Type"},
    {'k', HeaderId::supported, "Supported"},
    {'s', HeaderId::subject, "Subject"},
    {'e', HeaderId::content_encoding, "Content-Encoding"},
    {'o', HeaderId::event, "Event"},                              // RFC 6665
    {'u', HeaderId::allow_events, "Allow-Events"},                // RFC 6665
    {'r', HeaderId::refer_to, "Refer-To"},                        // RFC 3515
    {'b', HeaderId::referred_by, "Referred-By"},                  // RFC 3892
    {'x', HeaderId::session_expires, "Session-Expires"},          // RFC 4028
    {'y', HeaderId::identity, "Identity"},                        // RFC 8224
    {'a', HeaderId::accept_contact, "Accept-Contact"},            // RFC 3841
    {'j', HeaderId::reject_contact, "Reject-Contact"},            // RFC 3841
    {'d', HeaderId::request_disposition, "Request-Disposition"},  // RFC 3841
};

TEST(Headers, EveryCompactFormResolvesBothCases) {
  for (const auto& row : kCompactForms) {
    const std::string lower(1, row.compact);
    const std::string upper(1, static_cast<char>(row.compact - 32));
    EXPECT_EQ(lookup_header(lower), row.id) << lower;
    EXPECT_EQ(lookup_header(upper), row.id) << upper;
    EXPECT_EQ(lookup_header(row.full), row.id) << row.full;
    EXPECT_EQ(header_info(row.id).compact, row.compact) << row.full;
    EXPECT_EQ(header_info(row.id).name, row.full);
  }
}

TEST(Headers, UnassignedCompactLettersAreOther) {
  // Letters with no compact form: 'g', 'h', 'n', 'p', 'q', 'w', 'z'.
  for (char c : std::string_view("ghnpqwz"))
    EXPECT_EQ(lookup_header(std::string(1, c)), HeaderId::other) << c;
  EXPECT_EQ(lookup_header("1"), HeaderId::other);
  EXPECT_EQ(lookup_header("-"), HeaderId::other);
}

TEST(Headers, CaseInsensitiveFullNames) {
  // §7.3.1: field names are case-insensitive (RFC 4475 wsinv uses "MaX-fOrWaRdS").
  EXPECT_EQ(lookup_header("MaX-fOrWaRdS"), HeaderId::max_forwards);
  EXPECT_EQ(lookup_header("call-id"), HeaderId::call_id);
  EXPECT_EQ(lookup_header("CALL-ID"), HeaderId::call_id);
  EXPECT_EQ(lookup_header("cseq"), HeaderId::cseq);
  EXPECT_EQ(lookup_header("www-authenticate"), HeaderId::www_authenticate);
  EXPECT_EQ(lookup_header("P-ASSERTED-IDENTITY"), HeaderId::p_asserted_identity);
  EXPECT_EQ(lookup_header("session-id"), HeaderId::session_id);
}

TEST(Headers, UnknownAndNearMissNames) {
  EXPECT_EQ(lookup_header(""), HeaderId::other);
  EXPECT_EQ(lookup_header("X-Call-ID"), HeaderId::other);
  EXPECT_EQ(lookup_header("Call-I"), HeaderId::other);
  EXPECT_EQ(lookup_header("Call-IDs"), HeaderId::other);
  EXPECT_EQ(lookup_header("Vias"), HeaderId::other);
  EXPECT_EQ(lookup_header("NewFangledHeader"), HeaderId::other);
}

TEST(Headers, TableRoundTripsEveryId) {
  for (int i = 1; i <= static_cast<int>(HeaderId::www_authenticate); ++i) {
    const auto id = static_cast<HeaderId>(i);
    const HeaderInfo& info = header_info(id);
    EXPECT_EQ(info.id, id);
    ASSERT_FALSE(info.name.empty()) << i;
    EXPECT_FALSE(info.rfc.empty()) << info.name;
    EXPECT_EQ(lookup_header(info.name), id) << info.name;
  }
  EXPECT_EQ(header_info(HeaderId::reason).rfc, "RFC 3326");
  EXPECT_EQ(header_info(HeaderId::cseq).compact, 0);
}

TEST(Headers, IEquals) {
  EXPECT_TRUE(iequals("", ""));
  EXPECT_TRUE(iequals("Via", "vIA"));
  EXPECT_FALSE(iequals("Via", "Vi"));
  // Only ASCII letters fold: '@' (0x40) and '`' (0x60) differ by 0x20 but are not a case pair.
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("[", "{"));
}

}  // namespace
}  // namespace sipscope::decode::sip
