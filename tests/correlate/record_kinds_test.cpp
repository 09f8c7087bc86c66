// The enumerated columns of the records: each enum's names are exactly the values
// docs/schema.md documents for its column, and its parse function inverts its name
// function (the store writes names and reads them back through parse).
#include "correlate/record_kinds.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "correlate/call_state.hpp"
#include "correlate/dialog.hpp"
#include "correlate/keepalive.hpp"
#include "correlate/subscription.hpp"
#include "correlate/transaction.hpp"
#include "decode/anomaly.hpp"
#include "decode/net.hpp"

namespace sipscope::correlate {
namespace {

using Names = std::set<std::string>;

std::string schema() {
  std::ifstream in(std::string(SIPSCOPE_SOURCE_DIR) + "/docs/schema.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The `quoted` words of `text`.
Names quoted(const std::string& text) {
  Names out;
  for (size_t open = text.find('`'); open != std::string::npos;) {
    const size_t close = text.find('`', open + 1);
    if (close == std::string::npos) break;
    out.insert(text.substr(open + 1, close - open - 1));
    open = text.find('`', close + 1);
  }
  return out;
}

// The lines of section "## table" (up to the next "## ").
std::vector<std::string> section(const std::string& table) {
  const std::string doc = schema();
  std::vector<std::string> out;
  std::istringstream in(doc);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) inside = line == "## " + table;
    if (inside) out.push_back(line);
  }
  return out;
}

// The quoted words of a column's row in a table's section.
Names column_values(const std::string& table, const std::string& column) {
  for (const auto& line : section(table)) {
    if (line.rfind("| " + column + " |", 0) == 0) return quoted(line);
  }
  ADD_FAILURE() << table << "." << column << " not in docs/schema.md";
  return {};
}

// Every value's name, checking on the way that parse(name(v)) == v.
template <typename E, typename Name, typename Parse>
Names names(E last, Name name, Parse parse) {
  Names out;
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    const auto v = static_cast<E>(i);
    const std::string n(name(v));
    EXPECT_EQ(parse(n), std::optional<E>(v)) << n;
    out.insert(n);
  }
  EXPECT_EQ(parse("no such name"), std::nullopt);
  EXPECT_EQ(parse(""), std::nullopt);
  return out;
}

TEST(RecordKinds, CallColumns) {
  EXPECT_EQ(names(CallState::unknown, call_state_name, parse_call_state),
            column_values("calls", "state"));
  EXPECT_EQ(names(Party::callee, party_name, parse_party), column_values("calls", "hangup_by"));
  // Exact names: the text is case-sensitive.
  EXPECT_EQ(parse_party("Caller"), std::nullopt);
}

TEST(RecordKinds, TransportEverywhere) {
  const Names all = names(decode::Transport::sctp, decode::transport_name, decode::parse_transport);
  EXPECT_EQ(all, column_values("calls", "transport"));
  EXPECT_EQ(all, column_values("messages", "transport"));
  EXPECT_EQ(decode::parse_transport("udp"), std::nullopt);
}

TEST(RecordKinds, StateMachines) {
  EXPECT_EQ(names(TxState::terminated, tx_state_name, parse_tx_state),
            column_values("transactions", "state"));
  EXPECT_EQ(names(DialogState::terminated, dialog_state_name, parse_dialog_state),
            column_values("dialogs", "state"));
  EXPECT_EQ(names(PeerState::down, peer_state_name, parse_peer_state),
            column_values("peers", "state"));
  EXPECT_EQ(names(PeerState::down, peer_state_name, parse_peer_state),
            column_values("peer_events", "state, previous"));
  // `sent` (capture ended inside Timer F) and `no_response` are both stored.
  EXPECT_EQ(names(SubState::no_response, sub_state_name, parse_sub_state),
            column_values("subscriptions", "state"));
}

TEST(RecordKinds, StreamAssociation) {
  EXPECT_EQ(names(StreamAssociation::latched, stream_association_name, parse_stream_association),
            column_values("streams", "association"));
}

// Every kind correlate/ emits is listed in the prose of docs/schema.md "diagnostics", and
// every kind listed there exists.
TEST(RecordKinds, DiagnosticKindsAreTheDocumentedOnes) {
  Names documented;
  for (const auto& line : section("diagnostics")) {
    if (line.rfind('|', 0) != 0) documented.merge(quoted(line));
  }
  EXPECT_EQ(names(static_cast<DiagnosticKind>(kDiagnosticKindCount - 1), diagnostic_kind_name,
                  parse_diagnostic_kind),
            documented);
}

TEST(RecordKinds, AnomalyKindsRoundTrip) {
  const Names all = names(static_cast<decode::AnomalyKind>(decode::kAnomalyKindCount - 1),
                          decode::anomaly_name, decode::parse_anomaly_kind);
  EXPECT_EQ(all.size(), decode::kAnomalyKindCount);  // no two kinds share a name
  EXPECT_TRUE(all.count("ws_bad_frame"));
  static_assert(decode::parse_anomaly_kind("tcp_gap") == decode::AnomalyKind::tcp_gap);
}

}  // namespace
}  // namespace sipscope::correlate
