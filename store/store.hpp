// The SQLite store: the schema of docs/schema.md, versioned with
// PRAGMA user_version, written through prepared statements inside batched transactions.
// Store is the RecordSink that correlate/ flushes finished calls and messages into.
//
//   auto store = store::Store::open("out/x.db", store::Store::Mode::replace);
//   uint32_t cap = store->add_capture("x.pcap");
//   correlate::CallTracker t(*store, {.first_call_id = store->next_call_id()});
//   ...; store->finish_capture(info); store->close();
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "correlate/hep_agents.hpp"
#include "correlate/records.hpp"

struct sqlite3;

namespace sipscope::store {

inline constexpr int kSchemaVersion = 1;

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CaptureSummary {
  uint32_t capture_id = 0;
  int link_type = 0;
  int64_t first_us = 0;  // 0 = no frames (stored NULL)
  int64_t last_us = 0;
  uint64_t packets = 0;
  std::string status{};  // complete | truncated | interrupted | empty
  // Evidence identity (docs/schema.md captures): bytes as stored, modification time, and
  // SHA-256 in hex ("" = the file was not read to its end: stored NULL).
  uint64_t size = 0;
  std::optional<int64_t> mtime_us{};
  std::string sha256{};
  // Live capture (pcap_stats): packets the kernel dropped for lack of buffer space
  // (ps_drop) and that the interface or its driver dropped (ps_ifdrop). NULL for files.
  std::optional<int64_t> kernel_drops{}, interface_drops{};
};

// One thread at a time: a Store is handed between threads (store/record_writer.hpp), never
// shared (its connection has no mutex).
class Store final : public correlate::RecordSink {
 public:
  enum class Mode { replace, append };
  // replace: an existing file is deleted first. append: the schema must match.
  // Throws StoreError with one line naming the file.
  static std::unique_ptr<Store> open(const std::string& path, Mode mode);
  ~Store() override;

  uint32_t add_capture(const std::string& path);
  void finish_capture(const CaptureSummary& summary);
  // One agent pair's clock skew (HEP agents reporting the same messages; hep_skew table).
  void add_hep_skew(const correlate::HepSkewRecord& row);
  [[nodiscard]] int64_t next_call_id() const;

  void on_call(correlate::CallRecord call, std::vector<correlate::MessageRecord> messages) override;
  // Live capture: the row of a call still open, stored or replaced under its id (the
  // final on_call() row replaces it the same way).
  void upsert_open_call(const correlate::CallRecord& call);
  // Live capture (store/live_rows.cpp): an open call's transactions, dialogs and
  // diagnostics as they stand, replacing the ones this stored for it before; before the
  // call's final rows, forget_open_call_rows() deletes them (write-then-replace).
  void replace_open_call_rows(const correlate::OpenCallRows& rows);
  void forget_open_call_rows(int64_t call_id);
  void on_message(correlate::MessageRecord message) override;
  void on_anomaly(correlate::AnomalyRecord anomaly) override;
  void on_transaction(correlate::TransactionRecord transaction) override;
  void on_diagnostic(correlate::DiagnosticRecord diagnostic) override;
  void on_dialog(correlate::DialogRecord dialog) override;
  void on_call_link(correlate::CallLinkRecord link) override;
  void on_registration(correlate::RegistrationRecord registration) override;
  void on_peer(correlate::PeerRecord peer) override;
  void on_peer_event(correlate::PeerEventRecord event) override;
  void on_subscription(correlate::SubscriptionRecord subscription) override;
  void on_activity(correlate::ActivityRecord activity) override;
  void on_stream(correlate::StreamRecord stream) override;
  void on_rtcp(correlate::RtcpRecord report) override;

  // Live capture: WAL journal, so readers see consistent data at every commit; commits
  // only when commit() (or close/finish_capture) says so.
  void use_wal();
  // `analyze` into a new temporary file that is renamed into place only when complete
  // (cli/safe_output.hpp): no rollback journal (a crash or a full disk leaves only that
  // temporary file, which nobody reads, and the previous database as it was) and
  // kBulkBatchRows rows per transaction. Not for a file that readers see or an --append.
  void use_bulk_load();
  // Commits the open transaction (also done every kBatchRows rows and by close()).
  void commit();
  void close();

 private:
  Store() = default;
  void write_call(const correlate::CallRecord& call, bool upsert);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  struct LiveRows;  // store/live_rows.cpp; shared_ptr: its type stays there
  std::shared_ptr<LiveRows> live_rows_;
};

}  // namespace sipscope::store
