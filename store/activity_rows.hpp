// Internal to store/: the INSERT statements of the non-call activity tables (peers,
// peer_events, subscriptions, activity; docs/schema.md) and the binding of one record to
// one statement, so store.cpp only prepares, binds through these and runs.
//
//   sql::Statement st(db, path, kInsertPeer);  bind_peer(st, record);  st.run();
#pragma once

#include "correlate/records.hpp"
#include "store/sql.hpp"

namespace sipscope::store::rows {

extern const char* const kInsertPeer;
extern const char* const kInsertPeerEvent;
extern const char* const kInsertSubscription;
extern const char* const kInsertActivity;

void bind_peer(sql::Statement& st, const correlate::PeerRecord& r);
void bind_peer_event(sql::Statement& st, const correlate::PeerEventRecord& r);
void bind_subscription(sql::Statement& st, const correlate::SubscriptionRecord& r);
void bind_activity(sql::Statement& st, const correlate::ActivityRecord& r);

}  // namespace sipscope::store::rows
