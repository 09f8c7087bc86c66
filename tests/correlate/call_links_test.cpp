#include "correlate/call_links.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/correlate/test_support.hpp"

namespace sipscope::correlate {
namespace {

using test::EventMaker;
using test::kA;
using test::kB;
using test::kSec;
using test::kT0;

// An initial INVITE of Call-ID `call_id` to `to_user` with extra header lines.
std::string invite(const std::string& call_id, const std::string& to_user,
                   const std::string& extra = "") {
  return "INVITE sip:" + to_user + "@example.com SIP/2.0\r\n" +
         "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK" + call_id + "\r\n" +
         "From: <sip:alice@example.com>;tag=f" + call_id + "\r\nTo: <sip:" + to_user +
         "@example.com>\r\nCall-ID: " + call_id + "\r\nCSeq: 1 INVITE\r\n" + extra +
         "Content-Length: 0\r\n\r\n";
}

class LinkIndexTest : public ::testing::Test {
 protected:
  std::vector<CallLinkRecord> start(int64_t id, int64_t ts, const std::string& text) {
    const auto& ev = maker_.make(ts, kA, kB, text);
    std::vector<CallLinkRecord> out;
    links_.on_call_start(id, ev, summarize(*ev.message), out);
    return out;
  }
  void refer(int64_t id, int64_t ts, const std::string& refer_to) {
    const std::string text =
        "REFER sip:bob@192.0.2.30 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKr\r\n"
        "From: <sip:alice@example.com>;tag=fc1\r\nTo: <sip:bob@example.com>;tag=t\r\n"
        "Call-ID: c1\r\nCSeq: 2 REFER\r\nRefer-To: " +
        refer_to + "\r\nContent-Length: 0\r\n\r\n";
    const auto& ev = maker_.make(ts, kA, kB, text);
    links_.on_refer(id, ev, summarize(*ev.message));
  }

  EventMaker maker_;
  LinkIndex links_{{"X-Call-ID"}, 100, 32 * kSec};
};

// Attended transfer (RFC 5589 §7): call 3 replaces the consultation (call 2) and follows the
// REFER of call 1. The first link puts 3 in 2's group, the second meets group 1: the two
// groups merge, so all three calls share group 1 (found by samples/refer_replaces.pcap,
// where the consultation kept a group of its own).
TEST_F(LinkIndexTest, TransferMergesGroups) {
  EXPECT_TRUE(start(1, kT0, invite("c1", "bob")).empty());
  EXPECT_TRUE(start(2, kT0 + kSec, invite("c2", "carol")).empty());
  refer(1, kT0 + 2 * kSec, "<sip:carol@example.com?Replaces=c2%3Bto-tag%3Dt2%3Bfrom-tag%3Dfc2>");
  const auto out = start(3, kT0 + 3 * kSec,
                         invite("c3", "carol",
                                "Replaces: c2;to-tag=t2;from-tag=fc2\r\n"
                                "Referred-By: <sip:alice@example.com>\r\n"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].linked_call_id, 2);
  EXPECT_EQ(out[0].reason, "replaces");
  EXPECT_EQ(out[1].linked_call_id, 1);
  EXPECT_EQ(out[1].reason, "refer");
  EXPECT_EQ(out[1].group_id, 1);
  EXPECT_EQ(links_.take_group(2), 1);
  EXPECT_EQ(links_.take_group(3), 1);
  EXPECT_EQ(links_.take_group(1), 1);
}

// Legs 1 and 2 (X-Call-ID) end and are stored in group 1; leg 3 later names leg 2: it
// joins group 1, not a group of leg 2's own id.
TEST_F(LinkIndexTest, LinkToAStoredCallKeepsItsGroup) {
  EXPECT_TRUE(start(1, kT0, invite("a1", "bob")).empty());
  EXPECT_EQ(start(2, kT0 + 1, invite("b2", "bob", "X-Call-ID: a1\r\n")).size(), 1u);
  EXPECT_EQ(links_.take_group(1), 1);
  EXPECT_EQ(links_.take_group(2), 1);
  const auto out = start(3, kT0 + 10 * kSec, invite("c3", "bob", "X-Call-ID: b2\r\n"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].linked_call_id, 2);
  EXPECT_EQ(out[0].group_id, 1);
  EXPECT_EQ(links_.take_group(3), 1);
}

}  // namespace
}  // namespace sipscope::correlate
