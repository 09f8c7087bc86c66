#include "correlate/call_state.hpp"

#include <gtest/gtest.h>

namespace sipscope::correlate {
namespace {

constexpr int64_t kNoAnswer = 32'000'000;

// docs/states.md `state`: busy (486, 600), rejected (603, 607, 608), no_answer (408, 480),
// cancelled (487), redirected (3xx), failed (any other final >= 400), answered (2xx).
TEST(CallStateTest, StateFromFinalCodeTable) {
  struct Row {
    int code;
    CallState state;
  };
  const Row rows[] = {
      {200, CallState::answered},   {202, CallState::answered},   {299, CallState::answered},
      {300, CallState::redirected}, {301, CallState::redirected}, {302, CallState::redirected},
      {380, CallState::redirected}, {400, CallState::failed},     {401, CallState::failed},
      {403, CallState::failed},     {404, CallState::failed},     {407, CallState::failed},
      {408, CallState::no_answer},  {480, CallState::no_answer},  {486, CallState::busy},
      {487, CallState::cancelled},  {488, CallState::failed},     {500, CallState::failed},
      {503, CallState::failed},     {600, CallState::busy},       {603, CallState::rejected},
      {604, CallState::failed},     {607, CallState::rejected},   {608, CallState::rejected},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(state_from_final_code(r.code), r.state) << r.code;
  }
}

TEST(CallStateTest, DecideCallStateTable) {
  struct Row {
    const char* what;
    CallOutcome outcome;
    CallState state;
  };
  const Row rows[] = {
      {"no INVITE seen", {false, true, 200, false, 0, std::nullopt}, CallState::unknown},
      {"answered wins over a later final",
       {true, true, 487, false, 0, std::nullopt},
       CallState::answered},
      {"final decides", {true, false, 486, false, 0, std::nullopt}, CallState::busy},
      {"final beats answered CANCEL",
       {true, false, 487, true, 0, std::nullopt},
       CallState::cancelled},
      {"CANCEL 200 without 487",
       {true, false, std::nullopt, true, 0, std::nullopt},
       CallState::cancelled},
      {"no final, 32 s passed",
       {true, false, std::nullopt, false, kNoAnswer, std::nullopt},
       CallState::no_answer},
      {"no final, 40 s passed",
       {true, false, std::nullopt, false, 40'000'000, std::nullopt},
       CallState::no_answer},
      {"no final, 10 s passed",
       {true, false, std::nullopt, false, 10'000'000, std::nullopt},
       CallState::in_progress},
      {"no final, just under 32 s",
       {true, false, std::nullopt, false, kNoAnswer - 1, std::nullopt},
       CallState::in_progress},
      {"unretried challenge", {true, false, 407, false, 0, std::nullopt}, CallState::failed},
      // RFC 3261 §15: the caller may BYE an early dialog (487 expected: cancelled); the
      // callee must not (failed); a final, when captured, still decides.
      {"caller's BYE on an early dialog",
       {true, false, std::nullopt, false, 40'000'000, true},
       CallState::cancelled},
      {"callee's BYE on an early dialog",
       {true, false, std::nullopt, false, 10'000'000, false},
       CallState::failed},
      {"early BYE then its 487", {true, false, 487, false, 0, true}, CallState::cancelled},
      {"BYE after the answer",
       {true, true, std::nullopt, false, 0, std::nullopt},
       CallState::answered},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(decide_call_state(r.outcome, kNoAnswer), r.state) << r.what;
  }
}

TEST(CallStateTest, NamesAreTheDesignVocabulary) {
  EXPECT_EQ(call_state_name(CallState::answered), "answered");
  EXPECT_EQ(call_state_name(CallState::cancelled), "cancelled");
  EXPECT_EQ(call_state_name(CallState::busy), "busy");
  EXPECT_EQ(call_state_name(CallState::rejected), "rejected");
  EXPECT_EQ(call_state_name(CallState::no_answer), "no_answer");
  EXPECT_EQ(call_state_name(CallState::redirected), "redirected");
  EXPECT_EQ(call_state_name(CallState::failed), "failed");
  EXPECT_EQ(call_state_name(CallState::in_progress), "in_progress");
  EXPECT_EQ(call_state_name(CallState::unknown), "unknown");
}

TEST(CallStateTest, RingingIs180To189) {
  EXPECT_FALSE(is_ringing_code(100));
  EXPECT_FALSE(is_ringing_code(179));
  EXPECT_TRUE(is_ringing_code(180));
  EXPECT_TRUE(is_ringing_code(183));
  EXPECT_TRUE(is_ringing_code(189));
  EXPECT_FALSE(is_ringing_code(199));
}

// What a message with an unseen Call-ID opens (docs/states.md).
TEST(CallStateTest, ClassifyOpeningTable) {
  struct Row {
    bool request;
    const char* method;
    bool to_tag;
    const char* cseq_method;
    Opening opening;
  };
  const Row rows[] = {
      {true, "INVITE", false, "INVITE", Opening::new_call},
      {true, "INVITE", true, "INVITE", Opening::unknown_call},  // re-INVITE
      {true, "ACK", true, "ACK", Opening::unknown_call},
      {true, "BYE", true, "BYE", Opening::unknown_call},
      {true, "CANCEL", true, "CANCEL", Opening::unknown_call},
      // A CANCEL carries its INVITE's To (no tag) and cancels only an INVITE (RFC 3261
      // §9.1): corpus pcpp_sip_reqs frame 2, whose INVITE the capture does not hold.
      {true, "CANCEL", false, "CANCEL", Opening::unknown_call},
      {true, "UPDATE", true, "UPDATE", Opening::unknown_call},
      {true, "PRACK", true, "PRACK", Opening::unknown_call},
      {true, "INFO", true, "INFO", Opening::unknown_call},
      {true, "ACK", false, "ACK", Opening::non_call},  // stray ACK
      {true, "BYE", false, "BYE", Opening::non_call},
      {true, "REGISTER", false, "REGISTER", Opening::non_call},
      {true, "OPTIONS", false, "OPTIONS", Opening::non_call},
      {true, "OPTIONS", true, "OPTIONS", Opening::non_call},
      {true, "SUBSCRIBE", false, "SUBSCRIBE", Opening::non_call},
      {true, "NOTIFY", true, "NOTIFY", Opening::non_call},
      {true, "MESSAGE", false, "MESSAGE", Opening::non_call},
      {true, "PUBLISH", false, "PUBLISH", Opening::non_call},
      {true, "REFER", false, "REFER", Opening::non_call},
      {true, "invite", false, "invite", Opening::non_call},  // methods are case-sensitive
      {false, "", true, "INVITE", Opening::unknown_call},
      {false, "", true, "BYE", Opening::unknown_call},
      {false, "", true, "UPDATE", Opening::unknown_call},
      {false, "", true, "PRACK", Opening::unknown_call},
      {false, "", true, "INFO", Opening::unknown_call},
      {false, "", false, "CANCEL", Opening::unknown_call},
      {false, "", true, "REGISTER", Opening::non_call},
      {false, "", true, "OPTIONS", Opening::non_call},
      {false, "", true, "ACK", Opening::non_call},
      {false, "", true, "NOTIFY", Opening::non_call},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(classify_opening(r.request, r.method, r.to_tag, r.cseq_method), r.opening)
        << (r.request ? r.method : "response to") << " " << r.cseq_method << " to_tag=" << r.to_tag;
  }
}

}  // namespace
}  // namespace sipscope::correlate
